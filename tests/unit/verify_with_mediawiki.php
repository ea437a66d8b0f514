<?php
// verify_with_mediawiki.php: MediaWiki's own password classes
// (includes/password/ of MediaWiki 1.39: Pbkdf2Password, MWSaltedPassword,
// MWOldPassword, PasswordFactory), run outside a wiki.
//
//   php verify_with_mediawiki.php check          < "password<TAB>hash" lines
//   php verify_with_mediawiki.php make TYPE      < one password a line
//
// check: each hash must accept its password (PasswordFactory::
// newFromCiphertext()->verify()) and refuse it with its last byte changed;
// prints a summary, exits 1 on any failure or no input. make: prints
// "password<TAB>hash" made by newFromPlaintext() with TYPE (pbkdf2 or B) as
// the wiki's default type, with $wgPasswordConfig's 1.39 defaults.
//
// MEDIAWIKI_DIR is the MediaWiki tree (default /usr/share/mediawiki, from
// Debian's mediawiki package; `apt-get download mediawiki` and dpkg-deb -x
// give one without installing a web server). Two classes from elsewhere in
// MediaWiki the password classes name are stood in for: MWException (a base
// class of PasswordError) and MWCryptRand::generateHex (the :B: salt).

$dir = getenv('MEDIAWIKI_DIR') ?: '/usr/share/mediawiki';
if (!is_file("$dir/includes/password/Pbkdf2Password.php")) {
	fwrite(STDERR, "verify_with_mediawiki: no MediaWiki in $dir (set MEDIAWIKI_DIR)\n");
	exit(2);
}
if (!class_exists('MWException')) {
	class MWException extends Exception {}
}
if (!class_exists('MWCryptRand')) {
	class MWCryptRand {
		public static function generateHex(int $chars): string
		{
			return substr(bin2hex(random_bytes(intdiv($chars + 1, 2))), 0, $chars);
		}
	}
}
foreach (['PasswordError', 'Password', 'ParameterizedPassword', 'Pbkdf2Password',
	  'MWSaltedPassword', 'MWOldPassword', 'InvalidPassword', 'PasswordFactory'] as $c)
	require_once "$dir/includes/password/$c.php";

$mode = $argv[1] ?? '';
$types = [
	'pbkdf2' => ['class' => Pbkdf2Password::class, 'algo' => 'sha512', 'cost' => '30000',
		     'length' => '64'],
	'B' => ['class' => MWSaltedPassword::class],
	'A' => ['class' => MWOldPassword::class],
];
$factory = new PasswordFactory($types, $mode === 'make' ? ($argv[2] ?? 'pbkdf2') : 'pbkdf2');

if ($mode === 'make') {
	while (($line = fgets(STDIN)) !== false) {
		$pw = rtrim($line, "\n");
		echo $pw, "\t", $factory->newFromPlaintext($pw)->toString(), "\n";
	}
	exit(0);
}
if ($mode !== 'check') {
	fwrite(STDERR, "usage: verify_with_mediawiki.php check|make TYPE\n");
	exit(2);
}
$lines = 0;
$failed = 0;
while (($line = fgets(STDIN)) !== false) {
	$line = rtrim($line, "\n");
	if ($line === '')
		continue;
	$lines++;
	$tab = strrpos($line, "\t");
	$pw = substr($line, 0, $tab);
	$hash = substr($line, $tab + 1);
	$wrong = $pw === '' ? 'x' : substr($pw, 0, -1) . chr(ord(substr($pw, -1)) ^ 1);
	$p = $factory->newFromCiphertext($hash);
	if (!$p->verify($pw) || $p->verify($wrong)) {
		fwrite(STDERR, "line $lines: MediaWiki refused '$hash' or took a wrong password\n");
		$failed++;
	}
}
printf("mediawiki (MediaWiki's PasswordFactory): %d passed, %d failed\n", $lines - $failed, $failed);
exit($failed > 0 || $lines === 0 ? 1 : 0);
