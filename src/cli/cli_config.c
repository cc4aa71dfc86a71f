/*
 * cli_config.c - what to set up on the branch router: "config" shows the
 * connectivityConfiguration for people, "cpe-config" fetches a ready
 * configuration (swanctl, BIRD or FRR) and writes it, mode 0600, since
 * swanctl text holds the PSK.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
#include "cli_out.h"

static void
config_show(const json_t *o)
{
	const json_t	*lk, *loc, *locs;
	size_t		 i, k;
	char		 label[32];

	cli_out_line(o, "Remote network {remoteNetworkName} "
	    "({remoteNetworkId})\n");
	json_array_foreach(json_object_get(o, "links"), i, lk) {
		cli_out_line(lk, "\nLink {displayName} ({id})\n");
		cli_out_line(lk, "  %-10s  public IP {peerConfiguration.endpoint}"
		    ", ASN {peerConfiguration.asn}, BGP address "
		    "{peerConfiguration.bgpAddress}\n", "your side:");
		locs = json_object_get(lk, "localConfigurations");
		json_array_foreach(locs, k, loc) {
			if (json_array_size(locs) > 1)
				snprintf(label, sizeof(label), "zone %zu:",
				    k + 1);
			else
				snprintf(label, sizeof(label), "gateway:");
			cli_out_line(loc, "  %-10s  gateway endpoint {endpoint} "
			    "({region}), gateway ASN {asn},\n", label);
			cli_out_line(loc, "  %-10s  gateway BGP address "
			    "{bgpAddress} (configure as your BGP neighbor; "
			    "static route to it over the tunnel)\n", "");
		}
	}
	cli_out_f(stdout, "\nYour router initiates IKEv2 (PSK) from its public "
	    "IP to each gateway endpoint\n(UDP 500/4500) and runs eBGP over "
	    "the tunnel. 'branchgate cpe-config' writes\na ready "
	    "configuration.\n");
}

static int
config(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);

	cli_http_url_rn(c, &u, a->arg[0], "connectivityConfiguration", NULL,
	    NULL);
	return cli_http_show(c, &u, config_show);
}

static int
config_cpe(struct cli *c, struct args *a)
{
	struct sbuf		 u = SB_INIT(CLI_URL_MAX);
	struct cli_http_resp	 r;
	const char		*path = a->val[O_OUTPUT];
	size_t			 i;
	int			 ret;

	cli_http_url_rn(c, &u, a->arg[0], "deviceLinks", a->arg[1],
	    "cpeConfiguration");
	sb_adds(&u, "?format=");
	cli_http_esc(c, &u, a->val[O_FORMAT] ? a->val[O_FORMAT] : "swanctl");
	for (i = 0; i < a->nlist[O_LAN]; i++) {
		sb_adds(&u, "&lan=");
		cli_http_esc(c, &u, a->list[O_LAN][i]);
	}
	if (a->val[O_WAN] != NULL) {
		sb_adds(&u, "&wan=");
		cli_http_esc(c, &u, a->val[O_WAN]);
	}
	if ((ret = cli_http_raw(c, "GET", &u, NULL, false, &r)) != CLI_OK)
		goto done;
	if (path != NULL && sb_write_private(path, &r.body) == -1)
		ret = CLI_ERR(CLI_API, "WriteFailed", "%s: %s", path,
		    strerror(errno));
	else if (path != NULL)
		cli_out_f(stderr, "wrote %s (mode 0600)\n", path);
	else if (r.body.len > 0 && sb_write_fd(STDOUT_FILENO, r.body.p,
	    r.body.len) == -1)
		ret = CLI_ERR(CLI_API, "WriteFailed", "stdout: %s",
		    strerror(errno));
done:
	sb_free(&r.body);
	return ret;
}

static const struct cli_cmd config_cmds[] = {
	{ NULL, 0, 1, 1, false, CLI_REF_RN, config },
};

static const struct cli_cmd config_cpe_cmds[] = {
	{ NULL, OM(O_FORMAT) | OM(O_LAN) | OM(O_WAN) | OM(O_OUTPUT), 2, 2,
	    false,
	    CLI_REF_BOTH, config_cpe },
};

const struct cli_group cli_config_group = { "config",
"usage: branchgate config RN\n"
"\n"
"Shows, for each device link, what to configure on the branch router: "
"your\n"
"side (public IP, ASN, BGP address) and each gateway endpoint with its ASN "
"and\n"
"BGP address (your BGP neighbor, reached by a static route over the "
"tunnel).\n",
	config_cmds, CLI_NELEM(config_cmds) };

const struct cli_group cli_config_cpe_group = { "cpe-config",
"usage: branchgate cpe-config RN LINK [--format swanctl|bird|frr] "
"[--lan CIDR]...\n"
"                  [--wan IP] [-o FILE]\n"
"\n"
"Prints a ready configuration for the branch router (default format "
"swanctl).\n"
"  --lan CIDR   a branch prefix to announce over BGP (repeatable)\n"
"  --wan IP     the branch's own internet next hop: bypass routes (bird, "
"frr)\n"
"               go there; without it they are commented out\n"
"  -o FILE      write FILE (mode 0600) instead of stdout: swanctl output "
"holds\n"
"               the pre-shared key\n",
	config_cpe_cmds, CLI_NELEM(config_cpe_cmds) };
