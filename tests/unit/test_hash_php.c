/* test_hash_php.c: the PHP-world, LDAP and by-name-only hash families, with
 * vectors from the applications that write them.
 *
 * Where each vector comes from is said next to it. "generated here" means on
 * the development machine (Debian 12) with the original code:
 *   - phpass, WordPress 6.8, Drupal 7: their own PHP (WordPress's
 *     wp-includes/class-phpass.php and wp_hash_password(), Drupal 7's
 *     includes/password.inc) run by php-cli 8.2; every such vector was then
 *     checked with the same code's wp_check_password() / CheckPassword() /
 *     user_check_password();
 *   - LDAP: slappasswd from Debian's slapd 2.5.13 (with its pw-sha2 module),
 *     every one also accepted by passlib 1.7.4;
 *   - Joomla and the bare digests: PHP's own md5() / hash() /
 *     base64_encode(), which is what those applications call.
 * "päss wörd" is UTF-8; "táБℓə" is passlib's UPASS_TABLE, UTF-8. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define PAESS_WOERD "p\xc3\xa4ss w\xc3\xb6rd"
#define UPASS_TABLE "t\xc3\xa1\xd0\x91\xe2\x84\x93\xc9\x99"
#define SALT "NaCl-salt"

struct vector {
	const char *family;
	const char *stored;
	const char *password;
	const char *salt;     /* the `salt` column, for the families that read it */
};

static const struct vector vectors[] = {
	/* phpass: phpass 0.3's test.php */
	{ "phpass", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "test12345", NULL },
	/* John the Ripper 1.7.9's phpass vectors, as in passlib's test suite */
	{ "phpass", "$H$9aaaaaSXBjgypwqm.JsMssPLiS8YQ00", "test1", NULL },
	{ "phpass", "$P$912345678LIjjb6PhecupozNBmDndU0", "thisisalongertestPW", NULL },
	{ "phpass", "$H$712345678WhEyvy1YWzT4647jzeOmo0", "JohnRipper", NULL },
	{ "phpass", "$P$B12345678L6Lpt4BxNotVIMILOa9u81", "JohnRipper", NULL },
	/* passlib's test suite */
	{ "phpass", "$P$7SMy8VxnfsIy2Sxm7fJxDSdil.h7TW.", UPASS_TABLE, NULL },
	/* generated here: WordPress's PasswordHash(8, true)->HashPassword() */
	{ "phpass", "$P$BiF/luaQH08liaSkYHAvRilGy8Bn.B1", "wordpress password", NULL },
	{ "phpass", "$P$BZL2s3m.zaA.iSmolrWwDdu7LiDD1B/", PAESS_WOERD, NULL },

	/* Drupal 7: Drupal core's PasswordVerifyTest (core/modules/phpass) */
	{ "drupal7", "$S$5TOxWPdvJRs0P/xZBdrrPlGgzViOS0drHu3jaIjitesfttrp18bk", "valid password", NULL },
	/* generated here: user_hash_password() at DRUPAL_HASH_COUNT 15, and at 7 */
	{ "drupal7", "$S$D83uUucUEzfgx02GCi7938ccOAxSOWMhquFoa8VxES0ehPy2y7bp", "drupal password", NULL },
	{ "drupal7", "$S$DAJI3sDIvEESgZWlg.AMS7LwLxIvLNg6YPFl8CuEC9cTXMDkCPm6", PAESS_WOERD, NULL },
	{ "drupal7", "$S$5rfEQAXPDm/75vmPFL.it1z.IhlfwBQ391g/etwCFlOMI8mhxYN6", "drupal password", NULL },
	/* U$: Drupal core's PasswordVerifyTest; then generated here as
	 * user_update_7000() does ('U' . user_hash_password(md5 column, 11)),
	 * and the same over $P$ and $H$ settings */
	{ "drupal7-updated", "U$S$5vNHDQyLqCTvsYBLWBUWXJWhA0m3DTpBh04acFEOGB.bKBclhKgo", "valid password", NULL },
	{ "drupal7-updated", "U$S$9nvjeREPb4OX03yyeF3hMuuPGfh9shcy8XJ/uwyffu3i5m/Gk2oc", "drupal6 password", NULL },
	{ "drupal7-updated", "U$P$9SA4ViaYhQYP56La4TwVw/FxuC1QvD/", "drupal6 password", NULL },
	{ "drupal7-updated", "U$H$94F4ivJaLUz9ktIRoFgSrKpUkz7Vq7.", "drupal6 password", NULL },

	/* WordPress 6.8: generated here with wp_hash_password() (cost 5 through
	 * its options filter; then PHP's default cost 10) */
	{ "wordpress-bcrypt", "$wp$2y$05$35bL4faBoNDdXDMixWhDC.u6O43aWv5PtlNnxRYmJS94yPNGH96Vu",
	  "wordpress password", NULL },
	/* 100 bytes: past bcrypt's 72, which the pre-hash makes count */
	{ "wordpress-bcrypt", "$wp$2y$05$XrIA1tPH.dy8UPDHhe/Rye1tcOP0c4AFr.77ohhBLB/q0O4DfqZze",
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	  NULL },
	{ "wordpress-bcrypt", "$wp$2y$05$YmxpuzCuXD6U9zwxlM7p7eTlVONNl1ZZ/V3oUHJHrggaz8OK9DFGW", PAESS_WOERD, NULL },
	{ "wordpress-bcrypt", "$wp$2y$10$pcGj8rbJ3ZzDnjQcqQHx5OwLYn.GnNT6OUSYRr8h6IfRc.ir98XsS",
	  "wordpress password", NULL },

	/* Joomla md5-hex: generated here, md5($password . $salt) . ':' . $salt as
	 * JUserHelper::getCryptedPassword() writes it (32- and 16-char salts) */
	{ "joomla-md5", "c29f6d4c6094a00655ae0fcacfa63167:Xk3b9ZqT0pLm4Rv7Yc2Wn8Hs5Df1Ga6J", "joomla password", NULL },
	{ "joomla-md5", "607e59158537c50e932af4afa9eec40e:kmn0pq7rstu2vwx3", "joomla password", NULL },
	{ "joomla-md5", "0912f7b3e2ec4ba22acb9abe33e6cbba:Xk3b9ZqT0pLm4Rv7Yc2Wn8Hs5Df1Ga6J", PAESS_WOERD, NULL },

	/* MySQL PASSWORD(): the MySQL manual's PASSWORD('mypass') */
	{ "mysql41", "*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4", "mypass", NULL },
	/* John the Ripper 1.7.9, as in passlib's test suite */
	{ "mysql41", "*2C905879F74F28F8570989947D06A8429FB943E6", "verysecretpassword", NULL },
	{ "mysql41", "*97CF7A3ACBE0CA58D5391AC8377B5D9AC11D46D9", "' OR 1 /*'", NULL },
	/* passlib's test suite */
	{ "mysql41", "*E7AFE21A9CFA2FC9D15D942AE8FB5C240FE5837B", UPASS_TABLE, NULL },
	/* the manual's, lower-cased: the server decodes hex either case */
	{ "mysql41", "*6c8989366eaf75bb670ad8ea7a7fc1176a95cef4", "mypass", NULL },

	/* LDAP: generated here with slappasswd -h SCHEME (4-byte salts; 8 for sha2) */
	{ "ldap-ssha", "{SSHA}+hb69A0/EbiVdlQvxsQf5JAoIvP32WzH", "ldap password", NULL },
	{ "ldap-ssha", "{SSHA}k3q5sqcy7S+3NUz0vMP/2mG+lKRuAlp9", PAESS_WOERD, NULL },
	/* passlib's test suite: a 4-byte and a 16-byte salt */
	{ "ldap-ssha", "{SSHA}0H+zTv8o4MR4H43n03eCsvw1luG8LdB7", "secret", NULL },
	{ "ldap-ssha", "{SSHA}Pfx6Vf48AT9x3FVv8znbo8WQkEVSipHSWovxXmvNWUvp/d/7", "test", NULL },
	/* the scheme name in lower case: slapd matches it with strncasecmp */
	{ "ldap-ssha", "{ssha}+hb69A0/EbiVdlQvxsQf5JAoIvP32WzH", "ldap password", NULL },
	{ "ldap-sha", "{SHA}LugDrqm2ynZC32n/Xh1LLRMPSYM=", "ldap password", NULL },
	{ "ldap-sha", "{SHA}at+xg6SiyUovktq1redipHiJpaE=", "helloworld", NULL },          /* passlib */
	{ "ldap-smd5", "{SMD5}MMYUiep1fsWrhx1O5mIBC71IjXs=", "ldap password", NULL },
	{ "ldap-smd5", "{SMD5}XRlncfRzvGi0FDzgR98tUgBg7B3jXOs9p9S615qTkg==", "test", NULL }, /* passlib */
	{ "ldap-md5", "{MD5}dUPd9iTQ9r5YUPzpS+HMYQ==", "ldap password", NULL },
	{ "ldap-md5", "{MD5}/F4DjTilcDIIVEHn/nAQsA==", "helloworld", NULL },              /* passlib */
	{ "ldap-ssha256", "{SSHA256}HXiRYKlq9kqke+bcUe52wj6ojRwlcxaLDEgumwxZJOfXgdqpzjz9TA==",
	  "ldap password", NULL },
	{ "ldap-ssha256", "{SSHA256}BMU3pRj1zdx97w0f5gqWBCAUnxwMq6IW68ZkE1MO8BlHyN02PbiBBw==",
	  PAESS_WOERD, NULL },
	{ "ldap-ssha256", "{SSHA256}x1tymSTVjozxQ2PtT46ysrzhZxbcskK0o2f8hEFx7fAQQmhtDSEkJA==",
	  "password", NULL },                                                          /* passlib */
	{ "ldap-sha256", "{SHA256}xMHdtFB/4N+aurVqx9nwZUXT1B/Ff3C4uN6MRRv025c=", "ldap password", NULL },
	/* OpenLDAP's contrib/slapd-modules/passwd/sha2/README */
	{ "ldap-sha256", "{SHA256}K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=", "secret", NULL },
	{ "ldap-ssha384", "{SSHA384}aT4QQE27Dk7bghiyi7sQhmm0FTKL9ITs2vYJHDJXTHHuk3ge8wmRRBwGvY+5vg37VxY+BcoRQUw=",
	  "ldap password", NULL },
	{ "ldap-sha384", "{SHA384}EL/xyNoAUJh7n+rkvZvGnVpjXgFQOmP6oSy7+TvGVi/PVHiYVujPIsyfudrmhN3+",
	  "ldap password", NULL },
	{ "ldap-sha384", "{SHA384}WKd1ukESvjAFrkQHznV9iP2nHUBJe7gCbsrFTU4//HIyzo3jq1rLMK45dg/ufFPt",
	  "secret", NULL },                                                            /* README */
	{ "ldap-ssha512", "{SSHA512}UHwqUBLdlDm8ohSdT2ZAo5TUCjB8nUrLWbJgOiGnJxilU2i4IWwD71mQ1HSybBr3qm73ziTBJHQ+"
	  "W4vg58dccYcqnxUUGPtI", "ldap password", NULL },
	{ "ldap-ssha512", "{SSHA512}7JuVWR0HZOtXaIcdtDrFQyv7EAXCIgKxEiqo8kDuRzvkhb3DoygUN6/60I0EwQweOx0ASX2E3wJB+"
	  "348aRwCLMAT5mVX8ZWu", PAESS_WOERD, NULL },
	/* passlib's test suite ("generated by testing ldap server web interface") */
	{ "ldap-ssha512", "{SSHA512}wExp4xjiCHS0zidJDC4UJq9EEeIebAQPJ1PWSwfhxWjfutI9XiiKuHm2AE41cEFfK+8HyI8bh+"
	  "ztbczUGsvVFIgICWWPt7qu", "toomanysecrets", NULL },
	{ "ldap-sha512", "{SHA512}CWyp/h+HAmzA73la9+x5+p0UKBsnvb9RqG80su9BCorGfq+GRVybu5cu46hqICfewiea7rMknnb/"
	  "emVcFo03yw==", "ldap password", NULL },
	{ "ldap-sha512", "{SHA512}vSsar3708Jvp9Szi2NWZZ02Bqp1qRCFpbcTZPdBhnWgs5WtNZKnvCXdhztmeD2cmW192CF5bDufK"
	  "RpayrW/isg==", "secret", NULL },                                           /* README */
	/* {CRYPT}: slappasswd -h {CRYPT} -c '$6$%.16s' (and $1$, $5$, plain DES) */
	{ "ldap-crypt", "{CRYPT}$6$TZzV5I0EENbBse5T$0.KP4WXgYe7F/D0OrNTeQtUbN9m7W3xQnr5ZXT9WnPUzuq6Wo/"
	  "bjvetUE3NXY1anbbYq9CBhTnkFMULYVUiQ0.", "ldap password", NULL },
	{ "ldap-crypt", "{CRYPT}$1$lMhHTHt/$IImsOnaq/kYofAxHRsTR91", "ldap password", NULL },
	{ "ldap-crypt", "{crypt}$1$lMhHTHt/$IImsOnaq/kYofAxHRsTR91", "ldap password", NULL },
	{ "ldap-crypt", "{CRYPT}$5$rounds=1000$Y1Ky87R.5.Qb1/Q3$PC5zajMzX9XWYIImuUf.WkyvxRnv2Mpv5ZlKr5U1dcA",
	  "ldap password", NULL },
	{ "ldap-crypt", "{CRYPT}7addC/5W6snzg", "short", NULL },
	{ "ldap-crypt", "{CRYPT}$1$SuMrG47N$ymvzYjr7QcEQjaK5m1PGx1", "test", NULL },  /* passlib */

	/* By name only: generated here with PHP's hash() and base64_encode() */
	{ "md5-hex", "39fd4443bd127ab8d4056b15d6f38b97", "digest password", NULL },
	{ "md5-hex", "39FD4443BD127AB8D4056B15D6F38B97", "digest password", NULL },  /* UPPER(MD5()) */
	{ "md5-base64", "Of1EQ70SerjUBWsV1vOLlw==", "digest password", NULL },
	{ "md5-base64", "Of1EQ70SerjUBWsV1vOLlw", "digest password", NULL },          /* unpadded */
	{ "md5-hex-salt-before", "36bc85514433fcce66dea16101504e5c", "digest password", SALT },
	{ "md5-base64-salt-before", "NryFUUQz/M5m3qFhAVBOXA==", "digest password", SALT },
	{ "md5-hex-salt-after", "db59521f8154e7790183a6c643bb7f0a", "digest password", SALT },
	{ "md5-base64-salt-after", "21lSH4FU53kBg6bGQ7t/Cg==", "digest password", SALT },
	{ "sha1-hex", "c10abf0e2f7d64e304dd26f0c699ff835f8a72e2", "digest password", NULL },
	{ "sha1-base64", "wQq/Di99ZOME3Sbwxpn/g1+KcuI=", "digest password", NULL },
	{ "sha1-hex-salt-before", "0cae7805fdf9ad5e32047a47d248c07e70620269", "digest password", SALT },
	{ "sha1-base64-salt-before", "DK54Bf35rV4yBHpH0kjAfnBiAmk=", "digest password", SALT },
	{ "sha1-hex-salt-after", "4745bdf106d6441127658d1187af36ebe62baf9e", "digest password", SALT },
	{ "sha1-base64-salt-after", "R0W98QbWRBEnZY0Rh6826+Yrr54=", "digest password", SALT },
	{ "sha256-hex", "e9f3249c936e3135b0983ef09ab90ca2fb5db1733b5be4a74cfa89fa287311d6", "digest password", NULL },
	{ "sha256-base64", "6fMknJNuMTWwmD7wmrkMovtdsXM7W+SnTPqJ+ihzEdY=", "digest password", NULL },
	{ "sha256-hex-salt-before", "7b85c7d69f6dccb623ba1e2d5bbc1ea72ee607f2898336c1ef1bb2033d9186bf",
	  "digest password", SALT },
	{ "sha256-base64-salt-before", "e4XH1p9tzLYjuh4tW7wepy7mB/KJgzbB7xuyAz2Rhr8=", "digest password", SALT },
	{ "sha256-hex-salt-after", "11e097c54103e17c1bfd79fdd529cf086b2dca74a26aff34ee036451d8d0a1df",
	  "digest password", SALT },
	{ "sha256-base64-salt-after", "EeCXxUED4Xwb/Xn91SnPCGstynSiav807gNkUdjQod8=", "digest password", SALT },
	{ "sha512-hex", "a68908acfd002527de1017432ee346e8558e176094e0bde6057403a0afa4c1c9f7f413229e7f960cc527"
	  "f369df23afcf605bcdefc177cacfe85a7c640db06c8a", "digest password", NULL },
	{ "sha512-base64", "pokIrP0AJSfeEBdDLuNG6FWOF2CU4L3mBXQDoK+kwcn39BMinn+WDMUn82nfI6/PYFvN78F3ys/oWnxk"
	  "DbBsig==", "digest password", NULL },
	{ "sha512-hex-salt-before", "3aea679dd039c5e78222bf0f5483d5c58060637612a53c1429cf8552941fb68a815e53534"
	  "a624c5f2f5fe2025e54565e6f5559c787718fcaf2630ae00f5d1757", "digest password", SALT },
	{ "sha512-base64-salt-before", "OupnndA5xeeCIr8PVIPVxYBgY3YSpTwUKc+FUpQftoqBXlNTSmJMXy9f4gJeVFZeb1VZx4"
	  "dxj8ryYwrgD10XVw==", "digest password", SALT },
	{ "sha512-hex-salt-after", "613d70efcbb7e64197f9a121dc50daeb8e031554e3dcdd4fa8d86deaee947a306d273386"
	  "1dc26bce166421681f4db7d6e7f22ac71f6aa29c7ae71e4b32bb0fa4", "digest password", SALT },
	{ "sha512-base64-salt-after", "YT1w78u35kGX+aEh3FDa644DFVTj3N1PqNht6u6UejBtJzOGHcJrzhZkIWgfTbfW5/Iqxx9"
	  "qopx65x5LMrsPpA==", "digest password", SALT },
	{ "plaintext", "digest password", "digest password", NULL },
	{ "plaintext", PAESS_WOERD, PAESS_WOERD, NULL },
};

#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

/* The context a deployment reading this vector's column would have. */
static struct hash_ctx ctx_for(const struct vector *v)
{
	const struct hash_family *f = hash_family_by_name(v->family);
	struct hash_ctx ctx = { .salt = v->salt };

	if (f != NULL && f->by_name_only)
		ctx.scheme_read = v->family;
	return ctx;
}

/* Vectors too slow to run hundreds of times; the same forms at lower cost
 * are covered. */
static bool costly(const struct vector *v)
{
	return strstr(v->stored, "$2y$10$") != NULL || strncmp(v->stored, "$S$D", 4) == 0;
}

START_TEST(test_identify)
{
	const struct vector *v = &vectors[_i];
	struct hash_ctx ctx = ctx_for(v);
	const struct hash_family *f = hash_identify_ctx(&ctx, v->stored);

	ck_assert_msg(f != NULL, "%s not identified", v->stored);
	ck_assert_str_eq(f->name, v->family);
	ck_assert(f->identify(v->stored));
	ck_assert_ptr_eq(hash_family_by_name(v->family), f);
	ck_assert_ptr_nonnull(f->origin);
	ck_assert_int_eq(f->needs_salt, v->salt != NULL);
	if (f->by_name_only) {
		/* never by form alone: not without a context, not when the
		 * context names another scheme */
		const struct hash_ctx other = { .salt = v->salt, .scheme_read = "mysql41,bcrypt" };

		ck_assert_ptr_null(hash_identify(v->stored));
		ck_assert_ptr_null(hash_identify_ctx(NULL, v->stored));
		ck_assert_ptr_null(hash_identify_ctx(&other, v->stored));
		ck_assert_int_eq(hash_verify(v->stored, v->password), HASH_UNUSABLE);
		ck_assert_int_eq(hash_verify_ctx(&other, v->stored, v->password), HASH_UNUSABLE);
	} else {
		ck_assert_ptr_eq(hash_identify(v->stored), f);
	}
}
END_TEST

START_TEST(test_right_password)
{
	const struct vector *v = &vectors[_i];
	struct hash_ctx ctx = ctx_for(v);

	ck_assert_msg(hash_verify_ctx(&ctx, v->stored, v->password) == HASH_MATCH, "%s", v->stored);
}
END_TEST

START_TEST(test_wrong_password)
{
	const struct vector *v = &vectors[_i];
	struct hash_ctx ctx = ctx_for(v);
	char pw[256], longer[260];
	size_t n = strlen(v->password);

	if (costly(v))
		return;
	ck_assert_uint_lt(n, sizeof(pw));
	memcpy(pw, v->password, n + 1);
	/* a changed first byte, a changed or missing last byte, an extra byte */
	pw[0] ^= 1;
	ck_assert_int_eq(hash_verify_ctx(&ctx, v->stored, pw), HASH_MISMATCH);
	pw[0] ^= 1;
	pw[n - 1] ^= 1;
	ck_assert_int_eq(hash_verify_ctx(&ctx, v->stored, pw), HASH_MISMATCH);
	pw[n - 1] ^= 1;
	snprintf(longer, sizeof(longer), "%s!", pw);
	ck_assert_int_eq(hash_verify_ctx(&ctx, v->stored, longer), HASH_MISMATCH);
	pw[n - 1] = '\0';
	ck_assert_int_eq(hash_verify_ctx(&ctx, v->stored, pw), HASH_MISMATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, v->stored, "wrong"), HASH_MISMATCH);
	/* the salted digests: the right password with another salt */
	if (v->salt != NULL) {
		ctx.salt = "other-salt";
		ck_assert_int_eq(hash_verify_ctx(&ctx, v->stored, v->password), HASH_MISMATCH);
	}
}
END_TEST

START_TEST(test_empty_password)
{
	const struct vector *v = &vectors[_i];
	struct hash_ctx ctx = ctx_for(v);

	if (costly(v))
		return;
	ck_assert_int_ne(hash_verify_ctx(&ctx, v->stored, ""), HASH_MATCH);
	ck_assert_int_ne(hash_verify_ctx(&ctx, v->stored, NULL), HASH_MATCH);
}
END_TEST

/* A salted by-name family without its salt column cannot be used. */
START_TEST(test_salt_missing)
{
	const struct vector *v = &vectors[_i];
	struct hash_ctx ctx = ctx_for(v);

	if (v->salt == NULL)
		return;
	ctx.salt = NULL;
	ck_assert_int_eq(hash_verify_ctx(&ctx, v->stored, v->password), HASH_UNUSABLE);
	ctx.salt = "";
	ck_assert_int_eq(hash_verify_ctx(&ctx, v->stored, v->password), HASH_UNUSABLE);
}
END_TEST

/* Every prefix of every vector: never a match, never a crash. A base64
 * digest cut only in its padding is the same value, and is skipped. */
START_TEST(test_truncated_never_match)
{
	const struct vector *v = &vectors[_i];
	struct hash_ctx ctx = ctx_for(v);
	size_t n = strlen(v->stored), cut;
	char buf[256];
	int rc;

	if (costly(v))
		return;
	ck_assert_uint_lt(n, sizeof(buf));
	for (cut = 0; cut < n; cut++) {
		if (strspn(v->stored + cut, "=") == n - cut)
			continue;
		memcpy(buf, v->stored, cut);
		buf[cut] = '\0';
		rc = hash_verify_ctx(&ctx, buf, v->password);
		ck_assert_msg(rc == HASH_MISMATCH || rc == HASH_UNUSABLE, "%s: %d", buf, rc);
	}
}
END_TEST

/* A changed character near the end: never a match. */
START_TEST(test_tampered)
{
	const struct vector *v = &vectors[_i];
	struct hash_ctx ctx = ctx_for(v);
	size_t n = strlen(v->stored), at;
	char buf[256];
	int rc;

	if (costly(v))
		return;
	ck_assert_uint_lt(n, sizeof(buf));
	for (at = n > 8 ? n - 8 : 0; at < n; at++) {
		memcpy(buf, v->stored, n + 1);
		if (buf[at] == '=')
			continue;
		/* hex is read in either case: 'a' -> 'A' would be no change */
		buf[at] = (buf[at] == 'A' || buf[at] == 'a') ? 'B' : 'A';
		rc = hash_verify_ctx(&ctx, buf, v->password);
		ck_assert_msg(rc == HASH_MISMATCH || rc == HASH_UNUSABLE, "%s: %d", buf, rc);
	}
}
END_TEST

/* Malformed, truncated, overlong or absurd strings of these families'
 * shapes: unusable, whatever the password. scheme_read names every
 * by-name family that could apply. */
START_TEST(test_unusable)
{
	static const char *const bad[] = {
		/* phpass: short, long, a bad character, count 6, 31, 63, and 25
		 * (over the 2^24 customdb allows) */
		"$P$", "$P$9", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0x",
		"$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r!L0", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L\n",
		"$P$4IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "$P$TIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0",
		"$P$zIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "$p$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0",
		"$X$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "$P$9IQRa$wmfeRo7ud9Fh4E2PdI0S3r.L0",
		"$P$NIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0",
		"$S$N5TOxWPdvJRs0P/xZBdrrPlGgzViOS0drHu3jaIjitesfttrp18",
		/* Drupal */
		"$S$", "$S$5TOxWPdvJRs0P/xZBdrrPlGgzViOS0drHu3jaIjitesfttrp18b",
		"$S$5TOxWPdvJRs0P/xZBdrrPlGgzViOS0drHu3jaIjitesfttrp18bkA",
		"$S$4TOxWPdvJRs0P/xZBdrrPlGgzViOS0drHu3jaIjitesfttrp18bk",
		"$S$TTOxWPdvJRs0P/xZBdrrPlGgzViOS0drHu3jaIjitesfttrp18bk",
		"$S$5TOxWPdvJRs0P/xZBdrrPlGgzViOS0drHu3jaIjitesfttrp18b!",
		"U$", "U$S$", "U$S$5vNHDQyLqCTvsYBLWBUWXJWhA0m3DTpBh04acFEOGB.bKBclhKg",
		"UU$S$5vNHDQyLqCTvsYBLWBUWXJWhA0m3DTpBh04acFEOGB.bKBclhKgo",
		"u$S$5vNHDQyLqCTvsYBLWBUWXJWhA0m3DTpBh04acFEOGB.bKBclhKgo",
		"U$X$5vNHDQyLqCTvsYBLWBUWXJWhA0m3DTpBh04acFEOGB.bKBclhKgo",
		"U$P$4SA4ViaYhQYP56La4TwVw/FxuC1QvD/", "U$wp$2y$05$35bL4faBoNDdXDMixWhDC.u6O43aWv5PtlNnxRYmJS94yPNGH96Vu",
		/* WordPress */
		"$wp", "$wp$", "$wp$2y$05$", "$wp$2y$05$35bL4faBoNDdXDMixWhDC.u6O43aWv5PtlNnxRYmJS94yPNGH96V",
		"$wp$2y$05$35bL4faBoNDdXDMixWhDC.u6O43aWv5PtlNnxRYmJS94yPNGH96Vuu",
		"$wp$2z$05$35bL4faBoNDdXDMixWhDC.u6O43aWv5PtlNnxRYmJS94yPNGH96Vu",
		"$wp$2y$35$35bL4faBoNDdXDMixWhDC.u6O43aWv5PtlNnxRYmJS94yPNGH96Vu",
		"$wp$2y$00$35bL4faBoNDdXDMixWhDC.u6O43aWv5PtlNnxRYmJS94yPNGH96Vu",
		"$WP$2y$05$35bL4faBoNDdXDMixWhDC.u6O43aWv5PtlNnxRYmJS94yPNGH96Vu",
		"$wp$$2y$05$35bL4faBoNDdXDMixWhDC.u6O43aWv5PtlNnxRYmJS94yPNGH96Vu",
		"$wp$wp$2y$05$35bL4faBoNDdXDMixWhDC.u6O43aWv5PtlNnxRYmJS94yPNGH96Vu",
		/* Joomla: PHP's md5() is lower case and Joomla compares it
		 * whole; salts are 16 or 32 alphanumerics */
		"C29F6D4C6094A00655AE0FCACFA63167:Xk3b9ZqT0pLm4Rv7Yc2Wn8Hs5Df1Ga6J",
		"c29f6d4c6094a00655ae0fcacfa63167:Xk3b9ZqT0pLm4Rv7Yc2Wn8Hs5Df1Ga6",
		"c29f6d4c6094a00655ae0fcacfa63167:Xk3b9ZqT0pLm4Rv7Yc2Wn8Hs5Df1Ga6J:",
		"c29f6d4c6094a00655ae0fcacfa6316:Xk3b9ZqT0pLm4Rv7Yc2Wn8Hs5Df1Ga6J",
		"c29f6d4c6094a00655ae0fcacfa63167Xk3b9ZqT0pLm4Rv7Yc2Wn8Hs5Df1Ga6J",
		"c29f6d4c6094a00655ae0fcacfa63167:Xk3b9ZqT0pLm4Rv7:c2Wn8Hs5Df1Ga6J",
		"c29f6d4c6094a00655ae0fcacfa63167:", "c29f6d4c6094a00655ae0fcacfa63167:ab",
		/* MySQL */
		"*", "*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF", "*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4A",
		"*6Z8989366EAF75BB670AD8EA7A7FC1176A95CEF4", "**6C8989366EAF75BB670AD8EA7A7FC1176A95CEF",
		/* LDAP: no value, too little, no salt, bad padding or quads,
		 * whitespace, unknown scheme, passlib's malformed ones */
		"{SSHA}", "{SSHA}abcdef", "{SSHA}LugDrqm2ynZC32n/Xh1LLRMPSYM=",
		"{SSHA}+hb69A0/EbiVdlQvxsQf5JAoIvP32WzH=", "{SSHA}+hb69A0/EbiVdlQvxsQf5JAoIvP32Wz",
		"{SSHA} +hb69A0/EbiVdlQvxsQf5JAoIvP32WzH", "{SSHA}+hb69A0/EbiVdlQvxsQf5JAoIvP32WzH\n",
		"{SHA}LugDrqm2ynZC32n/Xh1LLRMPSYM", "{SHA}LugDrqm2ynZC32n/Xh1LLRMPSYMAAAA",
		"{SHA}LugDrqm2ynZC32n/Xh1LLRMPSYM==", "{SHA}", "{MD5}dUPd9iTQ9r5YUPzpS+HMYQ=",
		"{SMD5}dUPd9iTQ9r5YUPzpS+HMYQ==", "{SSHA256}xMHdtFB/4N+aurVqx9nwZUXT1B/Ff3C4uN6MRRv025c=",
		"{SHA256}HXiRYKlq9kqke+bcUe52wj6ojRwlcxaLDEgumwxZJOfXgdqpzjz9TA==",
		"{SHA512}CWyp/h+HAmzA73la9+x5+p0UKBsnvb9RqG80su9BCorGfq+GRVybu5cu46hqICfewiea7rMknnb/emVcFo03yw=",
		"{SSHA-256}HXiRYKlq9kqke+bcUe52wj6ojRwlcxaLDEgumwxZJOfXgdqpzjz9TA==", "{FOO}bar", "{}", "{",
		"{SMD5}LnuZPJhiaY95/4lmVFpg548xBsD4P4c", "{SMD5}LnuZPJhiaY95/4lmV=pg548xBsD4P4cw",
		"{SMD5}LnuZPJhiaY95/4lmVFpg548xBsD4P===", "{SSHA}P90+qijSp8MJ1tN25j5o1Pf=UvlqjXHOGeOckw==",
		/* {CRYPT}: nothing, not crypt(3), nested, other families */
		"{CRYPT}", "{CRYPT}x", "{CRYPT}$6$", "{CRYPT}$1$lMhHTHt/$IImsOnaq/kYofAxHRsTR9",
		"{CRYPT}{CRYPT}$1$lMhHTHt/$IImsOnaq/kYofAxHRsTR91",
		"{CRYPT}{crypt}$1$lMhHTHt/$IImsOnaq/kYofAxHRsTR91",
		"{CRYPT}{SSHA}+hb69A0/EbiVdlQvxsQf5JAoIvP32WzH",
		"{CRYPT}$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0",
		"{CRYPT}$wp$2y$05$35bL4faBoNDdXDMixWhDC.u6O43aWv5PtlNnxRYmJS94yPNGH96Vu",
		"{CRYPT}$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"{CRYPT}*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4",
		"{CRYPT} $1$lMhHTHt/$IImsOnaq/kYofAxHRsTR91",
		/* by name: wrong length or alphabet */
		"39fd4443bd127ab8d4056b15d6f38b9", "39fd4443bd127ab8d4056b15d6f38b97a",
		"39fd4443bd127ab8d4056b15d6f38b9g", "39fd4443bd127ab8d4056b15d6f38b97 ",
		"Of1EQ70SerjUBWsV1vOLlw=", "Of1EQ70SerjUBWsV1vOLl!==", "Of1EQ70SerjUBWsV1vOLlw===",
	};
	static const char *const passwords[] = {
		"test12345", "valid password", "wordpress password", "joomla password", "mypass",
		"ldap password", "digest password", "password",
	};
	const struct hash_ctx ctx = { .salt = SALT,
		.scheme_read = "md5-hex,sha1-hex,sha256-hex,sha512-hex,md5-base64,sha1-base64,"
			       "sha256-base64,sha512-base64" };
	size_t i, j;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (j = 0; j < sizeof(passwords) / sizeof(passwords[0]); j++)
			ck_assert_msg(hash_verify_ctx(&ctx, bad[i], passwords[j]) == HASH_UNUSABLE,
				      "'%s' with '%s': %d", bad[i], passwords[j],
				      hash_verify_ctx(&ctx, bad[i], passwords[j]));
}
END_TEST

/* The applications refuse passwords past a length, even right ones:
 * phpass and WordPress past 4096 bytes, Drupal past 512. The hashes were
 * made here with the original hashing code minus that check; the original
 * check functions accept the shorter password and refuse the longer. */
START_TEST(test_password_length_limits)
{
	static const struct {
		const char *stored;
		size_t len;
		int rc;
	} cases[] = {
		{ "$P$5abcdefghxBIGRTVIYKTacBAcxTQZY/", 4096, HASH_MATCH },
		{ "$P$5abcdefghnWvivPTeDEl6opWiOU7Jb1", 4097, HASH_MISMATCH },
		{ "$S$5abcdefghWNzgMqeHazrukEv4G0rpKl2rJp.w/y.4jZ3cwKdmMk4", 512, HASH_MATCH },
		{ "$S$5abcdefghpJbrlhtF25eDZ7dp7dQ/qSQRIrl8trt9hjgQNMdc3SE", 513, HASH_MISMATCH },
		{ "$wp$2y$04$3mr4uZ3PvLGT7jtvB8EE9uuF8gyUxZYXlCMF7LPtY9TiFxejgBMlG", 4096, HASH_MATCH },
		{ "$wp$2y$04$hevBYYPYSnjkNnbGDRwYA..E9N/L5Fn61s0kAb32d48TMebvuri6a", 4097, HASH_MISMATCH },
	};
	char *pw = malloc(4098);
	size_t i;

	ck_assert_ptr_nonnull(pw);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(pw, 'x', cases[i].len);
		pw[cases[i].len] = '\0';
		ck_assert_msg(hash_verify(cases[i].stored, pw) == cases[i].rc, "%s", cases[i].stored);
	}
	free(pw);
}
END_TEST

START_TEST(test_by_name_lists)
{
	static const char *const digests[] = { "md5", "sha1", "sha256", "sha512" };
	static const char *const encs[] = { "hex", "base64" };
	static const char *const salts[] = { "", "-salt-before", "-salt-after" };
	struct hash_ctx ctx = { .scheme_read = " sha1-hex, md5-hex ,plaintext" };
	const struct hash_family *f;
	char name[64];
	size_t d, e, s;

	for (d = 0; d < 4; d++)
		for (e = 0; e < 2; e++)
			for (s = 0; s < 3; s++) {
				snprintf(name, sizeof(name), "%s-%s%s", digests[d], encs[e], salts[s]);
				f = hash_family_by_name(name);
				ck_assert_msg(f != NULL, "no family %s", name);
				ck_assert(f->by_name_only);
				ck_assert_int_eq(f->needs_salt, s != 0);
				ck_assert_ptr_null(f->generate);
			}
	f = hash_family_by_name("plaintext");
	ck_assert(f != NULL && f->by_name_only && !f->needs_salt);

	/* a list, with spaces: each string goes to the scheme its form fits */
	f = hash_identify_ctx(&ctx, "39fd4443bd127ab8d4056b15d6f38b97");
	ck_assert(f != NULL && strcmp(f->name, "md5-hex") == 0);
	f = hash_identify_ctx(&ctx, "c10abf0e2f7d64e304dd26f0c699ff835f8a72e2");
	ck_assert(f != NULL && strcmp(f->name, "sha1-hex") == 0);
	f = hash_identify_ctx(&ctx, "neither");
	ck_assert(f != NULL && strcmp(f->name, "plaintext") == 0);
	/* a form of its own wins over a by-name scheme */
	f = hash_identify_ctx(&ctx, "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0");
	ck_assert(f != NULL && strcmp(f->name, "phpass") == 0);
	/* a name is a whole item of the list */
	ctx.scheme_read = "md5-hex-salt-before";
	ctx.salt = SALT;
	f = hash_identify_ctx(&ctx, "39fd4443bd127ab8d4056b15d6f38b97");
	ck_assert(f != NULL && strcmp(f->name, "md5-hex-salt-before") == 0);
	ck_assert_int_eq(hash_verify_ctx(&ctx, "39fd4443bd127ab8d4056b15d6f38b97", "digest password"),
			 HASH_MISMATCH);
	ctx.scheme_read = "md5";
	ck_assert_ptr_null(hash_identify_ctx(&ctx, "39fd4443bd127ab8d4056b15d6f38b97"));
}
END_TEST

START_TEST(test_plaintext)
{
	const struct hash_ctx ctx = { .scheme_read = "plaintext" };

	ck_assert_int_eq(hash_verify_ctx(&ctx, "secret", "secret"), HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, "secret", "secre"), HASH_MISMATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, "secret", "secret "), HASH_MISMATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, "secret", "Secret"), HASH_MISMATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, "secret", ""), HASH_MISMATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, "", "secret"), HASH_UNUSABLE);
	ck_assert_int_eq(hash_verify("secret", "secret"), HASH_UNUSABLE);
}
END_TEST

START_TEST(test_phpass_generate)
{
	char h1[HASH_MAX], h2[HASH_MAX], err[128];
	const struct hash_family *f;

	/* cost 0: what WordPress writes, 2^13 */
	ck_assert_int_eq(hash_generate("phpass", 0, "wordpress password", h1, sizeof(h1), err,
				       sizeof(err)), 0);
	ck_assert_uint_eq(strlen(h1), 34);
	ck_assert(strncmp(h1, "$P$B", 4) == 0);
	f = hash_identify(h1);
	ck_assert(f != NULL && strcmp(f->name, "phpass") == 0);
	ck_assert_int_eq(hash_verify(h1, "wordpress password"), HASH_MATCH);
	ck_assert_int_eq(hash_verify(h1, "wordpress passwor"), HASH_MISMATCH);
	/* a new salt each time */
	ck_assert_int_eq(hash_generate("phpass", 0, "wordpress password", h2, sizeof(h2), err,
				       sizeof(err)), 0);
	ck_assert_str_ne(h1, h2);
	ck_assert_int_eq(hash_verify(h2, "wordpress password"), HASH_MATCH);

	ck_assert_int_eq(hash_generate("phpass", 7, PAESS_WOERD, h1, sizeof(h1), err, sizeof(err)), 0);
	ck_assert(strncmp(h1, "$P$5", 4) == 0);
	ck_assert_int_eq(hash_verify(h1, PAESS_WOERD), HASH_MATCH);
	ck_assert_int_eq(hash_generate("phpass", 11, "x", h1, sizeof(h1), err, sizeof(err)), 0);
	ck_assert(strncmp(h1, "$P$9", 4) == 0);
	ck_assert_int_eq(hash_verify(h1, "x"), HASH_MATCH);

	/* costs phpass refuses */
	ck_assert_int_eq(hash_generate("phpass", 6, "x", h1, sizeof(h1), err, sizeof(err)), -1);
	ck_assert_int_eq(hash_generate("phpass", 31, "x", h1, sizeof(h1), err, sizeof(err)), -1);
	/* families read but never written */
	ck_assert_int_eq(hash_generate("wordpress-bcrypt", 0, "x", h1, sizeof(h1), err, sizeof(err)), -1);
	ck_assert_int_eq(hash_generate("ldap-ssha", 0, "x", h1, sizeof(h1), err, sizeof(err)), -1);
	ck_assert_int_eq(hash_generate("md5-hex", 0, "x", h1, sizeof(h1), err, sizeof(err)), -1);
}
END_TEST

/* password_scheme = drupal7: user_hash_password() at DRUPAL_HASH_COUNT 15
 * (the written hashes are checked by Drupal's algorithm in PHP too:
 * verify_written.sh, verify_with_php.php) */
START_TEST(test_drupal7_generate)
{
	const struct hash_ctx ctx = { 0 };
	char h1[HASH_MAX], h2[HASH_MAX], err[128];
	const struct hash_family *f;

	ck_assert_int_eq(hash_generate("drupal7", 0, "drupal password", h1, sizeof(h1), err,
				       sizeof(err)), 0);
	/* 55 characters, as Drupal cuts them; "D" is 2^15 */
	ck_assert_uint_eq(strlen(h1), 55);
	ck_assert_msg(strncmp(h1, "$S$D", 4) == 0, "%s", h1);
	f = hash_identify(h1);
	ck_assert(f != NULL && strcmp(f->name, "drupal7") == 0);
	ck_assert_int_eq(hash_verify(h1, "drupal password"), HASH_MATCH);
	ck_assert_int_eq(hash_verify(h1, "drupal passwor"), HASH_MISMATCH);
	/* Drupal 7 reads it behind a 'U' only as a hash of md5(password) */
	h2[0] = 'U';
	memcpy(h2 + 1, h1, strlen(h1) + 1);
	ck_assert_int_eq(hash_verify(h2, "drupal password"), HASH_MISMATCH);
	/* a new salt each time */
	ck_assert_int_eq(hash_generate("drupal7", 0, "drupal password", h2, sizeof(h2), err,
				       sizeof(err)), 0);
	ck_assert_str_ne(h1, h2);
	ck_assert_int_eq(hash_verify(h2, "drupal password"), HASH_MATCH);
	ck_assert_int_eq(hash_generate("drupal7", 7, PAESS_WOERD, h1, sizeof(h1), err,
				       sizeof(err)), 0);
	ck_assert(strncmp(h1, "$S$5", 4) == 0);
	ck_assert_int_eq(hash_verify(h1, PAESS_WOERD), HASH_MATCH);
	/* rehash_on_login: fewer iterations, phpass and U$ hashes are weaker */
	ck_assert(hash_weaker(&ctx, h1, "drupal7", 0));
	ck_assert(!hash_weaker(&ctx, h2, "drupal7", 0));
	ck_assert(hash_weaker(&ctx, "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "drupal7", 0));
	ck_assert(hash_weaker(&ctx, "U$S$9nvjeREPb4OX03yyeF3hMuuPGfh9shcy8XJ/uwyffu3i5m/Gk2oc",
			      "drupal7", 0));
	/* counts Drupal would not write, or customdb not read back */
	ck_assert_int_eq(hash_generate("drupal7", 6, "x", h1, sizeof(h1), err, sizeof(err)), -1);
	ck_assert_int_eq(hash_generate("drupal7", 25, "x", h1, sizeof(h1), err, sizeof(err)), -1);
	/* the U$ form is Drupal's update's, never written */
	ck_assert_int_eq(hash_generate("drupal7-updated", 0, "x", h1, sizeof(h1), err,
				       sizeof(err)), -1);
}
END_TEST

/* The longest password each writer hashes: phpass's HashPassword() refuses
 * over 4096 bytes, Drupal 7 over PASSWORD_MAX_LENGTH (512) */
static const struct {
	const char *scheme;
	size_t max;
} longest[] = { { "phpass", 4096 }, { "drupal7", 512 } };

START_TEST(test_generate_long_password)
{
	const struct hash_family *f = hash_family_by_name(longest[_i].scheme);
	size_t max = longest[_i].max;
	char h[HASH_MAX];
	char *pw = malloc(max + 2);

	ck_assert_ptr_nonnull(pw);
	memset(pw, 'x', max + 1);
	pw[max + 1] = '\0';
	ck_assert_int_eq(f->generate(pw, max + 1, 7, h, sizeof(h)), -1);
	pw[max] = '\0';
	ck_assert_int_eq(f->generate(pw, max, 7, h, sizeof(h)), 0);
	ck_assert_int_eq(hash_verify(h, pw), HASH_MATCH);
	free(pw);
}
END_TEST

START_TEST(test_describe)
{
	static const struct {
		const char *stored;
		const char *scheme;
		const char *want;
	} cases[] = {
		{ "$P$BiF/luaQH08liaSkYHAvRilGy8Bn.B1", NULL, "variant=$P$ iterations=8192 (2^13) salt=8 chars" },
		{ "$H$9aaaaaSXBjgypwqm.JsMssPLiS8YQ00", NULL, "variant=$H$ iterations=2048 (2^11) salt=8 chars" },
		{ "$P$TIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", NULL, "variant=$P$ iterations=out of range" },
		{ "$S$D83uUucUEzfgx02GCi7938ccOAxSOWMhquFoa8VxES0ehPy2y7bp", NULL,
		  "iterations=32768 (2^15) salt=8 chars" },
		{ "U$P$9SA4ViaYhQYP56La4TwVw/FxuC1QvD/", NULL,
		  "phpass over md5(password) variant=$P$ iterations=2048 (2^11) salt=8 chars" },
		{ "$wp$2y$10$pcGj8rbJ3ZzDnjQcqQHx5OwLYn.GnNT6OUSYRr8h6IfRc.ir98XsS", NULL,
		  "bcrypt of HMAC-SHA384 pre-hash, variant=$2y$ cost=10" },
		{ "607e59158537c50e932af4afa9eec40e:kmn0pq7rstu2vwx3", NULL, "salt=16 chars" },
		{ "{SSHA}Pfx6Vf48AT9x3FVv8znbo8WQkEVSipHSWovxXmvNWUvp/d/7", NULL, "salt=16 bytes" },
		{ "{SHA}at+xg6SiyUovktq1redipHiJpaE=", NULL, "unsalted" },
		{ "{CRYPT}$5$rounds=1000$Y1Ky87R.5.Qb1/Q3$PC5zajMzX9XWYIImuUf.WkyvxRnv2Mpv5ZlKr5U1dcA", NULL,
		  "sha256crypt rounds=1000" },
		{ "{CRYPT}7addC/5W6snzg", NULL, "des" },
	};
	char out[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hash_ctx ctx = { .scheme_read = cases[i].scheme };
		const struct hash_family *f = hash_identify_ctx(&ctx, cases[i].stored);

		ck_assert_msg(f != NULL && f->describe != NULL, "%s", cases[i].stored);
		out[0] = '\0';
		f->describe(cases[i].stored, out, sizeof(out));
		ck_assert_str_eq(out, cases[i].want);
	}
}
END_TEST

START_TEST(test_dummy_verify)
{
	size_t i;

	/* spends the time of each form and never crashes */
	for (i = 0; i < NVECTORS; i++)
		if (!costly(&vectors[i]))
			hash_dummy_verify(NULL, vectors[i].stored, vectors[i].password);
	hash_dummy_verify(NULL, "{CRYPT}", "x");
	hash_dummy_verify(NULL, "$P$TIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "x");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("hash_php");
	TCase *tc;

	tc = tcase_create("vectors");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_identify, 0, NVECTORS);
	tcase_add_loop_test(tc, test_right_password, 0, NVECTORS);
	tcase_add_loop_test(tc, test_wrong_password, 0, NVECTORS);
	tcase_add_loop_test(tc, test_empty_password, 0, NVECTORS);
	tcase_add_loop_test(tc, test_salt_missing, 0, NVECTORS);
	tcase_add_loop_test(tc, test_tampered, 0, NVECTORS);
	tcase_add_test(tc, test_password_length_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_truncated_never_match, 0, NVECTORS);
	tcase_add_test(tc, test_unusable);
	tcase_add_test(tc, test_dummy_verify);
	suite_add_tcase(s, tc);

	tc = tcase_create("families");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_by_name_lists);
	tcase_add_test(tc, test_plaintext);
	tcase_add_test(tc, test_phpass_generate);
	tcase_add_test(tc, test_drupal7_generate);
	tcase_add_loop_test(tc, test_generate_long_password, 0,
			    sizeof(longest) / sizeof(longest[0]));
	tcase_add_test(tc, test_describe);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
