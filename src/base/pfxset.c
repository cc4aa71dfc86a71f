/*
 * pfxset.c - IPv4 prefix sets (pfxset.h): a dense entry array and a
 * linear-probing index of 32-bit entry numbers (4 octets a slot, at most
 * 3/4 full), so a set costs about 24 * 1.25 + 4 / 0.56 octets a prefix.
 * Removal shifts the probe run back (no tombstones: a set that churns
 * forever never degrades).
 */
#include "pfxset.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hash32.h"

static uint32_t
pfxset_hash(const struct pfxset *s, uint32_t addr, uint8_t len)
{
	return hash32_mix(hash32_mix(addr ^ s->seed) ^ len);
}

/* The slot holding (addr, len), or the free slot ending its probe run. */
static uint32_t
pfxset_slot(const struct pfxset *s, uint32_t addr, uint8_t len)
{
	const struct pfxset_ent *p;
	uint32_t h;

	for (h = pfxset_hash(s, addr, len) & s->mask; s->slot[h] != 0;
	    h = (h + 1) & s->mask) {
		p = &s->e[s->slot[h] - 1];
		if (p->addr == addr && p->len == len)
			break;
	}
	return h;
}

size_t
pfxset_pos(const struct pfxset *s, uint32_t addr, uint8_t len, bool *found)
{
	uint32_t h;

	*found = false;
	if (s->n == 0)
		return 0;
	h = pfxset_slot(s, addr, len);
	if (s->slot[h] == 0)
		return s->n;
	*found = true;
	return s->slot[h] - 1;
}

/* A new index of slots (a power of two) over e[0, n). */
static int
pfxset_rehash(struct pfxset *s, size_t slots)
{
	uint32_t *old = s->slot, h;
	size_t i;

	if (slots > UINT32_MAX / 2 ||
	    (s->slot = calloc(slots, sizeof(*s->slot))) == NULL) {
		s->slot = old;
		return -1;
	}
	free(old);
	s->mask = (uint32_t)slots - 1;
	for (i = 0; i < s->n; i++) {
		for (h = pfxset_hash(s, s->e[i].addr, s->e[i].len) & s->mask;
		    s->slot[h] != 0; h = (h + 1) & s->mask)
			;
		s->slot[h] = (uint32_t)i + 1;
	}
	return 0;
}

int
pfxset_insert(struct pfxset *s, size_t pos, uint32_t addr, uint8_t len)
{
	struct pfxset_ent *n;
	size_t cap;

	if (pos != s->n || s->n >= UINT32_MAX / 2)
		return -1;
	if (s->slot == NULL &&
	    getrandom(&s->seed, sizeof(s->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(s->seed))
		s->seed = (uint32_t)(uintptr_t)s;
	if (s->n == s->cap) {
		/* 1.5x: a full table wastes a quarter at most on average. */
		cap = s->cap ? s->cap + s->cap / 2 : 8;
		if ((n = reallocarray(s->e, cap, sizeof(*n))) == NULL)
			return -1;
		s->e = n;
		s->cap = cap;
	}
	if ((s->slot == NULL || (s->n + 1) * 4 > ((size_t)s->mask + 1) * 3) &&
	    pfxset_rehash(s, s->slot == NULL ? 16 :
	    ((size_t)s->mask + 1) * 2) == -1)
		return -1;
	memset(&s->e[s->n], 0, sizeof(s->e[s->n]));
	s->e[s->n].addr = addr;
	s->e[s->n].len = len;
	s->e[s->n].refs = 1;
	s->slot[pfxset_slot(s, addr, len)] = (uint32_t)s->n + 1;
	s->n++;
	return 0;
}

/* Frees slot h, moving back the entries of its run that probed past it. */
static void
pfxset_slot_clear(struct pfxset *s, uint32_t h)
{
	const struct pfxset_ent *p;
	uint32_t j = h, home;

	for (;;) {
		s->slot[h] = 0;
		for (;;) {
			j = (j + 1) & s->mask;
			if (s->slot[j] == 0)
				return;
			p = &s->e[s->slot[j] - 1];
			home = pfxset_hash(s, p->addr, p->len) & s->mask;
			/* Stays unless its home lies cyclically in (h, j]. */
			if (h <= j ? (home <= h || home > j) :
			    (home <= h && home > j))
				break;
		}
		s->slot[h] = s->slot[j];
		h = j;
	}
}

void
pfxset_remove(struct pfxset *s, size_t pos)
{
	struct pfxset_ent *last;

	if (pos >= s->n)
		return;
	pfxset_slot_clear(s, pfxset_slot(s, s->e[pos].addr, s->e[pos].len));
	last = &s->e[s->n - 1];
	if (pos != s->n - 1) {
		s->slot[pfxset_slot(s, last->addr, last->len)] =
		    (uint32_t)pos + 1;
		s->e[pos] = *last;
	}
	s->n--;
}

void
pfxset_free(struct pfxset *s)
{
	free(s->e);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}
