#!/bin/bash
# keycloak.sh: conf/templates/keycloak.conf (issue 16) on a real PostgreSQL,
# through the real daemon, getent, id and pamtester: the tables of
# keycloak.sql (Keycloak 26's, from its Liquibase changelogs), a realm, and
# users, groups, attributes, required actions and password credentials as
# Keycloak stores them (the JSON of PasswordSecretData and
# PasswordCredentialData, the key as Pbkdf2PasswordHashProvider derives it,
# NUL padding and all). Keycloak itself (Java, not in Debian) does not run
# here: the credentials are made, and the written one checked, by Python's
# hashlib reading the JSON columns as Keycloak reads them.
#
#   tests/integration/keycloak.sh
#
# Look-ups by name and id, groups (top level and a subgroup, direct
# memberships only), enumeration, logins right and wrong with
# pbkdf2-sha256 and pbkdf2-sha512 credentials, a disabled user and a
# disabled realm refused, UPDATE_PASSWORD and an expired password
# (forceExpiredPasswordChange) asking for a new one, service accounts,
# users without uidNumber and another realm's users not seen, then PAM
# password changes (an existing credential updated, a missing one made by
# root) checked in the rows; a federated user's and a hash of another form
# refused. About 10 s.
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-keycloak.XXXXXX)
chmod 755 "$WORK"
PG=$WORK/pg
PY=/usr/bin/python3
cleanup() {
	[ -e "$WORK/daemon.pid" ] && stop_daemon "$WORK/daemon.pid" KILL
	pg_stop "$PG" >/dev/null 2>&1
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"
SOCK=/run/customdb/socket
LOG=$WORK/daemon.log
TEMPLATE=$ROOT/conf/templates/keycloak
ns_pam_service customdb-kc "auth required $PAMMOD" "account required $PAMMOD" \
	"password required $PAMMOD"
login() { pam customdb-kc "$1" "$2" authenticate acct_mgmt; }
# chpw UID USER OLD NEW: the user changes their own password through PAM
chpw() { pam_chpw customdb-kc "$@"; }
# chpw_root USER NEW: root sets it (no current password asked)
chpw_root() { printf '%s\n%s\n' "$2" "$2" | pamtester customdb-kc "$1" chauthtok; }

t_section "Keycloak on PostgreSQL (keycloak.conf)"
mkdir -p "$PG"
PG_PORT=55474 pg_start "$PG" || exit 1
load_template_sql() { pg_sql "$PG" < "$TEMPLATE.sql" > "$WORK/sql.log" 2>&1; }
t_ok "keycloak.sql makes the tables" load_template_sql

# Keycloak's rows, as its JPA store writes them. ids are UUIDs; the realm
# of the template ('myrealm') and another one.
sql() { pg_sql "$PG" "$1" >>"$WORK/sql.log" 2>&1; }
sql "INSERT INTO realm (id, name, enabled, password_policy) VALUES
	('$(cat /proc/sys/kernel/random/uuid)', 'myrealm', true,
	 'length(8) and forceExpiredPasswordChange(365)'),
	('$(cat /proc/sys/kernel/random/uuid)', 'other', true, NULL)"
# user REALM NAME UIDNUMBER ENABLED [SERVICE_CLIENT]: user_entity, and the
# uidNumber attribute unless UIDNUMBER is -
user() {
	sql "INSERT INTO user_entity (id, email, email_constraint, email_verified, enabled,
		first_name, last_name, realm_id, username, created_timestamp,
		service_account_client_link, not_before)
	  SELECT gen_random_uuid()::text, '$2@example.org', '$2@example.org', true, $4,
		initcap('$2'), 'Example', id, '$2', 1733500000000, ${5:-NULL}, 0
	  FROM realm WHERE name = '$1'"
	[ "$3" = - ] || sql "INSERT INTO user_attribute (name, value, user_id, id)
	  SELECT 'uidNumber', '$3', u.id, gen_random_uuid()::text
	  FROM user_entity u JOIN realm r ON r.id = u.realm_id
	  WHERE r.name = '$1' AND u.username = '$2'"
}
# cred REALM NAME ALGORITHM ITERATIONS KEYBYTES PASSWORD [AGE_DAYS]: the
# password credential Keycloak's Pbkdf2PasswordHashProvider makes: 16
# random bytes of salt, the password padded with NULs to 14 characters
# (Keycloak 21 on), PBKDF2 over its UTF-8 bytes, standard base64, and the
# JSON of PasswordSecretData / PasswordCredentialData as Jackson writes it
cred() {
	local row
	row=$("$PY" - "$3" "$4" "$5" "$6" "${7:-0}" <<-'PY'
		import base64, hashlib, json, os, sys, time
		algo, pw = sys.argv[1], sys.argv[4]
		it, keylen, age = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[5])
		md = {"pbkdf2": "sha1", "pbkdf2-sha256": "sha256", "pbkdf2-sha512": "sha512"}[algo]
		padded = pw + "\0" * max(0, 14 - len(pw))
		salt = os.urandom(16)
		key = hashlib.pbkdf2_hmac(md, padded.encode(), salt, it, keylen)
		compact = dict(separators=(",", ":"))
		secret = json.dumps({"value": base64.b64encode(key).decode(),
		                     "salt": base64.b64encode(salt).decode(),
		                     "additionalParameters": {}}, **compact)
		data = json.dumps({"hashIterations": it, "algorithm": algo,
		                   "additionalParameters": {}}, **compact)
		created = int(time.time() * 1000) - age * 86400 * 1000
		print("%s\t%s\t%d" % (secret, data, created))
	PY
	) || return 1
	IFS=$'\t' read -r secret data created <<<"$row"
	sql "INSERT INTO credential (id, user_id, type, created_date, secret_data,
		credential_data, priority)
	  SELECT gen_random_uuid()::text, u.id, 'password', $created, '$secret', '$data', 10
	  FROM user_entity u JOIN realm r ON r.id = u.realm_id
	  WHERE r.name = '$1' AND u.username = '$2'"
}
# group NAME GIDNUMBER [PARENT]: keycloak_group (parent_group ' ' at the
# top), and the gidNumber attribute unless GIDNUMBER is -
group() {
	sql "INSERT INTO keycloak_group (id, name, parent_group, realm_id, type)
	  SELECT gen_random_uuid()::text, '$1',
	    COALESCE((SELECT id FROM keycloak_group WHERE name = '${3:-}'), ' '), id, 0
	  FROM realm WHERE name = 'myrealm'"
	[ "$2" = - ] || sql "INSERT INTO group_attribute (id, name, value, group_id)
	  SELECT gen_random_uuid()::text, 'gidNumber', '$2', id FROM keycloak_group
	  WHERE name = '$1'"
}
# member USER GROUP: user_group_membership, as Keycloak 26 writes it
member() {
	sql "INSERT INTO user_group_membership (group_id, user_id, membership_type)
	  SELECT g.id, u.id, 'UNMANAGED' FROM keycloak_group g, user_entity u
	  JOIN realm r ON r.id = u.realm_id
	  WHERE r.name = 'myrealm' AND g.name = '$2' AND u.username = '$1'"
}
required_action() {
	sql "INSERT INTO user_required_action (user_id, required_action)
	  SELECT u.id, '$2' FROM user_entity u JOIN realm r ON r.id = u.realm_id
	  WHERE r.name = 'myrealm' AND u.username = '$1'"
}

UMLAUT=$(printf 'p\303\244ssw\303\266rd')
user myrealm alice 10001 true
user myrealm bob 10002 true
user myrealm carol 10003 false
user myrealm dave 10004 true
user myrealm erin 10005 true
user myrealm grace 10006 true
user myrealm frank - true
user myrealm service-account-backend 10007 true "'3f1c2d0e-backend-client'"
user myrealm hank 10008 true
sql "UPDATE user_entity SET federation_link = '9b1e6a52-ldap-provider' WHERE username = 'hank'"
user other alice 10101 true
user other zoe 10102 true
# Keycloak before 24 (pbkdf2-sha256, 27500, 64 bytes); 24 on (pbkdf2-sha512,
# 210000, 64 bytes); 24's pbkdf2-sha256 (32 bytes); a short password (padded)
cred myrealm alice pbkdf2-sha256 27500 64 "$UMLAUT"
cred myrealm bob pbkdf2-sha512 210000 64 bob-password-1
cred myrealm carol pbkdf2-sha256 27500 64 carol-pw
cred myrealm dave pbkdf2-sha256 1000 32 dave-pw-1
cred myrealm grace pbkdf2-sha512 1000 64 grace-pw-1 400
cred myrealm frank pbkdf2-sha256 27500 64 "$UMLAUT"
cred myrealm service-account-backend pbkdf2-sha256 27500 64 "$UMLAUT"
cred other alice pbkdf2-sha256 27500 64 other-pw-1
cred myrealm hank pbkdf2-sha256 1000 64 hank-pw-1
required_action dave UPDATE_PASSWORD
required_action alice CONFIGURE_TOTP
group devs 20001
group ops 20002 devs
group nogid -
member alice devs
member bob devs
member alice ops
member carol ops
member alice nogid
member service-account-backend devs

# the template as it ships, with only its connection, password file, the
# socket and the state directory set (the realm is the template's own)
template_start keycloak.conf "$(pg_conninfo "$PG")" || exit 1

t_out "getent passwd alice" "alice:x:10001:100:Alice Example:/home/alice:/bin/bash" \
	getent passwd alice
t_out "and by uid (uidNumber)" "bob" bash -c "getent passwd 10002 | cut -d: -f1"
t_out "a top-level group: devs" "devs:x:20001:alice,bob" getent group devs
t_out "a subgroup by gid, its direct members only" "ops:x:20002:alice,carol" getent group 20002
t_grep "id alice: devs and ops" "20001\(devs\),20002\(ops\)" id alice
t_nogrep "and no group without a gidNumber" "nogid" id alice
t_fail "a group without a gidNumber is no Linux group" getent group nogid
t_grep "enumeration lists the users" "^grace:x:10006:" getent passwd
t_grep "enumeration lists the groups" "^ops:x:20002:" getent group
t_fail "a service account is not a user" getent passwd service-account-backend
t_fail "nor by its uidNumber" getent passwd 10007
t_nogrep "nor in the enumeration" "^service-account" getent passwd
t_fail "a user without uidNumber is not a Linux user" getent passwd frank
t_fail "another realm's user is not seen" getent passwd zoe
t_fail "nor its uidNumber" getent passwd 10101
t_ok "alice logs in (pbkdf2-sha256, Keycloak before 24)" login alice "$UMLAUT"
t_fail "a wrong password does not" login alice "p${UMLAUT}"
t_fail "nor alice's password in the other realm" login alice other-pw-1
t_ok "bob logs in (pbkdf2-sha512, Keycloak 24 on)" login bob bob-password-1
t_fail "bob with a wrong password does not" login bob bob-password-2
t_fail "carol (enabled false) does not, right password and all" login carol carol-pw
t_ok "carol is still looked up" getent passwd carol
sql "UPDATE user_entity SET enabled = true WHERE username = 'carol'"
t_ok "carol enabled logs in" login carol carol-pw
sql "UPDATE realm SET enabled = false WHERE name = 'myrealm'"
t_fail "bob in a disabled realm does not" login bob bob-password-1
sql "UPDATE realm SET enabled = true WHERE name = 'myrealm'"
t_rc "dave (UPDATE_PASSWORD) must change it" 1 "new one required" login dave dave-pw-1
t_rc "grace (credential 400 days old, forceExpiredPasswordChange(365)) too" 1 \
	"new one required" login grace grace-pw-1
t_fail "frank (no uidNumber) does not log in" login frank "$UMLAUT"
t_fail "nor the service account" login service-account-backend "$UMLAUT"
t_fail "erin (no password credential) does not" login erin ""

# credential_ok NAME PASSWORD ALGORITHM: the row Keycloak would read, checked
# as Keycloak's verify() does: the two JSON columns parsed, the key derived
# over the (NUL-padded) password with the stored salt and iterations, as
# many bytes as the value holds; the JSON in Keycloak's own compact form
credential_ok() {
	pg_sql "$PG" "SELECT c.secret_data || E'\t' || c.credential_data || E'\t' || c.type ||
		E'\t' || c.created_date FROM credential c JOIN user_entity u ON u.id = c.user_id
		JOIN realm r ON r.id = u.realm_id WHERE r.name = 'myrealm' AND u.username = '$1'" |
	"$PY" -c '
import base64, hashlib, hmac, json, sys, time
rows = [l.rstrip("\n").split("\t") for l in sys.stdin if l.strip()]
if len(rows) != 1:
    sys.exit("want one credential row, got %d" % len(rows))
secret_text, data_text, ctype, created = rows[0]
secret, data = json.loads(secret_text), json.loads(data_text)
compact = dict(separators=(",", ":"))
if list(secret) != ["value", "salt", "additionalParameters"] or \
   list(data) != ["hashIterations", "algorithm", "additionalParameters"] or \
   json.dumps(secret, **compact) != secret_text or json.dumps(data, **compact) != data_text:
    sys.exit("not the JSON Keycloak writes: %s %s" % (secret_text, data_text))
if ctype != "password" or data["algorithm"] != sys.argv[2] or \
   abs(int(created) / 1000 - time.time()) > 600:
    sys.exit("type %s algorithm %s created %s" % (ctype, data["algorithm"], created))
md = {"pbkdf2": "sha1", "pbkdf2-sha256": "sha256", "pbkdf2-sha512": "sha512"}[data["algorithm"]]
want = base64.b64decode(secret["value"], validate=True)
def derive(pw):
    pw = pw + "\0" * max(0, 14 - len(pw))
    return hashlib.pbkdf2_hmac(md, pw.encode(), base64.b64decode(secret["salt"], validate=True),
                               data["hashIterations"], len(want))
if not hmac.compare_digest(derive(sys.argv[1]), want) or \
   hmac.compare_digest(derive("x" + sys.argv[1]), want):
    sys.exit("the derived key does not match")
print("ok", data["algorithm"], data["hashIterations"], len(want))
' "$2" "$3"
}
uid_of() { getent passwd "$1" | cut -d: -f3; }
other_alice() {
	pg_sql "$PG" "SELECT c.secret_data FROM credential c JOIN user_entity u ON u.id = c.user_id
		JOIN realm r ON r.id = u.realm_id WHERE r.name = 'other' AND u.username = 'alice'"
}
OTHER_ALICE=$(other_alice)
t_ok "alice changes her password through PAM" chpw "$(uid_of alice)" alice "$UMLAUT" \
	"new alice pw 2"
t_grep "her credential row is Keycloak's pbkdf2-sha512, 210000 iterations, 64 bytes" \
	"^ok pbkdf2-sha512 210000 64\$" credential_ok alice "new alice pw 2" pbkdf2-sha512
t_out "still one password credential, her other required action kept" "1:CONFIGURE_TOTP" \
	pg_sql "$PG" "SELECT (SELECT count(*) FROM credential c JOIN user_entity u
		ON u.id = c.user_id WHERE u.username = 'alice' AND c.type = 'password'
		AND u.realm_id = (SELECT id FROM realm WHERE name = 'myrealm')) || ':' ||
		(SELECT string_agg(required_action, ',') FROM user_required_action a
		JOIN user_entity u ON u.id = a.user_id WHERE u.username = 'alice')"
t_ok "alice logs in with the new password" login alice "new alice pw 2"
t_fail "not the old one" login alice "$UMLAUT"
t_out "the other realm's alice is untouched" "$OTHER_ALICE" other_alice
t_ok "dave changes his (UPDATE_PASSWORD)" chpw "$(uid_of dave)" dave dave-pw-1 "new dave pw 3"
t_out "UPDATE_PASSWORD is cleared" "0" pg_sql "$PG" "SELECT count(*) FROM
	user_required_action a JOIN user_entity u ON u.id = a.user_id WHERE u.username = 'dave'"
t_ok "dave logs in then" login dave "new dave pw 3"
t_ok "grace changes hers (expired)" chpw "$(uid_of grace)" grace grace-pw-1 "new grace pw 4"
t_ok "and logs in: the new created_date restarts the 365 days" login grace "new grace pw 4"
t_ok "root sets erin's first password" chpw_root erin "erin first pw"
t_grep "a new password credential row for erin" "^ok pbkdf2-sha512 210000 64\$" \
	credential_ok erin "erin first pw" pbkdf2-sha512
t_ok "erin logs in" login erin "erin first pw"
t_nogrep "no SQL went wrong" "ERROR" cat "$WORK/sql.log"
t_fail "the service account's password cannot be changed" chpw_root service-account-backend x
t_ok "hank (LDAP, UNSYNCED: a local password) logs in" login hank hank-pw-1
t_fail "but his password is the directory's: no change" chpw "$(uid_of hank)" hank hank-pw-1 \
	"new hank pw"
t_ok "and his local one still works" login hank hank-pw-1
stop_daemon "$WORK/daemon.pid"

# a write scheme whose hash is not keycloak$...: the query writes nothing
# (no broken credential), and the change fails with a reason in the log
sed -i "s|^password_scheme = .*|password_scheme = bcrypt|" "$WORK/customdb.conf"
start_daemon "$WORK/customdb.conf" "$LOG" "$SOCK" || exit 1
bob_row() {
	pg_sql "$PG" "SELECT c.secret_data FROM credential c JOIN user_entity u ON u.id = c.user_id
		WHERE u.username = 'bob'"
}
BOB=$(bob_row)
t_fail "password_scheme = bcrypt: bob's change fails" chpw 10002 bob bob-password-1 "new bob pw"
t_out "and his credential is as it was" "$BOB" bob_row
t_grep "the log says the query changed no row" "changed no row" cat "$LOG"
t_ok "bob still logs in with his password" login bob bob-password-1
stop_daemon "$WORK/daemon.pid"
t_summary
