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
# Then, in migrate mode (SQLite legacy database and store), once alice has
# logged in (and so migrated): getgrnam_r and getgrgid_r of her group devs,
# the calls id(1) makes for her (getpwnam_r, getgrouplist, getgrgid_r of
# each group), and the id command itself, each through the daemon (host
# cache out of the way), from the host cache, and for what the files module
# answers for its twins (falice in fdevs and fops, added to /etc/passwd and
# /etc/group inside the namespace), in the same run.
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

# median: the median of the numbers on stdin, one a line
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# id_row N: id(1) of alice through the daemon, from the host cache, and id
# of falice (files), N runs each, interleaved so that drift hits all three
# alike; median microseconds per run, fork and exec included
id_row() {
	local i s via="" cached="" files=""
	for ((i = 0; i < $1; i++)); do
		s=$EPOCHREALTIME; CUSTOMDB_STATE_DIR=$WORK/no-cache id alice >/dev/null
		via+="$(echo "($EPOCHREALTIME - $s) * 1000000" | bc)"$'\n'
		s=$EPOCHREALTIME; id alice >/dev/null
		cached+="$(echo "($EPOCHREALTIME - $s) * 1000000" | bc)"$'\n'
		s=$EPOCHREALTIME; id falice >/dev/null
		files+="$(echo "($EPOCHREALTIME - $s) * 1000000" | bc)"$'\n'
	done
	via=$(printf '%s' "$via" | median)
	cached=$(printf '%s' "$cached" | median)
	files=$(printf '%s' "$files" | median)
	printf '%-22s %12.0f %10.0f %10.0f %8s\n' "id(1) alice|falice" "$via" "$cached" "$files" \
		"$(echo "scale=2; $cached / $files" | bc)"
}

# group_row LABEL KIND CUSTOMDB-KEY FILES-KEY: one row of the migrate-mode table
group_row() {
	local via cached files found
	CUSTOMDB_STATE_DIR=$WORK/no-cache "$LOOKUPS" 200 "$2" "$3" >/dev/null
	read -r via found < <(CUSTOMDB_STATE_DIR=$WORK/no-cache "$LOOKUPS" "$N" "$2" "$3")
	[ "$found" = found ] || { echo "bench: $2 $3 not found through the daemon" >&2; exit 1; }
	read -r cached found < <("$LOOKUPS" "$N" "$2" "$3")
	[ "$found" = found ] || { echo "bench: $2 $3 not found in the host cache" >&2; exit 1; }
	read -r files found < <("$LOOKUPS" "$N" "$2" "$4")
	printf '%-22s %12s %10s %10s %8s\n' "$1" "$via" "$cached" "$files" \
		"$(echo "scale=2; $cached / $files" | bc)"
}

# migrated_groups: the migrate-mode table (SQLite legacy database and store)
migrated_groups() {
	local dir=$WORK/migrate
	mkdir -p "$dir"
	chmod 755 "$dir"
	{ legacy_schema sqlite; legacy_data; } | sqlite3 "$dir/legacy.db"
	{ legacy_config sqlite "$dir/legacy.db" "$SOCK" |
		sed -e "s|^state_dir = .*|state_dir = $dir/state|" -e 's/^mode = legacy$/mode = migrate/'
	  printf '\n[store]\ndriver = sqlite\npath = %s\n' "$dir/store.db"; } > "$dir/customdb.conf"
	chmod 600 "$dir/customdb.conf"
	"$BUILD/customdbd/customdbd" -c "$dir/customdb.conf" -f 2>"$dir/daemon.log" &
	PID=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
	# the files module's twin of alice: a user in two groups of their own,
	# at the end of this namespace's /etc/passwd and /etc/group
	cp /etc/passwd "$dir/passwd"
	cp /etc/group "$dir/group"
	echo "falice:x:10901:100:Files Alice:/home/falice:/bin/bash" >> "$dir/passwd"
	printf 'fdevs:x:20901:falice,fbob\nfops:x:20902:falice\n' >> "$dir/group"
	mount --bind "$dir/passwd" /etc/passwd
	mount --bind "$dir/group" /etc/group
	echo alice-pw | "$CALLS" "$SOCK" 1 authenticate alice >/dev/null
	export CUSTOMDB_STATE_DIR=$dir/state
	# the login's groups reach the file within a second or two
	for _ in $(seq 200); do
		CUSTOMDB_SOCKET=/nonexistent getent group 20002 >/dev/null && break
		sleep 0.05
	done
	echo
	echo "# migrate mode (SQLite): alice migrated, in groups devs (20001) and ops; files: falice in"
	echo "# fdevs (20901) and fops, the last lines of /etc/passwd and /etc/group"
	printf '%-22s %12s %10s %10s %8s\n' lookup "via daemon" "cached" "files" "cch/fil"
	group_row "getgrnam devs|fdevs" grnam devs fdevs
	group_row "getgrgid 20001|20901" grgid 20001 20901
	group_row "id's calls alice|falice" id alice falice
	id_row 200
	kill "$PID"; wait "$PID" 2>/dev/null; PID=""
	echo "# via daemon: the host cache out of the way; cached: from the host cache, no daemon asked;"
	echo "# files: the same call answered by glibc's files module; id(1): median of 200 runs of the"
	echo "# command, fork and exec included; cch/fil = cached / files. falice's getgrouplist asks"
	echo "# customdb too (glibc asks every module on the group line), which asks the daemon: a user"
	echo "# customdb does not know has no host cache entry"
}

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
migrated_groups
echo "# microseconds unless said; via daemon: glibc getpwnam_r of a customdb user, host cache out of the"
echo "# way, so through the daemon to the database; cached: the same answered by the host cache;"
echo "# files: getpwnam_r of root by glibc's files module (the baseline); dmn/fil = via daemon / files;"
echo "# raw dmn: one request straight to customdbd; login: authenticate, sha512crypt 5000 rounds"
} | tee "${RESULTS:-$HERE/results/lookup.txt}"
