/* store_sqlite_schema.c: the SQLite store's own schema, version by version,
 * and its creation or upgrade when the store is opened. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "log.h"
#include "sqlite.h"
#include "store_sqlite_int.h"

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

/* Create or upgrade the schema. Only a store that is not at this version
 * takes the write lock. */
int sl_schema(struct sl_store *ss, char *err, size_t errlen)
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
