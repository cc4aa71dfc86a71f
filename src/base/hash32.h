/*
 * hash32.h - the one 32-bit integer mixer (MurmurHash3's finalizer):
 * every input bit moves every output bit, so keys that differ in a few
 * bits (prefixes, addresses, flows) spread over a table or a set of
 * members. Not keyed by itself: callers that face outside input mix in a
 * random seed.
 */
#ifndef HASH32_H
#define HASH32_H

#include <stdint.h>

static inline uint32_t
hash32_mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

#endif
