/* customdb: the administrator's tool (tool.h): main, and the check, try and
 * hash commands. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "hash.h"
#include "connector.h"
#include "log.h"
#include "output.h"
#include "secret.h"
#include "store.h"
#include "tool.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: customdb [-c FILE] [--json] [-d] COMMAND ...\n"
		"The administrator's tool of customdb: check the config, try logins and\n"
		"look-ups, manage users, follow the migration, and ask the daemon.\n\n"
		"Commands:\n"
		"  check                 parse the config, connect, run every read query with\n"
		"                        a probe value and report missing or unknown columns\n"
		"  try login USER [--commit]\n"
		"                        ask for USER's password and log in as the daemon would;\n"
		"                        writes nothing unless --commit (customdb try --help)\n"
		"  try get-user USER|UID look a user up as getent/id would, and show the record\n"
		"  hash identify STRING  name a stored hash's format and parameters, and say\n"
		"                        whether customdb can verify and write it\n"
		"  hash verify STRING [--salt SALT]\n"
		"                        ask for a password and say whether it matches\n"
		"  user add|show|modify|passwd|verify|delete ...\n"
		"                        manage one user (customdb user --help); modify sets\n"
		"                        --disable/--enable, --expires, --must-change-password,\n"
		"                        --shell, --gecos, --home, --gid\n"
		"  group add|delete|show|add-member|remove-member ...\n"
		"                        manage the store's groups (customdb group --help)\n"
		"  migrate status|import ...\n"
		"                        how far the migration has come; bulk import\n"
		"  cache show|flush ...  what the host cache holds for a user; drop entries\n"
		"  status                ask the running daemon how it is doing (root)\n\n"
		"Options:\n"
		"  -c, --config FILE  config file (default %s)\n"
		"      --json         machine-readable output\n"
		"  -d, --debug        log what the connector does to stderr\n"
		"  -h, --help         show this help (COMMAND --help: that command's)\n\n"
		"Exit status: 0 yes/done, 1 no (wrong password, no such user, problems found),\n"
		"2 usage or config error, 3 database or daemon unreachable.\n",
		CUSTOMDB_DEFAULT_CONFIG);
}

static void usage_try(FILE *f)
{
	fprintf(f,
		"Usage: customdb [-c FILE] [--json] [-d] try login USER [--commit]\n"
		"       customdb [-c FILE] [--json] [-d] try get-user USER|UID\n\n"
		"try login USER [--commit]\n"
		"  Ask for USER's password (from the terminal without echo, or one line of\n"
		"  standard input) and log in as the daemon would for PAM: the login query\n"
		"  or the store, the password, then the account checks. It changes nothing\n"
		"  unless given --commit: a user not migrated yet is not migrated, no hash\n"
		"  is re-hashed (rehash_on_login, an imported legacy hash), and no last\n"
		"  login is recorded; not_written lists what the login would have written.\n"
		"  --commit: write it, as a login through the daemon does.\n"
		"try get-user USER|UID\n"
		"  Look the user up as getent and id would, and show the record and the\n"
		"  groups. Changes nothing.\n");
}

/* --- check --------------------------------------------------------------- */

struct probe {
	enum query_id id;
	const char *required[4];
	const char *known[18];
};

#define USER_COLS { "username", "uid", "gid", "gecos", "home", "shell", "password", "salt", \
		    "email", "email_verified", "disabled", "disabled_until", "expires", \
		    "must_change_password", "password_expires", NULL }

static const struct probe probes[] = {
	{ Q_LOGIN, { "username", "uid", "password", NULL }, USER_COLS },
	{ Q_GET_USER, { "username", "uid", NULL }, USER_COLS },
	{ Q_GET_USER_BY_UID, { "username", "uid", NULL }, USER_COLS },
	{ Q_GET_GROUP, { "group", "gid", NULL }, { "group", "gid", "members", NULL } },
	{ Q_GET_GROUP_BY_GID, { "group", "gid", NULL }, { "group", "gid", "members", NULL } },
	{ Q_USER_GROUPS, { "gid", NULL }, { "group", "gid", NULL } },
	{ Q_LIST_USERS, { "username", "uid", NULL }, USER_COLS },
	{ Q_COUNT_USERS, { "count", NULL }, { "count", NULL } },
	{ Q_LIST_GROUPS, { "group", "gid", NULL }, { "group", "gid", "members", NULL } },
};

/* Does the driver name a result's columns when it has no row? A JSON
 * answer of no rows (json_row.h) says nothing about the fields a row has. */
static bool names_columns_without_rows(const char *driver)
{
	return strcmp(driver, "http") != 0 && strcmp(driver, "exec") != 0;
}

static bool in_list(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcasecmp(*list, name) == 0)
			return true;
	return false;
}

/* Migrate and store modes: can the store be opened (schema created or upgraded), and
 * what does it hold? */
static void check_store(const struct config *c, struct out *out, int *problems,
			int *unavailable)
{
	const char *driver = c->store_driver != NULL ? c->store_driver : "sqlite";
	struct store_stats st;
	struct store *sp;
	char err[1024];
	int rc;

	out_obj_begin(out, "store");
	out_str(out, "driver", driver);
	if (strcmp(driver, "sqlite") == 0)
		out_str(out, "path", c->store_path);
	rc = store_check(c, err, sizeof(err));
	if (rc == STORE_OK && (sp = store_open(c, err, sizeof(err))) != NULL) {
		rc = store_stats(sp, &st);
		store_close(sp);
		if (rc != STORE_OK)
			snprintf(err, sizeof(err), "cannot read the store: %s", store_rc_name(rc));
	} else if (rc == STORE_OK) {
		rc = STORE_UNAVAIL;
	}
	if (rc == STORE_OK) {
		out_str(out, "status", "ok");
		out_int(out, "users", st.users);
		out_int(out, "imported_not_logged_in", st.imported_pending);
		out_int(out, "tombstones", st.tombstones);
		out_int(out, "groups", st.groups);
	} else {
		out_str(out, "status", rc == STORE_UNAVAIL ? "unavailable" : "error");
		out_str(out, "error", err);
		if (rc == STORE_UNAVAIL)
			(*unavailable)++;
		else
			(*problems)++;
	}
	out_obj_end(out);
}

static int cmd_check(const struct opts *o)
{
	struct config *c;
	struct connector cn;
	struct session s;
	struct out out;
	char err[1024];
	size_t i, k;
	int problems = 0, unavailable = 0, rc;
	char probe_id[24];

	rc = tool_open_session(o, &c, &cn, &s);
	if (rc != 0)
		return rc;
	/* an id the daemon could really be asked for, so casts in SQL hold */
	snprintf(probe_id, sizeof(probe_id), "%lu", (unsigned long)c->max_uid);
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "config", c->path);
	out_str(&out, "mode", config_mode_name(c->mode));
	/* store mode: the legacy database is retired, never asked */
	out_str(&out, "driver", c->mode == MODE_STORE ? "none (mode = store)" : c->driver);
	out_arr_begin(&out, "queries");
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const struct probe *p = &probes[i];
		struct query_args a = { .v = { "customdb-probe", probe_id, probe_id,
					       "customdb-probe", "", "probe@invalid" } };
		struct result *r = NULL;

		if (c->q[p->id].sql == NULL || c->mode == MODE_STORE)
			continue;
		out_obj_begin(&out, NULL);
		out_str(&out, "query", query_id_name(p->id));
		rc = session_query(&s, p->id, &a, &r, err, sizeof(err));
		/* a source that checks passwords refuses the probe's: it answered */
		if (rc == CONN_AUTH_ERR && p->id == Q_LOGIN && connector_login_checks_password(c)) {
			out_str(&out, "status", "ok");
			out_str(&out, "note", "the source checks the password itself; it refused "
				"the probe's");
			out_obj_end(&out);
			continue;
		}
		if (rc != CONN_OK) {
			out_str(&out, "status", rc == CONN_UNAVAIL ? "unavailable" : "error");
			out_str(&out, "error", err);
			if (rc == CONN_UNAVAIL)
				unavailable++;
			else
				problems++;
			out_obj_end(&out);
			continue;
		}
		out_str(&out, "status", "ok");
		if (r->nrows == 0 && !names_columns_without_rows(c->driver)) {
			out_str(&out, "note", "no row for the probe, so its fields are not checked: "
				"customdb try get-user shows a real user's");
			out_obj_end(&out);
			result_free(r);
			continue;
		}
		out_arr_begin(&out, "missing");
		for (k = 0; p->required[k] != NULL; k++)
			if (result_column(r, p->required[k]) < 0 &&
			    !(p->id == Q_LOGIN && strcmp(p->required[k], "password") == 0 &&
			      connector_login_checks_password(c))) {
				out_item(&out, p->required[k]);
				problems++;
			}
		out_arr_end(&out);
		out_arr_begin(&out, "unknown");
		for (k = 0; k < r->ncols; k++)
			if (!in_list(p->known, r->colnames[k]))
				out_item(&out, r->colnames[k]);
		out_arr_end(&out);
		out_obj_end(&out);
		result_free(r);
	}
	out_arr_end(&out);
	out_arr_begin(&out, "not_run");
	for (i = Q_CREATE; i < Q_COUNT_; i++)
		if (c->q[i].sql != NULL && c->mode != MODE_STORE)
			out_item(&out, query_id_name((enum query_id)i));
	out_arr_end(&out);
	if (c->mode != MODE_LEGACY)
		check_store(c, &out, &problems, &unavailable);
	out_int(&out, "problems", problems);
	out_str(&out, "result", unavailable ? "unavailable" : problems ? "problems" : "ok");
	out_obj_end(&out);
	out_end(&out);
	tool_close_session(c, &s);
	if (unavailable)
		return EXIT_UNAVAIL;
	return problems ? EXIT_NO : EXIT_YES;
}

/* --- try ----------------------------------------------------------------- */

/* What a dry run left unwritten, as try login names it. */
static const struct {
	unsigned bit;
	const char *name;
} held_names[] = {
	{ HELD_MIGRATION, "migration" },
	{ HELD_REHASH, "rehash" },
	{ HELD_LAST_LOGIN, "last_login" },
};

/* commit: write what the login writes (migration, re-hash, last login);
 * else a dry run. */
static int cmd_try_login(const struct opts *o, const char *name, bool commit)
{
	struct config *c;
	struct connector cn;
	struct session s;
	struct user u = { 0 };
	struct out out;
	char pw[1024], why[256];
	bool denied;
	size_t i;
	int rc, acct = CONN_OK;

	rc = tool_open_session(o, &c, &cn, &s);
	if (rc != 0)
		return rc;
	s.dry_run = !commit;
	if (tool_read_password("Password: ", pw, sizeof(pw)) != 0) {
		fprintf(stderr, "customdb: no password given\n");
		secret_wipe_array(pw);
		tool_close_session(c, &s);
		return EXIT_USAGE;
	}
	rc = connector_authenticate(&s, name, pw, 0, &denied, &u);
	secret_wipe_array(pw);
	why[0] = '\0';
	if (rc == CONN_OK)
		acct = connector_account(&s, name, 0, why, sizeof(why));
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "login", rc == CONN_OK ? conn_rc_name(acct) : conn_rc_name(rc));
	if (why[0] != '\0')
		out_str(&out, "reason", why);
	out_bool(&out, "dry_run", s.dry_run);
	if (s.held != 0) {
		out_arr_begin(&out, "not_written");
		for (i = 0; i < sizeof(held_names) / sizeof(held_names[0]); i++)
			if (s.held & held_names[i].bit)
				out_item(&out, held_names[i].name);
		out_arr_end(&out);
	}
	if (rc == CONN_OK) {
		out_obj_begin(&out, "user");
		tool_print_user(&out, &u);
		out_obj_end(&out);
	}
	out_obj_end(&out);
	out_end(&out);
	user_clear(&u);
	tool_close_session(c, &s);
	return tool_exit_of(rc == CONN_OK ? acct : rc);
}

static int cmd_try_get_user(const struct opts *o, const char *key)
{
	struct config *c;
	struct connector cn;
	struct session s;
	struct user u = { 0 };
	struct out out;
	char *end;
	unsigned long uid;
	gid_t *gids = NULL;
	size_t ngids = 0, i;
	int rc;

	rc = tool_open_session(o, &c, &cn, &s);
	if (rc != 0)
		return rc;
	errno = 0;
	uid = strtoul(key, &end, 10);
	if (key[0] >= '0' && key[0] <= '9' && *end == '\0' && errno == 0)
		rc = connector_user_by_uid(&s, (uid_t)uid, &u);
	else
		rc = connector_user_by_name(&s, key, &u);
	if (rc == CONN_OK && connector_user_groups(&s, u.name, &gids, &ngids) != CONN_OK)
		ngids = 0;
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "lookup", conn_rc_name(rc));
	if (rc == CONN_OK) {
		out_obj_begin(&out, "user");
		tool_print_user(&out, &u);
		out_arr_begin(&out, "groups");
		for (i = 0; i < ngids; i++)
			out_int_item(&out, (long long)gids[i]);
		out_arr_end(&out);
		out_obj_end(&out);
	}
	out_obj_end(&out);
	out_end(&out);
	free(gids);
	user_clear(&u);
	tool_close_session(c, &s);
	return tool_exit_of(rc);
}

/* --- hash ---------------------------------------------------------------- */

/* The hash settings of the config, if there is one to read; hash commands
 * work without a config too (no by-name-only schemes then). */
static struct config *load_quietly(const struct opts *o, bool explicit_config)
{
	char err[1024];
	struct config *c;

	if (!explicit_config && access(o->config, R_OK) != 0)
		return NULL;
	c = config_load(o->config, geteuid() == 0, err, sizeof(err));
	if (c == NULL && explicit_config)
		fprintf(stderr, "customdb: %s\n", err);
	return c;
}

static int cmd_hash_identify(const struct opts *o, const char *stored)
{
	bool explicit_config = o->explicit_config;
	struct config *c = load_quietly(o, explicit_config);
	struct hash_ctx ctx = { 0 };
	const struct hash_family *f, *const *all;
	struct out out;
	char params[256] = "", ceiling[160] = "";
	bool over = false;
	size_t n, i;

	if (c == NULL && explicit_config)
		return EXIT_USAGE;
	if (c != NULL) {
		ctx.scheme_read = c->password_scheme_read;
		ctx.limits = &c->hash_limits;
	}
	f = hash_identify_ctx(&ctx, stored);
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "format", f != NULL ? f->name : hash_is_lock_marker(stored) ?
		"lock marker" : "unknown");
	if (f != NULL) {
		over = hash_over_ceiling(&ctx, f, stored, ceiling, sizeof(ceiling));
		if (f->describe != NULL)
			f->describe(stored, params, sizeof(params));
		out_str(&out, "origin", f->origin);
		out_str(&out, "parameters", params[0] != '\0' ? params : NULL);
		/* over a ceiling: never verified, never matches (customdb.conf(5)) */
		out_str(&out, "over_ceiling", over ? ceiling : "no");
		out_bool(&out, "verify", !over);
		out_bool(&out, "needs_salt_column", f->needs_salt);
		out_bool(&out, "write", f->generate != NULL);
	} else {
		/* say which by-name-only schemes it could be, and how to name them */
		all = hash_families(&n);
		out_arr_begin(&out, "could_be_if_named_in_password_scheme_read");
		for (i = 0; i < n; i++) {
			/* as the daemon would pick it: never a lock marker, nor a cut hash */
			struct hash_ctx one = { .scheme_read = all[i]->name };

			if (all[i]->by_name_only && hash_identify_ctx(&one, stored) == all[i])
				out_item(&out, all[i]->name);
		}
		out_arr_end(&out);
	}
	out_obj_end(&out);
	out_end(&out);
	config_free(c);
	return f != NULL && !over ? EXIT_YES : EXIT_NO;
}

static int cmd_hash_verify(const struct opts *o, const char *stored, const char *salt)
{
	bool explicit_config = o->explicit_config;
	struct config *c = load_quietly(o, explicit_config);
	struct hash_ctx ctx = { .salt = salt };
	const struct hash_family *f;
	struct out out;
	char pw[1024], why[160], result[200];
	int h;

	if (c == NULL && explicit_config)
		return EXIT_USAGE;
	if (c != NULL) {
		ctx.scheme_read = c->password_scheme_read;
		ctx.allow_empty = c->allow_empty_password;
		ctx.limits = &c->hash_limits;
	}
	f = hash_identify_ctx(&ctx, stored);
	if (tool_read_password("Password: ", pw, sizeof(pw)) != 0) {
		fprintf(stderr, "customdb: no password given\n");
		config_free(c);
		return EXIT_USAGE;
	}
	h = hash_verify_ctx(&ctx, stored, pw);
	secret_wipe_array(pw);
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "format", f != NULL ? f->name : "unknown");
	if (h != HASH_MATCH && h != HASH_MISMATCH) {
		hash_explain(&ctx, stored, why, sizeof(why));
		snprintf(result, sizeof(result), "unusable%s%s", why[0] != '\0' ? ": " : "", why);
	}
	out_str(&out, "result", h == HASH_MATCH ? "match" : h == HASH_MISMATCH ? "no match" :
		result);
	out_obj_end(&out);
	out_end(&out);
	config_free(c);
	return h == HASH_MATCH ? EXIT_YES : EXIT_NO;
}

static const struct group_cmd {
	const char *name;
	int (*fn)(struct opts *o, int argc, char **argv);
} groups[] = {
	{ "user", cmd_user },
	{ "group", cmd_group },
	{ "migrate", cmd_migrate },
	{ "cache", cmd_cache },
	{ "status", cmd_status },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .config = CUSTOMDB_DEFAULT_CONFIG };
	const char *salt = NULL;
	bool commit = false, try_login;
	size_t g;
	int c;

	while ((c = getopt_long(argc, argv, "+c:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o.config = optarg; o.explicit_config = true; break;
		case 'j': o.json = true; break;
		case 'd': o.debug = true; break;
		case 'h': usage(stdout); return EXIT_YES;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	log_init("customdb", true, o.debug);
	for (g = 0; argc > 0 && g < sizeof(groups) / sizeof(groups[0]); g++)
		if (strcmp(argv[0], groups[g].name) == 0)
			return groups[g].fn(&o, argc, argv);
	/* check, try, hash: options may also follow the command */
	for (c = 0; c < argc; c++) {
		if (strcmp(argv[c], "--json") == 0) {
			o.json = true;
		} else if (strcmp(argv[c], "--salt") == 0 && c + 1 < argc) {
			salt = argv[c + 1];
			memmove(&argv[c], &argv[c + 1], (size_t)(argc - c - 1) * sizeof(*argv));
			argc--;
		} else if (strcmp(argv[c], "--commit") == 0) {
			commit = true;
		} else if (strcmp(argv[c], "--help") == 0 || strcmp(argv[c], "-h") == 0) {
			if (strcmp(argv[0], "try") == 0)
				usage_try(stdout);
			else
				usage(stdout);
			return EXIT_YES;
		} else
			continue;
		memmove(&argv[c], &argv[c + 1], (size_t)(argc - c - 1) * sizeof(*argv));
		argc--;
		c--;
	}
	try_login = argc >= 2 && strcmp(argv[0], "try") == 0 && strcmp(argv[1], "login") == 0;
	if (commit && !try_login) {
		fprintf(stderr, "customdb: --commit is an option of try login USER only\n");
		return EXIT_USAGE;
	}
	if (argc == 1 && strcmp(argv[0], "check") == 0)
		return cmd_check(&o);
	if (argc == 3 && try_login)
		return cmd_try_login(&o, argv[2], commit);
	if (argc == 3 && strcmp(argv[0], "try") == 0 && strcmp(argv[1], "get-user") == 0)
		return cmd_try_get_user(&o, argv[2]);
	if (argc == 3 && strcmp(argv[0], "hash") == 0 && strcmp(argv[1], "identify") == 0)
		return cmd_hash_identify(&o, argv[2]);
	if (argc == 3 && strcmp(argv[0], "hash") == 0 && strcmp(argv[1], "verify") == 0)
		return cmd_hash_verify(&o, argv[2], salt);
	if (argc == 0)
		fprintf(stderr, "customdb: no command given\n");
	else
		fprintf(stderr, "customdb: unknown command or wrong arguments: %s\n", argv[0]);
	usage(stderr);
	return EXIT_USAGE;
}
