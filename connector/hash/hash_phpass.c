/* hash_phpass.c: phpass "portable" hashes: $P$ (phpass, WordPress before
 * 6.8, Drupal 6 modules) and $H$ (phpBB3), one algorithm under two prefixes.
 *
 * "$P$", one crypt64 character giving log2 of the iteration count, 8 of salt,
 * then 22 of phpass's encode64() of an MD5 stretched as crypt_private() does:
 *   h = md5(salt . password); 2^count times: h = md5(h . password)
 * The checks are those of phpass's CheckPassword(), as WordPress ships it
 * (wp-includes/class-phpass.php) and phpBB3's phpbb_check_hash(): count
 * 7..24 (phpass reads 30; see PHPASS_MAX_LOG2), 8 salt bytes, the whole 34-byte string compared, passwords over 4096
 * bytes refused. */
#include "hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "hash_phpass.h"
#include "secret.h"

#define PHPASS_LEN 34              /* "$P$" + count + salt + hash */
#define PHPASS_SALT 8
#define PHPASS_HASH_CHARS 22       /* encode64 of 16 bytes */
#define PHPASS_MIN_LOG2 7          /* crypt_private() refuses anything else */
/* phpass itself reads up to 30 (2^30 MD5s: minutes); no application writes
 * more than 2^24, and a row that asks for more must not tie up the daemon */
#define PHPASS_MAX_LOG2 24
/* WordPress's PasswordHash(8, true) writes 8 + 5 on PHP >= 5 ("$P$B") */
#define PHPASS_DEFAULT_LOG2 13
#define PHPASS_MAX_PASSWORD 4096   /* CheckPassword() and HashPassword() refuse more */

/* The form only; the count is checked by verify (an absurd count is the
 * family's string, unusable, not someone else's). */
static bool phpass_identify(const char *s)
{
	return (strncmp(s, "$P$", 3) == 0 || strncmp(s, "$H$", 3) == 0) &&
	       strlen(s) == PHPASS_LEN && enc_crypt64_only(s + 3, PHPASS_LEN - 3);
}

static void phpass_describe(const char *s, char *out, size_t outlen)
{
	int log2 = enc_crypt64_index(s[3]);

	if (log2 < PHPASS_MIN_LOG2 || log2 > PHPASS_MAX_LOG2)
		snprintf(out, outlen, "variant=%.3s iterations=out of range", s);
	else
		snprintf(out, outlen, "variant=%.3s iterations=%lu (2^%d) salt=%d chars", s,
			 1UL << log2, log2, PHPASS_SALT);
}

void hash_phpass_cost(const char *s, struct hash_cost *c)
{
	int log2 = enc_crypt64_index(s[3]);

	if (log2 >= 0)
		c->iterations = 1UL << log2;
}

int hash_phpass_stretch(const char *digest, const char *salt, size_t saltlen, int log2,
			const char *password, size_t pwlen, unsigned char *out, size_t outlen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_MD *md = EVP_MD_fetch(NULL, digest, NULL);
	unsigned long n = 1UL << log2;
	int ok = c != NULL && md != NULL && (size_t)EVP_MD_get_size(md) == outlen;

	ok = ok && EVP_DigestInit_ex2(c, md, NULL) && EVP_DigestUpdate(c, salt, saltlen) &&
	     EVP_DigestUpdate(c, password, pwlen) && EVP_DigestFinal_ex(c, out, NULL);
	while (ok && n-- > 0)
		ok = EVP_DigestInit_ex2(c, md, NULL) && EVP_DigestUpdate(c, out, outlen) &&
		     EVP_DigestUpdate(c, password, pwlen) && EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
	EVP_MD_free(md);
	return ok ? 0 : -1;
}

int hash_phpass_check(const char *stored, const char *digest, size_t mdlen, int max_log2,
		      size_t max_password, size_t kept, const char *password, size_t pwlen)
{
	unsigned char h[64];
	char enc[88];   /* encode64 of up to 64 bytes: 86 characters */
	size_t enclen = (mdlen * 4 + 2) / 3;
	int log2 = enc_crypt64_index(stored[3]), rc = HASH_UNUSABLE;

	if (log2 < PHPASS_MIN_LOG2 || log2 > max_log2 || mdlen > sizeof(h) || kept > enclen)
		return HASH_UNUSABLE;
	if (pwlen > max_password)
		return HASH_MISMATCH;
	if (hash_phpass_stretch(digest, stored + 4, PHPASS_SALT, log2, password, pwlen, h,
				mdlen) != 0)
		goto out;
	if (enc_crypt64_encode(h, mdlen, enc, sizeof(enc)) != (int)enclen)
		goto out;
	rc = hash_equal(enc, stored + 4 + PHPASS_SALT, kept) ? HASH_MATCH : HASH_MISMATCH;
out:
	secret_wipe_array(h);
	secret_wipe_array(enc);
	return rc;
}

static int phpass_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
			 size_t pwlen)
{
	(void)ctx;
	if (!phpass_identify(stored))
		return HASH_UNUSABLE;
	return hash_phpass_check(stored, "MD5", 16, PHPASS_MAX_LOG2, PHPASS_MAX_PASSWORD,
				 PHPASS_HASH_CHARS, password, pwlen);
}

int hash_phpass_generate(const char *prefix, const char *digest, size_t mdlen, size_t kept,
			 int log2, const char *password, size_t pwlen, char *out, size_t outlen)
{
	unsigned char raw[6], h[64];
	char enc[88];
	size_t enclen = (mdlen * 4 + 2) / 3;
	int rc = -1;

	if (mdlen > sizeof(h) || kept > enclen || outlen < 4 + PHPASS_SALT + kept + 1)
		return -1;
	hash_random(raw, sizeof(raw));
	memcpy(out, prefix, 3);
	out[3] = enc_crypt64_alphabet[log2];
	if (enc_crypt64_encode(raw, sizeof(raw), out + 4, outlen - 4) != PHPASS_SALT ||
	    hash_phpass_stretch(digest, out + 4, PHPASS_SALT, log2, password, pwlen, h, mdlen) != 0 ||
	    enc_crypt64_encode(h, mdlen, enc, sizeof(enc)) != (int)enclen)
		goto out;
	memcpy(out + 4 + PHPASS_SALT, enc, kept);
	out[4 + PHPASS_SALT + kept] = '\0';
	rc = 0;
out:
	secret_wipe_array(h);
	secret_wipe_array(enc);
	return rc;
}

/* cost: log2 of the iteration count, the character after "$P$" (7..30);
 * 0 is 13, what WordPress writes. */
static int phpass_generate(const char *password, size_t pwlen, unsigned long cost, char *out,
			   size_t outlen)
{
	if (cost == 0)
		cost = PHPASS_DEFAULT_LOG2;
	if (cost < PHPASS_MIN_LOG2 || cost > PHPASS_MAX_LOG2 || pwlen > PHPASS_MAX_PASSWORD)
		return -1;
	return hash_phpass_generate("$P$", "MD5", 16, PHPASS_HASH_CHARS, (int)cost, password,
				    pwlen, out, outlen);
}

const struct hash_family hash_family_phpass = {
	.name = "phpass",
	.origin = "phpass portable hashes: WordPress before 6.8 ($P$), phpBB3 ($H$), Drupal imports",
	.identify = phpass_identify, .describe = phpass_describe, .cost = hash_phpass_cost, .verify = phpass_verify,
	.generate = phpass_generate,
};
