/* reload.c: config generations and SIGHUP (reload.h). */
#include "reload.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "log.h"
#include "notify.h"

struct generation {
	struct config *cfg;
	struct connector cn;
	unsigned long number;      /* 1 for main's, then one more a reload */
	int holds;                 /* workers' sessions on it, and 1 while current */
	int busy;                  /* requests running on it */
	bool mains;                /* main's: cfg and cn are not ours to free */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;       /* the reloader: asked, stopping, or idle old */
	struct generation first, *cur;
	const char *path;
	pthread_t thread;
	bool running, asked, stopping;
} gens = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

void gen_init(const char *path, struct config *cfg, struct connector *cn)
{
	gens.path = path;
	gens.first.cfg = cfg;
	gens.first.cn = *cn;
	gens.first.number = 1;
	gens.first.holds = 1;
	gens.first.mains = true;
	gens.cur = &gens.first;
}

static void gen_free(struct generation *g)
{
	if (g == NULL || g->mains)
		return;
	log_msg(LOG_DEBUG, "config generation %lu freed", g->number);
	config_free(g->cfg);
	free(g);
}

struct generation *gen_hold(void)
{
	struct generation *g;

	pthread_mutex_lock(&gens.lock);
	g = gens.cur;
	g->holds++;
	pthread_mutex_unlock(&gens.lock);
	return g;
}

/* With the lock held: drop a hold; the generation to free, or NULL. */
static struct generation *drop_hold(struct generation *g)
{
	return --g->holds == 0 ? g : NULL;
}

void gen_release(struct generation *g)
{
	struct generation *gone;

	if (g == NULL)
		return;
	pthread_mutex_lock(&gens.lock);
	gone = drop_hold(g);
	pthread_mutex_unlock(&gens.lock);
	gen_free(gone);
}

struct connector *gen_connector(struct generation *g)
{
	return &g->cn;
}

struct generation *gen_enter(struct generation **g)
{
	struct generation *old = NULL;

	pthread_mutex_lock(&gens.lock);
	if (*g != gens.cur) {
		old = *g;
		*g = gens.cur;
		gens.cur->holds++;
	}
	(*g)->busy++;
	pthread_mutex_unlock(&gens.lock);
	return old;
}

void gen_leave(struct generation *g)
{
	pthread_mutex_lock(&gens.lock);
	/* the reloader waits for the last request on an old generation */
	if (--g->busy == 0 && g != gens.cur)
		pthread_cond_broadcast(&gens.wake);
	pthread_mutex_unlock(&gens.lock);
}

/* --- the reloader --------------------------------------------------------- */

/* Log a setting that changed but is bound at start. */
static void needs_restart(const char *key)
{
	log_msg(LOG_WARNING, "reload: [customdb] %s changed: that needs a restart; "
		"keeping the value the daemon started with", key);
}

static int keep_string(char **now, const char *was, const char *key)
{
	char *copy;

	if (strcmp(*now, was) == 0)
		return 0;
	needs_restart(key);
	copy = strdup(was);
	if (copy == NULL)
		return -1;
	free(*now);
	*now = copy;
	return 0;
}

static int keep_gids(struct config *now, const struct config *was)
{
	gid_t *copy = NULL;

	if (now->nallowed_gids == was->nallowed_gids &&
	    (was->nallowed_gids == 0 ||
	     memcmp(now->allowed_gids, was->allowed_gids,
		    was->nallowed_gids * sizeof(gid_t)) == 0))
		return 0;
	needs_restart("allowed_gids");
	if (was->nallowed_gids > 0) {
		copy = malloc(was->nallowed_gids * sizeof(gid_t));
		if (copy == NULL)
			return -1;
		memcpy(copy, was->allowed_gids, was->nallowed_gids * sizeof(gid_t));
	}
	free(now->allowed_gids);
	now->allowed_gids = copy;
	now->nallowed_gids = was->nallowed_gids;
	return 0;
}

/* A setting bound at start (the listening socket and the workers, the state
 * directory and the host cache's rules and caps, which the cache took from
 * main's config, and the mode, which chose what was loaded at start): the
 * new config gets the old value. */
#define KEEP(field, key)                         \
	do {                                     \
		if (now->field != was->field) {  \
			needs_restart(key);      \
			now->field = was->field; \
		}                                \
	} while (0)

/* Give now what was holds of the settings bound at start. 0, or -1 when out
 * of memory. */
static int keep_bound(struct config *now, const struct config *was)
{
	KEEP(workers, "workers");
	KEEP(mode, "mode");
	KEEP(min_uid, "min_uid");
	KEEP(max_uid, "max_uid");
	KEEP(negative_ttl, "negative_ttl");
	KEEP(cache_max_entries, "cache_max_entries");
	KEEP(negative_max_entries, "negative_max_entries");
	if (keep_string(&now->socket_path, was->socket_path, "socket") != 0 ||
	    keep_string(&now->state_dir, was->state_dir, "state_dir") != 0 ||
	    keep_gids(now, was) != 0)
		return -1;
	return 0;
}

/* A new generation from the file, checked as a start checks it; NULL with
 * the reason in err. */
static struct generation *gen_read(const struct config *was, char *err, size_t errlen)
{
	struct generation *g = calloc(1, sizeof(*g));

	if (g == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->cfg = config_load(gens.path, true, err, errlen);
	if (g->cfg == NULL)
		goto fail;
	if (keep_bound(g->cfg, was) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (connector_init(&g->cn, g->cfg, err, errlen) != 0)
		goto fail;
	return g;
fail:
	config_free(g->cfg);
	free(g);
	return NULL;
}

/* Read the file again and, when it passes, make it current; then wait for
 * the requests on the old generation to end and flush the cache. */
static void reload(void)
{
	struct generation *old, *g, *gone;
	struct timespec now;
	char err[1024];

	clock_gettime(CLOCK_MONOTONIC, &now);
	notify_state("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
		     (unsigned long long)now.tv_sec * 1000000ULL +
			     (unsigned long long)now.tv_nsec / 1000ULL, gens.path);
	log_msg(LOG_INFO, "SIGHUP: reading %s again", gens.path);
	pthread_mutex_lock(&gens.lock);
	old = gens.cur;     /* only this thread replaces it */
	pthread_mutex_unlock(&gens.lock);
	g = gen_read(old->cfg, err, sizeof(err));
	if (g == NULL) {
		log_msg(LOG_ERR, "reload refused, the config in use goes on answering: %s", err);
		notify_state("READY=1\nSTATUS=reload refused (see the log); answering on %s",
			     old->cfg->socket_path);
		return;
	}
	pthread_mutex_lock(&gens.lock);
	g->number = old->number + 1;
	g->holds = 1;
	gens.cur = g;
	/* old keeps its hold as current until its last request is done */
	while (old->busy > 0)
		pthread_cond_wait(&gens.wake, &gens.lock);
	gone = drop_hold(old);
	pthread_mutex_unlock(&gens.lock);
	gen_free(gone);
	/* every answer kept was given by the old queries */
	cache_flush(NULL);
	log_msg(LOG_INFO, "reloaded %s (config generation %lu); the cache was flushed",
		gens.path, g->number);
	notify_state("READY=1\nSTATUS=answering on %s", g->cfg->socket_path);
}

static void *reloader(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gens.lock);
	for (;;) {
		while (!gens.asked && !gens.stopping)
			pthread_cond_wait(&gens.wake, &gens.lock);
		if (gens.stopping)
			break;
		gens.asked = false;
		pthread_mutex_unlock(&gens.lock);
		reload();
		pthread_mutex_lock(&gens.lock);
	}
	pthread_mutex_unlock(&gens.lock);
	return NULL;
}

int reload_start(char *err, size_t errlen)
{
	int rc = pthread_create(&gens.thread, NULL, reloader, NULL);

	if (rc != 0) {
		snprintf(err, errlen, "cannot start the config reloader: %s", strerror(rc));
		return -1;
	}
	gens.running = true;
	return 0;
}

void reload_request(void)
{
	pthread_mutex_lock(&gens.lock);
	gens.asked = true;
	pthread_cond_broadcast(&gens.wake);
	pthread_mutex_unlock(&gens.lock);
}

void reload_stop(void)
{
	struct generation *gone;

	if (gens.running) {
		pthread_mutex_lock(&gens.lock);
		gens.stopping = true;
		pthread_cond_broadcast(&gens.wake);
		pthread_mutex_unlock(&gens.lock);
		pthread_join(gens.thread, NULL);
		gens.running = false;
	}
	pthread_mutex_lock(&gens.lock);
	gone = gens.cur != NULL ? drop_hold(gens.cur) : NULL;
	gens.cur = NULL;
	pthread_mutex_unlock(&gens.lock);
	gen_free(gone);
}
