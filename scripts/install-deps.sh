#!/bin/sh
# install-deps.sh: the Debian 12 packages customdb needs to build, test and
# run its demo. Installs only what is missing; run as root.
# dovecot-core is there for doveadm pw (the hash tests): the policy-rc.d
# guard below keeps its server from starting. MediaWiki's password classes
# (tests/unit/verify_with_mediawiki.php) are unpacked from Debian's package
# into /opt/customdb-test/mediawiki, not installed: that would pull in a web
# server; so are WordPress's and postfixadmin's (tests/integration/apps.sh).
set -eu

# mediawiki_unpacked: MediaWiki's tree is there (installed or unpacked)
mw=/opt/customdb-test/mediawiki
mediawiki_unpacked() {
	[ -f /usr/share/mediawiki/includes/password/Pbkdf2Password.php ] ||
		[ -f "$mw/usr/share/mediawiki/includes/password/Pbkdf2Password.php" ]
}
unpack_mediawiki() {
	mediawiki_unpacked && return 0
	echo "install-deps: unpacking mediawiki into $mw"
	tmp=$(mktemp -d)
	chmod 755 "$tmp"   # apt downloads as _apt
	# apt's lists may be missing when nothing else had to be installed
	(cd "$tmp" && { apt-get download -qq mediawiki 2>/dev/null ||
		{ apt-get update -qq && apt-get download -qq mediawiki; }; }) &&
		mkdir -p "$mw" && dpkg-deb -x "$tmp"/mediawiki_*.deb "$mw"
	rc=$?
	rm -rf "$tmp"
	return $rc
}
# unpack_app PKG FILE [DIR]: Debian's PKG unpacked into /opt/customdb-test/DIR
# (default PKG; the application tests, tests/integration/apps.sh, run its
# own code from there) unless FILE is there already; same reason as
# MediaWiki's. mediawiki-classes holds the rest of MediaWiki's includes/,
# which its installer needs.
unpack_app() {
	d=/opt/customdb-test/${3:-$1}
	[ -e "$d/$2" ] && return 0
	echo "install-deps: unpacking $1 into $d"
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && { apt-get download -qq "$1" 2>/dev/null ||
		{ apt-get update -qq && apt-get download -qq "$1"; }; }) &&
		mkdir -p "$d" && dpkg-deb -x "$tmp/$1"_*.deb "$d"
	rc=$?
	rm -rf "$tmp"
	return $rc
}
unpack_apps() {
	unpack_mediawiki
	[ -d /usr/share/mediawiki ] ||
		unpack_app mediawiki-classes usr/share/mediawiki/includes/libs/mime/defines.php mediawiki
	unpack_app wordpress usr/share/wordpress/wp-admin/install.php
	unpack_app postfixadmin usr/share/postfixadmin/public/upgrade.php
}
PKGS="build-essential cmake pkg-config
libpam0g-dev libpq-dev default-libmysqlclient-dev libsqlite3-dev libsodium-dev
libargon2-dev libcrypt-dev libssl-dev libinih-dev libjansson-dev libcurl4-openssl-dev nginx-light
check clang libclang-rt-14-dev
sqlite3 postgresql mariadb-server libpam-mysql pamtester whois argon2 expect bc
python3-passlib python3-django python3-werkzeug python3-argon2 python3-bcrypt php-cli ruby
php-mysql php-sqlite3 php-mbstring php-xml php-intl redmine redmine-sqlite
dovecot-core roundcube-core roundcube-plugins roundcube-sqlite3
util-linux procps groff-base man-db passwd openssh-server openssh-client jq valgrind strace
dpkg-dev debhelper dh-nss lintian debootstrap piuparts
unixodbc-dev odbc-postgresql odbc-mariadb libsqliteodbc systemd"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	unpack_apps
	exit 0
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# keep the packaged servers from starting on the host: tests start their own
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# redmine: no database of its own (apps.sh makes a throw-away instance)
echo "redmine redmine/instances/default/dbconfig-install boolean false" | debconf-set-selections
# roundcube: its password plugin's code only (tests/unit/read_roundcube.sh)
echo "roundcube-core roundcube/dbconfig-install boolean false" | debconf-set-selections
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
unpack_apps
