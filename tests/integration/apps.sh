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
#                 createAndPromote.php and blockUsers.php; groups, blocks,
#                 names with spaces; MediaWiki's own password login accepts
#                 the change (data/apps/mw_check.php)
#   redmine       Redmine's migrations (rake db:migrate) on SQLite, users
#                 and groups from its models (data/apps/redmine_site.rb);
#                 User.try_to_login accepts the change, salt column and all
#
#   tests/integration/apps.sh [APP...]      (default: all)
#
# For each: look-ups by name and id, groups and memberships, enumeration,
# logins right and wrong, account states, a password change by the user
# through PAM that the application then accepts, and the new password
# logging in. Needs python3-django, dovecot-core, mariadb-server, php-cli,
# php-mysql, php-sqlite3, php-mbstring, php-xml, php-intl, redmine with
# redmine-sqlite, and the code of
# postfixadmin, WordPress and MediaWiki (with mediawiki-classes), installed
# or as scripts/install-deps.sh unpacks Debian's packages into
# /opt/customdb-test (the packages would pull in a web server). Runs inside
# a private mount namespace (lib/ns.sh); about 100 s, half of it Redmine's.
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
	mountpoint -q "$WORK/redmine-db" && umount "$WORK/redmine-db"
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"
TEMPLATES=$ROOT/conf/templates
DATA=$HERE/data/apps
PY=/usr/bin/python3
APPS=("${ENGINES[@]}")
[ "${APPS[*]}" = "sqlite postgresql mysql" ] && APPS=(django postfixadmin wordpress mediawiki redmine)

ns_pam_service customdb-apps "auth required $PAMMOD" "account required $PAMMOD" \
	"password required $PAMMOD"
login() { pam customdb-apps "$1" "$2" authenticate acct_mgmt; }
# chpw UID USER OLD NEW: the user changes their own password through PAM
chpw() { pam_chpw customdb-apps "$@"; }

# app_start TEMPLATE CONNECTION [SED]: the template as it ships, with only
# its connection set, and the daemon on it (lib/daemon.sh)
app_start() { template_start "$@" || exit 1; }
# app_start_maria TEMPLATE: app_start on the MariaDB of maria_up
app_start_maria() {
	app_start "$1" "$(maria_conninfo "$WORK/maria")"
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

# maria_up: one MariaDB for the applications that want it (legacy db)
maria_up() {
	[ -S "$WORK/maria/mysql.sock" ] && return 0
	maria_start "$WORK/maria" || exit 1
	printf 'legacy-secret\n' > "$WORK/legacy.secret"
	chmod 600 "$WORK/legacy.secret"
}

# postfixadmin's tree: installed, else unpacked by install-deps.sh
[ -e "/usr/share/postfixadmin/public/upgrade.php" ] && PFA_SRC=${PFA_SRC:-/}
PFA_SRC=${PFA_SRC:-/opt/customdb-test/postfixadmin}

# pfa CMD...: postfixadmin's own command-line tool
pfa() { (cd "$WORK/pfa" && php scripts/postfixadmin-cli.php "$@") >>"$WORK/pfa.log" 2>&1; }

run_postfixadmin() {
	local p=$WORK/pfa uid
	t_section "postfixadmin: mailbox, domain, active, password_expiry (postfixadmin.conf)"
	maria_up
	# postfixadmin's tree as Debian ships it, its config pointing at our server
	cp -a "$PFA_SRC/usr/share/postfixadmin" "$p"
	rm -f "$p/config.inc.php" "$p/config.local.php" "$p/templates_c"
	cp "$PFA_SRC/etc/postfixadmin/config.inc.php" "$p/"
	mkdir "$p/templates_c"
	printf '<?php\n$dbtype = "mysqli"; $dbuser = "root"; $dbpass = ""; $dbname = "legacy";\n' \
		> "$p/dbconfig.inc.php"
	cat > "$p/config.local.php" <<X
<?php
\$CONF['database_socket'] = '$WORK/maria/mysql.sock';
\$CONF['encrypt'] = 'dovecot:SHA512-CRYPT';
\$CONF['dovecotpw'] = '/usr/bin/doveadm pw';
\$CONF['emailcheck_resolve_domain'] = 'NO';
X
	# its own schema (upgrade.php), then ours, then its own users
	(cd "$p/public" && php -r 'define("POSTFIXADMIN_CLI", 1); require "upgrade.php";') \
		>"$WORK/pfa.log" 2>&1
	t_ok "postfixadmin's upgrade.php makes its tables" maria_sql "$WORK/maria" "SELECT 1 FROM mailbox"
	t_ok "postfixadmin.sql runs over them" maria_sql "$WORK/maria" < "$TEMPLATES/postfixadmin.sql"
	pfa domain add example.org --description org --aliases 0 --mailboxes 0
	pfa domain add example.net --description net --aliases 0 --mailboxes 0
	pfa mailbox add alice@example.org --password alice-pw-12 --password2 alice-pw-12 --name "Alice Liddell"
	pfa mailbox add bob@example.org --password bob-pw-12 --password2 bob-pw-12 --name Bob
	pfa mailbox add carol@example.org --password carol-pw-12 --password2 carol-pw-12 --name Carol
	pfa mailbox add dave@example.org --password dave-pw-12 --password2 dave-pw-12 --name Dave
	pfa mailbox add erin@example.net --password erin-pw-12 --password2 erin-pw-12 --name Erin
	pfa mailbox update carol@example.org --active 0
	pfa domain update example.net --active 0
	# dave's password expired a year ago (postfixadmin's mail would have said)
	maria_sql "$WORK/maria" "UPDATE mailbox SET password_expiry = NOW() - INTERVAL 1 YEAR
		WHERE username = 'dave@example.org';
		GRANT UPDATE ON legacy.mailbox TO 'customdb'@'localhost'"
	t_out "postfixadmin made the users, carol and example.net inactive" \
		"carol@example.org 0 1|erin@example.net 1 0" bash -c "$(declare -f maria_sql _maria_client _srv_dir)
		maria_sql '$WORK/maria' \"SELECT m.username, m.active, d.active FROM mailbox m
		JOIN domain d ON d.domain = m.domain WHERE m.active = 0 OR d.active = 0
		ORDER BY 1\" | tr '\t\n' ' |' | sed 's/|\$//'"
	app_start_maria postfixadmin.conf
	uid=$(getent passwd alice@example.org | field 3)
	t_out "getent passwd alice@example.org" \
		"alice@example.org:x:10001:100:Alice Liddell:/home/alice@example.org:/bin/bash" \
		getent passwd alice@example.org
	t_out "getent passwd by uid" "erin@example.net" bash -c "getent passwd 10005 | cut -d: -f1"
	t_out "a domain is a group of its mailboxes" \
		"example.org:x:20001:alice@example.org,bob@example.org,carol@example.org,dave@example.org" \
		getent group example.org
	t_out "getent group by gid" "example.net" bash -c "getent group 20002 | cut -d: -f1"
	t_grep "id bob@example.org" "20001\(example.org\)" id bob@example.org
	t_grep "enumeration lists the mailboxes" "^erin@example.net:" getent passwd
	t_ok "alice logs in" login alice@example.org alice-pw-12
	t_fail "a wrong password does not" login alice@example.org bob-pw-12
	t_fail "carol (mailbox inactive) does not" login carol@example.org carol-pw-12
	t_fail "erin (domain inactive) does not" login erin@example.net erin-pw-12
	t_rc "dave (password expired) must change it" 1 "new one required" \
		login dave@example.org dave-pw-12
	t_ok "alice changes her password through PAM" \
		chpw "$uid" alice@example.org alice-pw-12 "new alice-pw-34"
	t_ok "postfixadmin's own login accepts it" \
		php "$DATA/pfa_login.php" "$p" alice@example.org "new alice-pw-34"
	t_fail "and refuses the old one" php "$DATA/pfa_login.php" "$p" alice@example.org alice-pw-12
	t_ok "doveadm pw -t accepts the stored hash" bash -c "doveadm pw -t \"\$(
		$(declare -f maria_sql _maria_client _srv_dir); maria_sql '$WORK/maria' \
		\"SELECT password FROM mailbox WHERE username = 'alice@example.org'\")\" -p 'new alice-pw-34'"
	t_ok "alice logs in with it" login alice@example.org "new alice-pw-34"
	t_ok "dave changes his expired password" \
		chpw 10004 dave@example.org dave-pw-12 "new dave-pw-56"
	t_ok "then logs in: the expiry moved on, as postfixadmin moves it" \
		login dave@example.org "new dave-pw-56"
	t_ok "postfixadmin accepts dave's" php "$DATA/pfa_login.php" "$p" dave@example.org "new dave-pw-56"
	app_stop
}

# wordpress's tree: installed, else unpacked by install-deps.sh
[ -e "/usr/share/wordpress/wp-admin/install.php" ] && WP_SRC=${WP_SRC:-/}
WP_SRC=${WP_SRC:-/opt/customdb-test/wordpress}

run_wordpress() {
	local wp=$WP_SRC/usr/share/wordpress site=$DATA/wp_site.php uid
	t_section "WordPress: wp_users, roles from wp_usermeta (wordpress.conf)"
	maria_up
	mkdir -p "$WORK/wp-content"
	# Debian's wp-config.php reads /etc/wordpress/config-HOST.php: in this
	# namespace only, one of ours is bound over it
	cat > "$WORK/wp-config.php" <<X
<?php
define('DB_NAME', 'legacy'); define('DB_USER', 'root'); define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:$WORK/maria/mysql.sock');
define('DB_CHARSET', 'utf8mb4'); define('DB_COLLATE', '');
\$table_prefix = 'wp_';
define('WP_CONTENT_DIR', '$WORK/wp-content');
if (!defined('ABSPATH')) define('ABSPATH', '$wp/');
require_once ABSPATH . 'wp-settings.php';
X
	mount --bind "$WORK/wp-config.php" "$wp/wp-config.php"
	t_ok "WordPress's wp_install and wp_insert_user" php "$site" "$wp" setup
	maria_sql "$WORK/maria" "GRANT UPDATE ON legacy.wp_users TO 'customdb'@'localhost'"
	app_start_maria wordpress.conf
	uid=$(getent passwd alice | field 3)
	t_out "getent passwd alice" "alice:x:10002:100:Alice Liddell:/home/alice:/bin/bash" \
		getent passwd alice
	t_out "getent passwd by uid" "bob" bash -c "getent passwd 10003 | cut -d: -f1"
	t_out "roles are groups: wp-author" "wp-author:x:20003:alice,bob" getent group wp-author
	t_out "getent group by gid" "wp-editor:x:20002:alice" getent group 20002
	t_out "a role nobody has" "wp-contributor:x:20004:" getent group wp-contributor
	t_grep "id alice: both her roles" "20002\(wp-editor\),20003\(wp-author\)" id alice
	t_out "Alice is alice (the collation matches; case_sensitive = false)" \
		"alice:x:10002:100:Alice Liddell:/home/alice:/bin/bash" getent passwd Alice
	t_ok "ALICE logs in as alice" login ALICE alice-pw
	t_grep "enumeration lists the users" "^carol:" getent passwd
	t_grep "enumeration lists the roles" "^wp-subscriber:x:20005:dave" getent group
	t_ok "alice logs in" login alice alice-pw
	t_fail "a wrong password does not" login alice bob-pw
	t_fail "carol (no role on the site) does not" login carol carol-pw
	t_ok "dave (subscriber) does" login dave dave-pw
	t_ok "WordPress's own login takes carol's password (no role is customdb's rule)" \
		php "$site" "$wp" check carol carol-pw
	t_ok "alice changes her password through PAM" chpw "$uid" alice alice-pw "new alice-pw 1"
	t_ok "WordPress's wp_authenticate accepts it" php "$site" "$wp" check alice "new alice-pw 1"
	t_fail "and refuses the old one" php "$site" "$wp" check alice alice-pw
	t_ok "alice logs in with it" login alice "new alice-pw 1"
	umount "$wp/wp-config.php"
	app_stop
}

# mediawiki's tree: installed, else unpacked by install-deps.sh
[ -e "/usr/share/mediawiki/maintenance/install.php" ] && MW_SRC=${MW_SRC:-/}
MW_SRC=${MW_SRC:-/opt/customdb-test/mediawiki}

# mw SCRIPT ARGS...: one of MediaWiki's maintenance scripts on the test wiki
mw() {
	(cd "$MW_SRC/usr/share/mediawiki" &&
		MW_INSTALL_PATH=$PWD php "$@" --conf "$WORK/mw/LocalSettings.php") >>"$WORK/mw.log" 2>&1
}

run_mediawiki() {
	local db=$WORK/mw/data/wiki.sqlite uid old
	t_section "MediaWiki: user, user_groups, ipblocks, names with spaces (mediawiki.conf)"
	mkdir -p "$WORK/mw/data"
	(cd "$MW_SRC/usr/share/mediawiki" && php maintenance/install.php --dbtype sqlite \
		--dbpath "$WORK/mw/data" --dbname wiki --confpath "$WORK/mw" \
		--pass Admin-secret-1 --server http://localhost --scriptpath /wiki \
		"customdb test" Admin) >"$WORK/mw.log" 2>&1
	t_ok "MediaWiki's install.php made the wiki" test -s "$db"
	mw maintenance/createAndPromote.php Alice Alice-secret-1
	mw maintenance/createAndPromote.php --bot "Mary Ann" Mary-secret-1
	mw maintenance/createAndPromote.php Carol Carol-secret-1
	mw maintenance/createAndPromote.php Dave Dave-secret-1
	mw maintenance/createAndPromote.php Erin Erin-secret-1
	mw maintenance/createAndPromote.php Frank Frank-secret-1
	printf 'Carol\n' | mw maintenance/blockUsers.php --performer Admin --reason test --expiry infinite
	printf 'Dave\n' | mw maintenance/blockUsers.php --performer Admin --reason test --expiry "1 year"
	printf 'Erin\n' | mw maintenance/blockUsers.php --performer Admin --reason test --expiry "1 year"
	# Erin's block has run out, and Frank's password (the admin's settings
	# would have set these; MediaWiki keeps an expired block until purged)
	sqlite3 "$db" "UPDATE ipblocks SET ipb_expiry = '20010101000000' WHERE ipb_address = 'Erin';
		UPDATE user SET user_password_expires = '20010101000000' WHERE user_name = 'Frank'"
	app_start mediawiki.conf "$db"
	uid=$(getent passwd Alice | field 3)
	t_out "getent passwd Alice" "Alice:x:10003:100::/home/Alice:/bin/bash" getent passwd Alice
	t_out "\"Mary Ann\" is Mary_Ann" "Mary_Ann:10004" bash -c "getent passwd Mary_Ann | cut -d: -f1,3"
	t_out "and so by uid" "Mary_Ann" bash -c "getent passwd 10004 | cut -d: -f1"
	t_out "groups: mw-sysop" "mw-sysop:x:20001:Admin" getent group mw-sysop
	t_out "mw-bot by gid, its member's name mapped" "mw-bot:x:20004:Mary_Ann" getent group 20004
	t_grep "id Admin: three groups" "20001\(mw-sysop\),20002\(mw-bureaucrat\),20003\(mw-interface-admin\)" id Admin
	t_grep "enumeration lists the users" "^Mary_Ann:" getent passwd
	t_grep "enumeration lists the groups" "^mw-bureaucrat:" getent group
	t_ok "Alice logs in" login Alice Alice-secret-1
	t_fail "a wrong password does not" login Alice Carol-secret-1
	t_ok "Mary_Ann logs in" login Mary_Ann Mary-secret-1
	t_fail "Mary Ann (with the space) is no Linux name" getent passwd "Mary Ann"
	t_fail "Carol (blocked for good) does not" login Carol Carol-secret-1
	t_fail "Dave (blocked for a year) does not" login Dave Dave-secret-1
	t_ok "Erin (her block ran out) does" login Erin Erin-secret-1
	t_rc "Frank (password expired) must change it" 1 "new one required" \
		login Frank Frank-secret-1
	t_ok "Alice changes her password through PAM" chpw "$uid" Alice Alice-secret-1 "new Alice-pw 1"
	t_ok "MediaWiki's own login accepts it" mw "$DATA/mw_check.php" Alice "new Alice-pw 1"
	t_fail "and refuses the old one" mw "$DATA/mw_check.php" Alice Alice-secret-1
	t_ok "Alice logs in with it" login Alice "new Alice-pw 1"
	t_ok "Mary_Ann changes hers" chpw 10004 Mary_Ann Mary-secret-1 "new Mary-pw 2"
	t_ok "MediaWiki accepts it for \"Mary Ann\"" mw "$DATA/mw_check.php" "Mary Ann" "new Mary-pw 2"
	t_ok "Frank changes his expired one" chpw 10008 Frank Frank-secret-1 "new Frank-pw 3"
	t_ok "then logs in" login Frank "new Frank-pw 3"
	# a very old wiki's bare md5(user_id-md5(password)), which MediaWiki
	# reads as :B:user_id:... (Erin is user 7)
	old=$(printf %s "7-$(printf %s 'Old-pw-1' | md5sum | cut -c1-32)" | md5sum | cut -c1-32)
	sqlite3 "$db" "UPDATE user SET user_password = '$old' WHERE user_name = 'Erin'"
	t_ok "a bare md5 of a very old wiki: MediaWiki takes it" \
		mw "$DATA/mw_check.php" Erin Old-pw-1
	t_ok "and so does customdb" login Erin Old-pw-1
	t_fail "not with another password" login Erin Old-pw-2
	app_stop
}

# rails_runner SCRIPT ARGS...: Redmine's own models, on the test's instance
rails_runner() {
	(cd /usr/share/redmine && REDMINE_INSTANCE=customdbtest RAILS_ENV=production \
		rails runner "$@")
}

run_redmine() {
	local lib=$WORK/redmine-lib db=$WORK/redmine-db uid
	t_section "Redmine: users, groups_users, status, must_change_passwd (redmine.conf)"
	# a Redmine instance of our own (Debian's multi-instance layout), in
	# this namespace only; the database on a tmpfs: the migrations fsync
	mkdir -p "$lib/customdbtest/config" "$lib/customdbtest/log" "$lib/customdbtest/tmp" \
		"$lib/customdbtest/files" "$db"
	mount -t tmpfs -o mode=0755 customdb-test-redmine "$db"
	cp /var/lib/redmine/Gemfile.lock "$lib/"
	printf 'production:\n  adapter: sqlite3\n  database: %s\n  encoding: utf8\n' \
		"$db/redmine.sqlite3" > "$lib/customdbtest/config/database.yml"
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$lib/customdbtest/config/secret_key.txt"
	mount --bind "$lib" /var/lib/redmine
	(cd /usr/share/redmine && REDMINE_INSTANCE=customdbtest RAILS_ENV=production \
		rake db:migrate) >"$WORK/redmine.log" 2>&1
	t_ok "Redmine's migrations and models made the users" \
		rails_runner "$DATA/redmine_site.rb" setup
	app_start redmine.conf "$db/redmine.sqlite3"
	uid=$(getent passwd alice | field 3)
	t_grep "getent passwd alice" "^alice:x:100[0-9][0-9]:100:Alice Liddell:/home/alice:/bin/bash\$" \
		getent passwd alice
	t_out "getent passwd by uid" "alice" bash -c "getent passwd $uid | cut -d: -f1"
	t_grep "\"Dev Team\" is Dev_Team" "^Dev_Team:x:200[0-9][0-9]:alice,bob\$" getent group Dev_Team
	t_grep "and so by gid" "^Dev_Team:" getent group "$(getent group Dev_Team | field 3)"
	t_grep "id alice: both groups" "\(Dev_Team\).*\(ops\)|\(ops\).*\(Dev_Team\)" id alice
	t_grep "enumeration lists the users" "^carol:" getent passwd
	t_nogrep "and no group or built-in user as a user" "^(Dev_Team|ops|Anonymous):" getent passwd
	t_ok "alice logs in" login alice alice-pw-1
	t_fail "a wrong password does not" login alice bob-pw-12
	t_fail "carol (locked) does not" login carol carol-pw-1
	t_rc "dave (must_change_passwd) must change it" 1 "new one required" login dave dave-pw-12
	t_ok "alice changes her password through PAM" chpw "$uid" alice alice-pw-1 "new alice-pw-2"
	t_ok "dave changes his" chpw "$(getent passwd dave | field 3)" dave dave-pw-12 "new dave-pw-3"
	t_ok "dave logs in then" login dave "new dave-pw-3"
	t_ok "Redmine's own login (User.try_to_login) accepts both, not the old ones" \
		rails_runner "$DATA/redmine_site.rb" check <<X
alice	new alice-pw-2	yes
alice	alice-pw-1	no
dave	new dave-pw-3	yes
dave	dave-pw-12	no
bob	bob-pw-12	yes
X
	app_stop
	umount /var/lib/redmine "$db"
}

for app in "${APPS[@]}"; do
	case $app in
	django) run_django ;;
	postfixadmin) run_postfixadmin ;;
	wordpress) run_wordpress ;;
	mediawiki) run_mediawiki ;;
	redmine) run_redmine ;;
	*) echo "apps.sh: unknown application '$app'" >&2; exit 2 ;;
	esac
done
t_summary
