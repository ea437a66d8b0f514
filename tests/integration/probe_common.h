/* probe_common.h: what the NSS test programs (nss_probe.c, nss_enum_probe.c)
 * share: names for what the module answered, and its entry points looked up
 * in the module they dlopen'ed. */
#ifndef CUSTOMDB_PROBE_COMMON_H
#define CUSTOMDB_PROBE_COMMON_H

#include <dlfcn.h>
#include <errno.h>
#include <nss.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline const char *status_name(enum nss_status s)
{
	switch (s) {
	case NSS_STATUS_SUCCESS: return "SUCCESS";
	case NSS_STATUS_NOTFOUND: return "NOTFOUND";
	case NSS_STATUS_UNAVAIL: return "UNAVAIL";
	case NSS_STATUS_TRYAGAIN: return "TRYAGAIN";
	default: return "OTHER";
	}
}

static inline const char *errno_name(int e)
{
	switch (e) {
	case 0: return "0";
	case ENOENT: return "ENOENT";
	case ERANGE: return "ERANGE";
	case EAGAIN: return "EAGAIN";
	default: return strerror(e);
	}
}

/* The symbol name of module h; exits 2 (naming it) when it is missing. */
static inline void *sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (p == NULL) {
		fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, name, dlerror());
		exit(2);
	}
	return p;
}

#endif
