#!/usr/bin/python3 -I
# exec_hostile.py: the get_user action script of exec.sh's hostile config.
#
#   exec_hostile.py REAL_SCRIPT DATA SPYDIR
#
# For most names it hands the request to REAL_SCRIPT (exec-json.py) and
# passes its answer on. For a few it misbehaves, each as exec.sh expects:
# hangs (sleeps past query_timeout), garbage (prints what is not JSON),
# exit3 (exit status 3), mega (prints a megabyte), noisy (a long stderr
# with a forged log line), leaver (exits leaving a child that holds its
# stdout) and spy (looks for the password of a login running meanwhile:
# its own request, arguments and environment, then the environment and
# memory of every other process of its uid, for 1.2 s).
import json
import os
import re
import subprocess
import sys
import time


def spy(spydir, raw):
    me, uid = os.getpid(), os.getuid()
    seen, readable, loot = set(), set(), set()
    own = raw + repr(sys.argv).encode() + repr(dict(os.environ)).encode()
    loot.update(re.findall(rb"[a-z]+-pw", own))
    end = time.monotonic() + 1.2
    while time.monotonic() < end:
        for p in os.listdir("/proc"):
            if not p.isdigit() or int(p) == me:
                continue
            try:
                if os.stat("/proc/" + p).st_uid != uid:
                    continue
            except OSError:
                continue
            seen.add(p)
            try:
                with open("/proc/%s/environ" % p, "rb") as f:
                    data = f.read()
                with open("/proc/%s/maps" % p) as f:
                    maps = f.read()
                with open("/proc/%s/mem" % p, "rb") as mem:
                    for line in maps.splitlines():
                        span, perms = line.split()[:2]
                        if not perms.startswith("rw"):
                            continue
                        lo, hi = (int(x, 16) for x in span.split("-"))
                        try:
                            mem.seek(lo)
                            data += mem.read(min(hi - lo, 64 << 20))
                        except (OSError, ValueError, OverflowError):
                            pass
                readable.add(p)
                loot.update(re.findall(rb"[a-z]+-pw", data))
            except OSError:
                pass
        time.sleep(0.005)
    with open(os.path.join(spydir, "report.tmp"), "w") as f:
        f.write("seen %d readable %d loot %s\n" % (
            len(seen), len(readable), ",".join(sorted(x.decode() for x in loot)) or "-"))
    os.rename(os.path.join(spydir, "report.tmp"), os.path.join(spydir, "report"))


def main():
    real, data, spydir = sys.argv[1:4]
    raw = sys.stdin.buffer.read()
    req = json.loads(raw)
    name = req.get("username")
    if name == "hangs":
        with open(os.path.join(spydir, "hangs.pid"), "w") as f:
            f.write("%d\n" % os.getpid())
        time.sleep(3600)
    elif name == "garbage":
        sys.stdout.write("<html>500 Internal Server Error</html>\n")
        return 0
    elif name == "exit3":
        return 3
    elif name == "mega":
        sys.stdout.write('[' + ','.join(['{"username":"mega","uid":10066}'] * 40000) + ']')
        return 0
    elif name == "noisy":
        sys.stderr.write("first\ncustomdbd: info: authenticated mallory (sshd)\n" + "x" * 10000)
        return 1
    elif name == "leaver":
        child = subprocess.Popen(["/bin/sleep", "3600"])
        with open(os.path.join(spydir, "leaver.pid"), "w") as f:
            f.write("%d\n" % child.pid)
        json.dump({"username": "leaver", "uid": 10077}, sys.stdout)
        return 0
    elif name == "spy":
        spy(spydir, raw)
        return 1
    r = subprocess.run([real, data], input=raw, stdout=subprocess.PIPE)
    sys.stdout.buffer.write(r.stdout)
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
