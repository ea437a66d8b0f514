/* cache_migrated.c: the store loader (cache.h): in migrate mode, what the
 * store holds goes into the host cache with no expiry -- every migrated
 * user and the groups they are in -- from a thread of its own, so that
 * `id`, `ls -l` and `getent group` of them never reach the daemon. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "log.h"
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

/* The loader: the users and their groups, then the groups logins name. */
static void *loader(void *arg)
{
	struct gid_set gs = { 0 };
	gid_t batch[CACHE_REFRESH_MAX];
	struct session s;
	size_t i, n;

	session_init(&s, arg);
	load_users(&s, &gs);
	gid_set_unique(&gs);
	for (i = 0; i < gs.n && !atomic_load(&ld.stopping); i++)
		pin_group(&s, gs.v[i]);
	if (!atomic_load(&ld.stopping))
		log_msg(LOG_INFO, "host cache: %zu groups of migrated users loaded", gs.n);
	free(gs.v);
	pthread_mutex_lock(&ld.lock);
	for (;;) {
		while (ld.nqueue == 0 && !atomic_load(&ld.stopping))
			pthread_cond_wait(&ld.wake, &ld.lock);
		if (atomic_load(&ld.stopping))
			break;
		n = ld.nqueue;
		memcpy(batch, ld.queue, n * sizeof(*batch));
		ld.nqueue = 0;
		pthread_mutex_unlock(&ld.lock);
		for (i = 0; i < n && !atomic_load(&ld.stopping); i++)
			pin_group(&s, batch[i]);
		pthread_mutex_lock(&ld.lock);
	}
	pthread_mutex_unlock(&ld.lock);
	session_close(&s);
	return NULL;
}

void cache_preload_migrated(struct connector *cn)
{
	if (cn->cfg->mode != MODE_MIGRATE)
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
