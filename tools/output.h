/* output.h: the tool's output, as "key: value" lines for people or as JSON
 * (--json) for programs, from the same calls. */
#ifndef CUSTOMDB_OUTPUT_H
#define CUSTOMDB_OUTPUT_H

#include <stdbool.h>

#define OUT_MAX_DEPTH 16

struct out {
	bool json;
	int depth;
	bool first[OUT_MAX_DEPTH];   /* no comma needed yet at this depth */
	bool array[OUT_MAX_DEPTH];   /* this depth is an array */
	bool inline_arr;             /* human: items of a scalar array on one line */
};

void out_begin(struct out *o, bool json);
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

#endif
