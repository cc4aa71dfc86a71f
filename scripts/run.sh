#!/bin/sh
# run.sh - `make run`: start branchgated on the embedded SQLite store with a
# demo tenant, and print how to reach it. Ctrl-C stops it. As root the data
# plane creates the tenants' network namespaces, an nftables table and turns
# on net.ipv4.ip_forward; this script turns ip_forward off again at exit when
# it was off before.
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

# BG_DAEMON_ARGS: extra flags (the tests use --ike-port 0 --natt-port 0).
# The ESP data plane (tenant namespaces, TUN) needs root: without it, IKE only.
DP=
[ "$(id -u)" = 0 ] || DP=--no-dataplane
set -- "$BIN/branchgated" --db "$DB" --api "$API" --endpoint 1=127.0.0.1 \
    --endpoint 2=127.0.0.2 $DP ${BG_DAEMON_ARGS:-}

# The data plane turns net.ipv4.ip_forward on and leaves it on (egress.h).
# When it was off and we may write it (root), put it back when the gateway
# stops, however it stops.
# Caveat: another gateway started meanwhile on this host loses it too.
# BG_IP_FORWARD: the sysctl's file, for the tests.
FWD=${BG_IP_FORWARD:-/proc/sys/net/ipv4/ip_forward}
RESTORE=
[ -w "$FWD" ] && [ "$(cat "$FWD" 2>/dev/null)" = 0 ] && RESTORE=1

# Something answering there already is most likely another `make run`.
if curl -s -o /dev/null --max-time 1 "$URL/networkAccess"; then
	echo "run.sh: something already answers on $URL (another branchgated?);" \
	    "stop it first, or give another address: make run API=127.0.0.1:8081" >&2
	exit 1
fi
"$@" &
PID=$!
# A background job of a script ignores the terminal's Ctrl-C: pass it on.
trap 'kill -TERM "$PID" 2>/dev/null' INT TERM
[ -n "$RESTORE" ] && trap 'echo 0 >"$FWD" 2>/dev/null || :' EXIT

# The banner only once the gateway has bound its ports and answers: a
# second `make run` beside a running one fails on its binds and says why,
# without first telling the user where to connect.
i=0
while kill -0 "$PID" 2>/dev/null; do
	curl -s -o /dev/null --max-time 1 "$URL/networkAccess" && break
	i=$((i + 1))
	[ "$i" -lt 200 ] || break
	sleep 0.1
done
if kill -0 "$PID" 2>/dev/null; then
cat <<TXT

  branchgated: REST API on $URL (store $DB)
  Web console: $URL/#token=$TOKEN
  Tenant "demo", token saved in $VAR/demo-tenant.json. In another shell:

    export BRANCHGATE_URL=$URL
    export BRANCHGATE_TOKEN=$TOKEN
    curl -s -H "Authorization: Bearer \$BRANCHGATE_TOKEN" \\
         \$BRANCHGATE_URL/networkAccess/connectivity/remoteNetworks
    ./build/bin/branchgate rn list

  README.md walks through creating a branch and configuring its router.

  Ctrl-C stops the gateway.

TXT
fi
set +e
while :; do
	wait "$PID"
	RC=$?
	kill -0 "$PID" 2>/dev/null || break
done
exit "$RC"
