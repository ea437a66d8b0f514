#!/bin/bash
# hostcache_groups.sh: group entries in the host cache, with real getent,
# id and ls.
#
#   tests/integration/hostcache_groups.sh        (as root; BUILD=... for another build)
#
# Migrate mode, an SQLite legacy database and an SQLite store. Once alice
# logs in (and so migrates), her groups are in the host cache with no
# expiry, as she is: `getent group NAME`, `getent group GID`, `id alice` and
# `ls -l` of her file send no request to the daemon (its request counters,
# `customdb status`, do not move), and answer with the daemon stopped. A
# daemon that starts with an empty cache loads them from the store. A
# cache flush of a user drops the groups that list them. Legacy mode: a
# group looked up once is answered from the cache while fresh. Needs what
# run.sh needs; runs inside a private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-hcg.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	stop_daemon "$WORK/daemon.pid" KILL >/dev/null 2>&1
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"

SOCK=/run/customdb/hcg.sock
STATE=/run/customdb/state
CONF=$WORK/customdb.conf
LOG=$WORK/daemon.log
export CUSTOMDB_SOCKET=$SOCK CUSTOMDB_STATE_DIR=$STATE

# write_config MODE: the fixture's config in MODE (legacy | migrate)
write_config() {
	legacy_config sqlite "$WORK/legacy.db" "$SOCK" | sed "s/^mode = legacy$/mode = $1/"
	[ "$1" = migrate ] && printf '\n[store]\ndriver = sqlite\npath = %s\n' "$WORK/store.db"
	return 0
}

# nss_requests: the look-ups the daemon has answered so far
nss_requests() {
	"$TOOL" -c "$CONF" --json status |
		jq '[to_entries[] | select(.key | test("^requests\\.(getpw|getgr|initgroups)")) |
		     .value] | add // 0'
}

# no_requests CMD...: CMD succeeds, and the daemon answers no look-up for it
no_requests() {
	local before after
	before=$(nss_requests) || return 1
	"$@" >/dev/null || return 1
	after=$(nss_requests) || return 1
	[ "$before" = "$after" ] || { echo "the daemon answered $((after - before)) look-ups"; return 1; }
}

# ls_owner FILE: "owner group" as ls -l shows them
ls_owner() { ls -l "$1" | awk '{ print $3, $4 }'; }

ID_ALICE="uid=10001(alice) gid=100(users) groups=100(users),20001(devs),20002(ops)"
# a group the store holds lists the store's users alone: bob (legacy, devs) is
# not migrated, so not a member yet (README, "Groups in migrate mode")
DEVS="devs:x:20001:alice"

t_section "setup"
t_ok "legacy data loaded" legacy_load sqlite "$WORK/legacy.db" < <(legacy_data)
write_config migrate > "$CONF"
chmod 600 "$CONF"
ns_pam_service hcg "auth required $PAMMOD socket=$SOCK" "account required $PAMMOD socket=$SOCK"
t_ok "customdbd starts in migrate mode" start_daemon "$CONF" "$LOG" "$SOCK" || exit 1
touch "$WORK/alice-file"
chown 10001:20001 "$WORK/alice-file"

t_section "migrated: a login puts the user's groups in the cache, never to expire"
t_grep "alice logs in (and migrates)" "successfully authenticated" \
	bash -c "printf 'alice-pw\n' | pamtester hcg alice authenticate"
t_ok "the file alone answers her groups, by name and by gid" \
	wait_cached "$STATE" group devs group 20001 group ops group 20002
t_out "getent group devs" "$DEVS" getent group devs
t_ok "... without asking the daemon" no_requests getent group devs
t_out "getent group 20002" "ops:x:20002:alice" getent group 20002
t_ok "... without asking the daemon" no_requests getent group 20002
t_out "id alice" "$ID_ALICE" id alice
t_ok "... without asking the daemon" no_requests id alice
t_out "ls -l of alice's file" "alice devs" ls_owner "$WORK/alice-file"
t_ok "... without asking the daemon" no_requests ls -l "$WORK/alice-file"
t_fail "a group of gid 0 (wheel0) is not in the file" file_answers "$STATE" group wheel0
t_fail "nor one outside [min_uid, max_uid] (farout)" file_answers "$STATE" group farout

t_section "with the daemon stopped"
t_ok "the daemon stops" stop_daemon "$WORK/daemon.pid"
t_out "getent group devs" "$DEVS" getent group devs
t_out "getent group 20001" "$DEVS" getent group 20001
t_out "id alice" "$ID_ALICE" id alice
t_out "ls -l of alice's file" "alice devs" ls_owner "$WORK/alice-file"

t_section "a daemon starting with no cache loads migrated users' groups from the store"
rm -f "$STATE/hostcache.db"
t_fail "no cache file: devs is not answered" file_answers "$STATE" group devs
loaded=$(log_count "$LOG" "groups of migrated users loaded")
t_ok "customdbd starts again" start_daemon "$CONF" "$LOG" "$SOCK" || exit 1
t_ok "it says it loaded the groups" wait_log "$LOG" "[0-9]+ groups of migrated users loaded" "$loaded"
t_ok "the file alone answers them" wait_cached "$STATE" group devs group 20001 group ops group 20002
t_ok "id alice without asking the daemon" no_requests id alice
t_ok "getent group ops without asking the daemon" no_requests getent group ops

t_section "a user's cache flush takes the groups that list them"
t_ok "customdb cache flush alice" "$TOOL" -c "$CONF" cache flush alice
t_ok "devs leaves the file" wait_uncached "$STATE" group devs
t_ok "... and ops" wait_uncached "$STATE" group 20002
t_out "the daemon answers devs again" "$DEVS" getent group devs
t_ok "the daemon stops" stop_daemon "$WORK/daemon.pid"

t_section "legacy mode: a group looked up once is answered from the cache while fresh"
rm -f "$STATE/hostcache.db"
write_config legacy > "$CONF"
t_ok "customdbd starts in legacy mode" start_daemon "$CONF" "$LOG" "$SOCK" || exit 1
t_out "getent group ops, from the database" "ops:x:20002:alice" getent group ops
t_ok "it reaches the file" wait_cached "$STATE" group ops group 20002
t_ok "getent group ops without asking the daemon" no_requests getent group ops
t_ok "getent group 20002 without asking the daemon" no_requests getent group 20002
t_ok "the daemon stops" stop_daemon "$WORK/daemon.pid"

t_nogrep "no sanitizer report in the daemon's log" "AddressSanitizer|LeakSanitizer|runtime error" \
	cat "$LOG"
t_summary
