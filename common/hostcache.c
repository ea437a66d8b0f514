/* hostcache.c: see hostcache.h. Reading runs inside every process on the
 * host (the NSS module), so it opens nothing it does not need, keeps one
 * mapping per process, and never makes a system call on a hit. */
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

#define HC_MAGIC "CDBHOST\1"
#define HC_VERSION 1u
#define HC_BUCKET 256u                  /* bytes; a multiple of the cache line */
#define HC_BUCKET_HEAD 8u               /* u32 first, u16 count, u16 used */
#define HC_PAYLOAD (HC_BUCKET - HC_BUCKET_HEAD)
#define HC_ENTRY_HEAD 4u                /* u8 key length, u8 flags, u16 value length */
#define HC_FAR 1u                       /* in flags; the other 7 bits: the tag */
#define HC_TAG_MASK 0xfeu
#define HC_FAR_VALUE 16u                /* u64 offset, u64 length */
#define HC_FILL 0.70                    /* of the payload, on average */
#define HC_AHEAD 16                     /* entries prefetched ahead when laying out */

/* The header as it is in the file. */
struct hc_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	uint64_t file_size;
	uint64_t entries;
	uint64_t far_offset, far_size;
	struct {
		uint64_t offset, nbuckets, nspan;
	} table[HC_KINDS];
};

/* Where table 0 starts: the header, rounded up to a bucket. */
#define HC_TABLES_START ((sizeof(struct hc_header) + HC_BUCKET - 1) / HC_BUCKET * HC_BUCKET)

static const char hc_kinds[HC_KINDS] = { 'p', 'u', 'g', 'G', 'i' };

static int kind_index(unsigned char kind)
{
	switch (kind) {
	case 'p': return 0;
	case 'u': return 1;
	case 'g': return 2;
	case 'G': return 3;
	case 'i': return 4;
	}
	return -1;
}

static uint16_t ld16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t ld32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t ld64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* One round: the word in, multiplied through. */
static uint64_t hc_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

/* The hash of the kind letter and the key: eight bytes a round (keys are
 * names and ids, rarely over 16 bytes), the last word read so that it ends
 * with the key, then MurmurHash3's final mix, so that the high bits, which
 * pick the bucket, depend on every byte. Native byte order: the file never
 * leaves the host. */
static uint64_t hc_hash(unsigned char kind, const unsigned char *k, size_t n)
{
	uint64_t h = 0x6a09e667f3bcc909ULL ^ ((uint64_t)kind << 56) ^ n, w;
	size_t i;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8)
			h = hc_mix(h, ld64(k + i));
		h = hc_mix(h, ld64(k + n - 8));
	} else if (n >= 4) {
		w = ld32(k) | (uint64_t)ld32(k + n - 4) << 32;
		h = hc_mix(h, w);
	} else if (n > 0) {
		w = k[0] | (uint64_t)k[n / 2] << 8 | (uint64_t)k[n - 1] << 16;
		h = hc_mix(h, w);
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* The 7 bits of an entry's flags that rule most other keys out before
 * their bytes are compared (the bucket comes from the high bits). */
static unsigned char tag_of(uint64_t hash)
{
	return (unsigned char)(hash << 1) & HC_TAG_MASK;
}

/* memcmp(a, b, n) == 0 without a call for keys of up to 16 bytes (names,
 * ids): two overlapping words each. */
static bool key_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
	uint64_t a0, a1, b0, b1;
	uint32_t c0, c1, d0, d1;

	if (n >= 8 && n <= 16) {
		memcpy(&a0, a, 8);
		memcpy(&a1, a + n - 8, 8);
		memcpy(&b0, b, 8);
		memcpy(&b1, b + n - 8, 8);
		return ((a0 ^ b0) | (a1 ^ b1)) == 0;
	}
	if (n >= 4 && n < 8) {
		memcpy(&c0, a, 4);
		memcpy(&c1, a + n - 4, 4);
		memcpy(&d0, b, 4);
		memcpy(&d1, b + n - 4, 4);
		return ((c0 ^ d0) | (c1 ^ d1)) == 0;
	}
	if (n < 4)
		return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
	return memcmp(a, b, n) == 0;
}

static uint64_t home_of(uint64_t hash, uint64_t nbuckets)
{
	return ((hash >> 32) * nbuckets) >> 32;
}

uint64_t hostcache_expiry(const unsigned char *value)
{
	return be64toh(ld64(value));
}

void hostcache_encode_expiry(uint64_t expires, unsigned char out[8])
{
	int i;

	for (i = 0; i < 8; i++)
		out[i] = (unsigned char)(expires >> (56 - 8 * i));
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

int hostcache_open(const char *path, struct hostcache_map *m)
{
	struct hc_header h;
	struct stat st;
	void *p;
	int fd, k;

	memset(m, 0, sizeof(*m));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < HC_TABLES_START) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	p = map_aligned(fd, (size_t)st.st_size);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	memcpy(&h, p, sizeof(h));
	if (memcmp(h.magic, HC_MAGIC, 8) != 0 || h.version != HC_VERSION ||
	    h.header_size != sizeof(h) || h.file_size != (uint64_t)st.st_size ||
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
	m->size = (size_t)st.st_size;
	m->entries = h.entries;
	m->far = (const unsigned char *)p + h.far_offset;
	m->far_size = h.far_size;
	return 0;
bad:
	munmap(p, (size_t)st.st_size);
	memset(m, 0, sizeof(*m));
	errno = EINVAL;
	return -1;
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
		*len = ld16(e + 2);
		return 0;
	}
	if (ld16(e + 2) != HC_FAR_VALUE)
		return -1;
	off = ld64(v);
	n = ld64(v + 8);
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

	if (keylen + 1 > HOSTCACHE_KEY_MAX || (k = kind_index(kind)) < 0 ||
	    m->table[k].nbuckets == 0)
		return 0;
	tb = m->table[k].buckets;
	h = hc_hash(kind, key, keylen);
	b = tb + home_of(h, m->table[k].nbuckets) * HC_BUCKET;
	/* the bucket's four lines and the next bucket's, all at once rather
	 * than one after the other: about a third of the entries of a home
	 * start in the next bucket (measured at 1,000,000 users: 40 ns less
	 * per look-up than with the four lines alone) */
	__builtin_prefetch(b + 64);
	__builtin_prefetch(b + 128);
	__builtin_prefetch(b + 192);
	__builtin_prefetch(b + 256);
	__builtin_prefetch(b + 320);
	__builtin_prefetch(b + 384);
	__builtin_prefetch(b + 448);
	first = ld32(b);
	count = ld16(b + 4);
	if (first == 0)
		return 0;
	end = tb + m->table[k].nspan * HC_BUCKET;
	if (first > (uint64_t)(end - b))
		return -1;
	tag = tag_of(h);
	p = b + first;
	while (count-- > 0) {
		off = (unsigned)((size_t)(p - tb) % HC_BUCKET);
		bucket = p - off;
		if (bucket >= end)
			return -1;
		used = ld16(bucket + 6);
		if (off < HC_BUCKET_HEAD || HC_BUCKET_HEAD + used > HC_BUCKET ||
		    off + HC_ENTRY_HEAD > HC_BUCKET_HEAD + used ||
		    off + HC_ENTRY_HEAD + p[0] + ld16(p + 2) > HC_BUCKET_HEAD + used)
			return -1;
		if ((p[1] & HC_TAG_MASK) == tag && p[0] == keylen + 1 &&
		    p[HC_ENTRY_HEAD] == kind && key_equal(p + HC_ENTRY_HEAD + 1, key, keylen))
			return entry_value(m, p, value, len) == 0 ? 1 : -1;
		off += HC_ENTRY_HEAD + p[0] + ld16(p + 2);
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
			used = ld16(b + 6);
			if (HC_BUCKET_HEAD + used > HC_BUCKET)
				return -1;
			for (off = HC_BUCKET_HEAD; off < HC_BUCKET_HEAD + used;) {
				e = b + off;
				if (off + HC_ENTRY_HEAD > HC_BUCKET_HEAD + used ||
				    off + HC_ENTRY_HEAD + e[0] + ld16(e + 2) > HC_BUCKET_HEAD + used ||
				    e[0] == 0 || e[HC_ENTRY_HEAD] != (unsigned char)hc_kinds[k] ||
				    (e[1] & HC_TAG_MASK) !=
					    tag_of(hc_hash(e[HC_ENTRY_HEAD], e + HC_ENTRY_HEAD + 1,
							   e[0] - 1u)) ||
				    entry_value(m, e, &value, &len) != 0)
					return -1;
				rc = fn(e + HC_ENTRY_HEAD, e[0], value, len, arg);
				if (rc != 0)
					return rc;
				off += HC_ENTRY_HEAD + e[0] + ld16(e + 2);
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

/* How long a process waits before looking again for a cache that was not
 * there: a host without one must not pay an open() per look-up. */
#define HC_ABSENT_RETRY_S 2

static pthread_rwlock_t hc_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct {
	const char *dir_seen;            /* the caller's pointer for dir, to skip strcmp */
	char dir[PATH_MAX];
	struct hostcache_map map;        /* base NULL: none */
	const volatile uint64_t *gen;    /* the generation file, mapped */
	uint64_t gen_loaded;             /* the generation map was opened at */
	time_t absent_until;             /* no cache: do not look before then */
} hc;

/* Longest state directory: room is left for the file names. */
#define HC_DIR_MAX (PATH_MAX - 32)

/* (Re)open the cache under dir (write lock held). Cold: apart from the
 * code a hit runs. */
static __attribute__((cold, noinline)) void hc_reopen(const char *dir)
{
	char path[PATH_MAX + 32];
	struct stat st;
	void *m;
	int fd;

	if (strcmp(hc.dir, dir) != 0) {
		hostcache_close(&hc.map);
		if (hc.gen != NULL)
			munmap((void *)hc.gen, sizeof(uint64_t));
		hc.gen = NULL;
		snprintf(hc.dir, sizeof(hc.dir), "%s", dir);
		hc.absent_until = 0;
	}
	hc.dir_seen = dir;
	if (hc.gen == NULL) {
		snprintf(path, sizeof(path), "%s/" HOSTCACHE_GEN_FILE, dir);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			goto absent;
		if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(uint64_t)) {
			close(fd);
			goto absent;
		}
		m = mmap(NULL, sizeof(uint64_t), PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (m == MAP_FAILED)
			goto absent;
		hc.gen = m;
	}
	hostcache_close(&hc.map);
	/* read the generation first: a rename racing us is caught next time */
	hc.gen_loaded = *hc.gen;
	snprintf(path, sizeof(path), "%s/" HOSTCACHE_FILE, dir);
	if (hostcache_open(path, &hc.map) != 0)
		goto absent;
	hc.absent_until = 0;
	return;
absent:
	hc.absent_until = time(NULL) + HC_ABSENT_RETRY_S;
}

/* Is the open mapping the current one for dir? (read lock held) */
static bool hc_current(const char *dir)
{
	return hc.map.base != NULL && hc.gen != NULL && *hc.gen == hc.gen_loaded &&
	       (dir == hc.dir_seen || strcmp(hc.dir, dir) == 0);
}

int hostcache_lookup(const char *state_dir, char kind, const char *key, size_t keylen,
		     hostcache_use_fn use, void *arg, int *use_rc)
{
	const unsigned char *v;
	struct rbuf value;
	uint64_t expires;
	size_t vlen;
	int rc = HC_MISS;

	if (state_dir == NULL)
		return HC_MISS;
	pthread_rwlock_rdlock(&hc_lock);
	if (__builtin_expect(!hc_current(state_dir), 0)) {
		pthread_rwlock_unlock(&hc_lock);
		if (strlen(state_dir) > HC_DIR_MAX)
			return HC_MISS;
		pthread_rwlock_wrlock(&hc_lock);
		if (!hc_current(state_dir) &&
		    (hc.absent_until == 0 || time(NULL) >= hc.absent_until || strcmp(hc.dir, state_dir) != 0))
			hc_reopen(state_dir);
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
	rc = (expires == 0 || (uint64_t)time(NULL) < expires) ? HC_HIT : HC_STALE;
	*use_rc = use(&value, arg);
out:
	pthread_rwlock_unlock(&hc_lock);
	return rc;
}

/* --- writing --------------------------------------------------------------- */

struct hc_ref {
	const unsigned char *key, *value;
	uint64_t hash;
	uint32_t keylen, vlen;
};

struct hostcache_writer {
	char dir[HC_DIR_MAX + 1];
	char tmp[PATH_MAX + 32];
	int fd;
	struct hc_ref *refs[HC_KINDS];
	size_t n[HC_KINDS], cap[HC_KINDS];
	const struct hc_ref **far;       /* far values, in the order laid out */
	size_t nfar;
	bool written;                    /* hostcache_write succeeded */
	unsigned char *t;                /* the window of the table being laid */
	size_t tcap;                     /* out: room for this many buckets */
	/* the background sync (hc_sync_kick): all but the last few megabytes
	 * are on disk by the time commit's fsync runs */
	uint64_t flushed, kicked;        /* bytes written; written at the last kick */
	pthread_t syncer;
	bool syncing;                    /* syncer started (and not joined) */
	pthread_mutex_t sync_lock;
	pthread_cond_t sync_wake;
	unsigned sync_asked, sync_done;  /* kicks, and kicks the syncer took */
	bool sync_stop;
	int sync_err;                    /* the first fdatasync failure's errno */
};

struct hostcache_writer *hostcache_begin(const char *state_dir)
{
	struct hostcache_writer *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	if (strlen(state_dir) > HC_DIR_MAX) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	if (mkdir(state_dir, 0755) != 0 && errno != EEXIST)
		goto fail;
	snprintf(w->dir, sizeof(w->dir), "%s", state_dir);
	snprintf(w->tmp, sizeof(w->tmp), "%s/" HOSTCACHE_FILE ".tmp", state_dir);
	w->fd = open(w->tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (w->fd < 0)
		goto fail;
	if (fchmod(w->fd, 0644) != 0) {
		close(w->fd);
		unlink(w->tmp);
		goto fail;
	}
	return w;
fail:
	free(w);
	return NULL;
}

int hostcache_add(struct hostcache_writer *w, const void *key, size_t keylen,
		  const void *value, size_t valuelen)
{
	const unsigned char *kb = key;
	struct hc_ref *r;
	int k;

	if (keylen < 2 || keylen > HOSTCACHE_KEY_MAX || valuelen < 8 ||
	    valuelen > HOSTCACHE_VALUE_MAX || (k = kind_index(kb[0])) < 0 ||
	    memchr(kb, '\0', keylen) != NULL) {
		errno = EINVAL;
		return -1;
	}
	if (w->n[k] == w->cap[k]) {
		size_t cap = w->cap[k] ? w->cap[k] * 2 : 1024;

		r = realloc(w->refs[k], cap * sizeof(*r));
		if (r == NULL)
			return -1;
		w->refs[k] = r;
		w->cap[k] = cap;
	}
	r = &w->refs[k][w->n[k]++];
	r->key = kb;
	r->value = value;
	r->keylen = (uint32_t)keylen;
	r->vlen = (uint32_t)valuelen;
	r->hash = hc_hash(kb[0], kb + 1, keylen - 1);
	return 0;
}

/* Write all of buf at off. 0 or -1. */
static int put(int fd, uint64_t off, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	ssize_t r;

	while (len > 0) {
		r = pwrite(fd, p, len, (off_t)off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		off += (uint64_t)r;
		len -= (size_t)r;
	}
	return 0;
}

static bool is_far(const struct hc_ref *r)
{
	return HC_ENTRY_HEAD + r->keylen + r->vlen > HC_PAYLOAD;
}

static size_t entry_size(const struct hc_ref *r)
{
	return HC_ENTRY_HEAD + r->keylen + (is_far(r) ? HC_FAR_VALUE : r->vlen);
}

/* A large file's bytes reach the disk while the rest is laid out: every
 * HC_SYNC_STEP bytes written, a thread of the writer's own runs
 * fdatasync. On a virtual machine the device's cache flush at fsync is
 * what costs (the host writes all it holds for the file): one fsync at the
 * end of the 279 MB file of 1,000,000 users waited 0.45 s; after the steps,
 * 0.02 s. A small file never starts the thread. */
#define HC_SYNC_STEP (32u << 20)

static void *hc_syncer(void *arg)
{
	struct hostcache_writer *w = arg;
	unsigned asked;

	pthread_mutex_lock(&w->sync_lock);
	for (;;) {
		while (w->sync_done == w->sync_asked && !w->sync_stop)
			pthread_cond_wait(&w->sync_wake, &w->sync_lock);
		if (w->sync_done == w->sync_asked)
			break;
		asked = w->sync_asked;
		pthread_mutex_unlock(&w->sync_lock);
		/* an error is the file's: Linux reports it to one caller
		 * only, so it is kept here for commit to return */
		if (fdatasync(w->fd) != 0 && w->sync_err == 0)
			w->sync_err = errno;
		pthread_mutex_lock(&w->sync_lock);
		w->sync_done = asked;
	}
	pthread_mutex_unlock(&w->sync_lock);
	return NULL;
}

/* Count len more bytes written; ask for a sync every HC_SYNC_STEP. */
static void hc_sync_kick(struct hostcache_writer *w, size_t len)
{
	w->flushed += len;
	if (w->flushed - w->kicked < HC_SYNC_STEP)
		return;
	w->kicked = w->flushed;
	if (!w->syncing) {
		if (pthread_mutex_init(&w->sync_lock, NULL) != 0)
			return;
		if (pthread_cond_init(&w->sync_wake, NULL) != 0) {
			pthread_mutex_destroy(&w->sync_lock);
			return;
		}
		/* without the thread, commit's fsync does it all */
		if (pthread_create(&w->syncer, NULL, hc_syncer, w) != 0) {
			pthread_cond_destroy(&w->sync_wake);
			pthread_mutex_destroy(&w->sync_lock);
			return;
		}
		w->syncing = true;
	}
	pthread_mutex_lock(&w->sync_lock);
	w->sync_asked++;
	pthread_cond_signal(&w->sync_wake);
	pthread_mutex_unlock(&w->sync_lock);
}

/* Let the syncer finish what it was asked and join it. 0, or -1 with the
 * errno of a failed fdatasync. */
static int hc_sync_finish(struct hostcache_writer *w)
{
	if (w->syncing) {
		pthread_mutex_lock(&w->sync_lock);
		w->sync_stop = true;
		pthread_cond_signal(&w->sync_wake);
		pthread_mutex_unlock(&w->sync_lock);
		pthread_join(w->syncer, NULL);
		pthread_cond_destroy(&w->sync_wake);
		pthread_mutex_destroy(&w->sync_lock);
		w->syncing = false;
	}
	if (w->sync_err != 0) {
		errno = w->sync_err;
		return -1;
	}
	return 0;
}

/* The table is laid out through a window of HC_WINDOW buckets or more:
 * the homes come in order, so every bucket before the current home is
 * final and goes to the file, and the window's bytes stay in the CPU's
 * caches for the copy into the page cache. (A table of a million users,
 * built whole in memory first, would be a hundred megabytes to fault in,
 * zero, and copy again from DRAM.) */
#define HC_WINDOW 2048

/* Room in the window for buckets base .. last (zeroed where unused). 0 or
 * -1. */
static int window_room(struct hostcache_writer *w, uint64_t base, uint64_t last)
{
	size_t need = (size_t)(last - base + 1), cap;
	unsigned char *t;

	if (need <= w->tcap)
		return 0;
	cap = w->tcap ? w->tcap : HC_WINDOW;
	while (cap < need)
		cap *= 2;
	t = realloc(w->t, cap * HC_BUCKET);
	if (t == NULL)
		return -1;
	memset(t + w->tcap * HC_BUCKET, 0, (cap - w->tcap) * HC_BUCKET);
	w->t = t;
	w->tcap = cap;
	return 0;
}

/* Write the window's buckets base .. upto - 1 (upto <= last + 1) to the
 * table at off, keep base' = upto .. last at the window's start, zero the
 * rest. 0 or -1. */
static int window_flush(struct hostcache_writer *w, uint64_t off, uint64_t *base,
			uint64_t upto, uint64_t last)
{
	size_t done = (size_t)(upto - *base), keep = (size_t)(last + 1 - upto);

	if (put(w->fd, off + *base * HC_BUCKET, w->t, done * HC_BUCKET) != 0)
		return -1;
	hc_sync_kick(w, done * HC_BUCKET);
	memmove(w->t, w->t + done * HC_BUCKET, keep * HC_BUCKET);
	memset(w->t + keep * HC_BUCKET, 0, done * HC_BUCKET);
	*base = upto;
	return 0;
}

/* Sort table k's references by home bucket, in place as far as the caller
 * sees: a radix sort, HC_RADIX_BITS of the home a pass, since a scatter
 * into 2^HC_RADIX_BITS runs stays in the CPU's caches where one into the
 * homes themselves (hundreds of thousands) misses on every reference. 0,
 * or -1 with errno. */
#define HC_RADIX_BITS 10
static int sort_by_home(struct hostcache_writer *w, int k, uint64_t nb)
{
	size_t n = w->n[k], i, count[(1u << HC_RADIX_BITS) + 1], d;
	struct hc_ref *from = w->refs[k], *to, *swap;
	unsigned bits = 0, shift;
	uint64_t home;

	while (bits < 64 && (1ULL << bits) < nb)
		bits++;
	if (bits == 0 || n < 2)
		return 0;
	to = malloc(n * sizeof(*to));
	if (to == NULL)
		return -1;
	for (shift = 0; shift < bits; shift += HC_RADIX_BITS) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++) {
			home = home_of(from[i].hash, nb);
			count[((home >> shift) & ((1u << HC_RADIX_BITS) - 1)) + 1]++;
		}
		for (d = 0; d < (1u << HC_RADIX_BITS); d++)
			count[d + 1] += count[d];
		for (i = 0; i < n; i++) {
			home = home_of(from[i].hash, nb);
			to[count[(home >> shift) & ((1u << HC_RADIX_BITS) - 1)]++] = from[i];
		}
		swap = from;
		from = to;
		to = swap;
	}
	/* from holds the sorted references */
	free(to);
	w->refs[k] = from;
	w->cap[k] = n;
	return 0;
}

/* Lay out table k and write it to the file at off: its buckets (*nspan of
 * them, homes first); its far values are appended to w->far, their total
 * added to *far_size (offsets count from the far area's start). 0, or -1
 * with errno. */
static int layout(struct hostcache_writer *w, int k, uint64_t off, uint64_t *nbuckets,
		  uint64_t *nspan, uint64_t *far_size)
{
	const struct hc_ref *refs;
	size_t n = w->n[k], i, j, to, total = 0;
	unsigned char *b, *e;
	/* cb, co: the bucket and offset where the next entry goes; base: the
	 * window's first bucket */
	uint64_t nb, h, cb = 0, co = HC_BUCKET_HEAD, base = 0, last;

	for (i = 0; i < n; i++)
		total += entry_size(&w->refs[k][i]);
	nb = (uint64_t)((double)total / (HC_PAYLOAD * HC_FILL)) + 1;
	if (nb > UINT32_MAX) {
		errno = EFBIG;
		return -1;
	}
	if (sort_by_home(w, k, nb) != 0 || window_room(w, 0, 0) != 0)
		return -1;
	memset(w->t, 0, w->tcap * HC_BUCKET);
	/* w->far will point into these: they stay until the writer goes */
	refs = w->refs[k];
	/* the homes in order, each with its run of references */
	for (j = 0; j < n; j = to) {
		h = home_of(refs[j].hash, nb);
		for (to = j + 1; to < n && home_of(refs[to].hash, nb) == h; to++)
			;
		if (to - j > UINT16_MAX) {
			errno = EFBIG;
			return -1;
		}
		if (cb < h) {
			cb = h;
			co = HC_BUCKET_HEAD;
		}
		/* nothing before this home changes any more (a long run of
		 * empty homes can reach past the window: it grows) */
		if ((cb - base >= w->tcap && window_room(w, base, cb) != 0) ||
		    (h - base >= HC_WINDOW && window_flush(w, off, &base, h, cb) != 0))
			return -1;
		for (i = j; i < to; i++) {
			const struct hc_ref *r = &refs[i];
			size_t sz = entry_size(r), o;

			/* the values are all over the caller's heap: ask for
			 * those a few entries on while this one is copied */
			if (i + HC_AHEAD < n) {
				__builtin_prefetch(refs[i + HC_AHEAD].key);
				__builtin_prefetch(refs[i + HC_AHEAD].value);
			}
			/* a key given twice: which value would be the answer? */
			for (o = j; o < i; o++) {
				if (refs[o].hash == r->hash && refs[o].keylen == r->keylen &&
				    memcmp(refs[o].key, r->key, r->keylen) == 0) {
					errno = EEXIST;
					return -1;
				}
			}
			if (co + sz > HC_BUCKET) {
				cb++;
				co = HC_BUCKET_HEAD;
			}
			if (cb - base >= w->tcap && window_room(w, base, cb) != 0)
				return -1;
			if (i == j) {
				uint64_t first = (cb - h) * HC_BUCKET + co;
				uint16_t count = (uint16_t)(to - j);

				if (first > UINT32_MAX) {
					errno = EFBIG;
					return -1;
				}
				b = w->t + (h - base) * HC_BUCKET;
				memcpy(b, &(uint32_t){ (uint32_t)first }, 4);
				memcpy(b + 4, &count, 2);
			}
			b = w->t + (cb - base) * HC_BUCKET;
			e = b + co;
			e[0] = (unsigned char)r->keylen;
			e[1] = (unsigned char)(tag_of(r->hash) | (is_far(r) ? HC_FAR : 0));
			memcpy(e + 2, &(uint16_t){ (uint16_t)(sz - HC_ENTRY_HEAD - r->keylen) }, 2);
			memcpy(e + HC_ENTRY_HEAD, r->key, r->keylen);
			if (is_far(r)) {
				uint64_t fv[2] = { *far_size, r->vlen };

				memcpy(e + HC_ENTRY_HEAD + r->keylen, fv, sizeof(fv));
				*far_size += r->vlen;
				w->far[w->nfar++] = r;
			} else {
				memcpy(e + HC_ENTRY_HEAD + r->keylen, r->value, r->vlen);
			}
			co += sz;
			memcpy(b + 6, &(uint16_t){ (uint16_t)(co - HC_BUCKET_HEAD) }, 2);
		}
	}
	*nbuckets = n > 0 ? nb : 0;
	*nspan = n > 0 ? (cb + 1 > nb ? cb + 1 : nb) : 0;
	/* the rest: what the window holds, then empty homes, a window of
	 * zeros at a time */
	for (last = cb; base < *nspan; last = base + w->tcap - 1) {
		if (last >= *nspan)
			last = *nspan - 1;
		if (window_flush(w, off, &base, last + 1, last) != 0)
			return -1;
	}
	return 0;
}

int hostcache_write(struct hostcache_writer *w)
{
	struct hc_header h;
	uint64_t off = HC_TABLES_START, far_size = 0;
	size_t i, n = 0;
	int k;

	if (w->written) {
		errno = EINVAL;
		return -1;
	}
	for (k = 0; k < HC_KINDS; k++)
		for (i = 0; i < w->n[k]; i++)
			n += is_far(&w->refs[k][i]);
	free(w->far);
	w->far = malloc((n ? n : 1) * sizeof(*w->far));
	if (w->far == NULL)
		return -1;
	w->nfar = 0;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, HC_MAGIC, 8);
	h.version = HC_VERSION;
	h.header_size = sizeof(h);
	for (k = 0; k < HC_KINDS; k++) {
		if (layout(w, k, off, &h.table[k].nbuckets, &h.table[k].nspan, &far_size) != 0)
			return -1;
		h.table[k].offset = off;
		off += h.table[k].nspan * HC_BUCKET;
		h.entries += w->n[k];
	}
	h.far_offset = off;
	h.far_size = far_size;
	for (i = 0; i < w->nfar; i++) {
		if (put(w->fd, off, w->far[i]->value, w->far[i]->vlen) != 0)
			return -1;
		off += w->far[i]->vlen;
	}
	h.file_size = off;
	/* the size the header gives, also when the tables are empty */
	if (ftruncate(w->fd, (off_t)off) != 0 || put(w->fd, 0, &h, sizeof(h)) != 0)
		return -1;
	w->written = true;
	return 0;
}

/* Add one to the generation counter, creating the file at 0 if missing. */
static int bump_generation(const char *dir)
{
	char path[PATH_MAX + 32];
	uint64_t g = 0;
	ssize_t r;
	int fd, rc = -1;

	snprintf(path, sizeof(path), "%s/" HOSTCACHE_GEN_FILE, dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	r = pread(fd, &g, sizeof(g), 0);
	if (r != (ssize_t)sizeof(g))
		g = 0;
	g++;
	/* one aligned 8-byte write: readers see the old or the new count */
	if (pwrite(fd, &g, sizeof(g), 0) == (ssize_t)sizeof(g) && fchmod(fd, 0644) == 0)
		rc = 0;
	close(fd);
	return rc;
}

static void writer_free(struct hostcache_writer *w)
{
	int k;

	(void)hc_sync_finish(w);
	for (k = 0; k < HC_KINDS; k++)
		free(w->refs[k]);
	free(w->far);
	free(w->t);
	free(w);
}

int hostcache_commit(struct hostcache_writer *w)
{
	char path[PATH_MAX + 32];
	bool renamed = false;
	int rc = -1, e, dfd, sync_rc;

	/* the syncer goes first, whatever happens next */
	sync_rc = hc_sync_finish(w);
	if (!w->written) {
		errno = EINVAL;
		goto out;
	}
	if (sync_rc != 0 || fsync(w->fd) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s/" HOSTCACHE_FILE, w->dir);
	if (rename(w->tmp, path) != 0)
		goto out;
	renamed = true;
	/* the rename itself survives a power cut too */
	dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = bump_generation(w->dir);
out:
	e = errno;
	close(w->fd);
	if (!renamed)
		unlink(w->tmp);
	writer_free(w);
	errno = e;
	return rc;
}

void hostcache_abort(struct hostcache_writer *w)
{
	if (w == NULL)
		return;
	(void)hc_sync_finish(w);   /* before its file descriptor goes */
	close(w->fd);
	unlink(w->tmp);
	writer_free(w);
}
