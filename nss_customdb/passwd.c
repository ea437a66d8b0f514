/* passwd.c: the passwd map: getpwnam_r, getpwuid_r, and getpwent_r. */
#include <errno.h>
#include <nss.h>
#include <pwd.h>
#include <string.h>

#include "enum.h"
#include "nss_client.h"
#include "nss_customdb.h"
#include "protocol.h"

/* In one pass over the record: a host cache hit is this and a look-up. */
static enum nss_status pack_passwd(struct rbuf *f, void *record, char *buf, size_t buflen,
				   int *errnop)
{
	struct passwd *pw = record;
	const char *end = buf + buflen;
	char *pos = buf;
	uint32_t uid, gid;
	int rc;

	rc = nss_take_str(f, &pos, end, &pw->pw_name);
	if (rc == 0 && pw->pw_name[0] == '\0')
		rc = -1;
	if (rc == 0)
		rc = nss_take_str(f, &pos, end, &pw->pw_passwd);
	if (rc == 0 && (rbuf_get_u32(f, &uid) != 0 || rbuf_get_u32(f, &gid) != 0))
		rc = -1;
	if (rc == 0)
		rc = nss_take_str(f, &pos, end, &pw->pw_gecos);
	if (rc == 0)
		rc = nss_take_str(f, &pos, end, &pw->pw_dir);
	if (rc == 0)
		rc = nss_take_str(f, &pos, end, &pw->pw_shell);
	if (rc == 0 && rbuf_end(f) != 0)
		rc = -1;
	if (rc > 0) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	if (rc < 0) {
		*errnop = ENOENT;
		return NSS_STATUS_UNAVAIL;
	}
	/* never uid or gid 0 nor root, whoever wrote the record: a host
	 * cache hit is read without the daemon and its checks */
	if (uid == 0 || gid == 0 || strcmp(pw->pw_name, "root") == 0) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	pw->pw_uid = uid;
	pw->pw_gid = gid;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_customdb_getpwnam_r(const char *name, struct passwd *pw, char *buf,
					 size_t buflen, int *errnop)
{
	return nss_lookup_name(CDB_OP_GETPWNAM, name, pack_passwd, pw, buf, buflen, errnop);
}

enum nss_status _nss_customdb_getpwuid_r(uid_t uid, struct passwd *pw, char *buf,
					 size_t buflen, int *errnop)
{
	return nss_lookup_id(CDB_OP_GETPWUID, (uint32_t)uid, pack_passwd, pw, buf, buflen, errnop);
}

/* Enumeration (enum.h): the daemon's list, when enumerate = yes. */
static struct nss_enum walk = NSS_ENUM_INIT(CDB_OP_LIST_USERS);

enum nss_status _nss_customdb_setpwent(int stayopen)
{
	(void)stayopen;
	nss_enum_reset(&walk);
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_customdb_getpwent_r(struct passwd *pw, char *buf, size_t buflen,
					 int *errnop)
{
	return nss_enum_next(&walk, pack_passwd, pw, buf, buflen, errnop);
}

enum nss_status _nss_customdb_endpwent(void)
{
	nss_enum_reset(&walk);
	return NSS_STATUS_SUCCESS;
}
