/* backend.c: the buffered result every engine fills, the driver table, and
 * the engines' handling of secrets in memory and in error messages.
 *
 * Cells may hold password hashes, so result_free() wipes them before freeing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend.h"

int result_column(const struct result *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ncols; i++)
		if (r->colnames[i] != NULL && strcasecmp(r->colnames[i], name) == 0)
			return i > INT32_MAX ? -1 : (int)i;
	return -1;
}

/* Column names are filled in by the engine: colnames[i] = malloc'd string,
 * owned (and freed) by the result. */
struct result *result_new(size_t ncols)
{
	struct result *r;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->ncols = ncols;
	r->affected = -1;
	/* One slot at least, so a column-less result (UPDATE) is not NULL. */
	r->colnames = calloc(ncols > 0 ? ncols : 1, sizeof(*r->colnames));
	if (r->colnames == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

/* The cell array holds room for a power of two of rows, so it grows when
 * nrows reaches one: amortised O(1) without a capacity field. */
static int result_reserve_row(struct result *r)
{
	size_t rows, n;
	char **cells;

	if (r->nrows != 0 && (r->nrows & (r->nrows - 1)) != 0)
		return 0;
	rows = r->nrows == 0 ? 1 : r->nrows * 2;
	if (rows < r->nrows || rows > SIZE_MAX / sizeof(*cells) / r->ncols)
		return -1;
	n = rows * r->ncols;
	cells = realloc(r->cells, n * sizeof(*cells));
	if (cells == NULL)
		return -1;
	r->cells = cells;
	return 0;
}

/* lens may be NULL: each non-NULL cell is then a NUL-terminated string. */
int result_add_row(struct result *r, const char *const *cells, const size_t *lens)
{
	char **row;
	size_t i, len;
	int rc = -1;

	if (r->ncols == 0) {
		r->nrows++;
		return 0;
	}
	if (result_reserve_row(r) != 0)
		goto out;
	row = r->cells + r->nrows * r->ncols;
	for (i = 0; i < r->ncols; i++) {
		row[i] = NULL;
		if (cells[i] == NULL)
			continue;
		len = lens != NULL ? lens[i] : strlen(cells[i]);
		if (len == SIZE_MAX)
			goto undo;
		row[i] = malloc(len + 1);
		if (row[i] == NULL)
			goto undo;
		memcpy(row[i], cells[i], len);
		row[i][len] = '\0';
	}
	r->nrows++;
	rc = 0;
	goto out;
undo:
	while (i-- > 0) {
		if (row[i] != NULL)
			explicit_bzero(row[i], strlen(row[i]));
		free(row[i]);
	}
out:
	return rc;
}

void result_free(struct result *r)
{
	size_t i, n;

	if (r == NULL)
		return;
	n = r->nrows * r->ncols;
	for (i = 0; i < n; i++) {
		if (r->cells[i] != NULL)
			explicit_bzero(r->cells[i], strlen(r->cells[i]));
		free(r->cells[i]);
	}
	free(r->cells);
	for (i = 0; i < r->ncols; i++)
		free(r->colnames[i]);
	free(r->colnames);
	free(r);
}

static const struct backend_ops *const backends[] = {
	&backend_pgsql_ops,
	&backend_mysql_ops,
	&backend_sqlite_ops,
	&backend_http_ops,
	&backend_odbc_ops,
	&backend_exec_ops,
};

const struct backend_ops *backend_lookup(const char *driver)
{
	size_t i;

	if (driver == NULL)
		return NULL;
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(backends[i]->driver, driver) == 0)
			return backends[i];
	return NULL;
}

/* ---- secrets (backend.h) ---- */

void backend_free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Replace every occurrence of secret in s with "***". */
static void redact(char *s, const char *secret)
{
	size_t n;
	char *p;

	if (secret == NULL || (n = strlen(secret)) < 3)
		return;
	while ((p = strstr(s, secret)) != NULL) {
		memcpy(p, "***", 3);
		memmove(p + 3, p + n, strlen(p + n) + 1);
	}
}

void backend_set_err(char *err, size_t errlen, const char *prefix, const char *msg,
		     int first_line, const char *const *secrets, size_t nsecrets)
{
	size_t plen, mlen, i, o = 0;
	char *buf;

	if (errlen == 0)
		return;
	if (msg == NULL)
		msg = "";
	plen = strlen(prefix);
	mlen = strlen(msg);
	buf = malloc(plen + 2 * mlen + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "%s(out of memory)", prefix);
		return;
	}
	memcpy(buf, prefix, plen);
	o = plen;
	for (i = 0; i < mlen; i++) {
		if (msg[i] != '\n') {
			buf[o++] = msg[i] == '\t' ? ' ' : msg[i];
			continue;
		}
		if (first_line)
			break;
		while (i + 1 < mlen && (msg[i + 1] == '\n' || msg[i + 1] == '\t' ||
					msg[i + 1] == ' '))
			i++;
		if (i + 1 < mlen) {
			buf[o++] = ';';
			buf[o++] = ' ';
		}
	}
	while (o > plen && (buf[o - 1] == ' ' || buf[o - 1] == '\r'))
		o--;
	buf[o] = '\0';
	for (i = 0; i < nsecrets; i++)
		redact(buf + plen, secrets[i]);
	snprintf(err, errlen, "%s", buf);
	explicit_bzero(buf, o);
	free(buf);
}
