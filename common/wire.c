/* wire.c: see wire.h. */
#include "wire.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "secret.h"

void wbuf_init(struct wbuf *w)
{
	memset(w, 0, sizeof(*w));
}

void wbuf_free(struct wbuf *w)
{
	if (w->data != NULL)
		secret_wipe(w->data, w->cap);
	free(w->data);
	wbuf_init(w);
}

static int wbuf_reserve(struct wbuf *w, size_t n)
{
	size_t need, cap;
	unsigned char *nd;

	if (w->failed)
		return -1;
	if (n > CDB_MAX_MESSAGE + 4 || w->len > CDB_MAX_MESSAGE + 4 - n)
		goto fail;
	need = w->len + n;
	if (need <= w->cap)
		return 0;
	cap = w->cap ? w->cap : 256;
	while (cap < need)
		cap *= 2;
	/* Grow by copy so that no stale copy of a secret is left behind by realloc. */
	nd = malloc(cap);
	if (nd == NULL)
		goto fail;
	if (w->data != NULL) {
		memcpy(nd, w->data, w->len);
		secret_wipe(w->data, w->cap);
		free(w->data);
	}
	w->data = nd;
	w->cap = cap;
	return 0;
fail:
	w->failed = 1;
	return -1;
}

static int wbuf_put(struct wbuf *w, const void *p, size_t n)
{
	if (wbuf_reserve(w, n) != 0)
		return -1;
	if (n > 0)
		memcpy(w->data + w->len, p, n);
	w->len += n;
	return 0;
}

int wbuf_put_u16(struct wbuf *w, uint16_t v)
{
	uint16_t n = htons(v);
	return wbuf_put(w, &n, sizeof(n));
}

int wbuf_put_u32(struct wbuf *w, uint32_t v)
{
	uint32_t n = htonl(v);
	return wbuf_put(w, &n, sizeof(n));
}

int wbuf_put_strn(struct wbuf *w, const char *s, size_t n)
{
	if (s == NULL)
		n = 0;
	if (n > CDB_MAX_STRING || (n > 0 && memchr(s, '\0', n) != NULL)) {
		w->failed = 1;
		return -1;
	}
	if (wbuf_put_u32(w, (uint32_t)n) != 0)
		return -1;
	return wbuf_put(w, s, n);
}

int wbuf_put_str(struct wbuf *w, const char *s)
{
	return wbuf_put_strn(w, s, s != NULL ? strnlen(s, CDB_MAX_STRING + 1) : 0);
}

int wbuf_begin(struct wbuf *w, uint16_t code)
{
	w->len = 0;
	w->failed = 0;
	if (wbuf_put_u32(w, 0) != 0)
		return -1;
	if (wbuf_put_u16(w, CDB_PROTOCOL_VERSION) != 0)
		return -1;
	return wbuf_put_u16(w, code);
}

int wbuf_end(struct wbuf *w)
{
	uint32_t n;

	if (w->failed || w->len < 4 || w->len - 4 > CDB_MAX_MESSAGE)
		return -1;
	n = htonl((uint32_t)(w->len - 4));
	memcpy(w->data, &n, sizeof(n));
	return 0;
}

int rbuf_get_str(struct rbuf *r, char *dst, size_t dstlen)
{
	const char *s;
	size_t n;

	if (rbuf_get_strref(r, &s, &n) != 0)
		return -1;
	if (n >= dstlen)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int rbuf_begin(struct rbuf *r, uint16_t *code)
{
	uint16_t version;

	if (rbuf_get_u16(r, &version) != 0 || version != CDB_PROTOCOL_VERSION)
		return -1;
	return rbuf_get_u16(r, code);
}

int rbuf_end(const struct rbuf *r)
{
	return r->left == 0 ? 0 : -1;
}
