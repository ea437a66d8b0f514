/* namemap.c: see namemap.h. */
#include "namemap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool namemap_active(const struct config *c)
{
	return c->space_in_names != NULL || c->fold_case || c->uid_offset != 0 ||
	       c->gid_offset != 0;
}

/* ASCII only, whatever the locale: a name the database holds in another
 * script is not folded (Linux names are ASCII anyway, names.h). */
static void fold(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Every `from` in s turned into `to`, in place. */
static void swap(char *s, char from, char to)
{
	for (; *s != '\0'; s++)
		if (*s == from)
			*s = to;
}

void namemap_fold(const struct config *c, char *name)
{
	if (c->fold_case)
		fold(name);
}

const char *namemap_name(const struct config *c, const char *name, char *buf)
{
	size_t n;

	if (!c->fold_case || name == NULL || (n = strlen(name)) > NAMEMAP_NAME_MAX)
		return name;
	memcpy(buf, name, n + 1);
	fold(buf);
	return buf;
}

/* v as a number: all digits, the form mapping.c reads an id in (leading
 * zeros too). -1 for anything else, and for a number past 2^64, which
 * mapping.c refuses as it stands. */
static int parse_id(const char *v, unsigned long long *out)
{
	char *end;

	if (v == NULL || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

int namemap_to_db(const struct config *c, const struct query_args *a, struct namemap_args *out,
		  char *err, size_t errlen)
{
	static const enum query_param names[] = { QP_USERNAME, QP_GROUP };
	static const enum query_param ids[] = { QP_UID, QP_GID };
	const unsigned long offset[] = { c->uid_offset, c->gid_offset };
	unsigned long long n;
	size_t i;

	out->a = *a;
	for (i = 0; i < 2; i++) {
		const char *v = a->v[names[i]];

		if (v == NULL || strlen(v) > NAMEMAP_NAME_MAX)
			continue;
		memcpy(out->names[i], v, strlen(v) + 1);
		if (c->fold_case)
			fold(out->names[i]);
		if (c->space_in_names != NULL)
			swap(out->names[i], c->space_in_names[0], ' ');
		out->a.v[names[i]] = out->names[i];
	}
	for (i = 0; i < 2; i++) {
		const char *v = a->v[ids[i]];

		if (offset[i] == 0 || parse_id(v, &n) != 0)
			continue;
		if (n < offset[i]) {
			snprintf(err, errlen, "%s %s is below [legacy] %s_offset %lu: the database "
				 "holds no such id", query_param_name(ids[i]), v,
				 query_param_name(ids[i]), offset[i]);
			return -1;
		}
		snprintf(out->ids[i], sizeof(out->ids[i]), "%llu", n - offset[i]);
		out->a.v[ids[i]] = out->ids[i];
	}
	return 0;
}

/* Add offset to every number in column col of r. 0, or -1 when out of
 * memory. */
static int add_offset(struct result *r, int col, unsigned long offset)
{
	unsigned long long n;
	char buf[24], *cell, **at;
	size_t row;

	for (row = 0; col >= 0 && offset != 0 && row < r->nrows; row++) {
		at = &r->cells[row * r->ncols + (size_t)col];
		if (parse_id(*at, &n) != 0)
			continue;  /* NULL, not a number, or past any id: mapping.c refuses */
		/* no wrap-around: past 2^64 is past any uid too */
		if (n > 18446744073709551615ULL - offset)
			n = 18446744073709551615ULL;
		else
			n += offset;
		snprintf(buf, sizeof(buf), "%llu", n);
		cell = strdup(buf);
		if (cell == NULL)
			return -1;
		free(*at);
		*at = cell;
	}
	return 0;
}

int namemap_to_linux(const struct config *c, struct result *r)
{
	static const char *const cols[] = { "username", "group", "members" };
	size_t i, row;
	char *v;
	int col;

	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		col = result_column(r, cols[i]);
		for (row = 0; col >= 0 && row < r->nrows; row++) {
			v = r->cells[row * r->ncols + (size_t)col];
			if (v == NULL)
				continue;
			if (c->space_in_names != NULL)
				swap(v, ' ', c->space_in_names[0]);
			if (c->fold_case)
				fold(v);
		}
	}
	if (add_offset(r, result_column(r, "uid"), c->uid_offset) != 0 ||
	    add_offset(r, result_column(r, "gid"), c->gid_offset) != 0)
		return -1;
	return 0;
}
