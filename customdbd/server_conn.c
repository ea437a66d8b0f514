/* server_conn.c: one client connection's bytes: its request read without
 * blocking, its reply written without blocking (server_int.h). */
#include "server_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "secret.h"

void conn_release(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->body != NULL)
		secret_wipe(c->body, c->body_len);
	free(c->body);
	wbuf_free(&c->out);
	conns_leave(c->cred.uid);
	free(c);
}

/* Take n bytes of the request, in order: the length word, then the body
 * (allocated once the length is known). 1 when the request is complete,
 * 0 when more is to come, -1 on a bad length. */
static int conn_take(struct conn *c, const unsigned char *p, size_t n)
{
	uint32_t nlen;
	size_t k;

	while (n > 0) {
		if (c->got < sizeof(c->hdr)) {
			k = sizeof(c->hdr) - c->got < n ? sizeof(c->hdr) - c->got : n;
			memcpy(c->hdr + c->got, p, k);
		} else {
			k = c->body_len - (c->got - sizeof(c->hdr));
			if (k > n)
				k = n;
			memcpy(c->body + (c->got - sizeof(c->hdr)), p, k);
		}
		c->got += k;
		p += k;
		n -= k;
		if (c->got > sizeof(c->hdr) && c->got == sizeof(c->hdr) + c->body_len)
			return 1;   /* anything the client sent after it is ignored */
		if (c->got == sizeof(c->hdr)) {
			memcpy(&nlen, c->hdr, sizeof(nlen));
			nlen = ntohl(nlen);
			if (nlen < 4 || nlen > REQUEST_MAX) {
				log_msg(LOG_WARNING, "uid %lu pid %ld: request of %lu bytes refused",
					(unsigned long)c->cred.uid, (long)c->cred.pid,
					(unsigned long)nlen);
				return -1;
			}
			c->body = malloc(nlen);
			if (c->body == NULL)
				return -1;
			c->body_len = nlen;
		}
	}
	return 0;
}

/* One recv() takes the length word and the body together (a request fits
 * in the buffer): one system call less per request on the loop's thread. */
int conn_read(struct conn *c)
{
	unsigned char buf[REQUEST_MAX + 4];
	size_t want;
	ssize_t r;
	int done;

	for (;;) {
		want = c->got < sizeof(c->hdr) ? sizeof(buf) - c->got
					       : c->body_len - (c->got - sizeof(c->hdr));
		r = recv(c->fd, buf, want, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (r <= 0) {
			if (r < 0 || c->got > 0)
				log_msg(LOG_DEBUG, "pid %ld: request not read: %s", (long)c->cred.pid,
					r < 0 ? strerror(errno) : "closed before its end");
			return -1;
		}
		done = conn_take(c, buf, (size_t)r);
		secret_wipe(buf, (size_t)r);   /* a password, maybe */
		if (done != 0)
			return done;
	}
}

int conn_write(struct conn *c)
{
	ssize_t w;

	while (c->sent < c->out.len) {
		w = send(c->fd, c->out.data + c->sent, c->out.len - c->sent,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			c->sent += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;
	}
	return 1;
}
