/* server.h: the listening socket and the pool of workers that answer on it. */
#ifndef CUSTOMDB_SERVER_H
#define CUSTOMDB_SERVER_H

#include "connector.h"

/* Bind the socket at cfg->socket_path (mode 0666, parent made if missing).
 * A stale socket is replaced; a socket another daemon answers on is not.
 * Returns the listening fd, or -1 with a message in err. */
int server_listen(const char *path, char *err, size_t errlen);

/* Serve on listen_fd with cfg->workers threads, each with its own database
 * session, until SIGTERM or SIGINT. Returns 0 on a clean stop. */
int server_run(int listen_fd, struct connector *cn);

#endif
