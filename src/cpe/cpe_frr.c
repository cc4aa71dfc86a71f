/*
 * cpe_frr.c - FRR 8 configuration for the CPE: the same eBGP multihop
 * sessions as cpe_bird.c, with a static /32 to each gateway BGP address
 * over its zone's tunnel interface (zone 2: ipsec1), a reject fallback,
 * and route-maps limiting what is announced to the branch prefixes (FRR's eBGP needs explicit policy since 7.4), and
 * BFD on each session as in cpe_bird.c. bgpd asks bfdd for a multihop
 * session (RFC 5883, UDP 4784) because the sessions are ebgp-multihop;
 * the gateway sends BFD with TTL 255, above bfdd's default minimum-ttl
 * of 254 for multihop peers.
 */
#include "cpe_int.h"

int
cpe_frr(struct cpe_out *o, const struct cpe_in *in)
{
	const struct model_link *l = in->link;
	const struct cpe_opts *op = in->opts;
	char me[IP4_STRLEN], a[IP4_STRLEN];
	size_t i;

	ip4_fmt(l->bgp_peer, me);
	cpe_header(o, in, "!", "FRR 8 configuration (frr.conf)");
	cpe_printf(o,
	    "! eBGP to the gateway across the IPsec tunnel (see the "
	    "swanctl.conf generated\n"
	    "! for this link). The gateway BGP address is not on a connected "
	    "subnet: it is\n"
	    "! routed over the tunnel interface, assumed to be ipsec0 as "
	    "strongSwan's\n"
	    "! kernel-libipsec creates it (change the name for another IPsec "
	    "stack). The CPE\n"
	    "! BGP address must be local: ip addr add %s/32 dev ipsec0\n"
	    "! Clamp TCP MSS on ipsec0 (see swanctl.conf).\n"
	    "!\n"
	    "frr defaults traditional\n"
	    "!\n", me);
	/*
	 * Zone 2 over its own interface, as in cpe_bird.c (ipsec1: the CPE
	 * role's second TUN, or an XFRM interface per zone): carried by zone
	 * 1's tunnel, zone 2's BGP and BFD would hide zone 2's loss from the
	 * gateway, and the gateway binds each session to its zone's tunnel.
	 */
	for (i = 0; i < in->nzones; i++)
		cpe_printf(o, "ip route %s/32 %s\n",
		    ip4_fmt(in->zone[i].gw_bgp, a),
		    in->zone[i].n == 2 ? "ipsec1" : "ipsec0");
	/* The interface gone: reject, not the default route (bird: unreachable). */
	if (in->nzones > 1) {
		cpe_printf(o,
		    "! A zone's gateway BGP address is unreachable while its "
		    "tunnel interface is\n"
		    "! down, so its BGP and BFD never take the other zone's "
		    "tunnel (failover).\n"
		    "! Zone 2 has its own tunnel interface, ipsec1 (ipsec0 "
		    "with kernel-libipsec).\n");
		for (i = 0; i < in->nzones; i++)
			cpe_printf(o, "ip route %s/32 reject 250\n",
			    ip4_fmt(in->zone[i].gw_bgp, a));
	}
	cpe_printf(o, "!\n");
	for (i = 0; i < op->n_lan; i++)
		cpe_printf(o, "ip prefix-list BG-BRANCH-LAN seq %zu permit "
		    "%s/%u\n", (i + 1) * 5, ip4_fmt(op->lan[i], a),
		    op->lan_len[i]);
	if (op->n_lan > 0)
		cpe_printf(o, "!\n");
	cpe_printf(o,
	    "route-map BG-GATEWAY-IN permit 10\n"
	    "exit\n"
	    "!\n");
	if (op->n_lan == 0)
		cpe_printf(o,
		    "! No branch prefixes were given, so nothing is announced "
		    "to the gateway. Add\n"
		    "! them as \"network\" statements and an "
		    "\"ip prefix-list BG-BRANCH-LAN\",\n"
		    "! and make this entry \"permit 10\" with\n"
		    "! \"match ip address prefix-list BG-BRANCH-LAN\".\n"
		    "route-map BG-GATEWAY-OUT deny 10\n");
	else
		cpe_printf(o,
		    "route-map BG-GATEWAY-OUT permit 10\n"
		    " match ip address prefix-list BG-BRANCH-LAN\n");
	cpe_printf(o,
	    "exit\n"
	    "!\n"
	    "! Sub-second failure detection: the gateway answers BFD and ends "
	    "the BGP\n"
	    "! session (and its routes) when it stops (bfdd must run).\n"
	    "bfd\n"
	    " profile BG-GATEWAY\n"
	    "  detect-multiplier 3\n"
	    "  receive-interval 300\n"
	    "  transmit-interval 300\n"
	    " exit\n"
	    "exit\n"
	    "!\n"
	    "router bgp %u\n"
	    " bgp router-id %s\n"
	    " no bgp network import-check\n", l->asn, me);
	for (i = 0; i < in->nzones; i++) {
		ip4_fmt(in->zone[i].gw_bgp, a);
		cpe_printf(o,
		    " neighbor %s remote-as %u\n"
		    " neighbor %s description gateway zone %d\n"
		    " neighbor %s ebgp-multihop 2\n"
		    " neighbor %s update-source %s\n"
		    " neighbor %s bfd profile BG-GATEWAY\n",
		    a, in->gw_asn, a, in->zone[i].n, a, a, me, a);
	}
	cpe_printf(o, " !\n address-family ipv4 unicast\n");
	for (i = 0; i < op->n_lan; i++)
		cpe_printf(o, "  network %s/%u\n", ip4_fmt(op->lan[i], a),
		    op->lan_len[i]);
	for (i = 0; i < in->nzones; i++) {
		ip4_fmt(in->zone[i].gw_bgp, a);
		cpe_printf(o,
		    "  neighbor %s route-map BG-GATEWAY-IN in\n"
		    "  neighbor %s route-map BG-GATEWAY-OUT out\n", a, a);
	}
	cpe_printf(o,
	    " exit-address-family\n"
	    "exit\n"
	    "!\n");
	cpe_bypass(o, in, "!", "", "ip route %s %s", "!");
	return 0;
}
