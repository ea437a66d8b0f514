/* test_cache.c: the daemon's cache (customdbd/cache.c) keeps only what
 * passes the rules, within cache_max_entries and negative_max_entries,
 * and re-checks what it loads from an old host cache file.
 *
 * The cache is the daemon's one instance (its writer thread, its file):
 * each test starts it and stops it, and may share the process with the
 * others (CK_FORK=no under the sanitizers). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "config.h"
#include "hostcache.h"
#include "hostcache_write.h"
#include "record.h"
#include "wire.h"

#define CAP 200
#define NEG_CAP 20

/* Each test's own: make_state_dir() */
static char state_dir[64];

static void make_state_dir(void)
{
	snprintf(state_dir, sizeof(state_dir), "/tmp/test_cache.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(state_dir));
}

/* A passwd record as the daemon puts it, into w. */
static void passwd_record(struct wbuf *w, const char *name, uint32_t uid, uint32_t gid)
{
	struct cdb_passwd p = { .name = name, .uid = uid, .gid = gid, .gecos = "",
				.home = "/home/x", .shell = "/bin/sh" };

	wbuf_init(w);
	ck_assert_int_eq(record_put_passwd(w, &p), 0);
}

static void put_user(const char *name, uint32_t uid, uint64_t expires)
{
	struct wbuf w;

	passwd_record(&w, name, uid, 100);
	cache_put('p', name, expires, w.data, w.len);
	wbuf_free(&w);
}

/* One entry of the old file: kind+key, expiry, record. */
struct old_entry {
	char key[64];
	size_t keylen;
	unsigned char *value;
	size_t len;
};

static void old_passwd(struct old_entry *e, char kind, const char *key, const char *name,
		       uint32_t uid, uint32_t gid)
{
	struct wbuf w;

	passwd_record(&w, name, uid, gid);
	e->keylen = (size_t)snprintf(e->key, sizeof(e->key), "%c%s", kind, key);
	e->len = 8 + w.len;
	e->value = malloc(e->len);
	ck_assert_ptr_nonnull(e->value);
	hostcache_encode_expiry(0, e->value);
	memcpy(e->value + 8, w.data, w.len);
	wbuf_free(&w);
}

static void old_groups(struct old_entry *e, const char *name, uint32_t gid)
{
	struct wbuf w;

	wbuf_init(&w);
	wbuf_put_u32(&w, 1);
	wbuf_put_u32(&w, gid);
	e->keylen = (size_t)snprintf(e->key, sizeof(e->key), "i%s", name);
	e->len = 8 + w.len;
	e->value = malloc(e->len);
	ck_assert_ptr_nonnull(e->value);
	hostcache_encode_expiry(0, e->value);
	memcpy(e->value + 8, w.data, w.len);
	wbuf_free(&w);
}

/* A host cache file as an older daemon (or another config) left it. */
static void write_old_file(void)
{
	struct old_entry e[8];
	struct hostcache_writer *w;
	size_t n = 0, i;

	old_passwd(&e[n++], 'p', "keeper", "keeper", 10001, 100);
	old_passwd(&e[n++], 'u', "10001", "keeper", 10001, 100);
	old_groups(&e[n++], "keeper", 20001);
	old_passwd(&e[n++], 'p', "sudoer", "sudoer", 10002, 27);     /* primary gid sudo */
	old_passwd(&e[n++], 'u', "0", "evil", 0, 100);                 /* uid 0 */
	old_passwd(&e[n++], 'p', "far", "far", 70000, 100);            /* out of range */
	old_passwd(&e[n++], 'p', "liar", "keeper", 10001, 100);        /* key not its name */
	old_groups(&e[n++], "keeper2", 27);                            /* sudo as a group */
	w = hostcache_begin(state_dir);
	ck_assert_ptr_nonnull(w);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(hostcache_add(w, e[i].key, e[i].keylen, e[i].value, e[i].len), 0);
	ck_assert_int_eq(hostcache_write(w), 0);
	ck_assert_int_eq(hostcache_commit(w), 0);
	for (i = 0; i < n; i++)
		free(e[i].value);
}

static int count_entry(const unsigned char *key, size_t keylen, const unsigned char *value,
		       size_t len, void *arg)
{
	(void)key;
	(void)keylen;
	(void)value;
	(void)len;
	(*(size_t *)arg)++;
	return 0;
}

static size_t file_entries(void)
{
	char path[256];
	struct hostcache_map m;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", state_dir, HOSTCACHE_FILE);
	ck_assert_int_eq(hostcache_open(path, &m), 0);
	ck_assert_int_eq(hostcache_walk(&m, count_entry, &n), 0);
	hostcache_close(&m);
	return n;
}

START_TEST(test_bounds_and_rules)
{
	char conf[1024], err[512] = "", name[32], path[256];
	struct config *cfg;
	size_t i;
	time_t now = time(NULL);

	make_state_dir();
	snprintf(conf, sizeof(conf),
		 "[customdb]\nstate_dir = %s\ncache_max_entries = %d\nnegative_max_entries = %d\n"
		 "[legacy]\ndriver = sqlite\nconnection = /nonexistent.db\n"
		 "[queries]\nlogin = SELECT 1 WHERE n = :username\n"
		 "get_user = SELECT 2 WHERE n = :username\n", state_dir, CAP, NEG_CAP);
	cfg = config_parse_string(conf, "test.conf", err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	write_old_file();

	/* an old file: only what passes the current rules is kept */
	ck_assert_int_eq(cache_start(cfg, err, sizeof(err)), 0);
	ck_assert_uint_eq(cache_size(), 3);
	ck_assert(cache_has('p', "keeper"));
	ck_assert(cache_has('u', "10001"));
	ck_assert(cache_has('i', "keeper"));
	ck_assert(!cache_has('p', "sudoer"));
	ck_assert(!cache_has('u', "0"));
	ck_assert(!cache_has('p', "far"));
	ck_assert(!cache_has('p', "liar"));
	ck_assert(!cache_has('i', "keeper2"));

	/* names and ids customdb never answers for are never kept */
	cache_put_negative('p', "no such name");
	cache_put_negative('p', "root");
	cache_put_negative('u', "0");
	cache_put_negative('u', "70000");
	cache_put_negative('u', "12x");
	cache_put_negative('G', "27");
	cache_put_negative('i', "-bad");
	ck_assert_uint_eq(cache_negative_size(), 0);
	put_user("bad name", 10005, 0);
	put_user("root", 10005, 0);
	ck_assert_uint_eq(cache_size(), 3);

	/* "no such" answers: at most negative_max_entries */
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "ghost%zu", i);
		cache_put_negative('p', name);
		ck_assert_uint_le(cache_negative_size(), NEG_CAP);
	}
	ck_assert(cache_is_negative('p', "ghost999"));
	ck_assert_uint_eq(cache_size(), 3);   /* a flood of them pushes no answer out */

	/* answers: at most cache_max_entries, expired ones out first, then
	 * those that expire; migrated users (no expiry) stay */
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "migrated%zu", i);
		put_user(name, 10100 + (uint32_t)i, 0);
	}
	for (i = 0; i < CAP; i++) {
		snprintf(name, sizeof(name), "stale%zu", i);
		put_user(name, 10200 + (uint32_t)i, (uint64_t)now - 10);
	}
	ck_assert_uint_le(cache_size(), CAP);
	for (i = 0; i < CAP / 2; i++) {
		snprintf(name, sizeof(name), "fresh%zu", i);
		put_user(name, 20000 + (uint32_t)i, (uint64_t)now + 3600);
		ck_assert_uint_le(cache_size(), CAP);
	}
	for (i = 0; i < CAP / 2; i++) {
		snprintf(name, sizeof(name), "fresh%zu", i);
		ck_assert_msg(cache_has('p', name), "%s went before the expired entries", name);
	}
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "migrated%zu", i);
		ck_assert(cache_has('p', name));
	}
	ck_assert(cache_has('p', "keeper"));
	for (i = CAP / 2; i < 5 * CAP; i++) {
		snprintf(name, sizeof(name), "fresh%zu", i);
		put_user(name, 20000 + (uint32_t)i, (uint64_t)now + 3600);
		ck_assert_uint_le(cache_size(), CAP);
	}
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "migrated%zu", i);
		ck_assert_msg(cache_has('p', name), "%s went before entries that expire", name);
	}

	/* and so is the file: wait for the writer (once a second) to have
	 * written what came after the load, not for cache_stop's flush */
	for (i = 0; i < 1200 && file_entries() <= 20; i++)
		usleep(50 * 1000);
	ck_assert_uint_gt(file_entries(), 20);
	ck_assert_uint_le(file_entries(), CAP);
	cache_stop();
	ck_assert_uint_le(file_entries(), CAP);

	snprintf(path, sizeof(path), "%s/%s", state_dir, HOSTCACHE_FILE);
	unlink(path);
	snprintf(path, sizeof(path), "rm -rf '%s'", state_dir);
	ck_assert_int_eq(system(path), 0);
	config_free(cfg);
}
END_TEST

/* The group record of key in the file, or -1 when the file lacks it. */
static int file_group(const char *key, struct cdb_group_ref *g, uint64_t *expires)
{
	char path[256];
	struct hostcache_map m;
	const unsigned char *v;
	size_t len;
	struct rbuf r;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/%s", state_dir, HOSTCACHE_FILE);
	if (hostcache_open(path, &m) != 0)
		return -1;
	if (hostcache_find(&m, (const unsigned char *)key, strlen(key), &v, &len) == 1 &&
	    len >= 8) {
		*expires = hostcache_expiry(v);
		rbuf_init(&r, v + 8, len - 8);
		if (record_get_group(&r, g) == 0)
			rc = (int)g->nmembers;
	}
	hostcache_close(&m);   /* g's strings are not read after this */
	return rc;
}

START_TEST(test_groups)
{
	char conf[1024], err[512] = "", path[256], name[32];
	char *devs_members[] = { "alice", "bob" }, *ops_members[] = { "bob" };
	char *big_members[2000];
	struct group devs = { "devs", 20001, 2, devs_members };
	struct group ops = { "ops", 20002, 1, ops_members };
	struct group big = { "big", 20003, 2000, big_members };
	struct group wheel0 = { "wheel0", 0, 1, ops_members };
	struct group far = { "far", 90000, 1, ops_members };
	struct group root = { "root", 20004, 1, ops_members };
	struct group sudo = { "sudo", 27, 1, ops_members };
	struct cdb_group_ref g;
	struct config *cfg;
	uint64_t expires = 1;
	size_t i;
	time_t now = time(NULL);

	for (i = 0; i < 2000; i++) {
		big_members[i] = malloc(16);
		ck_assert_ptr_nonnull(big_members[i]);
		snprintf(big_members[i], 16, "member%zu", i);
	}
	make_state_dir();
	snprintf(conf, sizeof(conf),
		 "[customdb]\nstate_dir = %s\nmin_uid = 10000\nmax_uid = 60000\n"
		 "cache_max_entries = %d\n"
		 "[legacy]\ndriver = sqlite\nconnection = /nonexistent.db\n"
		 "[queries]\nlogin = SELECT 1 WHERE n = :username\n"
		 "get_user = SELECT 2 WHERE n = :username\n", state_dir, CAP);
	cfg = config_parse_string(conf, "test.conf", err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_int_eq(cache_start(cfg, err, sizeof(err)), 0);

	/* by name and by gid; what the rules refuse, neither */
	cache_put_group(&devs, 0);
	cache_put_group(&ops, 0);
	ck_assert(cache_has('g', "devs") && cache_has('G', "20001"));
	ck_assert(cache_has('g', "ops") && cache_has('G', "20002"));
	cache_put_group(&wheel0, 0);
	cache_put_group(&far, 0);
	cache_put_group(&root, 0);
	cache_put_group(&sudo, 0);
	ck_assert(!cache_has('g', "wheel0") && !cache_has('G', "0"));
	ck_assert(!cache_has('g', "far") && !cache_has('G', "90000"));
	ck_assert(!cache_has('g', "root") && !cache_has('G', "20004"));
	ck_assert(!cache_has('g', "sudo") && !cache_has('G', "27"));
	ck_assert_uint_eq(cache_size(), 4);

	/* a group too big for a bucket goes to the far area */
	cache_put_group(&big, (uint64_t)now + 3600);
	ck_assert_uint_eq(cache_size(), 6);

	/* in the file as the NSS module reads it */
	for (i = 0; i < 1200 && file_group("G20003", &g, &expires) < 0; i++)
		usleep(50 * 1000);
	ck_assert_int_eq(file_group("G20003", &g, &expires), 2000);
	ck_assert_uint_eq(expires, (uint64_t)now + 3600);
	ck_assert_int_eq(file_group("gdevs", &g, &expires), 2);
	ck_assert_uint_eq(g.gid, 20001);
	ck_assert_uint_eq(expires, 0);
	ck_assert_int_eq(file_group("G20002", &g, &expires), 1);
	ck_assert_int_eq(file_group("G0", &g, &expires), -1);

	/* a user's flush takes the groups that list them, and only those */
	ck_assert_uint_eq(cache_flush("alice"), 2);
	ck_assert(!cache_has('g', "devs") && !cache_has('G', "20001"));
	ck_assert(cache_has('g', "ops") && cache_has('G', "20002"));
	ck_assert(cache_has('G', "20003"));
	ck_assert_uint_eq(cache_flush("member1999"), 2);
	ck_assert(!cache_has('g', "big"));

	/* the cap counts groups as it counts users; pinned groups go last */
	for (i = 0; i < 3 * CAP; i++) {
		snprintf(name, sizeof(name), "fresh%zu", i);
		put_user(name, 20000 + (uint32_t)i, (uint64_t)now + 3600);
		ck_assert_uint_le(cache_size(), CAP);
	}
	ck_assert(cache_has('g', "ops") && cache_has('G', "20002"));

	cache_stop();
	snprintf(path, sizeof(path), "rm -rf '%s'", state_dir);
	ck_assert_int_eq(system(path), 0);
	config_free(cfg);
	for (i = 0; i < 2000; i++)
		free(big_members[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("bounds");
	SRunner *r;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bounds_and_rules);
	tcase_add_test(tc, test_groups);
	suite_add_tcase(s, tc);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
