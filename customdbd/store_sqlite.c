/* store_sqlite.c: the store in an SQLite file (one host).
 *
 * The file ([store] path, default state_dir/store.db) is created 0600 and
 * owned by root; one that others may read or that someone else owns is
 * refused, since it holds password hashes. WAL journal (readers never wait
 * for the writer) with synchronous = FULL: a migration whose COMMIT returned
 * survives kill -9 and power loss. Writes begin with BEGIN IMMEDIATE, so two
 * migrations queue on the write lock (busy timeout = [store] query_timeout)
 * instead of failing on a lock upgrade. Each worker has its own connection;
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
#include "store.h"

#define SL_SCHEMA_VERSION 1

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
};

#define SL_USER_COLS "name, uid, gid, gecos, home, shell, email, email_verified, disabled, " \
		     "password_hash, expires"
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
			   "updated_at, last_login_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
			   "?10, ?11, ?12, ?12, ?12) ON CONFLICT DO NOTHING",
	[SL_USER_UID] = "SELECT uid FROM users WHERE name = ?1",
	[SL_INSERT_GROUP] = "INSERT INTO groups (name, gid) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
	[SL_GROUP_GID] = "SELECT gid FROM groups WHERE name = ?1",
	[SL_INSERT_MEMBER] = "INSERT INTO memberships (group_name, user_name) VALUES (?1, ?2) "
			     "ON CONFLICT DO NOTHING",
	[SL_TOUCH] = "UPDATE users SET last_login_at = ?2 WHERE name = ?1",
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
	switch (code & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_INTERRUPT:
	case SQLITE_NOMEM:
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_PROTOCOL:
	case SQLITE_CANTOPEN:
		return STORE_UNAVAIL;
	default:
		return STORE_ERROR;
	}
}

/* Log a failure of `what` on this store; the store_rc it stands for. */
static int sl_fail(struct sl_store *ss, const char *what, int code)
{
	log_msg(LOG_ERR, "store %s: %s: %s", ss->path, what,
		(code & 0xff) == SQLITE_BUSY ? "locked for longer than query_timeout"
					     : sqlite3_errmsg(ss->db));
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
	if (r == SQLITE_ROW) {
		rc = store_fill_group(g, col(st, 0), col(st, 1), col(st, 2));
		if (rc != STORE_OK)
			log_msg(LOG_ERR, "store %s: group row cannot be read", ss->path);
	} else if (r == SQLITE_DONE) {
		rc = STORE_NOTFOUND;
	}
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
	if (r == SQLITE_OK)
		r = sqlite3_step(st);
	sl_done(st);
	if (r != SQLITE_DONE)
		return sl_fail(ss, "insert group", r);
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
	if (r == SQLITE_OK)
		r = sqlite3_step(st);
	sl_done(st);
	return r == SQLITE_DONE ? STORE_OK : sl_fail(ss, "insert membership", r);
}

static int sl_bind_user(sqlite3_stmt *st, const struct user *u, const char *hash,
			sqlite3_int64 now)
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
	return r;
}

static int sl_migrate_user(struct store *s, const struct user *u, const char *hash,
			   const struct group *groups, const size_t *order, size_t ngroups)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_stmt *st;
	bool in_tx = false;
	size_t i;
	int rc, r;

	rc = sl_exec(ss, SL_BEGIN);
	if (rc != STORE_OK)
		goto out;
	in_tx = true;
	rc = sl_user_state(ss, u->name);
	if (rc == STORE_TOMBSTONE || rc < 0)
		goto out;
	st = sl_get(ss, SL_INSERT_USER, &rc);
	if (st == NULL)
		goto out;
	r = sl_bind_user(st, u, hash, (sqlite3_int64)time(NULL));
	if (r == SQLITE_OK)
		r = sqlite3_step(st);
	sl_done(st);
	if (r != SQLITE_DONE) {
		rc = sl_fail(ss, "insert user", r);
		goto out;
	}
	if (sqlite3_changes(ss->db) == 0) {
		/* someone was first: with this name (fine, if it is the same
		 * user) or with this uid (not ours to take) */
		r = sl_lookup(ss, SL_USER_UID, u->name, 0, &st, &rc);
		if (r == SQLITE_ROW)
			rc = (uid_t)sqlite3_column_int64(st, 0) == u->uid ? STORE_OK : STORE_CONFLICT;
		else if (r == SQLITE_DONE)
			rc = STORE_CONFLICT;
		sl_done(st);
		goto out;   /* nothing of ours to write: roll back */
	}
	for (i = 0; i < ngroups; i++) {
		rc = sl_add_group(ss, u->name, &groups[order[i]]);
		if (rc != STORE_OK)
			goto out;
	}
	rc = sl_exec(ss, SL_COMMIT);
	if (rc == STORE_OK)
		in_tx = false;
out:
	if (in_tx && sqlite3_get_autocommit(ss->db) == 0)
		sl_exec(ss, SL_ROLLBACK);
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
				 (r & 0xff) == SQLITE_BUSY ? "locked for longer than query_timeout"
							   : sqlite3_errmsg(ss->db));
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
	int i;

	if (ss == NULL)
		return;
	for (i = 0; i < SL_COUNT_; i++)
		sqlite3_finalize(ss->stmt[i]);
	sqlite3_close(ss->db);
	free(ss->path);
	free(ss);
}

static struct store *sl_open(const struct config *cfg, int *rc, char *err, size_t errlen)
{
	struct sl_store *ss;
	struct store *s = NULL;
	sqlite3_stmt *st = NULL;
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
	r = sqlite3_open_v2(ss->path, &ss->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
			    SQLITE_OPEN_NOFOLLOW, NULL);
	if (r != SQLITE_OK) {
		*rc = sl_rc_of(r);
		snprintf(err, errlen, "store %s: cannot open: %s", ss->path,
			 ss->db != NULL ? sqlite3_errmsg(ss->db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(ss->db, 1);
	sqlite3_busy_timeout(ss->db, ss->busy_ms);
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
			 : (r & 0xff) == SQLITE_BUSY ? "locked for longer than query_timeout"
			 : sqlite3_errmsg(ss->db));
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
};
