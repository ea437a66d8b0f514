/* hash_passlib.c: passlib's own PBKDF2 and scrypt formats (passlib.hash).
 *
 *   $pbkdf2$<rounds>$<ab64 salt>$<ab64 checksum>          PBKDF2-HMAC-SHA1
 *   $pbkdf2-sha256$...   $pbkdf2-sha512$...               same, other digests
 *   $scrypt$ln=<log2 N>,r=<r>,p=<p>$<b64 salt>$<b64 checksum>
 *
 * passlib decodes salt and checksum to bytes and compares the checksum, which
 * is exactly one digest long (32 bytes for scrypt). Rounds are decimal
 * without leading zeros (passlib refuses "01212"); the salt may be empty
 * (passlib allows 0..1024 bytes). ab64 is base64 with '.' for '+' and no
 * padding. The password goes in as its UTF-8 bytes, as passlib encodes it. */
#include "hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "hash_kdf.h"

#define PASSLIB_MAX_ROUNDS 10000000UL
#define PASSLIB_MAX_SALT 1024
/* scrypt: what one row may ask for. passlib's default is ln=16 r=8 p=1
 * (64 MiB, 2^19 block operations). */
#define SCRYPT_MAX_MEMORY (1UL << 30)
#define SCRYPT_MAX_WORK (1UL << 24)   /* N * r * p */
#define SCRYPT_MAX_LN 20
#define SCRYPT_MAX_R 32
#define SCRYPT_MAX_P 16
#define SCRYPT_DKLEN 32

/* Decimal digits s[0..n) into *out, 0..max. leading_zeros: whether "016"
 * counts (passlib's int() in scrypt's settings takes it; parse_mc3 does not). */
static bool parse_decimal(const char *s, size_t n, bool leading_zeros, unsigned long max,
			  unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || (!leading_zeros && n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

/* --- PBKDF2 ----------------------------------------------------------------- */

struct passlib_pbkdf2 {
	unsigned long rounds;
	unsigned char salt[PASSLIB_MAX_SALT];
	size_t saltlen;
	unsigned char chk[EVP_MAX_MD_SIZE];
	size_t chklen;
};

/* prefix<rounds>$<salt>$<checksum>, with a checksum of one digest of md. */
static bool passlib_pbkdf2_parse(const char *stored, const char *prefix, const EVP_MD *md,
				 struct passlib_pbkdf2 *p)
{
	size_t plen = strlen(prefix), mdlen = (size_t)EVP_MD_get_size(md);
	const char *r, *d1, *d2, *chk;
	int n;

	if (strncmp(stored, prefix, plen) != 0)
		return false;
	r = stored + plen;
	d1 = strchr(r, '$');
	if (d1 == NULL || (d2 = strchr(d1 + 1, '$')) == NULL)
		return false;
	chk = d2 + 1;
	if (strchr(chk, '$') != NULL)
		return false;
	if (!parse_decimal(r, (size_t)(d1 - r), false, PASSLIB_MAX_ROUNDS, &p->rounds) ||
	    p->rounds == 0)
		return false;
	n = d2 == d1 + 1 ? 0 : enc_ab64_decode(d1 + 1, (size_t)(d2 - d1 - 1), p->salt, sizeof(p->salt));
	if (n < 0)
		return false;
	p->saltlen = (size_t)n;
	if (enc_ab64_decode(chk, strlen(chk), p->chk, sizeof(p->chk)) != (int)mdlen)
		return false;
	p->chklen = mdlen;
	return true;
}

static int passlib_pbkdf2_verify(const char *stored, const char *prefix, const EVP_MD *md,
				 const char *password, size_t pwlen)
{
	struct passlib_pbkdf2 p;

	if (!passlib_pbkdf2_parse(stored, prefix, md, &p))
		return HASH_UNUSABLE;
	return hash_pbkdf2_check(md, password, pwlen, p.salt, p.saltlen, p.rounds, p.chk,
				 p.chklen);
}

static void passlib_pbkdf2_describe(const char *stored, const char *prefix, const EVP_MD *md,
				    const char *digest, char *out, size_t outlen)
{
	struct passlib_pbkdf2 p;

	if (!passlib_pbkdf2_parse(stored, prefix, md, &p))
		snprintf(out, outlen, "malformed");
	else
		snprintf(out, outlen, "digest=%s rounds=%lu salt=%zu bytes", digest, p.rounds,
			 p.saltlen);
}

static void passlib_pbkdf2_cost(const char *stored, const char *prefix, const EVP_MD *md,
				struct hash_cost *c)
{
	struct passlib_pbkdf2 p;

	if (passlib_pbkdf2_parse(stored, prefix, md, &p))
		c->iterations = p.rounds;
}

#define PASSLIB_PBKDF2(fn, prefix, md, digest) \
	static bool fn##_identify(const char *s) \
	{ \
		return strncmp(s, prefix, sizeof(prefix) - 1) == 0; \
	} \
	static int fn##_verify(const struct hash_ctx *ctx, const char *stored, \
			       const char *password, size_t pwlen) \
	{ \
		(void)ctx; \
		return passlib_pbkdf2_verify(stored, prefix, md(), password, pwlen); \
	} \
	static void fn##_cost(const char *s, struct hash_cost *c) \
	{ \
		passlib_pbkdf2_cost(s, prefix, md(), c); \
	} \
	static void fn##_describe(const char *s, char *out, size_t outlen) \
	{ \
		passlib_pbkdf2_describe(s, prefix, md(), digest, out, outlen); \
	}

PASSLIB_PBKDF2(pbkdf2_sha1, "$pbkdf2$", EVP_sha1, "sha1")
PASSLIB_PBKDF2(pbkdf2_sha256, "$pbkdf2-sha256$", EVP_sha256, "sha256")
PASSLIB_PBKDF2(pbkdf2_sha512, "$pbkdf2-sha512$", EVP_sha512, "sha512")

/* --- scrypt ----------------------------------------------------------------- */

#define SCRYPT_PREFIX "$scrypt$"

struct passlib_scrypt {
	unsigned long ln, r, p;
	unsigned char salt[PASSLIB_MAX_SALT];
	size_t saltlen;
	unsigned char chk[SCRYPT_DKLEN];
};

/* key=<decimal> at *s, up to the byte `end`; moves *s past it. */
static bool scrypt_param(const char **s, const char *key, char end, unsigned long max,
			 unsigned long *out)
{
	size_t k = strlen(key);
	const char *e;

	if (strncmp(*s, key, k) != 0)
		return false;
	e = strchr(*s + k, end);
	if (e == NULL || !parse_decimal(*s + k, (size_t)(e - *s - k), true, max, out))
		return false;
	*s = e + 1;
	return true;
}

static bool passlib_scrypt_parse(const char *stored, struct passlib_scrypt *sc)
{
	const char *s = stored + sizeof(SCRYPT_PREFIX) - 1, *d;
	int n;

	if (strncmp(stored, SCRYPT_PREFIX, sizeof(SCRYPT_PREFIX) - 1) != 0)
		return false;
	if (!scrypt_param(&s, "ln=", ',', 99, &sc->ln) || !scrypt_param(&s, "r=", ',', 9999, &sc->r) ||
	    !scrypt_param(&s, "p=", '$', 9999, &sc->p))
		return false;
	d = strchr(s, '$');
	if (d == NULL || strchr(d + 1, '$') != NULL)
		return false;
	n = d == s ? 0 : enc_b64_decode(s, (size_t)(d - s), sc->salt, sizeof(sc->salt));
	if (n < 0)
		return false;
	sc->saltlen = (size_t)n;
	return enc_b64_decode(d + 1, strlen(d + 1), sc->chk, sizeof(sc->chk)) == SCRYPT_DKLEN;
}

/* passlib's own limits (ln 1..31, r >= 1, p >= 1) and ours on memory and work. */
static bool passlib_scrypt_sane(const struct passlib_scrypt *sc)
{
	unsigned long n;

	if (sc->ln < 1 || sc->ln > SCRYPT_MAX_LN || sc->r < 1 || sc->r > SCRYPT_MAX_R ||
	    sc->p < 1 || sc->p > SCRYPT_MAX_P)
		return false;
	n = 1UL << sc->ln;
	return hash_scrypt_memory(n, sc->r, sc->p) <= SCRYPT_MAX_MEMORY &&
	       n * sc->r * sc->p <= SCRYPT_MAX_WORK;
}

static bool passlib_scrypt_identify(const char *s)
{
	return strncmp(s, SCRYPT_PREFIX, sizeof(SCRYPT_PREFIX) - 1) == 0;
}

static int passlib_scrypt_verify(const struct hash_ctx *ctx, const char *stored,
				 const char *password, size_t pwlen)
{
	struct passlib_scrypt sc;
	unsigned long n;

	(void)ctx;
	if (!passlib_scrypt_parse(stored, &sc) || !passlib_scrypt_sane(&sc))
		return HASH_UNUSABLE;
	n = 1UL << sc.ln;
	return hash_scrypt_check(password, pwlen, sc.salt, sc.saltlen, n, sc.r, sc.p,
				 hash_scrypt_memory(n, sc.r, sc.p), sc.chk, sizeof(sc.chk));
}

static void passlib_scrypt_cost(const char *s, struct hash_cost *c)
{
	struct passlib_scrypt sc;

	if (!passlib_scrypt_parse(s, &sc) || !passlib_scrypt_sane(&sc))
		return;
	c->memory_kib = hash_scrypt_memory(1UL << sc.ln, sc.r, sc.p) / 1024;
	c->passes = sc.p;
}

static void passlib_scrypt_describe(const char *s, char *out, size_t outlen)
{
	struct passlib_scrypt sc;

	if (!passlib_scrypt_parse(s, &sc))
		snprintf(out, outlen, "malformed");
	else if (!passlib_scrypt_sane(&sc))
		snprintf(out, outlen, "ln=%lu r=%lu p=%lu (refused: too costly or invalid)", sc.ln,
			 sc.r, sc.p);
	else
		snprintf(out, outlen, "N=2^%lu r=%lu p=%lu memory=%lu KiB salt=%zu bytes", sc.ln, sc.r,
			 sc.p, hash_scrypt_memory(1UL << sc.ln, sc.r, sc.p) / 1024, sc.saltlen);
}

const struct hash_family hash_family_passlib_pbkdf2_sha1 = {
	.name = "passlib-pbkdf2-sha1", .origin = "passlib pbkdf2_sha1 ($pbkdf2$)",
	.identify = pbkdf2_sha1_identify, .describe = pbkdf2_sha1_describe, .cost = pbkdf2_sha1_cost,
	.verify = pbkdf2_sha1_verify,
};

const struct hash_family hash_family_passlib_pbkdf2_sha256 = {
	.name = "passlib-pbkdf2-sha256", .origin = "passlib pbkdf2_sha256",
	.identify = pbkdf2_sha256_identify, .describe = pbkdf2_sha256_describe, .cost = pbkdf2_sha256_cost,
	.verify = pbkdf2_sha256_verify,
};

const struct hash_family hash_family_passlib_pbkdf2_sha512 = {
	.name = "passlib-pbkdf2-sha512", .origin = "passlib pbkdf2_sha512",
	.identify = pbkdf2_sha512_identify, .describe = pbkdf2_sha512_describe, .cost = pbkdf2_sha512_cost,
	.verify = pbkdf2_sha512_verify,
};

const struct hash_family hash_family_passlib_scrypt = {
	.name = "passlib-scrypt", .origin = "passlib scrypt ($scrypt$)",
	.identify = passlib_scrypt_identify, .describe = passlib_scrypt_describe,
	.cost = passlib_scrypt_cost,
	.verify = passlib_scrypt_verify,
};
