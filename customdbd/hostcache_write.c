/* hostcache_write.c: the host cache's writer (hostcache_write.h), in the
 * daemon alone. The format is common/hostcache_format.h, which the reader
 * (common/hostcache.c) shares. */
#include "hostcache_write.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define HC_FILL 0.70                    /* of the payload, on average */
#define HC_AHEAD 16                     /* entries prefetched ahead when laying out */
/* Longest state directory: room is left for the file names. */
#define HC_DIR_MAX (PATH_MAX - 32)

/* --- the state directory --------------------------------------------------- */

/* The lock on the state directory: open while the process runs. */
static int claim_fd = -1;

/* Remove what killed writers left: temporary files, which no reader maps
 * (only the renamed file is read). The lock is held, so none of them is
 * being written. */
static void remove_leftovers(int dfd)
{
	struct dirent *de;
	DIR *d;
	int fd = dup(dfd);

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, HOSTCACHE_TMP_PREFIX, strlen(HOSTCACHE_TMP_PREFIX)) == 0 ||
		    strcmp(de->d_name, HOSTCACHE_FILE ".tmp") == 0)   /* an older writer's */
			(void)unlinkat(dfd, de->d_name, 0);
	closedir(d);
}

/* Open state_dir (created 0755 if missing) if it is safe: a directory of
 * root's (or of this process's user), writable by neither group nor others.
 * Its descriptor, or -1 with the reason in err. */
static int open_dir(const char *state_dir, char *err, size_t errlen)
{
	struct stat st;
	int dfd;

	if (mkdir(state_dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create state_dir %s: %s", state_dir, strerror(errno));
		return -1;
	}
	dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &st) != 0) {
		snprintf(err, errlen, "cannot open state_dir %s: %s", state_dir, strerror(errno));
		goto fail;
	}
	/* every process on the host believes the host cache in it */
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen,
			 "state_dir %s belongs to uid %u, not root: whoever owns it could forge "
			 "the host cache every process trusts; chown root it",
			 state_dir, (unsigned)st.st_uid);
		goto fail;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen,
			 "state_dir %s is writable by %s (mode %04o): others could forge the host "
			 "cache every process trusts; chmod go-w it",
			 state_dir, (st.st_mode & S_IWOTH) ? "others" : "its group",
			 (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	return dfd;
fail:
	if (dfd >= 0)
		close(dfd);
	return -1;
}

int hostcache_check_dir(const char *state_dir, char *err, size_t errlen)
{
	int dfd = open_dir(state_dir, err, errlen);

	if (dfd < 0)
		return -1;
	close(dfd);
	return 0;
}

int hostcache_claim_dir(const char *state_dir, char *err, size_t errlen)
{
	int dfd, fd;

	dfd = open_dir(state_dir, err, errlen);
	if (dfd < 0)
		return -1;
	fd = openat(dfd, HOSTCACHE_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s/%s: %s", state_dir, HOSTCACHE_LOCK_FILE,
			 strerror(errno));
		goto fail;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen,
				 "another customdbd uses state_dir %s (it holds %s/%s); two "
				 "daemons must not write one host cache",
				 state_dir, state_dir, HOSTCACHE_LOCK_FILE);
		else
			snprintf(err, errlen, "cannot lock %s/%s: %s", state_dir,
				 HOSTCACHE_LOCK_FILE, strerror(errno));
		goto fail;
	}
	remove_leftovers(dfd);
	close(dfd);
	if (claim_fd >= 0)
		close(claim_fd);   /* claimed again: the new lock is held */
	claim_fd = fd;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	close(dfd);
	return -1;
}

/* --- one file ------------------------------------------------------------- */

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
	/* a name no one else uses (O_EXCL): never a file another writer, or a
	 * reader's mapping, still has */
	snprintf(w->tmp, sizeof(w->tmp), "%s/" HOSTCACHE_TMP_PREFIX "XXXXXX", state_dir);
	w->fd = mkostemp(w->tmp, O_CLOEXEC);
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
	    valuelen > HOSTCACHE_VALUE_MAX || (k = hc_kind_index(kb[0])) < 0 ||
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
			home = hc_home_of(from[i].hash, nb);
			count[((home >> shift) & ((1u << HC_RADIX_BITS) - 1)) + 1]++;
		}
		for (d = 0; d < (1u << HC_RADIX_BITS); d++)
			count[d + 1] += count[d];
		for (i = 0; i < n; i++) {
			home = hc_home_of(from[i].hash, nb);
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
 * with errno. Long: one pass with one cursor (cb, co, base) over a sliding
 * window of buckets, which pieces of it would all share by pointer. */
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
		h = hc_home_of(refs[j].hash, nb);
		for (to = j + 1; to < n && hc_home_of(refs[to].hash, nb) == h; to++)
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
			e[1] = (unsigned char)(hc_tag_of(r->hash) | (is_far(r) ? HC_FAR : 0));
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
