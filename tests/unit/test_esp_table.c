/*
 * test_esp_table.c - esp_table.c: snapshots after each commit (SPI lookup,
 * per-tenant LPM -> link -> outbound SA), the choice of outbound SA across
 * a rekey, the linger of deleted SAs and their retirement, endpoint
 * updates, tenant removal; BGP-learned prefixes per link (counted, kept
 * across link changes, behind the static entries, live links first, up to
 * the per-link limit); ECMP over links and over the zones of one link. Single-threaded: the RCU grace periods pass at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "esp_sa.h"
#include "esp_table.h"
#include "esp_wire.h"
#include "ike.h"

#define PEER	0x0a010001u	/* 10.1.0.1 */

static struct esp_table_child
mk(const char *link, uint32_t spi_in, uint32_t spi_out, uint16_t rport)
{
	struct ike_child_sa c;
	struct esp_table_child tc;
	size_t i;

	memset(&c, 0, sizeof(c));
	snprintf(c.link_id, sizeof(c.link_id), "%s", link);
	c.spi_in = spi_in;
	c.spi_out = spi_out;
	c.esp_encr = ESP_IANA_ENCR_AES_GCM_16;
	c.key_bits = 128;
	c.encr_len = 20;
	for (i = 0; i < c.encr_len; i++)
		c.encr_in[i] = c.encr_out[i] = (uint8_t)i;
	memset(&tc, 0, sizeof(tc));
	tc.link_id = link;
	tc.in = esp_sa_new(&c, ESP_DIR_IN, NULL, 0);
	tc.out = esp_sa_new(&c, ESP_DIR_OUT, NULL, 0);
	tc.local_ip = 0xc0000202;
	tc.local_port = 4500;
	tc.remote_ip = 0xc0000201;
	tc.remote_port = rport;
	tc.udp_encap = true;
	assert_non_null(tc.in);
	assert_non_null(tc.out);
	return tc;
}

/* esp_table_walk_totals into one link's sums. */
struct totals {
	const char		*link;
	unsigned		 entries;
	struct esp_sa_stats	 in, out;
};

static void
totals_fn(void *arg, const char *link_id, const struct esp_sa_stats *in,
    const struct esp_sa_stats *out)
{
	struct totals *x = arg;

	x->entries++;
	if (strcmp(link_id, x->link) == 0) {
		esp_sa_stats_add(&x->in, in);
		esp_sa_stats_add(&x->out, out);
	}
}

static void
test_table(void **state)
{
	struct esp_table *t = esp_table_new();
	struct esp_table_link l[2];
	struct esp_table_child a, b, c;
	const struct esp_snap *s;
	const struct esp_snap_tenant *ta, *tb;
	const struct esp_snap_link *sl;
	const struct esp_snap_in *in;
	int fa = 10, fb = 11;

	(void)state;
	assert_non_null(t);
	/* Two tenants, one link each, the same peer address. */
	assert_int_equal(esp_table_tenant_set(t, 0, 7, &fa, 1), 0);
	assert_int_equal(esp_table_tenant_set(t, 3, 8, &fb, 1), 0);
	memset(l, 0, sizeof(l));
	snprintf(l[0].id, sizeof(l[0].id), "link-a");
	l[0].tenant = 0;
	l[0].peer_bgp = PEER;
	snprintf(l[1].id, sizeof(l[1].id), "link-b");
	l[1].tenant = 3;
	l[1].peer_bgp = PEER;
	assert_int_equal(esp_table_links_set(t, l, 2), 0);
	a = mk("link-a", 0x1001, 0x2001, 4500);
	b = mk("link-b", 0x1002, 0x2002, 4501);
	assert_int_equal(esp_table_child_add(t, &a), 0);
	assert_int_equal(esp_table_child_add(t, &b), 0);
	assert_int_equal(esp_table_commit(t), 0);

	s = esp_table_snap(t);
	assert_null(esp_snap_tenant(s, 0, 8));		/* wrong generation */
	assert_null(esp_snap_tenant(s, 1, 7));
	ta = esp_snap_tenant(s, 0, 7);
	tb = esp_snap_tenant(s, 3, 8);
	assert_non_null(ta);
	assert_non_null(tb);
	assert_int_equal(ta->tun_fd[0], 10);
	assert_int_equal(tb->tun_fd[0], 11);
	in = esp_snap_in_find(s, 0x1001);
	assert_non_null(in);
	assert_ptr_equal(in->sa, a.in);
	assert_int_equal(in->tenant, 0);
	in = esp_snap_in_find(s, 0x1002);
	assert_non_null(in);
	assert_int_equal(in->tenant, 3);
	assert_null(esp_snap_in_find(s, 0x2001));	/* outbound SPI */
	sl = esp_snap_route(s, ta, PEER);
	assert_non_null(sl);
	assert_ptr_equal(sl->out, a.out);
	sl = esp_snap_route(s, tb, PEER);
	assert_ptr_equal(sl->out, b.out);
	assert_int_equal(sl->remote_port, 4501);
	assert_null(esp_snap_route(s, ta, PEER + 1));

	/*
	 * Rekey of link-a: the old SA, which the peer has sent on (the tick
	 * notices), stays outbound until the peer uses the new one...
	 */
	atomic_store(&a.in->ctr.packets, 1);
	assert_int_equal(esp_table_tick(t, 50), MONOTIME_NEVER);
	c = mk("link-a", 0x1003, 0x2003, 4500);
	assert_int_equal(esp_table_child_add(t, &c), 0);
	assert_int_equal(esp_table_commit(t), 0);
	s = esp_table_snap(t);
	assert_ptr_equal(esp_snap_route(s, esp_snap_tenant(s, 0, 7), PEER)->out,
	    a.out);
	atomic_store(&c.in->ctr.packets, 1);
	(void)esp_table_tick(t, 60);
	s = esp_table_snap(t);
	assert_ptr_equal(esp_snap_route(s, esp_snap_tenant(s, 0, 7), PEER)->out,
	    c.out);
	/* ... or deletes the old one, which lingers inbound. */
	atomic_store(&a.in->ctr.bytes, 1500);
	atomic_store(&a.out->ctr.packets, 3);
	assert_int_equal(esp_table_child_del(t, 0x1001, 100), 0);
	assert_int_equal(esp_table_child_del(t, 0x9999, 100), -1);
	assert_int_equal(esp_table_commit(t), 0);
	s = esp_table_snap(t);
	assert_ptr_equal(esp_snap_route(s, esp_snap_tenant(s, 0, 7), PEER)->out,
	    c.out);
	assert_non_null(esp_snap_in_find(s, 0x1001));
	assert_int_equal(esp_table_tick(t, 100 + ESP_TABLE_LINGER - 1),
	    100 + ESP_TABLE_LINGER);
	assert_non_null(esp_snap_in_find(esp_table_snap(t), 0x1001));
	assert_int_equal(esp_table_tick(t, 100 + ESP_TABLE_LINGER), MONOTIME_NEVER);
	s = esp_table_snap(t);
	assert_null(esp_snap_in_find(s, 0x1001));	/* retired and freed */
	assert_non_null(esp_snap_in_find(s, 0x1003));
	/* What it counted stays in link-a's running totals. */
	{
		struct totals x;

		memset(&x, 0, sizeof(x));
		x.link = "link-a";
		esp_table_walk_totals(t, totals_fn, &x);
		assert_int_equal(x.entries, 1);
		assert_int_equal(x.in.packets, 1);
		assert_int_equal(x.in.bytes, 1500);
		assert_int_equal(x.out.packets, 3);
		/* Reloading the same links keeps them. */
		assert_int_equal(esp_table_links_set(t, l, 2), 0);
		memset(&x, 0, sizeof(x));
		x.link = "link-a";
		esp_table_walk_totals(t, totals_fn, &x);
		assert_int_equal(x.entries, 1);
		assert_int_equal(x.in.bytes, 1500);
	}

	/* NAT rebinding moves the endpoint. */
	assert_int_equal(esp_table_child_update(t, 0x1003, 0xc0000202, 4500,
	    0xc6336401, 6000, true), 0);
	assert_int_equal(esp_table_commit(t), 0);
	s = esp_table_snap(t);
	sl = esp_snap_route(s, esp_snap_tenant(s, 0, 7), PEER);
	assert_int_equal(sl->remote_ip, 0xc6336401);
	assert_int_equal(sl->remote_port, 6000);

	/* A duplicate inbound SPI is refused (the caller keeps the SAs). */
	a = mk("link-b", 0x1002, 0x2009, 4500);
	assert_int_equal(esp_table_child_add(t, &a), -1);
	esp_sa_free(a.in);
	esp_sa_free(a.out);

	/* Tenant B goes: its SA stays known but has no tenant. */
	esp_table_tenant_del(t, 3);
	l[1].tenant = UINT32_MAX;
	assert_int_equal(esp_table_links_set(t, l, 2), 0);
	assert_int_equal(esp_table_commit(t), 0);
	s = esp_table_snap(t);
	assert_null(esp_snap_tenant(s, 3, 8));
	in = esp_snap_in_find(s, 0x1002);
	assert_non_null(in);
	assert_true(in->tenant >= s->ntenants);
	/* link-a deleted: its totals go with it. */
	{
		struct totals x;

		assert_int_equal(esp_table_links_set(t, &l[1], 1), 0);
		memset(&x, 0, sizeof(x));
		x.link = "link-a";
		esp_table_walk_totals(t, totals_fn, &x);
		assert_int_equal(x.entries, 0);
	}
	esp_table_free(t);
}

static const struct esp_snap_link *
route(struct esp_table *t, uint32_t slot, uint32_t gen, uint32_t dst)
{
	const struct esp_snap *s = esp_table_snap(t);
	const struct esp_snap_tenant *tn = esp_snap_tenant(s, slot, gen);

	assert_non_null(tn);
	return esp_snap_route(s, tn, dst);
}

/* The link index a destination routes to, or -1. */
static long
route_idx(struct esp_table *t, uint32_t slot, uint32_t gen, uint32_t dst)
{
	const struct esp_snap *s = esp_table_snap(t);
	const struct esp_snap_link *sl = route(t, slot, gen, dst);

	return sl == NULL ? -1 : (long)(sl - s->links);
}

#define LAN_A	0x0a010100u	/* 10.1.1.0 */
#define PEER_B	0x0a020001u	/* 10.2.0.1 */
#define SHARED	0xc0a80000u	/* 192.168.0.0 */

static void
test_learned(void **state)
{
	struct esp_table *t = esp_table_new();
	struct esp_table_link l[3];
	struct esp_table_child ca, cb;
	int fa = 10, fb = 11;
	uint32_t i;

	(void)state;
	assert_non_null(t);
	assert_int_equal(esp_table_tenant_set(t, 0, 7, &fa, 1), 0);
	assert_int_equal(esp_table_tenant_set(t, 1, 9, &fb, 1), 0);
	memset(l, 0, sizeof(l));
	snprintf(l[0].id, sizeof(l[0].id), "link-a");
	l[0].peer_bgp = PEER;
	snprintf(l[1].id, sizeof(l[1].id), "link-b");
	l[1].peer_bgp = PEER_B;
	snprintf(l[2].id, sizeof(l[2].id), "link-c");
	l[2].tenant = 1;
	l[2].peer_bgp = PEER;
	assert_int_equal(esp_table_links_set(t, l, 3), 0);
	assert_int_equal(esp_table_commit(t), 0);

	/* Published by the commit, not before; host bits ignored. */
	assert_int_equal(esp_table_learned_add(t, "link-a", LAN_A + 77, 24), 0);
	assert_int_equal(route_idx(t, 0, 7, LAN_A + 10), -1);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(route_idx(t, 0, 7, LAN_A + 10), 0);
	assert_int_equal(route_idx(t, 0, 7, LAN_A + 256), -1);
	assert_int_equal(esp_table_learned_count(t, "link-a"), 1);
	/* The other tenant, same prefix, its own link. */
	assert_int_equal(route_idx(t, 1, 9, LAN_A + 10), -1);
	assert_int_equal(esp_table_learned_add(t, "link-c", LAN_A, 24), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(route_idx(t, 1, 9, LAN_A + 10), 2);
	assert_int_equal(route_idx(t, 0, 7, LAN_A + 10), 0);

	/* Counted: two holders (zones) of one prefix, one withdraws. */
	assert_int_equal(esp_table_learned_add(t, "link-a", LAN_A, 24), 0);
	assert_int_equal(esp_table_learned_count(t, "link-a"), 1);
	assert_int_equal(esp_table_learned_del(t, "link-a", LAN_A, 24), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(route_idx(t, 0, 7, LAN_A + 10), 0);
	assert_int_equal(esp_table_learned_del(t, "link-a", LAN_A, 24), 0);
	assert_int_equal(esp_table_learned_del(t, "link-a", LAN_A, 24), -1);
	assert_int_equal(esp_table_learned_del(t, "link-a", LAN_A, 25), -1);
	assert_int_equal(esp_table_learned_del(t, "nobody", LAN_A, 24), -1);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(route_idx(t, 0, 7, LAN_A + 10), -1);
	assert_int_equal(esp_table_learned_count(t, "link-a"), 0);
	assert_int_equal(esp_table_learned_add(t, "link-a", LAN_A, 33), -1);

	/* A branch cannot take another link's peer /32 (static first)... */
	assert_int_equal(esp_table_learned_add(t, "link-a", PEER_B, 32), 0);
	assert_int_equal(esp_table_learned_add(t, "link-a", 0x0a000000u, 8), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(route_idx(t, 0, 7, PEER_B), 1);
	assert_int_equal(route_idx(t, 0, 7, PEER_B + 1), 0);	/* the /8 */
	assert_int_equal(route_idx(t, 0, 7, PEER), 0);

	/*
	 * ... and of two links holding one prefix, the one with a tunnel
	 * up wins; with both up, both (ECMP: test_ecmp).
	 */
	assert_int_equal(esp_table_learned_add(t, "link-a", SHARED, 16), 0);
	assert_int_equal(esp_table_learned_add(t, "link-b", SHARED, 16), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(route_idx(t, 0, 7, SHARED + 1), 0);
	cb = mk("link-b", 0x1002, 0x2002, 4501);
	assert_int_equal(esp_table_child_add(t, &cb), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(route_idx(t, 0, 7, SHARED + 1), 1);
	assert_ptr_equal(route(t, 0, 7, SHARED + 1)->out, cb.out);
	ca = mk("link-a", 0x1001, 0x2001, 4500);
	assert_int_equal(esp_table_child_add(t, &ca), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_true(route_idx(t, 0, 7, SHARED + 1) == 0 ||
	    route_idx(t, 0, 7, SHARED + 1) == 1);
	assert_int_equal(esp_table_child_del(t, 0x1001, 100), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(route_idx(t, 0, 7, SHARED + 1), 1);

	/* Kept across link changes; routed only while the link exists. */
	assert_int_equal(esp_table_links_set(t, &l[1], 2), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(route_idx(t, 0, 7, PEER_B + 1), -1);
	assert_int_equal(route_idx(t, 0, 7, SHARED + 1), 0);	/* link-b */
	assert_int_equal(esp_table_learned_count(t, "link-a"), 3);
	assert_int_equal(esp_table_links_set(t, l, 3), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(route_idx(t, 0, 7, PEER_B + 1), 0);

	/* The per-link limit. */
	for (i = 0; i < ESP_TABLE_LEARNED_MAX - 3; i++)
		assert_int_equal(esp_table_learned_add(t, "link-b",
		    0xac100000u + i, 32), 0);
	assert_int_equal(esp_table_learned_count(t, "link-b"),
	    ESP_TABLE_LEARNED_MAX - 2);
	assert_int_equal(esp_table_learned_add(t, "link-b", 0x0b000000u, 24), 0);
	assert_int_equal(esp_table_learned_add(t, "link-b", 0x0b000100u, 24), 0);
	assert_int_equal(esp_table_learned_add(t, "link-b", 0x0b000200u, 24), -1);
	assert_int_equal(esp_table_learned_add(t, "link-b", 0x0b000100u, 24), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(route_idx(t, 0, 7, 0xac100000u + 1000), 1);
	assert_int_equal(route_idx(t, 0, 7, 0x0b000105u), 1);
	assert_int_equal(route_idx(t, 0, 7, 0x0b000205u), -1);
	esp_table_free(t);
}

/* A UDP packet of flow (src:sport -> dst:9), as the tenant sends it. */
static void
flow_pkt(uint8_t *p, uint32_t src, uint16_t sport, uint32_t dst)
{
	memset(p, 0, 28);
	p[0] = 0x45;
	p[3] = 28;
	p[8] = 64;
	p[9] = 17;
	p[12] = (uint8_t)(src >> 24); p[13] = (uint8_t)(src >> 16);
	p[14] = (uint8_t)(src >> 8); p[15] = (uint8_t)src;
	p[16] = (uint8_t)(dst >> 24); p[17] = (uint8_t)(dst >> 16);
	p[18] = (uint8_t)(dst >> 8); p[19] = (uint8_t)dst;
	p[20] = (uint8_t)(sport >> 8); p[21] = (uint8_t)sport;
	p[23] = 9;
}

/* The link index a flow goes to, or -1. */
static long
flow_idx(struct esp_table *t, uint16_t sport, uint32_t dst)
{
	const struct esp_snap *s = esp_table_snap(t);
	const struct esp_snap_tenant *tn = esp_snap_tenant(s, 0, 7);
	const struct esp_snap_link *sl;
	uint8_t p[28];

	flow_pkt(p, 0x08080808u, sport, dst);
	sl = esp_snap_route_flow(s, tn, dst, p, sizeof(p));
	return sl == NULL ? -1 : (long)(sl - s->links);
}

/* The link id a flow goes to ("" if none): indexes move, ids do not. */
static const char *
flow_link(struct esp_table *t, struct esp_table_link *l, uint16_t sport,
    uint32_t dst)
{
	long i = flow_idx(t, sport, dst);

	return i < 0 ? "" : l[i].id;
}

/*
 * ECMP: two links with a live tunnel hold one prefix. Many flows spread
 * over both, one flow stays on one link (also across rebuilds), a member
 * that goes moves its own flows only, and a new member takes flows only
 * from the others, never moving one between them. Whatever the random
 * flow-hash key of this run, these hold.
 */
#define NFLOWS	2000

/*
 * Tenant 0 with links a, b, c (ids "link-a" ..), the CHILD SAs of a and
 * b up (SPIs 0x1001, 0x1002).
 */
static struct esp_table *
ecmp_world(struct esp_table_link *l)
{
	struct esp_table *t = esp_table_new();
	struct esp_table_child ca, cb;
	int fa = 10;

	assert_non_null(t);
	assert_int_equal(esp_table_tenant_set(t, 0, 7, &fa, 1), 0);
	memset(l, 0, 3 * sizeof(*l));
	snprintf(l[0].id, sizeof(l[0].id), "link-a");
	snprintf(l[1].id, sizeof(l[1].id), "link-b");
	snprintf(l[2].id, sizeof(l[2].id), "link-c");
	assert_int_equal(esp_table_links_set(t, l, 3), 0);
	ca = mk("link-a", 0x1001, 0x2001, 4500);
	cb = mk("link-b", 0x1002, 0x2002, 4501);
	assert_int_equal(esp_table_child_add(t, &ca), 0);
	assert_int_equal(esp_table_child_add(t, &cb), 0);
	return t;
}


static void
test_ecmp(void **state)
{
	static char was[NFLOWS][ESP_TABLE_LINK_ID_MAX + 1];
	struct esp_table_link l[3];
	struct esp_table *t = ecmp_world(l);
	struct esp_table_child cc;
	unsigned f, na = 0, nb = 0, moved = 0;

	(void)state;
	assert_int_equal(esp_table_learned_add(t, "link-a", LAN_A, 24), 0);
	assert_int_equal(esp_table_learned_add(t, "link-b", LAN_A, 24), 0);
	/* link-c holds it too, but has no tunnel: never a member. */
	assert_int_equal(esp_table_learned_add(t, "link-c", LAN_A, 24), 0);
	assert_int_equal(esp_table_commit(t), 0);

	for (f = 0; f < NFLOWS; f++) {
		snprintf(was[f], sizeof(was[f]), "%s",
		    flow_link(t, l, (uint16_t)(10000 + f), LAN_A + 5));
		na += strcmp(was[f], "link-a") == 0;
		nb += strcmp(was[f], "link-b") == 0;
		/* The same flow, asked again: the same link. */
		assert_string_equal(flow_link(t, l, (uint16_t)(10000 + f),
		    LAN_A + 5), was[f]);
	}
	assert_int_equal(na + nb, NFLOWS);
	/* Binomial(2000, 1/2): 40 % is 9 standard deviations off. */
	assert_true(na > NFLOWS * 4 / 10 && nb > NFLOWS * 4 / 10);
	/* A rebuild (another prefix learned) moves no flow. */
	assert_int_equal(esp_table_learned_add(t, "link-a", SHARED, 16), 0);
	assert_int_equal(esp_table_commit(t), 0);
	for (f = 0; f < NFLOWS; f++)
		assert_string_equal(flow_link(t, l, (uint16_t)(10000 + f),
		    LAN_A + 5), was[f]);

	/* link-c's tunnel comes up: flows move to it only, none a<->b. */
	cc = mk("link-c", 0x1003, 0x2003, 4502);
	assert_int_equal(esp_table_child_add(t, &cc), 0);
	assert_int_equal(esp_table_commit(t), 0);
	for (f = 0; f < NFLOWS; f++) {
		const char *now = flow_link(t, l, (uint16_t)(10000 + f),
		    LAN_A + 5);

		if (strcmp(now, was[f]) != 0) {
			assert_string_equal(now, "link-c");
			moved++;
		}
	}
	assert_true(moved > NFLOWS / 5 && moved < NFLOWS / 2);
	/* link-c goes again: exactly its flows come back where they were. */
	assert_int_equal(esp_table_child_del(t, 0x1003, 100), 0);
	assert_int_equal(esp_table_commit(t), 0);
	for (f = 0; f < NFLOWS; f++)
		assert_string_equal(flow_link(t, l, (uint16_t)(10000 + f),
		    LAN_A + 5), was[f]);
	/* link-b goes: its flows to link-a, link-a's stay. */
	assert_int_equal(esp_table_child_del(t, 0x1002, 100), 0);
	assert_int_equal(esp_table_commit(t), 0);
	for (f = 0; f < NFLOWS; f++)
		assert_string_equal(flow_link(t, l, (uint16_t)(10000 + f),
		    LAN_A + 5), "link-a");
	/* Outside the group, nothing changes: no route, no ECMP. */
	assert_int_equal(flow_idx(t, 1, 0x0b000001u), -1);
	esp_table_free(t);
}

/* Which of a, b, c the flows for LAN_A reach, as a bit set (1, 2, 4). */
static unsigned
ecmp_members(struct esp_table *t, struct esp_table_link *l)
{
	unsigned f, set = 0;
	const char *id;

	for (f = 0; f < 200; f++) {
		id = flow_link(t, l, (uint16_t)(20000 + f), LAN_A + 9);
		assert_true(id[0] != '\0');
		set |= 1u << (id[5] - 'a');	/* "link-a" .. "link-c" */
	}
	return set;
}

static void
attr(struct esp_table *t, const char *id, uint32_t path_len, uint32_t med,
    uint32_t nas)
{
	assert_int_equal(esp_table_learned_attr(t, id, LAN_A, 24, path_len,
	    med, nas), 0);
}

/*
 * ECMP members are the best by RFC 4271 §9.1.2.2: the shortest AS_PATH,
 * then the lowest MED among routes from one neighbouring AS (MEDs of
 * different ASes are not compared). 200 flows over two equal members
 * all landing on one has probability 2^-199: the sets are exact.
 */
static void
test_ecmp_rank(void **state)
{
	struct esp_table_link l[3];
	struct esp_table *t = ecmp_world(l);
	struct esp_table_child cc = mk("link-c", 0x1003, 0x2003, 4502);

	(void)state;
	assert_int_equal(esp_table_child_add(t, &cc), 0);
	assert_int_equal(esp_table_learned_add(t, "link-a", LAN_A, 24), 0);
	assert_int_equal(esp_table_learned_add(t, "link-b", LAN_A, 24), 0);
	assert_int_equal(esp_table_learned_add(t, "link-c", LAN_A, 24), 0);
	assert_int_equal(esp_table_learned_attr(t, "link-a", 0x0b000000u, 24,
	    1, 0, 65000), -1);	/* not held */
	attr(t, "link-a", 1, 0, 65000);
	attr(t, "link-b", 1, 0, 65000);
	attr(t, "link-c", 2, 0, 65000);	/* a prepend: out */
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(ecmp_members(t, l), 1u | 2u);
	/* Same neighbour AS: the lower MED wins alone. */
	attr(t, "link-b", 1, 20, 65000);
	attr(t, "link-a", 1, 10, 65000);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(ecmp_members(t, l), 1u);
	/* Another neighbour AS: MEDs are not compared, both share. */
	attr(t, "link-b", 1, 20, 65001);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(ecmp_members(t, l), 1u | 2u);
	/* The AS_PATH comes before the MED. */
	attr(t, "link-c", 0, 90, 65000);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(ecmp_members(t, l), 4u);
	/* The best member's tunnel goes: the next best take over. */
	assert_int_equal(esp_table_child_del(t, 0x1003, 100), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(ecmp_members(t, l), 1u | 2u);
	esp_table_free(t);
}

/*
 * ECMP over the zones of one link. Zone 1's tunnels end on the gateway's
 * zone 1 endpoint, zone 2's on its zone 2 endpoint: which member a flow
 * went to is (link, endpoint) of the SA it is sealed with.
 */
#define GW_Z1	0xc0000202u	/* 192.0.2.2, as mk() */
#define GW_Z2	0xc0000203u	/* 192.0.2.3 */

enum { M_A1, M_A2, M_B, M_NONE };

static struct esp_table_child
mkz(const char *link, int zone, uint32_t spi_in, uint32_t spi_out)
{
	struct esp_table_child tc = mk(link, spi_in, spi_out, 4500);

	tc.zone = zone;
	tc.local_ip = zone == 2 ? GW_Z2 : GW_Z1;
	return tc;
}

/* The member flow sport -> dst is sealed for, checking its SA's zone. */
static int
zflow(struct esp_table *t, uint16_t sport, uint32_t dst)
{
	const struct esp_snap *s = esp_table_snap(t);
	const struct esp_snap_tenant *tn = esp_snap_tenant(s, 0, 7);
	const struct esp_snap_link *sl;
	uint8_t p[28];

	flow_pkt(p, 0x08080808u, sport, dst);
	sl = esp_snap_route_flow(s, tn, dst, p, sizeof(p));
	if (sl == NULL)
		return M_NONE;
	assert_non_null(sl->out);
	/* A zone member seals with that zone's SA and endpoint. */
	if (sl->zone != 0)
		assert_int_equal(sl->local_ip, sl->zone == 2 ? GW_Z2 : GW_Z1);
	if (strcmp(sl->id, "link-b") == 0)
		return M_B;
	assert_string_equal(sl->id, "link-a");
	return sl->local_ip == GW_Z2 ? M_A2 : M_A1;
}

/* Zone z's session of link holds LAN_A/24 (held) or gives it up. */
static void
zroute(struct esp_table *t, const char *link, int zone, bool held,
    uint32_t path_len, uint32_t med, uint32_t nas)
{
	if (held)
		assert_int_equal(esp_table_learned_add(t, link, LAN_A, 24), 0);
	assert_int_equal(esp_table_learned_zone(t, link, zone, LAN_A, 24,
	    held, path_len, med, nas), 0);
	if (!held)
		assert_int_equal(esp_table_learned_del(t, link, LAN_A, 24), 0);
}

/*
 * Tenant 0 with the zone-redundant link-a (zone 1 SA in 0x1001 out
 * 0x2001, zone 2 0x1011/0x2011) and link-b (zone 1, 0x1002/0x2002).
 */
static struct esp_table *
zone_world(struct esp_table_link *l)
{
	struct esp_table *t = esp_table_new();
	struct esp_table_child c;
	int fa = 10;

	assert_non_null(t);
	assert_int_equal(esp_table_tenant_set(t, 0, 7, &fa, 1), 0);
	memset(l, 0, 2 * sizeof(*l));
	snprintf(l[0].id, sizeof(l[0].id), "link-a");
	snprintf(l[1].id, sizeof(l[1].id), "link-b");
	l[0].peer_bgp = PEER;
	assert_int_equal(esp_table_links_set(t, l, 2), 0);
	c = mkz("link-a", 1, 0x1001, 0x2001);
	assert_int_equal(esp_table_child_add(t, &c), 0);
	c = mkz("link-a", 2, 0x1011, 0x2011);
	assert_int_equal(esp_table_child_add(t, &c), 0);
	c = mkz("link-b", 1, 0x1002, 0x2002);
	assert_int_equal(esp_table_child_add(t, &c), 0);
	return t;
}

#define GWL_Z1	0x0aff0001u	/* 10.255.0.1: localIpAddress */
#define GWL_Z2	0x0aff0002u	/* 10.255.0.2: zoneLocalIpAddress */

/* Where the gateway's packet src -> PEER leaves: the SA's local address. */
static uint32_t
zbound_out(struct esp_table *t, uint32_t src)
{
	const struct esp_snap *s = esp_table_snap(t);
	const struct esp_snap_tenant *tn = esp_snap_tenant(s, 0, 7);
	const struct esp_snap_link *sl;
	uint8_t p[28];

	flow_pkt(p, src, 179, PEER);
	sl = esp_snap_zone_out(s, esp_snap_route_flow(s, tn, PEER, p,
	    sizeof(p)), src);
	assert_non_null(sl);
	assert_string_equal(sl->id, "link-a");
	return sl->out == NULL ? 0 : sl->local_ip;
}

/*
 * Sessions bound to their zone's tunnel (issue 9 §3): the branch peers
 * with both zones' addresses from one address, so only the SA's zone can
 * tell zone 1's session from zone 2's. In: a zone's SA carries packets to
 * its own zone's address only. Out: each zone's address leaves through its
 * own zone's tunnel, also where the link's route picks the other zone, and
 * nowhere while that tunnel is down.
 */
static void
test_zone_binding(void **state)
{
	struct esp_table_link l[2];
	struct esp_table *t;
	const struct esp_snap *s;
	const struct esp_snap_in *z1, *z2, *b;

	(void)state;
	t = zone_world(l);
	l[0].gw_local[0] = GWL_Z1;
	l[0].gw_local[1] = GWL_Z2;
	assert_int_equal(esp_table_links_set(t, l, 2), 0);
	assert_int_equal(esp_table_commit(t), 0);
	s = esp_table_snap(t);
	assert_non_null(z1 = esp_snap_in_find(s, 0x1001));
	assert_non_null(z2 = esp_snap_in_find(s, 0x1011));
	assert_non_null(b = esp_snap_in_find(s, 0x1002));
	assert_int_equal(z1->zone, 1);
	assert_int_equal(z2->zone, 2);
	/* Both pass the link's source check: only the zone can refuse. */
	assert_true(esp_snap_src_ok(s, z1, PEER));
	assert_true(esp_snap_src_ok(s, z2, PEER));
	assert_true(esp_snap_zone_ok(s, z1, GWL_Z1));
	assert_false(esp_snap_zone_ok(s, z1, GWL_Z2));
	assert_true(esp_snap_zone_ok(s, z2, GWL_Z2));
	assert_false(esp_snap_zone_ok(s, z2, GWL_Z1));
	/* Other destinations, and a link without zone addresses: no rule. */
	assert_true(esp_snap_zone_ok(s, z2, 0x08080808u));
	assert_true(esp_snap_zone_ok(s, b, GWL_Z2));

	/* The link's route picks its newest SA (zone 2): zone 1 still own. */
	assert_int_equal(zbound_out(t, GWL_Z1), GW_Z1);
	assert_int_equal(zbound_out(t, GWL_Z2), GW_Z2);
	/* Zone 1's tunnel goes: its session's packets go nowhere else. */
	assert_int_equal(esp_table_child_del(t, 0x1001, 100), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(zbound_out(t, GWL_Z1), 0);
	assert_int_equal(zbound_out(t, GWL_Z2), GW_Z2);
	/* And back the other way: zone 2 down, zone 1 up again. */
	{
		struct esp_table_child c = mkz("link-a", 1, 0x1021, 0x2021);

		assert_int_equal(esp_table_child_add(t, &c), 0);
	}
	assert_int_equal(esp_table_child_del(t, 0x1011, 100), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(zbound_out(t, GWL_Z1), GW_Z1);
	assert_int_equal(zbound_out(t, GWL_Z2), 0);
	esp_table_free(t);
}

/* Flows 0..NFLOWS-1 into was[], counted per member in n[]. */
static void
zflows(struct esp_table *t, int *was, unsigned *n)
{
	unsigned f;

	memset(n, 0, (M_NONE + 1) * sizeof(*n));
	for (f = 0; f < NFLOWS; f++) {
		was[f] = zflow(t, (uint16_t)(30000 + f), LAN_A + 7);
		n[was[f]]++;
	}
}

/*
 * Both zones of one link announce the branch LAN with equal attributes:
 * both tunnels carry its flows, each flow on one zone, also across
 * rebuilds; a zone whose tunnel goes (or whose route goes) moves its own
 * flows only, and when it comes back exactly those return.
 */
static void
test_ecmp_zones(void **state)
{
	static int was[NFLOWS], now[NFLOWS];
	struct esp_table_link l[2];
	struct esp_table *t = zone_world(l);
	struct esp_table_child c;
	unsigned n[M_NONE + 1], f;

	(void)state;
	zroute(t, "link-a", 1, true, 1, 0, 65000);
	zroute(t, "link-a", 2, true, 1, 0, 65000);
	assert_int_equal(esp_table_commit(t), 0);
	zflows(t, was, n);
	assert_int_equal(n[M_A1] + n[M_A2], NFLOWS);
	/* Binomial(2000, 1/2): 40 % is 9 standard deviations off. */
	assert_true(n[M_A1] > NFLOWS * 4 / 10 && n[M_A2] > NFLOWS * 4 / 10);
	for (f = 0; f < NFLOWS; f++)
		assert_int_equal(zflow(t, (uint16_t)(30000 + f), LAN_A + 7),
		    was[f]);
	/* The peer /32 is the link's, not a group: its newest SA. */
	assert_int_equal(zflow(t, 1, PEER), M_A2);

	/* Unrelated rebuilds: another prefix, link-b's, the link list. */
	assert_int_equal(esp_table_learned_add(t, "link-a", SHARED, 16), 0);
	assert_int_equal(esp_table_learned_zone(t, "link-a", 2, SHARED, 16,
	    true, 3, 0, 65000), 0);
	assert_int_equal(esp_table_learned_add(t, "link-b", SHARED, 24), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(esp_table_links_set(t, l, 2), 0);
	assert_int_equal(esp_table_commit(t), 0);
	for (f = 0; f < NFLOWS; f++)
		assert_int_equal(zflow(t, (uint16_t)(30000 + f), LAN_A + 7),
		    was[f]);

	/* A rekey of zone 2 (old SA lingering): no flow changes zone. */
	c = mkz("link-a", 2, 0x1021, 0x2021);
	assert_int_equal(esp_table_child_add(t, &c), 0);
	assert_int_equal(esp_table_child_del(t, 0x1011, 100), 0);
	assert_int_equal(esp_table_commit(t), 0);
	for (f = 0; f < NFLOWS; f++)
		assert_int_equal(zflow(t, (uint16_t)(30000 + f), LAN_A + 7),
		    was[f]);

	/* Zone 2's tunnel goes: its flows to zone 1, zone 1's stay. */
	assert_int_equal(esp_table_child_del(t, 0x1021, 100), 0);
	assert_int_equal(esp_table_commit(t), 0);
	for (f = 0; f < NFLOWS; f++)
		assert_int_equal(zflow(t, (uint16_t)(30000 + f), LAN_A + 7),
		    M_A1);
	/* Back with a new tunnel: exactly its flows return. */
	c = mkz("link-a", 2, 0x1031, 0x2031);
	assert_int_equal(esp_table_child_add(t, &c), 0);
	assert_int_equal(esp_table_commit(t), 0);
	for (f = 0; f < NFLOWS; f++)
		assert_int_equal(zflow(t, (uint16_t)(30000 + f), LAN_A + 7),
		    was[f]);
	/* Zone 1's tunnel goes: only its flows move, none of zone 2's. */
	assert_int_equal(esp_table_child_del(t, 0x1001, 100), 0);
	assert_int_equal(esp_table_commit(t), 0);
	for (f = 0; f < NFLOWS; f++)
		assert_int_equal(zflow(t, (uint16_t)(30000 + f), LAN_A + 7),
		    M_A2);
	c = mkz("link-a", 1, 0x1041, 0x2041);
	assert_int_equal(esp_table_child_add(t, &c), 0);
	assert_int_equal(esp_table_commit(t), 0);
	for (f = 0; f < NFLOWS; f++)
		assert_int_equal(zflow(t, (uint16_t)(30000 + f), LAN_A + 7),
		    was[f]);

	/* Zone 2's route is withdrawn, its tunnel stays: all on zone 1. */
	zroute(t, "link-a", 2, false, 0, 0, 0);
	assert_int_equal(esp_table_commit(t), 0);
	for (f = 0; f < NFLOWS; f++)
		assert_int_equal(zflow(t, (uint16_t)(30000 + f), LAN_A + 7),
		    M_A1);
	/* Announced again: the same split as at first. */
	zroute(t, "link-a", 2, true, 1, 0, 65000);
	assert_int_equal(esp_table_commit(t), 0);
	for (f = 0; f < NFLOWS; f++)
		assert_int_equal(zflow(t, (uint16_t)(30000 + f), LAN_A + 7),
		    was[f]);

	/*
	 * link-b joins with the same route (no zone records: one member):
	 * flows move to it only, never between the zones; its tunnel goes
	 * and each flow is back on its zone.
	 */
	assert_int_equal(esp_table_learned_add(t, "link-b", LAN_A, 24), 0);
	assert_int_equal(esp_table_learned_attr(t, "link-b", LAN_A, 24, 1, 0,
	    65000), 0);
	assert_int_equal(esp_table_commit(t), 0);
	zflows(t, now, n);
	assert_true(n[M_B] > NFLOWS / 5 && n[M_B] < NFLOWS / 2);
	assert_true(n[M_A1] > NFLOWS / 5 && n[M_A2] > NFLOWS / 5);
	for (f = 0; f < NFLOWS; f++)
		if (now[f] != was[f])
			assert_int_equal(now[f], M_B);
	/* Zone 2 goes now: its flows spread to zone 1 and link-b only. */
	assert_int_equal(esp_table_child_del(t, 0x1031, 100), 0);
	assert_int_equal(esp_table_commit(t), 0);
	{
		unsigned to1 = 0, tob = 0;
		int m;

		for (f = 0; f < NFLOWS; f++) {
			m = zflow(t, (uint16_t)(30000 + f), LAN_A + 7);
			if (now[f] != M_A2) {
				assert_int_equal(m, now[f]);
				continue;
			}
			assert_true(m == M_A1 || m == M_B);
			to1 += m == M_A1;
			tob += m == M_B;
		}
		assert_true(to1 > 0 && tob > 0);
	}
	esp_table_free(t);
}

/* Which of a1, a2, b the flows for LAN_A reach, as a bit set. */
static unsigned
zmembers(struct esp_table *t)
{
	unsigned f, set = 0;

	for (f = 0; f < 200; f++)
		set |= 1u << zflow(t, (uint16_t)(40000 + f), LAN_A + 9);
	return set;
}

/*
 * Zones are ranked as links are (RFC 4271 §9.1.2.2 a, then c), each by
 * its own session's attributes; a zone with its route but no tunnel is
 * no member, and a link none of whose zones is a member yields the
 * prefix. 200 flows over two equal members all on one: p = 2^-199.
 */
static void
test_ecmp_zone_rank(void **state)
{
	struct esp_table_link l[2];
	struct esp_table *t = zone_world(l);
	struct esp_table_child c;

	(void)state;
	zroute(t, "link-a", 1, true, 1, 0, 65000);
	zroute(t, "link-a", 2, true, 2, 0, 65000);	/* a prepend */
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(zmembers(t), 1u << M_A1);
	/* A re-announcement without it: both again. */
	assert_int_equal(esp_table_learned_zone(t, "link-a", 2, LAN_A, 24,
	    true, 1, 0, 65000), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(zmembers(t), 1u << M_A1 | 1u << M_A2);
	/* Zone 1 longer: all on zone 2, even though zone 1's SA is older. */
	assert_int_equal(esp_table_learned_zone(t, "link-a", 1, LAN_A, 24,
	    true, 3, 0, 65000), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(zmembers(t), 1u << M_A2);
	/* MED within one neighbour AS: the lower wins. */
	assert_int_equal(esp_table_learned_zone(t, "link-a", 1, LAN_A, 24,
	    true, 1, 5, 65000), 0);
	assert_int_equal(esp_table_learned_zone(t, "link-a", 2, LAN_A, 24,
	    true, 1, 50, 65000), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(zmembers(t), 1u << M_A1);
	/* Zone 1 best, but no tunnel: not a member, zone 2 carries it. */
	assert_int_equal(esp_table_child_del(t, 0x1001, 100), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(zmembers(t), 1u << M_A2);
	c = mkz("link-a", 1, 0x1041, 0x2041);
	assert_int_equal(esp_table_child_add(t, &c), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(zmembers(t), 1u << M_A1);

	/* link-b (one member, its link attributes) with a shorter path. */
	assert_int_equal(esp_table_learned_add(t, "link-b", LAN_A, 24), 0);
	assert_int_equal(esp_table_learned_attr(t, "link-b", LAN_A, 24, 0, 0,
	    65001), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(zmembers(t), 1u << M_B);
	/* Equal path, another AS: MEDs not compared, the best three share. */
	assert_int_equal(esp_table_learned_zone(t, "link-a", 2, LAN_A, 24,
	    true, 1, 5, 65000), 0);
	assert_int_equal(esp_table_learned_attr(t, "link-b", LAN_A, 24, 1, 90,
	    65001), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(zmembers(t), 1u << M_A1 | 1u << M_A2 | 1u << M_B);

	/*
	 * Only zone 1 holds the route now, and zone 1's tunnel goes: link-a
	 * has no member (zone 2 has a tunnel but no route) and yields to
	 * link-b; without link-b it carries the prefix on its newest SA.
	 */
	zroute(t, "link-a", 2, false, 0, 0, 0);
	assert_int_equal(esp_table_child_del(t, 0x1041, 100), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(zmembers(t), 1u << M_B);
	assert_int_equal(esp_table_learned_del(t, "link-b", LAN_A, 24), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_int_equal(zmembers(t), 1u << M_A2);
	/* Bad input. */
	assert_int_equal(esp_table_learned_zone(t, "link-a", 3, LAN_A, 24,
	    true, 1, 0, 65000), -1);
	assert_int_equal(esp_table_learned_zone(t, "link-a", 1, LAN_A, 33,
	    true, 1, 0, 65000), -1);
	assert_int_equal(esp_table_learned_zone(t, "link-a", 2, LAN_A, 24,
	    false, 0, 0, 0), -1);	/* not recorded */
	esp_table_free(t);
}

/*
 * Links that are not zone-redundant: per-zone records of their one zone
 * change nothing, a flow stays where it was before the records came
 * (zone 1 is keyed as the link) and a lone member is the link itself.
 */
static void
test_ecmp_zone_compat(void **state)
{
	static int was[NFLOWS];
	struct esp_table_link l[2];
	struct esp_table *t = zone_world(l);
	const struct esp_snap *s;
	unsigned n[M_NONE + 1], f;
	size_t ngroups;

	(void)state;
	/* link-a's zone 2 tunnel goes: a one-zone link like link-b. */
	assert_int_equal(esp_table_child_del(t, 0x1011, 100), 0);
	assert_int_equal(esp_table_learned_add(t, "link-a", LAN_A, 24), 0);
	assert_int_equal(esp_table_learned_add(t, "link-b", LAN_A, 24), 0);
	assert_int_equal(esp_table_learned_add(t, "link-b", SHARED, 24), 0);
	assert_int_equal(esp_table_commit(t), 0);
	zflows(t, was, n);
	assert_true(n[M_A1] > NFLOWS * 4 / 10 && n[M_B] > NFLOWS * 4 / 10);
	ngroups = esp_table_snap(t)->ngroups;
	assert_int_equal(esp_table_learned_zone(t, "link-a", 1, LAN_A, 24,
	    true, 0, 0, 0), 0);
	assert_int_equal(esp_table_learned_zone(t, "link-b", 1, LAN_A, 24,
	    true, 0, 0, 0), 0);
	assert_int_equal(esp_table_learned_zone(t, "link-b", 1, SHARED, 24,
	    true, 0, 0, 0), 0);
	assert_int_equal(esp_table_commit(t), 0);
	for (f = 0; f < NFLOWS; f++)
		assert_int_equal(zflow(t, (uint16_t)(30000 + f), LAN_A + 7),
		    was[f]);
	/* No group for a prefix of one link with one zone. */
	s = esp_table_snap(t);
	assert_int_equal(s->ngroups, ngroups);
	assert_int_equal(zflow(t, 1, SHARED + 1), M_B);
	assert_int_equal(esp_snap_route(s, esp_snap_tenant(s, 0, 7),
	    SHARED + 1)->zone, 0);
	esp_table_free(t);
}

/*
 * A model check over 1000 seeded random steps on two zone-redundant links
 * (tunnels and routes of each zone coming and going, attributes
 * changing): after each commit the flows reach exactly the members the
 * rules give, and rendezvous hashing holds: when members only go, every
 * flow whose member stayed stays; when members only come, a flow that
 * moves moves to a new one.
 */
#define MODEL_FLOWS	300

struct zmodel {
	uint32_t	spi[2][2];	/* live CHILD SA of link l zone z; 0: none */
	bool		held[2][2];
	uint32_t	path[2][2], med[2][2];
};

/* Member bits (1 << (2 l + z)) the rules give; 0: none expected. */
static unsigned
zmodel_expect(const struct zmodel *m)
{
	uint32_t best_path = UINT32_MAX, best_med = UINT32_MAX;
	unsigned l, z, set = 0;

	for (l = 0; l < 2; l++)
		for (z = 0; z < 2; z++)
			if (m->held[l][z] && m->spi[l][z] != 0 &&
			    m->path[l][z] < best_path)
				best_path = m->path[l][z];
	for (l = 0; l < 2; l++)
		for (z = 0; z < 2; z++)
			if (m->held[l][z] && m->spi[l][z] != 0 &&
			    m->path[l][z] == best_path && m->med[l][z] < best_med)
				best_med = m->med[l][z];
	/* One neighbouring AS: the lowest MED among the shortest paths. */
	for (l = 0; l < 2; l++)
		for (z = 0; z < 2; z++)
			if (m->held[l][z] && m->spi[l][z] != 0 &&
			    m->path[l][z] == best_path &&
			    m->med[l][z] == best_med)
				set |= 1u << (2 * l + z);
	return set;
}

/* The member bit of flow f, from the SA it is sealed with; 0: none. */
static unsigned
zmodel_flow(struct esp_table *t, unsigned f)
{
	const struct esp_snap *s = esp_table_snap(t);
	const struct esp_snap_link *sl;
	uint8_t p[28];

	flow_pkt(p, 0x08080808u, (uint16_t)(50000 + f), LAN_A + 3);
	sl = esp_snap_route_flow(s, esp_snap_tenant(s, 0, 7), LAN_A + 3, p,
	    sizeof(p));
	if (sl == NULL || sl->out == NULL)
		return 0;
	return 1u << (2 * (unsigned)(sl->id[5] - 'a') +
	    (sl->local_ip == GW_Z2 ? 1 : 0));
}

static void
test_ecmp_zone_model(void **state)
{
	static unsigned was[MODEL_FLOWS], now[MODEL_FLOWS];
	struct esp_table *t = esp_table_new();
	struct esp_table_link l[2];
	struct esp_table_child c;
	struct zmodel m;
	uint32_t rnd = 12345, next_spi = 0x5000;
	unsigned step, f, li, z, exp, old = 0, hit;
	int fa = 10;
	const char *id;

	(void)state;
	assert_non_null(t);
	assert_int_equal(esp_table_tenant_set(t, 0, 7, &fa, 1), 0);
	memset(l, 0, sizeof(l));
	snprintf(l[0].id, sizeof(l[0].id), "link-a");
	snprintf(l[1].id, sizeof(l[1].id), "link-b");
	assert_int_equal(esp_table_links_set(t, l, 2), 0);
	memset(&m, 0, sizeof(m));
	memset(was, 0, sizeof(was));
	/* Everything up at first; each step then changes one thing. */
	for (li = 0; li < 2; li++)
		for (z = 0; z < 2; z++) {
			m.spi[li][z] = next_spi++;
			c = mkz(l[li].id, (int)z + 1, m.spi[li][z],
			    m.spi[li][z] + 0x10000);
			assert_int_equal(esp_table_child_add(t, &c), 0);
			m.held[li][z] = true;
			m.path[li][z] = 1;
			zroute(t, l[li].id, (int)z + 1, true, 1, 0, 65000);
		}
	for (step = 0; step < 1000; step++) {
		rnd = rnd * 1103515245u + 12345u;
		li = (rnd >> 16) & 1;
		z = (rnd >> 17) & 1;
		id = l[li].id;
		/* A zone that is up changes one time in three: members share. */
		if (m.spi[li][z] != 0 && m.held[li][z] && (rnd >> 24) % 3 != 0)
			continue;
		switch ((rnd >> 18) % 3) {
		case 0:		/* the zone's tunnel goes or comes */
			if (m.spi[li][z] != 0) {
				assert_int_equal(esp_table_child_del(t,
				    m.spi[li][z], 100), 0);
				m.spi[li][z] = 0;
			} else {
				m.spi[li][z] = next_spi++;
				c = mkz(id, (int)z + 1, m.spi[li][z],
				    m.spi[li][z] + 0x10000);
				assert_int_equal(esp_table_child_add(t, &c), 0);
			}
			break;
		case 1:		/* its session announces or withdraws */
			m.held[li][z] = !m.held[li][z];
			m.path[li][z] = 1;
			m.med[li][z] = 0;
			zroute(t, id, (int)z + 1, m.held[li][z], 1, 0, 65000);
			break;
		default:	/* new attributes */
			if (!m.held[li][z])
				break;
			m.path[li][z] = 1 + ((rnd >> 20) % 4 == 0);
			m.med[li][z] = ((rnd >> 26) % 4 == 0) * 10;
			assert_int_equal(esp_table_learned_zone(t, id,
			    (int)z + 1, LAN_A, 24, true, m.path[li][z],
			    m.med[li][z], 65000), 0);
			break;
		}
		assert_int_equal(esp_table_commit(t), 0);
		exp = zmodel_expect(&m);
		hit = 0;
		for (f = 0; f < MODEL_FLOWS; f++) {
			now[f] = zmodel_flow(t, f);
			if (exp == 0)
				continue;	/* a yielding link's newest SA */
			assert_true((now[f] & exp) != 0);
			hit |= now[f];
			if ((exp & ~old) == 0 && (was[f] & exp) != 0)
				assert_int_equal(now[f], was[f]);
			if ((old & ~exp) == 0 && now[f] != was[f] &&
			    (was[f] & old) != 0)
				assert_true((now[f] & ~old) != 0);
		}
		/* 300 flows, up to 4 members: one without any, p < 10^-36. */
		assert_int_equal(hit, exp);
		memcpy(was, now, sizeof(was));
		old = exp;
	}
	esp_table_free(t);
}

/* Whether a packet decrypted with spi_in may come from src. */
static bool
src_ok(struct esp_table *t, uint32_t spi_in, uint32_t src)
{
	const struct esp_snap *s = esp_table_snap(t);
	const struct esp_snap_in *e = esp_snap_in_find(s, spi_in);

	assert_non_null(e);
	return esp_snap_src_ok(s, e, src);
}

/*
 * uRPF per link: a link's SA may carry its peer address, its learned and
 * static prefixes; not another link's, not the gateway's. Off: anything.
 */
static void
test_source_check(void **state)
{
	struct esp_table *t = esp_table_new();
	struct esp_table_link l[3];
	struct esp_table_child ca, cb, cc;
	int fa = 10;

	(void)state;
	assert_non_null(t);
	assert_int_equal(esp_table_tenant_set(t, 0, 7, &fa, 1), 0);
	memset(l, 0, sizeof(l));
	snprintf(l[0].id, sizeof(l[0].id), "link-a");
	l[0].peer_bgp = PEER;
	l[0].src_check = true;
	l[0].src[0].prefix = 0xac100000u;	/* 172.16.0.0/12 static */
	l[0].src[0].plen = 12;
	l[0].nsrc = 1;
	snprintf(l[1].id, sizeof(l[1].id), "link-b");
	l[1].peer_bgp = PEER_B;
	l[1].src_check = true;
	snprintf(l[2].id, sizeof(l[2].id), "cpe");	/* the CPE role: no check */
	l[2].peer_bgp = 0x0a090001u;
	assert_int_equal(esp_table_links_set(t, l, 3), 0);
	ca = mk("link-a", 0x1001, 0x2001, 4500);
	cb = mk("link-b", 0x1002, 0x2002, 4501);
	cc = mk("cpe", 0x1003, 0x2003, 4502);
	assert_int_equal(esp_table_child_add(t, &ca), 0);
	assert_int_equal(esp_table_child_add(t, &cb), 0);
	assert_int_equal(esp_table_child_add(t, &cc), 0);
	assert_int_equal(esp_table_commit(t), 0);

	assert_true(src_ok(t, 0x1001, PEER));
	assert_false(src_ok(t, 0x1001, PEER + 1));
	assert_false(src_ok(t, 0x1001, PEER_B));	/* the other link's */
	assert_true(src_ok(t, 0x1001, 0xac1f0001u));	/* static 172.31.0.1 */
	assert_false(src_ok(t, 0x1001, 0xac200001u));	/* 172.32.0.1 */
	assert_false(src_ok(t, 0x1002, 0xac1f0001u));
	assert_false(src_ok(t, 0x1001, LAN_A + 5));
	assert_true(src_ok(t, 0x1003, 0x08080808u));	/* no check */

	/* Learned: allowed once committed, tunnel state does not matter. */
	assert_int_equal(esp_table_learned_add(t, "link-a", LAN_A, 24), 0);
	assert_false(src_ok(t, 0x1001, LAN_A + 5));
	assert_int_equal(esp_table_commit(t), 0);
	assert_true(src_ok(t, 0x1001, LAN_A + 5));
	assert_false(src_ok(t, 0x1002, LAN_A + 5));
	/* Two links, nested prefixes: each its own (no longest-match theft). */
	assert_int_equal(esp_table_learned_add(t, "link-b", LAN_A, 16), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_true(src_ok(t, 0x1002, LAN_A + 5));
	assert_true(src_ok(t, 0x1001, LAN_A + 5));
	assert_false(src_ok(t, 0x1001, LAN_A + 256));
	assert_true(src_ok(t, 0x1002, LAN_A + 256));
	/* Withdrawn: refused again. */
	assert_int_equal(esp_table_learned_del(t, "link-a", LAN_A, 24), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_false(src_ok(t, 0x1001, LAN_A + 5));
	/* A lingering SA (after a rekey) keeps its link's check. */
	assert_int_equal(esp_table_child_del(t, 0x1001, 100), 0);
	assert_int_equal(esp_table_commit(t), 0);
	assert_true(src_ok(t, 0x1001, PEER));
	assert_false(src_ok(t, 0x1001, PEER_B));
	esp_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_learned),
		cmocka_unit_test(test_source_check),
		cmocka_unit_test(test_ecmp),
		cmocka_unit_test(test_ecmp_rank),
		cmocka_unit_test(test_ecmp_zones),
		cmocka_unit_test(test_ecmp_zone_rank),
		cmocka_unit_test(test_zone_binding),
		cmocka_unit_test(test_ecmp_zone_compat),
		cmocka_unit_test(test_ecmp_zone_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
