/*
 * store_sqlite.c - the embedded SQLite backend of store.h, reached through
 * store.c's ops table (store_backend.h).
 *
 * Durability: WAL with synchronous=FULL, so every COMMIT fsyncs the WAL and
 * an acknowledged write survives kill -9 and power loss. The schema is
 * versioned with PRAGMA user_version; sq_migrations[i] takes version i to
 * i + 1 in one transaction, so a new build appends a string and older
 * databases catch up on open. Enums are stored as their Graph spellings,
 * not as numbers, so reordering a model enum cannot reinterpret old rows;
 * a spelling this build does not know makes the row corrupt (-1).
 *
 * Every query is tenant-scoped and uses bound parameters; statements are
 * prepared once per handle and cached in sq->stmt[].
 */
#include "store.h"
#include "store_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "guid.h"
#include "ip4.h"
#include "log.h"
#include "wallclock.h"

#define SQ_BUSY_MS		5000
#define SQ_PROFILES_MAX		8

/*
 * Composite foreign keys (tenant_id, rn_id) make a link or an assignment
 * that crosses tenants impossible even if a caller gets the checks wrong.
 * The UNIQUE (tenant_id, id) constraints are their targets and double as
 * the per-tenant indexes.
 */
static const char *const sq_migrations[] = {
	/* 1: initial schema */
	"CREATE TABLE tenants ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT NOT NULL,"
	"  token_id TEXT NOT NULL UNIQUE,"
	"  token_hash BLOB NOT NULL CHECK (length(token_hash) = 32),"
	"  created_ms INTEGER NOT NULL"
	") STRICT;"
	"CREATE TABLE remote_networks ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  region TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  modified_ms INTEGER NOT NULL,"
	"  UNIQUE (tenant_id, id)"
	") STRICT;"
	"CREATE TABLE device_links ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  tenant_id TEXT NOT NULL,"
	"  rn_id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  ip TEXT NOT NULL,"
	"  vendor TEXT NOT NULL,"
	"  bandwidth TEXT NOT NULL,"
	"  bgp_local TEXT NOT NULL,"
	"  bgp_peer TEXT NOT NULL,"
	"  asn INTEGER NOT NULL,"
	"  redundancy TEXT NOT NULL,"
	"  zone_local TEXT,"
	"  tunnel_type TEXT NOT NULL CHECK (tunnel_type IN ('default', 'custom')),"
	"  psk TEXT NOT NULL,"
	"  zone_psk TEXT,"
	"  sa_lifetime INTEGER,"
	"  ike_enc TEXT,"
	"  ike_int TEXT,"
	"  dh TEXT,"
	"  ipsec_enc TEXT,"
	"  ipsec_int TEXT,"
	"  pfs TEXT,"
	"  version TEXT NOT NULL,"
	"  modified_ms INTEGER NOT NULL,"
	"  FOREIGN KEY (tenant_id, rn_id)"
	"    REFERENCES remote_networks (tenant_id, id) ON DELETE CASCADE"
	") STRICT;"
	"CREATE INDEX device_links_rn ON device_links (tenant_id, rn_id);"
	"CREATE TABLE forwarding_profiles ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  traffic TEXT NOT NULL,"
	"  priority INTEGER NOT NULL,"
	"  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),"
	"  version TEXT NOT NULL,"
	"  modified_ms INTEGER NOT NULL,"
	"  UNIQUE (tenant_id, id)"
	") STRICT;"
	"CREATE TABLE rn_profiles ("
	"  tenant_id TEXT NOT NULL,"
	"  rn_id TEXT NOT NULL,"
	"  profile_id TEXT NOT NULL,"
	"  PRIMARY KEY (rn_id, profile_id),"
	"  FOREIGN KEY (tenant_id, rn_id)"
	"    REFERENCES remote_networks (tenant_id, id) ON DELETE CASCADE,"
	"  FOREIGN KEY (tenant_id, profile_id)"
	"    REFERENCES forwarding_profiles (tenant_id, id) ON DELETE CASCADE"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX rn_profiles_rn ON rn_profiles (tenant_id, rn_id);"
	"CREATE INDEX rn_profiles_profile ON rn_profiles (tenant_id, profile_id);",

	/*
	 * 2: remote network health events (system-facts §2.5). No foreign key
	 * to remote_networks: the log outlives a deleted remote network, as
	 * Graph's does; it goes with its tenant.
	 */
	"CREATE TABLE health_events ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  remote_network_id TEXT NOT NULL,"
	"  created_ms INTEGER NOT NULL,"
	"  source_ip TEXT NOT NULL,"
	"  destination_ip TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('tunnelConnected',"
	"    'tunnelDisconnected', 'bgpConnected', 'bgpDisconnected',"
	"    'remoteNetworkAlive')),"
	"  description TEXT,"
	"  bgp_routes_advertised INTEGER NOT NULL DEFAULT 0,"
	"  sent_bytes INTEGER NOT NULL DEFAULT 0,"
	"  received_bytes INTEGER NOT NULL DEFAULT 0"
	") STRICT;"
	"CREATE INDEX health_events_time"
	"  ON health_events (tenant_id, created_ms DESC, id DESC);"
	"CREATE INDEX health_events_rn ON health_events"
	"  (tenant_id, remote_network_id, created_ms DESC, id DESC);"
	"CREATE INDEX health_events_age ON health_events (created_ms);",

	/*
	 * 3: a device link's staticSourcePrefixes, as model_prefixes_fmt()
	 * writes them ("" for none, which is what links stored before get).
	 */
	"ALTER TABLE device_links"
	"  ADD COLUMN src_prefixes TEXT NOT NULL DEFAULT '';",
};
#define SQ_VERSION	((int)(sizeof(sq_migrations) / sizeof(sq_migrations[0])))

/*
 * Column order of SQ_LINK_COLS; INSERT binds column i at parameter i + 2.
 * LC_NCOLS is where SQ_LINK_LIST_ALL puts tenant_id.
 */
enum sq_link_col {
	LC_ID, LC_RN_ID, LC_NAME, LC_IP, LC_VENDOR, LC_BANDWIDTH, LC_BGP_LOCAL,
	LC_BGP_PEER, LC_ASN, LC_REDUNDANCY, LC_ZONE_LOCAL, LC_TUNNEL_TYPE,
	LC_PSK, LC_ZONE_PSK, LC_SA_LIFETIME, LC_IKE_ENC, LC_IKE_INT, LC_DH,
	LC_IPSEC_ENC, LC_IPSEC_INT, LC_PFS, LC_VERSION, LC_MODIFIED_MS,
	LC_SRC_PREFIXES,
	LC_NCOLS
};
#define SQ_LINK_COLS							\
	"id, rn_id, name, ip, vendor, bandwidth, bgp_local, bgp_peer, asn, "	\
	"redundancy, zone_local, tunnel_type, psk, zone_psk, sa_lifetime, "	\
	"ike_enc, ike_int, dh, ipsec_enc, ipsec_int, pfs, version, "	\
	"modified_ms, src_prefixes"
#define SQ_RN_COLS	"id, name, region, version, modified_ms"
#define SQ_PROFILE_COLS							\
	"p.id, p.name, p.traffic, p.priority, p.enabled, p.version, "	\
	"p.modified_ms"
#define SQ_TENANT_COLS	"id, name, created_ms, token_hash"
#define SQ_EVENT_COLS							\
	"id, remote_network_id, created_ms, source_ip, destination_ip, "	\
	"status, description, bgp_routes_advertised, sent_bytes, "	\
	"received_bytes"

enum sq_id {
	SQ_TENANT_ADD, SQ_TENANT_BY_TOKEN, SQ_TENANT_GET,
	SQ_RN_PUT, SQ_RN_GET, SQ_RN_LIST, SQ_RN_COUNT, SQ_RN_DELETE,
	SQ_LINK_PUT, SQ_LINK_GET, SQ_LINK_LIST, SQ_LINK_COUNT, SQ_LINK_DELETE,
	SQ_PROFILE_ADD, SQ_PROFILE_LIST, SQ_PROFILE_GET,
	SQ_RNP_GET, SQ_RNP_CLEAR, SQ_RNP_ADD,
	SQ_LINK_LIST_ALL, SQ_EVENT_ADD, SQ_EVENT_LIST, SQ_EVENT_LIST_ASC,
	SQ_EVENT_COUNT, SQ_EVENT_PRUNE,
	SQ_NSTMT
};

static const char *const sq_sql[SQ_NSTMT] = {
	[SQ_TENANT_ADD] =
	    "INSERT INTO tenants (id, name, token_id, token_hash, created_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[SQ_TENANT_BY_TOKEN] =
	    "SELECT " SQ_TENANT_COLS " FROM tenants WHERE token_id = ?1",
	[SQ_TENANT_GET] =
	    "SELECT " SQ_TENANT_COLS " FROM tenants WHERE id = ?1",

	/* The WHERE keeps a put from taking over another tenant's id. */
	[SQ_RN_PUT] =
	    "INSERT INTO remote_networks "
	    "(tenant_id, id, name, region, version, modified_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
	    "region = excluded.region, version = excluded.version, "
	    "modified_ms = excluded.modified_ms "
	    "WHERE remote_networks.tenant_id = excluded.tenant_id",
	[SQ_RN_GET] =
	    "SELECT " SQ_RN_COLS " FROM remote_networks "
	    "WHERE tenant_id = ?1 AND id = ?2",
	[SQ_RN_LIST] =
	    "SELECT " SQ_RN_COLS " FROM remote_networks "
	    "WHERE tenant_id = ?1 ORDER BY name, id",
	[SQ_RN_COUNT] =
	    "SELECT count(*) FROM remote_networks WHERE tenant_id = ?1",
	[SQ_RN_DELETE] =
	    "DELETE FROM remote_networks WHERE tenant_id = ?1 AND id = ?2",

	[SQ_LINK_PUT] =
	    "INSERT INTO device_links (tenant_id, " SQ_LINK_COLS ") VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25) "
	    "ON CONFLICT (id) DO UPDATE SET rn_id = excluded.rn_id, "
	    "name = excluded.name, ip = excluded.ip, "
	    "vendor = excluded.vendor, bandwidth = excluded.bandwidth, "
	    "bgp_local = excluded.bgp_local, bgp_peer = excluded.bgp_peer, "
	    "asn = excluded.asn, redundancy = excluded.redundancy, "
	    "zone_local = excluded.zone_local, "
	    "tunnel_type = excluded.tunnel_type, psk = excluded.psk, "
	    "zone_psk = excluded.zone_psk, "
	    "sa_lifetime = excluded.sa_lifetime, ike_enc = excluded.ike_enc, "
	    "ike_int = excluded.ike_int, dh = excluded.dh, "
	    "ipsec_enc = excluded.ipsec_enc, ipsec_int = excluded.ipsec_int, "
	    "pfs = excluded.pfs, version = excluded.version, "
	    "modified_ms = excluded.modified_ms, "
	    "src_prefixes = excluded.src_prefixes "
	    "WHERE device_links.tenant_id = excluded.tenant_id",
	[SQ_LINK_GET] =
	    "SELECT " SQ_LINK_COLS " FROM device_links "
	    "WHERE tenant_id = ?1 AND rn_id = ?2 AND id = ?3",
	[SQ_LINK_LIST] =
	    "SELECT " SQ_LINK_COLS " FROM device_links "
	    "WHERE tenant_id = ?1 AND (?2 IS NULL OR rn_id = ?2) "
	    "ORDER BY name, id",
	[SQ_LINK_COUNT] =
	    "SELECT count(*) FROM device_links "
	    "WHERE tenant_id = ?1 AND (?2 IS NULL OR rn_id = ?2)",
	[SQ_LINK_DELETE] =
	    "DELETE FROM device_links "
	    "WHERE tenant_id = ?1 AND rn_id = ?2 AND id = ?3",

	[SQ_PROFILE_ADD] =
	    "INSERT INTO forwarding_profiles (tenant_id, id, name, traffic, "
	    "priority, enabled, version, modified_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[SQ_PROFILE_LIST] =
	    "SELECT " SQ_PROFILE_COLS " FROM forwarding_profiles p "
	    "WHERE p.tenant_id = ?1 ORDER BY p.priority, p.id",
	[SQ_PROFILE_GET] =
	    "SELECT " SQ_PROFILE_COLS " FROM forwarding_profiles p "
	    "WHERE p.tenant_id = ?1 AND p.id = ?2",

	[SQ_RNP_GET] =
	    "SELECT " SQ_PROFILE_COLS " FROM rn_profiles r "
	    "JOIN forwarding_profiles p "
	    "ON p.tenant_id = r.tenant_id AND p.id = r.profile_id "
	    "WHERE r.tenant_id = ?1 AND r.rn_id = ?2 "
	    "ORDER BY p.priority, p.id",
	[SQ_RNP_CLEAR] =
	    "DELETE FROM rn_profiles WHERE tenant_id = ?1 AND rn_id = ?2",
	/* Duplicates in the caller's id list collapse to one row. */
	[SQ_RNP_ADD] =
	    "INSERT OR IGNORE INTO rn_profiles (tenant_id, rn_id, profile_id) "
	    "VALUES (?1, ?2, ?3)",

	/* The gateway's view: every tenant. tenant_id after the link columns. */
	[SQ_LINK_LIST_ALL] =
	    "SELECT " SQ_LINK_COLS ", tenant_id FROM device_links ORDER BY id",

	[SQ_EVENT_ADD] =
	    "INSERT INTO health_events (tenant_id, " SQ_EVENT_COLS ") VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	/*
	 * Keyset paging: rows strictly after the cursor (?4, ?5) in the
	 * order; ?7, ?8 bound created_ms (inclusive). The same parameters
	 * for both orders and the count (which has no cursor).
	 */
	[SQ_EVENT_LIST] =
	    "SELECT " SQ_EVENT_COLS " FROM health_events "
	    "WHERE tenant_id = ?1 "
	    "AND (?2 IS NULL OR remote_network_id = ?2) "
	    "AND (?3 IS NULL OR status = ?3) "
	    "AND (?7 IS NULL OR created_ms >= ?7) "
	    "AND (?8 IS NULL OR created_ms <= ?8) "
	    "AND (?5 IS NULL OR created_ms < ?4 OR "
	    "(created_ms = ?4 AND id < ?5)) "
	    "ORDER BY created_ms DESC, id DESC LIMIT ?6",
	[SQ_EVENT_LIST_ASC] =
	    "SELECT " SQ_EVENT_COLS " FROM health_events "
	    "WHERE tenant_id = ?1 "
	    "AND (?2 IS NULL OR remote_network_id = ?2) "
	    "AND (?3 IS NULL OR status = ?3) "
	    "AND (?7 IS NULL OR created_ms >= ?7) "
	    "AND (?8 IS NULL OR created_ms <= ?8) "
	    "AND (?5 IS NULL OR created_ms > ?4 OR "
	    "(created_ms = ?4 AND id > ?5)) "
	    "ORDER BY created_ms ASC, id ASC LIMIT ?6",
	[SQ_EVENT_COUNT] =
	    "SELECT count(*) FROM health_events "
	    "WHERE tenant_id = ?1 "
	    "AND (?2 IS NULL OR remote_network_id = ?2) "
	    "AND (?3 IS NULL OR status = ?3) "
	    "AND (?7 IS NULL OR created_ms >= ?7) "
	    "AND (?8 IS NULL OR created_ms <= ?8)",
	[SQ_EVENT_PRUNE] =
	    "DELETE FROM health_events WHERE created_ms < ?1",
};

/* Graph trafficForwardingType, in enum model_traffic order. */
static const char *const sq_traffic_names[] = { "m365", "internet", "private" };
static const struct model_enum sq_traffic_enum = {
	"trafficForwardingType", sq_traffic_names,
	sizeof(sq_traffic_names) / sizeof(sq_traffic_names[0])
};

struct sq {
	sqlite3		*db;
	int		 version;
	sqlite3_stmt	*stmt[SQ_NSTMT];
};

typedef int (*sq_row_fn)(sqlite3_stmt *, void *);

/* --- helpers ---------------------------------------------------------- */

static int
sq_exec(struct sq *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_err("store: %s: %s", sql, msg != NULL ? msg :
		    sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static sqlite3_stmt *
sq_stmt(struct sq *s, enum sq_id id)
{
	if (s->stmt[id] == NULL && sqlite3_prepare_v3(s->db, sq_sql[id], -1,
	    SQLITE_PREPARE_PERSISTENT, &s->stmt[id], NULL) != SQLITE_OK) {
		log_err("store: prepare %d: %s", (int)id, sqlite3_errmsg(s->db));
		s->stmt[id] = NULL;
		return NULL;
	}
	return s->stmt[id];
}

/*
 * Reset after every use: a cached statement left mid-result would hold a
 * read snapshot open and keep SQLITE_STATIC bindings pointing at freed
 * stack memory.
 */
static void
sq_done(sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* SQLITE_ROW, SQLITE_DONE or -1 (logged); errs sums failed binds. */
static int
sq_step(sqlite3_stmt *st, int errs, const char *func)
{
	int rc;

	if (errs != 0) {
		log_err("%s: bind: %s", func,
		    sqlite3_errmsg(sqlite3_db_handle(st)));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	log_err("%s: %s", func, sqlite3_errmsg(sqlite3_db_handle(st)));
	return -1;
}

/* 1 on error, for summing: NULL binds SQL NULL. */
static int
sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(st, i) != SQLITE_OK;
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) != SQLITE_OK;
}

/* A fixed-size model field: never reads past the buffer. */
static int
sq_bind_buf(sqlite3_stmt *st, int i, const char *buf, size_t size)
{
	return sqlite3_bind_text(st, i, buf, (int)strnlen(buf, size),
	    SQLITE_STATIC) != SQLITE_OK;
}

static int
sq_bind_int(sqlite3_stmt *st, int i, int64_t v)
{
	return sqlite3_bind_int64(st, i, v) != SQLITE_OK;
}

static int
sq_col_text(sqlite3_stmt *st, int col, char *buf, size_t size, bool nullok)
{
	const char *v;
	int len;

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		buf[0] = '\0';
		return nullok ? 0 : -1;
	}
	if (sqlite3_column_type(st, col) != SQLITE_TEXT)
		return -1;
	v = (const char *)sqlite3_column_text(st, col);
	len = sqlite3_column_bytes(st, col);
	if (v == NULL || len < 0 || (size_t)len >= size ||
	    memchr(v, '\0', (size_t)len) != NULL)
		return -1;
	memcpy(buf, v, (size_t)len);
	buf[len] = '\0';
	return 0;
}

static int
sq_col_int(sqlite3_stmt *st, int col, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;

	if (sqlite3_column_type(st, col) != SQLITE_INTEGER)
		return -1;
	v = sqlite3_column_int64(st, col);
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
sq_col_enum(sqlite3_stmt *st, int col, const struct model_enum *e, int *out)
{
	const char *v;

	if (sqlite3_column_type(st, col) != SQLITE_TEXT)
		return -1;
	v = (const char *)sqlite3_column_text(st, col);
	if ((*out = model_enum_parse(e, v)) == -1)
		return -1;
	return 0;
}

static int
sq_col_ip(sqlite3_stmt *st, int col, bool nullok, uint32_t *out)
{
	char buf[IP4_STRLEN];

	*out = 0;
	if (sq_col_text(st, col, buf, sizeof(buf), nullok) == -1)
		return -1;
	if (buf[0] == '\0')
		return 0;
	return ip4_parse(buf, out);
}

/* Grows by copying, so that an old block holding keys is wiped, not leaked. */
static int
sq_grow(unsigned char **arr, size_t *cap, size_t n, size_t elsize)
{
	size_t ncap = *cap == 0 ? 8 : *cap * 2;
	unsigned char *p;

	if (ncap < *cap || (p = calloc(ncap, elsize)) == NULL) {
		log_err("store: out of memory");
		return -1;
	}
	if (*arr != NULL) {
		memcpy(p, *arr, n * elsize);
		explicit_bzero(*arr, *cap * elsize);
		free(*arr);
	}
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Steps st to the end, one row() per element; the caller resets st. */
static int
sq_list(sqlite3_stmt *st, int errs, const char *func, size_t elsize,
    sq_row_fn row, void **out, size_t *n)
{
	unsigned char *arr = NULL;
	size_t cap = 0, cnt = 0;
	int rc;

	if (errs != 0 && sq_step(st, errs, func) == -1)
		return -1;
	while ((rc = sq_step(st, 0, func)) == SQLITE_ROW) {
		if (cnt == cap && sq_grow(&arr, &cap, cnt, elsize) == -1)
			goto fail;
		if (row(st, arr + cnt * elsize) == -1)
			goto fail;
		cnt++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	*out = arr;
	*n = cnt;
	return 0;
fail:
	if (arr != NULL) {
		explicit_bzero(arr, cap * elsize);
		free(arr);
	}
	return -1;
}

/* Steps a SELECT count(*) statement. */
static int
sq_count(sqlite3_stmt *st, int errs, const char *func, size_t *n)
{
	int64_t v;

	if (sq_step(st, errs, func) != SQLITE_ROW)
		return -1;
	if (sq_col_int(st, 0, 0, INT64_MAX, &v) == -1)
		return -1;
	*n = (size_t)v;
	return 0;
}

/*
 * Multi-statement writes are atomic on their own. Outside store_begin()
 * they get their own BEGIN IMMEDIATE: a deferred transaction that reads
 * first could fail its upgrade to a write with SQLITE_BUSY_SNAPSHOT. Inside
 * the caller's transaction a savepoint undoes just this call on failure.
 */
static int
sq_op_begin(struct sq *s, bool *own)
{
	*own = sqlite3_get_autocommit(s->db) != 0;
	return sq_exec(s, *own ? "BEGIN IMMEDIATE" : "SAVEPOINT store_op");
}

static int
sq_op_end(struct sq *s, bool own, int rc)
{
	if (rc == 0 && sq_exec(s, own ? "COMMIT" : "RELEASE store_op") == 0)
		return 0;
	/* Also the path when the COMMIT or RELEASE itself failed. */
	if (!sqlite3_get_autocommit(s->db)) {
		if (own)
			sq_exec(s, "ROLLBACK");
		else if (sq_exec(s, "ROLLBACK TO store_op") == 0)
			sq_exec(s, "RELEASE store_op");
	}
	return rc == 0 ? -1 : rc;
}

/* One row: 0 and row() filled, STORE_NOTFOUND, or -1. */
static int
sq_get_one(sqlite3_stmt *st, int errs, const char *func, sq_row_fn row,
    void *out)
{
	switch (sq_step(st, errs, func)) {
	case SQLITE_ROW:
		return row(st, out);
	case SQLITE_DONE:
		return STORE_NOTFOUND;
	default:
		return -1;
	}
}

/* --- rows --------------------------------------------------------------- */

struct sq_tenant_row {
	struct store_tenant	*t;
	uint8_t			*hash;		/* NULL: not wanted */
};

static int
sq_row_tenant(sqlite3_stmt *st, void *arg)
{
	struct sq_tenant_row *r = arg;
	struct store_tenant *t = r->t;
	int64_t created = 0;
	int errs = 0;

	memset(t, 0, sizeof(*t));
	errs += sq_col_text(st, 0, t->id, sizeof(t->id), false) == -1;
	errs += sq_col_text(st, 1, t->name, sizeof(t->name), false) == -1;
	errs += sq_col_int(st, 2, INT64_MIN, INT64_MAX, &created) == -1;
	t->created_ms = created;
	if (sqlite3_column_type(st, 3) != SQLITE_BLOB ||
	    sqlite3_column_bytes(st, 3) != STORE_HASH_LEN)
		errs++;
	else if (r->hash != NULL)
		memcpy(r->hash, sqlite3_column_blob(st, 3), STORE_HASH_LEN);
	if (errs != 0) {
		log_err("store: corrupt tenant row %s", t->id);
		return -1;
	}
	return 0;
}

static int
sq_row_rn(sqlite3_stmt *st, void *arg)
{
	struct model_rn *rn = arg;
	int64_t ms = 0;
	int errs = 0;

	memset(rn, 0, sizeof(*rn));
	errs += sq_col_text(st, 0, rn->id, sizeof(rn->id), false) == -1;
	errs += sq_col_text(st, 1, rn->name, sizeof(rn->name), false) == -1;
	errs += sq_col_enum(st, 2, &model_region_enum, &rn->region) == -1;
	errs += sq_col_text(st, 3, rn->version, sizeof(rn->version),
	    false) == -1;
	errs += sq_col_int(st, 4, INT64_MIN, INT64_MAX, &ms) == -1;
	rn->modified_ms = ms;
	if (errs != 0) {
		log_err("store: corrupt remote network row %s", rn->id);
		return -1;
	}
	return 0;
}

static int
sq_row_link(sqlite3_stmt *st, void *arg)
{
	struct model_link *l = arg;
	struct model_tunnel *t = &l->tunnel;
	char type[8], pfx[MODEL_PREFIXES_STRLEN];
	int64_t asn = 0, ms = 0, life = 0;
	int errs = 0;

	memset(l, 0, sizeof(*l));
	errs += sq_col_text(st, LC_ID, l->id, sizeof(l->id), false) == -1;
	errs += sq_col_text(st, LC_RN_ID, l->rn_id, sizeof(l->rn_id),
	    false) == -1;
	errs += sq_col_text(st, LC_NAME, l->name, sizeof(l->name), false) == -1;
	errs += sq_col_ip(st, LC_IP, false, &l->ip) == -1;
	errs += sq_col_enum(st, LC_VENDOR, &model_vendor_enum,
	    &l->vendor) == -1;
	errs += sq_col_enum(st, LC_BANDWIDTH, &model_bandwidth_enum,
	    &l->bandwidth) == -1;
	errs += sq_col_ip(st, LC_BGP_LOCAL, false, &l->bgp_local) == -1;
	errs += sq_col_ip(st, LC_BGP_PEER, false, &l->bgp_peer) == -1;
	errs += sq_col_int(st, LC_ASN, 0, UINT32_MAX, &asn) == -1;
	l->asn = (uint32_t)asn;
	errs += sq_col_enum(st, LC_REDUNDANCY, &model_redundancy_enum,
	    &l->redundancy) == -1;
	errs += sq_col_ip(st, LC_ZONE_LOCAL, true, &l->zone_local) == -1;
	errs += sq_col_text(st, LC_PSK, t->psk, sizeof(t->psk), false) == -1;
	errs += sq_col_text(st, LC_ZONE_PSK, t->zone_psk, sizeof(t->zone_psk),
	    true) == -1;
	errs += sq_col_text(st, LC_VERSION, l->version, sizeof(l->version),
	    false) == -1;
	errs += sq_col_int(st, LC_MODIFIED_MS, INT64_MIN, INT64_MAX, &ms) == -1;
	l->modified_ms = ms;
	if (sq_col_text(st, LC_SRC_PREFIXES, pfx, sizeof(pfx), false) == -1 ||
	    model_prefixes_parse(pfx, l) == -1)
		errs++;

	if (sq_col_text(st, LC_TUNNEL_TYPE, type, sizeof(type), false) == -1)
		errs++;
	else if (strcmp(type, "custom") == 0) {
		t->custom = true;
		errs += sq_col_int(st, LC_SA_LIFETIME, 0, INT64_MAX,
		    &life) == -1;
		t->sa_lifetime = life;
		errs += sq_col_enum(st, LC_IKE_ENC, &model_ike_enc_enum,
		    &t->ike_enc) == -1;
		errs += sq_col_enum(st, LC_IKE_INT, &model_ike_int_enum,
		    &t->ike_int) == -1;
		errs += sq_col_enum(st, LC_DH, &model_dh_enum, &t->dh) == -1;
		errs += sq_col_enum(st, LC_IPSEC_ENC, &model_ipsec_enc_enum,
		    &t->ipsec_enc) == -1;
		errs += sq_col_enum(st, LC_IPSEC_INT, &model_ipsec_int_enum,
		    &t->ipsec_int) == -1;
		errs += sq_col_enum(st, LC_PFS, &model_pfs_enum, &t->pfs) == -1;
	} else if (strcmp(type, "default") != 0)
		errs++;

	if (errs != 0) {
		log_err("store: corrupt device link row %s", l->id);
		model_link_wipe(l);
		return -1;
	}
	return 0;
}

static int
sq_row_profile(sqlite3_stmt *st, void *arg)
{
	struct model_profile *p = arg;
	int64_t prio = 0, enabled = 0, ms = 0;
	int errs = 0;

	memset(p, 0, sizeof(*p));
	errs += sq_col_text(st, 0, p->id, sizeof(p->id), false) == -1;
	errs += sq_col_text(st, 1, p->name, sizeof(p->name), false) == -1;
	errs += sq_col_enum(st, 2, &sq_traffic_enum, &p->traffic) == -1;
	errs += sq_col_int(st, 3, INT_MIN, INT_MAX, &prio) == -1;
	errs += sq_col_int(st, 4, 0, 1, &enabled) == -1;
	errs += sq_col_text(st, 5, p->version, sizeof(p->version), false) == -1;
	errs += sq_col_int(st, 6, INT64_MIN, INT64_MAX, &ms) == -1;
	p->priority = (int)prio;
	p->enabled = enabled != 0;
	p->modified_ms = ms;
	if (errs != 0) {
		log_err("store: corrupt forwarding profile row %s", p->id);
		return -1;
	}
	return 0;
}

static int
sq_row_tenant_link(sqlite3_stmt *st, void *arg)
{
	struct store_tenant_link *tl = arg;

	memset(tl->tenant_id, 0, sizeof(tl->tenant_id));
	if (sq_row_link(st, &tl->link) == -1)
		return -1;
	if (sq_col_text(st, LC_NCOLS, tl->tenant_id,
	    sizeof(tl->tenant_id), false) == -1) {
		log_err("store: corrupt device link row %s", tl->link.id);
		model_link_wipe(&tl->link);
		return -1;
	}
	return 0;
}

static int
sq_row_event(sqlite3_stmt *st, void *arg)
{
	struct store_event *ev = arg;
	int64_t ms = 0, routes = 0, sent = 0, rcvd = 0;
	int errs = 0;

	memset(ev, 0, sizeof(*ev));
	errs += sq_col_text(st, 0, ev->id, sizeof(ev->id), false) == -1;
	errs += sq_col_text(st, 1, ev->rn_id, sizeof(ev->rn_id), false) == -1;
	errs += sq_col_int(st, 2, INT64_MIN, INT64_MAX, &ms) == -1;
	errs += sq_col_ip(st, 3, false, &ev->source_ip) == -1;
	errs += sq_col_ip(st, 4, false, &ev->destination_ip) == -1;
	errs += sq_col_enum(st, 5, &store_event_status_enum,
	    &ev->status) == -1;
	errs += sq_col_text(st, 6, ev->description, sizeof(ev->description),
	    true) == -1;
	errs += sq_col_int(st, 7, 0, INT32_MAX, &routes) == -1;
	errs += sq_col_int(st, 8, 0, INT64_MAX, &sent) == -1;
	errs += sq_col_int(st, 9, 0, INT64_MAX, &rcvd) == -1;
	ev->created_ms = ms;
	ev->bgp_routes_advertised = (int32_t)routes;
	ev->sent_bytes = sent;
	ev->received_bytes = rcvd;
	if (errs != 0) {
		log_err("store: corrupt health event row %s", ev->id);
		return -1;
	}
	return 0;
}

/* --- open, schema ------------------------------------------------------- */

static int
sq_dirname(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (slash == NULL)
		return snprintf(out, size, ".") >= (int)size ? -1 : 0;
	len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= size)
		return -1;
	memcpy(out, path, len);
	out[len] = '\0';
	return 0;
}

/* A new directory entry is durable only once its directory is fsynced. */
static void
sq_sync_dir(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if (fsync(fd) == -1)
		log_warn("store: fsync %s: %s", dir, strerror(errno));
	close(fd);
}

/*
 * The database holds pre-shared keys: create it (and its directory) owner-
 * only before SQLite does, which would use 0644. SQLite gives the -wal and
 * -shm files the main file's mode.
 */
static int
sq_prepare_file(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX], parent[PATH_MAX];
	int fd;

	if (sq_dirname(path, dir, sizeof(dir)) == -1) {
		snprintf(err, errlen, "store path too long");
		return -1;
	}
	if (mkdir(dir, 0700) == 0) {
		if (sq_dirname(dir, parent, sizeof(parent)) == 0)
			sq_sync_dir(parent);
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "cannot create directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd != -1) {
		close(fd);
		sq_sync_dir(dir);
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Runs a PRAGMA; out gets the first column of its first row, or "". */
static int
sq_pragma(struct sq *s, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	const char *v;
	int rc = -1;

	out[0] = '\0';
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		if ((v = (const char *)sqlite3_column_text(st, 0)) != NULL)
			snprintf(out, size, "%s", v);
		break;
	case SQLITE_DONE:
		break;
	default:
		goto fail;
	}
	rc = 0;
fail:
	sqlite3_finalize(st);
	return rc;
}

static int
sq_user_version(struct sq *s, int *v)
{
	char buf[16], *end;
	long l;

	if (sq_pragma(s, "PRAGMA user_version", buf, sizeof(buf)) == -1)
		return -1;
	errno = 0;
	l = strtol(buf, &end, 10);
	if (buf[0] == '\0' || *end != '\0' || errno != 0 || l < INT_MIN ||
	    l > INT_MAX)
		return -1;
	*v = (int)l;
	return 0;
}

/*
 * Durability and integrity settings, each read back: a SQLite built or
 * mounted so that one silently does not apply must not run.
 */
static int
sq_settings(struct sq *s, const char *path, bool mem, char *err,
    size_t errlen)
{
	static const struct {
		const char	*set;
		const char	*get;
		const char	*want;
	} prag[] = {
		/* journal_mode first: it is the first read of the file. */
		{ "PRAGMA journal_mode = WAL", NULL, "wal" },
		{ "PRAGMA synchronous = FULL", "PRAGMA synchronous", "2" },
		{ "PRAGMA foreign_keys = ON", "PRAGMA foreign_keys", "1" },
		/* Overwrite deleted content, PSKs included, on disk. */
		{ "PRAGMA secure_delete = ON", "PRAGMA secure_delete", "1" },
		{ "PRAGMA trusted_schema = OFF", "PRAGMA trusted_schema", "0" },
	};
	char got[32];
	size_t i;

	for (i = 0; i < sizeof(prag) / sizeof(prag[0]); i++) {
		if (sq_pragma(s, prag[i].set, got, sizeof(got)) == -1 ||
		    (prag[i].get != NULL &&
		    sq_pragma(s, prag[i].get, got, sizeof(got)) == -1)) {
			snprintf(err, errlen, "%s: %s", path,
			    sqlite3_errmsg(s->db));
			return -1;
		}
		if (mem && i == 0)
			continue;	/* ":memory:" has no WAL */
		if (strcmp(got, prag[i].want) != 0) {
			snprintf(err, errlen, "%s: \"%s\" gave \"%s\"", path,
			    prag[i].set, got);
			return -1;
		}
	}
	return 0;
}

/*
 * Brings the schema to SQ_VERSION, one migration per transaction. The
 * version is re-read under the write lock so that two processes opening
 * the same old database do not both migrate it.
 */
static int
sq_migrate(struct sq *s, const char *path, char *err, size_t errlen)
{
	char sql[64];
	int v;

	if (sq_user_version(s, &v) == -1)
		goto fail_db;
	while (v >= 0 && v < SQ_VERSION) {
		if (sq_exec(s, "BEGIN IMMEDIATE") == -1)
			goto fail_db;
		if (sq_user_version(s, &v) == -1)
			goto fail_tx;
		if (v >= 0 && v < SQ_VERSION) {
			if (sqlite3_exec(s->db, sq_migrations[v], NULL, NULL,
			    NULL) != SQLITE_OK) {
				snprintf(err, errlen, "%s: migration to "
				    "schema version %d: %s", path, v + 1,
				    sqlite3_errmsg(s->db));
				goto fail_rollback;
			}
			/* An integer of ours, not caller data. */
			snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
			    v + 1);
			if (sq_exec(s, sql) == -1)
				goto fail_tx;
			v++;
		}
		if (sq_exec(s, "COMMIT") == -1)
			goto fail_tx;
		log_info("store: %s at schema version %d", path, v);
	}
	if (v < 0 || v > SQ_VERSION) {
		snprintf(err, errlen, "%s: schema version %d is not one this "
		    "build knows (0..%d)", path, v, SQ_VERSION);
		return -1;
	}
	s->version = v;
	return 0;
fail_tx:
	snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
fail_rollback:
	if (!sqlite3_get_autocommit(s->db))
		sq_exec(s, "ROLLBACK");
	return -1;
fail_db:
	snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
	return -1;
}

static void
sq_close(void *be)
{
	struct sq *s = be;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < SQ_NSTMT; i++)
		sqlite3_finalize(s->stmt[i]);
	if (sqlite3_close(s->db) != SQLITE_OK)
		log_err("store: close: %s", sqlite3_errmsg(s->db));
	free(s);
}

static int
sq_open(const char *path, void **out, char *err, size_t errlen)
{
	struct sq *s = NULL;
	bool mem = strcmp(path, ":memory:") == 0;

	*out = NULL;
	if (!mem && sq_prepare_file(path, err, errlen) == -1)
		goto fail;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* One thread at a time per handle (store.h): no SQLite mutexes. */
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, s->db != NULL ?
		    sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, SQ_BUSY_MS);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	if (sq_settings(s, path, mem, err, errlen) == -1 ||
	    sq_migrate(s, path, err, errlen) == -1)
		goto fail;
	*out = s;
	return 0;
fail:
	sq_close(s);
	return -1;
}

static int
sq_schema_version(void *be)
{
	struct sq *s = be;

	return s->version;
}

/* --- transactions ------------------------------------------------------- */

/* IMMEDIATE: take the write lock now, not at the first write, so a
 * transaction never fails half-way with SQLITE_BUSY on a lock upgrade. */
static int
sq_begin(void *be)
{
	return sq_exec(be, "BEGIN IMMEDIATE");
}

static int
sq_commit(void *be)
{
	struct sq *s = be;

	if (sq_exec(s, "COMMIT") == 0)
		return 0;
	/* Not committed means not applied: leave no half-open transaction. */
	if (!sqlite3_get_autocommit(s->db))
		sq_exec(s, "ROLLBACK");
	return -1;
}

static void
sq_rollback(void *be)
{
	struct sq *s = be;

	if (!sqlite3_get_autocommit(s->db))
		sq_exec(s, "ROLLBACK");
}

/* --- tenants, profiles -------------------------------------------------- */

static int
sq_profile_add(struct sq *s, const char *tenant_id,
    const struct model_profile *p)
{
	const char *traffic = model_enum_name(&sq_traffic_enum, p->traffic);
	sqlite3_stmt *st = NULL;
	int errs = 0, rc = -1;

	if (traffic == NULL) {
		log_err("%s: invalid traffic type %d", __func__, p->traffic);
		goto fail;
	}
	if ((st = sq_stmt(s, SQ_PROFILE_ADD)) == NULL)
		goto fail;
	errs += sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_buf(st, 2, p->id, sizeof(p->id));
	errs += sq_bind_buf(st, 3, p->name, sizeof(p->name));
	errs += sq_bind_text(st, 4, traffic);
	errs += sq_bind_int(st, 5, p->priority);
	errs += sq_bind_int(st, 6, p->enabled ? 1 : 0);
	errs += sq_bind_buf(st, 7, p->version, sizeof(p->version));
	errs += sq_bind_int(st, 8, p->modified_ms);
	if (sq_step(st, errs, __func__) != SQLITE_DONE)
		goto fail;
	rc = 0;
fail:
	sq_done(st);
	return rc;
}

static int
sq_tenant_add(void *be, const struct store_tenant *t, const char *token_id,
    const uint8_t hash[STORE_HASH_LEN])
{
	struct sq *s = be;
	struct model_profile p[SQ_PROFILES_MAX];
	sqlite3_stmt *st = NULL;
	int64_t now = wallclock_now_ms();
	size_t i, np;
	int errs = 0, rc = -1;
	bool own;

	if (sq_op_begin(s, &own) == -1)
		return -1;
	if ((st = sq_stmt(s, SQ_TENANT_ADD)) == NULL)
		goto fail;
	errs += sq_bind_buf(st, 1, t->id, sizeof(t->id));
	errs += sq_bind_buf(st, 2, t->name, sizeof(t->name));
	errs += sq_bind_text(st, 3, token_id);
	errs += sqlite3_bind_blob(st, 4, hash, STORE_HASH_LEN,
	    SQLITE_STATIC) != SQLITE_OK;
	errs += sq_bind_int(st, 5, t->created_ms);
	if (sq_step(st, errs, __func__) != SQLITE_DONE)
		goto fail;
	sq_done(st);
	st = NULL;

	np = model_profiles_builtin(p, SQ_PROFILES_MAX);
	for (i = 0; i < np; i++) {
		if (guid_new(p[i].id) == -1) {
			log_err("%s: guid_new failed", __func__);
			goto fail;
		}
		p[i].modified_ms = now;
		if (sq_profile_add(s, t->id, &p[i]) == -1)
			goto fail;
	}
	rc = 0;
fail:
	sq_done(st);
	return sq_op_end(s, own, rc);
}

static int
sq_tenant_by_token(void *be, const char *token_id, struct store_tenant *out,
    uint8_t hash[STORE_HASH_LEN])
{
	struct sq_tenant_row r = { out, hash };
	sqlite3_stmt *st;
	int rc;

	if ((st = sq_stmt(be, SQ_TENANT_BY_TOKEN)) == NULL)
		return -1;
	rc = sq_get_one(st, sq_bind_text(st, 1, token_id), __func__,
	    sq_row_tenant, &r);
	sq_done(st);
	return rc;
}

static int
sq_tenant_get(void *be, const char *tenant_id, struct store_tenant *out)
{
	struct sq_tenant_row r = { out, NULL };
	sqlite3_stmt *st;
	int rc;

	if ((st = sq_stmt(be, SQ_TENANT_GET)) == NULL)
		return -1;
	rc = sq_get_one(st, sq_bind_text(st, 1, tenant_id), __func__,
	    sq_row_tenant, &r);
	sq_done(st);
	return rc;
}

static int
sq_profile_list(void *be, const char *tenant_id, struct model_profile **out,
    size_t *n)
{
	sqlite3_stmt *st;
	void *arr = NULL;
	int rc;

	if ((st = sq_stmt(be, SQ_PROFILE_LIST)) == NULL)
		return -1;
	rc = sq_list(st, sq_bind_text(st, 1, tenant_id), __func__,
	    sizeof(**out), sq_row_profile, &arr, n);
	sq_done(st);
	*out = arr;
	return rc;
}

static int
sq_profile_get(void *be, const char *tenant_id, const char *profile_id,
    struct model_profile *out)
{
	sqlite3_stmt *st;
	int errs = 0, rc;

	if ((st = sq_stmt(be, SQ_PROFILE_GET)) == NULL)
		return -1;
	errs += sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_text(st, 2, profile_id);
	rc = sq_get_one(st, errs, __func__, sq_row_profile, out);
	sq_done(st);
	return rc;
}

/* --- remote networks ---------------------------------------------------- */

static int
sq_rn_put(void *be, const char *tenant_id, const struct model_rn *rn)
{
	struct sq *s = be;
	const char *region = model_enum_name(&model_region_enum, rn->region);
	sqlite3_stmt *st = NULL;
	int errs = 0, rc = -1;

	if (region == NULL) {
		log_err("%s: invalid region %d", __func__, rn->region);
		goto fail;
	}
	if ((st = sq_stmt(s, SQ_RN_PUT)) == NULL)
		goto fail;
	errs += sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_buf(st, 2, rn->id, sizeof(rn->id));
	errs += sq_bind_buf(st, 3, rn->name, sizeof(rn->name));
	errs += sq_bind_text(st, 4, region);
	errs += sq_bind_buf(st, 5, rn->version, sizeof(rn->version));
	errs += sq_bind_int(st, 6, rn->modified_ms);
	if (sq_step(st, errs, __func__) != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(s->db) == 0) {
		log_err("%s: id %s belongs to another tenant", __func__,
		    rn->id);
		goto fail;
	}
	rc = 0;
fail:
	sq_done(st);
	return rc;
}

static int
sq_rn_get(void *be, const char *tenant_id, const char *rn_id,
    struct model_rn *out)
{
	sqlite3_stmt *st;
	int errs = 0, rc;

	if ((st = sq_stmt(be, SQ_RN_GET)) == NULL)
		return -1;
	errs += sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_text(st, 2, rn_id);
	rc = sq_get_one(st, errs, __func__, sq_row_rn, out);
	sq_done(st);
	return rc;
}

/* 0 if the tenant has remote network rn_id, STORE_NOTFOUND, or -1. */
static int
sq_rn_check(struct sq *s, const char *tenant_id, const char *rn_id)
{
	struct model_rn rn;

	return sq_rn_get(s, tenant_id, rn_id, &rn);
}

static int
sq_rn_list(void *be, const char *tenant_id, struct model_rn **out, size_t *n)
{
	sqlite3_stmt *st;
	void *arr = NULL;
	int rc;

	if ((st = sq_stmt(be, SQ_RN_LIST)) == NULL)
		return -1;
	rc = sq_list(st, sq_bind_text(st, 1, tenant_id), __func__,
	    sizeof(**out), sq_row_rn, &arr, n);
	sq_done(st);
	*out = arr;
	return rc;
}

static int
sq_rn_count(void *be, const char *tenant_id, size_t *n)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = sq_stmt(be, SQ_RN_COUNT)) == NULL)
		return -1;
	rc = sq_count(st, sq_bind_text(st, 1, tenant_id), __func__, n);
	sq_done(st);
	return rc;
}

/* Links and assignments go with it through ON DELETE CASCADE. */
static int
sq_rn_delete(void *be, const char *tenant_id, const char *rn_id)
{
	struct sq *s = be;
	sqlite3_stmt *st;
	int errs = 0, rc = -1;

	if ((st = sq_stmt(s, SQ_RN_DELETE)) == NULL)
		return -1;
	errs += sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_text(st, 2, rn_id);
	if (sq_step(st, errs, __func__) == SQLITE_DONE)
		rc = sqlite3_changes(s->db) == 0 ? STORE_NOTFOUND : 0;
	sq_done(st);
	return rc;
}

/* --- device links ------------------------------------------------------- */

#define SQ_LP(col)	((col) + 2)	/* INSERT parameter of a link column */

static int
sq_link_put(void *be, const char *tenant_id, const struct model_link *l)
{
	struct sq *s = be;
	const struct model_tunnel *t = &l->tunnel;
	const char *vendor, *bw, *red;
	const char *ike_enc = NULL, *ike_int = NULL, *dh = NULL;
	const char *ipsec_enc = NULL, *ipsec_int = NULL, *pfs = NULL;
	char ip[IP4_STRLEN], bgp_local[IP4_STRLEN], bgp_peer[IP4_STRLEN];
	char zone_local[IP4_STRLEN], pfx[MODEL_PREFIXES_STRLEN];
	sqlite3_stmt *st = NULL;
	int errs = 0, rc = -1;

	vendor = model_enum_name(&model_vendor_enum, l->vendor);
	bw = model_enum_name(&model_bandwidth_enum, l->bandwidth);
	red = model_enum_name(&model_redundancy_enum, l->redundancy);
	if (t->custom) {
		ike_enc = model_enum_name(&model_ike_enc_enum, t->ike_enc);
		ike_int = model_enum_name(&model_ike_int_enum, t->ike_int);
		dh = model_enum_name(&model_dh_enum, t->dh);
		ipsec_enc = model_enum_name(&model_ipsec_enc_enum,
		    t->ipsec_enc);
		ipsec_int = model_enum_name(&model_ipsec_int_enum,
		    t->ipsec_int);
		pfs = model_enum_name(&model_pfs_enum, t->pfs);
	}
	if (vendor == NULL || bw == NULL || red == NULL || (t->custom &&
	    (ike_enc == NULL || ike_int == NULL || dh == NULL ||
	    ipsec_enc == NULL || ipsec_int == NULL || pfs == NULL))) {
		log_err("%s: link %.*s has an enum value out of range",
		    __func__, MODEL_ID_LEN, l->id);
		goto fail;
	}
	if (model_prefixes_fmt(l, pfx, sizeof(pfx)) == -1) {
		log_err("%s: link %.*s has %u source prefixes (max %d)",
		    __func__, MODEL_ID_LEN, l->id, l->nsrc,
		    MODEL_SRC_PREFIXES_MAX);
		goto fail;
	}
	/* NOTFOUND for a missing or foreign parent; the FK is the backstop. */
	if ((rc = sq_rn_check(s, tenant_id, l->rn_id)) != 0)
		goto fail;
	rc = -1;

	if ((st = sq_stmt(s, SQ_LINK_PUT)) == NULL)
		goto fail;
	errs += sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_buf(st, SQ_LP(LC_ID), l->id, sizeof(l->id));
	errs += sq_bind_buf(st, SQ_LP(LC_RN_ID), l->rn_id, sizeof(l->rn_id));
	errs += sq_bind_buf(st, SQ_LP(LC_NAME), l->name, sizeof(l->name));
	errs += sq_bind_text(st, SQ_LP(LC_IP), ip4_fmt(l->ip, ip));
	errs += sq_bind_text(st, SQ_LP(LC_VENDOR), vendor);
	errs += sq_bind_text(st, SQ_LP(LC_BANDWIDTH), bw);
	errs += sq_bind_text(st, SQ_LP(LC_BGP_LOCAL),
	    ip4_fmt(l->bgp_local, bgp_local));
	errs += sq_bind_text(st, SQ_LP(LC_BGP_PEER),
	    ip4_fmt(l->bgp_peer, bgp_peer));
	errs += sq_bind_int(st, SQ_LP(LC_ASN), l->asn);
	errs += sq_bind_text(st, SQ_LP(LC_REDUNDANCY), red);
	errs += sq_bind_text(st, SQ_LP(LC_ZONE_LOCAL), l->zone_local == 0 ?
	    NULL : ip4_fmt(l->zone_local, zone_local));
	errs += sq_bind_text(st, SQ_LP(LC_TUNNEL_TYPE),
	    t->custom ? "custom" : "default");
	/* The caller's buffers, bound SQLITE_STATIC: no copy of a key here. */
	errs += sq_bind_buf(st, SQ_LP(LC_PSK), t->psk, sizeof(t->psk));
	if (t->zone_psk[0] != '\0')
		errs += sq_bind_buf(st, SQ_LP(LC_ZONE_PSK), t->zone_psk,
		    sizeof(t->zone_psk));
	else
		errs += sq_bind_text(st, SQ_LP(LC_ZONE_PSK), NULL);
	if (t->custom)
		errs += sq_bind_int(st, SQ_LP(LC_SA_LIFETIME), t->sa_lifetime);
	else
		errs += sq_bind_text(st, SQ_LP(LC_SA_LIFETIME), NULL);
	errs += sq_bind_text(st, SQ_LP(LC_IKE_ENC), ike_enc);
	errs += sq_bind_text(st, SQ_LP(LC_IKE_INT), ike_int);
	errs += sq_bind_text(st, SQ_LP(LC_DH), dh);
	errs += sq_bind_text(st, SQ_LP(LC_IPSEC_ENC), ipsec_enc);
	errs += sq_bind_text(st, SQ_LP(LC_IPSEC_INT), ipsec_int);
	errs += sq_bind_text(st, SQ_LP(LC_PFS), pfs);
	errs += sq_bind_buf(st, SQ_LP(LC_VERSION), l->version,
	    sizeof(l->version));
	errs += sq_bind_int(st, SQ_LP(LC_MODIFIED_MS), l->modified_ms);
	errs += sq_bind_text(st, SQ_LP(LC_SRC_PREFIXES), pfx);
	if (sq_step(st, errs, __func__) != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(s->db) == 0) {
		log_err("%s: id %.*s belongs to another tenant", __func__,
		    MODEL_ID_LEN, l->id);
		goto fail;
	}
	rc = 0;
fail:
	sq_done(st);
	return rc;
}

static int
sq_link_get(void *be, const char *tenant_id, const char *rn_id,
    const char *link_id, struct model_link *out)
{
	sqlite3_stmt *st;
	int errs = 0, rc;

	if ((st = sq_stmt(be, SQ_LINK_GET)) == NULL)
		return -1;
	errs += sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_text(st, 2, rn_id);
	errs += sq_bind_text(st, 3, link_id);
	rc = sq_get_one(st, errs, __func__, sq_row_link, out);
	sq_done(st);
	return rc;
}

static int
sq_link_list(void *be, const char *tenant_id, const char *rn_id,
    struct model_link **out, size_t *n)
{
	sqlite3_stmt *st;
	void *arr = NULL;
	int errs = 0, rc;

	if (rn_id != NULL && (rc = sq_rn_check(be, tenant_id, rn_id)) != 0)
		return rc;
	if ((st = sq_stmt(be, SQ_LINK_LIST)) == NULL)
		return -1;
	errs += sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_text(st, 2, rn_id);
	rc = sq_list(st, errs, __func__, sizeof(**out), sq_row_link, &arr, n);
	sq_done(st);
	*out = arr;
	return rc;
}

static int
sq_link_count(void *be, const char *tenant_id, const char *rn_id, size_t *n)
{
	sqlite3_stmt *st;
	int errs = 0, rc;

	if (rn_id != NULL && (rc = sq_rn_check(be, tenant_id, rn_id)) != 0)
		return rc;
	if ((st = sq_stmt(be, SQ_LINK_COUNT)) == NULL)
		return -1;
	errs += sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_text(st, 2, rn_id);
	rc = sq_count(st, errs, __func__, n);
	sq_done(st);
	return rc;
}

static int
sq_link_delete(void *be, const char *tenant_id, const char *rn_id,
    const char *link_id)
{
	struct sq *s = be;
	sqlite3_stmt *st;
	int errs = 0, rc = -1;

	if ((st = sq_stmt(s, SQ_LINK_DELETE)) == NULL)
		return -1;
	errs += sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_text(st, 2, rn_id);
	errs += sq_bind_text(st, 3, link_id);
	if (sq_step(st, errs, __func__) == SQLITE_DONE)
		rc = sqlite3_changes(s->db) == 0 ? STORE_NOTFOUND : 0;
	sq_done(st);
	return rc;
}

/* --- profile assignments ------------------------------------------------ */

static int
sq_rn_profiles_get(void *be, const char *tenant_id, const char *rn_id,
    struct model_profile **out, size_t *n)
{
	sqlite3_stmt *st;
	void *arr = NULL;
	int errs = 0, rc;

	if ((rc = sq_rn_check(be, tenant_id, rn_id)) != 0)
		return rc;
	if ((st = sq_stmt(be, SQ_RNP_GET)) == NULL)
		return -1;
	errs += sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_text(st, 2, rn_id);
	rc = sq_list(st, errs, __func__, sizeof(**out), sq_row_profile, &arr,
	    n);
	sq_done(st);
	*out = arr;
	return rc;
}

/* All ids are checked before anything changes, in one transaction. */
static int
sq_rn_profiles_set(void *be, const char *tenant_id, const char *rn_id,
    const char (*ids)[MODEL_ID_LEN + 1], size_t n)
{
	struct sq *s = be;
	struct model_profile p;
	sqlite3_stmt *st = NULL;
	size_t i;
	int errs, rc = -1;
	bool own;

	if (n > 0 && ids == NULL)
		return -1;
	if (sq_op_begin(s, &own) == -1)
		return -1;
	if ((rc = sq_rn_check(s, tenant_id, rn_id)) != 0)
		goto fail;
	for (i = 0; i < n; i++)
		if ((rc = sq_profile_get(s, tenant_id, ids[i], &p)) != 0)
			goto fail;
	rc = -1;

	if ((st = sq_stmt(s, SQ_RNP_CLEAR)) == NULL)
		goto fail;
	errs = sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_text(st, 2, rn_id);
	if (sq_step(st, errs, __func__) != SQLITE_DONE)
		goto fail;
	sq_done(st);

	if ((st = sq_stmt(s, SQ_RNP_ADD)) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		errs = sq_bind_text(st, 1, tenant_id);
		errs += sq_bind_text(st, 2, rn_id);
		errs += sq_bind_buf(st, 3, ids[i], sizeof(ids[i]));
		if (sq_step(st, errs, __func__) != SQLITE_DONE)
			goto fail;
		sq_done(st);
	}
	rc = 0;
fail:
	sq_done(st);
	return sq_op_end(s, own, rc);
}

/* --- gateway view, health events ---------------------------------------- */

static int
sq_link_list_all(void *be, struct store_tenant_link **out, size_t *n)
{
	sqlite3_stmt *st;
	void *arr = NULL;
	int rc;

	if ((st = sq_stmt(be, SQ_LINK_LIST_ALL)) == NULL)
		return -1;
	rc = sq_list(st, 0, __func__, sizeof(**out), sq_row_tenant_link, &arr,
	    n);
	sq_done(st);
	*out = arr;
	return rc;
}

static int
sq_event_add(void *be, const char *tenant_id, const struct store_event *ev)
{
	struct sq *s = be;
	const char *status = model_enum_name(&store_event_status_enum,
	    ev->status);
	char src[IP4_STRLEN], dst[IP4_STRLEN];
	sqlite3_stmt *st = NULL;
	int errs = 0, rc = -1;

	if (status == NULL || ev->bgp_routes_advertised < 0 ||
	    ev->sent_bytes < 0 || ev->received_bytes < 0) {
		log_err("%s: event %.*s has a value out of range", __func__,
		    MODEL_ID_LEN, ev->id);
		goto fail;
	}
	if ((st = sq_stmt(s, SQ_EVENT_ADD)) == NULL)
		goto fail;
	errs += sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_buf(st, 2, ev->id, sizeof(ev->id));
	errs += sq_bind_buf(st, 3, ev->rn_id, sizeof(ev->rn_id));
	errs += sq_bind_int(st, 4, ev->created_ms);
	errs += sq_bind_text(st, 5, ip4_fmt(ev->source_ip, src));
	errs += sq_bind_text(st, 6, ip4_fmt(ev->destination_ip, dst));
	errs += sq_bind_text(st, 7, status);
	if (ev->description[0] != '\0')
		errs += sq_bind_buf(st, 8, ev->description,
		    sizeof(ev->description));
	else
		errs += sq_bind_text(st, 8, NULL);
	errs += sq_bind_int(st, 9, ev->bgp_routes_advertised);
	errs += sq_bind_int(st, 10, ev->sent_bytes);
	errs += sq_bind_int(st, 11, ev->received_bytes);
	if (sq_step(st, errs, __func__) != SQLITE_DONE)
		goto fail;
	rc = 0;
fail:
	sq_done(st);
	return rc;
}

/* The filter's parameters ?1, ?2, ?3, ?7 and ?8; 0 or the failed binds. */
static int
sq_event_bind(sqlite3_stmt *st, const char *tenant_id,
    const struct store_event_filter *f, const char *status)
{
	int errs = 0;

	errs += sq_bind_text(st, 1, tenant_id);
	errs += sq_bind_text(st, 2, f->rn_id);
	errs += sq_bind_text(st, 3, status);
	errs += f->since_set ? sq_bind_int(st, 7, f->since_ms) :
	    sqlite3_bind_null(st, 7) != SQLITE_OK;
	errs += f->until_set ? sq_bind_int(st, 8, f->until_ms) :
	    sqlite3_bind_null(st, 8) != SQLITE_OK;
	return errs;
}

static int
sq_event_list(void *be, const char *tenant_id,
    const struct store_event_filter *f, struct store_event **out, size_t *n,
    bool *more)
{
	const char *status = NULL;
	sqlite3_stmt *st;
	void *arr = NULL;
	int errs = 0, rc;

	if (f->status != -1 && (status = model_enum_name(
	    &store_event_status_enum, f->status)) == NULL)
		return -1;
	if (f->top == 0 || f->top > INT32_MAX - 1)
		return -1;
	if (f->total != NULL) {
		if ((st = sq_stmt(be, SQ_EVENT_COUNT)) == NULL)
			return -1;
		rc = sq_count(st, sq_event_bind(st, tenant_id, f, status),
		    __func__, f->total);
		sq_done(st);
		if (rc == -1)
			return -1;
	}
	if ((st = sq_stmt(be, f->oldest_first ? SQ_EVENT_LIST_ASC :
	    SQ_EVENT_LIST)) == NULL)
		return -1;
	errs += sq_event_bind(st, tenant_id, f, status);
	errs += sq_bind_int(st, 4, f->after_ms);
	errs += sq_bind_text(st, 5, f->after_id != NULL &&
	    f->after_id[0] != '\0' ? f->after_id : NULL);
	/* One row more than asked tells whether another page exists. */
	errs += sq_bind_int(st, 6, (int64_t)f->top + 1);
	rc = sq_list(st, errs, __func__, sizeof(**out), sq_row_event, &arr, n);
	sq_done(st);
	if (rc == 0 && *n > f->top) {
		*n = f->top;
		*more = true;
	}
	*out = arr;
	return rc;
}

static int
sq_event_prune(void *be, int64_t before_ms, size_t *n)
{
	struct sq *s = be;
	sqlite3_stmt *st;
	int rc = -1;

	if ((st = sq_stmt(s, SQ_EVENT_PRUNE)) == NULL)
		return -1;
	if (sq_step(st, sq_bind_int(st, 1, before_ms), __func__) ==
	    SQLITE_DONE) {
		*n = (size_t)sqlite3_changes(s->db);
		rc = 0;
	}
	sq_done(st);
	return rc;
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.schema_version = sq_schema_version,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.tenant_add = sq_tenant_add,
	.tenant_by_token = sq_tenant_by_token,
	.tenant_get = sq_tenant_get,
	.rn_put = sq_rn_put,
	.rn_get = sq_rn_get,
	.rn_list = sq_rn_list,
	.rn_count = sq_rn_count,
	.rn_delete = sq_rn_delete,
	.link_put = sq_link_put,
	.link_get = sq_link_get,
	.link_list = sq_link_list,
	.link_count = sq_link_count,
	.link_delete = sq_link_delete,
	.profile_list = sq_profile_list,
	.profile_get = sq_profile_get,
	.rn_profiles_get = sq_rn_profiles_get,
	.rn_profiles_set = sq_rn_profiles_set,
	.link_list_all = sq_link_list_all,
	.event_add = sq_event_add,
	.event_list = sq_event_list,
	.event_prune = sq_event_prune,
};
