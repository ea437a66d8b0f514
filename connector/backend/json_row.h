/* json_row.h: a JSON answer as the backend's buffered result, and a
 * request's named parameters as a JSON object, for the drivers whose source
 * answers in JSON (http: a web service; exec: an action script).
 *
 * An answer is one object (one row) or an array of objects (one row each).
 * A field is a column, matched by name as an SQL column is (result_column):
 * a string is its text, a number its decimal text, true and false are
 * "true" and "false", null or a missing field is SQL NULL, and an array of
 * strings and numbers is its elements joined by commas (a group's
 * `members`). Anything else -- a nested object, an array in an array, a
 * string holding NUL, an array element holding a comma -- is refused: an
 * answer is never guessed at. Error messages give a position, never the
 * answer's bytes (they may hold a password hash). */
#ifndef CUSTOMDB_JSON_ROW_H
#define CUSTOMDB_JSON_ROW_H

#include <stddef.h>

#include "backend.h"
#include "query.h"

/* Distinct field names in one answer; more is JSON_ROW_TOO_BIG. */
#define JSON_ROW_MAX_COLS 64
/* Rows times columns in one answer; more is JSON_ROW_TOO_BIG. */
#define JSON_ROW_MAX_CELLS (1u << 22)

enum json_row_rc {
	JSON_ROW_OK = 0,
	JSON_ROW_TOO_BIG = -1,  /* over max_len bytes, or too many fields or cells */
	JSON_ROW_SYNTAX = -2,   /* not JSON (invalid UTF-8, a number out of range included) */
	JSON_ROW_SHAPE = -3,    /* JSON, but not an object or an array of objects */
	JSON_ROW_TYPE = -4,     /* a field whose value no column can take */
	JSON_ROW_NOMEM = -5,
};

/* Text of an enum json_row_rc, for logs ("not JSON", ...). */
const char *json_row_rc_name(int rc);

/* Parse the len bytes at buf (no NUL needed) into *out, a result the caller
 * frees with result_free. More than max_len bytes is JSON_ROW_TOO_BIG
 * without parsing. Columns come in the order their names first appear; an
 * empty array gives json_rows_none(). On failure *out is NULL and err says
 * what and where (line, column), without the answer's bytes. */
int json_rows_parse(const char *buf, size_t len, size_t max_len, struct result **out, char *err,
		    size_t errlen);

/* A result of no rows that still has the key columns the connector looks
 * for (username, uid, group, gid): how "no such user or group" reads.
 * NULL on ENOMEM. */
struct result *json_rows_none(void);

/* A JSON object, as a malloc'd NUL-terminated string for the caller to
 * free (and wipe: it may hold a hash), of q's named parameters and their
 * values (values[i] for the i-th occurrence, as query_bind fills them):
 * {"username": "alice", "uid": "10001"}. A parameter named twice appears
 * once; a NULL value is null. action, when not NULL, is added as
 * "action": action. NULL on ENOMEM or when a value is not UTF-8. */
char *json_params_object(const struct query *q, const char *const *values, const char *action);

#endif
