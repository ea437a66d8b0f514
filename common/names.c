/* names.c: see names.h. */
#include "names.h"

#include <string.h>

/* Per byte: NAME_OK allowed in a name, NAME_DIGIT a digit; a table, since
 * every NSS look-up checks its name. */
enum { NAME_OK = 1, NAME_DIGIT = 2 };
#define D10 3, 3, 3, 3, 3, 3, 3, 3, 3, 3
#define L10 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char name_chars[256] = {
	['-'] = 1, ['.'] = 1, ['@'] = 1, ['_'] = 1,
	['0'] = D10,
	['A'] = L10, L10, 1, 1, 1, 1, 1, 1,
	['a'] = L10, L10, 1, 1, 1, 1, 1, 1,
};
#undef D10
#undef L10

bool cdb_name_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned all = NAME_OK | NAME_DIGIT, f;
	size_t i;

	if (s == NULL || n == 0 || n > CDB_NAME_MAX)
		return false;
	if (u[0] == '-' || u[0] == '.')
		return false;
	if (n == 4 && memcmp(s, "root", 4) == 0)
		return false;
	/* a trailing '$' (Samba machine accounts) after at least one byte */
	if (n > 1 && u[n - 1] == '$')
		n--;
	for (i = 0; i < n; i++) {
		f = name_chars[u[i]];
		if (f == 0)
			return false;
		all &= f;
	}
	/* all digits: it would read as a uid */
	return (all & NAME_DIGIT) == 0;
}
