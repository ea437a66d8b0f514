/* mapping.c: see mapping.h. */
#include "mapping.h"

#include <errno.h>
#include <stdbool.h>
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

/* The n digits at *s as a number, *s moved past them; -1 unless all n are
 * digits. */
static int take_digits(const char **s, int n)
{
	int v = 0;

	for (; n > 0; n--, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + (**s - '0');
	}
	return v;
}

/* *s is at c: step past it. */
static bool take_char(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar (the
 * civil-from-days inverse in Howard Hinnant's chrono notes). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool date_valid(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/* ISO 8601's time zone at *s: Z, +HH, +HHMM or +HH:MM (or -, and a space
 * before the sign), as seconds east of UTC; nothing there is UTC. -1 when
 * it is not one. */
static int take_zone(const char **s, int *east)
{
	int sign, h, m = 0;

	*east = 0;
	if (**s == '\0')
		return 0;
	if ((*s)[0] == ' ' && ((*s)[1] == '+' || (*s)[1] == '-'))
		(*s)++;   /* SQL Server's datetimeoffset: "... 03:04:05.1234567 +01:00" */
	if (take_char(s, 'Z') || take_char(s, 'z'))
		return 0;
	if (**s != '+' && **s != '-')
		return -1;
	sign = **s == '-' ? -1 : 1;
	(*s)++;
	if ((h = take_digits(s, 2)) < 0 || h > 23)
		return -1;
	if (**s != '\0') {
		take_char(s, ':');
		if ((m = take_digits(s, 2)) < 0 || m > 59)
			return -1;
	}
	*east = sign * (h * 3600 + m * 60);
	return 0;
}

/* Long: one shape after another, each checked field by field (strptime and
 * timegm would take February 30 as March 1). */
int map_parse_time(const char *v, int64_t *out)
{
	const char *s = v;
	size_t len = strspn(v, "0123456789");
	unsigned long n;
	int y, mo, d, h = 0, mi = 0, sec = 0, east;
	int64_t t;

	if (v[0] == '\0' || strcasecmp(v, "infinity") == 0 ||
	    strcmp(v, "0000-00-00") == 0 || strcmp(v, "0000-00-00 00:00:00") == 0) {
		*out = 0;   /* never (MySQL's zero date is its "no date") */
		return 0;
	}
	if (strcasecmp(v, "-infinity") == 0) {
		*out = 1;   /* expired for ever */
		return 0;
	}
	if (v[len] == '\0' && len != 14) {
		/* epoch seconds: 12 digits reach the year 33658, beyond reason */
		if (len > 12 || parse_ulong(v, (unsigned long)INT64_MAX, &n) != 0)
			return -1;
		*out = (int64_t)n;
		return 0;
	}
	y = take_digits(&s, 4);
	if (len == 14) {   /* MediaWiki's YYYYMMDDHHMMSS */
		mo = take_digits(&s, 2);
		d = take_digits(&s, 2);
		h = take_digits(&s, 2);
		mi = take_digits(&s, 2);
		sec = take_digits(&s, 2);
		east = 0;
		if (*s != '\0')
			return -1;
	} else {   /* ISO 8601 and SQL: YYYY-MM-DD[( |T)HH:MM[:SS[.frac]][zone]] */
		if (len != 4 || !take_char(&s, '-') || (mo = take_digits(&s, 2)) < 0 ||
		    !take_char(&s, '-') || (d = take_digits(&s, 2)) < 0)
			return -1;
		if (take_char(&s, ' ') || take_char(&s, 'T') || take_char(&s, 't')) {
			if ((h = take_digits(&s, 2)) < 0 || !take_char(&s, ':') ||
			    (mi = take_digits(&s, 2)) < 0)
				return -1;
			if (take_char(&s, ':') && (sec = take_digits(&s, 2)) < 0)
				return -1;
			if ((take_char(&s, '.') || take_char(&s, ',')) &&
			    strspn(s, "0123456789") == 0)
				return -1;
			s += strspn(s, "0123456789");   /* a fraction of a second */
		}
		if (take_zone(&s, &east) != 0 || *s != '\0')
			return -1;
	}
	/* a leap second (60) is the next second's start */
	if (!date_valid(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return -1;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - east;
	*out = t > 0 ? t : 1;   /* before 1970 is long past, not "never" */
	return 0;
}

/* disabled_until (a lock or block that ends): in force unless empty,
 * passed or a "no date" (0); infinity is for good, and what cannot be read
 * counts as in force. */
static bool block_in_force(const char *v)
{
	int64_t t;

	if (v == NULL || v[0] == '\0')
		return false;
	if (strcasecmp(v, "infinity") == 0 || map_parse_time(v, &t) != 0)
		return true;
	return t != 0 && t > (int64_t)time(NULL);
}

/* password_expires: passed unless empty, never (0, infinity) or ahead;
 * what cannot be read counts as passed. */
static bool password_expired(const char *v)
{
	int64_t t;

	if (v == NULL || v[0] == '\0')
		return false;
	if (map_parse_time(v, &t) != 0)
		return true;
	return t != 0 && t <= (int64_t)time(NULL);
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
	if (block_in_force(cell(r, row, "disabled_until")))
		u->disabled = true;
	v = cell(r, row, "email_verified");
	u->email_verified = v == NULL ? -1 : ((b = map_parse_bool(v)) < 0 ? 0 : b);
	v = cell(r, row, "must_change_password");
	u->must_change_password = v != NULL && map_parse_bool(v) == 1;
	if (password_expired(cell(r, row, "password_expires")))
		u->must_change_password = true;
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
