/* hash_phpass.h: phpass's stretching loop, which Drupal 7 reuses with
 * SHA-512 (hash_drupal.c). */
#ifndef CUSTOMDB_HASH_PHPASS_H
#define CUSTOMDB_HASH_PHPASS_H

#include <stddef.h>

#include "hash.h"

/* The cost of a "$X$" + count string: iterations = 2^count. */
void hash_phpass_cost(const char *stored, struct hash_cost *c);

/* out = H(salt . password), then 2^log2 times out = H(out . password), with
 * the OpenSSL digest named `digest` ("MD5", "SHA512"), whose size must be
 * outlen. 0, or -1. */
int hash_phpass_stretch(const char *digest, const char *salt, size_t saltlen, int log2,
			const char *password, size_t pwlen, unsigned char *out, size_t outlen);

/* Verify password against a stored phpass-style string: "$X$", the count
 * character (log2 of the rounds, accepted from 7 to max_log2), 8 salt
 * characters, then the encode64 of the stretched digest, of which the first
 * `kept` characters are stored. A password over max_password bytes is a
 * wrong one (as the original code says). enum hash_rc; the caller has
 * checked the form. */
int hash_phpass_check(const char *stored, const char *digest, size_t mdlen, int max_log2,
		      size_t max_password, size_t kept, const char *password, size_t pwlen);

/* Write a new phpass-style hash into out: prefix ("$P$", "$S$"), the
 * count character for log2, 8 characters of salt (6 random bytes in
 * encode64, as phpass's gensalt_private() and Drupal's
 * _password_generate_salt() make it), then the first `kept` characters of
 * the encode64 of the stretched digest (mdlen bytes). The caller has
 * checked log2 and the password's length. 0, or -1. */
int hash_phpass_generate(const char *prefix, const char *digest, size_t mdlen, size_t kept,
			 int log2, const char *password, size_t pwlen, char *out, size_t outlen);

#endif
