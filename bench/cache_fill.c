/* cache_fill: N generated users (u%07d, uid 100000+i, two groups each:
 * 20001 and 20002 + i % 100, so a daemon that loads the file needs
 * [min_uid, max_uid] to hold them)
 * given to the daemon's own cache module (customdbd/cache.c) as look-ups
 * would give them, then written out as the host cache: how long the
 * rewrite takes and what the daemon's memory holds at that size.
 *
 *   cache_fill STATE_DIR N
 *
 * Prints "users=N entries=E write_ms=T rss_kib=R". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "config.h"
#include "record.h"
#include "wire.h"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static long rss_kib(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct cdb_passwd p = { .gecos = "", .home = "/home/x", .shell = "/bin/sh", .gid = 100 };
	char name[32], key[16], err[256], home[48];
	struct wbuf w;
	long n, i;
	size_t entries;
	double t0, t1;

	if (argc != 3 || (n = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: cache_fill STATE_DIR N\n");
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.state_dir = argv[1];
	cfg.negative_ttl = 30;
	/* the range and cap that hold every generated user */
	cfg.min_uid = 100000;
	cfg.max_uid = (uid_t)(100000 + n);
	cfg.default_gid = 100;
	cfg.cache_max_entries = 3 * n;
	wbuf_init(&w);
	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "u%07ld", i);
		snprintf(home, sizeof(home), "/home/%s", name);
		p.name = name;
		p.home = home;
		p.uid = (uint32_t)(100000 + i);
		wbuf_begin(&w, 0);
		record_put_passwd(&w, &p);
		cache_put('p', name, 0, w.data + 8, w.len - 8);
		snprintf(key, sizeof(key), "%u", p.uid);
		cache_put('u', key, 0, w.data + 8, w.len - 8);
		wbuf_begin(&w, 0);
		wbuf_put_u32(&w, 2);
		wbuf_put_u32(&w, 20001);
		wbuf_put_u32(&w, (uint32_t)(20002 + i % 100));
		cache_put('i', name, 0, w.data + 8, w.len - 8);
	}
	wbuf_free(&w);
	/* the writer thread starts now and writes everything at once: the
	 * rewrite of a cache of this size, as the daemon does it */
	entries = cache_size();
	t0 = now_ms();
	if (cache_start(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "cache_fill: %s\n", err);
		return 1;
	}
	cache_stop();
	t1 = now_ms();
	printf("users=%ld entries=%zu write_ms=%.0f rss_kib=%ld\n", n, entries, t1 - t0, rss_kib());
	return 0;
}
