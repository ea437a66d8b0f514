/* legacy_db.c: the questions to the legacy database, as both modes ask
 * them: in legacy mode these are the answers; in migrate mode, the answers
 * for users who are not in the store. See mode.h. */
#include "mode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "names.h"
#include "secret.h"

/* Run a user query and map the one row whose user name (or uid) is the one
 * asked for. A row that breaks the rules is "not found". *cols (may be NULL)
 * gets the COL_ bits of the columns the result has. */
int fetch_user(struct session *s, enum query_id id, const struct query_args *a,
		      const char *want_name, uid_t want_uid, bool need_password, struct user *u,
		      unsigned *cols)
{
	struct result *r = NULL;
	char err[512], why[256];
	size_t row, found = 0, hit = 0;
	int col, rc, m;

	memset(u, 0, sizeof(*u));
	rc = session_query(s, id, a, &r, err, sizeof(err));
	if (rc != CONN_OK) {
		if (rc != CONN_NOTFOUND)
			log_msg(LOG_ERR, "query %s: %s", query_id_name(id), err);
		goto out;
	}
	col = result_column(r, want_name != NULL ? "username" : "uid");
	if (col < 0) {
		log_msg(LOG_ERR, "query %s: returns no '%s' column", query_id_name(id),
			want_name != NULL ? "username" : "uid");
		rc = CONN_ERROR;
		goto out;
	}
	for (row = 0; row < r->nrows; row++) {
		const char *v = result_cell(r, row, (size_t)col);
		char num[24];

		if (v == NULL)
			continue;
		if (want_name == NULL)
			snprintf(num, sizeof(num), "%lu", (unsigned long)want_uid);
		if (strcmp(v, want_name != NULL ? want_name : num) == 0) {
			found++;
			hit = row;
		}
	}
	if (found == 0) {
		rc = CONN_NOTFOUND;
		goto out;
	}
	if (found > 1) {
		log_msg(LOG_ERR, "query %s: %zu rows for one user; refusing to guess",
			query_id_name(id), found);
		rc = CONN_ERROR;
		goto out;
	}
	if (cols != NULL)
		*cols = (result_column(r, "gid") >= 0 ? COL_GID : 0) |
			(result_column(r, "gecos") >= 0 ? COL_GECOS : 0) |
			(result_column(r, "home") >= 0 ? COL_HOME : 0) |
			(result_column(r, "shell") >= 0 ? COL_SHELL : 0) |
			(result_column(r, "email") >= 0 ? COL_EMAIL : 0);
	m = map_user(s->conn->cfg, r, hit, need_password, u, why, sizeof(why));
	if (m == MAP_OK) {
		rc = CONN_OK;
	} else if (m == MAP_REJECTED) {
		log_msg(LOG_WARNING, "query %s: row ignored: %s", query_id_name(id), why);
		rc = CONN_NOTFOUND;
	} else {
		log_msg(LOG_ERR, "query %s: %s", query_id_name(id), why);
		rc = CONN_ERROR;
	}
out:
	result_free(r);
	return rc;
}

int legacy_user_by_name(struct session *s, const char *name, struct user *u)
{
	struct query_args a = { 0 };

	memset(u, 0, sizeof(*u));
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	a.v[QP_USERNAME] = name;
	return fetch_user(s, Q_GET_USER, &a, name, 0, false, u, NULL);
}

int legacy_user_by_uid(struct session *s, uid_t uid, struct user *u)
{
	struct query_args a = { 0 };
	char num[24];

	memset(u, 0, sizeof(*u));
	if (!map_id_allowed(s->conn->cfg, uid))
		return CONN_NOTFOUND;
	snprintf(num, sizeof(num), "%lu", (unsigned long)uid);
	a.v[QP_UID] = num;
	return fetch_user(s, Q_GET_USER_BY_UID, &a, NULL, uid, false, u, NULL);
}

static int fetch_group(struct session *s, enum query_id id, const struct query_args *a,
		       const char *want_name, gid_t want_gid, struct group *g)
{
	struct result *r = NULL;
	char err[512], why[256];
	size_t row;
	int rc, m;

	memset(g, 0, sizeof(*g));
	rc = session_query(s, id, a, &r, err, sizeof(err));
	if (rc != CONN_OK) {
		if (rc != CONN_NOTFOUND)
			log_msg(LOG_ERR, "query %s: %s", query_id_name(id), err);
		goto out;
	}
	rc = CONN_NOTFOUND;
	for (row = 0; row < r->nrows; row++) {
		m = map_group(s->conn->cfg, r, row, g, why, sizeof(why));
		if (m == MAP_BAD_QUERY || m == MAP_NOMEM) {
			log_msg(LOG_ERR, "query %s: %s", query_id_name(id), why);
			rc = CONN_ERROR;
			goto out;
		}
		if (m == MAP_REJECTED) {
			log_msg(LOG_WARNING, "query %s: row ignored: %s", query_id_name(id), why);
			continue;
		}
		if (want_name != NULL ? strcmp(g->name, want_name) == 0 : g->gid == want_gid) {
			rc = CONN_OK;
			goto out;
		}
		group_clear(g);
	}
out:
	result_free(r);
	return rc;
}

int legacy_group_by_name(struct session *s, const char *name, struct group *g)
{
	struct query_args a = { 0 };

	memset(g, 0, sizeof(*g));
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	a.v[QP_GROUP] = name;
	return fetch_group(s, Q_GET_GROUP, &a, name, 0, g);
}

int legacy_group_by_gid(struct session *s, gid_t gid, struct group *g)
{
	struct query_args a = { 0 };
	char num[24];

	memset(g, 0, sizeof(*g));
	if (!map_gid_allowed(s->conn->cfg, gid))
		return CONN_NOTFOUND;
	snprintf(num, sizeof(num), "%lu", (unsigned long)gid);
	a.v[QP_GID] = num;
	return fetch_group(s, Q_GET_GROUP_BY_GID, &a, NULL, gid, g);
}

/* Run user_groups for name: *r is the result (the caller frees it), *gidcol
 * its gid column. CONN_OK, CONN_UNAVAIL, CONN_ERROR (logged). */
static int user_groups_query(struct session *s, const char *name, struct result **r,
			     int *gidcol)
{
	struct query_args a = { 0 };
	char err[512];
	int rc;

	a.v[QP_USERNAME] = name;
	rc = session_query(s, Q_USER_GROUPS, &a, r, err, sizeof(err));
	if (rc != CONN_OK) {
		log_msg(LOG_ERR, "query user_groups: %s", err);
		return rc;
	}
	*gidcol = result_column(*r, "gid");
	if (*gidcol < 0) {
		log_msg(LOG_ERR, "query user_groups: returns no 'gid' column");
		return CONN_ERROR;
	}
	return CONN_OK;
}

/* The gid of a user_groups row, when it is one customdb may answer for. */
static bool user_groups_gid(const struct config *cfg, const struct result *r, size_t row,
			    int gidcol, gid_t *gid)
{
	const char *v = result_cell(r, row, (size_t)gidcol);
	char *end;
	unsigned long g;

	if (v == NULL || *v < '0' || *v > '9')
		return false;
	g = strtoul(v, &end, 10);
	if (*end != '\0' || !map_gid_allowed(cfg, g))
		return false;
	*gid = (gid_t)g;
	return true;
}

int legacy_user_groups(struct session *s, const char *name, gid_t **gids, size_t *n)
{
	struct result *r = NULL;
	size_t row, i;
	int col, rc;
	gid_t *list, g;

	*gids = NULL;
	*n = 0;
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	if (s->conn->cfg->q[Q_USER_GROUPS].sql == NULL)
		return CONN_OK;
	rc = user_groups_query(s, name, &r, &col);
	if (rc != CONN_OK)
		goto out;
	list = calloc(r->nrows ? r->nrows : 1, sizeof(*list));
	if (list == NULL) {
		rc = CONN_ERROR;
		goto out;
	}
	for (row = 0; row < r->nrows && *n < 16384; row++) {
		if (!user_groups_gid(s->conn->cfg, r, row, col, &g))
			continue;
		for (i = 0; i < *n; i++)
			if (list[i] == g)
				break;
		if (i == *n)
			list[(*n)++] = g;
	}
	*gids = list;
out:
	result_free(r);
	return rc;
}

bool connector_login_checks_password(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->q[Q_LOGIN].nparams; i++)
		if (cfg->q[Q_LOGIN].params[i] == QP_PASSWORD)
			return true;
	return false;
}

enum query_id connector_record_query(const struct config *cfg)
{
	return connector_login_checks_password(cfg) ? Q_GET_USER : Q_LOGIN;
}

/* The legacy login; on CONN_OK *out (if not NULL) holds the user and *cols
 * (if not NULL) the COL_ bits of the login query's result. A source that
 * checks the password itself (connector_login_checks_password) gets it as
 * :password and its answer stands: a row is the right password. It is the
 * source's to make an unknown user cost what a known one does. */
int legacy_authenticate(struct session *s, const char *name, const char *password,
			       uid_t caller_uid, bool *denied, struct user *out, unsigned *cols)
{
	bool checks = connector_login_checks_password(s->conn->cfg);
	struct query_args a = { 0 };
	struct user u = { 0 };
	int rc;

	*denied = false;
	if (!cdb_name_valid(name, strlen(name))) {
		if (!checks)
			dummy_verify(s->conn, password);
		return CONN_NOTFOUND;
	}
	a.v[QP_USERNAME] = name;
	a.v[QP_PASSWORD] = password;
	rc = fetch_user(s, Q_LOGIN, &a, name, 0, !checks, &u, cols);
	if ((rc == CONN_NOTFOUND || rc == CONN_ERROR) && !checks) {
		dummy_verify(s->conn, password);
		goto out;
	}
	if (rc != CONN_OK)
		goto out;
	if (caller_uid != 0 && u.uid != caller_uid) {
		*denied = true;
		rc = CONN_AUTH_ERR;
		goto out;
	}
	if (!checks)
		rc = connector_verify_user(s->conn, &u, password);
out:
	if (rc == CONN_OK && out != NULL)
		*out = u;
	else
		user_clear(&u);
	return rc;
}

int legacy_account(struct session *s, const char *name, uid_t caller_uid, char *why,
			  size_t whylen)
{
	struct query_args a = { 0 };
	struct user u;
	int rc;

	why[0] = '\0';
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	a.v[QP_USERNAME] = name;
	rc = fetch_user(s, connector_record_query(s->conn->cfg), &a, name, 0, false, &u, NULL);
	if (rc != CONN_OK)
		return rc;
	rc = account_rules(s->conn->cfg, &u, caller_uid, why, whylen);
	user_clear(&u);
	return rc;
}

/* The user's groups as the legacy database has them: user_groups, named by
 * its `group` column or else by get_group_by_gid; groups the rules reject
 * are left out. *out is an array of *n groups for the caller to clear and
 * free. CONN_OK, CONN_UNAVAIL, CONN_ERROR. */
int legacy_group_list(struct session *s, const char *name, struct group **out, size_t *n)
{
	const struct config *cfg = s->conn->cfg;
	struct result *r = NULL;
	struct group *list = NULL, g;
	char why[256];
	size_t row, i;
	int rc, m, idcol;
	gid_t gid;

	*out = NULL;
	*n = 0;
	if (cfg->q[Q_USER_GROUPS].sql == NULL)
		return CONN_OK;
	rc = user_groups_query(s, name, &r, &idcol);
	if (rc != CONN_OK)
		goto out;
	list = calloc(r->nrows > 0 ? r->nrows : 1, sizeof(*list));
	if (list == NULL) {
		rc = CONN_ERROR;
		goto out;
	}
	for (row = 0; row < r->nrows && *n < 16384; row++) {
		if (result_column(r, "group") >= 0) {
			m = map_group(cfg, r, row, &g, why, sizeof(why));
			if (m == MAP_REJECTED)
				continue;
			if (m != MAP_OK) {
				log_msg(LOG_ERR, "query user_groups: %s", why);
				rc = CONN_ERROR;
				goto out;
			}
		} else {
			if (!user_groups_gid(cfg, r, row, idcol, &gid))
				continue;
			rc = legacy_group_by_gid(s, gid, &g);
			if (rc == CONN_NOTFOUND)
				continue;
			if (rc != CONN_OK)
				goto out;
		}
		list[(*n)++] = g;
	}
	rc = CONN_OK;
	*out = list;
	list = NULL;
out:
	if (list != NULL) {
		for (i = 0; i < *n; i++)
			group_clear(&list[i]);
		free(list);
		*n = 0;
	}
	result_free(r);
	return rc;
}

int connector_not_configured(const struct config *cfg, enum query_id id, char *why,
			     size_t whylen)
{
	snprintf(why, whylen, "query %s is not configured ([queries] %s in %s)", query_id_name(id),
		 query_id_name(id), cfg->path != NULL ? cfg->path : "the config");
	return CONN_ERROR;
}

int connector_legacy_write(struct session *s, enum query_id id, const struct query_args *a,
			   char *why, size_t whylen)
{
	struct result *r = NULL;
	char err[512];
	int rc;

	if (s->conn->cfg->q[id].sql == NULL)
		return connector_not_configured(s->conn->cfg, id, why, whylen);
	rc = session_query(s, id, a, &r, err, sizeof(err));
	if (rc != CONN_OK) {
		snprintf(why, whylen, "query %s: %s", query_id_name(id), err);
	} else if (r->nrows == 0 && r->affected == 0) {
		snprintf(why, whylen, "query %s changed no row", query_id_name(id));
		rc = CONN_NOTFOUND;
	}
	result_free(r);
	return rc;
}

/* Write new_hash (and the new password as typed, for a source that hashes
 * it itself) through the change_password query: connector_legacy_write, a
 * failure of the query logged. */
int legacy_write_hash(struct session *s, const char *name, const char *new_hash,
		      const char *new_pw)
{
	struct query_args a = { 0 };
	char why[640];
	int rc;

	a.v[QP_USERNAME] = name;
	a.v[QP_PASSWORD_HASH] = new_hash;
	a.v[QP_PASSWORD] = new_pw;
	rc = connector_legacy_write(s, Q_CHANGE_PASSWORD, &a, why, sizeof(why));
	if (rc == CONN_UNAVAIL || rc == CONN_ERROR)
		log_msg(LOG_ERR, "%s", why);
	return rc;
}

/* --- password changes ---------------------------------------------------------- */

int legacy_change_password(struct session *s, const char *name, const char *old,
			   const char *new_pw, uid_t caller_uid, bool check_only, char *why,
			   size_t whylen)
{
	struct query_args a = { 0 };
	struct user u;
	unsigned cols = 0;
	bool denied = false;
	int rc;

	memset(&u, 0, sizeof(u));
	if (old != NULL) {
		rc = legacy_authenticate(s, name, old, caller_uid, &denied, &u, &cols);
	} else {
		a.v[QP_USERNAME] = name;
		rc = fetch_user(s, connector_record_query(s->conn->cfg), &a, name, 0, false, &u,
				&cols);
	}
	if (denied) {
		rc = CONN_DENIED;
		goto out;
	}
	if (rc == CONN_AUTH_ERR)
		snprintf(why, whylen, "The current password is not right.");
	if (rc != CONN_OK || check_only)
		goto out;
	rc = s->conn->mode->write_legacy_password(s, &u, cols, new_pw, why, whylen);
out:
	user_clear(&u);
	return rc;
}
