/*
 * store_query.c - every query of store.h, the schema and its migrations,
 * written once for both backends (store_db.h says which SQL they share).
 *
 * Migrations: q_migrations[i] takes schema version i to i + 1 in one
 * transaction, under the driver's migration lock, so a new build appends
 * a string and older databases catch up on open, and two processes
 * opening the same old database do not both migrate it.
 *
 * Limits and uniqueness (system-facts: 10 remote networks per tenant, 4
 * device links per remote network, BGP addresses and ipAddress unique in
 * the tenant, names unique in their scope) are checked by the write itself,
 * inside its transaction: SQLite holds the write lock from BEGIN
 * IMMEDIATE, PostgreSQL runs the transaction SERIALIZABLE, so two API
 * processes writing at once cannot both pass a check that only one may
 * (a serialization failure is retried here, Q_TRIES times). The API checks
 * the same rules first only to word its 409 well.
 *
 * Every committed configuration write carries a notification
 * "<tenant>/<resource>/<id>" (docs/store.md), sent by the driver inside
 * the same transaction (PostgreSQL delivers it on commit).
 *
 * Every query is tenant-scoped and uses bound parameters; statements are
 * prepared once per handle and cached in s->stmt[].
 */
#include "store_db.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guid.h"
#include "ip4.h"
#include "log.h"
#include "monotime.h"
#include "wallclock.h"

#define Q_PROFILES_MAX		8
#define Q_TRIES			30

/*
 * Composite foreign keys (tenant_id, rn_id) make a link or an assignment
 * that crosses tenants impossible even if a caller gets the checks wrong.
 * The UNIQUE (tenant_id, id) constraints are their targets and double as
 * the per-tenant indexes. "@I64@" is a 64-bit integer (ASNs reach 2^32).
 */
static const char *const q_migrations[] = {
	/* 1: initial schema */
	"CREATE TABLE tenants ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT NOT NULL,"
	"  token_id TEXT NOT NULL UNIQUE,"
	"  token_hash @BLOB@ NOT NULL CHECK (length(token_hash) = 32),"
	"  created_ms @I64@ NOT NULL"
	")@STRICT@;"
	"CREATE TABLE remote_networks ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  region TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  modified_ms @I64@ NOT NULL,"
	"  UNIQUE (tenant_id, id)"
	")@STRICT@;"
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
	"  asn @I64@ NOT NULL,"
	"  redundancy TEXT NOT NULL,"
	"  zone_local TEXT,"
	"  tunnel_type TEXT NOT NULL CHECK (tunnel_type IN ('default', 'custom')),"
	"  psk TEXT NOT NULL,"
	"  zone_psk TEXT,"
	"  sa_lifetime @I64@,"
	"  ike_enc TEXT,"
	"  ike_int TEXT,"
	"  dh TEXT,"
	"  ipsec_enc TEXT,"
	"  ipsec_int TEXT,"
	"  pfs TEXT,"
	"  version TEXT NOT NULL,"
	"  modified_ms @I64@ NOT NULL,"
	"  FOREIGN KEY (tenant_id, rn_id)"
	"    REFERENCES remote_networks (tenant_id, id) ON DELETE CASCADE"
	")@STRICT@;"
	"CREATE INDEX device_links_rn ON device_links (tenant_id, rn_id);"
	"CREATE TABLE forwarding_profiles ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  traffic TEXT NOT NULL,"
	"  priority @I64@ NOT NULL,"
	"  enabled @I64@ NOT NULL CHECK (enabled IN (0, 1)),"
	"  version TEXT NOT NULL,"
	"  modified_ms @I64@ NOT NULL,"
	"  UNIQUE (tenant_id, id)"
	")@STRICT@;"
	"CREATE TABLE rn_profiles ("
	"  tenant_id TEXT NOT NULL,"
	"  rn_id TEXT NOT NULL,"
	"  profile_id TEXT NOT NULL,"
	"  PRIMARY KEY (rn_id, profile_id),"
	"  FOREIGN KEY (tenant_id, rn_id)"
	"    REFERENCES remote_networks (tenant_id, id) ON DELETE CASCADE,"
	"  FOREIGN KEY (tenant_id, profile_id)"
	"    REFERENCES forwarding_profiles (tenant_id, id) ON DELETE CASCADE"
	")@STRICT@@NOROWID@;"
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
	"  created_ms @I64@ NOT NULL,"
	"  source_ip TEXT NOT NULL,"
	"  destination_ip TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('tunnelConnected',"
	"    'tunnelDisconnected', 'bgpConnected', 'bgpDisconnected',"
	"    'remoteNetworkAlive')),"
	"  description TEXT,"
	"  bgp_routes_advertised @I64@ NOT NULL DEFAULT 0,"
	"  sent_bytes @I64@ NOT NULL DEFAULT 0,"
	"  received_bytes @I64@ NOT NULL DEFAULT 0"
	")@STRICT@;"
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

	/*
	 * 4: security policy (store_policy.c, docs/store.md). A policy
	 * cannot be deleted while a link names it (no ON DELETE on that
	 * key: store_policy.c refuses first, with a message); rules and
	 * links go with their policy or profile. The migration also gives
	 * every existing tenant its baseline profile (store_policy_migrate).
	 */
	"CREATE TABLE security_policies ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('filtering', 'firewall')),"
	"  name TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  action TEXT NOT NULL CHECK (action IN ('block', 'allow')),"
	"  version TEXT NOT NULL,"
	"  created_ms @I64@ NOT NULL,"
	"  modified_ms @I64@ NOT NULL,"
	"  UNIQUE (tenant_id, id)"
	")@STRICT@;"
	"CREATE TABLE policy_rules ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  tenant_id TEXT NOT NULL,"
	"  policy_id TEXT NOT NULL,"
	"  type TEXT NOT NULL CHECK (type IN ('fqdn', 'webCategory',"
	"    'cloudFirewall')),"
	"  name TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  destinations TEXT NOT NULL DEFAULT '',"
	"  ndest @I64@ NOT NULL DEFAULT 0,"
	"  priority @I64@,"
	"  action TEXT CHECK (action IN ('block', 'allow')),"
	"  enabled @I64@ NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),"
	"  protocols @I64@ NOT NULL DEFAULT 0,"
	"  src TEXT NOT NULL DEFAULT '',"
	"  dst TEXT NOT NULL DEFAULT '',"
	"  sport TEXT NOT NULL DEFAULT '',"
	"  dport TEXT NOT NULL DEFAULT '',"
	"  version TEXT NOT NULL,"
	"  modified_ms @I64@ NOT NULL,"
	"  FOREIGN KEY (tenant_id, policy_id)"
	"    REFERENCES security_policies (tenant_id, id) ON DELETE CASCADE"
	")@STRICT@;"
	"CREATE INDEX policy_rules_policy ON policy_rules (tenant_id, policy_id);"
	"CREATE UNIQUE INDEX policy_rules_fw_priority"
	"  ON policy_rules (tenant_id, policy_id, priority)"
	"  WHERE priority IS NOT NULL;"
	"CREATE TABLE filtering_profiles ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  enabled @I64@ NOT NULL CHECK (enabled IN (0, 1)),"
	"  baseline @I64@ NOT NULL CHECK (baseline IN (0, 1)),"
	"  priority @I64@ NOT NULL,"
	"  version TEXT NOT NULL,"
	"  created_ms @I64@ NOT NULL,"
	"  modified_ms @I64@ NOT NULL,"
	"  UNIQUE (tenant_id, id)"
	")@STRICT@;"
	"CREATE UNIQUE INDEX filtering_profiles_baseline"
	"  ON filtering_profiles (tenant_id) WHERE baseline = 1;"
	"CREATE TABLE filtering_policy_links ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  tenant_id TEXT NOT NULL,"
	"  profile_id TEXT NOT NULL,"
	"  policy_id TEXT NOT NULL,"
	"  priority @I64@ NOT NULL,"
	"  enabled @I64@ NOT NULL CHECK (enabled IN (0, 1)),"
	"  logging @I64@ NOT NULL CHECK (logging IN (0, 1)),"
	"  action TEXT CHECK (action IN ('block', 'allow')),"
	"  version TEXT NOT NULL,"
	"  modified_ms @I64@ NOT NULL,"
	"  UNIQUE (profile_id, policy_id),"
	"  FOREIGN KEY (tenant_id, profile_id)"
	"    REFERENCES filtering_profiles (tenant_id, id) ON DELETE CASCADE,"
	"  FOREIGN KEY (tenant_id, policy_id)"
	"    REFERENCES security_policies (tenant_id, id)"
	")@STRICT@;"
	"CREATE INDEX filtering_policy_links_profile"
	"  ON filtering_policy_links (tenant_id, profile_id);"
	"CREATE INDEX filtering_policy_links_policy"
	"  ON filtering_policy_links (tenant_id, policy_id);",

	/*
	 * 5: a tenant's forwarding rules (store_fwd.c, model_fwd.h): action
	 * overrides of built-in Microsoft 365 rules and policy links, whose
	 * ids are the catalogue's and so the same in every tenant (hence the
	 * key is the pair), and the Custom Bypass rules, whose destinations
	 * are model_fwd_dst_text()'s form. Only a custom row has a name or
	 * destinations, and it always bypasses.
	 */
	"CREATE TABLE forwarding_rules ("
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  id TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('rule', 'link', 'custom')),"
	"  action TEXT NOT NULL CHECK (action IN ('forward', 'bypass')),"
	"  name TEXT NOT NULL DEFAULT '',"
	"  description TEXT NOT NULL DEFAULT '',"
	"  destinations TEXT NOT NULL DEFAULT '',"
	"  modified_ms @I64@ NOT NULL,"
	"  PRIMARY KEY (tenant_id, id),"
	"  CHECK (kind = 'custom' OR (name = '' AND description = ''"
	"    AND destinations = '')),"
	"  CHECK (kind <> 'custom' OR (action = 'bypass' AND name <> ''"
	"    AND destinations <> ''))"
	")@STRICT@@NOROWID@;",

	/*
	 * 6: a tenant's forwarding options (store_fwd.c): branch-to-branch
	 * transit. No row: the daemon's default (--branch-transit).
	 */
	"CREATE TABLE forwarding_options ("
	"  tenant_id TEXT PRIMARY KEY NOT NULL"
	"    REFERENCES tenants (id) ON DELETE CASCADE,"
	"  branch_transit @I64@ NOT NULL CHECK (branch_transit IN (0, 1)),"
	"  modified_ms @I64@ NOT NULL"
	")@STRICT@;",

	/*
	 * 7: the nodes sharing this store (store_node.c, docs/nodes.md):
	 * each its role, its zone endpoints (IPv4 as an integer, 0: the node
	 * does not serve the zone), its heartbeat (wall clock, so that every
	 * node reads the others' alike) and interval; "down" is computed on
	 * read, never stored.
	 */
	"CREATE TABLE nodes ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('api', 'gateway')),"
	"  endpoint1 @I64@ NOT NULL CHECK (endpoint1 BETWEEN 0 AND 4294967295),"
	"  endpoint2 @I64@ NOT NULL CHECK (endpoint2 BETWEEN 0 AND 4294967295),"
	"  state TEXT NOT NULL CHECK (state IN ('active', 'draining')),"
	"  heartbeat_s @I64@ NOT NULL CHECK (heartbeat_s BETWEEN 1 AND 60),"
	"  started_ms @I64@ NOT NULL,"
	"  heartbeat_ms @I64@ NOT NULL"
	")@STRICT@;",

	/*
	 * 8: which node serves each zone of a link (store_node.c, docs/
	 * nodes.md "Placement"), chosen when the link is written with
	 * placement on. No foreign key to nodes: a node row deleted leaves
	 * its links placed on its name until they are moved.
	 */
	"CREATE TABLE link_nodes ("
	"  link_id TEXT NOT NULL REFERENCES device_links (id) ON DELETE CASCADE,"
	"  zone @I64@ NOT NULL CHECK (zone IN (1, 2)),"
	"  tenant_id TEXT NOT NULL,"
	"  node TEXT NOT NULL,"
	"  PRIMARY KEY (link_id, zone)"
	")@STRICT@;"
	"CREATE INDEX link_nodes_node ON link_nodes (node);",

	/*
	 * 9: data from the gateway nodes (store_status.c, docs/nodes.md
	 * "Status from the nodes"): each node's view of each zone of the
	 * links placed on it, tagged with the node, and the node that wrote
	 * a health event. No foreign key to device_links: a node writing the
	 * status of a link deleted meanwhile must not fail its batch; the
	 * rows of a link a node no longer carries are deleted by that node.
	 */
	"CREATE TABLE link_status ("
	"  link_id TEXT NOT NULL,"
	"  zone @I64@ NOT NULL CHECK (zone IN (1, 2)),"
	"  node TEXT NOT NULL,"
	"  tenant_id TEXT NOT NULL,"
	"  updated_ms @I64@ NOT NULL,"
	"  dataplane @I64@ NOT NULL CHECK (dataplane IN (0, 1)),"
	"  connected @I64@ NOT NULL CHECK (connected IN (0, 1)),"
	"  local_ip @I64@ NOT NULL,"
	"  remote_ip @I64@ NOT NULL,"
	"  remote_port @I64@ NOT NULL,"
	"  udp_encap @I64@ NOT NULL,"
	"  ike_suite TEXT NOT NULL,"
	"  esp_suite TEXT NOT NULL,"
	"  established_ms @I64@ NOT NULL,"
	"  child_sas @I64@ NOT NULL,"
	"  in_packets @I64@ NOT NULL, in_bytes @I64@ NOT NULL,"
	"  out_packets @I64@ NOT NULL, out_bytes @I64@ NOT NULL,"
	"  replay @I64@ NOT NULL, auth_failed @I64@ NOT NULL,"
	"  malformed @I64@ NOT NULL, spoofed @I64@ NOT NULL,"
	"  bgp_present @I64@ NOT NULL CHECK (bgp_present IN (0, 1)),"
	"  bgp_state TEXT NOT NULL,"
	"  bgp_local_ip @I64@ NOT NULL, bgp_peer_ip @I64@ NOT NULL,"
	"  bgp_peer_asn @I64@ NOT NULL, bgp_established_ms @I64@ NOT NULL,"
	"  bgp_received @I64@ NOT NULL, bgp_learned @I64@ NOT NULL,"
	"  bgp_advertised @I64@ NOT NULL, bgp_rejected @I64@ NOT NULL,"
	"  bgp_taw @I64@ NOT NULL,"
	"  bgp_last_error TEXT NOT NULL,"
	"  bfd_state TEXT NOT NULL,"
	"  bfd_detect_ms @I64@ NOT NULL, bfd_tx_ms @I64@ NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  reason_detail TEXT NOT NULL,"
	"  PRIMARY KEY (link_id, zone, node)"
	")@STRICT@;"
	"CREATE INDEX link_status_node ON link_status (node);"
	"ALTER TABLE health_events ADD COLUMN node TEXT;",
};
#define Q_VERSION	((int)(sizeof(q_migrations) / sizeof(q_migrations[0])))
/* The version whose migration also runs store_policy_migrate(). */
#define Q_POLICY_VERSION	4

#define Q_LINK_COLS							\
	"id, rn_id, name, ip, vendor, bandwidth, bgp_local, bgp_peer, asn, "	\
	"redundancy, zone_local, tunnel_type, psk, zone_psk, sa_lifetime, "	\
	"ike_enc, ike_int, dh, ipsec_enc, ipsec_int, pfs, version, "	\
	"modified_ms, src_prefixes"
#define Q_RN_COLS	"id, name, region, version, modified_ms"
#define Q_PROFILE_COLS							\
	"p.id, p.name, p.traffic, p.priority, p.enabled, p.version, "	\
	"p.modified_ms"
#define Q_TENANT_COLS	"id, name, created_ms, token_hash"
#define Q_EVENT_COLS							\
	"id, remote_network_id, created_ms, source_ip, destination_ip, "	\
	"status, description, bgp_routes_advertised, sent_bytes, "	\
	"received_bytes, node"
/* The filter of an event page and its count: ?1..?3, ?7, ?8. */
#define Q_EVENT_WHERE							\
	"WHERE tenant_id = ?1 "						\
	"AND (CAST(?2 AS TEXT) IS NULL OR remote_network_id = ?2) "	\
	"AND (CAST(?3 AS TEXT) IS NULL OR status = ?3) "		\
	"AND (CAST(?7 AS BIGINT) IS NULL OR created_ms >= ?7) "	\
	"AND (CAST(?8 AS BIGINT) IS NULL OR created_ms <= ?8) "

enum q_id {
	Q_TENANT_ADD, Q_TENANT_BY_TOKEN, Q_TENANT_GET,
	Q_RN_PUT, Q_RN_GET, Q_RN_LIST, Q_RN_COUNT, Q_RN_NAME_USED, Q_RN_DELETE,
	Q_LINK_PUT, Q_LINK_GET, Q_LINK_LIST, Q_LINK_COUNT, Q_LINK_COUNT_OTHERS,
	Q_LINK_DELETE,
	Q_PROFILE_ADD, Q_PROFILE_LIST, Q_PROFILE_GET,
	Q_RNP_GET, Q_RNP_CLEAR, Q_RNP_ADD,
	Q_LINK_LIST_ALL, Q_EVENT_ADD, Q_EVENT_LIST, Q_EVENT_LIST_ASC,
	Q_EVENT_COUNT, Q_EVENT_PRUNE,
	Q_NSTMT
};

static const char *const q_sql[Q_NSTMT] = {
	[Q_TENANT_ADD] =
	    "INSERT INTO tenants (id, name, token_id, token_hash, created_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_TENANT_BY_TOKEN] =
	    "SELECT " Q_TENANT_COLS " FROM tenants WHERE token_id = ?1",
	[Q_TENANT_GET] =
	    "SELECT " Q_TENANT_COLS " FROM tenants WHERE id = ?1",

	/* The WHERE keeps a put from taking over another tenant's id. */
	[Q_RN_PUT] =
	    "INSERT INTO remote_networks "
	    "(tenant_id, id, name, region, version, modified_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
	    "region = excluded.region, version = excluded.version, "
	    "modified_ms = excluded.modified_ms "
	    "WHERE remote_networks.tenant_id = excluded.tenant_id",
	[Q_RN_GET] =
	    "SELECT " Q_RN_COLS " FROM remote_networks "
	    "WHERE tenant_id = ?1 AND id = ?2",
	[Q_RN_LIST] =
	    "SELECT " Q_RN_COLS " FROM remote_networks "
	    "WHERE tenant_id = ?1 ORDER BY name, id",
	[Q_RN_COUNT] =
	    "SELECT count(*) FROM remote_networks WHERE tenant_id = ?1",
	[Q_RN_NAME_USED] =
	    "SELECT count(*) FROM remote_networks "
	    "WHERE tenant_id = ?1 AND name = ?2 AND id <> ?3",
	[Q_RN_DELETE] =
	    "DELETE FROM remote_networks WHERE tenant_id = ?1 AND id = ?2",

	[Q_LINK_PUT] =
	    "INSERT INTO device_links (tenant_id, " Q_LINK_COLS ") VALUES "
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
	[Q_LINK_GET] =
	    "SELECT " Q_LINK_COLS " FROM device_links "
	    "WHERE tenant_id = ?1 AND rn_id = ?2 AND id = ?3",
	[Q_LINK_LIST] =
	    "SELECT " Q_LINK_COLS " FROM device_links "
	    "WHERE tenant_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR rn_id = ?2) "
	    "ORDER BY name, id",
	[Q_LINK_COUNT] =
	    "SELECT count(*) FROM device_links "
	    "WHERE tenant_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR rn_id = ?2)",
	[Q_LINK_COUNT_OTHERS] =
	    "SELECT count(*) FROM device_links "
	    "WHERE tenant_id = ?1 AND rn_id = ?2 AND id <> ?3",
	[Q_LINK_DELETE] =
	    "DELETE FROM device_links "
	    "WHERE tenant_id = ?1 AND rn_id = ?2 AND id = ?3",

	[Q_PROFILE_ADD] =
	    "INSERT INTO forwarding_profiles (tenant_id, id, name, traffic, "
	    "priority, enabled, version, modified_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[Q_PROFILE_LIST] =
	    "SELECT " Q_PROFILE_COLS " FROM forwarding_profiles p "
	    "WHERE p.tenant_id = ?1 ORDER BY p.priority, p.id",
	[Q_PROFILE_GET] =
	    "SELECT " Q_PROFILE_COLS " FROM forwarding_profiles p "
	    "WHERE p.tenant_id = ?1 AND p.id = ?2",

	[Q_RNP_GET] =
	    "SELECT " Q_PROFILE_COLS " FROM rn_profiles r "
	    "JOIN forwarding_profiles p "
	    "ON p.tenant_id = r.tenant_id AND p.id = r.profile_id "
	    "WHERE r.tenant_id = ?1 AND r.rn_id = ?2 "
	    "ORDER BY p.priority, p.id",
	[Q_RNP_CLEAR] =
	    "DELETE FROM rn_profiles WHERE tenant_id = ?1 AND rn_id = ?2",
	/* Duplicates in the caller's id list collapse to one row. */
	[Q_RNP_ADD] =
	    "INSERT INTO rn_profiles (tenant_id, rn_id, profile_id) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",

	/* The gateway's view: every tenant. tenant_id after the link columns. */
	[Q_LINK_LIST_ALL] =
	    "SELECT " Q_LINK_COLS ", tenant_id FROM device_links ORDER BY id",

	[Q_EVENT_ADD] =
	    "INSERT INTO health_events (tenant_id, " Q_EVENT_COLS ") VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	/*
	 * Keyset paging: rows strictly after the cursor (?4, ?5) in the
	 * order. The same parameters for both orders and the count (which
	 * has no cursor).
	 */
	[Q_EVENT_LIST] =
	    "SELECT " Q_EVENT_COLS " FROM health_events " Q_EVENT_WHERE
	    "AND (CAST(?5 AS TEXT) IS NULL OR created_ms < ?4 OR "
	    "(created_ms = ?4 AND id < ?5)) "
	    "ORDER BY created_ms DESC, id DESC LIMIT ?6",
	[Q_EVENT_LIST_ASC] =
	    "SELECT " Q_EVENT_COLS " FROM health_events " Q_EVENT_WHERE
	    "AND (CAST(?5 AS TEXT) IS NULL OR created_ms > ?4 OR "
	    "(created_ms = ?4 AND id > ?5)) "
	    "ORDER BY created_ms ASC, id ASC LIMIT ?6",
	[Q_EVENT_COUNT] =
	    "SELECT count(*) FROM health_events " Q_EVENT_WHERE,
	[Q_EVENT_PRUNE] =
	    "DELETE FROM health_events WHERE created_ms < ?1",
};

/* --- helpers ---------------------------------------------------------- */

/* 0 or a store.h code. */
static int
q_exec(struct store *s, const char *sql)
{
	int rc = s->drv->exec(s->db, sql);

	return rc == 0 ? 0 : store_map_rc(rc);
}

static struct db_stmt *
q_stmt(struct store *s, enum q_id id)
{
	if (s->stmt[id] == NULL &&
	    (s->stmt[id] = s->drv->prepare(s->db, q_sql[id])) == NULL)
		log_err("store: prepare %d: %s", (int)id,
		    s->drv->errmsg(s->db));
	return s->stmt[id];
}

/*
 * Reset after every use: a statement left mid-result would hold a read
 * snapshot open and keep bindings pointing at freed stack memory.
 */
static void
q_done(struct db_stmt *st)
{
	if (st != NULL)
		st->drv->reset(st);
}

/* 1 on error, for summing: NULL binds SQL NULL. */
static int
q_text(struct db_stmt *st, int i, const char *v)
{
	return st->drv->bind_text(st, i, v, v != NULL ? strlen(v) : 0) != 0;
}

/* A fixed-size model field: never reads past the buffer. */
static int
q_buf(struct db_stmt *st, int i, const char *buf, size_t size)
{
	return st->drv->bind_text(st, i, buf, strnlen(buf, size)) != 0;
}

static int
q_int(struct db_stmt *st, int i, int64_t v)
{
	return st->drv->bind_int(st, i, v) != 0;
}

/* Steps a write: 0, or a store.h code. */
static int
q_write_step(struct db_stmt *st, int errs, const char *func)
{
	int rc = store_map_step(st, errs, func);

	if (rc == DB_DONE)
		return 0;
	return rc < 0 ? store_map_rc(rc) : -1;
}

/* "<tenant>/<resource>/<id>", inside the write's transaction. */
static int
q_notify(struct store *s, const char *tenant_id, const char *what,
    const char *id)
{
	char payload[3 * (MODEL_ID_LEN + 1) + 16];

	if (s->drv->notify == NULL)
		return 0;
	snprintf(payload, sizeof(payload), "%.*s/%s/%.*s", MODEL_ID_LEN,
	    tenant_id, what, MODEL_ID_LEN, id);
	return s->drv->notify(s->db, payload) == 0 ? 0 : -1;
}

/*
 * A few milliseconds, growing and spread, so that racing writers do not
 * collide again in step.
 */
static void
q_backoff(int attempt)
{
	static uint32_t x;
	struct timespec ts;

	if (x == 0)
		x = (uint32_t)monotime_now() | 1;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(1 + x % (unsigned)(2 + (attempt < 8 ? attempt : 8)
	    * 2)) * 1000000L;
	nanosleep(&ts, NULL);
}

typedef int (*q_write_fn)(struct store *, const void *arg);

/*
 * Runs fn as one atomic write. Outside store_begin() it gets its own
 * transaction (the driver's begin_sql: SQLite takes the write lock at
 * once, so it never fails half-way on a lock upgrade; PostgreSQL runs it
 * SERIALIZABLE), retried on a serialization failure. Inside the caller's
 * transaction a savepoint undoes just this call on failure, and a
 * serialization failure goes back to the caller as STORE_RETRY.
 */
static int
q_write(struct store *s, q_write_fn fn, const void *arg)
{
	int attempt, rc;
	bool own;

	memset(&s->conflict, 0, sizeof(s->conflict));
	for (attempt = 0;; attempt++) {
		own = !s->drv->in_tx(s->db);
		if ((rc = q_exec(s, own ? s->drv->begin_sql :
		    "SAVEPOINT store_op")) != 0)
			return rc == STORE_RETRY ? -1 : rc;
		rc = fn(s, arg);
		if (rc == 0 && (rc = q_exec(s, own ? "COMMIT" :
		    "RELEASE store_op")) == 0)
			return 0;
		/* Also the path when the COMMIT or RELEASE itself failed. */
		if (s->drv->in_tx(s->db)) {
			if (own)
				q_exec(s, "ROLLBACK");
			else if (q_exec(s, "ROLLBACK TO store_op") == 0)
				q_exec(s, "RELEASE store_op");
		}
		if (rc != STORE_RETRY || !own)
			return rc;
		if (attempt + 1 >= Q_TRIES) {
			log_err("store: a write lost %d serialization races "
			    "in a row", Q_TRIES);
			return -1;
		}
		memset(&s->conflict, 0, sizeof(s->conflict));
		q_backoff(attempt);
	}
}

/* --- open, schema ------------------------------------------------------- */

char *
store_q_dialect(const struct store_db_driver *drv, const char *sql)
{
	size_t cap = strlen(sql) * 2 + 1, len = 0, i, tl, rl;
	const char *p = sql;
	char *out;

	if ((out = malloc(cap)) == NULL)
		return NULL;
	while (*p != '\0') {
		for (i = 0; i < drv->ndialect; i++) {
			tl = strlen(drv->dialect[i][0]);
			if (strncmp(p, drv->dialect[i][0], tl) == 0)
				break;
		}
		if (i == drv->ndialect) {
			out[len++] = *p++;
			continue;
		}
		rl = strlen(drv->dialect[i][1]);
		if (len + rl + strlen(p) + 1 > cap) {
			free(out);
			return NULL;
		}
		memcpy(out + len, drv->dialect[i][1], rl);
		len += rl;
		p += tl;
	}
	out[len] = '\0';
	return out;
}

/* One step of the schema under the migration lock: 0, 1 when at the top. */
static int
q_migrate_one(struct store *s, int *v, char *err, size_t errlen)
{
	char *sql = NULL;
	int rc = -1;

	if (s->drv->exec(s->db, s->drv->migrate_begin_sql) != 0)
		goto fail_db;
	if (s->drv->migrate_lock(s->db) != 0 ||
	    s->drv->version_get(s->db, v) != 0)
		goto fail_db;
	if (*v < 0 || *v >= Q_VERSION) {
		rc = 1;
		if (s->drv->exec(s->db, "COMMIT") != 0)
			goto fail_db;
		return rc;
	}
	if ((sql = store_q_dialect(s->drv, q_migrations[*v])) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (s->drv->exec(s->db, sql) != 0) {
		snprintf(err, errlen, "migration to schema version %d: %s",
		    *v + 1, s->drv->errmsg(s->db));
		goto fail;
	}
	if (*v + 1 == Q_POLICY_VERSION && store_policy_migrate(s) != 0) {
		snprintf(err, errlen, "migration to schema version %d: the "
		    "baseline profiles: %s", *v + 1, s->drv->errmsg(s->db));
		goto fail;
	}
	if (s->drv->version_set(s->db, *v + 1) != 0 ||
	    s->drv->exec(s->db, "COMMIT") != 0)
		goto fail_db;
	free(sql);
	++*v;
	return 0;
fail_db:
	snprintf(err, errlen, "%s", s->drv->errmsg(s->db));
fail:
	free(sql);
	if (s->drv->in_tx(s->db))
		s->drv->exec(s->db, "ROLLBACK");
	return -1;
}

int
store_query_open(struct store *s, char *err, size_t errlen)
{
	int v = 0, rc;

	if ((s->stmt = calloc(Q_NSTMT, sizeof(*s->stmt))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Most opens find the schema current: no write lock for them. */
	if (s->drv->version_get(s->db, &v) == 0 && v == Q_VERSION) {
		s->version = v;
		return 0;
	}
	while ((rc = q_migrate_one(s, &v, err, errlen)) == 0)
		log_info("store: %s database at schema version %d",
		    s->drv->name, v);
	if (rc == -1)
		return -1;
	if (v < 0 || v > Q_VERSION) {
		snprintf(err, errlen, "schema version %d is not one this "
		    "build knows (0..%d)", v, Q_VERSION);
		return -1;
	}
	s->version = v;
	return 0;
}

/* The driver finalizes its statements when it closes. */
void
store_query_close(struct store *s)
{
	free(s->stmt);
	s->stmt = NULL;
	free(s->pstmt);
	s->pstmt = NULL;
	free(s->fstmt);
	s->fstmt = NULL;
	free(s->nstmt);
	s->nstmt = NULL;
	free(s->sstmt);
	s->sstmt = NULL;
}

int
store_schema_version(struct store *s)
{
	return s->version;
}

/* --- transactions ------------------------------------------------------- */

int
store_begin(struct store *s)
{
	return q_exec(s, s->drv->begin_sql) == 0 ? 0 : -1;
}

int
store_commit(struct store *s)
{
	int rc = q_exec(s, "COMMIT");

	if (rc == 0)
		return 0;
	/* Not committed means not applied: leave no half-open transaction. */
	if (s->drv->in_tx(s->db))
		q_exec(s, "ROLLBACK");
	return rc == STORE_RETRY ? STORE_RETRY : -1;
}

void
store_rollback(struct store *s)
{
	if (s->drv->in_tx(s->db))
		q_exec(s, "ROLLBACK");
}

/* --- tenants, profiles -------------------------------------------------- */

static int
q_profile_add(struct store *s, const char *tenant_id,
    const struct model_profile *p)
{
	const char *traffic = model_enum_name(&store_traffic_enum, p->traffic);
	struct db_stmt *st = NULL;
	int errs = 0, rc = -1;

	if (traffic == NULL) {
		log_err("%s: invalid traffic type %d", __func__, p->traffic);
		goto fail;
	}
	if ((st = q_stmt(s, Q_PROFILE_ADD)) == NULL)
		goto fail;
	errs += q_text(st, 1, tenant_id);
	errs += q_buf(st, 2, p->id, sizeof(p->id));
	errs += q_buf(st, 3, p->name, sizeof(p->name));
	errs += q_text(st, 4, traffic);
	errs += q_int(st, 5, p->priority);
	errs += q_int(st, 6, p->enabled ? 1 : 0);
	errs += q_buf(st, 7, p->version, sizeof(p->version));
	errs += q_int(st, 8, p->modified_ms);
	rc = q_write_step(st, errs, __func__);
fail:
	q_done(st);
	return rc;
}

struct q_tenant_arg {
	const struct store_tenant	*t;
	const char			*token_id;
	const uint8_t			*hash;
};

static int
q_tenant_add(struct store *s, const void *arg)
{
	const struct q_tenant_arg *a = arg;
	const struct store_tenant *t = a->t;
	struct model_profile p[Q_PROFILES_MAX];
	struct db_stmt *st;
	int64_t now = wallclock_now_ms();
	size_t i, np;
	int errs = 0, rc;

	if ((st = q_stmt(s, Q_TENANT_ADD)) == NULL)
		return -1;
	errs += q_buf(st, 1, t->id, sizeof(t->id));
	errs += q_buf(st, 2, t->name, sizeof(t->name));
	errs += q_text(st, 3, a->token_id);
	errs += st->drv->bind_blob(st, 4, a->hash, STORE_HASH_LEN) != 0;
	errs += q_int(st, 5, t->created_ms);
	rc = q_write_step(st, errs, __func__);
	q_done(st);
	if (rc != 0)
		return rc;

	np = model_profiles_builtin(p, Q_PROFILES_MAX);
	for (i = 0; i < np; i++) {
		if (guid_new(p[i].id) == -1) {
			log_err("%s: guid_new failed", __func__);
			return -1;
		}
		p[i].modified_ms = now;
		if ((rc = q_profile_add(s, t->id, &p[i])) != 0)
			return rc;
	}
	if ((rc = store_policy_tenant_init(s, t->id, now)) != 0)
		return rc;
	return q_notify(s, t->id, "tenant", t->id);
}

int
store_tenant_add(struct store *s, const struct store_tenant *t,
    const char *token_id, const uint8_t hash[STORE_HASH_LEN])
{
	struct q_tenant_arg a = { t, token_id, hash };

	return q_write(s, q_tenant_add, &a);
}

static int
q_tenant_get(struct store *s, enum q_id id, const char *key,
    struct store_tenant *out, uint8_t *hash)
{
	struct store_tenant_row r = { out, hash };
	struct db_stmt *st;
	int rc;

	if ((st = q_stmt(s, id)) == NULL)
		return -1;
	rc = store_map_one(st, q_text(st, 1, key), __func__, store_row_tenant,
	    &r);
	q_done(st);
	return rc;
}

int
store_tenant_by_token(struct store *s, const char *token_id,
    struct store_tenant *out, uint8_t hash[STORE_HASH_LEN])
{
	return q_tenant_get(s, Q_TENANT_BY_TOKEN, token_id, out, hash);
}

int
store_tenant_get(struct store *s, const char *tenant_id,
    struct store_tenant *out)
{
	return q_tenant_get(s, Q_TENANT_GET, tenant_id, out, NULL);
}

/* A list query bound to (tenant_id[, key]). */
static int
q_list2(struct store *s, enum q_id id, const char *tenant_id,
    const char *key, size_t elsize, store_row_fn row, void **out, size_t *n,
    const char *func)
{
	struct db_stmt *st;
	int errs = 0, rc;

	*out = NULL;
	*n = 0;
	if ((st = q_stmt(s, id)) == NULL)
		return -1;
	errs += q_text(st, 1, tenant_id);
	if (key != NULL || id == Q_LINK_LIST)
		errs += q_text(st, 2, key);
	rc = store_map_list(st, errs, func, elsize, row, out, n);
	q_done(st);
	return rc;
}

/* A one-row query bound to (tenant_id, key). */
static int
q_get2(struct store *s, enum q_id id, const char *tenant_id, const char *key,
    store_row_fn row, void *out, const char *func)
{
	struct db_stmt *st;
	int errs = 0, rc;

	if ((st = q_stmt(s, id)) == NULL)
		return -1;
	errs += q_text(st, 1, tenant_id);
	errs += q_text(st, 2, key);
	rc = store_map_one(st, errs, func, row, out);
	q_done(st);
	return rc;
}

int
store_profile_list(struct store *s, const char *tenant_id,
    struct model_profile **out, size_t *n)
{
	void *arr = NULL;
	int rc;

	rc = q_list2(s, Q_PROFILE_LIST, tenant_id, NULL, sizeof(**out),
	    store_row_profile, &arr, n, __func__);
	*out = arr;
	return rc;
}

int
store_profile_get(struct store *s, const char *tenant_id,
    const char *profile_id, struct model_profile *out)
{
	return q_get2(s, Q_PROFILE_GET, tenant_id, profile_id,
	    store_row_profile, out, __func__);
}

/* --- remote networks ---------------------------------------------------- */

/* A count(*) query bound to ?1..?3 (NULLs stay unbound). */
static int
q_count3(struct store *s, enum q_id id, const char *a, const char *b,
    const char *c, size_t *n, const char *func)
{
	struct db_stmt *st;
	int errs = 0, rc;

	*n = 0;
	if ((st = q_stmt(s, id)) == NULL)
		return -1;
	errs += q_text(st, 1, a);
	if (b != NULL || id == Q_LINK_COUNT)
		errs += q_text(st, 2, b);
	if (c != NULL)
		errs += q_text(st, 3, c);
	rc = store_map_count(st, errs, func, n);
	q_done(st);
	return rc;
}

int
store_rn_get(struct store *s, const char *tenant_id, const char *rn_id,
    struct model_rn *out)
{
	return q_get2(s, Q_RN_GET, tenant_id, rn_id, store_row_rn, out,
	    __func__);
}

/* 0 if the tenant has remote network rn_id, STORE_NOTFOUND, or -1. */
static int
q_rn_check(struct store *s, const char *tenant_id, const char *rn_id)
{
	struct model_rn rn;

	return store_rn_get(s, tenant_id, rn_id, &rn);
}

struct q_rn_arg {
	const char		*tenant_id;
	const struct model_rn	*rn;
};

/* The tenant's remote network limit and name rule, read in the write. */
static int
q_rn_rules(struct store *s, const char *tenant_id, const struct model_rn *rn)
{
	size_t n;
	int rc;

	if ((rc = q_rn_check(s, tenant_id, rn->id)) == STORE_NOTFOUND) {
		if ((rc = q_count3(s, Q_RN_COUNT, tenant_id, NULL, NULL, &n,
		    __func__)) != 0)
			return rc;
		if (n >= MODEL_RN_MAX) {
			model_errs_add(&s->conflict, "", "limit reached: a "
			    "tenant has at most %d remote networks",
			    MODEL_RN_MAX);
			return STORE_CONFLICT;
		}
	} else if (rc != 0)
		return rc;
	if ((rc = q_count3(s, Q_RN_NAME_USED, tenant_id, rn->name, rn->id, &n,
	    __func__)) != 0)
		return rc;
	if (n > 0) {
		model_errs_add(&s->conflict, "name", "a remote network named "
		    "'%.200s' already exists", rn->name);
		return STORE_CONFLICT;
	}
	return 0;
}

static int
q_rn_put(struct store *s, const void *arg)
{
	const struct q_rn_arg *a = arg;
	const struct model_rn *rn = a->rn;
	const char *region = model_enum_name(&model_region_enum, rn->region);
	struct db_stmt *st;
	int errs = 0, rc;

	if (region == NULL) {
		log_err("%s: invalid region %d", __func__, rn->region);
		return -1;
	}
	if ((rc = q_rn_rules(s, a->tenant_id, rn)) != 0)
		return rc;
	if ((st = q_stmt(s, Q_RN_PUT)) == NULL)
		return -1;
	errs += q_text(st, 1, a->tenant_id);
	errs += q_buf(st, 2, rn->id, sizeof(rn->id));
	errs += q_buf(st, 3, rn->name, sizeof(rn->name));
	errs += q_text(st, 4, region);
	errs += q_buf(st, 5, rn->version, sizeof(rn->version));
	errs += q_int(st, 6, rn->modified_ms);
	if ((rc = q_write_step(st, errs, __func__)) == 0 &&
	    st->drv->changes(st) == 0) {
		log_err("%s: id %s belongs to another tenant", __func__,
		    rn->id);
		rc = -1;
	}
	q_done(st);
	if (rc != 0)
		return rc;
	return q_notify(s, a->tenant_id, "remoteNetwork", rn->id);
}

int
store_rn_put(struct store *s, const char *tenant_id, const struct model_rn *rn)
{
	struct q_rn_arg a = { tenant_id, rn };

	return q_write(s, q_rn_put, &a);
}

int
store_rn_list(struct store *s, const char *tenant_id, struct model_rn **out,
    size_t *n)
{
	void *arr = NULL;
	int rc;

	rc = q_list2(s, Q_RN_LIST, tenant_id, NULL, sizeof(**out),
	    store_row_rn, &arr, n, __func__);
	*out = arr;
	return rc;
}

int
store_rn_count(struct store *s, const char *tenant_id, size_t *n)
{
	return q_count3(s, Q_RN_COUNT, tenant_id, NULL, NULL, n, __func__);
}

struct q_del_arg {
	enum q_id	 id;
	const char	*tenant_id, *rn_id, *link_id;
};

/* Links and assignments go with a remote network (ON DELETE CASCADE). */
static int
q_delete(struct store *s, const void *arg)
{
	const struct q_del_arg *a = arg;
	struct db_stmt *st;
	int errs = 0, rc;

	if ((st = q_stmt(s, a->id)) == NULL)
		return -1;
	errs += q_text(st, 1, a->tenant_id);
	errs += q_text(st, 2, a->rn_id);
	if (a->link_id != NULL)
		errs += q_text(st, 3, a->link_id);
	if ((rc = q_write_step(st, errs, __func__)) == 0 &&
	    st->drv->changes(st) == 0)
		rc = STORE_NOTFOUND;
	q_done(st);
	if (rc != 0)
		return rc;
	return a->link_id != NULL ?
	    q_notify(s, a->tenant_id, "deviceLink", a->link_id) :
	    q_notify(s, a->tenant_id, "remoteNetwork", a->rn_id);
}

int
store_rn_delete(struct store *s, const char *tenant_id, const char *rn_id)
{
	struct q_del_arg a = { Q_RN_DELETE, tenant_id, rn_id, NULL };

	return q_write(s, q_delete, &a);
}

/* --- device links ------------------------------------------------------- */

#define Q_LP(col)	((col) + 2)	/* INSERT parameter of a link column */

/*
 * The rules a link must keep against the stored ones, read in the write:
 * MODEL_LINKS_MAX per remote network, BGP addresses and ipAddress unique
 * in the tenant, the name unique in its remote network.
 */
static int
q_link_rules(struct store *s, const char *tenant_id,
    const struct model_link *l)
{
	struct model_link *all = NULL;
	char ip[IP4_STRLEN];
	size_t n = 0, i;
	void *arr = NULL;
	int rc;

	if ((rc = q_count3(s, Q_LINK_COUNT_OTHERS, tenant_id, l->rn_id, l->id,
	    &n, __func__)) != 0)
		return rc;
	if (n >= MODEL_LINKS_MAX) {
		model_errs_add(&s->conflict, "", "limit reached: remote "
		    "network %.64s already has %d device links", l->rn_id,
		    MODEL_LINKS_MAX);
		return STORE_CONFLICT;
	}
	if ((rc = q_list2(s, Q_LINK_LIST, tenant_id, NULL, sizeof(*all),
	    store_row_link, &arr, &n, __func__)) != 0)
		return rc;
	all = arr;
	model_link_check_unique(l, all, n, "", &s->conflict);
	for (i = 0; i < n; i++) {
		if (strcmp(all[i].id, l->id) == 0)
			continue;
		if (all[i].ip == l->ip)
			model_errs_add(&s->conflict, "ipAddress", "ipAddress %s "
			    "is already used by device link '%.200s' (id %s)",
			    ip4_fmt(l->ip, ip), all[i].name, all[i].id);
		if (strcmp(all[i].rn_id, l->rn_id) == 0 &&
		    strcmp(all[i].name, l->name) == 0)
			model_errs_add(&s->conflict, "name", "a device link "
			    "named '%.200s' already exists in this remote "
			    "network (id %s)", l->name, all[i].id);
	}
	model_links_free(all, n);
	return s->conflict.count > 0 ? STORE_CONFLICT : 0;
}

/* The enum spellings of a link; -1 if one is out of range. */
struct q_link_names {
	const char	*vendor, *bw, *red;
	const char	*ike_enc, *ike_int, *dh, *ipsec_enc, *ipsec_int, *pfs;
	/* Bound in place (SQLite's SQLITE_STATIC): they live until the step. */
	char		 ip[IP4_STRLEN], bgp_local[IP4_STRLEN];
	char		 bgp_peer[IP4_STRLEN], zone_local[IP4_STRLEN];
};

static int
q_link_names(const struct model_link *l, struct q_link_names *nm)
{
	const struct model_tunnel *t = &l->tunnel;

	memset(nm, 0, sizeof(*nm));
	nm->vendor = model_enum_name(&model_vendor_enum, l->vendor);
	nm->bw = model_enum_name(&model_bandwidth_enum, l->bandwidth);
	nm->red = model_enum_name(&model_redundancy_enum, l->redundancy);
	if (nm->vendor == NULL || nm->bw == NULL || nm->red == NULL)
		return -1;
	if (!t->custom)
		return 0;
	nm->ike_enc = model_enum_name(&model_ike_enc_enum, t->ike_enc);
	nm->ike_int = model_enum_name(&model_ike_int_enum, t->ike_int);
	nm->dh = model_enum_name(&model_dh_enum, t->dh);
	nm->ipsec_enc = model_enum_name(&model_ipsec_enc_enum, t->ipsec_enc);
	nm->ipsec_int = model_enum_name(&model_ipsec_int_enum, t->ipsec_int);
	nm->pfs = model_enum_name(&model_pfs_enum, t->pfs);
	return nm->ike_enc == NULL || nm->ike_int == NULL || nm->dh == NULL ||
	    nm->ipsec_enc == NULL || nm->ipsec_int == NULL || nm->pfs == NULL ?
	    -1 : 0;
}

struct q_link_arg {
	const char		*tenant_id;
	const struct model_link	*l;
	const char		*pfx;
	struct q_link_names *nm;
};

static int
q_link_bind(struct db_stmt *st, const struct q_link_arg *a)
{
	const struct model_link *l = a->l;
	const struct model_tunnel *t = &l->tunnel;
	struct q_link_names *nm = a->nm;
	int errs = 0;

	errs += q_text(st, 1, a->tenant_id);
	errs += q_buf(st, Q_LP(LC_ID), l->id, sizeof(l->id));
	errs += q_buf(st, Q_LP(LC_RN_ID), l->rn_id, sizeof(l->rn_id));
	errs += q_buf(st, Q_LP(LC_NAME), l->name, sizeof(l->name));
	errs += q_text(st, Q_LP(LC_IP), ip4_fmt(l->ip, nm->ip));
	errs += q_text(st, Q_LP(LC_VENDOR), nm->vendor);
	errs += q_text(st, Q_LP(LC_BANDWIDTH), nm->bw);
	errs += q_text(st, Q_LP(LC_BGP_LOCAL), ip4_fmt(l->bgp_local,
	    nm->bgp_local));
	errs += q_text(st, Q_LP(LC_BGP_PEER), ip4_fmt(l->bgp_peer, nm->bgp_peer));
	errs += q_int(st, Q_LP(LC_ASN), l->asn);
	errs += q_text(st, Q_LP(LC_REDUNDANCY), nm->red);
	errs += q_text(st, Q_LP(LC_ZONE_LOCAL), l->zone_local == 0 ? NULL :
	    ip4_fmt(l->zone_local, nm->zone_local));
	errs += q_text(st, Q_LP(LC_TUNNEL_TYPE), t->custom ? "custom" :
	    "default");
	/* The caller's buffers: no copy of a key here (the driver may). */
	errs += q_buf(st, Q_LP(LC_PSK), t->psk, sizeof(t->psk));
	errs += t->zone_psk[0] != '\0' ? q_buf(st, Q_LP(LC_ZONE_PSK),
	    t->zone_psk, sizeof(t->zone_psk)) :
	    q_text(st, Q_LP(LC_ZONE_PSK), NULL);
	errs += t->custom ? q_int(st, Q_LP(LC_SA_LIFETIME), t->sa_lifetime) :
	    q_text(st, Q_LP(LC_SA_LIFETIME), NULL);
	errs += q_text(st, Q_LP(LC_IKE_ENC), nm->ike_enc);
	errs += q_text(st, Q_LP(LC_IKE_INT), nm->ike_int);
	errs += q_text(st, Q_LP(LC_DH), nm->dh);
	errs += q_text(st, Q_LP(LC_IPSEC_ENC), nm->ipsec_enc);
	errs += q_text(st, Q_LP(LC_IPSEC_INT), nm->ipsec_int);
	errs += q_text(st, Q_LP(LC_PFS), nm->pfs);
	errs += q_buf(st, Q_LP(LC_VERSION), l->version, sizeof(l->version));
	errs += q_int(st, Q_LP(LC_MODIFIED_MS), l->modified_ms);
	errs += q_text(st, Q_LP(LC_SRC_PREFIXES), a->pfx);
	return errs;
}

static int
q_link_put(struct store *s, const void *arg)
{
	const struct q_link_arg *a = arg;
	struct db_stmt *st;
	int rc;

	/* NOTFOUND for a missing or foreign parent; the FK is the backstop. */
	if ((rc = q_rn_check(s, a->tenant_id, a->l->rn_id)) != 0 ||
	    (rc = q_link_rules(s, a->tenant_id, a->l)) != 0)
		return rc;
	if ((st = q_stmt(s, Q_LINK_PUT)) == NULL)
		return -1;
	if ((rc = q_write_step(st, q_link_bind(st, a), __func__)) == 0 &&
	    st->drv->changes(st) == 0) {
		log_err("%s: id %.*s belongs to another tenant", __func__,
		    MODEL_ID_LEN, a->l->id);
		rc = -1;
	}
	q_done(st);
	if (rc != 0)
		return rc;
	return q_notify(s, a->tenant_id, "deviceLink", a->l->id);
}

int
store_link_put(struct store *s, const char *tenant_id,
    const struct model_link *l)
{
	char pfx[MODEL_PREFIXES_STRLEN];
	struct q_link_names nm;
	struct q_link_arg a = { tenant_id, l, pfx, &nm };

	if (q_link_names(l, &nm) == -1) {
		log_err("%s: link %.*s has an enum value out of range",
		    __func__, MODEL_ID_LEN, l->id);
		return -1;
	}
	if (model_prefixes_fmt(l, pfx, sizeof(pfx)) == -1) {
		log_err("%s: link %.*s has %u source prefixes (max %d)",
		    __func__, MODEL_ID_LEN, l->id, l->nsrc,
		    MODEL_SRC_PREFIXES_MAX);
		return -1;
	}
	return q_write(s, q_link_put, &a);
}

int
store_link_get(struct store *s, const char *tenant_id, const char *rn_id,
    const char *link_id, struct model_link *out)
{
	struct db_stmt *st;
	int errs = 0, rc;

	if ((st = q_stmt(s, Q_LINK_GET)) == NULL)
		return -1;
	errs += q_text(st, 1, tenant_id);
	errs += q_text(st, 2, rn_id);
	errs += q_text(st, 3, link_id);
	rc = store_map_one(st, errs, __func__, store_row_link, out);
	q_done(st);
	return rc;
}

int
store_link_list(struct store *s, const char *tenant_id, const char *rn_id,
    struct model_link **out, size_t *n)
{
	void *arr = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (rn_id != NULL && (rc = q_rn_check(s, tenant_id, rn_id)) != 0)
		return rc;
	rc = q_list2(s, Q_LINK_LIST, tenant_id, rn_id, sizeof(**out),
	    store_row_link, &arr, n, __func__);
	*out = arr;
	return rc;
}

int
store_link_count(struct store *s, const char *tenant_id, const char *rn_id,
    size_t *n)
{
	int rc;

	*n = 0;
	if (rn_id != NULL && (rc = q_rn_check(s, tenant_id, rn_id)) != 0)
		return rc;
	return q_count3(s, Q_LINK_COUNT, tenant_id, rn_id, NULL, n, __func__);
}

int
store_link_delete(struct store *s, const char *tenant_id, const char *rn_id,
    const char *link_id)
{
	struct q_del_arg a = { Q_LINK_DELETE, tenant_id, rn_id, link_id };

	return q_write(s, q_delete, &a);
}

/* --- profile assignments ------------------------------------------------ */

int
store_rn_profiles_get(struct store *s, const char *tenant_id,
    const char *rn_id, struct model_profile **out, size_t *n)
{
	void *arr = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = q_rn_check(s, tenant_id, rn_id)) != 0)
		return rc;
	rc = q_list2(s, Q_RNP_GET, tenant_id, rn_id, sizeof(**out),
	    store_row_profile, &arr, n, __func__);
	*out = arr;
	return rc;
}

struct q_rnp_arg {
	const char	*tenant_id, *rn_id;
	const char	(*ids)[MODEL_ID_LEN + 1];
	size_t		 n;
};

/* All ids are checked before anything changes, in one transaction. */
static int
q_rn_profiles_set(struct store *s, const void *arg)
{
	const struct q_rnp_arg *a = arg;
	struct model_profile p;
	struct db_stmt *st;
	size_t i;
	int errs, rc;

	if ((rc = q_rn_check(s, a->tenant_id, a->rn_id)) != 0)
		return rc;
	for (i = 0; i < a->n; i++)
		if ((rc = store_profile_get(s, a->tenant_id, a->ids[i],
		    &p)) != 0)
			return rc;
	if ((st = q_stmt(s, Q_RNP_CLEAR)) == NULL)
		return -1;
	errs = q_text(st, 1, a->tenant_id);
	errs += q_text(st, 2, a->rn_id);
	rc = q_write_step(st, errs, __func__);
	q_done(st);
	if (rc != 0)
		return rc;
	if ((st = q_stmt(s, Q_RNP_ADD)) == NULL)
		return -1;
	for (i = 0; rc == 0 && i < a->n; i++) {
		errs = q_text(st, 1, a->tenant_id);
		errs += q_text(st, 2, a->rn_id);
		errs += q_buf(st, 3, a->ids[i], sizeof(a->ids[i]));
		rc = q_write_step(st, errs, __func__);
		q_done(st);
	}
	if (rc != 0)
		return rc;
	return q_notify(s, a->tenant_id, "remoteNetwork", a->rn_id);
}

int
store_rn_profiles_set(struct store *s, const char *tenant_id,
    const char *rn_id, const char (*ids)[MODEL_ID_LEN + 1], size_t n)
{
	struct q_rnp_arg a = { tenant_id, rn_id, ids, n };

	if (n > 0 && ids == NULL)
		return -1;
	return q_write(s, q_rn_profiles_set, &a);
}

/* --- gateway view, health events ---------------------------------------- */

int
store_link_list_all(struct store *s, struct store_tenant_link **out,
    size_t *n)
{
	struct db_stmt *st;
	void *arr = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = q_stmt(s, Q_LINK_LIST_ALL)) == NULL)
		return -1;
	rc = store_map_list(st, 0, __func__, sizeof(**out),
	    store_row_tenant_link, &arr, n);
	q_done(st);
	*out = arr;
	return rc;
}

int
store_event_add(struct store *s, const char *tenant_id,
    const struct store_event *ev)
{
	const char *status = model_enum_name(&store_event_status_enum,
	    ev->status);
	char src[IP4_STRLEN], dst[IP4_STRLEN];
	struct db_stmt *st = NULL;
	int errs = 0, rc = -1;

	if (status == NULL || ev->bgp_routes_advertised < 0 ||
	    ev->sent_bytes < 0 || ev->received_bytes < 0) {
		log_err("%s: event %.*s has a value out of range", __func__,
		    MODEL_ID_LEN, ev->id);
		goto fail;
	}
	if ((st = q_stmt(s, Q_EVENT_ADD)) == NULL)
		goto fail;
	errs += q_text(st, 1, tenant_id);
	errs += q_buf(st, 2, ev->id, sizeof(ev->id));
	errs += q_buf(st, 3, ev->rn_id, sizeof(ev->rn_id));
	errs += q_int(st, 4, ev->created_ms);
	errs += q_text(st, 5, ip4_fmt(ev->source_ip, src));
	errs += q_text(st, 6, ip4_fmt(ev->destination_ip, dst));
	errs += q_text(st, 7, status);
	errs += ev->description[0] != '\0' ? q_buf(st, 8, ev->description,
	    sizeof(ev->description)) : q_text(st, 8, NULL);
	errs += q_int(st, 9, ev->bgp_routes_advertised);
	errs += q_int(st, 10, ev->sent_bytes);
	errs += q_int(st, 11, ev->received_bytes);
	errs += ev->node[0] != '\0' ? q_buf(st, 12, ev->node,
	    sizeof(ev->node)) : q_text(st, 12, NULL);
	rc = q_write_step(st, errs, __func__);
	if (rc == STORE_CONFLICT || rc == STORE_RETRY)
		rc = -1;
fail:
	q_done(st);
	return rc;
}

/* The filter's parameters ?1, ?2, ?3, ?7 and ?8; 0 or the failed binds. */
static int
q_event_bind(struct db_stmt *st, const char *tenant_id,
    const struct store_event_filter *f, const char *status)
{
	int errs = 0;

	errs += q_text(st, 1, tenant_id);
	errs += q_text(st, 2, f->rn_id);
	errs += q_text(st, 3, status);
	errs += f->since_set ? q_int(st, 7, f->since_ms) : q_text(st, 7, NULL);
	errs += f->until_set ? q_int(st, 8, f->until_ms) : q_text(st, 8, NULL);
	return errs;
}

int
store_event_list(struct store *s, const char *tenant_id,
    const struct store_event_filter *f, struct store_event **out, size_t *n,
    bool *more)
{
	const char *status = NULL;
	struct db_stmt *st;
	void *arr = NULL;
	int errs = 0, rc;

	*out = NULL;
	*n = 0;
	*more = false;
	if (f->status != -1 && (status = model_enum_name(
	    &store_event_status_enum, f->status)) == NULL)
		return -1;
	if (f->top == 0 || f->top > INT32_MAX - 1)
		return -1;
	if (f->total != NULL) {
		if ((st = q_stmt(s, Q_EVENT_COUNT)) == NULL)
			return -1;
		rc = store_map_count(st, q_event_bind(st, tenant_id, f, status),
		    __func__, f->total);
		q_done(st);
		if (rc != 0)
			return -1;
	}
	if ((st = q_stmt(s, f->oldest_first ? Q_EVENT_LIST_ASC :
	    Q_EVENT_LIST)) == NULL)
		return -1;
	errs += q_event_bind(st, tenant_id, f, status);
	errs += q_int(st, 4, f->after_ms);
	errs += q_text(st, 5, f->after_id != NULL && f->after_id[0] != '\0' ?
	    f->after_id : NULL);
	/* One row more than asked tells whether another page exists. */
	errs += q_int(st, 6, (int64_t)f->top + 1);
	rc = store_map_list(st, errs, __func__, sizeof(**out), store_row_event,
	    &arr, n);
	q_done(st);
	if (rc == 0 && *n > f->top) {
		*n = f->top;
		*more = true;
	}
	*out = arr;
	return rc == 0 ? 0 : -1;
}

int
store_event_prune(struct store *s, int64_t before_ms, size_t *n)
{
	struct db_stmt *st;
	int rc;

	*n = 0;
	if ((st = q_stmt(s, Q_EVENT_PRUNE)) == NULL)
		return -1;
	if ((rc = q_write_step(st, q_int(st, 1, before_ms), __func__)) == 0)
		*n = (size_t)st->drv->changes(st);
	q_done(st);
	return rc == 0 ? 0 : -1;
}

/* --- for the other query files (store_policy.c, store_fwd.c) ------------ */

int
store_q_write(struct store *s, store_write_fn fn, const void *arg)
{
	return q_write(s, fn, arg);
}

int
store_q_notify(struct store *s, const char *tenant_id, const char *what,
    const char *id)
{
	return q_notify(s, tenant_id, what, id);
}
