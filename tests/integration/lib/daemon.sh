# daemon.sh: the daemon and the clients, for the integration scripts (bash).
#
#   start_daemon CONF LOG SOCK [PIDFILE]  customdbd -f -d in the background;
#                           returns once its log says "ready" and the socket is
#                           there (PIDFILE default: $WORK/daemon.pid, so that
#                           this works from a subshell such as t_ok's)
#   stop_daemon [PIDFILE] [SIGNAL]       stop it (TERM) and wait until gone
#                           (30 s * TIME_FACTOR; then KILL, and 1)
#   pam SERVICE USER PASSWORD [ACTIONS]  pamtester, the password on stdin
#   pam_chpw SERVICE UID USER OLD NEW    USER, as UID (group 100), changes
#                           their own password through pamtester chauthtok
#   template_start TEMPLATE CONNECTION [SED]  conf/templates/TEMPLATE as it
#                           ships, with only its connection, its password_file
#                           ($WORK/legacy.secret, holding $SERVERS_PASSWORD)
#                           (and the sed expression SED) set, the socket and
#                           state directory of lib/ns.sh's /run:
#                           $WORK/customdb.conf, which customdb check must
#                           accept; then the daemon on it (log
#                           $WORK/daemon.log)
#   now_ms                               monotonic-enough milliseconds
#
# Needs DAEMON (the customdbd binary) and WORK set by the caller, and
# wait.sh.

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

start_daemon() {
	local conf=$1 log=$2 sock=$3 pidfile=${4:-$WORK/daemon.pid} pid ready
	ready=$(log_count "$log" ': ready:')
	"$DAEMON" -c "$conf" -f -d >>"$log" 2>&1 &
	pid=$!
	echo "$pid" > "$pidfile"
	if wait_until 10 _daemon_ready "$log" "${ready:-0}" "$sock" "$pid" &&
	   kill -0 "$pid" 2>/dev/null; then
		return 0
	fi
	echo "customdbd did not start:" >&2
	tail -20 "$log" >&2
	# one that is still starting would go on holding the socket and the
	# state directory's lock, and fail every later start: end it
	kill -KILL "$pid" 2>/dev/null
	wait_until 10 _gone "$pid"
	rm -f "$pidfile"
	return 1
}

# ready (its own "ready" line and the socket), or dead: stop waiting
_daemon_ready() {
	kill -0 "$4" 2>/dev/null || return 0
	[ "$(log_count "$1" ': ready:')" -gt "$2" ] && [ -S "$3" ]
}

# _gone PID...: none of them runs any more
_gone() {
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && return 1
	done
	return 0
}

stop_daemon() {
	local pidfile=${1:-$WORK/daemon.pid} pid
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill "-${2:-TERM}" "$pid" 2>/dev/null
	rm -f "$pidfile"
	# a clean stop joins the workers and writes the host cache out: wait
	# for all of it, so that what follows sees the daemon gone
	wait_until 30 _gone "$pid" && return 0
	echo "customdbd $pid did not stop within $((30 * TIME_FACTOR)) s; killed" >&2
	kill -KILL "$pid" 2>/dev/null
	wait_until 10 _gone "$pid"
	return 1
}

pam() {
	local svc=$1 user=$2 pw=$3; shift 3
	printf '%s\n' "$pw" | pamtester "$svc" "$user" "${@:-authenticate}"
}

pam_chpw() {
	printf '%s\n%s\n%s\n' "$4" "$5" "$5" |
		setpriv --reuid="$2" --regid=100 --clear-groups pamtester "$1" "$3" chauthtok
}

template_start() {
	printf '%s\n' "${SERVERS_PASSWORD:-}" > "$WORK/legacy.secret"
	chmod 600 "$WORK/legacy.secret"
	sed -e "s|^connection = .*|connection = $2|" -e "${3:-}" \
	    -e "s|^password_file = .*|password_file = $WORK/legacy.secret|" \
	    -e "s|^\\[customdb\\]\$|[customdb]\nsocket = /run/customdb/socket\nstate_dir = /run/customdb/state|" \
		"$ROOT/conf/templates/$1" > "$WORK/customdb.conf"
	chmod 600 "$WORK/customdb.conf"
	t_ok "$1: customdb check accepts the template" "$TOOL" -c "$WORK/customdb.conf" check
	start_daemon "$WORK/customdb.conf" "$WORK/daemon.log" /run/customdb/socket
}
