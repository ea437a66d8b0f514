/* cache_migrated.c: the store loader (cache.h): in migrate mode, what the
 * store holds goes into the host cache with no expiry -- every migrated
 * user and the groups they are in -- from a thread of its own, so that
 * `id`, `ls -l` and `getent group` of them never reach the daemon; and
 * what other hosts sharing the store change reaches it within [store]
 * refresh seconds. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "log.h"
#include "names.h"
#include "store.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running;
	atomic_bool stopping;            /* read between two users or groups */
	gid_t queue[CACHE_REFRESH_MAX];  /* cache_refresh_groups' gids, each once */
	size_t nqueue;
} ld = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

/* A growing set of gids (sorted and made unique once complete). */
struct gid_set {
	gid_t *v;
	size_t n, cap;
};

static void gid_set_add(struct gid_set *gs, gid_t gid)
{
	size_t cap;
	gid_t *v;

	if (gs->n == gs->cap) {
		cap = gs->cap ? gs->cap * 2 : 256;
		v = realloc(gs->v, cap * sizeof(*v));
		if (v == NULL)
			return;   /* that group is answered by the daemon */
		gs->v = v;
		gs->cap = cap;
	}
	gs->v[gs->n++] = gid;
}

static int gid_cmp(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return (x > y) - (x < y);
}

static void gid_set_unique(struct gid_set *gs)
{
	size_t i, n = 0;

	if (gs->n == 0)
		return;
	qsort(gs->v, gs->n, sizeof(*gs->v), gid_cmp);
	for (i = 1; i < gs->n; i++)
		if (gs->v[i] != gs->v[n])
			gs->v[++n] = gs->v[i];
	gs->n = n + 1;
}

/* The group as the connector answers it, kept with no expiry; a group that
 * is not there (or that the rules refuse) leaves the cache. */
static void pin_group(struct session *s, gid_t gid)
{
	struct group g = { 0 };
	char key[16];
	int rc;

	rc = connector_group_by_gid(s, gid, &g);
	if (rc == CONN_OK) {
		cache_put_group(&g, 0);
	} else if (rc == CONN_NOTFOUND) {
		snprintf(key, sizeof(key), "%lu", (unsigned long)gid);
		cache_put_negative('G', key);
	}
	group_clear(&g);
}

/* Every store user, with their group list, and (into gs) their groups. */
static void load_users(struct session *s, struct gid_set *gs)
{
	const struct config *cfg = s->conn->cfg;
	struct user *users = NULL;
	struct store *st;
	gid_t *gids;
	size_t n = 0, i, j, ng, kept = 0;
	char err[512];
	int rc;

	st = store_open(cfg, err, sizeof(err));
	if (st == NULL) {
		log_msg(LOG_WARNING, "host cache: migrated users not loaded: %s", err);
		return;
	}
	rc = store_list_users(st, SIZE_MAX, &users, &n);
	if (rc != STORE_OK) {
		log_msg(LOG_WARNING, "host cache: migrated users not loaded: %s", store_rc_name(rc));
		goto out;
	}
	for (i = 0; i < n && !atomic_load(&ld.stopping); i++) {
		/* the rules of mapping.h hold here too */
		if (!store_user_ok(cfg, &users[i]))
			continue;
		gids = NULL;
		if (connector_user_groups(s, users[i].name, &gids, &ng) == CONN_OK) {
			cache_put_user(&users[i], gids, ng, 0);
			gid_set_add(gs, users[i].gid);
			for (j = 0; j < ng; j++)
				gid_set_add(gs, gids[j]);
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
}

/* --- the store looked at again: what other hosts changed ----------------------
 *
 * Every [store] refresh seconds, two queries (the store's users, its groups
 * with their members): a pinned user the store no longer holds leaves the
 * cache (with the groups that list them); the others' passwd records and
 * group lists are put again (the file is rewritten only when one changed);
 * a group whose store row changed is fetched again. So a change made
 * through another host sharing the store shows here within refresh
 * seconds, with no schema of its own and nothing kept open. */

/* A store group's name and members as one number: has it changed? */
struct group_sig {
	gid_t gid;
	uint64_t sig;
};

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (h ^ 0xff) * 1099511628211ULL;   /* the end of a string counts */
}

static uint64_t group_sig_of(const struct group *g)
{
	uint64_t h = 1469598103934665603ULL ^ g->gid;
	size_t i;

	h = fnv(h, g->name);
	for (i = 0; i < g->nmembers; i++)
		h = fnv(h, g->members[i]);
	return h;
}

static int sig_cmp(const void *a, const void *b)
{
	return gid_cmp(&((const struct group_sig *)a)->gid, &((const struct group_sig *)b)->gid);
}

/* One membership, for finding a user's groups by name. */
struct member_of {
	const char *name;
	gid_t gid;
};

static int member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct member_of *)a)->name, ((const struct member_of *)b)->name);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Pinned users (no expiry) whose names are not in the sorted list. */
struct gone {
	const char *const *names;
	size_t n;
	char **out;
	size_t nout, cap;
};

static void collect_gone(const char *key, size_t keylen, uint64_t expires, const void *value,
			 size_t len, void *arg)
{
	struct gone *g = arg;
	char name[CDB_NAME_MAX + 1], **out;
	const char *p = name;

	(void)value;
	(void)len;
	if (expires != 0 || keylen > CDB_NAME_MAX)
		return;
	memcpy(name, key, keylen);
	name[keylen] = '\0';
	if (bsearch(&p, g->names, g->n, sizeof(*g->names), name_cmp) != NULL)
		return;
	if (g->nout == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		out = realloc(g->out, g->cap * sizeof(*out));
		if (out == NULL)
			return;
		g->out = out;
	}
	g->out[g->nout] = strdup(name);
	if (g->out[g->nout] != NULL)
		g->nout++;
}

/* Drop the pinned users the store no longer holds (users: the store's). */
static void drop_gone(const struct user *users, size_t nu)
{
	struct gone g = { 0 };
	const char **names = malloc((nu + 1) * sizeof(*names));
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < nu; i++)
		names[i] = users[i].name;
	qsort(names, nu, sizeof(*names), name_cmp);
	g.names = names;
	g.n = nu;
	cache_each('p', collect_gone, &g);
	for (i = 0; i < g.nout; i++) {
		log_msg(LOG_INFO, "host cache: %s is no longer in the store; dropped", g.out[i]);
		cache_flush(g.out[i]);
		free(g.out[i]);
	}
	free(g.out);
	free(names);
}

/* Put every store user again, with the groups the store lists them in. */
static void put_users(const struct config *cfg, const struct user *users, size_t nu,
		      const struct group *groups, size_t ng)
{
	struct member_of *m = NULL, key, *hit;
	size_t nm = 0, i, j, k, n;
	gid_t *gids = NULL;

	for (i = 0; i < ng; i++)
		nm += groups[i].nmembers;
	m = malloc((nm + 1) * sizeof(*m));
	gids = malloc((nm + 1) * sizeof(*gids));
	if (m == NULL || gids == NULL)
		goto out;
	for (i = k = 0; i < ng; i++)
		if (store_group_ok(cfg, &groups[i]))
			for (j = 0; j < groups[i].nmembers; j++)
				m[k++] = (struct member_of){ groups[i].members[j], groups[i].gid };
	nm = k;
	qsort(m, nm, sizeof(*m), member_cmp);
	for (i = 0; i < nu; i++) {
		if (!store_user_ok(cfg, &users[i]))
			continue;
		key.name = users[i].name;
		hit = bsearch(&key, m, nm, sizeof(*m), member_cmp);
		n = 0;
		if (hit != NULL) {
			while (hit > m && strcmp(hit[-1].name, key.name) == 0)
				hit--;
			for (; hit < m + nm && strcmp(hit->name, key.name) == 0; hit++)
				gids[n++] = hit->gid;
		}
		cache_put_user(&users[i], gids, n, 0);
	}
out:
	free(m);
	free(gids);
}

/* Fetch again the groups whose store row is new, changed or gone since the
 * last look (*sigs, replaced); on the first look, only remember them. */
static void refresh_changed_groups(struct session *s, const struct group *groups, size_t ng,
				   struct group_sig **sigs, size_t *nsigs, bool first)
{
	struct group_sig *now = malloc((ng + 1) * sizeof(*now)), *was;
	size_t i;

	if (now == NULL)
		return;
	for (i = 0; i < ng; i++)
		now[i] = (struct group_sig){ groups[i].gid, group_sig_of(&groups[i]) };
	qsort(now, ng, sizeof(*now), sig_cmp);
	for (i = 0; !first && i < ng && !atomic_load(&ld.stopping); i++) {
		was = bsearch(&now[i], *sigs, *nsigs, sizeof(*now), sig_cmp);
		if (was == NULL || was->sig != now[i].sig)
			pin_group(s, now[i].gid);
	}
	for (i = 0; !first && i < *nsigs && !atomic_load(&ld.stopping); i++)
		if (bsearch(&(*sigs)[i], now, ng, sizeof(*now), sig_cmp) == NULL)
			pin_group(s, (*sigs)[i].gid);
	free(*sigs);
	*sigs = now;
	*nsigs = ng;
}

/* One look at the store (see above). */
static void look_again(struct session *s, struct group_sig **sigs, size_t *nsigs, bool first)
{
	struct store *st = session_store(s);
	struct user *users = NULL;
	struct group *groups = NULL;
	size_t nu = 0, ng = 0, i;
	int rc;

	if (st == NULL)
		return;
	rc = store_list_users(st, SIZE_MAX, &users, &nu);
	if (rc == STORE_OK)
		rc = store_list_groups(st, SIZE_MAX, &groups, &ng);
	if (rc != STORE_OK) {
		log_msg(LOG_WARNING, "host cache: the store cannot be read for changes: %s",
			store_rc_name(rc));
		goto out;
	}
	if (!first) {
		drop_gone(users, nu);
		put_users(s->conn->cfg, users, nu, groups, ng);
	}
	refresh_changed_groups(s, groups, ng, sigs, nsigs, first);
out:
	for (i = 0; i < nu; i++)
		user_clear(&users[i]);
	free(users);
	for (i = 0; i < ng; i++)
		group_clear(&groups[i]);
	free(groups);
}

/* Wait (lock held) until gids are queued, the loader is stopped, or it is
 * time to look at the store again (every refresh seconds; 0: never).
 * True when it is that time, whatever else woke the loader: a steady
 * stream of logins must not put the look off. */
static bool wait_for_work(int refresh, struct timespec *next)
{
	struct timespec now;

	while (ld.nqueue == 0 && !atomic_load(&ld.stopping)) {
		if (refresh <= 0)
			pthread_cond_wait(&ld.wake, &ld.lock);
		else if (pthread_cond_timedwait(&ld.wake, &ld.lock, next) == ETIMEDOUT)
			break;
	}
	if (refresh <= 0)
		return false;
	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec < next->tv_sec ||
	    (now.tv_sec == next->tv_sec && now.tv_nsec < next->tv_nsec))
		return false;
	*next = now;
	next->tv_sec += refresh;
	return true;
}

/* The loader: the users and their groups, then the groups logins name and
 * the store's changes. */
static void *loader(void *arg)
{
	struct gid_set gs = { 0 };
	gid_t batch[CACHE_REFRESH_MAX];
	struct group_sig *sigs = NULL;
	struct session s;
	struct timespec next;
	size_t i, n, nsigs = 0;
	bool look;
	int refresh;

	session_init(&s, arg);
	refresh = s.conn->cfg->store_refresh;
	clock_gettime(CLOCK_REALTIME, &next);
	next.tv_sec += refresh;
	if (refresh > 0)
		look_again(&s, &sigs, &nsigs, true);
	load_users(&s, &gs);
	gid_set_unique(&gs);
	for (i = 0; i < gs.n && !atomic_load(&ld.stopping); i++)
		pin_group(&s, gs.v[i]);
	if (!atomic_load(&ld.stopping))
		log_msg(LOG_INFO, "host cache: %zu groups of migrated users loaded", gs.n);
	free(gs.v);
	pthread_mutex_lock(&ld.lock);
	for (;;) {
		look = wait_for_work(refresh, &next);
		if (atomic_load(&ld.stopping))
			break;
		n = ld.nqueue;
		memcpy(batch, ld.queue, n * sizeof(*batch));
		ld.nqueue = 0;
		pthread_mutex_unlock(&ld.lock);
		if (look)
			look_again(&s, &sigs, &nsigs, false);
		for (i = 0; i < n && !atomic_load(&ld.stopping); i++)
			pin_group(&s, batch[i]);
		pthread_mutex_lock(&ld.lock);
	}
	pthread_mutex_unlock(&ld.lock);
	free(sigs);
	session_close(&s);
	return NULL;
}

void cache_preload_migrated(struct connector *cn)
{
	if (cn->cfg->mode == MODE_LEGACY)
		return;
	atomic_store(&ld.stopping, false);
	if (pthread_create(&ld.thread, NULL, loader, cn) != 0) {
		log_msg(LOG_WARNING, "host cache: cannot start loading migrated users: %s",
			strerror(errno));
		return;
	}
	ld.running = true;
}

void cache_refresh_groups(const gid_t *gids, size_t n)
{
	size_t i, j;

	pthread_mutex_lock(&ld.lock);
	for (i = 0; ld.running && i < n; i++) {
		for (j = 0; j < ld.nqueue && ld.queue[j] != gids[i]; j++)
			;
		if (j == ld.nqueue && ld.nqueue < CACHE_REFRESH_MAX)
			ld.queue[ld.nqueue++] = gids[i];
	}
	pthread_cond_signal(&ld.wake);
	pthread_mutex_unlock(&ld.lock);
}

void cache_migrated_stop(void)
{
	if (!ld.running)
		return;
	pthread_mutex_lock(&ld.lock);
	atomic_store(&ld.stopping, true);
	pthread_cond_signal(&ld.wake);
	pthread_mutex_unlock(&ld.lock);
	pthread_join(ld.thread, NULL);
	ld.running = false;
}
