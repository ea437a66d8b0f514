/* store_modify.c: the store as the source of truth (store.h): a user's
 * fields changed, groups added and deleted, memberships. The statements are
 * written here for both drivers (numbered placeholders, ?N in SQLite and $N
 * with casts in PostgreSQL), and run by the driver's store_ops.exec. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "names.h"
#include "store.h"

#define MODIFY_SQL_MAX 1024

static bool is_pg(const struct store *s)
{
	return strcmp(s->ops->driver, "postgresql") == 0;
}

static int run(struct store *s, const char *sql, int n, const char *const *p,
	       long long *changed, long long *first)
{
	if (s == NULL)
		return STORE_UNAVAIL;
	return s->ops->exec(s, sql, n, p, changed, first);
}

/* Append ", col = <value>" to sql (at *o): value as param k, written in the
 * driver's form (pg or sl, each with one %s for the placeholder). */
static void set_col(const struct store *s, char *sql, size_t *o, const char *col, int k,
		    const char *pg, const char *sl)
{
	const char *form = is_pg(s) ? pg : sl, *at = strstr(form, "%s");
	char ph[16];

	snprintf(ph, sizeof(ph), is_pg(s) ? "$%d" : "?%d", k);
	if (*o < MODIFY_SQL_MAX)
		*o += (size_t)snprintf(sql + *o, MODIFY_SQL_MAX - *o, ", %s = %.*s%s%s", col,
				       (int)(at - form), form, ph, at + 2);
}

int store_modify_user(struct store *s, const char *name, const struct store_change *c)
{
	static const struct {
		unsigned bit;
		const char *col, *pg, *sl;
	} cols[] = {
		{ STORE_SET_DISABLED, "disabled", "%s::integer::boolean", "CAST(%s AS INTEGER)" },
		{ STORE_SET_EXPIRES, "expires", "to_timestamp(%s::bigint)", "CAST(%s AS INTEGER)" },
		{ STORE_SET_MUST_CHANGE, "must_change_password", "%s::integer::boolean",
		  "CAST(%s AS INTEGER)" },
		{ STORE_SET_SHELL, "shell", "%s::text", "%s" },
		{ STORE_SET_GECOS, "gecos", "%s::text", "%s" },
		{ STORE_SET_HOME, "home", "%s::text", "%s" },
		{ STORE_SET_GID, "gid", "%s::bigint", "CAST(%s AS INTEGER)" },
	};
	enum { NCOLS = sizeof(cols) / sizeof(cols[0]) };
	char sql[MODIFY_SQL_MAX], now[24], expires[24], gid[24];
	const char *p[2 + NCOLS], *v[NCOLS];
	size_t o, i;
	long long changed = 0;
	int n = 0, rc;

	if (s == NULL)
		return STORE_UNAVAIL;
	if (!cdb_name_valid(name, strlen(name)) || c->set == 0)
		return STORE_ERROR;
	snprintf(expires, sizeof(expires), "%lld", (long long)c->expires);
	snprintf(gid, sizeof(gid), "%lu", (unsigned long)c->gid);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	v[0] = c->disabled ? "1" : "0";
	v[1] = c->expires != 0 ? expires : NULL;   /* SQL NULL: never */
	v[2] = c->must_change_password ? "1" : "0";
	v[3] = c->shell;
	v[4] = c->gecos;
	v[5] = c->home;
	v[6] = gid;
	p[n++] = name;
	p[n++] = now;
	o = (size_t)snprintf(sql, sizeof(sql), "UPDATE users SET updated_at = %s",
			     is_pg(s) ? "to_timestamp($2::bigint)" : "CAST(?2 AS INTEGER)");
	for (i = 0; i < NCOLS; i++) {
		if (!(c->set & cols[i].bit))
			continue;
		p[n++] = v[i];
		set_col(s, sql, &o, cols[i].col, n, cols[i].pg, cols[i].sl);
	}
	if (o + 32 >= sizeof(sql))
		return STORE_ERROR;
	snprintf(sql + o, sizeof(sql) - o, " WHERE name = %s", is_pg(s) ? "$1::text" : "?1");
	rc = run(s, sql, n, p, &changed, NULL);
	return rc == STORE_OK && changed == 0 ? STORE_NOTFOUND : rc;
}

int store_group_add(struct store *s, const char *name, gid_t gid)
{
	char num[24];
	const char *p[2] = { name, num };
	long long changed = 0;
	int rc;

	if (s == NULL)
		return STORE_UNAVAIL;
	if (!cdb_name_valid(name, strlen(name)) || gid == 0)
		return STORE_ERROR;
	snprintf(num, sizeof(num), "%lu", (unsigned long)gid);
	rc = run(s, is_pg(s)
		 ? "INSERT INTO groups (name, gid) SELECT $1::text, $2::bigint WHERE NOT EXISTS "
		   "(SELECT 1 FROM groups WHERE name = $1::text OR gid = $2::bigint) "
		   "ON CONFLICT DO NOTHING"
		 : "INSERT OR IGNORE INTO groups (name, gid) SELECT ?1, CAST(?2 AS INTEGER) "
		   "WHERE NOT EXISTS (SELECT 1 FROM groups WHERE name = ?1 OR "
		   "gid = CAST(?2 AS INTEGER))",
		 2, p, &changed, NULL);
	return rc == STORE_OK && changed == 0 ? STORE_EXISTS : rc;
}

int store_group_delete(struct store *s, const char *name)
{
	const char *p[1] = { name };
	long long changed = 0;
	int rc;

	if (s == NULL)
		return STORE_UNAVAIL;
	/* the memberships go with it (ON DELETE CASCADE) */
	rc = run(s, is_pg(s) ? "DELETE FROM groups WHERE name = $1::text"
			     : "DELETE FROM groups WHERE name = ?1", 1, p, &changed, NULL);
	return rc == STORE_OK && changed == 0 ? STORE_NOTFOUND : rc;
}

int store_group_member(struct store *s, const char *group, const char *user, bool add)
{
	const char *p[2] = { group, user };
	long long changed = 0, both = 0;
	int rc;

	if (s == NULL)
		return STORE_UNAVAIL;
	if (!add) {
		rc = run(s, is_pg(s)
			 ? "DELETE FROM memberships WHERE group_name = $1::text AND user_name = $2::text"
			 : "DELETE FROM memberships WHERE group_name = ?1 AND user_name = ?2",
			 2, p, &changed, NULL);
		return rc == STORE_OK && changed == 0 ? STORE_NOTFOUND : rc;
	}
	rc = run(s, is_pg(s)
		 ? "INSERT INTO memberships (group_name, user_name) SELECT $1::text, $2::text "
		   "WHERE EXISTS (SELECT 1 FROM groups WHERE name = $1::text) AND EXISTS "
		   "(SELECT 1 FROM users WHERE name = $2::text) ON CONFLICT DO NOTHING"
		 : "INSERT OR IGNORE INTO memberships (group_name, user_name) SELECT ?1, ?2 "
		   "WHERE EXISTS (SELECT 1 FROM groups WHERE name = ?1) AND EXISTS "
		   "(SELECT 1 FROM users WHERE name = ?2)",
		 2, p, &changed, NULL);
	if (rc != STORE_OK || changed > 0)
		return rc;
	/* nothing written: a member already, or no such group or user */
	rc = run(s, is_pg(s)
		 ? "SELECT (SELECT count(*) FROM groups WHERE name = $1::text) + "
		   "(SELECT count(*) FROM users WHERE name = $2::text)"
		 : "SELECT (SELECT count(*) FROM groups WHERE name = ?1) + "
		   "(SELECT count(*) FROM users WHERE name = ?2)",
		 2, p, &changed, &both);
	if (rc != STORE_OK)
		return rc;
	return both == 2 ? STORE_EXISTS : STORE_NOTFOUND;
}

int store_next_gid(struct store *s, gid_t min, gid_t max, gid_t *gid)
{
	char lo[24], hi[24];
	const char *p[2] = { lo, hi };
	long long changed = 0, next = 0;
	int rc;

	if (s == NULL)
		return STORE_UNAVAIL;
	if (min == 0)
		min = 1;
	if (min > max)
		return STORE_NOTFOUND;
	snprintf(lo, sizeof(lo), "%lu", (unsigned long)min);
	snprintf(hi, sizeof(hi), "%lu", (unsigned long)max);
	rc = run(s, is_pg(s)
		 ? "SELECT COALESCE(max(gid), $1::bigint - 1) + 1 FROM groups "
		   "WHERE gid BETWEEN $1::bigint AND $2::bigint"
		 : "SELECT COALESCE(max(gid), CAST(?1 AS INTEGER) - 1) + 1 FROM groups "
		   "WHERE gid BETWEEN CAST(?1 AS INTEGER) AND CAST(?2 AS INTEGER)",
		 2, p, &changed, &next);
	if (rc != STORE_OK)
		return rc;
	if (next < (long long)min || next > (long long)max)
		return STORE_NOTFOUND;
	*gid = (gid_t)next;
	return STORE_OK;
}
