/*
 * test_bgp_gr.c - graceful restart, helper side (RFC 4724) and connection
 * collisions (RFC 4271 §6.8) of the BGP engine. The gateway is a real
 * passive session with a fake clock; the branch is raw bytes written by
 * the test, so that it can claim what our own engine never sends (the F
 * bit, another Restart Time, a second connection). The host side keeps
 * the routes it was given, like the gateway's forwarding table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "bgp_wire.h"

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))
#define BR_AS		65001
#define GW_AS		65476
#define BR_IP		IP(10, 0, 2, 5)
#define GW_IP		IP(192, 0, 2, 2)
#define SEC		MONOTIME_SEC
#define MAXR		32
#define OUTMAX		(1 << 16)

/* RFC 4724 capability as the raw branch sends it; time < 0: none. */
struct gr {
	int		time;
	uint8_t		flags;
	bool		ipv4u, fwd;
};

struct rt {
	bool		live;
	struct bgp_route r;
};

static struct {
	struct bgp_session *s;
	struct bgp_config cfg;
	monotime_t	now;
	struct rt	rt[MAXR];
	unsigned	adds, replaces, withdraws, ups, downs;
	struct bgp_down	down;
	uint8_t		out[OUTMAX];	/* what the gateway sent */
	size_t		outlen;
} G;

static struct rt *
find(uint32_t addr, uint8_t len)
{
	size_t i;

	for (i = 0; i < MAXR; i++)
		if (G.rt[i].live && G.rt[i].r.addr == addr &&
		    G.rt[i].r.len == len)
			return &G.rt[i];
	return NULL;
}

static size_t
nroutes(void)
{
	size_t i, n = 0;

	for (i = 0; i < MAXR; i++)
		n += G.rt[i].live;
	return n;
}

static void
cb_send(void *arg, const uint8_t *data, size_t len)
{
	(void)arg;
	assert_true(G.outlen + len <= OUTMAX);
	memcpy(G.out + G.outlen, data, len);
	G.outlen += len;
}

static void
cb_up(void *arg)
{
	(void)arg;
	G.ups++;
}

static void
cb_down(void *arg, const struct bgp_down *d)
{
	(void)arg;
	/* what the host still has is exactly what the engine kept stale */
	assert_int_equal(nroutes(), d->stale);
	G.downs++;
	G.down = *d;
	G.down.detail = NULL;
}

static void
cb_add(void *arg, const struct bgp_route *r, bool replaces)
{
	struct rt *t = find(r->addr, r->len);
	size_t i;

	(void)arg;
	if (replaces) {
		assert_non_null(t);
		G.replaces++;
	} else {
		assert_null(t);
		for (i = 0; i < MAXR && G.rt[i].live; i++)
			;
		assert_true(i < MAXR);
		t = &G.rt[i];
		G.adds++;
	}
	t->live = true;
	t->r = *r;
}

static void
cb_withdraw(void *arg, uint32_t addr, uint8_t len)
{
	struct rt *t = find(addr, len);

	(void)arg;
	assert_non_null(t);
	t->live = false;
	G.withdraws++;
}

static int
setup(void **state)
{
	(void)state;
	memset(&G, 0, sizeof(G));
	G.now = 1000 * SEC;
	bgp_config_defaults(&G.cfg);
	snprintf(G.cfg.name, sizeof(G.cfg.name), "gateway");
	G.cfg.local_as = GW_AS;
	G.cfg.peer_as = BR_AS;
	G.cfg.local_addr = GW_IP;
	G.cfg.peer_addr = BR_IP;
	G.cfg.gr_time = BGP_GR_TIME_DEFAULT;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	bgp_session_free(G.s);
	return 0;
}

static void
gw_new(void)
{
	static const struct bgp_prefix adv[] = { { 0, 0, 0 } };
	struct bgp_callbacks cb = { NULL, cb_send, NULL, cb_up, cb_down,
	    cb_add, cb_withdraw, NULL };

	G.cfg.adv = adv;
	G.cfg.nadv = 1;
	G.s = bgp_session_new(&G.cfg, &cb);
	assert_non_null(G.s);
	bgp_start(G.s, G.now);
}

static struct bgp_status
status(void)
{
	struct bgp_status st;

	bgp_status(G.s, &st);
	return st;
}

/* --- the raw branch --------------------------------------------------------- */

static size_t
br_open(uint8_t *out, size_t cap, uint32_t id, uint32_t as,
    const struct gr *gr)
{
	struct wbuf w;
	size_t len_at, optlen_at, plen_at, pstart;

	wbuf_init(&w, out, cap);
	bgp_wire_hdr_add(&w, BGP_OPEN, &len_at);
	wbuf_add_u8(&w, 4);
	wbuf_add_u16(&w, as > 0xffff ? BGP_AS_TRANS : (uint16_t)as);
	wbuf_add_u16(&w, 90);
	wbuf_add_u32(&w, id);
	wbuf_reserve(&w, 1, &optlen_at);
	wbuf_add_u8(&w, BGP_OPT_CAPABILITIES);
	wbuf_reserve(&w, 1, &plen_at);
	pstart = wbuf_len(&w);
	wbuf_add_u8(&w, BGP_CAP_MP);
	wbuf_add_u8(&w, 4);
	wbuf_add_u16(&w, BGP_AFI_IPV4);
	wbuf_add_u8(&w, 0);
	wbuf_add_u8(&w, BGP_SAFI_UNICAST);
	wbuf_add_u8(&w, BGP_CAP_AS4);
	wbuf_add_u8(&w, 4);
	wbuf_add_u32(&w, as);
	if (gr != NULL && gr->time >= 0) {
		wbuf_add_u8(&w, BGP_CAP_GR);
		wbuf_add_u8(&w, gr->ipv4u ? 10 : 6);
		wbuf_add_u16(&w, (uint16_t)(gr->flags << 12 | gr->time));
		/* IPv6 unicast first: a family we do not speak is skipped */
		wbuf_add_u16(&w, 2);
		wbuf_add_u8(&w, 1);
		wbuf_add_u8(&w, 0x80);
		if (gr->ipv4u) {
			wbuf_add_u16(&w, BGP_AFI_IPV4);
			wbuf_add_u8(&w, BGP_SAFI_UNICAST);
			wbuf_add_u8(&w, gr->fwd ? BGP_GR_AF_FWD : 0);
		}
	}
	assert_false(w.err);
	wbuf_set_u8_at(&w, plen_at, (uint8_t)(wbuf_len(&w) - pstart));
	wbuf_set_u8_at(&w, optlen_at, (uint8_t)(wbuf_len(&w) - pstart + 2));
	assert_int_equal(bgp_wire_hdr_finish(&w, len_at, 0), 0);
	return wbuf_len(&w);
}

static void
br_input(const uint8_t *p, size_t n)
{
	(void)bgp_input(G.s, p, n, G.now);
}

static void
br_keepalive(void)
{
	uint8_t m[64];
	struct wbuf w;

	wbuf_init(&w, m, sizeof(m));
	assert_int_equal(bgp_wire_keepalive_build(&w), 0);
	br_input(m, wbuf_len(&w));
}

/* The branch announces p[0..n) with next hop nh (0: withdraws them). */
static void
br_update(const struct bgp_prefix *p, size_t n, uint32_t nh)
{
	uint32_t path[1] = { BR_AS };
	struct bgp_attrs_out a;
	uint8_t m[BGP_MSG_MAX];
	struct wbuf w;
	size_t dw, da;

	memset(&a, 0, sizeof(a));
	a.origin = BGP_ORIGIN_IGP;
	a.aspath = path;
	a.aspath_len = 1;
	a.nexthop = nh;
	wbuf_init(&w, m, sizeof(m));
	if (nh == 0)
		assert_int_equal(bgp_wire_update_build(&w, p, n, &dw, NULL,
		    NULL, 0, &da), 0);
	else
		assert_int_equal(bgp_wire_update_build(&w, NULL, 0, &dw, &a, p,
		    n, &da), 0);
	br_input(m, wbuf_len(&w));
}

static void
br_eor(void)
{
	uint8_t m[64];
	struct wbuf w;

	wbuf_init(&w, m, sizeof(m));
	assert_int_equal(bgp_wire_eor_build(&w), 0);
	assert_int_equal(wbuf_len(&w), BGP_UPDATE_MIN);
	br_input(m, wbuf_len(&w));
}

/* A new connection from the branch, up to Established. */
static void
br_connect(const struct gr *gr)
{
	uint8_t m[256];

	G.outlen = 0;
	assert_int_equal(bgp_connected(G.s, G.now), 0);
	br_input(m, br_open(m, sizeof(m), BR_IP, BR_AS, gr));
	assert_int_equal(status().state, BGP_OPENCONFIRM);
	br_keepalive();
	assert_int_equal(status().state, BGP_ESTABLISHED);
}

/* The n-th message of type t the gateway sent, or -1; its length in *len. */
static long
gw_msg(uint8_t type, unsigned nth, size_t *len)
{
	size_t off = 0, l;

	while (off + BGP_HDR_LEN <= G.outlen) {
		l = (size_t)G.out[off + 16] << 8 | G.out[off + 17];
		assert_true(l >= BGP_HDR_LEN && off + l <= G.outlen);
		if (G.out[off + 18] == type && nth-- == 0) {
			if (len != NULL)
				*len = l;
			return (long)off;
		}
		off += l;
	}
	return -1;
}

static const struct bgp_prefix lan[] = {
	{ IP(10, 1, 1, 0), 24, 0 }, { IP(10, 1, 2, 0), 24, 0 },
	{ IP(10, 1, 3, 0), 24, 0 },
};
static const struct gr gr_fwd = { 60, 0, true, true };

/* Established with a branch that restarts gracefully, holding lan[]. */
static void
established_with_routes(const struct gr *gr)
{
	gw_new();
	br_connect(gr);
	br_update(lan, 3, BR_IP);
	assert_int_equal(nroutes(), 3);
}

/* --- tests ------------------------------------------------------------------ */

static void
test_wire(void **state)
{
	uint8_t m[256];
	struct bgp_open o;
	struct bgp_update u;
	struct bgp_err err;
	struct buf b;
	struct wbuf w;
	size_t n;

	(void)state;
	/* ours: GR 120 s, no flags, IPv4 unicast with F clear */
	wbuf_init(&w, m, sizeof(m));
	assert_int_equal(bgp_wire_open_build(&w, GW_AS, 90, GW_IP, 120), 0);
	buf_init(&b, m + BGP_HDR_LEN, wbuf_len(&w) - BGP_HDR_LEN);
	assert_int_equal(bgp_wire_open_parse(&b, &o, &err), 0);
	assert_true(o.cap_gr);
	assert_int_equal(o.gr_time, 120);
	assert_int_equal(o.gr_flags, 0);
	assert_true(o.gr_ipv4u);
	assert_false(o.gr_ipv4u_fwd);
	assert_true(o.cap_as4 && o.cap_rr && o.cap_mp_ipv4u);
	/* without: no capability */
	wbuf_init(&w, m, sizeof(m));
	assert_int_equal(bgp_wire_open_build(&w, GW_AS, 90, GW_IP, 0), 0);
	buf_init(&b, m + BGP_HDR_LEN, wbuf_len(&w) - BGP_HDR_LEN);
	assert_int_equal(bgp_wire_open_parse(&b, &o, &err), 0);
	assert_false(o.cap_gr);
	/* a peer's: R and N flags, 4095 s, IPv6 first then IPv4 with F */
	{
		struct gr g = { 4095, BGP_GR_FLAG_R | BGP_GR_FLAG_N, true,
		    true };

		n = br_open(m, sizeof(m), BR_IP, BR_AS, &g);
		buf_init(&b, m + BGP_HDR_LEN, n - BGP_HDR_LEN);
		assert_int_equal(bgp_wire_open_parse(&b, &o, &err), 0);
		assert_true(o.cap_gr);
		assert_int_equal(o.gr_flags, BGP_GR_FLAG_R | BGP_GR_FLAG_N);
		assert_int_equal(o.gr_time, 4095);
		assert_true(o.gr_ipv4u && o.gr_ipv4u_fwd);
		/* helper-only form: no families */
		g.ipv4u = false;
		n = br_open(m, sizeof(m), BR_IP, BR_AS, &g);
		buf_init(&b, m + BGP_HDR_LEN, n - BGP_HDR_LEN);
		assert_int_equal(bgp_wire_open_parse(&b, &o, &err), 0);
		assert_true(o.cap_gr);
		assert_false(o.gr_ipv4u);
	}
	/* malformed lengths: 2/0 (RFC 5492 / RFC 4271 §6.2) */
	{
		static const uint8_t bad_len[] = { 0, 1, 3, 5, 7, 9 };
		size_t i;

		for (i = 0; i < sizeof(bad_len); i++) {
			uint8_t body[64];

			wbuf_init(&w, body, sizeof(body));
			wbuf_add_u8(&w, 4);
			wbuf_add_u16(&w, BR_AS);
			wbuf_add_u16(&w, 90);
			wbuf_add_u32(&w, BR_IP);
			wbuf_add_u8(&w, (uint8_t)(2 + 2 + bad_len[i]));
			wbuf_add_u8(&w, BGP_OPT_CAPABILITIES);
			wbuf_add_u8(&w, (uint8_t)(2 + bad_len[i]));
			wbuf_add_u8(&w, BGP_CAP_GR);
			wbuf_add_u8(&w, bad_len[i]);
			for (n = 0; n < bad_len[i]; n++)
				wbuf_add_u8(&w, 0x11);
			buf_init(&b, body, wbuf_len(&w));
			assert_int_equal(bgp_wire_open_parse(&b, &o, &err), -1);
			assert_int_equal(err.code, BGP_ERR_OPEN);
			assert_int_equal(err.subcode, BGP_EOPEN_UNSPEC);
		}
	}
	/* End-of-RIB: the minimum UPDATE; anything more is not one */
	{
		static const uint8_t eor[] = { 0, 0, 0, 0 };
		static const uint8_t wd_empty_attr[] = { 0, 0, 0, 4, 0x40, 1,
		    1, 0 };
		static const uint8_t wd_one[] = { 0, 2, 8, 10, 0, 0 };

		buf_init(&b, eor, sizeof(eor));
		bgp_wire_update_parse(&b, &u);
		assert_true(u.eor);
		assert_int_equal(u.action, BGP_UPD_OK);
		buf_init(&b, wd_empty_attr, sizeof(wd_empty_attr));
		bgp_wire_update_parse(&b, &u);
		assert_false(u.eor);
		buf_init(&b, wd_one, sizeof(wd_one));
		bgp_wire_update_parse(&b, &u);
		assert_false(u.eor);
	}
}

static void
test_config(void **state)
{
	char why[128];

	(void)state;
	assert_int_equal(bgp_config_check(&G.cfg, why, sizeof(why)), 0);
	G.cfg.gr_time = 4096;
	assert_int_equal(bgp_config_check(&G.cfg, why, sizeof(why)), -1);
	G.cfg.gr_time = 10;
	G.cfg.gr_max_s = 0;
	assert_int_equal(bgp_config_check(&G.cfg, why, sizeof(why)), -1);
	G.cfg.gr_time = 0;
	assert_int_equal(bgp_config_check(&G.cfg, why, sizeof(why)), 0);
}

/* Our OPEN carries the capability, and End-of-RIB follows the initial update. */
static void
test_open_and_eor_sent(void **state)
{
	struct bgp_open o;
	struct bgp_err err;
	struct buf b;
	size_t len, ulen;
	long off, u0, eor;

	(void)state;
	gw_new();
	assert_int_equal(bgp_connected(G.s, G.now), 0);
	off = gw_msg(BGP_OPEN, 0, &len);
	assert_true(off >= 0);
	buf_init(&b, G.out + off + BGP_HDR_LEN, len - BGP_HDR_LEN);
	assert_int_equal(bgp_wire_open_parse(&b, &o, &err), 0);
	assert_true(o.cap_gr);
	assert_int_equal(o.gr_time, BGP_GR_TIME_DEFAULT);
	assert_false(o.gr_ipv4u_fwd);
	{
		uint8_t m[256];

		br_input(m, br_open(m, sizeof(m), BR_IP, BR_AS, &gr_fwd));
	}
	br_keepalive();
	assert_int_equal(status().state, BGP_ESTABLISHED);
	assert_true(status().peer_gr);
	/* the default route first, then the marker, nothing after it */
	u0 = gw_msg(BGP_UPDATE, 0, &ulen);
	assert_true(u0 >= 0 && ulen > BGP_UPDATE_MIN);
	eor = gw_msg(BGP_UPDATE, 1, &len);
	assert_true(eor > u0);
	assert_int_equal(len, BGP_UPDATE_MIN);
	assert_int_equal(gw_msg(BGP_UPDATE, 2, NULL), -1);
	/* a route refresh answers with the routes, not another marker */
	{
		uint8_t m[64];
		struct wbuf w;

		G.outlen = 0;
		wbuf_init(&w, m, sizeof(m));
		assert_int_equal(bgp_wire_rrefresh_build(&w, BGP_AFI_IPV4,
		    BGP_SAFI_UNICAST), 0);
		br_input(m, wbuf_len(&w));
		assert_true(gw_msg(BGP_UPDATE, 0, NULL) >= 0);
		assert_int_equal(gw_msg(BGP_UPDATE, 1, NULL), -1);
	}
}

/* Without our own gr_time: no capability, no marker, no helper. */
static void
test_disabled(void **state)
{
	struct bgp_open o;
	struct bgp_err err;
	struct buf b;
	size_t len;
	long off;

	(void)state;
	G.cfg.gr_time = 0;
	established_with_routes(&gr_fwd);
	off = gw_msg(BGP_OPEN, 0, &len);
	buf_init(&b, G.out + off + BGP_HDR_LEN, len - BGP_HDR_LEN);
	assert_int_equal(bgp_wire_open_parse(&b, &o, &err), 0);
	assert_false(o.cap_gr);
	assert_int_equal(gw_msg(BGP_UPDATE, 1, NULL), -1);
	assert_false(status().peer_gr);
	bgp_closed(G.s, G.now);
	assert_int_equal(G.down.stale, 0);
	assert_int_equal(nroutes(), 0);
}

/* The whole helper: kept over the TCP failure, End-of-RIB sweeps the rest. */
static void
test_restart_eor(void **state)
{
	static const struct bgp_prefix again[] = {
		{ IP(10, 1, 1, 0), 24, 0 }, { IP(10, 1, 2, 0), 24, 0 },
	};
	struct bgp_status st;

	(void)state;
	established_with_routes(&gr_fwd);
	bgp_closed(G.s, G.now);
	assert_int_equal(G.downs, 1);
	assert_int_equal(G.down.reason, BGP_DOWN_TCP_CLOSED);
	assert_true(G.down.was_established);
	assert_int_equal(G.down.stale, 3);
	assert_int_equal(G.down.stale_for_s, 60);
	assert_int_equal(G.withdraws, 0);
	assert_int_equal(nroutes(), 3);
	st = status();
	assert_int_equal(st.state, BGP_ACTIVE);
	assert_int_equal(st.stale, 3);
	assert_int_equal(st.prefixes_in, 3);
	assert_int_equal(st.gr_restarts, 1);
	/* the restart timer is the peer's 60 s */
	assert_true(bgp_next_deadline(G.s) == G.now + 60 * SEC);

	/* back after 30 s: the same 10.1.1/24, 10.1.2/24 with a new next hop */
	G.now += 30 * SEC;
	bgp_tick(G.s, G.now);
	assert_int_equal(nroutes(), 3);
	br_connect(&gr_fwd);
	assert_int_equal(status().stale, 3);
	br_update(again, 1, BR_IP);
	br_update(again + 1, 1, IP(10, 0, 2, 6));
	assert_int_equal(status().stale, 1);
	assert_int_equal(G.replaces, 1);
	assert_int_equal(G.withdraws, 0);
	assert_int_equal(find(IP(10, 1, 2, 0), 24)->r.nexthop,
	    IP(10, 0, 2, 6));
	br_eor();
	assert_int_equal(G.withdraws, 1);
	assert_null(find(IP(10, 1, 3, 0), 24));
	assert_non_null(find(IP(10, 1, 1, 0), 24));
	st = status();
	assert_int_equal(st.stale, 0);
	assert_int_equal(st.stale_swept, 1);
	assert_int_equal(st.eor_in, 1);
	assert_int_equal(st.prefixes_in, 2);
	/* a marker outside a restart changes nothing */
	br_eor();
	assert_int_equal(nroutes(), 2);
	assert_int_equal(status().state, BGP_ESTABLISHED);
}

/* The peer does not come back in time: everything goes at the timer. */
static void
test_restart_timer(void **state)
{
	(void)state;
	established_with_routes(&gr_fwd);
	bgp_closed(G.s, G.now);
	G.now += 60 * SEC - 1;
	bgp_tick(G.s, G.now);
	assert_int_equal(nroutes(), 3);
	G.now += 1;
	assert_true(bgp_next_deadline(G.s) <= G.now);
	bgp_tick(G.s, G.now);
	assert_int_equal(nroutes(), 0);
	assert_int_equal(status().stale, 0);
	assert_int_equal(status().prefixes_in, 0);
	assert_int_equal(bgp_next_deadline(G.s), MONOTIME_NEVER);
}

/* A Restart Time past our maximum is cut to it; 0 keeps nothing. */
static void
test_restart_time_capped(void **state)
{
	struct gr g = { 4000, 0, true, true };

	(void)state;
	G.cfg.gr_max_s = 120;
	established_with_routes(&g);
	bgp_closed(G.s, G.now);
	assert_int_equal(G.down.stale_for_s, 120);
	G.now += 119 * SEC;
	bgp_tick(G.s, G.now);
	assert_int_equal(nroutes(), 3);
	G.now += SEC;
	bgp_tick(G.s, G.now);
	assert_int_equal(nroutes(), 0);

	/* Restart Time 0 */
	g.time = 0;
	br_connect(&g);
	br_update(lan, 3, BR_IP);
	bgp_closed(G.s, G.now);
	assert_int_equal(G.down.stale, 0);
	assert_int_equal(nroutes(), 0);
}

/* The new session has no End-of-RIB within gr_max_s: swept then. */
static void
test_no_eor(void **state)
{
	(void)state;
	G.cfg.gr_max_s = 100;
	established_with_routes(&gr_fwd);
	bgp_closed(G.s, G.now);
	G.now += 50 * SEC;
	br_connect(&gr_fwd);
	br_update(lan, 1, BR_IP);
	/* the restart timer (60 s from the loss) no longer applies */
	G.now += 20 * SEC;
	bgp_tick(G.s, G.now);
	assert_int_equal(nroutes(), 3);
	G.now += 80 * SEC;
	br_keepalive();
	bgp_tick(G.s, G.now);
	assert_int_equal(nroutes(), 1);
	assert_non_null(find(IP(10, 1, 1, 0), 24));
	assert_int_equal(status().state, BGP_ESTABLISHED);
}

/* The new OPEN decides: no F bit, no capability, no IPv4 unicast -> swept. */
static void
test_new_open_without_fwd(void **state)
{
	static const struct gr cases[] = {
		{ 60, 0, true, false },		/* F bit clear */
		{ -1, 0, false, false },	/* no capability */
		{ 60, 0, false, false },	/* IPv4 unicast not listed */
	};
	size_t i;

	(void)state;
	gw_new();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		br_connect(&gr_fwd);
		br_update(lan, 3, BR_IP);
		bgp_closed(G.s, G.now);
		assert_int_equal(nroutes(), 3);
		G.outlen = 0;
		assert_int_equal(bgp_connected(G.s, G.now), 0);
		{
			uint8_t m[256];

			br_input(m, br_open(m, sizeof(m), BR_IP, BR_AS,
			    &cases[i]));
		}
		assert_int_equal(status().state, BGP_OPENCONFIRM);
		assert_int_equal(nroutes(), 0);
		assert_int_equal(status().stale, 0);
		br_keepalive();
		bgp_closed(G.s, G.now);		/* next round from scratch */
	}
}

/* NOTIFICATIONs, hold timer, stop, the tunnel: nothing is kept. */
static void
test_not_kept(void **state)
{
	uint8_t m[64];
	struct bgp_err n;
	struct wbuf w;

	(void)state;
	established_with_routes(&gr_fwd);
	/* received NOTIFICATION (RFC 8538's N bit is not honoured) */
	bgp_wire_err(&n, BGP_ERR_CEASE, BGP_ECEASE_RESET, NULL, 0);
	wbuf_init(&w, m, sizeof(m));
	assert_int_equal(bgp_wire_notification_build(&w, &n), 0);
	br_input(m, wbuf_len(&w));
	assert_int_equal(G.down.reason, BGP_DOWN_NOTIFY_RCVD);
	assert_int_equal(G.down.stale, 0);
	assert_int_equal(nroutes(), 0);

	/* hold timer expiry sends a NOTIFICATION: nothing kept */
	br_connect(&gr_fwd);
	br_update(lan, 3, BR_IP);
	G.now += 90 * SEC;
	bgp_tick(G.s, G.now);
	assert_int_equal(G.down.reason, BGP_DOWN_HOLD_EXPIRED);
	assert_int_equal(nroutes(), 0);

	/* the tunnel goes while Established: withdrawn at once */
	br_connect(&gr_fwd);
	br_update(lan, 3, BR_IP);
	bgp_path_down(G.s, "IPsec tunnel down", G.now);
	assert_int_equal(G.down.reason, BGP_DOWN_PATH);
	assert_int_equal(nroutes(), 0);

	/* the tunnel goes while stale routes wait for the peer: gone too */
	br_connect(&gr_fwd);
	br_update(lan, 3, BR_IP);
	bgp_closed(G.s, G.now);
	assert_int_equal(nroutes(), 3);
	bgp_path_down(G.s, "IPsec tunnel down", G.now);
	assert_int_equal(nroutes(), 0);
	assert_int_equal(status().prefixes_in, 0);
	assert_int_equal(bgp_next_deadline(G.s), MONOTIME_NEVER);

	/* stopped while stale routes wait */
	br_connect(&gr_fwd);
	br_update(lan, 3, BR_IP);
	bgp_closed(G.s, G.now);
	assert_int_equal(nroutes(), 3);
	bgp_stop(G.s, G.now);
	assert_int_equal(nroutes(), 0);

	/* a peer without the capability */
	bgp_start(G.s, G.now);
	br_connect(NULL);
	br_update(lan, 3, BR_IP);
	assert_false(status().peer_gr);
	bgp_closed(G.s, G.now);
	assert_int_equal(nroutes(), 0);
}

/* Consecutive restarts: what is still stale goes, the rest becomes stale. */
static void
test_consecutive_restarts(void **state)
{
	(void)state;
	established_with_routes(&gr_fwd);
	bgp_closed(G.s, G.now);
	br_connect(&gr_fwd);
	br_update(lan, 1, BR_IP);
	bgp_closed(G.s, G.now);
	assert_int_equal(nroutes(), 1);
	assert_int_equal(G.down.stale, 1);
	assert_non_null(find(IP(10, 1, 1, 0), 24));
	/* a new connection failing before its OPEN keeps them too */
	assert_int_equal(bgp_connected(G.s, G.now), 0);
	bgp_closed(G.s, G.now);
	assert_int_equal(nroutes(), 1);
	assert_int_equal(status().stale, 1);
}

/* §6.8 and RFC 4724 §4.2: a second connection from the peer. */
static void
test_collision(void **state)
{
	uint8_t m[256], reply[BGP_COLL_REPLY_MAX];
	size_t n, rl;

	(void)state;
	/* Established, no graceful restart: the newcomer gets Cease 7 */
	established_with_routes(NULL);
	n = br_open(m, sizeof(m), BR_IP, BR_AS, NULL);
	assert_int_equal(bgp_collision(G.s, m, 10, reply, &rl, G.now),
	    BGP_COLL_MORE);
	assert_int_equal(bgp_collision(G.s, m, n - 1, reply, &rl, G.now),
	    BGP_COLL_MORE);
	assert_int_equal(bgp_collision(G.s, m, n, reply, &rl, G.now),
	    BGP_COLL_REFUSE);
	assert_int_equal(rl, BGP_NOTIFY_MIN);
	assert_int_equal(reply[18], BGP_NOTIFICATION);
	assert_int_equal(reply[19], BGP_ERR_CEASE);
	assert_int_equal(reply[20], BGP_ECEASE_COLLISION);
	assert_int_equal(status().state, BGP_ESTABLISHED);
	assert_int_equal(nroutes(), 3);
	assert_int_equal(G.downs, 0);
	assert_int_equal(status().collisions_refused, 1);
	/* not the peer: the OPEN error, nothing else changes */
	n = br_open(m, sizeof(m), BR_IP, 65009, NULL);
	assert_int_equal(bgp_collision(G.s, m, n, reply, &rl, G.now),
	    BGP_COLL_REFUSE);
	assert_int_equal(reply[19], BGP_ERR_OPEN);
	assert_int_equal(reply[20], BGP_EOPEN_PEER_AS);
	/* a KEEPALIVE first: FSM error in OpenSent */
	{
		struct wbuf w;

		wbuf_init(&w, m, sizeof(m));
		assert_int_equal(bgp_wire_keepalive_build(&w), 0);
		assert_int_equal(bgp_collision(G.s, m, wbuf_len(&w), reply,
		    &rl, G.now), BGP_COLL_REFUSE);
		assert_int_equal(reply[19], BGP_ERR_FSM);
		assert_int_equal(reply[20], BGP_EFSM_OPENSENT);
	}
	/* garbage: the header error */
	memset(m, 0, BGP_HDR_LEN);
	assert_int_equal(bgp_collision(G.s, m, BGP_HDR_LEN, reply, &rl,
	    G.now), BGP_COLL_REFUSE);
	assert_int_equal(reply[19], BGP_ERR_HEADER);
	assert_int_equal(status().state, BGP_ESTABLISHED);
	assert_int_equal(nroutes(), 3);
}

static void
test_collision_restart(void **state)
{
	uint8_t m[256], reply[BGP_COLL_REPLY_MAX];
	size_t n, rl;

	(void)state;
	/* Established with a graceful-restart peer: a new OPEN replaces it */
	established_with_routes(&gr_fwd);
	n = br_open(m, sizeof(m), BR_IP, BR_AS, &gr_fwd);
	assert_int_equal(bgp_collision(G.s, m, n, reply, &rl, G.now),
	    BGP_COLL_REPLACE);
	assert_int_equal(rl, 0);
	assert_int_equal(G.downs, 1);
	assert_int_equal(G.down.reason, BGP_DOWN_TCP_CLOSED);
	assert_int_equal(G.down.stale, 3);
	assert_int_equal(nroutes(), 3);
	/* the host hands the session the new connection and its bytes */
	assert_int_equal(bgp_connected(G.s, G.now), 0);
	br_input(m, n);
	assert_int_equal(status().state, BGP_OPENCONFIRM);
	br_keepalive();
	br_update(lan + 2, 1, BR_IP);
	br_eor();
	assert_int_equal(nroutes(), 1);
	assert_non_null(find(IP(10, 1, 3, 0), 24));
	assert_int_equal(status().collisions_replaced, 1);
}

static void
test_collision_openconfirm(void **state)
{
	uint8_t m[256], reply[BGP_COLL_REPLY_MAX];
	size_t n, rl;
	long off;

	(void)state;
	gw_new();
	assert_int_equal(bgp_connected(G.s, G.now), 0);
	br_input(m, br_open(m, sizeof(m), BR_IP, BR_AS, NULL));
	assert_int_equal(status().state, BGP_OPENCONFIRM);
	/* peer id 10.0.2.5 < ours 192.0.2.2: §6.8 keeps the existing one */
	n = br_open(m, sizeof(m), BR_IP, BR_AS, NULL);
	assert_int_equal(bgp_collision(G.s, m, n, reply, &rl, G.now),
	    BGP_COLL_REFUSE);
	assert_int_equal(reply[19], BGP_ERR_CEASE);
	assert_int_equal(reply[20], BGP_ECEASE_COLLISION);
	assert_int_equal(status().state, BGP_OPENCONFIRM);
	/* an identifier above ours: the existing one gets Cease 7 */
	G.outlen = 0;
	n = br_open(m, sizeof(m), IP(203, 0, 113, 9), BR_AS, NULL);
	assert_int_equal(bgp_collision(G.s, m, n, reply, &rl, G.now),
	    BGP_COLL_REPLACE);
	assert_int_equal(G.downs, 1);
	assert_int_equal(G.down.reason, BGP_DOWN_NOTIFY_SENT);
	assert_int_equal(G.down.code, BGP_ERR_CEASE);
	assert_int_equal(G.down.subcode, BGP_ECEASE_COLLISION);
	off = gw_msg(BGP_NOTIFICATION, 0, NULL);
	assert_true(off >= 0);
	assert_int_equal(G.out[off + 19], BGP_ERR_CEASE);
	assert_int_equal(G.out[off + 20], BGP_ECEASE_COLLISION);
	assert_int_equal(status().state, BGP_ACTIVE);
	assert_int_equal(bgp_connected(G.s, G.now), 0);
	br_input(m, n);
	br_keepalive();
	assert_int_equal(status().state, BGP_ESTABLISHED);
	assert_int_equal(status().peer_id, IP(203, 0, 113, 9));
	/* no connection at all: nothing to resolve; stopped: refused */
	bgp_closed(G.s, G.now);
	assert_int_equal(bgp_collision(G.s, m, 0, reply, &rl, G.now),
	    BGP_COLL_REPLACE);
	bgp_stop(G.s, G.now);
	assert_int_equal(bgp_collision(G.s, m, n, reply, &rl, G.now),
	    BGP_COLL_REFUSE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_and_eor_sent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_disabled, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restart_eor, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restart_timer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restart_time_capped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_eor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_open_without_fwd,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_consecutive_restarts,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_collision, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_collision_restart, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_collision_openconfirm,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
