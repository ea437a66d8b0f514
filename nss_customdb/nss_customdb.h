/* nss_customdb.h: the module's entry points, as glibc calls them. */
#ifndef CUSTOMDB_NSS_CUSTOMDB_H
#define CUSTOMDB_NSS_CUSTOMDB_H

#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stddef.h>

enum nss_status _nss_customdb_getpwnam_r(const char *name, struct passwd *pw, char *buf,
					 size_t buflen, int *errnop);
enum nss_status _nss_customdb_getpwuid_r(uid_t uid, struct passwd *pw, char *buf,
					 size_t buflen, int *errnop);
enum nss_status _nss_customdb_setpwent(int stayopen);
enum nss_status _nss_customdb_getpwent_r(struct passwd *pw, char *buf, size_t buflen,
					 int *errnop);
enum nss_status _nss_customdb_endpwent(void);
enum nss_status _nss_customdb_getgrnam_r(const char *name, struct group *gr, char *buf,
					 size_t buflen, int *errnop);
enum nss_status _nss_customdb_getgrgid_r(gid_t gid, struct group *gr, char *buf,
					 size_t buflen, int *errnop);
enum nss_status _nss_customdb_setgrent(int stayopen);
enum nss_status _nss_customdb_getgrent_r(struct group *gr, char *buf, size_t buflen,
					 int *errnop);
enum nss_status _nss_customdb_endgrent(void);
enum nss_status _nss_customdb_initgroups_dyn(const char *user, gid_t group, long *start,
					     long *size, gid_t **groupsp, long limit, int *errnop);

#endif
