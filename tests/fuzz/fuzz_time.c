/* fuzz_time.c: map_parse_time (connector/mapping.c), the expires,
 * disabled_until and password_expires reader, over arbitrary bytes: what
 * it takes is between 0 and 12 digits of epoch seconds, and MediaWiki's
 * 14-digit form reads as the same moment written YYYY-MM-DD HH:MM:SS. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), iso[32];
	int64_t t = -1, t2 = -1;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (map_parse_time(s, &t) == 0) {
		if (t < 0 || t > 999999999999LL)
			abort();
		if (size == 14 && strspn(s, "0123456789") == 14) {
			snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s %.2s:%.2s:%.2s", s, s + 4, s + 6,
				 s + 8, s + 10, s + 12);
			if (map_parse_time(iso, &t2) != 0 || t2 != t)
				abort();
		}
	}
	free(s);
	return 0;
}
