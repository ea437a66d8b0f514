/* hash.c: see hash.h. The list of families and what holds for all. */
#include "hash.h"

#include <pthread.h>
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
	HASH_FAMILIES_BY_NAME
};

#define NFAMILIES (sizeof(families) / sizeof(families[0]))

/* A sha512crypt of a random password, at the default 5000 rounds. */
static const char dummy_sha512crypt[] =
	"$6$5Xk0cYjQq3GJxV0e$mEiWBmAFLAxG3O5tTZNOTYoaBRbDqnJKn/R2IZU2an2uBjdhCPIuVNKW6b5RVWUrb4Qogi0K.cngEHGhB/Jxf/";

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

const struct hash_family *hash_identify_ctx(const struct hash_ctx *ctx, const char *stored)
{
	size_t i;

	if (stored == NULL || stored[0] == '\0' || strlen(stored) >= HASH_MAX)
		return NULL;
	for (i = 0; i < NFAMILIES; i++) {
		const struct hash_family *f = families[i];

		if (f->by_name_only &&
		    (ctx == NULL || ctx->scheme_read == NULL || !named_in(ctx->scheme_read, f->name)))
			continue;
		if (f->identify(stored))
			return f;
	}
	return NULL;
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
			f->describe(h, ref, sizeof(ref));
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

void hash_dummy_verify(const char *like, const char *password)
{
	const struct hash_ctx ctx = { .salt = "customdb-dummy-salt" };
	const struct hash_family *f = like != NULL ? hash_identify(like) : NULL;
	const char *pw = (password != NULL && password[0] != '\0') ? password : "\x01";

	if (f == NULL) {
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
