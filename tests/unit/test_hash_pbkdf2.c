/* test_hash_pbkdf2.c: the PBKDF2-world families (hash_django.c,
 * hash_passlib.c, hash_werkzeug.c, hash_aspnet.c) against vectors from the
 * original implementations.
 *
 * Where each vector comes from is said next to it. "Checked here" means the
 * original implementation, run on the development machine (Debian 12),
 * accepted it with that password and refused password + "x":
 * Django 3.2.25 (python3-django) with python3-bcrypt 3.2.2 and python3-argon2
 * 21.1 (argon2-cffi); passlib 1.7.4 (python3-passlib); Werkzeug 2.2.2
 * (python3-werkzeug) and Werkzeug 3.1.3 (Debian 13's python3-werkzeug, its
 * security.py run from the unpacked .deb). The ASP.NET Membership vectors were
 * made with EncodePassword copied verbatim from the .NET reference source
 * (System.Web/Security/SQLMembershipProvider.cs) and run on Mono 6.8
 * (mono-mcs), whose Rfc2898DeriveBytes also reproduces the Identity test
 * suite's own vectors. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

struct vector {
	const char *family;
	const char *stored;
	const char *password;
	const char *salt;   /* the salt column (Membership), or NULL */
	bool slow;          /* production cost: only the right password (the same
			     * form at a lower cost has the other tests) */
};

/* Passwords the vectors share. */
#define PW_UMLAUT "p\xc3\xa4ssw\xc3\xb6rd"                       /* pässwörd */
#define PW_LETMEIN "l\xc3\xa8tmein"                              /* lètmein */
#define PW_TABLE "t\xc3\xa1\xd0\x91\xe2\x84\x93\xc9\x99"         /* táБℓə */
#define PW_WAV "\xce\x99\xcf\x89\xce\xb1\xce\xbd\xce\xbd\xce\xb7\xcf\x82"  /* Ιωαννης */
#define PW_ABC72 "abc123abc123abc123abc123abc123abc123abc123abc123abc123abc123abc123abc123"
#define PW_EMOJI "emoji \xf0\x9f\x98\x80!"                      /* emoji U+1F600 ! */

#define MS_SALT16 "9Ch4bC6XK5e4kMnFxb7P5Q=="
#define MS_SALT4 "c2FsdA=="
#define MS_SALT72 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1" \
		  "Njc4OTo7PD0+P0BBQkNERUZH"

static const struct vector vectors[] = {
	/* --- Django ------------------------------------------------------- */
	/* Django 6.0's tests/auth_tests/test_hashers.py test_pbkdf2 (as also
	 * mirrored by the djangohashers crate); checked here. */
	{ "django-pbkdf2-sha256",
	  "pbkdf2_sha256$1200000$seasalt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=", PW_LETMEIN,
	  NULL, true },
	/* Django 3.2's own make_password('lètmein', 'seasalt', 'pbkdf2_sha256'),
	 * the value of its test suite at 260000 iterations; made here. */
	{ "django-pbkdf2-sha256",
	  "pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=", PW_LETMEIN,
	  NULL, true },
	/* passlib's test_handlers_django.py, "generated via django 1.4 hasher";
	 * checked here. */
	{ "django-pbkdf2-sha256",
	  "pbkdf2_sha256$10000$kjVJaVz6qsnJ$5yPHw3rwJGECpUf70daLGhOrQ5+AMxIJdz1c3bqK1Rs=",
	  "not a password", NULL, false },
	{ "django-pbkdf2-sha256",
	  "pbkdf2_sha256$10000$bEwAfNrH1TlQ$OgYUblFNUX1B8GfMqaCYUK/iHyO0pa7STTDdaEJBuY0=", PW_TABLE,
	  NULL, false },
	/* made here: PBKDF2PasswordHasher().encode(pw, salt, iterations) */
	{ "django-pbkdf2-sha256",
	  "pbkdf2_sha256$1000$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM=",
	  PW_UMLAUT, NULL, false },
	{ "django-pbkdf2-sha256",
	  "pbkdf2_sha256$20000$seasalt2$Ezzz3YijroCARgvtaxqYFAI407Zk0n3AcvY8i99kytQ=", "password",
	  NULL, false },
	/* passlib's test_handlers_django.py (Django 1.4); checked here */
	{ "django-pbkdf2-sha1", "pbkdf2_sha1$10000$wz5B6WkasRoF$atJmJ1o+XfJxKq1+Nu1f1i57Z5I=",
	  "not a password", NULL, false },
	{ "django-pbkdf2-sha1", "pbkdf2_sha1$10000$KZKWwvqb8BfL$rw5pWsxJEU4JrZAQhHTCO+u0f5Y=",
	  PW_TABLE, NULL, false },
	/* made here: PBKDF2SHA1PasswordHasher().encode(pw, salt, 1000) */
	{ "django-pbkdf2-sha1", "pbkdf2_sha1$1000$Qx7Rb2LmZ9aK4tVw1cHn0e$/k/bU+83dJUs0gdXKXYG7i7jwmw=",
	  PW_UMLAUT, NULL, false },
	/* passlib's test_handlers_django.py, "generated via django 1.6
	 * hasher", $2a$; checked here. The two 75-character passwords share
	 * their first 72 bytes: bcrypt alone could not tell them apart. */
	{ "django-bcrypt-sha256",
	  "bcrypt_sha256$$2a$08$NDjSAIcas.EcoxCRiArvT.MkNiPYVhrsrnJsRkLueZOoV1bsQqlmC", PW_LETMEIN,
	  NULL, false },
	{ "django-bcrypt-sha256",
	  "bcrypt_sha256$$2a$06$kCXUnRFQptGg491siDKNTu8RxjBGSjALHRuvhPYNFsa4Ea5d9M48u", PW_TABLE,
	  NULL, false },
	{ "django-bcrypt-sha256",
	  "bcrypt_sha256$$2a$06$Tg/oYyZTyAf.Nb3qSgN61OySmyXA8FoY4PjGizjE1QSDfuL5MXNni", PW_ABC72,
	  NULL, false },
	{ "django-bcrypt-sha256",
	  "bcrypt_sha256$$2a$06$Tg/oYyZTyAf.Nb3qSgN61Ocy0BEz1RK6xslSNi8PlaLX2pe7x/KQG",
	  PW_ABC72 "qwr", NULL, false },
	/* made here: BCryptSHA256PasswordHasher().encode(pw, bcrypt.gensalt(5)), $2b$ */
	{ "django-bcrypt-sha256",
	  "bcrypt_sha256$$2b$05$muSiO38IU/T6ajA6VfToKuATknJ8N2mj7bYYP4OlCsEce7cxIVx2.", PW_UMLAUT,
	  NULL, false },
	/* passlib's test_handlers_django.py: argon2i, the last "generated
	 * from django 1.10.3"; checked here. */
	{ "django-argon2", "argon2$argon2i$v=19$m=256,t=1,p=1$c29tZXNhbHQ$AJFIsNZTMKTAewB4+ETN1A",
	  "password", NULL, false },
	{ "django-argon2", "argon2$argon2i$v=19$m=380,t=2,p=2$c29tZXNhbHQ$SrssP8n7m/12VWPM8dvNrw",
	  "password", NULL, false },
	{ "django-argon2",
	  "argon2$argon2i$v=19$m=512,t=2,p=2$V25jN1l4UUJZWkR1$MxpA1BD2Gh7+D79gaAw6sQ", PW_LETMEIN,
	  NULL, false },
	/* made here: Argon2PasswordHasher().encode(pw, salt), argon2id with
	 * Django 3.2's defaults (m=102400 t=2 p=8), then m=512 t=1 (p 8, 1) */
	{ "django-argon2",
	  "argon2$argon2id$v=19$m=102400,t=2,p=8$UXg3UmIyTG1aOWFLNHRWdzFjSG4wZQ$7S63Rz48Eybt0Zla9Weqzg",
	  PW_UMLAUT, NULL, true },
	{ "django-argon2",
	  "argon2$argon2id$v=19$m=512,t=1,p=8$UXg3UmIyTG1aOWFLNHRWdzFjSG4wZQ$ofF1nLoYztDDkOm8YEDdpw",
	  PW_UMLAUT, NULL, false },
	{ "django-argon2",
	  "argon2$argon2id$v=19$m=512,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$//uyCSy1dybVfk4uTW2N9w",
	  "password", NULL, false },

	/* --- passlib ------------------------------------------------------ */
	/* passlib's test_handlers_pbkdf2.py known_correct_hashes; checked here */
	{ "passlib-pbkdf2-sha1", "$pbkdf2$1212$OB.dtnSEXZK8U5cgxU/GYQ$y5LKPOplRmok7CZp/aqVDVg8zGI",
	  "password", NULL, false },
	{ "passlib-pbkdf2-sha1", "$pbkdf2$1212$THDqatpidANpadlLeTeOEg$HV3oi1k5C5LQCgG1BMOL.BX4YZc",
	  PW_WAV, NULL, false },
	{ "passlib-pbkdf2-sha256",
	  "$pbkdf2-sha256$1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ",
	  "password", NULL, false },
	{ "passlib-pbkdf2-sha256",
	  "$pbkdf2-sha256$1212$3SABFJGDtyhrQMVt1uABPw$WyaUoqCLgvz97s523nF4iuOqZNbp5Nt8do/cuaa7AiI",
	  PW_WAV, NULL, false },
	{ "passlib-pbkdf2-sha512",
	  "$pbkdf2-sha512$1212$RHY0Fr3IDMSVO/RSZyb5ow$eNLfBK.eVozomMr.1gYa17k9B7KIK25NOEshvhrSX.esqY3s."
	  "FvWZViXz4KoLlQI.BzY/YTNJOiKc5gBYFYGww", "password", NULL, false },
	{ "passlib-pbkdf2-sha512",
	  "$pbkdf2-sha512$1212$KkbvoKGsAIcF8IslDR6skQ$8be/PRmd88Ps8fmPowCJttH9G3vgxpG.Krjt3KT.NP6cKJ0V4"
	  "Prarqf.HBwz0dCkJ6xgWnSj2ynXSV7MlvMa8Q", PW_WAV, NULL, false },
	/* made here: pbkdf2_sha256.using(rounds=29000 (its default), salt=...) */
	{ "passlib-pbkdf2-sha256",
	  "$pbkdf2-sha256$29000$MDEyMzQ1Njc4OWFiY2RlZg$Qsks9xnQU3.5tpf8E8O/gZaTmOx.jhmgYvR2J6qnTs4",
	  PW_UMLAUT, NULL, false },
	/* passlib's test_handlers_scrypt.py: the scrypt paper's vectors
	 * (appendix B) in passlib's format, then its custom ones; checked here */
	{ "passlib-scrypt", "$scrypt$ln=10,r=8,p=16$TmFDbA$/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWI",
	  "password", NULL, false },
	{ "passlib-scrypt",
	  "$scrypt$ln=14,r=8,p=1$U29kaXVtQ2hsb3JpZGU$cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofI",
	  "pleaseletmein", NULL, true },
	{ "passlib-scrypt",
	  "$scrypt$ln=8,r=8,p=1$wlhLyXmP8b53bm1NKYVQqg$mTpvG8lzuuDk+DWz8HZIB6Vum6erDuUm0As5yU+VxWA",
	  "test", NULL, false },
	{ "passlib-scrypt",
	  "$scrypt$ln=8,r=2,p=1$dO6d0xoDoLT2PofQGoNQag$g/Wf2A0vhHhaJM+addK61QPBthSmYB6uVTtQzh8CM3o",
	  "password", NULL, false },
	{ "passlib-scrypt",
	  "$scrypt$ln=7,r=8,p=1$jjGmtDamdA4BQAjBeA9BSA$OiWRHhQtpDx7M/793x6UXK14AD512jg/qNm/hkWZG4M",
	  PW_TABLE, NULL, false },
	{ "passlib-scrypt",
	  "$scrypt$ln=1,r=4,p=2$yhnD+J+Tci4lZCwFgHCuVQ$fAsEWmxSHuC0cHKMwKVFPzrQukgvK09Sj+NueTSxKds",
	  "nacl", NULL, false },
	/* made here: scrypt.using(rounds=16).hash(pw): passlib's default cost */
	{ "passlib-scrypt",
	  "$scrypt$ln=16,r=8,p=1$G6O0lpKS0lrLuVfqvVdKKQ$8Che7xokzWnkWHHwlMJ5KQbxnAa5aEKAD++98ncmVn0",
	  PW_UMLAUT, NULL, true },

	/* --- Werkzeug ----------------------------------------------------- */
	/* made here with Werkzeug 2.2.2: generate_password_hash(pw, method) */
	{ "werkzeug-pbkdf2",
	  "pbkdf2:sha256:260000$BjFuwy8m8A0EguRn$c4e86731f8d4d283f684f729f89fb02eeddcd7f40a200bc78c3"
	  "f7ec3e67c783a", PW_UMLAUT, NULL, true },
	{ "werkzeug-pbkdf2", "pbkdf2:sha1:1000$fLwop1pT$21e8cefa8d702f8a1af28d918aaa59ae5b22c525",
	  "password", NULL, false },
	{ "werkzeug-pbkdf2",
	  "pbkdf2:sha512:2000$bpIUeitNRaNCr0Pb$fa557454bd1d7bbf665afa48b6415314ead4956fe5fe3afd40d93"
	  "56da6f6938c0cb2abd45e7fcacd19b4d537d386eff8a60711f1eb0bf8af6193431f4663ed36", PW_UMLAUT,
	  NULL, false },
	{ "werkzeug-pbkdf2",
	  "pbkdf2:sha256:1000$EmsvglDF$edc7a9ab763b7ae39d4f633f460bec61c9043c1afd5c277470d6d4603f979a7d",
	  "password", NULL, false },
	{ "werkzeug-pbkdf2", "pbkdf2:md5:1000$tcDlBP3a$ff456cfc20b6051604e51c646fa27e50", PW_UMLAUT,
	  NULL, false },
	{ "werkzeug-pbkdf2",
	  "pbkdf2:sha384:1000$xies2lqn$1c14ab35e25cf41c2bf68aa26443aec17fa453f338eceba512ac422f2deae4"
	  "e6370f7d01bfb16a63631a1b11212396a0", "password", NULL, false },
	/* made here with Werkzeug 3.1.3: "pbkdf2" (its default count, 1000000),
	 * pbkdf2:sha512:1000 */
	{ "werkzeug-pbkdf2",
	  "pbkdf2:sha256:1000000$SXvHpjHzVByVBwjZ$45732fa5b17c6ae5068839494c9aa4fa13bbdd385fa69a858b9"
	  "532751cdbe0cc", "password", NULL, true },
	{ "werkzeug-pbkdf2",
	  "pbkdf2:sha512:1000$f0sv8lEQENljN2pZ$14895a853c340b8fd2234155447f1b526b67feaef00a279d961765"
	  "bd6d3beecd3e87131e2df2957013949e84de3da3d3ea48f2eb86fb2f8a6693064e6ac3be34", PW_UMLAUT,
	  NULL, false },
	/* made here with Werkzeug 3.1.3: "scrypt" (its default, 32768:8:1),
	 * scrypt:1024:8:1, scrypt:16384:8:2 */
	{ "werkzeug-scrypt",
	  "scrypt:32768:8:1$3JOyJykdiJzrjQN8$af319c1f43eda6bae23c4c03f5bce5a44753d671015a309ded5eae1"
	  "118189ebb08ae2a80cc42f48c73cdb7680d04388be15cd59db78a0e82f324fb73985c1d26", PW_UMLAUT, NULL,
	  true },
	{ "werkzeug-scrypt",
	  "scrypt:1024:8:1$ph6hhKI7TvmpWujo$dd3173d239cff37b97067f24da7b2d4b485dcab669c52c372da54014"
	  "51087902a2dc9ad4718b21f13f19eb683fb427358b4d1150056850d15751c5299e993130", "password", NULL,
	  false },
	{ "werkzeug-scrypt",
	  "scrypt:16384:8:2$MRdVyqdg43Lj2a3x$39cf338c0e02802a3b017871cf8b9dcf7cffcbf3cd1b64fc9353fca"
	  "2123fec6ae379694c99bf1fdbce1e52bd117cfa8db73f41fd817aff858d3860dd7f7d8a62", PW_UMLAUT, NULL,
	  true },

	/* --- ASP.NET Identity --------------------------------------------- */
	/* ASP.NET Core's src/Identity/test/Identity.Test/PasswordHasherTest.cs,
	 * password "my password" (salt 00 01 02 ... from its counting RNG) */
	{ "aspnet-identity-v2", "AAABAgMEBQYHCAkKCwwNDg+ukCEMDf0yyQ29NYubggHIVY0sdEUfdyeM+E1LtH1uJg==",
	  "my password", NULL, false },
	{ "aspnet-identity-v3", "AQAAAAAAAAD6AAAAEAhftMyfTJylOlZT+eEotFXd1elee8ih5WsjXaR3PA9M",
	  "my password", NULL, false },
	{ "aspnet-identity-v3",
	  "AQAAAAEAA9CQAAAAIESkQuj2Du8Y+kbc5lcN/W/3NiAZFEm11P27nrSN5/tId+bR1SwV8CO1Jd72r4C08OLvplNl"
	  "CDc3oQZ8efcW+jQ=", "my password", NULL, true },
	{ "aspnet-identity-v3", "AQAAAAIAAAAyAAAAEOMwvh3+FZxqkdMBz2ekgGhwQ4B6pZWND6zgESBuWiHw",
	  "my password", NULL, false },
	{ "aspnet-identity-v3",
	  "AQAAAAIAAAD6AAAAIJbVi5wbMR+htSfFp8fTw8N8GOS/Sje+S/4YZcgBfU7EQuqv4OkVYmc4VJl9AGZzmRTxSkP7"
	  "LtVi9IWyUxX8IAAfZ8v+ZfhjCcudtC1YERSqE1OEdXLW9VukPuJWBBjLuw==", "my password", NULL, false },
	{ "aspnet-identity-v3",
	  "AQAAAAIAACcQAAAAEAABAgMEBQYHCAkKCwwNDg9B0Oxwty+PGIDSp95gcCfzeDvA4sGapUIUov8usXfD6A==",
	  "my password", NULL, false },
	{ "aspnet-identity-v3",
	  "AQAAAAIAAYagAAAAEAABAgMEBQYHCAkKCwwNDg/Q8A0WMKbtHQJQ2DHCdoEeeFBrgNlldq6vH4qX/CGqGQ==",
	  "my password", NULL, true },
	/* made here with Mono's Rfc2898DeriveBytes (UTF-8 of the password) in
	 * the v2 / v3 layout; salt a0..af */
	{ "aspnet-identity-v2", "AKChoqOkpaanqKmqq6ytrq97rydM0Hysem6Hmy9xb2Kc3Uvl6KpxfPs8jtmE+q6EyA==",
	  PW_UMLAUT, NULL, false },
	{ "aspnet-identity-v3",
	  "AQAAAAEAACcQAAAAEKChoqOkpaanqKmqq6ytrq+k+euDF0cr1H8zy2DgtLYoV00EMQnnfAGgAMWlWCwftA==",
	  PW_UMLAUT, NULL, false },
	{ "aspnet-identity-v3",
	  "AQAAAAIAAAPoAAAAEKChoqOkpaanqKmqq6ytrq80QagHKzsTu7Ju68HEAoelz/t0Bc1Lu+i1/xYT7HCQyA==",
	  PW_UMLAUT, NULL, false },

	/* --- ASP.NET Membership (salt column) ----------------------------- */
	/* made here: the reference source's EncodePassword (Mono), with a
	 * 16-byte salt (what the provider makes), 4 bytes (key repeated 16
	 * times) and 72 bytes (HMAC key cut to 64) */
	{ "aspnet-membership-sha1", "j2cN/H1/pniwc+HallVpcMdeh0I=", "password", MS_SALT16, false },
	{ "aspnet-membership-sha1", "D3Tj4wy30JTlFH6otA+fvJMzH64=", PW_UMLAUT, MS_SALT16, false },
	{ "aspnet-membership-sha1", "DcHpYnJlFLPbBVpIYWb76tzFPSI=", PW_EMOJI, MS_SALT16, false },
	{ "aspnet-membership-sha1", "WX9vUB5wiTmEjQWrEKnmryOcro4=", PW_UMLAUT, MS_SALT4, false },
	{ "aspnet-membership-sha1", "nRv63zllNaXSiI2F503Jfc3Wfrc=", PW_UMLAUT, MS_SALT72, false },
	{ "aspnet-membership-hmacsha256", "EF6mtZFHdJxexs/R2h34/1JLmj38P2IjpwavUXu6KiQ=", "password",
	  MS_SALT16, false },
	{ "aspnet-membership-hmacsha256", "k1K+beNfRyuSNHpMftgH4KFgYJWkGiRIgklOhWO5ZFM=", PW_UMLAUT,
	  MS_SALT16, false },
	{ "aspnet-membership-hmacsha256", "fwQqn74LMusFqeOdPjdTVzvPssFBb96aCFaarUyXUOM=", PW_EMOJI,
	  MS_SALT16, false },
	{ "aspnet-membership-hmacsha256", "VVNjlaiXEepihdnhidyoVGeKXVRHgcDmoOdTOMzMpmw=", "password",
	  MS_SALT4, false },
	{ "aspnet-membership-hmacsha256", "1KkA9m0koQWtvHTGuV5OzZ962XuSCbbTMvoE6MSzfbg=", PW_UMLAUT,
	  MS_SALT72, false },
};

#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

/* The Membership families are by name only: a vector with a salt names its
 * family in password_scheme_read, as its configuration would. */
static struct hash_ctx vector_ctx(const struct vector *v)
{
	struct hash_ctx ctx = { .salt = v->salt };

	if (v->salt != NULL)
		ctx.scheme_read = v->family;
	return ctx;
}

static int verify(const struct vector *v, const char *stored, const char *password)
{
	const struct hash_ctx ctx = vector_ctx(v);

	return hash_verify_ctx(&ctx, stored, password);
}

START_TEST(test_identify)
{
	const struct vector *v = &vectors[_i];
	const struct hash_ctx ctx = vector_ctx(v);
	const struct hash_family *f = hash_identify_ctx(&ctx, v->stored);
	char desc[256] = "";

	ck_assert_msg(f != NULL, "%s not identified", v->stored);
	ck_assert(f->by_name_only == (v->salt != NULL));
	if (f->by_name_only)
		ck_assert_ptr_null(hash_identify(v->stored));
	ck_assert_str_eq(f->name, v->family);
	ck_assert(f == hash_family_by_name(v->family));
	ck_assert_ptr_nonnull(f->origin);
	ck_assert_ptr_nonnull(f->describe);
	f->describe(v->stored, desc, sizeof(desc));
	ck_assert_msg(desc[0] != '\0' && strncmp(desc, "malformed", 9) != 0, "%s: %s", v->stored,
		      desc);
}
END_TEST

START_TEST(test_right_password)
{
	const struct vector *v = &vectors[_i];

	ck_assert_msg(verify(v, v->stored, v->password) == HASH_MATCH, "%s", v->stored);
}
END_TEST

START_TEST(test_wrong_password)
{
	const struct vector *v = &vectors[_i];
	char *pw = strdup(v->password);
	size_t n = strlen(pw);
	char longer[256];

	ck_assert_ptr_nonnull(pw);
	if (!v->slow) {
		snprintf(longer, sizeof(longer), "%s!", pw);
		ck_assert_int_eq(verify(v, v->stored, longer), HASH_MISMATCH);
		pw[0] ^= 1;
		ck_assert_int_eq(verify(v, v->stored, pw), HASH_MISMATCH);
		pw[0] ^= 1;
		pw[n - 1] ^= 1;
		ck_assert_int_eq(verify(v, v->stored, pw), HASH_MISMATCH);
		pw[n - 1] ^= 1;
		pw[n - 1] = '\0';
		ck_assert_int_eq(verify(v, v->stored, pw), HASH_MISMATCH);
		ck_assert_int_eq(verify(v, v->stored, "wrong"), HASH_MISMATCH);
		ck_assert_int_ne(verify(v, v->stored, ""), HASH_MATCH);
		ck_assert_int_ne(verify(v, v->stored, NULL), HASH_MATCH);
	}
	free(pw);
}
END_TEST

/* Every prefix of every vector: never a match. Our parsers know the length
 * of every hash part, so a cut string is HASH_UNUSABLE; the exceptions are
 * the forms handed to another library whole (argon2, bcrypt), prefixes that
 * happen to have another family's form (13 characters: DES), and Identity
 * v3, whose subkey is "the rest": cut at a base64 quantum with 16 bytes or
 * more left, it is a shorter PBKDF2 output, which Identity itself accepts
 * with the right password (never with a wrong one). */
START_TEST(test_truncated)
{
	const struct vector *v = &vectors[_i];
	const struct hash_ctx ctx = vector_ctx(v);
	bool exact = strcmp(v->family, "django-argon2") != 0 &&
		     strcmp(v->family, "django-bcrypt-sha256") != 0;
	bool v3 = strcmp(v->family, "aspnet-identity-v3") == 0;
	const struct hash_family *f;
	size_t n = strlen(v->stored), cut;
	char buf[512];
	int rc;

	if (v->slow)
		return;
	ck_assert_uint_lt(n, sizeof(buf));
	for (cut = 0; cut < n; cut++) {
		memcpy(buf, v->stored, cut);
		buf[cut] = '\0';
		rc = verify(v, buf, v->password);
		f = hash_identify_ctx(&ctx, buf);
		if (v3 && f != NULL && strcmp(f->name, "aspnet-identity-v3") == 0) {
			ck_assert_int_ne(verify(v, buf, "wrong"), HASH_MATCH);
			continue;
		}
		ck_assert_msg(rc == HASH_UNUSABLE ||
				      (rc == HASH_MISMATCH &&
				       (!exact || (f != NULL && strcmp(f->name, v->family) != 0))),
			      "%s: %d", buf, rc);
	}
}
END_TEST

/* One character of the hash part changed: never a match. */
START_TEST(test_tampered)
{
	const struct vector *v = &vectors[_i];
	char buf[512];
	size_t n = strlen(v->stored), i;
	int rc;

	if (v->slow)
		return;
	ck_assert_uint_lt(n, sizeof(buf));
	for (i = n - 6; i < n - 2; i++) {
		memcpy(buf, v->stored, n + 1);
		buf[i] = buf[i] == 'A' ? 'B' : 'A';
		rc = verify(v, buf, v->password);
		ck_assert_msg(rc == HASH_MISMATCH || rc == HASH_UNUSABLE, "%s: %d", buf, rc);
	}
	/* one character more */
	memcpy(buf, v->stored, n);
	memcpy(buf + n, "A", 2);
	ck_assert_int_ne(verify(v, buf, v->password), HASH_MATCH);
}
END_TEST

/* Strings with one of our prefixes or forms that no original accepts, or
 * that ask for absurd work: HASH_UNUSABLE, at once. */
START_TEST(test_malformed)
{
	static const char *const bad[] = {
		/* Django pbkdf2 */
		"pbkdf2_sha256$", "pbkdf2_sha256$$", "pbkdf2_sha256$$$",
		"pbkdf2_sha256$1000$Qx7Rb2LmZ9aK4tVw1cHn0e",
		"pbkdf2_sha256$1000$Qx7Rb2LmZ9aK4tVw1cHn0e$",
		"pbkdf2_sha256$$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM=",
		"pbkdf2_sha256$0$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM=",
		"pbkdf2_sha256$01000$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM=",
		"pbkdf2_sha256$+1000$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM=",
		"pbkdf2_sha256$-1000$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM=",
		"pbkdf2_sha256$ 1000$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM=",
		"pbkdf2_sha256$10000001$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM=",
		"pbkdf2_sha256$99999999999999999999$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6S"
		"uumU84YMPY07JM=",
		"pbkdf2_sha256$1000$$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM=",
		"pbkdf2_sha256$1000$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM",
		"pbkdf2_sha256$1000$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JN=",
		"pbkdf2_sha256$1000$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM==",
		"pbkdf2_sha256$1000$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM=\n",
		"pbkdf2_sha256$1000$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07J$=",
		"pbkdf2_sha256$1000$Qx7Rb\n$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM=",
		"pbkdf2_sha1$1000$Qx7Rb2LmZ9aK4tVw1cHn0e$autBr1OZlwq8rxTZ6c8VSP3LzND6SuumU84YMPY07JM=",
		"pbkdf2_sha1$1000$Qx7Rb2LmZ9aK4tVw1cHn0e$/k/bU+83dJUs0gdXKXYG7i7jwmw",
		/* Django bcrypt_sha256 and argon2 */
		"bcrypt_sha256$", "bcrypt_sha256$$", "bcrypt_sha256$$2b$05$muSiO38IU/T6ajA6VfToKu",
		"bcrypt_sha256$xyz$2a$06$/3OeRpbOf8/l6nPPRdZPp.nRiyYqPobEZGdNRBWihQhiFDh1ws1tu",
		"bcrypt_sha256$$2x$05$muSiO38IU/T6ajA6VfToKuATknJ8N2mj7bYYP4OlCsEce7cxIVx2.",
		"bcrypt_sha256$$2b$35$muSiO38IU/T6ajA6VfToKuATknJ8N2mj7bYYP4OlCsEce7cxIVx2.",
		"bcrypt_sha256$$1$saltsalt$C8Fi.2nRpjlf7M4Ruxjqp1",
		"argon2$", "argon2$argon2id$", "argon2$$argon2id$v=19$m=512,t=1,p=1$c29tZXNhbHQ$abcd",
		"argon2$argon2d$v=19$m=512,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$//uyCSy1dybVfk4uTW2N9w",
		"argon2$argon2id$v=19$m=512,t=1,p=0$c29tZXNhbHRzb21lc2FsdA$//uyCSy1dybVfk4uTW2N9w",
		"argon2$argon2id$v=19$m=512,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$",
		"argon2$argon2id$v=19$m=99999999,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$//uyCSy1dybVfk4uTW2N9w",
		"argon2$argon2i$v=19$m=256,t=1000,p=1$c29tZXNhbHQ$AJFIsNZTMKTAewB4+ETN1A",
		/* passlib pbkdf2: its own known_malformed_hashes first */
		"$pbkdf2$01212$THDqatpidANpadlLeTeOEg$HV3oi1k5C5LQCgG1BMOL.BX4YZc",
		"$pbkdf2$$THDqatpidANpadlLeTeOEg$HV3oi1k5C5LQCgG1BMOL.BX4YZc",
		"$pbkdf2$1212$THDqatpidANpadlLeTeOEg$HV3oi1k5C5LQCgG1BMOL.BX4YZc$",
		"$pbkdf2$0$THDqatpidANpadlLeTeOEg$HV3oi1k5C5LQCgG1BMOL.BX4YZc",
		"$pbkdf2$10000001$THDqatpidANpadlLeTeOEg$HV3oi1k5C5LQCgG1BMOL.BX4YZc",
		"$pbkdf2$1212$THDqatpidANpadlLeTeOEg", "$pbkdf2$1212$THDqatpidANpadlLeTeOEg$",
		"$pbkdf2$1212$THDqatpidANpadlLeTeOEg$HV3oi1k5C5LQCgG1BMOL.BX4YZ",
		"$pbkdf2$1212$THDqatpidANpadlLeTeOEg$HV3oi1k5C5LQCgG1BMOL.BX4YZcc",
		"$pbkdf2$1212$THDqatpidANpadlLeTeOE$HV3oi1k5C5LQCgG1BMOL.BX4YZc",
		"$pbkdf2$1212$THDqatpidANpadlLeTeOEg$HV3oi1k5C5LQCgG1BMOL!BX4YZc",
		"$pbkdf2-sha256$1212$4vjV83LKPjQzk31VI4E0Vw$HV3oi1k5C5LQCgG1BMOL.BX4YZc",
		"$pbkdf2-sha512$1212$RHY0Fr3IDMSVO/RSZyb5ow$eNLfBK.eVozomMr.1gYa1",
		/* passlib scrypt: its known_malformed_hashes, then costs */
		"$scrypt$ln=10,r=1$wvif8/4fg1Cq9V7L2dv73w$bJcLia1lyfQ1X2x0xflehwVXPzWIUQWWdnlGwfVzBeQ",
		"$scrypt$ln=0,r=1,p=1$wvif8/4fg1Cq9V7L2dv73w$bJcLia1lyfQ1X2x0xflehwVXPzWIUQWWdnlGwfVzBeQ",
		"$scrypt$ln=10,r=A,p=1$wvif8/4fg1Cq9V7L2dv73w$bJcLia1lyfQ1X2x0xflehwVXPzWIUQWWdnlGwfVzBeQ",
		"$scrypt$ln=10,r=134217728,p=8$wvif8/4fg1Cq9V7L2dv73w$bJcLia1lyfQ1X2x0xflehwVXPzWIUQWWdnl"
		"GwfVzBeQ",
		"$scrypt$ln=21,r=8,p=1$wlhLyXmP8b53bm1NKYVQqg$mTpvG8lzuuDk+DWz8HZIB6Vum6erDuUm0As5yU+VxWA",
		"$scrypt$ln=20,r=16,p=1$wlhLyXmP8b53bm1NKYVQqg$mTpvG8lzuuDk+DWz8HZIB6Vum6erDuUm0As5yU+VxWA",
		"$scrypt$ln=31,r=8,p=1$wlhLyXmP8b53bm1NKYVQqg$mTpvG8lzuuDk+DWz8HZIB6Vum6erDuUm0As5yU+VxWA",
		"$scrypt$ln=16,r=8,p=64$wlhLyXmP8b53bm1NKYVQqg$mTpvG8lzuuDk+DWz8HZIB6Vum6erDuUm0As5yU+VxWA",
		"$scrypt$ln=20,r=8,p=16$wlhLyXmP8b53bm1NKYVQqg$mTpvG8lzuuDk+DWz8HZIB6Vum6erDuUm0As5yU+VxWA",
		"$scrypt$ln=8,r=8,p=0$wlhLyXmP8b53bm1NKYVQqg$mTpvG8lzuuDk+DWz8HZIB6Vum6erDuUm0As5yU+VxWA",
		"$scrypt$ln=17,r=1,p=1$wlhLyXmP8b53bm1NKYVQqg$mTpvG8lzuuDk+DWz8HZIB6Vum6erDuUm0As5yU+VxWA",
		"$scrypt$ln=8,r=8,p=1$wlhLyXmP8b53bm1NKYVQqg$",
		"$scrypt$ln=8,r=8,p=1$wlhLyXmP8b53bm1NKYVQqg$mTpvG8lzuuDk+DWz8HZIB6Vum6erDuUm0As5yU+VxW",
		"$scrypt$ln=8,r=8,p=1$wlhLyXmP8b53bm1NKYVQqg$mTpvG8lzuuDk+DWz8HZIB6Vum6erDuUm0As5yU+VxWA$",
		"$scrypt$ln=8,p=1,r=8$wlhLyXmP8b53bm1NKYVQqg$mTpvG8lzuuDk+DWz8HZIB6Vum6erDuUm0As5yU+VxWA",
		"$scrypt$", "$scrypt$ln=", "$scrypt$ln=8,r=8,p=1$",
		/* Werkzeug */
		"pbkdf2:sha256$BjFuwy8m8A0EguRn$c4e86731f8d4d283f684f729f89fb02eeddcd7f40a200bc78c3f7ec3e6"
		"7c783a",
		"pbkdf2:sha256:$EmsvglDF$edc7a9ab763b7ae39d4f633f460bec61c9043c1afd5c277470d6d4603f979a7d",
		"pbkdf2:sha256:0$EmsvglDF$edc7a9ab763b7ae39d4f633f460bec61c9043c1afd5c277470d6d4603f979a7d",
		"pbkdf2:sha256:99999999$EmsvglDF$edc7a9ab763b7ae39d4f633f460bec61c9043c1afd5c277470d6d4603"
		"f979a7d",
		"pbkdf2:sha256:1000:1$EmsvglDF$edc7a9ab763b7ae39d4f633f460bec61c9043c1afd5c277470d6d4603f9"
		"79a7d",
		"pbkdf2:sha3_256:1000$EmsvglDF$edc7a9ab763b7ae39d4f633f460bec61c9043c1afd5c277470d6d46"
		"03f979a7d",
		"pbkdf2:SHA256:1000$EmsvglDF$edc7a9ab763b7ae39d4f633f460bec61c9043c1afd5c277470d6d4603f979a7d",
		"pbkdf2:sha256:1000$$edc7a9ab763b7ae39d4f633f460bec61c9043c1afd5c277470d6d4603f979a7d",
		"pbkdf2:sha256:1000$EmsvglDF$EDC7A9AB763B7AE39D4F633F460BEC61C9043C1AFD5C277470D6D4603F979A7D",
		"pbkdf2:sha256:1000$EmsvglDF$edc7a9ab763b7ae39d4f633f460bec61c9043c1afd5c277470d6d4603f979a7",
		"pbkdf2:sha256:1000$EmsvglDF$edc7a9ab763b7ae39d4f633f460bec61c9043c1afd5c277470d6d4603f979a7d0",
		"pbkdf2:sha256:1000$EmsvglDF$edc7a9ab763b7ae39d4f633f460bec61c9043c1afd5c277470d6d4603f979a$d",
		"pbkdf2:sha256:1000$EmsvglDF", "pbkdf2:sha256:1000$EmsvglDF$", "pbkdf2:$$",
		"scrypt:32768:8$3JOyJykdiJzrjQN8$af319c1f43eda6bae23c4c03f5bce5a44753d671015a309ded5eae1118"
		"189ebb08ae2a80cc42f48c73cdb7680d04388be15cd59db78a0e82f324fb73985c1d26",
		"scrypt:1000:8:1$ph6hhKI7TvmpWujo$dd3173d239cff37b97067f24da7b2d4b485dcab669c52c372da540145"
		"1087902a2dc9ad4718b21f13f19eb683fb427358b4d1150056850d15751c5299e993130",
		"scrypt:16:1:1$ph6hhKI7TvmpWujo$dd3173d239cff37b97067f24da7b2d4b485dcab669c52c372da5401451"
		"087902a2dc9ad4718b21f13f19eb683fb427358b4d1150056850d15751c5299e993130",
		"scrypt:0:8:1$ph6hhKI7TvmpWujo$dd3173d239cff37b97067f24da7b2d4b485dcab669c52c372da54014510"
		"87902a2dc9ad4718b21f13f19eb683fb427358b4d1150056850d15751c5299e993130",
		"scrypt:2097152:8:1$ph6hhKI7TvmpWujo$dd3173d239cff37b97067f24da7b2d4b485dcab669c52c372da54"
		"01451087902a2dc9ad4718b21f13f19eb683fb427358b4d1150056850d15751c5299e993130",
		"scrypt:1024:8:99999$ph6hhKI7TvmpWujo$dd3173d239cff37b97067f24da7b2d4b485dcab669c52c372da5"
		"401451087902a2dc9ad4718b21f13f19eb683fb427358b4d1150056850d15751c5299e993130",
		"scrypt:1024:8:1$ph6hhKI7TvmpWujo$dd3173d239cff37b97067f24da7b2d4b485dcab669c52c372da54014"
		"51087902a2dc9ad4718b21f13f19eb683fb427358b4d",
		"scrypt:1024:8:1$$dd3173d239cff37b97067f24da7b2d4b485dcab669c52c372da5401451087902a2dc9ad47"
		"18b21f13f19eb683fb427358b4d1150056850d15751c5299e993130",
		/* ASP.NET Identity: the ASP.NET Core test suite's failure cases
		 * that are no form at all, then cut or absurd headers */
		"AAABAgMEBQYHCAkKCwwNDg+ukCEMDf0yyQ29NYubggHIVY0sdEUfdyeM+E1LtH1uJgAAAAAAAAAAAAA=",
		"AAABAgMEBQYHCAkKCwwNDg+ukCEMDf0yyQ29NYubggHIVY0sdEUfdyeM+E1LtH1uJg",
		"AQAAAAMAAAD6AAAAEAhftMyfTJylOlZT+eEotFXd1elee8ih5WsjXaR3PA9M",
		"AQAAAAAAAAAAAAAAEAhftMyfTJylOlZT+eEotFXd1elee8ih5WsjXaR3PA9M",
		"AQAAAAB/////AAAAEAhftMyfTJylOlZT+eEotFXd1elee8ih5WsjXaR3PA9M",
		"AQAAAAAAmJaBAAAAEAhftMyfTJylOlZT+eEotFXd1elee8ih5WsjXaR3PA9M",
		"AQAAAAAAAAD6AAAADwhftMyfTJylOlZT+eEotFXd1elee8ih5WsjXaR3PA9M",
		"AQAAAAAAAAD6AAAAIAhftMyfTJylOlZT+eEotFXd1elee8ih5WsjXaR3PA9M",
		"AQAAAAAAAAD6AAAAEAhftMyfTJylOlZT+eEotFXd1elee8ih5WsjXaR3PA9",
		"AgAAAAAAAAD6AAAAEAhftMyfTJylOlZT+eEotFXd1elee8ih5WsjXaR3PA9M",
		/* ASP.NET Membership forms without padding or with extra bytes */
		"j2cN/H1/pniwc+HallVpcMdeh0I", "j2cN/H1/pniwc+HallVpcMdeh0I==",
		"EF6mtZFHdJxexs/R2h34/1JLmj38P2IjpwavUXu6KiQ", "EF6mtZFHdJxexs/R2h34/1JLmj38P2IjpwavUXu6KiR=",
	};
	const struct hash_ctx ctx = {
		.salt = MS_SALT16,
		.scheme_read = "aspnet-membership-sha1, aspnet-membership-hmacsha256",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(hash_verify(bad[i], "password") == HASH_UNUSABLE, "'%s'", bad[i]);
		ck_assert_msg(hash_verify_ctx(&ctx, bad[i], "my password") == HASH_UNUSABLE, "'%s'",
			      bad[i]);
	}
}
END_TEST

/* ASP.NET Core's test suite: payloads Identity refuses. Ours never match;
 * the ones with a plausible header but the wrong subkey are mismatches. */
START_TEST(test_identity_failure_cases)
{
	static const struct { const char *stored; int rc; } cases[] = {
		{ "AAABAgMEBQYHCAkKCwwNDg+uAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAALtH1uJg==", HASH_MISMATCH },
		{ "AAABAgMEBQYHCAkKCwwNDg+ukCEMDf0yyQ29NYubggE=", HASH_UNUSABLE },
		{ "AAABAgMEBQYHCAkKCwwNDg+ukCEMDf0yyQ29NYubggHIVY0sdEUfdyeM+E1LtH1uJgAAAAAAAAAAAAA=",
		  HASH_UNUSABLE },
		{ "AQAAAAAAAAD6AAAAEAhftMyfTJyAAAAAAAAAAAAAAAAAAAih5WsjXaR3PA9M", HASH_MISMATCH },
		{ "AQAAAAIAAAAyAAAAEOMwvh3+FZxqkdMBz2ekgGhwQ4A=", HASH_UNUSABLE },
		{ "AQAAAAIAAAAyAAAAEOMwvh3+FZxqkdMBz2ekgGhwQ4B6pZWND6zgESBuWiHwAAAAAAAAAAAA", HASH_MISMATCH },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(hash_verify(cases[i].stored, "my password") == cases[i].rc, "%s",
			      cases[i].stored);
}
END_TEST

/* Membership hashes are bare base64 digests, as an application's own
 * base64 SHA-1 / SHA-256 are (hash_digest.c): by name only. They need their
 * salt column: without it, or with one .NET's Convert.FromBase64String
 * refuses, nothing can match. */
START_TEST(test_membership_salt)
{
	static const char *const bad_salts[] = {
		"", "!!!!", "9Ch4bC6XK5e4kMnFxb7P5Q", "9Ch4bC6XK5e4kMnFxb7P5Q=", "9Ch4bC6X$5e4kMnFxb7P5Q==",
	};
	static const char sha1[] = "j2cN/H1/pniwc+HallVpcMdeh0I=";
	static const char hmac[] = "EF6mtZFHdJxexs/R2h34/1JLmj38P2IjpwavUXu6KiQ=";
	struct hash_ctx ctx = { .salt = MS_SALT16 };
	size_t i;

	/* not named: not picked by form, whatever the salt */
	ck_assert_ptr_null(hash_identify(sha1));
	ck_assert_ptr_null(hash_identify_ctx(&ctx, hmac));
	ck_assert_int_eq(hash_verify_ctx(&ctx, sha1, "password"), HASH_UNUSABLE);
	ck_assert_int_eq(hash_verify_ctx(&ctx, hmac, "password"), HASH_UNUSABLE);
	ctx.scheme_read = "aspnet-membership-hmacsha256,aspnet-membership-sha1";
	ctx.salt = NULL;
	ck_assert_int_eq(hash_verify_ctx(&ctx, sha1, "password"), HASH_UNUSABLE);
	ck_assert_int_eq(hash_verify_ctx(&ctx, hmac, "password"), HASH_UNUSABLE);
	for (i = 0; i < sizeof(bad_salts) / sizeof(bad_salts[0]); i++) {
		ctx.salt = bad_salts[i];
		ck_assert_msg(hash_verify_ctx(&ctx, sha1, "password") == HASH_UNUSABLE, "%s", ctx.salt);
		ck_assert_msg(hash_verify_ctx(&ctx, hmac, "password") == HASH_UNUSABLE, "%s", ctx.salt);
	}
	/* whitespace in the column is skipped, as FromBase64String does */
	ctx.salt = " 9Ch4bC6XK5e4\r\nkMnFxb7P5Q== ";
	ck_assert_int_eq(hash_verify_ctx(&ctx, sha1, "password"), HASH_MATCH);
	/* another user's salt */
	ctx.salt = MS_SALT4;
	ck_assert_int_eq(hash_verify_ctx(&ctx, sha1, "password"), HASH_MISMATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, hmac, "password"), HASH_MISMATCH);
}
END_TEST

/* Membership hashes UTF-16: ill-formed UTF-8 from the terminal becomes
 * U+FFFD, one per maximal ill-formed subsequence. The vectors were made
 * (reference-source EncodePassword, Mono) from the .NET string "a\uFFFDb". */
START_TEST(test_membership_replacement_char)
{
	static const char *const sha1 = "S26zvUawICk0BEFjQlOzw97heXM=";
	static const char *const hmac = "hrhR2RgEEyzJZbwGzRpiZByNqJE5gPBPPhuUG/IW30I=";
	static const char *const same[] = {
		"a\xef\xbf\xbd" "b",   /* U+FFFD itself */
		"a\xff" "b", "a\x80" "b", "a\xc0" "b", "a\xf5" "b",
		"a\xe2\x82" "b",       /* a 3-byte sequence cut after 2 */
		"a\xf0\x9f\x98" "b",   /* a 4-byte sequence cut after 3 */
		"a\xf4\x8f\xbf" "b",
	};
	static const char *const other[] = {
		"a\xff\xff" "b",       /* two of them */
		"a\xc0\x80" "b",       /* overlong NUL: C0, then 80 */
		"a\xe0\x80" "b",       /* E0 80 is not a prefix of anything */
		"a\xed\xa0\x80" "b",   /* a UTF-8 surrogate: three */
		"a\xf4\x90\x80\x80" "b",
		"ab", "a?b",
	};
	const struct hash_ctx ctx = {
		.salt = MS_SALT16,
		.scheme_read = "aspnet-membership-sha1,aspnet-membership-hmacsha256",
	};
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		ck_assert_msg(hash_verify_ctx(&ctx, sha1, same[i]) == HASH_MATCH, "same %zu", i);
		ck_assert_msg(hash_verify_ctx(&ctx, hmac, same[i]) == HASH_MATCH, "same %zu", i);
	}
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		ck_assert_msg(hash_verify_ctx(&ctx, sha1, other[i]) == HASH_MISMATCH, "other %zu", i);
		ck_assert_msg(hash_verify_ctx(&ctx, hmac, other[i]) == HASH_MISMATCH, "other %zu", i);
	}
}
END_TEST

/* passlib's scrypt paper vector with an empty password and an empty salt:
 * "" matches only where the application accepted empty passwords. */
START_TEST(test_empty_password_vector)
{
	static const char h[] = "$scrypt$ln=4,r=1,p=1$$d9ZXYjhleyA7GcpCwYoEl/FrSETjB0ro39/6P+3iFEI";
	struct hash_ctx ctx = { 0 };

	ck_assert_int_eq(hash_verify(h, ""), HASH_MISMATCH);
	ck_assert_int_eq(hash_verify(h, "x"), HASH_MISMATCH);
	ctx.allow_empty = true;
	ck_assert_int_eq(hash_verify_ctx(&ctx, h, ""), HASH_MATCH);
	ck_assert_int_eq(hash_verify_ctx(&ctx, h, "x"), HASH_MISMATCH);
}
END_TEST

/* Django's pbkdf2_sha256 is a write scheme: what we write, we (and Django:
 * tests/unit/verify_written.sh) read. */
START_TEST(test_generate_django)
{
	char out[HASH_MAX], again[HASH_MAX], err[128];
	const char *salt;
	size_t i;

	ck_assert_int_eq(hash_generate("django-pbkdf2-sha256", 1000, PW_UMLAUT, out, sizeof(out), err,
				       sizeof(err)), 0);
	ck_assert_msg(strncmp(out, "pbkdf2_sha256$1000$", 19) == 0, "%s", out);
	salt = out + 19;
	for (i = 0; i < 22; i++)
		ck_assert_msg(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
				     salt[i]) != NULL && salt[i] != '\0', "%s", out);
	ck_assert_int_eq(salt[22], '$');
	ck_assert_uint_eq(strlen(salt + 23), 44);
	ck_assert_ptr_eq(hash_identify(out), hash_family_by_name("django-pbkdf2-sha256"));
	ck_assert_int_eq(hash_verify(out, PW_UMLAUT), HASH_MATCH);
	ck_assert_int_eq(hash_verify(out, "pässword"), HASH_MISMATCH);
	ck_assert_int_eq(hash_generate("django-pbkdf2-sha256", 1000, PW_UMLAUT, again, sizeof(again),
				       err, sizeof(err)), 0);
	ck_assert_str_ne(out, again);   /* a new salt each time */

	/* the default: Django 6.0's count */
	ck_assert_int_eq(hash_generate("django-pbkdf2-sha256", 0, "password", out, sizeof(out), err,
				       sizeof(err)), 0);
	ck_assert_msg(strncmp(out, "pbkdf2_sha256$1200000$", 22) == 0, "%s", out);

	ck_assert_int_eq(hash_generate("django-pbkdf2-sha256", 999, "password", out, sizeof(out), err,
				       sizeof(err)), -1);
	ck_assert_int_eq(hash_generate("django-pbkdf2-sha256", 10000001, "password", out, sizeof(out),
				       err, sizeof(err)), -1);
	/* read-only families */
	ck_assert_int_eq(hash_generate("passlib-scrypt", 0, "password", out, sizeof(out), err,
				       sizeof(err)), -1);
	ck_assert_int_eq(hash_generate("werkzeug-pbkdf2", 0, "password", out, sizeof(out), err,
				       sizeof(err)), -1);
}
END_TEST

/* ASP.NET Identity: v3 as ASP.NET Core 7+ writes it (HMAC-SHA512, 100,000
 * iterations unless told, 16-byte salt, 32-byte subkey), v2 as Identity 2
 * does. What we write, we (and tests/unit/verify_written.sh's Python) read. */
START_TEST(test_generate_identity)
{
	char out[HASH_MAX], again[HASH_MAX], err[128], desc[128];
	const struct hash_family *v3 = hash_family_by_name("aspnet-identity-v3");

	ck_assert_int_eq(hash_generate("aspnet-identity-v3", 0, PW_UMLAUT, out, sizeof(out), err,
				       sizeof(err)), 0);
	ck_assert_msg(strncmp(out, "AQAAAAIAAYagAAAAE", 17) == 0, "%s", out);  /* 1, 2, 100000, 16 */
	ck_assert_uint_eq(strlen(out), 84);   /* base64 of 13 + 16 + 32 bytes */
	ck_assert_ptr_eq(hash_identify(out), v3);
	v3->describe(out, desc, sizeof(desc));
	ck_assert_str_eq(desc, "prf=HMAC-SHA512 iterations=100000 salt=16 bytes subkey=32 bytes");
	ck_assert_int_eq(hash_verify(out, PW_UMLAUT), HASH_MATCH);
	ck_assert_int_eq(hash_verify(out, "pässword"), HASH_MISMATCH);
	ck_assert_int_eq(hash_generate("aspnet-identity-v3", 0, PW_UMLAUT, again, sizeof(again),
				       err, sizeof(err)), 0);
	ck_assert_str_ne(out, again);   /* a new salt each time */
	ck_assert(!hash_weaker(NULL, out, "aspnet-identity-v3", 0));
	ck_assert(hash_weaker(NULL, out, "aspnet-identity-v3", 200000));
	/* an iteration count of the administrator's, not below Core 2-6's */
	ck_assert_int_eq(hash_generate("aspnet-identity-v3", 10000, "password", out, sizeof(out), err,
				       sizeof(err)), 0);
	ck_assert_msg(strncmp(out, "AQAAAAIAACcQAAAAE", 17) == 0, "%s", out);
	ck_assert_int_eq(hash_verify(out, "password"), HASH_MATCH);
	ck_assert_int_eq(hash_generate("aspnet-identity-v3", 9999, "password", out, sizeof(out), err,
				       sizeof(err)), -1);
	ck_assert_int_eq(hash_generate("aspnet-identity-v3", 10000001, "password", out, sizeof(out),
				       err, sizeof(err)), -1);

	ck_assert_int_eq(hash_generate("aspnet-identity-v2", 0, PW_EMOJI, out, sizeof(out), err,
				       sizeof(err)), 0);
	ck_assert_uint_eq(strlen(out), 68);
	ck_assert_int_eq(out[0], 'A');   /* 0x00 first */
	ck_assert_ptr_eq(hash_identify(out), hash_family_by_name("aspnet-identity-v2"));
	ck_assert_int_eq(hash_verify(out, PW_EMOJI), HASH_MATCH);
	ck_assert_int_eq(hash_verify(out, "password"), HASH_MISMATCH);
	ck_assert_int_eq(hash_generate("aspnet-identity-v2", 2000, "password", out, sizeof(out), err,
				       sizeof(err)), -1);
}
END_TEST

/* Membership: a new base64 salt for PasswordSalt apart from the digest;
 * hash_generate alone refuses (the digest is nothing without its salt). */
START_TEST(test_generate_membership)
{
	static const char *const schemes[] = { "aspnet-membership-sha1",
					       "aspnet-membership-hmacsha256" };
	char h[HASH_MAX], salt[HASH_SALT_MAX], err[200];
	struct hash_ctx ctx = { .scheme_read = "aspnet-membership-sha1,aspnet-membership-hmacsha256" };
	size_t i;

	for (i = 0; i < 2; i++) {
		ck_assert_int_ne(hash_generate(schemes[i], 0, PW_UMLAUT, h, sizeof(h), err,
					       sizeof(err)), 0);
		ck_assert_int_eq(hash_generate_salted(schemes[i], 0, PW_UMLAUT, h, sizeof(h), salt,
						      sizeof(salt), err, sizeof(err)), 0);
		ck_assert_uint_eq(strlen(salt), 24);          /* base64 of 16 bytes */
		ck_assert_uint_eq(strlen(h), i == 0 ? 28 : 44);
		ctx.salt = salt;
		ck_assert_str_eq(hash_identify_ctx(&ctx, h)->name, schemes[i]);
		ck_assert_int_eq(hash_family_by_name(schemes[i])->verify(&ctx, h, PW_UMLAUT,
									 strlen(PW_UMLAUT)),
				 HASH_MATCH);
		ck_assert_int_eq(hash_family_by_name(schemes[i])->verify(&ctx, h, "password", 8),
				 HASH_MISMATCH);
		ck_assert_int_ne(hash_generate_salted(schemes[i], 5, PW_UMLAUT, h, sizeof(h), salt,
						      sizeof(salt), err, sizeof(err)), 0);
	}
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("hash_pbkdf2");
	TCase *tc;

	tc = tcase_create("vectors");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_identify, 0, NVECTORS);
	tcase_add_loop_test(tc, test_right_password, 0, NVECTORS);
	tcase_add_loop_test(tc, test_wrong_password, 0, NVECTORS);
	tcase_add_loop_test(tc, test_tampered, 0, NVECTORS);
	tcase_add_test(tc, test_empty_password_vector);
	suite_add_tcase(s, tc);

	tc = tcase_create("forms");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_truncated, 0, NVECTORS);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_identity_failure_cases);
	tcase_add_test(tc, test_membership_salt);
	tcase_add_test(tc, test_membership_replacement_char);
	suite_add_tcase(s, tc);

	tc = tcase_create("generate");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_generate_django);
	tcase_add_test(tc, test_generate_identity);
	tcase_add_test(tc, test_generate_membership);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
