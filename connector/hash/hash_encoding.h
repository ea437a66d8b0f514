/* hash_encoding.h: the byte encodings legacy hash strings use.
 *
 * Decoders return the number of bytes written to out, or -1 when the text
 * is not valid in that encoding or does not fit in outlen. Encoders write a
 * NUL-terminated string and return its length, or -1 when it does not fit. */
#ifndef CUSTOMDB_HASH_ENCODING_H
#define CUSTOMDB_HASH_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

/* Hexadecimal, either case on input; lower case on output. */
int enc_hex_decode(const char *s, size_t n, unsigned char *out, size_t outlen);
int enc_hex_encode(const unsigned char *in, size_t n, char *out, size_t outlen);

/* Standard base64 (RFC 4648 alphabet "+/"); padding optional on input,
 * written when pad is true. */
int enc_b64_decode(const char *s, size_t n, unsigned char *out, size_t outlen);
int enc_b64_encode(const unsigned char *in, size_t n, bool pad, char *out, size_t outlen);

/* passlib's "adapted base64": '.' for '+', no padding. */
int enc_ab64_decode(const char *s, size_t n, unsigned char *out, size_t outlen);
int enc_ab64_encode(const unsigned char *in, size_t n, char *out, size_t outlen);

/* The crypt(3) alphabet "./0-9A-Za-z", least significant 6 bits first, as
 * phpass, Drupal and md5crypt write it (phpass's encode64()). */
int enc_crypt64_encode(const unsigned char *in, size_t n, char *out, size_t outlen);
extern const char enc_crypt64_alphabet[65];
/* Position of c in that alphabet, or -1. */
int enc_crypt64_index(char c);
/* Are the n bytes at s all in that alphabet? */
bool enc_crypt64_only(const char *s, size_t n);

#endif
