/* store_pgsql_int.h: what the files of the PostgreSQL store share
 * (store_pgsql.c and its parts); private to them. */
#ifndef CUSTOMDB_STORE_PGSQL_INT_H
#define CUSTOMDB_STORE_PGSQL_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "pgsql.h"
#include "store.h"

enum pg_id {
	PG_USER_BY_NAME,
	PG_USER_BY_UID,
	PG_GROUP_BY_NAME,
	PG_GROUP_BY_GID,
	PG_USER_GROUPS,
	PG_KNOWN,
	PG_INSERT_USERS,
	PG_NOT_WRITTEN,
	PG_INSERT_GROUPS,
	PG_INSERT_MEMBERS,
	PG_LOCK_USER,
	PG_DROP_MEMBERS,
	PG_PRUNE_GROUP,
	PG_TOUCH,
	PG_SET_PASSWORD,
	PG_SET_EMAIL,
	PG_DELETE_USER,
	PG_MAX_UID,
	PG_META,
	PG_STATS_COUNTS,
	PG_STATS_DAYS,
	PG_STATS_RECENT,
	PG_LIST_USERS,
	PG_LIST_GROUPS,
	PG_COUNT_
};

struct pg_store {
	struct store base;
	struct pq_link link;      /* prepared: bit i, pg_sql[i] is prepared */
	char setup[256];
};

/* Outcome of one statement, beyond the store_rc. */
struct pg_outcome {
	bool lost;        /* the connection broke: worth one try on a new one */
	bool retry;       /* deadlock or serialization failure: worth one more run */
};

static inline struct pg_store *to_ps(struct store *s)
{
	return (struct pg_store *)(void *)s;
}

/* A number as a text parameter, kept in a small buffer. */
#define NUM(buf, v) (snprintf((buf), sizeof(buf), "%lu", (unsigned long)(v)), (const char *)(buf))

/* --- store_pgsql.c: running statements --------------------------------------- */

/* Send SQL without parameters (one or more statements) and wait; *res (when
 * res is not NULL) is the caller's to clear. A store_rc. */
int ps_simple(struct pg_store *ps, const char *sql, const char *what, PGresult **res,
	      struct pg_outcome *o);
/* Run sql with text params (NULL = SQL NULL), unprepared: *res as ps_run. */
int ps_params(struct pg_store *ps, const char *sql, int n, const char *const *params,
	      PGresult **res, struct pg_outcome *o);
/* Run statement id with text params (NULL = SQL NULL), preparing it on first
 * use on this connection; *res kept only on STORE_OK, the caller's to clear. */
int ps_run(struct pg_store *ps, enum pg_id id, int n, const char *const *params,
	   PGresult **res, struct pg_outcome *o);
/* Connect and set the session up. STORE_OK or STORE_UNAVAIL with err. */
int ps_connect(struct pg_store *ps, char *err, size_t errlen);

/* Run fn (a unit of work: a look-up, or a whole transaction) on a live
 * connection, once more on a new connection when the kept one turns out to
 * be dead or the server asks for a retry. fn's store_rc. */
typedef int (*ps_work)(struct pg_store *ps, void *arg, struct pg_outcome *o);
int ps_do(struct pg_store *ps, ps_work fn, void *arg);

/* --- store_pgsql_schema.c ----------------------------------------------------- */

/* Create or upgrade the schema, under an advisory lock. STORE_OK, or a
 * failure with err. */
int ps_schema(struct pg_store *ps, char *err, size_t errlen);

/* --- store_pgsql_array.c ------------------------------------------------------ */

/* A PostgreSQL array literal being built: {"a",NULL,"b"}. Every element is
 * quoted, '"' and '\' escaped, so that any text goes in. The buffer may hold
 * password hashes: it is wiped when it grows and when it goes. */
struct arr {
	char *s;
	size_t len, cap;
	bool failed;
};

/* Append an element (NULL: SQL NULL); a number. */
void arr_add(struct arr *a, const char *v);
void arr_num(struct arr *a, long long v);
/* The literal ("{}" when empty), valid until the next arr_add; NULL when
 * memory ran out. */
const char *arr_text(struct arr *a);
/* Wipe and free; a is empty again. */
void arr_free(struct arr *a);

/* --- store_pgsql_lookup.c ----------------------------------------------------- */

/* Fill u from a row of PG_USER_COLS starting at first_col; g from a row of
 * PG_GROUP_COLS. A store_rc, logged when the row cannot be read. */
int fill_user_row(const PGresult *res, int row, int first_col, struct user *u);
int fill_group_row(const PGresult *res, int row, struct group *g);

/* --- the store_ops, by file (store.h says what each does) -------------------- */

int pg_user_by_name(struct store *s, const char *name, struct user *u);
int pg_user_by_uid(struct store *s, uid_t uid, struct user *u);
int pg_group_by_name(struct store *s, const char *name, struct group *g);
int pg_group_by_gid(struct store *s, gid_t gid, struct group *g);
int pg_user_groups(struct store *s, const char *name, gid_t **gids, size_t *n);
int pg_names_known(struct store *s, const char *const *names, size_t n, bool *known);

int pg_migrate_user(struct store *s, const struct user *u, const char *hash,
		    const struct group *primary, const struct group *groups, size_t ngroups);
int pg_sync_groups(struct store *s, const struct store_import *in, size_t n, int *rc);
int pg_prune_group(struct store *s, const char *name);
int pg_import_users(struct store *s, const struct store_import *in, size_t n, int *rc);
int pg_touch_login(struct store *s, const char *name);

int pg_set_password(struct store *s, const char *name, const char *hash);
int pg_set_email(struct store *s, const char *name, const char *email, int verified);
int pg_delete_user(struct store *s, const char *name, bool tombstone);
int pg_next_uid(struct store *s, uid_t min, uid_t max, uid_t *uid);
int pg_user_meta(struct store *s, const char *name, struct store_meta *m);
int pg_stats(struct store *s, struct store_stats *st);
int pg_list_users(struct store *s, size_t limit, struct user **out, size_t *n);
int pg_list_groups(struct store *s, size_t limit, struct group **out, size_t *n);
int pg_exec_sql(struct store *s, const char *sql, int n, const char *const *params,
		long long *changed, long long *first);

#endif
