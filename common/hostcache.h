/* hostcache.h: reading the host cache, a file the daemon writes and every
 * process reads through mmap, with no lock and no socket. The format is in
 * hostcache_format.h; the writer is the daemon's (customdbd/hostcache_write.h):
 * this part, linked into the NSS module, writes nothing.
 */
#ifndef CUSTOMDB_HOSTCACHE_H
#define CUSTOMDB_HOSTCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostcache_format.h"
#include "record.h"
#include "wire.h"

/* --- one mapped file ------------------------------------------------------- */

struct hostcache_map {
	const unsigned char *base;      /* the mapping (NULL: none) */
	size_t size;
	uint64_t entries;
	const unsigned char *far;       /* the far area */
	uint64_t far_size;
	struct {
		const unsigned char *buckets;
		uint64_t nbuckets;      /* home buckets */
		uint64_t nspan;         /* buckets in all */
	} table[HC_KINDS];
};

/* Map path and check its header. 0, or -1 with errno (EINVAL: not a host
 * cache file, or one of another format version). */
int hostcache_open(const char *path, struct hostcache_map *m);

/* Unmap (a closed or zeroed map is fine). */
void hostcache_close(struct hostcache_map *m);

/* Find key (kind letter first) in m. 1 with *value (8 bytes of expiry, then
 * the record) and *len set, 0 when absent, -1 when the file is malformed
 * where the look-up went. Reads m only: any number of threads at once. */
int hostcache_find(const struct hostcache_map *m, const unsigned char *key, size_t keylen,
		   const unsigned char **value, size_t *len);

/* Call fn for every entry, table by table; stops at the first non-zero
 * return of fn and returns it. -1 when the file is malformed. */
typedef int (*hostcache_walk_fn)(const unsigned char *key, size_t keylen,
				 const unsigned char *value, size_t len, void *arg);
int hostcache_walk(const struct hostcache_map *m, hostcache_walk_fn fn, void *arg);

/* Check the whole file: every bucket and entry in bounds, every entry found
 * by a look-up of its own key, the count in the header right. 0 with
 * *entries set, or -1 with a reason in err. */
int hostcache_verify(const struct hostcache_map *m, uint64_t *entries, char *err, size_t errlen);

/* The expiry at the start of a value (at least 8 bytes). */
uint64_t hostcache_expiry(const unsigned char *value);

/* --- reading in every process (the NSS module) ------------------------------ */

enum hostcache_rc {
	HC_HIT = 0,       /* found and fresh: the record is the answer */
	HC_STALE = 1,     /* found but expired: ask the daemon; serve it if the
			   * daemon cannot be reached */
	HC_MISS = 2,      /* not in the cache (or no cache at all) */
};

/* Called with a found entry while the mapping is held: value is a cursor
 * over the record's bytes (after the expiry). Its return value is handed
 * back through *use_rc. */
typedef int (*hostcache_use_fn)(struct rbuf *value, void *arg);

/* Look key (kind letter + key text) up in the cache under state_dir and, if
 * found, call use(). Thread-safe (a read lock; the file is reopened under a
 * write lock when the generation moved; a fork waits for the look-ups under
 * way, so the child never inherits a held lock). Returns enum hostcache_rc;
 * use() runs for HC_HIT and HC_STALE. Never blocks on the daemon.
 *
 * Trusted files only: state_dir, hostcache.gen and hostcache.db must each
 * be owned by root or by this process's effective user, and writable by
 * neither group nor others; otherwise another user could put any record
 * there, and it is as if there were no cache (HC_MISS).
 *
 * The process keeps one cache open, and looks at state_dir again every
 * HC_RECHECK_S seconds (trust, and a generation file that was removed and
 * created anew). state_dir is remembered by its pointer as well as its
 * text, to spare a strcmp per look-up: pass a string that does not change
 * while the process runs (the NSS module's comes from the environment,
 * read once). */
#define HC_RECHECK_S 2
int hostcache_lookup(const char *state_dir, char kind, const char *key, size_t keylen,
		     hostcache_use_fn use, void *arg, int *use_rc);

#endif
