/* mode.h: the modes, one file each, behind one interface chosen once at
 * start (connector_init, from [customdb] mode), as backend_ops and store_ops
 * are for the drivers. Shared by the connector's own files only.
 *
 *   mode_legacy.c    the legacy database is the truth
 *   mode_migrate.c   the store first, then the legacy database (trickle
 *                    migration)
 *   mode_store.c     the store alone: the legacy database is retired and
 *                    never opened
 *
 * A mode holds only what differs between modes. The rules every mode keeps
 * are applied once, by the entry points of connector.h before they ask the
 * mode: a name customdb answers for (names.h), a uid or gid inside the
 * configured range (mapping.h), who may ask about whom, an empty password.
 * The legacy database's questions (legacy_db.c) and the password
 * verification (connector_verify.c) are written once, for every mode. */
#ifndef CUSTOMDB_MODE_H
#define CUSTOMDB_MODE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "connector.h"

/* Where a mode's users live (mode_ops.sources): who is asked, in which
 * order (the store first), and where what the administrator changes goes. */
enum mode_source {
	SRC_LEGACY = 1,   /* the legacy database, through [queries] */
	SRC_STORE = 2,    /* the store (store.h), the truth for those it holds */
};

struct new_user;

struct mode_ops {
	const char *name;
	unsigned sources;   /* enum mode_source bits */
	/* At start: can the mode work with cfg? 0, or -1 with err (a store
	 * that cannot be reached now is only logged). NULL: nothing to check. */
	int (*check)(const struct config *cfg, char *err, size_t errlen);
	/* Look-ups, as connector.h; name already valid, uid or gid allowed. */
	int (*user_by_name)(struct session *s, const char *name, struct user *u);
	int (*user_by_uid)(struct session *s, uid_t uid, struct user *u);
	int (*group_by_name)(struct session *s, const char *name, struct group *g);
	int (*group_by_gid)(struct session *s, gid_t gid, struct group *g);
	int (*user_groups)(struct session *s, const char *name, gid_t **gids, size_t *n);
	/* The account step for a valid name (why set to ""). */
	int (*account)(struct session *s, const char *name, uid_t caller_uid, char *why,
		       size_t whylen);
	/* connector_authenticate for a valid name; *u cleared on entry, kept by
	 * the caller on CONN_OK. */
	int (*authenticate)(struct session *s, const char *name, const char *password,
			    uid_t caller_uid, bool *denied, struct user *u);
	/* connector_change_password once the shared checks passed. */
	int (*change_password)(struct session *s, const char *name, const char *old,
			       const char *new_pw, uid_t caller_uid, bool check_only, char *why,
			       size_t whylen);
	/* Write new_pw for u, a user the legacy database answers for whose old
	 * password (if any) was checked: legacy mode through change_password,
	 * migrate mode by migrating u with it. cols: as legacy_authenticate. */
	int (*write_legacy_password)(struct session *s, struct user *u, unsigned cols,
				     const char *new_pw, char *why, size_t whylen);
	/* --- the administrator's changes (connector_admin.h) --- */
	/* What creating a user needs of cfg besides a valid name, uid and
	 * email: CONN_OK, or CONN_ERROR with why. */
	int (*create_ready)(const struct config *cfg, char *why, size_t whylen);
	/* Write nu (its name known to be free) with password; *created once
	 * written. CONN_OK, CONN_EXISTS, CONN_UNAVAIL, CONN_ERROR, with why. */
	int (*create_user)(struct session *s, const struct new_user *nu, const char *password,
			   bool *created, char *why, size_t whylen);
	/* Delete name, found at place (enum user_place) as u (empty for a
	 * tombstone): as connector_delete_user. */
	int (*delete_user)(struct session *s, const char *name, const struct user *u, int place,
			   bool tombstone, char *why, size_t whylen);
};

/* Does the session's mode keep users in src? */
static inline bool mode_has(const struct session *s, enum mode_source src)
{
	return (s->conn->mode->sources & src) != 0;
}

/* The mode of cfg (its [customdb] mode). */
const struct mode_ops *mode_of(const struct config *cfg);

extern const struct mode_ops mode_legacy;
extern const struct mode_ops mode_migrate;
extern const struct mode_ops mode_store;

/* --- mode_migrate.c: the store's half, shared with store mode ----------------------- */

/* A user in the store, by name (name != NULL) or by uid: STORE_OK (u filled;
 * the hash kept only when want_hash), STORE_NOTFOUND, STORE_TOMBSTONE
 * (deleted, or a row that breaks the rules), STORE_UNAVAIL. */
int store_find_user(struct session *s, const char *name, uid_t uid, bool want_hash,
		    struct user *u);
/* A group the store holds, by name (name != NULL) or by gid: STORE_OK (g
 * filled), STORE_NOTFOUND (not held), STORE_TOMBSTONE (held, but the rules
 * of mapping.h refuse it), STORE_UNAVAIL (the store cannot be asked). */
int store_group_find(struct session *s, const char *name, gid_t gid, struct group *g);
/* The store's groups of name, those the rules of mapping.h refuse left out:
 * STORE_OK with *gids (malloc'd) and *n, or another enum store_rc with
 * nothing to free (STORE_UNAVAIL when the store cannot be opened). */
int store_groups_of(struct session *s, const char *name, gid_t **gids, size_t *n);
/* A store user's login (u as store_find_user gave it, with the hash). */
int store_login(struct session *s, const char *password, uid_t caller_uid, bool *denied,
		const struct user *u);
/* The store's half of change_password: a user it does not hold is asked of
 * the legacy database when the mode has one, else not found. */
int migrate_change_password(struct session *s, const char *name, const char *old,
			    const char *new_pw, uid_t caller_uid, bool check_only, char *why,
			    size_t whylen);
/* create_user and delete_user of a store row; check: the store at start. */
int store_create_user(struct session *s, const struct new_user *nu, const char *password,
		      bool *created, char *why, size_t whylen);
int store_delete(struct session *s, const char *name, const struct user *u, int place,
		 bool tombstone, char *why, size_t whylen);
int migrate_check(const struct config *cfg, char *err, size_t errlen);

/* --- connector.c: the rules every mode keeps ---------------------------------- */

/* The account rules of pam_unix, for a user from any source. */
int account_rules(const struct config *cfg, const struct user *u, uid_t caller_uid, char *why,
		  size_t whylen);

/* A login's write of what (enum conn_held): in a dry run it is noted in
 * s->held and true is returned -- the caller writes nothing; else false. */
bool session_hold(struct session *s, unsigned what);

/* --- connector_admin.c: the administrator's changes, for every mode ---------------- */

/* Whether uid is free: not in the store (when the mode has one) and not
 * known to get_user_by_uid (when configured). CONN_OK, CONN_EXISTS,
 * CONN_UNAVAIL, CONN_ERROR. */
int admin_uid_free(struct session *s, uid_t uid, char *why, size_t whylen);
/* why = "the store: what: <the store's rc>". */
void admin_store_why(int rc, const char *what, char *why, size_t whylen);

/* --- connector_verify.c --------------------------------------------------------- */

/* One verification's worth of work for a user who has no usable hash. */
void dummy_verify(const struct connector *cn, const char *password);

/* --- legacy_db.c: the legacy database, for every mode ---------------------------- */

/* Columns of a user query's result that a migration would otherwise take
 * from get_user. */
enum {
	COL_GID = 1, COL_GECOS = 2, COL_HOME = 4, COL_SHELL = 8, COL_EMAIL = 16,
	COL_PASSWD_FIELDS = COL_GID | COL_GECOS | COL_HOME | COL_SHELL,
};

/* Run a user query and map the one row whose user name (or uid) is the one
 * asked for. A row that breaks the rules is "not found". *cols (may be NULL)
 * gets the COL_ bits of the columns the result has. */
int fetch_user(struct session *s, enum query_id id, const struct query_args *a,
	       const char *want_name, uid_t want_uid, bool need_password, struct user *u,
	       unsigned *cols);
int legacy_user_by_name(struct session *s, const char *name, struct user *u);
int legacy_user_by_uid(struct session *s, uid_t uid, struct user *u);
int legacy_group_by_name(struct session *s, const char *name, struct group *g);
int legacy_group_by_gid(struct session *s, gid_t gid, struct group *g);
int legacy_user_groups(struct session *s, const char *name, gid_t **gids, size_t *n);
/* The legacy login; on CONN_OK *out (if not NULL) holds the user and *cols
 * (if not NULL) the COL_ bits of the login query's result. */
int legacy_authenticate(struct session *s, const char *name, const char *password,
			uid_t caller_uid, bool *denied, struct user *out, unsigned *cols);
int legacy_account(struct session *s, const char *name, uid_t caller_uid, char *why,
		   size_t whylen);
/* Write new_hash (and salt, when the scheme keeps one in a column of its
 * own, else "" or NULL; and the new password as typed, for a source that
 * hashes it itself) through the change_password query:
 * connector_legacy_write, a failure of the query logged. */
int legacy_write_hash(struct session *s, const char *name, const char *new_hash,
		      const char *salt, const char *new_pw);
/* The change for a user the legacy database answers for: check old (when
 * given) with the login query, then the mode's write_legacy_password. */
int legacy_change_password(struct session *s, const char *name, const char *old,
			   const char *new_pw, uid_t caller_uid, bool check_only, char *why,
			   size_t whylen);

#endif
