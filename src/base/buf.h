/*
 * buf.h - the one bounds-checked cursor for every byte that comes from
 * outside (STYLE §1), after bgpd's ibuf. Readers return -1 on short input
 * and leave their output untouched; parsers end with buf_done() ("fully
 * consumed or error"). Writers latch an error flag instead of overflowing,
 * so builders can add up errors and check once.
 *
 * The fixed-size readers and writers are inline: parsers call them for
 * every field (an IKE SA payload is dozens of transforms), and a call
 * across files per octet showed in the IKE setup profile.
 */
#ifndef BUF_H
#define BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	const uint8_t	*data;
	size_t		len;
	size_t		off;
};

void	buf_init(struct buf *, const uint8_t *data, size_t len);
int	buf_get_bytes(struct buf *, void *out, size_t n);
/* The next n bytes as their own cursor (nested TLVs), advancing past them. */
int	buf_get_sub(struct buf *, size_t n, struct buf *sub);
/* 0 if every byte was consumed, -1 otherwise. */
int	buf_done(const struct buf *);

static inline size_t
buf_left(const struct buf *b)
{
	return b->len - b->off;
}

static inline size_t
buf_offset(const struct buf *b)
{
	return b->off;
}

/* n bytes in place (for hashing or keeping a view), advancing past them. */
static inline int
buf_peek_ptr(struct buf *b, size_t n, const uint8_t **p)
{
	if (n > b->len - b->off)
		return -1;
	*p = b->data + b->off;
	b->off += n;
	return 0;
}

static inline int
buf_skip(struct buf *b, size_t n)
{
	if (n > b->len - b->off)
		return -1;
	b->off += n;
	return 0;
}

/* Network byte order; -1 (and *v untouched) if fewer bytes are left. */
static inline int
buf_get_u8(struct buf *b, uint8_t *v)
{
	if (b->off >= b->len)
		return -1;
	*v = b->data[b->off++];
	return 0;
}

static inline int
buf_get_u16(struct buf *b, uint16_t *v)
{
	const uint8_t *p;

	if (buf_peek_ptr(b, 2, &p) == -1)
		return -1;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return 0;
}

static inline int
buf_get_u32(struct buf *b, uint32_t *v)
{
	const uint8_t *p;

	if (buf_peek_ptr(b, 4, &p) == -1)
		return -1;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	return 0;
}

static inline int
buf_get_u64(struct buf *b, uint64_t *v)
{
	const uint8_t *p;
	uint64_t x = 0;
	int i;

	if (buf_peek_ptr(b, 8, &p) == -1)
		return -1;
	for (i = 0; i < 8; i++)
		x = x << 8 | p[i];
	*v = x;
	return 0;
}

struct wbuf {
	uint8_t		*data;
	size_t		cap;
	size_t		len;
	bool		err;
};

void	wbuf_init(struct wbuf *, uint8_t *storage, size_t cap);
int	wbuf_add_u64(struct wbuf *, uint64_t);
int	wbuf_add_bytes(struct wbuf *, const void *, size_t);
int	wbuf_add_zero(struct wbuf *, size_t n);
/* Reserve n zero bytes, *at = their offset, for back-patching. */
int	wbuf_reserve(struct wbuf *, size_t n, size_t *at);
int	wbuf_set_u8_at(struct wbuf *, size_t at, uint8_t);
int	wbuf_set_u16_at(struct wbuf *, size_t at, uint16_t);
int	wbuf_set_u32_at(struct wbuf *, size_t at, uint32_t);
/* Writable view of n written bytes at at (an ICV filled in after the fact); NULL if out of range. */
uint8_t	*wbuf_ptr_at(struct wbuf *, size_t at, size_t n);
size_t	wbuf_len(const struct wbuf *);

/* Room for n more bytes, or latch the error. */
static inline uint8_t *
wbuf_grab(struct wbuf *w, size_t n)
{
	uint8_t *p;

	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return NULL;
	}
	p = w->data + w->len;
	w->len += n;
	return p;
}

static inline int
wbuf_add_u8(struct wbuf *w, uint8_t v)
{
	uint8_t *p;

	if ((p = wbuf_grab(w, 1)) == NULL)
		return -1;
	p[0] = v;
	return 0;
}

static inline int
wbuf_add_u16(struct wbuf *w, uint16_t v)
{
	uint8_t *p;

	if ((p = wbuf_grab(w, 2)) == NULL)
		return -1;
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 0;
}

static inline int
wbuf_add_u32(struct wbuf *w, uint32_t v)
{
	uint8_t *p;

	if ((p = wbuf_grab(w, 4)) == NULL)
		return -1;
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 0;
}

#endif
