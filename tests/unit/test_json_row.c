/* test_json_row.c: JSON answers into result rows, and parameters into a
 * JSON object (connector/backend/json_row.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_row.h"

/* Parse s, which must succeed. */
static struct result *rows_ok(const char *s)
{
	struct result *r = NULL;
	char err[256] = "";
	int rc = json_rows_parse(s, strlen(s), 1 << 20, &r, err, sizeof(err));

	ck_assert_msg(rc == JSON_ROW_OK, "%s: %s (%s)", s, json_row_rc_name(rc), err);
	ck_assert_ptr_nonnull(r);
	return r;
}

/* Parse len bytes of s, which must fail with rc and a message holding needle. */
static void rows_fail_n(const char *s, size_t len, size_t max, int want, const char *needle)
{
	struct result *r = (struct result *)1;
	char err[256] = "";
	int rc = json_rows_parse(s, len, max, &r, err, sizeof(err));

	ck_assert_msg(rc == want, "%.*s: %s, not %s (%s)", (int)len, s, json_row_rc_name(rc),
		      json_row_rc_name(want), err);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err, needle) != NULL, "'%s' not in '%s'", needle, err);
}

static void rows_fail(const char *s, int want, const char *needle)
{
	rows_fail_n(s, strlen(s), 1 << 20, want, needle);
}

static const char *cell(const struct result *r, size_t row, const char *col)
{
	int c = result_column(r, col);

	ck_assert_msg(c >= 0, "no column %s", col);
	return result_cell(r, row, (size_t)c);
}

START_TEST(test_object_is_one_row)
{
	struct result *r = rows_ok("{\"username\": \"alice\", \"uid\": 10001, \"disabled\": false,"
				   " \"email_verified\": true, \"gecos\": null, \"expires\": 1.5,"
				   " \"Shell\": \"/bin/sh\"}");

	ck_assert_uint_eq(r->nrows, 1);
	ck_assert_uint_eq(r->ncols, 7);
	ck_assert_str_eq(r->colnames[0], "username");
	ck_assert_str_eq(cell(r, 0, "username"), "alice");
	ck_assert_str_eq(cell(r, 0, "uid"), "10001");
	ck_assert_str_eq(cell(r, 0, "disabled"), "false");
	ck_assert_str_eq(cell(r, 0, "email_verified"), "true");
	ck_assert_ptr_null(cell(r, 0, "gecos"));
	ck_assert_str_eq(cell(r, 0, "expires"), "1.5");
	/* names match as SQL columns do: case-insensitively */
	ck_assert_str_eq(cell(r, 0, "shell"), "/bin/sh");
	result_free(r);
}
END_TEST

START_TEST(test_array_of_objects)
{
	struct result *r = rows_ok("[{\"group\": \"staff\", \"gid\": 20001, \"members\": [\"alice\","
				   " \"bob\"]}, {\"gid\": \"20002\", \"group\": \"dev\"},"
				   " {\"group\": \"none\", \"gid\": 3, \"members\": []}]");

	ck_assert_uint_eq(r->nrows, 3);
	ck_assert_uint_eq(r->ncols, 3);
	ck_assert_str_eq(cell(r, 0, "members"), "alice,bob");
	ck_assert_str_eq(cell(r, 1, "group"), "dev");
	ck_assert_str_eq(cell(r, 1, "gid"), "20002");
	/* a field a row lacks is NULL */
	ck_assert_ptr_null(cell(r, 1, "members"));
	ck_assert_str_eq(cell(r, 2, "members"), "");
	result_free(r);
}
END_TEST

START_TEST(test_empty_is_not_found)
{
	struct result *r = rows_ok("[]");

	/* no rows, but the key columns: "not found", not "no username column" */
	ck_assert_uint_eq(r->nrows, 0);
	ck_assert_int_ge(result_column(r, "username"), 0);
	ck_assert_int_ge(result_column(r, "uid"), 0);
	ck_assert_int_ge(result_column(r, "group"), 0);
	ck_assert_int_ge(result_column(r, "gid"), 0);
	result_free(r);
	r = rows_ok("{}");
	ck_assert_uint_eq(r->nrows, 1);
	ck_assert_uint_eq(r->ncols, 0);
	result_free(r);
}
END_TEST

START_TEST(test_not_json)
{
	rows_fail("<html>Internal Server Error</html>", JSON_ROW_SYNTAX, "invalid syntax at line 1");
	rows_fail("", JSON_ROW_SYNTAX, "ends early");
	rows_fail("{\"username\": \"alice\"", JSON_ROW_SYNTAX, "ends early");
	rows_fail("{\"a\": 1} {\"a\": 2}", JSON_ROW_SYNTAX, "more after");
	rows_fail("{\"uid\": 1, \"uid\": 2}", JSON_ROW_SYNTAX, "named twice");
	rows_fail("{\"uid\": 1e999}", JSON_ROW_SYNTAX, "out of range");
	rows_fail("{\"uid\": 99999999999999999999999}", JSON_ROW_SYNTAX, "out of range");
	rows_fail("{\"username\": \"a\\u0000b\"}", JSON_ROW_SYNTAX, "NUL");
	/* the answer's bytes are never quoted: they may hold a hash */
	rows_fail("{\"password\": \"$2y$10$secret\" oops}", JSON_ROW_SYNTAX, "line 1, column");
	{
		struct result *r = NULL;
		char err[256];

		json_rows_parse("{\"password\": \"$2y$10$secret\" oops}", 33, 1000, &r, err,
				sizeof(err));
		ck_assert_ptr_null(strstr(err, "secret"));
		ck_assert_ptr_null(strstr(err, "oops"));
	}
}
END_TEST

START_TEST(test_invalid_utf8)
{
	static const char bad[] = "{\"username\": \"al\xff" "ce\"}";
	static const char overlong[] = "{\"username\": \"\xc0\xaf\"}";
	static const char surrogate[] = "{\"username\": \"\xed\xa0\x80\"}";

	rows_fail(bad, JSON_ROW_SYNTAX, "invalid UTF-8");
	rows_fail(overlong, JSON_ROW_SYNTAX, "invalid UTF-8");
	rows_fail(surrogate, JSON_ROW_SYNTAX, "invalid UTF-8");
	/* a NUL byte in the raw input is not the end of it */
	rows_fail_n("{\"a\": 1}\0{", 10, 100, JSON_ROW_SYNTAX, "");
}
END_TEST

START_TEST(test_wrong_shape)
{
	rows_fail("\"alice\"", JSON_ROW_SHAPE, "a JSON string");
	rows_fail("42", JSON_ROW_SHAPE, "a JSON number");
	rows_fail("null", JSON_ROW_SHAPE, "a JSON null");
	rows_fail("true", JSON_ROW_SHAPE, "a JSON boolean");
	rows_fail("[{\"a\": 1}, 2]", JSON_ROW_SHAPE, "element 1 is not an object");
	rows_fail("[[{\"a\": 1}]]", JSON_ROW_SHAPE, "element 0 is not an object");
	rows_fail("{\"uid\": 1, \"UID\": 2}", JSON_ROW_SHAPE, "differ only in case");
}
END_TEST

START_TEST(test_wrong_types)
{
	rows_fail("{\"user\": {\"name\": \"alice\"}}", JSON_ROW_TYPE, "'user' is an object");
	rows_fail("{\"members\": [[\"a\"]]}", JSON_ROW_TYPE, "'members' is an array");
	rows_fail("{\"members\": [\"a,b\"]}", JSON_ROW_TYPE, "holding a comma");
	rows_fail("{\"members\": [true]}", JSON_ROW_TYPE, "'members' is an array");
	rows_fail("[{\"a\": 1}, {\"a\": {}}]", JSON_ROW_TYPE, "row 1");
}
END_TEST

START_TEST(test_limits)
{
	char *big;
	size_t i, o = 0;

	/* over max_len: refused without being parsed */
	rows_fail_n("{\"a\": 1}", 8, 7, JSON_ROW_TOO_BIG, "more than the 7 allowed");
	/* too many distinct fields */
	big = malloc(64 * 1024);
	ck_assert_ptr_nonnull(big);
	big[o++] = '{';
	for (i = 0; i <= JSON_ROW_MAX_COLS; i++)
		o += (size_t)sprintf(big + o, "%s\"f%zu\": %zu", i ? ", " : "", i, i);
	big[o++] = '}';
	big[o] = '\0';
	rows_fail(big, JSON_ROW_TOO_BIG, "distinct fields");
	/* many rows of nothing are fine: no cells */
	o = 0;
	big[o++] = '[';
	for (i = 0; i < 10000; i++)
		o += (size_t)sprintf(big + o, "%s{}", i ? "," : "");
	big[o++] = ']';
	big[o] = '\0';
	{
		struct result *r = rows_ok(big);

		ck_assert_uint_eq(r->nrows, 10000);
		result_free(r);
	}
	free(big);
	/* deep nesting is jansson's to refuse, not a stack overflow */
	big = malloc(200001);
	ck_assert_ptr_nonnull(big);
	memset(big, '[', 200000);
	big[200000] = '\0';
	rows_fail(big, JSON_ROW_SYNTAX, "");
	free(big);
}
END_TEST

START_TEST(test_params_object)
{
	struct query q;
	const char *values[QUERY_MAX_PARAMS];
	struct query_args a = { .v = { [QP_USERNAME] = "alice", [QP_PASSWORD_HASH] = "x\"y\\z\n" } };
	char err[128], *s;

	memset(&q, 0, sizeof(q));
	ck_assert_int_eq(query_parse(&q, "change_password",
				     "PUT /users/:username {\"hash\": :password_hash, \"u\": "
				     ":username, \"e\": :email}", err, sizeof(err)), 0);
	query_bind(&q, &a, values);
	s = json_params_object(&q, values, "change_password");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "{\"action\":\"change_password\",\"username\":\"alice\","
			 "\"password_hash\":\"x\\\"y\\\\z\\n\",\"email\":null}");
	free(s);
	s = json_params_object(&q, values, NULL);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(strstr(s, "action"));
	free(s);
	/* a value that is not UTF-8 cannot be sent as JSON */
	a.v[QP_USERNAME] = "al\xff";
	query_bind(&q, &a, values);
	ck_assert_ptr_null(json_params_object(&q, values, NULL));
	query_clear(&q);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("json_row");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_object_is_one_row);
	tcase_add_test(tc, test_array_of_objects);
	tcase_add_test(tc, test_empty_is_not_found);
	tcase_add_test(tc, test_not_json);
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_wrong_shape);
	tcase_add_test(tc, test_wrong_types);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_params_object);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
