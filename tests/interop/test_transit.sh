#!/bin/bash
# test_transit.sh - branch-to-branch transit per tenant (docs/bgp.md
# "Transit"): two strongSwan branches of one tenant, each with BIRD
# announcing its LAN (the bird.conf cpeConfiguration generates), LAN hosts
# behind both.
#
#   bgtr-N-l1: 10.1.1.10 == b1: charon 192.0.2.1 ======= gw: branchgated
#   bgtr-N-l2: 10.2.2.10 == b2: charon 198.51.100.1 ====    (one tenant)
#
# Checks: (a) off by default: neither branch learns the other's LAN, and a
# packet forced into the tunnel towards it is not forwarded; (b) `branchgate
# transit enable`: each branch learns the other's LAN with community
# (65476,2) on its live session (no reset), the LAN hosts ping each other;
# (c) a branch withdraws its LAN: the other loses the route; announced
# again: back; (d) disabled: withdrawn, and forced traffic is dropped
# again. Exit 77 (skip) only without root or the tools.
set -u

SRC=${BG_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/interop/lib.sh"
BIN=${BG_BINDIR:-$SRC/build}/bin
CHARON=/usr/lib/ipsec/charon

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip unshare swanctl python3 bird birdc; do
	command -v $t >/dev/null || skip "$t missing"
done
[ -x "$CHARON" ] || skip "$CHARON missing"

W=$(mktemp -d "${TMPDIR:-/tmp}/bgtest-tr-$$.XXXXXX")
NS_G=bgtr-$$-gw
NS_B1=bgtr-$$-b1
NS_B2=bgtr-$$-b2
NS_L1=bgtr-$$-l1
NS_L2=bgtr-$$-l2
PFX=bt$$-
API=127.0.0.1:18086
RC=0
DPID=
PIDS=

cleanup() {
	for b in b1 b2; do
		[ -s "$W/$b/run/charon.pid" ] && kill "$(cat "$W/$b/run/charon.pid")" 2>/dev/null
		[ -s "$W/$b/bird.pid" ] && kill "$(cat "$W/$b/bird.pid")" 2>/dev/null
	done
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	sleep 0.3
	for n in "$NS_B1" "$NS_B2" "$NS_G" "$NS_L1" "$NS_L2"; do ip netns del "$n" 2>/dev/null; done
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX"); do ip netns del "$n"; done
	if [ "$RC" != 0 ]; then
		echo "--- branchgated log (tail)"; tail -60 "$W/daemon.log"
		for b in b1 b2; do echo "--- bird $b"; tail -10 "$W/$b/bird.log" 2>/dev/null; done
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM


ns_add "$NS_G" "$NS_B1" "$NS_B2" "$NS_L1" "$NS_L2"
ip link add btb1 netns "$NS_B1" type veth peer name btg1 netns "$NS_G"
ip link add btb2 netns "$NS_B2" type veth peer name btg2 netns "$NS_G"
ip link add btl1 netns "$NS_L1" type veth peer name btb1l netns "$NS_B1"
ip link add btl2 netns "$NS_L2" type veth peer name btb2l netns "$NS_B2"
ip -n "$NS_B1" addr add 192.0.2.1/24 dev btb1
ip -n "$NS_G" addr add 192.0.2.2/24 dev btg1
ip -n "$NS_B2" addr add 198.51.100.1/24 dev btb2
ip -n "$NS_G" addr add 198.51.100.2/24 dev btg2
ip -n "$NS_L1" addr add 10.1.1.10/24 dev btl1
ip -n "$NS_B1" addr add 10.1.1.1/24 dev btb1l
ip -n "$NS_L2" addr add 10.2.2.10/24 dev btl2
ip -n "$NS_B2" addr add 10.2.2.1/24 dev btb2l
for l in "$NS_B1 btb1" "$NS_B2 btb2" "$NS_G btg1" "$NS_G btg2" "$NS_L1 btl1" \
    "$NS_B1 btb1l" "$NS_L2 btl2" "$NS_B2 btb2l"; do
	set -- $l; ip -n "$1" link set "$2" up
done
ip -n "$NS_B2" route add 192.0.2.0/24 via 198.51.100.2
ip -n "$NS_L1" route add default via 10.1.1.1
ip -n "$NS_L2" route add default via 10.2.2.1
ip netns exec "$NS_B1" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NS_B2" sysctl -qw net.ipv4.ip_forward=1

# --- the gateway ----------------------------------------------------------------
DB=sqlite:$W/bg.db
"$BIN/branchgate" tenant create tenant-t --db "$DB" >"$W/ta.json" || exit 1
TOK=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$W/ta.json")
gw_start "$NS_G" "$W/daemon.log" --db "$DB" --api "$API" \
    --endpoint 1=192.0.2.2 --netns-prefix "$PFX" --esp-workers 2 \
    --log-level debug || exit 1

bg() { local t=$1; shift; ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$t" "$BIN/branchgate" "$@"; }
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
printf '%s\n' 'transit-interop-psk-0123456789' >"$W/psk"

SS_RN_PREFIX="Transit branch"
ss_branch b1 "$NS_B1" "$TOK" 192.0.2.1 || exit 1
SS_LOCAL_BGP=10.255.0.5 SS_PEER_BGP=10.1.0.5 ss_branch b2 "$NS_B2" "$TOK" 198.51.100.1 || exit 1

# BIRD on each branch, from the bird.conf cpeConfiguration generates.
bird_up() {
	local tag=$1 ns=$2 lan=$3 C=$W/$1
	bg "$TOK" cpe-config "$(cat "$W/$tag.rn")" "$(cat "$W/$tag.link")" --format bird \
	    --lan "$lan" -o "$C/bird.conf" 2>/dev/null || { fail "$tag: cpe-config --format bird"; return 1; }
	ip netns exec "$ns" bird -f -c "$C/bird.conf" -s "$C/bird.ctl" -P "$C/bird.pid" >"$C/bird.log" 2>&1 &
	PIDS="$PIDS $!"
}
bird_up b1 "$NS_B1" 10.1.1.0/24 || exit 1
bird_up b2 "$NS_B2" 10.2.2.0/24 || exit 1
status() {
	bg "$TOK" --json link status "$(cat "$W/$1.rn")" "$(cat "$W/$1.link")" 2>/dev/null
}
learned() { status "$1" | jget 'd["bgp"]["learnedPrefixes"]' 2>/dev/null; }
for _ in $(seq 200); do
	[ "$(learned b1)" = 1 ] && [ "$(learned b2)" = 1 ] && break
	sleep 0.25
done
[ "$(learned b1)" = 1 ] && [ "$(learned b2)" = 1 ] &&
    ok "both branches' LANs learned (10.1.1.0/24, 10.2.2.0/24)" ||
    { fail "LANs not learned: b1 $(learned b1), b2 $(learned b2)"; exit 1; }

# route_for TAG PREFIX: BIRD's route for PREFIX on branch TAG, with attributes.
route_for() { birdc -s "$W/$1/bird.ctl" show route "$2" all 2>/dev/null; }
has_transit() { route_for "$1" "$2" | grep -q "BGP.community: (65476,2)"; }
lan_ping() { ip netns exec "$1" ping -c 3 -i 0.2 -W 1 "$2" 2>&1 | grep -q " 0% packet loss"; }
wait_for() { local i; for i in $(seq 40); do "$@" && return 0; sleep 0.25; done; return 1; }
not() { ! "$@"; }
est() { status "$1" | jget 'd["bgp"]["establishedDateTime"]' 2>/dev/null; }

# (a) off by default
r=$(bg "$TOK" transit 2>&1)
echo "$r" | grep -q "disabled" && ok "(a) transit is off by default" || fail "(a) transit: $r"
has_transit b2 10.1.1.0/24 && fail "(a) b2 learned b1's LAN with transit off" ||
    ok "(a) b2 has no route to b1's LAN"
has_transit b1 10.2.2.0/24 && fail "(a) b1 learned b2's LAN with transit off" ||
    ok "(a) b1 has no route to b2's LAN"
# Forced into the tunnel anyway: the gateway does not forward it.
ip -n "$NS_B2" route add 10.1.1.0/24 dev ipsec0 src 10.1.0.5
lan_ping "$NS_L2" 10.1.1.10 && fail "(a) LAN to LAN forwarded with transit off" ||
    ok "(a) traffic forced towards b1's LAN is not forwarded"
ip -n "$NS_B2" route del 10.1.1.0/24 dev ipsec0

# (b) on: announced on the live sessions, LAN to LAN works
e1=$(est b1); e2=$(est b2)
r=$(bg "$TOK" transit enable 2>&1)
echo "$r" | grep -q "enabled" || fail "(b) transit enable: $r"
wait_for has_transit b2 10.1.1.0/24 && ok "(b) b2 learned b1's LAN, community (65476,2)" ||
    fail "(b) b2 route: $(route_for b2 10.1.1.0/24 | head -6)"
wait_for has_transit b1 10.2.2.0/24 && ok "(b) b1 learned b2's LAN, community (65476,2)" ||
    fail "(b) b1 route: $(route_for b1 10.2.2.0/24 | head -6)"
route_for b1 10.1.1.0/24 | grep -q "(65476,2)" && fail "(b) b1 was announced its own LAN" ||
    ok "(b) no branch is announced its own LAN"
[ "$e1" = "$(est b1)" ] && [ "$e2" = "$(est b2)" ] && ok "(b) neither session was reset" ||
    fail "(b) sessions reset: $e1 -> $(est b1), $e2 -> $(est b2)"
wait_for lan_ping "$NS_L2" 10.1.1.10 && ok "(b) LAN host 10.2.2.10 pings 10.1.1.10 through the gateway" ||
    fail "(b) LAN to LAN ping failed"
lan_ping "$NS_L1" 10.2.2.10 && ok "(b) and back: 10.1.1.10 pings 10.2.2.10" ||
    fail "(b) LAN to LAN ping (b1 -> b2) failed"

# (c) b1 withdraws its LAN, then announces it again
birdc -s "$W/b1/bird.ctl" disable branch_lan >/dev/null 2>&1
wait_for not has_transit b2 10.1.1.0/24 && ok "(c) b1 withdrew its LAN: b2's route is gone" ||
    fail "(c) b2 still has b1's LAN: $(route_for b2 10.1.1.0/24 | head -4)"
birdc -s "$W/b1/bird.ctl" enable branch_lan >/dev/null 2>&1
wait_for has_transit b2 10.1.1.0/24 && ok "(c) announced again: b2 has it again" ||
    fail "(c) b2 did not get b1's LAN back"

# (d) off again: withdrawn, and forced traffic dropped
r=$(bg "$TOK" transit disable 2>&1)
echo "$r" | grep -q "disabled" || fail "(d) transit disable: $r"
wait_for not has_transit b2 10.1.1.0/24 && ok "(d) transit off: b2's route to b1's LAN withdrawn" ||
    fail "(d) b2 still has b1's LAN"
ip -n "$NS_B2" route add 10.1.1.0/24 dev ipsec0 src 10.1.0.5
lan_ping "$NS_L2" 10.1.1.10 && fail "(d) LAN to LAN still forwarded with transit off" ||
    ok "(d) traffic forced towards b1's LAN is dropped again"
ip -n "$NS_B2" route del 10.1.1.0/24 dev ipsec0
[ "$e1" = "$(est b1)" ] && ok "(d) b1's session was never reset" || fail "(d) b1 reset: $e1 -> $(est b1)"
grep -q "branch-to-branch transit off" "$W/daemon.log" && ok "(d) the gateway logged the change" ||
    fail "(d) no transit log line"

kill -0 "$DPID" 2>/dev/null || fail "branchgated died"
grep -E "AddressSanitizer|runtime error" "$W/daemon.log" && fail "sanitizer report in the daemon log"
exit $RC
