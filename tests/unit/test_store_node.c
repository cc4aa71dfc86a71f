/*
 * test_store_node.c - the node list (store.h store_node_*, store_node.c)
 * on SQLite in a mkdtemp directory and on a throwaway PostgreSQL
 * (tests/include/pg_server.sh): registration round trips, a re-register
 * replacing the row but keeping a drain, heartbeats, down computed from the
 * heartbeat's age (at the boundary), names and values the store refuses,
 * not-found answers, the list order and rows surviving a reopen.
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

#include "store.h"

static char test_dir[PATH_MAX];
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

/* --- backends --------------------------------------------------------------- */

static char pg_dir[PATH_MAX];

static int
pg_start(void)
{
	char cmd[PATH_MAX + 64];
	const char *src = getenv("BG_SRCDIR");
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sh %s/tests/include/pg_server.sh start",
	    src != NULL ? src : ".");
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(pg_dir, sizeof(pg_dir), p) == NULL ||
	    fgets(test_url, sizeof(test_url), p) == NULL) {
		pclose(p);
		return -1;
	}
	pg_dir[strcspn(pg_dir, "\n")] = '\0';
	test_url[strcspn(test_url, "\n")] = '\0';
	return pclose(p) == 0 ? 0 : -1;
}

static void
pg_stop(void)
{
	char cmd[2 * PATH_MAX];
	const char *src = getenv("BG_SRCDIR");

	snprintf(cmd, sizeof(cmd), "sh %s/tests/include/pg_server.sh stop %s",
	    src != NULL ? src : ".", pg_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "pg_server.sh stop failed\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_down),
		cmocka_unit_test(test_invalid),
	};
	char cmd[PATH_MAX + 16];
	int rc;

	snprintf(test_dir, sizeof(test_dir), "/tmp/test_store_node.XXXXXX");
	if (mkdtemp(test_dir) == NULL)
		return 1;
	snprintf(test_url, sizeof(test_url), "sqlite:%s/bg.db", test_dir);
	fprintf(stderr, "== SQLite\n");
	rc = _cmocka_run_group_tests("store_node_sqlite", tests,
	    sizeof(tests) / sizeof(tests[0]), NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", test_dir);
	if (system(cmd) != 0)
		rc = 1;
	fprintf(stderr, "== PostgreSQL\n");
	if (pg_start() == -1) {
		fprintf(stderr, "could not start PostgreSQL\n");
		return 1;
	}
	rc |= _cmocka_run_group_tests("store_node_postgresql", tests,
	    sizeof(tests) / sizeof(tests[0]), NULL, NULL);
	pg_stop();
	return rc != 0;
}
