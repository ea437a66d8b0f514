<?php
// pfa_login.php PFADIR USER PASSWORD: exit 0 when postfixadmin's own
// Login::login (pacrypt, through doveadm pw for dovecot: schemes) accepts
// PASSWORD for the mailbox USER, else 1. Used by apps.sh.
define('POSTFIXADMIN_CLI', 1);
[, $dir, $user, $pw] = $argv;
chdir($dir);
require "$dir/common.php";
$login = new Login('mailbox');
$ok = $login->login($user, $pw);
echo "postfixadmin Login::login($user): " . ($ok ? "accepted" : "refused") . "\n";
exit($ok ? 0 : 1);
