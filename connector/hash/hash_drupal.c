/* hash_drupal.c: Drupal 7's $S$ hashes, and its "updated" U$ hashes.
 *
 * $S$ is phpass's construction over SHA-512 (includes/password.inc,
 * _password_crypt('sha512', ...); Drupal 8+ PhpassHashedPasswordBase):
 *   h = sha512(salt . password); 2^count times: h = sha512(h . password)
 * written as "$S$" + count + 8 salt + encode64(h), cut to DRUPAL_HASH_LENGTH
 * (55) characters, so 43 of the 86 hash characters are kept. Count 7..24;
 * passwords over 512 bytes are refused (PASSWORD_MAX_LENGTH). Written
 * (password_scheme = drupal7) as user_hash_password() writes it: count 15
 * (DRUPAL_HASH_COUNT), a new 8-character salt.
 *
 * U$ is what user_update_7000() left of Drupal 6's unsalted md5 column:
 * 'U' + a hash of md5(password) as 32 lower-case hex characters. Drupal's
 * user_check_password() accepts it over $S$, $P$ and $H$ alike. */
#include "hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "hash_phpass.h"
#include "secret.h"

#define DRUPAL_HASH_LENGTH 55
#define DRUPAL_SETTING 12          /* "$S$" + count + salt */
#define DRUPAL_SALT 8
#define DRUPAL_KEPT (DRUPAL_HASH_LENGTH - DRUPAL_SETTING)
#define DRUPAL_MIN_LOG2 7
/* Drupal reads up to 30 (2^30 SHA-512s: minutes); no site writes more than
 * 2^24, and a row that asks for more must not tie up the daemon */
#define DRUPAL_MAX_LOG2 24
#define DRUPAL_MAX_PASSWORD 512
/* DRUPAL_HASH_COUNT of Drupal 7's includes/password.inc: what
 * user_hash_password() writes, and what user_needs_new_hash() keeps */
#define DRUPAL_DEFAULT_LOG2 15

static bool drupal7_identify(const char *s)
{
	return strncmp(s, "$S$", 3) == 0 && strlen(s) == DRUPAL_HASH_LENGTH &&
	       enc_crypt64_only(s + 3, DRUPAL_HASH_LENGTH - 3);
}

static void drupal7_describe(const char *s, char *out, size_t outlen)
{
	int log2 = enc_crypt64_index(s[3]);

	if (log2 < DRUPAL_MIN_LOG2 || log2 > DRUPAL_MAX_LOG2)
		snprintf(out, outlen, "iterations=out of range");
	else
		snprintf(out, outlen, "iterations=%lu (2^%d) salt=%d chars", 1UL << log2, log2,
			 DRUPAL_SALT);
}

/* _password_crypt() with SHA-512; the stored hash keeps 55 characters */
static int drupal7_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
			  size_t pwlen)
{
	(void)ctx;
	if (!drupal7_identify(stored))
		return HASH_UNUSABLE;
	return hash_phpass_check(stored, "SHA512", 64, DRUPAL_MAX_LOG2, DRUPAL_MAX_PASSWORD,
				 DRUPAL_KEPT, password, pwlen);
}

/* user_hash_password(): cost is the log2 of the iteration count (0: 15,
 * Drupal 7's DRUPAL_HASH_COUNT; another count makes Drupal re-hash at the
 * next login). The salt is 6 random bytes in 8 characters of encode64, as
 * _password_generate_salt() makes it; the result is cut to 55 characters.
 * Drupal refuses to hash a password over 512 bytes: so does this. */
static int drupal7_generate(const char *password, size_t pwlen, unsigned long cost, char *out,
			    size_t outlen)
{
	if (cost == 0)
		cost = DRUPAL_DEFAULT_LOG2;
	if (cost < DRUPAL_MIN_LOG2 || cost > DRUPAL_MAX_LOG2 || pwlen > DRUPAL_MAX_PASSWORD)
		return -1;
	return hash_phpass_generate("$S$", "SHA512", 64, DRUPAL_KEPT, (int)cost, password, pwlen,
				    out, outlen);
}

/* --- U$: a hash of md5(password) ------------------------------------------ */

/* The family of the hash after the 'U', or NULL. */
static const struct hash_family *updated_inner(const char *s)
{
	if (s[0] != 'U')
		return NULL;
	if (drupal7_identify(s + 1))
		return &hash_family_drupal7;
	if (hash_family_phpass.identify(s + 1))   /* U$P$, U$H$ */
		return &hash_family_phpass;
	return NULL;
}

static bool updated_identify(const char *s)
{
	return updated_inner(s) != NULL;
}

static void updated_describe(const char *s, char *out, size_t outlen)
{
	const struct hash_family *f = updated_inner(s);
	char inner[128] = "";

	if (f == NULL) {
		snprintf(out, outlen, "malformed");
		return;
	}
	f->describe(s + 1, inner, sizeof(inner));
	snprintf(out, outlen, "%s over md5(password) %s", f->name, inner);
}

static int updated_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
			  size_t pwlen)
{
	const struct hash_family *f = updated_inner(stored);
	unsigned char md5[16];
	char hex[33];
	int rc = HASH_UNUSABLE;

	if (f == NULL)
		return HASH_UNUSABLE;
	/* PHP's md5(): lower-case hex */
	if (EVP_Digest(password, pwlen, md5, NULL, EVP_md5(), NULL) != 1 ||
	    enc_hex_encode(md5, sizeof(md5), hex, sizeof(hex)) != 32)
		goto out;
	rc = f->verify(ctx, stored + 1, hex, 32);
out:
	secret_wipe_array(md5);
	secret_wipe_array(hex);
	return rc;
}

static void updated_cost(const char *s, struct hash_cost *c)
{
	if (updated_inner(s) != NULL)
		hash_phpass_cost(s + 1, c);
}

const struct hash_family hash_family_drupal7 = {
	.name = "drupal7", .origin = "Drupal 7 and later ($S$, sha512 phpass)",
	.identify = drupal7_identify, .describe = drupal7_describe, .cost = hash_phpass_cost,
	.verify = drupal7_verify, .generate = drupal7_generate,
};

const struct hash_family hash_family_drupal7_updated = {
	.name = "drupal7-updated",
	.origin = "Drupal 7 user_update_7000(): Drupal 6 md5 hashes re-hashed (U$S$, U$P$, U$H$)",
	.identify = updated_identify, .describe = updated_describe, .cost = updated_cost,
	.verify = updated_verify,
};
