/*
 * bgp_policy.c - the default import policy (see bgp_policy.h). "Overlap"
 * means either prefix contains the other: 169.0.0.0/8 would capture the
 * link-local range as surely as 169.254.1.0/24 would.
 */
#include "bgp_policy.h"

#include <stdbool.h>

static const struct {
	uint32_t	addr;
	uint8_t		len;
} bgp_policy_martians[] = {
	{ 0x00000000, 8 },	/* "this network", RFC 6890 §2.2.2 */
	{ 0x7f000000, 8 },	/* loopback */
	{ 0xa9fe0000, 16 },	/* link-local, RFC 3927 */
	{ 0xe0000000, 4 },	/* multicast, RFC 5771 */
	{ 0xf0000000, 4 },	/* reserved (class E) and 255.255.255.255 */
};

static uint32_t
bgp_policy_mask(uint8_t len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

static bool
bgp_policy_overlap(uint32_t a, uint8_t alen, uint32_t b, uint8_t blen)
{
	uint32_t m = bgp_policy_mask(alen < blen ? alen : blen);

	return (a & m) == (b & m);
}

void
bgp_policy_init(struct bgp_policy *pol)
{
	pol->min_len = 8;
	pol->max_len = 32;
	pol->ndeny = 0;
}

int
bgp_policy_deny(struct bgp_policy *pol, uint32_t addr, uint8_t len,
    enum bgp_policy_verdict why)
{
	if (pol->ndeny >= BGP_POLICY_DENY_MAX || len > 32 ||
	    (addr & ~bgp_policy_mask(len)) != 0 ||
	    (why != BGP_POLICY_DENIED && why != BGP_POLICY_OTHER_LINK &&
	    why != BGP_POLICY_ADVERTISED))
		return -1;
	pol->deny[pol->ndeny].addr = addr;
	pol->deny[pol->ndeny].len = len;
	pol->deny[pol->ndeny].why = (uint8_t)why;
	pol->ndeny++;
	return 0;
}

enum bgp_policy_verdict
bgp_policy_import(const struct bgp_policy *pol, uint32_t addr, uint8_t len)
{
	size_t i;

	if (len > 32 || (addr & ~bgp_policy_mask(len)) != 0)
		return BGP_POLICY_INVALID;
	if (len == 0)
		return BGP_POLICY_DEFAULT_ROUTE;
	if (len < pol->min_len)
		return BGP_POLICY_TOO_SHORT;
	if (len > pol->max_len)
		return BGP_POLICY_TOO_LONG;
	for (i = 0; i < sizeof(bgp_policy_martians) /
	    sizeof(bgp_policy_martians[0]); i++)
		if (bgp_policy_overlap(addr, len, bgp_policy_martians[i].addr,
		    bgp_policy_martians[i].len))
			return BGP_POLICY_MARTIAN;
	for (i = 0; i < pol->ndeny; i++)
		if (bgp_policy_overlap(addr, len, pol->deny[i].addr,
		    pol->deny[i].len))
			return (enum bgp_policy_verdict)pol->deny[i].why;
	return BGP_POLICY_ACCEPT;
}

static const struct {
	const char	*name, *key;
} bgp_policy_names[BGP_POLICY_VERDICTS] = {
	[BGP_POLICY_ACCEPT] = { "accept", "accepted" },
	[BGP_POLICY_DEFAULT_ROUTE] = { "default route", "defaultRoute" },
	[BGP_POLICY_TOO_SHORT] = { "prefix too short", "tooShort" },
	[BGP_POLICY_TOO_LONG] = { "prefix too long", "tooLong" },
	[BGP_POLICY_MARTIAN] = { "special-purpose address range", "martian" },
	[BGP_POLICY_DENIED] = { "overlaps a gateway address", "gatewayAddress" },
	[BGP_POLICY_OTHER_LINK] = { "overlaps another device link's BGP "
	    "address", "otherLinkAddress" },
	[BGP_POLICY_ADVERTISED] = { "overlaps a prefix the gateway announces",
	    "gatewayAdvertised" },
	[BGP_POLICY_INVALID] = { "invalid prefix", "invalid" },
	[BGP_POLICY_TENANT_LIMIT] = { "the tenant's route limit is reached",
	    "tenantLimit" },
};

const char *
bgp_policy_verdict_name(enum bgp_policy_verdict v)
{
	return (unsigned)v < BGP_POLICY_VERDICTS ? bgp_policy_names[v].name :
	    "?";
}

const char *
bgp_policy_verdict_key(enum bgp_policy_verdict v)
{
	return (unsigned)v < BGP_POLICY_VERDICTS ? bgp_policy_names[v].key :
	    "?";
}
