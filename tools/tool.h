/* tool.h: what the subcommands of customdb(8) share.
 *
 * customdb runs the connector directly (no daemon needed), so what it shows
 * is what the daemon would do; only `cache flush` and `status` talk to the
 * running daemon. One file per command group: customdb.c (check, try, hash,
 * and main), cmd_user.c, cmd_migrate.c, cmd_daemon.c (cache, status).
 *
 * Exit status (DESIGN.md): 0 done / yes, 1 no (wrong password, no such user,
 * check found problems), 2 usage or config error, 3 unavailable (database or
 * daemon unreachable). */
#ifndef CUSTOMDB_TOOL_H
#define CUSTOMDB_TOOL_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
