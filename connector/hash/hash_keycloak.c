/* hash_keycloak.c: Keycloak's password credentials, checked as Keycloak's
 * Pbkdf2PasswordHashProvider.verify() does.
 *
 * Keycloak keeps them in the credential table (type 'password') as two JSON
 * columns: secret_data {"value":"<base64>","salt":"<base64>",...} and
 * credential_data {"hashIterations":27500,"algorithm":"pbkdf2-sha256",...}.
 * The query makes one string of them with the database's JSON operators,
 * so that customdb parses no JSON:
 *     keycloak$<algorithm>$<hashIterations>$<salt>$<value>
 * (PostgreSQL: 'keycloak$' || (credential_data::json->>'algorithm') || '$'
 * || ..., MariaDB: CONCAT('keycloak$', JSON_VALUE(credential_data,
 * '$.algorithm'), ...); customdb-templates(5)).
 *
 * algorithm is pbkdf2 (HMAC-SHA1), pbkdf2-sha256 (the default before
 * Keycloak 24, 27500 iterations) or pbkdf2-sha512 (the default since, 210000
 * iterations); salt and value are padded base64. Keycloak derives as many
 * bytes as the stored value holds (64, or 32 in newer releases) and
 * compares. The password's UTF-8 bytes are the key, as Java's
 * PBKDF2WithHmac* take them; the NULs Keycloak 21 on pads a password under
 * 14 characters with change nothing (HMAC pads its key with zeros).
 *
 * One family per algorithm, so that rehash_on_login compares like with
 * like. Two are write schemes, each writing what a Keycloak of its era
 * writes by default (Pbkdf2PasswordHashProvider: 16 random bytes of salt,
 * a 512-bit key): keycloak-pbkdf2-sha512 (Keycloak 24 on: 210000
 * iterations) and keycloak-pbkdf2-sha256 (before Keycloak 24: 27500). The
 * template's change_password query splits the string back into the two
 * JSON columns. */
#include "hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "hash_kdf.h"
#include "secret.h"

#define KC_PREFIX "keycloak$"
#define KC_MAX_ITER 10000000UL
#define KC_MAX_FIELD 128
#define KC_MIN_WRITE_ITER 1000UL
#define KC_SALT_BYTES 16
#define KC_KEY_BYTES 64   /* Keycloak's DEFAULT_DERIVED_KEY_SIZE, 512 bits */

struct keycloak {
	const EVP_MD *md;
	const char *label;   /* "sha256" */
	unsigned long iterations;
	unsigned char salt[KC_MAX_FIELD], value[HASH_KDF_MAX_DK];
	size_t saltlen, valuelen;
};

/* The digest of Keycloak's algorithm name (n characters), or NULL; *label
 * gets its name for describe(). */
static const EVP_MD *kc_md(const char *name, size_t n, const char **label)
{
	static const struct {
		const char *name, *label;
		const EVP_MD *(*md)(void);
	} algos[] = {
		{ "pbkdf2", "sha1", EVP_sha1 },
		{ "pbkdf2-sha256", "sha256", EVP_sha256 },
		{ "pbkdf2-sha512", "sha512", EVP_sha512 },
	};

	for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
		if (strlen(algos[i].name) == n && strncmp(name, algos[i].name, n) == 0) {
			*label = algos[i].label;
			return algos[i].md();
		}
	}
	return NULL;
}

/* Padded base64 of n characters (up to '$' or the end), 1..max bytes. */
static int kc_b64(const char *s, size_t n, unsigned char *out, size_t max)
{
	if (n == 0 || n % 4 != 0 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					     "0123456789+/=") < n)
		return -1;
	return enc_b64_decode(s, n, out, max);
}

static bool kc_parse(const char *s, struct keycloak *k)
{
	const char *algo, *iter, *salt, *value;
	char *end;
	int n;

	if (strncmp(s, KC_PREFIX, sizeof(KC_PREFIX) - 1) != 0)
		return false;
	algo = s + sizeof(KC_PREFIX) - 1;
	if ((iter = strchr(algo, '$')) == NULL || (salt = strchr(iter + 1, '$')) == NULL ||
	    (value = strchr(salt + 1, '$')) == NULL || strchr(value + 1, '$') != NULL)
		return false;
	k->md = kc_md(algo, (size_t)(iter - algo), &k->label);
	iter++;
	if (k->md == NULL || iter[0] < '1' || iter[0] > '9' || salt - iter > 10)
		return false;
	k->iterations = strtoul(iter, &end, 10);
	if (end != salt || k->iterations > KC_MAX_ITER)
		return false;
	salt++;
	value++;
	n = kc_b64(salt, (size_t)(value - 1 - salt), k->salt, sizeof(k->salt));
	if (n <= 0)
		return false;
	k->saltlen = (size_t)n;
	n = kc_b64(value, strlen(value), k->value, sizeof(k->value));
	if (n <= 0)
		return false;
	k->valuelen = (size_t)n;
	return true;
}

/* Does s begin with "keycloak$<algo>$"? */
static bool kc_identify_algo(const char *s, const char *algo)
{
	size_t n = strlen(algo);

	return strncmp(s, KC_PREFIX, sizeof(KC_PREFIX) - 1) == 0 &&
	       strncmp(s + sizeof(KC_PREFIX) - 1, algo, n) == 0 &&
	       s[sizeof(KC_PREFIX) - 1 + n] == '$';
}

static bool kc_sha1_identify(const char *s)
{
	return kc_identify_algo(s, "pbkdf2");
}

static bool kc_sha256_identify(const char *s)
{
	return kc_identify_algo(s, "pbkdf2-sha256");
}

static bool kc_sha512_identify(const char *s)
{
	return kc_identify_algo(s, "pbkdf2-sha512");
}

static void kc_describe(const char *s, char *out, size_t outlen)
{
	struct keycloak k;

	if (!kc_parse(s, &k))
		snprintf(out, outlen, "malformed");
	else
		snprintf(out, outlen, "pbkdf2-%s iterations=%lu length=%zu bytes salt=%zu bytes",
			 k.label, k.iterations, k.valuelen, k.saltlen);
}

static void kc_cost(const char *s, struct hash_cost *c)
{
	struct keycloak k;

	if (!kc_parse(s, &k)) {
		c->unreadable = true;
		return;
	}
	c->iterations = hash_pbkdf2_work(k.md, k.iterations, k.valuelen);
}

static int kc_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
		     size_t pwlen)
{
	struct keycloak k;
	int rc;

	(void)ctx;
	if (!kc_parse(stored, &k))
		return HASH_UNUSABLE;
	rc = hash_pbkdf2_check(k.md, password, pwlen, k.salt, k.saltlen, k.iterations, k.value,
			       k.valuelen);
	secret_wipe(&k, sizeof(k));
	return rc;
}

/* Keycloak's encodedCredential(): iterations 0 is `dflt`. */
static int kc_generate(const char *algo, const EVP_MD *md, unsigned long dflt,
		       const char *password, size_t pwlen, unsigned long iterations, char *out,
		       size_t outlen)
{
	char salt64[32], dk64[100];
	int n;

	if (iterations == 0)
		iterations = dflt;
	if (iterations < KC_MIN_WRITE_ITER || iterations > KC_MAX_ITER ||
	    hash_pbkdf2_new_b64(md, password, pwlen, iterations, KC_SALT_BYTES, KC_KEY_BYTES,
				salt64, sizeof(salt64), dk64, sizeof(dk64)) != 0)
		return -1;
	n = snprintf(out, outlen, KC_PREFIX "%s$%lu$%s$%s", algo, iterations, salt64, dk64);
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

static int kc_sha256_generate(const char *password, size_t pwlen, unsigned long iterations,
			      char *out, size_t outlen)
{
	return kc_generate("pbkdf2-sha256", EVP_sha256(), 27500, password, pwlen, iterations,
			   out, outlen);
}

static int kc_sha512_generate(const char *password, size_t pwlen, unsigned long iterations,
			      char *out, size_t outlen)
{
	return kc_generate("pbkdf2-sha512", EVP_sha512(), 210000, password, pwlen, iterations,
			   out, outlen);
}

#define KC_ORIGIN "Keycloak credential.secret_data/credential_data, joined by the query"

const struct hash_family hash_family_keycloak_pbkdf2 = {
	.name = "keycloak-pbkdf2", .origin = KC_ORIGIN " (HMAC-SHA1, an older default)",
	.identify = kc_sha1_identify, .describe = kc_describe, .cost = kc_cost,
	.verify = kc_verify,
};

const struct hash_family hash_family_keycloak_pbkdf2_sha256 = {
	.name = "keycloak-pbkdf2-sha256", .origin = KC_ORIGIN " (the default before Keycloak 24)",
	.identify = kc_sha256_identify, .describe = kc_describe, .cost = kc_cost,
	.verify = kc_verify, .generate = kc_sha256_generate,
};

const struct hash_family hash_family_keycloak_pbkdf2_sha512 = {
	.name = "keycloak-pbkdf2-sha512", .origin = KC_ORIGIN " (the default since Keycloak 24)",
	.identify = kc_sha512_identify, .describe = kc_describe, .cost = kc_cost,
	.verify = kc_verify, .generate = kc_sha512_generate,
};
