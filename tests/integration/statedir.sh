#!/bin/bash
# statedir.sh: who may write the host cache that every process believes.
#
#   tests/integration/statedir.sh
#
#   1. a host cache that nobody wrote, in a directory of nobody's, is not
#      believed by root's getent, not even where it says evil is uid 0;
#      nobody believes their own (it fools no one else), never uid 0
#   2. customdbd refuses a state_dir that its group or others may write, or
#      that another user owns, and says why
#   3. two daemons on one state_dir: the second refuses to start and says
#      why, the first keeps serving, look-ups all along never die of SIGBUS;
#      once the first stops, a new one starts there
#
# Needs root and a build in $BUILD (SQLite legacy database only). Runs in a
# private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

FORGE=${FORGE:-$BUILD/tests/integration/hostcache_forge}
[ -x "$FORGE" ] || { echo "statedir.sh: $FORGE is missing: build first" >&2; exit 2; }
WORK=$(mktemp -d /tmp/customdb-sd.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	stop_daemon "$WORK/one.pid"
	stop_daemon "$WORK/two.pid"
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
ns_setup "$WORK" "$BUILD"

as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }

# the host cache in DIR, with no daemon to ask
cached() { env CUSTOMDB_SOCKET="$WORK/no-daemon.sock" CUSTOMDB_STATE_DIR="$1" "${@:2}"; }

# conf NAME STATE_DIR SOCKET: a config for the SQLite legacy database
conf() {
	legacy_config sqlite "$WORK/legacy.db" "$3" |
		sed "s|^state_dir = .*|state_dir = $2|" > "$WORK/$1.conf"
	chmod 600 "$WORK/$1.conf"
}

# refused CONF: customdbd must exit at once (not run) and print why
refused() {
	local rc
	timeout 30 "$DAEMON" -c "$1" -f 2>&1
	rc=$?
	echo "(exit $rc)"
	[ $rc -ne 0 ] && [ $rc -ne 124 ]
}

t_section "a host cache that root did not write"
mkdir -m 0755 "$WORK/evil"
chown nobody "$WORK/evil"
t_ok "nobody writes a host cache: evil is uid 0, fake is 10099" \
	as_nobody "$FORGE" "$WORK/evil" evil 0 0 fake 10099 100
t_out "... the file is nobody's" "nobody" stat -c %U "$WORK/evil/hostcache.db"
t_fail "root's getent passwd evil: not believed (never uid 0)" cached "$WORK/evil" getent passwd evil
t_fail "root's getent passwd 0 through the forged cache: nothing" \
	cached "$WORK/evil" getent -s customdb passwd 0
t_fail "root's getent passwd fake: the whole file is ignored" cached "$WORK/evil" getent passwd fake
t_out "nobody believes their own cache" "fake:x:10099:100::/home/fake:/bin/sh" \
	as_nobody env CUSTOMDB_SOCKET="$WORK/no-daemon.sock" CUSTOMDB_STATE_DIR="$WORK/evil" \
	getent passwd fake
t_fail "... but not where it says uid 0" \
	as_nobody env CUSTOMDB_SOCKET="$WORK/no-daemon.sock" CUSTOMDB_STATE_DIR="$WORK/evil" \
	getent passwd evil
# the same files, root's, in a directory of root's: read (fake), uid 0 not
mkdir -m 0755 "$WORK/rootcopy"
cp "$WORK/evil/hostcache.db" "$WORK/evil/hostcache.gen" "$WORK/rootcopy/"
t_out "control: root's copy of the file is read" "fake:x:10099:100::/home/fake:/bin/sh" \
	cached "$WORK/rootcopy" getent passwd fake
t_fail "control: ... still not evil as uid 0" cached "$WORK/rootcopy" getent passwd evil
chmod 0775 "$WORK/rootcopy"
t_fail "root's copy in a group-writable directory: ignored" cached "$WORK/rootcopy" getent passwd fake
chmod 0755 "$WORK/rootcopy"
chmod 0666 "$WORK/rootcopy/hostcache.db"
t_fail "root's copy, the file writable by all: ignored" cached "$WORK/rootcopy" getent passwd fake

t_section "customdbd checks its state directory"
legacy_data | legacy_load sqlite "$WORK/legacy.db" >/dev/null || exit 1
chmod 644 "$WORK/legacy.db"
mkdir -m 0775 "$WORK/groupw"
conf groupw "$WORK/groupw" /run/customdb/gw.sock
t_grep "a group-writable state_dir: refused, and why" "state_dir $WORK/groupw is writable by its group" \
	refused "$WORK/groupw.conf"
t_fail "... no socket was made" test -e /run/customdb/gw.sock
mkdir -m 0755 "$WORK/nobodys"
chown nobody "$WORK/nobodys"
conf nobodys "$WORK/nobodys" /run/customdb/nb.sock
t_grep "a state_dir owned by nobody: refused, and why" "state_dir $WORK/nobodys belongs to uid [0-9]+, not root" \
	refused "$WORK/nobodys.conf"
t_fail "... nothing written there" test -e "$WORK/nobodys/hostcache.db"

t_section "two daemons on one state directory"
mkdir -m 0755 "$WORK/shared"
conf one "$WORK/shared" /run/customdb/one.sock
conf two "$WORK/shared" /run/customdb/two.sock
t_ok "the first daemon starts" start_daemon "$WORK/one.conf" "$WORK/one.log" /run/customdb/one.sock "$WORK/one.pid"
export CUSTOMDB_SOCKET=/run/customdb/one.sock CUSTOMDB_STATE_DIR=$WORK/shared
t_out "bob through the first daemon" "bob:x:10002:100:Bob:/home/bob:/bin/sh" getent passwd bob
t_ok "bob's entry reaches the host cache" \
	wait_until 10 file_answers "$WORK/shared" passwd bob
# readers all along, from the cache and through the daemon: none may die
# of a signal (SIGBUS: a mapped file truncated under them)
( while [ ! -e "$WORK/stop" ]; do
	env CUSTOMDB_SOCKET="$WORK/no-daemon.sock" getent passwd bob >/dev/null
	rc=$?; [ $rc -gt 128 ] && echo "cached: signal $((rc - 128))"
	getent passwd alice >/dev/null
	rc=$?; [ $rc -gt 128 ] && echo "daemon: signal $((rc - 128))"
  done > "$WORK/readers.out" ) &
readers=$!
t_grep "the second daemon refuses to start, and says why" \
	"another customdbd uses state_dir $WORK/shared" refused "$WORK/two.conf"
t_fail "... and left no socket" test -e /run/customdb/two.sock
for u in alice carol dave erin; do getent passwd "$u" >/dev/null; done
t_out "the first daemon keeps serving" "dave:x:10004:100:Dave:/home/dave:/bin/sh" getent passwd dave
t_ok "... and keeps writing the host cache" \
	wait_until 10 file_answers "$WORK/shared" passwd erin
t_out "no temporary file left in the state directory" "" \
	bash -c "ls '$WORK/shared' | grep -F hostcache.db.tmp"
touch "$WORK/stop"
wait "$readers"
t_out "the readers never died of a signal" "" cat "$WORK/readers.out"
stop_daemon "$WORK/one.pid"
t_ok "once the first daemon is gone, the second starts" \
	start_daemon "$WORK/two.conf" "$WORK/two.log" /run/customdb/two.sock "$WORK/two.pid"
t_out "... and serves" "bob:x:10002:100:Bob:/home/bob:/bin/sh" \
	env CUSTOMDB_SOCKET=/run/customdb/two.sock getent passwd bob
stop_daemon "$WORK/two.pid"
unset CUSTOMDB_SOCKET CUSTOMDB_STATE_DIR

t_summary
