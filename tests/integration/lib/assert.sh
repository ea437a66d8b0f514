# assert.sh: a small test vocabulary for the integration scripts (bash).
#
#   t_section TITLE            start a group of checks
#   t_ok NAME CMD...           CMD must exit 0
#   t_fail NAME CMD...         CMD must exit non-zero
#   t_out NAME EXPECTED CMD... CMD's stdout must be exactly EXPECTED
#   t_grep NAME REGEX CMD...   CMD's stdout+stderr must match REGEX (grep -E)
#   t_nogrep NAME REGEX CMD... CMD's stdout+stderr must not match REGEX
#   t_rc NAME STATUS REGEX CMD...
#                              CMD must exit with STATUS, and its stdout+stderr
#                              must match REGEX
#   t_summary                  print the count; return 1 if anything failed
#                              (or valgrind found an error: lib/valgrind.sh)
#
# Each failure prints the command and what it said, so a CI log is enough to
# see why.

T_PASS=0
T_FAIL=0
T_FAILED_NAMES=()
T_LAST_OUT=""

t_section() {
	printf '\n== %s\n' "$*"
}

_t_pass() {
	T_PASS=$((T_PASS + 1))
	printf '  ok    %s\n' "$1"
}

_t_fail() {
	T_FAIL=$((T_FAIL + 1))
	T_FAILED_NAMES+=("$1")
	printf '  FAIL  %s\n' "$1"
	shift
	printf '%s\n' "$@" | head -60 | sed 's/^/        /'
}

t_ok() {
	local name=$1; shift
	if T_LAST_OUT=$("$@" 2>&1); then
		_t_pass "$name"
	else
		_t_fail "$name" "command: $*" "exit: $?" "output: $T_LAST_OUT"
	fi
}

t_fail() {
	local name=$1; shift
	if T_LAST_OUT=$("$@" 2>&1); then
		_t_fail "$name" "command: $* (expected to fail)" "output: $T_LAST_OUT"
	else
		_t_pass "$name"
	fi
}

t_out() {
	local name=$1 want=$2; shift 2
	local got
	got=$("$@" 2>/dev/null)
	if [ "$got" = "$want" ]; then
		_t_pass "$name"
	else
		_t_fail "$name" "command: $*" "want: $want" "got:  $got"
	fi
}

t_grep() {
	local name=$1 re=$2; shift 2
	T_LAST_OUT=$("$@" 2>&1)
	if printf '%s\n' "$T_LAST_OUT" | grep -Eq -- "$re"; then
		_t_pass "$name"
	else
		_t_fail "$name" "command: $*" "want match: $re" "got: $T_LAST_OUT"
	fi
}

t_nogrep() {
	local name=$1 re=$2; shift 2
	T_LAST_OUT=$("$@" 2>&1)
	if printf '%s\n' "$T_LAST_OUT" | grep -Eq -- "$re"; then
		_t_fail "$name" "command: $*" "must not match: $re" "got: $T_LAST_OUT"
	else
		_t_pass "$name"
	fi
}

t_rc() {
	local name=$1 want=$2 re=$3 got
	shift 3
	T_LAST_OUT=$("$@" 2>&1)
	got=$?
	if [ "$got" = "$want" ] && printf '%s\n' "$T_LAST_OUT" | grep -Eq -- "$re"; then
		_t_pass "$name"
	else
		_t_fail "$name" "command: $*" "want: exit $want, output matching $re" \
			"got: exit $got: $T_LAST_OUT"
	fi
}

t_summary() {
	if [ -n "${VG_DIR:-}" ]; then
		t_ok "valgrind memcheck: no error in any NSS client" vg_check
		printf '%s\n' "$T_LAST_OUT"
	fi
	printf '\n%d passed, %d failed\n' "$T_PASS" "$T_FAIL"
	if [ "$T_FAIL" -ne 0 ]; then
		printf 'failed: %s\n' "${T_FAILED_NAMES[@]}"
		return 1
	fi
	return 0
}
