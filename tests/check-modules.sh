#!/bin/bash
# check-modules.sh BUILD_DIR: the two modules export exactly what their maps
# say, the NSS module (loaded into every process) links libc alone, and
# neither carries the host cache's writer (customdbd/hostcache_write.c):
# no call that writes files or starts threads among their imports, no
# writer function among their symbols.
set -u
B=${1:-build}
rc=0
check_exports() {
	local lib=$1 map=$2 want got
	want=$(sed -n '/global:/,/local:/p' "$map" | grep -Eo '^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*;' | tr -d ' \t;' | sort)
	got=$(nm -D --defined-only "$lib" | awk '{print $3}' | sort)
	if [ "$want" = "$got" ]; then
		echo "ok: $(basename "$lib") exports exactly its map ($(echo "$got" | wc -l) symbols)"
	else
		echo "FAIL: $(basename "$lib") exports differ from $map"
		diff <(echo "$want") <(echo "$got")
		rc=1
	fi
}
check_exports "$B/nss_customdb/libnss_customdb.so.2" nss_customdb/exports.map
check_exports "$B/pam_customdb/pam_customdb.so" pam_customdb/exports.map
needed=$(objdump -p "$B/nss_customdb/libnss_customdb.so.2" | awk '/NEEDED/ {print $2}' | sort | tr '\n' ' ')
if [ "$needed" = "libc.so.6 " ]; then
	echo "ok: libnss_customdb.so.2 needs only libc.so.6"
else
	echo "FAIL: libnss_customdb.so.2 needs: $needed"
	rc=1
fi
# write-side calls: a module in every process only reads the host cache
write_calls='rename renameat renameat2 unlink unlinkat rmdir mkdir mkdirat mkstemp mkostemp
mkstemps fsync fdatasync syncfs sync_file_range ftruncate truncate fchmod fchmodat chmod
fchown chown lchown link linkat symlink symlinkat flock write pwrite pwrite64 writev
pwritev fwrite pthread_create'
# the writer's functions: its global ones, read from the built writer, and
# the static ones by name
writer_funcs='hostcache_begin hostcache_add hostcache_write hostcache_commit hostcache_abort
hostcache_claim_dir hc_syncer hc_sync_kick hc_sync_finish sort_by_home layout window_room
window_flush bump_generation writer_free remove_leftovers'
writer_lib="$B/customdbd/libcustomdb_hostcache_writer.a"
if [ -e "$writer_lib" ]; then
	writer_funcs="$writer_funcs $(nm -g --defined-only "$writer_lib" 2>/dev/null |
		awk 'NF == 3 && $2 == "T" {print $3}')"
fi
check_no_writer() {
	local lib=$1 name bad_calls="" bad_syms="" imports symbols
	name=$(basename "$lib")
	imports=$(nm -D --undefined-only "$lib" | awk '{print $NF}' | sed 's/@.*//' | sort -u)
	symbols=$(nm "$lib" 2>/dev/null | awk 'NF == 3 {print $3}' | sed 's/\..*//' | sort -u)
	# a stripped module would pass for want of symbols: say so instead
	if ! grep -qx '_nss_customdb_getpwnam_r\|pam_sm_authenticate' <<<"$symbols"; then
		echo "FAIL: $name has no symbol table (stripped?): cannot check for the writer"
		rc=1
		return
	fi
	for f in $write_calls; do
		grep -qx "$f" <<<"$imports" && bad_calls="$bad_calls $f"
	done
	for f in $writer_funcs; do
		grep -qx "$f" <<<"$symbols" && bad_syms="$bad_syms $f"
	done
	if [ -n "$bad_calls" ]; then
		echo "FAIL: $name imports write-side calls:$bad_calls"
		rc=1
	else
		echo "ok: $name imports no write-side call"
	fi
	if [ -n "$bad_syms" ]; then
		echo "FAIL: $name holds host cache writer functions:$bad_syms"
		rc=1
	else
		echo "ok: $name holds no host cache writer function"
	fi
}
check_no_writer "$B/nss_customdb/libnss_customdb.so.2"
check_no_writer "$B/pam_customdb/pam_customdb.so"
soname=$(objdump -p "$B/nss_customdb/libnss_customdb.so.2" | awk '/SONAME/ {print $2}')
[ "$soname" = libnss_customdb.so.2 ] && echo "ok: soname $soname" || { echo "FAIL: soname $soname"; rc=1; }
needed=$(objdump -p "$B/pam_customdb/pam_customdb.so" | awk '/NEEDED/ {print $2}' | sort | tr '\n' ' ')
case $needed in
*libpq*|*mariadb*|*mysql*|*sqlite*) echo "FAIL: pam_customdb.so needs a database client: $needed"; rc=1 ;;
*) echo "ok: pam_customdb.so needs: $needed" ;;
esac
exit $rc
