/*
 * test_store_node.c - the node list (store.h store_node_*, store_node.c)
 * on SQLite in a mkdtemp directory and on a throwaway PostgreSQL
 * (tests/include/pg_server.sh): registration round trips, a re-register
 * replacing the row but keeping a drain, heartbeats, down computed from the
 * heartbeat's age (at the boundary), names and values the store refuses,
 * not-found answers, the list order and rows surviving a reopen; and the
 * placement rule (store_link_place): zone 2 on the other node, least
 * loaded, then by name, down nodes skipped, a placed zone kept, a dropped
 * zone forgotten, the refusal when no node serves a zone, and the rows
 * going with their link.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_pg.h"

#include "guid.h"
#include "store.h"

static char test_url[PATH_MAX + 64];

static struct store *
test_open(void)
{
	struct store *s = NULL;
	char err[256];

	if (store_open(test_url, &s, err, sizeof(err)) != 0)
		fail_msg("store_open %s: %s", test_url, err);
	return s;
}

static void
test_node(struct store_node *n, const char *name, int role, uint32_t ep1,
    uint32_t ep2)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->role = role;
	n->endpoint[0] = ep1;
	n->endpoint[1] = ep2;
	n->heartbeat_s = 5;
}

static void
test_round_trip(void **state)
{
	struct store *s = test_open();
	struct store_node n, got, *list = NULL;
	size_t cnt;

	(void)state;
	assert_int_equal(store_schema_version(s), 8);
	/* 255.255.255.255 is the top of the column's range. */
	test_node(&n, "gw-b", STORE_NODE_GATEWAY, 0xcb007101, 0xffffffff);
	assert_int_equal(store_node_register(s, &n, 1000000), 0);
	test_node(&n, "api-1", STORE_NODE_API, 0, 0);
	assert_int_equal(store_node_register(s, &n, 1000000), 0);
	test_node(&n, "gw-a", STORE_NODE_GATEWAY, 0xcb007102, 0);
	assert_int_equal(store_node_register(s, &n, 1000000), 0);
	assert_int_equal(store_node_get(s, "gw-b", &got), 0);
	assert_string_equal(got.name, "gw-b");
	assert_int_equal(got.role, STORE_NODE_GATEWAY);
	assert_int_equal(got.endpoint[0], 0xcb007101);
	assert_int_equal(got.endpoint[1], 0xffffffff);
	assert_int_equal(got.state, STORE_NODE_ACTIVE);
	assert_int_equal(got.heartbeat_s, 5);
	assert_int_equal(got.started_ms, 1000000);
	assert_int_equal(got.heartbeat_ms, 1000000);
	assert_int_equal(store_node_list(s, &list, &cnt), 0);
	assert_int_equal(cnt, 3);
	assert_string_equal(list[0].name, "api-1");
	assert_int_equal(list[0].role, STORE_NODE_API);
	assert_string_equal(list[1].name, "gw-a");
	assert_string_equal(list[2].name, "gw-b");
	free(list);

	/* A heartbeat moves heartbeat_ms only. */
	assert_int_equal(store_node_heartbeat(s, "gw-b", 1005000), 0);
	assert_int_equal(store_node_get(s, "gw-b", &got), 0);
	assert_int_equal(got.started_ms, 1000000);
	assert_int_equal(got.heartbeat_ms, 1005000);
	/* A restart replaces the row: new endpoints, interval, start. */
	test_node(&n, "gw-b", STORE_NODE_GATEWAY, 0xcb007109, 0);
	n.heartbeat_s = 1;
	assert_int_equal(store_node_register(s, &n, 2000000), 0);
	assert_int_equal(store_node_get(s, "gw-b", &got), 0);
	assert_int_equal(got.endpoint[0], 0xcb007109);
	assert_int_equal(got.endpoint[1], 0);
	assert_int_equal(got.heartbeat_s, 1);
	assert_int_equal(got.started_ms, 2000000);
	store_close(s);

	/* Rows survive a reopen. */
	s = test_open();
	assert_int_equal(store_node_get(s, "gw-a", &got), 0);
	assert_int_equal(got.endpoint[0], 0xcb007102);
	assert_int_equal(store_node_delete(s, "gw-a"), 0);
	assert_int_equal(store_node_delete(s, "gw-a"), STORE_NOTFOUND);
	assert_int_equal(store_node_get(s, "gw-a", &got), STORE_NOTFOUND);
	assert_int_equal(store_node_heartbeat(s, "gw-a", 3000000),
	    STORE_NOTFOUND);
	assert_int_equal(store_node_delete(s, "gw-b"), 0);
	assert_int_equal(store_node_delete(s, "api-1"), 0);
	store_close(s);
}

static void
test_down(void **state)
{
	struct store_node n;

	(void)state;
	test_node(&n, "x", STORE_NODE_GATEWAY, 1, 0);
	n.heartbeat_s = 5;
	n.heartbeat_ms = 100000;
	/* Down after exactly 3 missed intervals have passed, not before. */
	assert_false(store_node_down(&n, 100000));
	assert_false(store_node_down(&n, 115000));
	assert_true(store_node_down(&n, 115001));
	assert_string_equal(store_node_state_name(&n, 110000), "up");
	assert_string_equal(store_node_state_name(&n, 200000), "down");
	n.state = STORE_NODE_DRAINING;
	assert_string_equal(store_node_state_name(&n, 110000), "draining");
	assert_string_equal(store_node_state_name(&n, 200000), "down");
	/* A heartbeat from a clock ahead of ours is not down. */
	assert_false(store_node_down(&n, 90000));
	assert_string_equal(store_node_role_name(STORE_NODE_API), "api");
	assert_string_equal(store_node_role_name(7), "?");
}

static void
test_invalid(void **state)
{
	static const char *const bad[] = { "", "-gw", "Gw", "gw_1", "gw 1",
		"gw.1", "gw/1" };
	static const char *const good[] = { "a", "gw-1", "0", "node-2-zone-1" };
	struct store *s = test_open();
	struct store_node n, *list = NULL;
	char longname[STORE_NODE_NAME_MAX + 2];
	size_t i, cnt;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(store_node_name_valid(bad[i]));
		test_node(&n, bad[i], STORE_NODE_GATEWAY, 1, 0);
		assert_int_equal(store_node_register(s, &n, 1), -1);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(store_node_name_valid(good[i]));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_false(store_node_name_valid(longname));
	longname[STORE_NODE_NAME_MAX] = '\0';
	assert_true(store_node_name_valid(longname));
	test_node(&n, "ok", 2, 1, 0);
	assert_int_equal(store_node_register(s, &n, 1), -1);
	test_node(&n, "ok", STORE_NODE_GATEWAY, 1, 0);
	n.heartbeat_s = 0;
	assert_int_equal(store_node_register(s, &n, 1), -1);
	n.heartbeat_s = 61;
	assert_int_equal(store_node_register(s, &n, 1), -1);
	assert_int_equal(store_node_list(s, &list, &cnt), 0);
	assert_int_equal(cnt, 0);
	free(list);
	store_close(s);
}

static void
test_place_link(struct model_link *l, const char *rn_id, const char *name,
    unsigned seq, bool zr)
{
	memset(l, 0, sizeof(*l));
	assert_int_equal(guid_new(l->id), 0);
	snprintf(l->rn_id, sizeof(l->rn_id), "%s", rn_id);
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->ip = 0xc6336400 + seq;		/* 198.51.100.seq */
	l->vendor = model_enum_parse(&model_vendor_enum, "other");
	l->bandwidth = MODEL_BW_500;
	l->bgp_local = 0x0a010000 + seq * 4 + 1;
	l->bgp_peer = 0x0a010000 + seq * 4 + 2;
	l->zone_local = zr ? 0x0a010000 + seq * 4 + 3 : 0;
	l->asn = 65001;
	l->redundancy = zr ? MODEL_RED_ZONE : MODEL_RED_NONE;
	snprintf(l->tunnel.psk, sizeof(l->tunnel.psk), "psk-%u-secret", seq);
	snprintf(l->version, sizeof(l->version), "1.0.0");
	l->modified_ms = 1700000000789;
}

static void
test_placed(struct store *s, const char *tid, const struct model_link *l,
    const char *n1, uint32_t ep1, const char *n2, uint32_t ep2)
{
	char node[MODEL_ZONES_MAX][STORE_NODE_NAME_MAX + 1];
	uint32_t ep[MODEL_ZONES_MAX];

	assert_int_equal(store_link_nodes(s, tid, l->id, node, ep), 0);
	assert_string_equal(node[0], n1);
	assert_string_equal(node[1], n2);
	assert_int_equal(ep[0], ep1);
	assert_int_equal(ep[1], ep2);
}

#define T0	5000000000LL

static void
test_placement(void **state)
{
	struct store *s = test_open();
	struct store_tenant t;
	struct store_node n;
	struct model_rn rn;
	struct model_link l1, l2, l3, l4;
	char (*ids)[MODEL_ID_LEN + 1] = NULL, token[STORE_TOKEN_ID_LEN + 1];
	uint8_t hash[STORE_HASH_LEN];
	size_t cnt;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(guid_new(t.id), 0);
	snprintf(token, sizeof(token), "%.8s%.8s", t.id, t.id + 9);
	snprintf(t.name, sizeof(t.name), "tenant %s", token);
	memset(hash, 7, sizeof(hash));
	assert_int_equal(store_tenant_add(s, &t, token, hash), 0);
	memset(&rn, 0, sizeof(rn));
	assert_int_equal(guid_new(rn.id), 0);
	snprintf(rn.name, sizeof(rn.name), "rn");
	snprintf(rn.version, sizeof(rn.version), "1.0.0");
	assert_int_equal(store_rn_put(s, t.id, &rn), 0);

	/* gw-0 sorts first and has no load, but it is down. */
	test_node(&n, "gw-0", STORE_NODE_GATEWAY, 0xcb007164, 0xcb007165);
	assert_int_equal(store_node_register(s, &n, T0 - 100000), 0);
	test_node(&n, "gw-a", STORE_NODE_GATEWAY, 0xcb007101, 0xcb00710b);
	assert_int_equal(store_node_register(s, &n, T0), 0);
	test_node(&n, "gw-b", STORE_NODE_GATEWAY, 0xcb00710c, 0xcb007102);
	assert_int_equal(store_node_register(s, &n, T0), 0);
	/* An api node serves no zone, whatever its row says. */
	test_node(&n, "api", STORE_NODE_API, 0xcb0071c8, 0xcb0071c9);
	assert_int_equal(store_node_register(s, &n, T0), 0);

	/* Zone 1 by name on a tie, zone 2 on the other node. */
	test_place_link(&l1, rn.id, "l1", 1, true);
	assert_int_equal(store_link_put(s, t.id, &l1), 0);
	assert_int_equal(store_link_place(s, t.id, &l1, T0 + 1000), 0);
	test_placed(s, t.id, &l1, "gw-a", 0xcb007101, "gw-b", 0xcb007102);
	/* 1 and 1: the name; then 2 and 1: the less loaded. */
	test_place_link(&l2, rn.id, "l2", 2, false);
	assert_int_equal(store_link_put(s, t.id, &l2), 0);
	assert_int_equal(store_link_place(s, t.id, &l2, T0 + 1000), 0);
	test_placed(s, t.id, &l2, "gw-a", 0xcb007101, "", 0);
	test_place_link(&l3, rn.id, "l3", 3, false);
	assert_int_equal(store_link_put(s, t.id, &l3), 0);
	assert_int_equal(store_link_place(s, t.id, &l3, T0 + 1000), 0);
	test_placed(s, t.id, &l3, "gw-b", 0xcb00710c, "", 0);
	/* Written again: it stays, though gw-b is the less loaded now. */
	assert_int_equal(store_link_place(s, t.id, &l2, T0 + 1000), 0);
	test_placed(s, t.id, &l2, "gw-a", 0xcb007101, "", 0);
	/* The tier goes down: zone 2 is forgotten, zone 1 stays. */
	l1.redundancy = MODEL_RED_NONE;
	l1.zone_local = 0;
	assert_int_equal(store_link_put(s, t.id, &l1), 0);
	assert_int_equal(store_link_place(s, t.id, &l1, T0 + 1000), 0);
	test_placed(s, t.id, &l1, "gw-a", 0xcb007101, "", 0);
	assert_int_equal(store_node_links(s, "gw-a", &ids, &cnt), 0);
	assert_int_equal(cnt, 2);
	assert_true(strcmp(ids[0], ids[1]) < 0);
	assert_true((strcmp(ids[0], l1.id) == 0 && strcmp(ids[1], l2.id) == 0) ||
	    (strcmp(ids[0], l2.id) == 0 && strcmp(ids[1], l1.id) == 0));
	free(ids);

	/* Every node down by then: refused, naming the field. */
	test_place_link(&l4, rn.id, "l4", 4, true);
	assert_int_equal(store_link_put(s, t.id, &l4), 0);
	assert_int_equal(store_link_place(s, t.id, &l4, T0 + 60000),
	    STORE_CONFLICT);
	assert_string_equal(store_conflict(s)->err[0].target,
	    "redundancyConfiguration");
	test_placed(s, t.id, &l4, "", 0, "", 0);
	/* Only gw-a up: both zones on it, as the only one serving them. */
	assert_int_equal(store_node_heartbeat(s, "gw-a", T0 + 60000), 0);
	assert_int_equal(store_link_place(s, t.id, &l4, T0 + 60000), 0);
	test_placed(s, t.id, &l4, "gw-a", 0xcb007101, "gw-a", 0xcb00710b);

	/* A node row gone: the placement stays, with no endpoint. */
	assert_int_equal(store_node_delete(s, "gw-b"), 0);
	test_placed(s, t.id, &l3, "gw-b", 0, "", 0);
	/* The rows go with their link. */
	assert_int_equal(store_link_delete(s, t.id, rn.id, l3.id), 0);
	assert_int_equal(store_node_links(s, "gw-b", &ids, &cnt), 0);
	assert_int_equal(cnt, 0);
	free(ids);
	/* Another tenant's id reads as not placed. */
	test_placed(s, "00000000-0000-4000-8000-00000000dead", &l1, "", 0, "",
	    0);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_down),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_placement),
	};

	return test_pg_both("store_node", tests, sizeof(tests) / sizeof(tests[0]),
	    test_url, sizeof(test_url));
}
