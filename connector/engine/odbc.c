/* odbc.c: see odbc.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "odbc.h"

/* Is the attribute key klen bytes at k the password's? */
static bool od_key_is_password(const char *k, size_t klen)
{
	return (klen == 3 && strncasecmp(k, "PWD", 3) == 0) ||
	       (klen == 8 && strncasecmp(k, "PASSWORD", 8) == 0);
}

/* Append s[0..n) to out at *o (out has room: see odbc_connstr_build). */
static void od_put(char *out, size_t *o, const char *s, size_t n)
{
	memcpy(out + *o, s, n);
	*o += n;
}

/* n bytes at s, with each }} made }, malloc'd; NULL on ENOMEM. */
static char *od_unbrace(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		out[o++] = s[i];
		if (s[i] == '}' && i + 1 < n && s[i + 1] == '}')
			i++;
	}
	out[o] = '\0';
	return out;
}

/* Long: one pass over the key=value pairs, with the braced value's scan and
 * the password's removal in line; apart, they would share five cursors
 * (tests/unit/test_odbc.c and fuzz_odbc hold it to its rules). */
char *odbc_connstr_build(const char *conn, const char *password, char **inline_pw,
			 char *err, size_t errlen)
{
	size_t len = strlen(conn), plen = password != NULL ? strlen(password) : 0, o = 0;
	size_t i = 0, k, klen, v, vend;
	char *out;

	*inline_pw = NULL;
	/* "DSN=" + conn + ";PWD={" + password with each } doubled + "}" */
	out = malloc(len + 2 * plen + 16);
	if (out == NULL) {
		snprintf(err, errlen, "odbc: out of memory");
		return NULL;
	}
	if (strchr(conn, '=') == NULL) {
		if (conn[0] == '\0' || strchr(conn, ';') != NULL || strchr(conn, '{') != NULL) {
			snprintf(err, errlen, "odbc connection: neither a DSN name nor a "
				 "key=value;... connection string");
			goto fail;
		}
		od_put(out, &o, "DSN=", 4);
		od_put(out, &o, conn, len);
		i = len;
	}
	while (i < len) {
		while (conn[i] == ' ' || conn[i] == ';')
			i++;
		if (i == len)
			break;
		k = i;
		while (i < len && conn[i] != '=' && conn[i] != ';')
			i++;
		klen = i - k;
		while (klen > 0 && conn[k + klen - 1] == ' ')
			klen--;
		if (i == len || conn[i] != '=' || klen == 0) {
			snprintf(err, errlen, "odbc connection: expected key=value at offset %zu", k);
			goto fail;
		}
		v = ++i;
		if (conn[i] == '{') {
			/* {...} may hold ; and =; }} stands for } */
			for (i++; i < len; i++) {
				if (conn[i] == '}' && conn[i + 1] == '}')
					i++;
				else if (conn[i] == '}')
					break;
			}
			if (i == len) {
				snprintf(err, errlen, "odbc connection: unterminated { in the "
					 "value of '%.*s'", (int)klen, conn + k);
				goto fail;
			}
			i++;
			vend = i;
			/* what follows a braced value is the next pair's ; */
			while (conn[i] == ' ')
				i++;
			if (i < len && conn[i] != ';') {
				snprintf(err, errlen, "odbc connection: expected ; after the } of "
					 "'%.*s'", (int)klen, conn + k);
				goto fail;
			}
		} else {
			while (i < len && conn[i] != ';')
				i++;
			vend = i;
		}
		if (od_key_is_password(conn + k, klen)) {
			size_t a = v, b = vend;

			if (conn[a] == '{') {
				a++;
				b--;
			}
			backend_free_secret(*inline_pw);
			*inline_pw = od_unbrace(conn + a, b - a);
			if (*inline_pw == NULL) {
				snprintf(err, errlen, "odbc: out of memory");
				goto fail;
			}
			if (password != NULL)
				continue;
		}
		if (o > 0)
			od_put(out, &o, ";", 1);
		od_put(out, &o, conn + k, vend - k);
	}
	if (password != NULL) {
		od_put(out, &o, o > 0 ? ";PWD={" : "PWD={", o > 0 ? 6 : 5);
		for (i = 0; i < plen; i++) {
			out[o++] = password[i];
			if (password[i] == '}')
				out[o++] = '}';
		}
		od_put(out, &o, "}", 1);
	}
	out[o] = '\0';
	return out;
fail:
	explicit_bzero(out, len + 2 * plen + 16);
	free(out);
	backend_free_secret(*inline_pw);
	*inline_pw = NULL;
	return NULL;
}
