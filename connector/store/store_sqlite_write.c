/* store_sqlite_write.c: users written to the SQLite store: a migration, a
 * batch of a bulk import (one transaction, one fsync), and the last login. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "log.h"
#include "store_sqlite_int.h"

/* A login's last_login_at waits this long at most for the write lock. */
#define SL_TOUCH_BUSY_MS 250

/* Inside the migration's transaction: the group row, created if missing, and
 * (when member) the membership, when the store's group of that name has that
 * gid. A group the store knows by another gid is left out (and said): the
 * store is the truth for its groups, and a membership never widens on a
 * guess. */
static int sl_add_group(struct sl_store *ss, const char *user, const struct group *g,
			bool member)
{
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	st = sl_get(ss, SL_INSERT_GROUP, &rc);
	if (st == NULL)
		return rc;
	r = sl_bind_text(st, 1, g->name);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int64(st, 2, (sqlite3_int64)g->gid);
	rc = sl_write(ss, st, r, "insert group");
	if (rc != STORE_OK || !member)
		return rc;
	r = sl_lookup(ss, SL_GROUP_GID, g->name, 0, &st, &rc);
	if (r == SQLITE_ROW && (gid_t)sqlite3_column_int64(st, 0) != g->gid) {
		log_msg(LOG_WARNING, "store %s: user %s: group %s is in the store with gid %lld, "
			"not %lu as the legacy database says; membership not copied", ss->path, user,
			g->name, (long long)sqlite3_column_int64(st, 0), (unsigned long)g->gid);
		r = SQLITE_DONE;
	} else if (r == SQLITE_DONE) {
		log_msg(LOG_WARNING, "store %s: user %s: gid %lu of group %s belongs to another "
			"group in the store; membership not copied", ss->path, user,
			(unsigned long)g->gid, g->name);
	}
	sl_done(st);
	if (r != SQLITE_ROW)
		return r == SQLITE_DONE ? STORE_OK : rc;
	st = sl_get(ss, SL_INSERT_MEMBER, &rc);
	if (st == NULL)
		return rc;
	r = sl_bind_text(st, 1, g->name);
	if (r == SQLITE_OK)
		r = sl_bind_text(st, 2, user);
	return sl_write(ss, st, r, "insert membership");
}

/* The groups of user (members of each) and the primary group's row. */
static int sl_add_groups(struct sl_store *ss, const char *user, const struct group *primary,
			 const struct group *groups, size_t ngroups)
{
	size_t i;
	int rc = STORE_OK;

	for (i = 0; i < ngroups && rc == STORE_OK; i++)
		rc = sl_add_group(ss, user, &groups[i], true);
	if (rc == STORE_OK && primary != NULL)
		rc = sl_add_group(ss, user, primary, false);
	return rc;
}

/* Bind the user row of SL_INSERT_USER. */
static int sl_bind_user(sqlite3_stmt *st, const struct user *u, const char *hash,
			const char *salt, bool imported, sqlite3_int64 now)
{
	int r = sl_bind_text(st, 1, u->name);

	if (r == SQLITE_OK)
		r = sqlite3_bind_int64(st, 2, (sqlite3_int64)u->uid);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int64(st, 3, (sqlite3_int64)u->gid);
	if (r == SQLITE_OK)
		r = sl_bind_text(st, 4, u->gecos != NULL ? u->gecos : "");
	if (r == SQLITE_OK)
		r = sl_bind_text(st, 5, u->home);
	if (r == SQLITE_OK)
		r = sl_bind_text(st, 6, u->shell);
	if (r == SQLITE_OK)
		r = sl_bind_text(st, 7, u->email);
	if (r == SQLITE_OK)
		r = u->email_verified < 0 ? sqlite3_bind_null(st, 8)
					  : sqlite3_bind_int(st, 8, u->email_verified);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int(st, 9, u->disabled ? 1 : 0);
	if (r == SQLITE_OK)
		r = sl_bind_text(st, 10, hash);
	if (r == SQLITE_OK)
		r = u->expires == 0 ? sqlite3_bind_null(st, 11)
				    : sqlite3_bind_int64(st, 11, (sqlite3_int64)u->expires);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int64(st, 12, now);
	if (r == SQLITE_OK)
		r = sl_bind_text(st, 13, salt);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int(st, 14, u->must_change_password ? 1 : 0);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int(st, 15, imported ? 1 : 0);
	return r;
}

/* Inside a write transaction (which BEGIN IMMEDIATE makes ours alone): the
 * user row and its groups, what a migration and an import both write.
 * STORE_OK (written), STORE_EXISTS (the name is in the store),
 * STORE_TOMBSTONE, STORE_CONFLICT (the uid is another name's): nothing
 * written; or a failure. */
static int sl_write_user(struct sl_store *ss, const struct user *u, const char *hash,
			 const char *salt, bool imported, const struct group *primary,
			 const struct group *groups, size_t ngroups, sqlite3_int64 now)
{
	sqlite3_stmt *st;
	int rc;

	rc = sl_user_state(ss, u->name);
	if (rc == STORE_OK)
		return STORE_EXISTS;
	if (rc != STORE_NOTFOUND)
		return rc;
	st = sl_get(ss, SL_INSERT_USER, &rc);
	if (st == NULL)
		return rc;
	rc = sl_write(ss, st, sl_bind_user(st, u, hash, salt, imported, now), "insert user");
	if (rc != STORE_OK)
		return rc;
	if (sqlite3_changes(ss->db) == 0)
		return STORE_CONFLICT;   /* the name was free: the uid is not */
	return sl_add_groups(ss, u->name, primary, groups, ngroups);
}

int sl_end(struct sl_store *ss, int rc, bool commit)
{
	if (commit && rc == STORE_OK)
		rc = sl_exec(ss, SL_COMMIT);
	if (sqlite3_get_autocommit(ss->db) == 0)
		sl_exec(ss, SL_ROLLBACK);
	return rc;
}

int sl_migrate_user(struct store *s, const struct user *u, const char *hash,
		    const struct group *primary, const struct group *groups, size_t ngroups)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_stmt *st;
	int rc, r;

	rc = sl_exec(ss, SL_BEGIN);
	if (rc != STORE_OK)
		return rc;
	rc = sl_write_user(ss, u, hash, NULL, false, primary, groups, ngroups,
			   (sqlite3_int64)time(NULL));
	if (rc == STORE_EXISTS) {
		/* migrated already (maybe by a login a moment ago): fine when
		 * it is this user; nothing of ours to write */
		r = sl_lookup(ss, SL_USER_UID, u->name, 0, &st, &rc);
		if (r == SQLITE_ROW)
			rc = (uid_t)sqlite3_column_int64(st, 0) == u->uid ? STORE_OK : STORE_CONFLICT;
		else if (r == SQLITE_DONE)
			rc = STORE_ERROR;   /* not while we hold the write lock */
		sl_done(st);
		return sl_end(ss, rc, false);
	}
	return sl_end(ss, rc, true);
}

int sl_import_users(struct store *s, const struct store_import *rows, size_t n, int *rc)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_int64 now = (sqlite3_int64)time(NULL);
	size_t i;
	int ret;

	ret = sl_exec(ss, SL_BEGIN);
	for (i = 0; i < n && ret == STORE_OK; i++) {
		rc[i] = sl_write_user(ss, rows[i].u, rows[i].u->password, rows[i].u->salt, true,
				      rows[i].primary, rows[i].groups, rows[i].ngroups, now);
		if (rc[i] < 0)
			ret = rc[i];
	}
	return sl_end(ss, ret, true);
}

/* Inside the transaction: the memberships of user in groups other than
 * groups[0..n) go. */
static int sl_drop_other_groups(struct sl_store *ss, const char *user,
				const struct group *groups, size_t ngroups)
{
	sqlite3_stmt *st;
	char *keep;
	size_t len = 2, i;
	int rc = STORE_OK, r;

	for (i = 0; i < ngroups; i++)
		len += strlen(groups[i].name) + 1;
	keep = malloc(len);
	if (keep == NULL)
		return STORE_ERROR;
	strcpy(keep, ",");
	for (i = 0; i < ngroups; i++) {
		strcat(keep, groups[i].name);
		strcat(keep, ",");
	}
	st = sl_get(ss, SL_DROP_MEMBERS, &rc);
	if (st != NULL) {
		r = sl_bind_text(st, 1, user);
		if (r == SQLITE_OK)
			r = sl_bind_text(st, 2, keep);
		rc = sl_write(ss, st, r, "remove memberships");
	}
	free(keep);
	return rc;
}

/* Inside the transaction: one row of a sync. */
static int sl_sync_row(struct sl_store *ss, const struct store_import *row)
{
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	r = sl_lookup(ss, SL_USER_UID, row->u->name, 0, &st, &rc);
	if (r == SQLITE_ROW)
		rc = (uid_t)sqlite3_column_int64(st, 0) == row->u->uid ? STORE_OK : STORE_NOTFOUND;
	else if (r == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	sl_done(st);
	if (rc == STORE_OK)
		rc = sl_add_groups(ss, row->u->name, row->primary, row->groups, row->ngroups);
	if (rc == STORE_OK)
		rc = sl_drop_other_groups(ss, row->u->name, row->groups, row->ngroups);
	return rc;
}

int sl_sync_groups(struct store *s, const struct store_import *rows, size_t n, int *rc)
{
	struct sl_store *ss = to_sl(s);
	size_t i;
	int ret;

	ret = sl_exec(ss, SL_BEGIN);
	for (i = 0; i < n && ret == STORE_OK; i++) {
		rc[i] = sl_sync_row(ss, &rows[i]);
		if (rc[i] < 0)
			ret = rc[i];
	}
	return sl_end(ss, ret, true);
}

int sl_prune_group(struct store *s, const char *name)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_stmt *st;
	int rc = STORE_OK;

	st = sl_get(ss, SL_PRUNE_GROUP, &rc);
	if (st == NULL)
		return rc;
	rc = sl_write(ss, st, sl_bind_text(st, 1, name), "remove group");
	if (rc == STORE_OK && sqlite3_changes(ss->db) == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

int sl_touch_login(struct store *s, const char *name)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	sqlite3_busy_timeout(ss->db, ss->busy_ms < SL_TOUCH_BUSY_MS ? ss->busy_ms : SL_TOUCH_BUSY_MS);
	sl_exec(ss, SL_SYNC_NORMAL);
	st = sl_get(ss, SL_TOUCH, &rc);
	if (st != NULL) {
		r = sl_bind_text(st, 1, name);
		if (r == SQLITE_OK)
			r = sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
		if (r == SQLITE_OK)
			r = sqlite3_step(st);
		if (r != SQLITE_DONE)
			rc = sl_fail(ss, "record last login", r);
		sl_done(st);
	}
	sl_exec(ss, SL_SYNC_FULL);
	sqlite3_busy_timeout(ss->db, ss->busy_ms);
	return rc;
}
