/*
 * bgp_policy.h - import policy for routes learned from a branch router:
 * which of them the gateway may install. Kept apart from the session (whose
 * Adj-RIB-In holds what the peer sent, before policy, RFC 4271 §3.2): the
 * host calls bgp_policy_import() from its route_add callback.
 *
 * Default: refuse the default route and anything shorter than /8, and any
 * prefix that overlaps a special-purpose range that must never be routed
 * to a branch (RFC 6890): 0.0.0.0/8, 127.0.0.0/8 loopback, 169.254.0.0/16
 * link-local, 224.0.0.0/4 multicast, 240.0.0.0/4 reserved (with the limited
 * broadcast address). Private (RFC 1918, 100.64/10) and public unicast /8
 * to /32 are accepted. The host adds the gateway's own addresses with
 * bgp_policy_deny(): a branch must not draw them into its tunnel.
 */
#ifndef BGP_POLICY_H
#define BGP_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define BGP_POLICY_DENY_MAX	16

enum bgp_policy_verdict {
	BGP_POLICY_ACCEPT,
	BGP_POLICY_DEFAULT_ROUTE,	/* 0.0.0.0/0 */
	BGP_POLICY_TOO_SHORT,		/* shorter than min_len */
	BGP_POLICY_TOO_LONG,		/* longer than max_len */
	BGP_POLICY_MARTIAN,		/* overlaps a special-purpose range */
	BGP_POLICY_DENIED,		/* overlaps a range the host denied */
	BGP_POLICY_INVALID,		/* length > 32 or host bits set */
};

struct bgp_policy {
	uint8_t		min_len;	/* default 8 */
	uint8_t		max_len;	/* default 32 */
	size_t		ndeny;
	struct {
		uint32_t	addr;
		uint8_t		len;
	}		deny[BGP_POLICY_DENY_MAX];
};

void	bgp_policy_init(struct bgp_policy *);
/*
 * Refuse every prefix overlapping addr/len (the gateway's BGP addresses).
 * -1 if the list is full or the prefix invalid.
 */
int	bgp_policy_deny(struct bgp_policy *, uint32_t addr, uint8_t len);
enum bgp_policy_verdict bgp_policy_import(const struct bgp_policy *,
	    uint32_t addr, uint8_t len);
const char *bgp_policy_verdict_name(enum bgp_policy_verdict);

#endif
