/* store_sqlite_int.h: what the files of the SQLite store share
 * (store_sqlite.c and its parts); private to them. */
#ifndef CUSTOMDB_STORE_SQLITE_INT_H
#define CUSTOMDB_STORE_SQLITE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "store.h"

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
	SL_DROP_MEMBERS,
	SL_PRUNE_GROUP,
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


/* The statements, by id (store_sqlite.c). */
extern const char *const sl_sql[SL_COUNT_];

struct sl_store {
	struct store base;
	sqlite3 *db;
	char *path;
	int busy_ms;
	sqlite3_stmt *stmt[SL_COUNT_];
};

static inline struct sl_store *to_sl(struct store *s)
{
	return (struct sl_store *)(void *)s;
}

/* --- store_sqlite.c: running statements ---------------------------------------- */

/* Codes that say "not now" rather than "broken". */
int sl_rc_of(int code);
/* Log a failure of `what` on this store; the store_rc it stands for. */
int sl_fail(struct sl_store *ss, const char *what, int code);
/* The prepared statement id, ready to bind; NULL after logging (*rc set). */
sqlite3_stmt *sl_get(struct sl_store *ss, enum sl_id id, int *rc);
/* Reset a statement and clear its bindings; NULL is fine. */
void sl_done(sqlite3_stmt *st);
/* Run a statement that returns no row we need. STORE_OK or a failure. */
int sl_exec(struct sl_store *ss, enum sl_id id);
/* Bind text, or NULL as SQL NULL (not copied: v must outlive the step). */
int sl_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Step a statement that sl_get gave and the caller bound (r: the last
 * bind's code) to its end. STORE_OK or a failure. */
int sl_write(struct sl_store *ss, sqlite3_stmt *st, int r, const char *what);
/* One-row look-up of statement id keyed by text or by number: SQLITE_ROW
 * (the row stays in *out until sl_done), SQLITE_DONE or an error code. */
int sl_lookup(struct sl_store *ss, enum sl_id id, const char *key, sqlite3_int64 num,
	      sqlite3_stmt **out, int *rc);
/* Column i of the current row as text; NULL for SQL NULL. */
const char *sl_col(sqlite3_stmt *st, int i);
/* Fill u (g) from the current row of a SL_USER_COLS (SL_GROUP_COLS)
 * statement. A store_rc, logged when the row cannot be read. */
int sl_row_user(struct sl_store *ss, sqlite3_stmt *st, struct user *u);
int sl_row_group(struct sl_store *ss, sqlite3_stmt *st, struct group *g);

/* --- store_sqlite_lookup.c ----------------------------------------------------- */

/* STORE_OK when name is a store user, STORE_TOMBSTONE, STORE_NOTFOUND. */
int sl_user_state(struct sl_store *ss, const char *name);

/* --- store_sqlite_write.c ------------------------------------------------------ */

/* End a write transaction: commit; on failure (or when the caller wrote
 * nothing) roll back. rc, or the commit's failure. */
int sl_end(struct sl_store *ss, int rc, bool commit);

/* --- store_sqlite_schema.c ----------------------------------------------------- */

/* Create or upgrade the schema. STORE_OK, or a failure with err. */
int sl_schema(struct sl_store *ss, char *err, size_t errlen);

/* --- the store_ops, by file (store.h says what each does) -------------------- */

int sl_user_by_name(struct store *s, const char *name, struct user *u);
int sl_user_by_uid(struct store *s, uid_t uid, struct user *u);
int sl_group_by_name(struct store *s, const char *name, struct group *g);
int sl_group_by_gid(struct store *s, gid_t gid, struct group *g);
int sl_user_groups(struct store *s, const char *name, gid_t **gids, size_t *n);
int sl_names_known(struct store *s, const char *const *names, size_t n, bool *known);

int sl_migrate_user(struct store *s, const struct user *u, const char *hash,
		    const struct group *primary, const struct group *groups, size_t ngroups);
int sl_sync_groups(struct store *s, const struct store_import *rows, size_t n, int *rc);
int sl_prune_group(struct store *s, const char *name);
int sl_import_users(struct store *s, const struct store_import *rows, size_t n, int *rc);
int sl_touch_login(struct store *s, const char *name);

int sl_set_password(struct store *s, const char *name, const char *hash);
int sl_set_email(struct store *s, const char *name, const char *email, int verified);
int sl_delete_user(struct store *s, const char *name, bool tombstone);
int sl_next_uid(struct store *s, uid_t min, uid_t max, uid_t *uid);
int sl_user_meta(struct store *s, const char *name, struct store_meta *m);
int sl_stats(struct store *s, struct store_stats *out);
int sl_list_users(struct store *s, size_t limit, struct user **out, size_t *n);
int sl_list_groups(struct store *s, size_t limit, struct group **out, size_t *n);
int sl_exec_sql(struct store *s, const char *sql, int n, const char *const *params,
		long long *changed, long long *first);

#endif
