/*
 * gw_m365.h - the Microsoft 365 forwarding profile as routes: every IPv4
 * subnet of the shipped endpoint list (data/m365-endpoints-worldwide.json,
 * the `ips` of each endpoint set: the profile forwards every category),
 * aggregated (model_pfx_aggregate), for make bench-bgp. The daemon takes
 * the same set from gw_fwd_default(), read once at start.
 */
#ifndef GW_M365_H
#define GW_M365_H

#include <stddef.h>

#include "bgp.h"

/*
 * Reads datadir/m365-endpoints-worldwide.json (model_fwdcat_load): 0 with
 * *out (malloc'd, sorted, aggregated, community 0) and *n, or -1 (logged)
 * if the file cannot be read or holds a malformed IPv4 subnet.
 */
int	gw_m365_load(const char *datadir, struct bgp_prefix **out, size_t *n);

#endif
