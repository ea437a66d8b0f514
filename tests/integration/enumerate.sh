#!/bin/bash
# enumerate.sh: getpwent / getgrent (enumerate = yes) end to end: a real
# daemon, real legacy databases, and the real `getent passwd` / `getent
# group` with no key, through nsswitch.conf (passwd: files customdb).
#
#   tests/integration/enumerate.sh [ENGINE...]   (default: sqlite postgresql mysql)
#
# On every engine (legacy mode): enumerate = no lists none of ours; yes lists
# the legacy users and groups that hold the rules (never uid 0, root, or ids
# outside [min_uid, max_uid]); a group of 300 members comes through glibc's
# ERANGE retries, and through tiny buffers (nss_enum_probe) with nothing lost
# or repeated; enumerate_limit caps; without list queries the users and
# groups looked up lately (the host cache) are listed; with the database down
# the cached ones still are. Once: the daemon stopped or frozen never keeps
# `getent passwd` from listing the files users. Migrate mode (SQLite store,
# each legacy engine): a migrated user is listed once, a tombstoned one and
# a legacy user whose uid the store holds are not, and the store's users and
# groups are listed with the legacy database down.
# Needs what run.sh needs; runs inside a private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-enum.XXXXXX)
chmod 755 "$WORK"
MEMBERS=300         # users in the big group
cleanup() {
	local p
	for p in "$WORK"/*.pid; do
		[ -e "$p" ] && stop_daemon "$p" KILL
	done
	[ -d "$WORK/postgresql/db" ] && pg_stop "$WORK/postgresql/db" >/dev/null 2>&1
	[ -d "$WORK/mysql/db" ] && maria_stop "$WORK/mysql/db" >/dev/null 2>&1
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"

# The legacy users and groups that hold the rules, in list_users' order
# (ORDER BY id): not mallory (uid 0), root, outsider (70000) or lowuid (500).
RULED_USERS="alice bob carol dave erin frank grace heidi ivan slowpoke sleepy mike oscar uma"
RULED_GROUPS="devs ops biggrp"

# big_group_sql: member001.. (uid 12001..), all in biggrp (gid 20100)
big_group_sql() {
	local i
	for i in $(seq -w 1 "$MEMBERS"); do
		echo "INSERT INTO users ($LEGACY_USER_COLS) VALUES ($((100 + 10#$i)), 'member$i', $((12000 + 10#$i)), NULL, NULL, 1, 'Member $i', NULL);"
	done
	echo "INSERT INTO app_groups VALUES (6, 'biggrp', 20100);"
	echo "INSERT INTO app_members SELECT 6, id FROM users WHERE username LIKE 'member%';"
}

# legacy_sql ENGINE SQL: run SQL in that engine's legacy database
legacy_sql() {
	case $1 in
	sqlite) sqlite3 -batch "$WORK/sqlite/legacy.db" "$2" ;;
	postgresql) pg_sql "$WORK/postgresql/db" "$2" ;;
	mysql) maria_sql "$WORK/mysql/db" "$2" ;;
	esac
}

# load_legacy ENGINE: the fixture, afresh, plus the big group
load_legacy() {
	local e=$1 dir=$WORK/$1 where
	case $e in
	sqlite) where=$dir/legacy.db ;;
	*) where=$dir/db ;;
	esac
	{ legacy_data; big_group_sql; } | legacy_load "$e" "$where"
}

# start_server ENGINE: the engine's server (not for sqlite); sets CONN
start_server() {
	local e=$1 dir=$WORK/$1
	mkdir -p "$dir"
	chmod 755 "$dir"
	case $e in
	sqlite) CONN=$dir/legacy.db ;;
	postgresql)
		mkdir -p "$dir/db"
		pg_start "$dir/db" >"$dir/server.log" 2>&1 || { cat "$dir/server.log"; return 1; }
		CONN="$(pg_conninfo "$dir/db") password=legacy-secret"
		;;
	mysql)
		mkdir -p "$dir/db"
		maria_start "$dir/db" >"$dir/server.log" 2>&1 || { cat "$dir/server.log"; return 1; }
		CONN="$(maria_conninfo "$dir/db") password=legacy-secret"
		;;
	esac
}

db_down() {
	case $1 in
	sqlite) mv "$WORK/sqlite/legacy.db" "$WORK/sqlite/legacy.db.away" ;;
	postgresql) pg_stop "$WORK/postgresql/db" ;;
	mysql) maria_stop "$WORK/mysql/db" ;;
	esac
}
db_up() {
	case $1 in
	sqlite) mv "$WORK/sqlite/legacy.db.away" "$WORK/sqlite/legacy.db" ;;
	postgresql) pg_restart_server "$WORK/postgresql/db" ;;
	mysql) maria_restart_server "$WORK/mysql/db" ;;
	esac
}

# write_config ENGINE NAME [MODE] EXTRA-KEYS...: $WORK/ENGINE/NAME.conf with
# its own state directory; the socket is $SOCK
write_config() {
	local e=$1 name=$2 mode=$3 conf=$WORK/$1/$2.conf
	shift 3
	legacy_config "$e" "$CONN" "$SOCK" "$(printf '%s\n' "$@")" |
		sed -e "s|^state_dir = .*|state_dir = $WORK/$e/$name.state|" \
		    -e "s/^mode = legacy$/mode = $mode/" > "$conf"
	if [ "$mode" = migrate ]; then
		printf '\n[store]\npath = %s\n' "$WORK/$e/$name.state/store.db" >> "$conf"
	fi
	chmod 600 "$conf"
}

# run_daemon ENGINE NAME: (re)start the daemon on that config, and point
# the NSS module at its host cache (here, not in t_ok's subshell)
run_daemon() {
	export CUSTOMDB_STATE_DIR=$WORK/$1/$2.state
	t_ok "$1: customdbd starts on $2.conf" restart_daemon "$1" "$2"
}
restart_daemon() {
	stop_daemon "$WORK/daemon.pid"
	start_daemon "$WORK/$1/$2.conf" "$WORK/$1/daemon.log" "$SOCK" "$WORK/daemon.pid"
}

# ours MAP: what getent MAP lists beyond the files (customdb's part)
ours() {
	getent "$1" | grep -vxF -f <(getent -s files "$1")
}
# names MAP: the names in customdb's part, one line
names() { ours "$1" | cut -d: -f1 | tr '\n' ' ' | sed 's/ $//'; }
# sort_members: group lines on stdin with their members sorted
sort_members() {
	local a b c d
	while IFS=: read -r a b c d; do
		printf '%s:%s:%s:%s\n' "$a" "$b" "$c" "$(printf '%s' "$d" | tr ',' '\n' | sort | paste -sd,)"
	done
}
# line MAP NAME: NAME's line in customdb's part (group members sorted)
line() {
	if [ "$1" = group ]; then
		ours group | awk -F: -v n="$2" '$1 == n' | sort_members
	else
		ours passwd | awk -F: -v n="$2" '$1 == n'
	fi
}
# members GROUP: how many members customdb's line of GROUP has
members() { ours group | awk -F: -v n="$1" '$1 == n { print split($4, m, ",") }'; }
# probe MAP BUFLEN STEP: the module's walk with a small buffer, entries only
probe_entries() { "$ENUM_PROBE" "$NSSMOD" "$1" "$2" "$3" | grep -v '^end='; }
probe_end() { "$ENUM_PROBE" "$NSSMOD" "$1" "$2" "$3" | grep '^end='; }
took_ms() {
	local t0 t1
	t0=$(now_ms)
	"$@" >/dev/null 2>&1
	t1=$(now_ms)
	echo $((t1 - t0))
}
expected_users() {
	local i
	echo "$RULED_USERS $(for i in $(seq -w 1 "$MEMBERS"); do printf 'member%s ' "$i"; done)" | sed 's/ $//'
}

legacy_mode() {
	local e=$1 tag="$1 legacy" log=$WORK/$1/daemon.log n
	SOCK=/run/customdb/enum-$e.sock
	export CUSTOMDB_SOCKET=$SOCK

	t_section "$tag: setup"
	start_server "$e" && load_legacy "$e"
	t_ok "$tag: server and legacy data" test $? = 0 || return

	t_section "$tag: enumerate = no (the default)"
	write_config "$e" off legacy
	run_daemon "$e" off || return
	t_out "$tag: getent passwd alice still resolves" \
		"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
	t_out "$tag: getent passwd lists no user of ours" "" names passwd
	t_out "$tag: getent group lists no group of ours" "" names group
	t_out "$tag: ... while the files users are all there" "$(getent -s files passwd)" getent passwd
	t_out "$tag: the module's getpwent_r: NOTFOUND at once, errno kept" \
		"end=NOTFOUND errnop=ENOENT erange=0 entries=0 errno_kept=yes" probe_end pwent 1024 64

	t_section "$tag: enumerate = yes"
	write_config "$e" on legacy "enumerate = yes"
	run_daemon "$e" on || return
	t_out "$tag: getent passwd lists the legacy users that hold the rules, in list_users' order" \
		"$(expected_users)" names passwd
	t_out "$tag: ... alice as getpwnam has her" \
		"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" line passwd alice
	t_out "$tag: ... bob with the defaults" "bob:x:10002:100:Bob:/home/bob:/bin/sh" line passwd bob
	t_out "$tag: ... never uid 0" "" bash -c "getent passwd | awk -F: '\$3 == 0 && \$1 != \"root\"'"
	t_out "$tag: ... one root only, the files' one" "$(getent -s files passwd root)" \
		bash -c "getent passwd | grep '^root:'"
	t_out "$tag: ... not mallory, outsider or lowuid" "" \
		bash -c "getent passwd | grep -E '^(mallory|outsider|lowuid):'"
	t_out "$tag: ... each name once" "" bash -c "getent passwd | cut -d: -f1 | sort | uniq -d"
	t_out "$tag: getent group lists devs, ops and biggrp (not wheel0, farout)" \
		"$RULED_GROUPS" names group
	t_out "$tag: ... devs with its members" "devs:x:20001:alice,bob" line group devs
	t_out "$tag: ... biggrp with its $MEMBERS members (glibc grew its buffer on ERANGE)" \
		"$MEMBERS" members biggrp
	t_out "$tag: getent group biggrp (by name) agrees" "$(line group biggrp)" \
		eval 'getent group biggrp | sort_members'
	t_out "$tag: the module's getgrent_r from a 16-byte buffer: every entry, ERANGE retried" \
		"$(ours group)" probe_entries grent 16 16
	t_grep "$tag: ... ended NOTFOUND after $(echo "$RULED_GROUPS" | wc -w) entries, ERANGE seen, errno kept" \
		"^end=NOTFOUND errnop=ENOENT erange=[1-9][0-9]* entries=3 errno_kept=yes$" probe_end grent 16 16
	t_out "$tag: getpwent_r from an 8-byte buffer: the same list as getent" \
		"$(ours passwd)" probe_entries pwent 8 8
	n=$(echo "$(expected_users)" | wc -w)
	t_grep "$tag: ... $n entries, ERANGE seen, errno kept" \
		"^end=NOTFOUND errnop=ENOENT erange=[1-9][0-9]* entries=$n errno_kept=yes$" probe_end pwent 8 8
	t_out "$tag: getpwnam after a walk: member007" \
		"member007:x:12007:100:Member 007:/home/member007:/bin/sh" getent passwd member007

	t_section "$tag: enumerate_limit"
	write_config "$e" limit legacy "enumerate = yes" "enumerate_limit = 2"
	run_daemon "$e" limit || return
	t_out "$tag: two users" "alice bob" names passwd
	t_out "$tag: two groups" "devs ops" names group

	if [ "$e" = sqlite ]; then
		t_section "$tag: a list of several pages, at the default enumerate_limit (10000)"
		# 12000 more users of about 160 bytes each: more than one reply holds
		legacy_sql "$e" "INSERT INTO users ($LEGACY_USER_COLS)
			WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 12000)
			SELECT 1000 + i, printf('bulk%05d', i), 30000 + i, NULL, NULL, 1,
			       'Bulk ' || replace(hex(zeroblob(60)), '0', 'g'), NULL FROM c"
		run_daemon "$e" on || return
		t_out "$tag: getent passwd lists 10000 of ours" 10000 eval 'ours passwd | wc -l'
		t_out "$tag: ... each name once" "" bash -c "getent passwd | cut -d: -f1 | sort | uniq -d"
		t_out "$tag: ... the first 10000 of list_users" "bulk09686" bash -c "getent passwd | tail -1 | cut -d: -f1"
		t_grep "$tag: ... fetched in more than one page" "getpwent [1-9][0-9]*\.\.10000 of 10000" cat "$log"
		t_out "$tag: getpwent_r from a 64-byte buffer: the same 10000" "$(ours passwd)" probe_entries pwent 64 64
		legacy_sql "$e" "DELETE FROM users WHERE username LIKE 'bulk%'"
	fi

	t_section "$tag: the host cache's users (no list queries)"
	write_config "$e" cached legacy "enumerate = yes"
	sed -i -e '/^list_users = /,/^count_users = /{/^count_users = /!d}' \
	       -e '/^list_groups = /,/^create = /{/^create = /!d}' "$WORK/$e/cached.conf"
	run_daemon "$e" cached || return
	t_out "$tag: nothing looked up: nothing listed" "" names passwd
	getent passwd frank >/dev/null
	getent passwd bob >/dev/null
	getent group ops >/dev/null
	t_out "$tag: bob and frank, looked up, are listed (by name)" "bob frank" names passwd
	t_out "$tag: ... as getpwnam has them" "frank:x:10006:100:Frank:/home/frank:/bin/sh" line passwd frank
	t_out "$tag: ops, looked up, is listed" "ops:x:20002:alice" line group ops

	t_section "$tag: the legacy database down"
	write_config "$e" down legacy "enumerate = yes"
	run_daemon "$e" down || return
	getent passwd dave >/dev/null
	getent passwd carol >/dev/null
	getent group devs >/dev/null
	t_ok "$tag: ... the three reach the host cache file" \
		wait_cached "$CUSTOMDB_STATE_DIR" passwd dave passwd carol group devs
	t_ok "$tag: legacy database stopped" db_down "$e"
	# a kept SQLite connection would still read the moved file
	if [ "$e" = sqlite ]; then run_daemon "$e" down || return; fi
	t_out "$tag: the cached users are listed" "carol dave" names passwd
	t_out "$tag: the cached group is listed" "devs:x:20001:alice,bob" line group devs
	t_ok "$tag: legacy database started again" db_up "$e"
	if [ "$e" = sqlite ]; then run_daemon "$e" down || return; fi
	t_out "$tag: back: the whole list again" "$(expected_users)" names passwd

	stop_daemon "$WORK/daemon.pid"
	t_nogrep "$tag: no sanitizer report or memory error in the daemon's log" \
		"AddressSanitizer|LeakSanitizer|runtime error|out of memory" cat "$log"
	t_nogrep "$tag: no password or hash reached the daemon's log" '-pw|legacy-secret|\$6\$|\$2[aby]\$' cat "$log"
	unset CUSTOMDB_SOCKET CUSTOMDB_STATE_DIR
}

daemon_gone() {
	local e=sqlite tag="daemon absent" ms
	SOCK=/run/customdb/enum-$e.sock
	export CUSTOMDB_SOCKET=$SOCK
	t_section "$tag: getent passwd without customdbd"
	mkdir -p "$WORK/sqlite"
	[ -e "$WORK/sqlite/legacy.db" ] || load_legacy sqlite
	CONN=$WORK/sqlite/legacy.db
	write_config "$e" gone legacy "enumerate = yes"
	run_daemon "$e" gone || return
	stop_daemon "$WORK/daemon.pid"
	t_out "$tag: getent passwd lists the files users" "$(getent -s files passwd)" getent passwd
	ms=$(took_ms getent passwd)
	t_ok "$tag: ... at once (took $ms ms)" test "$ms" -lt 1000
	t_out "$tag: the module's getpwent_r: UNAVAIL" \
		"end=UNAVAIL errnop=ENOENT erange=0 entries=0 errno_kept=yes" probe_end pwent 1024 64
	t_out "$tag: getent group lists the files groups" "$(getent -s files group)" getent group
	run_daemon "$e" gone || return
	kill -STOP "$(cat "$WORK/daemon.pid")"
	ms=$(took_ms getent passwd)
	t_out "$tag: daemon frozen (SIGSTOP): getent passwd lists the files users" \
		"$(getent -s files passwd)" getent passwd
	t_ok "$tag: ... bounded by the 5 s client timeout (took $ms ms)" test "$ms" -lt 6500
	kill -CONT "$(cat "$WORK/daemon.pid")"
	stop_daemon "$WORK/daemon.pid"
	unset CUSTOMDB_SOCKET CUSTOMDB_STATE_DIR
}

migrate_mode() {
	local e=$1 tag="$1 migrate mode (SQLite store)" store
	SOCK=/run/customdb/enum-migrate.sock
	export CUSTOMDB_SOCKET=$SOCK
	store=$WORK/$e/migrate.state/store.db
	t_section "$tag: setup"
	if [ "$e" = sqlite ] || [ ! -d "$WORK/$e/db" ]; then
		start_server "$e"
		t_ok "$tag: server" test $? = 0 || return
	fi
	case $e in
	sqlite) CONN=$WORK/$e/legacy.db ;;
	postgresql) CONN="$(pg_conninfo "$WORK/$e/db") password=legacy-secret" ;;
	mysql) CONN="$(maria_conninfo "$WORK/$e/db") password=legacy-secret" ;;
	esac
	t_ok "$tag: legacy data afresh" load_legacy "$e"
	legacy_grant_writes "$e" "$WORK/$e/db" >/dev/null
	write_config "$e" migrate migrate "enumerate = yes"
	run_daemon "$e" migrate || return
	ns_pam_service enum-migrate "auth required $PAMMOD socket=$SOCK" "account required $PAMMOD socket=$SOCK"
	t_out "$tag: before any login: the legacy list" "$(expected_users)" names passwd

	t_section "$tag: a migrated user"
	t_grep "$tag: alice logs in (migrated)" "successfully authenticated" pam enum-migrate alice alice-pw
	t_out "$tag: ... her row in the store" 1 sqlite3 "$store" "SELECT count(*) FROM users WHERE name = 'alice'"
	t_out "$tag: alice is listed once, first (the store's)" "$(expected_users)" names passwd
	t_out "$tag: ... with the store's record" \
		"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" line passwd alice
	legacy_sql "$e" "UPDATE users SET fullname = 'Changed' WHERE username = 'alice'"
	t_out "$tag: ... not the legacy row changed since" \
		"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" line passwd alice
	t_out "$tag: devs: the store's group as the store has it (as getent group devs), once" \
		"devs:x:20001:alice" line group devs
	t_out "$tag: groups: the store's, then the legacy one" "$RULED_GROUPS" names group
	t_out "$tag: ... each name once" "" bash -c "getent group | cut -d: -f1 | sort | uniq -d"

	t_section "$tag: what the store keeps out"
	sqlite3 "$store" "INSERT INTO tombstones (name, deleted_at) VALUES ('heidi', 1)"
	sqlite3 "$store" "INSERT INTO users (name, uid, gid, gecos, home, shell, disabled, password_hash, migrated_at, updated_at) VALUES ('squatter', 10005, 100, '', '/home/squatter', '/bin/sh', 0, NULL, 0, 0)"
	t_out "$tag: heidi (tombstoned) is not listed, nor erin (uid 10005 is squatter's); squatter is" \
		"alice squatter $(expected_users | sed -e 's/^alice //' -e 's/ erin / /' -e 's/ heidi / /')" names passwd

	t_section "$tag: the legacy database down"
	t_ok "$tag: legacy database gone" db_down "$e"
	t_out "$tag: the store's users are listed" "alice squatter" names passwd
	t_out "$tag: ... alice with her record" \
		"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" line passwd alice
	t_out "$tag: the store's groups are listed" "devs ops" names group
	t_out "$tag: ... devs with its migrated member" "devs:x:20001:alice" line group devs
	t_ok "$tag: legacy database back" db_up "$e"

	stop_daemon "$WORK/daemon.pid"
	t_nogrep "$tag: no sanitizer report in the daemon's log" \
		"AddressSanitizer|LeakSanitizer|runtime error|out of memory" cat "$WORK/$e/daemon.log"
	unset CUSTOMDB_SOCKET CUSTOMDB_STATE_DIR
}

for e in "${ENGINES[@]}"; do
	legacy_mode "$e"
done
daemon_gone
for e in "${ENGINES[@]}"; do
	migrate_mode "$e"
done
t_summary
