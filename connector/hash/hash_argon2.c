/* hash_argon2.c: argon2id and argon2i in PHC form
 * ($argon2id$v=19$m=65536,t=2,p=1$salt$hash).
 *
 * libsodium verifies the parallelism-1 argon2id strings it writes itself;
 * Django and argon2-cffi write p=8, and argon2i is older, so those go to
 * libargon2, the reference implementation. */
#include "hash.h"

#include <argon2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash_families.h"

static bool argon2_form(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 && strlen(s) < HASH_MAX && strstr(s, "m=") != NULL &&
	       strstr(s, "t=") != NULL && strstr(s, "p=") != NULL;
}

static bool argon2id_identify(const char *s) { return argon2_form(s, "$argon2id$"); }
static bool argon2i_identify(const char *s) { return argon2_form(s, "$argon2i$"); }

/* The number after `key` ("p=") in the parameter part, or -1. */
static long argon2_param(const char *s, const char *key)
{
	const char *p = strstr(s, key);
	char *end;
	long v;

	if (p == NULL)
		return -1;
	v = strtol(p + strlen(key), &end, 10);
	if (end == p + strlen(key) || (*end != '$' && *end != ','))
		return -1;
	return v;
}

static void argon2_describe(const char *s, char *out, size_t outlen)
{
	snprintf(out, outlen, "memory=%ld KiB iterations=%ld parallelism=%ld",
		 argon2_param(s, "m="), argon2_param(s, "t="), argon2_param(s, "p="));
}

/* m in KiB, t passes; a missing or negative one is unreadable */
static void argon2_cost(const char *s, struct hash_cost *c)
{
	long m = argon2_param(s, "m="), t = argon2_param(s, "t=");

	if (m < 0 || t < 0) {
		c->unreadable = true;
		return;
	}
	c->memory_kib = (unsigned long)m;
	c->passes = (unsigned long)t;
}

/* libargon2's answer as an enum hash_rc. */
static int argon2_rc(int rc)
{
	if (rc == ARGON2_OK)
		return HASH_MATCH;
	if (rc == ARGON2_VERIFY_MISMATCH)
		return HASH_MISMATCH;
	return HASH_UNUSABLE;
}

/* Refuse parameters no application writes and that would cost the daemon
 * gigabytes or minutes (a hostile or broken row). */
static bool argon2_sane(const char *s)
{
	long m = argon2_param(s, "m="), t = argon2_param(s, "t="), p = argon2_param(s, "p=");

	return m >= 8 && m <= 4L * 1024 * 1024 && t >= 1 && t <= 100 && p >= 1 && p <= 64;
}

static int verify_argon2id(const struct hash_ctx *ctx, const char *stored, const char *password,
			   size_t pwlen)
{
	(void)ctx;
	if (!argon2_sane(stored))
		return HASH_UNUSABLE;
	if (argon2_param(stored, "p=") == 1) {
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
	return argon2_rc(argon2id_verify(stored, password, pwlen));
}

static int verify_argon2i(const struct hash_ctx *ctx, const char *stored, const char *password,
			  size_t pwlen)
{
	(void)ctx;
	if (!argon2_sane(stored))
		return HASH_UNUSABLE;
	return argon2_rc(argon2i_verify(stored, password, pwlen));
}

/* argon2id with libsodium: ops 0 is its "interactive" level (t=2, 64 MiB,
 * p=1), what a login should cost. */
static int generate_argon2id(const char *password, size_t pwlen, unsigned long ops, char *out,
			     size_t outlen)
{
	if (sodium_init() < 0 || outlen < crypto_pwhash_STRBYTES)
		return -1;
	if (ops == 0)
		ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > 20)
		return -1;
	return crypto_pwhash_str_alg(out, password, pwlen, ops, crypto_pwhash_MEMLIMIT_INTERACTIVE,
				     crypto_pwhash_ALG_ARGON2ID13) == 0 ? 0 : -1;
}

const struct hash_family hash_family_argon2id = {
	.name = "argon2id", .origin = "libsodium, argon2-cffi, Django, PHP PASSWORD_ARGON2ID",
	.identify = argon2id_identify, .describe = argon2_describe, .cost = argon2_cost,
	.verify = verify_argon2id,
	.generate = generate_argon2id,
};

const struct hash_family hash_family_argon2i = {
	.name = "argon2i", .origin = "argon2 reference, PHP PASSWORD_ARGON2I",
	.identify = argon2i_identify, .describe = argon2_describe, .cost = argon2_cost,
	.verify = verify_argon2i,
};
