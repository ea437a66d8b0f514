/* nss_module_cost: what one NSS module's look-up function costs, called
 * directly (dlopen), against the do-nothing module in the same process.
 * glibc's dispatch is the same for every module and adds a stat() of
 * nsswitch.conf per call, whose noise (hundreds of ns on a VM) hides the
 * difference this measures.
 *
 *   nss_module_cost MODULE.so NAME N ROUNDS
 *
 * MODULE.so exports _nss_NAME_*; the floor is libnss_null.so.2 found next
 * to this program's build (argument order: module first). For random users
 * among N generated ones (u%07d, uid 100000+i), in ROUNDS rounds that
 * alternate the two modules in blocks, prints per operation the best
 * block's ns per call for each module and the difference:
 *   op null_ns module_ns diff_ns */
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_users.h"

typedef enum nss_status (*pwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*pwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*initgr_fn)(const char *, gid_t, long *, long *, gid_t **, long, int *);

struct module {
	pwnam_fn pwnam;
	pwuid_fn pwuid;
	initgr_fn initgr;
};

#define BLOCK 20000

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void *sym(void *h, const char *mod, const char *what)
{
	char name[128];
	void *p;

	snprintf(name, sizeof(name), "_nss_%s_%s", mod, what);
	p = dlsym(h, name);
	if (p == NULL) {
		fprintf(stderr, "nss_module_cost: %s: %s\n", name, dlerror());
		exit(2);
	}
	return p;
}

static void load(struct module *m, const char *path, const char *name)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		fprintf(stderr, "nss_module_cost: %s\n", dlerror());
		exit(2);
	}
	m->pwnam = (pwnam_fn)sym(h, name, "getpwnam_r");
	m->pwuid = (pwuid_fn)sym(h, name, "getpwuid_r");
	m->initgr = (initgr_fn)sym(h, name, "initgroups_dyn");
}

/* One block of look-ups of the users in pick; returns ns per call, or -1
 * if a look-up failed. */
static double block(const struct module *m, int op, char (*names)[16], const unsigned *pick)
{
	struct passwd pw;
	char buf[1024];
	gid_t *groups = malloc(64 * sizeof(gid_t));
	double t0, t1;
	int e, fails = 0;
	long i;

	t0 = now_ns();
	for (i = 0; i < BLOCK; i++) {
		if (op == 0) {
			fails += m->pwnam(names[i], &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS;
		} else if (op == 1) {
			fails += m->pwuid(BENCH_UID_BASE + pick[i], &pw, buf, sizeof(buf), &e) !=
				 NSS_STATUS_SUCCESS;
		} else {
			long start = 0, size = 64;

			fails += m->initgr(names[i], 100, &start, &size, &groups, 64, &e) != NSS_STATUS_SUCCESS ||
				 start < 1;
		}
	}
	t1 = now_ns();
	free(groups);
	return fails ? -1 : (t1 - t0) / BLOCK;
}

int main(int argc, char **argv)
{
	static const char *ops[] = { "getpwnam_r", "getpwuid_r", "initgroups_dyn" };
	struct module null, mod;
	char nullpath[4096], *slash;
	char (*names)[16];
	unsigned *pick;
	long n, rounds, r;
	int op;

	if (argc != 5 || (n = atol(argv[3])) < 1 || (rounds = atol(argv[4])) < 1) {
		fprintf(stderr, "usage: nss_module_cost MODULE.so NAME N ROUNDS\n");
		return 2;
	}
	snprintf(nullpath, sizeof(nullpath), "%s", argv[0]);
	slash = strrchr(nullpath, '/');
	snprintf(slash != NULL ? slash + 1 : nullpath,
		 sizeof(nullpath) - (size_t)(slash != NULL ? slash + 1 - nullpath : 0),
		 "libnss_null.so.2");
	load(&null, nullpath, "null");
	load(&mod, argv[1], argv[2]);
	pick = malloc(BLOCK * sizeof(*pick));
	names = malloc(BLOCK * sizeof(*names));
	srand(42);
	for (op = 0; op < 3; op++) {
		double best[2] = { 1e18, 1e18 };

		for (r = 0; r < rounds; r++) {
			bench_random_users(pick, names, BLOCK, (unsigned long)n);
			/* the first round warms (page tables, caches), untimed */
			for (int w = 0; w < 2; w++) {
				const struct module *m = w == 0 ? &null : &mod;
				double t = block(m, op, names, pick);

				if (t < 0) {
					fprintf(stderr, "nss_module_cost: %s: a look-up failed\n", ops[op]);
					return 1;
				}
				if (r > 0 && t < best[w])
					best[w] = t;
			}
		}
		printf("%s %.0f %.0f %.0f\n", ops[op], best[0], best[1], best[1] - best[0]);
	}
	return 0;
}
