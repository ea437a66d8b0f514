/* hostcache.h: the host cache, a tinycdb file the daemon writes and every
 * process reads through mmap, with no lock and no socket.
 *
 * File: STATE_DIR/hostcache.cdb, mode 0644, never holding a secret. It is
 * immutable once written: the daemon writes a new one next to it
 * (hostcache.cdb.tmp), fsyncs, and renames it into place, so a reader sees
 * the old file or the new one, never a torn one.
 *
 * Replacement is noticed without a system call: STATE_DIR/hostcache.gen is a
 * small file holding a u64 generation counter (native byte order, at offset
 * 0, mapped read-only by readers); the daemon increments it after every
 * rename. A reader remembers the generation it opened and reopens when the
 * counter moved.
 *
 * Keys (bytes, no NUL):
 *   "p" name        passwd record by user name
 *   "u" uid         passwd record by uid (decimal text)
 *   "g" name        group record by group name
 *   "G" gid         group record by gid (decimal text)
 *   "i" name        the user's supplementary gids
 * Values:
 *   u64 expires (epoch seconds, network byte order; 0 = never: migrated users)
 *   then the record, encoded as on the wire (record.h): passwd, group, or
 *   for "i" a u32 count and that many u32 gids.
 */
#ifndef CUSTOMDB_HOSTCACHE_H
#define CUSTOMDB_HOSTCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "wire.h"

#define HOSTCACHE_FILE "hostcache.cdb"
#define HOSTCACHE_GEN_FILE "hostcache.gen"

/* --- reading (the NSS module) ---------------------------------------------- */

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
 * write lock when the generation moved). Returns enum hostcache_rc; use()
 * runs for HC_HIT and HC_STALE. Never blocks on the daemon. */
int hostcache_lookup(const char *state_dir, char kind, const char *key, size_t keylen,
		     hostcache_use_fn use, void *arg, int *use_rc);

/* --- writing (the daemon) -------------------------------------------------- */

struct hostcache_writer;

/* Start a new cache file under state_dir (creating the directory 0755 if
 * missing). NULL with errno on failure. */
struct hostcache_writer *hostcache_begin(const char *state_dir);

/* Add one entry (the value is copied). 0 or -1. */
int hostcache_add(struct hostcache_writer *w, char kind, const char *key, size_t keylen,
		  uint64_t expires, const void *value, size_t valuelen);

/* The same, with the key already holding its kind letter and the value
 * already starting with its 8-byte expiry (as hostcache_encode_expiry
 * writes it): the daemon keeps its entries that way, so a rewrite of a
 * million users copies nothing. */
int hostcache_add_raw(struct hostcache_writer *w, const void *key, size_t keylen,
		      const void *value, size_t valuelen);

/* Write expires as the 8 bytes that start a value. */
void hostcache_encode_expiry(uint64_t expires, unsigned char out[8]);

/* Finish: fsync, rename into place, bump the generation. 0 or -1 with errno;
 * on failure the old cache stays as it was. Frees w either way. */
int hostcache_commit(struct hostcache_writer *w);

/* Throw a started file away. Frees w. */
void hostcache_abort(struct hostcache_writer *w);

#endif
