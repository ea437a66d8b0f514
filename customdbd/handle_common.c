/* handle_common.c: what the handlers share: the protocol status of a
 * connector result, when an answer stops being fresh, and the one look-up
 * that handle_passwd.c and handle_group.c drive with their map's row. */
#include <stdio.h>
#include <time.h>

#include "cache.h"
#include "handlers.h"
#include "names.h"
#include "namemap.h"
#include "protocol.h"
#include "stats.h"

int status_of(int conn_rc)
{
	switch (conn_rc) {
	case CONN_OK: return CDB_STATUS_OK;
	case CONN_NOTFOUND: return CDB_STATUS_NOTFOUND;
	case CONN_AUTH_ERR: return CDB_STATUS_AUTH_ERR;
	case CONN_DISABLED: return CDB_STATUS_ACCT_DISABLED;
	case CONN_EXPIRED: return CDB_STATUS_ACCT_EXPIRED;
	case CONN_UNAVAIL: return CDB_STATUS_UNAVAIL;
	case CONN_DENIED: return CDB_STATUS_DENIED;
	case CONN_NEW_AUTHTOK: return CDB_STATUS_NEW_AUTHTOK;
	}
	return CDB_STATUS_ERROR;
}

uint64_t cache_expiry(const struct request *rq)
{
	return (uint64_t)time(NULL) + (uint64_t)rq->cfg->cache_ttl;
}

void passwd_record_of(const struct user *u, struct cdb_passwd *p)
{
	*p = (struct cdb_passwd){ .name = u->name, .uid = u->uid, .gid = u->gid, .gecos = u->gecos,
				  .home = u->home, .shell = u->shell };
}

void group_record_of(const struct group *g, struct cdb_group *r)
{
	*r = (struct cdb_group){ .name = g->name, .gid = g->gid, .nmembers = g->nmembers,
				 .members = (const char *const *)g->members };
}

/* The record found, packed after the status; kept in the host cache by name
 * and by id. The status replied with. */
static int reply_found(const struct lookup_map *m, const struct request *rq, struct wbuf *out,
		       const union lookup_rec *r)
{
	const char *name;
	uint32_t id;
	char key[16];

	if (m->pack(out, r, &name, &id) != 0) {
		wbuf_begin(out, CDB_STATUS_ERROR);
		return CDB_STATUS_ERROR;
	}
	snprintf(key, sizeof(key), "%lu", (unsigned long)id);
	cache_put(m->name_kind, name, cache_expiry(rq), out->data + REPLY_FIELDS,
		  out->len - REPLY_FIELDS);
	cache_put(m->id_kind, key, cache_expiry(rq), out->data + REPLY_FIELDS,
		  out->len - REPLY_FIELDS);
	return CDB_STATUS_OK;
}

int handle_lookup(const struct lookup_map *m, const char *verb, bool by_id, struct request *rq,
		  struct rbuf *in, struct wbuf *out)
{
	char key[CDB_NAME_MAX + 2];
	char kind = by_id ? m->id_kind : m->name_kind;
	union lookup_rec r;
	uint32_t id = 0;
	int rc, st;

	if (by_id) {
		if (rbuf_get_u32(in, &id) != 0 || rbuf_end(in) != 0)
			return -1;
		snprintf(key, sizeof(key), "%lu", (unsigned long)id);
	} else if (rbuf_get_str(in, key, sizeof(key)) != 0 || rbuf_end(in) != 0) {
		/* a name too long to be ours is simply not ours */
		wbuf_begin(out, CDB_STATUS_NOTFOUND);
		return CDB_STATUS_NOTFOUND;
	} else {
		/* case_sensitive = false: every spelling is one key, the one
		 * the host cache keeps */
		namemap_fold(rq->cfg, key);
	}
	snprintf(rq->what, sizeof(rq->what), "%s %s", verb, key);
	if (cache_is_negative(kind, key)) {
		stats_negative_hit();
		wbuf_begin(out, CDB_STATUS_NOTFOUND);
		return CDB_STATUS_NOTFOUND;
	}
	stats_db_lookup();
	rc = m->fetch(rq->session, by_id ? NULL : key, id, &r);
	if (rc == CONN_NOTFOUND)
		cache_put_negative(kind, key);
	st = status_of(rc);
	wbuf_begin(out, (uint16_t)st);
	if (st == CDB_STATUS_OK)
		st = reply_found(m, rq, out, &r);
	m->clear(&r);
	return st;
}
