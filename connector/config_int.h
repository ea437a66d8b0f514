/* config_int.h: what config.c (the keys and the parser), config_check.c (the
 * checks once the file is read) and config_load.c
 * (the file on disk) share; private to them. */
#ifndef CUSTOMDB_CONFIG_INT_H
#define CUSTOMDB_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* Keys of keys[] at most (the assertion after keys[] checks). */
#define CONFIG_MAX_KEYS 64

/* State of one parse: where we are in the text, and the first error. */
struct parse {
	struct config *c;
	const char *name;       /* file name for messages */
	FILE *f;                /* either a file ... */
	const char *s;          /* ... or a string */
	int line;               /* line the parser is on */
	bool at_line_start;
	bool indented;          /* the current line began with whitespace */
	size_t line_len;        /* bytes of the current line read so far */
	char prev_key[64];      /* last key set, for continuation lines */
	char prev_section[32];
	/* the line each key of keys[] was set on, 0 if not: no key may be set
	 * twice, and checks made after the whole file is read name the line */
	int key_line[CONFIG_MAX_KEYS];
	char *err;
	size_t errlen;
	bool failed;
	/* the raw text of each query as it is read, joined across lines */
	char *qtext[Q_COUNT_];
};

/* Record the first error of the parse: "file:line: [section] key: msg". */
void perr(struct parse *p, const char *section, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The line section.key was set on, or 0 when it was not set (a default). */
int seen_line(const struct parse *p, const char *section, const char *key);
/* config_check.c: every check that needs the whole file read. */
bool config_finish(struct parse *p);

/* Parse the open file f, named name in messages, into a new config (no
 * permission checks, no password file). NULL on failure, with err. */
struct config *config_parse_file(FILE *f, const char *name, char *err, size_t errlen);

#endif
