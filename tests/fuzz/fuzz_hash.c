/* fuzz_hash.c: identify, describe and verify arbitrary stored strings, with
 * every by-name-only scheme named and a salt given.
 *
 * Inputs are capped at 256 bytes, and verify runs only under tight ceilings
 * and when the string's own cost parameters are small (every number describe() reports stays under
 * a bound, and the families whose cost hides in an opaque field are left to
 * identify): otherwise one input could ask for hours of work, which the
 * daemon bounds differently (absurd costs are refused, the rest is a
 * legitimately slow hash). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char all_by_name[] =
	"md5-hex, sha1-hex, sha256-hex, sha512-hex, md5-base64, sha1-base64, sha256-base64, "
	"sha512-base64, md5-hex-salt-before, sha1-hex-salt-before, sha256-hex-salt-after, "
	"sha512-base64-salt-after, plaintext, aspnet-membership-sha1, aspnet-membership-hmacsha256, "
	"redmine, nextcloud-legacy, nt-hash, dovecot-plain";

/* Every number in the description is small (and yescrypt-like opaque costs
 * are not verified at all). */
static int cheap(const struct hash_family *f, const char *s)
{
	char d[256] = "";
	const char *p;

	if (strcmp(f->name, "yescrypt") == 0 || strcmp(f->name, "gost-yescrypt") == 0 ||
	    strcmp(f->name, "scrypt-crypt") == 0)
		return 0;
	/* bcrypt-based families: the cost sits in two digits */
	if ((p = strstr(s, "$2")) != NULL && strlen(p) > 6 && p[3] == '$' && (p[4] != '0' || p[5] > '5'))
		return 0;
	if (f->describe == NULL)
		return 1;
	f->describe(s, d, sizeof(d));
	for (p = d; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9') {
			if (strtoul(p, NULL, 10) > 4096)
				return 0;
			while (p[1] >= '0' && p[1] <= '9')
				p++;
		}
	}
	return 1;
}

/* Tight ceilings: what the daemon's hash_max_* keys do, here so that the
 * cost parsers (yescrypt's and $7$'s fields among them) see every input and
 * bound what verify may spend. */
static const struct hash_limits tight = {
	.bcrypt_cost = 5, .rounds = 4096, .iterations = 4096, .memory_kib = 1024, .passes = 2,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct hash_ctx b64salt = { .salt = "c2FsdHNhbHQ=", .scheme_read = all_by_name,
					  .limits = &tight };
	/* Gitea reads its salt column as hex (or 10 characters as they are) */
	const struct hash_ctx hexsalt = { .salt = "0001020304050607", .scheme_read = all_by_name,
					  .limits = &tight };
	const struct hash_ctx *ctxp = &b64salt;
	const struct hash_family *f;
	char s[257], why[160];

	if (size > 256)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	hash_explain(&b64salt, s, why, sizeof(why));
	f = hash_identify_ctx(&b64salt, s);
	if (f != NULL && strncmp(f->name, "gitea-", 6) == 0)
		ctxp = &hexsalt;
	/* a lock marker is claimed by no family, plaintext included */
	if (hash_is_lock_marker(s) && f != NULL)
		abort();
	if (f == NULL || hash_over_ceiling(ctxp, f, s, NULL, 0) || !cheap(f, s))
		return 0;
	/* nothing the fuzzer writes is a hash of this password, except by
	 * design for plaintext */
	if (strcmp(f->name, "plaintext") != 0 &&
	    (hash_verify_ctx(ctxp, s, "fuzz password") == HASH_MATCH || hash_verify_ctx(ctxp, s, "") == HASH_MATCH))
		abort();
	return 0;
}
