/* store_pgsql_array.c: PostgreSQL array literals, the parameters that carry
 * a whole batch of users to the server in one statement. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "store_pgsql_int.h"

/* Room for `more` bytes after what is there; false once memory ran out. */
static bool arr_room(struct arr *a, size_t more)
{
	size_t cap = a->cap > 0 ? a->cap : 256;
	char *grown;

	if (a->failed)
		return false;
	if (a->cap - a->len >= more)
		return true;
	while (cap - a->len < more) {
		if (cap > SIZE_MAX / 2) {
			a->failed = true;
			return false;
		}
		cap *= 2;
	}
	grown = malloc(cap);
	if (grown == NULL) {
		a->failed = true;
		return false;
	}
	if (a->len > 0)
		memcpy(grown, a->s, a->len);
	secret_wipe(a->s, a->cap);
	free(a->s);
	a->s = grown;
	a->cap = cap;
	return true;
}

void arr_add(struct arr *a, const char *v)
{
	const char *c;

	/* separator, quotes, every byte escaped, and "}" with its NUL */
	if (!arr_room(a, (v == NULL ? 4 : 2 * strlen(v) + 2) + 3))
		return;
	a->s[a->len] = a->len == 0 ? '{' : ',';
	a->len++;
	if (v == NULL) {
		memcpy(a->s + a->len, "NULL", 4);
		a->len += 4;
		return;
	}
	a->s[a->len++] = '"';
	for (c = v; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			a->s[a->len++] = '\\';
		a->s[a->len++] = *c;
	}
	a->s[a->len++] = '"';
}

void arr_num(struct arr *a, long long v)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", v);
	arr_add(a, num);
}

const char *arr_text(struct arr *a)
{
	if (!arr_room(a, 3))
		return NULL;
	if (a->len == 0) {
		memcpy(a->s, "{}", 3);
		return a->s;
	}
	a->s[a->len] = '}';
	a->s[a->len + 1] = '\0';
	return a->s;
}

void arr_free(struct arr *a)
{
	secret_wipe(a->s, a->cap);
	free(a->s);
	memset(a, 0, sizeof(*a));
}
