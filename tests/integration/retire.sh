#!/bin/bash
# retire.sh: the end of a migration (mode = store), end to end, with real
# servers and real clients (pamtester, getent, id).
#
#   tests/integration/retire.sh
#
# On an SQLite store and on a PostgreSQL store (a server of its own), with
# the legacy database on PostgreSQL: mode = migrate, a few logins, customdb
# migrate status (not safe yet), migrate import, the users the import leaves
# behind dealt with, migrate status (safe); then the legacy server is
# stopped and its data deleted, the config loses [legacy] and [queries]
# and says mode = store, the daemon is restarted, and every user logs in
# (those imported but never logged in with their legacy hash, re-hashed to
# argon2id then) and resolves, with their groups. A password change (PAM and
# customdb user passwd), customdb user add and delete work in store mode.
# Needs what run.sh needs; runs inside a private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-retire.XXXXXX)
chmod 755 "$WORK"
LEGACY_PG=$WORK/legacy-pg
STORE_PG=$WORK/store-pg
cleanup() {
	local p
	for p in "$WORK"/*.pid; do
		[ -e "$p" ] && stop_daemon "$p" KILL
	done
	pg_stop "$LEGACY_PG" >/dev/null 2>&1
	pg_stop "$STORE_PG" >/dev/null 2>&1
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"

# STORE_KIND (sqlite | postgresql) and STORE_DB pick the store store_sql reads
store_sql() {
	case $STORE_KIND in
	sqlite) sqlite3 -batch "$STORE_DB" "$1" ;;
	postgresql) printf '%s\n' "$1" | _pg_psql "$STORE_PG" store ;;
	esac
}

store_hash_prefix() {
	store_sql "SELECT substr(password_hash, 1, 10) FROM users WHERE name = '$1'"
}

pg_store_section() {
	printf 'driver = postgresql\nconnection = %s password=store-secret\n' \
		"$(pg_store_conninfo "$STORE_PG")"
}

# the fixture, and a group no user is in (no import copies it)
load_legacy() {
	{ legacy_data; echo "INSERT INTO app_groups VALUES (6, 'lonely', 20020);"; } |
		legacy_load postgresql "$LEGACY_PG"
}

# pam_service NAME SOCKET
pam_service() {
	ns_pam_service "$1" "auth required $PAMMOD socket=$2" "account required $PAMMOD socket=$2" \
		"password required $PAMMOD socket=$2"
}

# store_config SOCKET STATE-DIR STORE-SECTION: mode = store, and no [legacy]
# or [queries] at all
store_config() {
	cat <<X
# customdb.conf once the legacy database is retired
[customdb]
mode = store
min_uid = 10000
max_uid = 60000
socket = $1
state_dir = $2

[store]
$3
X
}

# json_of TOOL-ARGS... JQ: a field of --json output
json_of() {
	local filter=${*: -1}
	"$TOOL" "${@:1:$#-1}" --json | jq -r "$filter"
}

# the users the import copies (active, a hash customdb reads, inside the
# rules; oscar too, as the fixture's list_users has no expires column), each
# with their password NAME-pw; alice and bob log in in migrate mode first
IMPORTED="alice bob dave erin frank grace heidi slowpoke sleepy mike oscar uma"

retire() {
	local sk=$1 tag="$1 store" d=$WORK/$1 sock=/run/customdb/retire-$1.sock svc=retire-$1
	local conf log pidfile store u n lines
	mkdir -p "$d"
	chmod 755 "$d"
	conf=$d/customdb.conf
	log=$d/daemon.log
	pidfile=$WORK/$1.pid
	STORE_KIND=$sk
	STORE_DB=$d/state/store.db
	case $sk in
	sqlite) store="path = $STORE_DB" ;;
	postgresql) store=$(pg_store_section) ;;
	esac
	export CUSTOMDB_SOCKET=$sock
	pam_service "$svc" "$sock"

	t_section "$tag: migrate mode"
	mkdir -p "$LEGACY_PG"
	t_ok "$tag: legacy PostgreSQL server starts" pg_start "$LEGACY_PG" || return
	t_ok "$tag: legacy data loaded" load_legacy
	{
		legacy_config postgresql "$(pg_conninfo "$LEGACY_PG") password=legacy-secret" "$sock" |
			sed -e 's/^mode = legacy$/mode = migrate/' -e "s|^state_dir = .*|state_dir = $d/state|"
		printf '\n[store]\n%s\n' "$store"
	} > "$conf"
	chmod 600 "$conf"
	t_ok "$tag: customdbd starts in migrate mode" start_daemon "$conf" "$log" "$sock" "$pidfile" || return
	t_grep "$tag: alice logs in (migrated)" "successfully authenticated" pam "$svc" alice alice-pw
	t_grep "$tag: bob logs in (migrated)" "successfully authenticated" pam "$svc" bob bob-pw
	t_out "$tag: migrate status before the import: not yet safe" "not yet" \
		json_of -c "$conf" migrate status '.switch_to_store.verdict | split(":")[0]'
	t_ok "$tag: migrate import" "$TOOL" -c "$conf" migrate import
	t_out "$tag: migrate status after it: the users left in the legacy database named" \
		"carol ivan" json_of -c "$conf" migrate status \
		'.switch_to_store.users_left_in_legacy.first | join(" ")'
	# devs and ops came with their members; lonely has none
	t_out "$tag: ... the group left in the legacy database named" "lonely" \
		json_of -c "$conf" migrate status '.switch_to_store.groups_left_in_legacy.first | join(" ")'
	t_rc "$tag: customdb group add lonely: taken into the store with its legacy gid" 0 "gid: 20020" \
		"$TOOL" -c "$conf" group add lonely
	t_out "$tag: ... no group left now" 0 \
		json_of -c "$conf" migrate status '.switch_to_store.groups_left_in_legacy.count'
	t_out "$tag: ... the imported users not logged in yet" 10 \
		json_of -c "$conf" migrate status '.switch_to_store.imported_not_logged_in'
	t_grep "$tag: ... and what becomes of them" "keep their legacy hashes" \
		"$TOOL" -c "$conf" migrate status
	# the administrator's decision: those two go (a tombstone each)
	for u in carol ivan; do
		"$TOOL" -c "$conf" user delete "$u" --yes >/dev/null 2>&1
	done
	t_out "$tag: carol and ivan deleted: migrate status says safe" "safe" \
		json_of -c "$conf" migrate status '.switch_to_store.verdict | split(":")[0]'

	t_section "$tag: the legacy database retired"
	t_ok "$tag: the daemon stops" stop_daemon "$pidfile"
	t_ok "$tag: the legacy server stops" pg_stop "$LEGACY_PG"
	rm -rf "$LEGACY_PG"
	t_fail "$tag: ... and its data is gone" test -e "$LEGACY_PG"
	store_config "$sock" "$d/state" "$store" > "$conf"
	chmod 600 "$conf"
	t_out "$tag: customdb check in store mode: the store, no query" "ok store ok 0" \
		json_of -c "$conf" check '"\(.result) \(.mode) \(.store.status) \(.queries | length)"'
	t_out "$tag: migrate status in store mode: the store's users" 12 \
		json_of -c "$conf" migrate status '.store_users'
	lines=$(wc -l < "$log")
	t_ok "$tag: customdbd restarts in store mode" start_daemon "$conf" "$log" "$sock" "$pidfile" || return

	t_out "$tag: customdb status: the daemon runs in store mode, no legacy database" \
		"store none null" json_of -c "$conf" status '"\(.mode) \(.driver) \(.database)"'

	t_section "$tag: every user logs in and resolves"
	n=0
	for u in $IMPORTED; do
		pam "$svc" "$u" "$u-pw" 2>&1 | grep -q "successfully authenticated" && n=$((n + 1))
	done
	t_out "$tag: all 12 log in with their passwords" 12 echo "$n"
	t_out "$tag: erin (imported md5crypt, never logged in): re-hashed to argon2id at login" \
		'$argon2id$' store_hash_prefix erin
	t_out "$tag: ... so did grace (\$2y\$ bcrypt)" '$argon2id$' store_hash_prefix grace
	t_grep "$tag: a wrong password fails" "Authentication failure" pam "$svc" dave wrong
	t_grep "$tag: carol (deleted before the switch) is unknown" "User not known" pam "$svc" carol carol-pw
	t_out "$tag: getent passwd alice" "alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" \
		getent passwd alice
	t_out "$tag: getent passwd 10006 (frank, imported)" "frank:x:10006:100:Frank:/home/frank:/bin/sh" \
		getent passwd 10006
	t_out "$tag: id alice, with her groups" \
		"uid=10001(alice) gid=100(users) groups=100(users),20001(devs),20002(ops)" id alice
	t_out "$tag: id bob" "uid=10002(bob) gid=100(users) groups=100(users),20001(devs)" id bob
	t_out "$tag: getent group devs" "devs:x:20001:alice,bob" getent group devs
	t_out "$tag: getent group 20002" "ops:x:20002:alice" getent group 20002
	t_out "$tag: getent group lonely (taken into the store before the switch)" "lonely:x:20020:" \
		getent group lonely
	n=0
	for u in $IMPORTED; do
		getent passwd "$u" >/dev/null && n=$((n + 1))
	done
	t_out "$tag: all 12 resolve" 12 echo "$n"

	t_section "$tag: changes in store mode"
	t_grep "$tag: frank changes his password through PAM" "altered successfully" bash -c \
		"printf 'frank-pw\nfrank-new\nfrank-new\n' | setpriv --reuid=10006 --regid=100 --clear-groups pamtester $svc frank chauthtok"
	t_grep "$tag: ... and logs in with the new one" "successfully authenticated" pam "$svc" frank frank-new
	t_grep "$tag: ... not with the old" "Authentication failure" pam "$svc" frank frank-pw
	t_ok "$tag: customdb user passwd dave" bash -c "echo dave-new | '$TOOL' -c '$conf' user passwd dave"
	t_grep "$tag: ... and dave logs in with it" "successfully authenticated" pam "$svc" dave dave-new
	t_rc "$tag: customdb user add nina: a store row" 0 '"where":"store"' \
		bash -c "echo nina-pw | '$TOOL' -c '$conf' --json user add nina"
	t_grep "$tag: ... nina logs in" "successfully authenticated" pam "$svc" nina nina-pw
	t_grep "$tag: ... and resolves" "^nina:x:[0-9]+:100::/home/nina:" getent passwd nina
	t_rc "$tag: a name the store holds cannot be added again" 1 "user alice exists \(in the store\)" \
		bash -c "echo x | '$TOOL' -c '$conf' user add alice"
	t_ok "$tag: customdb user delete nina" "$TOOL" -c "$conf" user delete nina --yes
	t_fail "$tag: ... nina no longer resolves" getent passwd nina
	t_grep "$tag: ... nor logs in" "User not known" pam "$svc" nina nina-pw

	stop_daemon "$pidfile"
	t_nogrep "$tag: the daemon never reached for a legacy database in store mode" \
		"query (login|get_user|get_group|user_groups)|legacy database|cannot open" \
		tail -n "+$((lines + 1))" "$log"
	t_nogrep "$tag: no sanitizer report in the daemon's log" "AddressSanitizer|LeakSanitizer|runtime error" \
		cat "$log"
	t_nogrep "$tag: no password in the daemon's log" 'alice-pw|frank-new|dave-new|store-secret' cat "$log"
	unset CUSTOMDB_SOCKET
}

t_section "servers"
mkdir -p "$STORE_PG"
store_server() { PG_PORT=55433 pg_start "$STORE_PG"; }
t_ok "store PostgreSQL server starts" store_server || exit 1
store_database() {
	pg_store_database "$STORE_PG"
}
t_ok "store role and database" store_database

retire sqlite
retire postgresql
t_summary
