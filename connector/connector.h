/* connector.h: what the daemon and the tool ask of the legacy database and,
 * in migrate mode, of the store.
 *
 * A connector holds the config and the chosen backend; a session is one
 * connection (and in migrate mode one store connection), used by one thread
 * at a time and kept across requests. Every answer holds the rules of
 * mapping.h, whatever the database or the store says.
 *
 * Migrate mode (trickle migration): every question goes to the store first.
 * A user in the store is answered from the store alone; the legacy database
 * is never asked about them again (login, look-up, groups); so is a group
 * the store holds (its members are the store's users). A user who is not
 * there yet is answered by the legacy queries, and their first successful
 * login copies them into the store with the password re-hashed (argon2id)
 * before it is reported as a success. A store that cannot be reached makes
 * every answer CONN_UNAVAIL: without it nobody can tell who is migrated. */
#ifndef CUSTOMDB_CONNECTOR_H
#define CUSTOMDB_CONNECTOR_H

#include <stdbool.h>
#include <sys/types.h>

#include "backend.h"
#include "config.h"
#include "mapping.h"

enum conn_rc {
	CONN_OK = 0,
	CONN_NOTFOUND = 1,
	CONN_AUTH_ERR = 2,      /* wrong password or unusable stored hash */
	CONN_DISABLED = 3,
	CONN_EXPIRED = 4,
	CONN_DENIED = 5,        /* the caller may not ask about this user */
	CONN_NEW_AUTHTOK = 6,   /* account step: must change the password */
	CONN_EXISTS = 7,        /* a new user's name or uid is taken */
	CONN_UNAVAIL = -1,      /* database unreachable or too slow */
	CONN_ERROR = -2,        /* bad query, out of memory */
};

struct mode_ops;

struct connector {
	const struct config *cfg;
	const struct backend_ops *ops;
	const struct mode_ops *mode;   /* mode.h: chosen once, from cfg->mode */
	struct backend_params params;
};

struct store;

/* What a dry run left unwritten (session.held): what a real login would
 * have written. */
enum conn_held {
	HELD_MIGRATION = 1,    /* the user, their groups and hash into the store */
	HELD_REHASH = 2,       /* the stored hash replaced by a stronger one */
	HELD_LAST_LOGIN = 4,   /* the store's last_login_at */
};

struct session {
	struct connector *conn;
	struct backend *b;      /* NULL until first used, and after a failure */
	struct store *store;    /* migrate mode: NULL until first used */
	/* A dry run (customdb try without --commit): connector_authenticate
	 * checks what the daemon checks and writes nothing -- no migration, no
	 * re-hash, no last-login. False from session_init: the daemon's
	 * sessions always write. */
	bool dry_run;
	/* Set by connector_authenticate in a dry run: enum conn_held bits. */
	unsigned held;
};

/* Set up a connector over cfg (which must outlive it). In migrate mode the
 * store is opened once (its schema created or upgraded): a store that cannot
 * be used as configured (path, permissions, connection string, schema) is an
 * error; one that cannot be reached now is only logged. 0, or -1 with err. */
int connector_init(struct connector *cn, const struct config *cfg, char *err, size_t errlen);

void session_init(struct session *s, struct connector *cn);
void session_close(struct session *s);

/* Run query id with args; *out is the result the caller frees. enum conn_rc
 * (CONN_OK, CONN_UNAVAIL or CONN_ERROR; CONN_AUTH_ERR when the source
 * refused the :password the query took); err gets the reason. A query that
 * is not configured gives CONN_NOTFOUND, and so does one given a :uid or
 * :gid below its [legacy] offset (a writing query: CONN_ERROR). The names
 * and ids go through namemap.h both ways. */
int session_query(struct session *s, enum query_id id, const struct query_args *a,
		  struct result **out, char *err, size_t errlen);

/* Look a user up by name (get_user) or uid (get_user_by_uid). */
int connector_user_by_name(struct session *s, const char *name, struct user *u);
int connector_user_by_uid(struct session *s, uid_t uid, struct user *u);
/* Look a group up by name (get_group) or gid (get_group_by_gid). */
int connector_group_by_name(struct session *s, const char *name, struct group *g);
int connector_group_by_gid(struct session *s, gid_t gid, struct group *g);
/* Supplementary gids of a user (user_groups); *gids is malloc'd. A user with
 * no user_groups query configured has none. */
int connector_user_groups(struct session *s, const char *name, gid_t **gids, size_t *n);
/* The legacy groups of a user, as a migration copies them into the store
 * (user_groups; groups the rules reject left out). *out is an array of *n
 * groups for the caller to clear and free. CONN_OK, CONN_UNAVAIL,
 * CONN_ERROR. Also used by customdb migrate import. */
int legacy_group_list(struct session *s, const char *name, struct group **out, size_t *n);
/* The legacy database's group of gid (get_group_by_gid): what a migration
 * copies as the user's primary group, members or none, and what migrate
 * import asks before it removes a group from the store. CONN_OK with *found
 * (and *g filled) or not (no such group, not in range, no query),
 * CONN_UNAVAIL, CONN_ERROR. */
int legacy_group_of_gid(struct session *s, gid_t gid, struct group *g, bool *found);

/* Verify name's password with the login query. When caller_uid is not 0 the
 * user's uid must be caller_uid (CONN_DISABLED is never returned here: the
 * account step says that). On CONN_OK, *u (if not NULL) holds the user.
 * Unknown users cost a dummy verification. Returns CONN_OK, CONN_AUTH_ERR,
 * CONN_NOTFOUND, CONN_UNAVAIL, CONN_ERROR; *denied is set when the caller
 * may not authenticate as name.
 * Migrate mode: a store user is verified against the store's hash. Anyone
 * else goes through the login query and, when the password is right and the
 * account neither disabled nor expired, is migrated (user, groups, argon2id
 * hash, one transaction) before CONN_OK is returned; a migration that cannot
 * be written gives CONN_UNAVAIL, a uid held in the store by another name
 * CONN_AUTH_ERR (logged). A disabled or expired account is not migrated and
 * still gets CONN_OK here: the account step refuses it.
 * A dry run (s->dry_run) gives the same answer and writes nothing: s->held
 * says what the login would have written (a migration's checks are made,
 * a uid held in the store by another name included). */
int connector_authenticate(struct session *s, const char *name, const char *password,
			   uid_t caller_uid, bool *denied, struct user *u);

/* Does the legacy source check passwords itself? A login query that takes
 * :password (a web service asked with the user's own Basic Auth, an action
 * script) answers only for the right password: its row carries no hash,
 * and a wrong password comes back from the query as CONN_AUTH_ERR. Such a
 * query cannot be asked without the password, so the account step reads
 * the account state from get_user instead (connector_record_query). */
bool connector_login_checks_password(const struct config *cfg);
/* The query that reads a user's record and account state without their
 * password: login, or get_user when login needs the password. */
enum query_id connector_record_query(const struct config *cfg);

/* Verify password against u's stored hash (and salt) with the config's
 * hash settings: CONN_OK or CONN_AUTH_ERR (wrong, missing or unusable hash;
 * the last two logged once per user). */
int connector_verify_user(const struct connector *cn, const struct user *u, const char *password);

/* The account step: CONN_OK, CONN_DISABLED (disabled, or unverified email
 * with require_verified), CONN_EXPIRED, CONN_NOTFOUND, CONN_UNAVAIL, and
 * CONN_DENIED when caller_uid is not 0 and not the user's own uid. why gets
 * a message for the user when not CONN_OK. */
int connector_account(struct session *s, const char *name, uid_t caller_uid, char *why,
		      size_t whylen);

/* Change name's password to new_pw (PAM chauthtok, customdb user passwd).
 * old: the old password, checked first; NULL to change without it, which
 * only root may (caller_uid 0). A caller that is not root may change only
 * its own password. check_only: check old and write nothing (the PAM prelim
 * phase).
 * Legacy mode: a hash in password_scheme goes to the change_password query.
 * Migrate mode: a store user gets a new argon2id hash; an unmigrated user is
 * migrated with the new password (after old is checked through the legacy
 * login query, when given).
 * CONN_OK, CONN_AUTH_ERR (old wrong), CONN_NOTFOUND, CONN_DENIED,
 * CONN_UNAVAIL, CONN_ERROR (no change_password query, the query changed no
 * row). why gets a message for the user when not CONN_OK. */
int connector_change_password(struct session *s, const char *name, const char *old,
			      const char *new_pw, uid_t caller_uid, bool check_only, char *why,
			      size_t whylen);

/* Enumeration (getpwent/getgrent, enumerate = yes): the store's users and
 * groups (migrate mode), then the legacy list_users / list_groups results
 * for names not in the store, each name once, holding the mapping rules,
 * at most enumerate_limit. Users come without hashes. *out is malloc'd, each
 * element for the caller to clear. CONN_OK (maybe 0 entries), CONN_UNAVAIL,
 * CONN_ERROR. */
int connector_list_users(struct session *s, struct user **out, size_t *n);
int connector_list_groups(struct session *s, struct group **out, size_t *n);

/* --- shared by the connector's own files (connector*.c) only ----------------- */

/* The session's store connection (migrate mode), opened on first use; NULL
 * (logged) when it cannot be opened now. */
struct store *session_store(struct session *s);
/* Does a store row hold the rules of mapping.h (a store filled under another
 * [min_uid, max_uid] is not answered outside the current one)? */
bool store_user_ok(const struct config *cfg, const struct user *u);
bool store_group_ok(const struct config *cfg, const struct group *g);
/* Append to g the members of the legacy group lg that the store (already
 * opened) does not know, and that g does not hold yet: for a migrated user
 * the store alone says which groups they are in. CONN_OK, CONN_UNAVAIL,
 * CONN_ERROR. */
int add_legacy_members(struct session *s, const struct group *lg, struct group *g);
/* CONN_ERROR, with why saying that query id is not configured, and where. */
int connector_not_configured(const struct config *cfg, enum query_id id, char *why,
			     size_t whylen);
/* Run the writing query id with a. CONN_OK; CONN_NOTFOUND when it changed no
 * row and returned none; CONN_ERROR (not configured, refused by the
 * database), CONN_UNAVAIL; why says what went wrong. */
int connector_legacy_write(struct session *s, enum query_id id, const struct query_args *a,
			   char *why, size_t whylen);

/* The connector's answer for a store result (enum store_rc), the one rule
 * of both the daemon and the tool: a user deleted on purpose (a tombstone)
 * is "not found", as one never migrated; a uid or name the store holds is
 * CONN_EXISTS; STORE_ERROR is CONN_ERROR and anything else CONN_UNAVAIL. A
 * caller for whom a tombstone means "the name is taken" (creating a user)
 * says so itself. */
int conn_of_store(int rc);

/* Text of an enum conn_rc, for logs. */
const char *conn_rc_name(int rc);

#endif
