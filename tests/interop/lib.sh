# lib.sh - steps shared by the interop tests (sourced, not a test itself).
# The caller defines ok/fail and sets $W (work directory), $NS_I (the
# "internet" namespace: 203.0.113.2, serving $W/www on :8080), $PIDS (to
# kill at exit) and $HAVE_IPERF.

INET_HOST=203.0.113.2

# iperf_tcp CLIENT_NS JSON [client args]: iperf3 TCP 10 s from CLIENT_NS to
# the internet host. Sets MBPS and BYTES (received), empty on failure.
iperf_tcp() {
	local cns=$1 json=$2
	shift 2
	ip netns exec "$NS_I" iperf3 -s -B "$INET_HOST" -1 >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	sleep 0.5
	ip netns exec "$cns" iperf3 -c "$INET_HOST" -t 10 -J "$@" >"$json" 2>&1
	read -r MBPS BYTES <<<"$(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["end"]["sum_received"]
print("%.0f %d" % (r["bits_per_second"] / 1e6, r["bytes"]))' "$json" 2>/dev/null)"
}

# lan_checks NS_LAN HOW: the LAN host (10.1.1.10) behind a branch pings,
# fetches HTTP (TCP) from and runs iperf3 to the internet host; HOW names
# the path in the messages.
lan_checks() {
	local ns=$1 how=$2 out body

	out=$(ip netns exec "$ns" ping -c 5 -i 0.2 -W 1 "$INET_HOST" 2>&1)
	echo "$out" | grep -q " 0% packet loss" &&
	    ok "(g) LAN host 10.1.1.10 pings the internet host: $(echo "$out" | tail -1)" ||
	    fail "(g) LAN ping: $out"
	body=$(ip netns exec "$ns" curl -s --max-time 10 "http://$INET_HOST:8080/index.html")
	[ "$body" = "hello from the internet" ] &&
	    ok "(g) LAN host HTTP GET (TCP) $how" || fail "(g) LAN HTTP: '$body'"
	if [ "$HAVE_IPERF" = 1 ]; then
		iperf_tcp "$ns" "$W/iperf-lan.json"
		[ -n "$MBPS" ] && ok "(g) iperf3 TCP 10 s LAN host -> internet host: $MBPS Mbit/s" ||
		    fail "(g) LAN iperf3: $(tail -5 "$W/iperf-lan.json")"
	fi
}
