/* test_hostcache.c: the host cache file (hostcache.h, hostcache_write.h),
 * through its public API only: writing and reading back (small, boundary,
 * far and huge values; what is absent stays absent), the empty cache, the
 * writer's refusals, that hostcache_write copies what it was given, two
 * writers at once, replacement noticed through the generation counter
 * (hostcache_lookup) and a generation file created anew, aborting, files
 * that are not host caches or were damaged (refused or reported, never a
 * crash), files and directories the reader must not trust, a fork during
 * a look-up, the daemon's claim on its state directory, and the built NSS
 * module refusing uid 0 and root from a cache hit.
 *
 * Each test works in a fresh directory under /tmp and removes it.
 * test_fuzz_seeds builds the seeds of the fuzz_hostcache target and checks
 * them; with HOSTCACHE_SEED_DIR set it also copies them there (regenerate
 * tests/fuzz/corpus/hostcache/ that way when the format changes). */
#include <check.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostcache_write.h"
#include "record.h"
#include "wire.h"

/* ---- helpers ---- */

/* ck_assert in a loop costs a write() per call when it passes (Check marks
 * the point): the loops over thousands of keys test quietly with this. */
#define CHECK(cond, ...)                               \
	do {                                           \
		if (!(cond))                           \
			ck_abort_msg(__VA_ARGS__);     \
	} while (0)

/* A fresh directory under /tmp (caller frees, after remove_dir). */
static char *make_dir(void)
{
	char *d = strdup("/tmp/test_hostcache.XXXXXX");

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

/* Remove dir and the files in it, then free it. */
static void remove_dir(char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ck_assert_msg(unlink(path) == 0, "unlink %s: %s", path, strerror(errno));
	}
	closedir(d);
	ck_assert_msg(rmdir(dir) == 0, "rmdir %s: %s", dir, strerror(errno));
	free(dir);
}

static void path_in(char *buf, size_t size, const char *dir, const char *name)
{
	ck_assert_int_lt(snprintf(buf, size, "%s/%s", dir, name), (int)size);
}

/* The whole file at path (caller frees); *len gets its size. */
static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *b;
	ssize_t r;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	b = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(b);
	while (got < (size_t)st.st_size) {
		r = read(fd, b + got, (size_t)st.st_size - got);
		ck_assert_int_gt(r, 0);
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return b;
}

static void spew(const char *path, const void *data, size_t len)
{
	const unsigned char *p = data;
	ssize_t r;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_msg(fd >= 0, "create %s: %s", path, strerror(errno));
	while (len > 0) {
		r = write(fd, p, len);
		ck_assert_int_gt(r, 0);
		p += r;
		len -= (size_t)r;
	}
	ck_assert_int_eq(close(fd), 0);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The user nobody (for files and directories that are not root's). */
static struct passwd *nobody(void)
{
	struct passwd *pw = getpwnam("nobody");

	ck_assert_msg(pw != NULL && pw->pw_uid != 0, "no user nobody");
	return pw;
}

/* No temporary file of a writer in dir. */
static void assert_no_temp(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		ck_assert_msg(strncmp(de->d_name, HOSTCACHE_TMP_PREFIX,
				      strlen(HOSTCACHE_TMP_PREFIX)) != 0,
			      "%s left behind in %s", de->d_name, dir);
	closedir(d);
}

/* A value: the expiry, then n - 8 bytes derived from seed (caller frees). */
static unsigned char *make_value(uint64_t expires, size_t n, unsigned seed)
{
	unsigned char *v = malloc(n);
	size_t j;

	CHECK(v != NULL && n >= 8, "make_value(%zu)", n);
	hostcache_encode_expiry(expires, v);
	for (j = 8; j < n; j++)
		v[j] = (unsigned char)(seed * 131u + j * 7u + (j >> 8) * 13u + (seed >> 8));
	return v;
}

/* Sum of every byte: makes the reader touch all of them (ASan sees it). */
static unsigned touch(const unsigned char *p, size_t n)
{
	unsigned s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += p[i];
	return s;
}

static int add_str(struct hostcache_writer *w, const char *key, const void *value, size_t len)
{
	return hostcache_add(w, key, strlen(key), value, len);
}

/* hostcache_find of a NUL-terminated key. */
static int find_str(const struct hostcache_map *m, const char *key, const unsigned char **v,
		    size_t *len)
{
	return hostcache_find(m, (const unsigned char *)key, strlen(key), v, len);
}

static void assert_found(const struct hostcache_map *m, const void *key, size_t keylen,
			 const unsigned char *want, size_t wantlen)
{
	const unsigned char *v = NULL;
	size_t len = 0;
	int rc = hostcache_find(m, key, keylen, &v, &len);

	CHECK(rc == 1, "key '%.*s' (%zu bytes): find says %d", (int)keylen, (const char *)key,
	      keylen, rc);
	CHECK(len == wantlen, "key '%.*s': %zu bytes, want %zu", (int)keylen, (const char *)key,
	      len, wantlen);
	CHECK(memcmp(v, want, len) == 0, "key '%.*s': other bytes", (int)keylen,
	      (const char *)key);
}

static void assert_absent(const struct hostcache_map *m, const void *key, size_t keylen)
{
	const unsigned char *v;
	size_t len;
	int rc = hostcache_find(m, key, keylen, &v, &len);

	CHECK(rc == 0, "key '%.*s' (%zu bytes), never added: find says %d",
	      (int)(keylen > 200 ? 200 : keylen), (const char *)key, keylen, rc);
}

static void open_ok(const char *dir, struct hostcache_map *m)
{
	char path[512];

	path_in(path, sizeof(path), dir, HOSTCACHE_FILE);
	ck_assert_msg(hostcache_open(path, m) == 0, "open %s: %s", path, strerror(errno));
}

static uint64_t verify_ok(const struct hostcache_map *m)
{
	char err[256] = "";
	uint64_t n = UINT64_MAX;

	ck_assert_msg(hostcache_verify(m, &n, err, sizeof(err)) == 0, "verify: %s", err);
	return n;
}

/* Open path and expect a refusal with EINVAL. */
static void assert_refused(const char *path, const char *what)
{
	struct hostcache_map m;

	errno = 0;
	ck_assert_msg(hostcache_open(path, &m) == -1, "%s: opened", what);
	ck_assert_msg(errno == EINVAL, "%s: errno %d (%s), want EINVAL", what, errno,
		      strerror(errno));
	hostcache_close(&m);   /* a zeroed map is fine */
}

/* ---- round trip: 20,000 users ---- */

#define NUSERS 20000u
#define LONG_USER 77u          /* its "p" and "i" keys are HOSTCACHE_KEY_MAX bytes */
#define MIB (1024u * 1024u)

enum { SLOT_P, SLOT_U, SLOT_I, NSLOTS };
static const char slot_kind[NSLOTS] = { 'p', 'u', 'i' };

struct ent {
	unsigned char key[HOSTCACHE_KEY_MAX + 1];
	size_t keylen;
	unsigned char *value;
	size_t len;
	unsigned seen;
};

static struct ent *ents;        /* NUSERS * NSLOTS, user i at i * NSLOTS + slot */

/* "user<i>." then (i % 40) 'a's: no name is a prefix of another, and no
 * name without its last byte is a name. */
static size_t user_name(unsigned i, char *out, size_t size)
{
	int n = snprintf(out, size, "user%u.", i);
	size_t len = (size_t)n, pad = i == LONG_USER ? HOSTCACHE_KEY_MAX - 1 - len : i % 40;

	CHECK(len + pad < size, "name of %zu bytes", len + pad);
	memset(out + len, i == LONG_USER ? 'L' : 'a', pad);
	out[len + pad] = '\0';
	return len + pad;
}

/* uids have 6 digits: a uid without its last digit is no uid. */
static unsigned user_uid(unsigned i)
{
	return 100000u + 3u * i;
}

static size_t value_len(unsigned i, int slot)
{
	switch (slot) {
	case SLOT_P:
		if (i == 4)
			return MIB;                      /* one of 1 MiB */
		if (i == 3 || i == 10003)
			return 70000;
		if (i % 5000 == 2)
			return 5000;
		if (i % 1000 == 1)
			return 300;
		return 8 + (i * 37u) % 233u;             /* 8 .. 240: both sides of a bucket */
	case SLOT_U:
		if (i == 5)
			return HOSTCACHE_VALUE_MAX;      /* the largest accepted */
		return i % 2 == 0 ? 8 : 150 + i % 90;    /* the expiry alone, or ~200 */
	default:
		if (i % 997 == 6)
			return 300;
		return 8 + 4 + 4 * (i % 50);             /* u32 count, gids */
	}
}

static uint64_t value_expiry(unsigned i, int slot)
{
	return slot == SLOT_U && i % 3 == 0 ? 0 : 1700000000u + i;
}

static void build_users(void)
{
	char name[HOSTCACHE_KEY_MAX + 8];
	unsigned i;
	int s;

	ents = calloc((size_t)NUSERS * NSLOTS, sizeof(*ents));
	ck_assert_ptr_nonnull(ents);
	for (i = 0; i < NUSERS; i++) {
		user_name(i, name, sizeof(name));
		for (s = 0; s < NSLOTS; s++) {
			struct ent *e = &ents[i * NSLOTS + s];
			int n = s == SLOT_U ? snprintf((char *)e->key, sizeof(e->key), "u%u", user_uid(i))
					    : snprintf((char *)e->key, sizeof(e->key), "%c%s",
						       slot_kind[s], name);

			CHECK(n > 1 && n <= HOSTCACHE_KEY_MAX, "key of %d bytes", n);
			e->keylen = (size_t)n;
			e->len = value_len(i, s);
			e->value = make_value(value_expiry(i, s), e->len, i * NSLOTS + (unsigned)s);
		}
	}
	ck_assert_uint_eq(ents[LONG_USER * NSLOTS + SLOT_P].keylen, HOSTCACHE_KEY_MAX);
}

static void free_users(void)
{
	size_t i;

	for (i = 0; i < (size_t)NUSERS * NSLOTS; i++)
		free(ents[i].value);
	free(ents);
	ents = NULL;
}

/* The entry a key names, or NULL when the key is none of ours. */
static struct ent *ent_of(const unsigned char *key, size_t keylen)
{
	unsigned long v = 0;
	size_t j = 1;
	struct ent *e;
	int s;

	if (keylen < 2)
		return NULL;
	switch (key[0]) {
	case 'p': s = SLOT_P; break;
	case 'u': s = SLOT_U; break;
	case 'i': s = SLOT_I; break;
	default: return NULL;
	}
	if (s != SLOT_U) {
		if (keylen < 6 || memcmp(key + 1, "user", 4) != 0)
			return NULL;
		j = 5;
	}
	for (; j < keylen && key[j] >= '0' && key[j] <= '9' && v < 10000000; j++)
		v = v * 10 + (key[j] - '0');
	if (s == SLOT_U) {
		if (j != keylen || v < 100000 || (v - 100000) % 3 != 0)
			return NULL;
		v = (v - 100000) / 3;
	}
	if (v >= NUSERS)
		return NULL;
	e = &ents[v * NSLOTS + (unsigned)s];
	if (e->keylen != keylen || memcmp(e->key, key, keylen) != 0)
		return NULL;
	return e;
}

struct walk_check {
	size_t visits, strangers, wrong_values;
	char first_bad[HOSTCACHE_KEY_MAX + 64];
};

static int walk_users(const unsigned char *key, size_t keylen, const unsigned char *value,
		      size_t len, void *arg)
{
	struct walk_check *wc = arg;
	struct ent *e = ent_of(key, keylen);

	wc->visits++;
	if (e == NULL) {
		if (wc->strangers++ == 0 && wc->wrong_values == 0)
			snprintf(wc->first_bad, sizeof(wc->first_bad), "stranger '%.*s'",
				 (int)keylen, (const char *)key);
		return 0;
	}
	e->seen++;
	if (len != e->len || memcmp(value, e->value, len) != 0) {
		if (wc->wrong_values++ == 0 && wc->strangers == 0)
			snprintf(wc->first_bad, sizeof(wc->first_bad),
				 "'%.*s': %zu bytes, want %zu (or other bytes)", (int)keylen,
				 (const char *)key, len, e->len);
	}
	return 0;
}

static int walk_stop_after_5(const unsigned char *key, size_t keylen, const unsigned char *value,
			     size_t len, void *arg)
{
	unsigned *calls = arg;

	(void)key;
	(void)keylen;
	(void)value;
	(void)len;
	return ++*calls == 5 ? 42 : 0;
}

START_TEST(test_round_trip)
{
	char *dir = make_dir();
	char name[HOSTCACHE_KEY_MAX + 8], other[HOSTCACHE_KEY_MAX + 64];
	unsigned char longkey[HOSTCACHE_KEY_MAX + 2];
	struct hostcache_writer *w;
	struct hostcache_map m;
	struct walk_check wc;
	const unsigned char *v;
	size_t i, nents = (size_t)NUSERS * NSLOTS, len;
	unsigned calls = 0;
	int s, n;

	build_users();
	w = hostcache_begin(dir);
	ck_assert_msg(w != NULL, "begin: %s", strerror(errno));
	for (i = 0; i < nents; i++)
		CHECK(hostcache_add(w, ents[i].key, ents[i].keylen, ents[i].value, ents[i].len) == 0,
		      "add '%s' (%zu bytes): %s", ents[i].key, ents[i].len, strerror(errno));
	ck_assert_msg(hostcache_write(w) == 0, "write: %s", strerror(errno));
	ck_assert_msg(hostcache_commit(w) == 0, "commit: %s", strerror(errno));

	open_ok(dir, &m);
	/* every key, with exactly its bytes */
	for (i = 0; i < nents; i++) {
		assert_found(&m, ents[i].key, ents[i].keylen, ents[i].value, ents[i].len);
		CHECK(find_str(&m, (const char *)ents[i].key, &v, &len) == 1 &&
		      hostcache_expiry(v) == value_expiry((unsigned)(i / NSLOTS), (int)(i % NSLOTS)),
		      "'%s': another expiry", ents[i].key);
	}
	/* keys never added */
	for (i = 0; i < NUSERS; i += 7) {
		unsigned u = (unsigned)i;

		user_name(u, name, sizeof(name));
		n = snprintf(other, sizeof(other), "pnobody%u", u);        /* another name */
		assert_absent(&m, other, (size_t)n);
		n = snprintf(other, sizeof(other), "u%u", user_uid(u) + 1); /* another uid */
		assert_absent(&m, other, (size_t)n);
		n = snprintf(other, sizeof(other), "g%s", name);           /* other kinds */
		assert_absent(&m, other, (size_t)n);
		n = snprintf(other, sizeof(other), "G%u", user_uid(u));
		assert_absent(&m, other, (size_t)n);
		n = snprintf(other, sizeof(other), "p%u", user_uid(u));    /* a uid as a name */
		assert_absent(&m, other, (size_t)n);
		n = snprintf(other, sizeof(other), "u%s", name);           /* a name as a uid */
		assert_absent(&m, other, (size_t)n);
		for (s = 0; s < NSLOTS; s++) {
			struct ent *e = &ents[i * NSLOTS + (size_t)s];

			memcpy(other, e->key, e->keylen);
			other[e->keylen] = 'x';
			if (e->keylen < HOSTCACHE_KEY_MAX)                  /* one byte longer */
				assert_absent(&m, other, e->keylen + 1);
			assert_absent(&m, e->key, e->keylen - 1);          /* a prefix */
			assert_absent(&m, e->key, 1);                      /* the kind alone */
		}
	}
	/* a prefix of the longest key, a key longer than any, no key, no kind */
	assert_absent(&m, ents[LONG_USER * NSLOTS].key, HOSTCACHE_KEY_MAX - 1);
	memcpy(longkey, ents[LONG_USER * NSLOTS].key, HOSTCACHE_KEY_MAX);
	longkey[HOSTCACHE_KEY_MAX] = 'L';
	assert_absent(&m, longkey, HOSTCACHE_KEY_MAX + 1);
	assert_absent(&m, "p", 0);
	assert_absent(&m, "xuser1.a", 8);
	memcpy(other, ents[9].key, ents[9].keylen);
	other[0] = 'x';
	assert_absent(&m, other, ents[9].keylen);

	/* verify: fine, and the count is right */
	ck_assert_uint_eq(verify_ok(&m), nents);

	/* the walk visits each entry once, with its value */
	memset(&wc, 0, sizeof(wc));
	ck_assert_int_eq(hostcache_walk(&m, walk_users, &wc), 0);
	ck_assert_msg(wc.strangers == 0 && wc.wrong_values == 0, "walk: %zu strangers, %zu wrong: %s",
		      wc.strangers, wc.wrong_values, wc.first_bad);
	ck_assert_uint_eq(wc.visits, nents);
	for (i = 0; i < nents; i++)
		CHECK(ents[i].seen == 1, "walk saw '%s' %u times", ents[i].key, ents[i].seen);
	/* and stops at the callback's first non-zero return, returning it */
	ck_assert_int_eq(hostcache_walk(&m, walk_stop_after_5, &calls), 42);
	ck_assert_uint_eq(calls, 5);

	hostcache_close(&m);
	hostcache_close(&m);   /* a closed map is fine */
	free_users();
	remove_dir(dir);
}
END_TEST

/* ---- tables many times the writer's window long ---- */

/* Write n entries of kind, each value vlen bytes, read every one back and
 * verify the file. The writer lays a table out through a window of a few
 * thousand buckets that it flushes as the homes advance: small entries
 * flush it many times over; entries of a bucket each outrun their homes
 * until the window has to grow. */
static void window_round_trip(char kind, unsigned n, size_t vlen)
{
	char *dir = make_dir();
	struct hostcache_writer *w;
	struct hostcache_map m;
	char (*keys)[16] = calloc(n, sizeof(*keys));
	unsigned char **values = calloc(n, sizeof(*values));
	unsigned i;

	ck_assert_ptr_nonnull(keys);
	ck_assert_ptr_nonnull(values);
	w = hostcache_begin(dir);
	ck_assert_ptr_nonnull(w);
	for (i = 0; i < n; i++) {
		snprintf(keys[i], sizeof(keys[i]), "%cw%07u", kind, i);
		values[i] = make_value(1700000000u + i, vlen, i);
		CHECK(add_str(w, keys[i], values[i], vlen) == 0, "add %s: %s", keys[i],
		      strerror(errno));
	}
	ck_assert_msg(hostcache_write(w) == 0, "write: %s", strerror(errno));
	ck_assert_msg(hostcache_commit(w) == 0, "commit: %s", strerror(errno));
	open_ok(dir, &m);
	/* far more buckets than one window holds */
	ck_assert_uint_gt(m.size, 8u * 1024u * 1024u);
	for (i = 0; i < n; i++)
		assert_found(&m, keys[i], strlen(keys[i]), values[i], vlen);
	ck_assert_uint_eq(verify_ok(&m), n);
	hostcache_close(&m);
	for (i = 0; i < n; i++)
		free(values[i]);
	free(values);
	free(keys);
	remove_dir(dir);
}

START_TEST(test_window)
{
	window_round_trip('p', 150000, 48);    /* about 4 to a bucket */
	/* just over half a bucket: one to a bucket, so they outrun their
	 * homes and the window grows */
	window_round_trip('u', 40000, 117);
}
END_TEST

/* Keys of every length from 1 to 24 bytes after the kind letter: each
 * found with its value,
 * and each with one byte changed, at every position, absent. */
START_TEST(test_key_lengths)
{
	enum { PER = 3000, MAXLEN = 24, VLEN = 8 + 4 };
	char *dir = make_dir(), (*keys)[MAXLEN + 2] = calloc((size_t)PER * MAXLEN, sizeof(*keys));
	unsigned char *values = calloc((size_t)PER * MAXLEN, VLEN);
	struct hostcache_writer *w;
	struct hostcache_map m;
	size_t len, i, j, n = 0, count;
	uint32_t idx;

	ck_assert_ptr_nonnull(keys);
	ck_assert_ptr_nonnull(values);
	w = hostcache_begin(dir);
	ck_assert_ptr_nonnull(w);
	for (len = 1; len <= MAXLEN; len++) {
		count = len == 1 ? 16 : len == 2 ? 256 : PER;
		for (i = 0; i < count; i++, n++) {
			/* the same letters for every key of a length but the last
			 * three, which are i in base 16 (letters a..p): keys
			 * that meet in a bucket differ only at their end */
			keys[n][0] = 'g';
			for (j = 0; j < len; j++)
				keys[n][1 + j] = (char)('a' + (j + 3 >= len ? i >> (4 * (len - 1 - j))
									  : j) % 16);
			idx = (uint32_t)n;
			hostcache_encode_expiry(0, values + n * VLEN);
			memcpy(values + n * VLEN + 8, &idx, 4);
			CHECK(add_str(w, keys[n], values + n * VLEN, VLEN) == 0, "add %s: %s", keys[n],
			      strerror(errno));
		}
	}
	ck_assert_msg(hostcache_write(w) == 0, "write: %s", strerror(errno));
	ck_assert_msg(hostcache_commit(w) == 0, "commit: %s", strerror(errno));
	open_ok(dir, &m);
	for (i = 0; i < n; i++) {
		len = strlen(keys[i]);
		assert_found(&m, keys[i], len, values + i * VLEN, VLEN);
		for (j = 1; j < len; j++) {
			keys[i][j] ^= 0x20;   /* a..p -> A..P: no key has those */
			assert_absent(&m, keys[i], len);
			keys[i][j] ^= 0x20;
		}
	}
	ck_assert_uint_eq(verify_ok(&m), n);
	hostcache_close(&m);
	free(values);
	free(keys);
	remove_dir(dir);
}
END_TEST

/* Files of more than 32 MiB are synced in the background while they are
 * written: committed, the file is whole; thrown away after the write, the
 * syncer is stopped before the file goes (ASan and the leak check see
 * it). */
START_TEST(test_background_sync)
{
	enum { N = 200000, VLEN = 200 };
	char *dir = make_dir(), path[512];
	char (*keys)[16] = calloc(N, sizeof(*keys));
	unsigned char *values = malloc((size_t)N * VLEN);
	struct hostcache_writer *w;
	struct hostcache_map m;
	unsigned i;
	int round;

	ck_assert_ptr_nonnull(keys);
	ck_assert_ptr_nonnull(values);
	for (i = 0; i < N; i++) {
		unsigned char *v = values + (size_t)i * VLEN;

		snprintf(keys[i], sizeof(keys[i]), "Gs%07u", i);
		hostcache_encode_expiry(0, v);
		memset(v + 8, 'v', VLEN - 8);
		memcpy(v + 8, keys[i], strlen(keys[i]));   /* each entry its own value */
	}
	for (round = 0; round < 2; round++) {
		w = hostcache_begin(dir);
		ck_assert_ptr_nonnull(w);
		for (i = 0; i < N; i++)
			CHECK(add_str(w, keys[i], values + (size_t)i * VLEN, VLEN) == 0, "add %s",
			      keys[i]);
		ck_assert_msg(hostcache_write(w) == 0, "write: %s", strerror(errno));
		if (round == 0) {
			hostcache_abort(w);
			assert_no_temp(dir);
			path_in(path, sizeof(path), dir, HOSTCACHE_FILE);
			ck_assert_msg(!exists(path), "abort made %s", path);
		} else {
			ck_assert_msg(hostcache_commit(w) == 0, "commit: %s", strerror(errno));
		}
	}
	open_ok(dir, &m);
	ck_assert_uint_gt(m.size, 40u * 1024u * 1024u);
	for (i = 0; i < N; i++)
		assert_found(&m, keys[i], strlen(keys[i]), values + (size_t)i * VLEN, VLEN);
	ck_assert_uint_eq(verify_ok(&m), N);
	hostcache_close(&m);
	free(values);
	free(keys);
	remove_dir(dir);
}
END_TEST

/* ---- the empty cache ---- */

static int walk_count(const unsigned char *key, size_t keylen, const unsigned char *value,
		      size_t len, void *arg)
{
	size_t *n = arg;

	(void)key;
	(void)keylen;
	(void)touch(value, len);
	++*n;
	return 0;
}

START_TEST(test_empty)
{
	static const char *const keys[] = { "palice", "u1000", "galice", "G1000", "ialice", "p", "" };
	char *dir = make_dir();
	char path[512];
	struct hostcache_writer *w = hostcache_begin(dir);
	struct hostcache_map m;
	size_t i, visits = 0;

	ck_assert_ptr_nonnull(w);
	ck_assert_msg(hostcache_write(w) == 0, "write: %s", strerror(errno));
	ck_assert_msg(hostcache_commit(w) == 0, "commit: %s", strerror(errno));
	path_in(path, sizeof(path), dir, HOSTCACHE_FILE);
	ck_assert_msg(hostcache_open(path, &m) == 0, "open the empty cache: %s", strerror(errno));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_absent(&m, keys[i], strlen(keys[i]));
	ck_assert_uint_eq(verify_ok(&m), 0);
	ck_assert_int_eq(hostcache_walk(&m, walk_count, &visits), 0);
	ck_assert_uint_eq(visits, 0);
	hostcache_close(&m);
	remove_dir(dir);
}
END_TEST

/* ---- the writer's refusals ---- */

#define ASSERT_EINVAL(call)                                                              \
	do {                                                                             \
		errno = 0;                                                               \
		ck_assert_msg((call) == -1, "accepted: %s", #call);                      \
		ck_assert_msg(errno == EINVAL, "%s: errno %d, want EINVAL", #call, errno); \
	} while (0)

START_TEST(test_add_rejects)
{
	char *dir = make_dir();
	unsigned char longkey[HOSTCACHE_KEY_MAX + 1];
	unsigned char *val = make_value(0, 64, 1);
	unsigned char *big = calloc(1, HOSTCACHE_VALUE_MAX + 1);
	struct hostcache_writer *w = hostcache_begin(dir);
	struct hostcache_map m;

	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(big);
	hostcache_encode_expiry(0, big);
	memset(longkey, 'k', sizeof(longkey));
	longkey[0] = 'p';

	ASSERT_EINVAL(hostcache_add(w, "p", 1, val, 8));                        /* kind only */
	ASSERT_EINVAL(hostcache_add(w, "", 0, val, 8));                         /* no key */
	ASSERT_EINVAL(hostcache_add(w, longkey, HOSTCACHE_KEY_MAX + 1, val, 8)); /* too long */
	ASSERT_EINVAL(hostcache_add(w, "xalice", 6, val, 8));                   /* unknown kind */
	ASSERT_EINVAL(hostcache_add(w, "Palice", 6, val, 8));
	ASSERT_EINVAL(hostcache_add(w, "palice", 6, val, 7));                   /* no room for expiry */
	ASSERT_EINVAL(hostcache_add(w, "palice", 6, val, 0));
	ASSERT_EINVAL(hostcache_add(w, "pbig", 4, big, HOSTCACHE_VALUE_MAX + 1));
	ASSERT_EINVAL(hostcache_add(w, "pal\0ce", 6, val, 8));                   /* a NUL */

	/* the limits themselves are fine, and the file writes fine */
	ck_assert_int_eq(hostcache_add(w, longkey, HOSTCACHE_KEY_MAX, val, 8), 0);
	ck_assert_int_eq(add_str(w, "palice", val, 8), 0);
	ck_assert_int_eq(add_str(w, "ubob", val, 64), 0);
	ck_assert_int_eq(add_str(w, "pbig", big, HOSTCACHE_VALUE_MAX), 0);
	ck_assert_msg(hostcache_write(w) == 0, "write: %s", strerror(errno));
	ck_assert_msg(hostcache_commit(w) == 0, "commit: %s", strerror(errno));

	open_ok(dir, &m);
	ck_assert_uint_eq(verify_ok(&m), 4);
	assert_found(&m, longkey, HOSTCACHE_KEY_MAX, val, 8);
	assert_found(&m, "palice", 6, val, 8);
	assert_found(&m, "ubob", 4, val, 64);
	assert_found(&m, "pbig", 4, big, HOSTCACHE_VALUE_MAX);
	assert_absent(&m, "xalice", 6);
	assert_absent(&m, "Palice", 6);
	assert_absent(&m, longkey, HOSTCACHE_KEY_MAX + 1);
	assert_absent(&m, "p", 1);
	hostcache_close(&m);
	free(val);
	free(big);
	remove_dir(dir);
}
END_TEST

/* A key given twice is refused (which value would be the answer?), and the
 * old file stays; commit without a successful write renames nothing. */
START_TEST(test_duplicate_and_unwritten)
{
	char *dir = make_dir();
	unsigned char *a = make_value(0, 40, 1), *b = make_value(0, 50, 2);
	static char keys[500][32];
	struct hostcache_writer *w;
	struct hostcache_map m;
	int i;

	w = hostcache_begin(dir);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(add_str(w, "palice", a, 40), 0);
	ck_assert_int_eq(hostcache_write(w), 0);
	ck_assert_int_eq(hostcache_commit(w), 0);

	/* among many keys, so that the two land in a crowded bucket or not */
	w = hostcache_begin(dir);
	ck_assert_ptr_nonnull(w);
	for (i = 0; i < 500; i++) {
		snprintf(keys[i], sizeof(keys[i]), "pu%05d", i);
		ck_assert_int_eq(add_str(w, keys[i], a, 40), 0);
	}
	ck_assert_int_eq(add_str(w, "pu00250", b, 50), 0);
	errno = 0;
	ck_assert_int_eq(hostcache_write(w), -1);
	ck_assert_int_eq(errno, EEXIST);
	errno = 0;
	ck_assert_int_eq(hostcache_commit(w), -1);
	ck_assert_int_eq(errno, EINVAL);
	assert_no_temp(dir);

	open_ok(dir, &m);
	ck_assert_uint_eq(verify_ok(&m), 1);
	assert_found(&m, "palice", 6, a, 40);
	assert_absent(&m, "pu00250", 7);
	hostcache_close(&m);
	free(a);
	free(b);
	remove_dir(dir);
}
END_TEST

/* The process's mapped size, in kB (VmSize). */
static long vm_size_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmSize: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* A file over 2 MiB is mapped at a 2 MiB boundary out of a larger
 * reservation: opening and closing it again and again leaves no address
 * space behind, whatever its size is modulo the page. */
START_TEST(test_reopen_keeps_no_address_space)
{
	static char keys[1000][32];
	char *dir = make_dir(), path[512];
	unsigned char *v = make_value(0, 3000 + 123, 7);
	struct hostcache_writer *w = hostcache_begin(dir);
	struct hostcache_map m;
	long before, after;
	int i;

	ck_assert_ptr_nonnull(w);
	/* far values of 3,123 bytes: about 3 MiB, not a multiple of the page */
	for (i = 0; i < 1000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "gg%04d", i);
		ck_assert_int_eq(add_str(w, keys[i], v, 3123), 0);
	}
	ck_assert_int_eq(hostcache_write(w), 0);
	ck_assert_int_eq(hostcache_commit(w), 0);
	path_in(path, sizeof(path), dir, HOSTCACHE_FILE);
	ck_assert_int_eq(hostcache_open(path, &m), 0);
	ck_assert_msg(m.size > 2 * 1024 * 1024 && m.size % 4096 != 0, "size %zu", m.size);
	hostcache_close(&m);
	before = vm_size_kb();
	for (i = 0; i < 100; i++) {
		ck_assert_int_eq(hostcache_open(path, &m), 0);
		assert_found(&m, "gg0999", 6, v, 3123);
		hostcache_close(&m);
	}
	after = vm_size_kb();
	ck_assert_msg(after - before < 1024, "VmSize grew by %ld kB over 100 opens", after - before);
	free(v);
	remove_dir(dir);
}
END_TEST

/* ---- hostcache_write copies ---- */

#define NCOPY 600

START_TEST(test_write_copies)
{
	char *dir = make_dir();
	unsigned char *keys[NCOPY], *vals[NCOPY], *keys0[NCOPY], *vals0[NCOPY];
	size_t klen[NCOPY], vlen[NCOPY], i;
	struct hostcache_writer *w = hostcache_begin(dir);
	struct hostcache_map m;

	ck_assert_ptr_nonnull(w);
	for (i = 0; i < NCOPY; i++) {
		char k[32];

		klen[i] = (size_t)snprintf(k, sizeof(k), "%cname%zu", "pugGi"[i % 5], i);
		vlen[i] = i % 100 == 7 ? 5000 + i : i % 100 == 8 ? 70000 : 8 + i % 200;
		keys[i] = malloc(klen[i]);
		keys0[i] = malloc(klen[i]);
		ck_assert_ptr_nonnull(keys[i]);
		ck_assert_ptr_nonnull(keys0[i]);
		memcpy(keys[i], k, klen[i]);
		memcpy(keys0[i], k, klen[i]);
		vals[i] = make_value(1000 + i, vlen[i], (unsigned)i);
		vals0[i] = make_value(1000 + i, vlen[i], (unsigned)i);
		ck_assert_int_eq(hostcache_add(w, keys[i], klen[i], vals[i], vlen[i]), 0);
	}
	ck_assert_msg(hostcache_write(w) == 0, "write: %s", strerror(errno));
	/* the caller's buffers change, then go (ASan catches a later read) */
	for (i = 0; i < NCOPY; i++) {
		memset(keys[i], 'Z', klen[i]);
		memset(vals[i], 0xa5, vlen[i]);
		free(keys[i]);
		free(vals[i]);
	}
	ck_assert_msg(hostcache_commit(w) == 0, "commit: %s", strerror(errno));

	open_ok(dir, &m);
	ck_assert_uint_eq(verify_ok(&m), NCOPY);
	for (i = 0; i < NCOPY; i++) {
		assert_found(&m, keys0[i], klen[i], vals0[i], vlen[i]);
		free(keys0[i]);
		free(vals0[i]);
	}
	hostcache_close(&m);
	remove_dir(dir);
}
END_TEST

/* ---- generation and replacement, through hostcache_lookup ---- */

struct use_ctx {
	const char *want;   /* the name the record must hold */
	unsigned calls;
};

static int use_passwd(struct rbuf *value, void *arg)
{
	struct use_ctx *c = arg;
	struct cdb_passwd_ref p;

	c->calls++;
	if (record_get_passwd(value, &p) != 0)
		return 2;
	if (p.name.n != strlen(c->want) || memcmp(p.name.s, c->want, p.name.n) != 0)
		return 3;
	return rbuf_end(value) == 0 ? 0 : 4;
}

/* A value: expires, then the record in wb (freed here); caller frees it,
 * *len gets its size. */
static unsigned char *value_of(uint64_t expires, struct wbuf *wb, size_t *len)
{
	unsigned char *v = malloc(8 + wb->len);

	ck_assert_ptr_nonnull(v);
	hostcache_encode_expiry(expires, v);
	memcpy(v + 8, wb->data, wb->len);
	*len = 8 + wb->len;
	wbuf_free(wb);
	return v;
}

/* expiry + passwd record of name/uid/gid (caller frees); *len gets its size. */
static unsigned char *passwd_value(uint64_t expires, const char *name, uint32_t uid, uint32_t gid,
				   size_t *len)
{
	char home[64];
	struct cdb_passwd p = { .name = name, .gecos = "Test User,,,", .home = home,
				.shell = "/bin/sh", .uid = uid, .gid = gid };
	struct wbuf wb;

	snprintf(home, sizeof(home), "/home/%s", name);
	wbuf_init(&wb);
	ck_assert_int_eq(record_put_passwd(&wb, &p), 0);
	return value_of(expires, &wb, len);
}

/* Write and commit a cache of users (name, uid, expiry) under dir. */
struct user { const char *name; uint32_t uid; uint64_t expires; };

static void commit_users(const char *dir, const struct user *u, size_t n)
{
	struct hostcache_writer *w = hostcache_begin(dir);
	unsigned char *vals[8];
	char keys[16][40];
	size_t i, len[8];

	ck_assert_ptr_nonnull(w);
	ck_assert_uint_le(n, 8);
	for (i = 0; i < n; i++) {
		vals[i] = passwd_value(u[i].expires, u[i].name, u[i].uid, 100, &len[i]);
		snprintf(keys[2 * i], sizeof(keys[0]), "p%s", u[i].name);
		snprintf(keys[2 * i + 1], sizeof(keys[0]), "u%u", (unsigned)u[i].uid);
		ck_assert_int_eq(add_str(w, keys[2 * i], vals[i], len[i]), 0);
		ck_assert_int_eq(add_str(w, keys[2 * i + 1], vals[i], len[i]), 0);
	}
	ck_assert_msg(hostcache_write(w) == 0, "write: %s", strerror(errno));
	ck_assert_msg(hostcache_commit(w) == 0, "commit: %s", strerror(errno));
	for (i = 0; i < n; i++)
		free(vals[i]);
}

/* hostcache_lookup of name (kind 'p'): its result; *calls_made gets how many
 * times use() ran, and the use() result must be 0 when it ran. */
static int lookup_name(const char *dir, char kind, const char *key, const char *want,
		       unsigned *calls_made)
{
	struct use_ctx c = { want, 0 };
	int use_rc = -99, rc;

	rc = hostcache_lookup(dir, kind, key, strlen(key), use_passwd, &c, &use_rc);
	*calls_made = c.calls;
	if (c.calls > 0)
		ck_assert_msg(use_rc == 0, "%c%s: use() says %d", kind, key, use_rc);
	return rc;
}

START_TEST(test_generation)
{
	/* hostcache_lookup keeps one mapping per process, remembered by the
	 * directory: this test is the only one here that calls it. */
	static const struct user first[] = { { "alice", 10001, 0 } };
	struct user second[] = { { "bob", 10002, 0 }, { "carol", 10003, 1 },
				 { "dave", 10004, 0 } };
	char *dir = make_dir();
	unsigned calls;

	second[2].expires = (uint64_t)time(NULL) + 3600;
	commit_users(dir, first, 1);
	ck_assert_int_eq(lookup_name(dir, 'p', "alice", "alice", &calls), HC_HIT);
	ck_assert_uint_eq(calls, 1);
	ck_assert_int_eq(lookup_name(dir, 'u', "10001", "alice", &calls), HC_HIT);
	ck_assert_uint_eq(calls, 1);
	ck_assert_int_eq(lookup_name(dir, 'p', "bob", "bob", &calls), HC_MISS);
	ck_assert_uint_eq(calls, 0);

	/* a new file under the same directory: noticed at the next look-up */
	commit_users(dir, second, 3);
	ck_assert_int_eq(lookup_name(dir, 'p', "alice", "alice", &calls), HC_MISS);
	ck_assert_uint_eq(calls, 0);
	ck_assert_int_eq(lookup_name(dir, 'u', "10001", "alice", &calls), HC_MISS);
	ck_assert_uint_eq(calls, 0);
	ck_assert_int_eq(lookup_name(dir, 'p', "bob", "bob", &calls), HC_HIT);
	ck_assert_uint_eq(calls, 1);
	ck_assert_int_eq(lookup_name(dir, 'u', "10002", "bob", &calls), HC_HIT);
	ck_assert_uint_eq(calls, 1);
	/* expired (1970): stale, and use() ran all the same */
	ck_assert_int_eq(lookup_name(dir, 'p', "carol", "carol", &calls), HC_STALE);
	ck_assert_uint_eq(calls, 1);
	/* expiring in an hour: a hit */
	ck_assert_int_eq(lookup_name(dir, 'p', "dave", "dave", &calls), HC_HIT);
	ck_assert_uint_eq(calls, 1);
	ck_assert_int_eq(lookup_name(dir, 'g', "bob", "bob", &calls), HC_MISS);
	ck_assert_int_eq(lookup_name(dir, 'p', "bo", "bob", &calls), HC_MISS);

	/* and once more */
	commit_users(dir, first, 1);
	ck_assert_int_eq(lookup_name(dir, 'p', "bob", "bob", &calls), HC_MISS);
	ck_assert_int_eq(lookup_name(dir, 'p', "alice", "alice", &calls), HC_HIT);
	ck_assert_uint_eq(calls, 1);

	/* a directory without a cache */
	ck_assert_int_eq(lookup_name("/nonexistent/test_hostcache", 'p', "alice", "alice", &calls),
			 HC_MISS);
	ck_assert_uint_eq(calls, 0);
	remove_dir(dir);
}
END_TEST

/* ---- abort ---- */

START_TEST(test_abort)
{
	char *dir = make_dir();
	char db[512], gen[512];
	unsigned char *val = make_value(0, 100, 3), *before, *after, *gen0, *gen1;
	size_t blen, alen, glen0, glen1;
	struct hostcache_writer *w;
	struct hostcache_map m;
	struct stat st0, st1;
	size_t entries = 0;
	struct dirent *de;
	DIR *d;

	path_in(db, sizeof(db), dir, HOSTCACHE_FILE);
	path_in(gen, sizeof(gen), dir, HOSTCACHE_GEN_FILE);
	w = hostcache_begin(dir);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(add_str(w, "pold", val, 100), 0);
	ck_assert_int_eq(hostcache_write(w), 0);
	ck_assert_int_eq(hostcache_commit(w), 0);
	before = slurp(db, &blen);
	gen0 = slurp(gen, &glen0);
	ck_assert_int_eq(stat(db, &st0), 0);

	/* aborted after writing */
	w = hostcache_begin(dir);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(add_str(w, "pnew", val, 100), 0);
	ck_assert_int_eq(add_str(w, "unew", val, 8), 0);
	ck_assert_int_eq(hostcache_write(w), 0);
	hostcache_abort(w);
	assert_no_temp(dir);
	/* aborted right away, and after adding only */
	w = hostcache_begin(dir);
	ck_assert_ptr_nonnull(w);
	hostcache_abort(w);
	assert_no_temp(dir);
	w = hostcache_begin(dir);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(add_str(w, "pnew", val, 100), 0);
	hostcache_abort(w);
	assert_no_temp(dir);

	/* nothing else in the directory, and the old file as it was */
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			ck_assert_msg(strcmp(de->d_name, HOSTCACHE_FILE) == 0 ||
				      strcmp(de->d_name, HOSTCACHE_GEN_FILE) == 0,
				      "%s left behind", de->d_name);
			entries++;
		}
	closedir(d);
	ck_assert_uint_eq(entries, 2);
	after = slurp(db, &alen);
	ck_assert_uint_eq(alen, blen);
	ck_assert(memcmp(before, after, blen) == 0);
	ck_assert_int_eq(stat(db, &st1), 0);
	ck_assert_uint_eq(st0.st_ino, st1.st_ino);
	gen1 = slurp(gen, &glen1);
	ck_assert_uint_eq(glen1, glen0);
	ck_assert_msg(memcmp(gen0, gen1, glen0) == 0, "the generation moved");
	open_ok(dir, &m);
	ck_assert_uint_eq(verify_ok(&m), 1);
	assert_found(&m, "pold", 4, val, 100);
	assert_absent(&m, "pnew", 4);
	assert_absent(&m, "unew", 4);
	hostcache_close(&m);
	free(before);
	free(after);
	free(gen0);
	free(gen1);
	free(val);
	remove_dir(dir);
}
END_TEST

/* ---- trust: whose files the reader believes ---- */

/* hostcache_lookup of 'p' key in dir, in a child process of its own (each
 * with the reader's per-process state fresh), after prep(dir) ran there
 * (NULL: none). The child's hostcache_lookup result. */
static int lookup_in_child(const char *dir, const char *key, void (*prep)(void))
{
	struct use_ctx c = { key, 0 };
	int status, use_rc = 0;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (prep != NULL)
			prep();
		_exit(hostcache_lookup(dir, 'p', key, strlen(key), use_passwd, &c, &use_rc));
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "the child died (status %#x)", status);
	return WEXITSTATUS(status);
}

static void become_nobody(void)
{
	struct passwd *pw = nobody();

	if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
		_exit(99);
}

/* A cache written by anyone but root (or the reader's own user), or in a
 * place others may write, is not believed: as if there were none. The
 * reader's own files are (they fool no one else). */
START_TEST(test_untrusted_files)
{
	static const struct user alice[] = { { "alice", 10001, 0 } };
	static const char *const files[] = { "", HOSTCACHE_FILE, HOSTCACHE_GEN_FILE };
	char *dir = make_dir(), path[512];
	bool root = geteuid() == 0;
	size_t i;

	commit_users(dir, alice, 1);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(lookup_in_child(dir, "alice", NULL), HC_HIT);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		mode_t mode = i == 0 ? 0755 : 0644;

		path_in(path, sizeof(path), dir, files[i]);
		/* writable by the group, then by others */
		ck_assert_int_eq(chmod(path, mode | S_IWGRP), 0);
		ck_assert_msg(lookup_in_child(dir, "alice", NULL) == HC_MISS,
			      "%s group-writable: believed", path);
		ck_assert_int_eq(chmod(path, mode | S_IWOTH), 0);
		ck_assert_msg(lookup_in_child(dir, "alice", NULL) == HC_MISS,
			      "%s writable by others: believed", path);
		ck_assert_int_eq(chmod(path, mode), 0);
		if (!root)
			continue;   /* chown needs root; the modes were checked */
		/* owned by another user: for root, and for a third user */
		ck_assert_int_eq(chown(path, nobody()->pw_uid, (gid_t)-1), 0);
		ck_assert_msg(lookup_in_child(dir, "alice", NULL) == HC_MISS,
			      "%s owned by nobody: believed by root", path);
		ck_assert_int_eq(chown(path, 1, (gid_t)-1), 0);
		ck_assert_msg(lookup_in_child(dir, "alice", become_nobody) == HC_MISS,
			      "%s owned by uid 1: believed by nobody", path);
		ck_assert_int_eq(chown(path, 0, (gid_t)-1), 0);
	}
	ck_assert_int_eq(lookup_in_child(dir, "alice", NULL), HC_HIT);
	if (root) {
		/* nobody's own cache, for nobody: believed (root's, above, too) */
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			path_in(path, sizeof(path), dir, files[i]);
			ck_assert_int_eq(chown(path, nobody()->pw_uid, (gid_t)-1), 0);
		}
		ck_assert_int_eq(lookup_in_child(dir, "alice", become_nobody), HC_HIT);
		ck_assert_int_eq(lookup_in_child(dir, "alice", NULL), HC_MISS);
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			path_in(path, sizeof(path), dir, files[i]);
			ck_assert_int_eq(chown(path, 0, (gid_t)-1), 0);
		}
	}
	remove_dir(dir);
}
END_TEST

/* ---- the NSS module over a cache that breaks the rules ---- */

/* expiry 0 + group record without members (caller frees); *len gets its size. */
static unsigned char *group_value(const char *name, uint32_t gid, size_t *len)
{
	struct cdb_group g = { .name = name, .gid = gid };
	struct wbuf wb;

	wbuf_init(&wb);
	ck_assert_int_eq(record_put_group(&wb, &g), 0);
	return value_of(0, &wb, len);
}

typedef enum nss_status (*getpwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*getpwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*getgrnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*initgroups_fn)(const char *, gid_t, long *, long *, gid_t **, long,
					 int *);

/* The built module (NSS_MODULE), given a cache written with the writer
 * directly: whoever wrote it, no uid or gid 0 and no root comes out of a
 * cache hit. The daemon is never asked (no socket). */
START_TEST(test_nss_refuses_root_entries)
{
	char *dir = make_dir(), buf[1024], sock[600];
	unsigned char *v[16];
	size_t len[16], n = 0, i;
	struct hostcache_writer *w;
	struct passwd pw;
	struct group gr;
	getpwnam_fn getpwnam_r;
	getpwuid_fn getpwuid_r;
	getgrnam_fn getgrnam_r;
	initgroups_fn initgroups_dyn;
	long start = 0, size = 4;
	gid_t *groups = calloc(4, sizeof(gid_t));
	struct wbuf wb;
	void *mod;
	int err;

	ck_assert_ptr_nonnull(groups);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	w = hostcache_begin(dir);
	ck_assert_ptr_nonnull(w);
#define ADD(key, value) do {                                                   \
		v[n] = (value);                                                \
		ck_assert_int_eq(add_str(w, key, v[n], len[n]), 0);            \
		n++;                                                           \
	} while (0)
	ADD("pevil", passwd_value(0, "evil", 0, 100, &len[n]));       /* uid 0 */
	ADD("u0", passwd_value(0, "evil", 0, 100, &len[n]));
	ADD("pzgid", passwd_value(0, "zgid", 10005, 0, &len[n]));     /* gid 0 */
	ADD("u10005", passwd_value(0, "zgid", 10005, 0, &len[n]));
	ADD("palias", passwd_value(0, "root", 10006, 100, &len[n]));  /* named root */
	ADD("u10006", passwd_value(0, "root", 10006, 100, &len[n]));
	ADD("proot", passwd_value(0, "root", 10007, 100, &len[n]));
	ADD("pgood", passwd_value(0, "good", 10008, 100, &len[n]));
	ADD("u10008", passwd_value(0, "good", 10008, 100, &len[n]));
	ADD("gwheel0", group_value("wheel0", 0, &len[n]));             /* gid 0 */
	ADD("groot", group_value("root", 10009, &len[n]));
	ADD("gstaff", group_value("staff", 10010, &len[n]));
	/* a group list holding gid 0 */
	wbuf_init(&wb);
	wbuf_put_u32(&wb, 3);
	wbuf_put_u32(&wb, 0);
	wbuf_put_u32(&wb, 10010);
	wbuf_put_u32(&wb, 10011);
	ADD("igood", value_of(0, &wb, &len[n]));
#undef ADD
	ck_assert_msg(hostcache_write(w) == 0, "write: %s", strerror(errno));
	ck_assert_msg(hostcache_commit(w) == 0, "commit: %s", strerror(errno));
	for (i = 0; i < n; i++)
		free(v[i]);

	snprintf(sock, sizeof(sock), "%s/no-daemon.sock", dir);
	ck_assert_int_eq(setenv("CUSTOMDB_STATE_DIR", dir, 1), 0);
	ck_assert_int_eq(setenv("CUSTOMDB_SOCKET", sock, 1), 0);
	mod = dlopen(NSS_MODULE, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(mod != NULL, "dlopen %s: %s", NSS_MODULE, dlerror());
	getpwnam_r = (getpwnam_fn)dlsym(mod, "_nss_customdb_getpwnam_r");
	getpwuid_r = (getpwuid_fn)dlsym(mod, "_nss_customdb_getpwuid_r");
	getgrnam_r = (getgrnam_fn)dlsym(mod, "_nss_customdb_getgrnam_r");
	initgroups_dyn = (initgroups_fn)dlsym(mod, "_nss_customdb_initgroups_dyn");
	ck_assert(getpwnam_r && getpwuid_r && getgrnam_r && initgroups_dyn);

	/* the control: the cache is read */
	ck_assert_int_eq(getpwnam_r("good", &pw, buf, sizeof(buf), &err), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(pw.pw_uid, 10008);
	ck_assert_int_eq(getpwuid_r(10008, &pw, buf, sizeof(buf), &err), NSS_STATUS_SUCCESS);
	ck_assert_int_eq(getgrnam_r("staff", &gr, buf, sizeof(buf), &err), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(gr.gr_gid, 10010);
	/* the rules, on a cache hit */
	ck_assert_int_eq(getpwnam_r("evil", &pw, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
	ck_assert_int_eq(getpwuid_r(0, &pw, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
	ck_assert_int_eq(getpwnam_r("zgid", &pw, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
	ck_assert_int_eq(getpwuid_r(10005, &pw, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
	ck_assert_int_eq(getpwnam_r("alias", &pw, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
	ck_assert_int_eq(getpwuid_r(10006, &pw, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
	ck_assert_int_eq(getpwnam_r("root", &pw, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
	ck_assert_int_eq(getgrnam_r("wheel0", &gr, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
	ck_assert_int_eq(getgrnam_r("root", &gr, buf, sizeof(buf), &err), NSS_STATUS_NOTFOUND);
	ck_assert_int_eq(initgroups_dyn("good", 100, &start, &size, &groups, 0, &err),
			 NSS_STATUS_SUCCESS);
	ck_assert_int_eq(start, 2);
	ck_assert_uint_eq(groups[0], 10010);
	ck_assert_uint_eq(groups[1], 10011);
	free(groups);
	dlclose(mod);
	remove_dir(dir);
}
END_TEST

/* ---- long-running processes ---- */

/* A generation file removed and created anew (a new inode, which may well
 * hold the count the old one held) is noticed within HC_RECHECK_S: the old
 * one, still mapped, never moves again. */
START_TEST(test_generation_file_recreated)
{
	static const struct user alice[] = { { "alice", 10001, 0 } };
	static const struct user bob[] = { { "bob", 10002, 0 } };
	char *dir = make_dir(), path[512];
	unsigned calls;
	time_t until;
	int rc;

	commit_users(dir, alice, 1);
	ck_assert_int_eq(lookup_name(dir, 'p', "alice", "alice", &calls), HC_HIT);
	/* the state directory emptied, then a new cache: generation 1 again */
	path_in(path, sizeof(path), dir, HOSTCACHE_GEN_FILE);
	ck_assert_int_eq(unlink(path), 0);
	path_in(path, sizeof(path), dir, HOSTCACHE_FILE);
	ck_assert_int_eq(unlink(path), 0);
	commit_users(dir, bob, 1);
	until = time(NULL) + HC_RECHECK_S + 10;
	while ((rc = lookup_name(dir, 'p', "bob", "bob", &calls)) != HC_HIT && time(NULL) < until)
		usleep(20000);
	ck_assert_msg(rc == HC_HIT, "the new cache was not noticed in %d s", HC_RECHECK_S + 10);
	ck_assert_int_eq(lookup_name(dir, 'p', "alice", "alice", &calls), HC_MISS);
	remove_dir(dir);
}
END_TEST

/* A look-up holds the reader's lock in a thread while another forks. */
static struct {
	const char *dir;
	pid_t main_tid;
	atomic_bool inside, forking;
} fk;

/* Is thread tid of this process asleep (in a wait)? */
static bool thread_sleeping(pid_t tid)
{
	char path[64], line[512], *p;
	bool sleeping = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	if (fgets(line, sizeof(line), f) != NULL && (p = strrchr(line, ')')) != NULL)
		sleeping = p[1] == ' ' && p[2] == 'S';
	fclose(f);
	return sleeping;
}

/* use(): with the lock held, wait until the main thread is in fork() and
 * asleep there (or past it, waiting for its child). */
static int hold_across_fork(struct rbuf *value, void *arg)
{
	(void)value;
	(void)arg;
	atomic_store(&fk.inside, true);
	while (!atomic_load(&fk.forking))
		usleep(1000);
	while (!thread_sleeping(fk.main_tid))
		usleep(1000);
	usleep(20000);   /* past the first sleep: the same state in either case */
	return 0;
}

static void *lookup_thread(void *arg)
{
	int use_rc;

	(void)arg;
	hostcache_lookup(fk.dir, 'p', "alice", 5, hold_across_fork, NULL, &use_rc);
	return NULL;
}

/* A fork while another thread is in a look-up: the child's first look-up
 * that reopens (another directory) must not wait for ever on a lock that
 * the parent's thread held at the fork. */
START_TEST(test_fork_during_lookup)
{
	static const struct user alice[] = { { "alice", 10001, 0 } };
	char *dir = make_dir(), *other = make_dir();
	unsigned calls;
	pthread_t t;
	int status;
	pid_t pid;

	commit_users(dir, alice, 1);
	commit_users(other, alice, 1);
	ck_assert_int_eq(lookup_name(dir, 'p', "alice", "alice", &calls), HC_HIT);
	fk.dir = dir;
	fk.main_tid = (pid_t)syscall(SYS_gettid);
	ck_assert_int_eq(pthread_create(&t, NULL, lookup_thread, NULL), 0);
	while (!atomic_load(&fk.inside))
		usleep(1000);
	atomic_store(&fk.forking, true);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		alarm(30);   /* a child stuck on the lock dies of SIGALRM */
		_exit(lookup_name(other, 'p', "alice", "alice", &calls) == HC_HIT ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_msg(!WIFSIGNALED(status), "the child hung on the reader's lock (signal %d)",
		      WTERMSIG(status));
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	remove_dir(dir);
	remove_dir(other);
}
END_TEST

/* ---- the writer's directory ---- */

/* Two writers at once never share a temporary file: the second one's start
 * leaves the first one's file whole. */
START_TEST(test_two_writers)
{
	char *dir = make_dir();
	unsigned char *a = make_value(0, 40, 1), *b = make_value(0, 50, 2);
	struct hostcache_writer *w1, *w2;
	struct hostcache_map m;

	w1 = hostcache_begin(dir);
	ck_assert_ptr_nonnull(w1);
	ck_assert_int_eq(add_str(w1, "palice", a, 40), 0);
	ck_assert_int_eq(hostcache_write(w1), 0);
	w2 = hostcache_begin(dir);
	ck_assert_ptr_nonnull(w2);
	ck_assert_int_eq(add_str(w2, "pbob", b, 50), 0);
	ck_assert_msg(hostcache_commit(w1) == 0, "commit: %s", strerror(errno));
	open_ok(dir, &m);
	ck_assert_uint_eq(verify_ok(&m), 1);
	assert_found(&m, "palice", 6, a, 40);
	hostcache_close(&m);
	ck_assert_int_eq(hostcache_write(w2), 0);
	ck_assert_msg(hostcache_commit(w2) == 0, "commit: %s", strerror(errno));
	open_ok(dir, &m);
	assert_found(&m, "pbob", 4, b, 50);
	hostcache_close(&m);
	assert_no_temp(dir);
	free(a);
	free(b);
	remove_dir(dir);
}
END_TEST

/* hostcache_claim_dir in a child; its result, the message in err. */
static int claim_in_child(const char *dir, char *err, size_t errlen)
{
	int pipefd[2], status;
	ssize_t r;
	pid_t pid;

	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char msg[512] = "";
		int rc = hostcache_claim_dir(dir, msg, sizeof(msg));

		(void)!write(pipefd[1], msg, strlen(msg));
		_exit(rc == 0 ? 0 : 1);
	}
	close(pipefd[1]);
	r = read(pipefd[0], err, errlen - 1);
	err[r > 0 ? r : 0] = '\0';
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* One daemon per state directory, in a directory only root may write;
 * what a killed writer left is removed. */
START_TEST(test_claim_dir)
{
	char *dir = make_dir(), path[512], err[512];

	ck_assert_int_eq(chmod(dir, 0755), 0);
	path_in(path, sizeof(path), dir, HOSTCACHE_TMP_PREFIX "Xy12z9");
	spew(path, "half", 4);
	path_in(path, sizeof(path), dir, HOSTCACHE_FILE ".tmp");
	spew(path, "half", 4);
	ck_assert_msg(hostcache_claim_dir(dir, err, sizeof(err)) == 0, "claim: %s", err);
	assert_no_temp(dir);
	ck_assert_msg(!exists(path), "%s left", path);
	/* a second claim, as by a second daemon: refused, and says why */
	ck_assert_int_eq(claim_in_child(dir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "another customdbd") != NULL, "message: %s", err);
	ck_assert_msg(strstr(err, dir) != NULL, "message: %s", err);
	remove_dir(dir);
	/* a directory others may write, or another user's: refused */
	dir = make_dir();
	ck_assert_int_eq(chmod(dir, 0775), 0);
	ck_assert_int_eq(claim_in_child(dir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "writable by its group") != NULL, "message: %s", err);
	ck_assert_int_eq(chmod(dir, 0757), 0);
	ck_assert_int_eq(claim_in_child(dir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "writable by others") != NULL, "message: %s", err);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(dir, nobody()->pw_uid, (gid_t)-1), 0);
		ck_assert_int_eq(claim_in_child(dir, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "not root") != NULL, "message: %s", err);
		ck_assert_int_eq(chown(dir, 0, (gid_t)-1), 0);
	}
	ck_assert_msg(claim_in_child(dir, err, sizeof(err)) == 0, "claim: %s", err);
	remove_dir(dir);
}
END_TEST

/* ---- damaged files ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A cache of nusers users ('p', 'u', 'i'), one far value of farlen bytes if
 * non-zero; its keys (NUL-terminated) in keys[], nkeys set. */
static void write_sample(const char *dir, unsigned nusers, size_t farlen, char (*keys)[32],
			 size_t *nkeys)
{
	struct hostcache_writer *w = hostcache_begin(dir);
	unsigned char *far = farlen ? make_value(0, farlen, 99) : NULL;
	unsigned char *vals[3 * 400];
	size_t i, n = 0;

	ck_assert_ptr_nonnull(w);
	ck_assert_uint_le(nusers, 400);
	for (i = 0; i < nusers; i++) {
		snprintf(keys[n], 32, "puser%zu", i);
		vals[n] = make_value(i, 8 + (i * 13) % 60, (unsigned)n);
		ck_assert_int_eq(add_str(w, keys[n], vals[n], 8 + (i * 13) % 60), 0);
		n++;
		snprintf(keys[n], 32, "u%zu", 1000 + i);
		vals[n] = make_value(i, 8 + (i * 7) % 40, (unsigned)n);
		ck_assert_int_eq(add_str(w, keys[n], vals[n], 8 + (i * 7) % 40), 0);
		n++;
		snprintf(keys[n], 32, "iuser%zu", i);
		vals[n] = make_value(0, 12 + 4 * (i % 5), (unsigned)n);
		ck_assert_int_eq(add_str(w, keys[n], vals[n], 12 + 4 * (i % 5)), 0);
		n++;
	}
	if (far != NULL) {
		snprintf(keys[n], 32, "gbig");
		ck_assert_int_eq(add_str(w, keys[n], far, farlen), 0);
		n++;
	}
	ck_assert_int_eq(hostcache_write(w), 0);
	ck_assert_int_eq(hostcache_commit(w), 0);
	for (i = 0; i < 3 * (size_t)nusers; i++)
		free(vals[i]);
	free(far);
	*nkeys = n;
}

START_TEST(test_corrupt_random)
{
	static const size_t sizes[] = { 0, 1, 8, 100, 255, 256, 257, 1000, 4096, 65536 };
	char *dir = make_dir();
	char path[512], what[64];
	unsigned char *b = malloc(65536);
	size_t i, j;
	int pass;

	ck_assert_ptr_nonnull(b);
	path_in(path, sizeof(path), dir, "random.db");
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			for (j = 0; j < sizes[i]; j++)
				b[j] = (unsigned char)next_random();
			/* the second time, with the right magic in front */
			if (pass == 1)
				memcpy(b, "CDBHOST\1", sizes[i] < 8 ? sizes[i] : 8);
			spew(path, b, sizes[i]);
			snprintf(what, sizeof(what), "%zu random bytes%s", sizes[i],
				 pass ? " after the magic" : "");
			assert_refused(path, what);
		}
	/* no file at all: refused too (errno from open) */
	path_in(path, sizeof(path), dir, "missing.db");
	{
		struct hostcache_map m;

		errno = 0;
		ck_assert_int_eq(hostcache_open(path, &m), -1);
		ck_assert_int_eq(errno, ENOENT);
	}
	free(b);
	remove_dir(dir);
}
END_TEST

START_TEST(test_corrupt_truncated)
{
	char *dir = make_dir();
	char db[512], path[512], what[64];
	char keys[3 * 400 + 1][32];
	unsigned char *good;
	size_t len, nkeys, cuts[4], i;
	struct hostcache_map m;

	write_sample(dir, 40, 3000, keys, &nkeys);
	path_in(db, sizeof(db), dir, HOSTCACHE_FILE);
	path_in(path, sizeof(path), dir, "cut.db");
	good = slurp(db, &len);
	ck_assert_uint_gt(len, 512);
	/* the copy itself is fine */
	spew(path, good, len);
	ck_assert_int_eq(hostcache_open(path, &m), 0);
	ck_assert_uint_eq(verify_ok(&m), nkeys);
	hostcache_close(&m);

	cuts[0] = len - 1;    /* one byte short */
	cuts[1] = len / 2;
	cuts[2] = 256;
	cuts[3] = 255;
	for (i = 0; i < 4; i++) {
		spew(path, good, cuts[i]);
		snprintf(what, sizeof(what), "cut to %zu of %zu bytes", cuts[i], len);
		assert_refused(path, what);
	}
	/* one byte too many: the header's file size is wrong too */
	good[len] = 0;
	spew(path, good, len + 1);
	assert_refused(path, "one byte appended");
	free(good);
	remove_dir(dir);
}
END_TEST

START_TEST(test_corrupt_magic)
{
	char *dir = make_dir();
	char db[512], path[512];
	char keys[3 * 400 + 1][32];
	unsigned char *good;
	size_t len, nkeys, i;

	write_sample(dir, 20, 0, keys, &nkeys);
	path_in(db, sizeof(db), dir, HOSTCACHE_FILE);
	path_in(path, sizeof(path), dir, "magic.db");
	good = slurp(db, &len);
	ck_assert(memcmp(good, "CDBHOST\1", 8) == 0);
	for (i = 0; i < 8; i++) {
		good[i] ^= 0x20;
		spew(path, good, len);
		assert_refused(path, "wrong magic");
		good[i] ^= 0x20;
	}
	/* another format version (the u32 after the magic) */
	good[8] ^= 0x40;
	spew(path, good, len);
	assert_refused(path, "another version");
	good[8] ^= 0x40;
	spew(path, good, len);
	{
		struct hostcache_map m;

		ck_assert_int_eq(hostcache_open(path, &m), 0);
		hostcache_close(&m);
	}
	free(good);
	remove_dir(dir);
}
END_TEST

static int walk_touch(const unsigned char *key, size_t keylen, const unsigned char *value,
		      size_t len, void *arg)
{
	unsigned *sum = arg;

	*sum += touch(key, keylen) + touch(value, len);
	return 0;
}

START_TEST(test_corrupt_flips)
{
	static const unsigned char masks[] = { 0xff, 0x01, 0x80, 0x10 };
	char *dir = make_dir();
	char db[512], path[512], err[256];
	char keys[3 * 400 + 1][32];
	unsigned char *good, orig;
	size_t len, nkeys, pos, k, flips = 0, refused = 0, reported = 0, vlen;
	struct hostcache_map m;
	const unsigned char *v;
	unsigned sum = 0;
	uint64_t n;
	int fd, rc;

	write_sample(dir, 100, 600, keys, &nkeys);   /* 301 entries */
	path_in(db, sizeof(db), dir, HOSTCACHE_FILE);
	path_in(path, sizeof(path), dir, "flipped.db");
	good = slurp(db, &len);
	ck_assert_uint_gt(len, 1024);
	spew(path, good, len);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	/* every byte past the first bucket with one mask, the others at a stride */
	for (pos = 256; pos < len; pos++)
		for (k = 0; k < sizeof(masks); k++) {
			if (k > 0 && pos % (3 + 2 * k) != 0)
				continue;
			orig = good[pos];
			CHECK(pwrite(fd, &(unsigned char){ orig ^ masks[k] }, 1, (off_t)pos) == 1,
			      "pwrite: %s", strerror(errno));
			flips++;
			errno = 0;
			if (hostcache_open(path, &m) != 0) {
				CHECK(errno == EINVAL, "byte %zu ^ %#x: open errno %d", pos, masks[k],
				      errno);
				refused++;
			} else {
				size_t i;

				for (i = 0; i < nkeys; i++) {
					rc = find_str(&m, keys[i], &v, &vlen);
					CHECK(rc == 1 || rc == 0 || rc == -1, "byte %zu: find says %d",
					      pos, rc);
					if (rc == 1) {
						CHECK(vlen <= len, "byte %zu: a value of %zu bytes", pos,
						      vlen);
						sum += touch(v, vlen);
					}
				}
				rc = hostcache_verify(&m, &n, err, sizeof(err));
				CHECK(rc == 0 || rc == -1, "byte %zu: verify says %d", pos, rc);
				if (rc != 0)
					reported++;
				rc = hostcache_walk(&m, walk_touch, &sum);
				CHECK(rc == 0 || rc == -1, "byte %zu: walk says %d", pos, rc);
				hostcache_close(&m);
			}
			CHECK(pwrite(fd, &orig, 1, (off_t)pos) == 1, "pwrite: %s", strerror(errno));
		}
	close(fd);
	/* put back, it is fine again */
	ck_assert_int_eq(hostcache_open(path, &m), 0);
	ck_assert_uint_eq(verify_ok(&m), nkeys);
	hostcache_close(&m);
	ck_assert_msg(reported + refused > 0, "none of %zu flipped bytes was noticed", flips);
	ck_assert_msg(reported > 0 || refused == flips,
		      "verify never said -1 (%zu flips, %zu refused by open)", flips, refused);
	free(good);
	remove_dir(dir);
	(void)sum;
}
END_TEST

/* ---- the fuzzer's seeds ---- */

/* Cache files as the daemon writes them, small enough to seed fuzz_hostcache
 * (tests/fuzz/corpus/hostcache/): 3 users and their group, a group with a
 * far value, nothing. Checked here; copied to $HOSTCACHE_SEED_DIR if set. */
static void seed_users(struct hostcache_writer *w, struct wbuf *keep, char (*key)[32],
		       size_t nmembers)
{
	static const char *const names[] = { "alice", "bob", "carol" };
	char memb[64][16];
	const char *members[64];
	struct cdb_group g = { .name = "staff", .gid = 100 };
	size_t i;

	ck_assert_uint_le(nmembers, 64);
	for (i = 0; i < nmembers; i++) {
		snprintf(memb[i], sizeof(memb[i]), "member%zu", i);
		members[i] = i < 3 ? names[i] : memb[i];
	}
	g.nmembers = nmembers;
	g.members = members;
	for (i = 0; i < 3; i++) {
		struct cdb_passwd p = { .name = names[i], .gecos = "", .home = "/home/x",
					.shell = "/bin/sh", .uid = 1000 + (uint32_t)i, .gid = 100 };
		struct wbuf *pw = &keep[i], *gl = &keep[3 + i];

		wbuf_init(pw);
		ck_assert_int_eq(wbuf_put_u32(pw, 0), 0);    /* expiry 0, as two u32 */
		ck_assert_int_eq(wbuf_put_u32(pw, 0), 0);
		ck_assert_int_eq(record_put_passwd(pw, &p), 0);
		/* keys are not copied either: one buffer each */
		snprintf(key[3 * i], 32, "p%s", names[i]);
		ck_assert_int_eq(add_str(w, key[3 * i], pw->data, pw->len), 0);
		snprintf(key[3 * i + 1], 32, "u%u", 1000 + (unsigned)i);
		ck_assert_int_eq(add_str(w, key[3 * i + 1], pw->data, pw->len), 0);
		wbuf_init(gl);
		ck_assert_int_eq(wbuf_put_u32(gl, 0), 0);
		ck_assert_int_eq(wbuf_put_u32(gl, 2000000000u), 0);
		ck_assert_int_eq(wbuf_put_u32(gl, 2), 0);
		ck_assert_int_eq(wbuf_put_u32(gl, 100), 0);
		ck_assert_int_eq(wbuf_put_u32(gl, 2000 + (uint32_t)i), 0);
		snprintf(key[3 * i + 2], 32, "i%s", names[i]);
		ck_assert_int_eq(add_str(w, key[3 * i + 2], gl->data, gl->len), 0);
	}
	wbuf_init(&keep[6]);
	ck_assert_int_eq(wbuf_put_u32(&keep[6], 0), 0);
	ck_assert_int_eq(wbuf_put_u32(&keep[6], 0), 0);
	ck_assert_int_eq(record_put_group(&keep[6], &g), 0);
	ck_assert_int_eq(add_str(w, "gstaff", keep[6].data, keep[6].len), 0);
	ck_assert_int_eq(add_str(w, "G100", keep[6].data, keep[6].len), 0);
}

START_TEST(test_fuzz_seeds)
{
	static const char *const seeds[] = { "three-users", "far-value", "empty" };
	static const uint64_t counts[] = { 11, 11, 0 };
	const char *out = getenv("HOSTCACHE_SEED_DIR");
	char *dir;
	char db[512], path[512];
	struct wbuf keep[7];
	char keys[9][32];
	unsigned char *bytes;
	size_t s, i, len;

	for (s = 0; s < 3; s++) {
		struct hostcache_writer *w;
		struct hostcache_map m;
		const unsigned char *v;
		size_t vlen;

		dir = make_dir();
		w = hostcache_begin(dir);
		ck_assert_ptr_nonnull(w);
		if (s < 2)
			seed_users(w, keep, keys, s == 0 ? 3 : 40);
		ck_assert_int_eq(hostcache_write(w), 0);
		ck_assert_int_eq(hostcache_commit(w), 0);
		if (s < 2)
			for (i = 0; i < 7; i++)
				wbuf_free(&keep[i]);
		path_in(db, sizeof(db), dir, HOSTCACHE_FILE);
		bytes = slurp(db, &len);
		if (out != NULL) {
			path_in(path, sizeof(path), out, seeds[s]);
			spew(path, bytes, len);
		}
		free(bytes);
		ck_assert_uint_le(len, 4096);   /* tests/fuzz/run.sh: -max_len=4096 */
		open_ok(dir, &m);
		ck_assert_uint_eq(verify_ok(&m), counts[s]);
		if (s < 2) {
			ck_assert_int_eq(find_str(&m, "palice", &v, &vlen), 1);
			ck_assert_int_eq(find_str(&m, "G100", &v, &vlen), 1);
			if (s == 1)   /* 40 members: past a bucket */
				ck_assert_uint_gt(vlen, 256);
		}
		hostcache_close(&m);
		remove_dir(dir);
	}
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("hostcache");
	TCase *tc;

	tc = tcase_create("file");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_key_lengths);
	tcase_add_test(tc, test_background_sync);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_add_rejects);
	tcase_add_test(tc, test_duplicate_and_unwritten);
	tcase_add_test(tc, test_reopen_keeps_no_address_space);
	tcase_add_test(tc, test_write_copies);
	tcase_add_test(tc, test_abort);
	tcase_add_test(tc, test_fuzz_seeds);
	tcase_add_test(tc, test_two_writers);
	suite_add_tcase(s, tc);

	tc = tcase_create("state directory");
	tcase_add_test(tc, test_claim_dir);
	suite_add_tcase(s, tc);

	tc = tcase_create("lookup");
	tcase_set_timeout(tc, 120);   /* waits for a recheck, forks, and sanitizers */
	tcase_add_test(tc, test_generation);
	tcase_add_test(tc, test_untrusted_files);
	tcase_add_test(tc, test_nss_refuses_root_entries);
	tcase_add_test(tc, test_generation_file_recreated);
	tcase_add_test(tc, test_fork_during_lookup);
	suite_add_tcase(s, tc);

	tc = tcase_create("damaged");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_corrupt_random);
	tcase_add_test(tc, test_corrupt_truncated);
	tcase_add_test(tc, test_corrupt_magic);
	tcase_add_test(tc, test_corrupt_flips);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
