/*
 * cli_node.c - "node list" and "node delete", offline like "tenant
 * create": they open the store directly (docs/nodes.md). The state is
 * computed here from each heartbeat's age by this machine's wall clock,
 * as every reader of the node list does (store_node_state_name).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_out.h"
#include "ip4.h"
#include "store.h"
#include "wallclock.h"

static const struct cli_col node_cols[] = {
	{ "NAME", "name", NULL },
	{ "ROLE", "role", NULL },
	{ "STATE", "state", NULL },
	{ "ZONE1", "endpoints.zone1", NULL },
	{ "ZONE2", "endpoints.zone2", NULL },
	{ "HEARTBEAT", "lastHeartbeatDateTime", NULL },
	{ "AGE_S", "heartbeatAgeSeconds", NULL },
};

static void
node_table(const json_t *o)
{
	cli_out_table(json_object_get(o, "value"), node_cols,
	    CLI_NELEM(node_cols), NULL);
}

/* One node as the JSON both outputs come from; NULL on no memory. */
static json_t *
node_json(const struct store_node *n, int64_t now)
{
	char hb[WALLCLOCK_STRLEN], st[WALLCLOCK_STRLEN];
	char ep[MODEL_ZONES_MAX][IP4_STRLEN];
	int z;

	for (z = 0; z < MODEL_ZONES_MAX; z++)
		if (n->endpoint[z] != 0)
			ip4_fmt(n->endpoint[z], ep[z]);
		else
			snprintf(ep[z], sizeof(ep[z]), "-");
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:I, s:s, s:s, s:I}",
	    "name", n->name, "role", store_node_role_name(n->role),
	    "state", store_node_state_name(n, now),
	    "endpoints", "zone1", ep[0], "zone2", ep[1],
	    "heartbeatIntervalSeconds", (json_int_t)n->heartbeat_s,
	    "startedDateTime", wallclock_fmt(n->started_ms, st),
	    "lastHeartbeatDateTime", wallclock_fmt(n->heartbeat_ms, hb),
	    "heartbeatAgeSeconds", (json_int_t)((now - n->heartbeat_ms) / 1000));
}

static int
node_open(struct args *a, struct store **st)
{
	const char *db = a->val[O_DB] ? a->val[O_DB] : CLI_DEFAULT_DB;
	char err[256] = "";

	if (store_open(db, st, err, sizeof(err)) != 0)
		return SRV_ERR(CLI_API, "StoreError", "cannot open store %s: %s",
		    db, err);
	return CLI_OK;
}

static int
node_list(struct cli *c, struct args *a)
{
	struct store *st = NULL;
	struct store_node *nodes = NULL;
	size_t i, n = 0;
	json_t *o = NULL, *arr, *one;
	int64_t now;
	int ret;

	if ((ret = node_open(a, &st)) != CLI_OK)
		return ret;
	ret = CLI_API;
	if (store_node_list(st, &nodes, &n) != 0) {
		SRV_ERR(CLI_API, "StoreError", "cannot read the node list");
		goto fail;
	}
	now = wallclock_now_ms();
	if ((o = json_pack("{s:[]}", "value")) == NULL)
		goto fail;
	arr = json_object_get(o, "value");
	for (i = 0; i < n; i++)
		if ((one = node_json(&nodes[i], now)) == NULL ||
		    json_array_append_new(arr, one) != 0) {
			SRV_ERR(CLI_API, "NoMemory", "out of memory");
			goto fail;
		}
	cli_out_show(c, o, node_table);
	ret = CLI_OK;
fail:
	json_decref(o);
	free(nodes);
	store_close(st);
	return ret;
}

static int
node_delete(struct cli *c, struct args *a)
{
	struct store *st = NULL;
	int ret, rc;

	(void)c;
	if (!store_node_name_valid(a->arg[0]))
		return cli_out_usage("not a node name: '%s'", a->arg[0]);
	if ((ret = node_open(a, &st)) != CLI_OK)
		return ret;
	rc = store_node_delete(st, a->arg[0]);
	store_close(st);
	if (rc == STORE_NOTFOUND)
		return SRV_ERR(CLI_API, "NotFound", "no node '%s'", a->arg[0]);
	if (rc != 0)
		return SRV_ERR(CLI_API, "StoreError", "cannot delete node '%s'",
		    a->arg[0]);
	return CLI_OK;
}

static const struct cli_cmd node_cmds[] = {
	{ "list", OM(O_DB), 0, 0, true, 0, node_list },
	{ "delete", OM(O_DB), 1, 1, true, 0, node_delete },
};

const struct cli_group cli_node_group = { "node",
"usage: branchgate node list [--db URL] [--json]\n"
"       branchgate node delete NAME [--db URL]\n"
"\n"
"The nodes sharing the store (docs/nodes.md), read from the store directly\n"
"(no server needed): name, role, the endpoint of each zone it serves, its\n"
"state and last heartbeat. A node is down when its heartbeat is older than\n"
"3 of its intervals by this machine's clock. delete removes a row (a running\n"
"node registers again at its next heartbeat).\n"
"  --db URL   store URL, default " CLI_DEFAULT_DB "\n",
	node_cmds, CLI_NELEM(node_cmds) };
