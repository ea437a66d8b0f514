/* pq_shared.c: see pq_shared.h. */
#include "pq_shared.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "secret.h"

long long pq_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pq_wait(PGconn *conn, long long deadline)
{
	struct pollfd pfd;
	long long left;
	int r;

	while (PQisBusy(conn)) {
		left = -1;
		if (deadline != 0) {
			left = deadline - pq_now_ms();
			if (left <= 0)
				return 1;
		}
		pfd.fd = PQsocket(conn);
		pfd.events = POLLIN;
		if (pfd.fd < 0)
			return -1;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			continue; /* the deadline check above ends it */
		if (!PQconsumeInput(conn))
			return -1;
	}
	return 0;
}

int pq_connection_password(const char *connection, char **password, char **perr)
{
	PQconninfoOption *opts, *o;
	int rc = 0;

	*password = NULL;
	*perr = NULL;
	opts = PQconninfoParse(connection, perr);
	if (opts == NULL)
		return -1;
	for (o = opts; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0') {
			*password = strdup(o->val);
			if (*password == NULL)
				rc = -1;
		}
	}
	PQconninfoFree(opts);
	return rc;
}

void pq_free_error(char *perr)
{
	if (perr == NULL)
		return;
	secret_wipe_str(perr);
	PQfreemem(perr);
}
