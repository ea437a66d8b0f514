/* handle_enum.c: getpwent and getgrent, one page at a time (enumerate = yes).
 *
 * The list is the connector's (the store's, then the legacy database's),
 * followed by the users or groups of the daemon's host cache that it does not
 * name (looked up lately; in name order), at most enumerate_limit in all.
 * When the connector cannot answer (the database is down) the cache's part
 * stands alone, expired entries included, as a look-up by name would serve
 * them; otherwise only fresh ones are added: an expired entry the database no
 * longer lists is probably gone.
 *
 * The list is built once and kept (a snapshot per kind); a request replies
 * the records from its offset on that fit in one message. A request for
 * the first page builds it anew when root asks (getent as an administrator
 * sees what is there now) or when it is ENUM_SNAPSHOT_S old; any other page
 * uses the snapshot unless it is ENUM_SNAPSHOT_MAX_S old. So a walk sees one
 * list, and no caller can make the daemon run the listing, walk the cache
 * and sort more than once per ENUM_SNAPSHOT_S: any local user may ask for
 * pages. A record that could never
 * travel (a string or a member list over the protocol's limits) is left out
 * of the list, so that the offsets the client walks stay the same. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "handlers.h"
#include "log.h"
#include "names.h"
#include "protocol.h"
#include "record.h"

/* Seconds a snapshot answers a first page asked for by a user other than
 * root, and any page at all. */
#define ENUM_SNAPSHOT_S 5
#define ENUM_SNAPSHOT_MAX_S 60

/* Bytes of records in one reply: the message's limit less a margin for its
 * header and counts. */
#define PAGE_BYTES (CDB_MAX_MESSAGE - 64u * 1024u)

/* What a page needs to know of one kind of list (users or groups). */
struct kind {
	size_t size;                                /* of one element */
	size_t (*bytes)(const void *e);             /* its record on the wire; 0: never fits */
	int (*put)(struct wbuf *w, const void *e);
	void (*clear)(void *e);
	const char *(*name)(const void *e);
};

static size_t user_bytes(const void *e)
{
	struct cdb_passwd p;

	passwd_record_of(e, &p);
	return record_passwd_size(&p);
}

static int user_put(struct wbuf *w, const void *e)
{
	struct cdb_passwd p;

	passwd_record_of(e, &p);
	return record_put_passwd(w, &p);
}

static void user_clear_v(void *e)
{
	user_clear(e);
}

static const char *user_name(const void *e)
{
	return ((const struct user *)e)->name;
}

static size_t group_bytes(const void *e)
{
	struct cdb_group r;

	group_record_of(e, &r);
	return record_group_size(&r);
}

static int group_put(struct wbuf *w, const void *e)
{
	struct cdb_group r;

	group_record_of(e, &r);
	return record_put_group(w, &r);
}

static void group_clear_v(void *e)
{
	group_clear(e);
}

static const char *group_name(const void *e)
{
	return ((const struct group *)e)->name;
}

static const struct kind users = { sizeof(struct user), user_bytes, user_put, user_clear_v,
				   user_name };
static const struct kind groups = { sizeof(struct group), group_bytes, group_put, group_clear_v,
				    group_name };

/* A list being built: n elements of k->size bytes. */
struct list {
	const struct kind *k;
	char *v;
	size_t n, cap, limit;
	const char **listed;    /* the connector's names, sorted: not added again */
	size_t nlisted;
	bool stale_ok;          /* the connector failed: expired entries too */
	uint64_t now;
	const struct config *cfg;
	bool failed;
};

static void *at(const struct list *l, size_t i)
{
	return l->v + i * l->k->size;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_elem(const void *a, const void *b, void *arg)
{
	const struct kind *k = arg;

	return strcmp(k->name(a), k->name(b));
}

/* Room for one more element; false (l->failed) on ENOMEM. */
static bool room(struct list *l)
{
	size_t ncap;
	char *nv;

	if (l->n < l->cap)
		return true;
	ncap = l->cap > 0 ? l->cap * 2 : 64;
	nv = realloc(l->v, ncap * l->k->size);
	if (nv == NULL) {
		l->failed = true;
		return false;
	}
	l->v = nv;
	l->cap = ncap;
	return true;
}

/* Should a cache entry named name (n bytes) with this expiry join the list? */
static bool cache_wanted(const struct list *l, const char *name, size_t n, uint64_t expires)
{
	char key[CDB_NAME_MAX + 1];
	const char *k = key;

	if (l->failed || !cdb_name_valid(name, n))
		return false;
	if (expires != 0 && expires <= l->now && !l->stale_ok)
		return false;
	memcpy(key, name, n);
	key[n] = '\0';
	return l->nlisted == 0 ||
	       bsearch(&k, l->listed, l->nlisted, sizeof(*l->listed), cmp_name) == NULL;
}

static char *dup_ref(const struct strref *s)
{
	return strndup(s->s, s->n);
}

/* cache_each callbacks: decode a cached record into the list. They run
 * under the cache's lock: nothing here calls back into the cache. */
static void add_cached_user(const char *key, size_t keylen, uint64_t expires, const void *value,
			    size_t len, void *arg)
{
	struct list *l = arg;
	struct cdb_passwd_ref p;
	struct user *u;
	struct rbuf r;

	(void)key;
	(void)keylen;
	rbuf_init(&r, value, len);
	if (record_get_passwd(&r, &p) != 0 || !cache_wanted(l, p.name.s, p.name.n, expires) ||
	    !map_id_allowed(l->cfg, p.uid) || !map_primary_gid_allowed(l->cfg, p.gid) || !room(l))
		return;
	u = at(l, l->n);
	memset(u, 0, sizeof(*u));
	u->uid = p.uid;
	u->gid = p.gid;
	u->name = dup_ref(&p.name);
	u->gecos = dup_ref(&p.gecos);
	u->home = dup_ref(&p.home);
	u->shell = dup_ref(&p.shell);
	if (u->name == NULL || u->gecos == NULL || u->home == NULL || u->shell == NULL) {
		user_clear(u);
		l->failed = true;
		return;
	}
	l->n++;
}

static void add_cached_group(const char *key, size_t keylen, uint64_t expires, const void *value,
			     size_t len, void *arg)
{
	struct list *l = arg;
	struct cdb_group_ref c;
	struct strref m;
	struct group *g;
	struct rbuf r;
	uint32_t i;

	(void)key;
	(void)keylen;
	rbuf_init(&r, value, len);
	if (record_get_group(&r, &c) != 0 || !cache_wanted(l, c.name.s, c.name.n, expires) ||
	    !map_gid_allowed(l->cfg, c.gid) || !room(l))
		return;
	g = at(l, l->n);
	memset(g, 0, sizeof(*g));
	g->gid = c.gid;
	g->name = dup_ref(&c.name);
	g->members = calloc(c.nmembers > 0 ? c.nmembers : 1, sizeof(*g->members));
	if (g->name == NULL || g->members == NULL)
		goto nomem;
	r = c.members;
	for (i = 0; i < c.nmembers; i++) {
		/* the strings were checked by record_get_group */
		if (rbuf_get_strref(&r, &m.s, &m.n) != 0 || (g->members[i] = dup_ref(&m)) == NULL)
			goto nomem;
		g->nmembers++;
	}
	l->n++;
	return;
nomem:
	group_clear(g);
	l->failed = true;
}

/* Add the cache's entries of kind (in name order) that the connector's
 * list does not hold, up to the limit. */
static void add_cached(struct list *l, char kind)
{
	size_t first = l->n, i;

	l->listed = calloc(l->n > 0 ? l->n : 1, sizeof(*l->listed));
	if (l->listed == NULL) {
		l->failed = true;
		return;
	}
	for (i = 0; i < l->n; i++)
		l->listed[l->nlisted++] = l->k->name(at(l, i));
	qsort(l->listed, l->nlisted, sizeof(*l->listed), cmp_name);
	cache_each(kind, kind == 'p' ? add_cached_user : add_cached_group, l);
	free(l->listed);
	l->listed = NULL;
	if (l->n > first)
		qsort_r(at(l, first), l->n - first, l->k->size, cmp_elem, (void *)l->k);
	while (l->n > l->limit)
		l->k->clear(at(l, --l->n));
}

/* Leave out what could never travel, keeping the order. */
static void drop_unsendable(struct list *l)
{
	size_t i, kept = 0;

	for (i = 0; i < l->n; i++) {
		if (l->k->bytes(at(l, i)) == 0 || l->k->bytes(at(l, i)) > PAGE_BYTES) {
			log_msg(LOG_WARNING, "enumeration: %s is too large for the protocol; not "
				"listed", l->k->name(at(l, i)));
			l->k->clear(at(l, i));
			continue;
		}
		if (kept != i)
			memcpy(at(l, kept), at(l, i), l->k->size);
		kept++;
	}
	l->n = kept;
}

/* Reply OK: the total, then the records from offset on that fit. */
static int reply_page(struct request *rq, struct wbuf *out, const struct list *l,
		      uint32_t offset, const char *what)
{
	size_t i, k = 0, used = 0, b;

	for (i = offset; i < l->n; i++, k++) {
		b = l->k->bytes(at(l, i));
		if (used + b > PAGE_BYTES)
			break;
		used += b;
	}
	wbuf_begin(out, CDB_STATUS_OK);
	wbuf_put_u32(out, (uint32_t)l->n);
	wbuf_put_u32(out, (uint32_t)k);
	for (i = offset; i < offset + k; i++)
		l->k->put(out, at(l, i));
	if (out->failed) {
		wbuf_begin(out, CDB_STATUS_ERROR);
		return CDB_STATUS_ERROR;
	}
	snprintf(rq->what, sizeof(rq->what), "%s %lu..%lu of %zu", what, (unsigned long)offset,
		 (unsigned long)(offset + k), l->n);
	return CDB_STATUS_OK;
}

/* One kind's list as last built, for the pages that follow. */
struct snapshot {
	pthread_mutex_t lock;
	bool have;
	struct list l;
	int rc;           /* of the connector's listing */
	time_t built;
};

static struct snapshot user_snap = { .lock = PTHREAD_MUTEX_INITIALIZER };
static struct snapshot group_snap = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void snapshot_clear(struct snapshot *sn)
{
	size_t i;

	for (i = 0; i < sn->l.n; i++)
		sn->l.k->clear(at(&sn->l, i));
	free(sn->l.v);
	memset(&sn->l, 0, sizeof(sn->l));
	sn->have = false;
}

/* Build sn's list anew: the connector's, then the host cache's (lock held). */
static void snapshot_build(struct snapshot *sn, struct request *rq, const struct kind *k,
			   const char *what)
{
	const bool is_users = k == &users;
	struct user *uv = NULL;
	struct group *gv = NULL;
	size_t n = 0;

	snapshot_clear(sn);
	sn->l = (struct list){ .k = k, .limit = (size_t)rq->cfg->enumerate_limit, .cfg = rq->cfg,
			       .now = (uint64_t)time(NULL) };
	sn->rc = is_users ? connector_list_users(rq->session, &uv, &n)
			  : connector_list_groups(rq->session, &gv, &n);
	if (sn->rc == CONN_OK) {
		sn->l.v = is_users ? (char *)uv : (char *)gv;
		sn->l.n = sn->l.cap = n;
	} else {
		log_msg(LOG_WARNING, "%s: %s; listing the host cache only", what,
			conn_rc_name(sn->rc));
		sn->l.stale_ok = true;
	}
	add_cached(&sn->l, is_users ? 'p' : 'g');
	drop_unsendable(&sn->l);
	sn->built = time(NULL);
	sn->have = !sn->l.failed;
	log_msg(LOG_DEBUG, "%s: list built: %zu entries", what, sn->l.n);
}

static bool snapshot_stale(const struct snapshot *sn, const struct request *rq,
			   uint32_t offset)
{
	time_t age = time(NULL) - sn->built;

	if (!sn->have || age < 0 || age >= ENUM_SNAPSHOT_MAX_S)
		return true;
	return offset == 0 && (rq->peer_uid == 0 || age >= ENUM_SNAPSHOT_S);
}

/* The whole of a list request, for either kind. */
static int handle_list(struct request *rq, struct rbuf *in, struct wbuf *out,
		       const struct kind *k)
{
	const char *what = k == &users ? "getpwent" : "getgrent";
	struct snapshot *sn = k == &users ? &user_snap : &group_snap;
	uint32_t offset;
	int st;

	if (rbuf_get_u32(in, &offset) != 0 || rbuf_end(in) != 0)
		return -1;
	snprintf(rq->what, sizeof(rq->what), "%s from %lu", what, (unsigned long)offset);
	if (!rq->cfg->enumerate) {
		wbuf_begin(out, CDB_STATUS_NOTFOUND);
		return CDB_STATUS_NOTFOUND;
	}
	/* one listing at a time: the others wait for it, and share it */
	pthread_mutex_lock(&sn->lock);
	if (snapshot_stale(sn, rq, offset))
		snapshot_build(sn, rq, k, what);
	if (sn->l.failed) {
		log_msg(LOG_ERR, "%s: out of memory", what);
		st = CDB_STATUS_ERROR;
		wbuf_begin(out, (uint16_t)st);
		snapshot_clear(sn);
	} else if (sn->rc != CONN_OK && sn->l.n == 0) {
		/* nothing at all to show: say why */
		st = status_of(sn->rc);
		wbuf_begin(out, (uint16_t)st);
	} else {
		st = reply_page(rq, out, &sn->l, offset, what);
	}
	pthread_mutex_unlock(&sn->lock);
	return st;
}

int handle_list_users(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	return handle_list(rq, in, out, &users);
}

int handle_list_groups(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	return handle_list(rq, in, out, &groups);
}
