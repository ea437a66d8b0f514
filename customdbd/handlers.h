/* handlers.h: the daemon's answer to each opcode.
 *
 * One file per map, as on the client side: handle_passwd.c, handle_group.c,
 * handle_pam.c; what they share is in handle_common.c. server_dispatch.c's
 * table says who may call each one. */
#ifndef CUSTOMDB_HANDLERS_H
#define CUSTOMDB_HANDLERS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "connector.h"
#include "record.h"
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

/* handle_common.c: */

/* The protocol status for a connector result. */
int status_of(int conn_rc);

/* When an answer given now stops being fresh in the host cache. */
uint64_t cache_expiry(const struct request *rq);

/* The wire record (record.h) of a user or a group the connector gave: its
 * strings stay the user's or the group's. */
void passwd_record_of(const struct user *u, struct cdb_passwd *p);
void group_record_of(const struct group *g, struct cdb_group *r);

/* A record one look-up finds. */
union lookup_rec {
	struct user user;
	struct group group;
};

/* A map the daemon looks records up in by name or by id (passwd, group). */
struct lookup_map {
	char name_kind, id_kind;   /* host cache kinds of its two keys */
	/* look r up by name, or by id when name is NULL; enum conn_rc */
	int (*fetch)(struct session *s, const char *name, uint32_t id, union lookup_rec *r);
	/* put r's fields into out and say its name and id; 0 or -1 */
	int (*pack)(struct wbuf *out, const union lookup_rec *r, const char **name, uint32_t *id);
	void (*clear)(union lookup_rec *r);
};

/* A look-up by name (a string field) or by id (a u32): a negative cache hit,
 * or the connector's answer, packed and kept in the host cache when found.
 * verb names it in rq->what ("getpwnam"). As a handler_fn returns. */
int handle_lookup(const struct lookup_map *m, const char *verb, bool by_id, struct request *rq,
		  struct rbuf *in, struct wbuf *out);

/* The reply's fields start after length, version and status: what the host
 * cache keeps as an entry's value. */
#define REPLY_FIELDS 8

#endif
