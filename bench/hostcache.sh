#!/bin/bash
# hostcache.sh: look-ups of users in the host cache, against glibc's files
# module holding the same users and against a do-nothing module (the floor:
# glibc's own dispatch), all measured in the same run, for 1,000, 100,000
# and 1,000,000 users; and what a rewrite of the cache costs at each size.
#
#   bench/hostcache.sh [SIZES...]      (default: 1000 100000 1000000)
#
# Per size, in a private mount namespace (nothing of the host is changed):
#   null           passwd: null            (bench/nss_null.c: the floor)
#   customdb       passwd: customdb        (host cache hit; no daemon runs)
#   files+customdb passwd: files customdb  (the usual line: a files miss first)
#   files          passwd: files           (/etc/passwd holding the N users)
# for getpwnam_r, getpwuid_r and getgrouplist of random users, each the
# median of REPS runs (default 5) that take turns. One run on a VM swings by
# a few hundred ns, as much as the target, so the difference the target is
# about (customdb against the do-nothing module: + 0.3 us at most) is
# measured in one process that takes turns block by block: through glibc,
# switching modules by rewriting the namespace's nsswitch.conf, which glibc
# reloads (bench/nss_glibc_alt.c), and with the two modules' look-up
# functions called directly (bench/nss_module_cost.c). Beside them, one
# random read of the mapped file (bench/random_read.c): the host's memory
# latency, which on a VM moves with the neighbours' load. Results to stdout
# and bench/results/hostcache.txt.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/integration/lib/ns.sh"
ns_enter "$0" "$@"

SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000 100000 1000000)
REPS=${REPS:-5}
missed=""
WORK=$(mktemp -d /tmp/customdb-bench.XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
# the do-nothing module goes in before ns_setup builds the private
# ld.so.cache and mounts it: a cache rebuilt after the mount is a new file
# the mount does not show, and glibc would not find the module
mkdir -p "$WORK/ns/lib"
cp "$BUILD/bench/libnss_null.so.2" "$WORK/ns/lib/"
ns_setup "$WORK" "$BUILD"
cp /etc/passwd "$WORK/passwd.system"
cp /etc/group "$WORK/group.system"
export CUSTOMDB_SOCKET=$WORK/no-daemon.sock

nsswitch() {
	printf 'passwd: %s\ngroup: %s\nshadow: files\nhosts: files\n' "$1" "$1" > "$WORK/ns/nsswitch.conf"
}

# calls per measurement: fewer for the slow files scans
calls_for() {
	case $1:$2 in
	files:1000000) echo 20 ;;
	files:100000) echo 200 ;;
	*) echo 200000 ;;
	esac
}

# the middle value of its arguments
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

mkdir -p "$HERE/results"
{
echo "# host cache bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores; ns per call, random users"
for n in "${SIZES[@]}"; do
	state=$WORK/state-$n
	fill=$("$BUILD/bench/cache_fill" "$state" "$n")
	export CUSTOMDB_STATE_DIR=$state
	# /etc/passwd and /etc/group with the same users, for the files variant
	{ cat "$WORK/passwd.system"
	  awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "u%07d:x:%d:100::/home/u%07d:/bin/sh\n", i, 100000 + i, i }'
	} > "$WORK/passwd.$n"
	{ cat "$WORK/group.system"
	  awk -v n="$n" 'BEGIN { printf "g20001:x:20001:"; for (i = 1; i <= n; i++) printf "%su%07d", (i > 1 ? "," : ""), i; printf "\n" }'
	} > "$WORK/group.$n"
	echo
	echo "## $n users: cache rewrite by the daemon's cache module: $fill"
	echo "file: $(stat -c %s "$state/hostcache.db") bytes"
	echo
	echo "through glibc, ns per call (median of $REPS runs):"
	printf '%-16s %12s %12s %12s\n' variant getpwnam getpwuid getgrouplist
	declare -A res=()
	for rep in $(seq "$REPS"); do
		for v in null customdb "files customdb" files; do
			# the files scans are slow and steady: one run is enough
			[ "$v" = files ] && [ "$rep" -gt 1 ] && continue
			nsswitch "$v"
			if [ "$v" = files ]; then
				mount --bind "$WORK/passwd.$n" /etc/passwd
				mount --bind "$WORK/group.$n" /etc/group
			fi
			for op in pwnam pwuid grouplist; do
				calls=$(calls_for "${v// /+}" "$n")
				# a variant that does not find its users measures
				# nothing: say so instead of printing its time
				out=$("$BUILD/bench/nss_bench" "$op" "$n" "$calls") ||
					missed="$missed ${v// /+}:$op:$n(${out#* })"
				res[$v:$op]="${res[$v:$op]:-} ${out%% *}"
			done
			if [ "$v" = files ]; then
				umount /etc/passwd /etc/group
			fi
		done
	done
	for v in null customdb "files customdb" files; do
		row=""
		for op in pwnam pwuid grouplist; do
			row="$row $(printf '%12s' "$(median ${res[$v:$op]})")"
		done
		printf '%-16s%s\n' "${v// /+}" "$row"
	done
	unset res
	echo
	echo "customdb against null through glibc, taking turns in one process, ns per call"
	echo "(best of 10 blocks of 20,000):"
	printf '%-16s %12s %12s %12s\n' function null customdb customdb-null
	"$BUILD/bench/nss_glibc_alt" "$WORK/ns/nsswitch.conf" "$n" 11 > "$WORK/alt.out" ||
		missed="$missed nss_glibc_alt:$n"
	while read -r f a b d; do printf '%-16s %12s %12s %12s\n' "$f" "$a" "$b" "$d"; done < "$WORK/alt.out"
	echo
	echo "the modules alone, called directly, ns per call (best of 20 blocks of 20,000):"
	printf '%-16s %12s %12s %12s\n' function null customdb customdb-null
	"$BUILD/bench/nss_module_cost" "$WORK/ns/lib/libnss_customdb.so.2" customdb "$n" 21 |
		while read -r f a b d; do printf '%-16s %12s %12s %12s\n' "$f" "$a" "$b" "$d"; done
	echo "one random read of a line of the file, as mapped (the host's memory latency,"
	echo "the floor of any look-up in a file this size): $("$BUILD/bench/random_read" "$state/hostcache.db" 200000) ns"
done
echo
echo "# null: a module that returns a fixed record (glibc's dispatch: the floor)"
echo "# customdb: host cache hit, no daemon running; files+customdb: the usual nsswitch line"
echo "# files: /etc/passwd and /etc/group holding the same N users (one group holds them all)"
echo "# target: customdb-null <= 300 ns at every size, getgrouplist (initgroups_dyn) included"
[ -z "$missed" ] || echo "# INVALID: these runs did not find every user (found/calls):$missed"
} | tee "$HERE/results/hostcache.txt"
! grep -q '^# INVALID' "$HERE/results/hostcache.txt"
