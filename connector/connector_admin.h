/* connector_admin.h: one user's life as the administrator changes it
 * (customdb user add|show|modify|verify|delete): create, verify the email,
 * change it, delete, and say where a user lives. Password changes are
 * connector_change_password (connector.h), shared with PAM.
 *
 * Legacy mode: the writing queries of [queries] (create, verify,
 * change_email, delete) do the work; the database decides the rest (ids it
 * picks, what "verified" means).
 * Migrate mode: a migrated user is changed in the store alone; a user the
 * legacy database still answers for is changed there, through the same
 * queries; a new user goes straight into the store. A deletion removes the
 * store row and leaves a tombstone so that the legacy row, which stays, does
 * not silently migrate back at the next login.
 *
 * Only users customdb answers for (mapping.h) are changed: a name or uid it
 * never answers for is "not found" here too. Every function fills why (a
 * sentence for the administrator, naming the query or config key at fault)
 * when it does not return CONN_OK. */
#ifndef CUSTOMDB_CONNECTOR_ADMIN_H
#define CUSTOMDB_CONNECTOR_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "connector.h"
#include "store.h"

/* Where a user's record is. */
enum user_place {
	PLACE_LEGACY,   /* the legacy database (in migrate mode: not migrated yet) */
	PLACE_STORE,    /* migrated: the store alone answers for them */
	PLACE_DELETED,  /* migrate mode: deleted on purpose (a tombstone) */
};

const char *user_place_name(enum user_place p);   /* "legacy", "store", "deleted" */

/* Find name where the connector would: in migrate mode the store first (a
 * row or a tombstone), then the legacy database. CONN_OK with *place, u
 * filled (no hash; for PLACE_LEGACY get_user's record with the account
 * state the login query gives: disabled, expires, email_verified,
 * must_change_password) and, for PLACE_STORE and PLACE_DELETED, *meta (times,
 * imported; deleted_at for a tombstone, u then empty); CONN_NOTFOUND,
 * CONN_UNAVAIL, CONN_ERROR. meta may be NULL. */
int connector_locate_user(struct session *s, const char *name, struct user *u,
			  enum user_place *place, struct store_meta *meta);

/* CONN_OK when name can be a user's customdb answers for (names.h), else
 * CONN_ERROR with why saying what a name may be. */
int connector_check_name(const char *name, char *why, size_t whylen);

/* Legacy mode: CONN_OK when query id (a writing query) is configured,
 * else CONN_ERROR with why naming the query and the config file. Migrate
 * mode: CONN_OK (the store does the work for migrated users; for the others
 * the functions below say so when they need the query). */
int connector_query_ready(const struct config *cfg, enum query_id id, char *why, size_t whylen);

/* A user to create. */
struct new_user {
	const char *name;
	const char *email;     /* NULL: none (:email is NULL) */
	uid_t uid;             /* 0: the create query picks (legacy mode) or
				* the store does (migrate mode) */
	bool reuse_deleted;    /* migrate mode: a tombstoned name may be given
				* to the new user (the tombstone goes) */
};

/* Whether nu can be created under this config, before anything is asked
 * of the database (or of the administrator, such as a password): a valid
 * name, a uid inside [min_uid, max_uid], a plausible email, and the queries
 * the mode needs (legacy: create; migrate: get_user_by_uid, to keep a new
 * uid clear of the legacy database's). CONN_OK, or CONN_ERROR with why. */
int connector_create_ready(const struct config *cfg, const struct new_user *nu, char *why,
			   size_t whylen);

/* Whether a name is free for a new user: CONN_OK when it is; CONN_EXISTS
 * when the legacy database returns any row for it through get_user (even
 * one customdb does not answer for: the name is still taken there), when
 * the store has it, or when it was deleted on purpose (unless
 * reuse_deleted); CONN_UNAVAIL, CONN_ERROR. */
int connector_name_free(struct session *s, const char *name, bool reuse_deleted, char *why,
			size_t whylen);

/* Create nu with password, in this order: get_user (the name must be
 * free: connector_name_free), the write, then a login with the password
 * (connector_authenticate) to confirm that customdb can use what was
 * written.
 * Legacy mode: the create query with :username, :email, :uid (NULL when
 * nu->uid is 0) and :password_hash (password_scheme, password_cost); a
 * given uid must not be known to get_user_by_uid (when configured).
 * Migrate mode: a store row (default gid, shell and home; email_verified
 * false when an email is given, else not said) with an argon2id hash; the
 * uid is nu->uid or the first one above the store's highest that neither
 * the store nor get_user_by_uid knows.
 * *created is set once the write is done. On CONN_OK *out (may be NULL)
 * holds the user as the login saw it. CONN_EXISTS (name or uid taken),
 * CONN_AUTH_ERR (written, but the login with the new password fails: the
 * create and login queries disagree), CONN_UNAVAIL, CONN_ERROR. */
int connector_create_user(struct session *s, const struct new_user *nu, const char *password,
			  struct user *out, bool *created, char *why, size_t whylen);

/* Mark name's email verified: the verify query (with :username, :uid and
 * :email, the address get_user returns), or for a migrated user the store
 * row. CONN_OK, CONN_NOTFOUND, CONN_UNAVAIL, CONN_ERROR. */
int connector_verify_email(struct session *s, const char *name, char *why, size_t whylen);

/* Change name's email to email: the change_email query (:username, :uid,
 * :email), or for a migrated user the store row, whose email_verified
 * becomes false (a new address is not verified yet). CONN_OK,
 * CONN_NOTFOUND, CONN_UNAVAIL, CONN_ERROR. */
int connector_change_email(struct session *s, const char *name, const char *email, char *why,
			   size_t whylen);

/* Delete name. Legacy mode: the delete query (:username, :uid). Migrate
 * mode: the store row goes, and with tombstone a tombstone is written (for
 * a user not migrated yet too) so that the legacy row, which stays, never
 * migrates back; without it, a tombstone of the name goes too, and the
 * user may migrate again at the next login. CONN_OK, CONN_NOTFOUND (no
 * such user, already deleted, or nothing to undo), CONN_UNAVAIL,
 * CONN_ERROR. */
int connector_delete_user(struct session *s, const char *name, bool tombstone, char *why,
			  size_t whylen);

/* --- the store as the source of truth (customdb user modify, customdb group) ---
 *
 * The store's users and groups are changed in the store. Legacy mode, and a
 * user migrate mode has not migrated yet: no query of [queries] writes
 * these, so CONN_ERROR says so (and what to do instead). */

/* Whether c can be written under cfg, before anything is asked of the
 * store: something to change, shell and home absolute, no ':' or newline in
 * any field, a gid map_primary_gid_allowed takes. CONN_OK, or CONN_ERROR
 * with why. */
int connector_modify_check(const struct config *cfg, const struct store_change *c, char *why,
			   size_t whylen);
/* Change name's fields (c->set) in the store, all in one statement.
 * CONN_OK, CONN_NOTFOUND, CONN_ERROR (bad input, or the legacy database
 * holds the user), CONN_UNAVAIL. */
int connector_modify_user(struct session *s, const char *name, const struct store_change *c,
			  char *why, size_t whylen);
/* A new store group; *gid 0: the first free one above the store's highest
 * in [min_uid, max_uid] (set on CONN_OK). The name and the gid must be free
 * wherever the connector answers for groups, except that a legacy group is
 * taken into the store under its own name and gid (*gid 0: its gid).
 * CONN_OK, CONN_EXISTS, CONN_ERROR (bad input, legacy mode), CONN_UNAVAIL. */
int connector_group_add(struct session *s, const char *name, gid_t *gid, char *why,
			size_t whylen);
/* A store group and its memberships go (in migrate mode a legacy group of
 * the name is answered again). CONN_OK, CONN_NOTFOUND, CONN_ERROR,
 * CONN_UNAVAIL. */
int connector_group_delete(struct session *s, const char *name, char *why, size_t whylen);
/* Add (add) or remove store user `user` to or from store group `group`.
 * CONN_OK, CONN_NOTFOUND (no such group or user in the store; removing: not
 * a member), CONN_EXISTS (a member already), CONN_ERROR, CONN_UNAVAIL. */
int connector_group_member(struct session *s, const char *group, const char *user, bool add,
			   char *why, size_t whylen);

#endif
