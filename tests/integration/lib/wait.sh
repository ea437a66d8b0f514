# wait.sh: wait for a condition, never for a fixed time (bash).
#
#   TIME_FACTOR              how much slower this run may be: 5 when DAEMON
#                            is a sanitizer build, 10 with NSS_VALGRIND=1,
#                            else 1; the environment's TIME_FACTOR wins
#   wait_until SECONDS CMD...   run CMD until it succeeds; gives up after
#                            SECONDS * TIME_FACTOR (then 1). A bound on a
#                            hang, not on speed: keep SECONDS generous
#   wait_log LOG REGEX [N]   until LOG has more than N lines matching REGEX
#                            (N default 0): pass the count taken before an
#                            action to wait for that action's own line
#   log_count LOG REGEX      how many lines of LOG match REGEX now
#   file_answers STATE MAP KEY  the host cache file under STATE answers
#                            `getent MAP KEY` by itself (the socket points
#                            nowhere, so no daemon is asked)
#   wait_cached STATE MAP KEY [MAP KEY]...  until the file answers each
#                            (a rewrite that holds them is in place)
#   wait_uncached STATE MAP KEY until it no longer does
#
# Needs DAEMON set (setup.sh) to pick the factor.

if [ -z "${TIME_FACTOR:-}" ]; then
	TIME_FACTOR=1
	if [ "${NSS_VALGRIND:-}" = 1 ]; then
		TIME_FACTOR=10
	elif [ -n "${DAEMON:-}" ] && grep -qa __asan_init "$DAEMON" 2>/dev/null; then
		TIME_FACTOR=5
	fi
fi

wait_until() {
	local limit=$(($1 * TIME_FACTOR * 20)) i=0
	shift
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge "$limit" ] && return 1
		sleep 0.05
	done
	return 0
}

log_count() {
	grep -Ec -- "$2" "$1" 2>/dev/null
}

_wait_log_more() {
	[ "$(log_count "$1" "$2")" -gt "$3" ]
}

wait_log() {
	wait_until 30 _wait_log_more "$1" "$2" "${3:-0}"
}

file_answers() {
	env CUSTOMDB_SOCKET=/nonexistent/customdb.sock CUSTOMDB_STATE_DIR="$1" getent "$2" "$3"
}

_file_answers_not() {
	! file_answers "$@"
}

wait_cached() {
	local state=$1
	shift
	while [ $# -ge 2 ]; do
		wait_until 30 file_answers "$state" "$1" "$2" || return 1
		shift 2
	done
}

wait_uncached() {
	wait_until 30 _file_answers_not "$@"
}
