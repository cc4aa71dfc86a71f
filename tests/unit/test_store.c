/*
 * test_store.c - the store contract (store.h) against the SQLite backend,
 * on real database files in a mkdtemp directory: round trips, tenant
 * isolation, cascades, profile assignment, transactions, reopen and
 * schema migration. A second, raw SQLite connection checks the on-disk
 * side (cascaded rows, journal mode) and plants corrupt rows.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "guid.h"
#include "store.h"

/* The schema this build writes (store_sqlite.c sq_migrations). */
#define TEST_SCHEMA	9

static char test_dir[PATH_MAX];
static int test_seq;

/* --- helpers ------------------------------------------------------------ */

static void
test_path(char *buf, size_t size, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", test_dir, name);

	assert_true(n > 0 && (size_t)n < size);
}

/* A fresh database file per test. */
static struct store *
test_open_new(char *path, size_t size)
{
	struct store *s = NULL;
	char name[32], err[256];

	snprintf(name, sizeof(name), "t%d.db", ++test_seq);
	test_path(path, size, name);
	assert_int_equal(store_open(path, &s, err, sizeof(err)), 0);
	assert_non_null(s);
	return s;
}

static struct store *
test_reopen(const char *path)
{
	struct store *s = NULL;
	char err[256];

	assert_int_equal(store_open(path, &s, err, sizeof(err)), 0);
	return s;
}

static void
test_tenant(struct store *s, struct store_tenant *t, const char *token_id,
    uint8_t fill)
{
	uint8_t hash[STORE_HASH_LEN];

	memset(t, 0, sizeof(*t));
	assert_int_equal(guid_new(t->id), 0);
	snprintf(t->name, sizeof(t->name), "tenant %s", token_id);
	t->created_ms = 1700000000123;
	memset(hash, fill, sizeof(hash));
	assert_int_equal(store_tenant_add(s, t, token_id, hash), 0);
}

static void
test_rn(struct model_rn *rn, const char *name, int region)
{
	memset(rn, 0, sizeof(*rn));
	assert_int_equal(guid_new(rn->id), 0);
	snprintf(rn->name, sizeof(rn->name), "%s", name);
	rn->region = region;
	snprintf(rn->version, sizeof(rn->version), "1.0.0");
	rn->modified_ms = 1700000000456;
}

static void
test_link_default(struct model_link *l, const char *rn_id, const char *name)
{
	/* Addresses unique per link: the store refuses reused ones. */
	static uint32_t seq;

	seq++;
	memset(l, 0, sizeof(*l));
	assert_int_equal(guid_new(l->id), 0);
	snprintf(l->rn_id, sizeof(l->rn_id), "%s", rn_id);
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->ip = 0xc6336400 + seq;	/* 198.51.100.x */
	l->vendor = model_enum_parse(&model_vendor_enum, "fortinet");
	l->bandwidth = MODEL_BW_500;
	l->bgp_local = 0x0a000000 + seq * 4 + 1;
	l->bgp_peer = 0x0a000000 + seq * 4 + 2;
	l->asn = 65001;
	l->redundancy = MODEL_RED_NONE;
	snprintf(l->tunnel.psk, sizeof(l->tunnel.psk), "s3cret-'\";--psk");
	snprintf(l->version, sizeof(l->version), "1.0.0");
	l->modified_ms = 1700000000789;
}

/* Every custom field set, at the ends of their ranges. */
static void
test_link_custom(struct model_link *l, const char *rn_id, const char *name)
{
	test_link_default(l, rn_id, name);
	l->ip = 0xffffffff;
	l->vendor = model_enum_parse(&model_vendor_enum, "other");
	l->bandwidth = MODEL_BW_1000;
	l->bgp_local = 0xa9fe0001;
	l->bgp_peer = 0xa9fe0002;
	l->asn = UINT32_MAX;
	l->redundancy = MODEL_RED_ZONE;
	l->zone_local = 0xa9fe0003;
	l->tunnel.custom = true;
	memset(l->tunnel.psk, 'k', MODEL_PSK_MAX);
	snprintf(l->tunnel.zone_psk, sizeof(l->tunnel.zone_psk),
	    "zone-psk-\xc3\xa9");
	l->tunnel.sa_lifetime = MODEL_SA_LIFETIME_MAX;
	l->tunnel.ike_enc = MODEL_IKE_ENC_GCMAES256;
	l->tunnel.ike_int = MODEL_IKE_INT_GCMAES256;
	l->tunnel.dh = MODEL_DH_ECP384;
	l->tunnel.ipsec_enc = MODEL_IPSEC_ENC_GCMAES192;
	l->tunnel.ipsec_int = MODEL_IPSEC_INT_SHA256;
	l->tunnel.pfs = MODEL_PFS_ECP384;
	/* The longest staticSourcePrefixes text: 16 x "a.b.c.d/32". */
	for (unsigned i = 0; i < MODEL_SRC_PREFIXES_MAX; i++) {
		l->src[i].addr = 0xfffffff0u + i;
		l->src[i].len = 32;
	}
	l->nsrc = MODEL_SRC_PREFIXES_MAX;
}

/* Runs SQL on a second, raw connection to the same file. */
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

/* --- open, URL, schema -------------------------------------------------- */

static void
test_open_creates(void **state)
{
	struct store *s = NULL;
	char path[PATH_MAX], dir[PATH_MAX], url[PATH_MAX + 8], err[256];
	struct stat sb;
	sqlite3 *db;
	sqlite3_stmt *st;

	(void)state;
	test_path(dir, sizeof(dir), "var");
	test_path(path, sizeof(path), "var/branchgate.db");
	snprintf(url, sizeof(url), "sqlite:%s", path);
	assert_int_equal(store_open(url, &s, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(s), TEST_SCHEMA);
	store_close(s);

	/* The file holds keys: owner-only, like its directory. */
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	/* WAL is persistent, so a second connection sees it. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_int_equal(test_raw_int(path, "PRAGMA user_version"),
	    TEST_SCHEMA);
}

static void
test_open_errors(void **state)
{
	struct store *s = (struct store *)1;
	char path[PATH_MAX], err[256];

	(void)state;
	assert_int_equal(store_open(NULL, &s, err, sizeof(err)), -1);
	assert_null(s);
	assert_int_equal(store_open("", &s, err, sizeof(err)), -1);
	assert_int_equal(store_open("sqlite:", &s, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');

	/* No server behind the socket: a reason, and no password in it. */
	assert_int_equal(store_open("postgres://u:hunter2@/bg?host=/nonexistent",
	    &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "postgresql"));
	assert_null(strstr(err, "hunter2"));
	assert_int_equal(store_open("postgresql://", &s, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(store_open("mysql://db.example/bg", &s, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "scheme"));
	assert_null(s);

	/* Only one missing directory level is created. */
	test_path(path, sizeof(path), "no/such/dir.db");
	assert_int_equal(store_open(path, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no/such"));

	/* A file that is not a database. */
	test_path(path, sizeof(path), "junk.db");
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		for (int i = 0; i < 256; i++)
			fputs("not a database ", f);
		fclose(f);
	}
	assert_int_equal(store_open(path, &s, err, sizeof(err)), -1);
	assert_null(s);

	/* NULL err is allowed. */
	assert_int_equal(store_open("", &s, NULL, 0), -1);
}

static void
test_schema_newer(void **state)
{
	struct store *s = NULL;
	char path[PATH_MAX], err[256];

	(void)state;
	test_path(path, sizeof(path), "newer.db");
	test_raw_exec(path, "CREATE TABLE x (a); PRAGMA user_version = 99;");
	assert_int_equal(store_open(path, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "99"));
	assert_null(s);
}

/* A database at version 0 (no store schema yet) is migrated on open. */
static void
test_schema_migrate_v0(void **state)
{
	struct store *s;
	struct store_tenant t, got;
	char path[PATH_MAX];

	(void)state;
	test_path(path, sizeof(path), "v0.db");
	test_raw_exec(path, "CREATE TABLE unrelated (a INTEGER);"
	    "INSERT INTO unrelated VALUES (7);");
	assert_int_equal(test_raw_int(path, "PRAGMA user_version"), 0);

	s = test_reopen(path);
	assert_int_equal(store_schema_version(s), TEST_SCHEMA);
	test_tenant(s, &t, "00000000000000aa", 1);
	assert_int_equal(store_tenant_get(s, t.id, &got), 0);
	store_close(s);

	assert_int_equal(test_raw_int(path, "PRAGMA user_version"),
	    TEST_SCHEMA);
	assert_int_equal(test_raw_int(path, "SELECT a FROM unrelated"), 7);
	/* Reopening an up-to-date database changes nothing. */
	s = test_reopen(path);
	assert_int_equal(store_schema_version(s), TEST_SCHEMA);
	assert_int_equal(store_tenant_get(s, t.id, &got), 0);
	store_close(s);
}

/*
 * A version 2 database (before staticSourcePrefixes) with a link in it:
 * migration 3 gives the link an empty list and keeps everything else.
 */
static void
test_schema_migrate_v2(void **state)
{
	struct store *s;
	struct store_tenant t;
	struct model_rn rn;
	struct model_link l, got;
	char path[PATH_MAX];

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &t, "0123456789abcdef", 1);
	test_rn(&rn, "rn", 0);
	assert_int_equal(store_rn_put(s, t.id, &rn), 0);
	test_link_default(&l, rn.id, "old link");
	assert_int_equal(store_link_put(s, t.id, &l), 0);
	store_close(s);
	/* What a version 2 build left behind. */
	test_raw_exec(path, "DROP TABLE link_status; DROP TABLE link_nodes; DROP TABLE nodes; DROP TABLE forwarding_options; DROP TABLE forwarding_rules; "
	    "DROP TABLE filtering_policy_links; DROP TABLE policy_rules; "
	    "DROP TABLE filtering_profiles; DROP TABLE security_policies; "
	    "ALTER TABLE device_links DROP COLUMN src_prefixes;"
	    "ALTER TABLE health_events DROP COLUMN node;"
	    "PRAGMA user_version = 2;");

	s = test_reopen(path);
	assert_int_equal(store_schema_version(s), TEST_SCHEMA);
	assert_int_equal(store_link_get(s, t.id, rn.id, l.id, &got), 0);
	assert_int_equal(got.nsrc, 0);
	assert_memory_equal(&got, &l, sizeof(got));
	/* And the new column takes a list from now on. */
	l.src[0] = (struct model_prefix){ 0xc0a83200, 24 };
	l.nsrc = 1;
	assert_int_equal(store_link_put(s, t.id, &l), 0);
	store_close(s);
	assert_int_equal(test_raw_int(path, "SELECT count(*) FROM device_links "
	    "WHERE src_prefixes = '192.168.50.0/24'"), 1);
	s = test_reopen(path);
	assert_int_equal(store_link_get(s, t.id, rn.id, l.id, &got), 0);
	assert_memory_equal(&got, &l, sizeof(got));
	model_link_wipe(&l);
	model_link_wipe(&got);
	store_close(s);
}

/* --- tenants ------------------------------------------------------------ */

static void
test_tenants(void **state)
{
	struct store *s;
	struct store_tenant a, b, got, dup;
	uint8_t hash[STORE_HASH_LEN], want[STORE_HASH_LEN];
	char path[PATH_MAX];

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &a, "0123456789abcdef", 0xa5);
	test_tenant(s, &b, "fedcba9876543210", 0x5a);

	assert_int_equal(store_tenant_get(s, a.id, &got), 0);
	assert_string_equal(got.id, a.id);
	assert_string_equal(got.name, a.name);
	assert_int_equal(got.created_ms, a.created_ms);

	memset(want, 0x5a, sizeof(want));
	assert_int_equal(store_tenant_by_token(s, "fedcba9876543210", &got,
	    hash), 0);
	assert_string_equal(got.id, b.id);
	assert_memory_equal(hash, want, sizeof(hash));

	assert_int_equal(store_tenant_by_token(s, "0000000000000000", &got,
	    hash), STORE_NOTFOUND);
	assert_int_equal(store_tenant_get(s, "00000000-0000-4000-8000-"
	    "000000000000", &got), STORE_NOTFOUND);

	/* Duplicate id or token id: refused, and nothing half-added. */
	dup = a;
	assert_int_equal(store_tenant_add(s, &dup, "1111111111111111", hash),
	    STORE_CONFLICT);
	assert_int_equal(store_tenant_by_token(s, "1111111111111111", &got,
	    hash), STORE_NOTFOUND);
	assert_int_equal(guid_new(dup.id), 0);
	assert_int_equal(store_tenant_add(s, &dup, "0123456789abcdef", hash),
	    STORE_CONFLICT);
	assert_int_equal(store_tenant_get(s, dup.id, &got), STORE_NOTFOUND);
	assert_int_equal(test_raw_int(path,
	    "SELECT count(*) FROM forwarding_profiles"), 4);
	store_close(s);
}

/* --- remote networks ---------------------------------------------------- */

static void
test_rn_crud(void **state)
{
	struct store *s;
	struct store_tenant t;
	struct model_rn rn[4], got, *list = NULL;
	char path[PATH_MAX];
	size_t n = 99;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &t, "0123456789abcdef", 1);

	assert_int_equal(store_rn_list(s, t.id, &list, &n), 0);
	assert_null(list);
	assert_int_equal(n, 0);

	test_rn(&rn[0], "branch-b", 0);
	test_rn(&rn[1], "branch-a", 34);
	test_rn(&rn[2], "branch-c", 8);
	test_rn(&rn[3], "branch-a", 9);
	for (int i = 0; i < 3; i++)
		assert_int_equal(store_rn_put(s, t.id, &rn[i]), 0);
	/* Names are unique in the tenant: the store itself refuses. */
	assert_int_equal(store_rn_put(s, t.id, &rn[3]), STORE_CONFLICT);
	assert_string_equal(store_conflict(s)->err[0].target, "name");
	snprintf(rn[3].name, sizeof(rn[3].name), "branch-a2");
	assert_int_equal(store_rn_put(s, t.id, &rn[3]), 0);
	assert_int_equal(store_rn_count(s, t.id, &n), 0);
	assert_int_equal(n, 4);

	assert_int_equal(store_rn_get(s, t.id, rn[1].id, &got), 0);
	assert_memory_equal(&got, &rn[1], sizeof(got));

	assert_int_equal(store_rn_list(s, t.id, &list, &n), 0);
	assert_int_equal(n, 4);
	{
		assert_memory_equal(&list[0], &rn[1], sizeof(list[0]));
		assert_memory_equal(&list[1], &rn[3], sizeof(list[1]));
		assert_memory_equal(&list[2], &rn[0], sizeof(list[2]));
		assert_memory_equal(&list[3], &rn[2], sizeof(list[3]));
	}
	free(list);

	/* put by an existing id replaces. */
	snprintf(rn[0].name, sizeof(rn[0].name), "renamed");
	snprintf(rn[0].version, sizeof(rn[0].version), "1.0.1");
	rn[0].modified_ms++;
	assert_int_equal(store_rn_put(s, t.id, &rn[0]), 0);
	assert_int_equal(store_rn_get(s, t.id, rn[0].id, &got), 0);
	assert_memory_equal(&got, &rn[0], sizeof(got));
	assert_int_equal(store_rn_count(s, t.id, &n), 0);
	assert_int_equal(n, 4);

	assert_int_equal(store_rn_delete(s, t.id, rn[2].id), 0);
	assert_int_equal(store_rn_delete(s, t.id, rn[2].id), STORE_NOTFOUND);
	assert_int_equal(store_rn_get(s, t.id, rn[2].id, &got), STORE_NOTFOUND);
	assert_int_equal(store_rn_count(s, t.id, &n), 0);
	assert_int_equal(n, 3);

	/* An enum value out of range is refused, not stored. */
	test_rn(&got, "bad", 1000);
	assert_int_equal(store_rn_put(s, t.id, &got), -1);
	store_close(s);
}

/* --- device links ------------------------------------------------------- */

static void
test_link_roundtrip(void **state)
{
	struct store *s;
	struct store_tenant t;
	struct model_rn rn1, rn2;
	struct model_link def, cus, zone, got, *list = NULL;
	char path[PATH_MAX];
	size_t n;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &t, "0123456789abcdef", 1);
	test_rn(&rn1, "rn1", 0);
	test_rn(&rn2, "rn2", 1);
	assert_int_equal(store_rn_put(s, t.id, &rn1), 0);
	assert_int_equal(store_rn_put(s, t.id, &rn2), 0);

	test_link_default(&def, rn1.id, "link-z");
	test_link_custom(&cus, rn1.id, "link-a");
	/* Default policy with zone redundancy: zone fields without custom. */
	test_link_default(&zone, rn2.id, "link-m");
	zone.redundancy = MODEL_RED_ZONE;
	zone.zone_local = 0x0a0f0009;
	snprintf(zone.tunnel.zone_psk, sizeof(zone.tunnel.zone_psk),
	    "another key");
	assert_int_equal(store_link_put(s, t.id, &def), 0);
	assert_int_equal(store_link_put(s, t.id, &cus), 0);
	assert_int_equal(store_link_put(s, t.id, &zone), 0);

	/* Whole-struct equality: every field, keys included, round-trips. */
	assert_int_equal(store_link_get(s, t.id, rn1.id, def.id, &got), 0);
	assert_memory_equal(&got, &def, sizeof(got));
	assert_int_equal(store_link_get(s, t.id, rn1.id, cus.id, &got), 0);
	assert_memory_equal(&got, &cus, sizeof(got));
	assert_int_equal(strlen(got.tunnel.psk), MODEL_PSK_MAX);
	assert_int_equal(store_link_get(s, t.id, rn2.id, zone.id, &got), 0);
	assert_memory_equal(&got, &zone, sizeof(got));

	/* The wrong parent does not find it. */
	assert_int_equal(store_link_get(s, t.id, rn2.id, def.id, &got),
	    STORE_NOTFOUND);

	assert_int_equal(store_link_list(s, t.id, rn1.id, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(&list[0], &cus, sizeof(list[0]));
	assert_memory_equal(&list[1], &def, sizeof(list[1]));
	model_links_free(list, n);
	assert_int_equal(store_link_list(s, t.id, NULL, &list, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].name, "link-a");
	assert_string_equal(list[1].name, "link-m");
	assert_string_equal(list[2].name, "link-z");
	model_links_free(list, n);
	assert_int_equal(store_link_count(s, t.id, rn1.id, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_link_count(s, t.id, NULL, &n), 0);
	assert_int_equal(n, 3);

	/* custom -> default clears the custom columns; new key replaces. */
	cus.tunnel.custom = false;
	cus.tunnel.sa_lifetime = 0;
	cus.tunnel.ike_enc = cus.tunnel.ike_int = cus.tunnel.dh = 0;
	cus.tunnel.ipsec_enc = cus.tunnel.ipsec_int = cus.tunnel.pfs = 0;
	memset(cus.tunnel.zone_psk, 0, sizeof(cus.tunnel.zone_psk));
	memset(cus.tunnel.psk, 0, sizeof(cus.tunnel.psk));
	snprintf(cus.tunnel.psk, sizeof(cus.tunnel.psk), "rotated-key");
	cus.zone_local = 0;
	cus.redundancy = MODEL_RED_NONE;
	assert_int_equal(store_link_put(s, t.id, &cus), 0);
	assert_int_equal(store_link_get(s, t.id, rn1.id, cus.id, &got), 0);
	assert_memory_equal(&got, &cus, sizeof(got));
	assert_int_equal(test_raw_int(path, "SELECT count(*) FROM device_links"
	    " WHERE sa_lifetime IS NULL AND pfs IS NULL AND zone_psk IS NULL"
	    " AND zone_local IS NULL AND tunnel_type = 'default'"), 2);

	/* Missing parent: NOTFOUND, nothing stored. */
	test_link_default(&got, "00000000-0000-4000-8000-000000000000", "x");
	assert_int_equal(store_link_put(s, t.id, &got), STORE_NOTFOUND);
	assert_int_equal(store_link_list(s, t.id,
	    "00000000-0000-4000-8000-000000000000", &list, &n),
	    STORE_NOTFOUND);
	assert_int_equal(store_link_count(s, t.id,
	    "00000000-0000-4000-8000-000000000000", &n), STORE_NOTFOUND);

	/* Enum out of range, or too many source prefixes: refused. */
	test_link_custom(&got, rn1.id, "bad");
	got.tunnel.pfs = 99;
	assert_int_equal(store_link_put(s, t.id, &got), -1);
	test_link_custom(&got, rn1.id, "bad");
	got.nsrc = MODEL_SRC_PREFIXES_MAX + 1;
	assert_int_equal(store_link_put(s, t.id, &got), -1);
	model_link_wipe(&got);

	assert_int_equal(store_link_delete(s, t.id, rn1.id, def.id), 0);
	assert_int_equal(store_link_delete(s, t.id, rn1.id, def.id),
	    STORE_NOTFOUND);
	assert_int_equal(store_link_delete(s, t.id, rn1.id, zone.id),
	    STORE_NOTFOUND);	/* wrong parent */
	assert_int_equal(store_link_count(s, t.id, NULL, &n), 0);
	assert_int_equal(n, 2);

	model_link_wipe(&def);
	model_link_wipe(&cus);
	model_link_wipe(&zone);
	store_close(s);
}

/* --- isolation ---------------------------------------------------------- */

static void
test_isolation(void **state)
{
	struct store *s;
	struct store_tenant a, b;
	struct model_rn rna, rnb, got, stolen, *rns = NULL;
	struct model_link la, lb, lgot, *links = NULL;
	struct model_profile *pa = NULL, *pb = NULL, *pc = NULL, pgot;
	char ids[1][MODEL_ID_LEN + 1];
	char path[PATH_MAX];
	size_t n, npa, npb;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &a, "aaaaaaaaaaaaaaaa", 1);
	test_tenant(s, &b, "bbbbbbbbbbbbbbbb", 2);
	test_rn(&rna, "a-net", 0);
	test_rn(&rnb, "b-net", 0);
	assert_int_equal(store_rn_put(s, a.id, &rna), 0);
	assert_int_equal(store_rn_put(s, b.id, &rnb), 0);
	test_link_default(&la, rna.id, "a-link");
	assert_int_equal(store_link_put(s, a.id, &la), 0);
	assert_int_equal(store_profile_list(s, a.id, &pa, &npa), 0);
	assert_int_equal(store_profile_list(s, b.id, &pb, &npb), 0);
	assert_true(npa > 0 && npb == npa);

	/* B sees nothing of A's. */
	assert_int_equal(store_rn_get(s, b.id, rna.id, &got), STORE_NOTFOUND);
	assert_int_equal(store_rn_list(s, b.id, &rns, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rns[0].id, rnb.id);
	free(rns);
	assert_int_equal(store_link_get(s, b.id, rna.id, la.id, &lgot),
	    STORE_NOTFOUND);
	assert_int_equal(store_link_list(s, b.id, NULL, &links, &n), 0);
	assert_int_equal(n, 0);
	assert_null(links);
	assert_int_equal(store_link_list(s, b.id, rna.id, &links, &n),
	    STORE_NOTFOUND);
	assert_int_equal(store_link_count(s, b.id, rna.id, &n),
	    STORE_NOTFOUND);
	assert_int_equal(store_profile_get(s, b.id, pa[0].id, &pgot),
	    STORE_NOTFOUND);
	assert_int_equal(store_rn_profiles_get(s, b.id, rna.id, &pc, &n),
	    STORE_NOTFOUND);

	/* B cannot delete or modify A's objects. */
	assert_int_equal(store_rn_delete(s, b.id, rna.id), STORE_NOTFOUND);
	assert_int_equal(store_link_delete(s, b.id, rna.id, la.id),
	    STORE_NOTFOUND);
	stolen = rna;
	snprintf(stolen.name, sizeof(stolen.name), "stolen");
	assert_int_equal(store_rn_put(s, b.id, &stolen), -1);
	lb = la;
	snprintf(lb.rn_id, sizeof(lb.rn_id), "%s", rnb.id);
	snprintf(lb.tunnel.psk, sizeof(lb.tunnel.psk), "attacker-key");
	assert_int_equal(store_link_put(s, b.id, &lb), -1);	/* A's link id */
	snprintf(lb.rn_id, sizeof(lb.rn_id), "%s", rna.id);
	assert_int_equal(guid_new(lb.id), 0);
	assert_int_equal(store_link_put(s, b.id, &lb), STORE_NOTFOUND);

	/* Assignments only within one tenant. */
	snprintf(ids[0], sizeof(ids[0]), "%s", pa[0].id);
	assert_int_equal(store_rn_profiles_set(s, b.id, rnb.id, ids, 1),
	    STORE_NOTFOUND);
	assert_int_equal(store_rn_profiles_set(s, b.id, rna.id, ids, 1),
	    STORE_NOTFOUND);

	/* A's objects are untouched. */
	assert_int_equal(store_rn_get(s, a.id, rna.id, &got), 0);
	assert_memory_equal(&got, &rna, sizeof(got));
	assert_int_equal(store_link_get(s, a.id, rna.id, la.id, &lgot), 0);
	assert_memory_equal(&lgot, &la, sizeof(lgot));
	assert_int_equal(store_link_count(s, b.id, NULL, &n), 0);
	assert_int_equal(n, 0);

	free(pa);
	free(pb);
	model_link_wipe(&la);
	model_link_wipe(&lb);
	model_link_wipe(&lgot);
	store_close(s);
}

/* --- cascade ------------------------------------------------------------ */

static void
test_cascade(void **state)
{
	struct store *s;
	struct store_tenant t;
	struct model_rn rn, keep;
	struct model_link l1, l2, l3, got;
	struct model_profile *p = NULL, *assigned = NULL;
	char ids[2][MODEL_ID_LEN + 1];
	char path[PATH_MAX];
	size_t n, np;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &t, "0123456789abcdef", 1);
	test_rn(&rn, "doomed", 0);
	test_rn(&keep, "kept", 0);
	assert_int_equal(store_rn_put(s, t.id, &rn), 0);
	assert_int_equal(store_rn_put(s, t.id, &keep), 0);
	test_link_default(&l1, rn.id, "l1");
	test_link_custom(&l2, rn.id, "l2");
	test_link_default(&l3, keep.id, "l3");
	assert_int_equal(store_link_put(s, t.id, &l1), 0);
	assert_int_equal(store_link_put(s, t.id, &l2), 0);
	assert_int_equal(store_link_put(s, t.id, &l3), 0);
	assert_int_equal(store_profile_list(s, t.id, &p, &np), 0);
	assert_true(np >= 2);
	snprintf(ids[0], sizeof(ids[0]), "%s", p[0].id);
	snprintf(ids[1], sizeof(ids[1]), "%s", p[1].id);
	assert_int_equal(store_rn_profiles_set(s, t.id, rn.id, ids, 2), 0);
	assert_int_equal(store_rn_profiles_set(s, t.id, keep.id, ids, 1), 0);

	assert_int_equal(store_rn_delete(s, t.id, rn.id), 0);
	assert_int_equal(store_link_get(s, t.id, rn.id, l1.id, &got),
	    STORE_NOTFOUND);
	assert_int_equal(store_link_count(s, t.id, NULL, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(test_raw_int(path, "SELECT count(*) FROM device_links"),
	    1);
	assert_int_equal(test_raw_int(path, "SELECT count(*) FROM rn_profiles"),
	    1);

	/* Same id again starts empty. */
	assert_int_equal(store_rn_put(s, t.id, &rn), 0);
	assert_int_equal(store_rn_profiles_get(s, t.id, rn.id, &assigned, &n),
	    0);
	assert_int_equal(n, 0);
	assert_int_equal(store_link_count(s, t.id, rn.id, &n), 0);
	assert_int_equal(n, 0);

	/* The profiles themselves stay. */
	free(p);
	assert_int_equal(store_profile_list(s, t.id, &p, &n), 0);
	assert_int_equal(n, np);
	free(p);
	model_link_wipe(&l1);
	model_link_wipe(&l2);
	model_link_wipe(&l3);
	store_close(s);
}

/* --- profiles ----------------------------------------------------------- */

static void
test_profiles(void **state)
{
	struct store *s;
	struct store_tenant t;
	struct model_rn rn;
	struct model_profile builtin[8], *p = NULL, *got = NULL, one;
	char ids[3][MODEL_ID_LEN + 1];
	char path[PATH_MAX];
	size_t nb, n, i;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &t, "0123456789abcdef", 1);
	nb = model_profiles_builtin(builtin, 8);
	assert_true(nb >= 2);

	assert_int_equal(store_profile_list(s, t.id, &p, &n), 0);
	assert_int_equal(n, nb);
	for (i = 0; i < n; i++) {
		assert_true(guid_valid(p[i].id));
		assert_true(p[i].modified_ms > 1700000000000);
		if (i > 0)
			assert_true(p[i - 1].priority <= p[i].priority);
		assert_int_equal(store_profile_get(s, t.id, p[i].id, &one), 0);
		assert_memory_equal(&one, &p[i], sizeof(one));
	}
	/* Same content as model_profiles_builtin, apart from id and time. */
	for (i = 0; i < nb; i++) {
		size_t j;

		for (j = 0; j < n; j++)
			if (strcmp(p[j].name, builtin[i].name) == 0)
				break;
		assert_true(j < n);
		assert_int_equal(p[j].traffic, builtin[i].traffic);
		assert_int_equal(p[j].priority, builtin[i].priority);
		assert_int_equal(p[j].enabled, builtin[i].enabled);
		assert_string_equal(p[j].version, builtin[i].version);
	}
	assert_int_equal(store_profile_get(s, t.id,
	    "00000000-0000-4000-8000-000000000000", &one), STORE_NOTFOUND);

	test_rn(&rn, "rn", 0);
	assert_int_equal(store_rn_put(s, t.id, &rn), 0);
	assert_int_equal(store_rn_profiles_get(s, t.id, rn.id, &got, &n), 0);
	assert_int_equal(n, 0);
	assert_null(got);

	/* Given in reverse, returned by priority; duplicates collapse. */
	snprintf(ids[0], sizeof(ids[0]), "%s", p[1].id);
	snprintf(ids[1], sizeof(ids[1]), "%s", p[0].id);
	snprintf(ids[2], sizeof(ids[2]), "%s", p[1].id);
	assert_int_equal(store_rn_profiles_set(s, t.id, rn.id, ids, 3), 0);
	assert_int_equal(store_rn_profiles_get(s, t.id, rn.id, &got, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(&got[0], &p[0], sizeof(got[0]));
	assert_memory_equal(&got[1], &p[1], sizeof(got[1]));
	free(got);

	/* Replace, not add. */
	assert_int_equal(store_rn_profiles_set(s, t.id, rn.id, ids, 1), 0);
	assert_int_equal(store_rn_profiles_get(s, t.id, rn.id, &got, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].id, p[1].id);
	free(got);

	/* One unknown id: NOTFOUND and the old set stays. */
	snprintf(ids[1], sizeof(ids[1]), "00000000-0000-4000-8000-000000000000");
	assert_int_equal(store_rn_profiles_set(s, t.id, rn.id, ids, 2),
	    STORE_NOTFOUND);
	assert_int_equal(store_rn_profiles_get(s, t.id, rn.id, &got, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].id, p[1].id);
	free(got);

	/* Unknown remote network. */
	assert_int_equal(store_rn_profiles_set(s, t.id,
	    "00000000-0000-4000-8000-000000000000", ids, 1), STORE_NOTFOUND);
	assert_int_equal(store_rn_profiles_get(s, t.id,
	    "00000000-0000-4000-8000-000000000000", &got, &n), STORE_NOTFOUND);

	/* Empty set. */
	assert_int_equal(store_rn_profiles_set(s, t.id, rn.id, NULL, 0), 0);
	assert_int_equal(store_rn_profiles_get(s, t.id, rn.id, &got, &n), 0);
	assert_int_equal(n, 0);

	free(p);
	store_close(s);
}

/* --- transactions, reopen ----------------------------------------------- */

static void
test_transactions(void **state)
{
	struct store *s, *s2;
	struct store_tenant t, t2, got;
	struct model_rn rn1, rn2, rn3, rgot;
	char ids[1][MODEL_ID_LEN + 1];
	char path[PATH_MAX];
	size_t n;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &t, "0123456789abcdef", 1);
	test_rn(&rn1, "rolled back", 0);
	test_rn(&rn2, "committed", 0);
	test_rn(&rn3, "kept after failure", 0);

	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_rn_put(s, t.id, &rn1), 0);
	assert_int_equal(store_rn_get(s, t.id, rn1.id, &rgot), 0);
	/* A tenant_add inside the caller's transaction nests. */
	memset(&t2, 0, sizeof(t2));
	assert_int_equal(guid_new(t2.id), 0);
	{
		uint8_t h[STORE_HASH_LEN] = { 0 };

		assert_int_equal(store_tenant_add(s, &t2, "2222222222222222",
		    h), 0);
	}
	store_rollback(s);
	assert_int_equal(store_rn_get(s, t.id, rn1.id, &rgot), STORE_NOTFOUND);
	assert_int_equal(store_tenant_get(s, t2.id, &got), STORE_NOTFOUND);
	assert_int_equal(test_raw_int(path,
	    "SELECT count(*) FROM forwarding_profiles"), 2);

	/* While one handle writes, another reads the last commit (WAL). */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_rn_put(s, t.id, &rn2), 0);
	s2 = test_reopen(path);
	assert_int_equal(store_rn_count(s2, t.id, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_rn_count(s2, t.id, &n), 0);
	assert_int_equal(n, 1);
	store_close(s2);

	/* A failed multi-step call does not undo the caller's earlier work. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_rn_put(s, t.id, &rn3), 0);
	snprintf(ids[0], sizeof(ids[0]), "00000000-0000-4000-8000-000000000000");
	assert_int_equal(store_rn_profiles_set(s, t.id, rn3.id, ids, 1),
	    STORE_NOTFOUND);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_rn_get(s, t.id, rn3.id, &rgot), 0);

	/* Rollback and commit outside a transaction are harmless. */
	store_rollback(s);
	assert_int_equal(store_commit(s), -1);
	assert_int_equal(store_rn_count(s, t.id, &n), 0);
	assert_int_equal(n, 2);
	store_close(s);
}

static void
test_reopen_persists(void **state)
{
	struct store *s;
	struct store_tenant t, got;
	struct model_rn rn, rgot;
	struct model_link l, lgot;
	struct model_profile *p = NULL, *assigned = NULL;
	char ids[1][MODEL_ID_LEN + 1];
	uint8_t hash[STORE_HASH_LEN];
	char path[PATH_MAX];
	size_t n;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &t, "0123456789abcdef", 0x42);
	test_rn(&rn, "persistent", 3);
	assert_int_equal(store_rn_put(s, t.id, &rn), 0);
	test_link_custom(&l, rn.id, "persistent link");
	assert_int_equal(store_link_put(s, t.id, &l), 0);
	assert_int_equal(store_profile_list(s, t.id, &p, &n), 0);
	snprintf(ids[0], sizeof(ids[0]), "%s", p[0].id);
	assert_int_equal(store_rn_profiles_set(s, t.id, rn.id, ids, 1), 0);
	store_close(s);

	s = test_reopen(path);
	assert_int_equal(store_schema_version(s), TEST_SCHEMA);
	assert_int_equal(store_tenant_by_token(s, "0123456789abcdef", &got,
	    hash), 0);
	assert_string_equal(got.id, t.id);
	assert_int_equal(hash[0], 0x42);
	assert_int_equal(store_rn_get(s, t.id, rn.id, &rgot), 0);
	assert_memory_equal(&rgot, &rn, sizeof(rgot));
	assert_int_equal(store_link_get(s, t.id, rn.id, l.id, &lgot), 0);
	assert_memory_equal(&lgot, &l, sizeof(lgot));
	assert_int_equal(store_rn_profiles_get(s, t.id, rn.id, &assigned, &n),
	    0);
	assert_int_equal(n, 1);
	assert_memory_equal(&assigned[0], &p[0], sizeof(assigned[0]));
	free(assigned);
	free(p);
	model_link_wipe(&l);
	model_link_wipe(&lgot);
	store_close(s);
}

/*
 * A child acknowledges each committed write over a pipe and is killed
 * with SIGKILL mid-stream: every acknowledged write must be there after.
 */
static void
test_kill9(void **state)
{
	struct store *s;
	struct store_tenant t;
	struct model_rn rn;
	char path[PATH_MAX];
	uint32_t ack, acked = 0;
	size_t n;
	int fd[2], status;
	pid_t pid;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &t, "0123456789abcdef", 1);
	store_close(s);

	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		close(fd[0]);
		if ((s = test_reopen(path)) == NULL)
			_exit(1);
		/* One remote network renamed (a tenant has at most 10). */
		test_rn(&rn, "rn 0", 0);
		for (ack = 1;; ack++) {
			snprintf(rn.name, sizeof(rn.name), "rn %u", ack);
			if (store_begin(s) == -1 ||
			    store_rn_put(s, t.id, &rn) == -1 ||
			    store_commit(s) == -1 ||
			    write(fd[1], &ack, sizeof(ack)) != sizeof(ack))
				_exit(1);
		}
	}
	close(fd[1]);
	while (acked < 20 && read(fd[0], &ack, sizeof(ack)) == sizeof(ack))
		acked = ack;
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	while (read(fd[0], &ack, sizeof(ack)) == sizeof(ack))
		acked = ack;
	close(fd[0]);

	s = test_reopen(path);
	{
		struct model_rn *list = NULL;

		assert_int_equal(store_rn_list(s, t.id, &list, &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(sscanf(list[0].name, "rn %u", &ack), 1);
		free(list);
	}
	assert_true(ack >= acked);
	assert_true(acked >= 20);
	store_close(s);
}

/* An enum spelling this build does not know makes the row corrupt. */
static void
test_corrupt_rows(void **state)
{
	struct store *s;
	struct store_tenant t;
	struct model_rn rn, rgot, *rns = NULL;
	struct model_link l, lgot, *links = NULL;
	struct model_profile *p = NULL;
	char path[PATH_MAX];
	size_t n;

	(void)state;
	s = test_open_new(path, sizeof(path));
	test_tenant(s, &t, "0123456789abcdef", 1);
	test_rn(&rn, "rn", 0);
	assert_int_equal(store_rn_put(s, t.id, &rn), 0);
	test_link_custom(&l, rn.id, "l");
	assert_int_equal(store_link_put(s, t.id, &l), 0);

	test_raw_exec(path, "UPDATE device_links SET pfs = 'pfs99'");
	assert_int_equal(store_link_get(s, t.id, rn.id, l.id, &lgot), -1);
	assert_int_equal(store_link_list(s, t.id, NULL, &links, &n), -1);
	assert_null(links);
	test_raw_exec(path, "UPDATE device_links SET pfs = 'ecp384', "
	    "ip = '300.1.2.3'");
	assert_int_equal(store_link_get(s, t.id, rn.id, l.id, &lgot), -1);
	test_raw_exec(path, "UPDATE device_links SET ip = '1.2.3.4', "
	    "tunnel_type = 'default'");
	assert_int_equal(store_link_get(s, t.id, rn.id, l.id, &lgot), 0);
	assert_false(lgot.tunnel.custom);
	/* A source list this build would not have written. */
	test_raw_exec(path, "UPDATE device_links SET src_prefixes = "
	    "'10.0.0.1/24'");
	assert_int_equal(store_link_get(s, t.id, rn.id, l.id, &lgot), -1);
	test_raw_exec(path, "UPDATE device_links SET src_prefixes = "
	    "'10.0.0.0/8,'");
	assert_int_equal(store_link_get(s, t.id, rn.id, l.id, &lgot), -1);
	test_raw_exec(path, "UPDATE device_links SET src_prefixes = 42");
	assert_int_equal(store_link_get(s, t.id, rn.id, l.id, &lgot), -1);
	test_raw_exec(path, "UPDATE device_links SET src_prefixes = "
	    "'10.0.0.0/8,10.1.0.0/16'");
	assert_int_equal(store_link_get(s, t.id, rn.id, l.id, &lgot), 0);
	assert_int_equal(lgot.nsrc, 2);

	test_raw_exec(path, "UPDATE remote_networks SET region = 'marsNorth'");
	assert_int_equal(store_rn_get(s, t.id, rn.id, &rgot), -1);
	assert_int_equal(store_rn_list(s, t.id, &rns, &n), -1);
	assert_null(rns);

	test_raw_exec(path, "UPDATE forwarding_profiles SET traffic = 'x'");
	assert_int_equal(store_profile_list(s, t.id, &p, &n), -1);
	assert_null(p);

	model_link_wipe(&l);
	model_link_wipe(&lgot);
	store_close(s);
}

/* --- fixture ------------------------------------------------------------ */

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
	snprintf(test_dir, sizeof(test_dir), "/tmp/test_store.XXXXXX");
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
		cmocka_unit_test(test_open_creates),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_schema_newer),
		cmocka_unit_test(test_schema_migrate_v0),
		cmocka_unit_test(test_schema_migrate_v2),
		cmocka_unit_test(test_tenants),
		cmocka_unit_test(test_rn_crud),
		cmocka_unit_test(test_link_roundtrip),
		cmocka_unit_test(test_isolation),
		cmocka_unit_test(test_cascade),
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_reopen_persists),
		cmocka_unit_test(test_kill9),
		cmocka_unit_test(test_corrupt_rows),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
