/* test_exec_spawn.c: the exec driver's process runner, with real processes:
 * the user it runs as, its environment and fds, the timeout, the caps, what
 * a script leaves behind, and that nothing is left unreaped. Needs root (to
 * switch to nobody); skipped otherwise. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_spawn.h"

static struct exec_user nobody;
static const struct exec_limits lim = {
	.timeout_ms = 20000, .max_out = 65536, .max_err = 1024,
	.max_as = 1UL << 30, .max_nproc = 0, .max_nofile = 64, .max_fsize = 1 << 20,
};

static void setup(void)
{
	char err[256];

	ck_assert_msg(exec_user_lookup("nobody", &nobody, err, sizeof(err)) == 0, "%s", err);
}

static void teardown(void)
{
	exec_user_clear(&nobody);
}

/* Run sh -c script with in on stdin; must start. */
static void run_sh(const char *script, const char *in, const struct exec_limits *l,
		   struct exec_result *res)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	char err[256] = "";

	ck_assert_msg(exec_run(argv, &nobody, l, in, in ? strlen(in) : 0, res, err,
			       sizeof(err)) == 0, "%s: %s", script, err);
}

/* No child of ours is left, zombie or not. */
static void no_children(void)
{
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}

START_TEST(test_stdin_to_stdout)
{
	struct exec_result res;

	run_sh("cat", "{\"action\":\"login\"}", &lim, &res);
	ck_assert_int_eq(res.status, 0);
	ck_assert_str_eq(res.out, "{\"action\":\"login\"}");
	ck_assert_uint_eq(res.outlen, 18);
	exec_result_clear(&res);
	no_children();
}
END_TEST

START_TEST(test_exit_status_and_stderr)
{
	struct exec_result res;

	run_sh("echo oops >&2; exit 3", NULL, &lim, &res);
	ck_assert_int_eq(res.status, 3);
	ck_assert_int_eq(res.signal, 0);
	ck_assert_str_eq(res.err, "oops\n");
	ck_assert_uint_eq(res.outlen, 0);
	exec_result_clear(&res);
	no_children();
}
END_TEST

START_TEST(test_runs_as_user)
{
	struct exec_result res;
	char want[64];

	run_sh("id -u; id -g; pwd", NULL, &lim, &res);
	snprintf(want, sizeof(want), "%u\n%u\n/\n", (unsigned)nobody.uid, (unsigned)nobody.gid);
	ck_assert_str_eq(res.out, want);
	exec_result_clear(&res);
}
END_TEST

START_TEST(test_refuses_root_and_relative)
{
	struct exec_user root = { .uid = 0, .gid = 0 };
	struct exec_result res;
	char *argv[] = { "/bin/true", NULL }, *rel[] = { "true", NULL };
	char err[256] = "";

	ck_assert_int_eq(exec_run(argv, &root, &lim, NULL, 0, &res, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "root"));
	ck_assert_int_eq(exec_run(rel, &nobody, &lim, NULL, 0, &res, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "absolute"));
	ck_assert_int_eq(exec_user_lookup("root", &root, err, sizeof(err)), -1);
	ck_assert_int_eq(exec_user_lookup("no-such-user-here", &root, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no such user"));
}
END_TEST

START_TEST(test_missing_script)
{
	struct exec_result res;
	char *argv[] = { "/nonexistent/script.py", NULL };
	char err[256] = "";

	ck_assert_int_eq(exec_run(argv, &nobody, &lim, "x", 1, &res, err, sizeof(err)), -2);
	ck_assert_msg(strstr(err, "No such file") != NULL, "%s", err);
	exec_result_clear(&res);
	no_children();
}
END_TEST

START_TEST(test_clean_environment)
{
	struct exec_result res;

	setenv("CUSTOMDB_TEST_SECRET", "leaked", 1);
	run_sh("env | sort", NULL, &lim, &res);
	ck_assert_msg(strstr(res.out, "leaked") == NULL, "%s", res.out);
	ck_assert_msg(strstr(res.out, "PATH=/usr/local/bin:/usr/bin:/bin\n") != NULL, "%s",
		      res.out);
	exec_result_clear(&res);
}
END_TEST

START_TEST(test_only_three_fds)
{
	struct exec_result res;
	int fd = open("/dev/null", O_RDONLY);  /* not close-on-exec */

	ck_assert_int_ge(fd, 3);
	run_sh("ls /proc/$$/fd; true", NULL, &lim, &res);
	ck_assert_str_eq(res.out, "0\n1\n2\n");
	exec_result_clear(&res);
	close(fd);
}
END_TEST

START_TEST(test_timeout_kills)
{
	struct exec_limits l = lim;
	struct exec_result res;

	l.timeout_ms = 300;
	run_sh("echo started; exec sleep 600", NULL, &l, &res);
	ck_assert(res.timed_out);
	ck_assert_int_eq(res.signal, SIGKILL);
	ck_assert_int_eq(res.status, -1);
	ck_assert_str_eq(res.out, "started\n");
	exec_result_clear(&res);
	no_children();
}
END_TEST

/* A child left behind (holding stdout open) neither holds exec_run up to
 * the timeout nor outlives it. */
START_TEST(test_leftover_child_killed)
{
	struct exec_result res;
	char path[64], stat[256];
	long pid;
	int tries;
	FILE *f;

	run_sh("sleep 600 & echo $!; exit 0", NULL, &lim, &res);
	ck_assert(!res.timed_out);
	ck_assert_int_eq(res.status, 0);
	pid = strtol(res.out, NULL, 10);
	ck_assert_int_gt(pid, 1);
	exec_result_clear(&res);
	/* gone, or a zombie waiting for init to reap it */
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	for (tries = 0; tries < 1000; tries++) {
		f = fopen(path, "r");
		if (f == NULL)
			break;
		stat[0] = '\0';
		if (fgets(stat, sizeof(stat), f) == NULL)
			stat[0] = '\0';
		fclose(f);
		if (strstr(stat, ") Z ") != NULL)
			break;
		usleep(10000);
	}
	ck_assert_msg(tries < 1000, "the child left behind still runs: %s", stat);
	no_children();
}
END_TEST

START_TEST(test_stdout_capped)
{
	struct exec_result res;

	run_sh("head -c 1000000 /dev/zero | tr '\\0' x", NULL, &lim, &res);
	ck_assert(res.out_over);
	ck_assert_uint_eq(res.outlen, lim.max_out);
	ck_assert_uint_eq(strlen(res.out), lim.max_out);
	exec_result_clear(&res);
	no_children();
}
END_TEST

START_TEST(test_stderr_capped)
{
	struct exec_result res;

	run_sh("head -c 100000 /dev/zero | tr '\\0' e >&2; echo done", NULL, &lim, &res);
	ck_assert(res.err_over);
	ck_assert(!res.out_over);
	ck_assert_uint_eq(res.errlen, lim.max_err);
	ck_assert_str_eq(res.out, "done\n");
	ck_assert_int_eq(res.status, 0);
	exec_result_clear(&res);
}
END_TEST

/* A script that never reads a large request ends normally: no SIGPIPE in
 * the caller, no hang. */
START_TEST(test_unread_stdin)
{
	struct exec_result res;
	size_t n = 4u << 20;
	char *big = malloc(n + 1);

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', n);
	big[n] = '\0';
	run_sh("exec 0<&-; echo ok", big, &lim, &res);
	ck_assert_int_eq(res.status, 0);
	ck_assert_str_eq(res.out, "ok\n");
	exec_result_clear(&res);
	free(big);
}
END_TEST

/* No core file may hold a password: RLIMIT_CORE is 0, and no new privileges. */
START_TEST(test_limits_set)
{
	struct exec_result res;

	run_sh("ulimit -c; ulimit -n; grep NoNewPrivs /proc/self/status", NULL, &lim, &res);
	ck_assert_str_eq(res.out, "0\n64\nNoNewPrivs:\t1\n");
	exec_result_clear(&res);
}
END_TEST

/* The spy's view of a victim script holding a secret in its environment,
 * each run by exec_run with landlock as given. */
static void spy_on_victim(bool landlock, struct exec_result *spy)
{
	struct exec_limits l = lim;
	char dir[] = "/tmp/exec-spawn.XXXXXX", victim[512], watch[512], path[600];
	pid_t helper;
	int st;

	l.landlock = landlock;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chown(dir, nobody.uid, nobody.gid), 0);
	snprintf(victim, sizeof(victim), "read -r x; exec env \"X=$x\" sh -c "
		 "'echo $$ > %s/pid; exec sleep 600'", dir);
	snprintf(watch, sizeof(watch), "while [ ! -s %s/pid ]; do sleep 0.02; done; "
		 "tr '\\0' '\\n' < /proc/$(cat %s/pid)/environ; true", dir, dir);
	helper = fork();
	ck_assert_int_ge(helper, 0);
	if (helper == 0) {
		struct exec_result res;
		struct exec_limits vl = l;

		vl.timeout_ms = 10000;
		run_sh(victim, "the-secret\n", &vl, &res);
		_exit(0);
	}
	run_sh(watch, NULL, &l, spy);
	/* the victim's work is done: end it, and its helper */
	kill(helper, SIGKILL);
	ck_assert_int_eq(waitpid(helper, &st, 0), helper);
	snprintf(path, sizeof(path), "%s/pid", dir);
	{
		FILE *f = fopen(path, "r");
		long pid = 0;

		if (f != NULL) {
			if (fscanf(f, "%ld", &pid) != 1)
				pid = 0;
			fclose(f);
		}
		if (pid > 1)
			kill((pid_t)pid, SIGKILL);
	}
	unlink(path);
	rmdir(dir);
}

/* One script cannot read another's memory or environment (where a login
 * script holds the password): each runs in a Landlock domain of its own. */
START_TEST(test_scripts_isolated)
{
	struct exec_result spy;

	if (!exec_landlock_available()) {
		fprintf(stderr, "test_scripts_isolated: no Landlock in this kernel, skipped\n");
		return;
	}
	/* the test can see it: without Landlock the spy reads the secret */
	spy_on_victim(false, &spy);
	ck_assert_msg(strstr(spy.out, "X=the-secret") != NULL, "spy without Landlock: %s",
		      spy.out ? spy.out : "");
	exec_result_clear(&spy);
	spy_on_victim(true, &spy);
	ck_assert_msg(spy.out == NULL || strstr(spy.out, "the-secret") == NULL, "%s", spy.out);
	ck_assert_msg(spy.err != NULL && strstr(spy.err, "Permission denied") != NULL, "%s",
		      spy.err ? spy.err : "(no stderr)");
	exec_result_clear(&spy);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("exec_spawn");
	TCase *tc = tcase_create("run");

	if (geteuid() != 0) {
		fprintf(stderr, "test_exec_spawn: not root, skipped\n");
		return s;
	}
	signal(SIGPIPE, SIG_DFL);  /* a SIGPIPE would end the test */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_stdin_to_stdout);
	tcase_add_test(tc, test_exit_status_and_stderr);
	tcase_add_test(tc, test_runs_as_user);
	tcase_add_test(tc, test_refuses_root_and_relative);
	tcase_add_test(tc, test_missing_script);
	tcase_add_test(tc, test_clean_environment);
	tcase_add_test(tc, test_only_three_fds);
	tcase_add_test(tc, test_timeout_kills);
	tcase_add_test(tc, test_leftover_child_killed);
	tcase_add_test(tc, test_stdout_capped);
	tcase_add_test(tc, test_stderr_capped);
	tcase_add_test(tc, test_unread_stdin);
	tcase_add_test(tc, test_limits_set);
	tcase_add_test(tc, test_scripts_isolated);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
