/* nss_lookups: time look-ups through glibc, so through whatever
 * nsswitch.conf says (the benchmark runs it in a namespace where that is
 * "files customdb").
 *
 *   nss_lookups N name NAME | uid UID | grnam GROUP | grgid GID | id NAME
 *
 * "id" makes the calls id(1) makes for a user: getpwnam_r, getgrouplist,
 * and getgrgid_r of every group, timed together. Prints the median
 * microseconds per call over N calls, and whether the entry was found by
 * every call (for "id": the user and every one of their groups); how many
 * calls missed it, if only some did, goes to stderr. */
#include <grp.h>
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

/* What id(1) looks up for name. 1 when the user and all their groups were
 * found. */
static int id_of(const char *name, char *buf, size_t buflen)
{
	struct passwd pw, *pres = NULL;
	struct group gr, *gres = NULL;
	gid_t groups[256];
	int ng = 256, i, found;

	getpwnam_r(name, &pw, buf, buflen, &pres);
	if (pres == NULL)
		return 0;
	if (getgrouplist(name, pw.pw_gid, groups, &ng) < 0)
		return 0;
	found = 1;
	for (i = 0; i < ng; i++) {
		getgrgid_r(groups[i], &gr, buf, buflen, &gres);
		found &= gres != NULL;
	}
	return found;
}

int main(int argc, char **argv)
{
	struct passwd pw, *res = NULL;
	struct group gr, *gres = NULL;
	static char buf[65536];
	const char *what;
	double *t;
	long n, i, missed = 0;
	int found = 0;

	if (argc != 4 || (n = strtol(argv[1], NULL, 10)) < 1) {
		fprintf(stderr, "usage: nss_lookups N name NAME | uid UID | grnam GROUP | "
				"grgid GID | id NAME\n");
		return 2;
	}
	what = argv[2];
	t = calloc((size_t)n, sizeof(*t));
	for (i = 0; i < n; i++) {
		double t0 = now_us();

		if (strcmp(what, "uid") == 0) {
			getpwuid_r((uid_t)strtoul(argv[3], NULL, 10), &pw, buf, sizeof(buf), &res);
			found = res != NULL;
		} else if (strcmp(what, "grnam") == 0) {
			getgrnam_r(argv[3], &gr, buf, sizeof(buf), &gres);
			found = gres != NULL;
		} else if (strcmp(what, "grgid") == 0) {
			getgrgid_r((gid_t)strtoul(argv[3], NULL, 10), &gr, buf, sizeof(buf), &gres);
			found = gres != NULL;
		} else if (strcmp(what, "id") == 0) {
			found = id_of(argv[3], buf, sizeof(buf));
		} else {
			getpwnam_r(argv[3], &pw, buf, sizeof(buf), &res);
			found = res != NULL;
		}
		t[i] = now_us() - t0;
		missed += !found;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	if (missed > 0 && missed < n)
		fprintf(stderr, "nss_lookups: %ld of %ld calls found nothing\n", missed, n);
	printf("%.2f %s\n", t[n / 2], missed == 0 ? "found" : "notfound");
	free(t);
	return 0;
}
