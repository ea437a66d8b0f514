#!/bin/bash
# login.sh: what a PAM login costs through customdb, against pam_mysql on
# the same MariaDB table, measured in one run.
#
#   bench/login.sh [ROUNDS]     (default 10 rounds of 20 logins per variant)
#
# Variants, each a pamtester authenticate of a legacy sha512crypt user
# (5000 rounds, as mkpasswd writes it) from a fresh process, as sshd or su
# would do:
#   floor          pam_permit: what pamtester and PAM cost by themselves
#   customdb       pam_customdb -> customdbd -> MariaDB (kept connection)
#   customdb-unk   the same with a user that does not exist
#   pam_mysql      Debian's libpam-mysql (a new connection per login)
#   pam_mysql-unk  the same with a user that does not exist
# Variants are interleaved round by round so that drift hits them alike.
# Results (per-login milliseconds, medians over rounds, and the ratios the
# issue asks for) go to stdout and to bench/results/login.txt.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/integration/lib/ns.sh"
ns_enter "$0" "$@"
. "$ROOT/tests/integration/lib/servers.sh"
. "$ROOT/tests/integration/lib/legacy.sh"

ROUNDS=${1:-15}
PER=20
WORK=$(mktemp -d /tmp/customdb-bench.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null
	maria_stop "$WORK/db" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"
mkdir -p "$WORK/db" "$WORK/run"
maria_start "$WORK/db" >"$WORK/server.log" 2>&1 || { cat "$WORK/server.log"; exit 1; }
{ legacy_schema mysql; legacy_data; } | maria_sql "$WORK/db" >/dev/null
SOCK=$(maria_conninfo "$WORK/db" | sed -n 's/.*socket=\([^ ]*\).*/\1/p')
legacy_config mysql "$(maria_conninfo "$WORK/db") password=legacy-secret" "$WORK/run/socket" > "$WORK/customdb.conf"
chmod 600 "$WORK/customdb.conf"
"$BUILD/customdbd/customdbd" -c "$WORK/customdb.conf" -f 2>"$WORK/daemon.log" &
PID=$!
for _ in $(seq 100); do [ -S "$WORK/run/socket" ] && break; sleep 0.05; done

ns_pam_service bench-floor "auth required pam_permit.so"
ns_pam_service bench-customdb "auth required $BUILD/pam_customdb/pam_customdb.so socket=$WORK/run/socket"
ns_pam_service bench-pam_mysql \
	"auth required pam_mysql.so host=$SOCK user=customdb passwd=legacy-secret db=legacy table=users usercolumn=username passwdcolumn=password crypt=1"

# one login: does it give the expected answer? (a benchmark of a broken
# setup would be worthless)
expect() {
	local svc=$1 user=$2 pw=$3 want=$4
	printf '%s\n' "$pw" | pamtester "$svc" "$user" authenticate 2>&1 | grep -q "$want" ||
		{ echo "bench: $svc $user did not give '$want'" >&2; exit 1; }
}
expect bench-customdb alice alice-pw "successfully authenticated"
expect bench-customdb alice wrong "Authentication failure"
expect bench-pam_mysql alice alice-pw "successfully authenticated"
expect bench-pam_mysql alice wrong "Authentication failure"

# time_logins SVC USER: milliseconds per login over $PER logins (the
# password comes from a file: a pipe would add a fork per login)
printf 'alice-pw\n' > "$WORK/pw"
time_logins() {
	local svc=$1 user=$2 i t0 t1
	t0=$(date +%s%N)
	for ((i = 0; i < PER; i++)); do
		pamtester "$svc" "$user" authenticate <"$WORK/pw" >/dev/null 2>&1
	done
	t1=$(date +%s%N)
	echo "scale=3; ($t1 - $t0) / 1000000 / $PER" | bc
}

declare -A samples
variants=("floor bench-floor alice" "customdb bench-customdb alice" "customdb-unk bench-customdb nosuchuser"
	  "pam_mysql bench-pam_mysql alice" "pam_mysql-unk bench-pam_mysql nosuchuser")
for ((r = 0; r < ROUNDS; r++)); do
	for v in "${variants[@]}"; do
		set -- $v
		samples[$1]+="$(time_logins "$2" "$3") "
	done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
declare -A med
for v in "${variants[@]}"; do
	set -- $v
	med[$1]=$(echo "${samples[$1]}" | median)
done
ratio() { echo "scale=2; $1 / $2" | bc; }
mkdir -p "$HERE/results"
{
	echo "# login bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $ROUNDS rounds x $PER logins"
	echo "# ms per pamtester authenticate (median over rounds); sha512crypt, 5000 rounds"
	for v in "${variants[@]}"; do set -- $v; printf '%-14s %8s ms\n' "$1" "${med[$1]}"; done
	echo
	echo "pam_mysql / customdb (known user):       $(ratio "${med[pam_mysql]}" "${med[customdb]}")x  (target >= 2)"
	echo "customdb unknown / known user:           $(ratio "${med[customdb-unk]}" "${med[customdb]}")  (target within 0.90..1.10)"
	echo "pam_mysql unknown / known user:          $(ratio "${med[pam_mysql-unk]}" "${med[pam_mysql]}")"
	echo "above the floor, pam_mysql / customdb:   $(ratio "$(echo "${med[pam_mysql]} - ${med[floor]}" | bc)" "$(echo "${med[customdb]} - ${med[floor]}" | bc)")x"
	echo "customdb above the pamtester floor:      $(echo "scale=3; ${med[customdb]} - ${med[floor]}" | bc) ms"
} | tee "$HERE/results/login.txt"
