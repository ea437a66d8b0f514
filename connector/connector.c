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
	/* read-only unless the administrator configured a query that writes */
	cn->params.read_only = 1;
	for (int i = Q_CREATE; i < Q_COUNT_; i++)
		if (cfg->q[i].sql != NULL)
			cn->params.read_only = 0;
	if (cfg->mode == MODE_MIGRATE) {
		int rc = store_check(cfg, err, errlen);

		if (rc == STORE_UNAVAIL)
			log_msg(LOG_WARNING, "%s; trying again at the first request", err);
		else if (rc != STORE_OK)
			return -1;
	}
	return 0;
}

void session_init(struct session *s, struct connector *cn)
{
	s->conn = cn;
	s->b = NULL;
	s->store = NULL;
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
		session_drop_backend(s);
		/* A kept connection that died since its last use (the server
		 * restarted) gets one new connection and one retry; a new one that
		 * fails, or a timeout, does not: that would only double the wait. */
		if (rc != BACKEND_LOST || fresh)
			return CONN_UNAVAIL;
	}
}

/* An unknown user (and a row whose hash cannot be used) costs one dummy
 * verification, which must cost what a real user's does. Which hash it
 * imitates is chosen from a sample of real users' hashes: one slot per user
 * name (a user who logs in again only refreshes their own), and the most
 * common cost in the sample wins (ties: the slot filled first). So one user
 * with a hash of an odd cost -- or the last one to log in -- does not set it,
 * and in a table of mixed formats an unknown user costs what most real users
 * cost. Hashes over a ceiling never enter. Until a user has been verified,
 * the write scheme at its configured cost stands in ([legacy]
 * password_scheme, password_cost: what the application writes). Kept in the
 * daemon's memory only. */
#define DUMMY_SLOTS 32
#define DUMMY_SIG 96

struct dummy_slot {
	char name[CDB_NAME_MAX + 1];
	char sig[DUMMY_SIG];       /* family and parameters: what the cost depends on */
	char like[HASH_MAX];
};

static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dummy_slot dummy_slots[DUMMY_SLOTS];
static size_t dummy_n, dummy_next;
static char dummy_written[HASH_MAX];   /* the write scheme's stand-in */
static bool dummy_written_tried;

/* What a hash's verification cost depends on: its family and parameters. */
static void dummy_signature(const struct hash_family *f, const char *stored, char *sig,
			    size_t siglen)
{
	char params[DUMMY_SIG] = "";

	if (f->describe != NULL)
		f->describe(stored, params, sizeof(params));
	snprintf(sig, siglen, "%s %s", f->name, params);
}

static void dummy_remember(const char *name, const struct hash_ctx *ctx, const char *stored)
{
	const struct hash_family *f = hash_identify_ctx(ctx, stored);
	struct dummy_slot *slot = NULL;
	size_t i;

	/* by-name-only and salted forms depend on a context the dummy lacks */
	if (f == NULL || f->by_name_only || f->needs_salt || strlen(stored) >= HASH_MAX ||
	    hash_over_ceiling(ctx, f, stored, NULL, 0))
		return;
	pthread_mutex_lock(&dummy_lock);
	for (i = 0; i < dummy_n && slot == NULL; i++)
		if (strcmp(dummy_slots[i].name, name) == 0)
			slot = &dummy_slots[i];
	if (slot == NULL && dummy_n < DUMMY_SLOTS)
		slot = &dummy_slots[dummy_n++];
	if (slot == NULL) {
		/* full: replace the slots in turn, so the sample follows the table */
		slot = &dummy_slots[dummy_next];
		dummy_next = (dummy_next + 1) % DUMMY_SLOTS;
	}
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	dummy_signature(f, stored, slot->sig, sizeof(slot->sig));
	snprintf(slot->like, sizeof(slot->like), "%s", stored);
	pthread_mutex_unlock(&dummy_lock);
}

/* The hash the dummy imitates into like (HASH_MAX bytes), "" for the
 * built-in one. Called with dummy_lock held. */
static void dummy_choose(const struct connector *cn, char *like)
{
	size_t i, j, best = 0, best_n = 0, n;
	char err[128];

	like[0] = '\0';
	for (i = 0; i < dummy_n; i++) {
		for (n = 0, j = 0; j < dummy_n; j++)
			n += strcmp(dummy_slots[i].sig, dummy_slots[j].sig) == 0;
		if (n > best_n) {
			best_n = n;
			best = i;
		}
	}
	if (best_n > 0) {
		memcpy(like, dummy_slots[best].like, HASH_MAX);
		return;
	}
	if (!dummy_written_tried && cn->cfg->password_scheme != NULL) {
		unsigned char rnd[16];
		char pw[33];

		dummy_written_tried = true;
		hash_random(rnd, sizeof(rnd));
		for (i = 0; i < sizeof(rnd); i++)
			snprintf(pw + 2 * i, 3, "%02x", rnd[i]);
		if (hash_generate(cn->cfg->password_scheme, cn->cfg->password_cost, pw,
				  dummy_written, sizeof(dummy_written), err, sizeof(err)) != 0)
			dummy_written[0] = '\0';
		secret_wipe_array(pw);
		secret_wipe_array(rnd);
	}
	memcpy(like, dummy_written, HASH_MAX);
}

static void dummy_verify(const struct connector *cn, const char *password)
{
	char like[HASH_MAX];
	const struct hash_family *f;

	pthread_mutex_lock(&dummy_lock);
	dummy_choose(cn, like);
	pthread_mutex_unlock(&dummy_lock);
	if (log_debug_enabled()) {
		f = like[0] != '\0' ? hash_identify(like) : NULL;
		log_msg(LOG_DEBUG, "dummy verification as %s", f != NULL ? f->name : "sha512crypt (built in)");
	}
	hash_dummy_verify(&cn->cfg->hash_limits, like[0] != '\0' ? like : NULL, password);
	secret_wipe_array(like);
}

/* Columns of a user query's result that a migration would otherwise take
 * from get_user. */
enum {
	COL_GID = 1, COL_GECOS = 2, COL_HOME = 4, COL_SHELL = 8, COL_EMAIL = 16,
	COL_PASSWD_FIELDS = COL_GID | COL_GECOS | COL_HOME | COL_SHELL,
};

/* Run a user query and map the one row whose user name (or uid) is the one
 * asked for. A row that breaks the rules is "not found". *cols (may be NULL)
 * gets the COL_ bits of the columns the result has. */
static int fetch_user(struct session *s, enum query_id id, const struct query_args *a,
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

/* --- the legacy database ----------------------------------------------------
 * In legacy mode these are the answers; in migrate mode, the answers for
 * users who are not in the store. */

static int legacy_user_by_name(struct session *s, const char *name, struct user *u)
{
	struct query_args a = { 0 };

	memset(u, 0, sizeof(*u));
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	a.v[QP_USERNAME] = name;
	return fetch_user(s, Q_GET_USER, &a, name, 0, false, u, NULL);
}

static int legacy_user_by_uid(struct session *s, uid_t uid, struct user *u)
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

static int legacy_group_by_name(struct session *s, const char *name, struct group *g)
{
	struct query_args a = { 0 };

	memset(g, 0, sizeof(*g));
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	a.v[QP_GROUP] = name;
	return fetch_group(s, Q_GET_GROUP, &a, name, 0, g);
}

static int legacy_group_by_gid(struct session *s, gid_t gid, struct group *g)
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

static int legacy_user_groups(struct session *s, const char *name, gid_t **gids, size_t *n)
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
	/* once the table is full, no more: a log line per attempt is what
	 * this table is there to prevent */
	if (first && unusable_n < sizeof(unusable_seen) / sizeof(unusable_seen[0]))
		snprintf(unusable_seen[unusable_n++], sizeof(unusable_seen[0]), "%s", name);
	else if (first)
		first = false;
	pthread_mutex_unlock(&unusable_lock);
	return first;
}

int connector_verify_user(const struct connector *cn, const struct user *u, const char *password)
{
	const struct hash_ctx ctx = {
		.salt = u->salt,
		.scheme_read = cn->cfg->password_scheme_read,
		.allow_empty = cn->cfg->allow_empty_password,
		.limits = &cn->cfg->hash_limits,
	};
	char why[160];
	int h;

	h = hash_verify_ctx(&ctx, u->password, password);
	if (h == HASH_MATCH || h == HASH_MISMATCH) {
		dummy_remember(u->name, &ctx, u->password);
		return h == HASH_MATCH ? CONN_OK : CONN_AUTH_ERR;
	}
	/* Unusable (a lock marker, no known form, over a ceiling): cost what a
	 * real verification does, and say why once per user -- never the hash
	 * itself: it is a secret too. */
	dummy_verify(cn, password);
	if (unusable_first_time(u->name)) {
		hash_explain(&ctx, u->password, why, sizeof(why));
		log_msg(LOG_WARNING, "user %s: the stored password hash is %s (customdb hash identify "
			"tells which)", u->name, why[0] != '\0' ? why :
			"malformed, truncated or in a form customdb cannot use");
	}
	return CONN_AUTH_ERR;
}

/* The legacy login; on CONN_OK *out (if not NULL) holds the user and *cols
 * (if not NULL) the COL_ bits of the login query's result. */
static int legacy_authenticate(struct session *s, const char *name, const char *password,
			       uid_t caller_uid, bool *denied, struct user *out, unsigned *cols)
{
	struct query_args a = { 0 };
	struct user u = { 0 };
	int rc;

	*denied = false;
	if (!cdb_name_valid(name, strlen(name))) {
		dummy_verify(s->conn, password);
		return CONN_NOTFOUND;
	}
	a.v[QP_USERNAME] = name;
	rc = fetch_user(s, Q_LOGIN, &a, name, 0, true, &u, cols);
	if (rc == CONN_NOTFOUND || rc == CONN_ERROR) {
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
	rc = connector_verify_user(s->conn, &u, password);
out:
	if (rc == CONN_OK && out != NULL)
		*out = u;
	else
		user_clear(&u);
	return rc;
}

/* The account rules of pam_unix, for a user from either source. */
static int account_rules(const struct config *cfg, const struct user *u, uid_t caller_uid,
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

static int legacy_account(struct session *s, const char *name, uid_t caller_uid, char *why,
			  size_t whylen)
{
	struct query_args a = { 0 };
	struct user u;
	int rc;

	why[0] = '\0';
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	a.v[QP_USERNAME] = name;
	rc = fetch_user(s, Q_LOGIN, &a, name, 0, false, &u, NULL);
	if (rc != CONN_OK)
		return rc;
	rc = account_rules(s->conn->cfg, &u, caller_uid, why, whylen);
	user_clear(&u);
	return rc;
}

/* --- migrate mode: the store first --------------------------------------------- */

static bool migrating(const struct session *s)
{
	return s->conn->cfg->mode == MODE_MIGRATE;
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
static int store_find_user(struct session *s, const char *name, uid_t uid, bool want_hash,
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

int connector_user_by_name(struct session *s, const char *name, struct user *u)
{
	int rc;

	memset(u, 0, sizeof(*u));
	if (!migrating(s))
		return legacy_user_by_name(s, name, u);
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	rc = store_find_user(s, name, 0, false, u);
	if (rc != STORE_NOTFOUND)
		return conn_of_store(rc);
	rc = legacy_user_by_name(s, name, u);
	if (rc == CONN_OK)
		rc = legacy_cross_check(s, true, u);
	return rc;
}

int connector_user_by_uid(struct session *s, uid_t uid, struct user *u)
{
	int rc;

	memset(u, 0, sizeof(*u));
	if (!migrating(s))
		return legacy_user_by_uid(s, uid, u);
	if (!map_id_allowed(s->conn->cfg, uid))
		return CONN_NOTFOUND;
	rc = store_find_user(s, NULL, uid, false, u);
	if (rc != STORE_NOTFOUND)
		return conn_of_store(rc);
	rc = legacy_user_by_uid(s, uid, u);
	if (rc == CONN_OK)
		rc = legacy_cross_check(s, false, u);
	return rc;
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

/* A group in migrate mode: the store's row (when src is STORE_OK) with the
 * legacy members who are not migrated yet, or else the legacy group without
 * the migrated ones, unless the store holds its name or gid (the key not
 * looked up) as another group's. */
static int migrate_group(struct session *s, int src, struct group *sg, int lrc,
			 struct group *lg, bool by_name, struct group *g)
{
	struct group o;
	int rc;

	if (src == STORE_OK) {
		*g = *sg;
		memset(sg, 0, sizeof(*sg));
		/* legacy down or disagreeing: the store's own answer stands */
		if (lrc == CONN_OK && lg->gid == g->gid && strcmp(lg->name, g->name) == 0 &&
		    add_legacy_members(s, lg, g) != CONN_OK)
			log_msg(LOG_WARNING, "group %s: members not migrated yet left out", g->name);
		return CONN_OK;
	}
	if (lrc != CONN_OK)
		return lrc;
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

static int migrate_group_lookup(struct session *s, const char *name, gid_t gid, struct group *g)
{
	struct group sg = { 0 }, lg = { 0 };
	struct store *st = session_store(s);
	int src, lrc, rc;

	if (st == NULL)
		return CONN_UNAVAIL;
	src = name != NULL ? store_group_by_name(st, name, &sg) : store_group_by_gid(st, gid, &sg);
	if (src == STORE_OK && !store_group_ok(s->conn->cfg, &sg)) {
		rc = CONN_NOTFOUND;
		goto out;
	}
	if (src != STORE_OK && src != STORE_NOTFOUND) {
		rc = CONN_UNAVAIL;
		goto out;
	}
	lrc = name != NULL ? legacy_group_by_name(s, name, &lg) : legacy_group_by_gid(s, gid, &lg);
	rc = migrate_group(s, src, &sg, lrc, &lg, name != NULL, g);
out:
	group_clear(&sg);
	group_clear(&lg);
	return rc;
}

int connector_group_by_name(struct session *s, const char *name, struct group *g)
{
	memset(g, 0, sizeof(*g));
	if (!migrating(s))
		return legacy_group_by_name(s, name, g);
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	return migrate_group_lookup(s, name, 0, g);
}

int connector_group_by_gid(struct session *s, gid_t gid, struct group *g)
{
	memset(g, 0, sizeof(*g));
	if (!migrating(s))
		return legacy_group_by_gid(s, gid, g);
	if (!map_gid_allowed(s->conn->cfg, gid))
		return CONN_NOTFOUND;
	return migrate_group_lookup(s, NULL, gid, g);
}

int connector_user_groups(struct session *s, const char *name, gid_t **gids, size_t *n)
{
	struct store *st;
	size_t i, k = 0;
	int rc;

	*gids = NULL;
	*n = 0;
	if (!migrating(s))
		return legacy_user_groups(s, name, gids, n);
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	st = session_store(s);
	if (st == NULL)
		return CONN_UNAVAIL;
	rc = store_user_groups(st, name, gids, n);
	if (rc == STORE_NOTFOUND)
		return legacy_user_groups(s, name, gids, n);
	if (rc != STORE_OK)
		return conn_of_store(rc);
	for (i = 0; i < *n; i++)
		if (map_gid_allowed(s->conn->cfg, (*gids)[i]))
			(*gids)[k++] = (*gids)[i];
	*n = k;
	return CONN_OK;
}

int connector_account(struct session *s, const char *name, uid_t caller_uid, char *why,
		      size_t whylen)
{
	struct user u;
	int rc;

	why[0] = '\0';
	if (!migrating(s))
		return legacy_account(s, name, caller_uid, why, whylen);
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	rc = store_find_user(s, name, 0, false, &u);
	if (rc == STORE_NOTFOUND)
		return legacy_account(s, name, caller_uid, why, whylen);
	if (rc != STORE_OK)
		return conn_of_store(rc);
	rc = account_rules(s->conn->cfg, &u, caller_uid, why, whylen);
	user_clear(&u);
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

/* After a successful legacy login in migrate mode: copy the user, their
 * groups and the password re-hashed into the store, in one transaction,
 * before the login is reported. A disabled or expired account stays where it
 * is (the account step refuses it). CONN_OK, CONN_AUTH_ERR (uid held by
 * another name, or deleted), CONN_UNAVAIL, CONN_ERROR. */
static int migrate_user(struct session *s, struct user *u, unsigned cols, const char *password)
{
	const struct config *cfg = s->conn->cfg;
	char hash[HASH_MAX], err[256], why[256];
	struct group *groups = NULL;
	size_t ngroups = 0, i;
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
	r = store_migrate_user(s->store, u, hash, groups, ngroups);
	switch (r) {
	case STORE_OK:
		log_msg(LOG_NOTICE, "user %s (uid %lu) migrated to the store with %zu groups",
			u->name, (unsigned long)u->uid, ngroups);
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

/* Write new_hash through the change_password query: connector_legacy_write,
 * a failure of the query logged. */
static int legacy_write_hash(struct session *s, const char *name, const char *new_hash)
{
	struct query_args a = { 0 };
	char why[640];
	int rc;

	a.v[QP_USERNAME] = name;
	a.v[QP_PASSWORD_HASH] = new_hash;
	rc = connector_legacy_write(s, Q_CHANGE_PASSWORD, &a, why, sizeof(why));
	if (rc == CONN_UNAVAIL || rc == CONN_ERROR)
		log_msg(LOG_ERR, "%s", why);
	return rc;
}

/* rehash_on_login (legacy mode): after a successful login, a stored hash
 * weaker than password_scheme is replaced through change_password. A
 * failure is logged; the login stands. */
static void rehash_legacy(struct session *s, const struct user *u, const char *password)
{
	const struct config *cfg = s->conn->cfg;
	const struct hash_ctx ctx = { .salt = u->salt, .scheme_read = cfg->password_scheme_read };
	const struct hash_family *old;
	char hash[HASH_MAX], err[256];
	int rc;

	if (cfg->q[Q_CHANGE_PASSWORD].sql == NULL ||
	    !hash_weaker(&ctx, u->password, cfg->password_scheme, cfg->password_cost))
		return;
	old = hash_identify_ctx(&ctx, u->password);
	if (hash_generate(cfg->password_scheme, cfg->password_cost, password, hash, sizeof(hash),
			  err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "user %s: not re-hashed: %s", u->name, err);
		return;
	}
	rc = legacy_write_hash(s, u->name, hash);
	secret_wipe_array(hash);
	if (rc == CONN_OK)
		log_msg(LOG_NOTICE, "user %s: password re-hashed from %s to %s at login", u->name,
			old != NULL ? old->name : "?", cfg->password_scheme);
	else
		log_msg(LOG_ERR, "user %s: not re-hashed: change_password: %s", u->name,
			conn_rc_name(rc));
}

/* A bulk-imported store user keeps the legacy hash until the first login,
 * which replaces it with argon2id. A failure is logged; the login stands. */
static void rehash_imported(struct session *s, const struct user *u, const char *password)
{
	const struct hash_family *old = hash_identify(u->password);
	char hash[HASH_MAX], err[256];
	int rc;

	if (old == &hash_family_argon2id)
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

int connector_authenticate(struct session *s, const char *name, const char *password,
			   uid_t caller_uid, bool *denied, struct user *out)
{
	struct user u;
	unsigned cols = 0;
	int rc;

	*denied = false;
	memset(&u, 0, sizeof(u));
	if (!migrating(s)) {
		rc = legacy_authenticate(s, name, password, caller_uid, denied, &u, NULL);
		if (rc == CONN_OK && s->conn->cfg->rehash_on_login)
			rehash_legacy(s, &u, password);
		goto out;
	}
	if (!cdb_name_valid(name, strlen(name))) {
		dummy_verify(s->conn, password);
		return CONN_NOTFOUND;
	}
	rc = store_find_user(s, name, 0, true, &u);
	switch (rc) {
	case STORE_OK:
		/* migrated: the store alone */
		if (caller_uid != 0 && u.uid != caller_uid) {
			*denied = true;
			rc = CONN_AUTH_ERR;
			break;
		}
		rc = connector_verify_user(s->conn, &u, password);
		if (rc == CONN_OK) {
			store_touch_login(s->store, name);  /* logged there; not fatal */
			rehash_imported(s, &u, password);
		}
		break;
	case STORE_NOTFOUND:
		rc = legacy_authenticate(s, name, password, caller_uid, denied, &u, &cols);
		if (rc == CONN_OK)
			rc = migrate_user(s, &u, cols, password);
		break;
	case STORE_TOMBSTONE:
		dummy_verify(s->conn, password);
		rc = CONN_NOTFOUND;
		break;
	default:
		rc = CONN_UNAVAIL;
		break;
	}
out:
	if (rc == CONN_OK && out != NULL)
		*out = u;
	else
		user_clear(&u);
	return rc;
}

/* --- password changes ---------------------------------------------------------- */

/* The change for a user the legacy database answers for: check old (when
 * given) with the login query, then write: in legacy mode through
 * change_password, in migrate mode by migrating the user with the new
 * password. */
static int legacy_change_password(struct session *s, const char *name, const char *old,
				  const char *new_pw, uid_t caller_uid, bool check_only,
				  char *why, size_t whylen)
{
	const struct config *cfg = s->conn->cfg;
	struct query_args a = { 0 };
	struct user u;
	char hash[HASH_MAX], err[256];
	unsigned cols = 0;
	bool denied = false;
	int rc;

	hash[0] = '\0';
	memset(&u, 0, sizeof(u));
	if (old != NULL) {
		rc = legacy_authenticate(s, name, old, caller_uid, &denied, &u, &cols);
	} else {
		a.v[QP_USERNAME] = name;
		rc = fetch_user(s, Q_LOGIN, &a, name, 0, false, &u, &cols);
	}
	if (denied) {
		rc = CONN_DENIED;
		goto out;
	}
	if (rc == CONN_AUTH_ERR)
		snprintf(why, whylen, "The current password is not right.");
	if (rc != CONN_OK || check_only)
		goto out;
	if (migrating(s)) {
		/* the store takes the user with the new password */
		rc = account_rules(cfg, &u, 0, why, whylen);
		if (rc == CONN_NEW_AUTHTOK) {
			rc = CONN_OK;
			u.must_change_password = false;
			why[0] = '\0';
		}
		if (rc == CONN_OK)
			rc = migrate_user(s, &u, cols, new_pw);
		goto out;
	}
	if (cfg->q[Q_CHANGE_PASSWORD].sql == NULL) {
		log_msg(LOG_ERR, "user %s: password not changed: no change_password query is "
			"configured", name);
		snprintf(why, whylen, "Password changes are not enabled for this account.");
		rc = CONN_ERROR;
		goto out;
	}
	if (hash_generate(cfg->password_scheme, cfg->password_cost, new_pw, hash, sizeof(hash),
			  err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "user %s: password not changed: %s", name, err);
		rc = CONN_ERROR;
		goto out;
	}
	rc = legacy_write_hash(s, name, hash);
	if (rc == CONN_NOTFOUND) {
		log_msg(LOG_ERR, "user %s: password not changed: the change_password query changed "
			"no row", name);
		rc = CONN_ERROR;
	}
out:
	secret_wipe_array(hash);
	user_clear(&u);
	return rc;
}

int connector_change_password(struct session *s, const char *name, const char *old,
			      const char *new_pw, uid_t caller_uid, bool check_only, char *why,
			      size_t whylen)
{
	const struct config *cfg = s->conn->cfg;
	char hash[HASH_MAX], err[256];
	struct user u;
	int rc;

	why[0] = '\0';
	if (!cdb_name_valid(name, strlen(name)))
		return CONN_NOTFOUND;
	if (caller_uid != 0 && old == NULL)
		return CONN_DENIED;
	if (!check_only && new_pw[0] == '\0' && !cfg->allow_empty_password) {
		snprintf(why, whylen, "An empty password is not allowed.");
		return CONN_AUTH_ERR;
	}
	if (!migrating(s))
		return legacy_change_password(s, name, old, new_pw, caller_uid, check_only, why,
					      whylen);
	rc = store_find_user(s, name, 0, true, &u);
	if (rc == STORE_NOTFOUND)
		return legacy_change_password(s, name, old, new_pw, caller_uid, check_only, why,
					      whylen);
	if (rc == STORE_TOMBSTONE)
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
