/* group.c: the group map: getgrnam_r, getgrgid_r, and getgrent_r. */
#include <errno.h>
#include <grp.h>
#include <stdalign.h>
#include <nss.h>
#include <stdint.h>
#include <string.h>

#include "enum.h"
#include "nss_client.h"
#include "nss_customdb.h"
#include "protocol.h"

static enum nss_status pack_group(struct rbuf *f, void *record, char *buf, size_t buflen,
				  int *errnop)
{
	struct group *gr = record;
	struct cdb_group_ref r;
	struct rbuf m;
	struct strref s;
	size_t required, strings = 0, pad, i;
	char **mem;
	char *pos;

	if (record_get_group(f, &r) != 0 || rbuf_end(f) != 0) {
		*errnop = ENOENT;
		return NSS_STATUS_UNAVAIL;
	}
	/* never gid 0 nor root, whoever wrote the record: a host cache hit
	 * is read without the daemon and its checks */
	if (r.gid == 0 || (r.name.n == 4 && memcmp(r.name.s, "root", 4) == 0)) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	m = r.members;
	for (i = 0; i < r.nmembers; i++) {
		rbuf_get_strref(&m, &s.s, &s.n);   /* checked by record_get_group */
		strings += s.n + 1;
	}
	/* the member pointer array comes first, aligned */
	pad = (alignof(char *) - ((uintptr_t)buf % alignof(char *))) % alignof(char *);
	required = pad + (r.nmembers + 1) * sizeof(char *) + strings + r.name.n + r.passwd.n + 2;
	if (required > buflen) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	mem = (char **)(void *)(buf + pad);
	pos = (char *)(mem + r.nmembers + 1);
	gr->gr_name = nss_put_str(&pos, &r.name);
	gr->gr_passwd = nss_put_str(&pos, &r.passwd);
	gr->gr_gid = r.gid;
	m = r.members;
	for (i = 0; i < r.nmembers; i++) {
		rbuf_get_strref(&m, &s.s, &s.n);
		mem[i] = nss_put_str(&pos, &s);
	}
	mem[r.nmembers] = NULL;
	gr->gr_mem = mem;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_customdb_getgrnam_r(const char *name, struct group *gr, char *buf,
					 size_t buflen, int *errnop)
{
	return nss_lookup_name(CDB_OP_GETGRNAM, name, pack_group, gr, buf, buflen, errnop);
}

enum nss_status _nss_customdb_getgrgid_r(gid_t gid, struct group *gr, char *buf,
					 size_t buflen, int *errnop)
{
	return nss_lookup_id(CDB_OP_GETGRGID, (uint32_t)gid, pack_group, gr, buf, buflen, errnop);
}

/* Enumeration (enum.h): the daemon's list, when enumerate = yes. */
static struct nss_enum walk = NSS_ENUM_INIT(CDB_OP_LIST_GROUPS);

enum nss_status _nss_customdb_setgrent(int stayopen)
{
	(void)stayopen;
	nss_enum_reset(&walk);
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_customdb_getgrent_r(struct group *gr, char *buf, size_t buflen,
					 int *errnop)
{
	return nss_enum_next(&walk, pack_group, gr, buf, buflen, errnop);
}

enum nss_status _nss_customdb_endgrent(void)
{
	nss_enum_reset(&walk);
	return NSS_STATUS_SUCCESS;
}
