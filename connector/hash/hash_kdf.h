/* hash_kdf.h: the key derivations several families verify with (Django,
 * passlib, Werkzeug, ASP.NET Identity): derive the key, compare it with the
 * stored one in constant time, wipe it. Each family keeps its own parser and
 * its own bounds on the parameters; these add only what OpenSSL needs. */
#ifndef CUSTOMDB_HASH_KDF_H
#define CUSTOMDB_HASH_KDF_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"

/* The longest derived key a family may compare. */
#define HASH_KDF_MAX_DK (HASH_MAX / 4 * 3)

/* PBKDF2-HMAC with md over password, salt and iterations, compared with want
 * (wantlen bytes: the derived key's length). HASH_MATCH, HASH_MISMATCH, or
 * HASH_UNUSABLE (a length or count OpenSSL cannot take, or OpenSSL failed). */
int hash_pbkdf2_check(const EVP_MD *md, const char *password, size_t pwlen,
		      const unsigned char *salt, size_t saltlen, unsigned long iterations,
		      const unsigned char *want, size_t wantlen);

/* The iterations a PBKDF2-HMAC with md costs for a dklen-byte key: it runs
 * its count once per digest-sized block of the key (what hash_cost's
 * iterations compares with the ceiling). */
unsigned long hash_pbkdf2_work(const EVP_MD *md, unsigned long iterations, size_t dklen);

/* A new PBKDF2-HMAC key for writing: saltlen fresh random bytes of salt
 * (at most 64) and a dklen-byte key (at most HASH_KDF_MAX_DK) of password,
 * both written as padded base64 into salt64 and dk64. 0, or -1 (a length
 * OpenSSL cannot take, a buffer too small, OpenSSL failed). */
int hash_pbkdf2_new_b64(const EVP_MD *md, const char *password, size_t pwlen,
			unsigned long iterations, size_t saltlen, size_t dklen, char *salt64,
			size_t salt64len, char *dk64, size_t dk64len);

/* What OpenSSL's scrypt allocates for N, r, p (EVP_PBE_scrypt: B and V). */
unsigned long hash_scrypt_memory(unsigned long n, unsigned long r, unsigned long p);

/* scrypt (EVP_PBE_scrypt with maxmem) compared with want, as above. */
int hash_scrypt_check(const char *password, size_t pwlen, const unsigned char *salt,
		      size_t saltlen, uint64_t n, uint64_t r, uint64_t p, uint64_t maxmem,
		      const unsigned char *want, size_t wantlen);

#endif
