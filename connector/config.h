/* config.h: the one config file (INI, DESIGN.md), parsed with libinih.
 *
 * Whole-line comments only (`#` or `;` first): SQL may hold either character.
 * A value continues on following indented lines; they are joined with '\n'.
 * Unknown sections and keys are errors, so a typo never passes silently. */
#ifndef CUSTOMDB_CONFIG_H
#define CUSTOMDB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "hash.h"
#include "query.h"

#ifndef CUSTOMDB_DEFAULT_CONFIG
#define CUSTOMDB_DEFAULT_CONFIG "/etc/customdb/customdb.conf"
#endif
#ifndef CUSTOMDB_DEFAULT_SOCKET
#define CUSTOMDB_DEFAULT_SOCKET "/run/customdb/socket"
#endif
#ifndef CUSTOMDB_DEFAULT_STATE_DIR
#define CUSTOMDB_DEFAULT_STATE_DIR "/var/lib/customdb"
#endif

enum cdb_mode { MODE_LEGACY, MODE_MIGRATE, MODE_STORE };

/* "legacy", "migrate", "store". */
const char *config_mode_name(enum cdb_mode m);

/* The queries the administrator may configure, by config key. */
enum query_id {
	Q_LOGIN,
	Q_GET_USER,
	Q_GET_USER_BY_UID,
	Q_GET_GROUP,
	Q_GET_GROUP_BY_GID,
	Q_USER_GROUPS,
	Q_LIST_USERS,
	Q_COUNT_USERS,
	Q_LIST_GROUPS,
	Q_CREATE,
	Q_VERIFY,
	Q_CHANGE_PASSWORD,
	Q_DELETE,
	Q_CHANGE_EMAIL,
	Q_COUNT_
};

/* Config key of a query ("get_user_by_uid"). */
const char *query_id_name(enum query_id id);

struct config {
	char *path;

	/* [customdb] */
	enum cdb_mode mode;
	uid_t min_uid, max_uid;
	char *default_shell;
	char *home;            /* template: %u user name, %U uid, %% percent */
	gid_t default_gid;
	gid_t *allowed_gids;   /* more gids a row may give (allowed_gids) */
	size_t nallowed_gids;
	int cache_ttl, negative_ttl;
	bool require_verified;
	char *socket_path;
	char *state_dir;
	int workers;           /* size of the daemon's request pool */
	bool enumerate;        /* getpwent/getgrent list users and groups */
	long enumerate_limit;  /* at most this many of each */
	struct hash_limits hash_limits; /* hash_max_*: ceilings on stored hashes */
	long cache_max_entries;    /* answers the daemon keeps (and writes out) */
	long negative_max_entries; /* "no such" answers it keeps in memory */

	/* [legacy] */
	char *driver;
	char *connection;
	char *password_file;
	char *password;        /* read from password_file; wiped on free */
	char *ca_file;         /* http: CA certificates of the service's TLS */
	int connect_timeout, query_timeout;
	char *password_scheme;       /* write scheme (a hash family name); default bcrypt */
	unsigned long password_cost; /* its cost; 0: the scheme's default */
	bool rehash_on_login;
	char *password_scheme_read;  /* by-name-only schemes, comma-separated */
	bool allow_empty_password;   /* the legacy application accepted "" */
	char *space_in_names;        /* what a space in the database's names is in
				      * Linux names ("_"), or NULL: session_query */
	bool fold_case;              /* case_sensitive = false: names to lower case */
	unsigned long uid_offset;    /* uid = uid_offset + the database's id */
	unsigned long gid_offset;    /* gid = gid_offset + the database's id */
	char *run_as;                /* exec: the user action scripts run as */
	long max_output;             /* exec: bytes an action script may print */

	/* [store] (migrate mode): driver "sqlite" (path; default
	 * state_dir/store.db) or "postgresql" (connection, a libpq string). The
	 * timeouts default to [legacy]'s; password_cost is the argon2id ops
	 * limit of re-hashed passwords, 0 for libsodium's interactive level. */
	char *store_driver, *store_path, *store_connection;
	int store_connect_timeout, store_query_timeout;
	int store_refresh;              /* seconds between looks for changes; 0: never */
	unsigned long store_password_cost;

	/* [queries]: q[i].sql == NULL when not configured */
	struct query q[Q_COUNT_];
	int q_line[Q_COUNT_];  /* line of each query's key, for messages */
};

/* Parse the file at path into a new config. On failure returns NULL and puts
 * one message into err naming the file, the line and the key. When
 * check_perms is true the file, its directory and any password file are
 * checked as DESIGN.md requires (owned by root, not writable by others, not
 * readable by others when they hold a secret). */
struct config *config_load(const char *path, bool check_perms, char *err, size_t errlen);

/* Parse config text held in memory (no permission checks, no password file);
 * `name` stands for the file in messages. For tests and fuzzing. */
struct config *config_parse_string(const char *text, const char *name, char *err, size_t errlen);

/* The i-th key the file may hold (from 0): its section ("customdb",
 * "legacy", "store", "queries"), name and one line of help, all static.
 * false when i is past the last. For checks of the list against the man page. */
bool config_key_at(size_t i, const char **section, const char **name, const char **help);

/* Free a config, wiping the password. NULL is fine. */
void config_free(struct config *c);

/* Expand the home template for a user into dst. 0, or -1 if it does not fit. */
int config_expand_home(const struct config *c, const char *user, unsigned long uid,
		       char *dst, size_t dstlen);

#endif
