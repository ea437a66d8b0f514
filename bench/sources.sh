#!/bin/bash
# sources.sh: a look-up and a login through customdbd for every kind of
# source, against the native PostgreSQL driver measured in the same run.
#
#   bench/sources.sh      (ROUNDS turns, default 9; PER calls a turn, 20)
#
# One PostgreSQL server holds the integration tests' users (lib/legacy.sh);
# four daemons, one a source, run at once, each with cache_ttl = 0 so that
# every look-up reaches the source:
#   postgresql       driver = postgresql (the baseline)
#   odbc-postgresql  driver = odbc, Debian's odbc-postgresql, same database
#   http             driver = http: nginx with a test CA in front of
#                    tests/integration/data/http_users_app.py (lib/https.sh),
#                    which checks the password itself (PBKDF2-SHA256)
#   exec             driver = exec: conf/templates/exec-sqlite.py run as
#                    nobody over an SQLite file (sqlite.sql's tables) holding
#                    alice with a sha512crypt hash, which customdb checks
# In each turn every source in order gets PER look-ups of alice (glibc
# getpwnam_r through nss_customdb, the host cache out of the way, so
# glibc -> module -> daemon -> source) and PER pamtester logins of alice
# (pam_customdb -> daemon -> source), and pam_permit its PER logins (the
# floor: what pamtester and PAM cost by themselves). Medians: over the
# turns of each turn's median look-up, and of every login; ratios to
# postgresql. Runs in its own network and mount namespaces. Results to stdout and, as a new
# section at the top, bench/results/sources.txt.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
if [ "${CUSTOMDB_BENCH_NETNS:-}" != 1 ]; then
	export CUSTOMDB_BENCH_NETNS=1
	exec unshare --net -- bash "$0" "$@"
fi
. "$ROOT/tests/integration/lib/ns.sh"
ns_enter "$0" "$@"
. "$ROOT/tests/integration/lib/servers.sh"
. "$ROOT/tests/integration/lib/legacy.sh"
. "$ROOT/tests/integration/lib/https.sh"
. "$ROOT/tests/integration/lib/exec.sh"
ip link set lo up

ROUNDS=${ROUNDS:-9}
PER=${PER:-20}
SOURCES=(postgresql odbc-postgresql http exec)
WORK=$(mktemp -d /tmp/customdb-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=() APP_PID="" NGINX_PID=""
cleanup() {
	local p
	for p in "${PIDS[@]}" $NGINX_PID $APP_PID; do kill "$p" 2>/dev/null; done
	pg_stop "$WORK/db" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "bench: $*" >&2; exit 1; }
ns_setup "$WORK" "$BUILD"
odbc_setup "$WORK/odbc"
export LEGACY_NO_SLOW=1
LOOKUPS=$BUILD/bench/nss_lookups
PAMMOD=$BUILD/pam_customdb/pam_customdb.so
sock() { echo "/run/customdb/$1.sock"; }
# nocache: the daemon asks the source every time; its own state_dir
nocache() { sed -e "s|^state_dir = .*|state_dir = $WORK/state-$1\ncache_ttl = 0\nnegative_ttl = 0|"; }

# PostgreSQL, natively and through ODBC
mkdir -p "$WORK/db"
pg_start "$WORK/db" >"$WORK/pg.log" 2>&1 || { cat "$WORK/pg.log"; exit 1; }
{ legacy_schema postgresql; legacy_data; } | pg_sql "$WORK/db" >/dev/null
legacy_config postgresql "$(pg_conninfo "$WORK/db") password=legacy-secret" "$(sock postgresql)" |
	nocache postgresql > "$WORK/postgresql.conf"
legacy_config odbc-postgresql "$(odbc_conninfo postgresql "$WORK/db");PWD=legacy-secret" \
	"$(sock odbc-postgresql)" | nocache odbc-postgresql > "$WORK/odbc-postgresql.conf"

# the web service
ACCOUNT=customdb ACCOUNT_PW=svc-secret-pw
http_ca test-ca && http_cert good localhost test-ca || fail "no test certificates"
/usr/bin/python3 "$APP" init "$WORK/app.db" || fail "no application users"
http_app_start "$WORK/app.db" 8080
http_nginx_start "$(http_server 8443 good)"
printf '%s\n' "$ACCOUNT_PW" > "$WORK/svc.secret"
chmod 600 "$WORK/svc.secret"
http_config legacy "$(sock http)" | nocache http > "$WORK/http.conf"

# the action script, run as nobody (lib/exec.sh)
exec_sqlite_conf "$WORK" "$(sock exec)" "$WORK/state-exec" > "$WORK/exec.conf"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 200); do port_open 8443 && port_open 8080 && break; sleep 0.1; done
port_open 8443 || fail "nginx does not listen"

ns_pam_service bench-floor "auth required pam_permit.so"
for s in "${SOURCES[@]}"; do
	mkdir -m 700 "$WORK/state-$s"
	chmod 600 "$WORK/$s.conf"
	"$BUILD/customdbd/customdbd" -c "$WORK/$s.conf" -f 2>"$WORK/$s.log" &
	PIDS+=($!)
	ns_pam_service "bench-$s" "auth required $PAMMOD socket=$(sock "$s")"
done
for s in "${SOURCES[@]}"; do
	for _ in $(seq 200); do [ -S "$(sock "$s")" ] && break; sleep 0.05; done
	[ -S "$(sock "$s")" ] || { cat "$WORK/$s.log" >&2; fail "$s: customdbd does not listen"; }
done

export CUSTOMDB_STATE_DIR=$WORK/no-cache
printf 'alice-pw\n' > "$WORK/pw"
printf 'wrong\n' > "$WORK/wrong"
# lookup SOURCE: median microseconds of PER look-ups of alice
lookup() {
	local us found
	read -r us found < <(CUSTOMDB_SOCKET=$(sock "$1") "$LOOKUPS" "$PER" name alice)
	[ "$found" = found ] || fail "$1: alice not found"
	echo "$us"
}
# logins SERVICE: microseconds of each of PER pamtester logins of alice
logins() {
	local i t0
	for ((i = 0; i < PER; i++)); do
		t0=$EPOCHREALTIME
		pamtester "$1" alice authenticate <"$WORK/pw" >/dev/null 2>&1
		echo "($EPOCHREALTIME - $t0) * 1000000" | bc
	done | tr '\n' ' '
}
# each source answers, and tells a right password from a wrong one
for s in "${SOURCES[@]}"; do
	CUSTOMDB_SOCKET=$(sock "$s") getent passwd alice | grep -q '^alice:x:10001:' ||
		{ cat "$WORK/$s.log" >&2; fail "$s: getent passwd alice"; }
	pamtester "bench-$s" alice authenticate <"$WORK/pw" 2>&1 | grep -q "successfully authenticated" ||
		{ cat "$WORK/$s.log" >&2; fail "$s: alice cannot log in"; }
	pamtester "bench-$s" alice authenticate <"$WORK/wrong" 2>&1 | grep -q "Authentication failure" ||
		fail "$s: a wrong password is not refused"
	lookup "$s" >/dev/null
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A look login
for ((r = 0; r < ROUNDS; r++)); do
	for s in "${SOURCES[@]}"; do
		look[$s]+="$(lookup "$s") "
		login[$s]+="$(logins "bench-$s") "
	done
	login[floor]+="$(logins bench-floor) "
done
# the source was asked each time (cache_ttl = 0): the script's runs, counted
# by the application's log for http
asked=$(grep -c 'GET /api/users/alice ' "$WORK/app.log")

mkdir -p "$HERE/results"
{
echo "# sources bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d" " -f1 /proc/loadavg), $ROUNDS turns x $PER calls; medians"
printf '%-16s %12s %8s %12s %8s %14s\n' source "look-up us" "/ pg" "login us" "/ pg" "login-floor us"
floor=$(echo "${login[floor]}" | median)
pl=$(echo "${look[postgresql]}" | median)
pg=$(echo "${login[postgresql]}" | median)
for s in "${SOURCES[@]}"; do
	l=$(echo "${look[$s]}" | median)
	g=$(echo "${login[$s]}" | median)
	printf '%-16s %12s %8s %12.0f %8s %14.0f\n' "$s" "$l" "$(echo "scale=2; $l / $pl" | bc)" \
		"$g" "$(echo "scale=2; $g / $pg" | bc)" "$(echo "$g - $floor" | bc)"
done
printf '%-16s %12s %8s %12.0f\n' "pam_permit" - - "$floor"
echo "# look-up: glibc getpwnam_r of alice through nss_customdb and the daemon, cache_ttl = 0"
echo "# and the host cache out of the way, so each asks the source; login: one pamtester"
echo "# authenticate of alice; login-floor: less pam_permit's (pamtester and PAM themselves);"
echo "# / pg: ratio to driver = postgresql. Hashes: sha512crypt (5000 rounds) checked by customdb"
echo "# for postgresql, odbc-postgresql and exec; PBKDF2-SHA256 (1000) checked by the web service"
echo "# for http ($asked requests for alice reached it). exec starts python3 for every request."
} > "$WORK/section"
cat "$WORK/section"
{ cat "$WORK/section"; echo; cat "$HERE/results/sources.txt" 2>/dev/null; } > "$WORK/results"
cat "$WORK/results" > "$HERE/results/sources.txt"
