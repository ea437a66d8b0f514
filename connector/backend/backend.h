/* backend.h: one interface over the legacy database engines.
 *
 * A backend is one connection to one database, used by one thread at a time.
 * The daemon gives each worker thread its own backend, opened lazily and kept
 * across requests. The retry policy lives in one place, session_query()
 * (connector.c): a query that finds its kept connection dead (BACKEND_LOST)
 * is retried once on a new one; a timeout is never retried. */
#ifndef CUSTOMDB_BACKEND_H
#define CUSTOMDB_BACKEND_H

#include <stddef.h>

#include "query.h"

/* Result of a backend call. */
enum backend_rc {
	BACKEND_OK = 0,
	BACKEND_UNAVAILABLE = -1, /* cannot connect, connection lost, timed out */
	BACKEND_ERROR = -2,       /* the database refused the query (SQL error) */
	BACKEND_LOST = -3,        /* the kept connection was found dead (server
				   * restarted, idle timeout) before an answer:
				   * worth one retry on a new connection */
	BACKEND_DENIED = -4,      /* the source refused the user's own password
				   * the query was sent with (:password) */
};

/* A fully buffered result: every cell is text (or NULL for SQL NULL). */
struct result {
	size_t ncols;
	size_t nrows;
	char **colnames;  /* ncols names, as the query labelled them */
	char **cells;     /* nrows * ncols, row-major; NULL is SQL NULL */
	long long affected; /* rows an INSERT/UPDATE/DELETE changed; -1 unknown */
};

/* Cell (row, col); NULL for SQL NULL. */
static inline const char *result_cell(const struct result *r, size_t row, size_t col)
{
	return r->cells[row * r->ncols + col];
}

/* Index of the column named `name` (case-insensitive), or -1. */
int result_column(const struct result *r, const char *name);

/* Allocate an empty result of ncols columns; returns NULL on ENOMEM. */
struct result *result_new(size_t ncols);
/* Append a row of ncols cells (copied; NULL allowed). 0 or -1 on ENOMEM. */
int result_add_row(struct result *r, const char *const *cells, const size_t *lens);
/* Free a result and everything it owns. NULL is fine. */
void result_free(struct result *r);

/* Connection settings shared by every engine. */
struct backend_params {
	const char *connection;   /* the driver's own connection string */
	const char *password;     /* from password_file, or NULL */
	int connect_timeout;      /* seconds */
	int query_timeout;        /* seconds */
	int read_only;            /* open read-only where the engine can */
	const char *ca_file;      /* CA certificates to verify the server (http) */
	const char *run_as;       /* exec: the user action scripts run as */
	long max_output;          /* exec: bytes an action script may print */
};

struct backend;

struct backend_ops {
	const char *driver;   /* "postgresql", "mysql", "sqlite", "odbc" */
	/* Connect. Returns NULL and fills err (a message without secrets) on failure. */
	struct backend *(*open)(const struct backend_params *p, char *err, size_t errlen);
	/* Run q with params (q->nparams text values, NULL = SQL NULL), bound, never
	 * pasted. On BACKEND_OK *out is a result the caller frees. On failure err is
	 * filled. BACKEND_UNAVAILABLE means the database cannot be used now
	 * (down, too slow); BACKEND_LOST that the kept connection died. */
	int (*query)(struct backend *b, const struct query *q, const char *const *params,
		     struct result **out, char *err, size_t errlen);
	/* Close and free. NULL is fine. */
	void (*close)(struct backend *b);
};

/* For the engines: wipe a secret (a password, a connection string that
 * holds one) and free it. NULL is fine. */
void backend_free_secret(char *s);

/* For the engines: fill err with prefix + msg on one line (msg's first line
 * only, or all its lines joined by "; "), each of the nsecrets secrets
 * (those of 3 bytes or more) replaced in msg by "***" before the truncation
 * to errlen, so that no part of one survives the cut. */
void backend_set_err(char *err, size_t errlen, const char *prefix, const char *msg,
		     int first_line, const char *const *secrets, size_t nsecrets);

/* The ops for a driver name, or NULL when this build does not know it. */
const struct backend_ops *backend_lookup(const char *driver);

extern const struct backend_ops backend_pgsql_ops;
extern const struct backend_ops backend_mysql_ops;
extern const struct backend_ops backend_sqlite_ops;
extern const struct backend_ops backend_http_ops;
extern const struct backend_ops backend_odbc_ops;
extern const struct backend_ops backend_exec_ops;

#endif
