/*
 * store_map.c - rows to models, for every backend (store_db.h). Enums are
 * stored as their Graph spellings, not as numbers, so reordering a model
 * enum cannot reinterpret old rows; a spelling this build does not know,
 * a value out of range or a text that does not fit its field makes the row
 * corrupt (-1, logged), whichever database it came from.
 */
#include "store_db.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip4.h"
#include "log.h"

/* Graph trafficForwardingType, in enum model_fwd_traffic order. */
static const char *const store_traffic_names[] = {
	"m365", "internet", "private"
};
const struct model_enum store_traffic_enum = {
	"trafficForwardingType", store_traffic_names,
	sizeof(store_traffic_names) / sizeof(store_traffic_names[0])
};

static inline enum db_type
map_type(struct db_stmt *st, int col)
{
	return st->drv->col_type(st, col);
}

int
store_col_text(struct db_stmt *st, int col, char *buf, size_t size,
    bool nullok)
{
	const char *v;
	size_t len = 0;

	if (map_type(st, col) == DB_T_NULL) {
		buf[0] = '\0';
		return nullok ? 0 : -1;
	}
	if (map_type(st, col) != DB_T_TEXT)
		return -1;
	v = st->drv->col_text(st, col, &len);
	if (v == NULL || len >= size || memchr(v, '\0', len) != NULL)
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return 0;
}

int
store_col_int(struct db_stmt *st, int col, int64_t min, int64_t max,
    int64_t *out)
{
	int64_t v;

	if (map_type(st, col) != DB_T_INT || st->drv->col_int(st, col,
	    &v) == -1)
		return -1;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
map_enum(struct db_stmt *st, int col, const struct model_enum *e, int *out)
{
	char buf[64];

	if (store_col_text(st, col, buf, sizeof(buf), false) == -1)
		return -1;
	if ((*out = model_enum_parse(e, buf)) == -1)
		return -1;
	return 0;
}

static int
map_ip(struct db_stmt *st, int col, bool nullok, uint32_t *out)
{
	char buf[IP4_STRLEN];

	*out = 0;
	if (store_col_text(st, col, buf, sizeof(buf), nullok) == -1)
		return -1;
	if (buf[0] == '\0')
		return 0;
	return ip4_parse(buf, out);
}

/* --- stepping ----------------------------------------------------------- */

int
store_map_rc(int dbrc)
{
	switch (dbrc) {
	case DB_ECONFLICT:
		return STORE_CONFLICT;
	case DB_ERETRY:
		return STORE_RETRY;
	default:
		return -1;
	}
}

/* DB_ROW, DB_DONE or a negative class (logged); errs sums failed binds. */
int
store_map_step(struct db_stmt *st, int errs, const char *func)
{
	int rc;

	if (errs != 0) {
		log_err("%s: bind failed", func);
		return DB_ERR;
	}
	rc = st->drv->step(st);
	return rc;
}

/* Grows by copying, so that an old block holding keys is wiped, not leaked. */
static int
map_grow(unsigned char **arr, size_t *cap, size_t n, size_t elsize)
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
int
store_map_list(struct db_stmt *st, int errs, const char *func,
    size_t elsize, store_row_fn row, void **out, size_t *n)
{
	unsigned char *arr = NULL;
	size_t cap = 0, cnt = 0;
	int rc;

	if (errs != 0) {
		log_err("%s: bind failed", func);
		return -1;
	}
	while ((rc = store_map_step(st, 0, func)) == DB_ROW) {
		if (cnt == cap && map_grow(&arr, &cap, cnt, elsize) == -1)
			goto fail;
		if (row(st, arr + cnt * elsize) == -1)
			goto fail;
		cnt++;
	}
	if (rc != DB_DONE)
		goto fail;
	*out = arr;
	*n = cnt;
	return 0;
fail:
	if (arr != NULL) {
		explicit_bzero(arr, cap * elsize);
		free(arr);
	}
	return rc < 0 ? store_map_rc(rc) : -1;
}

/* Steps a SELECT count(*) statement. */
int
store_map_count(struct db_stmt *st, int errs, const char *func, size_t *n)
{
	int64_t v;
	int rc;

	if ((rc = store_map_step(st, errs, func)) != DB_ROW)
		return rc < 0 ? store_map_rc(rc) : -1;
	if (store_col_int(st, 0, 0, INT64_MAX, &v) == -1)
		return -1;
	*n = (size_t)v;
	return 0;
}

/* One row: 0 and row() filled, STORE_NOTFOUND, or an error. */
int
store_map_one(struct db_stmt *st, int errs, const char *func,
    store_row_fn row, void *out)
{
	int rc = store_map_step(st, errs, func);

	switch (rc) {
	case DB_ROW:
		return row(st, out);
	case DB_DONE:
		return STORE_NOTFOUND;
	default:
		return store_map_rc(rc);
	}
}

/* --- rows --------------------------------------------------------------- */

int
store_row_tenant(struct db_stmt *st, void *arg)
{
	struct store_tenant_row *r = arg;
	struct store_tenant *t = r->t;
	int64_t created = 0;
	const void *blob;
	size_t len = 0;
	int errs = 0;

	memset(t, 0, sizeof(*t));
	errs += store_col_text(st, 0, t->id, sizeof(t->id), false) == -1;
	errs += store_col_text(st, 1, t->name, sizeof(t->name), false) == -1;
	errs += store_col_int(st, 2, INT64_MIN, INT64_MAX, &created) == -1;
	t->created_ms = created;
	if (map_type(st, 3) != DB_T_BLOB ||
	    (blob = st->drv->col_blob(st, 3, &len)) == NULL ||
	    len != STORE_HASH_LEN)
		errs++;
	else if (r->hash != NULL)
		memcpy(r->hash, blob, STORE_HASH_LEN);
	if (errs != 0) {
		log_err("store: corrupt tenant row %s", t->id);
		return -1;
	}
	return 0;
}

int
store_row_rn(struct db_stmt *st, void *arg)
{
	struct model_rn *rn = arg;
	int64_t ms = 0;
	int errs = 0;

	memset(rn, 0, sizeof(*rn));
	errs += store_col_text(st, 0, rn->id, sizeof(rn->id), false) == -1;
	errs += store_col_text(st, 1, rn->name, sizeof(rn->name), false) == -1;
	errs += map_enum(st, 2, &model_region_enum, &rn->region) == -1;
	errs += store_col_text(st, 3, rn->version, sizeof(rn->version),
	    false) == -1;
	errs += store_col_int(st, 4, INT64_MIN, INT64_MAX, &ms) == -1;
	rn->modified_ms = ms;
	if (errs != 0) {
		log_err("store: corrupt remote network row %s", rn->id);
		return -1;
	}
	return 0;
}

static int
map_link_custom(struct db_stmt *st, struct model_tunnel *t)
{
	int64_t life = 0;
	int errs = 0;

	t->custom = true;
	errs += store_col_int(st, LC_SA_LIFETIME, 0, INT64_MAX, &life) == -1;
	t->sa_lifetime = life;
	errs += map_enum(st, LC_IKE_ENC, &model_ike_enc_enum, &t->ike_enc) == -1;
	errs += map_enum(st, LC_IKE_INT, &model_ike_int_enum, &t->ike_int) == -1;
	errs += map_enum(st, LC_DH, &model_dh_enum, &t->dh) == -1;
	errs += map_enum(st, LC_IPSEC_ENC, &model_ipsec_enc_enum,
	    &t->ipsec_enc) == -1;
	errs += map_enum(st, LC_IPSEC_INT, &model_ipsec_int_enum,
	    &t->ipsec_int) == -1;
	errs += map_enum(st, LC_PFS, &model_pfs_enum, &t->pfs) == -1;
	return errs;
}

int
store_row_link(struct db_stmt *st, void *arg)
{
	struct model_link *l = arg;
	struct model_tunnel *t = &l->tunnel;
	char type[8], pfx[MODEL_PREFIXES_STRLEN];
	int64_t asn = 0, ms = 0;
	int errs = 0;

	memset(l, 0, sizeof(*l));
	errs += store_col_text(st, LC_ID, l->id, sizeof(l->id), false) == -1;
	errs += store_col_text(st, LC_RN_ID, l->rn_id, sizeof(l->rn_id),
	    false) == -1;
	errs += store_col_text(st, LC_NAME, l->name, sizeof(l->name),
	    false) == -1;
	errs += map_ip(st, LC_IP, false, &l->ip) == -1;
	errs += map_enum(st, LC_VENDOR, &model_vendor_enum, &l->vendor) == -1;
	errs += map_enum(st, LC_BANDWIDTH, &model_bandwidth_enum,
	    &l->bandwidth) == -1;
	errs += map_ip(st, LC_BGP_LOCAL, false, &l->bgp_local) == -1;
	errs += map_ip(st, LC_BGP_PEER, false, &l->bgp_peer) == -1;
	errs += store_col_int(st, LC_ASN, 0, UINT32_MAX, &asn) == -1;
	l->asn = (uint32_t)asn;
	errs += map_enum(st, LC_REDUNDANCY, &model_redundancy_enum,
	    &l->redundancy) == -1;
	errs += map_ip(st, LC_ZONE_LOCAL, true, &l->zone_local) == -1;
	errs += store_col_text(st, LC_PSK, t->psk, sizeof(t->psk), false) == -1;
	errs += store_col_text(st, LC_ZONE_PSK, t->zone_psk,
	    sizeof(t->zone_psk), true) == -1;
	errs += store_col_text(st, LC_VERSION, l->version, sizeof(l->version),
	    false) == -1;
	errs += store_col_int(st, LC_MODIFIED_MS, INT64_MIN, INT64_MAX,
	    &ms) == -1;
	l->modified_ms = ms;
	if (store_col_text(st, LC_SRC_PREFIXES, pfx, sizeof(pfx), false) == -1 ||
	    model_prefixes_parse(pfx, l) == -1)
		errs++;

	if (store_col_text(st, LC_TUNNEL_TYPE, type, sizeof(type), false) == -1)
		errs++;
	else if (strcmp(type, "custom") == 0)
		errs += map_link_custom(st, t);
	else if (strcmp(type, "default") != 0)
		errs++;

	if (errs != 0) {
		log_err("store: corrupt device link row %s", l->id);
		model_link_wipe(l);
		return -1;
	}
	return 0;
}

int
store_row_profile(struct db_stmt *st, void *arg)
{
	struct model_profile *p = arg;
	int64_t prio = 0, enabled = 0, ms = 0;
	int errs = 0;

	memset(p, 0, sizeof(*p));
	errs += store_col_text(st, 0, p->id, sizeof(p->id), false) == -1;
	errs += store_col_text(st, 1, p->name, sizeof(p->name), false) == -1;
	errs += map_enum(st, 2, &store_traffic_enum, &p->traffic) == -1;
	errs += store_col_int(st, 3, INT_MIN, INT_MAX, &prio) == -1;
	errs += store_col_int(st, 4, 0, 1, &enabled) == -1;
	errs += store_col_text(st, 5, p->version, sizeof(p->version),
	    false) == -1;
	errs += store_col_int(st, 6, INT64_MIN, INT64_MAX, &ms) == -1;
	p->priority = (int)prio;
	p->enabled = enabled != 0;
	p->modified_ms = ms;
	if (errs != 0) {
		log_err("store: corrupt forwarding profile row %s", p->id);
		return -1;
	}
	return 0;
}

int
store_row_tenant_link(struct db_stmt *st, void *arg)
{
	struct store_tenant_link *tl = arg;

	memset(tl->tenant_id, 0, sizeof(tl->tenant_id));
	if (store_row_link(st, &tl->link) == -1)
		return -1;
	if (store_col_text(st, LC_NCOLS, tl->tenant_id,
	    sizeof(tl->tenant_id), false) == -1) {
		log_err("store: corrupt device link row %s", tl->link.id);
		model_link_wipe(&tl->link);
		return -1;
	}
	return 0;
}

int
store_row_event(struct db_stmt *st, void *arg)
{
	struct store_event *ev = arg;
	int64_t ms = 0, routes = 0, sent = 0, rcvd = 0;
	int errs = 0;

	memset(ev, 0, sizeof(*ev));
	errs += store_col_text(st, 0, ev->id, sizeof(ev->id), false) == -1;
	errs += store_col_text(st, 1, ev->rn_id, sizeof(ev->rn_id),
	    false) == -1;
	errs += store_col_int(st, 2, INT64_MIN, INT64_MAX, &ms) == -1;
	errs += map_ip(st, 3, false, &ev->source_ip) == -1;
	errs += map_ip(st, 4, false, &ev->destination_ip) == -1;
	errs += map_enum(st, 5, &store_event_status_enum, &ev->status) == -1;
	errs += store_col_text(st, 6, ev->description,
	    sizeof(ev->description), true) == -1;
	errs += store_col_int(st, 7, 0, INT32_MAX, &routes) == -1;
	errs += store_col_int(st, 8, 0, INT64_MAX, &sent) == -1;
	errs += store_col_int(st, 9, 0, INT64_MAX, &rcvd) == -1;
	errs += store_col_text(st, 10, ev->node, sizeof(ev->node), true) == -1;
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
