/* store_pgsql_admin.c: what the administrator's tool asks of the
 * PostgreSQL store: a password or e-mail set, a user deleted, the next free
 * uid, a user's dates, counts and listings. Each is one statement. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "log.h"
#include "store_pgsql_int.h"

/* One statement with its parameters and, once run, its result: a unit of
 * work of its own for ps_do. */
struct one {
	enum pg_id id;
	int n;
	const char *p[3];
	PGresult *res;
};

static int work_one(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	struct one *q = arg;

	PQclear(q->res);
	q->res = NULL;
	return ps_run(ps, q->id, q->n, q->p, &q->res, o);
}

/* Run q; on STORE_OK, q->res is the caller's to clear. */
static int pg_one(struct pg_store *ps, struct one *q)
{
	int rc;

	q->res = NULL;
	rc = ps_do(ps, work_one, q);
	if (rc != STORE_OK) {
		PQclear(q->res);
		q->res = NULL;
	}
	return rc;
}

/* An UPDATE of one user: STORE_NOTFOUND when no row had that name. */
static int pg_update(struct pg_store *ps, struct one *q)
{
	int rc = pg_one(ps, q);

	if (rc == STORE_OK && strcmp(PQcmdTuples(q->res), "0") == 0)
		rc = STORE_NOTFOUND;
	PQclear(q->res);
	return rc;
}

int pg_set_password(struct store *s, const char *name, const char *hash)
{
	struct one q = { .id = PG_SET_PASSWORD, .n = 2, .p = { name, hash } };

	return pg_update(to_ps(s), &q);
}

int pg_set_email(struct store *s, const char *name, const char *email, int verified)
{
	struct one q = { .id = PG_SET_EMAIL, .n = 3,
			 .p = { name, email, verified < 0 ? NULL : verified ? "t" : "f" } };

	return pg_update(to_ps(s), &q);
}

int pg_delete_user(struct store *s, const char *name, bool tombstone)
{
	struct one q = { .id = PG_DELETE_USER, .n = 2, .p = { name, tombstone ? "t" : "f" } };
	int rc = pg_one(to_ps(s), &q);

	if (rc == STORE_OK && strcmp(PQgetvalue(q.res, 0, 0), "0") == 0)
		rc = STORE_NOTFOUND;
	PQclear(q.res);
	return rc;
}

int pg_next_uid(struct store *s, uid_t min, uid_t max, uid_t *uid)
{
	char lo[24], hi[24];
	struct one q = { .id = PG_MAX_UID, .n = 2, .p = { NUM(lo, min), NUM(hi, max) } };
	unsigned long top;
	int rc = pg_one(to_ps(s), &q);

	if (rc != STORE_OK)
		return rc;
	if (PQgetisnull(q.res, 0, 0)) {
		*uid = min;
	} else {
		top = strtoul(PQgetvalue(q.res, 0, 0), NULL, 10);
		if (top < (unsigned long)max)
			*uid = (uid_t)(top + 1);
		else
			rc = STORE_NOTFOUND;
	}
	PQclear(q.res);
	return rc;
}

/* A number cell; 0 for NULL. */
static int64_t cell_i64(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

int pg_user_meta(struct store *s, const char *name, struct store_meta *m)
{
	struct one q = { .id = PG_META, .n = 1, .p = { name } };
	int rc = pg_one(to_ps(s), &q);

	if (rc != STORE_OK)
		return rc;
	m->migrated_at = cell_i64(q.res, 0, 0);
	m->updated_at = cell_i64(q.res, 0, 1);
	m->last_login_at = cell_i64(q.res, 0, 2);
	m->imported = strcmp(PQgetvalue(q.res, 0, 3), "t") == 0;
	m->deleted_at = cell_i64(q.res, 0, 4);
	if (PQgetisnull(q.res, 0, 0) && PQgetisnull(q.res, 0, 4))
		rc = STORE_NOTFOUND;
	PQclear(q.res);
	return rc;
}

int pg_stats(struct store *s, struct store_stats *st)
{
	struct pg_store *ps = to_ps(s);
	char days[24], recent[24];
	struct one q = { .id = PG_STATS_COUNTS };
	int64_t d;
	int rc, i;

	rc = pg_one(ps, &q);
	if (rc != STORE_OK)
		return rc;
	st->users = cell_i64(q.res, 0, 0);
	st->imported_pending = cell_i64(q.res, 0, 1);
	st->tombstones = cell_i64(q.res, 0, 2);
	st->groups = cell_i64(q.res, 0, 3);
	PQclear(q.res);
	q = (struct one){ .id = PG_STATS_DAYS, .n = 1, .p = { NUM(days, STORE_STATS_DAYS) } };
	rc = pg_one(ps, &q);
	if (rc != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(q.res); i++) {
		d = cell_i64(q.res, i, 0);
		if (d >= 0 && d < STORE_STATS_DAYS)
			st->per_day[d] = cell_i64(q.res, i, 1);
	}
	PQclear(q.res);
	q = (struct one){ .id = PG_STATS_RECENT, .n = 1, .p = { NUM(recent, STORE_STATS_RECENT) } };
	rc = pg_one(ps, &q);
	if (rc != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(q.res) && st->nrecent < STORE_STATS_RECENT; i++) {
		snprintf(st->recent[st->nrecent].name, sizeof(st->recent[0].name), "%s",
			 PQgetvalue(q.res, i, 0));
		st->recent[st->nrecent++].at = cell_i64(q.res, i, 1);
	}
	PQclear(q.res);
	return STORE_OK;
}

/* A listing: statement id with the limit as $1, each row filled by fill into
 * an element of `size` bytes. A row that cannot be read is left out. */
static int pg_list(struct pg_store *ps, enum pg_id id, size_t limit, size_t size,
		   int (*fill)(const PGresult *res, int row, void *item), void **out, size_t *n)
{
	char lim[24];
	struct one q = { .id = id, .n = 1, .p = { lim } };
	char *list;
	int rc, i, rows;

	snprintf(lim, sizeof(lim), "%llu", (unsigned long long)(limit > INT64_MAX ? INT64_MAX : limit));
	rc = pg_one(ps, &q);
	if (rc != STORE_OK)
		return rc;
	rows = PQntuples(q.res);
	list = calloc(rows > 0 ? (size_t)rows : 1, size);
	if (list == NULL) {
		PQclear(q.res);
		return STORE_ERROR;
	}
	for (i = 0; i < rows; i++)
		if (fill(q.res, i, list + *n * size) == STORE_OK)
			(*n)++;
	PQclear(q.res);
	if (*n == 0) {
		free(list);
		list = NULL;
	}
	*out = list;
	return STORE_OK;
}

static int list_user(const PGresult *res, int row, void *item)
{
	return fill_user_row(res, row, 0, item);
}

static int list_group(const PGresult *res, int row, void *item)
{
	return fill_group_row(res, row, item);
}

int pg_list_users(struct store *s, size_t limit, struct user **out, size_t *n)
{
	void *items = NULL;
	int rc = pg_list(to_ps(s), PG_LIST_USERS, limit, sizeof(**out), list_user, &items, n);

	*out = items;
	return rc;
}

int pg_list_groups(struct store *s, size_t limit, struct group **out, size_t *n)
{
	void *items = NULL;
	int rc = pg_list(to_ps(s), PG_LIST_GROUPS, limit, sizeof(**out), list_group, &items, n);

	*out = items;
	return rc;
}
