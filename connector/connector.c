/* connector.c: see connector.h. */
#include "mode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "names.h"
#include "namemap.h"
#include "store.h"

const char *conn_rc_name(int rc)
{
	switch (rc) {
	case CONN_OK: return "ok";
	case CONN_NOTFOUND: return "not found";
	case CONN_AUTH_ERR: return "authentication failed";
	case CONN_DISABLED: return "disabled";
	case CONN_EXPIRED: return "expired";
	case CONN_DENIED: return "not allowed for this caller";
	case CONN_NEW_AUTHTOK: return "password change required";
	case CONN_EXISTS: return "name or uid taken";
	case CONN_UNAVAIL: return "database unavailable";
	case CONN_ERROR: return "error";
	}
	return "?";
}

int connector_init(struct connector *cn, const struct config *cfg, char *err, size_t errlen)
{
	memset(cn, 0, sizeof(*cn));
	cn->cfg = cfg;
	cn->mode = mode_of(cfg);
	/* store mode: the legacy database is retired, its driver never opened */
	cn->ops = cfg->driver != NULL ? backend_lookup(cfg->driver) : NULL;
	if (cn->ops == NULL && (cn->mode->sources & SRC_LEGACY)) {
		snprintf(err, errlen, "%s: [legacy] driver: '%s' is not built into this customdb",
			 cfg->path ? cfg->path : "config", cfg->driver);
		return -1;
	}
	cn->params.connection = cfg->connection;
	cn->params.password = cfg->password;
	cn->params.connect_timeout = cfg->connect_timeout;
	cn->params.query_timeout = cfg->query_timeout;
	cn->params.ca_file = cfg->ca_file;
	cn->params.run_as = cfg->run_as;
	cn->params.max_output = cfg->max_output;
	/* read-only unless the administrator configured a query that writes */
	cn->params.read_only = 1;
	for (int i = Q_CREATE; i < Q_COUNT_; i++)
		if (cfg->q[i].sql != NULL)
			cn->params.read_only = 0;
	if (cn->mode->check != NULL && cn->mode->check(cfg, err, errlen) != 0)
		return -1;
	return 0;
}

const struct mode_ops *mode_of(const struct config *cfg)
{
	static const struct mode_ops *const modes[] = {
		[MODE_LEGACY] = &mode_legacy,
		[MODE_MIGRATE] = &mode_migrate,
		[MODE_STORE] = &mode_store,
	};

	return modes[cfg->mode];
}

void session_init(struct session *s, struct connector *cn)
{
	s->conn = cn;
	s->b = NULL;
	s->store = NULL;
	s->dry_run = false;
	s->held = 0;
}

bool session_hold(struct session *s, unsigned what)
{
	if (!s->dry_run)
		return false;
	s->held |= what;
	return true;
}

/* Drop the legacy connection only: the store's is kept. */
static void session_drop_backend(struct session *s)
{
	if (s->b != NULL)
		s->conn->ops->close(s->b);
	s->b = NULL;
}

void session_close(struct session *s)
{
	session_drop_backend(s);
	store_close(s->store);
	s->store = NULL;
}

int session_query(struct session *s, enum query_id id, const struct query_args *a,
		  struct result **out, char *err, size_t errlen)
{
	const struct config *cfg = s->conn->cfg;
	const struct query *q = &cfg->q[id];
	bool mapped = namemap_active(cfg);
	const char *values[QUERY_MAX_PARAMS];
	struct namemap_args db;
	bool fresh = false;
	int rc;

	*out = NULL;
	if (q->sql == NULL || !mode_has(s, SRC_LEGACY)) {
		snprintf(err, errlen, "query %s is not %s", query_id_name(id),
			 q->sql == NULL ? "configured" : "used in store mode");
		return CONN_NOTFOUND;
	}
	if (mapped) {
		/* an id below the offset: none of the database's (a write
		 * given one is an error, not "no such row") */
		if (namemap_to_db(cfg, a, &db, err, errlen) != 0)
			return id >= Q_CREATE ? CONN_ERROR : CONN_NOTFOUND;
		a = &db.a;
	}
	query_bind(q, a, values);
	for (;;) {
		if (s->b == NULL) {
			s->b = s->conn->ops->open(&s->conn->params, err, errlen);
			if (s->b == NULL)
				return CONN_UNAVAIL;
			fresh = true;
		}
		rc = s->conn->ops->query(s->b, q, values, out, err, errlen);
		if (rc == BACKEND_OK) {
			if (mapped && namemap_to_linux(cfg, *out) != 0) {
				result_free(*out);
				*out = NULL;
				snprintf(err, errlen, "out of memory");
				return CONN_ERROR;
			}
			return CONN_OK;
		}
		if (rc == BACKEND_ERROR)
			return CONN_ERROR;
		if (rc == BACKEND_DENIED)
			return CONN_AUTH_ERR;
		session_drop_backend(s);
		/* A kept connection that died since its last use (the server
		 * restarted) gets one new connection and one retry; a new one that
		 * fails, or a timeout, does not: that would only double the wait. */
		if (rc != BACKEND_LOST || fresh)
			return CONN_UNAVAIL;
	}
}

/* The account rules of pam_unix, for a user from either source. */
int account_rules(const struct config *cfg, const struct user *u, uid_t caller_uid,
			 char *why, size_t whylen)
{
	int rc = CONN_OK;

	why[0] = '\0';
	if (caller_uid != 0 && u->uid != caller_uid) {
		rc = CONN_DENIED;
	} else if (u->disabled) {
		snprintf(why, whylen, "Your account is disabled; contact your administrator.");
		rc = CONN_DISABLED;
	} else if (u->expires != 0 && u->expires <= (int64_t)time(NULL)) {
		snprintf(why, whylen, "Your account has expired; contact your administrator.");
		rc = CONN_EXPIRED;
	} else if (cfg->require_verified && u->email_verified == 0) {
		snprintf(why, whylen, "Your e-mail address is not verified yet; verify it first.");
		rc = CONN_DISABLED;
	} else if (u->must_change_password) {
		snprintf(why, whylen, "You are required to change your password immediately "
			 "(administrator enforced).");
		rc = CONN_NEW_AUTHTOK;
	}
	return rc;
}

/* The session's store connection, opened on first use; NULL (logged) when it
 * cannot be opened now. */
struct store *session_store(struct session *s)
{
	char err[512];

	if (s->store == NULL) {
		s->store = store_open(s->conn->cfg, err, sizeof(err));
		if (s->store == NULL)
			log_msg(LOG_ERR, "%s", err);
	}
	return s->store;
}

int conn_of_store(int rc)
{
	switch (rc) {
	case STORE_OK: return CONN_OK;
	case STORE_NOTFOUND:
	case STORE_TOMBSTONE: return CONN_NOTFOUND;
	case STORE_CONFLICT:
	case STORE_EXISTS: return CONN_EXISTS;
	case STORE_ERROR: return CONN_ERROR;
	}
	return CONN_UNAVAIL;
}

/* --- the entry points: the shared rules, then the mode --------------------------- */

int connector_user_by_name(struct session *s, const char *name, struct user *u)
{
	char folded[NAMEMAP_NAME_MAX + 1];

	name = namemap_name(s->conn->cfg, name, folded);
	memset(u, 0, sizeof(*u));
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	return s->conn->mode->user_by_name(s, name, u);
}

int connector_user_by_uid(struct session *s, uid_t uid, struct user *u)
{
	memset(u, 0, sizeof(*u));
	if (!map_id_allowed(s->conn->cfg, uid))
		return CONN_NOTFOUND;
	return s->conn->mode->user_by_uid(s, uid, u);
}

int connector_group_by_name(struct session *s, const char *name, struct group *g)
{
	char folded[NAMEMAP_NAME_MAX + 1];

	name = namemap_name(s->conn->cfg, name, folded);
	memset(g, 0, sizeof(*g));
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	return s->conn->mode->group_by_name(s, name, g);
}

int connector_group_by_gid(struct session *s, gid_t gid, struct group *g)
{
	memset(g, 0, sizeof(*g));
	if (!map_gid_allowed(s->conn->cfg, gid))
		return CONN_NOTFOUND;
	return s->conn->mode->group_by_gid(s, gid, g);
}

int connector_user_groups(struct session *s, const char *name, gid_t **gids, size_t *n)
{
	char folded[NAMEMAP_NAME_MAX + 1];

	name = namemap_name(s->conn->cfg, name, folded);
	*gids = NULL;
	*n = 0;
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	return s->conn->mode->user_groups(s, name, gids, n);
}

int connector_account(struct session *s, const char *name, uid_t caller_uid, char *why,
		      size_t whylen)
{
	char folded[NAMEMAP_NAME_MAX + 1];

	name = namemap_name(s->conn->cfg, name, folded);
	why[0] = '\0';
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	return s->conn->mode->account(s, name, caller_uid, why, whylen);
}

int connector_authenticate(struct session *s, const char *name, const char *password,
			   uid_t caller_uid, bool *denied, struct user *out)
{
	char folded[NAMEMAP_NAME_MAX + 1];
	struct user u;
	int rc;

	name = namemap_name(s->conn->cfg, name, folded);
	*denied = false;
	s->held = 0;
	memset(&u, 0, sizeof(u));
	if (!cdb_name_valid(name, strlen(name))) {
		dummy_verify(s->conn, password);
		return CONN_NOTFOUND;
	}
	rc = s->conn->mode->authenticate(s, name, password, caller_uid, denied, &u);
	if (rc == CONN_OK && out != NULL)
		*out = u;
	else
		user_clear(&u);
	return rc;
}

int connector_change_password(struct session *s, const char *name, const char *old,
			      const char *new_pw, uid_t caller_uid, bool check_only, char *why,
			      size_t whylen)
{
	char folded[NAMEMAP_NAME_MAX + 1];

	name = namemap_name(s->conn->cfg, name, folded);
	why[0] = '\0';
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	if (caller_uid != 0 && old == NULL)
		return CONN_DENIED;
	if (!check_only && new_pw[0] == '\0' && !s->conn->cfg->allow_empty_password) {
		snprintf(why, whylen, "An empty password is not allowed.");
		return CONN_AUTH_ERR;
	}
	return s->conn->mode->change_password(s, name, old, new_pw, caller_uid, check_only, why,
					      whylen);
}
