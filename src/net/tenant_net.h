/*
 * tenant_net.h - one tenant's network on the gateway: a network namespace
 * <prefix><tenant> (netns.h) holding one TUN device (tun.h) that carries
 * the tenant's decrypted traffic, the gateway's BGP addresses of the
 * tenant's links as /32s on that TUN, routes into it, and optionally a
 * veth to the daemon's namespace for internet egress (egress.h).
 * Overlapping addresses across tenants are fine: each has its own kernel
 * routing table, and nothing of one tenant can reach another's TUN.
 *
 * How the daemon is meant to use it (configuration the gw will carry):
 *   --netns-prefix P  (default TENANT_NET_PREFIX) -> tenant_net_cfg.prefix
 *                     and egress_cfg.prefix; distinct per daemon sharing a
 *                     machine (tests).
 *   --egress A        -> egress_cfg.snat_addr (0: masquerade).
 *   start:    tenant_net_cleanup_stale(P); egress_open(); then per tenant
 *             tenant_net_up(), tenant_net_set_addrs() with the links'
 *             localIpAddress and zoneLocalIpAddress, tenant_net_add_route()
 *             for each peer BGP /32 and known branch prefix.
 *   shutdown: tenant_net_down() for each tenant, then egress_close().
 * IPv4 only for now: IPv6 is disabled inside the namespace, so the kernel
 * writes nothing to the TUN on its own (router solicitations, MLD).
 */
#ifndef TENANT_NET_H
#define TENANT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TENANT_NET_PREFIX	"bg-"
#define TENANT_NET_TUN		"tun0"
/* Namespace names double as the daemon-side veth name: IFNAMSIZ - 1. */
#define TENANT_NET_NAME_MAX	15

struct egress;
struct tenant_net;

struct tenant_net_cfg {
	const char	*prefix;	/* NULL: TENANT_NET_PREFIX */
	const char	*tenant;	/* short id: [a-z0-9], e.g. 8 hex */
	unsigned	 tun_queues;	/* 0 or 1: single queue */
	unsigned	 mtu;		/* 0: TUN_MTU_DEFAULT (1400) */
	struct egress	*egress;	/* NULL: no internet egress */
	bool		 transit;	/* branch to branch allowed (egress.h) */
};

/* Creates everything; fails if the namespace exists already. */
int	tenant_net_up(struct tenant_net **out, const struct tenant_net_cfg *);
/* Removes everything tenant_net_up created; closes the TUN fds. */
void	tenant_net_down(struct tenant_net *);

const char *tenant_net_name(const struct tenant_net *);
/* An fd to the namespace, owned by tn (setns, netns_run). */
int	tenant_net_ns_fd(const struct tenant_net *);
unsigned tenant_net_tun_queues(const struct tenant_net *);
/* The non-blocking TUN fd of queue q, owned by tn. */
int	tenant_net_tun_fd(const struct tenant_net *, unsigned q);
/* A socket created inside the namespace (the BGP speaker's). */
int	tenant_net_socket(const struct tenant_net *, int domain, int type,
	    int proto);

/* Branch-to-branch transit on or off, in place (egress_tenant_isolate). */
int	tenant_net_transit(struct tenant_net *, bool transit);

/*
 * Makes the /32 addresses on the TUN exactly addrs (host byte order;
 * duplicates allowed): adds the new, removes the stale. On -1 the ones
 * that failed are retried by the next call.
 */
int	tenant_net_set_addrs(struct tenant_net *, const uint32_t *addrs,
	    size_t n);
size_t	tenant_net_addrs(const struct tenant_net *, const uint32_t **addrs);
/* dst/plen into the TUN; adding replaces, deleting a missing one is 0. */
int	tenant_net_add_route(struct tenant_net *, uint32_t dst, uint8_t plen);
int	tenant_net_del_route(struct tenant_net *, uint32_t dst, uint8_t plen);

/*
 * Removes what a daemon with this prefix left behind (crash): every
 * namespace /run/netns/<prefix>*, its veth, the egress table. Returns how
 * many namespaces it removed, or -1.
 */
int	tenant_net_cleanup_stale(const char *prefix);

#endif
