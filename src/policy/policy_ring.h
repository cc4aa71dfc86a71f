/*
 * policy_ring.h - a single-producer single-consumer ring of traffic
 * records: an ESP worker pushes, the control plane pops and batch-inserts
 * them (never on the packet path). Fixed size; a full ring drops the
 * record and counts it, so a log backlog never slows traffic. C11
 * atomics, no lock.
 */
#ifndef POLICY_RING_H
#define POLICY_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model_traffic.h"

struct policy_ring;

/* n: records, rounded up to a power of two. */
struct policy_ring *policy_ring_new(size_t n);
void	policy_ring_free(struct policy_ring *);
/* Producer. False (and counted) when full. */
bool	policy_ring_push(struct policy_ring *, const struct model_traffic *);
/* Consumer: up to max records into out; how many. */
size_t	policy_ring_pop(struct policy_ring *, struct model_traffic *out,
	    size_t max);
uint64_t policy_ring_drops(const struct policy_ring *);

#endif
