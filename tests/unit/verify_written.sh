#!/bin/sh
# verify_written.sh: every hash customdb writes, checked by an implementation
# that is not customdb's. gen_hashes (built with the unit tests) writes
# "password<TAB>hash" lines with hash_generate(); each checker must accept
# them and refuse a wrong password.
#
#   tests/unit/verify_written.sh [BUILD_DIR]      (default: build)
#
#   bcrypt                the bcrypt module (OpenBSD's code) and PHP's
#                         password_verify
#   sha512crypt           passlib's pure-Python sha512_crypt
#   yescrypt              Python's crypt (libxcrypt: Debian has no other)
#   argon2id              argon2-cffi (the argon2 reference implementation)
#   django-pbkdf2-sha256  Django's check_password
#   phpass                passlib's phpass, and WordPress's, phpBB's and
#                         Drupal's check functions in PHP
#   mediawiki-pbkdf2      MediaWiki's PasswordFactory (verify_with_mediawiki.php)
#   dovecot-sha512-crypt, dovecot-blf-crypt, dovecot-argon2id
#                         Dovecot's doveadm pw -t
#
# Needs python3-bcrypt, python3-passlib, python3-argon2, python3-django,
# php-cli and dovecot-core (Debian; scripts/install-deps.sh installs them),
# and MediaWiki's code: MEDIAWIKI_DIR, else /usr/share/mediawiki (Debian's
# mediawiki package), else the copy install-deps.sh unpacks from it into
# /opt/customdb-test/mediawiki. Exits non-zero on any failure.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
gen=$build/tests/unit/gen_hashes
py=/usr/bin/python3
if [ -z "${MEDIAWIKI_DIR:-}" ] && [ ! -d /usr/share/mediawiki ]; then
	MEDIAWIKI_DIR=/opt/customdb-test/mediawiki/usr/share/mediawiki
	export MEDIAWIKI_DIR
fi

if [ ! -x "$gen" ]; then
	echo "verify_written: $gen not built" >&2
	exit 1
fi
for scheme in bcrypt sha512crypt yescrypt argon2id phpass; do
	"$gen" "$scheme" | "$py" "$here/verify_with_python.py" "$scheme"
done
"$gen" bcrypt | php -r '
	$n = 0; $bad = 0;
	while (($l = fgets(STDIN)) !== false) {
		[$pw, $h] = explode("\t", rtrim($l, "\n"), 2);
		$n++;
		if (!password_verify($pw, $h) || password_verify("x" . $pw, $h)) { $bad++; fwrite(STDERR, "php refused: $h\n"); }
	}
	echo "bcrypt (PHP password_verify): " . ($n - $bad) . " passed, $bad failed\n";
	exit($n && !$bad ? 0 : 1);'
"$gen" phpass | php "$here/verify_with_php.php"
"$gen" django-pbkdf2-sha256 | "$py" "$here/verify_with_django.py"
"$gen" mediawiki-pbkdf2 | php "$here/verify_with_mediawiki.php" check
# doveadm pw -t: the right password verifies, one with a byte added does not
for scheme in dovecot-sha512-crypt dovecot-blf-crypt dovecot-argon2id; do
	n=0
	"$gen" "$scheme" > "${TMPDIR:-/tmp}/verify_written.$$"
	while IFS="$(printf '\t')" read -r pw h; do
		n=$((n + 1))
		if ! doveadm pw -t "$h" -p "$pw" >/dev/null 2>&1 ||
		   doveadm pw -t "$h" -p "x$pw" >/dev/null 2>&1; then
			echo "doveadm refused $h or took a wrong password" >&2
			rm -f "${TMPDIR:-/tmp}/verify_written.$$"
			exit 1
		fi
	done < "${TMPDIR:-/tmp}/verify_written.$$"
	rm -f "${TMPDIR:-/tmp}/verify_written.$$"
	echo "$scheme (doveadm pw -t): $n passed, 0 failed"
done
