/* nss_enum_probe: walk the built libnss_customdb.so.2's enumeration
 * (setpwent / getpwent_r / endpwent, or the group ones) through dlopen, as
 * glibc would, but with a buffer the test picks, so that the ERANGE path is
 * taken on purpose: on NSS_STATUS_TRYAGAIN with ERANGE the buffer grows by
 * `step` bytes (glibc doubles it) and the same call is made again, which
 * must hand out the same entry.
 *
 *   nss_enum_probe MODULE pwent|grent BUFLEN [STEP]
 *
 * Prints every entry as getent would, then one line
 * "end=S errnop=E erange=N entries=M errno_kept=yes|no" (S: the status that
 * ended the walk; errno_kept: every call left errno as it was). */
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_common.h"

/* No walk is longer than this (a module that never ends is a failure). */
#define MAX_CALLS 10000000L

typedef enum nss_status (*setent_fn)(int);
typedef enum nss_status (*endent_fn)(void);
typedef enum nss_status (*pwent_fn)(struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grent_fn)(struct group *, char *, size_t, int *);

static void print_passwd(const struct passwd *pw)
{
	printf("%s:%s:%lu:%lu:%s:%s:%s\n", pw->pw_name, pw->pw_passwd, (unsigned long)pw->pw_uid,
	       (unsigned long)pw->pw_gid, pw->pw_gecos, pw->pw_dir, pw->pw_shell);
}

static void print_group(const struct group *gr)
{
	int i;

	printf("%s:%s:%lu:", gr->gr_name, gr->gr_passwd, (unsigned long)gr->gr_gid);
	for (i = 0; gr->gr_mem[i] != NULL; i++)
		printf("%s%s", i ? "," : "", gr->gr_mem[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	enum nss_status st = NSS_STATUS_SUCCESS;
	struct passwd pw;
	struct group gr;
	size_t buflen, step;
	long calls, erange = 0, entries = 0;
	int errnop = 0, kept = 1, users;
	char *buf;
	void *h;

	if (argc < 4 || (strcmp(argv[2], "pwent") != 0 && strcmp(argv[2], "grent") != 0)) {
		fprintf(stderr, "usage: nss_enum_probe MODULE pwent|grent BUFLEN [STEP]\n");
		return 2;
	}
	users = argv[2][0] == 'p';
	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		fprintf(stderr, "nss_enum_probe: %s\n", dlerror());
		return 2;
	}
	buflen = strtoul(argv[3], NULL, 10);
	step = argc > 4 ? strtoul(argv[4], NULL, 10) : 64;
	buf = malloc(buflen > 0 ? buflen : 1);
	if (buf == NULL || step == 0)
		return 2;
	((setent_fn)sym(h, users ? "_nss_customdb_setpwent" : "_nss_customdb_setgrent"))(0);
	for (calls = 0; calls < MAX_CALLS; calls++) {
		errno = 12345;
		if (users)
			st = ((pwent_fn)sym(h, "_nss_customdb_getpwent_r"))(&pw, buf, buflen, &errnop);
		else
			st = ((grent_fn)sym(h, "_nss_customdb_getgrent_r"))(&gr, buf, buflen, &errnop);
		if (errno != 12345)
			kept = 0;
		if (st == NSS_STATUS_TRYAGAIN && errnop == ERANGE) {
			erange++;
			buflen += step;
			buf = realloc(buf, buflen);
			if (buf == NULL)
				return 2;
			continue;
		}
		if (st != NSS_STATUS_SUCCESS)
			break;
		entries++;
		if (users)
			print_passwd(&pw);
		else
			print_group(&gr);
	}
	((endent_fn)sym(h, users ? "_nss_customdb_endpwent" : "_nss_customdb_endgrent"))();
	printf("end=%s errnop=%s erange=%ld entries=%ld errno_kept=%s\n",
	       calls == MAX_CALLS ? "NEVER" : status_name(st), errno_name(errnop), erange, entries,
	       kept ? "yes" : "no");
	free(buf);
	return 0;
}
