/* config_int.h: what config.c (the keys and the parser) and config_load.c
 * (the file on disk) share; private to them. */
#ifndef CUSTOMDB_CONFIG_INT_H
#define CUSTOMDB_CONFIG_INT_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* Parse the open file f, named name in messages, into a new config (no
 * permission checks, no password file). NULL on failure, with err. */
struct config *config_parse_file(FILE *f, const char *name, char *err, size_t errlen);

#endif
