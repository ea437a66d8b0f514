/* hash_crypt.c: the crypt(3) families, through libxcrypt's crypt_rn.
 *
 * libxcrypt is already on every host and is what pam_unix uses; it reads the
 * prefix and parameters itself. We only check the form before handing the
 * string over, and compare the result in constant time. */
#include "hash.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"

static bool is_b64(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '/';
}

/* Every byte after the prefix is a crypt base64 character or '$', ',' '='
 * (parameters such as rounds=5000$ use '='). */
static bool crypt_charset(const char *s)
{
	for (; *s != '\0'; s++)
		if (!is_b64(*s) && *s != '$' && *s != '=' && *s != ',')
			return false;
	return true;
}

static int crypt_verify(const char *stored, const char *password, size_t pwlen)
{
	struct crypt_data *cd;
	const char *out;
	char *pw;
	size_t slen = strlen(stored);
	int rc = HASH_UNUSABLE;

	(void)pwlen;
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return HASH_UNUSABLE;
	pw = (char *)password;
	out = crypt_rn(pw, stored, cd, (int)sizeof(*cd));
	/* libxcrypt returns NULL or a string starting with '*' on failure. */
	if (out == NULL || out[0] == '*')
		goto out;
	/* crypt echoes the setting and appends a hash of fixed length: any
	 * other length means the stored string was cut (a narrow column) */
	if (strlen(out) != slen)
		goto out;
	rc = hash_equal(out, stored, slen) ? HASH_MATCH : HASH_MISMATCH;
out:
	secret_wipe(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/* $2a$ $2b$ $2y$: two-digit cost 04..31, then 53 characters. */
static bool bcrypt_identify(const char *s)
{
	if (strncmp(s, "$2a$", 4) != 0 && strncmp(s, "$2b$", 4) != 0 &&
	    strncmp(s, "$2y$", 4) != 0)
		return false;
	return strlen(s) == 60 && s[4] >= '0' && s[4] <= '3' && s[5] >= '0' && s[5] <= '9' &&
	       s[6] == '$' && crypt_charset(s + 7);
}

static bool prefixed(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 && strlen(s) > n + 2 && crypt_charset(s + n) &&
	       strchr(s + n, '$') != NULL;
}

static bool sha512crypt_identify(const char *s) { return prefixed(s, "$6$"); }
static bool sha256crypt_identify(const char *s) { return prefixed(s, "$5$"); }
static bool md5crypt_identify(const char *s) { return prefixed(s, "$1$"); }
static bool yescrypt_identify(const char *s) { return prefixed(s, "$y$"); }

const struct hash_family hash_family_bcrypt = { "bcrypt", bcrypt_identify, crypt_verify };
const struct hash_family hash_family_sha512crypt = { "sha512crypt", sha512crypt_identify, crypt_verify };
const struct hash_family hash_family_sha256crypt = { "sha256crypt", sha256crypt_identify, crypt_verify };
const struct hash_family hash_family_md5crypt = { "md5crypt", md5crypt_identify, crypt_verify };
const struct hash_family hash_family_yescrypt = { "yescrypt", yescrypt_identify, crypt_verify };
