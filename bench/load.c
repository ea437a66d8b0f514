/* load: concurrent clients against a running customdbd, for a fixed time.
 *
 *   load SOCKET SECONDS [-l CLIENTS] [-r RATE] [-n POOL] [-g CLIENTS]
 *        [-u USER] [-w PASSWORD] [-i IDLE] [-p DAEMON_PID]
 *
 * -l CLIENTS  threads doing getpwnam of u0000001..u<POOL> at random
 *             (straight to the daemon, as the NSS module does on a miss of
 *             the host cache); NOTFOUND counts as answered
 * -r RATE     open loop: the look-up threads start RATE look-ups a second
 *             between them, on a fixed schedule, whether or not the earlier
 *             ones were answered; a look-up's latency counts from when it
 *             was due, so a daemon that falls behind shows in p50/p99 (and
 *             in per_s below RATE) rather than slowing the generator down
 * -g CLIENTS  threads doing logins: authenticate then account of USER with
 *             PASSWORD, as pam_customdb does
 * -i IDLE     a child process, as nobody, holds IDLE connections that send
 *             nothing, and reconnects whenever the daemon closes one
 * -p PID      report the daemon's RSS at start and end, and the CPU time
 *             it used over the run (user + system, from /proc/PID/stat)
 *
 * Prints one line per kind of client: calls, calls per second, p50 and p99
 * latency, errors (no answer, UNAVAIL or ERROR; for logins anything but OK);
 * then the idle holder's connects and the daemon's RSS and CPU. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "io.h"
#include "protocol.h"
#include "wire.h"

#define NOBODY 65534

struct opts {
	const char *sock, *user, *password;
	double seconds, rate;
	long pool;
	int lookups, logins, idle;
	pid_t daemon;
};

struct kind {
	const char *name;
	pthread_mutex_t lock;
	double *lat;            /* microseconds of the calls that succeeded */
	size_t n, cap;
	unsigned long errors;
};

struct client {
	const struct opts *o;
	struct kind *k;
	unsigned seed;
};

static atomic_bool stop;
/* open loop: the next look-up's number, counted from t_start */
static atomic_ulong next_due;
static double t_start, t_end;

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* One request; its status, or -1 when no answer came. */
static int call(const char *sock, struct wbuf *w)
{
	unsigned char *body;
	struct rbuf f;
	size_t len;
	int st;

	wbuf_end(w);
	if (cdb_call(sock, w, CDB_PAM_TIMEOUT_MS, &st, &f, &body, &len) != 0)
		st = -1;
	else
		io_free_message(body, len);
	wbuf_free(w);
	return st;
}

static int lookup(const struct client *c, unsigned *seed)
{
	char name[16];
	struct wbuf w;
	int st;

	snprintf(name, sizeof(name), "u%07ld", 1 + (long)(rand_r(seed) % c->o->pool));
	wbuf_init(&w);
	wbuf_begin(&w, CDB_OP_GETPWNAM);
	wbuf_put_str(&w, name);
	st = call(c->o->sock, &w);
	return st == CDB_STATUS_OK || st == CDB_STATUS_NOTFOUND ? 0 : -1;
}

static int login(const struct client *c, unsigned *seed)
{
	struct wbuf w;

	(void)seed;
	wbuf_init(&w);
	wbuf_begin(&w, CDB_OP_AUTHENTICATE);
	wbuf_put_str(&w, c->o->user);
	wbuf_put_str(&w, c->o->password);
	wbuf_put_str(&w, "load");
	if (call(c->o->sock, &w) != CDB_STATUS_OK)
		return -1;
	wbuf_init(&w);
	wbuf_begin(&w, CDB_OP_ACCOUNT);
	wbuf_put_str(&w, c->o->user);
	wbuf_put_str(&w, "load");
	return call(c->o->sock, &w) == CDB_STATUS_OK ? 0 : -1;
}

static void record(struct kind *k, double us, bool ok)
{
	pthread_mutex_lock(&k->lock);
	if (!ok) {
		k->errors++;
	} else {
		if (k->n == k->cap) {
			size_t cap = k->cap ? k->cap * 2 : 4096;
			double *p = realloc(k->lat, cap * sizeof(*p));

			if (p == NULL) {
				pthread_mutex_unlock(&k->lock);
				return;
			}
			k->lat = p;
			k->cap = cap;
		}
		k->lat[k->n++] = us;
	}
	pthread_mutex_unlock(&k->lock);
}

static void *run_client(void *arg)
{
	struct client *c = arg;
	int (*fn)(const struct client *, unsigned *) =
		strcmp(c->k->name, "login") == 0 ? login : lookup;
	double t0;
	int rc;

	while (!atomic_load(&stop)) {
		t0 = now_us();
		rc = fn(c, &c->seed);
		record(c->k, now_us() - t0, rc == 0);
	}
	return NULL;
}

static void sleep_until_us(double t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1e6),
			       .tv_nsec = (long)((t - (double)(time_t)(t / 1e6) * 1e6) * 1e3) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Open loop: take the next slot of the schedule, wait for it, call. */
static void *run_paced(void *arg)
{
	struct client *c = arg;
	double due;
	int rc;

	for (;;) {
		due = t_start + (double)atomic_fetch_add(&next_due, 1) * 1e6 / c->o->rate;
		if (due >= t_end || atomic_load(&stop))
			break;
		sleep_until_us(due);
		rc = lookup(c, &c->seed);
		record(c->k, now_us() - due, rc == 0);
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(struct kind *k, double seconds, double rate)
{
	if (k->n + k->errors == 0)
		return;
	qsort(k->lat, k->n, sizeof(*k->lat), cmp);
	printf("%-7s calls %zu per_s %.0f p50_us %.0f p99_us %.0f errors %lu", k->name, k->n,
	       (double)k->n / seconds, k->n ? k->lat[k->n / 2] : 0.0,
	       k->n ? k->lat[(size_t)((double)k->n * 0.99)] : 0.0, k->errors);
	if (rate > 0)
		printf(" target_per_s %.0f", rate);
	printf("\n");
}

static volatile sig_atomic_t idle_stop;

static void on_term(int sig)
{
	(void)sig;
	idle_stop = 1;
}

static int idle_connect(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* The child: as nobody, hold n silent connections until SIGTERM; print how
 * many connects that took. */
static void idle_holder(const char *sock, int n)
{
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	unsigned long connects = 0;
	struct rlimit rl;
	char b[64];
	int i;

	signal(SIGTERM, on_term);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (p == NULL || setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0) {
		perror("load: idle holder");
		_exit(1);
	}
	for (i = 0; i < n; i++) {
		p[i].fd = idle_connect(sock);
		p[i].events = POLLIN;
		connects++;
	}
	while (!idle_stop) {
		if (poll(p, (nfds_t)n, 100) < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			if (p[i].fd >= 0 && !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (p[i].fd >= 0 && recv(p[i].fd, b, sizeof(b), MSG_DONTWAIT) > 0)
				continue;
			if (p[i].fd >= 0)
				close(p[i].fd);
			p[i].fd = idle_connect(sock);
			p[i].revents = 0;
			connects++;
		}
	}
	printf("idle    held %d connects %lu\n", n, connects);
	fflush(stdout);
	_exit(0);
}

static long rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* The CPU time pid has used, user and system, in milliseconds; -1 when
 * unknown. */
static long cpu_ms(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* after the command's ")": state is field 3, utime and stime 14, 15 */
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				&ut, &st) != 2)
		return -1;
	return (long)((ut + st) * 1000 / (unsigned long)sysconf(_SC_CLK_TCK));
}

static int usage(void)
{
	fprintf(stderr, "usage: load SOCKET SECONDS [-l CLIENTS] [-r RATE] [-n POOL] [-g CLIENTS] "
			"[-u USER] [-w PASSWORD] [-i IDLE] [-p DAEMON_PID]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct opts o = { .user = "alice", .password = "alice-pw", .pool = 1000 };
	struct kind lk = { .name = "lookup", .lock = PTHREAD_MUTEX_INITIALIZER };
	struct kind gk = { .name = "login", .lock = PTHREAD_MUTEX_INITIALIZER };
	struct client *cl;
	pthread_t *tids;
	pid_t idle = -1;
	long rss0 = -1, cpu0 = -1;
	double t0, secs;
	int i, n, opt;

	if (argc < 3)
		return usage();
	o.sock = argv[1];
	o.seconds = strtod(argv[2], NULL);
	optind = 3;
	while ((opt = getopt(argc, argv, "l:r:n:g:u:w:i:p:")) != -1) {
		switch (opt) {
		case 'l': o.lookups = atoi(optarg); break;
		case 'r': o.rate = strtod(optarg, NULL); break;
		case 'n': o.pool = atol(optarg); break;
		case 'g': o.logins = atoi(optarg); break;
		case 'u': o.user = optarg; break;
		case 'w': o.password = optarg; break;
		case 'i': o.idle = atoi(optarg); break;
		case 'p': o.daemon = (pid_t)atol(optarg); break;
		default: return usage();
		}
	}
	if (o.seconds <= 0 || o.pool < 1 || o.lookups + o.logins < 1 || o.rate < 0 ||
	    (o.rate > 0 && o.lookups < 1))
		return usage();
	if (o.daemon > 0) {
		rss0 = rss_kb(o.daemon);
		cpu0 = cpu_ms(o.daemon);
	}
	fflush(stdout);
	if (o.idle > 0) {
		idle = fork();
		if (idle == 0)
			idle_holder(o.sock, o.idle);
		usleep(200000);  /* let it take its connections first */
	}
	n = o.lookups + o.logins;
	cl = calloc((size_t)n, sizeof(*cl));
	tids = calloc((size_t)n, sizeof(*tids));
	if (cl == NULL || tids == NULL)
		return 1;
	t0 = now_us();
	t_start = t0;
	t_end = t0 + o.seconds * 1e6;
	for (i = 0; i < n; i++) {
		cl[i] = (struct client){ &o, i < o.lookups ? &lk : &gk, (unsigned)(i * 7919 + 1) };
		pthread_create(&tids[i], NULL, i < o.lookups && o.rate > 0 ? run_paced : run_client,
			       &cl[i]);
	}
	usleep((useconds_t)(o.seconds * 1e6));
	atomic_store(&stop, true);
	for (i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	secs = (now_us() - t0) / 1e6;
	report(&lk, secs, o.rate);
	report(&gk, secs, 0);
	fflush(stdout);
	if (idle > 0) {
		kill(idle, SIGTERM);
		waitpid(idle, NULL, 0);
	}
	if (o.daemon > 0) {
		printf("rss_kb start %ld end %ld\n", rss0, rss_kb(o.daemon));
		printf("cpu daemon_ms %ld\n", cpu_ms(o.daemon) - cpu0);
	}
	free(lk.lat);
	free(gk.lat);
	free(cl);
	free(tids);
	return 0;
}
