/* config.c: see config.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "secret.h"

static const char *const query_names[Q_COUNT_] = {
	[Q_LOGIN] = "login",
	[Q_GET_USER] = "get_user",
	[Q_GET_USER_BY_UID] = "get_user_by_uid",
	[Q_GET_GROUP] = "get_group",
	[Q_GET_GROUP_BY_GID] = "get_group_by_gid",
	[Q_USER_GROUPS] = "user_groups",
	[Q_LIST_USERS] = "list_users",
	[Q_COUNT_USERS] = "count_users",
	[Q_LIST_GROUPS] = "list_groups",
	[Q_CREATE] = "create",
	[Q_VERIFY] = "verify",
	[Q_CHANGE_PASSWORD] = "change_password",
	[Q_DELETE] = "delete",
	[Q_CHANGE_EMAIL] = "change_email",
};

const char *query_id_name(enum query_id id)
{
	return (unsigned)id < Q_COUNT_ ? query_names[id] : "?";
}

/* State of one parse: where we are in the text, and the first error. */
struct parse {
	struct config *c;
	const char *name;       /* file name for messages */
	FILE *f;                /* either a file ... */
	const char *s;          /* ... or a string */
	int line;               /* line the parser is on */
	bool at_line_start;
	bool indented;          /* the current line began with whitespace */
	size_t line_len;        /* bytes of the current line read so far */
	char prev_key[64];      /* last key set, for continuation lines */
	char prev_section[32];
	/* every "section.key" set so far, and its line: no key may be set twice,
	 * and checks made after the whole file is read still name the line */
	struct { char key[96]; int line; } seen[64];
	size_t nseen;
	char *err;
	size_t errlen;
	bool failed;
	/* the raw text of each query as it is read, joined across lines */
	char *qtext[Q_COUNT_];
};

/* Longest line libinih is allowed to grow its buffer to. */
#define CONFIG_MAX_LINE (1 << 16)
#define CONFIG_MAX_ALLOWED_GIDS 1024

static void perr(struct parse *p, const char *section, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void perr(struct parse *p, const char *section, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (key != NULL && p->line > 0)
		snprintf(p->err, p->errlen, "%s:%d: [%s] %s: %s", p->name, p->line, section, key, msg);
	else if (key != NULL)
		snprintf(p->err, p->errlen, "%s: [%s] %s: %s", p->name, section, key, msg);
	else
		snprintf(p->err, p->errlen, "%s:%d: %s", p->name, p->line, msg);
}

/* ini_reader: like fgets, and keeps the line number and indentation. */
static char *reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	char *out;
	size_t n;

	if (num <= 1)
		return NULL;
	if (p->f != NULL) {
		out = fgets(str, num, p->f);
	} else {
		if (*p->s == '\0')
			return NULL;
		n = strcspn(p->s, "\n");
		if (p->s[n] == '\n')
			n++;
		if (n > (size_t)num - 1)
			n = (size_t)num - 1;
		memcpy(str, p->s, n);
		str[n] = '\0';
		p->s += n;
		out = str;
	}
	if (out == NULL)
		return NULL;
	if (p->at_line_start) {
		p->line++;
		p->line_len = 0;
		p->indented = (str[0] == ' ' || str[0] == '\t');
	}
	n = strlen(str);
	p->line_len += n;
	p->at_line_start = n > 0 && str[n - 1] == '\n';
	/* libinih would cut a longer line and read its tail as a line of its
	 * own; stop instead (ending the input makes it return). */
	if (!p->at_line_start && p->line_len >= CONFIG_MAX_LINE - 2) {
		perr(p, NULL, NULL, "line longer than %d bytes", CONFIG_MAX_LINE - 3);
		return NULL;
	}
	return out;
}

static bool parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool parse_long(const char *v, long min, long max, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < min || n > max)
		return false;
	*out = n;
	return true;
}

static bool set_str(struct parse *p, const char *s, const char *k, char **dst, const char *v)
{
	char *n;

	if (*dst != NULL) {
		perr(p, s, k, "set twice");
		return false;
	}
	n = strdup(v);
	if (n == NULL) {
		perr(p, s, k, "out of memory");
		return false;
	}
	*dst = n;
	return true;
}

static bool set_int(struct parse *p, const char *s, const char *k, const char *v,
		    long min, long max, long *out)
{
	if (!parse_long(v, min, max, out)) {
		perr(p, s, k, "'%s' is not a whole number from %ld to %ld", v, min, max);
		return false;
	}
	return true;
}

static bool set_bool(struct parse *p, const char *s, const char *k, const char *v, bool *out)
{
	if (!parse_bool(v, out)) {
		perr(p, s, k, "'%s' is not yes or no", v);
		return false;
	}
	return true;
}

static bool set_hash_limit(struct parse *p, const char *s, const char *k, const char *v)
{
	char err[128];

	if (hash_limit_set(&p->c->hash_limits, k, v, err, sizeof(err)) != 0) {
		perr(p, s, k, "%s", err);
		return false;
	}
	return true;
}

/* allowed_gids: gids separated by commas or spaces, none of them 0. */
static bool set_gid_list(struct parse *p, const char *s, const char *k, const char *v)
{
	struct config *c = p->c;
	char *list, *tok, *save;
	gid_t *a;
	long n;
	bool ok = true;

	list = strdup(v);
	if (list == NULL) {
		perr(p, s, k, "out of memory");
		return false;
	}
	for (tok = strtok_r(list, ", \n", &save); tok != NULL && ok;
	     tok = strtok_r(NULL, ", \n", &save)) {
		if (c->nallowed_gids >= CONFIG_MAX_ALLOWED_GIDS) {
			perr(p, s, k, "more than %d gids", CONFIG_MAX_ALLOWED_GIDS);
			ok = false;
		} else if (!parse_long(tok, 1, 4294967294L, &n)) {
			perr(p, s, k, "'%s' is not a gid from 1 to 4294967294", tok);
			ok = false;
		} else if ((a = realloc(c->allowed_gids,
					(c->nallowed_gids + 1) * sizeof(*a))) == NULL) {
			perr(p, s, k, "out of memory");
			ok = false;
		} else {
			c->allowed_gids = a;
			a[c->nallowed_gids++] = (gid_t)n;
		}
	}
	free(list);
	return ok;
}

static bool handle_customdb(struct parse *p, const char *s, const char *k, const char *v)
{
	struct config *c = p->c;
	long n;

	if (strcmp(k, "mode") == 0) {
		if (strcmp(v, "legacy") == 0)
			c->mode = MODE_LEGACY;
		else if (strcmp(v, "migrate") == 0)
			c->mode = MODE_MIGRATE;
		else {
			perr(p, s, k, "'%s' is neither legacy nor migrate", v);
			return false;
		}
		return true;
	}
	if (strcmp(k, "min_uid") == 0) {
		if (!set_int(p, s, k, v, 1, 4294967294L, &n))
			return false;
		c->min_uid = (uid_t)n;
		return true;
	}
	if (strcmp(k, "max_uid") == 0) {
		if (!set_int(p, s, k, v, 1, 4294967294L, &n))
			return false;
		c->max_uid = (uid_t)n;
		return true;
	}
	if (strcmp(k, "default_gid") == 0) {
		if (!set_int(p, s, k, v, 1, 4294967294L, &n))
			return false;
		c->default_gid = (gid_t)n;
		return true;
	}
	if (strcmp(k, "allowed_gids") == 0)
		return set_gid_list(p, s, k, v);
	if (strcmp(k, "cache_max_entries") == 0)
		return set_int(p, s, k, v, 100, 100000000, &c->cache_max_entries);
	if (strcmp(k, "negative_max_entries") == 0)
		return set_int(p, s, k, v, 0, 10000000, &c->negative_max_entries);
	if (strcmp(k, "cache_ttl") == 0) {
		if (!set_int(p, s, k, v, 0, 86400 * 365, &n))
			return false;
		c->cache_ttl = (int)n;
		return true;
	}
	if (strcmp(k, "negative_ttl") == 0) {
		if (!set_int(p, s, k, v, 0, 86400 * 365, &n))
			return false;
		c->negative_ttl = (int)n;
		return true;
	}
	if (strcmp(k, "workers") == 0) {
		if (!set_int(p, s, k, v, 1, 256, &n))
			return false;
		c->workers = (int)n;
		return true;
	}
	if (strcmp(k, "require_verified") == 0)
		return set_bool(p, s, k, v, &c->require_verified);
	if (strcmp(k, "enumerate") == 0)
		return set_bool(p, s, k, v, &c->enumerate);
	if (strcmp(k, "enumerate_limit") == 0) {
		if (!set_int(p, s, k, v, 1, 1000000, &n))
			return false;
		c->enumerate_limit = n;
		return true;
	}
	if (strcmp(k, "default_shell") == 0) {
		free(c->default_shell);
		c->default_shell = NULL;
		if (v[0] != '/') {
			perr(p, s, k, "'%s' is not an absolute path", v);
			return false;
		}
		return set_str(p, s, k, &c->default_shell, v);
	}
	if (strcmp(k, "home") == 0) {
		free(c->home);
		c->home = NULL;
		if (v[0] != '/') {
			perr(p, s, k, "'%s' is not an absolute path", v);
			return false;
		}
		return set_str(p, s, k, &c->home, v);
	}
	if (strcmp(k, "socket") == 0) {
		free(c->socket_path);
		c->socket_path = NULL;
		if (v[0] != '/') {
			perr(p, s, k, "'%s' is not an absolute path", v);
			return false;
		}
		return set_str(p, s, k, &c->socket_path, v);
	}
	if (strcmp(k, "state_dir") == 0) {
		free(c->state_dir);
		c->state_dir = NULL;
		if (v[0] != '/') {
			perr(p, s, k, "'%s' is not an absolute path", v);
			return false;
		}
		return set_str(p, s, k, &c->state_dir, v);
	}
	if (strncmp(k, "hash_max_", 9) == 0)
		return set_hash_limit(p, s, k, v);
	perr(p, s, k, "unknown key");
	return false;
}

static bool handle_legacy(struct parse *p, const char *s, const char *k, const char *v)
{
	struct config *c = p->c;
	long n;

	if (strcmp(k, "driver") == 0)
		return set_str(p, s, k, &c->driver, v);
	if (strcmp(k, "connection") == 0)
		return set_str(p, s, k, &c->connection, v);
	if (strcmp(k, "password_file") == 0) {
		if (v[0] != '/') {
			perr(p, s, k, "'%s' is not an absolute path", v);
			return false;
		}
		return set_str(p, s, k, &c->password_file, v);
	}
	if (strcmp(k, "connect_timeout") == 0) {
		if (!set_int(p, s, k, v, 1, 300, &n))
			return false;
		c->connect_timeout = (int)n;
		return true;
	}
	if (strcmp(k, "query_timeout") == 0) {
		if (!set_int(p, s, k, v, 1, 300, &n))
			return false;
		c->query_timeout = (int)n;
		return true;
	}
	if (strcmp(k, "password_scheme") == 0)
		return set_str(p, s, k, &c->password_scheme, v);
	if (strcmp(k, "password_scheme_read") == 0)
		return set_str(p, s, k, &c->password_scheme_read, v);
	if (strcmp(k, "password_cost") == 0) {
		if (!set_int(p, s, k, v, 0, 2000000000L, &n))
			return false;
		c->password_cost = (unsigned long)n;
		return true;
	}
	if (strcmp(k, "allow_empty_password") == 0)
		return set_bool(p, s, k, v, &c->allow_empty_password);
	if (strcmp(k, "rehash_on_login") == 0)
		return set_bool(p, s, k, v, &c->rehash_on_login);
	perr(p, s, k, "unknown key");
	return false;
}

static bool handle_store(struct parse *p, const char *s, const char *k, const char *v)
{
	struct config *c = p->c;
	long n;

	if (strcmp(k, "driver") == 0) {
		if (strcmp(v, "sqlite") != 0 && strcmp(v, "postgresql") != 0) {
			perr(p, s, k, "'%s' is neither sqlite nor postgresql", v);
			return false;
		}
		return set_str(p, s, k, &c->store_driver, v);
	}
	if (strcmp(k, "path") == 0) {
		if (v[0] != '/') {
			perr(p, s, k, "'%s' is not an absolute path", v);
			return false;
		}
		return set_str(p, s, k, &c->store_path, v);
	}
	if (strcmp(k, "connection") == 0)
		return set_str(p, s, k, &c->store_connection, v);
	if (strcmp(k, "connect_timeout") == 0) {
		if (!set_int(p, s, k, v, 1, 300, &n))
			return false;
		c->store_connect_timeout = (int)n;
		return true;
	}
	if (strcmp(k, "query_timeout") == 0) {
		if (!set_int(p, s, k, v, 1, 300, &n))
			return false;
		c->store_query_timeout = (int)n;
		return true;
	}
	if (strcmp(k, "password_cost") == 0) {
		/* argon2id ops limit: 0 is libsodium's interactive level (2) */
		if (!set_int(p, s, k, v, 0, 20, &n))
			return false;
		c->store_password_cost = (unsigned long)n;
		return true;
	}
	perr(p, s, k, "unknown key");
	return false;
}

static bool handle_query(struct parse *p, const char *s, const char *k, const char *v)
{
	int i;

	for (i = 0; i < Q_COUNT_; i++) {
		if (strcmp(k, query_names[i]) != 0)
			continue;
		if (p->qtext[i] != NULL) {
			perr(p, s, k, "set twice");
			return false;
		}
		p->qtext[i] = strdup(v);
		if (p->qtext[i] == NULL) {
			perr(p, s, k, "out of memory");
			return false;
		}
		p->c->q_line[i] = p->line;
		return true;
	}
	perr(p, s, k, "unknown query (known: login, get_user, get_user_by_uid, get_group, "
		"get_group_by_gid, user_groups, list_users, count_users, list_groups, create, "
		"verify, change_password, delete)");
	return false;
}

/* A continuation line of the previous key: append it to the value. */
static bool append_query(struct parse *p, const char *s, const char *k, const char *v)
{
	size_t a, b;
	char *n;
	int i;

	if (strcmp(s, "queries") != 0) {
		perr(p, s, k, "only [queries] values may continue on indented lines");
		return false;
	}
	for (i = 0; i < Q_COUNT_; i++)
		if (strcmp(k, query_names[i]) == 0 && p->qtext[i] != NULL)
			break;
	if (i == Q_COUNT_) {
		perr(p, s, k, "continuation line without a key");
		return false;
	}
	a = strlen(p->qtext[i]);
	b = strlen(v);
	n = realloc(p->qtext[i], a + b + 2);
	if (n == NULL) {
		perr(p, s, k, "out of memory");
		return false;
	}
	n[a] = '\n';
	memcpy(n + a + 1, v, b + 1);
	p->qtext[i] = n;
	return true;
}

/* Remember that section.key was set on this line; false if it was before. */
static bool mark_seen(struct parse *p, const char *section, const char *key)
{
	char sk[96];
	size_t i;

	snprintf(sk, sizeof(sk), "%s.%s", section, key);
	for (i = 0; i < p->nseen; i++) {
		if (strcmp(p->seen[i].key, sk) == 0) {
			perr(p, section, key, "set twice (first on line %d)", p->seen[i].line);
			return false;
		}
	}
	if (p->nseen < sizeof(p->seen) / sizeof(p->seen[0])) {
		snprintf(p->seen[p->nseen].key, sizeof(p->seen[0].key), "%s", sk);
		p->seen[p->nseen++].line = p->line;
	}
	return true;
}

/* The line section.key was set on, or 0 when it was not set (a default). */
static int seen_line(const struct parse *p, const char *section, const char *key)
{
	char sk[96];
	size_t i;

	snprintf(sk, sizeof(sk), "%s.%s", section, key);
	for (i = 0; i < p->nseen; i++)
		if (strcmp(p->seen[i].key, sk) == 0)
			return p->seen[i].line;
	return 0;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;
	bool ok;

	if (p->failed)
		return 0;
	if (p->indented && strcmp(key, p->prev_key) == 0 && strcmp(section, p->prev_section) == 0)
		ok = append_query(p, section, key, value);
	else if (!mark_seen(p, section, key))
		ok = false;
	else if (strcmp(section, "customdb") == 0)
		ok = handle_customdb(p, section, key, value);
	else if (strcmp(section, "legacy") == 0)
		ok = handle_legacy(p, section, key, value);
	else if (strcmp(section, "store") == 0)
		ok = handle_store(p, section, key, value);
	else if (strcmp(section, "queries") == 0)
		ok = handle_query(p, section, key, value);
	else if (section[0] == '\0') {
		perr(p, "", key, "key outside any section");
		ok = false;
	} else {
		perr(p, section, key, "unknown section [%s]", section);
		ok = false;
	}
	snprintf(p->prev_key, sizeof(p->prev_key), "%s", key);
	snprintf(p->prev_section, sizeof(p->prev_section), "%s", section);
	return ok ? 1 : 0;
}

static struct config *config_new(void)
{
	struct config *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->mode = MODE_LEGACY;
	c->min_uid = 10000;
	c->max_uid = 60000;
	c->default_gid = 100;
	c->cache_ttl = 300;
	c->negative_ttl = 30;
	c->connect_timeout = 3;
	c->query_timeout = 5;
	c->workers = 8;
	c->enumerate_limit = 10000;
	c->hash_limits = hash_limits_default;
	c->cache_max_entries = 1000000;
	c->negative_max_entries = 100000;
	return c;
}

/* password_scheme must be a scheme customdb writes, password_scheme_read a
 * list of schemes that exist and are read by name only. */
static bool check_schemes(struct parse *p)
{
	struct config *c = p->c;
	const struct hash_family *f;
	char *list, *tok, *save;
	bool ok = true;

	p->line = seen_line(p, "legacy", "password_scheme");
	f = hash_family_by_name(c->password_scheme);
	if (f == NULL || f->generate == NULL) {
		perr(p, "legacy", "password_scheme", "'%s' is not a scheme customdb writes (bcrypt, "
		     "sha512crypt, yescrypt, argon2id, ...; see customdb.conf(5))", c->password_scheme);
		return false;
	}
	if (c->password_scheme_read == NULL)
		return true;
	p->line = seen_line(p, "legacy", "password_scheme_read");
	list = strdup(c->password_scheme_read);
	if (list == NULL) {
		perr(p, "legacy", "password_scheme_read", "out of memory");
		return false;
	}
	for (tok = strtok_r(list, ", ", &save); tok != NULL && ok; tok = strtok_r(NULL, ", ", &save)) {
		f = hash_family_by_name(tok);
		if (f == NULL) {
			perr(p, "legacy", "password_scheme_read", "unknown scheme '%s'", tok);
			ok = false;
		} else if (!f->by_name_only) {
			perr(p, "legacy", "password_scheme_read", "'%s' is recognised by its form "
			     "already; list only schemes such as sha1-hex or plaintext", tok);
			ok = false;
		}
	}
	free(list);
	return ok;
}

static bool fill_default(char **dst, const char *v)
{
	if (*dst == NULL)
		*dst = strdup(v);
	return *dst != NULL;
}

/* [store]: defaults, and what migrate mode needs of it. In legacy mode the
 * section is read but not used. */
static bool store_finish(struct parse *p)
{
	struct config *c = p->c;
	size_t n;

	if (c->store_connect_timeout == 0)
		c->store_connect_timeout = c->connect_timeout;
	if (c->store_query_timeout == 0)
		c->store_query_timeout = c->query_timeout;
	if (!fill_default(&c->store_driver, "sqlite")) {
		perr(p, "store", "driver", "out of memory");
		return false;
	}
	if (c->mode != MODE_MIGRATE)
		return true;
	if (strcmp(c->store_driver, "postgresql") == 0) {
		p->line = seen_line(p, "store", "driver");
		if (c->store_connection == NULL || c->store_connection[0] == '\0') {
			perr(p, "store", "connection", "missing: driver = postgresql needs a libpq "
			     "connection string for the store");
			return false;
		}
		return true;
	}
	if (c->store_path == NULL) {
		n = strlen(c->state_dir) + sizeof("/store.db");
		c->store_path = malloc(n);
		if (c->store_path == NULL) {
			perr(p, "store", "path", "out of memory");
			return false;
		}
		snprintf(c->store_path, n, "%s/store.db", c->state_dir);
	}
	return true;
}

/* Checks that need the whole file; err names the line of the key. */
static bool config_finish(struct parse *p)
{
	struct config *c = p->c;
	char qerr[256];
	int i;

	if (!fill_default(&c->default_shell, "/bin/sh") || !fill_default(&c->home, "/home/%u") ||
	    !fill_default(&c->socket_path, CUSTOMDB_DEFAULT_SOCKET) ||
	    !fill_default(&c->state_dir, CUSTOMDB_DEFAULT_STATE_DIR) ||
	    !fill_default(&c->password_scheme, "bcrypt")) {
		perr(p, "customdb", "", "out of memory");
		return false;
	}
	if (c->min_uid > c->max_uid) {
		/* name the key that is in the file (the later one if both are) */
		int lmin = seen_line(p, "customdb", "min_uid"), lmax = seen_line(p, "customdb", "max_uid");

		p->line = lmax > lmin ? lmax : lmin;
		if (lmax > lmin)
			perr(p, "customdb", "max_uid", "%lu is below min_uid (%lu)",
			     (unsigned long)c->max_uid, (unsigned long)c->min_uid);
		else
			perr(p, "customdb", "min_uid", "%lu is above max_uid (%lu)",
			     (unsigned long)c->min_uid, (unsigned long)c->max_uid);
		return false;
	}
	if (!store_finish(p))
		return false;
	p->line = 0;
	if (c->driver == NULL) {
		perr(p, "legacy", "driver", "missing (postgresql, mysql or sqlite)");
		return false;
	}
	p->line = seen_line(p, "legacy", "driver");
	if (strcmp(c->driver, "postgresql") != 0 && strcmp(c->driver, "mysql") != 0 &&
	    strcmp(c->driver, "sqlite") != 0) {
		perr(p, "legacy", "driver", "'%s' is not one of postgresql, mysql, sqlite", c->driver);
		return false;
	}
	if (!check_schemes(p))
		return false;
	p->line = 0;
	if (c->connection == NULL) {
		perr(p, "legacy", "connection", "missing");
		return false;
	}
	for (i = 0; i < Q_COUNT_; i++) {
		if (p->qtext[i] == NULL)
			continue;
		p->line = c->q_line[i];
		if (query_parse(&c->q[i], query_names[i], p->qtext[i], qerr, sizeof(qerr)) != 0) {
			perr(p, "queries", query_names[i], "%s", qerr);
			return false;
		}
	}
	p->line = 0;
	if (c->q[Q_LOGIN].sql == NULL) {
		perr(p, "queries", "login", "missing: it is how users log in");
		return false;
	}
	if (c->q[Q_GET_USER].sql == NULL) {
		perr(p, "queries", "get_user", "missing: it is how users are looked up by name");
		return false;
	}
	return true;
}

static struct config *config_parse(struct parse *p)
{
	int rc;
	int i;

	p->c = config_new();
	if (p->c == NULL) {
		snprintf(p->err, p->errlen, "%s: out of memory", p->name);
		return NULL;
	}
	p->at_line_start = true;
	/* Debian's libinih makes its options run-time settings: SQL holds ';' and
	 * long lines, so no inline comments and no fixed line buffer. */
	ini_allow_inline_comments = false;
	ini_allow_multiline = true;
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = CONFIG_MAX_LINE;
	ini_stop_on_first_error = true;
	rc = ini_parse_stream(reader, p, handler, p);
	if (rc != 0 && !p->failed) {
		if (rc < 0)
			snprintf(p->err, p->errlen, "%s: cannot be parsed (out of memory)", p->name);
		else
			snprintf(p->err, p->errlen, "%s:%d: not a [section], a key = value or a comment",
				 p->name, rc);
		p->failed = true;
	}
	if (!p->failed)
		config_finish(p);
	for (i = 0; i < Q_COUNT_; i++)
		free(p->qtext[i]);
	if (p->failed) {
		config_free(p->c);
		return NULL;
	}
	return p->c;
}

struct config *config_parse_string(const char *text, const char *name, char *err, size_t errlen)
{
	struct parse p = { .name = name, .s = text, .err = err, .errlen = errlen };

	return config_parse(&p);
}

/* Refuse a file or directory that someone other than root (or us) could
 * change, and, when it holds a secret, one that others could read. */
static bool check_file_perms(const char *path, const struct stat *st, bool secret,
			     char *err, size_t errlen)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %lu, must be owned by root", path,
			 (unsigned long)st->st_uid);
		return false;
	}
	if ((st->st_mode & S_IWOTH) || ((st->st_mode & S_IWGRP) && st->st_gid != 0)) {
		snprintf(err, errlen, "%s: writable by others (mode %04o); run chmod go-w", path,
			 (unsigned)(st->st_mode & 07777));
		return false;
	}
	if (secret && ((st->st_mode & S_IROTH) || ((st->st_mode & S_IRGRP) && st->st_gid != 0))) {
		snprintf(err, errlen, "%s: holds a database password but is readable by others "
			 "(mode %04o); run chmod 600", path, (unsigned)(st->st_mode & 07777));
		return false;
	}
	return true;
}

/* Does the connection string carry a password? */
static bool connection_has_password(const char *conn)
{
	const char *at, *scheme;

	if (strstr(conn, "password") != NULL)
		return true;
	scheme = strstr(conn, "://");
	if (scheme != NULL) {
		at = strchr(scheme + 3, '@');
		if (at != NULL && memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) != NULL)
			return true;
	}
	return false;
}

static bool read_password_file(struct config *c, bool check_perms, char *err, size_t errlen)
{
	char buf[1024];
	struct stat st;
	size_t n;
	FILE *f;
	bool ok = false;

	f = fopen(c->password_file, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s: [legacy] password_file: cannot open %s: %s", c->path,
			 c->password_file, strerror(errno));
		return false;
	}
	if (fstat(fileno(f), &st) != 0) {
		snprintf(err, errlen, "%s: %s", c->password_file, strerror(errno));
		goto out;
	}
	if (check_perms && !check_file_perms(c->password_file, &st, true, err, errlen))
		goto out;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		snprintf(err, errlen, "%s: empty; it must hold the password on one line",
			 c->password_file);
		goto out;
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	c->password = strdup(buf);
	if (c->password == NULL) {
		snprintf(err, errlen, "%s: out of memory", c->password_file);
		goto out;
	}
	ok = true;
out:
	secret_wipe_array(buf);
	fclose(f);
	return ok;
}

struct config *config_load(const char *path, bool check_perms, char *err, size_t errlen)
{
	struct parse p = { .name = path, .err = err, .errlen = errlen };
	struct config *c = NULL;
	struct stat st;
	char *dircopy = NULL;
	FILE *f;

	f = fopen(path, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(f == NULL ? -1 : fileno(f), &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	p.f = f;
	c = config_parse(&p);
	if (c == NULL)
		goto out;
	c->path = strdup(path);
	dircopy = strdup(path);
	if (c->path == NULL || dircopy == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	if (check_perms) {
		struct stat dst;
		const char *dir = dirname(dircopy);
		bool secret = connection_has_password(c->connection) ||
			      (c->store_connection != NULL &&
			       connection_has_password(c->store_connection));

		if (!check_file_perms(path, &st, secret, err, errlen))
			goto fail;
		if (stat(dir, &dst) != 0) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			goto fail;
		}
		if (!check_file_perms(dir, &dst, false, err, errlen))
			goto fail;
	}
	if (c->password_file != NULL && !read_password_file(c, check_perms, err, errlen))
		goto fail;
	goto out;
fail:
	config_free(c);
	c = NULL;
out:
	free(dircopy);
	fclose(f);
	return c;
}

void config_free(struct config *c)
{
	int i;

	if (c == NULL)
		return;
	free(c->path);
	free(c->default_shell);
	free(c->allowed_gids);
	free(c->home);
	free(c->socket_path);
	free(c->state_dir);
	free(c->driver);
	if (c->connection != NULL)
		secret_wipe_str(c->connection);
	free(c->connection);
	free(c->password_file);
	if (c->password != NULL)
		secret_wipe_str(c->password);
	free(c->password);
	free(c->password_scheme);
	free(c->password_scheme_read);
	free(c->store_driver);
	free(c->store_path);
	if (c->store_connection != NULL)
		secret_wipe_str(c->store_connection);
	free(c->store_connection);
	for (i = 0; i < Q_COUNT_; i++)
		query_clear(&c->q[i]);
	free(c);
}

int config_expand_home(const struct config *c, const char *user, unsigned long uid,
		       char *dst, size_t dstlen)
{
	const char *t = c->home;
	size_t o = 0, n;
	char num[24];
	const char *piece;

	for (; *t != '\0'; t++) {
		if (*t == '%' && (t[1] == 'u' || t[1] == 'U' || t[1] == '%')) {
			if (t[1] == 'u') {
				piece = user;
			} else if (t[1] == 'U') {
				snprintf(num, sizeof(num), "%lu", uid);
				piece = num;
			} else {
				piece = "%";
			}
			t++;
		} else {
			num[0] = *t;
			num[1] = '\0';
			piece = num;
		}
		n = strlen(piece);
		if (o + n >= dstlen)
			return -1;
		memcpy(dst + o, piece, n);
		o += n;
	}
	if (o >= dstlen)
		return -1;
	dst[o] = '\0';
	return 0;
}
