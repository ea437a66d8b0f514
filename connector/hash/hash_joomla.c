/* hash_joomla.c: Joomla's salted md5 "<32 hex>:<salt>", md5(password . salt).
 *
 * Joomla 1.0.13+ wrote a 16-character salt, Joomla 1.5 to 3.x a
 * 32-character one (JUserHelper::genRandomPassword(32), "md5-hex"), both
 * alphanumeric; PHP's md5() writes lower-case hex and Joomla compares the
 * whole string, so only that form is taken. Other applications write the
 * same shape with the salt first (osCommerce: md5(salt . password) with a
 * 2-character salt); those salt lengths are left alone. */
#include "hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "secret.h"

#define JOOMLA_MD5_HEX 32

static bool lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool alnum(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

static bool joomla_identify(const char *s)
{
	size_t n = strlen(s), saltlen = n > JOOMLA_MD5_HEX + 1 ? n - JOOMLA_MD5_HEX - 1 : 0;

	return (saltlen == 16 || saltlen == 32) && s[JOOMLA_MD5_HEX] == ':' &&
	       lower_hex(s, JOOMLA_MD5_HEX) && alnum(s + JOOMLA_MD5_HEX + 1, saltlen);
}

static void joomla_describe(const char *s, char *out, size_t outlen)
{
	snprintf(out, outlen, "salt=%zu chars", strlen(s) - JOOMLA_MD5_HEX - 1);
}

static int joomla_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
			 size_t pwlen)
{
	unsigned char want[16], got[16];
	const char *salt = stored + JOOMLA_MD5_HEX + 1;
	EVP_MD_CTX *c;
	int rc = HASH_UNUSABLE;

	(void)ctx;
	if (!joomla_identify(stored) ||
	    enc_hex_decode(stored, JOOMLA_MD5_HEX, want, sizeof(want)) != (int)sizeof(want))
		return HASH_UNUSABLE;
	c = EVP_MD_CTX_new();
	if (c == NULL)
		return HASH_UNUSABLE;
	if (EVP_DigestInit_ex2(c, EVP_md5(), NULL) && EVP_DigestUpdate(c, password, pwlen) &&
	    EVP_DigestUpdate(c, salt, strlen(salt)) && EVP_DigestFinal_ex(c, got, NULL))
		rc = hash_equal(got, want, sizeof(got)) ? HASH_MATCH : HASH_MISMATCH;
	EVP_MD_CTX_free(c);
	secret_wipe_array(got);
	return rc;
}

const struct hash_family hash_family_joomla = {
	.name = "joomla-md5", .origin = "Joomla 1.0.13 to 3.x (md5-hex with salt)",
	.identify = joomla_identify, .describe = joomla_describe, .verify = joomla_verify,
};
