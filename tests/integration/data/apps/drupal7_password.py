#!/usr/bin/python3
"""drupal7_password.py: Drupal 7's password hashing, in Python, for
tests/integration/drupal7.sh. Drupal's own code is not installed here
(Drupal 7 is not packaged in Debian 12); this follows what Drupal 7's
includes/password.inc does, written anew from its description:

  user_hash_password(): "$S$", the log2 count as one itoa64 character,
    8 characters of salt (6 random bytes, itoa64-encoded), then the
    itoa64 encoding of h, where h = sha512(salt + password) and then
    2^count times h = sha512(h + password); the whole cut to 55 characters
    (DRUPAL_HASH_LENGTH). "$P$"/"$H$" are the same with md5, 34 characters.
  user_check_password(): a hash starting "U$" is checked, without the U,
    against md5(password) in lower-case hex (Drupal 6's stored value,
    re-hashed by user_update_7000()). Passwords over 512 bytes never match.

  drupal7_password.py hash PASSWORD [COUNT [S|P]]   print a new hash
  drupal7_password.py updated PASSWORD [COUNT]      print a U$S$ hash
  drupal7_password.py check PASSWORD HASH           exit 0 when it matches
Passwords are taken as UTF-8 bytes, as PHP sees them."""
import hashlib
import hmac
import os
import sys

ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
HASH_LENGTH = 55
MAX_PASSWORD = 512


def encode64(data):
    """phpass's encoding: 3 bytes little-endian into 4 characters, the last
    group short."""
    out = []
    for i in range(0, len(data), 3):
        chunk = data[i:i + 3]
        value = int.from_bytes(chunk, "little")
        for k in range(len(chunk) + 1):
            out.append(ITOA64[(value >> (6 * k)) & 0x3F])
    return "".join(out)


def crypt(algo, password, setting):
    """The stretched hash of password under setting's count and salt, or
    None for a setting Drupal refuses."""
    if len(setting) < 12 or setting[0] != "$" or setting[2] != "$":
        return None
    count_log2 = ITOA64.find(setting[3])
    if count_log2 < 7 or count_log2 > 30:
        return None
    salt = setting[4:12].encode()
    h = hashlib.new(algo, salt + password).digest()
    for _ in range(1 << count_log2):
        h = hashlib.new(algo, h + password).digest()
    return (setting[:12] + encode64(h))[:HASH_LENGTH]


def new_hash(password, count=15, kind="S"):
    setting = "$" + kind + "$" + ITOA64[count] + encode64(os.urandom(6))
    return crypt("sha512" if kind == "S" else "md5", password, setting)


def check(password, stored):
    if stored.startswith("U$"):
        stored = stored[1:]
        password = hashlib.md5(password).hexdigest().encode()
    if len(password) > MAX_PASSWORD:
        return False
    kind = stored[:3]
    if kind == "$S$":
        h = crypt("sha512", password, stored)
    elif kind in ("$P$", "$H$"):
        h = crypt("md5", password, stored)
    else:
        return False
    return h is not None and hmac.compare_digest(h, stored)


def main(argv):
    if len(argv) >= 3 and argv[1] == "hash":
        count = int(argv[3]) if len(argv) > 3 else 15
        print(new_hash(argv[2].encode(), count, argv[4] if len(argv) > 4 else "S"))
        return 0
    if len(argv) >= 3 and argv[1] == "updated":
        md5 = hashlib.md5(argv[2].encode()).hexdigest().encode()
        print("U" + new_hash(md5, int(argv[3]) if len(argv) > 3 else 11))
        return 0
    if len(argv) == 4 and argv[1] == "check":
        return 0 if check(argv[2].encode(), argv[3]) else 1
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
