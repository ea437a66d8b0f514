/* passwd.c: the passwd map (getpwnam_r, getpwuid_r; no enumeration yet). */
#include <errno.h>
#include <nss.h>
#include <pwd.h>
#include <string.h>

#include "names.h"
#include "nss_client.h"
#include "nss_customdb.h"
#include "protocol.h"

/* Two phases: add up what the record needs, refuse with ERANGE if the
 * caller's buffer is short, and only then fill it. */
static enum nss_status pack_passwd(struct nss_reply *rp, struct passwd *pw, char *buf,
				   size_t buflen, int *errnop)
{
	struct cdb_passwd_ref r;
	size_t required;
	char *pos = buf;

	if (record_get_passwd(&rp->fields, &r) != 0 || rbuf_end(&rp->fields) != 0) {
		*errnop = ENOENT;
		return NSS_STATUS_UNAVAIL;
	}
	required = r.name.n + r.passwd.n + r.gecos.n + r.home.n + r.shell.n + 5;
	if (required > buflen) {
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

static enum nss_status answer(enum nss_status st, struct nss_reply *rp, struct passwd *pw,
			      char *buf, size_t buflen, int *errnop)
{
	if (st != NSS_STATUS_SUCCESS)
		return st;
	if (rp->status == CDB_STATUS_OK)
		st = pack_passwd(rp, pw, buf, buflen, errnop);
	else
		st = nss_status_of(rp->status, errnop);
	nss_reply_free(rp);
	return st;
}

enum nss_status _nss_customdb_getpwnam_r(const char *name, struct passwd *pw, char *buf,
					 size_t buflen, int *errnop)
{
	struct nss_reply rp;
	enum nss_status st;
	int saved = errno;

	if (buf == NULL || buflen == 0) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	if (name == NULL || !cdb_name_valid(name, strnlen(name, CDB_NAME_MAX + 1))) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	st = answer(nss_call_name(CDB_OP_GETPWNAM, name, &rp, errnop), &rp, pw, buf, buflen, errnop);
	errno = saved;
	return st;
}

enum nss_status _nss_customdb_getpwuid_r(uid_t uid, struct passwd *pw, char *buf,
					 size_t buflen, int *errnop)
{
	struct nss_reply rp;
	enum nss_status st;
	int saved = errno;

	if (buf == NULL || buflen == 0) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	if (uid == 0) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	st = answer(nss_call_id(CDB_OP_GETPWUID, (uint32_t)uid, &rp, errnop), &rp, pw, buf, buflen,
		    errnop);
	errno = saved;
	return st;
}

/* Enumeration is not offered yet: an empty list, never an error. */
enum nss_status _nss_customdb_setpwent(int stayopen)
{
	(void)stayopen;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_customdb_getpwent_r(struct passwd *pw, char *buf, size_t buflen,
					 int *errnop)
{
	(void)pw;
	(void)buf;
	(void)buflen;
	*errnop = ENOENT;
	return NSS_STATUS_NOTFOUND;
}

enum nss_status _nss_customdb_endpwent(void)
{
	return NSS_STATUS_SUCCESS;
}
