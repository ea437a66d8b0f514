/* wire.h: bounds-checked encoding and decoding of protocol messages.
 *
 * Every function returns 0 on success or -1 on failure; nothing here hides a
 * return. A writer never grows past CDB_MAX_MESSAGE; a reader never reads past
 * its end and rejects strings longer than CDB_MAX_STRING or holding a NUL. */
#ifndef CUSTOMDB_WIRE_H
#define CUSTOMDB_WIRE_H

#include <stddef.h>
#include <stdint.h>

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

void rbuf_init(struct rbuf *r, const void *data, size_t len);
int rbuf_get_u16(struct rbuf *r, uint16_t *v);
int rbuf_get_u32(struct rbuf *r, uint32_t *v);
/* Points *s at the string's bytes inside the message (not NUL-terminated)
 * and *n at its length. */
int rbuf_get_strref(struct rbuf *r, const char **s, size_t *n);
/* Copies the string into dst (size dstlen, NUL-terminated); fails if it does
 * not fit. */
int rbuf_get_str(struct rbuf *r, char *dst, size_t dstlen);
/* Read the version and code of a message body; fails on a foreign version. */
int rbuf_begin(struct rbuf *r, uint16_t *code);
/* 0 when the whole body was consumed (trailing bytes are an error). */
int rbuf_end(const struct rbuf *r);

#endif
