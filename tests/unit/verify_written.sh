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
#   dovecot-sha512-crypt, dovecot-sha256-crypt, dovecot-blf-crypt,
#   dovecot-argon2id, dovecot-scram-sha-1, dovecot-scram-sha-256
#                         Dovecot's doveadm pw -t (and, for SCRAM, the
#                         ServerKey, which doveadm does not check, by
#                         Python's hmac as RFC 5802 has it)
#   redmine               Redmine's User#salt_password in Ruby (Redmine
#                         itself needs Rails), with the salt column
#   drupal7               Drupal 7's user_check_password() in PHP
#                         (verify_with_php.php: includes/password.inc's
#                         algorithm; Drupal's own code is not installed here)
#   gitea-pbkdf2          Python's hashlib.pbkdf2_hmac as Gitea's Hash() and
#                         Parse() use it: the salt column hex-decoded, the
#                         parameters from passwd_hash_algo
#   nextcloud             Nextcloud's Hasher::verify() as PHP
#                         (lib/private/Security/Hasher.php: split at the first
#                         '|', a version 1 to 3, password_verify)
#   aspnet-identity-v2, aspnet-identity-v3, aspnet-membership-sha1,
#   aspnet-membership-hmacsha256
#                         Python's hashlib/hmac following ASP.NET's
#                         PasswordHasher and SqlMembershipProvider.EncodePassword
#                         (no .NET runs here), with the salt column
#   keycloak-pbkdf2-sha512, keycloak-pbkdf2-sha256
#                         Python's hashlib.pbkdf2_hmac as Keycloak's
#                         Pbkdf2PasswordHashProvider.verify() derives (as
#                         many bytes as the value holds; no Java here)
#
# Needs python3-bcrypt, python3-passlib, python3-argon2, python3-django,
# php-cli, ruby and dovecot-core (Debian; scripts/install-deps.sh installs them),
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
"$gen" drupal7 | php "$here/verify_with_php.php"
# Gitea (modules/auth/password/hash): passwd_hash_algo "pbkdf2$ITER$KEYLEN",
# passwd the hex of pbkdf2-sha256 over the hex-decoded salt column
"$gen" gitea-pbkdf2 | "$py" -c '
import hashlib, hmac, sys
n = 0
for line in sys.stdin.buffer:
    pw, h, salt = line.rstrip(b"\n").split(b"\t")
    algo, _, passwd = h.rpartition(b"$")
    name, it, keylen = algo.split(b"$")
    def calc(p):
        return hashlib.pbkdf2_hmac("sha256", p, bytes.fromhex(salt.decode()), int(it),
                                   int(keylen)).hex().encode()
    if (name != b"pbkdf2" or len(salt) != 32 or not hmac.compare_digest(calc(pw), passwd)
            or hmac.compare_digest(calc(b"x" + pw), passwd)):
        sys.exit("Gitea would refuse %s (salt %s)" % (h.decode(), salt.decode()))
    n += 1
print("gitea-pbkdf2 (Python hashlib, as Gitea hashes): %d passed, 0 failed" % n)
sys.exit(0 if n else 1)'
"$gen" nextcloud | php -r '
	$n = 0; $bad = 0;
	function nc_verify($pw, $h) {
		$p = explode("|", $h, 2);
		return count($p) === 2 && (int)$p[0] >= 1 && (int)$p[0] <= 3 &&
		       password_verify($pw, $p[1]);
	}
	while (($l = fgets(STDIN)) !== false) {
		[$pw, $h] = explode("\t", rtrim($l, "\n"), 2);
		$n++;
		if (!nc_verify($pw, $h) || nc_verify("x" . $pw, $h)) { $bad++; fwrite(STDERR, "Nextcloud refused: $h\n"); }
	}
	echo "nextcloud (Hasher::verify in PHP): " . ($n - $bad) . " passed, $bad failed\n";
	exit($n && !$bad ? 0 : 1);'

"$gen" django-pbkdf2-sha256 | "$py" "$here/verify_with_django.py"
"$gen" mediawiki-pbkdf2 | php "$here/verify_with_mediawiki.php" check
# doveadm pw -t: the right password verifies, one with a byte added does not
for scheme in dovecot-sha512-crypt dovecot-sha256-crypt dovecot-blf-crypt dovecot-argon2id \
	dovecot-scram-sha-1 dovecot-scram-sha-256; do
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
# SCRAM: the ServerKey (a server proves itself with it) as RFC 5802 has it
for scheme in dovecot-scram-sha-1 dovecot-scram-sha-256; do
	"$gen" "$scheme" | "$py" -c '
import base64, hashlib, hmac, sys
n = 0
for line in sys.stdin.buffer:
    pw, h = line.rstrip(b"\n").split(b"\t")
    md = "sha256" if h.startswith(b"{SCRAM-SHA-256}") else "sha1"
    it, salt, stored, server = h.split(b"}", 1)[1].split(b",")
    salted = hashlib.pbkdf2_hmac(md, pw, base64.b64decode(salt), int(it))
    if hmac.new(salted, b"Server Key", md).digest() != base64.b64decode(server):
        sys.exit("wrong ServerKey: %s" % h.decode())
    n += 1
print("%s ServerKey (Python hmac): %d passed, 0 failed" % (sys.argv[1], n))
sys.exit(0 if n else 1)' "$scheme"
done
# Keycloak: algorithm, hashIterations, salt and value as the JSON columns
# hold them, the key derived over the password's UTF-8 bytes
for scheme in keycloak-pbkdf2-sha512 keycloak-pbkdf2-sha256; do
	"$gen" "$scheme" | "$py" -c '
import base64, hashlib, hmac, sys
mds = {"pbkdf2-sha256": "sha256", "pbkdf2-sha512": "sha512"}
n = 0
for line in sys.stdin.buffer:
    pw, h = line.rstrip(b"\n").split(b"\t")
    tag, algo, it, salt, value = h.decode().split("$")
    want = base64.b64decode(value, validate=True)
    def derive(p):
        return hashlib.pbkdf2_hmac(mds[algo], p, base64.b64decode(salt, validate=True),
                                   int(it), len(want))
    if tag != "keycloak" or len(want) != 64 or not hmac.compare_digest(derive(pw), want) \
            or hmac.compare_digest(derive(b"x" + pw), want):
        sys.exit("Keycloak check refused %s" % h.decode())
    n += 1
print("%s (Python hashlib, as Keycloak derives): %d passed, 0 failed" % (sys.argv[1], n))
sys.exit(0 if n else 1)' "$scheme"
done
# Redmine 5.0's app/models/user.rb: hashed_password ==
# hash_password("#{salt}#{hash_password(clear_password)}"), sha1 hex
"$gen" redmine | ruby -e '
	require "digest/sha1"
	def hash_password(s) Digest::SHA1.hexdigest(s || "") end
	n = 0
	STDIN.each_line do |l|
		pw, hashed, salt = l.chomp.split("\t")
		ok = hashed == hash_password("#{salt}#{hash_password(pw)}")
		bad = hashed == hash_password("#{salt}#{hash_password("x" + pw)}")
		abort "Redmine refused #{hashed} (salt #{salt})" if !ok || bad || salt.to_s.size != 32
		n += 1
	end
	puts "redmine (Ruby, User#salt_password): #{n} passed, 0 failed"
	exit(n > 0)'
# ASP.NET Identity's PasswordHasher.VerifyHashedPassword (v2: 0x00, salt,
# subkey; v3: 0x01, PRF, iterations, salt length, salt, subkey), and
# SqlMembershipProvider.EncodePassword (SHA1(salt | UTF-16LE password), or
# HMAC-SHA256 keyed with the salt spread over 64 bytes)
for scheme in aspnet-identity-v2 aspnet-identity-v3 aspnet-membership-sha1 \
	aspnet-membership-hmacsha256; do
	"$gen" "$scheme" | "$py" -c '
import base64, hashlib, hmac, struct, sys
scheme = sys.argv[1]
def identity(pw, h):
    b = base64.b64decode(h, validate=True)
    if b[0] == 0:
        return len(b) == 49 and hashlib.pbkdf2_hmac("sha1", pw, b[1:17], 1000, 32) == b[17:]
    prf, it, sl = struct.unpack(">III", b[1:13])
    salt, sub = b[13:13 + sl], b[13 + sl:]
    md = ("sha1", "sha256", "sha512")[prf]
    return hashlib.pbkdf2_hmac(md, pw, salt, it, len(sub)) == sub
def membership(pw, h, salt):
    s = base64.b64decode(salt, validate=True)
    u = pw.decode("utf-8").encode("utf-16-le")
    if scheme.endswith("sha1"):
        d = hashlib.sha1(s + u).digest()
    else:
        d = hmac.new((s * 64)[:64], u, "sha256").digest()
    return base64.b64encode(d).decode() == h
n = 0
for line in sys.stdin.buffer:
    f = line.rstrip(b"\n").split(b"\t")
    pw, h = f[0], f[1].decode()
    check = (lambda p: identity(p, h)) if "identity" in scheme else \
            (lambda p: membership(p, h, f[2]))
    if not check(pw) or check(b"x" + pw):
        sys.exit("%s refused %s" % (scheme, h))
    n += 1
print("%s (Python, as ASP.NET computes it): %d passed, 0 failed" % (scheme, n))
sys.exit(0 if n else 1)' "$scheme"
done
