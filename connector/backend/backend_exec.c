/* backend_exec.c: driver = exec, action scripts (customdb.conf(5), "ACTION
 * SCRIPTS").
 *
 * Each query is a command line: an executable's absolute path and fixed
 * arguments, split on white space, never given to a shell. Its :parameter
 * words are not arguments: they name the values that go, as one JSON object
 * with "action" (the query's name), on the script's stdin
 * (json_params_object); :password only ever to login and change_password.
 * The answer is JSON on stdout (json_row.h). The exit status says: 0 found /
 * right / done, 1 not found, or (a login given :password that printed the
 * user) wrong password; anything else (and a timeout, a signal, output that
 * is not JSON or too big) unavailable. exec_spawn.h runs the script. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backend.h"
#include "exec_spawn.h"
#include "json_row.h"
#include "log.h"

#define EXEC_MAX_ARGS 32
/* stderr kept per run: it is logged, escaped, and may come every request */
#define EXEC_MAX_STDERR 2048

struct backend {
	struct exec_user user;
	struct exec_limits lim;
};

static bool landlock_warned;

static struct backend *ex_open(const struct backend_params *p, char *err, size_t errlen)
{
	struct backend *b;

	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		snprintf(err, errlen, "exec: out of memory");
		return NULL;
	}
	/* resolved here, in the parent: the child may not ask NSS */
	if (p->run_as == NULL || exec_user_lookup(p->run_as, &b->user, err, errlen) != 0) {
		if (p->run_as == NULL)
			snprintf(err, errlen, "exec: [legacy] run_as is not set");
		free(b);
		return NULL;
	}
	b->lim = (struct exec_limits){
		.timeout_ms = p->query_timeout * 1000,
		.max_out = p->max_output > 0 ? (size_t)p->max_output : 1u << 20,
		.max_err = EXEC_MAX_STDERR,
		.max_as = 1UL << 30,
		.max_nproc = 64,
		.max_nofile = 256,
		.max_fsize = 64UL << 20,
		.landlock = exec_landlock_available(),
	};
	/* once: a backend is opened per worker, and again after each failure */
	if (!b->lim.landlock && !__atomic_exchange_n(&landlock_warned, true, __ATOMIC_RELAXED))
		log_msg(LOG_WARNING, "exec: this kernel gives no Landlock (or it is filtered out): "
			"action scripts run as %s can read each other's memory, and so a password "
			"a login script holds", p->run_as);
	return b;
}

static void ex_close(struct backend *b)
{
	if (b == NULL)
		return;
	exec_user_clear(&b->user);
	free(b);
}

/* Does action q get the password as typed? login (to check it) and
 * change_password (the new one); never another, create included. */
static bool gets_password(const struct query *q)
{
	return strcmp(q->name, "login") == 0 || strcmp(q->name, "change_password") == 0;
}

/* Does word w hold a :parameter inside it (--user=:username)? */
static bool holds_param(const char *w)
{
	char name[32];
	int p;

	for (p = 0; p < QP_COUNT_; p++) {
		snprintf(name, sizeof(name), ":%s", query_param_name((enum query_param)p));
		if (strstr(w, name) != NULL)
			return true;
	}
	return false;
}

/* Split q's command line into argv (pointers into the copy *buf, which the
 * caller frees): its words, less the :parameter words, which name what goes
 * into the request instead. 0, or -1 with err. */
static int split_command(const struct query *q, char **buf, char **argv, char *err, size_t errlen)
{
	char *save = NULL, *w;
	size_t n = 0, nparams = 0;

	*buf = strdup(q->sql);
	if (*buf == NULL) {
		snprintf(err, errlen, "exec: out of memory");
		return -1;
	}
	for (w = strtok_r(*buf, " \t\n", &save); w != NULL; w = strtok_r(NULL, " \t\n", &save)) {
		if (w[0] == ':') {
			nparams++;
			continue;
		}
		if (holds_param(w)) {
			snprintf(err, errlen, "exec: query %s: a parameter must be a word of its own, "
				 "not part of an argument ('%s')", q->name, w);
			return -1;
		}
		if (n == EXEC_MAX_ARGS) {
			snprintf(err, errlen, "exec: query %s: more than %d words", q->name,
				 EXEC_MAX_ARGS);
			return -1;
		}
		argv[n++] = w;
	}
	argv[n] = NULL;
	if (nparams != q->nparams) {
		snprintf(err, errlen, "exec: query %s: a parameter must be a word of its own, "
			 "not part of an argument", q->name);
		return -1;
	}
	if (n == 0 || argv[0][0] != '/') {
		snprintf(err, errlen, "exec: query %s: '%s' is not an absolute path to an "
			 "executable", q->name, n == 0 ? "" : argv[0]);
		return -1;
	}
	return 0;
}

/* A script that someone other than root could change would see the
 * passwords logins send: the file and its directory must be root's and
 * writable by no one else. 0, or -1 with err. */
static int script_trusted(const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	const char *what[2];
	struct stat st;
	int i;

	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	what[0] = path;
	what[1] = dir;
	for (i = 0; i < 2; i++) {
		/* a missing one is execve's to report */
		if (stat(what[i], &st) != 0)
			continue;
		if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
			snprintf(err, errlen, "exec: %s must be owned by root and writable by no "
				 "one else (owner uid %lu, mode %03o)", what[i],
				 (unsigned long)st.st_uid, (unsigned)(st.st_mode & 0777));
			return -1;
		}
	}
	return 0;
}

/* Log what the script wrote on stderr: one line, the request's secrets
 * replaced. */
static void log_stderr(const struct query *q, const struct exec_result *res,
		       const char *const *values)
{
	const char *secrets[QUERY_MAX_PARAMS];
	char line[EXEC_MAX_STDERR + 64];
	size_t i, n = 0;

	if (res->errlen == 0)
		return;
	for (i = 0; i < q->nparams; i++)
		if (q->params[i] == QP_PASSWORD || q->params[i] == QP_PASSWORD_HASH)
			secrets[n++] = values[i];
	backend_set_err(line, sizeof(line), "", res->err, 0, secrets, n);
	log_msg(LOG_WARNING, "exec: query %s: the script's stderr%s: %s", q->name,
		res->err_over ? " (cut)" : "", line);
}

/* The answer of a script that ran and exited 0 or 1 (res), into *out. */
static int read_answer(struct backend *b, const char *script, const struct exec_result *res,
		       bool with_pw, bool login, struct result **out, char *err, size_t errlen)
{
	char why[256];
	int jr;

	/* not found: what it printed does not matter, unless a login with the
	 * password printed the user: then the password is wrong */
	if (res->status == 1 && !(login && with_pw && res->outlen > 0)) {
		*out = json_rows_none();
		if (*out == NULL) {
			snprintf(err, errlen, "exec: out of memory");
			return BACKEND_ERROR;
		}
		(*out)->affected = 0;
		return BACKEND_OK;
	}
	if (res->outlen == 0) {
		*out = json_rows_none();
	} else if ((jr = json_rows_parse(res->out, res->outlen, b->lim.max_out, out, why,
				       sizeof(why))) != JSON_ROW_OK) {
		snprintf(err, errlen, "exec: %s: its answer is not usable: %s", script, why);
		return BACKEND_UNAVAILABLE;
	}
	if (*out == NULL) {
		snprintf(err, errlen, "exec: out of memory");
		return BACKEND_ERROR;
	}
	/* exit 0 says done for the writing actions */
	(*out)->affected = res->status == 0 ? 1 : 0;
	if (res->status == 1 && (*out)->nrows > 0) {
		result_free(*out);
		*out = NULL;
		snprintf(err, errlen, "exec: %s: the password is wrong", script);
		return BACKEND_DENIED;
	}
	return BACKEND_OK;
}

static int ex_query(struct backend *b, const struct query *q, const char *const *params,
		    struct result **out, char *err, size_t errlen)
{
	char *argv[EXEC_MAX_ARGS + 1], *cmd = NULL, *req = NULL;
	const char *values[QUERY_MAX_PARAMS];
	struct exec_result res = { 0 };
	bool with_pw = false;
	size_t i;
	int rc = BACKEND_ERROR;

	*out = NULL;
	if (split_command(q, &cmd, argv, err, errlen) != 0 ||
	    script_trusted(argv[0], err, errlen) != 0)
		goto out;
	for (i = 0; i < q->nparams; i++) {
		values[i] = params[i];
		if (q->params[i] != QP_PASSWORD || values[i] == NULL)
			continue;
		if (gets_password(q))
			with_pw = true;
		else
			values[i] = NULL;
	}
	req = json_params_object(q, values, q->name);
	if (req == NULL) {
		snprintf(err, errlen, "exec: query %s: cannot build the request (out of memory, "
			 "or a value that is not UTF-8)", q->name);
		goto out;
	}
	rc = exec_run(argv, &b->user, &b->lim, req, strlen(req), &res, err, errlen);
	if (rc != 0) {
		/* a script that cannot be executed is the config's fault */
		rc = rc == -2 ? BACKEND_ERROR : BACKEND_UNAVAILABLE;
		goto out;
	}
	log_stderr(q, &res, values);
	rc = BACKEND_UNAVAILABLE;
	if (res.timed_out)
		snprintf(err, errlen, "exec: %s: no answer within query_timeout (%d s); killed",
			 argv[0], b->lim.timeout_ms / 1000);
	else if (res.out_over)
		snprintf(err, errlen, "exec: %s: printed more than max_output (%zu bytes); killed",
			 argv[0], b->lim.max_out);
	else if (res.signal != 0)
		snprintf(err, errlen, "exec: %s: killed by signal %d", argv[0], res.signal);
	else if (res.status != 0 && res.status != 1)
		snprintf(err, errlen, "exec: %s: exit status %d (0 found, 1 not found; anything "
			 "else is an error)", argv[0], res.status);
	else
		rc = read_answer(b, argv[0], &res, with_pw, strcmp(q->name, "login") == 0, out,
				 err, errlen);
out:
	exec_result_clear(&res);
	if (req != NULL) {
		explicit_bzero(req, strlen(req));
		free(req);
	}
	free(cmd);
	return rc;
}

const struct backend_ops backend_exec_ops = {
	.driver = "exec",
	.open = ex_open,
	.query = ex_query,
	.close = ex_close,
};
