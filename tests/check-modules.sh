#!/bin/bash
# check-modules.sh BUILD_DIR: the two modules export exactly what their maps
# say, and the NSS module (loaded into every process) links libc alone.
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
soname=$(objdump -p "$B/nss_customdb/libnss_customdb.so.2" | awk '/SONAME/ {print $2}')
[ "$soname" = libnss_customdb.so.2 ] && echo "ok: soname $soname" || { echo "FAIL: soname $soname"; rc=1; }
needed=$(objdump -p "$B/pam_customdb/pam_customdb.so" | awk '/NEEDED/ {print $2}' | sort | tr '\n' ' ')
case $needed in
*libpq*|*mariadb*|*mysql*|*sqlite*) echo "FAIL: pam_customdb.so needs a database client: $needed"; rc=1 ;;
*) echo "ok: pam_customdb.so needs: $needed" ;;
esac
exit $rc
