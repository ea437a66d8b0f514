#!/bin/bash
# run.sh: integration tests with real servers and real clients.
#
#   tests/integration/run.sh [ENGINE...]     (default: sqlite postgresql mysql)
#   ENGINE: sqlite postgresql mysql odbc-sqlite odbc-postgresql odbc-mysql
#           exec http
#
# odbc-sqlite, odbc-postgresql and odbc-mysql run the same suite with
# driver = odbc through Debian's ODBC drivers (odbc-postgresql: a DSN, the
# others a connection string), configured in a private odbcinst.ini.
#
# exec and http run it over the sqlite engine's legacy data too (an SQLite
# file of their own, the same tables and users): exec with driver = exec,
# each query an action script (data/exec_legacy.py, lib/exec.sh) running
# the sqlite engine's SQL for it as nobody; http with driver = http against
# nginx with a test CA in front of data/http_users_app.py reading the
# file's tables (lib/https.sh), logins checked by the service (AUTH). The
# connections a server counts do not apply to them, nor, for exec, a
# sleeping query (the service sleeps for slowpoke and sleepy as PostgreSQL
# does); their outages are nginx stopped or frozen (SIGSTOP), and the
# SQLite file closed to the script or locked by another process. With http the whole run is in a network namespace of its own
# (ports 8080 and 8443).
#
# Needs root, a build in $BUILD (default ./build), and Debian's postgresql,
# mariadb-server, sqlite3, pamtester, whois (mkpasswd) and argon2 packages.
# Everything runs inside a private mount namespace (lib/ns.sh): the host's
# /etc/nsswitch.conf, /etc/pam.d and /lib are never touched.
set -u
case " $* " in
*" http "*)
	if [ "${CUSTOMDB_RUN_NETNS:-}" != 1 ]; then
		export CUSTOMDB_RUN_NETNS=1
		exec unshare --net -- bash "$0" "$@"
	fi ;;
esac
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"
. "$HERE/lib/exec.sh"
. "$HERE/lib/https.sh"
[ "${CUSTOMDB_RUN_NETNS:-}" = 1 ] && ip link set lo up

WORK=$(mktemp -d /tmp/customdb-it.XXXXXX)
chmod 755 "$WORK"
APP_PID=""
cleanup() {
	stop_daemon
	if [ -s "$WORK/nginx/nginx.pid" ]; then
		kill -CONT $(db_pids http) 2>/dev/null
		kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null
	fi
	[ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null
	[ -n "${LOCK_PID:-}" ] && kill "$LOCK_PID" 2>/dev/null
	local d
	for d in "$WORK"/postgresql "$WORK"/odbc-postgresql; do
		[ -d "$d" ] && pg_stop "$d/db" >/dev/null 2>&1
	done
	for d in "$WORK"/mysql "$WORK"/odbc-mysql; do
		[ -d "$d" ] && maria_stop "$d/db" >/dev/null 2>&1
	done
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"
odbc_setup "$WORK/odbc"

# as_uid UID CMD...: run CMD as a user who is not root
as_uid() {
	local uid=$1; shift
	setpriv --reuid="$uid" --regid=100 --clear-groups -- "$@"
}

# open connections of the customdb database user, as the server sees them
db_connections() {
	case $(data_engine "$1") in
	postgresql) pg_sql "$WORK/$1/db" "SELECT count(*) FROM pg_stat_activity WHERE usename = 'customdb'" ;;
	mysql) maria_sql "$WORK/$1/db" "SELECT count(*) FROM information_schema.processlist WHERE user = 'customdb'" ;;
	esac
}

# data_engine ENGINE: the engine whose tables and SQL ENGINE's data is in
data_engine() {
	case $1 in
	odbc-*) echo "${1#odbc-}" ;;
	http | exec) echo sqlite ;;
	*) echo "$1" ;;
	esac
}

# between LOW and HIGH (inclusive)
in_range() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# su_as UID USER PASSWORD: su to USER from a non-root user, the password
# typed at su's prompt on a pty; prints what `id` says as USER
su_as() {
	pty "$3" setpriv --reuid="$1" --regid=100 --clear-groups su "$2" -c 'id -un; id -Gn'
}

# count of rows in the users table, through the engine's own client
count_users() {
	case $(data_engine "$1") in
	sqlite) sqlite3 "$WORK/$1/legacy.db" 'SELECT count(*) FROM users' ;;
	postgresql) pg_sql "$WORK/$1/db" 'SELECT count(*) FROM users' ;;
	mysql) maria_sql "$WORK/$1/db" 'SELECT count(*) FROM users' ;;
	esac
}

# setup_engine ENGINE: database with the legacy schema and data, and config.
setup_engine() {
	local e=$1 dir=$WORK/$1 conn extra=""
	mkdir -p "$dir/run"
	chmod 755 "$dir" "$dir/run"
	case $e in
	sqlite | odbc-sqlite)
		legacy_data | legacy_load sqlite "$dir/legacy.db" || return 1
		conn=$dir/legacy.db
		[ "$e" = sqlite ] || conn=$(odbc_conninfo sqlite "$dir/legacy.db")
		;;
	postgresql | odbc-postgresql)
		mkdir -p "$dir/db"
		pg_start "$dir/db" >"$dir/server.log" 2>&1 || { cat "$dir/server.log"; return 1; }
		legacy_data | legacy_load postgresql "$dir/db" || return 1
		conn=$(pg_conninfo "$dir/db")
		if [ "$e" = odbc-postgresql ]; then
			# a data source in odbc.ini, as an administrator would write
			odbc_dsn "$ODBCSYSINI" legacy-pg postgresql "$dir/db"
			conn="DSN=legacy-pg;UID=customdb"
		fi
		# the password comes from a root-only file, not the connection string
		printf 'legacy-secret\n' > "$dir/legacy.secret"
		chmod 600 "$dir/legacy.secret"
		extra="password_file = $dir/legacy.secret"
		;;
	mysql | odbc-mysql)
		mkdir -p "$dir/db"
		maria_start "$dir/db" >"$dir/server.log" 2>&1 || { cat "$dir/server.log"; return 1; }
		legacy_data | legacy_load mysql "$dir/db" || return 1
		# here the password sits in the connection string itself
		conn="$(maria_conninfo "$dir/db") password=legacy-secret"
		[ "$e" = mysql ] || conn="$(odbc_conninfo mysql "$dir/db");PWD={legacy-secret}"
		;;
	exec | http)
		legacy_data | legacy_load sqlite "$dir/legacy.db" || return 1
		conn=$dir/legacy.db
		[ "$e" = exec ] || http_certs || return 1
		;;
	esac
	# the compiled-in socket path (a tmpfs /run in the namespace): set-uid
	# programs such as su ignore CUSTOMDB_SOCKET
	case $e in
	exec) legacy_config sqlite "$conn" /run/customdb/socket | exec_legacy_conf "$dir" "$conn" ;;
	http) # the [customdb] section of the others, the [legacy] and [queries]
	      # of lib/https.sh
		legacy_config sqlite "$conn" /run/customdb/socket | sed '/^\[legacy\]/,$d'
		http_config legacy /run/customdb/socket | sed -n '/^\[legacy\]/,$p' | sed '/^\[store\]/,/^$/d' ;;
	*) legacy_config "$e" "$conn" /run/customdb/socket ;;
	esac | sed "s|^state_dir = .*|state_dir = $dir/state|" > "$dir/customdb.conf"
	if [ -n "$extra" ]; then
		sed -i "s|^\[legacy\]\$|[legacy]\n$extra|" "$dir/customdb.conf"
	fi
	chmod 600 "$dir/customdb.conf"
	ns_pam_service "customdb-$e" \
		"auth required $PAMMOD socket=/run/customdb/socket debug" \
		"account required $PAMMOD socket=/run/customdb/socket"
	# su's own stack: customdb for its users, pam_unix for everyone else
	ns_pam_service "su" \
		"auth sufficient pam_rootok.so" \
		"auth [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $PAMMOD" \
		"auth required pam_unix.so try_first_pass" \
		"account [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $PAMMOD" \
		"account required pam_unix.so" \
		"session required pam_permit.so"
	ns_pam_service "customdb-$e-first" \
		"auth optional $PAMMOD socket=/run/customdb/socket" \
		"auth required $PAMMOD socket=/run/customdb/socket use_first_pass"
}

# http: a test CA and its certificate for localhost, the service account's
# password file (http_certs); nginx on 8443 (http_nginx), proxying to
# http_users_app.py over the legacy tables of DB on 8080 (http_start DB)
ACCOUNT=customdb ACCOUNT_PW=svc-secret-pw
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_certs() {
	http_ca test-ca && http_cert good localhost test-ca || return 1
	printf '%s\n' "$ACCOUNT_PW" > "$WORK/svc.secret"
	chmod 600 "$WORK/svc.secret"
}
# (stdout to /dev/null: run inside t_ok's $(...), nginx must not hold it)
http_nginx() {
	http_nginx_start "$(http_server 8443 good)" >/dev/null
	wait_until 20 port_open 8443
}
http_start() {
	http_app_start "$1" 8080 --tables=legacy
	wait_until 20 port_open 8080 && http_nginx
}
nginx_gone() { ! kill -0 "$1" 2>/dev/null; }

# db_down / db_up ENGINE: stop and start the legacy server (not for sqlite);
# for exec, the SQLite file closed to run_as: the script cannot open it and
# exits 2, "unavailable", as a server that is down (a script that cannot
# be run at all is a config error, not an outage: checked apart)
db_down() {
	case $1 in
	http) local p; p=$(cat "$WORK/nginx/nginx.pid") && kill "$p" && wait_until 20 nginx_gone "$p" ;;
	exec) chmod 600 "$WORK/exec/legacy.db" ;;
	*postgresql) pg_stop "$WORK/$1/db" ;;
	*mysql) maria_stop "$WORK/$1/db" ;;
	esac
}
db_up() {
	case $1 in
	http) http_nginx ;;
	exec) chmod 644 "$WORK/exec/legacy.db" ;;
	*postgresql) pg_restart_server "$WORK/$1/db" ;;
	*mysql) maria_restart_server "$WORK/$1/db" ;;
	esac
}
# db_freeze / db_thaw ENGINE: SIGSTOP / SIGCONT every process of the server,
# so that connections hang instead of failing at once; for exec, an
# exclusive lock on the SQLite file held by another process: the script
# waits on it (its busy timeout is long) until query_timeout kills it
db_pids() {
	local pidfile
	case $1 in
	http) pidfile=$WORK/nginx/nginx.pid ;;
	*postgresql) pidfile=$WORK/$1/db/data/postmaster.pid ;;
	*mysql) pidfile=$(ls "$WORK/$1"/db/*.pid 2>/dev/null | head -1) ;;
	esac
	local p
	p=$(head -1 "$pidfile")
	echo "$p"
	pgrep -P "$p"
}
db_locked() { ! sqlite3 -cmd '.timeout 0' "$WORK/exec/legacy.db" 'SELECT 1 FROM users LIMIT 1' >/dev/null 2>&1; }
db_freeze() {
	if [ "$1" = exec ]; then
		mkfifo "$WORK/exec/lock.sql"
		sqlite3 "$WORK/exec/legacy.db" < "$WORK/exec/lock.sql" &
		LOCK_PID=$!
		exec {LOCK_FD}> "$WORK/exec/lock.sql"
		# waiting out a reader that holds the file at that moment
		printf '.timeout 10000\nBEGIN EXCLUSIVE;\n' >&"$LOCK_FD"
		wait_until 10 db_locked
	else
		kill -STOP $(db_pids "$1")
	fi
}
db_thaw() {
	if [ "$1" = exec ]; then
		echo "COMMIT;" >&"$LOCK_FD"
		exec {LOCK_FD}>&-
		wait "$LOCK_PID"
		LOCK_PID=""
		rm -f "$WORK/exec/lock.sql"
	else
		kill -CONT $(db_pids "$1")
	fi
}

suite() {
	local e=$1 dir=$WORK/$1 svc=customdb-$1 t0 t1 before
	local conf=$dir/customdb.conf sock=/run/customdb/socket log=$dir/daemon.log
	export CUSTOMDB_SOCKET=$sock CUSTOMDB_STATE_DIR=$dir/state

	t_section "$e: setup"
	t_ok "$e: legacy database loaded, config written" setup_engine "$e" || return
	if [ "$e" = http ]; then
		http_start "$dir/legacy.db"
		t_ok "$e: the application and nginx listen" port_open 8443 || return
	fi
	t_ok "$e: customdb check passes" "$TOOL" -c "$conf" check
	t_ok "$e: customdbd starts" start_daemon "$conf" "$log" "$sock" || return

	t_section "$e: look-ups through getent and id"
	t_out "$e: getent passwd alice" "alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
	t_out "$e: getent passwd bob (defaults for NULL shell)" "bob:x:10002:100:Bob:/home/bob:/bin/sh" getent passwd bob
	t_out "$e: getent passwd 10001" "alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd 10001
	t_out "$e: getent group devs" "devs:x:20001:alice,bob" getent group devs
	t_out "$e: getent group 20002" "ops:x:20002:alice" getent group 20002
	t_out "$e: id alice: supplementary groups in range only" \
		"uid=10001(alice) gid=100(users) groups=100(users),20001(devs),20002(ops)" id alice
	t_out "$e: id -Gn bob" "users devs" id -Gn bob
	t_fail "$e: getent passwd nosuchuser" getent passwd nosuchuser
	t_fail "$e: getent group nosuchgroup" getent group nosuchgroup

	# http and exec keep no connection a server could count (a script
	# runs for each request; nginx's connections are its own business)
	if [ "$(data_engine "$e")" != sqlite ]; then
		local i n
		for i in $(seq 40); do getent passwd alice >/dev/null; done
		n=$(db_connections "$e")
		t_ok "$e: connections are kept and reused: $n open after 40 look-ups (1..8 workers)" in_range "$n" 1 8
	fi

	t_section "$e: what is never answered"
	t_fail "$e: uid-0 row (mallory) is not returned" getent passwd mallory
	t_out "$e: uid 0 is only the real root" "root:x:0:0:root:/root:/bin/bash" getent passwd 0
	t_out "$e: the name root is only the real root" "root:x:0:0:root:/root:/bin/bash" getent passwd root
	t_fail "$e: uid above max_uid (outsider, 70000)" getent passwd outsider
	t_fail "$e: getent passwd 70000" getent passwd 70000
	t_fail "$e: uid below min_uid (lowuid, 500)" getent passwd lowuid
	t_fail "$e: getent passwd 500" getent passwd 500
	t_fail "$e: group with gid 0 (wheel0)" getent group wheel0
	t_fail "$e: group with gid 90000 (farout)" getent group farout
	before=$(count_users "$e")
	t_fail "$e: getent passwd \"x' OR '1'='1\"" getent passwd "x' OR '1'='1"
	t_fail "$e: getent passwd \"'; DROP TABLE users; --\"" getent passwd "'; DROP TABLE users; --"
	t_grep "$e: pamtester \"x' OR '1'='1\" logs nobody in" "User not known|Authentication failure" \
		pam "$svc" "x' OR '1'='1" "x' OR '1'='1"
	t_grep "$e: pamtester \"'; DROP TABLE users; --\" logs nobody in" "User not known|Authentication failure" \
		pam "$svc" "'; DROP TABLE users; --" anything
	t_fail "$e: customdb try get-user with SQL in the name" "$TOOL" -c "$conf" try get-user "x' OR '1'='1"
	t_out "$e: users table intact" "$before" count_users "$e"

	t_section "$e: logins through pamtester"
	local u
	for u in alice bob dave erin frank grace heidi; do
		t_grep "$e: $u logs in with the right password" "successfully authenticated" pam "$svc" "$u" "$u-pw"
		t_grep "$e: $u is refused a wrong password" "Authentication failure" pam "$svc" "$u" "$u-pw-wrong"
	done
	t_grep "$e: a 2000-byte password is a wrong one, not a broken request" "Authentication failure" \
		pam "$svc" alice "$(head -c 2000 /dev/zero | tr '\0' a)"
	t_grep "$e: unknown user: PAM_USER_UNKNOWN" "User not known to the underlying authentication module" \
		pam "$svc" nosuchuser whatever
	t_grep "$e: no hash stored (ivan): refused" "Authentication failure" pam "$svc" ivan ""
	t_grep "$e: uid-0 row (mallory) cannot log in" "User not known" pam "$svc" mallory mallory-pw
	t_grep "$e: out-of-range uid cannot log in" "User not known" pam "$svc" outsider outsider-pw
	t_grep "$e: disabled user: password right, account refused (PAM_PERM_DENIED)" \
		"successfully authenticated.*|Permission denied" pam "$svc" carol carol-pw authenticate acct_mgmt
	t_grep "$e: disabled user: acct_mgmt says Permission denied" "Permission denied" \
		pam "$svc" carol carol-pw acct_mgmt
	t_grep "$e: enabled user passes acct_mgmt" "account management done" pam "$svc" alice alice-pw acct_mgmt
	t_grep "$e: acct_mgmt of an unknown user: PAM_USER_UNKNOWN" "User not known" \
		pam "$svc" nosuchuser x acct_mgmt
	t_grep "$e: use_first_pass takes the password from the stack" "successfully authenticated" \
		pam "$svc-first" alice alice-pw
	t_grep "$e: use_first_pass with a wrong password fails" "Authentication failure" \
		pam "$svc-first" alice wrong

	t_section "$e: su, a set-uid client on a pty"
	t_grep "$e: su alice from uid 10002 with her password" "^alice" su_as 10002 alice alice-pw
	t_grep "$e: ... and gets her groups" "users devs ops" su_as 10002 alice alice-pw
	t_grep "$e: su alice with a wrong password fails" "Authentication failure" su_as 10002 alice wrong-pw
	t_grep "$e: su to a disabled user fails in the account step" "Permission denied|denied" su_as 10002 carol carol-pw

	t_section "$e: a caller that is not root"
	t_grep "$e: uid 10002 (bob) cannot authenticate as alice" "Insufficient credentials" \
		as_uid 10002 bash -c "printf 'alice-pw\n' | pamtester $svc alice authenticate"
	t_grep "$e: uid 10002 (bob) authenticates as himself" "successfully authenticated" \
		as_uid 10002 bash -c "printf 'bob-pw\n' | pamtester $svc bob authenticate"
	t_grep "$e: uid 10002 (bob) may not check alice's account" "Permission denied" \
		as_uid 10002 pamtester $svc alice acct_mgmt
	t_grep "$e: uid 10002 (bob) checks his own account" "account management done" \
		as_uid 10002 pamtester $svc bob acct_mgmt
	t_out "$e: a non-root process resolves users too" "alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" \
		as_uid 10002 getent passwd alice

	t_section "$e: the module, loaded directly"
	t_grep "$e: short buffer: TRYAGAIN with ERANGE" "^status=TRYAGAIN errnop=ERANGE errno_kept=yes" \
		"$PROBE" "$NSSMOD" pwnam alice 10
	t_grep "$e: short group buffer: TRYAGAIN with ERANGE" "^status=TRYAGAIN errnop=ERANGE" \
		"$PROBE" "$NSSMOD" grnam devs 16
	t_grep "$e: enough buffer: SUCCESS, errno kept" "^status=SUCCESS errnop=0 errno_kept=yes" \
		"$PROBE" "$NSSMOD" pwnam alice 200
	t_grep "$e: unknown user: NOTFOUND" "^status=NOTFOUND errnop=ENOENT errno_kept=yes" \
		"$PROBE" "$NSSMOD" pwnam nosuchuser 1024
	# names customdb never answers for are refused before any daemon is
	# asked: with no daemon at that socket, asking would give UNAVAIL
	for bad in root -dash 12345 "a b" .dot; do
		t_grep "$e: the name '$bad' is refused without asking: NOTFOUND" \
			"^status=NOTFOUND errnop=ENOENT errno_kept=yes" \
			env CUSTOMDB_SOCKET="$dir/run/nobody-here.sock" "$PROBE" "$NSSMOD" pwnam "$bad" 1024
	done
	t_grep "$e: so is a group name of digits only: NOTFOUND" "^status=NOTFOUND errnop=ENOENT" \
		env CUSTOMDB_SOCKET="$dir/run/nobody-here.sock" "$PROBE" "$NSSMOD" grnam 20001 1024
	t_grep "$e: a valid name with no daemon there: UNAVAIL (so the lines above can fail)" \
		"^status=UNAVAIL" env CUSTOMDB_SOCKET="$dir/run/nobody-here.sock" "$PROBE" "$NSSMOD" pwnam nosuchuser 1024
	t_grep "$e: initgroups_dyn lists 20001 and 20002" "gid=20001.*gid=20002" \
		bash -c "'$PROBE' '$NSSMOD' initgroups alice | tr '\n' ' '"
	t_grep "$e: disabled by the daemon's switch: UNAVAIL" "^status=UNAVAIL" \
		"$PROBE" "$NSSMOD" disabled alice
	t_grep "$e: a process never asks itself (daemon guard): UNAVAIL at once, not a timeout" \
		"^status=UNAVAIL errnop=ENOENT" env CUSTOMDB_SOCKET="$dir/run/self.sock" "$PROBE" "$NSSMOD" self-listen grace
	t_grep "$e: customdb try login" "^login: ok" bash -c "printf 'alice-pw\n' | '$TOOL' -c '$conf' try login alice"
	t_grep "$e: customdb try get-user 10002 --json" '"username":"bob"' "$TOOL" -c "$conf" --json try get-user 10002

	# PostgreSQL's queries sleep (pg_sleep), and http's service; for exec
	# (and SQLite) the equivalent, a source slower than query_timeout, is the
	# frozen source below
	if [ "${e#odbc-}" = postgresql ] || [ "$e" = http ]; then
		t_section "$e: one slow query does not stall the others"
		local slept
		slept=$(log_count "$WORK/app.log" 'app: slowpoke sleeps')
		getent passwd slowpoke > "$dir/slowpoke.out" &
		local slow_pid=$!
		if [ "$e" = http ]; then
			t_ok "$e: slowpoke's request is being answered" wait_log "$WORK/app.log" 'app: slowpoke sleeps' "${slept:-0}"
		else
			t_ok "$e: slowpoke's query is running" wait_until 10 legacy_query_sleeping "$WORK/$e/db"
		fi
		t_out "$e: alice answers while slowpoke's query still runs" \
			"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
		t_ok "$e: ... and slowpoke's look-up was still running then" kill -0 "$slow_pid"
		wait "$slow_pid"
		t_out "$e: slowpoke's answer arrives in the end" "slowpoke:x:10020:100:Slow:/home/slowpoke:/bin/sh" \
			cat "$dir/slowpoke.out"
		t0=$(now_ms)
		t_grep "$e: a query over query_timeout: UNAVAIL" "^status=UNAVAIL errnop=EAGAIN" \
			"$PROBE" "$NSSMOD" pwnam sleepy 1024
		t1=$(now_ms)
		# (http: connect_timeout + query_timeout bound the whole request)
		t_ok "$e: ... after query_timeout, not the query's 30 s (took $((t1 - t0)) ms)" \
			test $((t1 - t0)) -lt $([ "$e" = http ] && echo 6500 || echo 4500)
		t_out "$e: the daemon answers normally afterwards" "bob:x:10002:100:Bob:/home/bob:/bin/sh" getent passwd bob
	fi

	t_section "$e: the daemon's socket"
	t_grep "$e: a second daemon refuses to start" "another customdbd is answering" \
		"$DAEMON" -c "$conf" -f
	t_out "$e: the first daemon still answers" "bob:x:10002:100:Bob:/home/bob:/bin/sh" getent passwd bob

	# an SQLite file cannot go away or hang; exec's script and http's
	# nginx can
	if [ "$(data_engine "$e")" != sqlite ] || [ "$e" = exec ] || [ "$e" = http ]; then
		t_section "$e: the database goes away and comes back"
		t_ok "$e: database stopped" db_down "$e"
		t0=$(now_ms)
		t_grep "$e: login while down: PAM_AUTHINFO_UNAVAIL" "cannot retrieve authentication info" \
			pam "$svc" alice alice-pw
		t1=$(now_ms)
		t_ok "$e: ... within connect_timeout (took $((t1 - t0)) ms)" test $((t1 - t0)) -lt 4000
		t_grep "$e: look-up of an uncached user while down: UNAVAIL from the module" \
			"^status=UNAVAIL errnop=EAGAIN" "$PROBE" "$NSSMOD" pwnam heidi 1024
		t_fail "$e: getent of an uncached user while down finds nothing" getent passwd heidi
		t_out "$e: a cached user resolves while the database is down" \
			"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
		t_out "$e: local users still resolve (files first)" "root:x:0:0:root:/root:/bin/bash" getent passwd root
		t_ok "$e: database started again" db_up "$e"
		t_grep "$e: login works again, no restart of customdbd" "successfully authenticated" \
			pam "$svc" alice alice-pw
		t_out "$e: look-up works again" "bob:x:10002:100:Bob:/home/bob:/bin/sh" getent passwd bob
		if [ "$e" = exec ]; then
			chmod 700 "$dir/bin"
			t_grep "$e: a script run_as cannot reach: an error (UNAVAIL, ENOENT), not an outage" \
				"^status=UNAVAIL errnop=ENOENT" "$PROBE" "$NSSMOD" pwnam frank 1024
			t_grep "$e: ... said in the log" "cannot run $dir/bin/exec_legacy.py: .*Permission denied" cat "$log"
			chmod 755 "$dir/bin"
		fi

		t_section "$e: the database hangs (SIGSTOP)"
		db_freeze "$e" || t_fail "$e: the database hangs" true
		t0=$(now_ms)
		t_grep "$e: login against a hung database: PAM_AUTHINFO_UNAVAIL" \
			"cannot retrieve authentication info" pam "$svc" alice alice-pw
		t1=$(now_ms)
		t_ok "$e: ... bounded by query_timeout + connect_timeout (took $((t1 - t0)) ms)" \
			test $((t1 - t0)) -lt 7000
		db_thaw "$e"
		t_grep "$e: login works once the database wakes up" "successfully authenticated" \
			pam "$svc" alice alice-pw
	fi

	t_section "$e: without the daemon"
	stop_daemon
	t_grep "$e: no daemon, uncached user: UNAVAIL" "^status=UNAVAIL errnop=ENOENT" \
		"$PROBE" "$NSSMOD" pwnam heidi 1024
	t_fail "$e: no daemon: getent of an uncached user finds nothing" getent passwd heidi
	t_out "$e: no daemon: a cached user resolves from the host cache" \
		"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
	t_out "$e: no daemon: a cached uid too" "bob:x:10002:100:Bob:/home/bob:/bin/sh" getent passwd 10002
	t_out "$e: no daemon: cached groups too" "devs:x:20001:alice,bob" getent group devs
	t_out "$e: no daemon: id from the host cache" \
		"uid=10001(alice) gid=100(users) groups=100(users),20001(devs),20002(ops)" id alice
	t_out "$e: no daemon: local users still resolve" "root:x:0:0:root:/root:/bin/bash" getent passwd root
	t_grep "$e: no daemon: PAM_AUTHINFO_UNAVAIL" "cannot retrieve authentication info" \
		pam "$svc" alice alice-pw
	# a daemon killed hard leaves its socket behind; the next one replaces it
	start_daemon "$conf" "$log" "$sock" >/dev/null 2>&1
	stop_daemon "$WORK/daemon.pid" KILL
	t_ok "$e: stale socket left by kill -9" test -S "$sock"
	t_ok "$e: a new daemon replaces the stale socket" start_daemon "$conf" "$log" "$sock"
	t_out "$e: ... and answers" "bob:x:10002:100:Bob:/home/bob:/bin/sh" getent passwd bob
	stop_daemon
	t_nogrep "$e: no password reached the daemon's log" "alice-pw|bob-pw|dave-pw|legacy-secret" cat "$log"
	t_nogrep "$e: no sanitizer report in the daemon's log" "AddressSanitizer|LeakSanitizer|runtime error" cat "$log"
	unset CUSTOMDB_SOCKET CUSTOMDB_STATE_DIR
}

# format_logins CONF SVC USER FMT PW HASH: USER logs in with PW and not with
# another, and customdb hash identify (under CONF) names HASH's format FMT.
format_logins() {
	local conf=$1 svc=$2 user=$3 fmt=$4 pw=$5 hash=$6
	t_grep "format $fmt ($user): the right password logs in" "successfully authenticated" \
		pam "$svc" "$user" "$pw"
	# changed at the front: DES reads only the first 8 characters
	t_grep "format $fmt ($user): a wrong one does not" "Authentication failure" \
		pam "$svc" "$user" "X${pw}"
	t_ok "format $fmt ($user): customdb hash identify names it" \
		bash -c "'$TOOL' -c '$conf' hash identify '${hash//\'/}' | grep -qx 'format: $fmt'"
}

# Every legacy password format: one SQLite table, one user per format (hashes
# made by the formats' own implementations: data/make-formats.py), each
# logging in through pamtester with its password and failing with another.
# Formats read by name only that share their form with another named one
# (redmine and sha1-hex-salt-before: 40 hex digits; nt-hash and md5-hex: 32)
# cannot be named in one config: those in $read_alone get a daemon of their
# own.
formats_suite() {
	local dir=$WORK/formats sock=/run/customdb/socket user fmt pw hash salt
	local svc=customdb-formats n=0 f rd alone
	local read_customdb="sha1-hex-salt-before, md5-hex, sha256-base64, plaintext, aspnet-membership-sha1, dovecot-plain"
	local read_alone="redmine, nt-hash"
	alone=" ${read_alone//,/ } "
	mkdir -p "$dir"
	chmod 755 "$dir"
	t_section "every legacy password format (SQLite)"
	{
		echo "CREATE TABLE accounts (login TEXT PRIMARY KEY, uid INTEGER, hash TEXT, salt TEXT);"
		while IFS=$'\t' read -r user fmt pw hash salt; do
			case $user in '#'*) continue ;; esac
			[ "$salt" = - ] && salt=NULL || salt="'$salt'"
			echo "INSERT INTO accounts VALUES ('$user', $((10100 + n)), '${hash//\'/\'\'}', $salt);"
			n=$((n + 1))
		done < "$HERE/data/formats.tsv"
		# a sha512crypt cut short by a narrow column
		echo "INSERT INTO accounts VALUES ('cutshort', 10099, '\$6\$saltsalt\$qkTgsCrWMTAS9gBG', NULL);"
	} | sqlite3 "$dir/legacy.db"
	for f in customdb alone; do
		rd=read_$f
		cat > "$dir/$f.conf" <<X
[customdb]
socket = $sock
[legacy]
driver = sqlite
connection = $dir/legacy.db
password_scheme_read = ${!rd}
[queries]
login = SELECT login AS username, uid, hash AS password, salt FROM accounts WHERE login = :username
get_user = SELECT login AS username, uid FROM accounts WHERE login = :username
X
		chmod 600 "$dir/$f.conf"
	done
	ns_pam_service "$svc" "auth required $PAMMOD"
	t_ok "formats: customdbd starts" start_daemon "$dir/customdb.conf" "$dir/daemon.log" "$sock" || return
	while IFS=$'\t' read -r user fmt pw hash salt; do
		case $user in '#'*) continue ;; esac
		case $alone in *" $fmt "*) continue ;; esac
		format_logins "$dir/customdb.conf" "$svc" "$user" "$fmt" "$pw" "$hash"
	done < "$HERE/data/formats.tsv"
	t_grep "a truncated hash: the login fails" "Authentication failure" pam "$svc" cutshort whatever
	t_grep "... and again" "Authentication failure" pam "$svc" cutshort whatever
	t_out "... said in the log once, with the user name" 1 grep -c "user cutshort: the stored password hash is malformed" "$dir/daemon.log"
	stop_daemon
	t_ok "formats named alone: customdbd starts" start_daemon "$dir/alone.conf" "$dir/daemon.log" "$sock" || return
	while IFS=$'\t' read -r user fmt pw hash salt; do
		case $alone in *" $fmt "*) ;; *) continue ;; esac
		format_logins "$dir/alone.conf" "$svc" "$user" "$fmt" "$pw" "$hash"
	done < "$HERE/data/formats.tsv"
	stop_daemon
	t_nogrep "no hash reached the daemon's log" '\$2[abxy]\$|\$6\$|pbkdf2|\{SSHA|qkTgsCrW' cat "$dir/daemon.log"
}

# entry_expired CONF NAME: the host cache file says NAME's entry has expired
entry_expired() {
	[ "$("$TOOL" -c "$1" --json cache show "$2" | jq -r .passwd.expiry)" = expired ]
}

# The host cache, on the SQLite legacy database: what it holds, how it is
# replaced, and what is served from it when the daemon is gone.
hostcache_suite() {
	local dir=$WORK/hostcache sock=/run/customdb/socket state t0 t1
	mkdir -p "$dir"
	chmod 755 "$dir"
	state=$dir/state
	export CUSTOMDB_SOCKET=$sock CUSTOMDB_STATE_DIR=$state
	t_section "host cache"
	legacy_config sqlite "$WORK/sqlite/legacy.db" "$sock" "cache_ttl = 1
negative_ttl = 60" | sed "s|^state_dir = .*|state_dir = $state|" > "$dir/customdb.conf"
	chmod 600 "$dir/customdb.conf"
	t_ok "hostcache: customdbd starts (cache_ttl 1 s)" start_daemon "$dir/customdb.conf" "$dir/daemon.log" "$sock"
	t_out "hostcache: bob through the daemon" "bob:x:10002:100:Bob:/home/bob:/bin/sh" getent passwd bob
	# a burst of answers is one rewrite, not one each
	# (at most one more per second the burst lasts: slow clients, such as
	# getent under valgrind, make a long burst)
	t0=$(now_ms)
	for u in alice carol dave grace heidi ivan 10001 10003 10004 10007 10008; do getent passwd "$u" >/dev/null; done
	t1=$(now_ms)
	t_ok "hostcache: the file appears, holding the last of the burst" \
		wait_cached "$state" passwd bob passwd ivan passwd 10008
	t_ok "hostcache: 12 answers in a burst ($((t1 - t0)) ms): at most 3 rewrites of the file" \
		test "$(grep -c 'host cache: wrote' "$dir/daemon.log")" -le $((3 + (t1 - t0) / 1000))
	t_out "hostcache: the file is world-readable" "644" stat -c %a "$state/hostcache.db"
	t_fail "hostcache: the file holds no password hash" grep -qa -E '\$2[aby]\$|\$6\$|\$y\$|argon2' "$state/hostcache.db"
	# one process, two look-ups: between them the daemon writes a new file
	# (frank is added to it) and stops; the second look-up must come from the
	# new file, which that process has never opened
	mkfifo "$dir/twice.go"
	"$PROBE" "$NSSMOD" pwnam-twice frank - < "$dir/twice.go" > "$dir/twice.out" &
	local probe=$!
	exec {go}> "$dir/twice.go"
	t_ok "hostcache: frank looked up once" wait_log "$dir/twice.out" '^first='
	t_ok "hostcache: ... and written to the file" wait_cached "$state" passwd frank
	stop_daemon
	echo go >&"$go"
	exec {go}>&-
	wait "$probe"
	t_grep "hostcache: a long-running process notices the replaced file" "second=SUCCESS" cat "$dir/twice.out"
	t_ok "hostcache: bob's entry expires (cache_ttl 1 s)" wait_until 10 entry_expired "$dir/customdb.conf" bob
	t_out "hostcache: an expired entry is served while the daemon is gone" \
		"bob:x:10002:100:Bob:/home/bob:/bin/sh" getent passwd bob
	t_fail "hostcache: an uncached user is not invented" getent passwd erin
	t_ok "hostcache: a restarted daemon" start_daemon "$dir/customdb.conf" "$dir/daemon.log" "$sock"
	t_grep "hostcache: ... keeps the file it finds" "host cache: kept [1-9][0-9]* entries" cat "$dir/daemon.log"
	t_fail "hostcache: newbie is not there" getent passwd newbie
	sqlite3 "$WORK/sqlite/legacy.db" "INSERT INTO users ($LEGACY_USER_COLS) VALUES (90, 'newbie', 10090, NULL, 'n@example.org', 1, 'New', NULL)"
	t_fail "hostcache: 'no such user' is remembered for negative_ttl, not asked again" getent passwd newbie
	t_out "hostcache: ... a uid look-up is a different question" "newbie:x:10090:100:New:/home/newbie:/bin/sh" getent passwd 10090
	sqlite3 "$WORK/sqlite/legacy.db" "DELETE FROM users WHERE username = 'newbie'"
	# a clean stop writes out what changed since the last rewrite: a look-up
	# that makes a rewrite, one more while the writer waits out its interval
	# (a second), then TERM at once
	local writes
	writes=$(log_count "$dir/daemon.log" 'host cache: wrote')
	getent passwd bob >/dev/null
	t_ok "hostcache: bob's look-up rewrites the file" wait_log "$dir/daemon.log" 'host cache: wrote' "$writes"
	getent passwd erin >/dev/null
	t_ok "hostcache: the daemon stops (TERM) right after erin's look-up" stop_daemon
	t_out "hostcache: ... and erin is in the file it leaves" "erin:x:10005:100:Erin:/home/erin:/bin/sh" \
		file_answers "$state" passwd erin
	unset CUSTOMDB_SOCKET CUSTOMDB_STATE_DIR
}

# kill -9 of the daemon while it rewrites a large host cache: readers always
# see a whole file (the old one or the new one), the file left behind is
# whole (customdb cache verify), and a new daemon keeps it.
cache_crash_suite() {
	local dir=$WORK/crash sock=/run/customdb/socket state i entries torn=0
	mkdir -p "$dir"
	chmod 755 "$dir"
	state=$dir/state
	export CUSTOMDB_SOCKET=$sock CUSTOMDB_STATE_DIR=$state
	t_section "host cache: kill -9 in the middle of rewrites"
	# 200,000 users (600,000 entries): a rewrite takes a good part of a second
	t_ok "crash: a host cache of 200,000 users" "$BUILD/bench/cache_fill" "$state" 200000
	# max_uid: cache_fill's users have uids 100001.. (the daemon drops
	# cached entries outside the range when it loads the file)
	legacy_config sqlite "$WORK/sqlite/legacy.db" "$sock" "cache_ttl = 0" |
		sed -e "s|^state_dir = .*|state_dir = $state|" -e "s|^max_uid = .*|max_uid = 400000|" \
		> "$dir/customdb.conf"
	chmod 600 "$dir/customdb.conf"
	t_ok "crash: customdbd starts on it" start_daemon "$dir/customdb.conf" "$dir/daemon.log" "$sock"
	t_out "crash: bob through the daemon" "bob:x:10002:100:Bob:/home/bob:/bin/sh" getent passwd bob
	# a reader all along: a cached user must resolve every time, whether the
	# daemon is writing, killed or restarting
	( while [ ! -e "$dir/stop" ]; do
		getent passwd u0000007 >/dev/null || echo MISS
		getent passwd bob >/dev/null || echo MISS-bob
	  done > "$dir/reader.out" ) &
	local reader=$!
	for i in 1 2 3 4 5; do
		# cache_ttl = 0: every look-up changes an entry, so the daemon
		# rewrites the file once a second, and is killed at some point in it
		for _ in 1 2 3 4 5 6; do getent passwd alice >/dev/null; sleep 0.$((RANDOM % 3 + 1)); done
		stop_daemon "$WORK/daemon.pid" KILL
		compgen -G "$state/hostcache.db.tmp.*" >/dev/null && torn=$((torn + 1))
		t_ok "crash $i: the file left behind is whole" \
			"$BUILD/tools/customdb" -c "$dir/customdb.conf" cache verify
		t_out "crash $i: bob is served from it with the daemon dead" \
			"bob:x:10002:100:Bob:/home/bob:/bin/sh" getent passwd bob
		start_daemon "$dir/customdb.conf" "$dir/daemon.log" "$sock" ||
			{ t_fail "crash $i: the daemon restarts" true; break; }
	done
	touch "$dir/stop"
	wait "$reader"
	echo "  (a half-written temporary file was left by $torn of the 5 kills)"
	t_ok "crash: the rewrites were really under way (several logged)" \
		test "$(grep -c 'host cache: wrote' "$dir/daemon.log")" -ge 3
	entries=$(grep -o 'host cache: kept [0-9]* entries' "$dir/daemon.log" | tail -1 | grep -o '[0-9]*')
	t_ok "crash: the last daemon kept all the entries ($entries)" test "${entries:-0}" -ge 600000
	t_out "crash: the reader never missed a cached user" "" cat "$dir/reader.out"
	stop_daemon
	unset CUSTOMDB_SOCKET CUSTOMDB_STATE_DIR
}

config_errors() {
	local dir=$WORK/config
	mkdir -p "$dir"
	chmod 700 "$dir"
	t_section "config errors"
	printf '[customdb]\nmode = legacy\nmin_uid = 10000\n\nmin_uid = 20000\n' > "$dir/twice.conf"
	t_grep "a key set twice: both lines named" "twice.conf:5: \[customdb\] min_uid: set twice \(first on line 3\)" \
		"$TOOL" -c "$dir/twice.conf" check
	legacy_config sqlite "$WORK/sqlite/legacy.db" "$dir/notsock" > "$dir/notsock.conf"
	chmod 600 "$dir/notsock.conf"
	echo "precious" > "$dir/notsock"
	t_grep "a file that is not a socket at the socket path: refused" "is not a socket; not replacing it" \
		"$DAEMON" -c "$dir/notsock.conf" -f
	t_out "... and the file is left alone" "precious" cat "$dir/notsock"
	printf '[customdb]\nmode = legacy\nmin_uid = ten\n' > "$dir/bad.conf"
	t_grep "bad integer: file, line and key named" "bad.conf:3: \[customdb\] min_uid" "$DAEMON" -c "$dir/bad.conf" -f
	printf '[legacy]\ndriver = sqlite\nconnection = /x\nconection_timeout = 3\n' > "$dir/typo.conf"
	t_grep "unknown key: named" "typo.conf:4: \[legacy\] conection_timeout: unknown key" "$TOOL" -c "$dir/typo.conf" check
	legacy_config sqlite "$WORK/sqlite/legacy.db" "$dir/socket" > "$dir/secret.conf"
	sed -i 's|^connection = .*|connection = /nonexistent password=hunter2|' "$dir/secret.conf"
	chmod 644 "$dir/secret.conf"
	t_grep "a password in a config readable by others: the daemon refuses" \
		"secret.conf: holds a database password but is readable by others" "$DAEMON" -c "$dir/secret.conf" -f
	legacy_config sqlite "$WORK/sqlite/legacy.db" "$dir/socket" > "$dir/weak.conf"
	chmod 666 "$dir/weak.conf"
	t_grep "a config writable by others: refused" "weak.conf: writable by others" "$DAEMON" -c "$dir/weak.conf" -f
	legacy_config sqlite "$WORK/sqlite/legacy.db" "$dir/socket" |
		sed 's/^login = SELECT username, uid, password,/login = SELECT username, uid,/' > "$dir/nopw.conf"
	chmod 600 "$dir/nopw.conf"
	t_grep "customdb check names a missing required column" "missing: password" "$TOOL" -c "$dir/nopw.conf" check
	t_fail "customdb check exits non-zero for it" "$TOOL" -c "$dir/nopw.conf" check
	t_fail "usage error: exit 2" "$TOOL" -c "$dir/nopw.conf" frobnicate
}

# conf/templates/aspnet-identity.conf as shipped (its connection aside), on
# the tables EF Core makes for ASP.NET Core Identity on PostgreSQL, through
# odbc-postgresql: the stand-in for SQL Server, which cannot run here. The
# hash is Identity v3's own (data/formats.tsv, made by ASP.NET Core's
# PasswordHasher algorithm).
aspnet_identity_suite() {
	local dir=$WORK/aspnet sock=/run/customdb/socket svc=customdb-aspnet pw hash
	local db=$WORK/odbc-postgresql/db
	mkdir -p "$dir"
	chmod 755 "$dir"
	export CUSTOMDB_SOCKET=$sock CUSTOMDB_STATE_DIR=$dir/state
	t_section "ASP.NET Core Identity template (PostgreSQL through ODBC)"
	IFS=$'\t' read -r _ _ pw hash _ < <(grep -P '^\S+\taspnet-identity-v3\t' "$HERE/data/formats.tsv")
	t_ok "aspnet: EF Core's Identity tables, two users and a role" pg_sql "$db" "
		CREATE TABLE \"AspNetUsers\" (\"Id\" text NOT NULL PRIMARY KEY,
		  \"UserName\" varchar(256), \"NormalizedUserName\" varchar(256) UNIQUE,
		  \"Email\" varchar(256), \"NormalizedEmail\" varchar(256),
		  \"EmailConfirmed\" boolean NOT NULL, \"PasswordHash\" text, \"SecurityStamp\" text,
		  \"ConcurrencyStamp\" text, \"PhoneNumber\" text, \"PhoneNumberConfirmed\" boolean NOT NULL,
		  \"TwoFactorEnabled\" boolean NOT NULL, \"LockoutEnd\" timestamp with time zone,
		  \"LockoutEnabled\" boolean NOT NULL, \"AccessFailedCount\" integer NOT NULL);
		CREATE TABLE \"AspNetRoles\" (\"Id\" text NOT NULL PRIMARY KEY, \"Name\" varchar(256),
		  \"NormalizedName\" varchar(256) UNIQUE, \"ConcurrencyStamp\" text);
		CREATE TABLE \"AspNetUserRoles\" (
		  \"UserId\" text NOT NULL REFERENCES \"AspNetUsers\" (\"Id\") ON DELETE CASCADE,
		  \"RoleId\" text NOT NULL REFERENCES \"AspNetRoles\" (\"Id\") ON DELETE CASCADE,
		  PRIMARY KEY (\"UserId\", \"RoleId\"));
		INSERT INTO \"AspNetUsers\" VALUES
		  ('0b6f3c1e-1111-4c8e-9a51-000000000001', 'ada', 'ADA', 'ada@example.org', 'ADA@EXAMPLE.ORG',
		   true, '$hash', 'S1', 'C1', NULL, false, false, NULL, true, 0),
		  ('0b6f3c1e-2222-4c8e-9a51-000000000002', 'lockedout', 'LOCKEDOUT', 'l@example.org',
		   'L@EXAMPLE.ORG', true, '$hash', 'S2', 'C2', NULL, false, false,
		   now() + interval '1 day', true, 5);
		INSERT INTO \"AspNetRoles\" VALUES ('7d0e-role-1', 'Admins', 'ADMINS', 'R1');
		INSERT INTO \"AspNetUserRoles\" VALUES ('0b6f3c1e-1111-4c8e-9a51-000000000001', '7d0e-role-1');"
	t_ok "aspnet: the template's aspnet-identity.sql runs as shipped" \
		pg_sql "$db" "$(cat "$ROOT/conf/templates/aspnet-identity.sql")"
	# SQL Server's NEWID(), which the template's password change calls, on
	# the PostgreSQL that stands in for it
	t_ok "aspnet: NEWID() on the stand-in database" pg_sql "$db" \
		"CREATE FUNCTION newid() RETURNS uuid LANGUAGE sql AS 'SELECT gen_random_uuid()';
		 GRANT UPDATE (\"PasswordHash\", \"SecurityStamp\", \"ConcurrencyStamp\")
		   ON \"AspNetUsers\" TO customdb;"
	odbc_dsn "$ODBCSYSINI" identity postgresql "$db"
	sed -e "s|^connection = .*|connection = DSN=identity;UID=customdb|" \
		-e "s|^password_file = .*|password_file = $WORK/odbc-postgresql/legacy.secret|" \
		-e "s|^\[customdb\]\$|[customdb]\nsocket = $sock\nstate_dir = $dir/state|" \
		"$ROOT/conf/templates/aspnet-identity.conf" > "$dir/customdb.conf"
	chmod 600 "$dir/customdb.conf"
	ns_pam_service "$svc" "auth required $PAMMOD" "account required $PAMMOD" \
		"password required $PAMMOD"
	t_ok "aspnet: customdb check passes" "$TOOL" -c "$dir/customdb.conf" check
	t_ok "aspnet: customdbd starts" start_daemon "$dir/customdb.conf" "$dir/daemon.log" "$sock" || return
	t_out "aspnet: getent passwd ada" "ada:x:10001:100::/home/ada:/bin/bash" getent passwd ada
	t_out "aspnet: getent passwd 10001" "ada:x:10001:100::/home/ada:/bin/bash" getent passwd 10001
	t_out "aspnet: the role is a group" "Admins:x:50001:ada" getent group Admins
	t_out "aspnet: id -Gn ada" "users Admins" id -Gn ada
	t_grep "aspnet: ada logs in with her password (Identity v3 hash)" "successfully authenticated" \
		pam "$svc" ada "$pw"
	t_grep "aspnet: ... and not with another" "Authentication failure" pam "$svc" ada "x$pw"
	t_grep "aspnet: a locked-out user (LockoutEnd ahead) is refused the account" "Permission denied" \
		pam "$svc" lockedout "$pw" acct_mgmt
	t_grep "aspnet: customdb hash identify names the format" "^format: aspnet-identity-v3" \
		"$TOOL" -c "$dir/customdb.conf" hash identify "$hash"
	t_grep "aspnet: customdb try login" "^login: ok" \
		bash -c "printf '%s\n' '$pw' | '$TOOL' -c '$dir/customdb.conf' try login ada"
	# passwd: ada changes her password through PAM; what is written is v3
	# as ASP.NET Core 7+ writes it, with new stamps, and checks out by
	# Identity's algorithm in Python (no .NET here)
	t_grep "aspnet: ada changes her password (PAM chauthtok)" "altered successfully" \
		bash -c "printf '%s\n%s\n%s\n' '$pw' 'N3w-Identity' 'N3w-Identity' |
			setpriv --reuid=10001 --regid=100 --clear-groups pamtester $svc ada chauthtok"
	t_grep "aspnet: ... and logs in with the new one" "successfully authenticated" \
		pam "$svc" ada N3w-Identity
	t_grep "aspnet: ... not with the old one" "Authentication failure" pam "$svc" ada "$pw"
	t_out "aspnet: a new v3 hash (HMAC-SHA512, 100,000 iterations), both stamps new" \
		"AQAAAAIAAYagAAAAE|t|t|t" pg_sql "$db" "SELECT concat_ws('|', left(\"PasswordHash\", 17),
		  \"PasswordHash\" <> '$hash', \"SecurityStamp\" <> 'S1', \"ConcurrencyStamp\" <> 'C1')
		  FROM \"AspNetUsers\" WHERE \"UserName\" = 'ada'"
	t_ok "aspnet: the written hash checks out by Identity's algorithm (Python)" \
		/usr/bin/python3 -c '
import base64, hashlib, struct, sys
b = base64.b64decode(sys.argv[1], validate=True)
prf, it, sl = struct.unpack(">III", b[1:13])
salt, sub = b[13:13 + sl], b[13 + sl:]
ok = lambda pw: hashlib.pbkdf2_hmac(("sha1", "sha256", "sha512")[prf], pw, salt, it, len(sub)) == sub
sys.exit(0 if b[0] == 1 and ok(b"N3w-Identity") and not ok(b"x") else 1)' \
		"$(pg_sql "$db" "SELECT \"PasswordHash\" FROM \"AspNetUsers\" WHERE \"UserName\" = 'ada'")"
	stop_daemon
	unset CUSTOMDB_SOCKET CUSTOMDB_STATE_DIR
}

for e in "${ENGINES[@]}"; do
	suite "$e"
done
[ -d "$WORK/odbc-postgresql" ] && aspnet_identity_suite
[ -d "$WORK/sqlite" ] && hostcache_suite
[ -d "$WORK/sqlite" ] && cache_crash_suite
[ -d "$WORK/sqlite" ] && formats_suite
[ -d "$WORK/sqlite" ] && config_errors
t_summary
