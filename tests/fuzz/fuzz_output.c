/* fuzz_output.c: out_utf8 (tools/output.c) over arbitrary bytes: what it
 * gives is always UTF-8 that jansson takes, and it is the input itself
 * exactly when the input was UTF-8. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *copy = NULL;
	const char *u;
	json_t *in, *out;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	u = out_utf8(s, &copy);
	if (u != NULL) {
		in = json_string(s);
		out = json_string(u);
		if (out == NULL || (in != NULL) != (u == s) || (copy == NULL) != (u == s))
			abort();
		json_decref(in);
		json_decref(out);
	}
	free(copy);
	free(s);
	return 0;
}
