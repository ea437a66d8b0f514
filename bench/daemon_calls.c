/* daemon_calls: the cost of one request through customdbd, seen from a
 * client: connect, send, the daemon's work (database query, hashing),
 * reply. No PAM and no NSS dispatch around it.
 *
 *   daemon_calls SOCKET N getpwnam NAME | getpwuid UID | authenticate NAME [NAME2]
 *
 * The password for authenticate is read from stdin (one line). Prints the
 * mean and median microseconds per call, and the status of the last one.
 * With NAME2, calls alternate between the two names (so that drift of the
 * machine hits both alike) and a line is printed for each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "io.h"
#include "protocol.h"
#include "wire.h"

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b);

static void report(const char *op, const char *key, double *t, long n, int status)
{
	double sum = 0;
	long i;

	for (i = 0; i < n; i++)
		sum += t[i];
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("%s %s: %ld calls, mean %.1f us, median %.1f us, last status %s\n", op, key, n,
	       sum / (double)n, t[n / 2], cdb_status_name(status));
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	char pw[256] = "";
	double *t[2];
	long n, i, k[2] = { 0, 0 };
	int status[2] = { -1, -1 }, keys = argc == 6 ? 2 : 1;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: daemon_calls SOCKET N getpwnam|getpwuid|authenticate KEY [KEY2]\n");
		return 2;
	}
	n = strtol(argv[2], NULL, 10);
	if (n < 1)
		return 2;
	if (strcmp(argv[3], "authenticate") == 0 && fgets(pw, sizeof(pw), stdin) != NULL)
		pw[strcspn(pw, "\n")] = '\0';
	t[0] = calloc((size_t)n, sizeof(double));
	t[1] = calloc((size_t)n, sizeof(double));
	for (i = 0; i < n * keys; i++) {
		int j = (int)(i % keys);
		const char *key = argv[4 + j];
		struct wbuf w;
		struct rbuf f;
		unsigned char *body;
		size_t len;
		double t0;

		wbuf_init(&w);
		if (strcmp(argv[3], "getpwnam") == 0) {
			wbuf_begin(&w, CDB_OP_GETPWNAM);
			wbuf_put_str(&w, key);
		} else if (strcmp(argv[3], "getpwuid") == 0) {
			wbuf_begin(&w, CDB_OP_GETPWUID);
			wbuf_put_u32(&w, (uint32_t)strtoul(key, NULL, 10));
		} else {
			wbuf_begin(&w, CDB_OP_AUTHENTICATE);
			wbuf_put_str(&w, key);
			wbuf_put_str(&w, pw);
			wbuf_put_str(&w, "bench");
		}
		wbuf_end(&w);
		t0 = now_us();
		if (cdb_call(argv[1], &w, CDB_PAM_TIMEOUT_MS, &status[j], &f, &body, &len) != 0) {
			perror("daemon_calls");
			return 3;
		}
		t[j][k[j]++] = now_us() - t0;
		io_free_message(body, len);
		wbuf_free(&w);
	}
	for (i = 0; i < keys; i++)
		report(argv[3], argv[4 + i], t[i], n, status[i]);
	free(t[0]);
	free(t[1]);
	return 0;
}
