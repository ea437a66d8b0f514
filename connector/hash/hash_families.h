/* hash_families.h: every family, grouped by the file that defines it, in
 * the order hash.c tries them. A new family: define it in its own file,
 * declare it here, add it to its group. */
#ifndef CUSTOMDB_HASH_FAMILIES_H
#define CUSTOMDB_HASH_FAMILIES_H

#include "hash.h"

/* hash_crypt.c: crypt(3) through libxcrypt */
extern const struct hash_family hash_family_bcrypt_x;
extern const struct hash_family hash_family_gost_yescrypt;
extern const struct hash_family hash_family_scrypt_crypt;
extern const struct hash_family hash_family_sunmd5;
extern const struct hash_family hash_family_bsdi_des;
extern const struct hash_family hash_family_des;
#define HASH_FAMILIES_CRYPT \
	&hash_family_bcrypt, &hash_family_bcrypt_x, &hash_family_sha512crypt, \
	&hash_family_sha256crypt, &hash_family_md5crypt, &hash_family_yescrypt, \
	&hash_family_gost_yescrypt, &hash_family_scrypt_crypt, &hash_family_sunmd5, \
	&hash_family_bsdi_des, &hash_family_des,

/* hash_argon2.c */
extern const struct hash_family hash_family_argon2i;
#define HASH_FAMILIES_ARGON2 &hash_family_argon2id, &hash_family_argon2i,

/* PBKDF2 world: hash_django.c, hash_passlib.c, hash_werkzeug.c, hash_aspnet.c
 * BEGIN PBKDF2 (families of the PBKDF2 world are listed between these lines) */
extern const struct hash_family hash_family_django_pbkdf2_sha256;
extern const struct hash_family hash_family_django_pbkdf2_sha1;
extern const struct hash_family hash_family_django_bcrypt_sha256;
extern const struct hash_family hash_family_django_argon2;
extern const struct hash_family hash_family_passlib_pbkdf2_sha1;
extern const struct hash_family hash_family_passlib_pbkdf2_sha256;
extern const struct hash_family hash_family_passlib_pbkdf2_sha512;
extern const struct hash_family hash_family_passlib_scrypt;
extern const struct hash_family hash_family_werkzeug_pbkdf2;
extern const struct hash_family hash_family_werkzeug_scrypt;
extern const struct hash_family hash_family_aspnet_identity_v2;
extern const struct hash_family hash_family_aspnet_identity_v3;
extern const struct hash_family hash_family_aspnet_membership_sha1;
extern const struct hash_family hash_family_aspnet_membership_hmacsha256;
/* The membership ones are by name only (bare base64 of 20 / 32 bytes). */
#define HASH_FAMILIES_PBKDF2 \
	&hash_family_django_pbkdf2_sha256, &hash_family_django_pbkdf2_sha1, \
	&hash_family_django_bcrypt_sha256, &hash_family_django_argon2, \
	&hash_family_passlib_pbkdf2_sha1, &hash_family_passlib_pbkdf2_sha256, \
	&hash_family_passlib_pbkdf2_sha512, &hash_family_passlib_scrypt, \
	&hash_family_werkzeug_pbkdf2, &hash_family_werkzeug_scrypt, \
	&hash_family_aspnet_identity_v2, &hash_family_aspnet_identity_v3, \
	&hash_family_aspnet_membership_sha1, &hash_family_aspnet_membership_hmacsha256,
/* END PBKDF2 */

/* PHP world: hash_phpass.c, hash_drupal.c, hash_wordpress.c, hash_joomla.c;
 * hash_mysql.c
 * BEGIN PHP */
extern const struct hash_family hash_family_wordpress;
extern const struct hash_family hash_family_drupal7_updated;
extern const struct hash_family hash_family_drupal7;
extern const struct hash_family hash_family_phpass;
extern const struct hash_family hash_family_joomla;
extern const struct hash_family hash_family_mysql41;
#define HASH_FAMILIES_PHP \
	&hash_family_wordpress, &hash_family_drupal7_updated, &hash_family_drupal7, \
	&hash_family_phpass, &hash_family_joomla, &hash_family_mysql41,
/* END PHP */

/* hash_ldap.c: {SSHA} {SHA} {MD5} {SMD5} {SSHA256} {SSHA512} {CRYPT}
 * BEGIN LDAP */
extern const struct hash_family hash_family_ldap_ssha, hash_family_ldap_sha;
extern const struct hash_family hash_family_ldap_smd5, hash_family_ldap_md5;
extern const struct hash_family hash_family_ldap_ssha256, hash_family_ldap_sha256;
extern const struct hash_family hash_family_ldap_ssha384, hash_family_ldap_sha384;
extern const struct hash_family hash_family_ldap_ssha512, hash_family_ldap_sha512;
extern const struct hash_family hash_family_ldap_crypt;
#define HASH_FAMILIES_LDAP \
	&hash_family_ldap_ssha, &hash_family_ldap_sha, &hash_family_ldap_smd5, \
	&hash_family_ldap_md5, &hash_family_ldap_ssha256, &hash_family_ldap_sha256, \
	&hash_family_ldap_ssha384, &hash_family_ldap_sha384, &hash_family_ldap_ssha512, \
	&hash_family_ldap_sha512, &hash_family_ldap_crypt,
/* END LDAP */

/* hash_mediawiki.c: :pbkdf2: :B: :A:
 * BEGIN MEDIAWIKI */
extern const struct hash_family hash_family_mediawiki_pbkdf2, hash_family_mediawiki_b;
extern const struct hash_family hash_family_mediawiki_a;
#define HASH_FAMILIES_MEDIAWIKI \
	&hash_family_mediawiki_pbkdf2, &hash_family_mediawiki_b, &hash_family_mediawiki_a,
/* END MEDIAWIKI */

/* hash_dovecot.c: {SHA512-CRYPT} {ARGON2ID} {PBKDF2} {SCRAM-SHA-256} ...
 * (after LDAP: {MD5} with a base64 digest is LDAP's)
 * BEGIN DOVECOT */
extern const struct hash_family hash_family_dovecot_sha512_crypt;
extern const struct hash_family hash_family_dovecot_sha256_crypt;
extern const struct hash_family hash_family_dovecot_md5_crypt, hash_family_dovecot_md5;
extern const struct hash_family hash_family_dovecot_blf_crypt;
extern const struct hash_family hash_family_dovecot_argon2id, hash_family_dovecot_argon2i;
extern const struct hash_family hash_family_dovecot_pbkdf2, hash_family_dovecot_plain_md5;
extern const struct hash_family hash_family_dovecot_scram_sha1;
extern const struct hash_family hash_family_dovecot_scram_sha256;
extern const struct hash_family hash_family_dovecot_des_crypt, hash_family_dovecot_sha1;
extern const struct hash_family hash_family_dovecot_ldap_md5, hash_family_dovecot_plain_md4;
extern const struct hash_family hash_family_dovecot_ntlm, hash_family_dovecot_cram_md5;
extern const struct hash_family hash_family_dovecot_hmac_md5, hash_family_dovecot_sha;
extern const struct hash_family hash_family_dovecot_sha256, hash_family_dovecot_sha512;
/* by name only (the password itself), tried first when named */
extern const struct hash_family hash_family_dovecot_plain;
#define HASH_FAMILIES_DOVECOT \
	&hash_family_dovecot_sha512_crypt, &hash_family_dovecot_sha256_crypt, \
	&hash_family_dovecot_md5_crypt, &hash_family_dovecot_md5, \
	&hash_family_dovecot_blf_crypt, &hash_family_dovecot_argon2id, \
	&hash_family_dovecot_argon2i, &hash_family_dovecot_pbkdf2, \
	&hash_family_dovecot_plain_md5, &hash_family_dovecot_scram_sha1, \
	&hash_family_dovecot_scram_sha256, &hash_family_dovecot_des_crypt, \
	&hash_family_dovecot_sha1, &hash_family_dovecot_ldap_md5, \
	&hash_family_dovecot_plain_md4, &hash_family_dovecot_ntlm, \
	&hash_family_dovecot_cram_md5, &hash_family_dovecot_hmac_md5, \
	&hash_family_dovecot_sha, &hash_family_dovecot_sha256, &hash_family_dovecot_sha512, \
	&hash_family_dovecot_plain,
/* END DOVECOT */

/* Server applications: hash_nextcloud.c (N|...), hash_gitea.c (the query
 * joins passwd_hash_algo and passwd), hash_keycloak.c (the query joins the
 * JSON columns); nextcloud-legacy is by name only.
 * BEGIN SERVERS */
extern const struct hash_family hash_family_nextcloud, hash_family_nextcloud_legacy;
extern const struct hash_family hash_family_gitea_pbkdf2, hash_family_gitea_argon2;
extern const struct hash_family hash_family_gitea_scrypt, hash_family_gitea_bcrypt;
extern const struct hash_family hash_family_keycloak_pbkdf2;
extern const struct hash_family hash_family_keycloak_pbkdf2_sha256;
extern const struct hash_family hash_family_keycloak_pbkdf2_sha512;
#define HASH_FAMILIES_SERVERS \
	&hash_family_nextcloud, &hash_family_gitea_pbkdf2, &hash_family_gitea_argon2, \
	&hash_family_gitea_scrypt, &hash_family_gitea_bcrypt, &hash_family_keycloak_pbkdf2, \
	&hash_family_keycloak_pbkdf2_sha256, &hash_family_keycloak_pbkdf2_sha512, \
	&hash_family_nextcloud_legacy,
/* END SERVERS */

/* By name only (password_scheme_read): hash_digest.c, hash_ntlm.c
 * BEGIN BY_NAME */
#define HASH_DIGEST_EXTERNS(dg, enc) \
	extern const struct hash_family hash_family_##dg##_##enc, \
		hash_family_##dg##_##enc##_salt_before, hash_family_##dg##_##enc##_salt_after
HASH_DIGEST_EXTERNS(md5, hex);
HASH_DIGEST_EXTERNS(sha1, hex);
HASH_DIGEST_EXTERNS(sha256, hex);
HASH_DIGEST_EXTERNS(sha512, hex);
HASH_DIGEST_EXTERNS(md5, base64);
HASH_DIGEST_EXTERNS(sha1, base64);
HASH_DIGEST_EXTERNS(sha256, base64);
HASH_DIGEST_EXTERNS(sha512, base64);
extern const struct hash_family hash_family_plaintext, hash_family_redmine;
extern const struct hash_family hash_family_nt_hash;   /* hash_ntlm.c */
#define HASH_DIGEST_GROUP(dg, enc) \
	&hash_family_##dg##_##enc, &hash_family_##dg##_##enc##_salt_before, \
	&hash_family_##dg##_##enc##_salt_after,
/* plaintext takes any string: last */
#define HASH_FAMILIES_BY_NAME \
	HASH_DIGEST_GROUP(md5, hex) HASH_DIGEST_GROUP(sha1, hex) \
	HASH_DIGEST_GROUP(sha256, hex) HASH_DIGEST_GROUP(sha512, hex) \
	HASH_DIGEST_GROUP(md5, base64) HASH_DIGEST_GROUP(sha1, base64) \
	HASH_DIGEST_GROUP(sha256, base64) HASH_DIGEST_GROUP(sha512, base64) \
	&hash_family_nt_hash, &hash_family_redmine, &hash_family_plaintext,
/* END BY_NAME */

#endif
