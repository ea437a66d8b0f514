/* hash_gitea.c: Gitea's and Gogs's user.passwd, checked as Gitea's
 * modules/auth/password/hash does.
 *
 * Gitea keeps three columns: passwd (lower-case hex, or a bcrypt string),
 * salt, and passwd_hash_algo, the hasher and its parameters. The query gives
 * customdb the algorithm and the hash as one string, algorithm first:
 *     passwd_hash_algo || '$' || passwd      (CONCAT(...) on MariaDB)
 * and the salt as the salt column. An empty passwd_hash_algo means "pbkdf2"
 * to Gitea (COALESCE(NULLIF(passwd_hash_algo, ''), 'pbkdf2') in the query).
 * Gogs has no passwd_hash_algo: its passwd is the first pbkdf2 ('pbkdf2$' ||
 * passwd), its salt 10 characters.
 *
 *   pbkdf2$<hex>                          PBKDF2-HMAC-SHA256, 10000, 50 bytes
 *   pbkdf2$<iter>$<keylen>$<hex>          (pbkdf2$50000$50, pbkdf2$320000$50)
 *   argon2$<hex>                          argon2id t=2 m=65536 p=8, 50 bytes
 *   argon2$<t>$<m KiB>$<p>$<keylen>$<hex>
 *   scrypt$<hex>                          scrypt N=65536 r=16 p=2, 50 bytes
 *   scrypt$<N>$<r>$<p>$<keylen>$<hex>
 *   bcrypt$<bcrypt>, bcrypt$<cost>$<bcrypt>   the bcrypt string verifies
 *       itself; the salt column is not used.
 * A bare name means the hasher's first defaults (not what the same name
 * means in app.ini): Gitea's Parse() keeps it so for old rows.
 *
 * The salt: 10 characters are used as they are (Gitea before 1.21), any
 * other length is hex and decoded (Hash() in hash.go); bad hex never
 * matches. Gitea compares the hex strings: only lower-case hex of exactly
 * keylen bytes can match, so only that is read. argon2 needs 8 bytes of
 * salt or more (libargon2's floor; Gitea's salts are 10 or 16 bytes).
 *
 * Written (password_scheme = gitea-pbkdf2): what Gitea 1.19 and later's
 * SetPassword() writes under PASSWORD_HASH_ALGO = pbkdf2 (the default,
 * de-aliased to pbkdf2_v2): a new salt of 16 random bytes in hex
 * (GetUserSalt()), and "pbkdf2$50000$50$<hex>", the full specification
 * Gitea stores in passwd_hash_algo, a '$', then passwd. The query splits
 * it at the last '$' (the hex is always 100 characters). */
#include "hash.h"

#include <argon2.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "hash_kdf.h"
#include "secret.h"

#define GITEA_MAX_PARAMS 4
#define GITEA_MAX_ITER 10000000UL
#define GITEA_MAX_KEY 128UL
#define GITEA_MAX_SALT 128
#define GITEA_LEGACY_SALT 10
/* Gitea's models/user SaltByteLength, and pbkdf2_v2's parameters */
#define GITEA_SALT_BYTES 16
#define GITEA_WRITE_ITER 50000UL
#define GITEA_WRITE_KEY 50
/* argon2: m in KiB and threads; scrypt: N, r and p (bounded again by
 * the hash_max_* ceilings) */
#define GITEA_MAX_ARGON2_M (4UL * 1024 * 1024)
#define GITEA_MAX_ARGON2_T 1000UL
#define GITEA_MAX_THREADS 255UL
#define GITEA_MAX_SCRYPT_N (1UL << 24)
#define GITEA_MAX_SCRYPT_R 64UL
#define GITEA_MAX_SCRYPT_P 64UL

enum gitea_kind { GITEA_PBKDF2, GITEA_ARGON2, GITEA_SCRYPT };

/* One hex hasher: its name, its parameters' count and their defaults (the
 * last is always the key length). */
struct gitea_hasher {
	const char *name;
	enum gitea_kind kind;
	size_t nparams;
	unsigned long defaults[GITEA_MAX_PARAMS];
	unsigned long max[GITEA_MAX_PARAMS];
};

static const struct gitea_hasher gitea_pbkdf2 = {
	"pbkdf2", GITEA_PBKDF2, 2, { 10000, 50 }, { GITEA_MAX_ITER, GITEA_MAX_KEY },
};
static const struct gitea_hasher gitea_argon2 = {
	"argon2", GITEA_ARGON2, 4, { 2, 65536, 8, 50 },
	{ GITEA_MAX_ARGON2_T, GITEA_MAX_ARGON2_M, GITEA_MAX_THREADS, GITEA_MAX_KEY },
};
static const struct gitea_hasher gitea_scrypt = {
	"scrypt", GITEA_SCRYPT, 4, { 65536, 16, 2, 50 },
	{ GITEA_MAX_SCRYPT_N, GITEA_MAX_SCRYPT_R, GITEA_MAX_SCRYPT_P, GITEA_MAX_KEY },
};

struct gitea_hash {
	unsigned long param[GITEA_MAX_PARAMS];
	const char *hex;    /* into the stored string */
};

/* Decimal 1..max, digits only, no leading zero, up to the next '$';
 * *s moves past the '$'. */
static bool gitea_number(const char **s, unsigned long max, unsigned long *out)
{
	const char *p = *s;
	char *end;

	if (p[0] < '1' || p[0] > '9' || strspn(p, "0123456789") > 10)
		return false;
	*out = strtoul(p, &end, 10);
	if (*end != '$' || *out > max)
		return false;
	*s = end + 1;
	return true;
}

static bool gitea_parse(const struct gitea_hasher *h, const char *s, struct gitea_hash *g)
{
	size_t n = strlen(h->name), hexlen;
	const char *p;

	if (strncmp(s, h->name, n) != 0 || s[n] != '$')
		return false;
	p = s + n + 1;
	memcpy(g->param, h->defaults, sizeof(g->param));
	/* the parameters, when there are any: all of them */
	if (strchr(p, '$') != NULL) {
		for (size_t i = 0; i < h->nparams; i++)
			if (!gitea_number(&p, h->max[i], &g->param[i]))
				return false;
	}
	hexlen = strlen(p);
	g->hex = p;
	return hexlen == 2 * g->param[h->nparams - 1] &&
	       strspn(p, "0123456789abcdef") == hexlen;
}

/* Gitea's salt bytes: 10 characters as they are, else hex. -1 when bad. */
static int gitea_salt(const struct hash_ctx *ctx, unsigned char *out, size_t outlen)
{
	const char *salt = ctx->salt != NULL ? ctx->salt : "";
	size_t n = strlen(salt);

	if (n == GITEA_LEGACY_SALT) {
		memcpy(out, salt, n);
		return (int)n;
	}
	if (n % 2 != 0 || n / 2 > outlen)
		return -1;
	if (n == 0)
		return 0;
	return enc_hex_decode(salt, n, out, outlen);
}

static unsigned long gitea_scrypt_bytes(const struct gitea_hash *g)
{
	return hash_scrypt_memory(g->param[0], g->param[1], g->param[2]);
}

static void gitea_cost(const struct gitea_hasher *h, const char *s, struct hash_cost *c)
{
	struct gitea_hash g;

	if (!gitea_parse(h, s, &g)) {
		c->unreadable = true;
		return;
	}
	switch (h->kind) {
	case GITEA_PBKDF2:   /* the rounds run once per 32-byte block */
		c->iterations = g.param[0] * ((g.param[1] + 31) / 32);
		break;
	case GITEA_ARGON2:
		c->passes = g.param[0];
		c->memory_kib = g.param[1];
		break;
	case GITEA_SCRYPT:
		c->memory_kib = gitea_scrypt_bytes(&g) / 1024;
		c->passes = g.param[2];
		break;
	}
}

static void gitea_describe(const struct gitea_hasher *h, const char *s, char *out, size_t outlen)
{
	struct gitea_hash g;

	if (!gitea_parse(h, s, &g))
		snprintf(out, outlen, "malformed");
	else if (h->kind == GITEA_PBKDF2)
		snprintf(out, outlen, "pbkdf2-sha256 iterations=%lu length=%lu bytes, salt column",
			 g.param[0], g.param[1]);
	else if (h->kind == GITEA_ARGON2)
		snprintf(out, outlen, "argon2id t=%lu m=%lu p=%lu length=%lu bytes, salt column",
			 g.param[0], g.param[1], g.param[2], g.param[3]);
	else
		snprintf(out, outlen, "scrypt N=%lu r=%lu p=%lu length=%lu bytes, salt column",
			 g.param[0], g.param[1], g.param[2], g.param[3]);
}

static int gitea_verify(const struct gitea_hasher *h, const struct hash_ctx *ctx,
			const char *stored, const char *password, size_t pwlen)
{
	struct gitea_hash g;
	unsigned char salt[GITEA_MAX_SALT], want[GITEA_MAX_KEY], got[GITEA_MAX_KEY];
	size_t keylen;
	int saltlen, rc = HASH_UNUSABLE;

	if (!gitea_parse(h, stored, &g))
		return HASH_UNUSABLE;
	keylen = g.param[h->nparams - 1];
	saltlen = gitea_salt(ctx, salt, sizeof(salt));
	if (saltlen < 0 || enc_hex_decode(g.hex, 2 * keylen, want, sizeof(want)) != (int)keylen)
		return HASH_UNUSABLE;
	switch (h->kind) {
	case GITEA_PBKDF2:
		rc = hash_pbkdf2_check(EVP_sha256(), password, pwlen, salt, (size_t)saltlen,
				       g.param[0], want, keylen);
		break;
	case GITEA_SCRYPT:
		rc = hash_scrypt_check(password, pwlen, salt, (size_t)saltlen, g.param[0],
				       g.param[1], g.param[2], gitea_scrypt_bytes(&g), want,
				       keylen);
		break;
	case GITEA_ARGON2:
		/* Go's argon2.IDKey: version 0x13, as argon2id_hash_raw */
		if (pwlen <= ARGON2_MAX_PWD_LENGTH &&
		    argon2id_hash_raw((uint32_t)g.param[0], (uint32_t)g.param[1],
				      (uint32_t)g.param[2], password, pwlen, salt, (size_t)saltlen,
				      got, keylen) == ARGON2_OK)
			rc = hash_equal(got, want, keylen) ? HASH_MATCH : HASH_MISMATCH;
		break;
	}
	secret_wipe_array(got);
	return rc;
}

/* pbkdf2_v2 as SetPassword() writes it: salt, a tab, then the algorithm and
 * the hash; cost is the iteration count (0: Gitea's 50000). */
static int gitea_pbkdf2_generate(const char *password, size_t pwlen, unsigned long cost,
				 char *out, size_t outlen)
{
	unsigned char raw[GITEA_SALT_BYTES], dk[GITEA_WRITE_KEY];
	char salt[2 * GITEA_SALT_BYTES + 1], hex[2 * GITEA_WRITE_KEY + 1];
	int rc = -1, n;

	if (cost == 0)
		cost = GITEA_WRITE_ITER;
	if (cost > GITEA_MAX_ITER || pwlen > INT_MAX)
		return -1;
	hash_random(raw, sizeof(raw));
	if (enc_hex_encode(raw, sizeof(raw), salt, sizeof(salt)) != 2 * GITEA_SALT_BYTES ||
	    PKCS5_PBKDF2_HMAC(password, (int)pwlen, raw, sizeof(raw), (int)cost, EVP_sha256(),
			      sizeof(dk), dk) != 1 ||
	    enc_hex_encode(dk, sizeof(dk), hex, sizeof(hex)) != 2 * GITEA_WRITE_KEY)
		goto out;
	n = snprintf(out, outlen, "%s\tpbkdf2$%lu$%d$%s", salt, cost, GITEA_WRITE_KEY, hex);
	rc = n > 0 && (size_t)n < outlen ? 0 : -1;
out:
	secret_wipe_array(dk);
	secret_wipe_array(hex);
	return rc;
}

#define GITEA_HEX_FAMILY(id, var, gen) \
	static bool identify_##id(const char *s) \
	{ \
		struct gitea_hash g; \
		return gitea_parse(&var, s, &g); \
	} \
	static void describe_##id(const char *s, char *out, size_t outlen) \
	{ \
		gitea_describe(&var, s, out, outlen); \
	} \
	static void cost_##id(const char *s, struct hash_cost *c) { gitea_cost(&var, s, c); } \
	static int verify_##id(const struct hash_ctx *ctx, const char *s, const char *pw, \
			       size_t pwlen) \
	{ \
		return gitea_verify(&var, ctx, s, pw, pwlen); \
	} \
	const struct hash_family hash_family_gitea_##id = { \
		.name = "gitea-" #id, \
		.origin = "Gitea/Gogs user.passwd, passwd_hash_algo and salt", \
		.needs_salt = true, .writes_salt = (gen) != NULL, .identify = identify_##id, \
		.describe = describe_##id, .cost = cost_##id, .verify = verify_##id, \
		.generate = (gen), \
	}

GITEA_HEX_FAMILY(pbkdf2, gitea_pbkdf2, gitea_pbkdf2_generate);
GITEA_HEX_FAMILY(argon2, gitea_argon2, NULL);
GITEA_HEX_FAMILY(scrypt, gitea_scrypt, NULL);

/* --- bcrypt ------------------------------------------------------------------ */

#define GITEA_BCRYPT "bcrypt$"

/* The bcrypt string after "bcrypt$" or "bcrypt$<cost>$", or NULL. */
static const char *gitea_bcrypt_inner(const char *s)
{
	const char *p;
	unsigned long cost;

	if (strncmp(s, GITEA_BCRYPT, sizeof(GITEA_BCRYPT) - 1) != 0)
		return NULL;
	p = s + sizeof(GITEA_BCRYPT) - 1;
	if (p[0] != '$' && !gitea_number(&p, 31, &cost))
		return NULL;
	return hash_family_bcrypt.identify(p) ? p : NULL;
}

static bool gitea_bcrypt_identify(const char *s) { return gitea_bcrypt_inner(s) != NULL; }

static void gitea_bcrypt_describe(const char *s, char *out, size_t outlen)
{
	const char *in = gitea_bcrypt_inner(s);

	if (in == NULL)
		snprintf(out, outlen, "malformed");
	else
		hash_family_bcrypt.describe(in, out, outlen);
}

static void gitea_bcrypt_cost(const char *s, struct hash_cost *c)
{
	const char *in = gitea_bcrypt_inner(s);

	if (in == NULL)
		c->unreadable = true;
	else
		hash_family_bcrypt.cost(in, c);
}

static int gitea_bcrypt_verify(const struct hash_ctx *ctx, const char *stored,
			       const char *password, size_t pwlen)
{
	const char *in = gitea_bcrypt_inner(stored);

	return in == NULL ? HASH_UNUSABLE : hash_family_bcrypt.verify(ctx, in, password, pwlen);
}

const struct hash_family hash_family_gitea_bcrypt = {
	.name = "gitea-bcrypt", .origin = "Gitea/Gogs user.passwd with passwd_hash_algo bcrypt",
	.identify = gitea_bcrypt_identify, .describe = gitea_bcrypt_describe,
	.cost = gitea_bcrypt_cost, .verify = gitea_bcrypt_verify,
};
