/*
 * test_store_events.c - health events (store_event_add / _list / _prune)
 * and store_link_list_all against the SQLite backend: round trip, newest
 * first, keyset paging, filters, oldest first, createdDateTime bounds and
 * the total, tenant isolation, corrupt rows, and the
 * migration of a schema-1 database to schema 2.
 */
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "guid.h"
#include "store.h"

static char test_dir[PATH_MAX];
static int test_seq;

static struct store *
test_open_new(char *path, size_t size)
{
	struct store *s = NULL;
	char err[256];

	assert_true((size_t)snprintf(path, size, "%s/e%d.db", test_dir,
	    ++test_seq) < size);
	assert_int_equal(store_open(path, &s, err, sizeof(err)), 0);
	return s;
}

static void
test_raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int64_t
test_raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
test_tenant(struct store *s, struct store_tenant *t, const char *token_id)
{
	uint8_t hash[STORE_HASH_LEN];

	memset(t, 0, sizeof(*t));
	assert_int_equal(guid_new(t->id), 0);
	snprintf(t->name, sizeof(t->name), "tenant %s", token_id);
	t->created_ms = 1700000000000;
	memset(hash, 7, sizeof(hash));
	assert_int_equal(store_tenant_add(s, t, token_id, hash), 0);
}

static void
test_event(struct store_event *ev, const char *rn_id, int64_t ms, int status)
{
	memset(ev, 0, sizeof(*ev));
	assert_int_equal(guid_new(ev->id), 0);
	snprintf(ev->rn_id, sizeof(ev->rn_id), "%s", rn_id);
	ev->created_ms = ms;
	ev->source_ip = 0xc6336407;		/* 198.51.100.7 */
	ev->destination_ip = 0xcb007101;	/* 203.0.113.1 */
	ev->status = status;
	snprintf(ev->description, sizeof(ev->description),
	    "event at %lld", (long long)ms);
}

static void
test_filter(struct store_event_filter *f, size_t top)
{
	memset(f, 0, sizeof(*f));
	f->status = -1;
	f->top = top;
}

/* --- tests ----------------------------------------------------------------- */

static void
test_roundtrip(void **state)
{
	struct store *s;
	struct store_tenant t;
	struct store_event ev, *out = NULL;
	struct store_event_filter f;
	char path[PATH_MAX], rn[MODEL_ID_LEN + 1];
	size_t n;
	bool more;

	(void)state;
	s = test_open_new(path, sizeof(path));
	assert_int_equal(store_schema_version(s), 9);
	test_tenant(s, &t, "00000000000000e1");
	assert_int_equal(guid_new(rn), 0);

	test_filter(&f, 10);
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 0);
	assert_null(out);
	assert_false(more);

	test_event(&ev, rn, 1700000001000, STORE_EV_TUNNEL_CONNECTED);
	ev.bgp_routes_advertised = 12;
	ev.sent_bytes = INT64_MAX;
	ev.received_bytes = 5;
	memset(ev.description, 0, sizeof(ev.description));
	snprintf(ev.description, sizeof(ev.description), "it's \"quoted\"; --");
	assert_int_equal(store_event_add(s, t.id, &ev), 0);
	/* The same id twice is a store error, not a silent overwrite. */
	assert_int_equal(store_event_add(s, t.id, &ev), -1);

	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 1);
	assert_false(more);
	assert_memory_equal(&out[0], &ev, sizeof(ev));
	free(out);

	/* An empty description is stored as NULL and comes back empty. */
	test_event(&ev, rn, 1700000002000, STORE_EV_TUNNEL_DISCONNECTED);
	memset(ev.description, 0, sizeof(ev.description));
	assert_int_equal(store_event_add(s, t.id, &ev), 0);
	assert_int_equal(test_raw_int(path, "SELECT count(*) FROM health_events "
	    "WHERE description IS NULL"), 1);
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(&out[0], &ev, sizeof(ev));
	free(out);

	/* A gateway node's event carries its name; the single node's NULL. */
	test_event(&ev, rn, 1700000003000, STORE_EV_REMOTE_NETWORK_ALIVE);
	snprintf(ev.node, sizeof(ev.node), "gw-a");
	assert_int_equal(store_event_add(s, t.id, &ev), 0);
	assert_int_equal(test_raw_int(path, "SELECT count(*) FROM health_events "
	    "WHERE node = 'gw-a'"), 1);
	assert_int_equal(test_raw_int(path, "SELECT count(*) FROM health_events "
	    "WHERE node IS NULL"), 2);
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(&out[0], &ev, sizeof(ev));
	assert_string_equal(out[1].node, "");
	free(out);

	/* Out-of-range values are refused before SQL. */
	test_event(&ev, rn, 1, 99);
	assert_int_equal(store_event_add(s, t.id, &ev), -1);
	test_event(&ev, rn, 1, STORE_EV_BGP_CONNECTED);
	ev.sent_bytes = -1;
	assert_int_equal(store_event_add(s, t.id, &ev), -1);
	/* Unknown tenant: the foreign key refuses it. */
	test_event(&ev, rn, 1, STORE_EV_BGP_CONNECTED);
	assert_int_equal(store_event_add(s,
	    "00000000-0000-4000-8000-000000000000", &ev), -1);
	/* top 0 is a caller error. */
	test_filter(&f, 0);
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), -1);
	store_close(s);
}

static void
test_paging(void **state)
{
	struct store *s;
	struct store_tenant t;
	struct store_event ev, *out = NULL;
	struct store_event_filter f;
	char path[PATH_MAX], rn[MODEL_ID_LEN + 1], last_id[MODEL_ID_LEN + 1];
	char seen[25][MODEL_ID_LEN + 1];
	int64_t last_ms = INT64_MAX;
	size_t n, total = 0, i, pages = 0;
	bool more = true;
	int k;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &t, "00000000000000e2");
	assert_int_equal(guid_new(rn), 0);
	/* 25 events, several sharing a millisecond: the id breaks the tie. */
	for (k = 0; k < 25; k++) {
		test_event(&ev, rn, 1700000000000 + (k / 3) * 1000,
		    k % 2 ? STORE_EV_TUNNEL_CONNECTED :
		    STORE_EV_TUNNEL_DISCONNECTED);
		assert_int_equal(store_event_add(s, t.id, &ev), 0);
	}
	test_filter(&f, 10);
	last_id[0] = '\0';
	while (more) {
		assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more),
		    0);
		pages++;
		for (i = 0; i < n; i++) {
			/* Newest first, strictly decreasing (ms, id). */
			assert_true(out[i].created_ms < last_ms ||
			    (out[i].created_ms == last_ms &&
			    strcmp(out[i].id, last_id) < 0));
			last_ms = out[i].created_ms;
			snprintf(last_id, sizeof(last_id), "%s", out[i].id);
			assert_true(total < 25);
			snprintf(seen[total++], sizeof(seen[0]), "%s",
			    out[i].id);
		}
		free(out);
		f.after_ms = last_ms;
		f.after_id = last_id;
	}
	assert_int_equal(total, 25);
	assert_int_equal(pages, 3);
	for (i = 0; i < 25; i++)
		for (n = i + 1; n < 25; n++)
			assert_string_not_equal(seen[i], seen[n]);

	/* A page that ends exactly at the last row says no more. */
	test_filter(&f, 25);
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 25);
	assert_false(more);
	free(out);
	test_filter(&f, 24);
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 24);
	assert_true(more);
	free(out);
	store_close(s);
}

/*
 * Oldest first (the same keyset paging, the other way), createdDateTime
 * bounds (inclusive, with the other filters) and the total, which counts
 * every page and ignores the cursor.
 */
static void
test_order_bounds_total(void **state)
{
	struct store *s;
	struct store_tenant t;
	struct store_event ev, *out = NULL;
	struct store_event_filter f;
	char path[PATH_MAX], rn[MODEL_ID_LEN + 1], other[MODEL_ID_LEN + 1];
	char last_id[MODEL_ID_LEN + 1];
	int64_t last_ms = INT64_MIN, base = 1700000000000;
	size_t n, seen = 0, total = 0, pages = 0, i;
	bool more = true;
	int k;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &t, "00000000000000e7");
	assert_int_equal(guid_new(rn), 0);
	assert_int_equal(guid_new(other), 0);
	/* 12 events of rn, two per second (ties broken by id), 3 of other. */
	for (k = 0; k < 12; k++) {
		test_event(&ev, rn, base + (k / 2) * 1000, k % 2 ?
		    STORE_EV_BGP_CONNECTED : STORE_EV_TUNNEL_CONNECTED);
		assert_int_equal(store_event_add(s, t.id, &ev), 0);
	}
	for (k = 0; k < 3; k++) {
		test_event(&ev, other, base + k * 1000, STORE_EV_BGP_CONNECTED);
		assert_int_equal(store_event_add(s, t.id, &ev), 0);
	}

	test_filter(&f, 5);
	f.rn_id = rn;
	f.oldest_first = true;
	f.total = &total;
	last_id[0] = '\0';
	while (more) {
		total = 999;
		assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more),
		    0);
		assert_int_equal(total, 12);
		pages++;
		for (i = 0; i < n; i++) {
			assert_true(out[i].created_ms > last_ms ||
			    (out[i].created_ms == last_ms &&
			    strcmp(out[i].id, last_id) > 0));
			assert_string_equal(out[i].rn_id, rn);
			last_ms = out[i].created_ms;
			snprintf(last_id, sizeof(last_id), "%s", out[i].id);
			seen++;
		}
		free(out);
		f.after_ms = last_ms;
		f.after_id = last_id;
	}
	assert_int_equal(seen, 12);
	assert_int_equal(pages, 3);

	/* Bounds are inclusive: seconds 1..3 of rn hold 6 events. */
	test_filter(&f, 100);
	f.rn_id = rn;
	f.since_set = true;
	f.since_ms = base + 1000;
	f.until_set = true;
	f.until_ms = base + 3000;
	f.total = &total;
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 6);
	assert_int_equal(total, 6);
	assert_int_equal(out[0].created_ms, base + 3000);
	assert_int_equal(out[5].created_ms, base + 1000);
	free(out);
	/* With the status and only a lower bound, all remote networks. */
	test_filter(&f, 2);
	f.status = STORE_EV_BGP_CONNECTED;
	f.since_set = true;
	f.since_ms = base + 2000;
	f.total = &total;
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 2);
	assert_true(more);
	assert_int_equal(total, 5);	/* rn: 4 (seconds 2..5), other: 1 */
	free(out);
	/* An upper bound only; an empty range. */
	test_filter(&f, 100);
	f.until_set = true;
	f.until_ms = base;
	f.total = &total;
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 3);
	assert_int_equal(total, 3);
	free(out);
	f.since_set = true;
	f.since_ms = base + 1;
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	assert_null(out);
	store_close(s);
}

static void
test_filters(void **state)
{
	struct store *s;
	struct store_tenant t;
	struct store_event ev, *out = NULL;
	struct store_event_filter f;
	char path[PATH_MAX], rn1[MODEL_ID_LEN + 1], rn2[MODEL_ID_LEN + 1];
	size_t n, i;
	bool more;
	int k;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &t, "00000000000000e3");
	assert_int_equal(guid_new(rn1), 0);
	assert_int_equal(guid_new(rn2), 0);
	for (k = 0; k < 12; k++) {
		test_event(&ev, k % 3 ? rn1 : rn2, 1700000000000 + k,
		    k % 4 == 0 ? STORE_EV_TUNNEL_CONNECTED :
		    STORE_EV_TUNNEL_DISCONNECTED);
		assert_int_equal(store_event_add(s, t.id, &ev), 0);
	}
	test_filter(&f, 100);
	f.rn_id = rn2;
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 4);			/* k = 0, 3, 6, 9 */
	for (i = 0; i < n; i++)
		assert_string_equal(out[i].rn_id, rn2);
	free(out);

	f.status = STORE_EV_TUNNEL_CONNECTED;	/* k = 0 only */
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].created_ms, 1700000000000);
	free(out);

	f.rn_id = NULL;				/* k = 0, 4, 8 */
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].created_ms, 1700000000008);
	free(out);

	f.status = STORE_EV_REMOTE_NETWORK_ALIVE;
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 0);
	f.status = 42;
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), -1);
	store_close(s);
}

static void
test_isolation_prune(void **state)
{
	struct store *s;
	struct store_tenant a, b;
	struct store_event ev, *out = NULL;
	struct store_event_filter f;
	char path[PATH_MAX], rn[MODEL_ID_LEN + 1];
	size_t n;
	bool more;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &a, "00000000000000e4");
	test_tenant(s, &b, "00000000000000e5");
	assert_int_equal(guid_new(rn), 0);
	test_event(&ev, rn, 1000, STORE_EV_TUNNEL_CONNECTED);
	assert_int_equal(store_event_add(s, a.id, &ev), 0);
	test_event(&ev, rn, 2000, STORE_EV_TUNNEL_CONNECTED);
	assert_int_equal(store_event_add(s, a.id, &ev), 0);

	test_filter(&f, 10);
	assert_int_equal(store_event_list(s, b.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 0);
	/* Even with A's remote network id in the filter. */
	f.rn_id = rn;
	assert_int_equal(store_event_list(s, b.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_event_list(s, a.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 2);
	free(out);

	assert_int_equal(store_event_prune(s, 1500, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_event_list(s, a.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].created_ms, 2000);
	free(out);

	/* A corrupt row makes the list fail rather than lie. */
	test_raw_exec(path, "PRAGMA ignore_check_constraints = ON;"
	    "UPDATE health_events SET source_ip = 'x'");
	assert_int_equal(store_event_list(s, a.id, &f, &out, &n, &more), -1);
	assert_null(out);
	store_close(s);
}

static void
test_link_list_all(void **state)
{
	struct store *s;
	struct store_tenant a, b;
	struct store_tenant_link *all = NULL;
	struct model_rn rn;
	struct model_link l;
	char path[PATH_MAX];
	size_t n, i;
	int k;

	(void)state;
	s = test_open_new(path, sizeof(path));
	assert_int_equal(store_link_list_all(s, &all, &n), 0);
	assert_int_equal(n, 0);
	test_tenant(s, &a, "00000000000000e6");
	test_tenant(s, &b, "00000000000000e7");
	for (k = 0; k < 4; k++) {
		memset(&rn, 0, sizeof(rn));
		assert_int_equal(guid_new(rn.id), 0);
		snprintf(rn.name, sizeof(rn.name), "rn%d", k);
		snprintf(rn.version, sizeof(rn.version), "1.0.0");
		assert_int_equal(store_rn_put(s, k % 2 ? b.id : a.id, &rn), 0);
		memset(&l, 0, sizeof(l));
		assert_int_equal(guid_new(l.id), 0);
		snprintf(l.rn_id, sizeof(l.rn_id), "%s", rn.id);
		snprintf(l.name, sizeof(l.name), "link%d", k);
		l.ip = 0xc6336400 + (uint32_t)k;
		l.bgp_local = 0x0a000001 + (uint32_t)k * 4;
		l.bgp_peer = 0x0a000002 + (uint32_t)k * 4;
		l.asn = 65001;
		l.redundancy = k == 3 ? MODEL_RED_ZONE : MODEL_RED_NONE;
		l.zone_local = k == 3 ? 0x0a0000ff : 0;
		snprintf(l.tunnel.psk, sizeof(l.tunnel.psk), "psk-%d-xxxx", k);
		if (k == 3)
			snprintf(l.tunnel.zone_psk, sizeof(l.tunnel.zone_psk),
			    "zone-psk-3");
		snprintf(l.version, sizeof(l.version), "1.0.0");
		assert_int_equal(store_link_put(s, k % 2 ? b.id : a.id, &l), 0);
	}
	assert_int_equal(store_link_list_all(s, &all, &n), 0);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		k = all[i].link.name[4] - '0';
		assert_string_equal(all[i].tenant_id, k % 2 ? b.id : a.id);
		assert_int_equal(all[i].link.ip, 0xc6336400 + (uint32_t)k);
		if (i > 0)
			assert_true(strcmp(all[i - 1].link.id,
			    all[i].link.id) < 0);
		if (k == 3)
			assert_string_equal(all[i].link.tunnel.zone_psk,
			    "zone-psk-3");
	}
	store_tenant_links_free(all, n);
	store_close(s);
}

/* A database written by a schema-1 build gains the events table on open. */
static void
test_migrate_from_1(void **state)
{
	struct store *s;
	struct store_tenant t, got;
	struct store_event ev, *out = NULL;
	struct store_event_filter f;
	char path[PATH_MAX], err[256], rn[MODEL_ID_LEN + 1];
	size_t n;
	bool more;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &t, "00000000000000e8");
	store_close(s);
	/* Back to exactly what schema 1 had. */
	test_raw_exec(path, "DROP TABLE link_status; DROP TABLE link_nodes; DROP TABLE nodes; DROP TABLE forwarding_options; DROP TABLE forwarding_rules; "
	    "DROP TABLE filtering_policy_links; DROP TABLE policy_rules; "
	    "DROP TABLE filtering_profiles; DROP TABLE security_policies; "
	    "DROP TABLE health_events; ALTER TABLE device_links "
	    "DROP COLUMN src_prefixes; PRAGMA user_version = 1;");
	assert_int_equal(test_raw_int(path, "SELECT count(*) FROM sqlite_master "
	    "WHERE name LIKE 'health_events%'"), 0);

	assert_int_equal(store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(s), 9);
	assert_int_equal(store_tenant_get(s, t.id, &got), 0);
	assert_int_equal(guid_new(rn), 0);
	test_event(&ev, rn, 5, STORE_EV_TUNNEL_CONNECTED);
	assert_int_equal(store_event_add(s, t.id, &ev), 0);
	test_filter(&f, 1);
	assert_int_equal(store_event_list(s, t.id, &f, &out, &n, &more), 0);
	assert_int_equal(n, 1);
	free(out);
	store_close(s);
	assert_int_equal(test_raw_int(path, "PRAGMA user_version"), 9);
	assert_int_equal(test_raw_int(path, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'index' AND name LIKE 'health_events%'"), 3);
}

/* --- fixture ------------------------------------------------------------- */

static int
test_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
test_setup(void **state)
{
	(void)state;
	snprintf(test_dir, sizeof(test_dir), "/tmp/test_store_events.XXXXXX");
	return mkdtemp(test_dir) == NULL ? -1 : 0;
}

static int
test_teardown(void **state)
{
	(void)state;
	return nftw(test_dir, test_rm, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_paging),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_order_bounds_total),
		cmocka_unit_test(test_isolation_prune),
		cmocka_unit_test(test_link_list_all),
		cmocka_unit_test(test_migrate_from_1),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
