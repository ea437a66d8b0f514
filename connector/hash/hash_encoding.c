/* hash_encoding.c: see hash_encoding.h. Standard base64 and hex go through
 * libsodium (constant-time decoders); the crypt alphabet is done here. */
#include "hash_encoding.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int enc_hex_decode(const char *s, size_t n, unsigned char *out, size_t outlen)
{
	size_t got = 0;
	const char *end = NULL;

	if (n % 2 != 0 || n / 2 > outlen)
		return -1;
	if (sodium_hex2bin(out, outlen, s, n, NULL, &got, &end) != 0 || end != s + n)
		return -1;
	return (int)got;
}

int enc_hex_encode(const unsigned char *in, size_t n, char *out, size_t outlen)
{
	if (outlen < n * 2 + 1)
		return -1;
	sodium_bin2hex(out, outlen, in, n);
	return (int)(n * 2);
}

static int b64_decode(const char *s, size_t n, unsigned char *out, size_t outlen, int variant)
{
	size_t got = 0;
	const char *end = NULL;

	/* accept a string with or without its padding */
	if (n > 0 && s[n - 1] == '=')
		variant = sodium_base64_VARIANT_ORIGINAL;
	if (sodium_base642bin(out, outlen, s, n, NULL, &got, &end, variant) != 0 || end != s + n)
		return -1;
	return (int)got;
}

int enc_b64_decode(const char *s, size_t n, unsigned char *out, size_t outlen)
{
	return b64_decode(s, n, out, outlen, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

int enc_b64_encode(const unsigned char *in, size_t n, bool pad, char *out, size_t outlen)
{
	int variant = pad ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;

	if (outlen < sodium_base64_ENCODED_LEN(n, variant))
		return -1;
	sodium_bin2base64(out, outlen, in, n, variant);
	return (int)strlen(out);
}

int enc_ab64_decode(const char *s, size_t n, unsigned char *out, size_t outlen)
{
	char *t;
	size_t i;
	int rc;

	if (n > 1024)
		return -1;
	t = malloc(n + 1);
	if (t == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '+')    /* ab64 never holds '+': it is not this encoding */
			break;
		t[i] = s[i] == '.' ? '+' : s[i];
	}
	rc = i == n ? enc_b64_decode(t, n, out, outlen) : -1;
	free(t);
	return rc;
}

int enc_ab64_encode(const unsigned char *in, size_t n, char *out, size_t outlen)
{
	int len = enc_b64_encode(in, n, false, out, outlen), i;

	for (i = 0; i < len; i++)
		if (out[i] == '+')
			out[i] = '.';
	return len;
}

const char enc_crypt64_alphabet[65] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

int enc_crypt64_index(char c)
{
	const char *p = c != '\0' ? strchr(enc_crypt64_alphabet, c) : NULL;

	return p != NULL ? (int)(p - enc_crypt64_alphabet) : -1;
}

bool enc_crypt64_only(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (enc_crypt64_index(s[i]) < 0)
			return false;
	return true;
}

int enc_crypt64_encode(const unsigned char *in, size_t n, char *out, size_t outlen)
{
	size_t i = 0, o = 0;
	unsigned long v;

	if (outlen < (n * 4 + 2) / 3 + 1)
		return -1;
	while (i < n) {
		v = in[i++];
		out[o++] = enc_crypt64_alphabet[v & 0x3f];
		if (i < n)
			v |= (unsigned long)in[i] << 8;
		out[o++] = enc_crypt64_alphabet[(v >> 6) & 0x3f];
		if (i++ >= n)
			break;
		if (i < n)
			v |= (unsigned long)in[i] << 16;
		out[o++] = enc_crypt64_alphabet[(v >> 12) & 0x3f];
		if (i++ >= n)
			break;
		out[o++] = enc_crypt64_alphabet[(v >> 18) & 0x3f];
	}
	out[o] = '\0';
	return (int)o;
}
