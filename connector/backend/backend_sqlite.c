/* backend_sqlite.c: the SQLite engine.
 *
 * `connection` is the database file's path (not a URI). The file must exist:
 * a missing legacy database is an outage, not an empty database to create.
 * Each query first stat()s the path; when the file there is no longer the one
 * we opened (a new export renamed into place) the database is opened again,
 * and when it is gone the query is BACKEND_UNAVAILABLE.
 *
 * query_timeout bounds both the wait for a lock (busy timeout) and the run
 * of a statement (a progress handler interrupts it past the deadline).
 * Statements are prepared once per open and cached by the query object's
 * address (and text, in case an address is reused). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "backend.h"
#include "io.h"
#include "sqlite.h"

#define SL_STMT_CACHE 32
/* VM instructions between two looks at the clock. */
#define SL_PROGRESS_STEPS 1000

struct sl_stmt {
	const struct query *q;
	char *sql;            /* q->sql_qmark when prepared */
	sqlite3_stmt *stmt;
};

struct sl_backend {
	sqlite3 *db;          /* NULL while closed */
	char *path;
	dev_t dev;            /* identity of the file db has open */
	ino_t ino;
	int query_timeout;
	int read_only;
	long long deadline;   /* ms, CLOCK_MONOTONIC; 0 while no query runs */
	size_t nstmts;
	struct sl_stmt stmts[SL_STMT_CACHE];
};

static struct sl_backend *to_sl(struct backend *b)
{
	return (struct sl_backend *)(void *)b;
}

/* Non-zero interrupts the running statement (SQLITE_INTERRUPT). */
static int sl_progress(void *arg)
{
	const struct sl_backend *sb = arg;

	return sb->deadline != 0 && io_deadline(0) >= sb->deadline;
}

static void sl_stmt_drop_all(struct sl_backend *sb)
{
	size_t i;

	for (i = 0; i < sb->nstmts; i++) {
		sqlite3_finalize(sb->stmts[i].stmt);
		free(sb->stmts[i].sql);
	}
	sb->nstmts = 0;
}

static void sl_drop(struct sl_backend *sb)
{
	sl_stmt_drop_all(sb);
	sq_close(&sb->db, NULL, 0);
}

/* Result codes that mean "the database cannot serve now", not "the query is
 * wrong": the engine's, and a damaged file (a new export half written). */
static int sl_code_unavailable(int code)
{
	return sq_unavailable(code) || (code & 0xff) == SQLITE_CORRUPT ||
	       (code & 0xff) == SQLITE_NOTADB;
}

/* Open the file at sb->path. BACKEND_OK or BACKEND_UNAVAILABLE with err. */
static int sl_connect(struct sl_backend *sb, char *err, size_t errlen)
{
	struct stat st;
	char msg[256];
	int flags, rc = BACKEND_UNAVAILABLE;

	sl_drop(sb);
	if (stat(sb->path, &st) != 0) {
		snprintf(err, errlen, "sqlite: cannot open '%s': %s", sb->path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "sqlite: cannot open '%s': not a regular file", sb->path);
		goto out;
	}
	flags = sb->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (sq_open(sb->path, flags, sb->query_timeout * 1000, &sb->db, msg, sizeof(msg))
	    != SQLITE_OK) {
		snprintf(err, errlen, "sqlite: cannot open '%s': %s", sb->path, msg);
		goto out;
	}
	if (sb->query_timeout > 0)
		sqlite3_progress_handler(sb->db, SL_PROGRESS_STEPS, sl_progress, sb);
	/* SQLite reads the file lazily: make "not a database" an open failure
	 * rather than the first query's. */
	sb->deadline = sb->query_timeout > 0 ? io_deadline(0) + sb->query_timeout * 1000LL : 0;
	if (sqlite3_exec(sb->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL)
	    != SQLITE_OK) {
		snprintf(err, errlen, "sqlite: cannot open '%s': %s", sb->path,
			 sqlite3_errmsg(sb->db));
		goto out;
	}
	sb->dev = st.st_dev;
	sb->ino = st.st_ino;
	rc = BACKEND_OK;
out:
	sb->deadline = 0;
	if (rc != BACKEND_OK)
		sl_drop(sb);
	return rc;
}

/* Is the open database still the file at sb->path? */
static int sl_same_file(const struct sl_backend *sb)
{
	struct stat st;

	return stat(sb->path, &st) == 0 && st.st_dev == sb->dev && st.st_ino == sb->ino;
}

/* The cached statement for q, prepared now if need be. NULL with *rc and err
 * set on failure. */
static sqlite3_stmt *sl_stmt_get(struct sl_backend *sb, const struct query *q, int *rc,
				 char *err, size_t errlen)
{
	sqlite3_stmt *stmt = NULL, *extra = NULL;
	const char *tail = NULL;
	struct sl_stmt *s;
	size_t i;
	int r;

	for (i = 0; i < sb->nstmts; i++) {
		s = &sb->stmts[i];
		if (s->q == q && strcmp(s->sql, q->sql_qmark) == 0)
			return s->stmt;
	}
	*rc = BACKEND_ERROR;
	r = sqlite3_prepare_v3(sb->db, q->sql_qmark, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
			       &tail);
	if (r != SQLITE_OK || stmt == NULL) {
		snprintf(err, errlen, "sqlite: %s",
			 r != SQLITE_OK ? sqlite3_errmsg(sb->db) : "empty query");
		if (sl_code_unavailable(r))
			*rc = BACKEND_UNAVAILABLE;
		goto fail;
	}
	/* Only the first statement would run: refuse the rest, unless it is
	 * nothing but white space and comments. */
	if (tail != NULL && *tail != '\0') {
		r = sqlite3_prepare_v2(sb->db, tail, -1, &extra, NULL);
		sqlite3_finalize(extra);
		if (r != SQLITE_OK || extra != NULL) {
			snprintf(err, errlen, "sqlite: a query must be one SQL statement");
			goto fail;
		}
	}
	if (sb->nstmts == SL_STMT_CACHE) {
		/* Queries are few and fixed; this only bounds a misuse. */
		sqlite3_finalize(sb->stmts[0].stmt);
		free(sb->stmts[0].sql);
		memmove(&sb->stmts[0], &sb->stmts[1], (SL_STMT_CACHE - 1) * sizeof(sb->stmts[0]));
		sb->nstmts--;
	}
	s = &sb->stmts[sb->nstmts];
	s->sql = strdup(q->sql_qmark);
	if (s->sql == NULL) {
		snprintf(err, errlen, "sqlite: out of memory");
		goto fail;
	}
	s->q = q;
	s->stmt = stmt;
	sb->nstmts++;
	return stmt;
fail:
	sqlite3_finalize(stmt);
	return NULL;
}

/* Bind, step to the end, and collect every row into *out. *reopen is set
 * when the failure may clear with a fresh open: an I/O or corruption error
 * (the file replaced under us), not a timeout or a lock. */
static int sl_run(struct sl_backend *sb, sqlite3_stmt *stmt, const struct query *q,
		  const char *const *params, struct result **out, int *reopen,
		  char *err, size_t errlen)
{
	struct result *r = NULL;
	const char **cells = NULL;
	size_t *lens = NULL;
	int ncols, i, s, rc = BACKEND_ERROR;

	*reopen = 0;
	if ((size_t)sqlite3_bind_parameter_count(stmt) != q->nparams) {
		snprintf(err, errlen, "sqlite: statement has %d placeholders, query gives %zu",
			 sqlite3_bind_parameter_count(stmt), q->nparams);
		goto out;
	}
	for (i = 0; (size_t)i < q->nparams; i++) {
		s = params[i] == NULL ? sqlite3_bind_null(stmt, i + 1)
				      : sqlite3_bind_text(stmt, i + 1, params[i], -1,
							  SQLITE_TRANSIENT);
		if (s != SQLITE_OK)
			goto sql_err;
	}
	ncols = sqlite3_column_count(stmt);
	r = result_new((size_t)ncols);
	cells = calloc(ncols > 0 ? (size_t)ncols : 1, sizeof(*cells));
	lens = calloc(ncols > 0 ? (size_t)ncols : 1, sizeof(*lens));
	if (r == NULL || cells == NULL || lens == NULL)
		goto nomem;
	for (i = 0; i < ncols; i++) {
		const char *name = sqlite3_column_name(stmt, i);

		r->colnames[i] = name != NULL ? strdup(name) : NULL;
		if (r->colnames[i] == NULL)
			goto nomem;
	}
	sb->deadline = sb->query_timeout > 0 ? io_deadline(0) + sb->query_timeout * 1000LL : 0;
	while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
		for (i = 0; i < ncols; i++) {
			cells[i] = NULL;
			lens[i] = 0;
			if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
				continue;
			cells[i] = (const char *)sqlite3_column_text(stmt, i);
			if (cells[i] == NULL)
				goto nomem;
			lens[i] = (size_t)sqlite3_column_bytes(stmt, i);
		}
		if (result_add_row(r, cells, lens) != 0)
			goto nomem;
	}
	if (s != SQLITE_DONE)
		goto sql_err;
	if (ncols == 0)
		r->affected = sqlite3_changes(sb->db);
	*out = r;
	r = NULL;
	rc = BACKEND_OK;
	goto out;
sql_err:
	if ((s & 0xff) == SQLITE_INTERRUPT)
		snprintf(err, errlen, "sqlite: query timed out after %d s", sb->query_timeout);
	else
		snprintf(err, errlen, "sqlite: %s", sqlite3_errmsg(sb->db));
	rc = sl_code_unavailable(s) ? BACKEND_UNAVAILABLE : BACKEND_ERROR;
	*reopen = rc == BACKEND_UNAVAILABLE && (s & 0xff) != SQLITE_INTERRUPT &&
		  (s & 0xff) != SQLITE_BUSY && (s & 0xff) != SQLITE_LOCKED;
	goto out;
nomem:
	snprintf(err, errlen, "sqlite: out of memory");
out:
	sb->deadline = 0;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	result_free(r);
	free(cells);
	free(lens);
	return rc;
}

static int sl_query(struct backend *b, const struct query *q, const char *const *params,
		    struct result **out, char *err, size_t errlen)
{
	struct sl_backend *sb = to_sl(b);
	sqlite3_stmt *stmt;
	int rc = BACKEND_OK, reopen;

	*out = NULL;
	if (sb->db == NULL || !sl_same_file(sb)) {
		rc = sl_connect(sb, err, errlen);
		if (rc != BACKEND_OK)
			goto out;
	}
	stmt = sl_stmt_get(sb, q, &rc, err, errlen);
	if (stmt == NULL)
		goto out;
	rc = sl_run(sb, stmt, q, params, out, &reopen, err, errlen);
	if (reopen)
		sl_drop(sb);
out:
	return rc;
}

static void sl_close(struct backend *b)
{
	struct sl_backend *sb = to_sl(b);

	if (sb == NULL)
		return;
	sl_drop(sb);
	free(sb->path);
	free(sb);
}

static struct backend *sl_open(const struct backend_params *p, char *err, size_t errlen)
{
	struct sl_backend *sb;
	struct backend *b = NULL;

	sb = calloc(1, sizeof(*sb));
	if (sb == NULL || p->connection == NULL || p->connection[0] == '\0') {
		snprintf(err, errlen, sb == NULL ? "sqlite: out of memory"
						 : "sqlite: no database path given");
		goto out;
	}
	sb->path = strdup(p->connection);
	if (sb->path == NULL) {
		snprintf(err, errlen, "sqlite: out of memory");
		goto out;
	}
	sb->query_timeout = p->query_timeout;
	sb->read_only = p->read_only;
	if (sl_connect(sb, err, errlen) != BACKEND_OK)
		goto out;
	b = (struct backend *)(void *)sb;
	sb = NULL;
out:
	sl_close((struct backend *)(void *)sb);
	return b;
}

const struct backend_ops backend_sqlite_ops = {
	.driver = "sqlite",
	.open = sl_open,
	.query = sl_query,
	.close = sl_close,
};
