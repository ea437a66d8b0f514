/* handle_group.c: the group map, by name and by gid, and a user's groups. */
#include <stdio.h>
#include <stdlib.h>

#include "handlers.h"
#include "names.h"
#include "protocol.h"
#include "record.h"

static int reply_group(struct wbuf *out, int rc, const struct group *g)
{
	struct cdb_group r;
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
	rc = connector_group_by_name(rq->session, name, &g);
	st = reply_group(out, rc, &g);
	group_clear(&g);
	return st;
}

int handle_getgrgid(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	struct group g;
	uint32_t gid;
	int rc, st;

	if (rbuf_get_u32(in, &gid) != 0 || rbuf_end(in) != 0)
		return -1;
	snprintf(rq->what, sizeof(rq->what), "getgrgid %lu", (unsigned long)gid);
	rc = connector_group_by_gid(rq->session, (gid_t)gid, &g);
	st = reply_group(out, rc, &g);
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
	if (st == CDB_STATUS_OK && n == 0)
		st = CDB_STATUS_NOTFOUND;
	wbuf_begin(out, (uint16_t)st);
	if (st == CDB_STATUS_OK) {
		wbuf_put_u32(out, (uint32_t)n);
		for (i = 0; i < n; i++)
			wbuf_put_u32(out, (uint32_t)gids[i]);
	}
	free(gids);
	return st;
}
