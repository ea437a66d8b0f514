/* test_pam.c: the built pam_customdb.so, loaded by the real libpam through
 * pam_start_confdir with a service file in a temporary directory, against a
 * real customdbd that the test starts on an SQLite legacy database of its
 * own. Runs without root: the users get the caller's own uid, since the
 * daemon lets a caller that is not root authenticate only as itself.
 *
 * PAM_MODULE and CUSTOMDBD are the built module and daemon (CMake). */
#include <check.h>
#include <argon2.h>
#include <errno.h>
#include <fcntl.h>
#include <security/pam_appl.h>
#include <signal.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"

#define SERVICE "customdb-test"
#define SERVICE_NO_DAEMON "customdb-nodaemon"
/* how long the daemon may take to come up on a busy machine, under ASan */
#define START_WAIT_S 50

static char dir[64];
static char confdir[96];
static char sock[96];
static pid_t daemon_pid = -1;
/* what the conversation answers to the hidden prompts, in turn ("" after) */
static const char *answers[3];
static size_t answered;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* An argon2id hash of pw (libxcrypt's crypt families stop at 512 bytes),
 * cheap: the tests are about the module, not the hash. */
static char *argon2id(const char *pw)
{
	static char h[128];

	ck_assert_int_eq(argon2id_hash_encoded(1, 64, 1, pw, strlen(pw), "customdbtest", 12, 16, h,
					       sizeof(h)),
			 ARGON2_OK);
	return h;
}

/* A password of n bytes, all 'p'. */
static char *repeat_p(size_t n)
{
	char *p = malloc(n + 1);

	ck_assert_ptr_nonnull(p);
	memset(p, 'p', n);
	p[n] = '\0';
	return p;
}

/* The legacy database: users with the caller's own uid (10001 for root). */
static void make_legacy_db(const char *path)
{
	char *pw1024 = repeat_p(CDB_MAX_PASSWORD);
	struct {
		const char *name, *pw;
		int active;
	} users[] = {
		{ "alice", "alice-pw", 1 },
		{ "carol", "carol-pw", 0 },
		/* the empty password, which allow_empty_password lets match */
		{ "nopass", "", 1 },
		/* a password of exactly CDB_MAX_PASSWORD bytes */
		{ "longpw", pw1024, 1 },
	};
	unsigned long uid = getuid() != 0 ? (unsigned long)getuid() : 10001;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t i;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
				      "CREATE TABLE users (username TEXT PRIMARY KEY, uid INTEGER, "
				      "password TEXT, active INTEGER)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO users VALUES (?, ?, ?, ?)", -1, &st,
					    NULL),
			 SQLITE_OK);
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		sqlite3_bind_text(st, 1, users[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)uid);
		sqlite3_bind_text(st, 3, argon2id(users[i].pw), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 4, users[i].active);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(pw1024);
}

static void make_config(void)
{
	char path[128], text[2048];

	snprintf(path, sizeof(path), "%s/legacy.db", dir);
	make_legacy_db(path);
	snprintf(text, sizeof(text),
		 "[customdb]\nmode = legacy\nmin_uid = 1\nmax_uid = 4294967294\n"
		 "socket = %s\nstate_dir = %s/state\n"
		 "[legacy]\ndriver = sqlite\nconnection = %s\nallow_empty_password = yes\n"
		 "[queries]\n"
		 "login = SELECT username, uid, password,\n"
		 "  CASE WHEN active = 1 THEN 0 ELSE 1 END AS disabled\n"
		 "  FROM users WHERE username = :username\n"
		 "get_user = SELECT username, uid FROM users WHERE username = :username\n",
		 sock, dir, path);
	snprintf(path, sizeof(path), "%s/customdb.conf", dir);
	write_file(path, text);

	snprintf(confdir, sizeof(confdir), "%s/pam.d", dir);
	ck_assert_int_eq(mkdir(confdir, 0755), 0);
	snprintf(text, sizeof(text),
		 "auth required %s socket=%s\naccount required %s socket=%s\n"
		 "password required %s socket=%s\n",
		 PAM_MODULE, sock, PAM_MODULE, sock, PAM_MODULE, sock);
	snprintf(path, sizeof(path), "%s/" SERVICE, confdir);
	write_file(path, text);
	/* a socket no daemon listens on */
	snprintf(text, sizeof(text),
		 "auth required %s socket=%s/absent\naccount required %s socket=%s/absent\n",
		 PAM_MODULE, dir, PAM_MODULE, dir);
	snprintf(path, sizeof(path), "%s/" SERVICE_NO_DAEMON, confdir);
	write_file(path, text);
}

/* Does the daemon accept connections at sock yet? */
static int daemon_listens(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	ck_assert_int_ge(fd, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static void print_daemon_log(void)
{
	char path[128], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/daemon.log", dir);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	fprintf(stderr, "--- %s\n", path);
	while (fgets(line, sizeof(line), f) != NULL)
		fputs(line, stderr);
	fclose(f);
}

static void start_daemon(void)
{
	char conf[128], log[128];
	time_t deadline = time(NULL) + START_WAIT_S;
	int fd, status;

	snprintf(conf, sizeof(conf), "%s/customdb.conf", dir);
	snprintf(log, sizeof(log), "%s/daemon.log", dir);
	daemon_pid = fork();
	ck_assert_int_ge(daemon_pid, 0);
	if (daemon_pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execl(CUSTOMDBD, CUSTOMDBD, "-c", conf, "-f", "-d", (char *)NULL);
		_exit(127);
	}
	while (!daemon_listens()) {
		if (waitpid(daemon_pid, &status, WNOHANG) == daemon_pid) {
			daemon_pid = -1;
			print_daemon_log();
			ck_abort_msg("customdbd exited at start (status %d)", status);
		}
		if (time(NULL) > deadline) {
			kill(daemon_pid, SIGKILL);
			waitpid(daemon_pid, &status, 0);
			daemon_pid = -1;
			print_daemon_log();
			ck_abort_msg("customdbd did not listen on %s within %d s", sock,
				     START_WAIT_S);
		}
		usleep(10 * 1000);
	}
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_pam.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/socket", dir);
	make_config();
	start_daemon();
}

static void teardown(void)
{
	char cmd[128];
	int status = 0;

	if (daemon_pid > 0) {
		kill(daemon_pid, SIGTERM);
		ck_assert_int_eq(waitpid(daemon_pid, &status, 0), daemon_pid);
		daemon_pid = -1;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			print_daemon_log();
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "customdbd stopped with status %d", status);
}

/* The conversation: the next of answers for every hidden prompt. */
static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	int i;

	(void)data;
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF)
			continue;
		r[i].resp = strdup(answered < 3 && answers[answered] != NULL ? answers[answered] : "");
		answered++;
		if (r[i].resp == NULL)
			goto fail;
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	while (i-- > 0)
		free(r[i].resp);
	free(r);
	return PAM_BUF_ERR;
}

/* Start service for user, with the conversation answering a, b, c. */
static pam_handle_t *start(const char *service, const char *user, const char *a, const char *b,
			   const char *c)
{
	static const struct pam_conv cv = { conv, NULL };
	pam_handle_t *pamh = NULL;

	answers[0] = a;
	answers[1] = b;
	answers[2] = c;
	answered = 0;
	ck_assert_int_eq(pam_start_confdir(service, user, &cv, confdir, &pamh), PAM_SUCCESS);
	return pamh;
}

/* pam_authenticate, or pam_acct_mgmt when acct, for user with pw through
 * service. */
static int run(const char *service, const char *user, const char *pw, bool acct)
{
	pam_handle_t *pamh = start(service, user, pw, NULL, NULL);
	int rc = acct ? pam_acct_mgmt(pamh, PAM_SILENT) : pam_authenticate(pamh, PAM_SILENT);

	pam_end(pamh, rc);
	return rc;
}

/* pam_chauthtok as after a login that must change the password (so the
 * old one is asked even of root), answering old, then new twice. */
static int chauthtok(const char *user, const char *old, const char *new_pw)
{
	pam_handle_t *pamh = start(SERVICE, user, old, new_pw, new_pw);
	int rc = pam_chauthtok(pamh, PAM_SILENT | PAM_CHANGE_EXPIRED_AUTHTOK);

	pam_end(pamh, rc);
	return rc;
}

static int authenticate(const char *user, const char *pw)
{
	return run(SERVICE, user, pw, false);
}

static int account(const char *user)
{
	return run(SERVICE, user, "", true);
}

START_TEST(right_password)
{
	ck_assert_int_eq(authenticate("alice", "alice-pw"), PAM_SUCCESS);
	ck_assert_int_eq(account("alice"), PAM_SUCCESS);
}
END_TEST

START_TEST(wrong_password)
{
	ck_assert_int_eq(authenticate("alice", "alice-pw2"), PAM_AUTH_ERR);
	ck_assert_int_eq(authenticate("alice", ""), PAM_AUTH_ERR);
}
END_TEST

START_TEST(unknown_user)
{
	ck_assert_int_eq(authenticate("nosuchuser", "alice-pw"), PAM_USER_UNKNOWN);
	ck_assert_int_eq(account("nosuchuser"), PAM_USER_UNKNOWN);
	/* never asked for: not a name customdb answers for */
	ck_assert_int_eq(authenticate("root", "x"), PAM_USER_UNKNOWN);
}
END_TEST

START_TEST(daemon_absent)
{
	ck_assert_int_eq(run(SERVICE_NO_DAEMON, "alice", "alice-pw", false), PAM_AUTHINFO_UNAVAIL);
	ck_assert_int_eq(run(SERVICE_NO_DAEMON, "alice", "", true), PAM_AUTHINFO_UNAVAIL);
}
END_TEST

START_TEST(disabled_account)
{
	/* as pam_unix: the password is right, the account step refuses */
	ck_assert_int_eq(authenticate("carol", "carol-pw"), PAM_SUCCESS);
	ck_assert_int_eq(account("carol"), PAM_PERM_DENIED);
}
END_TEST

/* A password over CDB_MAX_PASSWORD bytes is refused outright: never cut,
 * never emptied (which let it match an empty stored password), never a
 * request too large for the protocol (which said the daemon was away). */
START_TEST(too_long_password)
{
	char *pw1024 = repeat_p(CDB_MAX_PASSWORD);
	char *pw1025 = repeat_p(CDB_MAX_PASSWORD + 1);
	char *huge = repeat_p(CDB_MAX_STRING + 1);

	/* the fixture: nopass's password is the empty one */
	ck_assert_int_eq(authenticate("nopass", ""), PAM_SUCCESS);
	ck_assert_int_eq(authenticate("nopass", pw1025), PAM_AUTH_ERR);
	ck_assert_int_eq(authenticate("nopass", huge), PAM_AUTH_ERR);
	/* the longest password allowed still works; one byte more does not */
	ck_assert_int_eq(authenticate("longpw", pw1024), PAM_SUCCESS);
	ck_assert_int_eq(authenticate("longpw", pw1025), PAM_AUTH_ERR);
	ck_assert_int_eq(authenticate("alice", huge), PAM_AUTH_ERR);
	free(pw1024);
	free(pw1025);
	free(huge);
}
END_TEST

/* The same for the old and the new password of a change. */
START_TEST(too_long_password_change)
{
	char *pw1025 = repeat_p(CDB_MAX_PASSWORD + 1);

	ck_assert_int_eq(chauthtok("nopass", pw1025, "nopass-new-pw"), PAM_AUTH_ERR);
	ck_assert_int_eq(chauthtok("alice", "alice-pw", pw1025), PAM_AUTHTOK_ERR);
	ck_assert_int_eq(authenticate("alice", "alice-pw"), PAM_SUCCESS);
	ck_assert_int_eq(authenticate("nopass", ""), PAM_SUCCESS);
	free(pw1025);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("pam");
	TCase *tc = tcase_create("module");

	/* one daemon for every test, started in the runner's own process */
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, right_password);
	tcase_add_test(tc, wrong_password);
	tcase_add_test(tc, unknown_user);
	tcase_add_test(tc, daemon_absent);
	tcase_add_test(tc, disabled_account);
	tcase_add_test(tc, too_long_password);
	tcase_add_test(tc, too_long_password_change);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
