#!/bin/bash
# test_esp_strongswan.sh - branchgated's ESP data plane against strongSwan
# 5.9 branches (charon + kernel-libipsec, userspace ESP over TUN ipsec0),
# configured with the swanctl.conf branchgate generated (plus encap = yes:
# kernel-libipsec sends and receives ESP over charon's UDP sockets only,
# raw ESP being optional from strongSwan 5.9.11 (docs.strongswan.org,
# kernel-libipsec plugin); Debian 12 has 5.9.8. encap = yes fakes NAT
# detection, so branchgated uses ESP in UDP too; its raw ESP path is
# covered by test_cpe_role.sh and test_esp_hostile.sh).
#
#   bgesp-N-b1: charon 192.0.2.1 ==veth== 192.0.2.2 :bgesp-N-gw  branchgated
#   bgesp-N-b2: charon 198.51.100.1 ==veth== 198.51.100.2 :gw    (tenants A, B)
#   bgesp-N-in: 203.0.113.2 ==veth== 203.0.113.1 :gw (egress SNAT address)
#   bgesp-N-l1: LAN host 10.1.1.10 ==veth== 10.1.1.1 :b1 (forwards; BIRD)
#
# Both tenants have identical links: gateway BGP 10.255.0.1, CPE BGP
# 10.1.0.1. Checks: (a) ping of the gateway BGP address through the tunnel
# (ESP in -> tenant TUN -> kernel -> TUN -> LPM -> ESP out); (b) ping and
# HTTP to the internet host through the egress SNAT; (c) iperf3 TCP 10 s;
# (d) the second tenant passes traffic too and neither tenant's TUN sees
# the other's packets; (e) a CHILD rekey under ping -i 0.05 loses nothing;
# (f) per-SA counters in the log on SIGHUP; (g) BGP: BIRD on b1, fed the
# bird.conf cpeConfiguration generates (lan=10.1.1.0/24), peers with the
# gateway over the tunnel; the gateway learns the LAN (status: established,
# 1 learned prefix; kernel route in the tenant namespace only), the LAN
# host pings, fetches HTTP and runs iperf3 TCP 10 s to the internet host
# through the tunnel and egress SNAT (and cannot before BGP); Internet
# Access assigned -> the gateway advertises 0.0.0.0/0 and BIRD has it;
# the announcement withdrawn -> route gone, LAN unreachable; BIRD stopped
# -> session down, bgpConnected/bgpDisconnected health events; (h) a
# hostile BGP peer on b2: a second connection gets Cease 6/7, garbage gets a
# NOTIFICATION and a close, the status says so; a changed asn remakes the
# session without a restart; (i) FRR 8 replaces BIRD on b1, fed the
# frr.conf cpeConfiguration generates: LAN learned, Internet Access and
# Microsoft 365 routes in and out, BFD (bfdd, multihop) and a silent
# tunnel; (j) a hostile ExaBGP on b2: RFC 7606 cases, a prefix flood.
# Exit 77
# (skip) only without root or without the tools; bird missing is a failure.
set -u

SRC=${BG_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/interop/lib.sh"
BIN=${BG_BINDIR:-$SRC/build}/bin
CHARON=/usr/lib/ipsec/charon

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip unshare swanctl ping curl python3; do command -v $t >/dev/null || skip "$t missing"; done
[ -x "$CHARON" ] || skip "$CHARON missing"
# scripts/deps.sh installs iperf3: its absence is a failure, not a skip.
HAVE_IPERF=1
command -v iperf3 >/dev/null || HAVE_IPERF=0
HAVE_BIRD=1
command -v bird >/dev/null && command -v birdc >/dev/null || HAVE_BIRD=0
HAVE_EXABGP=1
command -v exabgp >/dev/null || HAVE_EXABGP=0
HAVE_GOBGP=1
{ command -v gobgpd && command -v gobgp; } >/dev/null || HAVE_GOBGP=0
HAVE_FRR=1
{ command -v vtysh && [ -x /usr/lib/frr/bgpd ] && [ -x /usr/lib/frr/bfdd ]; } >/dev/null || HAVE_FRR=0

W=$(mktemp -d "${TMPDIR:-/tmp}/bgtest-esp-$$.XXXXXX")
NS_G=bgesp-$$-gw
NS_I=bgesp-$$-in
NS_B1=bgesp-$$-b1
NS_B2=bgesp-$$-b2
NS_L1=bgesp-$$-l1
PFX=be$$-
API=127.0.0.1:18081
RC=0
DPID=
PIDS=

cleanup() {
	for b in b1 b2; do
		[ -s "$W/$b/run/charon.pid" ] && kill "$(cat "$W/$b/run/charon.pid")" 2>/dev/null
	done
	[ -s "$W/b1/bird.pid" ] && kill "$(cat "$W/b1/bird.pid")" 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	sleep 0.3
	for n in "$NS_B1" "$NS_B2" "$NS_I" "$NS_G" "$NS_L1"; do ip netns del "$n" 2>/dev/null; done
	# The daemon removes its tenant namespaces; be sure after a crash.
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX"); do ip netns del "$n"; done
	if [ "$RC" != 0 ]; then
		echo "--- branchgated log (tail)"; tail -80 "$W/daemon.log"
		for b in b1 b2; do echo "--- charon $b log (tail)"; tail -30 "$W/$b/charon.log" 2>/dev/null; done
		echo "--- bird b1 log (tail)"; tail -30 "$W/b1/bird.log" 2>/dev/null
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*"; RC=1; }
ok() { echo "ok   $*"; }

for n in "$NS_G" "$NS_I" "$NS_B1" "$NS_B2" "$NS_L1"; do
	ip netns add "$n" || { echo "FAIL: netns $n"; exit 1; }
	ip -n "$n" link set lo up
done
ip link add bgb1 netns "$NS_B1" type veth peer name bgg1 netns "$NS_G"
ip link add bgb2 netns "$NS_B2" type veth peer name bgg2 netns "$NS_G"
ip link add bgi0 netns "$NS_I" type veth peer name bggi netns "$NS_G"
ip -n "$NS_B1" addr add 192.0.2.1/24 dev bgb1
ip -n "$NS_G" addr add 192.0.2.2/24 dev bgg1
ip -n "$NS_B2" addr add 198.51.100.1/24 dev bgb2
ip -n "$NS_G" addr add 198.51.100.2/24 dev bgg2
ip -n "$NS_I" addr add 203.0.113.2/24 dev bgi0
ip -n "$NS_G" addr add 203.0.113.1/24 dev bggi
for l in "$NS_B1 bgb1" "$NS_B2 bgb2" "$NS_I bgi0" "$NS_G bgg1" "$NS_G bgg2" "$NS_G bggi"; do
	set -- $l; ip -n "$1" link set "$2" up
done
ip -n "$NS_B2" route add 192.0.2.0/24 via 198.51.100.2
# The LAN behind branch b1: the branch routes it, nothing else knows it.
ip link add bgl1 netns "$NS_L1" type veth peer name bgb1l netns "$NS_B1"
ip -n "$NS_L1" addr add 10.1.1.10/24 dev bgl1
ip -n "$NS_B1" addr add 10.1.1.1/24 dev bgb1l
ip -n "$NS_L1" link set bgl1 up
ip -n "$NS_B1" link set bgb1l up
ip -n "$NS_L1" route add default via 10.1.1.1
ip netns exec "$NS_B1" sysctl -qw net.ipv4.ip_forward=1

# --- the gateway ----------------------------------------------------------
DB=sqlite:$W/bg.db
"$BIN/branchgate" tenant create tenant-a --db "$DB" >"$W/ta.json" || exit 1
"$BIN/branchgate" tenant create tenant-b --db "$DB" >"$W/tb.json" || exit 1
tok() { sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$1"; }
tid() { sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' "$1"; }
TOK_A=$(tok "$W/ta.json"); TOK_B=$(tok "$W/tb.json")
ip netns exec "$NS_G" "$BIN/branchgated" --db "$DB" --api "$API" \
    --endpoint 1=192.0.2.2 --netns-prefix "$PFX" --egress 203.0.113.1 --alive-interval 10 \
    --esp-workers 2 --log-level debug >"$W/daemon.log" 2>&1 &
DPID=$!
for _ in $(seq 100); do grep -q "API listening" "$W/daemon.log" && break; sleep 0.1; done
grep -q "API listening" "$W/daemon.log" || { fail "branchgated did not start"; exit 1; }

bg() { local t=$1; shift; ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$t" "$BIN/branchgate" "$@"; }
printf '%s\n' 'esp-interop-psk-0123456789' >"$W/psk"

SS_RN_PREFIX="ESP branch"
setup_branch() { ss_branch "$@"; }

setup_branch b1 "$NS_B1" "$TOK_A" 192.0.2.1 || exit 1
setup_branch b2 "$NS_B2" "$TOK_B" 198.51.100.1 || exit 1
# The data path forwards internet traffic only for remote networks with
# Internet Access assigned (docs/policy.md): both get it here; (g) takes
# it away and gives it back.
iprof() { ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $1" "http://$API/networkAccess/forwardingProfiles" |
    python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin)["value"] if p["trafficForwardingType"] == "internet"][0])'; }
IPROF=$(iprof "$TOK_A"); IPROF_B=$(iprof "$TOK_B")
bg "$TOK_A" rn assign "$(cat "$W/b1.rn")" "$IPROF" >/dev/null || fail "rn assign internet (tenant A)"
bg "$TOK_B" rn assign "$(cat "$W/b2.rn")" "$IPROF_B" >/dev/null || fail "rn assign internet (tenant B)"

# Tenant namespaces, by tenant id (the log names them). The daemon runs
# under ip netns exec: its /run/netns mounts live in its mount namespace.
tns() { sed -n "s/.*gw: tenant $1: network \([^ ]*\).*/\1/p" "$W/daemon.log" | tail -1; }
NS_TA=$(tns "$(tid "$W/ta.json")"); NS_TB=$(tns "$(tid "$W/tb.json")")
[ -n "$NS_TA" ] && [ -n "$NS_TB" ] && [ "$NS_TA" != "$NS_TB" ] &&
    ok "tenant networks $NS_TA, $NS_TB" || fail "tenant networks ($NS_TA, $NS_TB)"
tun_rx() { nsenter -t "$DPID" -m ip -n "$1" -s link show tun0 >"$W/tunrx.txt" 2>&1; awk '/RX:/ { getline; print $2; exit }' "$W/tunrx.txt"; }

# (a) the gateway's BGP address through the tunnel
out=$(ip netns exec "$NS_B1" ping -c 5 -i 0.2 -W 2 -I 10.1.0.1 10.255.0.1 2>&1)
echo "$out" | grep -q " 0% packet loss" && ok "(a) b1 pings gateway BGP 10.255.0.1: $(echo "$out" | tail -1)" ||
    fail "(a) ping 10.255.0.1: $out"

# (b) internet through the egress SNAT: ping and HTTP
mkdir -p "$W/www" && echo "hello from the internet" >"$W/www/index.html"
ip netns exec "$NS_I" python3 -m http.server 8080 --bind 203.0.113.2 --directory "$W/www" >/dev/null 2>&1 &
PIDS="$PIDS $!"
out=$(ip netns exec "$NS_B1" ping -c 5 -i 0.2 -W 2 -I 10.1.0.1 203.0.113.2 2>&1)
echo "$out" | grep -q " 0% packet loss" && ok "(b) b1 pings internet host 203.0.113.2" ||
    fail "(b) ping 203.0.113.2: $out"
for _ in $(seq 20); do ip netns exec "$NS_I" ss -ltn | grep -q 203.0.113.2:8080 && break; sleep 0.1; done
body=$(ip netns exec "$NS_B1" curl -s --max-time 10 --interface 10.1.0.1 http://203.0.113.2:8080/index.html)
[ "$body" = "hello from the internet" ] && ok "(b) b1 HTTP GET to the internet host through the tunnel" ||
    fail "(b) HTTP through the tunnel: '$body'"

# (c) iperf3 TCP 10 s
if [ "$HAVE_IPERF" = 1 ]; then
	iperf_tcp "$NS_B1" "$W/iperf.json" -B 10.1.0.1
	[ -n "$MBPS" ] && ok "(c) iperf3 TCP 10 s branch -> internet through the tunnel: $MBPS Mbit/s" ||
	    fail "(c) iperf3: $(tail -5 "$W/iperf.json")"
else
	fail "(c) iperf3 not installed (scripts/deps.sh installs it)"
fi

# (d) tenant B with the same addresses; no packet crosses tenants
a0=$(tun_rx "$NS_TA"); b0=$(tun_rx "$NS_TB")
[ -n "$a0" ] || { echo "tun0 counters: $(cat "$W/tunrx.txt")"; }
out=$(ip netns exec "$NS_B2" ping -c 10 -i 0.1 -W 2 -I 10.1.0.1 10.255.0.1 2>&1)
echo "$out" | grep -q " 0% packet loss" && ok "(d) b2 (tenant B, same addresses) pings 10.255.0.1" ||
    fail "(d) b2 ping 10.255.0.1: $out"
out=$(ip netns exec "$NS_B2" ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 203.0.113.2 2>&1)
echo "$out" | grep -q " 0% packet loss" && ok "(d) b2 pings the internet host" || fail "(d) b2 ping internet: $out"
a1=$(tun_rx "$NS_TA"); b1=$(tun_rx "$NS_TB")
[ $((b1 - b0)) -ge 13 ] && [ "$a1" = "$a0" ] &&
    ok "(d) tenant B's TUN got $((b1 - b0)) packets, tenant A's $((a1 - a0))" ||
    fail "(d) isolation: tenant A TUN rx $a0 -> $a1, tenant B $b0 -> $b1"
a0=$(tun_rx "$NS_TA"); b0=$(tun_rx "$NS_TB")
[ -n "$a0" ] || { echo "tun0 counters: $(cat "$W/tunrx.txt")"; }
ip netns exec "$NS_B1" ping -c 10 -i 0.1 -W 2 -I 10.1.0.1 10.255.0.1 >/dev/null 2>&1
a1=$(tun_rx "$NS_TA"); b1=$(tun_rx "$NS_TB")
[ $((a1 - a0)) -ge 10 ] && [ "$b1" = "$b0" ] &&
    ok "(d) and back: tenant A's TUN got $((a1 - a0)), tenant B's $((b1 - b0))" ||
    fail "(d) isolation: tenant A TUN rx $a0 -> $a1, tenant B $b0 -> $b1"

# (e) CHILD rekey under a continuous ping: no loss
C1=$W/b1
name=$(awk '/^  bg-[^ ]+ \{$/ { print $1; exit }' "$C1/swanctl.conf")
spi0=$(swanctl --list-sas --uri "unix://$C1/charon.vici" | awk '$1 == "in" { sub(",", "", $2); print $2; exit }')
ip netns exec "$NS_B1" ping -i 0.05 -c 160 -W 2 -I 10.1.0.1 10.255.0.1 >"$W/rekey-ping.txt" 2>&1 &
PING=$!
sleep 2
swanctl --rekey --child "$name" --uri "unix://$C1/charon.vici" >/dev/null 2>&1
wait "$PING"
spi1=$(swanctl --list-sas --uri "unix://$C1/charon.vici" | awk '$1 == "in" { sub(",", "", $2); print $2; exit }')
loss=$(grep -o '[0-9.]*% packet loss' "$W/rekey-ping.txt")
if [ "$spi0" != "$spi1" ] && [ "$loss" = "0% packet loss" ]; then
	ok "(e) CHILD rekey ($spi0 -> $spi1) under ping -i 0.05: $(grep 'packets transmitted' "$W/rekey-ping.txt")"
else
	fail "(e) rekey: SPI $spi0 -> $spi1, $(grep 'packets transmitted' "$W/rekey-ping.txt")"
fi
out=$(ip netns exec "$NS_B1" ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.255.0.1 2>&1)
echo "$out" | grep -q " 0% packet loss" && ok "(e) traffic on the new SA after the old one lingered" ||
    fail "(e) after rekey: $out"

# Garbage on 4500 (unknown SPI, runts, keepalive, an IKE-marked runt):
# dropped and counted, the tunnel keeps working.
ip netns exec "$NS_B1" python3 - <<'EOP'
import os, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dst = ("192.0.2.2", 4500)
for i in range(50):
    s.sendto(struct.pack("!II", 0xdead0000 + i, 1) + os.urandom(100), dst)
for p in (b"\xff", b"\x01\x02", b"\x00\x00\x00\x00", b"\x01\x02\x03\x04\x05"):
    s.sendto(p, dst)
EOP
sleep 0.3
out=$(ip netns exec "$NS_B1" ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.255.0.1 2>&1)
echo "$out" | grep -q " 0% packet loss" && ok "hostile datagrams on 4500: tunnel still works" ||
    fail "after hostile datagrams: $out"

# (f) counters on SIGHUP
kill -HUP "$DPID"
sleep 0.5
grep -E "esp: link .* sa in 0x" "$W/daemon.log" | tail -3 | sed 's/^/     /'
grep -E "esp: workers rx" "$W/daemon.log" | tail -1 | sed 's/^/     /'
grep -Eq "esp: link .* in [1-9][0-9]* pkts" "$W/daemon.log" && ok "(f) per-SA ESP counters logged on SIGHUP" ||
    fail "(f) no per-SA counters in the log"
sleep 1	# the gateway refreshes the status once a second
st=$(ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOK_A" \
    "http://$API/networkAccess/connectivity/remoteNetworks/$(cat "$W/b1.rn")/deviceLinks/$(cat "$W/b1.link")/status")
echo "     status: $st" | tr -d '\n' | cut -c1-400; echo
echo "$st" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["tunnelState"] == "connected" and d["esp"]["inboundPackets"] > 0 and d["esp"]["outboundPackets"] > 0, d' &&
    ok "(f) GET .../deviceLinks/{id}/status: connected, ESP counters" || fail "(f) status API: $st"
n=$(grep -Eo "unknown-spi [0-9]+" "$W/daemon.log" | tail -1 | cut -d' ' -f2)
[ "${n:-0}" -ge 50 ] && ok "hostile: $n unknown-SPI datagrams counted" || fail "hostile: unknown-spi counter ${n:-none}"

# (g) BGP from a BIRD branch router: the LAN behind b1 through the tunnel.
RN1=$(cat "$W/b1.rn"); LK1=$(cat "$W/b1.link")
status1() { ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOK_A" \
    "http://$API/networkAccess/connectivity/remoteNetworks/$RN1/deviceLinks/$LK1/status"; }
# bgpq EXPR: a Python expression over b (the status "bgp" object) is true.
bgpq() { status1 | python3 -c 'import json,sys; b=json.load(sys.stdin).get("bgp"); sys.exit(0 if b and ('"$1"') else 1)' 2>/dev/null; }
waitbgp() { for _ in $(seq "$2"); do bgpq "$1" && return 0; sleep 0.25; done; return 1; }
# reason1 CODE: the status's health.reason becomes CODE (refresh: 1 s).
reason1() {
	local r
	for _ in $(seq 16); do
		r=$(status1 | python3 -c 'import json,sys; h=json.load(sys.stdin)["health"]; print(h["reason"] + ": " + h["detail"])' 2>/dev/null)
		case $r in "$1: "*) echo "$r"; return 0 ;; esac
		sleep 0.25
	done
	echo "$r"; return 1
}
tenant_route() { nsenter -t "$DPID" -m ip -n "$1" route show 10.1.1.0/24 2>/dev/null; }
# silent_tunnel: b1 drops its IKE and ESP (UDP 4500) both ways, nothing
# deleted, until tenant A's LAN route goes (5 s at most); sets t0, t1 (ns).
silent_tunnel() {
	ip netns exec "$NS_B1" nft -f - <<'NFT'
table ip bgblackhole {
  chain o { type filter hook output priority 0; udp dport 4500 drop; udp sport 4500 drop; }
  chain i { type filter hook input priority 0; udp dport 4500 drop; udp sport 4500 drop; }
}
NFT
	t0=$(date +%s%N)
	for _ in $(seq 100); do [ -z "$(tenant_route "$NS_TA")" ] && break; sleep 0.05; done
	t1=$(date +%s%N)
	ip netns exec "$NS_B1" nft delete table ip bgblackhole
}
lan_ping() { ip netns exec "$NS_L1" ping -c "$1" -i 0.2 -W 1 203.0.113.2 2>&1; }
BC=$W/b1
bgpq 'b["state"] == "active" and b["peerAddress"] == "10.1.0.1" and b["localAddress"] == "10.255.0.1"' &&
    ok "(g) before BIRD: the gateway's session waits (active) for 10.1.0.1 on 10.255.0.1" ||
    fail "(g) status before BIRD: $(status1)"
r=$(reason1 bgpDown) && ok "(g) health before BIRD: $r" || fail "(g) health before BIRD: $r"
out=$(lan_ping 3)
echo "$out" | grep -q " 0 received" && ok "(g) before BGP the LAN host cannot reach the internet host (no route back)" ||
    fail "(g) LAN reachable without BGP: $out"
if [ "$HAVE_BIRD" = 1 ]; then
	bg "$TOK_A" cpe-config "$RN1" "$LK1" --format bird --lan 10.1.1.0/24 -o "$BC/bird.conf" ||
	    fail "(g) cpe-config --format bird"
	grep -q "route 10.1.1.0/24 blackhole" "$BC/bird.conf" || fail "(g) bird.conf does not originate the LAN"
	ip netns exec "$NS_B1" bird -f -c "$BC/bird.conf" -s "$BC/bird.ctl" -P "$BC/bird.pid" >"$BC/bird.log" 2>&1 &
	BIRD=$!
	PIDS="$PIDS $BIRD"
	if waitbgp 'b["state"] == "established" and b["learnedPrefixes"] == 1 and b["receivedPrefixes"] == 1' 120; then
		ok "(g) BIRD peered through the tunnel: $(status1 | python3 -c 'import json,sys; b=json.load(sys.stdin)["bgp"]; print("state %s, learned %d, advertised %d, peer AS %d" % (b["state"], b["learnedPrefixes"], b["advertisedPrefixes"], b["peerAsn"]))')"
	else
		fail "(g) no established session with 1 learned prefix: $(status1); bird: $(birdc -s "$BC/bird.ctl" show protocols 2>&1 | tail -3)"
	fi
	bg "$TOK_A" rn unassign "$RN1" "$IPROF" >/dev/null || fail "(g) rn unassign internet"
	r=$(reason1 noProfile) && ok "(g) health with routes but no profile: $r" || fail "(g) health, no profile: $r"
	r=$(tenant_route "$NS_TA")
	echo "$r" | grep -q "dev tun0" && ok "(g) tenant A's namespace routes 10.1.1.0/24 into tun0" ||
	    fail "(g) no 10.1.1.0/24 route in $NS_TA: '$r'"
	[ -z "$(tenant_route "$NS_TB")" ] && ok "(g) tenant B's namespace has no such route" ||
	    fail "(g) tenant B got tenant A's route: $(tenant_route "$NS_TB")"
	out=$(lan_ping 3)
	echo "$out" | grep -q " 0 received" &&
	    ok "(g) routed, but no profile assigned: the LAN's internet traffic is not forwarded" ||
	    fail "(g) internet traffic forwarded without a profile: $out"
	# Internet Access assigned to the remote network: 0.0.0.0/0 goes out.
	bg "$TOK_A" rn assign "$RN1" "$IPROF" >/dev/null || fail "(g) rn assign internet profile"
	for _ in $(seq 20); do lan_ping 1 | grep -q " 0% packet loss" && break; sleep 0.1; done
	lan_checks "$NS_L1" "through the tunnel and egress SNAT"
	if waitbgp 'b["advertisedPrefixes"] == 1' 40; then
		# BIRD 2: "0.0.0.0/0  unicast [gateway_z1 ... from 10.255.0.1] * (100/?) [AS65476i]"
		bird_default() { birdc -s "$BC/bird.ctl" show route 0.0.0.0/0 2>/dev/null | grep -q "0.0.0.0/0 .*\[gateway_z1 .*from 10.255.0.1\]"; }
		for _ in $(seq 20); do bird_default && break; sleep 0.25; done
		bird_default &&
		    ok "(g) Internet Access assigned: the gateway advertises 0.0.0.0/0, BIRD learned it" ||
		    fail "(g) BIRD has no default route: $(birdc -s "$BC/bird.ctl" show route 2>&1 | tail -5)"
	else
		fail "(g) advertised count after assigning Internet Access: $(status1)"
	fi
	r=$(reason1 ok) && ok "(g) health with Internet Access: $r" || fail "(g) health with a profile: $r"
	# The default route carries the Internet Access community (ASN:1).
	birdc -s "$BC/bird.ctl" show route 0.0.0.0/0 all 2>/dev/null | grep -q "BGP.community: (65476,1)" &&
	    ok "(g) 0.0.0.0/0 carries community (65476,1)" ||
	    fail "(g) no Internet Access community: $(birdc -s "$BC/bird.ctl" show route 0.0.0.0/0 all 2>&1 | tail -8)"
	# Microsoft 365 assigned too: its aggregated subnets, marked ASN:365,
	# beside the default route; the session is not reset.
	MPROF=$(ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOK_A" "http://$API/networkAccess/forwardingProfiles" |
	    python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin)["value"] if p["trafficForwardingType"] == "m365"][0])')
	est0=$(status1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["bgp"]["establishedDateTime"])')
	bg "$TOK_A" rn assign "$RN1" "$MPROF" >/dev/null || fail "(g) rn assign m365 profile"
	m365_routes() { birdc -s "$BC/bird.ctl" show route protocol gateway_z1 where '(65476,365) ~ bgp_community' count 2>/dev/null |
	    sed -n 's/^\([0-9][0-9]*\) of .*/\1/p'; }
	for _ in $(seq 40); do [ "${NM:-0}" -gt 10 ] 2>/dev/null && break; NM=$(m365_routes); sleep 0.25; done
	if [ "${NM:-0}" -gt 10 ] && birdc -s "$BC/bird.ctl" show route for 13.107.6.152 2>/dev/null | grep -q "gateway_z1" && bird_default; then
		ok "(g) Microsoft 365 assigned: BIRD learned $NM routes with community (65476,365), the default route stays"
	else
		fail "(g) Microsoft 365 routes: ${NM:-none}; $(birdc -s "$BC/bird.ctl" show route protocol gateway_z1 2>&1 | head -5)"
	fi
	est1=$(status1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["bgp"]["establishedDateTime"])')
	[ "$est0" = "$est1" ] && ok "(g) the session was not reset by the profile change" ||
	    fail "(g) session reset by a profile change ($est0 -> $est1)"
	bg "$TOK_A" rn unassign "$RN1" "$MPROF" >/dev/null || fail "(g) rn unassign m365"
	for _ in $(seq 40); do NM=$(m365_routes); [ "${NM:-1}" = 0 ] && break; sleep 0.25; done
	[ "${NM:-1}" = 0 ] && bird_default && ok "(g) Microsoft 365 unassigned: its routes withdrawn, the default stays" ||
	    fail "(g) after unassigning Microsoft 365: ${NM:-?} routes left"
	bg "$TOK_A" rn unassign "$RN1" "$IPROF" >/dev/null || fail "(g) rn unassign"
	waitbgp 'b["advertisedPrefixes"] == 0' 40 && ok "(g) unassigned: nothing advertised" ||
	    fail "(g) advertised after unassign: $(status1)"
	bg "$TOK_A" rn assign "$RN1" "$IPROF" >/dev/null || fail "(g) rn assign internet again"
	# The branch withdraws its LAN: the route goes, the LAN is cut off.
	birdc -s "$BC/bird.ctl" disable branch_lan >/dev/null 2>&1
	if waitbgp 'b["state"] == "established" and b["learnedPrefixes"] == 0' 40; then
		ok "(g) withdraw: learned prefixes 0, session still established"
	else
		fail "(g) after withdraw: $(status1)"
	fi
	r=$(reason1 noRoutesAccepted) && ok "(g) health after the withdrawal: $r" || fail "(g) health after withdraw: $r"
	[ -z "$(tenant_route "$NS_TA")" ] && ok "(g) withdraw: 10.1.1.0/24 left tenant A's namespace" ||
	    fail "(g) route left behind: $(tenant_route "$NS_TA")"
	out=$(lan_ping 3)
	echo "$out" | grep -q " 0 received" && ok "(g) withdraw: the LAN host is unreachable again" ||
	    fail "(g) LAN still reachable after withdraw: $out"
	birdc -s "$BC/bird.ctl" enable branch_lan >/dev/null 2>&1
	waitbgp 'b["learnedPrefixes"] == 1' 40 && out=$(lan_ping 3)
	echo "$out" | grep -q " 0% packet loss" && ok "(g) re-announced: LAN reachable again" ||
	    fail "(g) after re-announce: $(status1) $out"
	# BFD (RFC 5883, from the generated bird.conf): the tunnel goes silent
	# (ESP and IKE dropped at the branch, nothing deleted): the gateway's
	# BFD notices within its detection time (3 x 300 ms) and the LAN route
	# goes, where BGP alone would wait the 90 s hold time.
	if waitbgp 'b["bfd"] and b["bfd"]["state"] == "up"' 40; then
		ok "(g) BFD up with BIRD: $(status1 | python3 -c 'import json,sys; f=json.load(sys.stdin)["bgp"]["bfd"]; print("detection %d ms, tx every %d ms" % (f["detectionTimeMs"], f["transmitIntervalMs"]))')"
		silent_tunnel
		if [ -z "$(tenant_route "$NS_TA")" ]; then
			ok "(g) silent tunnel: BFD took BGP and 10.1.1.0/24 down after $(( (t1 - t0) / 1000000 )) ms"
		else
			fail "(g) silent tunnel: route still there after $(( (t1 - t0) / 1000000 )) ms: $(status1)"
		fi
		waitbgp 'b["state"] == "established" and b["learnedPrefixes"] == 1 and b["bfd"]["state"] == "up"' 240 &&
		    ok "(g) the path is back: BFD up, BGP established again, LAN routed" ||
		    fail "(g) after the silent tunnel came back: $(status1)"
	else
		fail "(g) no BFD session with BIRD: $(status1); $(birdc -s "$BC/bird.ctl" show bfd sessions 2>&1 | tail -3)"
	fi
	# The branch deletes its IKE SA: the BGP session it carried ends with it
	# and the LAN route leaves at once, not after the 90 s hold time.
	sw1() { swanctl "$@" --uri "unix://$W/b1/charon.vici"; }
	CONN1=$(awk '/^  bg-[^ ]+ \{$/ { print $1; exit }' "$W/b1/swanctl.conf")
	t0=$(date +%s%N)
	term=$(sw1 --terminate --ike "$CONN1" --timeout 5 2>&1)
	for _ in $(seq 100); do [ -z "$(tenant_route "$NS_TA")" ] && break; sleep 0.1; done
	t1=$(date +%s%N)
	# The status endpoint refreshes each second: give it two. Which of the
	# two paths sees it first is timing: the IKE DELETE ("IPsec tunnel
	# down"), or BFD when strongSwan deletes the CHILD SA first and the
	# BFD packets stop ("BFD down"). Either ends the session at once.
	if [ -z "$(tenant_route "$NS_TA")" ] &&
	    waitbgp 'b["state"] == "active" and b["learnedPrefixes"] == 0 and (b["lastError"].startswith("path to the peer down: IPsec tunnel down") or b["lastError"].startswith("path to the peer down: BFD down"))' 8; then
		ok "(g) IKE SA deleted: BGP down and 10.1.1.0/24 withdrawn after $(( (t1 - t0) / 1000000 )) ms ($(status1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["bgp"]["lastError"])'))"
	else
		fail "(g) after the IKE SA was deleted ($CONN1: $term): route '$(tenant_route "$NS_TA")', $(status1)"
	fi
	# Back up: a new tunnel, BIRD's next keepalive meets a closed socket
	# (RST), BIRD reconnects and the LAN is routed again.
	sw1 --initiate --child "$CONN1" --timeout 15 >/dev/null 2>&1
	waitbgp 'b["state"] == "established" and b["learnedPrefixes"] == 1' 400 &&
	    ok "(g) new tunnel: BGP established again, LAN routed" ||
	    fail "(g) no BGP after the tunnel came back: $(status1)"
	# BIRD stops: Cease, session down, routes flushed, health events.
	kill "$BIRD"; wait "$BIRD" 2>/dev/null
	if waitbgp 'b["state"] != "established" and b["learnedPrefixes"] == 0 and b["lastError"]' 40; then
		ok "(g) BIRD stopped: session $(status1 | python3 -c 'import json,sys; b=json.load(sys.stdin)["bgp"]; print("%s, last error: %s" % (b["state"], b["lastError"]))')"
	else
		fail "(g) after BIRD stopped: $(status1)"
	fi
	[ -z "$(tenant_route "$NS_TA")" ] || fail "(g) route left after the session went down"
	ev=$(ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOK_A" "http://$API/networkAccess/logs/remoteNetworks?\$top=100")
	echo "$ev" | python3 -c 'import json,sys; s=[e["status"] for e in json.load(sys.stdin)["value"]]; assert s.count("bgpConnected") >= 1 and s.count("bgpDisconnected") >= 1, s' &&
	    ok "(g) health events: bgpConnected and bgpDisconnected" || fail "(g) health events: $ev"
	# remoteNetworkAlive every --alive-interval (10 s here) per live tunnel,
	# with the bytes since the previous one (system-facts §2.5).
	echo "$ev" | python3 -c '
import json, sys
a = [e for e in json.load(sys.stdin)["value"] if e["status"] == "remoteNetworkAlive"]
assert a, "no remoteNetworkAlive event"
assert all(e["sourceIp"] == "192.0.2.1" and e["destinationIp"] == "192.0.2.2" for e in a), a
assert any(e["sentBytes"] > 0 and e["receivedBytes"] > 0 for e in a), a
assert any(e["bgpRoutesAdvertisedCount"] == 1 for e in a), a
print("%d events, %d bytes from the branch in all" % (len(a), sum(e["sentBytes"] for e in a)))
' >"$W/alive.txt" 2>&1 && ok "(g) remoteNetworkAlive: $(cat "$W/alive.txt")" || fail "(g) remoteNetworkAlive: $(tail -2 "$W/alive.txt")"
else
	fail "(g) bird not installed (scripts/deps.sh installs bird2)"
fi

# (i) FRR 8 as the branch speaker on b1 instead of BIRD, configured only
# from the frr.conf cpeConfiguration generates: each FRR daemon (zebra,
# staticd, bfdd, bgpd) gets its part of the file, as vtysh -b would hand it
# out. Checks: the gateway learns the LAN; Internet Access -> 0.0.0.0/0;
# Microsoft 365 too -> its subnets beside the default; each removed ->
# withdrawn; BFD up with bfdd, and a silent tunnel ends the session fast.
FRR=/usr/lib/frr
if [ "$HAVE_FRR" = 1 ]; then
	FD=$W/frr; mkdir -p "$FD"; chmod 755 "$W" "$FD"; chown frr:frr "$FD"	# the daemons run as frr
	bg "$TOK_A" cpe-config "$RN1" "$LK1" --format frr --lan 10.1.1.0/24 -o "$FD/frr.conf" ||
	    fail "(i) cpe-config --format frr"
	grep -q "neighbor 10.255.0.1 bfd profile BG-GATEWAY" "$FD/frr.conf" || fail "(i) frr.conf has no BFD"
	# The parts: bfd { ... exit } to bfdd, ip route to staticd, the rest to bgpd.
	awk '/^bfd$/ { b = 1 } !b && !/^ip route / { print } b && /^exit$/ { b = 0 }' "$FD/frr.conf" >"$FD/bgpd.conf"
	awk '/^bfd$/ { b = 1 } b || /^(!|frr defaults )/ { print } b && /^exit$/ { b = 0 }' "$FD/frr.conf" >"$FD/bfdd.conf"
	grep -E '^(!|frr defaults |ip route )' "$FD/frr.conf" >"$FD/staticd.conf"
	grep -E '^(!|frr defaults )' "$FD/frr.conf" >"$FD/zebra.conf"
	chmod 644 "$FD"/*.conf
	for d in zebra staticd bfdd bgpd; do
		ip netns exec "$NS_B1" "$FRR/$d" -f "$FD/$d.conf" -i "$FD/$d.pid" --vty_socket "$FD" \
		    -z "$FD/zserv.api" >"$FD/$d.log" 2>&1 &
		PIDS="$PIDS $!"
		[ "$d" = zebra ] && for _ in $(seq 50); do [ -S "$FD/zserv.api" ] && break; sleep 0.1; done
	done
	vty() { ip netns exec "$NS_B1" vtysh --vty_socket "$FD" -c "$1" 2>/dev/null; }
	# frr_q CMD EXPR: the JSON of vtysh CMD satisfies the Python EXPR over j.
	frr_q() { vty "$1" | python3 -c 'import json,sys; j=json.load(sys.stdin); sys.exit(0 if ('"$2"') else 1)' 2>/dev/null; }
	frr_wait() { for _ in $(seq "$3"); do frr_q "$1" "$2" && return 0; sleep 0.25; done; return 1; }
	if waitbgp 'b["state"] == "established" and b["learnedPrefixes"] == 1' 160; then
		ok "(i) FRR peered through the tunnel: $(status1 | python3 -c 'import json,sys; b=json.load(sys.stdin)["bgp"]; print("state %s, learned %d, peer AS %d" % (b["state"], b["learnedPrefixes"], b["peerAsn"]))')"
	else
		fail "(i) FRR: no established session with 1 learned prefix: $(status1); $(vty 'show bgp summary' | tail -4); $(tail -3 "$FD/bgpd.log")"
	fi
	out=$(lan_ping 3)
	echo "$out" | grep -q " 0% packet loss" && ok "(i) LAN host reaches the internet host with FRR announcing the LAN" ||
	    fail "(i) LAN ping with FRR: $out"
	bg "$TOK_A" rn assign "$RN1" "$IPROF" >/dev/null || fail "(i) rn assign internet"
	DEF='any(p.get("community", {}).get("string") == "65476:1" and any(n.get("ip") == "10.255.0.1" for n in p["nexthops"]) for p in j.get("paths", []))'
	frr_wait "show bgp ipv4 unicast 0.0.0.0/0 json" "$DEF" 40 &&
	    ok "(i) Internet Access: FRR learned 0.0.0.0/0 from 10.255.0.1 with community 65476:1" ||
	    fail "(i) FRR has no default route: $(vty 'show bgp ipv4 unicast' | tail -5)"
	bg "$TOK_A" rn assign "$RN1" "$MPROF" >/dev/null || fail "(i) rn assign m365"
	M365='len(j.get("routes", {})) > 10 and any(k.startswith("13.107.") for k in j["routes"])'
	if frr_wait "show bgp ipv4 unicast community 65476:365 json" "$M365" 40 &&
	    frr_q "show bgp ipv4 unicast 0.0.0.0/0 json" "$DEF"; then
		ok "(i) Microsoft 365 too: FRR learned $(vty 'show bgp ipv4 unicast community 65476:365 json' | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["routes"]))') routes with 65476:365 beside the default"
	else
		fail "(i) FRR Microsoft 365 routes: $(vty 'show bgp ipv4 unicast community 65476:365' | tail -3)"
	fi
	bg "$TOK_A" rn unassign "$RN1" "$MPROF" >/dev/null || fail "(i) rn unassign m365"
	frr_wait "show bgp ipv4 unicast community 65476:365 json" 'len(j.get("routes", {})) == 0' 40 &&
	    frr_q "show bgp ipv4 unicast 0.0.0.0/0 json" "$DEF" &&
	    ok "(i) Microsoft 365 removed: withdrawn from FRR, the default stays" ||
	    fail "(i) after removing Microsoft 365: $(vty 'show bgp ipv4 unicast' | tail -5)"
	bg "$TOK_A" rn unassign "$RN1" "$IPROF" >/dev/null || fail "(i) rn unassign internet"
	frr_wait "show bgp ipv4 unicast json" 'not any(p.startswith("0.0.0.0/0") for p in j.get("routes", {}))' 40 &&
	    ok "(i) Internet Access removed: FRR's default route withdrawn" ||
	    fail "(i) FRR default route left: $(vty 'show bgp ipv4 unicast' | tail -5)"
	if waitbgp 'b["bfd"] and b["bfd"]["state"] == "up"' 60 &&
	    frr_wait "show bfd peers json" 'any(p.get("peer") == "10.255.0.1" and p.get("status") == "up" and p.get("multihop") for p in j)' 20; then
		ok "(i) BFD up between FRR's bfdd (multihop) and the gateway"
		silent_tunnel
		[ -z "$(tenant_route "$NS_TA")" ] &&
		    ok "(i) silent tunnel: BFD with FRR took BGP and 10.1.1.0/24 down after $(( (t1 - t0) / 1000000 )) ms" ||
		    fail "(i) silent tunnel with FRR: route still there after $(( (t1 - t0) / 1000000 )) ms: $(status1)"
		waitbgp 'b["state"] == "established" and b["learnedPrefixes"] == 1' 240 &&
		    ok "(i) FRR's session and the LAN route are back" || fail "(i) FRR after the silent tunnel: $(status1)"
	else
		fail "(i) no BFD with FRR: $(status1); $(vty 'show bfd peers' | tail -8)"
	fi
	for f in "$FD"/*.pid; do kill "$(cat "$f")" 2>/dev/null; done
	waitbgp 'b["state"] != "established" and b["learnedPrefixes"] == 0' 40 &&
	    ok "(i) FRR stopped: session down, LAN route withdrawn" || fail "(i) after FRR stopped: $(status1)"
else
	fail "(i) FRR not installed (scripts/deps.sh installs frr)"
fi

# (h) hostile BGP peer on b2 (tenant B): a second connection while one is
# open loses the collision (Cease 6/7); garbage gets NOTIFICATION 1/1 and a
# close.
out=$(ip netns exec "$NS_B2" python3 - 2>&1 <<'EOP'
import os, socket
def conn():
    s = socket.socket()
    s.bind(("10.1.0.1", 0))
    s.settimeout(5)
    s.connect(("10.255.0.1", 179))
    return s
def msg(s):
    h = s.recv(19, socket.MSG_WAITALL)
    if len(h) < 19:
        return None
    assert h[:16] == b"\xff" * 16, h
    n = int.from_bytes(h[16:18], "big")
    return h[18], h + s.recv(n - 19, socket.MSG_WAITALL)
a = conn()
t, m = msg(a)
assert t == 1, "expected the gateway's OPEN, got type %d" % t
# A second connection of the same peer: its OPEN (AS 65000, BGP id
# 10.1.0.1, below the gateway's 10.255.0.1) loses the collision of RFC 4271
# §6.8 against the first (OpenSent): Cease 6/7, then closed.
b = conn()
cap = bytes([2, 6, 1, 4, 0, 1, 0, 1, 2, 6, 65, 4]) + (65000).to_bytes(4, "big")
body = bytes([4]) + (65000).to_bytes(2, "big") + (90).to_bytes(2, "big") + \
    bytes([10, 1, 0, 1]) + bytes([len(cap)]) + cap
b.sendall(b"\xff" * 16 + (19 + len(body)).to_bytes(2, "big") + b"\x01" + body)
t, m = msg(b)
assert t == 3 and m[19] == 6 and m[20] == 7, "expected NOTIFICATION 6/7, got %r" % m
assert b.recv(100) == b"", "second connection not closed"
a.sendall(b"\x00" * 16 + os.urandom(48))
t, m = msg(a)
assert t == 3 and m[19] == 1 and m[20] == 1, "expected NOTIFICATION 1/1, got %r" % m
assert a.recv(100) == b"", "not closed after the NOTIFICATION"
print("second connection: Cease 6/7 (collision), closed; garbage -> NOTIFICATION 1/1, closed")
EOP
)
[ $? = 0 ] && ok "(h) hostile BGP peer: $out" || fail "(h) hostile BGP peer: $out"
st=$(ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOK_B" \
    "http://$API/networkAccess/connectivity/remoteNetworks/$(cat "$W/b2.rn")/deviceLinks/$(cat "$W/b2.link")/status")
for _ in $(seq 20); do echo "$st" | grep -q 'sent NOTIFICATION 1/1' && break; sleep 0.25
	st=$(ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOK_B" \
	    "http://$API/networkAccess/connectivity/remoteNetworks/$(cat "$W/b2.rn")/deviceLinks/$(cat "$W/b2.link")/status"); done
echo "$st" | python3 -c 'import json,sys; b=json.load(sys.stdin)["bgp"]; assert b["state"] == "active" and b["lastError"].startswith("sent NOTIFICATION 1/1"), b' &&
    ok "(h) tenant B's session is back to active, lastError: $(echo "$st" | python3 -c 'import json,sys; print(json.load(sys.stdin)["bgp"]["lastError"])')" ||
    fail "(h) tenant B status: $st"
# A BGP field changes through the API: the session is remade, no restart.
bg "$TOK_B" -q link update "$(cat "$W/b2.rn")" "$(cat "$W/b2.link")" --asn 65001 >/dev/null || fail "(h) link update --asn"
for _ in $(seq 40); do grep -q "link $(cat "$W/b2.link") zone 1: BGP configuration changed" "$W/daemon.log" && break; sleep 0.25; done
sleep 1.2	# the status is refreshed once a second
st=$(ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOK_B" \
    "http://$API/networkAccess/connectivity/remoteNetworks/$(cat "$W/b2.rn")/deviceLinks/$(cat "$W/b2.link")/status")
echo "$st" | python3 -c 'import json,sys; d=json.load(sys.stdin); b=d["bgp"]; assert b["peerAsn"] == 65001 and b["state"] == "active" and b["lastError"] is None and d["tunnelState"] == "connected", d' &&
    ok "(h) asn changed through the API: new session for AS 65001, tunnel untouched" ||
    fail "(h) after the asn change: $st"

# (j) A hostile ExaBGP on b2 (tenant B, AS 65001 since (h)), scripted by
# exabgp_feed.py: a valid route, then RFC 7606 cases (a malformed MED is
# treat-as-withdraw, an unknown optional transitive attribute is accepted;
# the session stays up), then a prefix flood past the limit (Cease 6/1).
# The daemon and tenant A's tunnel are unaffected.
if [ "$HAVE_EXABGP" = 1 ]; then
	EX=$W/exabgp; mkdir -p "$EX"
	cat >"$EX/exabgp.conf" <<EOC
process hostile {
  run /usr/bin/python3 $SRC/tests/interop/exabgp_feed.py $EX;
  encoder text;
}
neighbor 10.255.0.1 {
  router-id 10.1.0.1;
  local-address 10.1.0.1;
  local-as 65001;
  peer-as 65476;
  hold-time 180;
  api { processes [ hostile ]; }
}
EOC
	ip netns exec "$NS_B2" env exabgp.daemon.user=root exabgp.api.cli=false \
	    exabgp.log.destination=stdout exabgp.daemon.daemonize=false \
	    exabgp "$EX/exabgp.conf" >"$EX/exabgp.log" 2>&1 &
	EXA=$!
	PIDS="$PIDS $EXA"
	status2() { ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOK_B" \
	    "http://$API/networkAccess/connectivity/remoteNetworks/$(cat "$W/b2.rn")/deviceLinks/$(cat "$W/b2.link")/status"; }
	bgpq2() { status2 | python3 -c 'import json,sys; b=json.load(sys.stdin).get("bgp"); sys.exit(0 if b and ('"$1"') else 1)' 2>/dev/null; }
	waitbgp2() { for _ in $(seq "$2"); do bgpq2 "$1" && return 0; sleep 0.25; done; return 1; }
	bgp2() { status2 | python3 -c 'import json,sys; b=json.load(sys.stdin)["bgp"]; print("%s, received %d, learned %d, treat-as-withdraw %d, last error: %s" % (b["state"], b["receivedPrefixes"], b["learnedPrefixes"], b["treatAsWithdrawUpdates"], b["lastError"]))'; }
	if waitbgp2 'b["state"] == "established"' 120; then
		ok "(j) ExaBGP peered through b2's tunnel"
	else
		fail "(j) ExaBGP: no session: $(status2); $(tail -5 "$EX/exabgp.log")"
	fi
	touch "$EX/exa.go1"
	waitbgp2 'b["learnedPrefixes"] == 1' 40 && ok "(j) ExaBGP's valid route learned: $(bgp2)" ||
	    fail "(j) valid route: $(bgp2)"
	est0=$(status2 | python3 -c 'import json,sys; print(json.load(sys.stdin)["bgp"]["establishedDateTime"])')
	touch "$EX/exa.go2"
	if waitbgp2 'b["state"] == "established" and b["learnedPrefixes"] == 2 and b["treatAsWithdrawUpdates"] == 1' 40 &&
	    [ "$(status2 | python3 -c 'import json,sys; print(json.load(sys.stdin)["bgp"]["establishedDateTime"])')" = "$est0" ]; then
		ok "(j) RFC 7606: malformed MED treated as withdrawn, unknown optional transitive accepted, session kept: $(bgp2)"
	else
		fail "(j) RFC 7606 cases: $(bgp2)"
	fi
	touch "$EX/exa.go3"
	waitbgp2 'b["state"] != "established" and b["lastError"].startswith("sent NOTIFICATION 6/1")' 120 &&
	    ok "(j) prefix flood: $(bgp2)" || fail "(j) prefix flood: $(bgp2)"
	kill "$EXA" 2>/dev/null; wait "$EXA" 2>/dev/null
	waitbgp2 'b["learnedPrefixes"] == 0' 40 || fail "(j) routes left after the flood: $(bgp2)"
	[ -z "$(nsenter -t "$DPID" -m ip -n "$NS_TB" route show 10.100.0.0/24 2>/dev/null)" ] ||
	    fail "(j) a flood route is left in tenant B's namespace"
	kill -0 "$DPID" 2>/dev/null && out=$(ip netns exec "$NS_B1" ping -c 3 -i 0.2 -W 1 -I 10.1.0.1 10.255.0.1 2>&1) &&
	    echo "$out" | grep -q " 0% packet loss" && ok "(j) daemon running, tenant A's tunnel unaffected" ||
	    fail "(j) after the hostile peer: $out"
else
	fail "(j) exabgp not installed (scripts/deps.sh installs it)"
fi

# (k) GoBGP as b2's branch speaker (tenant B): it peers through the tunnel,
# its route is learned, and with Internet Access assigned it gets
# 0.0.0.0/0 with the community 65476:1.
if [ "$HAVE_GOBGP" = 1 ]; then
	GB=$W/gobgp; mkdir -p "$GB"
	cat >"$GB/gobgpd.toml" <<'EOC'
[global.config]
  as = 65001
  router-id = "10.1.0.1"
  port = -1
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.255.0.1"
    peer-as = 65476
  [neighbors.transport.config]
    local-address = "10.1.0.1"
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 2
EOC
	ip netns exec "$NS_B2" gobgpd -f "$GB/gobgpd.toml" -t toml --api-hosts 127.0.0.1:50051 \
	    >"$GB/gobgpd.log" 2>&1 &
	GOB=$!
	PIDS="$PIDS $GOB"
	gob() { ip netns exec "$NS_B2" gobgp -u 127.0.0.1 -p 50051 "$@" 2>&1; }
	for _ in $(seq 50); do gob global >/dev/null && break; sleep 0.2; done
	gob global rib add 10.2.5.0/24 -a ipv4 >/dev/null || fail "(k) gobgp global rib add"
	waitbgp2 'b["state"] == "established" and b["learnedPrefixes"] == 1' 120 &&
	    ok "(k) GoBGP peered through b2's tunnel, its route learned: $(bgp2)" ||
	    fail "(k) GoBGP: $(bgp2); $(tail -5 "$GB/gobgpd.log")"
	bg "$TOK_B" rn assign "$(cat "$W/b2.rn")" "$IPROF_B" >/dev/null || fail "(k) rn assign"
	gob_default() { gob global rib -a ipv4 -j | python3 -c '
import json, sys
r = json.load(sys.stdin).get("0.0.0.0/0") or []
sys.exit(0 if any(any(a.get("type") == 8 and 4291035137 in a.get("communities", []) for a in p.get("attrs", [])) for p in r) else 1)' 2>/dev/null; }
	for _ in $(seq 40); do gob_default && break; sleep 0.25; done
	gob_default && ok "(k) Internet Access: GoBGP learned 0.0.0.0/0 with community 65476:1" ||
	    fail "(k) GoBGP default route: $(gob global rib -a ipv4 | head -5)"
	bg "$TOK_B" rn unassign "$(cat "$W/b2.rn")" "$IPROF_B" >/dev/null || fail "(k) rn unassign"
	kill "$GOB" 2>/dev/null; wait "$GOB" 2>/dev/null
	waitbgp2 'b["state"] != "established" and b["learnedPrefixes"] == 0' 60 &&
	    ok "(k) GoBGP stopped: $(bgp2)" || fail "(k) after GoBGP stopped: $(bgp2)"
else
	fail "(k) gobgpd not installed (scripts/deps.sh installs it)"
fi

grep -E "AddressSanitizer|runtime error|LeakSanitizer" "$W/daemon.log" && fail "sanitizer report in branchgated"
kill -0 "$DPID" 2>/dev/null || fail "branchgated died"
# A clean stop removes every tenant namespace.
kill "$DPID"; wait "$DPID"; drc=$?; DPID=
[ "$drc" = 0 ] || fail "branchgated exit status $drc"
left=$(ip netns list | awk '{print $1}' | grep -c "^$PFX")
[ "$left" = 0 ] && ok "shutdown removed the tenant namespaces" || fail "$left tenant namespace(s) left"
grep -E "AddressSanitizer|runtime error|LeakSanitizer" "$W/daemon.log" && fail "sanitizer report in branchgated"
[ "$RC" = 0 ] && echo "all ESP data plane cases passed"
exit $RC
