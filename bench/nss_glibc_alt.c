/* nss_glibc_alt: customdb against the do-nothing module through glibc, in
 * one process, taking turns block by block. glibc stats nsswitch.conf
 * before every look-up and reloads it when it changed, so rewriting the
 * file between blocks switches the module under the same process; the
 * swings of the system (hundreds of ns a call on a VM) then hit both
 * variants alike, where separate runs compare one minute with another.
 *
 *   nss_glibc_alt NSSWITCH_FILE N ROUNDS
 *
 * NSSWITCH_FILE must be the file bind-mounted over /etc/nsswitch.conf in a
 * private mount namespace (bench/hostcache.sh makes one): it is checked to
 * be the same file as /etc/nsswitch.conf and not to live under /etc, so
 * the host's own nsswitch.conf is never written.
 *
 * For random users among N (u%07d, uid 100000+i), per operation, prints
 * the best block's ns per call for each variant and the difference:
 *   op null_ns customdb_ns diff_ns */
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench_users.h"

#define BLOCK 20000

static const char *variants[2] = { "null", "customdb" };

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void use_module(const char *path, const char *module)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fprintf(f, "passwd: %s\ngroup: %s\n", module, module) < 0 ||
	    fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

/* One block of look-ups; ns per call, or -1 when one did not find its user. */
static double block(int op, char (*names)[16], const unsigned *pick)
{
	struct passwd pw, *res;
	char buf[1024];
	gid_t groups[64];
	long i, found = 0;
	double t0 = now_ns();

	for (i = 0; i < BLOCK; i++) {
		if (op == 0) {
			getpwnam_r(names[i], &pw, buf, sizeof(buf), &res);
			found += res != NULL;
		} else if (op == 1) {
			getpwuid_r(BENCH_UID_BASE + pick[i], &pw, buf, sizeof(buf), &res);
			found += res != NULL;
		} else {
			int ng = 64;

			found += getgrouplist(names[i], 100, groups, &ng) > 1;
		}
	}
	return found == BLOCK ? (now_ns() - t0) / BLOCK : -1;
}

int main(int argc, char **argv)
{
	static const char *ops[] = { "getpwnam_r", "getpwuid_r", "getgrouplist" };
	struct stat mine, etc;
	char real[PATH_MAX];
	char (*names)[16];
	unsigned *pick;
	long n, rounds, r;
	int op, v;

	if (argc != 4 || (n = atol(argv[2])) < 1 || (rounds = atol(argv[3])) < 2) {
		fprintf(stderr, "usage: nss_glibc_alt NSSWITCH_FILE N ROUNDS (>= 2)\n");
		return 2;
	}
	if (realpath(argv[1], real) == NULL || strncmp(real, "/etc/", 5) == 0 ||
	    stat(real, &mine) != 0 || stat("/etc/nsswitch.conf", &etc) != 0 ||
	    mine.st_dev != etc.st_dev || mine.st_ino != etc.st_ino) {
		fprintf(stderr, "nss_glibc_alt: %s is not a file bind-mounted over "
			"/etc/nsswitch.conf: refusing to write it\n", argv[1]);
		return 2;
	}
	pick = malloc(BLOCK * sizeof(*pick));
	names = malloc(BLOCK * sizeof(*names));
	if (pick == NULL || names == NULL)
		return 2;
	srand(42);
	for (op = 0; op < 3; op++) {
		double best[2] = { 1e18, 1e18 };

		for (r = 0; r < rounds; r++) {
			bench_random_users(pick, names, BLOCK, (unsigned long)n);
			for (v = 0; v < 2; v++) {
				double t;

				use_module(real, variants[v]);
				t = block(op, names, pick);
				if (t < 0) {
					fprintf(stderr, "nss_glibc_alt: %s through %s: a user not found\n",
						ops[op], variants[v]);
					return 1;
				}
				/* round 0 warms both up (loading, page tables), untimed */
				if (r > 0 && t < best[v])
					best[v] = t;
			}
		}
		printf("%s %.0f %.0f %.0f\n", ops[op], best[0], best[1], best[1] - best[0]);
	}
	return 0;
}
