/* store.c: see store.h. Picks the driver named by [store] driver, checks
 * what callers give before a driver sees it, and holds what both drivers
 * share: rows to users and groups, and the order in which a migration or an
 * import writes groups. */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

const char *store_rc_name(int rc)
{
	switch (rc) {
	case STORE_OK: return "ok";
	case STORE_NOTFOUND: return "not found";
	case STORE_CONFLICT: return "uid held by another user";
	case STORE_TOMBSTONE: return "deleted";
	case STORE_EXISTS: return "already in the store";
	case STORE_UNAVAIL: return "store unavailable";
	case STORE_ERROR: return "store error";
	}
	return "?";
}

static const struct store_ops *store_driver(const struct config *cfg)
{
	const char *d = cfg->store_driver != NULL ? cfg->store_driver : "sqlite";

	if (strcmp(d, store_sqlite_ops.driver) == 0)
		return &store_sqlite_ops;
	if (strcmp(d, store_pgsql_ops.driver) == 0)
		return &store_pgsql_ops;
	return NULL;
}

static struct store *open_rc(const struct config *cfg, int *rc, char *err, size_t errlen)
{
	const struct store_ops *ops = store_driver(cfg);
	struct store *s;

	if (ops == NULL) {
		snprintf(err, errlen, "%s: [store] driver: '%s' is neither sqlite nor postgresql",
			 cfg->path != NULL ? cfg->path : "config", cfg->store_driver);
		*rc = STORE_ERROR;
		return NULL;
	}
	s = ops->open(cfg, rc, err, errlen);
	if (s != NULL) {
		s->ops = ops;
		*rc = STORE_OK;
	}
	return s;
}

struct store *store_open(const struct config *cfg, char *err, size_t errlen)
{
	int rc;

	return open_rc(cfg, &rc, err, errlen);
}

int store_check(const struct config *cfg, char *err, size_t errlen)
{
	struct store *s;
	int rc;

	s = open_rc(cfg, &rc, err, errlen);
	store_close(s);
	return rc;
}

void store_close(struct store *s)
{
	if (s != NULL)
		s->ops->close(s);
}

int store_user_by_name(struct store *s, const char *name, struct user *u)
{
	memset(u, 0, sizeof(*u));
	if (!cdb_name_valid(name, strlen(name)))
		return STORE_NOTFOUND;
	return s->ops->user_by_name(s, name, u);
}

int store_user_by_uid(struct store *s, uid_t uid, struct user *u)
{
	memset(u, 0, sizeof(*u));
	return s->ops->user_by_uid(s, uid, u);
}

int store_group_by_name(struct store *s, const char *name, struct group *g)
{
	memset(g, 0, sizeof(*g));
	if (!cdb_name_valid(name, strlen(name)))
		return STORE_NOTFOUND;
	return s->ops->group_by_name(s, name, g);
}

int store_group_by_gid(struct store *s, gid_t gid, struct group *g)
{
	memset(g, 0, sizeof(*g));
	return s->ops->group_by_gid(s, gid, g);
}

int store_user_groups(struct store *s, const char *name, gid_t **gids, size_t *n)
{
	*gids = NULL;
	*n = 0;
	if (!cdb_name_valid(name, strlen(name)))
		return STORE_NOTFOUND;
	return s->ops->user_groups(s, name, gids, n);
}

int store_touch_login(struct store *s, const char *name)
{
	return s->ops->touch_login(s, name);
}

int store_names_known(struct store *s, const char *const *names, size_t n, bool *known)
{
	size_t i;

	for (i = 0; i < n; i++)
		known[i] = false;
	if (n == 0)
		return STORE_OK;
	return s->ops->names_known(s, names, n, known);
}

int store_set_password(struct store *s, const char *name, const char *hash)
{
	if (hash == NULL || hash[0] == '\0')
		return STORE_ERROR;
	if (!cdb_name_valid(name, strlen(name)))
		return STORE_NOTFOUND;
	return s->ops->set_password(s, name, hash);
}

int store_set_email(struct store *s, const char *name, const char *email, int verified)
{
	if (verified < -1 || verified > 1)
		return STORE_ERROR;
	if (!cdb_name_valid(name, strlen(name)))
		return STORE_NOTFOUND;
	return s->ops->set_email(s, name, email, verified);
}

int store_delete_user(struct store *s, const char *name, bool tombstone)
{
	if (!cdb_name_valid(name, strlen(name)))
		return STORE_NOTFOUND;
	return s->ops->delete_user(s, name, tombstone);
}

int store_next_uid(struct store *s, uid_t min, uid_t max, uid_t *uid)
{
	*uid = 0;
	if (min == 0)
		min = 1;
	if (min > max)
		return STORE_NOTFOUND;
	return s->ops->next_uid(s, min, max, uid);
}

int store_user_meta(struct store *s, const char *name, struct store_meta *m)
{
	memset(m, 0, sizeof(*m));
	if (!cdb_name_valid(name, strlen(name)))
		return STORE_NOTFOUND;
	return s->ops->user_meta(s, name, m);
}

int store_stats(struct store *s, struct store_stats *st)
{
	memset(st, 0, sizeof(*st));
	return s->ops->stats(s, st);
}

int store_list_users(struct store *s, size_t limit, struct user **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return limit == 0 ? STORE_OK : s->ops->list_users(s, limit, out, n);
}

int store_list_groups(struct store *s, size_t limit, struct group **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return limit == 0 ? STORE_OK : s->ops->list_groups(s, limit, out, n);
}

static int by_gid_then_name(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->gid != y->gid)
		return x->gid < y->gid ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Copy groups[0..n) into out (room for n; shallow copies) in the one order
 * every migration and import writes groups in (by gid, then name), so that
 * two concurrent ones on PostgreSQL take their row locks in the same order
 * and never deadlock. Groups with no valid name or gid 0 are left out, and
 * so is a repeated one. Returns how many were kept. */
static size_t order_groups(const struct group *groups, size_t n, struct group *out)
{
	size_t i, k = 0, kept;

	for (i = 0; i < n; i++)
		if (groups[i].name != NULL && cdb_name_valid(groups[i].name, strlen(groups[i].name)) &&
		    groups[i].gid != 0)
			out[k++] = groups[i];
	qsort(out, k, sizeof(*out), by_gid_then_name);
	for (i = 1, kept = k > 0 ? 1 : 0; i < k; i++)
		if (out[kept - 1].gid != out[i].gid || strcmp(out[kept - 1].name, out[i].name) != 0)
			out[kept++] = out[i];
	return kept;
}

/* A user a migration may write: a valid name, not uid or gid 0, a home, a
 * shell and a hash. */
static bool user_writable(const struct user *u, const char *hash)
{
	return u->name != NULL && cdb_name_valid(u->name, strlen(u->name)) && u->uid != 0 &&
	       u->gid != 0 && u->home != NULL && u->shell != NULL && hash != NULL;
}

/* A primary group a driver may write: valid, or else none. */
static const struct group *primary_ok(const struct group *g)
{
	return g != NULL && g->name != NULL && cdb_name_valid(g->name, strlen(g->name)) &&
	       g->gid != 0 ? g : NULL;
}

int store_migrate_user_primary(struct store *s, const struct user *u, const char *hash,
			       const struct group *primary, const struct group *groups,
			       size_t ngroups)
{
	struct group *ordered;
	size_t kept;
	int rc;

	if (!user_writable(u, hash))
		return STORE_ERROR;
	ordered = calloc(ngroups > 0 ? ngroups : 1, sizeof(*ordered));
	if (ordered == NULL)
		return STORE_ERROR;
	kept = order_groups(groups, ngroups, ordered);
	rc = s->ops->migrate_user(s, u, hash, primary_ok(primary), ordered, kept);
	free(ordered);
	return rc;
}

int store_migrate_user(struct store *s, const struct user *u, const char *hash,
		       const struct group *groups, size_t ngroups)
{
	return store_migrate_user_primary(s, u, hash, NULL, groups, ngroups);
}

int store_prune_group(struct store *s, const char *name)
{
	if (!cdb_name_valid(name, strlen(name)))
		return STORE_NOTFOUND;
	return s->ops->prune_group(s, name);
}

/* NULL, or well-formed UTF-8 (no overlong form, no surrogate, nothing past
 * U+10FFFF): what a PostgreSQL store takes as text. */
static bool utf8_ok(const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	unsigned int cp, min;
	int more;

	if (v == NULL)
		return true;
	while (*p != 0) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1f, more = 1, min = 0x80;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0f, more = 2, min = 0x800;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07, more = 3, min = 0x10000;
		} else {
			return false;
		}
		for (p++; more > 0; more--, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;   /* the NUL at the end included */
			cp = (cp << 6) | (*p & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

static bool import_row_ok(const struct user *u)
{
	return u != NULL && user_writable(u, u->password) && u->password[0] != '\0' &&
	       utf8_ok(u->gecos) && utf8_ok(u->home) && utf8_ok(u->shell) && utf8_ok(u->email) &&
	       utf8_ok(u->password) && utf8_ok(u->salt);
}

/* The driver's call for rows that pass row_ok, their groups ordered
 * (order_groups) in one array; outcomes are put back in the caller's rc. */
static int rows_to_driver(struct store *s, const struct store_import *rows, size_t n, int *rc,
			  bool (*row_ok)(const struct user *),
			  int (*call)(struct store *, const struct store_import *, size_t, int *))
{
	struct store_import *valid = NULL;
	struct group *groups = NULL;
	size_t *where = NULL, i, nvalid = 0, total = 0, used = 0, kept;
	int *vrc = NULL, ret = STORE_ERROR;

	for (i = 0; i < n; i++) {
		rc[i] = STORE_ERROR;
		if (rows[i].ngroups > SIZE_MAX / sizeof(*groups) - total)
			return STORE_ERROR;
		total += rows[i].ngroups;
	}
	if (n == 0)
		return STORE_OK;
	valid = calloc(n, sizeof(*valid));
	where = calloc(n, sizeof(*where));
	vrc = calloc(n, sizeof(*vrc));
	groups = calloc(total > 0 ? total : 1, sizeof(*groups));
	if (valid == NULL || where == NULL || vrc == NULL || groups == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (!row_ok(rows[i].u))
			continue;
		kept = order_groups(rows[i].groups, rows[i].ngroups, groups + used);
		valid[nvalid].u = rows[i].u;
		valid[nvalid].groups = groups + used;
		valid[nvalid].ngroups = kept;
		valid[nvalid].primary = primary_ok(rows[i].primary);
		used += kept;
		where[nvalid++] = i;
	}
	ret = nvalid == 0 ? STORE_OK : call(s, valid, nvalid, vrc);
	for (i = 0; i < nvalid; i++)
		rc[where[i]] = ret == STORE_OK ? vrc[i] : ret;
out:
	free(valid);
	free(where);
	free(vrc);
	free(groups);
	return ret;
}

int store_import_users(struct store *s, const struct store_import *rows, size_t n, int *rc)
{
	return rows_to_driver(s, rows, n, rc, import_row_ok, s->ops->import_users);
}

static bool sync_row_ok(const struct user *u)
{
	return u != NULL && u->name != NULL && cdb_name_valid(u->name, strlen(u->name)) &&
	       u->uid != 0;
}

int store_sync_groups(struct store *s, const struct store_import *rows, size_t n, int *rc)
{
	size_t i;
	int ret;

	ret = rows_to_driver(s, rows, n, rc, sync_row_ok, s->ops->sync_groups);
	for (i = 0; i < n && ret == STORE_OK; i++)
		if (rc[i] == STORE_ERROR)
			rc[i] = STORE_NOTFOUND;   /* a row no store user has */
	return ret;
}

static int parse_id(const char *v, unsigned long *out)
{
	char *end;

	if (v == NULL || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	*out = strtoul(v, &end, 10);
	return errno != 0 || *end != '\0' || *out > UINT_MAX ? -1 : 0;
}

static int dup_cell(char **dst, const char *v, const char *dflt)
{
	if (v == NULL)
		v = dflt;
	if (v == NULL)
		return 0;
	*dst = strdup(v);
	return *dst != NULL ? 0 : -1;
}

int store_fill_user(struct user *u, const char *const *c)
{
	unsigned long uid, gid;
	int b;

	memset(u, 0, sizeof(*u));
	if (c[0] == NULL || parse_id(c[1], &uid) != 0 || parse_id(c[2], &gid) != 0)
		return STORE_ERROR;
	u->uid = (uid_t)uid;
	u->gid = (gid_t)gid;
	if (dup_cell(&u->name, c[0], NULL) != 0 || dup_cell(&u->gecos, c[3], "") != 0 ||
	    dup_cell(&u->home, c[4], "/") != 0 || dup_cell(&u->shell, c[5], "/bin/sh") != 0 ||
	    dup_cell(&u->email, c[6], NULL) != 0 || dup_cell(&u->password, c[9], NULL) != 0)
		goto fail;
	u->email_verified = c[7] == NULL ? -1 : ((b = map_parse_bool(c[7])) < 0 ? 0 : b);
	/* as for legacy rows: what cannot be read counts as disabled */
	u->disabled = c[8] == NULL || map_parse_bool(c[8]) != 0;
	u->expires = 0;
	if (c[10] != NULL && c[10][0] != '\0' && map_parse_time(c[10], &u->expires) != 0)
		u->expires = 1;
	if (dup_cell(&u->salt, c[11], NULL) != 0)
		goto fail;
	u->must_change_password = c[12] != NULL && map_parse_bool(c[12]) == 1;
	return STORE_OK;
fail:
	user_clear(u);
	return STORE_ERROR;
}

int store_fill_group(struct group *g, const char *name, const char *gid, const char *members)
{
	char *list = NULL, *tok, *save, **m;
	unsigned long n;

	memset(g, 0, sizeof(*g));
	if (name == NULL || parse_id(gid, &n) != 0)
		return STORE_ERROR;
	g->gid = (gid_t)n;
	g->name = strdup(name);
	if (g->name == NULL)
		goto fail;
	if (members == NULL || members[0] == '\0')
		return STORE_OK;
	list = strdup(members);
	if (list == NULL)
		goto fail;
	for (tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (!cdb_name_valid(tok, strlen(tok)))
			continue;   /* never answered, whatever the store says */
		m = realloc(g->members, (g->nmembers + 1) * sizeof(*m));
		if (m == NULL)
			goto fail;
		g->members = m;
		g->members[g->nmembers] = strdup(tok);
		if (g->members[g->nmembers] == NULL)
			goto fail;
		g->nmembers++;
	}
	free(list);
	return STORE_OK;
fail:
	free(list);
	group_clear(g);
	return STORE_ERROR;
}
