/*
 * cli_link_status.c - "link status": GET .../status shown first as why the
 * link passes no traffic (health), then each zone's tunnel, the ESP
 * counters and the BGP session(s). "link routes": GET .../routes as a
 * table.
 */
#include <stdio.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
#include "cli_link_status.h"
#include "cli_out.h"

/* One BGP session of the status; null when the gateway runs none. */
static void
status_bgp(const char *label, const json_t *b, bool dataplane)
{
	struct sbuf	 r = SB_INIT(SB_TEXT);
	const char	*k;
	json_t		*v;
	char		 tmp[32];

	if (!json_is_object(b)) {
		cli_out_kv(label, dataplane ? "none" : "none (no data plane: "
		    "the gateway runs no BGP)");
		return;
	}
	cli_out_line(b, "%-16s {state}, gateway {localAddress}, branch "
	    "{peerAddress} (AS {peerAsn})\n", label);
	if (json_object_get(b, "establishedDateTime") != NULL)
		cli_out_line(b, "%-16s {establishedDateTime}\n", "  since");
	cli_out_line(b, "%-16s received {receivedPrefixes}, learned "
	    "{learnedPrefixes}, rejected {rejectedPrefixes}, advertised "
	    "{advertisedPrefixes}\n", "  prefixes");
	json_object_foreach(json_object_get(b, "rejectReasons"), k, v)
		sb_addf(&r, "%s%s %s", r.len > 0 ? ", " : "", k,
		    cli_out_jtext(v, tmp));
	if (r.p != NULL)
		cli_out_kv("  rejected for", r.p);
	cli_out_line(b, "%-16s {lastError}\n", "  last error");
	sb_free(&r);
}

static void
status_show(const json_t *o)
{
	const json_t	*t, *zb = json_object_get(o, "zoneRedundancyBgp");
	const json_t	*esp = json_object_get(o, "esp");
	char		 a[32], label[32];
	size_t		 i;
	bool		 dp = json_is_true(json_object_get(o, "dataPlane"));

	cli_out_line(o, "%-16s {health.reason}: {health.detail}\n", "health");
	cli_out_line(o, "%-16s {linkId}\n", "link");
	cli_out_line(o, "%-16s {tunnelState}, {childSecurityAssociations} "
	    "child SA(s), data plane %s\n", "tunnel", dp ? "on" : "off");
	json_array_foreach(json_object_get(o, "tunnels"), i, t) {
		snprintf(label, sizeof(label), "zone %s",
		    cli_out_jtext(json_object_get(t, "zone"), a));
		cli_out_line(t, "%-16s {tunnelState}, "
		    "{childSecurityAssociations} child SA(s)\n", label);
		/* Several nodes: who wrote it, and whether it is still true. */
		if (json_is_string(json_object_get(t, "gatewayNode")))
			cli_out_line(t, "%-16s {gatewayNode} ({gatewayNodeState})"
			    "%s, written {statusDateTime}\n", "  node",
			    json_is_true(json_object_get(t, "stale")) ?
			    ", stale" : "");
		if (json_object_get(t, "localEndpoint") == NULL)
			continue;
		cli_out_line(t, "%-16s gateway {localEndpoint}, branch "
		    "{remoteEndpoint}:{remotePort} (encapsulation "
		    "{encapsulation})\n", "  endpoints");
		cli_out_line(t, "%-16s {ikeSuite}\n", "  IKE suite");
		cli_out_line(t, "%-16s {espSuite}\n", "  ESP suite");
		cli_out_line(t, "%-16s {establishedDateTime}\n", "  since");
	}
	cli_out_line(esp, "%-16s {inboundPackets} packets, {inboundBytes} "
	    "bytes\n", "ESP in");
	cli_out_line(esp, "%-16s {outboundPackets} packets, {outboundBytes} "
	    "bytes\n", "ESP out");
	cli_out_line(esp, "%-16s replay {replayDrops}, authentication "
	    "{authenticationFailures}, malformed {malformedDrops}, spoofed "
	    "source {spoofedSourceDrops}\n", "ESP drops");
	status_bgp(zb != NULL ? "BGP zone 1" : "BGP",
	    json_object_get(o, "bgp"), dp);
	if (zb != NULL)
		status_bgp("BGP zone 2", zb, dp);
}

int
cli_link_status(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);

	cli_http_url_rn(c, &u, a->arg[0], "deviceLinks", a->arg[1], "status");
	return cli_http_show(c, &u, status_show);
}

/* A received route's fate: "installed", or "refused (martian)". */
static const char *
routes_state(const json_t *row, const void *ctx, struct sbuf *tmp)
{
	const char *st = cli_out_jstr(row, "state"),
	    *why = cli_out_jstr(row, "reason");

	(void)ctx;
	if (st == NULL)
		return "";
	if (why == NULL)
		return st;
	sb_addf(tmp, "%s (%s)", st, why);
	return tmp->p != NULL ? tmp->p : st;
}

/* An installed route's forwarding members (ECMP when more than one). */
static const char *
routes_members(const json_t *row, const void *ctx, struct sbuf *tmp)
{
	const json_t *m = json_object_get(row, "forwardingMembers");

	(void)ctx;
	if (!json_is_array(m))
		return "";
	sb_addf(tmp, "%zu", json_array_size(m));
	return tmp->p != NULL ? tmp->p : "";
}

static const struct cli_col routes_cols[] = {
	{ "ZONE", "zone", NULL },
	{ "DIRECTION", "direction", NULL },
	{ "PREFIX", "prefix", NULL },
	{ "NEXT HOP", "nextHop", NULL },
	{ "AS PATH", "asPathLength", NULL },
	{ "STATE", NULL, routes_state },
	{ "MEMBERS", NULL, routes_members },
};

static void
routes_show(const json_t *o)
{
	const json_t *v = json_object_get(o, "value");

	if (json_array_size(v) == 0) {
		printf("no routes: no BGP session is up for this link\n");
		return;
	}
	cli_out_table(v, routes_cols, CLI_NELEM(routes_cols), NULL);
}

int
cli_link_routes(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);

	cli_http_url_rn(c, &u, a->arg[0], "deviceLinks", a->arg[1], "routes");
	return cli_http_show(c, &u, routes_show);
}
