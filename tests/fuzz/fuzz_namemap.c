/* fuzz_namemap.c: namemap_to_linux over a row of arbitrary cells (what a
 * database returns in username, uid, gid, group and members), and
 * namemap_to_db over arbitrary :username, :uid, :gid and :group, under
 * offsets and flags the first bytes choose. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "namemap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NCOLS 5

/* The id a mapped cell holds, when it reads as one: never less than the
 * offset (never left without it, never wrapped around). */
static void check_id(const char *v, unsigned long offset)
{
	unsigned long long n;
	char *end;

	if (v == NULL || *v < '0' || *v > '9')
		return;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno == 0 && *end == '\0' && n < offset)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cols[NCOLS] = { "username", "uid", "gid", "group", "members" };
	static const unsigned long offsets[] = { 0, 1, 10000, 4294967294UL };
	struct config c;
	struct result *r;
	struct namemap_args db;
	struct query_args a = { 0 };
	const char *cells[NCOLS] = { 0 };
	char *text, *p, err[256];
	size_t i;

	if (size < 1)
		return 0;
	memset(&c, 0, sizeof(c));
	c.fold_case = data[0] & 1;
	c.space_in_names = (data[0] & 2) ? "_" : NULL;
	c.uid_offset = offsets[(data[0] >> 2) & 3];
	c.gid_offset = offsets[(data[0] >> 4) & 3];
	/* the rest: cells separated by NUL bytes; a cell "\x01" is SQL NULL */
	text = malloc(size);
	if (text == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	for (i = 0, p = text; i < NCOLS && p < text + size - 1; i++) {
		cells[i] = strcmp(p, "\x01") == 0 ? NULL : p;
		p += strlen(p) + 1;
	}
	r = result_new(NCOLS);
	if (r == NULL)
		goto out;
	for (i = 0; i < NCOLS; i++)
		r->colnames[i] = strdup(cols[i]);
	if (result_add_row(r, cells, NULL) == 0 && namemap_to_linux(&c, r) == 0) {
		check_id(result_cell(r, 0, 1), c.uid_offset);
		check_id(result_cell(r, 0, 2), c.gid_offset);
	}
	result_free(r);
	a.v[QP_USERNAME] = cells[0];
	a.v[QP_UID] = cells[1];
	a.v[QP_GID] = cells[2];
	a.v[QP_GROUP] = cells[3];
	if (namemap_to_db(&c, &a, &db, err, sizeof(err)) == 0) {
		for (i = 0; i < QP_COUNT_; i++)
			if (db.a.v[i] != NULL && strlen(db.a.v[i]) > strlen(a.v[i]))
				abort();  /* a mapped value is never longer */
	} else if (strlen(err) >= sizeof(err)) {
		abort();
	}
out:
	free(text);
	return 0;
}
