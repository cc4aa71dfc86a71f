/*
 * bgp_recv.c - an UPDATE from the peer into the Adj-RIB-In (RFC 4271 §9,
 * first step: no decision process, one peer per session). The codec has
 * classified the message under RFC 7606; here come the checks that need
 * the session: the first AS of the path (§6.3), our own AS in it (§9.1.2),
 * a NEXT_HOP that cannot be right (§6.3, §5.1.3) and the prefix limit
 * (RFC 4486). Every change reaches the host as route_add/route_withdraw,
 * and only changes do: the same route again is silent, and so is the
 * withdrawal of a prefix we do not hold.
 */
#include "bgp_session.h"

#include <stdio.h>

#include "ip4.h"
#include "log.h"

static void
bgp_recv_withdraw(struct bgp_session *s, const struct bgp_prefix *p)
{
	if (bgp_rib_del(&s->rib, p->addr, p->len) == 0 &&
	    s->cb.route_withdraw != NULL)
		s->cb.route_withdraw(s->cb.arg, p->addr, p->len);
}

/* Withdraw every prefix of a field that the codec validated. */
static void
bgp_recv_withdraw_field(struct bgp_session *s, const struct buf *field)
{
	struct buf b = *field;
	struct bgp_prefix p;

	while (bgp_wire_prefix_next(&b, &p) == 1)
		bgp_recv_withdraw(s, &p);
}

/*
 * §6.3: a NEXT_HOP that is our own address, or one no router can have
 * (0/8, loopback, multicast, class E), makes the route unusable: it is
 * ignored, no NOTIFICATION. The peer is multihop (over the tunnel), so
 * the next hop need not share a subnet with us (§5.1.3).
 */
static bool
bgp_recv_nexthop_ok(const struct bgp_session *s, uint32_t nh)
{
	uint8_t first = (uint8_t)(nh >> 24);

	return nh != s->cfg.local_addr && first != 0 && first != 127 &&
	    first < 224;
}

int
bgp_recv_update(struct bgp_session *s, struct buf *body, monotime_t now)
{
	struct bgp_update u;
	struct bgp_route r;
	struct bgp_prefix p;
	struct bgp_err err;
	struct buf nlri;
	const char *why = NULL;
	char nh[IP4_STRLEN], nhwhy[40];
	bool drop;
	uint8_t limit[7];
	struct wbuf w;

	bgp_wire_update_parse(body, &u);
	if (u.eor) {
		/*
		 * RFC 4724 §4.2: the restarted peer has sent everything; what it
		 * did not announce again is gone. Outside a restart it means
		 * nothing (RFC 4724 §2 recommends sending it anyway).
		 */
		s->st.eor_in++;
		bgp_recv_sweep_stale(s, "End-of-RIB received");
		return 0;
	}
	s->st.attrs_discarded += u.attrs_discarded;
	if (u.action == BGP_UPD_RESET) {
		bgp_session_notify(s, &u.err, u.why, now);
		return -1;
	}
	/* §9: withdrawals first, then the announcements. */
	bgp_recv_withdraw_field(s, &u.withdrawn);
	if (buf_left(&u.nlri) == 0)
		return 0;	/* attributes without NLRI apply to nothing */

	drop = true;
	if (u.action == BGP_UPD_WITHDRAW) {
		s->st.treat_as_withdraw++;
		why = u.why;
	} else if (u.aspath.first_type != BGP_ASPATH_SEQUENCE ||
	    u.aspath.first_as != s->cfg.peer_as) {
		/* §6.3, revised by RFC 7606 §3 to treat-as-withdraw. */
		s->st.treat_as_withdraw++;
		why = "AS_PATH does not start with the peer AS";
	} else if (bgp_wire_aspath_contains(&u.aspath, s->cfg.local_as)) {
		/* §9.1.2: a loop; not an error, the peer passes on what it has. */
		s->st.loops++;
	} else if (!bgp_recv_nexthop_ok(s, u.nexthop)) {
		s->st.bad_nexthop++;
		snprintf(nhwhy, sizeof(nhwhy), "unusable NEXT_HOP %s",
		    ip4_fmt(u.nexthop, nh));
		why = nhwhy;
	} else {
		drop = false;
	}
	if (drop) {
		/* The routes may replace ones we hold: withdraw those. */
		if (why != NULL)
			bgp_session_log_remote(s, now, "%s: %s: NLRI of the "
			    "UPDATE treated as withdrawn", __func__, why);
		bgp_recv_withdraw_field(s, &u.nlri);
		return 0;
	}

	r.nexthop = u.nexthop;
	r.origin = u.origin;
	r.has_med = u.has_med;
	r.med = u.has_med ? u.med : 0;
	r.path_len = u.aspath.path_len;
	r.neighbor_as = u.aspath.first_as;
	r.origin_as = u.aspath.origin_as;
	nlri = u.nlri;
	while (bgp_wire_prefix_next(&nlri, &p) == 1) {
		r.addr = p.addr;
		r.len = p.len;
		switch (bgp_rib_put(&s->rib, &r)) {
		case BGP_RIB_NEW:
			if (s->cb.route_add != NULL)
				s->cb.route_add(s->cb.arg, &r, false);
			break;
		case BGP_RIB_CHANGED:
			if (s->cb.route_add != NULL)
				s->cb.route_add(s->cb.arg, &r, true);
			break;
		case BGP_RIB_SAME:
			break;
		case BGP_RIB_FULL:
			/* RFC 4486: Data = AFI, SAFI, the upper bound. */
			wbuf_init(&w, limit, sizeof(limit));
			wbuf_add_u16(&w, BGP_AFI_IPV4);
			wbuf_add_u8(&w, BGP_SAFI_UNICAST);
			wbuf_add_u32(&w, s->cfg.max_prefixes);
			bgp_wire_err(&err, BGP_ERR_CEASE, BGP_ECEASE_MAX_PREFIX,
			    limit, wbuf_len(&w));
			bgp_session_notify(s, &err, "maximum number of prefixes "
			    "reached", now);
			return -1;
		case BGP_RIB_NOMEM:
			/* RFC 4486 §4: Cease, Out of Resources. */
			bgp_wire_err(&err, BGP_ERR_CEASE, BGP_ECEASE_RESOURCES,
			    NULL, 0);
			bgp_session_notify(s, &err, "out of memory for the "
			    "Adj-RIB-In", now);
			return -1;
		}
	}
	return 0;
}

static void
bgp_recv_stale_gone(void *arg, uint32_t addr, uint8_t len)
{
	struct bgp_session *s = arg;

	if (s->cb.route_withdraw != NULL)
		s->cb.route_withdraw(s->cb.arg, addr, len);
}

void
bgp_recv_sweep_stale(struct bgp_session *s, const char *why)
{
	char peer[IP4_STRLEN];
	size_t n;

	s->t_stale = MONOTIME_NEVER;
	if (s->rib.stale == 0)
		return;
	n = bgp_rib_sweep_stale(&s->rib, bgp_recv_stale_gone, s);
	s->st.stale_swept += n;
	log_info("bgp: %s (%s): graceful restart: %zu stale routes withdrawn "
	    "(%s)", s->cfg.name, ip4_fmt(s->cfg.peer_addr, peer), n, why);
}

void
bgp_recv_flush(struct bgp_session *s)
{
	const struct bgp_route *r;
	size_t i;

	for (i = 0; i < bgp_rib_slots(&s->rib); i++)
		if ((r = bgp_rib_at(&s->rib, i)) != NULL &&
		    s->cb.route_withdraw != NULL)
			s->cb.route_withdraw(s->cb.arg, r->addr, r->len);
	bgp_rib_clear(&s->rib);
	s->t_stale = MONOTIME_NEVER;
}
