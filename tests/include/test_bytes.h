/*
 * test_bytes.h - byte helpers for tests and fuzz targets: big-endian loads
 * and stores and an RFC 1071 checksum written byte by byte, deliberately
 * sharing no code with src/ (a test oracle must not reuse what it checks).
 */
#ifndef TEST_BYTES_H
#define TEST_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t
tb_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
tb_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
tb_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
tb_put32(uint8_t *p, uint32_t v)
{
	tb_put16(p, (uint16_t)(v >> 16));
	tb_put16(p + 2, (uint16_t)v);
}

/* RFC 1071 sum of p[0..n) added to s, folded to 16 bits, not complemented. */
static inline uint32_t
tb_sum(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* The IPv4 pseudo-header sum of a packet whose transport part is l4len. */
static inline uint32_t
tb_pseudo(const uint8_t *ip, size_t l4len)
{
	return tb_sum(0, ip + 12, 8) + ip[9] + (uint32_t)l4len;
}

#endif
