#!/usr/bin/python3 -I
# exec-json.py: customdb action script (driver = exec) over a JSON export of
# users, such as an application or identity provider writes. Python 3
# standard library only. Template: copy it, and change it to your export.
#
#   [legacy]
#   driver = exec
#   run_as = customdb-exec
#   [queries]
#   login = /usr/local/lib/customdb/exec-json.py /var/lib/customdb-exec/users.json :username :password
#   get_user = /usr/local/lib/customdb/exec-json.py /var/lib/customdb-exec/users.json :username
#   ... (every query names the same script; the request says which action;
#   the :words name the values it holds)
#
# The export (one JSON object; see exec-json.conf):
#   {"users": [{"username": "alice", "uid": 10001, "name": "Alice Liddell",
#               "email": "alice@example.org", "email_verified": true,
#               "password": "pbkdf2_sha256$600000$SALT$HASH",
#               "disabled": false, "expires": "2030-01-01",
#               "must_change_password": false, "groups": ["devs"]}],
#    "groups": [{"name": "devs", "gid": 20001}]}
# "password" is a Django-style PBKDF2-SHA256 hash, checked here: this
# script checks passwords itself (exit 0 right, 1 wrong), so customdb never
# sees the hash. change_password writes a new one (the file must be
# writable by run_as, and its directory too: the new file is renamed in).
#
# The protocol (customdb.conf(5), ACTION SCRIPTS): one JSON object on stdin
# ("action" and the values the command line names, as strings; "password"
# for login and change_password only), the answer as JSON on stdout, exit 0
# found / right / done, 1 not found (or, for a login that printed the user,
# wrong password), anything else an error.
import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import tempfile

ITERATIONS = 600000


def pbkdf2(password, salt, iterations):
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return base64.b64encode(dk).decode()


def check_password(password, stored):
    try:
        algo, iterations, salt, want = stored.split("$", 3)
        if algo != "pbkdf2_sha256":
            return False
        got = pbkdf2(password, salt, int(iterations))
    except (ValueError, AttributeError):
        return False
    return hmac.compare_digest(got.encode(), want.encode())


def make_hash(password):
    salt = secrets.token_urlsafe(16)
    return "pbkdf2_sha256$%d$%s$%s" % (ITERATIONS, salt, pbkdf2(password, salt, ITERATIONS))


def user_row(u):
    """The columns customdb reads (customdb.conf(5), Columns); never the hash."""
    row = {"username": u["username"], "uid": u["uid"]}
    for src, col in (("name", "gecos"), ("email", "email"), ("gid", "gid"),
                     ("shell", "shell"), ("email_verified", "email_verified"),
                     ("disabled", "disabled"), ("expires", "expires"),
                     ("must_change_password", "must_change_password")):
        if u.get(src) is not None:
            row[col] = u[src]
    return row


def group_row(g, users):
    members = [u["username"] for u in users if g["name"] in u.get("groups", [])]
    return {"group": g["name"], "gid": g["gid"], "members": members}


def save(path, data):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".users.")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def main():
    path = sys.argv[1]
    req = json.load(sys.stdin)
    with open(path) as f:
        data = json.load(f)
    users, groups = data.get("users", []), data.get("groups", [])
    action = req["action"]
    by_name = {u["username"]: u for u in users}
    user = by_name.get(req.get("username"))

    if action == "login":
        if user is None:
            return 1
        if "password" in req:
            # printed with exit 1 too: the user exists, the password is wrong
            json.dump(user_row(user), sys.stdout)
            return 0 if check_password(req["password"], user.get("password")) else 1
        json.dump(user_row(user), sys.stdout)   # a login not given :password
        return 0
    if action == "get_user":
        if user is None:
            return 1
        json.dump(user_row(user), sys.stdout)
        return 0
    if action == "get_user_by_uid":
        match = [u for u in users if str(u["uid"]) == req.get("uid")]
        if not match:
            return 1
        json.dump(user_row(match[0]), sys.stdout)
        return 0
    if action in ("get_group", "get_group_by_gid"):
        key, want = ("name", req.get("group")) if action == "get_group" else ("gid", req.get("gid"))
        match = [g for g in groups if str(g[key]) == want]
        if not match:
            return 1
        json.dump(group_row(match[0], users), sys.stdout)
        return 0
    if action == "user_groups":
        if user is None:
            return 1
        names = set(user.get("groups", []))
        json.dump([{"group": g["name"], "gid": g["gid"]} for g in groups if g["name"] in names],
                  sys.stdout)
        return 0
    if action == "list_users":
        json.dump([user_row(u) for u in users], sys.stdout)
        return 0
    if action == "count_users":
        json.dump({"count": len(users)}, sys.stdout)
        return 0
    if action == "change_password":
        if user is None:
            return 1
        user["password"] = make_hash(req["password"])
        user["must_change_password"] = False
        save(path, data)
        return 0
    print("exec-json.py: action %s is not supported" % action, file=sys.stderr)
    return 2


if __name__ == "__main__":
    # Python exits 1 on an uncaught exception, which customdb would read as
    # "not found": any failure (a missing file, a locked database) is 2,
    # "unavailable", with the traceback on stderr for the log
    try:
        status = main()
    except Exception:
        import traceback
        traceback.print_exc()
        status = 2
    sys.exit(status)
