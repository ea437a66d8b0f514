/* test_mapping.c: result rows to users and groups, and the rules that hold
 * whatever the database says; cdb_name_valid; the engines' error messages
 * (backend_set_err). */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "config.h"
#include "mapping.h"
#include "names.h"

/* The [customdb] settings map_* reads, as config_parse_string would set them. */
static struct config cfg;

static void setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.min_uid = 10000;
	cfg.max_uid = 60000;
	cfg.default_gid = 100;
	cfg.default_shell = (char *)"/bin/sh";
	cfg.home = (char *)"/home/%u";
}

/* A result with the columns named in the comma-separated `cols` and one row
 * of the cells that follow (NULL for SQL NULL). */
static struct result *one_row(const char *cols, ...)
{
	const char *cells[32];
	char *names = strdup(cols), *tok, *save;
	struct result *r;
	size_t n = 0, i;
	va_list ap;

	ck_assert_ptr_nonnull(names);
	for (tok = strtok_r(names, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
		n++;
	r = result_new(n);
	ck_assert_ptr_nonnull(r);
	strcpy(names, cols);
	i = 0;
	for (tok = strtok_r(names, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		r->colnames[i] = strdup(tok);
		ck_assert_ptr_nonnull(r->colnames[i]);
		i++;
	}
	free(names);
	va_start(ap, cols);
	for (i = 0; i < n; i++)
		cells[i] = va_arg(ap, const char *);
	va_end(ap);
	ck_assert_int_eq(result_add_row(r, cells, NULL), 0);
	ck_assert_uint_eq(r->nrows, 1);
	return r;
}

/* Map a one-row result; the result is freed. */
static int map1(struct result *r, bool need_password, struct user *u)
{
	char why[256] = "";
	int rc = map_user(&cfg, r, 0, need_password, u, why, sizeof(why));

	if (rc != MAP_OK)
		ck_assert_msg(why[0] != '\0', "no reason given for %d", rc);
	result_free(r);
	return rc;
}

static int map1g(struct result *r, struct group *g)
{
	char why[256] = "";
	int rc = map_group(&cfg, r, 0, g, why, sizeof(why));

	if (rc != MAP_OK)
		ck_assert_msg(why[0] != '\0', "no reason given for %d", rc);
	result_free(r);
	return rc;
}

/* A user row with only username and uid must map with rc. */
static void user_rc(const char *name, const char *uid, int rc)
{
	struct user u;

	ck_assert_msg(map1(one_row("username,uid", name, uid), false, &u) == rc,
		      "%s / %s: not %d", name ? name : "NULL", uid ? uid : "NULL", rc);
	if (rc == MAP_OK)
		user_clear(&u);
}

/* ---- map_user ---- */

START_TEST(test_user_defaults)
{
	struct user u;

	ck_assert_int_eq(map1(one_row("username,uid", "alice", "10001"), false, &u), MAP_OK);
	ck_assert_str_eq(u.name, "alice");
	ck_assert_uint_eq(u.uid, 10001);
	ck_assert_uint_eq(u.gid, 100);
	ck_assert_str_eq(u.home, "/home/alice");
	ck_assert_str_eq(u.shell, "/bin/sh");
	ck_assert_str_eq(u.gecos, "");
	ck_assert_ptr_null(u.email);
	ck_assert_ptr_null(u.password);
	ck_assert_ptr_null(u.salt);
	ck_assert(!u.disabled);
	ck_assert_int_eq(u.email_verified, -1);
	ck_assert(!u.must_change_password);
	ck_assert_int_eq(u.expires, 0);
	user_clear(&u);
	ck_assert_ptr_null(u.name);
}
END_TEST

START_TEST(test_user_all_columns)
{
	struct user u;

	/* column names are matched case-insensitively, in any order */
	ck_assert_int_eq(map1(one_row("Shell,HOME,gecos,gid,uid,username,password,salt,email,"
				      "email_verified,disabled,expires,must_change_password",
				      "/bin/zsh", "/srv/bob", "Bob,,,", "20002", "20001", "bob",
				      "$2b$05$abc", "pepper", "bob@example.org", "t", "f",
				      "2030-01-01", "yes"), true, &u), MAP_OK);
	ck_assert_str_eq(u.name, "bob");
	ck_assert_uint_eq(u.uid, 20001);
	ck_assert_uint_eq(u.gid, 20002);
	ck_assert_str_eq(u.home, "/srv/bob");
	ck_assert_str_eq(u.shell, "/bin/zsh");
	ck_assert_str_eq(u.gecos, "Bob,,,");
	ck_assert_str_eq(u.password, "$2b$05$abc");
	ck_assert_str_eq(u.salt, "pepper");
	ck_assert_str_eq(u.email, "bob@example.org");
	ck_assert_int_eq(u.email_verified, 1);
	ck_assert(!u.disabled);
	ck_assert(u.must_change_password);
	ck_assert_int_eq(u.expires, 1893456000);   /* 2030-01-01T00:00:00Z */
	user_clear(&u);
}
END_TEST

START_TEST(test_user_null_cells_take_defaults)
{
	struct user u;

	ck_assert_int_eq(map1(one_row("username,uid,gid,home,shell,gecos,email,disabled,"
				      "email_verified,expires,must_change_password",
				      "carol", "10002", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
				      NULL, NULL), false, &u), MAP_OK);
	ck_assert_uint_eq(u.gid, 100);
	ck_assert_str_eq(u.home, "/home/carol");
	ck_assert_str_eq(u.shell, "/bin/sh");
	ck_assert_str_eq(u.gecos, "");
	ck_assert_ptr_null(u.email);
	ck_assert(!u.disabled);
	ck_assert_int_eq(u.email_verified, -1);
	ck_assert(!u.must_change_password);
	ck_assert_int_eq(u.expires, 0);
	user_clear(&u);

	/* empty strings too, for home and shell */
	ck_assert_int_eq(map1(one_row("username,uid,home,shell,expires", "carol", "10002", "", "",
				      ""), false, &u), MAP_OK);
	ck_assert_str_eq(u.home, "/home/carol");
	ck_assert_str_eq(u.shell, "/bin/sh");
	ck_assert_int_eq(u.expires, 0);
	user_clear(&u);

	/* the home template sees the uid */
	cfg.home = (char *)"/home/%U";
	ck_assert_int_eq(map1(one_row("username,uid", "carol", "10002"), false, &u), MAP_OK);
	ck_assert_str_eq(u.home, "/home/10002");
	user_clear(&u);
}
END_TEST

START_TEST(test_user_required_columns)
{
	struct user u;

	ck_assert_int_eq(map1(one_row("name,uid", "alice", "10001"), false, &u), MAP_BAD_QUERY);
	ck_assert_int_eq(map1(one_row("username,id", "alice", "10001"), false, &u), MAP_BAD_QUERY);
	ck_assert_int_eq(map1(one_row("username,uid", "alice", "10001"), true, &u), MAP_BAD_QUERY);
	ck_assert_int_eq(map1(one_row("username,uid,passwd", "alice", "10001", "x"), true, &u),
			 MAP_BAD_QUERY);
	ck_assert_int_eq(map1(one_row("uid", "10001"), false, &u), MAP_BAD_QUERY);
	/* present but NULL is a row-level problem, not a query error */
	ck_assert_int_eq(map1(one_row("username,uid", NULL, "10001"), false, &u), MAP_REJECTED);
	ck_assert_int_eq(map1(one_row("username,uid", "alice", NULL), false, &u), MAP_REJECTED);
	/* password column present (NULL): maps, with no hash */
	ck_assert_int_eq(map1(one_row("username,uid,password", "alice", "10001", NULL), true, &u),
			 MAP_OK);
	ck_assert_ptr_null(u.password);
	user_clear(&u);
}
END_TEST

START_TEST(test_user_uid_rules)
{
	user_rc("alice", "10000", MAP_OK);
	user_rc("alice", "60000", MAP_OK);
	user_rc("alice", "0", MAP_REJECTED);
	user_rc("alice", "9999", MAP_REJECTED);
	user_rc("alice", "60001", MAP_REJECTED);
	user_rc("alice", "4294967295", MAP_REJECTED);
	user_rc("alice", "4294967296", MAP_REJECTED);
	user_rc("alice", "18446744073709551617", MAP_REJECTED);
	user_rc("alice", "-10001", MAP_REJECTED);
	user_rc("alice", "+10001", MAP_REJECTED);
	user_rc("alice", " 10001", MAP_REJECTED);
	user_rc("alice", "10001 ", MAP_REJECTED);
	user_rc("alice", "10001.0", MAP_REJECTED);
	user_rc("alice", "0x2711", MAP_REJECTED);
	user_rc("alice", "", MAP_REJECTED);

	/* uid 0 even when the range would allow it */
	cfg.min_uid = 0;
	user_rc("alice", "0", MAP_REJECTED);
	user_rc("alice", "1", MAP_OK);
}
END_TEST

START_TEST(test_user_name_rules)
{
	user_rc("root", "10001", MAP_REJECTED);
	user_rc("", "10001", MAP_REJECTED);
	user_rc("o'brien", "10001", MAP_REJECTED);
	user_rc("a\"b", "10001", MAP_REJECTED);
	user_rc("john smith", "10001", MAP_REJECTED);
	user_rc("a:b", "10001", MAP_REJECTED);
	user_rc("../etc", "10001", MAP_REJECTED);
	user_rc("a/b", "10001", MAP_REJECTED);
	user_rc("-rf", "10001", MAP_REJECTED);
	user_rc("12345", "10001", MAP_REJECTED);
	user_rc("al\nice", "10001", MAP_REJECTED);
	user_rc("j\xc3\xb6rg", "10001", MAP_REJECTED);
	user_rc("john.smith@example.org", "10001", MAP_OK);
	user_rc("ws01$", "10001", MAP_OK);
}
END_TEST

START_TEST(test_user_gid_home_shell_rules)
{
	struct user u;

	ck_assert_int_eq(map1(one_row("username,uid,gid", "alice", "10001", "0"), false, &u),
			 MAP_REJECTED);
	ck_assert_int_eq(map1(one_row("username,uid,gid", "alice", "10001", "-1"), false, &u),
			 MAP_REJECTED);
	ck_assert_int_eq(map1(one_row("username,uid,gid", "alice", "10001", "x"), false, &u),
			 MAP_REJECTED);
	ck_assert_int_eq(map1(one_row("username,uid,home", "alice", "10001", "home/alice"), false,
			      &u), MAP_REJECTED);
	ck_assert_int_eq(map1(one_row("username,uid,home", "alice", "10001", "/home/a:b"), false,
			      &u), MAP_REJECTED);
	ck_assert_int_eq(map1(one_row("username,uid,shell", "alice", "10001", "/bin/sh:x"), false,
			      &u), MAP_REJECTED);
	ck_assert_int_eq(map1(one_row("username,uid,gecos", "alice", "10001", "A:B"), false, &u),
			 MAP_REJECTED);
	ck_assert_int_eq(map1(one_row("username,uid,gecos", "alice", "10001", "A\nB"), false, &u),
			 MAP_REJECTED);
	/* default_gid outside [min_uid, max_uid] is allowed (users = 100) */
	ck_assert_int_eq(map1(one_row("username,uid,gid", "alice", "10001", "100"), false, &u),
			 MAP_OK);
	ck_assert_uint_eq(u.gid, 100);
	user_clear(&u);
	/* a home the template cannot hold */
	cfg.home = (char *)"/home/%u%u%u%u%u%u%u%u%u%u%u%u%u%u%u%u%u%u%u%u";
	ck_assert_int_eq(map1(one_row("username,uid", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnop"
				      "qrstuvwxyzabcdefghijkl", "10001"), false, &u), MAP_REJECTED);
}
END_TEST

/* A primary gid is default_gid, in [min_uid, max_uid] or in allowed_gids:
 * never a system group (27: sudo) because a row says so. */
START_TEST(test_user_primary_gid_rule)
{
	static gid_t extra[] = { 1001, 998 };
	char why[256] = "";
	struct result *r;
	struct user u;

	r = one_row("username,uid,gid", "alice", "10001", "27");
	ck_assert_int_eq(map_user(&cfg, r, 0, false, &u, why, sizeof(why)), MAP_REJECTED);
	ck_assert_ptr_nonnull(strstr(why, "allowed_gids"));
	result_free(r);
	ck_assert_int_eq(map1(one_row("username,uid,gid", "alice", "10001", "1001"), false, &u),
			 MAP_REJECTED);
	ck_assert_int_eq(map1(one_row("username,uid,gid", "alice", "10001", "60001"), false, &u),
			 MAP_REJECTED);
	ck_assert_int_eq(map1(one_row("username,uid,gid", "alice", "10001", "20001"), false, &u),
			 MAP_OK);
	ck_assert_uint_eq(u.gid, 20001);
	user_clear(&u);
	cfg.allowed_gids = extra;
	cfg.nallowed_gids = 2;
	ck_assert_int_eq(map1(one_row("username,uid,gid", "alice", "10001", "1001"), false, &u),
			 MAP_OK);
	ck_assert_uint_eq(u.gid, 1001);
	user_clear(&u);
	ck_assert_int_eq(map1(one_row("username,uid,gid", "alice", "10001", "27"), false, &u),
			 MAP_REJECTED);
	ck_assert(map_primary_gid_allowed(&cfg, 100));
	ck_assert(map_primary_gid_allowed(&cfg, 998));
	ck_assert(!map_primary_gid_allowed(&cfg, 0));
	ck_assert(!map_primary_gid_allowed(&cfg, 27));
	/* a group or supplementary group: the range and allowed_gids, not default_gid */
	ck_assert(map_gid_allowed(&cfg, 998));
	ck_assert(map_gid_allowed(&cfg, 10000));
	ck_assert(!map_gid_allowed(&cfg, 100));
	ck_assert(!map_gid_allowed(&cfg, 27));
	ck_assert(!map_gid_allowed(&cfg, 0));
}
END_TEST

START_TEST(test_user_flags)
{
	struct user u;

	ck_assert_int_eq(map1(one_row("username,uid,disabled,email_verified", "a1", "10001", "1",
				      "0"), false, &u), MAP_OK);
	ck_assert(u.disabled);
	ck_assert_int_eq(u.email_verified, 0);
	user_clear(&u);
	ck_assert_int_eq(map1(one_row("username,uid,disabled,email_verified", "a1", "10001", "false",
				      "TRUE"), false, &u), MAP_OK);
	ck_assert(!u.disabled);
	ck_assert_int_eq(u.email_verified, 1);
	user_clear(&u);
	/* a disabled flag we cannot read counts as disabled; email_verified as no */
	ck_assert_int_eq(map1(one_row("username,uid,disabled,email_verified", "a1", "10001", "maybe",
				      "perhaps"), false, &u), MAP_OK);
	ck_assert(u.disabled);
	ck_assert_int_eq(u.email_verified, 0);
	user_clear(&u);
	/* an expiry we cannot read never means "never expires" */
	ck_assert_int_eq(map1(one_row("username,uid,expires", "a1", "10001", "next tuesday"), false,
			      &u), MAP_OK);
	ck_assert_int_ne(u.expires, 0);
	ck_assert_int_lt(u.expires, 86400);
	user_clear(&u);
	ck_assert_int_eq(map1(one_row("username,uid,expires", "a1", "10001", "1700000000"), false,
			      &u), MAP_OK);
	ck_assert_int_eq(u.expires, 1700000000);
	user_clear(&u);
}
END_TEST

/* disabled_until and password_expires: each value, on its own and with a
 * disabled or must_change_password column that says otherwise */
START_TEST(test_user_until_columns)
{
	static const struct {
		const char *v;
		bool blocked, expired;
	} cases[] = {
		{ "infinity", true, false },        /* MediaWiki's block for good */
		{ "INFINITY", true, false },
		{ "99991231235959", true, false },   /* MediaWiki's YYYYMMDDHHMMSS */
		{ "20010101000000", false, true },
		{ "9999-12-31T23:59:59+00:00", true, false },
		{ "2001-01-01 00:00:00+00", false, true },
		{ "", false, false },
		{ "0", false, false },
		{ "0000-00-00 00:00:00", false, false },
		{ "-infinity", false, true },
		{ "20240230000000", true, true },    /* unreadable: the safe side */
		{ "soon", true, true },
	};
	struct user u;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(map1(one_row("username,uid,disabled_until,password_expires", "a1",
					      "10001", cases[i].v, cases[i].v), false, &u), MAP_OK);
		ck_assert_msg(u.disabled == cases[i].blocked, "disabled_until %s", cases[i].v);
		ck_assert_msg(u.must_change_password == cases[i].expired, "password_expires %s",
			      cases[i].v);
		ck_assert_int_eq(u.expires, 0);
		user_clear(&u);
	}
	/* NULL is neither; they add to disabled and must_change_password */
	ck_assert_int_eq(map1(one_row("username,uid,disabled_until,password_expires", "a1",
				      "10001", NULL, NULL), false, &u), MAP_OK);
	ck_assert(!u.disabled && !u.must_change_password);
	user_clear(&u);
	ck_assert_int_eq(map1(one_row("username,uid,disabled,disabled_until,must_change_password,"
				      "password_expires", "a1", "10001", "1", "20010101000000", "1",
				      "99991231235959"), false, &u), MAP_OK);
	ck_assert(u.disabled && u.must_change_password);
	user_clear(&u);
	ck_assert_int_eq(map1(one_row("username,uid,disabled,disabled_until,must_change_password,"
				      "password_expires", "a1", "10001", "0", "infinity", "0",
				      "20010101000000"), false, &u), MAP_OK);
	ck_assert(u.disabled && u.must_change_password);
	user_clear(&u);
}
END_TEST

START_TEST(test_user_row_index)
{
	const char *row2[] = { "second", "10002" };
	struct result *r = one_row("username,uid", "first", "10001");
	struct user u;

	ck_assert_int_eq(result_add_row(r, row2, NULL), 0);
	ck_assert_int_eq(map_user(&cfg, r, 1, false, &u, NULL, 0), MAP_OK);
	ck_assert_str_eq(u.name, "second");
	ck_assert_uint_eq(u.uid, 10002);
	user_clear(&u);
	ck_assert_int_eq(map_user(&cfg, r, 0, false, &u, NULL, 0), MAP_OK);
	ck_assert_str_eq(u.name, "first");
	user_clear(&u);
	result_free(r);
}
END_TEST

/* ---- map_parse_bool, map_parse_time ---- */

START_TEST(test_parse_bool)
{
	static const char *const yes[] = { "t", "T", "true", "True", "1", "yes", "YES", "y", "on" };
	static const char *const no[] = { "f", "F", "false", "FALSE", "0", "no", "n", "off" };
	static const char *const neither[] = { "", "2", "-1", "tru", "yess", " t", "t ", "nope" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(map_parse_bool(yes[i]) == 1, "%s", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(map_parse_bool(no[i]) == 0, "%s", no[i]);
	for (i = 0; i < sizeof(neither) / sizeof(neither[0]); i++)
		ck_assert_msg(map_parse_bool(neither[i]) == -1, "%s", neither[i]);
}
END_TEST

static void time_is(const char *v, int64_t want)
{
	int64_t t = -12345;

	ck_assert_msg(map_parse_time(v, &t) == 0, "refused %s", v);
	ck_assert_msg(t == want, "%s: %lld, not %lld", v, (long long)t, (long long)want);
}

START_TEST(test_parse_time)
{
	static const char *const bad[] = {
		"yesterday", "2024-13-01", "2024-01-02 25:00:00", "2024-01-02x", "-5",
		"99999999999999999999999",
		"202401020304051",          /* 15 digits */
		"1234567890123",            /* 13: no epoch that large */
		"20240230000000",           /* MediaWiki's form, February 30 */
		"20241301000000", "20240102240000", "2024010203046x",
		"2024-02-30", "2023-02-29", "2024-04-31", "2024-00-10", "2024-01-00",
		"0000-01-01",               /* there is no year 0 */
		"0000-00-00 00:00:01", "24-01-02", "2024-1-2", "2024-01-02 3:04:05",
		"2024-01-02 03:04:61", "2024-01-02 03:60:00", "2024-01-02T", "2024-01-02 03",
		"2024-01-02T03:04:05.", "2024-01-02T03:04:05Q", "2024-01-02T03:04:05+5",
		"2024-01-02T03:04:05+05:3", "2024-01-02T03:04:05+24:00", "2024-01-02T03:04:05+05:60",
		"2024-01-02T03:04:05Z ", " 2024-01-02", "2024-01-02 03:04:05 Z",
		"2024-01-02 03:04:05  +01", "2024-01-02 03:04:05 ", "20240102030405Z", "infinite", "+infinity",
	};
	size_t i;
	int64_t t;

	time_is("0", 0);
	time_is("1700000000", 1700000000);
	time_is("4102444800", 4102444800LL);                 /* past 2038 */
	time_is("999999999999", 999999999999LL);             /* 12 digits */
	time_is("2024-01-02", 1704153600);
	time_is("2024-01-02 03:04:05", 1704164645);
	time_is("2024-01-02T03:04:05", 1704164645);
	time_is("2024-01-02 03:04:05.123456", 1704164645);   /* PostgreSQL timestamp */
	time_is("2024-01-02 03:04", 1704164640);
	time_is("2024-02-29", 1709164800);
	time_is("2000-02-29", 951782400);
	time_is("1970-01-02", 86400);
	time_is("9999-12-31 23:59:59", 253402300799LL);
	/* MediaWiki's timestamps, UTC */
	time_is("20240102030405", 1704164645);
	time_is("20240229000000", 1709164800);
	time_is("19700101000001", 1);
	/* ISO 8601 with its zone applied */
	time_is("2024-01-02T03:04:05Z", 1704164645);
	time_is("2024-01-02t03:04:05z", 1704164645);
	time_is("2024-01-02T03:04:05.5Z", 1704164645);
	time_is("2024-01-02T03:04:05,5Z", 1704164645);
	time_is("2024-01-02T05:04:05+02:00", 1704164645);
	time_is("2024-01-02T08:34:05+0530", 1704164645);
	time_is("2024-01-01T22:04:05-05", 1704164645);
	time_is("2024-01-02 03:04:05+00", 1704164645);       /* PostgreSQL timestamptz */
	time_is("2024-01-02 04:04:05.25+01", 1704164645);
	time_is("2016-12-31T23:59:60Z", 1483228800);         /* a leap second */
	time_is("2024-01-02 04:04:05.1234567 +01:00", 1704164645); /* datetimeoffset */
	/* never, and long past */
	time_is("", 0);
	time_is("infinity", 0);
	time_is("Infinity", 0);
	time_is("0000-00-00", 0);
	time_is("0000-00-00 00:00:00", 0);
	time_is("-infinity", 1);
	time_is("1969-12-31", 1);
	time_is("0001-01-01 00:00:00", 1);
	time_is("19700101000000", 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(map_parse_time(bad[i], &t) == -1, "took %s", bad[i]);
}
END_TEST

/* ---- map_group ---- */

START_TEST(test_group_members)
{
	struct group g;

	ck_assert_int_eq(map1g(one_row("group,gid,members", "devs", "20001",
				       "alice,bob, carol,,root,o'brien,a:b,-x,12345,dave"), &g), MAP_OK);
	ck_assert_str_eq(g.name, "devs");
	ck_assert_uint_eq(g.gid, 20001);
	ck_assert_uint_eq(g.nmembers, 4);
	ck_assert_str_eq(g.members[0], "alice");
	ck_assert_str_eq(g.members[1], "bob");
	ck_assert_str_eq(g.members[2], "carol");
	ck_assert_str_eq(g.members[3], "dave");
	group_clear(&g);
	ck_assert_ptr_null(g.members);

	ck_assert_int_eq(map1g(one_row("GROUP,GID", "devs", "20001"), &g), MAP_OK);
	ck_assert_uint_eq(g.nmembers, 0);
	group_clear(&g);
	ck_assert_int_eq(map1g(one_row("group,gid,members", "devs", "20001", NULL), &g), MAP_OK);
	ck_assert_uint_eq(g.nmembers, 0);
	group_clear(&g);
	ck_assert_int_eq(map1g(one_row("group,gid,members", "devs", "20001", ""), &g), MAP_OK);
	ck_assert_uint_eq(g.nmembers, 0);
	group_clear(&g);
	ck_assert_int_eq(map1g(one_row("group,gid,members", "devs", "20001", "root, ,"), &g), MAP_OK);
	ck_assert_uint_eq(g.nmembers, 0);
	group_clear(&g);
}
END_TEST

START_TEST(test_group_rules)
{
	struct group g;

	ck_assert_int_eq(map1g(one_row("name,gid", "devs", "20001"), &g), MAP_BAD_QUERY);
	ck_assert_int_eq(map1g(one_row("group,id", "devs", "20001"), &g), MAP_BAD_QUERY);
	ck_assert_int_eq(map1g(one_row("group,gid", "devs", "0"), &g), MAP_REJECTED);
	ck_assert_int_eq(map1g(one_row("group,gid", "devs", "100"), &g), MAP_REJECTED);
	ck_assert_int_eq(map1g(one_row("group,gid", "devs", "9999"), &g), MAP_REJECTED);
	ck_assert_int_eq(map1g(one_row("group,gid", "devs", "60001"), &g), MAP_REJECTED);
	ck_assert_int_eq(map1g(one_row("group,gid", "devs", "-20001"), &g), MAP_REJECTED);
	ck_assert_int_eq(map1g(one_row("group,gid", "devs", NULL), &g), MAP_REJECTED);
	ck_assert_int_eq(map1g(one_row("group,gid", "root", "20001"), &g), MAP_REJECTED);
	ck_assert_int_eq(map1g(one_row("group,gid", "wheel group", "20001"), &g), MAP_REJECTED);
	ck_assert_int_eq(map1g(one_row("group,gid", NULL, "20001"), &g), MAP_REJECTED);
	ck_assert_int_eq(map1g(one_row("group,gid", "devs", "60000"), &g), MAP_OK);
	group_clear(&g);
	ck_assert_int_eq(map1g(one_row("group,gid", "devs", "10000"), &g), MAP_OK);
	group_clear(&g);
	/* sudo's gid only when the administrator lists it */
	ck_assert_int_eq(map1g(one_row("group,gid", "admins", "27"), &g), MAP_REJECTED);
	cfg.allowed_gids = (gid_t[]){ 27 };
	cfg.nallowed_gids = 1;
	ck_assert_int_eq(map1g(one_row("group,gid", "admins", "27"), &g), MAP_OK);
	group_clear(&g);
}
END_TEST

START_TEST(test_id_allowed)
{
	ck_assert(!map_id_allowed(&cfg, 0));
	ck_assert(!map_id_allowed(&cfg, 9999));
	ck_assert(map_id_allowed(&cfg, 10000));
	ck_assert(map_id_allowed(&cfg, 60000));
	ck_assert(!map_id_allowed(&cfg, 60001));
	ck_assert(!map_id_allowed(&cfg, 4294967295ul));
	cfg.min_uid = 0;
	ck_assert(!map_id_allowed(&cfg, 0));
}
END_TEST

/* ---- cdb_name_valid ---- */

static bool valid(const char *s)
{
	return cdb_name_valid(s, strlen(s));
}

START_TEST(test_name_valid)
{
	char name[CDB_NAME_MAX + 2];

	ck_assert(valid("alice"));
	ck_assert(valid("a"));
	ck_assert(valid("_"));
	ck_assert(valid("Alice.Smith-2_x"));
	ck_assert(valid("john@example.org"));
	ck_assert(valid("host$"));
	ck_assert(valid("root2"));
	ck_assert(valid("xroot"));
	ck_assert(valid("ROOT"));
	ck_assert(valid("1a"));
	ck_assert(valid("a."));

	ck_assert(!cdb_name_valid(NULL, 3));
	ck_assert(!valid(""));
	ck_assert(!valid("root"));
	ck_assert(!valid("-alice"));
	ck_assert(!valid(".alice"));
	ck_assert(!valid("."));
	ck_assert(!valid(".."));
	ck_assert(!valid("0"));
	ck_assert(!valid("10001"));
	ck_assert(!valid("10001$"));
	ck_assert(!valid("$"));
	ck_assert(!valid("a$b"));
	ck_assert(!valid("a$$"));
	ck_assert(!valid("a b"));
	ck_assert(!valid("a:b"));
	ck_assert(!valid("a/b"));
	ck_assert(!valid("a'b"));
	ck_assert(!valid("a\"b"));
	ck_assert(!valid("a,b"));
	ck_assert(!valid("a\tb"));
	ck_assert(!valid("a\x7f"));
	ck_assert(!valid("\x01"));
	ck_assert(!valid("caf\xc3\xa9"));
	ck_assert(!valid("a*"));
	/* n is honoured: a NUL inside the counted bytes, or a longer string */
	ck_assert(!cdb_name_valid("ab\0cd", 5));
	ck_assert(cdb_name_valid("alice:x", 5));
	ck_assert(!cdb_name_valid("root:x", 4));
	ck_assert(cdb_name_valid("rootx", 5));

	memset(name, 'a', sizeof(name));
	ck_assert(cdb_name_valid(name, CDB_NAME_MAX));
	ck_assert(!cdb_name_valid(name, CDB_NAME_MAX + 1));
}
END_TEST

/* ---- the engines' error messages ---- */

START_TEST(test_backend_set_err)
{
	const char *secrets[] = { "hunter22", "pw", NULL, "s3cr3t" };
	char err[256];

	/* the first line only, or every line joined; tabs as spaces, no
	 * trailing blanks */
	backend_set_err(err, sizeof(err), "pg: ", "FATAL:\tno\nDETAIL:  more\n", 1, NULL, 0);
	ck_assert_str_eq(err, "pg: FATAL: no");
	backend_set_err(err, sizeof(err), "pg: ", "FATAL:\tno\n\n  DETAIL:  more \r\n", 0, NULL, 0);
	ck_assert_str_eq(err, "pg: FATAL: no; DETAIL:  more");
	/* every secret of 3 bytes or more, every time it appears; shorter
	 * ones (and NULL) would match too much and are left */
	backend_set_err(err, sizeof(err), "my: ", "user x pw hunter22 then s3cr3ts3cr3t hunter22", 0,
			secrets, 4);
	ck_assert_str_eq(err, "my: user x pw *** then ****** ***");
	/* the prefix is not searched: it is the program's, not the server's */
	backend_set_err(err, sizeof(err), "hunter22: ", "ok", 0, secrets, 1);
	ck_assert_str_eq(err, "hunter22: ok");
	/* redacted before the cut: no prefix of a secret survives it */
	backend_set_err(err, 12, "e: ", "abc hunter22 xyz", 0, secrets, 1);
	ck_assert_str_eq(err, "e: abc *** ");
	backend_set_err(err, 10, "e: ", "abcdhunter22", 0, secrets, 1);
	ck_assert_str_eq(err, "e: abcd**");
	/* no message, and no room */
	backend_set_err(err, sizeof(err), "e: ", NULL, 1, NULL, 0);
	ck_assert_str_eq(err, "e: ");
	strcpy(err, "kept");
	backend_set_err(err, 0, "e: ", "x", 1, NULL, 0);
	ck_assert_str_eq(err, "kept");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("mapping");
	TCase *tc;

	tc = tcase_create("user");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_user_defaults);
	tcase_add_test(tc, test_user_all_columns);
	tcase_add_test(tc, test_user_null_cells_take_defaults);
	tcase_add_test(tc, test_user_required_columns);
	tcase_add_test(tc, test_user_uid_rules);
	tcase_add_test(tc, test_user_name_rules);
	tcase_add_test(tc, test_user_gid_home_shell_rules);
	tcase_add_test(tc, test_user_primary_gid_rule);
	tcase_add_test(tc, test_user_flags);
	tcase_add_test(tc, test_user_until_columns);
	tcase_add_test(tc, test_user_row_index);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_bool);
	tcase_add_test(tc, test_parse_time);
	suite_add_tcase(s, tc);

	tc = tcase_create("group");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_group_members);
	tcase_add_test(tc, test_group_rules);
	tcase_add_test(tc, test_id_allowed);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_name_valid);
	suite_add_tcase(s, tc);

	tc = tcase_create("backend");
	tcase_add_test(tc, test_backend_set_err);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
