/* cmd_user.c: customdb user add|show|modify|passwd|verify|delete, in either
 * mode. The work is the connector's (connector_admin.h, and
 * connector_change_password for passwd); this file parses the command line,
 * asks for passwords and for confirmation, prints the outcome, and after
 * every change asks a running daemon to drop what it caches of the user
 * (tool_daemon_flush), a cached "no such user" included. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "connector_admin.h"
#include "secret.h"
#include "tool.h"

/* A password buffer; a line that fills it is refused, never cut short. */
#define PW_MAX 1024

/* Options besides --json and --help, by the subcommands that take them. */
enum {
	OPT_EMAIL = 1,
	OPT_UID = 2,
	OPT_REUSE_DELETED = 4,
	OPT_ALLOW_REMIGRATE = 8,
	OPT_YES = 16,
	OPT_FIELDS = 32,   /* modify: --disable ... --gid (struct store_change) */
};

struct uargs {
	const char *name;
	const char *email;
	uid_t uid;
	bool reuse_deleted, allow_remigrate, yes;
	struct store_change ch;
};

struct sub {
	const char *name;
	unsigned opts;
	const char *usage;
	int (*fn)(const struct opts *o, const struct uargs *a);
};

static int user_add(const struct opts *o, const struct uargs *a);
static int user_show(const struct opts *o, const struct uargs *a);
static int user_modify(const struct opts *o, const struct uargs *a);
static int user_passwd(const struct opts *o, const struct uargs *a);
static int user_verify(const struct opts *o, const struct uargs *a);
static int user_delete(const struct opts *o, const struct uargs *a);

static const struct sub subs[] = {
	{ "add", OPT_EMAIL | OPT_UID | OPT_REUSE_DELETED,
	  "user add NAME [--email EMAIL] [--uid UID] [--reuse-deleted] [--json]\n"
	  "  Create a user. The password is asked twice on a terminal, or read as one\n"
	  "  line of standard input. Legacy mode: the create query (the SQL picks the\n"
	  "  uid unless --uid is given); migrate mode: a store row with an argon2id\n"
	  "  hash. The name must be free (get_user), then a login confirms the user.\n"
	  "  --reuse-deleted: in migrate mode, a name deleted on purpose may be given\n"
	  "  to the new user (when the legacy database no longer has it).\n",
	  user_add },
	{ "show", 0,
	  "user show NAME [--json]\n"
	  "  The user's record and groups, and where the user lives (legacy, store,\n"
	  "  deleted) with the store's times.\n",
	  user_show },
	{ "modify", OPT_EMAIL | OPT_FIELDS,
	  "user modify NAME [--email EMAIL] [--disable|--enable] [--expires DATE|never]\n"
	  "       [--must-change-password] [--shell PATH] [--gecos TEXT] [--home PATH]\n"
	  "       [--gid GID] [--json]\n"
	  "  Change the email (the change_email query, or the store row of a migrated\n"
	  "  user, whose email then counts as not verified). The other fields are\n"
	  "  the store's (mode = migrate for a migrated user, or mode = store): the\n"
	  "  account disabled or enabled, the day it expires (YYYY-MM-DD, UTC; never:\n"
	  "  no expiry), a password change required at the next login, the passwd\n"
	  "  fields, the primary gid (inside [min_uid, max_uid], default_gid or\n"
	  "  allowed_gids). No query of [queries] writes those: for a user the legacy\n"
	  "  database holds, nothing is changed and exit status is 2. Everything is\n"
	  "  checked before anything is written.\n",
	  user_modify },
	{ "passwd", 0,
	  "user passwd NAME [--json]\n"
	  "  Set a new password without the old one (asked twice on a terminal, or one\n"
	  "  line of standard input): the change_password query, or the store.\n",
	  user_passwd },
	{ "verify", 0,
	  "user verify NAME [--json]\n"
	  "  Mark the email verified (the verify query, or the store row).\n",
	  user_verify },
	{ "delete", OPT_ALLOW_REMIGRATE | OPT_YES,
	  "user delete NAME [--allow-remigrate] [--yes] [--json]\n"
	  "  Legacy mode: the delete query. Migrate mode: the store row goes and a\n"
	  "  tombstone keeps the user from migrating back at the next login (the\n"
	  "  legacy row stays); --allow-remigrate writes no tombstone, and removes one\n"
	  "  left by an earlier delete. Asks first on a terminal, unless --yes.\n",
	  user_delete },
};

#define NSUBS (sizeof(subs) / sizeof(subs[0]))

static void usage(FILE *f)
{
	size_t i;

	fputs("Usage: customdb [-c FILE] [--json] user COMMAND NAME [OPTIONS]\n"
	      "Manage one user, in legacy, migrate or store mode.\n\n", f);
	for (i = 0; i < NSUBS; i++)
		fprintf(f, "%s\n", subs[i].usage);
	fputs("Exit status: 0 done, 1 no (no such user, name or uid taken, not confirmed),\n"
	      "2 usage or config error (a query not configured, bad input), 3 database\n"
	      "unreachable.\n", f);
}

/* --- helpers ---------------------------------------------------------------- */

static int fail(const char *sub, const char *why)
{
	fprintf(stderr, "customdb: user %s: %s\n", sub, why);
	return EXIT_USAGE;
}

/* Print why for a failed connector call and return its exit status. */
static int failed(const char *sub, int rc, const char *why)
{
	fprintf(stderr, "customdb: user %s: %s\n", sub, why[0] != '\0' ? why : conn_rc_name(rc));
	return tool_exit_of(rc);
}

/* Read a new password: on a terminal twice (the two must match), else one
 * line of standard input. 0, or the exit status to give up with. */
static int read_new_password(const char *sub, char *pw, size_t len)
{
	char again[PW_MAX];
	int rc = 0;

	if (tool_read_password("New password: ", pw, len) != 0) {
		rc = fail(sub, "no password given");
	} else if (strlen(pw) >= len - 1) {
		fprintf(stderr, "customdb: user %s: the password is too long (at most %zu bytes)\n",
			sub, len - 2);
		rc = EXIT_USAGE;
	} else if (pw[0] == '\0') {
		rc = fail(sub, "the password is empty");
	} else if (isatty(STDIN_FILENO)) {
		if (tool_read_password("Retype new password: ", again, sizeof(again)) != 0 ||
		    strcmp(pw, again) != 0)
			rc = fail(sub, "the passwords do not match");
	}
	secret_wipe_array(again);
	if (rc != 0)
		secret_wipe(pw, len);
	return rc;
}

/* Ask on the terminal; only "y" or "yes" is a yes. */
static bool confirmed(const char *question)
{
	char line[16];

	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	line[strcspn(line, "\n")] = '\0';
	return strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
}

/* A time of the store as ISO 8601 UTC; 0 is JSON null, and for people
 * `never` (nothing when NULL). */
static void out_time(struct out *out, const char *key, int64_t t, const char *never)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		out_str(out, key, out->json ? NULL : never);
		return;
	}
	out_str(out, key, buf);
}

/* After a change hosts could still see: ask a running daemon to drop the
 * user from its cache, and say whether one did. */
static void flush_daemon(struct out *out, const struct config *c, const char *name)
{
	int n = tool_daemon_flush(c, name);

	if (n >= 0)
		out_int(out, "cache_flushed", n);
	else
		out_str(out, "cache_flushed", out->json ? NULL : "no daemon reached");
}

/* --- add ---------------------------------------------------------------- */

/* The answer of modify, verify and passwd: what was done to whom (email:
 * the new address, or NULL), and the daemon's entries for the name dropped
 * so that hosts see the change at once. */
static void report_change(const struct opts *o, const struct config *c, const char *result,
			  const char *name, const char *email)
{
	struct out out;

	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "result", result);
	out_str(&out, "username", name);
	if (email != NULL)
		out_str(&out, "email", email);
	flush_daemon(&out, c, name);
	out_obj_end(&out);
	out_end(&out);
}

static int user_add(const struct opts *o, const struct uargs *a)
{
	const struct new_user nu = {
		.name = a->name, .email = a->email, .uid = a->uid,
		.reuse_deleted = a->reuse_deleted,
	};
	struct config *c;
	struct connector cn;
	struct session s;
	struct user u = { 0 };
	struct out out;
	char pw[PW_MAX], why[1024];
	bool created = false;
	int rc;

	rc = tool_open_session(o, &c, &cn, &s);
	if (rc != 0)
		return rc;
	pw[0] = '\0';
	/* everything that can be told before the password is asked for */
	rc = connector_create_ready(c, &nu, why, sizeof(why));
	if (rc == CONN_OK)
		rc = connector_name_free(&s, a->name, a->reuse_deleted, why, sizeof(why));
	if (rc != CONN_OK) {
		rc = failed("add", rc, why);
		goto out;
	}
	rc = read_new_password("add", pw, sizeof(pw));
	if (rc != 0)
		goto out;
	rc = connector_create_user(&s, &nu, pw, &u, &created, why, sizeof(why));
	if (rc != CONN_OK) {
		fprintf(stderr, "customdb: user add: %s\n", why);
		/* written but not usable: the queries disagree, a config error */
		rc = rc == CONN_AUTH_ERR ? EXIT_USAGE : tool_exit_of(rc);
		goto out;
	}
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "result", "created");
	out_str(&out, "where", c->mode != MODE_LEGACY ? "store" : "legacy");
	out_obj_begin(&out, "user");
	tool_print_user(&out, &u);
	out_obj_end(&out);
	/* a "no such user" the daemon still holds would hide the new user */
	flush_daemon(&out, c, a->name);
	out_obj_end(&out);
	out_end(&out);
	rc = EXIT_YES;
out:
	secret_wipe_array(pw);
	user_clear(&u);
	tool_close_session(c, &s);
	return rc;
}

/* --- show --------------------------------------------------------------- */

static void print_groups(struct out *out, struct session *s, const char *name)
{
	struct group g;
	gid_t *gids = NULL;
	size_t n = 0, i;
	char item[CDB_NAME_MAX + 32];

	if (connector_user_groups(s, name, &gids, &n) != CONN_OK) {
		out_str(out, "groups", out->json ? NULL : "(cannot be read)");
		return;
	}
	out_arr_begin(out, "groups");
	for (i = 0; i < n; i++) {
		bool named = connector_group_by_gid(s, gids[i], &g) == CONN_OK;

		if (out->json) {
			out_obj_begin(out, NULL);
			out_str(out, "group", named ? g.name : NULL);
			out_int(out, "gid", (long long)gids[i]);
			out_obj_end(out);
		} else {
			snprintf(item, sizeof(item), "%s (%lu)", named ? g.name : "?",
				 (unsigned long)gids[i]);
			out_item(out, item);
		}
		if (named)
			group_clear(&g);
	}
	out_arr_end(out);
	free(gids);
}

static int user_show(const struct opts *o, const struct uargs *a)
{
	struct config *c;
	struct connector cn;
	struct session s;
	struct user u;
	struct store_meta m;
	enum user_place place;
	struct out out;
	int rc;

	rc = tool_open_session(o, &c, &cn, &s);
	if (rc != 0)
		return rc;
	rc = connector_locate_user(&s, a->name, &u, &place, &m);
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "lookup", rc == CONN_OK && place == PLACE_DELETED ? "deleted"
								      : conn_rc_name(rc));
	if (rc == CONN_OK)
		out_str(&out, "where", user_place_name(place));
	if (rc == CONN_OK && place != PLACE_DELETED) {
		out_obj_begin(&out, "user");
		tool_print_user(&out, &u);
		print_groups(&out, &s, a->name);
		out_obj_end(&out);
	}
	if (rc == CONN_OK && place != PLACE_LEGACY) {
		out_obj_begin(&out, "store");
		if (place == PLACE_DELETED) {
			out_time(&out, "deleted_at", m.deleted_at, NULL);
		} else {
			out_time(&out, "migrated_at", m.migrated_at, NULL);
			out_time(&out, "updated_at", m.updated_at, NULL);
			out_time(&out, "last_login_at", m.last_login_at, "never");
			out_bool(&out, "imported", m.imported);
		}
		out_obj_end(&out);
	}
	out_obj_end(&out);
	out_end(&out);
	user_clear(&u);
	tool_close_session(c, &s);
	if (rc == CONN_OK && place == PLACE_DELETED)
		return EXIT_NO;
	return tool_exit_of(rc);
}

/* --- modify, verify ------------------------------------------------------- */

static int user_modify(const struct opts *o, const struct uargs *a)
{
	struct config *c;
	struct connector cn;
	struct session s;
	char why[1024];
	int rc;

	if (a->email == NULL && a->ch.set == 0)
		return fail("modify", "nothing to change: give --email EMAIL or a field "
			    "(customdb user modify --help)");
	rc = tool_open_session(o, &c, &cn, &s);
	if (rc != 0)
		return rc;
	/* bad input changes nothing: the fields are checked before the email is
	 * written, and the user found before either is */
	if (a->ch.set != 0 && connector_modify_check(c, &a->ch, why, sizeof(why)) != CONN_OK) {
		rc = fail("modify", why);
		goto out;
	}
	if (a->ch.set != 0) {
		enum user_place place;
		struct user u;

		rc = connector_locate_user(&s, a->name, &u, &place, NULL);
		user_clear(&u);
		if (rc == CONN_OK && place == PLACE_DELETED)
			rc = CONN_NOTFOUND;
		if (rc == CONN_OK && place != PLACE_STORE) {
			/* connector_modify_user says why */
			rc = connector_modify_user(&s, a->name, &a->ch, why, sizeof(why));
			rc = failed("modify", rc, why);
			goto out;
		}
		if (rc != CONN_OK) {
			snprintf(why, sizeof(why), rc == CONN_NOTFOUND ? "no such user: %s" :
				 "looking %s up failed", a->name);
			rc = failed("modify", rc, why);
			goto out;
		}
	}
	rc = a->email != NULL ? connector_change_email(&s, a->name, a->email, why, sizeof(why))
			      : CONN_OK;
	if (rc == CONN_OK && a->ch.set != 0)
		rc = connector_modify_user(&s, a->name, &a->ch, why, sizeof(why));
	if (rc != CONN_OK) {
		rc = failed("modify", rc, why);
		goto out;
	}
	report_change(o, c, "changed", a->name, a->email);
	rc = EXIT_YES;
out:
	tool_close_session(c, &s);
	return rc;
}

static int user_verify(const struct opts *o, const struct uargs *a)
{
	struct config *c;
	struct connector cn;
	struct session s;
	char why[1024];
	int rc;

	rc = tool_open_session(o, &c, &cn, &s);
	if (rc != 0)
		return rc;
	rc = connector_verify_email(&s, a->name, why, sizeof(why));
	if (rc != CONN_OK) {
		rc = failed("verify", rc, why);
		goto out;
	}
	/* email_verified is part of the account step the daemon answers */
	report_change(o, c, "verified", a->name, NULL);
	rc = EXIT_YES;
out:
	tool_close_session(c, &s);
	return rc;
}

/* --- passwd ------------------------------------------------------------- */

static int user_passwd(const struct opts *o, const struct uargs *a)
{
	struct config *c;
	struct connector cn;
	struct session s;
	struct user u;
	enum user_place place;
	char pw[PW_MAX], why[1024];
	int rc;

	rc = tool_open_session(o, &c, &cn, &s);
	if (rc != 0)
		return rc;
	pw[0] = '\0';
	/* before the password is asked for: is there a user, and a way to write? */
	if (connector_query_ready(c, Q_CHANGE_PASSWORD, why, sizeof(why)) != CONN_OK) {
		rc = fail("passwd", why);
		goto out;
	}
	rc = connector_locate_user(&s, a->name, &u, &place, NULL);
	user_clear(&u);
	if (rc == CONN_OK && place == PLACE_DELETED)
		rc = CONN_NOTFOUND;
	if (rc != CONN_OK) {
		snprintf(why, sizeof(why), "%s: %s", a->name, conn_rc_name(rc));
		rc = failed("passwd", rc, why);
		goto out;
	}
	rc = read_new_password("passwd", pw, sizeof(pw));
	if (rc != 0)
		goto out;
	why[0] = '\0';
	rc = connector_change_password(&s, a->name, NULL, pw, 0, false, why, sizeof(why));
	if (rc != CONN_OK) {
		rc = failed("passwd", rc, why);
		goto out;
	}
	report_change(o, c, "changed", a->name, NULL);
	rc = EXIT_YES;
out:
	secret_wipe_array(pw);
	tool_close_session(c, &s);
	return rc;
}

/* --- delete ------------------------------------------------------------- */

/* What a deletion does, in words, for the question and the outcome. */
static const char *delete_effect(const struct config *c, enum user_place place, bool tombstone)
{
	if (c->mode == MODE_LEGACY)
		return "the row goes from the legacy database (the delete query)";
	if (c->mode == MODE_STORE && place == PLACE_DELETED)
		return "the tombstone goes: the name may be given to a new user";
	if (c->mode == MODE_STORE)
		return tombstone ? "the store row goes; a tombstone keeps the name from being "
				   "given to a new user by mistake"
				 : "the store row goes";
	if (place == PLACE_DELETED)
		return "the tombstone goes: the user may migrate again at the next login";
	if (place == PLACE_LEGACY)
		return "a tombstone is written: the user (not migrated yet) is no longer answered "
		       "for and never migrates; the legacy row stays";
	return tombstone ? "the store row goes and a tombstone keeps the user from migrating "
			   "back; the legacy row stays"
			 : "the store row goes; the user migrates again at the next login if "
			   "the legacy database still has them";
}

static int user_delete(const struct opts *o, const struct uargs *a)
{
	struct config *c;
	struct connector cn;
	struct session s;
	struct user u;
	enum user_place place;
	struct out out;
	char why[1024], question[1200];
	bool tombstone = !a->allow_remigrate;
	int rc;

	rc = tool_open_session(o, &c, &cn, &s);
	if (rc != 0)
		return rc;
	if (connector_query_ready(c, Q_DELETE, why, sizeof(why)) != CONN_OK) {
		rc = fail("delete", why);
		goto out;
	}
	/* where the user is, for the question (the delete looks again) */
	rc = connector_locate_user(&s, a->name, &u, &place, NULL);
	user_clear(&u);
	if (rc == CONN_OK && !a->yes && isatty(STDIN_FILENO)) {
		snprintf(question, sizeof(question), "Delete user %s (%s)? %s.", a->name,
			 user_place_name(place), delete_effect(c, place, tombstone));
		if (!confirmed(question)) {
			fprintf(stderr, "customdb: user delete: not confirmed; nothing changed\n");
			rc = EXIT_NO;
			goto out;
		}
	}
	rc = connector_delete_user(&s, a->name, tombstone, why, sizeof(why));
	if (rc != CONN_OK) {
		rc = failed("delete", rc, why);
		goto out;
	}
	out_begin(&out, o->json);
	out_obj_begin(&out, NULL);
	out_str(&out, "result", place == PLACE_DELETED ? "tombstone removed" : "deleted");
	out_str(&out, "username", a->name);
	out_str(&out, "was", user_place_name(place));
	if (c->mode != MODE_LEGACY)
		out_bool(&out, "tombstone", tombstone);
	out_str(&out, "effect", delete_effect(c, place, tombstone));
	flush_daemon(&out, c, a->name);
	out_obj_end(&out);
	out_end(&out);
	rc = EXIT_YES;
out:
	tool_close_session(c, &s);
	return rc;
}

/* --- the command line ------------------------------------------------------- */

/* --expires: YYYY-MM-DD (midnight UTC) or never (0). 0, or -1. */
static int parse_date(const char *v, int64_t *t)
{
	struct tm tm;
	char back[16];
	const char *end;
	time_t tt;

	if (strcmp(v, "never") == 0) {
		*t = 0;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(v, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	tt = timegm(&tm);
	/* no 2026-02-31, and a day after 1970-01-01 (0 means never) */
	if (tt <= 0 || strftime(back, sizeof(back), "%Y-%m-%d", &tm) == 0 || strcmp(back, v) != 0)
		return -1;
	*t = (int64_t)tt;
	return 0;
}

/* Long options of user subcommands, beyond --help. */
enum { L_JSON = 256, L_EMAIL, L_UID, L_REUSE, L_REMIGRATE, L_YES, L_DISABLE, L_ENABLE,
       L_EXPIRES, L_MUST_CHANGE, L_SHELL, L_GECOS, L_HOME, L_GID };

/* Take option c (its value in optarg) into a and given: -1 when taken, or
 * the exit code of a bad value. */
static int user_option(struct opts *o, const struct sub *sub, int c, struct uargs *a,
		       unsigned *given)
{
	switch (c) {
	case L_JSON: o->json = true; return -1;
	case L_EMAIL: a->email = optarg; *given |= OPT_EMAIL; return -1;
	case L_UID:
		if (tool_parse_id(optarg, &a->uid) != 0) {
			fprintf(stderr, "customdb: user %s: --uid: '%s' is not a uid (1 to "
				"4294967294)\n", sub->name, optarg);
			return EXIT_USAGE;
		}
		*given |= OPT_UID;
		return -1;
	case L_REUSE: a->reuse_deleted = true; *given |= OPT_REUSE_DELETED; return -1;
	case L_REMIGRATE: a->allow_remigrate = true; *given |= OPT_ALLOW_REMIGRATE; return -1;
	case 'y':
	case L_YES: a->yes = true; *given |= OPT_YES; return -1;
	case L_DISABLE:
	case L_ENABLE:
		if ((a->ch.set & STORE_SET_DISABLED) && a->ch.disabled != (c == L_DISABLE)) {
			fprintf(stderr, "customdb: user %s: --disable and --enable together\n",
				sub->name);
			return EXIT_USAGE;
		}
		a->ch.disabled = c == L_DISABLE;
		a->ch.set |= STORE_SET_DISABLED;
		*given |= OPT_FIELDS;
		return -1;
	case L_EXPIRES:
		if (parse_date(optarg, &a->ch.expires) != 0) {
			fprintf(stderr, "customdb: user %s: --expires: '%s' is not a date "
				"(YYYY-MM-DD, after 1970-01-01) nor never\n", sub->name, optarg);
			return EXIT_USAGE;
		}
		a->ch.set |= STORE_SET_EXPIRES;
		*given |= OPT_FIELDS;
		return -1;
	case L_MUST_CHANGE:
		a->ch.must_change_password = true;
		a->ch.set |= STORE_SET_MUST_CHANGE;
		*given |= OPT_FIELDS;
		return -1;
	case L_SHELL:
		a->ch.shell = optarg;
		a->ch.set |= STORE_SET_SHELL;
		*given |= OPT_FIELDS;
		return -1;
	case L_GECOS:
		a->ch.gecos = optarg;
		a->ch.set |= STORE_SET_GECOS;
		*given |= OPT_FIELDS;
		return -1;
	case L_HOME:
		a->ch.home = optarg;
		a->ch.set |= STORE_SET_HOME;
		*given |= OPT_FIELDS;
		return -1;
	case L_GID:
		if (tool_parse_id(optarg, &a->ch.gid) != 0) {
			fprintf(stderr, "customdb: user %s: --gid: '%s' is not a gid (1 to "
				"4294967294)\n", sub->name, optarg);
			return EXIT_USAGE;
		}
		a->ch.set |= STORE_SET_GID;
		*given |= OPT_FIELDS;
		return -1;
	}
	fprintf(stderr, "customdb: user %s: an option it does not take\n", sub->name);
	return EXIT_USAGE;
}

int cmd_user(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, L_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "email", required_argument, NULL, L_EMAIL },
		{ "uid", required_argument, NULL, L_UID },
		{ "reuse-deleted", no_argument, NULL, L_REUSE },
		{ "allow-remigrate", no_argument, NULL, L_REMIGRATE },
		{ "yes", no_argument, NULL, L_YES },
		{ "disable", no_argument, NULL, L_DISABLE },
		{ "enable", no_argument, NULL, L_ENABLE },
		{ "expires", required_argument, NULL, L_EXPIRES },
		{ "must-change-password", no_argument, NULL, L_MUST_CHANGE },
		{ "shell", required_argument, NULL, L_SHELL },
		{ "gecos", required_argument, NULL, L_GECOS },
		{ "home", required_argument, NULL, L_HOME },
		{ "gid", required_argument, NULL, L_GID },
		{ NULL, 0, NULL, 0 },
	};
	struct uargs a = { 0 };
	const struct sub *sub = NULL;
	unsigned given = 0;
	char why[512];
	size_t i;
	int c, rc;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_YES;
	}
	for (i = 0; i < NSUBS; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			sub = &subs[i];
	if (sub == NULL) {
		fprintf(stderr, "customdb: user: unknown command '%s' (customdb user --help)\n",
			argv[1]);
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	optind = 0;   /* glibc: start afresh (main's getopt ran before) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hy", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf("Usage: customdb [-c FILE] %s", sub->usage);
			return EXIT_YES;
		case '?':
		case ':':
			fprintf(stderr, "customdb: user %s: unknown option or missing value: %s\n"
				"Usage: customdb [-c FILE] %s", sub->name, argv[optind - 1],
				sub->usage);
			return EXIT_USAGE;
		default:
			rc = user_option(o, sub, c, &a, &given);
			if (rc >= 0)
				return rc;
			break;
		}
	}
	if (given & ~sub->opts) {
		fprintf(stderr, "customdb: user %s: an option it does not take\nUsage: customdb "
			"[-c FILE] %s", sub->name, sub->usage);
		return EXIT_USAGE;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "customdb: user %s: one user NAME expected\nUsage: customdb "
			"[-c FILE] %s", sub->name, sub->usage);
		return EXIT_USAGE;
	}
	a.name = argv[optind];
	if (connector_check_name(a.name, why, sizeof(why)) != CONN_OK)
		return fail(sub->name, why);
	return sub->fn(o, &a);
}
