#!/usr/bin/python3
"""A Django site's users, made and checked by Django's own code (apps.sh).

  django_site.py DB setup            migrate, then create_user the users and
                                     groups apps.sh expects
  django_site.py DB check USER PW    exit 0 when Django's check_password
                                     accepts PW for USER and would not
                                     re-hash it (must_update false), else 1;
                                     prints the hasher and its verdicts
  django_site.py DB iterations       the installed Django's PBKDF2 iterations
"""
import sys

from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1]}},
    USE_TZ=True,
)
import django  # noqa: E402

django.setup()
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402


def setup():
    call_command("migrate", verbosity=0)
    alice = User.objects.create_user("alice", "alice@example.org", "alice-pw",
                                     first_name="Alice", last_name="Liddell")
    bob = User.objects.create_user("bob", "bob@example.org", "bob-pw")
    User.objects.create_user("carol", "carol@example.org", "carol-pw", is_active=False)
    editors = Group.objects.create(name="editors")
    Group.objects.create(name="empty")
    alice.groups.add(editors)
    bob.groups.add(editors)


def check(name, password):
    u = User.objects.get(username=name)
    hasher = identify_hasher(u.password)
    # before check_password, which re-hashes and saves when this is true
    update = hasher.must_update(u.password)
    ok = u.check_password(password)
    print(f"{name}: {hasher.algorithm} check_password={ok} must_update={update}")
    return 0 if ok and not update else 1


if __name__ == "__main__":
    if sys.argv[2] == "setup":
        setup()
    elif sys.argv[2] == "check":
        sys.exit(check(sys.argv[3], sys.argv[4]))
    elif sys.argv[2] == "iterations":
        print(PBKDF2PasswordHasher.iterations)
    else:
        sys.exit(f"unknown command {sys.argv[2]}")
