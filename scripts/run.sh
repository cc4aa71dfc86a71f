#!/bin/sh
# run.sh - `make run`: start branchgated on the embedded SQLite store with a
# demo tenant, and print how to reach it. Ctrl-C stops it.
set -eu
API=${1:-127.0.0.1:8080}
DB=${2:-sqlite:./var/branchgate.db}
BIN=${BG_BINDIR:-./build}/bin
VAR=${BG_VARDIR:-./var}
mkdir -p "$VAR"

# One tenant for the newcomer, created once; its token is kept in var/ (0600).
# A fresh database means the saved token belongs to nothing: mint a new one.
case $DB in
sqlite:*) [ -e "${DB#sqlite:}" ] || rm -f "$VAR/demo-tenant.json" ;;
esac
if [ ! -s "$VAR/demo-tenant.json" ]; then
	umask 077
	"$BIN/branchgate" tenant create demo --db "$DB" > "$VAR/demo-tenant.json"
fi
TOKEN=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$VAR/demo-tenant.json")
URL="http://$API"

cat <<TXT

  branchgated: REST API on $URL (store $DB)
  Tenant "demo", token saved in $VAR/demo-tenant.json. In another shell:

    export BRANCHGATE_URL=$URL
    export BRANCHGATE_TOKEN=$TOKEN
    curl -s -H "Authorization: Bearer \$BRANCHGATE_TOKEN" \\
         \$BRANCHGATE_URL/networkAccess/connectivity/remoteNetworks
    ./build/bin/branchgate rn list

  README.md walks through creating a branch and configuring its router.

  Ctrl-C stops the gateway.

TXT
# BG_DAEMON_ARGS: extra flags (the tests use --ike-port 0 --natt-port 0).
# The ESP data plane (tenant namespaces, TUN) needs root: without it, IKE only.
DP=
[ "$(id -u)" = 0 ] || DP=--no-dataplane
exec "$BIN/branchgated" --db "$DB" --api "$API" --endpoint 1=127.0.0.1 \
    --endpoint 2=127.0.0.2 $DP ${BG_DAEMON_ARGS:-}
