/*
 * api_config.c - what the administrator reads back to set up the branch
 * router: the gateway side ("view configuration", system-facts §2.2) and a
 * ready configuration for the router itself (cpe/).
 */
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "cpe.h"
#include "ip4.h"
#include "model_fwd.h"

/*
 * The zone endpoints a link's branch uses: with placement, those of the
 * nodes serving its zones; ours for a link placed on no node (written
 * before placement) or without placement. 0, or -1 on a store error.
 */
static int
api_link_endpoints(struct api_req *r, const char *link_id,
    uint32_t ep[MODEL_ZONES_MAX])
{
	char node[MODEL_ZONES_MAX][STORE_NODE_NAME_MAX + 1];

	if (r->api->placement) {
		if (store_link_nodes(r->api->store, r->tenant.id, link_id, node,
		    ep) != 0)
			return -1;
		if (node[0][0] != '\0' || node[1][0] != '\0')
			return 0;
	}
	memcpy(ep, r->api->ctx.endpoint, sizeof(r->api->ctx.endpoint));
	return 0;
}

void
api_connectivity_get(struct api_req *r)
{
	struct model_link *links = NULL;
	uint32_t (*ep)[MODEL_ZONES_MAX] = NULL;
	struct model_rn rn;
	size_t n = 0, i;

	/* Graph: this resource supports no OData query options. */
	if (api_query_check(r, NULL) == -1 ||
	    api_rn_links(r, r->seg[3], &rn, &links, &n) == -1)
		return;
	/* With placement, each zone shows the endpoint of its node. */
	if (r->api->placement && n > 0) {
		if ((ep = calloc(n, sizeof(*ep))) == NULL) {
			api_error_store(r);
			goto out;
		}
		for (i = 0; i < n; i++)
			if (api_link_endpoints(r, links[i].id, ep[i]) == -1) {
				api_error_store(r);
				goto out;
			}
	}
	/* A single-valued navigation property: ".../<nav>/$entity". */
	api_reply_entity(r, 200, model_connectivity_to_json_ep(&r->api->ctx,
	    &rn, links, n, (const uint32_t (*)[MODEL_ZONES_MAX])ep),
	    "networkAccess/connectivity/remoteNetworks('%s')/"
	    "connectivityConfiguration", rn.id);
out:
	free(ep);
	model_links_free(links, n);
}

struct cpe_lan_parse {
	struct cpe_opts	*opts;
	const char	*bad;
	bool		 too_many;
};

static enum MHD_Result
api_cpe_lan_visit(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct cpe_lan_parse *p = cls;
	struct cpe_opts *o = p->opts;

	(void)kind;
	if (strcmp(key, "lan") != 0)
		return MHD_YES;
	if (o->n_lan == CPE_LAN_MAX) {
		p->too_many = true;
		return MHD_NO;
	}
	if (value == NULL || ip4_prefix_parse(value, &o->lan[o->n_lan],
	    &o->lan_len[o->n_lan]) == -1) {
		p->bad = value ? value : "";
		return MHD_NO;
	}
	o->n_lan++;
	return MHD_YES;
}

/*
 * What the remote network's branches keep local (docs/bgp.md): the
 * bypass prefixes of its assigned, enabled profiles with the tenant's
 * forwarding rules. 0, or -1 with the error reply set.
 */
static int
api_cpe_bypass(struct api_req *r, const struct model_rn *rn,
    struct cpe_opts *o)
{
	struct model_profile *ps = NULL;
	struct model_fwd_rule *rows = NULL;
	struct model_pfx *all = NULL, *p, *na;
	size_t nps = 0, nrows = 0, nall = 0, np, i;
	int rc = -1;

	if (r->api->fwdcat == NULL)
		return 0;
	if (store_rn_profiles_get(r->api->store, r->tenant.id, rn->id, &ps,
	    &nps) == -1 ||
	    store_fwd_list(r->api->store, r->tenant.id, &rows, &nrows) == -1)
		goto fail;
	for (i = 0; i < nps; i++) {
		if (!ps[i].enabled || (ps[i].traffic != MODEL_TRAFFIC_M365 &&
		    ps[i].traffic != MODEL_TRAFFIC_INTERNET))
			continue;
		if (model_fwdcat_bypass(r->api->fwdcat, ps[i].traffic, rows,
		    nrows, &p, &np) == -1)
			goto fail;
		if (np > 0 && (na = realloc(all, (nall + np) *
		    sizeof(*all))) == NULL) {
			free(p);
			goto fail;
		}
		if (np > 0) {
			all = na;
			memcpy(&all[nall], p, np * sizeof(*p));
			nall += np;
		}
		free(p);
	}
	nall = model_pfx_aggregate(all, nall);
	for (i = 0; i < nall; i++) {
		if (o->n_bypass == CPE_BYPASS_MAX) {
			o->n_bypass_more++;
			continue;
		}
		o->bypass[o->n_bypass] = all[i].addr;
		o->bypass_len[o->n_bypass++] = all[i].len;
	}
	rc = 0;
	goto out;
fail:
	api_error_store(r);
out:
	free(all);
	free(ps);
	free(rows);
	return rc;
}

void
api_cpe_get(struct api_req *r)
{
	static const char *const q[] = { "format", "lan", "wan", NULL };
	struct cpe_lan_parse lp;
	struct cpe_opts opts;
	struct model_link l;
	struct model_ctx ctx;
	struct model_rn rn;
	const char *fmt;
	char err[256];
	int f;

	memset(&opts, 0, sizeof(opts));
	memset(&lp, 0, sizeof(lp));
	if (api_query_check(r, q) == -1)
		return;
	fmt = api_query_get(r, "format");
	if (fmt == NULL || (f = cpe_format_parse(fmt)) == -1) {
		api_error(r, 400, "BadRequest", "format", "format '%.32s' is "
		    "not supported: use format=swanctl, bird or frr",
		    fmt ? fmt : "");
		return;
	}
	lp.opts = &opts;
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND,
	    api_cpe_lan_visit, &lp);
	if (lp.too_many) {
		api_error(r, 400, "BadRequest", "lan",
		    "at most %d lan prefixes", CPE_LAN_MAX);
		return;
	}
	if (lp.bad != NULL) {
		api_error(r, 400, "BadRequest", "lan", "lan '%.64s' is not an "
		    "IPv4 prefix such as 198.51.100.0/24", lp.bad);
		return;
	}
	fmt = api_query_get(r, "wan");
	if (fmt != NULL && ip4_parse(fmt, &opts.wan) == -1) {
		api_error(r, 400, "BadRequest", "wan", "wan '%.64s' is not an "
		    "IPv4 address: give the branch's own internet next hop, "
		    "where its bypass routes go", fmt);
		return;
	}
	if (api_rn_load(r, r->seg[3], &rn) == -1 ||
	    api_cpe_bypass(r, &rn, &opts) == -1)
		return;
	if (api_link_load(r, rn.id, r->seg[5], &l) == -1)
		return;
	/* The branch dials the nodes its link is placed on. */
	ctx = r->api->ctx;
	if (api_link_endpoints(r, l.id, ctx.endpoint) == -1) {
		model_link_wipe(&l);
		api_error_store(r);
		return;
	}
	r->text = cpe_render((enum cpe_format)f, &ctx, &rn, &l, &opts,
	    err, sizeof(err));
	model_link_wipe(&l);
	if (r->text == NULL) {
		api_error(r, 409, "Conflict", NULL, "%s", err);
		return;
	}
	r->mime = cpe_format_mime((enum cpe_format)f);
	r->status = 200;
}
