/* hash_wordpress.c: WordPress 6.8's "$wp$2y$..." hashes.
 *
 * wp_hash_password() stores '$wp' . password_hash(base64_encode(
 * hash_hmac('sha384', $password, 'wp-sha384', true)), PASSWORD_BCRYPT), and
 * wp_check_password() runs password_verify() of the same pre-hash against the
 * stored value with its first three bytes removed, refusing passwords over
 * 4096 bytes (wp-includes/pluggable.php, WordPress 6.8). The bcrypt part is
 * an ordinary bcrypt string, so the bcrypt family checks its form and
 * verifies it (libxcrypt's crypt_rn). */
#include "hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "secret.h"

#define WP_PREFIX "$wp"
#define WP_PREFIX_LEN 3
#define WP_HMAC_KEY "wp-sha384"
#define WP_MAX_PASSWORD 4096

static bool wordpress_identify(const char *s)
{
	return strncmp(s, WP_PREFIX, WP_PREFIX_LEN) == 0 &&
	       hash_family_bcrypt.identify(s + WP_PREFIX_LEN);
}

static void wordpress_describe(const char *s, char *out, size_t outlen)
{
	char inner[64] = "";

	hash_family_bcrypt.describe(s + WP_PREFIX_LEN, inner, sizeof(inner));
	snprintf(out, outlen, "bcrypt of HMAC-SHA384 pre-hash, %s", inner);
}

static void wordpress_cost(const char *s, struct hash_cost *c)
{
	hash_family_bcrypt.cost(s + WP_PREFIX_LEN, c);
}

static int wordpress_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
			    size_t pwlen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char pre[65];   /* base64 of 48 bytes: 64 characters, no padding needed */
	int rc = HASH_UNUSABLE;

	if (!wordpress_identify(stored))
		return HASH_UNUSABLE;
	if (pwlen > WP_MAX_PASSWORD)
		return HASH_MISMATCH;
	if (HMAC(EVP_sha384(), WP_HMAC_KEY, (int)strlen(WP_HMAC_KEY), (const unsigned char *)password,
		 pwlen, mac, &maclen) == NULL || maclen != 48)
		goto out;
	if (enc_b64_encode(mac, maclen, true, pre, sizeof(pre)) != 64)
		goto out;
	rc = hash_family_bcrypt.verify(ctx, stored + WP_PREFIX_LEN, pre, 64);
out:
	secret_wipe_array(mac);
	secret_wipe_array(pre);
	return rc;
}

const struct hash_family hash_family_wordpress = {
	.name = "wordpress-bcrypt", .origin = "WordPress 6.8 and later ($wp$2y$)",
	.identify = wordpress_identify, .describe = wordpress_describe, .cost = wordpress_cost,
	.verify = wordpress_verify,
};
