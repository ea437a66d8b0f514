/* server.c: accept, hand each connection to a bounded pool, dispatch.
 *
 * The main thread only accepts and reads SO_PEERCRED; workers read the
 * request, run it against their own database session and reply. The queue is
 * bounded: when every worker is busy and the queue is full a connection is
 * closed at once (the client reports "try again") instead of waiting. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "handlers.h"
#include "io.h"
#include "log.h"
#include "protocol.h"
#include "stats.h"

/* How long a client may take to send its request. */
#define REQUEST_READ_TIMEOUT_MS 5000
#define QUEUE_MAX 256

enum policy { ANYONE, ROOT_ONLY };

static const struct dispatch {
	uint16_t op;
	enum policy who;
	handler_fn fn;
	const char *name;
} dispatch[] = {
	{ CDB_OP_GETPWNAM, ANYONE, handle_getpwnam, "getpwnam" },
	{ CDB_OP_GETPWUID, ANYONE, handle_getpwuid, "getpwuid" },
	{ CDB_OP_GETGRNAM, ANYONE, handle_getgrnam, "getgrnam" },
	{ CDB_OP_GETGRGID, ANYONE, handle_getgrgid, "getgrgid" },
	{ CDB_OP_INITGROUPS, ANYONE, handle_initgroups, "initgroups" },
	{ CDB_OP_LIST_USERS, ANYONE, handle_list_users, "getpwent" },
	{ CDB_OP_LIST_GROUPS, ANYONE, handle_list_groups, "getgrent" },
	/* non-root callers are limited to themselves inside the handler */
	{ CDB_OP_AUTHENTICATE, ANYONE, handle_authenticate, "authenticate" },
	{ CDB_OP_ACCOUNT, ANYONE, handle_account, "account" },
	{ CDB_OP_CHPASS, ANYONE, handle_chpass, "chpass" },
	{ CDB_OP_STATUS, ROOT_ONLY, handle_status, "status" },
	{ CDB_OP_CACHE_FLUSH, ROOT_ONLY, handle_cache_flush, "cache-flush" },
};

struct job {
	int fd;
	struct ucred cred;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job q[QUEUE_MAX];
	size_t head, count;
	int stopping;
} queue = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, { { 0 } }, 0, 0, 0 };

static int queue_push(const struct job *j)
{
	int ok = 0;

	pthread_mutex_lock(&queue.lock);
	if (queue.count < QUEUE_MAX) {
		queue.q[(queue.head + queue.count) % QUEUE_MAX] = *j;
		queue.count++;
		ok = 1;
		pthread_cond_signal(&queue.cond);
	}
	pthread_mutex_unlock(&queue.lock);
	return ok ? 0 : -1;
}

/* 0 with a job, -1 when stopping. */
static int queue_pop(struct job *j)
{
	int rc = -1;

	pthread_mutex_lock(&queue.lock);
	while (queue.count == 0 && !queue.stopping)
		pthread_cond_wait(&queue.cond, &queue.lock);
	if (queue.count > 0) {
		*j = queue.q[queue.head];
		queue.head = (queue.head + 1) % QUEUE_MAX;
		queue.count--;
		rc = 0;
	}
	pthread_mutex_unlock(&queue.lock);
	return rc;
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void serve_one(struct session *s, const struct job *j)
{
	struct request rq = { .session = s, .cfg = s->conn->cfg, .peer_pid = j->cred.pid,
			      .peer_uid = j->cred.uid, .peer_gid = j->cred.gid };
	struct wbuf out;
	struct rbuf in;
	struct timespec t0;
	const char *opname = NULL;  /* of a known opcode, for the counters */
	unsigned char *body = NULL;
	size_t len = 0, i;
	uint16_t op;
	int st = -1;

	wbuf_init(&out);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (io_read_message(j->fd, io_deadline(REQUEST_READ_TIMEOUT_MS), &body, &len) != 0) {
		if (errno != 0)
			log_msg(LOG_DEBUG, "pid %ld: request not read: %s", (long)j->cred.pid,
				strerror(errno));
		goto out;
	}
	rbuf_init(&in, body, len);
	if (rbuf_begin(&in, &op) != 0) {
		log_msg(LOG_WARNING, "pid %ld: request of another protocol version", (long)j->cred.pid);
		wbuf_begin(&out, CDB_STATUS_ERROR);
		goto reply;
	}
	for (i = 0; i < sizeof(dispatch) / sizeof(dispatch[0]); i++)
		if (dispatch[i].op == op)
			break;
	if (i == sizeof(dispatch) / sizeof(dispatch[0])) {
		log_msg(LOG_WARNING, "pid %ld: unknown opcode %u", (long)j->cred.pid, op);
		wbuf_begin(&out, CDB_STATUS_ERROR);
		goto reply;
	}
	opname = dispatch[i].name;
	snprintf(rq.what, sizeof(rq.what), "%s", dispatch[i].name);
	if (dispatch[i].who == ROOT_ONLY && j->cred.uid != 0) {
		st = CDB_STATUS_DENIED;
		wbuf_begin(&out, CDB_STATUS_DENIED);
		goto reply;
	}
	st = dispatch[i].fn(&rq, &in, &out);
	if (st < 0) {
		log_msg(LOG_WARNING, "pid %ld: malformed %s request", (long)j->cred.pid,
			dispatch[i].name);
		wbuf_begin(&out, CDB_STATUS_ERROR);
	}
reply:
	stats_served(opname != NULL ? op : 0, opname, st);
	if (wbuf_end(&out) != 0) {
		wbuf_begin(&out, CDB_STATUS_ERROR);
		wbuf_end(&out);
	}
	io_write_all(j->fd, out.data, out.len, io_deadline(REQUEST_READ_TIMEOUT_MS));
	log_msg(LOG_DEBUG, "uid %lu pid %ld: %s -> %s (%.2f ms)", (unsigned long)j->cred.uid,
		(long)j->cred.pid, rq.what, st >= 0 ? cdb_status_name(st) : "error",
		elapsed_ms(&t0));
out:
	io_free_message(body, len);
	wbuf_free(&out);
	close(j->fd);
}

static void *worker(void *arg)
{
	struct session s;
	struct job j;

	session_init(&s, arg);
	while (queue_pop(&j) == 0)
		serve_one(&s, &j);
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
	    listen(fd, 128) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int server_run(int listen_fd, struct connector *cn)
{
	int nworkers = cn->cfg->workers, started = 0, sfd, i;
	pthread_t *tids;
	sigset_t mask;
	struct pollfd pfd[2];

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);  /* workers inherit the mask */
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		log_msg(LOG_ERR, "signalfd: %s", strerror(errno));
		return -1;
	}
	tids = calloc((size_t)nworkers, sizeof(*tids));
	if (tids == NULL)
		return -1;
	for (i = 0; i < nworkers; i++) {
		if (pthread_create(&tids[i], NULL, worker, cn) != 0) {
			log_msg(LOG_ERR, "cannot start worker %d: %s", i, strerror(errno));
			break;
		}
		started++;
	}
	stats_start();
	log_msg(LOG_INFO, "ready: %d workers, legacy driver %s", started, cn->cfg->driver);
	pfd[0].fd = listen_fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	for (;;) {
		struct signalfd_siginfo si;
		struct job j;
		socklen_t clen = sizeof(j.cred);

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents & POLLIN) {
			if (read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGHUP) {
				log_msg(LOG_INFO, "SIGHUP: restart the daemon to reload its config");
				continue;
			}
			log_msg(LOG_INFO, "stopping");
			break;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		j.fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (j.fd < 0)
			continue;
		if (getsockopt(j.fd, SOL_SOCKET, SO_PEERCRED, &j.cred, &clen) != 0) {
			close(j.fd);
			continue;
		}
		if (queue_push(&j) != 0) {
			log_msg(LOG_WARNING, "all %d workers busy and queue full; dropping a request",
				started);
			close(j.fd);
		}
	}
	pthread_mutex_lock(&queue.lock);
	queue.stopping = 1;
	pthread_cond_broadcast(&queue.cond);
	pthread_mutex_unlock(&queue.lock);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	close(sfd);
	return 0;
}
