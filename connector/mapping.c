/* mapping.c: see mapping.h. */
#include "mapping.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "names.h"
#include "secret.h"

void user_clear(struct user *u)
{
	free(u->name);
	free(u->gecos);
	free(u->home);
	free(u->shell);
	free(u->email);
	if (u->password != NULL)
		secret_wipe_str(u->password);
	free(u->password);
	if (u->salt != NULL)
		secret_wipe_str(u->salt);
	free(u->salt);
	memset(u, 0, sizeof(*u));
}

void group_clear(struct group *g)
{
	size_t i;

	free(g->name);
	for (i = 0; i < g->nmembers; i++)
		free(g->members[i]);
	free(g->members);
	memset(g, 0, sizeof(*g));
}

bool map_id_allowed(const struct config *c, unsigned long id)
{
	return id != 0 && id >= c->min_uid && id <= c->max_uid;
}

bool map_gid_allowed(const struct config *c, unsigned long gid)
{
	size_t i;

	if (map_id_allowed(c, gid))
		return true;
	for (i = 0; i < c->nallowed_gids; i++)
		if (gid != 0 && gid == c->allowed_gids[i])
			return true;
	return false;
}

bool map_primary_gid_allowed(const struct config *c, unsigned long gid)
{
	return gid != 0 && (gid == c->default_gid || map_gid_allowed(c, gid));
}

int map_parse_bool(const char *v)
{
	static const char *const yes[] = { "t", "true", "1", "yes", "y", "on" };
	static const char *const no[] = { "f", "false", "0", "no", "n", "off" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

static int parse_ulong(const char *v, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long n;

	if (v == NULL || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return -1;
	*out = n;
	return 0;
}

int map_parse_time(const char *v, int64_t *out)
{
	struct tm tm = { 0 };
	unsigned long n;
	const char *rest;
	time_t t;

	if (parse_ulong(v, (unsigned long)INT64_MAX, &n) == 0) {
		*out = (int64_t)n;
		return 0;
	}
	rest = strptime(v, "%Y-%m-%d", &tm);
	if (rest == NULL)
		return -1;
	if (*rest == ' ' || *rest == 'T') {
		rest = strptime(rest + 1, "%H:%M:%S", &tm);
		if (rest == NULL)
			return -1;
		/* fractions of a second and a UTC offset are accepted but the
		 * offset is not applied: expiry is day-grained in practice */
	} else if (*rest != '\0') {
		return -1;
	}
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = (int64_t)t;
	return 0;
}

static const char *cell(const struct result *r, size_t row, const char *col)
{
	int i = result_column(r, col);

	return i < 0 ? NULL : result_cell(r, row, (size_t)i);
}

static int dup_or(char **dst, const char *v, const char *dflt)
{
	*dst = strdup(v != NULL && v[0] != '\0' ? v : dflt);
	return *dst != NULL ? 0 : -1;
}

#define WHY(...) do { if (why != NULL) snprintf(why, whylen, __VA_ARGS__); } while (0)

/* Long: one check per column of the users query, each rejection with its
 * reason; see mapping.h for the contract. */
int map_user(const struct config *c, const struct result *r, size_t row, bool need_password,
	     struct user *u, char *why, size_t whylen)
{
	const char *name, *v;
	unsigned long n;
	char home[1024];
	int b;

	memset(u, 0, sizeof(*u));
	if (result_column(r, "username") < 0) {
		WHY("the query returns no 'username' column");
		return MAP_BAD_QUERY;
	}
	if (result_column(r, "uid") < 0) {
		WHY("the query returns no 'uid' column");
		return MAP_BAD_QUERY;
	}
	if (need_password && result_column(r, "password") < 0) {
		WHY("the query returns no 'password' column");
		return MAP_BAD_QUERY;
	}
	name = cell(r, row, "username");
	if (name == NULL || !cdb_name_valid(name, strlen(name))) {
		WHY("user name is not one customdb answers for");
		return MAP_REJECTED;
	}
	if (parse_ulong(cell(r, row, "uid"), UINT_MAX, &n) != 0 || !map_id_allowed(c, n)) {
		WHY("uid '%s' is outside [%lu, %lu]", cell(r, row, "uid") ? cell(r, row, "uid") : "NULL",
		    (unsigned long)c->min_uid, (unsigned long)c->max_uid);
		return MAP_REJECTED;
	}
	u->uid = (uid_t)n;
	v = cell(r, row, "gid");
	if (v == NULL) {
		u->gid = c->default_gid;
	} else if (parse_ulong(v, UINT_MAX, &n) != 0 || !map_primary_gid_allowed(c, n)) {
		WHY("gid '%s' is neither default_gid (%lu), inside [%lu, %lu] nor in allowed_gids",
		    v, (unsigned long)c->default_gid, (unsigned long)c->min_uid,
		    (unsigned long)c->max_uid);
		return MAP_REJECTED;
	} else {
		u->gid = (gid_t)n;
	}
	if (config_expand_home(c, name, (unsigned long)u->uid, home, sizeof(home)) != 0) {
		WHY("home directory too long");
		return MAP_REJECTED;
	}
	v = cell(r, row, "home");
	if (v != NULL && v[0] != '\0' && v[0] != '/') {
		WHY("home '%s' is not an absolute path", v);
		return MAP_REJECTED;
	}
	if (dup_or(&u->name, name, name) != 0 || dup_or(&u->gecos, cell(r, row, "gecos"), "") != 0 ||
	    dup_or(&u->home, v, home) != 0 ||
	    dup_or(&u->shell, cell(r, row, "shell"), c->default_shell) != 0)
		goto nomem;
	/* passwd fields are ':'-separated: refuse what would break the line */
	if (strpbrk(u->gecos, ":\n") != NULL || strpbrk(u->home, ":\n") != NULL ||
	    strpbrk(u->shell, ":\n") != NULL) {
		WHY("gecos, home or shell holds ':' or a newline");
		user_clear(u);
		return MAP_REJECTED;
	}
	v = cell(r, row, "email");
	if (v != NULL && (u->email = strdup(v)) == NULL)
		goto nomem;
	v = cell(r, row, "password");
	if (v != NULL && (u->password = strdup(v)) == NULL)
		goto nomem;
	v = cell(r, row, "salt");
	if (v != NULL && (u->salt = strdup(v)) == NULL)
		goto nomem;
	v = cell(r, row, "disabled");
	u->disabled = v != NULL && map_parse_bool(v) != 0; /* unreadable counts as disabled */
	v = cell(r, row, "email_verified");
	u->email_verified = v == NULL ? -1 : ((b = map_parse_bool(v)) < 0 ? 0 : b);
	v = cell(r, row, "must_change_password");
	u->must_change_password = v != NULL && map_parse_bool(v) == 1;
	v = cell(r, row, "expires");
	if (v != NULL && v[0] != '\0' && map_parse_time(v, &u->expires) != 0) {
		/* an expiry we cannot read must not mean "never expires" */
		u->expires = 1;
	}
	return MAP_OK;
nomem:
	user_clear(u);
	WHY("out of memory");
	return MAP_NOMEM;
}

int map_group(const struct config *c, const struct result *r, size_t row, struct group *g,
	      char *why, size_t whylen)
{
	const char *name, *v;
	unsigned long n;
	char *list = NULL, *tok, *save;
	char **m;

	memset(g, 0, sizeof(*g));
	if (result_column(r, "group") < 0 || result_column(r, "gid") < 0) {
		WHY("the query must return 'group' and 'gid' columns");
		return MAP_BAD_QUERY;
	}
	name = cell(r, row, "group");
	if (name == NULL || !cdb_name_valid(name, strlen(name))) {
		WHY("group name is not one customdb answers for");
		return MAP_REJECTED;
	}
	if (parse_ulong(cell(r, row, "gid"), UINT_MAX, &n) != 0 || !map_gid_allowed(c, n)) {
		WHY("gid is outside [%lu, %lu] and not in allowed_gids", (unsigned long)c->min_uid,
		    (unsigned long)c->max_uid);
		return MAP_REJECTED;
	}
	g->gid = (gid_t)n;
	g->name = strdup(name);
	if (g->name == NULL)
		goto nomem;
	v = cell(r, row, "members");
	if (v == NULL || v[0] == '\0')
		return MAP_OK;
	list = strdup(v);
	if (list == NULL)
		goto nomem;
	for (tok = strtok_r(list, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		if (!cdb_name_valid(tok, strlen(tok)))
			continue;   /* a member we would never answer for is left out */
		m = realloc(g->members, (g->nmembers + 1) * sizeof(*m));
		if (m == NULL)
			goto nomem;
		g->members = m;
		if ((g->members[g->nmembers] = strdup(tok)) == NULL)
			goto nomem;
		g->nmembers++;
	}
	free(list);
	return MAP_OK;
nomem:
	free(list);
	group_clear(g);
	WHY("out of memory");
	return MAP_NOMEM;
}
