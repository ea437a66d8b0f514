/* test_odbc.c: driver = odbc. The connection string alone (engine/odbc.c),
 * then the backend through unixODBC and a real driver, Debian's
 * libsqliteodbc, on a real SQLite file, with a private odbcinst.ini and
 * odbc.ini (ODBCSYSINI): text cells long and NULL, labels, row counts,
 * error classes, and a driver that does not return (a lock it waits on for
 * a minute) abandoned after query_timeout. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "backend.h"
#include "odbc.h"

/* Sanitized builds: whole stacks for LeakSanitizer, so that what the driver
 * keeps for the process matches backend_odbc.c's suppression even after the
 * driver is unloaded (see there). */
__attribute__((used)) const char *__asan_default_options(void);
__attribute__((used)) const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

static char dir[64];
static char dbpath[256];

/* ---- the connection string ---- */

/* conn (with password) must build into want, its own password inline. */
static void connstr_ok(const char *conn, const char *password, const char *want,
		       const char *inline_want)
{
	char err[256] = "", *inline_pw = NULL, *s;

	s = odbc_connstr_build(conn, password, &inline_pw, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s: %s", conn, err);
	ck_assert_str_eq(s, want);
	if (inline_want == NULL)
		ck_assert_ptr_null(inline_pw);
	else
		ck_assert_str_eq(inline_pw, inline_want);
	free(s);
	free(inline_pw);
}

static void connstr_fails(const char *conn, const char *needle)
{
	char err[256] = "", *inline_pw = NULL;

	ck_assert_ptr_null(odbc_connstr_build(conn, "pw", &inline_pw, err, sizeof(err)));
	ck_assert_msg(strstr(err, needle) != NULL, "'%s' not in '%s'", needle, err);
	ck_assert_ptr_null(inline_pw);
	/* an error never quotes a value, which could be a password */
	ck_assert_ptr_null(strstr(err, "hunter2"));
}

START_TEST(test_connstr)
{
	connstr_ok("legacy", NULL, "DSN=legacy", NULL);
	connstr_ok("legacy", "pw", "DSN=legacy;PWD={pw}", NULL);
	connstr_ok("DSN=x;UID=u;PWD=hunter2", NULL, "DSN=x;UID=u;PWD=hunter2", "hunter2");
	/* the file's password replaces the string's, wherever it stood */
	connstr_ok("DSN=x;pwd=hunter2;UID=u", "p}w;", "DSN=x;UID=u;PWD={p}}w;}", "hunter2");
	connstr_ok("Driver={SQLite3};Database={/a;b=c}; Password={a}}b;c};", "new",
		   "Driver={SQLite3};Database={/a;b=c};PWD={new}", "a}b;c");
	connstr_ok(" ;DSN = x ;", NULL, "DSN = x ", NULL);
	connstr_fails("", "neither a DSN name");
	connstr_fails("a;b", "neither a DSN name");
	connstr_fails("DSN=x;UID", "expected key=value at offset 6");
	connstr_fails("DSN=x;=hunter2", "expected key=value");
	connstr_fails("DSN=x;PWD={hunter2", "unterminated { in the value of 'PWD'");
	/* text after a braced value would be a pair with no ; before it (and
	 * grow the string past what was allocated for it: found by fuzz_odbc) */
	connstr_fails("DSN=x;PWD={;!}<<D=hunter2;PWD={;!}<<r={}<Dw=c", "expected ; after the } of 'PWD'");
	connstr_ok("Driver={SQLite3}  ;UID=u", NULL, "Driver={SQLite3};UID=u", NULL);
}
END_TEST

/* ---- the backend on libsqliteodbc ---- */

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	char ini[512];
	sqlite3 *db;

	/* a new directory per test, also when they share a process (CK_FORK=no) */
	snprintf(dir, sizeof(dir), "/tmp/customdb-odbc-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/legacy.db", dir);
	write_file("odbcinst.ini", "[SQLite3]\nDriver = libsqlite3odbc.so\n");
	snprintf(ini, sizeof(ini), "[legacy]\nDriver = SQLite3\nDatabase = %s\n", dbpath);
	write_file("odbc.ini", ini);
	setenv("ODBCSYSINI", dir, 1);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
		"CREATE TABLE users (username TEXT, uid INTEGER, password TEXT, shell TEXT);"
		"INSERT INTO users VALUES ('alice', 10001, '$6$salt$hash', '/bin/bash');"
		"INSERT INTO users VALUES ('bob', 10002, NULL, '');"
		"INSERT INTO users VALUES ('carol', 10003, NULL, NULL);",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void teardown(void)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/legacy.db", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/odbc.ini", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/odbcinst.ini", dir);
	unlink(path);
	rmdir(dir);
}

static struct backend *open_ok(const char *connection, int query_timeout)
{
	struct backend_params p = { .connection = connection, .connect_timeout = 5,
				    .query_timeout = query_timeout };
	char err[512] = "";
	struct backend *b;

	b = backend_odbc_ops.open(&p, err, sizeof(err));
	ck_assert_msg(b != NULL, "%s: %s", connection, err);
	return b;
}

/* Run sql (named parameters) with values; returns the backend's code. */
static int run(struct backend *b, const char *sql, const char *const *values,
	       struct result **out, char *err, size_t errlen)
{
	struct query q;
	char perr[256];
	int rc;

	ck_assert_msg(query_parse(&q, "test", sql, perr, sizeof(perr)) == 0, "%s", perr);
	rc = backend_odbc_ops.query(b, &q, values, out, err, errlen);
	query_clear(&q);
	return rc;
}

START_TEST(test_rows)
{
	struct backend *b = open_ok("legacy", 5);   /* a bare DSN name */
	const char *v[2] = { "alice", NULL };
	struct result *r = NULL;
	char err[512] = "";

	ck_assert_int_eq(run(b, "SELECT username AS Name, uid, password, shell FROM users "
			     "WHERE username = :username", v, &r, err, sizeof(err)), BACKEND_OK);
	ck_assert_uint_eq(r->nrows, 1);
	ck_assert_int_eq(result_column(r, "name"), 0);
	ck_assert_str_eq(result_cell(r, 0, 0), "alice");
	ck_assert_str_eq(result_cell(r, 0, 1), "10001");
	ck_assert_str_eq(result_cell(r, 0, 2), "$6$salt$hash");
	result_free(r);
	/* NULL and empty are told apart; no row is no row */
	v[0] = "bob";
	ck_assert_int_eq(run(b, "SELECT password, shell FROM users WHERE username = :username",
			     v, &r, err, sizeof(err)), BACKEND_OK);
	ck_assert_ptr_null(result_cell(r, 0, 0));
	ck_assert_str_eq(result_cell(r, 0, 1), "");
	result_free(r);
	v[0] = "nobody";
	ck_assert_int_eq(run(b, "SELECT uid FROM users WHERE username = :username", v, &r, err,
			     sizeof(err)), BACKEND_OK);
	ck_assert_uint_eq(r->nrows, 0);
	result_free(r);
	/* a NULL parameter is SQL NULL */
	v[0] = NULL;
	ck_assert_int_eq(run(b, "SELECT count(*) AS n FROM users WHERE :username IS NULL", v, &r,
			     err, sizeof(err)), BACKEND_OK);
	ck_assert_str_eq(result_cell(r, 0, 0), "3");
	result_free(r);
	backend_odbc_ops.close(b);
}
END_TEST

START_TEST(test_long_cell)
{
	char conn[300], err[512] = "";
	struct result *r = NULL;
	struct backend *b;
	size_t i;

	snprintf(conn, sizeof(conn), "Driver=SQLite3;Database=%s", dbpath);
	b = open_ok(conn, 5);
	/* 100,000 bytes: many times the first fetch buffer */
	ck_assert_int_eq(run(b, "SELECT hex(zeroblob(50000)) || 'end' AS big, 'x' AS small",
			     NULL, &r, err, sizeof(err)), BACKEND_OK);
	ck_assert_uint_eq(strlen(result_cell(r, 0, 0)), 100003);
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(result_cell(r, 0, 0)[i], '0');
	ck_assert_str_eq(result_cell(r, 0, 0) + 100000, "end");
	ck_assert_str_eq(result_cell(r, 0, 1), "x");
	result_free(r);
	backend_odbc_ops.close(b);
}
END_TEST

START_TEST(test_affected)
{
	char conn[300], err[512] = "";
	const char *v[2] = { "nobody", "/bin/zsh" };
	struct result *r = NULL;
	struct backend *b;

	snprintf(conn, sizeof(conn), "Driver=SQLite3;Database=%s", dbpath);
	b = open_ok(conn, 5);
	ck_assert_int_eq(run(b, "UPDATE users SET shell = 'x' WHERE username = :username", v, &r,
			     err, sizeof(err)), BACKEND_OK);
	ck_assert_int_eq(r->affected, 0);
	result_free(r);
	ck_assert_int_eq(run(b, "UPDATE users SET shell = :email WHERE uid > 10001", v + 1, &r,
			     err, sizeof(err)), BACKEND_OK);
	ck_assert_int_eq(r->affected, 2);
	result_free(r);
	backend_odbc_ops.close(b);
}
END_TEST

START_TEST(test_errors)
{
	struct backend_params p = { .connect_timeout = 5, .query_timeout = 5 };
	char conn[300], err[512] = "";
	struct result *r = NULL;
	struct backend *b;

	/* a data source or driver that is not there: cannot connect */
	p.connection = "DSN=nosuch;PWD=hunter2";
	ck_assert_ptr_null(backend_odbc_ops.open(&p, err, sizeof(err)));
	ck_assert_msg(strncmp(err, "odbc: cannot connect: IM002 ", 28) == 0, "%s", err);
	p.connection = "Driver=NoSuchDriver;PWD=hunter2";
	ck_assert_ptr_null(backend_odbc_ops.open(&p, err, sizeof(err)));
	ck_assert_msg(strstr(err, "odbc: cannot connect: ") == err, "%s", err);
	ck_assert_ptr_null(strstr(err, "hunter2"));
	/* a malformed string is said before any driver is asked */
	p.connection = "Driver={SQLite3";
	ck_assert_ptr_null(backend_odbc_ops.open(&p, err, sizeof(err)));
	ck_assert_str_eq(err, "odbc connection: unterminated { in the value of 'Driver'");
	/* a query the database refuses: a query error, and the connection stays */
	snprintf(conn, sizeof(conn), "Driver=SQLite3;Database=%s", dbpath);
	b = open_ok(conn, 5);
	ck_assert_int_eq(run(b, "SELECT nosuchcolumn FROM users", NULL, &r, err, sizeof(err)),
			 BACKEND_ERROR);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err, "nosuchcolumn") != NULL, "%s", err);
	ck_assert_int_eq(run(b, "SELECT count(*) FROM users", NULL, &r, err, sizeof(err)),
			 BACKEND_OK);
	result_free(r);
	backend_odbc_ops.close(b);
}
END_TEST

/* The driver waits a minute on a lock another connection holds (its own
 * busy timeout, Timeout=60000 ms): query_timeout = 1 abandons the call, and
 * the next query, once the lock is gone, runs on a new connection. */
START_TEST(test_hung_driver_abandoned)
{
	char conn[300], err[512] = "";
	struct result *r = NULL;
	struct backend *b;
	sqlite3 *db;

	snprintf(conn, sizeof(conn), "Driver=SQLite3;Database=%s;Timeout=60000", dbpath);
	b = open_ok(conn, 1);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(run(b, "SELECT count(*) FROM users", NULL, &r, err, sizeof(err)),
			 BACKEND_UNAVAILABLE);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err, "odbc: query timed out after 1 s") == err, "%s", err);
	ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(run(b, "SELECT count(*) AS n FROM users", NULL, &r, err, sizeof(err)),
			 BACKEND_OK);
	ck_assert_str_eq(result_cell(r, 0, 0), "3");
	result_free(r);
	backend_odbc_ops.close(b);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("odbc");
	TCase *tc = tcase_create("connstr"), *be = tcase_create("backend");

	tcase_add_test(tc, test_connstr);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(be, setup, teardown);
	tcase_set_timeout(be, 60);
	tcase_add_test(be, test_rows);
	tcase_add_test(be, test_long_cell);
	tcase_add_test(be, test_affected);
	tcase_add_test(be, test_errors);
	tcase_add_test(be, test_hung_driver_abandoned);
	suite_add_tcase(s, be);
	return s;
}

#include "check_main.h"
