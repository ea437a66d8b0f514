/* hash_md.h: the two old digests that OpenSSL 3 does not give: MD4
 * (moved to its "legacy" provider, which customdb does not load) and
 * MD5's chaining state after one block (no EVP call returns it), which
 * Dovecot's {CRAM-MD5} stores. Both are RFC 1320 / RFC 1321 as written. */
#ifndef CUSTOMDB_HASH_MD_H
#define CUSTOMDB_HASH_MD_H

#include <stddef.h>
#include <stdint.h>

/* MD4 of the n bytes at in into out. */
void hash_md4(const void *in, size_t n, unsigned char out[16]);

/* MD5's four state words after compressing the one 64-byte block from
 * the standard initial state (no padding, no length: a partial hash). */
void hash_md5_block_state(const unsigned char block[64], uint32_t state[4]);

#endif
