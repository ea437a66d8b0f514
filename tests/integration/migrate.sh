#!/bin/bash
# migrate.sh: trickle migration (mode = migrate) end to end, with real
# servers and real clients (pamtester, getent, id).
#
#   tests/integration/migrate.sh
#
# Three setups: an SQLite store with an SQLite legacy database, an SQLite
# store with a PostgreSQL legacy database, and a PostgreSQL store (a server
# of its own, so that the legacy server can be stopped alone) shared by two
# daemons standing for two hosts. In each: the first login migrates (argon2id
# hash, groups kept), a failed login or a disabled account migrates nothing,
# the legacy database is never asked again about a migrated user (proved by
# changing, deleting or stopping it), concurrent logins of one user give one
# row, a uid already taken in the store is refused and logged, and kill -9
# during a burst of migrations loses none that pamtester saw succeed.
# Needs what run.sh needs; runs inside a private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-mig.XXXXXX)
chmod 755 "$WORK"
LEGACY_PG=$WORK/legacy-pg
STORE_PG=$WORK/store-pg
BURST=24            # users migrated at once when the daemon is killed
cleanup() {
	local p
	for p in "$WORK"/*.pid; do
		[ -e "$p" ] && stop_daemon "$p" KILL
	done
	pg_stop "$LEGACY_PG" >/dev/null 2>&1
	pg_stop "$STORE_PG" >/dev/null 2>&1
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"

# legacy_sql ENGINE SQL: run SQL in the legacy database
legacy_sql() {
	case $1 in
	sqlite) sqlite3 -batch "$WORK/legacy.db" "$2" ;;
	postgresql) pg_sql "$LEGACY_PG" "$2" ;;
	esac
}

# load_legacy ENGINE: the legacy schema and data, afresh, plus the burst users
# (burst01.., uid 11001.., password burst-pw, in group burstgrp 20010)
load_legacy() {
	local e=$1 i h
	h=$(mkpasswd -m sha512crypt burst-pw)
	{
		legacy_data
		for i in $(seq -w 1 "$BURST"); do
			echo "INSERT INTO users ($LEGACY_USER_COLS) VALUES ($((100 + 10#$i)), 'burst$i', $((11000 + 10#$i)), '$h', NULL, 1, 'Burst $i', NULL);"
		done
		echo "INSERT INTO app_groups VALUES (5, 'burstgrp', 20010);"
		echo "INSERT INTO app_members SELECT 5, id FROM users WHERE username LIKE 'burst%';"
	} | case $e in
	sqlite) legacy_load sqlite "$WORK/legacy.db" ;;
	postgresql) legacy_load postgresql "$LEGACY_PG" ;;
	esac
}

# STORE_KIND (sqlite | postgresql) and STORE_DB (the file) pick the store
# that store_sql reads
store_sql() {
	case $STORE_KIND in
	sqlite) sqlite3 -batch "$STORE_DB" "$1" ;;
	postgresql) printf '%s\n' "$1" | _pg_psql "$STORE_PG" store ;;
	esac
}

store_rows() { store_sql "SELECT count(*) FROM users WHERE name = '$1'"; }

# the [store] lines for the PostgreSQL store (its own role and database)
pg_store_section() {
	printf 'driver = postgresql\nconnection = %s password=store-secret\n' \
		"$(pg_store_conninfo "$STORE_PG")"
}

# migrate_config ENGINE LEGACY-CONNECTION SOCKET STATE-DIR STORE-SECTION
migrate_config() {
	local e=$1 conn=$2 sock=$3 state=$4 store=$5
	legacy_config "$e" "$conn" "$sock" |
		sed -e 's/^mode = legacy$/mode = migrate/' -e "s|^state_dir = .*|state_dir = $state|"
	printf '\n[store]\n%s\n' "$store"
}

# pam_service NAME SOCKET
pam_service() {
	ns_pam_service "$1" "auth required $PAMMOD socket=$2" "account required $PAMMOD socket=$2"
}

# concurrent N SERVICE USER PASSWORD OUTPREFIX: N logins at once; prints how
# many succeeded
concurrent() {
	local n=$1 svc=$2 user=$3 pw=$4 out=$5 i
	for i in $(seq "$n"); do
		pam "$svc" "$user" "$pw" > "$out.$i" 2>&1 &
	done
	wait
	cat "$out".* | grep -c "successfully authenticated"
}

# request_ms LOG REGEX head|tail: mean of the "(N ms)" the daemon logged for
# the first (or last) four requests matching REGEX
request_ms() {
	grep -E "$2" "$1" | "$3" -4 | sed -n 's/.*(\([0-9.]*\) ms)$/\1/p' |
		awk '{ s += $1; n++ } END { if (n) printf "%.1f", s / n; else printf "?" }'
}

# semantics ENGINE STORE-KIND: everything a migration must do, on one setup
semantics() {
	local e=$1 sk=$2 tag="$1 legacy, $2 store" d=$WORK/$1-$2
	local sock=/run/customdb/$1-$2.sock svc=mig-$1-$2 conf log pidfile store t0 t1 ok i
	mkdir -p "$d"
	chmod 755 "$d"
	conf=$d/customdb.conf
	log=$d/daemon.log
	pidfile=$WORK/$1-$2.pid
	STORE_KIND=$sk
	STORE_DB=$d/state/store.db
	case $sk in
	sqlite) store="path = $STORE_DB" ;;
	postgresql) store=$(pg_store_section) ;;
	esac
	export CUSTOMDB_SOCKET=$sock

	t_section "$tag: setup"
	t_ok "$tag: legacy data loaded" load_legacy "$e"
	case $e in
	sqlite) migrate_config sqlite "$WORK/legacy.db" "$sock" "$d/state" "$store" > "$conf" ;;
	postgresql)
		migrate_config postgresql "$(pg_conninfo "$LEGACY_PG") password=legacy-secret" "$sock" \
			"$d/state" "$store" > "$conf"
		;;
	esac
	chmod 600 "$conf"
	pam_service "$svc" "$sock"
	t_ok "$tag: customdbd starts in migrate mode" start_daemon "$conf" "$log" "$sock" "$pidfile" || return
	if [ "$sk" = sqlite ]; then
		t_out "$tag: store created 0600, owned by root" "600 root" stat -c '%a %U' "$STORE_DB"
	fi
	t_out "$tag: store schema version 2" 2 store_sql "SELECT max(version) FROM schema_version"
	t_out "$tag: before any login: alice from the legacy database" \
		"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
	t_out "$tag: ... and not in the store" 0 store_rows alice

	t_section "$tag: the first login migrates"
	t_grep "$tag: alice logs in" "successfully authenticated" pam "$svc" alice alice-pw
	t_out "$tag: one row for alice" 1 store_rows alice
	t_out "$tag: ... with an argon2id hash" '$argon2id$v=19$m=65536,t=2,p=1$' \
		store_sql "SELECT substr(password_hash, 1, 31) FROM users WHERE name = 'alice'"
	t_out "$tag: ... her passwd fields as look-ups showed them" "10001|100|Alice Liddell|/home/alice|/bin/bash" \
		store_sql "SELECT uid || '|' || gid || '|' || gecos || '|' || home || '|' || shell FROM users WHERE name = 'alice'"
	t_out "$tag: ... her groups, the ones in range only" "$(printf 'devs\nops')" \
		store_sql "SELECT group_name FROM memberships WHERE user_name = 'alice' ORDER BY group_name"
	t_out "$tag: getent passwd alice, now from the store" \
		"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
	t_out "$tag: id alice, groups from the store" \
		"uid=10001(alice) gid=100(users) groups=100(users),20001(devs),20002(ops)" id alice
	# store first: the store holds devs, so the legacy database is not
	# asked; bob (not migrated) has it through initgroups, from the legacy
	# database
	t_out "$tag: getent group devs: the store's, its migrated member" "devs:x:20001:alice" \
		getent group devs
	t_out "$tag: id bob (not migrated): devs from the legacy database" \
		"uid=10002(bob) gid=100(users) groups=100(users),20001(devs)" id bob
	t_grep "$tag: the second login is verified by the store" "successfully authenticated" pam "$svc" alice alice-pw
	t_grep "$tag: ... and a wrong password still fails" "Authentication failure" pam "$svc" alice wrong
	t_grep "$tag: the account step of a migrated user" "account management done" pam "$svc" alice alice-pw acct_mgmt
	t_out "$tag: the migration was logged" 1 grep -c "user alice (uid 10001) migrated to the store with 2 groups" "$log"

	t_section "$tag: a migrated user in the host cache"
	legacy_sql "$e" "INSERT INTO users ($LEGACY_USER_COLS) VALUES (30, 'hcuser', 10030, '$(mkpasswd -m sha512crypt hc-pw)', 'h@example.org', 1, 'Cached', NULL)"
	t_grep "$tag: hcuser logs in, never looked up before" "successfully authenticated" pam "$svc" hcuser hc-pw
	# no wait for the once-a-second rewrite: a clean stop writes the file
	t_ok "$tag: the daemon stops (TERM)" stop_daemon "$pidfile"
	t_out "$tag: with the daemon down, hcuser (migrated) resolves from the host cache" \
		"hcuser:x:10030:100:Cached:/home/hcuser:/bin/sh" env CUSTOMDB_STATE_DIR="$d/state" getent passwd hcuser
	t_out "$tag: ... by uid too" "hcuser:x:10030:100:Cached:/home/hcuser:/bin/sh" \
		env CUSTOMDB_STATE_DIR="$d/state" getent passwd 10030
	t_ok "$tag: customdbd starts again" start_daemon "$conf" "$log" "$sock" "$pidfile" || return

	t_section "$tag: what migrates nothing"
	t_grep "$tag: bob with a wrong password fails" "Authentication failure" pam "$svc" bob bob-wrong
	t_out "$tag: ... and is not migrated" 0 store_rows bob
	t_grep "$tag: carol (disabled): password right, account refused" "Permission denied" \
		pam "$svc" carol carol-pw authenticate acct_mgmt
	t_out "$tag: ... and never migrated" 0 store_rows carol
	t_grep "$tag: an unknown user is unknown" "User not known" pam "$svc" nosuchuser whatever
	t_grep "$tag: ivan (no hash in the legacy database) fails" "Authentication failure" pam "$svc" ivan ""
	t_out "$tag: ... and is not migrated" 0 store_rows ivan
	t_grep "$tag: mallory (uid 0) is never answered" "User not known" pam "$svc" mallory mallory-pw
	t_out "$tag: ... nor migrated" 0 store_rows mallory

	t_section "$tag: after the migration the legacy database is never asked"
	legacy_sql "$e" "UPDATE users SET password = '$(mkpasswd -m sha512crypt alice-new)' WHERE username = 'alice'"
	t_grep "$tag: alice's password changed in the legacy database: the new one fails" \
		"Authentication failure" pam "$svc" alice alice-new
	t_grep "$tag: ... the migrated one still works" "successfully authenticated" pam "$svc" alice alice-pw
	legacy_sql "$e" "UPDATE users SET active = 0, fullname = 'Changed' WHERE username = 'alice'"
	t_grep "$tag: disabled in the legacy database afterwards: the store says she is not" \
		"account management done" pam "$svc" alice alice-pw acct_mgmt
	t_out "$tag: ... and look-ups show the store's record" \
		"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
	t_grep "$tag: dave logs in (migrated)" "successfully authenticated" pam "$svc" dave dave-pw
	legacy_sql "$e" "DELETE FROM users WHERE username = 'dave'"
	t_out "$tag: dave deleted from the legacy table: still resolves" \
		"dave:x:10004:100:Dave:/home/dave:/bin/sh" getent passwd dave
	t_out "$tag: ... by uid too" "dave:x:10004:100:Dave:/home/dave:/bin/sh" getent passwd 10004
	t_grep "$tag: ... and logs in" "successfully authenticated" pam "$svc" dave dave-pw
	t_out "$tag: ... with his groups (none)" "uid=10004(dave) gid=100(users) groups=100(users)" id dave
	if [ "$e" = postgresql ]; then
		t_ok "$tag: legacy server stopped" pg_stop "$LEGACY_PG"
		t_out "$tag: legacy down: alice resolves" \
			"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
		t_out "$tag: legacy down: id alice, groups from the store" \
			"uid=10001(alice) gid=100(users) groups=100(users),20001(devs),20002(ops)" id alice
		t_grep "$tag: legacy down: alice logs in" "successfully authenticated" pam "$svc" alice alice-pw
		t_grep "$tag: legacy down: ... and passes the account step" "account management done" \
			pam "$svc" alice alice-pw acct_mgmt
		t0=$(now_ms)
		t_grep "$tag: legacy down: unmigrated erin: PAM_AUTHINFO_UNAVAIL" \
			"cannot retrieve authentication info" pam "$svc" erin erin-pw
		t1=$(now_ms)
		t_ok "$tag: ... within connect_timeout (took $((t1 - t0)) ms)" test $((t1 - t0)) -lt 2500
		t_out "$tag: ... and erin is not migrated" 0 store_rows erin
		t_ok "$tag: legacy server started again" pg_restart_server "$LEGACY_PG"
	fi

	t_section "$tag: a tombstone (a user deleted on purpose)"
	store_sql "INSERT INTO tombstones (name, deleted_at) VALUES ('heidi', $([ "$sk" = sqlite ] && echo 1 || echo "now()"))" >/dev/null
	t_grep "$tag: heidi, tombstoned, cannot log in" "User not known" pam "$svc" heidi heidi-pw
	t_out "$tag: ... is not migrated" 0 store_rows heidi
	t_fail "$tag: ... and does not resolve, by name" getent passwd heidi
	t_fail "$tag: ... nor by uid" getent passwd 10008

	t_section "$tag: two logins of one user at once"
	t_out "$tag: four pamtesters for frank at once all succeed" 4 concurrent 4 "$svc" frank frank-pw "$d/frank"
	t_out "$tag: ... one row" 1 store_rows frank

	t_section "$tag: a uid already taken in the store"
	store_sql "INSERT INTO users (name, uid, gid, gecos, home, shell, disabled, password_hash, migrated_at, updated_at) VALUES ('squatter', 10005, 100, '', '/home/squatter', '/bin/sh', $([ "$sk" = sqlite ] && echo "0, NULL, 0, 0" || echo "false, NULL, now(), now()"))" >/dev/null
	t_grep "$tag: erin (uid 10005, held by squatter) is refused" "Authentication failure" pam "$svc" erin erin-pw
	t_out "$tag: ... and not written" 0 store_rows erin
	t_out "$tag: ... the squatter's row untouched" "squatter" store_sql "SELECT name FROM users WHERE uid = 10005"
	t_grep "$tag: ... and it is logged" "user erin: not migrated, login refused: uid 10005 is held in the store by another user" cat "$log"
	t_fail "$tag: getent passwd erin does not hand uid 10005 out twice" getent passwd erin

	t_section "$tag: what a migration costs"
	for i in 01 02 03 04; do pam "$svc" "burst$i" burst-pw >/dev/null 2>&1; done
	for i in 01 02 03 04; do pam "$svc" "burst$i" burst-pw >/dev/null 2>&1; done
	t_ok "$tag: the daemon's own timing, mean of 4: first login (migration) $(request_ms "$log" \
		'authenticate burst0[1-4] .*-> ok' head) ms, later login (store) $(request_ms "$log" \
		'authenticate burst0[1-4] .*-> ok' tail) ms, failed legacy login $(request_ms "$log" \
		'authenticate bob .*-> ' head) ms" true

	t_section "$tag: kill -9 during a burst of migrations"
	for i in $(seq -w 5 "$BURST"); do
		pam "$svc" "burst$i" burst-pw > "$d/burst.$i" 2>&1 &
	done
	# kill it once a few of them are written: the rest are mid-way
	wait_log "$log" 'user burst[0-9]* \(uid [0-9]*\) migrated' 6
	stop_daemon "$pidfile" KILL
	wait
	ok=$(grep -l "successfully authenticated" "$d"/burst.* 2>/dev/null | sed 's/.*burst\.//' | sort)
	local reported=0 lost=0 stored
	for i in $ok; do
		reported=$((reported + 1))
		[ "$(store_rows "burst$i")" = 1 ] || lost=$((lost + 1))
	done
	stored=$(store_sql "SELECT count(*) FROM users WHERE name LIKE 'burst%'")
	t_ok "$tag: killed mid-way: $reported of $((BURST - 4)) reported, $((stored - 4)) stored" \
		test "$reported" -lt $((BURST - 4))
	t_out "$tag: every migration pamtester saw succeed is in the store" 0 echo "$lost"
	if [ "$sk" = sqlite ]; then
		t_out "$tag: PRAGMA integrity_check" ok store_sql "PRAGMA integrity_check"
	fi
	t_out "$tag: no user row without its groups" 0 store_sql \
		"SELECT count(*) FROM users u WHERE name LIKE 'burst%' AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_name = u.name)"
	t_ok "$tag: the daemon starts again (stale socket replaced)" start_daemon "$conf" "$log" "$sock" "$pidfile"
	legacy_sql "$e" "DELETE FROM users WHERE username LIKE 'burst%'"
	i=$(echo "$ok" | head -1)
	if [ -n "$i" ]; then
		t_grep "$tag: burst$i, reported migrated, logs in with the legacy row gone" \
			"successfully authenticated" pam "$svc" "burst$i" burst-pw
	fi

	stop_daemon "$pidfile"
	t_nogrep "$tag: no sanitizer report in the daemon's log" "AddressSanitizer|LeakSanitizer|runtime error" cat "$log"
	t_nogrep "$tag: no password or hash reached the daemon's log" \
		'alice-pw|alice-new|bob-wrong|frank-pw|burst-pw|store-secret|legacy-secret|\$argon2id\$|\$6\$' cat "$log"
	unset CUSTOMDB_SOCKET
}

# Two daemons (two hosts) on one PostgreSQL store, the legacy database on a
# server of its own.
shared_store() {
	local tag="shared PostgreSQL store" i conf log sock pidfile store
	STORE_KIND=postgresql
	store=$(pg_store_section)
	t_section "$tag: two daemons, two state dirs, two sockets"
	t_ok "$tag: legacy data loaded" load_legacy postgresql
	store_sql "DELETE FROM memberships; DELETE FROM users; DELETE FROM groups; DELETE FROM tombstones" >/dev/null
	for i in 1 2; do
		mkdir -p "$WORK/host$i"
		chmod 755 "$WORK/host$i"
		migrate_config postgresql "$(pg_conninfo "$LEGACY_PG") password=legacy-secret" \
			"/run/customdb/host$i.sock" "$WORK/host$i/state" "$store" > "$WORK/host$i/customdb.conf"
		chmod 600 "$WORK/host$i/customdb.conf"
		pam_service "mig-host$i" "/run/customdb/host$i.sock"
		t_ok "$tag: daemon $i starts" start_daemon "$WORK/host$i/customdb.conf" "$WORK/host$i/daemon.log" \
			"/run/customdb/host$i.sock" "$WORK/host$i.pid" || return
	done
	t_grep "$tag: grace logs in through host 1 (migrated)" "successfully authenticated" \
		pam mig-host1 grace grace-pw
	t_out "$tag: one row for grace" 1 store_rows grace
	for i in 1 2 3; do
		pam mig-host1 heidi heidi-pw > "$WORK/heidi.1.$i" 2>&1 &
		pam mig-host2 heidi heidi-pw > "$WORK/heidi.2.$i" 2>&1 &
	done
	wait
	t_out "$tag: heidi through both hosts at once, three each: all six succeed" 6 \
		bash -c "cat '$WORK'/heidi.* | grep -c 'successfully authenticated'"
	t_out "$tag: ... one row" 1 store_rows heidi
	# host 2 never saw grace; a daemon that starts loads every store user
	# into its host cache, so she resolves there even with it down
	t_ok "$tag: daemon 2 stops" stop_daemon "$WORK/host2.pid"
	# its own line, not one of an earlier start: the loader runs in the
	# background, and a stop ends it between two users
	local loaded="host cache: [1-9][0-9]* migrated users loaded from the store"
	i=$(log_count "$WORK/host2/daemon.log" "$loaded")
	t_ok "$tag: daemon 2 restarts" start_daemon "$WORK/host2/customdb.conf" "$WORK/host2/daemon.log" \
		"/run/customdb/host2.sock" "$WORK/host2.pid" || return
	t_ok "$tag: ... and loads the migrated users into its host cache" \
		wait_log "$WORK/host2/daemon.log" "$loaded" "$i"
	# no wait for the once-a-second rewrite: a clean stop writes the file
	t_ok "$tag: daemon 2 stops" stop_daemon "$WORK/host2.pid"
	t_out "$tag: grace (migrated through host 1) resolves on host 2 with its daemon down" \
		"grace:x:10007:100:Grace:/home/grace:/bin/sh" \
		env CUSTOMDB_SOCKET=/run/customdb/host2.sock CUSTOMDB_STATE_DIR="$WORK/host2/state" \
		getent passwd grace
	t_ok "$tag: daemon 2 starts again" start_daemon "$WORK/host2/customdb.conf" "$WORK/host2/daemon.log" \
		"/run/customdb/host2.sock" "$WORK/host2.pid" || return
	t_ok "$tag: legacy server stopped" pg_stop "$LEGACY_PG"
	t_grep "$tag: grace logs in through host 2, legacy down" "successfully authenticated" \
		pam mig-host2 grace grace-pw
	t_out "$tag: getent passwd grace through host 2" "grace:x:10007:100:Grace:/home/grace:/bin/sh" \
		env CUSTOMDB_SOCKET=/run/customdb/host2.sock getent passwd grace
	t_out "$tag: id grace through host 2: groups kept (none)" "uid=10007(grace) gid=100(users) groups=100(users)" \
		env CUSTOMDB_SOCKET=/run/customdb/host2.sock id grace
	t_grep "$tag: unmigrated bob through host 2: PAM_AUTHINFO_UNAVAIL" "cannot retrieve authentication info" \
		pam mig-host2 bob bob-pw
	t_ok "$tag: legacy server started again" pg_restart_server "$LEGACY_PG"
	t_ok "$tag: store server stopped" pg_stop "$STORE_PG"
	t_grep "$tag: store down: grace's login is PAM_AUTHINFO_UNAVAIL, never the legacy database's answer" \
		"cannot retrieve authentication info" pam mig-host1 grace grace-pw
	t_grep "$tag: store down: bob is not migrated either (PAM_AUTHINFO_UNAVAIL)" \
		"cannot retrieve authentication info" pam mig-host1 bob bob-pw
	t_ok "$tag: store server started again" pg_restart_server "$STORE_PG"
	t_grep "$tag: store back: grace logs in, no restart of anything" "successfully authenticated" \
		pam mig-host1 grace grace-pw
	t_grep "$tag: store back: bob migrates" "successfully authenticated" pam mig-host1 bob bob-pw
	t_out "$tag: ... one row for bob" 1 store_rows bob
	# every process of the store's server stopped: connections hang
	local pids t0 t1
	pids="$(head -1 "$STORE_PG/data/postmaster.pid") $(pgrep -P "$(head -1 "$STORE_PG/data/postmaster.pid")" | tr '\n' ' ')"
	kill -STOP $pids
	t0=$(now_ms)
	t_grep "$tag: store hung (SIGSTOP): grace's login is PAM_AUTHINFO_UNAVAIL" \
		"cannot retrieve authentication info" pam mig-host1 grace grace-pw
	t1=$(now_ms)
	kill -CONT $pids
	t_ok "$tag: ... within the store's query_timeout (took $((t1 - t0)) ms)" test $((t1 - t0)) -lt 4000
	t_grep "$tag: store awake: grace logs in" "successfully authenticated" pam mig-host1 grace grace-pw
	for i in 1 2; do
		stop_daemon "$WORK/host$i.pid"
	done
	t_nogrep "$tag: no password in either log" 'grace-pw|heidi-pw|bob-pw|store-secret|legacy-secret' \
		cat "$WORK/host1/daemon.log" "$WORK/host2/daemon.log"
	t_nogrep "$tag: no sanitizer report in either log" "AddressSanitizer|LeakSanitizer|runtime error" \
		cat "$WORK/host1/daemon.log" "$WORK/host2/daemon.log"
}

config_checks() {
	local d=$WORK/config
	mkdir -p "$d"
	chmod 700 "$d"
	t_section "migrate mode: config and store checks"
	migrate_config sqlite "$WORK/legacy.db" "$d/sock" "$d/state" "path = $d/state/store.db" > "$d/ok.conf"
	chmod 600 "$d/ok.conf"
	t_ok "customdb check accepts mode = migrate" "$TOOL" -c "$d/ok.conf" check
	t_out "customdb check reports the store: ok, and its users" "ok sqlite $d/state/store.db 0" \
		bash -c "'$TOOL' -c '$d/ok.conf' --json check | jq -r '.store | \"\\(.status) \\(.driver) \\(.path) \\(.users)\"'"
	chmod 644 "$d/state/store.db"
	t_grep "customdb check names a store others may read" "others may read" "$TOOL" -c "$d/ok.conf" check
	t_fail "... and exits non-zero" "$TOOL" -c "$d/ok.conf" check
	t_grep "a store others may read: the daemon refuses, naming the file" \
		"store $d/state/store.db: others may read or write it \(mode 0644\)" timeout 5 "$DAEMON" -c "$d/ok.conf" -f
	migrate_config sqlite "$WORK/legacy.db" "$d/sock" "$d/state" "driver = postgresql" > "$d/nopg.conf"
	chmod 600 "$d/nopg.conf"
	t_grep "driver = postgresql without a connection: named" "\[store\] connection: missing" \
		timeout 5 "$DAEMON" -c "$d/nopg.conf" -f
	migrate_config sqlite "$WORK/legacy.db" "$d/sock" "$d/state" \
		"driver = postgresql
connection = host=/nonexistent dbname=store password=hunter2" > "$d/pgpw.conf"
	chmod 644 "$d/pgpw.conf"
	t_grep "a store password in a config others may read: refused" "pgpw.conf: holds a database password" \
		timeout 5 "$DAEMON" -c "$d/pgpw.conf" -f
}

t_section "servers"
mkdir -p "$LEGACY_PG" "$STORE_PG"
t_ok "legacy PostgreSQL server starts" pg_start "$LEGACY_PG" || exit 1
store_server() { PG_PORT=55433 pg_start "$STORE_PG"; }
t_ok "store PostgreSQL server starts (a second one)" store_server || exit 1
# the store's role owns its database: it creates the schema itself
store_database() {
	pg_store_database "$STORE_PG"
}
t_ok "store role and database" store_database

semantics sqlite sqlite
semantics postgresql sqlite
semantics postgresql postgresql
shared_store
config_checks
t_summary
