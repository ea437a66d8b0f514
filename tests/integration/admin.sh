#!/bin/bash
# admin.sh: the administrator's commands end to end, with real servers and
# real clients: customdb migrate import|status, cache show|flush, status.
#
#   tests/integration/admin.sh             (ADMIN_USERS=N: bulk size, 100000)
#
# A bulk of N legacy users (made by SQL in the legacy database, their hashes
# in five formats taken from data/formats.tsv) is imported into an SQLite
# store from an SQLite and from a PostgreSQL legacy database, and from
# PostgreSQL into a PostgreSQL store; each import is timed. Imported users
# then log in through pamtester with their legacy hash, which the first login
# replaces with argon2id; a second import imports nothing; an unusable row, a
# uid conflict, a disabled account and rows the rules refuse are reported;
# migrate status agrees with what sqlite3 / psql count. A small MariaDB legacy
# set is imported too. cache show / flush and status run against the daemon
# (and without one), as root and as a user who is not.
# Needs what run.sh needs (jq too); runs inside a private mount namespace.
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"
command -v jq >/dev/null || { echo "admin.sh: needs jq" >&2; exit 2; }
N=${ADMIN_USERS:-100000}
N_MYSQL=300

WORK=$(mktemp -d /tmp/customdb-adm.XXXXXX)
chmod 755 "$WORK"
LEGACY_PG=$WORK/legacy-pg
STORE_PG=$WORK/store-pg
MARIA=$WORK/maria
cleanup() {
	local p
	for p in "$WORK"/*.pid; do
		[ -e "$p" ] && stop_daemon "$p" KILL
	done
	pg_stop "$LEGACY_PG" >/dev/null 2>&1
	pg_stop "$STORE_PG" >/dev/null 2>&1
	maria_stop "$MARIA" >/dev/null 2>&1
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"

# --- the legacy data ---------------------------------------------------------

# fmt COLUMN USER: a column of data/formats.tsv (3 password, 4 hash)
fmt() { awk -F'\t' -v u="$2" -v c="$1" '$1 == u { print $c }' "$HERE/data/formats.tsv"; }

# The bulk: impNNNNNN (id 1000 + N, uid 100000 + N), password and hash by
# N % 10: 0-4 sha512crypt, 5-6 bcrypt, 7 phpass, 8 md5crypt, 9 Django PBKDF2.
# Every hundredth is in the group importers (gid 30000).
BULK_FMT=(fmt04 fmt04 fmt04 fmt04 fmt04 fmt00 fmt00 fmt29 fmt06 fmt16)
bulk_pw() { fmt 3 "${BULK_FMT[$((10#${1#imp} % 10))]}"; }
bulk_hash_case() {
	printf "CASE %s %% 10 WHEN 5 THEN '%s' WHEN 6 THEN '%s' WHEN 7 THEN '%s' WHEN 8 THEN '%s' WHEN 9 THEN '%s' ELSE '%s' END" \
		"$1" "$(fmt 4 fmt00)" "$(fmt 4 fmt00)" "$(fmt 4 fmt29)" "$(fmt 4 fmt06)" \
		"$(fmt 4 fmt16)" "$(fmt 4 fmt04)"
}

# bulk_sql ENGINE COUNT: INSERTs of the bulk users and their group
bulk_sql() {
	local e=$1 n=$2 cols="id, username, uid, password, email, active, fullname, shell" i
	case $e in
	sqlite)
		echo "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $n)
INSERT INTO users ($cols) SELECT 1000 + i, printf('imp%06d', i), 100000 + i, $(bulk_hash_case i),
  printf('imp%06d@example.org', i), 1, 'Imported ' || i, NULL FROM seq;" ;;
	postgresql)
		echo "INSERT INTO users ($cols) SELECT 1000 + i, 'imp' || lpad(i::text, 6, '0'), 100000 + i,
  $(bulk_hash_case i), 'imp' || lpad(i::text, 6, '0') || '@example.org', 1, 'Imported ' || i, NULL
  FROM generate_series(1, $n) AS i;" ;;
	mysql)
		for i in $(seq "$n"); do
			echo "INSERT INTO users ($cols) VALUES ($((1000 + i)), 'imp$(printf %06d "$i")', $((100000 + i)), '$(fmt 4 "${BULK_FMT[$((i % 10))]}")', NULL, 1, 'Imported $i', NULL);"
		done ;;
	esac
	echo "INSERT INTO app_groups VALUES (10, 'importers', 30000);"
	echo "INSERT INTO app_members SELECT 10, id FROM users WHERE id >= 1000 AND (id - 1000) % 100 = 0;"
	echo "CREATE INDEX app_members_user ON app_members (user_id);"
	# a hash of no known form, and alice's uid a second time
	echo "INSERT INTO users ($cols) VALUES (900, 'badhash', 10900, 'not-a-hash-of-any-kind', NULL, 1, 'Bad', NULL);"
	echo "INSERT INTO users ($cols) VALUES (901, 'dupuid', 10001, '$(fmt 4 fmt04)', NULL, 1, 'Dup', NULL);"
}

# legacy_sql ENGINE SQL
legacy_sql() {
	case $1 in
	sqlite) sqlite3 -batch "$WORK/legacy.db" "$2" ;;
	postgresql) pg_sql "$LEGACY_PG" "$2" ;;
	mysql) maria_sql "$MARIA" "$2" ;;
	esac
}

# load_legacy ENGINE COUNT: the fixture's users and the bulk, afresh
load_legacy() {
	local e=$1
	case $e in
	sqlite)
		{ legacy_data; bulk_sql "$e" "$2"; } | legacy_load sqlite "$WORK/legacy.db" &&
			chmod 644 "$WORK/legacy.db" ;;
	postgresql) { legacy_data; bulk_sql "$e" "$2"; } | legacy_load postgresql "$LEGACY_PG" ;;
	mysql) { legacy_data; bulk_sql "$e" "$2"; } | legacy_load mysql "$MARIA" ;;
	esac
}

legacy_conn() {
	case $1 in
	sqlite) echo "$WORK/legacy.db" ;;
	postgresql) echo "$(pg_conninfo "$LEGACY_PG") password=legacy-secret" ;;
	mysql) echo "$(maria_conninfo "$MARIA") password=legacy-secret" ;;
	esac
}

# --- the store and the config --------------------------------------------------

# STORE_KIND (sqlite | postgresql) and STORE_DB (the file) pick the store
store_sql() {
	case $STORE_KIND in
	sqlite) sqlite3 -batch "$STORE_DB" "$1" ;;
	postgresql) printf '%s\n' "$1" | _pg_psql "$STORE_PG" store ;;
	esac
}

pg_store_section() {
	printf 'driver = postgresql\nconnection = %s password=store-secret\n' \
		"$(pg_store_conninfo "$STORE_PG")"
}

# admin_config ENGINE MODE SOCKET STATE-DIR STORE-SECTION: uids up to
# 200000, for the bulk
admin_config() {
	legacy_config "$1" "$(legacy_conn "$1")" "$3" |
		sed -e "s/^mode = legacy$/mode = $2/" -e "s|^state_dir = .*|state_dir = $4|" \
		    -e 's/^max_uid = 60000$/max_uid = 200000/'
	[ "$2" = migrate ] && printf '\n[store]\n%s\n' "$5"
}

# as_nobody CMD...: run CMD as a user who is not root
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
export -f as_nobody

# exit_of CMD...: the exit status of CMD (its output dropped)
exit_of() { "$@" >/dev/null 2>&1; echo $?; }

# jqf FILE FILTER
jqf() { jq -r "$2" "$1"; }

# --- one import ----------------------------------------------------------------

# import_scenario ENGINE STORE-KIND COUNT: import COUNT bulk users (plus the
# fixture's) from ENGINE into a STORE-KIND store and check what it did
import_scenario() {
	local e=$1 sk=$2 n=$3 tag="$1 legacy, $2 store" d=$WORK/$1-$2
	local sock=/run/customdb/adm-$1-$2.sock svc=adm-$1-$2 conf log pidfile store out rc u
	local want=$((n + 12)) secs
	mkdir -p "$d"
	chmod 755 "$d"
	conf=$d/customdb.conf
	log=$d/daemon.log
	pidfile=$WORK/$1-$2.pid
	out=$d/import.json
	STORE_KIND=$sk
	STORE_DB=$d/state/store.db
	case $sk in
	sqlite) store="path = $STORE_DB" ;;
	postgresql)
		store=$(pg_store_section)
		store_sql "DELETE FROM memberships; DELETE FROM users; DELETE FROM groups; DELETE FROM tombstones" >/dev/null 2>&1 ;;
	esac
	export CUSTOMDB_SOCKET=$sock

	t_section "$tag: $n bulk users"
	t_ok "$tag: legacy data loaded ($((n + 20)) rows)" load_legacy "$e" "$n"
	admin_config "$e" migrate "$sock" "$d/state" "$store" > "$conf"
	# the SQLite one holds no password: others may read it (as_nobody below)
	if [ "$e" = sqlite ] && [ "$sk" = sqlite ]; then chmod 644 "$conf"; else chmod 600 "$conf"; fi
	ns_pam_service "$svc" "auth required $PAMMOD socket=$sock" "account required $PAMMOD socket=$sock"
	t_ok "$tag: customdbd starts" start_daemon "$conf" "$log" "$sock" "$pidfile" || return
	t_grep "$tag: bob logs in before the import (a trickle migration)" "successfully authenticated" \
		pam "$svc" bob bob-pw
	"$TOOL" -c "$conf" --json migrate status > "$d/status0.json" 2>&1
	t_out "$tag: migrate status before: legacy_users as the legacy database counts" \
		"$(legacy_sql "$e" "SELECT count(*) FROM users")" jqf "$d/status0.json" .legacy_users
	t_out "$tag: ... store_users 1 (bob)" 1 jqf "$d/status0.json" .store_users

	t_section "$tag: migrate import"
	"$TOOL" -c "$conf" --json migrate import > "$out" 2> "$d/import.err"
	rc=$?
	t_out "$tag: import exits 0" 0 echo "$rc"
	secs=$(jq -r '.elapsed_ms / 1000' "$out")
	t_ok "$tag: imported $(jqf "$out" .imported) users in $secs s: $(jqf "$out" .imported_per_second) users/s" \
		test "$(jqf "$out" .complete)" = true
	t_out "$tag: imported: the bulk and 12 of the fixture's users" "$want" jqf "$out" .imported
	t_out "$tag: already there: bob" "1 bob" jqf "$out" '"\(.already_there.count) \(.already_there.first | join(","))"'
	t_out "$tag: uid conflict reported by name" "1 dupuid (uid 10001 is another user's in the store)" \
		jqf "$out" '"\(.conflicts.count) \(.conflicts.first[0])"'
	t_out "$tag: unusable rows reported by name" "2 badhash (a hash of no format customdb reads),ivan (no password hash)" \
		jqf "$out" '"\(.unusable.count) \(.unusable.first | sort | join(","))"'
	t_out "$tag: the disabled account stays in the legacy database" "1 carol (disabled)" \
		jqf "$out" '"\(.left_in_legacy.count) \(.left_in_legacy.first | join(","))"'
	t_out "$tag: rows the rules refuse (uid 0, root, uid 500)" 3 jqf "$out" .rejected.count
	t_out "$tag: every row accounted for" "$((n + 20))" \
		jqf "$out" '.imported + ([.already_there, .conflicts, .deleted_on_purpose, .unusable, .left_in_legacy, .rejected, .store_errors] | map(.count) | add)'
	t_out "$tag: the store holds them (and bob)" "$((want + 1))" store_sql "SELECT count(*) FROM users"
	t_out "$tag: ... imported ones marked" "$want" store_sql "SELECT count(*) FROM users WHERE imported = $([ "$sk" = sqlite ] && echo 1 || echo true)"
	t_out "$tag: ... with the legacy hash kept as it is" "$(fmt 4 fmt29)" \
		store_sql "SELECT password_hash FROM users WHERE name = 'imp000017'"
	t_out "$tag: ... passwd fields as mapped" "100017|100|Imported 17|/home/imp000017|/bin/sh" \
		store_sql "SELECT uid || '|' || gid || '|' || gecos || '|' || home || '|' || shell FROM users WHERE name = 'imp000017'"
	t_out "$tag: ... groups carried over" "$((n / 100))" \
		store_sql "SELECT count(*) FROM memberships WHERE group_name = 'importers'"
	t_out "$tag: ... alice's groups too (gid 90000 is in range here)" "$(printf 'devs\nfarout\nops')" \
		store_sql "SELECT group_name FROM memberships WHERE user_name = 'alice' ORDER BY group_name"
	t_out "$tag: no progress bar when stderr is not a terminal" "" cat "$d/import.err"

	t_section "$tag: imported users log in"
	for u in imp000010 imp000015 imp000017 imp000018 imp000019; do
		t_grep "$tag: $u ($(fmt 2 "${BULK_FMT[$((10#${u#imp} % 10))]}")) logs in with the legacy hash" \
			"successfully authenticated" pam "$svc" "$u" "$(bulk_pw "$u")"
		t_out "$tag: ... and the store now holds argon2id" '$argon2id$' \
			store_sql "SELECT substr(password_hash, 1, 10) FROM users WHERE name = '$u'"
	done
	t_grep "$tag: a wrong password fails" "Authentication failure" pam "$svc" imp000020 wrong
	t_out "$tag: ... and its legacy hash stays" "$(fmt 4 fmt04)" \
		store_sql "SELECT password_hash FROM users WHERE name = 'imp000020'"
	t_grep "$tag: alice (imported from the fixture) logs in" "successfully authenticated" pam "$svc" alice alice-pw
	t_out "$tag: getent passwd of an imported user" "imp000042:x:100042:100:Imported 42:/home/imp000042:/bin/sh" \
		getent passwd imp000042
	t_out "$tag: id of an imported member of importers" "uid=100100(imp000100) gid=100(users) groups=100(users),30000(importers)" \
		id imp000100

	t_section "$tag: run again"
	"$TOOL" -c "$conf" --json migrate import > "$d/import2.json" 2>&1
	t_out "$tag: a second import imports 0" 0 jqf "$d/import2.json" .imported
	t_out "$tag: ... every usable user already there" "$((want + 1))" jqf "$d/import2.json" .already_there.count
	t_out "$tag: ... the store unchanged" "$((want + 1))" store_sql "SELECT count(*) FROM users"
	t_ok "$tag: ... in $(jq -r '.elapsed_ms / 1000' "$d/import2.json") s" true

	t_section "$tag: migrate status"
	store_sql "INSERT INTO tombstones (name, deleted_at) VALUES ('gone', $([ "$sk" = sqlite ] && echo "strftime('%s','now')" || echo "now()"))" >/dev/null
	"$TOOL" -c "$conf" --json migrate status > "$d/status.json" 2>&1
	t_out "$tag: exit 0" 0 exit_of "$TOOL" -c "$conf" migrate status
	t_out "$tag: store_users as the store counts" "$(store_sql "SELECT count(*) FROM users")" jqf "$d/status.json" .store_users
	t_out "$tag: legacy_users as the legacy database counts" "$(legacy_sql "$e" "SELECT count(*) FROM users")" \
		jqf "$d/status.json" .legacy_users
	t_out "$tag: migrated, in percent" "$(awk -v s="$((want + 1))" -v l="$((n + 20))" 'BEGIN { printf "%.2f%%", 100 * s / l }')" \
		jqf "$d/status.json" .migrated
	t_out "$tag: imported, not logged in since (alice and five imp users did)" "$((want - 6))" \
		jqf "$d/status.json" .imported_not_logged_in
	t_out "$tag: tombstones" 1 jqf "$d/status.json" .tombstones
	t_out "$tag: migrations today" "$((want + 1))" jqf "$d/status.json" '.migrations_per_day | to_entries[0].value'
	t_out "$tag: 14 days listed" 14 jqf "$d/status.json" '.migrations_per_day | length'
	t_out "$tag: recent logins: bob, alice and five imp users, newest first" "7 true" \
		jqf "$d/status.json" '.recent_logins | "\(length) \([.[]] == ([.[]] | sort | reverse))"'
	t_grep "$tag: the human form" "^store_users: $((want + 1))$" "$TOOL" -c "$conf" migrate status
	stop_daemon "$pidfile"
}

# _import_under_way: the store file exists and holds users (read only once
# the import has made the file: sqlite3 must not create it first)
_import_under_way() {
	[ -s "$STORE_DB" ] && [ "$(store_sql "SELECT count(*) FROM users" 2>/dev/null)" -gt 0 ]
}

# An import killed half-way (kill -9) is finished by running it again: what
# the first run committed stays, the second imports the rest.
interrupted_import() {
	local d=$WORK/interrupted tag="an interrupted import" want=$((N + 13)) first out
	STORE_KIND=sqlite
	STORE_DB=$d/state/store.db
	mkdir -p "$d"
	chmod 700 "$d"
	admin_config sqlite migrate "$d/sock" "$d/state" "path = $STORE_DB" > "$d/customdb.conf"
	chmod 600 "$d/customdb.conf"
	t_section "$tag"
	if [ "$N" -lt 20000 ]; then
		echo "  (skipped: with ADMIN_USERS=$N the import ends before it can be killed)"
		return
	fi
	# killed as soon as its first batches are committed: a fixed time was
	# too long for an idle machine (the import had ended) and could be too
	# short for a busy one
	"$TOOL" -c "$d/customdb.conf" migrate import --batch 200 >/dev/null 2>&1 &
	local imp=$!
	wait_until 120 _import_under_way
	kill -KILL "$imp" 2>/dev/null
	wait "$imp" 2>/dev/null
	first=$(store_sql "SELECT count(*) FROM users")
	t_ok "$tag: killed under way with $first of $want users committed" \
		test "$first" -gt 0 -a "$first" -lt "$want"
	out=$d/import.json
	# this time on a terminal (script(1) gives it one): the progress bar
	script -qec "'$TOOL' -c '$d/customdb.conf' --json migrate import > '$out'" /dev/null \
		> "$d/tty.out" 2>&1
	# a batch whose commit reached SQLite's WAL just before the kill counts as
	# committed (a reader that came earlier may not have seen it yet)
	local again there
	again=$(jqf "$out" .imported)
	there=$(jqf "$out" .already_there.count)
	t_ok "$tag: run again: imports the rest ($again), skips what is there ($there)" \
		test "$((again + there))" -eq "$want"
	t_grep "$tag: ... with a progress bar, its rate and ETA, on the terminal" \
		'\[#+\] 100%  [0-9]+/[0-9]+  [0-9]+ users/s  ETA [0-9]+:[0-9]{2}' cat "$d/tty.out"
	t_ok "$tag: ... what is there is what the first run committed (at most one batch more)" \
		test "${there:-0}" -ge "$first" -a "${there:-0}" -le "$((first + 200))"
	t_out "$tag: ... and the store holds every user once" "$want" store_sql "SELECT count(*) FROM users"
	t_out "$tag: PRAGMA integrity_check" ok store_sql "PRAGMA integrity_check"
}

# --- cache and status, on the SQLite setup -------------------------------------------

cache_and_status() {
	local d=$WORK/sqlite-sqlite tag="cache and status"
	local conf=$d/customdb.conf log=$d/daemon.log pidfile=$WORK/sqlite-sqlite.pid
	local sock=/run/customdb/adm-sqlite-sqlite.sock svc=adm-sqlite-sqlite pid out
	STORE_KIND=sqlite
	STORE_DB=$d/state/store.db
	export CUSTOMDB_SOCKET=$sock

	t_section "$tag: cache show"
	t_ok "$tag: customdbd starts" start_daemon "$conf" "$log" "$sock" "$pidfile" || return
	t_ok "$tag: ... and loads the store's users into the host cache" \
		wait_log "$log" "migrated users loaded from the store"
	# a store user is in the host cache, never to expire (and again after
	# each login); a group and a legacy look-up are cached until cache_ttl
	t_grep "$tag: imp000200 logs in" "successfully authenticated" pam "$svc" imp000200 "$(bulk_pw imp000200)"
	getent group importers >/dev/null
	getent passwd carol >/dev/null
	t_ok "$tag: ... all three reach the host cache file" \
		wait_cached "$d/state" passwd imp000200 group importers passwd carol
	"$TOOL" -c "$conf" --json cache show imp000200 > "$d/show.json" 2>&1
	t_out "$tag: cache show imp000200: exit 0" 0 exit_of "$TOOL" -c "$conf" cache show imp000200
	t_out "$tag: ... the passwd entry" "imp000200:x:100200:100:Imported 200:/home/imp000200:/bin/sh" \
		jqf "$d/show.json" .passwd.entry
	t_out "$tag: ... never expires" never jqf "$d/show.json" .passwd.expiry
	t_out "$tag: ... its group list, names from the cache" "30000(importers) never" \
		jqf "$d/show.json" '"\(.groups.names | join(",")) \(.groups.expiry)"'
	"$TOOL" -c "$conf" --json cache show carol > "$d/show-carol.json" 2>&1
	t_out "$tag: cache show carol (not migrated, looked up): fresh, with the time it expires" \
		"fresh true" jqf "$d/show-carol.json" '"\(.passwd.expiry) \(.passwd.expires | test(" UTC$"))"'
	t_grep "$tag: the human form" "^  entry: carol:x:10003:100:Carol:/home/carol:/bin/sh$" \
		"$TOOL" -c "$conf" cache show carol
	t_out "$tag: ivan (not migrated, never looked up): exit 1" 1 exit_of "$TOOL" -c "$conf" cache show ivan
	"$TOOL" -c "$conf" --json cache show ivan > "$d/show-ivan.json" 2>&1
	t_out "$tag: ... not cached" "false false false" \
		jqf "$d/show-ivan.json" '"\(.cached) \(.passwd.cached) \(.groups.cached)"'
	t_out "$tag: a name that cannot be a user: exit 2" 2 exit_of "$TOOL" -c "$conf" cache show 'no such!'
	t_out "$tag: cache show needs no root" "imp000200:x:100200:100:Imported 200:/home/imp000200:/bin/sh" \
		bash -c "as_nobody '$TOOL' -c '$conf' --json cache show imp000200 | jq -r .passwd.entry"

	t_section "$tag: cache verify"
	"$TOOL" -c "$conf" --json cache verify > "$d/verify.json" 2>&1
	t_out "$tag: cache verify: the daemon's file is whole" "true" jqf "$d/verify.json" .whole
	t_ok "$tag: ... and holds the imported users (p, u and i entries each)" \
		test "$(jqf "$d/verify.json" .entries)" -ge 300
	# a damaged copy, under a config of its own: verify says so, show refuses it
	mkdir -p "$d/damaged"
	sed "s|^state_dir = .*|state_dir = $d/damaged|" "$conf" > "$d/damaged.conf"
	chmod 600 "$d/damaged.conf"
	head -c -1 "$d/state/hostcache.db" > "$d/damaged/hostcache.db"
	t_out "$tag: a file one byte short: cache verify exits 2" 2 exit_of "$TOOL" -c "$d/damaged.conf" cache verify
	t_grep "$tag: ... saying it is not a host cache file" "not a host cache file" \
		"$TOOL" -c "$d/damaged.conf" cache verify
	t_out "$tag: ... and cache show will not read it either" 2 exit_of "$TOOL" -c "$d/damaged.conf" cache show dave
	cp "$d/state/hostcache.db" "$d/damaged/hostcache.db"
	# the bucket heads of the first table (offset 256 on): every byte set
	printf '\377%.0s' $(seq 64) | dd of="$d/damaged/hostcache.db" bs=1 seek=256 conv=notrunc 2>/dev/null
	t_out "$tag: damaged buckets: cache verify exits 1" 1 exit_of "$TOOL" -c "$d/damaged.conf" cache verify
	t_grep "$tag: ... and says what is wrong" "error: malformed" "$TOOL" -c "$d/damaged.conf" cache verify
	rm "$d/damaged/hostcache.db"
	t_out "$tag: no file at all: cache verify exits 1" 1 exit_of "$TOOL" -c "$d/damaged.conf" cache verify
	rm -rf "$d/damaged" "$d/damaged.conf"

	t_section "$tag: cache flush"
	"$TOOL" -c "$conf" --json cache flush imp000200 > "$d/flush.json" 2>&1
	t_out "$tag: cache flush imp000200 drops its entries (p, u, i, and importers' g, G: it lists her)" 5 \
		jqf "$d/flush.json" .entries_dropped
	t_ok "$tag: ... and a rewrite of the file leaves them out" wait_uncached "$d/state" passwd imp000200
	t_out "$tag: ... then cache show says not cached" "1 false" \
		bash -c "'$TOOL' -c '$conf' --json cache show imp000200 > '$d/show2.json'; echo \$? \$(jq -r .cached '$d/show2.json')"
	t_out "$tag: ... the others stay" 0 exit_of "$TOOL" -c "$conf" cache show dave
	t_grep "$tag: ... and the daemon logged it" "host cache: 5 entries of imp000200 dropped" cat "$log"
	t_out "$tag: cache flush as a user who is not root: exit 1" 1 exit_of as_nobody "$TOOL" -c "$conf" cache flush imp000200
	t_grep "$tag: ... saying why" "for root only" as_nobody "$TOOL" -c "$conf" cache flush dave
	t_out "$tag: ... and dave is still cached" 0 exit_of "$TOOL" -c "$conf" cache show dave
	t_grep "$tag: cache flush (everything)" "^entries_dropped: [1-9]" "$TOOL" -c "$conf" cache flush
	t_ok "$tag: ... and a rewrite of the file leaves everything out" wait_uncached "$d/state" passwd dave
	t_out "$tag: ... dave gone too" 1 exit_of "$TOOL" -c "$conf" cache show dave
	getent passwd dave >/dev/null

	t_section "$tag: status"
	getent passwd nosuchuser >/dev/null
	getent passwd nosuchuser >/dev/null
	getent passwd nosuchuser >/dev/null
	pid=$(cat "$pidfile")
	out=$d/status.json
	"$TOOL" -c "$conf" --json status > "$out" 2>&1
	t_out "$tag: status exits 0" 0 exit_of "$TOOL" -c "$conf" status
	t_out "$tag: the daemon's pid" "$pid" jqf "$out" .pid
	t_out "$tag: mode and driver" "migrate sqlite" jqf "$out" '"\(.mode) \(.driver)"'
	t_ok "$tag: workers ($(jqf "$out" .workers)) and uptime ($(jqf "$out" .uptime_s) s)" \
		test "$(jqf "$out" '.workers > 0 and .uptime_s >= 1 and .uptime_s < 600')" = true
	t_ok "$tag: requests served: $(jqf "$out" .requests), of which authenticate $(jqf "$out" '."requests.authenticate"'), getpwnam $(jqf "$out" '."requests.getpwnam"')" \
		test "$(jqf "$out" '.requests >= 10 and ."requests.authenticate" >= 1 and ."requests.getpwnam" >= 4 and ."requests.cache-flush" == 4')" = true
	t_out "$tag: the refused flush counted as denied, nothing failed" "2 0" jqf "$out" '"\(.requests_denied) \(.requests_failed)"'
	t_ok "$tag: negative cache: $(jqf "$out" .negative_cache_hits) hits of $(jqf "$out" '.negative_cache_hits + .database_lookups') look-ups ($(jqf "$out" .cache_hit_rate))" \
		test "$(jqf "$out" '.negative_cache_hits >= 2 and .database_lookups >= 2')" = true
	t_ok "$tag: host cache entries: $(jqf "$out" .host_cache_entries)" test "$(jqf "$out" .host_cache_entries)" -ge 1
	t_ok "$tag: database reachable, $(jqf "$out" .database_latency_us) µs (probe $(jqf "$out" .database_probe))" \
		test "$(jqf "$out" '.database == "reachable" and .database_latency_us > 0 and .database_probe == "count_users"')" = true
	t_out "$tag: ... its count_users" "$(legacy_sql sqlite "SELECT count(*) FROM users")" jqf "$out" .legacy_users
	t_ok "$tag: store reachable, $(jqf "$out" .store_latency_us) µs" test "$(jqf "$out" .store)" = reachable
	t_out "$tag: migrations so far: the store's users" "$(store_sql "SELECT count(*) FROM users")" jqf "$out" .store_users
	t_grep "$tag: the human form" "^database: reachable$" "$TOOL" -c "$conf" status
	t_out "$tag: status as a user who is not root: exit 1" 1 exit_of as_nobody "$TOOL" -c "$conf" status
	t_grep "$tag: ... saying why" "for root only" as_nobody "$TOOL" -c "$conf" status
	t_grep "$tag: status --help" "^Usage: customdb .*status" "$TOOL" status --help
	t_grep "$tag: cache --help" "^Usage: customdb .*cache show" "$TOOL" cache --help
	t_grep "$tag: migrate --help" "^Usage: customdb .*migrate status" "$TOOL" migrate --help

	t_section "$tag: no daemon"
	stop_daemon "$pidfile"
	t_out "$tag: status: exit 3" 3 exit_of "$TOOL" -c "$conf" status
	t_grep "$tag: ... saying so" "no daemon answers on $sock" "$TOOL" -c "$conf" status
	t_out "$tag: cache flush: exit 3" 3 exit_of "$TOOL" -c "$conf" cache flush dave
	t_out "$tag: cache show still works (no daemon needed)" 0 exit_of "$TOOL" -c "$conf" cache show dave
	t_nogrep "$tag: no password or hash in the daemon's log" \
		'-pw-|\$argon2id\$|\$6\$|\$2b\$|\$P\$|pbkdf2_sha256\$' cat "$log"
	t_nogrep "$tag: no sanitizer report in the daemon's log" "AddressSanitizer|LeakSanitizer|runtime error" cat "$log"
}

# --- PostgreSQL down, legacy mode, MariaDB -------------------------------------------

legacy_down() {
	local d=$WORK/postgresql-sqlite tag="PostgreSQL legacy down" out
	local conf=$d/customdb.conf log=$d/daemon.log pidfile=$WORK/postgresql-sqlite.pid
	local sock=/run/customdb/adm-postgresql-sqlite.sock
	STORE_KIND=sqlite
	STORE_DB=$d/state/store.db
	t_section "$tag"
	t_ok "$tag: customdbd starts" start_daemon "$conf" "$log" "$sock" "$pidfile" || return
	t_ok "$tag: legacy server stopped" pg_stop "$LEGACY_PG"
	out=$d/status-down.json
	"$TOOL" -c "$conf" --json migrate status > "$out" 2>/dev/null
	t_out "$tag: migrate status exits 3" 3 exit_of "$TOOL" -c "$conf" migrate status
	t_out "$tag: ... still shows the store's figures" "$(store_sql "SELECT count(*) FROM users")" jqf "$out" .store_users
	t_out "$tag: ... and no legacy count" null jqf "$out" .legacy_users
	t_grep "$tag: ... saying it is unavailable" "^legacy_users: unavailable$" "$TOOL" -c "$conf" migrate status
	"$TOOL" -c "$conf" --json status > "$d/dstatus.json" 2>/dev/null
	t_out "$tag: status exits 3" 3 exit_of "$TOOL" -c "$conf" status
	t_out "$tag: ... database unreachable, store reachable" "unreachable reachable" \
		jqf "$d/dstatus.json" '"\(.database) \(.store)"'
	t_ok "$tag: legacy server started again" pg_restart_server "$LEGACY_PG"
	t_out "$tag: status exits 0 again" 0 exit_of "$TOOL" -c "$conf" status
	stop_daemon "$pidfile"
}

legacy_mode() {
	local d=$WORK/legacy-mode tag="mode = legacy"
	mkdir -p "$d"
	chmod 700 "$d"
	admin_config sqlite legacy "$d/sock" "$d/state" "" > "$d/customdb.conf"
	chmod 600 "$d/customdb.conf"
	t_section "$tag"
	t_out "$tag: migrate status exits 0" 0 exit_of "$TOOL" -c "$d/customdb.conf" migrate status
	t_grep "$tag: ... says migration is not in use" "^migration: not in use" "$TOOL" -c "$d/customdb.conf" migrate status
	t_out "$tag: ... and shows count_users" "$(legacy_sql sqlite "SELECT count(*) FROM users")" \
		bash -c "'$TOOL' -c '$d/customdb.conf' --json migrate status | jq -r .legacy_users"
	t_out "$tag: migrate import refuses: exit 2" 2 exit_of "$TOOL" -c "$d/customdb.conf" migrate import
	t_grep "$tag: ... saying why" "mode = legacy: there is no store to import into" \
		"$TOOL" -c "$d/customdb.conf" migrate import
	t_out "$tag: --batch 0 is a usage error" 2 exit_of "$TOOL" -c "$d/customdb.conf" migrate import --batch 0
}

mysql_import() {
	local d=$WORK/mysql tag="MariaDB legacy, SQLite store" out want=$((N_MYSQL + 13))
	STORE_KIND=sqlite
	STORE_DB=$d/state/store.db
	mkdir -p "$d"
	chmod 700 "$d"
	t_section "$tag: $N_MYSQL bulk users"
	t_ok "$tag: MariaDB starts" maria_start "$MARIA" || return
	t_ok "$tag: legacy data loaded" load_legacy mysql "$N_MYSQL"
	admin_config mysql migrate "$d/sock" "$d/state" "path = $STORE_DB" > "$d/customdb.conf"
	chmod 600 "$d/customdb.conf"
	out=$d/import.json
	"$TOOL" -c "$d/customdb.conf" --json migrate import --batch 64 > "$out" 2>&1
	t_out "$tag: imported the bulk and 13 of the fixture's users, in batches of 64" "$want" jqf "$out" .imported
	t_out "$tag: ... conflicts, unusable, left, rejected" "1 2 1 3" \
		jqf "$out" '"\(.conflicts.count) \(.unusable.count) \(.left_in_legacy.count) \(.rejected.count)"'
	t_out "$tag: the store holds them" "$want" store_sql "SELECT count(*) FROM users"
	t_out "$tag: ... with their groups" "$((N_MYSQL / 100))" store_sql "SELECT count(*) FROM memberships WHERE group_name = 'importers'"
	t_out "$tag: a second import imports 0" 0 bash -c "'$TOOL' -c '$d/customdb.conf' --json migrate import | jq -r .imported"
	t_out "$tag: migrate status: store and legacy counts" "$want $(legacy_sql mysql "SELECT count(*) FROM users")" \
		bash -c "'$TOOL' -c '$d/customdb.conf' --json migrate status | jq -r '\"\(.store_users) \(.legacy_users)\"'"
	maria_stop "$MARIA"
}

t_section "servers"
mkdir -p "$LEGACY_PG" "$STORE_PG" "$MARIA"
legacy_server() { PG_PORT=55471 pg_start "$LEGACY_PG"; }
t_ok "legacy PostgreSQL server starts" legacy_server || exit 1
legacy_grant_writes postgresql "$LEGACY_PG" >/dev/null
store_server() { PG_PORT=55472 pg_start "$STORE_PG"; }
t_ok "store PostgreSQL server starts (a second one)" store_server || exit 1
store_database() {
	pg_store_database "$STORE_PG"
}
t_ok "store role and database" store_database

import_scenario sqlite sqlite "$N"
cache_and_status
interrupted_import
import_scenario postgresql sqlite "$N"
legacy_down
import_scenario postgresql postgresql "$N"
legacy_mode
mysql_import
t_summary
