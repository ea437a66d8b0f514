/* store_pgsql.c: the store in a PostgreSQL database, shared by a fleet.
 *
 * [store] connection is a libpq conninfo or URI. Every wait is bounded: the
 * connection by [store] connect_timeout (libpq's, per host tried), each
 * statement by [store] query_timeout twice over: the server stops it
 * (statement_timeout) and we stop waiting (poll with a deadline; the
 * connection is then dropped, which also ends its transaction). A daemon that
 * hangs inside a transaction is cut off by idle_in_transaction_session_timeout
 * so that it cannot hold other hosts' migrations up.
 *
 * A migration and a batch of a bulk import are written by the same three
 * statements: the users in one INSERT ... SELECT FROM unnest(arrays), then
 * their groups, then their memberships; a batch of a thousand users costs a
 * handful of round trips, not thousands.
 *
 * Two hosts migrating (or importing) one user at once: both INSERT ... ON
 * CONFLICT DO NOTHING; the second waits for the first to commit, inserts
 * nothing, reads the row back and finds it: both succeed, one row (an import
 * reports it as there already). Users are written in name order, groups by
 * gid then name (store.c), so row locks never deadlock; should the server
 * still report a deadlock or a serialization failure, the transaction is run
 * once more, as it is when a kept connection is found dead (migrations and
 * imports are idempotent). synchronous_commit is on for our session: COMMIT
 * returns once the server has the rows on disk.
 *
 * Messages logged here carry the server's primary message only: its DETAIL
 * may quote a row, and a row may hold a hash. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "log.h"
#include "pgsql.h"
#include "secret.h"
#include "store.h"

#define PG_SCHEMA_VERSION 2

static const char *const pg_upgrade[PG_SCHEMA_VERSION] = {
	/* 0 -> 1: the first schema */
	"CREATE TABLE users ("
	" name text PRIMARY KEY,"
	" uid bigint NOT NULL UNIQUE,"
	" gid bigint NOT NULL,"
	" gecos text NOT NULL DEFAULT '',"
	" home text NOT NULL,"
	" shell text NOT NULL,"
	" email text,"
	" email_verified boolean,"          /* NULL: the legacy database did not say */
	" disabled boolean NOT NULL DEFAULT false,"
	" expires timestamptz,"             /* NULL: never */
	" password_hash text,"
	" migrated_at timestamptz NOT NULL DEFAULT now(),"
	" updated_at timestamptz NOT NULL DEFAULT now(),"
	" last_login_at timestamptz);"
	"CREATE TABLE groups ("
	" name text PRIMARY KEY,"
	" gid bigint NOT NULL UNIQUE);"
	"CREATE TABLE memberships ("
	" group_name text NOT NULL REFERENCES groups (name) ON DELETE CASCADE ON UPDATE CASCADE,"
	" user_name text NOT NULL REFERENCES users (name) ON DELETE CASCADE ON UPDATE CASCADE,"
	" PRIMARY KEY (group_name, user_name));"
	"CREATE INDEX memberships_user ON memberships (user_name);"
	"CREATE TABLE tombstones ("
	" name text PRIMARY KEY,"
	" deleted_at timestamptz NOT NULL DEFAULT now());",
	/* 1 -> 2: bulk import keeps the legacy hash (and its salt) until the
	 * first login re-hashes it; forced password changes */
	"ALTER TABLE users ADD COLUMN salt text,"
	" ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,"
	" ADD COLUMN imported boolean NOT NULL DEFAULT false;",
};

/* Any constant will do, as long as every customdb uses the same one. */
#define PG_SCHEMA_LOCK "7240319551"

#define PG_USER_COLS "name, uid, gid, gecos, home, shell, email, email_verified, disabled, " \
		     "password_hash, extract(epoch FROM expires)::bigint, salt, must_change_password"
/* the same, with no hash or salt: for listings */
#define PG_LIST_COLS "name, uid, gid, gecos, home, shell, email, email_verified, disabled, " \
		     "NULL, extract(epoch FROM expires)::bigint, NULL, must_change_password"
#define PG_GROUP_COLS "g.name, g.gid, (SELECT string_agg(user_name, ',' ORDER BY user_name) " \
		      "FROM memberships WHERE group_name = g.name)"
/* the rows to write (write_users), one array per column */
#define PG_ROWS "unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], " \
		"$6::text[], $7::text[], $8::boolean[], $9::boolean[], $10::text[], $11::bigint[], " \
		"$12::text[], $13::boolean[]) AS r(name, uid, gid, gecos, home, shell, email, " \
		"email_verified, disabled, password_hash, expires, salt, must_change_password)"
/* memberships to write (write_groups): group, gid, user */
#define PG_MEMBERS "unnest($1::text[], $2::bigint[], $3::text[]) AS r(g, gid, u)"

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

static const char *const pg_sql[PG_COUNT_] = {
	/* the user, or else a tombstone: one round trip */
	[PG_USER_BY_NAME] = "SELECT 0, " PG_USER_COLS " FROM users WHERE name = $1 "
			    "UNION ALL SELECT 1, name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
			    "NULL, NULL, NULL, NULL, NULL FROM tombstones WHERE name = $1 "
			    "ORDER BY 1 LIMIT 1",
	[PG_USER_BY_UID] = "SELECT " PG_USER_COLS " FROM users WHERE uid = $1",
	[PG_GROUP_BY_NAME] = "SELECT " PG_GROUP_COLS " FROM groups g WHERE g.name = $1",
	[PG_GROUP_BY_GID] = "SELECT " PG_GROUP_COLS " FROM groups g WHERE g.gid = $1",
	/* no row: not a store user; a 1: a tombstone; else the gids (NULL: none) */
	[PG_USER_GROUPS] = "SELECT 0, g.gid FROM users u LEFT JOIN memberships m ON "
			   "m.user_name = u.name LEFT JOIN groups g ON g.name = m.group_name "
			   "WHERE u.name = $1 UNION ALL SELECT 1, NULL FROM tombstones t "
			   "WHERE t.name = $1 AND NOT EXISTS (SELECT 1 FROM users WHERE name = $1) "
			   "ORDER BY 1, 2",
	[PG_KNOWN] = "SELECT n FROM unnest($1::text[]) AS n WHERE "
		     "EXISTS (SELECT 1 FROM users WHERE name = n) OR "
		     "EXISTS (SELECT 1 FROM tombstones WHERE name = n)",
	/* DO NOTHING on either key: the name (written already, maybe by
	 * another host at this very moment: we wait for its commit) or the uid
	 * (another name's). In name order, so that two hosts importing the same
	 * users lock them in one order. $14: a bulk import (no login yet) */
	[PG_INSERT_USERS] = "INSERT INTO users (name, uid, gid, gecos, home, shell, email, "
			    "email_verified, disabled, password_hash, expires, salt, "
			    "must_change_password, imported, last_login_at) "
			    "SELECT r.name, r.uid, r.gid, r.gecos, r.home, r.shell, r.email, "
			    "r.email_verified, r.disabled, r.password_hash, to_timestamp(r.expires), "
			    "r.salt, r.must_change_password, $14::boolean, "
			    "CASE WHEN $14::boolean THEN NULL ELSE now() END FROM " PG_ROWS " "
			    "WHERE NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.name = r.name) "
			    "ORDER BY r.name ON CONFLICT DO NOTHING RETURNING name, uid",
	/* why rows were not written, in their order: a statement of its own, so
	 * that it sees what other hosts committed while the insert waited */
	[PG_NOT_WRITTEN] = "SELECT u.uid, t.name IS NOT NULL FROM unnest($1::text[]) WITH "
			   "ORDINALITY AS k(n, i) LEFT JOIN users u ON u.name = k.n "
			   "LEFT JOIN tombstones t ON t.name = k.n ORDER BY k.i",
	[PG_INSERT_GROUPS] = "INSERT INTO groups (name, gid) SELECT DISTINCT r.g, r.gid FROM "
			     "unnest($1::text[], $2::bigint[]) AS r(g, gid) ORDER BY r.gid, r.g "
			     "ON CONFLICT DO NOTHING",
	/* the memberships whose group the store has with that gid; the rest
	 * is returned, by group, to be logged */
	[PG_INSERT_MEMBERS] = "WITH r AS (SELECT * FROM " PG_MEMBERS "), "
			      "m AS (INSERT INTO memberships (group_name, user_name) "
			      "SELECT r.g, r.u FROM r JOIN groups gr ON gr.name = r.g AND "
			      "gr.gid = r.gid ORDER BY r.gid, r.g, r.u ON CONFLICT DO NOTHING) "
			      "SELECT r.g, r.gid, gr.gid, min(r.u), count(*) FROM r "
			      "LEFT JOIN groups gr ON gr.name = r.g "
			      "WHERE gr.gid IS DISTINCT FROM r.gid GROUP BY r.g, r.gid, gr.gid",
	[PG_TOUCH] = "UPDATE users SET last_login_at = now() WHERE name = $1",
	[PG_SET_PASSWORD] = "UPDATE users SET password_hash = $2, salt = NULL, "
			    "must_change_password = false, imported = false, updated_at = now() "
			    "WHERE name = $1",
	/* NULL: keep */
	[PG_SET_EMAIL] = "UPDATE users SET email = coalesce($2, email), "
			 "email_verified = coalesce($3::boolean, email_verified), "
			 "updated_at = now() WHERE name = $1",
	/* one statement, so one transaction: the row (its memberships go
	 * with it, ON DELETE CASCADE) and, by $2, a tombstone written or
	 * removed; the number of rows that changed */
	[PG_DELETE_USER] = "WITH d AS (DELETE FROM users WHERE name = $1::text RETURNING 1), "
			   "t AS (INSERT INTO tombstones (name) SELECT $1::text WHERE $2::boolean "
			   "ON CONFLICT DO NOTHING RETURNING 1), "
			   "r AS (DELETE FROM tombstones WHERE name = $1::text AND NOT $2::boolean "
			   "RETURNING 1) SELECT (SELECT count(*) FROM d) + (SELECT count(*) FROM t) "
			   "+ (SELECT count(*) FROM r)",
	[PG_MAX_UID] = "SELECT max(uid) FROM users WHERE uid BETWEEN $1 AND $2",
	/* always one row: NULLs where there is no user or no tombstone */
	[PG_META] = "SELECT extract(epoch FROM u.migrated_at)::bigint, "
		    "extract(epoch FROM u.updated_at)::bigint, "
		    "extract(epoch FROM u.last_login_at)::bigint, u.imported, "
		    "extract(epoch FROM t.deleted_at)::bigint FROM (SELECT $1::text AS n) k "
		    "LEFT JOIN users u ON u.name = k.n LEFT JOIN tombstones t ON t.name = k.n",
	[PG_STATS_COUNTS] = "SELECT (SELECT count(*) FROM users), "
			    "(SELECT count(*) FROM users WHERE imported), "
			    "(SELECT count(*) FROM tombstones), (SELECT count(*) FROM groups)",
	/* rows by UTC day of migration, $1 days back from the server's today */
	[PG_STATS_DAYS] = "WITH t AS (SELECT floor(extract(epoch FROM now()) / 86400)::bigint "
			  "AS today) SELECT t.today - floor(extract(epoch FROM u.migrated_at) / "
			  "86400)::bigint AS d, count(*) FROM users u, t WHERE u.migrated_at >= "
			  "to_timestamp((t.today - $1::bigint + 1) * 86400) GROUP BY d",
	[PG_STATS_RECENT] = "SELECT name, extract(epoch FROM last_login_at)::bigint FROM users "
			    "WHERE last_login_at IS NOT NULL ORDER BY last_login_at DESC, name "
			    "LIMIT $1",
	/* bytewise order, as SQLite's, whatever the database's collation */
	[PG_LIST_USERS] = "SELECT " PG_LIST_COLS " FROM users ORDER BY name COLLATE \"C\" LIMIT $1",
	[PG_LIST_GROUPS] = "SELECT " PG_GROUP_COLS " FROM groups g ORDER BY g.name COLLATE \"C\" "
			   "LIMIT $1",
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

static struct pg_store *to_ps(struct store *s)
{
	return (struct pg_store *)(void *)s;
}

/* The store_rc of a pq_link_run outcome r on what (named in messages), *res
 * kept only when STORE_OK. */
static int ps_outcome(struct pg_store *ps, const char *what, int r, PGresult **res,
		      struct pg_outcome *o)
{
	const char *state;
	char msg[256];
	int rc;

	if (r == PQ_OK)
		return STORE_OK;
	if (r == PQ_TIMEOUT || r == PQ_LOST || r == PQ_UNSENT) {
		log_msg(LOG_ERR, "store: %s: %s%s", what, r == PQ_TIMEOUT ?
			"no answer within query_timeout; connection dropped" :
			r == PQ_LOST ? "connection lost: " : "cannot send: ",
			r == PQ_TIMEOUT ? "" : ps->link.why);
		o->lost = r == PQ_LOST;
		pq_link_drop(&ps->link);
		return STORE_UNAVAIL;
	}
	state = PQresultErrorField(*res, PG_DIAG_SQLSTATE);
	pq_link_scrub(&ps->link, "", PQresultErrorField(*res, PG_DIAG_MESSAGE_PRIMARY), 1, NULL,
		      0, msg, sizeof(msg));
	if (state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		o->retry = true;
	else
		log_msg(LOG_ERR, "store: %s: %s (SQLSTATE %s)", what, msg, state ? state : "?");
	/* connection trouble, shutdown, timeouts, resources: not now */
	rc = pq_unavailable(*res) ? STORE_UNAVAIL : STORE_ERROR;
	PQclear(*res);
	*res = NULL;
	return rc;
}

/* Send SQL without parameters (one or more statements) and wait. */
static int ps_simple(struct pg_store *ps, const char *sql, const char *what, PGresult **res,
		     struct pg_outcome *o)
{
	PGresult *r = NULL;
	int rc;

	rc = ps_outcome(ps, what, pq_link_run(&ps->link, PQ_SIMPLE, NULL, sql, 0, NULL, &r), &r,
			o);
	if (res != NULL)
		*res = r;
	else
		PQclear(r);
	return rc;
}

/* Run statement id with text params (NULL = SQL NULL), preparing it on first
 * use on this connection. */
static int ps_run(struct pg_store *ps, enum pg_id id, int n, const char *const *params,
		  PGresult **res, struct pg_outcome *o)
{
	char name[16];
	int rc;

	*res = NULL;
	snprintf(name, sizeof(name), "cdbstore%d", (int)id);
	if (!(ps->link.prepared & (1UL << id))) {
		rc = pq_link_run(&ps->link, PQ_PREPARE, name, pg_sql[id], n, NULL, res);
		rc = ps_outcome(ps, "prepare", rc, res, o);
		PQclear(*res);
		*res = NULL;
		if (rc != STORE_OK)
			return rc;
		ps->link.prepared |= 1UL << id;
	}
	rc = pq_link_run(&ps->link, PQ_PREPARED, name, NULL, n, params, res);
	return ps_outcome(ps, "query", rc, res, o);
}

/* Connect and set the session up. STORE_OK or STORE_UNAVAIL with err. */
static int ps_connect(struct pg_store *ps, char *err, size_t errlen)
{
	int r = pq_link_connect(&ps->link);

	if (r == 0)
		return STORE_OK;
	snprintf(err, errlen, "store: %s: %s", r == -1 ? "cannot connect to PostgreSQL"
		 : "PostgreSQL session setup failed", ps->link.why);
	return STORE_UNAVAIL;
}

/* Run fn (a unit of work: a look-up, or a whole transaction) on a live
 * connection, once more on a new connection when the kept one turns out to
 * be dead or the server asks for a retry. */
typedef int (*ps_work)(struct pg_store *ps, void *arg, struct pg_outcome *o);

static int ps_do(struct pg_store *ps, ps_work fn, void *arg)
{
	struct pg_outcome o;
	char err[512];
	bool fresh = false;
	int rc, tries;

	for (tries = 0; tries < 2; tries++) {
		if (!pq_link_up(&ps->link)) {
			rc = ps_connect(ps, err, sizeof(err));
			if (rc != STORE_OK) {
				log_msg(LOG_ERR, "%s", err);
				return rc;
			}
			fresh = true;
		}
		memset(&o, 0, sizeof(o));
		rc = fn(ps, arg, &o);
		if (rc >= 0 || !((o.lost && !fresh) || o.retry))
			return rc;
	}
	return rc;
}

/* --- look-ups --------------------------------------------------------------- */

struct lookup {
	const char *key;
	void *out;        /* struct user * or struct group * */
	gid_t **gids;
	size_t *n;
	const char *const *names;
	bool *known;
	size_t nnames;
};

static int fill_user_row(const PGresult *res, int row, int first_col, struct user *u)
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

/* Fill g from a row of PG_GROUP_COLS. */
static int fill_group_row(const PGresult *res, int row, struct group *g)
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

/* A PostgreSQL array literal being built: {"a",NULL,"b"}. Every element is
 * quoted, '"' and '\' escaped, so that any text goes in. The buffer may hold
 * password hashes: it is wiped when it grows and when it goes. */
struct arr {
	char *s;
	size_t len, cap;
	bool failed;
};

/* Room for `more` bytes after what is there; false once memory ran out. */
static bool arr_room(struct arr *a, size_t more)
{
	size_t cap = a->cap > 0 ? a->cap : 256;
	char *grown;

	if (a->failed)
		return false;
	if (a->cap - a->len >= more)
		return true;
	while (cap - a->len < more) {
		if (cap > SIZE_MAX / 2) {
			a->failed = true;
			return false;
		}
		cap *= 2;
	}
	grown = malloc(cap);
	if (grown == NULL) {
		a->failed = true;
		return false;
	}
	if (a->len > 0)
		memcpy(grown, a->s, a->len);
	secret_wipe(a->s, a->cap);
	free(a->s);
	a->s = grown;
	a->cap = cap;
	return true;
}

/* Append an element (NULL: SQL NULL). */
static void arr_add(struct arr *a, const char *v)
{
	const char *c;

	/* separator, quotes, every byte escaped, and "}" with its NUL */
	if (!arr_room(a, (v == NULL ? 4 : 2 * strlen(v) + 2) + 3))
		return;
	a->s[a->len] = a->len == 0 ? '{' : ',';
	a->len++;
	if (v == NULL) {
		memcpy(a->s + a->len, "NULL", 4);
		a->len += 4;
		return;
	}
	a->s[a->len++] = '"';
	for (c = v; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			a->s[a->len++] = '\\';
		a->s[a->len++] = *c;
	}
	a->s[a->len++] = '"';
}

static void arr_num(struct arr *a, long long v)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", v);
	arr_add(a, num);
}

/* The literal ("{}" when empty), valid until the next arr_add; NULL when
 * memory ran out. */
static const char *arr_text(struct arr *a)
{
	if (!arr_room(a, 3))
		return NULL;
	if (a->len == 0) {
		memcpy(a->s, "{}", 3);
		return a->s;
	}
	a->s[a->len] = '}';
	a->s[a->len + 1] = '\0';
	return a->s;
}

static void arr_free(struct arr *a)
{
	secret_wipe(a->s, a->cap);
	free(a->s);
	memset(a, 0, sizeof(*a));
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

static int pg_user_by_name(struct store *s, const char *name, struct user *u)
{
	struct lookup l = { .key = name, .out = u };

	return ps_do(to_ps(s), work_user_by_name, &l);
}

static int pg_user_by_uid(struct store *s, uid_t uid, struct user *u)
{
	char num[24];
	struct lookup l = { .key = num, .out = u };

	snprintf(num, sizeof(num), "%lu", (unsigned long)uid);
	return ps_do(to_ps(s), work_user_by_uid, &l);
}

static int pg_group_by_name(struct store *s, const char *name, struct group *g)
{
	struct lookup l = { .key = name, .out = g };

	return ps_do(to_ps(s), work_group_by_name, &l);
}

static int pg_group_by_gid(struct store *s, gid_t gid, struct group *g)
{
	char num[24];
	struct lookup l = { .key = num, .out = g };

	snprintf(num, sizeof(num), "%lu", (unsigned long)gid);
	return ps_do(to_ps(s), work_group_by_gid, &l);
}

static int pg_user_groups(struct store *s, const char *name, gid_t **gids, size_t *n)
{
	struct lookup l = { .key = name, .gids = gids, .n = n };

	return ps_do(to_ps(s), work_user_groups, &l);
}

static int pg_names_known(struct store *s, const char *const *names, size_t n, bool *known)
{
	struct lookup l = { .names = names, .known = known, .nnames = n };

	return ps_do(to_ps(s), work_names_known, &l);
}

/* --- writes ------------------------------------------------------------------ */

/* A number as a text parameter, kept in a small buffer. */
#define NUM(buf, v) (snprintf((buf), sizeof(buf), "%lu", (unsigned long)(v)), (const char *)(buf))

/* A user to write (a migration, or one row of an import) and what became of
 * it. */
struct pg_row {
	const struct user *u;
	const char *hash, *salt;
	const struct group *groups;   /* valid, in write order (store.c) */
	size_t ngroups;
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
 * (created if missing) and their memberships where the store's group of
 * that name has that gid. A group the store knows by another gid is left
 * out, and said (as in store_sqlite.c). */
static int write_groups(struct pg_store *ps, const struct pg_row *rows, size_t n,
			struct pg_outcome *o)
{
	struct arr a[3];
	const char *p[3];
	PGresult *res = NULL;
	char others[48];
	size_t i, k;
	int rc = STORE_ERROR, j;

	memset(a, 0, sizeof(a));
	for (i = 0; i < n; i++) {
		if (rows[i].rc != STORE_OK)
			continue;
		for (k = 0; k < rows[i].ngroups; k++) {
			arr_add(&a[0], rows[i].groups[k].name);
			arr_num(&a[1], (long long)rows[i].groups[k].gid);
			arr_add(&a[2], rows[i].u->name);
		}
	}
	if (a[0].len == 0 && !a[0].failed) {
		rc = STORE_OK;
		goto out;
	}
	for (j = 0; j < 3; j++) {
		p[j] = arr_text(&a[j]);
		if (p[j] == NULL)
			goto out;
	}
	rc = ps_run(ps, PG_INSERT_GROUPS, 2, p, &res, o);
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

static int pg_migrate_user(struct store *s, const struct user *u, const char *hash,
			   const struct group *groups, size_t ngroups)
{
	struct pg_row row = { .u = u, .hash = hash, .groups = groups, .ngroups = ngroups };

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

static int pg_import_users(struct store *s, const struct store_import *in, size_t n, int *rc)
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
	}
	ret = ps_do(to_ps(s), work_import, &b);
	for (i = 0; i < n && ret == STORE_OK; i++)
		rc[i] = b.rows[i].rc;
	free(b.rows);
	return ret;
}

/* One statement with its parameters and, once run, its result: a unit of
 * work of its own for ps_do. */
struct one {
	enum pg_id id;
	int n;
	const char *p[3];
	PGresult *res;
};

static int work_one(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	struct one *q = arg;

	PQclear(q->res);
	q->res = NULL;
	return ps_run(ps, q->id, q->n, q->p, &q->res, o);
}

/* Run q; on STORE_OK, q->res is the caller's to clear. */
static int pg_one(struct pg_store *ps, struct one *q)
{
	int rc;

	q->res = NULL;
	rc = ps_do(ps, work_one, q);
	if (rc != STORE_OK) {
		PQclear(q->res);
		q->res = NULL;
	}
	return rc;
}

/* An UPDATE of one user: STORE_NOTFOUND when no row had that name. */
static int pg_update(struct pg_store *ps, struct one *q)
{
	int rc = pg_one(ps, q);

	if (rc == STORE_OK && strcmp(PQcmdTuples(q->res), "0") == 0)
		rc = STORE_NOTFOUND;
	PQclear(q->res);
	return rc;
}

static int pg_set_password(struct store *s, const char *name, const char *hash)
{
	struct one q = { .id = PG_SET_PASSWORD, .n = 2, .p = { name, hash } };

	return pg_update(to_ps(s), &q);
}

static int pg_set_email(struct store *s, const char *name, const char *email, int verified)
{
	struct one q = { .id = PG_SET_EMAIL, .n = 3,
			 .p = { name, email, verified < 0 ? NULL : verified ? "t" : "f" } };

	return pg_update(to_ps(s), &q);
}

static int pg_delete_user(struct store *s, const char *name, bool tombstone)
{
	struct one q = { .id = PG_DELETE_USER, .n = 2, .p = { name, tombstone ? "t" : "f" } };
	int rc = pg_one(to_ps(s), &q);

	if (rc == STORE_OK && strcmp(PQgetvalue(q.res, 0, 0), "0") == 0)
		rc = STORE_NOTFOUND;
	PQclear(q.res);
	return rc;
}

static int pg_next_uid(struct store *s, uid_t min, uid_t max, uid_t *uid)
{
	char lo[24], hi[24];
	struct one q = { .id = PG_MAX_UID, .n = 2, .p = { NUM(lo, min), NUM(hi, max) } };
	unsigned long top;
	int rc = pg_one(to_ps(s), &q);

	if (rc != STORE_OK)
		return rc;
	if (PQgetisnull(q.res, 0, 0)) {
		*uid = min;
	} else {
		top = strtoul(PQgetvalue(q.res, 0, 0), NULL, 10);
		if (top < (unsigned long)max)
			*uid = (uid_t)(top + 1);
		else
			rc = STORE_NOTFOUND;
	}
	PQclear(q.res);
	return rc;
}

/* A number cell; 0 for NULL. */
static int64_t cell_i64(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static int pg_user_meta(struct store *s, const char *name, struct store_meta *m)
{
	struct one q = { .id = PG_META, .n = 1, .p = { name } };
	int rc = pg_one(to_ps(s), &q);

	if (rc != STORE_OK)
		return rc;
	m->migrated_at = cell_i64(q.res, 0, 0);
	m->updated_at = cell_i64(q.res, 0, 1);
	m->last_login_at = cell_i64(q.res, 0, 2);
	m->imported = strcmp(PQgetvalue(q.res, 0, 3), "t") == 0;
	m->deleted_at = cell_i64(q.res, 0, 4);
	if (PQgetisnull(q.res, 0, 0) && PQgetisnull(q.res, 0, 4))
		rc = STORE_NOTFOUND;
	PQclear(q.res);
	return rc;
}

static int pg_stats(struct store *s, struct store_stats *st)
{
	struct pg_store *ps = to_ps(s);
	char days[24], recent[24];
	struct one q = { .id = PG_STATS_COUNTS };
	int64_t d;
	int rc, i;

	rc = pg_one(ps, &q);
	if (rc != STORE_OK)
		return rc;
	st->users = cell_i64(q.res, 0, 0);
	st->imported_pending = cell_i64(q.res, 0, 1);
	st->tombstones = cell_i64(q.res, 0, 2);
	st->groups = cell_i64(q.res, 0, 3);
	PQclear(q.res);
	q = (struct one){ .id = PG_STATS_DAYS, .n = 1, .p = { NUM(days, STORE_STATS_DAYS) } };
	rc = pg_one(ps, &q);
	if (rc != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(q.res); i++) {
		d = cell_i64(q.res, i, 0);
		if (d >= 0 && d < STORE_STATS_DAYS)
			st->per_day[d] = cell_i64(q.res, i, 1);
	}
	PQclear(q.res);
	q = (struct one){ .id = PG_STATS_RECENT, .n = 1, .p = { NUM(recent, STORE_STATS_RECENT) } };
	rc = pg_one(ps, &q);
	if (rc != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(q.res) && st->nrecent < STORE_STATS_RECENT; i++) {
		snprintf(st->recent[st->nrecent].name, sizeof(st->recent[0].name), "%s",
			 PQgetvalue(q.res, i, 0));
		st->recent[st->nrecent++].at = cell_i64(q.res, i, 1);
	}
	PQclear(q.res);
	return STORE_OK;
}

/* A listing: statement id with the limit as $1, each row filled by fill into
 * an element of `size` bytes. A row that cannot be read is left out. */
static int pg_list(struct pg_store *ps, enum pg_id id, size_t limit, size_t size,
		   int (*fill)(const PGresult *res, int row, void *item), void **out, size_t *n)
{
	char lim[24];
	struct one q = { .id = id, .n = 1, .p = { lim } };
	char *list;
	int rc, i, rows;

	snprintf(lim, sizeof(lim), "%llu", (unsigned long long)(limit > INT64_MAX ? INT64_MAX : limit));
	rc = pg_one(ps, &q);
	if (rc != STORE_OK)
		return rc;
	rows = PQntuples(q.res);
	list = calloc(rows > 0 ? (size_t)rows : 1, size);
	if (list == NULL) {
		PQclear(q.res);
		return STORE_ERROR;
	}
	for (i = 0; i < rows; i++)
		if (fill(q.res, i, list + *n * size) == STORE_OK)
			(*n)++;
	PQclear(q.res);
	if (*n == 0) {
		free(list);
		list = NULL;
	}
	*out = list;
	return STORE_OK;
}

static int list_user(const PGresult *res, int row, void *item)
{
	return fill_user_row(res, row, 0, item);
}

static int list_group(const PGresult *res, int row, void *item)
{
	return fill_group_row(res, row, item);
}

static int pg_list_users(struct store *s, size_t limit, struct user **out, size_t *n)
{
	void *items = NULL;
	int rc = pg_list(to_ps(s), PG_LIST_USERS, limit, sizeof(**out), list_user, &items, n);

	*out = items;
	return rc;
}

static int pg_list_groups(struct store *s, size_t limit, struct group **out, size_t *n)
{
	void *items = NULL;
	int rc = pg_list(to_ps(s), PG_LIST_GROUPS, limit, sizeof(**out), list_group, &items, n);

	*out = items;
	return rc;
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

static int pg_touch_login(struct store *s, const char *name)
{
	return ps_do(to_ps(s), work_touch, (void *)name);
}

/* --- open ------------------------------------------------------------------ */

/* The schema version, or -1 when there is no schema_version table yet. */
static int read_version(struct pg_store *ps, struct pg_outcome *o, int *version)
{
	PGresult *res = NULL;
	int rc;

	*version = -1;
	rc = ps_simple(ps, "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN -1 "
		       "ELSE 0 END", "read schema version", &res, o);
	if (rc != STORE_OK || strcmp(PQgetvalue(res, 0, 0), "-1") == 0)
		goto out;
	PQclear(res);
	res = NULL;
	rc = ps_simple(ps, "SELECT coalesce(max(version), 0) FROM schema_version",
		       "read schema version", &res, o);
	if (rc == STORE_OK)
		*version = atoi(PQgetvalue(res, 0, 0));
out:
	PQclear(res);
	return rc;
}

/* Create or upgrade the schema under an advisory lock: two daemons starting
 * at once against an empty database must not both create it. */
static int ps_schema(struct pg_store *ps, char *err, size_t errlen)
{
	struct pg_outcome o = { 0 };
	bool in_tx = false;
	char set[96];
	int version, rc;

	rc = read_version(ps, &o, &version);
	if (rc != STORE_OK || version == PG_SCHEMA_VERSION)
		goto out;
	if (version < PG_SCHEMA_VERSION) {
		rc = ps_simple(ps, "BEGIN; SELECT pg_advisory_xact_lock(" PG_SCHEMA_LOCK ")",
			       "lock the schema", NULL, &o);
		if (rc != STORE_OK)
			goto out;
		in_tx = true;
		rc = read_version(ps, &o, &version);
		if (rc != STORE_OK)
			goto out;
	}
	if (version > PG_SCHEMA_VERSION) {
		snprintf(err, errlen, "store: schema version %d is newer than this customdb knows "
			 "(%d); use a newer customdb", version, PG_SCHEMA_VERSION);
		rc = STORE_ERROR;
		goto out;
	}
	if (version < 0) {
		rc = ps_simple(ps, "CREATE TABLE schema_version (version integer NOT NULL)",
			       "create the schema", NULL, &o);
		version = 0;
	}
	for (; rc == STORE_OK && version < PG_SCHEMA_VERSION; version++) {
		rc = ps_simple(ps, pg_upgrade[version], "upgrade the schema", NULL, &o);
		if (rc != STORE_OK)
			break;
		snprintf(set, sizeof(set), "DELETE FROM schema_version; "
			 "INSERT INTO schema_version VALUES (%d)", version + 1);
		rc = ps_simple(ps, set, "upgrade the schema", NULL, &o);
	}
	if (rc == STORE_OK && in_tx) {
		rc = ps_simple(ps, "COMMIT", "commit the schema", NULL, &o);
		in_tx = false;
	}
out:
	if (in_tx && ps->link.conn != NULL)
		ps_simple(ps, "ROLLBACK", "rollback", NULL, &o);
	if (rc != STORE_OK && err[0] == '\0')
		snprintf(err, errlen, "store: cannot %s the schema in PostgreSQL (see the log; the "
			 "connection's role needs CREATE on its schema the first time)",
			 version < 0 ? "create" : "check or upgrade");
	return rc;
}

static void pg_close(struct store *s)
{
	struct pg_store *ps = to_ps(s);

	if (ps == NULL)
		return;
	pq_link_free(&ps->link);
	free(ps);
}

/* Keep the string and check it. libpq's parse error may quote the string:
 * it is not repeated. */
static int ps_init_link(struct pg_store *ps, const struct config *cfg, char *err,
			size_t errlen)
{
	char *perr = NULL;
	int rc = STORE_OK;

	if (pq_link_init(&ps->link, cfg->store_connection, NULL, &perr) != 0) {
		if (perr == NULL)
			snprintf(err, errlen, "store: out of memory");
		else
			snprintf(err, errlen, "store: [store] connection is not a valid libpq "
				 "connection string");
		rc = STORE_ERROR;
	}
	pq_free_error(perr);
	return rc;
}

static struct store *pg_open(const struct config *cfg, int *rc, char *err, size_t errlen)
{
	struct pg_store *ps;
	struct store *s = NULL;
	int qt;

	err[0] = '\0';
	*rc = STORE_ERROR;
	ps = calloc(1, sizeof(*ps));
	if (ps == NULL || cfg->store_connection == NULL) {
		snprintf(err, errlen, ps == NULL ? "store: out of memory"
			 : "store: [store] connection is not set");
		goto out;
	}
	qt = cfg->store_query_timeout > 0 ? cfg->store_query_timeout : 5;
	ps->link.app_name = "customdbd-store";
	ps->link.connect_timeout = cfg->store_connect_timeout > 0 ? cfg->store_connect_timeout : 3;
	ps->link.query_timeout = qt;
	ps->link.quiet = true;
	snprintf(ps->setup, sizeof(ps->setup), "SET statement_timeout = %lld; "
		 "SET idle_in_transaction_session_timeout = %lld; SET synchronous_commit = on",
		 (long long)qt * 1000, (long long)qt * 2000);
	ps->link.setup = ps->setup;
	*rc = ps_init_link(ps, cfg, err, errlen);
	if (*rc == STORE_OK)
		*rc = ps_connect(ps, err, errlen);
	if (*rc == STORE_OK)
		*rc = ps_schema(ps, err, errlen);
	if (*rc != STORE_OK)
		goto out;
	s = &ps->base;
	ps = NULL;
out:
	pg_close(ps != NULL ? &ps->base : NULL);
	return s;
}

const struct store_ops store_pgsql_ops = {
	.driver = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.user_by_name = pg_user_by_name,
	.user_by_uid = pg_user_by_uid,
	.group_by_name = pg_group_by_name,
	.group_by_gid = pg_group_by_gid,
	.user_groups = pg_user_groups,
	.migrate_user = pg_migrate_user,
	.touch_login = pg_touch_login,
	.names_known = pg_names_known,
	.set_password = pg_set_password,
	.set_email = pg_set_email,
	.delete_user = pg_delete_user,
	.next_uid = pg_next_uid,
	.user_meta = pg_user_meta,
	.import_users = pg_import_users,
	.stats = pg_stats,
	.list_users = pg_list_users,
	.list_groups = pg_list_groups,
};
