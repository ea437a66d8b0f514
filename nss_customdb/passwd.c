/* passwd.c: the passwd map: getpwnam_r, getpwuid_r, and getpwent_r. */
#include <errno.h>
#include <nss.h>
#include <pwd.h>
#include <string.h>

#include "enum.h"
#include "nss_client.h"
#include "nss_customdb.h"
#include "protocol.h"

/* Two phases, as group.c: decode the record (its layout is record.c's),
 * then copy its strings into buf if they all fit. */
static enum nss_status pack_passwd(struct rbuf *f, void *record, char *buf, size_t buflen,
				   int *errnop)
{
	struct passwd *pw = record;
	struct cdb_passwd_ref r;
	char *pos = buf;

	if (record_get_passwd(f, &r) != 0 || rbuf_end(f) != 0) {
		*errnop = ENOENT;
		return NSS_STATUS_UNAVAIL;
	}
	/* never uid or gid 0 nor root, whoever wrote the record: a host
	 * cache hit is read without the daemon and its checks */
	if (r.uid == 0 || r.gid == 0 || (r.name.n == 4 && memcmp(r.name.s, "root", 4) == 0)) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	if (r.name.n + r.passwd.n + r.gecos.n + r.home.n + r.shell.n + 5 > buflen) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	pw->pw_name = nss_put_str(&pos, &r.name);
	pw->pw_passwd = nss_put_str(&pos, &r.passwd);
	pw->pw_uid = r.uid;
	pw->pw_gid = r.gid;
	pw->pw_gecos = nss_put_str(&pos, &r.gecos);
	pw->pw_dir = nss_put_str(&pos, &r.home);
	pw->pw_shell = nss_put_str(&pos, &r.shell);
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
