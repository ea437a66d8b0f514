/* cmd_try.c: customdb try login|get-user: a login or a look-up as the daemon
 * would do it, changing nothing unless asked. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "connector.h"
#include "output.h"
#include "secret.h"
#include "tool.h"

void try_usage(FILE *f)
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
int cmd_try_login(const struct opts *o, const struct tool_call *a)
{
	const char *name = a->args[0];
	bool commit = a->commit;
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

int cmd_try_get_user(const struct opts *o, const struct tool_call *a)
{
	const char *key = a->args[0];
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
