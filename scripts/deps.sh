#!/bin/sh
# deps.sh - install every build and test dependency of branchgate on Debian 12.
# Idempotent: does nothing when all packages are present. Needs root (prints
# the command to run otherwise).
set -eu

PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev
libssl-dev libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev postgresql
libcurl4-openssl-dev libevent-dev liburcu-dev libmnl-dev libnftables-dev libcmocka-dev
sqlite3 curl iproute2 iputils-ping procps python3 python3-scapy python3-cryptography nftables iperf3
strongswan-charon strongswan-swanctl libcharon-extra-plugins
libstrongswan-extra-plugins libstrongswan-standard-plugins bird2 frr exabgp gobgpd
nodejs chromium"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
# Debian's npm is its own package; a nodejs that bundles npm needs none.
command -v npm >/dev/null 2>&1 || missing="$missing npm"

# The web console's npm packages (web/package-lock.json), once per lock
# change. Playwright drives the system chromium: it downloads no browser.
web_deps() {
	lock=web/package-lock.json
	[ -f "$lock" ] || return 0
	cmp -s "$lock" web/node_modules/.package-lock.json 2>/dev/null &&
		[ -x web/node_modules/.bin/esbuild ] && return 0
	echo "branchgate: npm ci in web/" >&2
	(cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) >&2
	cp "$lock" web/node_modules/.package-lock.json
}

if [ -z "$missing" ]; then
	web_deps
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "branchgate: missing packages:$missing" >&2
	echo "run as root: apt-get install -y$missing" >&2
	exit 1
fi
echo "branchgate: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The test peers (charon, bird, frr, exabgp, gobgpd) must not start as system services: the
# tests run their own instances in network namespaces.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends $missing
web_deps
