#!/bin/bash
# users.sh: customdb user add|show|modify|passwd|verify|delete end to end:
# the tool against real legacy databases, with a running daemon so that
# what it changes is checked through real clients (pamtester, getent).
#
#   tests/integration/users.sh
#
# Legacy mode on SQLite, PostgreSQL and MariaDB (the writing queries of
# lib/legacy.sh, a different password_scheme on each), then migrate mode
# with an SQLite store over an SQLite and a PostgreSQL legacy database, then
# the writing queries of conf/templates/ on each engine. Checked: a new user
# logs in with the new password, hashed in password_scheme; a taken name or
# uid and bad input fail with a clear message and change nothing; show,
# human and JSON; modify and verify reach the database (or the store);
# after passwd the old password fails and the new one works; delete removes
# the row, or in migrate mode leaves a tombstone the user does not migrate
# back through, unless --allow-remigrate; a query that is not configured is
# named; the terminal prompts (expect).
# Needs what run.sh needs; runs inside a private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-users.XXXXXX)
chmod 755 "$WORK"
PGDIR=$WORK/pg
MYDIR=$WORK/maria
cleanup() {
	local p
	for p in "$WORK"/*.pid; do
		[ -e "$p" ] && stop_daemon "$p" KILL
	done
	pg_stop "$PGDIR" >/dev/null 2>&1
	maria_stop "$MYDIR" >/dev/null 2>&1
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"

# E: the legacy engine the helpers below talk to; CONF: the tool's config
E=sqlite
CONF=/nonexistent

tool() { "$TOOL" -c "$CONF" "$@"; }
# tool_pw PASSWORD ARGS...: the tool, PASSWORD as the one line of stdin
tool_pw() { local pw=$1; shift; printf '%s\n' "$pw" | "$TOOL" -c "$CONF" "$@"; }
# tool_with CONFIG PASSWORD ARGS...: the same with another config
tool_with() { local c=$1 pw=$2; shift 2; printf '%s\n' "$pw" | "$TOOL" -c "$c" "$@"; }

legacy_sql() {
	case $E in
	sqlite) sqlite3 -batch "$WORK/legacy.db" "$1" ;;
	postgresql) pg_sql "$PGDIR" "$1" ;;
	mysql) maria_sql "$MYDIR" "$1" ;;
	esac
}
# col USER COLUMN: one column of the user's legacy row
col() { legacy_sql "SELECT $2 FROM users WHERE username = '$1'"; }
nrows() { legacy_sql "SELECT count(*) FROM users"; }
has_user() { legacy_sql "SELECT count(*) FROM users WHERE username = '$1'"; }
# hash_format USER: what customdb hash identify makes of the stored hash
hash_format() { "$TOOL" -c "$CONF" hash identify "$(col "$1" password)" | sed -n 's/^format: //p'; }

STORE_DB=/nonexistent
store_sql() { sqlite3 -batch "$STORE_DB" "$1"; }
store_has() { store_sql "SELECT count(*) FROM users WHERE name = '$1'"; }
tombstone() { store_sql "SELECT count(*) FROM tombstones WHERE name = '$1'"; }

# json EXPR CMD...: CMD's standard output parsed as JSON (d), EXPR printed
json() {
	local expr=$1; shift
	"$@" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
v = eval(sys.argv[1])
print(" ".join(map(str, v)) if isinstance(v, tuple) else v)' "$expr"
}
json_ok() { "$@" 2>/dev/null | python3 -m json.tool >/dev/null; }

# drop_query KEY: the config on stdin without query KEY (and its lines)
drop_query() {
	awk -v k="$1" '
		skip && /^[ \t]/ { next }
		{ skip = 0 }
		$0 ~ "^" k "[ \t]*=" { skip = 1; next }
		{ print }'
}

connection() {
	case $1 in
	sqlite) echo "$WORK/legacy.db" ;;
	postgresql) echo "$(pg_conninfo "$PGDIR") password=legacy-secret" ;;
	mysql) echo "$(maria_conninfo "$MYDIR") password=legacy-secret" ;;
	esac
}

# load_legacy ENGINE: the fixture's tables and users, afresh, writable
load_legacy() {
	case $1 in
	sqlite) legacy_data | legacy_load sqlite "$WORK/legacy.db" ;;
	postgresql) legacy_data | legacy_load postgresql "$PGDIR" ;;
	mysql) legacy_data | legacy_load mysql "$MYDIR" ;;
	esac
}

# write_config ENGINE MODE SCHEME DIR SOCKET: the fixture's config, with
# require_verified and password_scheme; migrate mode with an SQLite store
write_config() {
	local e=$1 mode=$2 scheme=$3 d=$4 sock=$5
	legacy_config "$e" "$(connection "$e")" "$sock" "require_verified = yes" |
		sed -e "s|^state_dir = .*|state_dir = $d/state|" -e "s/^mode = legacy\$/mode = $mode/" \
		    -e "s|^\[legacy\]\$|[legacy]\npassword_scheme = $scheme|"
	[ "$mode" = migrate ] && printf '\n[store]\npath = %s/state/store.db\n' "$d"
	return 0
}

# setup NAME ENGINE MODE SCHEME: data, config, PAM service and daemon; sets
# E, CONF, SVC, PIDFILE, LOG, D
setup() {
	local name=$1 e=$2 mode=$3 scheme=$4 sock=/run/customdb/$1.sock
	E=$e
	D=$WORK/$name
	mkdir -p "$D"
	chmod 755 "$D"
	CONF=$D/customdb.conf
	SVC=users-$name
	PIDFILE=$WORK/$name.pid
	LOG=$D/daemon.log
	STORE_DB=$D/state/store.db
	export CUSTOMDB_SOCKET=$sock CUSTOMDB_STATE_DIR=$D/state
	t_ok "$name: legacy data loaded" load_legacy "$e" || return 1
	write_config "$e" "$mode" "$scheme" "$D" "$sock" > "$CONF"
	chmod 600 "$CONF"
	ns_pam_service "$SVC" "auth required $PAMMOD socket=$sock" "account required $PAMMOD socket=$sock"
	t_ok "$name: customdbd starts" start_daemon "$CONF" "$LOG" "$sock" "$PIDFILE"
}

# a config of the current one without query KEY, at DIR/no-KEY.conf
config_without() {
	drop_query "$1" < "$CONF" > "$D/no-$1.conf"
	chmod 600 "$D/no-$1.conf"
	echo "$D/no-$1.conf"
}

teardown() {
	stop_daemon "$PIDFILE"
	t_nogrep "$1: no sanitizer report in the daemon's log" "AddressSanitizer|LeakSanitizer|runtime error" cat "$LOG"
	unset CUSTOMDB_SOCKET CUSTOMDB_STATE_DIR
}

# --- legacy mode -----------------------------------------------------------

legacy_suite() {
	local e=$1 scheme=$2 t="$1 legacy" n h c
	t_section "$t: setup"
	setup "legacy-$e" "$e" legacy "$scheme" || return

	t_section "$t: user add"
	n=$(nrows)
	t_fail "$t: getent passwd nina: no such user yet (the daemon caches that)" getent passwd nina
	t_rc "$t: add nina; the daemon forgets its 'no such user'" 0 "cache_flushed: [0-9]" \
		tool_pw nina-pw user add nina --email nina@example.org
	t_out "$t: ... one row, with her email" "nina@example.org" col nina email
	t_out "$t: ... the hash in password_scheme ($scheme)" "$scheme" hash_format nina
	t_out "$t: ... her uid picked by the create query" 10100 col nina uid
	t_grep "$t: nina logs in (pamtester)" "successfully authenticated" pam "$SVC" nina nina-pw
	t_grep "$t: ... a wrong password fails" "Authentication failure" pam "$SVC" nina nina-wrong
	t_out "$t: getent passwd nina" "nina:x:10100:100::/home/nina:/bin/sh" getent passwd nina
	t_rc "$t: add olga --uid 10500 --json" 0 '"uid":10500' tool_pw olga-pw user add olga --uid 10500 --json
	t_out "$t: ... uid 10500 in the database" 10500 col olga uid
	t_grep "$t: olga logs in" "successfully authenticated" pam "$SVC" olga olga-pw
	n=$(nrows)
	h=$(col alice password)
	t_rc "$t: add alice (taken): exit 1, says why" 1 "user alice exists \(get_user returns 1 row" \
		tool_pw x-pw user add alice
	t_out "$t: ... alice's row untouched" "$h" col alice password
	t_rc "$t: add outsider (uid 70000: a row customdb never answers for, still taken): exit 1" 1 \
		"user outsider exists" tool_pw x-pw user add outsider
	t_rc "$t: add pia --uid 10001 (alice's): exit 1" 1 "uid 10001 is taken in the legacy database" \
		tool_pw x-pw user add pia --uid 10001
	t_rc "$t: an invalid name: exit 2, says what a name may be" 2 \
		"'Bad Name' is not a name customdb answers for: 1 to 64 of" tool_pw x-pw user add 'Bad Name'
	t_rc "$t: root: exit 2" 2 "'root' is not a name customdb answers for" tool_pw x-pw user add root
	t_rc "$t: a uid out of range: exit 2, names the range" 2 \
		"uid 70001 is outside \[min_uid, max_uid\] = \[10000, 60000\]" tool_pw x-pw user add pia --uid 70001
	t_rc "$t: a uid that is not a number: exit 2" 2 "--uid: '12ab' is not a uid" tool_pw x-pw user add pia --uid 12ab
	t_rc "$t: a bad email: exit 2" 2 "'no at sign' is not an email address" \
		tool_pw x-pw user add pia --email 'no at sign'
	t_rc "$t: an empty password: exit 2" 2 "the password is empty" tool_pw "" user add pia
	t_rc "$t: no password at all: exit 2" 2 "no password given" tool user add pia </dev/null
	t_out "$t: ... none of these wrote a row" "$n" nrows
	t_out "$t: ... no pia" 0 has_user pia
	c=$(config_without create)
	t_rc "$t: without a create query: exit 2, named" 2 \
		"query create is not configured \(\[queries\] create in $c\)" tool_with "$c" x-pw user add pia
	# a create that writes a uid customdb never answers for: the confirming
	# login finds no one
	{ drop_query create < "$CONF"
	  echo "create = INSERT INTO users ($LEGACY_USER_COLS) VALUES (900, :username, 70002, :password_hash, :email, 1, NULL, NULL)"
	} > "$D/baduid.conf"
	chmod 600 "$D/baduid.conf"
	t_rc "$t: a create the login cannot use: exit 2, the confirming login says so" 2 \
		"user quinn was written, but a login with the new password fails \(not found\)" \
		tool_with "$D/baduid.conf" quinn-pw user add quinn
	legacy_sql "DELETE FROM users WHERE id = 900"

	t_section "$t: user show"
	t_grep "$t: show alice: where" "^where: legacy$" tool user show alice
	t_grep "$t: ... her record" "^  gecos: Alice Liddell$" tool user show alice
	t_grep "$t: ... her groups, by name and gid" "^  groups: devs \(20001\), ops \(20002\)$" tool user show alice
	t_ok "$t: show alice --json is JSON" json_ok tool user show alice --json
	t_out "$t: ... with the same facts" "legacy 10001 alice@example.org devs:20001,ops:20002" \
		json 'd["where"], d["user"]["uid"], d["user"]["email"], ",".join("%s:%d" % (g["group"], g["gid"]) for g in d["user"]["groups"])' \
		tool --json user show alice
	t_grep "$t: show uma: the account state from the login query" "email_verified: no" tool user show uma
	t_grep "$t: show mike: must change his password" "must_change_password: yes" tool user show mike
	t_rc "$t: show nobody: exit 1" 1 "lookup: not found" tool user show nosuchuser
	t_rc "$t: show lowuid (uid 500, never answered): exit 1" 1 "lookup: not found" tool user show lowuid

	t_section "$t: user verify"
	t_grep "$t: uma (unverified, require_verified = yes) is refused at the account step" \
		"Permission denied" pam "$SVC" uma uma-pw authenticate acct_mgmt
	t_rc "$t: verify uma" 0 "result: verified" tool user verify uma
	t_out "$t: ... email_verified = 1 in the database" 1 col uma email_verified
	t_grep "$t: ... and her account step passes" "account management done" \
		pam "$SVC" uma uma-pw authenticate acct_mgmt
	t_rc "$t: verify nobody: exit 1" 1 "no such user: nosuchuser" tool user verify nosuchuser
	c=$(config_without verify)
	t_rc "$t: without a verify query: exit 2, named" 2 "query verify is not configured" \
		tool_with "$c" "" user verify nina
	t_out "$t: ... nina still unverified" 0 col nina email_verified

	t_section "$t: user modify"
	t_rc "$t: modify alice --email" 0 "email: alice@new.example.org" \
		tool user modify alice --email alice@new.example.org
	t_out "$t: ... the new address in the database" alice@new.example.org col alice email
	t_out "$t: ... not verified yet (the change_email query)" 0 col alice email_verified
	t_rc "$t: modify without --email: exit 2" 2 "give --email" tool user modify alice
	t_rc "$t: modify with a bad address: exit 2" 2 "is not an email address" tool user modify alice --email 'a b@c'
	t_rc "$t: modify nobody: exit 1" 1 "no such user" tool user modify nosuchuser --email x@example.org
	c=$(config_without change_email)
	t_rc "$t: without a change_email query: exit 2, named" 2 "query change_email is not configured" \
		tool_with "$c" "" user modify alice --email other@example.org
	t_out "$t: ... nothing changed" alice@new.example.org col alice email

	t_section "$t: user passwd"
	t_rc "$t: passwd bob" 0 "result: changed" tool_pw bob-new user passwd bob
	t_grep "$t: ... the old password fails" "Authentication failure" pam "$SVC" bob bob-pw
	t_grep "$t: ... the new one works" "successfully authenticated" pam "$SVC" bob bob-new
	t_out "$t: ... hashed in password_scheme" "$scheme" hash_format bob
	t_rc "$t: passwd mike (must change his password)" 0 "result: changed" tool_pw mike-new user passwd mike
	t_out "$t: ... the forced change is done (change_password)" 0 col mike must_change
	t_grep "$t: ... his account step passes" "account management done" \
		pam "$SVC" mike mike-new authenticate acct_mgmt
	t_rc "$t: passwd nobody: exit 1, before any password is asked" 1 "nosuchuser: not found" \
		tool user passwd nosuchuser </dev/null
	t_rc "$t: an empty password: exit 2" 2 "the password is empty" tool_pw "" user passwd bob
	t_grep "$t: ... bob's password unchanged" "successfully authenticated" pam "$SVC" bob bob-new
	c=$(config_without change_password)
	t_rc "$t: without a change_password query: exit 2, named" 2 \
		"query change_password is not configured" tool_with "$c" bob-other user passwd bob
	t_grep "$t: ... bob's password unchanged" "successfully authenticated" pam "$SVC" bob bob-new

	t_section "$t: user delete"
	t_out "$t: getent passwd nina, now in the daemon's cache" "nina:x:10100:100::/home/nina:/bin/sh" getent passwd nina
	c=$(config_without delete)
	t_rc "$t: without a delete query: exit 2, named" 2 "query delete is not configured" \
		tool_with "$c" "" user delete nina
	t_out "$t: ... nina still there" 1 has_user nina
	t_rc "$t: delete nina (standard input not a terminal: no question); the daemon drops her" 0 \
		"cache_flushed: [1-9]" tool user delete nina </dev/null
	t_out "$t: ... her row is gone" 0 has_user nina
	t_ok "$t: ... and a rewrite of the host cache file drops her" \
		wait_uncached "$CUSTOMDB_STATE_DIR" passwd nina
	t_fail "$t: ... getent passwd nina fails (no cached entry left)" getent passwd nina
	t_grep "$t: ... she cannot log in" "User not known" pam "$SVC" nina nina-pw
	t_rc "$t: delete her again: exit 1" 1 "no such user: nina" tool user delete nina --yes
	t_rc "$t: delete --json" 0 '"result":"deleted"' tool user delete olga --yes --json
	t_out "$t: ... olga's row is gone" 0 has_user olga

	if [ "$e" = postgresql ]; then
		t_section "$t: the database down"
		t_ok "$t: server stopped" pg_stop "$PGDIR"
		t_rc "$t: show: exit 3" 3 "lookup: database unavailable" tool user show alice
		t_rc "$t: add: exit 3, the error named" 3 "query get_user: " tool_pw x-pw user add pia
		t_rc "$t: verify: exit 3" 3 "unavailable" tool user verify bob
		t_ok "$t: server started again" pg_restart_server "$PGDIR"
	fi
	teardown "$t"
}

# the command line and the terminal, once
command_line() {
	local t="command line"
	t_section "$t"
	setup cli sqlite legacy sha512crypt || return
	t_rc "$t: user --help: exit 0, on stdout" 0 "^Usage: customdb .*user COMMAND" bash -c "'$TOOL' user --help 2>/dev/null"
	for sub in add show modify passwd verify delete; do
		t_rc "$t: user $sub --help: exit 0, on stdout" 0 "^Usage: customdb \[-c FILE\] user $sub NAME" \
			bash -c "'$TOOL' user $sub --help 2>/dev/null"
	done
	t_rc "$t: user with no command: exit 2" 2 "Usage:" tool user
	t_rc "$t: an unknown command: exit 2" 2 "user: unknown command 'frob'" tool user frob alice
	t_rc "$t: an option the command does not take: exit 2" 2 "user show: an option it does not take" \
		tool user show alice --uid 10001
	t_rc "$t: an unknown option: exit 2" 2 "unknown option or missing value: --frob" tool user show alice --frob
	t_rc "$t: two names: exit 2" 2 "one user NAME expected" tool user show alice bob
	t_rc "$t: options after the name, and --json before the group" 0 '"username":"bob"' \
		"$TOOL" -c "$CONF" --json user show bob

	t_rc "$t: add on a terminal asks twice; two different answers: exit 2" 2 \
		"the passwords do not match" pty $'tess-pw\ntess-other' "$TOOL" -c "$CONF" user add tess
	t_out "$t: ... no tess" 0 has_user tess
	t_rc "$t: add on a terminal, the same answer twice" 0 "result: created" \
		pty $'tess-pw\ntess-pw' "$TOOL" -c "$CONF" user add tess
	t_grep "$t: ... tess logs in" "successfully authenticated" pam "$SVC" tess tess-pw
	t_rc "$t: passwd on a terminal" 0 "result: changed" pty $'tess-new\ntess-new' "$TOOL" -c "$CONF" user passwd tess
	t_grep "$t: ... the new password works" "successfully authenticated" pam "$SVC" tess tess-new
	t_rc "$t: delete on a terminal asks, says what will happen; no: exit 1" 1 \
		"Delete user tess \(legacy\)\? the row goes from the legacy database \(the delete query\)\. \[y/N\]" \
		pty 'n' "$TOOL" -c "$CONF" user delete tess
	t_out "$t: ... tess is still there" 1 has_user tess
	t_rc "$t: delete on a terminal, yes" 0 "result: deleted" pty 'y' "$TOOL" -c "$CONF" user delete tess
	t_out "$t: ... tess is gone" 0 has_user tess
	t_rc "$t: --yes on a terminal: no question" 0 "result: deleted" pty '' "$TOOL" -c "$CONF" user delete bob --yes
	teardown "$t"
}

# --- migrate mode ---------------------------------------------------------

migrate_suite() {
	local e=$1 t="$1 legacy, SQLite store" n uid c
	t_section "$t: setup"
	setup "migrate-$e" "$e" migrate bcrypt || return

	t_section "$t: user add, straight into the store"
	n=$(nrows)
	t_rc "$t: add nina" 0 "where: store" tool_pw nina-pw user add nina --email nina@example.org
	t_out "$t: ... one store row, argon2id" '1 $argon2id$' \
		store_sql "SELECT count(*) || ' ' || substr(password_hash, 1, 10) FROM users WHERE name = 'nina'"
	t_out "$t: ... email kept, not verified yet" "nina@example.org|0" \
		store_sql "SELECT email || '|' || email_verified FROM users WHERE name = 'nina'"
	t_out "$t: ... the legacy database untouched" "$n" nrows
	uid=$(store_sql "SELECT uid FROM users WHERE name = 'nina'")
	t_ok "$t: ... uid $uid inside [10000, 60000]" test "${uid:-0}" -ge 10000 -a "${uid:-0}" -le 60000
	t_out "$t: ... and no legacy user's" 0 legacy_sql "SELECT count(*) FROM users WHERE uid = ${uid:-0}"
	t_grep "$t: nina logs in (pamtester)" "successfully authenticated" pam "$SVC" nina nina-pw
	t_grep "$t: ... a wrong password fails" "Authentication failure" pam "$SVC" nina nina-wrong
	t_out "$t: getent passwd nina" "nina:x:$uid:100::/home/nina:/bin/sh" getent passwd nina
	t_rc "$t: add olga --uid 10500" 0 "uid: 10500" tool_pw olga-pw user add olga --uid 10500
	t_out "$t: ... in the store with uid 10500" 10500 store_sql "SELECT uid FROM users WHERE name = 'olga'"
	t_rc "$t: a uid picked next is clear of the store and the legacy database" 0 "result: created" \
		tool_pw pat-pw user add pat
	uid=$(store_sql "SELECT uid FROM users WHERE name = 'pat'")
	t_out "$t: ... uid $uid: above the store's highest (10500)" 10501 echo "$uid"
	t_rc "$t: add alice (in the legacy database, not migrated): exit 1" 1 "user alice exists \(get_user" \
		tool_pw x-pw user add alice
	t_rc "$t: add nina again (in the store): exit 1" 1 "user nina exists \(in the store\)" \
		tool_pw x-pw user add nina
	t_rc "$t: add pia --uid 10002 (bob's, in the legacy database): exit 1" 1 \
		"uid 10002 is taken in the legacy database" tool_pw x-pw user add pia --uid 10002
	t_rc "$t: add pia --uid 10500 (olga's, in the store): exit 1" 1 "uid 10500 is held in the store by olga" \
		tool_pw x-pw user add pia --uid 10500
	t_rc "$t: an invalid name: exit 2" 2 "is not a name customdb answers for" tool_pw x-pw user add -- -dash
	t_rc "$t: a uid out of range: exit 2" 2 "uid 9999 is outside" tool_pw x-pw user add pia --uid 9999
	c=$(config_without get_user_by_uid)
	t_rc "$t: without get_user_by_uid: exit 2, says why it is needed" 2 \
		"query get_user_by_uid is not configured .* cannot be kept clear of the legacy database" \
		tool_with "$c" x-pw user add pia
	t_out "$t: ... none of these wrote a store row" 3 store_sql "SELECT count(*) FROM users"
	t_out "$t: ... nor a legacy row" "$n" nrows

	t_section "$t: user show, where the user lives"
	t_grep "$t: alice logs in (migrates)" "successfully authenticated" pam "$SVC" alice alice-pw
	t_grep "$t: show alice: in the store" "^where: store$" tool user show alice
	t_grep "$t: ... migrated_at" "^  migrated_at: 20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T" tool user show alice
	t_grep "$t: ... last_login_at" "^  last_login_at: 20[0-9][0-9]-" tool user show alice
	t_grep "$t: ... her groups from the store" "^  groups: devs \(20001\), ops \(20002\)$" tool user show alice
	t_ok "$t: show alice --json is JSON" json_ok tool user show alice --json
	t_out "$t: ... where, times, imported" "store True True False" \
		json 'd["where"], d["store"]["migrated_at"] is not None, d["store"]["last_login_at"] is not None, d["store"]["imported"]' \
		tool user show alice --json
	t_grep "$t: show bob: not migrated yet" "^where: legacy$" tool user show bob
	t_out "$t: show bob --json: no store part" "legacy False" json 'd["where"], "store" in d' tool user show bob --json
	t_grep "$t: show pat (created by the tool): last_login_at from the confirming login" \
		"^  last_login_at: 20" tool user show pat

	t_section "$t: user modify, verify"
	t_rc "$t: modify alice (migrated)" 0 "result: changed" tool user modify alice --email alice@store.example.org
	t_out "$t: ... the store row, not verified any more" "alice@store.example.org|0" \
		store_sql "SELECT email || '|' || email_verified FROM users WHERE name = 'alice'"
	t_out "$t: ... the legacy row untouched" alice@example.org col alice email
	t_rc "$t: verify alice (migrated)" 0 "result: verified" tool user verify alice
	t_out "$t: ... in the store" 1 store_sql "SELECT email_verified FROM users WHERE name = 'alice'"
	t_rc "$t: modify bob (not migrated): the change_email query" 0 "result: changed" \
		tool user modify bob --email bob@new.example.org
	t_out "$t: ... in the legacy database" bob@new.example.org col bob email
	t_out "$t: ... bob not migrated by it" 0 store_has bob
	t_grep "$t: uma (unverified, not migrated) is refused at the account step" "Permission denied" \
		pam "$SVC" uma uma-pw authenticate acct_mgmt
	t_rc "$t: verify uma (not migrated): the verify query" 0 "result: verified" tool user verify uma
	t_out "$t: ... in the legacy database" 1 col uma email_verified
	t_grep "$t: ... her account step passes" "account management done" pam "$SVC" uma uma-pw authenticate acct_mgmt

	t_section "$t: user passwd"
	t_rc "$t: passwd alice (migrated)" 0 "result: changed" tool_pw alice-new user passwd alice
	t_grep "$t: ... the old password fails" "Authentication failure" pam "$SVC" alice alice-pw
	t_grep "$t: ... the new one works" "successfully authenticated" pam "$SVC" alice alice-new
	t_out "$t: ... an argon2id hash in the store" '$argon2id$' \
		store_sql "SELECT substr(password_hash, 1, 10) FROM users WHERE name = 'alice'"
	t_rc "$t: passwd erin (not migrated)" 0 "result: changed" tool_pw erin-new user passwd erin
	t_out "$t: ... erin migrated with the new password" 1 store_has erin
	t_grep "$t: ... her old password fails" "Authentication failure" pam "$SVC" erin erin-pw
	t_grep "$t: ... the new one works" "successfully authenticated" pam "$SVC" erin erin-new

	t_section "$t: user delete and tombstones"
	t_out "$t: getent passwd alice, now in the daemon's cache" \
		"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
	t_rc "$t: delete alice (migrated)" 0 "tombstone: yes" tool user delete alice </dev/null
	t_grep "$t: ... the daemon dropped her cached entries" "dropped \(customdb cache flush" \
		grep "host cache: [1-9][0-9]* entries of alice dropped" "$LOG"
	t_out "$t: ... her store row is gone" 0 store_has alice
	t_out "$t: ... a tombstone" 1 tombstone alice
	t_out "$t: ... the legacy row stays" 1 has_user alice
	t_ok "$t: ... and a rewrite of the host cache file drops her" \
		wait_uncached "$CUSTOMDB_STATE_DIR" passwd alice
	t_fail "$t: ... getent passwd alice fails" getent passwd alice
	t_grep "$t: ... her store password fails" "User not known" pam "$SVC" alice alice-new
	t_grep "$t: ... and her legacy password does not migrate her back" "User not known" pam "$SVC" alice alice-pw
	t_out "$t: ... not migrated again" 0 store_has alice
	t_rc "$t: show alice: deleted, exit 1" 1 "where: deleted" tool user show alice
	t_out "$t: show alice --json: deleted_at" "deleted True" \
		json 'd["where"], d["store"]["deleted_at"] is not None' tool user show alice --json
	t_rc "$t: delete alice again: exit 1" 1 "user alice is deleted already" tool user delete alice
	t_rc "$t: modify a deleted user: exit 1" 1 "user alice was deleted" tool user modify alice --email a@example.org
	t_rc "$t: passwd a deleted user: exit 1" 1 "not found" tool_pw x-pw user passwd alice
	t_rc "$t: add alice --reuse-deleted: the legacy database still has her: exit 1" 1 \
		"user alice exists \(get_user" tool_pw x-pw user add alice --reuse-deleted
	t_out "$t: ... the tombstone stays" 1 tombstone alice
	t_rc "$t: delete alice --allow-remigrate: the tombstone goes" 0 "result: tombstone removed" \
		tool user delete alice --allow-remigrate
	t_out "$t: ... no tombstone" 0 tombstone alice
	t_grep "$t: ... her legacy password migrates her again" "successfully authenticated" pam "$SVC" alice alice-pw
	t_out "$t: ... one store row" 1 store_has alice
	t_rc "$t: delete alice --allow-remigrate (migrated): no tombstone" 0 "tombstone: no" \
		tool user delete alice --allow-remigrate --yes
	t_out "$t: ... the store row is gone" 0 store_has alice
	t_out "$t: ... no tombstone" 0 tombstone alice
	t_grep "$t: ... her next login migrates her again" "successfully authenticated" pam "$SVC" alice alice-pw
	t_out "$t: ... one store row" 1 store_has alice
	t_rc "$t: delete bob (not migrated): a tombstone alone" 0 "was: legacy" tool user delete bob --yes
	t_out "$t: ... the tombstone" 1 tombstone bob
	t_out "$t: ... the legacy row stays" 1 has_user bob
	t_grep "$t: ... bob cannot log in" "User not known" pam "$SVC" bob bob-pw
	t_out "$t: ... nor is he migrated" 0 store_has bob
	t_rc "$t: delete carol --allow-remigrate (not migrated, no tombstone): nothing to do, exit 1" 1 \
		"user carol is not migrated: the store holds nothing to delete" tool user delete carol --allow-remigrate
	t_rc "$t: delete nobody: exit 1" 1 "no such user" tool user delete nosuchuser
	t_rc "$t: delete nina (created by the tool)" 0 "result: deleted" tool user delete nina --yes
	t_rc "$t: add nina: the name was deleted on purpose: exit 1" 1 "belonged to a user deleted on purpose" \
		tool_pw x-pw user add nina
	t_rc "$t: add nina --reuse-deleted (not in the legacy database)" 0 "result: created" \
		tool_pw nina-two user add nina --reuse-deleted
	t_out "$t: ... the tombstone went" 0 tombstone nina
	t_grep "$t: ... the new nina logs in" "successfully authenticated" pam "$SVC" nina nina-two

	if [ "$e" = postgresql ]; then
		t_section "$t: the legacy database down"
		t_ok "$t: legacy server stopped" pg_stop "$PGDIR"
		t_rc "$t: show alice (migrated) still works" 0 "where: store" tool user show alice
		t_rc "$t: passwd alice (migrated) still works" 0 "result: changed" tool_pw alice-down user passwd alice
		t_grep "$t: ... and she logs in with it" "successfully authenticated" pam "$SVC" alice alice-down
		t_rc "$t: show frank (not migrated): exit 3" 3 "database unavailable" tool user show frank
		t_rc "$t: add: exit 3 (the name cannot be checked)" 3 "query get_user" tool_pw x-pw user add pia
		t_out "$t: ... nothing written" 0 store_has pia
		t_ok "$t: legacy server started again" pg_restart_server "$PGDIR"
	fi
	teardown "$t"
	t_nogrep "$t: no password or hash reached the daemon's log" \
		'nina-pw|alice-new|alice-pw|erin-new|\$argon2id\$|\$2b\$' cat "$LOG"
}

# --- the templates' writing queries -------------------------------------------

# template_suite ENGINE: conf/templates/ENGINE.sql in a database of its own,
# conf/templates/ENGINE.conf pointed at it; every user command through the
# tool alone
template_suite() {
	local e=$1 t="$1 template" d=$WORK/tmpl-$1 conn g
	t_section "$t: conf/templates/$e.conf over $e.sql"
	mkdir -p "$d"
	chmod 755 "$d"
	E=$e
	D=$d
	case $e in
	sqlite)
		conn=$d/app.db
		sqlite3 -batch "$conn" < "$ROOT/conf/templates/sqlite.sql"
		tmpl_sql() { sqlite3 -batch "$D/app.db" "$1"; }
		;;
	postgresql)
		printf '%s\n' "CREATE DATABASE shop;" "GRANT CONNECT ON DATABASE shop TO customdb;" |
			_pg_psql "$PGDIR" postgres >/dev/null
		{ cat "$ROOT/conf/templates/postgresql.sql"
		  echo "GRANT SELECT ON users, groups, user_groups TO customdb;"
		  echo "GRANT INSERT, UPDATE, DELETE ON users TO customdb;"
		  echo "GRANT USAGE ON SEQUENCE users_id_seq TO customdb;"; } | _pg_psql "$PGDIR" shop >/dev/null
		conn="$(pg_conninfo "$PGDIR" | sed 's/dbname=legacy/dbname=shop/') password=legacy-secret"
		tmpl_sql() { printf '%s\n' "$1" | _pg_psql "$PGDIR" shop; }
		;;
	mysql)
		printf '%s\n' "CREATE DATABASE shop;" "GRANT SELECT ON shop.* TO 'customdb'@'localhost';" |
			_maria_client "$MYDIR" mysql >/dev/null
		{ cat "$ROOT/conf/templates/mysql.sql"
		  echo "GRANT INSERT, UPDATE, DELETE ON shop.users TO 'customdb'@'localhost';"; } |
			_maria_client "$MYDIR" shop
		conn="$(maria_conninfo "$MYDIR" | sed 's/database=legacy/database=shop/') password=legacy-secret"
		tmpl_sql() { printf '%s\n' "$1" | _maria_client "$MYDIR" shop; }
		;;
	esac
	CONF=$d/customdb.conf
	sed -e "s|^connection = .*|connection = $conn|" -e '/^password_file = /d' \
	    -e "s|^\[customdb\]\$|[customdb]\nstate_dir = $d/state\nsocket = /run/customdb/tmpl.sock|" \
		"$ROOT/conf/templates/$e.conf" > "$CONF"
	chmod 600 "$CONF"
	g=groups
	[ "$e" = mysql ] && g='`groups`'
	tmpl_sql "INSERT INTO $g (name) VALUES ('staff')" >/dev/null
	t_rc "$t: customdb check passes" 0 "result: ok" tool check
	t_rc "$t: add ann" 0 "uid: 10001" tool_pw ann-pw user add ann --email ann@example.org
	t_rc "$t: add ben --uid 10050" 0 "uid: 10050" tool_pw ben-pw user add ben --uid 10050
	t_rc "$t: ... ann logs in" 0 "login: ok" tool_pw ann-pw try login ann
	t_rc "$t: add ann again: exit 1" 1 "user ann exists" tool_pw x-pw user add ann
	tmpl_sql "INSERT INTO user_groups SELECT u.id, g.id FROM users u, $g g WHERE u.username = 'ann'" >/dev/null
	t_rc "$t: show ann: her group" 0 "groups: staff \(20001\)" tool user show ann
	t_rc "$t: show ann: not verified yet" 0 "email_verified: no" tool user show ann
	t_rc "$t: verify ann" 0 "result: verified" tool user verify ann
	t_rc "$t: ... shown verified" 0 "email_verified: yes" tool user show ann
	t_rc "$t: modify ann" 0 "result: changed" tool user modify ann --email ann@new.example.org
	t_rc "$t: ... the new address, not verified" 0 "email: ann@new.example.org" tool user show ann
	t_rc "$t: ... not verified" 0 "email_verified: no" tool user show ann
	tmpl_sql "UPDATE users SET must_change_password = $([ "$e" = postgresql ] && echo true || echo 1) WHERE username = 'ann'" >/dev/null
	t_rc "$t: passwd ann" 0 "result: changed" tool_pw ann-new user passwd ann
	t_rc "$t: ... the new password works" 0 "login: ok" tool_pw ann-new try login ann
	t_rc "$t: ... the old one fails" 1 "login: authentication failed" tool_pw ann-pw try login ann
	t_rc "$t: ... the forced change is done" 0 "must_change_password: no" tool user show ann
	t_rc "$t: delete ann" 0 "result: deleted" tool user delete ann --yes
	t_out "$t: ... her row and her membership are gone" 0 \
		tmpl_sql "SELECT (SELECT count(*) FROM users WHERE username = 'ann') + (SELECT count(*) FROM user_groups)"
	t_rc "$t: add cid" 0 "result: created" tool_pw cid-pw user add cid
	t_out "$t: ... who does not get ann's uid" True json 'd["user"]["uid"] not in (10001, 10050)' \
		tool user show cid --json
}

t_section "servers"
mkdir -p "$PGDIR" "$MYDIR"
export PG_PORT=${PG_PORT:-55461}
t_ok "PostgreSQL starts" pg_start "$PGDIR" || exit 1
t_ok "MariaDB starts" maria_start "$MYDIR" || exit 1

legacy_suite sqlite sha512crypt
legacy_suite postgresql bcrypt
legacy_suite mysql yescrypt
command_line
migrate_suite sqlite
migrate_suite postgresql
migrate_suite mysql
template_suite sqlite
template_suite postgresql
template_suite mysql
t_summary
