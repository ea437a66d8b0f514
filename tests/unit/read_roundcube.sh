#!/bin/sh
# read_roundcube.sh: every form Roundcube's password plugin writes, made by
# Roundcube's own password::hash_password() (Debian's roundcube-core and
# roundcube-plugins, run by php-cli through roundcube_hashes.php), read by
# customdb: `customdb hash identify` names the family expected, `customdb
# hash verify` accepts the password and refuses another.
#
#   tests/unit/read_roundcube.sh [BUILD_DIR]      (default: build)
#
# Each password_algorithm is tried without password_algorithm_prefix, with
# Roundcube's own prefix (password_algorithm_prefix = true) and, for the
# crypt(3) forms, with "{CRYPT}". Forms Roundcube writes bare that only a
# prefix makes unambiguous (ssha, ssha256, ssha512, smd5, and dovecot
# without password_dovecotpw_with_method) are read with the prefix put back
# by the query, as customdb-templates(5) says: '{SSHA}' || password.
# "ad" is left out: it is the UTF-16LE unicodePwd value written to Active
# Directory over LDAP, not a stored hash.
#
# Needs php-cli, roundcube-core, roundcube-plugins and dovecot-core (its
# doveadm pw, which password_algorithm = dovecot runs). ROUNDCUBE_DIR, else
# /usr/share/roundcube. Exits non-zero on any failure.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
tool=$build/tools/customdb
rcdir=${ROUNDCUBE_DIR:-/usr/share/roundcube}

for need in "$tool" "$rcdir/plugins/password/password.php" /usr/bin/php /usr/bin/doveadm; do
	if [ ! -e "$need" ]; then
		echo "read_roundcube: $need missing" >&2
		exit 1
	fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Roundcube's config: its defaults, a database it never opens here, logs
# and temporary files in the work directory.
mkdir "$work/rc"
cp "${ROUNDCUBE_DEFAULTS:-/etc/roundcube/defaults.inc.php}" "$work/rc/defaults.inc.php"
cat > "$work/rc/config.inc.php" <<EOF
<?php
\$config = [];
\$config['db_dsnw'] = 'sqlite:///$work/rc/unused.db?mode=0600';
\$config['log_driver'] = 'stdout';
\$config['temp_dir'] = '$work/rc';
\$config['log_dir'] = '$work/rc';
EOF

# customdb's: the by-name schemes Roundcube's bare forms need; BSDi DES
# rounds up to what Roundcube's ext-des-crypt may write (see below).
cat > "$work/customdb.conf" <<EOF
[customdb]
hash_max_rounds = 16777215
[legacy]
driver = sqlite
connection = $work/unused.db
password_scheme_read = nt-hash, md5-base64, sha1-base64, dovecot-plain, plaintext
[queries]
get_user = SELECT 1
login = SELECT 1
EOF
chmod 600 "$work/customdb.conf"

pw1='rc-secret'
pw2='Roundcube pässword'
pw3='p@ss w0rd!'

# algorithm (and settings: roundcube_hashes.php), prefix (- / default /
# text), dovecot method, with_method;
# the family customdb must name; what the query puts before the hash (-).
cases() {
	cat <<'EOF'
clear	-	-	no	plaintext	-
des-crypt	-	-	no	des	-
des-crypt	default	-	no	ldap-crypt	-
md5-crypt	-	-	no	md5crypt	-
md5-crypt	default	-	no	dovecot-md5-crypt	-
md5-crypt	{CRYPT}	-	no	ldap-crypt	-
sha256-crypt	-	-	no	sha256crypt	-
sha256-crypt	default	-	no	dovecot-sha256-crypt	-
sha512-crypt	-	-	no	sha512crypt	-
sha512-crypt	default	-	no	dovecot-sha512-crypt	-
sha512-crypt	{CRYPT}	-	no	ldap-crypt	-
sha256-crypt,password_crypt_rounds=6000	default	-	no	dovecot-sha256-crypt	-
sha512-crypt,password_crypt_rounds=7000	-	-	no	sha512crypt	-
blowfish-crypt	-	-	no	bcrypt	-
blowfish-crypt	default	-	no	dovecot-blf-crypt	-
blowfish-crypt,password_blowfish_cost=5	-	-	no	bcrypt	-
md5	-	-	no	md5-base64	-
md5	default	-	no	ldap-md5	-
sha	-	-	no	sha1-base64	-
sha	default	-	no	ldap-sha	-
ssha	-	-	no	ldap-ssha	{SSHA}
ssha	default	-	no	ldap-ssha	-
ssha256	default	-	no	ldap-ssha256	-
ssha256	-	-	no	ldap-ssha256	{SSHA256}
ssha512	default	-	no	ldap-ssha512	-
smd5	default	-	no	ldap-smd5	-
smd5	-	-	no	ldap-smd5	{SMD5}
samba	-	-	no	nt-hash	-
samba	default	-	no	nt-hash	-
hash-bcrypt	-	-	no	bcrypt	-
hash-bcrypt	default	-	no	dovecot-blf-crypt	-
hash-bcrypt	{CRYPT}	-	no	ldap-crypt	-
hash-argon2i	-	-	no	argon2i	-
hash-argon2i	default	-	no	dovecot-argon2i	-
hash-argon2id	-	-	no	argon2id	-
hash-argon2id	default	-	no	dovecot-argon2id	-
dovecot	-	CRAM-MD5	yes	dovecot-cram-md5	-
dovecot	-	CRAM-MD5	no	dovecot-cram-md5	{CRAM-MD5}
dovecot	-	SHA512-CRYPT	yes	dovecot-sha512-crypt	-
dovecot	-	SHA512-CRYPT	no	sha512crypt	-
dovecot	-	BLF-CRYPT	yes	dovecot-blf-crypt	-
dovecot	-	SSHA512	yes	ldap-ssha512	-
dovecot	-	SHA1	yes	dovecot-sha1	-
dovecot	-	SHA256.HEX	yes	dovecot-sha256	-
dovecot	-	PLAIN-MD4	yes	dovecot-plain-md4	-
dovecot	-	PLAIN-MD5	no	dovecot-plain-md5	{PLAIN-MD5}
dovecot	-	LDAP-MD5	yes	dovecot-ldap-md5	-
dovecot	-	DES-CRYPT	yes	dovecot-des-crypt	-
dovecot	-	ARGON2ID	yes	dovecot-argon2id	-
dovecot	-	PBKDF2	yes	dovecot-pbkdf2	-
dovecot	-	SCRAM-SHA-256	yes	dovecot-scram-sha-256	-
dovecot	-	CLEARTEXT	yes	dovecot-plain	-
EOF
}

# Every case with each password; ext-des-crypt with one: Roundcube's
# salt is '_' and 8 random letters or digits, whose first four are the
# rounds, from 524,288 to 16,777,215 (over hash_max_rounds = 1000000 in
# 97 cases of 100), each verification taking seconds.
{
	cases | while IFS='	' read -r algo prefix method with family sqlpre; do
		for pw in "$pw1" "$pw2" "$pw3"; do
			printf '%s\t%s\t%s\t%s\t%s\n' "$algo" "$prefix" "$method" "$with" "$pw"
		done
	done
	printf 'ext-des-crypt\t-\t-\tno\t%s\n' "$pw1"
	printf 'ext-des-crypt\tdefault\t-\tno\t%s\n' "$pw2"
} > "$work/in"
ROUNDCUBE_CONFIG_DIR=$work/rc php "$here/roundcube_hashes.php" "$rcdir" < "$work/in" > "$work/out"

n=0
bad=0
fail() {
	echo "read_roundcube: $*" >&2
	bad=$((bad + 1))
}
while IFS='	' read -r algo prefix method with pw hash; do
	case $algo in
	ext-des-crypt)
		[ "$prefix" = default ] && family=ldap-crypt || family=bsdi-des
		sqlpre=- ;;
	*)
		line=$(cases | awk -F'\t' -v a="$algo" -v p="$prefix" -v m="$method" -v w="$with" \
			'$1 == a && $2 == p && $3 == m && $4 == w { print $5 "\t" $6 }')
		family=${line%%	*}
		sqlpre=${line#*	} ;;
	esac
	[ "$sqlpre" = - ] && stored=$hash || stored=$sqlpre$hash
	what="$algo (prefix $prefix${method#-}, with_method $with) '$pw'"
	n=$((n + 1))
	# the settings reached the hash
	case $algo in
	*password_crypt_rounds=*)
		case $hash in *"rounds=${algo##*=}\$"*) ;; *) fail "$what: $hash: rounds not set" ;; esac ;;
	*password_blowfish_cost=*)
		case $hash in *"\$2y\$0${algo##*=}\$"*) ;; *) fail "$what: $hash: cost not set" ;; esac ;;
	esac
	got=$("$tool" -c "$work/customdb.conf" hash identify "$stored" | sed -n 's/^format: //p')
	if [ "$got" != "$family" ]; then
		fail "$what: $stored: identified as '$got', not $family"
		continue
	fi
	printf '%s' "$pw" | "$tool" -c "$work/customdb.conf" hash verify "$stored" >/dev/null ||
		fail "$what: $stored: the right password refused"
	if printf '%s' "x$pw" | "$tool" -c "$work/customdb.conf" hash verify "$stored" >/dev/null; then
		fail "$what: $stored: a wrong password accepted"
	fi
done < "$work/out"

echo "read_roundcube: $((n - bad)) of $n Roundcube hashes read and verified"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
