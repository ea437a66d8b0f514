#!/bin/bash
# apps.sh: the application templates of conf/templates/ (issue 16), each
# over the schema the application's own code makes, with users its own code
# makes, through the real daemon, getent, id and pamtester:
#
#   django        Django's migrate + create_user on SQLite
#                 (data/apps/django_site.py); Django's check_password accepts
#                 what a PAM password change wrote, and would not re-hash it
#   postfixadmin  postfixadmin's mailbox table on MariaDB, hashes from
#                 doveadm pw; doveadm pw -t accepts what customdb wrote
#   wordpress     WordPress's wp_install() and wp_insert_user() through
#                 php-cli on MariaDB (data/apps/wp_site.php); roles from
#                 wp_usermeta as groups; wp_check_password accepts the change
#   mediawiki     MediaWiki's install.php on SQLite, users from
#                 createAndPromote.php; groups, blocks (disabled, expires);
#                 MediaWiki's PasswordFactory accepts the change
#
#   tests/integration/apps.sh [APP...]      (default: all)
#
# For each: look-ups by name and id, groups and memberships, enumeration,
# logins right and wrong, account states, a password change by the user
# through PAM that the application then accepts, and the new password
# logging in. Needs python3-django, dovecot-core, mariadb-server, php-cli,
# php-mysql, php-sqlite3, php-mbstring, php-xml, php-intl, and WordPress's
# and MediaWiki's code as scripts/install-deps.sh unpacks them into
# /opt/customdb-test. Runs inside a private mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-apps.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	local p
	for p in "$WORK"/*.pid; do
		[ -e "$p" ] && stop_daemon "$p" KILL
	done
	[ -d "$WORK/maria" ] && maria_stop "$WORK/maria"
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"
SOCK=/run/customdb/socket
LOG=$WORK/daemon.log
TEMPLATES=$ROOT/conf/templates
DATA=$HERE/data/apps
PY=/usr/bin/python3
APPS=("${ENGINES[@]}")
[ "${APPS[*]}" = "sqlite postgresql mysql" ] && APPS=(django postfixadmin wordpress mediawiki)

ns_pam_service customdb-apps "auth required $PAMMOD" "account required $PAMMOD" \
	"password required $PAMMOD"
login() { pam customdb-apps "$1" "$2" authenticate acct_mgmt; }
# chpw UID USER OLD NEW: the user changes their own password through PAM
chpw() {
	printf '%s\n%s\n%s\n' "$3" "$4" "$4" |
		setpriv --reuid="$1" --regid=100 --clear-groups pamtester customdb-apps "$2" chauthtok
}

# app_start TEMPLATE CONNECTION: the template as it ships, with only its
# connection, the socket and the state directory set, and the daemon on it
app_start() {
	sed -e "s|^connection = .*|connection = $2|" \
	    -e "s|^\[customdb\]\$|[customdb]\nsocket = $SOCK\nstate_dir = /run/customdb/state|" \
		"$TEMPLATES/$1" > "$WORK/customdb.conf"
	chmod 600 "$WORK/customdb.conf"
	t_ok "$1: customdb check accepts the template" "$TOOL" -c "$WORK/customdb.conf" check
	start_daemon "$WORK/customdb.conf" "$LOG" "$SOCK" || exit 1
}
app_stop() { stop_daemon "$WORK/daemon.pid"; rm -rf /run/customdb/state; }

# field N: the Nth ':' field of stdin
field() { cut -d: -f"$1"; }

run_django() {
	local db=$WORK/django/db.sqlite3 site=$DATA/django_site.py uid
	t_section "Django: auth_user, auth_group, is_active (django.conf)"
	mkdir -p "$WORK/django"
	"$PY" "$site" "$db" setup || { t_ok "Django's migrate and create_user" false; return; }
	# the template's password_cost is Debian 12's Django's own count
	t_out "the template's password_cost is the installed Django's" \
		"password_cost = $("$PY" "$site" "$db" iterations)" \
		grep '^password_cost' "$TEMPLATES/django.conf"
	app_start django.conf "$db"
	uid=$(getent passwd alice | field 3)
	t_out "getent passwd alice" "alice:x:10001:100:Alice Liddell:/home/alice:/bin/bash" \
		getent passwd alice
	t_out "getent passwd by uid" "bob" bash -c "getent passwd 10002 | cut -d: -f1"
	t_out "getent group editors" "editors:x:20001:alice,bob" getent group editors
	t_out "getent group by gid" "empty" bash -c "getent group 20002 | cut -d: -f1"
	t_grep "id alice: editors" "groups=100\(users\),20001\(editors\)|20001\(editors\)" id alice
	t_grep "enumeration lists every user" "^carol:" getent passwd
	t_grep "enumeration lists the groups" "^empty:" getent group
	t_ok "alice logs in" login alice alice-pw
	t_fail "a wrong password does not" login alice bob-pw
	t_fail "carol (is_active false) does not" login carol carol-pw
	t_fail "an unknown user does not" login nobody-here x
	t_ok "alice changes her password through PAM" chpw "$uid" alice alice-pw "new alice-pw 1"
	t_ok "Django accepts it, and would not re-hash it" \
		"$PY" "$site" "$db" check alice "new alice-pw 1"
	t_fail "Django refuses the old one" "$PY" "$site" "$db" check alice alice-pw
	t_ok "alice logs in with it" login alice "new alice-pw 1"
	t_fail "not with the old one" login alice alice-pw
	app_stop
}

for app in "${APPS[@]}"; do
	case $app in
	django) run_django ;;
	*) echo "apps.sh: unknown application '$app'" >&2; exit 2 ;;
	esac
done
t_summary
