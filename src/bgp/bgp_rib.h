/*
 * bgp_rib.h - one session's Adj-RIB-In (RFC 4271 §3.2): the routes the peer
 * announced and we accepted, keyed by prefix. A dense array of routes with
 * an open-addressing index; both grow with the routes held and never past
 * the session's prefix limit, so the configuration bounds what a peer can
 * make us allocate.
 */
#ifndef BGP_RIB_H
#define BGP_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"

/* 32 octets: the flags sit in the route's tail padding. */
struct bgp_rib_slot {
	struct bgp_route route;
	bool		used;	/* always, in slot[0, count) */
	bool		stale;	/* kept over a peer's restart (RFC 4724 §4.2) */
};

struct bgp_rib {
	struct bgp_rib_slot *slot;	/* slot[0, count): the routes */
	size_t		cap;	/* of slot, at most max */
	uint32_t	*idx;	/* entry + 1; 0: free */
	size_t		mask;	/* index slots - 1, a power of two */
	size_t		count;
	size_t		stale;	/* of count */
	size_t		max;
	uint64_t	seed;
};

/* Room for max routes; seed keys the hash. -1 if out of memory. */
int	bgp_rib_init(struct bgp_rib *, size_t max, uint64_t seed);
void	bgp_rib_free(struct bgp_rib *);
const struct bgp_route *bgp_rib_get(const struct bgp_rib *, uint32_t addr,
	    uint8_t len);

enum bgp_rib_put {
	BGP_RIB_NEW,
	BGP_RIB_CHANGED,	/* replaced a route with other attributes */
	BGP_RIB_SAME,		/* the same route again: nothing to tell */
	BGP_RIB_FULL,		/* would exceed max: nothing stored */
	BGP_RIB_NOMEM,		/* out of memory: nothing stored */
};
/* A stale route put again is fresh again (SAME or CHANGED as before). */
enum bgp_rib_put bgp_rib_put(struct bgp_rib *, const struct bgp_route *);
/* Every route becomes stale. */
void	bgp_rib_mark_stale(struct bgp_rib *);
/*
 * Deletes every stale route, calling fn (if not NULL) for each after it
 * is gone; the number deleted.
 */
size_t	bgp_rib_sweep_stale(struct bgp_rib *,
	    void (*fn)(void *, uint32_t addr, uint8_t len), void *arg);
/* 0 if the prefix was there, -1 if not. */
int	bgp_rib_del(struct bgp_rib *, uint32_t addr, uint8_t len);
/* Walking the table: route i < bgp_rib_slots() (the count); a deletion
 * moves the last route into the hole. */
size_t	bgp_rib_slots(const struct bgp_rib *);
const struct bgp_route *bgp_rib_at(const struct bgp_rib *, size_t i);
void	bgp_rib_clear(struct bgp_rib *);

#endif
