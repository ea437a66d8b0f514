/* hostcache_forge.c: write a host cache the way an attacker would, with the
 * daemon's own writer but none of its rules (for statedir.sh).
 *
 *   hostcache_forge DIR NAME UID GID [NAME UID GID ...]
 *
 * Each user gets a passwd record under its name ("p") and its uid ("u"),
 * never expiring, committed to DIR/hostcache.db. Exit 0, or 1 with a
 * message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostcache_write.h"
#include "record.h"
#include "wire.h"

#define MAX_USERS 16

int main(int argc, char **argv)
{
	static unsigned char *values[MAX_USERS];
	static char keys[2 * MAX_USERS][80];
	struct hostcache_writer *w;
	size_t lens[MAX_USERS];
	int i, n = (argc - 2) / 3;

	if (argc < 5 || (argc - 2) % 3 != 0 || n > MAX_USERS) {
		fprintf(stderr, "usage: hostcache_forge DIR NAME UID GID [NAME UID GID ...]\n");
		return 1;
	}
	w = hostcache_begin(argv[1]);
	if (w == NULL) {
		fprintf(stderr, "hostcache_forge: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		char **u = argv + 2 + 3 * i, home[80];
		struct cdb_passwd p = { .name = u[0], .gecos = "", .home = home, .shell = "/bin/sh",
					.uid = (uint32_t)strtoul(u[1], NULL, 10),
					.gid = (uint32_t)strtoul(u[2], NULL, 10) };
		struct wbuf wb;

		snprintf(home, sizeof(home), "/home/%s", u[0]);
		wbuf_init(&wb);
		if (record_put_passwd(&wb, &p) != 0 || (values[i] = malloc(8 + wb.len)) == NULL) {
			fprintf(stderr, "hostcache_forge: cannot encode %s\n", u[0]);
			return 1;
		}
		hostcache_encode_expiry(0, values[i]);
		memcpy(values[i] + 8, wb.data, wb.len);
		lens[i] = 8 + wb.len;
		wbuf_free(&wb);
		snprintf(keys[2 * i], sizeof(keys[0]), "p%s", u[0]);
		snprintf(keys[2 * i + 1], sizeof(keys[0]), "u%s", u[1]);
		if (hostcache_add(w, keys[2 * i], strlen(keys[2 * i]), values[i], lens[i]) != 0 ||
		    hostcache_add(w, keys[2 * i + 1], strlen(keys[2 * i + 1]), values[i], lens[i]) != 0) {
			fprintf(stderr, "hostcache_forge: %s: %s\n", u[0], strerror(errno));
			return 1;
		}
	}
	if (hostcache_write(w) != 0 || hostcache_commit(w) != 0) {
		fprintf(stderr, "hostcache_forge: cannot write under %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++)
		free(values[i]);
	return 0;
}
