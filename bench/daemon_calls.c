/* daemon_calls: the cost of one request through customdbd, seen from a
 * client: connect, send, the daemon's work (database query, hashing),
 * reply. No PAM and no NSS dispatch around it.
 *
 *   daemon_calls SOCKET N getpwnam NAME | getpwuid UID | authenticate NAME
 *
 * The password for authenticate is read from stdin (one line). Prints the
 * mean and median microseconds per call, and the status of the last one. */
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

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	char pw[256] = "";
	double *t, sum = 0;
	long n, i;
	int status = -1;

	if (argc != 5) {
		fprintf(stderr, "usage: daemon_calls SOCKET N getpwnam|getpwuid|authenticate KEY\n");
		return 2;
	}
	n = strtol(argv[2], NULL, 10);
	if (n < 1)
		return 2;
	if (strcmp(argv[3], "authenticate") == 0 && fgets(pw, sizeof(pw), stdin) != NULL)
		pw[strcspn(pw, "\n")] = '\0';
	t = calloc((size_t)n, sizeof(*t));
	for (i = 0; i < n; i++) {
		struct wbuf w;
		struct rbuf f;
		unsigned char *body;
		size_t len;
		double t0;

		wbuf_init(&w);
		if (strcmp(argv[3], "getpwnam") == 0) {
			wbuf_begin(&w, CDB_OP_GETPWNAM);
			wbuf_put_str(&w, argv[4]);
		} else if (strcmp(argv[3], "getpwuid") == 0) {
			wbuf_begin(&w, CDB_OP_GETPWUID);
			wbuf_put_u32(&w, (uint32_t)strtoul(argv[4], NULL, 10));
		} else {
			wbuf_begin(&w, CDB_OP_AUTHENTICATE);
			wbuf_put_str(&w, argv[4]);
			wbuf_put_str(&w, pw);
			wbuf_put_str(&w, "bench");
		}
		wbuf_end(&w);
		t0 = now_us();
		if (cdb_call(argv[1], &w, CDB_PAM_TIMEOUT_MS, &status, &f, &body, &len) != 0) {
			perror("daemon_calls");
			return 3;
		}
		t[i] = now_us() - t0;
		sum += t[i];
		io_free_message(body, len);
		wbuf_free(&w);
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("%s %s: %ld calls, mean %.1f us, median %.1f us, last status %s\n", argv[3], argv[4],
	       n, sum / (double)n, t[n / 2], cdb_status_name(status));
	free(t);
	return 0;
}
