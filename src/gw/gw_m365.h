/*
 * gw_m365.h - the Microsoft 365 forwarding profile as routes: every IPv4
 * subnet of the shipped endpoint list (data/m365-endpoints-worldwide.json,
 * the `ips` of each endpoint set: the profile forwards every category),
 * aggregated, for the gateway to advertise over BGP (docs/bgp.md).
 */
#ifndef GW_M365_H
#define GW_M365_H

#include <stddef.h>

#include "bgp.h"

/*
 * Reads datadir/m365-endpoints-worldwide.json: 0 with *out (malloc'd,
 * sorted, aggregated) and *n, or -1 (logged) if the file cannot be read or
 * holds a malformed IPv4 subnet.
 */
int	gw_m365_load(const char *datadir, struct bgp_prefix **out, size_t *n);
/*
 * In place: host bits cleared, sorted, duplicates and prefixes covered by
 * another dropped, adjacent siblings joined (10.0.0.0/25 + 10.0.0.128/25 =
 * 10.0.0.0/24) until none are left. The new count.
 */
size_t	gw_m365_aggregate(struct bgp_prefix *, size_t n);

#endif
