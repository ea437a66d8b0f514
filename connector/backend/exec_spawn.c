/* exec_spawn.c: see exec_spawn.h. */
#include "exec_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/landlock.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- the child: only async-signal-safe calls from fork to execve ---- */

/* Tell the parent why the child could not exec (errno and the step), then
 * end. The parent reads it from the close-on-exec status pipe. */
static void child_fail(int statfd, int step)
{
	int msg[2] = { step, errno };
	ssize_t n = write(statfd, msg, sizeof(msg));

	(void)n;
	_exit(127);
}

enum child_step { STEP_FDS = 1, STEP_IDS, STEP_LIMITS, STEP_ISOLATE, STEP_EXEC };

static const char *const step_name[] = {
	[STEP_FDS] = "setting up its fds",
	[STEP_IDS] = "switching to the run_as user",
	[STEP_LIMITS] = "setting its limits",
	[STEP_ISOLATE] = "making its Landlock domain",
	[STEP_EXEC] = "exec",
};

static void close_from(int lowfd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
#endif
	for (int fd = lowfd; fd < 65536; fd++)
		close(fd);
}

/* A Landlock domain of its own. Landlock confines ptrace (and so
 * /proc/PID/mem, environ, maps) to a domain and the domains nested in it:
 * sibling scripts cannot look into each other. The ruleset only needs to
 * handle some right; it handles making block devices, which an
 * unprivileged process may not do anyway. */
static int enter_landlock(void)
{
	struct landlock_ruleset_attr attr = { .handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_BLOCK };
	long fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	long rc;

	if (fd < 0)
		return -1;
	rc = syscall(SYS_landlock_restrict_self, (int)fd, 0);
	close((int)fd);
	return rc == 0 ? 0 : -1;
}

bool exec_landlock_available(void)
{
	return syscall(SYS_landlock_create_ruleset, NULL, 0,
		       LANDLOCK_CREATE_RULESET_VERSION) >= 1;
}

static int set_limit(int what, unsigned long v)
{
	struct rlimit r = { .rlim_cur = v, .rlim_max = v };

	return setrlimit(what, &r);
}

static void child(char *const argv[], char *const envp[], const struct exec_user *u,
		  const struct exec_limits *l, int in, int out, int errfd, int statfd)
{
	sigset_t none;
	int sig;

	/* a session of its own: the parent kills the group by its id */
	if (setsid() < 0)
		child_fail(statfd, STEP_FDS);
	/* the daemon blocks and ignores signals its script must not inherit */
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* the status pipe must stay above 2 while the others move into place */
	if (statfd <= 2) {
		int s = fcntl(statfd, F_DUPFD_CLOEXEC, 3);
		if (s < 0)
			_exit(127);
		statfd = s;
	}
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		child_fail(statfd, STEP_FDS);
	/* keep the status pipe (close-on-exec), close every other fd past 2 */
	if (statfd != 3) {
		if (dup3(statfd, 3, O_CLOEXEC) < 0)
			child_fail(statfd, STEP_FDS);
		statfd = 3;
	}
	close_from(4);
	if (chdir("/") != 0)
		child_fail(statfd, STEP_FDS);
	if (u->uid == 0 || setgroups(u->ngroups, u->groups) != 0 || setgid(u->gid) != 0 ||
	    setuid(u->uid) != 0 || setuid(0) != -1)
		child_fail(statfd, STEP_IDS);
	/* after setuid, which clears it: the script dies with the thread that
	 * started it (a daemon killed mid-request leaves no script running) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		child_fail(statfd, STEP_IDS);
	/* RLIMIT_CPU a little past the wall clock: a spinning script that the
	 * parent somehow missed still ends */
	if (set_limit(RLIMIT_CORE, 0) != 0 ||
	    set_limit(RLIMIT_CPU, (unsigned long)l->timeout_ms / 1000 + 2) != 0 ||
	    (l->max_as != 0 && set_limit(RLIMIT_AS, l->max_as) != 0) ||
	    (l->max_nproc != 0 && set_limit(RLIMIT_NPROC, l->max_nproc) != 0) ||
	    (l->max_nofile != 0 && set_limit(RLIMIT_NOFILE, l->max_nofile) != 0) ||
	    (l->max_fsize != 0 && set_limit(RLIMIT_FSIZE, l->max_fsize) != 0))
		child_fail(statfd, STEP_LIMITS);
	if (l->landlock && enter_landlock() != 0)
		child_fail(statfd, STEP_ISOLATE);
	execve(argv[0], argv, envp);
	child_fail(statfd, STEP_EXEC);
}

/* ---- the parent ---- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* A buffer filled from a pipe: doubled as it grows, each old copy wiped
 * (stdout may hold hashes). */
struct sink {
	char **buf;      /* into exec_result */
	size_t *len;
	size_t room;     /* bytes *buf holds, its NUL included */
	size_t cap;      /* at most this many bytes kept */
	bool *over;      /* set when bytes past cap were dropped */
};

static int sink_grow(struct sink *k, size_t need)
{
	size_t room = k->room != 0 ? k->room : 4096;
	char *nb;

	while (room < need)
		room *= 2;
	nb = malloc(room);
	if (nb == NULL)
		return -1;
	if (*k->len > 0)
		memcpy(nb, *k->buf, *k->len);
	if (*k->buf != NULL)
		explicit_bzero(*k->buf, k->room);
	free(*k->buf);
	*k->buf = nb;
	k->room = room;
	return 0;
}

/* Add to k what fd has now, up to k->cap (bytes past it are read and
 * dropped). 1 at end of file, 0 when nothing more is there now, -1 on a
 * read error or ENOMEM. */
static int read_some(int fd, struct sink *k)
{
	char chunk[16384];
	ssize_t n;
	size_t take;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == 0)
			return 1;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		take = (size_t)n;
		if (take > k->cap - *k->len) {
			take = k->cap - *k->len;
			*k->over = true;
		}
		if (take > 0 && *k->len + take + 1 > k->room && sink_grow(k, *k->len + take + 1) != 0)
			return -1;
		if (take > 0) {
			memcpy(*k->buf + *k->len, chunk, take);
			*k->len += take;
			(*k->buf)[*k->len] = '\0';
		}
		explicit_bzero(chunk, (size_t)n);
	}
}

static int pidfd_of(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

static int wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

/* The poll loop: feed stdin, read stdout and stderr, watch the child (its
 * pidfd) and the deadline. Returns when the child has exited (or been
 * killed); the group is then killed and the pipes drained of what is there. */
static void supervise(pid_t pid, int pidfd, int *in, int *out, int *errfd,
		      const struct exec_limits *l, const char *data, size_t datalen,
		      struct exec_result *res)
{
	long long deadline = now_ms() + l->timeout_ms;
	size_t sent = 0;
	bool exited = false, killed = false;
	struct sink out_k = { &res->out, &res->outlen, 0, l->max_out, &res->out_over };
	struct sink err_k = { &res->err, &res->errlen, 0, l->max_err, &res->err_over };
	struct pollfd p[4];
	int n, t, r;

	while (!exited) {
		long long left = deadline - now_ms();

		if (left <= 0 && !killed) {
			res->timed_out = true;
			kill(-pid, SIGKILL);
			killed = true;
		}
		n = 0;
		p[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = *out, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = *errfd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = *in, .events = POLLOUT };
		/* without a pidfd, look at the child every 20 ms */
		if (pidfd < 0)
			t = killed || left > 20 ? 20 : (int)left;
		else
			t = killed ? -1 : (left > INT_MAX ? INT_MAX : (int)left);
		if (poll(p, (nfds_t)n, t) < 0 && errno != EINTR)
			break;
		if (*in >= 0 && (p[3].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = send(*in, data + sent, datalen - sent,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w > 0)
				sent += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || sent == datalen)
				close_fd(in);  /* end of the request, or a script that left */
		}
		if (*out >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			r = read_some(*out, &out_k);
			if (r != 0)
				close_fd(out);
			if (res->out_over && !killed) {
				kill(-pid, SIGKILL);
				killed = true;
			}
		}
		if (*errfd >= 0 && (p[2].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (read_some(*errfd, &err_k) != 0)
				close_fd(errfd);
		}
		if (pidfd >= 0) {
			exited = (p[0].revents & POLLIN) != 0;
		} else {
			siginfo_t si = { 0 };
			exited = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
				 si.si_pid == pid;
		}
	}
	/* What the script left behind in its group goes with it; what it wrote
	 * before it ended is in the pipes already. */
	kill(-pid, SIGKILL);
	if (*out >= 0)
		read_some(*out, &out_k);
	if (*errfd >= 0)
		read_some(*errfd, &err_k);
	res->outroom = out_k.room;
}

void exec_result_clear(struct exec_result *res)
{
	if (res->out != NULL)
		explicit_bzero(res->out, res->outroom);
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}

/* The clean environment: PATH, HOME, USER, LOGNAME, LANG; nothing of the
 * daemon's own. */
static int build_env(const struct exec_user *u, char *buf, size_t buflen, char *envp[6])
{
	int n = snprintf(buf, buflen, "PATH=/usr/local/bin:/usr/bin:/bin%cHOME=%s%cUSER=%s%c"
			 "LOGNAME=%s%cLANG=C.UTF-8", 0, u->home ? u->home : "/", 0,
			 u->name ? u->name : "", 0, u->name ? u->name : "", 0);
	char *p = buf;

	if (n < 0 || (size_t)n >= buflen)
		return -1;
	for (int i = 0; i < 5; i++) {
		envp[i] = p;
		p += strlen(p) + 1;
	}
	envp[5] = NULL;
	return 0;
}

int exec_run(char *const argv[], const struct exec_user *u, const struct exec_limits *l,
	     const char *in, size_t inlen, struct exec_result *res, char *err, size_t errlen)
{
	int sp[2] = { -1, -1 }, op[2] = { -1, -1 }, ep[2] = { -1, -1 }, st[2] = { -1, -1 };
	int pidfd = -1, msg[2], status, rc = -1;
	char envbuf[1024];
	char *envp[6];
	ssize_t n;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->status = -1;
	if (u->uid == 0) {
		snprintf(err, errlen, "refusing to run an action script as root");
		return -1;
	}
	if (argv[0] == NULL || argv[0][0] != '/') {
		snprintf(err, errlen, "the action script must be an absolute path");
		return -1;
	}
	if (build_env(u, envbuf, sizeof(envbuf), envp) != 0) {
		snprintf(err, errlen, "the run_as user's home or name is too long");
		return -1;
	}
	/* stdin is a socket so that a script that never reads, or leaves,
	 * costs an EPIPE (MSG_NOSIGNAL), never a SIGPIPE */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0 ||
	    pipe2(op, O_CLOEXEC) != 0 || pipe2(ep, O_CLOEXEC) != 0 ||
	    pipe2(st, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "cannot make pipes for the action script: %s",
			 strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot start the action script: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(argv, envp, u, l, sp[1], op[1], ep[1], st[1]);
	close_fd(&sp[1]);
	close_fd(&op[1]);
	close_fd(&ep[1]);
	close_fd(&st[1]);
	/* the status pipe closes at exec (nothing to read) or carries why not */
	do
		n = read(st[0], msg, sizeof(msg));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(msg)) {
		wait_child(pid);
		snprintf(err, errlen, "cannot run %s: %s: %s", argv[0],
			 msg[0] > 0 && msg[0] <= STEP_EXEC ? step_name[msg[0]] : "?",
			 strerror(msg[1]));
		if (msg[0] == STEP_EXEC)
			rc = -2;
		goto out;
	}
	pidfd = pidfd_of(pid);
	fcntl(op[0], F_SETFL, O_NONBLOCK);
	fcntl(ep[0], F_SETFL, O_NONBLOCK);
	supervise(pid, pidfd, &sp[0], &op[0], &ep[0], l, in, inlen, res);
	status = wait_child(pid);
	if (status >= 0 && WIFEXITED(status)) {
		res->status = WEXITSTATUS(status);
	} else if (status >= 0 && WIFSIGNALED(status)) {
		res->signal = WTERMSIG(status);
	}
	rc = 0;
out:
	if (pidfd >= 0)
		close(pidfd);
	for (int i = 0; i < 2; i++) {
		close_fd(&sp[i]);
		close_fd(&op[i]);
		close_fd(&ep[i]);
		close_fd(&st[i]);
	}
	return rc;
}

/* ---- the run_as user ---- */

void exec_user_clear(struct exec_user *u)
{
	free(u->groups);
	free(u->home);
	free(u->name);
	memset(u, 0, sizeof(*u));
}

int exec_user_lookup(const char *name, struct exec_user *u, char *err, size_t errlen)
{
	struct passwd pw, *res = NULL;
	char buf[4096], *end;
	unsigned long id;
	int ng = 64, e;

	memset(u, 0, sizeof(*u));
	errno = 0;
	id = strtoul(name, &end, 10);
	if (*name >= '0' && *name <= '9' && *end == '\0' && id <= UINT32_MAX)
		e = getpwuid_r((uid_t)id, &pw, buf, sizeof(buf), &res);
	else
		e = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (res == NULL) {
		snprintf(err, errlen, "run_as: no such user '%s'%s%s", name, e ? ": " : "",
			 e ? strerror(e) : "");
		return -1;
	}
	if (pw.pw_uid == 0) {
		snprintf(err, errlen, "run_as: '%s' is root; action scripts never run as root",
			 name);
		return -1;
	}
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	u->name = strdup(pw.pw_name);
	u->home = strdup(pw.pw_dir != NULL && pw.pw_dir[0] == '/' ? pw.pw_dir : "/");
	for (;;) {
		u->groups = calloc((size_t)ng, sizeof(*u->groups));
		if (u->groups == NULL || u->name == NULL || u->home == NULL)
			break;
		if (getgrouplist(pw.pw_name, pw.pw_gid, u->groups, &ng) >= 0) {
			u->ngroups = (size_t)ng;
			return 0;
		}
		free(u->groups);
		u->groups = NULL;
		if (ng > 65536)
			break;
	}
	exec_user_clear(u);
	snprintf(err, errlen, "run_as: '%s': out of memory", name);
	return -1;
}
