# legacy.sh: the legacy application's users, the same on every engine.
#
#   legacy_schema ENGINE         CREATE TABLE statements (stdout)
#   legacy_data                  INSERT statements (stdout); hashes are made
#                                here by independent tools (mkpasswd from
#                                libxcrypt, the argon2 reference CLI)
#   legacy_config ENGINE CONNECTION SOCKET [EXTRA_CUSTOMDB_KEYS]
#                                a customdb.conf for that engine (stdout);
#                                odbc-ENGINE: driver = odbc, ENGINE's SQL;
#                                LEGACY_NO_SLOW=1 leaves out the sleeping
#                                users' clause (benchmarks). It has every
#                                query, the writing ones too (create, verify,
#                                change_password, change_email, delete).
#   legacy_load ENGINE WHERE     the fixture's tables afresh (dropped first),
#                                (odbc-ENGINE: as ENGINE)
#                                filled by the SQL on stdin (legacy_data's
#                                INSERTs and any more), writable by customdb;
#                                WHERE is the SQLite file, or the server's
#                                directory (pg_start / maria_start)
#   legacy_grant_writes ENGINE DIR
#                                let the customdb role write the users table
#                                (the servers grant SELECT only); DIR is the
#                                server's directory (not for sqlite)
#   legacy_query_sleeping DIR    the PostgreSQL server in DIR runs a query
#                                that sleeps (slowpoke's or sleepy's get_user)
#   LEGACY_USER_COLS             the column list of the INSERTs below
#
# Users (password is NAME-pw):
#   alice   10001 sha512crypt      groups devs, ops, wheel0 (gid 0), farout
#   bob     10002 bcrypt $2b$      devs
#   carol   10003 yescrypt         disabled in the legacy app
#   dave    10004 argon2id
#   erin    10005 md5crypt
#   frank   10006 sha256crypt
#   grace   10007 bcrypt $2y$
#   heidi   10008 bcrypt $2a$
#   ivan    10009 no hash stored
#   mallory uid 0                  never answered
#   root    10010                  the name is never answered
#   outsider 70000, lowuid 500     outside [min_uid, max_uid]
#   slowpoke 10020, sleepy 10021   on PostgreSQL, get_user sleeps 1.5 s for
#                                  slowpoke and 30 s for sleepy (concurrency,
#                                  query_timeout); so does the web service of
#                                  run.sh's http engine (http_users_app.py)
#   mike    10040 sha512crypt      must_change_password
#   oscar   10041 sha512crypt      expired (2001-01-01)
#   uma     10042 sha512crypt      email not verified
# Everyone else has email_verified = 1, no expiry, must_change = 0.

legacy_schema() {
	cat <<'X'
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username VARCHAR(64) NOT NULL UNIQUE,
  uid INTEGER NOT NULL,
  password VARCHAR(255),
  email VARCHAR(255),
  active INTEGER NOT NULL,
  fullname VARCHAR(255),
  shell VARCHAR(64),
  email_verified INTEGER NOT NULL DEFAULT 1,
  expires VARCHAR(32),
  must_change INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE app_groups (
  id INTEGER PRIMARY KEY,
  name VARCHAR(64) NOT NULL UNIQUE,
  gid INTEGER NOT NULL
);
CREATE TABLE app_members (
  group_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL
);
X
}

_bcrypt() { mkpasswd -m bcrypt -R 5 "$1"; }

LEGACY_USER_COLS="id, username, uid, password, email, active, fullname, shell"

legacy_data() {
	local b
	b=$(_bcrypt bob-pw)
	cat <<X | sed "s/^INSERT INTO users VALUES/INSERT INTO users ($LEGACY_USER_COLS) VALUES/"
INSERT INTO users VALUES (1, 'alice', 10001, '$(mkpasswd -m sha512crypt alice-pw)', 'alice@example.org', 1, 'Alice Liddell', '/bin/bash');
INSERT INTO users VALUES (2, 'bob', 10002, '$b', 'bob@example.org', 1, 'Bob', NULL);
INSERT INTO users VALUES (3, 'carol', 10003, '$(mkpasswd -m yescrypt carol-pw)', 'carol@example.org', 0, 'Carol', NULL);
INSERT INTO users VALUES (4, 'dave', 10004, '$(printf %s dave-pw | argon2 "saltsaltsalt$RANDOM" -id -t 2 -m 12 -p 1 -e)', 'dave@example.org', 1, 'Dave', NULL);
INSERT INTO users VALUES (5, 'erin', 10005, '$(mkpasswd -m md5crypt erin-pw)', 'erin@example.org', 1, 'Erin', NULL);
INSERT INTO users VALUES (6, 'frank', 10006, '$(mkpasswd -m sha256crypt frank-pw)', 'frank@example.org', 1, 'Frank', NULL);
INSERT INTO users VALUES (7, 'grace', 10007, '$(_bcrypt grace-pw | sed 's/^\$2b\$/$2y$/')', 'grace@example.org', 1, 'Grace', NULL);
INSERT INTO users VALUES (8, 'heidi', 10008, '$(_bcrypt heidi-pw | sed 's/^\$2b\$/$2a$/')', 'heidi@example.org', 1, 'Heidi', NULL);
INSERT INTO users VALUES (9, 'ivan', 10009, NULL, 'ivan@example.org', 1, 'Ivan', NULL);
INSERT INTO users VALUES (10, 'mallory', 0, '$(mkpasswd -m sha512crypt mallory-pw)', 'm@example.org', 1, 'Mallory', NULL);
INSERT INTO users VALUES (11, 'root', 10010, '$(mkpasswd -m sha512crypt root-pw)', 'r@example.org', 1, 'Not root', NULL);
INSERT INTO users VALUES (12, 'outsider', 70000, '$(mkpasswd -m sha512crypt outsider-pw)', 'o@example.org', 1, 'Outsider', NULL);
INSERT INTO users VALUES (13, 'lowuid', 500, '$(mkpasswd -m sha512crypt lowuid-pw)', 'l@example.org', 1, 'Low', NULL);
INSERT INTO users VALUES (14, 'slowpoke', 10020, '$(mkpasswd -m sha512crypt slowpoke-pw)', 's@example.org', 1, 'Slow', NULL);
INSERT INTO users VALUES (15, 'sleepy', 10021, '$(mkpasswd -m sha512crypt sleepy-pw)', 'z@example.org', 1, 'Sleepy', NULL);
INSERT INTO users VALUES (16, 'mike', 10040, '$(mkpasswd -m sha512crypt mike-pw)', 'mike@example.org', 1, 'Mike', NULL);
INSERT INTO users VALUES (17, 'oscar', 10041, '$(mkpasswd -m sha512crypt oscar-pw)', 'oscar@example.org', 1, 'Oscar', NULL);
INSERT INTO users VALUES (18, 'uma', 10042, '$(mkpasswd -m sha512crypt uma-pw)', 'uma@example.org', 1, 'Uma', NULL);
UPDATE users SET must_change = 1 WHERE username = 'mike';
UPDATE users SET expires = '2001-01-01' WHERE username = 'oscar';
UPDATE users SET email_verified = 0 WHERE username = 'uma';
INSERT INTO app_groups VALUES (1, 'devs', 20001);
INSERT INTO app_groups VALUES (2, 'ops', 20002);
INSERT INTO app_groups VALUES (3, 'wheel0', 0);
INSERT INTO app_groups VALUES (4, 'farout', 90000);
INSERT INTO app_members VALUES (1, 1);
INSERT INTO app_members VALUES (1, 2);
INSERT INTO app_members VALUES (2, 1);
INSERT INTO app_members VALUES (3, 1);
INSERT INTO app_members VALUES (4, 1);
X
}

legacy_config() {
	local engine=${1#odbc-} driver=$1 conn=$2 sock=$3 extra=${4:-}
	local q agg cast gcast slow=""
	[ "$engine" = "$1" ] || driver=odbc
	case $engine in
	postgresql) q='"group"'; agg="string_agg(u.username, ',')"; cast='CAST(:uid AS integer)'; gcast='CAST(:gid AS integer)'
		[ "${LEGACY_NO_SLOW:-0}" = 1 ] || slow="
          AND (username NOT IN ('slowpoke', 'sleepy') OR
               (SELECT true FROM pg_sleep(CASE username WHEN 'slowpoke' THEN 1.5 ELSE 30 END)))" ;;
	mysql) q='`group`'; agg="GROUP_CONCAT(u.username)"; cast='CAST(:uid AS SIGNED)'; gcast='CAST(:gid AS SIGNED)' ;;
	sqlite) q='"group"'; agg="group_concat(u.username)"; cast='CAST(:uid AS integer)'; gcast='CAST(:gid AS integer)' ;;
	esac
	# the MAX(...) + 1 of create runs over a derived table: MariaDB may not
	# read the table an INSERT writes
	local nextid="SELECT COALESCE(MAX(id), 0) + 1 AS n FROM users" nextuid="SELECT COALESCE(MAX(uid), 10099) + 1 AS n FROM users WHERE uid BETWEEN 10100 AND 60000"
	case $engine in
	mysql) nextid="SELECT n FROM ($nextid) AS t"; nextuid="SELECT n FROM ($nextuid) AS t" ;;
	esac
	cat <<X
# customdb.conf for the $1 legacy database of the integration tests
[customdb]
mode = legacy
min_uid = 10000
max_uid = 60000
socket = $sock
state_dir = $(dirname "$sock")/state
$extra

[legacy]
driver = $driver
connection = $conn
connect_timeout = 2
query_timeout = 2

[queries]
login = SELECT username, uid, password, email,
          CASE WHEN active = 1 THEN 0 ELSE 1 END AS disabled,
          email_verified, expires, must_change AS must_change_password
        FROM users WHERE username = :username
get_user = SELECT username, uid, fullname AS gecos, shell, email
        FROM users WHERE username = :username$slow
get_user_by_uid = SELECT username, uid, fullname AS gecos, shell, email
        FROM users WHERE uid = $cast
get_group = SELECT g.name AS $q, g.gid,
          (SELECT $agg FROM app_members m JOIN users u ON u.id = m.user_id
            WHERE m.group_id = g.id) AS members
        FROM app_groups g WHERE g.name = :group
get_group_by_gid = SELECT g.name AS $q, g.gid,
          (SELECT $agg FROM app_members m JOIN users u ON u.id = m.user_id
            WHERE m.group_id = g.id) AS members
        FROM app_groups g WHERE g.gid = $gcast
user_groups = SELECT g.name AS $q, g.gid
        FROM app_groups g JOIN app_members m ON m.group_id = g.id
          JOIN users u ON u.id = m.user_id
        WHERE u.username = :username
list_users = SELECT username, uid, fullname AS gecos, shell, email, password,
          email_verified, CASE WHEN active = 1 THEN 0 ELSE 1 END AS disabled
        FROM users ORDER BY id
count_users = SELECT count(*) AS count FROM users
list_groups = SELECT g.name AS $q, g.gid,
          (SELECT $agg FROM app_members m JOIN users u ON u.id = m.user_id
            WHERE m.group_id = g.id) AS members
        FROM app_groups g ORDER BY g.id
create = INSERT INTO users ($LEGACY_USER_COLS, email_verified)
        VALUES (($nextid), :username, COALESCE($cast, ($nextuid)),
          :password_hash, :email, 1, NULL, NULL, 0)
verify = UPDATE users SET email_verified = 1 WHERE username = :username
change_password = UPDATE users SET password = :password_hash, must_change = 0
        WHERE username = :username
change_email = UPDATE users SET email = :email, email_verified = 0
        WHERE username = :username
delete = DELETE FROM users WHERE username = :username
X
}

legacy_load() {
	local e=${1#odbc-} where=$2
	case $e in
	sqlite)
		rm -f "$where"
		{ legacy_schema sqlite; cat; } | sqlite3 -batch "$where" ;;
	postgresql)
		{ echo "SET client_min_messages = warning;"
		  echo "DROP TABLE IF EXISTS users, app_groups, app_members;"
		  legacy_schema postgresql; cat; } | pg_sql "$where" >/dev/null &&
			legacy_grant_writes postgresql "$where" >/dev/null ;;
	mysql)
		{ echo "DROP TABLE IF EXISTS users, app_groups, app_members;"
		  legacy_schema mysql; cat; } | maria_sql "$where" >/dev/null &&
			legacy_grant_writes mysql "$where" >/dev/null ;;
	esac
}

legacy_grant_writes() {
	case ${1#odbc-} in
	postgresql) pg_sql "$2" "GRANT INSERT, UPDATE, DELETE ON users TO customdb" ;;
	mysql) maria_sql "$2" "GRANT INSERT, UPDATE, DELETE ON legacy.users TO 'customdb'@'localhost'" ;;
	esac
}

legacy_query_sleeping() {
	[ "$(pg_sql "$1" "SELECT count(*) FROM pg_stat_activity
		WHERE state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()")" -ge 1 ]
}
