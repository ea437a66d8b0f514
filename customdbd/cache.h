/* cache.h: the daemon's side of the host cache (hostcache_write.h), and the
 * negative cache.
 *
 * Answers the daemon gives are kept in memory and written out as the host
 * cache file by one thread, at most once a second however many answers
 * change (a burst of a thousand look-ups or migrations is one rewrite).
 * Entries outlive their expiry on purpose: the NSS module serves an expired
 * entry when the daemon or the database cannot answer. An entry goes when
 * the database says the user or group is gone.
 *
 * "No such user" is remembered here only (never in the file), for
 * negative_ttl seconds, so that a flood of look-ups of a name that does not
 * exist does not become a flood of queries.
 *
 * Both are bounded: at most cache_max_entries answers and
 * negative_max_entries "no such" answers; beyond that, expired entries go
 * first, then others. Names and ids customdb never answers for (invalid
 * names, ids outside [min_uid, max_uid], root) are never kept, and entries
 * loaded from an old file are checked against the current rules. */
#ifndef CUSTOMDB_CACHE_H
#define CUSTOMDB_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "connector.h"
#include "mapping.h"

/* Load the existing cache file (so a restart keeps it) and start the
 * writer thread. 0, or -1 with a message in err. */
int cache_start(const struct config *cfg, char *err, size_t errlen);

/* Write what is pending and stop the writer thread. */
void cache_stop(void);

/* Keep an answer (kind and key as in hostcache.h; value: the record as on
 * the wire) until expires (epoch seconds; 0 = never). Clears a negative
 * entry for the same key. */
void cache_put(char kind, const char *key, uint64_t expires, const void *value, size_t len);

/* The database says key is not there: drop the entry, and remember that for
 * negative_ttl. */
void cache_put_negative(char kind, const char *key);

/* Is key known not to exist (within negative_ttl)? */
bool cache_is_negative(char kind, const char *key);

/* Is there an answer (not a "no such") for key? */
bool cache_has(char kind, const char *key);

/* Answers kept (the file's entries), and "no such" answers kept; for
 * status and tests. */
size_t cache_size(void);
size_t cache_negative_size(void);

/* Keep a user's passwd record (by name and by uid) and, when gids is not
 * NULL, their group list (n gids), until expires (0: never). */
void cache_put_user(const struct user *u, const gid_t *gids, size_t n, uint64_t expires);

/* Keep a group's record (by name and by gid) until expires (0: never). */
void cache_put_group(const struct group *g, uint64_t expires);

/* --- cache_migrated.c: what the store holds, pinned ------------------------- */

/* Migrate and store modes: start the store loader, a thread of its own that puts
 * every store user into the host cache with no expiry, and the groups they
 * are in (as the connector answers them, members and all), so that
 * migrated users and their groups resolve on this host from the start,
 * even before they log in here (another host may have migrated them) and
 * while the daemon is down later. It then waits for cache_refresh_groups.
 * cache_stop ends it. */
void cache_preload_migrated(struct connector *cn);

/* Migrate and store modes: fetch these groups again through the connector, in the
 * store loader's thread (never in the caller's: a group look-up may ask
 * the legacy database, and a login must not wait for that), and keep them
 * with no expiry; a group that is gone leaves the cache. At most
 * CACHE_REFRESH_MAX gids wait at once: more are dropped, and the daemon
 * answers those groups until their next refresh. No-op without a loader. */
#define CACHE_REFRESH_MAX 1024
void cache_refresh_groups(const gid_t *gids, size_t n);

/* Stop the store loader (cache_stop calls it). */
void cache_migrated_stop(void);

/* customdb cache flush: drop every entry about name (its "p", "i", "g"
 * entries, the "u" / "G" entries whose record names it, and the "g" / "G"
 * entries of the groups that list it as a member), or every entry when
 * name is NULL or "", negative ones included, and rewrite the file: at
 * once, and it returns once the file no longer holds them (NSS clients read
 * the file first). Returns the number of entries with a record that went. */
size_t cache_flush(const char *name);

/* Call fn for every entry of this kind that holds a record (value: the
 * record as on the wire, after the expiry), under the cache's lock: fn must
 * not call back into the cache. */
void cache_each(char kind, void (*fn)(const char *key, size_t keylen, uint64_t expires,
				      const void *value, size_t len, void *arg), void *arg);

#endif
