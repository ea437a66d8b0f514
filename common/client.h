/* client.h: the modules' side of the socket.
 *
 * Before talking, the client checks that the socket file and the process
 * answering on it belong to root (or to the client's own effective uid, which
 * can only fool itself), and that the answering process is not this very
 * process: a daemon must never resolve through its own module. */
#ifndef CUSTOMDB_CLIENT_H
#define CUSTOMDB_CLIENT_H

#include <stdatomic.h>
#include <stddef.h>

#include "wire.h"

/* Compiled-in bounds on waiting for the daemon (DESIGN.md). */
#define CDB_NSS_TIMEOUT_MS 5000
#define CDB_PAM_TIMEOUT_MS 30000
/* The most cdb_call_spin polls for a reply before it blocks. A look-up the
 * daemon answers takes ~23 us of CPU in all but ~70 us when both sides
 * block and wait for their idle vCPUs to wake (2-vCPU VM with halt polling
 * off): polling saves the client's wake-up, ~25 us (bench/load.sh, turns). */
#define CDB_REPLY_SPIN_MAX_US 100

/* Send the finished request `req` to the daemon at `path` and read its reply.
 * On success returns 0, sets *status, points *fields at the reply's fields,
 * and gives the reply body in *reply and *len, which the caller releases with
 * io_free_message once it is done with *fields. Returns -1 with errno when
 * the daemon is absent (ENOENT, ECONNREFUSED), not trusted (EPERM), or too
 * slow (ETIMEDOUT). */
int cdb_call(const char *path, const struct wbuf *req, int timeout_ms,
	     int *status, struct rbuf *fields, unsigned char **reply, size_t *len);

/* cdb_call, but polling for the reply for up to *spin_us microseconds
 * before blocking, then fitting *spin_us to how long the reply took
 * (io_spin_next, at most CDB_REPLY_SPIN_MAX_US). For callers that make many
 * quick calls and wait for each (the NSS module); *spin_us is shared by
 * the caller's threads. */
int cdb_call_spin(const char *path, const struct wbuf *req, int timeout_ms,
		  atomic_int *spin_us, int *status, struct rbuf *fields,
		  unsigned char **reply, size_t *len);

#endif
