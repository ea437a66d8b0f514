/* cmd_migrate.c: customdb migrate status|import (being written). */
#include <stdio.h>

#include "tool.h"

int cmd_migrate(struct opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "customdb: migrate: not in this build yet\n");
	return EXIT_USAGE;
}
