/* odbc.h: the ODBC connection string customdb hands to SQLDriverConnect
 * (backend/backend_odbc.c), kept apart so that it can be tested alone. */
#ifndef CUSTOMDB_ENGINE_ODBC_H
#define CUSTOMDB_ENGINE_ODBC_H

#include <stddef.h>

/* The string for SQLDriverConnect, malloc'd (a secret: wipe it with
 * backend_free_secret): `conn` as key=value;... pairs (a value may be
 * {braced}, with }} for }), or a bare DSN name, which becomes DSN=name.
 * When password is not NULL, every PWD or PASSWORD pair is left out and
 * PWD={password} (its } doubled) appended. The last password the string
 * held goes to *inline_pw, malloc'd (NULL if none), so that messages can be
 * scrubbed of it. NULL with err on a malformed string or out of memory;
 * err never quotes a value. */
char *odbc_connstr_build(const char *conn, const char *password, char **inline_pw,
			 char *err, size_t errlen);

#endif
