/* output.h: the tool's output, as "key: value" lines for people or as JSON
 * (--json) for programs, from the same calls.
 *
 * JSON is built with jansson and printed whole, on one line, by out_end.
 * JSON text is UTF-8: a key or a value that is not (a Latin-1 gecos from
 * the legacy database) is shown with U+FFFD in place of each byte that is
 * not part of a valid UTF-8 sequence, and said on standard error; its bytes
 * are never passed through. The lines for people show the bytes as they
 * are. */
#ifndef CUSTOMDB_OUTPUT_H
#define CUSTOMDB_OUTPUT_H

#include <stdbool.h>

#define OUT_MAX_DEPTH 16

struct json_t;

struct out {
	bool json;
	int depth;
	bool first[OUT_MAX_DEPTH];   /* human: nothing printed yet at this depth */
	bool array[OUT_MAX_DEPTH];   /* this depth is an array */
	bool inline_arr;             /* human: items of a scalar array on one line */
	bool failed;                 /* json: out of memory, the document is cut */
	struct json_t *root;         /* json: the document, printed by out_end */
	struct json_t *node[OUT_MAX_DEPTH];  /* json: the open object or array */
};

void out_begin(struct out *o, bool json);
/* Print the JSON document (if json) and flush. */
void out_end(struct out *o);
/* key is NULL inside an array or for the outermost object. */
void out_obj_begin(struct out *o, const char *key);
void out_obj_end(struct out *o);
void out_arr_begin(struct out *o, const char *key);
void out_arr_end(struct out *o);
/* v NULL: JSON null, and nothing printed for people. */
void out_str(struct out *o, const char *key, const char *v);
void out_int(struct out *o, const char *key, long long v);
void out_bool(struct out *o, const char *key, bool v);
void out_item(struct out *o, const char *v);
void out_int_item(struct out *o, long long v);

/* s as UTF-8: s itself when it is valid UTF-8, else a copy with U+FFFD in
 * place of each byte that does not belong to a valid sequence, which the
 * caller frees (*copy; NULL when s is returned). NULL when out of memory. */
const char *out_utf8(const char *s, char **copy);

#endif
