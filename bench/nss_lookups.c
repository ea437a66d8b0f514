/* nss_lookups: time getpwnam_r / getpwuid_r through glibc, so through
 * whatever nsswitch.conf says (the benchmark runs it in a namespace where
 * that is "files customdb").
 *
 *   nss_lookups N name NAME | uid UID
 *
 * Prints the median microseconds per call over N calls, and whether the
 * entry was found. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	double *t;
	long n, i;

	if (argc != 4 || (n = strtol(argv[1], NULL, 10)) < 1) {
		fprintf(stderr, "usage: nss_lookups N name NAME | uid UID\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	for (i = 0; i < n; i++) {
		double t0 = now_us();

		if (strcmp(argv[2], "uid") == 0)
			getpwuid_r((uid_t)strtoul(argv[3], NULL, 10), &pw, buf, sizeof(buf), &res);
		else
			getpwnam_r(argv[3], &pw, buf, sizeof(buf), &res);
		t[i] = now_us() - t0;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("%.2f %s\n", t[n / 2], res != NULL ? "found" : "notfound");
	free(t);
	return 0;
}
