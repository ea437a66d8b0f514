/* store.c: see store.h. Picks the driver named by [store] driver, and holds
 * what both drivers share: rows to users and groups, and the order in which
 * a migration writes groups. */
#include "store.h"

#include <errno.h>
#include <limits.h>
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

static int by_gid_then_name(const void *a, const void *b, void *arg)
{
	const struct group *base = arg;
	const struct group *x = &base[*(const size_t *)a], *y = &base[*(const size_t *)b];

	if (x->gid != y->gid)
		return x->gid < y->gid ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Groups are written in one order (by gid, then name) by every migration, so
 * two concurrent ones on PostgreSQL take their row locks in the same order
 * and never deadlock. Groups with no valid name are left out, and so is a
 * repeated one. */
static size_t *group_order(const struct group *groups, size_t n, size_t *kept)
{
	size_t *order, i, k = 0;

	order = calloc(n > 0 ? n : 1, sizeof(*order));
	if (order == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (groups[i].name != NULL && cdb_name_valid(groups[i].name, strlen(groups[i].name)) &&
		    groups[i].gid != 0)
			order[k++] = i;
	qsort_r(order, k, sizeof(*order), by_gid_then_name, (void *)groups);
	for (i = 1, *kept = k > 0 ? 1 : 0; i < k; i++) {
		const struct group *prev = &groups[order[*kept - 1]], *cur = &groups[order[i]];

		if (prev->gid != cur->gid || strcmp(prev->name, cur->name) != 0)
			order[(*kept)++] = order[i];
	}
	return order;
}

int store_migrate_user(struct store *s, const struct user *u, const char *hash,
		       const struct group *groups, size_t ngroups)
{
	size_t *order, kept = 0;
	int rc;

	if (u->name == NULL || !cdb_name_valid(u->name, strlen(u->name)) || u->uid == 0 ||
	    u->gid == 0 || u->home == NULL || u->shell == NULL || hash == NULL)
		return STORE_ERROR;
	order = group_order(groups, ngroups, &kept);
	if (order == NULL)
		return STORE_ERROR;
	rc = s->ops->migrate_user(s, u, hash, groups, order, kept);
	free(order);
	return rc;
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
