/* hash_md.c: see hash_md.h. */
#include "hash_md.h"

#include <string.h>

#include "secret.h"

static uint32_t rol(uint32_t x, unsigned int s)
{
	return (x << s) | (x >> (32 - s));
}

static void load_words(const unsigned char *p, uint32_t x[16])
{
	int i;

	for (i = 0; i < 16; i++)
		x[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
		       (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
}

static const uint32_t md_init[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };

/* --- MD4 (RFC 1320) ---------------------------------------------------------- */

static void md4_block(uint32_t h[4], const unsigned char *p)
{
	static const unsigned int s1[4] = { 3, 7, 11, 19 }, s2[4] = { 3, 5, 9, 13 },
				  s3[4] = { 3, 9, 11, 15 };
	static const unsigned int o3[16] = { 0, 8, 4, 12, 2, 10, 6, 14,
					     1, 9, 5, 13, 3, 11, 7, 15 };
	uint32_t x[16], a = h[0], b = h[1], c = h[2], d = h[3], t;
	int i;

	load_words(p, x);
	for (i = 0; i < 16; i++) {   /* round 1: F, words in order */
		t = rol(a + ((b & c) | (~b & d)) + x[i], s1[i % 4]);
		a = d, d = c, c = b, b = t;
	}
	for (i = 0; i < 16; i++) {   /* round 2: G, words by column */
		t = rol(a + ((b & c) | (b & d) | (c & d)) + x[(i % 4) * 4 + i / 4] + 0x5a827999,
			s2[i % 4]);
		a = d, d = c, c = b, b = t;
	}
	for (i = 0; i < 16; i++) {   /* round 3: H, words bit-reversed */
		t = rol(a + (b ^ c ^ d) + x[o3[i]] + 0x6ed9eba1, s3[i % 4]);
		a = d, d = c, c = b, b = t;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	secret_wipe_array(x);
}

void hash_md4(const void *in, size_t n, unsigned char out[16])
{
	const unsigned char *p = in;
	unsigned char last[128] = { 0 };
	uint64_t bits = (uint64_t)n * 8;
	uint32_t h[4];
	size_t rest, lastlen, i;

	memcpy(h, md_init, sizeof(h));
	for (; n >= 64; n -= 64, p += 64)
		md4_block(h, p);
	rest = n;
	memcpy(last, p, rest);
	last[rest] = 0x80;
	lastlen = rest + 1 + 8 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		last[lastlen - 8 + i] = (unsigned char)(bits >> (8 * i));
	md4_block(h, last);
	if (lastlen == 128)
		md4_block(h, last + 64);
	for (i = 0; i < 16; i++)
		out[i] = (unsigned char)(h[i / 4] >> (8 * (i % 4)));
	secret_wipe_array(last);
	secret_wipe_array(h);
}

/* --- MD5's compression (RFC 1321) --------------------------------------------- */

void hash_md5_block_state(const unsigned char block[64], uint32_t state[4])
{
	/* T[i] = floor(abs(sin(i + 1)) * 2^32) */
	static const uint32_t k[64] = {
		0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
		0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
		0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
		0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
		0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
		0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
		0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
		0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
		0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
		0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
		0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
	};
	static const unsigned int s[4][4] = {
		{ 7, 12, 17, 22 }, { 5, 9, 14, 20 }, { 4, 11, 16, 23 }, { 6, 10, 15, 21 },
	};
	uint32_t x[16], a = md_init[0], b = md_init[1], c = md_init[2], d = md_init[3], f, t;
	unsigned int i, g;

	load_words(block, x);
	for (i = 0; i < 64; i++) {
		switch (i / 16) {
		case 0: f = (b & c) | (~b & d); g = i; break;
		case 1: f = (d & b) | (~d & c); g = (5 * i + 1) % 16; break;
		case 2: f = b ^ c ^ d; g = (3 * i + 5) % 16; break;
		default: f = c ^ (b | ~d); g = (7 * i) % 16; break;
		}
		t = d, d = c, c = b;
		b = b + rol(a + f + k[i] + x[g], s[i / 16][i % 4]);
		a = t;
	}
	state[0] = md_init[0] + a, state[1] = md_init[1] + b;
	state[2] = md_init[2] + c, state[3] = md_init[3] + d;
	secret_wipe_array(x);
}
