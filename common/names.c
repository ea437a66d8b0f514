/* names.c: see names.h. */
#include "names.h"

#include <string.h>

/* 1: allowed in a name; a table, since every NSS look-up checks its name */
#define R10 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char name_chars[256] = {
	['-'] = 1, ['.'] = 1, ['@'] = 1, ['_'] = 1,
	['0'] = R10,
	['A'] = R10, R10, 1, 1, 1, 1, 1, 1,
	['a'] = R10, R10, 1, 1, 1, 1, 1, 1,
};
#undef R10

static bool name_char(unsigned char c)
{
	return name_chars[c] != 0;
}

bool cdb_name_valid(const char *s, size_t n)
{
	bool all_digits = true;
	size_t i;

	if (s == NULL || n == 0 || n > CDB_NAME_MAX)
		return false;
	if (s[0] == '-' || s[0] == '.')
		return false;
	if (n == 4 && memcmp(s, "root", 4) == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '$' && i == n - 1 && i > 0)
			continue;
		if (!name_char(c))
			return false;
		if (c < '0' || c > '9')
			all_digits = false;
	}
	return !all_digits;
}
