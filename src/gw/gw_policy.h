/*
 * gw_policy.h - the gateway's half of the security policy (docs/policy.md):
 * after every configuration load it compiles each tenant's policy set
 * (store_policy_set -> policy_snap_build) and publishes it to the ESP
 * workers (gw_dp_policy_*); every 200 ms it drains the traffic records
 * the workers finished and writes them in one batch to the traffic-log
 * store, never on the packet path. Runs on the gw thread.
 */
#ifndef GW_POLICY_H
#define GW_POLICY_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct gw_dp;
struct gw_fwd;
struct gw_policy;
struct policy_webcat;
struct store;
struct store_tenant_link;
struct store_traffic;

struct gw_policy_cfg {
	struct event_base *base;
	struct store	*store;		/* the gw thread's handle */
	struct store_traffic *tlog;	/* NULL: records are counted, not kept */
	const struct policy_webcat *webcat;	/* NULL: no categories */
	struct gw_dp	*dp;
	/*
	 * The tenants' bypass prefixes and the Microsoft 365 destinations
	 * (gw_fwd.h); NULL: none.
	 */
	const struct gw_fwd *fwd;
};

struct gw_policy_stats {
	uint64_t	compiled, compile_errors;
	uint64_t	records, record_batches, record_write_errors;
	uint64_t	records_dropped;	/* no store, or its write failed */
};

int	gw_policy_new(struct gw_policy **, const struct gw_policy_cfg *);
/* Drains what is left first. */
void	gw_policy_free(struct gw_policy *);
/*
 * The links as loaded (sorted by link id): every tenant with links gets
 * its policy recompiled and published, in one commit. On a store error a
 * tenant keeps its last good policy.
 */
void	gw_policy_reload(struct gw_policy *, const struct store_tenant_link *,
	    size_t n);
void	gw_policy_stats(const struct gw_policy *, struct gw_policy_stats *);

#endif
