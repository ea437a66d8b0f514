/* test_wire.c: wbuf/rbuf codecs, passwd and group records, framed socket I/O. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "protocol.h"
#include "record.h"
#include "wire.h"

/* A heap string of n copies of c. */
static char *filled(size_t n, char c)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A raw string field (length word + bytes) with no checks, to hand the
 * reader what a hostile peer could send. Caller frees; *len gets its size. */
static unsigned char *raw_str(const void *s, uint32_t n, size_t *len)
{
	unsigned char *b = malloc(4 + (size_t)n);
	uint32_t be = htonl(n);

	ck_assert_ptr_nonnull(b);
	memcpy(b, &be, 4);
	memcpy(b + 4, s, n);
	*len = 4 + (size_t)n;
	return b;
}

/* ---- wbuf / rbuf ---- */

START_TEST(test_ints_round_trip)
{
	static const uint32_t v32[] = { 0, 1, 0x12345678u, 0x7fffffffu, 0xffffffffu };
	static const uint16_t v16[] = { 0, 1, 0x1234, 0xffff };
	struct wbuf w;
	struct rbuf r;
	uint32_t g32;
	uint16_t g16;
	size_t i;

	wbuf_init(&w);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(wbuf_put_u32(&w, v32[i]), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(wbuf_put_u16(&w, v16[i]), 0);
	ck_assert_uint_eq(w.len, 5 * 4 + 4 * 2);
	/* network byte order on the wire */
	ck_assert_mem_eq(w.data + 8, "\x12\x34\x56\x78", 4);
	ck_assert_mem_eq(w.data + 20 + 4, "\x12\x34", 2);

	rbuf_init(&r, w.data, w.len);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(rbuf_get_u32(&r, &g32), 0);
		ck_assert_uint_eq(g32, v32[i]);
	}
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(rbuf_get_u16(&r, &g16), 0);
		ck_assert_uint_eq(g16, v16[i]);
	}
	ck_assert_int_eq(rbuf_end(&r), 0);
	ck_assert_int_eq(rbuf_get_u16(&r, &g16), -1);
	ck_assert_int_eq(rbuf_get_u32(&r, &g32), -1);
	wbuf_free(&w);
	ck_assert_ptr_null(w.data);
	ck_assert_uint_eq(w.len, 0);
}
END_TEST

START_TEST(test_strings_round_trip)
{
	char *longest = filled(CDB_MAX_STRING, 'z');
	const char *strs[] = { "", "a", "hello world", "x:y,z'\"", longest };
	char dst[CDB_MAX_STRING + 1];
	struct wbuf w;
	struct rbuf r;
	const char *s;
	size_t n, i;

	wbuf_init(&w);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(wbuf_put_str(&w, strs[i]), 0);
	ck_assert_int_eq(wbuf_put_str(&w, NULL), 0);           /* NULL travels as "" */
	ck_assert_int_eq(wbuf_put_strn(&w, "abcdef", 3), 0);   /* only n bytes */
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(wbuf_put_str(&w, strs[i]), 0);
	ck_assert_int_eq(w.failed, 0);

	rbuf_init(&r, w.data, w.len);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(rbuf_get_strref(&r, &s, &n), 0);
		ck_assert_uint_eq(n, strlen(strs[i]));
		ck_assert(n == 0 || memcmp(s, strs[i], n) == 0);
	}
	ck_assert_int_eq(rbuf_get_strref(&r, &s, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(rbuf_get_str(&r, dst, sizeof(dst)), 0);
	ck_assert_str_eq(dst, "abc");
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(rbuf_get_str(&r, dst, sizeof(dst)), 0);
		ck_assert_str_eq(dst, strs[i]);
	}
	ck_assert_int_eq(rbuf_end(&r), 0);
	wbuf_free(&w);
	free(longest);
}
END_TEST

START_TEST(test_get_str_dst_size)
{
	char dst[6];
	struct wbuf w;
	struct rbuf r;

	wbuf_init(&w);
	ck_assert_int_eq(wbuf_put_str(&w, "hello"), 0);   /* 5 + NUL fits 6 */
	ck_assert_int_eq(wbuf_put_str(&w, "hello!"), 0);  /* 6 + NUL does not */
	rbuf_init(&r, w.data, w.len);
	ck_assert_int_eq(rbuf_get_str(&r, dst, sizeof(dst)), 0);
	ck_assert_str_eq(dst, "hello");
	ck_assert_int_eq(rbuf_get_str(&r, dst, sizeof(dst)), -1);
	wbuf_free(&w);
}
END_TEST

START_TEST(test_string_too_long)
{
	char *big = filled(CDB_MAX_STRING + 1, 'a');
	unsigned char *raw;
	size_t rawlen;
	struct wbuf w;
	struct rbuf r;
	const char *s;
	size_t n;

	/* writer */
	wbuf_init(&w);
	ck_assert_int_eq(wbuf_begin(&w, CDB_OP_GETPWNAM), 0);
	ck_assert_int_eq(wbuf_put_str(&w, big), -1);
	ck_assert_int_ne(w.failed, 0);
	ck_assert_int_eq(wbuf_put_str(&w, "ok"), -1);   /* failure is sticky */
	ck_assert_int_eq(wbuf_end(&w), -1);
	wbuf_free(&w);
	wbuf_init(&w);
	ck_assert_int_eq(wbuf_put_strn(&w, big, CDB_MAX_STRING + 1), -1);
	wbuf_free(&w);

	/* reader: a peer that claims and sends CDB_MAX_STRING + 1 bytes */
	raw = raw_str(big, CDB_MAX_STRING + 1, &rawlen);
	rbuf_init(&r, raw, rawlen);
	ck_assert_int_eq(rbuf_get_strref(&r, &s, &n), -1);
	free(raw);
	/* exactly CDB_MAX_STRING is fine */
	raw = raw_str(big, CDB_MAX_STRING, &rawlen);
	rbuf_init(&r, raw, rawlen);
	ck_assert_int_eq(rbuf_get_strref(&r, &s, &n), 0);
	ck_assert_uint_eq(n, CDB_MAX_STRING);
	/* a length word far past the buffer */
	raw[0] = 0xff;
	rbuf_init(&r, raw, rawlen);
	ck_assert_int_eq(rbuf_get_strref(&r, &s, &n), -1);
	free(raw);
	free(big);
}
END_TEST

START_TEST(test_string_with_nul)
{
	unsigned char *raw;
	size_t rawlen;
	char dst[16];
	struct wbuf w;
	struct rbuf r;
	const char *s;
	size_t n;

	wbuf_init(&w);
	ck_assert_int_eq(wbuf_put_strn(&w, "ab\0cd", 5), -1);
	ck_assert_int_ne(w.failed, 0);
	wbuf_free(&w);

	wbuf_init(&w);
	ck_assert_int_eq(wbuf_put_strn(&w, "\0", 1), -1);
	wbuf_free(&w);

	raw = raw_str("ab\0cd", 5, &rawlen);
	rbuf_init(&r, raw, rawlen);
	ck_assert_int_eq(rbuf_get_strref(&r, &s, &n), -1);
	rbuf_init(&r, raw, rawlen);
	ck_assert_int_eq(rbuf_get_str(&r, dst, sizeof(dst)), -1);
	free(raw);

	/* the same bytes without the NUL are accepted: the check is what fails */
	raw = raw_str("abXcd", 5, &rawlen);
	rbuf_init(&r, raw, rawlen);
	ck_assert_int_eq(rbuf_get_str(&r, dst, sizeof(dst)), 0);
	ck_assert_str_eq(dst, "abXcd");
	free(raw);
}
END_TEST

/* Every length from 0 to 40 (the short strings are checked a word at a
 * time, the long ones by memchr), a NUL at every position, bytes of every
 * value around it: refused exactly when a NUL is there. */
START_TEST(test_string_nul_every_position)
{
	unsigned char body[4 + 40];
	uint32_t len, be, pos;
	struct rbuf r;
	const char *s;
	size_t n;
	int fill;

	for (len = 0; len <= 40; len++) {
		for (fill = 1; fill < 256; fill += 127) {
			be = htonl(len);
			memcpy(body, &be, 4);
			memset(body + 4, fill, len);
			rbuf_init(&r, body, 4 + len);
			ck_assert_msg(rbuf_get_strref(&r, &s, &n) == 0 && n == len,
				      "length %u, no NUL: refused", len);
			for (pos = 0; pos < len; pos++) {
				memset(body + 4, fill, len);
				body[4 + pos] = '\0';
				rbuf_init(&r, body, 4 + len);
				ck_assert_msg(rbuf_get_strref(&r, &s, &n) == -1,
					      "length %u, NUL at %u: accepted", len, pos);
			}
		}
	}
}
END_TEST

START_TEST(test_begin_end_framing)
{
	struct wbuf w;
	struct rbuf r;
	uint32_t len;
	uint16_t code;
	char dst[16];

	wbuf_init(&w);
	ck_assert_int_eq(wbuf_begin(&w, CDB_OP_GETGRNAM), 0);
	ck_assert_int_eq(wbuf_put_str(&w, "staff"), 0);
	ck_assert_int_eq(wbuf_end(&w), 0);
	ck_assert_uint_eq(w.len, 4 + 2 + 2 + 4 + 5);
	memcpy(&len, w.data, 4);
	ck_assert_uint_eq(ntohl(len), w.len - 4);

	rbuf_init(&r, w.data + 4, w.len - 4);
	ck_assert_int_eq(rbuf_begin(&r, &code), 0);
	ck_assert_uint_eq(code, CDB_OP_GETGRNAM);
	ck_assert_int_eq(rbuf_get_str(&r, dst, sizeof(dst)), 0);
	ck_assert_str_eq(dst, "staff");
	ck_assert_int_eq(rbuf_end(&r), 0);

	/* wbuf_begin starts over, and clears an earlier failure */
	ck_assert_int_eq(wbuf_put_strn(&w, "a\0", 2), -1);
	ck_assert_int_eq(wbuf_begin(&w, CDB_OP_GETPWUID), 0);
	ck_assert_int_eq(wbuf_put_u32(&w, 10001), 0);
	ck_assert_int_eq(wbuf_end(&w), 0);
	ck_assert_uint_eq(w.len, 12);
	wbuf_free(&w);
}
END_TEST

START_TEST(test_rbuf_begin_version)
{
	unsigned char good[] = { 0, CDB_PROTOCOL_VERSION, 0, 5 };
	unsigned char bad[] = { 0, CDB_PROTOCOL_VERSION + 1, 0, 5 };
	unsigned char zero[] = { 0, 0, 0, 5 };
	unsigned char swapped[] = { CDB_PROTOCOL_VERSION, 0, 0, 5 };
	struct rbuf r;
	uint16_t code = 0;
	size_t cut;

	rbuf_init(&r, good, sizeof(good));
	ck_assert_int_eq(rbuf_begin(&r, &code), 0);
	ck_assert_uint_eq(code, 5);
	ck_assert_int_eq(rbuf_end(&r), 0);
	rbuf_init(&r, bad, sizeof(bad));
	ck_assert_int_eq(rbuf_begin(&r, &code), -1);
	rbuf_init(&r, zero, sizeof(zero));
	ck_assert_int_eq(rbuf_begin(&r, &code), -1);
	rbuf_init(&r, swapped, sizeof(swapped));
	ck_assert_int_eq(rbuf_begin(&r, &code), -1);
	for (cut = 0; cut < sizeof(good); cut++) {
		rbuf_init(&r, good, cut);
		ck_assert_int_eq(rbuf_begin(&r, &code), -1);
	}
}
END_TEST

START_TEST(test_rbuf_end_trailing)
{
	unsigned char msg[] = { 0, CDB_PROTOCOL_VERSION, 0, 1, 0, 0, 0, 0, 0x99 };
	struct rbuf r;
	uint16_t code;
	const char *s;
	size_t n;

	rbuf_init(&r, msg, sizeof(msg));
	ck_assert_int_eq(rbuf_begin(&r, &code), 0);
	ck_assert_int_eq(rbuf_get_strref(&r, &s, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(rbuf_end(&r), -1);
	rbuf_init(&r, msg, sizeof(msg) - 1);
	ck_assert_int_eq(rbuf_begin(&r, &code), 0);
	ck_assert_int_eq(rbuf_get_strref(&r, &s, &n), 0);
	ck_assert_int_eq(rbuf_end(&r), 0);
}
END_TEST

START_TEST(test_truncated_fields)
{
	struct wbuf w;
	struct rbuf r;
	size_t cut;
	const char *s;
	size_t n;
	uint32_t v;

	wbuf_init(&w);
	ck_assert_int_eq(wbuf_put_str(&w, "hello"), 0);
	for (cut = 0; cut < w.len; cut++) {
		rbuf_init(&r, w.data, cut);
		ck_assert_int_eq(rbuf_get_strref(&r, &s, &n), -1);
	}
	for (cut = 0; cut < 4; cut++) {
		rbuf_init(&r, w.data, cut);
		ck_assert_int_eq(rbuf_get_u32(&r, &v), -1);
	}
	wbuf_free(&w);
}
END_TEST

/* Fill a message so its body is exactly `body` bytes (>= 8). */
static void fill_message(struct wbuf *w, size_t body)
{
	char *chunk = filled(CDB_MAX_STRING, 'm');
	size_t left;

	ck_assert_int_eq(wbuf_begin(w, CDB_OP_GETPWNAM), 0);
	left = body - 4;
	while (left > 0) {
		size_t n = left - 4 > CDB_MAX_STRING ? CDB_MAX_STRING : left - 4;

		ck_assert_uint_ge(left, 4);
		if (wbuf_put_strn(w, chunk, n) != 0)
			break;
		left -= 4 + n;
	}
	free(chunk);
}

START_TEST(test_message_size_limit)
{
	struct wbuf w;
	uint32_t len;

	/* exactly CDB_MAX_MESSAGE: accepted */
	wbuf_init(&w);
	fill_message(&w, CDB_MAX_MESSAGE);
	ck_assert_int_eq(w.failed, 0);
	ck_assert_uint_eq(w.len, 4 + CDB_MAX_MESSAGE);
	ck_assert_int_eq(wbuf_end(&w), 0);
	memcpy(&len, w.data, 4);
	ck_assert_uint_eq(ntohl(len), CDB_MAX_MESSAGE);
	/* one more field: refused, and the message cannot be finished */
	ck_assert_int_eq(wbuf_put_u16(&w, 1), -1);
	ck_assert_int_ne(w.failed, 0);
	ck_assert_int_eq(wbuf_end(&w), -1);
	wbuf_free(&w);

	/* strings appended until it overflows */
	wbuf_init(&w);
	fill_message(&w, CDB_MAX_MESSAGE + 4 + 100);
	ck_assert_int_ne(w.failed, 0);
	ck_assert_uint_le(w.len, 4 + CDB_MAX_MESSAGE);
	ck_assert_int_eq(wbuf_end(&w), -1);
	wbuf_free(&w);
}
END_TEST

/* ---- records ---- */

static const struct cdb_passwd alice = {
	.name = "alice", .gecos = "Alice Liddell,,,", .home = "/home/alice",
	.shell = "/bin/bash", .uid = 10001, .gid = 100,
};

static int strref_is(struct strref r, const char *s)
{
	return r.n == strlen(s) && (r.n == 0 || memcmp(r.s, s, r.n) == 0);
}

START_TEST(test_passwd_round_trip)
{
	struct cdb_passwd p = alice;
	struct cdb_passwd_ref q;
	struct wbuf w;
	struct rbuf r;

	wbuf_init(&w);
	ck_assert_int_eq(record_put_passwd(&w, &p), 0);
	rbuf_init(&r, w.data, w.len);
	ck_assert_int_eq(record_get_passwd(&r, &q), 0);
	ck_assert_int_eq(rbuf_end(&r), 0);
	ck_assert(strref_is(q.name, "alice"));
	ck_assert(strref_is(q.passwd, "x"));
	ck_assert(strref_is(q.gecos, "Alice Liddell,,,"));
	ck_assert(strref_is(q.home, "/home/alice"));
	ck_assert(strref_is(q.shell, "/bin/bash"));
	ck_assert_uint_eq(q.uid, 10001);
	ck_assert_uint_eq(q.gid, 100);
	wbuf_free(&w);

	/* empty gecos travels; empty name is refused by the reader */
	p.gecos = "";
	p.uid = 0xfffffffeu;
	wbuf_init(&w);
	ck_assert_int_eq(record_put_passwd(&w, &p), 0);
	rbuf_init(&r, w.data, w.len);
	ck_assert_int_eq(record_get_passwd(&r, &q), 0);
	ck_assert_uint_eq(q.gecos.n, 0);
	ck_assert_uint_eq(q.uid, 0xfffffffeu);
	wbuf_free(&w);

	p.name = "";
	wbuf_init(&w);
	ck_assert_int_eq(record_put_passwd(&w, &p), 0);
	rbuf_init(&r, w.data, w.len);
	ck_assert_int_eq(record_get_passwd(&r, &q), -1);
	wbuf_free(&w);
}
END_TEST

START_TEST(test_passwd_bad_fields)
{
	struct cdb_passwd p = alice;
	char *big = filled(CDB_MAX_STRING + 1, 'h');
	struct wbuf w;

	p.home = big;
	wbuf_init(&w);
	ck_assert_int_eq(record_put_passwd(&w, &p), -1);
	wbuf_free(&w);
	free(big);
}
END_TEST

START_TEST(test_passwd_truncated)
{
	struct cdb_passwd_ref q;
	struct wbuf w;
	struct rbuf r;
	size_t cut;

	wbuf_init(&w);
	ck_assert_int_eq(record_put_passwd(&w, &alice), 0);
	for (cut = 0; cut < w.len; cut++) {
		rbuf_init(&r, w.data, cut);
		ck_assert_msg(record_get_passwd(&r, &q) == -1, "cut at %zu accepted", cut);
	}
	rbuf_init(&r, w.data, w.len);
	ck_assert_int_eq(record_get_passwd(&r, &q), 0);
	wbuf_free(&w);
}
END_TEST

static void check_group_round_trip(size_t nmembers)
{
	char **names = calloc(nmembers + 1, sizeof(*names));
	struct cdb_group g = { .name = "developers", .gid = 20001 };
	struct cdb_group_ref q;
	struct wbuf w;
	struct rbuf r;
	const char *s;
	size_t n, i;

	ck_assert_ptr_nonnull(names);
	for (i = 0; i < nmembers; i++) {
		names[i] = malloc(16);
		ck_assert_ptr_nonnull(names[i]);
		snprintf(names[i], 16, "user%zu", i);
	}
	g.nmembers = nmembers;
	g.members = (const char *const *)names;
	wbuf_init(&w);
	ck_assert_int_eq(record_put_group(&w, &g), 0);
	rbuf_init(&r, w.data, w.len);
	ck_assert_int_eq(record_get_group(&r, &q), 0);
	ck_assert_int_eq(rbuf_end(&r), 0);
	ck_assert(strref_is(q.name, "developers"));
	ck_assert(strref_is(q.passwd, "x"));
	ck_assert_uint_eq(q.gid, 20001);
	ck_assert_uint_eq(q.nmembers, nmembers);
	for (i = 0; i < nmembers; i++) {
		ck_assert_int_eq(rbuf_get_strref(&q.members, &s, &n), 0);
		ck_assert_uint_eq(n, strlen(names[i]));
		ck_assert(memcmp(s, names[i], n) == 0);
	}
	ck_assert_int_eq(rbuf_end(&q.members), 0);
	wbuf_free(&w);
	for (i = 0; i < nmembers; i++)
		free(names[i]);
	free(names);
}

START_TEST(test_group_round_trip)
{
	check_group_round_trip(0);
	check_group_round_trip(1);
	check_group_round_trip(3);
	check_group_round_trip(1000);
	check_group_round_trip(CDB_MAX_MEMBERS);
}
END_TEST

/* The first phase of size-then-pack: record_*_size is what record_put_*
 * writes, and 0 for a record that could never travel. */
START_TEST(test_record_sizes)
{
	const char *members[] = { "a", "", "ccc" };
	struct cdb_group g = { .name = "staff", .gid = 20001, .nmembers = 3, .members = members };
	struct cdb_passwd p = alice;
	char *big = filled(CDB_MAX_STRING + 1, 'h');
	struct wbuf w;
	size_t n;

	for (n = 0; n <= 3; n++) {
		g.nmembers = n;
		wbuf_init(&w);
		ck_assert_int_eq(record_put_group(&w, &g), 0);
		ck_assert_uint_eq(record_group_size(&g), w.len);
		wbuf_free(&w);
	}
	wbuf_init(&w);
	ck_assert_int_eq(record_put_passwd(&w, &p), 0);
	ck_assert_uint_eq(record_passwd_size(&p), w.len);
	wbuf_free(&w);
	p.gecos = "";
	wbuf_init(&w);
	ck_assert_int_eq(record_put_passwd(&w, &p), 0);
	ck_assert_uint_eq(record_passwd_size(&p), w.len);
	wbuf_free(&w);

	big[CDB_MAX_STRING] = '\0';     /* the longest string travels */
	p.shell = big;
	wbuf_init(&w);
	ck_assert_int_eq(record_put_passwd(&w, &p), 0);
	ck_assert_uint_eq(record_passwd_size(&p), w.len);
	wbuf_free(&w);
	big[CDB_MAX_STRING] = 'h';
	ck_assert_uint_eq(record_passwd_size(&p), 0);
	p.shell = "/bin/sh";
	p.name = big;
	ck_assert_uint_eq(record_passwd_size(&p), 0);
	members[1] = big;
	ck_assert_uint_eq(record_group_size(&g), 0);
	members[1] = "b";
	g.nmembers = CDB_MAX_MEMBERS + 1;
	ck_assert_uint_eq(record_group_size(&g), 0);
	free(big);
}
END_TEST

START_TEST(test_group_limits)
{
	const char *members[] = { "a", "b" };
	struct cdb_group g = { .name = "g", .gid = 20001, .nmembers = CDB_MAX_MEMBERS + 1,
			       .members = members };
	struct cdb_group_ref q;
	struct wbuf w;
	struct rbuf r;

	/* the writer refuses too many members without reading them */
	wbuf_init(&w);
	ck_assert_int_eq(record_put_group(&w, &g), -1);
	wbuf_free(&w);

	/* the reader refuses a count over CDB_MAX_MEMBERS */
	wbuf_init(&w);
	ck_assert_int_eq(wbuf_put_str(&w, "g"), 0);
	ck_assert_int_eq(wbuf_put_str(&w, "x"), 0);
	ck_assert_int_eq(wbuf_put_u32(&w, 20001), 0);
	ck_assert_int_eq(wbuf_put_u32(&w, CDB_MAX_MEMBERS + 1), 0);
	rbuf_init(&r, w.data, w.len);
	ck_assert_int_eq(record_get_group(&r, &q), -1);
	wbuf_free(&w);

	/* a count larger than the members that follow */
	wbuf_init(&w);
	ck_assert_int_eq(wbuf_put_str(&w, "g"), 0);
	ck_assert_int_eq(wbuf_put_str(&w, "x"), 0);
	ck_assert_int_eq(wbuf_put_u32(&w, 20001), 0);
	ck_assert_int_eq(wbuf_put_u32(&w, 3), 0);
	ck_assert_int_eq(wbuf_put_str(&w, "a"), 0);
	ck_assert_int_eq(wbuf_put_str(&w, "b"), 0);
	rbuf_init(&r, w.data, w.len);
	ck_assert_int_eq(record_get_group(&r, &q), -1);
	/* an empty member name */
	ck_assert_int_eq(wbuf_put_str(&w, ""), 0);
	rbuf_init(&r, w.data, w.len);
	ck_assert_int_eq(record_get_group(&r, &q), -1);
	wbuf_free(&w);

	/* an empty group name */
	g.name = "";
	g.nmembers = 0;
	wbuf_init(&w);
	ck_assert_int_eq(record_put_group(&w, &g), 0);
	rbuf_init(&r, w.data, w.len);
	ck_assert_int_eq(record_get_group(&r, &q), -1);
	wbuf_free(&w);
}
END_TEST

START_TEST(test_group_truncated)
{
	const char *members[] = { "alice", "bob", "carol" };
	struct cdb_group g = { .name = "staff", .gid = 20002, .nmembers = 3, .members = members };
	struct cdb_group_ref q;
	struct wbuf w;
	struct rbuf r;
	size_t cut;

	wbuf_init(&w);
	ck_assert_int_eq(record_put_group(&w, &g), 0);
	for (cut = 0; cut < w.len; cut++) {
		rbuf_init(&r, w.data, cut);
		ck_assert_msg(record_get_group(&r, &q) == -1, "cut at %zu accepted", cut);
	}
	rbuf_init(&r, w.data, w.len);
	ck_assert_int_eq(record_get_group(&r, &q), 0);
	wbuf_free(&w);
}
END_TEST

/* ---- io over a socketpair ---- */

static void pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(test_io_round_trip)
{
	unsigned char *body;
	struct wbuf w;
	size_t len;
	int sv[2];

	pair(sv);
	wbuf_init(&w);
	ck_assert_int_eq(wbuf_begin(&w, CDB_OP_GETPWNAM), 0);
	ck_assert_int_eq(wbuf_put_str(&w, "alice"), 0);
	ck_assert_int_eq(wbuf_end(&w), 0);
	ck_assert_int_eq(io_write_all(sv[0], w.data, w.len, io_deadline(1000)), 0);
	ck_assert_int_eq(io_read_message(sv[1], io_deadline(1000), &body, &len), 0);
	ck_assert_uint_eq(len, w.len - 4);
	ck_assert_mem_eq(body, w.data + 4, len);
	io_free_message(body, len);

	/* a peer that closes cleanly between messages: -1 with errno 0 */
	close(sv[0]);
	errno = EINVAL;
	ck_assert_int_eq(io_read_message(sv[1], io_deadline(1000), &body, &len), -1);
	ck_assert_int_eq(errno, 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_ptr_null(body);
	close(sv[1]);
	wbuf_free(&w);
}
END_TEST

START_TEST(test_io_oversized_frame)
{
	uint32_t words[] = { htonl(CDB_MAX_MESSAGE + 1), htonl(0xffffffffu) };
	unsigned char *body = (unsigned char *)1;
	size_t len = 99, i;
	int sv[2];

	for (i = 0; i < 2; i++) {
		pair(sv);
		ck_assert_int_eq(io_write_all(sv[0], &words[i], 4, io_deadline(1000)), 0);
		errno = 0;
		ck_assert_int_eq(io_read_message(sv[1], io_deadline(1000), &body, &len), -1);
		ck_assert_int_eq(errno, EMSGSIZE);
		ck_assert_ptr_null(body);
		close(sv[0]);
		close(sv[1]);
	}
}
END_TEST

START_TEST(test_io_half_frame)
{
	unsigned char frame[4 + 20] = { 0, 0, 0, 20, 0, CDB_PROTOCOL_VERSION, 0, 1 };
	unsigned char *body;
	size_t len;
	int sv[2];

	/* the whole length word and half the body, then close */
	pair(sv);
	ck_assert_int_eq(io_write_all(sv[0], frame, 4 + 10, io_deadline(1000)), 0);
	close(sv[0]);
	errno = 0;
	ck_assert_int_eq(io_read_message(sv[1], io_deadline(1000), &body, &len), -1);
	ck_assert_int_ne(errno, 0);
	ck_assert_int_ne(errno, ETIMEDOUT);
	ck_assert_ptr_null(body);
	close(sv[1]);

	/* the length word alone, then close */
	pair(sv);
	ck_assert_int_eq(io_write_all(sv[0], frame, 4, io_deadline(1000)), 0);
	close(sv[0]);
	errno = 0;
	ck_assert_int_eq(io_read_message(sv[1], io_deadline(1000), &body, &len), -1);
	ck_assert_int_ne(errno, 0);
	close(sv[1]);

	/* half the length word, then close */
	pair(sv);
	ck_assert_int_eq(io_write_all(sv[0], frame, 2, io_deadline(1000)), 0);
	close(sv[0]);
	errno = 0;
	ck_assert_int_eq(io_read_message(sv[1], io_deadline(1000), &body, &len), -1);
	ck_assert_int_ne(errno, 0);
	close(sv[1]);
}
END_TEST

START_TEST(test_io_timeout)
{
	unsigned char frame[4] = { 0, 0, 0, 20 };
	unsigned char *body;
	int64_t t0, took;
	size_t len;
	int sv[2];

	/* the peer sends nothing and stays */
	pair(sv);
	t0 = mono_ms();
	errno = 0;
	ck_assert_int_eq(io_read_message(sv[1], io_deadline(200), &body, &len), -1);
	took = mono_ms() - t0;
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_ge(took, 190);
	ck_assert_int_lt(took, 2000);

	/* the peer sends a length word, then nothing */
	ck_assert_int_eq(io_write_all(sv[0], frame, 4, io_deadline(1000)), 0);
	t0 = mono_ms();
	errno = 0;
	ck_assert_int_eq(io_read_message(sv[1], io_deadline(200), &body, &len), -1);
	took = mono_ms() - t0;
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_ge(took, 190);
	ck_assert_int_lt(took, 2000);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_io_write_to_closed_peer)
{
	char buf[64] = { 0 };
	int sv[2];

	/* MSG_NOSIGNAL: an error, not SIGPIPE (which would kill this test) */
	pair(sv);
	close(sv[1]);
	ck_assert_int_eq(io_write_all(sv[0], buf, sizeof(buf), io_deadline(1000)), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(sv[0]);
}
END_TEST

START_TEST(test_spin_next)
{
	int w, steps;

	/* a quick reply: a window that catches one as quick, a quarter more */
	ck_assert_int_eq(io_spin_next(0, 40, 100), 50);
	/* never wider than the cap */
	ck_assert_int_eq(io_spin_next(0, 90, 100), 100);
	ck_assert_int_eq(io_spin_next(100, 100, 100), 100);
	/* a quicker reply keeps the window (spinning stops when it comes) */
	ck_assert_int_eq(io_spin_next(80, 10, 100), 80);
	/* a reply slower than the cap halves it: a slow peer soon costs none */
	w = 100;
	for (steps = 0; w > 0; steps++)
		w = io_spin_next(w, 5000, 100);
	ck_assert_int_le(steps, 7);
	ck_assert_int_eq(io_spin_next(0, 5000, 100), 0);
	/* and quick replies again open it again */
	ck_assert_int_eq(io_spin_next(0, 60, 100), 75);
}
END_TEST

START_TEST(test_io_read_reply_spin)
{
	unsigned char frame[8] = { 0, 0, 0, 4, 0, 1, 0, 0 }, *body;
	int64_t waited = -1, t0, took;
	size_t len;
	int sv[2];

	/* a message already there is read while spinning */
	pair(sv);
	ck_assert_int_eq(io_write_all(sv[0], frame, sizeof(frame), io_deadline(1000)), 0);
	ck_assert_int_eq(io_read_reply(sv[1], io_deadline(1000), 50, &waited, &body, &len), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_int_ge(waited, 0);
	io_free_message(body, len);
	/* none comes: the spin gives way to blocking, and the deadline holds */
	t0 = mono_ms();
	errno = 0;
	ck_assert_int_eq(io_read_reply(sv[1], io_deadline(200), 1000, &waited, &body, &len), -1);
	took = mono_ms() - t0;
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_ge(took, 190);
	ck_assert_int_lt(took, 2000);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc;

	tc = tcase_create("wbuf_rbuf");
	tcase_add_test(tc, test_ints_round_trip);
	tcase_add_test(tc, test_strings_round_trip);
	tcase_add_test(tc, test_get_str_dst_size);
	tcase_add_test(tc, test_string_too_long);
	tcase_add_test(tc, test_string_with_nul);
	tcase_add_test(tc, test_string_nul_every_position);
	tcase_add_test(tc, test_begin_end_framing);
	tcase_add_test(tc, test_rbuf_begin_version);
	tcase_add_test(tc, test_rbuf_end_trailing);
	tcase_add_test(tc, test_truncated_fields);
	tcase_add_test(tc, test_message_size_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("record");
	tcase_add_test(tc, test_passwd_round_trip);
	tcase_add_test(tc, test_passwd_bad_fields);
	tcase_add_test(tc, test_passwd_truncated);
	tcase_add_test(tc, test_group_round_trip);
	tcase_add_test(tc, test_group_limits);
	tcase_add_test(tc, test_record_sizes);
	tcase_add_test(tc, test_group_truncated);
	suite_add_tcase(s, tc);

	tc = tcase_create("io");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_io_round_trip);
	tcase_add_test(tc, test_io_oversized_frame);
	tcase_add_test(tc, test_io_half_frame);
	tcase_add_test(tc, test_io_timeout);
	tcase_add_test(tc, test_io_write_to_closed_peer);
	tcase_add_test(tc, test_spin_next);
	tcase_add_test(tc, test_io_read_reply_spin);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
