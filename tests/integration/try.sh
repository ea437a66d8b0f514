#!/bin/bash
# try.sh: `customdb try login` writes nothing unless given --commit, in
# either mode, with a real SQLite legacy database and a real SQLite store.
#
#   tests/integration/try.sh
#
# Migrate mode: a try of a user not migrated yet leaves no store row (the
# store, user show, migrate status say so) and logs no migration; a try of a
# migrated user leaves last_login_at as it was; a try of a bulk-imported
# user leaves the legacy hash; a uid the store holds under another name
# fails the try as it fails a login. --commit migrates, records the login
# and re-hashes. Legacy mode with rehash_on_login = yes: a try leaves a
# weaker legacy hash as it is; --commit re-hashes it. --commit anywhere else
# is a usage error. No server and no daemon: the tool runs the connector.
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-try.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

LEGACY_DB=$WORK/legacy.db
STORE_DB=$WORK/state/store.db
mkdir -m 700 "$WORK/state"

# CONF: the config the helpers below use
tool() { "$TOOL" -c "$CONF" "$@"; }
# tool_pw PASSWORD ARGS...: the tool, PASSWORD as the one line of stdin
tool_pw() { local pw=$1; shift; printf '%s\n' "$pw" | "$TOOL" -c "$CONF" "$@"; }
legacy_sql() { sqlite3 -batch "$LEGACY_DB" "$1"; }
store_sql() { sqlite3 -batch "$STORE_DB" "$1"; }
legacy_hash() { legacy_sql "SELECT password FROM users WHERE username = '$1'"; }
store_hash() { store_sql "SELECT password_hash FROM users WHERE name = '$1'"; }
store_rows() { store_sql "SELECT count(*) FROM users WHERE name = '$1'"; }

legacy_data | legacy_load sqlite "$LEGACY_DB"
legacy_config sqlite "$LEGACY_DB" /run/customdb/try.sock |
	sed "s|^state_dir = .*|state_dir = $WORK/state|" > "$WORK/legacy.conf"
sed 's/^\[legacy\]$/[legacy]\nrehash_on_login = yes/' "$WORK/legacy.conf" > "$WORK/rehash.conf"
sed 's/^mode = legacy$/mode = migrate/' "$WORK/legacy.conf" > "$WORK/migrate.conf"
printf '\n[store]\npath = %s\n' "$STORE_DB" >> "$WORK/migrate.conf"
chmod 600 "$WORK"/*.conf

t_section "the command line"
CONF=$WORK/migrate.conf
t_rc "try login --help names --commit" 0 "try login USER \[--commit\]" tool try login --help
t_rc "... and says a try changes nothing without it" 0 "changes nothing" tool try --help
t_rc "--commit on try get-user: exit 2" 2 "--commit is an option of try login USER only" \
	tool try get-user alice --commit
t_rc "--commit on check: exit 2" 2 "--commit is an option of try login USER only" \
	tool check --commit
t_rc "try login --commit without a user: exit 2" 2 "unknown command or wrong arguments" \
	tool_pw alice-pw try login --commit

t_section "migrate mode: a user not migrated yet"
t_nogrep "try login alice logs no migration" "migrated" tool_pw alice-pw -d try login alice
t_rc "try login alice: ok" 0 "^login: ok" tool_pw alice-pw try login alice
t_grep "... a dry run, that did not migrate her" "^not_written: migration$" \
	tool_pw alice-pw try login alice
t_out "... the store has no row for her" 0 store_rows alice
t_out "... nor any group or membership" "0 0" \
	store_sql "SELECT (SELECT count(*) FROM groups) || ' ' || (SELECT count(*) FROM memberships)"
t_rc "... user show: she lives in the legacy database" 0 "^where: legacy" tool user show alice
t_rc "a wrong password: exit 1, nothing to write" 1 "^login: authentication failed" \
	tool_pw wrong try login alice
t_nogrep "... and no not_written" "not_written" tool_pw wrong try login alice
t_out "JSON: dry_run and not_written" "True ['migration']" python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print(d["dry_run"], d.get("not_written"))' < <(tool_pw alice-pw --json try login alice)

# bob's uid held in the store by another name: a login is refused, and so is a try
store_sql "INSERT INTO users (name, uid, gid, home, shell, password_hash, migrated_at,
	updated_at) VALUES ('zed', 10002, 100, '/home/zed', '/bin/sh', NULL, 0, 0)"
t_rc "bob's uid is zed's in the store: the try fails as a login would" 1 \
	"^login: authentication failed" tool_pw bob-pw try login bob
t_rc "... and with --commit" 1 "^login: authentication failed" tool_pw bob-pw try login bob --commit
t_out "... bob is not in the store either way" 0 store_rows bob
store_sql "DELETE FROM users WHERE name = 'zed'"

t_section "migrate mode: --commit"
t_rc "try login alice --commit: ok" 0 "^dry_run: no" tool_pw alice-pw try login alice --commit
t_out "... the store has her row now" 1 store_rows alice
t_grep "... with an argon2id hash" '^\$argon2id\$' store_hash alice
t_out "... and her groups" "devs ops" \
	store_sql "SELECT group_concat(group_name, ' ') FROM (SELECT group_name FROM memberships
		WHERE user_name = 'alice' ORDER BY group_name)"
t_rc "... user show: she lives in the store" 0 "^where: store" tool user show alice

t_section "migrate mode: a migrated user's last login"
store_sql "UPDATE users SET last_login_at = 1 WHERE name = 'alice'"
t_rc "try login alice: ok" 0 "^not_written: last_login$" tool_pw alice-pw try login alice
t_out "... last_login_at is as it was" 1 \
	store_sql "SELECT last_login_at FROM users WHERE name = 'alice'"
t_rc "try login alice --commit: ok" 0 "^login: ok" tool_pw alice-pw try login alice --commit
t_out "... last_login_at is recorded" 1 \
	store_sql "SELECT last_login_at > 1 FROM users WHERE name = 'alice'"

t_section "migrate mode: a bulk-imported user's legacy hash"
t_ok "migrate import" tool migrate import
t_grep "erin is imported with her md5crypt hash" '^\$1\$' store_hash erin
h=$(store_hash erin)
t_rc "try login erin: ok" 0 "^not_written: rehash, last_login$" tool_pw erin-pw try login erin
t_out "... her hash is as it was" "$h" store_hash erin
t_out "... still imported, never logged in" "1 never" \
	store_sql "SELECT imported || ' ' || coalesce(last_login_at, 'never') FROM users WHERE name = 'erin'"
t_rc "try login erin --commit: ok" 0 "^login: ok" tool_pw erin-pw try login erin --commit
t_grep "... re-hashed to argon2id" '^\$argon2id\$' store_hash erin
t_out "... no longer imported, logged in" "0 1" \
	store_sql "SELECT imported || ' ' || (last_login_at IS NOT NULL) FROM users WHERE name = 'erin'"

t_section "legacy mode, rehash_on_login = yes"
CONF=$WORK/rehash.conf
t_grep "erin's legacy row is md5crypt" '^\$1\$' legacy_hash erin
h=$(legacy_hash erin)
t_nogrep "try login erin logs no re-hash" "re-hashed" tool_pw erin-pw -d try login erin
t_rc "try login erin: ok" 0 "^not_written: rehash$" tool_pw erin-pw try login erin
t_out "... her legacy hash is as it was" "$h" legacy_hash erin
t_rc "try login erin --commit: ok" 0 "^login: ok" tool_pw erin-pw try login erin --commit
t_grep "... her legacy row is bcrypt now (password_scheme)" '^\$2b\$12\$' legacy_hash erin
t_rc "... a try then has nothing to write" 0 "^dry_run: yes" tool_pw erin-pw try login erin
t_nogrep "... no not_written" "not_written" tool_pw erin-pw try login erin

t_summary
