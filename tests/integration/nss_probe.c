/* nss_probe: load the built libnss_customdb.so.2 with dlopen and call one of
 * its entry points directly, so tests can see what glibc's callers cannot:
 * the exact nss_status, *errnop, errno kept, short buffers.
 *
 *   nss_probe MODULE pwnam NAME BUFLEN
 *   nss_probe MODULE pwuid UID BUFLEN
 *   nss_probe MODULE grnam NAME BUFLEN
 *   nss_probe MODULE grgid GID BUFLEN
 *   nss_probe MODULE initgroups NAME
 *   nss_probe MODULE self-listen NAME   (listen on $CUSTOMDB_SOCKET in this
 *                                        process, then ask: must not hang)
 *   nss_probe MODULE disabled NAME      (_nss_customdb_enablelookups = 0)
 *   nss_probe MODULE pwnam-twice NAME SECONDS|-
 *                                       (look up, sleep, look up again in the
 *                                        same process: a replaced host cache
 *                                        must be noticed; with "-", wait for
 *                                        a line or the end of stdin instead)
 *
 * Prints "status=S errnop=E errno_kept=yes|no" and the record, if any. */
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "probe_common.h"

typedef enum nss_status (*pwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*pwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*grgid_fn)(gid_t, struct group *, char *, size_t, int *);
typedef enum nss_status (*initgroups_fn)(const char *, gid_t, long *, long *, gid_t **, long,
					 int *);

static int listen_here(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = getenv("CUSTOMDB_SOCKET");
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (path == NULL || fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 8) != 0)
		return -1;
	return fd;
}

int main(int argc, char **argv)
{
	enum nss_status st;
	struct passwd pw;
	struct group gr;
	char *buf;
	size_t buflen;
	int errnop = 0, kept, i;
	void *h;

	if (argc < 4) {
		fprintf(stderr, "usage: nss_probe MODULE MAP KEY [BUFLEN]\n");
		return 2;
	}
	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		fprintf(stderr, "nss_probe: %s\n", dlerror());
		return 2;
	}
	buflen = argc > 4 ? strtoul(argv[4], NULL, 10) : 4096;
	buf = malloc(buflen ? buflen : 1);
	if (strcmp(argv[2], "self-listen") == 0 && listen_here() < 0) {
		perror("nss_probe: listen");
		return 2;
	}
	if (strcmp(argv[2], "disabled") == 0)
		*(int *)sym(h, "_nss_customdb_enablelookups") = 0;
	if (strcmp(argv[2], "pwnam-twice") == 0) {
		pwnam_fn f = (pwnam_fn)sym(h, "_nss_customdb_getpwnam_r");

		buf = realloc(buf, 4096);
		st = f(argv[3], &pw, buf, 4096, &errnop);
		printf("first=%s\n", status_name(st));
		fflush(stdout);
		if (strcmp(argv[4], "-") == 0) {
			char line[16];

			if (fgets(line, sizeof(line), stdin) == NULL)
				line[0] = '\0';
		} else {
			sleep((unsigned)strtoul(argv[4], NULL, 10));
		}
		st = f(argv[3], &pw, buf, 4096, &errnop);
		printf("second=%s\n", status_name(st));
		free(buf);
		return 0;
	}
	errno = 12345;
	if (strcmp(argv[2], "pwnam") == 0 || strcmp(argv[2], "self-listen") == 0 ||
	    strcmp(argv[2], "disabled") == 0) {
		st = ((pwnam_fn)sym(h, "_nss_customdb_getpwnam_r"))(argv[3], &pw, buf, buflen, &errnop);
	} else if (strcmp(argv[2], "pwuid") == 0) {
		st = ((pwuid_fn)sym(h, "_nss_customdb_getpwuid_r"))((uid_t)strtoul(argv[3], NULL, 10),
								     &pw, buf, buflen, &errnop);
	} else if (strcmp(argv[2], "grnam") == 0) {
		st = ((grnam_fn)sym(h, "_nss_customdb_getgrnam_r"))(argv[3], &gr, buf, buflen, &errnop);
	} else if (strcmp(argv[2], "grgid") == 0) {
		st = ((grgid_fn)sym(h, "_nss_customdb_getgrgid_r"))((gid_t)strtoul(argv[3], NULL, 10),
								     &gr, buf, buflen, &errnop);
	} else if (strcmp(argv[2], "initgroups") == 0) {
		long start = 0, size = 1;
		gid_t *groups = malloc(sizeof(gid_t));

		st = ((initgroups_fn)sym(h, "_nss_customdb_initgroups_dyn"))(argv[3], 100, &start,
									      &size, &groups, 0,
									      &errnop);
		kept = errno == 12345;
		printf("status=%s errnop=%s errno_kept=%s\n", status_name(st), errno_name(errnop),
		       kept ? "yes" : "no");
		for (i = 0; i < start; i++)
			printf("gid=%lu\n", (unsigned long)groups[i]);
		free(groups);
		free(buf);
		return 0;
	} else {
		fprintf(stderr, "nss_probe: unknown map %s\n", argv[2]);
		return 2;
	}
	kept = errno == 12345;
	printf("status=%s errnop=%s errno_kept=%s\n", status_name(st),
	       st == NSS_STATUS_SUCCESS ? "0" : errno_name(errnop), kept ? "yes" : "no");
	if (st == NSS_STATUS_SUCCESS && argv[2][0] == 'p')
		printf("%s:%s:%lu:%lu:%s:%s:%s\n", pw.pw_name, pw.pw_passwd, (unsigned long)pw.pw_uid,
		       (unsigned long)pw.pw_gid, pw.pw_gecos, pw.pw_dir, pw.pw_shell);
	if (st == NSS_STATUS_SUCCESS && argv[2][0] == 'g') {
		printf("%s:%s:%lu:", gr.gr_name, gr.gr_passwd, (unsigned long)gr.gr_gid);
		for (i = 0; gr.gr_mem[i] != NULL; i++)
			printf("%s%s", i ? "," : "", gr.gr_mem[i]);
		printf("\n");
	}
	free(buf);
	return 0;
}
