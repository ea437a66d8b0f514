/* nss_null: the floor of an NSS look-up. libnss_null.so.2 answers every
 * getpwnam_r / getpwuid_r / initgroups_dyn with a fixed record and does
 * nothing else, so what it costs is glibc's own dispatch plus the packing
 * any module must do. Benchmark only; never installed. */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <string.h>

enum nss_status _nss_null_getpwnam_r(const char *name, struct passwd *pw, char *buf,
				     size_t buflen, int *errnop);
enum nss_status _nss_null_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t buflen,
				     int *errnop);
enum nss_status _nss_null_initgroups_dyn(const char *user, gid_t group, long *start, long *size,
					 gid_t **groupsp, long limit, int *errnop);

static enum nss_status fill(const char *name, uid_t uid, struct passwd *pw, char *buf,
			    size_t buflen, int *errnop)
{
	size_t n = strlen(name);

	if (buflen < n + 32) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	memcpy(buf, name, n + 1);
	memcpy(buf + n + 1, "x\0\0/home/x\0/bin/sh", 19);
	pw->pw_name = buf;
	pw->pw_passwd = buf + n + 1;
	pw->pw_gecos = buf + n + 3;
	pw->pw_dir = buf + n + 4;
	pw->pw_shell = buf + n + 12;
	pw->pw_uid = uid;
	pw->pw_gid = 100;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_null_getpwnam_r(const char *name, struct passwd *pw, char *buf,
				     size_t buflen, int *errnop)
{
	return fill(name, 12345, pw, buf, buflen, errnop);
}

enum nss_status _nss_null_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t buflen,
				     int *errnop)
{
	return fill("nulluser", uid, pw, buf, buflen, errnop);
}

enum nss_status _nss_null_initgroups_dyn(const char *user, gid_t group, long *start, long *size,
					 gid_t **groupsp, long limit, int *errnop)
{
	(void)user;
	(void)group;
	(void)size;
	(void)limit;
	(void)errnop;
	if (*start < *size)
		(*groupsp)[(*start)++] = 20001;
	return NSS_STATUS_SUCCESS;
}
