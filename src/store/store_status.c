/*
 * store_status.c - data from the gateway nodes (schema version 9,
 * docs/nodes.md "Status from the nodes"): each gateway node's view of
 * the zones placed on it, one row per (link, zone, node), written by the
 * node's own thread (node_beat.c) and read by the API, which takes each
 * zone's row from the node the zone is placed on (link_nodes). The SQL
 * is shared by both backends (store_db.h).
 *
 * Status writes send no change notification: they are not
 * configuration, and a notification would make every gateway re-read
 * its configuration once per interval per node.
 */
#include "store_db.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

enum zs_col {
	ZS_LINK_ID, ZS_ZONE, ZS_NODE, ZS_TENANT_ID, ZS_UPDATED_MS,
	ZS_DATAPLANE, ZS_CONNECTED, ZS_LOCAL_IP, ZS_REMOTE_IP, ZS_REMOTE_PORT,
	ZS_UDP_ENCAP, ZS_IKE_SUITE, ZS_ESP_SUITE, ZS_ESTABLISHED_MS,
	ZS_CHILD_SAS, ZS_IN_PACKETS, ZS_IN_BYTES, ZS_OUT_PACKETS,
	ZS_OUT_BYTES, ZS_REPLAY, ZS_AUTH_FAILED, ZS_MALFORMED, ZS_SPOOFED,
	ZS_BGP_PRESENT, ZS_BGP_STATE, ZS_BGP_LOCAL_IP, ZS_BGP_PEER_IP,
	ZS_BGP_PEER_ASN, ZS_BGP_ESTABLISHED_MS, ZS_BGP_RECEIVED,
	ZS_BGP_LEARNED, ZS_BGP_ADVERTISED, ZS_BGP_REJECTED, ZS_BGP_TAW,
	ZS_BGP_LAST_ERROR, ZS_BFD_STATE, ZS_BFD_DETECT_MS, ZS_BFD_TX_MS,
	ZS_REASON, ZS_REASON_DETAIL, ZS_NCOLS
};

#define ZS_COLS								\
	"link_id, zone, node, tenant_id, updated_ms, dataplane, "	\
	"connected, local_ip, remote_ip, remote_port, udp_encap, "	\
	"ike_suite, esp_suite, established_ms, child_sas, in_packets, "	\
	"in_bytes, out_packets, out_bytes, replay, auth_failed, "	\
	"malformed, spoofed, bgp_present, bgp_state, bgp_local_ip, "	\
	"bgp_peer_ip, bgp_peer_asn, bgp_established_ms, bgp_received, "	\
	"bgp_learned, bgp_advertised, bgp_rejected, bgp_taw, "	\
	"bgp_last_error, bfd_state, bfd_detect_ms, bfd_tx_ms, reason, "	\
	"reason_detail"

enum zs_id { ZS_PUT, ZS_DROP, ZS_CLEAR, ZS_LIST, ZS_NSTMT };

static const char *const zs_sql[ZS_NSTMT] = {
	[ZS_PUT] =
	    "INSERT INTO link_status (" ZS_COLS ") VALUES ("
	    "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
	    "?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, "
	    "?39, ?40) "
	    "ON CONFLICT (link_id, zone, node) DO UPDATE SET "
	    "tenant_id = excluded.tenant_id, "
	    "updated_ms = excluded.updated_ms, "
	    "dataplane = excluded.dataplane, connected = excluded.connected, "
	    "local_ip = excluded.local_ip, remote_ip = excluded.remote_ip, "
	    "remote_port = excluded.remote_port, "
	    "udp_encap = excluded.udp_encap, ike_suite = excluded.ike_suite, "
	    "esp_suite = excluded.esp_suite, "
	    "established_ms = excluded.established_ms, "
	    "child_sas = excluded.child_sas, "
	    "in_packets = excluded.in_packets, in_bytes = excluded.in_bytes, "
	    "out_packets = excluded.out_packets, "
	    "out_bytes = excluded.out_bytes, replay = excluded.replay, "
	    "auth_failed = excluded.auth_failed, "
	    "malformed = excluded.malformed, spoofed = excluded.spoofed, "
	    "bgp_present = excluded.bgp_present, "
	    "bgp_state = excluded.bgp_state, "
	    "bgp_local_ip = excluded.bgp_local_ip, "
	    "bgp_peer_ip = excluded.bgp_peer_ip, "
	    "bgp_peer_asn = excluded.bgp_peer_asn, "
	    "bgp_established_ms = excluded.bgp_established_ms, "
	    "bgp_received = excluded.bgp_received, "
	    "bgp_learned = excluded.bgp_learned, "
	    "bgp_advertised = excluded.bgp_advertised, "
	    "bgp_rejected = excluded.bgp_rejected, "
	    "bgp_taw = excluded.bgp_taw, "
	    "bgp_last_error = excluded.bgp_last_error, "
	    "bfd_state = excluded.bfd_state, "
	    "bfd_detect_ms = excluded.bfd_detect_ms, "
	    "bfd_tx_ms = excluded.bfd_tx_ms, reason = excluded.reason, "
	    "reason_detail = excluded.reason_detail",
	[ZS_DROP] =
	    "DELETE FROM link_status WHERE link_id = ?1 AND zone = ?2 "
	    "AND node = ?3",
	[ZS_CLEAR] =
	    "DELETE FROM link_status WHERE node = ?1",
	[ZS_LIST] =
	    "SELECT " ZS_COLS " FROM link_status WHERE tenant_id = ?1 "
	    "AND link_id = ?2 ORDER BY zone, node",
};

_Static_assert(ZS_NCOLS == 40, "ZS_COLS and enum zs_col");

static struct db_stmt *
zs_stmt(struct store *s, enum zs_id id)
{
	if (s->sstmt == NULL &&
	    (s->sstmt = calloc(ZS_NSTMT, sizeof(*s->sstmt))) == NULL)
		return NULL;
	if (s->sstmt[id] == NULL &&
	    (s->sstmt[id] = s->drv->prepare(s->db, zs_sql[id])) == NULL)
		log_err("store: prepare status query %d: %s", (int)id,
		    s->drv->errmsg(s->db));
	return s->sstmt[id];
}

/*
 * The columns after the key, in ZS_COLS order from ZS_TENANT_ID: where each
 * lives in struct store_zstatus and its C type, so that binding and reading
 * a row are one loop each.
 */
enum zs_type { ZT_TEXT, ZT_BOOL, ZT_U16, ZT_U32, ZT_U64, ZT_I64 };

struct zs_field {
	enum zs_type	type;
	size_t		off, size;
};

#define ZF(t, m)	{ t, offsetof(struct store_zstatus, m),		\
	sizeof(((struct store_zstatus *)0)->m) }

static const struct zs_field zs_fields[] = {
	ZF(ZT_TEXT, tenant_id),		ZF(ZT_I64, updated_ms),
	ZF(ZT_BOOL, dataplane),		ZF(ZT_BOOL, tunnel.connected),
	ZF(ZT_U32, tunnel.local_ip),	ZF(ZT_U32, tunnel.remote_ip),
	ZF(ZT_U16, tunnel.remote_port),	ZF(ZT_BOOL, tunnel.udp_encap),
	ZF(ZT_TEXT, tunnel.ike_suite),	ZF(ZT_TEXT, tunnel.esp_suite),
	ZF(ZT_I64, tunnel.established_ms), ZF(ZT_U32, tunnel.child_sas),
	ZF(ZT_U64, in_packets),		ZF(ZT_U64, in_bytes),
	ZF(ZT_U64, out_packets),	ZF(ZT_U64, out_bytes),
	ZF(ZT_U64, replay),		ZF(ZT_U64, auth_failed),
	ZF(ZT_U64, malformed),		ZF(ZT_U64, spoofed),
	ZF(ZT_BOOL, bgp.present),	ZF(ZT_TEXT, bgp.state),
	ZF(ZT_U32, bgp.local_ip),	ZF(ZT_U32, bgp.peer_ip),
	ZF(ZT_U32, bgp.peer_asn),	ZF(ZT_I64, bgp.established_ms),
	ZF(ZT_U64, bgp.received),	ZF(ZT_U64, bgp.learned),
	ZF(ZT_U64, bgp.advertised),	ZF(ZT_U64, bgp.rejected),
	ZF(ZT_U64, bgp.treat_as_withdraw), ZF(ZT_TEXT, bgp.last_error),
	ZF(ZT_TEXT, bgp.bfd_state),	ZF(ZT_U64, bgp.bfd_detect_ms),
	ZF(ZT_U64, bgp.bfd_tx_ms),	ZF(ZT_TEXT, reason),
	ZF(ZT_TEXT, reason_detail),
};
#undef ZF

_Static_assert(sizeof(zs_fields) / sizeof(zs_fields[0]) ==
    ZS_NCOLS - ZS_TENANT_ID, "zs_fields and ZS_COLS");
_Static_assert(sizeof(unsigned) == sizeof(uint32_t), "child_sas as ZT_U32");

/* A column is parameter col + 1. */
static int
zs_text(struct db_stmt *st, int col, const char *v, size_t size)
{
	return st->drv->bind_text(st, col + 1, v, strnlen(v, size - 1)) != 0;
}

static int
zs_bind_key(struct db_stmt *st, const struct store_zstatus *z)
{
	int errs = 0;

	errs += zs_text(st, ZS_LINK_ID, z->link_id, sizeof(z->link_id));
	errs += st->drv->bind_int(st, ZS_ZONE + 1, z->zone) != 0;
	errs += zs_text(st, ZS_NODE, z->node, sizeof(z->node));
	return errs;
}

static int
zs_bind(struct db_stmt *st, const struct store_zstatus *z)
{
	const unsigned char *base = (const unsigned char *)z;
	int errs = zs_bind_key(st, z), col;
	uint64_t u = 0;
	uint32_t u32;
	uint16_t u16;
	int64_t i64;
	size_t i;

	for (i = 0; i < sizeof(zs_fields) / sizeof(zs_fields[0]); i++) {
		const struct zs_field *f = &zs_fields[i];
		const void *v = base + f->off;

		col = ZS_TENANT_ID + (int)i;
		switch (f->type) {
		case ZT_TEXT:
			errs += zs_text(st, col, v, f->size);
			continue;
		case ZT_I64:
			memcpy(&i64, v, sizeof(i64));
			errs += st->drv->bind_int(st, col + 1, i64) != 0;
			continue;
		case ZT_BOOL:
			u = *(const bool *)v;
			break;
		case ZT_U16:
			memcpy(&u16, v, sizeof(u16));
			u = u16;
			break;
		case ZT_U32:
			memcpy(&u32, v, sizeof(u32));
			u = u32;
			break;
		case ZT_U64:
			memcpy(&u, v, sizeof(u));
			break;
		}
		/* Counters past INT64_MAX (never in practice) stay at the top. */
		errs += st->drv->bind_int(st, col + 1, u > INT64_MAX ? INT64_MAX :
		    (int64_t)u) != 0;
	}
	return errs;
}

static int
zs_row(struct db_stmt *st, void *arg)
{
	static const int64_t max[] = { [ZT_BOOL] = 1, [ZT_U16] = UINT16_MAX,
		[ZT_U32] = UINT32_MAX, [ZT_U64] = INT64_MAX };
	struct store_zstatus *z = arg;
	unsigned char *base = (unsigned char *)z;
	int64_t v, zone = 0;
	uint32_t u32;
	uint16_t u16;
	uint64_t u;
	int errs = 0, col;
	size_t i;

	memset(z, 0, sizeof(*z));
	errs += store_col_text(st, ZS_LINK_ID, z->link_id, sizeof(z->link_id),
	    false) == -1;
	errs += store_col_int(st, ZS_ZONE, 1, MODEL_ZONES_MAX, &zone) == -1;
	z->zone = (int)zone;
	errs += store_col_text(st, ZS_NODE, z->node, sizeof(z->node),
	    false) == -1;
	for (i = 0; i < sizeof(zs_fields) / sizeof(zs_fields[0]); i++) {
		const struct zs_field *f = &zs_fields[i];
		void *p = base + f->off;

		col = ZS_TENANT_ID + (int)i;
		if (f->type == ZT_TEXT) {
			errs += store_col_text(st, col, p, f->size, false) == -1;
			continue;
		}
		v = 0;
		if (store_col_int(st, col, f->type == ZT_I64 ? INT64_MIN : 0,
		    f->type == ZT_I64 ? INT64_MAX : max[f->type], &v) == -1) {
			errs++;
			continue;
		}
		switch (f->type) {
		case ZT_BOOL:
			*(bool *)p = v != 0;
			break;
		case ZT_U16:
			u16 = (uint16_t)v;
			memcpy(p, &u16, sizeof(u16));
			break;
		case ZT_U32:
			u32 = (uint32_t)v;
			memcpy(p, &u32, sizeof(u32));
			break;
		case ZT_U64:
			u = (uint64_t)v;
			memcpy(p, &u, sizeof(u));
			break;
		case ZT_I64:
			memcpy(p, &v, sizeof(v));
			break;
		case ZT_TEXT:
			break;
		}
	}
	if (errs != 0) {
		log_err("store: corrupt link status row %s zone %d", z->link_id,
		    z->zone);
		return -1;
	}
	return 0;
}

/* One statement; 0 or a store.h code. */
static int
zs_run(struct store *s, enum zs_id id, const struct store_zstatus *z,
    const char *node)
{
	struct db_stmt *st;
	int errs, rc;

	if ((st = zs_stmt(s, id)) == NULL)
		return -1;
	if (id == ZS_CLEAR)
		errs = st->drv->bind_text(st, 1, node,
		    strnlen(node, STORE_NODE_NAME_MAX + 1)) != 0;
	else
		errs = id == ZS_PUT ? zs_bind(st, z) : zs_bind_key(st, z);
	rc = store_map_step(st, errs, __func__);
	st->drv->reset(st);
	return rc == DB_DONE ? 0 : rc < 0 ? store_map_rc(rc) : -1;
}

struct zs_write_arg {
	const char			*node;
	bool				 clear;
	const struct store_zstatus	*put, *drop;
	size_t				 nput, ndrop;
};

static int
zs_write(struct store *s, const void *arg)
{
	const struct zs_write_arg *a = arg;
	size_t i;
	int rc;

	if (a->clear && (rc = zs_run(s, ZS_CLEAR, NULL, a->node)) != 0)
		return rc;
	for (i = 0; i < a->ndrop; i++)
		if ((rc = zs_run(s, ZS_DROP, &a->drop[i], NULL)) != 0)
			return rc;
	for (i = 0; i < a->nput; i++)
		if ((rc = zs_run(s, ZS_PUT, &a->put[i], NULL)) != 0)
			return rc;
	return 0;
}

int
store_zstatus_write(struct store *s, const char *node, bool clear,
    const struct store_zstatus *put, size_t nput,
    const struct store_zstatus *drop, size_t ndrop)
{
	struct zs_write_arg a = { node, clear, put, drop, nput, ndrop };
	size_t i;

	if (!store_node_name_valid(node))
		return -1;
	for (i = 0; i < nput + ndrop; i++) {
		const struct store_zstatus *z = i < nput ? &put[i] :
		    &drop[i - nput];

		if (strcmp(z->node, node) != 0 || z->zone < 1 ||
		    z->zone > MODEL_ZONES_MAX) {
			log_err("%s: a row of link %.*s is not node %s's",
			    __func__, MODEL_ID_LEN, z->link_id, node);
			return -1;
		}
	}
	return store_q_write(s, zs_write, &a);
}

int
store_zstatus_list(struct store *s, const char *tenant_id,
    const char *link_id, struct store_zstatus **out, size_t *n)
{
	struct db_stmt *st;
	void *arr = NULL;
	int errs = 0, rc;

	*out = NULL;
	*n = 0;
	if ((st = zs_stmt(s, ZS_LIST)) == NULL)
		return -1;
	errs += st->drv->bind_text(st, 1, tenant_id,
	    strnlen(tenant_id, MODEL_ID_LEN + 1)) != 0;
	errs += st->drv->bind_text(st, 2, link_id,
	    strnlen(link_id, MODEL_ID_LEN + 1)) != 0;
	rc = store_map_list(st, errs, __func__, sizeof(**out), zs_row, &arr, n);
	st->drv->reset(st);
	*out = arr;
	return rc;
}
