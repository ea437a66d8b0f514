/* test_hash_apps.c: the formats of applications people run over SQL:
 * MediaWiki (hash_mediawiki.c), Redmine (hash_digest.c) and Dovecot's
 * {SCHEME} values (hash_dovecot.c).
 *
 * Where the vectors come from (never from customdb):
 *   MediaWiki  MediaWiki 1.39's own PasswordFactory and Pbkdf2Password /
 *              MWSaltedPassword / MWOldPassword (Debian's mediawiki package,
 *              run by php-cli as tests/unit/verify_with_mediawiki.php does)
 *   Redmine    Redmine 5.0's User#salt_password, mirrored in python3:
 *              sha1(salt + sha1(pw).hexdigest()).hexdigest() (no Ruby here)
 *   Dovecot    doveadm pw -s SCHEME [-r ROUNDS] of Dovecot 2.3.19 (Debian's
 *              dovecot-core); the wrong-case and base64 spellings were
 *              checked with doveadm pw -t.
 * All of them hash "Wiki pässword", "Redmine pässword" or "Dove pässword"
 * (UTF-8). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"

#define MW_PW "Wiki p\xc3\xa4ssword"
#define RM_PW "Redmine p\xc3\xa4ssword"
#define DV_PW "Dove p\xc3\xa4ssword"

/* vectors the ceiling and write tests use again */
#define MW_DEFAULT ":pbkdf2:sha512:30000:64:bIK59xyM9z/mG171u7tg8g==:cuQGIZ5Tq/SY9h7Zz" \
	"+PdYyhHd7kg6BBwZiE3EHhfZLXFleaPa4EwdLDrs6Ydqa9qbuvzu7GYkoSxcJz+iZL8dQ=="
#define MW_SHA256 ":pbkdf2:sha256:10000:32:AyeHeA2ft+dK3QaQEA7j6g==:jOsgudegQuJfzTZ9ct" \
	"Q+31jLCi3A/Ipw24uEKRLOs08="
#define DV_SHA512 "{SHA512-CRYPT}$6$rounds=1000$f4..J9c4n795otIQ$CYTCwvc0f3.Tg3l" \
	"TRjsCg3LwlW73OW.R3h2n4aX2ok9JtWkZKEvGyhCnER/tZ/10VdMIW47Os2fpgn85jPl7O."
#define DV_ARGON2ID "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$IS/xWPTGGQ6vTLMqMrt7hw$0/" \
	"lZS6CCNWWf8sk5AAC8Zh76Z0MmSfo4SKDaD/1I/qs"
#define DV_SCRAM256 "{SCRAM-SHA-256}4096,yI34oaPM72H+yFWS5GsmFg==,ZlQFWY2Vs1uZeNkjO" \
	"pzVwnH+8xciW8yyzsSyHxasv6U=,VWrbhZk5g6SHB+W+HX4zO+QmHfRlOmmve40zyxzbnrw="

struct vector {
	const char *family, *stored, *password;
};

static const struct vector vectors[] = {
	/* MediaWiki: the 1.39 default, another algorithm and length, :B:, :A: */
	{ "mediawiki-pbkdf2", MW_DEFAULT, MW_PW },
	{ "mediawiki-pbkdf2", MW_SHA256, MW_PW },
	{ "mediawiki-b", ":B:c0ffee12:f1d269902376cf97bef37c83bbebed09", MW_PW },
	{ "mediawiki-a", ":A:383b2435a0ecf5c63c6cd2264aa8c54f", MW_PW },
	/* :A: with a salt is read as :B: (MWOldPassword accepts it) */
	{ "mediawiki-a", ":A:c0ffee12:f1d269902376cf97bef37c83bbebed09", MW_PW },
	/* Dovecot */
	{ "dovecot-sha512-crypt", DV_SHA512, DV_PW },
	{ "dovecot-argon2id", DV_ARGON2ID, DV_PW },
	/* argon2-cffi's p=4, which doveadm pw -t accepts too */
	{ "dovecot-argon2id", "{ARGON2ID}$argon2id$v=19$m=8192,t=2,p=4$BQR/+BJ8Putt1vMahLWOYA$dGM"
	  "pMMUbRYkhxQH9FWpBBg", DV_PW },
	{ "dovecot-pbkdf2", "{PBKDF2}$1$0zHWyuPeT0Jlcpgd$1000$fa0e0c923af5ef6b17123640cd99d0ba413f"
	  "14e3", DV_PW },
	/* Dovecot reads hex in either case, and the scheme name too */
	{ "dovecot-pbkdf2", "{PBKDF2}$1$0zHWyuPeT0Jlcpgd$1000$FA0E0C923AF5EF6B17123640CD99D0BA413F"
	  "14E3", DV_PW },
	{ "dovecot-plain-md5", "{PLAIN-MD5}dc1badaade5eb1cbf86d6603d5ad39ae", DV_PW },
	{ "dovecot-plain-md5", "{plain-md5}DC1BADAADE5EB1CBF86D6603D5AD39AE", DV_PW },
	{ "dovecot-plain-md5", "{PLAIN-MD5}3Butqt5escv4bWYD1a05rg==", DV_PW },
	{ "dovecot-scram-sha-256", DV_SCRAM256, DV_PW },
	{ "dovecot-scram-sha-1", "{SCRAM-SHA-1}4096,JXC6uwef8hWJcrC9s4YLkA==,+J7KRK7OunnWS/zfFM0M"
	  "mTOXOms=,sfQrCIZ3C1A896XmlPuu5VOMmIs=", DV_PW },
	/* doveadm pw -s SHA256-CRYPT, MD5-CRYPT, MD5, BLF-CRYPT, ARGON2I:
	 * "dove-pw-<SCHEME>" */
	{ "dovecot-sha256-crypt", "{SHA256-CRYPT}$5$qCYHPrHKeJTqTh5N$x1w7g5Tr1bzPJ.U6mUGcy9NGGUfw"
	  "DPKvyFhJExq5XT2", "dove-pw-SHA256-CRYPT" },
	{ "dovecot-md5-crypt", "{MD5-CRYPT}$1$AXJ.R.dM$.TZcx1AcJgfd29/kOZYp7/", "dove-pw-MD5-CRYPT" },
	{ "dovecot-md5", "{MD5}$1$eQDIDVzr$AnZNUVVxFvt8ajKl4DD14/", "dove-pw-MD5" },
	{ "dovecot-blf-crypt", "{BLF-CRYPT}$2y$05$qQU2oPuRuIFe3RAP/QXZquAOepqau2b6f2kZpStD5P3X.2d"
	  "Tsf8te", "dove-pw-BLF-CRYPT" },
	{ "dovecot-argon2i", "{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$4m8E40vzxLWqtUZtlT9XKQ$asH7k"
	  "lVaJUmbQAeE7dAOVKnlmjbWg4neAlb4W1WL8uk", "dove-pw-ARGON2I" },
};

#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

START_TEST(test_vector)
{
	const struct vector *v = &vectors[_i];
	const struct hash_family *f = hash_identify(v->stored);
	char wrong[64];

	ck_assert_msg(f != NULL, "%s: not identified", v->stored);
	ck_assert_str_eq(f->name, v->family);
	ck_assert_msg(hash_verify(v->stored, v->password) == HASH_MATCH, "%s: refused",
		      v->stored);
	snprintf(wrong, sizeof(wrong), "%s", v->password);
	wrong[strlen(wrong) - 1] ^= 1;
	ck_assert_int_eq(hash_verify(v->stored, wrong), HASH_MISMATCH);
	ck_assert_int_eq(hash_verify(v->stored, ""), HASH_MISMATCH);
}
END_TEST

/* --- Redmine ------------------------------------------------------------------ */

#define RM_HASH "7323ec351dde8fc732e008c141dbdf5b16501a49"
#define RM_SALT "0123456789abcdef0123456789abcdef"
/* sha1(sha1(pw).hexdigest()).hexdigest(): what Redmine checks with no salt */
#define RM_NOSALT "036a943003579f8ce12589847b1c896c44947c86"

START_TEST(test_redmine)
{
	const struct hash_ctx named = { .scheme_read = "redmine", .salt = RM_SALT };
	const struct hash_ctx nosalt = { .scheme_read = "redmine" };
	const struct hash_ctx other = { .scheme_read = "redmine", .salt = "0123" };
	const struct hash_ctx upper = { .scheme_read = "redmine", .salt = RM_SALT };
	char explain[200];

	/* a bare hex digest: by name only */
	ck_assert_ptr_null(hash_identify(RM_HASH));
	ck_assert_str_eq(hash_identify_ctx(&named, RM_HASH)->name, "redmine");
	ck_assert_int_eq(hash_verify_ctx(&named, RM_HASH, RM_PW), HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&named, RM_HASH, "Redmine p\xc3\xa4sswore"), HASH_MISMATCH);
	ck_assert_int_eq(hash_verify_ctx(&other, RM_HASH, RM_PW), HASH_MISMATCH);
	/* not sha1(salt + password), the nearest older reader */
	ck_assert_int_ne(hash_verify_ctx(&(struct hash_ctx){ .scheme_read = "sha1-hex-salt-before",
							       .salt = RM_SALT }, RM_HASH, RM_PW),
			 HASH_MATCH);
	/* a NULL salt is Redmine's "#{nil}": the empty string */
	ck_assert_int_eq(hash_verify_ctx(&nosalt, RM_HASH, RM_PW), HASH_MISMATCH);
	ck_assert_int_eq(hash_verify_ctx(&nosalt, RM_NOSALT, RM_PW), HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&named, RM_NOSALT, RM_PW), HASH_MISMATCH);
	hash_explain(&nosalt, RM_NOSALT, explain, sizeof(explain));
	ck_assert_str_eq(explain, "");
	/* Redmine compares lower-case hex strings */
	ck_assert_ptr_null(hash_identify_ctx(&upper, "7323EC351DDE8FC732E008C141DBDF5B16501A49"));
}
END_TEST

/* --- what each refuses ------------------------------------------------------- */

static const char *const malformed[] = {
	/* MediaWiki: unknown algorithm, key of another length, unpadded or
	 * broken base64, a field missing or added, a leading zero */
	":pbkdf2:whirlpool:30000:64:bIK59xyM9z/mG171u7tg8g==:AAAA",
	":pbkdf2:sha256:10000:31:AyeHeA2ft+dK3QaQEA7j6g==:jOsgudegQuJfzTZ9ctQ+31jLCi3A/Ipw24uEKRLOs08=",
	":pbkdf2:sha256:10000:32:AyeHeA2ft+dK3QaQEA7j6g:jOsgudegQuJfzTZ9ctQ+31jLCi3A/Ipw24uEKRLOs08=",
	":pbkdf2:sha256:10000:32:jOsgudegQuJfzTZ9ctQ+31jLCi3A/Ipw24uEKRLOs08=",
	":pbkdf2:sha256:10000:32:x:AyeHeA2ft+dK3QaQEA7j6g==:jOsgudegQuJfzTZ9ctQ+31jLCi3A/Ipw24uEKRLOs08=",
	":pbkdf2:sha256:010000:32:AyeHeA2ft+dK3QaQEA7j6g==:jOsgudegQuJfzTZ9ctQ+31jLCi3A/Ipw24uEKRLOs08=",
	":pbkdf2:sha256:0:32:AyeHeA2ft+dK3QaQEA7j6g==:jOsgudegQuJfzTZ9ctQ+31jLCi3A/Ipw24uEKRLOs08=",
	":pbkdf2:sha256:10000:0:AyeHeA2ft+dK3QaQEA7j6g==:",
	":pbkdf2:",
	/* :B: with upper-case or short hex, or no salt field; :A: too */
	":B:c0ffee12:F1D269902376CF97BEF37C83BBEBED09",
	":B:c0ffee12:f1d269902376cf97bef37c83bbebed0",
	":B:f1d269902376cf97bef37c83bbebed09",
	":B:a:b:f1d269902376cf97bef37c83bbebed09",
	":A:383b2435a0ecf5c63c6cd2264aa8c54",
	/* Dovecot: nothing after the prefix, another crypt behind it, bad
	 * hex, too few SCRAM iterations or fields, a key of the wrong size */
	"{SHA512-CRYPT}", "{SHA512-CRYPT}$1$AXJ.R.dM$.TZcx1AcJgfd29/kOZYp7/", "{ARGON2ID}$6$abc",
	"{PBKDF2}$1$0zHWyuPeT0Jlcpgd$1000$fa0e0c923af5ef6b17123640cd99d0ba413f14eg",
	"{PBKDF2}$1$0zHWyuPeT0Jlcpgd$1000$fa0e0c923af5ef6b17123640cd99d0ba413f14",
	"{PBKDF2}$2$0zHWyuPeT0Jlcpgd$1000$fa0e0c923af5ef6b17123640cd99d0ba413f14e3",
	"{PBKDF2}$1$$1000$fa0e0c923af5ef6b17123640cd99d0ba413f14e3",
	"{PBKDF2}$1$0zHWyuPeT0Jlcpgd$0$fa0e0c923af5ef6b17123640cd99d0ba413f14e3",
	"{PLAIN-MD5}dc1badaade5eb1cbf86d6603d5ad39a",
	"{SCRAM-SHA-256}1000,MDEyMzQ1Njc4OWFiY2RlZg==,ZlQFWY2Vs1uZeNkjOpzVwnH+8xciW8yyzsSyHxasv6U=,"
	"VWrbhZk5g6SHB+W+HX4zO+QmHfRlOmmve40zyxzbnrw=",
	"{SCRAM-SHA-256}4096,yI34oaPM72H+yFWS5GsmFg==,ZlQFWY2Vs1uZeNkjOpzVwnH+8xciW8yyzsSyHxasv6U=",
	"{SCRAM-SHA-256}4096,yI34oaPM72H+yFWS5GsmFg==,+J7KRK7OunnWS/zfFM0MmTOXOms=,"
	"sfQrCIZ3C1A896XmlPuu5VOMmIs=",
	"{SCRAM-SHA-1}4096,,+J7KRK7OunnWS/zfFM0MmTOXOms=,sfQrCIZ3C1A896XmlPuu5VOMmIs=",
};

#define NMALFORMED (sizeof(malformed) / sizeof(malformed[0]))

START_TEST(test_malformed_never_matches)
{
	const struct hash_ctx plain = { .scheme_read = "plaintext", .salt = RM_SALT };
	const struct hash_family *f = hash_identify_ctx(&plain, malformed[_i]);

	/* never plaintext, never a match with the password it was made from */
	ck_assert_msg(f == NULL || !f->by_name_only, "%s: taken as %s", malformed[_i], f->name);
	ck_assert_int_ne(hash_verify_ctx(&plain, malformed[_i], MW_PW), HASH_MATCH);
	ck_assert_int_ne(hash_verify_ctx(&plain, malformed[_i], DV_PW), HASH_MATCH);
	ck_assert_int_ne(hash_verify_ctx(&plain, malformed[_i], malformed[_i]), HASH_MATCH);
}
END_TEST

START_TEST(test_lock_markers)
{
	static const char *const locked[] = {
		"!:pbkdf2:sha256:10000:32:AyeHeA2ft+dK3QaQEA7j6g==:jOsgudegQuJfzTZ9ctQ+31jLCi3A/Ipw24uEKRLOs08=",
		"*:B:c0ffee12:f1d269902376cf97bef37c83bbebed09",
		"!{PBKDF2}$1$0zHWyuPeT0Jlcpgd$1000$fa0e0c923af5ef6b17123640cd99d0ba413f14e3",
		"!{PLAIN-MD5}dc1badaade5eb1cbf86d6603d5ad39ae",
		"!" RM_HASH,
	};
	const struct hash_ctx ctx = { .scheme_read = "redmine, plaintext", .salt = RM_SALT };
	size_t i;

	for (i = 0; i < sizeof(locked) / sizeof(locked[0]); i++) {
		ck_assert_ptr_null(hash_identify_ctx(&ctx, locked[i]));
		ck_assert_int_ne(hash_verify_ctx(&ctx, locked[i], MW_PW), HASH_MATCH);
		ck_assert_int_ne(hash_verify_ctx(&ctx, locked[i], DV_PW), HASH_MATCH);
		ck_assert_int_ne(hash_verify_ctx(&ctx, locked[i], RM_PW), HASH_MATCH);
	}
}
END_TEST

/* --- cost against the ceilings ---------------------------------------------- */

#define DV_SLOW "{PBKDF2}$1$salt$9000000$fa0e0c923af5ef6b17123640cd99d0ba413f14e3"

/* sha1 for 64 bytes: PBKDF2 runs its rounds for each of 4 blocks */
#define MW_SHA1_64 ":pbkdf2:sha1:30000:64:AAAA:" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="

START_TEST(test_ceilings)
{
	struct hash_limits l = hash_limits_default;
	const struct hash_ctx ctx = { .limits = &l };
	char why[200];

	/* 10000 rounds of sha256 for 32 bytes: one block */
	l.iterations = 9999;
	ck_assert_int_eq(hash_verify_ctx(&ctx, MW_SHA256, MW_PW), HASH_UNUSABLE);
	l.iterations = 10000;
	ck_assert_int_eq(hash_verify_ctx(&ctx, MW_SHA256, MW_PW), HASH_MATCH);
	/* 30000 rounds for 64 bytes of sha1 is four blocks: 120000 */
	ck_assert(hash_over_ceiling(&ctx, hash_identify(MW_SHA1_64), MW_SHA1_64, why, sizeof(why)));
	ck_assert_str_eq(why, "mediawiki-pbkdf2 iterations 120000 over hash_max_iterations = 10000");
	/* a row asking for 9 million rounds: refused before any is spent */
	ck_assert(hash_over_ceiling(NULL, hash_identify(DV_SLOW), DV_SLOW, NULL, 0));
	l.iterations = 4095;
	ck_assert_int_eq(hash_verify_ctx(&ctx, DV_SCRAM256, DV_PW), HASH_UNUSABLE);
	l.iterations = 4096;
	ck_assert_int_eq(hash_verify_ctx(&ctx, DV_SCRAM256, DV_PW), HASH_MATCH);
	/* the wrapped families cost what their inner one does */
	l.rounds = 999;
	ck_assert_int_eq(hash_verify_ctx(&ctx, DV_SHA512, DV_PW), HASH_UNUSABLE);
	l.rounds = 1000;
	ck_assert_int_eq(hash_verify_ctx(&ctx, DV_SHA512, DV_PW), HASH_MATCH);
	l.memory_kib = 65535;
	ck_assert_int_eq(hash_verify_ctx(&ctx, DV_ARGON2ID, DV_PW), HASH_UNUSABLE);
	hash_explain(&ctx, DV_ARGON2ID, why, sizeof(why));
	ck_assert_str_eq(why, "over a ceiling: dovecot-argon2id memory (KiB) 65536 over "
			 "hash_max_memory_kib = 65535");
}
END_TEST

/* --- writing ----------------------------------------------------------------- */

START_TEST(test_write_schemes)
{
	static const char *const schemes[] = {
		"mediawiki-pbkdf2", "dovecot-sha512-crypt", "dovecot-sha256-crypt",
		"dovecot-blf-crypt", "dovecot-argon2id", "dovecot-scram-sha-1",
		"dovecot-scram-sha-256",
	};
	static const char *const prefixes[] = {
		":pbkdf2:sha512:30000:64:", "{SHA512-CRYPT}$6$", "{SHA256-CRYPT}$5$",
		"{BLF-CRYPT}$2b$12$", "{ARGON2ID}$argon2id$", "{SCRAM-SHA-1}4096,",
		"{SCRAM-SHA-256}4096,",
	};
	char h[HASH_MAX], err[200];
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		ck_assert_msg(hash_generate(schemes[i], 0, DV_PW, h, sizeof(h), err, sizeof(err)) == 0,
			      "%s: %s", schemes[i], err);
		ck_assert_msg(strncmp(h, prefixes[i], strlen(prefixes[i])) == 0, "%s", h);
		ck_assert_str_eq(hash_identify(h)->name, schemes[i]);
		ck_assert_int_eq(hash_verify(h, DV_PW), HASH_MATCH);
		ck_assert_int_eq(hash_verify(h, MW_PW), HASH_MISMATCH);
		ck_assert(!hash_weaker(NULL, h, schemes[i], 0));
	}
	/* a cost: MediaWiki rounds, and out of range */
	ck_assert_int_eq(hash_generate("mediawiki-pbkdf2", 50000, "pw", h, sizeof(h), err,
				       sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(h, ":sha512:50000:64:"));
	ck_assert(hash_weaker(NULL, MW_DEFAULT, "mediawiki-pbkdf2", 50000));
	ck_assert_int_ne(hash_generate("mediawiki-pbkdf2", 999, "pw", h, sizeof(h), err,
				       sizeof(err)), 0);
	/* SCRAM: more iterations on request, never fewer than Dovecot takes */
	ck_assert_int_eq(hash_generate("dovecot-scram-sha-256", 10000, "pw", h, sizeof(h), err,
				       sizeof(err)), 0);
	ck_assert(strncmp(h, "{SCRAM-SHA-256}10000,", 21) == 0);
	ck_assert_int_ne(hash_generate("dovecot-scram-sha-256", 4095, "pw", h, sizeof(h), err,
				       sizeof(err)), 0);
	/* read, not written */
	ck_assert_int_ne(hash_generate("dovecot-pbkdf2", 0, "pw", h, sizeof(h), err,
				       sizeof(err)), 0);
	ck_assert_str_eq(err, "customdb reads dovecot-pbkdf2 hashes but does not write them");
}
END_TEST

/* Redmine keeps its salt in users.salt: hash_generate_salted hands it back
 * apart, hash_generate refuses (a hash without its salt would never match). */
START_TEST(test_write_redmine)
{
	char h[HASH_MAX], salt[HASH_SALT_MAX], err[200];
	struct hash_ctx ctx = { .scheme_read = "redmine" };

	ck_assert_int_ne(hash_generate("redmine", 0, RM_PW, h, sizeof(h), err, sizeof(err)), 0);
	ck_assert_str_eq(err, "redmine keeps its salt in a column of its own: the query must "
			      "write :salt too");
	ck_assert_int_eq(hash_generate_salted("redmine", 0, RM_PW, h, sizeof(h), salt,
					      sizeof(salt), err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(salt), 32);
	ck_assert_uint_eq(strspn(salt, "0123456789abcdef"), 32);
	ck_assert_uint_eq(strlen(h), 40);
	ctx.salt = salt;
	ck_assert_str_eq(hash_identify_ctx(&ctx, h)->name, "redmine");
	ck_assert_int_eq(hash_verify_ctx(&ctx, h, RM_PW), HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, h, DV_PW), HASH_MISMATCH);
	ctx.salt = NULL;
	ck_assert_int_eq(hash_verify_ctx(&ctx, h, RM_PW), HASH_MISMATCH);
	/* one form, nothing to be weaker in; another family is weaker */
	ctx.salt = salt;
	ck_assert(!hash_weaker(&ctx, h, "redmine", 0));
	ck_assert(hash_weaker(&ctx, MW_DEFAULT, "redmine", 0));
	/* no cost to set; no room for the salt */
	ck_assert_int_ne(hash_generate_salted("redmine", 5, RM_PW, h, sizeof(h), salt,
					      sizeof(salt), err, sizeof(err)), 0);
	ck_assert_int_ne(hash_generate_salted("redmine", 0, RM_PW, h, sizeof(h), salt, 32, err,
					      sizeof(err)), 0);
	/* a scheme whose hash holds its salt: no salt column */
	ck_assert_int_eq(hash_generate_salted("dovecot-sha512-crypt", 0, RM_PW, h, sizeof(h), salt,
					      sizeof(salt), err, sizeof(err)), 0);
	ck_assert_str_eq(salt, "");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("hash_apps");
	TCase *tc = tcase_create("apps");

	/* a bound on a hang: bcrypt 12 and argon2 at 64 MiB, several times */
	tcase_set_timeout(tc, 60);

	tcase_add_loop_test(tc, test_vector, 0, NVECTORS);
	tcase_add_test(tc, test_redmine);
	tcase_add_loop_test(tc, test_malformed_never_matches, 0, NMALFORMED);
	tcase_add_test(tc, test_lock_markers);
	tcase_add_test(tc, test_ceilings);
	tcase_add_test(tc, test_write_schemes);
	tcase_add_test(tc, test_write_redmine);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
