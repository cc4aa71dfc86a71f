/*
 * cli_transit.c - "transit": the tenant's branch-to-branch transit
 * (GET/PATCH /networkAccess/settings/forwardingOptions, docs/api.md).
 * Without a word it shows the state; "enable" and "disable" set it.
 */
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
#include "cli_out.h"

#define TRANSIT_PATH	"/networkAccess/settings/forwardingOptions"

static void
transit_show_one(const json_t *o)
{
	const char *s = cli_out_jstr(o, "branchTransitState");

	cli_out_kv("Branch transit", s != NULL ? s : "?");
	if (cli_out_jstr(o, "lastModifiedDateTime") != NULL)
		cli_out_kv("Last modified",
		    cli_out_jstr(o, "lastModifiedDateTime"));
	else
		cli_out_kv("Last modified", "never (the gateway's default)");
}

static void
transit_url(struct cli *c, struct sbuf *u)
{
	sb_adds(u, c->url);
	sb_adds(u, TRANSIT_PATH);
}

static int
transit_show(struct cli *c, struct args *a)
{
	struct sbuf u = SB_INIT(CLI_URL_MAX);

	(void)a;
	transit_url(c, &u);
	return cli_http_show(c, &u, transit_show_one);
}

static int
transit_set(struct cli *c, bool on)
{
	struct sbuf u = SB_INIT(CLI_URL_MAX);
	json_t *body, *out = NULL;
	int ret;

	if ((body = json_pack("{s:s}", "branchTransitState",
	    on ? "enabled" : "disabled")) == NULL)
		return cli_out_usage("out of memory");
	transit_url(c, &u);
	ret = cli_http_call(c, "PATCH", &u, body, false, &out);
	json_decref(body);
	if (ret == CLI_OK)
		cli_out_show(c, out, transit_show_one);
	json_decref(out);
	return ret;
}

static int
transit_enable(struct cli *c, struct args *a)
{
	(void)a;
	return transit_set(c, true);
}

static int
transit_disable(struct cli *c, struct args *a)
{
	(void)a;
	return transit_set(c, false);
}

static const struct cli_cmd transit_cmds[] = {
	{ "enable", 0, 0, 0, false, 0, transit_enable },
	{ "disable", 0, 0, 0, false, 0, transit_disable },
	{ NULL, 0, 0, 0, false, 0, transit_show },	/* last: it matches all */
};

const struct cli_group cli_transit_group = { "transit",
"usage: branchgate transit [enable|disable]\n"
"\n"
"Shows or sets whether the tenant's branches reach each other through "
"the\n"
"gateway. Off by default (Global Secure Access has no branch-to-branch\n"
"transit); on, each branch is announced the others' prefixes over BGP\n"
"(community ASN:2) and their traffic is forwarded inside the tenant.\n",
	transit_cmds, CLI_NELEM(transit_cmds) };
