/* notify.c: see notify.h. */
#include "notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

static struct sockaddr_un addr;
static socklen_t addr_len;  /* 0: no service manager asked */

int notify_init(char *err, size_t errlen)
{
	const char *name = getenv("NOTIFY_SOCKET");
	size_t len;
	int rc = -1;

	addr_len = 0;
	if (name == NULL)
		return 0;
	len = strlen(name);
	if (name[0] != '/' && name[0] != '@') {
		/* other forms (vsock:CID:PORT) are for virtual machines */
		snprintf(err, errlen, "NOTIFY_SOCKET %s is neither an absolute path nor "
			 "an abstract name (@...): not telling the service manager", name);
		goto out;
	}
	if (len < 2 || len > sizeof(addr.sun_path) - (name[0] == '/')) {
		snprintf(err, errlen, "NOTIFY_SOCKET %s is %s: not telling the service "
			 "manager", name, len < 2 ? "too short" : "too long");
		goto out;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, name, len);
	/* an abstract name: a leading NUL, and the length says where it ends */
	if (name[0] == '@')
		addr.sun_path[0] = '\0';
	addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
			       (name[0] == '/'));
	rc = 0;
out:
	unsetenv("NOTIFY_SOCKET");
	return rc;
}

int notify_send(const char *state)
{
	ssize_t n;
	int fd, saved;

	if (addr_len == 0)
		return 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (const struct sockaddr *)&addr,
		   addr_len);
	saved = errno;
	close(fd);
	errno = saved;
	return n < 0 ? -1 : 0;
}

void notify_state(const char *fmt, ...)
{
	char state[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(state, sizeof(state), fmt, ap);
	va_end(ap);
	if (notify_send(state) != 0)
		log_msg(LOG_WARNING, "cannot tell the service manager %s: %s", state,
			strerror(errno));
}
