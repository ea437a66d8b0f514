/* hash_werkzeug.c: Werkzeug's generate_password_hash (Flask and friends).
 *
 *   pbkdf2:<digest>:<iterations>$<salt>$<hex>     hashlib.pbkdf2_hmac, one digest
 *   scrypt:<N>:<r>:<p>$<salt>$<hex>                hashlib.scrypt, 64 bytes
 *
 * check_password_hash splits at the first two '$', hashes the password with
 * the salt's UTF-8 bytes and compares lower-case hex strings; so only lower-
 * case hex of the right length can match. The numbers go through Python's
 * int(), which takes leading zeros: so do we. Digests: md5, sha1, sha224,
 * sha256, sha384, sha512 (hashlib takes more, such as sha3_256: unsupported,
 * HASH_UNUSABLE).
 *
 * "pbkdf2:sha256$salt$hex", without iterations, means "the default of the
 * Werkzeug version that checks it" (260000 in 2.0-2.2, 600000 in 2.3-3.0,
 * 1000000 in 3.1). No version writes it (they all write the count), and we
 * cannot know which version the application ran: HASH_UNUSABLE. So is the
 * salted-HMAC form of Werkzeug < 2.3 ("sha256$salt$hex"), which has the same
 * shape as Django's salted digests. */
#include "hash.h"

#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "hash_kdf.h"

#define WERKZEUG_MAX_ITERATIONS 10000000UL
#define WERKZEUG_MAX_SALT 128
/* hashlib.scrypt's dklen default */
#define WERKZEUG_SCRYPT_DKLEN 64
#define SCRYPT_MAX_MEMORY (1UL << 30)
#define SCRYPT_MAX_WORK (1UL << 24)   /* N * r * p; Werkzeug's default is 2^18 */

/* One parsed string; pointers into it. */
struct werkzeug_hash {
	const EVP_MD *md;                /* pbkdf2 */
	const char *digest;
	unsigned long iterations;        /* pbkdf2 */
	unsigned long n, r, p;           /* scrypt */
	const char *salt;
	size_t saltlen;
	unsigned char dk[EVP_MAX_MD_SIZE > WERKZEUG_SCRYPT_DKLEN ? EVP_MAX_MD_SIZE :
							      WERKZEUG_SCRYPT_DKLEN];
	size_t dklen;
};

/* The digests hashlib.pbkdf2_hmac takes under these names. */
static const struct {
	const char *name;
	const EVP_MD *(*md)(void);
} werkzeug_digests[] = {
	{ "md5", EVP_md5 }, { "sha1", EVP_sha1 }, { "sha224", EVP_sha224 }, { "sha256", EVP_sha256 },
	{ "sha384", EVP_sha384 }, { "sha512", EVP_sha512 },
};

/* Decimal digits s[0..n), leading zeros allowed (Python's int()), 1..max. */
static bool parse_number(const char *s, size_t n, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return false;
	}
	if (v == 0)
		return false;
	*out = v;
	return true;
}

/* Field i (0-based) of the ':'-separated method s[0..n), as [*f, *f + *fl). */
static bool method_field(const char *s, size_t n, int i, const char **f, size_t *fl)
{
	const char *end = s + n, *p = s, *c;

	for (; i > 0; i--) {
		c = memchr(p, ':', (size_t)(end - p));
		if (c == NULL)
			return false;
		p = c + 1;
	}
	c = memchr(p, ':', (size_t)(end - p));
	*f = p;
	*fl = (size_t)((c != NULL ? c : end) - p);
	return true;
}

static size_t method_fields(const char *s, size_t n)
{
	size_t i, k = 1;

	for (i = 0; i < n; i++)
		k += s[i] == ':';
	return k;
}

static bool parse_pbkdf2_method(const char *m, size_t mlen, struct werkzeug_hash *h)
{
	const char *f;
	size_t fl, i;

	if (method_fields(m, mlen) != 3)
		return false;    /* no iteration count: see the top of this file */
	if (!method_field(m, mlen, 1, &f, &fl))
		return false;
	h->md = NULL;
	for (i = 0; i < sizeof(werkzeug_digests) / sizeof(werkzeug_digests[0]); i++)
		if (strlen(werkzeug_digests[i].name) == fl &&
		    memcmp(werkzeug_digests[i].name, f, fl) == 0) {
			h->md = werkzeug_digests[i].md();
			h->digest = werkzeug_digests[i].name;
		}
	if (h->md == NULL || !method_field(m, mlen, 2, &f, &fl) ||
	    !parse_number(f, fl, WERKZEUG_MAX_ITERATIONS, &h->iterations))
		return false;
	h->dklen = (size_t)EVP_MD_get_size(h->md);
	return true;
}

static bool parse_scrypt_method(const char *m, size_t mlen, struct werkzeug_hash *h)
{
	const char *f;
	size_t fl;

	if (method_fields(m, mlen) != 4)
		return false;
	if (!method_field(m, mlen, 1, &f, &fl) || !parse_number(f, fl, 1UL << 40, &h->n) ||
	    !method_field(m, mlen, 2, &f, &fl) || !parse_number(f, fl, 1UL << 20, &h->r) ||
	    !method_field(m, mlen, 3, &f, &fl) || !parse_number(f, fl, 1UL << 20, &h->p))
		return false;
	h->dklen = WERKZEUG_SCRYPT_DKLEN;
	return true;
}

/* method$salt$hex */
static bool werkzeug_parse(const char *stored, const char *method, struct werkzeug_hash *h)
{
	size_t n = strlen(method), i, hexlen;
	const char *d1 = strchr(stored, '$'), *d2, *hex;

	if (d1 == NULL || strncmp(stored, method, n) != 0 || stored[n] != ':')
		return false;
	d2 = strchr(d1 + 1, '$');
	if (d2 == NULL)
		return false;
	if (strcmp(method, "pbkdf2") == 0 ? !parse_pbkdf2_method(stored, (size_t)(d1 - stored), h) :
					    !parse_scrypt_method(stored, (size_t)(d1 - stored), h))
		return false;
	h->salt = d1 + 1;
	h->saltlen = (size_t)(d2 - h->salt);
	if (h->saltlen == 0 || h->saltlen > WERKZEUG_MAX_SALT)
		return false;    /* gen_salt() writes at least one character */
	for (i = 0; i < h->saltlen; i++)
		if ((unsigned char)h->salt[i] < 0x20 || h->salt[i] == 0x7f)
			return false;
	hex = d2 + 1;
	hexlen = strlen(hex);
	if (hexlen != h->dklen * 2)
		return false;
	for (i = 0; i < hexlen; i++)   /* .hex() writes lower case; compare_digest is exact */
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return false;
	return enc_hex_decode(hex, hexlen, h->dk, sizeof(h->dk)) == (int)h->dklen;
}

/* --- pbkdf2 ----------------------------------------------------------------- */

static bool werkzeug_pbkdf2_identify(const char *s)
{
	return strncmp(s, "pbkdf2:", 7) == 0 && strchr(s, '$') != NULL;
}

static int werkzeug_pbkdf2_verify(const struct hash_ctx *ctx, const char *stored,
				  const char *password, size_t pwlen)
{
	struct werkzeug_hash h;

	(void)ctx;
	if (!werkzeug_parse(stored, "pbkdf2", &h))
		return HASH_UNUSABLE;
	return hash_pbkdf2_check(h.md, password, pwlen, (const unsigned char *)h.salt, h.saltlen,
				 h.iterations, h.dk, h.dklen);
}

static void werkzeug_pbkdf2_describe(const char *s, char *out, size_t outlen)
{
	struct werkzeug_hash h;

	if (!werkzeug_parse(s, "pbkdf2", &h))
		snprintf(out, outlen, "malformed, or without an iteration count");
	else
		snprintf(out, outlen, "digest=%s iterations=%lu salt=%zu chars", h.digest,
			 h.iterations, h.saltlen);
}

static void werkzeug_pbkdf2_cost(const char *s, struct hash_cost *c)
{
	struct werkzeug_hash h;

	if (werkzeug_parse(s, "pbkdf2", &h))
		c->iterations = h.iterations;
}

/* --- scrypt ----------------------------------------------------------------- */

/* hashlib.scrypt's own checks (N a power of 2 above 1; maxmem, which Werkzeug
 * sets to 132 * N * r * p, at most INT_MAX), then ours. */
static bool werkzeug_scrypt_sane(const struct werkzeug_hash *h)
{
	if (h->n < 2 || (h->n & (h->n - 1)) != 0)
		return false;
	/* each alone already past INT_MAX: keeps the products below from wrapping */
	if (h->n > (1UL << 24) || h->r > 64 || h->p > 64)
		return false;
	if (132UL * h->n * h->r * h->p > INT_MAX)
		return false;
	return hash_scrypt_memory(h->n, h->r, h->p) <= SCRYPT_MAX_MEMORY &&
	       h->n * h->r * h->p <= SCRYPT_MAX_WORK;
}

static bool werkzeug_scrypt_identify(const char *s)
{
	return strncmp(s, "scrypt:", 7) == 0 && strchr(s, '$') != NULL;
}

static int werkzeug_scrypt_verify(const struct hash_ctx *ctx, const char *stored,
				  const char *password, size_t pwlen)
{
	struct werkzeug_hash h;

	(void)ctx;
	if (!werkzeug_parse(stored, "scrypt", &h) || !werkzeug_scrypt_sane(&h))
		return HASH_UNUSABLE;
	/* the same maxmem as Werkzeug's: OpenSSL refuses the same N, r, p it did */
	return hash_scrypt_check(password, pwlen, (const unsigned char *)h.salt, h.saltlen, h.n,
				 h.r, h.p, 132UL * h.n * h.r * h.p, h.dk, h.dklen);
}

static void werkzeug_scrypt_cost(const char *s, struct hash_cost *c)
{
	struct werkzeug_hash h;

	if (!werkzeug_parse(s, "scrypt", &h) || !werkzeug_scrypt_sane(&h))
		return;
	c->memory_kib = hash_scrypt_memory(h.n, h.r, h.p) / 1024;
	c->passes = h.p;
}

static void werkzeug_scrypt_describe(const char *s, char *out, size_t outlen)
{
	struct werkzeug_hash h;

	if (!werkzeug_parse(s, "scrypt", &h))
		snprintf(out, outlen, "malformed");
	else if (!werkzeug_scrypt_sane(&h))
		snprintf(out, outlen, "N=%lu r=%lu p=%lu (refused: too costly or invalid)", h.n, h.r,
			 h.p);
	else
		snprintf(out, outlen, "N=%lu r=%lu p=%lu memory=%lu KiB salt=%zu chars", h.n, h.r, h.p,
			 hash_scrypt_memory(h.n, h.r, h.p) / 1024, h.saltlen);
}

const struct hash_family hash_family_werkzeug_pbkdf2 = {
	.name = "werkzeug-pbkdf2", .origin = "Werkzeug generate_password_hash (Flask), pbkdf2:",
	.identify = werkzeug_pbkdf2_identify, .describe = werkzeug_pbkdf2_describe,
	.cost = werkzeug_pbkdf2_cost,
	.verify = werkzeug_pbkdf2_verify,
};

const struct hash_family hash_family_werkzeug_scrypt = {
	.name = "werkzeug-scrypt", .origin = "Werkzeug >= 2.3 generate_password_hash, scrypt:",
	.identify = werkzeug_scrypt_identify, .describe = werkzeug_scrypt_describe,
	.cost = werkzeug_scrypt_cost,
	.verify = werkzeug_scrypt_verify,
};
