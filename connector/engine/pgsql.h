/* pgsql.h: the PostgreSQL connection layer that the legacy backend
 * (backend/backend_pgsql.c) and the store (store/store_pgsql.c) share, over
 * libpq: connect with connect_timeout, set the session up, run a statement
 * with a deadline and collect its result, scrub messages of secrets, drop
 * and re-establish the connection.
 *
 * Every wait on the server is a poll() on the socket bounded by
 * query_timeout. We do not PQcancel() on a client-side timeout: in libpq 15
 * it connect()s with no timeout, so on a black-holed host it would block the
 * worker for minutes, the very case the timeout is for. The connection is
 * dropped instead and the owner's next call reconnects. */
#ifndef CUSTOMDB_ENGINE_PGSQL_H
#define CUSTOMDB_ENGINE_PGSQL_H

#include <stdbool.h>

#include <libpq-fe.h>

struct pq_link {
	PGconn *conn;              /* NULL while disconnected */
	unsigned long prepared;    /* the owner's: which of its statements are
				    * prepared on conn; cleared with conn */
	const char *app_name;      /* fallback_application_name */
	const char *setup;         /* SQL run on every new session, or NULL */
	char *connection;          /* conninfo or URI; may hold a password */
	char *password;            /* overrides the string's, or NULL */
	char *inline_password;     /* the string's own, kept to cut it out */
	int connect_timeout;       /* s; 0: libpq's default */
	int query_timeout;         /* s; 0: no bound */
	bool quiet;                /* drop the server's notices */
	char why[256];             /* the last failure, scrubbed of secrets */
};

/* What pq_link_run made of a statement. */
enum pq_rc {
	PQ_OK,        /* *res: its tuples or command status */
	PQ_FAILED,    /* *res: the server's error (or empty query) result */
	PQ_UNSENT,    /* libpq refused to send, the connection up; why says */
	PQ_TIMEOUT,   /* no answer within query_timeout: dropped */
	PQ_LOST,      /* the connection broke: dropped; why says */
	PQ_COPY,      /* the statement started a COPY: dropped */
};

/* How pq_link_run sends. */
enum pq_send {
	PQ_SIMPLE,    /* sql, one or more statements, no parameters */
	PQ_PARAMS,    /* sql with params, unprepared */
	PQ_PREPARE,   /* prepare sql as name */
	PQ_PREPARED,  /* run name, prepared before, with params */
};

/* Keep copies of connection and password (NULL: none) and check the string,
 * remembering the password it holds. 0, or -1 with *perr libpq's message
 * (release with pq_free_error; it may quote the string) or NULL when memory
 * ran out. */
int pq_link_init(struct pq_link *l, const char *connection, const char *password,
		 char **perr);

/* Close the connection and wipe and free what init kept. */
void pq_link_free(struct pq_link *l);

/* Close the connection (the owner's prepared statements go with it). */
void pq_link_drop(struct pq_link *l);

/* Is there a connection that libpq thinks is up? */
bool pq_link_up(const struct pq_link *l);

/* (Re)connect and run setup. 0; -1 cannot connect; -2 setup failed. On
 * failure nothing is kept and why says why. */
int pq_link_connect(struct pq_link *l);

/* Send and collect one statement (or, PQ_SIMPLE, several: the first result
 * is kept, or the first error), bounded by query_timeout. Returns an
 * enum pq_rc; with PQ_OK and PQ_FAILED the caller PQclear()s *res. */
int pq_link_run(struct pq_link *l, enum pq_send how, const char *name, const char *sql,
		int n, const char *const *params, PGresult **res);

/* prefix + msg (its first line, or all lines joined by "; ") into out, with
 * the link's passwords and the nsecrets extra secrets cut out. */
void pq_link_scrub(const struct pq_link *l, const char *prefix, const char *msg,
		   int first_line, const char *const *secrets, size_t nsecrets, char *out,
		   size_t outlen);

/* Does the server's error say "cannot serve now" (connection, resources,
 * shutdown, timeouts, rollback, lock) rather than "the statement is wrong"? */
bool pq_unavailable(const PGresult *res);

/* Wipe and free a message from pq_link_init. NULL is fine. */
void pq_free_error(char *perr);

#endif
