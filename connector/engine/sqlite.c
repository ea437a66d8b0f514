/* sqlite.c: see sqlite.h. */
#include "sqlite.h"

#include <stdio.h>

int sq_open(const char *path, int flags, int busy_ms, sqlite3 **db, char *msg, size_t msglen)
{
	int r;

	*db = NULL;
	r = sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (r != SQLITE_OK) {
		snprintf(msg, msglen, "%s", *db != NULL ? sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close(*db);
		*db = NULL;
		return r;
	}
	sqlite3_extended_result_codes(*db, 1);
	if (busy_ms > 0)
		sqlite3_busy_timeout(*db, busy_ms);
	return SQLITE_OK;
}

void sq_close(sqlite3 **db, sqlite3_stmt **stmts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sqlite3_finalize(stmts[i]);
		stmts[i] = NULL;
	}
	sqlite3_close(*db);
	*db = NULL;
}

const char *sq_errmsg(sqlite3 *db, int code)
{
	return (code & 0xff) == SQLITE_BUSY ? "locked for longer than query_timeout"
					    : sqlite3_errmsg(db);
}

bool sq_unavailable(int code)
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
		return true;
	default:
		return false;
	}
}
