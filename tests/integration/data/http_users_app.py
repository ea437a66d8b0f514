#!/usr/bin/python3
"""http_users_app.py: a small web service of users over an SQLite file, for
tests/integration/http.sh (stdlib only). It sits behind nginx, which ends
TLS, and checks HTTP Basic Auth itself.

    http_users_app.py DB PORT SERVICE_ACCOUNT SERVICE_PASSWORD

    python3 http_users_app.py init DB    create DB with the test's users

    http_users_app.py --tables=legacy DB PORT SERVICE_ACCOUNT SERVICE_PASSWORD
        reads the tables of tests/integration/lib/legacy.sh instead (run.sh's
        http engine), whose password hashes are those of crypt(3) and argon2

Routes (JSON answers; the service account may read everything, a user only
their own record, with their own password):

    GET  /api/users/NAME            the record; 401 wrong password, 404 unknown
    GET  /api/uids/UID              the record by uid (service account)
    GET  /api/users/NAME/groups     [{"group": ..., "gid": ...}, ...]
    GET  /api/groups/NAME           {"group", "gid", "members": [...]}
    GET  /api/gids/GID              the same by gid
    PUT  /api/users/NAME/password   {"password": "new"} (service account): 204

Users whose names ask for trouble: slowpoke (answers after 30 s), broken
(HTTP 500), garbage (an HTML page with 200), huge (5 MiB of JSON)."""
import base64
import hashlib
import hmac
import json
import os
import sqlite3
import sys
import time
import urllib.parse
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import argon2

with warnings.catch_warnings():
    # libxcrypt's crypt_r, for legacy.sh's sha512crypt, bcrypt, yescrypt...
    # (deprecated in Python, which Debian 12 ships with it)
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt


def pw_hash(password, salt=None):
    salt = salt or os.urandom(8).hex()
    d = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 1000).hex()
    return salt + "$" + d


def pw_check(stored, password):
    if stored is None:
        return False
    if stored.startswith("$argon2"):
        try:
            return argon2.PasswordHasher().verify(stored, password)
        except argon2.exceptions.VerificationError:
            return False
    if stored.startswith("$"):
        return hmac.compare_digest(crypt.crypt(password, stored) or "", stored)
    salt = stored.split("$", 1)[0]
    return hmac.compare_digest(pw_hash(password, salt), stored)


USERS = [
    # name, uid, gecos, shell, email, disabled, expires, must_change
    ("alice", 10001, "Alice Liddell", "/bin/bash", "alice@example.org", 0, None, 0),
    ("bob", 10002, "Bob", "/bin/sh", "bob@example.org", 0, None, 0),
    ("carol", 10003, "Carol", "/bin/bash", None, 1, None, 0),
    ("oscar", 10041, "Oscar", "/bin/bash", None, 0, "2001-01-01", 0),
    ("mike", 10040, "Mike", "/bin/bash", None, 0, None, 1),
    ("dave", 10004, "Dave", "/bin/bash", None, 0, None, 0),
    ("slowpoke", 10020, "", "/bin/sh", None, 0, None, 0),
    ("broken", 10021, "", "/bin/sh", None, 0, None, 0),
    ("garbage", 10022, "", "/bin/sh", None, 0, None, 0),
    ("huge", 10023, "", "/bin/sh", None, 0, None, 0),
]
GROUPS = [("devs", 20001, ["alice", "bob"]), ("ops", 20002, ["alice"])]

# The queries of each set of tables: a user is (name, uid, pw, gecos, shell,
# email, disabled, expires, must_change, email_verified), a group (name, gid).
TABLES = {
    "app": {
        "user": "SELECT *, NULL FROM users WHERE name = ?",
        "uid": "SELECT *, NULL FROM users WHERE uid = ?",
        "group": "SELECT name, gid FROM groups WHERE name = ?",
        "gid": "SELECT name, gid FROM groups WHERE gid = ?",
        "members": "SELECT name FROM members WHERE grp = ? ORDER BY name",
        "groups_of": "SELECT g.name, g.gid FROM groups g JOIN members m ON "
                     "m.grp = g.name WHERE m.name = ?",
        "set_pw": "UPDATE users SET pw = ? WHERE name = ?",
    },
}
LEGACY_USER = ("SELECT username, uid, password, fullname, shell, email, active = 0, "
               "expires, must_change, email_verified FROM users WHERE ")
TABLES["legacy"] = {
    "user": LEGACY_USER + "username = ?",
    "uid": LEGACY_USER + "uid = ?",
    "group": "SELECT name, gid FROM app_groups WHERE name = ?",
    "gid": "SELECT name, gid FROM app_groups WHERE gid = ?",
    "members": "SELECT u.username FROM app_members m JOIN app_groups g ON "
               "g.id = m.group_id JOIN users u ON u.id = m.user_id "
               "WHERE g.name = ? ORDER BY u.username",
    "groups_of": "SELECT g.name, g.gid FROM app_groups g JOIN app_members m "
                 "ON m.group_id = g.id JOIN users u ON u.id = m.user_id "
                 "WHERE u.username = ?",
    "set_pw": "UPDATE users SET password = ?, must_change = 0 WHERE username = ?",
}


def init(path):
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE users (name TEXT PRIMARY KEY, uid INTEGER UNIQUE, pw TEXT,
            gecos TEXT, shell TEXT, email TEXT, disabled INTEGER, expires TEXT,
            must_change INTEGER);
        CREATE TABLE groups (name TEXT PRIMARY KEY, gid INTEGER UNIQUE);
        CREATE TABLE members (grp TEXT, name TEXT);""")
    for u in USERS:
        db.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (u[0], u[1], pw_hash(u[0] + "-pw")) + u[2:])
    for g, gid, members in GROUPS:
        db.execute("INSERT INTO groups VALUES (?, ?)", (g, gid))
        for m in members:
            db.execute("INSERT INTO members VALUES (?, ?)", (g, m))
    db.commit()


def record(row):
    name, uid, _pw, gecos, shell, email, disabled, expires, must, verified = row
    r = {"username": name, "uid": uid, "gecos": gecos, "shell": shell,
         "email": email, "disabled": bool(disabled), "expires": expires,
         "must_change_password": bool(must)}
    if verified is not None:
        r["email_verified"] = bool(verified)
    return r


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("app: " + (fmt % args) + "\n")

    def send(self, status, body=None, ctype="application/json"):
        data = b"" if body is None else (
            body if isinstance(body, bytes) else json.dumps(body).encode())
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def credentials(self):
        h = self.headers.get("Authorization", "")
        if not h.startswith("Basic "):
            return None, None
        user, _, pw = base64.b64decode(h[6:]).decode().partition(":")
        return user, pw

    def db(self):
        return sqlite3.connect(self.server.db_path)

    def sql(self, what):
        return TABLES[self.server.tables][what]

    def user_row(self, db, name):
        return db.execute(self.sql("user"), (name,)).fetchone()

    def trouble(self, name):
        """The users that ask for trouble; True when answered. With legacy.sh's
        tables, as there on PostgreSQL: slowpoke's record comes after 1.5 s,
        sleepy's after 30 s."""
        if self.server.tables != "app":
            if name in ("slowpoke", "sleepy"):
                sys.stderr.write("app: %s sleeps\n" % name)
                time.sleep(1.5 if name == "slowpoke" else 30)
            return False
        if name == "slowpoke":
            time.sleep(30)
        elif name == "broken":
            self.send(500, {"error": "internal"})
        elif name == "garbage":
            self.send(200, b"<html><body>Welcome!</body></html>", "text/html")
        elif name == "huge":
            self.send(200, b'{"username": "huge", "pad": "' + b"x" * (5 << 20) + b'"}')
        else:
            return False
        return True

    def do_GET(self):
        parts = [urllib.parse.unquote(p) for p in self.path.strip("/").split("/")]
        user, pw = self.credentials()
        service = (user, pw) == (self.server.account, self.server.account_pw)
        db = self.db()
        if len(parts) == 3 and parts[:2] == ["api", "users"]:
            name = parts[2]
            if self.trouble(name):
                return
            row = self.user_row(db, name)
            if not service:
                # a user may read only their own record, with their own password
                if user != name:
                    return self.send(401, {"error": "authentication required"})
                if row is None:
                    return self.send(404, {"error": "no such user"})
                if not pw_check(row[2], pw):
                    return self.send(401, {"error": "wrong password"})
            if row is None:
                return self.send(404, {"error": "no such user"})
            return self.send(200, record(row))
        if not service:
            return self.send(401, {"error": "authentication required"})
        if len(parts) == 3 and parts[:2] == ["api", "uids"]:
            row = db.execute(self.sql("uid"), (parts[2],)).fetchone()
            return self.send(200, record(row)) if row else self.send(404, {})
        if len(parts) == 4 and parts[:2] == ["api", "users"] and parts[3] == "groups":
            rows = db.execute(self.sql("groups_of"), (parts[2],)).fetchall()
            return self.send(200, [{"group": g, "gid": gid} for g, gid in rows])
        if len(parts) == 3 and parts[:2] in (["api", "groups"], ["api", "gids"]):
            row = db.execute(self.sql("group" if parts[1] == "groups" else "gid"),
                             (parts[2],)).fetchone()
            if row is None:
                return self.send(404, {})
            members = [m for (m,) in db.execute(self.sql("members"), (row[0],))]
            return self.send(200, {"group": row[0], "gid": row[1], "members": members})
        return self.send(404, {})

    def do_PUT(self):
        parts = [urllib.parse.unquote(p) for p in self.path.strip("/").split("/")]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.credentials() != (self.server.account, self.server.account_pw):
            return self.send(401, {"error": "authentication required"})
        if len(parts) != 4 or parts[:2] != ["api", "users"] or parts[3] != "password":
            return self.send(404, {})
        try:
            new = json.loads(body)["password"]
        except (ValueError, KeyError, TypeError):
            return self.send(400, {"error": "want {\"password\": ...}"})
        db = self.db()
        n = db.execute(self.sql("set_pw"), (pw_hash(new), parts[2])).rowcount
        db.commit()
        return self.send(204) if n else self.send(404, {})


def main():
    if sys.argv[1] == "init":
        return init(sys.argv[2])
    args = sys.argv[1:]
    tables = "app"
    if args[0].startswith("--tables="):
        tables = args.pop(0)[len("--tables="):]
        if tables not in TABLES:
            sys.exit("http_users_app.py: --tables=app or --tables=legacy")
    db_path, port, account, account_pw = args[:4]
    server = ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    server.daemon_threads = True
    server.tables = tables
    server.db_path, server.account, server.account_pw = db_path, account, account_pw
    server.serve_forever()


if __name__ == "__main__":
    main()
