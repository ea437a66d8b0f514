/* hostcache_write.h: writing the host cache (the format is in
 * common/hostcache_format.h, the reader in common/hostcache.h). The daemon's
 * alone: the NSS module, loaded into every process, links only the reader
 * (tests/check-modules.sh checks that).
 *
 * One writer per state directory: hostcache_claim_dir takes a lock that
 * the daemon holds while it runs, so that two daemons never write the same
 * files. */
#ifndef CUSTOMDB_HOSTCACHE_WRITE_H
#define CUSTOMDB_HOSTCACHE_WRITE_H

#include <stddef.h>

#include "hostcache.h"

/* The lock file, under the state directory. */
#define HOSTCACHE_LOCK_FILE "customdbd.lock"
/* Temporary files: this prefix, then mkstemp's six characters. */
#define HOSTCACHE_TMP_PREFIX HOSTCACHE_FILE ".tmp."

/* Is state_dir safe to write what every process trusts? Create it (0755)
 * if missing, and check that it is a directory owned by root (or by this
 * process's user) and writable by neither group nor others. 0, or -1 with
 * the reason in err. */
int hostcache_check_dir(const char *state_dir, char *err, size_t errlen);

/* Make state_dir this process's to write: hostcache_check_dir, then an
 * exclusive lock on state_dir/customdbd.lock, held until the process
 * exits, and the temporary files a killed writer left removed. 0, or -1
 * with the reason in err (the directory is not safe; another daemon holds
 * the lock). */
int hostcache_claim_dir(const char *state_dir, char *err, size_t errlen);

struct hostcache_writer;

/* Start a new cache file under state_dir (creating the directory 0755 if
 * missing), under a temporary name of its own. NULL with errno on
 * failure. */
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
