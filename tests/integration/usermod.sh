#!/bin/bash
# usermod.sh: the store as the source of truth: customdb user modify
# (--disable/--enable, --expires, --must-change-password, --shell, --gecos,
# --home, --gid) and customdb group add|delete|show|add-member|remove-member,
# end to end, each change checked through getent, id and pamtester with a
# running daemon that had the user cached before (so the change must reach
# its cache and the host cache at once).
#
#   tests/integration/usermod.sh
#
# An SQLite legacy database: in legacy mode the tool says what it cannot do
# (no query writes these) and changes nothing; in migrate mode the same for
# a user not migrated yet; then the users are imported, the mode becomes
# store, and every flag is used on an SQLite store and on a PostgreSQL
# store. Bad input (unknown user, bad date, a gid outside the rules, bad
# fields) fails with a clear message and changes nothing.
# Needs what run.sh needs; runs inside a private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-usermod.XXXXXX)
chmod 755 "$WORK"
STORE_PG=$WORK/store-pg
cleanup() {
	local p
	for p in "$WORK"/*.pid; do
		[ -e "$p" ] && stop_daemon "$p" KILL
	done
	pg_stop "$STORE_PG" >/dev/null 2>&1
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"

CONF=/nonexistent
tool() { "$TOOL" -c "$CONF" "$@"; }

pam_service() {
	ns_pam_service "$1" "auth required $PAMMOD socket=$2" "account required $PAMMOD socket=$2"
}

# the legacy config with mode and state_dir set, and a [store] section
conf_with() {
	legacy_config sqlite "$WORK/legacy.db" "$2" |
		sed -e "s/^mode = legacy\$/mode = $1/" -e "s|^state_dir = .*|state_dir = $3|"
	[ -n "${4:-}" ] && printf '\n[store]\n%s\n' "$4"
}

# store_conf SOCKET STATE STORE-SECTION: mode = store, no legacy database
store_conf() {
	printf '[customdb]\nmode = store\nmin_uid = 10000\nmax_uid = 60000\nsocket = %s\nstate_dir = %s\n\n[store]\n%s\n' \
		"$1" "$2" "$3"
}

legacy_refusals() {
	local d=$WORK/legacy
	mkdir -p "$d"
	chmod 755 "$d"
	CONF=$d/customdb.conf
	conf_with legacy "$d/sock" "$d/state" > "$CONF"
	chmod 600 "$CONF"
	t_section "legacy mode: what no query writes is refused, clearly"
	t_rc "user modify alice --shell: exit 2, naming the queries there are" 2 \
		"legacy mode: no query of \[queries\] changes .*shell" tool user modify alice --shell /bin/zsh
	t_out "... and alice's shell is unchanged" "/bin/bash" \
		sqlite3 "$WORK/legacy.db" "SELECT shell FROM users WHERE username = 'alice'"
	t_rc "user modify alice --disable: exit 2" 2 "legacy mode: no query" tool user modify alice --disable
	t_rc "group add: exit 2, groups are the legacy database's" 2 \
		"legacy mode: groups live in the legacy database" tool group add squad
	t_rc "group add-member: exit 2" 2 "legacy mode" tool group add-member devs bob
	t_rc "group show devs works in legacy mode" 0 "^members: alice, bob" tool group show devs
	t_rc "group show 20002 (by gid)" 0 "^group: ops" tool group show 20002
	t_rc "user modify --gid 5: bad input named before anything else" 2 "--gid 5: not a primary gid" \
		tool user modify alice --gid 5
	t_rc "user modify --expires 2026-02-31: not a date" 2 "--expires: '2026-02-31' is not a date" \
		tool user modify alice --expires 2026-02-31
	t_rc "user modify with nothing to change" 2 "nothing to change" tool user modify alice
	t_rc "--disable --enable together" 2 "--disable and --enable together" \
		tool user modify alice --disable --enable
	t_grep "customdb --help lists group and the modify flags" "group add\|delete\|show\|add-member\|remove-member" \
		"$TOOL" --help
	t_grep "... and customdb user --help the new flags" "--must-change-password" "$TOOL" user --help
}

# flags KIND SOCK SERVICE: every flag and group command on a store-mode
# daemon (the store's users imported before)
flags() {
	local tag="$1 store" sock=$2 svc=$3 state=$4
	export CUSTOMDB_SOCKET=$sock CUSTOMDB_STATE_DIR=$state

	t_section "$tag: user modify, seen at once through a daemon that cached the user"
	# a login puts a store user into the host cache (no expiry): from then
	# on getent and id read the file, and only a flush makes them ask again
	t_grep "$tag: frank logs in" "successfully authenticated" pam "$svc" frank frank-pw
	t_grep "$tag: grace logs in" "successfully authenticated" pam "$svc" grace grace-pw
	t_ok "$tag: ... both are in the host cache file" wait_cached "$state" passwd frank passwd grace
	t_out "$tag: frank resolves before (and is cached)" "frank:x:10006:100:Frank:/home/frank:/bin/sh" \
		getent passwd frank
	t_out "$tag: id frank before" "uid=10006(frank) gid=100(users) groups=100(users)" id frank
	t_rc "$tag: --shell /bin/zsh" 0 "result: changed" tool user modify frank --shell /bin/zsh
	t_out "$tag: ... getent shows it at once" "frank:x:10006:100:Frank:/home/frank:/bin/zsh" getent passwd frank
	t_ok "$tag: --gecos, --home together" tool user modify frank --gecos "Frank Zappa" --home /srv/frank
	t_out "$tag: ... both shown" "frank:x:10006:100:Frank Zappa:/srv/frank:/bin/zsh" getent passwd 10006
	t_ok "$tag: --gid 20001" tool user modify frank --gid 20001
	t_out "$tag: ... id shows the new primary group" "uid=10006(frank) gid=20001(devs) groups=20001(devs)" id frank
	t_rc "$tag: --gid 5 (outside the rules): exit 2" 2 "--gid 5: not a primary gid" \
		tool user modify frank --gid 5 --shell /bin/sh
	t_out "$tag: ... nothing changed (nor the shell given with it)" \
		"frank:x:10006:20001:Frank Zappa:/srv/frank:/bin/zsh" getent passwd frank
	t_rc "$tag: --shell bin/sh (not absolute): exit 2" 2 "--shell: an absolute path" \
		tool user modify frank --shell bin/sh
	t_rc "$tag: --gecos with a colon: exit 2" 2 "--gecos: no ':'" tool user modify frank --gecos "a:b"
	t_rc "$tag: an unknown user: exit 1" 1 "no such user: nosuch" tool user modify nosuch --disable
	t_grep "$tag: frank's account step passes" "account management done" pam "$svc" frank frank-pw acct_mgmt
	t_ok "$tag: --disable" tool user modify frank --disable
	t_grep "$tag: ... frank is refused" "Permission denied|disabled" pam "$svc" frank frank-pw authenticate acct_mgmt
	t_ok "$tag: --enable" tool user modify frank --enable
	t_grep "$tag: ... frank passes again" "account management done" pam "$svc" frank frank-pw authenticate acct_mgmt
	t_ok "$tag: --expires 2001-01-01" tool user modify frank --expires 2001-01-01
	t_grep "$tag: ... frank's account has expired" "expired|Permission denied" \
		pam "$svc" frank frank-pw authenticate acct_mgmt
	t_rc "$tag: --expires tomorrow: exit 2" 2 "is not a date" tool user modify frank --expires tomorrow
	t_ok "$tag: --expires never" tool user modify frank --expires never
	t_grep "$tag: ... frank passes again" "account management done" pam "$svc" frank frank-pw authenticate acct_mgmt
	t_ok "$tag: --expires 2999-12-31" tool user modify frank --expires 2999-12-31
	t_out "$tag: ... user show says when (midnight UTC)" "$(date -u -d 2999-12-31 +%s)" \
		bash -c "'$TOOL' -c '$CONF' --json user show frank | jq -r .user.expires"
	t_grep "$tag: ... and frank passes" "account management done" pam "$svc" frank frank-pw authenticate acct_mgmt
	t_ok "$tag: --must-change-password" tool user modify frank --must-change-password
	t_grep "$tag: ... frank must change his password" "new one required|required to change" \
		pam "$svc" frank frank-pw authenticate acct_mgmt

	t_section "$tag: groups"
	t_rc "$tag: group add squad --gid 20050" 0 "result: added" tool group add squad --gid 20050
	t_out "$tag: ... getent group squad" "squad:x:20050:" getent group squad
	t_rc "$tag: group add squad again: exit 1" 1 "group squad exists" tool group add squad --gid 20051
	t_rc "$tag: a gid that is devs's: exit 1" 1 "gid 20001 is group devs's" tool group add other --gid 20001
	t_rc "$tag: a gid outside the range: exit 2" 2 "gid 70000 is outside" tool group add other --gid 70000
	t_rc "$tag: a bad name: exit 2" 2 "is not a name customdb answers for" tool group add "Bad Name"
	t_rc "$tag: group add auto (no --gid): the next free gid" 0 "gid: 20051" tool group add auto
	t_out "$tag: ... resolves" "auto:x:20051:" getent group auto
	t_out "$tag: id grace before (cached)" "uid=10007(grace) gid=100(users) groups=100(users)" id grace
	t_ok "$tag: add-member squad grace" tool group add-member squad grace
	t_out "$tag: ... getent group squad" "squad:x:20050:grace" getent group squad
	t_out "$tag: ... id grace at once" "uid=10007(grace) gid=100(users) groups=100(users),20050(squad)" id grace
	t_rc "$tag: add-member again: exit 1" 1 "grace is a member of squad already" tool group add-member squad grace
	t_rc "$tag: add-member of an unknown user: exit 1" 1 "no user nosuch in the store" \
		tool group add-member squad nosuch
	t_rc "$tag: add-member to an unknown group: exit 1" 1 "no group nogroup in the store" \
		tool group add-member nogroup grace
	t_rc "$tag: group show squad" 0 "^members: grace" tool group show squad
	t_rc "$tag: group show 20050 --json" 0 '"group":"squad"' tool --json group show 20050
	t_ok "$tag: remove-member squad grace" tool group remove-member squad grace
	t_out "$tag: ... id grace at once" "uid=10007(grace) gid=100(users) groups=100(users)" id grace
	t_rc "$tag: remove-member again: exit 1" 1 "grace is not a member of squad" \
		tool group remove-member squad grace
	t_ok "$tag: add-member squad alice, then delete squad" tool group add-member squad alice
	t_ok "$tag: group delete squad" tool group delete squad
	t_fail "$tag: ... getent group squad fails at once" getent group squad
	t_out "$tag: ... id alice without it" \
		"uid=10001(alice) gid=100(users) groups=100(users),20001(devs),20002(ops)" id alice
	t_rc "$tag: group delete squad again: exit 1" 1 "no group squad in the store" tool group delete squad
	unset CUSTOMDB_SOCKET CUSTOMDB_STATE_DIR
}

# on_store KIND STORE-SECTION: migrate mode (refusal for a user not
# migrated), import, then store mode and every flag
on_store() {
	local kind=$1 store=$2 d=$WORK/$1 sock=/run/customdb/usermod-$1.sock svc=usermod-$1
	mkdir -p "$d"
	chmod 755 "$d"
	legacy_data | legacy_load sqlite "$WORK/legacy.db"
	CONF=$d/customdb.conf
	conf_with migrate "$sock" "$d/state" "$store" > "$CONF"
	chmod 600 "$CONF"
	pam_service "$svc" "$sock"
	t_section "$kind store: migrate mode"
	t_rc "$kind store: bob not migrated yet: modify refused, exit 2" 2 "user bob is not migrated yet" \
		tool user modify bob --shell /bin/zsh
	t_rc "$kind store: ... add-member to a legacy group too" 1 \
		"no group devs in the store \(a legacy group is changed in the legacy database" \
		tool group add-member devs bob
	t_ok "$kind store: migrate import" tool migrate import
	store_conf "$sock" "$d/state" "$store" > "$CONF"
	t_ok "$kind store: customdbd starts in store mode" start_daemon "$CONF" "$d/daemon.log" "$sock" \
		"$WORK/$kind.pid" || return
	flags "$kind" "$sock" "$svc" "$d/state"
	stop_daemon "$WORK/$kind.pid"
	t_nogrep "$kind store: no sanitizer report in the daemon's log" \
		"AddressSanitizer|LeakSanitizer|runtime error" cat "$d/daemon.log"
}

legacy_data | legacy_load sqlite "$WORK/legacy.db"
legacy_refusals
on_store sqlite "path = $WORK/sqlite/state/store.db"

t_section "servers"
mkdir -p "$STORE_PG"
store_server() { PG_PORT=55433 pg_start "$STORE_PG"; }
t_ok "store PostgreSQL server starts" store_server || exit 1
store_database() {
	pg_store_database "$STORE_PG"
}
t_ok "store role and database" store_database
on_store postgresql "$(printf 'driver = postgresql\nconnection = %s password=store-secret\n' \
	"$(pg_store_conninfo "$STORE_PG")")"
t_summary
