/*
 * gw_bgp.h - the gateway's BGP speaker: the host of the sans-IO sessions
 * of bgp/ (one passive session per device link and zone), their TCP
 * listeners on port 179 of the gateway BGP addresses inside each tenant's
 * namespace, their timers, and what they learn: branch prefixes through
 * the import policy into the data plane (gw_dp_learned_*). Announces to
 * each link what its remote network's assigned, enabled forwarding
 * profiles forward (docs/bgp.md): 0.0.0.0/0 for Internet Access, the
 * aggregated Microsoft 365 subnets for Microsoft 365, each marked with the
 * profile's community.
 * Runs on the gw thread, in its libevent loop; needs the data plane.
 */
#ifndef GW_BGP_H
#define GW_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"
#include "monotime.h"

struct event_base;
struct gw_bgp;
struct gw_dp;
struct gw_fwd;
struct model_link_bgp;
struct model_link_route;
struct store_tenant_link;

/*
 * Prefixes a branch may announce per session; one more ends the session
 * with Cease / Maximum Number of Prefixes Reached (RFC 4486). A branch
 * announces its LAN prefixes: tens, not a full table.
 */
#define GW_BGP_MAX_PREFIXES	1000
/*
 * Routes all of a tenant's sessions may install together (the ceiling on
 * top of each session's limit); past it a route is refused and counted
 * as tenantLimit, the session stays up. 40 links x 1000 could otherwise
 * fill the tenant's tables.
 */
#define GW_BGP_TENANT_ROUTES_DEFAULT	4000

/* A session came up or went down (health events, system-facts §2.5). */
struct gw_bgp_event {
	const char	*tenant_id, *rn_id, *link_id;
	int		 zone;		/* 1 or 2 */
	uint32_t	 cpe_ip;	/* the link's ipAddress */
	bool		 up;
	const char	*description;
};

/* A remote network's assigned and enabled profiles (gw_bgp_sync). */
#define GW_BGP_PROF_INTERNET	0x1u
#define GW_BGP_PROF_M365	0x2u
/*
 * Not a profile: the tenant's branches reach each other (its forwarding
 * option, or --branch-transit): each link is also announced the other
 * links' accepted prefixes (docs/bgp.md "Transit").
 */
#define GW_BGP_PROF_TRANSIT	0x4u
/*
 * RFC 1997 communities on the announcements, per profile, so a branch
 * router can tell them apart: ASN:1 Internet Access, ASN:365 Microsoft 365,
 * ASN being the gateway's (AS_TRANS 23456, RFC 6793, for a 4-octet one).
 */
#define GW_BGP_COMM_INTERNET	1u
#define GW_BGP_COMM_TRANSIT	2u	/* another branch's prefix */
#define GW_BGP_COMM_M365	365u

struct gw_bgp_cfg {
	struct event_base *base;
	struct gw_dp	*dp;
	uint32_t	 local_as;	/* --asn */
	size_t		 tenant_routes_max;	/* 0: GW_BGP_TENANT_ROUTES_DEFAULT */
	/* The egress transfer range (--reserved-range): never from a branch. */
	uint32_t	 transfer_net;
	uint8_t		 transfer_plen;		/* 0: EGRESS_TRANSFER_NET/PLEN */
	/*
	 * The Microsoft 365 routes as shipped (gw_m365.h), copied; may be
	 * empty. Refused from branches; announced as they are unless fwd is
	 * set, whose per-tenant sets (their bypassed rules taken out) are
	 * announced instead, and re-read at every gw_bgp_sync(start true).
	 */
	const struct bgp_prefix *m365;
	size_t		 nm365;
	const struct gw_fwd *fwd;
	void		*arg;
	void		(*event)(void *arg, const struct gw_bgp_event *);
};

int	gw_bgp_new(struct gw_bgp **, const struct gw_bgp_cfg *);
/* Stops every session (Cease, best effort), withdraws, closes sockets. */
void	gw_bgp_free(struct gw_bgp *);

/*
 * The device links after a reload (sorted by id), profiles[i] the
 * GW_BGP_PROF_* of link i's remote network. A change of profiles or of
 * the tenant's Microsoft 365 routes is announced as a difference on the
 * live session (RFC 4271 §9.2), never by a reset. Called twice around
 * gw_dp_links(): start false ends the sessions of links gone or whose BGP
 * configuration changed (stop, free) and closes listeners no longer
 * needed, while their tenant networks still exist; start true then opens
 * what is new and updates the advertised sets.
 */
void	gw_bgp_sync(struct gw_bgp *, const struct store_tenant_link *,
	    const unsigned *profiles, size_t n, bool start);

/*
 * The IPsec tunnel of (link, zone) is down (no IKE SA of that zone left):
 * its BGP session ends now and its routes are withdrawn from the tenant
 * and the data plane, instead of after the hold time (docs/bgp.md). The
 * session then waits for the branch to connect again over a new tunnel.
 */
void	gw_bgp_path_down(struct gw_bgp *, const char *link_id, int zone,
	    const char *why);

/*
 * The session of (link, zone); out->present false if there is none.
 * wall_off_ms: wall clock minus monotonic clock, fixed (gw.c), so that
 * establishedDateTime does not move between refreshes.
 */
void	gw_bgp_status(const struct gw_bgp *, const char *link_id, int zone,
	    int64_t wall_off_ms, struct model_link_bgp *out);
/*
 * Appends the routes of (link, zone), received and advertised, to *out
 * (grown as needed; *n used, *cap allocated). Nothing if no session. -1 if
 * out of memory (what was appended stays).
 */
int	gw_bgp_routes(const struct gw_bgp *, const char *link_id, int zone,
	    struct model_link_route **out, size_t *n, size_t *cap);
/* One line per session to the log (SIGHUP). */
void	gw_bgp_log_stats(const struct gw_bgp *);

#endif
