# ns.sh: make the built modules the host's NSS and PAM modules, inside a
# private mount namespace only (bash; run as root).
#
#   ns_enter "$0" "$@"   re-run the calling script inside `unshare -m` unless
#                        it already runs there (CUSTOMDB_IN_NS=1)
#   ns_setup WORK BUILD  bind over /etc/nsswitch.conf, /etc/ld.so.cache and
#                        /etc/pam.d so that glibc loads BUILD's
#                        libnss_customdb.so.2 (passwd, group: files customdb)
#                        and /etc/pam.d holds the real files plus ours
#                        and /run is a fresh tmpfs with /run/customdb, so
#                        the daemon can answer on the compiled-in socket
#                        path that set-uid programs (su) insist on
#   ns_pam_service NAME LINES  write /etc/pam.d/NAME (inside the namespace)
#
# The host's own files are never written: every change is a bind mount in a
# namespace that dies with the script. The module is found through a private
# ld.so.cache, which also works for set-uid programs such as su, where
# LD_LIBRARY_PATH would be ignored.

ns_enter() {
	if [ "${CUSTOMDB_IN_NS:-}" != 1 ]; then
		export CUSTOMDB_IN_NS=1
		exec unshare --mount --propagation private -- bash "$@"
	fi
}

ns_setup() {
	local work=$1 build=$2
	mkdir -p "$work/ns/lib" "$work/ns/pam.d"
	cp "$build/nss_customdb/libnss_customdb.so.2" "$work/ns/lib/"
	chmod 755 "$work/ns" "$work/ns/lib"
	chmod 644 "$work/ns/lib/libnss_customdb.so.2"
	cat > "$work/ns/nsswitch.conf" <<X
passwd:         files customdb
group:          files customdb
shadow:         files
gshadow:        files
hosts:          files
networks:       files
protocols:      files
services:       files
ethers:         files
rpc:            files
netgroup:       files
X
	{ cat /etc/ld.so.conf; echo "$work/ns/lib"; } > "$work/ns/ld.so.conf"
	# ld.so.conf includes ld.so.conf.d/*.conf relative to /etc: keep that
	ldconfig -C "$work/ns/ld.so.cache" -f "$work/ns/ld.so.conf" 2>/dev/null
	cp -a /etc/pam.d/. "$work/ns/pam.d/"
	mount --bind "$work/ns/nsswitch.conf" /etc/nsswitch.conf
	mount --bind "$work/ns/ld.so.cache" /etc/ld.so.cache
	mount --bind "$work/ns/pam.d" /etc/pam.d
	mount -t tmpfs -o mode=0755 customdb-test-run /run
	mkdir -m 0755 /run/customdb
	# nscd would answer from the host's view; it is not part of this test
	if [ -S /run/nscd/socket ] || [ -S /var/run/nscd/socket ]; then
		echo "ns.sh: nscd is running; its cache could hide the module" >&2
	fi
}

ns_pam_service() {
	local name=$1; shift
	printf '%s\n' "$@" > "/etc/pam.d/$name"
}
