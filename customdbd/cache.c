/* cache.c: see cache.h. */
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostcache_write.h"
#include "log.h"
#include "names.h"
#include "record.h"

/* Fewest seconds between two rewrites of the file. */
#define CACHE_WRITE_INTERVAL_S 1

struct entry {
	struct entry *next;
	uint64_t expires;        /* of the answer (0: never) */
	time_t negative_until;   /* negative table: known not to exist until then */
	unsigned char *value;    /* 8 bytes of expiry, then the record: as in the file */
	size_t len;              /* of the record, without the 8 bytes */
	size_t keylen;           /* kind letter + key */
	char key[];
};

/* A chained hash table; cursor: where the next eviction sweep starts, so
 * that sweeps do not always empty the same buckets. */
struct table {
	struct entry **buckets;
	size_t nbuckets, count, cursor;
};

/* Answers (what the file holds) and "no such" answers (memory only) are
 * kept apart: each has its cap, and a flood of names that do not exist
 * never pushes out a user who does. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running, stopping, dirty;
	/* cache_flush waits for the file to hold its change: asked is bumped
	 * by each flush, written set to the asked a finished rewrite saw */
	pthread_cond_t written_cond;
	unsigned long asked, written;
	struct table pos, neg;
	const struct config *cfg;
} c = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,
	.written_cond = PTHREAD_COND_INITIALIZER };

/* FNV-1a */
static size_t hash(const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static int grow(struct table *t)
{
	size_t n = t->nbuckets ? t->nbuckets * 2 : 1024, i;
	struct entry **b = calloc(n, sizeof(*b)), *e, *next;

	if (b == NULL)
		return -1;
	for (i = 0; i < t->nbuckets; i++) {
		for (e = t->buckets[i]; e != NULL; e = next) {
			size_t h = hash(e->key, e->keylen) & (n - 1);

			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
	return 0;
}

/* Longest key kept: kind letter + 256 bytes. */
#define CACHE_KEY_MAX (1 + 256)

/* kind letter + key into k (CACHE_KEY_MAX bytes); its length, 0 if too long. */
static size_t full_key(char *k, char kind, const char *key, size_t keylen)
{
	if (keylen > CACHE_KEY_MAX - 1)
		return 0;
	k[0] = kind;
	memcpy(k + 1, key, keylen);
	return keylen + 1;
}

/* The link that points at the entry k in t, or NULL (lock held). */
static struct entry **slot(struct table *t, const char *k, size_t klen)
{
	struct entry **pp;

	if (t->nbuckets == 0)
		return NULL;
	for (pp = &t->buckets[hash(k, klen) & (t->nbuckets - 1)]; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->keylen == klen && memcmp((*pp)->key, k, klen) == 0)
			return pp;
	return NULL;
}

/* The entry for kind+key in t, created empty if create (lock held). */
static struct entry *find(struct table *t, char kind, const char *key, size_t keylen,
			  bool create)
{
	char k[CACHE_KEY_MAX];
	size_t klen = full_key(k, kind, key, keylen), h;
	struct entry **pp, *e;

	if (klen == 0)
		return NULL;
	pp = slot(t, k, klen);
	if (pp != NULL)
		return *pp;
	if (!create)
		return NULL;
	if ((t->nbuckets == 0 || t->count >= t->nbuckets) && grow(t) != 0 && t->nbuckets == 0)
		return NULL;
	h = hash(k, klen) & (t->nbuckets - 1);
	e = calloc(1, sizeof(*e) + klen);
	if (e == NULL)
		return NULL;
	memcpy(e->key, k, klen);
	e->keylen = klen;
	e->next = t->buckets[h];
	t->buckets[h] = e;
	t->count++;
	return e;
}

/* Unlink *pp (an entry of t) and free it. */
static void drop(struct table *t, struct entry **pp)
{
	struct entry *e = *pp;

	*pp = e->next;
	free(e->value);
	free(e);
	t->count--;
}

/* Drop kind+key from t, if there. True if it was. */
static bool forget(struct table *t, char kind, const char *key)
{
	char k[CACHE_KEY_MAX];
	size_t klen = full_key(k, kind, key, strlen(key));
	struct entry **pp = klen != 0 ? slot(t, k, klen) : NULL;

	if (pp == NULL)
		return false;
	drop(t, pp);
	return true;
}

/* Which entries an eviction pass takes. */
enum evict_pass {
	EVICT_EXPIRED,    /* answers past their expiry, "no such" past negative_ttl */
	EVICT_EXPIRING,   /* answers that expire at all (not migrated users) */
	EVICT_ANY,
};

static bool evictable(const struct entry *e, enum evict_pass pass, time_t now)
{
	switch (pass) {
	case EVICT_EXPIRED:
		return e->value != NULL ? e->expires != 0 && e->expires < (uint64_t)now
					: e->negative_until <= now;
	case EVICT_EXPIRING:
		return e->value == NULL || e->expires != 0;
	case EVICT_ANY:
		break;
	}
	return true;
}

/* Drop entries of t that the pass takes, from the cursor on, until at most
 * target are left. Returns how many went. */
static size_t sweep(struct table *t, enum evict_pass pass, size_t target, time_t now)
{
	size_t i, b, dropped = 0;
	struct entry **pp;

	for (i = 0; i < t->nbuckets && t->count > target; i++) {
		b = (t->cursor + i) & (t->nbuckets - 1);
		for (pp = &t->buckets[b]; *pp != NULL && t->count > target;) {
			if (evictable(*pp, pass, now)) {
				drop(t, pp);
				dropped++;
			} else {
				pp = &(*pp)->next;
			}
		}
	}
	t->cursor = (t->cursor + i) & (t->nbuckets - 1);
	return dropped;
}

/* t holds more than max: bring it down to 7/8 of max (so that the next
 * sweep is max/8 insertions away), expired entries first (lock held).
 * Returns how many went. */
static size_t evict(struct table *t, size_t max)
{
	size_t target = max - max / 8, dropped;
	time_t now = time(NULL);

	dropped = sweep(t, EVICT_EXPIRED, target, now);
	dropped += sweep(t, EVICT_EXPIRING, target, now);
	dropped += sweep(t, EVICT_ANY, target, now);
	return dropped;
}

static size_t max_entries(void)
{
	return c.cfg != NULL ? (size_t)c.cfg->cache_max_entries : SIZE_MAX;
}

static size_t max_negative(void)
{
	return c.cfg != NULL ? (size_t)c.cfg->negative_max_entries : 0;
}

/* Could kind+key be an answer customdb gives? Names and ids it never
 * answers for are refused at once, so they are never kept, positive or
 * negative (a flood of them costs nothing to remember). */
static bool key_allowed(char kind, const char *key, size_t keylen)
{
	unsigned long id;
	char *end;

	switch (kind) {
	case 'p':
	case 'g':
	case 'i':
		return cdb_name_valid(key, keylen);
	case 'u':
	case 'G':
		if (keylen == 0 || keylen > 10 || key[0] < '1' || key[0] > '9')
			return false;
		errno = 0;
		id = strtoul(key, &end, 10);
		if (errno != 0 || end != key + keylen || id > UINT32_MAX)
			return false;
		/* before cache_start (bench/cache_fill fills the cache so) no
		 * range is known yet: the file's loader checks them */
		if (c.cfg == NULL)
			return true;
		return kind == 'u' ? map_id_allowed(c.cfg, id) : map_gid_allowed(c.cfg, id);
	}
	return false;
}

static void set_value(struct entry *e, uint64_t expires, const void *value, size_t len)
{
	unsigned char *v = malloc(8 + len);

	if (v == NULL)
		return;
	hostcache_encode_expiry(expires, v);
	memcpy(v + 8, value, len);
	free(e->value);
	e->value = v;
	e->len = len;
	e->expires = expires;
}

/* Keep an answer (lock held): the caller has checked key_allowed. */
static void put(char kind, const char *key, size_t keylen, uint64_t expires, const void *value,
		size_t len)
{
	struct entry *e = find(&c.pos, kind, key, keylen, true);
	size_t n;

	if (e == NULL)
		return;
	if (e->value == NULL || e->len != len || memcmp(e->value + 8, value, len) != 0 ||
	    e->expires != expires)
		c.dirty = true;
	set_value(e, expires, value, len);
	if (e->value == NULL) {
		/* out of memory: an entry without a value has no place here */
		forget(&c.pos, kind, key);
		return;
	}
	if (c.pos.count > max_entries()) {
		n = evict(&c.pos, max_entries());
		c.dirty = true;
		log_msg(LOG_INFO, "host cache: full (cache_max_entries = %zu); %zu entries dropped",
			max_entries(), n);
	}
}

void cache_put(char kind, const char *key, uint64_t expires, const void *value, size_t len)
{
	size_t keylen = strlen(key);

	pthread_mutex_lock(&c.lock);
	if (key_allowed(kind, key, keylen)) {
		bool was_dirty = c.dirty;

		forget(&c.neg, kind, key);
		put(kind, key, keylen, expires, value, len);
		/* the writer waits for a signal only while nothing is dirty (it
		 * reads c.dirty itself otherwise): one signal per rewrite, not one
		 * wake-up of the writer per answer */
		if (c.dirty && !was_dirty)
			pthread_cond_signal(&c.wake);
	}
	pthread_mutex_unlock(&c.lock);
}

void cache_put_negative(char kind, const char *key)
{
	size_t keylen = strlen(key);
	struct entry *e;

	pthread_mutex_lock(&c.lock);
	if (!key_allowed(kind, key, keylen))
		goto out;
	if (forget(&c.pos, kind, key)) {
		c.dirty = true;
		pthread_cond_signal(&c.wake);
	}
	if (max_negative() == 0)
		goto out;
	e = find(&c.neg, kind, key, keylen, true);
	if (e == NULL)
		goto out;
	e->negative_until = time(NULL) + (c.cfg != NULL ? c.cfg->negative_ttl : 0);
	if (c.neg.count > max_negative())
		evict(&c.neg, max_negative());
out:
	pthread_mutex_unlock(&c.lock);
}

bool cache_is_negative(char kind, const char *key)
{
	struct entry *e;
	bool neg = false;

	pthread_mutex_lock(&c.lock);
	e = find(&c.neg, kind, key, strlen(key), false);
	if (e != NULL && e->negative_until > time(NULL))
		neg = true;
	else if (e != NULL)
		forget(&c.neg, kind, key);
	pthread_mutex_unlock(&c.lock);
	return neg;
}

bool cache_has(char kind, const char *key)
{
	bool has;

	pthread_mutex_lock(&c.lock);
	has = find(&c.pos, kind, key, strlen(key), false) != NULL;
	pthread_mutex_unlock(&c.lock);
	return has;
}

size_t cache_size(void)
{
	size_t n;

	pthread_mutex_lock(&c.lock);
	n = c.pos.count;
	pthread_mutex_unlock(&c.lock);
	return n;
}

size_t cache_negative_size(void)
{
	size_t n;

	pthread_mutex_lock(&c.lock);
	n = c.neg.count;
	pthread_mutex_unlock(&c.lock);
	return n;
}

void cache_put_user(const struct user *u, const gid_t *gids, size_t n, uint64_t expires)
{
	struct cdb_passwd p = { .name = u->name, .uid = u->uid, .gid = u->gid,
				.gecos = u->gecos, .home = u->home, .shell = u->shell };
	struct wbuf w;
	char uid[16];
	size_t i;

	wbuf_init(&w);
	if (record_put_passwd(&w, &p) == 0) {
		snprintf(uid, sizeof(uid), "%lu", (unsigned long)u->uid);
		cache_put('p', u->name, expires, w.data, w.len);
		cache_put('u', uid, expires, w.data, w.len);
	}
	if (gids != NULL) {
		wbuf_free(&w);
		wbuf_init(&w);
		wbuf_put_u32(&w, (uint32_t)n);
		for (i = 0; i < n; i++)
			wbuf_put_u32(&w, (uint32_t)gids[i]);
		if (!w.failed)
			cache_put('i', u->name, expires, w.data, w.len);
	}
	wbuf_free(&w);
}

void cache_put_group(const struct group *g, uint64_t expires)
{
	struct cdb_group r = { .name = g->name, .gid = g->gid, .nmembers = g->nmembers,
			       .members = (const char *const *)g->members };
	struct wbuf w;
	char gid[16];

	/* both keys' rules for both entries: neither may carry a name or a
	 * gid that the other's key would refuse */
	snprintf(gid, sizeof(gid), "%lu", (unsigned long)g->gid);
	if (!key_allowed('g', g->name, strlen(g->name)) || !key_allowed('G', gid, strlen(gid)))
		return;
	wbuf_init(&w);
	if (record_put_group(&w, &r) == 0) {
		cache_put('g', g->name, expires, w.data, w.len);
		cache_put('G', gid, expires, w.data, w.len);
	}
	wbuf_free(&w);
}

/* Does a "u" or "G" record name `name`? Both begin with the name as a wire
 * string: u32 length, then the bytes. */
static bool record_names(const struct entry *e, const char *name, size_t n)
{
	const unsigned char *v = e->value + 8;
	uint32_t len;

	if (e->len < 4)
		return false;
	len = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
	return len == n && e->len - 4 >= n && memcmp(v + 4, name, n) == 0;
}

/* Does a "g" or "G" record list `name` among its members? */
static bool record_lists(const struct entry *e, const char *name, size_t n)
{
	struct cdb_group_ref g;
	struct strref m;
	struct rbuf r;
	uint32_t i;

	rbuf_init(&r, e->value + 8, e->len);
	if (record_get_group(&r, &g) != 0)
		return false;
	for (i = 0; i < g.nmembers; i++)
		if (rbuf_get_strref(&g.members, &m.s, &m.n) == 0 && m.n == n &&
		    memcmp(m.s, name, n) == 0)
			return true;
	return false;
}

/* A user's entries go with them, and so do the entries of the groups that
 * list them: a group pinned in the file (a migrated one) would otherwise
 * go on listing a deleted user. */
static bool flush_matches(const struct entry *e, const char *name, size_t n)
{
	if (n == 0)
		return true;
	switch (e->key[0]) {
	case 'p':
	case 'i':
		return e->keylen == n + 1 && memcmp(e->key + 1, name, n) == 0;
	case 'g':
		return (e->keylen == n + 1 && memcmp(e->key + 1, name, n) == 0) ||
		       (e->value != NULL && record_lists(e, name, n));
	case 'u':
		return e->value != NULL && record_names(e, name, n);
	case 'G':
		return e->value != NULL && (record_names(e, name, n) || record_lists(e, name, n));
	}
	return false;
}

/* Drop the entries of t that flush_matches; returns how many. */
static size_t flush_table(struct table *t, const char *name, size_t n)
{
	size_t i, dropped = 0;
	struct entry **pp;

	for (i = 0; i < t->nbuckets; i++) {
		for (pp = &t->buckets[i]; *pp != NULL;) {
			if (flush_matches(*pp, name, n)) {
				drop(t, pp);
				dropped++;
			} else {
				pp = &(*pp)->next;
			}
		}
	}
	return dropped;
}

size_t cache_flush(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0, dropped;

	unsigned long mine;

	pthread_mutex_lock(&c.lock);
	dropped = flush_table(&c.pos, name, n);
	flush_table(&c.neg, name, n);
	c.dirty = true;
	mine = ++c.asked;
	pthread_cond_signal(&c.wake);
	/* the file is rewritten now, not at the next interval, and the caller
	 * (customdb after a change) hears back once it no longer holds the
	 * entries: NSS clients read the file first */
	while (c.running && !c.stopping && c.written < mine)
		pthread_cond_wait(&c.written_cond, &c.lock);
	pthread_mutex_unlock(&c.lock);
	return dropped;
}

void cache_each(char kind, void (*fn)(const char *key, size_t keylen, uint64_t expires,
				      const void *value, size_t len, void *arg), void *arg)
{
	struct entry *e;
	size_t i;

	pthread_mutex_lock(&c.lock);
	for (i = 0; i < c.pos.nbuckets; i++)
		for (e = c.pos.buckets[i]; e != NULL; e = e->next)
			if (e->key[0] == kind)
				fn(e->key + 1, e->keylen - 1, e->expires, e->value + 8, e->len, arg);
	pthread_mutex_unlock(&c.lock);
}

/* Write every entry with a value to a new file (lock held while it is laid
 * out and written; the slow part, fsync, runs without it). */
static void write_file(void)
{
	struct hostcache_writer *w;
	struct entry *e;
	size_t i, n = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	w = hostcache_begin(c.cfg->state_dir);
	if (w == NULL) {
		log_msg(LOG_ERR, "host cache: cannot write under %s: %s", c.cfg->state_dir,
			strerror(errno));
		return;
	}
	for (i = 0; i < c.pos.nbuckets; i++) {
		/* the entries are all over the heap: ask for those a few
		 * buckets on while these are added */
		if (i + 16 < c.pos.nbuckets && c.pos.buckets[i + 16] != NULL)
			__builtin_prefetch(c.pos.buckets[i + 16]);
		for (e = c.pos.buckets[i]; e != NULL; e = e->next) {
			if (hostcache_add(w, e->key, e->keylen, e->value, e->len + 8) == 0) {
				n++;
			} else if (errno == EINVAL) {
				/* out of the file's bounds: answered by the daemon only */
				log_msg(LOG_DEBUG, "host cache: '%c' %.*s stays out of the file",
					e->key[0], (int)(e->keylen - 1), e->key + 1);
			} else {
				log_msg(LOG_ERR, "host cache: cannot add an entry: %s", strerror(errno));
				hostcache_abort(w);
				return;
			}
		}
	}
	if (hostcache_write(w) != 0) {
		log_msg(LOG_ERR, "host cache: cannot write under %s: %s", c.cfg->state_dir,
			strerror(errno));
		hostcache_abort(w);
		return;
	}
	c.dirty = false;
	pthread_mutex_unlock(&c.lock);
	if (hostcache_commit(w) != 0)
		log_msg(LOG_ERR, "host cache: cannot replace %s/%s: %s", c.cfg->state_dir,
			HOSTCACHE_FILE, strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_msg(LOG_DEBUG, "host cache: wrote %zu entries in %.1f ms", n,
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	pthread_mutex_lock(&c.lock);
}

static void *writer(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&c.lock);
	while (!c.stopping || c.dirty) {
		while (!c.dirty && !c.stopping)
			pthread_cond_wait(&c.wake, &c.lock);
		if (c.dirty) {
			unsigned long asked = c.asked;

			write_file();
			c.written = asked;
			pthread_cond_broadcast(&c.written_cond);
		}
		if (c.stopping)
			break;
		/* coalesce: changes in the next interval wait for one rewrite,
		 * unless a flush waits for it */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += CACHE_WRITE_INTERVAL_S;
		while (!c.stopping && c.written == c.asked &&
		       pthread_cond_timedwait(&c.wake, &c.lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&c.lock);
	return NULL;
}

/* Is the key the record's own: its name, or its id in decimal? */
static bool key_is(const unsigned char *key, size_t keylen, const struct strref *name,
		   uint32_t id, bool by_id)
{
	char num[16];
	int n;

	if (!by_id)
		return keylen == name->n && memcmp(key, name->s, keylen) == 0;
	n = snprintf(num, sizeof(num), "%lu", (unsigned long)id);
	return (size_t)n == keylen && memcmp(key, num, keylen) == 0;
}

/* Does an entry of an old file (key without its kind letter, record
 * without its expiry) hold under the current rules: a valid name, ids in
 * [min_uid, max_uid], a primary gid the rules give, a key that is the
 * record's own? The file may come from a daemon of another config, or of
 * an older version that kept what it should not. */
static bool entry_allowed(char kind, const unsigned char *key, size_t keylen,
			  const unsigned char *value, size_t len)
{
	struct cdb_passwd_ref pw;
	struct cdb_group_ref gr;
	struct strref m;
	struct rbuf r;
	uint32_t n, id, i;

	if (!key_allowed(kind, (const char *)key, keylen))
		return false;
	rbuf_init(&r, value, len);
	switch (kind) {
	case 'p':
	case 'u':
		return record_get_passwd(&r, &pw) == 0 &&
		       cdb_name_valid(pw.name.s, pw.name.n) && map_id_allowed(c.cfg, pw.uid) &&
		       map_primary_gid_allowed(c.cfg, pw.gid) &&
		       key_is(key, keylen, &pw.name, pw.uid, kind == 'u');
	case 'g':
	case 'G':
		if (record_get_group(&r, &gr) != 0 || !cdb_name_valid(gr.name.s, gr.name.n) ||
		    !map_gid_allowed(c.cfg, gr.gid) ||
		    !key_is(key, keylen, &gr.name, gr.gid, kind == 'G'))
			return false;
		r = gr.members;
		for (i = 0; i < gr.nmembers; i++)
			if (rbuf_get_strref(&r, &m.s, &m.n) != 0 || !cdb_name_valid(m.s, m.n))
				return false;
		return true;
	case 'i':
		if (rbuf_get_u32(&r, &n) != 0)
			return false;
		for (i = 0; i < n; i++)
			if (rbuf_get_u32(&r, &id) != 0 || !map_gid_allowed(c.cfg, id))
				return false;
		return rbuf_end(&r) == 0;
	}
	return false;
}

struct load {
	size_t kept, dropped;
};

static int load_entry(const unsigned char *key, size_t keylen, const unsigned char *value,
		      size_t len, void *arg)
{
	struct load *l = arg;

	if (len < 8 || keylen < 1)
		return 0;   /* no expiry: not an entry this daemon wrote */
	if (!entry_allowed((char)key[0], key + 1, keylen - 1, value + 8, len - 8)) {
		log_msg(LOG_DEBUG, "host cache: '%c' %.*s dropped: it breaks the rules",
			key[0], (int)(keylen - 1), (const char *)key + 1);
		l->dropped++;
		return 0;
	}
	if (c.pos.count >= max_entries()) {
		l->dropped++;
		return 0;
	}
	put((char)key[0], (const char *)key + 1, keylen - 1, hostcache_expiry(value), value + 8,
	    len - 8);
	l->kept++;
	return 0;
}

/* Read the file a previous daemon left, so that a restart keeps it. */
static void load_file(const struct config *cfg)
{
	char path[PATH_MAX];
	struct hostcache_map m;
	struct load l = { 0 };

	snprintf(path, sizeof(path), "%s/%s", cfg->state_dir, HOSTCACHE_FILE);
	if (hostcache_open(path, &m) != 0) {
		if (errno != ENOENT)
			log_msg(LOG_WARNING, "host cache: %s not kept: %s", path,
				errno == EINVAL ? "not a host cache file of this version"
						: strerror(errno));
		return;
	}
	if (hostcache_walk(&m, load_entry, &l) != 0)
		log_msg(LOG_WARNING, "host cache: %s is malformed; kept the %zu entries before that",
			path, l.kept);
	hostcache_close(&m);
	/* what was loaded is what the file holds: no rewrite for it, unless
	 * the file must lose what this daemon would not write */
	c.dirty = l.dropped > 0;
	if (l.dropped > 0) {
		log_msg(LOG_WARNING, "host cache: %zu entries of %s dropped (they break the rules "
			"of this config, or exceed cache_max_entries)", l.dropped, path);
	}
	log_msg(LOG_INFO, "host cache: kept %zu entries from %s", l.kept, path);
}

/* Buffers of the rewrite above this go straight back to the kernel when
 * freed. glibc otherwise raises its threshold to the largest block freed
 * (up to 32 MiB) and keeps blocks below it in the writer thread's arena:
 * at 1,000,000 users, 65 MB the daemon held after each rewrite. */
#define CACHE_MMAP_THRESHOLD (256 * 1024)

int cache_start(const struct config *cfg, char *err, size_t errlen)
{
	c.cfg = cfg;
	mallopt(M_MMAP_THRESHOLD, CACHE_MMAP_THRESHOLD);
	pthread_mutex_lock(&c.lock);
	c.stopping = false;
	load_file(cfg);
	pthread_mutex_unlock(&c.lock);
	if (pthread_create(&c.thread, NULL, writer, NULL) != 0) {
		snprintf(err, errlen, "cannot start the host cache writer: %s", strerror(errno));
		return -1;
	}
	c.running = true;
	return 0;
}

void cache_stop(void)
{
	cache_migrated_stop();
	if (!c.running)
		return;
	pthread_mutex_lock(&c.lock);
	c.stopping = true;
	pthread_cond_signal(&c.wake);
	pthread_cond_broadcast(&c.written_cond);
	pthread_mutex_unlock(&c.lock);
	pthread_join(c.thread, NULL);
	c.running = false;
	/* the file holds what was kept: a cache started again (the unit tests
	 * do) starts from nothing but that file, and entries put before
	 * cache_start (bench/cache_fill does) are written by it */
	pthread_mutex_lock(&c.lock);
	flush_table(&c.pos, NULL, 0);
	flush_table(&c.neg, NULL, 0);
	pthread_mutex_unlock(&c.lock);
}
