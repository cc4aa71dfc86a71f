/*
 * bgp_rib.c - the Adj-RIB-In table: open addressing with linear probing
 * over at least twice as many slots as routes allowed, so a probe is short
 * and the table never grows; deletion shifts the following entries back
 * instead of leaving tombstones. The hash is keyed with a per-session seed
 * so that a peer cannot pick prefixes that all land on one chain.
 */
#include "bgp_rib.h"

#include <stdlib.h>
#include <string.h>

static size_t
bgp_rib_hash(const struct bgp_rib *rib, uint32_t addr, uint8_t len)
{
	uint64_t x = ((uint64_t)addr << 8 | len) ^ rib->seed;

	/* splitmix64 finaliser */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)x & rib->mask;
}

int
bgp_rib_init(struct bgp_rib *rib, size_t max, uint64_t seed)
{
	size_t n = 8;

	memset(rib, 0, sizeof(*rib));
	while (n < 2 * max)
		n *= 2;
	if ((rib->slot = calloc(n, sizeof(*rib->slot))) == NULL)
		return -1;
	rib->mask = n - 1;
	rib->max = max;
	rib->seed = seed;
	return 0;
}

void
bgp_rib_free(struct bgp_rib *rib)
{
	free(rib->slot);
	rib->slot = NULL;
	rib->count = 0;
	rib->stale = 0;
}

/* The slot holding the prefix, or the free slot where it would go. */
static size_t
bgp_rib_find(const struct bgp_rib *rib, uint32_t addr, uint8_t len)
{
	size_t i = bgp_rib_hash(rib, addr, len);

	while (rib->slot[i].used && (rib->slot[i].route.addr != addr ||
	    rib->slot[i].route.len != len))
		i = (i + 1) & rib->mask;
	return i;
}

const struct bgp_route *
bgp_rib_get(const struct bgp_rib *rib, uint32_t addr, uint8_t len)
{
	size_t i = bgp_rib_find(rib, addr, len);

	return rib->slot[i].used ? &rib->slot[i].route : NULL;
}

static bool
bgp_rib_same(const struct bgp_route *a, const struct bgp_route *b)
{
	return a->nexthop == b->nexthop && a->origin == b->origin &&
	    a->has_med == b->has_med && (!a->has_med || a->med == b->med) &&
	    a->path_len == b->path_len && a->neighbor_as == b->neighbor_as &&
	    a->origin_as == b->origin_as;
}

enum bgp_rib_put
bgp_rib_put(struct bgp_rib *rib, const struct bgp_route *r)
{
	size_t i = bgp_rib_find(rib, r->addr, r->len);
	struct bgp_rib_slot *s = &rib->slot[i];

	if (s->used) {
		if (s->stale) {
			s->stale = false;
			rib->stale--;
		}
		if (bgp_rib_same(&s->route, r))
			return BGP_RIB_SAME;
		s->route = *r;
		return BGP_RIB_CHANGED;
	}
	if (rib->count >= rib->max)
		return BGP_RIB_FULL;
	s->used = true;
	s->stale = false;
	s->route = *r;
	rib->count++;
	return BGP_RIB_NEW;
}

int
bgp_rib_del(struct bgp_rib *rib, uint32_t addr, uint8_t len)
{
	size_t i = bgp_rib_find(rib, addr, len), j, home;

	if (!rib->slot[i].used)
		return -1;
	if (rib->slot[i].stale)
		rib->stale--;
	rib->slot[i].used = false;
	rib->slot[i].stale = false;
	rib->count--;
	/*
	 * Backward shift: move up every later entry of the run whose home slot
	 * is not cyclically between the hole and itself, so lookups never stop
	 * early at the hole.
	 */
	j = i;
	for (;;) {
		j = (j + 1) & rib->mask;
		if (!rib->slot[j].used)
			break;
		home = bgp_rib_hash(rib, rib->slot[j].route.addr,
		    rib->slot[j].route.len);
		if (((j - home) & rib->mask) < ((j - i) & rib->mask))
			continue;
		rib->slot[i] = rib->slot[j];
		rib->slot[j].used = false;
		rib->slot[j].stale = false;
		i = j;
	}
	return 0;
}

const struct bgp_route *
bgp_rib_at(const struct bgp_rib *rib, size_t i)
{
	if (i > rib->mask || !rib->slot[i].used)
		return NULL;
	return &rib->slot[i].route;
}

size_t
bgp_rib_slots(const struct bgp_rib *rib)
{
	return rib->slot == NULL ? 0 : rib->mask + 1;
}

void
bgp_rib_clear(struct bgp_rib *rib)
{
	if (rib->slot != NULL)
		memset(rib->slot, 0, (rib->mask + 1) * sizeof(*rib->slot));
	rib->count = 0;
	rib->stale = 0;
}

void
bgp_rib_mark_stale(struct bgp_rib *rib)
{
	size_t i;

	for (i = 0; i < bgp_rib_slots(rib); i++)
		rib->slot[i].stale = rib->slot[i].used;
	rib->stale = rib->count;
}

size_t
bgp_rib_sweep_stale(struct bgp_rib *rib,
    void (*fn)(void *, uint32_t, uint8_t), void *arg)
{
	size_t i = 0, n = 0;
	uint32_t addr;
	uint8_t len;

	/*
	 * A deletion shifts a later entry into slot i, which is looked at
	 * again; entries only move towards the hole, so none is skipped (one
	 * wrapped from the start to the end is merely seen twice).
	 */
	while (rib->stale > 0 && i < bgp_rib_slots(rib)) {
		if (!rib->slot[i].used || !rib->slot[i].stale) {
			i++;
			continue;
		}
		addr = rib->slot[i].route.addr;
		len = rib->slot[i].route.len;
		(void)bgp_rib_del(rib, addr, len);
		n++;
		if (fn != NULL)
			fn(arg, addr, len);
	}
	return n;
}
