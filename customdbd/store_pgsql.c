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
 * Two hosts migrating one user at once: both INSERT ... ON CONFLICT DO
 * NOTHING; the second waits for the first to commit, inserts nothing, reads
 * the row back and finds its uid: both succeed, one row. Groups are written
 * in one order by every migration (store.c), so row locks never deadlock;
 * should the server still report a deadlock or a serialization failure, the
 * migration is run once more, as it is when a kept connection is found dead
 * (a migration is idempotent). synchronous_commit is on for our session:
 * COMMIT returns once the server has the migration on disk.
 *
 * Messages logged here carry the server's primary message only: its DETAIL
 * may quote a row, and a row may hold a hash. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "log.h"
#include "pq_shared.h"
#include "secret.h"
#include "store.h"

#define PG_SCHEMA_VERSION 1

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
};

/* Any constant will do, as long as every customdb uses the same one. */
#define PG_SCHEMA_LOCK "7240319551"

#define PG_USER_COLS "name, uid, gid, gecos, home, shell, email, email_verified, disabled, " \
		     "password_hash, extract(epoch FROM expires)::bigint"
#define PG_GROUP_COLS "g.name, g.gid, (SELECT string_agg(user_name, ',' ORDER BY user_name) " \
		      "FROM memberships WHERE group_name = g.name)"

enum pg_id {
	PG_USER_BY_NAME,
	PG_USER_BY_UID,
	PG_GROUP_BY_NAME,
	PG_GROUP_BY_GID,
	PG_USER_GROUPS,
	PG_KNOWN,
	PG_STATE,
	PG_INSERT_USER,
	PG_USER_UID,
	PG_INSERT_GROUP,
	PG_GROUP_GID,
	PG_INSERT_MEMBER,
	PG_TOUCH,
	PG_COUNT_
};

static const char *const pg_sql[PG_COUNT_] = {
	/* the user, or else a tombstone: one round trip */
	[PG_USER_BY_NAME] = "SELECT 0, " PG_USER_COLS " FROM users WHERE name = $1 "
			    "UNION ALL SELECT 1, name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
			    "NULL, NULL, NULL FROM tombstones WHERE name = $1 ORDER BY 1 LIMIT 1",
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
	[PG_STATE] = "SELECT EXISTS (SELECT 1 FROM users WHERE name = $1), "
		     "EXISTS (SELECT 1 FROM tombstones WHERE name = $1)",
	/* DO NOTHING on either key; the row read back tells which (store.h) */
	[PG_INSERT_USER] = "INSERT INTO users (name, uid, gid, gecos, home, shell, email, "
			   "email_verified, disabled, password_hash, expires, last_login_at) "
			   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, to_timestamp($11), "
			   "now()) ON CONFLICT DO NOTHING RETURNING 1",
	[PG_USER_UID] = "SELECT uid FROM users WHERE name = $1",
	[PG_INSERT_GROUP] = "INSERT INTO groups (name, gid) VALUES ($1, $2) ON CONFLICT DO NOTHING",
	[PG_GROUP_GID] = "SELECT gid FROM groups WHERE name = $1",
	[PG_INSERT_MEMBER] = "INSERT INTO memberships (group_name, user_name) VALUES ($1, $2) "
			     "ON CONFLICT DO NOTHING",
	[PG_TOUCH] = "UPDATE users SET last_login_at = now() WHERE name = $1",
};

struct pg_store {
	struct store base;
	PGconn *conn;             /* NULL while disconnected */
	unsigned long prepared;   /* bit i: pg_sql[i] is prepared on conn */
	char *connection;         /* may hold a password: wiped */
	char *password;           /* the string's own, kept only to redact it */
	int connect_timeout, query_timeout;
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

static void pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* The first line of a libpq message, with the store's password cut out. */
static void first_line(const struct pg_store *ps, const char *msg, char *out, size_t outlen)
{
	size_t n, pl;
	char *p;

	snprintf(out, outlen, "%s", msg != NULL ? msg : "");
	out[strcspn(out, "\n")] = '\0';
	if (ps->password != NULL && (pl = strlen(ps->password)) >= 3) {
		while ((p = strstr(out, ps->password)) != NULL) {
			n = strlen(p + pl);
			memcpy(p, "***", 3);
			memmove(p + 3, p + pl, n + 1);
		}
	}
}

static void ps_drop(struct pg_store *ps)
{
	PQfinish(ps->conn);
	ps->conn = NULL;
	ps->prepared = 0;
}

/* Collect the results of what was sent; the first is kept in *res. STORE_OK,
 * STORE_UNAVAIL (timed out, lost: then dropped) or STORE_ERROR. what names
 * the statement in messages. */
static int ps_collect(struct pg_store *ps, const char *what, PGresult **res,
		      struct pg_outcome *o)
{
	long long deadline = pq_now_ms() + (long long)ps->query_timeout * 1000;
	PGresult *first = NULL, *r;
	const char *state;
	char msg[256];
	int rc = STORE_ERROR, w;

	*res = NULL;
	for (;;) {
		w = pq_wait(ps->conn, deadline);
		if (w != 0) {
			log_msg(LOG_ERR, "store: %s: %s", what, w > 0 ?
				"no answer within query_timeout; connection dropped" :
				"connection lost");
			o->lost = w < 0;
			ps_drop(ps);
			rc = STORE_UNAVAIL;
			goto out;
		}
		r = PQgetResult(ps->conn);
		if (r == NULL)
			break;
		if (first == NULL)
			first = r;
		else if (PQresultStatus(first) != PGRES_FATAL_ERROR &&
			 PQresultStatus(r) == PGRES_FATAL_ERROR) {
			PQclear(first);  /* of several, the error is what matters */
			first = r;
		} else {
			PQclear(r);
		}
	}
	if (PQstatus(ps->conn) != CONNECTION_OK || first == NULL) {
		first_line(ps, PQerrorMessage(ps->conn), msg, sizeof(msg));
		log_msg(LOG_ERR, "store: %s: connection lost: %s", what, msg);
		o->lost = true;
		ps_drop(ps);
		rc = STORE_UNAVAIL;
		goto out;
	}
	switch (PQresultStatus(first)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
		*res = first;
		first = NULL;
		rc = STORE_OK;
		goto out;
	default:
		break;
	}
	state = PQresultErrorField(first, PG_DIAG_SQLSTATE);
	first_line(ps, PQresultErrorField(first, PG_DIAG_MESSAGE_PRIMARY), msg, sizeof(msg));
	if (state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		o->retry = true;
	else
		log_msg(LOG_ERR, "store: %s: %s (SQLSTATE %s)", what, msg, state ? state : "?");
	/* connection trouble, shutdown, timeouts, resources: not now */
	rc = state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
			       strncmp(state, "57", 2) == 0 || strncmp(state, "40", 2) == 0 ||
			       strcmp(state, "55P03") == 0) ? STORE_UNAVAIL : STORE_ERROR;
out:
	PQclear(first);
	return rc;
}

/* Send SQL without parameters (one or more statements) and wait. */
static int ps_simple(struct pg_store *ps, const char *sql, const char *what, PGresult **res,
		     struct pg_outcome *o)
{
	PGresult *ignored = NULL;
	int rc;

	if (!PQsendQuery(ps->conn, sql)) {
		o->lost = PQstatus(ps->conn) != CONNECTION_OK;
		log_msg(LOG_ERR, "store: %s: cannot send", what);
		ps_drop(ps);
		return STORE_UNAVAIL;
	}
	rc = ps_collect(ps, what, res != NULL ? res : &ignored, o);
	PQclear(ignored);
	return rc;
}

/* Run statement id with text params (NULL = SQL NULL), preparing it on first
 * use on this connection. */
static int ps_run(struct pg_store *ps, enum pg_id id, int n, const char *const *params,
		  PGresult **res, struct pg_outcome *o)
{
	char name[16];
	PGresult *r = NULL;
	int rc;

	*res = NULL;
	snprintf(name, sizeof(name), "cdbstore%d", (int)id);
	if (!(ps->prepared & (1UL << id))) {
		if (!PQsendPrepare(ps->conn, name, pg_sql[id], n, NULL))
			goto lost;
		rc = ps_collect(ps, "prepare", &r, o);
		PQclear(r);
		if (rc != STORE_OK)
			return rc;
		ps->prepared |= 1UL << id;
	}
	if (!PQsendQueryPrepared(ps->conn, name, n, params, NULL, NULL, 0))
		goto lost;
	return ps_collect(ps, "query", res, o);
lost:
	o->lost = PQstatus(ps->conn) != CONNECTION_OK;
	log_msg(LOG_ERR, "store: cannot send a statement");
	ps_drop(ps);
	return STORE_UNAVAIL;
}

/* Connect and set the session up. STORE_OK or STORE_UNAVAIL with err. */
static int ps_connect(struct pg_store *ps, char *err, size_t errlen)
{
	const char *kw[5], *val[5];
	char ct[16], setup[256], msg[256];
	struct pg_outcome o = { 0 };
	int n = 0, rc = STORE_UNAVAIL;

	ps_drop(ps);
	kw[n] = "fallback_application_name";
	val[n++] = "customdbd-store";
	kw[n] = "dbname";
	val[n++] = ps->connection;
	snprintf(ct, sizeof(ct), "%d", ps->connect_timeout);
	kw[n] = "connect_timeout";      /* after the string: ours wins */
	val[n++] = ct;
	kw[n] = "client_encoding";
	val[n++] = "UTF8";
	kw[n] = NULL;
	val[n] = NULL;
	ps->conn = PQconnectdbParams(kw, val, 1);
	if (ps->conn == NULL) {
		snprintf(err, errlen, "store: cannot connect: out of memory");
		goto out;
	}
	if (PQstatus(ps->conn) != CONNECTION_OK) {
		first_line(ps, PQerrorMessage(ps->conn), msg, sizeof(msg));
		snprintf(err, errlen, "store: cannot connect to PostgreSQL: %s", msg);
		goto out;
	}
	PQsetNoticeProcessor(ps->conn, pg_quiet, NULL);
	snprintf(setup, sizeof(setup), "SET statement_timeout = %lld; "
		 "SET idle_in_transaction_session_timeout = %lld; SET synchronous_commit = on",
		 (long long)ps->query_timeout * 1000, (long long)ps->query_timeout * 2000);
	rc = ps_simple(ps, setup, "session setup", NULL, &o);
	if (rc != STORE_OK)
		snprintf(err, errlen, "store: PostgreSQL session setup failed (see the log)");
out:
	if (rc != STORE_OK)
		ps_drop(ps);
	return rc;
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
		if (ps->conn == NULL || PQstatus(ps->conn) != CONNECTION_OK) {
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
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else {
		rc = store_fill_group(l->out, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
				      PQgetisnull(res, 0, 2) ? NULL : PQgetvalue(res, 0, 2));
		if (rc != STORE_OK)
			log_msg(LOG_ERR, "store: group row cannot be read");
	}
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

/* The names as a PostgreSQL array literal: {"a","b"}. Valid names hold no
 * quote or backslash; they are escaped all the same. */
static char *array_literal(const char *const *names, size_t n)
{
	size_t len = 3, i, o = 0;
	const char *c;
	char *s;

	for (i = 0; i < n; i++)
		len += 2 * strlen(names[i]) + 3;
	s = malloc(len);
	if (s == NULL)
		return NULL;
	s[o++] = '{';
	for (i = 0; i < n; i++) {
		if (i > 0)
			s[o++] = ',';
		s[o++] = '"';
		for (c = names[i]; *c != '\0'; c++) {
			if (*c == '"' || *c == '\\')
				s[o++] = '\\';
			s[o++] = *c;
		}
		s[o++] = '"';
	}
	s[o++] = '}';
	s[o] = '\0';
	return s;
}

static int work_names_known(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	struct lookup *l = arg;
	const char *p[1];
	PGresult *res;
	char *lit;
	size_t j;
	int rc, i;

	lit = array_literal(l->names, l->nnames);
	if (lit == NULL)
		return STORE_ERROR;
	p[0] = lit;
	rc = ps_run(ps, PG_KNOWN, 1, p, &res, o);
	free(lit);
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

struct migration {
	const struct user *u;
	const char *hash;
	const struct group *groups;
	const size_t *order;
	size_t ngroups;
};

/* One text parameter of a statement, kept in a small buffer. */
#define NUM(buf, v) (snprintf((buf), sizeof(buf), "%lu", (unsigned long)(v)), (const char *)(buf))

/* In the transaction: the group row and, when the store's group of that name
 * has that gid, the membership (as in store_sqlite.c). */
static int add_group(struct pg_store *ps, const char *user, const struct group *g,
		     struct pg_outcome *o)
{
	char gid[24];
	const char *p[2] = { g->name, NUM(gid, g->gid) };
	const char *m[2] = { g->name, user };
	PGresult *res = NULL;
	int rc;

	rc = ps_run(ps, PG_INSERT_GROUP, 2, p, &res, o);
	PQclear(res);
	if (rc != STORE_OK)
		return rc;
	rc = ps_run(ps, PG_GROUP_GID, 1, p, &res, o);
	if (rc != STORE_OK)
		return rc;
	if (PQntuples(res) == 0) {
		log_msg(LOG_WARNING, "store: user %s: gid %s of group %s belongs to another group "
			"in the store; membership not copied", user, gid, g->name);
		PQclear(res);
		return STORE_OK;
	}
	if (strcmp(PQgetvalue(res, 0, 0), gid) != 0) {
		log_msg(LOG_WARNING, "store: user %s: group %s is in the store with gid %s, not %s "
			"as the legacy database says; membership not copied", user, g->name,
			PQgetvalue(res, 0, 0), gid);
		PQclear(res);
		return STORE_OK;
	}
	PQclear(res);
	rc = ps_run(ps, PG_INSERT_MEMBER, 2, m, &res, o);
	PQclear(res);
	return rc;
}

static int work_migrate(struct pg_store *ps, void *arg, struct pg_outcome *o)
{
	const struct migration *mg = arg;
	const struct user *u = mg->u;
	char uid[24], gid[24], expires[24];
	const char *p[11];
	PGresult *res = NULL;
	bool in_tx = false;
	size_t i;
	int rc;

	rc = ps_simple(ps, "BEGIN", "begin", NULL, o);
	if (rc != STORE_OK)
		goto out;
	in_tx = true;
	p[0] = u->name;
	rc = ps_run(ps, PG_STATE, 1, p, &res, o);
	if (rc != STORE_OK)
		goto out;
	if (strcmp(PQgetvalue(res, 0, 0), "f") == 0 && strcmp(PQgetvalue(res, 0, 1), "t") == 0) {
		rc = STORE_TOMBSTONE;
		goto out;
	}
	PQclear(res);
	res = NULL;
	p[1] = NUM(uid, u->uid);
	p[2] = NUM(gid, u->gid);
	p[3] = u->gecos != NULL ? u->gecos : "";
	p[4] = u->home;
	p[5] = u->shell;
	p[6] = u->email;
	p[7] = u->email_verified < 0 ? NULL : u->email_verified ? "t" : "f";
	p[8] = u->disabled ? "t" : "f";
	p[9] = mg->hash;
	p[10] = u->expires == 0 ? NULL : NUM(expires, u->expires);
	rc = ps_run(ps, PG_INSERT_USER, 11, p, &res, o);
	if (rc != STORE_OK)
		goto out;
	if (PQntuples(res) == 0) {
		/* someone was first: this user (fine) or this uid (not ours) */
		PQclear(res);
		res = NULL;
		rc = ps_run(ps, PG_USER_UID, 1, p, &res, o);
		if (rc == STORE_OK)
			rc = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), uid) == 0
				     ? STORE_OK : STORE_CONFLICT;
		goto out;   /* nothing of ours to write: roll back */
	}
	for (i = 0; i < mg->ngroups; i++) {
		rc = add_group(ps, u->name, &mg->groups[mg->order[i]], o);
		if (rc != STORE_OK)
			goto out;
	}
	PQclear(res);
	res = NULL;
	rc = ps_simple(ps, "COMMIT", "commit", &res, o);
	in_tx = false;
	/* an aborted transaction "commits" as ROLLBACK */
	if (rc == STORE_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		log_msg(LOG_ERR, "store: migration of %s was rolled back by the server", u->name);
		rc = STORE_UNAVAIL;
	}
out:
	PQclear(res);
	if (in_tx && ps->conn != NULL) {
		struct pg_outcome ignored = { 0 };

		ps_simple(ps, "ROLLBACK", "rollback", NULL, &ignored);
	}
	return rc;
}

static int pg_migrate_user(struct store *s, const struct user *u, const char *hash,
			   const struct group *groups, const size_t *order, size_t ngroups)
{
	struct migration mg = { u, hash, groups, order, ngroups };

	return ps_do(to_ps(s), work_migrate, &mg);
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
	if (in_tx && ps->conn != NULL)
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
	ps_drop(ps);
	if (ps->connection != NULL)
		secret_wipe_str(ps->connection);
	free(ps->connection);
	if (ps->password != NULL)
		secret_wipe_str(ps->password);
	free(ps->password);
	free(ps);
}

/* Check the string and keep its password, to cut it out of messages. libpq's
 * parse error may quote the string: it is not repeated. */
static int parse_connection(struct pg_store *ps, char *err, size_t errlen)
{
	char *perr = NULL;
	int rc = STORE_OK;

	if (pq_connection_password(ps->connection, &ps->password, &perr) != 0) {
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

	err[0] = '\0';
	*rc = STORE_ERROR;
	ps = calloc(1, sizeof(*ps));
	if (ps == NULL || cfg->store_connection == NULL ||
	    (ps->connection = strdup(cfg->store_connection)) == NULL) {
		snprintf(err, errlen, ps == NULL || cfg->store_connection != NULL
			 ? "store: out of memory" : "store: [store] connection is not set");
		goto out;
	}
	ps->connect_timeout = cfg->store_connect_timeout > 0 ? cfg->store_connect_timeout : 3;
	ps->query_timeout = cfg->store_query_timeout > 0 ? cfg->store_query_timeout : 5;
	*rc = parse_connection(ps, err, errlen);
	if (*rc != STORE_OK)
		goto out;
	*rc = ps_connect(ps, err, errlen);
	if (*rc != STORE_OK)
		goto out;
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
};
