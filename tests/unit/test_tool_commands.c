/* The tool's command table (tools/commands.c): every command is listed by
 * customdb --help and dispatched the same way, with help and no twin. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

START_TEST(test_every_command_is_whole)
{
	size_t i;

	ck_assert_uint_gt(tool_ncommands, 0);
	for (i = 0; i < tool_ncommands; i++) {
		const struct tool_command *t = &tool_commands[i];

		ck_assert_msg(t->name != NULL && t->name[0] != '\0', "entry %zu has no name", i);
		ck_assert_msg(t->help != NULL && t->help[0] != '\0', "%s has no help", t->name);
		ck_assert_msg((t->run == NULL) != (t->own == NULL),
			      "%s: exactly one of run and own", t->name);
		if (t->own != NULL)
			ck_assert_msg(t->nargs == 0 && t->usage == NULL,
				      "%s parses its own line: no nargs, no usage", t->name);
		/* what is listed says how many arguments it takes */
		if (t->run != NULL)
			ck_assert_msg((t->nargs == 0) == (t->args == NULL),
				      "%s %s: args listed do not match nargs", t->name,
				      t->sub != NULL ? t->sub : "");
	}
}
END_TEST

START_TEST(test_no_twins)
{
	size_t i, k;

	for (i = 0; i < tool_ncommands; i++)
		for (k = i + 1; k < tool_ncommands; k++) {
			const struct tool_command *a = &tool_commands[i], *b = &tool_commands[k];

			if (strcmp(a->name, b->name) != 0)
				continue;
			/* one name: all its subcommands dispatched by main, each once */
			ck_assert_msg(a->run != NULL && b->run != NULL,
				      "%s is in the table twice, parsing its own line", a->name);
			ck_assert_msg(a->sub != NULL && b->sub != NULL && strcmp(a->sub, b->sub) != 0,
				      "%s %s is in the table twice", a->name,
				      a->sub != NULL ? a->sub : "");
			ck_assert_msg(a->usage == b->usage, "%s: two usages", a->name);
		}
}
END_TEST

/* customdb --help lists each command, and main finds each from its own line */
START_TEST(test_listed_and_dispatched)
{
	char *text = NULL, *argv[8], arg[] = "x";
	size_t len = 0, i, k;
	FILE *f = open_memstream(&text, &len);
	int argc;

	ck_assert_ptr_nonnull(f);
	tool_usage(f);
	fclose(f);
	for (i = 0; i < tool_ncommands; i++) {
		const struct tool_command *t = &tool_commands[i];
		char line[160];

		snprintf(line, sizeof(line), "\n  %s%s%s", t->name, t->sub != NULL ? " " : "",
			 t->sub != NULL ? t->sub : "");
		ck_assert_msg(strstr(text, line) != NULL, "%s not listed", line + 3);
		if (t->run == NULL) {
			ck_assert_ptr_eq(tool_command_named(t->name), t);
			continue;
		}
		argc = 0;
		argv[argc++] = (char *)t->name;
		if (t->sub != NULL)
			argv[argc++] = (char *)t->sub;
		for (k = 0; k < t->nargs; k++)
			argv[argc++] = arg;
		ck_assert_ptr_eq(tool_command_of(argc, argv), t);
		/* one argument too many: not this command */
		argv[argc++] = arg;
		ck_assert_ptr_null(tool_command_of(argc, argv));
	}
	free(text);
}
END_TEST

START_TEST(test_unknown)
{
	char *argv[] = { "frob", "x" }, *sub[] = { "hash", "frob", "x" };

	ck_assert_ptr_null(tool_command_named("frob"));
	ck_assert_ptr_null(tool_command_of(2, argv));
	ck_assert_ptr_null(tool_command_of(3, sub));
	ck_assert_ptr_null(tool_command_of(0, argv));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("tool_commands");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, test_every_command_is_whole);
	tcase_add_test(tc, test_no_twins);
	tcase_add_test(tc, test_listed_and_dispatched);
	tcase_add_test(tc, test_unknown);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
