/* server_dispatch.c: the dispatch table (each opcode's handler, who may call
 * it, what it costs) and the run of one request through it. */
#include "server_int.h"

#include <stdio.h>
#include <time.h>

#include "connector.h"
#include "handlers.h"
#include "log.h"
#include "stats.h"

enum policy { ANYONE, ROOT_ONLY };

static const struct dispatch {
	uint16_t op;
	enum policy who;
	enum cost cost;
	handler_fn fn;
	const char *name;
} dispatch[] = {
	{ CDB_OP_GETPWNAM, ANYONE, QUICK, handle_getpwnam, "getpwnam" },
	{ CDB_OP_GETPWUID, ANYONE, QUICK, handle_getpwuid, "getpwuid" },
	{ CDB_OP_GETGRNAM, ANYONE, QUICK, handle_getgrnam, "getgrnam" },
	{ CDB_OP_GETGRGID, ANYONE, QUICK, handle_getgrgid, "getgrgid" },
	{ CDB_OP_INITGROUPS, ANYONE, QUICK, handle_initgroups, "initgroups" },
	{ CDB_OP_LIST_USERS, ANYONE, QUICK, handle_list_users, "getpwent" },
	{ CDB_OP_LIST_GROUPS, ANYONE, QUICK, handle_list_groups, "getgrent" },
	/* non-root callers are limited to themselves inside the handler */
	{ CDB_OP_AUTHENTICATE, ANYONE, HASHES, handle_authenticate, "authenticate" },
	{ CDB_OP_ACCOUNT, ANYONE, QUICK, handle_account, "account" },
	{ CDB_OP_CHPASS, ANYONE, HASHES, handle_chpass, "chpass" },
	{ CDB_OP_STATUS, ROOT_ONLY, QUICK, handle_status, "status" },
	{ CDB_OP_CACHE_FLUSH, ROOT_ONLY, QUICK, handle_cache_flush, "cache-flush" },
};

const struct dispatch *dispatch_find(const unsigned char *body, size_t len)
{
	struct rbuf in;
	uint16_t op;
	size_t i;

	rbuf_init(&in, body, len);
	if (rbuf_begin(&in, &op) != 0)
		return NULL;
	for (i = 0; i < sizeof(dispatch) / sizeof(dispatch[0]); i++)
		if (dispatch[i].op == op)
			return &dispatch[i];
	return NULL;
}

enum cost dispatch_cost(const struct dispatch *d)
{
	return d != NULL ? d->cost : QUICK;
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

void serve_one(struct session *s, struct conn *c)
{
	struct request rq = { .session = s, .cfg = s->conn->cfg, .peer_pid = c->cred.pid,
			      .peer_uid = c->cred.uid, .peer_gid = c->cred.gid };
	const char *opname = NULL;  /* of a known opcode, for the counters */
	struct rbuf in;
	const struct dispatch *d = c->d;
	uint16_t op;
	int st = -1;

	rbuf_init(&in, c->body, c->body_len);
	if (rbuf_begin(&in, &op) != 0) {
		log_msg(LOG_WARNING, "pid %ld: request of another protocol version", (long)c->cred.pid);
		wbuf_begin(&c->out, CDB_STATUS_ERROR);
		goto reply;
	}
	if (d == NULL) {
		log_msg(LOG_WARNING, "pid %ld: unknown opcode %u", (long)c->cred.pid, op);
		wbuf_begin(&c->out, CDB_STATUS_ERROR);
		goto reply;
	}
	opname = d->name;
	snprintf(rq.what, sizeof(rq.what), "%s", d->name);
	if (d->who == ROOT_ONLY && c->cred.uid != 0) {
		st = CDB_STATUS_DENIED;
		wbuf_begin(&c->out, CDB_STATUS_DENIED);
		goto reply;
	}
	st = d->fn(&rq, &in, &c->out);
	if (st < 0) {
		log_msg(LOG_WARNING, "pid %ld: malformed %s request", (long)c->cred.pid,
			d->name);
		wbuf_begin(&c->out, CDB_STATUS_ERROR);
	}
reply:
	stats_served(opname != NULL ? op : 0, opname, st);
	if (wbuf_end(&c->out) != 0) {
		wbuf_begin(&c->out, CDB_STATUS_ERROR);
		wbuf_end(&c->out);
	}
	log_msg(LOG_DEBUG, "uid %lu pid %ld: %s -> %s (%.2f ms)", (unsigned long)c->cred.uid,
		(long)c->cred.pid, rq.what, st >= 0 ? cdb_status_name(st) : "error",
		elapsed_ms(&c->t0));
}
