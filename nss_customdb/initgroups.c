/* initgroups.c: a user's supplementary groups (initgroups_dyn). */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nss_client.h"
#include "nss_customdb.h"
#include "protocol.h"

/* The caller's growing array, as glibc hands it over. */
struct groups_out {
	gid_t skip;          /* the primary group: glibc has it already */
	long *start, *size;
	gid_t **groupsp;
	long limit;          /* <= 0: no limit */
};

/* Append gid unless it is there already or is the primary group; grow the
 * array within limit. */
static int add_gid(struct groups_out *o, gid_t gid)
{
	gid_t *g = *o->groupsp;
	long i, nsize;

	if (gid == o->skip)
		return 0;
	for (i = 0; i < *o->start; i++)
		if (g[i] == gid)
			return 0;
	if (*o->start == *o->size) {
		if (o->limit > 0 && *o->size >= o->limit)
			return -1;
		nsize = *o->size > 0 ? *o->size * 2 : 16;
		if (o->limit > 0 && nsize > o->limit)
			nsize = o->limit;
		g = realloc(g, (size_t)nsize * sizeof(*g));
		if (g == NULL)
			return -1;
		*o->groupsp = g;
		*o->size = nsize;
	}
	g[(*o->start)++] = gid;
	return 0;
}

/* The list (u32 n, then n u32 gids: the daemon's reply and the host
 * cache's value alike) into the caller's array. */
static enum nss_status pack_groups(struct rbuf *f, void *record, char *buf, size_t buflen,
				   int *errnop)
{
	struct groups_out *o = record;
	uint32_t n, i, gid;

	(void)buf;
	(void)buflen;
	if (rbuf_get_u32(f, &n) != 0 || n > CDB_MAX_GROUPS) {
		*errnop = ENOENT;
		return NSS_STATUS_UNAVAIL;
	}
	/* room for all of them at once, rather than doubling from glibc's size */
	if (n > 0 && *o->start + (long)n > *o->size &&
	    (o->limit <= 0 || *o->size < o->limit)) {
		long want = *o->start + (long)n;
		gid_t *g;

		if (o->limit > 0 && want > o->limit)
			want = o->limit;
		g = realloc(*o->groupsp, (size_t)want * sizeof(*g));
		if (g != NULL) {
			*o->groupsp = g;
			*o->size = want;
		}
	}
	for (i = 0; i < n; i++) {
		if (rbuf_get_u32(f, &gid) != 0) {
			*errnop = ENOENT;
			return NSS_STATUS_UNAVAIL;
		}
		if (gid == 0)
			continue;   /* never gid 0, whoever wrote the list */
		if (add_gid(o, (gid_t)gid) != 0)
			break;   /* limit reached: what fits is the answer */
	}
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_customdb_initgroups_dyn(const char *user, gid_t group, long *start,
					     long *size, gid_t **groupsp, long limit, int *errnop)
{
	struct groups_out o = { group, start, size, groupsp, limit };
	char unused;

	/* the look-up wants a buffer for strings; a group list has none */
	return nss_lookup_name(CDB_OP_INITGROUPS, user, pack_groups, &o, &unused, 1, errnop);
}
