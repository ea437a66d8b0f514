/* hash_kdf.c: see hash_kdf.h. */
#include "hash_kdf.h"

#include <limits.h>

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
