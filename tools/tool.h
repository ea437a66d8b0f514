/* tool.h: what the subcommands of customdb(8) share.
 *
 * customdb runs the connector directly (no daemon needed), so what it shows
 * is what the daemon would do; only `cache flush` and `status` talk to the
 * running daemon. commands.c lists the commands; main (customdb.c) runs
 * them. One file per command group: cmd_check.c, cmd_try.c, cmd_hash.c,
 * cmd_user.c, cmd_group.c, cmd_migrate.c, cmd_daemon.c (cache, status).
 *
 * Exit status (DESIGN.md): 0 done / yes, 1 no (wrong password, no such user,
 * check found problems), 2 usage or config error, 3 unavailable (database or
 * daemon unreachable). */
#ifndef CUSTOMDB_TOOL_H
#define CUSTOMDB_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "connector.h"
#include "output.h"

#define EXIT_YES 0
#define EXIT_NO 1
#define EXIT_USAGE 2
#define EXIT_UNAVAIL 3

struct opts {
	const char *config;
	bool explicit_config;  /* -c given */
	bool json;
	bool debug;
};

/* The exit status for an enum conn_rc. */
int tool_exit_of(int conn_rc);

/* A uid or gid as given on the command line: digits only, 1 to 2^32 - 2.
 * 0, or -1. */
int tool_parse_id(const char *v, uint32_t *id);

/* Read a password: from the terminal without echo (prompt on stderr), or one
 * line of standard input when that is not a terminal. 0, or -1 (nothing). */
int tool_read_password(const char *prompt, char *buf, size_t len);

/* Load the config and open a session of the connector over it, as the
 * daemon would. 0, or the exit status to give up with (the reason printed). */
int tool_open_session(const struct opts *o, struct config **c, struct connector *cn,
		      struct session *s);
void tool_close_session(struct config *c, struct session *s);

/* The fields of a user, as `try` and `user show` print them. */
void tool_print_user(struct out *out, const struct user *u);

/* Drop name's entries (every entry for NULL) from the host cache of the
 * daemon answering at c->socket_path (CDB_OP_CACHE_FLUSH, root only), after
 * a change it must not keep serving. Quiet: the number of entries dropped,
 * or -1 when no daemon runs there or it refused. (cmd_daemon.c) */
int tool_daemon_flush(const struct config *c, const char *name);

/* Command groups. argv[0] is the group's name ("user"); each parses its own
 * arguments and options (--json and --help included; --help prints its usage
 * on stdout and exits 0) and returns an exit status. */
int cmd_user(struct opts *o, int argc, char **argv);
int cmd_group(struct opts *o, int argc, char **argv);
int cmd_migrate(struct opts *o, int argc, char **argv);

struct store;
struct store_stats;
/* migrate status in migrate mode: whether mode = store is safe yet (users
 * and groups the legacy database holds that st does not; imported users not
 * logged in), as an object "switch_to_store" of out. True when safe.
 * (cmd_migrate_ready.c) */
bool migrate_switch_report(struct session *s, struct store *st, const struct store_stats *stats,
			   struct out *out);
int cmd_cache(struct opts *o, int argc, char **argv);
int cmd_status(struct opts *o, int argc, char **argv);

/* A command line of check, try or hash, as main picked it apart: these take
 * --json, --salt SALT, --commit and --help anywhere on the line. */
struct tool_call {
	char **args;       /* the arguments after the command and subcommand */
	const char *salt;  /* --salt */
	bool commit;       /* --commit */
};

int cmd_check(const struct opts *o, const struct tool_call *a);
int cmd_try_login(const struct opts *o, const struct tool_call *a);
int cmd_try_get_user(const struct opts *o, const struct tool_call *a);
int cmd_hash_identify(const struct opts *o, const struct tool_call *a);
int cmd_hash_verify(const struct opts *o, const struct tool_call *a);
/* customdb try --help */
void try_usage(FILE *f);

/* One command of the tool (commands.c). Either run, called with exactly
 * nargs arguments after the name (and sub), or own, which parses the whole
 * line itself (argv[0] is the name). sub and args are also what the listing
 * shows; help is its text, lines split by '\n'. */
struct tool_command {
	const char *name;
	const char *sub;    /* NULL: none; of an `own` command, only listed */
	const char *args;   /* as listed; NULL: none */
	size_t nargs;
	int (*run)(const struct opts *o, const struct tool_call *a);
	int (*own)(struct opts *o, int argc, char **argv);
	void (*usage)(FILE *f);  /* COMMAND --help of a `run` one; NULL: tool_usage */
	const char *help;
};

extern const struct tool_command tool_commands[];
extern const size_t tool_ncommands;

/* customdb --help: the usage, with every command of tool_commands. */
void tool_usage(FILE *f);
/* The first command called name, or NULL. */
const struct tool_command *tool_command_named(const char *name);
/* The `run` command that argv (name, sub, then exactly its nargs arguments)
 * calls, or NULL. */
const struct tool_command *tool_command_of(int argc, char **argv);

#endif
