#!/bin/bash
# migrate_groups.sh: groups in migrate mode, end to end (issue 13, items 1
# and 2), on an SQLite store and on a PostgreSQL store.
#
#   tests/integration/migrate_groups.sh
#
# The legacy database (SQLite) gives every user a per-user primary group
# that lists nobody (Debian style) besides shared groups. A first login and
# `customdb migrate import` copy the user, the primary group, every group the
# user is in and the memberships. Groups gained and lost in the legacy
# database (a group added, a group removed, a membership changed) reach the
# store with a re-run of the import. Then the legacy database is moved away:
# groups by name and by gid and `id` (initgroups) still resolve, from the
# store, and the daemon's log shows no legacy query for them.
# Needs what run.sh needs (jq too); runs inside a private mount namespace.
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-mgroups.XXXXXX)
chmod 755 "$WORK"
STORE_PG=$WORK/store-pg
LEGACY=$WORK/legacy.db
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

# pu1..pu3 (uid = gid = 12001..12003, password NAME-pw), each with a group of
# their own that lists nobody; team (pu1, pu2), extra (pu2), doomed (pu1)
load_legacy() {
	local i h
	{
		for i in 1 2 3; do
			h=$(mkpasswd -m sha512crypt "pu$i-pw")
			echo "INSERT INTO users ($LEGACY_USER_COLS) VALUES ($i, 'pu$i', $((12000 + i)), '$h', 'pu$i@example.org', 1, 'Per User $i', '/bin/sh');"
			echo "INSERT INTO app_groups VALUES ($i, 'pu$i', $((12000 + i)));"
		done
		echo "INSERT INTO app_groups VALUES (11, 'team', 22001);"
		echo "INSERT INTO app_groups VALUES (12, 'extra', 22002);"
		echo "INSERT INTO app_groups VALUES (14, 'doomed', 22004);"
		echo "INSERT INTO app_members VALUES (11, 1);"
		echo "INSERT INTO app_members VALUES (11, 2);"
		echo "INSERT INTO app_members VALUES (12, 2);"
		echo "INSERT INTO app_members VALUES (14, 1);"
	} | legacy_load sqlite "$LEGACY"
}

legacy_sql() { sqlite3 -batch "$LEGACY" "$1"; }

# STORE_KIND (sqlite | postgresql) and STORE_DB pick the store store_sql reads
store_sql() {
	case $STORE_KIND in
	sqlite) sqlite3 -batch "$STORE_DB" "$1" ;;
	postgresql) printf '%s\n' "$1" | _pg_psql "$STORE_PG" store ;;
	esac
}

# the user's memberships in the store, by group name, on one line
store_groups_of() {
	store_sql "SELECT group_name FROM memberships WHERE user_name = '$1' ORDER BY group_name" |
		paste -sd, -
}

# the store's groups of these gids that nobody is a member of, on one line
memberless() {
	store_sql "SELECT name || '|' || gid FROM groups g WHERE gid IN ($1, $2) AND NOT EXISTS
		(SELECT 1 FROM memberships m WHERE m.group_name = g.name) ORDER BY gid" | paste -sd, -
}

# the user queries return the uid as the primary gid
config() {
	local sock=$1 state=$2 store=$3
	legacy_config sqlite "$LEGACY" "$sock" |
		sed -e 's/^mode = legacy$/mode = migrate/' -e "s|^state_dir = .*|state_dir = $state|" \
			-e 's/SELECT username, uid,/SELECT username, uid, uid AS gid,/'
	printf '\n[store]\n%s\n' "$store"
}

# lines of LOG after its first SKIP lines
log_since() { tail -n +"$(($2 + 1))" "$1"; }

run_on() {
	local sk=$1 d=$WORK/$1 tag="$1 store" sock=/run/customdb/$1.sock svc=mg-$1
	local conf log pidfile store mark
	mkdir -p "$d"
	chmod 755 "$d"
	conf=$d/customdb.conf
	log=$d/daemon.log
	pidfile=$WORK/$sk.pid
	STORE_KIND=$sk
	STORE_DB=$d/state/store.db
	case $sk in
	sqlite) store="path = $STORE_DB" ;;
	postgresql) store=$(printf 'driver = postgresql\nconnection = %s password=store-secret' \
		"$(pg_store_conninfo "$STORE_PG")") ;;
	esac
	export CUSTOMDB_SOCKET=$sock

	t_section "$tag: a first login and migrate import copy every group"
	t_ok "$tag: legacy data loaded" load_legacy
	config "$sock" "$d/state" "$store" > "$conf"
	chmod 600 "$conf"
	ns_pam_service "$svc" "auth required $PAMMOD socket=$sock" "account required $PAMMOD socket=$sock"
	t_ok "$tag: customdbd starts in migrate mode" start_daemon "$conf" "$log" "$sock" "$pidfile" || return
	t_grep "$tag: pu1 logs in" "successfully authenticated" pam "$svc" pu1 pu1-pw
	t_grep "$tag: ... migrated with the primary group" \
		"user pu1 \(uid 12001\) migrated to the store with 2 groups and primary group pu1" cat "$log"
	t_out "$tag: ... the per-user group in the store, no member" "pu1|12001|0" store_sql \
		"SELECT name || '|' || gid || '|' || (SELECT count(*) FROM memberships WHERE group_name = 'pu1') FROM groups WHERE gid = 12001"
	t_out "$tag: ... and pu1's groups" "doomed,team" store_groups_of pu1
	"$TOOL" -c "$conf" --json migrate import > "$d/import1.json" 2> "$d/import1.err"
	t_out "$tag: migrate import exits 0" 0 echo $?
	t_out "$tag: ... imports pu2 and pu3" 2 jq -r .imported "$d/import1.json"
	t_out "$tag: ... their per-user groups, no member" "pu2|12002,pu3|12003" memberless 12002 12003
	t_out "$tag: ... and their memberships" "extra,team" store_groups_of pu2
	t_out "$tag: getent group 12002 (a per-user gid)" "pu2:x:12002:" getent group 12002
	t_out "$tag: id pu2 resolves with names" \
		"uid=12002(pu2) gid=12002(pu2) groups=12002(pu2),22001(team),22002(extra)" id pu2

	t_section "$tag: groups gained and lost in the legacy database, then import again"
	legacy_sql "INSERT INTO app_groups VALUES (13, 'newgrp', 22003);
		INSERT INTO app_members VALUES (13, 1);
		INSERT INTO app_members VALUES (13, 3);
		INSERT INTO app_members VALUES (11, 3);
		DELETE FROM app_members WHERE group_id = 12 AND user_id = 2;
		DELETE FROM app_members WHERE group_id = 14;
		DELETE FROM app_groups WHERE id = 14;"
	"$TOOL" -c "$conf" --json migrate import > "$d/import2.json" 2> "$d/import2.err"
	t_out "$tag: the second import exits 0" 0 echo $?
	t_out "$tag: ... imports nobody, syncs the groups of all three" "0 3" \
		jq -r '"\(.imported) \(.groups_synced)"' "$d/import2.json"
	t_out "$tag: ... removes doomed, gone from the legacy database" 1 jq -r .groups_removed "$d/import2.json"
	t_out "$tag: ... and tells the daemon to drop its cache" true \
		jq -r '.cache_flushed | type == "number"' "$d/import2.json"
	t_out "$tag: pu1: newgrp gained, doomed lost" "newgrp,team" store_groups_of pu1
	t_out "$tag: pu2: extra lost" "team" store_groups_of pu2
	t_out "$tag: pu3: newgrp and team gained" "newgrp,team" store_groups_of pu3
	t_out "$tag: doomed is no store group any more" 0 store_sql "SELECT count(*) FROM groups WHERE name = 'doomed'"
	t_fail "$tag: ... and getent group doomed finds nothing" getent group doomed
	t_out "$tag: extra (in the legacy database, no member now) stays" 1 \
		store_sql "SELECT count(*) FROM groups WHERE name = 'extra'"
	t_out "$tag: id pu2 through the daemon: extra gone" \
		"uid=12002(pu2) gid=12002(pu2) groups=12002(pu2),22001(team)" id pu2

	t_section "$tag: the legacy database moved away: groups from the store alone"
	mv "$LEGACY" "$LEGACY.away"
	t_ok "$tag: the daemon stops" stop_daemon "$pidfile"
	t_ok "$tag: ... and starts again, legacy gone" start_daemon "$conf" "$log" "$sock" "$pidfile" || return
	mark=$(wc -l < "$log")
	t_out "$tag: getent group pu1 (a per-user group)" "pu1:x:12001:" getent group pu1
	t_out "$tag: getent group 12003 (a per-user gid)" "pu3:x:12003:" getent group 12003
	t_out "$tag: getent group team, by name" "team:x:22001:pu1,pu2,pu3" getent group team
	t_out "$tag: getent group 22003, by gid" "newgrp:x:22003:pu1,pu3" getent group 22003
	t_out "$tag: id pu1" "uid=12001(pu1) gid=12001(pu1) groups=12001(pu1),22001(team),22003(newgrp)" id pu1
	t_out "$tag: id pu3" "uid=12003(pu3) gid=12003(pu3) groups=12003(pu3),22001(team),22003(newgrp)" id pu3
	t_grep "$tag: pu3 (imported) logs in" "successfully authenticated" pam "$svc" pu3 pu3-pw
	t_nogrep "$tag: the log shows no legacy query for any of it" \
		"query (get_group|get_group_by_gid|user_groups|get_user|get_user_by_uid|login)|legacy\.db" \
		log_since "$log" "$mark"
	stop_daemon "$pidfile"
	mv "$LEGACY.away" "$LEGACY"
	t_nogrep "$tag: no sanitizer report in the daemon's log" "AddressSanitizer|LeakSanitizer|runtime error" cat "$log"
	unset CUSTOMDB_SOCKET
}

t_section "servers"
mkdir -p "$STORE_PG"
store_server() { PG_PORT=55438 pg_start "$STORE_PG"; }
t_ok "store PostgreSQL server starts" store_server || exit 1
store_database() {
	pg_store_database "$STORE_PG"
}
t_ok "store role and database" store_database

run_on sqlite
run_on postgresql
t_summary
