/*
 * gw_fwd.h - the tenants' forwarding rules on the gateway (model_fwd.h):
 * per tenant, the Microsoft 365 routes to announce (the shipped list
 * minus the tenant's bypassed rules and groups) and the prefixes the
 * branch should have kept local (bypassed Microsoft 365 subnets, Custom
 * Bypass destinations), which the data plane drops and counts as
 * "bypass" (docs/bgp.md). Re-read at every configuration reload on the gw
 * thread; gw_bgp announces the difference, gw_policy publishes the drops.
 */
#ifndef GW_FWD_H
#define GW_FWD_H

#include <stddef.h>
#include <stdint.h>

#include "bgp.h"
#include "model_fwd.h"

struct gw_fwd;
struct store;
struct store_tenant_link;

struct gw_fwd_set {
	char		 tenant_id[MODEL_ID_LEN + 1];
	struct bgp_prefix *m365;	/* sorted, aggregated; community 0 */
	size_t		 nm365;
	struct model_pfx *m365_bypass;	/* sorted, aggregated */
	size_t		 nm365_bypass;
	struct model_pfx *inet_bypass;
	size_t		 ninet_bypass;
	/* Changes when the routes or the bypass prefixes do. */
	uint64_t	 gen;
};

/*
 * datadir holds m365-endpoints-worldwide.json; NULL or unreadable
 * (logged): no Microsoft 365 routes for anyone, Custom Bypass still works.
 * -1 on no memory.
 */
int	gw_fwd_new(struct gw_fwd **, const char *datadir);
void	gw_fwd_free(struct gw_fwd *);
/*
 * Re-reads the rows of every tenant that has a link in tl[0..n). 0, or
 * -1 (logged) if the store fails: every set stays as it was.
 */
int	gw_fwd_reload(struct gw_fwd *, struct store *,
	    const struct store_tenant_link *tl, size_t n);
/* The tenant's set; one with no rows if the tenant has none loaded. */
const struct gw_fwd_set *gw_fwd_tenant(const struct gw_fwd *,
	    const char *tenant_id);
/*
 * The set of a tenant with no rows: every Microsoft 365 subnet of the
 * shipped list, aggregated (what gw_bgp starts from and what the data
 * path's profile check matches).
 */
const struct gw_fwd_set *gw_fwd_default(const struct gw_fwd *);
/* The catalogue (NULL without the endpoint list). */
const struct model_fwdcat *gw_fwd_catalogue(const struct gw_fwd *);

#endif
