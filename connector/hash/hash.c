/* hash.c: see hash.h. The list of families and what holds for all. */
#include "hash.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash_families.h"
#include "secret.h"

/* Most specific forms first: a family's identify() must not accept what an
 * earlier one owns. By-name-only families come last and are skipped unless
 * named in password_scheme_read. */
static const struct hash_family *const families[] = {
	HASH_FAMILIES_CRYPT
	HASH_FAMILIES_ARGON2
	HASH_FAMILIES_PBKDF2
	HASH_FAMILIES_PHP
	HASH_FAMILIES_LDAP
	HASH_FAMILIES_DOVECOT
	HASH_FAMILIES_MEDIAWIKI
	HASH_FAMILIES_SERVERS
	HASH_FAMILIES_BY_NAME
};

#define NFAMILIES (sizeof(families) / sizeof(families[0]))

/* A sha512crypt of a random password, at the default 5000 rounds. */
static const char dummy_sha512crypt[] =
	"$6$5Xk0cYjQq3GJxV0e$mEiWBmAFLAxG3O5tTZNOTYoaBRbDqnJKn/R2IZU2an2uBjdhCPIuVNKW6b5RVWUrb4Qogi0K.cngEHGhB/Jxf/";

/* bcrypt 14: PHP, Laravel, Rails and Django write 10 to 12; sha-crypt
 * 1,000,000 rounds: passlib writes 535,000 to 656,000, glibc 5000; PBKDF2
 * 2,000,000: Django 6.0 writes 1,200,000, OWASP asks 1,300,000 for SHA-1;
 * 256 MiB: libsodium's "moderate", above Django's 100 MiB and the 64 MiB of
 * argon2-cffi and PHP; 4 passes at that memory: above libsodium's moderate
 * 256 MiB x 3 and PHP's 64 MiB x 4. customdb.conf(5) has the whole
 * argument. */
const struct hash_limits hash_limits_default = {
	.bcrypt_cost = 14,
	.rounds = 1000000,
	.iterations = 2000000,
	.memory_kib = 256UL * 1024,
	.passes = 4,
};

const struct hash_family *const *hash_families(size_t *n)
{
	*n = NFAMILIES;
	return families;
}

const struct hash_family *hash_family_by_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NFAMILIES; i++)
		if (strcmp(families[i]->name, name) == 0)
			return families[i];
	return NULL;
}

/* Is `name` one of the comma-separated names in list? */
static bool named_in(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncmp(p, name, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return true;
		p = strchr(p, ',');
	}
	return false;
}

bool hash_is_lock_marker(const char *stored)
{
	if (stored == NULL || stored[0] == '\0' || stored[0] == '!')
		return true;
	return stored[0] == '*' && !hash_family_mysql41.identify(stored);
}

/* Does stored begin the way a family recognised by its form does, whole or
 * not ("$6$...", "$argon2id$", "{SSHA}", "pbkdf2_sha256$", "pbkdf2:")? Such
 * a value is a (perhaps cut) hash, never a plaintext password or a digest.
 * ("{SHA512-CRYPT}" too: Dovecot's names hold '-'; ":pbkdf2:", ":B:":
 * MediaWiki's.) */
static bool has_hash_prefix(const char *s)
{
	static const char *const tags[] = {
		"pbkdf2_sha256$", "pbkdf2_sha1$", "bcrypt_sha256$", "bcrypt$", "argon2$",
		"scrypt$", "pbkdf2:", "scrypt:", ":pbkdf2:", ":A:", ":B:", "keycloak$",
	};
	size_t i, n;

	if (s[0] == 'U' && s[1] == '$')   /* Drupal's re-hashed "U$P$", "U$S$" */
		s++;
	if (s[0] == '$') {   /* "$6$", "$2b$", "$argon2id$", "$md5,rounds=" */
		n = strspn(s + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
		return n > 0 && n <= 20 && (s[1 + n] == '$' || s[1 + n] == ',');
	}
	if (s[0] >= '1' && s[0] <= '3' && s[1] == '|')   /* Nextcloud's "1|$2y$" */
		return true;
	if (s[0] == '{') {
		n = strspn(s + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");   /* "{SHA1.HEX}" */
		return n > 0 && s[1 + n] == '}';
	}
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (strncmp(s, tags[i], strlen(tags[i])) == 0)
			return true;
	return false;
}

const struct hash_family *hash_identify_ctx(const struct hash_ctx *ctx, const char *stored)
{
	bool hash_like;
	size_t i;

	if (stored == NULL || hash_is_lock_marker(stored) || strlen(stored) >= HASH_MAX)
		return NULL;
	hash_like = has_hash_prefix(stored);
	for (i = 0; ctx != NULL && ctx->scheme_read != NULL && i < NFAMILIES; i++) {
		const struct hash_family *f = families[i];

		if (f->named_first && named_in(ctx->scheme_read, f->name) && f->identify(stored))
			return f;
	}
	for (i = 0; i < NFAMILIES; i++) {
		const struct hash_family *f = families[i];

		if (f->by_name_only &&
		    (hash_like || ctx == NULL || ctx->scheme_read == NULL ||
		     !named_in(ctx->scheme_read, f->name)))
			continue;
		if (f->identify(stored))
			return f;
	}
	return NULL;
}

/* One ceiling: its field in struct hash_cost and hash_limits, its config
 * key, and the range the key takes (the top is what the families' parsers
 * accept at all: raising a ceiling past it would change nothing). */
struct ceiling {
	size_t off;
	const char *param, *key;
	unsigned long min, max;
};

#define CEILING(field, param, min, max) \
	{ offsetof(struct hash_limits, field), param, "hash_max_" #field, min, max }

static const struct ceiling ceilings[] = {
	CEILING(bcrypt_cost, "cost", 4, 31),
	CEILING(rounds, "rounds", 1000, 999999999),
	CEILING(iterations, "iterations", 1000, 10000000),
	CEILING(memory_kib, "memory (KiB)", 1024, 4UL * 1024 * 1024),
	CEILING(passes, "passes", 1, 100),
};

#define NCEILINGS (sizeof(ceilings) / sizeof(ceilings[0]))

int hash_limit_set(struct hash_limits *lim, const char *key, const char *value, char *err,
		   size_t errlen)
{
	unsigned long v;
	char *end;
	size_t i;

	for (i = 0; i < NCEILINGS; i++) {
		if (strcmp(key, ceilings[i].key) != 0)
			continue;
		errno = 0;
		v = strtoul(value, &end, 10);
		if (value[0] < '0' || value[0] > '9' || *end != '\0' || errno != 0 ||
		    v < ceilings[i].min || v > ceilings[i].max) {
			snprintf(err, errlen, "'%s' is not a whole number from %lu to %lu", value,
				 ceilings[i].min, ceilings[i].max);
			return -1;
		}
		memcpy((char *)lim + ceilings[i].off, &v, sizeof(v));
		return 0;
	}
	snprintf(err, errlen, "unknown key");
	return -1;
}

static unsigned long field_at(const void *base, size_t off)
{
	unsigned long v;

	memcpy(&v, (const char *)base + off, sizeof(v));
	return v;
}

bool hash_over_ceiling(const struct hash_ctx *ctx, const struct hash_family *f,
		       const char *stored, char *why, size_t whylen)
{
	const struct hash_limits *lim =
		ctx != NULL && ctx->limits != NULL ? ctx->limits : &hash_limits_default;
	struct hash_cost c;
	size_t i;

	if (f == NULL || f->cost == NULL)
		return false;
	memset(&c, 0, sizeof(c));
	f->cost(stored, &c);
	if (c.unreadable) {
		if (why != NULL)
			snprintf(why, whylen, "%s parameters customdb cannot read, so cannot bound",
				 f->name);
		return true;
	}
	/* struct hash_cost begins with the same fields as struct hash_limits */
	for (i = 0; i < NCEILINGS; i++) {
		unsigned long have = field_at(&c, ceilings[i].off);
		unsigned long max = field_at(lim, ceilings[i].off);

		if (ceilings[i].off == offsetof(struct hash_limits, passes))
			continue;
		if (have > max) {
			if (why != NULL)
				snprintf(why, whylen, "%s %s %lu over %s = %lu", f->name,
					 ceilings[i].param, have, ceilings[i].key, max);
			return true;
		}
	}
	/* A memory-hard hash takes time in proportion to memory times passes:
	 * many passes over a little memory cost what few over much do. */
	if (c.passes > 0 && c.memory_kib > 0 &&
	    (c.passes > ULONG_MAX / c.memory_kib ||
	     c.passes * c.memory_kib > lim->passes * lim->memory_kib)) {
		if (why != NULL)
			snprintf(why, whylen, "%s memory (KiB) %lu times passes %lu over "
				 "hash_max_memory_kib = %lu times hash_max_passes = %lu", f->name,
				 c.memory_kib, c.passes, lim->memory_kib, lim->passes);
		return true;
	}
	return false;
}

void hash_explain(const struct hash_ctx *ctx, const char *stored, char *out, size_t outlen)
{
	const struct hash_family *f = hash_identify_ctx(ctx, stored);
	char why[160];

	out[0] = '\0';
	if (stored == NULL || stored[0] == '\0')
		snprintf(out, outlen, "empty: no hash stored");
	else if (hash_is_lock_marker(stored))
		snprintf(out, outlen, "a lock marker (starting with '!' or '*')");
	else if (f == NULL)
		snprintf(out, outlen, "malformed, truncated or in a form customdb cannot use");
	else if (f->needs_salt && (ctx == NULL || ctx->salt == NULL || ctx->salt[0] == '\0'))
		snprintf(out, outlen, "of %s, which needs the salt column, and that is empty",
			 f->name);
	else if (hash_over_ceiling(ctx, f, stored, why, sizeof(why)))
		snprintf(out, outlen, "over a ceiling: %s", why);
}

const struct hash_family *hash_identify(const char *stored)
{
	return hash_identify_ctx(NULL, stored);
}

int hash_verify_ctx(const struct hash_ctx *ctx, const char *stored, const char *password)
{
	const struct hash_family *f = hash_identify_ctx(ctx, stored);
	size_t pwlen = password != NULL ? strlen(password) : 0;

	if (f == NULL)
		return HASH_UNUSABLE;
	if (f->needs_salt && (ctx->salt == NULL || ctx->salt[0] == '\0'))
		return HASH_UNUSABLE;
	if (hash_over_ceiling(ctx, f, stored, NULL, 0))
		return HASH_UNUSABLE;
	if (pwlen == 0 && !ctx->allow_empty) {
		/* Cost the same as a real attempt, then refuse. */
		f->verify(ctx, stored, "\x01", 1);
		return HASH_MISMATCH;
	}
	return f->verify(ctx, stored, password != NULL ? password : "", pwlen);
}

int hash_verify(const char *stored, const char *password)
{
	const struct hash_ctx ctx = { 0 };

	return hash_verify_ctx(&ctx, stored, password);
}

int hash_generate(const char *scheme, unsigned long cost, const char *password, char *out,
		  size_t outlen, char *err, size_t errlen)
{
	const struct hash_family *f = hash_family_by_name(scheme);

	if (f != NULL && f->writes_salt) {
		snprintf(err, errlen, "%s keeps its salt in a column of its own: the query "
			 "must write :salt too", scheme);
		return -1;
	}
	return hash_generate_salted(scheme, cost, password, out, outlen, NULL, 0, err, errlen);
}

int hash_generate_salted(const char *scheme, unsigned long cost, const char *password,
			 char *out, size_t outlen, char *salt, size_t saltlen, char *err,
			 size_t errlen)
{
	const struct hash_family *f = hash_family_by_name(scheme);
	char *tab;

	if (f == NULL) {
		snprintf(err, errlen, "unknown password scheme '%s'", scheme);
		return -1;
	}
	if (f->generate == NULL) {
		snprintf(err, errlen, "customdb reads %s hashes but does not write them", scheme);
		return -1;
	}
	if (outlen < HASH_MAX) {
		snprintf(err, errlen, "output buffer too small");
		return -1;
	}
	if (f->generate(password, strlen(password), cost, out, outlen) != 0) {
		snprintf(err, errlen, "%s: cannot make a hash with cost %lu", scheme, cost);
		secret_wipe(out, outlen);
		return -1;
	}
	if (salt == NULL)
		return 0;
	salt[0] = '\0';
	if (!f->writes_salt)
		return 0;
	tab = strchr(out, '\t');
	if (tab == NULL || (size_t)(tab - out) >= saltlen) {
		snprintf(err, errlen, "%s: no room for the salt", scheme);
		secret_wipe(out, outlen);
		return -1;
	}
	memcpy(salt, out, (size_t)(tab - out));
	salt[tab - out] = '\0';
	memmove(out, tab + 1, strlen(tab + 1) + 1);
	return 0;
}

/* The value of the numeric parameter `key` in a describe() text
 * ("variant=$2b$ cost=10"), or -1 when it has none. */
static long long param_value(const char *desc, const char *key_at, size_t keylen)
{
	const char *p = desc;
	char key[32], *end;
	long long v;

	if (keylen == 0 || keylen >= sizeof(key))
		return -1;
	memcpy(key, key_at, keylen);
	key[keylen] = '\0';
	while ((p = strstr(p, key)) != NULL) {
		if ((p == desc || p[-1] == ' ' || p[-1] == ',') && p[keylen] == '=') {
			v = strtoll(p + keylen + 1, &end, 10);
			return end != p + keylen + 1 && v >= 0 ? v : -1;
		}
		p += keylen;
	}
	return -1;
}

/* The describe() text of a hash written with scheme and cost, made once and
 * kept (writing one costs what a login does). */
static int reference_params(const struct hash_family *f, unsigned long cost, char *out,
			    size_t outlen)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static const struct hash_family *ref_f;
	static unsigned long ref_cost;
	static char ref[256];
	char h[HASH_MAX];
	int rc = 0;

	pthread_mutex_lock(&lock);
	if (ref_f != f || ref_cost != cost) {
		ref_f = NULL;
		if (f->generate("reference", 9, cost, h, sizeof(h)) != 0) {
			rc = -1;
		} else {
			/* a salt of its own comes first: describe the hash */
			const char *tab = f->writes_salt ? strchr(h, '\t') : NULL;

			f->describe(tab != NULL ? tab + 1 : h, ref, sizeof(ref));
			ref_f = f;
			ref_cost = cost;
		}
	}
	if (rc == 0)
		snprintf(out, outlen, "%s", ref);
	pthread_mutex_unlock(&lock);
	return rc;
}

bool hash_weaker(const struct hash_ctx *ctx, const char *stored, const char *scheme,
		 unsigned long cost)
{
	const struct hash_family *f = hash_family_by_name(scheme);
	const struct hash_family *g = hash_identify_ctx(ctx, stored);
	char want[256], have[256];
	const char *p, *eq;
	long long w, h;

	if (f == NULL || f->generate == NULL || g == NULL)
		return false;
	if (g != f)
		return true;
	if (f->describe == NULL || reference_params(f, cost, want, sizeof(want)) != 0)
		return false;
	f->describe(stored, have, sizeof(have));
	/* every numeric parameter of the reference: lower in stored is weaker */
	for (p = want; (eq = strchr(p, '=')) != NULL; p = eq + 1) {
		const char *k = eq;

		while (k > p && k[-1] != ' ' && k[-1] != ',')
			k--;
		w = param_value(want, k, (size_t)(eq - k));
		h = param_value(have, k, (size_t)(eq - k));
		if (w >= 0 && h >= 0 && h < w)
			return true;
	}
	return false;
}

void hash_dummy_verify(const struct hash_limits *lim, const char *like, const char *password)
{
	const struct hash_ctx ctx = { .salt = "customdb-dummy-salt", .limits = lim };
	const struct hash_family *f = like != NULL ? hash_identify(like) : NULL;
	const char *pw = (password != NULL && password[0] != '\0') ? password : "\x01";

	if (f == NULL || hash_over_ceiling(&ctx, f, like, NULL, 0)) {
		f = &hash_family_sha512crypt;
		like = dummy_sha512crypt;
	}
	(void)f->verify(&ctx, like, pw, strlen(pw));
}

bool hash_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

void hash_random(void *buf, size_t n)
{
	if (sodium_init() < 0)
		abort();
	randombytes_buf(buf, n);
}
