/* test_output.c: the tool's --json output (tools/output.c): one compact
 * document, as the integration tests read it; UTF-8 always, with U+FFFD in
 * place of bytes that are not (a Latin-1 gecos), never passed through. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

#define FFFD "\xef\xbf\xbd"

typedef void (*writer)(struct out *o);

/* What w prints on standard output with --json (true) or without. */
static char *capture(writer w, bool json)
{
	static char buf[4096];
	struct out o;
	FILE *t = tmpfile();
	int saved;
	size_t n;

	ck_assert_ptr_nonnull(t);
	fflush(stdout);
	saved = dup(1);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fileno(t), 1), 0);
	out_begin(&o, json);
	w(&o);
	out_end(&o);
	fflush(stdout);
	ck_assert_int_ge(dup2(saved, 1), 0);
	close(saved);
	rewind(t);
	n = fread(buf, 1, sizeof(buf) - 1, t);
	buf[n] = '\0';
	fclose(t);
	return buf;
}

/* Is text one JSON document, valid UTF-8 throughout (jansson's decoder
 * checks), and nothing after it but a newline? */
static bool strict_json(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (j == NULL)
		fprintf(stderr, "not JSON: %s: %s\n", e.text, text);
	json_decref(j);
	return j != NULL;
}

static void user_doc(struct out *o)
{
	out_obj_begin(o, NULL);
	out_str(o, "username", "bob");
	out_int(o, "uid", 10002);
	out_str(o, "gecos", "Bob \"the\" Builder\n\t\x01");
	out_str(o, "email", NULL);
	out_bool(o, "disabled", false);
	out_arr_begin(o, "groups");
	out_obj_begin(o, NULL);
	out_str(o, "group", "devs");
	out_int(o, "gid", 20001);
	out_obj_end(o);
	out_arr_end(o);
	out_arr_begin(o, "gids");
	out_int_item(o, 1);
	out_int_item(o, -2);
	out_arr_end(o);
	out_arr_begin(o, "names");
	out_item(o, "x");
	out_arr_end(o);
	out_obj_begin(o, "empty");
	out_obj_end(o);
	out_obj_end(o);
}

START_TEST(compact_document)
{
	const char *got = capture(user_doc, true);

	ck_assert_str_eq(got, "{\"username\":\"bob\",\"uid\":10002,"
			      "\"gecos\":\"Bob \\\"the\\\" Builder\\n\\t\\u0001\",\"email\":null,"
			      "\"disabled\":false,\"groups\":[{\"group\":\"devs\",\"gid\":20001}],"
			      "\"gids\":[1,-2],\"names\":[\"x\"],\"empty\":{}}\n");
	ck_assert(strict_json(got));
}
END_TEST

START_TEST(human_lines)
{
	ck_assert_str_eq(capture(user_doc, false),
			 "username: bob\nuid: 10002\ngecos: Bob \"the\" Builder\n\t\x01\n"
			 "disabled: no\ngroups:\n  -\n    group: devs\n    gid: 20001\n"
			 "gids: 1, -2\nnames: x\nempty:\n");
}
END_TEST

static void latin1_doc(struct out *o)
{
	out_obj_begin(o, NULL);
	out_str(o, "gecos", "J\xfcrgen M\xfcller");   /* Latin-1 */
	out_arr_begin(o, "names");
	out_item(o, "caf\xe9");
	out_item(o, "caf\xc3\xa9");                      /* UTF-8 */
	out_arr_end(o);
	out_obj_begin(o, "recent");
	out_str(o, "j\xf6rg", "today");                  /* a key */
	out_obj_end(o);
	out_obj_end(o);
}

START_TEST(not_utf8_replaced)
{
	const char *got = capture(latin1_doc, true);

	ck_assert(strict_json(got));
	ck_assert_str_eq(got, "{\"gecos\":\"J" FFFD "rgen M" FFFD "ller\","
			      "\"names\":[\"caf" FFFD "\",\"caf\xc3\xa9\"],"
			      "\"recent\":{\"j" FFFD "rg\":\"today\"}}\n");
	/* people see the bytes as they are */
	ck_assert_ptr_nonnull(strstr(capture(latin1_doc, false), "gecos: J\xfcrgen M\xfcller\n"));
}
END_TEST

/* out_utf8 on s gives want; a copy only when s was not UTF-8. */
static void utf8_is(const char *s, const char *want)
{
	char *copy = (char *)"unset";
	const char *got = out_utf8(s, &copy);
	json_t *j;

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	if (strcmp(s, want) == 0) {
		ck_assert_ptr_eq(got, s);
		ck_assert_ptr_null(copy);
	} else {
		ck_assert_ptr_eq(got, copy);
	}
	j = json_string(got);
	ck_assert_ptr_nonnull(j);
	json_decref(j);
	free(copy);
}

START_TEST(utf8_sequences)
{
	utf8_is("", "");
	utf8_is("plain ascii", "plain ascii");
	utf8_is("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	utf8_is("\xef\xbf\xbd", FFFD);                           /* U+FFFD itself */
	utf8_is("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");         /* U+10FFFF */
	utf8_is("\x80", FFFD);                                   /* a lone continuation */
	utf8_is("\xc0\xaf", FFFD FFFD);                          /* overlong '/' */
	utf8_is("\xe0\x80\xaf", FFFD FFFD FFFD);                 /* overlong, 3 bytes */
	utf8_is("\xed\xa0\x80", FFFD FFFD FFFD);                 /* a surrogate */
	utf8_is("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);        /* past U+10FFFF */
	utf8_is("\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD);
	utf8_is("\xff\xfe", FFFD FFFD);
	utf8_is("a\xe2\x82", "a" FFFD FFFD);                     /* cut at the end */
	utf8_is("\xe2\x82z\xc3\xa9", FFFD FFFD "z\xc3\xa9");     /* cut in the middle */
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("json");

	tcase_add_test(tc, compact_document);
	tcase_add_test(tc, human_lines);
	tcase_add_test(tc, not_utf8_replaced);
	tcase_add_test(tc, utf8_sequences);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
