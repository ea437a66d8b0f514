/* mode_legacy.c: legacy mode, see connector.h: the legacy database is the
 * source of truth, for every look-up, login and password change. */
#include "connector_admin.h"
#include "mode.h"

#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "log.h"
#include "secret.h"

/* rehash_on_login (legacy mode): after a successful login, a stored hash
 * weaker than password_scheme is replaced through change_password. A
 * failure is logged; the login stands. Not for an account the account step
 * refuses (disabled, expired): a refused login writes nothing. */
static void rehash_legacy(struct session *s, const struct user *u, const char *password)
{
	const struct config *cfg = s->conn->cfg;
	const struct hash_ctx ctx = { .salt = u->salt, .scheme_read = cfg->password_scheme_read };
	const struct hash_family *old;
	char hash[HASH_MAX], salt[HASH_SALT_MAX], err[256];
	int rc = account_rules(cfg, u, 0, err, sizeof(err));

	if (rc != CONN_OK && rc != CONN_NEW_AUTHTOK)
		return;
	/* a source that checks passwords itself keeps no hash here */
	if (cfg->q[Q_CHANGE_PASSWORD].sql == NULL || u->password == NULL ||
	    !hash_weaker(&ctx, u->password, cfg->password_scheme, cfg->password_cost) ||
	    session_hold(s, HELD_REHASH))
		return;
	old = hash_identify_ctx(&ctx, u->password);
	if (hash_generate_salted(cfg->password_scheme, cfg->password_cost, password, hash,
				 sizeof(hash), salt, sizeof(salt), err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "user %s: not re-hashed: %s", u->name, err);
		return;
	}
	rc = legacy_write_hash(s, u->name, hash, salt, password);
	secret_wipe_array(hash);
	if (rc == CONN_OK)
		log_msg(LOG_NOTICE, "user %s: password re-hashed from %s to %s at login", u->name,
			old != NULL ? old->name : "?", cfg->password_scheme);
	else
		log_msg(LOG_ERR, "user %s: not re-hashed: change_password: %s", u->name,
			conn_rc_name(rc));
}

/* Write the new password through change_password, in password_scheme. */
static int legacy_write_password(struct session *s, struct user *u, unsigned cols,
				 const char *new_pw, char *why, size_t whylen)
{
	const struct config *cfg = s->conn->cfg;
	char hash[HASH_MAX], salt[HASH_SALT_MAX], err[256];
	int rc;

	(void)cols;
	if (cfg->q[Q_CHANGE_PASSWORD].sql == NULL) {
		log_msg(LOG_ERR, "user %s: password not changed: no change_password query is "
			"configured", u->name);
		snprintf(why, whylen, "Password changes are not enabled for this account.");
		return CONN_ERROR;
	}
	if (hash_generate_salted(cfg->password_scheme, cfg->password_cost, new_pw, hash,
				 sizeof(hash), salt, sizeof(salt), err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "user %s: password not changed: %s", u->name, err);
		return CONN_ERROR;
	}
	rc = legacy_write_hash(s, u->name, hash, salt, new_pw);
	secret_wipe_array(hash);
	if (rc == CONN_NOTFOUND) {
		log_msg(LOG_ERR, "user %s: password not changed: the change_password query changed "
			"no row", u->name);
		rc = CONN_ERROR;
	}
	return rc;
}

static int legacy_login(struct session *s, const char *name, const char *password,
			uid_t caller_uid, bool *denied, struct user *u)
{
	int rc = legacy_authenticate(s, name, password, caller_uid, denied, u, NULL);

	if (rc == CONN_OK && s->conn->cfg->rehash_on_login)
		rehash_legacy(s, u, password);
	return rc;
}

static int legacy_create_ready(const struct config *cfg, char *why, size_t whylen)
{
	if (cfg->q[Q_CREATE].sql == NULL)
		return connector_not_configured(cfg, Q_CREATE, why, whylen);
	return CONN_OK;
}


/* Legacy mode: the create query. */
static int legacy_create_user(struct session *s, const struct new_user *nu, const char *password,
			 bool *created, char *why, size_t whylen)
{
	const struct config *cfg = s->conn->cfg;
	struct query_args a = { 0 };
	char hash[HASH_MAX], salt[HASH_SALT_MAX], err[256], num[24];
	int rc;

	if (nu->uid != 0) {
		rc = admin_uid_free(s, nu->uid, why, whylen);
		if (rc != CONN_OK)
			return rc;
	}
	if (hash_generate_salted(cfg->password_scheme, cfg->password_cost, password, hash,
				 sizeof(hash), salt, sizeof(salt), err, sizeof(err)) != 0) {
		snprintf(why, whylen, "[legacy] password_scheme %s: %s", cfg->password_scheme, err);
		return CONN_ERROR;
	}
	a.v[QP_USERNAME] = nu->name;
	a.v[QP_EMAIL] = nu->email;
	a.v[QP_PASSWORD_HASH] = hash;
	a.v[QP_PASSWORD] = password;
	a.v[QP_SALT] = salt[0] != '\0' ? salt : NULL;
	if (nu->uid != 0) {
		snprintf(num, sizeof(num), "%lu", (unsigned long)nu->uid);
		a.v[QP_UID] = num;
	}
	rc = connector_legacy_write(s, Q_CREATE, &a, why, whylen);
	secret_wipe_array(hash);
	if (rc == CONN_NOTFOUND) {
		/* INSERT ... ON CONFLICT DO NOTHING and the like */
		snprintf(why, whylen, "query create wrote no row: the name or uid is taken");
		rc = CONN_EXISTS;
	}
	*created = rc == CONN_OK;
	return rc;
}

/* The delete query. */
static int legacy_delete_user(struct session *s, const char *name, const struct user *u,
			      int place, bool tombstone, char *why, size_t whylen)
{
	struct query_args a = { 0 };
	char num[24];

	(void)place;
	(void)tombstone;
	snprintf(num, sizeof(num), "%lu", (unsigned long)u->uid);
	a.v[QP_USERNAME] = name;
	a.v[QP_UID] = num;
	return connector_legacy_write(s, Q_DELETE, &a, why, whylen);
}

const struct mode_ops mode_legacy = {
	.name = "legacy",
	.sources = SRC_LEGACY,
	.user_by_name = legacy_user_by_name,
	.user_by_uid = legacy_user_by_uid,
	.group_by_name = legacy_group_by_name,
	.group_by_gid = legacy_group_by_gid,
	.user_groups = legacy_user_groups,
	.account = legacy_account,
	.authenticate = legacy_login,
	.change_password = legacy_change_password,
	.write_legacy_password = legacy_write_password,
	.create_ready = legacy_create_ready,
	.create_user = legacy_create_user,
	.delete_user = legacy_delete_user,
};
