#!/bin/bash
# test.sh: every test, on a fresh Debian 12, as root.
#
#   1. installs what is missing (scripts/install-deps.sh) and builds
#   2. unit tests (Check) through ctest, and every hash customdb writes
#      checked by implementations that are not customdb's (Django, passlib,
#      PHP, argon2-cffi, bcrypt)
#   3. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer
#   4. the export maps and link lists of the two modules
#   5. each libFuzzer target for a short run (FUZZ_SECONDS, default 10)
#   6. integration tests: real SQLite, PostgreSQL and MariaDB, real getent,
#      id, pamtester, su, passwd and sshd, inside a private mount namespace;
#      legacy mode (run.sh), migrate mode with SQLite and PostgreSQL stores
#      (migrate.sh), the store's unit tests on a real PostgreSQL
#      (store_pg.sh), password changes and account states (passwd.sh),
#      enumeration (enumerate.sh), customdb user (users.sh), customdb try
#      writing nothing unless --commit (try.sh), bulk import of
#      100,000 users, migrate status, cache and status (admin.sh), action
#      scripts (exec.sh), the
#      state directory's trust and lock (statedir.sh), READY=1 and
#      STOPPING=1 to systemd (notify.sh), hash cost ceilings
#      (hashcost.sh), bounded caches (bounds.sh), a hostile local user
#      (attack.sh), faults under a load of real clients (faults.sh)
#   7. run.sh (SQLite) again with every NSS client (getent, id, the probes)
#      under valgrind memcheck, the module loaded (NSS_VALGRIND=1)
#   8. the integration tests again with the daemon and the tool built with
#      ASan+UBSan (from stage 3), where untrusted bytes arrive
#   9. the Debian packages: built, lintian, installed with apt on a clean
#      Debian 12 chroot (debootstrap), used there, purged; piuparts
#
# Stops at the first stage that fails and says which.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ "$(id -u)" -eq 0 ] || { echo "test.sh: run as root (tests start servers and use namespaces)" >&2; exit 2; }

stage() {
	local name=$1; shift
	printf '\n#### %s\n' "$name"
	local t0=$SECONDS
	if ! "$@"; then
		printf '\n#### FAILED: %s\n' "$name"
		exit 1
	fi
	printf '#### %s: ok (%ds)\n' "$name" $((SECONDS - t0))
}

stage "install dependencies" scripts/install-deps.sh
stage "build" scripts/build.sh "$ROOT/build" -DCUSTOMDB_TESTS=ON
stage "unit tests" ctest --test-dir build --output-on-failure
stage "written hashes, checked by other implementations" tests/unit/verify_written.sh build
stage "Roundcube's password plugin hashes, read by customdb" tests/unit/read_roundcube.sh build
stage "unit tests under ASan+UBSan" tests/unit/run-sanitized.sh
stage "module exports and links" tests/check-modules.sh build
stage "fuzz targets (${FUZZ_SECONDS:-10}s each)" tests/fuzz/run.sh "${FUZZ_SECONDS:-10}"
stage "integration" env BUILD="$ROOT/build" tests/integration/run.sh
stage "integration: migrate mode" env BUILD="$ROOT/build" tests/integration/migrate.sh
stage "integration: groups in migrate mode (primary groups, import re-sync, store first)" \
	env BUILD="$ROOT/build" tests/integration/migrate_groups.sh
stage "integration: retiring the legacy database (mode = store)" env BUILD="$ROOT/build" \
	tests/integration/retire.sh
stage "integration and password changes through ODBC (SQLite, PostgreSQL, MariaDB drivers)" \
	env BUILD="$ROOT/build" bash -c 'tests/integration/run.sh odbc-sqlite odbc-postgresql odbc-mysql &&
		tests/integration/passwd.sh odbc-sqlite odbc-postgresql odbc-mysql'
stage "integration: the shared suite with driver = exec and driver = http (SQLite's users)" \
	env BUILD="$ROOT/build" tests/integration/run.sh exec http
stage "integration: the store on PostgreSQL" env BUILD="$ROOT/build" tests/integration/store_pg.sh
stage "integration: groups in the host cache" env BUILD="$ROOT/build" \
	tests/integration/hostcache_groups.sh
stage "integration: a fleet on one PostgreSQL store learns of changes within [store] refresh" \
	env BUILD="$ROOT/build" tests/integration/fleet.sh
stage "integration: password changes, account states" env BUILD="$ROOT/build" \
	tests/integration/passwd.sh
stage "integration: enumeration" env BUILD="$ROOT/build" tests/integration/enumerate.sh
stage "integration: bounds (cache caps, primary gid, enumeration snapshot)" env BUILD="$ROOT/build" \
	tests/integration/bounds.sh
stage "integration: customdb user" env BUILD="$ROOT/build" tests/integration/users.sh
stage "integration: customdb user modify and group (the store as the source of truth)" \
	env BUILD="$ROOT/build" tests/integration/usermod.sh
stage "integration: customdb try writes nothing unless --commit" env BUILD="$ROOT/build" \
	tests/integration/try.sh
stage "integration: driver = http (nginx, a test CA, a Python service)" env BUILD="$ROOT/build" \
	tests/integration/http.sh
stage "integration: bulk import, migrate status, cache, status" env BUILD="$ROOT/build" \
	tests/integration/admin.sh
stage "integration: driver = exec, action scripts (templates, hostile scripts)" \
	env BUILD="$ROOT/build" tests/integration/exec.sh
stage "integration: the state directory and who writes the host cache" env BUILD="$ROOT/build" \
	tests/integration/statedir.sh
stage "integration: readiness and stop told to the service manager (sd_notify)" \
	env BUILD="$ROOT/build" tests/integration/notify.sh
stage "integration: the unit's drop-in for driver = exec (systemd-analyze, capabilities)" \
	env BUILD="$ROOT/build" tests/integration/exec_unit.sh
stage "integration: SIGHUP reloads the config under load, daemon under ASan+UBSan" \
	env BUILD="$ROOT/build" DAEMON="$ROOT/build-asan/customdbd/customdbd" tests/integration/reload.sh
stage "integration: hash cost ceilings, lock markers, long passwords" env BUILD="$ROOT/build" \
	tests/integration/hashcost.sh
stage "integration: application templates (Django, postfixadmin, WordPress, MediaWiki, Redmine)" \
	env BUILD="$ROOT/build" tests/integration/apps.sh
stage "integration: the ASP.NET Membership template on PostgreSQL" env BUILD="$ROOT/build" \
	tests/integration/aspnet.sh
stage "integration: the Keycloak template on PostgreSQL" env BUILD="$ROOT/build" \
	tests/integration/keycloak.sh
stage "integration: the Drupal 7 template on MariaDB" env BUILD="$ROOT/build" tests/integration/drupal7.sh
stage "integration: Gitea's pbkdf2 written back (gitea-pbkdf2)" env BUILD="$ROOT/build" tests/integration/gitea.sh
stage "integration: faults under load (database killed and frozen, disk full, daemon killed)" \
	env BUILD="$ROOT/build" tests/integration/faults.sh
stage "integration (SQLite), every getent, id and NSS probe under valgrind memcheck" \
	env BUILD="$ROOT/build" NSS_VALGRIND=1 tests/integration/run.sh sqlite
stage "integration: a hostile local user (idle connections, floods, log forging)" \
	env BUILD="$ROOT/build" tests/integration/attack.sh
stage "integration, daemon and tool under ASan+UBSan" env BUILD="$ROOT/build" \
	DAEMON="$ROOT/build-asan/customdbd/customdbd" TOOL="$ROOT/build-asan/tools/customdb" \
	tests/integration/run.sh
stage "integration: migrate mode, daemon and tool under ASan+UBSan" env BUILD="$ROOT/build" \
	DAEMON="$ROOT/build-asan/customdbd/customdbd" TOOL="$ROOT/build-asan/tools/customdb" \
	tests/integration/migrate.sh
stage "integration: password changes (SQLite), daemon and tool under ASan+UBSan" \
	env BUILD="$ROOT/build" DAEMON="$ROOT/build-asan/customdbd/customdbd" \
	TOOL="$ROOT/build-asan/tools/customdb" tests/integration/passwd.sh sqlite
stage "integration: enumeration (SQLite), daemon under ASan+UBSan" \
	env BUILD="$ROOT/build" DAEMON="$ROOT/build-asan/customdbd/customdbd" \
	TOOL="$ROOT/build-asan/tools/customdb" tests/integration/enumerate.sh sqlite
stage "integration: customdb user, daemon and tool under ASan+UBSan" \
	env BUILD="$ROOT/build" DAEMON="$ROOT/build-asan/customdbd/customdbd" \
	TOOL="$ROOT/build-asan/tools/customdb" tests/integration/users.sh
stage "integration: uid/gid offsets and case folding, daemon and tool under ASan+UBSan" \
	env BUILD="$ROOT/build" DAEMON="$ROOT/build-asan/customdbd/customdbd" \
	TOOL="$ROOT/build-asan/tools/customdb" tests/integration/namemap.sh
stage "integration: admin (2,000 users), daemon and tool under ASan+UBSan" \
	env BUILD="$ROOT/build" DAEMON="$ROOT/build-asan/customdbd/customdbd" \
	TOOL="$ROOT/build-asan/tools/customdb" ADMIN_USERS=2000 tests/integration/admin.sh
stage "Debian packages: build, lintian, install on a clean Debian 12, purge" \
	tests/package/install.sh
printf '\nall tests passed\n'
