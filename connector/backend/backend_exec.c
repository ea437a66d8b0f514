/* backend_exec.c: driver = exec, action scripts (customdb.conf(5), "ACTION
 * SCRIPTS").
 *
 * Each query is a command line: an executable's absolute path and fixed
 * arguments, split on white space, never given to a shell. The request goes
 * as one JSON object on the script's stdin: "action" (the query's name) and
 * the named values the connector has for it, as strings; "password" only for
 * login and change_password. The answer is JSON on stdout (json_row.h). The
 * exit status says: 0 found / right / done, 1 not found / wrong password,
 * anything else (and a timeout, a signal, output that is not JSON or too
 * big) unavailable. exec_spawn.h runs the script, bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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
	if (!b->lim.landlock)
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

/* Does action `name` get the password as typed? */
static int gets_password(const struct query *q)
{
	return strcmp(q->name, "login") == 0 || strcmp(q->name, "change_password") == 0;
}

/* Split q's command line into argv (pointers into the copy *buf, which the
 * caller frees). 0, or -1 with err. */
static int split_command(const struct query *q, char **buf, char **argv, char *err, size_t errlen)
{
	char *save = NULL, *w;
	size_t n = 0;

	if (q->nparams > 0) {
		snprintf(err, errlen, "exec: query %s: named parameters such as :%s go to the script "
			 "on its stdin, not on its command line", q->name,
			 query_param_name(q->params[0]));
		return -1;
	}
	*buf = strdup(q->sql);
	if (*buf == NULL) {
		snprintf(err, errlen, "exec: out of memory");
		return -1;
	}
	for (w = strtok_r(*buf, " \t\n", &save); w != NULL; w = strtok_r(NULL, " \t\n", &save)) {
		if (n == EXEC_MAX_ARGS) {
			snprintf(err, errlen, "exec: query %s: more than %d words", q->name,
				 EXEC_MAX_ARGS);
			return -1;
		}
		argv[n++] = w;
	}
	argv[n] = NULL;
	if (n == 0 || argv[0][0] != '/') {
		snprintf(err, errlen, "exec: query %s: '%s' is not an absolute path to an "
			 "executable", q->name, n == 0 ? "" : argv[0]);
		return -1;
	}
	return 0;
}

/* The request: json_params_object() of the values a holds, and the
 * password where the action gets it. malloc'd, for the caller to wipe and
 * free; NULL on ENOMEM or a value that is not UTF-8. */
static char *build_request(const struct query *q, const struct query_args *a, int with_pw)
{
	const char *values[QP_COUNT_];
	struct query t = { .name = q->name };
	char *obj, *pw = NULL, *req = NULL;
	json_t *js;
	size_t i, olen, plen;

	for (i = 0; i < QP_COUNT_; i++) {
		if (a->v[i] == NULL)
			continue;
		t.params[t.nparams] = (enum query_param)i;
		values[t.nparams++] = a->v[i];
	}
	obj = json_params_object(&t, values, q->name);
	if (obj == NULL || !with_pw || a->password == NULL)
		return obj;
	/* "...}" + ,"password":"..." + "}" */
	js = json_string(a->password);
	if (js != NULL)
		pw = json_dumps(js, JSON_ENCODE_ANY);
	json_decref(js);  /* json_row's free() wipes */
	olen = strlen(obj);
	if (pw != NULL && olen >= 2 && obj[olen - 1] == '}') {
		plen = strlen(pw);
		req = malloc(olen + plen + sizeof(",\"password\":"));
		if (req != NULL)
			snprintf(req, olen + plen + sizeof(",\"password\":"), "%.*s%s\"password\":%s}",
				 (int)(olen - 1), obj, olen > 2 ? "," : "", pw);
	}
	if (pw != NULL)
		explicit_bzero(pw, strlen(pw));
	free(pw);
	explicit_bzero(obj, olen);
	free(obj);
	return req;
}

/* Log what the script wrote on stderr: one line, its secrets replaced. */
static void log_stderr(const struct query *q, const struct exec_result *res,
		       const struct query_args *a)
{
	const char *secrets[2] = { a->password, a->v[QP_PASSWORD_HASH] };
	char line[EXEC_MAX_STDERR + 64];

	if (res->errlen == 0)
		return;
	backend_set_err(line, sizeof(line), "", res->err, 0, secrets, 2);
	log_msg(LOG_WARNING, "exec: query %s: the script's stderr%s: %s", q->name,
		res->err_over ? " (cut)" : "", line);
}

static int ex_query_named(struct backend *b, const struct query *q, const struct query_args *a,
			  struct result **out, char *err, size_t errlen)
{
	char *argv[EXEC_MAX_ARGS + 1], *cmd = NULL, *req = NULL;
	struct exec_result res = { 0 };
	int with_pw = gets_password(q) && a->password != NULL;
	int rc = BACKEND_ERROR, jr;

	*out = NULL;
	if (split_command(q, &cmd, argv, err, errlen) != 0)
		goto out;
	req = build_request(q, a, with_pw);
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
	rc = BACKEND_UNAVAILABLE;
	log_stderr(q, &res, a);
	if (res.timed_out) {
		snprintf(err, errlen, "exec: %s: no answer within query_timeout (%d s); killed",
			 argv[0], b->lim.timeout_ms / 1000);
	} else if (res.out_over) {
		snprintf(err, errlen, "exec: %s: printed more than max_output (%zu bytes); killed",
			 argv[0], b->lim.max_out);
	} else if (res.signal != 0) {
		snprintf(err, errlen, "exec: %s: killed by signal %d", argv[0], res.signal);
	} else if (res.status != 0 && res.status != 1) {
		snprintf(err, errlen, "exec: %s: exit status %d (0 found, 1 not found; anything "
			 "else is an error)", argv[0], res.status);
	} else if (res.status == 1 && !(with_pw && res.outlen > 0)) {
		/* not found: what it printed does not matter */
		*out = json_rows_none();
		if (*out != NULL) {
			(*out)->affected = 0;
			rc = BACKEND_OK;
		}
	} else {
		if (res.outlen == 0)
			*out = json_rows_none();
		else if ((jr = json_rows_parse(res.out, res.outlen, b->lim.max_out, out, err,
					       errlen)) != JSON_ROW_OK)
			log_msg(LOG_DEBUG, "exec: %s: %s", argv[0], json_row_rc_name(jr));
		if (*out != NULL) {
			/* exit 0 says done for the writing actions; with the password, 0
			 * says right and 1 (with the user printed) wrong */
			(*out)->affected = res.status == 0 ? 1 : 0;
			if (with_pw && res.status == 1)
				(*out)->password_check = RESULT_PW_WRONG;
			/* a script that prints the stored hash leaves the check to
			 * customdb, as an SQL login query does */
			else if (with_pw && result_column(*out, "password") < 0)
				(*out)->password_check = RESULT_PW_RIGHT;
			rc = BACKEND_OK;
		} else if (res.outlen > 0) {
			char why[256];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "exec: %s: its answer is not usable: %s", argv[0], why);
		}
	}
out:
	exec_result_clear(&res);
	if (req != NULL) {
		explicit_bzero(req, strlen(req));
		free(req);
	}
	free(cmd);
	return rc;
}

/* Never called: query_named replaces it. */
static int ex_query(struct backend *b, const struct query *q, const char *const *params,
		    struct result **out, char *err, size_t errlen)
{
	(void)b;
	(void)q;
	(void)params;
	*out = NULL;
	snprintf(err, errlen, "exec: the connector must use query_named");
	return BACKEND_ERROR;
}

const struct backend_ops backend_exec_ops = {
	.driver = "exec",
	.open = ex_open,
	.query = ex_query,
	.close = ex_close,
	.query_named = ex_query_named,
};
