#!/bin/bash
# test_cpe_role.sh - branchgated --role cpe (the branch side) against
# branchgated (the gateway, data plane on), both in network namespaces:
#
#   bgcpe-N-br: branchgated --role cpe 192.0.2.1 ==veth== 192.0.2.2 :bgcpe-N-gw
#               TUN ipsec0 10.1.0.1                       branchgated (gateway)
#               BIRD; forwards for the LAN
#   bgcpe-N-in: 203.0.113.2 ==veth== 203.0.113.1 :gw (egress SNAT address)
#   bgcpe-N-ln: LAN host 10.1.1.10 ==veth== 10.1.1.1 :br
#
# The device link is created through the CLI; the CPE's config file is
# written from the same values (PSK from a 0600 file). The CPE is started
# before the link exists, so its first attempts go unanswered and it must
# retry on its own. Checks: (a) the tunnel comes up (CPE log line, gateway
# health event tunnelConnected via the logs API); (b) ping of the gateway
# BGP address 10.255.0.1 from 10.1.0.1; (c) ping and HTTP to the internet
# host through the gateway egress; (d) iperf3 TCP 10 s branch -> internet;
# (e) a policy change at the gateway: DELETE, refusal, retries, then up
# again with the custom policy keys; (f) SIGTERM of the CPE: DELETE ->
# tunnelDisconnected at the gateway, the CPE exits 0 and its TUN is gone;
# (g) BGP (a Linux branch router = the CPE role for IPsec + BIRD for BGP,
# between (d) and (e)): BIRD runs the bird.conf cpeConfiguration generates
# (lan=10.1.1.0/24) as is, hence the TUN named ipsec0 as that file
# expects; the CPE's own "route 10.255.0.1/32" carries the session into
# the tunnel. The gateway learns the LAN (status, tenant namespace route);
# the LAN host pings, fetches HTTP and runs iperf3 TCP 10 s to the internet
# host (and cannot before BGP); a withdrawal cuts it off again; BIRD
# stopped ends the session.
#
# Encapsulation (RFC 7296 §2.23): there is no NAT between the two, so the
# default CPE (encap auto) keeps IKE on UDP 500 and ESP goes straight over
# IP (protocol 50). nftables counters in the gateway namespace prove it:
# ESP both ways and not one UDP 4500 datagram during (a)-(d), and the
# status endpoint says "encapsulation": "none". The CPE of (e) runs with
# encap always: IKE and ESP on UDP 4500, no protocol 50, "udp".
# Exit 77 (skip) only without root or without the tools.
set -u

SRC=${BG_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/interop/lib.sh"
BIN=${BG_BINDIR:-$SRC/build}/bin

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TUN)"
for t in ip ping curl python3 nft; do command -v $t >/dev/null || skip "$t missing"; done
[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
# scripts/deps.sh installs iperf3: its absence is a failure, not a skip.
HAVE_IPERF=1
command -v iperf3 >/dev/null || HAVE_IPERF=0
HAVE_BIRD=1
command -v bird >/dev/null && command -v birdc >/dev/null || HAVE_BIRD=0

W=$(mktemp -d "${TMPDIR:-/tmp}/bgtest-cpe-$$.XXXXXX")
NS_G=bgcpe-$$-gw
NS_I=bgcpe-$$-in
NS_B=bgcpe-$$-br
NS_L=bgcpe-$$-ln
TUN=ipsec0
PFX=bc$$-
API=127.0.0.1:18083
RC=0
DPID=
CPID=
PIDS=

cleanup() {
	[ -s "$W/bird.pid" ] && kill "$(cat "$W/bird.pid")" 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -n "$CPID" ] && kill "$CPID" 2>/dev/null && wait "$CPID" 2>/dev/null
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	sleep 0.3
	for n in "$NS_B" "$NS_I" "$NS_G" "$NS_L"; do ip netns del "$n" 2>/dev/null; done
	# The gateway removes its tenant namespaces; be sure after a crash.
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX"); do ip netns del "$n"; done
	if [ "$RC" != 0 ]; then
		echo "--- gateway log (tail)"; tail -60 "$W/gw.log"
		echo "--- cpe log (tail)"; tail -40 "$W/cpe.log"
		echo "--- bird log (tail)"; tail -30 "$W/bird.log" 2>/dev/null
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*"; RC=1; }
ok() { echo "ok   $*"; }
sanitizer() { grep -E "AddressSanitizer|runtime error|LeakSanitizer" "$@"; }

for n in "$NS_G" "$NS_I" "$NS_B" "$NS_L"; do
	ip netns add "$n" || { echo "FAIL: netns $n"; exit 1; }
	ip -n "$n" link set lo up
done
ip link add bcb0 netns "$NS_B" type veth peer name bcg0 netns "$NS_G"
ip link add bci0 netns "$NS_I" type veth peer name bcgi netns "$NS_G"
ip -n "$NS_B" addr add 192.0.2.1/24 dev bcb0
ip -n "$NS_G" addr add 192.0.2.2/24 dev bcg0
ip -n "$NS_I" addr add 203.0.113.2/24 dev bci0
ip -n "$NS_G" addr add 203.0.113.1/24 dev bcgi
for l in "$NS_B bcb0" "$NS_I bci0" "$NS_G bcg0" "$NS_G bcgi"; do
	set -- $l; ip -n "$1" link set "$2" up
done
# The LAN behind the branch: the branch routes it, nothing else knows it.
ip link add bcl0 netns "$NS_L" type veth peer name bcbl netns "$NS_B"
ip -n "$NS_L" addr add 10.1.1.10/24 dev bcl0
ip -n "$NS_B" addr add 10.1.1.1/24 dev bcbl
ip -n "$NS_L" link set bcl0 up
ip -n "$NS_B" link set bcbl up
ip -n "$NS_L" route add default via 10.1.1.1
ip netns exec "$NS_B" sysctl -qw net.ipv4.ip_forward=1

# What crosses the gateway's veth to the branch, by encapsulation.
ip netns exec "$NS_G" nft -f - <<'EON' || { echo "FAIL: nft counters"; exit 1; }
table ip bgcpetest {
	chain in {
		type filter hook input priority 0; policy accept;
		iifname "bcg0" ip protocol esp counter comment "esp-in"
		iifname "bcg0" udp dport 4500 counter comment "natt-in"
		iifname "bcg0" udp dport 500 counter comment "ike-in"
	}
	chain out {
		type filter hook output priority 0; policy accept;
		oifname "bcg0" ip protocol esp counter comment "esp-out"
		oifname "bcg0" udp sport 4500 counter comment "natt-out"
	}
}
EON
# ctr NAME: packets counted by the rule with that comment.
ctr() {
	ip netns exec "$NS_G" nft list table ip bgcpetest |
	    sed -n "s/.*counter packets \([0-9]*\) bytes .*comment \"$1\".*/\1/p"
}
# ctrs: "esp-in esp-out natt-in natt-out ike-in".
ctrs() { echo "$(ctr esp-in) $(ctr esp-out) $(ctr natt-in) $(ctr natt-out) $(ctr ike-in)"; }

# --- the gateway ------------------------------------------------------------
DB=sqlite:$W/bg.db
"$BIN/branchgate" tenant create tenant-cpe --db "$DB" >"$W/t.json" || exit 1
TOKEN=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$W/t.json")
ip netns exec "$NS_G" "$BIN/branchgated" --db "$DB" --api "$API" \
    --endpoint 1=192.0.2.2 --netns-prefix "$PFX" --egress 203.0.113.1 \
    --esp-workers 2 --log-level debug >"$W/gw.log" 2>&1 &
DPID=$!
for _ in $(seq 100); do grep -q "API listening" "$W/gw.log" && break; sleep 0.1; done
grep -q "API listening" "$W/gw.log" || { fail "gateway did not start"; exit 1; }
bg() { ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$TOKEN" "$BIN/branchgate" "$@"; }
api() { ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOKEN" "http://$API$1"; }
events() { api "/networkAccess/logs/remoteNetworks?\$top=1000"; }
count_events() { events | grep -o "\"status\": *\"$1\"" | wc -l; }

# The device link's values: the CLI gets them, and so does the CPE config.
CPE_IP=192.0.2.1
GW_IP=192.0.2.2
GW_BGP=10.255.0.1
CPE_BGP=10.1.0.1
umask 077
printf '%s\n' 'cpe-role-psk-0123456789abcdef' >"$W/psk"
umask 022
cat >"$W/cpe.conf" <<EOF
# branchgated --role cpe, from device link values
role cpe
gateway $GW_IP
local $CPE_IP
psk-file $W/psk
policy default
tunnel-addr $CPE_BGP
route $GW_BGP/32
route 203.0.113.0/24
tun-name $TUN
esp-workers 2
# A CHILD SA is rekeyed after 250 MB (hard limit 500 MB): iperf3 in (d)
# crosses that once or more, never the hard limit (polled once a second).
esp-rekey-bytes 250000000
EOF
grep -q '^encap' "$W/cpe.conf" && { fail "encap given: the first run must use the default"; exit 1; }

# --- the CPE, started before the link exists: it must keep trying ------------
ip netns exec "$NS_B" "$BIN/branchgated" --config "$W/cpe.conf" --log-level debug \
    >"$W/cpe.log" 2>&1 &
CPID=$!
for _ in $(seq 50); do grep -q "cpe: connecting" "$W/cpe.log" && break; sleep 0.1; done
grep -q "cpe: connecting" "$W/cpe.log" && ok "CPE started: $(grep -m1 'cpe: 192' "$W/cpe.log" | sed 's/.*cpe: //')" ||
    { fail "CPE did not start"; exit 1; }
ip -n "$NS_B" -o addr show dev $TUN 2>/dev/null | grep -q "inet $CPE_BGP/32" &&
    ok "TUN $TUN with $CPE_BGP in the branch namespace" || fail "$TUN/$CPE_BGP missing"
sleep 1
kill -0 "$CPID" 2>/dev/null || { fail "CPE exited while the gateway ignored it"; exit 1; }

# Internet Access assigned: the gateway forwards only traffic an assigned
# forwarding profile covers (docs/policy.md).
IPROF=$(api /networkAccess/forwardingProfiles |
    python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin)["value"] if p["trafficForwardingType"] == "internet"][0])')
RN=$(bg -q rn create --name "CPE role branch" --region westEurope --profile "$IPROF") || { fail "rn create"; exit 1; }
LINK=$(bg -q link create "$RN" --name cpe-link --ip "$CPE_IP" --vendor other --asn 65000 \
    --local-bgp "$GW_BGP" --peer-bgp "$CPE_BGP" --psk-file "$W/psk") || { fail "link create"; exit 1; }

# (a) up, by the CPE's log line and the gateway's health event
T0=$(date +%s)
for _ in $(seq 300); do grep -q "cpe: tunnel up" "$W/cpe.log" && break; sleep 0.2; done
grep -q "cpe: tunnel up" "$W/cpe.log" &&
    ok "(a) CPE retried and came up $(( $(date +%s) - T0 )) s after the link was created: $(grep -m1 'cpe: tunnel up' "$W/cpe.log" | sed 's/.*cpe: //')" ||
    { fail "(a) tunnel did not come up"; exit 1; }
for _ in $(seq 30); do [ "$(count_events tunnelConnected)" -ge 1 ] && break; sleep 0.2; done
[ "$(count_events tunnelConnected)" -ge 1 ] && ok "(a) gateway logs API: tunnelConnected" ||
    fail "(a) no tunnelConnected event: $(events | head -c 300)"

# (b) the gateway's BGP address through the tunnel
out=$(ip netns exec "$NS_B" ping -c 5 -i 0.2 -W 2 -I "$CPE_BGP" "$GW_BGP" 2>&1)
echo "$out" | grep -q " 0% packet loss" && ok "(b) branch pings gateway BGP $GW_BGP from $CPE_BGP: $(echo "$out" | tail -1)" ||
    fail "(b) ping $GW_BGP: $out"

# (c) internet through the gateway's egress: ping and HTTP
mkdir -p "$W/www" && echo "hello from the internet" >"$W/www/index.html"
ip netns exec "$NS_I" python3 -m http.server 8080 --bind 203.0.113.2 --directory "$W/www" >/dev/null 2>&1 &
PIDS="$PIDS $!"
out=$(ip netns exec "$NS_B" ping -c 5 -i 0.2 -W 2 -I "$CPE_BGP" 203.0.113.2 2>&1)
echo "$out" | grep -q " 0% packet loss" && ok "(c) branch pings internet host 203.0.113.2" ||
    fail "(c) ping 203.0.113.2: $out"
for _ in $(seq 20); do ip netns exec "$NS_I" ss -ltn | grep -q 203.0.113.2:8080 && break; sleep 0.1; done
body=$(ip netns exec "$NS_B" curl -s --max-time 10 --interface "$CPE_BGP" http://203.0.113.2:8080/index.html)
[ "$body" = "hello from the internet" ] && ok "(c) branch HTTP GET to the internet host through the tunnel" ||
    fail "(c) HTTP through the tunnel: '$body'"
# The kernel picks the TUN's address as source on its own (no -I).
out=$(ip netns exec "$NS_B" ping -c 2 -i 0.2 -W 2 203.0.113.2 2>&1)
echo "$out" | grep -q " 0% packet loss" && ok "(c) plain ping (source chosen by the kernel) works too" ||
    fail "(c) ping without -I: $out"

# (d) iperf3 TCP 10 s
if [ "$HAVE_IPERF" = 1 ]; then
	iperf_tcp "$NS_B" "$W/iperf.json" -B "$CPE_BGP"
	[ -n "$MBPS" ] && ok "(d) iperf3 TCP 10 s branch -> internet, CPE role <-> gateway: $MBPS Mbit/s" ||
	    fail "(d) iperf3: $(tail -5 "$W/iperf.json")"
	# esp-rekey-bytes: the soft byte limit made the CPE rekey under load
	# (when iperf3 carried enough: a slow machine may not reach it).
	# Never the hard limit: the rekey is done long before.
	nrk=$(grep -c "reached its soft lifetime: rekeying" "$W/cpe.log")
	nhard=$(grep -c "reached its hard lifetime" "$W/cpe.log")
	sent=$BYTES
	if [ "$nhard" != 0 ]; then
		fail "(d) byte-lifetime rekeys during iperf3: $nrk soft, $nhard hard: $(grep -E 'lifetime|rekey' "$W/cpe.log" | tail -12)"
	elif [ "${sent:-0}" -ge 500000000 ] && [ "$nrk" -lt 1 ]; then
		fail "(d) $sent bytes through the tunnel, no byte-lifetime rekey"
	else
		ok "(d) esp-rekey-bytes 250000000: $nrk CHILD SA rekeys during iperf3 ($sent bytes), none at the hard limit"
	fi
else
	fail "(d) iperf3 not installed (scripts/deps.sh installs it)"
fi

# No NAT: ESP over IP both ways, nothing on UDP 4500 (IKE stayed on 500).
read -r e_in e_out n_in n_out i_in <<<"$(ctrs)"
echo "     gateway veth: esp in $e_in out $e_out, udp 4500 in $n_in out $n_out, udp 500 in $i_in"
[ "${e_in:-0}" -gt 1000 ] && [ "${e_out:-0}" -gt 100 ] && [ "$n_in" = 0 ] && [ "$n_out" = 0 ] &&
    [ "${i_in:-0}" -gt 0 ] &&
    ok "(a-d) encap auto, no NAT: $e_in ESP (protocol 50) packets in, $e_out out, none on UDP 4500" ||
    fail "(a-d) encap auto: esp in '$e_in' out '$e_out', udp 4500 in '$n_in' out '$n_out', ike '$i_in'"
grep -q "cpe: CHILD_SA .* installed: ESP over IP (protocol 50)" "$W/cpe.log" &&
    ok "(a-d) CPE: $(grep -m1 'cpe: CHILD_SA' "$W/cpe.log" | sed 's/.*cpe: //')" ||
    fail "(a-d) no raw-ESP CHILD_SA line in the CPE log"
sleep 1.2
st=$(api "/networkAccess/connectivity/remoteNetworks/$RN/deviceLinks/$LINK/status")
echo "$st" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["encapsulation"] == "none" and d["remotePort"] == 500, d' 2>/dev/null &&
    ok "(a-d) status endpoint: \"encapsulation\": \"none\", remote port 500" ||
    fail "(a-d) status endpoint: $st"
# Running totals: the link's counters include the CHILD SAs rekeys retired
# (each carried at most 2 x 250 MB), so they cover all of iperf3's bytes.
if [ -f "$W/iperf.json" ]; then
	echo "$st" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sent = json.load(open(sys.argv[1]))["end"]["sum_received"]["bytes"]
got = d["esp"]["inboundBytes"]
assert got >= 0.95 * sent, (got, sent)
print("%d inbound bytes over the link, iperf3 received %d" % (got, sent))' "$W/iperf.json" >"$W/totals.txt" 2>&1 &&
	    ok "(d) status counters are running totals across rekeys: $(cat "$W/totals.txt")" ||
	    fail "(d) status counters after rekeys: $(tail -2 "$W/totals.txt")"
fi

# Counters on SIGHUP; the tunnel keeps working.
kill -HUP "$DPID"
for _ in $(seq 20); do grep -q "esp: workers rx" "$W/gw.log" && break; sleep 0.1; done
grep -Eq "esp: workers rx .*raw esp rx [1-9][0-9]* tx [1-9][0-9]*;" "$W/gw.log" &&
    ok "gateway workers count the protocol 50 path: $(grep -Eo 'raw esp rx [0-9]+ tx [0-9]+' "$W/gw.log" | tail -1)" ||
    fail "gateway workers: no raw ESP counts ($(grep 'esp: workers rx' "$W/gw.log" | tail -1))"
kill -HUP "$CPID"
sleep 0.5
grep -E "cpe: esp sa in 0x" "$W/cpe.log" | tail -1 | sed 's/^/     /'
grep -Eq "cpe: esp sa in 0x.* in [1-9][0-9]* pkts" "$W/cpe.log" && ok "per-SA ESP counters in the CPE log on SIGHUP" ||
    fail "no CPE per-SA counters"

# (g) BGP: BIRD beside the CPE role announces the LAN behind the branch.
status() { api "/networkAccess/connectivity/remoteNetworks/$RN/deviceLinks/$LINK/status"; }
bgpq() { status | python3 -c 'import json,sys; b=json.load(sys.stdin).get("bgp"); sys.exit(0 if b and ('"$1"') else 1)' 2>/dev/null; }
waitbgp() { for _ in $(seq "$2"); do bgpq "$1" && return 0; sleep 0.25; done; return 1; }
NS_T=$(sed -n "s/.*gw: tenant $(sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' "$W/t.json"): network \([^ ]*\).*/\1/p" "$W/gw.log" | tail -1)
tenant_route() { nsenter -t "$DPID" -m ip -n "$NS_T" route show 10.1.1.0/24 2>/dev/null; }
lan_ping() { ip netns exec "$NS_L" ping -c "$1" -i 0.2 -W 1 203.0.113.2 2>&1; }
out=$(lan_ping 3)
echo "$out" | grep -q " 0 received" && ok "(g) before BGP the LAN host cannot reach the internet host (no route back)" ||
    fail "(g) LAN reachable without BGP: $out"
if [ "$HAVE_BIRD" = 1 ]; then
	bg cpe-config "$RN" "$LINK" --format bird --lan 10.1.1.0/24 -o "$W/bird.conf" || fail "(g) cpe-config --format bird"
	ip netns exec "$NS_B" bird -f -c "$W/bird.conf" -s "$W/bird.ctl" -P "$W/bird.pid" >"$W/bird.log" 2>&1 &
	BIRD=$!
	PIDS="$PIDS $BIRD"
	waitbgp 'b["state"] == "established" and b["learnedPrefixes"] == 1' 120 &&
	    ok "(g) BIRD beside the CPE role peered through its tunnel: $(status | python3 -c 'import json,sys; b=json.load(sys.stdin)["bgp"]; print("%s, learned %d, peer %s AS %d" % (b["state"], b["learnedPrefixes"], b["peerAddress"], b["peerAsn"]))')" ||
	    fail "(g) no established session with 1 learned prefix: $(status); bird: $(birdc -s "$W/bird.ctl" show protocols 2>&1 | tail -3)"
	tenant_route | grep -q "dev tun0" && ok "(g) tenant namespace $NS_T routes 10.1.1.0/24 into tun0" ||
	    fail "(g) no 10.1.1.0/24 route in '$NS_T': '$(tenant_route)'"
	lan_checks "$NS_L" "through the CPE role and the gateway"
	birdc -s "$W/bird.ctl" disable branch_lan >/dev/null 2>&1
	waitbgp 'b["state"] == "established" and b["learnedPrefixes"] == 0' 40 && [ -z "$(tenant_route)" ] &&
	    ok "(g) withdraw: learned 0, route gone" || fail "(g) after withdraw: $(status); route '$(tenant_route)'"
	out=$(lan_ping 3)
	echo "$out" | grep -q " 0 received" && ok "(g) withdraw: the LAN host is unreachable again" ||
	    fail "(g) LAN still reachable after withdraw: $out"
	kill "$BIRD"; wait "$BIRD" 2>/dev/null
	waitbgp 'b["state"] != "established" and b["lastError"]' 40 &&
	    ok "(g) BIRD stopped: $(status | python3 -c 'import json,sys; b=json.load(sys.stdin)["bgp"]; print("%s, last error: %s" % (b["state"], b["lastError"]))')" ||
	    fail "(g) after BIRD stopped: $(status)"
else
	fail "(g) bird not installed (scripts/deps.sh installs bird2)"
fi

# (e) the link moves to a custom policy: the gateway deletes the SA, the
# CPE (default policy) is refused and keeps retrying; restarted with the
# same custom policy keys it comes up again.
bg -q link update "$RN" "$LINK" --custom --ike-enc aes256 --ike-int sha384 --dh ecp384 \
    --ipsec-enc gcmAes256 --ipsec-int gcmAes256 --pfs ecp384 --sa-lifetime 3600 >/dev/null ||
    fail "(e) link update --custom"
for _ in $(seq 50); do grep -q "cpe: tunnel down" "$W/cpe.log" && break; sleep 0.2; done
grep -q "cpe: tunnel down: .*gateway deleted" "$W/cpe.log" &&
    ok "(e) policy change: $(grep -m1 'cpe: tunnel down' "$W/cpe.log" | sed 's/.*cpe: //')" ||
    fail "(e) no gateway-deleted tunnel down in the CPE log"
for _ in $(seq 50); do grep -q "cpe: gateway .*no proposal" "$W/cpe.log" && break; sleep 0.2; done
grep -q "cpe: gateway .*no proposal" "$W/cpe.log" &&
    ok "(e) default proposals refused: $(grep -m1 'cpe: gateway .*no proposal' "$W/cpe.log" | sed 's/.*cpe: //' | cut -c1-110)" ||
    fail "(e) no refusal logged"
sleep 2
kill -0 "$CPID" 2>/dev/null && ok "(e) CPE still running and retrying ($(grep -c 'no proposal' "$W/cpe.log") refusals so far)" ||
    fail "(e) CPE gave up"
kill "$CPID"; wait "$CPID"; CPID=
# This run: IKE and ESP on UDP 4500 from the start (strongSwan's encap = yes).
read -r e_in0 e_out0 n_in0 n_out0 _ <<<"$(ctrs)"
cat >>"$W/cpe.conf" <<EOC
encap always
policy custom
ike-enc aes256
ike-int sha384
dh ecp384
ipsec-enc gcmAes256
ipsec-int gcmAes256
pfs ecp384
sa-lifetime 3600
EOC
ip netns exec "$NS_B" "$BIN/branchgated" --config "$W/cpe.conf" --log-level debug \
    >"$W/cpe.log" 2>&1 &
CPID=$!
for _ in $(seq 100); do grep -q "cpe: tunnel up" "$W/cpe.log" && break; sleep 0.2; done
grep -q "cpe: tunnel up" "$W/cpe.log" && ok "(e) CPE with the custom policy keys is up again" ||
    fail "(e) custom policy: no tunnel"
out=$(ip netns exec "$NS_B" ping -c 10 -i 0.1 -W 2 -I "$CPE_BGP" "$GW_BGP" 2>&1)
echo "$out" | grep -q " 0% packet loss" && ok "(e) ping $GW_BGP over the custom-policy tunnel" ||
    fail "(e) ping after custom policy: $out"
read -r e_in1 e_out1 n_in1 n_out1 _ <<<"$(ctrs)"
# IKE_SA_INIT and IKE_AUTH each way, then the 10 echoes and their replies.
[ "$e_in1" = "$e_in0" ] && [ "$e_out1" = "$e_out0" ] && [ $((n_in1 - n_in0)) -ge 12 ] &&
    [ $((n_out1 - n_out0)) -ge 12 ] &&
    ok "(e) encap always: $((n_in1 - n_in0)) datagrams in, $((n_out1 - n_out0)) out on UDP 4500, no protocol 50" ||
    fail "(e) encap always: esp $e_in0->$e_in1 / $e_out0->$e_out1, udp 4500 $n_in0->$n_in1 / $n_out0->$n_out1"
sleep 1.2
st=$(api "/networkAccess/connectivity/remoteNetworks/$RN/deviceLinks/$LINK/status")
echo "$st" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["encapsulation"] == "udp" and d["remotePort"] == 4500, d' 2>/dev/null &&
    ok "(e) status endpoint: \"encapsulation\": \"udp\", remote port 4500" ||
    fail "(e) status endpoint: $st"

# (f) SIGTERM: DELETE to the gateway, tunnelDisconnected, clean exit
before=$(count_events tunnelDisconnected)
kill "$CPID"; wait "$CPID"; crc=$?; CPID=
[ "$crc" = 0 ] && ok "(f) CPE exited 0 on SIGTERM" || fail "(f) CPE exit status $crc"
grep -q "cpe: tunnel down" "$W/cpe.log" && ok "(f) CPE: $(grep -m1 'cpe: tunnel down' "$W/cpe.log" | sed 's/.*cpe: //')" ||
    fail "(f) no tunnel-down line in the CPE log"
for _ in $(seq 25); do [ "$(count_events tunnelDisconnected)" -gt "$before" ] && break; sleep 0.2; done
[ "$(count_events tunnelDisconnected)" -gt "$before" ] && ok "(f) gateway logs API: tunnelDisconnected" ||
    fail "(f) no tunnelDisconnected event"
grep -q "tunnel down: link $LINK.*peer deleted" "$W/gw.log" && ok "(f) the gateway saw the CPE's DELETE" ||
    fail "(f) gateway log has no peer-deleted tunnel down for $LINK"
ip -n "$NS_B" link show $TUN >/dev/null 2>&1 && fail "(f) $TUN left behind" || ok "(f) TUN $TUN removed"

sanitizer "$W/cpe.log" && fail "sanitizer report in the CPE"
sanitizer "$W/gw.log" && fail "sanitizer report in the gateway"
kill -0 "$DPID" 2>/dev/null || fail "gateway died"
kill "$DPID"; wait "$DPID"; drc=$?; DPID=
[ "$drc" = 0 ] || fail "gateway exit status $drc"
sanitizer "$W/gw.log" && fail "sanitizer report in the gateway"
[ "$RC" = 0 ] && echo "all CPE role cases passed"
exit $RC
