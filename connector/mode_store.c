/* mode_store.c: store mode, see connector.h: the legacy database is retired
 * and never opened ([legacy] and [queries] may be absent); the store answers
 * every look-up, login, password change, create and delete. A user
 * bulk-imported and never logged in still holds their legacy hash: the hash
 * module verifies it at their first login, which re-hashes it to argon2id,
 * as in migrate mode. */
#include "connector_admin.h"
#include "mode.h"

#include <stdlib.h>

#include "store.h"

static int conn_of_find(int rc)
{
	return rc == STORE_UNAVAIL ? CONN_UNAVAIL : CONN_NOTFOUND;
}

static int store_mode_user_by_name(struct session *s, const char *name, struct user *u)
{
	int rc = store_find_user(s, name, 0, false, u);

	return rc == STORE_OK ? CONN_OK : conn_of_find(rc);
}

static int store_mode_user_by_uid(struct session *s, uid_t uid, struct user *u)
{
	int rc = store_find_user(s, NULL, uid, false, u);

	return rc == STORE_OK ? CONN_OK : conn_of_find(rc);
}

static int store_mode_group(struct session *s, const char *name, gid_t gid, struct group *g)
{
	int rc = store_group_find(s, name, gid, g);

	if (rc == STORE_OK)
		return CONN_OK;
	return rc == STORE_NOTFOUND || rc == STORE_TOMBSTONE ? CONN_NOTFOUND : CONN_UNAVAIL;
}

static int store_mode_group_by_name(struct session *s, const char *name, struct group *g)
{
	return store_mode_group(s, name, 0, g);
}

static int store_mode_group_by_gid(struct session *s, gid_t gid, struct group *g)
{
	return store_mode_group(s, NULL, gid, g);
}

static int store_mode_user_groups(struct session *s, const char *name, gid_t **gids, size_t *n)
{
	return conn_of_store(store_groups_of(s, name, gids, n));
}

static int store_mode_account(struct session *s, const char *name, uid_t caller_uid, char *why,
			 size_t whylen)
{
	struct user u;
	int rc;

	rc = store_find_user(s, name, 0, false, &u);
	if (rc != STORE_OK)
		return conn_of_find(rc);
	rc = account_rules(s->conn->cfg, &u, caller_uid, why, whylen);
	user_clear(&u);
	return rc;
}

static int store_mode_authenticate(struct session *s, const char *name, const char *password,
			      uid_t caller_uid, bool *denied, struct user *u)
{
	int rc = store_find_user(s, name, 0, true, u);

	if (rc == STORE_OK)
		return store_login(s, password, caller_uid, denied, u);
	/* as long as a login whose user exists */
	dummy_verify(s->conn, password);
	return conn_of_find(rc);
}

/* Never called: every user is the store's. */
static int store_mode_write_legacy(struct session *s, struct user *u, unsigned cols,
				       const char *new_pw, char *why, size_t whylen)
{
	(void)s;
	(void)u;
	(void)cols;
	(void)new_pw;
	(void)why;
	(void)whylen;
	return CONN_NOTFOUND;
}

/* A new user needs nothing of the config: the store picks the uid. */
static int store_mode_create_ready(const struct config *cfg, char *why, size_t whylen)
{
	(void)cfg;
	(void)why;
	(void)whylen;
	return CONN_OK;
}

const struct mode_ops mode_store = {
	.name = "store",
	.sources = SRC_STORE,
	.check = migrate_check,
	.user_by_name = store_mode_user_by_name,
	.user_by_uid = store_mode_user_by_uid,
	.group_by_name = store_mode_group_by_name,
	.group_by_gid = store_mode_group_by_gid,
	.user_groups = store_mode_user_groups,
	.account = store_mode_account,
	.authenticate = store_mode_authenticate,
	.change_password = migrate_change_password,
	.write_legacy_password = store_mode_write_legacy,
	.create_ready = store_mode_create_ready,
	.create_user = store_create_user,
	.delete_user = store_delete,
};
