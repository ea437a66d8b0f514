<?php
// verify_with_php.php: check hashes customdb wrote with the PHP
// applications' own algorithms, independently of customdb's C code.
//
// Reads "password<TAB>hash" lines on stdin (split at the last tab; a line's
// "\n" is not part of the password) and checks each hash:
//   $P$ / $H$        phpass CheckPassword() (the public-domain PasswordHash
//                    class, portable hashes, as WordPress and phpBB3 ship it)
//   $wp$2y$...       WordPress 6.8 wp_check_password()
//   $S$, U$...       Drupal 7 user_check_password()
// Each hash must accept its password and refuse the password with one byte
// changed. Prints one line per failure and a summary; exits 1 on any
// failure (or on no input at all), 0 otherwise.
//
// Usage: printf 'secret\t%s\n' "$hash" | php tests/unit/verify_with_php.php

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// phpass encode64(): little-endian groups of 3 bytes, 6 bits a character.
function encode64(string $input, int $count): string
{
	$output = '';
	$i = 0;
	do {
		$value = ord($input[$i++]);
		$output .= ITOA64[$value & 0x3f];
		if ($i < $count)
			$value |= ord($input[$i]) << 8;
		$output .= ITOA64[($value >> 6) & 0x3f];
		if ($i++ >= $count)
			break;
		if ($i < $count)
			$value |= ord($input[$i]) << 16;
		$output .= ITOA64[($value >> 12) & 0x3f];
		if ($i++ >= $count)
			break;
		$output .= ITOA64[($value >> 18) & 0x3f];
	} while ($i < $count);
	return $output;
}

// phpass crypt_private(), with the digest as a parameter for Drupal's
// sha512 variant. Returns the hash, or null where phpass returns '*0'/'*1'.
function portable_crypt(string $algo, string $password, string $setting): ?string
{
	$setting = substr($setting, 0, 12);
	if (strlen($setting) < 12 || $setting[0] !== '$' || $setting[2] !== '$')
		return null;
	$count_log2 = strpos(ITOA64, $setting[3]);
	if ($count_log2 === false || $count_log2 < 7 || $count_log2 > 30)
		return null;
	$count = 1 << $count_log2;
	$salt = substr($setting, 4, 8);
	if (strlen($salt) !== 8)
		return null;
	$hash = hash($algo, $salt . $password, true);
	do {
		$hash = hash($algo, $hash . $password, true);
	} while (--$count);
	return $setting . encode64($hash, strlen($hash));
}

// PasswordHash::CheckPassword() for portable hashes.
function phpass_check(string $password, string $stored): bool
{
	if (strlen($password) > 4096)
		return false;
	$id = substr($stored, 0, 3);
	if ($id !== '$P$' && $id !== '$H$')
		return false;
	$hash = portable_crypt('md5', $password, $stored);
	return $hash !== null && hash_equals($stored, $hash);
}

// WordPress 6.8 wp_check_password() for '$wp' hashes.
function wordpress_check(string $password, string $stored): bool
{
	if (strlen($password) > 4096)
		return false;
	$pre = base64_encode(hash_hmac('sha384', $password, 'wp-sha384', true));
	return password_verify($pre, substr($stored, 3));
}

// Drupal 7 user_check_password().
function drupal_check(string $password, string $stored): bool
{
	if (substr($stored, 0, 2) === 'U$') {
		$stored = substr($stored, 1);
		$password = md5($password);
	}
	if (strlen($password) > 512)
		return false;
	switch (substr($stored, 0, 3)) {
	case '$S$':
		$hash = portable_crypt('sha512', $password, $stored);
		break;
	case '$H$':
	case '$P$':
		$hash = portable_crypt('md5', $password, $stored);
		break;
	default:
		return false;
	}
	return $hash !== null && hash_equals($stored, substr($hash, 0, 55));
}

function check(string $password, string $stored): ?bool
{
	if (str_starts_with($stored, '$wp'))
		return wordpress_check($password, $stored);
	if (str_starts_with($stored, '$S$') || str_starts_with($stored, 'U$'))
		return drupal_check($password, $stored);
	if (str_starts_with($stored, '$P$') || str_starts_with($stored, '$H$'))
		return phpass_check($password, $stored);
	return null;
}

$lines = 0;
$failed = 0;
while (($line = fgets(STDIN)) !== false) {
	if (str_ends_with($line, "\n"))
		$line = substr($line, 0, -1);
	if ($line === '')
		continue;
	$lines++;
	$tab = strrpos($line, "\t");
	if ($tab === false) {
		fwrite(STDERR, "line $lines: no tab\n");
		$failed++;
		continue;
	}
	$password = substr($line, 0, $tab);
	$stored = substr($line, $tab + 1);
	$right = check($password, $stored);
	if ($right === null) {
		fwrite(STDERR, "line $lines: unknown hash form '$stored'\n");
		$failed++;
		continue;
	}
	// the same password with its last byte changed (or a byte added)
	$wrong = $password === '' ? 'x' : substr($password, 0, -1) . chr(ord(substr($password, -1)) ^ 1);
	if (!$right)
		fwrite(STDERR, "line $lines: '$stored' does not accept its password\n");
	if (check($wrong, $stored))
		fwrite(STDERR, "line $lines: '$stored' accepts a wrong password\n");
	if (!$right || check($wrong, $stored))
		$failed++;
}
printf("%d passed, %d failed\n", $lines - $failed, $failed);
exit($failed > 0 || $lines === 0 ? 1 : 0);
