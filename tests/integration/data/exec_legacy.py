#!/usr/bin/python3 -I
"""exec_legacy.py: the action script of run.sh's exec engine (driver = exec).
It answers each action with the SQL query the sqlite engine's config has for
it (lib/legacy.sh legacy_config), run on the same SQLite file: so driver =
exec is checked against the very answers the native driver gives.

    exec_legacy.py QUERIES DB :param...

QUERIES holds the [queries] section of that config (key = SQL, continued on
indented lines); the request's values are bound to the SQL's :names.
conf/templates/exec-sqlite.py cannot stand in: it reads sqlite.sql's tables
(uid = 10000 + id, no shell, no expiry), not the legacy application's."""
import json
import re
import sqlite3
import sys

MANY = ("user_groups", "list_users", "list_groups")
WRITES = ("create", "verify", "change_password", "change_email", "delete")


def queries(path):
    found, key = {}, None
    with open(path) as f:
        for line in f:
            m = re.match(r"(\w+) = (.*)", line)
            if m:
                key = m.group(1)
                found[key] = m.group(2)
            elif key and line[:1].isspace():
                found[key] += "\n" + line.rstrip("\n")
    return found


def main():
    sql = queries(sys.argv[1])
    req = json.load(sys.stdin)
    action = req.pop("action")
    if action not in sql:
        print("exec_legacy.py: no query for %s" % action, file=sys.stderr)
        return 2
    write = action in WRITES
    db = sqlite3.connect("file:%s?mode=%s" % (sys.argv[2], "rw" if write else "ro"),
                         uri=True, timeout=60)
    # a name the request lacks is NULL, as in the native driver
    params = {n: req.get(n) for n in re.findall(r":(\w+)", sql[action])}
    with db:
        cur = db.execute(sql[action], params)
    if write:
        return 0 if cur.rowcount > 0 else 1
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    if action in MANY:
        json.dump(rows, sys.stdout)
        return 0
    if not rows:
        return 1
    json.dump(rows[0], sys.stdout)
    return 0


if __name__ == "__main__":
    # an uncaught exception would exit 1 ("not found"): any failure is 2
    try:
        status = main()
    except Exception:
        import traceback
        traceback.print_exc()
        status = 2
    sys.exit(status)
