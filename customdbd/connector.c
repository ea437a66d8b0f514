/* connector.c: see connector.h. */
#include "connector.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "log.h"
#include "names.h"
#include "secret.h"

const char *conn_rc_name(int rc)
{
	switch (rc) {
	case CONN_OK: return "ok";
	case CONN_NOTFOUND: return "not found";
	case CONN_AUTH_ERR: return "authentication failed";
	case CONN_DISABLED: return "disabled";
	case CONN_EXPIRED: return "expired";
	case CONN_DENIED: return "not allowed for this caller";
	case CONN_UNAVAIL: return "database unavailable";
	case CONN_ERROR: return "error";
	}
	return "?";
}

int connector_init(struct connector *cn, const struct config *cfg, char *err, size_t errlen)
{
	memset(cn, 0, sizeof(*cn));
	cn->cfg = cfg;
	cn->ops = backend_lookup(cfg->driver);
	if (cn->ops == NULL) {
		snprintf(err, errlen, "%s: [legacy] driver: '%s' is not built into this customdb",
			 cfg->path ? cfg->path : "config", cfg->driver);
		return -1;
	}
	cn->params.connection = cfg->connection;
	cn->params.password = cfg->password;
	cn->params.connect_timeout = cfg->connect_timeout;
	cn->params.query_timeout = cfg->query_timeout;
	cn->params.read_only = 1;
	return 0;
}

void session_init(struct session *s, struct connector *cn)
{
	s->conn = cn;
	s->b = NULL;
}

void session_close(struct session *s)
{
	if (s->b != NULL)
		s->conn->ops->close(s->b);
	s->b = NULL;
}

int session_query(struct session *s, enum query_id id, const struct query_args *a,
		  struct result **out, char *err, size_t errlen)
{
	const struct query *q = &s->conn->cfg->q[id];
	const char *values[QUERY_MAX_PARAMS];
	bool fresh = false;
	int rc;

	*out = NULL;
	if (q->sql == NULL) {
		snprintf(err, errlen, "query %s is not configured", query_id_name(id));
		return CONN_NOTFOUND;
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
		if (rc == BACKEND_OK)
			return CONN_OK;
		if (rc == BACKEND_ERROR)
			return CONN_ERROR;
		session_close(s);
		/* A kept connection that died since its last use (the server
		 * restarted) gets one new connection and one retry; a new one that
		 * fails, or a timeout, does not: that would only double the wait. */
		if (rc != BACKEND_LOST || fresh)
			return CONN_UNAVAIL;
	}
}

/* Hashes of real users are what an unknown user's dummy verification
 * imitates, so both cost the same. Kept in the daemon's memory only. */
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy_like[256];

static void dummy_remember(const char *stored)
{
	if (stored == NULL || strlen(stored) >= sizeof(dummy_like) || hash_identify(stored) == NULL)
		return;
	pthread_mutex_lock(&dummy_lock);
	snprintf(dummy_like, sizeof(dummy_like), "%s", stored);
	pthread_mutex_unlock(&dummy_lock);
}

static void dummy_verify(const char *password)
{
	char like[sizeof(dummy_like)];

	pthread_mutex_lock(&dummy_lock);
	memcpy(like, dummy_like, sizeof(like));
	pthread_mutex_unlock(&dummy_lock);
	hash_dummy_verify(like[0] != '\0' ? like : NULL, password);
	secret_wipe_array(like);
}

/* Run a user query and map the one row whose user name (or uid) is the one
 * asked for. A row that breaks the rules is "not found". */
static int fetch_user(struct session *s, enum query_id id, const struct query_args *a,
		      const char *want_name, uid_t want_uid, bool need_password, struct user *u)
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

int connector_user_by_name(struct session *s, const char *name, struct user *u)
{
	struct query_args a = { 0 };

	memset(u, 0, sizeof(*u));
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	a.v[QP_USERNAME] = name;
	return fetch_user(s, Q_GET_USER, &a, name, 0, false, u);
}

int connector_user_by_uid(struct session *s, uid_t uid, struct user *u)
{
	struct query_args a = { 0 };
	char num[24];

	memset(u, 0, sizeof(*u));
	if (!map_id_allowed(s->conn->cfg, uid))
		return CONN_NOTFOUND;
	snprintf(num, sizeof(num), "%lu", (unsigned long)uid);
	a.v[QP_UID] = num;
	return fetch_user(s, Q_GET_USER_BY_UID, &a, NULL, uid, false, u);
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

int connector_group_by_name(struct session *s, const char *name, struct group *g)
{
	struct query_args a = { 0 };

	memset(g, 0, sizeof(*g));
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	a.v[QP_GROUP] = name;
	return fetch_group(s, Q_GET_GROUP, &a, name, 0, g);
}

int connector_group_by_gid(struct session *s, gid_t gid, struct group *g)
{
	struct query_args a = { 0 };
	char num[24];

	memset(g, 0, sizeof(*g));
	if (!map_id_allowed(s->conn->cfg, gid))
		return CONN_NOTFOUND;
	snprintf(num, sizeof(num), "%lu", (unsigned long)gid);
	a.v[QP_GID] = num;
	return fetch_group(s, Q_GET_GROUP_BY_GID, &a, NULL, gid, g);
}

int connector_user_groups(struct session *s, const char *name, gid_t **gids, size_t *n)
{
	struct query_args a = { 0 };
	struct result *r = NULL;
	char err[512];
	size_t row, i;
	int col, rc;
	gid_t *list;

	*gids = NULL;
	*n = 0;
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	if (s->conn->cfg->q[Q_USER_GROUPS].sql == NULL)
		return CONN_OK;
	a.v[QP_USERNAME] = name;
	rc = session_query(s, Q_USER_GROUPS, &a, &r, err, sizeof(err));
	if (rc != CONN_OK) {
		log_msg(LOG_ERR, "query user_groups: %s", err);
		goto out;
	}
	col = result_column(r, "gid");
	if (col < 0) {
		log_msg(LOG_ERR, "query user_groups: returns no 'gid' column");
		rc = CONN_ERROR;
		goto out;
	}
	list = calloc(r->nrows ? r->nrows : 1, sizeof(*list));
	if (list == NULL) {
		rc = CONN_ERROR;
		goto out;
	}
	for (row = 0; row < r->nrows && *n < 16384; row++) {
		const char *v = result_cell(r, row, (size_t)col);
		char *end;
		unsigned long g;

		if (v == NULL || *v < '0' || *v > '9')
			continue;
		g = strtoul(v, &end, 10);
		if (*end != '\0' || !map_id_allowed(s->conn->cfg, g))
			continue;
		for (i = 0; i < *n; i++)
			if (list[i] == (gid_t)g)
				break;
		if (i == *n)
			list[(*n)++] = (gid_t)g;
	}
	*gids = list;
out:
	result_free(r);
	return rc;
}

/* "Unusable hash" is said once per user, not at every attempt: a table
 * full of them must not flood the log. Bounded; a full list stays full. */
static pthread_mutex_t unusable_lock = PTHREAD_MUTEX_INITIALIZER;
static char unusable_seen[256][CDB_NAME_MAX + 1];
static size_t unusable_n;

static bool unusable_first_time(const char *name)
{
	bool first = true;
	size_t i;

	pthread_mutex_lock(&unusable_lock);
	for (i = 0; i < unusable_n && first; i++)
		if (strcmp(unusable_seen[i], name) == 0)
			first = false;
	if (first && unusable_n < sizeof(unusable_seen) / sizeof(unusable_seen[0]))
		snprintf(unusable_seen[unusable_n++], sizeof(unusable_seen[0]), "%s", name);
	pthread_mutex_unlock(&unusable_lock);
	return first;
}

int connector_verify_user(const struct connector *cn, const struct user *u, const char *password)
{
	const struct hash_ctx ctx = {
		.salt = u->salt,
		.scheme_read = cn->cfg->password_scheme_read,
		.allow_empty = cn->cfg->allow_empty_password,
	};
	int h;

	if (u->password == NULL || u->password[0] == '\0') {
		dummy_verify(password);
		if (unusable_first_time(u->name))
			log_msg(LOG_WARNING, "user %s: no password hash stored", u->name);
		return CONN_AUTH_ERR;
	}
	h = hash_verify_ctx(&ctx, u->password, password);
	if (h == HASH_MATCH || h == HASH_MISMATCH) {
		dummy_remember(u->password);
		return h == HASH_MATCH ? CONN_OK : CONN_AUTH_ERR;
	}
	/* never the hash itself: it is a secret too */
	if (unusable_first_time(u->name))
		log_msg(LOG_WARNING, "user %s: the stored password hash is malformed, truncated or "
			"in a form customdb cannot use (customdb hash identify tells which)", u->name);
	dummy_verify(password);
	return CONN_AUTH_ERR;
}

int connector_authenticate(struct session *s, const char *name, const char *password,
			   uid_t caller_uid, bool *denied, struct user *out)
{
	struct query_args a = { 0 };
	struct user u = { 0 };
	int rc;

	*denied = false;
	if (!cdb_name_valid(name, strlen(name))) {
		dummy_verify(password);
		return CONN_NOTFOUND;
	}
	a.v[QP_USERNAME] = name;
	rc = fetch_user(s, Q_LOGIN, &a, name, 0, true, &u);
	if (rc == CONN_NOTFOUND || rc == CONN_ERROR) {
		dummy_verify(password);
		goto out;
	}
	if (rc != CONN_OK)
		goto out;
	if (caller_uid != 0 && u.uid != caller_uid) {
		*denied = true;
		rc = CONN_AUTH_ERR;
		goto out;
	}
	rc = connector_verify_user(s->conn, &u, password);
out:
	if (rc == CONN_OK && out != NULL)
		*out = u;
	else
		user_clear(&u);
	return rc;
}

int connector_account(struct session *s, const char *name, uid_t caller_uid, char *why,
		      size_t whylen)
{
	struct query_args a = { 0 };
	struct user u;
	int rc;

	why[0] = '\0';
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	a.v[QP_USERNAME] = name;
	rc = fetch_user(s, Q_LOGIN, &a, name, 0, false, &u);
	if (rc != CONN_OK)
		return rc;
	if (caller_uid != 0 && u.uid != caller_uid) {
		rc = CONN_DENIED;
	} else if (u.disabled) {
		snprintf(why, whylen, "Your account is disabled; contact your administrator.");
		rc = CONN_DISABLED;
	} else if (u.expires != 0 && u.expires <= (int64_t)time(NULL)) {
		snprintf(why, whylen, "Your account has expired; contact your administrator.");
		rc = CONN_EXPIRED;
	} else if (s->conn->cfg->require_verified && u.email_verified == 0) {
		snprintf(why, whylen, "Your e-mail address is not verified yet; verify it first.");
		rc = CONN_DISABLED;
	}
	user_clear(&u);
	return rc;
}
