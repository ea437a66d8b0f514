/* backend_odbc.c: any database with an ODBC driver, over unixODBC (Debian's
 * unixodbc-dev): SQL Server and Azure SQL through FreeTDS, Oracle and Db2
 * through their vendors' drivers; PostgreSQL, MariaDB and SQLite through
 * odbc-postgresql, odbc-mariadb and libsqliteodbc, which is how it is tested.
 *
 * `connection` is an ODBC connection string (`DSN=legacy;UID=customdb` or
 * `Driver=FreeTDS;Server=...;Database=...;UID=...`), or a bare DSN name.
 * A password from password_file replaces any PWD/PASSWORD in the string.
 * Named parameters are bound as `?` (VARCHAR); every cell is fetched as text;
 * result columns are found by their labels.
 *
 * Timeouts: SQL_ATTR_LOGIN_TIMEOUT = connect_timeout and
 * SQL_ATTR_QUERY_TIMEOUT = query_timeout ask the driver to bound itself. Not
 * every driver can (psqlodbc waits on a frozen server forever, and its
 * SQLCancel() is libpq's PQcancel, which would wait on that server too), so
 * every driver call runs on the connection's own thread while the worker
 * waits for it with a deadline a little past the timeout. A call past it is
 * abandoned: the worker answers "unavailable" at once, and the thread,
 * holding the connection and a copy of the request, cleans up and ends when
 * the driver returns. At most OD_MAX_ABANDONED such threads live at a time;
 * past that the backend refuses to open more connections, so a black-holed
 * server cannot make the daemon grow without bound. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sql.h>
#include <sqlext.h>

#include "backend.h"
#include "io.h"
#include "odbc.h"

#define OD_STMT_CACHE 32
#define OD_CELL_INITIAL 256
#define OD_CELL_MAX (1 << 20)     /* a cell longer than this is a broken row */
#define OD_MAX_ABANDONED 16
#define OD_GRACE_MS 1000          /* past the driver's own timeout */

/* ---- the connection and its thread ---- */

struct od_stmt {
	char *sql;
	SQLHSTMT h;
};

enum od_state { OD_IDLE, OD_CONNECT, OD_QUERY, OD_DONE, OD_QUIT };

/* One connection, owned by its thread. The worker and the thread share the
 * request and answer fields under mu; everything else is the thread's. The
 * one who sees the other gone (abandoned, or OD_QUIT) frees it. */
struct od_conn {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	enum od_state state;
	bool abandoned;
	/* settings: copies */
	char *connstr;              /* secret */
	char *secrets[2];           /* password_file's, the string's own */
	int connect_timeout, query_timeout, read_only;
	/* the thread's */
	SQLHENV env;
	SQLHDBC dbc;
	bool connected;
	size_t nstmts;
	struct od_stmt stmts[OD_STMT_CACHE];
	/* the request: copies, so that an abandoned one outlives the caller */
	char *sql;
	size_t nparams;
	char *params[QUERY_MAX_PARAMS];
	bool secret_param[QUERY_MAX_PARAMS];
	/* the answer */
	int rc;
	bool lost;
	struct result *res;
	char err[512];
};

struct od_backend {
	struct od_conn *c;          /* NULL while disconnected */
	pthread_t thread;
	char *connstr;              /* secret */
	char *password;             /* secret */
	char *inline_password;      /* secret */
	int connect_timeout, query_timeout, read_only;
};

static pthread_mutex_t od_abandoned_mu = PTHREAD_MUTEX_INITIALIZER;
static int od_abandoned;

static struct od_backend *to_od(struct backend *b)
{
	return (struct od_backend *)(void *)b;
}

static void od_request_clear(struct od_conn *c)
{
	size_t i;

	for (i = 0; i < c->nparams; i++) {
		if (c->secret_param[i])
			backend_free_secret(c->params[i]);
		else
			free(c->params[i]);
		c->params[i] = NULL;
		c->secret_param[i] = false;
	}
	c->nparams = 0;
	free(c->sql);
	c->sql = NULL;
}

static void od_stmt_drop_all(struct od_conn *c)
{
	size_t i;

	for (i = 0; i < c->nstmts; i++) {
		SQLFreeHandle(SQL_HANDLE_STMT, c->stmts[i].h);
		free(c->stmts[i].sql);
	}
	c->nstmts = 0;
}

/* Disconnect and free the handles (the thread's side). */
static void od_disconnect(struct od_conn *c)
{
	od_stmt_drop_all(c);
	if (c->connected)
		SQLDisconnect(c->dbc);
	c->connected = false;
	if (c->dbc != SQL_NULL_HDBC)
		SQLFreeHandle(SQL_HANDLE_DBC, c->dbc);
	if (c->env != SQL_NULL_HENV)
		SQLFreeHandle(SQL_HANDLE_ENV, c->env);
	c->dbc = SQL_NULL_HDBC;
	c->env = SQL_NULL_HENV;
}

static void od_conn_free(struct od_conn *c)
{
	od_disconnect(c);
	od_request_clear(c);
	result_free(c->res);
	backend_free_secret(c->connstr);
	backend_free_secret(c->secrets[0]);
	backend_free_secret(c->secrets[1]);
	explicit_bzero(c->err, sizeof(c->err));
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* ---- diagnostics ---- */

/* What a failure means for the caller. */
enum od_class { ODC_ERROR, ODC_UNAVAILABLE, ODC_LOST };

/* SQLSTATEs (and the MySQL/MariaDB native codes its driver reports under
 * HY000) that say the connection is gone: reconnect, retry once. */
static bool od_state_lost(const char *st, SQLINTEGER native)
{
	return strncmp(st, "08", 2) == 0 || strcmp(st, "57P01") == 0 ||
	       strcmp(st, "57P02") == 0 || native == 2006 || native == 2013 ||
	       native == 1927 || native == 1053;
}

/* ... that the database is there but cannot serve now: timeouts, cancels,
 * locks, resources, rollbacks. */
static bool od_state_busy(const char *st, SQLINTEGER native)
{
	static const char *const busy[] = { "HYT00", "HYT01", "HY008", "HY001", "HY013",
					    "55P03", "57014", "57P03", NULL };
	size_t i;

	if (strncmp(st, "40", 2) == 0 || strncmp(st, "53", 2) == 0)
		return true;
	for (i = 0; busy[i] != NULL; i++)
		if (strcmp(st, busy[i]) == 0)
			return true;
	/* lock wait, deadlock, interrupted, max_statement_time, too many connections */
	return native == 1205 || native == 1213 || native == 1317 || native == 1969 ||
	       native == 3024 || native == 1040;
}

/* The handle's diagnostic records into c->err (prefix, then "SQLSTATE
 * message" per record, scrubbed of the connection's and the request's
 * secrets); returns their class. */
static enum od_class od_diag(struct od_conn *c, SQLSMALLINT type, SQLHANDLE h,
			     const char *prefix)
{
	const char *secrets[2 + QUERY_MAX_PARAMS];
	char msg[1024], all[1536];
	SQLCHAR st[6], text[SQL_MAX_MESSAGE_LENGTH];
	SQLINTEGER native = 0;
	SQLSMALLINT n, rec;
	enum od_class cls = ODC_ERROR;
	size_t ns = 0, i, o = 0;

	all[0] = '\0';
	for (rec = 1; rec <= 3; rec++) {
		if (!SQL_SUCCEEDED(SQLGetDiagRec(type, h, rec, st, &native, text,
						 sizeof(text), &n)))
			break;
		if (od_state_lost((const char *)st, native))
			cls = ODC_LOST;
		else if (cls == ODC_ERROR && od_state_busy((const char *)st, native))
			cls = ODC_UNAVAILABLE;
		snprintf(msg, sizeof(msg), "%s%s %s", rec > 1 ? "; " : "", (const char *)st,
			 (const char *)text);
		if (o < sizeof(all) - 1)
			o += (size_t)snprintf(all + o, sizeof(all) - o, "%s", msg);
	}
	if (rec == 1)
		snprintf(all, sizeof(all), "no diagnostic from the driver");
	secrets[ns++] = c->secrets[0];
	secrets[ns++] = c->secrets[1];
	for (i = 0; i < c->nparams; i++)
		if (c->secret_param[i])
			secrets[ns++] = c->params[i];
	backend_set_err(c->err, sizeof(c->err), prefix, all, 0, secrets, ns);
	explicit_bzero(all, sizeof(all));
	explicit_bzero(msg, sizeof(msg));
	return cls;
}

/* ---- on the connection's thread ---- */

static int od_do_connect(struct od_conn *c)
{
	SQLRETURN r;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &c->env)) ||
	    !SQL_SUCCEEDED(SQLSetEnvAttr(c->env, SQL_ATTR_ODBC_VERSION,
					 (SQLPOINTER)SQL_OV_ODBC3, 0)) ||
	    !SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, c->env, &c->dbc))) {
		snprintf(c->err, sizeof(c->err), "odbc: cannot set up the driver manager "
			 "(out of memory?)");
		return BACKEND_UNAVAILABLE;
	}
	/* hints: a driver that does not know one still connects */
	SQLSetConnectAttr(c->dbc, SQL_ATTR_LOGIN_TIMEOUT,
			  (SQLPOINTER)(SQLULEN)c->connect_timeout, 0);
	SQLSetConnectAttr(c->dbc, SQL_ATTR_CONNECTION_TIMEOUT,
			  (SQLPOINTER)(SQLULEN)c->query_timeout, 0);
	if (c->read_only)
		SQLSetConnectAttr(c->dbc, SQL_ATTR_ACCESS_MODE, (SQLPOINTER)SQL_MODE_READ_ONLY, 0);
	r = SQLDriverConnect(c->dbc, NULL, (SQLCHAR *)c->connstr, SQL_NTS, NULL, 0, NULL,
			     SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(r)) {
		od_diag(c, SQL_HANDLE_DBC, c->dbc, "odbc: cannot connect: ");
		return BACKEND_UNAVAILABLE;
	}
	c->connected = true;
	return BACKEND_OK;
}

/* The prepared statement for c->sql, prepared now if need be; NULL with
 * c->err and *cls set on failure. */
static SQLHSTMT od_stmt_get(struct od_conn *c, enum od_class *cls)
{
	struct od_stmt *s;
	SQLHSTMT h = SQL_NULL_HSTMT;
	size_t i;

	for (i = 0; i < c->nstmts; i++)
		if (strcmp(c->stmts[i].sql, c->sql) == 0)
			return c->stmts[i].h;
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, c->dbc, &h))) {
		*cls = od_diag(c, SQL_HANDLE_DBC, c->dbc, "odbc: ");
		return SQL_NULL_HSTMT;
	}
	if (c->query_timeout > 0)
		SQLSetStmtAttr(h, SQL_ATTR_QUERY_TIMEOUT, (SQLPOINTER)(SQLULEN)c->query_timeout, 0);
	if (!SQL_SUCCEEDED(SQLPrepare(h, (SQLCHAR *)c->sql, SQL_NTS))) {
		*cls = od_diag(c, SQL_HANDLE_STMT, h, "odbc: ");
		SQLFreeHandle(SQL_HANDLE_STMT, h);
		return SQL_NULL_HSTMT;
	}
	if (c->nstmts == OD_STMT_CACHE) {
		/* queries are few and fixed; this only bounds a misuse */
		SQLFreeHandle(SQL_HANDLE_STMT, c->stmts[0].h);
		free(c->stmts[0].sql);
		memmove(&c->stmts[0], &c->stmts[1], (OD_STMT_CACHE - 1) * sizeof(c->stmts[0]));
		c->nstmts--;
	}
	s = &c->stmts[c->nstmts];
	s->sql = strdup(c->sql);
	if (s->sql == NULL) {
		SQLFreeHandle(SQL_HANDLE_STMT, h);
		snprintf(c->err, sizeof(c->err), "odbc: out of memory");
		*cls = ODC_ERROR;
		return SQL_NULL_HSTMT;
	}
	s->h = h;
	c->nstmts++;
	return h;
}

static void od_stmt_forget(struct od_conn *c, SQLHSTMT h)
{
	size_t i;

	for (i = 0; i < c->nstmts; i++) {
		if (c->stmts[i].h != h)
			continue;
		SQLFreeHandle(SQL_HANDLE_STMT, h);
		free(c->stmts[i].sql);
		memmove(&c->stmts[i], &c->stmts[i + 1], (c->nstmts - i - 1) * sizeof(c->stmts[0]));
		c->nstmts--;
		return;
	}
}

/* Column col of the current row into *buf (grown as needed, *cap its size)
 * as text: *len its length, *null for SQL NULL. 0, or -1 (c->err set). */
static int od_get_cell(struct od_conn *c, SQLHSTMT h, SQLUSMALLINT col, char **buf,
		       size_t *cap, size_t *len, bool *null, enum od_class *cls)
{
	SQLLEN ind;
	SQLRETURN r;
	size_t room, want;
	char *nb;

	*len = 0;
	*null = false;
	for (;;) {
		room = *cap - *len;
		r = SQLGetData(h, col, SQL_C_CHAR, *buf + *len, (SQLLEN)room, &ind);
		if (r == SQL_NO_DATA)
			return 0;
		if (!SQL_SUCCEEDED(r)) {
			*cls = od_diag(c, SQL_HANDLE_STMT, h, "odbc: ");
			return -1;
		}
		if (ind == SQL_NULL_DATA) {
			*null = true;
			return 0;
		}
		if (ind != SQL_NO_TOTAL && ind >= 0 && (size_t)ind < room) {
			*len += (size_t)ind;
			return 0;
		}
		/* truncated: room - 1 bytes arrived, then the terminator */
		*len += room - 1;
		want = ind != SQL_NO_TOTAL && ind > 0 ? *len + (size_t)ind - (room - 1) + 1
						       : *cap * 2;
		if (want < *cap * 2)
			want = *cap * 2;
		if (want > OD_CELL_MAX) {
			snprintf(c->err, sizeof(c->err), "odbc: a cell of column %u is longer "
				 "than %d bytes", (unsigned)col, OD_CELL_MAX);
			*cls = ODC_ERROR;
			return -1;
		}
		nb = malloc(want);
		if (nb == NULL) {
			snprintf(c->err, sizeof(c->err), "odbc: out of memory");
			*cls = ODC_ERROR;
			return -1;
		}
		memcpy(nb, *buf, *len);
		explicit_bzero(*buf, *cap);
		free(*buf);
		*buf = nb;
		*cap = want;
	}
}

/* Columns and rows of the executed statement h into c->res. */
static int od_collect(struct od_conn *c, SQLHSTMT h, enum od_class *cls)
{
	SQLSMALLINT ncols = 0, namelen;
	SQLCHAR name[256];
	SQLLEN affected = -1;
	const char **cells = NULL;
	size_t *lens = NULL, *caps = NULL, i;
	char **bufs = NULL;
	bool null;
	SQLRETURN r;
	int rc = -1;

	if (!SQL_SUCCEEDED(SQLNumResultCols(h, &ncols)))
		goto diag;
	c->res = result_new(ncols > 0 ? (size_t)ncols : 0);
	if (c->res == NULL)
		goto nomem;
	if (ncols == 0) {
		if (SQL_SUCCEEDED(SQLRowCount(h, &affected)))
			c->res->affected = affected;
		rc = 0;
		goto out;
	}
	cells = calloc((size_t)ncols, sizeof(*cells));
	lens = calloc((size_t)ncols, sizeof(*lens));
	caps = calloc((size_t)ncols, sizeof(*caps));
	bufs = calloc((size_t)ncols, sizeof(*bufs));
	if (cells == NULL || lens == NULL || caps == NULL || bufs == NULL)
		goto nomem;
	for (i = 0; i < (size_t)ncols; i++) {
		if (!SQL_SUCCEEDED(SQLDescribeCol(h, (SQLUSMALLINT)(i + 1), name, sizeof(name),
						  &namelen, NULL, NULL, NULL, NULL)))
			goto diag;
		c->res->colnames[i] = strdup((const char *)name);
		bufs[i] = malloc(OD_CELL_INITIAL);
		caps[i] = OD_CELL_INITIAL;
		if (c->res->colnames[i] == NULL || bufs[i] == NULL)
			goto nomem;
	}
	for (;;) {
		r = SQLFetch(h);
		if (r == SQL_NO_DATA)
			break;
		if (!SQL_SUCCEEDED(r))
			goto diag;
		for (i = 0; i < (size_t)ncols; i++) {
			if (od_get_cell(c, h, (SQLUSMALLINT)(i + 1), &bufs[i], &caps[i], &lens[i],
					&null, cls) != 0)
				goto out;
			cells[i] = null ? NULL : bufs[i];
		}
		if (result_add_row(c->res, cells, lens) != 0)
			goto nomem;
	}
	rc = 0;
	goto out;
diag:
	*cls = od_diag(c, SQL_HANDLE_STMT, h, "odbc: ");
	goto out;
nomem:
	snprintf(c->err, sizeof(c->err), "odbc: out of memory");
	*cls = ODC_ERROR;
out:
	if (bufs != NULL) {
		for (i = 0; i < (size_t)ncols; i++) {
			if (bufs[i] != NULL)
				explicit_bzero(bufs[i], caps[i]);
			free(bufs[i]);
		}
	}
	free(bufs);
	free(caps);
	free(lens);
	free(cells);
	if (rc != 0) {
		result_free(c->res);
		c->res = NULL;
	}
	return rc;
}

/* Is the connection known to be gone? Asked after an error only: some
 * drivers ping the server for it. */
static bool od_dead(struct od_conn *c)
{
	SQLUINTEGER dead = SQL_CD_FALSE;

	return SQL_SUCCEEDED(SQLGetConnectAttr(c->dbc, SQL_ATTR_CONNECTION_DEAD, &dead, 0, NULL)) &&
	       dead == SQL_CD_TRUE;
}

static int od_do_query(struct od_conn *c)
{
	SQLLEN ind[QUERY_MAX_PARAMS];
	SQLSMALLINT np = -1;
	SQLHSTMT h;
	SQLRETURN r;
	enum od_class cls = ODC_ERROR;
	size_t i, len;

	c->lost = false;
	h = od_stmt_get(c, &cls);
	if (h == SQL_NULL_HSTMT)
		goto failed;
	if (SQL_SUCCEEDED(SQLNumParams(h, &np)) && np >= 0 && (size_t)np != c->nparams) {
		snprintf(c->err, sizeof(c->err), "odbc: the driver counts %d placeholders, the "
			 "query gives %zu", (int)np, c->nparams);
		od_stmt_forget(c, h);
		return BACKEND_ERROR;
	}
	for (i = 0; i < c->nparams; i++) {
		len = c->params[i] != NULL ? strlen(c->params[i]) : 0;
		ind[i] = c->params[i] != NULL ? (SQLLEN)len : SQL_NULL_DATA;
		r = SQLBindParameter(h, (SQLUSMALLINT)(i + 1), SQL_PARAM_INPUT, SQL_C_CHAR,
				     SQL_VARCHAR, len > 0 ? len : 1, 0, c->params[i],
				     (SQLLEN)len, &ind[i]);
		if (!SQL_SUCCEEDED(r)) {
			cls = od_diag(c, SQL_HANDLE_STMT, h, "odbc: ");
			goto failed;
		}
	}
	r = SQLExecute(h);
	if (r == SQL_NO_DATA) {
		/* an UPDATE or DELETE that matched nothing */
		c->res = result_new(0);
		if (c->res == NULL) {
			snprintf(c->err, sizeof(c->err), "odbc: out of memory");
			goto failed;
		}
		c->res->affected = 0;
	} else if (!SQL_SUCCEEDED(r)) {
		cls = od_diag(c, SQL_HANDLE_STMT, h, "odbc: ");
		goto failed;
	} else if (od_collect(c, h, &cls) != 0) {
		goto failed;
	}
	SQLFreeStmt(h, SQL_CLOSE);
	SQLFreeStmt(h, SQL_RESET_PARAMS);
	return BACKEND_OK;
failed:
	if (h != SQL_NULL_HSTMT) {
		SQLFreeStmt(h, SQL_CLOSE);
		SQLFreeStmt(h, SQL_RESET_PARAMS);
	}
	if (cls == ODC_ERROR && c->connected && od_dead(c))
		cls = ODC_LOST;
	if (cls == ODC_LOST) {
		c->lost = true;
		return BACKEND_UNAVAILABLE;
	}
	if (cls == ODC_UNAVAILABLE)
		return BACKEND_UNAVAILABLE;
	if (h != SQL_NULL_HSTMT)
		od_stmt_forget(c, h);
	return BACKEND_ERROR;
}

/* The connection's thread: one request at a time, until told to quit or
 * abandoned; then it frees the connection. */
static void *od_thread(void *arg)
{
	struct od_conn *c = arg;
	enum od_state what;
	bool abandoned;
	int rc;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while ((c->state == OD_IDLE || c->state == OD_DONE) && !c->abandoned)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->abandoned || c->state == OD_QUIT)
			break;
		what = c->state;
		pthread_mutex_unlock(&c->mu);
		rc = what == OD_CONNECT ? od_do_connect(c) : od_do_query(c);
		pthread_mutex_lock(&c->mu);
		c->rc = rc;
		c->state = OD_DONE;
		pthread_cond_broadcast(&c->cv);
	}
	abandoned = c->abandoned;
	pthread_mutex_unlock(&c->mu);
	od_conn_free(c);
	if (abandoned) {
		pthread_mutex_lock(&od_abandoned_mu);
		od_abandoned--;
		pthread_mutex_unlock(&od_abandoned_mu);
	}
	return NULL;
}

/* ---- on the worker's side ---- */

/* Tell the connection's thread to disconnect and end; wait for it up to
 * wait_ms, then leave it to finish alone. */
static void od_drop(struct od_backend *ob, int wait_ms)
{
	struct od_conn *c = ob->c;
	struct timespec ts;
	int64_t ms;

	if (c == NULL)
		return;
	ob->c = NULL;
	pthread_mutex_lock(&c->mu);
	c->state = OD_QUIT;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (int64_t)ts.tv_nsec / 1000000 + wait_ms;
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	if (pthread_timedjoin_np(ob->thread, NULL, &ts) != 0)
		pthread_detach(ob->thread);
}

/* Hand the prepared request (c->state = what) to the thread and wait up to
 * wait_ms for its answer. Past that the connection is abandoned to its
 * thread: BACKEND_UNAVAILABLE, err says so. */
static int od_call(struct od_backend *ob, enum od_state what, int wait_ms, const char *doing,
		   char *err, size_t errlen)
{
	struct od_conn *c = ob->c;
	struct timespec ts;
	int64_t ns;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (int64_t)ts.tv_nsec + (int64_t)wait_ms * 1000000;
	ts.tv_sec += (time_t)(ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	pthread_mutex_lock(&c->mu);
	c->state = what;
	pthread_cond_broadcast(&c->cv);
	while (c->state != OD_DONE && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&c->cv, &c->mu, &ts);
	if (c->state != OD_DONE) {
		c->abandoned = true;
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_mutex_lock(&od_abandoned_mu);
		od_abandoned++;
		pthread_mutex_unlock(&od_abandoned_mu);
		pthread_detach(ob->thread);
		ob->c = NULL;
		snprintf(err, errlen, "odbc: %s timed out after %d s (the driver did not "
			 "return; connection abandoned)", doing, (wait_ms - OD_GRACE_MS) / 1000);
		return BACKEND_UNAVAILABLE;
	}
	c->state = OD_IDLE;
	rc = c->rc;
	if (rc != BACKEND_OK)
		snprintf(err, errlen, "%s", c->err);
	explicit_bzero(c->err, sizeof(c->err));
	pthread_mutex_unlock(&c->mu);
	return rc;
}

/* A new connection on a thread of its own. BACKEND_OK or
 * BACKEND_UNAVAILABLE with err. */
static int od_connect(struct od_backend *ob, char *err, size_t errlen)
{
	struct od_conn *c;
	pthread_condattr_t ca;
	int rc, busy;

	pthread_mutex_lock(&od_abandoned_mu);
	busy = od_abandoned;
	pthread_mutex_unlock(&od_abandoned_mu);
	if (busy >= OD_MAX_ABANDONED) {
		snprintf(err, errlen, "odbc: %d connections still wait on a driver that stopped "
			 "answering; not opening another", busy);
		return BACKEND_UNAVAILABLE;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto nomem;
	c->connstr = strdup(ob->connstr);
	c->secrets[0] = ob->password != NULL ? strdup(ob->password) : NULL;
	c->secrets[1] = ob->inline_password != NULL ? strdup(ob->inline_password) : NULL;
	if (c->connstr == NULL || (ob->password != NULL && c->secrets[0] == NULL) ||
	    (ob->inline_password != NULL && c->secrets[1] == NULL)) {
		backend_free_secret(c->connstr);
		backend_free_secret(c->secrets[0]);
		backend_free_secret(c->secrets[1]);
		free(c);
		goto nomem;
	}
	c->connect_timeout = ob->connect_timeout;
	c->query_timeout = ob->query_timeout;
	c->read_only = ob->read_only;
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&ob->thread, NULL, od_thread, c) != 0) {
		od_conn_free(c);
		snprintf(err, errlen, "odbc: cannot start a thread for the connection");
		return BACKEND_UNAVAILABLE;
	}
	ob->c = c;
	rc = od_call(ob, OD_CONNECT, ob->connect_timeout * 1000 + OD_GRACE_MS, "connecting",
		     err, errlen);
	if (rc != BACKEND_OK)
		od_drop(ob, ob->connect_timeout * 1000);
	return rc;
nomem:
	snprintf(err, errlen, "odbc: out of memory");
	return BACKEND_UNAVAILABLE;
}

/* Copy q's text and values into the connection's request. 0, or -1. */
static int od_request_set(struct od_conn *c, const struct query *q, const char *const *params)
{
	size_t i;

	c->sql = strdup(q->sql_qmark);
	if (c->sql == NULL)
		return -1;
	for (i = 0; i < q->nparams; i++) {
		c->secret_param[i] = q->params[i] == QP_PASSWORD_HASH;
		c->params[i] = NULL;
		c->nparams = i + 1;
		if (params[i] != NULL && (c->params[i] = strdup(params[i])) == NULL)
			return -1;
	}
	return 0;
}

static int od_query(struct backend *b, const struct query *q, const char *const *params,
		    struct result **out, char *err, size_t errlen)
{
	struct od_backend *ob = to_od(b);
	struct od_conn *c;
	int64_t started;
	int rc;
	bool lost;

	*out = NULL;
	if (q->nparams > QUERY_MAX_PARAMS) {
		snprintf(err, errlen, "odbc: too many parameters");
		return BACKEND_ERROR;
	}
	if (ob->c == NULL) {
		rc = od_connect(ob, err, errlen);
		if (rc != BACKEND_OK)
			return rc;
	}
	c = ob->c;
	/* the thread is idle: the request fields are ours until od_call */
	if (od_request_set(c, q, params) != 0) {
		od_request_clear(c);
		snprintf(err, errlen, "odbc: out of memory");
		return BACKEND_ERROR;
	}
	started = io_deadline(0);
	rc = od_call(ob, OD_QUERY, ob->query_timeout * 1000 + OD_GRACE_MS, "query", err, errlen);
	if (ob->c == NULL)
		return rc;          /* abandoned: the thread owns c now */
	lost = c->lost;
	if (rc == BACKEND_OK) {
		*out = c->res;
		c->res = NULL;
	}
	od_request_clear(c);
	if (lost) {
		od_drop(ob, ob->connect_timeout * 1000);
		/* a read that ran into the driver's own timeout may end as a lost
		 * connection too: retrying it would double the wait */
		if (io_deadline(0) - started < (int64_t)ob->query_timeout * 1000)
			return BACKEND_LOST;
	}
	return rc;
}

static void od_close(struct backend *b)
{
	struct od_backend *ob = to_od(b);

	if (ob == NULL)
		return;
	od_drop(ob, ob->connect_timeout * 1000);
	backend_free_secret(ob->connstr);
	backend_free_secret(ob->password);
	backend_free_secret(ob->inline_password);
	free(ob);
}

static struct backend *od_open(const struct backend_params *p, char *err, size_t errlen)
{
	struct od_backend *ob;
	struct backend *b = NULL;

	ob = calloc(1, sizeof(*ob));
	if (ob == NULL) {
		snprintf(err, errlen, "odbc: out of memory");
		return NULL;
	}
	ob->connect_timeout = p->connect_timeout;
	ob->query_timeout = p->query_timeout;
	ob->read_only = p->read_only;
	ob->connstr = odbc_connstr_build(p->connection != NULL ? p->connection : "", p->password,
				       &ob->inline_password, err, errlen);
	if (ob->connstr == NULL)
		goto out;
	if (p->password != NULL && (ob->password = strdup(p->password)) == NULL) {
		snprintf(err, errlen, "odbc: out of memory");
		goto out;
	}
	if (od_connect(ob, err, errlen) != BACKEND_OK)
		goto out;
	b = (struct backend *)(void *)ob;
	ob = NULL;
out:
	od_close((struct backend *)(void *)ob);
	return b;
}

/* For LeakSanitizer (sanitized builds): the drivers keep what they read of
 * odbc.ini and odbcinst.ini (through libodbcinst) for the life of the
 * process, allocations made under SQLDriverConnect that are never freed.
 * They are the drivers', not ours (the handles we allocate are outside
 * SQLDriverConnect, and still reported). Once the driver is unloaded its
 * frames have no module name: the SQLDriverConnect frame still matches
 * where stacks are unwound in full (fast_unwind_on_malloc=0). */
__attribute__((used)) const char *__lsan_default_suppressions(void);
__attribute__((used)) const char *__lsan_default_suppressions(void)
{
	return "leak:libsqlite3odbc.so\nleak:psqlodbca.so\nleak:psqlodbcw.so\n"
	       "leak:libmaodbc.so\nleak:libodbcinst.so\nleak:SQLDriverConnect\n";
}

const struct backend_ops backend_odbc_ops = {
	.driver = "odbc",
	.open = od_open,
	.query = od_query,
	.close = od_close,
};
