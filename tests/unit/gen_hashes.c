/* gen_hashes.c: write hashes with hash_generate() for an outside checker.
 *
 *   gen_hashes SCHEME [COUNT]
 *
 * prints COUNT lines (default: one per built-in password) of
 * "password<TAB>hash" (and "<TAB>salt" for a scheme with a salt column of
 * its own: redmine), the passwords varied: ASCII, UTF-8, 100 characters,
 * punctuation. None holds a tab or a newline. verify_written.sh pipes them
 * into the original application's checker (verify_with_django.py, ...).
 * Exit 0, or 1 with a message on stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

static const char *const passwords[] = {
	"password",
	"p\xc3\xa4ssw\xc3\xb6rd",                        /* pässwörd */
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"!#$%&()*+,-./:;<=>?@[]^_{|}~ 0123456789abcd",    /* 100 characters */
	"correct horse battery staple",
	"\xce\x99\xcf\x89\xce\xb1\xce\xbd\xce\xbd\xce\xb7\xcf\x82 \xf0\x9f\x98\x80 $1$\"'\\",
};

#define NPASSWORDS (sizeof(passwords) / sizeof(passwords[0]))

int main(int argc, char **argv)
{
	char hash[HASH_MAX], salt[HASH_SALT_MAX], pw[256], err[256];
	unsigned long count = NPASSWORDS, i;
	char *end;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s SCHEME [COUNT]\n", argv[0]);
		return 1;
	}
	if (argc == 3) {
		errno = 0;
		count = strtoul(argv[2], &end, 10);
		if (errno != 0 || *end != '\0' || end == argv[2] || count > 10000) {
			fprintf(stderr, "%s: bad count '%s'\n", argv[0], argv[2]);
			return 1;
		}
	}
	for (i = 0; i < count; i++) {
		/* past the list: the same passwords again, numbered */
		if (i < NPASSWORDS)
			snprintf(pw, sizeof(pw), "%s", passwords[i]);
		else
			snprintf(pw, sizeof(pw), "%s %lu", passwords[i % NPASSWORDS], i);
		if (hash_generate_salted(argv[1], 0, pw, hash, sizeof(hash), salt, sizeof(salt), err,
					 sizeof(err)) != 0) {
			fprintf(stderr, "%s: %s\n", argv[0], err);
			return 1;
		}
		/* a scheme with a salt column of its own: the salt third */
		printf("%s\t%s%s%s\n", pw, hash, salt[0] != '\0' ? "\t" : "", salt);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
