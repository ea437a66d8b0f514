#!/bin/bash
# bounds.sh: what a local user can make the daemon keep, and what a row can
# make it give, stays bounded (issue 11: items 2, 4, 9, 10, 12).
#
#   tests/integration/bounds.sh
#
# A real daemon on a SQLite legacy database, real getent and id through
# nsswitch.conf (passwd: files customdb), and a raw client speaking the
# wire protocol for what the NSS module would not send (invalid names).
# As nobody: a flood of invalid names, out-of-range uids, names that do not
# exist and initgroups of them leaves hostcache.db small and the daemon's
# RSS bounded; a row with gid 27 (sudo) is refused end to end (and given
# once allowed_gids lists 27); the entry that left in hostcache.db is
# dropped when the daemon starts again without allowed_gids; enumeration
# pages asked for by nobody do not re-run the listing.
# Needs what run.sh needs, and strace (it counts the SQLite locks of the
# listings); runs inside a private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-bounds.XXXXXX)
chmod 755 "$WORK"
FLOOD=${BOUNDS_FLOOD:-20000}
SOCK=/run/customdb/bounds.sock
STATE=$WORK/state
LOG=$WORK/daemon.log
DB=$WORK/legacy.db
cleanup() {
	stop_daemon "$WORK/daemon.pid" KILL
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"
export CUSTOMDB_SOCKET=$SOCK CUSTOMDB_STATE_DIR=$STATE

sqlite3 -batch "$DB" <<'X'
CREATE TABLE users (name TEXT PRIMARY KEY, uid INTEGER, gid INTEGER);
INSERT INTO users VALUES ('alice', 10001, NULL), ('sudoer', 10002, 27), ('grouped', 10003, 20001);
CREATE TABLE groups (name TEXT, gid INTEGER);
INSERT INTO groups VALUES ('devs', 20001);
X
chmod 644 "$DB"

# write_config [EXTRA-KEYS...]
write_config() {
	cat > "$WORK/customdb.conf" <<X
[customdb]
mode = legacy
min_uid = 10000
max_uid = 60000
socket = $SOCK
state_dir = $STATE
negative_max_entries = 1000
enumerate = yes
$(printf '%s\n' "$@")

[legacy]
driver = sqlite
connection = $DB

[queries]
login = SELECT name AS username, uid, gid, 'x' AS password FROM users WHERE name = :username
get_user = SELECT name AS username, uid, gid FROM users WHERE name = :username
get_user_by_uid = SELECT name AS username, uid, gid FROM users
        WHERE uid = CAST(:uid AS integer)
get_group = SELECT name AS "group", gid FROM groups WHERE name = :group
get_group_by_gid = SELECT name AS "group", gid FROM groups WHERE gid = CAST(:gid AS integer)
user_groups = SELECT g.name AS "group", g.gid FROM groups g JOIN users u
        ON u.gid = g.gid WHERE u.name = :username
list_users = SELECT name AS username, uid, gid FROM users ORDER BY name
X
	chmod 600 "$WORK/customdb.conf"
}

run() { start_daemon "$WORK/customdb.conf" "$LOG" "$SOCK" "$WORK/daemon.pid"; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$(cat "$WORK/daemon.pid")/status"; }
file_bytes() { stat -c %s "$STATE/hostcache.db" 2>/dev/null || echo 0; }

# raw OP KIND COUNT PREFIX: COUNT requests of opcode OP straight to the
# socket, one connection each; KIND s: the string PREFIX<i>, u: the u32
# PREFIX+i. Prints how many were answered.
cat > "$WORK/raw.py" <<'X'
import socket, struct, sys
path, op, kind, count, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
answered = 0
for i in range(count):
    if kind == "s":
        b = ("%s%d" % (prefix, i)).encode()
        field = struct.pack(">I", len(b)) + b
    else:
        field = struct.pack(">I", int(prefix) + i)
    body = struct.pack(">HH", 1, op) + field
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    s.sendall(struct.pack(">I", len(body)) + body)
    hdr = b""
    while len(hdr) < 8:
        got = s.recv(8 - len(hdr))
        if not got:
            break
        hdr += got
    s.close()
    answered += len(hdr) == 8
print(answered)
X
chmod 644 "$WORK/raw.py"
raw() { as_nobody /usr/bin/python3 "$WORK/raw.py" "$SOCK" "$@"; }

# in_file ERE: does a string of the host cache file match?
in_file() { grep -aEq -- "$1" "$STATE/hostcache.db" 2>/dev/null; }
not_in_file() { ! in_file "$@"; }

t_section "setup"
write_config
t_ok "customdbd starts" run || exit 1
t_out "alice resolves (default_gid)" "alice:x:10001:100::/home/alice:/bin/sh" getent passwd alice
t_ok "... as nobody too" as_nobody getent passwd alice
t_grep "alice's groups" "^alice +" getent initgroups alice
rss0=$(rss_kb)
size0=$(file_bytes)

t_section "a flood as nobody: $FLOOD of each"
t_out "invalid names, through the raw protocol" "$FLOOD" raw 1 s "$FLOOD" 'no such name '
t_out "uids outside [min_uid, max_uid]" "" \
	as_nobody bash -c "getent passwd \$(seq 70001 $((70000 + FLOOD))) | head -1"
t_out "names that do not exist" "" \
	as_nobody bash -c "getent passwd \$(seq -f 'ghost%g' 1 $FLOOD) | head -1"
t_out "initgroups of names that do not exist" "" \
	as_nobody bash -c "getent initgroups \$(seq -f 'phantom%g' 1 $FLOOD) | grep -v '^phantom[0-9]* *$' | head -1"
t_ok "the daemon is still there" kill -0 "$(cat "$WORK/daemon.pid")"
t_out "alice still resolves" "alice:x:10001:100::/home/alice:/bin/sh" getent passwd alice
# a user looked up after the flood: once the file holds them, the writer
# has written everything the flood left
getent passwd grouped >/dev/null
t_ok "the host cache file is rewritten after the flood" wait_until 60 in_file grouped
size1=$(file_bytes)
echo "  hostcache.db: $size0 bytes before the flood, $size1 after"
t_ok "hostcache.db stays small (< 64 KiB; 840 KB before the fix)" test "$size1" -lt 65536
t_fail "... and holds no phantom, ghost or invalid name" in_file 'phantom|ghost|no such'
t_grep "status: the cache holds only the few real entries" "host_cache_entries: [0-9]$" \
	"$TOOL" -c "$WORK/customdb.conf" status

# RSS: a first round reaches the caps (and warms malloc's arenas up), a
# second of new names must not grow the daemon. Not under a sanitizer:
# ASan's quarantine grows with any allocation.
if ldd "$DAEMON" | grep -q libasan; then
	echo "  (RSS not measured: $DAEMON is built with ASan)"
else
	flood_raw() {
		raw 1 s "$FLOOD" "no such name $1 "
		raw 2 u "$FLOOD" $((70001 + $1 * FLOOD))
		raw 1 s "$FLOOD" "ghost$1x"
		raw 5 s "$FLOOD" "phantom$1x"
	}
	flood_raw 1 >/dev/null
	rss1=$(rss_kb)
	flood_raw 2 >/dev/null
	rss2=$(rss_kb)
	echo "  daemon VmRSS: $rss0 kB at start, $rss1 kB after $((4 * FLOOD)) requests as nobody," \
		"$rss2 kB after $((4 * FLOOD)) more"
	t_ok "the second round grew the daemon by less than 2 MiB" test $((rss2 - rss1)) -lt 2048
fi

t_section "primary gid 27 (sudo) from a row"
t_fail "getent passwd sudoer: refused" getent passwd sudoer
t_fail "id sudoer: no such user" id sudoer
t_fail "getent passwd 10002: refused" getent passwd 10002
t_ok "the daemon says why" grep -q "row ignored: gid '27' is neither default_gid" "$LOG"
t_out "a gid inside [min_uid, max_uid] is given" \
	"uid=10003(grouped) gid=20001(devs) groups=20001(devs)" id grouped
stop_daemon "$WORK/daemon.pid" TERM
write_config "allowed_gids = 27"
t_ok "customdbd starts with allowed_gids = 27" run
t_grep "with allowed_gids = 27 the administrator's choice holds" "^sudoer:x:10002:27:" \
	getent passwd sudoer

t_section "an old hostcache.db is re-checked at start"
t_ok "sudoer is written to the host cache file" wait_until 60 in_file sudoer
stop_daemon "$WORK/daemon.pid" TERM
write_config
t_ok "customdbd starts without allowed_gids" run
t_ok "the daemon dropped sudoer" grep -Eq "entries of .*hostcache.db dropped" "$LOG"
t_ok "... and rewrote the file without it" wait_until 60 not_in_file sudoer
t_fail "sudoer is not served" getent passwd sudoer

t_section "enumeration as nobody does not re-run the listing"
# Every listing is a read transaction on the SQLite file: locks taken with
# fcntl by one of the daemon's threads. Count them around a root walk (one
# listing, always) and around walks as nobody.
pid=$(cat "$WORK/daemon.pid")
traced() {
	local t
	for t in /proc/"$pid"/task/*; do
		[ "$(awk '/^TracerPid:/ { print $2 }' "$t/status")" != 0 ] || return 1
	done
}
# locks_during CMD...: SQLite locks the daemon takes while CMD runs
locks_during() {
	local spid
	strace -qq -f -e trace=fcntl -o "$WORK/strace.out" \
		$(for t in /proc/"$pid"/task/*; do echo "-p ${t##*/}"; done) 2>/dev/null &
	spid=$!
	wait_until 60 traced || { kill "$spid"; echo "strace did not attach" >&2; return 1; }
	"$@" >/dev/null
	kill "$spid"
	wait "$spid" 2>/dev/null
	grep -c 'F_SETLK' "$WORK/strace.out"
}
walks() { local i; for i in $(seq 1 "$1"); do as_nobody getent passwd || return 1; done; }
one=$(locks_during getent passwd)
t0=$(now_ms)
many=$(locks_during walks 20)
secs=$(( ($(now_ms) - t0) / 1000 ))
echo "  SQLite locks: $one for one walk by root, $many for 20 walks as nobody ($secs s)"
t_ok "a listing takes SQLite locks (the measure works)" test "${one:-0}" -gt 0
# at most one listing per 5 s of walking, and one more at the edge
t_ok "20 walks as nobody ran the listing at most once per 5 s" \
	test "${many:-999}" -le $(( ${one:-0} * (2 + secs / 5) ))
t_grep "... and the walk lists alice" "^alice:" as_nobody getent passwd
before=$(grep -c "getpwent: list built" "$LOG")
getent passwd >/dev/null
t_ok "a walk by root builds the list anew" test "$(grep -c "getpwent: list built" "$LOG")" -gt "$before"

t_summary
