/* hash.h: legacy password hashes, recognised by their form.
 *
 * One file per family (hash_crypt.c, hash_argon2.c, hash_django.c, ...), each
 * one or more struct hash_family; hash.c holds the list, picks the family and
 * adds what holds for all of them: an empty password never matches (unless
 * the config allows it), an unusable stored hash never matches, comparisons
 * are constant-time (hash_equal).
 *
 * Families whose form is ambiguous (a bare hex digest could be md5 or a
 * salted sha1, plaintext could be anything) are "by name only": they are used
 * only when [legacy] password_scheme_read names them. */
#ifndef CUSTOMDB_HASH_H
#define CUSTOMDB_HASH_H

#include <stdbool.h>
#include <stddef.h>

enum hash_rc {
	HASH_MATCH = 0,
	HASH_MISMATCH = 1,
	HASH_UNUSABLE = -1,  /* malformed, truncated, unknown or unsupported form */
};

/* Longest hash string any family writes or reads, NUL included. */
#define HASH_MAX 512

/* What verifying a stored hash would cost, as its parameters say; 0 in a
 * field the family does not have. Filled by a family's cost(). */
struct hash_cost {
	unsigned long bcrypt_cost;   /* log2 of the rounds: bcrypt and its wrappers */
	unsigned long rounds;        /* sha-crypt, SunMD5, BSDi DES rounds */
	unsigned long iterations;    /* PBKDF2 iterations; phpass/Drupal 2^count */
	unsigned long memory_kib;    /* argon2 m; scrypt and yescrypt 128 * N * r */
	unsigned long passes;        /* argon2 t; scrypt p */
	bool unreadable;             /* parameters customdb cannot read: refused */
};

/* Ceilings on what a stored hash may make the daemon spend, one per field
 * of struct hash_cost ([customdb] hash_max_*, customdb.conf(5)); passes
 * count times memory (memory * passes <= memory_kib * passes). A stored
 * hash over one is never verified: it costs nothing and never matches. */
struct hash_limits {
	unsigned long bcrypt_cost, rounds, iterations, memory_kib, passes;
};

/* 14, 1,000,000, 2,000,000, 256 MiB, 4: customdb.conf(5) says why. */
extern const struct hash_limits hash_limits_default;

/* Set the ceiling of config key `key` ("hash_max_rounds") in lim from its
 * text value. 0, or -1 with a message in err (unknown key, not a number in
 * the key's range). */
int hash_limit_set(struct hash_limits *lim, const char *key, const char *value, char *err,
		   size_t errlen);

/* What verification may need besides the stored string. */
struct hash_ctx {
	const char *salt;          /* the query's `salt` column, or NULL */
	const char *scheme_read;   /* [legacy] password_scheme_read: a comma-
				    * separated list of by-name-only schemes, or NULL */
	bool allow_empty;          /* the legacy application accepted "" */
	const struct hash_limits *limits; /* NULL: hash_limits_default */
};

struct hash_family {
	const char *name;       /* "bcrypt", "django-pbkdf2-sha256", ... */
	const char *origin;     /* who writes it: "OpenBSD, PHP password_hash" */
	bool by_name_only;      /* never picked by form: see password_scheme_read */
	bool needs_salt;        /* the salt comes from the `salt` column */
	bool writes_salt;       /* generate() makes a salt for a column of its own
				 * (hash_generate_salted splits it off) */
	bool named_first;       /* by name only, and when named, tried before the
				 * by-form families: it reads a form one of them
				 * owns differently (nextcloud-legacy's bcrypt of
				 * password . salt) */
	/* True when stored has this family's form (cheap, no hashing). For a
	 * by-name-only family: when stored could be one (length, alphabet). */
	bool (*identify)(const char *stored);
	/* Write the hash's parameters ("cost=12", "iterations=600000") into out.
	 * May be NULL. */
	void (*describe)(const char *stored, char *out, size_t outlen);
	/* Fill *c (zeroed by the caller) with what verifying stored costs.
	 * NULL for families of one fixed, small cost (md5crypt, digests). */
	void (*cost)(const char *stored, struct hash_cost *c);
	/* Verify password (pwlen bytes, NUL-terminated too) against stored.
	 * enum hash_rc. ctx is never NULL. */
	int (*verify)(const struct hash_ctx *ctx, const char *stored, const char *password,
		      size_t pwlen);
	/* Write a new hash of password into out (outlen >= HASH_MAX); cost 0 is
	 * the family's default (bcrypt cost, sha-crypt rounds, PBKDF2
	 * iterations, argon2 ops). 0, or -1 (cost out of range, no entropy).
	 * NULL for families customdb reads but never writes. A family with
	 * writes_salt writes its new salt, a tab, then the hash. */
	int (*generate)(const char *password, size_t pwlen, unsigned long cost, char *out,
			size_t outlen);
};

/* The family whose form `stored` has, or NULL. By-name-only families are
 * tried only when ctx names them (ctx may be NULL: none are). */
const struct hash_family *hash_identify_ctx(const struct hash_ctx *ctx, const char *stored);
const struct hash_family *hash_identify(const char *stored);

/* Is stored a lock marker: empty, or starting with '!' or '*' ("*",
 * "!!", "!$6$...", "*LK*")? Such a value never matches under any scheme,
 * plaintext included. MySQL's "*" + 40 hex digits is a hash, not a marker. */
bool hash_is_lock_marker(const char *stored);

/* Is stored (of family f) over a ceiling of ctx->limits? If so, and why is
 * not NULL, say which ("rounds=999999999 over hash_max_rounds=1000000"). */
bool hash_over_ceiling(const struct hash_ctx *ctx, const struct hash_family *f,
		       const char *stored, char *why, size_t whylen);

/* Why a stored hash cannot be verified, in words that follow "the stored
 * hash is" in a log line or the tool (never the hash itself): a lock
 * marker, no known form, over a ceiling, a missing salt. Empty when its
 * form gives no reason (it may still fail in verify: cut short). */
void hash_explain(const struct hash_ctx *ctx, const char *stored, char *out, size_t outlen);

/* The family called `name` ("bcrypt", "sha1-hex-salt-before"), or NULL. */
const struct hash_family *hash_family_by_name(const char *name);

/* All families, for listings: *n gets the count. */
const struct hash_family *const *hash_families(size_t *n);

/* Verify password against a stored hash. Returns enum hash_rc; never
 * HASH_MATCH for a stored string no family accepts, nor for an empty
 * password unless ctx->allow_empty. hash_verify() is hash_verify_ctx() with
 * no salt, no by-name-only schemes and no empty passwords. */
int hash_verify_ctx(const struct hash_ctx *ctx, const char *stored, const char *password);
int hash_verify(const char *stored, const char *password);

/* Write a new hash of password with the write scheme `scheme` (a family
 * name) and cost (0: its default). 0, or -1 with a message in err (unknown
 * scheme, not a write scheme, cost out of range). */
int hash_generate(const char *scheme, unsigned long cost, const char *password, char *out,
		  size_t outlen, char *err, size_t errlen);

/* hash_generate for a scheme that may keep its salt in a column of its own
 * (Redmine's users.salt): the hash into out, the new salt into salt
 * (saltlen >= HASH_SALT_MAX), or "" for a scheme whose hash holds its salt.
 * hash_generate refuses such a scheme. */
#define HASH_SALT_MAX 128
int hash_generate_salted(const char *scheme, unsigned long cost, const char *password,
			 char *out, size_t outlen, char *salt, size_t saltlen, char *err,
			 size_t errlen);

/* Is stored weaker than what scheme writes at cost (0: its default)? True
 * when it is of another family (identified as hash_identify_ctx does), or of
 * the same one with a lower numeric parameter (bcrypt cost, rounds,
 * iterations, memory): what rehash_on_login replaces. False for a stored
 * hash no family reads (it cannot be verified anyway). The first call for a
 * scheme and cost writes one reference hash. */
bool hash_weaker(const struct hash_ctx *ctx, const char *stored, const char *scheme,
		 unsigned long cost);

/* Spend what a verification of `like` costs (a hash of the cost real users
 * have, or NULL for a built-in sha512crypt), for users that do not exist, so
 * that they take as long as users that do. Never matches anything; a `like`
 * over a ceiling of lim (NULL: the defaults) is replaced by the built-in one. */
void hash_dummy_verify(const struct hash_limits *lim, const char *like, const char *password);

/* Constant-time equality of two byte strings of the same length n. */
bool hash_equal(const void *a, const void *b, size_t n);

/* Fill buf with n random bytes (libsodium). */
void hash_random(void *buf, size_t n);

/* The families, one or more per file. */
extern const struct hash_family hash_family_bcrypt;
extern const struct hash_family hash_family_sha512crypt;
extern const struct hash_family hash_family_sha256crypt;
extern const struct hash_family hash_family_md5crypt;
extern const struct hash_family hash_family_yescrypt;
extern const struct hash_family hash_family_argon2id;

#endif
