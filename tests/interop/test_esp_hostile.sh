#!/bin/bash
# test_esp_hostile.sh - hostile ESP against branchgated's data plane (issue 4
# §5): with a strongSwan branch's tunnel up, packets crafted with scapy from
# the branch's outbound CHILD_SA keys (charon's chd=4 log) are sent from the
# branch's public address, UDP 4500 -> 4500: a valid one (accepted, the
# gateway answers through the tunnel), replayed, truncated, bad ICV, unknown
# SPI, wrong padding (and a bad next header), oversized, garbage on 4500
# (random, non-ESP marker + junk IKE, 0xFF keepalive lookalikes). After each
# category: the right drop counters moved (SIGHUP log; tests/interop/
# esp_hostile.py says what each packet must count as), the daemon is alive,
# and the tunnel still carries a ping. Then the same SA's ESP as IP
# protocol 50 (RFC 7296 §2.23: a gateway takes raw ESP at any time, even
# for an SA that sends in UDP): valid (answered through the tunnel),
# replayed, truncated, bad ICV, unknown SPIs and garbage, IPv4 headers that
# lie (the kernel's counters show where each died; a trimmed one, one with
# options and a fragmented one reach the SA), oversized. At the end, the
# status endpoint shows the drops. Exit 77 (skip) only without root or
# without the tools.
#
#   bghx-N-b1: charon 192.0.2.1 ==veth== 192.0.2.2 :bghx-N-gw branchgated
set -u

SRC=${BG_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${BG_BINDIR:-$SRC/build}/bin
HELPER=$SRC/tests/interop/esp_hostile.py
CHARON=/usr/lib/ipsec/charon
PY=/usr/bin/python3	# Debian's, with python3-scapy (not a pyenv build)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip unshare swanctl ping curl; do command -v $t >/dev/null || skip "$t missing"; done
[ -x "$CHARON" ] || skip "$CHARON missing"
[ -x "$PY" ] || skip "$PY missing"
$PY -c 'import scapy.layers.ipsec, cryptography' 2>/dev/null ||
    skip "python3-scapy / python3-cryptography missing (scripts/deps.sh installs them)"

W=$(mktemp -d "${TMPDIR:-/tmp}/bgtest-hostile-$$.XXXXXX")
NS_G=bghx-$$-gw
NS_B=bghx-$$-b1
PFX=bh$$-
API=127.0.0.1:18082
RC=0
DPID=
C=$W/b1

cleanup() {
	[ -s "$C/run/charon.pid" ] && kill "$(cat "$C/run/charon.pid")" 2>/dev/null
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	sleep 0.3
	for n in "$NS_B" "$NS_G"; do ip netns del "$n" 2>/dev/null; done
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX"); do ip netns del "$n"; done
	if [ "$RC" != 0 ]; then
		echo "--- branchgated log (tail)"; tail -60 "$W/daemon.log"
		echo "--- charon log (tail)"; grep -v "^[0-9:]* [0-9]*\[CHD\] *[0-9]*: " "$C/charon.log" 2>/dev/null | tail -30
	fi
	[ -n "${KEEP:-}" ] && echo "kept $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*"; RC=1; }
ok() { echo "ok   $*"; }

for n in "$NS_G" "$NS_B"; do
	ip netns add "$n" || { echo "FAIL: netns $n"; exit 1; }
	ip -n "$n" link set lo up
done
ip link add hxb1 netns "$NS_B" type veth peer name hxg1 netns "$NS_G" || { fail "veth"; exit 1; }
ip -n "$NS_B" addr add 192.0.2.1/24 dev hxb1
ip -n "$NS_G" addr add 192.0.2.2/24 dev hxg1
ip -n "$NS_B" link set hxb1 up
ip -n "$NS_G" link set hxg1 up

# --- the gateway ------------------------------------------------------------
DB=sqlite:$W/bg.db
"$BIN/branchgate" tenant create tenant-h --db "$DB" >"$W/t.json" || { fail "tenant create"; exit 1; }
TOK=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$W/t.json")
ip netns exec "$NS_G" "$BIN/branchgated" --db "$DB" --api "$API" \
    --endpoint 1=192.0.2.2 --netns-prefix "$PFX" \
    --esp-workers 2 --log-level debug >"$W/daemon.log" 2>&1 &
DPID=$!
for _ in $(seq 100); do grep -q "API listening" "$W/daemon.log" && break; sleep 0.1; done
grep -q "API listening" "$W/daemon.log" || { fail "branchgated did not start"; exit 1; }

bg() { ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$TOK" "$BIN/branchgate" "$@"; }
printf '%s\n' 'esp-hostile-psk-0123456789' >"$W/psk"

# --- the strongSwan branch (as test_esp_strongswan.sh; chd = 4 for keys) ----
RN=$(bg -q rn create --name "hostile branch" --region westEurope) || { fail "rn create"; exit 1; }
LINK=$(bg -q link create "$RN" --name hostile-link --ip 192.0.2.1 --vendor other \
    --asn 65000 --local-bgp 10.255.0.1 --peer-bgp 10.1.0.1 --psk-file "$W/psk") ||
    { fail "link create"; exit 1; }
# A second link of the same remote network, never brought up: (8b) tries
# to open its BGP session (peer 10.1.0.2 -> 10.255.0.2:179) through the
# first link's tunnel.
LINK2=$(bg -q link create "$RN" --name other-link --ip 192.0.2.3 --vendor other \
    --asn 65000 --local-bgp 10.255.0.2 --peer-bgp 10.1.0.2 --psk-file "$W/psk") ||
    { fail "second link create"; exit 1; }
mkdir -p "$C/run" "$C"/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12}
bg cpe-config "$RN" "$LINK" --format swanctl -o "$C/swanctl.conf" || { fail "cpe-config"; exit 1; }
# kernel-libipsec does ESP over charon's UDP sockets only (raw ESP is an
# option from strongSwan 5.9.11, docs.strongswan.org kernel-libipsec; Debian
# 12 has 5.9.8): encap = yes fakes NAT detection so both ends use UDP.
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
      chd = 4
      flush_line = yes
    }
  }
  plugins { vici { socket = unix://$C/charon.vici } }
}
EOC
VICI=unix://$C/charon.vici
ip netns exec "$NS_B" unshare -m --propagation private sh -c \
    "mount --bind '$C/run' /run && STRONGSWAN_CONF='$C/strongswan.conf' exec $CHARON" \
    </dev/null >"$C/charon.stdout" 2>&1 &
for _ in $(seq 100); do [ -S "$C/charon.vici" ] && break; sleep 0.1; done
[ -S "$C/charon.vici" ] || { fail "charon did not start"; exit 1; }
swanctl --load-all --file "$C/swanctl.conf" --uri "$VICI" >/dev/null 2>&1 || { fail "swanctl --load-all"; exit 1; }
for _ in $(seq 100); do
	swanctl --list-sas --uri "$VICI" 2>/dev/null | grep -q INSTALLED && break
	sleep 0.2
done
swanctl --list-sas --uri "$VICI" 2>/dev/null | grep -q INSTALLED || { fail "tunnel did not come up"; exit 1; }
for _ in $(seq 50); do ip -n "$NS_B" link show ipsec0 >/dev/null 2>&1 && break; sleep 0.1; done
ip -n "$NS_B" addr add 10.1.0.1/32 dev ipsec0
ip -n "$NS_B" route add 10.255.0.1/32 dev ipsec0 src 10.1.0.1

tunnel_ok() {	# tunnel_ok WHAT
	local out
	out=$(ip netns exec "$NS_B" ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.255.0.1 2>&1)
	echo "$out" | grep -q " 0% packet loss" || { fail "$1: tunnel ping: $(echo "$out" | tail -2 | tr '\n' ' ')"; return 1; }
}
tunnel_ok "before" && ok "tunnel up, b1 pings 10.255.0.1 through branchgated" || exit 1

# --- the branch -> gateway SA: SPI (strongSwan's "out"), key + salt ---------
swanctl --list-sas --uri "$VICI" >"$W/sas.txt"
SPI=$(awk '$1 == "out" { sub(",", "", $2); print $2; exit }' "$W/sas.txt")
OSPI=$(awk '$1 == "in" { sub(",", "", $2); print $2; exit }' "$W/sas.txt")
# charon (chd = 4): "encryption initiator key => 36 bytes @ 0x...", then hex
# dump lines "   0: 01 02 ... ". The branch initiated: its outbound key is
# the initiator's. The last CHILD_SA derived is the installed one.
KEY=$(awk '
	/encryption initiator key =>/ { k = ""; grab = 1; next }
	grab && /\[CHD\] *[0-9]+: / {
		sub(/.*\[CHD\] *[0-9]+: /, ""); n = split($0, f, " ")
		for (i = 1; i <= n && i <= 16; i++) if (f[i] ~ /^[0-9A-Fa-f][0-9A-Fa-f]$/) k = k f[i]
		next
	}
	grab { grab = 0; key = k }
	END { if (grab) key = k; print key }' "$C/charon.log")
if [ -z "$SPI" ] || [ ${#KEY} != 72 ]; then
	fail "SA keys: spi '$SPI', key '${KEY}' (${#KEY} hex digits)"
	grep -A4 "encryption initiator key" "$C/charon.log" | head -10
	exit 1
fi
ok "branch -> gateway SA: SPI 0x$SPI, key+salt from charon's chd=4 log ($(grep -Eo 'AES_GCM[^ ,]*' "$W/sas.txt" | head -1))"

# strongSwan's next sequence number: its "out" packet count. Crafted packets
# use numbers a little ahead (well inside the gateway's 1024+ window), so
# strongSwan's own later packets are neither behind the window nor reused.
NPK=$(grep -E '^ *out ' "$W/sas.txt" | grep -Eo '[0-9]+ packets' | head -1 | cut -d' ' -f1)
SEQ=$(( ${NPK:-20} + 300 ))

# --- counters -----------------------------------------------------------------
# snap FILE: SIGHUP, wait for the new counter lines, parse them (with the
# gateway namespace's IPv4 input counters).
snap() {
	local off i
	off=$(stat -c %s "$W/daemon.log")
	ip netns exec "$NS_G" cat /proc/net/snmp /proc/net/netstat >"$1.snmp" || return 1
	kill -HUP "$DPID" 2>/dev/null || return 1
	for i in $(seq 50); do
		tail -c +$((off + 1)) "$W/daemon.log" | grep -q "esp: link .* sa in 0x$SPI " && break
		sleep 0.1
	done
	$PY "$HELPER" counters "$W/daemon.log" "$off" "$SPI" "$1.snmp" >"$1"
}

# hostile CATEGORY DESCRIPTION
hostile() {
	local cat=$1 what=$2 res
	snap "$W/$cat.before.json" || { fail "$cat: counters before"; return; }
	ip netns exec "$NS_B" $PY "$HELPER" send "$cat" --spi "$SPI" --key "$KEY" \
	    --seq "$SEQ" --src 192.0.2.1 --dst 192.0.2.2 --state "$W" \
	    --other-spi "$OSPI" >"$W/$cat.expect.json" 2>"$W/$cat.err" ||
	    { fail "$cat: sending: $(tail -3 "$W/$cat.err")"; return; }
	SEQ=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["next_seq"])' "$W/$cat.expect.json")
	sleep 0.5
	snap "$W/$cat.after.json" || { fail "$cat: counters after (daemon gone?)"; return; }
	if grep -q '"echo_reply": false' "$W/$cat.expect.json"; then
		fail "$what: no echo reply through the tunnel"
	elif res=$($PY "$HELPER" check "$W/$cat.before.json" "$W/$cat.after.json" "$W/$cat.expect.json"); then
		case $cat in
		*valid) ok "$what: accepted, answered ($res)" ;;
		*) ok "$what: dropped and counted ($(echo "$res" | head -1))" ;;
		esac
	else
		fail "$what: $(echo "$res" | tr '\n' ' ')"
	fi
	kill -0 "$DPID" 2>/dev/null || { fail "$what: branchgated died"; return; }
	grep -qE "AddressSanitizer|runtime error" "$W/daemon.log" && fail "$what: sanitizer report"
	tunnel_ok "$what" && ok "$what: daemon running, tunnel still works"
}

# (1) a valid crafted packet is accepted: the SA counts it and the gateway's
# answer comes back through the tunnel.
snap "$W/valid.before.json" || fail "valid: counters"
ip netns exec "$NS_B" $PY "$HELPER" send valid --spi "$SPI" --key "$KEY" --seq "$SEQ" \
    --src 192.0.2.1 --dst 192.0.2.2 --state "$W" >"$W/valid.expect.json" 2>"$W/valid.err" ||
    fail "valid: sending: $(tail -3 "$W/valid.err")"
SEQ=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["next_seq"])' "$W/valid.expect.json" 2>/dev/null || echo $((SEQ + 1)))
sleep 0.3
snap "$W/valid.after.json"
res=$($PY "$HELPER" check "$W/valid.before.json" "$W/valid.after.json" "$W/valid.expect.json") &&
    grep -q '"echo_reply": true' "$W/valid.expect.json" &&
    ok "(1) crafted valid ESP (seq $((SEQ - 1))) accepted ($res), echo reply came back through the tunnel" ||
    fail "(1) crafted valid ESP: $res; $(cat "$W/valid.expect.json")"

hostile replay "(2) replayed (same datagram x3, seq 1)"
hostile truncated "(3) truncated (18 lengths)"
hostile badicv "(4) bad ICV (6 bit flips)"
hostile unknown-spi "(5) unknown SPI (23 SPIs)"
hostile padding "(6) wrong padding (5) + bad next header (1)"
hostile oversized "(7) oversized (2100, 9000, 65000 octets, 3 kB ESP)"
hostile garbage "(8) garbage on 4500 (random, marker + junk IKE, 0xFF lookalikes)"
hostile spoofed "(8b) authentic ESP from sources not the link's (uRPF: another link's BGP address, an unannounced LAN, the gateway's own; a SYN opening the other link's BGP session)"

# The valid path still works after all that: another crafted packet.
hostile valid "(9) crafted valid ESP after the storm"

# The same SA's ESP straight over IP (protocol 50).
hostile raw-valid "(10) raw ESP: crafted valid packet"
hostile raw-replay "(11) raw ESP: replayed (x3)"
hostile raw-truncated "(12) raw ESP: truncated (15 lengths, 0 to ICV - 1)"
hostile raw-badicv "(13) raw ESP: bad ICV (5 bit flips)"
hostile raw-garbage "(14) raw ESP: unknown SPIs (16, SPI 0 too) + 20 random"
hostile raw-iphdr "(15) raw ESP: lying IPv4 headers (version, IHL, length, checksum, trimmed, lone fragment) + options + fragments"
hostile raw-oversized "(16) raw ESP: oversized (2100, 9000, 65000 octets, 3 kB ESP)"
hostile valid "(17) crafted valid ESP-in-UDP after the raw storm"

# The status endpoint shows the drops (refreshed once a second).
sleep 1.2
st=$(ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOK" \
    "http://$API/networkAccess/connectivity/remoteNetworks/$RN/deviceLinks/$LINK/status")
echo "$st" | $PY -c '
import glob, json, sys
d = json.load(sys.stdin); e = d["esp"]
want = {"replayDrops": 0, "authenticationFailures": 0, "malformedDrops": 0,
        "spoofedSourceDrops": 0}
for f in glob.glob(sys.argv[1] + "/*.expect.json"):
    x = json.load(open(f))["expect"]
    want["replayDrops"] += x["sa-replay"]
    want["authenticationFailures"] += x["sa-auth"]
    want["malformedDrops"] += x["sa-malformed"]
    want["spoofedSourceDrops"] += x["spoofed-source"]
assert d["tunnelState"] == "connected", d
assert all(e[k] == v for k, v in want.items()), (e, want)
print("replay %d, auth %d, malformed %d, spoofed source %d, in %d pkts" % (e["replayDrops"], e["authenticationFailures"], e["malformedDrops"], e["spoofedSourceDrops"], e["inboundPackets"]))
' "$W" >"$W/st.txt" 2>&1 && ok "status endpoint: connected, $(cat "$W/st.txt")" || fail "status endpoint: $st $(tail -1 "$W/st.txt")"

# The other link's session never saw a connection (tunnel-bound sessions).
st2=$(ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOK" \
    "http://$API/networkAccess/connectivity/remoteNetworks/$RN/deviceLinks/$LINK2/status")
echo "$st2" | $PY -c 'import json,sys; b=json.load(sys.stdin)["bgp"]; assert b["state"] == "active" and b["lastError"] is None and b["receivedPrefixes"] == 0, b' &&
    ! grep -q "10.1.0.2.*connect\|connect.*10.1.0.2" "$W/daemon.log" &&
    ok "(8b) the other link's BGP session saw no connection from the first link's tunnel" ||
    fail "(8b) other link's session: $st2"

kill -0 "$DPID" 2>/dev/null || fail "branchgated died"
kill "$DPID"; wait "$DPID"; drc=$?; DPID=
[ "$drc" = 0 ] || fail "branchgated exit status $drc"
grep -E "AddressSanitizer|runtime error|LeakSanitizer" "$W/daemon.log" && fail "sanitizer report in branchgated"
[ "$RC" = 0 ] && echo "all hostile ESP cases passed"
exit $RC
