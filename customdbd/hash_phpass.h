/* hash_phpass.h: phpass's stretching loop, which Drupal 7 reuses with
 * SHA-512 (hash_drupal.c). */
#ifndef CUSTOMDB_HASH_PHPASS_H
#define CUSTOMDB_HASH_PHPASS_H

#include <stddef.h>

/* out = H(salt . password), then 2^log2 times out = H(out . password), with
 * the OpenSSL digest named `digest` ("MD5", "SHA512"), whose size must be
 * outlen. 0, or -1. */
int hash_phpass_stretch(const char *digest, const char *salt, size_t saltlen, int log2,
			const char *password, size_t pwlen, unsigned char *out, size_t outlen);

#endif
