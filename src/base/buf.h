/*
 * buf.h - the one bounds-checked cursor for every byte that comes from
 * outside (STYLE §1), after bgpd's ibuf. Readers return -1 on short input
 * and leave their output untouched; parsers end with buf_done() ("fully
 * consumed or error"). Writers latch an error flag instead of overflowing,
 * so builders can add up errors and check once.
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
int	buf_get_u8(struct buf *, uint8_t *);
int	buf_get_u16(struct buf *, uint16_t *);	/* network order */
int	buf_get_u32(struct buf *, uint32_t *);
int	buf_get_u64(struct buf *, uint64_t *);
int	buf_get_bytes(struct buf *, void *out, size_t n);
/* n bytes in place (for hashing or keeping a view), advancing past them. */
int	buf_peek_ptr(struct buf *, size_t n, const uint8_t **p);
/* The next n bytes as their own cursor (nested TLVs), advancing past them. */
int	buf_get_sub(struct buf *, size_t n, struct buf *sub);
int	buf_skip(struct buf *, size_t n);
size_t	buf_left(const struct buf *);
size_t	buf_offset(const struct buf *);
/* 0 if every byte was consumed, -1 otherwise. */
int	buf_done(const struct buf *);

struct wbuf {
	uint8_t		*data;
	size_t		cap;
	size_t		len;
	bool		err;
};

void	wbuf_init(struct wbuf *, uint8_t *storage, size_t cap);
int	wbuf_add_u8(struct wbuf *, uint8_t);
int	wbuf_add_u16(struct wbuf *, uint16_t);
int	wbuf_add_u32(struct wbuf *, uint32_t);
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

#endif
