/* io.c: see io.h. */
#include "io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"
#include "secret.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t io_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t io_deadline(int timeout_ms)
{
	return now_ms() + timeout_ms;
}

/* Wait until fd is ready for events, or the deadline passes. */
static int io_wait(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t left;
	int rc;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		rc = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

/* Poll fd without blocking for up to spin_us: 1 once it is ready for
 * events, 0 when the window passed first. */
static int io_spin(int fd, short events, int spin_us)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t end;

	if (spin_us <= 0)
		return 0;
	end = io_now_us() + spin_us;
	do {
		if (poll(&pfd, 1, 0) > 0)
			return 1;
		sched_yield();
	} while (io_now_us() < end);
	return 0;
}

int io_spin_next(int window_us, int64_t waited_us, int cap_us)
{
	int64_t want;

	if (waited_us > cap_us)
		return window_us / 2;
	want = waited_us + waited_us / 4;
	if (want > cap_us)
		want = cap_us;
	return want > window_us ? (int)want : window_us;
}

int io_write_all(int fd, const void *p, size_t n, int64_t deadline)
{
	const unsigned char *c = p;
	ssize_t w;

	while (n > 0) {
		w = send(fd, c, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			c += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (io_wait(fd, POLLOUT, deadline) != 0)
				return -1;
			continue;
		}
		return -1;
	}
	return 0;
}

/* Read exactly n bytes. Returns n, 0 if the peer closed before the first byte,
 * or -1 with errno. */
static ssize_t io_read_exact(int fd, void *p, size_t n, int64_t deadline)
{
	unsigned char *c = p;
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = recv(fd, c + got, n - got, MSG_DONTWAIT);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0) {
			if (got == 0)
				return 0;
			errno = ECONNRESET;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (io_wait(fd, POLLIN, deadline) != 0)
				return -1;
			continue;
		}
		return -1;
	}
	return (ssize_t)got;
}

int io_read_reply(int fd, int64_t deadline, int spin_us, int64_t *waited_us,
		  unsigned char **body, size_t *len)
{
	int64_t t0 = waited_us != NULL ? io_now_us() : 0;
	uint32_t nlen;
	unsigned char *b;
	ssize_t r;

	*body = NULL;
	*len = 0;
	/* The answer is seldom there as soon as the request is sent: wait for
	 * it first, rather than try a read that fails with EAGAIN. */
	if (io_spin(fd, POLLIN, spin_us) == 0 && io_wait(fd, POLLIN, deadline) != 0)
		return -1;
	if (waited_us != NULL)
		*waited_us = io_now_us() - t0;
	r = io_read_exact(fd, &nlen, sizeof(nlen), deadline);
	if (r == 0) {
		errno = 0;
		return -1;
	}
	if (r < 0)
		return -1;
	nlen = ntohl(nlen);
	if (nlen > CDB_MAX_MESSAGE || nlen < 4) {
		errno = EMSGSIZE;
		return -1;
	}
	b = malloc(nlen);
	if (b == NULL)
		return -1;
	r = io_read_exact(fd, b, nlen, deadline);
	if (r != (ssize_t)nlen) {
		if (r == 0)
			errno = ECONNRESET;
		io_free_message(b, nlen);
		return -1;
	}
	*body = b;
	*len = nlen;
	return 0;
}

int io_read_message(int fd, int64_t deadline, unsigned char **body, size_t *len)
{
	return io_read_reply(fd, deadline, 0, NULL, body, len);
}

void io_free_message(unsigned char *body, size_t len)
{
	if (body != NULL)
		secret_wipe(body, len);
	free(body);
}
