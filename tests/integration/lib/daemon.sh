# daemon.sh: the daemon and the clients, for the integration scripts (bash).
#
#   start_daemon CONF LOG SOCK [PIDFILE]  customdbd -f -d in the background;
#                           returns once its log says "ready" and the socket is
#                           there (PIDFILE default: $WORK/daemon.pid, so that
#                           this works from a subshell such as t_ok's)
#   stop_daemon [PIDFILE] [SIGNAL]       stop it (TERM) and wait until gone
#   pam SERVICE USER PASSWORD [ACTIONS]  pamtester, the password on stdin
#   now_ms                               monotonic-enough milliseconds
#
# Needs DAEMON (the customdbd binary) and WORK set by the caller.

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

start_daemon() {
	local conf=$1 log=$2 sock=$3 pidfile=${4:-$WORK/daemon.pid} i pid ready
	ready=$(grep -c ': ready:' "$log" 2>/dev/null)
	"$DAEMON" -c "$conf" -f -d >>"$log" 2>&1 &
	pid=$!
	echo "$pid" > "$pidfile"
	for i in $(seq 100); do
		[ "$(grep -c ': ready:' "$log")" -gt "${ready:-0}" ] && [ -S "$sock" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "customdbd did not start:" >&2
	tail -20 "$log" >&2
	return 1
}

stop_daemon() {
	local pidfile=${1:-$WORK/daemon.pid} pid i
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill "-${2:-TERM}" "$pid" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	rm -f "$pidfile"
}

pam() {
	local svc=$1 user=$2 pw=$3; shift 3
	printf '%s\n' "$pw" | pamtester "$svc" "$user" "${@:-authenticate}"
}
