/* hash_ldap.c: LDAP userPassword values kept in SQL tables: "{SCHEME}" and
 * then the value, checked as OpenLDAP's slapd does.
 *
 * {SHA} {SSHA} {MD5} {SMD5} are OpenLDAP's own (libraries/liblutil/passwd.c),
 * {SHA256} {SSHA256} {SHA384} {SSHA384} {SHA512} {SSHA512} its pw-sha2
 * module (contrib/slapd-modules/passwd/sha2): base64 of the digest, and for
 * the salted ones of digest(password . salt) followed by the salt, which is
 * whatever follows the digest (at least one byte; slappasswd writes 4, the
 * sha2 module 8, other servers up to 16). The scheme name is matched without
 * regard to case (passwd_scheme() uses strncasecmp). The base64 must be whole
 * quads with its padding, as lutil_b64_pton() wants it.
 *
 * {CRYPT} hands the rest to crypt(3): here, to the crypt(3) families of
 * hash_crypt.c only, so that neither another {CRYPT} nor a non-crypt form
 * hides behind it. */
#include "hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "secret.h"

struct ldap_scheme {
	const char *prefix;           /* "{SSHA}" */
	const EVP_MD *(*md)(void);
	size_t dlen;                  /* digest bytes */
	bool salted;                  /* the salt follows the digest */
};

static const struct ldap_scheme scheme_ssha = { "{SSHA}", EVP_sha1, 20, true };
static const struct ldap_scheme scheme_sha = { "{SHA}", EVP_sha1, 20, false };
static const struct ldap_scheme scheme_smd5 = { "{SMD5}", EVP_md5, 16, true };
static const struct ldap_scheme scheme_md5 = { "{MD5}", EVP_md5, 16, false };
static const struct ldap_scheme scheme_ssha256 = { "{SSHA256}", EVP_sha256, 32, true };
static const struct ldap_scheme scheme_sha256 = { "{SHA256}", EVP_sha256, 32, false };
static const struct ldap_scheme scheme_ssha384 = { "{SSHA384}", EVP_sha384, 48, true };
static const struct ldap_scheme scheme_sha384 = { "{SHA384}", EVP_sha384, 48, false };
static const struct ldap_scheme scheme_ssha512 = { "{SSHA512}", EVP_sha512, 64, true };
static const struct ldap_scheme scheme_sha512 = { "{SHA512}", EVP_sha512, 64, false };

/* Decode the value after sc's prefix into buf: its length, or -1 when s is
 * not of this scheme (prefix, base64, digest length, some salt). */
static int ldap_decode(const struct ldap_scheme *sc, const char *s, unsigned char *buf,
		       size_t buflen)
{
	size_t plen = strlen(sc->prefix), n;
	int got;

	if (strncasecmp(s, sc->prefix, plen) != 0)
		return -1;
	s += plen;
	n = strlen(s);
	if (n == 0 || n % 4 != 0)
		return -1;
	got = enc_b64_decode(s, n, buf, buflen);
	if (got < 0 || (sc->salted ? (size_t)got <= sc->dlen : (size_t)got != sc->dlen))
		return -1;
	return got;
}

static bool ldap_identify(const struct ldap_scheme *sc, const char *s)
{
	unsigned char buf[HASH_MAX];

	return ldap_decode(sc, s, buf, sizeof(buf)) >= 0;
}

static void ldap_describe(const struct ldap_scheme *sc, const char *s, char *out, size_t outlen)
{
	unsigned char buf[HASH_MAX];
	int n = ldap_decode(sc, s, buf, sizeof(buf));

	if (n < 0)
		snprintf(out, outlen, "malformed");
	else if (!sc->salted)
		snprintf(out, outlen, "unsalted");
	else
		snprintf(out, outlen, "salt=%zu bytes", (size_t)n - sc->dlen);
}

static int ldap_verify(const struct ldap_scheme *sc, const char *stored, const char *password,
		       size_t pwlen)
{
	unsigned char buf[HASH_MAX], d[EVP_MAX_MD_SIZE];
	int n = ldap_decode(sc, stored, buf, sizeof(buf)), rc = HASH_UNUSABLE;
	EVP_MD_CTX *c;

	if (n < 0)
		return HASH_UNUSABLE;
	c = EVP_MD_CTX_new();
	if (c != NULL && EVP_DigestInit_ex2(c, sc->md(), NULL) &&
	    EVP_DigestUpdate(c, password, pwlen) &&
	    EVP_DigestUpdate(c, buf + sc->dlen, (size_t)n - sc->dlen) &&
	    EVP_DigestFinal_ex(c, d, NULL))
		rc = hash_equal(d, buf, sc->dlen) ? HASH_MATCH : HASH_MISMATCH;
	EVP_MD_CTX_free(c);
	secret_wipe_array(d);
	return rc;
}

#define LDAP_FAMILY(id, nm) \
	static bool identify_##id(const char *s) { return ldap_identify(&scheme_##id, s); } \
	static void describe_##id(const char *s, char *out, size_t outlen) \
	{ \
		ldap_describe(&scheme_##id, s, out, outlen); \
	} \
	static int verify_##id(const struct hash_ctx *ctx, const char *s, const char *pw, \
			       size_t pwlen) \
	{ \
		(void)ctx; \
		return ldap_verify(&scheme_##id, s, pw, pwlen); \
	} \
	const struct hash_family hash_family_ldap_##id = { \
		.name = nm, .origin = "LDAP userPassword (OpenLDAP, 389-ds, Dovecot, ...)", \
		.identify = identify_##id, .describe = describe_##id, .verify = verify_##id, \
	}

LDAP_FAMILY(ssha, "ldap-ssha");
LDAP_FAMILY(sha, "ldap-sha");
LDAP_FAMILY(smd5, "ldap-smd5");
LDAP_FAMILY(md5, "ldap-md5");
LDAP_FAMILY(ssha256, "ldap-ssha256");
LDAP_FAMILY(sha256, "ldap-sha256");
LDAP_FAMILY(ssha384, "ldap-ssha384");
LDAP_FAMILY(sha384, "ldap-sha384");
LDAP_FAMILY(ssha512, "ldap-ssha512");
LDAP_FAMILY(sha512, "ldap-sha512");

/* --- {CRYPT} --------------------------------------------------------------- */

#define CRYPT_PREFIX "{CRYPT}"
#define CRYPT_PREFIX_LEN 7

static const struct hash_family *const crypt_families[] = { HASH_FAMILIES_CRYPT };

/* The crypt(3) family of what follows {CRYPT}, or NULL. */
static const struct hash_family *crypt_inner(const char *s)
{
	size_t i;

	if (strncasecmp(s, CRYPT_PREFIX, CRYPT_PREFIX_LEN) != 0 || s[CRYPT_PREFIX_LEN] == '\0')
		return NULL;
	for (i = 0; i < sizeof(crypt_families) / sizeof(crypt_families[0]); i++)
		if (crypt_families[i]->identify(s + CRYPT_PREFIX_LEN))
			return crypt_families[i];
	return NULL;
}

static bool ldap_crypt_identify(const char *s)
{
	return crypt_inner(s) != NULL;
}

static void ldap_crypt_describe(const char *s, char *out, size_t outlen)
{
	const struct hash_family *f = crypt_inner(s);
	char inner[128] = "";

	if (f == NULL) {
		snprintf(out, outlen, "malformed");
		return;
	}
	if (f->describe != NULL)
		f->describe(s + CRYPT_PREFIX_LEN, inner, sizeof(inner));
	snprintf(out, outlen, "%s%s%s", f->name, inner[0] != '\0' ? " " : "", inner);
}

static void ldap_crypt_cost(const char *s, struct hash_cost *c)
{
	const struct hash_family *f = crypt_inner(s);

	if (f != NULL && f->cost != NULL)
		f->cost(s + CRYPT_PREFIX_LEN, c);
}

static int ldap_crypt_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
			     size_t pwlen)
{
	const struct hash_family *f = crypt_inner(stored);

	if (f == NULL)
		return HASH_UNUSABLE;
	return f->verify(ctx, stored + CRYPT_PREFIX_LEN, password, pwlen);
}

const struct hash_family hash_family_ldap_crypt = {
	.name = "ldap-crypt", .origin = "LDAP userPassword {CRYPT}: a crypt(3) string",
	.identify = ldap_crypt_identify, .describe = ldap_crypt_describe, .cost = ldap_crypt_cost,
	.verify = ldap_crypt_verify,
};
