/*
 * cli_node.c - "node list|get|drain|activate|delete" (docs/nodes.md), two
 * ways: through the operator API (/operator/nodes) when an operator token
 * is given (--token on the command line, or BRANCHGATE_OPERATOR_TOKEN)
 * and no --db; else offline like "tenant create", on the store directly.
 * Offline, the state is computed here from each heartbeat's age by this
 * machine's wall clock, as every reader of the node list does
 * (store_node_state_name), and a drain on SQLite reaches a running
 * gateway only at its next reload (SQLite has no change push).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
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

/*
 * The operator API, if asked for: an explicit --token, or the operator's
 * own variable (BRANCHGATE_TOKEN is a tenant's, and keeps the offline
 * mode). --db always means offline.
 */
static bool
node_api(struct cli *c, const struct args *a)
{
	const char *tok = getenv("BRANCHGATE_OPERATOR_TOKEN");

	if (a->val[O_DB] != NULL)
		return false;
	if (a->val[O_TOKEN] != NULL)
		return true;	/* c->token is the flag's */
	if (tok == NULL || *tok == '\0')
		return false;
	if (c->token != NULL) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
	}
	if ((c->token = strdup(tok)) == NULL)
		sb_oom();
	return true;
}

/* u = --url/operator/nodes[/NAME[/action]]. */
static void
node_url(struct cli *c, struct sbuf *u, const char *name, const char *action)
{
	sb_addf(u, "%s/operator/nodes", c->url);
	if (name != NULL) {
		sb_adds(u, "/");
		cli_http_esc(c, u, name);
	}
	if (action != NULL)
		sb_addf(u, "/%s", action);
}

static void
node_show_one(const json_t *o)
{
	static const struct cli_field f[] = {
		{ "Name", "name" }, { "Role", "role" }, { "State", "state" },
		{ "Stored state", "storedState" },
		{ "Zone 1", "endpoints.zone1" }, { "Zone 2", "endpoints.zone2" },
		{ "Heartbeat", "lastHeartbeatDateTime" },
	};
	const json_t *mv = json_object_get(o, "movedZones");
	size_t i;
	json_t *m;

	cli_out_fields(o, f, CLI_NELEM(f));
	json_array_foreach(mv, i, m)
		cli_out_line(m, "moved: link {deviceLinkId} zone {zone} to "
		    "{toNode}");
}

/* One node action through the API: GET, POST drain/activate, DELETE. */
static int
node_api_one(struct cli *c, const char *method, const char *name,
    const char *action)
{
	struct sbuf u = SB_INIT(CLI_URL_MAX);
	json_t *body = NULL, *out = NULL;
	int ret;

	node_url(c, &u, name, action);
	if (strcmp(method, "POST") == 0 && (body = json_object()) == NULL)
		sb_oom();
	ret = cli_http_call(c, method, &u, body, false, &out);
	if (ret == CLI_OK && out != NULL)
		cli_out_show(c, out, node_show_one);
	json_decref(body);
	json_decref(out);
	return ret;
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

	if (node_api(c, a)) {
		struct sbuf u = SB_INIT(CLI_URL_MAX);

		node_url(c, &u, NULL, NULL);
		return cli_http_show(c, &u, node_table);
	}
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
node_get(struct cli *c, struct args *a)
{
	struct store *st = NULL;
	struct store_node n;
	json_t *o;
	int ret, rc;

	if (!store_node_name_valid(a->arg[0]))
		return cli_out_usage("not a node name: '%s'", a->arg[0]);
	if (node_api(c, a))
		return node_api_one(c, "GET", a->arg[0], NULL);
	if ((ret = node_open(a, &st)) != CLI_OK)
		return ret;
	rc = store_node_get(st, a->arg[0], &n);
	store_close(st);
	if (rc == STORE_NOTFOUND)
		return SRV_ERR(CLI_API, "NotFound", "no node '%s'", a->arg[0]);
	if (rc != 0)
		return SRV_ERR(CLI_API, "StoreError", "cannot read node '%s'",
		    a->arg[0]);
	if ((o = node_json(&n, wallclock_now_ms())) == NULL)
		return SRV_ERR(CLI_API, "NoMemory", "out of memory");
	cli_out_show(c, o, node_show_one);
	json_decref(o);
	return CLI_OK;
}

/* drain and activate (docs/nodes.md "Drain"), offline or through the API. */
static int
node_state(struct cli *c, struct args *a, bool drain)
{
	struct store *st = NULL;
	struct store_node_move *mv = NULL;
	size_t nmv = 0, i;
	int ret, rc;

	if (!store_node_name_valid(a->arg[0]))
		return cli_out_usage("not a node name: '%s'", a->arg[0]);
	if (node_api(c, a))
		return node_api_one(c, "POST", a->arg[0], drain ? "drain" :
		    "activate");
	if ((ret = node_open(a, &st)) != CLI_OK)
		return ret;
	rc = drain ? store_node_drain(st, a->arg[0], wallclock_now_ms(), &mv,
	    &nmv) : store_node_activate(st, a->arg[0]);
	if (rc == STORE_CONFLICT)
		ret = SRV_ERR(CLI_API, "Conflict", "%s",
		    store_conflict(st)->err[0].message);
	else if (rc == STORE_NOTFOUND)
		ret = SRV_ERR(CLI_API, "NotFound", "no node '%s'", a->arg[0]);
	else if (rc != 0)
		ret = SRV_ERR(CLI_API, "StoreError", "cannot %s node '%s'",
		    drain ? "drain" : "activate", a->arg[0]);
	else if (!c->quiet)
		for (i = 0; i < nmv; i++)
			printf("moved: link %s zone %d to %s\n", mv[i].link_id,
			    mv[i].zone, mv[i].to);
	free(mv);
	store_close(st);
	return ret;
}

static int
node_drain(struct cli *c, struct args *a)
{
	return node_state(c, a, true);
}

static int
node_activate(struct cli *c, struct args *a)
{
	return node_state(c, a, false);
}

static int
node_delete(struct cli *c, struct args *a)
{
	struct store *st = NULL;
	int ret, rc;

	if (!store_node_name_valid(a->arg[0]))
		return cli_out_usage("not a node name: '%s'", a->arg[0]);
	if (node_api(c, a))
		return node_api_one(c, "DELETE", a->arg[0], NULL);
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
	{ "list", OM(O_DB), 0, 0, false, 0, node_list },
	{ "get", OM(O_DB), 1, 1, false, 0, node_get },
	{ "drain", OM(O_DB), 1, 1, false, 0, node_drain },
	{ "activate", OM(O_DB), 1, 1, false, 0, node_activate },
	{ "delete", OM(O_DB), 1, 1, false, 0, node_delete },
};

const struct cli_group cli_node_group = { "node",
"usage: branchgate node list [--db URL] [--json]\n"
"       branchgate node get NAME [--db URL] [--json]\n"
"       branchgate node drain NAME [--db URL]\n"
"       branchgate node activate NAME [--db URL]\n"
"       branchgate node delete NAME [--db URL]\n"
"\n"
"The nodes sharing the store (docs/nodes.md): name, role, the endpoint of\n"
"each zone it serves, its state and last heartbeat. A node is down when its\n"
"heartbeat is older than 3 of its intervals. drain sets a node draining and\n"
"moves its links' zones to other nodes (nothing moves if one has nowhere to\n"
"go); activate makes it a candidate again.\n"
"With --token (or BRANCHGATE_OPERATOR_TOKEN) and no --db: through the\n"
"operator API at --url, where delete is refused while links are placed on\n"
"the node. Otherwise on the store directly (no server needed), where delete\n"
"removes the row (a running node registers again at its next heartbeat).\n"
"  --db URL   store URL, default " CLI_DEFAULT_DB "\n",
	node_cmds, CLI_NELEM(node_cmds) };
