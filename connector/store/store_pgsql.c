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
 * may quote a row, and a row may hold a hash.
 *
 * This file holds the statements and how one is run (prepared on first use,
 * with a deadline, once more on a new connection), and opening the store.
 * The rest, one part a file: store_pgsql_lookup.c (users and groups looked
 * up), store_pgsql_write.c (migrations, imports, last login),
 * store_pgsql_admin.c (the tool's changes, counts and listings),
 * store_pgsql_schema.c (the store's own schema and its upgrades),
 * store_pgsql_array.c (array literals); store_pgsql_int.h joins them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "log.h"
#include "store_pgsql_int.h"

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
	/* the user whose groups a sync sets, held until the commit */
	[PG_LOCK_USER] = "SELECT 1 FROM users WHERE name = $1 AND uid = $2::bigint FOR UPDATE",
	[PG_DROP_MEMBERS] = "DELETE FROM memberships WHERE user_name = $1 AND "
			    "NOT (group_name = ANY ($2::text[]))",
	[PG_PRUNE_GROUP] = "DELETE FROM groups WHERE name = $1 AND NOT EXISTS "
			   "(SELECT 1 FROM memberships WHERE group_name = $1)",
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
int ps_simple(struct pg_store *ps, const char *sql, const char *what, PGresult **res,
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

int ps_params(struct pg_store *ps, const char *sql, int n, const char *const *params,
	      PGresult **res, struct pg_outcome *o)
{
	*res = NULL;
	return ps_outcome(ps, "query", pq_link_run(&ps->link, PQ_PARAMS, NULL, sql, n, params,
						   res), res, o);
}

/* Run statement id with text params (NULL = SQL NULL), preparing it on first
 * use on this connection. */
int ps_run(struct pg_store *ps, enum pg_id id, int n, const char *const *params,
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
int ps_connect(struct pg_store *ps, char *err, size_t errlen)
{
	int r = pq_link_connect(&ps->link);

	if (r == 0)
		return STORE_OK;
	snprintf(err, errlen, "store: %s: %s", r == -1 ? "cannot connect to PostgreSQL"
		 : "PostgreSQL session setup failed", ps->link.why);
	return STORE_UNAVAIL;
}

int ps_do(struct pg_store *ps, ps_work fn, void *arg)
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
	.sync_groups = pg_sync_groups,
	.prune_group = pg_prune_group,
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
	.exec = pg_exec_sql,
};
