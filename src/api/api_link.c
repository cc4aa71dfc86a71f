/*
 * api_link.c - .../remoteNetworks/{id}/deviceLinks[/{linkId}]
 * (system-facts §2.1, §3.3). At most MODEL_LINKS_MAX links per remote
 * network; BGP addresses are unique across the tenant, link names within
 * their remote network. Pre-shared keys are write-only: never in a response.
 */
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guid.h"
#include "ip4.h"
#include "wallclock.h"

/* deviceLink's properties (system-facts §3.2), staticSourcePrefixes ours. */
static const char *const link_fields[] = {
	"id", "name", "ipAddress", "deviceVendor", "bandwidthCapacityInMbps",
	"bgpConfiguration", "redundancyConfiguration", "tunnelConfiguration",
	"staticSourcePrefixes", "version", "lastModifiedDateTime", NULL
};
#define LINK_TYPE	"microsoft.graph.networkaccess.deviceLink"
#define LINK_SET	\
	"networkAccess/connectivity/remoteNetworks('%s')/deviceLinks"

int
api_link_load(struct api_req *r, const char *rn_id, const char *id,
    struct model_link *out)
{
	int rc;

	rc = guid_valid(id) ? store_link_get(r->api->store, r->tenant.id,
	    rn_id, id, out) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND)
		api_error(r, 404, "NotFound", "id",
		    "device link '%.64s' not found in remote network %s", id,
		    rn_id);
	else if (rc == -1)
		api_error_store(r);
	return rc == 0 ? 0 : -1;
}

/*
 * ipAddress is unique within the tenant only. Another tenant's links are
 * neither named nor counted: a 409 would tell a tenant that someone else
 * uses an address, and would let it squat the address first. Links of
 * different tenants may share it; the IKE engine finds the right one by
 * policy and pre-shared key (ike.h, lookup), so sharing hands no tunnel
 * to the wrong tenant (docs/api.md).
 */
int
api_link_check_ip(struct api_req *r, const struct model_link *l,
    const char *prefix, struct model_errs *clash)
{
	struct store_tenant_link *all = NULL;
	char ip[IP4_STRLEN], target[80];
	size_t n = 0, i;

	if (store_link_list_all(r->api->store, &all, &n) == -1)
		return -1;
	snprintf(target, sizeof(target), "%s%sipAddress", prefix,
	    prefix[0] != '\0' ? "." : "");
	for (i = 0; i < n; i++) {
		if (strcmp(all[i].link.id, l->id) == 0 ||
		    all[i].link.ip != l->ip ||
		    strcmp(all[i].tenant_id, r->tenant.id) != 0)
			continue;
		model_errs_add(clash, target, "ipAddress %s is already used by "
		    "device link '%.200s' (id %s)", ip4_fmt(l->ip, ip),
		    all[i].link.name, all[i].link.id);
		break;
	}
	store_tenant_links_free(all, n);
	return 0;
}

/*
 * The checks against stored state: BGP addresses against every link of the
 * tenant, the name against the links of the same remote network, the
 * public address against every link of the gateway.
 */
static int
link_check_clash(struct api_req *r, const struct model_link *l,
    struct model_errs *clash)
{
	struct model_link *all = NULL;
	size_t n = 0, i;

	if (api_link_check_ip(r, l, "", clash) == -1 ||
	    store_link_list(r->api->store, r->tenant.id, NULL, &all, &n) == -1)
		return -1;
	model_link_check_unique(l, all, n, "", clash);
	for (i = 0; i < n; i++)
		if (strcmp(all[i].id, l->id) != 0 &&
		    strcmp(all[i].rn_id, l->rn_id) == 0 &&
		    strcmp(all[i].name, l->name) == 0)
			model_errs_add(clash, "name", "a device link named "
			    "'%.200s' already exists in this remote network "
			    "(id %s)", l->name, all[i].id);
	model_links_free(all, n);
	return 0;
}

/*
 * The store checks the limit and the uniqueness rules again inside the
 * write (store_query.c): another API node may have written since the
 * checks above. 0, or -1 with the answer set.
 */
static int
api_link_put(struct api_req *r, const struct model_link *l)
{
	struct store *st = r->api->store;
	int rc, tries;

	/* With placement, the link and its nodes in one transaction. */
	for (tries = 0;; tries++) {
		if (!r->api->placement) {
			rc = store_link_put(st, r->tenant.id, l);
			break;
		}
		if ((rc = store_begin(st)) == 0 &&
		    (rc = store_link_put(st, r->tenant.id, l)) == 0 &&
		    (rc = store_link_place(st, r->tenant.id, l,
		    wallclock_now_ms())) == 0)
			rc = store_commit(st);
		if (rc == 0)
			break;
		store_rollback(st);
		if (rc != STORE_RETRY || tries >= 30)
			break;
	}
	if (rc == 0)
		return 0;
	if (rc == STORE_CONFLICT)
		api_error_errs(r, 409, "Conflict",
		    store_conflict(r->api->store));
	else if (rc == STORE_NOTFOUND)
		api_error(r, 404, "NotFound", "id", "remote network '%.64s' "
		    "not found", l->rn_id);
	else
		api_error_store(r);
	return -1;
}

void
api_link_list(struct api_req *r)
{
	static const char *const q[] = { "$select", "$count", NULL };
	struct model_link *links = NULL;
	struct model_rn rn;
	size_t n = 0, i;
	json_t *a, *o;

	if (api_query_check(r, q) == -1 ||
	    api_select_check(r, link_fields, LINK_TYPE) == -1 ||
	    api_rn_links(r, r->seg[3], &rn, &links, &n) == -1)
		return;
	a = api_links_json(links, n);
	model_links_free(links, n);
	json_array_foreach(a, i, o)
		api_select_apply(r, o);
	api_reply_collection(r, a, NULL, LINK_SET, rn.id);
}

void
api_link_get(struct api_req *r)
{
	static const char *const q[] = { "$select", NULL };
	struct model_link l;
	struct model_rn rn;
	json_t *o;

	if (api_query_check(r, q) == -1 ||
	    api_select_check(r, link_fields, LINK_TYPE) == -1 ||
	    api_rn_load(r, r->seg[3], &rn) == -1 ||
	    api_link_load(r, rn.id, r->seg[5], &l) == -1)
		return;
	o = model_link_to_json(&l, false);
	model_link_wipe(&l);
	api_select_apply(r, o);
	api_reply_entity(r, 200, o, LINK_SET, rn.id);
}

/* A BGP session's status; null when the gateway runs none for the link. */
static json_t *
link_bgp_json(const struct model_link_bgp *b)
{
	char lip[IP4_STRLEN], pip[IP4_STRLEN], when[WALLCLOCK_STRLEN];
	json_t *o;

	if (!b->present)
		return json_null();
	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
	    "state", b->state,
	    "localAddress", ip4_fmt(b->local_ip, lip),
	    "peerAddress", ip4_fmt(b->peer_ip, pip),
	    "peerAsn", (json_int_t)b->peer_asn,
	    "receivedPrefixes", (json_int_t)b->received,
	    "learnedPrefixes", (json_int_t)b->learned,
	    "advertisedPrefixes", (json_int_t)b->advertised);
	if (o == NULL)
		return json_null();
	if (b->established_ms != 0) {
		wallclock_fmt(b->established_ms, when);
		json_object_set_new(o, "establishedDateTime", json_string(when));
	}
	json_object_set_new(o, "lastError", b->last_error[0] != '\0' ?
	    json_string(b->last_error) : json_null());
	json_object_set_new(o, "rejectedPrefixes", json_integer(
	    (json_int_t)b->rejected));
	json_object_set_new(o, "treatAsWithdrawUpdates", json_integer(
	    (json_int_t)b->treat_as_withdraw));
	/* null: the branch runs no BFD on this session (we are passive). */
	json_object_set_new(o, "bfd", b->bfd_state[0] == '\0' ? json_null() :
	    json_pack("{s:s, s:I, s:I}", "state", b->bfd_state,
	    "detectionTimeMs", (json_int_t)b->bfd_detect_ms,
	    "transmitIntervalMs", (json_int_t)b->bfd_tx_ms));
	{
		json_t *r = json_object();
		unsigned i;

		for (i = 0; r != NULL && i < b->nreject; i++)
			json_object_set_new(r, b->reject[i].key,
			    json_integer((json_int_t)b->reject[i].n));
		json_object_set_new(o, "rejectReasons", r != NULL ? r :
		    json_null());
	}
	return o;
}

/*
 * One tunnel's fields, set on o: the per-zone entries of "tunnels", and the
 * top level (the first connected zone) as before zone redundancy.
 */
static void
link_tunnel_fields(json_t *o, const struct model_link_tunnel *t)
{
	char ip[IP4_STRLEN], when[WALLCLOCK_STRLEN];

	if (!t->connected)
		return;
	wallclock_fmt(t->established_ms, when);
	json_object_set_new(o, "localEndpoint",
	    json_string(ip4_fmt(t->local_ip, ip)));
	json_object_set_new(o, "remoteEndpoint",
	    json_string(ip4_fmt(t->remote_ip, ip)));
	json_object_set_new(o, "remotePort", json_integer(t->remote_port));
	/* "none": ESP straight over IP (protocol 50), no NAT seen. */
	json_object_set_new(o, "encapsulation",
	    json_string(t->udp_encap ? "udp" : "none"));
	json_object_set_new(o, "ikeSuite", json_string(t->ike_suite));
	json_object_set_new(o, "espSuite", json_string(t->esp_suite));
	json_object_set_new(o, "establishedDateTime", json_string(when));
}

/*
 * Where a zone's status came from, with placement on (docs/nodes.md
 * "Status from the nodes"): the node the zone is placed on, that node's
 * state by the heartbeat rule, and when it wrote the row. stale: the node
 * is down or gone, or has written nothing for the zone yet.
 */
struct link_zsrc {
	char		node[STORE_NODE_NAME_MAX + 1];	/* "": not placed */
	const char	*node_state;	/* up, down, draining; NULL: not listed */
	int64_t		updated_ms;	/* 0: no row */
	bool		stale;
};

/* "tunnels": one entry per zone the link uses, connected or not. */
static json_t *
link_tunnels_json(const struct model_link *l, const struct model_link_status *st,
    const struct link_zsrc *src)
{
	int zones = l->redundancy == MODEL_RED_ZONE ? 2 : 1, z;
	char when[WALLCLOCK_STRLEN];
	json_t *a = json_array(), *t;

	for (z = 0; a != NULL && z < zones; z++) {
		const struct model_link_tunnel *tu = &st->tunnel[z];

		t = json_pack("{s:i, s:s, s:I}", "zone", z + 1,
		    "tunnelState", src != NULL && src[z].stale ? "unknown" :
		    tu->connected ? "connected" : "disconnected",
		    "childSecurityAssociations", (json_int_t)tu->child_sas);
		if (t == NULL)
			continue;
		link_tunnel_fields(t, tu);
		if (src != NULL) {
			json_object_set_new(t, "gatewayNode", src[z].node[0] !=
			    '\0' ? json_string(src[z].node) : json_null());
			json_object_set_new(t, "gatewayNodeState",
			    src[z].node_state != NULL ?
			    json_string(src[z].node_state) : json_null());
			json_object_set_new(t, "stale", json_boolean(
			    src[z].stale));
			json_object_set_new(t, "statusDateTime",
			    src[z].updated_ms != 0 ? json_string(wallclock_fmt(
			    src[z].updated_ms, when)) : json_null());
		}
		json_array_append_new(a, t);
	}
	return a != NULL ? a : json_null();
}

/*
 * With placement on, the status comes from the store: for each zone of
 * the link, the row written by the node the zone is placed on, used only
 * while that node is up (a down node's last row would show a tunnel that
 * may be gone). ESP counters add up over the zones' rows (each node
 * counts its own SAs); the reason is the first "ok" zone's, else the
 * first fresh zone's, else "nodeDown". -1: a store error (answered).
 */
static int
link_status_merge(struct api_req *r, const struct model_link *l,
    struct model_link_status *st, struct link_zsrc src[MODEL_ZONES_MAX])
{
	char node[MODEL_ZONES_MAX][STORE_NODE_NAME_MAX + 1];
	uint32_t ep[MODEL_ZONES_MAX];
	struct store_zstatus *rows = NULL;
	const struct store_zstatus *zr[MODEL_ZONES_MAX] = { NULL, NULL };
	const struct store_zstatus *why = NULL;
	struct store_node n;
	int zones = l->redundancy == MODEL_RED_ZONE ? 2 : 1, z, rc;
	int64_t now = wallclock_now_ms();
	size_t nrows = 0, i;

	memset(src, 0, sizeof(*src) * MODEL_ZONES_MAX);
	if (store_link_nodes(r->api->store, r->tenant.id, l->id, node,
	    ep) != 0 || store_zstatus_list(r->api->store, r->tenant.id, l->id,
	    &rows, &nrows) != 0) {
		api_error_store(r);
		return -1;
	}
	for (z = 0; z < zones; z++) {
		snprintf(src[z].node, sizeof(src[z].node), "%s", node[z]);
		src[z].stale = true;
		if (node[z][0] == '\0')
			continue;
		rc = store_node_get(r->api->store, node[z], &n);
		if (rc == -1) {
			free(rows);
			api_error_store(r);
			return -1;
		}
		if (rc == 0)
			src[z].node_state = store_node_state_name(&n, now);
		for (i = 0; i < nrows; i++)
			if (rows[i].zone == z + 1 &&
			    strcmp(rows[i].node, node[z]) == 0)
				zr[z] = &rows[i];
		if (zr[z] != NULL)
			src[z].updated_ms = zr[z]->updated_ms;
		src[z].stale = rc != 0 || store_node_down(&n, now) ||
		    zr[z] == NULL;
	}
	for (z = 0; z < zones; z++) {
		const struct store_zstatus *x = zr[z];

		if (src[z].stale)
			continue;
		st->dataplane |= x->dataplane;
		st->tunnel[z] = x->tunnel;
		st->connected |= x->tunnel.connected;
		st->bgp[z] = x->bgp;
		st->in_packets += x->in_packets;
		st->in_bytes += x->in_bytes;
		st->out_packets += x->out_packets;
		st->out_bytes += x->out_bytes;
		st->replay += x->replay;
		st->auth_failed += x->auth_failed;
		st->malformed += x->malformed;
		st->spoofed += x->spoofed;
		if (why == NULL || (strcmp(x->reason, "ok") == 0 &&
		    strcmp(why->reason, "ok") != 0))
			why = x;
	}
	if (why != NULL && why->reason[0] != '\0') {
		memcpy(st->reason, why->reason, sizeof(st->reason));
		memcpy(st->reason_detail, why->reason_detail,
		    sizeof(st->reason_detail));
	} else if (why == NULL) {
		for (z = 0; z < zones && src[z].node[0] == '\0'; z++)
			;
		snprintf(st->reason, sizeof(st->reason), "nodeDown");
		if (z == zones)
			snprintf(st->reason_detail, sizeof(st->reason_detail),
			    "the link is placed on no gateway node");
		else
			snprintf(st->reason_detail, sizeof(st->reason_detail),
			    "no status from gateway node %s (zone %d): it is "
			    "%s", src[z].node, z + 1, src[z].node_state == NULL ?
			    "not in the node list" : strcmp(src[z].node_state,
			    "down") == 0 ? "down (no heartbeat)" :
			    "up but has written no status for the zone yet");
	}
	free(rows);
	return 0;
}

/*
 * Not a Graph resource: the gateway's live view of the link's tunnels (one
 * per zone), its ESP counters and its BGP session(s) (issue 4), refreshed
 * by the gateway once a second.
 */
void
api_link_status(struct api_req *r)
{
	struct model_link_status st;
	struct link_zsrc src[MODEL_ZONES_MAX];
	struct model_link l;
	struct model_rn rn;
	unsigned child_sas = 0;
	bool stale = false;
	int z;
	json_t *o;

	if (api_query_check(r, NULL) == -1 ||
	    api_rn_load(r, r->seg[3], &rn) == -1 ||
	    api_link_load(r, rn.id, r->seg[5], &l) == -1)
		return;
	model_link_wipe(&l);
	memset(&st, 0, sizeof(st));
	if (r->api->placement) {
		if (link_status_merge(r, &l, &st, src) == -1)
			return;
		for (z = 0; z < MODEL_ZONES_MAX; z++)
			stale |= src[z].stale && z < (l.redundancy ==
			    MODEL_RED_ZONE ? 2 : 1);
	} else if (r->api->link_status != NULL &&
	    r->api->link_status(r->api->link_status_arg, l.id, &st) == -1) {
		api_error(r, 503, "ServiceUnavailable", NULL,
		    "the gateway status is not available");
		return;
	}
	for (z = 0; z < MODEL_ZONES_MAX; z++)
		child_sas += st.tunnel[z].child_sas;
	o = json_pack("{s:s, s:s, s:b, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:I, s:I}}",
	    "linkId", l.id,
	    "tunnelState", st.connected ? "connected" : stale ? "unknown" :
	    "disconnected",
	    "dataPlane", st.dataplane,
	    "childSecurityAssociations", (json_int_t)child_sas,
	    "esp",
	    "inboundPackets", (json_int_t)st.in_packets,
	    "inboundBytes", (json_int_t)st.in_bytes,
	    "outboundPackets", (json_int_t)st.out_packets,
	    "outboundBytes", (json_int_t)st.out_bytes,
	    "replayDrops", (json_int_t)st.replay,
	    "authenticationFailures", (json_int_t)st.auth_failed,
	    "malformedDrops", (json_int_t)st.malformed,
	    "spoofedSourceDrops", (json_int_t)st.spoofed);
	if (o != NULL) {
		/* "Why is it not passing traffic": first cause first (gw.c). */
		json_object_set_new(o, "health", json_pack("{s:s, s:s}",
		    "reason", st.reason[0] != '\0' ? st.reason : "noTunnel",
		    "detail", st.reason[0] != '\0' ? st.reason_detail :
		    "the gateway has no state for this link yet"));
		json_object_set_new(o, "tunnels", link_tunnels_json(&l, &st,
		    r->api->placement ? src : NULL));
		json_object_set_new(o, "bgp", link_bgp_json(&st.bgp[0]));
		if (st.bgp[1].present)
			json_object_set_new(o, "zoneRedundancyBgp",
			    link_bgp_json(&st.bgp[1]));
		for (z = 0; z < MODEL_ZONES_MAX; z++)
			if (st.tunnel[z].connected) {
				link_tunnel_fields(o, &st.tunnel[z]);
				break;
			}
	}
	r->resp = o;
	r->status = o != NULL ? 200 : 500;
}

/* One route of GET .../routes (docs/api.md "Routes of a link"). */
static json_t *
link_route_json(const struct model_link_route *rt)
{
	char pfx[IP4_STRLEN + 4], ip[IP4_STRLEN];
	json_t *o;

	snprintf(pfx, sizeof(pfx), "%s/%u", ip4_fmt(rt->addr, ip),
	    (unsigned)rt->len);
	o = json_pack("{s:I, s:s, s:s}", "zone", (json_int_t)rt->zone,
	    "direction", rt->advertised ? "advertised" : "received",
	    "prefix", pfx);
	if (o == NULL || rt->advertised)
		return o;
	json_object_set_new(o, "nextHop",
	    json_string(ip4_fmt(rt->nexthop, ip)));
	json_object_set_new(o, "asPathLength",
	    json_integer((json_int_t)rt->path_len));
	json_object_set_new(o, "originAsn", rt->origin_as != 0 ?
	    json_integer((json_int_t)rt->origin_as) : json_null());
	json_object_set_new(o, "med", rt->has_med ?
	    json_integer((json_int_t)rt->med) : json_null());
	json_object_set_new(o, "state", json_string(rt->state));
	json_object_set_new(o, "reason", rt->reason[0] != '\0' ?
	    json_string(rt->reason) : json_null());
	if (strcmp(rt->state, "refused") != 0) {
		json_t *a = json_array();
		unsigned i;

		for (i = 0; a != NULL && i < rt->nmember; i++)
			json_array_append_new(a, json_pack("{s:s, s:o, s:b}",
			    "deviceLinkId", rt->member[i].link_id,
			    "zone", rt->member[i].zone != 0 ?
			    json_integer(rt->member[i].zone) : json_null(),
			    "tunnelUp", rt->member[i].up));
		json_object_set_new(o, "forwardingMembers", a != NULL ? a :
		    json_null());
	}
	return o;
}

/*
 * GET .../deviceLinks/{id}/routes: the routes of the link's BGP sessions
 * as they are now (read on the gateway loop): every route the branch
 * announced, installed or refused with the reason, and every prefix we
 * announce to it. Not in Graph.
 */
void
api_link_routes(struct api_req *r)
{
	struct model_link_route *rt = NULL;
	struct model_link l;
	struct model_rn rn;
	size_t n = 0, i;
	json_t *v;

	if (api_query_check(r, NULL) == -1 ||
	    api_rn_load(r, r->seg[3], &rn) == -1 ||
	    api_link_load(r, rn.id, r->seg[5], &l) == -1)
		return;
	model_link_wipe(&l);
	if (r->api->link_routes != NULL &&
	    r->api->link_routes(r->api->link_status_arg, l.id, &rt, &n) == -1) {
		api_error(r, 503, "ServiceUnavailable", NULL,
		    "the gateway did not answer: try again");
		return;
	}
	if ((v = json_array()) == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		if (json_array_append_new(v, link_route_json(&rt[i])) == -1)
			goto oom;
	free(rt);
	api_reply_collection(r, v, NULL, "networkAccess/connectivity/"
	    "remoteNetworks('%s')/deviceLinks('%s')/routes", rn.id, l.id);
	return;
oom:
	json_decref(v);
	free(rt);
	api_error(r, 500, "InternalServerError", NULL, "out of memory");
}

void
api_link_create(struct api_req *r)
{
	struct model_errs errs, clash;
	struct model_link l;
	struct model_rn rn;
	const json_t *j;
	size_t count;

	memset(&errs, 0, sizeof(errs));
	memset(&clash, 0, sizeof(clash));
	memset(&l, 0, sizeof(l));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL ||
	    api_rn_load(r, r->seg[3], &rn) == -1)
		return;
	if (model_link_from_json(j, &r->api->ctx, "", &l, &errs) == -1) {
		if (errs.count == 0)
			model_errs_add(&errs, "", "invalid device link");
		api_error_errs(r, 400, "BadRequest", &errs);
		goto out;
	}
	if (guid_new(l.id) == -1)
		goto fail;
	snprintf(l.rn_id, sizeof(l.rn_id), "%s", rn.id);
	l.modified_ms = wallclock_now_ms();
	if (store_link_count(r->api->store, r->tenant.id, rn.id, &count) == -1)
		goto fail;
	if (count >= MODEL_LINKS_MAX) {
		api_error(r, 409, "Conflict", NULL, "limit reached: remote "
		    "network '%.200s' already has %d device links", rn.name,
		    MODEL_LINKS_MAX);
		goto out;
	}
	if (link_check_clash(r, &l, &clash) == -1)
		goto fail;
	if (clash.count > 0) {
		api_error_errs(r, 409, "Conflict", &clash);
		goto out;
	}
	if (api_link_put(r, &l) == -1)
		goto out;
	api_set_location(r, rn.id, l.id);
	api_reply_entity(r, 201, model_link_to_json(&l, false), LINK_SET,
	    rn.id);
	goto out;
fail:
	api_error_store(r);
out:
	model_link_wipe(&l);
}

void
api_link_update(struct api_req *r)
{
	struct model_errs errs, clash;
	struct model_link cur, l;
	struct model_rn rn;
	const json_t *j;

	memset(&errs, 0, sizeof(errs));
	memset(&clash, 0, sizeof(clash));
	memset(&cur, 0, sizeof(cur));
	memset(&l, 0, sizeof(l));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL ||
	    api_rn_load(r, r->seg[3], &rn) == -1 ||
	    api_link_load(r, rn.id, r->seg[5], &cur) == -1)
		return;
	if (model_link_patch(&cur, j, &r->api->ctx, &l, &errs) == -1) {
		if (errs.count == 0)
			model_errs_add(&errs, "", "invalid device link");
		api_error_errs(r, 400, "BadRequest", &errs);
		goto out;
	}
	snprintf(l.id, sizeof(l.id), "%s", cur.id);
	snprintf(l.rn_id, sizeof(l.rn_id), "%s", cur.rn_id);
	l.modified_ms = wallclock_now_ms();
	if (link_check_clash(r, &l, &clash) == -1)
		goto fail;
	if (clash.count > 0) {
		api_error_errs(r, 409, "Conflict", &clash);
		goto out;
	}
	if (api_link_put(r, &l) == -1)
		goto out;
	/* Graph answers 204; Prefer: return=representation gets the object. */
	if (api_prefer_representation(r))
		api_reply_entity(r, 200, model_link_to_json(&l, false),
		    LINK_SET, rn.id);
	else
		r->status = 204;
	goto out;
fail:
	api_error_store(r);
out:
	model_link_wipe(&cur);
	model_link_wipe(&l);
}

void
api_link_delete(struct api_req *r)
{
	struct model_rn rn;
	int rc;

	if (api_query_check(r, NULL) == -1 ||
	    api_rn_load(r, r->seg[3], &rn) == -1)
		return;
	rc = guid_valid(r->seg[5]) ? store_link_delete(r->api->store,
	    r->tenant.id, rn.id, r->seg[5]) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND) {
		api_error(r, 404, "NotFound", "id",
		    "device link '%.64s' not found in remote network %s",
		    r->seg[5], rn.id);
		return;
	}
	if (rc == -1) {
		api_error_store(r);
		return;
	}
	r->status = 204;
}
