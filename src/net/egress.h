/*
 * egress.h - internet egress for tenant namespaces. Per tenant a veth
 * pair: EGRESS_IFNAME in the tenant namespace, the other end (named after
 * the namespace) in the daemon's namespace, with a /30 of the transfer
 * range between them (gateway .1, tenant .2) and the tenant's default
 * route through it. NAT happens twice:
 *
 *   tenant ns:  masquerade out of EGRESS_IFNAME (to its .2), because branch
 *               addresses overlap across tenants and the daemon's
 *               namespace could not route replies back to them;
 *   daemon ns:  snat of the transfer range to the --egress address
 *               (masquerade if none), in nftables table ip <prefix>egress.
 *
 * The same table forwards nothing new into the transfer range and accepts
 * nothing new from it: a tenant reaches neither another tenant (which has
 * its own namespace and its own veth) nor the daemon's own services, only
 * what lies beyond. ip_forward is turned on in the daemon's namespace and
 * left on at close (another daemon may share it).
 */
#ifndef EGRESS_H
#define EGRESS_H

#include <stdbool.h>
#include <stdint.h>

#define EGRESS_IFNAME		"egress0"
#define EGRESS_TRANSFER_NET	0x0afff000u	/* 10.255.240.0 */
#define EGRESS_TRANSFER_PLEN	20

struct egress;

struct egress_cfg {
	const char	*prefix;	/* --netns-prefix: names the table */
	uint32_t	 transfer_net;	/* 0: EGRESS_TRANSFER_NET/PLEN */
	uint8_t		 transfer_plen;	/* 8..28 */
	uint32_t	 snat_addr;	/* --egress; 0: masquerade */
};

/* Installs the table in the caller's namespace (replacing a stale one). */
int	egress_open(struct egress **out, const struct egress_cfg *);
/* Deletes the table. */
void	egress_close(struct egress *);

/*
 * Connects the namespace ns_fd named name (also the daemon-side veth
 * name, so at most 15 characters) and picks a free /30 for it; *slot
 * identifies it to egress_tenant_del.
 */
int	egress_tenant_add(struct egress *, int ns_fd, const char *name,
	    uint32_t *slot);
void	egress_tenant_del(struct egress *, const char *name, uint32_t slot);
/* The tenant-side address of slot (host byte order). */
uint32_t egress_tenant_addr(const struct egress *, uint32_t slot);

/*
 * Inside the tenant namespace ns_fd: unless transit, packets from one
 * branch to another (in on tun0, out on tun0) are dropped and counted
 * (table ip bg_tenant). Branch-to-branch transit is off by default, as in
 * Global Secure Access; --branch-transit turns it on.
 */
int	egress_tenant_isolate(int ns_fd, bool transit);	/* replaces */

/* Removes the table a crashed daemon with this prefix left behind. */
int	egress_cleanup_stale(const char *prefix);

#endif
