/* reload.h: the config the daemon answers with, and its replacement on
 * SIGHUP without dropping a request.
 *
 * Each config read is a generation: the config and a connector over it. On
 * SIGHUP a thread of its own (never the event loop) reads the file again
 * and builds a new connector with the checks of a start; when one fails
 * the reload is refused, logged with the reason, and the old generation
 * goes on answering. Else the new one becomes current at once: a request
 * already running finishes on the generation it began on, the next one a
 * worker takes runs on the new one (the worker moves its database session
 * over), and an old generation is freed when its last worker left it.
 * Settings bound at start (the socket, the state directory, the workers,
 * the mode, and what the host cache keeps) keep their old value, logged
 * as needing a restart. Once no request runs on the old generation, the
 * daemon's cache is flushed (its answers may come from changed queries)
 * and the service manager is told READY=1 again. */
#ifndef CUSTOMDB_RELOAD_H
#define CUSTOMDB_RELOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "connector.h"

struct generation;

/* The first generation: cfg and cn as main set them up. They stay main's,
 * and must outlive the server (the host cache and its preload use them). */
void gen_init(const char *path, struct config *cfg, struct connector *cn);

/* The current generation, held (never NULL after gen_init). */
struct generation *gen_hold(void);

/* Drop a hold; the generation is freed when it is no longer current and
 * nobody holds it. NULL is fine. */
void gen_release(struct generation *g);

/* The connector of a held generation. */
struct connector *gen_connector(struct generation *g);

/* One request begins on the current generation. *g is the caller's held
 * generation: when a reload made another one current, *g becomes that one
 * (held), and the old one is returned for the caller to release once it
 * closed its session on it; else NULL. gen_leave(*g) when the request is
 * done. */
struct generation *gen_enter(struct generation **g);
void gen_leave(struct generation *g);

/* Start the thread that reloads; 0, or -1 with a message in err. */
int reload_start(char *err, size_t errlen);

/* Ask for a reload (from the event loop: returns at once). A request made
 * while one runs is served after it. */
void reload_request(void);

/* Stop the thread (after the workers stopped) and free the current
 * generation unless it is main's. */
void reload_stop(void);

#endif
