#!/bin/bash
# test_ike_strongswan.sh - branchgated's IKEv2 responder against strongSwan
# 5.9 (charon + kernel-libipsec) acting as the branch router, configured
# with the swanctl.conf that branchgate's own cpeConfiguration generated.
#
#   bgike-N-br: charon, 192.0.2.1 ==veth== 192.0.2.2, 192.0.2.3 :bgike-N-gw
#                                                    branchgated (zones 1, 2)
#
# For each policy case: create the device link through the API, load the
# generated swanctl.conf (proposals narrowed where the case says so), wait for
# IKE ESTABLISHED + CHILD INSTALLED, check the tunnelConnected health event.
# Then, on one tunnel: CHILD and IKE rekeys initiated by strongSwan,
# terminate -> tunnelDisconnected; a wrong PSK and a proposal outside the
# policy are refused with the log lines the issue asks for.
# Exit 77 (skip) only without root or without the tools.
set -u

SRC=${BG_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${BG_BINDIR:-$SRC/build}/bin
CHARON=/usr/lib/ipsec/charon

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip unshare swanctl; do command -v $t >/dev/null || skip "$t missing"; done
[ -x "$CHARON" ] || skip "$CHARON missing"

W=$(mktemp -d "${TMPDIR:-/tmp}/bgtest-ike-$$.XXXXXX")
NS_B=bgike-$$-br
NS_G=bgike-$$-gw
API=127.0.0.1:18080
RC=0
DPID=

cleanup() {
	[ -s "$W/cpe/run/charon.pid" ] && kill "$(cat "$W/cpe/run/charon.pid")" 2>/dev/null
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	sleep 0.3
	ip netns del "$NS_B" 2>/dev/null
	ip netns del "$NS_G" 2>/dev/null
	if [ "$RC" != 0 ]; then
		echo "--- branchgated log (tail)"; tail -60 "$W/daemon.log"
		echo "--- charon log (tail)"; tail -60 "$W/cpe/charon.log"
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*"; RC=1; }
ok() { echo "ok   $*"; }

ip netns add "$NS_B" && ip netns add "$NS_G" || { echo "FAIL: netns"; exit 1; }
ip -n "$NS_B" link set lo up
ip -n "$NS_G" link set lo up
ip link add bgb0 netns "$NS_B" type veth peer name bgg0 netns "$NS_G"
ip -n "$NS_B" addr add 192.0.2.1/24 dev bgb0
ip -n "$NS_G" addr add 192.0.2.2/24 dev bgg0
ip -n "$NS_G" addr add 192.0.2.3/24 dev bgg0
ip -n "$NS_B" link set bgb0 up
ip -n "$NS_G" link set bgg0 up

# --- the gateway ----------------------------------------------------------
DB=sqlite:$W/bg.db
"$BIN/branchgate" tenant create interop --db "$DB" >"$W/tenant.json" || exit 1
TOKEN=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$W/tenant.json")
# start_daemon [extra flags...]: (re)start branchgated, appending to its log.
start_daemon() {
	local from
	from=$(grep -c "API listening" "$W/daemon.log" 2>/dev/null)
	ip netns exec "$NS_G" "$BIN/branchgated" --db "$DB" --api "$API" \
	    --endpoint 1=192.0.2.2 --endpoint 2=192.0.2.3 --log-level debug \
	    --netns-prefix "bi$$-" "$@" \
	    >>"$W/daemon.log" 2>&1 &
	DPID=$!
	for _ in $(seq 100); do
		[ "$(grep -c "API listening" "$W/daemon.log")" -gt "${from:-0}" ] && return 0
		sleep 0.1
	done
	fail "branchgated did not start"; exit 1
}
start_daemon

bg() { ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$TOKEN" "$BIN/branchgate" "$@"; }
api() { ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOKEN" "http://$API$1"; }

RN=$(bg -q rn create --name "Interop branch" --region westEurope) || { fail "rn create"; exit 1; }
RN_PATH=/networkAccess/connectivity/remoteNetworks
# Another tenant puts a link on the same public address with its own key
# (ipAddress is unique per tenant only): every case below must still reach
# the right link (IKE picks by policy and key), and this one gets nothing.
"$BIN/branchgate" tenant create squatter --db "$DB" >"$W/tenant2.json" || exit 1
TOKEN2=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$W/tenant2.json")
bg2() { ip netns exec "$NS_G" env BRANCHGATE_URL=http://$API BRANCHGATE_TOKEN="$TOKEN2" "$BIN/branchgate" "$@"; }
printf '%s\n' 'the-squatters-own-key-1' >"$W/psk-squat"
RN2=$(bg2 -q rn create --name "Squatter" --region westEurope) &&
    LINK2=$(bg2 -q link create "$RN2" --name squat --ip 192.0.2.1 --vendor other \
        --asn 65000 --local-bgp 10.255.0.1 --peer-bgp 10.1.0.1 --psk-file "$W/psk-squat") &&
    ok "a second tenant's link shares 192.0.2.1" || fail "second tenant's link on the same address"
printf '%s\n' 'interop-psk-0123456789' >"$W/psk"

# --- the branch router: strongSwan with kernel-libipsec ---------------------
C=$W/cpe
mkdir -p "$C/run" "$C"/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12}
cat >"$C/strongswan.conf" <<EOF
charon {
  load = random nonce openssl aes sha1 sha2 hmac gcm kdf curve25519 pem pkcs1 pubkey x509 kernel-libipsec kernel-netlink socket-default vici
  routing_table = 220
  routing_table_prio = 40000
  retransmit_tries = 2
  retransmit_timeout = 1.0
  filelog {
    test {
      path = $C/charon.log
      time_format = %H:%M:%S
      default = 1
      ike = 2
      flush_line = yes
    }
  }
  plugins { vici { socket = unix://$C/charon.vici } }
}
EOF
ip netns exec "$NS_B" unshare -m --propagation private sh -c \
    "mount --bind '$C/run' /run && STRONGSWAN_CONF='$C/strongswan.conf' exec $CHARON" \
    </dev/null >"$C/charon.stdout" 2>&1 &
for _ in $(seq 100); do [ -S "$C/charon.vici" ] && break; sleep 0.1; done
[ -S "$C/charon.vici" ] || { fail "charon did not start"; cat "$C/charon.stdout"; exit 1; }
sw() { swanctl "$@" --uri "unix://$C/charon.vici"; }

# wait_sa PATTERN SECONDS: list-sas output matching PATTERN (grep -E)
wait_sa() {
	for _ in $(seq $(( $2 * 5 ))); do
		sw --list-sas 2>/dev/null | grep -Eq "$1" && return 0
		sleep 0.2
	done
	return 1
}
# "    in  c1234567 (-|0x...), ..." under the INSTALLED CHILD_SA
child_spi() { sw --list-sas 2>/dev/null | awk '$1 == "in" { sub(",", "", $2); printf "%s ", $2 }'; }
ike_spi() { sw --list-sas 2>/dev/null | sed -n 's/.*ESTABLISHED.*[,] *\([0-9a-f]\{16\}\)_i.*/\1/p; s/.*SPIs: \([0-9a-f]\{16\}\)_i.*/\1/p' | head -1; }
events() { api "/networkAccess/logs/remoteNetworks?\$top=1000"; }
count_events() { events | grep -o "\"status\": *\"$1\"" | wc -l; }

# link_up NAME [link create options...] : create, load CPE config, wait.
LINK=
CONF=
link_up() {
	local name=$1; shift
	LINK=$(bg -q link create "$RN" --name "$name" --ip 192.0.2.1 --vendor other \
	    --asn 65000 --local-bgp 10.255.0.1 --peer-bgp 10.1.0.1 --psk-file "$W/psk" "$@") ||
	    { fail "$name: link create"; return 1; }
	CONF=$W/$name.swanctl.conf
	bg cpe-config "$RN" "$LINK" --format swanctl -o "$CONF" || { fail "$name: cpe-config"; return 1; }
}
load_conf() {	# $1 = file; loading starts the connection (start_action = start)
	local out
	out=$(sw --load-all --file "$1" 2>&1) || { fail "swanctl --load-all: $out"; return 1; }
}
link_down() {
	sw --load-all --file /dev/null >/dev/null 2>&1
	sw --terminate --ike "$(conn_name)" --timeout 5 >/dev/null 2>&1
	[ -n "$LINK" ] && bg link delete "$RN" "$LINK" --yes >/dev/null
	LINK=
	sleep 0.5
}
conn_name() { awk '/^  bg-[^ ]+ \{$/ { print $1; exit }' "$CONF"; }
# reason CODE: the link's status says why it passes no traffic (health.reason).
reason() {
	local r
	for _ in $(seq 16); do
		r=$(api "$RN_PATH/$RN/deviceLinks/$LINK/status" | python3 -c 'import json,sys; h=json.load(sys.stdin)["health"]; print(h["reason"] + ": " + h["detail"])' 2>/dev/null)
		case $r in "$1: "*) echo "$r"; return 0 ;; esac
		sleep 0.25
	done
	echo "$r"; return 1
}

# One case: $1 label, $2 proposals override ("" = as generated), $3 esp override, rest: link options
run_case() {
	local label=$1 prop=$2 esp=$3; shift 3
	local before
	before=$(count_events tunnelConnected)
	link_up "$label" "$@" || return 1
	[ -n "$prop" ] && sed -i "s/^\(    proposals = \).*/\1$prop/" "$CONF"
	[ -n "$esp" ] && sed -i "s/^\(        esp_proposals = \).*/\1$esp/" "$CONF"
	load_conf "$CONF" || return 1
	if wait_sa "ESTABLISHED" 20 && wait_sa "INSTALLED" 10; then
		ok "$label: IKE ESTABLISHED, CHILD INSTALLED ($(sw --list-sas | grep -Eo '(AES|NULL)[^ ]*(/[^ ]*)*' | head -2 | tr '\n' ' '))"
	else
		fail "$label: tunnel did not come up"
		sw --list-sas
		return 1
	fi
	for _ in $(seq 20); do [ "$(count_events tunnelConnected)" -gt "$before" ] && break; sleep 0.2; done
	[ "$(count_events tunnelConnected)" -gt "$before" ] && ok "$label: tunnelConnected event" ||
	    fail "$label: no tunnelConnected event"
}

# Default policy: each of the four Phase 1 combinations on its own.
run_case default-p1-gcm256 aes256gcm16-prfsha384-modp2048s256 "" && link_down
run_case default-p1-gcm128 aes128gcm16-prfsha256-modp2048s256 aes128gcm16 && link_down
run_case default-p1-cbc256 aes256-sha384-modp2048s256 aes192gcm16 && link_down
run_case default-p1-cbc128 aes128-sha256-modp2048s256 "" && link_down
# Custom policies, exactly as generated.
run_case custom-ecp256 "" "" --ike-enc aes128 --ike-int sha256 --dh ecp256 \
    --ipsec-enc gcmAes128 --ipsec-int gcmAes128 --pfs none --sa-lifetime 3600 && link_down
run_case custom-pfs-ecp384 "" "" --ike-enc gcmAes256 --ike-int sha384 --dh ecp384 \
    --ipsec-enc gcmAes256 --ipsec-int gcmAes256 --pfs ecp384 --sa-lifetime 1800 && link_down
run_case custom-null-sha256 "" "" --ike-enc aes256 --ike-int sha384 --dh dhGroup14 \
    --ipsec-enc none --ipsec-int sha256 --pfs pfs14 --sa-lifetime 7200 && link_down

# Rekeys initiated by strongSwan, then terminate.
if run_case lifecycle "" ""; then
	name=$(conn_name)
	c0=$(child_spi); i0=$(ike_spi)
	sw --rekey --child "$name" >/dev/null 2>&1
	# strongSwan keeps the old inbound SA delete_rekeyed_delay (5 s) longer.
	for _ in $(seq 40); do
		c1=$(child_spi)
		echo "$c1" | grep -qw "${c0% }" || break
		sleep 0.25
	done
	# The new CHILD_SA is installed and the old one deleted (make before break).
	if wait_sa INSTALLED 5 && [ -n "$c1" ] && ! echo "$c1" | grep -qw "${c0% }"; then
		ok "CHILD rekey: SPI $c0 -> $c1"
	else
		fail "CHILD rekey (SPI $c0 -> $c1)"
	fi
	sw --rekey --ike "$name" >/dev/null 2>&1
	sleep 2
	i1=$(ike_spi)
	if wait_sa ESTABLISHED 5 && [ -n "$i1" ] && [ "$i1" != "$i0" ]; then
		ok "IKE rekey: SPI $i0 -> $i1"
	else
		fail "IKE rekey (SPI $i0 -> $i1)"
	fi
	before=$(count_events tunnelDisconnected)
	sw --terminate --ike "$name" --timeout 5 >/dev/null 2>&1
	for _ in $(seq 25); do [ "$(count_events tunnelDisconnected)" -gt "$before" ] && break; sleep 0.2; done
	[ "$(count_events tunnelDisconnected)" -gt "$before" ] && ok "terminate: tunnelDisconnected event" ||
	    fail "terminate: no tunnelDisconnected event"
	events | grep -q '"sourceIp": *"192.0.2.1"' && events | grep -q '"destinationIp": *"192.0.2.2"' &&
	    ok "events carry sourceIp/destinationIp" || fail "event addresses"
	link_down
fi

# Zone redundancy: one link, one tunnel per zone (192.0.2.2 and 192.0.2.3,
# each its own gateway identity). strongSwan sends INITIAL_CONTACT on both;
# RFC 7296 §2.4 scopes it to one pair of identities, so both stay up, and
# the status shows both. establishedDateTime is fixed once per tunnel.
printf '%s\n' 'interop-zone2-psk-987654' >"$W/zpsk"
if link_up zones --zone-local-bgp 10.255.0.5 --zone-psk-file "$W/zpsk"; then
	load_conf "$CONF"
	n=0
	for _ in $(seq 100); do
		n=$(sw --list-sas 2>/dev/null | grep -c ESTABLISHED)
		[ "$n" -ge 2 ] && break
		sleep 0.2
	done
	[ "$n" = 2 ] && ok "zones: two IKE SAs ESTABLISHED" || fail "zones: $n IKE SAs ESTABLISHED, want 2"
	sleep 4
	n=$(sw --list-sas 2>/dev/null | grep -c ESTABLISHED)
	grep -q "replaced by a new IKE SA" "$W/daemon.log" &&
	    fail "zones: one zone's INITIAL_CONTACT tore down the other's tunnel" ||
	    { [ "$n" = 2 ] && ok "zones: both tunnels stay up (no INITIAL_CONTACT teardown)" ||
	      fail "zones: $n IKE SAs after 4 s"; }
	s1=$(api "$RN_PATH/$RN/deviceLinks/$LINK/status")
	sleep 1.5
	s2=$(api "$RN_PATH/$RN/deviceLinks/$LINK/status")
	if python3 - "$s1" "$s2" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
t = a["tunnels"]
assert [x["zone"] for x in t] == [1, 2], t
assert all(x["tunnelState"] == "connected" for x in t), t
assert {x["localEndpoint"] for x in t} == {"192.0.2.2", "192.0.2.3"}, t
assert [x["establishedDateTime"] for x in t] == \
    [x["establishedDateTime"] for x in b["tunnels"]], (t, b["tunnels"])
assert a["establishedDateTime"] == b["establishedDateTime"]
assert a["childSecurityAssociations"] == 2, a
PY
	then ok "zones: status shows both tunnels, times fixed across refreshes"
	else fail "zones: status $s1"
	fi
	# One zone goes: the other's tunnel is untouched.
	z1=$(awk '/^  bg-[^ ]+ \{$/ { print $1 }' "$CONF" | head -1)
	sw --terminate --ike "$z1" --timeout 5 >/dev/null 2>&1
	sleep 1.5
	api "$RN_PATH/$RN/deviceLinks/$LINK/status" | python3 -c '
import json, sys
d = json.load(sys.stdin); t = {x["zone"]: x["tunnelState"] for x in d["tunnels"]}
assert d["tunnelState"] == "connected" and t[2] == "connected" and t[1] == "disconnected", d
' && ok "zones: zone 1 down, zone 2 still connected" || fail "zones: after terminating zone 1"
	sw --load-all --file /dev/null >/dev/null 2>&1
	for c in $(awk '/^  bg-[^ ]+ \{$/ { print $1 }' "$CONF"); do
		sw --terminate --ike "$c" --timeout 5 >/dev/null 2>&1
	done
	link_down
fi

# A wrong PSK on the router: refused, one clear log line naming the link.
if link_up wrong-psk; then
	sed -i 's/^\(    secret = \).*/\1"not-the-right-key"/' "$CONF"
	load_conf "$CONF"
	sleep 4
	wait_sa ESTABLISHED 1 && fail "wrong PSK: tunnel came up"
	grep -i "wrong-psk" "$W/daemon.log" | grep -Eiq "auth" &&
	    ok "wrong PSK refused: $(grep -i wrong-psk "$W/daemon.log" | grep -Ei auth | head -1 | cut -c1-160)" ||
	    fail "wrong PSK: no log line naming the link and the reason"
	r=$(reason authenticationFailed) && ok "wrong PSK: status health: $(echo "$r" | cut -c1-160)" ||
	    fail "wrong PSK: status health: $r"
	link_down
fi

# A proposal outside the policy: refused, offered vs allowed in the log.
if link_up bad-proposal; then
	sed -i "s/^\(    proposals = \).*/\1aes128-sha1-modp1024/" "$CONF"
	load_conf "$CONF"
	sleep 4
	wait_sa ESTABLISHED 1 && fail "bad proposal: tunnel came up"
	line=$(grep -i "bad-proposal" "$W/daemon.log" | grep -Ei "proposal" | head -1)
	echo "$line" | grep -Eiq "offered" && ok "proposal refused: $(echo "$line" | cut -c1-200)" ||
	    fail "bad proposal: no log line with what was offered"
	r=$(reason proposalMismatch) && echo "$r" | grep -q "offered" &&
	    ok "bad proposal: status health: $(echo "$r" | cut -c1-200)" ||
	    fail "bad proposal: status health: $r"
	link_down
fi

# A key changed through the API applies at once: the tunnel built with the
# old key is torn down; the router comes back with the new configuration.
if run_case psk-change "" ""; then
	before=$(count_events tunnelDisconnected)
	printf '%s\n' 'the-new-interop-key-42' >"$W/psk2"
	bg link update "$RN" "$LINK" --psk-file "$W/psk2" >/dev/null || fail "psk-change: link update"
	for _ in $(seq 25); do [ "$(count_events tunnelDisconnected)" -gt "$before" ] && break; sleep 0.2; done
	[ "$(count_events tunnelDisconnected)" -gt "$before" ] &&
	    ok "psk-change: old tunnel torn down without a restart" ||
	    fail "psk-change: no tunnelDisconnected after the key changed"
	bg cpe-config "$RN" "$LINK" --format swanctl -o "$CONF" >/dev/null
	sw --terminate --ike "$(conn_name)" --timeout 3 >/dev/null 2>&1
	load_conf "$CONF"
	sw --initiate --child "$(conn_name)" --timeout 10 >/dev/null 2>&1
	wait_sa INSTALLED 15 && ok "psk-change: back up with the new key" ||
	    fail "psk-change: no tunnel with the new key"
	link_down
fi

# No device link for this router: refused, the log names the source. (The
# other tenant's link goes first: with it, the address is not unknown.)
bg2 link delete "$RN2" "$LINK2" --yes >/dev/null
CONF=$W/psk-change.swanctl.conf
load_conf "$CONF"
sleep 3
wait_sa ESTABLISHED 1 && fail "unknown peer: tunnel came up"
grep -Eiq "unknown peer 192\.0\.2\.1" "$W/daemon.log" &&
    ok "unknown peer refused: $(grep -Ei 'unknown peer 192\.0\.2\.1' "$W/daemon.log" | head -1 | cut -c1-160)" ||
    fail "unknown peer: no log line naming the source"
sw --load-all --file /dev/null >/dev/null 2>&1

# RFC 7296 §2.6, with the daemon's own configuration: an idle gateway
# answers a configured branch's IKE_SA_INIT at once (SA, KE, Nr, no COOKIE).
# Every strongSwan setup above met the same gateway: none was asked either.
grep -q "N(COOKIE)" "$C/charon.log" && fail "an idle gateway asked strongSwan for a COOKIE" ||
    ok "no COOKIE asked of strongSwan in $(grep -c 'parsed IKE_SA_INIT response' "$C/charon.log") IKE_SA_INIT answers"
SAINIT="ip netns exec $NS_B python3 $SRC/tests/interop/ike_sa_init.py 192.0.2.1 192.0.2.2 500"
COOKIE_LINK="--ike-enc aes128 --ike-int sha256 --dh ecp256 --ipsec-enc gcmAes128
    --ipsec-int gcmAes128 --pfs none --sa-lifetime 3600"
# shellcheck disable=SC2086
if link_up cookie $COOKIE_LINK; then
	out=$($SAINIT 1 answer) && ok "idle gateway: $out" || fail "idle gateway: $out"
	# Past the half-open threshold (here 2, by --ike-cookie-threshold):
	# a COOKIE first, and a branch that returns it still gets its tunnel.
	kill "$DPID"; wait "$DPID" 2>/dev/null
	start_daemon --ike-cookie-threshold 2
	out=$($SAINIT 2 answer) && ok "below the threshold: $(echo "$out" | tail -1)" ||
	    fail "below the threshold: $out"
	out=$($SAINIT 1 cookie) && ok "past the threshold: $out" || fail "past the threshold: $out"
	load_conf "$CONF"
	if wait_sa ESTABLISHED 20 && wait_sa INSTALLED 10; then
		grep -q "N(COOKIE)" "$C/charon.log" &&
		    ok "strongSwan returned the COOKIE and got its tunnel" ||
		    fail "tunnel up, but strongSwan was not asked for a COOKIE"
	else
		fail "cookie: tunnel did not come up after the COOKIE"
	fi
	link_down
fi

# The squatter never got a tunnel: no tunnelConnected in its tenant.
ev2=$(ip netns exec "$NS_G" curl -s -H "Authorization: Bearer $TOKEN2" "http://$API/networkAccess/logs/remoteNetworks?\$top=1000")
echo "$ev2" | python3 -c 'import json,sys; v=json.load(sys.stdin)["value"]; assert not [e for e in v if e["status"] == "tunnelConnected"], v' &&
    ok "the second tenant's link on the same address never got a tunnel" ||
    fail "a tunnel went to the other tenant's link: $ev2"
grep -E "AddressSanitizer|runtime error" "$W/daemon.log" && fail "sanitizer report in branchgated"
kill -0 "$DPID" 2>/dev/null || fail "branchgated died"
[ "$RC" = 0 ] && echo "all strongSwan interop cases passed"
exit $RC
