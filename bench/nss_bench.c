/* nss_bench: nanoseconds per look-up through glibc, so through whatever
 * nsswitch.conf says, for random users among N generated ones
 * (name u%07d, uid 100000+i).
 *
 *   nss_bench pwnam|pwuid|grouplist N CALLS
 *
 * Prints "ns/call found/calls"; every look-up must find its user (a
 * benchmark of misses would measure the wrong thing). */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_users.h"

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	struct passwd pw, *res;
	char buf[1024], name[32];
	gid_t groups[64];
	long n, calls, i, found = 0;
	unsigned *pick;
	double t0 = 0, t1;

	if (argc != 4 || (n = atol(argv[2])) < 1 || (calls = atol(argv[3])) < 1) {
		fprintf(stderr, "usage: nss_bench pwnam|pwuid|grouplist N CALLS\n");
		return 2;
	}
	pick = malloc((size_t)calls * sizeof(*pick));
	srand(42);
	for (i = 0; i < calls; i++)
		pick[i] = bench_random_user((unsigned long)n);
	/* Warm up with the same users, untimed: what is measured is the steady
	 * state of a long-running process (sshd, a desktop session), with its
	 * page tables filled, not the page faults of the first touch. */
	for (int pass = 0; pass < 2; pass++) {
	if (pass == 1)
		t0 = now_ns();
	found = 0;
	for (i = 0; i < calls; i++) {
		if (argv[1][2] == 'n') {
			snprintf(name, sizeof(name), "u%07u", pick[i]);
			getpwnam_r(name, &pw, buf, sizeof(buf), &res);
			found += res != NULL;
		} else if (argv[1][2] == 'u') {
			getpwuid_r(BENCH_UID_BASE + pick[i], &pw, buf, sizeof(buf), &res);
			found += res != NULL;
		} else {
			int ng = 64;

			snprintf(name, sizeof(name), "u%07u", pick[i]);
			found += getgrouplist(name, 100, groups, &ng) > 1;
		}
	}
	}
	t1 = now_ns();
	printf("%.0f %ld/%ld\n", (t1 - t0) / (double)calls, found, calls);
	free(pick);
	return found == calls ? 0 : 1;
}
