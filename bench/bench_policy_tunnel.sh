#!/bin/bash
# bench_policy_tunnel.sh - iperf3 TCP through one tunnel to a host on the
# internet side, with and without the full security policy, in one run:
#
#   bbp-N-br: strongSwan branch 192.0.2.1 ==== bbp-N-gw: branchgated
#   bbp-N-in: iperf3 server 203.0.113.2 (reached through the egress SNAT)
#
#   1. Internet Access assigned, no security policy
#   2. the baseline profile at the limits: 100 policies, 1,000 rules (200
#      cloud firewall rules, none matching iperf's port; 800 FQDN rules
#      with 8,000 names), so every new flow walks the firewall and every
#      packet takes the flow table
#   3. no policy again (the drift of the machine between runs)
#
# Prints Mbit/s for each and the ratio 2 / mean(1, 3). Needs root,
# strongSwan and iperf3. Usage: bench_policy_tunnel.sh [BINDIR]. Figures
# only, no assertion.
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$SRC/build/bin}
CHARON=/usr/lib/ipsec/charon
SECS=${SECS:-10}

die() { echo "bench-policy-tunnel: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for t in ip swanctl iperf3 python3 curl; do command -v $t >/dev/null || die "$t missing"; done
[ -x "$CHARON" ] || die "$CHARON missing"
[ -x "$BIN/branchgated" ] || die "$BIN/branchgated missing (make build)"

W=$(mktemp -d "${TMPDIR:-/tmp}/bgbench-pol-$$.XXXXXX")
NS_B=bbp-$$-br
NS_G=bbp-$$-gw
NS_I=bbp-$$-in
PFX=bq$$-
API=127.0.0.1:18091
DPID=

cleanup() {
	[ -s "$W/br/run/charon.pid" ] && kill "$(cat "$W/br/run/charon.pid")" 2>/dev/null
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	sleep 0.3
	for n in "$NS_B" "$NS_G" "$NS_I"; do ip netns del "$n" 2>/dev/null; done
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX"); do ip netns del "$n"; done
	[ -n "${KEEP:-}" ] && echo "logs kept in $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for n in "$NS_B" "$NS_G" "$NS_I"; do ip netns add "$n" || die "netns $n"; ip -n "$n" link set lo up; done
ip link add bqb0 netns "$NS_B" type veth peer name bqg0 netns "$NS_G"
ip link add bqi0 netns "$NS_I" type veth peer name bqgi netns "$NS_G"
ip -n "$NS_B" addr add 192.0.2.1/24 dev bqb0
ip -n "$NS_G" addr add 192.0.2.2/24 dev bqg0
ip -n "$NS_I" addr add 203.0.113.2/24 dev bqi0
ip -n "$NS_G" addr add 203.0.113.1/24 dev bqgi
for l in "$NS_B bqb0" "$NS_G bqg0" "$NS_I bqi0" "$NS_G bqgi"; do set -- $l; ip -n "$1" link set "$2" up; done

DB=sqlite:$W/bg.db
"$BIN/branchgate" tenant create bench --db "$DB" >"$W/t.json" || die "tenant create"
TOKEN=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$W/t.json")
ip netns exec "$NS_G" "$BIN/branchgated" --db "$DB" --api "$API" --endpoint 1=192.0.2.2 \
    --netns-prefix "$PFX" --egress 203.0.113.1 >"$W/daemon.log" 2>&1 &
DPID=$!
for _ in $(seq 100); do grep -q "API listening" "$W/daemon.log" && break; sleep 0.1; done
grep -q "API listening" "$W/daemon.log" || die "branchgated did not start"
bg() { ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$TOKEN" "$BIN/branchgate" "$@"; }
api() {
	ip netns exec "$NS_G" curl -s -X "$1" -H "Authorization: Bearer $TOKEN" \
	    -H 'Content-Type: application/json' ${3:+--data @-} "http://$API/networkAccess$2" <<<"${3:-}"
}
IPROF=$(api GET /forwardingProfiles | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin)["value"] if p["trafficForwardingType"] == "internet"][0])')
RN=$(bg -q rn create --name bench --region westEurope --profile "$IPROF") || die "rn create"
printf '%s\n' 'bench-policy-psk-0123456789' >"$W/psk"
LINK=$(bg -q link create "$RN" --name l --ip 192.0.2.1 --vendor other --asn 65000 \
    --local-bgp 10.255.0.1 --peer-bgp 10.1.0.1 --psk-file "$W/psk") || die "link create"

C=$W/br
mkdir -p "$C/run"
bg cpe-config "$RN" "$LINK" --format swanctl -o "$C/swanctl.conf" || die "cpe-config"
sed -i '/^    mobike = no/a\    encap = yes' "$C/swanctl.conf"
cat >"$C/strongswan.conf" <<EOF
charon {
  load = random nonce openssl aes sha1 sha2 hmac gcm kdf curve25519 pem pkcs1 pubkey x509 kernel-libipsec kernel-netlink socket-default vici
  routing_table = 220
  routing_table_prio = 40000
  plugins { vici { socket = unix://$C/charon.vici } }
}
EOF
ip netns exec "$NS_B" unshare -m --propagation private sh -c \
    "mount --bind '$C/run' /run && STRONGSWAN_CONF='$C/strongswan.conf' exec $CHARON" \
    </dev/null >"$C/charon.log" 2>&1 &
for _ in $(seq 100); do [ -S "$C/charon.vici" ] && break; sleep 0.1; done
swanctl --load-all --file "$C/swanctl.conf" --uri "unix://$C/charon.vici" >/dev/null 2>&1 || die "swanctl"
for _ in $(seq 100); do
	swanctl --list-sas --uri "unix://$C/charon.vici" 2>/dev/null | grep -q INSTALLED && break
	sleep 0.2
done
for _ in $(seq 50); do ip -n "$NS_B" link show ipsec0 >/dev/null 2>&1 && break; sleep 0.1; done
ip -n "$NS_B" addr add 10.1.0.1/32 dev ipsec0
ip -n "$NS_B" route add 203.0.113.0/24 dev ipsec0 src 10.1.0.1

run_iperf() {
	ip netns exec "$NS_I" iperf3 -s -1 -B 203.0.113.2 >/dev/null 2>&1 &
	local s=$!
	sleep 0.5
	ip netns exec "$NS_B" iperf3 -c 203.0.113.2 -B 10.1.0.1 -t "$SECS" -J >"$W/iperf.json" 2>&1
	wait "$s" 2>/dev/null
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.0f" % (d["end"]["sum_received"]["bits_per_second"]/1e6))' "$W/iperf.json" 2>/dev/null ||
	    echo 0
}

echo "== 1. Internet Access, no security policy"
M1=$(run_iperf); echo "   $M1 Mbit/s"

echo "== 2. baseline profile at the limits (1,000 rules, 8,000 FQDNs)"
BASE=$(api GET /filteringProfiles | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin)["value"] if p["priority"] == 65000][0])')
# 99 filtering policies x ~8 FQDN rules of 10 names (800 rules, 8,000 names),
# one firewall policy with 200 rules on ports iperf does not use.
python3 - "$W/bodies" <<'EOP'
import json, sys
out = open(sys.argv[1], "w")
n = 0
for p in range(99):
    rules = []
    for r in range(9 if p < 8 else 8):
        if n >= 800:
            break
        rules.append({"@odata.type": "#microsoft.graph.networkaccess.fqdnFilteringRule",
                      "name": "r%d" % n, "ruleType": "fqdn",
                      "destinations": [{"@odata.type": "#microsoft.graph.networkaccess.fqdn",
                                        "value": "*.n%d-%d.bench.test" % (n, k)} for k in range(10)]})
        n += 1
    out.write("P %d %s\n" % (p, json.dumps({"name": "bench %d" % p, "action": "block", "policyRules": rules})))
for r in range(200):
    out.write("F %d %s\n" % (r, json.dumps({"name": "fw%d" % r, "priority": 100 + r, "action": "block",
        "settings": {"status": "enabled"},
        "matchingConditions": {"destinations": {"ports": [str(20000 + r)], "protocols": "tcp"}}})))
EOP
FW=$(api POST /cloudFirewallPolicies '{"name":"bench firewall"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
api POST "/filteringProfiles/$BASE/policies" "{\"@odata.type\":\"#microsoft.graph.networkaccess.cloudFirewallPolicyLink\",\"state\":\"enabled\",\"policy\":{\"id\":\"$FW\"}}" >/dev/null
while read -r kind i body; do
	if [ "$kind" = P ]; then
		id=$(api POST /filteringPolicies "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
		api POST "/filteringProfiles/$BASE/policies" "{\"@odata.type\":\"#microsoft.graph.networkaccess.filteringPolicyLink\",\"priority\":$((100 + i)),\"state\":\"enabled\",\"loggingState\":\"enabled\",\"policy\":{\"id\":\"$id\"}}" >/dev/null
	else
		api POST "/cloudFirewallPolicies/$FW/policyRules" "$body" >/dev/null
	fi
done <"$W/bodies"
sleep 1
n=$(api GET "/filteringProfiles/$BASE/policies" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["value"]))')
r=$(api GET "/cloudFirewallPolicies/$FW/policyRules" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["value"]))')
echo "   $n policies linked to the baseline (one of them the firewall, $r rules)"
M2=$(run_iperf); echo "   $M2 Mbit/s"

echo "== 3. no security policy again (links removed)"
for l in $(api GET "/filteringProfiles/$BASE/policies" | python3 -c 'import json,sys; print(" ".join(x["id"] for x in json.load(sys.stdin)["value"]))'); do
	api DELETE "/filteringProfiles/$BASE/policies/$l" >/dev/null
done
sleep 1
M3=$(run_iperf); echo "   $M3 Mbit/s"
echo
python3 -c 'import sys; m1, m2, m3 = (float(x) for x in sys.argv[1:]); r = m2 / ((m1 + m3) / 2) if m1 + m3 else 0; print("iperf3 through the tunnel: policy %.0f Mbit/s, none %.0f / %.0f Mbit/s: ratio %.1f %%" % (m2, m1, m3, 100 * r))' "$M1" "$M2" "$M3"
