/*
 * gw_dp.h - the gateway's data plane: per tenant with device links a
 * tenant network (namespace, multiqueue TUN, BGP addresses, routes to the
 * peers' BGP /32s, egress), the ESP tables (esp_table) fed from the IKE
 * engine's CHILD SA callbacks, and the ESP worker threads. Runs on the gw
 * thread; gw.c calls it from its callbacks, gw_bgp.c for the BGP speaker's
 * sockets and the prefixes it learns.
 */
#ifndef GW_DP_H
#define GW_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monotime.h"

struct gw_dp;
struct ike_child_sa;
struct esp_worker_stats;
struct esp_table_member;
struct ike_endpoint;
struct store_tenant_link;

struct gw_dp_cfg {
	const char	*prefix;	/* --netns-prefix */
	uint32_t	 egress;	/* --egress; 0: masquerade */
	/* --reserved-range: the tenants' transfer networks; 0: the default */
	uint32_t	 transfer_net;
	uint8_t		 transfer_plen;
	bool		 transit;	/* --branch-transit: branch to branch */
	/* --policy-block-unnamed: 443/80 flows without a readable name */
	bool		 policy_block_unnamed;
	unsigned	 workers;	/* --esp-workers; 0: one per core */
	uint32_t	 replay_window;	/* --replay-window; 0: default */
	uint64_t	 rekey_bytes;	/* --esp-rekey-bytes; 0: none */
	const uint32_t	*ips;		/* tunnel endpoints */
	const uint16_t	*ports;		/* their bound NAT-T ports */
	size_t		 nips;
};

/* Cleans up after a crashed predecessor, opens egress, starts the workers. */
int	gw_dp_new(struct gw_dp **, const struct gw_dp_cfg *);
/* Stops the workers, removes every tenant network and the egress. */
void	gw_dp_free(struct gw_dp *);
/* Read end of the IKE hand-off (struct esp_worker_ike + payload). */
int	gw_dp_ike_fd(const struct gw_dp *);

/*
 * The full link list after a (re)load: tenants, addresses, routes, LPMs.
 * prof[i]: GW_BGP_PROF_* of link i's remote network, which the data path
 * enforces (NULL: none assigned anywhere); GW_BGP_PROF_TRANSIT turns the
 * tenant's branch-to-branch transit on (in place, nothing torn down).
 */
void	gw_dp_links(struct gw_dp *, const struct store_tenant_link *,
	    const unsigned *prof, size_t n);
void	gw_dp_child_install(struct gw_dp *, const struct ike_child_sa *,
	    monotime_t now);
void	gw_dp_child_delete(struct gw_dp *, uint32_t spi_in, monotime_t now);
void	gw_dp_child_update(struct gw_dp *, uint32_t spi_in,
	    const struct ike_endpoint *local, const struct ike_endpoint *remote,
	    bool udp_encap);
/* Retires lingering SAs; rekey(link) for SAs past a soft/hard limit. */
void	gw_dp_tick(struct gw_dp *, monotime_t now,
	    void (*rekey)(void *arg, const char *link_id), void *arg);
/* fn(arg, link, in, out) for every CHILD SA, lingering ones included. */
struct esp_sa_stats;
void	gw_dp_sa_stats(struct gw_dp *, void (*fn)(void *arg,
	    const char *link_id, const struct esp_sa_stats *in,
	    const struct esp_sa_stats *out), void *arg);
/* Per-SA and per-reason counters to the log (SIGHUP). */
void	gw_dp_log_stats(struct gw_dp *);

/* The ESP workers' counters, summed (relaxed atomics: any thread). */
void	gw_dp_worker_stats(const struct gw_dp *, struct esp_worker_stats *);
/* socket(2) inside the tenant's namespace; -1 if it has no network. */
int	gw_dp_tenant_socket(struct gw_dp *, const char *tenant_id, int type);
/*
 * A BGP-learned prefix of a link: into the ESP table (published by
 * gw_dp_learned_commit) and, counted per tenant, as the kernel route
 * "prefix dev tun0" in the tenant's namespace, so that the tenant sends
 * traffic for it into the TUN. add: -1 if not installed (no tenant
 * network, the table's limit, no memory); del undoes one add.
 */
int	gw_dp_learned_add(struct gw_dp *, const char *tenant_id,
	    const char *link_id, uint32_t prefix, uint8_t plen);
void	gw_dp_learned_del(struct gw_dp *, const char *tenant_id,
	    const char *link_id, uint32_t prefix, uint8_t plen);
/* The BGP attributes that rank ECMP members (esp_table_learned_attr). */
void	gw_dp_learned_attr(struct gw_dp *, const char *link_id,
	    uint32_t prefix, uint8_t plen, uint32_t path_len, uint32_t med,
	    uint32_t nas);
/* Which zone's session holds the prefix (esp_table_learned_zone). */
void	gw_dp_learned_zone(struct gw_dp *, const char *link_id, int zone,
	    uint32_t prefix, uint8_t plen, bool held, uint32_t path_len,
	    uint32_t med, uint32_t nas);
/* Publishes learned-prefix changes, if any, in one ESP table commit. */
void	gw_dp_learned_commit(struct gw_dp *);
/* The tenant's forwarding members for prefix/plen now (esp_table.h). */
size_t	gw_dp_route_members(struct gw_dp *, const char *tenant_id,
	    uint32_t prefix, uint8_t plen, struct esp_table_member *out,
	    size_t max);

/*
 * Security policy (policy_table.h): a tenant's next compiled policy
 * (ownership passes; NULL clears; -1 and freed if the tenant has no
 * network), the Microsoft 365 destinations (ownership passes), then one
 * commit publishes them to the workers.
 */
struct lpm;
struct model_traffic;
struct policy_snap;
struct policy_flows_stats;
int	gw_dp_policy_set(struct gw_dp *, const char *tenant_id,
	    struct policy_snap *);
void	gw_dp_policy_m365(struct gw_dp *, struct lpm *);
int	gw_dp_policy_commit(struct gw_dp *);
/* Traffic records the workers finished, up to max. */
size_t	gw_dp_traffic_pop(struct gw_dp *, struct model_traffic *, size_t max);
void	gw_dp_policy_stats(const struct gw_dp *, struct policy_flows_stats *);

#endif
