/* enum.c: see enum.h. */
#include "enum.h"

#include <errno.h>
#include <string.h>

#include "protocol.h"
#include "record.h"
#include "wire.h"

/* Let the page go (lock held). */
static void drop_page(struct nss_enum *e)
{
	if (e->page.body != NULL)
		nss_reply_free(&e->page);
	memset(&e->next, 0, sizeof(e->next));
	e->left = 0;
}

void nss_enum_reset(struct nss_enum *e)
{
	pthread_mutex_lock(&e->lock);
	drop_page(e);
	e->offset = 0;
	e->total = 0;
	e->started = false;
	e->done = false;
	pthread_mutex_unlock(&e->lock);
}

/* The walk is over: NOTFOUND from now on (lock held). */
static enum nss_status finish(struct nss_enum *e, enum nss_status st, int err, int *errnop)
{
	drop_page(e);
	e->done = true;
	*errnop = err;
	return st;
}

/* Ask the daemon for the page at e->offset (lock held). NSS_STATUS_SUCCESS
 * with at least one record to hand out, or what getXXent_r returns. */
static enum nss_status fetch(struct nss_enum *e, int *errnop)
{
	struct wbuf w;
	enum nss_status st;
	uint32_t total, n;

	drop_page(e);
	if (e->started && e->offset >= e->total)
		return finish(e, NSS_STATUS_NOTFOUND, ENOENT, errnop);
	wbuf_init(&w);
	wbuf_begin(&w, e->op);
	wbuf_put_u32(&w, e->offset);
	st = nss_call(&w, &e->page, errnop);
	if (st != NSS_STATUS_SUCCESS)
		return finish(e, st, *errnop, errnop);
	if (e->page.status != CDB_STATUS_OK) {
		st = nss_status_of(e->page.status, errnop);
		return finish(e, st, *errnop, errnop);
	}
	if (rbuf_get_u32(&e->page.fields, &total) != 0 || rbuf_get_u32(&e->page.fields, &n) != 0 ||
	    n > total)
		return finish(e, NSS_STATUS_UNAVAIL, ENOENT, errnop);
	/* n == 0: the end, or a page that cannot move on */
	if (n == 0)
		return finish(e, NSS_STATUS_NOTFOUND, ENOENT, errnop);
	e->started = true;
	e->total = total;
	e->next = e->page.fields;
	e->left = n;
	return NSS_STATUS_SUCCESS;
}

/* Move r past one record of the walk's kind. 0 or -1 (malformed). */
static int skip_record(uint16_t op, struct rbuf *r)
{
	struct cdb_passwd_ref p;
	struct cdb_group_ref g;

	return op == CDB_OP_LIST_USERS ? record_get_passwd(r, &p) : record_get_group(r, &g);
}

enum nss_status nss_enum_next(struct nss_enum *e, nss_pack_fn pack, void *record, char *buf,
			      size_t buflen, int *errnop)
{
	enum nss_status st;
	struct rbuf rec, rest;
	int saved = errno, err = 0;

	if (buf == NULL || buflen == 0) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	pthread_mutex_lock(&e->lock);
	if (e->done) {
		st = NSS_STATUS_NOTFOUND;
		err = ENOENT;
		goto out;
	}
	if (e->left == 0) {
		st = fetch(e, &err);
		if (st != NSS_STATUS_SUCCESS)
			goto out;
	}
	/* the record alone, as pack wants it */
	rec = e->next;
	rest = e->next;
	if (skip_record(e->op, &rest) != 0) {
		st = finish(e, NSS_STATUS_UNAVAIL, ENOENT, &err);
		goto out;
	}
	rec.left -= rest.left;
	st = pack(&rec, record, buf, buflen, &err);
	if (st == NSS_STATUS_TRYAGAIN)
		goto out;           /* ERANGE: the same record again, with more room */
	if (st != NSS_STATUS_SUCCESS) {
		st = finish(e, st, err, &err);
		goto out;
	}
	e->next = rest;
	e->offset++;
	if (--e->left == 0)
		drop_page(e);
out:
	pthread_mutex_unlock(&e->lock);
	/* errno as the caller had it, and then *errnop: glibc passes &errno
	 * there and reads ERANGE from it */
	errno = saved;
	if (st != NSS_STATUS_SUCCESS)
		*errnop = err;
	return st;
}
