#!/bin/bash
# lookup.sh: what a look-up and a login cost through customdbd, per engine,
# against glibc's files module measured in the same run.
#
#   bench/lookup.sh [ENGINE...]     (default: sqlite postgresql mysql)
#
# odbc-sqlite, odbc-postgresql, odbc-mysql: the same through driver = odbc
# and Debian's ODBC drivers (RESULTS names another results file).
#
# For each engine: start the server (SQLite: a file) and customdbd, then in a
# private mount namespace with "passwd: files customdb":
#   getpwnam_r of a customdb user with the host cache out of the way (glibc
#     -> module -> daemon -> database)
#   the same user answered by the host cache
#   getpwnam_r of root (the files module: the baseline)
#   one request straight to the daemon (no glibc around it)
#   an authenticate of a sha512crypt user, and of an unknown user
# Medians; results to stdout and bench/results/lookup.txt.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/integration/lib/ns.sh"
ns_enter "$0" "$@"
. "$ROOT/tests/integration/lib/servers.sh"
. "$ROOT/tests/integration/lib/legacy.sh"

ENGINES=("$@")
[ ${#ENGINES[@]} -eq 0 ] && ENGINES=(sqlite postgresql mysql)
N=${N:-2000}
NAUTH=${NAUTH:-200}
WORK=$(mktemp -d /tmp/customdb-bench.XXXXXX)
chmod 755 "$WORK"
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	local d
	for d in postgresql odbc-postgresql; do pg_stop "$WORK/$d/db" >/dev/null 2>&1; done
	for d in mysql odbc-mysql; do maria_stop "$WORK/$d/db" >/dev/null 2>&1; done
	rm -rf "$WORK"
}
trap cleanup EXIT
ns_setup "$WORK" "$BUILD"
odbc_setup "$WORK/odbc"
SOCK=/run/customdb/socket
export LEGACY_NO_SLOW=1
CALLS=$BUILD/bench/daemon_calls
LOOKUPS=$BUILD/bench/nss_lookups

median_of() { awk '{print $(NF-7)}'; }

mkdir -p "$HERE/results"
{
echo "# lookup bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores; medians"
printf '%-15s %12s %10s %10s %8s %10s %10s %10s %7s\n' engine "via daemon" "cached" \
	"files" "dmn/fil" "raw dmn" "login ms" "unkn. ms" "unk/kn"
for e in "${ENGINES[@]}"; do
	dir=$WORK/$e
	mkdir -p "$dir"
	chmod 755 "$dir"
	case $e in
	sqlite | odbc-sqlite)
		{ legacy_schema sqlite; legacy_data; } | sqlite3 "$dir/legacy.db"
		conn=$dir/legacy.db
		[ "$e" = sqlite ] || conn=$(odbc_conninfo sqlite "$dir/legacy.db") ;;
	postgresql | odbc-postgresql)
		mkdir -p "$dir/db"; pg_start "$dir/db" >/dev/null 2>&1 || exit 1
		{ legacy_schema postgresql; legacy_data; } | pg_sql "$dir/db" >/dev/null
		conn="$(pg_conninfo "$dir/db") password=legacy-secret"
		[ "$e" = postgresql ] || conn="$(odbc_conninfo postgresql "$dir/db");PWD=legacy-secret" ;;
	mysql | odbc-mysql)
		mkdir -p "$dir/db"; maria_start "$dir/db" >/dev/null 2>&1 || exit 1
		{ legacy_schema mysql; legacy_data; } | maria_sql "$dir/db" >/dev/null
		conn="$(maria_conninfo "$dir/db") password=legacy-secret"
		[ "$e" = mysql ] || conn="$(odbc_conninfo mysql "$dir/db");PWD=legacy-secret" ;;
	esac
	legacy_config "$e" "$conn" "$SOCK" | sed "s|^state_dir = .*|state_dir = $dir/state|" > "$dir/customdb.conf"
	chmod 600 "$dir/customdb.conf"
	"$BUILD/customdbd/customdbd" -c "$dir/customdb.conf" -f 2>"$dir/daemon.log" &
	PID=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
	# warm every worker's connection first; the host cache is elsewhere
	export CUSTOMDB_STATE_DIR=$WORK/no-cache
	"$LOOKUPS" 200 name alice >/dev/null
	set -- $("$LOOKUPS" "$N" name alice); nss=$1; found=$2
	[ "$found" = found ] || { echo "bench: alice not found through $e" >&2; exit 1; }
	set -- $("$LOOKUPS" "$N" name root); files=$1
	# now the daemon's host cache, written within a second of the look-ups
	export CUSTOMDB_STATE_DIR=$dir/state
	sleep 1.5
	set -- $("$LOOKUPS" "$N" name alice); cached=$1
	daemon=$("$CALLS" "$SOCK" "$N" getpwnam alice | sed 's/.*median \([0-9.]*\) us.*/\1/')
	# known and unknown user alternate, call by call
	both=$(echo alice-pw | "$CALLS" "$SOCK" "$NAUTH" authenticate alice nosuchuser)
	case $both in *"alice: "*"last status ok"*) ;; *) echo "bench: login failed: $both" >&2; exit 1 ;; esac
	login=$(echo "$both" | sed -n 's/^authenticate alice:.*median \([0-9.]*\) us.*/\1/p')
	unknown=$(echo "$both" | sed -n 's/^authenticate nosuchuser:.*median \([0-9.]*\) us.*/\1/p')
	printf '%-15s %12s %10s %10s %8s %10s %10s %10s %7s\n' "$e" "$nss" "$cached" "$files" \
		"$(echo "scale=1; $nss / $files" | bc)" "$daemon" \
		"$(echo "scale=2; $login / 1000" | bc)" "$(echo "scale=2; $unknown / 1000" | bc)" \
		"$(echo "scale=2; $unknown / $login" | bc)"
	kill "$PID"; wait "$PID" 2>/dev/null; PID=""
done
echo "# microseconds unless said; via daemon: glibc getpwnam_r of a customdb user, host cache out of the"
echo "# way, so through the daemon to the database; cached: the same answered by the host cache;"
echo "# files: getpwnam_r of root by glibc's files module (the baseline); dmn/fil = via daemon / files;"
echo "# raw dmn: one request straight to customdbd; login: authenticate, sha512crypt 5000 rounds"
} | tee "${RESULTS:-$HERE/results/lookup.txt}"
