/*
 * pfxset.h - a sorted set of IPv4 prefixes (address, length), each with a
 * reference count, in one growable array: the routes a BGP session put in
 * place, the prefixes a link holds in the ESP table. Lookups are binary
 * searches; inserts and removals move the tail (sets are small: at most a
 * session's max-prefix limit).
 */
#ifndef PFXSET_H
#define PFXSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pfxset_ent {
	uint32_t	addr;		/* host order, as given */
	uint8_t		len;
	uint32_t	refs;
	/*
	 * The BGP attributes that rank ECMP members (RFC 4271 §9.1.2.2 a, c):
	 * AS_PATH length, MULTI_EXIT_DISC (0 if absent, §9.1.2.2 c) and the
	 * neighbouring AS. 0 where nobody sets them.
	 */
	uint32_t	path_len, med, nas;
};

struct pfxset {
	struct pfxset_ent *e;		/* sorted by (addr, len) */
	size_t		n, cap;
};

/* Where (addr, len) is, or where it would go; *found says which. */
size_t	pfxset_pos(const struct pfxset *, uint32_t addr, uint8_t len,
	    bool *found);
/* Inserts (addr, len) with one reference at pos (from pfxset_pos, not
 * found); -1: no memory, nothing changed. */
int	pfxset_insert(struct pfxset *, size_t pos, uint32_t addr, uint8_t len);
/* Removes the entry at pos (whatever its references). */
void	pfxset_remove(struct pfxset *, size_t pos);
void	pfxset_free(struct pfxset *);

#endif
