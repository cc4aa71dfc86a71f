/*
 * pfxset.h - a set of IPv4 prefixes (address, length), each with a
 * reference count and ranking attributes: the routes a BGP session put in
 * place, the prefixes a link holds in the ESP table. Entries sit in one
 * dense array (iteration, no per-entry allocation) with an open-addressing
 * index over it, so a lookup, an insert and a removal cost O(1) whatever
 * the size: a full table arrives one prefix at a time.
 *
 * Positions are indices into e[]: pfxset_pos gives the entry's, or n when
 * absent (where pfxset_insert puts it). The order is not sorted: a removal
 * moves the last entry into the hole.
 */
#ifndef PFXSET_H
#define PFXSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most references an entry takes: callers refuse one more. */
#define PFXSET_REFS_MAX	UINT16_MAX

/* 20 octets: a set holds a full table in many copies (RIB to data path). */
struct pfxset_ent {
	uint32_t	addr;		/* host order, as given */
	/*
	 * The BGP attributes that rank ECMP members (RFC 4271 §9.1.2.2 a, c):
	 * AS_PATH length, MULTI_EXIT_DISC (0 if absent, §9.1.2.2 c) and the
	 * neighbouring AS. 0 where nobody sets them.
	 */
	uint32_t	path_len, med, nas;
	uint16_t	refs;
	uint8_t		len;
};

struct pfxset {
	struct pfxset_ent *e;		/* e[0, n): the entries */
	size_t		n, cap;
	uint32_t	*slot;		/* index + 1 into e; 0: free */
	uint32_t	mask;		/* slots - 1 */
	uint32_t	seed;		/* keyed: peers choose the prefixes */
};

/* Where (addr, len) is, or n if absent; *found says which. */
size_t	pfxset_pos(const struct pfxset *, uint32_t addr, uint8_t len,
	    bool *found);
/* Appends (addr, len), absent, with one reference; pos must be n (from
 * pfxset_pos, not found). -1: no memory or a bad pos, nothing changed. */
int	pfxset_insert(struct pfxset *, size_t pos, uint32_t addr, uint8_t len);
/* Removes the entry at pos (whatever its references); the last entry
 * takes its place. */
void	pfxset_remove(struct pfxset *, size_t pos);
void	pfxset_free(struct pfxset *);

#endif
