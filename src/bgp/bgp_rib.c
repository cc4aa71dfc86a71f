/*
 * bgp_rib.c - the Adj-RIB-In table: the routes in one dense array, found
 * through an open-addressing index (linear probing, at most 3/4 full) of
 * 32-bit entry numbers. Both grow with the routes, never past the
 * session's limit, so a session that may take 100,000 prefixes but holds
 * 30 costs 30 (docs/bgp.md "Benchmark": about 36 octets a route for the
 * entries and 5 to 11 for the index). Deletion moves the last entry into
 * the hole and shifts the probe run back instead of leaving tombstones.
 * The hash is keyed with a per-session seed so that a peer cannot pick
 * prefixes that all land on one chain.
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
	memset(rib, 0, sizeof(*rib));
	if (max >= UINT32_MAX / 2)
		return -1;
	if ((rib->idx = calloc(8, sizeof(*rib->idx))) == NULL)
		return -1;
	rib->mask = 7;
	rib->max = max;
	rib->seed = seed;
	return 0;
}

void
bgp_rib_free(struct bgp_rib *rib)
{
	free(rib->slot);
	free(rib->idx);
	rib->slot = NULL;
	rib->idx = NULL;
	rib->mask = 0;
	rib->count = rib->cap = 0;
	rib->stale = 0;
}

/* The index slot holding the prefix, or the free one where it would go. */
static size_t
bgp_rib_find(const struct bgp_rib *rib, uint32_t addr, uint8_t len)
{
	const struct bgp_route *r;
	size_t i = bgp_rib_hash(rib, addr, len);

	for (; rib->idx[i] != 0; i = (i + 1) & rib->mask) {
		r = &rib->slot[rib->idx[i] - 1].route;
		if (r->addr == addr && r->len == len)
			break;
	}
	return i;
}

const struct bgp_route *
bgp_rib_get(const struct bgp_rib *rib, uint32_t addr, uint8_t len)
{
	size_t i;

	if (rib->idx == NULL)
		return NULL;
	i = bgp_rib_find(rib, addr, len);
	return rib->idx[i] != 0 ? &rib->slot[rib->idx[i] - 1].route : NULL;
}

static bool
bgp_rib_same(const struct bgp_route *a, const struct bgp_route *b)
{
	return a->nexthop == b->nexthop && a->origin == b->origin &&
	    a->has_med == b->has_med && (!a->has_med || a->med == b->med) &&
	    a->path_len == b->path_len && a->neighbor_as == b->neighbor_as &&
	    a->origin_as == b->origin_as;
}

/* Room for one more route: the entries grow by half, the index doubles. */
static int
bgp_rib_grow(struct bgp_rib *rib)
{
	struct bgp_rib_slot *ns;
	uint32_t *ni;
	size_t cap, slots, i, h;

	if (rib->count == rib->cap) {
		cap = rib->cap < 8 ? 8 : rib->cap + rib->cap / 2;
		if (cap > rib->max)
			cap = rib->max;
		if ((ns = reallocarray(rib->slot, cap, sizeof(*ns))) == NULL)
			return -1;
		rib->slot = ns;
		rib->cap = cap;
	}
	if ((rib->count + 1) * 4 <= (rib->mask + 1) * 3)
		return 0;
	slots = (rib->mask + 1) * 2;
	if ((ni = calloc(slots, sizeof(*ni))) == NULL)
		return -1;
	free(rib->idx);
	rib->idx = ni;
	rib->mask = slots - 1;
	for (i = 0; i < rib->count; i++) {
		for (h = bgp_rib_hash(rib, rib->slot[i].route.addr,
		    rib->slot[i].route.len); rib->idx[h] != 0;
		    h = (h + 1) & rib->mask)
			;
		rib->idx[h] = (uint32_t)i + 1;
	}
	return 0;
}

enum bgp_rib_put
bgp_rib_put(struct bgp_rib *rib, const struct bgp_route *r)
{
	size_t i = bgp_rib_find(rib, r->addr, r->len);
	struct bgp_rib_slot *s;

	if (rib->idx[i] != 0) {
		s = &rib->slot[rib->idx[i] - 1];
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
	if (bgp_rib_grow(rib) == -1)
		return BGP_RIB_NOMEM;
	i = bgp_rib_find(rib, r->addr, r->len);	/* the index may be new */
	s = &rib->slot[rib->count];
	s->used = true;
	s->stale = false;
	s->route = *r;
	rib->idx[i] = (uint32_t)++rib->count;
	return BGP_RIB_NEW;
}

/* Frees index slot i, moving back the later entries of its probe run. */
static void
bgp_rib_idx_clear(struct bgp_rib *rib, size_t i)
{
	const struct bgp_route *r;
	size_t j = i, home;

	rib->idx[i] = 0;
	/*
	 * Backward shift: move up every later entry of the run whose home slot
	 * is not cyclically between the hole and itself, so lookups never stop
	 * early at the hole.
	 */
	for (;;) {
		j = (j + 1) & rib->mask;
		if (rib->idx[j] == 0)
			break;
		r = &rib->slot[rib->idx[j] - 1].route;
		home = bgp_rib_hash(rib, r->addr, r->len);
		if (((j - home) & rib->mask) < ((j - i) & rib->mask))
			continue;
		rib->idx[i] = rib->idx[j];
		rib->idx[j] = 0;
		i = j;
	}
}

int
bgp_rib_del(struct bgp_rib *rib, uint32_t addr, uint8_t len)
{
	size_t i = bgp_rib_find(rib, addr, len), e, last;

	if (rib->idx[i] == 0)
		return -1;
	e = rib->idx[i] - 1;
	if (rib->slot[e].stale)
		rib->stale--;
	bgp_rib_idx_clear(rib, i);
	last = rib->count - 1;
	if (e != last) {
		/* The last entry fills the hole: its index slot follows. */
		i = bgp_rib_find(rib, rib->slot[last].route.addr,
		    rib->slot[last].route.len);
		rib->idx[i] = (uint32_t)e + 1;
		rib->slot[e] = rib->slot[last];
	}
	rib->count--;
	return 0;
}

const struct bgp_route *
bgp_rib_at(const struct bgp_rib *rib, size_t i)
{
	return i < rib->count ? &rib->slot[i].route : NULL;
}

size_t
bgp_rib_slots(const struct bgp_rib *rib)
{
	return rib->count;
}

void
bgp_rib_clear(struct bgp_rib *rib)
{
	if (rib->idx != NULL)
		memset(rib->idx, 0, (rib->mask + 1) * sizeof(*rib->idx));
	rib->count = 0;
	rib->stale = 0;
}

void
bgp_rib_mark_stale(struct bgp_rib *rib)
{
	size_t i;

	for (i = 0; i < rib->count; i++)
		rib->slot[i].stale = true;
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
	 * A deletion moves the last entry into slot i, which is looked at
	 * again; entries past i only move down to i, so none is skipped.
	 */
	while (rib->stale > 0 && i < rib->count) {
		if (!rib->slot[i].stale) {
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
