/* sqlite.h: the SQLite connection layer that the legacy backend
 * (backend/backend_sqlite.c) and the store (store/store_sqlite.c) share:
 * open a file read-only or read-write with a busy timeout, close it with its
 * statements, and the words for a failure. */
#ifndef CUSTOMDB_ENGINE_SQLITE_H
#define CUSTOMDB_ENGINE_SQLITE_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

/* Open the database file at path with flags (SQLITE_OPEN_READONLY or
 * SQLITE_OPEN_READWRITE, and others; SQLITE_OPEN_NOMUTEX is added: one
 * connection a thread), extended result codes on, lock waits bounded by
 * busy_ms (0: no wait). SQLITE_OK, or an SQLite code with *db NULL and
 * SQLite's message in msg. */
int sq_open(const char *path, int flags, int busy_ms, sqlite3 **db, char *msg, size_t msglen);

/* Finalize the n statements (NULLs are fine), close *db and set it NULL. */
void sq_close(sqlite3 **db, sqlite3_stmt **stmts, size_t n);

/* What went wrong, for a message: a lock held past the busy timeout is
 * said so; otherwise SQLite's message. */
const char *sq_errmsg(sqlite3 *db, int code);

/* Does code say "the database cannot serve now" (locks, interrupts, memory,
 * I/O, a full disk, a file it cannot open) rather than "the statement is
 * wrong"? */
bool sq_unavailable(int code);

#endif
