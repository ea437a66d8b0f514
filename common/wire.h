/* wire.h: bounds-checked encoding and decoding of protocol messages.
 *
 * Every function returns 0 on success or -1 on failure; nothing here hides a
 * return. A writer never grows past CDB_MAX_MESSAGE; a reader never reads past
 * its end and rejects strings longer than CDB_MAX_STRING or holding a NUL. */
#ifndef CUSTOMDB_WIRE_H
#define CUSTOMDB_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "protocol.h"

/* A growing output buffer. Owns data; free with wbuf_free (which wipes it,
 * since a request may carry a password). */
struct wbuf {
	unsigned char *data;
	size_t len;
	size_t cap;
	int failed;   /* sticky: set once a put failed (ENOMEM or too big) */
};

void wbuf_init(struct wbuf *w);
/* Wipe and free the buffer; w may be reused after wbuf_init. */
void wbuf_free(struct wbuf *w);
int wbuf_put_u16(struct wbuf *w, uint16_t v);
int wbuf_put_u32(struct wbuf *w, uint32_t v);
/* A string field: rejects NUL bytes and more than CDB_MAX_STRING bytes. */
int wbuf_put_str(struct wbuf *w, const char *s);
int wbuf_put_strn(struct wbuf *w, const char *s, size_t n);
/* Start a message: reserve the length word, then put version and code. */
int wbuf_begin(struct wbuf *w, uint16_t code);
/* Finish a message: fill in the length word. Fails if any put failed. */
int wbuf_end(struct wbuf *w);

/* A read cursor over a message body that the caller owns. */
struct rbuf {
	const unsigned char *p;
	size_t left;
};

/* The readers are inline: the NSS module decodes a host cache entry on every
 * look-up, and a call per field costs more than the field. */
static inline void rbuf_init(struct rbuf *r, const void *data, size_t len)
{
	r->p = data;
	r->left = len;
}

static inline int rbuf_get_u16(struct rbuf *r, uint16_t *v)
{
	if (r->left < 2)
		return -1;
	*v = (uint16_t)((r->p[0] << 8) | r->p[1]);
	r->p += 2;
	r->left -= 2;
	return 0;
}

static inline int rbuf_get_u32(struct rbuf *r, uint32_t *v)
{
	if (r->left < 4)
		return -1;
	*v = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) | ((uint32_t)r->p[2] << 8) |
	     (uint32_t)r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

/* Points *s at the string's bytes inside the message (not NUL-terminated)
 * and *n at its length. */
static inline int rbuf_get_strref(struct rbuf *r, const char **s, size_t *n)
{
	uint32_t len;

	if (rbuf_get_u32(r, &len) != 0)
		return -1;
	if (len > CDB_MAX_STRING || len > r->left)
		return -1;
	if (memchr(r->p, '\0', len) != NULL)
		return -1;
	*s = (const char *)r->p;
	*n = len;
	r->p += len;
	r->left -= len;
	return 0;
}
/* Copies the string into dst (size dstlen, NUL-terminated); fails if it does
 * not fit. */
int rbuf_get_str(struct rbuf *r, char *dst, size_t dstlen);
/* Read the version and code of a message body; fails on a foreign version. */
int rbuf_begin(struct rbuf *r, uint16_t *code);
/* 0 when the whole body was consumed (trailing bytes are an error). */
int rbuf_end(const struct rbuf *r);

#endif
