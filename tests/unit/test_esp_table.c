/*
 * test_esp_table.c - esp_table.c: snapshots after each commit (SPI lookup,
 * per-tenant LPM -> link -> outbound SA), the choice of outbound SA across
 * a rekey, the linger of deleted SAs and their retirement, endpoint
 * updates, tenant removal; BGP-learned prefixes per link (counted, kept
 * across link changes, behind the static entries, live links first, up to
 * the per-link limit). Single-threaded: the RCU grace periods pass at once.
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
