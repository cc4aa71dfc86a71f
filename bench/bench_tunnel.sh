#!/bin/bash
# bench_tunnel.sh - iperf3 TCP 10 s through one IPsec tunnel between two
# network namespaces, in one run, three ways:
#
#   1. strongSwan branch  <-> strongSwan gateway  (reference: charon +
#      kernel-libipsec on both sides, as ../shared/interop/ipsec-lab.sh
#      iperf measures it: client on the branch, server on the gateway's
#      inner address)
#   2. strongSwan branch  <-> branchgated
#   3. branchgated --role cpe <-> branchgated, ESP in UDP (encap always:
#      what the strongSwan pairs use, encap = yes; UDP GSO/GRO apply)
#   4. the same with raw ESP (encap auto: no NAT here, so protocol 50;
#      raw sockets have no GSO/GRO)
#
#   bbt-N-br 192.0.2.1 ==veth== 192.0.2.2 bbt-N-gw
#
# Prints the four Mbit/s figures and the ratio 3 / 1. Needs root,
# strongSwan (charon, swanctl) and iperf3. Usage: bench_tunnel.sh [BINDIR]
# (default build/bin). No assertion: figures only.
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$SRC/build/bin}
CHARON=/usr/lib/ipsec/charon
SECS=${SECS:-10}

die() { echo "bench-tunnel: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for t in ip swanctl iperf3 python3 nsenter; do command -v $t >/dev/null || die "$t missing"; done
[ -x "$CHARON" ] || die "$CHARON missing"
[ -x "$BIN/branchgated" ] || die "$BIN/branchgated missing (make build)"

W=$(mktemp -d "${TMPDIR:-/tmp}/bgbench-tunnel-$$.XXXXXX")
NS_B=bbt-$$-br
NS_G=bbt-$$-gw
PFX=bt$$-
API=127.0.0.1:18089
PSK=bench-tunnel-psk-0123456789abcdef
DPID=
CPID=
CHARONS=

stop_charon() {	# DIR
	local pid
	pid=$(cat "$1/run/charon.pid" 2>/dev/null) || return 0
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	rm -f "$1/run/charon.pid"
}
cleanup() {
	for d in $CHARONS; do stop_charon "$d"; done
	[ -n "$CPID" ] && kill "$CPID" 2>/dev/null && wait "$CPID" 2>/dev/null
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	sleep 0.3
	ip netns del "$NS_B" 2>/dev/null; ip netns del "$NS_G" 2>/dev/null
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX"); do ip netns del "$n"; done
	[ -n "${KEEP:-}" ] && echo "logs kept in $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for n in "$NS_B" "$NS_G"; do ip netns add "$n" || die "netns $n"; ip -n "$n" link set lo up; done
ip link add btb0 netns "$NS_B" type veth peer name btg0 netns "$NS_G"
ip -n "$NS_B" addr add 192.0.2.1/24 dev btb0
ip -n "$NS_G" addr add 192.0.2.2/24 dev btg0
ip -n "$NS_B" link set btb0 up
ip -n "$NS_G" link set btg0 up

# charon with a private /run (its pid file path is compiled in).
# start_charon NS DIR
start_charon() {
	local ns=$1 d=$2
	mkdir -p "$d/run" "$d"/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12}
	cat >"$d/strongswan.conf" <<EOF
charon {
  load = random nonce openssl aes sha1 sha2 hmac gcm kdf curve25519 pem pkcs1 pubkey x509 kernel-libipsec kernel-netlink socket-default vici
  routing_table = 220
  routing_table_prio = 40000
  retransmit_tries = 3
  filelog { bench { path = $d/charon.log
    time_format = %H:%M:%S
    default = 1
    flush_line = yes } }
  plugins { vici { socket = unix://$d/charon.vici } }
}
EOF
	ip netns exec "$ns" unshare -m --propagation private sh -c \
	    "mount --bind '$d/run' /run && STRONGSWAN_CONF='$d/strongswan.conf' exec $CHARON" \
	    </dev/null >"$d/charon.stdout" 2>&1 &
	CHARONS="$CHARONS $d"
	for _ in $(seq 100); do [ -S "$d/charon.vici" ] && [ -s "$d/run/charon.pid" ] && break; sleep 0.1; done
	[ -S "$d/charon.vici" ] || die "charon in $ns did not start"
	for _ in $(seq 50); do ip -n "$ns" link show ipsec0 >/dev/null 2>&1 && break; sleep 0.1; done
}
sw() { local d=$1; shift; swanctl "$@" --uri "unix://$d/charon.vici"; }

# iperf NS_CLIENT SERVER_IP BIND_IP SERVER_CMD_PREFIX... : prints Mbit/s
run_iperf() {
	local cns=$1 sip=$2 bip=$3; shift 3
	"$@" iperf3 -s -1 -B "$sip" >/dev/null 2>&1 &
	local s=$!
	sleep 0.5
	ip netns exec "$cns" iperf3 -c "$sip" -B "$bip" -t "$SECS" -J >"$W/iperf.json" 2>&1
	wait "$s" 2>/dev/null
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.0f" % (d["end"]["sum_received"]["bits_per_second"]/1e6))' "$W/iperf.json" 2>/dev/null ||
	    echo "0"
}

# --- 1. strongSwan <-> strongSwan (the lab's configuration) -----------------------
lab_conf() {	# DIR LOCAL REMOTE LID RID CONN
	cat >"$1/swanctl.conf" <<EOF
connections {
  $6 {
    version = 2
    local_addrs = $2
    remote_addrs = $3
    proposals = aes256gcm16-prfsha256-x25519
    encap = yes
    mobike = no
    local { auth = psk
      id = $4 }
    remote { auth = psk
      id = $5 }
    children { any { local_ts = 0.0.0.0/0
      remote_ts = 0.0.0.0/0
      esp_proposals = aes256gcm16
      mode = tunnel
      start_action = none } }
  }
}
secrets { ike-lab { id-1 = branch.example
  id-2 = edge.example
  secret = "$PSK" } }
EOF
}
echo "== 1. strongSwan branch <-> strongSwan gateway (kernel-libipsec both sides)"
SB=$W/ss-branch; SE=$W/ss-edge
start_charon "$NS_B" "$SB"; start_charon "$NS_G" "$SE"
lab_conf "$SB" 192.0.2.1 192.0.2.2 branch.example edge.example edge
lab_conf "$SE" 192.0.2.2 %any edge.example branch.example branch
ip -n "$NS_B" addr add 10.99.99.1/29 dev ipsec0
ip -n "$NS_G" addr add 10.99.99.2/29 dev ipsec0
sw "$SB" --load-all --file "$SB/swanctl.conf" >/dev/null 2>&1
sw "$SE" --load-all --file "$SE/swanctl.conf" >/dev/null 2>&1
sw "$SB" --initiate --ike edge --child any >/dev/null 2>&1
sw "$SB" --list-sas 2>/dev/null | grep -q INSTALLED || die "strongSwan <-> strongSwan: no tunnel"
M1=$(run_iperf "$NS_B" 10.99.99.2 10.99.99.1 ip netns exec "$NS_G")
echo "   $M1 Mbit/s"
sw "$SB" --terminate --ike edge >/dev/null 2>&1
stop_charon "$SB"; stop_charon "$SE"
CHARONS=

# --- the branchgated gateway for 2 and 3 ------------------------------------------
DB=sqlite:$W/bg.db
"$BIN/branchgate" tenant create bench --db "$DB" >"$W/t.json" || die "tenant create"
TOKEN=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$W/t.json")
ip netns exec "$NS_G" "$BIN/branchgated" --db "$DB" --api "$API" \
    --endpoint 1=192.0.2.2 --netns-prefix "$PFX" >"$W/gw.log" 2>&1 &
DPID=$!
for _ in $(seq 100); do grep -q "API listening" "$W/gw.log" && break; sleep 0.1; done
grep -q "API listening" "$W/gw.log" || die "branchgated did not start"
bg() { ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$TOKEN" "$BIN/branchgate" "$@"; }
umask 077; printf '%s\n' "$PSK" >"$W/psk"; umask 022
# Internet Access: the gateway forwards only what an assigned profile covers.
IPROF=$(ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOKEN" "http://$API/networkAccess/forwardingProfiles" |
    python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin)["value"] if p["trafficForwardingType"] == "internet"][0])')
RN=$(bg -q rn create --name bench --region westEurope --profile "$IPROF") || die "rn create"
LINK=$(bg -q link create "$RN" --name bench-link --ip 192.0.2.1 --vendor other --asn 65000 \
    --local-bgp 10.255.0.1 --peer-bgp 10.1.0.1 --psk-file "$W/psk") || die "link create"
for _ in $(seq 50); do grep -q "gw: tenant .*: network" "$W/gw.log" && break; sleep 0.1; done
TNS=$(sed -n 's/.*gw: tenant .*: network \([^ ]*\).*/\1/p' "$W/gw.log" | tail -1)
[ -n "$TNS" ] || die "no tenant network"
in_tenant() { nsenter -t "$DPID" -m ip netns exec "$TNS" "$@"; }

# --- 2. strongSwan branch <-> branchgated -------------------------------------------
echo "== 2. strongSwan branch <-> branchgated"
SC=$W/ss-cpe
mkdir -p "$SC"
bg cpe-config "$RN" "$LINK" --format swanctl -o "$SC/swanctl.conf" 2>/dev/null || die "cpe-config"
sed -i '/^    mobike = no/a\    encap = yes' "$SC/swanctl.conf"
start_charon "$NS_B" "$SC"
sw "$SC" --load-all --file "$SC/swanctl.conf" >/dev/null 2>&1
for _ in $(seq 100); do sw "$SC" --list-sas 2>/dev/null | grep -q INSTALLED && break; sleep 0.2; done
sw "$SC" --list-sas 2>/dev/null | grep -q INSTALLED || die "strongSwan <-> branchgated: no tunnel"
ip -n "$NS_B" addr add 10.1.0.1/32 dev ipsec0
ip -n "$NS_B" route add 10.255.0.1/32 dev ipsec0 src 10.1.0.1
M2=$(run_iperf "$NS_B" 10.255.0.1 10.1.0.1 in_tenant)
echo "   $M2 Mbit/s"
IKE=$(awk '/^  bg-[^ ]+ \{$/ { print $1; exit }' "$SC/swanctl.conf")
sw "$SC" --terminate --ike "$IKE" >/dev/null 2>&1
stop_charon "$SC"
CHARONS=

# --- 3./4. branchgated --role cpe <-> branchgated --------------------------------
cpe_run() {	# $1 encap mode; sets M
	cat >"$W/cpe.conf" <<EOF
role cpe
gateway 192.0.2.2
local 192.0.2.1
psk-file $W/psk
policy default
encap $1
tunnel-addr 10.1.0.1
route 10.255.0.1/32
EOF
	ip netns exec "$NS_B" "$BIN/branchgated" --config "$W/cpe.conf" >"$W/cpe.log" 2>&1 &
	CPID=$!
	for _ in $(seq 100); do grep -q "cpe: tunnel up" "$W/cpe.log" && break; sleep 0.2; done
	grep -q "cpe: tunnel up" "$W/cpe.log" || die "CPE <-> branchgated: no tunnel ($(tail -3 "$W/cpe.log"))"
	M=$(run_iperf "$NS_B" 10.255.0.1 10.1.0.1 in_tenant)
	kill "$CPID" 2>/dev/null
	wait "$CPID" 2>/dev/null
	CPID=
	sleep 1
}
echo "== 3. branchgated --role cpe <-> branchgated, ESP in UDP"
cpe_run always
M3=$M
echo "   $M3 Mbit/s"
echo "== 4. branchgated --role cpe <-> branchgated, raw ESP"
cpe_run auto
M4=$M
echo "   $M4 Mbit/s"

echo
printf "%-44s %8s Mbit/s\n" "strongSwan branch <-> strongSwan gateway" "$M1" \
    "strongSwan branch <-> branchgated" "$M2" \
    "branchgate CPE <-> branchgated (ESP in UDP)" "$M3" \
    "branchgate CPE <-> branchgated (raw ESP)" "$M4"
python3 -c 'import sys; a, c = float(sys.argv[1]), float(sys.argv[2]); print("ratio branchgate<->branchgate (ESP in UDP) / strongSwan<->strongSwan: %s" % ("%.1fx" % (c / a) if a > 0 else "n/a"))' "$M1" "$M3"
