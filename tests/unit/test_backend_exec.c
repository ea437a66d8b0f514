/* test_backend_exec.c: driver = exec's protocol with a real script run as
 * nobody: what each action gets on stdin (the values its command line
 * names; the password only for login and change_password), and how exit
 * status and answer become a result. Needs root and python3; skipped
 * otherwise. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "query.h"

/* Answers with its own request in gecos; the user name says how to exit. */
static const char script[] =
	"#!/usr/bin/python3 -I\n"
	"import json, sys\n"
	"raw = sys.stdin.read()\n"
	"name = json.loads(raw).get('username')\n"
	"row = {'username': name, 'uid': 10001, 'gecos': raw}\n"
	"if name == 'nosuch': sys.exit(1)\n"
	"if name == 'three': sys.exit(3)\n"
	"if name == 'garbage': print('<html>'); sys.exit(0)\n"
	"if name == 'hash': row['password'] = '$6$x$y'\n"
	"json.dump(row, sys.stdout)\n"
	"sys.exit(1 if name == 'wrong' else 0)\n";

static char dir[64];
static char path[256];
static struct backend *b;

static void setup(void)
{
	struct backend_params p = { .run_as = "nobody", .query_timeout = 20,
				    .max_output = 65536 };
	char err[256] = "";
	FILE *f;

	/* afresh for each test: CK_FORK=no runs them all in one process */
	snprintf(dir, sizeof(dir), "/tmp/test-backend-exec.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	chmod(dir, 0755);
	snprintf(path, sizeof(path), "%s/echo.py", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(script, f);
	fclose(f);
	chmod(path, 0755);
	b = backend_exec_ops.open(&p, err, sizeof(err));
	ck_assert_msg(b != NULL, "%s", err);
}

static void teardown(void)
{
	backend_exec_ops.close(b);
	unlink(path);
	rmdir(dir);
}

/* Run action `name` for user with password pw (as the connector gives
 * them); the command is cmd, or when NULL the script naming :username,
 * :password_hash and :password. Returns the backend rc, *r the result. */
static int run(const char *name, const char *cmd, const char *user, const char *pw,
	       struct result **r, char *err, size_t errlen)
{
	struct query q = { 0 };
	struct query_args a = { 0 };
	const char *values[QUERY_MAX_PARAMS];
	char qerr[256], all[300];
	int rc;

	snprintf(all, sizeof(all), "%s :username :password_hash :password", path);
	ck_assert_msg(query_parse(&q, name, cmd != NULL ? cmd : all, qerr, sizeof(qerr)) == 0,
		      "%s", qerr);
	a.v[QP_USERNAME] = user;
	a.v[QP_PASSWORD_HASH] = "$2b$12$hash";
	a.v[QP_PASSWORD] = pw;
	query_bind(&q, &a, values);
	rc = backend_exec_ops.query(b, &q, values, r, err, errlen);
	query_clear(&q);
	return rc;
}

/* The request the script saw (its gecos), from a one-row result. */
static const char *request_of(const struct result *r)
{
	ck_assert_uint_eq(r->nrows, 1);
	ck_assert_int_ge(result_column(r, "gecos"), 0);
	return result_cell(r, 0, (size_t)result_column(r, "gecos"));
}

START_TEST(test_password_only_where_due)
{
	static const char *const gets[] = { "login", "change_password" };
	static const char *const not[] = { "get_user", "create", "verify", "delete",
					   "change_email", "list_users", "user_groups" };
	struct result *r;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
		ck_assert_int_eq(run(gets[i], NULL, "alice", "s3cret-pw", &r, err, sizeof(err)),
				 BACKEND_OK);
		ck_assert_msg(strstr(request_of(r), "\"password\":\"s3cret-pw\"") != NULL, "%s: %s",
			      gets[i], request_of(r));
		ck_assert_ptr_nonnull(strstr(request_of(r), "\"action\":"));
		result_free(r);
	}
	for (i = 0; i < sizeof(not) / sizeof(not[0]); i++) {
		ck_assert_int_eq(run(not[i], NULL, "alice", "s3cret-pw", &r, err, sizeof(err)),
				 BACKEND_OK);
		ck_assert_msg(strstr(request_of(r), "s3cret-pw") == NULL, "%s got it: %s", not[i],
			      request_of(r));
		ck_assert_ptr_nonnull(strstr(request_of(r), "\"password\":null"));
		result_free(r);
	}
}
END_TEST

START_TEST(test_request_holds_the_values)
{
	struct result *r;
	char err[512], cmd[300];

	ck_assert_int_eq(run("change_password", NULL, "alice", "new-pw", &r, err, sizeof(err)),
			 BACKEND_OK);
	ck_assert_str_eq(request_of(r), "{\"action\":\"change_password\",\"username\":\"alice\","
			 "\"password_hash\":\"$2b$12$hash\",\"password\":\"new-pw\"}");
	ck_assert_int_eq(r->affected, 1);
	result_free(r);
	/* only what the command line names, and the :words are no arguments */
	snprintf(cmd, sizeof(cmd), "%s :username", path);
	ck_assert_int_eq(run("login", cmd, "alice", "pw", &r, err, sizeof(err)), BACKEND_OK);
	ck_assert_str_eq(request_of(r), "{\"action\":\"login\",\"username\":\"alice\"}");
	result_free(r);
}
END_TEST

START_TEST(test_login_outcomes)
{
	struct result *r;
	char err[512];

	char cmd[300];

	/* exit 0: right */
	ck_assert_int_eq(run("login", NULL, "alice", "pw", &r, err, sizeof(err)), BACKEND_OK);
	ck_assert_uint_eq(r->nrows, 1);
	result_free(r);
	/* printed with exit 1: the user exists, the password is wrong */
	ck_assert_int_eq(run("login", NULL, "wrong", "pw", &r, err, sizeof(err)), BACKEND_DENIED);
	ck_assert_ptr_null(r);
	/* nothing with exit 1: no such user */
	ck_assert_int_eq(run("login", NULL, "nosuch", "pw", &r, err, sizeof(err)), BACKEND_OK);
	ck_assert_uint_eq(r->nrows, 0);
	ck_assert_int_eq(r->affected, 0);
	result_free(r);
	/* a login not given :password prints the stored hash, for customdb */
	snprintf(cmd, sizeof(cmd), "%s :username", path);
	ck_assert_int_eq(run("login", cmd, "hash", "pw", &r, err, sizeof(err)), BACKEND_OK);
	ck_assert_int_ge(result_column(r, "password"), 0);
	result_free(r);
	/* printed with exit 1 by an action with no password: not found */
	ck_assert_int_eq(run("get_user", NULL, "wrong", "pw", &r, err, sizeof(err)), BACKEND_OK);
	ck_assert_uint_eq(r->nrows, 0);
	result_free(r);
}
END_TEST

START_TEST(test_errors)
{
	struct result *r;
	char err[512], cmd[300];

	ck_assert_int_eq(run("get_user", NULL, "three", NULL, &r, err, sizeof(err)),
			 BACKEND_UNAVAILABLE);
	ck_assert_msg(strstr(err, "exit status 3") != NULL, "%s", err);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(run("get_user", NULL, "garbage", NULL, &r, err, sizeof(err)),
			 BACKEND_UNAVAILABLE);
	ck_assert_msg(strstr(err, "not usable") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "html") == NULL, "%s", err);
	snprintf(cmd, sizeof(cmd), "%s --user=:username", path);
	ck_assert_int_eq(run("get_user", cmd, "alice", NULL, &r, err, sizeof(err)), BACKEND_ERROR);
	ck_assert_msg(strstr(err, "a parameter must be a word of its own") != NULL, "%s", err);
	ck_assert_int_eq(run("get_user", "/no/such/script", "alice", NULL, &r, err, sizeof(err)),
			 BACKEND_ERROR);
	ck_assert_msg(strstr(err, "No such file") != NULL, "%s", err);
	ck_assert_int_eq(run("get_user", "relative/script", "alice", NULL, &r, err, sizeof(err)),
			 BACKEND_ERROR);
	ck_assert_msg(strstr(err, "absolute path") != NULL, "%s", err);
	/* a script, or its directory, that another than root could change */
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	ck_assert_int_eq(run("get_user", NULL, "alice", NULL, &r, err, sizeof(err)), BACKEND_ERROR);
	ck_assert_msg(strstr(err, "must be owned by root") != NULL, "%s", err);
	ck_assert_int_eq(chown(path, 0, 0), 0);
	ck_assert_int_eq(chmod(dir, 0775), 0);
	ck_assert_int_eq(run("get_user", NULL, "alice", NULL, &r, err, sizeof(err)), BACKEND_ERROR);
	ck_assert_msg(strstr(err, "writable by no one else") != NULL, "%s", err);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(run("get_user", NULL, "alice", NULL, &r, err, sizeof(err)), BACKEND_OK);
	result_free(r);
}
END_TEST

START_TEST(test_never_root)
{
	struct backend_params p = { .run_as = "root", .query_timeout = 5, .max_output = 4096 };
	char err[256] = "";

	ck_assert_ptr_null(backend_exec_ops.open(&p, err, sizeof(err)));
	ck_assert_msg(strstr(err, "root") != NULL, "%s", err);
	p.run_as = "0";
	ck_assert_ptr_null(backend_exec_ops.open(&p, err, sizeof(err)));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("backend_exec");
	TCase *tc = tcase_create("protocol");

	if (geteuid() != 0 || access("/usr/bin/python3", X_OK) != 0) {
		fprintf(stderr, "test_backend_exec: needs root and python3, skipped\n");
		return s;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_password_only_where_due);
	tcase_add_test(tc, test_request_holds_the_values);
	tcase_add_test(tc, test_login_outcomes);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_never_root);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
