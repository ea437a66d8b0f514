/* hash_digest.c: bare digests and plaintext, by name only.
 *
 * A column of 32 hex characters could be md5(password), md5(salt . password)
 * or anything else; only the administrator knows, and says so with
 * [legacy] password_scheme_read. So these families are never picked by
 * form: identify() says only whether the string could be one (length and
 * alphabet).
 *
 * "<digest>-<enc>" is enc(digest(password)); "-salt-before" and
 * "-salt-after" put the query's `salt` column before or after the password.
 * digest: md5 sha1 sha256 sha512; enc: hex (either case read) or base64
 * (padding optional). "plaintext" compares the whole string. */
#include "hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "secret.h"

enum salt_place { SALT_NONE, SALT_BEFORE, SALT_AFTER };

struct digest_form {
	const EVP_MD *(*md)(void);
	size_t dlen;         /* digest bytes */
	bool base64;         /* else hex */
};

static const struct digest_form form_md5_hex = { EVP_md5, 16, false };
static const struct digest_form form_sha1_hex = { EVP_sha1, 20, false };
static const struct digest_form form_sha256_hex = { EVP_sha256, 32, false };
static const struct digest_form form_sha512_hex = { EVP_sha512, 64, false };
static const struct digest_form form_md5_base64 = { EVP_md5, 16, true };
static const struct digest_form form_sha1_base64 = { EVP_sha1, 20, true };
static const struct digest_form form_sha256_base64 = { EVP_sha256, 32, true };
static const struct digest_form form_sha512_base64 = { EVP_sha512, 64, true };

/* The stored digest's bytes into out (EVP_MAX_MD_SIZE), or false. */
static bool digest_decode(const struct digest_form *f, const char *s, unsigned char *out)
{
	size_t n = strlen(s);
	size_t padded = (f->dlen + 2) / 3 * 4, bare = (f->dlen * 4 + 2) / 3;

	if (!f->base64)
		return n == f->dlen * 2 &&
		       enc_hex_decode(s, n, out, EVP_MAX_MD_SIZE) == (int)f->dlen;
	return (n == padded || n == bare) &&
	       enc_b64_decode(s, n, out, EVP_MAX_MD_SIZE) == (int)f->dlen;
}

static bool digest_identify(const struct digest_form *f, const char *s)
{
	unsigned char d[EVP_MAX_MD_SIZE];

	return digest_decode(f, s, d);
}

static int digest_verify(const struct digest_form *f, enum salt_place where,
			 const struct hash_ctx *ctx, const char *stored, const char *password,
			 size_t pwlen)
{
	unsigned char want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	const char *salt = ctx->salt;
	size_t saltlen = salt != NULL ? strlen(salt) : 0;
	EVP_MD_CTX *c;
	int rc = HASH_UNUSABLE;

	if (!digest_decode(f, stored, want))
		return HASH_UNUSABLE;
	if (where != SALT_NONE && saltlen == 0)
		return HASH_UNUSABLE;
	c = EVP_MD_CTX_new();
	if (c == NULL)
		return HASH_UNUSABLE;
	if (EVP_DigestInit_ex2(c, f->md(), NULL) &&
	    (where != SALT_BEFORE || EVP_DigestUpdate(c, salt, saltlen)) &&
	    EVP_DigestUpdate(c, password, pwlen) &&
	    (where != SALT_AFTER || EVP_DigestUpdate(c, salt, saltlen)) &&
	    EVP_DigestFinal_ex(c, got, NULL))
		rc = hash_equal(got, want, f->dlen) ? HASH_MATCH : HASH_MISMATCH;
	EVP_MD_CTX_free(c);
	secret_wipe_array(got);
	return rc;
}

#define DIGEST_VERIFY(fn, form, where) \
	static int fn(const struct hash_ctx *ctx, const char *s, const char *pw, size_t pwlen) \
	{ \
		return digest_verify(&form, where, ctx, s, pw, pwlen); \
	}

#define DIGEST_OBJECT(var, nm, id, vf, salted) \
	const struct hash_family var = { \
		.name = nm, .origin = "an application's own digest of the password", \
		.by_name_only = true, .needs_salt = salted, .identify = id, .verify = vf, \
	};

/* The three families of one digest and encoding. */
#define DIGEST_FAMILIES(dg, enc) \
	static bool identify_##dg##_##enc(const char *s) \
	{ \
		return digest_identify(&form_##dg##_##enc, s); \
	} \
	DIGEST_VERIFY(verify_##dg##_##enc, form_##dg##_##enc, SALT_NONE) \
	DIGEST_VERIFY(verify_##dg##_##enc##_before, form_##dg##_##enc, SALT_BEFORE) \
	DIGEST_VERIFY(verify_##dg##_##enc##_after, form_##dg##_##enc, SALT_AFTER) \
	DIGEST_OBJECT(hash_family_##dg##_##enc, #dg "-" #enc, identify_##dg##_##enc, \
		      verify_##dg##_##enc, false) \
	DIGEST_OBJECT(hash_family_##dg##_##enc##_salt_before, #dg "-" #enc "-salt-before", \
		      identify_##dg##_##enc, verify_##dg##_##enc##_before, true) \
	DIGEST_OBJECT(hash_family_##dg##_##enc##_salt_after, #dg "-" #enc "-salt-after", \
		      identify_##dg##_##enc, verify_##dg##_##enc##_after, true)

DIGEST_FAMILIES(md5, hex)
DIGEST_FAMILIES(sha1, hex)
DIGEST_FAMILIES(sha256, hex)
DIGEST_FAMILIES(sha512, hex)
DIGEST_FAMILIES(md5, base64)
DIGEST_FAMILIES(sha1, base64)
DIGEST_FAMILIES(sha256, base64)
DIGEST_FAMILIES(sha512, base64)

/* --- plaintext ------------------------------------------------------------- */

static bool plaintext_identify(const char *s)
{
	return s[0] != '\0';
}

/* Both strings are copied into zeroed buffers of HASH_MAX bytes and compared
 * whole, so the time says nothing of where they differ; the lengths are
 * compared apart (a password is never a prefix of the stored string). */
static int plaintext_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
			    size_t pwlen)
{
	char a[HASH_MAX] = { 0 }, b[HASH_MAX] = { 0 };
	size_t slen = strlen(stored);
	bool same;

	(void)ctx;
	if (slen == 0 || slen >= HASH_MAX)
		return HASH_UNUSABLE;
	memcpy(a, stored, slen);
	memcpy(b, password, pwlen < HASH_MAX ? pwlen : HASH_MAX);
	same = hash_equal(a, b, sizeof(a));
	secret_wipe_array(a);
	secret_wipe_array(b);
	return same && pwlen == slen ? HASH_MATCH : HASH_MISMATCH;
}

const struct hash_family hash_family_plaintext = {
	.name = "plaintext", .origin = "an application that kept the password itself",
	.by_name_only = true, .identify = plaintext_identify, .verify = plaintext_verify,
};

/* --- Redmine ---------------------------------------------------------------- */

/* Redmine's User#salt_password (app/models/user.rb, 1.2 to 5.x):
 * hashed_password = sha1_hex(salt + sha1_hex(password)), the salt (32 hex
 * digits) in users.salt. Redmine compares the lower-case hex strings, and
 * check_password? interpolates "#{salt}": a NULL salt is the empty string
 * (sha1_hex(sha1_hex(password))), not a missing one. */
static bool redmine_identify(const char *s)
{
	return strlen(s) == 40 && strspn(s, "0123456789abcdef") == 40;
}

static int redmine_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
			  size_t pwlen)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	char inner[41], got[41];
	EVP_MD_CTX *c;
	int rc = HASH_UNUSABLE;

	const char *salt = ctx->salt != NULL ? ctx->salt : "";

	if (!redmine_identify(stored))
		return HASH_UNUSABLE;
	if (EVP_Digest(password, pwlen, d, NULL, EVP_sha1(), NULL) != 1 ||
	    enc_hex_encode(d, 20, inner, sizeof(inner)) != 40)
		goto out;
	c = EVP_MD_CTX_new();
	if (c != NULL && EVP_DigestInit_ex2(c, EVP_sha1(), NULL) &&
	    EVP_DigestUpdate(c, salt, strlen(salt)) && EVP_DigestUpdate(c, inner, 40) &&
	    EVP_DigestFinal_ex(c, d, NULL) && enc_hex_encode(d, 20, got, sizeof(got)) == 40)
		rc = hash_equal(got, stored, 40) ? HASH_MATCH : HASH_MISMATCH;
	EVP_MD_CTX_free(c);
out:
	secret_wipe_array(d);
	secret_wipe_array(inner);
	secret_wipe_array(got);
	return rc;
}

/* Redmine's User#salt_password: a new salt of 32 hex digits
 * (Redmine::Utils.random_hex(16)), a tab, the hash. */
static int redmine_generate(const char *password, size_t pwlen, unsigned long cost, char *out,
			    size_t outlen)
{
	unsigned char raw[16], d[EVP_MAX_MD_SIZE];
	char salt[33], inner[41], buf[80];
	EVP_MD_CTX *c = NULL;
	int rc = -1;

	if (cost != 0 || outlen < 32 + 1 + 40 + 1)
		return -1;
	hash_random(raw, sizeof(raw));
	if (enc_hex_encode(raw, sizeof(raw), salt, sizeof(salt)) != 32 ||
	    EVP_Digest(password, pwlen, d, NULL, EVP_sha1(), NULL) != 1 ||
	    enc_hex_encode(d, 20, inner, sizeof(inner)) != 40)
		goto out;
	c = EVP_MD_CTX_new();
	if (c != NULL && EVP_DigestInit_ex2(c, EVP_sha1(), NULL) &&
	    EVP_DigestUpdate(c, salt, 32) && EVP_DigestUpdate(c, inner, 40) &&
	    EVP_DigestFinal_ex(c, d, NULL) && enc_hex_encode(d, 20, buf, 41) == 40) {
		snprintf(out, outlen, "%s\t%s", salt, buf);
		rc = 0;
	}
out:
	EVP_MD_CTX_free(c);
	secret_wipe_array(d);
	secret_wipe_array(inner);
	secret_wipe_array(buf);
	return rc;
}

static void redmine_describe(const char *s, char *out, size_t outlen)
{
	(void)s;
	snprintf(out, outlen, "sha1_hex(salt + sha1_hex(password)), salt from the salt column "
			      "(NULL: empty)");
}

const struct hash_family hash_family_redmine = {
	.name = "redmine", .origin = "Redmine User#salt_password (users.salt column)",
	.by_name_only = true, .writes_salt = true, .identify = redmine_identify,
	.describe = redmine_describe, .verify = redmine_verify, .generate = redmine_generate,
};
