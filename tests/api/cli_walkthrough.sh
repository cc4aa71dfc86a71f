#!/usr/bin/env bash
# cli_walkthrough.sh - drives every branchgate CLI command against a running
# branchgated and checks exit codes and key outputs (docs/cli.md). Not run by
# ctest on its own: the API test harness starts the daemon and calls it.
#
# Environment:
#   BG_BINDIR         build directory (bin/branchgate inside it) or the bin/
#                     directory itself
#   BRANCHGATE_URL    e.g. http://127.0.0.1:18080
#   BRANCHGATE_TOKEN  a tenant's token (from "branchgate tenant create")
# branchgated must run with two gateway zones (--endpoint 1=IP --endpoint
# 2=IP) for the zone-redundant link. The script leaves the tenant as it found
# it. Exit 0 when every check passes, 1 otherwise.
#
# Addresses: documentation ranges (RFC 5737) and 10/8 only.
set -u

: "${BG_BINDIR:?set BG_BINDIR}" "${BRANCHGATE_URL:?}" "${BRANCHGATE_TOKEN:?}"
export BRANCHGATE_URL BRANCHGATE_TOKEN
if [[ -x $BG_BINDIR/bin/branchgate ]]; then
	BG=$BG_BINDIR/bin/branchgate
else
	BG=$BG_BINDIR/branchgate
fi

T=$(mktemp -d)
RN=""
fails=0
checks=0
PSK1="walk-psk-one-1111"
PSK2="walk-psk-two-2222"
PSK3="walk-psk-three-3333"
ZPSK="walk-zone-psk-4444"
SECRETS=("$PSK1" "$PSK2" "$PSK3" "$ZPSK")

cleanup() {
	if [[ -n $RN ]]; then
		"$BG" rn delete --yes "$RN" >/dev/null 2>&1
	fi
	rm -rf "$T"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# run RC DESC -- CMD...: run CMD (stdin from $T/in if it exists), stdout in
# $T/out, stderr in $T/err, and check its exit code.
run() {
	local want=$1 desc=$2 rc
	shift 3
	checks=$((checks + 1))
	if [[ -f $T/in ]]; then
		"$@" <"$T/in" >"$T/out" 2>"$T/err"
		rc=$?
		rm -f "$T/in"
	else
		"$@" </dev/null >"$T/out" 2>"$T/err"
		rc=$?
	fi
	if [[ $rc -ne $want ]]; then
		fail "$desc: exit $rc, want $want"
		sed 's/^/  stdout: /' "$T/out" | head -20 >&2
		sed 's/^/  stderr: /' "$T/err" | head -20 >&2
		return 1
	fi
	echo "ok: $desc"
	return 0
}

# Secrets show up only where the user asked for them (cpe-config).
no_secrets() {
	local s
	for s in "${SECRETS[@]}"; do
		if grep -qF -- "$s" "$T/out" "$T/err"; then
			fail "$1: output shows a pre-shared key"
		fi
	done
}

out_has() {
	checks=$((checks + 1))
	grep -qE -- "$2" "$T/out" || fail "$1: stdout lacks /$2/"
}

out_lacks() {
	checks=$((checks + 1))
	if grep -qE -- "$2" "$T/out"; then fail "$1: stdout has /$2/"; fi
}

err_has() {
	checks=$((checks + 1))
	grep -qE -- "$2" "$T/err" || fail "$1: stderr lacks /$2/"
}

json_field() {
	python3 -c 'import json,sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$@" <"$T/out"
}

printf '%s\n' "$PSK1" >"$T/psk1"
printf '%s\n' "$PSK2" >"$T/psk2"
chmod 600 "$T/psk1" "$T/psk2"

# --- usage and transport errors --------------------------------------------
run 64 "no command" -- "$BG"
run 0 "help" -- "$BG" help
out_has "help" "cpe-config"
run 0 "link --help" -- "$BG" link create --help
out_has "link --help" "--zone-local-bgp"
run 64 "rn get without id" -- "$BG" rn get
run 64 "unknown option" -- "$BG" rn list --frobnicate
run 64 "option of another command" -- "$BG" rn list --psk-file x
run 64 "link create without --asn" -- "$BG" link create x --name a \
    --ip 203.0.113.1 --vendor other --local-bgp 10.2.0.1 --peer-bgp 10.1.0.1
run 2 "unreachable server" -- "$BG" --url http://127.0.0.1:9 rn list
err_has "unreachable server" "cannot reach branchgated at http://127.0.0.1:9"
run 1 "bad token" -- "$BG" --token bgt_0000000000000000.bogus rn list
err_has "bad token" "^error: "
run 1 "bad token --json" -- "$BG" --json --token bgt_0000000000000000.bogus \
    rn list
[[ $(json_field error code) == Unauthorized ]] ||
    fail "bad token --json: no JSON error on stdout"
run 0 "--version" -- "$BG" --version
out_has "--version" "^branchgate [0-9]+\.[0-9]+\.[0-9]+$"
run 0 "version" -- "$BG" version

# --- remote network ---------------------------------------------------------
run 0 "rn create" -- "$BG" rn create --name "cli-walk-$$" --region westEurope &&
    RN=$(awk '/^created remote network /{print $4}' "$T/out")
[[ -n $RN ]] || { fail "rn create printed no id"; exit 1; }

# --- device links -----------------------------------------------------------
run 0 "link create (default policy, --psk-file, --static-source)" -- \
    "$BG" link create "$RN" \
    --name wan1 --ip 203.0.113.100 --vendor other --asn 65010 \
    --local-bgp 10.2.0.4 --peer-bgp 10.1.255.1 --psk-file "$T/psk1" \
    --static-source 192.168.50.0/24 --static-source 10.77.0.0/16
L1=$(awk '/^created device link /{print $4}' "$T/out")
no_secrets "link create"

printf '%s\n' "$PSK3" >"$T/in"
export ZONE_PSK=$ZPSK
run 0 "link create (custom, zone, --psk -, --zone-psk-env)" -- \
    "$BG" link create "$RN" --name wan2 --ip 198.51.100.20 --vendor fortinet \
    --asn 65010 --local-bgp 10.2.0.8 --peer-bgp 10.1.255.2 \
    --zone-local-bgp 10.2.0.9 --bandwidth mbps500 --psk - \
    --zone-psk-env ZONE_PSK --custom --ike-enc aes256 --ike-int sha384 \
    --dh ecp384 --ipsec-enc gcmAes256 --ipsec-int gcmAes256 --pfs ecp384 \
    --sa-lifetime 3600
L2=$(awk '/^created device link /{print $4}' "$T/out")
no_secrets "link create custom"
[[ -n $L1 && -n $L2 ]] || { fail "link create printed no id"; exit 1; }

cat >"$T/link3.json" <<'EOF'
{ "name": "wan3", "ipAddress": "192.0.2.30", "deviceVendor": "other",
  "bgpConfiguration": { "localIpAddress": "10.2.0.16",
                        "peerIpAddress": "10.1.255.3", "asn": 65010 },
  "redundancyConfiguration": { "redundancyTier": "noRedundancy" },
  "tunnelConfiguration": {
    "@odata.type": "#microsoft.graph.networkaccess.tunnelConfigurationIKEv2Default" },
  "bandwidthCapacityInMbps": "mbps250" }
EOF
run 0 "link create --body with --psk-file" -- "$BG" link create "$RN" \
    --body "$T/link3.json" --psk-file "$T/psk2"
L3=$(awk '/^created device link /{print $4}' "$T/out")

# The server is the authority: host bits in a source prefix...
run 1 "link create with host bits in --static-source" -- "$BG" link create \
    "$RN" --name bad --ip 203.0.113.11 --vendor other --asn 65010 \
    --local-bgp 10.2.0.12 --peer-bgp 10.1.255.4 --psk-file "$T/psk1" \
    --static-source 10.0.0.1/24
err_has "host bits" "^error: .*staticSourcePrefixes\[0\].*host bits set"
run 64 "--static-source none with a prefix" -- "$BG" link update "$RN" \
    "$L1" --static-source none --static-source 10.9.0.0/16

# ...a BGP address in the gateway's reserved range...
run 1 "link create with a reserved BGP address" -- "$BG" link create "$RN" \
    --name bad --ip 203.0.113.11 --vendor other --asn 65010 \
    --local-bgp 10.255.240.1 --peer-bgp 10.1.255.4 --psk-file "$T/psk1"
err_has "reserved BGP address" "^error: .*localIpAddress.*10\.255\.240\.0/20"

# ...and a reserved ASN (the gateway's own).
run 1 "link create with a bad ASN" -- "$BG" link create "$RN" --name bad \
    --ip 203.0.113.11 --vendor other --asn 65476 --local-bgp 10.2.0.12 \
    --peer-bgp 10.1.255.4 --psk-file "$T/psk1"
err_has "bad ASN" "^error: .*65476"
run 64 "link create with a non-numeric ASN" -- "$BG" link create "$RN" \
    --name bad --ip 203.0.113.11 --vendor other --asn sixty \
    --local-bgp 10.2.0.12 --peer-bgp 10.1.255.4

# --- listings ---------------------------------------------------------------
run 0 "rn list --expand" -- "$BG" rn list --expand
out_has "rn list --expand" "^ID +NAME +REGION +LINKS"
out_has "rn list --expand" "^$RN +cli-walk-$$ +westEurope +3 "
run 0 "rn list --json (global flag after the command)" -- "$BG" rn list --json
python3 -c 'import json,sys; json.load(sys.stdin)["value"]' <"$T/out" ||
    fail "rn list --json is not JSON"
run 0 "rn get" -- "$BG" rn get "$RN"
out_has "rn get" "^region +westEurope"
run 0 "rn get by name" -- "$BG" rn get "cli-walk-$$"
out_has "rn get by name" "^id +$RN$"
run 1 "rn get by an unknown name" -- "$BG" rn get "cli-walk-$$-nobody"
err_has "rn get by an unknown name" "^error: no remote network is named"

run 0 "link list" -- "$BG" link list "$RN"
out_has "link list" "^ID +NAME +IP +ASN +LOCAL BGP +PEER BGP +REDUNDANCY +POLICY"
out_has "link list" "^$L1 +wan1 +203\.0\.113\.100 +65010 +10\.2\.0\.4 +10\.1\.255\.1 +noRedundancy +default"
out_has "link list" "^$L2 +wan2 .* zoneRedundancy +custom"
no_secrets "link list"
run 0 "link get --json" -- "$BG" --json link get "$RN" "$L2"
[[ $(json_field tunnelConfiguration preSharedKey) == None ]] ||
    fail "link get shows a preSharedKey"
[[ $(json_field tunnelConfiguration saLifeTimeSeconds) == 3600 ]] ||
    fail "link get: saLifeTimeSeconds"
no_secrets "link get"
run 0 "link get" -- "$BG" link get "$RN" "$L2"
out_has "link get" "^zone local BGP +10\.2\.0\.9"
out_has "link get (no static sources)" "^static sources +\(none\)"
run 0 "link get (static sources)" -- "$BG" link get "$RN" "$L1"
out_has "link get (static sources)" \
    "^static sources +192\.168\.50\.0/24, 10\.77\.0\.0/16$"
run 0 "link get by names" -- "$BG" link get "cli-walk-$$" wan2
out_has "link get by names" "^id +$L2$"

# --- status and health logs -------------------------------------------------
run 0 "link status" -- "$BG" link status "$RN" wan2
out_has "link status" "^health +[a-zA-Z]+: "
out_has "link status" "^zone 2 +(dis)?connected"
out_has "link status" "^ESP drops +.*spoofed source [0-9]+$"
out_has "link status" "^BGP( zone 1)? +"
run 0 "link status --json" -- "$BG" --json link status "$RN" "$L2"
[[ $(json_field linkId) == "$L2" ]] || fail "link status --json: linkId"
run 0 "logs" -- "$BG" logs "$RN" --status tunnelConnected --top 5
out_has "logs" "^TIME +REMOTE NETWORK +STATUS +SOURCE +DESTINATION +DESCRIPTION$"
run 0 "logs --json" -- "$BG" --json logs --since 2020-01-01
python3 -c 'import json,sys; json.load(sys.stdin)["value"]' <"$T/out" ||
    fail "logs --json is not JSON"
run 64 "logs --since junk" -- "$BG" logs --since yesterday

# --- configuration ----------------------------------------------------------
run 0 "config" -- "$BG" config "$RN"
out_has "config" "your side: +public IP 203\.0\.113\.100, ASN 65010, BGP address 10\.1\.255\.1"
out_has "config" "gateway BGP address 10\.2\.0\.4 \(configure as your BGP neighbor"
out_has "config" "zone 2: +gateway endpoint"
out_has "config" "gateway BGP address 10\.2\.0\.9"
no_secrets "config"
run 0 "config --json" -- "$BG" --json config "$RN"
[[ $(json_field links 0 localConfigurations 0 asn) == 65476 ]] ||
    fail "config --json: gateway ASN"

for f in swanctl bird frr; do
	run 0 "cpe-config $f" -- "$BG" cpe-config "$RN" "$L1" --format "$f" \
	    --lan 10.1.0.0/16 --lan 10.3.0.0/24
	[[ -s $T/out ]] || fail "cpe-config $f: empty"
	[[ $f == swanctl ]] || out_has "cpe-config $f" "10\.1\.0\.0/16"
done
run 0 "cpe-config (default swanctl)" -- "$BG" cpe-config "$RN" "$L2"
out_has "cpe-config swanctl" "$PSK3"
out_has "cpe-config swanctl" "$ZPSK"
run 0 "cpe-config -o" -- "$BG" cpe-config "$RN" "$L1" -o "$T/swanctl.conf"
[[ $(stat -c %a "$T/swanctl.conf") == 600 ]] || fail "cpe-config -o: mode"
grep -qF -- "$PSK1" "$T/swanctl.conf" || fail "cpe-config -o: no PSK"
run 1 "cpe-config unknown format" -- "$BG" cpe-config "$RN" "$L1" --format junos
err_has "cpe-config unknown format" "^error: "

# --- forwarding profiles ----------------------------------------------------
run 0 "profile list" -- "$BG" profile list
out_has "profile list" "^ID +NAME +TYPE +PRIORITY +STATE"
run 0 "profile list --json" -- "$BG" --json profile list
P=$(json_field value 0 id)
run 0 "rn assign" -- "$BG" rn assign "$RN" "$P"
run 0 "rn profiles" -- "$BG" rn profiles "$RN"
out_has "rn profiles" "^$P "
run 0 "rn unassign" -- "$BG" rn unassign "$RN" "$P"
run 0 "rn profiles after unassign" -- "$BG" rn profiles "$RN"
out_lacks "rn profiles after unassign" "^$P "
run 0 "rn assign again" -- "$BG" rn assign "$RN" "$P"

# --- updates ----------------------------------------------------------------
run 0 "link update --name --psk-file" -- "$BG" link update "$RN" "$L1" \
    --name wan1-renamed --psk-file "$T/psk2"
out_has "link update" "^name +wan1-renamed"
out_has "link update keeps static sources" \
    "^static sources +192\.168\.50\.0/24, 10\.77\.0\.0/16$"
run 0 "link update --static-source replaces" -- "$BG" link update "$RN" \
    "$L1" --static-source 172.16.8.0/22
out_has "link update --static-source" "^static sources +172\.16\.8\.0/22$"
run 0 "link update --static-source none" -- "$BG" link update "$RN" "$L1" \
    --static-source none
out_has "link update --static-source none" "^static sources +\(none\)$"
no_secrets "link update"
run 0 "cpe-config after PSK change" -- "$BG" cpe-config "$RN" "$L1"
out_has "cpe-config after PSK change" "$PSK2"
out_lacks "cpe-config after PSK change" "$PSK1"

run 0 "link update --psk VALUE (warns)" -- "$BG" link update "$RN" "$L2" \
    --psk "$PSK1"
err_has "link update --psk VALUE" "visible .* process list"
run 0 "cpe-config keeps the zone PSK" -- "$BG" cpe-config "$RN" "$L2"
out_has "cpe-config keeps the zone PSK" "$PSK1"
out_has "cpe-config keeps the zone PSK" "$ZPSK"
run 0 "link get keeps the custom policy" -- "$BG" link get "$RN" "$L2"
out_has "link get keeps the custom policy" "^policy +custom"

run 0 "rn update" -- "$BG" rn update "$RN" --name "cli-walk-$$-renamed"
run 0 "rn get after update" -- "$BG" rn get "$RN"
out_has "rn get after update" "^name +cli-walk-$$-renamed"

# --- deletes ----------------------------------------------------------------
# Without a terminal a script must say --yes: refused as a usage error.
run 64 "link delete unconfirmed" -- "$BG" link delete "$RN" "$L2"
err_has "link delete unconfirmed" "no terminal.*pass --yes"
run 0 "link get after unconfirmed delete" -- "$BG" link get "$RN" "$L2"
run 0 "link delete" -- "$BG" link delete --yes "$RN" "$L2"
run 1 "link get after delete" -- "$BG" link get "$RN" "$L2"
err_has "link get after delete" "^error: "
run 0 "link delete (body-created, by name)" -- "$BG" link delete -y "$RN" wan3
out_has "link delete by name" "^deleted device link $L3$"
run 0 "rn delete" -- "$BG" rn delete --yes "$RN"
run 1 "rn get after delete" -- "$BG" rn get "$RN" && RN=""
RN=""

# --- rn create --body - -----------------------------------------------------
printf '{"name":"cli-walk-body-%s","region":"eastUS"}\n' "$$" >"$T/in"
run 0 "rn create --body -" -- "$BG" rn create --body - &&
    RN=$(awk '/^created remote network /{print $4}' "$T/out")
run 0 "rn delete (body-created)" -- env BRANCHGATE_YES=1 "$BG" rn delete \
    "$RN" && RN=""

echo "$checks checks, $fails failed"
[[ $fails -eq 0 ]]
