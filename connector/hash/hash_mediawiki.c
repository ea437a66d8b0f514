/* hash_mediawiki.c: MediaWiki's password types (includes/password/), checked
 * as MediaWiki's Password::verify() does: hash the password again with the
 * stored parameters and compare the whole strings, so only the spelling
 * MediaWiki writes can match.
 *
 *   :pbkdf2:<algo>:<rounds>:<length>:<salt>:<hash>   Pbkdf2Password (the
 *       default since 1.24: sha512, 30000, 64): salt and hash are padded
 *       base64, the hash hash_pbkdf2(algo, password, salt, rounds, length)
 *   :B:<salt>:<md5 hex>   MWSaltedPassword: md5(salt . "-" . md5(password)),
 *       lower-case hex (wikis from before 1.24)
 *   :A:<md5 hex>          MWOldPassword: md5(password); ":A:<salt>:<hex>"
 *       is read as :B: (an old MediaWiki bug wrote them so)
 *
 * MediaWiki keeps them in user.user_password, prefix and all. */
#include "hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "hash_kdf.h"
#include "secret.h"

#define MW_PBKDF2_PREFIX ":pbkdf2:"
#define MW_MAX_ROUNDS 10000000UL
#define MW_MIN_WRITE_ROUNDS 1000UL
/* $wgPasswordConfig['pbkdf2'] in MediaWiki 1.39 */
#define MW_DEFAULT_ROUNDS 30000UL
#define MW_DEFAULT_LENGTH 64
#define MW_SALT_BYTES 16     /* base64_encode(random_bytes(16)) */
#define MW_MAX_FIELD 128

/* One parsed :pbkdf2: string. */
struct mw_pbkdf2 {
	const EVP_MD *md;
	char algo[16];
	unsigned long rounds, length;
	unsigned char salt[MW_MAX_FIELD], dk[HASH_KDF_MAX_DK];
	size_t saltlen;
};

/* Split s at ':' into at most max fields (pointers into a copy in buf):
 * the number of fields. */
static size_t mw_split(const char *s, char *buf, size_t buflen, char **field, size_t max)
{
	size_t n = 0;
	char *p;

	if (strlen(s) >= buflen)
		return 0;
	strcpy(buf, s);
	p = buf;
	while (n < max) {
		field[n++] = p;
		p = strchr(p, ':');
		if (p == NULL)
			return n;
		*p++ = '\0';
	}
	return max + 1;   /* more than max */
}

/* Decimal 1..max, digits only, no leading zero. */
static bool mw_number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (s[0] < '1' || s[0] > '9' || strlen(s) > 10)
		return false;
	*out = strtoul(s, &end, 10);
	return *end == '\0' && *out <= max;
}

static const EVP_MD *mw_md(const char *algo)
{
	if (strcmp(algo, "sha512") == 0)
		return EVP_sha512();
	if (strcmp(algo, "sha384") == 0)
		return EVP_sha384();
	if (strcmp(algo, "sha256") == 0)
		return EVP_sha256();
	if (strcmp(algo, "sha1") == 0)
		return EVP_sha1();
	return NULL;
}

/* Padded base64 as PHP's base64_encode writes it, of exactly want bytes
 * (or of 1..max bytes when want is 0): the byte count, or -1. */
static int mw_b64(const char *s, size_t want, unsigned char *out, size_t max)
{
	size_t n = strlen(s);
	int got;

	if (n == 0 || n % 4 != 0)
		return -1;
	got = enc_b64_decode(s, n, out, max);
	if (got <= 0 || (want != 0 && (size_t)got != want))
		return -1;
	return got;
}

static bool mw_pbkdf2_parse(const char *stored, struct mw_pbkdf2 *p)
{
	char buf[HASH_MAX], *f[8];
	int saltlen;

	if (strncmp(stored, MW_PBKDF2_PREFIX, sizeof(MW_PBKDF2_PREFIX) - 1) != 0)
		return false;
	/* algo rounds length salt hash */
	if (mw_split(stored + sizeof(MW_PBKDF2_PREFIX) - 1, buf, sizeof(buf), f, 5) != 5)
		return false;
	p->md = mw_md(f[0]);
	if (p->md == NULL || !mw_number(f[1], MW_MAX_ROUNDS, &p->rounds) ||
	    !mw_number(f[2], HASH_KDF_MAX_DK, &p->length))
		return false;
	snprintf(p->algo, sizeof(p->algo), "%s", f[0]);
	saltlen = mw_b64(f[3], 0, p->salt, sizeof(p->salt));
	if (saltlen < 0 || mw_b64(f[4], p->length, p->dk, sizeof(p->dk)) < 0)
		return false;
	p->saltlen = (size_t)saltlen;
	return true;
}

static bool mw_pbkdf2_identify(const char *s)
{
	return strncmp(s, MW_PBKDF2_PREFIX, sizeof(MW_PBKDF2_PREFIX) - 1) == 0;
}

static void mw_pbkdf2_describe(const char *s, char *out, size_t outlen)
{
	struct mw_pbkdf2 p;

	if (!mw_pbkdf2_parse(s, &p))
		snprintf(out, outlen, "malformed");
	else
		snprintf(out, outlen, "digest=%s iterations=%lu length=%lu bytes salt=%zu bytes",
			 p.algo, p.rounds, p.length, p.saltlen);
	secret_wipe(&p, sizeof(p));
}

static void mw_pbkdf2_cost(const char *s, struct hash_cost *c)
{
	struct mw_pbkdf2 p;

	if (!mw_pbkdf2_parse(s, &p)) {
		c->unreadable = true;
		return;
	}
	c->iterations = hash_pbkdf2_work(p.md, p.rounds, p.length);
}

static int mw_pbkdf2_verify(const struct hash_ctx *ctx, const char *stored,
			    const char *password, size_t pwlen)
{
	struct mw_pbkdf2 p;
	int rc;

	(void)ctx;
	if (!mw_pbkdf2_parse(stored, &p))
		return HASH_UNUSABLE;
	rc = hash_pbkdf2_check(p.md, password, pwlen, p.salt, p.saltlen, p.rounds, p.dk,
			       p.length);
	secret_wipe(&p, sizeof(p));
	return rc;
}

/* rounds 0: MediaWiki 1.39's default; sha512, 64 bytes, as it writes. */
static int mw_pbkdf2_generate(const char *password, size_t pwlen, unsigned long rounds,
			      char *out, size_t outlen)
{
	char salt64[32], dk64[100];
	int n;

	if (rounds == 0)
		rounds = MW_DEFAULT_ROUNDS;
	if (rounds < MW_MIN_WRITE_ROUNDS || rounds > MW_MAX_ROUNDS ||
	    hash_pbkdf2_new_b64(EVP_sha512(), password, pwlen, rounds, MW_SALT_BYTES,
				MW_DEFAULT_LENGTH, salt64, sizeof(salt64), dk64, sizeof(dk64)) != 0)
		return -1;
	n = snprintf(out, outlen, MW_PBKDF2_PREFIX "sha512:%lu:%d:%s:%s", rounds,
		     MW_DEFAULT_LENGTH, salt64, dk64);
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* --- :B: and :A: ------------------------------------------------------------ */

/* The salt (NULL for an unsalted :A:) and the 32 lower-case hex digits of
 * s, which begins with `prefix`; false when s is not of that form. The salt
 * may be empty but holds no ':'. */
static bool mw_md5_parse(const char *s, const char *prefix, bool salt_optional,
			 const char **salt, size_t *saltlen, const char **hex)
{
	size_t plen = strlen(prefix), n;
	const char *rest = s + plen, *colon;

	if (strncmp(s, prefix, plen) != 0)
		return false;
	colon = strchr(rest, ':');
	if (colon == NULL && !salt_optional)
		return false;
	if (colon != NULL && strchr(colon + 1, ':') != NULL)
		return false;
	*salt = colon != NULL ? rest : NULL;
	*saltlen = colon != NULL ? (size_t)(colon - rest) : 0;
	*hex = colon != NULL ? colon + 1 : rest;
	n = strspn(*hex, "0123456789abcdef");
	return n == 32 && (*hex)[32] == '\0' && *saltlen <= MW_MAX_FIELD;
}

static bool mw_b_identify(const char *s)
{
	const char *salt, *hex;
	size_t saltlen;

	return mw_md5_parse(s, ":B:", false, &salt, &saltlen, &hex);
}

static bool mw_a_identify(const char *s)
{
	const char *salt, *hex;
	size_t saltlen;

	return mw_md5_parse(s, ":A:", true, &salt, &saltlen, &hex);
}

/* md5 hex of (salt "-")? text into out (33 bytes). */
static bool md5_hex(const char *salt, size_t saltlen, const char *text, size_t textlen,
		    char *out)
{
	unsigned char d[16];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool ok = c != NULL && EVP_DigestInit_ex2(c, EVP_md5(), NULL) &&
		  (salt == NULL || (EVP_DigestUpdate(c, salt, saltlen) &&
				    EVP_DigestUpdate(c, "-", 1))) &&
		  EVP_DigestUpdate(c, text, textlen) && EVP_DigestFinal_ex(c, d, NULL) &&
		  enc_hex_encode(d, sizeof(d), out, 33) == 32;

	EVP_MD_CTX_free(c);
	secret_wipe_array(d);
	return ok;
}

static int mw_md5_verify(const char *stored, const char *prefix, bool salt_optional,
			 const char *password, size_t pwlen)
{
	const char *salt, *hex;
	size_t saltlen;
	char inner[33], got[33];
	int rc = HASH_UNUSABLE;

	if (!mw_md5_parse(stored, prefix, salt_optional, &salt, &saltlen, &hex))
		return HASH_UNUSABLE;
	if (salt == NULL ? md5_hex(NULL, 0, password, pwlen, got) :
			   md5_hex(NULL, 0, password, pwlen, inner) &&
				   md5_hex(salt, saltlen, inner, 32, got))
		rc = hash_equal(got, hex, 32) ? HASH_MATCH : HASH_MISMATCH;
	secret_wipe_array(inner);
	secret_wipe_array(got);
	return rc;
}

static int mw_b_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
		       size_t pwlen)
{
	(void)ctx;
	return mw_md5_verify(stored, ":B:", false, password, pwlen);
}

static int mw_a_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
		       size_t pwlen)
{
	(void)ctx;
	return mw_md5_verify(stored, ":A:", true, password, pwlen);
}

static void mw_md5_describe(const char *s, char *out, size_t outlen)
{
	const char *salt, *hex;
	size_t saltlen;

	if (!mw_md5_parse(s, s[1] == 'A' ? ":A:" : ":B:", s[1] == 'A', &salt, &saltlen, &hex))
		snprintf(out, outlen, "malformed");
	else if (salt == NULL)
		snprintf(out, outlen, "md5(password), unsalted");
	else
		snprintf(out, outlen, "md5(salt-md5(password)) salt=%zu chars", saltlen);
}

const struct hash_family hash_family_mediawiki_pbkdf2 = {
	.name = "mediawiki-pbkdf2", .origin = "MediaWiki Pbkdf2Password (the default since 1.24)",
	.identify = mw_pbkdf2_identify, .describe = mw_pbkdf2_describe, .cost = mw_pbkdf2_cost,
	.verify = mw_pbkdf2_verify, .generate = mw_pbkdf2_generate,
};

const struct hash_family hash_family_mediawiki_b = {
	.name = "mediawiki-b", .origin = "MediaWiki MWSaltedPassword (:B:, before 1.24)",
	.identify = mw_b_identify, .describe = mw_md5_describe, .verify = mw_b_verify,
};

const struct hash_family hash_family_mediawiki_a = {
	.name = "mediawiki-a", .origin = "MediaWiki MWOldPassword (:A:, unsalted md5)",
	.identify = mw_a_identify, .describe = mw_md5_describe, .verify = mw_a_verify,
};
