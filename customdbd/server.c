/* server.c: the listening socket, and the event loop that reads whole
 * requests for the workers (server_queue.c) and finishes their replies.
 *
 * The loop, run by one worker at a time (the leader, server_queue.c),
 * accepts (SO_PEERCRED), reads each request without blocking and queues it
 * only once it is complete, so a client that stays silent costs a
 * connection slot until its read deadline, never a worker. Once the leader
 * has a request it may serve, it passes the lead on and runs the request
 * against its own database session, and sends the reply without blocking;
 * a reply the client does not take at once goes back to the loop, which
 * writes the rest as the client reads it, until a write deadline. The
 * other files of the server are listed in server_int.h. */
#include "server.h"
#include "server_int.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "reload.h"
#include "stats.h"

/* From accept to the last byte of the request: a client sends its request
 * right after connecting, so this only ever cuts off a silent one. */
#define READ_DEADLINE_MS 500
/* From the worker's reply to its last byte read by the client; the clients
 * read at once (and give up after 5 s / 30 s themselves). */
#define WRITE_DEADLINE_MS 5000
/* Connections accepted in one turn of the loop before it reads the others. */
#define ACCEPT_BATCH 64
/* How often the loop writes the log's pending "suppressed" lines. */
#define LOG_FLUSH_MS 1000
/* The most the leader polls for events before it blocks in epoll_wait.
 * A blocked thread wakes only once its idle vCPU has (20-25 us on a VM that
 * halts idle vCPUs): one look-up that the daemon answers cost ~70 us above
 * the files floor when both sides blocked, ~23 us with both on one CPU
 * (bench/load.sh, turns). The window adapts (io_spin_next): it closes at
 * low request rates, so an idle daemon does not spin. */
#define LEAD_SPIN_MAX_US 50
/* How long accepting pauses when the process is out of descriptors. */
#define ACCEPT_PAUSE_MS 100

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

/* The loop's state: touched only by the worker that leads it (and by
 * server_run before the workers start and after they were joined). */
struct loop {
	int ep, listen_fd, sfd;
	struct timer_list reading, writing;
	int64_t accept_paused_until;   /* 0 when accepting */
	int64_t next_log_flush;        /* when to look at the log's counts next */
	int spin_us;                   /* how long to poll before blocking */
	bool failed;                   /* epoll_wait failed: the daemon stops */
};

static struct loop loop = { .ep = -1, .listen_fd = -1, .sfd = -1 };

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

	queue_ack_wake();
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


static int loop_add(struct loop *lp, int fd, void *what)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = what };

	return epoll_ctl(lp->ep, EPOLL_CTL_ADD, fd, &ev);
}

/* epoll_wait, polling first for up to lp->spin_us, then fitting the window
 * to how soon events came. Between polls the leader yields the CPU, to a
 * worker serving a request on it first: the leader polls on while the
 * request it passed on is served, so that its vCPU is still awake when the
 * client's next request comes (bench/load.sh turns, same run, load average
 * 4-5: 23-31 us above the floor, against 27-34 when the leader only polled
 * while no request was in hand). Not while passwords are checked: the CPUs
 * are busy then, and the polls would only take time from the hashing. */
static int loop_wait(struct loop *lp, struct epoll_event *ev, int max, int timeout)
{
	int64_t t0 = 0;
	int n = 0;

	if (lp->spin_us > 0 && timeout != 0) {
		t0 = io_now_us();
		while ((n = epoll_wait(lp->ep, ev, max, 0)) == 0 && queue_hashing() == 0 &&
		       io_now_us() - t0 < lp->spin_us)
			sched_yield();
	}
	if (n == 0) {
		if (t0 == 0)
			t0 = io_now_us();
		n = epoll_wait(lp->ep, ev, max, timeout);
	}
	if (n >= 0)
		lp->spin_us = io_spin_next(lp->spin_us, n > 0 ? io_now_us() - t0 : INT64_MAX,
					   LEAD_SPIN_MAX_US);
	return n;
}

/* Stop the daemon from the loop. */
static struct conn *loop_stop(struct loop *lp, bool failed)
{
	lp->failed = failed;
	queue_stop();
	return NULL;
}

struct conn *loop_lead(void)
{
	struct loop *lp = &loop;
	struct epoll_event ev[64];
	struct signalfd_siginfo si;
	struct conn *mine;
	int n, i, timeout;

	for (;;) {
		timeout = loop_expire(lp);
		n = loop_wait(lp, ev, (int)(sizeof(ev) / sizeof(ev[0])), timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "epoll_wait: %s", strerror(errno));
			return loop_stop(lp, true);
		}
		for (i = 0; i < n; i++) {
			void *what = ev[i].data.ptr;
			struct conn *c = what;

			if (what == &ev_signal) {
				if (read(lp->sfd, &si, sizeof(si)) == sizeof(si) &&
				    si.ssi_signo == SIGHUP) {
					reload_request();
					continue;
				}
				log_msg(LOG_INFO, "stopping");
				return loop_stop(lp, false);
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
		mine = queue_resign();
		if (mine != NULL)
			return mine;
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
	int nworkers = cn->cfg->workers, started, wake_fd, rc = -1;
	char err[256];
	struct loop *lp = &loop;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);  /* workers inherit the mask */
	signal(SIGPIPE, SIG_IGN);
	limits_init(nworkers);
	lp->listen_fd = listen_fd;
	lp->sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	lp->ep = epoll_create1(EPOLL_CLOEXEC);
	wake_fd = queue_open();
	if (lp->sfd < 0 || lp->ep < 0 || wake_fd < 0 ||
	    loop_add(lp, listen_fd, &ev_listen) != 0 || loop_add(lp, lp->sfd, &ev_signal) != 0 ||
	    loop_add(lp, wake_fd, &ev_wake) != 0) {
		log_msg(LOG_ERR, "cannot set up the event loop: %s", strerror(errno));
		goto out;
	}
	stats_start();
	/* from here on, the loop is the workers' (loop_lead) until they are
	 * joined */
	started = workers_start(nworkers);
	if (started <= 0) {
		log_msg(LOG_ERR, "no worker started");
		goto out;
	}
	if (reload_start(err, sizeof(err)) != 0)
		log_msg(LOG_ERR, "%s; SIGHUP will not reload", err);
	log_msg(LOG_INFO, "ready: %d workers, mode %s, legacy driver %s", started,
		config_mode_name(cn->cfg->mode), cn->cfg->driver != NULL ? cn->cfg->driver : "none");
	workers_join();
	rc = lp->failed ? -1 : 0;
	reload_stop();
	loop_close_all(lp);
	log_flush_suppressed();
out:
	queue_close();
	if (lp->ep >= 0)
		close(lp->ep);
	if (lp->sfd >= 0)
		close(lp->sfd);
	return rc;
}
