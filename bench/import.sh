#!/bin/bash
# import.sh: what `customdb migrate import` costs, against the floor measured
# in the same run: the same rows moved into an SQLite file of the store's
# shape by the engines' own tools alone, with no mapping, no hash check and no
# group look-ups.
#
#   bench/import.sh [ENGINE...]     (default: sqlite postgresql; N=100000)
#
# For each legacy engine: N users (a sha512crypt hash each, every hundredth
# in one group) are imported into a fresh SQLite store by customdb (batches of
# 1000, the default), and copied by the floor:
#   sqlite      sqlite3: ATTACH the legacy file, one INSERT ... SELECT
#   postgresql  psql \copy of the rows to a file, then sqlite3 .import
# Results to stdout and bench/results/import.txt.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/integration/lib/servers.sh"
. "$ROOT/tests/integration/lib/legacy.sh"

ENGINES=("$@")
[ ${#ENGINES[@]} -eq 0 ] && ENGINES=(sqlite postgresql)
N=${N:-100000}
TOOL=$BUILD/tools/customdb
[ -x "$TOOL" ] || { echo "import.sh: $TOOL is missing: build first" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "import.sh: run as root (it starts servers)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/customdb-bench-import.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	[ -d "$WORK/pg" ] && pg_stop "$WORK/pg" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

HASH=$(mkpasswd -m sha512crypt bench-pw)
COLS="id, username, uid, password, email, active, fullname, shell"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# the bulk, as SQL for the engine
bulk_sql() {
	case $1 in
	sqlite) echo "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $N)
INSERT INTO users ($COLS) SELECT i, printf('bench%06d', i), 20000 + i, '$HASH',
  printf('bench%06d@example.org', i), 1, 'Bench ' || i, NULL FROM seq;" ;;
	postgresql) echo "INSERT INTO users ($COLS) SELECT i, 'bench' || lpad(i::text, 6, '0'), 20000 + i,
  '$HASH', 'bench' || lpad(i::text, 6, '0') || '@example.org', 1, 'Bench ' || i, NULL
  FROM generate_series(1, $N) AS i;" ;;
	esac
	echo "INSERT INTO app_groups VALUES (1, 'benchers', 30000);"
	echo "INSERT INTO app_members SELECT 1, id FROM users WHERE id % 100 = 0;"
	echo "CREATE INDEX app_members_user ON app_members (user_id);"
}

# the floor's table: the store's users columns
FLOOR_SCHEMA="CREATE TABLE users (name TEXT PRIMARY KEY NOT NULL, uid INTEGER NOT NULL UNIQUE,
  gid INTEGER NOT NULL, gecos TEXT, home TEXT, shell TEXT, email TEXT, password_hash TEXT);
PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"

run_engine() {
	local e=$1 d=$WORK/$1 conn t0 t1 tool_ms floor_ms out
	mkdir -p "$d/state"
	chmod 700 "$d"
	case $e in
	sqlite)
		{ legacy_schema sqlite; bulk_sql sqlite; } | sqlite3 -batch "$d/legacy.db" || return 1
		conn=$d/legacy.db ;;
	postgresql)
		mkdir -p "$WORK/pg"
		pg_start "$WORK/pg" > "$d/server.log" 2>&1 || { cat "$d/server.log"; return 1; }
		{ legacy_schema postgresql; bulk_sql postgresql; } | pg_sql "$WORK/pg" >/dev/null || return 1
		conn="$(pg_conninfo "$WORK/pg") password=legacy-secret" ;;
	esac
	LEGACY_NO_SLOW=1 legacy_config "$e" "$conn" "$d/socket" |
		sed -e 's/^mode = legacy$/mode = migrate/' -e "s|^state_dir = .*|state_dir = $d/state|" \
		    -e 's/^max_uid = .*/max_uid = 4000000/' \
		> "$d/customdb.conf"
	printf '\n[store]\npath = %s/state/store.db\n' "$d" >> "$d/customdb.conf"
	chmod 600 "$d/customdb.conf"

	t0=$(now_ms)
	"$TOOL" -c "$d/customdb.conf" --json migrate import > "$d/import.json" 2> "$d/import.err" ||
		{ cat "$d/import.err"; return 1; }
	t1=$(now_ms)
	tool_ms=$((t1 - t0))
	out=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["imported"])' "$d/import.json")

	rm -f "$d/floor.db"
	sqlite3 -batch "$d/floor.db" "$FLOOR_SCHEMA" >/dev/null
	t0=$(now_ms)
	case $e in
	sqlite)
		sqlite3 -batch "$d/floor.db" "ATTACH '$d/legacy.db' AS l;
			INSERT INTO users SELECT username, uid, 100, fullname, '/home/' || username,
			  '/bin/sh', email, password FROM l.users;" ;;
	postgresql)
		pg_sql "$WORK/pg" "COPY (SELECT username, uid, 100, fullname, '/home/' || username, '/bin/sh', email, password FROM users) TO STDOUT WITH (FORMAT csv)" > "$d/rows.csv"
		sqlite3 -batch "$d/floor.db" ".import --csv $d/rows.csv users" ;;
	esac
	t1=$(now_ms)
	floor_ms=$((t1 - t0))
	[ "$tool_ms" -gt 0 ] || tool_ms=1
	[ "$floor_ms" -gt 0 ] || floor_ms=1
	printf '%-11s %9s %10d %12d %10d %8.1f\n' "$e" "$out" "$tool_ms" \
		"$((out * 1000 / tool_ms))" "$floor_ms" "$(echo "scale=2; $tool_ms / $floor_ms" | bc)"
}

{
	echo "# migrate import bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores; $N legacy users into an SQLite store"
	printf '%-11s %9s %10s %12s %10s %8s\n' legacy imported import_ms users_per_s floor_ms ratio
	for e in "${ENGINES[@]}"; do
		run_engine "$e" || echo "$e: failed"
	done
	echo "# floor: the same rows copied into a table of the store's shape by sqlite3 (and psql) alone"
	echo "# ratio: import_ms / floor_ms; customdb also maps every row, checks its hash's form,"
	echo "# reads each user's groups (one user_groups query each) and writes groups and memberships"
} | tee "$HERE/results/import.txt"
