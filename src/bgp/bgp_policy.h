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
 * to /32 are accepted. The host adds, with bgp_policy_deny() and the reason
 * to count them under, the gateway's own addresses (a branch must not draw
 * them into its tunnel), the other links' BGP addresses (nor another
 * branch's session), and what the gateway itself announces.
 */
#ifndef BGP_POLICY_H
#define BGP_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define BGP_POLICY_DENY_MAX	256

enum bgp_policy_verdict {
	BGP_POLICY_ACCEPT,
	BGP_POLICY_DEFAULT_ROUTE,	/* 0.0.0.0/0 */
	BGP_POLICY_TOO_SHORT,		/* shorter than min_len */
	BGP_POLICY_TOO_LONG,		/* longer than max_len */
	BGP_POLICY_MARTIAN,		/* overlaps a special-purpose range */
	BGP_POLICY_DENIED,		/* overlaps a gateway address */
	BGP_POLICY_OTHER_LINK,		/* overlaps another link's BGP address */
	BGP_POLICY_ADVERTISED,		/* overlaps what the gateway announces */
	BGP_POLICY_INVALID,		/* length > 32 or host bits set */
	BGP_POLICY_TENANT_LIMIT,	/* the host's: the tenant's route ceiling */
	BGP_POLICY_VERDICTS
};

struct bgp_policy {
	uint8_t		min_len;	/* default 8 */
	uint8_t		max_len;	/* default 32 */
	size_t		ndeny;
	struct {
		uint32_t	addr;
		uint8_t		len;
		uint8_t		why;	/* enum bgp_policy_verdict */
	}		deny[BGP_POLICY_DENY_MAX];
};

void	bgp_policy_init(struct bgp_policy *);
/*
 * Refuse every prefix overlapping addr/len, as why (BGP_POLICY_DENIED,
 * _OTHER_LINK or _ADVERTISED). -1 if the list is full or the prefix or
 * reason invalid.
 */
int	bgp_policy_deny(struct bgp_policy *, uint32_t addr, uint8_t len,
	    enum bgp_policy_verdict why);
enum bgp_policy_verdict bgp_policy_import(const struct bgp_policy *,
	    uint32_t addr, uint8_t len);
/* For the log ("special-purpose address range") and the status (key). */
const char *bgp_policy_verdict_name(enum bgp_policy_verdict);
const char *bgp_policy_verdict_key(enum bgp_policy_verdict);

#endif
