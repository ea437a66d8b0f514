#!/bin/bash
# install.sh: build the Debian packages, check them with lintian, install
# them with apt on a clean Debian 12 made by debootstrap, use them there, and
# purge them (bash; run as root).
#
#   tests/package/install.sh
#
# What it proves, inside the chroot (never on this host: the host's
# /etc/nsswitch.conf and /etc/pam.d are not touched; the only mount, /proc
# in the chroot, lives in a private mount namespace and is unmounted on exit):
#   - the four packages build, and lintian finds nothing at warning level;
#   - apt installs them with the dependencies they declare and no others;
#   - libnss-customdb put `customdb` right after `files` on the passwd and
#     group lines of nsswitch.conf, and nowhere else;
#   - libpam-customdb's pam-auth-update profiles put pam_customdb before
#     pam_unix in common-auth and common-account, after it in
#     common-password, and not in common-session;
#   - customdbd came with its conffile all comments (mode 0600), with the
#     service not enabled, and with that config does nothing;
#   - with an edited config and an SQLite legacy database, customdbd run by
#     hand serves getent, id and pamtester (common-auth, common-account);
#     a legacy user's password changes (root's chpasswd, the user's passwd);
#     local users and root still log in through pam_unix, also with the
#     daemon stopped; a local user's password still changes;
#   - removing the NSS and PAM packages takes their edits out again, and
#     purging all four leaves the system as it was before the install;
#   - piuparts agrees (install and purge in a chroot of its own).
#
# The clean system is cached (CUSTOMDB_ROOTFS_CACHE, default
# /var/cache/customdb-tests) as a tarball of a fresh debootstrap; delete it to
# start from the archive again. KEEP_WORK=1 keeps the temporary directory
# (build log, lintian output, daemon log, the chroot).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib/assert.sh"

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (debootstrap, chroot)" >&2; exit 2; }
for tool in dpkg-buildpackage lintian debootstrap dh_installnss piuparts; do
	command -v "$tool" >/dev/null ||
		{ echo "install.sh: $tool missing (scripts/install-deps.sh installs it)" >&2; exit 2; }
done
if [ "${CUSTOMDB_IN_NS:-}" != 1 ]; then
	export CUSTOMDB_IN_NS=1
	exec unshare --mount --propagation private -- bash "$0" "$@"
fi

SUITE=bookworm
ARCH=$(dpkg --print-architecture)
# The chroot gets what it is tested with; apt brings customdb's own
# dependencies from the archive when the packages are installed.
BASE_PKGS="pamtester,sqlite3"
CACHE=${CUSTOMDB_ROOTFS_CACHE:-/var/cache/customdb-tests}
ROOTFS_TGZ=$CACHE/rootfs-$SUITE-$ARCH-$(echo "$BASE_PKGS" | md5sum | cut -c1-8).tgz
PKGS="customdbd libnss-customdb libpam-customdb customdb-tools"
# sha512crypt of Legacy-pw1 (mkpasswd -m sha512crypt -S customdbsalt1234)
ALICE_HASH='$6$customdbsalt1234$yL2EwC1TicFTPxyASNPHgF/FYnoBlvRQLow0mHJtBSBM.ldTNa/Fqjw9smOWCGwLSLKJlpdxcBLsGHGfYx0CJ.'

WORK=$(mktemp -d /tmp/customdb-package.XXXXXX)
R=$WORK/root
DAEMON_PID=""

# the pids of the processes running in the chroot
chroot_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] && echo "${p#/proc/}"
	done
}

cleanup() {
	local pids
	pids=$(chroot_pids)
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill $pids 2>/dev/null
	if mountpoint -q "$R/proc"; then umount "$R/proc" || umount -l "$R/proc"; fi
	if [ "${KEEP_WORK:-}" = 1 ]; then
		echo "install.sh: kept $WORK"
	elif findmnt -rn -o TARGET | grep -q "^$R"; then
		echo "install.sh: something is still mounted under $R; not deleting $WORK" >&2
	else
		rm -rf --one-file-system "$WORK"
	fi
}
trap cleanup EXIT

# inroot CMD...: CMD in the chroot, with a clean environment
inroot() {
	chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# The Debian mirror this host's apt uses for $SUITE main
mirror() {
	apt-cache policy | awk -v s="$SUITE/main" -v a="$ARCH" \
		'$3 == s && $4 == a && $5 == "Packages" { print $2; exit }'
}

# snapshot NAME: every path of the chroot's system (the volatile and the
# package manager's own places aside), with a checksum for files in /etc
snapshot() {
	inroot find / -xdev \( -path /proc -o -path /dev -o -path /run -o -path /tmp \
		-o -path /var/cache -o -path /var/log -o -path /var/lib/apt \
		-o -path /var/lib/dpkg -o -path /etc/ld.so.cache \) -prune \
		-o -printf '%y %m %u %p\n' | sort > "$WORK/$1.paths"
	# /etc/shadow*: the test changes bob's password itself
	inroot find /etc -xdev -type f ! -name ld.so.cache ! -name 'shadow*' -exec md5sum {} + |
		sort -k2 > "$WORK/$1.etc"
}

# nss_services DB: the services of DB's line in the chroot's nsswitch.conf
nss_services() {
	awk -v db="$1:" '$1 == db { $1 = ""; sub(/^ +/, ""); print }' "$R/etc/nsswitch.conf"
}

# line_of FILE REGEX: the number of FILE's first line matching REGEX, or 0
line_of() {
	local n
	n=$(grep -nE -- "$2" "$1" | head -1 | cut -d: -f1)
	echo "${n:-0}"
}

# before FILE A B: a line matching A comes before the first matching B
before() {
	local a b
	a=$(line_of "$1" "$2"); b=$(line_of "$1" "$3")
	[ "$a" -gt 0 ] && [ "$b" -gt 0 ] && [ "$a" -lt "$b" ]
}

# login USER PASSWORD: pamtester through common-auth and common-account
login() {
	printf '%s\n' "$2" | inroot pamtester customdb-test "$1" authenticate acct_mgmt
}

only_comments() {
	! grep -qvE '^[[:space:]]*([#;].*)?$' "$1"
}

# run_piuparts: piuparts on the four packages (no upgrade test: no earlier
# version is in the archive); its log's end on failure
run_piuparts() {
	piuparts -b "$ROOTFS_TGZ" -d "$SUITE" -m "$MIRROR" --no-upgrade-test "${DEBS[@]}" \
		>"$WORK/piuparts.log" 2>&1 || { tail -40 "$WORK/piuparts.log"; return 1; }
}

# customdbd with the config as shipped: must stop by itself, with an error
refuses_shipped_config() {
	local rc
	inroot timeout 120 /usr/sbin/customdbd -c /etc/customdb/customdb.conf -f
	rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
}

# start_daemon: customdbd -f -d in the chroot, in the background (not in a
# subshell: DAEMON_PID is customdbd's own pid, chroot and env exec it)
start_daemon() {
	chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
		/usr/sbin/customdbd -c /etc/customdb/customdb.conf -f -d >>"$WORK/daemon.log" 2>&1 &
	DAEMON_PID=$!
	local _
	for _ in $(seq 1200); do
		[ -S "$R/run/customdb/socket" ] && grep -q ': ready:' "$WORK/daemon.log" && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "customdbd did not start:" >&2
	tail -20 "$WORK/daemon.log" >&2
	return 1
}

stop_daemon() {
	[ -n "$DAEMON_PID" ] || return 1
	kill "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=""
	[ -z "$(chroot_pids)" ] || { echo "still running in the chroot: $(chroot_pids)" >&2; return 1; }
	# what systemd's RuntimeDirectory would do when the service stops
	rm -rf "$R/run/customdb"
}

# ---------------------------------------------------------------------------
t_section "build the packages (dpkg-buildpackage -us -uc -b)"
mkdir -p "$WORK/src"
# the tree as git sees it (committed or not), without build directories
git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
	grep -zv '^obj-' | tar -C "$ROOT" --null -T - -cf - | tar -C "$WORK/src" -xf -
if (cd "$WORK/src" && dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1; then
	_t_pass "dpkg-buildpackage"
else
	_t_fail "dpkg-buildpackage" "$(tail -30 "$WORK/build.log")"
	t_summary; exit 1
fi
DEBS=()
for p in $PKGS; do
	f=$(ls "$WORK"/"${p}"_*_"$ARCH".deb 2>/dev/null | head -1)
	t_ok "$p built" test -s "$f"
	DEBS+=("$f")
done
for p in libnss-customdb libpam-customdb; do
	f=$(ls "$WORK"/"${p}"_*_"$ARCH".deb)
	# nothing but libc and PAM (libpam-runtime: pam-auth-update)
	t_nogrep "$p depends on libc and PAM only" \
		'(^|, )(lib(pq|mariadb|sqlite|sodium|argon2|inih|ssl|crypt)[^,]*)' \
		dpkg-deb -f "$f" Depends
done

t_section "lintian (warnings and errors fail)"
t_ok "lintian --fail-on warning" lintian --fail-on warning,error "$WORK"/customdb_*_"$ARCH".changes

t_section "a clean Debian 12 ($SUITE, debootstrap --variant=minbase)"
MIRROR=$(mirror)
[ -n "$MIRROR" ] || { echo "install.sh: no $SUITE/main mirror in apt-cache policy" >&2; exit 1; }
if [ ! -s "$ROOTFS_TGZ" ]; then
	mkdir -p "$CACHE" "$WORK/new"
	if debootstrap --variant=minbase --include="$BASE_PKGS" "$SUITE" "$WORK/new" "$MIRROR" \
		>"$WORK/debootstrap.log" 2>&1; then
		rm -rf "$WORK/new/var/cache/apt/archives/"*.deb
		# gzip: piuparts takes the same tarball as its base system
		tar -C "$WORK/new" -czf "$ROOTFS_TGZ.tmp" . && mv "$ROOTFS_TGZ.tmp" "$ROOTFS_TGZ"
	else
		tail -20 "$WORK/debootstrap.log" >&2
	fi
	rm -rf --one-file-system "$WORK/new"
fi
mkdir -p "$R"
t_ok "unpack the clean system" tar -C "$R" -xzf "$ROOTFS_TGZ"
[ -x "$R/usr/bin/pamtester" ] || { t_summary; exit 1; }
mount -t proc proc "$R/proc"
# no service starts in the chroot
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
# part of the system before customdb: a PAM service for pamtester that is
# common-auth and common-account, root's and a local user's passwords
printf '@include common-auth\n@include common-account\n' > "$R/etc/pam.d/customdb-test"
inroot useradd -m -s /bin/bash bob
printf 'root:Root-pw1\nbob:Bob-pw1\n' | inroot chpasswd
t_ok "apt-get update in the chroot" inroot apt-get update -qq
cp "$R/etc/nsswitch.conf" "$WORK/nsswitch.orig"
mkdir "$WORK/pam.orig"
cp "$R"/etc/pam.d/common-* "$WORK/pam.orig/"
snapshot before

t_section "apt install ./customdbd_*.deb ./libnss-customdb_*.deb ./libpam-customdb_*.deb ./customdb-tools_*.deb"
mkdir "$R/tmp/debs"
cp "${DEBS[@]}" "$R/tmp/debs/"
t_ok "apt-get install of the four packages" \
	inroot sh -c 'apt-get install -y --no-install-recommends /tmp/debs/*.deb'
for p in $PKGS; do
	t_out "$p installed" "install ok installed" inroot dpkg-query -W -f '${Status}' "$p"
done

t_section "nsswitch.conf (dh_installnss)"
t_out "passwd: files customdb" "files customdb" nss_services passwd
t_out "group: files customdb" "files customdb" nss_services group
t_nogrep "customdb on no other line" customdb \
	grep -vE '^(passwd|group):' "$R/etc/nsswitch.conf"

t_section "PAM stacks (pam-auth-update profiles)"
P=$R/etc/pam.d
t_ok "profiles shipped" test -f "$R/usr/share/pam-configs/customdb" \
	-a -f "$R/usr/share/pam-configs/customdb-password"
t_ok "common-auth: pam_customdb before pam_unix" before "$P/common-auth" pam_customdb.so pam_unix.so
t_grep "common-auth: legacy wrong password stops, unknown and unavailable go on" \
	'^auth[[:space:]]+\[success=2 user_unknown=ignore authinfo_unavail=ignore default=die\][[:space:]]+pam_customdb\.so' \
	cat "$P/common-auth"
t_grep "common-auth: pam_unix takes the password already asked" \
	'pam_unix\.so.*try_first_pass' cat "$P/common-auth"
t_ok "common-account: pam_customdb before pam_unix" \
	before "$P/common-account" pam_customdb.so pam_unix.so
t_grep "common-account: unknown and unavailable go on to pam_unix" \
	'^account[[:space:]]+\[success=2 .*user_unknown=ignore authinfo_unavail=ignore default=die\][[:space:]]+pam_customdb\.so' \
	cat "$P/common-account"
# pam_unix first: a local user's new password is asked by pam_unix, not
# taken (use_authtok) from a pam_customdb that does not know the user
t_ok "common-password: pam_unix before pam_customdb" \
	before "$P/common-password" pam_unix.so pam_customdb.so
t_grep "common-password: pam_unix asks for the new password itself" \
	'^password[[:space:]]+\[success=2 default=ignore\][[:space:]]+pam_unix\.so obscure yescrypt$' \
	cat "$P/common-password"
t_nogrep "common-session: no pam_customdb" pam_customdb cat "$P/common-session"

t_section "customdbd as installed: nothing runs until the config is edited"
C=$R/etc/customdb/customdb.conf
t_out "conffile registered" "/etc/customdb/customdb.conf" \
	sh -c "chroot '$R' dpkg-query -W -f '\${Conffiles}\n' customdbd | awk 'NF {print \$1}'"
t_out "conffile root-only" "600 root root" stat -c '%a %U %G' "$C"
t_ok "conffile is all comments" only_comments "$C"
t_ok "/var/lib/customdb exists" test -d "$R/var/lib/customdb"
t_ok "unit installed" test -f "$R/lib/systemd/system/customdbd.service"
t_fail "unit not enabled" test -e "$R/etc/systemd/system/multi-user.target.wants/customdbd.service"
t_ok "customdbd refuses the shipped config" refuses_shipped_config
t_fail "customdb check refuses it too" inroot customdb check
t_fail "no socket" test -e "$R/run/customdb/socket"

t_section "an SQLite legacy database and the edited config"
T=$R/usr/share/doc/customdbd/examples/templates
mkdir -p "$R/var/lib/app"
{
	cat "$T/sqlite.sql"
	printf "INSERT INTO users (id, username, password, full_name) VALUES (1, 'alice', '%s', 'Alice Legacy');\n" "$ALICE_HASH"
	echo "INSERT INTO groups (id, name) VALUES (1, 'shop-staff');"
	echo "INSERT INTO user_groups (user_id, group_id) VALUES (1, 1);"
} | inroot sqlite3 /var/lib/app/users.db
# what an administrator does: the template, pointed at the database
sed 's|^connection = .*|connection = /var/lib/app/users.db|' "$T/sqlite.conf" > "$C"
t_ok "customdb check" inroot customdb check
if start_daemon; then _t_pass "customdbd starts"; else _t_fail "customdbd starts"; fi

t_section "legacy user through the installed modules"
t_grep "getent passwd alice" '^alice:x:10001:100:Alice Legacy:/home/alice:/bin/bash$' \
	inroot getent passwd alice
t_grep "getent passwd 10001" '^alice:' inroot getent passwd 10001
t_grep "getent group shop-staff" '^shop-staff:x:20001:alice$' inroot getent group shop-staff
t_grep "id alice" 'uid=10001\(alice\) gid=100\(users\) groups=100\(users\),20001\(shop-staff\)' \
	inroot id alice
t_ok "alice logs in (pamtester: common-auth, common-account)" login alice Legacy-pw1
t_fail "alice, wrong password" login alice wrong-pw
t_fail "unknown user" login nobody-here Legacy-pw1
t_grep "getent passwd root: files" '^root:x:0:0:' inroot getent passwd root
t_ok "root sets alice's password (chpasswd, common-password)" \
	sh -c "printf 'alice:Legacy-pw2\n' | chroot '$R' chpasswd"
t_ok "alice logs in with the new one" login alice Legacy-pw2
t_fail "... not with the old one" login alice Legacy-pw1
t_ok "alice changes her own password (passwd, asked the old one)" \
	sh -c "printf 'Legacy-pw2\nLegacy-pw3x\nLegacy-pw3x\n' | chroot '$R' su -s /bin/sh alice -c passwd"
t_ok "alice logs in with that one" login alice Legacy-pw3x

t_section "local users go on to pam_unix"
t_ok "bob (local) logs in" login bob Bob-pw1
t_fail "bob, wrong password" login bob wrong-pw
t_ok "root logs in" login root Root-pw1
t_fail "bob's password is not alice's" login bob Legacy-pw1
t_ok "root sets bob's password (chpasswd, common-password)" \
	sh -c "printf 'bob:Bob-pw2\n' | chroot '$R' chpasswd"
t_ok "bob logs in with the new one" login bob Bob-pw2

t_section "with customdbd stopped"
if stop_daemon; then _t_pass "customdbd stopped"; else _t_fail "customdbd stopped"; fi
t_fail "no socket" test -e "$R/run/customdb/socket"
t_ok "root logs in" login root Root-pw1
t_ok "bob logs in" login bob Bob-pw2
t_fail "alice does not" login alice Legacy-pw3x
t_grep "getent passwd bob" '^bob:x:' inroot getent passwd bob

t_section "remove libnss-customdb and libpam-customdb: their edits go"
t_ok "apt-get remove" inroot apt-get remove -y libnss-customdb libpam-customdb
t_ok "nsswitch.conf as before" cmp "$WORK/nsswitch.orig" "$R/etc/nsswitch.conf"
for f in "$WORK"/pam.orig/common-*; do
	t_ok "$(basename "$f") as before" cmp "$f" "$P/$(basename "$f")"
done
t_ok "root logs in" login root Root-pw1
t_ok "bob logs in" login bob Bob-pw2

t_section "purge all four: nothing left behind"
rm -rf "$R/var/lib/app"
t_ok "apt-get purge" inroot apt-get purge -y $PKGS
t_ok "apt-get autoremove --purge (the dependencies apt brought)" \
	inroot apt-get autoremove --purge -y
for p in $PKGS; do
	t_fail "$p gone from dpkg's database" inroot dpkg-query -W -f '${Status}' "$p"
done
t_fail "no /etc/customdb" test -e "$R/etc/customdb"
t_fail "no /var/lib/customdb" test -e "$R/var/lib/customdb"
t_nogrep "pam-auth-update forgot the profile" customdb cat "$R/var/lib/pam/seen"
snapshot after
t_ok "every path as before the install" diff -u "$WORK/before.paths" "$WORK/after.paths"
t_ok "every file in /etc as before the install" diff -u "$WORK/before.etc" "$WORK/after.etc"
t_ok "root logs in" login root Root-pw1

t_section "piuparts (install and purge in a chroot of its own, same base system)"
t_ok "piuparts --no-upgrade-test" run_piuparts

t_summary
