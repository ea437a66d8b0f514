/* test_hash_servers.c: the formats of server applications: Nextcloud and
 * ownCloud (hash_nextcloud.c), Gitea and Gogs (hash_gitea.c), Keycloak
 * (hash_keycloak.c).
 *
 * Where the vectors come from (never from customdb):
 *   Nextcloud  tests/lib/Security/HasherTest.php of nextcloud/server (its
 *              passwords "password", "owncloud.com", passwordsalt
 *              "6Wow67q1wZQZpUUeI6G2LsWUu4XKx"); "3|" and "1|$2y$" ones
 *              made as Hasher::hash() does, by PHP 8.2's password_hash
 *              (php-cli): 3 . '|' . password_hash($pw, PASSWORD_ARGON2ID).
 *              That the legacy bcrypts need the passwordsalt was checked
 *              with PHP's password_verify.
 *   Gitea      modules/auth/password/hash/hash_test.go of go-gitea/gitea
 *              (its vectors: password "abcdef", salts "aaaaaaaaaa" and
 *              "01020304").
 *   Keycloak   python3 hashlib.pbkdf2_hmac(md, password UTF-8, salt,
 *              iterations, 64), base64, as Keycloak's
 *              Pbkdf2PasswordHashProvider derives with PBEKeySpec (512 bits)
 *              and java.util.Base64 (no Java here); and two that Keycloak's
 *              own Pbkdf2Sha256PasswordHashProviderFactory verifies in a
 *              JUnit test of a Keycloak extension (novareto/
 *              user_access_managment, virtual-user-spi HashingTest.java:
 *              password "test", Keycloak's default 27500 iterations). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"

#define NC_PW "Nextcloud p\xc3\xa4ssword"
#define NC_SALT "6Wow67q1wZQZpUUeI6G2LsWUu4XKx"
#define KC_PW "Keycloak p\xc3\xa4ssword"
#define GT_PW "abcdef"
#define GT_SALT_OLD "aaaaaaaaaa"
#define GT_SALT_HEX "01020304"

#define GT_PBKDF2_OLD "ab48d5471b7e6ed42d10001db88c852ff7303c788e49da5c3c7b63d5adf963603037" \
	"24b74b679223a3dea8a242d10abb1913"
#define GT_PBKDF2_HEX "45d6cdc843d65cf0eda7b90ab41435762a282f7df013477a1c5b212ba81dbdca2edf" \
	"1ecc4b5cb05956bb9e0c37ab29315d78"
#define GT_PBKDF2_HI "84e233114499e8721da80e85568e5b7b5900b3e49a30845fcda9d1e1756da4547d70" \
	"f8740ac2b4a5d82f88cebcd27f21bfe2"
/* pbkdf2_v2 (Gitea's default since 1.19): Python's hashlib.pbkdf2_hmac('sha256',
 * b'abcdef', bytes.fromhex('01020304'), 50000, 50), which gives Gitea's own
 * vector above at 10000 */
#define GT_PBKDF2_V2 "9e1841e82946ffdfbfccc2f5537b85fa98708840aaa61a3ddc9a0625e9f3bed4b3b2" \
	"aa277ccc31f73add2eebb7fd5d47bdb7"
#define GT_ARGON2_OLD "551f089f570f989975b6f7c6a8ff3cf89bc486dd7bbe87ed4d80ad4362f8ee599ec8" \
	"dda78dac196301b98456402bcda775dc"
#define GT_ARGON2_HEX "9c287db63a91d18bb1414b703216da4fc431387c1ae7c8acdb280222f11f0929831" \
	"055dbfd5126a3b48566692e83ec750d2a"
#define GT_SCRYPT_OLD "3b571d0c07c62d42b7bad3dbf18fb0cd67d4d8cd4ad4c6928e1090e5b2a4a84437c6" \
	"fd2627d897c0e7e65025ca62b67a0002"
#define GT_SCRYPT_HEX "25fe5f66b43fa4eb7b6717905317cd2223cf841092dc8e0a1e8c75720ad4846cb5d9" \
	"387303e14bc3c69faa3b1c51ef4b7de1"
#define GT_BCRYPT_OLD "$2a$10$fjtm8BsQ2crym01/piJroenO3oSVUBhSLKaGdTYJ4tG0ePVCrU0G2"

#define KC_SHA256 "keycloak$pbkdf2-sha256$27500$AAECAwQFBgcICQoLDA0ODw==$AlpJi7NJTNI62jcgp" \
	"dyKMb5mCHhkiyorYv6X6xNbrpBehAgccVGgdt1pa34Qdv4/KbznRWbukW+jI4w1dlubHQ=="

struct vector {
	const char *family, *stored, *password, *salt;
};

static const struct vector vectors[] = {
	/* Nextcloud: bcrypt in version 1, argon2i and argon2id in version 2
	 * (Nextcloud 18 to 20 wrote argon2id so), argon2id in version 3 */
	{ "nextcloud", "1|$2a$05$ezAE0dkwk57jlfo6z5Pql.gcIK3ReXT15W7ITNxVS0ksfhO/4E4Kq",
	  "password", NULL },
	{ "nextcloud", "1|$2a$10$Yiss2WVOqGakxuuqySv5UeOKpF8d8KmNjuAPcBMiRJGizJXjA2bKm",
	  "owncloud.com", NULL },
	{ "nextcloud", "2|$argon2i$v=19$m=1024,t=2,p=2$T3JGcEkxVFNOVktNSjZUcg$4/hyLtSejxNgAuz"
	  "SFFV/HLM3qRQKBwEtKw61qPN4zWA", "password", NULL },
	{ "nextcloud", "2|$argon2id$v=19$m=65536,t=4,p=1$TEtIMnhUczliQzI0Y01WeA$BpMUDrApy25ia"
	  "gIogUAnlc0rNTPJmGs8lOEeVHujJ9Q", "password", NULL },
	{ "nextcloud", "3|$argon2id$v=19$m=65536,t=4,p=1$c2VPbzM2Q1V3amZ0d09SZQ$j6p4DBV1wWYuz"
	  "z6NI02ytMBcop3bwakQFXmps8U7Ic4", NC_PW, NULL },
	{ "nextcloud", "1|$2y$05$ItiBtB.GP187SyIuAYOAdO3kJjX/pkx3s5MsrOE0aDZormNlbp912", NC_PW,
	  NULL },
	/* Gitea: the bare names (the first defaults) and their parameters
	 * spelled out, with the 10-character and the hex salt */
	{ "gitea-pbkdf2", "pbkdf2$" GT_PBKDF2_OLD, GT_PW, GT_SALT_OLD },
	{ "gitea-pbkdf2", "pbkdf2$10000$50$" GT_PBKDF2_OLD, GT_PW, GT_SALT_OLD },
	{ "gitea-pbkdf2", "pbkdf2$" GT_PBKDF2_HEX, GT_PW, GT_SALT_HEX },
	{ "gitea-pbkdf2", "pbkdf2$320000$50$" GT_PBKDF2_HI, GT_PW, GT_SALT_HEX },
	{ "gitea-pbkdf2", "pbkdf2$50000$50$" GT_PBKDF2_V2, GT_PW, GT_SALT_HEX },
	{ "gitea-argon2", "argon2$" GT_ARGON2_OLD, GT_PW, GT_SALT_OLD },
	/* a 16-byte salt, as Gitea 1.21 makes: PHP's password_hash(PASSWORD_ARGON2ID,
	 * m 65536, t 2, threads 8) (libargon2, as Go's argon2.IDKey), its salt
	 * in hex as Gitea's salt column and its 32-byte hash as passwd */
	{ "gitea-argon2", "argon2$2$65536$8$32$29b531db100b1d44ed77440820a3a11aa6aa14899f5956c670"
	  "d8872c09b86811", GT_PW, "48357a462f51637466586f774a56615a" },
	{ "gitea-scrypt", "scrypt$" GT_SCRYPT_OLD, GT_PW, GT_SALT_OLD },
	{ "gitea-scrypt", "scrypt$65536$16$2$50$" GT_SCRYPT_HEX, GT_PW, GT_SALT_HEX },
	{ "gitea-bcrypt", "bcrypt$" GT_BCRYPT_OLD, GT_PW, GT_SALT_OLD },
	{ "gitea-bcrypt", "bcrypt$10$$2a$10$qhgm32w9ZpqLygugWJsLjey8xRGcaq9iXAfmCeNBXxddgyoaOC3Gq",
	  GT_PW, GT_SALT_HEX },
	/* Keycloak: the three algorithms at their defaults */
	{ "keycloak-pbkdf2-sha256", KC_SHA256, KC_PW, NULL },
	{ "keycloak-pbkdf2-sha512", "keycloak$pbkdf2-sha512$210000$a2V5Y2xvYWstc2FsdC0xNg==$"
	  "qPlR/ZmISfxCR7JEaRgl+jtpnztuUSCCz377xYa+vhcoW+2knMoN3X8gfNikWj6tlxiMHEpTDrTeLPwt/M+m+w==",
	  KC_PW, NULL },
	{ "keycloak-pbkdf2-sha256", "keycloak$pbkdf2-sha256$27500$lZtleWv1DeEcNIr8MTzdeg==$/bVkHA4"
	  "G/VOskjaCgNYyTz1BhgD+9X8bxCNEPGGpnDCJbWHDXIW0G8IlSBhDdJsXTjrXt/7yQguBwJ3sxSmSKA==", "test",
	  NULL },
	{ "keycloak-pbkdf2-sha256", "keycloak$pbkdf2-sha256$27500$dTnm2F75dNhNRT0yW9UcNw==$ldP3HIF"
	  "5mf39q/lVSNyXPh/pcScKhEQTbPmnEjQcVVwMScX/nUWYh8gZ3zOXFdrB3Bvv50r51JDYhT48ymxz6A==", "test",
	  NULL },
	/* Keycloak 21 on pads a password under 14 characters with NULs
	 * (pbkdf2PasswordPadding; HMAC's key padding makes it no different):
	 * derived over "kc-pw" and nine NULs, 32 bytes (its newer key size) */
	{ "keycloak-pbkdf2-sha256", "keycloak$pbkdf2-sha256$27500$ZGVmZ2hpamtsbW5vcHFycw==$"
	  "eSAzXL5opN2Idu0c2taQKrnbmcc82zafpMHoQzf/Jc4=", "kc-pw", NULL },
	{ "keycloak-pbkdf2", "keycloak$pbkdf2$20000$AP8A/wD/AP8A/wD/AP8A/w==$pTE4yqA++5xzoDrQXGecJKNw06"
	  "EvWWTTVngxhPdliYShTtVVdSJlCKuJcvSMh92CS0oKDo87Njc9ubDLnQ3UMg==", KC_PW, NULL },
};

#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

START_TEST(test_vector)
{
	const struct vector *v = &vectors[_i];
	const struct hash_ctx ctx = { .salt = v->salt };
	const struct hash_family *f = hash_identify(v->stored);
	char wrong[64];

	ck_assert_msg(f != NULL, "%s: not identified", v->stored);
	ck_assert_str_eq(f->name, v->family);
	ck_assert_msg(hash_verify_ctx(&ctx, v->stored, v->password) == HASH_MATCH, "%s: refused",
		      v->stored);
	snprintf(wrong, sizeof(wrong), "%s", v->password);
	wrong[strlen(wrong) - 1] ^= 1;
	ck_assert_int_eq(hash_verify_ctx(&ctx, v->stored, wrong), HASH_MISMATCH);
	ck_assert_int_ne(hash_verify_ctx(&ctx, v->stored, ""), HASH_MATCH);
}
END_TEST

/* Nextcloud's own "invalid" vectors; the legacy forms by name, with and
 * without the passwordsalt */
START_TEST(test_nextcloud)
{
	const struct hash_ctx salted = { .scheme_read = "nextcloud-legacy", .salt = NC_SALT };
	const struct hash_ctx unsalted = { .scheme_read = "nextcloud-legacy" };
	const char *legacy = "$2a$08$emCpDEl.V.QwPWt5gPrqrOhdpH6ailBmkj2Hd2vD5U8qIy20HBe7.";

	ck_assert_int_eq(hash_verify("1|$2a$08$oKAQY5IhnZocP.61MwP7xu7TNeOb7Ostvk3j6UpacvaNMs.xRj7O2",
				     "password"), HASH_MISMATCH);
	ck_assert_int_eq(hash_verify("2|$argon2id$v=19$m=65536,t=4,p=1$V3ovTHlvc0Eyb24xenVRNQ$iY/"
				     "A0Yf24c2DToedj2rj9+KeoJBGsJYQOlJMoa0SFXk", "password"),
			 HASH_MISMATCH);
	ck_assert_ptr_null(hash_identify("0|$2a$08$oKAQY5IhnZocP.61MwP7xu7TNeOb7Ostvk3j6UpacvaNMs."
					 "xRj7O2"));
	/* a bare bcrypt is bcrypt's unless nextcloud-legacy is named */
	ck_assert_str_eq(hash_identify(legacy)->name, "bcrypt");
	ck_assert_str_eq(hash_identify_ctx(&salted, legacy)->name, "nextcloud-legacy");
	ck_assert_int_eq(hash_verify_ctx(&salted, legacy, "password"), HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&salted, "$2a$08$YbEsyASX/hXVNMv8hXQo7ezreN17T8Jl6PjecGZvp"
					 "X.Ayz2aUyaZ2", "owncloud.com"), HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&unsalted, legacy, "password"), HASH_MISMATCH);
	ck_assert_int_eq(hash_verify_ctx(&salted, legacy, "owncloud.com"), HASH_MISMATCH);
	/* retried without the salt, as legacyHashVerify does */
	ck_assert_int_eq(hash_verify_ctx(&salted, "$2y$05$ItiBtB.GP187SyIuAYOAdO3kJjX/pkx3s5MsrOE0"
					 "aDZormNlbp912", NC_PW), HASH_MATCH);
	/* sha1 hex, HasherTest's */
	ck_assert_int_eq(hash_verify_ctx(&unsalted, "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8",
					 "password"), HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&salted, "27a4643e43046c3569e33b68c1a4b15d31306d29",
					 "owncloud.com"), HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&salted, "27a4643e43046c3569e33b68c1a4b15d31306d29",
					 "AnotherInvalidOne"), HASH_MISMATCH);
}
END_TEST

/* Gitea: the salt decides, and is read as Gitea reads it */
START_TEST(test_gitea_salt)
{
	const char *stored = "pbkdf2$10000$50$" GT_PBKDF2_HEX;
	char explain[200];

	/* the other salt, bad hex, an odd length, none */
	ck_assert_int_eq(hash_verify_ctx(&(struct hash_ctx){ .salt = GT_SALT_OLD }, stored, GT_PW),
			 HASH_MISMATCH);
	ck_assert_int_eq(hash_verify_ctx(&(struct hash_ctx){ .salt = "0102030g" }, stored, GT_PW),
			 HASH_UNUSABLE);
	ck_assert_int_eq(hash_verify_ctx(&(struct hash_ctx){ .salt = "0102030" }, stored, GT_PW),
			 HASH_UNUSABLE);
	ck_assert_int_ne(hash_verify_ctx(&(struct hash_ctx){ 0 }, stored, GT_PW), HASH_MATCH);
	hash_explain(&(struct hash_ctx){ 0 }, stored, explain, sizeof(explain));
	ck_assert_msg(strstr(explain, "needs the salt column") != NULL, "%s", explain);
	/* upper-case hex is not what Gitea compares with */
	ck_assert_ptr_null(hash_identify("pbkdf2$45D6CDC843D65CF0EDA7B90AB41435762A282F7DF013477A1C"
					 "5B212BA81DBDCA2EDF1ECC4B5CB05956BB9E0C37AB29315D78"));
	/* argon2 under 8 bytes of salt: libargon2 refuses it (Go's does not;
	 * Gitea never made such salts) */
	ck_assert_int_eq(hash_verify_ctx(&(struct hash_ctx){ .salt = GT_SALT_HEX },
					 "argon2$2$65536$8$50$" GT_ARGON2_HEX, GT_PW), HASH_UNUSABLE);
	/* bcrypt ignores the salt column */
	ck_assert_int_eq(hash_verify_ctx(&(struct hash_ctx){ 0 }, "bcrypt$" GT_BCRYPT_OLD, GT_PW),
			 HASH_MATCH);
}
END_TEST

static const char *const malformed[] = {
	/* Nextcloud: a version it never wrote, no '|', no known hash after it */
	"4|$2a$05$ezAE0dkwk57jlfo6z5Pql.gcIK3ReXT15W7ITNxVS0ksfhO/4E4Kq",
	"|$2a$05$ezAE0dkwk57jlfo6z5Pql.gcIK3ReXT15W7ITNxVS0ksfhO/4E4Kq",
	"1|", "1|newhash", "1|2|3|4", "11|$2a$05$ezAE0dkwk57jlfo6z5Pql.gcIK3ReXT15W7ITNxVS0ksfhO/4E4Kq",
	/* Gitea: hex of another length, a parameter missing, a leading zero,
	 * a zero, upper case, an unknown hasher, bcrypt cut short */
	"pbkdf2$10000$49$" GT_PBKDF2_HEX,
	"pbkdf2$10000$" GT_PBKDF2_HEX,
	"pbkdf2$010000$50$" GT_PBKDF2_HEX,
	"scrypt$0$16$2$50$" GT_SCRYPT_HEX,
	"argon2$2$65536$8$" GT_ARGON2_HEX,
	"pbkdf2$" GT_PBKDF2_HEX "0",
	"pbkdf2$", "pbkdf2$$", "argon2$2$65536$8$50$",
	"sha256$" GT_PBKDF2_HEX,
	"bcrypt$$2a$10$fjtm8BsQ2crym01/piJroenO3oSVUBhSLKaGdTYJ4tG0ePVCr",
	"bcrypt$x$$2a$10$fjtm8BsQ2crym01/piJroenO3oSVUBhSLKaGdTYJ4tG0ePVCrU0G2",
	/* Keycloak: unknown algorithm, unpadded or broken base64, a field
	 * missing or added, no iterations */
	"keycloak$pbkdf2-md5$27500$AAECAwQFBgcICQoLDA0ODw==$AlpJi7NJTNI62jcgpdyKMb5mCHhk",
	"keycloak$pbkdf2-sha256$27500$AAECAwQFBgcICQoLDA0ODw$AlpJi7NJTNI62jcgpdyKMb5mCHhk",
	"keycloak$pbkdf2-sha256$27500$AAECAwQFBgcICQoLDA0ODw==$Alp_i7NJTNI62jcgpdyKMb5mCHhk",
	"keycloak$pbkdf2-sha256$27500$AAECAwQFBgcICQoLDA0ODw==",
	"keycloak$pbkdf2-sha256$27500$AAECAwQFBgcICQoLDA0ODw==$AlpJi7NJTNI62jcgpdyKMb5mCHhk$x",
	"keycloak$pbkdf2-sha256$0$AAECAwQFBgcICQoLDA0ODw==$AlpJi7NJTNI62jcgpdyKMb5mCHhk",
	"keycloak$pbkdf2-sha256$$AAECAwQFBgcICQoLDA0ODw==$AlpJi7NJTNI62jcgpdyKMb5mCHhk",
	"keycloak$", "keycloak$$$$",
};

#define NMALFORMED (sizeof(malformed) / sizeof(malformed[0]))

START_TEST(test_malformed_never_matches)
{
	const struct hash_ctx ctx = { .salt = GT_SALT_HEX };
	char explain[200];

	ck_assert_int_ne(hash_verify_ctx(&ctx, malformed[_i], GT_PW), HASH_MATCH);
	ck_assert_int_ne(hash_verify_ctx(&ctx, malformed[_i], KC_PW), HASH_MATCH);
	ck_assert_int_ne(hash_verify_ctx(&ctx, malformed[_i], "password"), HASH_MATCH);
	ck_assert_int_ne(hash_verify_ctx(&ctx, malformed[_i], malformed[_i]), HASH_MATCH);
	hash_explain(&ctx, malformed[_i], explain, sizeof(explain));
}
END_TEST

/* Gitea's defaults fit under the default ceilings; tight ones refuse them */
START_TEST(test_ceilings)
{
	const struct hash_limits tight = { .bcrypt_cost = 14, .rounds = 1000000,
					   .iterations = 10000, .memory_kib = 1024, .passes = 4 };
	const struct hash_ctx ctx = { .salt = GT_SALT_HEX, .limits = &tight };
	const struct hash_ctx dflt = { .salt = GT_SALT_HEX };
	const char *const heavy[] = {
		"pbkdf2$320000$50$" GT_PBKDF2_HI, "argon2$2$65536$8$50$" GT_ARGON2_HEX,
		"scrypt$65536$16$2$50$" GT_SCRYPT_HEX, KC_SHA256,
	};

	for (size_t i = 0; i < sizeof(heavy) / sizeof(heavy[0]); i++) {
		const struct hash_family *f = hash_identify(heavy[i]);

		ck_assert_msg(hash_over_ceiling(&ctx, f, heavy[i], NULL, 0), "%s", heavy[i]);
		ck_assert_msg(!hash_over_ceiling(&dflt, f, heavy[i], NULL, 0), "%s", heavy[i]);
		ck_assert_int_ne(hash_verify_ctx(&ctx, heavy[i], GT_PW), HASH_MATCH);
	}
}
END_TEST

/* password_scheme = nextcloud writes what the nextcloud family reads */
START_TEST(test_write_nextcloud)
{
	char out[HASH_MAX], err[200];

	ck_assert_int_eq(hash_generate("nextcloud", 0, NC_PW, out, sizeof(out), err, sizeof(err)), 0);
	ck_assert_msg(strncmp(out, "3|$argon2id$", 12) == 0, "%s", out);
	ck_assert_str_eq(hash_identify(out)->name, "nextcloud");
	ck_assert_int_eq(hash_verify(out, NC_PW), HASH_MATCH);
	ck_assert_int_eq(hash_verify(out, "password"), HASH_MISMATCH);
	/* rehash_on_login: a version-1 bcrypt is weaker, what it writes is not */
	ck_assert(hash_weaker(&(struct hash_ctx){ 0 },
			      "1|$2a$05$ezAE0dkwk57jlfo6z5Pql.gcIK3ReXT15W7ITNxVS0ksfhO/4E4Kq",
			      "nextcloud", 0));
	ck_assert(!hash_weaker(&(struct hash_ctx){ 0 }, out, "nextcloud", 0));
	/* read-only ones */
	ck_assert_int_ne(hash_generate("gitea-argon2", 0, NC_PW, out, sizeof(out), err,
				       sizeof(err)), 0);
	ck_assert_int_ne(hash_generate("keycloak-pbkdf2", 0, NC_PW, out, sizeof(out), err,
				       sizeof(err)), 0);
}
END_TEST

/* password_scheme = keycloak-pbkdf2-sha512 / -sha256 write what Keycloak's
 * Pbkdf2PasswordHashProvider writes by default (16 bytes of salt, a 64-byte
 * key, 210000 / 27500 iterations), in the form the reader takes */
START_TEST(test_write_keycloak)
{
	static const struct {
		const char *scheme, *prefix;
	} w[] = {
		{ "keycloak-pbkdf2-sha512", "keycloak$pbkdf2-sha512$210000$" },
		{ "keycloak-pbkdf2-sha256", "keycloak$pbkdf2-sha256$27500$" },
	};
	char out[HASH_MAX], again[HASH_MAX], err[200], desc[200];
	const struct hash_ctx none = { 0 };

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		const char *salt, *value;

		ck_assert_int_eq(hash_generate(w[i].scheme, 0, KC_PW, out, sizeof(out), err,
					       sizeof(err)), 0);
		ck_assert_msg(strncmp(out, w[i].prefix, strlen(w[i].prefix)) == 0, "%s", out);
		/* salt: 16 bytes in 24 characters; value: 64 bytes in 88 */
		salt = out + strlen(w[i].prefix);
		value = strchr(salt, '$');
		ck_assert_ptr_nonnull(value);
		ck_assert_int_eq(value - salt, 24);
		ck_assert_int_eq(strlen(value + 1), 88);
		ck_assert_str_eq(hash_identify(out)->name, w[i].scheme);
		hash_identify(out)->describe(out, desc, sizeof(desc));
		ck_assert_msg(strstr(desc, "length=64 bytes salt=16 bytes") != NULL, "%s", desc);
		ck_assert_int_eq(hash_verify(out, KC_PW), HASH_MATCH);
		ck_assert_int_eq(hash_verify(out, "Keycloak p\xc3\xa4sswort"), HASH_MISMATCH);
		/* a new salt each time */
		ck_assert_int_eq(hash_generate(w[i].scheme, 0, KC_PW, again, sizeof(again), err,
					       sizeof(err)), 0);
		ck_assert_str_ne(out, again);
		ck_assert(!hash_weaker(&none, out, w[i].scheme, 0));
	}
	/* a cost is the iteration count, within bounds */
	ck_assert_int_eq(hash_generate("keycloak-pbkdf2-sha256", 30000, "x", out, sizeof(out), err,
				       sizeof(err)), 0);
	ck_assert_msg(strncmp(out, "keycloak$pbkdf2-sha256$30000$", 29) == 0, "%s", out);
	ck_assert_int_eq(hash_verify(out, "x"), HASH_MATCH);
	ck_assert_int_ne(hash_generate("keycloak-pbkdf2-sha512", 999, "x", out, sizeof(out), err,
				       sizeof(err)), 0);
	ck_assert_int_ne(hash_generate("keycloak-pbkdf2-sha512", 10000001, "x", out, sizeof(out),
				       err, sizeof(err)), 0);
	/* rehash_on_login: another algorithm, fewer iterations or a shorter
	 * key (Keycloak 24's pbkdf2-sha256 writes 32 bytes) are weaker */
	ck_assert(hash_weaker(&none, KC_SHA256, "keycloak-pbkdf2-sha512", 0));
	ck_assert(hash_weaker(&none, "keycloak$pbkdf2-sha512$100000$a2V5Y2xvYWstc2FsdC0xNg==$qPlR"
			      "/ZmISfxCR7JEaRgl+jtpnztuUSCCz377xYa+vhcoW+2knMoN3X8gfNikWj6tlxiMHEp"
			      "TDrTeLPwt/M+m+w==", "keycloak-pbkdf2-sha512", 0));
	ck_assert(hash_weaker(&none, "keycloak$pbkdf2-sha256$27500$ZGVmZ2hpamtsbW5vcHFycw==$eSAzX"
			      "L5opN2Idu0c2taQKrnbmcc82zafpMHoQzf/Jc4=", "keycloak-pbkdf2-sha256", 0));
	ck_assert(!hash_weaker(&none, KC_SHA256, "keycloak-pbkdf2-sha256", 0));
}
END_TEST

/* password_scheme = gitea-pbkdf2: what Gitea's SetPassword() writes under
 * its default pbkdf2 (pbkdf2_v2): a new 16-byte hex salt for the salt
 * column, and passwd_hash_algo '$' passwd. Python's hashlib checks the
 * written ones too (verify_written.sh). */
START_TEST(test_write_gitea)
{
	char out[HASH_MAX], salt[HASH_SALT_MAX], salt2[HASH_SALT_MAX], err[200];
	struct hash_ctx ctx = { 0 };
	const struct hash_family *f;

	/* the salt has a column of its own: the salted call only */
	ck_assert_int_ne(hash_generate("gitea-pbkdf2", 0, GT_PW, out, sizeof(out), err,
				       sizeof(err)), 0);
	ck_assert_msg(strstr(err, ":salt") != NULL, "%s", err);
	ck_assert_int_eq(hash_generate_salted("gitea-pbkdf2", 0, GT_PW, out, sizeof(out), salt,
					      sizeof(salt), err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(salt), 32);
	ck_assert_uint_eq(strspn(salt, "0123456789abcdef"), 32);
	ck_assert_msg(strncmp(out, "pbkdf2$50000$50$", 16) == 0, "%s", out);
	ck_assert_uint_eq(strlen(out), 16 + 100);
	ck_assert_uint_eq(strspn(out + 16, "0123456789abcdef"), 100);
	f = hash_identify(out);
	ck_assert(f != NULL);
	ck_assert_str_eq(f->name, "gitea-pbkdf2");
	ctx.salt = salt;
	ck_assert_int_eq(hash_verify_ctx(&ctx, out, GT_PW), HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, out, "abcdeg"), HASH_MISMATCH);
	ctx.salt = GT_SALT_HEX;
	ck_assert_int_eq(hash_verify_ctx(&ctx, out, GT_PW), HASH_MISMATCH);
	/* no salt, no match */
	ck_assert_int_ne(hash_verify(out, GT_PW), HASH_MATCH);
	/* a new salt each time */
	ck_assert_int_eq(hash_generate_salted("gitea-pbkdf2", 10000, NC_PW, out, sizeof(out),
					      salt2, sizeof(salt2), err, sizeof(err)), 0);
	ck_assert_str_ne(salt, salt2);
	ck_assert_msg(strncmp(out, "pbkdf2$10000$50$", 16) == 0, "%s", out);
	ctx.salt = salt2;
	ck_assert_int_eq(hash_verify_ctx(&ctx, out, NC_PW), HASH_MATCH);
	/* rehash_on_login: Gitea's first pbkdf2 (10000) is weaker than
	 * pbkdf2_v2; pbkdf2_hi and what it writes are not */
	ctx.salt = GT_SALT_HEX;
	ck_assert(hash_weaker(&ctx, "pbkdf2$" GT_PBKDF2_HEX, "gitea-pbkdf2", 0));
	ck_assert(!hash_weaker(&ctx, "pbkdf2$50000$50$" GT_PBKDF2_V2, "gitea-pbkdf2", 0));
	ck_assert(!hash_weaker(&ctx, "pbkdf2$320000$50$" GT_PBKDF2_HI, "gitea-pbkdf2", 0));
	ck_assert(hash_weaker(&ctx, "bcrypt$" GT_BCRYPT_OLD, "gitea-pbkdf2", 0));
	/* an iteration count Gitea's parser (and customdb's) refuses */
	ck_assert_int_ne(hash_generate_salted("gitea-pbkdf2", 10000001, GT_PW, out, sizeof(out),
					      salt, sizeof(salt), err, sizeof(err)), 0);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("hash_servers");
	TCase *tc = tcase_create("servers");

	/* a bound on a hang: scrypt at 128 MiB and argon2 at 64 MiB, several
	 * times, slower under the sanitizers */
	tcase_set_timeout(tc, 300);

	tcase_add_loop_test(tc, test_vector, 0, NVECTORS);
	tcase_add_test(tc, test_nextcloud);
	tcase_add_test(tc, test_gitea_salt);
	tcase_add_loop_test(tc, test_malformed_never_matches, 0, NMALFORMED);
	tcase_add_test(tc, test_ceilings);
	tcase_add_test(tc, test_write_nextcloud);
	tcase_add_test(tc, test_write_keycloak);
	tcase_add_test(tc, test_write_gitea);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
