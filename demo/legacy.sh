# legacy.sh: the demo's legacy application database (SQLite), sourced by
# scripts/demo.sh. A "shop" whose users table holds hashes in the formats
# its application wrote over the years.
demo_make_db() {
	db=$1
	rm -f "$db"
	sqlite3 "$db" <<SQL
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  pass TEXT,
  email TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  full_name TEXT
);
CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE team_members (team_id INTEGER, user_id INTEGER);
INSERT INTO users VALUES (42, 'alice', '$(mkpasswd -m sha512crypt wonderland)', 'alice@shop.example', 1, 'Alice Liddell');
INSERT INTO users VALUES (43, 'bob', '$(mkpasswd -m bcrypt -R 10 builder)', 'bob@shop.example', 1, 'Bob the Builder');
INSERT INTO users VALUES (44, 'carol', '$(mkpasswd -m yescrypt christmas)', 'carol@shop.example', 1, 'Carol Singer');
INSERT INTO users VALUES (45, 'dave', '$(printf %s davepass | argon2 demosaltdemosalt -id -t 2 -m 16 -p 1 -e)', 'dave@shop.example', 0, 'Dave (left the company)');
INSERT INTO teams VALUES (1, 'shopstaff'), (2, 'shopadmins');
INSERT INTO team_members VALUES (1, 42), (1, 43), (1, 44), (2, 42);
SQL
}

demo_config() {
	db=$1 sock=$2
	cat <<CONF
# The demo's customdb.conf: a legacy SQLite database, mapped by SQL.
[customdb]
mode = legacy
min_uid = 10000
max_uid = 60000
default_shell = /bin/bash
home = /home/%u
enumerate = yes
socket = $sock
state_dir = $(dirname "$sock")/state

[legacy]
driver = sqlite
connection = $db
# new passwords are written as bcrypt
password_scheme = bcrypt

[queries]
login = SELECT name AS username, 10000 + id AS uid, pass AS password,
               email, NOT active AS disabled
          FROM users WHERE name = :username
get_user = SELECT name AS username, 10000 + id AS uid, full_name AS gecos, email
          FROM users WHERE name = :username
get_user_by_uid = SELECT name AS username, 10000 + id AS uid, full_name AS gecos, email
          FROM users WHERE id = CAST(:uid AS integer) - 10000
get_group = SELECT t.name AS "group", 20000 + t.id AS gid,
          (SELECT group_concat(u.name) FROM team_members m JOIN users u ON u.id = m.user_id
            WHERE m.team_id = t.id) AS members
          FROM teams t WHERE t.name = :group
get_group_by_gid = SELECT t.name AS "group", 20000 + t.id AS gid,
          (SELECT group_concat(u.name) FROM team_members m JOIN users u ON u.id = m.user_id
            WHERE m.team_id = t.id) AS members
          FROM teams t WHERE t.id = CAST(:gid AS integer) - 20000
user_groups = SELECT t.name AS "group", 20000 + t.id AS gid
          FROM teams t JOIN team_members m ON m.team_id = t.id JOIN users u ON u.id = m.user_id
          WHERE u.name = :username
list_users = SELECT name AS username, 10000 + id AS uid, full_name AS gecos, email
          FROM users ORDER BY id
list_groups = SELECT t.name AS "group", 20000 + t.id AS gid,
          (SELECT group_concat(u.name) FROM team_members m JOIN users u ON u.id = m.user_id
            WHERE m.team_id = t.id) AS members
          FROM teams t ORDER BY t.id
change_password = UPDATE users SET pass = :password_hash WHERE name = :username
CONF
}
