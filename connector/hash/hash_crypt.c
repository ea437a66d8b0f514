/* hash_crypt.c: the crypt(3) families, through libxcrypt's crypt_rn.
 *
 * libxcrypt is already on every host and is what pam_unix uses; it reads the
 * prefix and parameters itself. We check the form before handing a string
 * over, compare the result in constant time, and write new hashes with
 * crypt_gensalt_rn (random salt from the kernel). */
#include "hash.h"

#include <crypt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash_encoding.h"
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

/* The decimal number after `key` in s, or dflt when key is absent; past
 * ULONG_MAX it stays ULONG_MAX (over any ceiling). */
static unsigned long number_after(const char *s, const char *key, unsigned long dflt)
{
	const char *p = strstr(s, key);

	if (p == NULL)
		return dflt;
	return strtoul(p + strlen(key), NULL, 10);
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

static void bcrypt_cost(const char *s, struct hash_cost *c)
{
	c->bcrypt_cost = (unsigned long)(s[4] - '0') * 10 + (unsigned long)(s[5] - '0');
}

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

/* rounds=N$ as glibc and libxcrypt read it: 5000 when absent, raised to 1000 */
static void shacrypt_cost(const char *s, struct hash_cost *c)
{
	c->rounds = number_after(s, "$rounds=", 5000);
	if (c->rounds < 1000)
		c->rounds = 1000;
}

/* SunMD5: 4096 rounds built in, plus those the string asks for */
static void sunmd5_cost(const char *s, struct hash_cost *c)
{
	unsigned long r = strncmp(s, "$md5,rounds=", 12) == 0 ? strtoul(s + 12, NULL, 10) : 0;

	c->rounds = r > ULONG_MAX - 4096 ? ULONG_MAX : r + 4096;
}

/* BSDi: 24 bits of rounds in four crypt64 characters, low first */
static void bsdi_des_cost(const char *s, struct hash_cost *c)
{
	int i;

	for (i = 4; i >= 1; i--)
		c->rounds = c->rounds << 6 | (unsigned long)enc_crypt64_index(s[i]);
}

/* yescrypt "$y$jNr$": N = 2^(N_log2) and r in one character each, as
 * libxcrypt writes them (one character is a value below 47 plus 1). Longer
 * parameter fields (p, t, ROM, several characters) are what no libxcrypt
 * writes: their cost is not read, so refused. Memory is 128 * N * r. */
static void yescrypt_cost(const char *s, struct hash_cost *c)
{
	const char *p = strchr(s + 1, '$') + 1;   /* identify saw "$y$" or "$gy$" */
	int nl, r;

	if (strchr(p, '$') != p + 3 || p[0] != 'j') {
		c->unreadable = true;
		return;
	}
	nl = enc_crypt64_index(p[1]);
	r = enc_crypt64_index(p[2]);
	if (nl < 0 || nl >= 47 || r < 0 || r >= 47 || nl + 1 > 40) {
		c->unreadable = true;
		return;
	}
	c->memory_kib = (128UL << (nl + 1)) * (unsigned long)(r + 1) / 1024;
}

/* scrypt "$7$": log2 N in one character, r and p in five each (30 bits,
 * low first), as libxcrypt's crypt-scrypt.c reads them. */
static unsigned long crypt64_u30(const char *s)
{
	unsigned long v = 0;
	int i, d;

	for (i = 4; i >= 0; i--) {
		d = enc_crypt64_index(s[i]);
		if (d < 0)
			return ULONG_MAX;
		v = v << 6 | (unsigned long)d;
	}
	return v;
}

static void scrypt_crypt_cost(const char *s, struct hash_cost *c)
{
	int nl = enc_crypt64_index(s[3]);
	unsigned long r, p;

	if (strlen(s) < 14 || nl < 1 || nl > 40) {
		c->unreadable = true;
		return;
	}
	r = crypt64_u30(s + 4);
	p = crypt64_u30(s + 9);
	/* 128 * r * 2^nl bytes, in KiB: r * 2^(nl - 3); r < 2^30, nl <= 40 */
	c->memory_kib = nl >= 3 ? (nl - 3 + 30 < 64 ? r << (nl - 3) : ULONG_MAX) : r >> (3 - nl);
	c->passes = p;
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

/* sha256crypt (Dovecot's {SHA256-CRYPT}): rounds as sha512crypt's. */
static int sha256crypt_generate(const char *password, size_t pwlen, unsigned long rounds,
				char *out, size_t outlen)
{
	(void)pwlen;
	if (rounds != 0 && (rounds < 1000 || rounds > 999999999))
		return -1;
	return crypt_generate("$5$", rounds, password, out, outlen);
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

#define CRYPT_FAMILY(var, nm, org, id, desc, cst, gen) \
	const struct hash_family var = { .name = nm, .origin = org, .identify = id, \
					 .describe = desc, .cost = cst, .verify = crypt_verify, \
					 .generate = gen }

CRYPT_FAMILY(hash_family_bcrypt, "bcrypt", "OpenBSD crypt, PHP password_hash, most web frameworks",
	     bcrypt_identify, bcrypt_describe, bcrypt_cost, bcrypt_generate);
CRYPT_FAMILY(hash_family_bcrypt_x, "bcrypt-2x", "crypt_blowfish's compatibility mode for its 2011 bug",
	     bcrypt_x_identify, bcrypt_describe, bcrypt_cost, NULL);
CRYPT_FAMILY(hash_family_sha512crypt, "sha512crypt", "glibc crypt $6$",
	     sha512crypt_identify, shacrypt_describe, shacrypt_cost, sha512crypt_generate);
CRYPT_FAMILY(hash_family_sha256crypt, "sha256crypt", "glibc crypt $5$",
	     sha256crypt_identify, shacrypt_describe, shacrypt_cost, sha256crypt_generate);
CRYPT_FAMILY(hash_family_md5crypt, "md5crypt", "FreeBSD/glibc crypt $1$",
	     md5crypt_identify, NULL, NULL, NULL);
CRYPT_FAMILY(hash_family_yescrypt, "yescrypt", "libxcrypt $y$ (Debian's /etc/shadow)",
	     yescrypt_identify, yescrypt_describe, yescrypt_cost, yescrypt_generate);
CRYPT_FAMILY(hash_family_gost_yescrypt, "gost-yescrypt", "libxcrypt $gy$",
	     gost_yescrypt_identify, yescrypt_describe, yescrypt_cost, NULL);
CRYPT_FAMILY(hash_family_scrypt_crypt, "scrypt-crypt", "libxcrypt/FreeBSD $7$",
	     scrypt_crypt_identify, NULL, scrypt_crypt_cost, NULL);
CRYPT_FAMILY(hash_family_sunmd5, "sunmd5", "Solaris crypt $md5$",
	     sunmd5_identify, sunmd5_describe, sunmd5_cost, NULL);
CRYPT_FAMILY(hash_family_bsdi_des, "bsdi-des", "BSDi extended DES crypt",
	     bsdi_des_identify, NULL, bsdi_des_cost, NULL);
CRYPT_FAMILY(hash_family_des, "des", "traditional Unix DES crypt",
	     des_identify, NULL, NULL, NULL);
