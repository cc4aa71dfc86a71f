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

# ss_branch TAG NS TOKEN PUBLIC_IP: a strongSwan branch (charon +
# kernel-libipsec in namespace NS, its files in $W/TAG) for a new remote
# network and device link of the tenant with TOKEN, configured with the
# swanctl.conf cpeConfiguration generates (plus encap = yes, see
# test_esp_strongswan.sh), brought up, with 10.1.0.1 on ipsec0 and routes
# to the gateway's BGP address and the internet. SS_LOCAL_BGP and
# SS_PEER_BGP change the link's BGP addresses (10.255.0.1, 10.1.0.1). Writes $W/TAG.rn and
# $W/TAG.link. The caller defines bg TOKEN ARGS..., ok, fail, $CHARON,
# $W/psk and SS_RN_PREFIX (the remote network's name).
ss_branch() {
	ss_branch_prepare "$@" && ss_branch_connect "$1" "$2"
}

# ss_branch_prepare TAG NS TOKEN PUBLIC-IP: the remote network and link
# (CLI), the swanctl.conf cpeConfiguration generates, charon started in NS;
# nothing initiated yet.
ss_branch_prepare() {
	local tag=$1 ns=$2 token=$3 pub=$4 rn link C=$W/$1
	local gwb=${SS_LOCAL_BGP:-10.255.0.1} me=${SS_PEER_BGP:-10.1.0.1}
	rn=$(bg "$token" -q rn create --name "$SS_RN_PREFIX $tag" --region westEurope) || { fail "$tag: rn create"; return 1; }
	link=$(bg "$token" -q link create "$rn" --name "$tag-link" --ip "$pub" --vendor other \
	    --asn 65000 --local-bgp "$gwb" --peer-bgp "$me" --psk-file "$W/psk") ||
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
}

# ss_branch_connect TAG NS: load the configuration (the tunnel starts), wait
# for the CHILD_SA, then route the gateway's BGP address and the internet
# into ipsec0.
ss_branch_connect() {
	local tag=$1 ns=$2 C=$W/$1
	local gwb=${SS_LOCAL_BGP:-10.255.0.1} me=${SS_PEER_BGP:-10.1.0.1}
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
	ip -n "$ns" addr add "$me/32" dev ipsec0
	ip -n "$ns" route add "$gwb/32" dev ipsec0 src "$me"
	ip -n "$ns" route add 203.0.113.0/24 dev ipsec0 src "$me"
	ok "$tag: tunnel up ($(swanctl --list-sas --uri "unix://$C/charon.vici" | grep -Eo 'AES[^ ]*' | head -2 | tr '\n' ' '))"
}

# ok MSG / fail MSG: one result line each; fail sets RC=1, the caller's exit
# status.
ok() { echo "ok   $*"; }
fail() { echo "FAIL: $*"; RC=1; }

# ns_add NS...: new network namespaces with lo up; exits 1 if one cannot be
# made (nothing to test without them).
ns_add() {
	local n
	for n; do
		ip netns add "$n" || { echo "FAIL: netns $n"; exit 1; }
		ip -n "$n" link set lo up
	done
}

# gw_start NS LOG ARGS...: branchgated ARGS in NS, its output in LOG, its pid
# in DPID; waits (10 s at most) for the API. Needs $BIN. 1 if it did not come
# up.
gw_start() {
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$BIN/branchgated" "$@" >"$log" 2>&1 &
	DPID=$!
	for _ in $(seq 100); do grep -q "API listening" "$log" && return 0; sleep 0.1; done
	fail "branchgated did not start"
	return 1
}
