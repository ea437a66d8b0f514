/* fuzz_query.c: query_parse over arbitrary text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *out[QUERY_MAX_PARAMS];
	struct query_args a = { .v = { "u", "1", "2", "g", "h", "e" } };
	char *sql = malloc(size + 1);
	struct query q = { 0 };
	char err[256];

	if (sql == NULL)
		return 0;
	memcpy(sql, data, size);
	sql[size] = '\0';
	if (query_parse(&q, "fuzz", sql, err, sizeof(err)) == 0) {
		/* placeholders are never longer than the names they replace */
		if (q.nparams > QUERY_MAX_PARAMS || strlen(q.sql_dollar) > strlen(sql) ||
		    strlen(q.sql_qmark) > strlen(sql))
			abort();
		query_bind(&q, &a, out);
	}
	query_clear(&q);
	free(sql);
	return 0;
}
