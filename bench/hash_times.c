/* hash_times: what one verification costs, per legacy password format, at
 * the parameters of the vectors in tests/integration/data/formats.tsv.
 *
 *   hash_times FORMATS.TSV [SECONDS_PER_FORMAT]
 *
 * Prints one line per vector: format, median milliseconds per verify, and
 * the ratio to the yescrypt vector (what pam_unix spends on a Debian 12
 * /etc/shadow entry), measured in the same run. Every verify must match:
 * a benchmark of a broken verification would be worthless. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hash.h"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct row {
	char fmt[64], pw[128], hash[HASH_MAX], salt[128];
	double ms;
};

/* A row of a format read by name only names it alone: some share a form
 * (redmine and sha1-hex-salt-before). */
static struct hash_ctx row_ctx(const struct row *r)
{
	const struct hash_family *f = hash_family_by_name(r->fmt);
	struct hash_ctx ctx = { 0 };

	if (f != NULL && f->by_name_only)
		ctx.scheme_read = r->fmt;
	return ctx;
}

int main(int argc, char **argv)
{
	static struct row rows[256];
	double budget = argc > 2 ? atof(argv[2]) * 1000 : 300, yescrypt = 0, t[64];
	char line[2048];
	size_t n = 0, i;
	FILE *f;

	if (argc < 2 || (f = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: hash_times FORMATS.TSV [SECONDS_PER_FORMAT]\n");
		return 2;
	}
	while (n < 256 && fgets(line, sizeof(line), f) != NULL) {
		struct row *r = &rows[n];

		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%*[^\t]\t%63[^\t]\t%127[^\t]\t%511[^\t]\t%127[^\t]", r->fmt, r->pw,
			   r->hash, r->salt) != 4)
			continue;
		n++;
	}
	fclose(f);
	for (i = 0; i < n; i++) {
		struct row *r = &rows[i];
		struct hash_ctx ctx = row_ctx(r);
		double start = now_ms();
		int k = 0;

		ctx.salt = strcmp(r->salt, "-") == 0 ? NULL : r->salt;
		while (k < 64 && (k < 3 || now_ms() - start < budget)) {
			double t0 = now_ms();

			if (hash_verify_ctx(&ctx, r->hash, r->pw) != HASH_MATCH) {
				fprintf(stderr, "hash_times: %s: the vector does not verify\n", r->fmt);
				return 1;
			}
			t[k++] = now_ms() - t0;
		}
		qsort(t, (size_t)k, sizeof(double), cmp);
		r->ms = t[k / 2];
		if (strcmp(r->fmt, "yescrypt") == 0 && yescrypt == 0)
			yescrypt = r->ms;
	}
	printf("%-24s %-42s %10s %8s\n", "format", "parameters", "ms/verify", "x yescr.");
	for (i = 0; i < n; i++) {
		const struct hash_ctx ctx = row_ctx(&rows[i]);
		const struct hash_family *fam = hash_identify_ctx(&ctx, rows[i].hash);
		char params[256] = "";

		if (fam != NULL && fam->describe != NULL)
			fam->describe(rows[i].hash, params, sizeof(params));
		printf("%-24s %-42.42s %10.3f %8.2f\n", rows[i].fmt, params, rows[i].ms,
		       yescrypt > 0 ? rows[i].ms / yescrypt : 0.0);
	}
	return 0;
}
