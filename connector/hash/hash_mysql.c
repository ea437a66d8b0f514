/* hash_mysql.c: MySQL 4.1+ PASSWORD() (mysql_native_password):
 * "*" + 40 hex of SHA1(SHA1(password)), the inner digest raw. MySQL writes
 * upper case and reads either (the server decodes the hex; applications
 * comparing with PASSWORD() in SQL get a case-insensitive collation). */
#include "hash.h"

#include <openssl/evp.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "secret.h"

#define MYSQL41_LEN 41

static bool mysql41_identify(const char *s)
{
	unsigned char d[20];

	return s[0] == '*' && strlen(s) == MYSQL41_LEN &&
	       enc_hex_decode(s + 1, MYSQL41_LEN - 1, d, sizeof(d)) == (int)sizeof(d);
}

static int mysql41_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
			  size_t pwlen)
{
	unsigned char want[20], stage1[20], stage2[20];
	int rc = HASH_UNUSABLE;

	(void)ctx;
	if (!mysql41_identify(stored) ||
	    enc_hex_decode(stored + 1, MYSQL41_LEN - 1, want, sizeof(want)) != (int)sizeof(want))
		return HASH_UNUSABLE;
	if (EVP_Digest(password, pwlen, stage1, NULL, EVP_sha1(), NULL) == 1 &&
	    EVP_Digest(stage1, sizeof(stage1), stage2, NULL, EVP_sha1(), NULL) == 1)
		rc = hash_equal(stage2, want, sizeof(want)) ? HASH_MATCH : HASH_MISMATCH;
	secret_wipe_array(stage1);
	secret_wipe_array(stage2);
	return rc;
}

const struct hash_family hash_family_mysql41 = {
	.name = "mysql41", .origin = "MySQL 4.1+ PASSWORD(), mysql_native_password",
	.identify = mysql41_identify, .verify = mysql41_verify,
};
