/* test_store.c: the store (store.h): creation and upgrade, migration,
 * concurrent and repeated migrations, uid conflicts, tombstones, schema
 * version, permissions, reopening; and the user's life after it: password
 * and email changes, deletion, uids for new users, bulk import (outcomes,
 * idempotence, concurrency, rate), figures and listings.
 *
 * Each test gets a store of its own: an SQLite file under a fresh temporary
 * directory. When CUSTOMDB_TEST_STORE_PG holds a libpq connection string,
 * the tests that are not about the SQLite file run once more against that
 * PostgreSQL database ([store] driver = postgresql), which each test empties
 * first (its tables are dropped: give it a database of its own;
 * tests/integration/store_pg.sh does). CUSTOMDB_TEST_IMPORT_ROWS sets the
 * size of the bulk import (default 20000), whose rate is printed, never
 * asserted: speed is the benchmarks' business. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "config.h"
#include "connector.h"
#include "log.h"
#include "store.h"

#define HASH_A "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaGFoYXNoYWhhc2hhaGFzaGFoYXNo"
#define HASH_B "$argon2id$v=19$m=65536,t=2,p=1$b3RoZXJzYWx0$b3RoZXJoYXNob3RoZXJoYXNob3RoZXI"
/* legacy hashes, as a bulk import carries them over */
#define MD5CRYPT "$1$saltsalt$qjXMvbEw8oaL.CzflDugX."
#define ASPNET "Lq3Ffdi2yFzEe0vZ0xkZXz3PDDk="
#define ASPNET_SALT "9Ch4bC6XK5e4kMnFxb7P5Q=="

static char dir[64];
static char path[128];
static struct config *cfg;
static bool pg;                /* this test runs against PostgreSQL */
static const char *pg_conn;    /* CUSTOMDB_TEST_STORE_PG */

static void make_config(const char *store_section)
{
	char text[2048], err[512] = "";

	snprintf(dir, sizeof(dir), "/tmp/test_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state/store.db", dir);
	snprintf(text, sizeof(text),
		 "[customdb]\nmode = migrate\nstate_dir = %s/state\n%s"
		 "[legacy]\ndriver = sqlite\nconnection = /nonexistent.db\nquery_timeout = 2\n"
		 "[queries]\nlogin = SELECT 1 WHERE n = :username\n"
		 "get_user = SELECT 2 WHERE n = :username\n", dir, store_section);
	cfg = config_parse_string(text, "test.conf", err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
}

static void setup(void)
{
	pg = false;
	make_config("");
	ck_assert_str_eq(cfg->store_driver, "sqlite");
	ck_assert_str_eq(cfg->store_path, path);
}

static PGconn *pg_db(void)
{
	PGconn *c = PQconnectdb(pg_conn);

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "PostgreSQL: %s", PQerrorMessage(c));
	return c;
}

static void setup_pg(void)
{
	char section[1024];
	PGconn *c;
	PGresult *r;

	pg = true;
	snprintf(section, sizeof(section), "[store]\ndriver = postgresql\nconnection = %s\n"
		 "query_timeout = 30\n", pg_conn);
	make_config(section);
	ck_assert_str_eq(cfg->store_driver, "postgresql");
	c = pg_db();
	r = PQexec(c, "SET client_min_messages = warning; DROP TABLE IF EXISTS memberships, "
		   "users, groups, tombstones, schema_version CASCADE");
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
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

/* One integer (or boolean, as 0 or 1) from the store, read with the
 * engine's own client; -1 for no row or NULL. */
static long long sql_int(const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;
	PGconn *c;
	PGresult *r;
	const char *cell;

	if (pg) {
		c = pg_db();
		r = PQexec(c, sql);
		ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
		if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
			cell = PQgetvalue(r, 0, 0);
			v = strcmp(cell, "t") == 0 ? 1 : strcmp(cell, "f") == 0 ? 0 : atoll(cell);
		}
		PQclear(r);
		PQfinish(c);
		return v;
	}
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* Run SQL in the store: sqlite_sql or pg_sql, by the driver of this test. */
static void sql_exec_each(const char *sqlite_sql, const char *pg_sql)
{
	sqlite3 *db = NULL;
	PGconn *c;
	PGresult *r;

	if (pg) {
		c = pg_db();
		r = PQexec(c, pg_sql);
		ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", pg_sql,
			      PQerrorMessage(c));
		PQclear(r);
		PQfinish(c);
		return;
	}
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sqlite_sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s",
		      sqlite_sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void sql_exec(const char *sql)
{
	sql_exec_each(sql, sql);
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

/* A legacy user as migrate import reads it: with its legacy hash. */
static struct user legacy_user(const char *name, uid_t uid, const char *hash, const char *salt)
{
	struct user u = make_user(name, uid);

	u.password = (char *)hash;
	u.salt = (char *)salt;
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
	ck_assert_int_eq(sql_int("SELECT max(version) FROM schema_version"), 2);
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
	struct store_meta m;
	struct group g;
	gid_t *gids = NULL;
	size_t n = 0;

	u.expires = 4102444800;  /* 2100-01-01 */
	u.email_verified = 1;
	u.must_change_password = true;  /* the legacy database's word is kept */
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
	ck_assert_ptr_null(got.salt);
	ck_assert(got.must_change_password);
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
	/* a migration is a login */
	ck_assert_int_eq(store_user_meta(s, "alice", &m), STORE_OK);
	ck_assert_int_gt(m.migrated_at, time(NULL) - 60);
	ck_assert_int_eq(m.last_login_at, m.migrated_at);
	ck_assert_int_eq(m.updated_at, m.migrated_at);
	ck_assert(!m.imported);
	ck_assert_int_eq(m.deleted_at, 0);
	ck_assert_int_eq(store_user_meta(s, "nobody", &m), STORE_NOTFOUND);

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

	/* carol never migrated, and was deleted in migrate mode */
	ck_assert_int_eq(store_delete_user(s, "carol", true), STORE_OK);
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
	ck_assert_msg(pg || strstr(err, path) != NULL, "%s", err);
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
	ck_assert_int_eq(sql_int("SELECT max(version) FROM schema_version"), 2);
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
	if (!pg)
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

/* The first schema, as a customdb of schema version 1 left it, with a
 * user, a group and a tombstone in it. */
static const char v1_sqlite[] =
	"CREATE TABLE schema_version (version INTEGER NOT NULL);"
	"INSERT INTO schema_version VALUES (1);"
	"CREATE TABLE users (name TEXT PRIMARY KEY NOT NULL, uid INTEGER NOT NULL UNIQUE,"
	" gid INTEGER NOT NULL, gecos TEXT NOT NULL DEFAULT '', home TEXT NOT NULL,"
	" shell TEXT NOT NULL, email TEXT, email_verified INTEGER,"
	" disabled INTEGER NOT NULL DEFAULT 0, expires INTEGER, password_hash TEXT,"
	" migrated_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, last_login_at INTEGER);"
	"CREATE TABLE groups (name TEXT PRIMARY KEY NOT NULL, gid INTEGER NOT NULL UNIQUE);"
	"CREATE TABLE memberships ("
	" group_name TEXT NOT NULL REFERENCES groups (name) ON DELETE CASCADE ON UPDATE CASCADE,"
	" user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE ON UPDATE CASCADE,"
	" PRIMARY KEY (group_name, user_name));"
	"CREATE INDEX memberships_user ON memberships (user_name);"
	"CREATE TABLE tombstones (name TEXT PRIMARY KEY NOT NULL, deleted_at INTEGER NOT NULL);"
	"INSERT INTO users VALUES ('old', 10001, 100, 'Old User', '/home/old', '/bin/sh', NULL,"
	" 1, 0, NULL, '" HASH_A "', 1000, 1100, 2000);"
	"INSERT INTO groups VALUES ('devs', 20001);"
	"INSERT INTO memberships VALUES ('devs', 'old');"
	"INSERT INTO tombstones VALUES ('gone', 1500);";

static const char v1_pg[] =
	"CREATE TABLE schema_version (version integer NOT NULL);"
	"INSERT INTO schema_version VALUES (1);"
	"CREATE TABLE users (name text PRIMARY KEY, uid bigint NOT NULL UNIQUE,"
	" gid bigint NOT NULL, gecos text NOT NULL DEFAULT '', home text NOT NULL,"
	" shell text NOT NULL, email text, email_verified boolean,"
	" disabled boolean NOT NULL DEFAULT false, expires timestamptz, password_hash text,"
	" migrated_at timestamptz NOT NULL DEFAULT now(),"
	" updated_at timestamptz NOT NULL DEFAULT now(), last_login_at timestamptz);"
	"CREATE TABLE groups (name text PRIMARY KEY, gid bigint NOT NULL UNIQUE);"
	"CREATE TABLE memberships ("
	" group_name text NOT NULL REFERENCES groups (name) ON DELETE CASCADE ON UPDATE CASCADE,"
	" user_name text NOT NULL REFERENCES users (name) ON DELETE CASCADE ON UPDATE CASCADE,"
	" PRIMARY KEY (group_name, user_name));"
	"CREATE INDEX memberships_user ON memberships (user_name);"
	"CREATE TABLE tombstones (name text PRIMARY KEY,"
	" deleted_at timestamptz NOT NULL DEFAULT now());"
	"INSERT INTO users VALUES ('old', 10001, 100, 'Old User', '/home/old', '/bin/sh', NULL,"
	" true, false, NULL, '" HASH_A "', to_timestamp(1000), to_timestamp(1100),"
	" to_timestamp(2000));"
	"INSERT INTO groups VALUES ('devs', 20001);"
	"INSERT INTO memberships VALUES ('devs', 'old');"
	"INSERT INTO tombstones VALUES ('gone', to_timestamp(1500));";

START_TEST(upgrades_version_1)
{
	struct store *s;
	struct store_meta m;
	struct user u = legacy_user("new", 10002, MD5CRYPT, NULL), got;
	const struct store_import row = { &u, devs_ops, 2, NULL };
	sqlite3 *db = NULL;
	gid_t *gids = NULL;
	size_t n = 0;
	int rc;

	if (!pg) {
		ck_assert_int_eq(mkdir(cfg->state_dir, 0755), 0);
		ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
		sqlite3_close(db);
		ck_assert_int_eq(chmod(path, 0600), 0);
	}
	sql_exec_each(v1_sqlite, v1_pg);
	s = open_ok();
	ck_assert_int_eq(sql_int("SELECT max(version) FROM schema_version"), 2);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM schema_version"), 1);

	/* what was there is there, with the new columns at their defaults */
	ck_assert_int_eq(store_user_by_name(s, "old", &got), STORE_OK);
	ck_assert_str_eq(got.password, HASH_A);
	ck_assert_str_eq(got.gecos, "Old User");
	ck_assert_int_eq(got.email_verified, 1);
	ck_assert_ptr_null(got.salt);
	ck_assert(!got.must_change_password);
	user_clear(&got);
	ck_assert_int_eq(store_user_meta(s, "old", &m), STORE_OK);
	ck_assert_int_eq(m.migrated_at, 1000);
	ck_assert_int_eq(m.updated_at, 1100);
	ck_assert_int_eq(m.last_login_at, 2000);
	ck_assert(!m.imported);
	ck_assert_int_eq(store_user_groups(s, "old", &gids, &n), STORE_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(gids[0], 20001);
	free(gids);
	ck_assert_int_eq(store_user_by_name(s, "gone", &got), STORE_TOMBSTONE);
	ck_assert_int_eq(store_user_meta(s, "gone", &m), STORE_OK);
	ck_assert_int_eq(m.deleted_at, 1500);
	ck_assert_int_eq(m.migrated_at, 0);

	/* and the new columns work */
	ck_assert_int_eq(store_import_users(s, &row, 1, &rc), STORE_OK);
	ck_assert_int_eq(rc, STORE_OK);
	ck_assert_int_eq(store_user_meta(s, "new", &m), STORE_OK);
	ck_assert(m.imported);
	store_close(s);
	/* a second open finds it at version 2 and changes nothing */
	s = open_ok();
	ck_assert_int_eq(sql_int("SELECT count(*) FROM users"), 2);
	store_close(s);
}
END_TEST

START_TEST(set_password_clears_import_state)
{
	struct store *s = open_ok();
	struct user u = legacy_user("bob", 10002, ASPNET, ASPNET_SALT), got;
	const struct store_import row = { &u, NULL, 0, NULL };
	struct store_meta before, after;
	int rc;

	u.must_change_password = true;
	ck_assert_int_eq(store_import_users(s, &row, 1, &rc), STORE_OK);
	ck_assert_int_eq(rc, STORE_OK);
	ck_assert_int_eq(store_user_by_name(s, "bob", &got), STORE_OK);
	ck_assert_str_eq(got.password, ASPNET);
	ck_assert_str_eq(got.salt, ASPNET_SALT);
	ck_assert(got.must_change_password);
	user_clear(&got);
	ck_assert_int_eq(store_user_meta(s, "bob", &before), STORE_OK);
	ck_assert(before.imported);

	/* backdate, to see updated_at move */
	sql_exec_each("UPDATE users SET updated_at = updated_at - 100",
		      "UPDATE users SET updated_at = updated_at - interval '100 seconds'");
	ck_assert_int_eq(store_set_password(s, "bob", HASH_B), STORE_OK);
	ck_assert_int_eq(store_user_by_name(s, "bob", &got), STORE_OK);
	ck_assert_str_eq(got.password, HASH_B);
	ck_assert_ptr_null(got.salt);
	ck_assert(!got.must_change_password);
	ck_assert_str_eq(got.gecos, "Test User");
	user_clear(&got);
	ck_assert_int_eq(store_user_meta(s, "bob", &after), STORE_OK);
	ck_assert(!after.imported);
	ck_assert_int_ge(after.updated_at, before.updated_at);
	ck_assert_int_eq(after.migrated_at, before.migrated_at);

	ck_assert_int_eq(store_set_password(s, "nobody", HASH_B), STORE_NOTFOUND);
	ck_assert_int_eq(store_set_password(s, "x' OR '1'='1", HASH_B), STORE_NOTFOUND);
	ck_assert_int_eq(store_set_password(s, "bob", NULL), STORE_ERROR);
	ck_assert_int_eq(store_set_password(s, "bob", ""), STORE_ERROR);
	store_close(s);
}
END_TEST

START_TEST(set_email)
{
	struct store *s = open_ok();
	struct user u = make_user("alice", 10001), got;

	ck_assert_int_eq(store_migrate_user(s, &u, HASH_A, NULL, 0), STORE_OK);
	ck_assert_int_eq(store_set_email(s, "alice", "new@example.org", -1), STORE_OK);
	ck_assert_int_eq(store_user_by_name(s, "alice", &got), STORE_OK);
	ck_assert_str_eq(got.email, "new@example.org");
	ck_assert_int_eq(got.email_verified, -1);
	user_clear(&got);
	ck_assert_int_eq(store_set_email(s, "alice", NULL, 1), STORE_OK);
	ck_assert_int_eq(store_user_by_name(s, "alice", &got), STORE_OK);
	ck_assert_str_eq(got.email, "new@example.org");
	ck_assert_int_eq(got.email_verified, 1);
	user_clear(&got);
	ck_assert_int_eq(store_set_email(s, "alice", "third@example.org", 0), STORE_OK);
	ck_assert_int_eq(store_user_by_name(s, "alice", &got), STORE_OK);
	ck_assert_str_eq(got.email, "third@example.org");
	ck_assert_int_eq(got.email_verified, 0);
	ck_assert_str_eq(got.password, HASH_A);
	user_clear(&got);
	ck_assert_int_eq(store_set_email(s, "nobody", "x@example.org", 1), STORE_NOTFOUND);
	ck_assert_int_eq(store_set_email(s, "alice", NULL, 2), STORE_ERROR);
	store_close(s);
}
END_TEST

START_TEST(delete_and_tombstones)
{
	struct store *s = open_ok();
	struct user a = make_user("alice", 10001), b = make_user("bob", 10002), got;
	struct store_meta m;
	struct group g;

	ck_assert_int_eq(store_migrate_user(s, &a, HASH_A, devs_ops, 2), STORE_OK);
	ck_assert_int_eq(store_migrate_user(s, &b, HASH_B, devs_ops, 2), STORE_OK);

	/* alice goes for good: row and memberships; the groups stay */
	ck_assert_int_eq(store_delete_user(s, "alice", true), STORE_OK);
	ck_assert_int_eq(store_user_by_name(s, "alice", &got), STORE_TOMBSTONE);
	ck_assert_int_eq(store_user_by_uid(s, 10001, &got), STORE_NOTFOUND);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships WHERE user_name = 'alice'"), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM groups"), 2);
	ck_assert_int_eq(store_group_by_name(s, "devs", &g), STORE_OK);
	ck_assert_uint_eq(g.nmembers, 1);
	ck_assert_str_eq(g.members[0], "bob");
	group_clear(&g);
	ck_assert_int_eq(store_user_meta(s, "alice", &m), STORE_OK);
	ck_assert_int_gt(m.deleted_at, time(NULL) - 60);
	ck_assert_int_eq(m.migrated_at, 0);
	ck_assert_int_eq(store_migrate_user(s, &a, HASH_A, devs_ops, 2), STORE_TOMBSTONE);
	/* a second delete has nothing to do */
	ck_assert_int_eq(store_delete_user(s, "alice", true), STORE_NOTFOUND);

	/* a name that never migrated gets its tombstone all the same */
	ck_assert_int_eq(store_delete_user(s, "carol", true), STORE_OK);
	ck_assert_int_eq(store_user_by_name(s, "carol", &got), STORE_TOMBSTONE);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM tombstones"), 2);

	/* without a tombstone: an earlier one goes, the user may come back */
	ck_assert_int_eq(store_delete_user(s, "alice", false), STORE_OK);
	ck_assert_int_eq(store_user_by_name(s, "alice", &got), STORE_NOTFOUND);
	ck_assert_int_eq(store_user_meta(s, "alice", &m), STORE_NOTFOUND);
	ck_assert_int_eq(store_migrate_user(s, &a, HASH_A, devs_ops, 2), STORE_OK);
	ck_assert_int_eq(store_delete_user(s, "bob", false), STORE_OK);
	ck_assert_int_eq(store_user_by_name(s, "bob", &got), STORE_NOTFOUND);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM tombstones"), 1);
	ck_assert_int_eq(store_delete_user(s, "bob", false), STORE_NOTFOUND);
	ck_assert_int_eq(store_delete_user(s, "nobody", false), STORE_NOTFOUND);
	ck_assert_int_eq(store_delete_user(s, "bad name", true), STORE_NOTFOUND);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM users"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships"), 2);
	store_close(s);
}
END_TEST

START_TEST(next_uid)
{
	struct store *s = open_ok();
	struct user u;
	uid_t uid;

	ck_assert_int_eq(store_next_uid(s, 10000, 15000, &uid), STORE_OK);
	ck_assert_uint_eq(uid, 10000);
	u = make_user("alice", 10001);
	ck_assert_int_eq(store_migrate_user(s, &u, HASH_A, NULL, 0), STORE_OK);
	u = make_user("bob", 10005);
	ck_assert_int_eq(store_migrate_user(s, &u, HASH_A, NULL, 0), STORE_OK);
	u = make_user("carol", 20000);  /* outside the range: not counted */
	ck_assert_int_eq(store_migrate_user(s, &u, HASH_A, NULL, 0), STORE_OK);
	ck_assert_int_eq(store_next_uid(s, 10000, 15000, &uid), STORE_OK);
	ck_assert_uint_eq(uid, 10006);
	ck_assert_int_eq(store_next_uid(s, 10000, 10005, &uid), STORE_NOTFOUND);
	ck_assert_int_eq(store_next_uid(s, 10000, 10006, &uid), STORE_OK);
	ck_assert_uint_eq(uid, 10006);
	ck_assert_int_eq(store_next_uid(s, 10002, 10004, &uid), STORE_OK);
	ck_assert_uint_eq(uid, 10002);
	ck_assert_int_eq(store_next_uid(s, 15000, 10000, &uid), STORE_NOTFOUND);
	ck_assert_int_eq(store_next_uid(s, 0, 5, &uid), STORE_OK);
	ck_assert_uint_eq(uid, 1);
	ck_assert_int_eq(store_next_uid(s, 4294967294U, 4294967294U, &uid), STORE_OK);
	ck_assert_uint_eq(uid, 4294967294U);
	store_close(s);
}
END_TEST

START_TEST(import_outcomes)
{
	struct store *s = open_ok();
	struct user a = make_user("alice", 10001), got;
	struct user in[10];
	struct store_import rows[10];
	struct store_meta m;
	gid_t *gids = NULL;
	size_t n = 0, i;
	int rc[10], pass;
	const int want[2][10] = {
		{ STORE_OK, STORE_EXISTS, STORE_CONFLICT, STORE_TOMBSTONE, STORE_ERROR, STORE_ERROR,
		  STORE_ERROR, STORE_OK, STORE_OK, STORE_EXISTS },
		/* the second time, what was written is there already */
		{ STORE_EXISTS, STORE_EXISTS, STORE_CONFLICT, STORE_TOMBSTONE, STORE_ERROR, STORE_ERROR,
		  STORE_ERROR, STORE_EXISTS, STORE_EXISTS, STORE_EXISTS },
	};

	ck_assert_int_eq(store_migrate_user(s, &a, HASH_A, NULL, 0), STORE_OK);
	ck_assert_int_eq(store_delete_user(s, "carol", true), STORE_OK);
	in[0] = legacy_user("bob", 10002, MD5CRYPT, NULL);
	in[0].must_change_password = true;
	in[0].expires = 4102444800;
	in[0].email_verified = 0;
	in[1] = legacy_user("alice", 10001, MD5CRYPT, NULL);       /* migrated */
	in[2] = legacy_user("dave", 10001, MD5CRYPT, NULL);        /* alice's uid */
	in[3] = legacy_user("carol", 10003, MD5CRYPT, NULL);       /* deleted */
	in[4] = legacy_user("root", 10004, MD5CRYPT, NULL);        /* never */
	in[5] = legacy_user("eve", 10005, NULL, NULL);             /* no hash */
	in[6] = legacy_user("frank", 10006, MD5CRYPT, NULL);
	in[6].gecos = (char *)"Fr\xe4nk";                           /* Latin-1, not UTF-8 */
	in[7] = legacy_user("grace", 10007, ASPNET, ASPNET_SALT);
	in[7].gecos = (char *)"Gr\xc3\xa2" "ce \"quoted\" \\ {braces}, NULL";
	in[8] = legacy_user("henry", 10008, MD5CRYPT, NULL);
	in[9] = in[8];                                             /* twice in one batch */
	for (i = 0; i < 10; i++) {
		rows[i].u = &in[i];
		rows[i].groups = devs_ops;
		rows[i].ngroups = 4;
		rows[i].primary = NULL;
	}
	for (pass = 0; pass < 2; pass++) {
		ck_assert_int_eq(store_import_users(s, rows, 10, rc), STORE_OK);
		for (i = 0; i < 10; i++)
			ck_assert_msg(rc[i] == want[pass][i], "pass %d, row %zu (%s): %s, not %s", pass,
				      i, in[i].name, store_rc_name(rc[i]), store_rc_name(want[pass][i]));
		ck_assert_int_eq(sql_int("SELECT count(*) FROM users"), 4);
		ck_assert_int_eq(sql_int("SELECT count(*) FROM groups"), 2);
		ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships"), 6);
	}

	/* the legacy hash as it was, marked imported, no login yet */
	ck_assert_int_eq(store_user_by_name(s, "bob", &got), STORE_OK);
	ck_assert_str_eq(got.password, MD5CRYPT);
	ck_assert_ptr_null(got.salt);
	ck_assert(got.must_change_password);
	ck_assert_int_eq(got.expires, 4102444800);
	ck_assert_int_eq(got.email_verified, 0);
	user_clear(&got);
	ck_assert_int_eq(store_user_meta(s, "bob", &m), STORE_OK);
	ck_assert(m.imported);
	ck_assert_int_eq(m.last_login_at, 0);
	ck_assert_int_gt(m.migrated_at, time(NULL) - 60);
	ck_assert_int_eq(store_user_groups(s, "bob", &gids, &n), STORE_OK);
	ck_assert_uint_eq(n, 2);
	free(gids);
	ck_assert_int_eq(store_user_by_name(s, "grace", &got), STORE_OK);
	ck_assert_str_eq(got.password, ASPNET);
	ck_assert_str_eq(got.salt, ASPNET_SALT);
	ck_assert_str_eq(got.gecos, in[7].gecos);
	user_clear(&got);
	/* what was there is left as it was */
	ck_assert_int_eq(store_user_by_name(s, "alice", &got), STORE_OK);
	ck_assert_str_eq(got.password, HASH_A);
	user_clear(&got);
	ck_assert_int_eq(store_user_meta(s, "alice", &m), STORE_OK);
	ck_assert(!m.imported);
	ck_assert_int_eq(store_user_by_name(s, "carol", &got), STORE_TOMBSTONE);
	ck_assert_int_eq(store_user_by_name(s, "dave", &got), STORE_NOTFOUND);

	/* nothing to do is fine */
	ck_assert_int_eq(store_import_users(s, rows, 0, rc), STORE_OK);
	store_close(s);
}
END_TEST

START_TEST(stats_figures)
{
	struct store *s = open_ok();
	struct user a = make_user("alice", 10001), b = make_user("bob", 10002);
	struct user in[3] = {
		legacy_user("carol", 10003, MD5CRYPT, NULL),
		legacy_user("dave", 10004, MD5CRYPT, NULL),
		legacy_user("erin", 10005, MD5CRYPT, NULL),
	};
	const struct store_import rows[3] = { { &in[0], NULL, 0, NULL }, { &in[1], NULL, 0, NULL },
					      { &in[2], devs_ops, 1, NULL } };
	struct store_stats st;
	int rc[3], i;

	ck_assert_int_eq(store_stats(s, &st), STORE_OK);
	ck_assert_int_eq(st.users, 0);
	ck_assert_uint_eq(st.nrecent, 0);
	ck_assert_int_eq(store_migrate_user(s, &a, HASH_A, devs_ops, 2), STORE_OK);
	ck_assert_int_eq(store_migrate_user(s, &b, HASH_A, NULL, 0), STORE_OK);
	ck_assert_int_eq(store_import_users(s, rows, 3, rc), STORE_OK);
	ck_assert_int_eq(store_delete_user(s, "zoe", true), STORE_OK);
	ck_assert_int_eq(store_set_password(s, "erin", HASH_B), STORE_OK);
	/* bob migrated three days ago; logins: alice 100 s ago, bob 50 s ago */
	sql_exec_each("UPDATE users SET migrated_at = migrated_at - 3 * 86400 WHERE name = 'bob';"
		      "UPDATE users SET last_login_at = last_login_at - 50 WHERE name = 'bob';"
		      "UPDATE users SET last_login_at = last_login_at - 100 WHERE name = 'alice'",
		      "UPDATE users SET migrated_at = migrated_at - interval '3 days' "
		      "WHERE name = 'bob';"
		      "UPDATE users SET last_login_at = last_login_at - interval '50 seconds' "
		      "WHERE name = 'bob';"
		      "UPDATE users SET last_login_at = last_login_at - interval '100 seconds' "
		      "WHERE name = 'alice'");
	ck_assert_int_eq(store_touch_login(s, "dave"), STORE_OK);

	ck_assert_int_eq(store_stats(s, &st), STORE_OK);
	ck_assert_int_eq(st.users, 5);
	ck_assert_int_eq(st.imported_pending, 2);   /* carol, dave; erin was re-hashed */
	ck_assert_int_eq(st.tombstones, 1);
	ck_assert_int_eq(st.groups, 2);
	ck_assert_int_eq(st.per_day[0], 4);
	ck_assert_int_eq(st.per_day[3], 1);
	for (i = 0; i < STORE_STATS_DAYS; i++)
		if (i != 0 && i != 3)
			ck_assert_int_eq(st.per_day[i], 0);
	/* logins, newest first: carol and erin never logged in */
	ck_assert_uint_eq(st.nrecent, 3);
	ck_assert_str_eq(st.recent[0].name, "dave");
	ck_assert_str_eq(st.recent[1].name, "bob");
	ck_assert_str_eq(st.recent[2].name, "alice");
	ck_assert_int_gt(st.recent[0].at, st.recent[1].at);
	ck_assert_int_gt(st.recent[1].at, st.recent[2].at);
	store_close(s);
}
END_TEST

START_TEST(list_users_and_groups)
{
	static const char *const names[] = { "carol", "alice", "Zed", "bob", "dave" };
	static const struct group team[] = { { .name = (char *)"team", .gid = 20010 } };
	struct store *s = open_ok();
	struct user u, *users = NULL;
	struct group *groups = NULL;
	size_t n = 99, i;

	ck_assert_int_eq(store_list_users(s, 10, &users, &n), STORE_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(users);
	for (i = 0; i < 5; i++) {
		u = make_user(names[i], (uid_t)(10001 + i));
		u.must_change_password = i == 1;
		ck_assert_int_eq(store_migrate_user(s, &u, HASH_A, i < 2 ? devs_ops : team, i < 2 ? 2 : 1),
				 STORE_OK);
	}
	ck_assert_int_eq(store_delete_user(s, "dave", true), STORE_OK);

	/* bytewise name order, on either engine; no hashes */
	ck_assert_int_eq(store_list_users(s, 10, &users, &n), STORE_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(users[0].name, "Zed");
	ck_assert_str_eq(users[1].name, "alice");
	ck_assert_str_eq(users[2].name, "bob");
	ck_assert_str_eq(users[3].name, "carol");
	ck_assert_uint_eq(users[1].uid, 10002);
	ck_assert_str_eq(users[1].home, "/home/test");
	ck_assert(users[1].must_change_password);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_null(users[i].password);
		ck_assert_ptr_null(users[i].salt);
		user_clear(&users[i]);
	}
	free(users);
	ck_assert_int_eq(store_list_users(s, 2, &users, &n), STORE_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(users[0].name, "Zed");
	ck_assert_str_eq(users[1].name, "alice");
	for (i = 0; i < n; i++)
		user_clear(&users[i]);
	free(users);
	ck_assert_int_eq(store_list_users(s, 0, &users, &n), STORE_OK);
	ck_assert_uint_eq(n, 0);

	ck_assert_int_eq(store_list_groups(s, 10, &groups, &n), STORE_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(groups[0].name, "devs");
	ck_assert_uint_eq(groups[0].nmembers, 2);
	ck_assert_str_eq(groups[0].members[0], "alice");
	ck_assert_str_eq(groups[0].members[1], "carol");
	ck_assert_str_eq(groups[1].name, "ops");
	ck_assert_str_eq(groups[2].name, "team");
	ck_assert_uint_eq(groups[2].gid, 20010);
	ck_assert_uint_eq(groups[2].nmembers, 2);
	ck_assert_str_eq(groups[2].members[0], "Zed");
	ck_assert_str_eq(groups[2].members[1], "bob");
	for (i = 0; i < n; i++)
		group_clear(&groups[i]);
	free(groups);
	ck_assert_int_eq(store_list_groups(s, 1, &groups, &n), STORE_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(groups[0].name, "devs");
	group_clear(&groups[0]);
	free(groups);
	store_close(s);
}
END_TEST

/* Bulk-import users first..first+count of the import_* series in batches of
 * `batch`, each in group staff and one of 50 teams; tally the outcomes. */
struct import_run {
	int first, count, batch;
	bool reverse;              /* batches in reverse order */
	int ok, exists, other, rc;
};

#define TEAMS 50

static void import_series(struct store *s, struct import_run *r)
{
	struct user *u = calloc((size_t)r->batch, sizeof(*u));
	struct store_import *rows = calloc((size_t)r->batch, sizeof(*rows));
	struct group (*grp)[2] = calloc((size_t)r->batch, sizeof(*grp));
	char (*names)[16] = calloc((size_t)r->batch, sizeof(*names));
	char teams[TEAMS][16];
	int *rc = calloc((size_t)r->batch, sizeof(*rc));
	int nb = (r->count + r->batch - 1) / r->batch, b, j, k, idx;

	ck_assert(u != NULL && rows != NULL && grp != NULL && names != NULL && rc != NULL);
	for (k = 0; k < TEAMS; k++)
		snprintf(teams[k], sizeof(teams[k]), "team%02d", k);
	r->rc = STORE_OK;
	for (b = 0; b < nb && r->rc == STORE_OK; b++) {
		int first = r->first + (r->reverse ? nb - 1 - b : b) * r->batch;
		int n = r->first + r->count - first < r->batch ? r->first + r->count - first : r->batch;

		for (j = 0; j < n; j++) {
			idx = first + j;
			snprintf(names[j], sizeof(names[j]), "import%06d", idx);
			u[j] = legacy_user(names[j], (uid_t)(100000 + idx), MD5CRYPT, NULL);
			grp[j][0] = (struct group){ .name = (char *)"staff", .gid = 30000 };
			grp[j][1] = (struct group){ .name = teams[idx % TEAMS],
						    .gid = (gid_t)(30001 + idx % TEAMS) };
			rows[j] = (struct store_import){ &u[j], grp[j], 2, NULL };
		}
		r->rc = store_import_users(s, rows, (size_t)n, rc);
		for (j = 0; j < n && r->rc == STORE_OK; j++) {
			if (rc[j] == STORE_OK)
				r->ok++;
			else if (rc[j] == STORE_EXISTS)
				r->exists++;
			else
				r->other++;
		}
	}
	free(u);
	free(rows);
	free(grp);
	free(names);
	free(rc);
}

START_TEST(bulk_import_rate)
{
	const char *env = getenv("CUSTOMDB_TEST_IMPORT_ROWS");
	struct import_run r = { .first = 0, .count = env != NULL ? atoi(env) : 20000, .batch = 1000 };
	struct store *s = open_ok();
	struct store_stats st;
	struct timespec t0, t1;
	double secs, rate;

	ck_assert_int_gt(r.count, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	import_series(s, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	rate = r.count / secs;
	fprintf(stderr, "test_store: %s store: imported %d users (2 groups each) in batches of %d: "
		"%.2f s, %.0f users/s\n", pg ? "PostgreSQL" : "SQLite", r.count, r.batch, secs, rate);
	ck_assert_int_eq(r.rc, STORE_OK);
	ck_assert_int_eq(r.ok, r.count);
	ck_assert_int_eq(store_stats(s, &st), STORE_OK);
	ck_assert_int_eq(st.users, r.count);
	ck_assert_int_eq(st.imported_pending, r.count);
	ck_assert_int_eq(st.groups, r.count < TEAMS ? r.count + 1 : TEAMS + 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships"), 2LL * r.count);
	store_close(s);
}
END_TEST

static void *import_thread(void *arg)
{
	struct import_run *r = arg;
	char err[512];
	struct store *s = store_open(cfg, err, sizeof(err));

	r->rc = STORE_ERROR;
	if (s == NULL)
		return NULL;
	import_series(s, r);
	store_close(s);
	return NULL;
}

START_TEST(concurrent_imports)
{
	/* two hosts import the same 2000 users at once, one from each end */
	struct import_run r[2] = { { .count = 2000, .batch = 250 },
				   { .count = 2000, .batch = 250, .reverse = true } };
	struct store *s = open_ok();
	pthread_t t[2];
	int i;

	store_close(s);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, import_thread, &r[i]), 0);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		ck_assert_msg(r[i].rc == STORE_OK, "importer %d: %s", i, store_rc_name(r[i].rc));
		ck_assert_int_eq(r[i].other, 0);
	}
	ck_assert_int_eq(r[0].ok + r[1].ok, 2000);
	ck_assert_int_eq(r[0].exists + r[1].exists, 2000);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM users"), 2000);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships"), 4000);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM groups"), TEAMS + 1);
}
END_TEST

/* store_modify_user: each field, in one statement; an unknown user. */
START_TEST(modify_user_fields)
{
	struct store *s = open_ok();
	struct user u = make_user("alice", 10001), got;
	struct store_change c = { 0 };

	ck_assert_int_eq(store_migrate_user(s, &u, HASH_A, NULL, 0), STORE_OK);
	c.set = STORE_SET_DISABLED | STORE_SET_EXPIRES | STORE_SET_MUST_CHANGE | STORE_SET_SHELL |
		STORE_SET_GECOS | STORE_SET_HOME | STORE_SET_GID;
	c.disabled = true;
	c.expires = 4102444800;    /* 2100-01-01 */
	c.must_change_password = true;
	c.shell = "/bin/zsh";
	c.gecos = "Alice O'Hara, \"A\"";
	c.home = "/srv/alice";
	c.gid = 20001;
	ck_assert_int_eq(store_modify_user(s, "alice", &c), STORE_OK);
	ck_assert_int_eq(store_user_by_name(s, "alice", &got), STORE_OK);
	ck_assert(got.disabled);
	ck_assert_int_eq(got.expires, 4102444800);
	ck_assert(got.must_change_password);
	ck_assert_str_eq(got.shell, "/bin/zsh");
	ck_assert_str_eq(got.gecos, "Alice O'Hara, \"A\"");
	ck_assert_str_eq(got.home, "/srv/alice");
	ck_assert_uint_eq(got.gid, 20001);
	ck_assert_str_eq(got.password, HASH_A);
	user_clear(&got);
	/* only the fields set change; expires 0 is never */
	memset(&c, 0, sizeof(c));
	c.set = STORE_SET_DISABLED | STORE_SET_EXPIRES;
	ck_assert_int_eq(store_modify_user(s, "alice", &c), STORE_OK);
	ck_assert_int_eq(store_user_by_name(s, "alice", &got), STORE_OK);
	ck_assert(!got.disabled);
	ck_assert_int_eq(got.expires, 0);
	ck_assert(got.must_change_password);
	ck_assert_str_eq(got.shell, "/bin/zsh");
	user_clear(&got);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM users WHERE expires IS NULL"), 1);
	ck_assert_int_eq(store_modify_user(s, "nobody", &c), STORE_NOTFOUND);
	c.set = 0;
	ck_assert_int_eq(store_modify_user(s, "alice", &c), STORE_ERROR);
	store_close(s);
}
END_TEST

/* Groups: add (name or gid taken), members, next gid, delete. */
START_TEST(groups_and_members)
{
	struct store *s = open_ok();
	struct user u = make_user("alice", 10001);
	struct group g;
	gid_t gid = 0;

	ck_assert_int_eq(store_migrate_user(s, &u, HASH_A, devs_ops, 2), STORE_OK);
	ck_assert_int_eq(store_next_gid(s, 20000, 30000, &gid), STORE_OK);
	ck_assert_uint_eq(gid, 20003);
	ck_assert_int_eq(store_next_gid(s, 20003, 20003, &gid), STORE_OK);
	ck_assert_uint_eq(gid, 20003);
	ck_assert_int_eq(store_next_gid(s, 20001, 20002, &gid), STORE_NOTFOUND);
	ck_assert_int_eq(store_group_add(s, "staff", 20050), STORE_OK);
	ck_assert_int_eq(store_group_add(s, "staff", 20051), STORE_EXISTS);
	ck_assert_int_eq(store_group_add(s, "other", 20001), STORE_EXISTS);
	ck_assert_int_eq(store_group_add(s, "bad name", 20052), STORE_ERROR);
	ck_assert_int_eq(store_group_by_gid(s, 20050, &g), STORE_OK);
	ck_assert_str_eq(g.name, "staff");
	ck_assert_uint_eq(g.nmembers, 0);
	group_clear(&g);
	ck_assert_int_eq(store_group_member(s, "staff", "alice", true), STORE_OK);
	ck_assert_int_eq(store_group_member(s, "staff", "alice", true), STORE_EXISTS);
	ck_assert_int_eq(store_group_member(s, "staff", "nobody", true), STORE_NOTFOUND);
	ck_assert_int_eq(store_group_member(s, "nogroup", "alice", true), STORE_NOTFOUND);
	ck_assert_int_eq(store_group_by_name(s, "staff", &g), STORE_OK);
	ck_assert_uint_eq(g.nmembers, 1);
	ck_assert_str_eq(g.members[0], "alice");
	group_clear(&g);
	ck_assert_int_eq(store_group_member(s, "staff", "alice", false), STORE_OK);
	ck_assert_int_eq(store_group_member(s, "staff", "alice", false), STORE_NOTFOUND);
	ck_assert_int_eq(store_group_member(s, "devs", "alice", true), STORE_EXISTS);
	ck_assert_int_eq(store_group_delete(s, "devs"), STORE_OK);
	ck_assert_int_eq(store_group_delete(s, "devs"), STORE_NOTFOUND);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships WHERE group_name = 'devs'"), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships"), 1);
	store_close(s);
}
END_TEST

/* Tests about the store's contract, for either driver. */
/* A per-user primary group that lists nobody (Debian style): its row is
 * written, no membership; by a migration and by an import alike. */
START_TEST(primary_group_without_membership)
{
	struct store *s = open_ok();
	struct user a = make_user("alice", 10001), b = legacy_user("bob", 10002, MD5CRYPT, NULL);
	const struct group pa = { .name = (char *)"alice", .gid = 10001 };
	const struct group pb = { .name = (char *)"bob", .gid = 10002 };
	const struct group bad = { .name = (char *)"bad name", .gid = 10003 };
	struct store_import row = { &b, devs_ops, 4, &pb };
	struct group g;
	gid_t *gids = NULL;
	size_t n = 0;
	int rc;

	a.gid = 10001;
	b.gid = 10002;
	ck_assert_int_eq(store_migrate_user_primary(s, &a, HASH_A, &pa, devs_ops, 4), STORE_OK);
	ck_assert_int_eq(store_import_users(s, &row, 1, &rc), STORE_OK);
	ck_assert_int_eq(rc, STORE_OK);
	ck_assert_int_eq(store_group_by_gid(s, 10001, &g), STORE_OK);
	ck_assert_str_eq(g.name, "alice");
	ck_assert_uint_eq(g.nmembers, 0);
	group_clear(&g);
	ck_assert_int_eq(store_group_by_name(s, "bob", &g), STORE_OK);
	ck_assert_uint_eq(g.gid, 10002);
	ck_assert_uint_eq(g.nmembers, 0);
	group_clear(&g);
	/* the memberships are the groups', not the primary group's */
	ck_assert_int_eq(store_user_groups(s, "alice", &gids, &n), STORE_OK);
	ck_assert_uint_eq(n, 2);
	free(gids);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships"), 4);
	/* a primary group no rule allows is left out, the user written */
	a = make_user("carol", 10003);
	ck_assert_int_eq(store_migrate_user_primary(s, &a, HASH_A, &bad, NULL, 0), STORE_OK);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM groups"), 4);
	store_close(s);
}
END_TEST

/* A re-run of migrate import: the store's memberships of a user become the
 * legacy database's, gained and lost; a group left with no member can be
 * pruned, one with members cannot. */
START_TEST(sync_groups_adds_and_removes)
{
	struct store *s = open_ok();
	struct user a = make_user("alice", 10001), b = make_user("bob", 10002);
	struct user other = make_user("alice2", 10001), ghost = make_user("ghost", 10009);
	struct user wrong_uid = make_user("bob", 10099);
	const struct group pa = { .name = (char *)"alice", .gid = 10001 };
	const struct group now_in[] = {
		{ .name = (char *)"devs", .gid = 20001 },
		{ .name = (char *)"newg", .gid = 20005 },
	};
	const struct store_import rows[4] = {
		{ &a, now_in, 2, &pa }, { &ghost, now_in, 2, NULL },
		{ &wrong_uid, NULL, 0, NULL }, { &other, NULL, 0, NULL },
	};
	int rc[4];
	struct group g;

	ck_assert_int_eq(store_migrate_user(s, &a, HASH_A, devs_ops, 4), STORE_OK);
	ck_assert_int_eq(store_migrate_user(s, &b, HASH_B, devs_ops, 4), STORE_OK);
	ck_assert_int_eq(store_sync_groups(s, rows, 4, rc), STORE_OK);
	ck_assert_int_eq(rc[0], STORE_OK);
	ck_assert_int_eq(rc[1], STORE_NOTFOUND);   /* not a store user */
	ck_assert_int_eq(rc[2], STORE_NOTFOUND);   /* the store's bob has another uid */
	ck_assert_int_eq(rc[3], STORE_NOTFOUND);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships WHERE user_name = 'alice' AND "
				 "group_name IN ('devs', 'newg')"), 2);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships WHERE user_name = 'alice'"), 2);
	/* bob's memberships are his own: untouched */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships WHERE user_name = 'bob'"), 2);
	ck_assert_int_eq(store_group_by_gid(s, 10001, &g), STORE_OK);
	ck_assert_str_eq(g.name, "alice");
	ck_assert_uint_eq(g.nmembers, 0);
	group_clear(&g);
	/* ops still has bob; once bob loses it too, it can go */
	ck_assert_int_eq(store_prune_group(s, "ops"), STORE_NOTFOUND);
	ck_assert_int_eq(store_sync_groups(s, &(struct store_import){ &b, NULL, 0, NULL }, 1, rc),
			 STORE_OK);
	ck_assert_int_eq(rc[0], STORE_OK);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships WHERE user_name = 'bob'"), 0);
	ck_assert_int_eq(store_prune_group(s, "ops"), STORE_OK);
	ck_assert_int_eq(store_group_by_name(s, "ops", &g), STORE_NOTFOUND);
	ck_assert_int_eq(store_prune_group(s, "devs"), STORE_NOTFOUND);   /* alice is in it */
	ck_assert_int_eq(store_prune_group(s, "nosuch"), STORE_NOTFOUND);
	ck_assert_int_eq(store_prune_group(s, "bad name"), STORE_NOTFOUND);
	/* a second sync with the same groups changes nothing */
	ck_assert_int_eq(store_sync_groups(s, rows, 1, rc), STORE_OK);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM memberships"), 2);
	store_close(s);
}
END_TEST

/* Migrate mode through the connector, over a real SQLite legacy file: a
 * group the store holds (by name, by gid, the store user's group list) is
 * answered without the legacy database ever being opened; one it does not
 * hold is the legacy database's. */
START_TEST(migrate_mode_groups_store_first)
{
	char text[2048], legacy[160], err[512] = "";
	struct user a = make_user("alice", 10001);
	const struct group pa = { .name = (char *)"alice", .gid = 10001 };
	struct config *mc;
	struct connector cn;
	struct session se;
	struct store *s = open_ok();
	struct group g;
	gid_t *gids = NULL;
	size_t n = 0;
	sqlite3 *db = NULL;

	snprintf(legacy, sizeof(legacy), "%s/legacy.db", dir);
	ck_assert_int_eq(sqlite3_open(legacy, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE g (name TEXT, gid INTEGER, members TEXT);"
				      "INSERT INTO g VALUES ('devs', 20001, 'alice,bob'), "
				      "('legacyonly', 20009, 'bob')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	snprintf(text, sizeof(text),
		 "[customdb]\nmode = migrate\nmin_uid = 10000\nmax_uid = 60000\n"
		 "state_dir = %s/state\n[legacy]\ndriver = sqlite\nconnection = %s\n"
		 "[queries]\nlogin = SELECT 1 WHERE n = :username\n"
		 "get_user = SELECT 2 WHERE n = :username\n"
		 "get_group = SELECT name AS \"group\", gid, members FROM g WHERE name = :group\n"
		 "get_group_by_gid = SELECT name AS \"group\", gid, members FROM g "
		 "WHERE gid = CAST(:gid AS integer)\n"
		 "user_groups = SELECT name AS \"group\", gid FROM g "
		 "WHERE ',' || members || ',' LIKE '%%,' || :username || ',%%'\n", dir, legacy);
	mc = config_parse_string(text, "test.conf", err, sizeof(err));
	ck_assert_msg(mc != NULL, "%s", err);
	a.gid = 10001;
	ck_assert_int_eq(store_migrate_user_primary(s, &a, HASH_A, &pa, devs_ops, 2), STORE_OK);
	store_close(s);
	ck_assert_msg(connector_init(&cn, mc, err, sizeof(err)) == 0, "%s", err);
	session_init(&se, &cn);

	ck_assert_int_eq(connector_group_by_name(&se, "devs", &g), CONN_OK);
	ck_assert_uint_eq(g.gid, 20001);
	ck_assert_uint_eq(g.nmembers, 1);   /* the store's members: bob is not migrated */
	ck_assert_str_eq(g.members[0], "alice");
	group_clear(&g);
	ck_assert_int_eq(connector_group_by_gid(&se, 10001, &g), CONN_OK);
	ck_assert_str_eq(g.name, "alice");
	ck_assert_uint_eq(g.nmembers, 0);
	group_clear(&g);
	ck_assert_int_eq(connector_user_groups(&se, "alice", &gids, &n), CONN_OK);
	ck_assert_uint_eq(n, 2);
	free(gids);
	ck_assert_msg(se.b == NULL, "the legacy database was opened for groups the store holds");

	ck_assert_int_eq(connector_group_by_name(&se, "legacyonly", &g), CONN_OK);
	ck_assert_uint_eq(g.gid, 20009);
	ck_assert_uint_eq(g.nmembers, 1);
	ck_assert_str_eq(g.members[0], "bob");
	group_clear(&g);
	ck_assert_ptr_nonnull(se.b);
	session_close(&se);
	config_free(mc);
}
END_TEST

static void add_shared_tests(TCase *tc)
{
	tcase_add_test(tc, migrate_and_read_back);
	tcase_add_test(tc, remigration_is_idempotent);
	tcase_add_test(tc, uid_conflict_writes_nothing);
	tcase_add_test(tc, group_held_under_another_gid_is_not_joined);
	tcase_add_test(tc, tombstone_is_honoured);
	tcase_add_test(tc, newer_schema_is_refused);
	tcase_add_test(tc, reopen_keeps_everything);
	tcase_add_test(tc, concurrent_migrations);
	tcase_add_test(tc, bad_input_is_refused);
	tcase_add_test(tc, upgrades_version_1);
	tcase_add_test(tc, set_password_clears_import_state);
	tcase_add_test(tc, set_email);
	tcase_add_test(tc, delete_and_tombstones);
	tcase_add_test(tc, next_uid);
	tcase_add_test(tc, import_outcomes);
	tcase_add_test(tc, stats_figures);
	tcase_add_test(tc, list_users_and_groups);
	tcase_add_test(tc, primary_group_without_membership);
	tcase_add_test(tc, sync_groups_adds_and_removes);
	tcase_add_test(tc, modify_user_fields);
	tcase_add_test(tc, groups_and_members);
	tcase_add_test(tc, concurrent_imports);
	tcase_add_test(tc, bulk_import_rate);
}

static Suite *make_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("sqlite");

	log_init("test_store", true, false);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	/* about the SQLite file itself */
	tcase_add_test(tc, creates_file_0600_with_schema);
	tcase_add_test(tc, readable_by_others_is_refused);
	tcase_add_test(tc, not_a_database_is_refused);
	tcase_add_test(tc, config_for_the_store);
	tcase_add_test(tc, migrate_mode_groups_store_first);
	add_shared_tests(tc);
	suite_add_tcase(s, tc);

	pg_conn = getenv("CUSTOMDB_TEST_STORE_PG");
	if (pg_conn != NULL && pg_conn[0] != '\0') {
		tc = tcase_create("postgresql");
		tcase_add_checked_fixture(tc, setup_pg, teardown);
		tcase_set_timeout(tc, 300);
		add_shared_tests(tc);
		suite_add_tcase(s, tc);
	}
	return s;
}

#include "check_main.h"
