/* query.h: the administrator's SQL with named parameters, made ready to bind.
 *
 * `:username` and friends are found outside string literals, quoted
 * identifiers and comments; `::` (a PostgreSQL cast) is left alone. Each
 * occurrence becomes one positional placeholder: `$N` for PostgreSQL, `?` for
 * MySQL and SQLite. Values are always bound, never pasted into the text. */
#ifndef CUSTOMDB_QUERY_H
#define CUSTOMDB_QUERY_H

#include <stddef.h>

enum query_param {
	QP_USERNAME,
	QP_UID,
	QP_GID,
	QP_GROUP,
	QP_PASSWORD_HASH,
	QP_EMAIL,
	/* the password as typed: at login the one to check, in change_password
	 * and create the new one; NULL elsewhere. For sources that check a
	 * password themselves (a web service, an action script). */
	QP_PASSWORD,
	QP_COUNT_
};

/* Name of a parameter without the colon ("username"). */
const char *query_param_name(enum query_param p);

#define QUERY_MAX_PARAMS 32

struct query {
	char *name;        /* config key, e.g. "login" */
	char *sql;         /* as written in the config */
	char *sql_dollar;  /* with $1, $2, ... (PostgreSQL) */
	char *sql_qmark;   /* with ? (MySQL, SQLite) */
	size_t nparams;    /* occurrences */
	enum query_param params[QUERY_MAX_PARAMS];
};

/* Parse `sql` into q (zeroed by the caller). Returns 0, or -1 with a message in
 * err (unknown parameter, too many, unterminated literal, out of memory). */
int query_parse(struct query *q, const char *name, const char *sql, char *err, size_t errlen);

/* Free what query_parse allocated; q may then be parsed again. */
void query_clear(struct query *q);

/* Values by parameter kind; NULL means "not given" (bound as SQL NULL). */
struct query_args {
	const char *v[QP_COUNT_];
};

/* Fill out[0..q->nparams) with the value of each occurrence. */
void query_bind(const struct query *q, const struct query_args *a, const char **out);

#endif
