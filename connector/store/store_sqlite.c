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
 * naming the file: the store API has no room for a message.
 *
 * This file holds the statements and how one is run, and opening the file
 * with its checks. The rest, one part a file: store_sqlite_lookup.c (users
 * and groups looked up), store_sqlite_write.c (migrations, imports, last
 * login), store_sqlite_admin.c (the tool's changes, counts and listings),
 * store_sqlite_schema.c (the store's own schema and its upgrades);
 * store_sqlite_int.h joins them. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "sqlite.h"
#include "store_sqlite_int.h"

#define SL_USER_COLS "name, uid, gid, gecos, home, shell, email, email_verified, disabled, " \
		     "password_hash, expires, salt, must_change_password"
/* the same, with no hash or salt: for listings */
#define SL_LIST_COLS "name, uid, gid, gecos, home, shell, email, email_verified, disabled, " \
		     "NULL, expires, NULL, must_change_password"
#define SL_GROUP_COLS "g.name, g.gid, (SELECT group_concat(user_name, ',') FROM " \
		      "(SELECT user_name FROM memberships WHERE group_name = g.name " \
		      "ORDER BY user_name))"


const char *const sl_sql[SL_COUNT_] = {
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
	/* ?2: the groups kept, as ",a,b," (a name holds no comma) */
	[SL_DROP_MEMBERS] = "DELETE FROM memberships WHERE user_name = ?1 AND "
			    "instr(?2, ',' || group_name || ',') = 0",
	[SL_PRUNE_GROUP] = "DELETE FROM groups WHERE name = ?1 AND NOT EXISTS "
			   "(SELECT 1 FROM memberships WHERE group_name = ?1)",
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

/* Codes that say "not now" rather than "broken". */
int sl_rc_of(int code)
{
	return sq_unavailable(code) ? STORE_UNAVAIL : STORE_ERROR;
}

/* Log a failure of `what` on this store; the store_rc it stands for. */
int sl_fail(struct sl_store *ss, const char *what, int code)
{
	log_msg(LOG_ERR, "store %s: %s: %s", ss->path, what, sq_errmsg(ss->db, code));
	return sl_rc_of(code);
}

/* The prepared statement id, ready to bind; NULL after logging. */
sqlite3_stmt *sl_get(struct sl_store *ss, enum sl_id id, int *rc)
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

void sl_done(sqlite3_stmt *st)
{
	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* Run a statement that returns no row we need. STORE_OK or a failure. */
int sl_exec(struct sl_store *ss, enum sl_id id)
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

int sl_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return v == NULL ? sqlite3_bind_null(st, i) : sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* Step a statement that sl_get gave and the caller bound (r: the last
 * bind's code) to its end. STORE_OK or a failure. */
int sl_write(struct sl_store *ss, sqlite3_stmt *st, int r, const char *what)
{
	if (r == SQLITE_OK)
		r = sqlite3_step(st);
	sl_done(st);
	return r == SQLITE_DONE ? STORE_OK : sl_fail(ss, what, r);
}

/* One-row look-up of statement id keyed by text or by number: SQLITE_ROW
 * (the row stays in *out until sl_done), SQLITE_DONE or an error code. */
int sl_lookup(struct sl_store *ss, enum sl_id id, const char *key, sqlite3_int64 num,
		     sqlite3_stmt **out, int *rc)
{
	sqlite3_stmt *st;
	int r;

	*out = NULL;
	st = sl_get(ss, id, rc);
	if (st == NULL)
		return SQLITE_ERROR;
	r = key != NULL ? sl_bind_text(st, 1, key) : sqlite3_bind_int64(st, 1, num);
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

const char *sl_col(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL
		: (const char *)sqlite3_column_text(st, i);
}

/* Fill u from the current row of a SL_USER_COLS statement. */
int sl_row_user(struct sl_store *ss, sqlite3_stmt *st, struct user *u)
{
	const char *cells[STORE_USER_COLUMNS];
	int i, rc;

	for (i = 0; i < STORE_USER_COLUMNS; i++)
		cells[i] = sl_col(st, i);
	rc = store_fill_user(u, cells);
	if (rc != STORE_OK)
		log_msg(LOG_ERR, "store %s: user row '%s' cannot be read", ss->path,
			cells[0] != NULL ? cells[0] : "(null)");
	return rc;
}

/* Fill g from the current row of a SL_GROUP_COLS statement. */
int sl_row_group(struct sl_store *ss, sqlite3_stmt *st, struct group *g)
{
	int rc = store_fill_group(g, sl_col(st, 0), sl_col(st, 1), sl_col(st, 2));

	if (rc != STORE_OK)
		log_msg(LOG_ERR, "store %s: group row cannot be read", ss->path);
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
	.sync_groups = sl_sync_groups,
	.prune_group = sl_prune_group,
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
	.exec = sl_exec_sql,
};
