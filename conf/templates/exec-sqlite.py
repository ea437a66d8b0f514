#!/usr/bin/python3 -I
# exec-sqlite.py: customdb action script (driver = exec) over an SQLite
# file: the tables of sqlite.sql next to this file (users, groups,
# user_groups). Python 3 standard library only. A template for a source
# customdb has no driver for: change the look-ups to your own API, keep the
# protocol.
#
#   [legacy]
#   driver = exec
#   run_as = customdb-exec
#   [queries]
#   login = /usr/local/lib/customdb/exec-sqlite.py /var/lib/app/users.db :username
#   change_password = /usr/local/lib/customdb/exec-sqlite.py /var/lib/app/users.db :username :password_hash
#   ... (every query names the same script; the request says which action;
#   the :words name the values it holds)
#
# Unlike exec-json.py, this script leaves the password check to customdb:
# its login is not given :password, and its answer holds the stored hash in
# "password" (bcrypt, sha512crypt, argon2id, ...: every scheme customdb
# reads), as an SQL login query does. So it never sees a password at all.
# It opens the file read-only except for change_password, which writes the
# hash customdb made (":password_hash", in password_scheme): run_as must be
# able to write the file and its directory (the journal) for that.
#
# The protocol (customdb.conf(5), ACTION SCRIPTS): one JSON object on stdin
# ("action" and the values the command line names, as strings), the answer
# as JSON on stdout, exit 0 found / done, 1 not found, anything else an
# error.
import json
import sqlite3
import sys

USER = """SELECT username, 10000 + id AS uid, email, full_name AS gecos,
                 NOT active AS disabled, email_verified, must_change_password
          FROM users"""
GROUP = """SELECT g.name AS "group", 20000 + g.id AS gid,
                  group_concat(u.username, ',') AS members
           FROM groups g
           LEFT JOIN user_groups ug ON ug.group_id = g.id
           LEFT JOIN users u ON u.id = ug.user_id"""


def rows(db, sql, *args):
    cur = db.execute(sql, args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def answer(found, many=False):
    """Print one row (or all), exit 0; nothing and exit 1 when none."""
    if not found:
        return 1
    json.dump(found if many else found[0], sys.stdout)
    return 0


def main():
    path = sys.argv[1]
    req = json.load(sys.stdin)
    action = req["action"]
    write = action == "change_password"
    db = sqlite3.connect("file:%s?mode=%s" % (path, "rw" if write else "ro"), uri=True,
                         timeout=3)
    name = req.get("username")

    if action == "login":
        # the stored hash goes back: customdb checks the password against it
        return answer(rows(db, USER.replace("SELECT ", "SELECT password, ", 1) +
                           " WHERE username = ?", name))
    if action == "get_user":
        return answer(rows(db, USER + " WHERE username = ?", name))
    if action == "get_user_by_uid":
        return answer(rows(db, USER + " WHERE id = CAST(? AS INTEGER) - 10000", req.get("uid")))
    if action == "get_group":
        return answer(rows(db, GROUP + " WHERE g.name = ? GROUP BY g.id", req.get("group")))
    if action == "get_group_by_gid":
        return answer(rows(db, GROUP + " WHERE g.id = CAST(? AS INTEGER) - 20000 GROUP BY g.id",
                           req.get("gid")))
    if action == "user_groups":
        # an empty list is "no groups", not an error
        json.dump(rows(db, """SELECT g.name AS "group", 20000 + g.id AS gid
                              FROM user_groups ug JOIN groups g ON g.id = ug.group_id
                              JOIN users u ON u.id = ug.user_id
                              WHERE u.username = ?""", name), sys.stdout)
        return 0
    if action == "list_users":
        json.dump(rows(db, USER + " ORDER BY id"), sys.stdout)
        return 0
    if action == "count_users":
        return answer(rows(db, "SELECT count(*) AS count FROM users"))
    if action == "change_password":
        with db:
            n = db.execute("UPDATE users SET password = ?, must_change_password = 0 "
                           "WHERE username = ?", (req["password_hash"], name)).rowcount
        return 0 if n == 1 else 1
    print("exec-sqlite.py: action %s is not supported" % action, file=sys.stderr)
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
