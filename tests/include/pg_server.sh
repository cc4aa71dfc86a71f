#!/bin/sh
# pg_server.sh - a throwaway PostgreSQL for the tests, on a Unix socket in
# a temporary directory (no TCP port).
#   pg_server.sh start      prints the directory, then the store URL
#   pg_server.sh stop DIR   stops it (fast mode) and removes DIR
#   pg_server.sh pause DIR  stops the server, keeps its data
#   pg_server.sh resume DIR starts it again on the same data
# initdb refuses root: as root the server runs as the postgres user (the
# Debian package creates it). A missing server is installed through
# scripts/deps.sh, never skipped.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
	sh "$here/../../scripts/deps.sh" >&2
	bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_user() {
	if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi
}
start_server() {
	as_pg "$bin/pg_ctl" -D "$1/data" -l "$1/log" -w -t 60 \
	    -o "-k $1 -c listen_addresses='' -c fsync=on -c synchronous_commit=on" \
	    start >/dev/null
}
case "$1" in
start)
	dir=$(mktemp -d /tmp/bgpg.XXXXXX)
	chmod 755 "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	as_pg "$bin/initdb" -D "$dir/data" -U "$(pg_user)" --auth=trust \
	    -E UTF8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	start_server "$dir"
	echo "$dir"
	echo "postgresql:///postgres?host=$dir&user=$(pg_user)"
	;;
pause)
	as_pg "$bin/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null
	;;
resume)
	start_server "$2"
	;;
stop)
	as_pg "$bin/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$2"
	;;
*)
	echo "usage: pg_server.sh start|stop DIR|pause DIR|resume DIR" >&2
	exit 64
	;;
esac
