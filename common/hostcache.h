/* hostcache.h: the host cache, a file the daemon writes and every process
 * reads through mmap, with no lock and no socket.
 *
 * File: STATE_DIR/hostcache.db, mode 0644, never holding a secret. It is
 * immutable once written: the daemon writes a new one next to it
 * (hostcache.db.tmp), fsyncs, and renames it into place, so a reader sees
 * the old file or the new one, never a torn one.
 *
 * Replacement is noticed without a system call: STATE_DIR/hostcache.gen is a
 * small file holding a u64 generation counter (native byte order, at offset
 * 0, mapped read-only by readers); the daemon increments it after every
 * rename. A reader remembers the generation it opened and reopens when the
 * counter moved.
 *
 * Keys (bytes, no NUL, at most HOSTCACHE_KEY_MAX):
 *   "p" name        passwd record by user name
 *   "u" uid         passwd record by uid (decimal text)
 *   "g" name        group record by group name
 *   "G" gid         group record by gid (decimal text)
 *   "i" name        the user's supplementary gids
 * Values:
 *   u64 expires (epoch seconds, network byte order; 0 = never: migrated users)
 *   then the record, encoded as on the wire (record.h): passwd, group, or
 *   for "i" a u32 count and that many u32 gids.
 *
 * Why not a cdb: a cdb look-up reads a hash slot and then, elsewhere in the
 * file, the record: two dependent cache misses, each of which costs about
 * 200 ns on a host whose cache holds a million users. Here the record sits
 * in the hash bucket itself, so a look-up touches one 256-byte bucket (one
 * page, four cache lines fetched together).
 *
 * Layout (integers in the host's byte order: the file never leaves the host
 * that wrote it):
 *   header: magic "CDBHOST\1", u32 format version, u32 header size, u64
 *     file size, u64 entries, u64 offset and u64 size of the far area, then
 *     per kind ("p", "u", "g", "G", "i" in that order) u64 table offset, u64
 *     home buckets, u64 buckets in all (homes and the overflow after them).
 *   per kind, a table of HC_BUCKET-byte buckets (offsets multiples of
 *     HC_BUCKET, so a bucket never straddles a page). A key's home bucket is
 *     (hash(key) >> 32) * nbuckets >> 32, hash being hc_hash of
 *     hostcache.c (the key a word at a time, then MurmurHash3's final mix).
 *     A bucket starts with
 *       u32 first   bytes from this bucket to the first entry whose home it
 *                   is (0: none), u16 count of those entries,
 *       u16 used    payload bytes in use in this bucket,
 *     then HC_BUCKET - 8 bytes of payload holding entries back to back. The
 *     entries of one home are consecutive; an entry never straddles two
 *     buckets, so when one does not fit it starts the next bucket's payload.
 *     Entry: u8 key length, u8 flags, u16 value length, the key, the value.
 *     Flags: bit 0 "far"; bits 1-7 the tag, (hash << 1) & 0xfe, which
 *     rules most keys out before their bytes are compared. With "far" the
 *     value is a u64 offset into the far area and a
 *     u64 length: values too big for a bucket (large groups, long group
 *     lists) are stored there, after the tables.
 */
#ifndef CUSTOMDB_HOSTCACHE_H
#define CUSTOMDB_HOSTCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "wire.h"

#define HOSTCACHE_FILE "hostcache.db"
#define HOSTCACHE_GEN_FILE "hostcache.gen"

#define HOSTCACHE_KEY_MAX 128    /* kind letter included */
#define HOSTCACHE_VALUE_MAX (8u + 1024u * 1024u)  /* expiry + a wire message */
#define HC_KINDS 5

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

/* Write expires as the 8 bytes that start a value. */
void hostcache_encode_expiry(uint64_t expires, unsigned char out[8]);

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
 * write lock when the generation moved). Returns enum hostcache_rc; use()
 * runs for HC_HIT and HC_STALE. Never blocks on the daemon.
 *
 * The process keeps one cache open. state_dir is remembered by its pointer
 * as well as its text, to spare a strcmp per look-up: pass a string that
 * does not change while the process runs (the NSS module's comes from the
 * environment, read once). */
int hostcache_lookup(const char *state_dir, char kind, const char *key, size_t keylen,
		     hostcache_use_fn use, void *arg, int *use_rc);

/* --- writing (the daemon) -------------------------------------------------- */

struct hostcache_writer;

/* Start a new cache file under state_dir (creating the directory 0755 if
 * missing). NULL with errno on failure. */
struct hostcache_writer *hostcache_begin(const char *state_dir);

/* Add one entry: key with its kind letter first, value starting with its
 * 8-byte expiry (as hostcache_encode_expiry writes it). Neither is copied:
 * both must stay as they are until hostcache_write returns. Each key once
 * (hostcache_write refuses a key given twice). 0, or -1 with errno (EINVAL:
 * a key or value out of bounds, a NUL in the key, an unknown kind). */
int hostcache_add(struct hostcache_writer *w, const void *key, size_t keylen,
		  const void *value, size_t valuelen);

/* Lay the file out and write it to the temporary file: after this the
 * added keys and values may change. A file of more than 32 MiB is synced
 * in the background while it is written (a thread of the writer's own,
 * joined by commit or abort), so that commit's fsync finds little left.
 * 0 or -1 with errno (EEXIST: a key was added twice; EINVAL: called
 * twice). */
int hostcache_write(struct hostcache_writer *w);

/* Finish what hostcache_write wrote: fsync (failing with the error of a
 * background sync, if one failed), rename into place, fsync the
 * directory, bump the generation. 0, or -1 with errno: then the old cache
 * stays as it was (EINVAL: hostcache_write did not succeed), unless only
 * the generation could not be bumped, in which case the new file is in
 * place but running processes notice it at the next commit. Frees w either
 * way. */
int hostcache_commit(struct hostcache_writer *w);

/* Throw a started file away. Frees w. */
void hostcache_abort(struct hostcache_writer *w);

#endif
