/* handle_group.c: the group map, by name and by gid, and a user's groups. */
#include <stdio.h>
#include <stdlib.h>

#include "cache.h"
#include "handlers.h"
#include "names.h"
#include "protocol.h"
#include "record.h"
#include "stats.h"

static int reply_group(const struct request *rq, struct wbuf *out, int rc,
		       const struct group *g)
{
	struct cdb_group r;
	char gid[16];
	int st = status_of(rc);

	wbuf_begin(out, (uint16_t)st);
	if (st == CDB_STATUS_OK) {
		r.name = g->name;
		r.gid = g->gid;
		r.nmembers = g->nmembers;
		r.members = (const char *const *)g->members;
		if (record_put_group(out, &r) != 0) {
			wbuf_begin(out, CDB_STATUS_ERROR);
			return CDB_STATUS_ERROR;
		}
		snprintf(gid, sizeof(gid), "%lu", (unsigned long)g->gid);
		cache_put('g', g->name, cache_expiry(rq), out->data + REPLY_FIELDS,
			  out->len - REPLY_FIELDS);
		cache_put('G', gid, cache_expiry(rq), out->data + REPLY_FIELDS,
			  out->len - REPLY_FIELDS);
	}
	return st;
}

int handle_getgrnam(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	char name[CDB_NAME_MAX + 2];
	struct group g;
	int rc, st;

	if (rbuf_get_str(in, name, sizeof(name)) != 0 || rbuf_end(in) != 0) {
		wbuf_begin(out, CDB_STATUS_NOTFOUND);
		return CDB_STATUS_NOTFOUND;
	}
	snprintf(rq->what, sizeof(rq->what), "getgrnam %s", name);
	if (cache_is_negative('g', name)) {
		stats_negative_hit();
		wbuf_begin(out, CDB_STATUS_NOTFOUND);
		return CDB_STATUS_NOTFOUND;
	}
	stats_db_lookup();
	rc = connector_group_by_name(rq->session, name, &g);
	if (rc == CONN_NOTFOUND)
		cache_put_negative('g', name);
	st = reply_group(rq, out, rc, &g);
	group_clear(&g);
	return st;
}

int handle_getgrgid(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	char key[16];
	struct group g;
	uint32_t gid;
	int rc, st;

	if (rbuf_get_u32(in, &gid) != 0 || rbuf_end(in) != 0)
		return -1;
	snprintf(rq->what, sizeof(rq->what), "getgrgid %lu", (unsigned long)gid);
	snprintf(key, sizeof(key), "%lu", (unsigned long)gid);
	if (cache_is_negative('G', key)) {
		stats_negative_hit();
		wbuf_begin(out, CDB_STATUS_NOTFOUND);
		return CDB_STATUS_NOTFOUND;
	}
	stats_db_lookup();
	rc = connector_group_by_gid(rq->session, (gid_t)gid, &g);
	if (rc == CONN_NOTFOUND)
		cache_put_negative('G', key);
	st = reply_group(rq, out, rc, &g);
	group_clear(&g);
	return st;
}

int handle_initgroups(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	char name[CDB_NAME_MAX + 2];
	gid_t *gids = NULL;
	size_t n = 0, i;
	int rc, st;

	if (rbuf_get_str(in, name, sizeof(name)) != 0 || rbuf_end(in) != 0) {
		wbuf_begin(out, CDB_STATUS_NOTFOUND);
		return CDB_STATUS_NOTFOUND;
	}
	snprintf(rq->what, sizeof(rq->what), "initgroups %s", name);
	rc = connector_user_groups(rq->session, name, &gids, &n);
	st = status_of(rc);
	/* no groups is an answer too, worth keeping in the host cache for a
	 * user who exists; for a name nobody looked up (or that the database
	 * does not know) it is kept nowhere, so that a flood of made-up names
	 * does not grow the file */
	wbuf_begin(out, (uint16_t)st);
	if (st == CDB_STATUS_OK) {
		wbuf_put_u32(out, (uint32_t)n);
		for (i = 0; i < n; i++)
			wbuf_put_u32(out, (uint32_t)gids[i]);
		if (!out->failed && cache_has('p', name))
			cache_put('i', name, cache_expiry(rq), out->data + REPLY_FIELDS,
				  out->len - REPLY_FIELDS);
	}
	free(gids);
	return st;
}
