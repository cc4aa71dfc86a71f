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
#
# Both tenants have identical links: gateway BGP 10.255.0.1, CPE BGP
# 10.1.0.1. Checks: (a) ping of the gateway BGP address through the tunnel
# (ESP in -> tenant TUN -> kernel -> TUN -> LPM -> ESP out); (b) ping and
# HTTP to the internet host through the egress SNAT; (c) iperf3 TCP 10 s;
# (d) the second tenant passes traffic too and neither tenant's TUN sees
# the other's packets; (e) a CHILD rekey under ping -i 0.05 loses nothing;
# (f) per-SA counters in the log on SIGHUP. Exit 77 (skip) only without
# root or without the tools.
set -u

SRC=${BG_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${BG_BINDIR:-$SRC/build}/bin
CHARON=/usr/lib/ipsec/charon

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip unshare swanctl ping curl python3; do command -v $t >/dev/null || skip "$t missing"; done
[ -x "$CHARON" ] || skip "$CHARON missing"
# scripts/deps.sh installs iperf3: its absence is a failure, not a skip.
HAVE_IPERF=1
command -v iperf3 >/dev/null || HAVE_IPERF=0

W=$(mktemp -d "${TMPDIR:-/tmp}/bgtest-esp-$$.XXXXXX")
NS_G=bgesp-$$-gw
NS_I=bgesp-$$-in
NS_B1=bgesp-$$-b1
NS_B2=bgesp-$$-b2
PFX=be$$-
API=127.0.0.1:18081
RC=0
DPID=
PIDS=

cleanup() {
	for b in b1 b2; do
		[ -s "$W/$b/run/charon.pid" ] && kill "$(cat "$W/$b/run/charon.pid")" 2>/dev/null
	done
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	sleep 0.3
	for n in "$NS_B1" "$NS_B2" "$NS_I" "$NS_G"; do ip netns del "$n" 2>/dev/null; done
	# The daemon removes its tenant namespaces; be sure after a crash.
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX"); do ip netns del "$n"; done
	if [ "$RC" != 0 ]; then
		echo "--- branchgated log (tail)"; tail -80 "$W/daemon.log"
		for b in b1 b2; do echo "--- charon $b log (tail)"; tail -30 "$W/$b/charon.log" 2>/dev/null; done
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*"; RC=1; }
ok() { echo "ok   $*"; }

for n in "$NS_G" "$NS_I" "$NS_B1" "$NS_B2"; do
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

# --- the gateway ----------------------------------------------------------
DB=sqlite:$W/bg.db
"$BIN/branchgate" tenant create tenant-a --db "$DB" >"$W/ta.json" || exit 1
"$BIN/branchgate" tenant create tenant-b --db "$DB" >"$W/tb.json" || exit 1
tok() { sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$1"; }
tid() { sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' "$1"; }
TOK_A=$(tok "$W/ta.json"); TOK_B=$(tok "$W/tb.json")
ip netns exec "$NS_G" "$BIN/branchgated" --db "$DB" --api "$API" \
    --endpoint 1=192.0.2.2 --netns-prefix "$PFX" --egress 203.0.113.1 \
    --esp-workers 2 --log-level debug >"$W/daemon.log" 2>&1 &
DPID=$!
for _ in $(seq 100); do grep -q "API listening" "$W/daemon.log" && break; sleep 0.1; done
grep -q "API listening" "$W/daemon.log" || { fail "branchgated did not start"; exit 1; }

bg() { local t=$1; shift; ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$t" "$BIN/branchgate" "$@"; }
printf '%s\n' 'esp-interop-psk-0123456789' >"$W/psk"

# setup_branch TAG NS TOKEN PUBLIC_IP
setup_branch() {
	local tag=$1 ns=$2 token=$3 pub=$4 rn link C=$W/$1
	rn=$(bg "$token" -q rn create --name "ESP branch $tag" --region westEurope) || { fail "$tag: rn create"; return 1; }
	link=$(bg "$token" -q link create "$rn" --name "$tag-link" --ip "$pub" --vendor other \
	    --asn 65000 --local-bgp 10.255.0.1 --peer-bgp 10.1.0.1 --psk-file "$W/psk") ||
	    { fail "$tag: link create"; return 1; }
	echo "$link" >"$W/$tag.link"
	echo "$rn" >"$W/$tag.rn"
	mkdir -p "$C/run" "$C"/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12}
	bg "$token" cpe-config "$rn" "$link" --format swanctl -o "$C/swanctl.conf" || { fail "$tag: cpe-config"; return 1; }
	sed -i '/^    mobike = no/a\    encap = yes' "$C/swanctl.conf"
	cat >"$C/strongswan.conf" <<EOC
charon {
  load = random nonce openssl aes sha1 sha2 hmac gcm kdf curve25519 pem pkcs1 pubkey x509 kernel-libipsec kernel-netlink socket-default vici
  routing_table = 220
  routing_table_prio = 40000
  filelog {
    test {
      path = $C/charon.log
      time_format = %H:%M:%S
      default = 1
      flush_line = yes
    }
  }
  plugins { vici { socket = unix://$C/charon.vici } }
}
EOC
	ip netns exec "$ns" unshare -m --propagation private sh -c \
	    "mount --bind '$C/run' /run && STRONGSWAN_CONF='$C/strongswan.conf' exec $CHARON" \
	    </dev/null >"$C/charon.stdout" 2>&1 &
	for _ in $(seq 100); do [ -S "$C/charon.vici" ] && break; sleep 0.1; done
	[ -S "$C/charon.vici" ] || { fail "$tag: charon did not start"; return 1; }
	swanctl --load-all --file "$C/swanctl.conf" --uri "unix://$C/charon.vici" >/dev/null 2>&1 ||
	    { fail "$tag: swanctl --load-all"; return 1; }
	for _ in $(seq 100); do
		swanctl --list-sas --uri "unix://$C/charon.vici" 2>/dev/null | grep -q INSTALLED && break
		sleep 0.2
	done
	swanctl --list-sas --uri "unix://$C/charon.vici" 2>/dev/null | grep -q INSTALLED ||
	    { fail "$tag: tunnel did not come up"; return 1; }
	for _ in $(seq 50); do ip -n "$ns" link show ipsec0 >/dev/null 2>&1 && break; sleep 0.1; done
	# As the generated configuration's comments say, plus the internet.
	ip -n "$ns" addr add 10.1.0.1/32 dev ipsec0
	ip -n "$ns" route add 10.255.0.1/32 dev ipsec0 src 10.1.0.1
	ip -n "$ns" route add 203.0.113.0/24 dev ipsec0 src 10.1.0.1
	ok "$tag: tunnel up ($(swanctl --list-sas --uri "unix://$C/charon.vici" | grep -Eo 'AES[^ ]*' | head -2 | tr '\n' ' '))"
}

setup_branch b1 "$NS_B1" "$TOK_A" 192.0.2.1 || exit 1
setup_branch b2 "$NS_B2" "$TOK_B" 198.51.100.1 || exit 1

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
	ip netns exec "$NS_I" iperf3 -s -B 203.0.113.2 -1 >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	sleep 0.5
	ip netns exec "$NS_B1" iperf3 -c 203.0.113.2 -B 10.1.0.1 -t 10 -J >"$W/iperf.json" 2>&1
	mbps=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.0f" % (d["end"]["sum_received"]["bits_per_second"]/1e6))' "$W/iperf.json" 2>/dev/null)
	[ -n "$mbps" ] && ok "(c) iperf3 TCP 10 s branch -> internet through the tunnel: $mbps Mbit/s" ||
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
