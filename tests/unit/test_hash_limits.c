/* test_hash_limits.c: what a stored hash may make the daemon do.
 *
 * Ceilings on cost and memory per family (hash_limits, [customdb] hash_max_*),
 * lock markers under every scheme, and plaintext only for what no family
 * claims. The vectors are test_hash.c's, test_hash_pbkdf2.c's and
 * test_hash_php.c's (where each comes from is said there); the costly forms
 * below are never verified when the code is right, and would take minutes
 * or gigabytes when it is not (the test then fails by its timeout). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "hash.h"

/* sha512crypt at one billion rounds (about ten minutes of CPU), and
 * argon2id with 4 GiB: what a hostile row holds */
#define SLOW_SHA512 "$6$rounds=999999999$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v."
#define HUGE_ARGON2 "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"

/* every field at its default but one */
static struct hash_limits with(size_t off, unsigned long v)
{
	struct hash_limits l = hash_limits_default;

	memcpy((char *)&l + off, &v, sizeof(v));
	return l;
}

#define LIMIT(field, v) with(offsetof(struct hash_limits, field), v)

static int verify_under(const struct hash_limits *l, const char *stored, const char *pw)
{
	const struct hash_ctx ctx = { .limits = l };

	return hash_verify_ctx(&ctx, stored, pw);
}

START_TEST(test_hostile_rows_refused)
{
	/* the right password of the 10000-round vector: the stored string is
	 * refused for its rounds, not for a wrong hash */
	ck_assert_int_eq(hash_verify(SLOW_SHA512, "Hello world!"), HASH_UNUSABLE);
	ck_assert_int_eq(hash_verify(HUGE_ARGON2, "password"), HASH_UNUSABLE);
	ck_assert(hash_over_ceiling(NULL, hash_identify(SLOW_SHA512), SLOW_SHA512, NULL, 0));
	ck_assert(hash_over_ceiling(NULL, hash_identify(HUGE_ARGON2), HUGE_ARGON2, NULL, 0));
}
END_TEST

START_TEST(test_over_ceiling_says_which)
{
	char why[160];

	ck_assert(hash_over_ceiling(NULL, hash_identify(SLOW_SHA512), SLOW_SHA512, why,
				    sizeof(why)));
	ck_assert_str_eq(why, "sha512crypt rounds 999999999 over hash_max_rounds = 1000000");
	hash_explain(NULL, HUGE_ARGON2, why, sizeof(why));
	ck_assert_str_eq(why, "over a ceiling: argon2id memory (KiB) 4194304 over "
			 "hash_max_memory_kib = 262144");
	hash_explain(NULL, "!", why, sizeof(why));
	ck_assert_ptr_nonnull(strstr(why, "lock marker"));
	hash_explain(NULL, "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJ"
		     "uesI68u4OTLiBFdcbYEdFCoEOfaS35inz1", why, sizeof(why));
	ck_assert_str_eq(why, "");
}
END_TEST

/* Each family at a ceiling just below its vector's cost, then at it. */
struct at_ceiling {
	const char *stored, *password;
	struct hash_limits below, at;
};

START_TEST(test_each_family_at_its_ceiling)
{
	const struct at_ceiling cases[] = {
		{ "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U",
		  LIMIT(bcrypt_cost, 4), LIMIT(bcrypt_cost, 5) },
		{ "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSn"
		  "CM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.", "Hello world!",
		  LIMIT(rounds, 9999), LIMIT(rounds, 10000) },
		/* no rounds= is glibc's 5000 */
		{ "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "Hello world!",
		  LIMIT(rounds, 4999), LIMIT(rounds, 5000) },
		/* yescrypt j75: N = 2^10, r = 8: 1 MiB */
		{ "$y$j75$3dC0gzSRgtcYzm64d/KIy/$30Yyn0BQuy5Vm0i8nlnDVqmipvCs9ZySoVe0ibBPrQ9",
		  "yes password", LIMIT(memory_kib, 1023), LIMIT(memory_kib, 1024) },
		{ "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		  "password", LIMIT(memory_kib, 65535), LIMIT(memory_kib, 65536) },
		/* m=64 MiB, t=2 against 128 MiB: 2 passes at most is 1 at full memory */
		{ "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		  "password", { 14, 1000000, 2000000, 131072, 0 }, { 14, 1000000, 2000000, 131072, 1 } },
		{ "pbkdf2_sha256$10000$bEwAfNrH1TlQ$OgYUblFNUX1B8GfMqaCYUK/iHyO0pa7STTDdaEJBuY0=",
		  "t\xc3\xa1\xd0\x91\xe2\x84\x93\xc9\x99", LIMIT(iterations, 9999),
		  LIMIT(iterations, 10000) },
		/* phpass count '9': 2^11 */
		{ "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "test12345", LIMIT(iterations, 2047),
		  LIMIT(iterations, 2048) },
		/* {CRYPT} is the crypt string's cost */
		{ "{CRYPT}$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSn"
		  "CM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.", "Hello world!",
		  LIMIT(rounds, 9999), LIMIT(rounds, 10000) },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(verify_under(&cases[i].below, cases[i].stored, cases[i].password) ==
				      HASH_UNUSABLE, "%s: verified over its ceiling", cases[i].stored);
		ck_assert_msg(verify_under(&cases[i].at, cases[i].stored, cases[i].password) ==
				      HASH_MATCH, "%s: refused at its ceiling", cases[i].stored);
	}
}
END_TEST

/* Generated hashes: the write schemes at a cost, checked and refused. */
START_TEST(test_generated_over_ceiling)
{
	struct hash_limits l = LIMIT(bcrypt_cost, 5);
	char h[HASH_MAX], err[128];

	ck_assert_int_eq(hash_generate("bcrypt", 6, "pw", h, sizeof(h), err, sizeof(err)), 0);
	ck_assert_int_eq(verify_under(&l, h, "pw"), HASH_UNUSABLE);
	l.bcrypt_cost = 6;
	ck_assert_int_eq(verify_under(&l, h, "pw"), HASH_MATCH);
	/* yescrypt's default (cost 5) is 16 MiB */
	ck_assert_int_eq(hash_generate("yescrypt", 0, "pw", h, sizeof(h), err, sizeof(err)), 0);
	l = LIMIT(memory_kib, 16383);
	ck_assert_int_eq(verify_under(&l, h, "pw"), HASH_UNUSABLE);
	l = LIMIT(memory_kib, 16384);
	ck_assert_int_eq(verify_under(&l, h, "pw"), HASH_MATCH);
}
END_TEST

START_TEST(test_unreadable_cost_refused)
{
	/* yescrypt with parameters past N and r (p, t, ROM): cost unknown */
	ck_assert_int_eq(hash_verify("$y$j9T1.$PuohWFeqdj7zvAshIihqW.$WXGBu/KbX2n2QTfOwuTbUzJQNAxUGglr6LMsuIXwZTC",
				     "yes password"), HASH_UNUSABLE);
	ck_assert_int_eq(hash_verify("$argon2id$v=19$m=-1,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
				     "password"), HASH_UNUSABLE);
}
END_TEST

START_TEST(test_dummy_never_over_ceiling)
{
	/* a hostile `like` is replaced by the built-in one, not spent */
	hash_dummy_verify(NULL, SLOW_SHA512, "x");
	hash_dummy_verify(NULL, HUGE_ARGON2, "x");
}
END_TEST

/* --- lock markers and plaintext ------------------------------------------- */

static const char *const markers[] = {
	"*", "!", "!!", "*LK*", "*NP*", "!*", "!hunter2",
	"!$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
	"*$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
	"!5f4dcc3b5aa765d61d8327deb882cf99",
};

#define NMARKERS (sizeof(markers) / sizeof(markers[0]))

START_TEST(test_markers_never_match)
{
	const char *m = markers[_i];
	const struct hash_ctx plain = { .scheme_read = "plaintext,md5-hex", .allow_empty = true };

	ck_assert(hash_is_lock_marker(m));
	ck_assert_ptr_null(hash_identify(m));
	ck_assert_ptr_null(hash_identify_ctx(&plain, m));
	/* the marker itself, the marker without its '!' or '*', and "" */
	ck_assert_int_ne(hash_verify_ctx(&plain, m, m), HASH_MATCH);
	ck_assert_int_ne(hash_verify_ctx(&plain, m, m + 1), HASH_MATCH);
	ck_assert_int_ne(hash_verify_ctx(&plain, m, ""), HASH_MATCH);
	ck_assert_int_ne(hash_verify_ctx(&plain, m, "Hello world!"), HASH_MATCH);
	ck_assert_int_ne(hash_verify_ctx(&plain, m, "password"), HASH_MATCH);
}
END_TEST

START_TEST(test_empty_is_a_marker)
{
	const struct hash_ctx plain = { .scheme_read = "plaintext", .allow_empty = true };

	ck_assert(hash_is_lock_marker(""));
	ck_assert(hash_is_lock_marker(NULL));
	ck_assert_int_ne(hash_verify_ctx(&plain, "", ""), HASH_MATCH);
}
END_TEST

START_TEST(test_mysql41_is_not_a_marker)
{
	ck_assert(!hash_is_lock_marker("*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4"));
	ck_assert_int_eq(hash_verify("*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4", "mypass"),
			 HASH_MATCH);
}
END_TEST

/* Values some family claims by their start, cut short or broken: never
 * plaintext, never a digest. */
static const char *const cut[] = {
	"$6$saltstring", "$6$rounds=5000$abc", "$2b$12$abc", "$argon2id$v=19$m=65536",
	"$y$j9T$abc", "$P$9IQRa", "U$S$abc", "$md5,rounds=10$abc", "{SSHA}abc", "{CRYPT}$6$x",
	"pbkdf2_sha256$abc", "pbkdf2:sha256:600000", "scrypt:32768:8:1", "bcrypt_sha256$x",
	"argon2$argon2id$x", "$pbkdf2-sha256$29000$x",
};

#define NCUT (sizeof(cut) / sizeof(cut[0]))

START_TEST(test_cut_hash_not_plaintext)
{
	const struct hash_ctx plain = { .scheme_read = "plaintext" };

	const struct hash_family *f = hash_identify_ctx(&plain, cut[_i]);

	/* claimed by its own family (which cannot use it), or by none */
	ck_assert(f == NULL || !f->by_name_only);
	ck_assert_int_eq(hash_verify_ctx(&plain, cut[_i], cut[_i]), HASH_UNUSABLE);
}
END_TEST

START_TEST(test_plaintext_still_plaintext)
{
	const struct hash_ctx plain = { .scheme_read = "plaintext" };

	ck_assert_int_eq(hash_verify_ctx(&plain, "hunter2", "hunter2"), HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&plain, "hunter2", "hunter3"), HASH_MISMATCH);
	/* '$' or '*' inside a password is no marker */
	ck_assert_int_eq(hash_verify_ctx(&plain, "pa$$word*", "pa$$word*"), HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&plain, "$ 100 bills", "$ 100 bills"), HASH_MATCH);
}
END_TEST

/* --- config ------------------------------------------------------------------ */

static struct config *parse(const char *extra, char *err, size_t errlen)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "[customdb]\nmode = legacy\n%s\n[legacy]\ndriver = sqlite\nconnection = /x.db\n"
		 "[queries]\nlogin = SELECT 1\nget_user = SELECT 1\nget_user_by_uid = SELECT 1\n",
		 extra);
	return config_parse_string(text, "test.conf", err, errlen);
}

START_TEST(test_config_keys)
{
	char err[512] = "";
	struct config *c = parse("", err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->hash_limits.rounds, hash_limits_default.rounds);
	ck_assert_uint_eq(c->hash_limits.memory_kib, 262144);
	config_free(c);
	c = parse("hash_max_bcrypt_cost = 16\nhash_max_rounds = 5000000\n"
		  "hash_max_iterations = 3000000\nhash_max_memory_kib = 1048576\n"
		  "hash_max_passes = 20", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->hash_limits.bcrypt_cost, 16);
	ck_assert_uint_eq(c->hash_limits.rounds, 5000000);
	ck_assert_uint_eq(c->hash_limits.iterations, 3000000);
	ck_assert_uint_eq(c->hash_limits.memory_kib, 1048576);
	ck_assert_uint_eq(c->hash_limits.passes, 20);
	config_free(c);
}
END_TEST

START_TEST(test_config_bad_values)
{
	static const char *const bad[] = {
		"hash_max_bcrypt_cost = 32", "hash_max_bcrypt_cost = 3", "hash_max_rounds = lots",
		"hash_max_memory_kib = -1", "hash_max_passes = 0", "hash_max_iterations = 1e6",
		"hash_max_rounds = 99999999999999999999999", "hash_max_cpu = 5",
	};
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config *c = parse(bad[i], err, sizeof(err));

		ck_assert_msg(c == NULL, "accepted: %s", bad[i]);
		ck_assert_msg(strstr(err, "hash_max_") != NULL, "%s: %s", bad[i], err);
	}
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("hash_limits");
	TCase *tc;

	tc = tcase_create("ceilings");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_hostile_rows_refused);
	tcase_add_test(tc, test_over_ceiling_says_which);
	tcase_add_test(tc, test_each_family_at_its_ceiling);
	tcase_add_test(tc, test_generated_over_ceiling);
	tcase_add_test(tc, test_unreadable_cost_refused);
	tcase_add_test(tc, test_dummy_never_over_ceiling);
	suite_add_tcase(s, tc);

	tc = tcase_create("markers");
	tcase_add_loop_test(tc, test_markers_never_match, 0, NMARKERS);
	tcase_add_test(tc, test_empty_is_a_marker);
	tcase_add_test(tc, test_mysql41_is_not_a_marker);
	tcase_add_loop_test(tc, test_cut_hash_not_plaintext, 0, NCUT);
	tcase_add_test(tc, test_plaintext_still_plaintext);
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_add_test(tc, test_config_keys);
	tcase_add_test(tc, test_config_bad_values);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
