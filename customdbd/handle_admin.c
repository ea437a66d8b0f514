/* handle_admin.c: the administrator's requests (root only, see server_dispatch.c's
 * dispatch table): how the daemon is doing (customdb status) and dropping
 * entries from the host cache (customdb cache flush). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "handlers.h"
#include "log.h"
#include "names.h"
#include "namemap.h"
#include "protocol.h"
#include "stats.h"
#include "store.h"

/* The reply of CDB_OP_STATUS is a list of (key, value) strings, collected
 * here first because their count comes first on the wire. */
#define STATUS_MAX_PAIRS (24 + 2 * STATS_MAX_OP)

struct status_list {
	size_t n;
	struct {
		char key[48];
		char value[256];
	} p[STATUS_MAX_PAIRS];
};

static void add(struct status_list *l, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct status_list *l, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (l->n == STATUS_MAX_PAIRS)
		return;
	snprintf(l->p[l->n].key, sizeof(l->p[l->n].key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(l->p[l->n].value, sizeof(l->p[l->n].value), fmt, ap);
	va_end(ap);
	l->n++;
}

static long long us_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long long)(t1.tv_sec - t0->tv_sec) * 1000000 + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

static void add_requests(struct status_list *l)
{
	struct stats_snapshot st;
	char key[48];
	size_t op;

	stats_read(&st);
	add(l, "uptime_s", "%lld", st.started != 0 ? (long long)(time(NULL) - st.started) : 0LL);
	/* the status request asking is not counted yet: it is being answered */
	add(l, "requests", "%llu", (unsigned long long)st.served);
	add(l, "requests_failed", "%llu", (unsigned long long)st.failed);
	add(l, "requests_denied", "%llu", (unsigned long long)st.denied);
	for (op = 0; op < STATS_MAX_OP; op++) {
		if (st.op_served[op] == 0)
			continue;
		snprintf(key, sizeof(key), "requests.%s", st.op_name[op] != NULL ? st.op_name[op] : "other");
		add(l, key, "%llu", (unsigned long long)st.op_served[op]);
		if (st.op_failed[op] != 0) {
			snprintf(key, sizeof(key), "requests_failed.%s",
				 st.op_name[op] != NULL ? st.op_name[op] : "other");
			add(l, key, "%llu", (unsigned long long)st.op_failed[op]);
		}
	}
	add(l, "negative_cache_hits", "%llu", (unsigned long long)st.negative_hits);
	add(l, "database_lookups", "%llu", (unsigned long long)st.db_lookups);
	if (st.negative_hits + st.db_lookups > 0)
		add(l, "cache_hit_rate", "%.1f%%",
		    100.0 * (double)st.negative_hits / (double)(st.negative_hits + st.db_lookups));
	else
		add(l, "cache_hit_rate", "-");
	add(l, "host_cache_entries", "%zu", cache_size());
}

/* One cheap query, timed: count_users when it is configured (its answer is
 * worth showing too), else get_user for a name no one can have. */
static void add_database(struct status_list *l, struct session *s)
{
	struct query_args a = { 0 };
	struct result *r = NULL;
	struct timespec t0;
	enum query_id id = Q_COUNT_USERS;
	char err[256] = "";
	long long us;
	int rc, col;

	if (s->conn->cfg->q[Q_COUNT_USERS].sql == NULL) {
		id = Q_GET_USER;
		a.v[QP_USERNAME] = "customdb-status-probe";
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = session_query(s, id, &a, &r, err, sizeof(err));
	us = us_since(&t0);
	add(l, "database_probe", "%s", query_id_name(id));
	switch (rc) {
	case CONN_OK:
		add(l, "database", "reachable");
		add(l, "database_latency_us", "%lld", us);
		col = result_column(r, "count");
		if (id == Q_COUNT_USERS && r->nrows == 1 && col >= 0 && result_cell(r, 0, (size_t)col))
			add(l, "legacy_users", "%s", result_cell(r, 0, (size_t)col));
		break;
	case CONN_UNAVAIL:
		add(l, "database", "unreachable");
		add(l, "database_error", "%s", err);
		break;
	default:
		/* it answered, but the query is wrong: reachable all the same */
		add(l, "database", "query error");
		add(l, "database_latency_us", "%lld", us);
		add(l, "database_error", "%s", err);
		break;
	}
	result_free(r);
}

/* Migrate mode: the store through this worker's own connection (opened
 * here when no request has needed it yet; the session keeps it). */
static void add_store(struct status_list *l, struct session *s)
{
	struct store_stats st;
	struct timespec t0;
	char err[256];
	long long us;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (s->store == NULL)
		s->store = store_open(s->conn->cfg, err, sizeof(err));
	if (s->store == NULL) {
		add(l, "store", "unreachable");
		add(l, "store_error", "%s", err);
		return;
	}
	rc = store_stats(s->store, &st);
	us = us_since(&t0);
	if (rc != STORE_OK) {
		add(l, "store", "unreachable");
		add(l, "store_error", "%s", store_rc_name(rc));
		return;
	}
	add(l, "store", "reachable");
	add(l, "store_latency_us", "%lld", us);
	add(l, "store_users", "%lld", st.users);
	add(l, "store_imported_pending", "%lld", st.imported_pending);
	add(l, "store_tombstones", "%lld", st.tombstones);
}

int handle_status(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	struct status_list l;
	const struct config *cfg = rq->cfg;
	size_t i;

	if (rbuf_end(in) != 0)
		return -1;
	l.n = 0;
	add(&l, "pid", "%ld", (long)getpid());
	add(&l, "mode", "%s", config_mode_name(cfg->mode));
	add(&l, "workers", "%d", cfg->workers);
	add(&l, "driver", "%s", cfg->driver != NULL ? cfg->driver : "none");
	add_requests(&l);
	if (cfg->mode != MODE_STORE)
		add_database(&l, rq->session);
	if (cfg->mode != MODE_LEGACY)
		add_store(&l, rq->session);
	wbuf_begin(out, CDB_STATUS_OK);
	wbuf_put_u32(out, (uint32_t)l.n);
	for (i = 0; i < l.n; i++) {
		wbuf_put_str(out, l.p[i].key);
		wbuf_put_str(out, l.p[i].value);
	}
	return CDB_STATUS_OK;
}

int handle_cache_flush(struct request *rq, struct rbuf *in, struct wbuf *out)
{
	char name[CDB_NAME_MAX + 2];
	size_t dropped;

	if (rbuf_get_str(in, name, sizeof(name)) != 0 || rbuf_end(in) != 0)
		return -1;
	namemap_fold(rq->cfg, name);
	if (name[0] != '\0' && !cdb_name_valid(name, strlen(name)))
		return -1;
	snprintf(rq->what, sizeof(rq->what), "cache flush %s", name[0] != '\0' ? name : "(all)");
	dropped = cache_flush(name);
	log_msg(LOG_NOTICE, "host cache: %zu entries of %s dropped (customdb cache flush, pid %ld)",
		dropped, name[0] != '\0' ? name : "every user", (long)rq->peer_pid);
	wbuf_begin(out, CDB_STATUS_OK);
	wbuf_put_u32(out, (uint32_t)(dropped > UINT32_MAX ? UINT32_MAX : dropped));
	return CDB_STATUS_OK;
}
