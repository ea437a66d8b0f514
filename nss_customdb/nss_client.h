/* nss_client.h: what every NSS map of the module shares. */
#ifndef CUSTOMDB_NSS_CLIENT_H
#define CUSTOMDB_NSS_CLIENT_H

#include <endian.h>
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

/* One pass instead of two: read the next string of f and copy it to *pos,
 * NUL-terminated, if it fits before end; *out points at the copy. 0; 1 when
 * it does not fit (ERANGE); -1 when f is malformed (a string too long, past
 * the end, or holding a NUL). The short strings of passwd records are
 * checked and copied with the same loads, as two overlapping words (see
 * wire_has_nul): no call to memchr or memcpy. */
static inline int nss_take_str(struct rbuf *f, char **pos, const char *end, char **out)
{
	const unsigned char *s;
	char *d = *pos;
	uint32_t n, c, e;
	uint64_t a, b;

	if (f->left < 4)
		return -1;
	memcpy(&n, f->p, 4);
	n = be32toh(n);
	s = f->p + 4;
	if (n > CDB_MAX_STRING || n > f->left - 4)
		return -1;
	if (n >= (size_t)(end - d))
		return wire_has_nul(s, n) ? -1 : 1;
	if (n >= 8 && n <= 16) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		if (wire_has_zero_byte(a) || wire_has_zero_byte(b))
			return -1;
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(&c, s, 4);
		memcpy(&e, s + n - 4, 4);
		if (wire_has_zero_byte((uint64_t)c << 32 | e))
			return -1;
		memcpy(d, &c, 4);
		memcpy(d + n - 4, &e, 4);
	} else if (n < 4) {
		if (n > 0) {
			if (s[0] == 0 || s[n / 2] == 0 || s[n - 1] == 0)
				return -1;
			d[0] = (char)s[0];
			d[n / 2] = (char)s[n / 2];
			d[n - 1] = (char)s[n - 1];
		}
	} else {
		if (memchr(s, '\0', n) != NULL)
			return -1;
		memcpy(d, s, n);
	}
	d[n] = '\0';
	*out = d;
	*pos = d + n + 1;
	f->p = s + n;
	f->left -= 4 + (size_t)n;
	return 0;
}

#endif
