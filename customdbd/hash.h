/* hash.h: legacy password hashes, recognised by their form.
 *
 * One file per family (hash_crypt.c, hash_argon2.c, ...), each a struct
 * hash_family; hash.c picks the family and adds what holds for all of them:
 * an empty password never matches, an unusable stored hash never matches,
 * comparisons are constant-time. */
#ifndef CUSTOMDB_HASH_H
#define CUSTOMDB_HASH_H

#include <stdbool.h>
#include <stddef.h>

enum hash_rc {
	HASH_MATCH = 0,
	HASH_MISMATCH = 1,
	HASH_UNUSABLE = -1,  /* malformed, truncated, unknown or unsupported form */
};

struct hash_family {
	const char *name;    /* "bcrypt", "sha512crypt", ... */
	/* True when stored has this family's form (cheap, no hashing). */
	bool (*identify)(const char *stored);
	/* Verify password (pwlen bytes) against stored. enum hash_rc. */
	int (*verify)(const char *stored, const char *password, size_t pwlen);
};

extern const struct hash_family hash_family_bcrypt;
extern const struct hash_family hash_family_sha512crypt;
extern const struct hash_family hash_family_sha256crypt;
extern const struct hash_family hash_family_md5crypt;
extern const struct hash_family hash_family_yescrypt;
extern const struct hash_family hash_family_argon2id;

/* The family whose form `stored` has, or NULL. */
const struct hash_family *hash_identify(const char *stored);

/* Verify password against a stored hash. Returns enum hash_rc; never
 * HASH_MATCH for an empty password or a stored string no family accepts. */
int hash_verify(const char *stored, const char *password);

/* Spend what a verification of `like` costs (a stored hash seen before, or
 * NULL for a built-in sha512crypt), for users that do not exist, so that they
 * take as long as users that do. Never matches anything. */
void hash_dummy_verify(const char *like, const char *password);

/* Constant-time equality of two byte strings of the same length n. */
bool hash_equal(const void *a, const void *b, size_t n);

#endif
