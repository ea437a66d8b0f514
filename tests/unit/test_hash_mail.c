/* test_hash_mail.c: the mail world's remaining forms: Dovecot's {SHA1}
 * {LDAP-MD5} {PLAIN-MD4} {NTLM} {CRAM-MD5} {HMAC-MD5} {DES-CRYPT} and
 * {PLAIN}-like schemes, and LDAP's {SHA} {SHA256} {SHA512} as Dovecot also
 * spells them (hash_dovecot.c), the NT hash Roundcube's password plugin
 * writes for Samba (hash_ntlm.c), and what MantisBT stores.
 *
 * Where the vectors come from (never from customdb):
 *   Dovecot    doveadm pw -s SCHEME of Dovecot 2.3.19 (Debian's
 *              dovecot-core); {PLAIN-TRUNC} checked with doveadm pw -t.
 *              {NTLM} is gone from 2.3: its vector is PHP's hash("md4")
 *              of the bytes each followed by a zero byte, as Dovecot 2.2's
 *              ntlm_v1_hash() did.
 *   NT hash    PHP 8.2's hash("md4", mb_convert_encoding(pw, "UTF-16LE")),
 *              Roundcube 1.6's password_algorithm = samba, upper-cased as
 *              it does.
 *   MantisBT   PHP 8.2's md5() (login_method MD5, the default) and crypt()
 *              (CRYPT; CRYPT_FULL_SALT of MantisBT before 1.1:
 *              crypt(pw, pw)).
 * Passwords "Mail pässword" (UTF-8) unless said. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"

#define PW "Mail p\xc3\xa4ssword"
#define LONG_PW "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"

struct vector {
	const char *family, *stored, *password;
};

/* recognised by form: no password_scheme_read needed */
static const struct vector by_form[] = {
	{ "dovecot-sha1", "{SHA1}Lmh88Ms3IAXxjifgg0ASVlok9bg=", PW },
	{ "dovecot-sha1", "{SHA1.HEX}2e687cf0cb372005f18e27e0834012565a24f5b8", PW },
	/* Dovecot guesses hex from the length, and reads either case */
	{ "dovecot-sha1", "{sha1}2E687CF0CB372005F18E27E0834012565A24F5B8", PW },
	{ "dovecot-ldap-md5", "{LDAP-MD5}qTOwRNfoQZ4FtdYcXc0BGw==", PW },
	/* LDAP's schemes in Dovecot's other spellings (base64 is ldap-sha*) */
	{ "dovecot-sha", "{SHA.HEX}2e687cf0cb372005f18e27e0834012565a24f5b8", PW },
	{ "dovecot-sha256", "{SHA256}68ed8c01ce9bcc8ea24dcd0aa821230dea5bc6a5d30135048a695e532aa57bed",
	  PW },
	{ "dovecot-sha256", "{SHA256.B64}aO2MAc6bzI6iTc0KqCEjDepbxqXTATUEimleUyqle+0=", PW },
	{ "dovecot-sha512", "{SHA512.HEX}4365d2ee64ad928ef414356bab468a70c418502a8cada771ef4eaddf"
	  "5059eaa9d0d4ee9bec5dcbe12fcc3b1b756f92a602764229f8d1037ff06c962cea50a377", PW },
	{ "ldap-sha256", "{SHA256}aO2MAc6bzI6iTc0KqCEjDepbxqXTATUEimleUyqle+0=", PW },
	{ "dovecot-plain-md4", "{PLAIN-MD4}eff876805bfdef785f447c4b79bd7628", PW },
	{ "dovecot-plain-md4", "{PLAIN-MD4.B64}7/h2gFv973hfRHxLeb12KA==", PW },
	{ "dovecot-ntlm", "{NTLM}2ad1f9f37841fd8cda82ff5dfae3da7a", PW },
	{ "dovecot-ntlm", "{NTLM}2e51f715e7c63a9f456483ebbbd4c1c5", "mail-secret" },
	{ "dovecot-cram-md5",
	  "{CRAM-MD5}8e18e9ab1df1ca844cf2961cc7d073ea290f287754464618e98e47d920400396", PW },
	{ "dovecot-cram-md5", "{CRAM-MD5.B64}jhjpqx3xyoRM8pYcx9Bz6ikPKHdURkYY6Y5H2SBAA5Y=", PW },
	/* over 64 bytes: the HMAC key is the password's md5 */
	{ "dovecot-cram-md5",
	  "{CRAM-MD5}7c0126a846e97cf16bb42578bf5883c020897861d3b1ba60a61a05697ec4c495", LONG_PW },
	{ "dovecot-hmac-md5",
	  "{HMAC-MD5}8e18e9ab1df1ca844cf2961cc7d073ea290f287754464618e98e47d920400396", PW },
	{ "dovecot-des-crypt", "{DES-CRYPT}exVVfKDTjFt9U", PW },
	/* MantisBT CRYPT_FULL_SALT (before 1.1): crypt("mantis", "mantis") */
	{ "des", "maDsY.q.3wrLA", "mantis" },
	/* MantisBT CRYPT: crypt() with PHP's md5-crypt salt */
	{ "md5crypt", "$1$MnTs1234$DmSPCoPyGmZOAWjRfA5S11", PW },
};

#define NBY_FORM (sizeof(by_form) / sizeof(by_form[0]))

/* By name only: read when password_scheme_read names the family. */
static const struct vector by_name[] = {
	{ "nt-hash", "9A8DCBD7274E53B8CE47C348839CE72C", PW },
	{ "nt-hash", "9a8dcbd7274e53b8ce47c348839ce72c", PW },
	{ "nt-hash", "2E51F715E7C63A9F456483EBBBD4C1C5", "mail-secret" },
	/* U+1F511 (4 bytes of UTF-8): a surrogate pair in UTF-16 */
	{ "nt-hash", "184B40902DB535277331CAD1A0EDF244", "Mail p\xf0\x9f\x94\x91ss" },
	{ "dovecot-plain", "{PLAIN}" PW, PW },
	{ "dovecot-plain", "{clear}" PW, PW },
	{ "dovecot-plain", "{CLEARTEXT}" PW, PW },
	{ "dovecot-plain", "{PLAIN-TRUNC}14-" PW, PW },
	/* MantisBT login_method MD5 (its default): md5() hex */
	{ "md5-hex", "a933b044d7e8419e05b5d61c5dcd011b", PW },
	/* MantisBT PLAIN */
	{ "plaintext", PW, PW },
};

#define NBY_NAME (sizeof(by_name) / sizeof(by_name[0]))

/* The right password matches; "" does not, nor one changed bit in its
 * first byte (DES crypt reads only 8 bytes, {PLAIN-TRUNC} a prefix). */
static void check_vector(const struct hash_ctx *ctx, const struct vector *v)
{
	const struct hash_family *f = hash_identify_ctx(ctx, v->stored);
	char wrong[128];

	ck_assert_msg(f != NULL, "%s: not identified", v->stored);
	ck_assert_str_eq(f->name, v->family);
	ck_assert_msg(hash_verify_ctx(ctx, v->stored, v->password) == HASH_MATCH, "%s: refused",
		      v->stored);
	snprintf(wrong, sizeof(wrong), "%s", v->password);
	wrong[0] ^= 1;
	ck_assert_int_eq(hash_verify_ctx(ctx, v->stored, wrong), HASH_MISMATCH);
	ck_assert_int_ne(hash_verify_ctx(ctx, v->stored, ""), HASH_MATCH);
}

START_TEST(test_by_form)
{
	check_vector(&(struct hash_ctx){ 0 }, &by_form[_i]);
}
END_TEST

START_TEST(test_by_name)
{
	const struct vector *v = &by_name[_i];
	const struct hash_ctx named = { .scheme_read = v->family };

	check_vector(&named, v);
	/* never taken by form */
	ck_assert_ptr_null(hash_identify(v->stored));
}
END_TEST

/* Dovecot's plain_trunc_verify(): a stored text as long as its length says
 * is a prefix of longer passwords; otherwise the whole password. */
START_TEST(test_plain_trunc)
{
	const struct hash_ctx ctx = { .scheme_read = "dovecot-plain" };
	const struct hash_ctx plain = { .scheme_read = "plaintext" };

	/* "{PLAIN}" is a scheme, not part of a plaintext password; nor is a
	 * scheme with its encoding, "{SHA1.HEX}" */
	ck_assert_int_ne(hash_verify_ctx(&plain, "{PLAIN}" PW, "{PLAIN}" PW), HASH_MATCH);
	ck_assert_int_ne(hash_verify_ctx(&plain, "{PLAIN}" PW, PW), HASH_MATCH);
	ck_assert_int_ne(hash_verify_ctx(&plain, "{SHA1.HEX}x", "{SHA1.HEX}x"), HASH_MATCH);

	ck_assert_int_eq(hash_verify_ctx(&ctx, "{PLAIN-TRUNC}4-p\xc3\xa4s", "p\xc3\xa4ssword1"),
			 HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, "{PLAIN-TRUNC}4-p\xc3\xa4s", "p\xc3\xa4s"),
			 HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, "{PLAIN-TRUNC}4-p\xc3\xa4s", "p\xc3\xa4"),
			 HASH_MISMATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, "{PLAIN-TRUNC}4-p\xc3\xa4s", "p\xc3\xa5ssword"),
			 HASH_MISMATCH);
	/* length and text disagree: the whole password must be the text */
	ck_assert_int_eq(hash_verify_ctx(&ctx, "{PLAIN-TRUNC}5-abcd", "abcd"), HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, "{PLAIN-TRUNC}5-abcd", "abcde"), HASH_MISMATCH);
	/* doveadm pw -s PLAIN-TRUNC writes no length: Dovecot refuses it too */
	ck_assert_int_eq(hash_verify_ctx(&ctx, "{PLAIN-TRUNC}secret", "secret"), HASH_UNUSABLE);
}
END_TEST

static const char *const malformed[] = {
	"{SHA1}Lmh88Ms3IAXxjifgg0ASVlok9bg",            /* padding missing */
	"{SHA1}2e687cf0cb372005f18e27e0834012565a24f5b",  /* 39 hex */
	"{SHA1.HEX}Lmh88Ms3IAXxjifgg0ASVlok9bg=",         /* base64 where hex is said */
	"{SHA1.B64}2e687cf0cb372005f18e27e0834012565a24f5b8",
	"{SHA1.XYZ}Lmh88Ms3IAXxjifgg0ASVlok9bg=",
	"{PLAIN-MD4}eff876805bfdef785f447c4b79bd76",
	"{NTLM}zzf876805bfdef785f447c4b79bd7628",
	"{CRAM-MD5}8e18e9ab1df1ca844cf2961cc7d073ea290f287754464618e98e47d92040039",
	"{HMAC-MD5}",
	"{DES-CRYPT}exVVfKDTjFt9",
	"{DES-CRYPT}$6$saltsalt$x",
	"{PLAIN}",
	"{PLAIN-TRUNC}4",
	"{PLAIN-TRUNC}-abc",
	"{PLAIN-TRUNC}4-",
	"{PLAIN-TRUNC}1234-abc",
	"9A8DCBD7274E53B8CE47C348839CE72",
	"9A8DCBD7274E53B8CE47C348839CE72G",
};

#define NMALFORMED (sizeof(malformed) / sizeof(malformed[0]))

START_TEST(test_malformed)
{
	const struct hash_ctx ctx = { .scheme_read = "nt-hash, dovecot-plain" };
	const struct hash_family *f = hash_identify_ctx(&ctx, malformed[_i]);

	ck_assert_msg(f == NULL, "%s: taken as %s", malformed[_i], f != NULL ? f->name : "");
	ck_assert_int_ne(hash_verify_ctx(&ctx, malformed[_i], PW), HASH_MATCH);
}
END_TEST

/* A password that is not UTF-8 has no UTF-16 form: never an NT hash match. */
START_TEST(test_nt_not_utf8)
{
	const struct hash_ctx ctx = { .scheme_read = "nt-hash" };
	static const char *const bad[] = { "p\xe4ss", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
					   "abc\xc3" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(hash_verify_ctx(&ctx, "9A8DCBD7274E53B8CE47C348839CE72C", bad[i]),
				 HASH_MISMATCH);
}
END_TEST

/* PHP 8's crypt() refuses MantisBT's CRYPT with no salt and returns "*0":
 * a lock marker, never a match. */
START_TEST(test_mantis_crypt_php8)
{
	const struct hash_ctx ctx = { .scheme_read = "md5-hex, plaintext" };

	ck_assert(hash_is_lock_marker("*0"));
	ck_assert_int_ne(hash_verify_ctx(&ctx, "*0", "*0"), HASH_MATCH);
}
END_TEST

/* MantisBT 1.2 cut what it stored to 32 characters: an md5crypt loses two
 * of its 22. Mantis, comparing its own cut strings, still accepts it;
 * customdb cannot verify a cut hash, and never matches it. */
START_TEST(test_mantis_cut_md5crypt)
{
	const struct hash_ctx ctx = { .scheme_read = "md5-hex, plaintext" };

	ck_assert_int_ne(hash_verify_ctx(&ctx, "$1$MnTs1234$DmSPCoPyGmZOAWjRfA5S", PW), HASH_MATCH);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("hash_mail");
	TCase *tc = tcase_create("mail");

	tcase_add_loop_test(tc, test_by_form, 0, NBY_FORM);
	tcase_add_loop_test(tc, test_by_name, 0, NBY_NAME);
	tcase_add_test(tc, test_plain_trunc);
	tcase_add_loop_test(tc, test_malformed, 0, NMALFORMED);
	tcase_add_test(tc, test_nt_not_utf8);
	tcase_add_test(tc, test_mantis_crypt_php8);
	tcase_add_test(tc, test_mantis_cut_md5crypt);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
