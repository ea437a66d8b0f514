#!/bin/bash
# namemap.sh: [legacy] uid_offset, gid_offset and case_sensitive = false
# end to end, with real getent, id, pamtester and the tool.
#
#   tests/integration/namemap.sh        (as root; BUILD=... for another build)
#
# An SQLite legacy database that numbers its users and teams from 1 and
# compares names without regard to case (COLLATE NOCASE), as WordPress's
# MySQL tables do; its queries return the ids as stored and compare names as
# given. customdb adds the offsets, takes them off :uid and :gid, and folds
# names to lower case both ways: `getent passwd ALICE` is alice, uid 10001;
# a uid below the offset is never asked about; a login as Alice and her
# password change through PAM are alice's; `customdb user add --uid` and
# `user delete` write the ids as stored. In migrate mode the store holds
# the ids Linux sees. A bad value of each key is refused by `customdb
# check` and by the daemon. Runs inside a private mount namespace
# (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-namemap.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	stop_daemon "$WORK/daemon.pid" KILL >/dev/null 2>&1
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"

SOCK=/run/customdb/namemap.sock
STATE=/run/customdb/state
CONF=$WORK/customdb.conf
DB=$WORK/app.db
LOG=$WORK/daemon.log
export CUSTOMDB_SOCKET=$SOCK CUSTOMDB_STATE_DIR=$STATE

# the application's tables: ids from 1, names compared without case
sqlite3 -batch "$DB" <<X
CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT NOT NULL COLLATE NOCASE UNIQUE,
                    pass TEXT, full_name TEXT, team_id INTEGER);
CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE UNIQUE);
CREATE TABLE members (user_id INTEGER, team_id INTEGER);
INSERT INTO users VALUES (1, 'Alice', '$(mkpasswd -m sha512crypt alice-pw)', 'Alice Liddell', NULL);
INSERT INTO users VALUES (2, 'bob', '$(mkpasswd -m sha512crypt bob-pw)', 'Bob', 2);
INSERT INTO users VALUES (3, 'Carol', '$(mkpasswd -m sha512crypt carol-pw)', 'Carol', NULL);
INSERT INTO users VALUES (5, 'Root', '$(mkpasswd -m sha512crypt root-pw)', 'not root', NULL);
INSERT INTO users VALUES (55000, 'faraway', '$(mkpasswd -m sha512crypt far-pw)', 'Far', NULL);
INSERT INTO teams VALUES (1, 'Devs'), (2, 'Ops');
INSERT INTO members VALUES (1, 1), (5, 1), (1, 2), (2, 2);
X

# write_config MODE [KEY = VALUE]...: the config, with more [legacy] keys
write_config() {
	local mode=$1
	shift
	cat <<X
[customdb]
mode = $mode
socket = $SOCK
state_dir = $STATE
min_uid = 1000
max_uid = 60000
default_gid = 100
default_shell = /bin/bash
home = /home/%u

[legacy]
driver = sqlite
connection = $DB
password_scheme = sha512crypt
uid_offset = 10000
gid_offset = 20000
case_sensitive = false
$(printf '%s\n' "$@")

[queries]
login = SELECT login AS username, id AS uid, team_id AS gid, pass AS password,
          full_name AS gecos FROM users WHERE login = :username
get_user = SELECT login AS username, id AS uid, team_id AS gid, full_name AS gecos
           FROM users WHERE login = :username
get_user_by_uid = SELECT login AS username, id AS uid, team_id AS gid, full_name AS gecos
                  FROM users WHERE id = CAST(:uid AS INTEGER)
get_group = SELECT t.name AS "group", t.id AS gid, group_concat(u.login, ',') AS members
            FROM teams t LEFT JOIN members m ON m.team_id = t.id
            LEFT JOIN users u ON u.id = m.user_id
            WHERE t.name = :group GROUP BY t.id
get_group_by_gid = SELECT t.name AS "group", t.id AS gid,
                     group_concat(u.login, ',') AS members
                   FROM teams t LEFT JOIN members m ON m.team_id = t.id
                   LEFT JOIN users u ON u.id = m.user_id
                   WHERE t.id = CAST(:gid AS INTEGER) GROUP BY t.id
user_groups = SELECT t.name AS "group", t.id AS gid
              FROM teams t JOIN members m ON m.team_id = t.id
              JOIN users u ON u.id = m.user_id WHERE u.login = :username
list_users = SELECT login AS username, id AS uid, team_id AS gid, pass AS password,
               full_name AS gecos FROM users ORDER BY id
change_password = UPDATE users SET pass = :password_hash WHERE login = :username
create = INSERT INTO users (id, login, pass) VALUES (CAST(:uid AS INTEGER), :username,
           :password_hash)
delete = DELETE FROM users WHERE id = CAST(:uid AS INTEGER)
X
	[ "$mode" = migrate ] && printf '\n[store]\ndriver = sqlite\npath = %s\n' "$WORK/store.db"
	return 0
}

tool() { "$TOOL" -c "$CONF" "$@"; }
# tool_pw PASSWORD ARGS...: the tool with PASSWORD on its standard input
tool_pw() { local pw=$1; shift; printf '%s\n' "$pw" | "$TOOL" -c "$CONF" "$@"; }
login() { pam namemap "$1" "$2" authenticate acct_mgmt; }
# chpw UID USER OLD NEW: the user changes their own password through PAM
chpw() {
	printf '%s\n%s\n%s\n' "$3" "$4" "$4" |
		setpriv --reuid="$1" --regid=100 --clear-groups pamtester namemap "$2" chauthtok
}
db() { sqlite3 -batch "$DB" "$1"; }
# groups_cached: the host cache file alone gives alice's groups (getent
# initgroups succeeds without them too: files answers)
groups_cached() { file_answers "$STATE" initgroups alice | grep -q 20001; }
_no_groups_cached() { ! groups_cached; }

ns_pam_service namemap "auth required $PAMMOD socket=$SOCK" \
	"account required $PAMMOD socket=$SOCK" "password required $PAMMOD socket=$SOCK"
write_config legacy > "$CONF"
chmod 600 "$CONF"

t_section "check and start"
t_rc "customdb check passes" 0 "result: ok" tool check
t_ok "customdbd starts" start_daemon "$CONF" "$LOG" "$SOCK" || exit 1

ALICE="alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash"
t_section "ids: the offsets added to what the queries return"
t_out "getent passwd alice: uid 10001 (id 1), no gid column: default_gid" "$ALICE" \
	getent passwd alice
t_out "getent passwd 10001" "$ALICE" getent passwd 10001
t_out "getent passwd bob: his team's id 2 is gid 20002" "bob:x:10002:20002:Bob:/home/bob:/bin/bash" \
	getent passwd bob
t_out "getent group 20002" "ops:x:20002:alice,bob" getent group 20002
t_out "id alice" "uid=10001(alice) gid=100(users) groups=100(users),20001(devs),20002(ops)" \
	id alice
t_fail "faraway: id 55000 is uid 65000, past max_uid: not answered" getent passwd faraway
t_fail "getent passwd 5000 (below uid_offset)" getent passwd 5000
t_fail "getent group 15000 (below gid_offset)" getent group 15000

t_section "below the offset: never asked (the database gone, the answer is still no)"
mv "$DB" "$DB.away"
t_rc "customdb try get-user 5000: no such user, not unavailable" 1 "" tool try get-user 5000
t_rc "customdb try get-user 10003: asked, so unavailable" 3 "" tool try get-user 10003
mv "$DB.away" "$DB"
t_rc "... and carol once it is back" 0 "uid: 10003" tool try get-user 10003

t_section "names: folded to lower case both ways (case_sensitive = false)"
t_out "getent passwd ALICE is alice" "$ALICE" getent passwd ALICE
t_out "getent passwd carol: Carol as stored is carol" \
	"carol:x:10003:100:Carol:/home/carol:/bin/bash" getent passwd carol
t_out "getent group DEVS is devs; Root folds to root: no member" "devs:x:20001:alice" \
	getent group DEVS
t_out "id Alice" "uid=10001(alice) gid=100(users) groups=100(users),20001(devs),20002(ops)" \
	id Alice
t_ok "the host cache keeps alice" wait_cached "$STATE" passwd alice
t_fail "... under her Linux name only" file_answers "$STATE" passwd ALICE
t_ok "customdb cache flush ALICE" tool cache flush ALICE
t_ok "... drops alice" wait_uncached "$STATE" passwd alice
t_ok "... and her group list" wait_until 30 _no_groups_cached
t_ok "(customdb cache flush alice: none of hers is left)" tool cache flush alice
t_out "id ALICE" "uid=10001(alice) gid=100(users) groups=100(users),20001(devs),20002(ops)" \
	id ALICE
t_ok "... her group list is kept as alice's" wait_until 30 groups_cached
t_fail "getent passwd ROOT: root is never answered" getent passwd ROOT
t_fail "nor Root's uid 10005" getent passwd 10005
t_ok "pamtester: Alice logs in" login Alice alice-pw
t_ok "... and ALICE" login ALICE alice-pw
t_fail "... not with a wrong password" login Alice bob-pw
t_fail "Root does not log in" login Root root-pw
t_ok "Alice changes her password through PAM (as uid 10001)" chpw 10001 Alice alice-pw "new alice-pw 1"
t_ok "alice logs in with the new one" login alice "new alice-pw 1"
t_fail "not with the old one" login alice alice-pw
t_out "the database's row keeps its name as stored" "Alice" db "SELECT login FROM users WHERE id = 1"

t_section "the tool's writes: :uid less the offset"
t_rc "user add Dan --uid 10050" 0 "uid: 10050" tool_pw dan-pw user add Dan --uid 10050
t_out "... stored as id 50, named dan" "50|dan" db "SELECT id, login FROM users WHERE id = 50"
t_ok "dan logs in" login dan dan-pw
t_rc "user add eve --uid 5000: below uid_offset, exit 2" 2 "below \[legacy\] uid_offset" \
	tool_pw eve-pw user add eve --uid 5000
t_out "... nothing written" "0" db "SELECT count(*) FROM users WHERE login = 'eve'"
t_rc "user delete DAN" 0 "result: deleted" tool user delete DAN --yes
t_out "... row 50 is gone" "0" db "SELECT count(*) FROM users WHERE id = 50"
t_ok "the daemon stops" stop_daemon "$WORK/daemon.pid"

t_section "migrate mode: the store holds the ids Linux sees"
rm -rf "$STATE"
write_config migrate > "$CONF"
t_ok "customdbd starts in migrate mode" start_daemon "$CONF" "$LOG" "$SOCK" || exit 1
t_ok "Bob logs in (and migrates)" login Bob bob-pw
t_out "the store: bob, uid 10002, gid 20002" "bob|10002|20002" \
	sqlite3 -batch "$WORK/store.db" "SELECT name, uid, gid FROM users"
mv "$DB" "$DB.away"
t_out "with the legacy database gone, BOB is bob from the store" \
	"bob:x:10002:20002:Bob:/home/bob:/bin/bash" getent passwd BOB
t_ok "... and logs in" login BOB bob-pw
mv "$DB.away" "$DB"
t_grep "customdb migrate import" "imported: 2" tool migrate import
t_out "the store: every user with the ids Linux sees, named in lower case" \
	"alice|10001|100 bob|10002|20002 carol|10003|100" \
	sqlite3 -batch "$WORK/store.db" "SELECT group_concat(name || '|' || uid || '|' || gid, ' ')
		FROM (SELECT * FROM users ORDER BY uid)"
t_ok "the daemon stops" stop_daemon "$WORK/daemon.pid"

t_section "bad values are refused, saying which key and why"
bad() {
	local key=$1 want=$2 conf=$WORK/bad.conf
	write_config legacy | sed "/^$key = /d" > "$conf"
	sed -i "s/^\[legacy\]\$/[legacy]\n$3/" "$conf"
	chmod 600 "$conf"
	t_rc "$3: customdb check exits 2" 2 "$want" "$TOOL" -c "$conf" check
	t_rc "$3: customdbd does not start (exit 2)" 2 "$want" \
		timeout $((30 * TIME_FACTOR)) "$DAEMON" -c "$conf" -f
}
bad uid_offset "\[legacy\] uid_offset: '-1' is not a whole number from 0" "uid_offset = -1"
bad gid_offset "\[legacy\] gid_offset: 'ten' is not a whole number" "gid_offset = ten"
bad case_sensitive "\[legacy\] case_sensitive: 'maybe' is neither true nor false" \
	"case_sensitive = maybe"
bad uid_offset "\[legacy\] uid_offset: 70000 is above max_uid \(60000\)" "uid_offset = 70000"

t_nogrep "no sanitizer report in the daemon's log" "AddressSanitizer|LeakSanitizer|runtime error" \
	cat "$LOG"
t_summary
