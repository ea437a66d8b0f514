/* check_main.h: the main() every unit test executable shares.
 *
 * Each test file defines `static Suite *make_suite(void)` and then includes
 * this header. Runs the suite, prints failures, exits non-zero on any. */
#ifndef CUSTOMDB_CHECK_MAIN_H
#define CUSTOMDB_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static Suite *make_suite(void);

int main(void)
{
	SRunner *sr = srunner_create(make_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
