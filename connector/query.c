/* query.c: see query.h. */
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const param_names[QP_COUNT_] = {
	[QP_USERNAME] = "username",
	[QP_UID] = "uid",
	[QP_GID] = "gid",
	[QP_GROUP] = "group",
	[QP_PASSWORD_HASH] = "password_hash",
	[QP_EMAIL] = "email",
	[QP_PASSWORD] = "password",
};

const char *query_param_name(enum query_param p)
{
	return (unsigned)p < QP_COUNT_ ? param_names[p] : "?";
}

static int is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Output buffers for the two placeholder styles. */
struct out {
	char *dollar, *qmark;
	size_t nd, nq;
};

static void emit(struct out *o, const char *s, size_t n)
{
	memcpy(o->dollar + o->nd, s, n);
	memcpy(o->qmark + o->nq, s, n);
	o->nd += n;
	o->nq += n;
}

/* Length of a quoted run starting at s (s[0] is the quote), or 0 if it is
 * not terminated. A doubled quote inside stands for the quote itself. */
static size_t quoted_len(const char *s, char quote)
{
	size_t i = 1;

	for (;;) {
		if (s[i] == '\0')
			return 0;
		if (s[i] == '\\' && quote != '"' && s[i + 1] != '\0') {
			/* MySQL and SQLite-in-MySQL-mode read \' inside '...' as a quote.
			 * Skipping it keeps us from seeing a parameter where the engine
			 * sees text; PostgreSQL's standard strings never need it. */
			i += 2;
			continue;
		}
		if (s[i] == quote) {
			if (s[i + 1] == quote) {
				i += 2;
				continue;
			}
			return i + 1;
		}
		i++;
	}
}

/* Long: one scanner loop with a branch per kind of SQL token (quotes,
 * comments, casts, :parameters); see query.h for the contract. */
int query_parse(struct query *q, const char *name, const char *sql, char *err, size_t errlen)
{
	size_t len = strlen(sql), i = 0, n;
	struct out o = { 0 };
	char num[16];
	int p;

	memset(q, 0, sizeof(*q));
	q->name = strdup(name);
	q->sql = strdup(sql);
	/* "$32" is at most 3 bytes and ":uid" at least 4, so len+1 always fits. */
	o.dollar = malloc(len + 1);
	o.qmark = malloc(len + 1);
	if (q->name == NULL || q->sql == NULL || o.dollar == NULL || o.qmark == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	while (i < len) {
		char c = sql[i];

		if (c == '\'' || c == '"' || c == '`') {
			n = quoted_len(sql + i, c);
			if (n == 0) {
				snprintf(err, errlen, "unterminated %c quote", c);
				goto fail;
			}
			emit(&o, sql + i, n);
			i += n;
		} else if (c == '-' && sql[i + 1] == '-') {
			n = strcspn(sql + i, "\n");
			emit(&o, sql + i, n);
			i += n;
		} else if (c == '/' && sql[i + 1] == '*') {
			const char *end = strstr(sql + i + 2, "*/");

			if (end == NULL) {
				snprintf(err, errlen, "unterminated /* comment");
				goto fail;
			}
			n = (size_t)(end + 2 - (sql + i));
			emit(&o, sql + i, n);
			i += n;
		} else if (c == ':' && sql[i + 1] == ':') {
			emit(&o, sql + i, 2);   /* PostgreSQL cast, not a parameter */
			i += 2;
		} else if (c == ':' && is_ident(sql[i + 1]) && (i == 0 || !is_ident(sql[i - 1]))) {
			n = 1;
			while (is_ident(sql[i + n]))
				n++;
			for (p = 0; p < QP_COUNT_; p++)
				if (strlen(param_names[p]) == n - 1 &&
				    memcmp(param_names[p], sql + i + 1, n - 1) == 0)
					break;
			if (p == QP_COUNT_) {
				snprintf(err, errlen, "unknown parameter :%.*s (known: :username, :uid, "
					 ":gid, :group, :password_hash, :email, :password)", (int)(n - 1), sql + i + 1);
				goto fail;
			}
			if (q->nparams == QUERY_MAX_PARAMS) {
				snprintf(err, errlen, "more than %d parameters", QUERY_MAX_PARAMS);
				goto fail;
			}
			q->params[q->nparams++] = (enum query_param)p;
			snprintf(num, sizeof(num), "$%zu", q->nparams);
			memcpy(o.dollar + o.nd, num, strlen(num));
			o.nd += strlen(num);
			o.qmark[o.nq++] = '?';
			i += n;
		} else {
			emit(&o, sql + i, 1);
			i++;
		}
	}
	o.dollar[o.nd] = '\0';
	o.qmark[o.nq] = '\0';
	q->sql_dollar = o.dollar;
	q->sql_qmark = o.qmark;
	return 0;
fail:
	free(o.dollar);
	free(o.qmark);
	query_clear(q);
	return -1;
}

void query_clear(struct query *q)
{
	free(q->name);
	free(q->sql);
	free(q->sql_dollar);
	free(q->sql_qmark);
	memset(q, 0, sizeof(*q));
}

void query_bind(const struct query *q, const struct query_args *a, const char **out)
{
	size_t i;

	for (i = 0; i < q->nparams; i++)
		out[i] = a->v[q->params[i]];
}
