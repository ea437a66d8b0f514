#!/bin/bash
# faults.sh: faults with real servers, under a concurrent load of real
# clients (getent and pamtester loops, in the background all along).
#
#   tests/integration/faults.sh
#
# One daemon in migrate mode (legacy PostgreSQL, SQLite store), its state
# directory on a small tmpfs. In turn: the legacy server killed (SIGKILL)
# in the middle of a query, then restarted; frozen (SIGSTOP) in the middle
# of a query, then continued; the state directory filled up while the host
# cache is rewritten, then freed; the daemon killed (SIGKILL) and started
# again. Then:
#   - every client call got its answer within its bound (NSS 5 s, PAM 30 s,
#     each plus a margin for starting the program on a busy machine): a
#     bound on a hang, not a speed figure;
#   - nothing reported done is lost: every login pamtester saw succeed
#     (each migrates its user) has its store row, and logs in from the store
#     with the legacy database gone; the last password change pamtester saw
#     succeed before the daemon was killed holds (or the one under way);
#   - service resumes after each fault.
# Needs what run.sh needs; runs inside a private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-faults.XXXXXX)
chmod 755 "$WORK"
PG=$WORK/pg
STATE=$WORK/state
SOCK=/run/customdb/socket
CONF=$WORK/customdb.conf
LOG=$WORK/daemon.log
USERS=400                                   # m001.. in the legacy database
# the clients' own bounds, and a margin for starting the program (which
# TIME_FACTOR scales: under valgrind the client itself is slow)
NSS_BOUND_MS=$(( 5000 + 3000 * TIME_FACTOR ))
PAM_BOUND_MS=$(( 30000 + 5000 * TIME_FACTOR ))
cleanup() {
	touch "$WORK/stop"
	wait 2>/dev/null
	stop_daemon "$WORK/daemon.pid" KILL
	[ -n "$(cat "$PG/data/postmaster.pid" 2>/dev/null)" ] && kill -CONT $(pg_pids) 2>/dev/null
	pg_stop "$PG" >/dev/null 2>&1
	umount "$STATE" 2>/dev/null
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"

# every process of the legacy server: the postmaster and its children
pg_pids() {
	local pm
	pm=$(head -1 "$PG/data/postmaster.pid")
	echo "$pm $(pgrep -P "$pm" | tr '\n' ' ')"
}

# timed OUT CMD...: run CMD, append "ms exit-status CMD" to OUT
timed() {
	local out=$1 t0 rc
	shift
	t0=$(now_ms)
	"$@" > /dev/null 2>&1
	rc=$?
	echo "$(( $(now_ms) - t0 )) $rc $*" >> "$out"
}

# load: look-ups of random users (most of them uncached) in three loops, and
# logins of m001.. (each one migrates its user) in two, until $WORK/stop
nss_loop() {
	local out=$WORK/nss.$1
	until [ -e "$WORK/stop" ]; do
		timed "$out" getent passwd "m$(printf %03d $((RANDOM % USERS + 1)))"
		timed "$out" getent passwd $((20000 + RANDOM % USERS + 1))
	done
}
pam_loop() {
	local out=$WORK/pam.$1 i=$1 t0 rc
	while [ ! -e "$WORK/stop" ] && [ "$i" -le "$USERS" ]; do
		u=m$(printf %03d "$i")
		t0=$(now_ms)
		pam faults "$u" "$u-pw" > "$WORK/login.$u" 2>&1
		rc=$?
		echo "$(( $(now_ms) - t0 )) $rc $u" >> "$out"
		i=$((i + 2))
	done
}
# password changes of alice by root (alice-1, alice-2, ...) until
# $WORK/stop-pw; the last one pamtester saw succeed in $WORK/pw.last
pw_loop() {
	local k=0
	until [ -e "$WORK/stop-pw" ]; do
		k=$((k + 1))
		printf 'alice-%s\n' "$k" "$k" | pamtester faults alice chauthtok > "$WORK/pw.out" 2>&1 &&
			grep -q "successfully" "$WORK/pw.out" && echo "$k" > "$WORK/pw.last"
	done
}
calls() { cat "$WORK"/nss.* "$WORK"/pam.* 2>/dev/null | wc -l; }
# progress N: at least N more client calls have ended since the count C
progress() { [ "$(calls)" -ge $(($1 + $2)) ]; }

t_section "setup"
t_ok "legacy PostgreSQL server starts" pg_start "$PG" || exit 1
legacy_users() {
	local h i u
	legacy_data
	for i in $(seq "$USERS"); do
		u=m$(printf %03d "$i")
		h=$(mkpasswd -m sha512crypt -R 1000 "$u-pw")
		echo "INSERT INTO users ($LEGACY_USER_COLS) VALUES ($((1000 + i)), '$u', $((20000 + i)), '$h', NULL, 1, 'M $i', NULL);"
	done
}
legacy_users > "$WORK/legacy.sql"
t_ok "... loaded" legacy_load postgresql "$PG" < "$WORK/legacy.sql"
mkdir -p "$STATE"
# small: a few hundred entries fit, a filler takes the rest
mount -t tmpfs -o size=4m,mode=0755 customdb-faults-state "$STATE"
legacy_config postgresql "$(pg_conninfo "$PG") password=$SERVERS_PASSWORD" "$SOCK" |
	sed -e 's/^mode = legacy$/mode = migrate/' -e "s|^state_dir = .*|state_dir = $STATE|" > "$CONF"
printf '\n[store]\npath = %s\n' "$WORK/store.db" >> "$CONF"
chmod 600 "$CONF"
ns_pam_service faults "auth required $PAMMOD socket=$SOCK" "account required $PAMMOD socket=$SOCK" \
	"password required $PAMMOD socket=$SOCK"
t_ok "customdbd starts" start_daemon "$CONF" "$LOG" "$SOCK" || exit 1
export CUSTOMDB_SOCKET=$SOCK CUSTOMDB_STATE_DIR=$STATE
t_out "alice resolves" "alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
t_grep "alice logs in (migrated: her password changes go to the store)" "successfully authenticated" \
	pam faults alice alice-pw

t_section "load: 3 look-up loops, 2 login loops"
for i in 1 2 3; do nss_loop "$i" & done
for i in 1 2; do pam_loop "$i" & done
t_ok "the clients get answers" wait_until 60 progress 0 40

# mid_query SIGNAL WHAT: send SIGNAL to every process of the legacy server
# while slowpoke's query sleeps in it; slowpoke's look-up must end within
# its bound, and the load's clients keep getting answers
mid_query() {
	local slow t0 t1 c
	getent passwd slowpoke > /dev/null 2>&1 &
	slow=$!
	t_ok "slowpoke's query is running" wait_until 20 legacy_query_sleeping "$PG"
	pids=$(pg_pids)
	t0=$(now_ms)
	kill "-$1" $pids
	wait "$slow"
	t1=$(now_ms)
	t_ok "... its look-up ends within the NSS bound, the server $2 ($((t1 - t0)) ms)" \
		test $((t1 - t0)) -lt "$NSS_BOUND_MS"
	c=$(calls)
	t_ok "the clients still get answers with the server $2" wait_until 90 progress "$c" 10
}

t_section "the legacy server killed in the middle of a query"
mid_query KILL gone
t_ok "the legacy server's processes are gone" wait_until 30 _gone $pids
t_ok "the legacy server restarts" pg_restart_server "$PG"
t_ok "service resumes: bob, never looked up, resolves" wait_until 30 getent passwd bob
t_out "... as himself" "bob:x:10002:100:Bob:/home/bob:/bin/sh" getent passwd bob

t_section "the legacy server frozen (SIGSTOP) in the middle of a query"
mid_query STOP frozen
kill -CONT $pids
t_out "service resumes: carol resolves" "carol:x:10003:100:Carol:/home/carol:/bin/sh" getent passwd carol

t_section "the state directory full while the host cache is rewritten"
# fill all but a few KB: the next rewrites cannot fit
dd if=/dev/zero of="$STATE/filler" bs=4k 2>/dev/null
n=$(log_count "$LOG" 'host cache: cannot')
c=$(calls)
t_ok "the daemon says it cannot write the host cache" wait_log "$LOG" 'host cache: cannot' "$n"
t_ok "the clients still get answers" wait_until 60 progress "$c" 20
t_ok "the file left in place is whole" "$TOOL" -c "$CONF" cache verify
t_out "service goes on: dave resolves" "dave:x:10004:100:Dave:/home/dave:/bin/sh" getent passwd dave
rm -f "$STATE/filler"
t_ok "space again: the next rewrite holds dave" wait_cached "$STATE" passwd dave
t_out "no temporary file left behind" "" find "$STATE" -name '*.tmp*'

t_section "the daemon killed (SIGKILL) under load, in the middle of password changes, and started again"
pw_loop &
pwl=$!
pw_changed() { [ "$(cat "$WORK/pw.last" 2>/dev/null)" -ge "$1" ] 2>/dev/null; }
t_ok "alice's password changes three times (root, pamtester chauthtok)" wait_until 60 pw_changed 3
c=$(calls)
stop_daemon "$WORK/daemon.pid" KILL
touch "$WORK/stop-pw"
wait "$pwl"
k=$(cat "$WORK/pw.last")
t_ok "the clients still get answers with the daemon gone" wait_until 60 progress "$c" 20
t_out "alice resolves from the host cache" "alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
t_ok "customdbd starts again" start_daemon "$CONF" "$LOG" "$SOCK"
c=$(calls)
t_ok "the clients get answers" wait_until 60 progress "$c" 20
t_out "service resumes: erin resolves" "erin:x:10005:100:Erin:/home/erin:/bin/sh" getent passwd erin
# the change under way when the daemon died may have committed too
alice_in() { pam faults alice "alice-$k" || pam faults alice "alice-$((k + 1))"; }
t_grep "the last password change reported done (alice-$k) holds, or the one under way" \
	"successfully authenticated" alice_in

t_section "after the faults"
touch "$WORK/stop"
wait
cat "$WORK"/nss.* > "$WORK/nss.all"
cat "$WORK"/pam.* > "$WORK/pam.all"
over() { awk -v b="$2" '$1 > b' "$1"; }
t_out "every look-up ($(wc -l < "$WORK/nss.all"), slowest $(sort -n "$WORK/nss.all" | tail -1 | cut -d' ' -f1) ms) within ${NSS_BOUND_MS} ms" \
	"" over "$WORK/nss.all" "$NSS_BOUND_MS"
t_out "every login ($(wc -l < "$WORK/pam.all"), slowest $(sort -n "$WORK/pam.all" | tail -1 | cut -d' ' -f1) ms) within ${PAM_BOUND_MS} ms" \
	"" over "$WORK/pam.all" "$PAM_BOUND_MS"
ok=$(grep -l "successfully authenticated" "$WORK"/login.* | sed 's/.*login\.//' | sort)
nok=$(printf '%s\n' "$ok" | grep -c .)
t_ok "some logins succeeded ($nok of $(wc -l < "$WORK/pam.all"))" test "$nok" -gt 0
in_list=$(printf "'%s'," $ok)
t_out "every login reported done has its store row" "$nok" \
	sqlite3 -batch "$WORK/store.db" "SELECT count(*) FROM users WHERE name IN (${in_list%,})"
t_ok "legacy server stopped" pg_stop "$PG"
first=$(printf '%s\n' "$ok" | head -1)
last=$(printf '%s\n' "$ok" | tail -1)
t_grep "$first logs in from the store, the legacy database gone" "successfully authenticated" pam faults "$first" "$first-pw"
t_grep "$last too" "successfully authenticated" pam faults "$last" "$last-pw"
stop_daemon "$WORK/daemon.pid"
t_nogrep "no sanitizer report in the daemon's log" "AddressSanitizer|LeakSanitizer|runtime error" cat "$LOG"
t_nogrep "no password in the daemon's log" 'm[0-9]{3}-pw|alice-pw' cat "$LOG"
t_summary
