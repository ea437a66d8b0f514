#!/bin/bash
# store_pg.sh: the store's unit tests against a real PostgreSQL store.
#
#   tests/integration/store_pg.sh        (as root; BUILD=... for another build)
#
# Starts a throw-away PostgreSQL server (lib/servers.sh), gives the store a
# role and a database of its own as a fleet's administrator would (the role
# owns the database and creates the schema itself), runs
# $BUILD/tests/unit/test_store with CUSTOMDB_TEST_STORE_PG naming that
# database, so that its "postgresql" test case runs next to the SQLite one,
# then stops the server. Exits with test_store's status (2: cannot start).
# It loads no NSS or PAM module: no private mount namespace is needed.
# CUSTOMDB_TEST_IMPORT_ROWS=100000 times the bulk import at full size.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
TEST=$BUILD/tests/unit/test_store

. "$HERE/lib/servers.sh"

[ -x "$TEST" ] || { echo "store_pg.sh: $TEST is missing: build first" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "store_pg.sh: must run as root (it starts a server)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/customdb-storepg.XXXXXX) || exit 2
chmod 755 "$WORK"
PG=$WORK/pg
cleanup() {
	pg_stop "$PG" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$PG"
PG_PORT=55437 pg_start "$PG" || exit 2
pg_store_database "$PG" || exit 2
CUSTOMDB_TEST_STORE_PG="$(pg_store_conninfo "$PG") password=store-secret"
export CUSTOMDB_TEST_STORE_PG

"$TEST"
