/* initgroups.c: a user's supplementary groups (initgroups_dyn). */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "nss_client.h"
#include "nss_customdb.h"
#include "protocol.h"

/* Append gid to the caller's growing array unless it is there already or is
 * the primary group; grow it within limit (<= 0: no limit). */
static int add_gid(gid_t gid, gid_t skip, long *start, long *size, gid_t **groupsp, long limit)
{
	gid_t *g = *groupsp;
	long i, nsize;

	if (gid == skip)
		return 0;
	for (i = 0; i < *start; i++)
		if (g[i] == gid)
			return 0;
	if (*start == *size) {
		if (limit > 0 && *size >= limit)
			return -1;
		nsize = *size > 0 ? *size * 2 : 16;
		if (limit > 0 && nsize > limit)
			nsize = limit;
		g = realloc(g, (size_t)nsize * sizeof(*g));
		if (g == NULL)
			return -1;
		*groupsp = g;
		*size = nsize;
	}
	g[(*start)++] = gid;
	return 0;
}

enum nss_status _nss_customdb_initgroups_dyn(const char *user, gid_t group, long *start,
					     long *size, gid_t **groupsp, long limit, int *errnop)
{
	struct nss_reply rp;
	enum nss_status st;
	uint32_t n, i, gid;
	int saved = errno;

	if (user == NULL || !cdb_name_valid(user, strnlen(user, CDB_NAME_MAX + 1))) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	st = nss_call_name(CDB_OP_INITGROUPS, user, &rp, errnop);
	if (st != NSS_STATUS_SUCCESS)
		goto out;
	if (rp.status != CDB_STATUS_OK) {
		st = nss_status_of(rp.status, errnop);
		goto free;
	}
	if (rbuf_get_u32(&rp.fields, &n) != 0 || n > CDB_MAX_GROUPS) {
		*errnop = ENOENT;
		st = NSS_STATUS_UNAVAIL;
		goto free;
	}
	for (i = 0; i < n; i++) {
		if (rbuf_get_u32(&rp.fields, &gid) != 0) {
			*errnop = ENOENT;
			st = NSS_STATUS_UNAVAIL;
			goto free;
		}
		if (add_gid((gid_t)gid, group, start, size, groupsp, limit) != 0)
			break;   /* limit reached: what fits is the answer */
	}
	st = NSS_STATUS_SUCCESS;
free:
	nss_reply_free(&rp);
out:
	errno = saved;
	return st;
}
