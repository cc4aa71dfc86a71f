/*
 * lpm.c - per-length hash tables (open addressing, linear probing), built
 * once. Lengths present are kept longest first, so lookup stops at the
 * first hit. A level has 3/2 slots per prefix, any number of them (the
 * hash is scaled onto the range, not masked): 12 octets a prefix whatever
 * the count, about 2 probes for a hit and 5 for a miss. Fine for the tens
 * of thousands to a full table per tenant; a path-compressed trie would
 * bound the probes (later, behind the same interface).
 */
#include "lpm.h"

#include <stdlib.h>
#include <string.h>

#include "hash32.h"

/* 8 octets a slot: a free slot is val 0 (values are stored plus one). */
struct lpm_slot {
	uint32_t	key;		/* masked prefix */
	uint32_t	val;		/* value + 1 */
};

struct lpm_level {
	uint8_t		plen;
	uint32_t	mask;		/* netmask */
	uint32_t	nslots;
	struct lpm_slot	*slot;
};

struct lpm {
	size_t		n;
	unsigned	nlevels;
	struct lpm_level level[33];
	/* slots follow */
};

static uint32_t
lpm_mask(uint8_t plen)
{
	return plen == 0 ? 0 : UINT32_MAX << (32 - plen);
}

static size_t
lpm_slots_for(size_t n)
{
	return n + n / 2 + 1;
}

/* The home slot of key: the hash scaled onto [0, nslots). */
static uint32_t
lpm_home(const struct lpm_level *lv, uint32_t key)
{
	return (uint32_t)(((uint64_t)hash32_mix(key) * lv->nslots) >> 32);
}

static uint32_t
lpm_next(const struct lpm_level *lv, uint32_t h)
{
	return h + 1 == lv->nslots ? 0 : h + 1;
}

struct lpm *
lpm_build(const struct lpm_entry *e, size_t n)
{
	size_t count[33] = { 0 }, total = 0, i, off;
	struct lpm_slot *slots;
	struct lpm_level *lv;
	struct lpm *t;
	unsigned idx[33];
	int p;
	uint32_t h, key;

	if (n > UINT32_MAX / 2)
		return NULL;
	for (i = 0; i < n; i++) {
		if (e[i].plen > 32 || e[i].value == UINT32_MAX)
			return NULL;
		count[e[i].plen]++;
	}
	for (p = 0; p <= 32; p++)
		if (count[p] > 0)
			total += lpm_slots_for(count[p]);
	if ((t = calloc(1, sizeof(*t) + total * sizeof(*slots))) == NULL)
		return NULL;
	slots = (struct lpm_slot *)(t + 1);
	off = 0;
	for (p = 32; p >= 0; p--) {
		if (count[p] == 0)
			continue;
		idx[p] = t->nlevels;
		lv = &t->level[t->nlevels++];
		lv->plen = (uint8_t)p;
		lv->mask = lpm_mask((uint8_t)p);
		lv->nslots = (uint32_t)lpm_slots_for(count[p]);
		lv->slot = slots + off;
		off += lv->nslots;
	}
	for (i = 0; i < n; i++) {
		lv = &t->level[idx[e[i].plen]];
		key = e[i].prefix & lv->mask;
		for (h = lpm_home(lv, key);; h = lpm_next(lv, h)) {
			if (lv->slot[h].val == 0) {
				lv->slot[h].key = key;
				lv->slot[h].val = e[i].value + 1;
				t->n++;
				break;
			}
			if (lv->slot[h].key == key)
				break;		/* duplicate: the first wins */
		}
	}
	return t;
}

void
lpm_free(struct lpm *t)
{
	free(t);
}

size_t
lpm_size(const struct lpm *t)
{
	return t != NULL ? t->n : 0;
}

int
lpm_lookup(const struct lpm *t, uint32_t addr, uint32_t *value)
{
	return lpm_lookup_len(t, addr, value, NULL);
}

int
lpm_lookup_len(const struct lpm *t, uint32_t addr, uint32_t *value,
    uint8_t *plen)
{
	const struct lpm_level *lv;
	uint32_t key, h;
	unsigned l;

	if (t == NULL)
		return -1;
	for (l = 0; l < t->nlevels; l++) {
		lv = &t->level[l];
		key = addr & lv->mask;
		for (h = lpm_home(lv, key); lv->slot[h].val != 0;
		    h = lpm_next(lv, h)) {
			if (lv->slot[h].key == key) {
				*value = lv->slot[h].val - 1;
				if (plen != NULL)
					*plen = lv->plen;
				return 0;
			}
		}
	}
	return -1;
}
