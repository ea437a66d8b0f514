/* config.c: the config file's keys (one table, keys[], feeding parsing,
 * the duplicate checks and customdb.conf(5)) and the parsing of its text;
 * config_load.c reads the file itself. See config.h. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_int.h"
#include "hash.h"

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

/* Longest line libinih is allowed to grow its buffer to. */
#define CONFIG_MAX_LINE (1 << 16)
#define CONFIG_MAX_ALLOWED_GIDS 1024

void perr(struct parse *p, const char *section, const char *key, const char *fmt, ...)
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

/* "'v' is neither a nor b" / "'v' is not one of a, b, c" into perr. */
static void perr_choices(struct parse *p, const char *s, const char *k, const char *v,
			 const char *const *choices)
{
	char list[128] = "";
	size_t i, o = 0;

	if (choices[1] != NULL && choices[2] == NULL) {
		perr(p, s, k, "'%s' is neither %s nor %s", v, choices[0], choices[1]);
		return;
	}
	for (i = 0; choices[i] != NULL && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i > 0 ? ", " : "",
				      choices[i]);
	perr(p, s, k, "'%s' is not one of %s", v, list);
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

/* case_sensitive: true (the default) or false, as SSSD spells it; SSSD's
 * third value, preserving, is what a case-insensitive collation already
 * does with names sent as they are, and has no meaning of its own here. */
static bool set_case_sensitive(struct parse *p, const char *s, const char *k, const char *v)
{
	bool b;

	if (!parse_bool(v, &b)) {
		perr(p, s, k, "'%s' is neither true nor false%s", v,
		     strcmp(v, "preserving") == 0 ? " (SSSD's preserving: leave the key out, "
		     "and a case-insensitive collation matches names as they are sent)" : "");
		return false;
	}
	p->c->fold_case = !b;
	return true;
}

/* What a key's value must be, and how it is stored. */
enum key_type {
	K_INT,   /* a whole number in [min, max], into an int, long, uid_t, ... */
	K_BOOL,  /* yes/no, true/false, on/off, 1/0 */
	K_ENUM,  /* one of choices, stored as its index (an enum) */
	K_STR,   /* any text, or one of choices when there are some */
	K_PATH,  /* an absolute path */
	K_FN,    /* set() parses and stores it */
};

typedef bool key_setter(struct parse *p, const char *s, const char *k, const char *v);

struct config_key {
	const char *section, *name;
	enum key_type type;
	size_t off, size;             /* the field of struct config */
	long min, max;                /* K_INT */
	const char *const *choices;   /* K_ENUM, K_STR: NULL-terminated */
	key_setter *set;              /* K_FN */
	const char *def;              /* default, as written in the file; NULL:
				       * none, or worked out in config_finish */
	const char *help;             /* one line; customdb.conf(5) says more */
};

#define FIELD(f) offsetof(struct config, f), sizeof(((struct config *)0)->f)
#define KINT(sec, key, f, lo, hi, def, help) \
	{ sec, key, K_INT, FIELD(f), lo, hi, NULL, NULL, def, help }
#define KBOOL(sec, key, f, def, help) { sec, key, K_BOOL, FIELD(f), 0, 0, NULL, NULL, def, help }
#define KENUM(sec, key, f, ch, def, help) { sec, key, K_ENUM, FIELD(f), 0, 0, ch, NULL, def, help }
#define KSTR(sec, key, f, ch, def, help) { sec, key, K_STR, FIELD(f), 0, 0, ch, NULL, def, help }
#define KPATH(sec, key, f, def, help) { sec, key, K_PATH, FIELD(f), 0, 0, NULL, NULL, def, help }
#define KFN(sec, key, fn, help) { sec, key, K_FN, 0, 0, 0, 0, NULL, fn, NULL, help }
#define ID_LAST 4294967294L /* the last uid or gid that is not (uid_t)-1 */
#define KHASH(key) KFN("customdb", key, set_hash_limit, \
			 "ceiling on a stored hash's cost (hash_limit_set; default hash_limits_default)")

static const char *const mode_names[] = { "legacy", "migrate", "store", NULL };
static const char *const legacy_drivers[] = { "postgresql", "mysql", "sqlite", "odbc", "http",
						    "exec", NULL };
static const char *const store_drivers[] = { "sqlite", "postgresql", NULL };
/* space_in_names: characters Linux names may hold */
static const char *const name_space_chars[] = { "_", "-", ".", NULL };

/* Every key of [customdb], [legacy] and [store] ([queries] is query_names):
 * customdb.conf(5) lists the same ones (tests/unit/test_config.c checks). */
static const struct config_key keys[] = {
	KENUM("customdb", "mode", mode, mode_names, "legacy", "legacy, migrate or store"),
	KINT("customdb", "min_uid", min_uid, 1, ID_LAST, "10000", "lowest uid and gid answered for"),
	KINT("customdb", "max_uid", max_uid, 1, ID_LAST, "60000", "highest uid and gid answered for"),
	KINT("customdb", "default_gid", default_gid, 1, ID_LAST, "100", "primary gid when none is given"),
	KFN("customdb", "allowed_gids", set_gid_list, "more gids a row may give"),
	KINT("customdb", "cache_max_entries", cache_max_entries, 100, 100000000, "1000000",
	    "answers the daemon keeps"),
	KINT("customdb", "negative_max_entries", negative_max_entries, 0, 10000000, "100000",
	    "\"no such\" answers the daemon keeps"),
	KINT("customdb", "cache_ttl", cache_ttl, 0, 86400 * 365, "300", "seconds an answer is fresh"),
	KINT("customdb", "negative_ttl", negative_ttl, 0, 86400 * 365, "30",
	    "seconds a \"no such\" is remembered"),
	KINT("customdb", "workers", workers, 1, 256, "8", "request threads of customdbd"),
	KBOOL("customdb", "require_verified", require_verified, "no", "refuse unverified emails"),
	KBOOL("customdb", "enumerate", enumerate, "no", "getpwent/getgrent list users and groups"),
	KINT("customdb", "enumerate_limit", enumerate_limit, 1, 1000000, "10000",
	    "at most this many of each listed"),
	KPATH("customdb", "default_shell", default_shell, "/bin/sh", "shell when none is given"),
	KPATH("customdb", "home", home, "/home/%u", "home template: %u name, %U uid, %% percent"),
	KPATH("customdb", "socket", socket_path, CUSTOMDB_DEFAULT_SOCKET, "the daemon's socket"),
	KPATH("customdb", "state_dir", state_dir, CUSTOMDB_DEFAULT_STATE_DIR, "the daemon's files"),
	KHASH("hash_max_bcrypt_cost"),
	KHASH("hash_max_rounds"),
	KHASH("hash_max_iterations"),
	KHASH("hash_max_memory_kib"),
	KHASH("hash_max_passes"),

	KSTR("legacy", "driver", driver, legacy_drivers, NULL, "the application's database kind"),
	KSTR("legacy", "connection", connection, NULL, NULL, "how to reach it"),
	KPATH("legacy", "password_file", password_file, NULL, "file holding its password"),
	KINT("legacy", "connect_timeout", connect_timeout, 1, 300, "3", "seconds to connect"),
	KPATH("legacy", "ca_file", ca_file, NULL, "http: CA certificates that verify the service"),
	KINT("legacy", "query_timeout", query_timeout, 1, 300, "5", "seconds per query"),
	KSTR("legacy", "password_scheme", password_scheme, NULL, "bcrypt", "scheme of new hashes"),
	KSTR("legacy", "password_scheme_read", password_scheme_read, NULL, NULL,
	    "schemes known by name only"),
	KINT("legacy", "password_cost", password_cost, 0, 2000000000L, "0",
	    "cost of new hashes; 0: the scheme's default"),
	KBOOL("legacy", "allow_empty_password", allow_empty_password, "no",
	     "the application accepted an empty password"),
	KBOOL("legacy", "rehash_on_login", rehash_on_login, "no", "re-hash old hashes at login"),
	KSTR("legacy", "space_in_names", space_in_names, name_space_chars, NULL,
	    "what a space in the database's names is in Linux names"),
	KFN("legacy", "case_sensitive", set_case_sensitive,
	    "false: names folded to lower case both ways"),
	KINT("legacy", "uid_offset", uid_offset, 0, ID_LAST, "0",
	    "added to the uids queries return, taken off :uid"),
	KINT("legacy", "gid_offset", gid_offset, 0, ID_LAST, "0",
	    "added to the gids queries return, taken off :gid"),
	KSTR("legacy", "run_as", run_as, NULL, NULL, "exec: the user action scripts run as"),
	KINT("legacy", "max_output", max_output, 1024, 1L << 30, "1048576",
	    "exec: bytes an action script may print"),

	KSTR("store", "driver", store_driver, store_drivers, "sqlite", "the store's database kind"),
	KPATH("store", "path", store_path, NULL, "SQLite file; default state_dir/store.db"),
	KSTR("store", "connection", store_connection, NULL, NULL, "PostgreSQL connection string"),
	KINT("store", "connect_timeout", store_connect_timeout, 1, 300, NULL,
	    "seconds to connect; default [legacy]'s"),
	KINT("store", "query_timeout", store_query_timeout, 1, 300, NULL,
	    "seconds per query; default [legacy]'s"),
	/* argon2id ops limit: 0 is libsodium's interactive level (2) */
	KINT("store", "password_cost", store_password_cost, 0, 20, "0", "argon2id time cost"),
	KINT("store", "refresh", store_refresh, 0, 86400, "60",
	    "seconds between looks for what other hosts changed; 0: never"),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(NKEYS <= CONFIG_MAX_KEYS, "struct parse's key_line is too short");

bool config_key_at(size_t i, const char **section, const char **name, const char **help)
{
	if (i < NKEYS) {
		*section = keys[i].section;
		*name = keys[i].name;
		*help = keys[i].help;
		return true;
	}
	i -= NKEYS;
	if (i >= Q_COUNT_)
		return false;
	*section = "queries";
	*name = query_names[i];
	*help = "SQL";
	return true;
}

/* Index of section.key in keys, or -1. */
static int key_index(const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, key) == 0)
			return (int)i;
	return -1;
}

/* A number already in the key's range, into its field whatever its width. */
static void store_number(void *dst, size_t size, long n)
{
	unsigned int u = (unsigned int)n;

	if (size == sizeof(u))
		memcpy(dst, &u, sizeof(u));
	else
		memcpy(dst, &n, sizeof(n));
}

static bool set_string(struct parse *p, const struct config_key *k, char **dst, const char *v)
{
	char *n = strdup(v);

	if (n == NULL) {
		perr(p, k->section, k->name, "out of memory");
		return false;
	}
	free(*dst);
	*dst = n;
	return true;
}

/* Index of v in choices, or -1 (with the message) when it is none of them. */
static int choice_index(struct parse *p, const struct config_key *k, const char *v)
{
	int i;

	for (i = 0; k->choices[i] != NULL; i++)
		if (strcmp(v, k->choices[i]) == 0)
			return i;
	perr_choices(p, k->section, k->name, v, k->choices);
	return -1;
}

/* Parse v as key k wants and store it into p->c. */
static bool apply_key(struct parse *p, const struct config_key *k, const char *v)
{
	void *field = (char *)p->c + k->off;
	const char *s = k->section;
	long n;
	bool b;
	int i;

	switch (k->type) {
	case K_INT:
		if (!parse_long(v, k->min, k->max, &n)) {
			perr(p, s, k->name, "'%s' is not a whole number from %ld to %ld", v,
			     k->min, k->max);
			return false;
		}
		store_number(field, k->size, n);
		return true;
	case K_BOOL:
		if (!parse_bool(v, &b)) {
			perr(p, s, k->name, "'%s' is not yes or no", v);
			return false;
		}
		memcpy(field, &b, sizeof(b));
		return true;
	case K_ENUM:
		if ((i = choice_index(p, k, v)) < 0)
			return false;
		memcpy(field, &i, sizeof(i));
		return true;
	case K_STR:
		if (k->choices != NULL && choice_index(p, k, v) < 0)
			return false;
		return set_string(p, k, field, v);
	case K_PATH:
		if (v[0] != '/') {
			perr(p, s, k->name, "'%s' is not an absolute path", v);
			return false;
		}
		return set_string(p, k, field, v);
	case K_FN:
		return k->set(p, s, k->name, v);
	}
	return false;
}

/* A key = value line of [customdb], [legacy] or [store]. */
static bool handle_key(struct parse *p, const char *s, const char *k, const char *v)
{
	int i = key_index(s, k);

	if (i < 0) {
		perr(p, s, k, "unknown key");
		return false;
	}
	if (p->key_line[i] != 0) {
		perr(p, s, k, "set twice (first on line %d)", p->key_line[i]);
		return false;
	}
	p->key_line[i] = p->line;
	return apply_key(p, &keys[i], v);
}

static bool handle_query(struct parse *p, const char *s, const char *k, const char *v)
{
	int i;

	for (i = 0; i < Q_COUNT_; i++) {
		if (strcmp(k, query_names[i]) != 0)
			continue;
		if (p->qtext[i] != NULL) {
			perr(p, s, k, "set twice (first on line %d)", p->c->q_line[i]);
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

/* The line section.key was set on, or 0 when it was not set (a default). */
int seen_line(const struct parse *p, const char *section, const char *key)
{
	int i = key_index(section, key);

	return i < 0 ? 0 : p->key_line[i];
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;
	bool ok;

	if (p->failed)
		return 0;
	if (p->indented && strcmp(key, p->prev_key) == 0 && strcmp(section, p->prev_section) == 0)
		ok = append_query(p, section, key, value);
	else if (strcmp(section, "customdb") == 0 || strcmp(section, "legacy") == 0 ||
		 strcmp(section, "store") == 0)
		ok = handle_key(p, section, key, value);
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

/* A new config holding every key's default. */
static struct config *config_new(struct parse *p)
{
	size_t i;

	p->c = calloc(1, sizeof(*p->c));
	if (p->c == NULL)
		return NULL;
	p->c->hash_limits = hash_limits_default;
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].def != NULL && !apply_key(p, &keys[i], keys[i].def)) {
			config_free(p->c);
			return p->c = NULL;
		}
	}
	return p->c;
}

static struct config *config_parse(struct parse *p)
{
	int rc;
	int i;

	if (config_new(p) == NULL) {
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

/* For config_load.c: a file opened there. */
struct config *config_parse_file(FILE *f, const char *name, char *err, size_t errlen)
{
	struct parse p = { .name = name, .f = f, .err = err, .errlen = errlen };

	return config_parse(&p);
}

const char *config_mode_name(enum cdb_mode m)
{
	return m <= MODE_STORE ? mode_names[m] : "?";
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
