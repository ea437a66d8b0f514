/* handle_group.c: the group map, by name and by gid, and a user's groups. */
#include <stdio.h>
#include <stdlib.h>

#include "cache.h"
#include "handlers.h"
#include "names.h"
#include "namemap.h"
#include "protocol.h"
#include "record.h"

static int fetch_group(struct session *s, const char *name, uint32_t gid, union lookup_rec *r)
{
	if (name != NULL)
		return connector_group_by_name(s, name, &r->group);
	return connector_group_by_gid(s, (gid_t)gid, &r->group);
}

static int pack_group(struct wbuf *out, const union lookup_rec *r, const char **name,
		      uint32_t *gid)
{
	struct cdb_group rec;

	group_record_of(&r->group, &rec);
	*name = rec.name;
	*gid = rec.gid;
	return record_put_group(out, &rec);
}

static void clear_group(union lookup_rec *r)
{
	group_clear(&r->group);
}

static const struct lookup_map group_map = { 'g', 'G', fetch_group, pack_group, clear_group };

int handle_getgrnam(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	return handle_lookup(&group_map, "getgrnam", false, rq, in, out);
}

int handle_getgrgid(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	return handle_lookup(&group_map, "getgrgid", true, rq, in, out);
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
	namemap_fold(rq->cfg, name);  /* the key alice's passwd entry has */
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
