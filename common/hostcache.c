/* hostcache.c: see hostcache.h. Reading runs inside every process on the
 * host (the NSS module), so it opens nothing it does not need, keeps one
 * mapping per process, and never makes a system call on a hit. */
#include "hostcache.h"

#include <arpa/inet.h>
#include <cdb.h>
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

#include "protocol.h"

/* How long a process waits before looking again for a cache that was not
 * there: a host without one must not pay an open() per look-up. */
#define HC_ABSENT_RETRY_S 2

static pthread_rwlock_t hc_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct {
	const char *dir_seen;            /* the caller's pointer for dir, to skip strcmp */
	char dir[PATH_MAX];
	bool open;                       /* cdb mapped */
	struct cdb cdb;
	int fd;
	const volatile uint64_t *gen;    /* the generation file, mapped */
	uint64_t gen_loaded;             /* the generation cdb was opened at */
	time_t absent_until;             /* no cache: do not look before then */
} hc = { .fd = -1 };

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Drop the mapping (write lock held). */
static void hc_close(void)
{
	if (hc.open)
		cdb_free(&hc.cdb);
	if (hc.fd >= 0)
		close(hc.fd);
	hc.fd = -1;
	hc.open = false;
}

/* Longest state directory: room is left for the file names. */
#define HC_DIR_MAX (PATH_MAX - 32)

/* (Re)open the cache under dir (write lock held). */
static void hc_reopen(const char *dir)
{
	char path[PATH_MAX + 32];
	struct stat st;
	void *m;
	int fd;

	if (strcmp(hc.dir, dir) != 0) {
		hc_close();
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
	hc_close();
	/* read the generation first: a rename racing us is caught next time */
	hc.gen_loaded = *hc.gen;
	snprintf(path, sizeof(path), "%s/" HOSTCACHE_FILE, dir);
	hc.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (hc.fd < 0)
		goto absent;
	if (cdb_init(&hc.cdb, hc.fd) != 0) {
		close(hc.fd);
		hc.fd = -1;
		goto absent;
	}
	hc.open = true;
	hc.absent_until = 0;
	return;
absent:
	hc.absent_until = time(NULL) + HC_ABSENT_RETRY_S;
}

/* Is the open mapping the current one for dir? (read lock held) */
static bool hc_current(const char *dir)
{
	return hc.open && hc.gen != NULL && *hc.gen == hc.gen_loaded &&
	       (dir == hc.dir_seen || strcmp(hc.dir, dir) == 0);
}

int hostcache_lookup(const char *state_dir, char kind, const char *key, size_t keylen,
		     hostcache_use_fn use, void *arg, int *use_rc)
{
	unsigned char k[1 + CDB_MAX_STRING];
	const unsigned char *v;
	struct cdb local;
	struct rbuf value;
	unsigned vlen, vpos;
	uint64_t expires;
	int rc = HC_MISS;

	if (state_dir == NULL || keylen > CDB_MAX_STRING || strlen(state_dir) > HC_DIR_MAX)
		return HC_MISS;
	k[0] = (unsigned char)kind;
	memcpy(k + 1, key, keylen);
	pthread_rwlock_rdlock(&hc_lock);
	if (!hc_current(state_dir)) {
		pthread_rwlock_unlock(&hc_lock);
		pthread_rwlock_wrlock(&hc_lock);
		if (!hc_current(state_dir) &&
		    (hc.absent_until == 0 || time(NULL) >= hc.absent_until || strcmp(hc.dir, state_dir) != 0))
			hc_reopen(state_dir);
		pthread_rwlock_unlock(&hc_lock);
		pthread_rwlock_rdlock(&hc_lock);
		if (!hc.open || strcmp(hc.dir, state_dir) != 0)
			goto out;
	}
	/* cdb_find keeps its position in the struct: search a copy */
	local = hc.cdb;
	if (cdb_find(&local, k, (unsigned)(keylen + 1)) <= 0)
		goto out;
	vlen = cdb_datalen(&local);
	vpos = cdb_datapos(&local);
	v = cdb_get(&local, vlen, vpos);
	if (v == NULL || vlen < 8)
		goto out;
	expires = be64(v);
	rbuf_init(&value, v + 8, vlen - 8);
	rc = (expires == 0 || (uint64_t)time(NULL) < expires) ? HC_HIT : HC_STALE;
	*use_rc = use(&value, arg);
out:
	pthread_rwlock_unlock(&hc_lock);
	return rc;
}

/* --- writing --------------------------------------------------------------- */

struct hostcache_writer {
	char dir[HC_DIR_MAX + 1];
	char tmp[PATH_MAX + 32];
	int fd;
	struct cdb_make cm;
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
	if (fchmod(w->fd, 0644) != 0 || cdb_make_start(&w->cm, w->fd) != 0) {
		close(w->fd);
		unlink(w->tmp);
		goto fail;
	}
	return w;
fail:
	free(w);
	return NULL;
}

void hostcache_encode_expiry(uint64_t expires, unsigned char out[8])
{
	int i;

	for (i = 0; i < 8; i++)
		out[i] = (unsigned char)(expires >> (56 - 8 * i));
}

int hostcache_add(struct hostcache_writer *w, char kind, const char *key, size_t keylen,
		  uint64_t expires, const void *value, size_t valuelen)
{
	unsigned char k[1 + CDB_MAX_STRING];
	unsigned char *v;
	int rc;

	if (keylen > CDB_MAX_STRING || valuelen > CDB_MAX_MESSAGE)
		return -1;
	k[0] = (unsigned char)kind;
	memcpy(k + 1, key, keylen);
	v = malloc(8 + valuelen);
	if (v == NULL)
		return -1;
	hostcache_encode_expiry(expires, v);
	memcpy(v + 8, value, valuelen);
	rc = hostcache_add_raw(w, k, keylen + 1, v, 8 + valuelen);
	free(v);
	return rc;
}

int hostcache_add_raw(struct hostcache_writer *w, const void *key, size_t keylen,
		      const void *value, size_t valuelen)
{
	if (keylen < 2 || keylen > 1 + CDB_MAX_STRING || valuelen < 8 ||
	    valuelen > 8 + CDB_MAX_MESSAGE)
		return -1;
	return cdb_make_add(&w->cm, key, (unsigned)keylen, value, (unsigned)valuelen) == 0 ? 0 : -1;
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

int hostcache_commit(struct hostcache_writer *w)
{
	char path[PATH_MAX + 32];
	int rc = -1, e;

	if (cdb_make_finish(&w->cm) != 0 || fsync(w->fd) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s/" HOSTCACHE_FILE, w->dir);
	if (rename(w->tmp, path) != 0)
		goto out;
	rc = bump_generation(w->dir);
out:
	e = errno;
	close(w->fd);
	if (rc != 0)
		unlink(w->tmp);
	free(w);
	errno = e;
	return rc;
}

void hostcache_abort(struct hostcache_writer *w)
{
	if (w == NULL)
		return;
	cdb_make_finish(&w->cm);
	close(w->fd);
	unlink(w->tmp);
	free(w);
}
