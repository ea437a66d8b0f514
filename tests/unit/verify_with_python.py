#!/usr/bin/python3
"""Check "password<TAB>hash" lines from stdin with an implementation that is
not customdb's: passlib's pure-Python code (its "builtin" backends, not the
C library customdb uses), the bcrypt module (OpenBSD's code), argon2-cffi
(the argon2 reference), or Python's crypt (libxcrypt; for yescrypt there is
no other implementation on Debian).

    verify_with_python.py SCHEME

Each hash must accept its password and refuse it with a character put in
front. Exit 0 when every line passes (and there was one), 1 otherwise.
"""
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)


def checker(scheme):
    if scheme == "bcrypt":
        import bcrypt
        return lambda pw, h: bcrypt.checkpw(pw, h.encode())
    if scheme == "sha512crypt":
        from passlib.hash import sha512_crypt
        sha512_crypt.set_backend("builtin")
        return lambda pw, h: sha512_crypt.verify(pw, h)
    if scheme == "argon2id":
        import argon2
        ph = argon2.PasswordHasher()

        def verify(pw, h):
            try:
                return ph.verify(h, pw)
            except argon2.exceptions.VerifyMismatchError:
                return False
        return verify
    if scheme == "phpass":
        from passlib.hash import phpass
        return lambda pw, h: phpass.verify(pw, h)
    if scheme == "yescrypt":
        import crypt
        import hmac
        return lambda pw, h: hmac.compare_digest(crypt.crypt(pw.decode(), h), h)
    sys.exit(f"verify_with_python: no checker for {scheme}")


def main():
    check = checker(sys.argv[1])
    lines = failures = 0
    for raw in sys.stdin.buffer:
        pw, _, h = raw.rstrip(b"\n").partition(b"\t")
        h = h.decode()
        lines += 1
        if not check(pw, h):
            failures += 1
            print(f"refused its own password: {h}", file=sys.stderr)
        if check(b"x" + pw, h):  # at the front: bcrypt reads 72 bytes only
            failures += 1
            print(f"accepted a wrong password: {h}", file=sys.stderr)
    print(f"{sys.argv[1]}: {lines - failures} passed, {failures} failed")
    sys.exit(0 if lines and not failures else 1)


if __name__ == "__main__":
    main()
