/* secret.h: the one way secrets are wiped. */
#ifndef CUSTOMDB_SECRET_H
#define CUSTOMDB_SECRET_H

#include <stddef.h>
#include <string.h>

/* Overwrite n bytes at p with zeros in a way the compiler may not drop. */
static inline void secret_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

/* Wipe a NUL-terminated string in place (NULL is fine). */
static inline void secret_wipe_str(char *s)
{
	if (s != NULL)
		secret_wipe(s, strlen(s));
}

/* Wipe an array, not a pointer: fails to compile when given a pointer. */
#define secret_wipe_array(a) \
	secret_wipe((a), sizeof(a) + 0 * sizeof(struct { \
		int not_an_array_ : __builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0])) ? -1 : 1; }))

#endif
