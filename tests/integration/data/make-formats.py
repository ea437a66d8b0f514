#!/usr/bin/python3
"""make-formats.py: one legacy user per password format, each hash made by
the format's original implementation (or, where Debian has none, by the
format's published algorithm in Python's hashlib), never by customdb.

Writes formats.tsv: user, format (customdb's family name), password, stored
hash, salt column ('-' for none). The integration test loads it into an
SQLite legacy table and logs every user in through pamtester.

Needs Debian's python3-passlib, python3-django, python3-werkzeug,
python3-argon2, python3-bcrypt, php-cli and dovecot-core (doveadm pw), and
MediaWiki's code (MEDIAWIKI_DIR: see tests/unit/verify_with_mediawiki.php).
Rows already in formats.tsv whose format is unchanged are kept as they are,
so a new format adds its row without changing the others; delete the file
to refresh them all. The committed file is what the tests use.
"""
import base64
import crypt
import hashlib
import hmac
import os
import struct
import subprocess
import sys

import argon2
import bcrypt
import passlib.hash as ph

# passlib's own code, not the C library, so that the vector is independent
for handler in (ph.sha512_crypt, ph.sha256_crypt, ph.md5_crypt, ph.des_crypt,
                ph.bsdi_crypt):
    handler.set_backend("builtin")


def django(hasher, password):
    import django.conf
    if not django.conf.settings.configured:
        django.conf.settings.configure(PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
            "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
            "django.contrib.auth.hashers.Argon2PasswordHasher",
        ])
    from django.contrib.auth.hashers import make_password
    return make_password(password, hasher=hasher)


def werkzeug_pbkdf2(password):
    from werkzeug.security import generate_password_hash
    return generate_password_hash(password, method="pbkdf2:sha256:600000")


def werkzeug_scrypt(password):
    # Werkzeug >= 2.3's default, by its published algorithm (Debian 12 has 2.2)
    n, r, p, salt = 2 ** 14, 8, 1, "Ab3dEf6hIj9kLm2o"
    h = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p,
                       maxmem=132 * n * r * p, dklen=64).hex()
    return f"scrypt:{n}:{r}:{p}${salt}${h}"


def aspnet_identity_v2(password):
    salt = os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha1", password.encode(), salt, 1000, 32)
    return base64.b64encode(b"\x00" + salt + key).decode()


def aspnet_identity_v3(password):
    salt = os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 100000, 32)
    head = b"\x01" + struct.pack(">III", 2, 100000, 16)
    return base64.b64encode(head + salt + key).decode()


def aspnet_membership_sha1(password):
    salt = os.urandom(16)
    digest = hashlib.sha1(salt + password.encode("utf-16-le")).digest()
    return base64.b64encode(digest).decode(), base64.b64encode(salt).decode()


def wordpress_68(password):
    # WordPress 6.8 wp_hash_password(): bcrypt of base64(HMAC-SHA384), by PHP
    php = ("$p = stream_get_contents(STDIN);"
           "echo '$wp' . password_hash(base64_encode(hash_hmac('sha384', $p, 'wp-sha384', true)),"
           " PASSWORD_BCRYPT);")
    return subprocess.run(["php", "-r", php], input=password.encode(), check=True,
                          capture_output=True).stdout.decode()


def nt_hash(password):
    # Roundcube's password_algorithm = samba: PHP's md4 of the UTF-16LE form,
    # upper-cased (Python's hashlib has no md4 under OpenSSL 3)
    php = ("echo strtoupper(hash('md4', mb_convert_encoding(stream_get_contents(STDIN),"
           " 'UTF-16LE', 'UTF-8')));")
    return subprocess.run(["php", "-r", php], input=password.encode(), check=True,
                          capture_output=True).stdout.decode()


def php_bcrypt(password):
    return subprocess.run(["php", "-r", "echo password_hash(stream_get_contents(STDIN), PASSWORD_BCRYPT);"],
                          input=password.encode(), check=True, capture_output=True).stdout.decode()


ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def phpass_encode64(data):
    out, i, n = "", 0, len(data)
    while i < n:
        value = data[i]
        i += 1
        out += ITOA64[value & 0x3f]
        if i < n:
            value |= data[i] << 8
        out += ITOA64[(value >> 6) & 0x3f]
        if i >= n:
            break
        i += 1
        if i < n:
            value |= data[i] << 16
        out += ITOA64[(value >> 12) & 0x3f]
        if i >= n:
            break
        i += 1
        out += ITOA64[(value >> 18) & 0x3f]
    return out


def drupal7(password):
    # Drupal 7 includes/password.inc, _password_crypt('sha512', ...):
    # passlib has no drupal7 handler, so its published algorithm is used
    count_log2, salt = 15, "Zx9Yw8Vu"
    h = hashlib.sha512((salt + password).encode()).digest()
    for _ in range(1 << count_log2):
        h = hashlib.sha512(h + password.encode()).digest()
    return ("$S$" + ITOA64[count_log2] + salt + phpass_encode64(h))[:55]


def joomla(password):
    salt = "abcdefghijklmnopqrstuvwxyzABCDEF"
    return hashlib.md5((password + salt).encode()).hexdigest() + ":" + salt


def sha1_hex_salt_before(password):
    salt = "s4lt"
    return hashlib.sha1((salt + password).encode()).hexdigest(), salt


def doveadm(scheme):
    """Dovecot's own doveadm pw -s SCHEME."""
    return lambda p: subprocess.run(["doveadm", "pw", "-s", scheme, "-p", p], check=True,
                                    capture_output=True).stdout.decode().strip()


def mediawiki(kind):
    """MediaWiki 1.39's PasswordFactory, TYPE pbkdf2, B or A."""
    here = os.path.dirname(os.path.abspath(__file__))
    script = os.path.join(here, "..", "..", "unit", "verify_with_mediawiki.php")
    return lambda p: subprocess.run(["php", script, "make", kind], input=(p + "\n").encode(),
                                    check=True, capture_output=True
                                    ).stdout.decode().rstrip("\n").split("\t")[1]


def redmine(password):
    # Redmine 5.0 User#salt_password and User.hash_password (no Ruby on
    # Debian 12 here): salt = SecureRandom.hex(16),
    # hashed_password = Digest::SHA1.hexdigest(salt + Digest::SHA1.hexdigest(pw))
    salt = os.urandom(16).hex()
    inner = hashlib.sha1(password.encode()).hexdigest()
    return hashlib.sha1((salt + inner).encode()).hexdigest(), salt


# (customdb family name, how to make it). A maker returns the hash, or
# (hash, salt) when the format keeps its salt in a column of its own.
FORMATS = [
    ("bcrypt", lambda p: bcrypt.hashpw(p.encode(), bcrypt.gensalt(6)).decode()),
    ("bcrypt", lambda p: bcrypt.hashpw(p.encode(), bcrypt.gensalt(6, prefix=b"2a")).decode()),
    ("bcrypt", php_bcrypt),
    ("bcrypt-2x", lambda p: crypt.crypt(p, "$2x$05$" + "abcdefghijklmnopqrstuu")),
    ("sha512crypt", lambda p: ph.sha512_crypt.using(rounds=10000).hash(p)),
    ("sha256crypt", lambda p: ph.sha256_crypt.using(rounds=5000).hash(p)),
    ("md5crypt", ph.md5_crypt.hash),
    ("yescrypt", lambda p: crypt.crypt(p, crypt.mksalt(crypt.METHOD_SHA512).replace("$6$", "$y$j9T$"))),
    ("gost-yescrypt", lambda p: crypt.crypt(p, "$gy$j9T$0123456789abcdef$")),
    ("scrypt-crypt", lambda p: crypt.crypt(p, "$7$CU..../....0123456789abcdef$")),
    ("sunmd5", ph.sun_md5_crypt.hash),
    ("bsdi-des", ph.bsdi_crypt.hash),
    ("des", ph.des_crypt.hash),
    ("argon2id", lambda p: argon2.PasswordHasher(time_cost=2, memory_cost=8192, parallelism=1).hash(p)),
    ("argon2id", lambda p: argon2.PasswordHasher(time_cost=2, memory_cost=8192, parallelism=8).hash(p)),
    ("argon2i", lambda p: argon2.PasswordHasher(time_cost=2, memory_cost=8192, parallelism=2,
                                                type=argon2.Type.I).hash(p)),
    ("django-pbkdf2-sha256", lambda p: django("pbkdf2_sha256", p)),
    ("django-pbkdf2-sha1", lambda p: django("pbkdf2_sha1", p)),
    ("django-bcrypt-sha256", lambda p: django("bcrypt_sha256", p)),
    ("django-argon2", lambda p: django("argon2", p)),
    ("passlib-pbkdf2-sha1", ph.pbkdf2_sha1.hash),
    ("passlib-pbkdf2-sha256", ph.pbkdf2_sha256.hash),
    ("passlib-pbkdf2-sha512", ph.pbkdf2_sha512.hash),
    ("passlib-scrypt", lambda p: ph.scrypt.using(rounds=14).hash(p)),
    ("werkzeug-pbkdf2", werkzeug_pbkdf2),
    ("werkzeug-scrypt", werkzeug_scrypt),
    ("aspnet-identity-v2", aspnet_identity_v2),
    ("aspnet-identity-v3", aspnet_identity_v3),
    ("aspnet-membership-sha1", aspnet_membership_sha1),
    ("phpass", ph.phpass.hash),
    ("phpass", lambda p: ph.phpass.using(ident="H").hash(p)),
    ("drupal7", drupal7),
    ("wordpress-bcrypt", wordpress_68),
    ("joomla-md5", joomla),
    ("mysql41", ph.mysql41.hash),
    ("ldap-ssha", ph.ldap_salted_sha1.hash),
    ("ldap-sha", ph.ldap_sha1.hash),
    ("ldap-md5", ph.ldap_md5.hash),
    ("ldap-smd5", ph.ldap_salted_md5.hash),
    ("ldap-ssha256", ph.ldap_salted_sha256.hash),
    ("ldap-ssha512", ph.ldap_salted_sha512.hash),
    ("ldap-crypt", lambda p: "{CRYPT}" + ph.sha512_crypt.using(rounds=5000).hash(p)),
    ("sha1-hex-salt-before", sha1_hex_salt_before),
    ("md5-hex", lambda p: hashlib.md5(p.encode()).hexdigest()),
    ("sha256-base64", lambda p: base64.b64encode(hashlib.sha256(p.encode()).digest()).decode()),
    ("plaintext", lambda p: p),
    ("mediawiki-pbkdf2", mediawiki("pbkdf2")),
    ("mediawiki-b", mediawiki("B")),
    ("mediawiki-a", mediawiki("A")),
    ("redmine", redmine),
    ("dovecot-sha512-crypt", doveadm("SHA512-CRYPT")),
    ("dovecot-sha256-crypt", doveadm("SHA256-CRYPT")),
    ("dovecot-md5-crypt", doveadm("MD5-CRYPT")),
    ("dovecot-md5", doveadm("MD5")),
    ("dovecot-blf-crypt", doveadm("BLF-CRYPT")),
    ("dovecot-argon2id", doveadm("ARGON2ID")),
    ("dovecot-argon2i", doveadm("ARGON2I")),
    ("dovecot-pbkdf2", doveadm("PBKDF2")),
    ("dovecot-plain-md5", doveadm("PLAIN-MD5")),
    ("dovecot-scram-sha-1", doveadm("SCRAM-SHA-1")),
    ("dovecot-scram-sha-256", doveadm("SCRAM-SHA-256")),
    ("dovecot-sha1", doveadm("SHA1")),
    ("dovecot-ldap-md5", doveadm("LDAP-MD5")),
    ("dovecot-plain-md4", doveadm("PLAIN-MD4")),
    ("dovecot-cram-md5", doveadm("CRAM-MD5")),
    ("dovecot-hmac-md5", doveadm("HMAC-MD5")),
    ("dovecot-des-crypt", doveadm("DES-CRYPT")),
    ("dovecot-sha256", doveadm("SHA256.HEX")),
    ("dovecot-plain", doveadm("CLEARTEXT")),
    ("nt-hash", nt_hash),
]


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "formats.tsv")
    kept = {}
    if os.path.exists(path):
        for line in open(path):
            if not line.startswith("#"):
                row = line.rstrip("\n").split("\t")
                kept[(row[0], row[1])] = row
    out = open(path + ".new", "w")
    out.write("# user\tformat\tpassword\thash\tsalt  (made by make-formats.py)\n")
    for i, (name, make) in enumerate(FORMATS):
        user = "fmt%02d" % i
        if (user, name) in kept:
            out.write("\t".join(kept[(user, name)]) + "\n")
            continue
        password = "%s-pw-%d" % (name, i)
        made = make(password)
        stored, salt = made if isinstance(made, tuple) else (made, "-")
        if "\t" in stored or "\n" in stored:
            sys.exit("bad output for " + name)
        out.write("\t".join([user, name, password, stored, salt]) + "\n")
    out.close()
    os.replace(path + ".new", path)


if __name__ == "__main__":
    main()
