#!/bin/bash
# exec_unit.sh: conf/customdbd-exec.conf, the drop-in that lets
# customdbd.service run action scripts (driver = exec).
#
#   tests/integration/exec_unit.sh
#
#   1. systemd-analyze verify accepts the unit with the drop-in (in a root of
#      its own, as /etc/systemd/system/customdbd.service.d/exec.conf), and
#      systemd-analyze security --offline=yes sees what it adds (printed:
#      the exposure score with and without it)
#   2. customdbd run as the unit runs it (no_new_privs, the bounding set of
#      its CapabilityBoundingSet= lines) with conf/templates/exec-sqlite.py
#      as nobody: with the unit alone a script cannot switch to run_as, and
#      the log says so; with the drop-in getent and pamtester log alice in,
#      and a script past query_timeout is killed though it runs as nobody
#
# No systemd runs here, so the drop-in's SystemCallFilter= (Landlock) and
# ReadWritePaths= are checked by systemd-analyze only. Needs root,
# systemd-analyze, setpriv, python3, sqlite3, mkpasswd and pamtester; runs
# in a private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"
. "$HERE/lib/exec.sh"

WORK=$(mktemp -d /tmp/customdb-exec-unit.XXXXXX)
chmod 755 "$WORK"
SOCK=/run/customdb/exec-unit.sock
UNIT=$ROOT/conf/customdbd.service
DROPIN=$ROOT/conf/customdbd-exec.conf
# get_user_by_uid sleeps this long (a number no other process sleeps)
NAP=4711
nappers() { pgrep -u nobody -f "^/bin/sleep $NAP\$"; }
cleanup() {
	stop_daemon
	# a script the daemon failed to kill (this test's own, by its pid)
	local p
	for p in $(nappers); do kill "$p"; done
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
ns_setup "$WORK" "$BUILD"

t_section "systemd-analyze: the unit and the drop-in"
# a root with what the unit names: its programs, the targets it orders by
R=$WORK/root
mkdir -p "$R/usr/sbin" "$R/bin" "$R/lib/systemd/system" "$R/etc/systemd/system/customdbd.service.d"
printf '#!/bin/sh\n' | tee "$R/usr/sbin/customdbd" > "$R/bin/kill"
chmod 755 "$R/usr/sbin/customdbd" "$R/bin/kill"
cp /lib/systemd/system/*.target "$R/lib/systemd/system/"
cp "$UNIT" "$R/lib/systemd/system/"
analyze() { systemd-analyze "$@" --root="$R" customdbd.service 2>&1; }
score() { analyze security --offline=yes | sed -n 's/.*Overall exposure level for customdbd.service: //p'; }
without=$(score)
t_ok "verify: the unit alone" analyze verify --man=no
cp "$DROPIN" "$R/etc/systemd/system/customdbd.service.d/exec.conf"
t_ok "verify: the unit with the drop-in" analyze verify --man=no
t_nogrep "... without a warning" "." analyze verify --man=no
t_grep "security: the drop-in's capabilities are seen" "✗ CapabilityBoundingSet=~CAP_KILL" \
	analyze security --offline=yes
echo "  exposure (systemd-analyze security --offline=yes): unit $without, with the drop-in $(score)"

t_section "customdbd with the unit's privileges, action scripts as nobody"
# get_user_by_uid hangs: past query_timeout the daemon kills it
exec_sqlite_conf "$WORK" "$SOCK" "$WORK/state" -e "s|^query_timeout = .*|query_timeout = 2|" \
	-e "s|^get_user_by_uid = .*|get_user_by_uid = /bin/sleep $NAP|" > "$WORK/customdb.conf"
chmod 600 "$WORK/customdb.conf"
mkdir -m 700 "$WORK/state"
export CUSTOMDB_SOCKET=$SOCK CUSTOMDB_STATE_DIR=$WORK/no-cache
ns_pam_service customdb-unit "auth required $PAMMOD socket=$SOCK"
REAL_DAEMON=$DAEMON
# as_unit FILE...: customdbd as systemd starts it with FILE's
# CapabilityBoundingSet= lines (each adds) and NoNewPrivileges=yes
as_unit() {
	local caps
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$@" | tr ' ' '\n' | grep . |
		sed 's/^CAP_/+/' | tr 'A-Z' 'a-z' | paste -sd,)
	printf '#!/bin/sh\nexec setpriv --no-new-privs --bounding-set=-all,%s -- %s "$@"\n' \
		"$caps" "$REAL_DAEMON" > "$WORK/as-unit"
	chmod 755 "$WORK/as-unit"
	DAEMON=$WORK/as-unit
}
LOG=$WORK/daemon.log
napping() { nappers >/dev/null; }

as_unit "$UNIT"
t_ok "the unit alone: customdbd starts" start_daemon "$WORK/customdb.conf" "$LOG" "$SOCK"
t_rc "... getent passwd alice fails" 2 "" getent passwd alice
t_grep "... the log says the script could not become run_as" "switching to the run_as user" cat "$LOG"
stop_daemon

as_unit "$UNIT" "$DROPIN"
t_ok "the unit with the drop-in: customdbd starts" start_daemon "$WORK/customdb.conf" "$LOG" "$SOCK"
t_out "... getent passwd alice" "alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" \
	getent passwd alice
t_grep "... alice logs in (pamtester)" "successfully authenticated" pam customdb-unit alice alice-pw
t_grep "... not with a wrong password" "Authentication failure" pam customdb-unit alice wrong
t_rc "... a script past query_timeout: the look-up fails" 2 "" getent passwd 10001
t_ok "... and the script, nobody's, is killed" wait_until 30 eval '! napping'
t_nogrep "no sanitizer report in the daemon's log" "AddressSanitizer|LeakSanitizer|runtime error" \
	cat "$LOG"

t_summary
