#!/bin/bash
# loadgen.sh - N simulated branches (bench_loadgen: the project's IKEv2
# initiator and ESP, one process) against one branchgated gateway node,
# each with its own public address, PSK, BGP session (BIRD, one protocol per
# branch, through the loadgen's TUN) advertising two /24s, and a ping
# every 5 s to its gateway BGP address.
#
#   bglg-P-lg: bench_loadgen, TUN lg0 (10.201.x.y/32 each, 10.202/16 routed
#              into it), BIRD;  10.200.x.y/32 (one per branch) on lgv0,
#              10.199.0.1/24
#                 ==veth==
#   bglg-P-gw: 10.199.0.254/24: branchgated, tenant namespaces bglg-Pt-*;
#              10.200.0.0/16 via 10.199.0.1
#
# Branch i: a = i / 250, b = i % 250 + 1; public 10.200.a.b, BGP peer
# (branch) 10.201.a.b, gateway BGP 10.202.a.b; tenants of 40 links
# (10 remote networks x 4), created through the API before the loadgen
# starts. Prints: link creation time, tunnels up (s, setups/s), BGP all
# Established, gateway RSS per tunnel, idle CPU over IDLE_S seconds, the
# time for a change (a link deleted) to reach the data plane, and the time
# to restart the gateway and get every tunnel and session back.
#
# usage: loadgen.sh [--check] [N] [BINDIR]   (default 200, build/bin)
# --check (tests/interop/wip_loadgen.sh): exit 1 unless every tunnel came
# up, every BGP session reached Established and every tunnel carried
# traffic both ways (ping replies, per-link ESP counters); skips the idle
# CPU, change and restart figures. Polls are bounded; nothing is timed.
# Needs root, BIRD, curl, python3. API ports LG_API_PORT (18140) and +1.
set -u

CHECK=0
[ "${1:-}" = --check ] && { CHECK=1; shift; }
N=${1:-200}
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${2:-$SRC/build/bin}
LGBIN=${LGBIN:-$(dirname "$BIN")/bench/bench_loadgen}
IDLE_S=${IDLE_S:-30}
API=127.0.0.1:${LG_API_PORT:-18140}
MET=127.0.0.1:$(( ${LG_API_PORT:-18140} + 1 ))
NS_L=bglg-$$-lg
NS_G=bglg-$$-gw
PFX=bglg-$$t-
GWIP=10.199.0.254
RC=0

die() { echo "loadgen: $*" >&2; RC=1; exit 1; }
[ "$(id -u)" = 0 ] || { echo "loadgen: needs root" >&2; exit 77; }
for t in ip bird birdc curl python3; do command -v $t >/dev/null || { echo "loadgen: $t missing" >&2; exit 77; }; done
[ -x "$BIN/branchgated" ] || die "$BIN/branchgated missing"
[ -x "$LGBIN" ] || die "$LGBIN missing"

W=$(mktemp -d "${TMPDIR:-/tmp}/bglg-$$.XXXXXX")
DPID= LPID=
cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null && wait "$LPID" 2>/dev/null
	[ -f "$W/bird.pid" ] && kill "$(cat "$W/bird.pid")" 2>/dev/null
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	sleep 0.3
	ip netns del "$NS_L" 2>/dev/null; ip netns del "$NS_G" 2>/dev/null
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX"); do ip netns del "$n"; done
	if [ -n "${KEEP:-}" ] || [ "$RC" != 0 ]; then echo "loadgen: logs in $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'RC=1; exit 1' INT TERM

now_ms() { date +%s%3N; }
secs() { python3 -c "print('%.1f' % (($2 - $1) / 1000.0))"; }
# poll TIMEOUT_S CMD...: until CMD succeeds, every 0.5 s; 1 on timeout
poll() { local t=$(( $1 * 2 )); shift; for _ in $(seq "$t"); do "$@" && return 0; sleep 0.5; done; return 1; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
metric_count() {	# NAME: links whose metric NAME is > 0
	ip netns exec "$NS_G" curl -s "http://$MET/metrics" | awk -v m="$1" '$1 ~ "^"m"[{]" && $2 > 0 {n++} END {print n + 0}'
}
lg_status() { sed -n "s/^$1=//p" "$W/status" 2>/dev/null; }

ip netns add "$NS_L" && ip netns add "$NS_G" || die "netns"
ip -n "$NS_L" link set lo up; ip -n "$NS_G" link set lo up
ip link add lgv0 netns "$NS_L" type veth peer name lgv1 netns "$NS_G"
ip -n "$NS_L" addr add 10.199.0.1/24 dev lgv0
ip -n "$NS_G" addr add $GWIP/24 dev lgv1
ip -n "$NS_L" link set lgv0 up; ip -n "$NS_G" link set lgv1 up
# The branches sit behind one router (the loadgen namespace), as real ones
# do: on-link, each would be a neighbour entry at the gateway, and past
# gc_thresh3 (1,024, for all namespaces) the kernel drops the packets of
# new ones ("neighbor table overflow": measured, setups fell from 326/s
# to 18/s at 5,000 branches).
ip -n "$NS_G" route add 10.200.0.0/16 via 10.199.0.1

# The branches: addresses, PSKs, BIRD protocols.
umask 077
python3 - "$N" "$W" <<'EOF'
import os, sys
n, w = int(sys.argv[1]), sys.argv[2]
br = open(w + "/branches", "w"); ips = open(w + "/ips.batch", "w")
bird = open(w + "/bird.conf", "w")
bird.write('router id 10.200.255.1;\nlog "%s/bird.log" all;\nprotocol device {}\n' % w)
for i in range(n):
    a, b = i // 250, i % 250 + 1
    psk = os.urandom(16).hex()
    br.write("10.200.%d.%d 10.201.%d.%d 10.202.%d.%d %s\n" % (a, b, a, b, a, b, psk))
    ips.write("address add 10.200.%d.%d/32 dev lgv0\n" % (a, b))
    p = 2 * i
    bird.write('protocol static s%d { ipv4; route 10.%d.%d.0/24 blackhole; route 10.%d.%d.0/24 blackhole; }\n'
               % (i, 64 + p // 256, p % 256, 64 + (p + 1) // 256, (p + 1) % 256))
    bird.write('protocol bgp b%d { local 10.201.%d.%d as %d; neighbor 10.202.%d.%d as 65476; multihop 2;'
               ' connect retry time 5; ipv4 { import none; export where proto = "s%d"; }; }\n'
               % (i, a, b, 64512 + i % 900, a, b, i))
EOF
umask 022
ip -n "$NS_L" -batch "$W/ips.batch" || die "addresses"

# The gateway and its links (tenants of 40: 10 remote networks x 4 links).
DB=sqlite:$W/bg.db
NT=$(( (N + 39) / 40 ))
for t in $(seq 0 $((NT - 1))); do
	"$BIN/branchgate" tenant create "lg$t" --db "$DB" >"$W/t$t.json" || die "tenant create"
done
ip netns exec "$NS_G" ${GWWRAP:-} "$BIN/branchgated" --db "$DB" --api "$API" --metrics "$MET" \
    --endpoint 1=$GWIP --netns-prefix "$PFX" >"$W/gw.log" 2>&1 &
DPID=$!
poll 20 grep -q "API listening" "$W/gw.log" || die "branchgated did not start"
RSS0=$(rss_kb "$DPID")

mklinks() {	# TENANT: its remote networks and links
	local t=$1 tok i r rn line pub peer gwl psk
	tok=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$W/t$t.json")
	bg() { ip netns exec "$NS_G" env ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$tok" "$BIN/branchgate" "$@"; }
	for r in $(seq 0 9); do
		i=$(( t * 40 + r * 4 ))
		[ "$i" -lt "$N" ] || break
		rn=$(bg -q rn create --name "rn$i" --region westEurope) || { echo "rn create $i failed"; return 1; }
		for k in 0 1 2 3; do
			[ $((i + k)) -lt "$N" ] || break
			read -r pub peer gwl psk < <(sed -n "$((i + k + 1))p" "$W/branches")
			printf '%s\n' "$psk" >"$W/psk.$t"
			bg -q link create "$rn" --name "l$((i + k))" --ip "$pub" --vendor other \
			    --asn $((64512 + (i + k) % 900)) --local-bgp "$gwl" --peer-bgp "$peer" \
			    --psk-file "$W/psk.$t" >/dev/null || { echo "link create $((i + k)) failed"; return 1; }
		done
	done
}
T0=$(now_ms)
pids=
for t in $(seq 0 $((NT - 1))); do
	mklinks "$t" >"$W/mk$t.log" 2>&1 &
	pids="$pids $!"
	# two at a time: two cores
	[ $((t % 2)) = 1 ] && { wait $pids || die "link creation ($(cat "$W"/mk*.log | head -3))"; pids=; }
done
[ -n "$pids" ] && { wait $pids || die "link creation ($(cat "$W"/mk*.log | head -3))"; }
T1=$(now_ms)
links_in() { [ "$(ip netns exec "$NS_G" curl -s "http://$MET/metrics" | sed -n 's/^branchgate_links \([0-9]*\).*/\1/p')" = "$N" ]; }
poll 120 links_in || die "the gateway does not hold $N links"
T2=$(now_ms)
RSS1=$(rss_kb "$DPID")
echo "links: $N in $NT tenants created through the API in $(secs "$T0" "$T1") s; all in the gateway $(secs "$T1" "$T2") s later"

# Tunnels.
ip netns exec "$NS_L" "$LGBIN" --gateway $GWIP --branches "$W/branches" --tun lg0 \
    --status "$W/status" >"$W/lg.log" 2>&1 &
LPID=$!
T3=$(now_ms)
all_up() { [ "$(lg_status up)" = "$N" ]; }
poll $(( 60 + N / 20 )) all_up || { RC=1; echo "FAIL: tunnels up: $(lg_status up) of $N"; }
T4=$(now_ms)
echo "tunnels: $(lg_status up)/$N up in $(secs "$T3" "$T4") s ($(python3 -c "print('%.0f' % ($N / max(0.001, ($T4 - $T3) / 1000.0)))") setups/s; loadgen's own clock: $(lg_status all_up_ms) ms)"

# BGP: BIRD started once the tunnels are up (its connect retry would only
# add waiting otherwise); one session per branch.
ip netns exec "$NS_L" bird -c "$W/bird.conf" -s "$W/bird.ctl" -P "$W/bird.pid" >"$W/bird.out" 2>&1 || die "bird: $(cat "$W/bird.out")"
T5=$(now_ms)
bgp_all() { [ "$(metric_count branchgate_link_bgp_established)" = "$N" ]; }
poll $(( 60 + N / 20 )) bgp_all || { RC=1; echo "FAIL: BGP established: $(metric_count branchgate_link_bgp_established) of $N"; }
T6=$(now_ms)
echo "bgp: $(metric_count branchgate_link_bgp_established)/$N sessions Established in $(secs "$T5" "$T6") s (routes accepted on $(metric_count branchgate_link_bgp_routes_accepted) links)"
RSS2=$(rss_kb "$DPID")
LRSS=$(rss_kb "$LPID")
python3 -c "import sys; r0, r1, r2, n = map(int, sys.argv[1:]); print('gateway RSS: %d KiB idle, %d KiB with %d links (%.1f KiB/link), %d KiB with tunnels+BGP up (%.1f KiB/tunnel over the links)' % (r0, r1, n, (r1 - r0) / n, r2, (r2 - r1) / n))" "$RSS0" "$RSS1" "$RSS2" "$N"
echo "loadgen RSS: $LRSS KiB"

# Traffic: every tunnel answered pings and the gateway counted ESP both ways.
echoed() { [ "$(lg_status echoed_branches)" = "$N" ] && [ "$(metric_count branchgate_link_esp_in_packets_total)" = "$N" ] && [ "$(metric_count branchgate_link_esp_out_packets_total)" = "$N" ]; }
poll 30 echoed || { RC=1; echo "FAIL: traffic: pings answered on $(lg_status echoed_branches) of $N"; }
echo "traffic: pings answered on $(lg_status echoed_branches)/$N tunnels ($(lg_status echo_rx) of $(lg_status echo_tx) replies), ESP in on $(metric_count branchgate_link_esp_in_packets_total), out on $(metric_count branchgate_link_esp_out_packets_total) links"

if [ "$CHECK" = 1 ]; then
	[ "$RC" = 0 ] && echo "loadgen: all $N tunnels up, BGP Established, traffic both ways"
	exit "$RC"
fi

# Idle CPU: the gateway with every tunnel and session up, IDLE_S seconds.
HZ=$(getconf CLK_TCK)
C0=$(cpu_ticks "$DPID"); L0=$(cpu_ticks "$LPID"); sleep "$IDLE_S"
C1=$(cpu_ticks "$DPID"); L1=$(cpu_ticks "$LPID")
python3 -c "import sys; c0, c1, l0, l1, hz, s = map(int, sys.argv[1:]); print('idle CPU over %d s: gateway %.1f %% of a core, loadgen %.1f %%' % (s, 100.0 * (c1 - c0) / hz / s, 100.0 * (l1 - l0) / hz / s))" "$C0" "$C1" "$L0" "$L1" "$HZ" "$IDLE_S"

# A change reaching the data plane: one link deleted through the API until
# the gateway's metrics no longer show its tunnel.
tok=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$W/t0.json")
RN0=$(ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$tok" "$BIN/branchgate" --json rn list | python3 -c 'import json,sys; v=json.load(sys.stdin); v=v.get("value", v); print(v[0]["id"])')
L0ID=$(ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$tok" "$BIN/branchgate" --json link list "$RN0" | python3 -c 'import json,sys; v=json.load(sys.stdin); v=v.get("value", v); print(v[0]["id"])')
U0=$(metric_count branchgate_link_tunnel_up)
T7=$(now_ms)
ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$tok" "$BIN/branchgate" link delete "$RN0" "$L0ID" --yes >/dev/null || echo "link delete failed"
gone() { [ "$(metric_count branchgate_link_tunnel_up)" -lt "$U0" ]; }
poll 60 gone && echo "change: link deleted -> its tunnel gone from the gateway in $(secs "$T7" "$(now_ms)") s (at $N links; 0.5 s poll)" ||
    echo "change: the deleted link's tunnel still up after 60 s"
NUP=$((U0 - 1))

# Restart: SIGTERM (DELETE to every branch), start again, until every
# tunnel and session is back.
T8=$(now_ms)
kill "$DPID"; wait "$DPID" 2>/dev/null
ip netns exec "$NS_G" ${GWWRAP:-} "$BIN/branchgated" --db "$DB" --api "$API" --metrics "$MET" \
    --endpoint 1=$GWIP --netns-prefix "$PFX" >"$W/gw2.log" 2>&1 &
DPID=$!
back() { [ "$(metric_count branchgate_link_tunnel_up)" -ge "$NUP" ] && [ "$(metric_count branchgate_link_bgp_established)" -ge "$NUP" ]; }
poll $(( 120 + N / 10 )) back && echo "restart: gateway stopped and started, $NUP tunnels and BGP sessions back in $(secs "$T8" "$(now_ms)") s" ||
    echo "restart: only $(metric_count branchgate_link_tunnel_up) tunnels / $(metric_count branchgate_link_bgp_established) sessions of $NUP back"
exit "$RC"
