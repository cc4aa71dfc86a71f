/*
 * gw.c - the gateway role: wires the sans-IO IKE engine (ike/) to the UDP
 * front end (net/udp), the store, and one libevent loop (gw_host.c).
 *
 *   udp socket readable -> udp_read -> udp_demux -> ike_input
 *   ike send callback   -> udp_send (non-ESP marker added on 4500)
 *   ike_next_deadline() -> one evtimer, re-armed after every callback
 *   API write           -> notify (eventfd) -> reload links, diff, peer_remove,
 *                          data plane (gw_dp), BGP sessions (gw_bgp)
 *   ike events          -> health events in the store, reject log lines
 *   bgp up/down         -> bgpConnected / bgpDisconnected health events
 *
 * The link cache is every tenant's device links, sorted by id (for the
 * reload diff), with an index sorted by CPE address (for the lookup of an
 * incoming IKE_SA_INIT). Zone 1's endpoint serves every link with its PSK;
 * zone 2's serves zoneRedundancy links with their zone PSK.
 */
#include "gw.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "esp_sa.h"
#include "guid.h"
#include "gw_bgp.h"
#include "gw_fwd.h"
#include "gw_policy.h"
#include "policy_flow.h"
#include "gw_dp.h"
#include "gw_host.h"
#include "ike.h"
#include "ip4.h"
#include "log.h"
#include "monotime.h"
#include "notify.h"
#include "gw_call.h"
#include "store.h"
#include "udp.h"
#include "wallclock.h"

#define GW_PRUNE_EVERY_S	3600
#define GW_EVENT_KEEP_MS	((int64_t)31 * 24 * 3600 * 1000)	/* Graph keeps a month */
#define GW_REJECT_BURST		10	/* lines per reason per window */
#define GW_REJECT_WINDOW	(10 * MONOTIME_SEC)
#define GW_NREASONS		(IKE_R_TIMEOUT + 1)

struct gw_child {
	char		link_id[MODEL_ID_LEN + 1];
	uint32_t	spi_in, spi_out;
};

struct gw_ratelimit {
	monotime_t	window_start;
	unsigned	count;
	uint64_t	suppressed;
};

/* Who a status snapshot entry belongs to, for gw_metrics. */
struct gw_st_owner {
	char		tenant_id[MODEL_ID_LEN + 1];
	char		rn_id[MODEL_ID_LEN + 1];
	unsigned	zones;
};

/* What the gateway knows of a link beyond its configuration (the status). */
struct gw_lstate {
	unsigned	 prof;		/* GW_BGP_PROF_* of its remote network */
	int		 rej;		/* last IKE refusal (enum ike_reason); 0: none */
	int		 rej_zone;
	char		 rej_detail[256];	/* no secrets: the engine's text */
	char		 down_detail[256];	/* why the last tunnel went */
	uint64_t	 alive_in, alive_out;	/* ESP bytes at the last alive event */
};

struct gw {
	struct store		*store;
	struct gw_config	 cfg;
	struct gw_host		*host;
	struct ike_engine	*ike;		/* the host's */
	struct notify		*notify;
	struct event		*ev_notify, *ev_prune, *ev_watch;
	struct gw_call		*call;		/* gw_link_routes() */

	struct gw_dp		*dp;		/* NULL: --no-dataplane */
	struct gw_bgp		*bgp;		/* with the data plane only */
	struct gw_policy	*pol;		/* likewise */
	struct gw_fwd		*fwd;		/* likewise: forwarding rules */
	struct event		*ev_status, *ev_alive;
	/* Link status for the API thread: by link id, under st_mu. */
	pthread_mutex_t		 st_mu;
	char			(*st_id)[MODEL_ID_LEN + 1];
	struct model_link_status *st;
	struct gw_st_owner	*st_own;	/* [nst], beside st */
	struct ike_stats	 st_ike;	/* the engine's, at the refresh */
	struct esp_worker_stats	 st_workers;	/* the ESP workers', likewise */
	size_t			 nst;

	struct store_tenant_link *links;	/* sorted by link id */
	struct gw_lstate	*ls;		/* [nlinks], beside links */
	size_t			 nlinks;
	size_t			*by_ip;		/* indexes, sorted by (ip, id) */

	struct gw_child		*child;
	size_t			 nchild, child_cap;

	struct gw_ratelimit	 rl[GW_NREASONS];
	uint64_t		 rejects[GW_NREASONS];
	uint64_t		 ev_written, ev_write_errors, reloads;
	/*
	 * Wall clock minus monotonic clock (ms), taken once at start: a
	 * monotonic instant (an SA's establishment) gets one wall-clock time
	 * that never moves between status refreshes.
	 */
	int64_t			 wall_off_ms;
};

static int64_t
gw_wall_ms(const struct gw *g, monotime_t t)
{
	return g->wall_off_ms + (int64_t)(t / MONOTIME_MSEC);
}

static const char *const gw_reason_names[GW_NREASONS] = {
	[IKE_R_NONE] = "rejected",
	[IKE_R_UNKNOWN_PEER] = "unknown peer",
	[IKE_R_NO_PROPOSAL] = "no proposal chosen",
	[IKE_R_AUTH_FAILED] = "authentication failed",
	[IKE_R_TS_UNACCEPTABLE] = "traffic selectors unacceptable",
	[IKE_R_PEER_DELETE] = "peer deleted",
	[IKE_R_LOCAL_DELETE] = "deleted by the gateway",
	[IKE_R_DEAD_PEER] = "dead peer",
	[IKE_R_TIMEOUT] = "timed out",
};

static const char *
gw_reason(enum ike_reason r)
{
	return (unsigned)r < GW_NREASONS && gw_reason_names[r] != NULL ?
	    gw_reason_names[r] : "unknown reason";
}

/* --- link cache --------------------------------------------------------- */

static int
gw_cmp_ip(const void *a, const void *b, void *arg)
{
	const struct store_tenant_link *links = arg;
	const struct model_link *x = &links[*(const size_t *)a].link;
	const struct model_link *y = &links[*(const size_t *)b].link;

	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return strcmp(x->id, y->id);
}

static const struct store_tenant_link *
gw_link_by_id(const struct gw *g, const char *id)
{
	size_t lo = 0, hi = g->nlinks, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(g->links[mid].link.id, id)) == 0)
			return &g->links[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* 1 or 2 for an endpoint address of ours, 0 otherwise. */
static int
gw_zone_of(const struct gw *g, uint32_t ip)
{
	int i;

	for (i = 0; i < MODEL_ZONES_MAX; i++)
		if (g->cfg.endpoint[i] != 0 && g->cfg.endpoint[i] == ip)
			return i + 1;
	return 0;
}

static bool
gw_link_serves_zone(const struct model_link *l, int zone)
{
	if (zone == 1)
		return true;
	/* Without a zone key, zone 2 uses preSharedKey (ike_psk()). */
	return zone == 2 && l->redundancy == MODEL_RED_ZONE;
}

/*
 * The nth link (by id) with CPE address ip serving zone; NULL if fewer.
 * Several tenants' links may share an address (the IKE engine tells them
 * apart by policy and key, ike.h).
 */
static const struct store_tenant_link *
gw_link_find(const struct gw *g, uint32_t ip, int zone, unsigned nth)
{
	size_t lo = 0, hi = g->nlinks, mid;
	const struct store_tenant_link *tl;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (g->links[g->by_ip[mid]].link.ip < ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < g->nlinks; lo++) {
		tl = &g->links[g->by_ip[lo]];
		if (tl->link.ip != ip)
			break;
		if (gw_link_serves_zone(&tl->link, zone) && nth-- == 0)
			return tl;
	}
	return NULL;
}

static void
gw_links_free(struct gw *g)
{
	store_tenant_links_free(g->links, g->nlinks);
	free(g->by_ip);
	free(g->ls);
	g->links = NULL;
	g->by_ip = NULL;
	g->ls = NULL;
	g->nlinks = 0;
}

static void
gw_warn_shared_ips(const struct store_tenant_link *links, const size_t *by_ip,
    size_t n)
{
	const struct model_link *a, *b;
	char ip[IP4_STRLEN];
	size_t i;

	for (i = 1; i < n; i++) {
		a = &links[by_ip[i - 1]].link;
		b = &links[by_ip[i]].link;
		if (a->ip == b->ip)
			log_info("gw: device links %s and %s (other tenants) "
			    "share ipAddress %s: IKE tells them apart by "
			    "policy and pre-shared key", a->id, b->id,
			    ip4_fmt(a->ip, ip));
	}
}

/*
 * prof[i]: the GW_BGP_PROF_* assigned and enabled on link i's remote
 * network, which its BGP sessions announce (system-facts §2.3;
 * docs/bgp.md), and GW_BGP_PROF_TRANSIT with the tenant's transit on.
 * Queried once per remote network.
 */
static int
gw_profiles(struct gw *g, const struct store_tenant_link *nl, size_t nn,
    unsigned *prof)
{
	struct model_profile *ps;
	struct store_fwd_options fo;
	size_t i, j, np;
	int rc;

	for (i = 0; i < nn; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(nl[j].link.rn_id, nl[i].link.rn_id) == 0 &&
			    strcmp(nl[j].tenant_id, nl[i].tenant_id) == 0)
				break;
		if (j < i) {
			prof[i] = prof[j];
			continue;
		}
		ps = NULL;
		np = 0;
		if (store_rn_profiles_get(g->store, nl[i].tenant_id,
		    nl[i].link.rn_id, &ps, &np) == -1)
			return -1;
		prof[i] = 0;
		for (j = 0; j < np; j++) {
			if (!ps[j].enabled)
				continue;
			if (ps[j].traffic == MODEL_TRAFFIC_INTERNET)
				prof[i] |= GW_BGP_PROF_INTERNET;
			else if (ps[j].traffic == MODEL_TRAFFIC_M365)
				prof[i] |= GW_BGP_PROF_M365;
		}
		free(ps);
		/* The tenant's forwarding option, else --branch-transit. */
		rc = store_fwd_options_get(g->store, nl[i].tenant_id, &fo);
		if (rc == -1)
			return -1;
		if (rc == STORE_NOTFOUND ? g->cfg.branch_transit :
		    fo.branch_transit)
			prof[i] |= GW_BGP_PROF_TRANSIT;
	}
	return 0;
}

/*
 * A gateway node keeps the links placed on it (store_node_links) and
 * drops the others from nl, wiping them; both lists are sorted by id.
 */
static int
gw_own_links(struct gw *g, struct store_tenant_link *nl, size_t *nn)
{
	char (*ids)[MODEL_ID_LEN + 1] = NULL;
	size_t nids = 0, i, j = 0, k = 0;
	int c;

	if (g->cfg.node == NULL)
		return 0;
	if (store_node_links(g->store, g->cfg.node, &ids, &nids) != 0)
		return -1;
	for (i = 0; i < *nn; i++) {
		c = 1;
		while (j < nids && (c = strcmp(ids[j], nl[i].link.id)) < 0)
			j++;
		if (j < nids && c == 0) {
			if (k != i)
				nl[k] = nl[i];
			k++;
		}
	}
	if (k < *nn)
		explicit_bzero(nl + k, (*nn - k) * sizeof(*nl));
	*nn = k;
	free(ids);
	return 0;
}

/*
 * Loads every link and swaps the cache; SAs of links that are gone or
 * changed are torn down (DELETE to the CPE, which reconnects if it still
 * has a link). On a store error the old cache stays.
 */
static int
gw_reload(struct gw *g)
{
	struct store_tenant_link *nl = NULL;
	size_t nn = 0, *idx = NULL, i, j, added = 0, removed = 0, changed = 0;
	unsigned *inet = NULL, zch;
	struct gw_lstate *nls = NULL;
	monotime_t now = monotime_now();
	int c;

	if (store_link_list_all(g->store, &nl, &nn) == -1) {
		log_err("gw: cannot load device links; keeping the %zu cached",
		    g->nlinks);
		return -1;
	}
	if (gw_own_links(g, nl, &nn) == -1) {
		log_err("gw: cannot load node %s's link placement; keeping the "
		    "%zu cached device links", g->cfg.node, g->nlinks);
		store_tenant_links_free(nl, nn);
		return -1;
	}
	if (nn > 0 && ((idx = calloc(nn, sizeof(*idx))) == NULL ||
	    (inet = calloc(nn, sizeof(*inet))) == NULL ||
	    (nls = calloc(nn, sizeof(*nls))) == NULL)) {
		log_err("gw: out of memory loading device links");
		free(nls);
		free(idx);
		store_tenant_links_free(nl, nn);
		return -1;
	}
	if ((g->bgp != NULL || g->dp != NULL) &&
	    gw_profiles(g, nl, nn, inet) == -1) {
		log_err("gw: cannot load forwarding profile assignments; "
		    "keeping the %zu cached device links", g->nlinks);
		free(nls);
		free(idx);
		free(inet);
		store_tenant_links_free(nl, nn);
		return -1;
	}
	for (i = 0; i < nn; i++)
		idx[i] = i;
	if (nn > 1)
		qsort_r(idx, nn, sizeof(*idx), gw_cmp_ip, nl);

	/* Both lists are sorted by id (the store's ORDER BY id): merge. */
	for (i = 0, j = 0; i < g->nlinks || j < nn;) {
		if (i == g->nlinks)
			c = 1;
		else if (j == nn)
			c = -1;
		else
			c = strcmp(g->links[i].link.id, nl[j].link.id);
		if (c < 0) {
			log_info("gw: device link %s (%s) %s: tearing its "
			    "tunnels down", g->links[i].link.id,
			    g->links[i].link.name, g->cfg.node != NULL ?
			    "deleted or moved off this node" : "deleted");
			ike_peer_remove(g->ike, g->links[i].link.id, now);
			removed++;
			i++;
		} else if (c > 0) {
			added++;
			j++;
		} else {
			zch = model_link_zones_changed(&g->links[i].link,
			    &nl[j].link);
			if (zch == (MODEL_ZONE1 | MODEL_ZONE2)) {
				log_info("gw: device link %s (%s): address, "
				    "key or policy changed: tearing its "
				    "tunnels down", nl[j].link.id,
				    nl[j].link.name);
				ike_peer_remove(g->ike, nl[j].link.id, now);
			} else if (zch != 0) {
				/* One zone's key: the other zone's tunnel
				 * (maybe on another node) is not this one's. */
				log_info("gw: device link %s (%s): zone %d "
				    "key or tier changed: tearing that "
				    "zone's tunnels down", nl[j].link.id,
				    nl[j].link.name, zch == MODEL_ZONE1 ? 1 : 2);
				ike_peer_remove_zone(g->ike, nl[j].link.id,
				    zch == MODEL_ZONE1 ? 1 : 2, now);
			}
			if (zch != 0)
				changed++;
			/* What it knew stays; a refusal of the old config not. */
			nls[j] = g->ls[i];
			if (zch != 0)
				nls[j].rej = 0;
			i++;
			j++;
		}
	}
	gw_links_free(g);
	for (i = 0; i < nn; i++)
		nls[i].prof = inet[i];
	g->links = nl;
	g->by_ip = idx;
	g->ls = nls;
	g->nlinks = nn;
	g->reloads++;
	/* A store error keeps the last rules: announced as they were. */
	if (g->fwd != NULL)
		(void)gw_fwd_reload(g->fwd, g->store, nl, nn);
	/* Sessions end while their tenant networks exist; new ones after. */
	if (g->bgp != NULL)
		gw_bgp_sync(g->bgp, nl, inet, nn, false);
	if (g->dp != NULL)
		gw_dp_links(g->dp, nl, inet, nn);
	if (g->bgp != NULL)
		gw_bgp_sync(g->bgp, nl, inet, nn, true);
	if (g->pol != NULL)
		gw_policy_reload(g->pol, nl, nn);
	free(inet);
	gw_warn_shared_ips(nl, idx, nn);
	log_info("gw: %zu device links (%zu added, %zu deleted, %zu changed)",
	    nn, added, removed, changed);
	return 0;
}

/* --- timers --------------------------------------------------------------- */

static void
gw_on_prune(evutil_socket_t fd, short what, void *arg)
{
	struct gw *g = arg;
	size_t n = 0;

	(void)fd;
	(void)what;
	if (store_event_prune(g->store, wallclock_now_ms() - GW_EVENT_KEEP_MS,
	    &n) == -1)
		log_warn("gw: pruning old health events failed");
	else if (n > 0)
		log_info("gw: pruned %zu health events older than 31 days", n);
}

/*
 * Another node's write (PostgreSQL NOTIFY, store_watch_poll) or a
 * reconnect after which notifications may have been missed: re-read.
 * While the database is away the cache stays as it is.
 */
static void
gw_on_watch(evutil_socket_t fd, short what, void *arg)
{
	struct gw *g = arg;
	bool changed, resync;

	(void)fd;
	(void)what;
	if (gw_host_stopping(g->host) ||
	    store_watch_poll(g->store, &changed, &resync) == -1)
		return;
	if (!changed && !resync)
		return;
	if (resync)
		log_info("gw: store reconnected: re-reading the configuration");
	gw_reload(g);
	gw_host_timer_arm(g->host);
}

/* --- I/O ------------------------------------------------------------------ */

static void
gw_on_notify(evutil_socket_t fd, short what, void *arg)
{
	struct gw *g = arg;

	(void)fd;
	(void)what;
	if (!notify_drain(g->notify) || gw_host_stopping(g->host))
		return;
	gw_reload(g);
	gw_host_timer_arm(g->host);
}

static void
gw_log_stats(struct gw *g)
{
	struct ike_stats is;
	struct udp_stats us;

	ike_get_stats(g->ike, &is);
	udp_get_stats(gw_host_udp(g->host), &us);
	log_info("gw: udp rx ike %llu natt-ike %llu keepalive %llu esp %llu "
	    "(dropped %llu) runt %llu truncated %llu, tx %llu (errors %llu)",
	    (unsigned long long)us.rx_ike, (unsigned long long)us.rx_natt_ike,
	    (unsigned long long)us.rx_keepalive, (unsigned long long)us.rx_esp,
	    (unsigned long long)us.rx_esp_dropped,
	    (unsigned long long)us.rx_runt,
	    (unsigned long long)us.rx_truncated, (unsigned long long)us.tx,
	    (unsigned long long)us.tx_errors);
	log_info("gw: ike rx %llu malformed %llu established %llu, rejects: "
	    "unknown peer %llu, no proposal %llu, auth failed %llu; "
	    "%zu CHILD_SAs; health events %llu (write errors %llu)",
	    (unsigned long long)is.rx, (unsigned long long)is.rx_malformed,
	    (unsigned long long)is.sa_established,
	    (unsigned long long)g->rejects[IKE_R_UNKNOWN_PEER],
	    (unsigned long long)g->rejects[IKE_R_NO_PROPOSAL],
	    (unsigned long long)g->rejects[IKE_R_AUTH_FAILED], g->nchild,
	    (unsigned long long)g->ev_written,
	    (unsigned long long)g->ev_write_errors);
	if (g->pol != NULL) {
		struct gw_policy_stats ps;
		struct policy_flows_stats fs;
		char why[512];
		size_t k, o = 0;

		gw_policy_stats(g->pol, &ps);
		gw_dp_policy_stats(g->dp, &fs);
		why[0] = '\0';
		for (k = 1; k < POLICY_R_MAX && o < sizeof(why) - 48; k++)
			o += (size_t)snprintf(why + o, sizeof(why) - o, " %s %llu",
			    policy_flow_reason_name(k),
			    (unsigned long long)fs.reason[k]);
		log_info("gw: policy: %llu compiled (%llu errors); flows %llu "
		    "(active %llu, classified %llu, expired %llu), drops:%s; "
		    "traffic records %llu in %llu batches (write errors %llu, "
		    "dropped %llu, ring full %llu)",
		    (unsigned long long)ps.compiled,
		    (unsigned long long)ps.compile_errors,
		    (unsigned long long)fs.flows, (unsigned long long)fs.active,
		    (unsigned long long)fs.classified,
		    (unsigned long long)fs.expired, why,
		    (unsigned long long)ps.records,
		    (unsigned long long)ps.record_batches,
		    (unsigned long long)ps.record_write_errors,
		    (unsigned long long)ps.records_dropped,
		    (unsigned long long)fs.ring_drops);
	}
}

static void
gw_on_hup(void *arg)
{
	struct gw *g = arg;

	log_info("gw: SIGHUP: reloading device links");
	gw_reload(g);
	gw_log_stats(g);
	if (g->dp != NULL)
		gw_dp_log_stats(g->dp);
	if (g->bgp != NULL)
		gw_bgp_log_stats(g->bgp);
	gw_host_timer_arm(g->host);
}

/* --- engine callbacks ------------------------------------------------------ */

static void
gw_ike_send(void *arg, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	struct gw *g = arg;

	gw_host_send(g->host, local, remote, pkt, len);
}

static int
gw_ike_lookup(void *arg, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, unsigned nth, struct ike_peer_cfg *out)
{
	struct gw *g = arg;
	const struct store_tenant_link *tl;
	int zone;

	if ((zone = gw_zone_of(g, local->ip)) == 0 ||
	    (tl = gw_link_find(g, remote->ip, zone, nth)) == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	snprintf(out->tenant_id, sizeof(out->tenant_id), "%s", tl->tenant_id);
	snprintf(out->rn_id, sizeof(out->rn_id), "%s", tl->link.rn_id);
	snprintf(out->link_id, sizeof(out->link_id), "%s", tl->link.id);
	snprintf(out->name, sizeof(out->name), "%s", tl->link.name);
	out->zone = zone;
	out->cpe_ip = tl->link.ip;
	out->gw_ip = local->ip;
	out->tunnel = tl->link.tunnel;
	return 0;
}

static void
gw_ike_child_install(void *arg, const struct ike_child_sa *sa)
{
	struct gw *g = arg;
	struct gw_child *nc;
	size_t ncap;

	if (g->nchild == g->child_cap) {
		ncap = g->child_cap ? g->child_cap * 2 : 16;
		if ((nc = reallocarray(g->child, ncap, sizeof(*nc))) == NULL) {
			log_err("gw: out of memory recording a CHILD_SA");
			return;
		}
		g->child = nc;
		g->child_cap = ncap;
	}
	nc = &g->child[g->nchild++];
	snprintf(nc->link_id, sizeof(nc->link_id), "%s", sa->link_id);
	nc->spi_in = sa->spi_in;
	nc->spi_out = sa->spi_out;
	if (g->dp != NULL)
		gw_dp_child_install(g->dp, sa, monotime_now());
	log_info("CHILD_SA installed link=%s spi_in=0x%08x spi_out=0x%08x%s%s",
	    sa->link_id, sa->spi_in, sa->spi_out,
	    sa->udp_encap ? " udp-encap" : "",
	    g->dp != NULL ? "" : " (no data plane)");
}

static void
gw_ike_child_delete(void *arg, const char *link_id, uint32_t spi_in,
    uint32_t spi_out)
{
	struct gw *g = arg;
	size_t i;

	for (i = 0; i < g->nchild; i++) {
		if (g->child[i].spi_in == spi_in &&
		    strcmp(g->child[i].link_id, link_id) == 0) {
			g->child[i] = g->child[--g->nchild];
			break;
		}
	}
	if (g->dp != NULL)
		gw_dp_child_delete(g->dp, spi_in, monotime_now());
	log_info("CHILD_SA deleted link=%s spi_in=0x%08x spi_out=0x%08x",
	    link_id, spi_in, spi_out);
}

static void
gw_ike_child_update(void *arg, const char *link_id, uint32_t spi_in,
    uint32_t spi_out, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, bool udp_encap)
{
	struct gw *g = arg;
	char a[IP4_STRLEN];

	if (g->dp != NULL)
		gw_dp_child_update(g->dp, spi_in, local, remote, udp_encap);
	log_info("CHILD_SA moved link=%s spi_in=0x%08x spi_out=0x%08x: peer "
	    "now %s:%u%s", link_id, spi_in, spi_out, ip4_fmt(remote->ip, a),
	    remote->port, udp_encap ? " udp-encap" : "");
}

/* --- data plane ---------------------------------------------------------------- */

static void
gw_dp_rekey(void *arg, const char *link_id)
{
	struct gw *g = arg;

	(void)ike_rekey_child(g->ike, link_id, monotime_now());
}

static void
gw_on_tick(void *arg, monotime_t now)
{
	struct gw *g = arg;

	gw_dp_tick(g->dp, now, gw_dp_rekey, g);
}

static int
gw_dp_start(struct gw *g, const uint32_t *ips, size_t nips)
{
	struct gw_dp_cfg dc;
	uint16_t ports[MODEL_ZONES_MAX];
	size_t i;

	for (i = 0; i < nips; i++)
		ports[i] = udp_bound_port(gw_host_udp(g->host), ips[i], true);
	memset(&dc, 0, sizeof(dc));
	dc.prefix = g->cfg.netns_prefix;
	dc.egress = g->cfg.egress;
	dc.transit = g->cfg.branch_transit;
	dc.transfer_net = g->cfg.transfer_net;
	dc.transfer_plen = g->cfg.transfer_plen;
	dc.workers = g->cfg.esp_workers;
	dc.replay_window = g->cfg.replay_window;
	dc.rekey_bytes = g->cfg.rekey_bytes;
	dc.policy_block_unnamed = g->cfg.policy_block_unnamed;
	dc.ips = ips;
	dc.ports = ports;
	dc.nips = nips;
	if (gw_dp_new(&g->dp, &dc) == -1 ||
	    gw_host_dp_ike(g->host, gw_dp_ike_fd(g->dp)) == -1)
		return -1;
	return 0;
}

/* A health event of the remote network rn_id, now, with a fresh id. */
static int
gw_event_init(struct gw *g, struct store_event *se, const char *rn_id)
{
	memset(se, 0, sizeof(*se));
	if (guid_new(se->id) == -1) {
		g->ev_write_errors++;
		return -1;
	}
	snprintf(se->rn_id, sizeof(se->rn_id), "%s", rn_id);
	/* A gateway node tags its events (docs/nodes.md); the single node not. */
	if (g->cfg.node != NULL)
		snprintf(se->node, sizeof(se->node), "%s", g->cfg.node);
	se->created_ms = wallclock_now_ms();
	return 0;
}

/* system-facts §2.5: bgpConnected / bgpDisconnected, counters 0. */
static void
gw_bgp_event(void *arg, const struct gw_bgp_event *ev)
{
	struct gw *g = arg;
	struct store_event se;

	if (gw_event_init(g, &se, ev->rn_id) == -1)
		return;
	se.source_ip = ev->cpe_ip;
	se.destination_ip = ev->zone >= 1 && ev->zone <= MODEL_ZONES_MAX ?
	    g->cfg.endpoint[ev->zone - 1] : 0;
	se.status = ev->up ? STORE_EV_BGP_CONNECTED : STORE_EV_BGP_DISCONNECTED;
	snprintf(se.description, sizeof(se.description), "%s",
	    ev->description != NULL ? ev->description : "");
	if (store_event_add(g->store, ev->tenant_id, &se) == -1) {
		g->ev_write_errors++;
		log_err("gw: cannot store a BGP health event for link %s",
		    ev->link_id);
		return;
	}
	g->ev_written++;
}

static int
gw_bgp_start(struct gw *g)
{
	/* Without the list (logged by gw_fwd), Microsoft 365 announces nothing. */
	const struct gw_fwd_set *dflt = gw_fwd_default(g->fwd);
	struct gw_bgp_cfg bc;

	memset(&bc, 0, sizeof(bc));
	bc.base = gw_host_base(g->host);
	bc.dp = g->dp;
	bc.local_as = g->cfg.asn != 0 ? g->cfg.asn : MODEL_GATEWAY_ASN;
	bc.m365 = dflt->m365;
	bc.nm365 = dflt->nm365;
	bc.fwd = g->fwd;
	bc.transfer_net = g->cfg.transfer_net;
	bc.transfer_plen = g->cfg.transfer_plen;
	bc.arg = g;
	bc.event = gw_bgp_event;
	return gw_bgp_new(&g->bgp, &bc);
}

static void
gw_event_write(struct gw *g, const struct ike_event *ev, int status)
{
	struct store_event se;
	const char *detail;

	if (ev->tenant_id == NULL || ev->rn_id == NULL) {
		log_warn("gw: %s event without a device link: not logged",
		    model_enum_name(&store_event_status_enum, status));
		return;
	}
	if (gw_event_init(g, &se, ev->rn_id) == -1)
		return;
	se.source_ip = ev->remote.ip;
	se.destination_ip = ev->local.ip;
	se.status = status;
	detail = ev->detail;
	if (detail == NULL || detail[0] == '\0')
		detail = status == STORE_EV_TUNNEL_CONNECTED ?
		    "IKE SA and CHILD SA established" : gw_reason(ev->reason);
	snprintf(se.description, sizeof(se.description), "%s", detail);
	/* system-facts §2.5: the counters are 0 for connect/disconnect. */
	if (store_event_add(g->store, ev->tenant_id, &se) == -1) {
		g->ev_write_errors++;
		log_err("gw: cannot store a health event for link %s",
		    ev->link_id != NULL ? ev->link_id : "?");
		return;
	}
	g->ev_written++;
}

/* One line per rejected negotiation, at most GW_REJECT_BURST per window and reason. */
static void
gw_log_reject(struct gw *g, const struct ike_event *ev)
{
	unsigned r = (unsigned)ev->reason < GW_NREASONS ?
	    (unsigned)ev->reason : IKE_R_NONE;
	struct gw_ratelimit *rl = &g->rl[r];
	const struct store_tenant_link *tl = NULL;
	monotime_t now = monotime_now();
	char rip[IP4_STRLEN], lip[IP4_STRLEN], who[MODEL_NAME_MAX + 96];
	char sup[64] = "";
	const char *reason, *detail;

	g->rejects[r]++;
	/* The status's "why is it down" keeps the last one, unlimited. */
	if (ev->link_id != NULL &&
	    (tl = gw_link_by_id(g, ev->link_id)) != NULL) {
		struct gw_lstate *ls = &g->ls[tl - g->links];

		ls->rej = (int)ev->reason;
		ls->rej_zone = ev->zone;
		snprintf(ls->rej_detail, sizeof(ls->rej_detail), "%s",
		    ev->detail != NULL ? ev->detail : "");
	}
	if (now - rl->window_start >= GW_REJECT_WINDOW) {
		if (rl->suppressed > 0)
			snprintf(sup, sizeof(sup), " (%llu similar suppressed)",
			    (unsigned long long)rl->suppressed);
		rl->window_start = now;
		rl->count = 0;
		rl->suppressed = 0;
	}
	if (rl->count >= GW_REJECT_BURST) {
		rl->suppressed++;
		return;
	}
	rl->count++;
	ip4_fmt(ev->remote.ip, rip);
	ip4_fmt(ev->local.ip, lip);
	if (ev->link_id != NULL)
		tl = gw_link_by_id(g, ev->link_id);
	if (tl != NULL)
		snprintf(who, sizeof(who), "device link '%s' (%s)",
		    tl->link.name, tl->link.id);
	else if (ev->link_id != NULL)
		snprintf(who, sizeof(who), "device link %s", ev->link_id);
	else
		who[0] = '\0';	/* the detail names the unknown peer */
	/* The engine's detail often starts with the reason: say it once. */
	reason = gw_reason(ev->reason);
	detail = ev->detail != NULL ? ev->detail : "";
	if (strncasecmp(detail, reason, strlen(reason)) == 0)
		reason = "";
	log_warn("IKE rejected: %s%sfrom %s:%u at %s:%u: %s%s%s%s", who,
	    who[0] != '\0' ? " " : "", rip,
	    ev->remote.port, lip, ev->local.port, reason,
	    reason[0] != '\0' && detail[0] != '\0' ? ": " : "", detail, sup);
}

static void
gw_ike_event(void *arg, const struct ike_event *ev)
{
	struct gw *g = arg;
	const struct store_tenant_link *tl;
	char rip[IP4_STRLEN], lip[IP4_STRLEN];
	const char *link = ev->link_id != NULL ? ev->link_id : "?";

	ip4_fmt(ev->remote.ip, rip);
	ip4_fmt(ev->local.ip, lip);
	switch (ev->type) {
	case IKE_EV_TUNNEL_UP:
		log_info("tunnel up: link %s, %s:%u -> %s:%u", link, rip,
		    ev->remote.port, lip, ev->local.port);
		if (ev->link_id != NULL &&
		    (tl = gw_link_by_id(g, ev->link_id)) != NULL)
			g->ls[tl - g->links].rej = 0;	/* past refusals moot */
		gw_event_write(g, ev, STORE_EV_TUNNEL_CONNECTED);
		break;
	case IKE_EV_TUNNEL_DOWN:
		log_info("tunnel down: link %s, %s:%u -> %s:%u: %s%s%s", link,
		    rip, ev->remote.port, lip, ev->local.port,
		    gw_reason(ev->reason), ev->detail ? ": " : "",
		    ev->detail ? ev->detail : "");
		gw_event_write(g, ev, STORE_EV_TUNNEL_DISCONNECTED);
		if (ev->link_id != NULL &&
		    (tl = gw_link_by_id(g, ev->link_id)) != NULL)
			snprintf(g->ls[tl - g->links].down_detail,
			    sizeof(g->ls[0].down_detail), "%s%s%s",
			    gw_reason(ev->reason), ev->detail ? ": " : "",
			    ev->detail ? ev->detail : "");
		/* The tunnel carried the zone's BGP session: end it now. */
		if (g->bgp != NULL && ev->link_id != NULL &&
		    !ike_link_up(g->ike, ev->link_id, ev->zone)) {
			char why[96];

			snprintf(why, sizeof(why), "IPsec tunnel down (%s)",
			    gw_reason(ev->reason));
			gw_bgp_path_down(g->bgp, ev->link_id, ev->zone, why);
		}
		break;
	case IKE_EV_REJECT:
		gw_log_reject(g, ev);
		break;
	case IKE_EV_REKEYED:
		log_debug("rekeyed: link %s%s%s", link, ev->detail ? ": " : "",
		    ev->detail ? ev->detail : "");
		break;
	}
}

/* --- status for the API --------------------------------------------------- */

struct gw_st_build {
	struct gw			*g;
	struct model_link_status	*st;
};

static void
gw_st_add_sa(void *arg, const char *link_id, const struct esp_sa_stats *in,
    const struct esp_sa_stats *out)
{
	struct gw_st_build *b = arg;
	const struct store_tenant_link *tl;
	struct model_link_status *s;

	if ((tl = gw_link_by_id(b->g, link_id)) == NULL)
		return;
	s = &b->st[tl - b->g->links];
	s->in_packets += in->packets;
	s->in_bytes += in->bytes;
	s->out_packets += out->packets;
	s->out_bytes += out->bytes;
	s->replay += in->replay;
	s->auth_failed += in->auth_failed;
	s->malformed += in->malformed;
	s->spoofed += in->spoofed;
}

/*
 * "Why is this link not passing traffic": the first missing piece, in the
 * order a packet needs them (tunnel, CHILD SA, BGP, routes, a profile),
 * with the fact that shows it (user-asks.md: "connected but broken").
 */
static void
gw_st_reason(const struct gw *g, size_t i, struct model_link_status *s)
{
	const struct store_tenant_link *tl = &g->links[i];
	const struct gw_lstate *ls = &g->ls[i];
	const struct model_link_bgp *bs = NULL, *b;
	char ip[IP4_STRLEN], bl[IP4_STRLEN], bp[IP4_STRLEN];
	unsigned child = 0;
	int zones = tl->link.redundancy == MODEL_RED_ZONE ? 2 : 1, z;

#define WHY(code, ...)	do {						\
	snprintf(s->reason, sizeof(s->reason), "%s", code);		\
	snprintf(s->reason_detail, sizeof(s->reason_detail), __VA_ARGS__); \
} while (0)
	for (z = 0; z < zones; z++)
		if (s->tunnel[z].connected)
			child += s->tunnel[z].child_sas;
	if (!s->connected) {
		if (ls->rej == IKE_R_NO_PROPOSAL)
			WHY("proposalMismatch", "the branch's IKE proposal "
			    "does not match the link's policy: %s",
			    ls->rej_detail);
		else if (ls->rej == IKE_R_AUTH_FAILED)
			WHY("authenticationFailed", "the branch failed "
			    "authentication%s: check the pre-shared key (%s)",
			    ls->rej_zone == 2 ? " in zone 2" : "",
			    ls->rej_detail);
		else if (ls->rej != 0)
			WHY("noTunnel", "no IKE SA; the last attempt was "
			    "refused: %s", ls->rej_detail);
		else if (ls->down_detail[0] != '\0')
			WHY("noTunnel", "no IKE SA: the last tunnel went down "
			    "(%s)", ls->down_detail);
		else
			WHY("noTunnel", "no IKE SA: nothing accepted from the "
			    "branch at %s yet (is it configured with this "
			    "gateway's endpoint?)", ip4_fmt(tl->link.ip, ip));
		return;
	}
	if (child == 0) {
		WHY("noChildSa", "IKE SA up but no CHILD SA: the branch did "
		    "not establish (or deleted) its IPsec SA");
		return;
	}
	if (g->bgp == NULL) {
		WHY("ok", "tunnel up (no data plane: BGP not run)");
		return;
	}
	/* The first zone with a tunnel: its session is the one to look at. */
	for (z = 0; z < zones; z++) {
		b = &s->bgp[z];
		if (!s->tunnel[z].connected || !b->present)
			continue;
		if (bs == NULL || (strcmp(b->state, "established") == 0 &&
		    strcmp(bs->state, "established") != 0))
			bs = b;
	}
	if (bs == NULL || strcmp(bs->state, "established") != 0) {
		if (bs != NULL && bs->last_error[0] != '\0')
			WHY("bgpDown", "tunnel up, BGP not established "
			    "(%s): last error: %s", bs->state, bs->last_error);
		else
			WHY("bgpDown", "tunnel up, BGP not established: the "
			    "gateway waits for AS %u to connect from %s to %s",
			    tl->link.asn, ip4_fmt(tl->link.bgp_peer, bp),
			    ip4_fmt(tl->link.bgp_local, bl));
		return;
	}
	if (bs->learned == 0) {
		unsigned k, top = 0;

		for (k = 1; k < bs->nreject; k++)
			if (bs->reject[k].n > bs->reject[top].n)
				top = k;
		WHY("noRoutesAccepted", "BGP established, but no route from "
		    "the branch is installed: %llu received, %llu refused by "
		    "the import policy%s%s", (unsigned long long)bs->received,
		    (unsigned long long)bs->rejected,
		    bs->nreject > 0 ? ", mostly " : "",
		    bs->nreject > 0 ? bs->reject[top].key : "");
		return;
	}
	if (ls->prof == 0) {
		WHY("noProfile", "no forwarding profile is assigned and "
		    "enabled on the remote network: the gateway advertises "
		    "nothing, so the branch sends it nothing");
		return;
	}
	WHY("ok", "tunnel, BGP and routes up");
#undef WHY
}

/* Rebuilt from the engine and the data plane, then swapped in under st_mu. */
static void
gw_status_refresh(struct gw *g)
{
	struct gw_st_build b = { g, NULL };
	struct ike_sa_status *is = NULL;
	const struct store_tenant_link *tl;
	struct model_link_status *s;
	char (*ids)[MODEL_ID_LEN + 1] = NULL;
	struct gw_st_owner *own = NULL;
	struct ike_stats ist;
	struct esp_worker_stats wst;
	size_t n = g->nlinks, max = g->nlinks * 4 + 16, k, i;

	if ((n > 0 && ((b.st = calloc(n, sizeof(*b.st))) == NULL ||
	    (ids = calloc(n, sizeof(*ids))) == NULL ||
	    (own = calloc(n, sizeof(*own))) == NULL)) ||
	    (is = calloc(max, sizeof(*is))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		snprintf(ids[i], sizeof(ids[i]), "%s", g->links[i].link.id);
		snprintf(own[i].tenant_id, sizeof(own[i].tenant_id), "%s",
		    g->links[i].tenant_id);
		snprintf(own[i].rn_id, sizeof(own[i].rn_id), "%s",
		    g->links[i].link.rn_id);
		own[i].zones = g->links[i].link.redundancy == MODEL_RED_ZONE ?
		    2 : 1;
		b.st[i].dataplane = g->dp != NULL;
	}
	k = ike_status(g->ike, is, max);
	for (i = 0; i < k && i < max; i++) {
		struct model_link_tunnel *t;
		int64_t up_ms;

		if (!is[i].established || is[i].zone < 1 ||
		    is[i].zone > MODEL_ZONES_MAX ||
		    (tl = gw_link_by_id(g, is[i].link_id)) == NULL)
			continue;
		s = &b.st[tl - g->links];
		t = &s->tunnel[is[i].zone - 1];
		up_ms = gw_wall_ms(g, is[i].established_at);
		if (t->connected && t->established_ms >= up_ms)
			continue;	/* a zone's newest IKE SA (rekeys) */
		s->connected = true;
		t->connected = true;
		t->local_ip = is[i].local.ip;
		t->remote_ip = is[i].remote.ip;
		t->remote_port = is[i].remote.port;
		t->udp_encap = is[i].udp_encap;
		snprintf(t->ike_suite, sizeof(t->ike_suite), "%s",
		    is[i].ike_suite);
		snprintf(t->esp_suite, sizeof(t->esp_suite), "%s",
		    is[i].esp_suite);
		t->established_ms = up_ms;
		t->child_sas = is[i].child_sas;
	}
	if (g->dp != NULL)
		gw_dp_sa_stats(g->dp, gw_st_add_sa, &b);
	for (i = 0; i < n && g->bgp != NULL; i++) {
		gw_bgp_status(g->bgp, g->links[i].link.id, 1, g->wall_off_ms,
		    &b.st[i].bgp[0]);
		gw_bgp_status(g->bgp, g->links[i].link.id, 2, g->wall_off_ms,
		    &b.st[i].bgp[1]);
	}
	for (i = 0; i < n; i++)
		gw_st_reason(g, i, &b.st[i]);
	/* The engine's counters are this thread's: copied for the scrape. */
	ike_get_stats(g->ike, &ist);
	memset(&wst, 0, sizeof(wst));
	if (g->dp != NULL)
		gw_dp_worker_stats(g->dp, &wst);
	pthread_mutex_lock(&g->st_mu);
	free(g->st);
	free(g->st_id);
	free(g->st_own);
	g->st = b.st;
	g->st_id = ids;
	g->st_own = own;
	g->st_ike = ist;
	g->st_workers = wst;
	g->nst = n;
	pthread_mutex_unlock(&g->st_mu);
	b.st = NULL;
	ids = NULL;
	own = NULL;
out:
	free(b.st);
	free(ids);
	free(own);
	free(is);
}

/*
 * system-facts §2.5: remoteNetworkAlive per active tunnel every interval,
 * with the bytes since the last one (sent: branch -> gateway, our inbound)
 * and the routes the branch advertises on that zone's session. The ESP
 * counters are the link's: with both zones up, the zone 1 event carries
 * them and the zone 2 event says so with zero counters.
 */
static void
gw_on_alive(evutil_socket_t fd, short what, void *arg)
{
	struct gw *g = arg;
	const struct model_link_status *s;
	const struct store_tenant_link *tl;
	struct store_event se;
	size_t i;
	int z, zones;
	bool counted;

	(void)fd;
	(void)what;
	gw_status_refresh(g);
	/* The snapshot of this thread's last refresh, in link order. */
	for (i = 0; i < g->nlinks && g->nst == g->nlinks; i++) {
		tl = &g->links[i];
		s = &g->st[i];
		if (strcmp(g->st_id[i], tl->link.id) != 0)
			continue;
		zones = tl->link.redundancy == MODEL_RED_ZONE ? 2 : 1;
		counted = false;
		for (z = 0; z < zones; z++) {
			if (!s->tunnel[z].connected ||
			    gw_event_init(g, &se, tl->link.rn_id) == -1)
				continue;
			se.status = STORE_EV_REMOTE_NETWORK_ALIVE;
			se.source_ip = s->tunnel[z].remote_ip;
			se.destination_ip = s->tunnel[z].local_ip;
			se.bgp_routes_advertised = (int32_t)(s->bgp[z].received >
			    INT32_MAX ? INT32_MAX : s->bgp[z].received);
			if (!counted) {
				se.sent_bytes = (int64_t)(s->in_bytes -
				    g->ls[i].alive_in);
				se.received_bytes = (int64_t)(s->out_bytes -
				    g->ls[i].alive_out);
				snprintf(se.description, sizeof(se.description),
				    "tunnel alive (zone %d)", z + 1);
				counted = true;
			} else
				snprintf(se.description, sizeof(se.description),
				    "tunnel alive (zone %d; the link's byte "
				    "counters are on the zone 1 event)", z + 1);
			if (store_event_add(g->store, tl->tenant_id, &se) == -1)
				g->ev_write_errors++;
			else
				g->ev_written++;
		}
		g->ls[i].alive_in = s->in_bytes;
		g->ls[i].alive_out = s->out_bytes;
	}
}

static void
gw_on_status(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	gw_status_refresh(arg);
}

int
gw_link_status(void *arg, const char *link_id, struct model_link_status *out)
{
	struct gw *g = arg;
	size_t lo, hi, mid;
	int c;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&g->st_mu);
	for (lo = 0, hi = g->nst; lo < hi;) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(g->st_id[mid], link_id)) == 0) {
			*out = g->st[mid];
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	out->dataplane = g->dp != NULL;
	pthread_mutex_unlock(&g->st_mu);
	return 0;
}

/* On the loop thread (gw_call): both zones' sessions of one link. */
struct gw_routes_rq {
	struct gw		*g;
	const char		*link_id;
	struct model_link_route	*r;
	size_t			 n, cap;
	int			 err;
};

static void
gw_routes_on_loop(void *arg)
{
	struct gw_routes_rq *q = arg;
	int z;

	for (z = 1; z <= MODEL_ZONES_MAX && q->err == 0; z++)
		q->err = gw_bgp_routes(q->g->bgp, q->link_id, z, &q->r, &q->n,
		    &q->cap);
}

int
gw_link_routes(void *arg, const char *link_id, struct model_link_route **out,
    size_t *n)
{
	struct gw_routes_rq q = { arg, link_id, NULL, 0, 0, 0 };

	*out = NULL;
	*n = 0;
	if (q.g->bgp == NULL)
		return 0;
	if (gw_call_run(q.g->call, gw_routes_on_loop, &q, 2000) == -1 ||
	    q.err != 0) {
		free(q.r);
		return -1;
	}
	*out = q.r;
	*n = q.n;
	return 0;
}

/* --- life cycle ------------------------------------------------------------ */

void
gw_config_changed(void *arg)
{
	struct gw *g = arg;

	notify_raise(g->notify);
}

int
gw_new(struct gw **out, struct store *st, const struct gw_config *cfg)
{
	struct gw_host_ops ho;
	struct ike_engine_cfg ic;
	struct ike_callbacks cb;
	struct udp_config uc;
	struct timeval hour = { GW_PRUNE_EVERY_S, 0 };
	uint32_t ips[MODEL_ZONES_MAX];
	size_t nips = 0, bound = 0, i;
	struct gw *g;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -1;
	g->store = st;
	g->cfg = *cfg;
	g->wall_off_ms = wallclock_now_ms() -
	    (int64_t)(monotime_now() / MONOTIME_MSEC);
	pthread_mutex_init(&g->st_mu, NULL);
	memset(&ho, 0, sizeof(ho));
	ho.arg = g;
	ho.stopping = "deleting IKE SAs";
	ho.hup = gw_on_hup;
	ho.tick = cfg->dataplane ? gw_on_tick : NULL;
	if (gw_host_new(&g->host, &ho) == -1) {
		log_err("gw: event_base_new failed");
		goto fail;
	}
	if (notify_new(&g->notify) == -1)
		goto fail;

	memset(&ic, 0, sizeof(ic));	/* zero: the engine's defaults */
	ic.cookie_threshold = cfg->cookie_threshold;
	/* Dead-peer detection bounds a zone's failover without BFD (§2.4). */
	ic.dpd_interval_s = cfg->dpd_interval_s;
	ic.retransmit_base_ms = cfg->retransmit_base_ms;
	ic.retransmit_tries = cfg->retransmit_tries;
	memset(&cb, 0, sizeof(cb));
	cb.arg = g;
	cb.send = gw_ike_send;
	cb.lookup = gw_ike_lookup;
	cb.child_install = gw_ike_child_install;
	cb.child_delete = gw_ike_child_delete;
	cb.child_update = gw_ike_child_update;
	cb.event = gw_ike_event;
	if ((g->ike = ike_engine_new(&ic, &cb)) == NULL) {
		log_err("gw: cannot create the IKE engine");
		goto fail;
	}

	for (i = 0; i < MODEL_ZONES_MAX; i++)
		if (cfg->endpoint[i] != 0)
			ips[nips++] = cfg->endpoint[i];
	memset(&uc, 0, sizeof(uc));
	uc.ips = ips;
	uc.nips = nips;
	uc.ike_port = cfg->ike_port;
	uc.natt_port = cfg->natt_port;
	uc.natt_reuseport = cfg->dataplane;
	if (gw_host_open(g->host, g->ike, &uc, &bound) == -1)
		goto fail;
	/* A gateway that cannot hear its tunnels must say so and stop. */
	if (bound < nips * 2) {
		log_err("gw: only %zu of %zu IKE sockets could be bound",
		    bound, nips * 2);
		goto fail;
	}

	if (gw_host_listen(g->host) == -1)
		goto fail_ev;
	if (gw_call_new(&g->call, gw_host_base(g->host)) == -1)
		goto fail_ev;
	g->ev_notify = event_new(gw_host_base(g->host), notify_fd(g->notify),
	    EV_READ | EV_PERSIST, gw_on_notify, g);
	g->ev_prune = event_new(gw_host_base(g->host), -1, EV_PERSIST,
	    gw_on_prune, g);
	if (g->ev_notify == NULL || g->ev_prune == NULL ||
	    event_add(g->ev_notify, NULL) == -1 ||
	    event_add(g->ev_prune, &hour) == -1)
		goto fail_ev;
	if (cfg->dataplane && gw_dp_start(g, ips, nips) == -1) {
		log_err("gw: cannot start the data plane");
		goto fail;
	}
	if (cfg->dataplane && gw_fwd_new(&g->fwd, cfg->datadir) == -1) {
		log_err("gw: out of memory loading the forwarding rules");
		goto fail;
	}
	if (cfg->dataplane && gw_bgp_start(g) == -1) {
		log_err("gw: cannot start the BGP speaker");
		goto fail;
	}
	if (cfg->dataplane) {
		struct gw_policy_cfg pc;

		memset(&pc, 0, sizeof(pc));
		pc.base = gw_host_base(g->host);
		pc.store = g->store;
		pc.tlog = cfg->tlog;
		pc.webcat = cfg->webcat;
		pc.dp = g->dp;
		pc.fwd = g->fwd;
		if (gw_policy_new(&g->pol, &pc) == -1)
			goto fail;
	}
	if (gw_reload(g) == -1)
		goto fail;
	gw_on_prune(-1, 0, g);
	/* Polled, so that a reconnect needs no re-registered descriptor. */
	if (store_watch_poll(g->store, &(bool){ false }, &(bool){ false }) == 0 &&
	    store_watch_fd(g->store) != -1) {
		struct timeval tick = { 0, 200000 };

		g->ev_watch = event_new(gw_host_base(g->host), -1, EV_PERSIST,
		    gw_on_watch, g);
		if (g->ev_watch == NULL || event_add(g->ev_watch, &tick) == -1)
			goto fail_ev;
	}
	{
		struct timeval sec = { 1, 0 };

		g->ev_status = event_new(gw_host_base(g->host), -1, EV_PERSIST,
		    gw_on_status, g);
		if (g->ev_status == NULL || event_add(g->ev_status, &sec) == -1)
			goto fail_ev;
		gw_status_refresh(g);
	}
	{
		struct timeval iv = { g->cfg.alive_interval_s != 0 ?
		    (time_t)g->cfg.alive_interval_s : GW_ALIVE_DEFAULT_S, 0 };

		g->ev_alive = event_new(gw_host_base(g->host), -1, EV_PERSIST,
		    gw_on_alive, g);
		if (g->ev_alive == NULL || event_add(g->ev_alive, &iv) == -1)
			goto fail_ev;
	}
	*out = g;
	return 0;
fail_ev:
	log_err("gw: cannot set up the event loop");
fail:
	gw_free(g);
	return -1;
}

int
gw_run(struct gw *g)
{
	if (gw_host_run(g->host) == -1) {
		log_err("gw: event loop failed");
		return -1;
	}
	gw_log_stats(g);
	if (g->dp != NULL)
		gw_dp_log_stats(g->dp);
	return 0;
}

void
gw_free(struct gw *g)
{
	if (g == NULL)
		return;
	if (g->ev_notify != NULL)
		event_free(g->ev_notify);
	gw_call_free(g->call);
	if (g->ev_prune != NULL)
		event_free(g->ev_prune);
	if (g->ev_watch != NULL)
		event_free(g->ev_watch);
	if (g->ev_status != NULL)
		event_free(g->ev_status);
	if (g->ev_alive != NULL)
		event_free(g->ev_alive);
	/* Before the data plane (its routes) and the event base. */
	gw_bgp_free(g->bgp);
	gw_policy_free(g->pol);
	gw_fwd_free(g->fwd);
	gw_host_drop_engine(g->host);
	/* After the engine: its teardown may still delete CHILD SAs. */
	gw_dp_free(g->dp);
	gw_host_free(g->host);
	notify_free(g->notify);
	gw_links_free(g);
	free(g->child);
	free(g->st);
	free(g->st_id);
	free(g->st_own);
	pthread_mutex_destroy(&g->st_mu);
	free(g);
}

/* --- metrics for the API --------------------------------------------------- */

int
gw_metrics(void *arg, struct gw_metrics **out)
{
	struct gw *g = arg;
	struct gw_metrics *m = NULL;
	struct gw_link_metrics *lm;
	const struct model_link_status *s;
	const struct model_link_bgp *b;
	size_t i;
	unsigned z;

	*out = NULL;
	/* One copy under st_mu: the refresh only holds it for its swap. */
	pthread_mutex_lock(&g->st_mu);
	if (g->nst > (SIZE_MAX - sizeof(*m)) / sizeof(m->link[0]) ||
	    (m = calloc(1, sizeof(*m) + g->nst * sizeof(m->link[0]))) == NULL)
		goto fail;
	m->dataplane = g->dp != NULL;
	m->ike = g->st_ike;
	m->workers = g->st_workers;		/* zero without a data plane */
	m->workers_known = true;
	m->nlinks = g->nst;
	for (i = 0; i < g->nst; i++) {
		lm = &m->link[i];
		s = &g->st[i];
		memcpy(lm->id, g->st_id[i], sizeof(lm->id));
		memcpy(lm->tenant_id, g->st_own[i].tenant_id,
		    sizeof(lm->tenant_id));
		memcpy(lm->rn_id, g->st_own[i].rn_id, sizeof(lm->rn_id));
		lm->zones = g->st_own[i].zones;
		for (z = 0; z < MODEL_ZONES_MAX; z++) {
			b = &s->bgp[z];
			lm->zone[z].up = s->tunnel[z].connected;
			lm->zone[z].child_sas = s->tunnel[z].child_sas;
			lm->zone[z].bgp_established = b->present &&
			    strcmp(b->state, "established") == 0;
			lm->zone[z].received = b->received;
			lm->zone[z].learned = b->learned;
			lm->zone[z].rejected = b->rejected;
			lm->zone[z].advertised = b->advertised;
		}
		lm->in_packets = s->in_packets;
		lm->in_bytes = s->in_bytes;
		lm->out_packets = s->out_packets;
		lm->out_bytes = s->out_bytes;
		lm->replay = s->replay;
		lm->auth_failed = s->auth_failed;
		lm->malformed = s->malformed;
		lm->spoofed = s->spoofed;
	}
	pthread_mutex_unlock(&g->st_mu);
	*out = m;
	return 0;
fail:
	pthread_mutex_unlock(&g->st_mu);
	free(m);
	return -1;
}
