/*
 * esp_table.h - the data plane's tables, published with RCU (liburcu, memb
 * flavour): inbound SPI -> SA (+ tenant), and per tenant an LPM of
 * destinations -> link -> current outbound SA, endpoints, encapsulation.
 *
 * The control (gw) thread owns the master state and the SAs. Each change
 * ends with esp_table_commit(), which builds a new immutable snapshot,
 * publishes it with rcu_assign_pointer() and frees the old one after a
 * grace period. The workers read a snapshot inside rcu_read_lock().
 *
 * Deleted CHILD SAs stay in the inbound table for ESP_TABLE_LINGER (their
 * outbound half stops being used at once): packets the peer sealed with
 * the old SA just before a rekey are still delivered. esp_table_tick()
 * retires them and frees their SAs after a grace period.
 */
#ifndef ESP_TABLE_H
#define ESP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monotime.h"

struct esp_sa;
struct esp_sa_stats;
struct esp_table;

#define ESP_TABLE_TENANTS_MAX	4096
#define ESP_TABLE_QUEUES_MAX	16
#define ESP_TABLE_LINGER	(5 * MONOTIME_SEC)
#define ESP_TABLE_LINK_ID_MAX	40

/* Read side (workers, inside rcu_read_lock). ---------------------------- */

struct esp_snap_link {
	struct esp_sa	*out;		/* NULL: no tunnel up */
	uint32_t	 local_ip, remote_ip;
	uint16_t	 local_port, remote_port;
	bool		 udp_encap;
	/* Sources its decrypted packets may have; NULL: any (src_check off). */
	struct lpm	*src;
	uint32_t	 id_hash;	/* of the link id: stable across snapshots */
	/*
	 * 0: the link as a whole (out is its newest SA, any zone); 1, 2: one
	 * ECMP member, that zone's tunnel of the link (esp_snap.zones).
	 */
	uint8_t		 zone;
	/* Rendezvous identity: id_hash for the link and its zone 1. */
	uint32_t	 key;
	/* For the security policy and the traffic logs (esp_table_link). */
	char		 id[ESP_TABLE_LINK_ID_MAX + 1];
	char		 rn_id[ESP_TABLE_LINK_ID_MAX + 1];
	uint8_t		 profiles;	/* ESP_PROF_* */
	uint32_t	 gw_local[2];	/* the gateway's BGP addresses; 0: none */
};

/*
 * ECMP: links with a live tunnel that hold one learned prefix share it;
 * for a link whose BGP sessions say which zone holds the prefix
 * (esp_table_learned_zone), each zone with its route and its own live
 * outbound SA is a member. In a tenant's LPM a value at or above
 * ESP_SNAP_GROUP names a group.
 */
#define ESP_SNAP_GROUP		0x80000000u
#define ESP_TABLE_ECMP_MAX	8
#define ESP_TABLE_ZONES		2

struct esp_snap_group {
	unsigned	 n;
	/* Below nlinks: links[m]; else zones[m - nlinks]. */
	uint32_t	 member[ESP_TABLE_ECMP_MAX];
};

struct esp_snap_tenant {
	uint32_t	 gen;		/* 0: slot unused */
	unsigned	 nq;
	int		 tun_fd[ESP_TABLE_QUEUES_MAX];
	struct lpm	*lpm;		/* dst -> index into esp_snap.links */
};

struct esp_snap_in {
	uint32_t	 spi;		/* 0: empty */
	uint32_t	 tenant;	/* slot; UINT32_MAX: link without tenant */
	uint32_t	 link;		/* index in links[]; UINT32_MAX: none */
	struct esp_sa	*sa;
	uint8_t		 zone;		/* of the SA's tunnel: 1, 2; 0: unknown */
	/* The SPI in hex: the traffic records' sessionId, made once here. */
	char		 spi_hex[9];
};

struct esp_snap {
	uint32_t		 in_mask;
	struct esp_snap_in	*in;
	struct esp_snap_link	*links;
	size_t			 nlinks;
	/*
	 * Per link and zone z (1, 2), at ESP_TABLE_ZONES * link + z - 1: the
	 * link with that zone's newest live outbound SA (out NULL: none).
	 */
	struct esp_snap_link	*zones;
	unsigned		 ntenants;	/* slots in tenants[] */
	struct esp_snap_tenant	*tenants;
	struct esp_snap_group	*groups;
	size_t			 ngroups;
	uint32_t		 seed;		/* flow hash key, fixed per table */
};

/* The current snapshot; call inside rcu_read_lock(). */
const struct esp_snap *esp_table_snap(struct esp_table *);
const struct esp_snap_in *esp_snap_in_find(const struct esp_snap *,
	    uint32_t spi);
/* The tenant of slot if its generation is gen, else NULL. */
const struct esp_snap_tenant *esp_snap_tenant(const struct esp_snap *,
	    uint32_t slot, uint32_t gen);
const struct esp_snap_link *esp_snap_route(const struct esp_snap *,
	    const struct esp_snap_tenant *, uint32_t dst);
/*
 * The same for the IPv4 packet ip (dst its destination): where dst is an
 * ECMP prefix, the member for the packet's flow (addresses, protocol and,
 * for TCP/UDP, ports), by rendezvous hashing over the members' keys (link
 * id, zone): a flow stays on its member while that member stays, a member
 * that goes moves its own flows only, and no flow is reordered by a
 * rebuild. A zone member's out and endpoints are that zone's tunnel.
 */
const struct esp_snap_link *esp_snap_route_flow(const struct esp_snap *,
	    const struct esp_snap_tenant *, uint32_t dst, const uint8_t *ip,
	    size_t len);
/*
 * Whether a packet decrypted with e's SA may carry source address src: the
 * route-based form of traffic selectors (uRPF, RFC 3704 §2.2 strict mode
 * per link). True for links without the check.
 */
bool	esp_snap_src_ok(const struct esp_snap *, const struct esp_snap_in *e,
	    uint32_t src);
/*
 * Sessions bound to their zone's tunnel (issue 9 §3): on a link with a BGP
 * address per zone, a packet decrypted with e's SA may be addressed to
 * that zone's gateway address only, not to the other zone's (the branch
 * peers from one address with both, so the source cannot tell them
 * apart). True where the rule does not apply.
 */
bool	esp_snap_zone_ok(const struct esp_snap *, const struct esp_snap_in *e,
	    uint32_t dst);
/*
 * The other direction: a packet from one zone's gateway BGP address (its
 * BGP and BFD) leaves through that zone's tunnel, whatever member l the
 * route picked: the zone-1 tunnel dying unnoticed (no BFD, DPD pending)
 * must not take zone 2's session with it. l itself where the rule does
 * not apply; the zone's entry (out NULL: its tunnel is down) otherwise.
 */
const struct esp_snap_link *esp_snap_zone_out(const struct esp_snap *,
	    const struct esp_snap_link *l, uint32_t src);

/* Control side (one thread). --------------------------------------------- */

#define ESP_TABLE_LINK_ROUTES_MAX	8

struct esp_table_route {
	uint32_t	 prefix;	/* host bits ignored */
	uint8_t		 plen;
};

#define ESP_TABLE_LINK_SRC_MAX		16

/*
 * The forwarding profiles of a link's remote network, as the data path
 * enforces them (docs/policy.md): with ESP_PROF_ENFORCE, a decrypted
 * packet to a destination no assigned profile covers is dropped
 * (unassigned-profile); the gateway's own BGP addresses are always
 * reachable. Without it (the CPE role) nothing is checked.
 */
#define ESP_PROF_INTERNET	0x01
#define ESP_PROF_M365		0x02
#define ESP_PROF_ENFORCE	0x80

struct esp_table_link {
	char		 id[ESP_TABLE_LINK_ID_MAX + 1];
	uint32_t	 tenant;	/* slot */
	uint32_t	 peer_bgp;	/* routed here as a /32; 0: none */
	/* More prefixes routed here (the CPE role's routes); 0 for the gateway. */
	struct esp_table_route routes[ESP_TABLE_LINK_ROUTES_MAX];
	unsigned	 nroutes;
	/*
	 * Source check on what the link's SAs decrypt (the gateway: a branch
	 * may only send from its own addresses): allowed are peer_bgp, the
	 * routes, the learned prefixes and these static ones. Off (the CPE
	 * role): anything, the gateway forwards the internet.
	 */
	bool		 src_check;
	struct esp_table_route src[ESP_TABLE_LINK_SRC_MAX];
	unsigned	 nsrc;
	char		 rn_id[ESP_TABLE_LINK_ID_MAX + 1];
	uint8_t		 profiles;	/* ESP_PROF_* */
	uint32_t	 gw_local[2];
};

/*
 * BGP-learned prefixes of a link (gw_bgp.c), apart from the link list:
 * esp_table_links_set() leaves them alone, and only those of a link id in
 * the list are routed. Counted per (link, prefix): both zone sessions of a
 * zone-redundant link may hold one prefix. In the tenant's LPM the static
 * entries above come first, then learned ones of links with a live
 * outbound SA, then the rest; a prefix held by several links with a live
 * tunnel, or by both zones of one (esp_table_learned_zone), is an ECMP
 * group (esp_snap_route_flow), otherwise the first wins, so a branch can never take another link's peer /32, and a link
 * whose tunnel is down yields to one whose tunnel is up.
 */
#define ESP_TABLE_LEARNED_MAX	262144	/* per link: BGP_MAX_PREFIXES_LIMIT */

struct esp_table_child {
	const char	*link_id;
	int		 zone;		/* the link's zone (1, 2); 0: unknown */
	struct esp_sa	*in, *out;	/* ownership passes to the table */
	uint32_t	 local_ip, remote_ip;
	uint16_t	 local_port, remote_port;
	bool		 udp_encap;
};

struct esp_table *esp_table_new(void);
/* Frees every SA; the workers must be gone. */
void	esp_table_free(struct esp_table *);

/* A tenant's TUN queues (nq fds, owned by the caller); gen must be != 0. */
int	esp_table_tenant_set(struct esp_table *, uint32_t slot, uint32_t gen,
	    const int *tun_fd, unsigned nq);
void	esp_table_tenant_del(struct esp_table *, uint32_t slot);
/* Replaces every link (and so the routes). */
int	esp_table_links_set(struct esp_table *, const struct esp_table_link *,
	    size_t n);
/*
 * Published by the next commit. add: 0, -1 (plen > 32, the link's limit,
 * no memory); host bits are ignored. del: 0, -1 if the link does not hold
 * the prefix. count: distinct prefixes the link holds.
 */
int	esp_table_learned_add(struct esp_table *, const char *link_id,
	    uint32_t prefix, uint8_t plen);
int	esp_table_learned_del(struct esp_table *, const char *link_id,
	    uint32_t prefix, uint8_t plen);
size_t	esp_table_learned_count(const struct esp_table *, const char *link_id);
/*
 * The BGP attributes of a prefix the link holds (0, or -1 if it does not
 * hold it). Where several links with a live tunnel hold one prefix, only
 * the best are ECMP members, as RFC 4271 §9.1.2.2 ranks them: the
 * shortest AS_PATH, then, among routes from the same neighbouring AS, the
 * lowest MULTI_EXIT_DISC. Later steps (origin, IGP cost, router id) are
 * left out on purpose: they would make one member win where the branch
 * meant to share. Published by the next commit.
 */
int	esp_table_learned_attr(struct esp_table *, const char *link_id,
	    uint32_t prefix, uint8_t plen, uint32_t path_len, uint32_t med,
	    uint32_t nas);
/*
 * Which zone's BGP session of the link holds a learned prefix, with that
 * session's attributes; held false: it no longer does (0, or -1: zone not
 * 1 or 2, plen > 32, no memory, or not held and not recorded). With a
 * record for a prefix the link holds, its ECMP members for it are its
 * zones that hold it and have a live outbound SA, ranked by their own
 * attributes; a link without records is one member as above. Where no
 * zone qualifies (the zone's tunnel went, its session not yet), the link
 * yields the prefix to other links' members, else carries it on its
 * newest SA. Published by the next commit.
 */
int	esp_table_learned_zone(struct esp_table *, const char *link_id,
	    int zone, uint32_t prefix, uint8_t plen, bool held,
	    uint32_t path_len, uint32_t med, uint32_t nas);
/* On -1 the caller still owns the SAs. */
int	esp_table_child_add(struct esp_table *, const struct esp_table_child *);
/* Starts the linger of the CHILD SA with spi_in; -1 if unknown. */
int	esp_table_child_del(struct esp_table *, uint32_t spi_in,
	    monotime_t now);
int	esp_table_child_update(struct esp_table *, uint32_t spi_in,
	    uint32_t local_ip, uint16_t local_port, uint32_t remote_ip,
	    uint16_t remote_port, bool udp_encap);
/*
 * Who carries traffic for prefix/plen in tenant slot now (the published
 * snapshot): the ECMP group's members, or the one link, if the tenant's
 * table holds exactly that prefix. Up to max into out; the count (0: not
 * routed as such). zone 0: the link as a whole. Only on the thread that
 * commits (it alone frees snapshots), for status pages.
 */
struct esp_table_member {
	char		 link_id[ESP_TABLE_LINK_ID_MAX + 1];
	uint8_t		 zone;
	bool		 up;		/* with a live outbound SA */
};
size_t	esp_table_route_members(struct esp_table *, uint32_t slot,
	    uint32_t prefix, uint8_t plen, struct esp_table_member *out,
	    size_t max);
/* Publishes the changes; 0 or -1 (no memory: the old snapshot stays). */
int	esp_table_commit(struct esp_table *);
/* Retires lingering SAs (commits if any); the next deadline. */
monotime_t esp_table_tick(struct esp_table *, monotime_t now);

/*
 * The counters of a link's CHILD SAs that are gone (retired after a rekey or
 * a delete, linger over): with the live ones (esp_table_walk) they are the
 * link's running totals. Dropped when the link leaves esp_table_links_set.
 */
void	esp_table_walk_totals(struct esp_table *, void (*fn)(void *arg,
	    const char *link_id, const struct esp_sa_stats *in,
	    const struct esp_sa_stats *out), void *arg);
/* Walks installed CHILD SAs (linger included) for stats and rekey polls. */
void	esp_table_walk(struct esp_table *, void (*fn)(void *arg,
	    const char *link_id, struct esp_sa *in, struct esp_sa *out,
	    bool lingering), void *arg);

#endif
