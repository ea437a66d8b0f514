/* hash_nextcloud.c: Nextcloud's and ownCloud's oc_users.password, checked as
 * their OC\Security\Hasher::verify() does (lib/private/Security/Hasher.php).
 *
 *   <version>|<hash>   version 1 (bcrypt, or what password_hash wrote),
 *       2 (argon2i, or argon2id in Nextcloud 18 to 20), 3 (argon2id):
 *       Hasher splits at the first '|' and gives the rest to PHP's
 *       password_verify() whatever the version, so any of the three may hold
 *       a bcrypt, argon2i or argon2id string; those families verify it.
 *   nextcloud-legacy (by name only): what ownCloud before 8 wrote, with no
 *       version: a 60-character bcrypt of password . passwordsalt (the
 *       instance's config.php 'passwordsalt', which the query selects as the
 *       salt column), or 40 hex digits of sha1(password). Like Hasher's
 *       legacyHashVerify(), bcrypt is tried with the salt, then without.
 *
 * Written (password_scheme = nextcloud): "3|" and an argon2id hash, as
 * Nextcloud writes by default where PHP has argon2id; Nextcloud re-hashes
 * on its next login if its own options differ. describe() gives the
 * version as a number, so rehash_on_login replaces versions 1 and 2. */
#include "hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "secret.h"

/* The hash after "<1..3>|" when its family is one password_verify reads
 * and Nextcloud writes, or NULL; *inner gets that family. */
static const char *nc_split(const char *s, const struct hash_family **inner)
{
	static const struct hash_family *const forms[] = {
		&hash_family_bcrypt, &hash_family_argon2id, &hash_family_argon2i,
	};

	if (s[0] < '1' || s[0] > '3' || s[1] != '|')
		return NULL;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (forms[i]->identify(s + 2)) {
			*inner = forms[i];
			return s + 2;
		}
	}
	return NULL;
}

static bool nc_identify(const char *s)
{
	const struct hash_family *inner;

	return nc_split(s, &inner) != NULL;
}

static void nc_describe(const char *s, char *out, size_t outlen)
{
	const struct hash_family *inner;
	const char *rest = nc_split(s, &inner);
	char in[200] = "";

	if (rest == NULL) {
		snprintf(out, outlen, "malformed");
		return;
	}
	if (inner->describe != NULL)
		inner->describe(rest, in, sizeof(in));
	snprintf(out, outlen, "version=%c %s%s%s", s[0], inner->name, in[0] != '\0' ? " " : "",
		 in);
}

static void nc_cost(const char *s, struct hash_cost *c)
{
	const struct hash_family *inner;
	const char *rest = nc_split(s, &inner);

	if (rest == NULL)
		c->unreadable = true;
	else if (inner->cost != NULL)
		inner->cost(rest, c);
}

static int nc_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
		     size_t pwlen)
{
	const struct hash_family *inner;
	const char *rest = nc_split(stored, &inner);

	return rest == NULL ? HASH_UNUSABLE : inner->verify(ctx, rest, password, pwlen);
}

static int nc_generate(const char *password, size_t pwlen, unsigned long cost, char *out,
		       size_t outlen)
{
	if (outlen < 3 ||
	    hash_family_argon2id.generate(password, pwlen, cost, out + 2, outlen - 2) != 0)
		return -1;
	memcpy(out, "3|", 2);
	return 0;
}

const struct hash_family hash_family_nextcloud = {
	.name = "nextcloud", .origin = "Nextcloud/ownCloud Hasher (oc_users.password, N|...)",
	.identify = nc_identify, .describe = nc_describe, .cost = nc_cost, .verify = nc_verify,
	.generate = nc_generate,
};

/* --- legacy, by name only ---------------------------------------------------- */

#define NC_SHA1_HEX 40
#define NC_BCRYPT_LEN 60

static bool nc_legacy_sha1(const char *s)
{
	return strlen(s) == NC_SHA1_HEX && strspn(s, "0123456789abcdef") == NC_SHA1_HEX;
}

static bool nc_legacy_identify(const char *s)
{
	return (strlen(s) == NC_BCRYPT_LEN && hash_family_bcrypt.identify(s)) || nc_legacy_sha1(s);
}

static int nc_sha1_verify(const char *stored, const char *password, size_t pwlen)
{
	unsigned char d[20];
	char hex[NC_SHA1_HEX + 1];
	unsigned int n = 0;
	int rc = HASH_UNUSABLE;

	if (EVP_Digest(password, pwlen, d, &n, EVP_sha1(), NULL) == 1 && n == sizeof(d) &&
	    enc_hex_encode(d, sizeof(d), hex, sizeof(hex)) == NC_SHA1_HEX)
		rc = hash_equal(hex, stored, NC_SHA1_HEX) ? HASH_MATCH : HASH_MISMATCH;
	secret_wipe_array(d);
	secret_wipe_array(hex);
	return rc;
}

/* bcrypt of password . salt, then of password alone (legacyHashVerify). */
static int nc_legacy_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
			    size_t pwlen)
{
	size_t saltlen = ctx->salt != NULL ? strlen(ctx->salt) : 0;
	char *salted;
	int rc;

	if (!nc_legacy_identify(stored))
		return HASH_UNUSABLE;
	if (nc_legacy_sha1(stored))
		return nc_sha1_verify(stored, password, pwlen);
	if (saltlen == 0)
		return hash_family_bcrypt.verify(ctx, stored, password, pwlen);
	if (pwlen > HASH_MAX || saltlen > HASH_MAX)
		return HASH_UNUSABLE;
	salted = malloc(pwlen + saltlen + 1);
	if (salted == NULL)
		return HASH_UNUSABLE;
	memcpy(salted, password, pwlen);
	memcpy(salted + pwlen, ctx->salt, saltlen + 1);
	rc = hash_family_bcrypt.verify(ctx, stored, salted, pwlen + saltlen);
	secret_wipe(salted, pwlen + saltlen);
	free(salted);
	if (rc == HASH_MISMATCH)
		rc = hash_family_bcrypt.verify(ctx, stored, password, pwlen);
	return rc;
}

static void nc_legacy_describe(const char *s, char *out, size_t outlen)
{
	if (nc_legacy_sha1(s))
		snprintf(out, outlen, "sha1(password), unsalted");
	else
		snprintf(out, outlen, "bcrypt of password . passwordsalt (the salt column), "
				      "or of the password alone");
}

static void nc_legacy_cost(const char *s, struct hash_cost *c)
{
	if (!nc_legacy_sha1(s) && hash_family_bcrypt.cost != NULL)
		hash_family_bcrypt.cost(s, c);
}

const struct hash_family hash_family_nextcloud_legacy = {
	.name = "nextcloud-legacy",
	.origin = "ownCloud before 8 (bcrypt with passwordsalt, or sha1), unversioned",
	.by_name_only = true, .named_first = true, .identify = nc_legacy_identify, .describe = nc_legacy_describe,
	.cost = nc_legacy_cost, .verify = nc_legacy_verify,
};
