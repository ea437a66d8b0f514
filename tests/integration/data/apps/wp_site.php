<?php
// wp_site.php WPDIR setup | check USER PASSWORD: a WordPress site's users,
// made and checked by WordPress's own code (apps.sh). WPDIR is WordPress's
// tree, its wp-config.php pointing at the test's database.
//
//   setup   wp_install() (the installer's own function: tables, options,
//           the admin user), then wp_insert_user() for the users apps.sh
//           expects, with their roles
//   check   exit 0 when wp_authenticate() accepts PASSWORD for USER
//           (wp_check_password, as the login form does), else 1
[, $dir, $cmd] = $argv;
$_SERVER['HTTP_HOST'] = 'localhost';
$_SERVER['REQUEST_URI'] = '/';
if ($cmd === 'setup')
	define('WP_INSTALLING', true);
require "$dir/wp-load.php";

if ($cmd === 'setup') {
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	$r = wp_install('customdb test', 'admin', 'admin@example.org', false, '', 'admin-pw');
	if (is_wp_error($r))
		exit(1);
	$users = [
		['alice', 'alice-pw', 'Alice Liddell', 'editor'],
		['bob', 'bob-pw', 'Bob', 'author'],
		['carol', 'carol-pw', 'Carol', ''],          // "No role for this site"
		['dave', 'dave-pw', 'Dave', 'subscriber'],
	];
	foreach ($users as [$login, $pw, $name, $role]) {
		$id = wp_insert_user(['user_login' => $login, 'user_pass' => $pw,
				      'user_email' => "$login@example.org", 'display_name' => $name,
				      'role' => $role]);
		if (is_wp_error($id)) {
			fwrite(STDERR, $id->get_error_message() . "\n");
			exit(1);
		}
	}
	// alice is an author too (WordPress keeps several roles per user)
	get_user_by('login', 'alice')->add_role('author');
	echo "WordPress installed, users made\n";
	exit(0);
}
if ($cmd === 'check') {
	$u = wp_authenticate($argv[3], $argv[4]);
	$ok = !is_wp_error($u);
	echo "wp_authenticate({$argv[3]}): " . ($ok ? 'accepted' : 'refused') . "\n";
	exit($ok ? 0 : 1);
}
exit(2);
