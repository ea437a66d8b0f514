/* cache.c: see cache.h. */
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostcache_write.h"
#include "log.h"
#include "names.h"
#include "record.h"
#include "store.h"

/* Fewest seconds between two rewrites of the file. */
#define CACHE_WRITE_INTERVAL_S 1

struct entry {
	struct entry *next;
	uint64_t expires;        /* of the answer (0: never) */
	time_t negative_until;   /* > now: known not to exist; no value then */
	unsigned char *value;    /* 8 bytes of expiry, then the record: as in the file */
	size_t len;              /* of the record, without the 8 bytes */
	size_t keylen;           /* kind letter + key */
	char key[];
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread, preload;
	bool running, stopping, dirty, preloading;
	struct entry **buckets;
	size_t nbuckets, count;
	const struct config *cfg;
} c = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

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

static int grow(void)
{
	size_t n = c.nbuckets ? c.nbuckets * 2 : 1024, i;
	struct entry **b = calloc(n, sizeof(*b)), *e, *next;

	if (b == NULL)
		return -1;
	for (i = 0; i < c.nbuckets; i++) {
		for (e = c.buckets[i]; e != NULL; e = next) {
			size_t h = hash(e->key, e->keylen) & (n - 1);

			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	}
	free(c.buckets);
	c.buckets = b;
	c.nbuckets = n;
	return 0;
}

/* The entry for kind+key, created empty if create (lock held). */
static struct entry *find(char kind, const char *key, size_t keylen, bool create)
{
	char k[1 + 256];
	struct entry *e;
	size_t h;

	if (keylen > 256)
		return NULL;
	k[0] = kind;
	memcpy(k + 1, key, keylen);
	keylen++;
	if (c.nbuckets == 0 && (!create || grow() != 0))
		return NULL;
	h = hash(k, keylen) & (c.nbuckets - 1);
	for (e = c.buckets[h]; e != NULL; e = e->next)
		if (e->keylen == keylen && memcmp(e->key, k, keylen) == 0)
			return e;
	if (!create)
		return NULL;
	if (c.count >= c.nbuckets && grow() == 0)
		h = hash(k, keylen) & (c.nbuckets - 1);
	e = calloc(1, sizeof(*e) + keylen);
	if (e == NULL)
		return NULL;
	memcpy(e->key, k, keylen);
	e->keylen = keylen;
	e->next = c.buckets[h];
	c.buckets[h] = e;
	c.count++;
	return e;
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
	e->negative_until = 0;
}

void cache_put(char kind, const char *key, uint64_t expires, const void *value, size_t len)
{
	struct entry *e;

	pthread_mutex_lock(&c.lock);
	e = find(kind, key, strlen(key), true);
	if (e != NULL) {
		if (e->value == NULL || e->len != len || memcmp(e->value + 8, value, len) != 0 ||
		    e->expires != expires)
			c.dirty = true;
		set_value(e, expires, value, len);
	}
	if (c.dirty)
		pthread_cond_signal(&c.wake);
	pthread_mutex_unlock(&c.lock);
}

void cache_put_negative(char kind, const char *key)
{
	struct entry *e;

	pthread_mutex_lock(&c.lock);
	e = find(kind, key, strlen(key), true);
	if (e != NULL) {
		if (e->value != NULL) {
			free(e->value);
			e->value = NULL;
			e->len = 0;
			c.dirty = true;
			pthread_cond_signal(&c.wake);
		}
		e->negative_until = time(NULL) + (c.cfg != NULL ? c.cfg->negative_ttl : 0);
	}
	pthread_mutex_unlock(&c.lock);
}

bool cache_is_negative(char kind, const char *key)
{
	struct entry *e;
	bool neg = false;

	pthread_mutex_lock(&c.lock);
	e = find(kind, key, strlen(key), false);
	if (e != NULL && e->value == NULL && e->negative_until > time(NULL))
		neg = true;
	pthread_mutex_unlock(&c.lock);
	return neg;
}

size_t cache_size(void)
{
	size_t n;

	pthread_mutex_lock(&c.lock);
	n = c.count;
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

/* Set by cache_stop: the loader gives up between two users. */
static atomic_bool preload_stop;

static void *preload(void *arg)
{
	struct session s;
	struct store *st;
	struct user *users = NULL;
	gid_t *gids;
	size_t n = 0, i, ng, kept = 0;
	char err[512];
	int rc;

	session_init(&s, arg);
	st = store_open(c.cfg, err, sizeof(err));
	if (st == NULL) {
		log_msg(LOG_WARNING, "host cache: migrated users not loaded: %s", err);
		goto out;
	}
	rc = store_list_users(st, SIZE_MAX, &users, &n);
	if (rc != STORE_OK) {
		log_msg(LOG_WARNING, "host cache: migrated users not loaded: %s", store_rc_name(rc));
		goto out;
	}
	for (i = 0; i < n && !atomic_load(&preload_stop); i++) {
		/* the rules of mapping.h hold here too */
		if (!cdb_name_valid(users[i].name, strlen(users[i].name)) ||
		    !map_id_allowed(c.cfg, users[i].uid))
			continue;
		gids = NULL;
		if (connector_user_groups(&s, users[i].name, &gids, &ng) == CONN_OK) {
			cache_put_user(&users[i], gids, ng, 0);
			kept++;
		}
		free(gids);
	}
	log_msg(LOG_INFO, "host cache: %zu migrated users loaded from the store", kept);
out:
	for (i = 0; i < n; i++)
		user_clear(&users[i]);
	free(users);
	store_close(st);
	session_close(&s);
	return NULL;
}

void cache_preload_migrated(struct connector *cn)
{
	if (c.cfg == NULL || c.cfg->mode != MODE_MIGRATE)
		return;
	if (pthread_create(&c.preload, NULL, preload, cn) != 0) {
		log_msg(LOG_WARNING, "host cache: cannot start loading migrated users: %s",
			strerror(errno));
		return;
	}
	c.preloading = true;
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

static bool flush_matches(const struct entry *e, const char *name, size_t n)
{
	if (n == 0)
		return true;
	switch (e->key[0]) {
	case 'p':
	case 'i':
	case 'g':
		return e->keylen == n + 1 && memcmp(e->key + 1, name, n) == 0;
	case 'u':
	case 'G':
		return e->value != NULL && record_names(e, name, n);
	}
	return false;
}

size_t cache_flush(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0, i, dropped = 0;
	struct entry **pp, *e;

	pthread_mutex_lock(&c.lock);
	for (i = 0; i < c.nbuckets; i++) {
		for (pp = &c.buckets[i]; (e = *pp) != NULL;) {
			if (!flush_matches(e, name, n)) {
				pp = &e->next;
				continue;
			}
			*pp = e->next;
			if (e->value != NULL)
				dropped++;
			free(e->value);
			free(e);
			c.count--;
		}
	}
	c.dirty = true;
	pthread_cond_signal(&c.wake);
	pthread_mutex_unlock(&c.lock);
	return dropped;
}

void cache_each(char kind, void (*fn)(const char *key, size_t keylen, uint64_t expires,
				      const void *value, size_t len, void *arg), void *arg)
{
	struct entry *e;
	size_t i;

	pthread_mutex_lock(&c.lock);
	for (i = 0; i < c.nbuckets; i++)
		for (e = c.buckets[i]; e != NULL; e = e->next)
			if (e->key[0] == kind && e->value != NULL)
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
	for (i = 0; i < c.nbuckets; i++) {
		/* the entries are all over the heap: ask for those a few
		 * buckets on while these are added */
		if (i + 16 < c.nbuckets && c.buckets[i + 16] != NULL)
			__builtin_prefetch(c.buckets[i + 16]);
		for (e = c.buckets[i]; e != NULL; e = e->next) {
			if (e->value == NULL)
				continue;
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
		if (c.dirty)
			write_file();
		if (c.stopping)
			break;
		/* coalesce: changes in the next interval wait for one rewrite */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += CACHE_WRITE_INTERVAL_S;
		while (!c.stopping &&
		       pthread_cond_timedwait(&c.wake, &c.lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&c.lock);
	return NULL;
}

static int load_entry(const unsigned char *key, size_t keylen, const unsigned char *value,
		      size_t len, void *arg)
{
	struct entry *e;

	if (len < 8)
		return 0;   /* no expiry: not an entry this daemon wrote */
	e = find((char)key[0], (const char *)key + 1, keylen - 1, true);
	if (e != NULL) {
		set_value(e, hostcache_expiry(value), value + 8, len - 8);
		(*(size_t *)arg)++;
	}
	return 0;
}

/* Read the file a previous daemon left, so that a restart keeps it. */
static void load_file(const struct config *cfg)
{
	char path[PATH_MAX];
	struct hostcache_map m;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", cfg->state_dir, HOSTCACHE_FILE);
	if (hostcache_open(path, &m) != 0) {
		if (errno != ENOENT)
			log_msg(LOG_WARNING, "host cache: %s not kept: %s", path,
				errno == EINVAL ? "not a host cache file of this version"
						: strerror(errno));
		return;
	}
	if (hostcache_walk(&m, load_entry, &n) != 0)
		log_msg(LOG_WARNING, "host cache: %s is malformed; kept the %zu entries before that",
			path, n);
	hostcache_close(&m);
	log_msg(LOG_INFO, "host cache: kept %zu entries from %s", n, path);
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
	if (c.preloading) {
		atomic_store(&preload_stop, true);
		pthread_join(c.preload, NULL);
		c.preloading = false;
	}
	if (!c.running)
		return;
	pthread_mutex_lock(&c.lock);
	c.stopping = true;
	pthread_cond_signal(&c.wake);
	pthread_mutex_unlock(&c.lock);
	pthread_join(c.thread, NULL);
	c.running = false;
}
