/*
 * buf.c - bounds-checked reader and writer cursors (the fixed-size ones are
 * inline in buf.h). buf.h and this file are the only ones that do
 * arithmetic on packet pointers; every protocol parser goes through them,
 * so a length check is written once, here.
 */
#include "buf.h"

#include <string.h>

void
buf_init(struct buf *b, const uint8_t *data, size_t len)
{
	b->data = data;
	b->len = data == NULL ? 0 : len;
	b->off = 0;
}

int
buf_done(const struct buf *b)
{
	return b->off == b->len ? 0 : -1;
}

int
buf_get_bytes(struct buf *b, void *out, size_t n)
{
	const uint8_t *p;

	if (buf_peek_ptr(b, n, &p) == -1)
		return -1;
	if (n > 0)
		memcpy(out, p, n);
	return 0;
}

int
buf_get_sub(struct buf *b, size_t n, struct buf *sub)
{
	const uint8_t *p;

	if (buf_peek_ptr(b, n, &p) == -1)
		return -1;
	sub->data = p;
	sub->len = n;
	sub->off = 0;
	return 0;
}

void
wbuf_init(struct wbuf *w, uint8_t *storage, size_t cap)
{
	w->data = storage;
	w->cap = storage == NULL ? 0 : cap;
	w->len = 0;
	w->err = false;
}

size_t
wbuf_len(const struct wbuf *w)
{
	return w->len;
}

static int
wbuf_add_be(struct wbuf *w, size_t n, uint64_t v)
{
	uint8_t *p;
	size_t i;

	if ((p = wbuf_grab(w, n)) == NULL)
		return -1;
	for (i = n; i > 0; i--) {
		p[i - 1] = (uint8_t)v;
		v >>= 8;
	}
	return 0;
}

int
wbuf_add_u64(struct wbuf *w, uint64_t v)
{
	return wbuf_add_be(w, 8, v);
}

int
wbuf_add_bytes(struct wbuf *w, const void *src, size_t n)
{
	uint8_t *p;

	if ((p = wbuf_grab(w, n)) == NULL)
		return -1;
	if (n > 0)
		memcpy(p, src, n);
	return 0;
}

int
wbuf_add_zero(struct wbuf *w, size_t n)
{
	uint8_t *p;

	if ((p = wbuf_grab(w, n)) == NULL)
		return -1;
	if (n > 0)
		memset(p, 0, n);
	return 0;
}

int
wbuf_reserve(struct wbuf *w, size_t n, size_t *at)
{
	size_t start = w->len;

	if (wbuf_add_zero(w, n) == -1)
		return -1;
	*at = start;
	return 0;
}

uint8_t *
wbuf_ptr_at(struct wbuf *w, size_t at, size_t n)
{
	if (w->err || at > w->len || n > w->len - at)
		return NULL;
	return w->data + at;
}

static int
wbuf_set_be(struct wbuf *w, size_t at, size_t n, uint64_t v)
{
	uint8_t *p;
	size_t i;

	if ((p = wbuf_ptr_at(w, at, n)) == NULL) {
		w->err = true;
		return -1;
	}
	for (i = n; i > 0; i--) {
		p[i - 1] = (uint8_t)v;
		v >>= 8;
	}
	return 0;
}

int
wbuf_set_u8_at(struct wbuf *w, size_t at, uint8_t v)
{
	return wbuf_set_be(w, at, 1, v);
}

int
wbuf_set_u16_at(struct wbuf *w, size_t at, uint16_t v)
{
	return wbuf_set_be(w, at, 2, v);
}

int
wbuf_set_u32_at(struct wbuf *w, size_t at, uint32_t v)
{
	return wbuf_set_be(w, at, 4, v);
}
