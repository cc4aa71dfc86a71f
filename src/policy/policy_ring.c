/*
 * policy_ring.c - the single-producer single-consumer ring of traffic
 * records between one ESP worker and the control plane (policy_ring.h).
 *
 * head is written by the producer only, tail by the consumer only; each
 * lives on its own cache line with the side's cached copy of the other
 * index, so in the common case neither side touches the line the other
 * writes. The indexes run freely (size_t, masked on use): head - tail is
 * the fill level even across wrap-around. A record is copied in before
 * head is published with release order, and read out before tail is
 * published, so the other side, loading with acquire, sees whole records
 * only.
 */
#include "policy_ring.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define RING_LINE	64
#define RING_MAX	((size_t)1 << 24)

struct policy_ring {
	/* Producer's line. */
	alignas(RING_LINE) _Atomic size_t head;
	size_t			 tail_seen;	/* producer's copy of tail */
	_Atomic uint64_t	 drops;
	/* Consumer's line. */
	alignas(RING_LINE) _Atomic size_t tail;
	size_t			 head_seen;	/* consumer's copy of head */
	/* Read-only after creation. */
	alignas(RING_LINE) size_t mask;
	struct model_traffic	*rec;
};

struct policy_ring *
policy_ring_new(size_t n)
{
	struct policy_ring *r;
	size_t cap = 1;

	if (n == 0 || n > RING_MAX)
		return NULL;
	while (cap < n)
		cap <<= 1;
	if ((r = aligned_alloc(RING_LINE, sizeof(*r))) == NULL)
		return NULL;
	memset(r, 0, sizeof(*r));
	if ((r->rec = calloc(cap, sizeof(*r->rec))) == NULL) {
		free(r);
		return NULL;
	}
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->drops, 0);
	r->mask = cap - 1;
	return r;
}

void
policy_ring_free(struct policy_ring *r)
{
	if (r == NULL)
		return;
	free(r->rec);
	free(r);
}

bool
policy_ring_push(struct policy_ring *r, const struct model_traffic *m)
{
	size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (h - r->tail_seen > r->mask) {
		r->tail_seen = atomic_load_explicit(&r->tail,
		    memory_order_acquire);
		if (h - r->tail_seen > r->mask) {
			/* Only this side writes drops: no read-modify-write. */
			atomic_store_explicit(&r->drops, atomic_load_explicit(
			    &r->drops, memory_order_relaxed) + 1,
			    memory_order_relaxed);
			return false;
		}
	}
	r->rec[h & r->mask] = *m;
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return true;
}

size_t
policy_ring_pop(struct policy_ring *r, struct model_traffic *out, size_t max)
{
	size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t n, i;

	if (r->head_seen - t < max)
		r->head_seen = atomic_load_explicit(&r->head,
		    memory_order_acquire);
	n = r->head_seen - t;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		out[i] = r->rec[(t + i) & r->mask];
	if (n > 0)
		atomic_store_explicit(&r->tail, t + n, memory_order_release);
	return n;
}

uint64_t
policy_ring_drops(const struct policy_ring *r)
{
	return atomic_load_explicit(&r->drops, memory_order_relaxed);
}
