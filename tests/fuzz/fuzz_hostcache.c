/* fuzz_hostcache.c: the host cache reader (hostcache.h) over arbitrary
 * files: open, verify, walk (touching every byte it hands out), look-ups
 * of fixed keys and of every key the walk saw, and the group records ("g",
 * "G") decoded as the NSS module decodes them, member by member. Beyond not
 * crashing: what the reader hands out lies inside the mapping, a decoded
 * group's strings lie inside its value, and a file verify accepts is one
 * whose walk finds every entry by its own key. The
 * seeds in corpus/hostcache/ are files the writer made (test_hostcache.c's
 * test_fuzz_seeds writes them again with HOSTCACHE_SEED_DIR=<dir>). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostcache.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_KEYS 1024

static char path[] = "/tmp/fuzz_hostcache.XXXXXX";
static int fd = -1;

static struct {
	const struct hostcache_map *m;
	unsigned sum;
	size_t visits, nkeys;
	unsigned char keys[MAX_KEYS][256];
	size_t keylen[MAX_KEYS];
	const unsigned char *value[MAX_KEYS];
	size_t len[MAX_KEYS];
} seen;

static void cleanup(void)
{
	if (fd >= 0)
		unlink(path);
}

/* [p, p + n) inside the mapping, or abort: ASan does not watch an mmap. */
static void inside(const struct hostcache_map *m, const unsigned char *p, size_t n)
{
	if (p < m->base || p > m->base + m->size || n > (size_t)(m->base + m->size - p)) {
		fprintf(stderr, "%zu bytes at %p: outside the mapping %p + %zu\n", n, (void *)p,
			(void *)m->base, m->size);
		abort();
	}
}

static unsigned touch(const unsigned char *p, size_t n)
{
	unsigned s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += p[i];
	return s;
}

/* A group record (after the expiry) as pack_group reads it: every string
 * it hands out inside the value. */
static void decode_group(const unsigned char *value, size_t len)
{
	struct cdb_group_ref g;
	struct strref m;
	struct rbuf r;
	uint32_t i;

	rbuf_init(&r, value, len);
	if (record_get_group(&r, &g) != 0)
		return;
	if (g.name.n > len || (const unsigned char *)g.name.s < value ||
	    (const unsigned char *)g.name.s + g.name.n > value + len)
		abort();
	seen.sum += touch((const unsigned char *)g.name.s, g.name.n) + g.gid;
	for (i = 0; i < g.nmembers; i++) {
		/* record_get_group checked every member: none may fail now */
		if (rbuf_get_strref(&g.members, &m.s, &m.n) != 0 ||
		    (const unsigned char *)m.s < value ||
		    (const unsigned char *)m.s + m.n > value + len)
			abort();
		seen.sum += touch((const unsigned char *)m.s, m.n);
	}
}

static int walk_fn(const unsigned char *key, size_t keylen, const unsigned char *value,
		   size_t len, void *arg)
{
	(void)arg;
	inside(seen.m, key, keylen);
	inside(seen.m, value, len);
	seen.sum += touch(key, keylen) + touch(value, len);
	seen.visits++;
	if (keylen > 0 && (key[0] == 'g' || key[0] == 'G') && len >= 8)
		decode_group(value + 8, len - 8);
	if (seen.nkeys < MAX_KEYS && keylen <= sizeof(seen.keys[0])) {
		memcpy(seen.keys[seen.nkeys], key, keylen);
		seen.keylen[seen.nkeys] = keylen;
		seen.value[seen.nkeys] = value;
		seen.len[seen.nkeys++] = len;
	}
	return 0;
}

static int find(const struct hostcache_map *m, const unsigned char *key, size_t keylen,
		const unsigned char **v, size_t *len)
{
	int rc = hostcache_find(m, key, keylen, v, len);

	if (rc == 1) {
		inside(m, *v, *len);
		seen.sum += touch(*v, *len);
		if (*len >= 8)
			seen.sum += (unsigned)hostcache_expiry(*v);
	} else if (rc != 0 && rc != -1) {
		abort();
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "palice", "u1000", "ialice", "g", "G100", "gstaff" };
	struct hostcache_map m;
	const unsigned char *v;
	char err[256];
	uint64_t entries = 0;
	size_t i, len;
	int verified, walked, rc;

	if (fd < 0) {
		fd = mkstemp(path);
		if (fd < 0) {
			perror("mkstemp");
			abort();
		}
		atexit(cleanup);
	}
	if ((size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size) ||
	    ftruncate(fd, (off_t)size) != 0)
		abort();
	if (hostcache_open(path, &m) != 0)
		return 0;
	verified = hostcache_verify(&m, &entries, err, sizeof(err)) == 0;
	seen.m = &m;
	seen.nkeys = seen.visits = 0;
	walked = hostcache_walk(&m, walk_fn, NULL);
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		find(&m, (const unsigned char *)fixed[i], strlen(fixed[i]), &v, &len);
	for (i = 0; i < seen.nkeys; i++) {
		rc = find(&m, seen.keys[i], seen.keylen[i], &v, &len);
		/* verify said every entry is found where it is */
		if (verified && (rc != 1 || v != seen.value[i] || len != seen.len[i])) {
			fprintf(stderr, "verified, yet entry %zu ('%.*s') finds %d\n", i,
				(int)seen.keylen[i], (const char *)seen.keys[i], rc);
			abort();
		}
	}
	if (verified && (walked != 0 || seen.visits != entries)) {
		fprintf(stderr, "verified %llu entries, the walk says %d after %zu\n",
			(unsigned long long)entries, walked, seen.visits);
		abort();
	}
	hostcache_close(&m);
	return 0;
}
