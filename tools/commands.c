/* commands.c: every command of customdb(8) in one table, which main
 * dispatches by and `customdb --help` lists, so that no command is run
 * without being listed nor listed without being run. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "tool.h"

const struct tool_command tool_commands[] = {
	{ "check", NULL, NULL, 0, cmd_check, NULL, NULL,
	  "parse the config, connect, run every read query with\n"
	  "a probe value and report missing or unknown columns" },
	{ "try", "login", "USER [--commit]", 1, cmd_try_login, NULL, try_usage,
	  "ask for USER's password and log in as the daemon would;\n"
	  "writes nothing unless --commit (customdb try --help)" },
	{ "try", "get-user", "USER|UID", 1, cmd_try_get_user, NULL, try_usage,
	  "look a user up as getent/id would, and show the record" },
	{ "hash", "identify", "STRING", 1, cmd_hash_identify, NULL, NULL,
	  "name a stored hash's format and parameters, and say\n"
	  "whether customdb can verify and write it" },
	{ "hash", "verify", "STRING [--salt SALT]", 1, cmd_hash_verify, NULL, NULL,
	  "ask for a password and say whether it matches" },
	{ "user", "add|show|modify|passwd|verify|delete", "...", 0, NULL, cmd_user, NULL,
	  "manage one user (customdb user --help); modify sets\n"
	  "--disable/--enable, --expires, --must-change-password,\n"
	  "--shell, --gecos, --home, --gid" },
	{ "group", "add|delete|show|add-member|remove-member", "...", 0, NULL, cmd_group, NULL,
	  "manage the store's groups (customdb group --help)" },
	{ "migrate", "status|import", "...", 0, NULL, cmd_migrate, NULL,
	  "how far the migration has come; bulk import" },
	{ "cache", "show|flush", "...", 0, NULL, cmd_cache, NULL,
	  "what the host cache holds for a user; drop entries" },
	{ "status", NULL, NULL, 0, NULL, cmd_status, NULL,
	  "ask the running daemon how it is doing (root)" },
};

const size_t tool_ncommands = sizeof(tool_commands) / sizeof(tool_commands[0]);

/* The listing's columns: a synopsis up to SYNOPSIS_WIDTH shares its line
 * with the help, a longer one has a line of its own. */
#define SYNOPSIS_WIDTH 21
#define HELP_COLUMN 24

static void list_command(FILE *f, const struct tool_command *t)
{
	char synopsis[128];
	const char *h, *nl;

	snprintf(synopsis, sizeof(synopsis), "%s%s%s%s%s", t->name, t->sub != NULL ? " " : "",
		 t->sub != NULL ? t->sub : "", t->args != NULL ? " " : "",
		 t->args != NULL ? t->args : "");
	if (strlen(synopsis) <= SYNOPSIS_WIDTH)
		fprintf(f, "  %-*s ", SYNOPSIS_WIDTH, synopsis);
	else
		fprintf(f, "  %s\n%*s", synopsis, HELP_COLUMN, "");
	for (h = t->help; (nl = strchr(h, '\n')) != NULL; h = nl + 1)
		fprintf(f, "%.*s\n%*s", (int)(nl - h), h, HELP_COLUMN, "");
	fprintf(f, "%s\n", h);
}

void tool_usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: customdb [-c FILE] [--json] [-d] COMMAND ...\n"
		"The administrator's tool of customdb: check the config, try logins and\n"
		"look-ups, manage users, follow the migration, and ask the daemon.\n\n"
		"Commands:\n");
	for (i = 0; i < tool_ncommands; i++)
		list_command(f, &tool_commands[i]);
	fprintf(f,
		"\nOptions:\n"
		"  -c, --config FILE  config file (default %s)\n"
		"      --json         machine-readable output\n"
		"  -d, --debug        log what the connector does to stderr\n"
		"  -h, --help         show this help (COMMAND --help: that command's)\n\n"
		"Exit status: 0 yes/done, 1 no (wrong password, no such user, problems found),\n"
		"2 usage or config error, 3 database or daemon unreachable.\n",
		CUSTOMDB_DEFAULT_CONFIG);
}

const struct tool_command *tool_command_named(const char *name)
{
	size_t i;

	for (i = 0; i < tool_ncommands; i++)
		if (strcmp(tool_commands[i].name, name) == 0)
			return &tool_commands[i];
	return NULL;
}

const struct tool_command *tool_command_of(int argc, char **argv)
{
	const struct tool_command *t;
	size_t i;

	for (i = 0; i < tool_ncommands; i++) {
		t = &tool_commands[i];
		if (t->run == NULL || argc < 1 || strcmp(argv[0], t->name) != 0)
			continue;
		if (t->sub == NULL && (size_t)argc == 1 + t->nargs)
			return t;
		if (t->sub != NULL && argc >= 2 && strcmp(argv[1], t->sub) == 0 &&
		    (size_t)argc == 2 + t->nargs)
			return t;
	}
	return NULL;
}
