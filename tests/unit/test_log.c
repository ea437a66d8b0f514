/* test_log.c: log lines escape what a client sent, and warnings are
 * rate-limited per call site. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

START_TEST(test_escape_controls)
{
	char out[64];

	ck_assert_str_eq(log_escape(out, sizeof(out), "sshd\ncustomdbd: info: x"),
			 "sshd\\x0acustomdbd: info: x");
	ck_assert_str_eq(log_escape(out, sizeof(out), "a\tb\rc\x7f\x1b[2J"),
			 "a\\x09b\\x0dc\\x7f\\x1b[2J");
	/* UTF-8 is not a control character */
	ck_assert_str_eq(log_escape(out, sizeof(out), "J\xc3\xbcrgen"), "J\xc3\xbcrgen");
}
END_TEST

START_TEST(test_escape_truncates_whole)
{
	char out[8];

	/* "abcde" fits, "\x0a" would not: never half an escape */
	ck_assert_str_eq(log_escape(out, sizeof(out), "abcde\nf"), "abcde");
	ck_assert_str_eq(log_escape(out, sizeof(out), "abcdefghij"), "abcdefg");
	ck_assert_str_eq(log_escape(out, 1, "abc"), "");
}
END_TEST

/* Run fn with stderr into a file; what it wrote, in buf. */
static void capture(void (*fn)(void), char *buf, size_t len)
{
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n;

	ck_assert_ptr_nonnull(f);
	fflush(stderr);
	dup2(fileno(f), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void forge(void)
{
	log_init("t", true, false);
	log_msg(LOG_INFO, "authentication failure for %s (%s)", "alice",
		"sshd\nt: info: authenticated alice (sshd");
}

START_TEST(test_line_escaped)
{
	char buf[512];

	capture(forge, buf, sizeof(buf));
	ck_assert_str_eq(buf, "t: info: authentication failure for alice "
			      "(sshd\\x0at: info: authenticated alice (sshd)\n");
}
END_TEST

static void flood(void)
{
	int i;

	log_init("t", true, false);
	for (i = 0; i < 1000; i++)
		log_msg(LOG_WARNING, "refused %d", i);
	for (i = 0; i < 3; i++)
		log_msg(LOG_INFO, "info %d", i);   /* not limited */
	ck_assert(log_suppressed_pending());
	ck_assert(log_flush_suppressed());   /* the count is pending */
}

START_TEST(test_warnings_limited)
{
	char buf[4096], *p;
	int lines = 0;

	capture(flood, buf, sizeof(buf));
	for (p = buf; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	ck_assert_int_eq(lines, LOG_RATE_BURST + 3);
	ck_assert_ptr_nonnull(strstr(buf, "t: warning: refused 0\n"));
	ck_assert_ptr_null(strstr(buf, "refused 10\n"));
	ck_assert_ptr_nonnull(strstr(buf, "t: info: info 2\n"));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_add_test(tc, test_escape_controls);
	tcase_add_test(tc, test_escape_truncates_whole);
	tcase_add_test(tc, test_line_escaped);
	tcase_add_test(tc, test_warnings_limited);
	suite_add_tcase(s, tc);
	return s;
}

#include "check_main.h"
