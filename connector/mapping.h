/* mapping.h: result rows to users and groups, by column name.
 *
 * The query is the mapping: columns are matched by name, a missing optional
 * column or a NULL in it takes the [customdb] default, and a record that
 * breaks the rules customdb always holds (a valid Linux name, not root, ids
 * inside [min_uid, max_uid], never id 0, a primary gid that is default_gid,
 * in that range or in allowed_gids) is dropped, whatever the database says. */
#ifndef CUSTOMDB_MAPPING_H
#define CUSTOMDB_MAPPING_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "backend.h"
#include "config.h"

/* A user as the connector sees it. Owns its strings; user_clear wipes the
 * password hash and salt. */
struct user {
	char *name, *gecos, *home, *shell, *email;
	char *password;     /* stored hash (login query only), else NULL */
	char *salt;         /* for schemes that keep it apart, else NULL */
	uid_t uid;
	gid_t gid;
	bool disabled;
	int email_verified; /* 1 yes, 0 no, -1 not said */
	bool must_change_password;
	int64_t expires;    /* epoch seconds; 0 = never */
};

struct group {
	char *name;
	gid_t gid;
	size_t nmembers;
	char **members;
};

void user_clear(struct user *u);
void group_clear(struct group *g);

/* Outcome of mapping one row. */
enum map_rc {
	MAP_OK = 0,
	MAP_REJECTED = 1,     /* the row breaks a rule: treat as not found */
	MAP_BAD_QUERY = -1,   /* a required column is missing: config error */
	MAP_NOMEM = -2,
};

/* Map row `row` of r into u. need_password: the password column is required.
 * why (may be NULL) gets a reason when the result is not MAP_OK. */
int map_user(const struct config *c, const struct result *r, size_t row, bool need_password,
	     struct user *u, char *why, size_t whylen);

/* Map row `row` of a get_group / get_group_by_gid result. */
int map_group(const struct config *c, const struct result *r, size_t row, struct group *g,
	      char *why, size_t whylen);

/* Is this id one customdb may answer for? */
bool map_id_allowed(const struct config *c, unsigned long id);

/* Is this gid one customdb may answer for, as a group or in a user's group
 * list? Inside [min_uid, max_uid] or listed in allowed_gids; never 0. */
bool map_gid_allowed(const struct config *c, unsigned long gid);

/* Is this gid one a row may give a user as the primary group? default_gid,
 * or one map_gid_allowed takes: never a system group such as sudo because a
 * row says so. */
bool map_primary_gid_allowed(const struct config *c, unsigned long gid);

/* Read a database boolean ("t", "true", "1", "yes", ...). -1 if not one. */
int map_parse_bool(const char *v);

/* Read an expiry into epoch seconds (0: never): epoch seconds (up to 12
 * digits), MediaWiki's YYYYMMDDHHMMSS (14 digits, UTC), ISO 8601 and SQL's
 * YYYY-MM-DD[( |T)HH:MM[:SS[.frac]][Z|+HH[:MM]]] (UTC unless a zone says
 * otherwise), "infinity" and "" (never), "-infinity" (1: long past),
 * MySQL's zero date 0000-00-00 (never). A time before 1970 is 1. 0, and
 * -1 for anything else (Feb 30 too). */
int map_parse_time(const char *v, int64_t *out);

#endif
