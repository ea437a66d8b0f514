/* io.h: framed messages over a Unix stream socket, with deadlines.
 *
 * Used by both sides. Every wait is bounded: a deadline is an absolute
 * CLOCK_MONOTONIC time in milliseconds (io_deadline()). Writes use
 * MSG_NOSIGNAL so a vanished peer never raises SIGPIPE. */
#ifndef CUSTOMDB_IO_H
#define CUSTOMDB_IO_H

#include <stddef.h>
#include <stdint.h>

/* Now + timeout_ms, on the monotonic clock. */
int64_t io_deadline(int timeout_ms);

/* Write all n bytes before the deadline. 0, or -1 with errno (ETIMEDOUT...). */
int io_write_all(int fd, const void *p, size_t n, int64_t deadline);

/* Read one framed message: its body is malloc'd into *body (the caller wipes
 * and frees it), its length into *len. 0, or -1 with errno: ETIMEDOUT,
 * EMSGSIZE (over CDB_MAX_MESSAGE), ECONNRESET (peer closed; with *len = 0
 * and errno 0 when it closed cleanly before a new message). */
int io_read_message(int fd, int64_t deadline, unsigned char **body, size_t *len);

/* Free a message body read by io_read_message, wiping it first. */
void io_free_message(unsigned char *body, size_t len);

#endif
