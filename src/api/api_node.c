/*
 * api_node.c - the operator's API over the node list (docs/nodes.md,
 * "Operator API"): /operator/nodes[/{name}[/drain|/activate]]. Not Graph
 * and not a tenant's: api_http.c lets only the operator token
 * (--operator-token-file) reach these handlers. Drain moves the node's
 * zones in one store write (store_node_drain) that notifies the gateways.
 */
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip4.h"
#include "log.h"
#include "wallclock.h"

/* One node, in the shape `branchgate node list --json` prints. */
static json_t *
node_json(const struct store_node *n, int64_t now)
{
	char hb[WALLCLOCK_STRLEN], st[WALLCLOCK_STRLEN];
	char ep[MODEL_ZONES_MAX][IP4_STRLEN];
	json_t *o, *eps;
	int z;

	if ((o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I}",
	    "name", n->name, "role", store_node_role_name(n->role),
	    "state", store_node_state_name(n, now),
	    "storedState", n->state == STORE_NODE_DRAINING ? "draining" :
	    "active",
	    "heartbeatIntervalSeconds", (json_int_t)n->heartbeat_s,
	    "startedDateTime", wallclock_fmt(n->started_ms, st),
	    "lastHeartbeatDateTime", wallclock_fmt(n->heartbeat_ms, hb),
	    "heartbeatAgeSeconds",
	    (json_int_t)((now - n->heartbeat_ms) / 1000))) == NULL)
		return NULL;
	if ((eps = json_object()) != NULL)
		for (z = 0; z < MODEL_ZONES_MAX; z++) {
			char key[8];

			snprintf(key, sizeof(key), "zone%d", z + 1);
			json_object_set_new(eps, key, n->endpoint[z] != 0 ?
			    json_string(ip4_fmt(n->endpoint[z], ep[z])) :
			    json_null());
		}
	json_object_set_new(o, "endpoints", eps != NULL ? eps : json_null());
	return o;
}

/* The node named in seg[2]: 0, or -1 with the 404/5xx answered. */
static int
node_load(struct api_req *r, struct store_node *n)
{
	int rc = store_node_name_valid(r->seg[2]) ?
	    store_node_get(r->api->store, r->seg[2], n) : STORE_NOTFOUND;

	if (rc == STORE_NOTFOUND)
		api_error(r, 404, "NotFound", "name", "no node '%.64s'",
		    r->seg[2]);
	else if (rc != 0)
		api_error_store(r);
	return rc == 0 ? 0 : -1;
}

static void
node_reply(struct api_req *r, unsigned status, const struct store_node *n,
    json_t *moves)
{
	json_t *o = node_json(n, wallclock_now_ms());

	if (o == NULL) {
		json_decref(moves);
		api_error(r, 500, "InternalServerError", NULL, "out of memory");
		return;
	}
	if (moves != NULL)
		json_object_set_new(o, "movedZones", moves);
	r->resp = o;
	r->status = status;
}

void
api_node_list(struct api_req *r)
{
	struct store_node *nodes = NULL;
	size_t n = 0, i;
	int64_t now = wallclock_now_ms();
	json_t *a, *o;

	if (api_query_check(r, NULL) == -1)
		return;
	if (store_node_list(r->api->store, &nodes, &n) != 0) {
		api_error_store(r);
		return;
	}
	a = json_array();
	for (i = 0; a != NULL && i < n; i++)
		if ((o = node_json(&nodes[i], now)) == NULL ||
		    json_array_append_new(a, o) == -1) {
			json_decref(a);
			a = NULL;
		}
	free(nodes);
	if (a == NULL || (o = json_pack("{s:o}", "value", a)) == NULL) {
		api_error(r, 500, "InternalServerError", NULL, "out of memory");
		return;
	}
	r->resp = o;
	r->status = 200;
}

void
api_node_get(struct api_req *r)
{
	struct store_node n;

	if (api_query_check(r, NULL) == -1 || node_load(r, &n) == -1)
		return;
	node_reply(r, 200, &n, NULL);
}

/*
 * POST .../drain: 200 with the node (now draining) and the zones moved;
 * 409 when a zone has no other node, and then nothing changed.
 */
void
api_node_drain(struct api_req *r)
{
	struct store_node_move *mv = NULL;
	struct store_node n;
	size_t nmv = 0, i;
	json_t *a;
	int rc;

	if (api_query_check(r, NULL) == -1 || node_load(r, &n) == -1)
		return;
	rc = store_node_drain(r->api->store, n.name, wallclock_now_ms(), &mv,
	    &nmv);
	if (rc == STORE_CONFLICT) {
		api_error_errs(r, 409, "Conflict", store_conflict(r->api->store));
		return;
	}
	if (rc == STORE_NOTFOUND) {
		api_error(r, 404, "NotFound", "name", "no node '%s'", n.name);
		return;
	}
	if (rc != 0 || store_node_get(r->api->store, n.name, &n) != 0) {
		free(mv);
		api_error_store(r);
		return;
	}
	a = json_array();
	for (i = 0; a != NULL && i < nmv; i++)
		json_array_append_new(a, json_pack("{s:s, s:i, s:s}",
		    "deviceLinkId", mv[i].link_id, "zone", mv[i].zone,
		    "toNode", mv[i].to));
	free(mv);
	log_info("api: operator drained node %s: %zu zone(s) moved", n.name,
	    nmv);
	node_reply(r, 200, &n, a != NULL ? a : json_null());
}

void
api_node_activate(struct api_req *r)
{
	struct store_node n;
	int rc;

	if (api_query_check(r, NULL) == -1 || node_load(r, &n) == -1)
		return;
	if ((rc = store_node_activate(r->api->store, n.name)) == STORE_NOTFOUND) {
		api_error(r, 404, "NotFound", "name", "no node '%s'", n.name);
		return;
	}
	if (rc != 0 || store_node_get(r->api->store, n.name, &n) != 0) {
		api_error_store(r);
		return;
	}
	log_info("api: operator activated node %s", n.name);
	node_reply(r, 200, &n, NULL);
}

/* 204; 409 while zones are placed on the node (drain it first). */
void
api_node_delete(struct api_req *r)
{
	struct store_node n;
	int rc;

	if (api_query_check(r, NULL) == -1 || node_load(r, &n) == -1)
		return;
	rc = store_node_remove(r->api->store, n.name);
	if (rc == STORE_CONFLICT)
		api_error_errs(r, 409, "Conflict", store_conflict(r->api->store));
	else if (rc == STORE_NOTFOUND)
		api_error(r, 404, "NotFound", "name", "no node '%s'", n.name);
	else if (rc != 0)
		api_error_store(r);
	else {
		log_info("api: operator deleted node %s", n.name);
		r->status = 204;
	}
}
