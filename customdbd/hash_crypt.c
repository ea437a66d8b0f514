/* hash_crypt.c: the crypt(3) families, through libxcrypt's crypt_rn.
 *
 * libxcrypt is already on every host and is what pam_unix uses; it reads the
 * prefix and parameters itself. We check the form before handing a string
 * over, compare the result in constant time, and write new hashes with
 * crypt_gensalt_rn (random salt from the kernel). */
#include "hash.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash_families.h"
#include "secret.h"

static bool is_b64(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '/';
}

/* Every byte is a crypt base64 character or '$', ',' '=' (parameters such
 * as rounds=5000$ use '='). */
static bool crypt_charset(const char *s)
{
	for (; *s != '\0'; s++)
		if (!is_b64(*s) && *s != '$' && *s != '=' && *s != ',')
			return false;
	return true;
}

static int crypt_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
			size_t pwlen)
{
	struct crypt_data *cd;
	const char *out;
	size_t slen = strlen(stored);
	int rc = HASH_UNUSABLE;

	(void)ctx;
	(void)pwlen;  /* crypt(3) reads up to the first NUL, as every caller of it did */
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return HASH_UNUSABLE;
	out = crypt_rn(password, stored, cd, (int)sizeof(*cd));
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

/* A new hash with libxcrypt's own salt generator. count 0: its default. */
static int crypt_generate(const char *prefix, unsigned long count, const char *password,
			  char *out, size_t outlen)
{
	struct crypt_data *cd;
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *h;
	int rc = -1;

	if (crypt_gensalt_rn(prefix, count, NULL, 0, setting, (int)sizeof(setting)) == NULL)
		return -1;
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return -1;
	h = crypt_rn(password, setting, cd, (int)sizeof(*cd));
	if (h != NULL && h[0] != '*' && strlen(h) < outlen) {
		strcpy(out, h);
		rc = 0;
	}
	secret_wipe(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/* The number after `key` (e.g. "rounds=") in s, as text, into out. */
static void describe_number(const char *s, const char *key, const char *label, char *out,
			    size_t outlen, const char *dflt)
{
	const char *p = strstr(s, key);
	size_t n;

	if (p == NULL) {
		snprintf(out, outlen, "%s=%s", label, dflt);
		return;
	}
	p += strlen(key);
	n = strspn(p, "0123456789");
	snprintf(out, outlen, "%s=%.*s", label, (int)n, p);
}

/* --- bcrypt --------------------------------------------------------------- */

/* $2a$ $2b$ $2y$ (and $2x$): two-digit cost 04..31, then 53 characters. */
static bool bcrypt_form(const char *s, const char *prefixes)
{
	if (s[0] != '$' || s[1] != '2' || s[2] == '\0' || strchr(prefixes, s[2]) == NULL ||
	    s[3] != '$')
		return false;
	return strlen(s) == 60 && s[4] >= '0' && s[4] <= '3' && s[5] >= '0' && s[5] <= '9' &&
	       s[6] == '$' && crypt_charset(s + 7);
}

static bool bcrypt_identify(const char *s) { return bcrypt_form(s, "aby"); }
static bool bcrypt_x_identify(const char *s) { return bcrypt_form(s, "x"); }

static void bcrypt_describe(const char *s, char *out, size_t outlen)
{
	snprintf(out, outlen, "variant=$2%c$ cost=%.2s", s[2], s + 4);
}

/* cost 0: 12. libxcrypt's own default (5) is far too cheap today. */
static int bcrypt_generate(const char *password, size_t pwlen, unsigned long cost, char *out,
			   size_t outlen)
{
	(void)pwlen;
	if (cost == 0)
		cost = 12;
	if (cost < 4 || cost > 31)
		return -1;
	return crypt_generate("$2b$", cost, password, out, outlen);
}

/* --- the $N$ families ------------------------------------------------------ */

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
static bool gost_yescrypt_identify(const char *s) { return prefixed(s, "$gy$"); }
static bool scrypt_crypt_identify(const char *s) { return prefixed(s, "$7$"); }

static bool sunmd5_identify(const char *s)
{
	return (strncmp(s, "$md5$", 5) == 0 || strncmp(s, "$md5,rounds=", 12) == 0) &&
	       strlen(s) > 10 && crypt_charset(s + 4);
}

static void shacrypt_describe(const char *s, char *out, size_t outlen)
{
	describe_number(s, "rounds=", "rounds", out, outlen, "5000");
}

static void yescrypt_describe(const char *s, char *out, size_t outlen)
{
	const char *p = strchr(s + 1, '$');
	const char *q = p != NULL ? strchr(p + 1, '$') : NULL;

	if (q == NULL)
		snprintf(out, outlen, "params=?");
	else
		snprintf(out, outlen, "params=%.*s", (int)(q - p - 1), p + 1);
}

static void sunmd5_describe(const char *s, char *out, size_t outlen)
{
	describe_number(s, "rounds=", "rounds", out, outlen, "0 (plus 4096 built in)");
}

/* sha512crypt: rounds 0 is libxcrypt's default, 5000. */
static int sha512crypt_generate(const char *password, size_t pwlen, unsigned long rounds,
				char *out, size_t outlen)
{
	(void)pwlen;
	if (rounds != 0 && (rounds < 1000 || rounds > 999999999))
		return -1;
	return crypt_generate("$6$", rounds, password, out, outlen);
}

/* yescrypt: cost 0 is libxcrypt's default (5); 1..11 */
static int yescrypt_generate(const char *password, size_t pwlen, unsigned long cost, char *out,
			     size_t outlen)
{
	(void)pwlen;
	if (cost > 11)
		return -1;
	return crypt_generate("$y$", cost, password, out, outlen);
}

/* --- DES ------------------------------------------------------------------- */

/* Traditional DES: 13 characters, salt and hash, all of the crypt alphabet. */
static bool des_identify(const char *s)
{
	return strlen(s) == 13 && crypt_charset(s) && strchr(s, '$') == NULL &&
	       strchr(s, '=') == NULL && strchr(s, ',') == NULL;
}

/* BSDi extended DES: '_', 4 characters of rounds, 4 of salt, 11 of hash. */
static bool bsdi_des_identify(const char *s)
{
	return s[0] == '_' && strlen(s) == 20 && crypt_charset(s + 1) && strchr(s, '$') == NULL;
}

#define CRYPT_FAMILY(var, nm, org, id, desc, gen) \
	const struct hash_family var = { .name = nm, .origin = org, .identify = id, \
					 .describe = desc, .verify = crypt_verify, .generate = gen }

CRYPT_FAMILY(hash_family_bcrypt, "bcrypt", "OpenBSD crypt, PHP password_hash, most web frameworks",
	     bcrypt_identify, bcrypt_describe, bcrypt_generate);
CRYPT_FAMILY(hash_family_bcrypt_x, "bcrypt-2x", "crypt_blowfish's compatibility mode for its 2011 bug",
	     bcrypt_x_identify, bcrypt_describe, NULL);
CRYPT_FAMILY(hash_family_sha512crypt, "sha512crypt", "glibc crypt $6$",
	     sha512crypt_identify, shacrypt_describe, sha512crypt_generate);
CRYPT_FAMILY(hash_family_sha256crypt, "sha256crypt", "glibc crypt $5$",
	     sha256crypt_identify, shacrypt_describe, NULL);
CRYPT_FAMILY(hash_family_md5crypt, "md5crypt", "FreeBSD/glibc crypt $1$",
	     md5crypt_identify, NULL, NULL);
CRYPT_FAMILY(hash_family_yescrypt, "yescrypt", "libxcrypt $y$ (Debian's /etc/shadow)",
	     yescrypt_identify, yescrypt_describe, yescrypt_generate);
CRYPT_FAMILY(hash_family_gost_yescrypt, "gost-yescrypt", "libxcrypt $gy$",
	     gost_yescrypt_identify, yescrypt_describe, NULL);
CRYPT_FAMILY(hash_family_scrypt_crypt, "scrypt-crypt", "libxcrypt/FreeBSD $7$",
	     scrypt_crypt_identify, NULL, NULL);
CRYPT_FAMILY(hash_family_sunmd5, "sunmd5", "Solaris crypt $md5$",
	     sunmd5_identify, sunmd5_describe, NULL);
CRYPT_FAMILY(hash_family_bsdi_des, "bsdi-des", "BSDi extended DES crypt",
	     bsdi_des_identify, NULL, NULL);
CRYPT_FAMILY(hash_family_des, "des", "traditional Unix DES crypt",
	     des_identify, NULL, NULL);
