/* connector_enum.c: the lists behind getpwent and getgrent (enumerate = yes).
 *
 * The sources are the mode's (mode.h: mode_ops.sources).
 *
 * Legacy mode: the rows of list_users / list_groups that hold the rules of
 * mapping.h, each name once, in the query's order.
 *
 * Migrate mode: the store's users and groups first (the store is the truth
 * for them), then the legacy rows the store does not hold. As in the
 * look-ups by name and by id, a legacy user whose name the store knows
 * (migrated, or deleted on purpose) or whose uid a store user holds is left
 * out; so is a legacy group named like a store group (the store's stands,
 * with the store's members) or whose gid a store group holds.
 * Whatever goes wrong on the legacy side (database down, a bad query) leaves
 * the store's part as the answer, logged: migrated users keep resolving.
 *
 * At most enumerate_limit entries either way; the store's come first. */
#include "mode.h"

#include <search.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "secret.h"
#include "store.h"

/* Legacy users are checked against the store this many at a time. */
#define KNOWN_BATCH 128

/* A set of names (not owned: they point into the list being built), each
 * with the index of its entry in that list. */
struct name_set {
	struct hsearch_data h;
	bool ready;
};

static int set_init(struct name_set *set, size_t capacity)
{
	memset(set, 0, sizeof(*set));
	if (hcreate_r(capacity + 1, &set->h) == 0)
		return -1;
	set->ready = true;
	return 0;
}

static void set_free(struct name_set *set)
{
	if (set->ready)
		hdestroy_r(&set->h);
	set->ready = false;
}

/* The index stored with name, or -1 when name is not in the set. */
static long set_find(struct name_set *set, const char *name)
{
	ENTRY e = { .key = (char *)name }, *found = NULL;

	if (hsearch_r(e, FIND, &found, &set->h) == 0 || found == NULL)
		return -1;
	return (long)(uintptr_t)found->data - 1;
}

/* Add name (which must stay valid while the set lives) with idx. 0 or -1
 * (full: the set was sized too small, or out of memory). */
static int set_add(struct name_set *set, const char *name, size_t idx)
{
	ENTRY e = { .key = (char *)name, .data = (void *)(uintptr_t)(idx + 1) }, *found = NULL;

	return hsearch_r(e, ENTER, &found, &set->h) != 0 ? 0 : -1;
}

/* v (cap elements of size bytes, n used) with room for one more: v itself
 * or its reallocation (*cap updated), or NULL on ENOMEM (v untouched). */
static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	ncap = *cap > 0 ? *cap * 2 : 64;
	nv = realloc(v, ncap * size);
	if (nv != NULL)
		*cap = ncap;
	return nv;
}

static int cmp_id(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* ids[0..n) sorted, for has_id. */
static void sort_ids(unsigned long *ids, size_t n)
{
	qsort(ids, n, sizeof(*ids), cmp_id);
}

static bool has_id(const unsigned long *ids, size_t n, unsigned long id)
{
	return n > 0 && bsearch(&id, ids, n, sizeof(*ids), cmp_id) != NULL;
}

/* Enumeration hands out no secret: list_users may return hashes (for
 * migrate import), and they go at once. */
static void drop_secrets(struct user *u)
{
	secret_wipe_str(u->password);
	free(u->password);
	u->password = NULL;
	secret_wipe_str(u->salt);
	free(u->salt);
	u->salt = NULL;
}

static void free_users(struct user *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		user_clear(&v[i]);
	free(v);
}

static void free_groups(struct group *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		group_clear(&v[i]);
	free(v);
}

/* Run a list query. CONN_OK with *r (maybe NULL: the query is not
 * configured, nothing to list), or CONN_UNAVAIL / CONN_ERROR, logged. */
static int list_query(struct session *s, enum query_id id, struct result **r)
{
	const struct query_args a = { 0 };
	char err[512];
	int rc;

	rc = session_query(s, id, &a, r, err, sizeof(err));
	if (rc == CONN_NOTFOUND) {
		*r = NULL;
		return CONN_OK;
	}
	if (rc != CONN_OK)
		log_msg(LOG_ERR, "query %s: %s", query_id_name(id), err);
	return rc;
}

/* A list being built: v[0..n) of cap, and the names in it. */
struct users {
	struct user *v;
	size_t n, cap, limit;
	struct name_set names;
};

/* The store's users that hold the rules; the list starts with them. */
static int store_users(struct session *s, struct users *l)
{
	struct store *st = session_store(s);
	size_t i, dropped = 0;

	if (st == NULL || store_list_users(st, l->limit, &l->v, &l->cap) != STORE_OK)
		return CONN_UNAVAIL;
	for (i = 0; i < l->cap; i++) {
		if (!store_user_ok(s->conn->cfg, &l->v[i])) {
			user_clear(&l->v[i]);
			dropped++;
			continue;
		}
		drop_secrets(&l->v[i]);
		l->v[l->n++] = l->v[i];
	}
	if (dropped > 0)
		log_msg(LOG_WARNING, "store: %zu users break the rules (name, uid range, passwd "
			"fields); not listed", dropped);
	return CONN_OK;
}

/* Append cand[0..k) to the list, but those the store knows (migrate mode);
 * every candidate is taken or cleared. */
static int take_batch(struct session *s, struct users *l, struct user *cand, size_t k)
{
	const char *names[KNOWN_BATCH];
	bool known[KNOWN_BATCH] = { false };
	struct user *v;
	size_t i;
	int rc = CONN_OK;

	for (i = 0; i < k; i++)
		names[i] = cand[i].name;
	if (mode_has(s, SRC_STORE) &&
	    store_names_known(s->store, names, k, known) != STORE_OK)
		rc = CONN_UNAVAIL;
	for (i = 0; i < k; i++) {
		if (rc != CONN_OK || known[i]) {
			user_clear(&cand[i]);
			continue;
		}
		v = grow(l->v, &l->cap, l->n, sizeof(*l->v));
		if (v == NULL || set_add(&l->names, cand[i].name, l->n) != 0) {
			if (v != NULL)
				l->v = v;
			rc = CONN_ERROR;
			user_clear(&cand[i]);
			continue;
		}
		l->v = v;
		l->v[l->n++] = cand[i];
	}
	return rc;
}

/* Is cand's name in the list already, or among the k candidates before it? */
static bool listed(struct users *l, const struct user *cand, size_t k)
{
	size_t i;

	if (set_find(&l->names, cand[k].name) >= 0)
		return true;
	for (i = 0; i < k; i++)
		if (strcmp(cand[i].name, cand[k].name) == 0)
			return true;
	return false;
}

/* Append the rows of list_users (r) that the list may take. store_uids:
 * the uids of the store's users (migrate mode), which no legacy user gets. */
static int legacy_users(struct session *s, struct users *l, const struct result *r,
			const unsigned long *store_uids, size_t nstore)
{
	struct user cand[KNOWN_BATCH];
	size_t row = 0, k, left_out = 0;
	char why[256];
	int rc = CONN_OK, m;

	while (rc == CONN_OK && row < r->nrows && l->n < l->limit) {
		for (k = 0; row < r->nrows && k < KNOWN_BATCH && l->n + k < l->limit; row++) {
			m = map_user(s->conn->cfg, r, row, false, &cand[k], why, sizeof(why));
			if (m == MAP_REJECTED) {
				left_out++;
				continue;
			}
			if (m != MAP_OK) {
				log_msg(LOG_ERR, "query list_users: %s", why);
				rc = CONN_ERROR;
				break;
			}
			drop_secrets(&cand[k]);
			if (listed(l, cand, k) || has_id(store_uids, nstore, cand[k].uid)) {
				user_clear(&cand[k]);
				continue;
			}
			k++;
		}
		m = take_batch(s, l, cand, k);
		if (rc == CONN_OK)
			rc = m;
	}
	if (left_out > 0)
		log_msg(LOG_DEBUG, "query list_users: %zu rows not listed (name, uid or passwd "
			"fields break the rules)", left_out);
	return rc;
}

int connector_list_users(struct session *s, struct user **out, size_t *n)
{
	const struct config *cfg = s->conn->cfg;
	struct users l = { .limit = (size_t)cfg->enumerate_limit };
	struct result *r = NULL;
	unsigned long *uids = NULL;
	size_t nstore = 0, rows;
	int rc;

	*out = NULL;
	*n = 0;
	if (mode_has(s, SRC_STORE)) {
		rc = store_users(s, &l);
		if (rc != CONN_OK)
			goto out;
		nstore = l.n;
		uids = calloc(nstore > 0 ? nstore : 1, sizeof(*uids));
		if (uids == NULL) {
			rc = CONN_ERROR;
			goto out;
		}
		for (size_t i = 0; i < nstore; i++)
			uids[i] = l.v[i].uid;
		sort_ids(uids, nstore);
	}
	rc = CONN_OK;
	if (l.n >= l.limit)
		goto out;
	rc = list_query(s, Q_LIST_USERS, &r);
	rows = r != NULL ? r->nrows : 0;
	if (rc == CONN_OK && set_init(&l.names, l.n + (rows < l.limit ? rows : l.limit)) != 0)
		rc = CONN_ERROR;
	for (size_t i = 0; rc == CONN_OK && i < l.n; i++)
		if (set_add(&l.names, l.v[i].name, i) != 0)
			rc = CONN_ERROR;
	if (rc == CONN_OK && r != NULL)
		rc = legacy_users(s, &l, r, uids, nstore);
	if (rc != CONN_OK && mode_has(s, SRC_STORE)) {
		log_msg(LOG_WARNING, "enumeration: legacy users left out (%s); listing the %zu "
			"in the store", conn_rc_name(rc), nstore);
		while (l.n > nstore)
			user_clear(&l.v[--l.n]);
		rc = CONN_OK;
	}
out:
	set_free(&l.names);
	result_free(r);
	free(uids);
	if (rc == CONN_OK) {
		*out = l.v;
		*n = l.n;
	} else {
		free_users(l.v, l.n);
	}
	return rc;
}

/* --- groups ------------------------------------------------------------------ */

struct groups {
	struct group *v;
	size_t n, cap, limit;
	size_t nstore;                /* v[0..nstore) came from the store */
	unsigned long *store_gids;    /* their gids, sorted */
	struct name_set names;
};

static int store_groups(struct session *s, struct groups *l)
{
	struct store *st = session_store(s);
	size_t i, dropped = 0;

	if (st == NULL || store_list_groups(st, l->limit, &l->v, &l->cap) != STORE_OK)
		return CONN_UNAVAIL;
	for (i = 0; i < l->cap; i++) {
		if (!store_group_ok(s->conn->cfg, &l->v[i])) {
			group_clear(&l->v[i]);
			dropped++;
			continue;
		}
		l->v[l->n++] = l->v[i];
	}
	if (dropped > 0)
		log_msg(LOG_WARNING, "store: %zu groups break the rules (name, gid range); not "
			"listed", dropped);
	l->nstore = l->n;
	l->store_gids = calloc(l->n > 0 ? l->n : 1, sizeof(*l->store_gids));
	if (l->store_gids == NULL)
		return CONN_ERROR;
	for (i = 0; i < l->n; i++)
		l->store_gids[i] = l->v[i].gid;
	sort_ids(l->store_gids, l->n);
	return CONN_OK;
}

/* One legacy group (lg, cleared by the caller) into the list. */
static int legacy_group(struct session *s, struct groups *l, struct group *lg)
{
	bool store = mode_has(s, SRC_STORE);
	struct group g = { 0 }, *v;
	long at = set_find(&l->names, lg->name);
	int rc;

	/* listed already: a store group is the store's alone, as getgrnam
	 * answers it (mode_migrate.c) */
	if (at >= 0)
		return CONN_OK;
	if (l->n >= l->limit || has_id(l->store_gids, l->nstore, lg->gid))
		return CONN_OK;
	v = grow(l->v, &l->cap, l->n, sizeof(*l->v));
	if (v == NULL)
		return CONN_ERROR;
	l->v = v;
	if (store) {
		/* the legacy group without its migrated members */
		g.name = lg->name;
		g.gid = lg->gid;
		lg->name = NULL;
		rc = add_legacy_members(s, lg, &g);
		if (rc != CONN_OK) {
			group_clear(&g);
			return rc;
		}
	} else {
		g = *lg;
		memset(lg, 0, sizeof(*lg));
	}
	if (set_add(&l->names, g.name, l->n) != 0) {
		group_clear(&g);
		return CONN_ERROR;
	}
	l->v[l->n++] = g;
	return CONN_OK;
}

static int legacy_groups(struct session *s, struct groups *l, const struct result *r)
{
	struct group lg;
	size_t row, left_out = 0;
	char why[256];
	int rc = CONN_OK, m;

	for (row = 0; rc == CONN_OK && row < r->nrows; row++) {
		m = map_group(s->conn->cfg, r, row, &lg, why, sizeof(why));
		if (m == MAP_REJECTED) {
			left_out++;
			continue;
		}
		if (m != MAP_OK) {
			log_msg(LOG_ERR, "query list_groups: %s", why);
			rc = CONN_ERROR;
			break;
		}
		rc = legacy_group(s, l, &lg);
		group_clear(&lg);
		/* past the limit, rows matter only for the store's groups */
		if (l->n >= l->limit && l->nstore == 0)
			break;
	}
	if (left_out > 0)
		log_msg(LOG_DEBUG, "query list_groups: %zu rows not listed (name or gid breaks the "
			"rules)", left_out);
	return rc;
}

int connector_list_groups(struct session *s, struct group **out, size_t *n)
{
	const struct config *cfg = s->conn->cfg;
	struct groups l = { .limit = (size_t)cfg->enumerate_limit };
	struct result *r = NULL;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	if (mode_has(s, SRC_STORE)) {
		rc = store_groups(s, &l);
		if (rc != CONN_OK)
			goto out;
	}
	rc = list_query(s, Q_LIST_GROUPS, &r);
	if (rc == CONN_OK && set_init(&l.names, l.n + (r != NULL ? r->nrows : 0)) != 0)
		rc = CONN_ERROR;
	for (i = 0; rc == CONN_OK && i < l.n; i++)
		if (set_add(&l.names, l.v[i].name, i) != 0)
			rc = CONN_ERROR;
	if (rc == CONN_OK && r != NULL)
		rc = legacy_groups(s, &l, r);
	if (rc != CONN_OK && mode_has(s, SRC_STORE)) {
		log_msg(LOG_WARNING, "enumeration: legacy groups left out (%s); listing the %zu "
			"in the store", conn_rc_name(rc), l.nstore);
		while (l.n > l.nstore)
			group_clear(&l.v[--l.n]);
		rc = CONN_OK;
	}
out:
	set_free(&l.names);
	result_free(r);
	free(l.store_gids);
	if (rc == CONN_OK) {
		*out = l.v;
		*n = l.n;
	} else {
		free_groups(l.v, l.n);
	}
	return rc;
}
