/* store_pgsql_write.c: users written to the PostgreSQL store: a migration
 * and a batch of a bulk import by the same three statements (the header of
 * store_pgsql.c says how two hosts writing at once agree), and the last
 * login. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "log.h"
#include "store_pgsql_int.h"

/* A user to write (a migration, or one row of an import) and what became of
 * it. */
struct pg_row {
	const struct user *u;
	const char *hash, *salt;
	const struct group *groups;   /* valid, in write order (store.c) */
	size_t ngroups;
	const struct group *primary;  /* its row only; NULL: none */
	int rc;                       /* STORE_OK (written), STORE_EXISTS,
				       * STORE_TOMBSTONE or STORE_CONFLICT */
	uid_t held_uid;               /* STORE_EXISTS: the uid of the store's row */
};

#define PG_ROW_COLS 13

/* COMMIT, and make sure it was one: an aborted transaction "commits" as
 * ROLLBACK. */
static int ps_commit(struct pg_store *ps, const char *what, struct pg_outcome *o)
{
	PGresult *res = NULL;
	int rc;

	rc = ps_simple(ps, "COMMIT", "commit", &res, o);
	if (rc == STORE_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		log_msg(LOG_ERR, "store: %s was rolled back by the server", what);
		rc = STORE_UNAVAIL;
	}
	PQclear(res);
	return rc;
}

/* After a failure or when nothing is to be kept; a dropped connection has
 * ended its transaction already. */
static void ps_rollback(struct pg_store *ps)
{
	struct pg_outcome ignored = { 0 };

	if (ps->link.conn != NULL)
		ps_simple(ps, "ROLLBACK", "rollback", NULL, &ignored);
}

static int by_name(const void *a, const void *b, void *arg)
{
	const struct pg_row *rows = arg;

	return strcmp(rows[*(const size_t *)a].u->name, rows[*(const size_t *)b].u->name);
}

/* Mark the rows the insert returned (name, uid) as written. A name may come
 * twice in one import: the first row of it with that uid is the one. */
static int mark_written(struct pg_row *rows, size_t n, const PGresult *res)
{
	size_t *idx, lo, hi, mid, k;
	const char *name;
	uid_t uid;
	int i;

	idx = calloc(n, sizeof(*idx));
	if (idx == NULL)
		return STORE_ERROR;
	for (k = 0; k < n; k++)
		idx[k] = k;
	qsort_r(idx, n, sizeof(*idx), by_name, rows);
	for (i = 0; i < PQntuples(res); i++) {
		name = PQgetvalue(res, i, 0);
		uid = (uid_t)strtoul(PQgetvalue(res, i, 1), NULL, 10);
		for (lo = 0, hi = n; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if (strcmp(rows[idx[mid]].u->name, name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (k = lo; k < n && strcmp(rows[idx[k]].u->name, name) == 0; k++) {
			if (rows[idx[k]].rc != STORE_OK && rows[idx[k]].u->uid == uid) {
				rows[idx[k]].rc = STORE_OK;
				break;
			}
		}
	}
	free(idx);
	return STORE_OK;
}

/* Tell why the rows not written were not: their name is in the store, or
 * tombstoned, or else their uid is another name's. */
static int explain_not_written(struct pg_store *ps, struct pg_row *rows, size_t n,
			       struct pg_outcome *o)
{
	struct arr names = { 0 };
	const char *p[1];
	PGresult *res = NULL;
	size_t i, k;
	int rc = STORE_ERROR;

	for (i = 0; i < n; i++)
		if (rows[i].rc != STORE_OK)
			arr_add(&names, rows[i].u->name);
	if (names.len == 0)
		return STORE_OK;
	p[0] = arr_text(&names);
	if (p[0] != NULL)
		rc = ps_run(ps, PG_NOT_WRITTEN, 1, p, &res, o);
	arr_free(&names);
	if (rc != STORE_OK)
		return rc;
	for (i = 0, k = 0; i < n; i++) {
		if (rows[i].rc == STORE_OK)
			continue;
		if (k >= (size_t)PQntuples(res)) {
			rc = STORE_ERROR;
			break;
		}
		if (!PQgetisnull(res, (int)k, 0)) {
			rows[i].rc = STORE_EXISTS;
			rows[i].held_uid = (uid_t)strtoul(PQgetvalue(res, (int)k, 0), NULL, 10);
		} else {
			rows[i].rc = strcmp(PQgetvalue(res, (int)k, 1), "t") == 0 ? STORE_TOMBSTONE
										  : STORE_CONFLICT;
		}
		k++;
	}
	PQclear(res);
	return rc;
}

/* Inside a transaction: the user rows, in one statement. Sets each row's rc.
 * STORE_OK, or a failure. */
static int write_users(struct pg_store *ps, struct pg_row *rows, size_t n, bool imported,
		       struct pg_outcome *o)
{
	struct arr a[PG_ROW_COLS];
	const char *p[PG_ROW_COLS + 1];
	const struct user *u;
	PGresult *res = NULL;
	size_t i;
	int rc = STORE_ERROR, j;

	memset(a, 0, sizeof(a));
	for (i = 0; i < n; i++) {
		u = rows[i].u;
		rows[i].rc = STORE_NOTFOUND;   /* not written, as yet */
		arr_add(&a[0], u->name);
		arr_num(&a[1], (long long)u->uid);
		arr_num(&a[2], (long long)u->gid);
		arr_add(&a[3], u->gecos != NULL ? u->gecos : "");
		arr_add(&a[4], u->home);
		arr_add(&a[5], u->shell);
		arr_add(&a[6], u->email);
		arr_add(&a[7], u->email_verified < 0 ? NULL : u->email_verified ? "t" : "f");
		arr_add(&a[8], u->disabled ? "t" : "f");
		arr_add(&a[9], rows[i].hash);
		if (u->expires == 0)
			arr_add(&a[10], NULL);
		else
			arr_num(&a[10], (long long)u->expires);
		arr_add(&a[11], rows[i].salt);
		arr_add(&a[12], u->must_change_password ? "t" : "f");
	}
	for (j = 0; j < PG_ROW_COLS; j++) {
		p[j] = arr_text(&a[j]);
		if (p[j] == NULL)
			goto out;
	}
	p[PG_ROW_COLS] = imported ? "t" : "f";
	rc = ps_run(ps, PG_INSERT_USERS, PG_ROW_COLS + 1, p, &res, o);
	if (rc == STORE_OK)
		rc = mark_written(rows, n, res);
	if (rc == STORE_OK)
		rc = explain_not_written(ps, rows, n, o);
out:
	PQclear(res);
	for (j = 0; j < PG_ROW_COLS; j++)
		arr_free(&a[j]);
	return rc;
}

/* Inside the transaction, after write_users: the groups of the rows written
 * and their primary groups (created if missing) and their memberships where
 * the store's group of that name has that gid. A group the store knows by
 * another gid is left out, and said (as in store_sqlite.c). */
static int write_groups(struct pg_store *ps, const struct pg_row *rows, size_t n,
			struct pg_outcome *o)
{
	struct arr a[3], ga[2];
	const char *p[3], *gp[2];
	PGresult *res = NULL;
	char others[48];
	size_t i, k;
	int rc = STORE_ERROR, j;

	memset(a, 0, sizeof(a));
	memset(ga, 0, sizeof(ga));
	for (i = 0; i < n; i++) {
		if (rows[i].rc != STORE_OK)
			continue;
		for (k = 0; k < rows[i].ngroups; k++) {
			arr_add(&a[0], rows[i].groups[k].name);
			arr_num(&a[1], (long long)rows[i].groups[k].gid);
			arr_add(&a[2], rows[i].u->name);
			arr_add(&ga[0], rows[i].groups[k].name);
			arr_num(&ga[1], (long long)rows[i].groups[k].gid);
		}
		if (rows[i].primary != NULL) {
			arr_add(&ga[0], rows[i].primary->name);
			arr_num(&ga[1], (long long)rows[i].primary->gid);
		}
	}
	if (ga[0].len == 0 && !ga[0].failed) {
		rc = STORE_OK;
		goto out;
	}
	for (j = 0; j < 3; j++) {
		p[j] = arr_text(&a[j]);
		if (p[j] == NULL)
			goto out;
	}
	for (j = 0; j < 2; j++) {
		gp[j] = arr_text(&ga[j]);
		if (gp[j] == NULL)
			goto out;
	}
	rc = ps_run(ps, PG_INSERT_GROUPS, 2, gp, &res, o);
	PQclear(res);
	res = NULL;
	if (rc == STORE_OK)
		rc = ps_run(ps, PG_INSERT_MEMBERS, 3, p, &res, o);
	for (j = 0; rc == STORE_OK && j < PQntuples(res); j++) {
		long long count = atoll(PQgetvalue(res, j, 4));

		others[0] = '\0';
		if (count > 1)
			snprintf(others, sizeof(others), " and %lld others", count - 1);
		if (PQgetisnull(res, j, 2))
			log_msg(LOG_WARNING, "store: user %s%s: gid %s of group %s belongs to another "
				"group in the store; membership not copied", PQgetvalue(res, j, 3),
				others, PQgetvalue(res, j, 1), PQgetvalue(res, j, 0));
		else
			log_msg(LOG_WARNING, "store: user %s%s: group %s is in the store with gid %s, "
				"not %s as the legacy database says; membership not copied",
				PQgetvalue(res, j, 3), others, PQgetvalue(res, j, 0),
				PQgetvalue(res, j, 2), PQgetvalue(res, j, 1));
	}
out:
	PQclear(res);
	for (j = 0; j < 3; j++)
		arr_free(&a[j]);
	for (j = 0; j < 2; j++)
		arr_free(&ga[j]);
	return rc;
}

static int work_migrate(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	struct pg_row *row = arg;
	int rc;

	rc = ps_simple(ps, "BEGIN", "begin", NULL, o);
	if (rc != STORE_OK)
		return rc;
	rc = write_users(ps, row, 1, false, o);
	if (rc == STORE_OK && row->rc == STORE_OK) {
		rc = write_groups(ps, row, 1, o);
		if (rc == STORE_OK)
			return ps_commit(ps, "a migration", o);
	} else if (rc == STORE_OK) {
		/* nothing of ours to write. Someone was first with this name:
		 * fine when it is this user (a second login racing the first) */
		rc = row->rc;
		if (rc == STORE_EXISTS)
			rc = row->held_uid == row->u->uid ? STORE_OK : STORE_CONFLICT;
	}
	ps_rollback(ps);
	return rc;
}

int pg_migrate_user(struct store *s, const struct user *u, const char *hash,
		    const struct group *primary, const struct group *groups, size_t ngroups)
{
	struct pg_row row = { .u = u, .hash = hash, .groups = groups, .ngroups = ngroups,
			      .primary = primary };

	return ps_do(to_ps(s), work_migrate, &row);
}

/* A batch of a bulk import: rows[i] stands for in[i]. */
struct import_batch {
	struct pg_row *rows;
	size_t n;
};

static int work_import(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	struct import_batch *b = arg;
	int rc;

	rc = ps_simple(ps, "BEGIN", "begin", NULL, o);
	if (rc != STORE_OK)
		return rc;
	rc = write_users(ps, b->rows, b->n, true, o);
	if (rc == STORE_OK)
		rc = write_groups(ps, b->rows, b->n, o);
	if (rc == STORE_OK)
		return ps_commit(ps, "an import", o);
	ps_rollback(ps);
	return rc;
}

/* Run work (work_import or work_sync) on in[0..n); rc[i]: each row's
 * outcome. */
static int run_batch(struct store *s, const struct store_import *in, size_t n, int *rc,
		     ps_work work)
{
	struct import_batch b = { .n = n };
	size_t i;
	int ret;

	b.rows = calloc(n, sizeof(*b.rows));
	if (b.rows == NULL)
		return STORE_ERROR;
	for (i = 0; i < n; i++) {
		b.rows[i].u = in[i].u;
		b.rows[i].hash = in[i].u->password;
		b.rows[i].salt = in[i].u->salt;
		b.rows[i].groups = in[i].groups;
		b.rows[i].ngroups = in[i].ngroups;
		b.rows[i].primary = in[i].primary;
	}
	ret = ps_do(to_ps(s), work, &b);
	for (i = 0; i < n && ret == STORE_OK; i++)
		rc[i] = b.rows[i].rc;
	free(b.rows);
	return ret;
}

int pg_import_users(struct store *s, const struct store_import *in, size_t n, int *rc)
{
	return run_batch(s, in, n, rc, work_import);
}


/* Inside the transaction: the user of row locked, if the store has it with
 * that uid (row->rc then STORE_OK, else STORE_NOTFOUND), and its
 * memberships in groups other than its own dropped. */
static int sync_user(struct pg_store *ps, struct pg_row *row, struct pg_outcome *o)
{
	struct arr keep = { 0 };
	const char *p[2];
	char uid[24];
	PGresult *res = NULL;
	size_t k;
	int rc;

	p[0] = row->u->name;
	p[1] = NUM(uid, row->u->uid);
	rc = ps_run(ps, PG_LOCK_USER, 2, p, &res, o);
	row->rc = rc == STORE_OK && PQntuples(res) == 1 ? STORE_OK : STORE_NOTFOUND;
	PQclear(res);
	res = NULL;
	if (rc != STORE_OK || row->rc != STORE_OK)
		return rc;
	for (k = 0; k < row->ngroups; k++)
		arr_add(&keep, row->groups[k].name);
	p[1] = arr_text(&keep);
	rc = p[1] != NULL ? ps_run(ps, PG_DROP_MEMBERS, 2, p, &res, o) : STORE_ERROR;
	PQclear(res);
	arr_free(&keep);
	return rc;
}

/* Users whose groups are made those of the legacy database: their rows
 * locked (a deadlock with another host's sync is run again by ps_do), then
 * the groups of all, as an import writes them. */
static int work_sync(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	struct import_batch *b = arg;
	size_t i;
	int rc;

	rc = ps_simple(ps, "BEGIN", "begin", NULL, o);
	for (i = 0; i < b->n && rc == STORE_OK; i++)
		rc = sync_user(ps, &b->rows[i], o);
	if (rc == STORE_OK)
		rc = write_groups(ps, b->rows, b->n, o);
	if (rc == STORE_OK)
		return ps_commit(ps, "a group sync", o);
	ps_rollback(ps);
	return rc;
}

int pg_sync_groups(struct store *s, const struct store_import *in, size_t n, int *rc)
{
	return run_batch(s, in, n, rc, work_sync);
}

static int work_prune(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	const char *p[1] = { arg };
	PGresult *res = NULL;
	int rc;

	rc = ps_run(ps, PG_PRUNE_GROUP, 1, p, &res, o);
	if (rc == STORE_OK && strcmp(PQcmdTuples(res), "0") == 0)
		rc = STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

int pg_prune_group(struct store *s, const char *name)
{
	return ps_do(to_ps(s), work_prune, (void *)name);
}

static int work_touch(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	const char *p[1] = { arg };
	PGresult *res = NULL;
	int rc;

	rc = ps_run(ps, PG_TOUCH, 1, p, &res, o);
	PQclear(res);
	return rc;
}

int pg_touch_login(struct store *s, const char *name)
{
	return ps_do(to_ps(s), work_touch, (void *)name);
}
