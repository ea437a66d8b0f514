#!/bin/bash
# aspnet.sh: conf/templates/aspnet-membership-pg.conf (issue 16) on a real
# PostgreSQL, through the real daemon, getent, id and pamtester: the tables
# of aspnet-membership-pg.sql (aspnet_regsql's, mapped), rows as
# SqlMembershipProvider's aspnet_Membership_CreateUser and SqlRoleProvider's
# aspnet_UsersInRoles_AddUsersToRoles write them. No .NET runs here: the
# hashes are the vectors of tests/unit/test_hash_pbkdf2.c, made with the
# provider's EncodePassword under Mono (SHA1, and HMACSHA256).
#
#   tests/integration/aspnet.sh
#
# Look-ups by name and id, roles as groups, enumeration, logins right and
# wrong with either hash, IsLockedOut and not IsApproved refused, a Clear
# password and another application's user refused. The template is
# read-only (customdb cannot write these formats). About 10 s.
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-aspnet.XXXXXX)
chmod 755 "$WORK"
PG=$WORK/pg
cleanup() {
	[ -e "$WORK/daemon.pid" ] && stop_daemon "$WORK/daemon.pid" KILL
	pg_stop "$PG" >/dev/null 2>&1
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"
TEMPLATE=$ROOT/conf/templates/aspnet-membership-pg
ns_pam_service customdb-aspnet "auth required $PAMMOD" "account required $PAMMOD" \
	"password required $PAMMOD"
login() { pam customdb-aspnet "$1" "$2" authenticate acct_mgmt; }

t_section "ASP.NET Membership on PostgreSQL (aspnet-membership-pg.conf)"
mkdir -p "$PG"
PG_PORT=55473 pg_start "$PG" || exit 1
load_template_sql() { pg_sql "$PG" < "$TEMPLATE.sql" > "$WORK/sql.log" 2>&1; }
t_ok "aspnet-membership-pg.sql makes the tables" load_template_sql

# user NAME APP PASSWORD SALT FORMAT APPROVED LOCKED: one user as
# aspnet_Membership_CreateUser makes it (aspnet_Users, then aspnet_Membership)
user() {
	pg_sql "$PG" >>"$WORK/sql.log" 2>&1 <<-SQL
		INSERT INTO aspnet_Users (ApplicationId, UserName, LoweredUserName, LastActivityDate)
		  SELECT ApplicationId, '$1', lower('$1'), now() FROM aspnet_Applications
		   WHERE LoweredApplicationName = '$2';
		INSERT INTO aspnet_Membership (ApplicationId, UserId, Password, PasswordFormat,
		    PasswordSalt, Email, LoweredEmail, IsApproved, IsLockedOut, CreateDate,
		    LastLoginDate, LastPasswordChangedDate, LastLockoutDate,
		    FailedPasswordAttemptCount, FailedPasswordAttemptWindowStart,
		    FailedPasswordAnswerAttemptCount, FailedPasswordAnswerAttemptWindowStart)
		  SELECT u.ApplicationId, u.UserId, '$3', $5, '$4', lower('$1') || '@example.org',
		    lower('$1') || '@example.org', $6, $7, now(), now(), now(),
		    '1754-01-01', 0, '1754-01-01', 0, '1754-01-01'
		  FROM aspnet_Users u JOIN aspnet_Applications a USING (ApplicationId)
		  WHERE u.UserName = '$1' AND a.LoweredApplicationName = '$2';
	SQL
}
# in_role USER ROLE: aspnet_UsersInRoles_AddUsersToRoles, for application /
in_role() {
	pg_sql "$PG" "INSERT INTO aspnet_UsersInRoles (UserId, RoleId)
		SELECT u.UserId, r.RoleId FROM aspnet_Users u, aspnet_Roles r, aspnet_Applications a
		WHERE a.LoweredApplicationName = '/' AND u.ApplicationId = a.ApplicationId
		  AND r.ApplicationId = a.ApplicationId AND u.UserName = '$1' AND r.RoleName = '$2'" \
		>>"$WORK/sql.log" 2>&1
}
SALT16=9Ch4bC6XK5e4kMnFxb7P5Q==
UMLAUT=$(printf 'p\303\244ssw\303\266rd')
EMOJI=$(printf 'emoji \360\237\230\200!')
pg_sql "$PG" "INSERT INTO aspnet_Applications (ApplicationName, LoweredApplicationName)
	VALUES ('/', '/'), ('Other', 'other');
	INSERT INTO aspnet_Roles (ApplicationId, RoleName, LoweredRoleName)
	  SELECT ApplicationId, r, lower(r) FROM aspnet_Applications,
	    (VALUES ('Admins'), ('Editors')) v (r) WHERE LoweredApplicationName = '/'" \
	>>"$WORK/sql.log" 2>&1
# SHA1 (the provider's default), HMACSHA256, then the account states
user alice / "j2cN/H1/pniwc+HallVpcMdeh0I=" "$SALT16" 1 true false
user bob / "k1K+beNfRyuSNHpMftgH4KFgYJWkGiRIgklOhWO5ZFM=" "$SALT16" 1 true false
user grace / "WX9vUB5wiTmEjQWrEKnmryOcro4=" "c2FsdA==" 1 true false
user carol / "D3Tj4wy30JTlFH6otA+fvJMzH64=" "$SALT16" 1 true true
user dave / "DcHpYnJlFLPbBVpIYWb76tzFPSI=" "$SALT16" 1 false false
user erin / "password" "" 0 true false
user frank other "j2cN/H1/pniwc+HallVpcMdeh0I=" "$SALT16" 1 true false
in_role alice Admins
in_role alice Editors
in_role bob Editors
t_out "the triggers numbered users and roles" "7:10001:10007:2:50001:50002" \
	pg_sql "$PG" "SELECT (SELECT count(*) FROM customdb_ids WHERE Num < 50000) || ':' ||
		  (SELECT min(Num) FROM customdb_ids WHERE Num < 50000) || ':' ||
		  (SELECT max(Num) FROM customdb_ids WHERE Num < 50000) || ':' ||
		  (SELECT count(*) FROM customdb_ids WHERE Num > 50000) || ':' ||
		  (SELECT min(Num) FROM customdb_ids WHERE Num > 50000) || ':' ||
		  (SELECT max(Num) FROM customdb_ids WHERE Num > 50000)"

# the template as it ships, with only its connection and password file set
template_start aspnet-membership-pg.conf "$(pg_conninfo "$PG")" || exit 1


t_out "getent passwd alice" "alice:x:10001:100::/home/alice:/bin/bash" getent passwd alice
t_out "and by uid" "alice" bash -c "getent passwd 10001 | cut -d: -f1"
t_out "roles are groups: Editors" "Editors:x:50002:alice,bob" getent group Editors
t_out "Admins by gid" "Admins:x:50001:alice" getent group 50001
t_grep "id alice: both roles" "50001\(Admins\),50002\(Editors\)" id alice
t_grep "enumeration lists the users" "^grace:" getent passwd
t_grep "enumeration lists the roles" "^Admins:" getent group
t_fail "another application's user is no user here" getent passwd frank
t_ok "alice logs in (SHA1)" login alice password
t_fail "a wrong password does not" login alice Password
t_ok "bob logs in (HMACSHA256)" login bob "$UMLAUT"
t_fail "not with alice's password" login bob password
t_ok "grace logs in (a 4-byte salt)" login grace "$UMLAUT"
t_fail "carol (IsLockedOut) does not, right password and all" login carol "$UMLAUT"
t_fail "dave (not IsApproved) does not" login dave "$EMOJI"
t_fail "erin (a Clear password) does not" login erin password
t_ok "carol is still looked up" getent passwd carol
pg_sql "$PG" "UPDATE aspnet_Membership SET IsLockedOut = false
	WHERE UserId = (SELECT UserId FROM aspnet_Users WHERE UserName = 'carol')" >/dev/null
t_ok "carol unlocked (UnlockUser) logs in" login carol "$UMLAUT"

# passwd: alice (SHA1) and bob (HMACSHA256) change their passwords through
# PAM; the template writes SHA1 with a new salt, as ChangePassword does, and
# the row checks out by EncodePassword's algorithm in Python (no .NET here)
pg_sql "$PG" "GRANT UPDATE (Password, PasswordSalt, PasswordFormat, LastPasswordChangedDate)
	ON aspnet_Membership TO customdb" >>"$WORK/sql.log" 2>&1
# chpw UID USER OLD NEW: the user changes their own password through PAM
chpw() {
	printf '%s\n%s\n%s\n' "$3" "$4" "$4" |
		setpriv --reuid="$1" --regid=100 --clear-groups pamtester customdb-aspnet "$2" chauthtok
}
row() {
	pg_sql "$PG" "SELECT m.Password || ' ' || m.PasswordSalt || ' ' || m.PasswordFormat
		FROM aspnet_Membership m JOIN aspnet_Users u USING (UserId) WHERE u.UserName = '$1'"
}
# membership_ok PASSWORD "HASH SALT FORMAT": SHA1(salt | UTF-16LE password), format 1
membership_ok() {
	/usr/bin/python3 -c '
import base64, hashlib, sys
h, salt, fmt = sys.argv[2].split()
d = hashlib.sha1(base64.b64decode(salt, validate=True) + sys.argv[1].encode("utf-16-le")).digest()
sys.exit(0 if fmt == "1" and base64.b64encode(d).decode() == h else 1)' "$1" "$2"
}
t_grep "alice changes her password (PAM chauthtok)" "altered successfully" \
	chpw 10001 alice password "N3w-$UMLAUT"
t_ok "alice logs in with the new one" login alice "N3w-$UMLAUT"
t_fail "not with the old one" login alice password
t_out "the salt is new, the format Hashed" "1 1" bash -c '
	set -- $1; [ "$2" != "$4" ] && echo "1 $3"' _ "$(row alice) $SALT16"
t_ok "the row is EncodePassword's SHA1 of the new password (Python)" \
	membership_ok "N3w-$UMLAUT" "$(row alice)"
t_fail "... and not of the old one" membership_ok password "$(row alice)"
t_grep "bob (HMACSHA256) changes his" "altered successfully" chpw 10002 bob "$UMLAUT" "B0b-new!"
t_ok "bob logs in with the new one (now SHA1)" login bob "B0b-new!"
t_ok "his row is SHA1 of it (Python)" membership_ok "B0b-new!" "$(row bob)"
stop_daemon "$WORK/daemon.pid"
t_summary
