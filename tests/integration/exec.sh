#!/bin/bash
# exec.sh: driver = exec (action scripts) end to end, with the two shipped
# templates, hostile scripts, and the native SQLite driver in the same run.
#
#   tests/integration/exec.sh
#
# conf/templates/exec-json.py over a JSON export (it checks PBKDF2 hashes
# itself) and conf/templates/exec-sqlite.py over an SQLite file with
# sqlite.sql's tables (it prints the stored hash; customdb checks it), each
# with its template config, run by customdbd as nobody: getent, id,
# pamtester logins right and wrong, unknown users, account states (disabled,
# expired, must change), passwd(1) by the user and by root, customdb check
# and try. The same SQLite file through the native driver gives the same
# answers. Hostile get_user scripts (exec_hostile.py): one that hangs
# (killed at query_timeout while the daemon goes on serving), one that
# prints garbage, one that exits 3, one that prints a megabyte (capped), a
# noisy stderr (one escaped, cut log line), one that leaves a child behind
# (killed, not waited for), and one that hunts for the password of a login
# running meanwhile (its request, environment, and every process of its
# uid: it finds none), no fd or child of the daemon left. exec-sqlite.py's login is not given :password, so
# customdb checks the hash it prints. Migrate mode: a login the script checked copies the
# user into the store. Config errors: run_as root or missing, a script that
# cannot be run, one run_as could change, a :parameter inside an argument.
# Needs root, python3, sqlite3, pamtester, mkpasswd, expect and passwd; runs
# inside a private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-exec.XXXXXX)
chmod 755 "$WORK"
SOCK=/run/customdb/socket   # set-uid passwd ignores CUSTOMDB_SOCKET
TEMPLATES=$ROOT/conf/templates
cleanup() {
	stop_daemon
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"
ns_pam_service customdb-exec \
	"auth required $PAMMOD" \
	"account required $PAMMOD" \
	"password required $PAMMOD"
ns_pam_service passwd \
	"password [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $PAMMOD" \
	"password required pam_unix.so"

# The scripts: root's, runnable by nobody. The data: nobody's (password
# changes write it).
BIN=$WORK/bin DATA=$WORK/data SPY=$WORK/spy
mkdir -m 755 "$BIN" "$DATA" "$SPY"
cp "$TEMPLATES/exec-json.py" "$TEMPLATES/exec-sqlite.py" "$HERE/exec_hostile.py" "$BIN/"
chmod 755 "$BIN"/*
chown nobody "$DATA" "$SPY"

# The JSON export: Django-style PBKDF2-SHA256 hashes (alice's costly enough
# that her login script is still running when the spy looks).
python3 - "$DATA/users.json" <<'X'
import base64, hashlib, json, sys
def h(pw, it=2000):
    dk = hashlib.pbkdf2_hmac("sha256", pw.encode(), b"saltsalt", it)
    return "pbkdf2_sha256$%d$saltsalt$%s" % (it, base64.b64encode(dk).decode())
u = lambda name, uid, **kw: dict(username=name, uid=uid, name=name.title(),
                                 email=name + "@example.org", password=h(name + "-pw"), **kw)
users = [u("alice", 10001, groups=["devs", "ops"]), u("bob", 10002, groups=["devs"]),
         u("carol", 10003, disabled=True), u("mike", 10040, must_change_password=True),
         u("oscar", 10041, expires="2001-01-01"), u("outsider", 70000)]
users[0]["password"] = h("alice-pw", 400000)
users[0]["name"] = "Alice Liddell"
json.dump({"users": users, "groups": [{"name": "devs", "gid": 20001},
                                      {"name": "ops", "gid": 20002}]},
          open(sys.argv[1], "w"), indent=1)
X
chown nobody "$DATA/users.json"

# The SQLite file, sqlite.sql's tables; uid = 10000 + id, gid = 20000 + id.
sqlite3 "$DATA/users.db" < "$TEMPLATES/sqlite.sql"
sqlite3 "$DATA/users.db" <<X
INSERT INTO users (id, username, password, email, full_name, active, must_change_password) VALUES
 (1, 'alice', '$(mkpasswd -m sha512crypt alice-pw)', 'alice@example.org', 'Alice Liddell', 1, 0),
 (2, 'bob', '$(mkpasswd -m bcrypt -R 5 bob-pw)', 'bob@example.org', 'Bob', 1, 0),
 (3, 'carol', '$(mkpasswd -m yescrypt carol-pw)', 'carol@example.org', 'Carol', 0, 0),
 (40, 'mike', '$(mkpasswd -m sha512crypt mike-pw)', 'mike@example.org', 'Mike', 1, 1);
INSERT INTO groups (id, name) VALUES (1, 'devs'), (2, 'ops');
INSERT INTO user_groups VALUES (1, 1), (2, 1), (1, 2);
X
chown nobody "$DATA/users.db"

# conf TEMPLATE NAME [SED...]: the template with this run's paths, nobody
# as run_as, no cache (every look-up reaches a script), into $WORK/NAME.conf
conf() {
	local t=$1 name=$2; shift 2
	sed -e "s|/usr/local/lib/customdb/|$BIN/|" \
	    -e "s|/var/lib/customdb-exec/users.json|$DATA/users.json|" \
	    -e "s|/var/lib/app/users.db|$DATA/users.db|" \
	    -e "s|^run_as = .*|run_as = nobody|" \
	    -e "s|^\[customdb\]\$|[customdb]\nsocket = $SOCK\nstate_dir = $WORK/state-$name\ncache_ttl = 0\nnegative_ttl = 0|" \
	    -e 's|^cache_ttl = 300$||' \
	    "$@" "$TEMPLATES/$t" > "$WORK/$name.conf"
	chmod 600 "$WORK/$name.conf"
}
conf exec-json.conf json
conf exec-sqlite.conf sqlite-exec
conf sqlite.conf sqlite-native
conf exec-json.conf hostile -e "s|^query_timeout = .*|query_timeout = 3|" \
	-e "s|^max_output = .*|max_output = 65536|" \
	-e "s|^get_user = .*|get_user = $BIN/exec_hostile.py $BIN/exec-json.py $DATA/users.json $SPY :username|"

LOG=$WORK/daemon.log
use() {
	stop_daemon
	rm -rf "$WORK/state-$1"
	mkdir -m 700 "$WORK/state-$1"
	CONF=$WORK/$1.conf
	start_daemon "$CONF" "$LOG" "$SOCK"
}
tool() { "$TOOL" -c "$CONF" "$@"; }
tool_pw() { local pw=$1; shift; printf '%s\n' "$pw" | "$TOOL" -c "$CONF" "$@"; }
# passwd_user UID OLD NEW: passwd(1) run by the user; passwd_root USER NEW: by root
passwd_user() { pty "$2
$3
$3" setpriv --reuid="$1" --regid=100 --clear-groups passwd; }
passwd_root() { pty "$2
$2" passwd "$1"; }
json_hash() {
	python3 -c 'import json, sys
print([u["password"] for u in json.load(open(sys.argv[1]))["users"] if u["username"] == sys.argv[2]][0])' \
		"$DATA/users.json" "$1"
}
sqlite_hash() { sqlite3 "$DATA/users.db" "SELECT password FROM users WHERE username = '$1'"; }
# gone_or_zombie PID: the process has ended (reaped, or waiting for init)
gone_or_zombie() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status"; }

# look_ups NAME: what every source here answers alike
look_ups() {
	local n=$1
	t_out "$n: getent passwd alice" "alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" \
		getent passwd alice
	t_out "$n: getent passwd 10002" "bob:x:10002:100:Bob:/home/bob:/bin/bash" getent passwd 10002
	t_out "$n: getent group devs" "devs:x:20001:alice,bob" getent group devs
	t_out "$n: getent group 20002" "ops:x:20002:alice" getent group 20002
	t_out "$n: id -Gn alice" "users devs ops" id -Gn alice
	t_fail "$n: getent passwd nosuchuser" getent passwd nosuchuser
	t_fail "$n: getent group nosuchgroup" getent group nosuchgroup
	t_fail "$n: uid 70000 (outside max_uid) is never answered" getent passwd outsider
}

# logins NAME: pamtester logins and account states
logins() {
	local n=$1
	t_ok "$n: pamtester alice, right password" pam customdb-exec alice alice-pw
	t_rc "$n: ... wrong password: authentication failure" 1 "Authentication failure" \
		pam customdb-exec alice wrong-pw
	t_rc "$n: unknown user: user not known" 1 "User not known" pam customdb-exec nosuchuser x
	t_rc "$n: carol (disabled): the account step refuses" 1 "[Pp]ermission denied|disabled" \
		pam customdb-exec carol carol-pw authenticate acct_mgmt
	t_grep "$n: mike (must change): a new password is required" \
		"new one required|required to change|[Aa]uthentication token is no longer valid" \
		pam customdb-exec mike mike-pw authenticate acct_mgmt
}

t_section "exec-json.py: the JSON export, its template config"
use json || exit 1
t_rc "customdb check: ok" 0 "^result: ok" tool check
t_rc "customdb try get-user alice" 0 "gecos: Alice Liddell" tool try get-user alice
t_rc "customdb try login alice" 0 "^login: ok" tool_pw alice-pw try login alice
t_rc "customdb try login alice, wrong password: exit 1" 1 "^login: authentication failed" \
	tool_pw wrong-pw try login alice
t_rc "customdb try login nosuchuser: exit 1" 1 "^login: not found" tool_pw x try login nosuchuser
look_ups json
logins json
t_rc "json: oscar (expired): the account step refuses" 1 "expired" \
	pam customdb-exec oscar oscar-pw authenticate acct_mgmt
h0=$(json_hash alice)
t_grep "json: passwd(1) as alice: updated" "updated successfully" \
	passwd_user 10001 alice-pw alice-new-pw
t_ok "json: the export holds a new hash, made by the script" test "$(json_hash alice)" != "$h0"
t_grep "json: ... PBKDF2, not customdb's bcrypt" '^pbkdf2_sha256\$600000\$' json_hash alice
t_ok "json: alice logs in with the new password" pam customdb-exec alice alice-new-pw
t_fail "json: ... not with the old one" pam customdb-exec alice alice-pw
t_grep "json: passwd bob as root: updated" "updated successfully" passwd_root bob bob-root-pw
t_ok "json: bob logs in with what root set" pam customdb-exec bob bob-root-pw
t_nogrep "json: no password in the daemon's log" "alice-pw|alice-new-pw|bob-root-pw" cat "$LOG"

t_section "exec-json.py in migrate mode: a login the script checked copies the user"
conf exec-json.conf json-migrate -e "s|^mode = legacy\$|mode = migrate|"
use json-migrate || exit 1
store_sql() { sqlite3 -batch "$WORK/state-json-migrate/store.db" "$1"; }
t_fail "a wrong password: refused" pam customdb-exec bob wrong-pw
t_out "... and bob is not in the store" 0 store_sql "SELECT count(*) FROM users WHERE name = 'bob'"
t_ok "bob logs in (the script checks his password)" pam customdb-exec bob bob-root-pw
t_grep "... and is in the store, the password he typed re-hashed" '^\$argon2id\$' \
	store_sql "SELECT password_hash FROM users WHERE name = 'bob'"
t_out "... with his groups" "devs" store_sql "SELECT group_name FROM memberships WHERE user_name = 'bob'"
mv "$DATA/users.json" "$DATA/users.json.away"
t_ok "with the export gone: bob still logs in, from the store" pam customdb-exec bob bob-root-pw
t_out "... and resolves" "bob:x:10002:100:Bob:/home/bob:/bin/bash" getent passwd bob
t_rc "... alice (not migrated): unavailable, not unknown (the script exits 2)" 1 \
	"cannot retrieve authentication info" pam customdb-exec alice alice-new-pw
mv "$DATA/users.json.away" "$DATA/users.json"

t_section "exec-sqlite.py: an SQLite file, its template config"
use sqlite-exec || exit 1
t_rc "customdb check: ok" 0 "^result: ok" tool check
t_rc "customdb try login alice (customdb checks the printed sha512crypt)" 0 "^login: ok" \
	tool_pw alice-pw try login alice
look_ups sqlite-exec
logins sqlite-exec
t_ok "sqlite-exec: bob (bcrypt) logs in" pam customdb-exec bob bob-pw
t_grep "sqlite-exec: passwd(1) as alice: updated" "updated successfully" \
	passwd_user 10001 alice-pw alice-new-pw
t_grep "sqlite-exec: the file holds customdb's hash (password_scheme sha512crypt)" '^\$6\$' \
	sqlite_hash alice
t_ok "sqlite-exec: alice logs in with the new password" pam customdb-exec alice alice-new-pw
t_fail "sqlite-exec: ... not with the old one" pam customdb-exec alice alice-pw
# the account step of the new password: mike's flag is cleared by the script
t_grep "sqlite-exec: passwd mike as root: updated" "updated successfully" passwd_root mike mike-new-pw
t_ok "sqlite-exec: mike passes the account step now" \
	pam customdb-exec mike mike-new-pw authenticate acct_mgmt

t_section "the same SQLite file through the native driver, in the same run"
use sqlite-native || exit 1
look_ups sqlite-native
t_ok "sqlite-native: alice logs in with the password changed through exec" \
	pam customdb-exec alice alice-new-pw
t_rc "sqlite-native: ... wrong password" 1 "Authentication failure" pam customdb-exec alice alice-pw
# a figure for the report, not a check: the cost of a script per look-up
for conf_name in sqlite-native sqlite-exec; do
	use "$conf_name" || exit 1
	t0=$(now_ms)
	for i in 1 2 3 4 5 6 7 8 9 10; do getent passwd alice >/dev/null; done
	t1=$(now_ms)
	for i in 1 2 3 4 5; do pam customdb-exec alice alice-new-pw >/dev/null 2>&1; done
	t2=$(now_ms)
	printf '  info  %s: getent passwd alice %d ms, pamtester login %d ms (mean of 10 and 5)\n' \
		"$conf_name" $(((t1 - t0) / 10)) $(((t2 - t1) / 5))
done

t_section "hostile action scripts (get_user), query_timeout 3 s, max_output 64 KiB"
use hostile || exit 1
daemon_fds() { ls "/proc/$(cat "$WORK/daemon.pid")/fd" | wc -l; }
getent passwd alice >/dev/null
fds0=$(daemon_fds)
n=$(log_count "$LOG" "no answer within query_timeout")
getent passwd hangs >/dev/null 2>&1 &
hang_getent=$!
t_ok "a script hangs: it has started" wait_until 20 test -s "$SPY/hangs.pid"
t_out "... meanwhile the daemon answers others" \
	"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
t_ok "... and logs them in" pam customdb-exec alice alice-new-pw
t_ok "... the hung script is killed at query_timeout" wait_log "$LOG" "no answer within query_timeout" "$n"
t_ok "... and gone" wait_until 20 gone_or_zombie "$(cat "$SPY/hangs.pid")"
wait "$hang_getent"
t_ok "... getent of that user failed (unavailable)" test $? -ne 0
t_fail "garbage on stdout: no answer" getent passwd garbage
t_grep "... logged as not usable, without the bytes" "query get_user: exec: .*not usable: " cat "$LOG"
t_nogrep "... none of its bytes in the log" "Internal Server Error" cat "$LOG"
t_fail "exit status 3: no answer" getent passwd exit3
t_grep "... logged" "exit status 3 \(0 found, 1 not found" cat "$LOG"
t_fail "a megabyte on stdout: no answer" getent passwd mega
t_grep "... killed at max_output" "printed more than max_output \(65536 bytes\); killed" cat "$LOG"
t_fail "a noisy stderr: not found (exit 1)" getent passwd noisy
t_grep "... stderr logged on one line, cut, its newlines escaped" \
	"the script's stderr \(cut\): first; customdbd: info: authenticated mallory" cat "$LOG"
t_nogrep "... no forged line of its own" "^customdbd: info: authenticated mallory" cat "$LOG"
t_out "a script that leaves a child holding its stdout: answered, not waited for" \
	"leaver:x:10077:100::/home/leaver:/bin/bash" getent passwd leaver
t_ok "... the child left behind is killed" wait_until 20 gone_or_zombie "$(cat "$SPY/leaver.pid")"
# the spy: a get_user script that, while alice's logins run, looks for her
# password wherever its uid could reach
(
	for i in $(seq 1 40); do
		[ -e "$SPY/report" ] && break
		pam customdb-exec alice alice-new-pw >/dev/null 2>&1
	done
) &
logins_pid=$!
t_fail "a spy script: answers not found" getent passwd spy
wait "$logins_pid"
report=$(cat "$SPY/report" 2>/dev/null)
printf '  info  spy: %s\n' "$report"
t_grep "... it saw login scripts of its uid running" "^seen [1-9]" echo "$report"
t_grep "... it could read none of them" " readable 0 " echo "$report"
t_grep "... and found no password anywhere" " loot -$" echo "$report"
t_out "after all that, the daemon still answers" \
	"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
t_ok "... and logs in" pam customdb-exec alice alice-new-pw
t_out "no script of nobody is left running" "" pgrep -u nobody -f "$BIN/"
# a pipe or pidfd kept per run would show here (each run is a dozen fds)
fds1=$(daemon_fds)
t_ok "the daemon holds no more fds than before them all ($fds0, now $fds1)" test "$fds1" -le "$fds0"
t_out "... and has no child left, zombie or not" "" ps --no-headers --ppid "$(cat "$WORK/daemon.pid")"

t_section "config errors"
stop_daemon
bad() {
	conf exec-json.conf bad "$@"
	CONF=$WORK/bad.conf
}
bad -e "s|^run_as = .*|run_as = root|"
t_rc "run_as = root: exit 2" 2 "run_as: action scripts never run as root" tool check
bad -e "s|^run_as = .*|run_as = 0|"
t_rc "run_as = 0: exit 2" 2 "never run as root" tool check
bad -e "/^run_as = /d"
t_rc "no run_as: exit 2" 2 "run_as: missing" tool check
bad -e "s|^run_as = .*|run_as = no-such-user-here|"
t_rc "an unknown run_as: unavailable, said" 3 "no such user 'no-such-user-here'" tool check
bad -e "s|^get_user = .*|get_user = $BIN/no-such-script.py|"
t_rc "a script that does not exist: a problem check names" 1 \
	"no-such-script.py: exec: No such file" tool check
bad -e "s|^get_user = .*|get_user = $BIN/exec-json.py --user=:username|"
t_rc "a :parameter inside an argument: a problem check explains" 1 \
	"a parameter must be a word of its own" tool check
cp "$BIN/exec-json.py" "$BIN/nobodys.py"
chown nobody "$BIN/nobodys.py"
bad -e "s|^get_user = .*|get_user = $BIN/nobodys.py $DATA/users.json :username|"
t_rc "a script run_as could change (it would see passwords): a problem" 1 \
	"nobodys.py must be owned by root and writable by no one else" tool check
bad -e "s|^get_user = .*|get_user = exec-json.py|"
t_rc "a relative path: a problem" 1 "not an absolute path" tool check

t_summary
