/* record.h: passwd and group records as they travel on the wire.
 *
 * Decoded records point into the message they were read from (strings are
 * not NUL-terminated there); the message must outlive them. */
#ifndef CUSTOMDB_RECORD_H
#define CUSTOMDB_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct strref {
	const char *s;
	size_t n;
};

struct cdb_passwd_ref {
	struct strref name, passwd, gecos, home, shell;
	uint32_t uid, gid;
};

struct cdb_group_ref {
	struct strref name, passwd;
	uint32_t gid;
	uint32_t nmembers;
	struct rbuf members;  /* cursor at the first member string */
};

/* What the daemon fills in before encoding. Strings are NUL-terminated. */
struct cdb_passwd {
	const char *name, *gecos, *home, *shell;
	uint32_t uid, gid;
};

struct cdb_group {
	const char *name;
	uint32_t gid;
	size_t nmembers;
	const char *const *members;
};

/* The bytes record_put_* appends for the record, or 0 when it could never
 * travel (a string over CDB_MAX_STRING, more than CDB_MAX_MEMBERS members):
 * the first phase of size-then-pack. */
size_t record_passwd_size(const struct cdb_passwd *p);
size_t record_group_size(const struct cdb_group *g);

/* Append the record's fields to w. 0 or -1. */
int record_put_passwd(struct wbuf *w, const struct cdb_passwd *p);
int record_put_group(struct wbuf *w, const struct cdb_group *g);

/* Read a record from r. 0 or -1 (truncated or malformed). For a group, every
 * member string is checked here, so a later walk of g->members cannot fail. */
int record_get_passwd(struct rbuf *r, struct cdb_passwd_ref *p);
int record_get_group(struct rbuf *r, struct cdb_group_ref *g);

#endif
