#!/bin/bash
# drupal7.sh: conf/templates/drupal7.conf (issue 16) on a real MariaDB,
# through the real daemon, getent, id and pamtester. Drupal 7 is not in
# Debian 12 and its code does not run here: the tables are drupal7.sql's,
# made from Drupal 7's own schema definition (user_schema() in
# modules/user/user.install), the rows as user_install() and user_save()
# write them, and the hashes are Drupal core's own test vectors or made by
# data/apps/drupal7_password.py, Drupal 7's includes/password.inc algorithm
# written anew in Python (checked here against Drupal's vectors first),
# which then also judges the hash customdb writes.
#
#   tests/integration/drupal7.sh
#
# Look-ups by name and id (the anonymous row never), a name with a space
# and one with '_', roles as groups (not the two built-in ones),
# enumeration, logins with $S$, $P$ (Drupal 6 imports) and U$ (Drupal 6's
# md5, re-hashed) hashes, right and wrong, a blocked user refused, those
# hashes re-hashed at login as Drupal's login does, and PAM password
# changes that Drupal's algorithm accepts. About 5 s.
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-drupal7.XXXXXX)
chmod 755 "$WORK"
MARIA=$WORK/maria
cleanup() {
	[ -e "$WORK/daemon.pid" ] && stop_daemon "$WORK/daemon.pid" KILL
	maria_stop "$MARIA" >/dev/null 2>&1
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"
TEMPLATE=$ROOT/conf/templates/drupal7
# d7 hash|updated|check ...: Drupal 7's algorithm (data/apps/drupal7_password.py)
d7() { /usr/bin/python3 "$HERE/data/apps/drupal7_password.py" "$@"; }
ns_pam_service customdb-drupal7 "auth required $PAMMOD" "account required $PAMMOD" \
	"password required $PAMMOD"
login() { pam customdb-drupal7 "$1" "$2" authenticate acct_mgmt; }
# chpw UID USER OLD NEW: the user changes their own password through PAM
chpw() { pam_chpw customdb-drupal7 "$@"; }
# pass NAME: users.pass of the row named NAME
pass() { maria_sql "$MARIA" "SELECT pass FROM users WHERE BINARY name = '$1'"; }
# drupal_accepts NAME PASSWORD: Drupal 7's algorithm takes PASSWORD for the
# row named NAME
drupal_accepts() { d7 check "$2" "$(pass "$1")"; }
# is_s_d NAME: the row's hash is what Drupal 7 writes: $S$, 2^15, 55 long
is_s_d() { pass "$1" | grep -Eq '^\$S\$D.{51}$'; }
# others: the hashes of the rows no password change is for
others() {
	maria_sql "$MARIA" "SELECT GROUP_CONCAT(pass ORDER BY uid) FROM users
		WHERE name IN ('admin', 'carol', 'erin', 'dave_x')"
}

t_section "Drupal 7 on MariaDB (drupal7.conf)"
# Drupal core's own vectors (its PasswordVerifyTest), so that the Python
# checker is known to judge as Drupal does
VECTOR='$S$5TOxWPdvJRs0P/xZBdrrPlGgzViOS0drHu3jaIjitesfttrp18bk'
VECTOR_U='U$S$5vNHDQyLqCTvsYBLWBUWXJWhA0m3DTpBh04acFEOGB.bKBclhKgo'
t_ok "the Python checker takes Drupal's \$S\$ vector" d7 check "valid password" "$VECTOR"
t_ok "and Drupal's U\$S\$ vector" d7 check "valid password" "$VECTOR_U"
t_fail "and refuses a wrong password" d7 check "valid passwort" "$VECTOR"

maria_start "$MARIA" || exit 1
load_template_sql() { maria_sql "$MARIA" < "$TEMPLATE.sql" > "$WORK/sql.log" 2>&1; }
t_ok "drupal7.sql makes the tables" load_template_sql
# the grants drupal7.sql names (maria_start granted SELECT on everything)
maria_sql "$MARIA" "GRANT UPDATE (pass) ON legacy.users TO 'customdb'@'localhost'"

UMLAUT=$(printf 'p\303\244ssw\303\266rd')
# user UID NAME HASH STATUS: a row as user_save() writes a new account
user() {
	maria_sql "$MARIA" "INSERT INTO users (uid, name, pass, mail, created, status, init)
		VALUES ($1, '$2', '$3', 'u$1@example.org', UNIX_TIMESTAMP(), $4, 'u$1@example.org')" \
		>>"$WORK/sql.log" 2>&1
}
# uid 1: the installer's account; $S$ at Drupal's 2^15
user 1 admin "$(d7 hash admin-pw)" 1
user 2 alice "$(d7 hash alice-pw)" 1
# a Drupal 6 import: phpass $P$, and the U$ of user_update_7000 (count 11)
user 3 "Mary Ann" "$(d7 hash "$UMLAUT" 8 P)" 1
user 4 bob "$(d7 updated bob-pw)" 1
user 5 carol "$(d7 hash carol-pw 7)" 0
user 6 erin "$VECTOR" 1
user 7 dave_x "$(d7 hash dave-pw 7)" 1
maria_sql "$MARIA" "INSERT INTO role (rid, name, weight) VALUES (4, 'content editor', 3);
	INSERT INTO users_roles (uid, rid) VALUES (1, 3), (2, 3), (2, 4), (3, 4)" >>"$WORK/sql.log" 2>&1
CAROL_ADMIN=$(maria_sql "$MARIA" "SELECT GROUP_CONCAT(pass ORDER BY uid) FROM users
	WHERE uid IN (1, 5)")
t_out "the rows are in" "8:4" \
	maria_sql "$MARIA" "SELECT CONCAT((SELECT count(*) FROM users), ':', (SELECT count(*) FROM users_roles))"

template_start drupal7.conf "$(maria_conninfo "$MARIA")" || exit 1

t_out "getent passwd alice" "alice:x:10002:100:alice:/home/alice:/bin/bash" getent passwd alice
t_out "and by uid" "alice" bash -c "getent passwd 10002 | cut -d: -f1"
t_out "uid 1, the site's first account" "admin:x:10001" bash -c "getent passwd admin | cut -d: -f1-3"
t_fail "uid 0, Drupal's anonymous row, is nobody" getent passwd 10000
t_out "\"Mary Ann\" is Mary_Ann" "Mary_Ann:x:10003:100:Mary Ann:/home/Mary_Ann:/bin/bash" \
	getent passwd Mary_Ann
t_out "and so by uid" "Mary_Ann" bash -c "getent passwd 10003 | cut -d: -f1"
t_out "a name with '_' is found as it is" "dave_x:10007" \
	bash -c "getent passwd dave_x | cut -d: -f1,3"
t_fail "ALICE is not alice (the collation would match; customdb's names are exact)" \
	getent passwd ALICE
t_out "roles are groups: drupal-administrator" "drupal-administrator:x:20003:admin,alice" \
	getent group drupal-administrator
t_out "a role with a space, by gid" "drupal-content_editor:x:20004:alice,Mary_Ann" \
	getent group 20004
t_fail "'authenticated user' is no group" getent group 20002
t_fail "nor 'anonymous user'" getent group drupal-anonymous_user
t_grep "id alice: both her roles" "20003\(drupal-administrator\),20004\(drupal-content_editor\)" \
	id alice
t_grep "id Mary_Ann: hers" "20004\(drupal-content_editor\)" id Mary_Ann
t_out "enumeration lists every user but the anonymous one" \
	"admin alice Mary_Ann bob carol erin dave_x" \
	bash -c "getent passwd | awk -F: '\$3 >= 10000 && \$3 < 20000 { printf \"%s%s\", s, \$1; s = \" \" }'"
t_out "enumeration lists the roles" "drupal-administrator drupal-content_editor" \
	bash -c "getent group | awk -F: '\$3 >= 20000 && \$3 < 60000 { printf \"%s%s\", s, \$1; s = \" \" }'"

t_ok "alice logs in (\$S\$)" login alice alice-pw
t_fail "a wrong password does not" login alice bob-pw
t_ok "Mary_Ann logs in (\$P\$, a Drupal 6 import)" login Mary_Ann "$UMLAUT"
t_ok "bob logs in (U\$S\$, Drupal 6's md5 re-hashed)" login bob bob-pw
t_fail "not with the md5 of his password" login bob "$(printf bob-pw | md5sum | cut -c1-32)"
t_ok "erin logs in (Drupal's own vector)" login erin "valid password"
t_ok "dave_x logs in" login dave_x dave-pw
t_fail "carol (status 0, blocked) does not" login carol carol-pw
t_ok "carol is still looked up" getent passwd carol
t_ok "admin (uid 1) logs in" login admin admin-pw
# rehash_on_login, as Drupal's login does: what is not $S$ at 2^15 is now
t_ok "Mary Ann's \$P\$ was re-hashed at her login" is_s_d "Mary Ann"
t_ok "Drupal's algorithm accepts it" drupal_accepts "Mary Ann" "$UMLAUT"
t_ok "bob's U\$ too" is_s_d bob
t_ok "Drupal's algorithm accepts it (no md5 any more)" drupal_accepts bob bob-pw
t_ok "erin's 2^7 vector too" is_s_d erin
t_ok "Drupal's algorithm accepts it" drupal_accepts erin "valid password"
t_out "carol's 2^7 (blocked: refused, so not re-hashed) and admin's (\$S\$D) are as they were" \
	"$CAROL_ADMIN" maria_sql "$MARIA" "SELECT GROUP_CONCAT(pass ORDER BY uid) FROM users
		WHERE uid IN (1, 5)"

before=$(others)
t_ok "alice changes her password through PAM" chpw 10002 alice alice-pw "new alice-pw 1"
t_ok "the new hash is Drupal 7's, at 2^15 (\$S\$D), 55 characters" is_s_d alice
t_ok "Drupal's algorithm accepts it" drupal_accepts alice "new alice-pw 1"
t_fail "and refuses the old password" drupal_accepts alice alice-pw
t_ok "alice logs in with it" login alice "new alice-pw 1"
t_fail "not with the old one" login alice alice-pw
MARY_NEW=$(printf "Mary's new p\303\244ss")
t_ok "Mary_Ann changes hers (the row \"Mary Ann\")" chpw 10003 Mary_Ann "$UMLAUT" "$MARY_NEW"
t_ok "Drupal's algorithm accepts it for \"Mary Ann\"" drupal_accepts "Mary Ann" "$MARY_NEW"
t_ok "bob changes his U\$ one" chpw 10004 bob bob-pw "new bob-pw 1"
t_ok "it is a \$S\$ now" is_s_d bob
t_ok "Drupal's algorithm accepts it" drupal_accepts bob "new bob-pw 1"
t_out "no other row changed" "$before" others
stop_daemon "$WORK/daemon.pid"
t_summary
