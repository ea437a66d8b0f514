/* enum.h: getpwent / getgrent, walked one page of the daemon's list at a
 * time (CDB_OP_LIST_USERS, CDB_OP_LIST_GROUPS).
 *
 * One walk per map and per process, as glibc has it: setXXent starts it
 * over, getXXent_r hands out the next entry, endXXent lets the page go. The
 * state sits behind its own mutex. Nothing comes from the host cache: only
 * the daemon knows the whole list (enumerate = no answers NOTFOUND there). */
#ifndef CUSTOMDB_NSS_ENUM_H
#define CUSTOMDB_NSS_ENUM_H

#include <nss.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nss_client.h"

struct nss_enum {
	pthread_mutex_t lock;
	uint16_t op;             /* CDB_OP_LIST_USERS or CDB_OP_LIST_GROUPS */
	struct nss_reply page;   /* the page being read (body NULL: none) */
	struct rbuf next;        /* its next record */
	uint32_t left;           /* records of the page not handed out yet */
	uint32_t offset;         /* the list's offset of the record at next */
	uint32_t total;          /* of the list, as the last page said */
	bool started, done;
};

#define NSS_ENUM_INIT(opcode) \
	{ .lock = PTHREAD_MUTEX_INITIALIZER, .op = (opcode) }

/* setXXent and endXXent: forget the walk (the next getXXent_r starts over). */
void nss_enum_reset(struct nss_enum *e);

/* getXXent_r: pack the next entry into the caller's record with `pack`.
 * NSS_STATUS_SUCCESS; NSS_STATUS_NOTFOUND at the end (or enumerate = no);
 * NSS_STATUS_TRYAGAIN with *errnop = ERANGE when buf is too short, the
 * position kept so that the same entry comes with a larger buffer;
 * NSS_STATUS_UNAVAIL when the daemon cannot be asked, at once when it is
 * not there. errno is left as the caller had it. */
enum nss_status nss_enum_next(struct nss_enum *e, nss_pack_fn pack, void *record, char *buf,
			      size_t buflen, int *errnop);

#endif
