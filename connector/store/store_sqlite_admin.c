/* store_sqlite_admin.c: what the administrator's tool asks of the SQLite
 * store: a password or e-mail set, a user deleted, the next free uid, a
 * user's dates, counts and listings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "log.h"
#include "store_sqlite_int.h"

/* Update user name (?1) by statement id: ?2 value, for SL_SET_EMAIL ?3
 * verified (< 0: NULL), the time last. STORE_NOTFOUND when no row had that
 * name. */
static int sl_update(struct sl_store *ss, enum sl_id id, const char *name, const char *value,
		     int verified, const char *what)
{
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	st = sl_get(ss, id, &rc);
	if (st == NULL)
		return rc;
	r = sl_bind_text(st, 1, name);
	if (r == SQLITE_OK)
		r = sl_bind_text(st, 2, value);
	if (r == SQLITE_OK && id == SL_SET_EMAIL)
		r = verified < 0 ? sqlite3_bind_null(st, 3) : sqlite3_bind_int(st, 3, verified);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int64(st, sqlite3_bind_parameter_count(st), (sqlite3_int64)time(NULL));
	rc = sl_write(ss, st, r, what);
	if (rc == STORE_OK && sqlite3_changes(ss->db) == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

int sl_set_password(struct store *s, const char *name, const char *hash)
{
	return sl_update(to_sl(s), SL_SET_PASSWORD, name, hash, -1, "set password");
}

int sl_set_email(struct store *s, const char *name, const char *email, int verified)
{
	return sl_update(to_sl(s), SL_SET_EMAIL, name, email, verified, "set email");
}

/* In the transaction: statement id keyed by name (and the time as ?2 where
 * it takes one); *changed grows by the rows it changed. */
static int sl_change(struct sl_store *ss, enum sl_id id, const char *name, int *changed)
{
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	st = sl_get(ss, id, &rc);
	if (st == NULL)
		return rc;
	r = sl_bind_text(st, 1, name);
	if (r == SQLITE_OK && sqlite3_bind_parameter_count(st) > 1)
		r = sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	rc = sl_write(ss, st, r, sl_sql[id]);
	if (rc == STORE_OK)
		*changed += sqlite3_changes(ss->db);
	return rc;
}

int sl_delete_user(struct store *s, const char *name, bool tombstone)
{
	struct sl_store *ss = to_sl(s);
	int rc, changed = 0;

	rc = sl_exec(ss, SL_BEGIN);
	if (rc != STORE_OK)
		return rc;
	/* memberships go with the row (ON DELETE CASCADE) */
	rc = sl_change(ss, SL_DELETE_USER, name, &changed);
	if (rc == STORE_OK)
		rc = sl_change(ss, tombstone ? SL_ADD_TOMBSTONE : SL_DELETE_TOMBSTONE, name, &changed);
	rc = sl_end(ss, rc, changed > 0);
	return rc == STORE_OK && changed == 0 ? STORE_NOTFOUND : rc;
}

int sl_next_uid(struct store *s, uid_t min, uid_t max, uid_t *uid)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_stmt *st;
	sqlite3_int64 top;
	int rc = STORE_OK, r;

	st = sl_get(ss, SL_MAX_UID, &rc);
	if (st == NULL)
		return rc;
	r = sqlite3_bind_int64(st, 1, (sqlite3_int64)min);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	if (r == SQLITE_OK)
		r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
			*uid = min;
		} else {
			top = sqlite3_column_int64(st, 0);
			if (top < (sqlite3_int64)max)
				*uid = (uid_t)(top + 1);
			else
				rc = STORE_NOTFOUND;
		}
	} else {
		rc = sl_fail(ss, "highest uid", r);
	}
	sl_done(st);
	return rc;
}

int sl_user_meta(struct store *s, const char *name, struct store_meta *m)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	r = sl_lookup(ss, SL_META, name, 0, &st, &rc);
	if (r == SQLITE_ROW) {
		m->migrated_at = sqlite3_column_int64(st, 0);
		m->updated_at = sqlite3_column_int64(st, 1);
		m->last_login_at = sqlite3_column_int64(st, 2);
		m->imported = sqlite3_column_int(st, 3) != 0;
		m->deleted_at = sqlite3_column_int64(st, 4);
		rc = sqlite3_column_type(st, 0) == SQLITE_NULL &&
		     sqlite3_column_type(st, 4) == SQLITE_NULL ? STORE_NOTFOUND : STORE_OK;
	} else if (r == SQLITE_DONE) {
		rc = STORE_ERROR;   /* the statement always gives a row */
	}
	sl_done(st);
	return rc;
}

/* Step through the rows of a bound statement; each goes to fn. STORE_OK or
 * a failure (fn's, or SQLite's). */
static int sl_rows(struct sl_store *ss, sqlite3_stmt *st, int r, enum sl_id id,
		   int (*fn)(struct sl_store *ss, sqlite3_stmt *st, void *arg), void *arg)
{
	int rc = STORE_OK;

	if (r == SQLITE_OK)
		r = sqlite3_step(st);
	while (r == SQLITE_ROW && rc == STORE_OK) {
		rc = fn(ss, st, arg);
		if (rc == STORE_OK)
			r = sqlite3_step(st);
	}
	if (rc == STORE_OK && r != SQLITE_DONE)
		rc = sl_fail(ss, sl_sql[id], r);
	sl_done(st);
	return rc;
}

static int stats_day(struct sl_store *ss, sqlite3_stmt *st, void *arg)
{
	struct store_stats *out = arg;
	sqlite3_int64 d = sqlite3_column_int64(st, 0);

	(void)ss;
	if (d >= 0 && d < STORE_STATS_DAYS)
		out->per_day[d] = sqlite3_column_int64(st, 1);
	return STORE_OK;
}

static int stats_recent(struct sl_store *ss, sqlite3_stmt *st, void *arg)
{
	struct store_stats *out = arg;

	(void)ss;
	if (out->nrecent < STORE_STATS_RECENT) {
		snprintf(out->recent[out->nrecent].name, sizeof(out->recent[0].name), "%s",
			 (const char *)sqlite3_column_text(st, 0));
		out->recent[out->nrecent++].at = sqlite3_column_int64(st, 1);
	}
	return STORE_OK;
}

int sl_stats(struct store *s, struct store_stats *out)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_int64 today = (sqlite3_int64)time(NULL) / 86400;
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	st = sl_get(ss, SL_STATS_COUNTS, &rc);
	if (st == NULL)
		return rc;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		out->users = sqlite3_column_int64(st, 0);
		out->imported_pending = sqlite3_column_int64(st, 1);
		out->tombstones = sqlite3_column_int64(st, 2);
		out->groups = sqlite3_column_int64(st, 3);
	} else {
		rc = sl_fail(ss, "count users", r);
	}
	sl_done(st);
	if (rc != STORE_OK)
		return rc;
	st = sl_get(ss, SL_STATS_DAYS, &rc);
	if (st == NULL)
		return rc;
	r = sqlite3_bind_int64(st, 1, today);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int(st, 2, STORE_STATS_DAYS);
	rc = sl_rows(ss, st, r, SL_STATS_DAYS, stats_day, out);
	if (rc != STORE_OK)
		return rc;
	st = sl_get(ss, SL_STATS_RECENT, &rc);
	if (st == NULL)
		return rc;
	r = sqlite3_bind_int(st, 1, STORE_STATS_RECENT);
	return sl_rows(ss, st, r, SL_STATS_RECENT, stats_recent, out);
}

/* A listing being gathered: elements of size `size`, grown as rows come. */
struct sl_list {
	void *items;
	size_t n, cap, size;
};

static void *list_slot(struct sl_list *l)
{
	void *grown;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 64 : l->cap * 2;
		grown = reallocarray(l->items, cap, l->size);
		if (grown == NULL)
			return NULL;
		l->items = grown;
		l->cap = cap;
	}
	return (char *)l->items + l->n * l->size;
}

static int list_user(struct sl_store *ss, sqlite3_stmt *st, void *arg)
{
	struct sl_list *l = arg;
	struct user *u = list_slot(l);

	if (u == NULL)
		return STORE_ERROR;
	if (sl_row_user(ss, st, u) == STORE_OK)
		l->n++;          /* a row that cannot be read is left out */
	return STORE_OK;
}

static int list_group(struct sl_store *ss, sqlite3_stmt *st, void *arg)
{
	struct sl_list *l = arg;
	struct group *g = list_slot(l);

	if (g == NULL)
		return STORE_ERROR;
	if (sl_row_group(ss, st, g) == STORE_OK)
		l->n++;
	return STORE_OK;
}

static int sl_list(struct sl_store *ss, enum sl_id id, size_t limit, size_t size,
		   int (*fn)(struct sl_store *ss, sqlite3_stmt *st, void *arg), void **out,
		   size_t *n)
{
	struct sl_list l = { .size = size };
	sqlite3_stmt *st;
	size_t i;
	int rc = STORE_OK, r;

	st = sl_get(ss, id, &rc);
	if (st == NULL)
		return rc;
	r = sqlite3_bind_int64(st, 1, limit > INT64_MAX ? INT64_MAX : (sqlite3_int64)limit);
	rc = sl_rows(ss, st, r, id, fn, &l);
	if (rc != STORE_OK) {
		for (i = 0; i < l.n; i++) {
			if (id == SL_LIST_USERS)
				user_clear((struct user *)l.items + i);
			else
				group_clear((struct group *)l.items + i);
		}
		free(l.items);
		return rc;
	}
	if (l.n == 0) {
		free(l.items);
		l.items = NULL;
	}
	*out = l.items;
	*n = l.n;
	return STORE_OK;
}

int sl_list_users(struct store *s, size_t limit, struct user **out, size_t *n)
{
	void *items = NULL;
	int rc = sl_list(to_sl(s), SL_LIST_USERS, limit, sizeof(**out), list_user, &items, n);

	*out = items;
	return rc;
}

int sl_list_groups(struct store *s, size_t limit, struct group **out, size_t *n)
{
	void *items = NULL;
	int rc = sl_list(to_sl(s), SL_LIST_GROUPS, limit, sizeof(**out), list_group, &items, n);

	*out = items;
	return rc;
}
