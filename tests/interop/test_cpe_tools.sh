#!/bin/bash
# test_cpe_tools.sh - feed the CPE configurations to the real tools.
#
# The files are tests/golden/*.{swanctl,bird,frr}.conf: test_cpe keeps them
# byte-identical to cpe_render() output, so they are what a user downloads.
#   strongSwan: each swanctl.conf is loaded into a charon (kernel-libipsec,
#     private /run, own vici socket) in a CPE namespace, and must bring its
#     tunnels up against a responder charon in a gateway namespace whose
#     config is derived from the same file (ids and roles swapped, same
#     secrets section): that proves proposals, ids and PSK quoting.
#   BIRD: bird -p (parse only).
#   FRR: vtysh -C (whole file), bgpd -C, staticd -C and bfdd -C (each
#     daemon's part).
# Exit 77 (skip) only without root or without the tools.
set -u

SRC=${BG_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
G=$SRC/tests/golden
CHARON=/usr/lib/ipsec/charon
LIBIPSEC=/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so
BGPD=/usr/lib/frr/bgpd
STATICD=/usr/lib/frr/staticd
BFDD=/usr/lib/frr/bfdd

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip unshare awk swanctl bird vtysh; do
	command -v "$t" >/dev/null 2>&1 || skip "$t not installed"
done
for f in "$CHARON" "$LIBIPSEC" "$BGPD" "$STATICD" "$BFDD"; do
	[ -x "$f" ] || [ -f "$f" ] || skip "$f not installed"
done
ls "$G"/*.swanctl.conf >/dev/null 2>&1 || { echo "FAIL: no golden files in $G"; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/bgtest-cpe-$$.XXXXXX")
chmod 755 "$W"	# bgpd/staticd may drop to user frr
NS_C=bgtest-cpe-$$-c
NS_G=bgtest-cpe-$$-g
RC=0

stop_charon() {	# $1 = instance dir
	local p
	[ -s "$1/run/charon.pid" ] || return 0
	p=$(cat "$1/run/charon.pid")
	kill "$p" 2>/dev/null || return 0
	for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$p" 2>/dev/null || true
	rm -f "$1/run/charon.pid"
}

cleanup() {
	local d
	for d in "$W"/*/cpe "$W"/*/gw; do [ -d "$d" ] && stop_charon "$d"; done
	ip netns del "$NS_C" 2>/dev/null || true
	ip netns del "$NS_G" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*"; RC=1; }

# --- BIRD -------------------------------------------------------------
for f in "$G"/*.bird.conf; do
	if out=$(bird -p -c "$f" 2>&1) && [ -z "$out" ]; then
		echo "ok   bird -p -c $(basename "$f")"
	else
		fail "bird rejects $(basename "$f"): $out"
	fi
done

# --- FRR --------------------------------------------------------------
# vtysh -C checks every line against the integrated CLI; the daemons' own
# dry runs also apply the commands (e.g. "Specify remote-as first"). Each
# daemon refuses the other's commands, so each gets its part.
frr_bad='Unknown command|No such command|Config Failed|Ambiguous|Incomplete|% '
for f in "$G"/*.frr.conf; do
	b=$(basename "$f" .conf)
	if ! out=$(vtysh -C -f "$f" 2>&1) || [ -n "$out" ]; then
		fail "vtysh -C rejects $b: $out"
		continue
	fi
	# The bfd { ... exit } block is bfdd's, ip route is staticd's.
	awk '/^bfd$/ { b = 1 } !b && !/^ip route / { print } b && /^exit$/ { b = 0 }' "$f" >"$W/$b.bgpd.conf"
	awk '/^bfd$/ { b = 1 } b || /^(!|frr defaults )/ { print } b && /^exit$/ { b = 0 }' "$f" >"$W/$b.bfdd.conf"
	grep -E '^(!|frr defaults |ip route )' "$f" >"$W/$b.staticd.conf"
	grep -q '^ *neighbor .* bfd profile BG-GATEWAY$' "$W/$b.bgpd.conf" &&
	    grep -q '^ profile BG-GATEWAY$' "$W/$b.bfdd.conf" || { fail "$b: no BFD profile and neighbor bfd"; continue; }
	chmod 644 "$W/$b".*.conf
	out=$(timeout 30 "$BGPD" -C -f "$W/$b.bgpd.conf" -Z -n -S -p 0 \
	    --vty_socket "$W" -i "$W/bgpd.pid" 2>&1)
	if [ $? -ne 0 ] || echo "$out" | grep -Eq "$frr_bad"; then
		fail "bgpd -C rejects $b: $out"
		continue
	fi
	out=$(timeout 30 "$STATICD" -C -f "$W/$b.staticd.conf" \
	    --vty_socket "$W" -i "$W/staticd.pid" 2>&1)
	if [ $? -ne 0 ] || echo "$out" | grep -Eq "$frr_bad"; then
		fail "staticd -C rejects $b: $out"
		continue
	fi
	out=$(timeout 30 "$BFDD" -C -f "$W/$b.bfdd.conf" \
	    --vty_socket "$W" -i "$W/bfdd.pid" 2>&1)
	if [ $? -ne 0 ] || echo "$out" | grep -Eq "$frr_bad"; then
		fail "bfdd -C rejects $b: $out"
		continue
	fi
	echo "ok   vtysh -C, bgpd -C, staticd -C, bfdd -C: $b"
done

# --- strongSwan -------------------------------------------------------
# CPE and gateway namespaces joined by a veth; public addresses are taken
# from each file (local id = CPE public IP, remote_addrs = gateway zones).
ip netns add "$NS_C" || { echo "FAIL: ip netns add"; exit 1; }
ip netns add "$NS_G" || { echo "FAIL: ip netns add"; exit 1; }
ip -n "$NS_C" link set lo up
ip -n "$NS_G" link set lo up
ip link add bgc0 netns "$NS_C" type veth peer name bgg0 netns "$NS_G"
ip -n "$NS_C" link set bgc0 up
ip -n "$NS_G" link set bgg0 up

write_strongswan_conf() {	# $1 = instance dir
	mkdir -p "$1/run" "$1"/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12}
	cat >"$1/strongswan.conf" <<EOF
charon {
  # kernel-libipsec before kernel-netlink: the first kernel-ipsec backend wins
  load = random nonce openssl aes sha1 sha2 hmac gcm kdf curve25519 pem pkcs1 pubkey x509 kernel-libipsec kernel-netlink socket-default vici
  routing_table = 220
  routing_table_prio = 40000
  retransmit_tries = 3
  filelog {
    test {
      path = $1/charon.log
      time_format = %H:%M:%S
      default = 1
      ike = 2
      cfg = 2
      flush_line = yes
    }
  }
  plugins {
    vici {
      socket = unix://$1/charon.vici
    }
  }
}
EOF
}

start_charon() {	# $1 = netns, $2 = instance dir
	rm -f "$2/charon.vici" "$2/run/charon.pid"
	ip netns exec "$1" unshare -m --propagation private sh -c \
	    "mount --bind '$2/run' /run && STRONGSWAN_CONF='$2/strongswan.conf' exec $CHARON" \
	    </dev/null >"$2/charon.stdout" 2>&1 &
	for _ in $(seq 100); do
		[ -S "$2/charon.vici" ] && [ -s "$2/run/charon.pid" ] && return 0
		sleep 0.1
	done
	echo "charon in $1 did not start:"; cat "$2/charon.stdout"
	return 1
}

# swanctl must exit 0, report what it loaded and complain about nothing.
load() {	# $1 = instance dir, $2 = file, $3 = label
	local out
	out=$(swanctl --load-all --file "$2" --uri "unix://$1/charon.vici" 2>&1)
	local rc=$?
	echo "$out" | sed "s/^/     [$3] /"
	if [ $rc -ne 0 ] || echo "$out" | grep -Eiq 'fail|invalid|error|ignor|discard'; then
		fail "swanctl --load-all ($3) $(basename "$2")"
		return 1
	fi
	echo "$out" | grep -q 'successfully loaded [1-9][0-9]* connections, 0 unloaded' &&
	    echo "$out" | grep -q "loaded ike secret 'ike-" ||
	    { fail "swanctl ($3) did not load connections and secrets"; return 1; }
}

# The responder (gateway) side of a CPE file: swap local/remote, listen on
# the zone endpoint, never initiate. The secrets keep their ids (id-1 =
# CPE, id-2 = gateway serve both ends) but the keys come from $2, the raw
# keys one a line, in hex: a quoting bug in the CPE file cannot cancel out.
gateway_conf() {
	local hex
	hex=$(while IFS= read -r k; do
		printf '%s' "$k" | od -An -v -tx1 | tr -d ' \n'; echo
	done <"$2")
	awk -v hex="$hex" '
	BEGIN { nk = split(hex, key, "\n"); k = 0 }
	NR == FNR {
		if ($0 ~ /^  bg-[^ ]+ \{$/) c = $1
		if ($1 == "remote_addrs") ep[c] = $3
		next
	}
	$0 ~ /^  bg-[^ ]+ \{$/ { c = $1 }
	$1 == "local_addrs"	{ sub(/%any/, ep[c]) }
	$1 == "remote_addrs"	{ sub(/= .*/, "= %any") }
	$0 == "    local {"	{ $0 = "    remote {" ; print; next }
	$0 == "    remote {"	{ $0 = "    local {" ; print; next }
	$1 == "start_action" || $1 == "close_action" { sub(/= .*/, "= none") }
	$1 == "dpd_action"	{ sub(/= .*/, "= clear") }
	$1 == "keyingtries"	{ next }
	$1 == "secret"		{ $0 = "    secret = 0x" key[++k] }
	{ print }
	END { if (k != nk) exit 1 }
	' "$1" "$1"
}

for f in "$G"/*.swanctl.conf; do
	b=$(basename "$f" .swanctl.conf)
	d=$W/$b
	mkdir -p "$d/cpe" "$d/gw"
	cpe_ip=$(awk '$1 == "id-1" { print $3; exit }' "$f")
	gws=$(awk '$1 == "remote_addrs" { print $3 }' "$f")
	conns=$(awk '/^  bg-[^ ]+ \{$/ { print $1 }' "$f")
	if [ -z "$cpe_ip" ] || [ -z "$gws" ] || [ -z "$conns" ]; then
		fail "$b: cannot find ids/endpoints/connections"
		continue
	fi
	ip -n "$NS_C" addr flush dev bgc0
	ip -n "$NS_G" addr flush dev bgg0
	ip -n "$NS_C" addr add "$cpe_ip/32" dev bgc0
	for g in $gws; do
		ip -n "$NS_G" addr add "$g/32" dev bgg0
		ip -n "$NS_C" route replace "$g/32" dev bgc0 src "$cpe_ip"
	done
	ip -n "$NS_G" route replace "$cpe_ip/32" dev bgg0
	# swanctl looks for x509/, private/, ... next to --file: load a copy.
	cp "$f" "$d/cpe/swanctl.conf"
	if ! gateway_conf "$f" "$G/$b.psk" >"$d/gw/swanctl.conf"; then
		fail "$b: secrets do not match $b.psk"
		continue
	fi
	write_strongswan_conf "$d/gw"
	write_strongswan_conf "$d/cpe"
	if ! start_charon "$NS_G" "$d/gw" || ! start_charon "$NS_C" "$d/cpe"; then
		fail "$b: charon did not start"
		stop_charon "$d/gw"; stop_charon "$d/cpe"
		continue
	fi
	ok=1
	load "$d/gw" "$d/gw/swanctl.conf" gateway || ok=0
	load "$d/cpe" "$d/cpe/swanctl.conf" cpe || ok=0
	listed=$(swanctl --list-conns --uri "unix://$d/cpe/charon.vici" 2>&1)
	for c in $conns; do
		echo "$listed" | grep -q "^$c: IKEv2" ||
		    { fail "$b: --list-conns lacks $c"; ok=0; }
	done
	# start_action = start: the CPE initiates as soon as it has loaded.
	if [ $ok = 1 ]; then
		for _ in $(seq 150); do
			sas=$(swanctl --list-sas --uri "unix://$d/cpe/charon.vici" 2>&1)
			up=0
			for c in $conns; do
				echo "$sas" | grep -q "^$c: #[0-9]*, ESTABLISHED" &&
				    echo "$sas" | grep -Eq "^  $c: #[0-9]+, reqid [0-9]+, INSTALLED" &&
				    up=$((up + 1))
			done
			[ $up = "$(echo "$conns" | wc -w)" ] && break
			sleep 0.2
		done
		if [ $up = "$(echo "$conns" | wc -w)" ]; then
			echo "ok   swanctl: $b: $(echo $conns) loaded, IKE_SA + CHILD_SA up"
			echo "$sas" | grep -E 'ESTABLISHED|INSTALLED|IKEv2|ESP' | sed 's/^/     /'
		else
			fail "$b: tunnels not up; CPE SAs:"
			echo "$sas"
			echo "--- cpe log"; tail -40 "$d/cpe/charon.log"
			echo "--- gateway log"; tail -40 "$d/gw/charon.log"
		fi
	fi
	stop_charon "$d/cpe"
	stop_charon "$d/gw"
done

[ $RC = 0 ] && echo "PASS" || echo "FAILED"
exit $RC
