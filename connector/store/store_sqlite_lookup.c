/* store_sqlite_lookup.c: users and groups looked up in the SQLite store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "log.h"
#include "store_sqlite_int.h"

int sl_user_by_name(struct store *s, const char *name, struct user *u)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	r = sl_lookup(ss, SL_USER_BY_NAME, name, 0, &st, &rc);
	if (r == SQLITE_ROW)
		rc = sl_row_user(ss, st, u);
	sl_done(st);
	if (r != SQLITE_DONE)
		return rc;
	r = sl_lookup(ss, SL_TOMBSTONE, name, 0, &st, &rc);
	sl_done(st);
	if (r == SQLITE_ROW)
		return STORE_TOMBSTONE;
	return r == SQLITE_DONE ? STORE_NOTFOUND : rc;
}

int sl_user_by_uid(struct store *s, uid_t uid, struct user *u)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	r = sl_lookup(ss, SL_USER_BY_UID, NULL, (sqlite3_int64)uid, &st, &rc);
	if (r == SQLITE_ROW)
		rc = sl_row_user(ss, st, u);
	else if (r == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	sl_done(st);
	return rc;
}

static int sl_group(struct sl_store *ss, enum sl_id id, const char *name, gid_t gid,
		    struct group *g)
{
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	r = sl_lookup(ss, id, name, (sqlite3_int64)gid, &st, &rc);
	if (r == SQLITE_ROW)
		rc = sl_row_group(ss, st, g);
	else if (r == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	sl_done(st);
	return rc;
}

int sl_group_by_name(struct store *s, const char *name, struct group *g)
{
	return sl_group(to_sl(s), SL_GROUP_BY_NAME, name, 0, g);
}

int sl_group_by_gid(struct store *s, gid_t gid, struct group *g)
{
	return sl_group(to_sl(s), SL_GROUP_BY_GID, NULL, gid, g);
}

/* STORE_OK when name is a store user, STORE_TOMBSTONE, STORE_NOTFOUND. */
int sl_user_state(struct sl_store *ss, const char *name)
{
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	r = sl_lookup(ss, SL_USER_EXISTS, name, 0, &st, &rc);
	sl_done(st);
	if (r == SQLITE_ROW)
		return STORE_OK;
	if (r != SQLITE_DONE)
		return rc;
	r = sl_lookup(ss, SL_TOMBSTONE, name, 0, &st, &rc);
	sl_done(st);
	if (r == SQLITE_ROW)
		return STORE_TOMBSTONE;
	return r == SQLITE_DONE ? STORE_NOTFOUND : rc;
}

int sl_user_groups(struct store *s, const char *name, gid_t **gids, size_t *n)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_stmt *st;
	gid_t *list = NULL, *grown;
	size_t cap = 0;
	int rc, r;

	rc = sl_user_state(ss, name);
	if (rc != STORE_OK)
		return rc;
	r = sl_lookup(ss, SL_USER_GROUPS, name, 0, &st, &rc);
	while (r == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			grown = realloc(list, cap * sizeof(*list));
			if (grown == NULL) {
				rc = STORE_ERROR;
				goto out;
			}
			list = grown;
		}
		list[(*n)++] = (gid_t)sqlite3_column_int64(st, 0);
		r = sqlite3_step(st);
	}
	if (r != SQLITE_DONE) {
		if (st != NULL)
			rc = sl_fail(ss, sl_sql[SL_USER_GROUPS], r);
		goto out;
	}
	*gids = list;
	list = NULL;
	rc = STORE_OK;
out:
	if (rc != STORE_OK)
		*n = 0;
	sl_done(st);
	free(list);
	return rc;
}

int sl_names_known(struct store *s, const char *const *names, size_t n, bool *known)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_stmt *st;
	size_t i;
	int rc = STORE_OK, r;

	for (i = 0; i < n; i++) {
		r = sl_lookup(ss, SL_KNOWN, names[i], 0, &st, &rc);
		if (r == SQLITE_ROW)
			known[i] = sqlite3_column_int(st, 0) != 0;
		sl_done(st);
		if (r != SQLITE_ROW)
			return rc == STORE_OK ? STORE_ERROR : rc;
	}
	return STORE_OK;
}
