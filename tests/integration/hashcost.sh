#!/bin/bash
# hashcost.sh: what a row of the legacy database, or a password, may make
# the daemon do (issue 11, items 3, 5 and the long password of 12).
#
#   tests/integration/hashcost.sh
#
# One SQLite legacy table, real pamtester and the real daemon. Checked:
#  - a $6$rounds=999999999$ row and a 4 GiB argon2id row are refused at
#    once: several logins of them in parallel on a daemon of 2 workers, and a
#    normal user's login at the same time still succeeds, well before one
#    verification of the slow row could have ended (minutes); the reason is
#    logged once, not per attempt; `customdb hash identify` says so;
#    hash_max_rounds moves the ceiling both ways;
#  - an unknown user's dummy verification imitates what most users' hashes
#    cost, not the last one to log in: counted through the daemon's debug
#    line, and in the daemon's CPU time against a real user's wrong password
#    (a ratio, no absolute times);
#  - lock markers (*, !, !!, !-prefixed hash) never log in, with
#    password_scheme_read = plaintext; plaintext still works for values no
#    family claims, and a cut $6$... is not one;
#  - a password over 1,024 bytes is refused whole (sent on the socket
#    directly, as a PAM module that forwards it would), never checked as the
#    empty one, even with allow_empty_password = yes.
# Needs what run.sh needs; runs inside a private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-hashcost.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	local p
	jobs -p | xargs -r kill 2>/dev/null
	for p in "$WORK"/*.pid; do
		[ -e "$p" ] && stop_daemon "$p" KILL
	done
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"
SOCK=/run/customdb/socket
LOG=$WORK/daemon.log
DB=$WORK/legacy.db
CONF=$WORK/customdb.conf
# a generous bound for one quick login, scaled when the daemon is
# instrumented; a verification of the slow row takes minutes
BOUND=${HASHCOST_BOUND:-60}

sha512() { mkpasswd -m sha512crypt "$1"; }
slow6=$(mkpasswd -m sha512crypt -S saltsaltsalt evil-pw | sed 's/^\$6\$/$6$rounds=999999999$/')
huge_argon2=$(printf %s evil-pw | argon2 somesaltsalt -id -t 1 -m 10 -p 1 -e |
	sed 's/m=1024,/m=4194304,/')

{
	legacy_schema sqlite
	cat <<X | sed "s/^INSERT INTO users VALUES/INSERT INTO users ($LEGACY_USER_COLS) VALUES/"
INSERT INTO users VALUES (1, 'alice', 10001, '$(sha512 alice-pw)', 'a@example.org', 1, 'Alice', NULL);
INSERT INTO users VALUES (2, 'amy', 10002, '$(sha512 amy-pw)', 'amy@example.org', 1, 'Amy', NULL);
INSERT INTO users VALUES (3, 'ann', 10003, '$(sha512 ann-pw)', 'ann@example.org', 1, 'Ann', NULL);
INSERT INTO users VALUES (4, 'bob', 10004, '$(mkpasswd -m bcrypt -R 12 bob-pw)', 'b@example.org', 1, 'Bob', NULL);
INSERT INTO users VALUES (5, 'evil6', 10005, '$slow6', 'e@example.org', 1, 'Evil', NULL);
INSERT INTO users VALUES (6, 'evila', 10006, '$huge_argon2', 'e2@example.org', 1, 'Evil', NULL);
INSERT INTO users VALUES (7, 'lisa', 10007, '$(mkpasswd -m sha512crypt -R 20000 lisa-pw)', 'l@example.org', 1, 'Lisa', NULL);
INSERT INTO users VALUES (10, 'lockstar', 10010, '*', 'x@example.org', 1, 'L', NULL);
INSERT INTO users VALUES (11, 'lockbang', 10011, '!', 'x@example.org', 1, 'L', NULL);
INSERT INTO users VALUES (12, 'lockbb', 10012, '!!', 'x@example.org', 1, 'L', NULL);
INSERT INTO users VALUES (13, 'lockhash', 10013, '!$(sha512 lockhash-pw)', 'x@example.org', 1, 'L', NULL);
INSERT INTO users VALUES (14, 'plain', 10014, 'plain-pw', 'x@example.org', 1, 'P', NULL);
INSERT INTO users VALUES (15, 'cut', 10015, '\$6\$saltsalt', 'x@example.org', 1, 'C', NULL);
INSERT INTO users VALUES (16, 'empty', 10016, '$(mkpasswd -m sha512crypt -S emptysalt '')', 'x@example.org', 1, 'E', NULL);
X
} | sqlite3 -batch "$DB"
chmod 644 "$DB"

# write_conf [EXTRA_CUSTOMDB_KEYS]: the legacy config, with plaintext read,
# empty passwords allowed (the long-password check needs them) and 2 workers
write_conf() {
	legacy_config sqlite "$DB" "$SOCK" "workers = 2
$1" | sed 's/^query_timeout = 2$/query_timeout = 2\npassword_scheme_read = plaintext\nallow_empty_password = yes/' \
		> "$CONF"
	chmod 644 "$CONF"
}

ns_pam_service customdb-hc "auth required $PAMMOD socket=$SOCK" \
	"account required $PAMMOD socket=$SOCK"
login() { pam customdb-hc "$1" "$2" authenticate; }
bounded_login() { timeout "$BOUND" bash -c "$(declare -f pam login); login \"\$@\"" _ "$@"; }

# wire_auth USER PASSWORD_LENGTH: authenticate on the socket with a password
# of that many 'x' bytes; prints the reply's status (0 ok, 5 auth error)
wire_auth() {
	python3 - "$SOCK" "$1" "$2" <<'PY'
import socket, struct, sys
sock, user, n = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
def s(b): return struct.pack("!I", len(b)) + b
body = struct.pack("!HH", 1, 6) + s(user) + s(b"x" * n) + s(b"hashcost")
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.settimeout(60)
c.connect(sock)
c.sendall(struct.pack("!I", len(body)) + body)
data = b""
while len(data) < 8:
    more = c.recv(4096)
    if not more:
        break
    data += more
print(struct.unpack("!HH", data[4:8])[1] if len(data) >= 8 else "no reply")
PY
}

# cpu_ticks PIDFILE: the process's user + system time in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$(cat "$1")/stat"; }
# last_dummy: the format of the daemon's last dummy verification
last_dummy() { grep -o 'dummy verification as [^ ]*' "$LOG" | tail -1 | sed 's/.* as //'; }

write_conf ""
start_daemon "$CONF" "$LOG" "$SOCK" || exit 1

t_section "unknown users cost what most users cost, not what the last one did"
t_fail "an unknown user is refused" login nosuch1 whatever
t_out "before any login: the write scheme (bcrypt) stands in" "bcrypt" last_dummy
for u in alice amy ann; do
	t_fail "$u with a wrong password" login "$u" wrong
done
t_fail "bob (bcrypt, cost 12) with a wrong password, last" login bob wrong
t_fail "an unknown user after bob" login nosuch2 whatever
t_out "its dummy is sha512crypt, the format of most users" "sha512crypt" last_dummy
# CPU of the daemon: 10 unknown users against 10 wrong passwords of alice.
# Copying bob's cost would make the first ~80 times the second.
# bob logs in last each time, outside what is measured.
c0=$(cpu_ticks "$WORK/daemon.pid")
for i in $(seq 10); do login alice wrong >/dev/null 2>&1; done
c1=$(cpu_ticks "$WORK/daemon.pid")
login bob wrong >/dev/null 2>&1
c2=$(cpu_ticks "$WORK/daemon.pid")
for i in $(seq 10); do login "nosuch$i" wrong >/dev/null 2>&1; done
c3=$(cpu_ticks "$WORK/daemon.pid")
real=$((c1 - c0)) unknown=$((c3 - c2))
echo "  daemon CPU ticks: 10 wrong passwords of alice $real, 10 unknown users $unknown"
t_ok "unknown users cost at most 4 times a real user (+ 10 ticks of slack)" \
	test "$unknown" -le $((4 * real + 10))

t_section "lock markers and plaintext (password_scheme_read = plaintext)"
t_fail "* is not the password of a row holding *" login lockstar '*'
t_fail "! is not the password of a row holding !" login lockbang '!'
t_fail "!! is not the password of a row holding !!" login lockbb '!!'
t_fail "! alone is not the password of !!" login lockbb '!'
t_fail "a !-locked hash refuses its old password" login lockhash lockhash-pw
t_fail "a !-locked hash is not a plaintext password" login lockhash \
	"$(sqlite3 "$DB" "SELECT password FROM users WHERE username = 'lockhash'")"
t_fail "a cut \$6\$ is not a plaintext password" login cut '$6$saltsalt'
t_ok "a plaintext value no family claims still logs in" login plain plain-pw
t_grep "the locked row is logged as a lock marker" 'lockstar: the stored password hash is a lock marker' cat "$LOG"

t_section "a password over 1,024 bytes is refused whole"
t_out "the empty password of a user whose hash is of \"\" (allow_empty_password)" 0 \
	wire_auth empty 0
t_out "1,024 bytes: checked (a wrong password)" 5 wire_auth alice 1024
t_out "1,025 bytes for a user whose hash is of \"\": refused, not checked as empty" 5 \
	wire_auth empty 1025
t_out "4,096 bytes (the longest string the protocol carries): refused" 5 wire_auth empty 4096
t_grep "and logged as such" 'authentication failure for empty \(hashcost\): password over 1024 bytes' \
	cat "$LOG"

t_section "a row over a ceiling is refused at once and ties up no worker"
t_grep "customdb hash identify names the ceiling" \
	'over_ceiling: sha512crypt rounds 999999999 over hash_max_rounds = 1000000' \
	"$TOOL" -c "$CONF" hash identify "$slow6"
t_grep "and the 4 GiB argon2id" 'over_ceiling: argon2id memory \(KiB\) 4194304' \
	"$TOOL" -c "$CONF" hash identify "$huge_argon2"
# 4 logins of the hostile rows on 2 workers, and alice at the same time
pids=()
for u in evil6 evila evil6 evila; do
	bounded_login "$u" evil-pw > "$WORK/bg-$u-${#pids[@]}.out" 2>&1 &
	pids+=($!)
done
t_ok "alice logs in meanwhile, within ${BOUND}s" bounded_login alice alice-pw
rcs=""
for p in "${pids[@]}"; do wait "$p"; rcs="$rcs $?"; done
# pamtester: 1 for a refused login, 124 from timeout
t_out "the hostile logins were refused (not timed out)" \
	" 1 1 1 1" echo "$rcs"
t_out "the rounds are logged once, not per attempt" 1 \
	grep -c 'evil6: the stored password hash is over a ceiling: sha512crypt rounds 999999999 over hash_max_rounds' "$LOG"
t_out "the memory is logged once" 1 \
	grep -c 'evila: the stored password hash is over a ceiling: argon2id memory (KiB) 4194304 over hash_max_memory_kib' "$LOG"
t_ok "lisa (20,000 rounds) logs in under the default ceiling" login lisa lisa-pw

t_section "hash_max_rounds moves the ceiling"
stop_daemon "$WORK/daemon.pid"
write_conf "hash_max_rounds = 19999"
start_daemon "$CONF" "$LOG" "$SOCK" || exit 1
t_fail "lisa (20,000 rounds) is refused under hash_max_rounds = 19999" login lisa lisa-pw
t_grep "customdb hash identify reads the config's ceiling" \
	'over_ceiling: sha512crypt rounds 20000 over hash_max_rounds = 19999' \
	"$TOOL" -c "$CONF" hash identify "$(sqlite3 "$DB" "SELECT password FROM users WHERE username = 'lisa'")"
t_ok "alice (5000) still logs in" login alice alice-pw
stop_daemon "$WORK/daemon.pid"
write_conf "hash_max_rounds = lots"
t_grep "a bad value is refused with the key named" 'hash_max_rounds.*not a whole number' \
	"$TOOL" -c "$CONF" check

t_summary
