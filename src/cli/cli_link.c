/*
 * cli_link.c - "link ...": a remote network's device links (system-facts
 * §3.3). Options map to request members through tables; an update sends
 * only what is given, and the server merges nested objects member by
 * member and keeps a PSK the patch leaves out.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
#include "cli_input.h"
#include "cli_link_status.h"
#include "cli_out.h"
#include "model.h"

#define PSK_READ_MAX	((size_t)4096)	/* a read bound; the server checks */

#define OM_CUSTOM	(OM(O_IKE_ENC) | OM(O_IKE_INT) | OM(O_DH) | \
	OM(O_IPSEC_ENC) | OM(O_IPSEC_INT) | OM(O_PFS) | OM(O_SA_LIFETIME))
#define OM_SECRETS	(OM(O_PSK) | OM(O_PSK_FILE) | OM(O_PSK_ENV) | \
	OM(O_ZONE_PSK) | OM(O_ZONE_PSK_FILE) | OM(O_ZONE_PSK_ENV))
#define OM_BGP		(OM(O_ASN) | OM(O_LOCAL_BGP) | OM(O_PEER_BGP))
#define OM_LINK		(OM(O_NAME) | OM(O_IP) | OM(O_VENDOR) | OM_BGP | \
	OM(O_BANDWIDTH) | OM(O_ZONE_LOCAL_BGP) | OM_SECRETS | OM(O_CUSTOM) | \
	OM_CUSTOM | OM(O_BODY) | OM(O_STATIC_SOURCE))

static const struct cli_args_key link_keys[] = {
	{ O_NAME, "name" },
	{ O_IP, "ipAddress" },
	{ O_VENDOR, "deviceVendor" },
	{ O_BANDWIDTH, "bandwidthCapacityInMbps" },
};

static const struct cli_args_key link_bgp_keys[] = {
	{ O_LOCAL_BGP, "localIpAddress" },
	{ O_PEER_BGP, "peerIpAddress" },
};

static const struct cli_args_key link_tunnel_keys[] = {
	{ O_IKE_ENC, "ikeEncryption" },
	{ O_IKE_INT, "ikeIntegrity" },
	{ O_DH, "dhGroup" },
	{ O_IPSEC_ENC, "ipSecEncryption" },
	{ O_IPSEC_INT, "ipSecIntegrity" },
	{ O_PFS, "pfsGroup" },
};

static bool
link_given(const struct args *a, uint64_t mask)
{
	size_t	 i;

	for (i = 0; i < O_COUNT; i++)
		if (a->set[i] && (OM(i) & mask))
			return true;
	return false;
}

static const char *
link_policy(const json_t *tc)
{
	const char	*t = cli_out_jstr(tc, "@odata.type");
	size_t		 n;

	if (t == NULL)
		return "-";
	n = strlen(t);
	if (n >= 6 && strcmp(t + n - 6, "Custom") == 0)
		return "custom";
	if (n >= 7 && strcmp(t + n - 7, "Default") == 0)
		return "default";
	return t;
}

static const char *
link_policy_cell(const json_t *l, const void *ctx, struct sbuf *tmp)
{
	(void)ctx;
	(void)tmp;
	return link_policy(json_object_get(l, "tunnelConfiguration"));
}

static const struct cli_col link_cols[] = {
	{ "ID", "id", NULL },
	{ "NAME", "name", NULL },
	{ "IP", "ipAddress", NULL },
	{ "ASN", "bgpConfiguration.asn", NULL },
	{ "LOCAL BGP", "bgpConfiguration.localIpAddress", NULL },
	{ "PEER BGP", "bgpConfiguration.peerIpAddress", NULL },
	{ "REDUNDANCY", "redundancyConfiguration.redundancyTier", NULL },
	{ "POLICY", NULL, link_policy_cell },
};

static void
link_table(const json_t *o)
{
	cli_out_table(json_object_get(o, "value"), link_cols,
	    CLI_NELEM(link_cols), NULL);
}

static int
link_list(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);

	cli_http_url_rn(c, &u, a->arg[0], "deviceLinks", NULL, NULL);
	return cli_http_show(c, &u, link_table);
}

static const struct cli_field link_fields[] = {
	{ "id", "id" },
	{ "name", "name" },
	{ "public IP", "ipAddress" },
	{ "vendor", "deviceVendor" },
	{ "bandwidth", "bandwidthCapacityInMbps" },
	{ "ASN", "bgpConfiguration.asn" },
	{ "local BGP", "bgpConfiguration.localIpAddress" },
	{ "peer BGP", "bgpConfiguration.peerIpAddress" },
	{ "redundancy", "redundancyConfiguration.redundancyTier" },
	{ "zone local BGP", "redundancyConfiguration.zoneLocalIpAddress" },
};

static void
link_show(const json_t *o)
{
	const json_t	*tc = json_object_get(o, "tunnelConfiguration");

	cli_out_fields(o, link_fields, CLI_NELEM(link_fields));
	cli_out_kv_list("static sources", json_object_get(o,
	    "staticSourcePrefixes"));
	cli_out_kv("policy", link_policy(tc));
	if (strcmp(link_policy(tc), "custom") == 0) {
		cli_out_line(tc, "%-16s {ikeEncryption} / {ikeIntegrity} / "
		    "{dhGroup}\n", "  IKE");
		cli_out_line(tc, "%-16s {ipSecEncryption} / {ipSecIntegrity} "
		    "/ PFS {pfsGroup}\n", "  IPsec");
		cli_out_line(tc, "%-16s {saLifeTimeSeconds}\n",
		    "  SA lifetime");
	}
	cli_out_kv("pre-shared key", "(write-only)");
	cli_out_meta(o);
}

static int
link_get(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);

	cli_http_url_rn(c, &u, a->arg[0], "deviceLinks", a->arg[1], NULL);
	return cli_http_show(c, &u, link_show);
}

/* o[key] as an object to merge options into: the --body's, or a new one. */
static json_t *
link_nested(json_t *o, const char *key)
{
	json_t	*n = json_object_get(o, key);

	if (json_is_object(n))
		return n;
	if ((n = json_object()) == NULL || json_object_set_new(o, key, n) == -1)
		sb_oom();
	return n;
}

static int
link_secret(json_t *o, const char *k, const struct sbuf *b)
{
	if (b->p == NULL)
		return 0;
	return json_object_set_new(o, k, json_stringn(b->p, b->len)) == -1;
}

/*
 * --static-source: the whole list (the server replaces it, as PATCH does
 * with any array); "none" alone sends [] to clear it.
 */
static int
link_sources(const struct args *a, json_t *o)
{
	json_t	*arr;
	size_t	 i, n = a->nlist[O_STATIC_SOURCE];

	if (!a->set[O_STATIC_SOURCE])
		return CLI_OK;
	if ((arr = json_array()) == NULL)
		sb_oom();
	for (i = 0; i < n; i++) {
		if (strcmp(a->list[O_STATIC_SOURCE][i], "none") == 0) {
			if (n > 1) {
				json_decref(arr);
				return cli_out_usage("--static-source none "
				    "clears the list and cannot be combined "
				    "with prefixes");
			}
			continue;
		}
		if (json_array_append_new(arr,
		    json_string(a->list[O_STATIC_SOURCE][i])) == -1) {
			json_decref(arr);
			return cli_out_usage("--static-source must be valid "
			    "UTF-8");
		}
	}
	if (json_object_set_new(o, "staticSourcePrefixes", arr) == -1)
		sb_oom();
	return CLI_OK;
}

/*
 * Merge the link options into the request object o. full: a create without
 * --body, which gets every required part (bandwidth defaults to mbps250).
 */
static int
link_apply(const struct args *a, json_t *o, bool create, bool full,
    const struct sbuf *psk, const struct sbuf *zpsk)
{
	json_t	*bgp, *red, *tc;
	int	 errs;
	bool	 custom = a->set[O_CUSTOM] || link_given(a, OM_CUSTOM);

	errs = cli_args_set(a, o, link_keys, CLI_NELEM(link_keys));
	if (full && a->val[O_BANDWIDTH] == NULL)
		errs += json_object_set_new(o, "bandwidthCapacityInMbps",
		    json_string("mbps250")) == -1;
	if (full || link_given(a, OM_BGP)) {
		bgp = link_nested(o, "bgpConfiguration");
		errs += cli_args_set(a, bgp, link_bgp_keys,
		    CLI_NELEM(link_bgp_keys));
		if (cli_args_set_int(bgp, "asn", a->val[O_ASN], O_ASN) == -1)
			return CLI_USAGE;
	}
	if (full || a->set[O_ZONE_LOCAL_BGP]) {
		red = link_nested(o, "redundancyConfiguration");
		errs += json_object_set_new(red, "redundancyTier",
		    json_string(a->set[O_ZONE_LOCAL_BGP] ? "zoneRedundancy" :
		    "noRedundancy")) == -1;
		if (a->val[O_ZONE_LOCAL_BGP] != NULL)
			errs += json_object_set_new(red, "zoneLocalIpAddress",
			    json_string(a->val[O_ZONE_LOCAL_BGP])) == -1;
	}
	if (full || custom || psk->p != NULL || zpsk->p != NULL) {
		tc = link_nested(o, "tunnelConfiguration");
		if (custom || (create &&
		    json_object_get(tc, "@odata.type") == NULL))
			errs += json_object_set_new(tc, "@odata.type",
			    json_string(custom ? MODEL_ODATA_CUSTOM :
			    MODEL_ODATA_DEFAULT)) == -1;
		errs += cli_args_set(a, tc, link_tunnel_keys,
		    CLI_NELEM(link_tunnel_keys));
		if (cli_args_set_int(tc, "saLifeTimeSeconds",
		    a->val[O_SA_LIFETIME], O_SA_LIFETIME) == -1)
			return CLI_USAGE;
		errs += link_secret(tc, "preSharedKey", psk);
		errs += link_secret(tc, "zoneRedundancyPreSharedKey", zpsk);
	}
	if (link_sources(a, o) != CLI_OK)
		return CLI_USAGE;
	if (errs != 0)
		return cli_out_usage("arguments and secrets must be valid "
		    "UTF-8 without NUL bytes");
	return CLI_OK;
}

/* The request object: --body, the secrets and the options, merged. */
static int
link_request(struct args *a, bool create, json_t **o)
{
	struct sbuf	 psk = SB_INIT(PSK_READ_MAX);
	struct sbuf	 zpsk = SB_INIT(PSK_READ_MAX);
	bool		 stdin_used = false;
	int		 ret;

	if ((ret = cli_input_body(a, &stdin_used, o)) != CLI_OK ||
	    (ret = cli_input_secret(a, O_PSK, O_PSK_FILE, O_PSK_ENV,
	    "pre-shared key", &stdin_used, &psk)) != CLI_OK ||
	    (ret = cli_input_secret(a, O_ZONE_PSK, O_ZONE_PSK_FILE,
	    O_ZONE_PSK_ENV, "zone pre-shared key", &stdin_used, &zpsk)) !=
	    CLI_OK)
		goto done;
	ret = link_apply(a, *o, create, create && a->val[O_BODY] == NULL,
	    &psk, &zpsk);
done:
	sb_free(&psk);
	sb_free(&zpsk);
	return ret;
}

/* link create and link update. */
static int
link_write(struct cli *c, struct args *a, bool create)
{
	static const enum opt need[] = { O_NAME, O_IP, O_VENDOR, O_ASN,
	    O_LOCAL_BGP, O_PEER_BGP };
	struct sbuf	 u = SB_INIT(CLI_URL_MAX), on = SB_INIT(CLI_URL_MAX);
	json_t		*o = NULL, *out = NULL;
	size_t		 i;
	int		 ret;

	for (i = 0; create && a->val[O_BODY] == NULL && i < CLI_NELEM(need);
	    i++)
		if (!a->set[need[i]])
			return cli_out_usage("link create needs %s (or --body "
			    "FILE)", cli_args_name(need[i]));
	if (!create && !link_given(a, OM_LINK))
		return cli_out_usage("link update: nothing to change");
	if ((ret = link_request(a, create, &o)) != CLI_OK ||
	    (ret = cli_http_resolve(c, create ? CLI_REF_RN : CLI_REF_BOTH,
	    a)) != CLI_OK)
		goto done;
	cli_http_url_rn(c, &u, a->arg[0], "deviceLinks",
	    create ? NULL : a->arg[1], NULL);
	ret = cli_http_call(c, create ? "POST" : "PATCH", &u, o, !create, &out);
	if (ret != CLI_OK)
		goto done;
	sb_addf(&on, " on remote network %s", a->arg[0]);
	if (create)
		cli_out_created(c, out, "device link", on.p);
	else if (out != NULL)
		cli_out_show(c, out, link_show);
	else if (!c->json)
		cli_out_f(stdout, "updated device link %s\n", a->arg[1]);
done:
	json_decref(o);
	json_decref(out);
	sb_free(&on);
	return ret;
}

static int
link_create(struct cli *c, struct args *a)
{
	return link_write(c, a, true);
}

static int
link_update(struct cli *c, struct args *a)
{
	return link_write(c, a, false);
}

static void
link_ask(struct sbuf *q, const json_t *lk, const struct args *a)
{
	sb_addf(q, "device link '%s' (%s) of remote network %s",
	    cli_out_jstr(lk, "name") ? cli_out_jstr(lk, "name") : "?",
	    a->arg[1], a->arg[0]);
}

static const struct cli_http_del link_del = {
	"device link", CLI_REF_BOTH, "", link_ask
};

static int
link_delete(struct cli *c, struct args *a)
{
	return cli_http_delete(c, a, &link_del);
}

static const struct cli_cmd link_cmds[] = {
	{ "list", 0, 1, 1, false, CLI_REF_RN, link_list },
	{ "get", 0, 2, 2, false, CLI_REF_BOTH, link_get },
	{ "status", 0, 2, 2, false, CLI_REF_BOTH, cli_link_status },
	{ "routes", 0, 2, 2, false, CLI_REF_BOTH, cli_link_routes },
	{ "create", OM_LINK, 1, 1, false, 0, link_create },
	{ "update", OM_LINK, 2, 2, false, 0, link_update },
	{ "delete", OM(O_YES), 2, 2, false, 0, link_delete },
};

const struct cli_group cli_link_group = { "link",
"usage: branchgate link list RN\n"
"       branchgate link get RN LINK\n"
"       branchgate link delete RN LINK [--yes]\n"
"       branchgate link status RN LINK\n"
"       branchgate link routes RN LINK\n"
"       branchgate link create RN --name N --ip A --vendor V --asn N\n"
"              --local-bgp A --peer-bgp A [options] | --body FILE|-\n"
"       branchgate link update RN LINK [options] [--body FILE|-]\n"
"\n"
"  --name N             link name\n"
"  --ip A               your router's public IPv4 address (post-NAT)\n"
"  --vendor V           deviceVendor, e.g. other, fortinet, paloAltoNetworks\n"
"  --asn N              your router's ASN\n"
"  --local-bgp A        the gateway's BGP address (your BGP neighbor)\n"
"  --peer-bgp A         your router's BGP address\n"
"  --bandwidth B        mbps250 (create default), mbps500, mbps750, "
"mbps1000\n"
"  --zone-local-bgp A   the second zone's gateway BGP address; implies\n"
"                       zoneRedundancy\n"
"  --psk-file F | --psk-env VAR | --psk -      pre-shared key (one trailing\n"
"                       newline is stripped; '-' reads stdin, without echo "
"on a\n"
"                       terminal). --psk VALUE works but is visible in ps.\n"
"  --zone-psk-file F | --zone-psk-env VAR | --zone-psk -   the zone's PSK\n"
"  --custom             custom IKE/IPsec policy; implied by any of:\n"
"  --ike-enc X --ike-int X --dh X --ipsec-enc X --ipsec-int X --pfs X\n"
"  --sa-lifetime SECONDS\n"
"  --static-source CIDR source prefix the gateway accepts from this link\n"
"                       besides its BGP peer address and learned routes\n"
"                       (repeatable; on update replaces the list; 'none'\n"
"                       clears it)\n"
"  --body F             JSON request body ('-' = stdin); options override "
"its fields\n"
"  --yes, -y            delete without asking (BRANCHGATE_YES=1 too; "
"without a\n"
"                       terminal a delete needs it)\n"
"\n"
"RN and LINK: ids or exact names. link update sends only what is given\n"
"(with Prefer: return=representation) and shows the result; whatever is "
"not\n"
"given, PSKs included, is kept. link status shows first why the link "
"passes\n"
"no traffic (health), then each zone's tunnel, the ESP counters and the "
"BGP\n"
"session(s).\n",
	link_cmds, CLI_NELEM(link_cmds) };
