#!/bin/bash
# fleet.sh: two hosts sharing a PostgreSQL store learn of each other's
# changes within [store] refresh, neither daemon restarted.
#
#   tests/integration/fleet.sh        (as root; BUILD=... for another build)
#
# One PostgreSQL server holds the store (its own role and database, as
# store_pg.sh and migrate.sh set it up); an SQLite file is the legacy
# database; two daemons (host A, host B: two sockets, two state
# directories) run migrate mode on them with refresh = 2. Users migrated
# through A resolve on B from B's host cache; then, through A or the
# store's SQL: a password changed and an account disabled hold on B at
# once (a login always asks the store); a group membership removed, and a
# user deleted, reach B's host cache within the bound (B's file answers
# the new truth with no daemon asked). Runs inside a private mount
# namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

REFRESH=2
WORK=$(mktemp -d /tmp/customdb-fleet.XXXXXX)
chmod 755 "$WORK"
PG=$WORK/pg
cleanup() {
	stop_daemon "$WORK/a.pid" KILL >/dev/null 2>&1
	stop_daemon "$WORK/b.pid" KILL >/dev/null 2>&1
	pg_stop "$PG" >/dev/null 2>&1
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"

store_sql() { printf '%s\n' "$1" | _pg_psql "$PG" store; }

# host_config HOST: host A's or B's config (stdout)
host_config() {
	legacy_config sqlite "$WORK/legacy.db" "/run/customdb/$1.sock" |
		sed -e 's/^mode = legacy$/mode = migrate/' -e "s|^state_dir = .*|state_dir = $WORK/$1/state|"
	printf '\n[store]\ndriver = postgresql\nconnection = %s password=store-secret\nrefresh = %s\n' \
		"$(pg_store_conninfo "$PG")" \
		"$REFRESH"
}

# on HOST CMD...: CMD as a client of HOST (its socket and its host cache)
on() {
	local h=$1
	shift
	env CUSTOMDB_SOCKET="/run/customdb/$h.sock" CUSTOMDB_STATE_DIR="$WORK/$h/state" "$@"
}

# b_file_says MAP KEY EXPECTED: B's host cache file alone answers getent
# MAP KEY with EXPECTED (no daemon asked: the socket points nowhere)
b_file_says() { [ "$(file_answers "$WORK/b/state" "$1" "$2")" = "$3" ]; }
b_file_lacks() { ! file_answers "$WORK/b/state" "$1" "$2" >/dev/null; }

# within_bound WHAT CMD...: wait for CMD, and say how long it took against
# the bound (a generous limit, never a timing assertion)
within_bound() {
	local what=$1 t0 t1
	shift
	t0=$(now_ms)
	wait_until $((10 * REFRESH)) "$@" || return 1
	t1=$(now_ms)
	echo "$what: $((t1 - t0)) ms" >> "$WORK/bounds.txt"
}

t_section "setup"
mkdir -p "$PG"
pg_up() { PG_PORT=55439 pg_start "$PG"; }
t_ok "PostgreSQL server for the store starts" pg_up || exit 1
store_db() {
	pg_store_database "$PG"
}
t_ok "store role and database" store_db
t_ok "legacy data loaded (SQLite)" legacy_load sqlite "$WORK/legacy.db" < <(legacy_data)
for h in a b; do
	mkdir -p "$WORK/$h"
	chmod 755 "$WORK/$h"
	host_config "$h" > "$WORK/$h/customdb.conf"
	chmod 600 "$WORK/$h/customdb.conf"
	ns_pam_service "fleet-$h" "auth required $PAMMOD socket=/run/customdb/$h.sock" \
		"account required $PAMMOD socket=/run/customdb/$h.sock"
	t_ok "host $h: customdbd starts" start_daemon "$WORK/$h/customdb.conf" "$WORK/$h/daemon.log" \
		"/run/customdb/$h.sock" "$WORK/$h.pid" || exit 1
done
cp "$WORK/a.pid" "$WORK/a.keep"
cp "$WORK/b.pid" "$WORK/b.keep"

t_section "users migrated through A reach B's host cache"
t_grep "alice logs in through A (migrated)" "successfully authenticated" pam fleet-a alice alice-pw
t_grep "bob logs in through A (migrated)" "successfully authenticated" pam fleet-a bob bob-pw
t_ok "B's host cache answers alice, never having seen her" \
	within_bound "alice on B" b_file_says passwd alice "alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash"
t_ok "... and bob's groups: devs lists both" \
	within_bound "devs on B" b_file_says group devs "devs:x:20001:alice,bob"
t_out "id bob through B" "uid=10002(bob) gid=100(users) groups=100(users),20001(devs)" on b id bob

t_section "a password changed through A holds on B at once"
t_ok "customdb user passwd alice through A" bash -c "echo alice-new | '$TOOL' -c '$WORK/a/customdb.conf' user passwd alice"
t_grep "B: the new password works" "successfully authenticated" pam fleet-b alice alice-new
t_grep "B: the old one fails" "Authentication failure" pam fleet-b alice alice-pw

t_section "an account disabled through the store's SQL holds on B at once"
t_ok "UPDATE users SET disabled = true (bob)" store_sql "UPDATE users SET disabled = true WHERE name = 'bob'"
t_grep "B: bob's account step is refused" "Permission denied" \
	pam fleet-b bob bob-pw authenticate acct_mgmt
t_ok "UPDATE users SET disabled = false (bob)" store_sql "UPDATE users SET disabled = false WHERE name = 'bob'"
t_grep "B: bob logs in again" "account management done" pam fleet-b bob bob-pw authenticate acct_mgmt

t_section "a group membership removed in the store reaches B within the bound"
t_ok "DELETE bob from devs in the store" \
	store_sql "DELETE FROM memberships WHERE user_name = 'bob' AND group_name = 'devs'"
t_ok "B's host cache: devs no longer lists bob" \
	within_bound "devs on B" b_file_says group devs "devs:x:20001:alice"
t_ok "... nor bob's group list" \
	within_bound "id bob on B" eval '[ "$(on b id bob)" = "uid=10002(bob) gid=100(users) groups=100(users)" ]'

t_section "a user deleted through A stops resolving on B within the bound"
t_rc "customdb user delete alice through A" 0 "deleted" \
	"$TOOL" -c "$WORK/a/customdb.conf" user delete alice --yes
t_ok "B's host cache drops alice" within_bound "alice gone on B" b_file_lacks passwd alice
t_fail "getent passwd alice through B: not found" on b getent passwd alice
t_fail "getent passwd 10001 through B: not found" on b getent passwd 10001
t_grep "alice cannot log in through B" "User not known|Authentication failure" pam fleet-b alice alice-new
t_ok "B logged the drop" grep -q "alice is no longer in the store; dropped" "$WORK/b/daemon.log"

t_section "neither daemon was restarted"
t_out "host A: the same process" "$(cat "$WORK/a.keep")" cat "$WORK/a.pid"
t_out "host B: the same process" "$(cat "$WORK/b.keep")" cat "$WORK/b.pid"
t_ok "host B still runs" kill -0 "$(cat "$WORK/b.keep")"
t_ok "host B stops cleanly" stop_daemon "$WORK/b.pid"
t_ok "host A stops cleanly" stop_daemon "$WORK/a.pid"

echo "waited for (refresh = $REFRESH s):"
sed 's/^/  /' "$WORK/bounds.txt"
t_nogrep "no sanitizer report in the daemons' logs" "AddressSanitizer|LeakSanitizer|runtime error" \
	cat "$WORK/a/daemon.log" "$WORK/b/daemon.log"
t_summary
