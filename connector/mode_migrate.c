/* mode_migrate.c: migrate mode (trickle migration), see connector.h: the
 * store first; a user it does not hold is answered by the legacy database
 * and migrated at their first successful login. */
#include "connector_admin.h"
#include "mode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "log.h"
#include "names.h"
#include "secret.h"
#include "store.h"

/* The rules of mapping.h hold for store rows too (a store filled under
 * another [min_uid, max_uid] is not answered outside the current one). */
bool store_user_ok(const struct config *cfg, const struct user *u)
{
	return cdb_name_valid(u->name, strlen(u->name)) && map_id_allowed(cfg, u->uid) &&
	       map_primary_gid_allowed(cfg, u->gid) && u->home[0] == '/' &&
	       strpbrk(u->gecos, ":\n") == NULL && strpbrk(u->home, ":\n") == NULL &&
	       strpbrk(u->shell, ":\n") == NULL;
}

static void drop_hash(struct user *u)
{
	if (u->password != NULL)
		secret_wipe_str(u->password);
	free(u->password);
	u->password = NULL;
}

/* A user in the store, by name (name != NULL) or by uid. STORE_OK (u filled;
 * the hash kept only when want_hash), STORE_NOTFOUND (the legacy database
 * may be asked), STORE_TOMBSTONE (a final no: deleted, or a row that breaks
 * the rules), STORE_UNAVAIL. */
int store_find_user(struct session *s, const char *name, uid_t uid, bool want_hash,
		    struct user *u)
{
	struct store *st = session_store(s);
	int rc;

	memset(u, 0, sizeof(*u));
	if (st == NULL)
		return STORE_UNAVAIL;
	rc = name != NULL ? store_user_by_name(st, name, u) : store_user_by_uid(st, uid, u);
	if (rc != STORE_OK) {
		user_clear(u);
		return rc == STORE_ERROR ? STORE_UNAVAIL : rc;
	}
	if (!store_user_ok(s->conn->cfg, u)) {
		log_msg(LOG_WARNING, "store: user %s (uid %lu) breaks the rules (name, uid range, "
			"passwd fields); not answered", u->name, (unsigned long)u->uid);
		user_clear(u);
		return STORE_TOMBSTONE;
	}
	if (!want_hash)
		drop_hash(u);
	return STORE_OK;
}

/* A user the legacy database answered for in migrate mode. The key looked up
 * is known to be absent from the store; the other one must not be the
 * store's either: a uid the store gives another name is not handed out twice,
 * and a name migrated under another uid is the store's to answer. CONN_OK (u
 * kept, or replaced by the store's row when the user was migrated just now),
 * CONN_NOTFOUND (u cleared), CONN_UNAVAIL. */
static int legacy_cross_check(struct session *s, bool by_name, struct user *u)
{
	struct user o;
	int rc;

	rc = by_name ? store_find_user(s, NULL, u->uid, false, &o)
		     : store_find_user(s, u->name, 0, false, &o);
	if (rc == STORE_NOTFOUND)
		return CONN_OK;
	if (rc == STORE_OK && strcmp(o.name, u->name) == 0 && o.uid == u->uid) {
		user_clear(u);
		*u = o;
		return CONN_OK;
	}
	if (rc == STORE_OK && by_name)
		log_msg(LOG_WARNING, "legacy user %s: uid %lu belongs to %s in the store; not answered",
			u->name, (unsigned long)u->uid, o.name);
	user_clear(&o);
	user_clear(u);
	return rc == STORE_UNAVAIL ? CONN_UNAVAIL : CONN_NOTFOUND;
}

bool store_group_ok(const struct config *cfg, const struct group *g)
{
	return cdb_name_valid(g->name, strlen(g->name)) && map_gid_allowed(cfg, g->gid);
}

/* Append to g the members of the legacy group lg that the store does not
 * know: for a migrated user the store alone says which groups they are in.
 * CONN_OK, CONN_UNAVAIL, CONN_ERROR. */
int add_legacy_members(struct session *s, const struct group *lg, struct group *g)
{
	bool *known = NULL;
	char **m;
	size_t i, j;
	int rc = CONN_OK;

	if (lg->nmembers == 0)
		return CONN_OK;
	known = calloc(lg->nmembers, sizeof(*known));
	m = realloc(g->members, (g->nmembers + lg->nmembers) * sizeof(*m));
	if (known == NULL || m == NULL) {
		if (m != NULL)
			g->members = m;
		rc = CONN_ERROR;
		goto out;
	}
	g->members = m;
	if (store_names_known(s->store, (const char *const *)lg->members, lg->nmembers, known) !=
	    STORE_OK) {
		rc = CONN_UNAVAIL;
		goto out;
	}
	for (i = 0; i < lg->nmembers; i++) {
		if (known[i])
			continue;
		for (j = 0; j < g->nmembers; j++)
			if (strcmp(g->members[j], lg->members[i]) == 0)
				break;
		if (j < g->nmembers)
			continue;
		g->members[g->nmembers] = strdup(lg->members[i]);
		if (g->members[g->nmembers] == NULL) {
			rc = CONN_ERROR;
			goto out;
		}
		g->nmembers++;
	}
out:
	free(known);
	return rc;
}

/* A group the store does not hold, in migrate mode: the legacy group
 * without the migrated members, unless the store holds its name or gid (the
 * key not looked up) as another group's. */
static int migrate_legacy_group(struct session *s, struct group *lg, bool by_name,
				struct group *g)
{
	struct group o;
	int rc;

	rc = by_name ? store_group_by_gid(s->store, lg->gid, &o)
		     : store_group_by_name(s->store, lg->name, &o);
	if (rc == STORE_OK) {
		log_msg(LOG_WARNING, "legacy group %s (gid %lu): the store has %s with gid %lu; not "
			"answered", lg->name, (unsigned long)lg->gid, o.name, (unsigned long)o.gid);
		group_clear(&o);
		return CONN_NOTFOUND;
	}
	if (rc != STORE_NOTFOUND)
		return CONN_UNAVAIL;
	g->name = lg->name;
	g->gid = lg->gid;
	lg->name = NULL;
	rc = add_legacy_members(s, lg, g);
	if (rc != CONN_OK)
		group_clear(g);
	return rc;
}

/* Store first: a group the store holds is the store's alone (its members
 * are the store's users in it); the legacy database is asked only for a
 * group the store does not hold. A legacy member not migrated yet is in
 * the group through initgroups (user_groups for that user goes to the
 * legacy database), not in the store's member list. */
int store_group_find(struct session *s, const char *name, gid_t gid, struct group *g)
{
	struct store *st = session_store(s);
	int rc;

	if (st == NULL)
		return STORE_UNAVAIL;
	rc = name != NULL ? store_group_by_name(st, name, g) : store_group_by_gid(st, gid, g);
	if (rc == STORE_OK && !store_group_ok(s->conn->cfg, g)) {
		group_clear(g);
		return STORE_TOMBSTONE;
	}
	if (rc != STORE_OK)
		group_clear(g);
	return rc;
}

static int migrate_group_lookup(struct session *s, const char *name, gid_t gid, struct group *g)
{
	struct group lg = { 0 };
	int rc;

	rc = store_group_find(s, name, gid, g);
	if (rc == STORE_OK)
		return CONN_OK;
	if (rc != STORE_NOTFOUND)   /* held but refused by the rules, or no store now */
		return rc == STORE_TOMBSTONE ? CONN_NOTFOUND : CONN_UNAVAIL;
	rc = name != NULL ? legacy_group_by_name(s, name, &lg) : legacy_group_by_gid(s, gid, &lg);
	if (rc == CONN_OK)
		rc = migrate_legacy_group(s, &lg, name != NULL, g);
	group_clear(&lg);
	return rc;
}

/* The passwd fields the login query does not return, from get_user, so
 * that the store keeps the record look-ups showed before the migration.
 * CONN_OK, CONN_UNAVAIL, CONN_ERROR (the two queries disagree). */
static int complete_user(struct session *s, struct user *u, unsigned cols)
{
	struct user g;
	char *t;
	int rc;

	if ((cols & COL_PASSWD_FIELDS) == COL_PASSWD_FIELDS)
		return CONN_OK;
	rc = legacy_user_by_name(s, u->name, &g);
	if (rc == CONN_OK && g.uid != u->uid)
		rc = CONN_NOTFOUND;
	if (rc == CONN_NOTFOUND) {
		log_msg(LOG_ERR, "user %s: not migrated: get_user does not return the user (and "
			"uid) the login query does", u->name);
		rc = CONN_ERROR;
	}
	if (rc != CONN_OK)
		goto out;
#define TAKE(field) do { t = u->field; u->field = g.field; g.field = t; } while (0)
	if (!(cols & COL_GID))
		u->gid = g.gid;
	if (!(cols & COL_GECOS))
		TAKE(gecos);
	if (!(cols & COL_HOME))
		TAKE(home);
	if (!(cols & COL_SHELL))
		TAKE(shell);
	if (!(cols & COL_EMAIL) && g.email != NULL)
		TAKE(email);
#undef TAKE
out:
	user_clear(&g);
	return rc;
}

int legacy_group_of_gid(struct session *s, gid_t gid, struct group *g, bool *found)
{
	int rc = legacy_group_by_gid(s, gid, g);

	*found = rc == CONN_OK;
	return rc == CONN_NOTFOUND ? CONN_OK : rc;
}

/* What store_migrate_user would answer for u, with nothing written (a dry
 * run): STORE_OK, or STORE_CONFLICT when the store holds u's uid under
 * another name, or a failure. */
static int store_would_migrate(struct session *s, const struct user *u)
{
	struct user o;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = store_user_by_uid(s->store, u->uid, &o);
	if (rc == STORE_OK && strcmp(o.name, u->name) != 0)
		rc = STORE_CONFLICT;
	else if (rc == STORE_NOTFOUND)
		rc = STORE_OK;
	user_clear(&o);
	return rc;
}

/* After a successful legacy login in migrate mode: copy the user, their
 * groups and the password re-hashed into the store, in one transaction,
 * before the login is reported. A disabled or expired account stays where it
 * is (the account step refuses it). A dry run checks all that and writes
 * nothing. CONN_OK, CONN_AUTH_ERR (uid held by another name, or deleted),
 * CONN_UNAVAIL, CONN_ERROR. */
static int migrate_user(struct session *s, struct user *u, unsigned cols, const char *password)
{
	const struct config *cfg = s->conn->cfg;
	char hash[HASH_MAX], err[256], why[256];
	struct group *groups = NULL, primary = { 0 };
	size_t ngroups = 0, i;
	bool has_primary = false;
	int rc, r;

	hash[0] = '\0';
	rc = account_rules(cfg, u, 0, why, sizeof(why));
	if (rc == CONN_NEW_AUTHTOK)
		rc = CONN_OK;  /* migrated; the store keeps the flag */
	if (rc != CONN_OK) {
		log_msg(LOG_INFO, "user %s: not migrated: account %s", u->name, conn_rc_name(rc));
		rc = CONN_OK;
		goto out;
	}
	rc = complete_user(s, u, cols);
	if (rc != CONN_OK)
		goto out;
	rc = legacy_group_list(s, u->name, &groups, &ngroups);
	if (rc == CONN_OK)
		rc = legacy_group_of_gid(s, u->gid, &primary, &has_primary);
	if (rc != CONN_OK) {
		log_msg(LOG_ERR, "user %s: not migrated: the legacy groups cannot be read", u->name);
		goto out;
	}
	if (hash_generate("argon2id", cfg->store_password_cost, password, hash, sizeof(hash), err,
			  sizeof(err)) != 0) {
		log_msg(LOG_ERR, "user %s: not migrated: %s", u->name, err);
		rc = CONN_ERROR;
		goto out;
	}
	r = s->dry_run ? store_would_migrate(s, u)
		       : store_migrate_user_primary(s->store, u, hash, has_primary ? &primary : NULL,
						    groups, ngroups);
	switch (r) {
	case STORE_OK:
		if (!session_hold(s, HELD_MIGRATION))
			log_msg(LOG_NOTICE, "user %s (uid %lu) migrated to the store with %zu groups%s%s",
				u->name, (unsigned long)u->uid, ngroups,
				has_primary ? " and primary group " : "",
				has_primary ? primary.name : "");
		rc = CONN_OK;
		break;
	case STORE_CONFLICT:
		log_msg(LOG_ERR, "user %s: not migrated, login refused: uid %lu is held in the store "
			"by another user (customdb user show %lu tells who)", u->name,
			(unsigned long)u->uid, (unsigned long)u->uid);
		rc = CONN_AUTH_ERR;
		break;
	case STORE_TOMBSTONE:
		log_msg(LOG_NOTICE, "user %s: deleted from the store on purpose; not migrated again, "
			"login refused", u->name);
		rc = CONN_AUTH_ERR;
		break;
	default:
		log_msg(LOG_ERR, "user %s: not migrated, login refused: the store cannot be written "
			"(%s)", u->name, store_rc_name(r));
		rc = CONN_UNAVAIL;
		break;
	}
out:
	secret_wipe_array(hash);
	for (i = 0; i < ngroups; i++)
		group_clear(&groups[i]);
	free(groups);
	group_clear(&primary);
	return rc;
}

/* A bulk-imported store user keeps the legacy hash until the first login,
 * which replaces it with argon2id. A failure is logged; the login stands. */
static void rehash_imported(struct session *s, const struct user *u, const char *password)
{
	const struct hash_family *old = hash_identify(u->password);
	char hash[HASH_MAX], err[256];
	int rc;

	if (old == &hash_family_argon2id || session_hold(s, HELD_REHASH))
		return;
	if (hash_generate("argon2id", s->conn->cfg->store_password_cost, password, hash,
			  sizeof(hash), err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "user %s: imported hash not re-hashed: %s", u->name, err);
		return;
	}
	rc = store_set_password(s->store, u->name, hash);
	secret_wipe_array(hash);
	if (rc == STORE_OK)
		log_msg(LOG_NOTICE, "user %s: imported %s hash re-hashed to argon2id at first login",
			u->name, old != NULL ? old->name : "legacy");
	else
		log_msg(LOG_ERR, "user %s: imported hash not re-hashed: %s", u->name,
			store_rc_name(rc));
}

static int migrate_user_by_name(struct session *s, const char *name, struct user *u)
{
	int rc = store_find_user(s, name, 0, false, u);

	if (rc != STORE_NOTFOUND)
		return conn_of_store(rc);
	rc = legacy_user_by_name(s, name, u);
	if (rc == CONN_OK)
		rc = legacy_cross_check(s, true, u);
	return rc;
}

static int migrate_user_by_uid(struct session *s, uid_t uid, struct user *u)
{
	int rc = store_find_user(s, NULL, uid, false, u);

	if (rc != STORE_NOTFOUND)
		return conn_of_store(rc);
	rc = legacy_user_by_uid(s, uid, u);
	if (rc == CONN_OK)
		rc = legacy_cross_check(s, false, u);
	return rc;
}

static int migrate_group_by_name(struct session *s, const char *name, struct group *g)
{
	return migrate_group_lookup(s, name, 0, g);
}

static int migrate_group_by_gid(struct session *s, gid_t gid, struct group *g)
{
	return migrate_group_lookup(s, NULL, gid, g);
}

int store_groups_of(struct session *s, const char *name, gid_t **gids, size_t *n)
{
	struct store *st = session_store(s);
	size_t i, k = 0;
	int rc;

	*gids = NULL;
	*n = 0;
	if (st == NULL)
		return STORE_UNAVAIL;
	rc = store_user_groups(st, name, gids, n);
	if (rc != STORE_OK) {
		free(*gids);
		*gids = NULL;
		*n = 0;
		return rc;
	}
	for (i = 0; i < *n; i++)
		if (map_gid_allowed(s->conn->cfg, (*gids)[i]))
			(*gids)[k++] = (*gids)[i];
	*n = k;
	return STORE_OK;
}

static int migrate_user_groups(struct session *s, const char *name, gid_t **gids, size_t *n)
{
	int rc = store_groups_of(s, name, gids, n);

	if (rc == STORE_NOTFOUND)
		return legacy_user_groups(s, name, gids, n);
	return conn_of_store(rc);
}

static int migrate_account(struct session *s, const char *name, uid_t caller_uid, char *why,
			   size_t whylen)
{
	struct user u;
	int rc;

	rc = store_find_user(s, name, 0, false, &u);
	if (rc == STORE_NOTFOUND)
		return legacy_account(s, name, caller_uid, why, whylen);
	if (rc != STORE_OK)
		return conn_of_store(rc);
	rc = account_rules(s->conn->cfg, &u, caller_uid, why, whylen);
	user_clear(&u);
	return rc;
}

/* A migrated user's login: the store's hash alone. */
int store_login(struct session *s, const char *password, uid_t caller_uid, bool *denied,
		const struct user *u)
{
	int rc;

	if (caller_uid != 0 && u->uid != caller_uid) {
		*denied = true;
		return CONN_AUTH_ERR;
	}
	rc = connector_verify_user(s->conn, u, password);
	if (rc == CONN_OK) {
		if (!session_hold(s, HELD_LAST_LOGIN))
			store_touch_login(s->store, u->name);  /* logged there; not fatal */
		rehash_imported(s, u, password);
	}
	return rc;
}

static int migrate_authenticate(struct session *s, const char *name, const char *password,
				uid_t caller_uid, bool *denied, struct user *u)
{
	unsigned cols = 0;
	int rc;

	rc = store_find_user(s, name, 0, true, u);
	switch (rc) {
	case STORE_OK:
		return store_login(s, password, caller_uid, denied, u);
	case STORE_NOTFOUND:
		rc = legacy_authenticate(s, name, password, caller_uid, denied, u, &cols);
		if (rc == CONN_OK)
			rc = migrate_user(s, u, cols, password);
		return rc;
	case STORE_TOMBSTONE:
		dummy_verify(s->conn, password);
		return CONN_NOTFOUND;
	}
	return CONN_UNAVAIL;
}

/* An unmigrated user's new password: the store takes the user with it. */
static int migrate_write_password(struct session *s, struct user *u, unsigned cols,
				  const char *new_pw, char *why, size_t whylen)
{
	int rc = account_rules(s->conn->cfg, u, 0, why, whylen);

	if (rc == CONN_NEW_AUTHTOK) {
		rc = CONN_OK;
		u->must_change_password = false;
		why[0] = '\0';
	}
	if (rc == CONN_OK)
		rc = migrate_user(s, u, cols, new_pw);
	return rc;
}

int migrate_change_password(struct session *s, const char *name, const char *old,
			    const char *new_pw, uid_t caller_uid, bool check_only, char *why,
			    size_t whylen)
{
	const struct config *cfg = s->conn->cfg;
	char hash[HASH_MAX], err[256];
	struct user u;
	int rc;

	rc = store_find_user(s, name, 0, true, &u);
	if (rc == STORE_NOTFOUND && mode_has(s, SRC_LEGACY))
		return legacy_change_password(s, name, old, new_pw, caller_uid, check_only, why,
					      whylen);
	if (rc == STORE_TOMBSTONE || rc == STORE_NOTFOUND)
		return CONN_NOTFOUND;
	if (rc != STORE_OK)
		return CONN_UNAVAIL;
	hash[0] = '\0';
	if (caller_uid != 0 && u.uid != caller_uid) {
		rc = CONN_DENIED;
		goto out;
	}
	if (old != NULL && connector_verify_user(s->conn, &u, old) != CONN_OK) {
		snprintf(why, whylen, "The current password is not right.");
		rc = CONN_AUTH_ERR;
		goto out;
	}
	rc = CONN_OK;
	if (check_only)
		goto out;
	if (hash_generate("argon2id", cfg->store_password_cost, new_pw, hash, sizeof(hash), err,
			  sizeof(err)) != 0) {
		log_msg(LOG_ERR, "user %s: password not changed: %s", name, err);
		rc = CONN_ERROR;
		goto out;
	}
	rc = conn_of_store(store_set_password(s->store, name, hash));
out:
	secret_wipe_array(hash);
	user_clear(&u);
	return rc;
}

/* Uids tried above the store's highest before a new store user's uid is
 * given up on (each costs one get_user_by_uid). */
#define ADMIN_UID_TRIES 1000

static int migrate_create_ready(const struct config *cfg, char *why, size_t whylen)
{
	size_t n;

	if (cfg->q[Q_GET_USER_BY_UID].sql != NULL)
		return CONN_OK;
	connector_not_configured(cfg, Q_GET_USER_BY_UID, why, whylen);
	n = strlen(why);
	snprintf(why + n, whylen - n, ": without it a new user's uid cannot be kept clear "
		 "of the legacy database's");
	return CONN_ERROR;
}


/* A uid for a new store user: the first above the store's highest that
 * the legacy database does not know either. */
static int pick_store_uid(struct session *s, uid_t *uid, char *why, size_t whylen)
{
	const struct config *cfg = s->conn->cfg;
	uid_t first;
	int rc, tries;

	rc = store_next_uid(s->store, cfg->min_uid, cfg->max_uid, uid);
	if (rc == STORE_NOTFOUND) {
		snprintf(why, whylen, "no uid is free in the store up to max_uid (%lu)",
			 (unsigned long)cfg->max_uid);
		return CONN_EXISTS;
	}
	if (rc != STORE_OK) {
		admin_store_why(rc, "finding a free uid", why, whylen);
		return conn_of_store(rc);
	}
	first = *uid;
	for (tries = 0; tries < ADMIN_UID_TRIES && *uid <= cfg->max_uid; tries++, (*uid)++) {
		rc = admin_uid_free(s, *uid, why, whylen);
		if (rc != CONN_EXISTS)
			return rc;
	}
	snprintf(why, whylen, "uids %lu to %lu are all taken in the legacy database: give one "
		 "with --uid", (unsigned long)first, (unsigned long)(*uid - 1));
	return CONN_EXISTS;
}

/* Migrate mode: a store row. */
int store_create_user(struct session *s, const struct new_user *nu, const char *password,
		      bool *created, char *why, size_t whylen)
{
	const struct config *cfg = s->conn->cfg;
	struct user row = { 0 };
	struct store_meta m;
	char hash[HASH_MAX], err[256], home[4096];
	bool untombed = false;
	int rc, r;

	hash[0] = '\0';
	row.uid = nu->uid;
	rc = row.uid != 0 ? admin_uid_free(s, row.uid, why, whylen)
			  : pick_store_uid(s, &row.uid, why, whylen);
	if (rc != CONN_OK)
		goto out;
	if (config_expand_home(cfg, nu->name, row.uid, home, sizeof(home)) != 0) {
		snprintf(why, whylen, "home: the expanded template is too long");
		rc = CONN_ERROR;
		goto out;
	}
	row.name = strdup(nu->name);
	row.gecos = strdup("");
	row.home = strdup(home);
	row.shell = strdup(cfg->default_shell);
	row.email = nu->email != NULL ? strdup(nu->email) : NULL;
	if (row.name == NULL || row.gecos == NULL || row.home == NULL || row.shell == NULL ||
	    (nu->email != NULL && row.email == NULL)) {
		snprintf(why, whylen, "out of memory");
		rc = CONN_ERROR;
		goto out;
	}
	row.gid = cfg->default_gid;
	row.email_verified = nu->email != NULL ? 0 : -1;
	if (hash_generate("argon2id", cfg->store_password_cost, password, hash, sizeof(hash), err,
			  sizeof(err)) != 0) {
		snprintf(why, whylen, "argon2id: %s", err);
		rc = CONN_ERROR;
		goto out;
	}
	/* a tombstone the administrator lets go of goes first; it comes back
	 * if the user cannot be written */
	if (nu->reuse_deleted && store_user_meta(s->store, nu->name, &m) == STORE_OK &&
	    m.deleted_at != 0) {
		r = store_delete_user(s->store, nu->name, false);
		if (r != STORE_OK) {
			admin_store_why(r, "removing the tombstone", why, whylen);
			rc = conn_of_store(r);
			goto out;
		}
		untombed = true;
	}
	r = store_migrate_user(s->store, &row, hash, NULL, 0);
	if (r == STORE_OK) {
		*created = true;
	} else if (r == STORE_CONFLICT) {
		snprintf(why, whylen, "uid %lu was taken in the store meanwhile",
			 (unsigned long)row.uid);
	} else if (r == STORE_TOMBSTONE) {
		snprintf(why, whylen, "the name %s was deleted on purpose meanwhile (a tombstone)",
			 nu->name);
	} else {
		admin_store_why(r, "writing the user", why, whylen);
	}
	/* the name was deleted on purpose: for a new user, it is taken */
	rc = r == STORE_TOMBSTONE ? CONN_EXISTS : conn_of_store(r);
	if (rc != CONN_OK && untombed && store_delete_user(s->store, nu->name, true) != STORE_OK)
		log_msg(LOG_ERR, "user %s: the tombstone removed for the new user could not be "
			"written back: the legacy user may migrate at the next login", nu->name);
out:
	secret_wipe_array(hash);
	user_clear(&row);
	return rc;
}

/* The store row goes; with tombstone a tombstone is written, for a user not
 * migrated yet too. */
int store_delete(struct session *s, const char *name, const struct user *u, int place,
		 bool tombstone, char *why, size_t whylen)
{
	int rc;

	(void)u;

	if (place == PLACE_DELETED && tombstone) {
		snprintf(why, whylen, "user %s is deleted already (a tombstone in the store)", name);
		return CONN_NOTFOUND;
	}
	if (place == PLACE_LEGACY && !tombstone) {
		snprintf(why, whylen, "user %s is not migrated: the store holds nothing to delete, "
			 "and the legacy row stays", name);
		return CONN_NOTFOUND;
	}
	rc = store_delete_user(s->store, name, tombstone);
	if (rc != STORE_OK)
		admin_store_why(rc, "deleting the user", why, whylen);
	return conn_of_store(rc);
}

/* The store opened once at start, its schema created or upgraded. */
int migrate_check(const struct config *cfg, char *err, size_t errlen)
{
	int rc = store_check(cfg, err, errlen);

	if (rc == STORE_UNAVAIL)
		log_msg(LOG_WARNING, "%s; trying again at the first request", err);
	else if (rc != STORE_OK)
		return -1;
	return 0;
}

const struct mode_ops mode_migrate = {
	.name = "migrate",
	.sources = SRC_STORE | SRC_LEGACY,
	.check = migrate_check,
	.user_by_name = migrate_user_by_name,
	.user_by_uid = migrate_user_by_uid,
	.group_by_name = migrate_group_by_name,
	.group_by_gid = migrate_group_by_gid,
	.user_groups = migrate_user_groups,
	.account = migrate_account,
	.authenticate = migrate_authenticate,
	.change_password = migrate_change_password,
	.write_legacy_password = migrate_write_password,
	.create_ready = migrate_create_ready,
	.create_user = store_create_user,
	.delete_user = store_delete,
};
