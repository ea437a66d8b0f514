/* pq_shared.h: what the two users of libpq (the legacy backend,
 * backend_pgsql.c, and the store, store_pgsql.c) share. */
#ifndef CUSTOMDB_PQ_SHARED_H
#define CUSTOMDB_PQ_SHARED_H

#include <libpq-fe.h>

/* Now, on the monotonic clock, in milliseconds. */
long long pq_now_ms(void);

/* Wait until a result can be read without blocking. 0 ready, 1 the deadline
 * (pq_now_ms() time; 0 means no bound) passed, -1 connection broken. */
int pq_wait(PGconn *conn, long long deadline);

/* Parse a libpq connection string and copy the password it holds, if any,
 * into *password (malloc'd; NULL when none). 0, or -1 with *perr set to
 * libpq's message (release with pq_free_error; it may quote the string, and
 * so the password) or NULL when memory ran out. */
int pq_connection_password(const char *connection, char **password, char **perr);

/* Wipe and free a message from pq_connection_password. NULL is fine. */
void pq_free_error(char *perr);

#endif
