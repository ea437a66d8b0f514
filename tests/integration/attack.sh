#!/bin/bash
# attack.sh: a hostile local user against the daemon (SQLite legacy, the
# real daemon, real pamtester and getent).
#
#   tests/integration/attack.sh
#
# As nobody: 300 idle connections, reconnected whenever the daemon closes
# one; then clients that ask for a large enumeration page and never read it.
# Meanwhile root's pamtester login and a getent look-up that only the
# daemon can answer (a host-cache miss) must succeed (within the clients'
# own bounds: 30 s for PAM, 5 s for NSS). The refused connections of the
# flood leave a bounded number of log lines, with a "suppressed" count.
# A PAM service name holding a newline is logged escaped: no forged line.
# While root's password checks of a costly (but allowed) hash take every
# worker they may, with many more queued, look-ups that only the daemon can
# answer, by root and by nobody, still answer within NSS's 5 s.
# Needs what run.sh needs, and python3; runs inside a private mount
# namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-attack.XXXXXX)
chmod 755 "$WORK"
SOCK=/run/customdb/socket
LOG=$WORK/daemon.log
# the system's: nobody must be able to run it (not a shim under /root)
PYTHON=${PYTHON:-/usr/bin/python3}
ATTACKERS=()
cleanup() {
	local p
	for p in "${ATTACKERS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	stop_daemon "$WORK/daemon.pid" KILL
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"

# The hostile client, speaking the protocol (common/protocol.h) itself.
#   attacker.py SOCK idle N READY      hold N connections that send nothing
#   attacker.py SOCK noread N READY    N connections that ask for the first
#                                      getpwent page and never read it
# Both reconnect whenever the daemon closes one, and touch READY once all N
# were tried. attacker.py SOCK auth USER PASSWORD SERVICE: one authenticate
# request; prints the reply's status.
cat > "$WORK/attacker.py" <<'X'
import os, selectors, socket, struct, sys

def msg(op, body):
    b = struct.pack("!HH", 1, op) + body
    return struct.pack("!I", len(b)) + b

def string(s):
    s = s.encode()
    return struct.pack("!I", len(s)) + s

path, mode = sys.argv[1], sys.argv[2]
if mode == "auth":
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(path)
    s.sendall(msg(6, string(sys.argv[3]) + string(sys.argv[4]) + string(sys.argv[5])))
    r = s.recv(12)
    print("status", struct.unpack("!IHH", r[:8])[2])
    sys.exit(0)

n, ready = int(sys.argv[3]), sys.argv[4]
request = msg(9, struct.pack("!I", 0)) if mode == "noread" else b""
sel = selectors.DefaultSelector()
held = []  # noread: connections whose reply is there, kept unread

def open_one():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(2)
    try:
        s.connect(path)
        if request:
            s.sendall(request)
    except OSError:
        s.close()
        return
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)

for _ in range(n):
    open_one()
open(ready, "w").close()
while True:
    events = sel.select(timeout=1)
    for key, _ in events:
        s = key.fileobj
        if mode == "noread":
            # readable: the reply is there, and never read; only a close counts
            try:
                if s.recv(1, socket.MSG_PEEK) != b"":
                    sel.unregister(s)
                    held.append(s)
                    continue
            except OSError:
                pass
        sel.unregister(s)
        s.close()
        open_one()
    while len(sel.get_map()) + len(held) < n:
        open_one()
X
chmod 644 "$WORK/attacker.py"
mkdir -m 0755 "$WORK/nobody"
chown nobody "$WORK/nobody"

# attack MODE N: start nobody's attacker (in this shell, not a subshell)
attack() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$PYTHON" "$WORK/attacker.py" "$SOCK" "$1" "$2" "$WORK/nobody/$1.ready" \
		>"$WORK/attack-$1.out" 2>&1 &
	ATTACKERS+=($!)
}
# attacking MODE: until the attacker of MODE has tried all its connections
attacking() {
	wait_until 30 test -e "$WORK/nobody/$1.ready" && return 0
	cat "$WORK/attack-$1.out"
	return 1
}
stop_attacks() {
	local p
	for p in "${ATTACKERS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ATTACKERS=()
}
# warnings SINCE: warning lines of the daemon's log after line SINCE
warnings() { tail -n "+$(($1 + 1))" "$LOG" | grep -c ': warning: '; }
# logged REGEX: until the daemon's log has a line matching REGEX (60 s, times
# TIME_FACTOR)
logged() { wait_until 60 grep -qE -- "$1" "$LOG"; }

t_section "setup"
mkdir -p "$WORK/sqlite"
chmod 755 "$WORK/sqlite"
DB=$WORK/sqlite/legacy.db
legacy_data | legacy_load sqlite "$DB"
# 4,000 more users of about 160 bytes: a first getpwent page far larger than
# a socket's buffer
sqlite3 -batch "$DB" "INSERT INTO users ($LEGACY_USER_COLS)
	WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 4000)
	SELECT 1000 + i, printf('bulk%05d', i), 30000 + i, NULL, NULL, 1,
	       'Bulk ' || replace(hex(zeroblob(60)), '0', 'g'), NULL FROM c"
# a legal but costly hash: bcrypt cost 13 (the ceiling is 14), ~0.4 s of CPU
sqlite3 -batch "$DB" "INSERT INTO users ($LEGACY_USER_COLS) VALUES (19, 'slowhash', 10050,
	'$(mkpasswd -m bcrypt -R 13 slowhash-pw)', 'sh@example.org', 1, 'Slow hash', NULL)"
t_ok "legacy data loaded" test "$(sqlite3 "$DB" 'SELECT count(*) FROM users')" -gt 4000
legacy_config sqlite "$DB" "$SOCK" "enumerate = yes" |
	sed "s|^state_dir = .*|state_dir = $WORK/sqlite/state|" > "$WORK/customdb.conf"
chmod 600 "$WORK/customdb.conf"
ns_pam_service customdb-attack \
	"auth required $PAMMOD socket=$SOCK" \
	"account required $PAMMOD socket=$SOCK"
export CUSTOMDB_SOCKET=$SOCK CUSTOMDB_STATE_DIR=$WORK/sqlite/state
t_ok "customdbd starts" start_daemon "$WORK/customdb.conf" "$LOG" "$SOCK"
t_grep "alice logs in (no attack)" "successfully authenticated" \
	pam customdb-attack alice alice-pw authenticate acct_mgmt

t_section "300 idle connections held by nobody"
since=$(wc -l < "$LOG")
attack idle 300
t_ok "nobody holds 300 idle connections, reconnecting when closed" attacking idle
t_grep "root's pamtester login (alice) succeeds meanwhile" "successfully authenticated" \
	pam customdb-attack alice alice-pw authenticate acct_mgmt
t_out "getent passwd erin (a host-cache miss: the daemon answers) succeeds meanwhile" \
	"erin:x:10005:100:Erin:/home/erin:/bin/sh" getent passwd erin
t_ok "... the attacker is still at it" kill -0 "${ATTACKERS[0]}"
stop_attacks
t_ok "the flood's refusals end in a \"suppressed\" count" logged "similar messages suppressed"
n=$(warnings "$since")
t_ok "the flood left a bounded number of warnings ($n, at most 200)" test "$n" -le 200

t_section "clients that never read a large reply"
attack noread 40
t_ok "nobody: 40 connections ask for a getpwent page (~600 KB) and never read it" attacking noread
t_out "getent passwd grace (a host-cache miss) succeeds meanwhile" \
	"grace:x:10007:100:Grace:/home/grace:/bin/sh" getent passwd grace
t_grep "root's pamtester login (bob) succeeds meanwhile" "successfully authenticated" \
	pam customdb-attack bob bob-pw authenticate acct_mgmt
stop_attacks

t_section "password checks that would take every worker"
# SLOW authenticate requests of slowhash at once, from root: ~0.4 s of CPU
# each, about 10 s of both cores for all. Queued in turn behind them, a
# look-up would wait far beyond its 5 s.
SLOW=48
slow=()
for i in $(seq "$SLOW"); do
	"$PYTHON" "$WORK/attacker.py" "$SOCK" auth slowhash wrong-pw sshd >"$WORK/slow-$i.out" 2>&1 &
	slow+=($!)
done
t_ok "root: $SLOW password checks of a bcrypt cost 13 hash under way" \
	logged 'authentication failure for slowhash'
t_out "getent passwd frank (a host-cache miss: the daemon answers) succeeds meanwhile" \
	"frank:x:10006:100:Frank:/home/frank:/bin/sh" getent passwd frank
t_out "... and as nobody, getent passwd heidi" \
	"heidi:x:10008:100:Heidi:/home/heidi:/bin/sh" \
	setpriv --reuid=nobody --regid=nogroup --clear-groups getent passwd heidi
n=$(cat "$WORK"/slow-*.out | grep -c '^status')
t_ok "... while password checks were still queued or running ($n of $SLOW answered)" \
	test "$n" -lt "$SLOW"
# not timed: the clients give up after 30 s on a busy machine, which is no fault
wait "${slow[@]}"

t_section "log forging"
# logged as "authentication failure for alice (SERVICE)": this SERVICE would
# end that line and add one of its own, closed by the format's ")"
forged="customdbd: info: authenticated alice (sshd)"
t_grep "an authenticate request whose service holds a newline is answered" "^status 5$" \
	"$PYTHON" "$WORK/attacker.py" "$SOCK" auth alice wrong-pw "sshd
${forged%)}"
t_ok "... and logged" logged 'authentication failure for alice'
t_nogrep "... with no forged line in the log" "^$(printf '%s' "$forged" | sed 's/[()]/\\&/g')\$" \
	cat "$LOG"
t_grep "... the newline written as \\x0a" 'alice \(sshd\\x0acustomdbd: info: authenticated alice \(sshd\)$' \
	cat "$LOG"

t_section "the daemon after all that"
t_grep "alice still logs in" "successfully authenticated" \
	pam customdb-attack alice alice-pw authenticate acct_mgmt
stop_daemon "$WORK/daemon.pid"
t_ok "customdbd stopped cleanly" grep -q ': stopping' "$LOG"

t_summary
