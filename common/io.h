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

/* Now on the monotonic clock, in microseconds: a vDSO call, no system
 * call, cheap enough to poll on. */
int64_t io_now_us(void);

/* Write all n bytes before the deadline. 0, or -1 with errno (ETIMEDOUT...). */
int io_write_all(int fd, const void *p, size_t n, int64_t deadline);

/* Read one framed message: its body is malloc'd into *body (the caller wipes
 * and frees it), its length into *len. 0, or -1 with errno: ETIMEDOUT,
 * EMSGSIZE (over CDB_MAX_MESSAGE), ECONNRESET (peer closed; with *len = 0
 * and errno 0 when it closed cleanly before a new message). */
int io_read_message(int fd, int64_t deadline, unsigned char **body, size_t *len);

/* io_read_message, but first poll fd without blocking for up to spin_us
 * microseconds before blocking in poll(); *waited_us (unless NULL) gets how
 * long the message took to start arriving. A process that blocks wakes
 * only once its CPU has woken from idle (20-25 us on a virtual machine
 * that halts idle vCPUs), often later than a quick reply came: the NSS
 * module spins (nss_client.c), with io_spin_next choosing the window. */
int io_read_reply(int fd, int64_t deadline, int spin_us, int64_t *waited_us,
		  unsigned char **body, size_t *len);

/* The next spin window after an event that came waited_us after the wait
 * began: wide enough to catch one as quick (and a quarter more), at most
 * cap_us; halved when it took longer than cap_us, so that a slow peer soon
 * costs no spinning at all. A pure function: the callers keep the window. */
int io_spin_next(int window_us, int64_t waited_us, int cap_us);

/* Free a message body read by io_read_message, wiping it first. */
void io_free_message(unsigned char *body, size_t len);

#endif
