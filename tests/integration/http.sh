#!/bin/bash
# http.sh: driver = http against a real HTTPS web service: nginx with a test
# CA's certificate, proxying to a small Python application over an SQLite
# file of users (data/http_users_app.py) that checks HTTP Basic Auth itself.
#
#   tests/integration/http.sh
#
# Through the daemon: getent and id look users and groups up with the
# service account; pamtester logs in with the user's own credentials (the
# service checks them: right, wrong, unknown), account states; customdb
# check and try; password changes (a PUT), by root and by the user through
# PAM (the old password checked by the service); the faults -- a certificate of
# another CA, one for another host name, no ca_file, a server slower than
# query_timeout, a 500, an answer that is not JSON, one over the size cap --
# each "unavailable" with a clear log line while the daemon goes on
# serving; and migrate mode's first login, copied into the store with the
# typed password re-hashed, after which the user logs in with the service
# down. Runs in its own network namespace: its ports are its own.
#
# HTTP_FIGURES=1 also prints (asserts nothing) what 20 logins and 20
# look-ups through the daemon take with driver = http and with the native
# SQLite driver, cache_ttl = 0 so that each look-up asks the source.
set -u
if [ "${CUSTOMDB_HTTP_NETNS:-}" != 1 ]; then
	export CUSTOMDB_HTTP_NETNS=1
	exec unshare --net -- bash "$0" "$@"
fi
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"
. "$HERE/lib/https.sh"
ip link set lo up

WORK=$(mktemp -d /tmp/customdb-http.XXXXXX)
chmod 755 "$WORK"
APP_PID="" NGINX_PID=""
cleanup() {
	stop_daemon "$WORK/migrate.pid"
	stop_daemon "$WORK/legacy.pid"
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
	[ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
ns_setup "$WORK" "$BUILD"

ACCOUNT=customdb ACCOUNT_PW=svc-secret-pw
tool() { "$TOOL" -c "$CONF" "$@"; }
tool_pw() { local pw=$1; shift; printf '%s\n' "$pw" | "$TOOL" -c "$CONF" "$@"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
daemon_alive() { kill -0 "$(cat "$1")" 2>/dev/null; }

t_section "setup: a test CA, nginx, the application"
t_ok "a test CA and another CA" bash -c "$(declare -f http_ca); WORK=$WORK; http_ca test-ca && http_ca other-ca"
t_ok "certificates: localhost, a wrong host name, localhost by the other CA" \
	bash -c "$(declare -f http_cert); WORK=$WORK; http_cert good localhost test-ca &&
		http_cert wronghost wrong.example test-ca && http_cert otherca localhost other-ca"
t_ok "the application's users" /usr/bin/python3 "$APP" init "$WORK/app.db"
http_app_start "$WORK/app.db" 8080
http_nginx_start "$(http_server 8443 good; http_server 8444 wronghost; http_server 8445 otherca)"
t_ok "the application listens" wait_until 20 port_open 8080
t_ok "nginx listens (HTTPS)" wait_until 20 port_open 8443
t_grep "curl reaches the application through nginx with the test CA" '"username": "alice"' \
	curl -sS --cacert "$WORK/test-ca.pem" -u "$ACCOUNT:$ACCOUNT_PW" https://localhost:8443/api/users/alice

printf '%s\n' "$ACCOUNT_PW" > "$WORK/svc.secret"
chmod 600 "$WORK/svc.secret"
mkdir -m 700 "$WORK/state-legacy" "$WORK/state-migrate"
SOCK=/run/customdb/http.sock
CONF=$WORK/legacy.conf
http_config legacy "$SOCK" > "$CONF"
http_config legacy "$SOCK" 8444 > "$WORK/wronghost.conf"
http_config legacy "$SOCK" 8445 > "$WORK/otherca.conf"
http_config legacy "$SOCK" 8443 localhost "" > "$WORK/noca.conf"
http_config legacy "$SOCK" 8080 > "$WORK/plain.conf"
sed -i 's|https://|http://|; s|@localhost:8080|@example.org:8080|' "$WORK/plain.conf"
chmod 600 "$WORK"/*.conf
LOG=$WORK/legacy.log
export CUSTOMDB_SOCKET=$SOCK CUSTOMDB_STATE_DIR=$WORK/state-legacy
ns_pam_service customdb-http "auth required $PAMMOD socket=$SOCK" \
	"account required $PAMMOD socket=$SOCK" "password required $PAMMOD socket=$SOCK"
t_ok "customdbd starts with driver = http" start_daemon "$CONF" "$LOG" "$SOCK" "$WORK/legacy.pid"

t_section "customdb check and try"
t_rc "check: every query answers (exit 0)" 0 "result: ok" tool check
t_grep "... no row for the probe user: its fields are not checked" \
	"no row for the probe, so its fields are not checked" tool check
t_nogrep "... nor said to be unknown" "unknown:" tool check
t_rc "try get-user alice" 0 "uid: 10001" tool try get-user alice
sed 's|^get_user = GET |get_user = FETCH |' "$CONF" > "$WORK/badmethod.conf"
chmod 600 "$WORK/badmethod.conf"
t_rc "check: a request that is not one says why (exit 1)" 1 \
	"query get_user: starts with 'FETCH', not a method" "$TOOL" -c "$WORK/badmethod.conf" check
t_rc "try login alice, right password" 0 "^login: ok" tool_pw alice-pw try login alice
t_rc "try login alice, wrong password: exit 1" 1 "^login: authentication failed" \
	tool_pw wrong try login alice
t_rc "try login zoe (no such user): exit 1" 1 "^login: not found" tool_pw zoe-pw try login zoe

t_section "look-ups through the daemon (the service account)"
t_out "getent passwd alice" "alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" \
	getent passwd alice
t_out "getent passwd 10002 (by uid)" "bob:x:10002:100:Bob:/home/bob:/bin/sh" getent passwd 10002
t_out "getent group devs: members from a JSON array" "devs:x:20001:alice,bob" getent group devs
t_out "getent group 20002 (by gid)" "ops:x:20002:alice" getent group 20002
t_grep "id alice: her groups" "20001\(devs\).*20002\(ops\)|20002\(ops\).*20001\(devs\)" id alice
t_rc "getent passwd zoe: no such user (404)" 2 "" getent passwd zoe

t_section "logins through the daemon (the user's own Basic Auth)"
t_grep "alice, right password" "successfully authenticated" pam customdb-http alice alice-pw
t_grep "alice, wrong password (401)" "Authentication failure" pam customdb-http alice wrong
t_grep "zoe, no such user (404)" "User not known" pam customdb-http zoe zoe-pw
t_grep "carol, disabled: the account step refuses" "Permission denied|disabled" \
	pam customdb-http carol carol-pw authenticate acct_mgmt
t_grep "oscar, expired: the account step refuses" "expired" \
	pam customdb-http oscar oscar-pw authenticate acct_mgmt
t_grep "mike must change his password" "Authentication token is no longer valid|change" \
	pam customdb-http mike mike-pw authenticate acct_mgmt
t_nogrep "no password in the daemon's log" "alice-pw|$ACCOUNT_PW" cat "$LOG"
# nginx numbers each request on a connection: a kept one serves several
most_on_one_connection() { awk '$2 > n { n = $2 } END { print n + 0 }' "$WORK/nginx/access.log"; }
t_ok "a worker's connection to the service is kept across requests" \
	test "$(most_on_one_connection)" -gt 1

t_section "a password change (PUT)"
t_ok "customdb user passwd dave (root: no old password)" tool_pw dave-new-pw user passwd dave
t_grep "dave logs in with the new password" "successfully authenticated" \
	pam customdb-http dave dave-new-pw
t_grep "... not with the old one" "Authentication failure" pam customdb-http dave dave-pw
# bob himself, through PAM: the old password is checked by the service (AUTH)
chauthtok_as_bob() {
	printf '%s\n' "$@" | setpriv --reuid=10002 --regid=100 --clear-groups \
		pamtester customdb-http bob chauthtok
}
t_rc "bob, a wrong old password: refused" 1 "Authentication failure|manipulation error" \
	chauthtok_as_bob wrong bob-new-pw bob-new-pw
t_grep "... bob's password is unchanged" "successfully authenticated" pam customdb-http bob bob-pw
t_grep "bob changes his own password (pamtester chauthtok)" "altered successfully" \
	chauthtok_as_bob bob-pw bob-new-pw bob-new-pw
t_grep "... he logs in with the new one" "successfully authenticated" \
	pam customdb-http bob bob-new-pw
t_ok "... and root sets it back (PUT)" tool_pw bob-pw user passwd bob

t_section "faults: each is unavailable, said in the log; the daemon goes on"
# fault NAME USER REGEX: a look-up of USER fails, the log says REGEX, and
# the daemon still logs alice in
fault() {
	local n
	n=$(log_count "$LOG" "$3")
	t_rc "$1: getent passwd $2 fails" 2 "" getent passwd "$2"
	t_ok "... the log says so" wait_log "$LOG" "$3" "$n"
	t_ok "... the daemon runs" daemon_alive "$WORK/legacy.pid"
	t_grep "... and still logs alice in" "successfully authenticated" \
		pam customdb-http alice alice-pw
}
fault "a server slower than query_timeout" slowpoke "query get_user: .*no answer within 4 s"
fault "HTTP 500" broken "query get_user: .*HTTP 500 from the service"
fault "an HTML page, not JSON" garbage "query get_user: .*unusable: not JSON"
fault "5 MiB, over the cap" huge "query get_user: .*the answer is over 4194304 bytes"
t_rc "a certificate for another host name: unavailable (exit 3)" 3 \
	"SSL|certificate|does not match" "$TOOL" -c "$WORK/wronghost.conf" try get-user alice
t_rc "a certificate of another CA: unavailable (exit 3)" 3 "SSL|certificate" \
	"$TOOL" -c "$WORK/otherca.conf" try get-user alice
t_rc "no ca_file: the system's CAs do not know the test CA (exit 3)" 3 "SSL|certificate" \
	"$TOOL" -c "$WORK/noca.conf" try get-user alice
t_rc "plain http:// to another host: refused" 3 "plain http:// only to a loopback" \
	"$TOOL" -c "$WORK/plain.conf" try get-user alice
t_nogrep "no sanitizer report in the daemon's log" "AddressSanitizer|LeakSanitizer|runtime error" \
	cat "$LOG"
stop_daemon "$WORK/legacy.pid"

# figures NAME CONF SOCKET USER PASSWORD: 20 logins, 20 look-ups (printed)
figures() {
	local t0 logins look=0 i
	export CUSTOMDB_SOCKET=$3 CUSTOMDB_STATE_DIR=$WORK/state-fig
	ns_pam_service customdb-fig "auth required $PAMMOD socket=$3"
	start_daemon "$2" "$WORK/fig-$1.log" "$3" "$WORK/fig.pid" || return 1
	pam customdb-fig "$4" "$5" >/dev/null 2>&1
	t0=$(now_ms)
	for i in $(seq 20); do pam customdb-fig "$4" "$5" >/dev/null 2>&1; done
	logins=$(($(now_ms) - t0))
	# the daemon's cache flushed before each, so that each asks the source
	for i in $(seq 20); do
		"$TOOL" -c "$2" cache flush >/dev/null
		t0=$(now_ms)
		getent passwd "$4" >/dev/null
		look=$((look + $(now_ms) - t0))
	done
	stop_daemon "$WORK/fig.pid"
	printf '  %-7s 20 logins %5d ms, 20 look-ups %5d ms (pamtester; getent after a cache flush)\n' \
		"$1" "$logins" "$look"
}
if [ "${HTTP_FIGURES:-0}" = 1 ]; then
	t_section "figures: driver = http and the native SQLite driver, one run"
	legacy_data | legacy_load sqlite "$WORK/legacy.db"
	legacy_config sqlite "$WORK/legacy.db" /run/customdb/fig.sock "cache_ttl = 0" |
		sed "s|^state_dir = .*|state_dir = $WORK/state-fig|" > "$WORK/fig-sqlite.conf"
	sed -e 's|^mode = legacy|mode = legacy\ncache_ttl = 0|' -e "s|^socket = .*|socket = /run/customdb/fig.sock|" \
		-e "s|^state_dir = .*|state_dir = $WORK/state-fig|" "$WORK/legacy.conf" > "$WORK/fig-http.conf"
	mkdir -m 700 "$WORK/state-fig"
	chmod 600 "$WORK"/fig-*.conf
	n=$(grep -c 'GET /api/users/alice ' "$WORK/app.log")
	figures http "$WORK/fig-http.conf" /run/customdb/fig.sock alice alice-pw
	echo "  (the service was asked $(($(grep -c 'GET /api/users/alice ' "$WORK/app.log") - n)) times)"
	figures sqlite "$WORK/fig-sqlite.conf" /run/customdb/fig.sock alice alice-pw
fi

t_section "migrate mode: the first login copies the user into the store"
MSOCK=/run/customdb/http-migrate.sock
CONF=$WORK/migrate.conf
http_config migrate "$MSOCK" > "$CONF"
chmod 600 "$CONF"
MLOG=$WORK/migrate.log
export CUSTOMDB_SOCKET=$MSOCK CUSTOMDB_STATE_DIR=$WORK/state-migrate
ns_pam_service customdb-http-m "auth required $PAMMOD socket=$MSOCK" \
	"account required $PAMMOD socket=$MSOCK"
t_ok "customdbd starts in migrate mode" start_daemon "$CONF" "$MLOG" "$MSOCK" "$WORK/migrate.pid"
store() { sqlite3 -batch "$WORK/state-migrate/store.db" "$1"; }
t_grep "bob, wrong password: refused" "Authentication failure" pam customdb-http-m bob wrong
t_out "... and not migrated" 0 store "SELECT count(*) FROM users WHERE name = 'bob'"
t_grep "bob logs in" "successfully authenticated" pam customdb-http-m bob bob-pw
t_grep "... the log says he is migrated" "user bob \(uid 10002\) migrated to the store" cat "$MLOG"
t_grep "... the store holds the password he typed, re-hashed (argon2id)" '^\$argon2id\$' \
	store "SELECT password_hash FROM users WHERE name = 'bob'"
t_out "... his record and groups" "10002 Bob /bin/sh devs" store "SELECT u.uid || ' ' || u.gecos ||
	' ' || u.shell || ' ' || m.group_name FROM users u JOIN memberships m ON m.user_name = u.name
	WHERE u.name = 'bob'"
t_grep "carol (disabled) is not migrated" "Permission denied|disabled" \
	pam customdb-http-m carol carol-pw authenticate acct_mgmt
t_out "... no store row for her" 0 store "SELECT count(*) FROM users WHERE name = 'carol'"
kill "$NGINX_PID" && wait "$NGINX_PID" 2>/dev/null
NGINX_PID=""
t_fail "with the service down" port_open 8443
t_rc "customdb check: unavailable (exit 3)" 3 "result: unavailable" tool check
t_grep "... bob still logs in, from the store" "successfully authenticated" \
	pam customdb-http-m bob bob-pw
t_grep "... alice (not migrated) cannot: unavailable" "Authentication service cannot retrieve" \
	pam customdb-http-m alice alice-pw
t_nogrep "no sanitizer report in the daemon's log" "AddressSanitizer|LeakSanitizer|runtime error" \
	cat "$MLOG"

t_summary
