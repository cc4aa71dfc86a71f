#!/bin/bash
# test_console_live.sh - the web console watches a real branch connect
# (issue: "a link that comes up in a namespace test and turns connected on
# the page without a reload"). Headless chromium (Playwright,
# web/tests/live.spec.mjs) runs inside the gateway's namespace, so it
# reaches the API on that namespace's loopback:
#
#   bgcl-N-br: charon 192.0.2.1 + BIRD ==veth== 192.0.2.2 :bgcl-N-gw
#              LAN 10.1.1.1/24 (veth pair)          branchgated, chromium
#
# The remote network, its link and the Internet Access assignment are made
# with the CLI; charon is started but loads nothing until the page has
# shown the link Disconnected (marker console-ready); BIRD (the bird.conf
# cpeConfiguration generates) starts only once the page has shown the
# tunnel up without BGP (marker console-tunnel). The spec then waits for
# Connected, by the page's own refresh. Exit 77 only without root or tools.
set -u

SRC=${BG_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/interop/lib.sh"
BINDIR=${BG_BINDIR:-$SRC/build}
BIN=$BINDIR/bin
CHARON=/usr/lib/ipsec/charon
PW=$SRC/web/node_modules/.bin/playwright

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip unshare swanctl python3 bird birdc; do
	command -v $t >/dev/null || skip "$t missing"
done
[ -x "$CHARON" ] || skip "$CHARON missing"
[ -x /usr/bin/chromium ] || skip "chromium missing"
[ -x "$PW" ] || skip "web/node_modules missing (scripts/deps.sh)"
[ -f "$BINDIR/web/index.html" ] || skip "the console bundle is missing ($BINDIR/web)"

W=$(mktemp -d "${TMPDIR:-/tmp}/bgtest-cl-$$.XXXXXX")
NS_G=bgcl-$$-gw
NS_B=bgcl-$$-br
PFX=bc$$-
API=127.0.0.1:18087
RC=0
DPID=
PIDS=

cleanup() {
	[ -s "$W/b1/run/charon.pid" ] && kill "$(cat "$W/b1/run/charon.pid")" 2>/dev/null
	[ -s "$W/b1/bird.pid" ] && kill "$(cat "$W/b1/bird.pid")" 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	sleep 0.3
	for n in "$NS_B" "$NS_G"; do ip netns del "$n" 2>/dev/null; done
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX"); do ip netns del "$n"; done
	if [ "$RC" != 0 ]; then
		echo "--- branchgated log (tail)"; tail -40 "$W/daemon.log"
		echo "--- charon (tail)"; tail -15 "$W/b1/charon.log" 2>/dev/null
		echo "--- bird"; tail -10 "$W/b1/bird.log" 2>/dev/null
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM


ns_add "$NS_G" "$NS_B"
ip link add clb netns "$NS_B" type veth peer name clg netns "$NS_G"
ip -n "$NS_B" addr add 192.0.2.1/24 dev clb
ip -n "$NS_G" addr add 192.0.2.2/24 dev clg
# The branch LAN: one side of a veth pair inside the branch namespace.
ip -n "$NS_B" link add cll type veth peer name clh
ip -n "$NS_B" addr add 10.1.1.1/24 dev cll
for l in "$NS_B clb" "$NS_G clg" "$NS_B cll" "$NS_B clh"; do
	set -- $l; ip -n "$1" link set "$2" up
done

DB=sqlite:$W/bg.db
"$BIN/branchgate" tenant create tenant-live --db "$DB" >"$W/ta.json" || exit 1
TOK=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$W/ta.json")
gw_start "$NS_G" "$W/daemon.log" --db "$DB" --api "$API" \
    --endpoint 1=192.0.2.2 --netns-prefix "$PFX" --esp-workers 2 \
    --web-dir "$BINDIR/web" || exit 1

bg() { local t=$1; shift; ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$t" "$BIN/branchgate" "$@"; }
printf '%s\n' 'console-live-psk-0123456789' >"$W/psk"

SS_RN_PREFIX="Live branch"
ss_branch_prepare b1 "$NS_B" "$TOK" 192.0.2.1 || exit 1
RN=$(cat "$W/b1.rn")
INET=$(bg "$TOK" --json profile list | python3 -c '
import json, sys
print([p["id"] for p in json.load(sys.stdin)["value"] if p["trafficForwardingType"] == "internet"][0])') ||
    { fail "no Internet Access profile"; exit 1; }
bg "$TOK" rn assign "$RN" "$INET" >/dev/null || { fail "assign Internet Access"; exit 1; }

# The page, in the gateway's namespace (its loopback has the API).
ip netns exec "$NS_G" env BG_BINDIR="$BINDIR" BG_LIVE_BASE="http://$API" \
    BG_LIVE_TOKEN="$TOK" BG_LIVE_DIR="$W" BG_LIVE_LINK="b1-link" \
    BG_LIVE_LAN=10.1.1.0/24 HOME="$W" \
    sh -c "cd '$SRC/web' && exec '$PW' test --config playwright.config.mjs live.spec.mjs" \
    >"$W/pw.log" 2>&1 &
PWPID=$!
PIDS="$PIDS $PWPID"

wait_file() {
	local i
	for i in $(seq 1200); do
		[ -e "$W/$1" ] && return 0
		kill -0 "$PWPID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
if wait_file console-ready; then
	ok "the page shows the link Disconnected (noTunnel)"
	ss_branch_connect b1 "$NS_B" || exit 1
	if wait_file console-tunnel; then
		ok "the page shows the tunnel up, BGP not yet: Connected, not passing traffic (bgpDown)"
		bg "$TOK" cpe-config "$RN" "$(cat "$W/b1.link")" --format bird --lan 10.1.1.0/24 \
		    -o "$W/b1/bird.conf" 2>/dev/null || { fail "cpe-config --format bird"; exit 1; }
		ip netns exec "$NS_B" bird -f -c "$W/b1/bird.conf" -s "$W/b1/bird.ctl" \
		    -P "$W/b1/bird.pid" >"$W/b1/bird.log" 2>&1 &
		PIDS="$PIDS $!"
	fi
fi
wait "$PWPID"
prc=$?
PIDS=
sed 's/^/  playwright: /' "$W/pw.log"
if [ "$prc" = 0 ]; then
	ok "the page turned Connected without a reload; the link page shows BGP established, 10.1.1.0/24 installed, 0.0.0.0/0 advertised"
else
	fail "playwright live.spec.mjs exited $prc"
fi
# The same routes from the CLI (GET .../routes).
bg "$TOK" link routes "$RN" "$(cat "$W/b1.link")" >"$W/routes.txt" 2>&1
if grep -Eq '^1 +received +10\.1\.1\.0/24 +10\.1\.0\.1 +1 +installed' "$W/routes.txt" &&
    grep -Eq '^1 +advertised +0\.0\.0\.0/0' "$W/routes.txt"; then
	ok "link routes: 10.1.1.0/24 received from 10.1.0.1 and installed; 0.0.0.0/0 advertised"
else
	fail "link routes:"; sed 's/^/  /' "$W/routes.txt"
fi
exit $RC
