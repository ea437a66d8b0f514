/* server_int.h: what the server's files share (server.h is what the rest of
 * the daemon sees).
 *
 *   server.c           the listening socket and the epoll loop: accept,
 *                      read whole requests, finish replies, deadlines;
 *                      run by one worker at a time, the leader
 *   server_conn.c      one connection: read its request, write its reply
 *   server_limits.c    connections per uid, fitted to RLIMIT_NOFILE
 *   server_queue.c     the queues of complete requests, their fairness
 *                      caps, and the workers that take from them and take
 *                      turns to lead the loop
 *   server_dispatch.c  the dispatch table: each opcode's handler, who may
 *                      call it and what it costs
 *
 * The limits below keep one local user from taking what the others, and PAM
 * (which runs as root), need: connections per uid, and connections, queue
 * slots and one worker that only root callers may use. And they keep the
 * password checks (each costs what the stored hash makes it cost, up to the
 * ceilings) from taking every worker: one is always left for look-ups. Each
 * is documented in customdbd(8). */
#ifndef CUSTOMDB_SERVER_INT_H
#define CUSTOMDB_SERVER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "protocol.h"
#include "wire.h"

/* The largest request (CDB_OP_CHPASS: four strings) is far below this. */
#define REQUEST_MAX (4u * (CDB_MAX_STRING + 4u) + 64u)

/* What a request costs a worker: QUICK ones answer from the cache or one
 * query; HASHES ones verify a password hash (up to the ceilings of
 * customdb.conf(5): a second or more each), and may never hold every
 * worker at once. */
enum cost { QUICK, HASHES };

struct dispatch;

/* One client connection. The loop (whichever worker leads it) owns it while
 * it is READING or WRITING (and then it sits in the timer list of that
 * state); a worker owns it from the moment it is queued until it hands it
 * back or releases it. */
enum conn_state { CONN_READING, CONN_QUEUED, CONN_WRITING };

struct conn {
	int fd;
	enum conn_state state;
	bool in_epoll;
	struct ucred cred;
	int64_t deadline;            /* io_deadline() time; in a timer list */
	struct conn *prev, *next;    /* the timer list of its state */
	struct conn *handed_back;    /* the workers' list of replies left to write */
	unsigned char hdr[4];        /* the request's length word */
	size_t got;                  /* bytes of length word and body read */
	unsigned char *body;         /* the request (may hold a password) */
	size_t body_len;
	const struct dispatch *d;    /* its opcode's entry, once complete */
	struct wbuf out;             /* the reply */
	size_t sent;
	struct timespec t0;          /* accepted, for the debug line */
};

/* --- server_conn.c ---------------------------------------------------------- */

/* Close a connection and forget it (its uid's count included). Either side
 * may call this on a connection it owns. */
void conn_release(struct conn *c);

/* Read what has arrived of the request. 1 when it is complete, 0 when more
 * is to come, -1 when the connection is to be closed (peer gone, bad length). */
int conn_read(struct conn *c);

/* Send what is left of the reply. 1 when all is sent, 0 when the socket is
 * full, -1 when the peer is gone. */
int conn_write(struct conn *c);

/* --- server_limits.c -------------------------------------------------------- */

/* Fit the connection limits to the descriptors this process may hold. */
void limits_init(int nworkers);

/* 0 when uid may open one more connection (then counted), -1 when not,
 * with *why set for the log. */
int conns_admit(uid_t uid, const char **why);

/* A connection of uid is gone. */
void conns_leave(uid_t uid);

/* Forget every count (after the last connection was released). */
void conns_clear(void);

/* --- server_dispatch.c ------------------------------------------------------ */

/* The entry of the request's opcode; NULL for another protocol version or
 * an unknown opcode (answered with an error, at QUICK cost). */
const struct dispatch *dispatch_find(const unsigned char *body, size_t len);

/* What the request costs (QUICK for a NULL entry). */
enum cost dispatch_cost(const struct dispatch *d);

struct session;

/* Run c's request against session s and put the whole reply in c->out. */
void serve_one(struct session *s, struct conn *c);

/* --- server.c --------------------------------------------------------------- */

/* Lead the event loop (a worker, when no other does): until a request this
 * worker may serve is read, which it returns taken from the queues
 * (queue_resign: the lead passed on), or NULL when the daemon stops. */
struct conn *loop_lead(void);

/* --- server_queue.c --------------------------------------------------------- */

/* Set up the queues: the eventfd the loop watches for replies handed back
 * (its fd, or -1 with errno). */
int queue_open(void);

/* Start nworkers workers (on the current config generation, reload.h),
 * which start leading the loop, and set the caps for those that started:
 * how many did; -1 when out of memory. */
int workers_start(int nworkers);

/* Join the workers, once queue_stop was called and what was queued is
 * answered. */
void workers_join(void);

/* Close the eventfd. */
void queue_close(void);

/* Give c's complete request to the workers: 0, or -1 when its queue is full
 * (c is then still the caller's). Wakes no worker (queue_resign does). */
int queue_push(struct conn *c);

/* For the leader, after each turn of the loop: a request it may serve,
 * taken from the queues, when there is one; it then no longer leads, and
 * followers are woken to lead and to take the rest. NULL: it leads on. */
struct conn *queue_resign(void);

/* Password checks being run (read without the lock: a hint). */
int queue_hashing(void);

/* The daemon stops: no one leads from now on; the workers answer what is
 * queued, then return. */
void queue_stop(void);

/* Replies the workers could not finish, as a list through c->handed_back
 * (after the eventfd was read). */
struct conn *queue_take_handed_back(void);

/* Read the eventfd the workers wake the loop with. */
void queue_ack_wake(void);

#endif
