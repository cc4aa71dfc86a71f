/*
 * gw.h - the gateway role: the IKE engine fed from the UDP front end, its
 * configuration (every tenant's device links) cached from the store, health
 * events written back, all in one libevent loop on the calling thread.
 *
 * The gateway has its own store handle: the API thread has another. The API
 * tells the gateway about committed writes with gw_config_changed(); the
 * gateway then reloads every link and tears down SAs of links that went away
 * or whose key, address or policy changed. With the data plane it also runs
 * a BGP session per link and zone (gw_bgp.h).
 */
#ifndef GW_H
#define GW_H

#include <stdbool.h>
#include <stdint.h>

#include "esp_worker.h"
#include "ike.h"
#include "model.h"

struct gw;
struct policy_webcat;
struct store;
struct store_traffic;

#define GW_ALIVE_DEFAULT_S	900	/* system-facts §2.5: every 15 minutes */

struct gw_config {
	uint32_t	endpoint[MODEL_ZONES_MAX];	/* zone i+1; 0 = absent */
	/*
	 * --node: carry only the links placed on this node (docs/nodes.md);
	 * NULL: every link (the single node). Must outlive the gateway.
	 */
	const char	*node;
	uint16_t	ike_port;			/* 500; 0 = any (tests) */
	uint16_t	natt_port;			/* 4500 */
	/* Data plane (gw_dp.h); off: IKE only, no namespaces, no root needed. */
	bool		dataplane;
	const char	*netns_prefix;			/* NULL: "bg-" */
	uint32_t	egress;				/* SNAT address; 0: masquerade */
	bool		branch_transit;			/* branch to branch (off) */
	/* The transfer range (--reserved-range; validation refuses it). */
	uint32_t	transfer_net;			/* 0: EGRESS_TRANSFER_NET */
	uint8_t		transfer_plen;
	unsigned	esp_workers;			/* 0: one per core */
	uint32_t	replay_window;			/* 0: ESP_REPLAY_DEFAULT */
	uint64_t	rekey_bytes;			/* CHILD SA; 0: time only */
	uint32_t	asn;				/* BGP; 0: MODEL_GATEWAY_ASN */
	unsigned	cookie_threshold;		/* IKE §2.6; 0: the engine's 64 */
	unsigned	dpd_interval_s;			/* IKE §2.4; 0: the engine's 30 */
	unsigned	retransmit_base_ms, retransmit_tries;	/* 0: 500, 6 */
	const char	*datadir;			/* the Microsoft 365 list; NULL: none */
	unsigned	alive_interval_s;		/* remoteNetworkAlive; 0: 900 */
	/* Security policy (gw_policy.h, docs/policy.md) */
	struct store_traffic *tlog;			/* the gw's; NULL: none */
	const struct policy_webcat *webcat;		/* NULL: none */
	bool		policy_block_unnamed;		/* --policy-block-unnamed */
};

/* Binds what it can (a failed bind is logged, not fatal) and loads links. */
int	gw_new(struct gw **out, struct store *, const struct gw_config *);
/*
 * Runs until SIGTERM or SIGINT (SIGHUP reloads and logs counters), then
 * sends DELETE for every IKE SA and gives them a moment to leave. The
 * signals must not be blocked on the calling thread.
 */
int	gw_run(struct gw *);
void	gw_free(struct gw *);

/* Thread-safe, never blocks: the configuration in the store changed. */
void	gw_config_changed(void *gw);
/*
 * Thread-safe (api_config.link_status): the link's tunnel state and ESP
 * counters as of the gateway's last refresh (every second). 0, with a
 * disconnected status for a link the gateway does not know.
 */
int	gw_link_status(void *gw, const char *link_id,
	    struct model_link_status *out);

/*
 * Thread-safe (api_config.link_routes): the routes of the link's BGP
 * sessions, read on the gateway loop (waits for it, at most 2 s). *out
 * is malloc'd (free() it); none without the data plane. -1 if the loop did
 * not answer or out of memory.
 */
int	gw_link_routes(void *gw, const char *link_id,
	    struct model_link_route **out, size_t *n);

/* One device link in the status snapshot, as GET /metrics shows it. */
struct gw_link_metrics {
	char		id[MODEL_ID_LEN + 1];
	char		tenant_id[MODEL_ID_LEN + 1];
	char		rn_id[MODEL_ID_LEN + 1];
	unsigned	zones;		/* 2 for zoneRedundancy, else 1 */
	struct {
		bool	 up;		/* status tunnels[z].tunnelState */
		unsigned child_sas;
		bool	 bgp_established;
		uint64_t received, learned, rejected, advertised;
	}		zone[MODEL_ZONES_MAX];	/* [zone - 1] */
	/* The status's "esp" counters: over all the link's CHILD SAs. */
	uint64_t	in_packets, in_bytes, out_packets, out_bytes;
	uint64_t	replay, auth_failed, malformed, spoofed;
};

struct gw_metrics {
	bool		dataplane;
	struct ike_stats ike;		/* as of the same refresh */
	bool		workers_known;	/* workers holds the ESP workers' sums */
	struct esp_worker_stats workers;
	size_t		nlinks;
	struct gw_link_metrics link[];	/* sorted by link id */
};

/*
 * Thread-safe (api_config.metrics): every link of the snapshot that
 * gw_link_status reads, copied at once under the same lock, so that one
 * scrape is one refresh. *out is one allocation: free() it.
 */
int	gw_metrics(void *gw, struct gw_metrics **out);

#endif
