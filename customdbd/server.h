/* server.h: the listening socket, the event loop that reads requests on it
 * and the pool of workers that answer them (its files and limits in
 * server_int.h and customdbd(8)). */
#ifndef CUSTOMDB_SERVER_H
#define CUSTOMDB_SERVER_H

#include "connector.h"

/* Bind the socket at cfg->socket_path (mode 0666, parent made if missing).
 * A stale socket is replaced; a socket another daemon answers on is not.
 * Returns the listening fd, or -1 with a message in err. */
int server_listen(const char *path, char *err, size_t errlen);

/* Serve on listen_fd: this thread runs the event loop, cfg->workers threads
 * each with its own database session answer, until SIGTERM or SIGINT; the
 * requests in hand are answered first. SIGHUP reloads the config given to
 * gen_init (reload.h), which must have been called. Returns 0 on a clean stop, -1 when
 * the loop could not be set up or failed. */
int server_run(int listen_fd, struct connector *cn);

#endif
