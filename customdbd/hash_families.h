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
#define HASH_FAMILIES_PBKDF2
/* END PBKDF2 */

/* PHP world: hash_phpass.c, hash_drupal.c, hash_wordpress.c, hash_joomla.c;
 * hash_mysql.c
 * BEGIN PHP */
#define HASH_FAMILIES_PHP
/* END PHP */

/* hash_ldap.c: {SSHA} {SHA} {MD5} {SMD5} {SSHA256} {SSHA512} {CRYPT}
 * BEGIN LDAP */
#define HASH_FAMILIES_LDAP
/* END LDAP */

/* By name only (password_scheme_read): hash_digest.c
 * BEGIN BY_NAME */
#define HASH_FAMILIES_BY_NAME
/* END BY_NAME */

#endif
