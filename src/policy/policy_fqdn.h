/*
 * policy_fqdn.h - a compiled set of FQDN patterns (the destinations of
 * fqdnFilteringRules), immutable once built. A pattern is a host name
 * ("contoso.com": that name only) or "*." + a host name ("*.contoso.com":
 * every name below contoso.com, at any depth, not contoso.com itself).
 * Each pattern carries a rank (its rule's place in the evaluation order;
 * lower wins) and an opaque value. A lookup hashes each suffix of the name
 * once, from the right: O(labels) probes.
 */
#ifndef POLICY_FQDN_H
#define POLICY_FQDN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy_name.h"

struct policy_fqdn;

struct policy_fqdn_pat {
	const char	*pattern;
	uint32_t	 rank;
	uint32_t	 value;
};

/*
 * Checks and normalizes one pattern: 0, or -1 with a reason (static
 * string). out gets the name without "*.", *wild whether it had it.
 */
int	policy_fqdn_pattern(const char *s, char out[POLICY_HOST_MAX + 1],
	    bool *wild, const char **why);
/* NULL on a bad pattern or no memory. Duplicates keep the lowest rank. */
struct policy_fqdn *policy_fqdn_build(const struct policy_fqdn_pat *, size_t n);
void	policy_fqdn_free(struct policy_fqdn *);
/* host: normalized (policy_name_norm). True and the best match if any. */
bool	policy_fqdn_match(const struct policy_fqdn *, const char *host,
	    uint32_t *rank, uint32_t *value);
size_t	policy_fqdn_count(const struct policy_fqdn *);
size_t	policy_fqdn_bytes(const struct policy_fqdn *);	/* memory held */

/*
 * The suffix hash both this file and policy_webcat.c use: FNV-1a over the
 * octets from the last to the first, so that one pass from the right
 * yields the hash of every suffix.
 */
#define POLICY_FQDN_H0	0xcbf29ce484222325ull

static inline uint64_t
policy_fqdn_hstep(uint64_t h, char c)
{
	return (h ^ (uint8_t)c) * 0x100000001b3ull;
}

#endif
