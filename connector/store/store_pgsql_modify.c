/* store_pgsql_modify.c: store_modify.c's statements on the PostgreSQL
 * store (store_ops.exec), unprepared: they are rare (the administrator's
 * changes). */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_pgsql_int.h"

struct stmt {
	const char *sql;
	int n;
	const char *const *params;
	PGresult *res;
};

static int work_stmt(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	struct stmt *q = arg;

	PQclear(q->res);
	q->res = NULL;
	return ps_params(ps, q->sql, q->n, q->params, &q->res, o);
}

int pg_exec_sql(struct store *s, const char *sql, int n, const char *const *params,
		long long *changed, long long *first)
{
	struct stmt q = { .sql = sql, .n = n, .params = params };
	const char *t;
	int rc;

	*changed = 0;
	rc = ps_do(to_ps(s), work_stmt, &q);
	if (rc == STORE_OK) {
		t = PQcmdTuples(q.res);
		*changed = t[0] != '\0' ? strtoll(t, NULL, 10) : 0;
		if (first != NULL && PQntuples(q.res) > 0 && PQnfields(q.res) > 0 &&
		    !PQgetisnull(q.res, 0, 0))
			*first = strtoll(PQgetvalue(q.res, 0, 0), NULL, 10);
	}
	PQclear(q.res);
	return rc;
}
