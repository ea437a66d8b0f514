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
# for getpwnam_r, getpwuid_r and getgrouplist of random users. Results to
# stdout and bench/results/hostcache.txt.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/integration/lib/ns.sh"
ns_enter "$0" "$@"

SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000 100000 1000000)
WORK=$(mktemp -d /tmp/customdb-bench.XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
ns_setup "$WORK" "$BUILD"
cp "$BUILD/bench/libnss_null.so.2" "$WORK/ns/lib/"
ldconfig -C "$WORK/ns/ld.so.cache" -f "$WORK/ns/ld.so.conf" 2>/dev/null
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
	printf '%-16s %12s %12s %12s\n' variant getpwnam getpwuid getgrouplist
	for v in null customdb "files customdb" files; do
		nsswitch "$v"
		if [ "$v" = files ]; then
			mount --bind "$WORK/passwd.$n" /etc/passwd
			mount --bind "$WORK/group.$n" /etc/group
		fi
		row=""
		for op in pwnam pwuid grouplist; do
			calls=$(calls_for "${v// /+}" "$n")
			out=$("$BUILD/bench/nss_bench" "$op" "$n" "$calls") || out="$out(MISSES)"
			row="$row $(printf '%12s' "${out%% *}")"
		done
		printf '%-16s%s\n' "${v// /+}" "$row"
		if [ "$v" = files ]; then
			umount /etc/passwd /etc/group
		fi
	done
done
echo
echo "# null: a module that returns a fixed record (glibc's dispatch: the floor)"
echo "# customdb: host cache hit, no daemon running; files+customdb: the usual nsswitch line"
echo "# files: /etc/passwd and /etc/group holding the same N users (one group holds them all)"
} | tee "$HERE/results/hostcache.txt"
