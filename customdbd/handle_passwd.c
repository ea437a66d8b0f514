/* handle_passwd.c: the passwd map, by name and by uid. */
#include <stdio.h>
#include <time.h>

#include "cache.h"
#include "handlers.h"
#include "names.h"
#include "protocol.h"
#include "record.h"
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

static int reply_user(const struct request *rq, struct wbuf *out, int rc, const struct user *u)
{
	struct cdb_passwd p;
	char uid[16];
	int st = status_of(rc);

	wbuf_begin(out, (uint16_t)st);
	if (st == CDB_STATUS_OK) {
		p.name = u->name;
		p.uid = u->uid;
		p.gid = u->gid;
		p.gecos = u->gecos;
		p.home = u->home;
		p.shell = u->shell;
		if (record_put_passwd(out, &p) == 0) {
			snprintf(uid, sizeof(uid), "%lu", (unsigned long)u->uid);
			cache_put('p', u->name, cache_expiry(rq), out->data + REPLY_FIELDS,
				  out->len - REPLY_FIELDS);
			cache_put('u', uid, cache_expiry(rq), out->data + REPLY_FIELDS,
				  out->len - REPLY_FIELDS);
		}
	}
	return st;
}

uint64_t cache_expiry(const struct request *rq)
{
	return (uint64_t)time(NULL) + (uint64_t)rq->cfg->cache_ttl;
}

int handle_getpwnam(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	char name[CDB_NAME_MAX + 2];
	struct user u;
	int rc, st;

	if (rbuf_get_str(in, name, sizeof(name)) != 0 || rbuf_end(in) != 0) {
		/* a name too long to be ours is simply not ours */
		wbuf_begin(out, CDB_STATUS_NOTFOUND);
		return CDB_STATUS_NOTFOUND;
	}
	snprintf(rq->what, sizeof(rq->what), "getpwnam %s", name);
	if (cache_is_negative('p', name)) {
		stats_negative_hit();
		wbuf_begin(out, CDB_STATUS_NOTFOUND);
		return CDB_STATUS_NOTFOUND;
	}
	stats_db_lookup();
	rc = connector_user_by_name(rq->session, name, &u);
	if (rc == CONN_NOTFOUND)
		cache_put_negative('p', name);
	st = reply_user(rq, out, rc, &u);
	user_clear(&u);
	return st;
}

int handle_getpwuid(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	char key[16];
	struct user u;
	uint32_t uid;
	int rc, st;

	if (rbuf_get_u32(in, &uid) != 0 || rbuf_end(in) != 0)
		return -1;
	snprintf(rq->what, sizeof(rq->what), "getpwuid %lu", (unsigned long)uid);
	snprintf(key, sizeof(key), "%lu", (unsigned long)uid);
	if (cache_is_negative('u', key)) {
		stats_negative_hit();
		wbuf_begin(out, CDB_STATUS_NOTFOUND);
		return CDB_STATUS_NOTFOUND;
	}
	stats_db_lookup();
	rc = connector_user_by_uid(rq->session, (uid_t)uid, &u);
	if (rc == CONN_NOTFOUND)
		cache_put_negative('u', key);
	st = reply_user(rq, out, rc, &u);
	user_clear(&u);
	return st;
}
