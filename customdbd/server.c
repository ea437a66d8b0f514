/* server.c: an event loop that reads whole requests, a pool that answers them.
 *
 * The main thread runs an epoll loop: it accepts (SO_PEERCRED), reads each
 * request without blocking and queues it for a worker only once it is
 * complete, so a client that stays silent costs a connection slot until its
 * read deadline, never a worker. A worker runs the request against its own
 * database session and sends the reply without blocking; a reply the client
 * does not take at once goes back to the loop, which writes the rest as the
 * client reads it, until a write deadline.
 *
 * The limits below keep one local user from taking what the others, and PAM
 * (which runs as root), need: connections per uid, and connections, queue
 * slots and one worker that only root callers may use. And they keep the
 * password checks (each costs what the stored hash makes it cost, up to the
 * ceilings) from taking every worker: one is always left for look-ups. Each
 * is documented in customdbd(8). */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "handlers.h"
#include "io.h"
#include "log.h"
#include "protocol.h"
#include "secret.h"
#include "stats.h"

/* From accept to the last byte of the request: a client sends its request
 * right after connecting, so this only ever cuts off a silent one. */
#define READ_DEADLINE_MS 500
/* From the worker's reply to its last byte read by the client; the clients
 * read at once (and give up after 5 s / 30 s themselves). */
#define WRITE_DEADLINE_MS 5000
/* The largest request (CDB_OP_CHPASS: four strings) is far below this. */
#define REQUEST_MAX (4u * (CDB_MAX_STRING + 4u) + 64u)
/* Connections open at once; the last CONNS_ROOT_RESERVE of them only for
 * root; and at most CONNS_PER_UID for any other uid. Lowered to fit when
 * RLIMIT_NOFILE cannot be raised to hold them. */
#define CONNS_MAX 4096
#define CONNS_ROOT_RESERVE 256
#define CONNS_PER_UID 64
/* Complete requests waiting for a worker, in four queues: root's and the
 * others', each for password checks and for the rest. */
#define QUEUE_ROOT_MAX 1024
#define QUEUE_OTHER_MAX 256
/* Descriptors kept beside the connections: database sessions, files. */
#define FDS_SPARE 64
#define FDS_PER_WORKER 8
/* Connections accepted in one turn of the loop before it reads the others. */
#define ACCEPT_BATCH 64
/* How often the loop writes the log's pending "suppressed" lines. */
#define LOG_FLUSH_MS 1000
/* The event loop's nice value (the workers keep the daemon's). */
#define LOOP_NICE -5
/* How long accepting pauses when the process is out of descriptors. */
#define ACCEPT_PAUSE_MS 100

enum policy { ANYONE, ROOT_ONLY };

/* What a request costs a worker: QUICK ones answer from the cache or one
 * query; HASHES ones verify a password hash (up to the ceilings of
 * customdb.conf(5): a second or more each), and may never hold every
 * worker at once. */
enum cost { QUICK, HASHES };

static const struct dispatch {
	uint16_t op;
	enum policy who;
	enum cost cost;
	handler_fn fn;
	const char *name;
} dispatch[] = {
	{ CDB_OP_GETPWNAM, ANYONE, QUICK, handle_getpwnam, "getpwnam" },
	{ CDB_OP_GETPWUID, ANYONE, QUICK, handle_getpwuid, "getpwuid" },
	{ CDB_OP_GETGRNAM, ANYONE, QUICK, handle_getgrnam, "getgrnam" },
	{ CDB_OP_GETGRGID, ANYONE, QUICK, handle_getgrgid, "getgrgid" },
	{ CDB_OP_INITGROUPS, ANYONE, QUICK, handle_initgroups, "initgroups" },
	{ CDB_OP_LIST_USERS, ANYONE, QUICK, handle_list_users, "getpwent" },
	{ CDB_OP_LIST_GROUPS, ANYONE, QUICK, handle_list_groups, "getgrent" },
	/* non-root callers are limited to themselves inside the handler */
	{ CDB_OP_AUTHENTICATE, ANYONE, HASHES, handle_authenticate, "authenticate" },
	{ CDB_OP_ACCOUNT, ANYONE, QUICK, handle_account, "account" },
	{ CDB_OP_CHPASS, ANYONE, HASHES, handle_chpass, "chpass" },
	{ CDB_OP_STATUS, ROOT_ONLY, QUICK, handle_status, "status" },
	{ CDB_OP_CACHE_FLUSH, ROOT_ONLY, QUICK, handle_cache_flush, "cache-flush" },
};

/* The entry of the request's opcode; NULL for another protocol version or
 * an unknown opcode (answered with an error, at QUICK cost). */
static const struct dispatch *dispatch_find(const unsigned char *body, size_t len)
{
	struct rbuf in;
	uint16_t op;
	size_t i;

	rbuf_init(&in, body, len);
	if (rbuf_begin(&in, &op) != 0)
		return NULL;
	for (i = 0; i < sizeof(dispatch) / sizeof(dispatch[0]); i++)
		if (dispatch[i].op == op)
			return &dispatch[i];
	return NULL;
}

/* One client connection. The loop owns it while it is READING or WRITING
 * (and then it sits in the timer list of that state); a worker owns it from
 * the moment it is queued until it hands it back or releases it. */
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

/* A FIFO of connections by deadline: every entry of a list was given the
 * same timeout when it entered, so the head is always the first to expire. */
struct timer_list {
	struct conn *head, *tail;
};

static void timer_add(struct timer_list *l, struct conn *c, int timeout_ms)
{
	c->deadline = io_deadline(timeout_ms);
	c->next = NULL;
	c->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
}

static void timer_remove(struct timer_list *l, struct conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
}

/* Who holds how many connections. Taken by the loop on accept and by whoever
 * releases a connection (the loop or a worker). */
#define UID_BUCKETS 256

struct uid_count {
	uid_t uid;
	int n;
	struct uid_count *next;
};

static struct {
	pthread_mutex_t lock;
	struct uid_count *bucket[UID_BUCKETS];
	int total;
	int max, root_reserve;       /* set by server_run from RLIMIT_NOFILE */
} conns = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* 0 when uid may open one more connection (then counted), -1 when not,
 * with *why set for the log. */
static int conns_admit(uid_t uid, const char **why)
{
	struct uid_count **b = &conns.bucket[uid % UID_BUCKETS], *u;
	int rc = -1;

	pthread_mutex_lock(&conns.lock);
	for (u = *b; u != NULL && u->uid != uid; u = u->next)
		;
	if (conns.total >= conns.max) {
		*why = "the daemon's connection limit is reached";
	} else if (uid != 0 && conns.total >= conns.max - conns.root_reserve) {
		*why = "the connections left are kept for root";
	} else if (uid != 0 && u != NULL && u->n >= CONNS_PER_UID) {
		*why = "this uid holds the most connections one uid may";
	} else {
		if (u == NULL) {
			u = calloc(1, sizeof(*u));
			if (u == NULL) {
				*why = "out of memory";
				goto out;
			}
			u->uid = uid;
			u->next = *b;
			*b = u;
		}
		u->n++;
		conns.total++;
		rc = 0;
	}
out:
	pthread_mutex_unlock(&conns.lock);
	return rc;
}

static void conns_leave(uid_t uid)
{
	struct uid_count **p = &conns.bucket[uid % UID_BUCKETS], *u;

	pthread_mutex_lock(&conns.lock);
	for (; (u = *p) != NULL; p = &u->next) {
		if (u->uid != uid)
			continue;
		if (--u->n == 0) {
			*p = u->next;
			free(u);
		}
		break;
	}
	conns.total--;
	pthread_mutex_unlock(&conns.lock);
}

static void conns_clear(void)
{
	struct uid_count *u, *next;
	size_t i;

	for (i = 0; i < UID_BUCKETS; i++) {
		for (u = conns.bucket[i]; u != NULL; u = next) {
			next = u->next;
			free(u);
		}
		conns.bucket[i] = NULL;
	}
	conns.total = 0;
}

/* Close a connection and forget it. Either side may call this on a
 * connection it owns. */
static void conn_release(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->body != NULL)
		secret_wipe(c->body, c->body_len);
	free(c->body);
	wbuf_free(&c->out);
	conns_leave(c->cred.uid);
	free(c);
}

/* Take n bytes of the request, in order: the length word, then the body
 * (allocated once the length is known). 1 when the request is complete,
 * 0 when more is to come, -1 on a bad length. */
static int conn_take(struct conn *c, const unsigned char *p, size_t n)
{
	uint32_t nlen;
	size_t k;

	while (n > 0) {
		if (c->got < sizeof(c->hdr)) {
			k = sizeof(c->hdr) - c->got < n ? sizeof(c->hdr) - c->got : n;
			memcpy(c->hdr + c->got, p, k);
		} else {
			k = c->body_len - (c->got - sizeof(c->hdr));
			if (k > n)
				k = n;
			memcpy(c->body + (c->got - sizeof(c->hdr)), p, k);
		}
		c->got += k;
		p += k;
		n -= k;
		if (c->got > sizeof(c->hdr) && c->got == sizeof(c->hdr) + c->body_len)
			return 1;   /* anything the client sent after it is ignored */
		if (c->got == sizeof(c->hdr)) {
			memcpy(&nlen, c->hdr, sizeof(nlen));
			nlen = ntohl(nlen);
			if (nlen < 4 || nlen > REQUEST_MAX) {
				log_msg(LOG_WARNING, "uid %lu pid %ld: request of %lu bytes refused",
					(unsigned long)c->cred.uid, (long)c->cred.pid,
					(unsigned long)nlen);
				return -1;
			}
			c->body = malloc(nlen);
			if (c->body == NULL)
				return -1;
			c->body_len = nlen;
		}
	}
	return 0;
}

/* Read what has arrived of the request. 1 when it is complete, 0 when more
 * is to come, -1 when the connection is to be closed (peer gone, bad length).
 * One recv() takes the length word and the body together (a request fits
 * in the buffer): one system call less per request on the loop's thread. */
static int conn_read(struct conn *c)
{
	unsigned char buf[REQUEST_MAX + 4];
	size_t want;
	ssize_t r;
	int done;

	for (;;) {
		want = c->got < sizeof(c->hdr) ? sizeof(buf) - c->got
					       : c->body_len - (c->got - sizeof(c->hdr));
		r = recv(c->fd, buf, want, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (r <= 0) {
			if (r < 0 || c->got > 0)
				log_msg(LOG_DEBUG, "pid %ld: request not read: %s", (long)c->cred.pid,
					r < 0 ? strerror(errno) : "closed before its end");
			return -1;
		}
		done = conn_take(c, buf, (size_t)r);
		secret_wipe(buf, (size_t)r);   /* a password, maybe */
		if (done != 0)
			return done;
	}
}

/* Send what is left of the reply. 1 when all is sent, 0 when the socket is
 * full, -1 when the peer is gone. */
static int conn_write(struct conn *c)
{
	ssize_t w;

	while (c->sent < c->out.len) {
		w = send(c->fd, c->out.data + c->sent, c->out.len - c->sent,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			c->sent += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;
	}
	return 1;
}

/* The bounded queues of complete requests, one per caller (root or not) and
 * cost. A worker takes the first request it may, in this order: root's quick
 * ones, root's password checks, the others' quick ones, the others' password
 * checks; and the caps keep one worker for root (at most other_max busy on
 * other callers' requests) and one for quick requests (at most hash_max busy
 * checking passwords). Both hold with three workers or more (a request of
 * another caller that checks a password needs a worker beyond both, at most
 * other_hash_max); with two, only root's; with one, neither. */
struct ring {
	struct conn **slot;
	size_t cap, head, count;
};

/* each caller's quick queue, then its password checks' (queue_push) */
enum { Q_ROOT_QUICK, Q_ROOT_HASHES, Q_OTHER_QUICK, Q_OTHER_HASHES, Q_COUNT };

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ring q[Q_COUNT];
	struct conn *root_quick[QUEUE_ROOT_MAX], *root_hashes[QUEUE_ROOT_MAX];
	struct conn *other_quick[QUEUE_OTHER_MAX], *other_hashes[QUEUE_OTHER_MAX];
	int other_busy, hash_busy, other_hash_busy;
	int other_max, hash_max, other_hash_max;
	bool stopping;
	struct conn *handed_back;    /* replies for the loop to finish writing */
	int wake_fd;                 /* eventfd: the loop reads handed_back */
} queue = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.q = {
		[Q_ROOT_QUICK] = { queue.root_quick, QUEUE_ROOT_MAX, 0, 0 },
		[Q_ROOT_HASHES] = { queue.root_hashes, QUEUE_ROOT_MAX, 0, 0 },
		[Q_OTHER_QUICK] = { queue.other_quick, QUEUE_OTHER_MAX, 0, 0 },
		[Q_OTHER_HASHES] = { queue.other_hashes, QUEUE_OTHER_MAX, 0, 0 },
	},
	.wake_fd = -1,
};

/* Set the caps for n workers. */
static void queue_caps(int n)
{
	queue.other_max = n > 1 ? n - 1 : 1;
	queue.hash_max = n > 2 ? n - 1 : n;
	queue.other_hash_max = n > 2 ? n - 2 : 1;
}

static bool is_other(const struct conn *c)
{
	return c->cred.uid != 0;
}

static bool hashes(const struct conn *c)
{
	return c->d != NULL && c->d->cost == HASHES;
}

static int ring_push(struct ring *r, struct conn *c)
{
	if (r->count == r->cap)
		return -1;
	r->slot[(r->head + r->count) % r->cap] = c;
	r->count++;
	return 0;
}

static struct conn *ring_pop(struct ring *r)
{
	struct conn *c = r->slot[r->head];

	r->head = (r->head + 1) % r->cap;
	r->count--;
	return c;
}

static int queue_push(struct conn *c)
{
	int rc;

	c->state = CONN_QUEUED;
	pthread_mutex_lock(&queue.lock);
	rc = ring_push(&queue.q[(is_other(c) ? Q_OTHER_QUICK : Q_ROOT_QUICK) + hashes(c)], c);
	pthread_mutex_unlock(&queue.lock);
	/* after the unlock: the woken worker does not then wait for the lock
	 * (c may be served and gone by now; it is not touched again) */
	if (rc == 0)
		pthread_cond_signal(&queue.cond);
	return rc;
}

/* Whether a worker may take a request of queue i now. */
static bool queue_may_take(int i)
{
	bool other = i == Q_OTHER_QUICK || i == Q_OTHER_HASHES;
	bool hash = i == Q_ROOT_HASHES || i == Q_OTHER_HASHES;

	return (!other || queue.other_busy < queue.other_max) &&
	       (!hash || queue.hash_busy < queue.hash_max) &&
	       (!other || !hash || queue.other_hash_busy < queue.other_hash_max);
}

static bool queue_empty(void)
{
	int i;

	for (i = 0; i < Q_COUNT; i++)
		if (queue.q[i].count > 0)
			return false;
	return true;
}

/* The next request for a worker, counted busy; NULL once stopping and
 * nothing is left. */
static struct conn *queue_pop(void)
{
	struct conn *c = NULL;
	int i;

	pthread_mutex_lock(&queue.lock);
	for (;;) {
		for (i = 0; i < Q_COUNT; i++)
			if (queue.q[i].count > 0 && queue_may_take(i))
				break;
		if (i < Q_COUNT) {
			c = ring_pop(&queue.q[i]);
			queue.other_busy += is_other(c);
			queue.hash_busy += hashes(c);
			queue.other_hash_busy += is_other(c) && hashes(c);
			break;
		}
		if (queue.stopping && queue_empty())
			break;
		pthread_cond_wait(&queue.cond, &queue.lock);
	}
	pthread_mutex_unlock(&queue.lock);
	return c;
}

/* A worker is done with a request of that caller and cost: hand_back is its
 * connection when the reply is not all written (NULL when it was released
 * already). */
static void queue_done(struct conn *hand_back, bool other, bool hash)
{
	bool wake = false;
	uint64_t one = 1;

	pthread_mutex_lock(&queue.lock);
	queue.other_busy -= other;
	queue.hash_busy -= hash;
	queue.other_hash_busy -= other && hash;
	if (other || hash) {
		/* when stopping, the workers waiting for this slot may now exit */
		if (queue.stopping)
			pthread_cond_broadcast(&queue.cond);
		else if (!queue_empty())
			pthread_cond_signal(&queue.cond);
	}
	if (hand_back != NULL) {
		wake = queue.handed_back == NULL;
		hand_back->handed_back = queue.handed_back;
		queue.handed_back = hand_back;
	}
	pthread_mutex_unlock(&queue.lock);
	if (wake && write(queue.wake_fd, &one, sizeof(one)) < 0)
		log_msg(LOG_ERR, "eventfd: %s", strerror(errno));
}

static struct conn *queue_take_handed_back(void)
{
	struct conn *c;

	pthread_mutex_lock(&queue.lock);
	c = queue.handed_back;
	queue.handed_back = NULL;
	pthread_mutex_unlock(&queue.lock);
	return c;
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Run c's request and put the whole reply in c->out. */
static void serve_one(struct session *s, struct conn *c)
{
	struct request rq = { .session = s, .cfg = s->conn->cfg, .peer_pid = c->cred.pid,
			      .peer_uid = c->cred.uid, .peer_gid = c->cred.gid };
	const char *opname = NULL;  /* of a known opcode, for the counters */
	struct rbuf in;
	const struct dispatch *d = c->d;
	uint16_t op;
	int st = -1;

	rbuf_init(&in, c->body, c->body_len);
	if (rbuf_begin(&in, &op) != 0) {
		log_msg(LOG_WARNING, "pid %ld: request of another protocol version", (long)c->cred.pid);
		wbuf_begin(&c->out, CDB_STATUS_ERROR);
		goto reply;
	}
	if (d == NULL) {
		log_msg(LOG_WARNING, "pid %ld: unknown opcode %u", (long)c->cred.pid, op);
		wbuf_begin(&c->out, CDB_STATUS_ERROR);
		goto reply;
	}
	opname = d->name;
	snprintf(rq.what, sizeof(rq.what), "%s", d->name);
	if (d->who == ROOT_ONLY && c->cred.uid != 0) {
		st = CDB_STATUS_DENIED;
		wbuf_begin(&c->out, CDB_STATUS_DENIED);
		goto reply;
	}
	st = d->fn(&rq, &in, &c->out);
	if (st < 0) {
		log_msg(LOG_WARNING, "pid %ld: malformed %s request", (long)c->cred.pid,
			d->name);
		wbuf_begin(&c->out, CDB_STATUS_ERROR);
	}
reply:
	stats_served(opname != NULL ? op : 0, opname, st);
	if (wbuf_end(&c->out) != 0) {
		wbuf_begin(&c->out, CDB_STATUS_ERROR);
		wbuf_end(&c->out);
	}
	log_msg(LOG_DEBUG, "uid %lu pid %ld: %s -> %s (%.2f ms)", (unsigned long)c->cred.uid,
		(long)c->cred.pid, rq.what, st >= 0 ? cdb_status_name(st) : "error",
		elapsed_ms(&c->t0));
}

static void *worker(void *arg)
{
	struct session s;
	struct conn *c;
	bool other, hash;
	int w;

	session_init(&s, arg);
	while ((c = queue_pop()) != NULL) {
		other = is_other(c);
		hash = hashes(c);
		serve_one(&s, c);
		secret_wipe(c->body, c->body_len);
		free(c->body);
		c->body = NULL;
		w = conn_write(c);
		if (w != 0) {
			conn_release(c);
			c = NULL;
		} else {
			c->state = CONN_WRITING;
		}
		queue_done(c, other, hash);
	}
	session_close(&s);
	return NULL;
}
int server_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];
	struct stat st;
	char *slash;
	int fd, probe;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
			return -1;
		}
	}
	/* Someone answering there? Then we are the second daemon: refuse. */
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0) {
		if (connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			snprintf(err, errlen, "another customdbd is answering on %s", path);
			return -1;
		}
		close(probe);
	}
	/* A stale socket is replaced; anything else at that path is not ours. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket; not replacing it", path);
			return -1;
		}
		if (unlink(path) != 0) {
			snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
			return -1;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(path, 0666) != 0 ||
	    listen(fd, SOMAXCONN) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}


/* What an epoll event is about, besides a connection. */
static char ev_listen, ev_signal, ev_wake;

struct loop {
	int ep, listen_fd, sfd;
	struct timer_list reading, writing;
	int64_t accept_paused_until;   /* 0 when accepting */
	int64_t next_log_flush;        /* when to look at the log's counts next */
};

static int loop_arm(struct loop *lp, struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events | EPOLLONESHOT, .data.ptr = c };

	if (epoll_ctl(lp->ep, c->in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		log_msg(LOG_ERR, "epoll_ctl: %s", strerror(errno));
		return -1;
	}
	c->in_epoll = true;
	return 0;
}

/* c's request is complete: give it to the workers. */
static void loop_queue(struct conn *c)
{
	if (queue_push(c) == 0)
		return;
	log_msg(LOG_WARNING, "uid %lu pid %ld: every worker busy and the queue full; "
		"dropping a request", (unsigned long)c->cred.uid, (long)c->cred.pid);
	conn_release(c);
}

/* Read what c has sent; queue it once whole, else wait for more. */
static void loop_read(struct loop *lp, struct conn *c)
{
	int r = conn_read(c);

	if (r == 0 && loop_arm(lp, c, EPOLLIN) == 0)
		return;
	timer_remove(&lp->reading, c);
	if (r > 0) {
		c->d = dispatch_find(c->body, c->body_len);
		loop_queue(c);
	}
	else
		conn_release(c);
}

static void loop_write(struct loop *lp, struct conn *c)
{
	int w = conn_write(c);

	if (w == 0 && loop_arm(lp, c, EPOLLOUT) == 0)
		return;
	timer_remove(&lp->writing, c);
	conn_release(c);
}

static void loop_accept(struct loop *lp)
{
	struct conn *c;
	struct ucred cred;
	socklen_t clen;
	const char *why;
	int fd, n;

	for (n = 0; n < ACCEPT_BATCH; n++) {
		fd = accept4(lp->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				log_msg(LOG_ERR, "accept: %s; pausing for %d ms", strerror(errno),
					ACCEPT_PAUSE_MS);
				epoll_ctl(lp->ep, EPOLL_CTL_DEL, lp->listen_fd, NULL);
				lp->accept_paused_until = io_deadline(ACCEPT_PAUSE_MS);
			}
			return;
		}
		clen = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0) {
			close(fd);
			continue;
		}
		if (conns_admit(cred.uid, &why) != 0) {
			log_msg(LOG_WARNING, "uid %lu pid %ld: connection refused: %s",
				(unsigned long)cred.uid, (long)cred.pid, why);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			conns_leave(cred.uid);
			continue;
		}
		c->fd = fd;
		c->cred = cred;
		c->state = CONN_READING;
		wbuf_init(&c->out);
		clock_gettime(CLOCK_MONOTONIC, &c->t0);
		timer_add(&lp->reading, c, READ_DEADLINE_MS);
		/* The request is usually there already: no epoll round for it. */
		loop_read(lp, c);
	}
}

/* Replies the workers could not finish: the loop writes the rest. */
static void loop_take_handed_back(struct loop *lp)
{
	struct conn *c, *next;
	uint64_t n;

	if (read(queue.wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_msg(LOG_ERR, "eventfd: %s", strerror(errno));
	for (c = queue_take_handed_back(); c != NULL; c = next) {
		next = c->handed_back;
		timer_add(&lp->writing, c, WRITE_DEADLINE_MS);
		if (loop_arm(lp, c, EPOLLOUT) != 0) {
			timer_remove(&lp->writing, c);
			conn_release(c);
		}
	}
}

/* Close what has passed its deadline; the milliseconds until the next one
 * (-1: none). */
static int loop_expire(struct loop *lp)
{
	int64_t now = io_deadline(0), next = INT64_MAX;
	struct timer_list *lists[2] = { &lp->reading, &lp->writing };
	struct conn *c;
	size_t i;

	for (i = 0; i < 2; i++) {
		while ((c = lists[i]->head) != NULL && c->deadline <= now) {
			log_msg(LOG_DEBUG, "uid %lu pid %ld: %s deadline passed; closing",
				(unsigned long)c->cred.uid, (long)c->cred.pid,
				c->state == CONN_READING ? "read" : "write");
			timer_remove(lists[i], c);
			conn_release(c);
		}
		if (c != NULL && c->deadline < next)
			next = c->deadline;
	}
	if (lp->accept_paused_until != 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &ev_listen };

		if (lp->accept_paused_until <= now) {
			if (epoll_ctl(lp->ep, EPOLL_CTL_ADD, lp->listen_fd, &ev) == 0)
				lp->accept_paused_until = 0;
		} else if (lp->accept_paused_until < next) {
			next = lp->accept_paused_until;
		}
	}
	/* the log's suppressed counts, looked at once a second while any wait */
	if (log_suppressed_pending()) {
		if (now >= lp->next_log_flush) {
			log_flush_suppressed();
			lp->next_log_flush = now + LOG_FLUSH_MS;
		}
		if (lp->next_log_flush < next)
			next = lp->next_log_flush;
	}
	return next == INT64_MAX ? -1 : (int)(next - now);
}

/* Fit the connection limits to the descriptors this process may hold. */
static void limits_init(int nworkers)
{
	long want = CONNS_MAX + FDS_SPARE + (long)nworkers * FDS_PER_WORKER, have;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (rlim_t)want ?
			(rlim_t)want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	have = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ?
		(long)rl.rlim_cur : want;
	conns.max = CONNS_MAX;
	if (have - FDS_SPARE - (long)nworkers * FDS_PER_WORKER < conns.max)
		conns.max = (int)(have - FDS_SPARE - (long)nworkers * FDS_PER_WORKER);
	if (conns.max < 16)
		conns.max = 16;
	conns.root_reserve = conns.max / 16 < CONNS_ROOT_RESERVE ? conns.max / 16 :
		CONNS_ROOT_RESERVE;
	if (conns.root_reserve < 4)
		conns.root_reserve = 4;
	if (conns.max < CONNS_MAX)
		log_msg(LOG_WARNING, "RLIMIT_NOFILE allows %ld descriptors: at most %d "
			"connections (%d kept for root)", have, conns.max, conns.root_reserve);
}

static int loop_add(struct loop *lp, int fd, void *what)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = what };

	return epoll_ctl(lp->ep, EPOLL_CTL_ADD, fd, &ev);
}

/* Until a stop signal: 0 on a clean stop, -1 on an error of the loop. */
static int loop_run(struct loop *lp)
{
	struct epoll_event ev[64];
	struct signalfd_siginfo si;
	int n, i, timeout;

	for (;;) {
		timeout = loop_expire(lp);
		n = epoll_wait(lp->ep, ev, (int)(sizeof(ev) / sizeof(ev[0])), timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "epoll_wait: %s", strerror(errno));
			return -1;
		}
		for (i = 0; i < n; i++) {
			void *what = ev[i].data.ptr;
			struct conn *c = what;

			if (what == &ev_signal) {
				if (read(lp->sfd, &si, sizeof(si)) == sizeof(si) &&
				    si.ssi_signo == SIGHUP) {
					log_msg(LOG_INFO, "SIGHUP: restart the daemon to reload its "
						"config");
					continue;
				}
				log_msg(LOG_INFO, "stopping");
				return 0;
			} else if (what == &ev_listen) {
				loop_accept(lp);
			} else if (what == &ev_wake) {
				loop_take_handed_back(lp);
			} else if (c->state == CONN_READING) {
				loop_read(lp, c);
			} else {
				loop_write(lp, c);
			}
		}
	}
}

/* Close every connection the loop still holds (after the workers stopped). */
static void loop_close_all(struct loop *lp)
{
	struct timer_list *lists[2] = { &lp->reading, &lp->writing };
	struct conn *c, *next;
	size_t i;

	for (i = 0; i < 2; i++)
		while ((c = lists[i]->head) != NULL) {
			timer_remove(lists[i], c);
			conn_release(c);
		}
	for (c = queue_take_handed_back(); c != NULL; c = next) {
		next = c->handed_back;
		conn_release(c);
	}
	conns_clear();
}

int server_run(int listen_fd, struct connector *cn)
{
	int nworkers = cn->cfg->workers, started = 0, i, rc = -1;
	struct loop lp = { .ep = -1, .listen_fd = listen_fd, .sfd = -1 };
	pthread_t *tids = NULL;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);  /* workers inherit the mask */
	signal(SIGPIPE, SIG_IGN);
	limits_init(nworkers);
	lp.sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	lp.ep = epoll_create1(EPOLL_CLOEXEC);
	queue.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (lp.sfd < 0 || lp.ep < 0 || queue.wake_fd < 0 ||
	    loop_add(&lp, listen_fd, &ev_listen) != 0 || loop_add(&lp, lp.sfd, &ev_signal) != 0 ||
	    loop_add(&lp, queue.wake_fd, &ev_wake) != 0) {
		log_msg(LOG_ERR, "cannot set up the event loop: %s", strerror(errno));
		goto out;
	}
	tids = calloc((size_t)nworkers, sizeof(*tids));
	if (tids == NULL)
		goto out;
	for (i = 0; i < nworkers; i++) {
		if (pthread_create(&tids[i], NULL, worker, cn) != 0) {
			log_msg(LOG_ERR, "cannot start worker %d: %s", i, strerror(errno));
			break;
		}
		started++;
	}
	queue_caps(started);
	/* Every request passes through this thread, twice: it must not wait for
	 * a time slice behind workers that hash passwords (set after they were
	 * started, which inherit a thread's nice value). */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), LOOP_NICE) != 0)
		log_msg(LOG_DEBUG, "setpriority: %s", strerror(errno));
	stats_start();
	log_msg(LOG_INFO, "ready: %d workers, mode %s, legacy driver %s", started,
		config_mode_name(cn->cfg->mode), cn->cfg->driver != NULL ? cn->cfg->driver : "none");
	rc = loop_run(&lp);
	pthread_mutex_lock(&queue.lock);
	queue.stopping = true;
	pthread_cond_broadcast(&queue.cond);
	pthread_mutex_unlock(&queue.lock);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	loop_close_all(&lp);
	log_flush_suppressed();
out:
	free(tids);
	if (queue.wake_fd >= 0)
		close(queue.wake_fd);
	if (lp.ep >= 0)
		close(lp.ep);
	if (lp.sfd >= 0)
		close(lp.sfd);
	return rc;
}
