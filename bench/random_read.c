/* random_read: the memory latency of the host, as a look-up in a large
 * host cache meets it: nanoseconds per read of one random cache line of a
 * file mapped the way the NSS module maps it (hostcache_open), each read
 * depending on the one before (as a look-up's bucket depends on its key).
 * No look-up that touches the file can cost less than this when the file
 * is much larger than the CPU's caches.
 *
 *   random_read HOSTCACHE_FILE READS
 *
 * Prints "ns_per_read". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hostcache.h"

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	struct hostcache_map m;
	uint64_t x = 0x9e3779b97f4a7c15ULL, acc = 0;
	long reads, i;
	size_t lines;
	double t0 = 0;
	int pass;

	if (argc != 3 || (reads = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: random_read HOSTCACHE_FILE READS\n");
		return 2;
	}
	if (hostcache_open(argv[1], &m) != 0) {
		perror(argv[1]);
		return 1;
	}
	lines = m.size / 64;
	/* the first pass maps the pages in, untimed, as nss_bench warms up */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			t0 = now_ns();
		for (i = 0; i < reads; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			acc += m.base[((x + (acc & 1)) % lines) * 64];
		}
	}
	printf("%.0f\n", (now_ns() - t0) / (double)reads);
	hostcache_close(&m);
	return acc == 42;
}
