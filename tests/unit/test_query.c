/* test_query.c: named parameters to $N / ?, outside literals and comments. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "query.h"

/* Parse sql, which must succeed, into q. */
static void parse_ok(struct query *q, const char *sql)
{
	char err[256] = "";

	memset(q, 0, sizeof(*q));
	ck_assert_msg(query_parse(q, "login", sql, err, sizeof(err)) == 0, "%s: %s", sql, err);
	ck_assert_str_eq(q->name, "login");
	ck_assert_str_eq(q->sql, sql);
}

/* Parse sql, which must fail with a message holding `needle`. */
static void parse_fails(const char *sql, const char *needle)
{
	char err[256] = "";
	struct query q;

	memset(&q, 0, sizeof(q));
	ck_assert_msg(query_parse(&q, "login", sql, err, sizeof(err)) == -1, "accepted: %s", sql);
	ck_assert_msg(strstr(err, needle) != NULL, "'%s' not in '%s'", needle, err);
	/* a failed parse leaves nothing behind */
	ck_assert_ptr_null(q.sql);
	ck_assert_ptr_null(q.sql_dollar);
	ck_assert_uint_eq(q.nparams, 0);
}

/* sql has no parameters: both forms are the text unchanged. */
static void untouched(const char *sql)
{
	struct query q;

	parse_ok(&q, sql);
	ck_assert_uint_eq(q.nparams, 0);
	ck_assert_str_eq(q.sql_dollar, sql);
	ck_assert_str_eq(q.sql_qmark, sql);
	query_clear(&q);
}

START_TEST(test_single_param)
{
	struct query q;

	parse_ok(&q, "SELECT * FROM users WHERE name = :username");
	ck_assert_uint_eq(q.nparams, 1);
	ck_assert_int_eq(q.params[0], QP_USERNAME);
	ck_assert_str_eq(q.sql_dollar, "SELECT * FROM users WHERE name = $1");
	ck_assert_str_eq(q.sql_qmark, "SELECT * FROM users WHERE name = ?");
	query_clear(&q);
	ck_assert_ptr_null(q.sql);

	/* at the very start, followed by punctuation */
	parse_ok(&q, ":uid,(:gid)");
	ck_assert_uint_eq(q.nparams, 2);
	ck_assert_str_eq(q.sql_dollar, "$1,($2)");
	ck_assert_str_eq(q.sql_qmark, "?,(?)");
	query_clear(&q);
}
END_TEST

START_TEST(test_all_param_names)
{
	struct query q;

	parse_ok(&q, "CALL f(:username, :uid, :gid, :group, :password_hash, :email)");
	ck_assert_uint_eq(q.nparams, 6);
	ck_assert_int_eq(q.params[0], QP_USERNAME);
	ck_assert_int_eq(q.params[1], QP_UID);
	ck_assert_int_eq(q.params[2], QP_GID);
	ck_assert_int_eq(q.params[3], QP_GROUP);
	ck_assert_int_eq(q.params[4], QP_PASSWORD_HASH);
	ck_assert_int_eq(q.params[5], QP_EMAIL);
	ck_assert_str_eq(q.sql_dollar, "CALL f($1, $2, $3, $4, $5, $6)");
	ck_assert_str_eq(q.sql_qmark, "CALL f(?, ?, ?, ?, ?, ?)");
	query_clear(&q);
	ck_assert_str_eq(query_param_name(QP_PASSWORD_HASH), "password_hash");
	/* the password as typed, for sources that check it themselves */
	parse_ok(&q, "GET /users/:username AUTH :username :password");
	ck_assert_uint_eq(q.nparams, 3);
	ck_assert_int_eq(q.params[2], QP_PASSWORD);
	query_clear(&q);
	ck_assert_str_eq(query_param_name(QP_COUNT_), "?");
}
END_TEST

START_TEST(test_repeated_param)
{
	struct query q;

	/* each occurrence is its own placeholder, as '?' needs */
	parse_ok(&q, "SELECT 1 WHERE name = :username OR email = :email OR login = :username");
	ck_assert_uint_eq(q.nparams, 3);
	ck_assert_int_eq(q.params[0], QP_USERNAME);
	ck_assert_int_eq(q.params[1], QP_EMAIL);
	ck_assert_int_eq(q.params[2], QP_USERNAME);
	ck_assert_str_eq(q.sql_dollar, "SELECT 1 WHERE name = $1 OR email = $2 OR login = $3");
	ck_assert_str_eq(q.sql_qmark, "SELECT 1 WHERE name = ? OR email = ? OR login = ?");
	query_clear(&q);
}
END_TEST

START_TEST(test_casts_untouched)
{
	struct query q;

	untouched("SELECT id::text, created::timestamptz FROM t");
	parse_ok(&q, "SELECT 1 FROM t WHERE id = :uid::integer - 10000");
	ck_assert_uint_eq(q.nparams, 1);
	ck_assert_int_eq(q.params[0], QP_UID);
	ck_assert_str_eq(q.sql_dollar, "SELECT 1 FROM t WHERE id = $1::integer - 10000");
	ck_assert_str_eq(q.sql_qmark, "SELECT 1 FROM t WHERE id = ?::integer - 10000");
	query_clear(&q);
	/* a colon glued to an identifier is not a parameter (e.g. a:b) */
	untouched("SELECT a:username FROM t");
	/* a lone colon, or one before a non-identifier */
	untouched("SELECT ':' , : , :- FROM t");
}
END_TEST

START_TEST(test_literals_untouched)
{
	struct query q;

	untouched("SELECT ':username' FROM t");
	untouched("SELECT \":username\" FROM t");
	untouched("SELECT `:username` FROM t");
	untouched("SELECT 'it''s :username' FROM t");       /* doubled quote */
	untouched("SELECT \"a\"\":uid\" FROM t");
	untouched("SELECT 'a\\':uid' FROM t");               /* MySQL backslash escape */
	untouched("SELECT '' , '''' FROM t");
	untouched("SELECT 1 -- where name = :username");
	untouched("SELECT 1 /* :username */ FROM t");
	untouched("SELECT 1 /* :uid\n :gid */ FROM t");

	/* a parameter right after each of those is still found */
	parse_ok(&q, "SELECT 'it''s' AS a, \":x\" AS b -- :uid\n FROM t /* :gid */ WHERE n = :username");
	ck_assert_uint_eq(q.nparams, 1);
	ck_assert_int_eq(q.params[0], QP_USERNAME);
	ck_assert_str_eq(q.sql_dollar,
			 "SELECT 'it''s' AS a, \":x\" AS b -- :uid\n FROM t /* :gid */ WHERE n = $1");
	ck_assert_str_eq(q.sql_qmark,
			 "SELECT 'it''s' AS a, \":x\" AS b -- :uid\n FROM t /* :gid */ WHERE n = ?");
	query_clear(&q);
}
END_TEST

START_TEST(test_unterminated)
{
	parse_fails("SELECT 'abc FROM t WHERE n = :username", "unterminated");
	parse_fails("SELECT \"abc FROM t", "unterminated");
	parse_fails("SELECT `abc FROM t", "unterminated");
	parse_fails("SELECT 'it''s", "unterminated");
	parse_fails("SELECT '\\'", "unterminated");
	parse_fails("SELECT 1 /* :username", "unterminated");
	parse_fails("SELECT 1 /*/", "unterminated");
}
END_TEST

START_TEST(test_unknown_param)
{
	parse_fails("SELECT 1 WHERE n = :user", ":user");
	parse_fails("SELECT 1 WHERE n = :usernames", ":usernames");
	parse_fails("SELECT 1 WHERE n = :Username", ":Username");
	parse_fails("SELECT 1 WHERE n = :passwords", ":passwords");
	parse_fails("SELECT 1 WHERE n = :username AND x = :1", ":1");
}
END_TEST

START_TEST(test_too_many_params)
{
	char sql[1024];
	struct query q;
	size_t o = 0;
	int i;

	o += (size_t)snprintf(sql + o, sizeof(sql) - o, "SELECT 1 WHERE 0");
	for (i = 0; i < QUERY_MAX_PARAMS; i++)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, " OR x = :uid");
	parse_ok(&q, sql);
	ck_assert_uint_eq(q.nparams, QUERY_MAX_PARAMS);
	ck_assert_ptr_nonnull(strstr(q.sql_dollar, "x = $32"));
	ck_assert_ptr_null(strstr(q.sql_dollar, ":uid"));
	query_clear(&q);

	snprintf(sql + o, sizeof(sql) - o, " OR y = :gid");
	parse_fails(sql, "more than");
}
END_TEST

START_TEST(test_bind_order)
{
	struct query_args a = { .v = { [QP_USERNAME] = "alice", [QP_EMAIL] = "a@example.org",
				       [QP_UID] = "10001" } };
	const char *out[QUERY_MAX_PARAMS];
	struct query q;

	parse_ok(&q, "UPDATE u SET email = :email, hash = :password_hash "
		     "WHERE name = :username AND id = :uid AND :username <> ''");
	ck_assert_uint_eq(q.nparams, 5);
	query_bind(&q, &a, out);
	ck_assert_str_eq(out[0], "a@example.org");
	ck_assert_ptr_null(out[1]);        /* not given: bound as SQL NULL */
	ck_assert_str_eq(out[2], "alice");
	ck_assert_str_eq(out[3], "10001");
	ck_assert_str_eq(out[4], "alice");
	query_clear(&q);
}
END_TEST

START_TEST(test_reparse_after_clear)
{
	struct query q;
	char err[128];

	parse_ok(&q, "SELECT :uid");
	query_clear(&q);
	ck_assert_int_eq(query_parse(&q, "get_user", "SELECT :gid, :group", err, sizeof(err)), 0);
	ck_assert_uint_eq(q.nparams, 2);
	ck_assert_str_eq(q.sql_dollar, "SELECT $1, $2");
	query_clear(&q);
	untouched("");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_single_param);
	tcase_add_test(tc, test_all_param_names);
	tcase_add_test(tc, test_repeated_param);
	tcase_add_test(tc, test_casts_untouched);
	tcase_add_test(tc, test_literals_untouched);
	tcase_add_test(tc, test_unterminated);
	tcase_add_test(tc, test_unknown_param);
	tcase_add_test(tc, test_too_many_params);
	tcase_add_test(tc, test_bind_order);
	tcase_add_test(tc, test_reparse_after_clear);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
