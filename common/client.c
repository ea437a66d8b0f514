/* client.c: see client.h. */
#include "client.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "io.h"
#include "protocol.h"

static int trusted_uid(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static int cdb_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct stat st;
	size_t plen = strnlen(path, sizeof(sa.sun_path));
	int fd;

	if (plen == 0 || plen >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, plen);
	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISSOCK(st.st_mode) || !trusted_uid(st.st_uid)) {
		errno = EPERM;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	/* A Unix stream connect never waits here: a full backlog gives EAGAIN. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0)
		goto fail;
	if (!trusted_uid(cred.uid)) {
		errno = EPERM;
		goto fail;
	}
	if (cred.pid == getpid()) {
		errno = EDEADLK;
		goto fail;
	}
	return fd;
fail:
	{
		int e = errno;
		close(fd);
		errno = e;
	}
	return -1;
}

int cdb_call_spin(const char *path, const struct wbuf *req, int timeout_ms,
		  atomic_int *spin_us, int *status, struct rbuf *fields,
		  unsigned char **reply, size_t *len)
{
	int64_t deadline = io_deadline(timeout_ms), waited;
	int window = spin_us != NULL ? atomic_load_explicit(spin_us, memory_order_relaxed) : 0;
	struct rbuf r;
	uint16_t st;
	int fd, e;

	*reply = NULL;
	*len = 0;
	if (req->failed || req->len < 8) {
		errno = EINVAL;
		return -1;
	}
	fd = cdb_connect(path);
	if (fd < 0)
		return -1;
	if (io_write_all(fd, req->data, req->len, deadline) != 0)
		goto fail;
	if (io_read_reply(fd, deadline, window, spin_us != NULL ? &waited : NULL, reply,
			  len) != 0) {
		if (errno == 0)
			errno = ECONNRESET;
		goto fail;
	}
	/* threads racing here each store a window fitted to a recent reply */
	if (spin_us != NULL)
		atomic_store_explicit(spin_us, io_spin_next(window, waited, CDB_REPLY_SPIN_MAX_US),
				      memory_order_relaxed);
	close(fd);
	rbuf_init(&r, *reply, *len);
	if (rbuf_begin(&r, &st) != 0) {
		io_free_message(*reply, *len);
		*reply = NULL;
		*len = 0;
		errno = EPROTO;
		return -1;
	}
	*status = st;
	*fields = r;
	return 0;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

int cdb_call(const char *path, const struct wbuf *req, int timeout_ms,
	     int *status, struct rbuf *fields, unsigned char **reply, size_t *len)
{
	return cdb_call_spin(path, req, timeout_ms, NULL, status, fields, reply, len);
}
