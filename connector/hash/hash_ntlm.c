/* hash_ntlm.c: the NT hash, by name only: MD4 of the password in UTF-16LE,
 * 32 hex digits (either case: Samba's sambaNTPassword and Roundcube's
 * password plugin, password_algorithm = samba, write upper case). A bare
 * 32-hex column could as well be md5-hex: password_scheme_read = nt-hash
 * says which. The password is read as UTF-8 (as Roundcube converts it from
 * RCUBE_CHARSET); one that is not valid UTF-8 never matches. */
#include "hash.h"

#include <stdint.h>
#include <string.h>

#include "hash_encoding.h"
#include "hash_families.h"
#include "hash_md.h"
#include "secret.h"

/* customdb's longest password (CDB_MAX_PASSWORD), widened */
#define NT_WIDE_MAX 2048

/* The UTF-16LE form of the UTF-8 password into out (outlen bytes): its
 * length, or -1 (not valid UTF-8, or too long). */
static int utf16le(const unsigned char *p, size_t n, unsigned char *out, size_t outlen)
{
	size_t i = 0, o = 0, len, k;
	uint32_t cp;

	while (i < n) {
		if (p[i] < 0x80)
			cp = p[i], len = 1;
		else if ((p[i] & 0xe0) == 0xc0)
			cp = p[i] & 0x1f, len = 2;
		else if ((p[i] & 0xf0) == 0xe0)
			cp = p[i] & 0x0f, len = 3;
		else if ((p[i] & 0xf8) == 0xf0)
			cp = p[i] & 0x07, len = 4;
		else
			return -1;
		if (i + len > n)
			return -1;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		/* overlong forms, surrogates and what lies past U+10FFFF */
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		i += len;
		if (cp >= 0x10000) {   /* a surrogate pair */
			if (o + 4 > outlen)
				return -1;
			cp -= 0x10000;
			out[o++] = (unsigned char)((0xd800 | cp >> 10) & 0xff);
			out[o++] = (unsigned char)((0xd800 | cp >> 10) >> 8);
			out[o++] = (unsigned char)((0xdc00 | (cp & 0x3ff)) & 0xff);
			out[o++] = (unsigned char)((0xdc00 | (cp & 0x3ff)) >> 8);
		} else {
			if (o + 2 > outlen)
				return -1;
			out[o++] = (unsigned char)(cp & 0xff);
			out[o++] = (unsigned char)(cp >> 8);
		}
	}
	return (int)o;
}

static bool nt_identify(const char *s)
{
	unsigned char d[16];

	return strlen(s) == 32 && enc_hex_decode(s, 32, d, sizeof(d)) == 16;
}

static int nt_verify(const struct hash_ctx *ctx, const char *stored, const char *password,
		     size_t pwlen)
{
	unsigned char want[16], got[16], wide[NT_WIDE_MAX];
	int n, rc;

	(void)ctx;
	if (strlen(stored) != 32 || enc_hex_decode(stored, 32, want, sizeof(want)) != 16)
		return HASH_UNUSABLE;
	n = utf16le((const unsigned char *)password, pwlen, wide, sizeof(wide));
	if (n < 0) {
		rc = HASH_MISMATCH;
		goto out;
	}
	hash_md4(wide, (size_t)n, got);
	rc = hash_equal(got, want, sizeof(want)) ? HASH_MATCH : HASH_MISMATCH;
out:
	secret_wipe_array(wide);
	secret_wipe_array(got);
	return rc;
}

const struct hash_family hash_family_nt_hash = {
	.name = "nt-hash", .origin = "NT hash: Samba sambaNTPassword, Roundcube password_algorithm samba",
	.by_name_only = true, .identify = nt_identify, .verify = nt_verify,
};
