/* store_sqlite_modify.c: store_modify.c's statements on the SQLite store
 * (store_ops.exec). Each is prepared, run and finalized: they are rare (the
 * administrator's changes), so none is kept. */
#include <stdlib.h>

#include <sqlite3.h>

#include "store_sqlite_int.h"

int sl_exec_sql(struct store *s, const char *sql, int n, const char *const *params,
		long long *changed, long long *first)
{
	struct sl_store *ss = to_sl(s);
	sqlite3_stmt *st = NULL;
	bool row = false;
	int r, i;

	*changed = 0;
	r = sqlite3_prepare_v2(ss->db, sql, -1, &st, NULL);
	for (i = 0; r == SQLITE_OK && i < n; i++)
		r = sl_bind_text(st, i + 1, params[i]);
	while (r == SQLITE_OK || r == SQLITE_ROW) {
		r = sqlite3_step(st);
		if (r == SQLITE_ROW && !row && first != NULL &&
		    sqlite3_column_type(st, 0) != SQLITE_NULL)
			*first = sqlite3_column_int64(st, 0);
		row = row || r == SQLITE_ROW;
	}
	if (r == SQLITE_DONE)
		*changed = sqlite3_changes(ss->db);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? STORE_OK : sl_fail(ss, sql, r);
}
