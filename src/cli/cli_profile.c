/*
 * cli_profile.c - "profile list": the tenant's forwarding profiles, which
 * "rn assign" gives to remote networks.
 */
#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
#include "cli_out.h"
#include "cli_profile.h"

#define PROFILES_PATH	"/networkAccess/forwardingProfiles"

static const struct cli_col profile_cols[] = {
	{ "ID", "id", NULL },
	{ "NAME", "name", NULL },
	{ "TYPE", "trafficForwardingType", NULL },
	{ "PRIORITY", "priority", NULL },
	{ "STATE", "state", NULL },
};

void
cli_profile_show(const json_t *list)
{
	cli_out_table(json_object_get(list, "value"), profile_cols,
	    CLI_NELEM(profile_cols), NULL);
}

static int
profile_list(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);

	(void)a;
	sb_addf(&u, "%s%s", c->url, PROFILES_PATH);
	return cli_http_show(c, &u, cli_profile_show);
}

static const struct cli_cmd profile_cmds[] = {
	{ "list", 0, 0, 0, false, 0, profile_list },
};

const struct cli_group cli_profile_group = { "profile",
"usage: branchgate profile list\n"
"\n"
"Lists the tenant's forwarding profiles; assign them with 'branchgate rn "
"assign'.\n",
	profile_cmds, CLI_NELEM(profile_cmds) };
