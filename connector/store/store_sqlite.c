/* store_sqlite.c: the store in an SQLite file (one host).
 *
 * The file ([store] path, default state_dir/store.db) is created 0600 and
 * owned by root; one that others may read or that someone else owns is
 * refused, since it holds password hashes. WAL journal (readers never wait
 * for the writer) with synchronous = FULL: a migration whose COMMIT returned
 * survives kill -9 and power loss. Writes begin with BEGIN IMMEDIATE, so two
 * migrations queue on the write lock (busy timeout = [store] query_timeout)
 * instead of failing on a lock upgrade; a batch of a bulk import is one such
 * transaction (one fsync). Each worker has its own connection;
 * statements are prepared once per connection. Failures are logged here,
 * naming the file: the store API has no room for a message. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "sqlite.h"
#include "store.h"

#define SL_SCHEMA_VERSION 2

/* Schema upgrades: sl_upgrade[v] takes a store from version v to v + 1. */
static const char *const sl_upgrade[SL_SCHEMA_VERSION] = {
	/* 0 -> 1: the first schema. Times are epoch seconds. */
	"CREATE TABLE users ("
	" name TEXT PRIMARY KEY NOT NULL,"
	" uid INTEGER NOT NULL UNIQUE,"
	" gid INTEGER NOT NULL,"
	" gecos TEXT NOT NULL DEFAULT '',"
	" home TEXT NOT NULL,"
	" shell TEXT NOT NULL,"
	" email TEXT,"
	" email_verified INTEGER,"          /* NULL: the legacy database did not say */
	" disabled INTEGER NOT NULL DEFAULT 0,"
	" expires INTEGER,"                 /* NULL: never */
	" password_hash TEXT,"
	" migrated_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" last_login_at INTEGER);"
	"CREATE TABLE groups ("
	" name TEXT PRIMARY KEY NOT NULL,"
	" gid INTEGER NOT NULL UNIQUE);"
	"CREATE TABLE memberships ("
	" group_name TEXT NOT NULL REFERENCES groups (name) ON DELETE CASCADE ON UPDATE CASCADE,"
	" user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE ON UPDATE CASCADE,"
	" PRIMARY KEY (group_name, user_name));"
	"CREATE INDEX memberships_user ON memberships (user_name);"
	"CREATE TABLE tombstones ("
	" name TEXT PRIMARY KEY NOT NULL,"
	" deleted_at INTEGER NOT NULL);",
	/* 1 -> 2: bulk import keeps the legacy hash (and its salt) until the
	 * first login re-hashes it; forced password changes */
	"ALTER TABLE users ADD COLUMN salt TEXT;"
	"ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE users ADD COLUMN imported INTEGER NOT NULL DEFAULT 0;",
};

#define SL_USER_COLS "name, uid, gid, gecos, home, shell, email, email_verified, disabled, " \
		     "password_hash, expires, salt, must_change_password"
/* the same, with no hash or salt: for listings */
#define SL_LIST_COLS "name, uid, gid, gecos, home, shell, email, email_verified, disabled, " \
		     "NULL, expires, NULL, must_change_password"
#define SL_GROUP_COLS "g.name, g.gid, (SELECT group_concat(user_name, ',') FROM " \
		      "(SELECT user_name FROM memberships WHERE group_name = g.name " \
		      "ORDER BY user_name))"

enum sl_id {
	SL_USER_BY_NAME,
	SL_USER_BY_UID,
	SL_TOMBSTONE,
	SL_USER_EXISTS,
	SL_GROUP_BY_NAME,
	SL_GROUP_BY_GID,
	SL_USER_GROUPS,
	SL_KNOWN,
	SL_BEGIN,
	SL_COMMIT,
	SL_ROLLBACK,
	SL_INSERT_USER,
	SL_USER_UID,
	SL_INSERT_GROUP,
	SL_GROUP_GID,
	SL_INSERT_MEMBER,
	SL_TOUCH,
	SL_SET_PASSWORD,
	SL_SET_EMAIL,
	SL_DELETE_USER,
	SL_ADD_TOMBSTONE,
	SL_DELETE_TOMBSTONE,
	SL_MAX_UID,
	SL_META,
	SL_STATS_COUNTS,
	SL_STATS_DAYS,
	SL_STATS_RECENT,
	SL_LIST_USERS,
	SL_LIST_GROUPS,
	SL_SYNC_NORMAL,
	SL_SYNC_FULL,
	SL_COUNT_
};

static const char *const sl_sql[SL_COUNT_] = {
	[SL_USER_BY_NAME] = "SELECT " SL_USER_COLS " FROM users WHERE name = ?1",
	[SL_USER_BY_UID] = "SELECT " SL_USER_COLS " FROM users WHERE uid = ?1",
	[SL_TOMBSTONE] = "SELECT 1 FROM tombstones WHERE name = ?1",
	[SL_USER_EXISTS] = "SELECT 1 FROM users WHERE name = ?1",
	[SL_GROUP_BY_NAME] = "SELECT " SL_GROUP_COLS " FROM groups g WHERE g.name = ?1",
	[SL_GROUP_BY_GID] = "SELECT " SL_GROUP_COLS " FROM groups g WHERE g.gid = ?1",
	[SL_USER_GROUPS] = "SELECT g.gid FROM memberships m JOIN groups g ON g.name = m.group_name "
			   "WHERE m.user_name = ?1 ORDER BY g.gid",
	[SL_KNOWN] = "SELECT EXISTS (SELECT 1 FROM users WHERE name = ?1) OR "
		     "EXISTS (SELECT 1 FROM tombstones WHERE name = ?1)",
	[SL_BEGIN] = "BEGIN IMMEDIATE",
	[SL_COMMIT] = "COMMIT",
	[SL_ROLLBACK] = "ROLLBACK",
	/* DO NOTHING on either key: the name (migrated already, maybe at this
	 * very moment) or the uid (held by another name); the caller tells the
	 * two apart by reading the row back */
	[SL_INSERT_USER] = "INSERT INTO users (name, uid, gid, gecos, home, shell, email, "
			   "email_verified, disabled, password_hash, expires, migrated_at, "
			   "updated_at, last_login_at, salt, must_change_password, imported) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, "
			   "CASE WHEN ?15 THEN NULL ELSE ?12 END, ?13, ?14, ?15) "
			   "ON CONFLICT DO NOTHING",
	[SL_USER_UID] = "SELECT uid FROM users WHERE name = ?1",
	[SL_INSERT_GROUP] = "INSERT INTO groups (name, gid) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
	[SL_GROUP_GID] = "SELECT gid FROM groups WHERE name = ?1",
	[SL_INSERT_MEMBER] = "INSERT INTO memberships (group_name, user_name) VALUES (?1, ?2) "
			     "ON CONFLICT DO NOTHING",
	[SL_TOUCH] = "UPDATE users SET last_login_at = ?2 WHERE name = ?1",
	[SL_SET_PASSWORD] = "UPDATE users SET password_hash = ?2, salt = NULL, "
			    "must_change_password = 0, imported = 0, updated_at = ?3 WHERE name = ?1",
	/* ?3 NULL: keep email_verified */
	[SL_SET_EMAIL] = "UPDATE users SET email = coalesce(?2, email), email_verified = "
			 "CASE WHEN ?3 IS NULL THEN email_verified ELSE ?3 END, updated_at = ?4 "
			 "WHERE name = ?1",
	[SL_DELETE_USER] = "DELETE FROM users WHERE name = ?1",
	[SL_ADD_TOMBSTONE] = "INSERT INTO tombstones (name, deleted_at) VALUES (?1, ?2) "
			     "ON CONFLICT DO NOTHING",
	[SL_DELETE_TOMBSTONE] = "DELETE FROM tombstones WHERE name = ?1",
	[SL_MAX_UID] = "SELECT max(uid) FROM users WHERE uid BETWEEN ?1 AND ?2",
	/* always one row: NULLs where there is no user or no tombstone */
	[SL_META] = "SELECT u.migrated_at, u.updated_at, u.last_login_at, u.imported, t.deleted_at "
		    "FROM (SELECT ?1 AS n) k LEFT JOIN users u ON u.name = k.n "
		    "LEFT JOIN tombstones t ON t.name = k.n",
	[SL_STATS_COUNTS] = "SELECT (SELECT count(*) FROM users), "
			    "(SELECT count(*) FROM users WHERE imported), "
			    "(SELECT count(*) FROM tombstones), (SELECT count(*) FROM groups)",
	/* ?1: today's UTC day number; rows of the last STORE_STATS_DAYS days */
	[SL_STATS_DAYS] = "SELECT ?1 - migrated_at / 86400 AS d, count(*) FROM users "
			  "WHERE migrated_at >= (?1 - ?2 + 1) * 86400 GROUP BY d",
	[SL_STATS_RECENT] = "SELECT name, last_login_at FROM users WHERE last_login_at IS NOT NULL "
			    "ORDER BY last_login_at DESC, name LIMIT ?1",
	[SL_LIST_USERS] = "SELECT " SL_LIST_COLS " FROM users ORDER BY name LIMIT ?1",
	[SL_LIST_GROUPS] = "SELECT " SL_GROUP_COLS " FROM groups g ORDER BY g.name LIMIT ?1",
	/* last_login_at is not worth an fsync of its own */
	[SL_SYNC_NORMAL] = "PRAGMA synchronous = NORMAL",
	[SL_SYNC_FULL] = "PRAGMA synchronous = FULL",
};

/* A login's last_login_at waits this long at most for the write lock. */
#define SL_TOUCH_BUSY_MS 250

struct sl_store {
	struct store base;
	sqlite3 *db;
	char *path;
	int busy_ms;
	sqlite3_stmt *stmt[SL_COUNT_];
};

static struct sl_store *to_sl(struct store *s)
{
	return (struct sl_store *)(void *)s;
}

/* Codes that say "not now" rather than "broken". */
static int sl_rc_of(int code)
{
	return sq_unavailable(code) ? STORE_UNAVAIL : STORE_ERROR;
}

/* Log a failure of `what` on this store; the store_rc it stands for. */
static int sl_fail(struct sl_store *ss, const char *what, int code)
{
	log_msg(LOG_ERR, "store %s: %s: %s", ss->path, what, sq_errmsg(ss->db, code));
	return sl_rc_of(code);
}

/* The prepared statement id, ready to bind; NULL after logging. */
static sqlite3_stmt *sl_get(struct sl_store *ss, enum sl_id id, int *rc)
{
	int r;

	if (ss->stmt[id] != NULL)
		return ss->stmt[id];
	r = sqlite3_prepare_v3(ss->db, sl_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &ss->stmt[id],
			       NULL);
	if (r != SQLITE_OK) {
		*rc = sl_fail(ss, "prepare", r);
		ss->stmt[id] = NULL;
		return NULL;
	}
	return ss->stmt[id];
}

static void sl_done(sqlite3_stmt *st)
{
	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* Run a statement that returns no row we need. STORE_OK or a failure. */
static int sl_exec(struct sl_store *ss, enum sl_id id)
{
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	st = sl_get(ss, id, &rc);
	if (st == NULL)
		return rc;
	r = sqlite3_step(st);
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		rc = sl_fail(ss, sl_sql[id], r);
	sl_done(st);
	return rc;
}

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return v == NULL ? sqlite3_bind_null(st, i) : sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* Step a statement that sl_get gave and the caller bound (r: the last
 * bind's code) to its end. STORE_OK or a failure. */
static int sl_write(struct sl_store *ss, sqlite3_stmt *st, int r, const char *what)
{
	if (r == SQLITE_OK)
		r = sqlite3_step(st);
	sl_done(st);
	return r == SQLITE_DONE ? STORE_OK : sl_fail(ss, what, r);
}

/* One-row look-up of statement id keyed by text or by number: SQLITE_ROW
 * (the row stays in *out until sl_done), SQLITE_DONE or an error code. */
static int sl_lookup(struct sl_store *ss, enum sl_id id, const char *key, sqlite3_int64 num,
		     sqlite3_stmt **out, int *rc)
{
	sqlite3_stmt *st;
	int r;

	*out = NULL;
	st = sl_get(ss, id, rc);
	if (st == NULL)
		return SQLITE_ERROR;
	r = key != NULL ? bind_text(st, 1, key) : sqlite3_bind_int64(st, 1, num);
	if (r == SQLITE_OK)
		r = sqlite3_step(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		*rc = sl_fail(ss, sl_sql[id], r);
		sl_done(st);
		return r;
	}
	*out = st;
	return r;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL
		: (const char *)sqlite3_column_text(st, i);
}

/* Fill u from the current row of a SL_USER_COLS statement. */
static int sl_row_user(struct sl_store *ss, sqlite3_stmt *st, struct user *u)
{
	const char *cells[STORE_USER_COLUMNS];
	int i, rc;

	for (i = 0; i < STORE_USER_COLUMNS; i++)
		cells[i] = col(st, i);
	rc = store_fill_user(u, cells);
	if (rc != STORE_OK)
		log_msg(LOG_ERR, "store %s: user row '%s' cannot be read", ss->path,
			cells[0] != NULL ? cells[0] : "(null)");
	return rc;
}

/* Fill g from the current row of a SL_GROUP_COLS statement. */
static int sl_row_group(struct sl_store *ss, sqlite3_stmt *st, struct group *g)
{
	int rc = store_fill_group(g, col(st, 0), col(st, 1), col(st, 2));

	if (rc != STORE_OK)
		log_msg(LOG_ERR, "store %s: group row cannot be read", ss->path);
	return rc;
}

static int sl_user_by_name(struct store *s, const char *name, struct user *u)
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

static int sl_user_by_uid(struct store *s, uid_t uid, struct user *u)
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

static int sl_group_by_name(struct store *s, const char *name, struct group *g)
{
	return sl_group(to_sl(s), SL_GROUP_BY_NAME, name, 0, g);
}

static int sl_group_by_gid(struct store *s, gid_t gid, struct group *g)
{
	return sl_group(to_sl(s), SL_GROUP_BY_GID, NULL, gid, g);
}

/* STORE_OK when name is a store user, STORE_TOMBSTONE, STORE_NOTFOUND. */
static int sl_user_state(struct sl_store *ss, const char *name)
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

static int sl_user_groups(struct store *s, const char *name, gid_t **gids, size_t *n)
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

static int sl_names_known(struct store *s, const char *const *names, size_t n, bool *known)
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

/* Inside the migration's transaction: the group row, created if missing, and
 * the membership, when the store's group of that name has that gid. A group
 * the store knows by another gid is left out (and said): the store is the
 * truth for its groups, and a membership never widens on a guess. */
static int sl_add_group(struct sl_store *ss, const char *user, const struct group *g)
{
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	st = sl_get(ss, SL_INSERT_GROUP, &rc);
	if (st == NULL)
		return rc;
	r = bind_text(st, 1, g->name);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int64(st, 2, (sqlite3_int64)g->gid);
	rc = sl_write(ss, st, r, "insert group");
	if (rc != STORE_OK)
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
	r = bind_text(st, 1, g->name);
	if (r == SQLITE_OK)
		r = bind_text(st, 2, user);
	return sl_write(ss, st, r, "insert membership");
}

/* Bind the user row of SL_INSERT_USER. */
static int sl_bind_user(sqlite3_stmt *st, const struct user *u, const char *hash,
			const char *salt, bool imported, sqlite3_int64 now)
{
	int r = bind_text(st, 1, u->name);

	if (r == SQLITE_OK)
		r = sqlite3_bind_int64(st, 2, (sqlite3_int64)u->uid);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int64(st, 3, (sqlite3_int64)u->gid);
	if (r == SQLITE_OK)
		r = bind_text(st, 4, u->gecos != NULL ? u->gecos : "");
	if (r == SQLITE_OK)
		r = bind_text(st, 5, u->home);
	if (r == SQLITE_OK)
		r = bind_text(st, 6, u->shell);
	if (r == SQLITE_OK)
		r = bind_text(st, 7, u->email);
	if (r == SQLITE_OK)
		r = u->email_verified < 0 ? sqlite3_bind_null(st, 8)
					  : sqlite3_bind_int(st, 8, u->email_verified);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int(st, 9, u->disabled ? 1 : 0);
	if (r == SQLITE_OK)
		r = bind_text(st, 10, hash);
	if (r == SQLITE_OK)
		r = u->expires == 0 ? sqlite3_bind_null(st, 11)
				    : sqlite3_bind_int64(st, 11, (sqlite3_int64)u->expires);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int64(st, 12, now);
	if (r == SQLITE_OK)
		r = bind_text(st, 13, salt);
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
			 const char *salt, bool imported, const struct group *groups,
			 size_t ngroups, sqlite3_int64 now)
{
	sqlite3_stmt *st;
	size_t i;
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
	for (i = 0; i < ngroups; i++) {
		rc = sl_add_group(ss, u->name, &groups[i]);
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

/* Commit; on failure (or when the caller wrote nothing) roll back. */
static int sl_end(struct sl_store *ss, int rc, bool commit)
{
	if (commit && rc == STORE_OK)
		rc = sl_exec(ss, SL_COMMIT);
	if (sqlite3_get_autocommit(ss->db) == 0)
		sl_exec(ss, SL_ROLLBACK);
	return rc;
}

static int sl_migrate_user(struct store *s, const struct user *u, const char *hash,
			   const struct group *groups, size_t ngroups)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_stmt *st;
	int rc, r;

	rc = sl_exec(ss, SL_BEGIN);
	if (rc != STORE_OK)
		return rc;
	rc = sl_write_user(ss, u, hash, NULL, false, groups, ngroups, (sqlite3_int64)time(NULL));
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

static int sl_import_users(struct store *s, const struct store_import *rows, size_t n, int *rc)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_int64 now = (sqlite3_int64)time(NULL);
	size_t i;
	int ret;

	ret = sl_exec(ss, SL_BEGIN);
	for (i = 0; i < n && ret == STORE_OK; i++) {
		rc[i] = sl_write_user(ss, rows[i].u, rows[i].u->password, rows[i].u->salt, true,
				      rows[i].groups, rows[i].ngroups, now);
		if (rc[i] < 0)
			ret = rc[i];
	}
	return sl_end(ss, ret, true);
}

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
	r = bind_text(st, 1, name);
	if (r == SQLITE_OK)
		r = bind_text(st, 2, value);
	if (r == SQLITE_OK && id == SL_SET_EMAIL)
		r = verified < 0 ? sqlite3_bind_null(st, 3) : sqlite3_bind_int(st, 3, verified);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int64(st, sqlite3_bind_parameter_count(st), (sqlite3_int64)time(NULL));
	rc = sl_write(ss, st, r, what);
	if (rc == STORE_OK && sqlite3_changes(ss->db) == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

static int sl_set_password(struct store *s, const char *name, const char *hash)
{
	return sl_update(to_sl(s), SL_SET_PASSWORD, name, hash, -1, "set password");
}

static int sl_set_email(struct store *s, const char *name, const char *email, int verified)
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
	r = bind_text(st, 1, name);
	if (r == SQLITE_OK && sqlite3_bind_parameter_count(st) > 1)
		r = sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	rc = sl_write(ss, st, r, sl_sql[id]);
	if (rc == STORE_OK)
		*changed += sqlite3_changes(ss->db);
	return rc;
}

static int sl_delete_user(struct store *s, const char *name, bool tombstone)
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

static int sl_next_uid(struct store *s, uid_t min, uid_t max, uid_t *uid)
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

static int sl_user_meta(struct store *s, const char *name, struct store_meta *m)
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

static int sl_stats(struct store *s, struct store_stats *out)
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

static int sl_list_users(struct store *s, size_t limit, struct user **out, size_t *n)
{
	void *items = NULL;
	int rc = sl_list(to_sl(s), SL_LIST_USERS, limit, sizeof(**out), list_user, &items, n);

	*out = items;
	return rc;
}

static int sl_list_groups(struct store *s, size_t limit, struct group **out, size_t *n)
{
	void *items = NULL;
	int rc = sl_list(to_sl(s), SL_LIST_GROUPS, limit, sizeof(**out), list_group, &items, n);

	*out = items;
	return rc;
}

static int sl_touch_login(struct store *s, const char *name)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_stmt *st;
	int rc = STORE_OK, r;

	sqlite3_busy_timeout(ss->db, ss->busy_ms < SL_TOUCH_BUSY_MS ? ss->busy_ms : SL_TOUCH_BUSY_MS);
	sl_exec(ss, SL_SYNC_NORMAL);
	st = sl_get(ss, SL_TOUCH, &rc);
	if (st != NULL) {
		r = bind_text(st, 1, name);
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

/* Create or upgrade the schema. Only a store that is not at this version
 * takes the write lock. */
static int sl_schema(struct sl_store *ss, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int version = -1, rc = STORE_ERROR, r;
	bool in_tx = false;
	char *msg = NULL;

	for (;;) {
		r = sqlite3_prepare_v2(ss->db, "SELECT max(version) FROM schema_version", -1, &st,
				       NULL);
		if (r == SQLITE_OK && (r = sqlite3_step(st)) == SQLITE_ROW)
			version = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		st = NULL;
		if (r != SQLITE_ROW && (r & 0xff) != SQLITE_ERROR) {
			rc = sl_rc_of(r);
			snprintf(err, errlen, "store %s: cannot read its schema version: %s", ss->path,
				 sqlite3_errmsg(ss->db));
			goto out;
		}
		if (version > SL_SCHEMA_VERSION) {
			snprintf(err, errlen, "store %s: schema version %d is newer than this customdb "
				 "knows (%d); use a newer customdb", ss->path, version, SL_SCHEMA_VERSION);
			goto out;
		}
		if (version == SL_SCHEMA_VERSION || in_tx)
			break;
		/* take the write lock, then look again: another process may
		 * have done it meanwhile */
		r = sqlite3_exec(ss->db, "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS schema_version "
				 "(version INTEGER NOT NULL)", NULL, NULL, NULL);
		if (r != SQLITE_OK) {
			rc = sl_rc_of(r);
			snprintf(err, errlen, "store %s: cannot create its schema: %s", ss->path,
				 sq_errmsg(ss->db, r));
			goto out;
		}
		in_tx = true;
		version = -1;
	}
	if (version < 0)
		version = 0;
	for (; version < SL_SCHEMA_VERSION; version++) {
		char set[96];

		snprintf(set, sizeof(set), "DELETE FROM schema_version; "
			 "INSERT INTO schema_version VALUES (%d)", version + 1);
		if (sqlite3_exec(ss->db, sl_upgrade[version], NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(ss->db, set, NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "store %s: upgrading the schema to version %d: %s",
				 ss->path, version + 1, msg != NULL ? msg : "failed");
			goto out;
		}
	}
	if (in_tx) {
		r = sqlite3_exec(ss->db, "COMMIT", NULL, NULL, NULL);
		if (r != SQLITE_OK) {
			rc = sl_rc_of(r);
			snprintf(err, errlen, "store %s: cannot commit its schema: %s", ss->path,
				 sqlite3_errmsg(ss->db));
			goto out;
		}
		in_tx = false;
	}
	rc = STORE_OK;
out:
	sqlite3_free(msg);
	if (in_tx)
		sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Create the file 0600 if missing (and its directory, one level, 0755), and
 * refuse one that is not a regular file of ours that only we can read.
 * An existing file is only stat()ed, never opened: closing any descriptor of
 * a file drops every POSIX lock this process holds on it, and other
 * connections of this daemon rely on theirs (SQLite's own "How To Corrupt An
 * SQLite Database File", section 2.2). */
static int sl_prepare_file(const char *path, char *err, size_t errlen)
{
	char *dircopy = strdup(path);
	struct stat st;
	int fd, rc = STORE_ERROR;

	if (dircopy == NULL) {
		snprintf(err, errlen, "store %s: out of memory", path);
		goto out;
	}
	if (mkdir(dirname(dircopy), 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "store %s: cannot create its directory: %s", path,
			 strerror(errno));
		goto out;
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd >= 0)
		close(fd);   /* new and empty: SQLite makes it a database */
	else if (errno != EEXIST) {
		snprintf(err, errlen, "store %s: cannot create: %s", path, strerror(errno));
		goto out;
	}
	if (lstat(path, &st) != 0) {
		snprintf(err, errlen, "store %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "store %s: not a regular file", path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "store %s: owned by uid %lu, must be owned by root", path,
			 (unsigned long)st.st_uid);
		goto out;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen, "store %s: others may read or write it (mode %04o) and it holds "
			 "password hashes; run chmod 600 %s", path, (unsigned)(st.st_mode & 07777),
			 path);
		goto out;
	}
	rc = STORE_OK;
out:
	free(dircopy);
	return rc;
}

static void sl_close(struct store *s)
{
	struct sl_store *ss = to_sl(s);

	if (ss == NULL)
		return;
	sq_close(&ss->db, ss->stmt, SL_COUNT_);
	free(ss->path);
	free(ss);
}

static struct store *sl_open(const struct config *cfg, int *rc, char *err, size_t errlen)
{
	struct sl_store *ss;
	struct store *s = NULL;
	sqlite3_stmt *st = NULL;
	char msg[256];
	int r;

	*rc = STORE_ERROR;
	ss = calloc(1, sizeof(*ss));
	if (ss == NULL || cfg->store_path == NULL ||
	    (ss->path = strdup(cfg->store_path)) == NULL) {
		snprintf(err, errlen, ss == NULL || cfg->store_path != NULL ? "store: out of memory"
			 : "store: [store] path is not set");
		goto out;
	}
	ss->busy_ms = (cfg->store_query_timeout > 0 ? cfg->store_query_timeout : 5) * 1000;
	*rc = sl_prepare_file(ss->path, err, errlen);
	if (*rc != STORE_OK)
		goto out;
	r = sq_open(ss->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, ss->busy_ms, &ss->db,
		    msg, sizeof(msg));
	if (r != SQLITE_OK) {
		*rc = sl_rc_of(r);
		snprintf(err, errlen, "store %s: cannot open: %s", ss->path, msg);
		goto out;
	}
	/* WAL is a property of the file: set once, kept; say so if it cannot be */
	r = sqlite3_prepare_v2(ss->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	if (r == SQLITE_OK && (r = sqlite3_step(st)) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0) {
		*rc = STORE_ERROR;
		snprintf(err, errlen, "store %s: cannot use a write-ahead log (journal mode stays "
			 "%s)", ss->path, (const char *)sqlite3_column_text(st, 0));
		goto out;
	}
	if (r != SQLITE_ROW) {
		*rc = sl_rc_of(r);
		snprintf(err, errlen, "store %s: %s", ss->path,
			 (r & 0xff) == SQLITE_NOTADB ? "not an SQLite database"
			 : sq_errmsg(ss->db, r));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	r = sqlite3_exec(ss->db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", NULL,
			 NULL, NULL);
	if (r != SQLITE_OK) {
		*rc = sl_rc_of(r);
		snprintf(err, errlen, "store %s: %s", ss->path, sqlite3_errmsg(ss->db));
		goto out;
	}
	*rc = sl_schema(ss, err, errlen);
	if (*rc != STORE_OK)
		goto out;
	s = &ss->base;
	ss = NULL;
out:
	sqlite3_finalize(st);
	sl_close(ss != NULL ? &ss->base : NULL);
	return s;
}

const struct store_ops store_sqlite_ops = {
	.driver = "sqlite",
	.open = sl_open,
	.close = sl_close,
	.user_by_name = sl_user_by_name,
	.user_by_uid = sl_user_by_uid,
	.group_by_name = sl_group_by_name,
	.group_by_gid = sl_group_by_gid,
	.user_groups = sl_user_groups,
	.migrate_user = sl_migrate_user,
	.touch_login = sl_touch_login,
	.names_known = sl_names_known,
	.set_password = sl_set_password,
	.set_email = sl_set_email,
	.delete_user = sl_delete_user,
	.next_uid = sl_next_uid,
	.user_meta = sl_user_meta,
	.import_users = sl_import_users,
	.stats = sl_stats,
	.list_users = sl_list_users,
	.list_groups = sl_list_groups,
};
