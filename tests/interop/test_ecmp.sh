#!/bin/bash
# test_ecmp.sh - ECMP over links with real peers (issue 9 §5, docs/dataplane.md
# "ECMP"): three strongSwan branches of one tenant, each with BIRD announcing
# the same LAN 10.9.9.0/24 (the bird.conf cpeConfiguration generates; 10.9.9.1
# on a LAN interface in each), and a fourth branch whose LAN host sends the
# flows. Transit is on, so traffic from that branch reaches the tenant's
# forwarding toward the shared prefix as traffic from the internet side would:
# the tenant network routes it back into the TUN and the ESP worker picks a
# member by its flow hash.
#
#   bgec-N-l3: 10.3.3.10 == s: charon 192.0.2.65  =====
#                            m1: charon 192.0.2.1   ===== gw: branchgated
#                            m2: charon 198.51.100.1 ====    (one tenant)
#                            m3: charon 198.51.100.129 ==
#   m1, m2, m3: BIRD announces 10.9.9.0/24, UDP listener on 10.9.9.1:5000
#
# Checks: (a) every member's session learned the prefix, the sender's branch
# is announced it (transit), and each member's route list (link routes)
# names the three as the prefix's ECMP members;
# (b) 96 flows (distinct source ports) spread over all three members, each at
# least 10% of them, every datagram of a flow at one member, in order;
# (c) one flow of 200 datagrams: all at one member, in order, none elsewhere;
# (d) m1 withdraws the prefix (BIRD): only m1's flows move, the others stay
# where they were; announced again: every flow is back where it was in (b);
# (e) m1's tunnel is deleted (IKE): the same, through the gateway's tunnel-down
# path; the tunnel comes back (BIRD's session restarted over it) and every
# flow is back again.
# Which flow goes where is the keyed hash's business: nothing here assumes it.
# Exit 77 (skip) only without root or the tools.
set -u

SRC=${BG_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/interop/lib.sh"
BIN=${BG_BINDIR:-$SRC/build}/bin
CHARON=/usr/lib/ipsec/charon
FLOWS="$SRC/tests/interop/udp_flows.py"

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip unshare swanctl python3 bird birdc; do
	command -v $t >/dev/null || skip "$t missing"
done
[ -x "$CHARON" ] || skip "$CHARON missing"

W=$(mktemp -d "${TMPDIR:-/tmp}/bgtest-ec-$$.XXXXXX")
NS_G=bgec-$$-gw
NS_S=bgec-$$-s
NS_L=bgec-$$-l3
PFX=bgec$$-
API=127.0.0.1:18098
MEMBERS="m1 m2 m3"
NFLOWS=96
RC=0
DPID=
PIDS=

cleanup() {
	for b in s $MEMBERS; do
		[ -s "$W/$b/run/charon.pid" ] && kill "$(cat "$W/$b/run/charon.pid")" 2>/dev/null
		[ -s "$W/$b/bird.pid" ] && kill "$(cat "$W/$b/bird.pid")" 2>/dev/null
	done
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	sleep 0.3
	for n in "$NS_G" "$NS_S" "$NS_L"; do ip netns del "$n" 2>/dev/null; done
	for b in $MEMBERS; do ip netns del "bgec-$$-$b" 2>/dev/null; done
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX"); do ip netns del "$n"; done
	if [ "$RC" != 0 ]; then
		echo "--- branchgated log (tail)"; tail -60 "$W/daemon.log"
		for b in s $MEMBERS; do echo "--- bird $b"; tail -10 "$W/$b/bird.log" 2>/dev/null; done
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*"; RC=1; }
ok() { echo "ok   $*"; }
ns_of() { echo "bgec-$$-$1"; }

# --- namespaces: the gateway, the sender's branch and LAN host, the members ---
for n in "$NS_G" "$NS_S" "$NS_L" $(for b in $MEMBERS; do ns_of $b; done); do
	ip netns add "$n" || { echo "FAIL: netns $n"; exit 1; }
	ip -n "$n" link set lo up
done
# wire TAG NS BRANCH-ADDR GW-ADDR/LEN: a veth between a branch and the gateway.
wire() {
	ip link add "ec$1" netns "$2" type veth peer name "ecg$1" netns "$NS_G"
	ip -n "$2" addr add "$3/${4#*/}" dev "ec$1"
	ip -n "$NS_G" addr add "$4" dev "ecg$1"
	ip -n "$2" link set "ec$1" up
	ip -n "$NS_G" link set "ecg$1" up
	# Everything reaches the gateway's endpoint 192.0.2.2 through it.
	[ "${4%/*}" = 192.0.2.2 ] || ip -n "$2" route add 192.0.2.0/26 via "${4%/*}"
}
wire m1 "$(ns_of m1)" 192.0.2.1 192.0.2.2/26
wire m2 "$(ns_of m2)" 198.51.100.1 198.51.100.2/25
wire m3 "$(ns_of m3)" 198.51.100.129 198.51.100.130/25
wire s "$NS_S" 192.0.2.65 192.0.2.66/26
# The sender's LAN host.
ip link add ecl3 netns "$NS_L" type veth peer name ecs3 netns "$NS_S"
ip -n "$NS_L" addr add 10.3.3.10/24 dev ecl3
ip -n "$NS_S" addr add 10.3.3.1/24 dev ecs3
ip -n "$NS_L" link set ecl3 up
ip -n "$NS_S" link set ecs3 up
ip -n "$NS_L" route add default via 10.3.3.1
ip netns exec "$NS_S" sysctl -qw net.ipv4.ip_forward=1
# Each member's LAN: 10.9.9.1 on a LAN interface, the listener on it. The
# datagrams come in on ipsec0 from 10.3.3.10: no reverse-path filter.
for b in $MEMBERS; do
	n=$(ns_of $b)
	ip -n "$n" link add lan0 type veth peer name lan0p
	ip -n "$n" addr add 10.9.9.1/24 dev lan0
	ip -n "$n" link set lan0 up
	ip -n "$n" link set lan0p up
	ip netns exec "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	ip netns exec "$n" python3 "$FLOWS" listen 10.9.9.1 5000 "$W/$b.flows" &
	PIDS="$PIDS $!"
done

# --- the gateway ----------------------------------------------------------------
DB=sqlite:$W/bg.db
"$BIN/branchgate" tenant create tenant-ecmp --db "$DB" >"$W/ta.json" || exit 1
TOK=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$W/ta.json")
ip netns exec "$NS_G" "$BIN/branchgated" --db "$DB" --api "$API" \
    --endpoint 1=192.0.2.2 --netns-prefix "$PFX" --esp-workers 2 \
    --log-level debug >"$W/daemon.log" 2>&1 &
DPID=$!
for _ in $(seq 100); do grep -q "API listening" "$W/daemon.log" && break; sleep 0.1; done
grep -q "API listening" "$W/daemon.log" || { fail "branchgated did not start"; exit 1; }

bg() { local t=$1; shift; ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$t" "$BIN/branchgate" "$@"; }
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
printf '%s\n' 'ecmp-interop-psk-0123456789ab' >"$W/psk"

# Distinct BGP addresses per link (the gateway's and the branch's).
SS_RN_PREFIX="ECMP branch"
SS_LOCAL_BGP=10.255.0.1 SS_PEER_BGP=10.1.0.1 ss_branch m1 "$(ns_of m1)" "$TOK" 192.0.2.1 || exit 1
SS_LOCAL_BGP=10.255.0.5 SS_PEER_BGP=10.1.0.5 ss_branch m2 "$(ns_of m2)" "$TOK" 198.51.100.1 || exit 1
SS_LOCAL_BGP=10.255.0.13 SS_PEER_BGP=10.1.0.13 ss_branch m3 "$(ns_of m3)" "$TOK" 198.51.100.129 || exit 1
SS_LOCAL_BGP=10.255.0.9 SS_PEER_BGP=10.1.0.9 ss_branch s "$NS_S" "$TOK" 192.0.2.65 || exit 1

# BIRD on each branch, from the bird.conf cpeConfiguration generates.
bird_up() {
	local tag=$1 ns=$2 lan=$3 C=$W/$1
	bg "$TOK" cpe-config "$(cat "$W/$tag.rn")" "$(cat "$W/$tag.link")" --format bird \
	    --lan "$lan" -o "$C/bird.conf" 2>/dev/null || { fail "$tag: cpe-config --format bird"; return 1; }
	ip netns exec "$ns" bird -f -c "$C/bird.conf" -s "$C/bird.ctl" -P "$C/bird.pid" >"$C/bird.log" 2>&1 &
	PIDS="$PIDS $!"
}
for b in $MEMBERS; do bird_up $b "$(ns_of $b)" 10.9.9.0/24 || exit 1; done
bird_up s "$NS_S" 10.3.3.0/24 || exit 1

status() { bg "$TOK" --json link status "$(cat "$W/$1.rn")" "$(cat "$W/$1.link")" 2>/dev/null; }
learned() { status "$1" | jget 'd["bgp"]["learnedPrefixes"]' 2>/dev/null; }
# wait_for SECONDS CMD...: poll CMD every 0.25 s until it succeeds.
wait_for() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.25; done
}
learned_is() { [ "$(learned "$1")" = "$2" ]; }
all_learned() { local b; for b in s $MEMBERS; do learned_is $b 1 || return 1; done; }
route_for() { birdc -s "$W/$1/bird.ctl" show route "$2" all 2>/dev/null; }
has_transit() { route_for "$1" "$2" | grep -q "BGP.community: (65476,2)"; }

# (a) the shared prefix is learned from every member, the sender is announced it
wait_for 50 all_learned &&
    ok "(a) all four sessions learned their LAN (10.9.9.0/24 three times, 10.3.3.0/24)" ||
    { fail "(a) LANs not learned: $(for b in s $MEMBERS; do echo -n "$b $(learned $b) "; done)"; exit 1; }
r=$(bg "$TOK" transit enable 2>&1)
echo "$r" | grep -q "enabled" || fail "(a) transit enable: $r"
wait_for 10 has_transit s 10.9.9.0/24 && ok "(a) the sender's branch learned 10.9.9.0/24 (transit)" ||
    { fail "(a) sender's route: $(route_for s 10.9.9.0/24 | head -6)"; exit 1; }
# The ECMP members of the shared prefix, from each member's route list
# (GET .../routes, forwardingMembers): the three links, each with its tunnel
# up; and m1's own LAN route lists the same three.
members_of() {
	bg "$TOK" --json link routes "$(cat "$W/$1.rn")" "$(cat "$W/$1.link")" 2>/dev/null |
	    python3 -c 'import json,sys
r=[x for x in json.load(sys.stdin)["value"] if x["direction"]=="received" and x["prefix"]=="10.9.9.0/24"]
print(" ".join(sorted(m["deviceLinkId"] + ("" if m["tunnelUp"] else "(down)") for m in r[0]["forwardingMembers"])) if r else "none")'
}
want=$(for b in $MEMBERS; do cat "$W/$b.link"; done | sort | tr '\n' ' ' | sed 's/ $//')
members_ok() { local b; for b in $MEMBERS; do [ "$(members_of $b)" = "$want" ] || return 1; done; }
wait_for 10 members_ok && ok "(a) every member's route list names the three links as the prefix's ECMP members" ||
    fail "(a) ECMP members: m1 $(members_of m1); want $want"

# send PHASE BASE N COUNT: N flows of COUNT datagrams from the LAN host.
send() { ip netns exec "$NS_L" python3 "$FLOWS" send 10.3.3.10 10.9.9.1 5000 "$@"; }
# where PHASE N COUNT: per flow, the member that got it (udp_flows.py where).
where() {
	local p=$1; shift
	python3 "$FLOWS" where "$p" "$@" $(for b in $MEMBERS; do echo "$b=$W/$b.flows"; done)
}
# phase PHASE BASE N COUNT: send, then poll until every flow arrived whole
# (5 s); the map, one "FLOW MEMBER" line per flow, in $W/map.PHASE.
phase() {
	local p=$1 base=$2 n=$3 c=$4
	send "$p" "$base" "$n" "$c"
	wait_for 5 where "$p" "$n" "$c" >/dev/null
	where "$p" "$n" "$c" >"$W/map.$p"
}
# share MAP: "m1 N m2 N m3 N", the flows per member.
share() { local b; for b in $MEMBERS; do echo -n "$b $(awk -v b=$b '$2 == b' "$1" | wc -l) "; done; }
bad() { grep -Ev " (m1|m2|m3)$" "$1" | head -5 | tr '\n' ' '; }

# The first datagram of the path: a probe flow until it arrives somewhere.
probe() {
	send "w$1" 39000 1 1
	sleep 0.2
	where "w$1" 1 1 >/dev/null
}
i=0
until probe $i; do
	i=$((i + 1))
	[ $i -lt 40 ] || { fail "(b) no datagram from the LAN host reached a member"; exit 1; }
done

# (b) many flows spread, each whole at one member
phase b 20000 $NFLOWS 3
if [ "$(wc -l <"$W/map.b")" = $NFLOWS ] && [ -z "$(bad "$W/map.b")" ]; then
	ok "(b) $NFLOWS flows x 3 datagrams: each flow whole and in order at one member ($(share "$W/map.b"))"
else
	fail "(b) flows not each at one member: $(bad "$W/map.b") ($(wc -l <"$W/map.b") flows)"
fi
low=
for b in $MEMBERS; do
	[ "$(awk -v b=$b '$2 == b' "$W/map.b" | wc -l)" -ge $((NFLOWS / 10)) ] || low="$low $b"
done
[ -z "$low" ] && ok "(b) every member carries at least 10% of the flows" ||
    fail "(b) members with under 10% of the flows:$low ($(share "$W/map.b"))"

# (c) one flow of 200 datagrams stays on one member, in order
phase c 30000 1 200
m=$(awk '{print $2}' "$W/map.c")
if [ -n "$m" ] && [ -z "$(bad "$W/map.c")" ]; then
	n=$(for b in $MEMBERS; do grep -c "^c 30000 " "$W/$b.flows"; done | tr '\n' ' ')
	ok "(c) one flow, 200 datagrams: all at $m, in order (per member: $n)"
else
	fail "(c) one flow: $(cat "$W/map.c")"
fi

# moved BEFORE AFTER GONE: flows that changed member; GONE's flows must,
# no other may.
moved_ok() {
	local before=$1 after=$2 gone=$3
	join "$before" "$after" | awk -v g="$gone" '
	    $3 == g || ($2 == g && $3 !~ /^m[0-9]$/) { bad++ }
	    $2 != g && $2 != $3 { bad++ }
	    $2 == g && $3 != g { moved++ }
	    END { printf "%d %d\n", moved, bad }'
}
# check_lost TAG PHASE: after member m1 went (TAG says how), phase PHASE.
check_lost() {
	local tag=$1 p=$2 mv
	phase "$p" 20000 $NFLOWS 3
	read -r mv nbad <<<"$(moved_ok "$W/map.b" "$W/map.$p" m1)"
	if [ "$(wc -l <"$W/map.$p")" = $NFLOWS ] && [ -z "$(bad "$W/map.$p")" ] &&
	    [ "$nbad" = 0 ] && [ "$mv" = "$(awk '$2 == "m1"' "$W/map.b" | wc -l)" ]; then
		ok "($tag) m1 gone: its $mv flows moved ($(share "$W/map.$p")), none of the others' did"
	else
		fail "($tag) after m1 went: $mv moved, $nbad wrong; $(bad "$W/map.$p")"
		join "$W/map.b" "$W/map.$p" | awk '$2 != $3' | head -10
	fi
}
# check_back TAG PHASE: m1 is back: every flow where it was in (b).
check_back() {
	local tag=$1 p=$2
	phase "$p" 20000 $NFLOWS 3
	if cmp -s "$W/map.b" "$W/map.$p"; then
		ok "($tag) m1 back: all $NFLOWS flows where they were in (b)"
	else
		fail "($tag) m1 back, but flows differ from (b): $(join "$W/map.b" "$W/map.$p" | awk '$2 != $3' | head -5 | tr '\n' ' ')"
	fi
}

# (d) m1 withdraws the prefix, then announces it again
birdc -s "$W/m1/bird.ctl" disable branch_lan >/dev/null 2>&1
wait_for 10 learned_is m1 0 || fail "(d) m1's withdrawal not seen: learned $(learned m1)"
check_lost d d1
birdc -s "$W/m1/bird.ctl" enable branch_lan >/dev/null 2>&1
wait_for 10 learned_is m1 1 || fail "(d) m1's announcement not seen: learned $(learned m1)"
check_back d d2

# (e) m1's tunnel goes (IKE DELETE), then comes back
sw1() { swanctl "$@" --uri "unix://$W/m1/charon.vici"; }
CONN1=$(awk '/^  bg-[^ ]+ \{$/ { print $1; exit }' "$W/m1/swanctl.conf")
sw1 --terminate --ike "$CONN1" --timeout 5 >/dev/null 2>&1
wait_for 10 learned_is m1 0 || fail "(e) m1's routes stayed after its tunnel went: learned $(learned m1)"
check_lost e e1
[ "$(cat "$W/map.d1")" = "$(cat "$W/map.e1")" ] &&
    ok "(e) m1's flows moved to the same members as in (d)" ||
    fail "(e) m1's flows moved elsewhere than in (d)"
sw1 --initiate --child "$CONN1" --timeout 15 >/dev/null 2>&1
# BIRD would reconnect by itself only after its next keepalive meets the
# closed socket and its error wait time (30 s to over a minute): restart its
# session over the new tunnel instead, as test_esp_strongswan (g) waits out.
birdc -s "$W/m1/bird.ctl" restart gateway_z1 >/dev/null 2>&1
wait_for 40 learned_is m1 1 || fail "(e) m1's session did not come back: $(status m1)"
check_back e e2

kill -0 "$DPID" 2>/dev/null || fail "branchgated died"
grep -E "AddressSanitizer|runtime error" "$W/daemon.log" && fail "sanitizer report in the daemon log"
exit $RC
