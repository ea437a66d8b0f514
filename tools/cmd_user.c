/* cmd_user.c: customdb user add|show|modify|passwd|verify|delete (being written). */
#include <stdio.h>

#include "tool.h"

int cmd_user(struct opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "customdb: user: not in this build yet\n");
	return EXIT_USAGE;
}
