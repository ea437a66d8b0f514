/* names.h: which names customdb will ever answer for. */
#ifndef CUSTOMDB_NAMES_H
#define CUSTOMDB_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Longest user or group name customdb answers for. */
#define CDB_NAME_MAX 64

/* True when s (n bytes, no NUL needed) can be a Linux user or group name:
 * 1..CDB_NAME_MAX bytes of [A-Za-z0-9._@-], optionally ending in '$', not
 * starting with '-' or '.', not all digits (it would read as an id), and not
 * "root". Quotes, spaces, ':' , '/', control bytes and non-ASCII never pass. */
bool cdb_name_valid(const char *s, size_t n);

#endif
