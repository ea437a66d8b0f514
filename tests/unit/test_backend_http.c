/* test_backend_http.c: driver = http without a server: the base URL's
 * rules, the request template's errors, and a refused connection as
 * "unavailable" (connector/backend/backend_http.c). The service itself is
 * tests/integration/http.sh's. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"

/* Open connection (with password, or NULL); must fail saying needle. */
static void open_fails(const char *connection, const char *password, const char *needle)
{
	struct backend_params p = { .connection = connection, .password = password,
				    .connect_timeout = 1, .query_timeout = 1 };
	char err[256] = "";
	struct backend *b = backend_http_ops.open(&p, err, sizeof(err));

	ck_assert_msg(b == NULL, "%s opened", connection);
	ck_assert_msg(strstr(err, needle) != NULL, "'%s' not in '%s'", needle, err);
	if (password != NULL)
		ck_assert_ptr_null(strstr(err, password));
}

START_TEST(test_base_url)
{
	open_fails("ftp://example.org/", NULL, "is not an https:// URL");
	open_fails("not a url at all", NULL, "not");
	open_fails("http://example.org/api", NULL, "plain http:// only to a loopback address");
	open_fails("https://svc:hunter22@example.org/api", NULL, "put it in password_file");
	open_fails("https://example.org/api?x=1", NULL, "takes no ?query");
	open_fails("https://example.org/api", "hunter22", "connection names no account");
}
END_TEST

/* Run the request text as query "get_user" against a closed port on the
 * loopback address; returns the backend rc, err filled. */
static int run(const char *text, const char *const *values, char *err, size_t errlen)
{
	struct backend_params p = { .connection = "http://svc@127.0.0.1:1/api/",
				    .password = "svc-secret-pw", .connect_timeout = 1,
				    .query_timeout = 1 };
	struct result *r = NULL;
	struct query q;
	char perr[128];
	struct backend *b;
	int rc;

	memset(&q, 0, sizeof(q));
	ck_assert_int_eq(query_parse(&q, "get_user", text, perr, sizeof(perr)), 0);
	b = backend_http_ops.open(&p, err, errlen);
	ck_assert_msg(b != NULL, "%s", err);
	rc = backend_http_ops.query(b, &q, values, &r, err, errlen);
	ck_assert_ptr_null(r);
	backend_http_ops.close(b);
	query_clear(&q);
	return rc;
}

static void template_fails(const char *text, const char *needle)
{
	const char *values[] = { "alice", "alice-pw", "x" };
	char err[256] = "";

	ck_assert_int_eq(run(text, values, err, sizeof(err)), BACKEND_ERROR);
	ck_assert_msg(strstr(err, needle) != NULL, "'%s' not in '%s'", needle, err);
	ck_assert_msg(strstr(err, "query get_user") != NULL, "%s", err);
}

START_TEST(test_template_errors)
{
	template_fails("FETCH /users/:username", "starts with 'FETCH', not a method");
	template_fails("get /users/:username", "not a method");
	template_fails("GET users/:username", "must start with '/'");
	template_fails("GET", "must start with '/'");
	template_fails("GET /users/:username AUTH :username", "AUTH takes two parameters");
	template_fails("GET /users/:username AUTH alice :password", "AUTH takes two parameters");
	template_fails("GET /price$1/:username", "'$' followed by a digit");
}
END_TEST

START_TEST(test_refused_is_unavailable)
{
	const char *values[] = { "alice", "alice", "alice-pw" };  /* per occurrence */
	char err[512] = "";

	ck_assert_int_eq(run("GET /users/:username AUTH :username :password", values, err,
			     sizeof(err)), BACKEND_UNAVAILABLE);
	ck_assert_msg(strstr(err, "http: query get_user: ") == err, "%s", err);
	ck_assert_msg(strstr(err, "onnect") != NULL, "%s", err);
	/* neither the user's nor the service account's password is told */
	ck_assert_ptr_null(strstr(err, "alice-pw"));
	ck_assert_ptr_null(strstr(err, "svc-secret-pw"));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("backend_http");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_base_url);
	tcase_add_test(tc, test_template_errors);
	tcase_add_test(tc, test_refused_is_unavailable);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
