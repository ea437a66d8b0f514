/* store_pgsql_lookup.c: users and groups looked up in the PostgreSQL store,
 * each look-up one statement. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "log.h"
#include "store_pgsql_int.h"

struct lookup {
	const char *key;
	void *out;        /* struct user * or struct group * */
	gid_t **gids;
	size_t *n;
	const char *const *names;
	bool *known;
	size_t nnames;
};

int fill_user_row(const PGresult *res, int row, int first_col, struct user *u)
{
	const char *cells[STORE_USER_COLUMNS];
	int i, rc;

	for (i = 0; i < STORE_USER_COLUMNS; i++)
		cells[i] = PQgetisnull(res, row, first_col + i) ? NULL
			   : PQgetvalue(res, row, first_col + i);
	rc = store_fill_user(u, cells);
	if (rc != STORE_OK)
		log_msg(LOG_ERR, "store: user row '%s' cannot be read",
			cells[0] != NULL ? cells[0] : "(null)");
	return rc;
}

int fill_group_row(const PGresult *res, int row, struct group *g)
{
	int rc = store_fill_group(g, PQgetvalue(res, row, 0), PQgetvalue(res, row, 1),
				  PQgetisnull(res, row, 2) ? NULL : PQgetvalue(res, row, 2));

	if (rc != STORE_OK)
		log_msg(LOG_ERR, "store: group row cannot be read");
	return rc;
}

static int work_user_by_name(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	struct lookup *l = arg;
	const char *p[1] = { l->key };
	PGresult *res;
	int rc;

	rc = ps_run(ps, PG_USER_BY_NAME, 1, p, &res, o);
	if (rc != STORE_OK)
		return rc;
	if (PQntuples(res) == 0)
		rc = STORE_NOTFOUND;
	else if (strcmp(PQgetvalue(res, 0, 0), "1") == 0)
		rc = STORE_TOMBSTONE;
	else
		rc = fill_user_row(res, 0, 1, l->out);
	PQclear(res);
	return rc;
}

static int work_user_by_uid(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	struct lookup *l = arg;
	const char *p[1] = { l->key };
	PGresult *res;
	int rc;

	rc = ps_run(ps, PG_USER_BY_UID, 1, p, &res, o);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) == 0 ? STORE_NOTFOUND : fill_user_row(res, 0, 0, l->out);
	PQclear(res);
	return rc;
}

static int work_group(struct pg_store *ps, enum pg_id id, struct lookup *l, struct pg_outcome *o)
{
	const char *p[1] = { l->key };
	PGresult *res;
	int rc;

	rc = ps_run(ps, id, 1, p, &res, o);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) == 0 ? STORE_NOTFOUND : fill_group_row(res, 0, l->out);
	PQclear(res);
	return rc;
}

static int work_group_by_name(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	return work_group(ps, PG_GROUP_BY_NAME, arg, o);
}

static int work_group_by_gid(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	return work_group(ps, PG_GROUP_BY_GID, arg, o);
}

static int work_user_groups(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	struct lookup *l = arg;
	const char *p[1] = { l->key };
	PGresult *res;
	gid_t *list = NULL;
	int rc, i, rows;

	rc = ps_run(ps, PG_USER_GROUPS, 1, p, &res, o);
	if (rc != STORE_OK)
		return rc;
	rows = PQntuples(res);
	if (rows == 0) {
		rc = STORE_NOTFOUND;
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "1") == 0) {
		rc = STORE_TOMBSTONE;
		goto out;
	}
	list = calloc((size_t)rows, sizeof(*list));
	if (list == NULL) {
		rc = STORE_ERROR;
		goto out;
	}
	for (i = 0; i < rows; i++)
		if (!PQgetisnull(res, i, 1))
			list[(*l->n)++] = (gid_t)strtoul(PQgetvalue(res, i, 1), NULL, 10);
	*l->gids = list;
	list = NULL;
out:
	free(list);
	PQclear(res);
	return rc;
}

static int work_names_known(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	struct lookup *l = arg;
	const char *p[1];
	struct arr names = { 0 };
	PGresult *res = NULL;
	size_t j;
	int rc = STORE_ERROR, i;

	for (j = 0; j < l->nnames; j++)
		arr_add(&names, l->names[j]);
	p[0] = arr_text(&names);
	if (p[0] != NULL)
		rc = ps_run(ps, PG_KNOWN, 1, p, &res, o);
	arr_free(&names);
	if (rc != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(res); i++)
		for (j = 0; j < l->nnames; j++)
			if (strcmp(PQgetvalue(res, i, 0), l->names[j]) == 0)
				l->known[j] = true;
	PQclear(res);
	return STORE_OK;
}

int pg_user_by_name(struct store *s, const char *name, struct user *u)
{
	struct lookup l = { .key = name, .out = u };

	return ps_do(to_ps(s), work_user_by_name, &l);
}

int pg_user_by_uid(struct store *s, uid_t uid, struct user *u)
{
	char num[24];
	struct lookup l = { .key = num, .out = u };

	snprintf(num, sizeof(num), "%lu", (unsigned long)uid);
	return ps_do(to_ps(s), work_user_by_uid, &l);
}

int pg_group_by_name(struct store *s, const char *name, struct group *g)
{
	struct lookup l = { .key = name, .out = g };

	return ps_do(to_ps(s), work_group_by_name, &l);
}

int pg_group_by_gid(struct store *s, gid_t gid, struct group *g)
{
	char num[24];
	struct lookup l = { .key = num, .out = g };

	snprintf(num, sizeof(num), "%lu", (unsigned long)gid);
	return ps_do(to_ps(s), work_group_by_gid, &l);
}

int pg_user_groups(struct store *s, const char *name, gid_t **gids, size_t *n)
{
	struct lookup l = { .key = name, .gids = gids, .n = n };

	return ps_do(to_ps(s), work_user_groups, &l);
}

int pg_names_known(struct store *s, const char *const *names, size_t n, bool *known)
{
	struct lookup l = { .names = names, .known = known, .nnames = n };

	return ps_do(to_ps(s), work_names_known, &l);
}
