#!/bin/bash
# reload.sh: SIGHUP makes customdbd read its config again, without dropping
# a request, under a load of real clients (getent and pamtester loops, in
# the background all along).
#
#   tests/integration/reload.sh
#
#   a. a query changed (the gecos get_user gives) and SIGHUP: the daemon
#      answers with the new query at once, and every request after the
#      first new answer gets the new one; the host cache is flushed, so a
#      look-up through the NSS module's file sees it too; the service
#      manager is told RELOADING=1, then READY=1
#   b. a config that does not parse, then one others may write: each reload
#      is refused, the log says why, the old config goes on answering
#   c. settings bound at start (workers, socket) changed with a query: the
#      query is reloaded, the others are logged as needing a restart and
#      keep their value
#   then: no client call of the loops failed, and the one loop that always
#   asks the daemon saw the answers change in order, each only once.
#
# SQLite legacy database only. Needs root and a build in $BUILD (DAEMON may
# be a sanitizer build). Runs in a private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-reload.XXXXXX)
chmod 755 "$WORK"
SOCK=/run/customdb/socket
CONF=$WORK/customdb.conf
LOG=$WORK/daemon.log
NOTIFY=$WORK/notify.sock
LISTENER_PID=""
cleanup() {
	touch "$WORK/stop"
	stop_daemon "$WORK/daemon.pid" KILL
	[ -n "$LISTENER_PID" ] && kill "$LISTENER_PID" 2>/dev/null
	wait 2>/dev/null
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
ns_setup "$WORK" "$BUILD"

legacy_data | legacy_load sqlite "$WORK/legacy.db" >/dev/null || exit 1
chmod 644 "$WORK/legacy.db"
mkdir -p -m 0755 "$(dirname "$SOCK")/state"

# write_conf GECOS [SED]: the config, get_user's gecos being the SQL GECOS,
# then SED applied; replaced whole, as an editor saving it would
write_conf() {
	legacy_config sqlite "$WORK/legacy.db" "$SOCK" |
		sed -e "s/fullname AS gecos/$1 AS gecos/" -e "${2:-}" > "$CONF.new"
	chmod 600 "$CONF.new"
	mv "$CONF.new" "$CONF"
}

# the service manager: each datagram as one line, its own lines joined by '|'
cat > "$WORK/listener.py" <<'X'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as f:
    f.write("listening\n")
    while True:
        f.write("|".join(s.recv(4096).decode().split("\n")) + "\n")
X

# the daemon alone (no host cache file to answer from), and through the file
direct() { CUSTOMDB_STATE_DIR=$WORK/no-host-cache getent passwd "$@"; }
gecos() { cut -d: -f5; }
alice_gecos() { direct alice | gecos; }
stopped() { [ -e "$WORK/stop" ]; }

# the load: each call's exit status (and for the direct loop alice's gecos)
# appended to a file of its loop, until $WORK/stop
direct_loop() {
	local out line
	until stopped; do
		out=$(direct alice)
		echo "$? $(printf %s "$out" | gecos)" >> "$WORK/direct.calls"
		direct 10005 > /dev/null
		echo "$? uid 10005" >> "$WORK/direct.calls"
	done
}
file_loop() {
	until stopped; do
		getent passwd bob > /dev/null
		echo "$? bob" >> "$WORK/file.calls"
		id frank > /dev/null 2>&1
		echo "$? id frank" >> "$WORK/file.calls"
	done
}
pam_loop() {
	local u=$1 rc
	until stopped; do
		pam reload "$u" "$u-pw" > "$WORK/pam.$u.out" 2>&1
		grep -q "successfully authenticated" "$WORK/pam.$u.out"
		rc=$?
		echo "$rc $u" >> "$WORK/pam.calls"
		[ "$rc" = 0 ] || cat "$WORK/pam.$u.out" >> "$WORK/pam.failed"
	done
}
calls() { cat "$WORK"/*.calls 2>/dev/null | wc -l; }
progress() { [ "$(calls)" -ge $(($1 + $2)) ]; }
# reload: SIGHUP, then wait for the daemon's own line about it
reload() {
	local n
	n=$(log_count "$LOG" 'reloaded|reload refused')
	kill -HUP "$(cat "$WORK/daemon.pid")"
	wait_log "$LOG" 'reloaded|reload refused' "$n"
}

t_section "setup"
write_conf fullname
cp -p "$CONF" "$WORK/first.conf"
ns_pam_service reload "auth required $PAMMOD socket=$SOCK" "account required $PAMMOD socket=$SOCK"
python3 "$WORK/listener.py" "$NOTIFY" "$WORK/notify.out" 2>"$WORK/listener.err" &
LISTENER_PID=$!
t_ok "the service manager listens" wait_until 30 grep -q '^listening$' "$WORK/notify.out"
start_notified() { NOTIFY_SOCKET=$NOTIFY start_daemon "$CONF" "$LOG" "$SOCK"; }
start_notified || { t_fail "customdbd starts" true; t_summary; exit 1; }
export CUSTOMDB_SOCKET=$SOCK CUSTOMDB_STATE_DIR=$(dirname "$SOCK")/state
t_out "alice resolves, gecos from the first config" \
	"alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" direct alice
t_out "... and through the host cache" "Alice Liddell" sh -c 'getent passwd alice | cut -d: -f5'
t_ok "... which keeps her" wait_cached "$CUSTOMDB_STATE_DIR" passwd alice

t_section "load: a direct look-up loop, a look-up loop through the file, 2 login loops"
LOOPS=()
direct_loop & LOOPS+=($!)
file_loop & LOOPS+=($!)
pam_loop alice & LOOPS+=($!)
pam_loop erin & LOOPS+=($!)
t_ok "the clients get answers" wait_until 60 progress 0 40

t_section "a. a query changed"
write_conf 'upper(fullname)'
c=$(calls)
reload
t_grep "the daemon says it reloaded" "reloaded $CONF" cat "$LOG"
t_out "the daemon answers with the new query" "ALICE LIDDELL" alice_gecos
file_new() { getent passwd alice | grep -q ':ALICE LIDDELL:'; }
t_ok "the host cache was flushed: the new answer through the file too" wait_until 30 file_new
t_ok "the clients still get answers" wait_until 60 progress "$c" 20
t_ok "the service manager was told RELOADING=1 (with MONOTONIC_USEC)" \
	wait_until 30 grep -Eq '^RELOADING=1\|MONOTONIC_USEC=[0-9]+\|' "$WORK/notify.out"
ready_after_reload() { sed -n '/^RELOADING=1/,$p' "$WORK/notify.out" | grep -q '^READY=1'; }
t_ok "... then READY=1" wait_until 30 ready_after_reload

t_section "b. a config that is refused"
write_conf 'lower(fullname)' '/^\[customdb\]$/a bogus_key = 1'
reload
t_grep "a config that does not parse: refused, and the log says why" \
	"reload refused.*bogus_key" cat "$LOG"
t_out "... the old config goes on answering" "ALICE LIDDELL" alice_gecos
write_conf 'lower(fullname)'
chmod 666 "$CONF"
reload
t_grep "a config others may write: refused, and the log says why" \
	"reload refused.*$CONF.*writ" cat "$LOG"
t_out "... the old config goes on answering" "ALICE LIDDELL" alice_gecos
t_out "READY=1 after each refusal too (and the start, and a.)" "4" sh -c "grep -c '^READY=1' '$WORK/notify.out'"

t_section "c. settings bound at start"
write_conf 'lower(fullname)' "s|^socket = .*|socket = /run/customdb/other|"
sed -i '/^\[customdb\]$/a workers = 3' "$CONF"
reload
t_grep "workers: logged as needing a restart" "workers changed: that needs a restart" cat "$LOG"
t_grep "socket: logged as needing a restart" "socket changed: that needs a restart" cat "$LOG"
t_out "the query changed with them is reloaded" "alice liddell" alice_gecos
t_grep "the workers keep their number" "workers.*8" "$TOOL" -c "$WORK/first.conf" status
t_ok "the daemon answers on its socket still" test -S "$SOCK"
t_out "... and on no other" "" sh -c 'ls /run/customdb/other 2>/dev/null'

t_section "after the reloads"
touch "$WORK/stop"
wait "${LOOPS[@]}"
t_ok "the loops made calls ($(calls))" test "$(calls)" -gt 100
t_out "no call of the loops failed" "" sh -c "cat '$WORK'/*.calls | grep -v '^0 '"
t_out "no login failed" "" sh -c "cat '$WORK/pam.failed' 2>/dev/null"
# the direct loop's answers for alice, each run of equal ones as one line
t_out "the direct loop saw each config once, in order" \
	"$(printf 'Alice Liddell\nALICE LIDDELL\nalice liddell')" \
	sh -c "grep -v ' uid ' '$WORK/direct.calls' | cut -d' ' -f2- | uniq"
stop_daemon "$WORK/daemon.pid"
t_nogrep "no sanitizer report in the daemon's log" "AddressSanitizer|LeakSanitizer|runtime error" cat "$LOG"
t_summary
