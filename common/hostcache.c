/* hostcache.c: the host cache's reader (see hostcache.h; the format is in
 * hostcache_format.h, the writer in customdbd/hostcache_write.c). It runs
 * inside every process on the host (the NSS module), so it writes nothing,
 * opens nothing it does not need, keeps one mapping per process, and makes
 * no system call on a hit. */
#include "hostcache.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint64_t hostcache_expiry(const unsigned char *value)
{
	return be64toh(hc_ld64(value));
}

/* --- one mapped file ------------------------------------------------------- */

/* Is [off, off + len) inside a file of size bytes? */
static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

#define HC_HUGE (2u * 1024 * 1024)

/* Map the file at an address aligned to 2 MiB, and ask for huge pages:
 * where the page cache holds the file in 2 MiB folios (ext4 and tmpfs on
 * recent kernels), one TLB entry then covers 2 MiB of the cache instead of
 * 4 KiB, and a look-up in a large cache costs one memory access instead of
 * a page walk and an access. Elsewhere this is a plain mapping. */
static void *map_aligned(int fd, size_t size)
{
	unsigned char *area, *at;
	size_t span = size + HC_HUGE;
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	if (size < HC_HUGE || page <= 0)
		return mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	area = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	at = (unsigned char *)(((uintptr_t)area + HC_HUGE - 1) & ~(uintptr_t)(HC_HUGE - 1));
	p = mmap(at, size, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		munmap(area, span);
		return MAP_FAILED;
	}
	madvise(p, size, MADV_HUGEPAGE);
	/* what is left of the reservation around the file's pages */
	size = (size + (size_t)page - 1) & ~((size_t)page - 1);
	if (at > area)
		munmap(area, (size_t)(at - area));
	if (area + span > at + size)
		munmap(at + size, (size_t)(area + span - (at + size)));
	return p;
}

/* Map the host cache open at fd (st: its fstat) into m and check its
 * header. 0, or -1 with errno. fd stays open. */
static int map_fd(int fd, const struct stat *st, struct hostcache_map *m)
{
	struct hc_header h;
	void *p;
	int k;

	memset(m, 0, sizeof(*m));
	if (!S_ISREG(st->st_mode) || (uint64_t)st->st_size < HC_TABLES_START) {
		errno = EINVAL;
		return -1;
	}
	p = map_aligned(fd, (size_t)st->st_size);
	if (p == MAP_FAILED)
		return -1;
	memcpy(&h, p, sizeof(h));
	if (memcmp(h.magic, HC_MAGIC, 8) != 0 || h.version != HC_VERSION ||
	    h.header_size != sizeof(h) || h.file_size != (uint64_t)st->st_size ||
	    !in_file(h.far_offset, h.far_size, h.file_size))
		goto bad;
	for (k = 0; k < HC_KINDS; k++) {
		if (h.table[k].offset % HC_BUCKET != 0 || h.table[k].nbuckets > UINT32_MAX ||
		    h.table[k].nspan < h.table[k].nbuckets ||
		    h.table[k].nspan > h.file_size / HC_BUCKET ||
		    !in_file(h.table[k].offset, h.table[k].nspan * HC_BUCKET, h.file_size))
			goto bad;
		m->table[k].buckets = (const unsigned char *)p + h.table[k].offset;
		m->table[k].nbuckets = h.table[k].nbuckets;
		m->table[k].nspan = h.table[k].nspan;
	}
	m->base = p;
	m->size = (size_t)st->st_size;
	m->entries = h.entries;
	m->far = (const unsigned char *)p + h.far_offset;
	m->far_size = h.far_size;
	return 0;
bad:
	munmap(p, (size_t)st->st_size);
	memset(m, 0, sizeof(*m));
	errno = EINVAL;
	return -1;
}

int hostcache_open(const char *path, struct hostcache_map *m)
{
	struct stat st;
	int fd, rc = -1, e;

	memset(m, 0, sizeof(*m));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0)
		rc = map_fd(fd, &st, m);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

void hostcache_close(struct hostcache_map *m)
{
	if (m->base != NULL)
		munmap((void *)m->base, m->size);
	memset(m, 0, sizeof(*m));
}

/* The value of the entry at e (its head and key already checked to lie in
 * the bucket). 0, or -1 when it points out of bounds. */
static int entry_value(const struct hostcache_map *m, const unsigned char *e,
		       const unsigned char **value, size_t *len)
{
	const unsigned char *v = e + HC_ENTRY_HEAD + e[0];
	uint64_t off, n;

	if (!(e[1] & HC_FAR)) {
		*value = v;
		*len = hc_ld16(e + 2);
		return 0;
	}
	if (hc_ld16(e + 2) != HC_FAR_VALUE)
		return -1;
	off = hc_ld64(v);
	n = hc_ld64(v + 8);
	if (!in_file(off, n, m->far_size))
		return -1;
	*value = m->far + off;
	*len = (size_t)n;
	return 0;
}

/* hostcache_find with the kind letter apart from the rest of the key. */
static int find(const struct hostcache_map *m, unsigned char kind, const unsigned char *key,
		size_t keylen, const unsigned char **value, size_t *len)
{
	const unsigned char *tb, *b, *p, *bucket, *end;
	unsigned count, used, off, tag;
	uint64_t h;
	uint32_t first;
	int k;

	if (keylen + 1 > HOSTCACHE_KEY_MAX || (k = hc_kind_index(kind)) < 0 ||
	    m->table[k].nbuckets == 0)
		return 0;
	tb = m->table[k].buckets;
	h = hc_hash(kind, key, keylen);
	b = tb + hc_home_of(h, m->table[k].nbuckets) * HC_BUCKET;
	/* the bucket's four lines and the next bucket's, all at once rather
	 * than one after the other: about a third of the entries of a home
	 * start in the next bucket. At 1,000,000 users they buy about a fifth
	 * of the module's own cost (2026-12-07, best of 11 turns against a
	 * build without them: getpwnam_r 329 against 415 ns beyond the
	 * do-nothing module, initgroups_dyn 247 against 311); nothing at 1,000
	 * users, whose file stays in the CPU's cache. Measure with
	 * bench/hostcache.sh 1000000, "the modules alone". */
	__builtin_prefetch(b + 64);
	__builtin_prefetch(b + 128);
	__builtin_prefetch(b + 192);
	__builtin_prefetch(b + 256);
	__builtin_prefetch(b + 320);
	__builtin_prefetch(b + 384);
	__builtin_prefetch(b + 448);
	first = hc_ld32(b);
	count = hc_ld16(b + 4);
	if (first == 0)
		return 0;
	end = tb + m->table[k].nspan * HC_BUCKET;
	if (first > (uint64_t)(end - b))
		return -1;
	tag = hc_tag_of(h);
	p = b + first;
	while (count-- > 0) {
		off = (unsigned)((size_t)(p - tb) % HC_BUCKET);
		bucket = p - off;
		if (bucket >= end)
			return -1;
		used = hc_ld16(bucket + 6);
		if (off < HC_BUCKET_HEAD || HC_BUCKET_HEAD + used > HC_BUCKET ||
		    off + HC_ENTRY_HEAD > HC_BUCKET_HEAD + used ||
		    off + HC_ENTRY_HEAD + p[0] + hc_ld16(p + 2) > HC_BUCKET_HEAD + used)
			return -1;
		if ((p[1] & HC_TAG_MASK) == tag && p[0] == keylen + 1 &&
		    p[HC_ENTRY_HEAD] == kind && memcmp(p + HC_ENTRY_HEAD + 1, key, keylen) == 0)
			return entry_value(m, p, value, len) == 0 ? 1 : -1;
		off += HC_ENTRY_HEAD + p[0] + hc_ld16(p + 2);
		/* the next entry of this home: here, or at the next bucket's start */
		p = off == HC_BUCKET_HEAD + used ? bucket + HC_BUCKET + HC_BUCKET_HEAD : bucket + off;
	}
	return 0;
}

int hostcache_find(const struct hostcache_map *m, const unsigned char *key, size_t keylen,
		   const unsigned char **value, size_t *len)
{
	if (keylen == 0)
		return 0;
	return find(m, key[0], key + 1, keylen - 1, value, len);
}

int hostcache_walk(const struct hostcache_map *m, hostcache_walk_fn fn, void *arg)
{
	const unsigned char *b, *e, *value;
	unsigned used, off;
	uint64_t i;
	size_t len;
	int k, rc;

	for (k = 0; k < HC_KINDS; k++) {
		for (i = 0; i < m->table[k].nspan; i++) {
			b = m->table[k].buckets + i * HC_BUCKET;
			used = hc_ld16(b + 6);
			if (HC_BUCKET_HEAD + used > HC_BUCKET)
				return -1;
			for (off = HC_BUCKET_HEAD; off < HC_BUCKET_HEAD + used;) {
				e = b + off;
				if (off + HC_ENTRY_HEAD > HC_BUCKET_HEAD + used ||
				    off + HC_ENTRY_HEAD + e[0] + hc_ld16(e + 2) > HC_BUCKET_HEAD + used ||
				    e[0] == 0 || e[HC_ENTRY_HEAD] != (unsigned char)HC_KIND_LETTERS[k] ||
				    (e[1] & HC_TAG_MASK) !=
					    hc_tag_of(hc_hash(e[HC_ENTRY_HEAD], e + HC_ENTRY_HEAD + 1,
							   e[0] - 1u)) ||
				    entry_value(m, e, &value, &len) != 0)
					return -1;
				rc = fn(e + HC_ENTRY_HEAD, e[0], value, len, arg);
				if (rc != 0)
					return rc;
				off += HC_ENTRY_HEAD + e[0] + hc_ld16(e + 2);
			}
		}
	}
	return 0;
}

struct verify_state {
	const struct hostcache_map *m;
	uint64_t n;
	char *err;
	size_t errlen;
};

static int verify_entry(const unsigned char *key, size_t keylen, const unsigned char *value,
			size_t len, void *arg)
{
	struct verify_state *vs = arg;
	const unsigned char *found;
	size_t flen;

	if (len < 8) {
		snprintf(vs->err, vs->errlen, "entry %llu: a value of %zu bytes, without its expiry",
			 (unsigned long long)vs->n, len);
		return 1;
	}
	if (hostcache_find(vs->m, key, keylen, &found, &flen) != 1 || found != value) {
		snprintf(vs->err, vs->errlen, "entry %llu ('%c' %.*s): not found where it is",
			 (unsigned long long)vs->n, key[0], (int)keylen - 1, (const char *)key + 1);
		return 1;
	}
	vs->n++;
	return 0;
}

int hostcache_verify(const struct hostcache_map *m, uint64_t *entries, char *err, size_t errlen)
{
	struct verify_state vs = { m, 0, err, errlen };
	int rc;

	if (m->base == NULL) {
		snprintf(err, errlen, "no file");
		return -1;
	}
	rc = hostcache_walk(m, verify_entry, &vs);
	if (rc < 0)
		snprintf(err, errlen, "malformed bucket or entry after %llu good entries",
			 (unsigned long long)vs.n);
	if (rc != 0)
		return -1;
	if (vs.n != m->entries) {
		snprintf(err, errlen, "%llu entries, the header says %llu",
			 (unsigned long long)vs.n, (unsigned long long)m->entries);
		return -1;
	}
	*entries = vs.n;
	return 0;
}

/* --- reading in every process ---------------------------------------------- */

static pthread_rwlock_t hc_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_once_t hc_atfork_once = PTHREAD_ONCE_INIT;
static struct {
	const char *dir_seen;            /* the caller's pointer for dir, to skip strcmp */
	char dir[PATH_MAX];
	struct hostcache_map map;        /* base NULL: none */
	const volatile uint64_t *gen;    /* the generation file, mapped (or NULL) */
	dev_t gen_dev;                   /* ... and which file that is */
	ino_t gen_ino;
	uint64_t gen_loaded;             /* the generation map was opened at */
	time_t check_at;                 /* look at dir again from then on */
} hc;

/* Longest state directory: room is left for the file names. */
#define HC_DIR_MAX (PATH_MAX - 32)

/* A fork while another thread holds hc_lock would leave the child a lock
 * that no thread of its own can release: the first reopen there would wait
 * for ever. So fork waits for the look-ups under way (prepare), and the
 * child, whose only thread is the one that took the lock, starts with a
 * fresh one: glibc tells a write lock's owner by thread id, which the
 * child's thread does not share with the parent's. */
static void hc_fork_prepare(void)
{
	pthread_rwlock_wrlock(&hc_lock);
}

static void hc_fork_parent(void)
{
	pthread_rwlock_unlock(&hc_lock);
}

static void hc_fork_child(void)
{
	static const pthread_rwlock_t fresh = PTHREAD_RWLOCK_INITIALIZER;

	memcpy(&hc_lock, &fresh, sizeof(fresh));
}

static void hc_atfork_register(void)
{
	pthread_atfork(hc_fork_prepare, hc_fork_parent, hc_fork_child);
}

/* May this process believe a file (or directory) that st describes? Only
 * if no other user could have written it: owned by root or by this
 * process's effective user (who can fool only themselves), and writable
 * by neither group nor others. */
static bool hc_trusted(const struct stat *st)
{
	return (st->st_uid == 0 || st->st_uid == geteuid()) &&
	       (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* Open name under the directory dfd read-only, if it is a trusted regular
 * file of at least min bytes; its stat in *st. fd, or -1. */
static int open_trusted(int dfd, const char *name, off_t min, struct stat *st)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || !hc_trusted(st) || st->st_size < min) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Drop the mapping and the generation (write lock held). */
static void hc_forget(void)
{
	hostcache_close(&hc.map);
	if (hc.gen != NULL)
		munmap((void *)hc.gen, sizeof(uint64_t));
	hc.gen = NULL;
}

/* Look at dir again and (re)open its cache when the generation moved, the
 * generation file is another one, or none was open (write lock held).
 * Anything untrusted or missing leaves no cache open, until the next look
 * at check_at. Cold: apart from the code a hit runs. */
static __attribute__((cold, noinline)) void hc_reopen(const char *dir, time_t now)
{
	struct stat st;
	void *g;
	int dfd, fd;

	if (strcmp(hc.dir, dir) != 0) {
		hc_forget();
		snprintf(hc.dir, sizeof(hc.dir), "%s", dir);
	}
	hc.dir_seen = dir;
	hc.check_at = now + HC_RECHECK_S;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		goto none;
	if (fstat(dfd, &st) != 0 || !hc_trusted(&st))
		goto none;
	fd = open_trusted(dfd, HOSTCACHE_GEN_FILE, (off_t)sizeof(uint64_t), &st);
	if (fd < 0)
		goto none;
	/* removed and created anew (a new inode): the old one never moves */
	if (hc.gen == NULL || st.st_dev != hc.gen_dev || st.st_ino != hc.gen_ino) {
		g = mmap(NULL, sizeof(uint64_t), PROT_READ, MAP_SHARED, fd, 0);
		if (g == MAP_FAILED) {
			close(fd);
			goto none;
		}
		hc_forget();
		hc.gen = g;
		hc.gen_dev = st.st_dev;
		hc.gen_ino = st.st_ino;
	}
	close(fd);
	if (hc.map.base != NULL && *hc.gen == hc.gen_loaded)
		goto out;   /* still the current file */
	hostcache_close(&hc.map);
	/* read the generation first: a rename racing us is caught next time */
	hc.gen_loaded = *hc.gen;
	fd = open_trusted(dfd, HOSTCACHE_FILE, 0, &st);
	if (fd >= 0) {
		(void)map_fd(fd, &st, &hc.map);
		close(fd);
	}
out:
	close(dfd);
	return;
none:
	hc_forget();
	if (dfd >= 0)
		close(dfd);
}

/* Is the open mapping the current one for dir? (read lock held) */
static bool hc_current(const char *dir, time_t now)
{
	return hc.map.base != NULL && *hc.gen == hc.gen_loaded && now < hc.check_at &&
	       (dir == hc.dir_seen || strcmp(hc.dir, dir) == 0);
}

/* Is it time to (re)open the cache under dir? (write lock held, hc_current
 * false) A host without a cache must not pay an open() per look-up: when
 * none is open, the directory is looked at again only at check_at, or as
 * soon as the generation moves. */
static bool hc_due(const char *dir, time_t now)
{
	return strcmp(hc.dir, dir) != 0 || now >= hc.check_at ||
	       (hc.gen != NULL && *hc.gen != hc.gen_loaded);
}

int hostcache_lookup(const char *state_dir, char kind, const char *key, size_t keylen,
		     hostcache_use_fn use, void *arg, int *use_rc)
{
	const unsigned char *v;
	struct rbuf value;
	uint64_t expires;
	time_t now;
	size_t vlen;
	int rc = HC_MISS;

	if (state_dir == NULL)
		return HC_MISS;
	now = time(NULL);
	pthread_rwlock_rdlock(&hc_lock);
	if (__builtin_expect(!hc_current(state_dir, now), 0)) {
		pthread_rwlock_unlock(&hc_lock);
		if (strlen(state_dir) > HC_DIR_MAX)
			return HC_MISS;
		pthread_once(&hc_atfork_once, hc_atfork_register);
		pthread_rwlock_wrlock(&hc_lock);
		if (!hc_current(state_dir, now) && hc_due(state_dir, now))
			hc_reopen(state_dir, now);
		pthread_rwlock_unlock(&hc_lock);
		pthread_rwlock_rdlock(&hc_lock);
		if (hc.map.base == NULL || strcmp(hc.dir, state_dir) != 0)
			goto out;
	}
	if (find(&hc.map, (unsigned char)kind, (const unsigned char *)key, keylen, &v, &vlen) != 1 ||
	    vlen < 8)
		goto out;
	expires = hostcache_expiry(v);
	rbuf_init(&value, v + 8, vlen - 8);
	rc = (expires == 0 || (uint64_t)now < expires) ? HC_HIT : HC_STALE;
	*use_rc = use(&value, arg);
out:
	pthread_rwlock_unlock(&hc_lock);
	return rc;
}
