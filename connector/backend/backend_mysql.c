/* backend_mysql.c: the MySQL/MariaDB engine, over MariaDB Connector/C
 * (Debian's default-libmysqlclient-dev).
 *
 * `connection` is `key=value` pairs separated by white space, values quoted
 * as in libpq ('...' with \' and \\). Keys: host port socket user password
 * database (or dbname) ssl_mode ssl_ca. A password from password_file wins
 * over one in the string, as in the PostgreSQL engine.
 *
 * ssl_mode: DISABLED (no TLS), PREFERRED (TLS when the server offers it),
 * REQUIRED (TLS or fail), VERIFY_CA and VERIFY_IDENTITY (TLS, certificate
 * and host name checked: Connector/C has no CA-only check, so VERIFY_CA is
 * the stricter VERIFY_IDENTITY). Unset: the library default (3.3: no TLS).
 *
 * Threads: mysql_library_init() runs once (pthread_once) before any
 * mysql_init(), which would otherwise race to run it. Each thread that calls
 * open() or query() gets mysql_thread_init() (a no-op in Connector/C; needed
 * by Oracle's libmysqlclient); a worker thread built against the latter
 * should call mysql_thread_end() before it exits.
 *
 * Statements are prepared once per connection and cached by the query
 * object's address (and text, in case an address is reused), so a repeated
 * query costs one round trip. Values are bound as strings; results are
 * fetched as strings, which makes the client library format numbers and
 * dates as text. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "backend.h"
#include "io.h"

enum my_ssl_mode {
	SSLM_UNSET,
	SSLM_DISABLED,
	SSLM_PREFERRED,
	SSLM_REQUIRED,
	SSLM_VERIFY_CA,
	SSLM_VERIFY_IDENTITY,
};

/* Parsed connection string. */
struct my_conf {
	char *host;
	char *socket;
	char *user;
	char *password;   /* wiped on free */
	char *database;
	char *ssl_ca;
	unsigned int port;
	enum my_ssl_mode ssl_mode;
};

#define MY_STMT_CACHE 32
#define MY_FETCH_INITIAL 256

struct my_stmt {
	const struct query *q;
	char *sql;           /* q->sql_qmark when prepared */
	MYSQL_STMT *stmt;
};

struct my_backend {
	MYSQL *conn;         /* NULL while disconnected */
	struct my_conf conf;
	int connect_timeout;
	int query_timeout;
	int read_only;
	size_t nstmts;
	struct my_stmt stmts[MY_STMT_CACHE];
};

static struct my_backend *to_my(struct backend *b)
{
	return (struct my_backend *)(void *)b;
}

static pthread_once_t my_library_once = PTHREAD_ONCE_INIT;
static int my_library_failed;

static void my_library_init(void)
{
	my_library_failed = mysql_library_init(0, NULL, NULL) != 0;
}

/* ---- connection string ---- */

static void conf_free(struct my_conf *c)
{
	free(c->host);
	free(c->socket);
	free(c->user);
	backend_free_secret(c->password);
	free(c->database);
	free(c->ssl_ca);
	memset(c, 0, sizeof(*c));
}

static int conf_ssl_mode(const char *v, enum my_ssl_mode *m)
{
	static const struct { const char *name; enum my_ssl_mode mode; } modes[] = {
		{ "DISABLED", SSLM_DISABLED },   { "PREFERRED", SSLM_PREFERRED },
		{ "REQUIRED", SSLM_REQUIRED },   { "VERIFY_CA", SSLM_VERIFY_CA },
		{ "VERIFY_IDENTITY", SSLM_VERIFY_IDENTITY },
	};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcasecmp(v, modes[i].name) == 0) {
			*m = modes[i].mode;
			return 0;
		}
	}
	return -1;
}

/* Store value under key. 0, or -1 with err (which never quotes a value). */
static int conf_set(struct my_conf *c, const char *key, size_t klen, const char *val,
		    char *err, size_t errlen)
{
	static const char *const names[] = { "host", "socket", "user", "password",
					     "database", "dbname", "ssl_ca" };
	char **slots[] = { &c->host, &c->socket, &c->user, &c->password,
			   &c->database, &c->database, &c->ssl_ca };
	char *end;
	unsigned long port;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i]) != klen || strncmp(key, names[i], klen) != 0)
			continue;
		backend_free_secret(*slots[i]);
		*slots[i] = strdup(val);
		if (*slots[i] == NULL) {
			snprintf(err, errlen, "mysql: out of memory");
			return -1;
		}
		return 0;
	}
	if (klen == 4 && strncmp(key, "port", 4) == 0) {
		port = strtoul(val, &end, 10);
		if (!isdigit((unsigned char)val[0]) || *end != '\0' || port == 0 || port > 65535) {
			snprintf(err, errlen, "mysql connection: port must be a number from 1 to 65535");
			return -1;
		}
		c->port = (unsigned int)port;
		return 0;
	}
	if (klen == 8 && strncmp(key, "ssl_mode", 8) == 0) {
		if (conf_ssl_mode(val, &c->ssl_mode) != 0) {
			snprintf(err, errlen, "mysql connection: ssl_mode must be DISABLED, "
				 "PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY");
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "mysql connection: unknown key '%.*s' (known: host, port, "
		 "socket, user, password, database, ssl_mode, ssl_ca)", (int)klen, key);
	return -1;
}

/* Parse `key=value ...` into c (zeroed by the caller). 0, or -1 with err. */
static int conf_parse(struct my_conf *c, const char *s, char *err, size_t errlen)
{
	const char *p = s, *key;
	char *buf, *v;
	size_t klen;
	int rc = -1;

	buf = malloc(strlen(s) + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "mysql: out of memory");
		return -1;
	}
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		key = p;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		klen = (size_t)(p - key);
		if (klen == 0 || klen > 32) {
			snprintf(err, errlen, "mysql connection: expected a key at offset %zu",
				 (size_t)(key - s));
			goto out;
		}
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=') {
			snprintf(err, errlen, "mysql connection: missing '=' after '%.*s'",
				 (int)klen, key);
			goto out;
		}
		p++;
		while (isspace((unsigned char)*p))
			p++;
		v = buf;
		if (*p == '\'') {
			p++;
			while (*p != '\0' && *p != '\'') {
				if (*p == '\\' && p[1] != '\0')
					p++;
				*v++ = *p++;
			}
			if (*p != '\'') {
				snprintf(err, errlen, "mysql connection: unterminated quoted "
					 "value for '%.*s'", (int)klen, key);
				goto out;
			}
			p++;
		} else {
			while (*p != '\0' && !isspace((unsigned char)*p)) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				*v++ = *p++;
			}
		}
		*v = '\0';
		if (conf_set(c, key, klen, buf, err, errlen) != 0)
			goto out;
	}
	rc = 0;
out:
	explicit_bzero(buf, strlen(s) + 1);
	free(buf);
	return rc;
}

/* ---- errors ---- */

/* The connection is gone (or its state is): drop it, reconnect, retry. */
static int my_errno_lost(unsigned int e)
{
	switch (e) {
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_SERVER_LOST_EXTENDED:
	case CR_COMMANDS_OUT_OF_SYNC:
	case CR_ERR_NET_READ:
	case CR_ERR_NET_WRITE:
	case ER_SERVER_SHUTDOWN:
	case ER_CONNECTION_KILLED:
		return 1;
	default:
		return 0;
	}
}

/* The server is alive but cannot serve now (timeouts, locks, limits). */
static int my_errno_busy(unsigned int e)
{
	switch (e) {
	case ER_CON_COUNT_ERROR:
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_LOCK_DEADLOCK:
	case ER_QUERY_INTERRUPTED:
	case ER_STATEMENT_TIMEOUT:
	case ER_OUT_OF_RESOURCES:
		return 1;
	default:
		return 0;
	}
}

/* ---- connection ---- */

static void my_stmt_drop_all(struct my_backend *mb)
{
	size_t i;

	for (i = 0; i < mb->nstmts; i++) {
		mysql_stmt_close(mb->stmts[i].stmt);
		free(mb->stmts[i].sql);
	}
	mb->nstmts = 0;
}

static void my_drop(struct my_backend *mb)
{
	my_stmt_drop_all(mb);
	if (mb->conn != NULL)
		mysql_close(mb->conn);
	mb->conn = NULL;
}

/* Options that bound and restrict the connection. 0 or -1 (unknown option). */
static int my_set_options(struct my_backend *mb, MYSQL *c)
{
	unsigned int ct = (unsigned int)mb->connect_timeout;
	unsigned int qt = (unsigned int)mb->query_timeout;
	unsigned int no_local_infile = 0;
	my_bool off = 0, on = 1;
	int r = 0;

	if (mb->connect_timeout > 0)
		r |= mysql_options(c, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	if (mb->query_timeout > 0) {
		r |= mysql_options(c, MYSQL_OPT_READ_TIMEOUT, &qt);
		r |= mysql_options(c, MYSQL_OPT_WRITE_TIMEOUT, &qt);
	}
	r |= mysql_options(c, MYSQL_OPT_RECONNECT, &off);
	/* A hostile server could otherwise ask this root daemon for any file. */
	r |= mysql_options(c, MYSQL_OPT_LOCAL_INFILE, &no_local_infile);
	r |= mysql_options(c, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (mb->conf.ssl_mode != SSLM_DISABLED && mb->conf.ssl_ca != NULL)
		r |= mysql_options(c, MYSQL_OPT_SSL_CA, mb->conf.ssl_ca);
	if (mb->conf.ssl_mode >= SSLM_PREFERRED)
		r |= mysql_options(c, MYSQL_OPT_SSL_ENFORCE, &on);
	if (mb->conf.ssl_mode >= SSLM_VERIFY_CA)
		r |= mysql_options(c, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
	return r != 0 ? -1 : 0;
}

/* Session settings: read-only transactions when asked; on MariaDB a
 * server-side max_statement_time, so the server stops work we gave up on. */
static int my_setup_session(struct my_backend *mb, char *err, size_t errlen)
{
	char sql[64];

	if (mb->read_only && mysql_query(mb->conn, "SET SESSION TRANSACTION READ ONLY") != 0)
		goto fail;
	if (mb->query_timeout > 0 && mariadb_connection(mb->conn)) {
		snprintf(sql, sizeof(sql), "SET SESSION max_statement_time = %d",
			 mb->query_timeout);
		if (mysql_query(mb->conn, sql) != 0)
			goto fail;
	}
	return 0;
fail:
	backend_set_err(err, errlen, "mysql: session setup failed: ", mysql_error(mb->conn), 0,
			NULL, 0);
	return -1;
}

/* Connect with the saved settings. BACKEND_OK or BACKEND_UNAVAILABLE. */
static int my_connect(struct my_backend *mb, char *err, size_t errlen)
{
	const char *secrets[1] = { mb->conf.password };
	int rc = BACKEND_UNAVAILABLE;

	my_drop(mb);
	mysql_thread_init();
	mb->conn = mysql_init(NULL);
	if (mb->conn == NULL) {
		snprintf(err, errlen, "mysql: out of memory");
		goto out;
	}
	if (my_set_options(mb, mb->conn) != 0) {
		snprintf(err, errlen, "mysql: cannot set connection options: %s",
			 mysql_error(mb->conn));
		goto out;
	}
	if (mysql_real_connect(mb->conn, mb->conf.host, mb->conf.user, mb->conf.password,
			       mb->conf.database, mb->conf.port, mb->conf.socket, CLIENT_FOUND_ROWS) == NULL) {
		backend_set_err(err, errlen, "mysql: cannot connect: ", mysql_error(mb->conn), 0,
				secrets, 1);
		goto out;
	}
	/* Connector/C 3.3 falls back to plain text when the server has no TLS. */
	if (mb->conf.ssl_mode >= SSLM_REQUIRED && mysql_get_ssl_cipher(mb->conn) == NULL) {
		snprintf(err, errlen, "mysql: cannot connect: ssl_mode requires TLS and the "
			 "connection is not encrypted");
		goto out;
	}
	if (my_setup_session(mb, err, errlen) != 0)
		goto out;
	rc = BACKEND_OK;
out:
	if (rc != BACKEND_OK)
		my_drop(mb);
	return rc;
}

/* ---- statements ---- */

/* The cached statement for q, prepared now if need be. NULL with err set on
 * failure, and *eno the client/server error number (0 for out of memory). */
static MYSQL_STMT *my_stmt_get(struct my_backend *mb, const struct query *q,
			       unsigned int *eno, char *err, size_t errlen)
{
	struct my_stmt *s;
	MYSQL_STMT *stmt = NULL;
	size_t i;

	for (i = 0; i < mb->nstmts; i++) {
		s = &mb->stmts[i];
		if (s->q == q && strcmp(s->sql, q->sql_qmark) == 0)
			return s->stmt;
	}
	*eno = 0;
	stmt = mysql_stmt_init(mb->conn);
	if (stmt == NULL) {
		snprintf(err, errlen, "mysql: out of memory");
		goto fail;
	}
	if (mysql_stmt_prepare(stmt, q->sql_qmark, strlen(q->sql_qmark)) != 0) {
		*eno = mysql_stmt_errno(stmt);
		backend_set_err(err, errlen, "mysql: ", mysql_stmt_error(stmt), 0, NULL, 0);
		goto fail;
	}
	if (mb->nstmts == MY_STMT_CACHE) {
		/* Queries are few and fixed; this only bounds a misuse. */
		mysql_stmt_close(mb->stmts[0].stmt);
		free(mb->stmts[0].sql);
		memmove(&mb->stmts[0], &mb->stmts[1], (MY_STMT_CACHE - 1) * sizeof(mb->stmts[0]));
		mb->nstmts--;
	}
	s = &mb->stmts[mb->nstmts];
	s->sql = strdup(q->sql_qmark);
	if (s->sql == NULL) {
		snprintf(err, errlen, "mysql: out of memory");
		goto fail;
	}
	s->q = q;
	s->stmt = stmt;
	mb->nstmts++;
	return stmt;
fail:
	if (stmt != NULL)
		mysql_stmt_close(stmt);
	return NULL;
}

/* Forget q's statement (after an error that may have spoilt it). */
static void my_stmt_forget(struct my_backend *mb, MYSQL_STMT *stmt)
{
	size_t i;

	for (i = 0; i < mb->nstmts; i++) {
		if (mb->stmts[i].stmt != stmt)
			continue;
		mysql_stmt_close(stmt);
		free(mb->stmts[i].sql);
		memmove(&mb->stmts[i], &mb->stmts[i + 1],
			(mb->nstmts - i - 1) * sizeof(mb->stmts[0]));
		mb->nstmts--;
		return;
	}
}

/* Per-column fetch buffers. */
struct my_fetch {
	size_t ncols;
	MYSQL_BIND *bind;
	char **buf;
	unsigned long *len;
	my_bool *isnull;
	my_bool *error;
	const char **cells;
	size_t *lens;
};

static void my_fetch_free(struct my_fetch *f)
{
	size_t i;

	if (f->buf != NULL) {
		for (i = 0; i < f->ncols; i++) {
			if (f->buf[i] != NULL && f->bind != NULL)
				explicit_bzero(f->buf[i], f->bind[i].buffer_length);
			free(f->buf[i]);
		}
	}
	free(f->bind);
	free(f->buf);
	free(f->len);
	free(f->isnull);
	free(f->error);
	free(f->cells);
	free(f->lens);
	memset(f, 0, sizeof(*f));
}

static int my_fetch_init(struct my_fetch *f, size_t ncols)
{
	size_t i;

	f->ncols = ncols;
	f->bind = calloc(ncols, sizeof(*f->bind));
	f->buf = calloc(ncols, sizeof(*f->buf));
	f->len = calloc(ncols, sizeof(*f->len));
	f->isnull = calloc(ncols, sizeof(*f->isnull));
	f->error = calloc(ncols, sizeof(*f->error));
	f->cells = calloc(ncols, sizeof(*f->cells));
	f->lens = calloc(ncols, sizeof(*f->lens));
	if (f->bind == NULL || f->buf == NULL || f->len == NULL || f->isnull == NULL ||
	    f->error == NULL || f->cells == NULL || f->lens == NULL)
		return -1;
	for (i = 0; i < ncols; i++) {
		f->buf[i] = malloc(MY_FETCH_INITIAL);
		if (f->buf[i] == NULL)
			return -1;
		f->bind[i].buffer_type = MYSQL_TYPE_STRING;
		f->bind[i].buffer = f->buf[i];
		f->bind[i].buffer_length = MY_FETCH_INITIAL;
		f->bind[i].length = &f->len[i];
		f->bind[i].is_null = &f->isnull[i];
		f->bind[i].error = &f->error[i];
	}
	return 0;
}

/* Fetch the truncated columns of the current row again into buffers that
 * fit; they stay bound for the rows that follow. 0, or -1. */
static int my_fetch_refetch(struct my_fetch *f, MYSQL_STMT *stmt)
{
	unsigned long need;
	size_t i;
	char *nb;

	for (i = 0; i < f->ncols; i++) {
		if (f->isnull[i] || f->len[i] < f->bind[i].buffer_length)
			continue;
		need = f->len[i] + 1;
		nb = malloc(need);
		if (nb == NULL)
			return -1;
		explicit_bzero(f->buf[i], f->bind[i].buffer_length);
		free(f->buf[i]);
		f->buf[i] = nb;
		f->bind[i].buffer = nb;
		f->bind[i].buffer_length = need;
		if (mysql_stmt_fetch_column(stmt, &f->bind[i], (unsigned int)i, 0) != 0)
			return -1;
	}
	return mysql_stmt_bind_result(stmt, f->bind) != 0 ? -1 : 0;
}

/* Column names and rows of an executed statement into *out. On failure *eno
 * is the error number (0 for out of memory). */
static int my_collect(MYSQL_STMT *stmt, struct result **out, unsigned int *eno,
		      const char *const *secrets, size_t nsecrets, char *err, size_t errlen)
{
	struct my_fetch f = { 0 };
	struct result *r = NULL;
	MYSQL_RES *meta = NULL;
	MYSQL_FIELD *fields;
	size_t ncols, i;
	int rc = BACKEND_ERROR, fr;

	*eno = 0;
	ncols = mysql_stmt_field_count(stmt);
	r = result_new(ncols);
	if (r == NULL)
		goto nomem;
	if (ncols == 0) {
		/* rows matched (CLIENT_FOUND_ROWS), not only those changed */
		r->affected = (long long)mysql_stmt_affected_rows(stmt);
		goto done;
	}
	meta = mysql_stmt_result_metadata(stmt);
	if (meta == NULL)
		goto stmt_err;
	fields = mysql_fetch_fields(meta);
	for (i = 0; i < ncols; i++) {
		r->colnames[i] = strdup(fields[i].name);
		if (r->colnames[i] == NULL)
			goto nomem;
	}
	if (my_fetch_init(&f, ncols) != 0)
		goto nomem;
	if (mysql_stmt_bind_result(stmt, f.bind) != 0)
		goto stmt_err;
	if (mysql_stmt_store_result(stmt) != 0)
		goto stmt_err;
	for (;;) {
		fr = mysql_stmt_fetch(stmt);
		if (fr == MYSQL_NO_DATA)
			break;
		if (fr == 1)
			goto stmt_err;
		if (fr == MYSQL_DATA_TRUNCATED && my_fetch_refetch(&f, stmt) != 0) {
			if (mysql_stmt_errno(stmt) != 0)
				goto stmt_err;
			goto nomem;
		}
		for (i = 0; i < ncols; i++) {
			f.cells[i] = f.isnull[i] ? NULL : f.buf[i];
			f.lens[i] = f.len[i];
		}
		if (result_add_row(r, f.cells, f.lens) != 0)
			goto nomem;
	}
done:
	*out = r;
	r = NULL;
	rc = BACKEND_OK;
	goto out;
stmt_err:
	*eno = mysql_stmt_errno(stmt);
	backend_set_err(err, errlen, "mysql: ", mysql_stmt_error(stmt), 0, secrets, nsecrets);
	goto out;
nomem:
	snprintf(err, errlen, "mysql: out of memory");
out:
	mysql_stmt_free_result(stmt);
	if (meta != NULL)
		mysql_free_result(meta);
	my_fetch_free(&f);
	result_free(r);
	return rc;
}

/* One attempt at q. *lost is set when the connection died (and was dropped):
 * the one case worth a reconnect and retry. */
static int my_run(struct my_backend *mb, const struct query *q, const char *const *params,
		  struct result **out, int *lost, char *err, size_t errlen)
{
	MYSQL_BIND pbind[QUERY_MAX_PARAMS];
	const char *secrets[1 + QUERY_MAX_PARAMS];
	MYSQL_STMT *stmt = NULL;
	unsigned long plen[QUERY_MAX_PARAMS];
	unsigned int eno = 0;
	size_t ns = 0, i;
	long long started = io_deadline(0);
	int rc = BACKEND_ERROR;

	*lost = 0;
	if (q->nparams > QUERY_MAX_PARAMS) {
		snprintf(err, errlen, "mysql: too many parameters");
		goto out;
	}
	secrets[ns++] = mb->conf.password;
	for (i = 0; i < q->nparams; i++)
		if (q->params[i] == QP_PASSWORD_HASH)
			secrets[ns++] = params[i];

	stmt = my_stmt_get(mb, q, &eno, err, errlen);
	if (stmt == NULL)
		goto failed;
	if (mysql_stmt_param_count(stmt) != q->nparams) {
		snprintf(err, errlen, "mysql: statement has %lu placeholders, query gives %zu",
			 mysql_stmt_param_count(stmt), q->nparams);
		rc = BACKEND_ERROR;
		goto out;
	}
	memset(pbind, 0, sizeof(pbind));
	for (i = 0; i < q->nparams; i++) {
		if (params[i] == NULL) {
			pbind[i].buffer_type = MYSQL_TYPE_NULL;
			continue;
		}
		plen[i] = strlen(params[i]);
		pbind[i].buffer_type = MYSQL_TYPE_STRING;
		pbind[i].buffer = (void *)params[i];
		pbind[i].buffer_length = plen[i];
		pbind[i].length = &plen[i];
	}
	if (mysql_stmt_bind_param(stmt, pbind) != 0 || mysql_stmt_execute(stmt) != 0) {
		eno = mysql_stmt_errno(stmt);
		backend_set_err(err, errlen, "mysql: ", mysql_stmt_error(stmt), 0, secrets, ns);
		goto failed;
	}
	rc = my_collect(stmt, out, &eno, secrets, ns, err, errlen);
	if (rc == BACKEND_OK || eno == 0)
		goto out;
failed:
	if (my_errno_lost(eno)) {
		rc = BACKEND_UNAVAILABLE;
		my_drop(mb);
		/* A read that ran into the read timeout also ends as "lost":
		 * do not retry it, that would double the wait. */
		if (mb->query_timeout > 0 &&
		    io_deadline(0) - started >= (long long)mb->query_timeout * 1000)
			snprintf(err, errlen, "mysql: query timed out after %d s",
				 mb->query_timeout);
		else
			*lost = 1;
	} else if (my_errno_busy(eno)) {
		rc = BACKEND_UNAVAILABLE;
	} else {
		rc = BACKEND_ERROR;
		if (stmt != NULL)
			my_stmt_forget(mb, stmt);
	}
out:
	return rc;
}

static int my_query(struct backend *b, const struct query *q, const char *const *params,
		    struct result **out, char *err, size_t errlen)
{
	struct my_backend *mb = to_my(b);
	int rc, lost = 0;

	*out = NULL;
	mysql_thread_init();
	if (mb->conn == NULL) {
		rc = my_connect(mb, err, errlen);
		if (rc != BACKEND_OK)
			return rc;
	}
	rc = my_run(mb, q, params, out, &lost, err, errlen);
	/* the connection died under us: the session may retry on a new one */
	return rc == BACKEND_UNAVAILABLE && lost ? BACKEND_LOST : rc;
}

static void my_close(struct backend *b)
{
	struct my_backend *mb = to_my(b);

	if (mb == NULL)
		return;
	my_drop(mb);
	conf_free(&mb->conf);
	free(mb);
}

static struct backend *my_open(const struct backend_params *p, char *err, size_t errlen)
{
	struct my_backend *mb;
	struct backend *b = NULL;

	pthread_once(&my_library_once, my_library_init);
	if (my_library_failed) {
		snprintf(err, errlen, "mysql: client library failed to initialise");
		return NULL;
	}
	mb = calloc(1, sizeof(*mb));
	if (mb == NULL) {
		snprintf(err, errlen, "mysql: out of memory");
		goto out;
	}
	if (conf_parse(&mb->conf, p->connection != NULL ? p->connection : "", err, errlen) != 0)
		goto out;
	if (p->password != NULL) {
		backend_free_secret(mb->conf.password);
		mb->conf.password = strdup(p->password);
		if (mb->conf.password == NULL) {
			snprintf(err, errlen, "mysql: out of memory");
			goto out;
		}
	}
	mb->connect_timeout = p->connect_timeout;
	mb->query_timeout = p->query_timeout;
	mb->read_only = p->read_only;
	if (my_connect(mb, err, errlen) != BACKEND_OK)
		goto out;
	b = (struct backend *)(void *)mb;
	mb = NULL;
out:
	my_close((struct backend *)(void *)mb);
	return b;
}

const struct backend_ops backend_mysql_ops = {
	.driver = "mysql",
	.open = my_open,
	.query = my_query,
	.close = my_close,
};
