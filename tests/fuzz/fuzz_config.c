/* fuzz_config.c: config_parse_string over arbitrary text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char err[256] = "";
	struct config *c;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	c = config_parse_string(text, "fuzz.conf", err, sizeof(err));
	/* on failure there is always a message */
	if (c == NULL && err[0] == '\0')
		abort();
	config_free(c);
	free(text);
	return 0;
}
