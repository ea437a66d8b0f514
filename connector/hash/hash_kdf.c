/* hash_kdf.c: see hash_kdf.h. */
#include "hash_kdf.h"

#include <limits.h>

#include "hash_encoding.h"
#include "secret.h"

int hash_pbkdf2_check(const EVP_MD *md, const char *password, size_t pwlen,
		      const unsigned char *salt, size_t saltlen, unsigned long iterations,
		      const unsigned char *want, size_t wantlen)
{
	unsigned char got[HASH_KDF_MAX_DK];
	int rc = HASH_UNUSABLE;

	if (pwlen > INT_MAX || saltlen > INT_MAX || iterations > INT_MAX || wantlen == 0 ||
	    wantlen > sizeof(got))
		return HASH_UNUSABLE;
	if (PKCS5_PBKDF2_HMAC(password, (int)pwlen, salt, (int)saltlen, (int)iterations, md,
			      (int)wantlen, got) != 1)
		goto out;
	rc = hash_equal(got, want, wantlen) ? HASH_MATCH : HASH_MISMATCH;
out:
	secret_wipe_array(got);
	return rc;
}

unsigned long hash_pbkdf2_work(const EVP_MD *md, unsigned long iterations, size_t dklen)
{
	unsigned long mdlen = (unsigned long)EVP_MD_get_size(md);

	return iterations * ((dklen + mdlen - 1) / mdlen);
}

int hash_pbkdf2_new_b64(const EVP_MD *md, const char *password, size_t pwlen,
			unsigned long iterations, size_t saltlen, size_t dklen, char *salt64,
			size_t salt64len, char *dk64, size_t dk64len)
{
	unsigned char salt[64], dk[HASH_KDF_MAX_DK];
	int rc = -1;

	if (pwlen > INT_MAX || iterations > INT_MAX || saltlen == 0 || saltlen > sizeof(salt) ||
	    dklen == 0 || dklen > sizeof(dk))
		return -1;
	hash_random(salt, saltlen);
	if (PKCS5_PBKDF2_HMAC(password, (int)pwlen, salt, (int)saltlen, (int)iterations, md,
			      (int)dklen, dk) == 1 &&
	    enc_b64_encode(salt, saltlen, true, salt64, salt64len) >= 0 &&
	    enc_b64_encode(dk, dklen, true, dk64, dk64len) >= 0)
		rc = 0;
	secret_wipe_array(dk);
	return rc;
}

unsigned long hash_scrypt_memory(unsigned long n, unsigned long r, unsigned long p)
{
	return 128UL * r * p + 128UL * r * (n + 2);
}

int hash_scrypt_check(const char *password, size_t pwlen, const unsigned char *salt,
		      size_t saltlen, uint64_t n, uint64_t r, uint64_t p, uint64_t maxmem,
		      const unsigned char *want, size_t wantlen)
{
	unsigned char got[HASH_KDF_MAX_DK];
	int rc = HASH_UNUSABLE;

	if (wantlen == 0 || wantlen > sizeof(got))
		return HASH_UNUSABLE;
	if (EVP_PBE_scrypt(password, pwlen, salt, saltlen, n, r, p, maxmem, got, wantlen) != 1)
		goto out;
	rc = hash_equal(got, want, wantlen) ? HASH_MATCH : HASH_MISMATCH;
out:
	secret_wipe_array(got);
	return rc;
}
