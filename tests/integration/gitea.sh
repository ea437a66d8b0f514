#!/bin/bash
# gitea.sh: password_scheme = gitea-pbkdf2 (issue 16) end to end, through
# the real daemon and pamtester, on SQLite: the columns of Gitea's "user"
# table that hold a password (passwd, passwd_hash_algo, salt), with the
# queries customdb-templates(5) gives for Gitea (no template: Gitea is not
# packaged in Debian 12, and its code does not run here). The stored hashes
# are the vectors of Gitea's own modules/auth/password/hash/hash_test.go;
# what customdb writes is judged by Python's hashlib as Gitea's Hash() uses
# it (the salt column hex-decoded, the parameters from passwd_hash_algo).
#
#   tests/integration/gitea.sh
#
# Logins with Gitea's first pbkdf2 (10-character salt, an empty
# passwd_hash_algo too) and bcrypt, right and wrong; rehash_on_login writing
# pbkdf2$50000$50 and a new hex salt; a PAM password change; the rows
# written then log in, and Gitea's algorithm takes them. About 3 s.
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-gitea.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	[ -e "$WORK/daemon.pid" ] && stop_daemon "$WORK/daemon.pid" KILL
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"
DB=$WORK/gitea.db
ns_pam_service customdb-gitea "auth required $PAMMOD" "account required $PAMMOD" \
	"password required $PAMMOD"
login() { pam customdb-gitea "$1" "$2" authenticate acct_mgmt; }
# row NAME: passwd_hash_algo, passwd and salt of NAME, space-separated
row() { sqlite3 -separator ' ' "$DB" "SELECT passwd_hash_algo, passwd, salt FROM user WHERE name = '$1'"; }
# gitea_accepts NAME PASSWORD: the row is pbkdf2$ITER$KEYLEN with a 32-hex
# salt, and pbkdf2-sha256 of PASSWORD gives its passwd
gitea_accepts() {
	# shellcheck disable=SC2046
	/usr/bin/python3 -c '
import hashlib, hmac, sys
pw, algo, passwd, salt = sys.argv[1:5]
name, it, keylen = algo.split("$")
dk = hashlib.pbkdf2_hmac("sha256", pw.encode(), bytes.fromhex(salt), int(it), int(keylen))
sys.exit(0 if name == "pbkdf2" and len(salt) == 32 and hmac.compare_digest(dk.hex(), passwd) else 1)
' "$2" $(row "$1")
}

t_section "Gitea's pbkdf2 written back (password_scheme = gitea-pbkdf2, SQLite)"
# Gitea's vectors: password abcdef, the 10-character salt of Gitea < 1.21
OLD=ab48d5471b7e6ed42d10001db88c852ff7303c788e49da5c3c7b63d5adf96360303724b74b679223a3dea8a242d10abb1913
BCRYPT='$2a$10$fjtm8BsQ2crym01/piJroenO3oSVUBhSLKaGdTYJ4tG0ePVCrU0G2'
sqlite3 "$DB" "CREATE TABLE user (id INTEGER PRIMARY KEY, lower_name TEXT UNIQUE NOT NULL,
	name TEXT NOT NULL, passwd TEXT, passwd_hash_algo TEXT NOT NULL DEFAULT 'argon2',
	salt TEXT, is_active INTEGER, prohibit_login INTEGER NOT NULL DEFAULT 0);
	INSERT INTO user (id, lower_name, name, passwd, passwd_hash_algo, salt, is_active) VALUES
	  (1, 'alice', 'alice', '$OLD', 'pbkdf2', 'aaaaaaaaaa', 1),
	  (2, 'bob', 'bob', '$OLD', '', 'aaaaaaaaaa', 1),
	  (3, 'carol', 'carol', '$BCRYPT', 'bcrypt', 'aaaaaaaaaa', 1),
	  (4, 'dave', 'dave', '$OLD', 'pbkdf2', 'aaaaaaaaaa', 0)"
cat > "$WORK/customdb.conf" <<X
[customdb]
mode = legacy
socket = /run/customdb/socket
state_dir = /run/customdb/state
min_uid = 10000
max_uid = 60000
default_gid = 100

[legacy]
driver = sqlite
connection = $DB
password_scheme = gitea-pbkdf2
rehash_on_login = yes

[queries]
login = SELECT name AS username, 10000 + id AS uid,
          COALESCE(NULLIF(passwd_hash_algo, ''), 'pbkdf2') || '\$' || passwd AS password,
          salt, is_active = 0 OR prohibit_login AS disabled
        FROM "user" WHERE lower_name = lower(:username)
get_user = SELECT name AS username, 10000 + id AS uid FROM "user"
           WHERE lower_name = lower(:username)
get_user_by_uid = SELECT name AS username, 10000 + id AS uid FROM "user"
                  WHERE id = CAST(:uid AS INTEGER) - 10000
change_password = UPDATE "user"
                  SET passwd_hash_algo = substr(:password_hash, 1, length(:password_hash) - 101),
                      passwd = substr(:password_hash, length(:password_hash) - 99), salt = :salt
                  WHERE lower_name = lower(:username)
X
chmod 600 "$WORK/customdb.conf"
t_ok "customdb check accepts the queries" "$TOOL" -c "$WORK/customdb.conf" check
start_daemon "$WORK/customdb.conf" "$WORK/daemon.log" /run/customdb/socket || exit 1

t_fail "a wrong password does not log in" login alice abcdeg
t_out "and re-hashes nothing" "pbkdf2 $OLD aaaaaaaaaa" row alice
t_ok "alice logs in (Gitea's first pbkdf2)" login alice abcdef
t_grep "her row is re-hashed: pbkdf2\$50000\$50, a 16-byte hex salt" \
	'^pbkdf2\$50000\$50 [0-9a-f]{100} [0-9a-f]{32}$' row alice
t_ok "which Gitea's algorithm takes" gitea_accepts alice abcdef
t_ok "and which logs in" login alice abcdef
t_fail "not with a wrong password" login alice abcdeg
NEWPW=$(printf 'new b\303\266b pw')
t_ok "bob logs in (an empty passwd_hash_algo)" login bob abcdef
t_ok "bob changes his password through PAM" pam_chpw customdb-gitea 10002 bob abcdef "$NEWPW"
t_ok "Gitea's algorithm takes the new one" gitea_accepts bob "$NEWPW"
t_fail "not the old one" gitea_accepts bob abcdef
t_ok "bob logs in with it" login bob "$NEWPW"
t_fail "not with the old one" login bob abcdef
t_ok "carol logs in (bcrypt)" login carol abcdef
t_ok "and is re-hashed to pbkdf2 too" gitea_accepts carol abcdef
t_fail "dave (is_active 0) does not log in" login dave abcdef
t_out "nor is re-hashed" "pbkdf2 $OLD aaaaaaaaaa" row dave
stop_daemon "$WORK/daemon.pid"
t_summary
