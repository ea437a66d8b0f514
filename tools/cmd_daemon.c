/* cmd_daemon.c: customdb cache show|flush, customdb status (being written). */
#include <stdio.h>

#include "tool.h"

int cmd_cache(struct opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "customdb: cache: not in this build yet\n");
	return EXIT_USAGE;
}

int cmd_status(struct opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "customdb: status: not in this build yet\n");
	return EXIT_USAGE;
}
