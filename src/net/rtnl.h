/*
 * rtnl.h - the few rtnetlink requests the tenant network needs (links,
 * IPv4 addresses and routes, veth pairs), over a NETLINK_ROUTE socket
 * opened inside a network namespace: every request on it applies there,
 * whichever thread sends it. Addresses are host byte order. Functions
 * return 0 or -1 with errno set to the kernel's answer (EEXIST, ESRCH,
 * ENODEV, ...), so callers decide what is benign; they log nothing.
 */
#ifndef RTNL_H
#define RTNL_H

#include <stdbool.h>
#include <stdint.h>

struct rtnl;

/* ns_fd -1: the caller's namespace. */
int	rtnl_open(struct rtnl **out, int ns_fd);
void	rtnl_close(struct rtnl *);

/* The ifindex of name, or -1 (ENODEV). */
int	rtnl_ifindex(struct rtnl *, const char *name);
/* mtu 0 leaves the MTU alone. */
int	rtnl_link_set(struct rtnl *, int ifindex, unsigned mtu, bool up);
int	rtnl_link_del(struct rtnl *, const char *name);
/* A veth pair: name here, peer created directly in peer_ns_fd. */
int	rtnl_veth_add(struct rtnl *, const char *name, const char *peer,
	    int peer_ns_fd);

int	rtnl_addr(struct rtnl *, bool add, int ifindex, uint32_t addr,
	    uint8_t plen);
/* dst/plen via gw (0: directly on the link) out of ifindex. */
int	rtnl_route(struct rtnl *, bool add, int ifindex, uint32_t dst,
	    uint8_t plen, uint32_t gw);

#endif
