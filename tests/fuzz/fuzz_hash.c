/* fuzz_hash.c: hash_identify and hash_verify of arbitrary stored strings.
 *
 * Inputs are capped at 256 bytes, and hash_verify runs only for forms whose
 * cost the string cannot raise (bcrypt cost <= 5, sha*crypt without rounds=,
 * md5crypt): otherwise one input could ask for hours of work. argon2id and
 * yescrypt strings carry their own cost, so they are only identified. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cheap(const struct hash_family *f, const char *s)
{
	if (f == &hash_family_bcrypt)
		return s[4] == '0' && s[5] <= '5';
	if (f == &hash_family_sha512crypt || f == &hash_family_sha256crypt)
		return strstr(s, "rounds=") == NULL;
	return f == &hash_family_md5crypt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct hash_family *f;
	char s[257];

	if (size > 256)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	f = hash_identify(s);
	if (f == NULL || !cheap(f, s))
		return 0;
	/* nothing the fuzzer writes is a hash of this password */
	if (hash_verify(s, "fuzz password") == 0 || hash_verify(s, "") == 0)
		abort();
	return 0;
}
