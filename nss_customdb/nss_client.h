/* nss_client.h: what every NSS map of the module shares. */
#ifndef CUSTOMDB_NSS_CLIENT_H
#define CUSTOMDB_NSS_CLIENT_H

#include <nss.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "protocol.h"
#include "record.h"
#include "wire.h"

/* The daemon sets this to 0 in its own process (customdbd/main.c). */
extern int _nss_customdb_enablelookups;

/* One answered request: the status and a cursor over the reply's fields. */
struct nss_reply {
	int status;              /* enum cdb_status */
	struct rbuf fields;
	unsigned char *body;     /* owned; nss_reply_free */
	size_t len;
};

void nss_reply_free(struct nss_reply *rp);

/* Where the host cache is: $CUSTOMDB_STATE_DIR (not in set-id programs) or
 * the compiled-in state directory. */
const char *nss_state_dir(void);

/* The host cache's key letter for an opcode (hostcache.h). */
char nss_cache_kind(uint16_t op);

/* Finish the request in w (freed here), send it, and wait for the reply
 * (bounded by CDB_NSS_TIMEOUT_MS). Returns NSS_STATUS_SUCCESS with *rp
 * filled (any daemon status), or NSS_STATUS_UNAVAIL when the daemon is
 * absent, untrusted or too slow (then *errnop says why). */
enum nss_status nss_call(struct wbuf *w, struct nss_reply *rp, int *errnop);

/* The NSS status for a daemon status other than OK; sets *errnop. */
enum nss_status nss_status_of(int status, int *errnop);

/* Fill the caller's record (struct passwd or struct group) from a reply's
 * fields, in two phases: add up what is needed, return NSS_STATUS_TRYAGAIN
 * with *errnop = ERANGE if buf is short, and only then fill it. */
typedef enum nss_status (*nss_pack_fn)(struct rbuf *fields, void *record, char *buf,
				       size_t buflen, int *errnop);

/* The whole of a look-up by name or by id, for every map: the defensive
 * checks (buffer, bounded name, never id 0 nor root), the host cache, a
 * valid name (cdb_name_valid: only on a miss, since the cache holds only
 * names the daemon checked) before the call to the daemon, the answer
 * packed by `pack` (which refuses id 0 and root, wherever the record came
 * from), and errno as the caller left it. */
enum nss_status nss_lookup_name(uint16_t op, const char *name, nss_pack_fn pack, void *record,
				char *buf, size_t buflen, int *errnop);
enum nss_status nss_lookup_id(uint16_t op, uint32_t id, nss_pack_fn pack, void *record,
			      char *buf, size_t buflen, int *errnop);

/* Copy a wire string into the caller's buffer at *pos (NUL-terminated). The
 * caller has checked that it fits. Returns where it was put. */
char *nss_put_str(char **pos, const struct strref *s);

#endif
