/* backend_pgsql.c: the PostgreSQL engine, over libpq.
 *
 * `connection` is a libpq conninfo or postgresql:// URI, expanded by libpq.
 * Keywords we add go *after* the expanded string, so they win:
 *   connect_timeout  the config's bound must hold whatever the string says
 *                    (libpq applies it per host tried, and raises 1 to 2);
 *   client_encoding  we hand cells on as UTF-8;
 *   password         password_file, when given, is the deliberate choice.
 * fallback_application_name goes first: only a default.
 *
 * Every wait on the server is a poll() on the socket bounded by
 * query_timeout; the session also gets statement_timeout = query_timeout so
 * the server stops the work itself. We do not PQcancel() on a client-side
 * timeout: in libpq 15 it connect()s with no timeout, so on a black-holed
 * host it would block the worker for minutes, the very case the timeout is
 * for. The connection is dropped instead and a later query reconnects. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libpq-fe.h>

#include "backend.h"
#include "pq_shared.h"

/* Queries prepared on the current connection (server-side statements
 * "cdb1", "cdb2", ...): a look-up then skips parsing and planning. */
#define PG_MAX_PREPARED 32

struct pg_backend {
	PGconn *conn;           /* NULL while disconnected */
	struct {
		const struct query *q;
		const char *sql;    /* the text it was prepared from */
	} prepared[PG_MAX_PREPARED];
	size_t nprepared;
	char *connection;       /* may hold a password: wiped on close */
	char *password;         /* from password_file, or NULL; wiped on close */
	char *inline_password;  /* the string's own, kept only to redact it */
	int connect_timeout;
	int query_timeout;
	int read_only;
};

static struct pg_backend *to_pg(struct backend *b)
{
	return (struct pg_backend *)(void *)b;
}

static void pg_drop(struct pg_backend *pb)
{
	PQfinish(pb->conn);
	pb->conn = NULL;
	pb->nprepared = 0;  /* statements die with their connection */
}

/* SQLSTATEs that say "the server cannot serve now", not "the query is wrong":
 * connection exceptions, insufficient resources, operator intervention (shut
 * down, statement_timeout), transaction rollback (deadlock, serialization),
 * lock not available. */
static int pg_state_unavailable(const char *state)
{
	if (state == NULL)
		return 0;
	return strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
	       strncmp(state, "57", 2) == 0 || strncmp(state, "40", 2) == 0 ||
	       strcmp(state, "55P03") == 0;
}

/* Send sql with params and wait for its one result, bounded by query_timeout.
 * With stmt: prepare sql as that statement (params unused), or, with sql
 * NULL, run the statement prepared before.
 * Returns BACKEND_OK with *res set (caller PQclear()s), BACKEND_ERROR, or
 * BACKEND_UNAVAILABLE; *lost is set when the connection died under us (and
 * has been dropped), the one case worth a reconnect and retry. */
static int pg_exec(struct pg_backend *pb, const char *stmt, const char *sql, int nparams,
		   const char *const *params, const char *const *secrets, size_t nsecrets,
		   PGresult **res, int *lost, char *err, size_t errlen)
{
	int sent;

	long long deadline = 0;
	PGresult *first = NULL, *r;
	ExecStatusType st;
	int rc = BACKEND_UNAVAILABLE, w;

	*res = NULL;
	*lost = 0;
	if (pb->query_timeout > 0)
		deadline = pq_now_ms() + (long long)pb->query_timeout * 1000;
	if (stmt == NULL)
		sent = PQsendQueryParams(pb->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	else if (sql != NULL)
		sent = PQsendPrepare(pb->conn, stmt, sql, nparams, NULL);
	else
		sent = PQsendQueryPrepared(pb->conn, stmt, nparams, params, NULL, NULL, 0);
	if (!sent) {
		if (PQstatus(pb->conn) != CONNECTION_OK)
			goto lost;
		backend_set_err(err, errlen, "postgresql: ", PQerrorMessage(pb->conn), 1,
				secrets, nsecrets);
		rc = BACKEND_ERROR;
		goto out;
	}
	for (;;) {
		w = pq_wait(pb->conn, deadline);
		if (w > 0) {
			snprintf(err, errlen, "postgresql: query timed out after %d s",
				 pb->query_timeout);
			pg_drop(pb);
			rc = BACKEND_UNAVAILABLE;
			goto out;
		}
		if (w < 0)
			goto lost;
		r = PQgetResult(pb->conn);
		if (r == NULL)
			break;
		st = PQresultStatus(r);
		if (first == NULL)
			first = r;
		else
			PQclear(r);
		/* COPY would wait for data we never send; not a lookup anyway. */
		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
			snprintf(err, errlen, "postgresql: COPY is not supported in a query");
			pg_drop(pb);
			rc = BACKEND_ERROR;
			goto out;
		}
	}
	if (PQstatus(pb->conn) != CONNECTION_OK)
		goto lost;
	if (first == NULL) {
		snprintf(err, errlen, "postgresql: no result");
		rc = BACKEND_ERROR;
		goto out;
	}
	switch (PQresultStatus(first)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
		*res = first;
		first = NULL;
		rc = BACKEND_OK;
		break;
	case PGRES_EMPTY_QUERY:
		snprintf(err, errlen, "postgresql: empty query");
		rc = BACKEND_ERROR;
		break;
	default:
		backend_set_err(err, errlen, "postgresql: ", PQresultErrorMessage(first), 1,
				secrets, nsecrets);
		rc = pg_state_unavailable(PQresultErrorField(first, PG_DIAG_SQLSTATE))
			     ? BACKEND_UNAVAILABLE : BACKEND_ERROR;
		break;
	}
	goto out;
lost:
	backend_set_err(err, errlen, "postgresql: connection lost: ", PQerrorMessage(pb->conn), 0,
			secrets, nsecrets);
	pg_drop(pb);
	*lost = 1;
	rc = BACKEND_UNAVAILABLE;
out:
	PQclear(first);
	return rc;
}

/* Session settings that bound and restrict what we run: statement_timeout,
 * and read-only transactions when asked. BACKEND_OK or BACKEND_UNAVAILABLE. */
static int pg_setup_session(struct pg_backend *pb, char *err, size_t errlen)
{
	const char *secrets[2] = { pb->password, pb->inline_password };
	char setup[128];
	long long deadline = 0;
	PGresult *res;
	int rc = BACKEND_OK;

	setup[0] = '\0';
	if (pb->query_timeout > 0)
		snprintf(setup, sizeof(setup), "SET statement_timeout = %lld;",
			 (long long)pb->query_timeout * 1000);
	if (pb->read_only)
		strncat(setup, "SET default_transaction_read_only = on;",
			sizeof(setup) - strlen(setup) - 1);
	if (setup[0] == '\0')
		goto out;
	if (pb->query_timeout > 0)
		deadline = pq_now_ms() + (long long)pb->query_timeout * 1000;
	/* Simple-query protocol (no parameters), so both SETs take one trip. */
	if (!PQsendQuery(pb->conn, setup))
		goto lost;
	for (;;) {
		if (pq_wait(pb->conn, deadline) != 0)
			goto lost;
		res = PQgetResult(pb->conn);
		if (res == NULL)
			break;
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == BACKEND_OK) {
			backend_set_err(err, errlen, "postgresql: session setup failed: ",
					PQresultErrorMessage(res), 1, secrets, 2);
			rc = BACKEND_UNAVAILABLE;
		}
		PQclear(res);
	}
	if (PQstatus(pb->conn) != CONNECTION_OK)
		goto lost;
	goto out;
lost:
	backend_set_err(err, errlen, "postgresql: session setup timed out or lost the connection: ",
			PQerrorMessage(pb->conn), 0, secrets, 2);
	rc = BACKEND_UNAVAILABLE;
out:
	return rc;
}

/* Connect (or reconnect) with the saved settings. BACKEND_OK or
 * BACKEND_UNAVAILABLE with err filled. */
static int pg_connect(struct pg_backend *pb, char *err, size_t errlen)
{
	const char *secrets[2] = { pb->password, pb->inline_password };
	const char *kw[6], *val[6];
	char ct[16];
	int n = 0, rc = BACKEND_UNAVAILABLE;

	pg_drop(pb);
	kw[n] = "fallback_application_name";
	val[n++] = "customdbd";
	kw[n] = "dbname";
	val[n++] = pb->connection;
	if (pb->connect_timeout > 0) {
		snprintf(ct, sizeof(ct), "%d", pb->connect_timeout);
		kw[n] = "connect_timeout";
		val[n++] = ct;
	}
	kw[n] = "client_encoding";
	val[n++] = "UTF8";
	if (pb->password != NULL) {
		kw[n] = "password";
		val[n++] = pb->password;
	}
	kw[n] = NULL;
	val[n] = NULL;

	pb->conn = PQconnectdbParams(kw, val, 1);
	if (pb->conn == NULL) {
		snprintf(err, errlen, "postgresql: cannot connect: out of memory");
		goto out;
	}
	if (PQstatus(pb->conn) != CONNECTION_OK) {
		backend_set_err(err, errlen, "postgresql: cannot connect: ", PQerrorMessage(pb->conn),
				0, secrets, 2);
		goto out;
	}
	rc = pg_setup_session(pb, err, errlen);
out:
	if (rc != BACKEND_OK)
		pg_drop(pb);
	return rc;
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
	const char *secrets[2] = { pb->password, pb->inline_password };
	PGresult *res = NULL;
	size_t i;
	int rc;

	stmt[0] = '\0';
	for (i = 0; i < pb->nprepared; i++) {
		if (pb->prepared[i].q == q && pb->prepared[i].sql == q->sql_dollar) {
			snprintf(stmt, len, "cdb%zu", i + 1);
			return BACKEND_OK;
		}
	}
	if (pb->nprepared == PG_MAX_PREPARED)
		return BACKEND_OK;
	snprintf(stmt, len, "cdb%zu", pb->nprepared + 1);
	rc = pg_exec(pb, stmt, q->sql_dollar, (int)q->nparams, NULL, secrets, 2, &res, lost, err,
		     errlen);
	PQclear(res);
	if (rc != BACKEND_OK)
		return rc;
	pb->prepared[pb->nprepared].q = q;
	pb->prepared[pb->nprepared].sql = q->sql_dollar;
	pb->nprepared++;
	return BACKEND_OK;
}

/* One attempt at q; *lost as for pg_exec. */
static int pg_run(struct pg_backend *pb, const struct query *q, const char *const *params,
		  struct result **out, int *lost, char *err, size_t errlen)
{
	const char *secrets[2 + QUERY_MAX_PARAMS];
	char stmt[16];
	size_t ns = 0, i;
	PGresult *res = NULL;
	int rc;

	/* Servers quote bad input back ("invalid input syntax ... \"$value\""):
	 * keep hashes out of the message. */
	secrets[ns++] = pb->password;
	secrets[ns++] = pb->inline_password;
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
		rc = pg_exec(pb, stmt, NULL, (int)q->nparams, params, secrets, ns, &res, lost, err,
			     errlen);
	else
		rc = pg_exec(pb, NULL, q->sql_dollar, (int)q->nparams, params, secrets, ns, &res, lost,
			     err, errlen);
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
	if (pb->conn == NULL || PQstatus(pb->conn) != CONNECTION_OK) {
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
	pg_drop(pb);
	backend_free_secret(pb->connection);
	backend_free_secret(pb->password);
	backend_free_secret(pb->inline_password);
	free(pb);
}

/* Check the connection string and remember its password (to redact it).
 * libpq's parse errors quote pieces of the string, so they are shown only
 * when the string cannot hold a password. */
static int pg_parse_connection(struct pg_backend *pb, char *err, size_t errlen)
{
	char *perr = NULL;
	int rc = 0;

	if (pq_connection_password(pb->connection, &pb->inline_password, &perr) != 0) {
		if (perr == NULL)
			snprintf(err, errlen, "postgresql: out of memory");
		else if (strcasestr(pb->connection, "password") == NULL &&
			 strchr(pb->connection, '@') == NULL)
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
	if (pb == NULL)
		goto nomem;
	pb->connection = strdup(p->connection != NULL ? p->connection : "");
	if (pb->connection == NULL)
		goto nomem;
	if (p->password != NULL) {
		pb->password = strdup(p->password);
		if (pb->password == NULL)
			goto nomem;
	}
	pb->connect_timeout = p->connect_timeout;
	pb->query_timeout = p->query_timeout;
	pb->read_only = p->read_only;
	if (pg_parse_connection(pb, err, errlen) != 0)
		goto out;
	if (pg_connect(pb, err, errlen) != BACKEND_OK)
		goto out;
	b = (struct backend *)(void *)pb;
	pb = NULL;
	goto out;
nomem:
	snprintf(err, errlen, "postgresql: out of memory");
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
