/* bench_users.h: the generated users the NSS benchmarks look up, as
 * bench/cache_fill.c and bench/hostcache.sh write them: names u%07u and
 * uids BENCH_UID_BASE + i, for i from 1 to N. */
#ifndef CUSTOMDB_BENCH_USERS_H
#define CUSTOMDB_BENCH_USERS_H

#include <stdio.h>
#include <stdlib.h>

#define BENCH_UID_BASE 100000

/* One of the N users at random (rand(), seeded by the caller). */
static inline unsigned bench_random_user(unsigned long n)
{
	return 1 + (unsigned)(((unsigned long)rand() * RAND_MAX + rand()) % n);
}

/* count users at random into pick, and their names into names. */
static inline void bench_random_users(unsigned *pick, char (*names)[16], long count,
				      unsigned long n)
{
	long i;

	for (i = 0; i < count; i++) {
		pick[i] = bench_random_user(n);
		snprintf(names[i], sizeof(names[i]), "u%07u", pick[i]);
	}
}

#endif
