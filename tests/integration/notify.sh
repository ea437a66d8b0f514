#!/bin/bash
# notify.sh: customdbd tells its service manager when it is ready and when it
# stops (systemd's Type=notify, by the sd_notify(3) protocol).
#
#   tests/integration/notify.sh
#
#   1. with NOTIFY_SOCKET naming a Unix datagram socket (a path, then an
#      abstract name @...), the daemon sends READY=1 once it answers: a
#      getent run the moment READY=1 arrives is answered by the daemon;
#      on SIGTERM it sends STOPPING=1, after READY=1
#   2. a NOTIFY_SOCKET it cannot use (a relative name, a socket nobody
#      listens on) is logged, and the daemon serves all the same
#   3. with the unit's privileges (CAP_DAC_READ_SEARCH alone, LimitNICE=),
#      the workers get the nice value server_queue.c asks for; without the
#      limit the daemon serves at nice 0 and says so once, at debug level
#
# The service manager is played by a small Python listener. Needs root and
# a build in $BUILD (SQLite legacy database only). Runs in a private mount
# namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-notify.XXXXXX)
chmod 755 "$WORK"
LISTENER_PID=""
cleanup() {
	stop_daemon "$WORK/daemon.pid"
	[ -n "$LISTENER_PID" ] && kill "$LISTENER_PID" 2>/dev/null
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
ns_setup "$WORK" "$BUILD"

SOCK=/run/customdb/notify-test.sock
legacy_data | legacy_load sqlite "$WORK/legacy.db" >/dev/null || exit 1
chmod 644 "$WORK/legacy.db"
legacy_config sqlite "$WORK/legacy.db" "$SOCK" > "$WORK/customdb.conf"
chmod 600 "$WORK/customdb.conf"
mkdir -p -m 0755 "$(dirname "$SOCK")/state"
# only the daemon may answer: no host cache to fall back on
export CUSTOMDB_SOCKET=$SOCK CUSTOMDB_STATE_DIR=$WORK/no-host-cache

# The service manager: bind ADDR (a path, or @name for an abstract one), then
# write each datagram to OUT as one line (its own lines joined by '|'); when
# one says READY=1, run getent at once and write what it answered; stop at
# STOPPING=1 (or after LIMIT seconds).
cat > "$WORK/listener.py" <<'X'
import socket, subprocess, sys
addr, out, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
s.settimeout(limit)
with open(out, "a", buffering=1) as f:
    f.write("listening\n")
    while True:
        lines = s.recv(4096).decode().split("\n")
        f.write("got: " + "|".join(lines) + "\n")
        if "READY=1" in lines:
            r = subprocess.run(["getent", "passwd", "alice"], capture_output=True,
                               text=True, timeout=limit)
            f.write("getent at READY=1: exit %d %s\n" % (r.returncode, r.stdout.strip()))
        if "STOPPING=1" in lines:
            break
X


# start_notified ADDR: the daemon, told that its service manager is at ADDR
start_notified() {
	NOTIFY_SOCKET=$1 start_daemon "$WORK/customdb.conf" "$WORK/daemon.log" "$SOCK" \
		"$WORK/daemon.pid"
}

# one_run ADDR: the whole exchange with a service manager at ADDR
one_run() {
	local addr=$1 out=$WORK/notify.$2.out
	python3 "$WORK/listener.py" "$addr" "$out" $((120 * TIME_FACTOR)) 2>"$out.err" &
	LISTENER_PID=$!
	t_ok "the listener binds $addr" wait_until 30 grep -q '^listening$' "$out"
	t_ok "customdbd starts with NOTIFY_SOCKET=$addr" \
		start_notified "$addr"
	# READY=1 is sent before the log's "ready" line: the listener has it;
	# getent may still be on its way
	wait_until 30 grep -q '^getent at READY=1' "$out"
	t_grep "READY=1 arrived, with a STATUS naming the socket" \
		"^got: READY=1\|STATUS=answering on $SOCK\$" cat "$out"
	t_grep "getent run the moment READY=1 arrived is answered by the daemon" \
		"^getent at READY=1: exit 0 alice:x:10001:" cat "$out"
	t_nogrep "nothing logged about the service manager" "NOTIFY_SOCKET|service manager" \
		cat "$WORK/daemon.log"
	t_ok "SIGTERM stops the daemon" stop_daemon "$WORK/daemon.pid"
	t_ok "... the listener got STOPPING=1" wait_until 30 grep -q '^got: STOPPING=1$' "$out"
	kill "$LISTENER_PID" 2>/dev/null  # when it did not
	wait "$LISTENER_PID" 2>/dev/null
	LISTENER_PID=""
	t_out "... READY=1 first, then STOPPING=1" \
		"$(printf 'got: READY=1|STATUS=answering on %s\ngot: STOPPING=1' "$SOCK")" \
		grep '^got: ' "$out"
}

t_section "NOTIFY_SOCKET a path"
one_run "$WORK/notify.sock" path

t_section "NOTIFY_SOCKET an abstract name"
one_run "@customdb-notify-test-$$-$RANDOM" abstract

t_section "a NOTIFY_SOCKET the daemon cannot use"
for bad in relative/notify.sock "$WORK/nobody-listens.sock"; do
	case $bad in
	relative/*) why="NOTIFY_SOCKET $bad is neither an absolute path nor an abstract name" ;;
	*) why="cannot tell the service manager READY=1.*: No such file or directory" ;;
	esac
	lines=$(log_count "$WORK/daemon.log" "$why")
	t_ok "NOTIFY_SOCKET=$bad: customdbd starts all the same" \
		start_notified "$bad"
	t_out "... and serves" "alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" \
		getent passwd alice
	t_ok "... and says why it tells no one" wait_log "$WORK/daemon.log" "$why" "$lines"
	stop_daemon "$WORK/daemon.pid"
done

t_section "the unit's privileges: the workers' nice value"
# As systemd runs it: no capability but CAP_DAC_READ_SEARCH (a root process
# gets its bounding set at exec), RLIMIT_NICE as the unit's LimitNICE= sets it
# (a nice value n is the rlimit 20 - n).
unit_nice=$(sed -n 's/^LimitNICE=//p' "$ROOT/conf/customdbd.service")
loop_nice=$(sed -n 's/^#define WORKER_NICE //p' "$ROOT/customdbd/server_queue.c")
t_out "the unit's LimitNICE= lets the workers take WORKER_NICE (server_queue.c)" "$loop_nice" echo "$unit_nice"
REAL_DAEMON=$DAEMON
# capped RLIMIT_NICE: customdbd with the unit's capabilities and that limit
capped() {
	printf '#!/bin/sh\nexec setpriv --bounding-set=-all,+dac_read_search -- prlimit --nice=%s -- %s "$@"\n' \
		"$1" "$REAL_DAEMON" > "$WORK/capped"
	chmod 755 "$WORK/capped"
}
# the main thread sets the nice value the workers inherit: field 19 of its stat
loop_nice_now() {
	sed 's/.*) //' "/proc/$1/task/$1/stat" | cut -d' ' -f17
}
for limit in "$((20 - ${unit_nice:-0}))" 0; do
	if ! prlimit --nice="$limit" -- true 2>/dev/null; then
		# raising a hard limit takes CAP_SYS_RESOURCE, which systemd has
		echo "  skip  RLIMIT_NICE $limit: this environment may not raise RLIMIT_NICE"
		continue
	fi
	capped "$limit"
	lines=$(log_count "$WORK/daemon.log" setpriority)
	t_ok "RLIMIT_NICE $limit, CAP_DAC_READ_SEARCH alone: customdbd starts" \
		env DAEMON="$WORK/capped" bash -c '. "$1"; . "$2"; WORK=$3; start_daemon "$4" "$5" "$6"' _ \
		"$HERE/lib/wait.sh" "$HERE/lib/daemon.sh" "$WORK" "$WORK/customdb.conf" "$WORK/daemon.log" "$SOCK"
	pid=$(cat "$WORK/daemon.pid")
	t_out "... with no capability but CAP_DAC_READ_SEARCH" "0000000000000004" \
		sed -n 's/^CapBnd:\t//p' "/proc/$pid/status"
	t_out "... and serves" "alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" getent passwd alice
	if [ "$limit" -eq 0 ]; then
		t_out "... its workers stay at nice 0" 0 loop_nice_now "$pid"
		t_out "... which it logs once, at debug level" \
			"customdbd: debug: setpriority: Permission denied" \
			bash -c "grep setpriority '$WORK/daemon.log' | tail -n +$((lines + 1))"
	else
		t_out "... its workers run at nice $loop_nice" "$loop_nice" loop_nice_now "$pid"
		t_out "... and nothing is logged about it" "$lines" log_count "$WORK/daemon.log" setpriority
	fi
	stop_daemon "$WORK/daemon.pid"
done

t_summary
