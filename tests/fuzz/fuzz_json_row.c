/* fuzz_json_row.c: json_rows_parse over arbitrary bytes (a web service's or
 * an action script's answer). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_row.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result *r = NULL;
	char err[256];
	size_t row, col, total = 0;
	int rc;

	rc = json_rows_parse((const char *)data, size, 1 << 16, &r, err, sizeof(err));
	if ((rc == JSON_ROW_OK) != (r != NULL) || strlen(err) >= sizeof(err))
		abort();
	if (r == NULL)
		return 0;
	if (r->ncols > JSON_ROW_MAX_COLS)
		abort();
	/* every column can be found by its name; every cell is a string */
	for (col = 0; col < r->ncols; col++)
		if (result_column(r, r->colnames[col]) < 0)
			abort();
	for (row = 0; row < r->nrows; row++)
		for (col = 0; col < r->ncols; col++) {
			const char *v = result_cell(r, row, col);

			if (v != NULL)
				total += strlen(v);
		}
	if (total == SIZE_MAX)
		abort();
	result_free(r);
	return 0;
}
