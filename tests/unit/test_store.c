/* test_store.c: the SQLite store (store.h): creation, migration, concurrent
 * and repeated migrations, uid conflicts, tombstones, schema version,
 * permissions, reopening. Each test gets a store of its own under a fresh
 * temporary directory. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "config.h"
#include "log.h"
#include "store.h"

#define HASH_A "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaGFoYXNoYWhhc2hhaGFzaGFoYXNo"
#define HASH_B "$argon2id$v=19$m=65536,t=2,p=1$b3RoZXJzYWx0$b3RoZXJoYXNob3RoZXJoYXNob3RoZXI"

static char dir[64];
static char path[128];
static struct config *cfg;

static void setup(void)
{
	char text[1024], err[512] = "";

	snprintf(dir, sizeof(dir), "/tmp/test_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state/store.db", dir);
	snprintf(text, sizeof(text),
		 "[customdb]\nmode = migrate\nstate_dir = %s/state\n"
		 "[legacy]\ndriver = sqlite\nconnection = /nonexistent.db\nquery_timeout = 2\n"
		 "[queries]\nlogin = SELECT 1 WHERE n = :username\n"
		 "get_user = SELECT 2 WHERE n = :username\n", dir);
	cfg = config_parse_string(text, "test.conf", err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg->store_driver, "sqlite");
	ck_assert_str_eq(cfg->store_path, path);
}

static void teardown(void)
{
	char cmd[128];

	config_free(cfg);
	cfg = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct store *open_ok(void)
{
	char err[512] = "";
	struct store *s = store_open(cfg, err, sizeof(err));

	ck_assert_msg(s != NULL, "store_open: %s", err);
	return s;
}

/* One integer from the store file, read with SQLite directly. */
static long long sql_int(const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void sql_exec(const char *sql)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	sqlite3_close(db);
}

static struct user make_user(const char *name, uid_t uid)
{
	struct user u = { 0 };

	u.name = (char *)name;
	u.uid = uid;
	u.gid = 100;
	u.gecos = (char *)"Test User";
	u.home = (char *)"/home/test";
	u.shell = (char *)"/bin/bash";
	u.email = (char *)"t@example.org";
	u.email_verified = -1;
	return u;
}

static const struct group devs_ops[] = {
	{ .name = (char *)"ops", .gid = 20002 },
	{ .name = (char *)"devs", .gid = 20001 },
	{ .name = (char *)"devs", .gid = 20001 },    /* a repeat is written once */
	{ .name = (char *)"bad name", .gid = 20003 }, /* never a valid group name */
};

START_TEST(creates_file_0600_with_schema)
{
	struct store *s = open_ok();
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq(st.st_uid, geteuid());
	ck_assert_int_eq(sql_int("SELECT max(version) FROM schema_version"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM users"), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM tombstones"), 0);
	store_close(s);
	/* the file is in WAL mode for good */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"),
			 1);
	ck_assert_int_eq(store_check(cfg, (char[256]){ 0 }, 256), STORE_OK);
}
END_TEST

START_TEST(migrate_and_read_back)
{
	struct store *s = open_ok();
	struct user u = make_user("alice", 10001), got;
	struct group g;
	gid_t *gids = NULL;
	size_t n = 0;

	u.expires = 4102444800;  /* 2100-01-01 */
	u.email_verified = 1;
	ck_assert_int_eq(store_user_by_name(s, "alice", &got), STORE_NOTFOUND);
	ck_assert_int_eq(store_migrate_user(s, &u, HASH_A, devs_ops, 4), STORE_OK);

	ck_assert_int_eq(store_user_by_name(s, "alice", &got), STORE_OK);
	ck_assert_str_eq(got.name, "alice");
	ck_assert_uint_eq(got.uid, 10001);
	ck_assert_uint_eq(got.gid, 100);
	ck_assert_str_eq(got.gecos, "Test User");
	ck_assert_str_eq(got.home, "/home/test");
	ck_assert_str_eq(got.shell, "/bin/bash");
	ck_assert_str_eq(got.email, "t@example.org");
	ck_assert_str_eq(got.password, HASH_A);
	ck_assert_int_eq(got.email_verified, 1);
	ck_assert(!got.disabled);
	ck_assert_int_eq(got.expires, 4102444800);
	user_clear(&got);

	ck_assert_int_eq(store_user_by_uid(s, 10001, &got), STORE_OK);
	ck_assert_str_eq(got.name, "alice");
	user_clear(&got);
	ck_assert_int_eq(store_user_by_uid(s, 10002, &got), STORE_NOTFOUND);

	ck_assert_int_eq(store_user_groups(s, "alice", &gids, &n), STORE_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(gids[0], 20001);
	ck_assert_uint_eq(gids[1], 20002);
	free(gids);
	ck_assert_int_eq(store_user_groups(s, "nobody", &gids, &n), STORE_NOTFOUND);

	ck_assert_int_eq(store_group_by_name(s, "devs", &g), STORE_OK);
	ck_assert_uint_eq(g.gid, 20001);
	ck_assert_uint_eq(g.nmembers, 1);
	ck_assert_str_eq(g.members[0], "alice");
	group_clear(&g);
	ck_assert_int_eq(store_group_by_gid(s, 20002, &g), STORE_OK);
	ck_assert_str_eq(g.name, "ops");
	group_clear(&g);
	ck_assert_int_eq(store_group_by_gid(s, 20003, &g), STORE_NOTFOUND);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM groups"), 2);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships"), 2);
	ck_assert_int_eq(sql_int("SELECT migrated_at > 0 AND migrated_at = last_login_at FROM users"),
			 1);

	ck_assert_int_eq(store_touch_login(s, "alice"), STORE_OK);
	store_close(s);
}
END_TEST

START_TEST(remigration_is_idempotent)
{
	struct store *s = open_ok();
	struct user u = make_user("alice", 10001), got;

	ck_assert_int_eq(store_migrate_user(s, &u, HASH_A, devs_ops, 2), STORE_OK);
	/* the same user again (a second login racing the first): fine, and
	 * the first row stays as it was */
	u.gecos = (char *)"Changed";
	ck_assert_int_eq(store_migrate_user(s, &u, HASH_B, NULL, 0), STORE_OK);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM users"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships"), 2);
	ck_assert_int_eq(store_user_by_name(s, "alice", &got), STORE_OK);
	ck_assert_str_eq(got.password, HASH_A);
	ck_assert_str_eq(got.gecos, "Test User");
	user_clear(&got);
	/* the same name under another uid is not the same user */
	u.uid = 10099;
	ck_assert_int_eq(store_migrate_user(s, &u, HASH_B, NULL, 0), STORE_CONFLICT);
	store_close(s);
}
END_TEST

START_TEST(uid_conflict_writes_nothing)
{
	struct store *s = open_ok();
	struct user a = make_user("alice", 10001), b = make_user("bob", 10001), got;
	static const struct group bobs[] = { { .name = (char *)"bobgrp", .gid = 20050 } };
	struct group g;

	ck_assert_int_eq(store_migrate_user(s, &a, HASH_A, NULL, 0), STORE_OK);
	ck_assert_int_eq(store_migrate_user(s, &b, HASH_B, bobs, 1), STORE_CONFLICT);
	ck_assert_int_eq(store_user_by_name(s, "bob", &got), STORE_NOTFOUND);
	ck_assert_int_eq(store_group_by_name(s, "bobgrp", &g), STORE_NOTFOUND);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM users"), 1);
	ck_assert_int_eq(store_user_by_uid(s, 10001, &got), STORE_OK);
	ck_assert_str_eq(got.name, "alice");
	user_clear(&got);
	store_close(s);
}
END_TEST

START_TEST(group_held_under_another_gid_is_not_joined)
{
	struct store *s = open_ok();
	struct user a = make_user("alice", 10001), b = make_user("bob", 10002);
	static const struct group other[] = { { .name = (char *)"devs", .gid = 20099 } };
	gid_t *gids = NULL;
	size_t n = 0;

	ck_assert_int_eq(store_migrate_user(s, &a, HASH_A, devs_ops, 2), STORE_OK);
	ck_assert_int_eq(store_migrate_user(s, &b, HASH_B, other, 1), STORE_OK);
	ck_assert_int_eq(store_user_groups(s, "bob", &gids, &n), STORE_OK);
	ck_assert_uint_eq(n, 0);
	free(gids);
	ck_assert_int_eq(sql_int("SELECT gid FROM groups WHERE name = 'devs'"), 20001);
	store_close(s);
}
END_TEST

START_TEST(tombstone_is_honoured)
{
	struct store *s = open_ok();
	struct user c = make_user("carol", 10003), got;
	const char *names[] = { "carol", "alice", "dave" };
	bool known[3];
	gid_t *gids = NULL;
	size_t n = 0;

	sql_exec("INSERT INTO tombstones (name, deleted_at) VALUES ('carol', 1)");
	ck_assert_int_eq(store_user_by_name(s, "carol", &got), STORE_TOMBSTONE);
	ck_assert_int_eq(store_migrate_user(s, &c, HASH_A, devs_ops, 2), STORE_TOMBSTONE);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM users"), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM groups"), 0);
	ck_assert_int_eq(store_user_groups(s, "carol", &gids, &n), STORE_TOMBSTONE);

	c = make_user("alice", 10001);
	ck_assert_int_eq(store_migrate_user(s, &c, HASH_A, NULL, 0), STORE_OK);
	ck_assert_int_eq(store_names_known(s, names, 3, known), STORE_OK);
	ck_assert(known[0]);
	ck_assert(known[1]);
	ck_assert(!known[2]);
	store_close(s);
}
END_TEST

START_TEST(newer_schema_is_refused)
{
	struct store *s = open_ok();
	char err[512] = "";

	store_close(s);
	sql_exec("UPDATE schema_version SET version = 99");
	ck_assert_ptr_null(store_open(cfg, err, sizeof(err)));
	ck_assert_msg(strstr(err, "schema version 99 is newer") != NULL, "%s", err);
	ck_assert_msg(strstr(err, path) != NULL, "%s", err);
	ck_assert_int_eq(store_check(cfg, err, sizeof(err)), STORE_ERROR);
}
END_TEST

START_TEST(readable_by_others_is_refused)
{
	struct store *s = open_ok();
	char err[512] = "";

	store_close(s);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_ptr_null(store_open(cfg, err, sizeof(err)));
	ck_assert_msg(strstr(err, "chmod 600") != NULL && strstr(err, path) != NULL, "%s", err);
	ck_assert_int_eq(store_check(cfg, err, sizeof(err)), STORE_ERROR);
}
END_TEST

START_TEST(not_a_database_is_refused)
{
	char err[512] = "";
	FILE *f;

	ck_assert_int_eq(mkdir(cfg->state_dir, 0755), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("this is not an SQLite database, not even close to one; it is text\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_ptr_null(store_open(cfg, err, sizeof(err)));
	ck_assert_msg(strstr(err, "not an SQLite database") != NULL, "%s", err);
}
END_TEST

START_TEST(reopen_keeps_everything)
{
	struct store *s = open_ok();
	struct user u = make_user("alice", 10001), got;
	gid_t *gids = NULL;
	size_t n = 0;

	ck_assert_int_eq(store_migrate_user(s, &u, HASH_A, devs_ops, 2), STORE_OK);
	store_close(s);
	s = open_ok();
	ck_assert_int_eq(store_user_by_name(s, "alice", &got), STORE_OK);
	ck_assert_str_eq(got.password, HASH_A);
	user_clear(&got);
	ck_assert_int_eq(store_user_groups(s, "alice", &gids, &n), STORE_OK);
	ck_assert_uint_eq(n, 2);
	free(gids);
	ck_assert_int_eq(sql_int("SELECT max(version) FROM schema_version"), 1);
	store_close(s);
}
END_TEST

/* Threads, each with its own connection, as the daemon's workers. */
struct racer {
	int index;
	const char *name;      /* NULL: a name of its own */
	int rc;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	char err[512], name[32];
	struct store *s = store_open(cfg, err, sizeof(err));
	struct user u;
	int i;

	r->rc = STORE_ERROR;
	if (s == NULL)
		return NULL;
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "user%d_%d", r->index, i);
		u = make_user(r->name != NULL ? r->name : name,
			      r->name != NULL ? 10001 : (uid_t)(11000 + r->index * 10 + i));
		r->rc = store_migrate_user(s, &u, HASH_A, devs_ops, 2);
		if (r->rc != STORE_OK)
			break;
	}
	store_close(s);
	return NULL;
}

START_TEST(concurrent_migrations)
{
	struct racer r[8];
	pthread_t t[8];
	struct store *s = open_ok();
	int i;

	store_close(s);
	/* four threads migrate the same user, four others users of their own */
	for (i = 0; i < 8; i++) {
		r[i].index = i;
		r[i].name = i < 4 ? "alice" : NULL;
		ck_assert_int_eq(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		ck_assert_msg(r[i].rc == STORE_OK, "thread %d: %s", i, store_rc_name(r[i].rc));
	}
	ck_assert_int_eq(sql_int("SELECT count(*) FROM users WHERE name = 'alice'"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM users"), 1 + 4 * 5);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships"), 2 * (1 + 4 * 5));
	ck_assert_int_eq(sql_int("SELECT count(*) FROM pragma_integrity_check "
				 "WHERE integrity_check = 'ok'"), 1);
}
END_TEST

START_TEST(bad_input_is_refused)
{
	struct store *s = open_ok();
	struct user u = make_user("root", 10001), got;

	ck_assert_int_eq(store_migrate_user(s, &u, HASH_A, NULL, 0), STORE_ERROR);
	u = make_user("alice", 0);
	ck_assert_int_eq(store_migrate_user(s, &u, HASH_A, NULL, 0), STORE_ERROR);
	u = make_user("alice", 10001);
	ck_assert_int_eq(store_migrate_user(s, &u, NULL, NULL, 0), STORE_ERROR);
	ck_assert_int_eq(store_user_by_name(s, "x' OR '1'='1", &got), STORE_NOTFOUND);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM users"), 0);
	store_close(s);
}
END_TEST

START_TEST(config_for_the_store)
{
	char err[512] = "";
	struct config *c;

	/* postgresql needs a connection string */
	c = config_parse_string("[customdb]\nmode = migrate\n[store]\ndriver = postgresql\n"
				"[legacy]\ndriver = sqlite\nconnection = /x.db\n"
				"[queries]\nlogin = SELECT 1 WHERE n = :username\n"
				"get_user = SELECT 2 WHERE n = :username\n", "t.conf", err,
				sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, "[store] connection") != NULL, "%s", err);
	c = config_parse_string("[store]\ndriver = mongodb\n", "t.conf", err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, "[store] driver") != NULL, "%s", err);
	c = config_parse_string("[store]\npath = relative.db\n", "t.conf", err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, "not an absolute path") != NULL, "%s", err);
	/* timeouts default to [legacy]'s */
	ck_assert_int_eq(cfg->store_query_timeout, 2);
	ck_assert_int_eq(cfg->store_connect_timeout, 3);
	ck_assert_uint_eq(cfg->store_password_cost, 0);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("sqlite");

	log_init("test_store", true, false);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, creates_file_0600_with_schema);
	tcase_add_test(tc, migrate_and_read_back);
	tcase_add_test(tc, remigration_is_idempotent);
	tcase_add_test(tc, uid_conflict_writes_nothing);
	tcase_add_test(tc, group_held_under_another_gid_is_not_joined);
	tcase_add_test(tc, tombstone_is_honoured);
	tcase_add_test(tc, newer_schema_is_refused);
	tcase_add_test(tc, readable_by_others_is_refused);
	tcase_add_test(tc, not_a_database_is_refused);
	tcase_add_test(tc, reopen_keeps_everything);
	tcase_add_test(tc, concurrent_migrations);
	tcase_add_test(tc, bad_input_is_refused);
	tcase_add_test(tc, config_for_the_store);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
