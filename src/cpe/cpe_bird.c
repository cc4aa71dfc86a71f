/*
 * cpe_bird.c - BIRD 2 configuration for the CPE: eBGP multihop to the
 * gateway BGP address of each zone, reached through a static /32 over the
 * tunnel interface (system-facts §2.3), announcing only the branch prefixes.
 * Addresses are the CPE's view: bgp_peer is local, bgp_local the neighbour.
 */
#include "cpe_int.h"

int
cpe_bird(struct cpe_out *o, const struct cpe_in *in)
{
	const struct model_link *l = in->link;
	const struct cpe_opts *op = in->opts;
	char me[IP4_STRLEN], a[IP4_STRLEN];
	size_t i;

	ip4_fmt(l->bgp_peer, me);
	cpe_header(o, in, "#", "BIRD 2 configuration (bird.conf)");
	cpe_printf(o,
	    "# eBGP to the gateway across the IPsec tunnel (see the "
	    "swanctl.conf generated\n"
	    "# for this link). The gateway BGP address is not on a connected "
	    "subnet, so\n"
	    "# \"bg_gateway\" routes it over the tunnel interface, assumed to "
	    "be ipsec0 as\n"
	    "# strongSwan's kernel-libipsec creates it: change the name for "
	    "another IPsec\n"
	    "# stack.\n"
	    "# The CPE BGP address must be local: ip addr add %s/32 dev "
	    "ipsec0\n"
	    "# Clamp TCP MSS on ipsec0 (see swanctl.conf).\n"
	    "\n"
	    "router id %s;\n"
	    "\n"
	    "protocol device {\n"
	    "}\n"
	    "\n"
	    "protocol static bg_gateway {\n"
	    "  ipv4;\n", me, me);
	/*
	 * Zone 2 over its own interface (ipsec1: the CPE role's second TUN,
	 * or an XFRM interface per zone), never falling back to zone 1's:
	 * zone 2's BGP and BFD carried by the zone 1 tunnel keep the gateway
	 * from noticing that zone 2's tunnel is gone (measured by
	 * test_zone_failover: 85 s instead of BFD's 0.9 s).
	 */
	for (i = 0; i < in->nzones; i++)
		cpe_printf(o, "  route %s/32 via \"%s\";    "
		    "# gateway BGP, zone %d%s\n",
		    ip4_fmt(in->zone[i].gw_bgp, a),
		    in->zone[i].n == 2 ? "ipsec1" : "ipsec0", in->zone[i].n,
		    in->zone[i].n == 2 ? " (its own tunnel interface; "
		    "ipsec0 with kernel-libipsec)" : "");
	cpe_printf(o, "}\n\n");
	/*
	 * With a zone's interface gone, its gateway BGP address must not
	 * follow the default route into the other zone's tunnel: the
	 * gateway would keep hearing that zone's BFD and never notice.
	 */
	if (in->nzones > 1) {
		cpe_printf(o,
		    "# A zone's gateway BGP address is unreachable while its "
		    "tunnel interface is\n"
		    "# down, so its BGP and BFD never take the other zone's "
		    "tunnel (failover).\n"
		    "protocol static bg_gateway_down {\n"
		    "  ipv4 { preference 100; };\n");
		for (i = 0; i < in->nzones; i++)
			cpe_printf(o, "  route %s/32 unreachable;\n",
			    ip4_fmt(in->zone[i].gw_bgp, a));
		cpe_printf(o, "}\n\n");
	}

	if (op->n_lan == 0)
		cpe_printf(o,
		    "# No branch prefixes were given, so nothing is announced "
		    "to the gateway. Add\n"
		    "# each branch LAN prefix here, e.g.\n"
		    "#   route 198.51.100.0/24 blackhole;\n"
		    "# and change \"export none\" below to "
		    "export where proto = \"branch_lan\".\n");
	else
		cpe_printf(o,
		    "# The branch prefixes announced to the gateway. The "
		    "blackhole routes only\n"
		    "# originate them in BGP; they are never exported to the "
		    "kernel.\n");
	cpe_printf(o, "protocol static branch_lan {\n  ipv4;\n");
	for (i = 0; i < op->n_lan; i++)
		cpe_printf(o, "  route %s/%u blackhole;\n",
		    ip4_fmt(op->lan[i], a), op->lan_len[i]);
	cpe_printf(o, "}\n\n");

	cpe_printf(o,
	    "# Install the route to the gateway and what the gateway "
	    "announces. Across a\n"
	    "# graceful restart (birdc graceful restart, then bird -R) the "
	    "kernel keeps\n"
	    "# them until BIRD has its routes back.\n"
	    "protocol kernel {\n"
	    "  graceful restart on;\n"
	    "  ipv4 {\n"
	    "    import none;\n"
	    "    export where proto = \"bg_gateway\"%s || "
	    "source = RTS_BGP;\n"
	    "  };\n"
	    "}\n", in->nzones > 1 ? " || proto = \"bg_gateway_down\"" : "");
	/* BFD to the gateway (RFC 5883, multihop: the sessions are). */
	cpe_printf(o,
	    "\n"
	    "# Sub-second failure detection: the gateway answers BFD and ends\n"
	    "# the BGP session (and its routes) when it stops.\n"
	    "protocol bfd {\n"
	    "  multihop {\n"
	    "    min rx interval 300 ms;\n"
	    "    min tx interval 300 ms;\n"
	    "    multiplier 3;\n"
	    "  };\n"
	    "}\n");
	/*
	 * Graceful restart (RFC 4724): the gateway is a helper, so a BIRD
	 * restarted with "birdc graceful restart" and "bird -R" leaves the
	 * branch routes in place at both ends (docs/bgp.md). A session that
	 * ended with its zone's tunnel retries after 5 s, not BIRD's 60: the
	 * zone carries traffic again soon after it is back (doubling up to
	 * 300 s if it keeps failing).
	 */
	for (i = 0; i < in->nzones; i++) {
		const struct cpe_zone *z = &in->zone[i];

		cpe_printf(o,
		    "\n"
		    "protocol bgp gateway_z%d {\n"
		    "  description \"gateway zone %d\";\n"
		    "  local %s as %u;\n"
		    "  neighbor %s as %u;\n"
		    "  multihop 2;\n"
		    "  bfd on;\n"
		    "  graceful restart on;\n"
		    "  error wait time 5, 300;\n"
		    "  ipv4 {\n"
		    "    import all;\n"
		    "    export %s;\n"
		    "  };\n"
		    "}\n",
		    z->n, z->n, me, l->asn, ip4_fmt(z->gw_bgp, a), in->gw_asn,
		    op->n_lan ? "where proto = \"branch_lan\"" : "none");
	}
	cpe_bypass(o, in, "#", "protocol static bg_bypass {\n  ipv4;",
	    "  route %s via %s;", "}");
	return 0;
}
