/*
 * lpm.h - IPv4 longest-prefix match, immutable once built: the ESP workers
 * read it under RCU while the control thread builds a replacement and
 * publishes it (esp_table.c). One hash table per prefix length present,
 * probed from /32 down; a lookup costs one probe per distinct length, and
 * the memory is one allocation, freed with lpm_free().
 */
#ifndef LPM_H
#define LPM_H

#include <stddef.h>
#include <stdint.h>

struct lpm;

struct lpm_entry {
	uint32_t	prefix;		/* host byte order; host bits ignored */
	uint8_t		plen;		/* 0..32 */
	uint32_t	value;
};

/* NULL on no memory, a plen > 32 or a value UINT32_MAX. A duplicate
 * prefix: the first wins. */
struct lpm *lpm_build(const struct lpm_entry *, size_t n);
void	lpm_free(struct lpm *);
/* 0 with *value of the longest prefix holding addr, -1 if none does. */
int	lpm_lookup(const struct lpm *, uint32_t addr, uint32_t *value);
/* The same, and *plen (if not NULL) the length of the prefix that held it. */
int	lpm_lookup_len(const struct lpm *, uint32_t addr, uint32_t *value,
	    uint8_t *plen);
size_t	lpm_size(const struct lpm *);

#endif
