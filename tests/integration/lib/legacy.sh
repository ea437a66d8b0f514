# legacy.sh: the legacy application's users, the same on every engine.
#
#   legacy_schema ENGINE         CREATE TABLE statements (stdout)
#   legacy_data                  INSERT statements (stdout); hashes are made
#                                here by independent tools (mkpasswd from
#                                libxcrypt, the argon2 reference CLI)
#   legacy_config ENGINE CONNECTION SOCKET [EXTRA_CUSTOMDB_KEYS]
#                                a customdb.conf for that engine (stdout);
#                                LEGACY_NO_SLOW=1 leaves out the sleeping
#                                users' clause (benchmarks)
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
#                                  query_timeout)

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
  shell VARCHAR(64)
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

legacy_data() {
	local b
	b=$(_bcrypt bob-pw)
	cat <<X
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
	local engine=$1 conn=$2 sock=$3 extra=${4:-}
	local q agg cast gcast slow=""
	case $engine in
	postgresql) q='"group"'; agg="string_agg(u.username, ',')"; cast='CAST(:uid AS integer)'; gcast='CAST(:gid AS integer)'
		[ "${LEGACY_NO_SLOW:-0}" = 1 ] || slow="
          AND (username NOT IN ('slowpoke', 'sleepy') OR
               (SELECT true FROM pg_sleep(CASE username WHEN 'slowpoke' THEN 1.5 ELSE 30 END)))" ;;
	mysql) q='`group`'; agg="GROUP_CONCAT(u.username)"; cast='CAST(:uid AS SIGNED)'; gcast='CAST(:gid AS SIGNED)' ;;
	sqlite) q='"group"'; agg="group_concat(u.username)"; cast='CAST(:uid AS integer)'; gcast='CAST(:gid AS integer)' ;;
	esac
	cat <<X
# customdb.conf for the $engine legacy database of the integration tests
[customdb]
mode = legacy
min_uid = 10000
max_uid = 60000
socket = $sock
state_dir = $(dirname "$sock")/state
$extra

[legacy]
driver = $engine
connection = $conn
connect_timeout = 2
query_timeout = 2

[queries]
login = SELECT username, uid, password, email,
          CASE WHEN active = 1 THEN 0 ELSE 1 END AS disabled
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
X
}
