#!/bin/bash
# bench_bgp.sh BINDIR DATADIR - `make bench-bgp`: runs bench_bgp inside a
# network namespace of its own ("bgpb<pid>", removed on exit) next to BIRD 2
# on 10.9.0.1: one passive session "feed" (10.9.0.2) for the ingest, and a
# dynamic "neighbor range" of 1,000 peers (10.9.4.0/22, an AnyIP local
# route on lo) exporting the Microsoft 365 set as static routes. Needs root
# and bird/birdc (scripts/deps.sh); without them, branchgate's figures only.
set -u
BIN=${1:-build/bench}; DATA=${2:-data}
BENCH=$BIN/bench_bgp
[ -x "$BENCH" ] || { echo "bench-bgp: $BENCH missing (make build)"; exit 1; }
if [ "$(id -u)" != 0 ] || ! command -v bird >/dev/null; then
	echo "bench-bgp: not root or no BIRD: branchgate only"
	exec "$BENCH" "$DATA"
fi
NS=bgpb$$
W=$(mktemp -d /tmp/bench-bgp.XXXXXX)
BIRD_PID=
cleanup() {
	[ -n "$BIRD_PID" ] && kill "$BIRD_PID" 2>/dev/null
	sleep 0.2
	ip netns del "$NS" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
ip -n "$NS" addr add 10.9.0.1/32 dev lo
ip -n "$NS" addr add 10.9.0.2/32 dev lo
ip -n "$NS" route add local 10.9.4.0/22 dev lo
{
	cat <<'EOC'
router id 10.9.0.1;
protocol device { }
protocol static m365 {
	ipv4;
EOC
	"$BENCH" --bird-static "$DATA" | sed 's/^/\t/'
	cat <<'EOC'
}
protocol bgp feed {
	local 10.9.0.1 as 65476;
	neighbor 10.9.0.2 as 65001;
	multihop;
	passive on;
	hold time 240;
	ipv4 { import all; export none; };
}
protocol bgp dyn {
	local 10.9.0.1 as 65476;
	neighbor range 10.9.4.0/22 as 65001;
	dynamic name "d";
	multihop;
	hold time 240;
	ipv4 { import none; export where proto = "m365"; };
}
EOC
} >"$W/bird.conf"
ip netns exec "$NS" bird -c "$W/bird.conf" -s "$W/bird.ctl" -P "$W/bird.pid" || exit 1
for _ in $(seq 50); do [ -s "$W/bird.pid" ] && break; sleep 0.1; done
BIRD_PID=$(cat "$W/bird.pid" 2>/dev/null)
for _ in $(seq 50); do birdc -s "$W/bird.ctl" show status >/dev/null 2>&1 && break; sleep 0.1; done
echo "BIRD: $(birdc -s "$W/bird.ctl" show status | sed -n 's/^BIRD //p' | head -1)"
ip netns exec "$NS" "$BENCH" "$DATA" "$W/bird.ctl"
