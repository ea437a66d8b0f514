/* connector_admin.c: see connector_admin.h. */
#include "connector_admin.h"
#include "mode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "log.h"
#include "names.h"
#include "namemap.h"
#include "secret.h"

/* Longest email customdb writes (RFC 5321's path limit). */
#define ADMIN_EMAIL_MAX 254

const char *user_place_name(enum user_place p)
{
	switch (p) {
	case PLACE_LEGACY: return "legacy";
	case PLACE_STORE: return "store";
	case PLACE_DELETED: return "deleted";
	}
	return "?";
}


/* The session's store connection, opened on first use (as the connector
 * does); NULL with why when it cannot be opened now. */
static struct store *admin_store(struct session *s, char *why, size_t whylen)
{
	if (s->store == NULL)
		s->store = store_open(s->conn->cfg, why, whylen);
	return s->store;
}

void admin_store_why(int rc, const char *what, char *why, size_t whylen)
{
	snprintf(why, whylen, "the store: %s: %s", what, store_rc_name(rc));
}

/* An address the legacy application could hold: no spaces or control
 * bytes, something on each side of the last '@'. Not a full RFC 5322 check:
 * the address only ever goes back to the database. */
static bool email_ok(const char *e)
{
	const char *at = strrchr(e, '@');
	size_t n = strlen(e), i;

	if (n < 3 || n > ADMIN_EMAIL_MAX || at == NULL || at == e || at[1] == '\0')
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)e[i] <= ' ' || e[i] == 0x7f)
			return false;
	return true;
}

int connector_query_ready(const struct config *cfg, enum query_id id, char *why, size_t whylen)
{
	if ((mode_of(cfg)->sources & SRC_STORE) == 0 && cfg->q[id].sql == NULL)
		return connector_not_configured(cfg, id, why, whylen);
	return CONN_OK;
}

/* How many rows the legacy query id returns for a (any row at all: the key
 * is taken there, even by a row customdb would not answer for). CONN_OK
 * with *n, CONN_UNAVAIL, CONN_ERROR (the query is not configured or fails). */
static int legacy_rows(struct session *s, enum query_id id, const struct query_args *a,
		       size_t *n, char *why, size_t whylen)
{
	struct result *r = NULL;
	char err[512];
	int rc;

	*n = 0;
	if (s->conn->cfg->q[id].sql == NULL)
		return connector_not_configured(s->conn->cfg, id, why, whylen);
	rc = session_query(s, id, a, &r, err, sizeof(err));
	if (rc == CONN_OK)
		*n = r->nrows;
	else if (rc == CONN_NOTFOUND)
		rc = CONN_OK;  /* an id below [legacy] uid_offset: none of the database's */
	else
		snprintf(why, whylen, "query %s: %s", query_id_name(id), err);
	result_free(r);
	return rc;
}

/* get_user returns the passwd fields; the account state (disabled, expiry,
 * email_verified, must_change_password) is what the login query says. Add
 * it to u, from the one row for u->name; without one u stays as it is. */
static void legacy_account_state(struct session *s, struct user *u)
{
	struct query_args a = { 0 };
	struct result *r = NULL;
	struct user l;
	char err[512];
	size_t row, hit = 0, found = 0;
	int col;

	a.v[QP_USERNAME] = u->name;
	if (session_query(s, connector_record_query(s->conn->cfg), &a, &r, err, sizeof(err)) !=
	    CONN_OK)
		goto out;
	col = result_column(r, "username");
	for (row = 0; col >= 0 && row < r->nrows; row++) {
		const char *v = result_cell(r, row, (size_t)col);

		if (v != NULL && strcmp(v, u->name) == 0) {
			found++;
			hit = row;
		}
	}
	if (found != 1 || map_user(s->conn->cfg, r, hit, false, &l, NULL, 0) != MAP_OK)
		goto out;
	if (l.uid == u->uid) {
		u->disabled = l.disabled;
		u->email_verified = l.email_verified;
		u->expires = l.expires;
		u->must_change_password = l.must_change_password;
		if (u->email == NULL) {
			u->email = l.email;
			l.email = NULL;
		}
	}
	user_clear(&l);
out:
	result_free(r);
}

int connector_locate_user(struct session *s, const char *name, struct user *u,
			  enum user_place *place, struct store_meta *meta)
{
	struct store_meta m;
	struct store *st;
	char why[512];
	bool in_store = false;
	int rc;
	char folded[NAMEMAP_NAME_MAX + 1];

	name = namemap_name(s->conn->cfg, name, folded);
	memset(u, 0, sizeof(*u));
	memset(&m, 0, sizeof(m));
	if (meta != NULL)
		*meta = m;
	*place = PLACE_LEGACY;
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	if (mode_has(s, SRC_STORE)) {
		st = admin_store(s, why, sizeof(why));
		if (st == NULL) {
			log_msg(LOG_ERR, "%s", why);
			return CONN_UNAVAIL;
		}
		rc = store_user_meta(st, name, &m);
		if (rc != STORE_OK && rc != STORE_NOTFOUND)
			return CONN_UNAVAIL;
		if (meta != NULL)
			*meta = m;
		if (rc == STORE_OK && m.deleted_at != 0) {
			*place = PLACE_DELETED;
			return CONN_OK;
		}
		in_store = rc == STORE_OK;
	}
	rc = connector_user_by_name(s, name, u);
	if (rc == CONN_OK && in_store)
		*place = PLACE_STORE;
	else if (rc == CONN_OK && mode_has(s, SRC_LEGACY))
		legacy_account_state(s, u);
	return rc;
}

/* The user a change is for, or a message saying why there is none. A
 * tombstone is "not found" unless allow_deleted. */
static int locate_for_change(struct session *s, const char *name, struct user *u,
			     enum user_place *place, bool allow_deleted, char *why, size_t whylen)
{
	int rc = connector_locate_user(s, name, u, place, NULL);

	if (rc == CONN_OK && *place == PLACE_DELETED && !allow_deleted) {
		snprintf(why, whylen, "user %s was deleted (a tombstone in the store)", name);
		return CONN_NOTFOUND;
	}
	if (rc == CONN_NOTFOUND)
		snprintf(why, whylen, "no such user: %s", name);
	else if (rc == CONN_UNAVAIL)
		snprintf(why, whylen, "%s unavailable", mode_has(s, SRC_STORE) ?
			 "the store or the legacy database is" : "the legacy database is");
	else if (rc != CONN_OK)
		snprintf(why, whylen, "looking %s up failed (get_user)", name);
	return rc;
}

int connector_check_name(const char *name, char *why, size_t whylen)
{
	if (cdb_name_valid(name, strlen(name)))
		return CONN_OK;
	snprintf(why, whylen, "'%s' is not a name customdb answers for: 1 to %d of A-Z a-z 0-9 "
		 ". _ @ - (and a final $), not starting with - or ., not all digits, not root",
		 name, CDB_NAME_MAX);
	return CONN_ERROR;
}

int connector_create_ready(const struct config *cfg, const struct new_user *nu, char *why,
			   size_t whylen)
{
	if (connector_check_name(nu->name, why, whylen) != CONN_OK)
		return CONN_ERROR;
	if (nu->uid != 0 && !map_id_allowed(cfg, nu->uid)) {
		snprintf(why, whylen, "uid %lu is outside [min_uid, max_uid] = [%lu, %lu]",
			 (unsigned long)nu->uid, (unsigned long)cfg->min_uid,
			 (unsigned long)cfg->max_uid);
		return CONN_ERROR;
	}
	if (nu->email != NULL && !email_ok(nu->email)) {
		snprintf(why, whylen, "'%s' is not an email address customdb writes (local@domain, "
			 "no spaces, at most %d bytes)", nu->email, ADMIN_EMAIL_MAX);
		return CONN_ERROR;
	}
	return mode_of(cfg)->create_ready(cfg, why, whylen);
}

int connector_name_free(struct session *s, const char *name, bool reuse_deleted, char *why,
			size_t whylen)
{
	struct query_args a = { 0 };
	struct store_meta m;
	struct store *st;
	size_t n;
	int rc;
	char folded[NAMEMAP_NAME_MAX + 1];

	name = namemap_name(s->conn->cfg, name, folded);
	if (mode_has(s, SRC_STORE)) {
		st = admin_store(s, why, whylen);
		if (st == NULL)
			return CONN_UNAVAIL;
		rc = store_user_meta(st, name, &m);
		if (rc == STORE_OK && m.deleted_at == 0) {
			snprintf(why, whylen, "user %s exists (in the store)", name);
			return CONN_EXISTS;
		}
		if (rc == STORE_OK && !reuse_deleted) {
			snprintf(why, whylen, "the name %s belonged to a user deleted on purpose (a "
				 "tombstone in the store); give it to a new user only on purpose",
				 name);
			return CONN_EXISTS;
		}
		if (rc != STORE_OK && rc != STORE_NOTFOUND) {
			admin_store_why(rc, "reading the user", why, whylen);
			return CONN_UNAVAIL;
		}
	}
	if (!mode_has(s, SRC_LEGACY))
		return CONN_OK;
	a.v[QP_USERNAME] = name;
	rc = legacy_rows(s, Q_GET_USER, &a, &n, why, whylen);
	if (rc == CONN_OK && n > 0) {
		snprintf(why, whylen, "user %s exists (get_user returns %zu row%s for it in the "
			 "legacy database)", name, n, n == 1 ? "" : "s");
		rc = CONN_EXISTS;
	}
	return rc;
}

/* Whether uid is free: not in the store (migrate mode) and not known to
 * get_user_by_uid (when configured; it must be in migrate mode). CONN_OK,
 * CONN_EXISTS, CONN_UNAVAIL, CONN_ERROR. */
int admin_uid_free(struct session *s, uid_t uid, char *why, size_t whylen)
{
	struct query_args a = { 0 };
	struct user o;
	char num[24];
	size_t n;
	int rc;

	if (mode_has(s, SRC_STORE)) {
		rc = store_user_by_uid(s->store, uid, &o);
		if (rc == STORE_OK)
			snprintf(why, whylen, "uid %lu is held in the store by %s", (unsigned long)uid,
				 o.name);
		user_clear(&o);
		if (rc == STORE_OK)
			return CONN_EXISTS;
		if (rc != STORE_NOTFOUND) {
			admin_store_why(rc, "reading a uid", why, whylen);
			return CONN_UNAVAIL;
		}
		if (!mode_has(s, SRC_LEGACY))
			return CONN_OK;
	} else if (s->conn->cfg->q[Q_GET_USER_BY_UID].sql == NULL) {
		return CONN_OK;  /* the create query and the database decide */
	}
	snprintf(num, sizeof(num), "%lu", (unsigned long)uid);
	a.v[QP_UID] = num;
	rc = legacy_rows(s, Q_GET_USER_BY_UID, &a, &n, why, whylen);
	if (rc == CONN_OK && n > 0) {
		snprintf(why, whylen, "uid %lu is taken in the legacy database (get_user_by_uid)",
			 (unsigned long)uid);
		rc = CONN_EXISTS;
	}
	return rc;
}

int connector_create_user(struct session *s, const struct new_user *nu, const char *password,
			  struct user *out, bool *created, char *why, size_t whylen)
{
	char folded[NAMEMAP_NAME_MAX + 1];
	struct new_user n = *nu;
	struct user u;
	bool denied = false;
	int rc;

	n.name = namemap_name(s->conn->cfg, nu->name, folded);
	nu = &n;
	*created = false;
	why[0] = '\0';
	memset(&u, 0, sizeof(u));
	rc = connector_create_ready(s->conn->cfg, nu, why, whylen);
	if (rc != CONN_OK)
		return rc;
	if (password[0] == '\0') {
		snprintf(why, whylen, "the password is empty");
		return CONN_ERROR;
	}
	if (mode_has(s, SRC_STORE) && admin_store(s, why, whylen) == NULL)
		return CONN_UNAVAIL;
	/* get_user -> create -> login */
	rc = connector_name_free(s, nu->name, nu->reuse_deleted, why, whylen);
	if (rc == CONN_OK)
		rc = s->conn->mode->create_user(s, nu, password, created, why, whylen);
	if (rc != CONN_OK)
		return rc;
	rc = connector_authenticate(s, nu->name, password, 0, &denied, &u);
	if (rc != CONN_OK) {
		snprintf(why, whylen, "user %s was written, but a login with the new password "
			 "fails (%s): %s", nu->name, conn_rc_name(rc), mode_has(s, SRC_STORE) ?
			 "the store row is not one customdb answers for" :
			 "check that create writes what login reads (the password column, a uid "
			 "inside [min_uid, max_uid])");
		if (rc != CONN_UNAVAIL)
			rc = CONN_AUTH_ERR;
	}
	if (rc == CONN_OK && out != NULL)
		*out = u;
	else
		user_clear(&u);
	return rc;
}

/* verify and change_email: a migrated user's store row, or the query q for
 * anyone else. email: the new address (NULL: keep it; the query still gets
 * the current one); verified: as store_set_email. */
static int set_email(struct session *s, const char *name, enum query_id q, const char *email,
		     int verified, const char *what, char *why, size_t whylen)
{
	struct query_args a = { 0 };
	enum user_place place;
	struct user u;
	char num[24];
	int rc;

	memset(&u, 0, sizeof(u));
	if (connector_query_ready(s->conn->cfg, q, why, whylen) != CONN_OK)
		return CONN_ERROR;
	rc = locate_for_change(s, name, &u, &place, false, why, whylen);
	if (rc != CONN_OK)
		goto out;
	if (place == PLACE_STORE) {
		rc = store_set_email(s->store, name, email, verified);
		if (rc != STORE_OK)
			admin_store_why(rc, what, why, whylen);
		rc = conn_of_store(rc);
		goto out;
	}
	snprintf(num, sizeof(num), "%lu", (unsigned long)u.uid);
	a.v[QP_USERNAME] = name;
	a.v[QP_UID] = num;
	a.v[QP_EMAIL] = email != NULL ? email : u.email;
	rc = connector_legacy_write(s, q, &a, why, whylen);
out:
	user_clear(&u);
	return rc;
}

int connector_verify_email(struct session *s, const char *name, char *why, size_t whylen)
{
	char folded[NAMEMAP_NAME_MAX + 1];

	name = namemap_name(s->conn->cfg, name, folded);
	why[0] = '\0';
	return set_email(s, name, Q_VERIFY, NULL, 1, "marking the email verified", why, whylen);
}

int connector_change_email(struct session *s, const char *name, const char *email, char *why,
			   size_t whylen)
{
	char folded[NAMEMAP_NAME_MAX + 1];

	name = namemap_name(s->conn->cfg, name, folded);
	why[0] = '\0';
	if (!email_ok(email)) {
		snprintf(why, whylen, "'%s' is not an email address customdb writes (local@domain, "
			 "no spaces, at most %d bytes)", email, ADMIN_EMAIL_MAX);
		return CONN_ERROR;
	}
	return set_email(s, name, Q_CHANGE_EMAIL, email, 0, "changing the email", why, whylen);
}

int connector_delete_user(struct session *s, const char *name, bool tombstone, char *why,
			  size_t whylen)
{
	enum user_place place;
	struct user u;
	int rc;
	char folded[NAMEMAP_NAME_MAX + 1];

	name = namemap_name(s->conn->cfg, name, folded);
	why[0] = '\0';
	memset(&u, 0, sizeof(u));
	if (connector_query_ready(s->conn->cfg, Q_DELETE, why, whylen) != CONN_OK)
		return CONN_ERROR;
	rc = locate_for_change(s, name, &u, &place, true, why, whylen);
	if (rc != CONN_OK)
		goto out;
	rc = s->conn->mode->delete_user(s, name, &u, (int)place, tombstone, why, whylen);
out:
	user_clear(&u);
	return rc;
}

/* --- the store as the source of truth: fields, groups ------------------------------ */

/* Longest shell, gecos or home customdb writes. */
#define ADMIN_FIELD_MAX 1024

/* A passwd field customdb can hand out: no ':' or newline, not too long,
 * and for a path absolute. */
static bool field_ok(const char *v, bool path)
{
	return v != NULL && strlen(v) <= ADMIN_FIELD_MAX && strpbrk(v, ":\n") == NULL &&
	       (!path || v[0] == '/');
}

/* Where the legacy database holds what is to change: say so. */
static int legacy_cannot(struct session *s, const char *name, const char *what, char *why,
			 size_t whylen)
{
	if (!mode_has(s, SRC_STORE))
		snprintf(why, whylen, "legacy mode: no query of [queries] changes %s (only "
			 "create, verify, change_password, change_email and delete exist); change "
			 "it in the application's database, or move to mode = migrate", what);
	else
		snprintf(why, whylen, "user %s is not migrated yet: the legacy database holds %s, "
			 "and no query of [queries] changes it; migrate the user first (customdb "
			 "migrate import, or a login)", name, what);
	return CONN_ERROR;
}

int connector_modify_check(const struct config *cfg, const struct store_change *c, char *why,
			   size_t whylen)
{
	if (c->set == 0) {
		snprintf(why, whylen, "nothing to change");
		return CONN_ERROR;
	}
	if ((c->set & STORE_SET_SHELL) && !field_ok(c->shell, true)) {
		snprintf(why, whylen, "--shell: an absolute path without ':' or a newline, at "
			 "most %d bytes", ADMIN_FIELD_MAX);
		return CONN_ERROR;
	}
	if ((c->set & STORE_SET_HOME) && !field_ok(c->home, true)) {
		snprintf(why, whylen, "--home: an absolute path without ':' or a newline, at "
			 "most %d bytes", ADMIN_FIELD_MAX);
		return CONN_ERROR;
	}
	if ((c->set & STORE_SET_GECOS) && !field_ok(c->gecos, false)) {
		snprintf(why, whylen, "--gecos: no ':' or newline, at most %d bytes",
			 ADMIN_FIELD_MAX);
		return CONN_ERROR;
	}
	if ((c->set & STORE_SET_GID) && !map_primary_gid_allowed(cfg, c->gid)) {
		snprintf(why, whylen, "--gid %lu: not a primary gid customdb answers with (inside "
			 "[min_uid, max_uid] = [%lu, %lu], default_gid %lu or allowed_gids)",
			 (unsigned long)c->gid, (unsigned long)cfg->min_uid,
			 (unsigned long)cfg->max_uid, (unsigned long)cfg->default_gid);
		return CONN_ERROR;
	}
	return CONN_OK;
}

int connector_modify_user(struct session *s, const char *name, const struct store_change *c,
			  char *why, size_t whylen)
{
	enum user_place place;
	struct user u;
	int rc;
	char folded[NAMEMAP_NAME_MAX + 1];

	name = namemap_name(s->conn->cfg, name, folded);
	why[0] = '\0';
	memset(&u, 0, sizeof(u));
	rc = connector_modify_check(s->conn->cfg, c, why, whylen);
	if (rc != CONN_OK)
		return rc;
	rc = locate_for_change(s, name, &u, &place, false, why, whylen);
	if (rc != CONN_OK)
		goto out;
	if (place != PLACE_STORE) {
		rc = legacy_cannot(s, name, "the account state, expiry, shell, gecos, home and gid",
				   why, whylen);
		goto out;
	}
	rc = store_modify_user(s->store, name, c);
	if (rc != STORE_OK)
		admin_store_why(rc, "changing the user", why, whylen);
	rc = conn_of_store(rc);
out:
	user_clear(&u);
	return rc;
}

/* Groups are the store's to change: the mode must have one. */
static struct store *group_store(struct session *s, char *why, size_t whylen)
{
	if (!mode_has(s, SRC_STORE)) {
		snprintf(why, whylen, "legacy mode: groups live in the legacy database and no query "
			 "of [queries] writes them; change them in the application's database");
		return NULL;
	}
	return admin_store(s, why, whylen);
}

int connector_group_add(struct session *s, const char *name, gid_t *gid, char *why,
			size_t whylen)
{
	const struct config *cfg = s->conn->cfg;
	struct store *st;
	struct group g;
	int rc;
	char folded[NAMEMAP_NAME_MAX + 1];

	name = namemap_name(s->conn->cfg, name, folded);
	why[0] = '\0';
	if (!cdb_name_valid(name, strlen(name)))
		return connector_check_name(name, why, whylen);
	if (*gid != 0 && !map_gid_allowed(cfg, *gid)) {
		snprintf(why, whylen, "gid %lu is outside [min_uid, max_uid] = [%lu, %lu]",
			 (unsigned long)*gid, (unsigned long)cfg->min_uid,
			 (unsigned long)cfg->max_uid);
		return CONN_ERROR;
	}
	st = group_store(s, why, whylen);
	if (st == NULL)
		return mode_has(s, SRC_STORE) ? CONN_UNAVAIL : CONN_ERROR;
	/* taken wherever the connector would answer for it, but a legacy group
	 * may be taken into the store under its own name and gid (migrate mode,
	 * before retiring the legacy database) */
	rc = connector_group_by_name(s, name, &g);
	if (rc == CONN_OK && *gid == 0)
		*gid = g.gid;
	if (rc == CONN_OK && g.gid != *gid) {
		snprintf(why, whylen, "group %s exists (gid %lu)", name, (unsigned long)g.gid);
		rc = CONN_EXISTS;
	} else if (rc == CONN_OK || rc == CONN_NOTFOUND) {
		rc = CONN_OK;
	}
	group_clear(&g);
	if (rc == CONN_OK && *gid == 0) {
		rc = store_next_gid(st, cfg->min_uid, cfg->max_uid, gid);
		if (rc != STORE_OK) {
			admin_store_why(rc, "finding a free gid", why, whylen);
			return rc == STORE_NOTFOUND ? CONN_EXISTS : conn_of_store(rc);
		}
	}
	if (rc == CONN_OK) {
		rc = connector_group_by_gid(s, *gid, &g);
		if (rc == CONN_OK && strcmp(g.name, name) != 0) {
			snprintf(why, whylen, "gid %lu is group %s's", (unsigned long)*gid, g.name);
			rc = CONN_EXISTS;
		} else if (rc == CONN_OK || rc == CONN_NOTFOUND) {
			rc = CONN_OK;
		}
		group_clear(&g);
	}
	if (rc != CONN_OK) {
		if (why[0] == '\0')
			snprintf(why, whylen, "looking the group up failed (%s)", conn_rc_name(rc));
		return rc;
	}
	rc = store_group_add(st, name, *gid);
	if (rc == STORE_EXISTS)
		snprintf(why, whylen, "group %s (gid %lu) is in the store already", name,
			 (unsigned long)*gid);
	else if (rc != STORE_OK)
		admin_store_why(rc, "adding the group", why, whylen);
	return conn_of_store(rc);
}

int connector_group_delete(struct session *s, const char *name, char *why, size_t whylen)
{
	struct store *st;
	int rc;
	char folded[NAMEMAP_NAME_MAX + 1];

	name = namemap_name(s->conn->cfg, name, folded);
	why[0] = '\0';
	if (!cdb_name_valid(name, strlen(name)))
		return connector_check_name(name, why, whylen);
	st = group_store(s, why, whylen);
	if (st == NULL)
		return mode_has(s, SRC_STORE) ? CONN_UNAVAIL : CONN_ERROR;
	rc = store_group_delete(st, name);
	if (rc == STORE_NOTFOUND)
		snprintf(why, whylen, "no group %s in the store", name);
	else if (rc != STORE_OK)
		admin_store_why(rc, "deleting the group", why, whylen);
	return conn_of_store(rc);
}

int connector_group_member(struct session *s, const char *group, const char *user, bool add,
			   char *why, size_t whylen)
{
	struct store *st;
	struct group g;
	struct user u;
	int rc;
	char folded_group[NAMEMAP_NAME_MAX + 1];
	char folded_user[NAMEMAP_NAME_MAX + 1];

	user = namemap_name(s->conn->cfg, user, folded_user);
	group = namemap_name(s->conn->cfg, group, folded_group);
	why[0] = '\0';
	if (!cdb_name_valid(group, strlen(group)))
		return connector_check_name(group, why, whylen);
	if (!cdb_name_valid(user, strlen(user)))
		return connector_check_name(user, why, whylen);
	st = group_store(s, why, whylen);
	if (st == NULL)
		return mode_has(s, SRC_STORE) ? CONN_UNAVAIL : CONN_ERROR;
	rc = store_group_by_name(st, group, &g);
	group_clear(&g);
	if (rc == STORE_NOTFOUND) {
		snprintf(why, whylen, "no group %s in the store%s", group, mode_has(s, SRC_LEGACY) ?
			 " (a legacy group is changed in the legacy database)" : "");
		return CONN_NOTFOUND;
	}
	if (rc == STORE_OK)
		rc = store_find_user(s, user, 0, false, &u);
	if (rc == STORE_OK)
		user_clear(&u);
	if (rc == STORE_NOTFOUND || rc == STORE_TOMBSTONE) {
		snprintf(why, whylen, "no user %s in the store%s", user, mode_has(s, SRC_LEGACY) ?
			 " (not migrated yet: customdb migrate import, or a login)" : "");
		return CONN_NOTFOUND;
	}
	if (rc == STORE_OK)
		rc = store_group_member(st, group, user, add);
	if (rc == STORE_EXISTS)
		snprintf(why, whylen, "%s is a member of %s already", user, group);
	else if (rc == STORE_NOTFOUND)
		snprintf(why, whylen, "%s is not a member of %s", user, group);
	else if (rc != STORE_OK)
		admin_store_why(rc, "changing the membership", why, whylen);
	return conn_of_store(rc);
}
