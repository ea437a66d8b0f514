/* json_row.c: see json_row.h. jansson parses and writes; this file only
 * decides what a JSON value may mean as a cell.
 *
 * A parsed answer holds password hashes, and a request object may hold a
 * password: jansson is given a free() that wipes what it frees. */
#include "json_row.h"

#include <inttypes.h>
#include <jansson.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void wiping_free(void *p)
{
	if (p != NULL) {
		explicit_bzero(p, malloc_usable_size(p));
		free(p);
	}
}

static pthread_once_t alloc_once = PTHREAD_ONCE_INIT;

static void set_alloc(void)
{
	json_set_alloc_funcs(malloc, wiping_free);
}

const char *json_row_rc_name(int rc)
{
	switch (rc) {
	case JSON_ROW_OK: return "ok";
	case JSON_ROW_TOO_BIG: return "answer too big";
	case JSON_ROW_SYNTAX: return "not JSON";
	case JSON_ROW_SHAPE: return "not a JSON object or array of objects";
	case JSON_ROW_TYPE: return "a field of a type no column takes";
	case JSON_ROW_NOMEM: return "out of memory";
	}
	return "?";
}

/* What went wrong in jansson's words, without its text (which quotes the
 * input near the error). */
static const char *syntax_what(const json_error_t *e)
{
	switch (json_error_code(e)) {
	case json_error_invalid_utf8: return "invalid UTF-8";
	case json_error_numeric_overflow: return "a number out of range";
	case json_error_premature_end_of_input: return "the answer ends early";
	case json_error_end_of_input_expected: return "more after the JSON value";
	case json_error_duplicate_key: return "a field named twice";
	case json_error_null_character: return "a NUL character";
	case json_error_null_byte_in_key: return "a NUL character in a field name";
	default: return "invalid syntax";
	}
}

struct cols {
	const char *name[JSON_ROW_MAX_COLS];
	size_t n;
};

/* Index of name among the columns (case-insensitive, as result_column
 * matches), or -1. */
static int col_find(const struct cols *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcasecmp(c->name[i], name) == 0)
			return (int)i;
	return -1;
}

/* Add the field names of row to c. JSON_ROW_OK, JSON_ROW_SHAPE (not an
 * object), JSON_ROW_TOO_BIG. */
static int col_collect(struct cols *c, json_t *row, size_t index, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	if (!json_is_object(row)) {
		snprintf(err, errlen, "element %zu is not an object", index);
		return JSON_ROW_SHAPE;
	}
	json_object_foreach(row, key, v) {
		if (col_find(c, key) >= 0)
			continue;
		if (c->n == JSON_ROW_MAX_COLS) {
			snprintf(err, errlen, "more than %d distinct fields", JSON_ROW_MAX_COLS);
			return JSON_ROW_TOO_BIG;
		}
		c->name[c->n++] = key;
	}
	return JSON_ROW_OK;
}

/* An array of strings and integers, joined by commas, into *out
 * (malloc'd). JSON_ROW_OK, JSON_ROW_TYPE, JSON_ROW_NOMEM. */
static int cell_join(json_t *a, char **out)
{
	size_t i, len = 0, o = 0;
	json_t *e;
	char *s;

	json_array_foreach(a, i, e) {
		if (json_is_string(e)) {
			const char *v = json_string_value(e);
			size_t n = json_string_length(e);

			if (memchr(v, ',', n) != NULL || memchr(v, '\0', n) != NULL)
				return JSON_ROW_TYPE;
			len += n + 1;
		} else if (json_is_integer(e)) {
			len += 24;
		} else {
			return JSON_ROW_TYPE;
		}
	}
	s = malloc(len + 1);
	if (s == NULL)
		return JSON_ROW_NOMEM;
	json_array_foreach(a, i, e) {
		if (i > 0)
			s[o++] = ',';
		if (json_is_string(e)) {
			memcpy(s + o, json_string_value(e), json_string_length(e));
			o += json_string_length(e);
		} else {
			o += (size_t)snprintf(s + o, 24, "%" JSON_INTEGER_FORMAT, json_integer_value(e));
		}
	}
	s[o] = '\0';
	*out = s;
	return JSON_ROW_OK;
}

/* The text of one field's value: *cell and *len point into v (strings) or
 * into *owned (malloc'd; numbers, booleans, arrays); *cell NULL for null.
 * JSON_ROW_OK, JSON_ROW_TYPE, JSON_ROW_NOMEM. */
static int cell_text(json_t *v, const char **cell, size_t *len, char **owned)
{
	char num[40];
	int rc;

	*cell = NULL;
	*owned = NULL;
	switch (json_typeof(v)) {
	case JSON_NULL:
		return JSON_ROW_OK;
	case JSON_STRING:
		*cell = json_string_value(v);
		*len = json_string_length(v);
		return memchr(*cell, '\0', *len) != NULL ? JSON_ROW_TYPE : JSON_ROW_OK;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		snprintf(num, sizeof(num), "%s", json_is_true(v) ? "true" : "false");
		break;
	case JSON_ARRAY:
		rc = cell_join(v, owned);
		if (rc != JSON_ROW_OK)
			return rc;
		*cell = *owned;
		*len = strlen(*owned);
		return JSON_ROW_OK;
	default:
		return JSON_ROW_TYPE;
	}
	*owned = strdup(num);
	if (*owned == NULL)
		return JSON_ROW_NOMEM;
	*cell = *owned;
	*len = strlen(num);
	return JSON_ROW_OK;
}

/* Append the row of object obj to r, whose columns are c. */
static int add_row(struct result *r, const struct cols *c, json_t *obj, size_t index, char *err,
		   size_t errlen)
{
	const char *cells[JSON_ROW_MAX_COLS] = { 0 };
	size_t lens[JSON_ROW_MAX_COLS] = { 0 };
	char *owned[JSON_ROW_MAX_COLS] = { 0 };
	bool set[JSON_ROW_MAX_COLS] = { false };
	const char *key;
	json_t *v;
	size_t i;
	int rc = JSON_ROW_OK, col;

	json_object_foreach(obj, key, v) {
		col = col_find(c, key);
		if (set[col]) {
			snprintf(err, errlen, "row %zu: field names differ only in case", index);
			rc = JSON_ROW_SHAPE;
			goto out;
		}
		set[col] = true;
		rc = cell_text(v, &cells[col], &lens[col], &owned[col]);
		if (rc == JSON_ROW_TYPE)
			snprintf(err, errlen, "row %zu: field '%.64s' is %s", index, key,
				 json_is_object(v) ? "an object" : json_is_array(v) ?
				 "an array of something other than strings and integers (or "
				 "holding a comma)" : "a string holding NUL");
		if (rc != JSON_ROW_OK)
			goto out;
	}
	if (result_add_row(r, cells, lens) != 0)
		rc = JSON_ROW_NOMEM;
out:
	for (i = 0; i < c->n; i++)
		wiping_free(owned[i]);
	return rc;
}

struct result *json_rows_none(void)
{
	static const char *const keys[] = { "username", "uid", "group", "gid" };
	struct result *r = result_new(4);
	size_t i;

	if (r == NULL)
		return NULL;
	for (i = 0; i < 4; i++) {
		r->colnames[i] = strdup(keys[i]);
		if (r->colnames[i] == NULL) {
			result_free(r);
			return NULL;
		}
	}
	return r;
}

/* Long: parse, then the shape, the columns, and the rows, each with its
 * own error. */
int json_rows_parse(const char *buf, size_t len, size_t max_len, struct result **out, char *err,
		    size_t errlen)
{
	struct cols c = { .n = 0 };
	struct result *r = NULL;
	json_error_t je;
	json_t *root = NULL, *row;
	size_t nrows, i;
	int rc;

	*out = NULL;
	err[0] = '\0';
	pthread_once(&alloc_once, set_alloc);
	if (len > max_len) {
		snprintf(err, errlen, "%zu bytes, more than the %zu allowed", len, max_len);
		return JSON_ROW_TOO_BIG;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (root == NULL) {
		snprintf(err, errlen, "%s at line %d, column %d", syntax_what(&je), je.line,
			 je.column);
		return JSON_ROW_SYNTAX;
	}
	if (json_is_object(root)) {
		nrows = 1;
		rc = col_collect(&c, root, 0, err, errlen);
	} else if (json_is_array(root)) {
		nrows = json_array_size(root);
		rc = JSON_ROW_OK;
		json_array_foreach(root, i, row) {
			rc = col_collect(&c, row, i, err, errlen);
			if (rc != JSON_ROW_OK)
				break;
		}
	} else {
		snprintf(err, errlen, "the answer is a JSON %s, not an object or an array of objects",
			 json_is_string(root) ? "string" : json_is_number(root) ? "number" :
			 json_is_null(root) ? "null" : "boolean");
		rc = JSON_ROW_SHAPE;
	}
	if (rc != JSON_ROW_OK)
		goto out;
	if (nrows == 0) {
		r = json_rows_none();
		rc = r != NULL ? JSON_ROW_OK : JSON_ROW_NOMEM;
		goto out;
	}
	if (c.n > 0 && nrows > JSON_ROW_MAX_CELLS / c.n) {
		snprintf(err, errlen, "%zu rows of %zu fields, more than %u cells", nrows, c.n,
			 JSON_ROW_MAX_CELLS);
		rc = JSON_ROW_TOO_BIG;
		goto out;
	}
	r = result_new(c.n);
	if (r == NULL) {
		rc = JSON_ROW_NOMEM;
		goto out;
	}
	for (i = 0; i < c.n; i++) {
		r->colnames[i] = strdup(c.name[i]);
		if (r->colnames[i] == NULL) {
			rc = JSON_ROW_NOMEM;
			goto out;
		}
	}
	if (json_is_object(root)) {
		rc = add_row(r, &c, root, 0, err, errlen);
	} else {
		json_array_foreach(root, i, row) {
			rc = add_row(r, &c, row, i, err, errlen);
			if (rc != JSON_ROW_OK)
				break;
		}
	}
out:
	if (rc == JSON_ROW_NOMEM)
		snprintf(err, errlen, "out of memory");
	if (rc == JSON_ROW_OK) {
		*out = r;
		r = NULL;
	}
	result_free(r);
	json_decref(root);
	return rc;
}

char *json_params_object(const struct query *q, const char *const *values, const char *action)
{
	json_t *obj, *v;
	char *s = NULL;
	size_t i;

	pthread_once(&alloc_once, set_alloc);
	obj = json_object();
	if (obj == NULL)
		return NULL;
	if (action != NULL && json_object_set_new(obj, "action", json_string(action)) != 0)
		goto out;
	for (i = 0; i < q->nparams; i++) {
		const char *name = query_param_name(q->params[i]);

		if (json_object_get(obj, name) != NULL)
			continue;
		v = values[i] != NULL ? json_string(values[i]) : json_null();
		if (json_object_set_new(obj, name, v) != 0)
			goto out;
	}
	s = json_dumps(obj, JSON_COMPACT);
out:
	json_decref(obj);
	return s;
}
