#!/bin/bash
# demo.sh: customdb in two minutes, on a fresh Debian 12, as root.
#
# Installs what it needs, builds, makes an SQLite "legacy" database whose
# users have sha512crypt, bcrypt, yescrypt and argon2id hashes, starts
# customdbd, and in a private mount namespace (the host's nsswitch.conf and
# /etc/pam.d are never touched) shows getent, id and pamtester at work:
# look-ups, logins, enumeration, and a password change.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ "${CUSTOMDB_IN_NS:-}" != 1 ]; then
	[ "$(id -u)" -eq 0 ] || { echo "demo.sh: run as root" >&2; exit 2; }
	echo "== installing packages (if missing) and building"
	"$ROOT/scripts/install-deps.sh"
	"$ROOT/scripts/build.sh" "$ROOT/build-demo" -DCUSTOMDB_TESTS=OFF
fi
. "$ROOT/tests/integration/lib/ns.sh"
ns_enter "$0" "$@"
. "$ROOT/demo/legacy.sh"

BUILD=$ROOT/build-demo
WORK=$(mktemp -d /tmp/customdb-demo.XXXXXX)
chmod 755 "$WORK"
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

mkdir -p "$WORK/run"
demo_make_db "$WORK/shop.db"
demo_config "$WORK/shop.db" "$WORK/run/socket" > "$WORK/customdb.conf"
chmod 600 "$WORK/customdb.conf"
ns_setup "$WORK" "$BUILD"
ns_pam_service customdb-demo \
	"auth    required $BUILD/pam_customdb/pam_customdb.so socket=$WORK/run/socket" \
	"account required $BUILD/pam_customdb/pam_customdb.so socket=$WORK/run/socket" \
	"password required $BUILD/pam_customdb/pam_customdb.so socket=$WORK/run/socket"
export CUSTOMDB_SOCKET=$WORK/run/socket

show() {
	printf '\n$ %s\n' "$*"
	"$@" || true
}
login() {
	printf '\n$ echo %s | pamtester customdb-demo %s authenticate acct_mgmt\n' "$2" "$1"
	printf '%s\n' "$2" | pamtester customdb-demo "$1" authenticate acct_mgmt 2>&1 | sed 's/^Password: //' || true
}

echo "== the legacy database (SQLite: $WORK/shop.db)"
sqlite3 -header -column "$WORK/shop.db" "SELECT id, name, substr(pass, 1, 30) || '...' AS pass, active FROM users"
echo
echo "== customdb check (the queries against the database)"
"$BUILD/tools/customdb" -c "$WORK/customdb.conf" check | grep -E '^(  -|    query|    status|result)' || true
echo
echo "== starting customdbd"
"$BUILD/customdbd/customdbd" -c "$WORK/customdb.conf" -f 2>"$WORK/daemon.log" &
PID=$!
for _ in $(seq 50); do [ -S "$WORK/run/socket" ] && break; sleep 0.1; done

echo "== in a private mount namespace: nsswitch.conf says 'passwd: files customdb'"
show getent passwd alice bob carol
show getent passwd 10043
show getent group shopstaff shopadmins
show id alice
login alice wonderland
login bob builder
login carol not-her-password
login dave davepass
login nosuchuser whatever
echo
echo "== enumeration (enumerate = yes): getent passwd with no key lists them too"
printf '\n$ getent passwd | tail -4\n'
getent passwd | tail -4
echo
echo "== a password change through PAM (root sets alice's; passwd does the same)"
echo
echo '$ printf '"'"'looking-glass\nlooking-glass\n'"'"' | pamtester customdb-demo alice chauthtok'
printf 'looking-glass\nlooking-glass\n' | pamtester customdb-demo alice chauthtok 2>&1 |
	sed -e 's/^New password: //' -e 's/^Retype new password: //' || true
login alice looking-glass
login alice wonderland
echo
echo "== alice's row now holds a bcrypt hash (password_scheme)"
sqlite3 "$WORK/shop.db" "SELECT name, substr(pass, 1, 30) || '...' FROM users WHERE name = 'alice'"
show "$BUILD/tools/customdb" -c "$WORK/customdb.conf" user show alice
echo
echo "== the daemon's log"
cat "$WORK/daemon.log"
echo
echo "Demo done. Everything it made is removed; the host was not changed."
