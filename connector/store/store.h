/* store.h: customdb's own user store, for migrate mode.
 *
 * Users who logged in once (trickle migration) or were bulk-imported live
 * here with an argon2id hash (or, after a bulk import, their legacy hash
 * until their first login); from then on the legacy database is never asked
 * about them. SQLite by default ([store] path, mode 0600, owned by root);
 * PostgreSQL ([store] driver = postgresql, connection = libpq string) so
 * that a fleet of hosts shares one store.
 *
 * A struct store is one connection, used by one thread at a time (each
 * daemon worker has its own, like its legacy session). The schema is created
 * and upgraded on open (a schema_version table). */
#ifndef CUSTOMDB_STORE_H
#define CUSTOMDB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "mapping.h"
#include "names.h"

enum store_rc {
	STORE_OK = 0,
	STORE_NOTFOUND = 1,
	STORE_CONFLICT = 2,     /* the uid is taken in the store by another name */
	STORE_TOMBSTONE = 3,    /* deleted on purpose: do not migrate again */
	STORE_EXISTS = 4,       /* bulk import: the name is there already */
	STORE_UNAVAIL = -1,     /* cannot open, locked too long, connection lost */
	STORE_ERROR = -2,
};

struct store;

/* Open (and create or upgrade) the store the config names. NULL with a
 * message in err. */
struct store *store_open(const struct config *cfg, char *err, size_t errlen);
void store_close(struct store *s);

/* A migrated user, with the stored hash in u->password. STORE_OK,
 * STORE_NOTFOUND, STORE_TOMBSTONE (by name only), STORE_UNAVAIL. */
int store_user_by_name(struct store *s, const char *name, struct user *u);
int store_user_by_uid(struct store *s, uid_t uid, struct user *u);

/* Groups kept for migrated users; g->members are the store's users in the
 * group. STORE_OK, STORE_NOTFOUND, STORE_UNAVAIL. */
int store_group_by_name(struct store *s, const char *name, struct group *g);
int store_group_by_gid(struct store *s, gid_t gid, struct group *g);
/* The gids of a store user (*gids malloc'd, *n may be 0): STORE_OK;
 * STORE_NOTFOUND when name is not a store user, STORE_TOMBSTONE when it was
 * deleted on purpose, STORE_UNAVAIL. */
int store_user_groups(struct store *s, const char *name, gid_t **gids, size_t *n);

/* Copy a user from the legacy database into the store, in one transaction:
 * the user row with `hash` (argon2id of the password just verified), the
 * groups (created if missing, by name and gid) and the memberships. Two
 * migrations of the same user at once (two threads, two hosts on one
 * PostgreSQL store) end with one row and both return STORE_OK. A uid
 * already held by another name gives STORE_CONFLICT and writes nothing;
 * a tombstoned name STORE_TOMBSTONE. A group the store holds under another
 * gid (or a gid under another name) is left out, and logged. STORE_ERROR
 * for a user no migration may write (invalid name, uid or gid 0, no hash).
 * STORE_OK is returned only once the commit has returned. */
int store_migrate_user(struct store *s, const struct user *u, const char *hash,
		       const struct group *groups, size_t ngroups);
/* The same, with u's primary group too (NULL: none): its row is written
 * (created if missing, as the groups are) but no membership, so that a
 * per-user group that lists nobody (Debian style) resolves from the store
 * as it did from the legacy database. */
int store_migrate_user_primary(struct store *s, const struct user *u, const char *hash,
			       const struct group *primary, const struct group *groups,
			       size_t ngroups);


/* Remove group name from the store when no store user is a member of it.
 * STORE_OK (removed); STORE_NOTFOUND (no such group, or it has members:
 * kept), STORE_UNAVAIL. */
int store_prune_group(struct store *s, const char *name);

/* Record a successful login (last_login_at). Failure is not fatal. */
int store_touch_login(struct store *s, const char *name);

/* Open the store once and close it again, creating or upgrading the schema:
 * what the daemon does at start. STORE_OK; STORE_UNAVAIL when it cannot be
 * reached now (a PostgreSQL server down, a lock held too long), which a later
 * request may get past; STORE_ERROR for what will not pass by itself (a bad
 * path or connection string, a file others may read, a schema newer than
 * this customdb). err gets the reason. */
int store_check(const struct config *cfg, char *err, size_t errlen);

/* For each of names[0..n), set known[i] when the store has that user or a
 * tombstone for that name: the legacy database is no longer asked about it.
 * STORE_OK or STORE_UNAVAIL. */
int store_names_known(struct store *s, const char *const *names, size_t n, bool *known);

/* --- the user's life after migration (issue 5) -------------------------- */

/* Replace a store user's password hash (argon2id after a password change or
 * a login that re-hashes an imported legacy hash); the salt goes, and
 * must_change_password and imported are cleared. STORE_OK, STORE_NOTFOUND,
 * STORE_UNAVAIL; STORE_ERROR when hash is NULL or empty. */
int store_set_password(struct store *s, const char *name, const char *hash);

/* Change a store user's email (NULL: keep it) and email_verified (-1: keep,
 * 0 or 1: set). STORE_OK, STORE_NOTFOUND, STORE_UNAVAIL. */
int store_set_email(struct store *s, const char *name, const char *email, int verified);

/* Delete a store user (the row and their memberships; groups stay). With
 * tombstone, a tombstone is written too, in the same transaction, so that
 * the name never migrates again; that is done even when the name has no row
 * (an unmigrated user deleted in migrate mode). Without tombstone, any
 * tombstone of the name goes (the user may migrate again). STORE_OK (a row
 * or a tombstone was written or removed), STORE_NOTFOUND (nothing to do),
 * STORE_UNAVAIL. */
int store_delete_user(struct store *s, const char *name, bool tombstone);

/* A uid for a new store user: one more than the highest store uid inside
 * [min, max], or min when there is none (a min of 0 counts as 1: uid 0 is
 * never given). STORE_OK, STORE_NOTFOUND (max is taken, or min > max),
 * STORE_UNAVAIL. */
int store_next_uid(struct store *s, uid_t min, uid_t max, uid_t *uid);

/* What the store knows about a user besides the passwd fields: times are
 * epoch seconds, 0 when not set. */
struct store_meta {
	int64_t migrated_at, updated_at, last_login_at;
	bool imported;       /* bulk-imported, legacy hash not re-hashed yet */
	int64_t deleted_at;  /* a tombstone: the time; else 0 */
};
/* STORE_OK (a row, or a tombstone only: m->deleted_at set), STORE_NOTFOUND,
 * STORE_UNAVAIL. */
int store_user_meta(struct store *s, const char *name, struct store_meta *m);

/* Bulk import (customdb migrate import): one row to write, with the legacy
 * hash kept as it is (u->password, and u->salt for schemes that keep it
 * apart), marked imported; its groups as for store_migrate_user. */
struct store_import {
	const struct user *u;
	const struct group *groups;
	size_t ngroups;
	const struct group *primary;   /* NULL: none (store_migrate_user_primary) */
};
/* Write rows[0..n) in one transaction. rc[i] gets each row's outcome:
 * STORE_OK (written), STORE_EXISTS (the name is already in the store, maybe
 * put there a moment ago by another host: left as it is), STORE_CONFLICT
 * (uid held by another name), STORE_TOMBSTONE (deleted on purpose),
 * STORE_ERROR (a row no migration writes, or text that is not UTF-8).
 * Returns STORE_OK once committed, or STORE_UNAVAIL/STORE_ERROR with nothing
 * written (each rc[i] then holds that code or STORE_ERROR). */
int store_import_users(struct store *s, const struct store_import *rows, size_t n, int *rc);

/* For each of rows[0..n) (u, groups, primary as for an import; hashes
 * unused): make the memberships of store user u->name, when the store's row
 * has u->uid, those of its groups, adding and removing; the groups and the
 * primary group are created if missing, as for store_migrate_user_primary.
 * One transaction. What migrate import does for users already in the store,
 * so that a group gained or lost in the legacy database before it is
 * retired reaches the store. rc[i]: STORE_OK (synced), STORE_NOTFOUND (no
 * such user, a tombstone, or another uid: nothing written). Returns STORE_OK
 * once committed, or STORE_UNAVAIL/STORE_ERROR with nothing written. */
int store_sync_groups(struct store *s, const struct store_import *rows, size_t n, int *rc);

/* Figures for customdb migrate status. */
#define STORE_STATS_DAYS 14
#define STORE_STATS_RECENT 10
struct store_stats {
	long long users;            /* rows in the store */
	long long imported_pending; /* imported, legacy hash not re-hashed by a login yet */
	long long tombstones;
	long long groups;
	/* rows by the UTC day of migrated_at: [0] today, [i] i days ago */
	long long per_day[STORE_STATS_DAYS];
	/* the most recent logins, newest first */
	size_t nrecent;
	struct { char name[CDB_NAME_MAX + 1]; int64_t at; } recent[STORE_STATS_RECENT];
};
int store_stats(struct store *s, struct store_stats *st);

/* Enumeration: up to limit store users (hashes and salts not filled) or
 * groups (with members), in name order (bytewise). *out is malloc'd (NULL
 * when *n is 0), each element for the caller to clear. STORE_OK,
 * STORE_UNAVAIL, STORE_ERROR. */
int store_list_users(struct store *s, size_t limit, struct user **out, size_t *n);
int store_list_groups(struct store *s, size_t limit, struct group **out, size_t *n);

/* Text of an enum store_rc, for logs. */
const char *store_rc_name(int rc);

/* --- the store as the source of truth (store_modify.c) ---------------------- */

/* What store_modify_user changes: the fields whose STORE_SET_ bit is set. */
enum {
	STORE_SET_DISABLED = 1, STORE_SET_EXPIRES = 2, STORE_SET_MUST_CHANGE = 4,
	STORE_SET_SHELL = 8, STORE_SET_GECOS = 16, STORE_SET_HOME = 32, STORE_SET_GID = 64,
};
struct store_change {
	unsigned set;
	bool disabled, must_change_password;
	int64_t expires;          /* epoch seconds; 0: never */
	const char *shell, *gecos, *home;
	gid_t gid;
};
/* Change a store user's fields in one statement. STORE_OK, STORE_NOTFOUND,
 * STORE_UNAVAIL, STORE_ERROR. */
int store_modify_user(struct store *s, const char *name, const struct store_change *c);
/* A new group (no members). STORE_OK; STORE_EXISTS when the name or the
 * gid is taken in the store; STORE_UNAVAIL, STORE_ERROR. */
int store_group_add(struct store *s, const char *name, gid_t gid);
/* A group and its memberships go. STORE_OK, STORE_NOTFOUND, ... */
int store_group_delete(struct store *s, const char *name);
/* Add (add) or remove a store user's membership of a store group. STORE_OK;
 * STORE_NOTFOUND (no such group or user, or, removing, not a member);
 * STORE_EXISTS (adding: a member already); STORE_UNAVAIL, STORE_ERROR. */
int store_group_member(struct store *s, const char *group, const char *user, bool add);
/* A gid for a new group: one more than the highest store gid inside [min,
 * max], or min. STORE_OK, STORE_NOTFOUND (none left), STORE_UNAVAIL. */
int store_next_gid(struct store *s, gid_t min, gid_t max, gid_t *gid);

/* --- for the drivers (store_sqlite.c, store_pgsql.c) ------------------------
 *
 * store.c picks the driver by [store] driver and forwards each call. A
 * driver's struct embeds struct store first. Functions have the contract of
 * the public function of the same name; open also sets *rc (enum store_rc)
 * and fills err on failure. store.c has checked names and rows already:
 * migrate_user and import_users get only rows a migration may write, each
 * with its groups valid, without repeats and in write order (by gid, then
 * name), and a primary group that is valid or NULL; so does sync_groups. */
struct store_ops {
	const char *driver;
	struct store *(*open)(const struct config *cfg, int *rc, char *err, size_t errlen);
	void (*close)(struct store *s);
	int (*user_by_name)(struct store *s, const char *name, struct user *u);
	int (*user_by_uid)(struct store *s, uid_t uid, struct user *u);
	int (*group_by_name)(struct store *s, const char *name, struct group *g);
	int (*group_by_gid)(struct store *s, gid_t gid, struct group *g);
	int (*user_groups)(struct store *s, const char *name, gid_t **gids, size_t *n);
	int (*migrate_user)(struct store *s, const struct user *u, const char *hash,
			    const struct group *primary, const struct group *groups,
			    size_t ngroups);
	int (*sync_groups)(struct store *s, const struct store_import *rows, size_t n, int *rc);
	int (*prune_group)(struct store *s, const char *name);
	int (*touch_login)(struct store *s, const char *name);
	int (*names_known)(struct store *s, const char *const *names, size_t n, bool *known);
	int (*set_password)(struct store *s, const char *name, const char *hash);
	int (*set_email)(struct store *s, const char *name, const char *email, int verified);
	int (*delete_user)(struct store *s, const char *name, bool tombstone);
	int (*next_uid)(struct store *s, uid_t min, uid_t max, uid_t *uid);
	int (*user_meta)(struct store *s, const char *name, struct store_meta *m);
	int (*import_users)(struct store *s, const struct store_import *rows, size_t n, int *rc);
	int (*stats)(struct store *s, struct store_stats *st);
	int (*list_users)(struct store *s, size_t limit, struct user **out, size_t *n);
	int (*list_groups)(struct store *s, size_t limit, struct group **out, size_t *n);
	/* store_modify.c's statements, written for this driver (numbered
	 * placeholders ?N or $N): run sql with text params (NULL: SQL NULL);
	 * *changed gets the rows it changed, *first (may be NULL) the first
	 * column of its first row as a number, when it returns one. */
	int (*exec)(struct store *s, const char *sql, int n, const char *const *params,
		    long long *changed, long long *first);
};

struct store {
	const struct store_ops *ops;
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pgsql_ops;

/* The user columns every driver selects, in this order, as text (NULL for
 * SQL NULL): name, uid, gid, gecos, home, shell, email, email_verified,
 * disabled, password_hash, expires (epoch seconds), salt,
 * must_change_password (schema 2). */
#define STORE_USER_COLUMNS 13

/* Fill u from one row of those columns. STORE_OK, or STORE_ERROR (out of
 * memory, a row no migration writes); u is cleared on failure. */
int store_fill_user(struct user *u, const char *const *cells);

/* Fill g from a group row: name, gid and members joined by ','. */
int store_fill_group(struct group *g, const char *name, const char *gid, const char *members);

#endif
