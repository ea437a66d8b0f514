/* backend_pgsql.c: the PostgreSQL engine, over libpq (engine/pgsql.c holds
 * the connection: connect, deadlines, scrubbed messages).
 *
 * `connection` is a libpq conninfo or postgresql:// URI, expanded by libpq;
 * password_file, when given, overrides its password. The session gets
 * statement_timeout = query_timeout so the server stops the work itself,
 * and read-only transactions when asked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "backend.h"
#include "pgsql.h"

/* Queries prepared on the current connection (server-side statements
 * "cdb1", "cdb2", ...): a look-up then skips parsing and planning. Slot i
 * holds a statement while bit i of link.prepared is set. */
#define PG_MAX_PREPARED 32

struct pg_backend {
	struct pq_link link;
	struct {
		const struct query *q;
		const char *sql;    /* the text it was prepared from */
	} prepared[PG_MAX_PREPARED];
	char setup[128];
};

static struct pg_backend *to_pg(struct backend *b)
{
	return (struct pg_backend *)(void *)b;
}

/* Send and collect one statement (see pq_link_run), bounded by
 * query_timeout. Returns BACKEND_OK with *res set (caller PQclear()s),
 * BACKEND_ERROR, or BACKEND_UNAVAILABLE; *lost is set when the connection
 * died under us (and has been dropped), the one case worth a reconnect and
 * retry. secrets are cut out of messages. */
static int pg_exec(struct pg_backend *pb, enum pq_send how, const char *stmt, const char *sql,
		   int nparams, const char *const *params, const char *const *secrets,
		   size_t nsecrets, PGresult **res, int *lost, char *err, size_t errlen)
{
	struct pq_link *l = &pb->link;
	int r, rc = BACKEND_ERROR;

	*lost = 0;
	r = pq_link_run(l, how, stmt, sql, nparams, params, res);
	switch (r) {
	case PQ_OK:
		return BACKEND_OK;
	case PQ_TIMEOUT:
		snprintf(err, errlen, "postgresql: query timed out after %d s", l->query_timeout);
		return BACKEND_UNAVAILABLE;
	case PQ_LOST:
		pq_link_scrub(l, "postgresql: connection lost: ", l->why, 0, secrets, nsecrets, err,
			      errlen);
		*lost = 1;
		return BACKEND_UNAVAILABLE;
	case PQ_UNSENT:
		pq_link_scrub(l, "postgresql: ", l->why, 1, secrets, nsecrets, err, errlen);
		return BACKEND_ERROR;
	case PQ_COPY:
		snprintf(err, errlen, "postgresql: COPY is not supported in a query");
		return BACKEND_ERROR;
	default:
		break;
	}
	if (PQresultStatus(*res) == PGRES_EMPTY_QUERY) {
		snprintf(err, errlen, "postgresql: empty query");
	} else {
		pq_link_scrub(l, "postgresql: ", PQresultErrorMessage(*res), 1, secrets, nsecrets,
			      err, errlen);
		rc = pq_unavailable(*res) ? BACKEND_UNAVAILABLE : BACKEND_ERROR;
	}
	PQclear(*res);
	*res = NULL;
	return rc;
}

/* Connect (or reconnect) and set the session up. BACKEND_OK or
 * BACKEND_UNAVAILABLE with err filled. */
static int pg_connect(struct pg_backend *pb, char *err, size_t errlen)
{
	int r = pq_link_connect(&pb->link);

	if (r == 0)
		return BACKEND_OK;
	snprintf(err, errlen, "postgresql: %s: %s",
		 r == -1 ? "cannot connect" : "session setup failed", pb->link.why);
	return BACKEND_UNAVAILABLE;
}

/* Turn a PGresult into a struct result. BACKEND_OK or BACKEND_ERROR (ENOMEM). */
static int pg_convert(const PGresult *res, struct result **out, char *err, size_t errlen)
{
	struct result *r = NULL;
	const char **cells = NULL, *cmd;
	size_t *lens = NULL;
	int ncols, nrows, i, j, rc = BACKEND_ERROR;

	ncols = PQnfields(res);
	nrows = PQntuples(res);
	r = result_new((size_t)ncols);
	cells = calloc(ncols > 0 ? (size_t)ncols : 1, sizeof(*cells));
	lens = calloc(ncols > 0 ? (size_t)ncols : 1, sizeof(*lens));
	if (r == NULL || cells == NULL || lens == NULL)
		goto nomem;
	for (j = 0; j < ncols; j++) {
		r->colnames[j] = strdup(PQfname(res, j));
		if (r->colnames[j] == NULL)
			goto nomem;
	}
	for (i = 0; i < nrows; i++) {
		for (j = 0; j < ncols; j++) {
			cells[j] = PQgetisnull(res, i, j) ? NULL : PQgetvalue(res, i, j);
			lens[j] = (size_t)PQgetlength(res, i, j);
		}
		if (result_add_row(r, cells, lens) != 0)
			goto nomem;
	}
	/* libpq's prototype lacks the const it honours */
	cmd = PQcmdTuples((PGresult *)res);
	if (cmd[0] != '\0')
		r->affected = atoll(cmd);
	*out = r;
	r = NULL;
	rc = BACKEND_OK;
	goto out;
nomem:
	snprintf(err, errlen, "postgresql: out of memory");
out:
	result_free(r);
	free(cells);
	free(lens);
	return rc;
}

/* The name of q's prepared statement on this connection in stmt, preparing
 * it on first use. When every slot is taken stmt is "" and q runs
 * unprepared. BACKEND_OK, or as pg_exec. */
static int pg_prepared(struct pg_backend *pb, const struct query *q, char *stmt, size_t len,
		       int *lost, char *err, size_t errlen)
{
	PGresult *res = NULL;
	size_t i, slot = PG_MAX_PREPARED;
	int rc;

	stmt[0] = '\0';
	for (i = 0; i < PG_MAX_PREPARED; i++) {
		if (!(pb->link.prepared & (1UL << i))) {
			if (slot == PG_MAX_PREPARED)
				slot = i;
		} else if (pb->prepared[i].q == q && pb->prepared[i].sql == q->sql_dollar) {
			snprintf(stmt, len, "cdb%zu", i + 1);
			return BACKEND_OK;
		}
	}
	if (slot == PG_MAX_PREPARED)
		return BACKEND_OK;
	snprintf(stmt, len, "cdb%zu", slot + 1);
	rc = pg_exec(pb, PQ_PREPARE, stmt, q->sql_dollar, (int)q->nparams, NULL, NULL, 0, &res,
		     lost, err, errlen);
	PQclear(res);
	if (rc != BACKEND_OK)
		return rc;
	pb->prepared[slot].q = q;
	pb->prepared[slot].sql = q->sql_dollar;
	pb->link.prepared |= 1UL << slot;
	return BACKEND_OK;
}

/* One attempt at q; *lost as for pg_exec. */
static int pg_run(struct pg_backend *pb, const struct query *q, const char *const *params,
		  struct result **out, int *lost, char *err, size_t errlen)
{
	const char *secrets[QUERY_MAX_PARAMS];
	char stmt[16];
	size_t ns = 0, i;
	PGresult *res = NULL;
	int rc;

	/* Servers quote bad input back ("invalid input syntax ... \"$value\""):
	 * keep hashes out of the message. */
	for (i = 0; i < q->nparams && i < QUERY_MAX_PARAMS; i++)
		if (q->params[i] == QP_PASSWORD_HASH)
			secrets[ns++] = params[i];
	if (q->nparams > QUERY_MAX_PARAMS) {
		*lost = 0;
		snprintf(err, errlen, "postgresql: too many parameters");
		return BACKEND_ERROR;
	}
	rc = pg_prepared(pb, q, stmt, sizeof(stmt), lost, err, errlen);
	if (rc != BACKEND_OK)
		return rc;
	if (stmt[0] != '\0')
		rc = pg_exec(pb, PQ_PREPARED, stmt, NULL, (int)q->nparams, params, secrets, ns, &res,
			     lost, err, errlen);
	else
		rc = pg_exec(pb, PQ_PARAMS, NULL, q->sql_dollar, (int)q->nparams, params, secrets, ns,
			     &res, lost, err, errlen);
	if (rc == BACKEND_OK)
		rc = pg_convert(res, out, err, errlen);
	PQclear(res);
	return rc;
}

static int pg_query(struct backend *b, const struct query *q, const char *const *params,
		    struct result **out, char *err, size_t errlen)
{
	struct pg_backend *pb = to_pg(b);
	int rc, lost = 0;

	*out = NULL;
	if (!pq_link_up(&pb->link)) {
		rc = pg_connect(pb, err, errlen);
		if (rc != BACKEND_OK)
			return rc;
	}
	rc = pg_run(pb, q, params, out, &lost, err, errlen);
	/* the connection died under us: the session may retry on a new one */
	return rc == BACKEND_UNAVAILABLE && lost ? BACKEND_LOST : rc;
}

static void pg_close(struct backend *b)
{
	struct pg_backend *pb = to_pg(b);

	if (pb == NULL)
		return;
	pq_link_free(&pb->link);
	free(pb);
}

/* Keep the connection string and check it. libpq's parse errors quote
 * pieces of the string, so they are shown only when the string cannot hold
 * a password. */
static int pg_init_link(struct pg_backend *pb, const struct backend_params *p, char *err,
			size_t errlen)
{
	const char *c = p->connection != NULL ? p->connection : "";
	char *perr = NULL;
	int rc = 0;

	if (pq_link_init(&pb->link, c, p->password, &perr) != 0) {
		if (perr == NULL)
			snprintf(err, errlen, "postgresql: out of memory");
		else if (strcasestr(c, "password") == NULL && strchr(c, '@') == NULL)
			backend_set_err(err, errlen, "postgresql: bad connection string: ", perr, 1,
					NULL, 0);
		else
			snprintf(err, errlen, "postgresql: bad connection string (libpq's message "
				 "withheld: it may quote the password)");
		rc = -1;
	}
	pq_free_error(perr);
	return rc;
}

static struct backend *pg_open(const struct backend_params *p, char *err, size_t errlen)
{
	struct pg_backend *pb;
	struct backend *b = NULL;

	pb = calloc(1, sizeof(*pb));
	if (pb == NULL) {
		snprintf(err, errlen, "postgresql: out of memory");
		return NULL;
	}
	pb->link.app_name = "customdbd";
	pb->link.connect_timeout = p->connect_timeout;
	pb->link.query_timeout = p->query_timeout;
	if (p->query_timeout > 0)
		snprintf(pb->setup, sizeof(pb->setup), "SET statement_timeout = %lld;",
			 (long long)p->query_timeout * 1000);
	if (p->read_only)
		strncat(pb->setup, "SET default_transaction_read_only = on;",
			sizeof(pb->setup) - strlen(pb->setup) - 1);
	pb->link.setup = pb->setup[0] != '\0' ? pb->setup : NULL;
	if (pg_init_link(pb, p, err, errlen) != 0 || pg_connect(pb, err, errlen) != BACKEND_OK)
		goto out;
	b = (struct backend *)(void *)pb;
	pb = NULL;
out:
	pg_close((struct backend *)(void *)pb);
	return b;
}

const struct backend_ops backend_pgsql_ops = {
	.driver = "postgresql",
	.open = pg_open,
	.query = pg_query,
	.close = pg_close,
};
