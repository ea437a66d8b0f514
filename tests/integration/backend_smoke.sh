#!/bin/bash
# backend_smoke.sh: start throw-away PostgreSQL and MariaDB servers with
# lib/servers.sh, load a small table, log in as customdb, restart each server,
# and clean up. Proves the helpers work; the real tests live beside it.
set -eu

here=$(cd -- "$(dirname -- "$0")" && pwd)
. "$here/lib/servers.sh"

T=$(mktemp -d)
cleanup() {
	pg_stop "$T/pg" || true
	maria_stop "$T/maria" || true
	rm -rf -- "$T"
}
trap cleanup EXIT

fail() {
	printf 'backend_smoke: FAIL: %s\n' "$*" >&2
	exit 1
}

expect() {
	local what=$1 want=$2 got=$3
	[ "$got" = "$want" ] || fail "$what: want '$want', got '$got'"
}

schema="CREATE TABLE users (id integer PRIMARY KEY, name varchar(64) NOT NULL,
                   pass varchar(255));
INSERT INTO users VALUES (1, 'alice', 'x'), (2, 'bob', NULL);"

# PostgreSQL
pg_start "$T/pg"
pg_sql "$T/pg" "$schema"
expect "pg rows as postgres" 2 "$(pg_sql "$T/pg" 'SELECT count(*) FROM users')"
got=$(PGPASSWORD=legacy-secret psql -X -At "$(pg_conninfo "$T/pg")" \
	-c "SELECT name FROM users WHERE id = 1")
expect "pg as customdb" alice "$got"
if PGPASSWORD=wrong psql -X -At "$(pg_conninfo "$T/pg")" -c 'SELECT 1' >/dev/null 2>&1; then
	fail "pg accepted a wrong password"
fi
pg_stop "$T/pg"
if PGPASSWORD=legacy-secret psql -X -At "$(pg_conninfo "$T/pg")" -c 'SELECT 1' >/dev/null 2>&1; then
	fail "pg still answers after pg_stop"
fi
pg_restart_server "$T/pg"
expect "pg after restart" 2 "$(pg_sql "$T/pg" 'SELECT count(*) FROM users')"

# MariaDB
maria_start "$T/maria"
maria_sql "$T/maria" "$schema"
expect "maria rows as root" 2 "$(maria_sql "$T/maria" 'SELECT count(*) FROM users')"
got=$(mariadb --no-defaults --socket="$T/maria/mysql.sock" -u customdb -plegacy-secret \
	-N -B legacy -e "SELECT name FROM users WHERE id = 1")
expect "maria as customdb" alice "$got"
if mariadb --no-defaults --socket="$T/maria/mysql.sock" -u customdb -pwrong \
	-N -B legacy -e 'SELECT 1' >/dev/null 2>&1; then
	fail "maria accepted a wrong password"
fi
expect "maria conninfo" "socket=$T/maria/mysql.sock user=customdb database=legacy" \
	"$(maria_conninfo "$T/maria")"
maria_stop "$T/maria"
[ ! -S "$T/maria/mysql.sock" ] || fail "maria socket left after maria_stop"
maria_restart_server "$T/maria"
expect "maria after restart" 2 "$(maria_sql "$T/maria" 'SELECT count(*) FROM users')"

echo "backend_smoke: ok"
