/* handlers.h: the daemon's answer to each opcode.
 *
 * One file per map, as on the client side: handle_passwd.c, handle_group.c,
 * handle_pam.c. server.c's dispatch table says who may call each one. */
#ifndef CUSTOMDB_HANDLERS_H
#define CUSTOMDB_HANDLERS_H

#include <stdint.h>
#include <sys/types.h>

#include "connector.h"
#include "wire.h"

struct request {
	struct session *session;   /* this worker's database connection */
	const struct config *cfg;
	pid_t peer_pid;
	uid_t peer_uid;
	gid_t peer_gid;
	char what[192];             /* for the log line: "getpwnam alice" */
};

/* A handler reads its fields from in (after version and opcode) and writes
 * the whole reply to out (wbuf_begin with the status, then the fields).
 * Returns the status it replied with, or -1 when the request was malformed
 * (the server then replies CDB_STATUS_ERROR). */
typedef int (*handler_fn)(struct request *rq, struct rbuf *in, struct wbuf *out);

int handle_getpwnam(struct request *rq, struct rbuf *in, struct wbuf *out);
int handle_getpwuid(struct request *rq, struct rbuf *in, struct wbuf *out);
int handle_getgrnam(struct request *rq, struct rbuf *in, struct wbuf *out);
int handle_getgrgid(struct request *rq, struct rbuf *in, struct wbuf *out);
int handle_initgroups(struct request *rq, struct rbuf *in, struct wbuf *out);
int handle_authenticate(struct request *rq, struct rbuf *in, struct wbuf *out);
int handle_account(struct request *rq, struct rbuf *in, struct wbuf *out);
/* handle_enum.c: getpwent / getgrent pages (enumerate = yes) */
int handle_list_users(struct request *rq, struct rbuf *in, struct wbuf *out);
int handle_list_groups(struct request *rq, struct rbuf *in, struct wbuf *out);
int handle_chpass(struct request *rq, struct rbuf *in, struct wbuf *out);
/* handle_admin.c (root only) */
int handle_status(struct request *rq, struct rbuf *in, struct wbuf *out);
int handle_cache_flush(struct request *rq, struct rbuf *in, struct wbuf *out);

/* The protocol status for a connector result. */
int status_of(int conn_rc);

/* When an answer given now stops being fresh in the host cache. */
uint64_t cache_expiry(const struct request *rq);

/* The reply's fields start after length, version and status: what the host
 * cache keeps as an entry's value. */
#define REPLY_FIELDS 8

#endif
