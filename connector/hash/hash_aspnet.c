/* hash_aspnet.c: ASP.NET Identity's PasswordHasher and the ASP.NET
 * Membership providers' "Hashed" password format.
 *
 * Identity (Microsoft.AspNet.Identity Crypto, ASP.NET Core PasswordHasher):
 * standard padded base64 of
 *   v2: 0x00 | salt (16) | PBKDF2-HMAC-SHA1, 1000 iterations, 32 bytes
 *   v3: 0x01 | PRF (u32 BE: 0 SHA1, 1 SHA256, 2 SHA512) | iterations (u32 BE)
 *       | salt length (u32 BE, >= 16) | salt | subkey (the rest, >= 16)
 * over the password's UTF-8 bytes (Encoding.UTF8).
 *
 * Membership (System.Web.Security.SqlMembershipProvider.EncodePassword,
 * PasswordFormat 1), the salt in its own base64 column:
 *   SHA1:       base64(SHA1(salt bytes | UTF-16LE(password)))
 *   HMACSHA256: base64(HMAC-SHA256(key, UTF-16LE(password))), where key is
 *               the salt repeated (or cut) to HMACSHA256's default key size,
 *               64 bytes: EncodePassword fills kha.Key, whose length is that
 *               of the random key new HMACSHA256() made (64, reference source
 *               hmacsha256.cs).
 * SHA1 is what the provider uses unless configured otherwise (or with
 * passwordCompatMode="Framework40", which takes the machineKey validation
 * algorithm, HMACSHA256 since .NET 4). The provider compares base64 strings
 * exactly, so only the canonical padded spelling can match. Both are only
 * base64 of 20 or 32 bytes, the same form as an application's own base64
 * SHA-1 or SHA-256 (hash_digest.c): by name only, and usable only with the
 * salt column (needs_salt).
 *
 * Linux hands us UTF-8 bytes; ASP.NET had decoded the form post with
 * Encoding.UTF8, which turns each maximal ill-formed subsequence into one
 * U+FFFD. We decode the same way before writing UTF-16LE. */
#include "hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "hash_kdf.h"
#include "secret.h"

#define ASPNET_MAX_DECODED (HASH_MAX / 4 * 3)
#define ASPNET_MAX_ITERATIONS 10000000UL
#define IDENTITY_V2_LEN 49          /* 1 + 16 + 32 */
#define IDENTITY_V3_HEADER 13
#define IDENTITY_MIN_SALT 16
#define IDENTITY_MIN_SUBKEY 16
#define MEMBERSHIP_MAX_SALT 256
#define HMACSHA256_KEY 64           /* new HMACSHA256(): Utils.GenerateRandom(64) */
#define IDENTITY_V3_ITERATIONS 100000UL /* ASP.NET Core 7 and later (HMAC-SHA512) */
#define IDENTITY_V3_MIN_WRITE 10000UL   /* ASP.NET Core 2 to 6 wrote this many */
#define MEMBERSHIP_SALT 16              /* SqlMembershipProvider.GenerateSalt */

/* Canonical padded base64 (what Convert.ToBase64String writes) of s into
 * out: its decoded length, or -1. */
static int b64_canonical(const char *s, unsigned char *out, size_t outlen)
{
	size_t n = strlen(s);

	if (n == 0 || n % 4 != 0)
		return -1;
	return enc_b64_decode(s, n, out, outlen);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* --- Identity --------------------------------------------------------------- */

struct identity_hash {
	unsigned char buf[ASPNET_MAX_DECODED];
	size_t len;
	const EVP_MD *md;
	const char *prf;
	unsigned long iterations;
	const unsigned char *salt, *subkey;
	size_t saltlen, subkeylen;
};

static bool identity_v2_parse(const char *stored, struct identity_hash *h)
{
	int n = b64_canonical(stored, h->buf, sizeof(h->buf));

	if (n != IDENTITY_V2_LEN || h->buf[0] != 0x00)
		return false;
	h->len = (size_t)n;
	h->md = EVP_sha1();
	h->prf = "HMAC-SHA1";
	h->iterations = 1000;
	h->salt = h->buf + 1;
	h->saltlen = 16;
	h->subkey = h->buf + 17;
	h->subkeylen = 32;
	return true;
}

/* The header only: identify() and verify() both need it. */
static bool identity_v3_parse(const char *stored, struct identity_hash *h)
{
	int n = b64_canonical(stored, h->buf, sizeof(h->buf));
	uint32_t prf, saltlen;

	if (n < IDENTITY_V3_HEADER + IDENTITY_MIN_SALT + IDENTITY_MIN_SUBKEY || h->buf[0] != 0x01)
		return false;
	h->len = (size_t)n;
	prf = be32(h->buf + 1);
	saltlen = be32(h->buf + 9);
	if (prf > 2 || saltlen < IDENTITY_MIN_SALT ||
	    saltlen > h->len - IDENTITY_V3_HEADER - IDENTITY_MIN_SUBKEY)
		return false;
	h->md = prf == 0 ? EVP_sha1() : prf == 1 ? EVP_sha256() : EVP_sha512();
	h->prf = prf == 0 ? "HMAC-SHA1" : prf == 1 ? "HMAC-SHA256" : "HMAC-SHA512";
	h->iterations = be32(h->buf + 5);
	h->salt = h->buf + IDENTITY_V3_HEADER;
	h->saltlen = saltlen;
	h->subkey = h->salt + saltlen;
	h->subkeylen = h->len - IDENTITY_V3_HEADER - saltlen;
	return true;
}

static int identity_verify(const struct identity_hash *h, const char *password, size_t pwlen)
{
	/* Identity reads the count as a signed int; 0 or negative throws */
	if (h->iterations < 1 || h->iterations > ASPNET_MAX_ITERATIONS)
		return HASH_UNUSABLE;
	return hash_pbkdf2_check(h->md, password, pwlen, h->salt, h->saltlen,
				 h->iterations, h->subkey, h->subkeylen);
}

static void identity_describe(const struct identity_hash *h, bool ok, char *out, size_t outlen)
{
	if (!ok)
		snprintf(out, outlen, "malformed");
	else
		snprintf(out, outlen, "prf=%s iterations=%lu salt=%zu bytes subkey=%zu bytes", h->prf,
			 h->iterations, h->saltlen, h->subkeylen);
}

static bool identity_v2_identify(const char *s)
{
	struct identity_hash h;

	return strlen(s) == 68 && identity_v2_parse(s, &h);
}

static bool identity_v3_identify(const char *s)
{
	struct identity_hash h;

	return identity_v3_parse(s, &h);
}

static int identity_v2_verify(const struct hash_ctx *ctx, const char *stored,
			      const char *password, size_t pwlen)
{
	struct identity_hash h;

	(void)ctx;
	if (!identity_v2_parse(stored, &h))
		return HASH_UNUSABLE;
	return identity_verify(&h, password, pwlen);
}

static int identity_v3_verify(const struct hash_ctx *ctx, const char *stored,
			      const char *password, size_t pwlen)
{
	struct identity_hash h;

	(void)ctx;
	if (!identity_v3_parse(stored, &h))
		return HASH_UNUSABLE;
	return identity_verify(&h, password, pwlen);
}

static void identity_v2_describe(const char *s, char *out, size_t outlen)
{
	struct identity_hash h;

	identity_describe(&h, identity_v2_parse(s, &h), out, outlen);
}

static void identity_v3_describe(const char *s, char *out, size_t outlen)
{
	struct identity_hash h;

	identity_describe(&h, identity_v3_parse(s, &h), out, outlen);
}

static void identity_v3_cost(const char *s, struct hash_cost *c)
{
	struct identity_hash h;

	if (identity_v3_parse(s, &h))
		c->iterations = h.iterations;
}

/* Put u32 v big-endian at p. */
static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Base64 of raw[0..n) into out, the subkey at raw + keyoff derived first
 * from the salt at raw + saltoff. 0, or -1. */
static int identity_write(const char *password, size_t pwlen, const EVP_MD *md,
			  unsigned long iterations, unsigned char *raw, size_t n,
			  size_t saltoff, size_t keyoff, char *out, size_t outlen)
{
	int rc = -1;

	if (pwlen > 0x7fffffff)
		return -1;
	hash_random(raw + saltoff, IDENTITY_MIN_SALT);
	if (PKCS5_PBKDF2_HMAC(password, (int)pwlen, raw + saltoff, IDENTITY_MIN_SALT,
			      (int)iterations, md, (int)(n - keyoff), raw + keyoff) == 1 &&
	    enc_b64_encode(raw, n, true, out, outlen) > 0)
		rc = 0;
	secret_wipe(raw, n);
	return rc;
}

/* What ASP.NET Identity 2 (Crypto.HashPassword) writes: no parameters. */
static int identity_v2_generate(const char *password, size_t pwlen, unsigned long cost,
				char *out, size_t outlen)
{
	unsigned char raw[IDENTITY_V2_LEN];

	if (cost != 0)
		return -1;
	raw[0] = 0x00;
	return identity_write(password, pwlen, EVP_sha1(), 1000, raw, sizeof(raw), 1, 17, out,
			      outlen);
}

/* What ASP.NET Core 7 and later write (PasswordHasherCompatibilityMode
 * IdentityV3): HMAC-SHA512, 16-byte salt, 32-byte subkey; cost is the
 * iteration count (0: 100,000, their default). */
static int identity_v3_generate(const char *password, size_t pwlen, unsigned long cost,
				char *out, size_t outlen)
{
	unsigned char raw[IDENTITY_V3_HEADER + IDENTITY_MIN_SALT + 32];

	if (cost == 0)
		cost = IDENTITY_V3_ITERATIONS;
	if (cost < IDENTITY_V3_MIN_WRITE || cost > ASPNET_MAX_ITERATIONS)
		return -1;
	raw[0] = 0x01;
	put_be32(raw + 1, 2);   /* KeyDerivationPrf.HMACSHA512 */
	put_be32(raw + 5, (uint32_t)cost);
	put_be32(raw + 9, IDENTITY_MIN_SALT);
	return identity_write(password, pwlen, EVP_sha512(), cost, raw, sizeof(raw),
			      IDENTITY_V3_HEADER, IDENTITY_V3_HEADER + IDENTITY_MIN_SALT, out,
			      outlen);
}

/* --- Membership ------------------------------------------------------------- */

/* The next code point of s[*i..n) as .NET's UTF-8 decoder reads it: a
 * well-formed sequence, or U+FFFD for the longest prefix of one that could
 * still have been well-formed (at least one byte). Moves *i past it. */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *i)
{
	unsigned char b = s[*i];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, k;
	uint32_t cp;

	(*i)++;
	if (b < 0x80)
		return b;
	if (b >= 0xc2 && b <= 0xdf) {
		need = 1;
		cp = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		need = 2;
		cp = b & 0x0f;
		if (b == 0xe0)
			lo = 0xa0;      /* no overlong forms */
		else if (b == 0xed)
			hi = 0x9f;      /* no surrogates */
	} else if (b >= 0xf0 && b <= 0xf4) {
		need = 3;
		cp = b & 0x07;
		if (b == 0xf0)
			lo = 0x90;
		else if (b == 0xf4)
			hi = 0x8f;      /* nothing above U+10FFFF */
	} else {
		return 0xfffd;
	}
	for (k = 0; k < need; k++) {
		if (*i >= n || s[*i] < lo || s[*i] > hi)
			return 0xfffd;  /* the byte at *i starts the next attempt */
		cp = cp << 6 | (s[*i] & 0x3f);
		(*i)++;
		lo = 0x80;
		hi = 0xbf;
	}
	return cp;
}

/* UTF-16LE of the UTF-8 password into a new buffer (*out, *outlen), which
 * the caller wipes and frees. 0, or -1 (no memory). */
static int utf16le_of_utf8(const char *pw, size_t pwlen, unsigned char **out, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)pw;
	unsigned char *u;
	size_t i = 0, o = 0;
	uint32_t cp;

	/* at most one UTF-16 unit per input byte (4 bytes give 2 units) */
	u = malloc(pwlen * 2 + 2);
	if (u == NULL)
		return -1;
	while (i < pwlen) {
		cp = utf8_next(s, pwlen, &i);
		if (cp >= 0x10000) {
			uint32_t hs = 0xd800 + ((cp - 0x10000) >> 10), ls = 0xdc00 + (cp & 0x3ff);

			u[o++] = (unsigned char)(hs & 0xff);
			u[o++] = (unsigned char)(hs >> 8);
			cp = ls;
		}
		u[o++] = (unsigned char)(cp & 0xff);
		u[o++] = (unsigned char)(cp >> 8);
	}
	*out = u;
	*outlen = o;
	return 0;
}

/* Convert.FromBase64String of the salt column: whitespace is skipped, the
 * rest must be padded base64. Its length, or -1. */
static int membership_salt(const char *salt, unsigned char *out, size_t outlen)
{
	char t[MEMBERSHIP_MAX_SALT * 2];
	size_t n = 0;

	if (salt == NULL)
		return -1;
	for (; *salt != '\0'; salt++) {
		if (*salt == ' ' || *salt == '\t' || *salt == '\r' || *salt == '\n')
			continue;
		if (n == sizeof(t) - 1)
			return -1;
		t[n++] = *salt;
	}
	t[n] = '\0';
	return b64_canonical(t, out, outlen);
}

/* The stored base64 must be exactly what Convert.ToBase64String writes for
 * a digest of dlen bytes. */
static bool membership_form(const char *s, size_t dlen, unsigned char *out)
{
	return strlen(s) == (dlen + 2) / 3 * 4 && b64_canonical(s, out, dlen) == (int)dlen;
}

static bool membership_sha1_identify(const char *s)
{
	unsigned char d[20];

	return membership_form(s, sizeof(d), d);
}

static bool membership_hmacsha256_identify(const char *s)
{
	unsigned char d[32];

	return membership_form(s, sizeof(d), d);
}

/* The digest EncodePassword computes over UTF-16LE(password) with salt:
 * SHA1(salt | pw), or HMAC-SHA256 keyed with the salt spread over 64 bytes. */
static int membership_digest(bool hmac, const unsigned char *salt, size_t saltlen,
			     const unsigned char *pw, size_t pwlen, unsigned char *out)
{
	unsigned char key[HMACSHA256_KEY];
	unsigned int outlen = 0;
	size_t i;
	int rc = -1;

	if (!hmac) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();

		if (md != NULL && EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1 &&
		    EVP_DigestUpdate(md, salt, saltlen) == 1 && EVP_DigestUpdate(md, pw, pwlen) == 1 &&
		    EVP_DigestFinal_ex(md, out, &outlen) == 1 && outlen == 20)
			rc = 0;
		EVP_MD_CTX_free(md);
		return rc;
	}
	/* kha.Key.Length == 64: equal, shorter (cut) or longer (repeated) salt */
	for (i = 0; i < sizeof(key); i++)
		key[i] = salt[i % saltlen];
	if (HMAC(EVP_sha256(), key, (int)sizeof(key), pw, pwlen, out, &outlen) != NULL &&
	    outlen == 32)
		rc = 0;
	secret_wipe_array(key);
	return rc;
}

static int membership_verify(bool hmac, const struct hash_ctx *ctx, const char *stored,
			     const char *password, size_t pwlen)
{
	size_t dlen = hmac ? 32 : 20, u16len = 0;
	unsigned char want[32], got[32], salt[MEMBERSHIP_MAX_SALT];
	unsigned char *u16 = NULL;
	int saltlen, rc = HASH_UNUSABLE;

	if (!membership_form(stored, dlen, want))
		goto out;
	saltlen = membership_salt(ctx->salt, salt, sizeof(salt));
	if (saltlen < 1)
		goto out;
	if (utf16le_of_utf8(password, pwlen, &u16, &u16len) != 0)
		goto out;
	if (membership_digest(hmac, salt, (size_t)saltlen, u16, u16len, got) != 0)
		goto out;
	rc = hash_equal(got, want, dlen) ? HASH_MATCH : HASH_MISMATCH;
out:
	if (u16 != NULL) {
		secret_wipe(u16, pwlen * 2 + 2);
		free(u16);
	}
	secret_wipe_array(got);
	return rc;
}

static int membership_sha1_verify(const struct hash_ctx *ctx, const char *stored,
				  const char *password, size_t pwlen)
{
	return membership_verify(false, ctx, stored, password, pwlen);
}

static int membership_hmacsha256_verify(const struct hash_ctx *ctx, const char *stored,
					const char *password, size_t pwlen)
{
	return membership_verify(true, ctx, stored, password, pwlen);
}

/* What CreateUser and ChangePassword write: a new 16-byte salt (base64, for
 * PasswordSalt), a tab, the base64 digest (for Password). No parameters. */
static int membership_generate(bool hmac, const char *password, size_t pwlen,
			       unsigned long cost, char *out, size_t outlen)
{
	unsigned char salt[MEMBERSHIP_SALT], d[32];
	unsigned char *u16 = NULL;
	size_t u16len = 0;
	char salt64[32], d64[48];
	int rc = -1, n;

	if (cost != 0)
		return -1;
	hash_random(salt, sizeof(salt));
	if (utf16le_of_utf8(password, pwlen, &u16, &u16len) != 0)
		return -1;
	if (membership_digest(hmac, salt, sizeof(salt), u16, u16len, d) == 0 &&
	    enc_b64_encode(salt, sizeof(salt), true, salt64, sizeof(salt64)) > 0 &&
	    enc_b64_encode(d, hmac ? 32 : 20, true, d64, sizeof(d64)) > 0) {
		n = snprintf(out, outlen, "%s\t%s", salt64, d64);
		rc = n > 0 && (size_t)n < outlen ? 0 : -1;
	}
	secret_wipe(u16, pwlen * 2 + 2);
	free(u16);
	secret_wipe_array(d);
	secret_wipe_array(d64);
	return rc;
}

static int membership_sha1_generate(const char *password, size_t pwlen, unsigned long cost,
				    char *out, size_t outlen)
{
	return membership_generate(false, password, pwlen, cost, out, outlen);
}

static int membership_hmacsha256_generate(const char *password, size_t pwlen,
					  unsigned long cost, char *out, size_t outlen)
{
	return membership_generate(true, password, pwlen, cost, out, outlen);
}

static void membership_sha1_describe(const char *s, char *out, size_t outlen)
{
	(void)s;
	snprintf(out, outlen, "SHA1(salt | UTF-16LE password), salt from the salt column");
}

static void membership_hmacsha256_describe(const char *s, char *out, size_t outlen)
{
	(void)s;
	snprintf(out, outlen, "HMAC-SHA256(salt repeated to 64 bytes, UTF-16LE password), "
			      "salt from the salt column");
}

const struct hash_family hash_family_aspnet_identity_v2 = {
	.name = "aspnet-identity-v2", .origin = "ASP.NET Identity 2 PasswordHasher (Crypto.HashPassword)",
	.identify = identity_v2_identify, .describe = identity_v2_describe,
	.verify = identity_v2_verify, .generate = identity_v2_generate,
};

const struct hash_family hash_family_aspnet_identity_v3 = {
	.name = "aspnet-identity-v3", .origin = "ASP.NET Core Identity PasswordHasher (v3)",
	.identify = identity_v3_identify, .describe = identity_v3_describe,
	.cost = identity_v3_cost,
	.verify = identity_v3_verify, .generate = identity_v3_generate,
};

const struct hash_family hash_family_aspnet_membership_sha1 = {
	.name = "aspnet-membership-sha1",
	.origin = "ASP.NET SqlMembershipProvider, passwordFormat Hashed, SHA1 (the default)",
	.by_name_only = true, .needs_salt = true, .writes_salt = true,
	.identify = membership_sha1_identify, .describe = membership_sha1_describe,
	.verify = membership_sha1_verify, .generate = membership_sha1_generate,
};

const struct hash_family hash_family_aspnet_membership_hmacsha256 = {
	.name = "aspnet-membership-hmacsha256",
	.origin = "ASP.NET SqlMembershipProvider/DefaultMembershipProvider, hashAlgorithmType HMACSHA256",
	.by_name_only = true, .needs_salt = true, .writes_salt = true,
	.identify = membership_hmacsha256_identify, .describe = membership_hmacsha256_describe,
	.verify = membership_hmacsha256_verify, .generate = membership_hmacsha256_generate,
};
