#!/bin/bash
# load.sh: customdbd under concurrent load, and with an unprivileged user
# holding idle connections at the same time; the daemon built here and,
# with OLD_DAEMON, an older one, measured in the same run.
#
#   bench/load.sh
#   OLD_DAEMON=/path/to/old/customdbd bench/load.sh
#   ORDER="new old" OLD_DAEMON=... bench/load.sh    (the new one first)
#
# SQLite legacy database: the test fixture plus POOL users u0000001.. .
# Per daemon, each phase SECONDS long (bench/load.c, straight to the
# daemon's socket as the modules talk to it, so every look-up is one the
# daemon answers):
#   hot 1, hot 8     getpwnam of 16 names (the daemon's cache), 1 / 8 clients
#   cold 8           getpwnam of POOL names at random (mostly the database)
#   login 8          authenticate + account of alice (sha512crypt), 8 clients
#   mixed            LOGINS login clients + LOOKUPS look-up clients (cold)
#   mixed+idle       the same while nobody holds IDLE idle connections,
#                    reconnecting whenever the daemon closes one
#   rate             LOGINS login clients + RATE cold look-ups a second,
#                    open loop (RATE_CLIENTS threads on a fixed schedule;
#                    latency from when each look-up was due), RATE_SECONDS
#   rate+idle        the same with the IDLE idle connections
#   slow             one client, SLOW_RATE cold look-ups a second (open loop):
#                    what the daemon's CPU costs (cpu daemon_ms) when it is
#                    nearly idle, where polling for requests would show
# (PHASES="rate rate+idle" runs only those.)
# and, through glibc (nsswitch "files customdb", no host cache), a
# getpwnam_r that the daemon answers against the floor "files null"
# (bench/nss_null.c: a module that does nothing). Then, with both daemons
# running on their own sockets, REPS rounds that take turns between them
# (one client's getpwnam straight to the daemon, and through glibc): the
# machine's drift hits both alike; medians of the rounds. Results to stdout
# and, as a new section at the top, bench/results/load.txt.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/integration/lib/ns.sh"
ns_enter "$0" "$@"
. "$ROOT/tests/integration/lib/legacy.sh"

SECONDS_PER=${SECONDS_PER:-10}
POOL=${POOL:-20000}
LOGINS=${LOGINS:-8}
LOOKUPS=${LOOKUPS:-8}
IDLE=${IDLE:-1000}
NSS_CALLS=${NSS_CALLS:-5000}
REPS=${REPS:-5}
RATE=${RATE:-10000}
RATE_CLIENTS=${RATE_CLIENTS:-32}
RATE_SECONDS=${RATE_SECONDS:-$SECONDS_PER}
SLOW_RATE=${SLOW_RATE:-100}
PHASES=${PHASES:-hot1 hot8 cold8 login8 mixed mixed+idle rate rate+idle slow}
LOAD=$BUILD/bench/load
WORK=$(mktemp -d /tmp/customdb-load.XXXXXX)
chmod 755 "$WORK"
PID=""
PIDS=()
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	[ ${#PIDS[@]} -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
# the do-nothing module goes in before ns_setup builds the private ld.so.cache
mkdir -p "$WORK/ns/lib"
cp "$BUILD/bench/libnss_null.so.2" "$WORK/ns/lib/"
ns_setup "$WORK" "$BUILD"
SOCK=/run/customdb/socket
export LEGACY_NO_SLOW=1 CUSTOMDB_SOCKET=$SOCK CUSTOMDB_STATE_DIR=$WORK/no-cache

nsswitch() {
	printf 'passwd: %s\ngroup: %s\nshadow: files\nhosts: files\n' "$1" "$1" > "$WORK/ns/nsswitch.conf"
}

DB=$WORK/legacy.db
{ legacy_schema sqlite; legacy_data; } | sqlite3 "$DB"
sqlite3 "$DB" "INSERT INTO users ($LEGACY_USER_COLS)
	WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $POOL)
	SELECT 1000 + i, printf('u%07d', i), 20000 + i, NULL, NULL, 1, 'Bench', NULL FROM c"
# conf LABEL: its config (socket and state directory of its own)
conf() {
	legacy_config sqlite "$DB" "$(sock_of "$1")" |
		sed "s|^state_dir = .*|state_dir = $WORK/state-$1|" > "$WORK/$1.conf"
	chmod 600 "$WORK/$1.conf"
}
sock_of() { if [ "$1" = new ]; then echo "$SOCK"; else echo "/run/customdb/$1.sock"; fi; }
bin_of() { if [ "$1" = new ]; then echo "$BUILD/customdbd/customdbd"; else echo "$OLD_DAEMON"; fi; }
# start LABEL: that daemon in the background, its pid in PID, once it answers
start() {
	local i
	rm -rf "$WORK/state-$1"
	conf "$1"
	"$(bin_of "$1")" -c "$WORK/$1.conf" -f 2>>"$WORK/daemon-$1.log" &
	PID=$!
	for i in $(seq 200); do [ -S "$(sock_of "$1")" ] && break; sleep 0.05; done
	"$LOAD" "$(sock_of "$1")" 1 -l 8 -n 16 >/dev/null   # every worker's session opened
}
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# phase NAME ARGS...: one run of the load generator (if PHASES has NAME);
# its lines, prefixed
phase() {
	local name=$1 secs=$SECONDS_PER; shift
	case " $PHASES " in *" $name "*) ;; *) return 0 ;; esac
	case $name in rate*) secs=$RATE_SECONDS ;; esac
	"$LOAD" "$S" "$secs" -p "$PID" "$@" | sed "s/^/$name /"
}

# run_daemon LABEL: every phase against that daemon, alone on the machine
run_daemon() {
	local label=$1 nss floor
	S=$(sock_of "$label")
	start "$label"
	{
		phase "hot1" -l 1 -n 16
		phase "hot8" -l 8 -n 16
		phase "cold8" -l 8 -n "$POOL"
		phase "login8" -g 8
		phase "mixed" -g "$LOGINS" -l "$LOOKUPS" -n "$POOL"
		phase "mixed+idle" -g "$LOGINS" -l "$LOOKUPS" -n "$POOL" -i "$IDLE"
		phase "rate" -g "$LOGINS" -l "$RATE_CLIENTS" -r "$RATE" -n "$POOL"
		phase "rate+idle" -g "$LOGINS" -l "$RATE_CLIENTS" -r "$RATE" -n "$POOL" -i "$IDLE"
		phase "slow" -l 1 -r "$SLOW_RATE" -n "$POOL"
	} | sed "s/^/$label /" | tee -a "$WORK/phases"
	kill "$PID"; wait "$PID" 2>/dev/null; PID=""
	grep -c ': warning: ' "$WORK/daemon-$label.log" | sed "s/^/$label log_warnings /" | tee -a "$WORK/phases"
}

# turns LABELS...: REPS rounds taking turns between the running daemons
turns() {
	local r label v
	declare -A raw nss
	local floors=()
	for r in $(seq "$REPS"); do
		nsswitch "files null"
		set -- $("$BUILD/bench/nss_lookups" "$NSS_CALLS" name alice); floors+=("$1")
		nsswitch "files customdb"
		for label in $LABELS; do
			v=$("$LOAD" "$(sock_of "$label")" 2 -l 1 -n 16 | awk '{ print $7 }')
			raw[$label]="${raw[$label]:-} $v"
			set -- $(CUSTOMDB_SOCKET=$(sock_of "$label") "$BUILD/bench/nss_lookups" "$NSS_CALLS" name alice)
			[ "$2" = found ] || { echo "load.sh: alice not found through $label" >&2; exit 1; }
			nss[$label]="${nss[$label]:-} $1"
		done
	done
	floor=$(median "${floors[@]}")
	for label in $LABELS; do
		# shellcheck disable=SC2086
		echo "$label turns getpwnam_1client_p50_us $(median ${raw[$label]}) glibc_us $(median ${nss[$label]}) floor_us $floor above_floor_us $(echo "$(median ${nss[$label]}) - $floor" | bc)"
	done | tee -a "$WORK/phases"
}

# field LABEL PHASE KIND KEY: the value after KEY on that line
field() {
	awk -v l="$1" -v p="$2" -v k="$3" -v key="$4" \
		'$1 == l && $2 == p && $3 == k { for (i = 4; i < NF; i++) if ($i == key) print $(i + 1) }' \
		"$WORK/phases"
}
turn_val() { awk -v l="$1" -v c="$2" '$1 == l && $2 == "turns" { print $c }' "$WORK/phases"; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3g\n", a / b }'; }

mkdir -p "$HERE/results"
{
echo "# load bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, shared with other work (figures swing);"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $SECONDS_PER s per phase (rate phases $RATE_SECONDS s), SQLite legacy, $POOL users; phases: $PHASES"
echo "# columns: label phase kind then key value pairs"
LABELS="new"
[ -n "${OLD_DAEMON:-}" ] && LABELS=${ORDER:-old new}
for label in $LABELS; do
	run_daemon "$label"
done
for label in $LABELS; do
	start "$label"
	PIDS+=("$PID")
	PID=""
done
if [ "$REPS" -gt 0 ]; then
	echo "# $REPS rounds taking turns, both daemons running; medians; glibc: getpwnam_r of alice, no host cache"
	turns
fi
kill "${PIDS[@]}"; wait "${PIDS[@]}" 2>/dev/null; PIDS=()
echo "# ratios"
for label in $LABELS; do
	for p in mixed rate; do
		for k in lookup login; do
			[ -n "$(field "$label" "$p+idle" "$k" per_s)" ] || continue
			echo "$label $p+idle/$p $k throughput $(ratio "$(field "$label" "$p+idle" "$k" per_s)" \
				"$(field "$label" "$p" "$k" per_s)") p99 $(ratio "$(field "$label" "$p+idle" "$k" p99_us)" \
				"$(field "$label" "$p" "$k" p99_us)")"
		done
	done
done
if [ -n "${OLD_DAEMON:-}" ]; then
	for p in $PHASES; do
		for k in lookup login; do
			[ -n "$(field new "$p" "$k" per_s)" ] || continue
			echo "new/old $p $k throughput $(ratio "$(field new "$p" "$k" per_s)" \
				"$(field old "$p" "$k" per_s)") p50 $(ratio "$(field new "$p" "$k" p50_us)" \
				"$(field old "$p" "$k" p50_us)")"
		done
	done
	[ "$REPS" -gt 0 ] &&
		echo "new/old turns getpwnam 1 client p50 $(ratio "$(turn_val new 4)" "$(turn_val old 4)")" \
			"glibc above floor $(ratio "$(turn_val new 10)" "$(turn_val old 10)")"
fi
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# per_s: calls answered per second; p50_us/p99_us: latency of the calls answered; errors: no answer,"
echo "# UNAVAIL or ERROR (logins: anything but OK); a login is authenticate + account of a sha512crypt user;"
echo "# hot: 16 names the daemon has cached; cold: $POOL names at random, mostly from the database;"
echo "# mixed: $LOGINS login clients + $LOOKUPS cold look-up clients; rate: $LOGINS login clients + $RATE cold"
echo "# look-ups a second, open loop from $RATE_CLIENTS threads (latency counted from when each was due);"
echo "# +idle: nobody holds $IDLE idle connections, reconnecting whenever closed;"
echo "# slow: 1 client, $SLOW_RATE cold look-ups a second; cpu daemon_ms: the daemon's CPU time over a phase"
echo "# log_warnings: warning lines the daemon wrote over all its phases"
} | tee "$WORK/section"
# the newest run first, the earlier ones below it
{ cat "$WORK/section"; echo; cat "$HERE/results/load.txt" 2>/dev/null; } > "$WORK/results"
cat "$WORK/results" > "$HERE/results/load.txt"
