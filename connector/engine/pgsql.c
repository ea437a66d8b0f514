/* pgsql.c: see pgsql.h. */
#include "pgsql.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "io.h"
#include "query.h"
#include "secret.h"

/* Wait until a result can be read without blocking. 0 ready, 1 the deadline
 * (io_deadline() time; 0 means no bound) passed, -1 connection broken. */
static int wait_ready(PGconn *conn, long long deadline)
{
	struct pollfd pfd;
	long long left;
	int r;

	while (PQisBusy(conn)) {
		left = -1;
		if (deadline != 0) {
			left = deadline - io_deadline(0);
			if (left <= 0)
				return 1;
		}
		pfd.fd = PQsocket(conn);
		pfd.events = POLLIN;
		if (pfd.fd < 0)
			return -1;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			continue; /* the deadline check above ends it */
		if (!PQconsumeInput(conn))
			return -1;
	}
	return 0;
}

void pq_free_error(char *perr)
{
	if (perr == NULL)
		return;
	secret_wipe_str(perr);
	PQfreemem(perr);
}

/* The password a libpq connection string holds, if any, into *password. */
static int connection_password(const char *connection, char **password, char **perr)
{
	PQconninfoOption *opts, *o;
	int rc = 0;

	*password = NULL;
	*perr = NULL;
	opts = PQconninfoParse(connection, perr);
	if (opts == NULL)
		return -1;
	for (o = opts; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0') {
			*password = strdup(o->val);
			if (*password == NULL)
				rc = -1;
		}
	}
	PQconninfoFree(opts);
	return rc;
}

int pq_link_init(struct pq_link *l, const char *connection, const char *password,
		 char **perr)
{
	*perr = NULL;
	l->connection = strdup(connection != NULL ? connection : "");
	if (l->connection == NULL)
		return -1;
	if (password != NULL && (l->password = strdup(password)) == NULL)
		return -1;
	return connection_password(l->connection, &l->inline_password, perr);
}

void pq_link_free(struct pq_link *l)
{
	pq_link_drop(l);
	backend_free_secret(l->connection);
	backend_free_secret(l->password);
	backend_free_secret(l->inline_password);
	l->connection = l->password = l->inline_password = NULL;
}

void pq_link_drop(struct pq_link *l)
{
	PQfinish(l->conn);
	l->conn = NULL;
	l->prepared = 0;  /* statements die with their connection */
}

bool pq_link_up(const struct pq_link *l)
{
	return l->conn != NULL && PQstatus(l->conn) == CONNECTION_OK;
}

void pq_link_scrub(const struct pq_link *l, const char *prefix, const char *msg,
		   int first_line, const char *const *secrets, size_t nsecrets, char *out,
		   size_t outlen)
{
	const char *all[2 + QUERY_MAX_PARAMS];
	size_t n = 0, i;

	all[n++] = l->password;
	all[n++] = l->inline_password;
	for (i = 0; i < nsecrets && n < sizeof(all) / sizeof(all[0]); i++)
		all[n++] = secrets[i];
	backend_set_err(out, outlen, prefix, msg, first_line, all, n);
}

bool pq_unavailable(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (state == NULL)
		return false;
	return strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
	       strncmp(state, "57", 2) == 0 || strncmp(state, "40", 2) == 0 ||
	       strcmp(state, "55P03") == 0;
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Keywords we add go *after* the expanded string, so they win:
 *   connect_timeout  the config's bound must hold whatever the string says
 *                    (libpq applies it per host tried, and raises 1 to 2);
 *   client_encoding  we hand cells on as UTF-8;
 *   password         password_file, when given, is the deliberate choice.
 * fallback_application_name goes first: only a default. */
static PGconn *connect_params(const struct pq_link *l)
{
	const char *kw[6], *val[6];
	char ct[16];
	int n = 0;

	kw[n] = "fallback_application_name";
	val[n++] = l->app_name;
	kw[n] = "dbname";
	val[n++] = l->connection;
	if (l->connect_timeout > 0) {
		snprintf(ct, sizeof(ct), "%d", l->connect_timeout);
		kw[n] = "connect_timeout";
		val[n++] = ct;
	}
	kw[n] = "client_encoding";
	val[n++] = "UTF8";
	if (l->password != NULL) {
		kw[n] = "password";
		val[n++] = l->password;
	}
	kw[n] = NULL;
	val[n] = NULL;
	return PQconnectdbParams(kw, val, 1);
}

int pq_link_connect(struct pq_link *l)
{
	PGresult *res = NULL;
	int r;

	pq_link_drop(l);
	l->conn = connect_params(l);
	if (l->conn == NULL) {
		snprintf(l->why, sizeof(l->why), "out of memory");
		return -1;
	}
	if (PQstatus(l->conn) != CONNECTION_OK) {
		pq_link_scrub(l, "", PQerrorMessage(l->conn), 0, NULL, 0, l->why, sizeof(l->why));
		pq_link_drop(l);
		return -1;
	}
	if (l->quiet)
		PQsetNoticeProcessor(l->conn, quiet, NULL);
	if (l->setup == NULL)
		return 0;
	r = pq_link_run(l, PQ_SIMPLE, NULL, l->setup, 0, NULL, &res);
	if (r == PQ_FAILED)
		pq_link_scrub(l, "", PQresultErrorMessage(res), 1, NULL, 0, l->why, sizeof(l->why));
	else if (r == PQ_TIMEOUT || r == PQ_COPY)
		snprintf(l->why, sizeof(l->why), "no answer within query_timeout");
	PQclear(res);
	if (r == PQ_OK)
		return 0;
	pq_link_drop(l);
	return -2;
}

/* Collect the results of what was sent: the first, or the first error, in
 * *res. An enum pq_rc. */
static int collect(struct pq_link *l, long long deadline, PGresult **res)
{
	PGresult *r;
	ExecStatusType st;
	int w;

	for (;;) {
		w = wait_ready(l->conn, deadline);
		if (w > 0)
			return PQ_TIMEOUT;
		if (w < 0)
			return PQ_LOST;
		r = PQgetResult(l->conn);
		if (r == NULL)
			break;
		st = PQresultStatus(r);
		if (*res == NULL) {
			*res = r;
		} else if (PQresultStatus(*res) != PGRES_FATAL_ERROR && st == PGRES_FATAL_ERROR) {
			PQclear(*res);  /* of several, the error is what matters */
			*res = r;
		} else {
			PQclear(r);
		}
		/* COPY would wait for data we never send */
		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH)
			return PQ_COPY;
	}
	if (PQstatus(l->conn) != CONNECTION_OK || *res == NULL)
		return PQ_LOST;
	st = PQresultStatus(*res);
	return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK ? PQ_OK : PQ_FAILED;
}

static int send_one(PGconn *conn, enum pq_send how, const char *name, const char *sql, int n,
		    const char *const *params)
{
	switch (how) {
	case PQ_SIMPLE:
		return PQsendQuery(conn, sql);
	case PQ_PARAMS:
		return PQsendQueryParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	case PQ_PREPARE:
		return PQsendPrepare(conn, name, sql, n, NULL);
	case PQ_PREPARED:
		return PQsendQueryPrepared(conn, name, n, params, NULL, NULL, 0);
	}
	return 0;
}

int pq_link_run(struct pq_link *l, enum pq_send how, const char *name, const char *sql,
		int n, const char *const *params, PGresult **res)
{
	long long deadline = 0;
	int rc;

	*res = NULL;
	if (l->query_timeout > 0)
		deadline = io_deadline(0) + (long long)l->query_timeout * 1000;
	if (!send_one(l->conn, how, name, sql, n, params))
		rc = PQstatus(l->conn) != CONNECTION_OK ? PQ_LOST : PQ_UNSENT;
	else
		rc = collect(l, deadline, res);
	if (rc == PQ_LOST || rc == PQ_UNSENT)
		pq_link_scrub(l, "", PQerrorMessage(l->conn), rc == PQ_UNSENT, NULL, 0, l->why,
			      sizeof(l->why));
	if (rc == PQ_TIMEOUT || rc == PQ_LOST || rc == PQ_COPY) {
		PQclear(*res);
		*res = NULL;
		pq_link_drop(l);
	}
	return rc;
}
