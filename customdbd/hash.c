/* hash.c: see hash.h. */
#include "hash.h"

#include <sodium.h>
#include <string.h>

static const struct hash_family *const families[] = {
	&hash_family_bcrypt,
	&hash_family_sha512crypt,
	&hash_family_sha256crypt,
	&hash_family_md5crypt,
	&hash_family_yescrypt,
	&hash_family_argon2id,
};

/* A sha512crypt of a random password, at the default 5000 rounds. */
static const char dummy_sha512crypt[] =
	"$6$5Xk0cYjQq3GJxV0e$mEiWBmAFLAxG3O5tTZNOTYoaBRbDqnJKn/R2IZU2an2uBjdhCPIuVNKW6b5RVWUrb4Qogi0K.cngEHGhB/Jxf/";

const struct hash_family *hash_identify(const char *stored)
{
	size_t i;

	if (stored == NULL || stored[0] == '\0')
		return NULL;
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (families[i]->identify(stored))
			return families[i];
	return NULL;
}

int hash_verify(const char *stored, const char *password)
{
	const struct hash_family *f = hash_identify(stored);
	size_t pwlen = password != NULL ? strlen(password) : 0;

	if (f == NULL)
		return HASH_UNUSABLE;
	if (pwlen == 0) {
		/* Cost the same as a real attempt, then refuse. */
		f->verify(stored, "\x01", 1);
		return HASH_MISMATCH;
	}
	return f->verify(stored, password, pwlen);
}

void hash_dummy_verify(const char *like, const char *password)
{
	const struct hash_family *f = like != NULL ? hash_identify(like) : NULL;
	const char *pw = (password != NULL && password[0] != '\0') ? password : "\x01";

	if (f == NULL) {
		f = &hash_family_sha512crypt;
		like = dummy_sha512crypt;
	}
	(void)f->verify(like, pw, strlen(pw));
}

bool hash_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}
