/* customdb: the administrator's tool (tool.h): main, which runs a command of
 * the table in commands.c. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "tool.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .config = CUSTOMDB_DEFAULT_CONFIG };
	const struct tool_command *t;
	struct tool_call call = { 0 };
	bool try_login;
	int c;

	while ((c = getopt_long(argc, argv, "+c:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o.config = optarg; o.explicit_config = true; break;
		case 'j': o.json = true; break;
		case 'd': o.debug = true; break;
		case 'h': tool_usage(stdout); return EXIT_YES;
		default: tool_usage(stderr); return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	log_init("customdb", true, o.debug);
	t = argc > 0 ? tool_command_named(argv[0]) : NULL;
	if (t != NULL && t->own != NULL)
		return t->own(&o, argc, argv);
	/* the others: options may also follow the command */
	for (c = 0; c < argc; c++) {
		if (strcmp(argv[c], "--json") == 0) {
			o.json = true;
		} else if (strcmp(argv[c], "--salt") == 0 && c + 1 < argc) {
			call.salt = argv[c + 1];
			memmove(&argv[c], &argv[c + 1], (size_t)(argc - c - 1) * sizeof(*argv));
			argc--;
		} else if (strcmp(argv[c], "--commit") == 0) {
			call.commit = true;
		} else if (strcmp(argv[c], "--help") == 0 || strcmp(argv[c], "-h") == 0) {
			t = tool_command_named(argv[0]);
			if (t != NULL && t->usage != NULL)
				t->usage(stdout);
			else
				tool_usage(stdout);
			return EXIT_YES;
		} else
			continue;
		memmove(&argv[c], &argv[c + 1], (size_t)(argc - c - 1) * sizeof(*argv));
		argc--;
		c--;
	}
	try_login = argc >= 2 && strcmp(argv[0], "try") == 0 && strcmp(argv[1], "login") == 0;
	if (call.commit && !try_login) {
		fprintf(stderr, "customdb: --commit is an option of try login USER only\n");
		return EXIT_USAGE;
	}
	t = tool_command_of(argc, argv);
	if (t != NULL) {
		call.args = argv + (t->sub != NULL ? 2 : 1);
		return t->run(&o, &call);
	}
	if (argc == 0)
		fprintf(stderr, "customdb: no command given\n");
	else
		fprintf(stderr, "customdb: unknown command or wrong arguments: %s\n", argv[0]);
	tool_usage(stderr);
	return EXIT_USAGE;
}
