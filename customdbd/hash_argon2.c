/* hash_argon2.c: argon2id in PHC form ($argon2id$v=19$m=..,t=..,p=..$salt$hash).
 *
 * libsodium verifies the parallelism-1 strings it writes itself; Django and
 * argon2-cffi write p=8, which libsodium refuses, so those go to libargon2. */
#include "hash.h"

#include <argon2.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static bool argon2id_identify(const char *s)
{
	return strncmp(s, "$argon2id$", 10) == 0 && strlen(s) < 512;
}

/* The p= parameter, or -1 when the string does not say. */
static long argon2_parallelism(const char *s)
{
	const char *p = strstr(s, ",p=");
	char *end;
	long v;

	if (p == NULL)
		return -1;
	v = strtol(p + 3, &end, 10);
	if (end == p + 3 || *end != '$')
		return -1;
	return v;
}

static int verify_argon2id(const char *stored, const char *password, size_t pwlen)
{
	long par = argon2_parallelism(stored);
	int rc;

	if (par < 1)
		return HASH_UNUSABLE;
	if (par == 1) {
		if (sodium_init() < 0)
			return HASH_UNUSABLE;
		if (crypto_pwhash_str_verify(stored, password, pwlen) == 0)
			return HASH_MATCH;
		/* libsodium says only "no"; its cheap parser tells a mismatch
		 * apart from a string it cannot use. */
		return crypto_pwhash_str_needs_rehash(stored, crypto_pwhash_OPSLIMIT_MIN,
						      crypto_pwhash_MEMLIMIT_MIN) < 0 ?
			       HASH_UNUSABLE : HASH_MISMATCH;
	}
	rc = argon2id_verify(stored, password, pwlen);
	if (rc == ARGON2_OK)
		return HASH_MATCH;
	if (rc == ARGON2_VERIFY_MISMATCH)
		return HASH_MISMATCH;
	return HASH_UNUSABLE;
}

const struct hash_family hash_family_argon2id = { "argon2id", argon2id_identify, verify_argon2id };
