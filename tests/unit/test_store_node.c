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
 * going with their link. Data from the nodes (schema 9, store_status.c):
 * status rows round trip, per node, replaced, dropped and cleared; and
 * the operator's drain (zones moved by the rule, zone 2 kept off zone 1's
 * node, nothing moved and the state unchanged when a zone has no other
 * node), activate and remove (refused while zones are placed).
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
	assert_int_equal(store_schema_version(s), 9);
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

/* A tenant with one remote network, for the link tests. */
static void
test_tenant_rn(struct store *s, struct store_tenant *t, struct model_rn *rn)
{
	char token[STORE_TOKEN_ID_LEN + 1];
	uint8_t hash[STORE_HASH_LEN];

	memset(t, 0, sizeof(*t));
	assert_int_equal(guid_new(t->id), 0);
	snprintf(token, sizeof(token), "%.8s%.8s", t->id, t->id + 9);
	snprintf(t->name, sizeof(t->name), "tenant %s", token);
	memset(hash, 7, sizeof(hash));
	assert_int_equal(store_tenant_add(s, t, token, hash), 0);
	memset(rn, 0, sizeof(*rn));
	assert_int_equal(guid_new(rn->id), 0);
	snprintf(rn->name, sizeof(rn->name), "rn");
	snprintf(rn->version, sizeof(rn->version), "1.0.0");
	assert_int_equal(store_rn_put(s, t->id, rn), 0);
}

static void
test_zs(struct store_zstatus *z, const char *tid, const char *link_id,
    int zone, const char *node, uint64_t bytes)
{
	memset(z, 0, sizeof(*z));
	snprintf(z->link_id, sizeof(z->link_id), "%s", link_id);
	snprintf(z->tenant_id, sizeof(z->tenant_id), "%s", tid);
	z->zone = zone;
	snprintf(z->node, sizeof(z->node), "%s", node);
	z->updated_ms = T0 + (int64_t)bytes;
	z->dataplane = true;
	z->tunnel.connected = true;
	z->tunnel.local_ip = 0xcb007101;
	z->tunnel.remote_ip = 0xc6336407;
	z->tunnel.remote_port = 4500;
	z->tunnel.udp_encap = true;
	snprintf(z->tunnel.ike_suite, sizeof(z->tunnel.ike_suite),
	    "AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256");
	snprintf(z->tunnel.esp_suite, sizeof(z->tunnel.esp_suite),
	    "AES_GCM_16_256");
	z->tunnel.established_ms = T0 - 5000;
	z->tunnel.child_sas = 1;
	z->in_packets = bytes / 100;
	z->in_bytes = bytes;
	z->out_packets = 7;
	z->out_bytes = UINT64_MAX;	/* kept at INT64_MAX */
	z->replay = 1;
	z->auth_failed = 2;
	z->malformed = 3;
	z->spoofed = 4;
	z->bgp.present = true;
	snprintf(z->bgp.state, sizeof(z->bgp.state), "established");
	z->bgp.local_ip = 0x0a010001;
	z->bgp.peer_ip = 0x0a010002;
	z->bgp.peer_asn = 4200000000u;
	z->bgp.established_ms = T0 - 4000;
	z->bgp.received = 3;
	z->bgp.learned = 2;
	z->bgp.advertised = 5;
	z->bgp.rejected = 1;
	z->bgp.treat_as_withdraw = 9;
	snprintf(z->bgp.last_error, sizeof(z->bgp.last_error),
	    "hold timer expired; it's \"quoted\"");
	snprintf(z->bgp.bfd_state, sizeof(z->bgp.bfd_state), "up");
	z->bgp.bfd_detect_ms = 900;
	z->bgp.bfd_tx_ms = 300;
	snprintf(z->reason, sizeof(z->reason), "ok");
	snprintf(z->reason_detail, sizeof(z->reason_detail),
	    "tunnel, BGP and routes up");
}

static void
test_status(void **state)
{
	struct store *s = test_open();
	struct store_tenant t;
	struct model_rn rn;
	struct model_link l1;
	struct store_zstatus put[3], *rows = NULL;
	size_t n;

	(void)state;
	test_tenant_rn(s, &t, &rn);
	test_place_link(&l1, rn.id, "l1", 1, true);
	assert_int_equal(store_link_put(s, t.id, &l1), 0);

	/* Two nodes' rows for zone 1 (a move), one for zone 2. */
	test_zs(&put[0], t.id, l1.id, 1, "gw-a", 1000);
	test_zs(&put[1], t.id, l1.id, 2, "gw-a", 0);
	put[1].tunnel.connected = false;
	put[1].bgp.present = false;
	memset(put[1].bgp.bfd_state, 0, sizeof(put[1].bgp.bfd_state));
	memset(put[1].reason, 0, sizeof(put[1].reason));
	assert_int_equal(store_zstatus_write(s, "gw-a", true, put, 2, NULL, 0),
	    0);
	test_zs(&put[2], t.id, l1.id, 1, "gw-b", 2000);
	assert_int_equal(store_zstatus_write(s, "gw-b", false, &put[2], 1, NULL,
	    0), 0);
	assert_int_equal(store_zstatus_list(s, t.id, l1.id, &rows, &n), 0);
	assert_int_equal(n, 3);
	/* By zone, then node; the counter past INT64_MAX at the top. */
	put[0].out_bytes = put[1].out_bytes = put[2].out_bytes = INT64_MAX;
	assert_memory_equal(&rows[0], &put[0], sizeof(rows[0]));
	assert_memory_equal(&rows[1], &put[2], sizeof(rows[1]));
	assert_memory_equal(&rows[2], &put[1], sizeof(rows[2]));
	free(rows);

	/* Replaced in place; another tenant reads nothing. */
	put[0].in_bytes = 5;
	put[0].tunnel.connected = false;
	memset(put[0].reason, 0, sizeof(put[0].reason));
	snprintf(put[0].reason, sizeof(put[0].reason), "noTunnel");
	assert_int_equal(store_zstatus_write(s, "gw-a", false, put, 1, NULL, 0),
	    0);
	assert_int_equal(store_zstatus_list(s, t.id, l1.id, &rows, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(&rows[0], &put[0], sizeof(rows[0]));
	free(rows);
	assert_int_equal(store_zstatus_list(s,
	    "00000000-0000-4000-8000-00000000dead", l1.id, &rows, &n), 0);
	assert_int_equal(n, 0);

	/* A row of another node's is refused, and nothing is written. */
	assert_int_equal(store_zstatus_write(s, "gw-a", false, &put[2], 1, NULL,
	    0), -1);
	put[2].zone = 3;
	assert_int_equal(store_zstatus_write(s, "gw-b", false, &put[2], 1, NULL,
	    0), -1);
	put[2].zone = 1;

	/* Drop by key: only gw-a's zone 2 goes. */
	assert_int_equal(store_zstatus_write(s, "gw-a", false, NULL, 0, &put[1],
	    1), 0);
	assert_int_equal(store_zstatus_list(s, t.id, l1.id, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].node, "gw-a");
	assert_string_equal(rows[1].node, "gw-b");
	free(rows);
	/* Clear: every row of gw-b, then its new ones. */
	test_zs(&put[2], t.id, l1.id, 2, "gw-b", 3000);
	assert_int_equal(store_zstatus_write(s, "gw-b", true, &put[2], 1, NULL,
	    0), 0);
	assert_int_equal(store_zstatus_list(s, t.id, l1.id, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].zone, 1);
	assert_string_equal(rows[0].node, "gw-a");
	assert_int_equal(rows[1].zone, 2);
	assert_string_equal(rows[1].node, "gw-b");
	free(rows);
	/* No node row: remove says so. */
	assert_int_equal(store_node_remove(s, "gw-b"), STORE_NOTFOUND);
	store_close(s);
}

/* Later than every heartbeat of the tests before: their nodes are down. */
#define T1	9000000000LL

static void
test_drain(void **state)
{
	struct store *s = test_open();
	struct store_tenant t;
	struct store_node n;
	struct model_rn rn;
	struct model_link l1, l2, l3;
	struct store_node_move *mv = NULL;
	struct store_node_zone *zs = NULL;
	size_t nmv, cnt;

	(void)state;
	test_tenant_rn(s, &t, &rn);
	test_node(&n, "d-a", STORE_NODE_GATEWAY, 0xcb007101, 0xcb00710b);
	assert_int_equal(store_node_register(s, &n, T1), 0);
	test_node(&n, "d-b", STORE_NODE_GATEWAY, 0xcb00710c, 0xcb007102);
	assert_int_equal(store_node_register(s, &n, T1), 0);

	/* l1 zone 1 on gw-a, zone 2 on gw-b; l2 on gw-b; l3 on gw-a. */
	test_place_link(&l1, rn.id, "l1", 1, true);
	test_place_link(&l2, rn.id, "l2", 2, false);
	test_place_link(&l3, rn.id, "l3", 3, false);
	assert_int_equal(store_link_put(s, t.id, &l1), 0);
	assert_int_equal(store_link_place(s, t.id, &l1, T1), 0);
	assert_int_equal(store_link_put(s, t.id, &l2), 0);
	assert_int_equal(store_link_place(s, t.id, &l2, T1), 0);
	assert_int_equal(store_link_put(s, t.id, &l3), 0);
	assert_int_equal(store_link_place(s, t.id, &l3, T1), 0);
	test_placed(s, t.id, &l1, "d-a", 0xcb007101, "d-b", 0xcb007102);
	test_placed(s, t.id, &l2, "d-a", 0xcb007101, "", 0);
	test_placed(s, t.id, &l3, "d-b", 0xcb00710c, "", 0);
	assert_int_equal(store_node_zones(s, "d-a", &zs, &cnt), 0);
	assert_int_equal(cnt, 2);
	assert_true(strcmp(zs[0].link_id, zs[1].link_id) < 0);
	assert_string_equal(zs[0].tenant_id, t.id);
	free(zs);

	/* gw-b alone: its zones have nowhere to go; nothing changes. */
	assert_int_equal(store_node_drain(s, "d-b", T1 + 60000, &mv, &nmv),
	    STORE_CONFLICT);
	assert_null(mv);
	assert_int_equal(nmv, 0);
	assert_string_equal(store_conflict(s)->err[0].target, "name");
	assert_int_equal(store_node_get(s, "d-b", &n), 0);
	assert_int_equal(n.state, STORE_NODE_ACTIVE);
	test_placed(s, t.id, &l1, "d-a", 0xcb007101, "d-b", 0xcb007102);
	test_placed(s, t.id, &l3, "d-b", 0xcb00710c, "", 0);

	/* Both up: gw-b's zones go to gw-a, l1's zone 2 too (the only one). */
	assert_int_equal(store_node_drain(s, "d-b", T1 + 1000, &mv, &nmv), 0);
	assert_int_equal(nmv, 2);
	assert_string_equal(mv[0].to, "d-a");
	assert_string_equal(mv[1].to, "d-a");
	assert_true(mv[0].zone == 2 || mv[1].zone == 2);
	free(mv);
	assert_int_equal(store_node_get(s, "d-b", &n), 0);
	assert_int_equal(n.state, STORE_NODE_DRAINING);
	test_placed(s, t.id, &l1, "d-a", 0xcb007101, "d-a", 0xcb00710b);
	test_placed(s, t.id, &l3, "d-a", 0xcb007101, "",
	    0);
	assert_int_equal(store_node_zones(s, "d-b", &zs, &cnt), 0);
	assert_int_equal(cnt, 0);
	free(zs);
	/* A draining node gets no new link; a restart keeps the drain. */
	test_node(&n, "d-b", STORE_NODE_GATEWAY, 0xcb00710c, 0xcb007102);
	assert_int_equal(store_node_register(s, &n, T1 + 2000), 0);
	assert_int_equal(store_node_get(s, "d-b", &n), 0);
	assert_int_equal(n.state, STORE_NODE_DRAINING);

	/* Back to active; then gw-a drains, and zone 2 avoids zone 1's node. */
	assert_int_equal(store_node_activate(s, "d-b"), 0);
	assert_int_equal(store_node_get(s, "d-b", &n), 0);
	assert_int_equal(n.state, STORE_NODE_ACTIVE);
	test_node(&n, "d-c", STORE_NODE_GATEWAY, 0xcb00710d, 0xcb007103);
	assert_int_equal(store_node_register(s, &n, T1), 0);
	assert_int_equal(store_node_drain(s, "d-a", T1 + 1000, &mv, &nmv), 0);
	assert_int_equal(nmv, 4);
	free(mv);
	{
		char node[MODEL_ZONES_MAX][STORE_NODE_NAME_MAX + 1];
		uint32_t ep[MODEL_ZONES_MAX];

		assert_int_equal(store_link_nodes(s, t.id, l1.id, node, ep), 0);
		assert_string_not_equal(node[0], "d-a");
		assert_string_not_equal(node[1], "d-a");
		assert_string_not_equal(node[0], node[1]);
	}

	/* Remove: refused while zones are placed, then allowed. */
	assert_int_equal(store_node_remove(s, "d-b"), STORE_CONFLICT);
	assert_int_equal(store_node_remove(s, "d-a"), 0);
	assert_int_equal(store_node_get(s, "d-a", &n), STORE_NOTFOUND);
	assert_int_equal(store_node_remove(s, "d-a"), STORE_NOTFOUND);
	assert_int_equal(store_node_drain(s, "d-a", T1, &mv, &nmv),
	    STORE_NOTFOUND);
	assert_int_equal(store_node_activate(s, "d-a"), STORE_NOTFOUND);
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
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_drain),
	};

	return test_pg_both("store_node", tests, sizeof(tests) / sizeof(tests[0]),
	    test_url, sizeof(test_url));
}
