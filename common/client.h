/* client.h: the modules' side of the socket.
 *
 * Before talking, the client checks that the socket file and the process
 * answering on it belong to root (or to the client's own effective uid, which
 * can only fool itself), and that the answering process is not this very
 * process: a daemon must never resolve through its own module. */
#ifndef CUSTOMDB_CLIENT_H
#define CUSTOMDB_CLIENT_H

#include <stddef.h>

#include "wire.h"

/* Compiled-in bounds on waiting for the daemon (DESIGN.md). */
#define CDB_NSS_TIMEOUT_MS 5000
#define CDB_PAM_TIMEOUT_MS 30000

/* Send the finished request `req` to the daemon at `path` and read its reply.
 * On success returns 0, sets *status, points *fields at the reply's fields,
 * and gives the reply body in *reply and *len, which the caller releases with
 * io_free_message once it is done with *fields. Returns -1 with errno when
 * the daemon is absent (ENOENT, ECONNREFUSED), not trusted (EPERM), or too
 * slow (ETIMEDOUT). */
int cdb_call(const char *path, const struct wbuf *req, int timeout_ms,
	     int *status, struct rbuf *fields, unsigned char **reply, size_t *len);

#endif
