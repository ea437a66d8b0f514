/* hash_dovecot.c: Dovecot's "{SCHEME}" password values (doveadm pw, the
 * mail tables of postfixadmin and its kind), checked as Dovecot 2.3's auth
 * process does (src/auth/password-scheme*.c). The scheme name is matched
 * without regard to case, as Dovecot does.
 *
 * Most are a prefix over a form another family reads, and hand the rest to
 * it, with its bounds and its cost:
 *   {SHA512-CRYPT} {SHA256-CRYPT} {MD5-CRYPT} {MD5}   $6$ $5$ $1$ $1$
 *   {BLF-CRYPT}                                        $2y$ (or $2a$, $2b$)
 *   {ARGON2ID} {ARGON2I}                               $argon2id$ $argon2i$
 *   {DES-CRYPT}                                        13 chars of DES crypt
 * ({MD5} is Dovecot's old name for MD5-CRYPT; LDAP's base64 {MD5} is
 * hash_ldap.c's.) Dovecot's own forms:
 *   {PBKDF2}$1$<salt>$<rounds>$<hex>   PBKDF2-HMAC-SHA1 over the salt text,
 *       20 bytes (password-scheme-pbkdf2.c)
 *   {PLAIN-MD5} {LDAP-MD5} {SHA1} {PLAIN-MD4}<hex or base64 of the digest>
 *       (the name may say which: "{SHA1.HEX}", "{PLAIN-MD4.B64}"); {SHA}
 *       {SHA256} {SHA512} likewise, their plain base64 being hash_ldap.c's
 *   {NTLM}      Dovecot 2.2's: md4 of the password's bytes each widened
 *               to two (UTF-16LE for ASCII only)
 *   {CRAM-MD5} {HMAC-MD5}<64 hex>: the two MD5 states of HMAC-MD5 keyed
 *       with the password (hmac-cram-md5.c), what CRAM-MD5 logins need
 *   {PLAIN} {CLEAR} {CLEARTEXT} {PLAIN-TRUNC}: the password itself, read
 *       only when password_scheme_read names dovecot-plain
 *   {SCRAM-SHA-1} {SCRAM-SHA-256}<iter>,<salt>,<StoredKey>,<ServerKey>
 *       base64 fields (RFC 5802): the password is right when
 *       H(HMAC(Hi(password, salt, iter), "Client Key")) is StoredKey
 *       (password-scheme-scram.c), with at least 4096 iterations.
 * Written (password_scheme): {SHA512-CRYPT} {SHA256-CRYPT} {BLF-CRYPT}
 * {ARGON2ID} with the inner family's cost, and {SCRAM-SHA-1}
 * {SCRAM-SHA-256} as Dovecot's scram_generate() writes them (16 bytes of
 * salt, 4096 iterations unless password_cost says more). */
#include "hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "hash_kdf.h"
#include "hash_md.h"
#include "secret.h"

#define DOVECOT_MAX_ROUNDS 10000000UL
#define DOVECOT_PBKDF2_KEY 20
#define DOVECOT_MAX_SALT 128
/* Dovecot refuses fewer ("Invalid SCRAM-SHA-256 iteration count") */
#define DOVECOT_SCRAM_MIN_ITER 4096UL

/* The rest of s after `prefix` ("{SHA512-CRYPT}"), or NULL. */
static const char *after_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncasecmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* --- a prefix over another family ------------------------------------------ */

/* The inner family when s is prefix + a string it identifies, or NULL. */
static const struct hash_family *wrapped(const char *s, const char *prefix,
					 const struct hash_family *inner)
{
	const char *rest = after_prefix(s, prefix);

	return rest != NULL && rest[0] != '\0' && inner->identify(rest) ? inner : NULL;
}

static void wrap_describe(const char *s, const char *prefix, const struct hash_family *inner,
			  char *out, size_t outlen)
{
	char in[200] = "";

	if (wrapped(s, prefix, inner) == NULL) {
		snprintf(out, outlen, "malformed");
		return;
	}
	if (inner->describe != NULL)
		inner->describe(s + strlen(prefix), in, sizeof(in));
	snprintf(out, outlen, "%s%s%s", inner->name, in[0] != '\0' ? " " : "", in);
}

static void wrap_cost(const char *s, const char *prefix, const struct hash_family *inner,
		      struct hash_cost *c)
{
	if (wrapped(s, prefix, inner) != NULL && inner->cost != NULL)
		inner->cost(s + strlen(prefix), c);
}

static int wrap_verify(const struct hash_ctx *ctx, const char *s, const char *prefix,
		       const struct hash_family *inner, const char *password, size_t pwlen)
{
	if (wrapped(s, prefix, inner) == NULL)
		return HASH_UNUSABLE;
	return inner->verify(ctx, s + strlen(prefix), password, pwlen);
}

/* The inner family's hash behind the prefix. */
static int wrap_generate(const char *prefix, const struct hash_family *inner,
			 const char *password, size_t pwlen, unsigned long cost, char *out,
			 size_t outlen)
{
	size_t n = strlen(prefix);

	if (outlen <= n || inner->generate(password, pwlen, cost, out + n, outlen - n) != 0)
		return -1;
	memcpy(out, prefix, n);
	return 0;
}

#define DOVECOT_WRAP(id, nm, prefix, inner, gen) \
	static bool identify_##id(const char *s) { return wrapped(s, prefix, &inner) != NULL; } \
	static void describe_##id(const char *s, char *out, size_t outlen) \
	{ \
		wrap_describe(s, prefix, &inner, out, outlen); \
	} \
	static void cost_##id(const char *s, struct hash_cost *c) { wrap_cost(s, prefix, &inner, c); } \
	static int verify_##id(const struct hash_ctx *ctx, const char *s, const char *pw, \
			       size_t pwlen) \
	{ \
		return wrap_verify(ctx, s, prefix, &inner, pw, pwlen); \
	} \
	static int generate_##id(const char *pw, size_t pwlen, unsigned long cost, char *out, \
				 size_t outlen) \
	{ \
		return wrap_generate(prefix, &inner, pw, pwlen, cost, out, outlen); \
	} \
	const struct hash_family hash_family_dovecot_##id = { \
		.name = nm, .origin = "Dovecot " prefix " (doveadm pw, postfixadmin)", \
		.identify = identify_##id, .describe = describe_##id, .cost = cost_##id, \
		.verify = verify_##id, .generate = (gen) ? generate_##id : NULL, \
	}

DOVECOT_WRAP(sha512_crypt, "dovecot-sha512-crypt", "{SHA512-CRYPT}", hash_family_sha512crypt, 1);
DOVECOT_WRAP(sha256_crypt, "dovecot-sha256-crypt", "{SHA256-CRYPT}", hash_family_sha256crypt, 1);
DOVECOT_WRAP(md5_crypt, "dovecot-md5-crypt", "{MD5-CRYPT}", hash_family_md5crypt, 0);
DOVECOT_WRAP(md5, "dovecot-md5", "{MD5}", hash_family_md5crypt, 0);
DOVECOT_WRAP(blf_crypt, "dovecot-blf-crypt", "{BLF-CRYPT}", hash_family_bcrypt, 1);
DOVECOT_WRAP(argon2id, "dovecot-argon2id", "{ARGON2ID}", hash_family_argon2id, 1);
DOVECOT_WRAP(argon2i, "dovecot-argon2i", "{ARGON2I}", hash_family_argon2i, 0);
DOVECOT_WRAP(des_crypt, "dovecot-des-crypt", "{DES-CRYPT}", hash_family_des, 0);

/* --- {PBKDF2} --------------------------------------------------------------- */

#define PBKDF2_PREFIX "{PBKDF2}"

struct dovecot_pbkdf2 {
	const char *salt;
	size_t saltlen;
	unsigned long rounds;
	unsigned char key[DOVECOT_PBKDF2_KEY];
};

/* $1$<salt>$<rounds>$<40 hex> */
static bool pbkdf2_parse(const char *s, struct dovecot_pbkdf2 *p)
{
	const char *rest = after_prefix(s, PBKDF2_PREFIX), *d1, *d2;
	char *end;

	if (rest == NULL || strncmp(rest, "$1$", 3) != 0)
		return false;
	p->salt = rest + 3;
	d1 = strchr(p->salt, '$');
	if (d1 == NULL || d1 == p->salt || (size_t)(d1 - p->salt) > DOVECOT_MAX_SALT)
		return false;
	p->saltlen = (size_t)(d1 - p->salt);
	if (d1[1] < '1' || d1[1] > '9')
		return false;
	p->rounds = strtoul(d1 + 1, &end, 10);
	d2 = end;
	if (*d2 != '$' || p->rounds > DOVECOT_MAX_ROUNDS)
		return false;
	return strlen(d2 + 1) == 2 * DOVECOT_PBKDF2_KEY &&
	       enc_hex_decode(d2 + 1, 2 * DOVECOT_PBKDF2_KEY, p->key, sizeof(p->key)) ==
		       DOVECOT_PBKDF2_KEY;
}

static bool pbkdf2_identify(const char *s)
{
	struct dovecot_pbkdf2 p;

	return pbkdf2_parse(s, &p);
}

static void pbkdf2_describe(const char *s, char *out, size_t outlen)
{
	struct dovecot_pbkdf2 p;

	if (!pbkdf2_parse(s, &p))
		snprintf(out, outlen, "malformed");
	else
		snprintf(out, outlen, "digest=sha1 iterations=%lu salt=%zu chars", p.rounds,
			 p.saltlen);
}

static void pbkdf2_cost(const char *s, struct hash_cost *c)
{
	struct dovecot_pbkdf2 p;

	if (pbkdf2_parse(s, &p))
		c->iterations = p.rounds;
}

static int pbkdf2_verify(const struct hash_ctx *ctx, const char *s, const char *password,
			 size_t pwlen)
{
	struct dovecot_pbkdf2 p;

	(void)ctx;
	if (!pbkdf2_parse(s, &p))
		return HASH_UNUSABLE;
	return hash_pbkdf2_check(EVP_sha1(), password, pwlen, (const unsigned char *)p.salt,
				 p.saltlen, p.rounds, p.key, sizeof(p.key));
}

const struct hash_family hash_family_dovecot_pbkdf2 = {
	.name = "dovecot-pbkdf2", .origin = "Dovecot {PBKDF2} (PBKDF2-HMAC-SHA1)",
	.identify = pbkdf2_identify, .describe = pbkdf2_describe, .cost = pbkdf2_cost,
	.verify = pbkdf2_verify,
};

/* --- unsalted digests: {PLAIN-MD5} {LDAP-MD5} {SHA1} {PLAIN-MD4} {NTLM}
 * {CRAM-MD5} ------------------------------------------------------------------ */

/* One digest scheme: its prefix, its raw length and how it is computed. */
struct dovecot_digest {
	const char *prefix;
	size_t dlen;
	bool (*compute)(const char *pw, size_t pwlen, unsigned char *out);
};

static bool digest_evp(const EVP_MD *md, const char *pw, size_t pwlen, unsigned char *out)
{
	return EVP_Digest(pw, pwlen, out, NULL, md, NULL) == 1;
}

static bool compute_md5(const char *pw, size_t pwlen, unsigned char *out)
{
	return digest_evp(EVP_md5(), pw, pwlen, out);
}

static bool compute_sha1(const char *pw, size_t pwlen, unsigned char *out)
{
	return digest_evp(EVP_sha1(), pw, pwlen, out);
}

static bool compute_sha256(const char *pw, size_t pwlen, unsigned char *out)
{
	return digest_evp(EVP_sha256(), pw, pwlen, out);
}

static bool compute_sha512(const char *pw, size_t pwlen, unsigned char *out)
{
	return digest_evp(EVP_sha512(), pw, pwlen, out);
}

static bool compute_md4(const char *pw, size_t pwlen, unsigned char *out)
{
	hash_md4(pw, pwlen, out);
	return true;
}

/* Dovecot's ntlm_v1_hash(): MD4 of each byte of the password followed by a
 * zero byte (its t_unicode_str()), which is UTF-16LE for ASCII only: a
 * UTF-8 password's bytes are taken as Latin-1 (Samba's NT hash, nt-hash in
 * hash_ntlm.c, converts them). */
static bool compute_ntlm(const char *pw, size_t pwlen, unsigned char *out)
{
	unsigned char wide[2048];   /* customdb's longest password, widened */
	size_t i;

	if (pwlen > sizeof(wide) / 2)
		return false;
	for (i = 0; i < pwlen; i++) {
		wide[2 * i] = (unsigned char)pw[i];
		wide[2 * i + 1] = 0;
	}
	hash_md4(wide, 2 * pwlen, out);
	secret_wipe_array(wide);
	return true;
}

/* Dovecot's hmac_md5_get_cram_context(): the MD5 states of HMAC-MD5 keyed
 * with the password after its outer, then its inner pad block, each
 * state's four words little-endian (a password over 64 bytes is first
 * MD5ed, as HMAC's key is). 32 bytes. */
static bool compute_cram_md5(const char *pw, size_t pwlen, unsigned char *out)
{
	unsigned char key[64] = { 0 }, block[64];
	uint32_t state[4];
	bool ok = true;
	int pad, i;

	if (pwlen > sizeof(key))
		ok = digest_evp(EVP_md5(), pw, pwlen, key);
	else
		memcpy(key, pw, pwlen);
	for (pad = 0; ok && pad < 2; pad++) {
		for (i = 0; i < 64; i++)
			block[i] = key[i] ^ (pad == 0 ? 0x5c : 0x36);
		hash_md5_block_state(block, state);
		for (i = 0; i < 16; i++)
			out[16 * pad + i] = (unsigned char)(state[i / 4] >> (8 * (i % 4)));
	}
	secret_wipe_array(key);
	secret_wipe_array(block);
	secret_wipe_array(state);
	return ok;
}

static const struct dovecot_digest digest_plain_md5 = { "{PLAIN-MD5}", 16, compute_md5 };
static const struct dovecot_digest digest_ldap_md5 = { "{LDAP-MD5}", 16, compute_md5 };
static const struct dovecot_digest digest_sha1 = { "{SHA1}", 20, compute_sha1 };
/* base64 {SHA} {SHA256} {SHA512} are LDAP's (hash_ldap.c, tried first):
 * these read what Dovecot reads besides, hex and the .HEX spelling */
static const struct dovecot_digest digest_sha = { "{SHA}", 20, compute_sha1 };
static const struct dovecot_digest digest_sha256 = { "{SHA256}", 32, compute_sha256 };
static const struct dovecot_digest digest_sha512 = { "{SHA512}", 64, compute_sha512 };
static const struct dovecot_digest digest_plain_md4 = { "{PLAIN-MD4}", 16, compute_md4 };
static const struct dovecot_digest digest_ntlm = { "{NTLM}", 16, compute_ntlm };
static const struct dovecot_digest digest_cram_md5 = { "{CRAM-MD5}", 32, compute_cram_md5 };
static const struct dovecot_digest digest_hmac_md5 = { "{HMAC-MD5}", 32, compute_cram_md5 };

enum digest_enc { ENC_GUESS, ENC_HEX, ENC_B64 };

/* The rest after dg's "{NAME}", or after "{NAME.HEX}", "{NAME.B64}" or
 * "{NAME.BASE64}", which name the encoding (password_scheme_lookup()). */
static const char *digest_rest(const struct dovecot_digest *dg, const char *s,
			       enum digest_enc *enc)
{
	size_t n = strlen(dg->prefix) - 1;   /* "{NAME" */
	const char *rest = after_prefix(s, dg->prefix);

	*enc = ENC_GUESS;
	if (rest != NULL || strncasecmp(s, dg->prefix, n) != 0 || s[n] != '.')
		return rest;
	if ((rest = after_prefix(s + n, ".HEX}")) != NULL)
		*enc = ENC_HEX;
	else if ((rest = after_prefix(s + n, ".B64}")) != NULL ||
		 (rest = after_prefix(s + n, ".BASE64}")) != NULL)
		*enc = ENC_B64;
	return rest;
}

/* Dovecot's password_decode(): the encoding named, or else hex when the
 * text is twice the raw length long, else base64 (here: padded, whole). */
static bool digest_parse(const struct dovecot_digest *dg, const char *s, unsigned char *d)
{
	enum digest_enc enc;
	const char *rest = digest_rest(dg, s, &enc);
	size_t n;

	if (rest == NULL)
		return false;
	n = strlen(rest);
	if (enc != ENC_B64 && n == 2 * dg->dlen)
		return enc_hex_decode(rest, n, d, dg->dlen) == (int)dg->dlen;
	return enc != ENC_HEX && n == (dg->dlen + 2) / 3 * 4 &&
	       enc_b64_decode(rest, n, d, dg->dlen) == (int)dg->dlen;
}

static bool digest_identify(const struct dovecot_digest *dg, const char *s)
{
	unsigned char d[EVP_MAX_MD_SIZE];

	return digest_parse(dg, s, d);
}

static int digest_verify(const struct dovecot_digest *dg, const char *s, const char *password,
			 size_t pwlen)
{
	unsigned char want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	int rc = HASH_UNUSABLE;

	if (!digest_parse(dg, s, want))
		return HASH_UNUSABLE;
	if (dg->compute(password, pwlen, got))
		rc = hash_equal(got, want, dg->dlen) ? HASH_MATCH : HASH_MISMATCH;
	secret_wipe_array(got);
	return rc;
}

#define DOVECOT_DIGEST(id, nm, what) \
	static bool identify_##id(const char *s) { return digest_identify(&digest_##id, s); } \
	static int verify_##id(const struct hash_ctx *ctx, const char *s, const char *pw, \
			       size_t pwlen) \
	{ \
		(void)ctx; \
		return digest_verify(&digest_##id, s, pw, pwlen); \
	} \
	const struct hash_family hash_family_dovecot_##id = { \
		.name = nm, .origin = what, .identify = identify_##id, .verify = verify_##id, \
	}

DOVECOT_DIGEST(plain_md5, "dovecot-plain-md5", "Dovecot {PLAIN-MD5} (unsalted md5)");
DOVECOT_DIGEST(ldap_md5, "dovecot-ldap-md5", "Dovecot {LDAP-MD5} (unsalted md5)");
DOVECOT_DIGEST(sha1, "dovecot-sha1", "Dovecot {SHA1} (unsalted sha1, LDAP's {SHA})");
DOVECOT_DIGEST(sha, "dovecot-sha", "Dovecot {SHA} as hex, {SHA.HEX} or {SHA.B64}");
DOVECOT_DIGEST(sha256, "dovecot-sha256", "Dovecot {SHA256} as hex, or .HEX, .B64");
DOVECOT_DIGEST(sha512, "dovecot-sha512", "Dovecot {SHA512} as hex, or .HEX, .B64");
DOVECOT_DIGEST(plain_md4, "dovecot-plain-md4", "Dovecot {PLAIN-MD4} (unsalted md4)");
DOVECOT_DIGEST(ntlm, "dovecot-ntlm", "Dovecot 2.2 {NTLM} (md4 of the bytes widened)");
DOVECOT_DIGEST(cram_md5, "dovecot-cram-md5", "Dovecot {CRAM-MD5} (HMAC-MD5 pad states)");
DOVECOT_DIGEST(hmac_md5, "dovecot-hmac-md5", "Dovecot {HMAC-MD5} (its name for CRAM-MD5)");

/* --- {PLAIN} {CLEAR} {CLEARTEXT} {PLAIN-TRUNC}: by name only ------------------ */

static const char *const plain_prefixes[] = { "{PLAIN}", "{CLEAR}", "{CLEARTEXT}" };
#define PLAIN_TRUNC_PREFIX "{PLAIN-TRUNC}"

/* The stored password after the prefix, or NULL; *trunc is true for
 * {PLAIN-TRUNC}, whose value is <length>-<password cut to length bytes>. */
static const char *plain_rest(const char *s, bool *trunc)
{
	const char *rest;
	size_t i;

	*trunc = false;
	for (i = 0; i < sizeof(plain_prefixes) / sizeof(plain_prefixes[0]); i++)
		if ((rest = after_prefix(s, plain_prefixes[i])) != NULL)
			return rest[0] != '\0' ? rest : NULL;
	rest = after_prefix(s, PLAIN_TRUNC_PREFIX);
	if (rest == NULL)
		return NULL;
	*trunc = true;
	i = strspn(rest, "0123456789");
	return i > 0 && i <= 3 && rest[i] == '-' && rest[i + 1] != '\0' ? rest : NULL;
}

static bool plain_identify(const char *s)
{
	bool trunc;

	return plain_rest(s, &trunc) != NULL;
}

/* Dovecot's plain_trunc_verify(): when the stored text is as long as its
 * length says and the password at least that long, the password's first
 * <length> bytes must be it; otherwise the whole password. */
static int plain_verify(const struct hash_ctx *ctx, const char *s, const char *password,
			size_t pwlen)
{
	bool trunc;
	const char *rest = plain_rest(s, &trunc), *dash;
	unsigned long len;

	if (rest == NULL)
		return HASH_UNUSABLE;
	if (!trunc)
		return hash_family_plaintext.verify(ctx, rest, password, pwlen);
	len = strtoul(rest, NULL, 10);
	dash = strchr(rest, '-');
	if (strlen(dash + 1) == len && pwlen >= len)
		pwlen = len;
	return hash_family_plaintext.verify(ctx, dash + 1, password, pwlen);
}

static void plain_describe(const char *s, char *out, size_t outlen)
{
	bool trunc;

	if (plain_rest(s, &trunc) == NULL)
		snprintf(out, outlen, "malformed");
	else
		snprintf(out, outlen, "%s", trunc ? "the password cut short, its length first" :
			 "the password itself");
}

const struct hash_family hash_family_dovecot_plain = {
	.name = "dovecot-plain",
	.origin = "Dovecot {PLAIN} {CLEAR} {CLEARTEXT} {PLAIN-TRUNC} (the password itself)",
	.by_name_only = true, .named_first = true, .identify = plain_identify,
	.describe = plain_describe, .verify = plain_verify,
};

/* --- {SCRAM-SHA-1} {SCRAM-SHA-256} ------------------------------------------- */

struct scram {
	unsigned long iter;
	unsigned char salt[DOVECOT_MAX_SALT], stored_key[EVP_MAX_MD_SIZE];
	size_t saltlen;
};

/* One base64 field of s up to ',' or the end into out: its length, or -1. */
static int scram_field(const char *s, size_t n, unsigned char *out, size_t outlen)
{
	if (n == 0 || n % 4 != 0)
		return -1;
	return enc_b64_decode(s, n, out, outlen);
}

/* <iter>,<salt>,<StoredKey>,<ServerKey>, keys one digest of md long. */
static bool scram_parse(const char *s, const char *prefix, const EVP_MD *md, struct scram *p)
{
	const char *rest = after_prefix(s, prefix), *f[4], *end;
	unsigned char server_key[EVP_MAX_MD_SIZE];
	size_t dlen = (size_t)EVP_MD_get_size(md), len[4], i;
	char *e;
	int n;

	if (rest == NULL)
		return false;
	for (i = 0; i < 4; i++) {
		f[i] = rest;
		end = strchr(rest, ',');
		if ((end == NULL) != (i == 3))
			return false;
		len[i] = end != NULL ? (size_t)(end - rest) : strlen(rest);
		rest = end != NULL ? end + 1 : rest;
	}
	if (f[0][0] < '1' || f[0][0] > '9')
		return false;
	p->iter = strtoul(f[0], &e, 10);
	if (e != f[0] + len[0] || p->iter < DOVECOT_SCRAM_MIN_ITER || p->iter > DOVECOT_MAX_ROUNDS)
		return false;
	n = scram_field(f[1], len[1], p->salt, sizeof(p->salt));
	if (n <= 0)
		return false;
	p->saltlen = (size_t)n;
	return scram_field(f[2], len[2], p->stored_key, sizeof(p->stored_key)) == (int)dlen &&
	       scram_field(f[3], len[3], server_key, sizeof(server_key)) == (int)dlen;
}

static int scram_verify(const char *s, const char *prefix, const EVP_MD *md,
			const char *password, size_t pwlen)
{
	unsigned char salted[EVP_MAX_MD_SIZE], client_key[EVP_MAX_MD_SIZE],
		stored_key[EVP_MAX_MD_SIZE];
	size_t dlen = (size_t)EVP_MD_get_size(md);
	unsigned int klen = 0;
	struct scram p;
	int rc = HASH_UNUSABLE;

	if (!scram_parse(s, prefix, md, &p) || pwlen > 0x7fffffff)
		return HASH_UNUSABLE;
	if (PKCS5_PBKDF2_HMAC(password, (int)pwlen, p.salt, (int)p.saltlen, (int)p.iter, md,
			      (int)dlen, salted) == 1 &&
	    HMAC(md, salted, (int)dlen, (const unsigned char *)"Client Key", 10, client_key,
		 &klen) != NULL &&
	    klen == dlen && EVP_Digest(client_key, dlen, stored_key, NULL, md, NULL) == 1)
		rc = hash_equal(stored_key, p.stored_key, dlen) ? HASH_MATCH : HASH_MISMATCH;
	secret_wipe_array(salted);
	secret_wipe_array(client_key);
	secret_wipe_array(stored_key);
	return rc;
}

static void scram_describe(const char *s, const char *prefix, const EVP_MD *md, char *out,
			   size_t outlen)
{
	struct scram p;

	if (!scram_parse(s, prefix, md, &p))
		snprintf(out, outlen, "malformed");
	else
		snprintf(out, outlen, "iterations=%lu salt=%zu bytes", p.iter, p.saltlen);
}

static void scram_cost(const char *s, const char *prefix, const EVP_MD *md, struct hash_cost *c)
{
	struct scram p;

	if (scram_parse(s, prefix, md, &p))
		c->iterations = p.iter;
}

/* Dovecot's scram_generate(): 16 random bytes of salt, 4096 iterations
 * unless told more (iter 0: 4096). */
static int scram_generate(const char *prefix, const EVP_MD *md, const char *password,
			  size_t pwlen, unsigned long iter, char *out, size_t outlen)
{
	unsigned char salt[16], salted[EVP_MAX_MD_SIZE], client_key[EVP_MAX_MD_SIZE],
		stored_key[EVP_MAX_MD_SIZE], server_key[EVP_MAX_MD_SIZE];
	char salt64[32], stored64[100], server64[100];
	size_t dlen = (size_t)EVP_MD_get_size(md);
	unsigned int klen = 0, slen = 0;
	int rc = -1, n;

	if (iter == 0)
		iter = DOVECOT_SCRAM_MIN_ITER;
	if (iter < DOVECOT_SCRAM_MIN_ITER || iter > DOVECOT_MAX_ROUNDS || pwlen > 0x7fffffff)
		return -1;
	hash_random(salt, sizeof(salt));
	if (PKCS5_PBKDF2_HMAC(password, (int)pwlen, salt, sizeof(salt), (int)iter, md, (int)dlen,
			      salted) != 1 ||
	    HMAC(md, salted, (int)dlen, (const unsigned char *)"Client Key", 10, client_key,
		 &klen) == NULL || klen != dlen ||
	    EVP_Digest(client_key, dlen, stored_key, NULL, md, NULL) != 1 ||
	    HMAC(md, salted, (int)dlen, (const unsigned char *)"Server Key", 10, server_key,
		 &slen) == NULL || slen != dlen ||
	    enc_b64_encode(salt, sizeof(salt), true, salt64, sizeof(salt64)) < 0 ||
	    enc_b64_encode(stored_key, dlen, true, stored64, sizeof(stored64)) < 0 ||
	    enc_b64_encode(server_key, dlen, true, server64, sizeof(server64)) < 0)
		goto out;
	n = snprintf(out, outlen, "%s%lu,%s,%s,%s", prefix, iter, salt64, stored64, server64);
	rc = n > 0 && (size_t)n < outlen ? 0 : -1;
out:
	secret_wipe_array(salted);
	secret_wipe_array(client_key);
	secret_wipe_array(server_key);
	return rc;
}

#define DOVECOT_SCRAM(id, nm, prefix, md) \
	static bool identify_##id(const char *s) \
	{ \
		struct scram p; \
		return scram_parse(s, prefix, md(), &p); \
	} \
	static void describe_##id(const char *s, char *out, size_t outlen) \
	{ \
		scram_describe(s, prefix, md(), out, outlen); \
	} \
	static void cost_##id(const char *s, struct hash_cost *c) { scram_cost(s, prefix, md(), c); } \
	static int verify_##id(const struct hash_ctx *ctx, const char *s, const char *pw, \
			       size_t pwlen) \
	{ \
		(void)ctx; \
		return scram_verify(s, prefix, md(), pw, pwlen); \
	} \
	static int generate_##id(const char *pw, size_t pwlen, unsigned long iter, char *out, \
				 size_t outlen) \
	{ \
		return scram_generate(prefix, md(), pw, pwlen, iter, out, outlen); \
	} \
	const struct hash_family hash_family_dovecot_##id = { \
		.name = nm, .origin = "Dovecot " prefix " (RFC 5802 stored keys)", \
		.identify = identify_##id, .describe = describe_##id, .cost = cost_##id, \
		.verify = verify_##id, .generate = generate_##id, \
	}

DOVECOT_SCRAM(scram_sha1, "dovecot-scram-sha-1", "{SCRAM-SHA-1}", EVP_sha1);
DOVECOT_SCRAM(scram_sha256, "dovecot-scram-sha-256", "{SCRAM-SHA-256}", EVP_sha256);
