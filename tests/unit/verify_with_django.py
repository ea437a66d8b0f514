#!/usr/bin/python3
"""Check "password<TAB>hash" lines from stdin with Django's own check_password.

Each hash must accept its password and refuse the password with one more
character. Exits 0 when every line passes (and there was at least one), 1
otherwise, 2 when Django cannot be imported. Used by verify_written.sh.
"""
import sys

try:
    from django.conf import settings
except ImportError as e:
    print(f"verify_with_django: cannot import Django: {e}", file=sys.stderr)
    sys.exit(2)

# Every hasher Django ships that needs nothing beyond Django itself, plus the
# ones that need bcrypt / argon2-cffi when those are installed.
settings.configure(PASSWORD_HASHERS=[
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
])

from django.contrib.auth.hashers import check_password, identify_hasher  # noqa: E402


def main():
    lines = failures = 0
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8").rstrip("\n")
        if not line:
            continue
        lines += 1
        password, sep, encoded = line.partition("\t")
        if not sep or not encoded:
            print(f"line {lines}: not password<TAB>hash", file=sys.stderr)
            failures += 1
            continue
        try:
            algorithm = identify_hasher(encoded).algorithm
        except ValueError:
            algorithm = "(none)"
        right = check_password(password, encoded)
        wrong = check_password(password + "x", encoded)
        if not right or wrong:
            print(f"line {lines}: {algorithm}: right={right} wrong={wrong}: {encoded}",
                  file=sys.stderr)
            failures += 1
    if lines == 0:
        print("verify_with_django: no input", file=sys.stderr)
        return 1
    print(f"{lines - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
