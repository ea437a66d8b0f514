# setup.sh: how every integration script starts (bash). Sourced right after
# `set -u`, with no arguments (it sees the script's own):
#
#   . "$(dirname "$0")/lib/setup.sh"
#
# It sets BUILD (default: the repository's build/, exported), re-runs the
# script inside a private mount namespace (lib/ns.sh), loads the other
# libraries (assert.sh, servers.sh, legacy.sh, daemon.sh, pty.sh, and
# wait.sh and valgrind.sh once DAEMON and PROBE are known), and sets:
#   DAEMON, TOOL   from the environment or BUILD: they may come from another
#                  build (build-asan: sanitizers where untrusted bytes
#                  arrive); the modules are loaded into uninstrumented
#                  programs, so they always come from BUILD
#   NSSMOD, PAMMOD the built modules
#   PROBE, ENUM_PROBE  the NSS test programs (tests/integration/*.c)
#   ENGINES        the script's arguments, or every legacy engine
#   NSS_VALGRIND=1 (from the environment) runs getent, id and the probes
#                  under valgrind memcheck (lib/valgrind.sh)
# and the sanitizers' options. It exits 2 when something is not built.
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
export BUILD

. "$HERE/lib/ns.sh"
ns_enter "$0" "$@"

. "$HERE/lib/assert.sh"
. "$HERE/lib/servers.sh"
. "$HERE/lib/legacy.sh"
. "$HERE/lib/daemon.sh"
. "$HERE/lib/pty.sh"

DAEMON=${DAEMON:-$BUILD/customdbd/customdbd}
TOOL=${TOOL:-$BUILD/tools/customdb}
NSSMOD=$BUILD/nss_customdb/libnss_customdb.so.2
PAMMOD=$BUILD/pam_customdb/pam_customdb.so
PROBE=$BUILD/tests/integration/nss_probe
ENUM_PROBE=$BUILD/tests/integration/nss_enum_probe
for f in "$DAEMON" "$TOOL" "$NSSMOD" "$PAMMOD" "$PROBE" "$ENUM_PROBE"; do
	[ -e "$f" ] || { echo "$(basename "$0"): $f is missing: build first" >&2; exit 2; }
done
. "$HERE/lib/wait.sh"
. "$HERE/lib/valgrind.sh"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

ENGINES=("$@")
[ ${#ENGINES[@]} -eq 0 ] && ENGINES=(sqlite postgresql mysql)
