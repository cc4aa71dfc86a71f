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

/* A column is parameter col + 1. */
static int
zs_text(struct db_stmt *st, int col, const char *v, size_t size)
{
	return st->drv->bind_text(st, col + 1, v, strnlen(v, size - 1)) != 0;
}

/* Counters past INT64_MAX (never in practice) are kept at the top. */
static int
zs_int(struct db_stmt *st, int col, uint64_t v)
{
	return st->drv->bind_int(st, col + 1, v > INT64_MAX ? INT64_MAX :
	    (int64_t)v) != 0;
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
	const struct model_link_tunnel *t = &z->tunnel;
	const struct model_link_bgp *b = &z->bgp;
	int errs = zs_bind_key(st, z);

	errs += zs_text(st, ZS_TENANT_ID, z->tenant_id, sizeof(z->tenant_id));
	errs += st->drv->bind_int(st, ZS_UPDATED_MS + 1, z->updated_ms) != 0;
	errs += zs_int(st, ZS_DATAPLANE, z->dataplane);
	errs += zs_int(st, ZS_CONNECTED, t->connected);
	errs += zs_int(st, ZS_LOCAL_IP, t->local_ip);
	errs += zs_int(st, ZS_REMOTE_IP, t->remote_ip);
	errs += zs_int(st, ZS_REMOTE_PORT, t->remote_port);
	errs += zs_int(st, ZS_UDP_ENCAP, t->udp_encap);
	errs += zs_text(st, ZS_IKE_SUITE, t->ike_suite, sizeof(t->ike_suite));
	errs += zs_text(st, ZS_ESP_SUITE, t->esp_suite, sizeof(t->esp_suite));
	errs += st->drv->bind_int(st, ZS_ESTABLISHED_MS + 1,
	    t->established_ms) != 0;
	errs += zs_int(st, ZS_CHILD_SAS, t->child_sas);
	errs += zs_int(st, ZS_IN_PACKETS, z->in_packets);
	errs += zs_int(st, ZS_IN_BYTES, z->in_bytes);
	errs += zs_int(st, ZS_OUT_PACKETS, z->out_packets);
	errs += zs_int(st, ZS_OUT_BYTES, z->out_bytes);
	errs += zs_int(st, ZS_REPLAY, z->replay);
	errs += zs_int(st, ZS_AUTH_FAILED, z->auth_failed);
	errs += zs_int(st, ZS_MALFORMED, z->malformed);
	errs += zs_int(st, ZS_SPOOFED, z->spoofed);
	errs += zs_int(st, ZS_BGP_PRESENT, b->present);
	errs += zs_text(st, ZS_BGP_STATE, b->state, sizeof(b->state));
	errs += zs_int(st, ZS_BGP_LOCAL_IP, b->local_ip);
	errs += zs_int(st, ZS_BGP_PEER_IP, b->peer_ip);
	errs += zs_int(st, ZS_BGP_PEER_ASN, b->peer_asn);
	errs += st->drv->bind_int(st, ZS_BGP_ESTABLISHED_MS + 1,
	    b->established_ms) != 0;
	errs += zs_int(st, ZS_BGP_RECEIVED, b->received);
	errs += zs_int(st, ZS_BGP_LEARNED, b->learned);
	errs += zs_int(st, ZS_BGP_ADVERTISED, b->advertised);
	errs += zs_int(st, ZS_BGP_REJECTED, b->rejected);
	errs += zs_int(st, ZS_BGP_TAW, b->treat_as_withdraw);
	errs += zs_text(st, ZS_BGP_LAST_ERROR, b->last_error,
	    sizeof(b->last_error));
	errs += zs_text(st, ZS_BFD_STATE, b->bfd_state, sizeof(b->bfd_state));
	errs += zs_int(st, ZS_BFD_DETECT_MS, b->bfd_detect_ms);
	errs += zs_int(st, ZS_BFD_TX_MS, b->bfd_tx_ms);
	errs += zs_text(st, ZS_REASON, z->reason, sizeof(z->reason));
	errs += zs_text(st, ZS_REASON_DETAIL, z->reason_detail,
	    sizeof(z->reason_detail));
	return errs;
}

/* One column as an integer in [min, max]; errs counts the failures. */
static uint64_t
zs_col(struct db_stmt *st, int col, int64_t min, int64_t max, int *errs)
{
	int64_t v = 0;

	if (store_col_int(st, col, min, max, &v) == -1)
		(*errs)++;
	return (uint64_t)v;
}

static int
zs_row(struct db_stmt *st, void *arg)
{
	struct store_zstatus *z = arg;
	struct model_link_tunnel *t = &z->tunnel;
	struct model_link_bgp *b = &z->bgp;
	int64_t v = 0;
	int errs = 0;

	memset(z, 0, sizeof(*z));
	errs += store_col_text(st, ZS_LINK_ID, z->link_id, sizeof(z->link_id),
	    false) == -1;
	z->zone = (int)zs_col(st, ZS_ZONE, 1, MODEL_ZONES_MAX, &errs);
	errs += store_col_text(st, ZS_NODE, z->node, sizeof(z->node),
	    false) == -1;
	errs += store_col_text(st, ZS_TENANT_ID, z->tenant_id,
	    sizeof(z->tenant_id), false) == -1;
	errs += store_col_int(st, ZS_UPDATED_MS, INT64_MIN, INT64_MAX,
	    &z->updated_ms) == -1;
	z->dataplane = zs_col(st, ZS_DATAPLANE, 0, 1, &errs) != 0;
	t->connected = zs_col(st, ZS_CONNECTED, 0, 1, &errs) != 0;
	t->local_ip = (uint32_t)zs_col(st, ZS_LOCAL_IP, 0, UINT32_MAX, &errs);
	t->remote_ip = (uint32_t)zs_col(st, ZS_REMOTE_IP, 0, UINT32_MAX,
	    &errs);
	t->remote_port = (uint16_t)zs_col(st, ZS_REMOTE_PORT, 0, UINT16_MAX,
	    &errs);
	t->udp_encap = zs_col(st, ZS_UDP_ENCAP, 0, 1, &errs) != 0;
	errs += store_col_text(st, ZS_IKE_SUITE, t->ike_suite,
	    sizeof(t->ike_suite), false) == -1;
	errs += store_col_text(st, ZS_ESP_SUITE, t->esp_suite,
	    sizeof(t->esp_suite), false) == -1;
	errs += store_col_int(st, ZS_ESTABLISHED_MS, INT64_MIN, INT64_MAX,
	    &t->established_ms) == -1;
	t->child_sas = (unsigned)zs_col(st, ZS_CHILD_SAS, 0, UINT32_MAX, &errs);
	z->in_packets = zs_col(st, ZS_IN_PACKETS, 0, INT64_MAX, &errs);
	z->in_bytes = zs_col(st, ZS_IN_BYTES, 0, INT64_MAX, &errs);
	z->out_packets = zs_col(st, ZS_OUT_PACKETS, 0, INT64_MAX, &errs);
	z->out_bytes = zs_col(st, ZS_OUT_BYTES, 0, INT64_MAX, &errs);
	z->replay = zs_col(st, ZS_REPLAY, 0, INT64_MAX, &errs);
	z->auth_failed = zs_col(st, ZS_AUTH_FAILED, 0, INT64_MAX, &errs);
	z->malformed = zs_col(st, ZS_MALFORMED, 0, INT64_MAX, &errs);
	z->spoofed = zs_col(st, ZS_SPOOFED, 0, INT64_MAX, &errs);
	b->present = zs_col(st, ZS_BGP_PRESENT, 0, 1, &errs) != 0;
	errs += store_col_text(st, ZS_BGP_STATE, b->state, sizeof(b->state),
	    false) == -1;
	b->local_ip = (uint32_t)zs_col(st, ZS_BGP_LOCAL_IP, 0, UINT32_MAX,
	    &errs);
	b->peer_ip = (uint32_t)zs_col(st, ZS_BGP_PEER_IP, 0, UINT32_MAX,
	    &errs);
	b->peer_asn = (uint32_t)zs_col(st, ZS_BGP_PEER_ASN, 0, UINT32_MAX,
	    &errs);
	errs += store_col_int(st, ZS_BGP_ESTABLISHED_MS, INT64_MIN, INT64_MAX,
	    &v) == -1;
	b->established_ms = v;
	b->received = zs_col(st, ZS_BGP_RECEIVED, 0, INT64_MAX, &errs);
	b->learned = zs_col(st, ZS_BGP_LEARNED, 0, INT64_MAX, &errs);
	b->advertised = zs_col(st, ZS_BGP_ADVERTISED, 0, INT64_MAX, &errs);
	b->rejected = zs_col(st, ZS_BGP_REJECTED, 0, INT64_MAX, &errs);
	b->treat_as_withdraw = zs_col(st, ZS_BGP_TAW, 0, INT64_MAX, &errs);
	errs += store_col_text(st, ZS_BGP_LAST_ERROR, b->last_error,
	    sizeof(b->last_error), false) == -1;
	errs += store_col_text(st, ZS_BFD_STATE, b->bfd_state,
	    sizeof(b->bfd_state), false) == -1;
	b->bfd_detect_ms = zs_col(st, ZS_BFD_DETECT_MS, 0, INT64_MAX, &errs);
	b->bfd_tx_ms = zs_col(st, ZS_BFD_TX_MS, 0, INT64_MAX, &errs);
	errs += store_col_text(st, ZS_REASON, z->reason, sizeof(z->reason),
	    false) == -1;
	errs += store_col_text(st, ZS_REASON_DETAIL, z->reason_detail,
	    sizeof(z->reason_detail), false) == -1;
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
