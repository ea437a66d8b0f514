/* hash_django.c: Django's own formats (django.contrib.auth.hashers).
 *
 *   pbkdf2_sha256$<iterations>$<salt>$<base64 of PBKDF2-HMAC-SHA256>
 *   pbkdf2_sha1$<iterations>$<salt>$<base64 of PBKDF2-HMAC-SHA1>
 *   bcrypt_sha256$<bcrypt string of hex(sha256(password))>
 *   argon2$<argon2-cffi's PHC string>
 *
 * Django verifies by encoding the password again with the stored salt and
 * iterations and comparing whole strings, so only the form Django writes can
 * ever match: decimal iterations without leading zeros, padded base64 of
 * exactly one digest. Anything else is HASH_UNUSABLE here (Django would say
 * no to every password). The salt is text and goes into PBKDF2 as its UTF-8
 * bytes, which is what the database hands us. */
#include "hash.h"

#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "hash_kdf.h"
#include "secret.h"

#define DJANGO_MAX_ITERATIONS 10000000UL
#define DJANGO_MIN_WRITE_ITERATIONS 1000UL
/* Django 6.0's PBKDF2PasswordHasher.iterations */
#define DJANGO_DEFAULT_ITERATIONS 1200000UL
/* what BasePasswordHasher.salt() writes: ceil(128 / log2(62)) characters */
#define DJANGO_SALT_CHARS 22
#define DJANGO_MAX_SALT 128

static const char django_salt_alphabet[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* One parsed pbkdf2_<digest>$ string; pointers into the stored string. */
struct django_pbkdf2 {
	unsigned long iterations;
	const char *salt;
	size_t saltlen;
	unsigned char dk[EVP_MAX_MD_SIZE];
	size_t dklen;
};

/* Decimal digits s[0..n), no sign, no leading zero, 1..max. */
static bool parse_count(const char *s, size_t n, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 10 || s[0] == '0')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > max)
		return false;
	*out = v;
	return true;
}

/* Salt bytes Django could have written: anything but '$' and controls. */
static bool salt_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > DJANGO_MAX_SALT)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == '$')
			return false;
	return true;
}

/* Split prefix<iterations>$<salt>$<base64> and decode the base64, which must
 * be exactly the padded encoding of one digest of md. */
static bool django_pbkdf2_parse(const char *stored, const char *prefix, const EVP_MD *md,
				struct django_pbkdf2 *p)
{
	size_t plen = strlen(prefix), mdlen = (size_t)EVP_MD_get_size(md), b64len;
	const char *it, *salt, *hash;
	const char *d1, *d2;

	if (strncmp(stored, prefix, plen) != 0)
		return false;
	it = stored + plen;
	d1 = strchr(it, '$');
	if (d1 == NULL)
		return false;
	salt = d1 + 1;
	d2 = strchr(salt, '$');
	if (d2 == NULL)
		return false;
	hash = d2 + 1;
	if (!parse_count(it, (size_t)(d1 - it), DJANGO_MAX_ITERATIONS, &p->iterations) ||
	    !salt_ok(salt, (size_t)(d2 - salt)))
		return false;
	b64len = (mdlen + 2) / 3 * 4;
	if (strlen(hash) != b64len)
		return false;
	/* the decoder refuses non-zero padding bits: one spelling per digest */
	if (enc_b64_decode(hash, b64len, p->dk, sizeof(p->dk)) != (int)mdlen)
		return false;
	p->salt = salt;
	p->saltlen = (size_t)(d2 - salt);
	p->dklen = mdlen;
	return true;
}

static int django_pbkdf2_verify(const char *stored, const char *prefix, const EVP_MD *md,
				const char *password, size_t pwlen)
{
	struct django_pbkdf2 p;

	if (!django_pbkdf2_parse(stored, prefix, md, &p))
		return HASH_UNUSABLE;
	return hash_pbkdf2_check(md, password, pwlen, (const unsigned char *)p.salt, p.saltlen,
				 p.iterations, p.dk, p.dklen);
}

static void django_pbkdf2_describe(const char *stored, const char *prefix, const EVP_MD *md,
				   const char *digest, char *out, size_t outlen)
{
	struct django_pbkdf2 p;

	if (!django_pbkdf2_parse(stored, prefix, md, &p)) {
		snprintf(out, outlen, "malformed");
		return;
	}
	snprintf(out, outlen, "digest=%s iterations=%lu salt=%zu chars", digest, p.iterations,
		 p.saltlen);
}

static void django_pbkdf2_cost(const char *stored, const char *prefix, const EVP_MD *md,
			       struct hash_cost *c)
{
	struct django_pbkdf2 p;

	if (django_pbkdf2_parse(stored, prefix, md, &p))
		c->iterations = p.iterations;
}

static void pbkdf2_sha256_cost(const char *s, struct hash_cost *c)
{
	django_pbkdf2_cost(s, "pbkdf2_sha256$", EVP_sha256(), c);
}

static void pbkdf2_sha1_cost(const char *s, struct hash_cost *c)
{
	django_pbkdf2_cost(s, "pbkdf2_sha1$", EVP_sha1(), c);
}

static bool pbkdf2_sha256_identify(const char *s)
{
	return strncmp(s, "pbkdf2_sha256$", 14) == 0;
}

static bool pbkdf2_sha1_identify(const char *s)
{
	return strncmp(s, "pbkdf2_sha1$", 12) == 0;
}

static int pbkdf2_sha256_verify(const struct hash_ctx *ctx, const char *stored,
				const char *password, size_t pwlen)
{
	(void)ctx;
	return django_pbkdf2_verify(stored, "pbkdf2_sha256$", EVP_sha256(), password, pwlen);
}

static int pbkdf2_sha1_verify(const struct hash_ctx *ctx, const char *stored,
			      const char *password, size_t pwlen)
{
	(void)ctx;
	return django_pbkdf2_verify(stored, "pbkdf2_sha1$", EVP_sha1(), password, pwlen);
}

static void pbkdf2_sha256_describe(const char *s, char *out, size_t outlen)
{
	django_pbkdf2_describe(s, "pbkdf2_sha256$", EVP_sha256(), "sha256", out, outlen);
}

static void pbkdf2_sha1_describe(const char *s, char *out, size_t outlen)
{
	django_pbkdf2_describe(s, "pbkdf2_sha1$", EVP_sha1(), "sha1", out, outlen);
}

/* A salt as BasePasswordHasher.salt() makes one: 22 characters drawn
 * uniformly from [a-zA-Z0-9] (bytes >= 248 are redrawn: 248 = 4 * 62). */
static void django_salt(char *salt, size_t n)
{
	unsigned char b;
	size_t i = 0;

	while (i < n) {
		hash_random(&b, 1);
		if (b < 248)
			salt[i++] = django_salt_alphabet[b % 62];
	}
	salt[n] = '\0';
}

/* iterations 0: Django 6.0's default. */
static int pbkdf2_sha256_generate(const char *password, size_t pwlen, unsigned long iterations,
				  char *out, size_t outlen)
{
	unsigned char dk[32];
	char salt[DJANGO_SALT_CHARS + 1], b64[48];
	int rc = -1, n;

	if (iterations == 0)
		iterations = DJANGO_DEFAULT_ITERATIONS;
	if (iterations < DJANGO_MIN_WRITE_ITERATIONS || iterations > DJANGO_MAX_ITERATIONS ||
	    pwlen > INT_MAX)
		return -1;
	django_salt(salt, DJANGO_SALT_CHARS);
	if (PKCS5_PBKDF2_HMAC(password, (int)pwlen, (const unsigned char *)salt,
			      DJANGO_SALT_CHARS, (int)iterations, EVP_sha256(), (int)sizeof(dk),
			      dk) != 1)
		goto out;
	if (enc_b64_encode(dk, sizeof(dk), true, b64, sizeof(b64)) < 0)
		goto out;
	n = snprintf(out, outlen, "pbkdf2_sha256$%lu$%s$%s", iterations, salt, b64);
	if (n > 0 && (size_t)n < outlen)
		rc = 0;
out:
	secret_wipe_array(dk);
	return rc;
}

/* --- bcrypt_sha256 --------------------------------------------------------- */

/* Django (1.6 on) and passlib's django_bcrypt_sha256 hash the password with
 * SHA-256 first and give bcrypt the 64 lower-case hex digits, so nothing is
 * lost to bcrypt's 72-byte limit. The bcrypt part is what hash_crypt.c reads. */
#define BCRYPT_SHA256_PREFIX "bcrypt_sha256$"

static bool bcrypt_sha256_identify(const char *s)
{
	return strncmp(s, BCRYPT_SHA256_PREFIX, sizeof(BCRYPT_SHA256_PREFIX) - 1) == 0;
}

static int bcrypt_sha256_verify(const struct hash_ctx *ctx, const char *stored,
				const char *password, size_t pwlen)
{
	const char *bstr = stored + sizeof(BCRYPT_SHA256_PREFIX) - 1;
	unsigned char digest[32];
	char hex[65];
	int rc = HASH_UNUSABLE;

	if (!hash_family_bcrypt.identify(bstr))
		return HASH_UNUSABLE;
	if (EVP_Digest(password, pwlen, digest, NULL, EVP_sha256(), NULL) != 1)
		goto out;
	if (enc_hex_encode(digest, sizeof(digest), hex, sizeof(hex)) != 64)
		goto out;
	rc = hash_family_bcrypt.verify(ctx, bstr, hex, 64);
out:
	secret_wipe_array(digest);
	secret_wipe_array(hex);
	return rc;
}

static void bcrypt_sha256_describe(const char *s, char *out, size_t outlen)
{
	const char *bstr = s + sizeof(BCRYPT_SHA256_PREFIX) - 1;

	if (!hash_family_bcrypt.identify(bstr))
		snprintf(out, outlen, "malformed");
	else
		snprintf(out, outlen, "bcrypt cost=%.2s over hex(sha256(password))", bstr + 4);
}

static void bcrypt_sha256_cost(const char *s, struct hash_cost *c)
{
	const char *bstr = s + sizeof(BCRYPT_SHA256_PREFIX) - 1;

	if (hash_family_bcrypt.identify(bstr))
		hash_family_bcrypt.cost(bstr, c);
}

/* --- argon2 ---------------------------------------------------------------- */

/* "argon2" then argon2-cffi's own string: argon2id since Django 3.2, argon2i
 * before (often p=8 or p=2, older ones with 16-byte hashes). The string after
 * "argon2" is what hash_argon2.c reads, with its bounds on m, t and p. */
static const struct hash_family *django_argon2_inner(const char *stored)
{
	const char *rest = stored + 6;

	if (strncmp(stored, "argon2$argon2", 13) != 0)
		return NULL;
	if (strncmp(rest, "$argon2id$", 10) == 0 && hash_family_argon2id.identify(rest))
		return &hash_family_argon2id;
	if (strncmp(rest, "$argon2i$", 9) == 0 && hash_family_argon2i.identify(rest))
		return &hash_family_argon2i;
	return NULL;
}

/* "argon2$" and a digit is Gitea's (hash_gitea.c) */
static bool django_argon2_identify(const char *s)
{
	return strncmp(s, "argon2$", 7) == 0 && !(s[7] >= '0' && s[7] <= '9');
}

static int django_argon2_verify(const struct hash_ctx *ctx, const char *stored,
				const char *password, size_t pwlen)
{
	const struct hash_family *f = django_argon2_inner(stored);

	if (f == NULL)
		return HASH_UNUSABLE;
	return f->verify(ctx, stored + 6, password, pwlen);
}

static void django_argon2_describe(const char *s, char *out, size_t outlen)
{
	const struct hash_family *f = django_argon2_inner(s);

	if (f == NULL || f->describe == NULL)
		snprintf(out, outlen, "malformed");
	else
		f->describe(s + 6, out, outlen);
}

static void django_argon2_cost(const char *s, struct hash_cost *c)
{
	const struct hash_family *f = django_argon2_inner(s);

	if (f != NULL)
		f->cost(s + 6, c);
}

const struct hash_family hash_family_django_pbkdf2_sha256 = {
	.name = "django-pbkdf2-sha256", .origin = "Django PBKDF2PasswordHasher (the default)",
	.identify = pbkdf2_sha256_identify, .describe = pbkdf2_sha256_describe,
	.cost = pbkdf2_sha256_cost,
	.verify = pbkdf2_sha256_verify, .generate = pbkdf2_sha256_generate,
};

const struct hash_family hash_family_django_pbkdf2_sha1 = {
	.name = "django-pbkdf2-sha1", .origin = "Django PBKDF2SHA1PasswordHasher",
	.identify = pbkdf2_sha1_identify, .describe = pbkdf2_sha1_describe,
	.cost = pbkdf2_sha1_cost,
	.verify = pbkdf2_sha1_verify,
};

const struct hash_family hash_family_django_bcrypt_sha256 = {
	.name = "django-bcrypt-sha256", .origin = "Django BCryptSHA256PasswordHasher",
	.identify = bcrypt_sha256_identify, .describe = bcrypt_sha256_describe,
	.cost = bcrypt_sha256_cost,
	.verify = bcrypt_sha256_verify,
};

const struct hash_family hash_family_django_argon2 = {
	.name = "django-argon2", .origin = "Django Argon2PasswordHasher (argon2-cffi)",
	.identify = django_argon2_identify, .describe = django_argon2_describe,
	.cost = django_argon2_cost,
	.verify = django_argon2_verify,
};
