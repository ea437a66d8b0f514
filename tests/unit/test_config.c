/* test_config.c: config_parse_string and config_expand_home. */
#include <check.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* The smallest config that parses: sections and keys every test adds to. */
#define LEGACY "[legacy]\ndriver = sqlite\nconnection = /var/lib/shop.db\n"
#define QUERIES "[queries]\nlogin = SELECT 1 WHERE n = :username\n" \
	"get_user = SELECT 2 WHERE n = :username\n"
#define MINIMAL LEGACY QUERIES

static struct config *parse_ok(const char *text)
{
	char err[512] = "";
	struct config *c = config_parse_string(text, "test.conf", err, sizeof(err));

	ck_assert_msg(c != NULL, "refused: %s", err);
	return c;
}

/* The text must be refused with a message that holds each of the needles
 * (NULL-terminated list). */
static void parse_fails(const char *text, ...)
{
	char err[512] = "";
	struct config *c = config_parse_string(text, "test.conf", err, sizeof(err));
	const char *needle;
	va_list ap;

	if (c != NULL) {
		config_free(c);
		ck_abort_msg("accepted:\n%.300s", text);
	}
	va_start(ap, text);
	while ((needle = va_arg(ap, const char *)) != NULL)
		ck_assert_msg(strstr(err, needle) != NULL, "'%s' not in '%s'", needle, err);
	va_end(ap);
}

START_TEST(test_minimal_defaults)
{
	struct config *c = parse_ok(MINIMAL);

	ck_assert_int_eq(c->mode, MODE_LEGACY);
	ck_assert_uint_eq(c->min_uid, 10000);
	ck_assert_uint_eq(c->max_uid, 60000);
	ck_assert_uint_eq(c->default_gid, 100);
	ck_assert_int_eq(c->cache_ttl, 300);
	ck_assert_int_eq(c->negative_ttl, 30);
	ck_assert_int_eq(c->connect_timeout, 3);
	ck_assert_int_eq(c->query_timeout, 5);
	ck_assert_int_gt(c->workers, 0);
	ck_assert(!c->require_verified);
	ck_assert(!c->rehash_on_login);
	ck_assert_str_eq(c->default_shell, "/bin/sh");
	ck_assert_str_eq(c->home, "/home/%u");
	ck_assert_str_eq(c->socket_path, CUSTOMDB_DEFAULT_SOCKET);
	ck_assert_str_eq(c->state_dir, CUSTOMDB_DEFAULT_STATE_DIR);
	ck_assert_str_eq(c->driver, "sqlite");
	ck_assert_str_eq(c->connection, "/var/lib/shop.db");
	ck_assert_ptr_null(c->password_file);
	ck_assert_ptr_null(c->password);
	ck_assert_str_eq(c->q[Q_LOGIN].sql, "SELECT 1 WHERE n = :username");
	ck_assert_str_eq(c->q[Q_LOGIN].sql_dollar, "SELECT 1 WHERE n = $1");
	ck_assert_uint_eq(c->q[Q_LOGIN].nparams, 1);
	ck_assert_int_eq(c->q_line[Q_LOGIN], 5);
	ck_assert_ptr_nonnull(c->q[Q_GET_USER].sql);
	ck_assert_ptr_null(c->q[Q_GET_GROUP].sql);
	ck_assert_ptr_null(c->q[Q_DELETE].sql);
	config_free(c);
	config_free(NULL);
}
END_TEST

START_TEST(test_full_config)
{
	static const char text[] =
		"# customdb.conf\n"
		"; another comment\n"
		"[customdb]\n"
		"mode = legacy\n"
		"min_uid = 20000\n"
		"max_uid = 29999\n"
		"default_shell = /bin/bash\n"
		"home = /srv/home/%U\n"
		"default_gid = 500\n"
		"cache_ttl = 600\n"
		"negative_ttl = 0\n"
		"require_verified = yes\n"
		"socket = /tmp/customdb.sock\n"
		"state_dir = /tmp/customdb-state\n"
		"workers = 4\n"
		"\n"
		"[legacy]\n"
		"driver = postgresql\n"
		"connection = host=127.0.0.1 dbname=shop user=customdb options='-c search_path=a;b'\n"
		"password_file = /etc/customdb/legacy.secret\n"
		"connect_timeout = 7\n"
		"query_timeout = 9\n"
		"password_scheme = bcrypt\n"
		"rehash_on_login = true\n"
		"\n"
		"[store]\n"
		"driver = sqlite\n"
		"path = /var/lib/customdb/store.db\n"
		"\n"
		"[queries]\n"
		"login = SELECT name AS username, 10000 + id AS uid, pass AS password,\n"
		"               email, NOT active AS disabled  # not a comment\n"
		"          FROM users WHERE name = :username; -- nor this ; or #\n"
		"get_user = SELECT name AS username FROM users WHERE name = :username\n"
		"get_user_by_uid = SELECT name AS username FROM users\n"
		"\tWHERE id = CAST(:uid AS integer) - 10000\n"
		"get_group = SELECT '#;' AS \"group\", gid FROM g WHERE name = :group\n";
	struct config *c = parse_ok(text);

	ck_assert_int_eq(c->mode, MODE_LEGACY);
	ck_assert_uint_eq(c->min_uid, 20000);
	ck_assert_uint_eq(c->max_uid, 29999);
	ck_assert_str_eq(c->default_shell, "/bin/bash");
	ck_assert_str_eq(c->home, "/srv/home/%U");
	ck_assert_uint_eq(c->default_gid, 500);
	ck_assert_int_eq(c->cache_ttl, 600);
	ck_assert_int_eq(c->negative_ttl, 0);
	ck_assert(c->require_verified);
	ck_assert_str_eq(c->socket_path, "/tmp/customdb.sock");
	ck_assert_str_eq(c->state_dir, "/tmp/customdb-state");
	ck_assert_int_eq(c->workers, 4);
	ck_assert_str_eq(c->driver, "postgresql");
	/* ';' inside a value is kept: no inline comments */
	ck_assert_str_eq(c->connection,
			 "host=127.0.0.1 dbname=shop user=customdb options='-c search_path=a;b'");
	ck_assert_str_eq(c->password_file, "/etc/customdb/legacy.secret");
	ck_assert_ptr_null(c->password);   /* config_parse_string reads no files */
	ck_assert_int_eq(c->connect_timeout, 7);
	ck_assert_int_eq(c->query_timeout, 9);
	ck_assert_str_eq(c->password_scheme, "bcrypt");
	ck_assert(c->rehash_on_login);
	ck_assert_str_eq(c->store_driver, "sqlite");
	ck_assert_str_eq(c->store_path, "/var/lib/customdb/store.db");
	/* continuation lines joined with '\n', leading indentation dropped */
	ck_assert_str_eq(c->q[Q_LOGIN].sql,
			 "SELECT name AS username, 10000 + id AS uid, pass AS password,\n"
			 "email, NOT active AS disabled  # not a comment\n"
			 "FROM users WHERE name = :username; -- nor this ; or #");
	ck_assert_uint_eq(c->q[Q_LOGIN].nparams, 1);
	ck_assert_int_eq(c->q_line[Q_LOGIN], 31);
	ck_assert_str_eq(c->q[Q_GET_USER_BY_UID].sql,
			 "SELECT name AS username FROM users\nWHERE id = CAST(:uid AS integer) - 10000");
	ck_assert_str_eq(c->q[Q_GET_USER_BY_UID].sql_dollar,
			 "SELECT name AS username FROM users\nWHERE id = CAST($1 AS integer) - 10000");
	ck_assert_str_eq(c->q[Q_GET_GROUP].sql,
			 "SELECT '#;' AS \"group\", gid FROM g WHERE name = :group");
	ck_assert_int_eq(c->q[Q_GET_GROUP].params[0], QP_GROUP);
	ck_assert_int_eq(c->q_line[Q_GET_GROUP], 37);
	config_free(c);
}
END_TEST

START_TEST(test_blank_lines_and_crlf)
{
	struct config *c;

	/* a blank line inside a multi-line value does not end it */
	c = parse_ok(LEGACY "[queries]\nlogin = SELECT 1\n\n  WHERE n = :username\n"
		     "get_user = SELECT 2 WHERE n = :username\n");
	ck_assert_str_eq(c->q[Q_LOGIN].sql, "SELECT 1\nWHERE n = :username");
	config_free(c);

	c = parse_ok("[legacy]\r\ndriver = mysql\r\nconnection = host=db user=x\r\n"
		     "[queries]\r\nlogin = SELECT 1\r\n  WHERE n = :username\r\n"
		     "get_user = SELECT 2 WHERE n = :username\r\n");
	ck_assert_str_eq(c->driver, "mysql");
	ck_assert_str_eq(c->connection, "host=db user=x");
	ck_assert_str_eq(c->q[Q_LOGIN].sql, "SELECT 1\nWHERE n = :username");
	config_free(c);
}
END_TEST

START_TEST(test_unknown_key)
{
	parse_fails("[customdb]\nmin_uid = 10000\nmin_ud = 5\n" MINIMAL,
		    "test.conf:3:", "min_ud", "unknown", NULL);
	parse_fails(LEGACY "dbname = shop\n" QUERIES, "test.conf:4:", "[legacy]", "dbname", NULL);
	parse_fails(MINIMAL "get_users = SELECT 1\n", "test.conf:7:", "get_users", NULL);
	parse_fails("[store]\nfile = /x\n" MINIMAL, "test.conf:2:", "[store]", "file", NULL);
}
END_TEST

START_TEST(test_unknown_section)
{
	parse_fails(MINIMAL "[qeuries]\nlogin = SELECT 1\n",
		    "test.conf:8:", "[qeuries]", "login", NULL);
	parse_fails("min_uid = 1\n" MINIMAL, "test.conf:1:", "min_uid", NULL);
}
END_TEST

START_TEST(test_bad_values)
{
	parse_fails("[customdb]\nmin_uid = 12x\n" MINIMAL, "test.conf:2:", "min_uid", "12x", NULL);
	parse_fails("[customdb]\n\nmax_uid = -5\n" MINIMAL, "test.conf:3:", "max_uid", NULL);
	parse_fails("[customdb]\nmin_uid = 0\n" MINIMAL, "test.conf:2:", "min_uid", NULL);
	parse_fails("[customdb]\nmax_uid = 99999999999\n" MINIMAL, "test.conf:2:", "max_uid", NULL);
	parse_fails("[customdb]\ncache_ttl =\n" MINIMAL, "test.conf:2:", "cache_ttl", NULL);
	parse_fails("[customdb]\ndefault_gid = 1 0\n" MINIMAL, "test.conf:2:", "default_gid", NULL);
	parse_fails(LEGACY "connect_timeout = 301\n" QUERIES, "test.conf:4:", "connect_timeout", NULL);
	parse_fails("[customdb]\nrequire_verified = maybe\n" MINIMAL,
		    "test.conf:2:", "require_verified", NULL);
	parse_fails("[customdb]\nmode = hybrid\n" MINIMAL, "test.conf:2:", "mode", NULL);
	parse_fails("[customdb]\nhome = home/%u\n" MINIMAL, "test.conf:2:", "home", NULL);
	parse_fails("[customdb]\ndefault_shell = bash\n" MINIMAL, "test.conf:2:", "default_shell", NULL);
	parse_fails("[legacy]\ndriver = oracle\nconnection = x\n" QUERIES, "test.conf", "driver", "oracle",
		    NULL);
	parse_fails("[customdb]\nthis line has no equals sign\n" MINIMAL, "test.conf:2:", NULL);
}
END_TEST

START_TEST(test_allowed_gids_and_cache_caps)
{
	struct config *c = parse_ok("[customdb]\nallowed_gids = 1001, 998 4294967294\n"
				    "cache_max_entries = 5000\nnegative_max_entries = 0\n" MINIMAL);

	ck_assert_uint_eq(c->nallowed_gids, 3);
	ck_assert_uint_eq(c->allowed_gids[0], 1001);
	ck_assert_uint_eq(c->allowed_gids[1], 998);
	ck_assert_uint_eq(c->allowed_gids[2], 4294967294u);
	ck_assert_int_eq(c->cache_max_entries, 5000);
	ck_assert_int_eq(c->negative_max_entries, 0);
	config_free(c);
	c = parse_ok(MINIMAL);
	ck_assert_uint_eq(c->nallowed_gids, 0);
	ck_assert_int_eq(c->cache_max_entries, 1000000);
	ck_assert_int_eq(c->negative_max_entries, 100000);
	config_free(c);
	parse_fails("[customdb]\nallowed_gids = 27, 0\n" MINIMAL, "test.conf:2:", "allowed_gids",
		    "'0'", NULL);
	parse_fails("[customdb]\nallowed_gids = sudo\n" MINIMAL, "test.conf:2:", "'sudo'", NULL);
	parse_fails("[customdb]\ncache_max_entries = 10\n" MINIMAL, "test.conf:2:",
		    "cache_max_entries", NULL);
	parse_fails("[customdb]\nnegative_max_entries = -1\n" MINIMAL, "test.conf:2:",
		    "negative_max_entries", NULL);
}
END_TEST

START_TEST(test_uid_range)
{
	struct config *c;

	c = parse_ok("[customdb]\nmin_uid = 5000\nmax_uid = 5000\n" MINIMAL);
	ck_assert_uint_eq(c->min_uid, 5000);
	ck_assert_uint_eq(c->max_uid, 5000);
	config_free(c);
	parse_fails("[customdb]\nmin_uid = 50000\nmax_uid = 40000\n" MINIMAL, "test.conf", "min_uid",
		    NULL);
	/* against the default max_uid too */
	parse_fails("[customdb]\nmin_uid = 70000\n" MINIMAL, "test.conf", "min_uid", NULL);
}
END_TEST

/* config.h: "err naming the file, the line and the key", also for the
 * checks made after the whole file is read. */
START_TEST(test_uid_range_names_line)
{
	/* both in the file: the later key is the one named */
	parse_fails("[customdb]\nmin_uid = 50000\nmax_uid = 40000\n" MINIMAL, "test.conf:3:",
		    "max_uid", "below min_uid", NULL);
	parse_fails("[customdb]\nmax_uid = 40000\nmin_uid = 50000\n" MINIMAL, "test.conf:3:",
		    "min_uid", "above max_uid", NULL);
}
END_TEST

/* Only max_uid in the file, below the default min_uid 10000: the message
 * must name max_uid and its line, not the default min_uid (line 0). */
START_TEST(test_uid_range_names_max_uid_line)
{
	parse_fails("[customdb]\n\nmax_uid = 5000\n" MINIMAL, "test.conf:3:", "max_uid", NULL);
}
END_TEST

START_TEST(test_missing_required)
{
	parse_fails("[legacy]\nconnection = x\n" QUERIES, "test.conf", "[legacy]", "driver",
		    "missing", NULL);
	parse_fails("[legacy]\ndriver = sqlite\n" QUERIES, "test.conf", "[legacy]", "connection",
		    "missing", NULL);
	parse_fails(LEGACY "[queries]\nget_user = SELECT 2 WHERE n = :username\n",
		    "test.conf", "[queries]", "login", "missing", NULL);
	parse_fails(LEGACY "[queries]\nlogin = SELECT 2 WHERE n = :username\n",
		    "test.conf", "[queries]", "get_user", "missing", NULL);
	parse_fails("", "test.conf", NULL);
}
END_TEST

START_TEST(test_duplicate_key)
{
	parse_fails(LEGACY "driver = mysql\n" QUERIES, "test.conf:4:", "driver", "twice", NULL);
	parse_fails(LEGACY "connection = y\n" QUERIES, "test.conf:4:", "connection", NULL);
	parse_fails(MINIMAL "login = SELECT 3 WHERE n = :username\n", "test.conf:7:", "login",
		    "twice", NULL);
	parse_fails("[store]\npath = /a\npath = /b\n" MINIMAL, "test.conf:3:", "path", NULL);
	/* the same key again in a second [legacy] section is still a duplicate */
	parse_fails(MINIMAL "[legacy]\ndriver = mysql\n", "test.conf:8:", "driver", NULL);
}
END_TEST

/* Numbers, yes/no values and [customdb] keys given twice are refused too. */
START_TEST(test_duplicate_key_scalars)
{
	parse_fails("[customdb]\nmin_uid = 20000\nmin_uid = 10\n" MINIMAL, "test.conf:3:", "min_uid",
		    NULL);
	parse_fails("[customdb]\nhome = /home/%u\nhome = /tmp/%u\n" MINIMAL, "test.conf:3:", "home",
		    NULL);
	parse_fails("[customdb]\nrequire_verified = yes\nrequire_verified = no\n" MINIMAL,
		    "test.conf:3:", "require_verified", NULL);
	parse_fails(LEGACY "connect_timeout = 3\nconnect_timeout = 30\n" QUERIES, "test.conf:5:",
		    "connect_timeout", NULL);
}
END_TEST

/* A line longer than config.c's ini_max_line (64 KiB) is cut by libinih and
 * the rest is parsed as a line of its own: here the tail of a comment in
 * `login` becomes a `get_user` key that the file does not have. It must be
 * refused (line too long), or at least not invent a key. */
START_TEST(test_long_line_not_split)
{
	static const char before[] = LEGACY "[queries]\n";
	static const char login[] = "login = SELECT 1 WHERE n = :username -- ";
	static const char tail[] = "get_user = SELECT 2 WHERE n = :username\n";
	size_t line = 65535;   /* the login line up to the tail, in bytes */
	char *text = malloc(sizeof(before) + line + sizeof(tail));
	char *o = text;
	char err[256] = "";
	struct config *c;
	bool invented;

	ck_assert_ptr_nonnull(text);
	o = mempcpy(o, before, sizeof(before) - 1);
	o = mempcpy(o, login, sizeof(login) - 1);
	memset(o, 'p', line - (sizeof(login) - 1));
	o += line - (sizeof(login) - 1);
	memcpy(o, tail, sizeof(tail));
	c = config_parse_string(text, "test.conf", err, sizeof(err));
	free(text);
	invented = c != NULL && c->q[Q_GET_USER].sql != NULL;
	config_free(c);
	ck_assert_msg(!invented, "invented a get_user key from the tail of line 5");
	ck_assert_msg(c == NULL, "a 64 KiB line was accepted");
}
END_TEST

START_TEST(test_query_errors)
{
	parse_fails(LEGACY "[queries]\nlogin = SELECT 1 WHERE n = :username\n"
		    "get_user = SELECT 2\n  WHERE n = :user_name\n",
		    "test.conf:6:", "[queries]", "get_user", ":user_name", NULL);
	parse_fails(LEGACY "[queries]\nlogin = SELECT 'x WHERE n = :username\n"
		    "get_user = SELECT 2 WHERE n = :username\n",
		    "test.conf:5:", "login", "unterminated", NULL);
	/* only query values may continue on indented lines */
	parse_fails("[legacy]\ndriver = sqlite\n  more\nconnection = x\n" QUERIES,
		    "test.conf:3:", "driver", NULL);
}
END_TEST

/* A scheme with a salt column of its own (redmine): the writing queries
 * must write :salt, else the hash written would never match. */
START_TEST(test_salt_column_written)
{
	struct config *c;

	parse_fails("[legacy]\ndriver = sqlite\nconnection = x\npassword_scheme = redmine\n"
		    QUERIES "change_password = UPDATE u SET h = :password_hash "
		    "WHERE n = :username\n",
		    "test.conf:8:", "change_password", "redmine", ":salt", NULL);
	parse_fails("[legacy]\ndriver = sqlite\nconnection = x\npassword_scheme = redmine\n"
		    QUERIES "create = INSERT INTO u VALUES (:username, :password_hash)\n",
		    "create", ":salt", NULL);
	c = parse_ok("[legacy]\ndriver = sqlite\nconnection = x\npassword_scheme = redmine\n"
		     QUERIES "change_password = UPDATE u SET h = :password_hash, s = :salt "
		     "WHERE n = :username\n");
	config_free(c);
	/* Gitea's salt column too */
	parse_fails("[legacy]\ndriver = sqlite\nconnection = x\npassword_scheme = gitea-pbkdf2\n"
		    QUERIES "change_password = UPDATE u SET h = :password_hash "
		    "WHERE n = :username\n",
		    "test.conf:8:", "change_password", "gitea-pbkdf2", ":salt", NULL);
}
END_TEST

/* space_in_names: one character a Linux name may hold, or unset */
START_TEST(test_space_in_names)
{
	struct config *c = parse_ok(MINIMAL);

	ck_assert_ptr_null(c->space_in_names);
	config_free(c);
	c = parse_ok("[legacy]\ndriver = sqlite\nconnection = x\nspace_in_names = _\n" QUERIES);
	ck_assert_str_eq(c->space_in_names, "_");
	config_free(c);
	parse_fails("[legacy]\ndriver = sqlite\nconnection = x\nspace_in_names = +\n" QUERIES,
		    "space_in_names", NULL);
	parse_fails("[legacy]\ndriver = sqlite\nconnection = x\nspace_in_names = __\n" QUERIES,
		    "space_in_names", NULL);
}
END_TEST

/* uid_offset, gid_offset: whole numbers from 0; case_sensitive: true or
 * false (SSSD's preserving is refused, saying why) */
START_TEST(test_namemap_keys)
{
	struct config *c = parse_ok(MINIMAL);

	ck_assert_uint_eq(c->uid_offset, 0);
	ck_assert_uint_eq(c->gid_offset, 0);
	ck_assert(!c->fold_case);
	config_free(c);
	c = parse_ok("[legacy]\ndriver = sqlite\nconnection = x\nuid_offset = 10000\n"
		     "gid_offset = 60000\ncase_sensitive = false\n" QUERIES);
	ck_assert_uint_eq(c->uid_offset, 10000);
	ck_assert_uint_eq(c->gid_offset, 60000);
	ck_assert(c->fold_case);
	config_free(c);
	c = parse_ok("[legacy]\ndriver = sqlite\nconnection = x\ncase_sensitive = true\n" QUERIES);
	ck_assert(!c->fold_case);
	config_free(c);
	parse_fails("[legacy]\ndriver = sqlite\nconnection = x\nuid_offset = -1\n" QUERIES,
		    "test.conf:4:", "uid_offset", "'-1' is not a whole number from 0", NULL);
	parse_fails("[legacy]\ndriver = sqlite\nconnection = x\ngid_offset = 20k\n" QUERIES,
		    "gid_offset", "'20k'", NULL);
	parse_fails("[legacy]\ndriver = sqlite\nconnection = x\nuid_offset = 4294967295\n"
		    QUERIES, "uid_offset", NULL);
	parse_fails("[legacy]\ndriver = sqlite\nconnection = x\nuid_offset = 60001\n" QUERIES,
		    "test.conf:4:", "uid_offset", "above max_uid (60000)", NULL);
	parse_fails("[legacy]\ndriver = sqlite\nconnection = x\ngid_offset = 100000\n" QUERIES,
		    "gid_offset", "above max_uid", NULL);
	parse_fails("[legacy]\ndriver = sqlite\nconnection = x\ncase_sensitive = maybe\n"
		    QUERIES, "case_sensitive", "'maybe' is neither true nor false", NULL);
	parse_fails("[legacy]\ndriver = sqlite\nconnection = x\ncase_sensitive = preserving\n"
		    QUERIES, "case_sensitive", "preserving", "collation", NULL);
}
END_TEST

START_TEST(test_small_err_buffer)
{
	char err[12];
	struct config *c;

	memset(err, 'X', sizeof(err));
	c = config_parse_string("[nope]\nkey = value\n", "a-rather-long-file-name.conf", err,
				sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(strlen(err), sizeof(err) - 1);
	ck_assert(strncmp(err, "a-rather-lo", 11) == 0);
}
END_TEST

/* ---- config_expand_home ---- */

static void expand_is(const char *tmpl, const char *user, unsigned long uid, const char *want)
{
	struct config c = { .home = (char *)tmpl };
	char dst[256];

	ck_assert_int_eq(config_expand_home(&c, user, uid, dst, sizeof(dst)), 0);
	ck_assert_str_eq(dst, want);
}

START_TEST(test_expand_home)
{
	expand_is("/home/%u", "alice", 10001, "/home/alice");
	expand_is("/home/%U", "alice", 10001, "/home/10001");
	expand_is("/h/%u/%U/%u", "bob", 4294967295ul, "/h/bob/4294967295/bob");
	expand_is("/home/100%%/%u", "carol", 1, "/home/100%/carol");
	expand_is("/home/%%u", "carol", 1, "/home/%u");
	expand_is("/home/%x%", "dave", 1, "/home/%x%");   /* unknown escapes stay */
	expand_is("/srv/users", "erin", 1, "/srv/users");
	expand_is("", "erin", 1, "");
}
END_TEST

START_TEST(test_expand_home_too_long)
{
	struct config c = { .home = (char *)"/home/%u" };
	char dst[12];

	/* "/home/alice" is 11 bytes: fits 12 exactly, not 11 */
	ck_assert_int_eq(config_expand_home(&c, "alice", 1, dst, 12), 0);
	ck_assert_str_eq(dst, "/home/alice");
	ck_assert_int_eq(config_expand_home(&c, "alice", 1, dst, 11), -1);
	ck_assert_int_eq(config_expand_home(&c, "alicealice", 1, dst, sizeof(dst)), -1);
	c.home = (char *)"/%U";
	ck_assert_int_eq(config_expand_home(&c, "x", 4294967295ul, dst, sizeof(dst)), 0);
	ck_assert_str_eq(dst, "/4294967295");
	ck_assert_int_eq(config_expand_home(&c, "x", 4294967295ul, dst, 11), -1);
	c.home = (char *)"";
	ck_assert_int_eq(config_expand_home(&c, "x", 1, dst, 1), 0);
	ck_assert_str_eq(dst, "");
}
END_TEST

/* The keys config.c knows (config_key_at) and the keys customdb.conf(5)
 * lists under each SECTION (".TP"/".TQ" then '.BI "key = "', or in [queries]
 * ".B name" under ".SS Queries") are the same. */
#define MAX_MAN_KEYS 128

static size_t man_keys(char keys[][64])
{
	char line[512], section[32] = "";
	bool after_tp = false, query_list = false;
	size_t n = 0;
	FILE *f = fopen(CUSTOMDB_CONF5, "r");

	ck_assert_msg(f != NULL, "cannot open %s", CUSTOMDB_CONF5);
	while (fgets(line, sizeof(line), f) != NULL) {
		char name[40];

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, ".SH", 3) == 0 &&
		    sscanf(line, ".SH \"SECTION [%31[a-z]]\"", section) != 1)
			section[0] = '\0';
		if (strncmp(line, ".SH", 3) == 0 || strncmp(line, ".SS", 3) == 0)
			query_list = strcmp(line, ".SS Queries") == 0;
		if (after_tp && section[0] != '\0' &&
		    ((strcmp(section, "queries") != 0 && sscanf(line, ".BI \"%39[a-z_] = \"", name) == 1) ||
		     (query_list && sscanf(line, ".B %39[a-z_]", name) == 1))) {
			ck_assert_uint_lt(n, MAX_MAN_KEYS);
			snprintf(keys[n++], 64, "%s.%s", section, name);
		}
		after_tp = strcmp(line, ".TP") == 0 || strcmp(line, ".TQ") == 0;
	}
	fclose(f);
	return n;
}

START_TEST(test_keys_match_man_page)
{
	static char man[MAX_MAN_KEYS][64];
	const char *section, *name, *help;
	char sk[64];
	size_t nman = man_keys(man), i, j, found;

	ck_assert_uint_gt(nman, 30);
	for (i = 0; config_key_at(i, &section, &name, &help); i++) {
		snprintf(sk, sizeof(sk), "%s.%s", section, name);
		ck_assert_msg(help != NULL && help[0] != '\0', "%s has no help", sk);
		for (j = found = 0; j < nman; j++)
			found += strcmp(man[j], sk) == 0;
		ck_assert_msg(found == 1, "%s is %zu times in customdb.conf(5)", sk, found);
	}
	for (j = 0; j < nman; j++) {
		for (i = found = 0; config_key_at(i, &section, &name, &help); i++) {
			snprintf(sk, sizeof(sk), "%s.%s", section, name);
			found += strcmp(man[j], sk) == 0;
		}
		ck_assert_msg(found == 1, "%s of customdb.conf(5) is %zu times in config.c", man[j],
			      found);
	}
}
END_TEST

/* mode = store: the legacy database is retired, [legacy] and [queries] may
 * be absent; the other modes still need them. */
START_TEST(test_store_mode)
{
	struct config *c = parse_ok("[customdb]\nmode = store\n[store]\npath = /s.db\n");

	ck_assert_int_eq(c->mode, MODE_STORE);
	ck_assert_ptr_null(c->driver);
	ck_assert_ptr_null(c->q[Q_LOGIN].sql);
	ck_assert_str_eq(config_mode_name(c->mode), "store");
	config_free(c);
	c = parse_ok("[customdb]\nmode = store\n[store]\ndriver = postgresql\n"
		     "connection = dbname=s\n" MINIMAL);
	ck_assert_int_eq(c->mode, MODE_STORE);
	config_free(c);
	parse_fails("[customdb]\nmode = store\n[store]\ndriver = postgresql\n",
		    "[store] connection: missing", NULL);
	parse_fails("[customdb]\nmode = migrate\n[store]\npath = /s.db\n",
		    "[legacy] driver: missing", NULL);
}
END_TEST

/* Each kind of key in the table: the value it refuses, and the message. */
START_TEST(test_key_kinds)
{
	struct config *c = parse_ok("[customdb]\nmode = migrate\nhash_max_rounds = 5000\n"
				    "[store]\ndriver = postgresql\nconnection = dbname=s\n"
				    "connect_timeout = 9\n" MINIMAL);

	ck_assert_int_eq(c->mode, MODE_MIGRATE);
	ck_assert_uint_eq(c->hash_limits.rounds, 5000);
	ck_assert_str_eq(c->store_driver, "postgresql");
	ck_assert_int_eq(c->store_connect_timeout, 9);
	ck_assert_int_eq(c->store_query_timeout, 5);
	config_free(c);
	parse_fails("[customdb]\nmode = hybrid\n" MINIMAL, "mode: 'hybrid' is not one of legacy, migrate, store",
		    NULL);
	parse_fails("[store]\ndriver = mysql\n" MINIMAL, "'mysql' is neither sqlite nor postgresql",
		    NULL);
	parse_fails("[legacy]\ndriver = oracle\nconnection = x\n" QUERIES,
		    "test.conf:2: [legacy] driver: 'oracle' is not one of postgresql, mysql, sqlite",
		    NULL);
	parse_fails("[customdb]\nhash_max_rounds = 5\n" MINIMAL, "test.conf:2:", "hash_max_rounds",
		    "from 1000 to 999999999", NULL);
	parse_fails("[customdb]\nhash_max_roundz = 5\n" MINIMAL, "test.conf:2:", "unknown key", NULL);
	parse_fails("[customdb]\nenumerate = 2\n" MINIMAL, "enumerate: '2' is not yes or no", NULL);
	parse_fails("[store]\npath = x.db\n" MINIMAL, "path: 'x.db' is not an absolute path", NULL);
	parse_fails("[customdb]\nworkers = 0\n" MINIMAL, "'0' is not a whole number from 1 to 256",
		    NULL);
	parse_fails("[customdb]\nallowed_gids = 5\nallowed_gids = 6\n" MINIMAL,
		    "test.conf:3:", "set twice (first on line 2)", NULL);
	parse_fails(MINIMAL "login = SELECT 3\n", "test.conf:7:", "set twice (first on line 5)", NULL);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_minimal_defaults);
	tcase_add_test(tc, test_full_config);
	tcase_add_test(tc, test_blank_lines_and_crlf);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_unknown_section);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_allowed_gids_and_cache_caps);
	tcase_add_test(tc, test_uid_range);
	tcase_add_test(tc, test_missing_required);
	tcase_add_test(tc, test_duplicate_key);
	tcase_add_test(tc, test_duplicate_key_scalars);
	tcase_add_test(tc, test_uid_range_names_line);
	tcase_add_test(tc, test_query_errors);
	tcase_add_test(tc, test_salt_column_written);
	tcase_add_test(tc, test_space_in_names);
	tcase_add_test(tc, test_namemap_keys);
	tcase_add_test(tc, test_small_err_buffer);
	tcase_add_test(tc, test_keys_match_man_page);
	tcase_add_test(tc, test_key_kinds);
	tcase_add_test(tc, test_store_mode);
	suite_add_tcase(s, tc);

	tc = tcase_create("expand_home");
	tcase_add_test(tc, test_expand_home);
	tcase_add_test(tc, test_expand_home_too_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_uid_range_names_max_uid_line);
	tcase_add_test(tc, test_long_line_not_split);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
