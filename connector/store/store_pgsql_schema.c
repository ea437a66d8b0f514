/* store_pgsql_schema.c: the PostgreSQL store's own schema, version by
 * version, and its creation or upgrade when the store is opened. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "log.h"
#include "store_pgsql_int.h"

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

/* Under an advisory lock: two daemons starting at once against an empty
 * database must not both create it. */
int ps_schema(struct pg_store *ps, char *err, size_t errlen)
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
