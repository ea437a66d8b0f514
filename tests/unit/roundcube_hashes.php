<?php
// roundcube_hashes.php: hashes made by Roundcube's own password plugin
// (password::hash_password() of plugins/password/password.php), for
// tests/unit/read_roundcube.sh. Bootstraps Roundcube from its installed
// code with a config of its own (ROUNDCUBE_CONFIG_DIR, written by the
// script): no web server, no database (none is opened to hash).
//
// Reads lines "algorithm<TAB>prefix<TAB>dovecot_method<TAB>with_method<TAB>password"
// (prefix: "-" none, "default" Roundcube's own, or the string to use;
// dovecot_method "-" unless algorithm is dovecot; with_method yes/no;
// algorithm may be followed by ",key=number" settings of the plugin, as
// "sha512-crypt,password_crypt_rounds=6000") and writes each line back
// with "<TAB>hash" appended.
//
//   php roundcube_hashes.php ROUNDCUBE_DIR < cases
$dir = rtrim($argv[1], '/') . '/';
define('INSTALL_PATH', $dir);
require_once $dir . 'program/include/clisetup.php';
require_once $dir . 'plugins/password/password.php';

$rc = rcmail::get_instance();
while (($line = fgets(STDIN)) !== false) {
    $line = rtrim($line, "\n");
    if ($line === '' || $line[0] === '#') {
        continue;
    }
    [$algo, $prefix, $method, $with, $pw] = explode("\t", $line, 5);
    $settings = explode(',', $algo);
    $algo = array_shift($settings);
    foreach (['password_crypt_rounds', 'password_blowfish_cost'] as $key) {
        $rc->config->set($key, null);
    }
    foreach ($settings as $kv) {
        [$key, $value] = explode('=', $kv, 2);
        $rc->config->set($key, (int) $value);
    }
    $rc->config->set('password_algorithm', $algo);
    $rc->config->set('password_algorithm_prefix',
        $prefix === '-' ? '' : ($prefix === 'default' ? true : $prefix));
    $rc->config->set('password_dovecotpw', 'doveadm pw');
    $rc->config->set('password_dovecotpw_method', $method === '-' ? null : $method);
    $rc->config->set('password_dovecotpw_with_method', $with === 'yes');
    $hash = password::hash_password($pw);
    if (!is_string($hash) || $hash === '') {
        fwrite(STDERR, "roundcube_hashes: $algo: no hash\n");
        exit(1);
    }
    echo $line, "\t", $hash, "\n";
}
