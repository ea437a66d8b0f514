/* exec_spawn.h: run one action script for the exec driver, bounded.
 *
 * The script runs without a shell, as an unprivileged user (its uid, gid and
 * supplementary groups, resolved by the caller beforehand: nothing in the
 * child between fork and exec may take a lock or ask NSS), in a session and
 * process group of its own, with a clean environment, only fds 0, 1 and 2,
 * no new privileges, no core files and resource limits. Its stdin gets the
 * request and is then closed; stdout and stderr are read at once, each up to
 * a cap. When the deadline passes, or stdout grows past its cap, the whole
 * process group is killed; when the script itself exits, whatever it left
 * behind in its process group is killed too. The script is always reaped:
 * exec_run() leaves no zombie and no fd behind. */
#ifndef CUSTOMDB_EXEC_SPAWN_H
#define CUSTOMDB_EXEC_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct exec_user {
	uid_t uid;            /* never 0: exec_run refuses it */
	gid_t gid;
	gid_t *groups;        /* supplementary groups */
	size_t ngroups;
	char *home;           /* HOME in the script's environment */
	char *name;           /* USER and LOGNAME */
};

struct exec_limits {
	int timeout_ms;       /* wall clock, from fork to the last byte */
	size_t max_out;       /* stdout beyond this: killed, out_over set */
	size_t max_err;       /* stderr beyond this: kept reading, dropped */
	unsigned long max_as; /* RLIMIT_AS, bytes */
	unsigned long max_nproc;  /* RLIMIT_NPROC (counts all of uid's processes) */
	unsigned long max_nofile; /* RLIMIT_NOFILE */
	unsigned long max_fsize;  /* RLIMIT_FSIZE, bytes */
	/* a Landlock domain of its own (exec_landlock_available()): scripts of
	 * one uid then cannot ptrace each other or read each other's
	 * /proc/PID/mem, environ or maps -- one action's script cannot read the
	 * password another holds */
	bool landlock;
};

struct exec_result {
	int status;           /* exit status 0..255, or -1 when killed by a signal */
	int signal;           /* the signal that ended it, or 0 */
	bool timed_out;       /* killed at the deadline */
	bool out_over;        /* killed: stdout passed max_out */
	bool err_over;        /* stderr passed max_err (the rest dropped) */
	char *out;            /* stdout, NUL-terminated (wiped and freed by
			       * exec_result_clear: it may hold hashes) */
	size_t outlen;
	size_t outroom;       /* bytes out holds (all of them are wiped) */
	char *err;            /* stderr, NUL-terminated, at most max_err bytes */
	size_t errlen;
};

/* Run argv[0] (an absolute path) with argv as its arguments as user u,
 * within l, with in[0..inlen) on its stdin. 0 when the script ran (whatever
 * its status: see res); -2 with a message in err when execve() refused the
 * script (no such file, not executable: a config error); -1 when it could
 * not be started for another reason (uid 0, out of resources). res is
 * filled in either case and must be cleared with exec_result_clear(). */
int exec_run(char *const argv[], const struct exec_user *u, const struct exec_limits *l,
	     const char *in, size_t inlen, struct exec_result *res, char *err, size_t errlen);

/* Does the kernel let an unprivileged process make a Landlock domain? */
bool exec_landlock_available(void);

/* Wipe and free what exec_run put into res. */
void exec_result_clear(struct exec_result *res);

/* Resolve user name (or a number) into u: uid, gid, supplementary groups,
 * home. 0, or -1 with err (unknown user, root). u is freed with
 * exec_user_clear(). Not for the child side: it asks NSS. */
int exec_user_lookup(const char *name, struct exec_user *u, char *err, size_t errlen);
void exec_user_clear(struct exec_user *u);

#endif
