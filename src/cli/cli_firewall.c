/*
 * cli_firewall.c - "firewall ...": the cloud firewall of remote networks
 * (system-facts §3.7): 5-tuple rules of the cloud firewall policy linked
 * to the baseline profile, the only place a cloud firewall policy acts.
 * "rule add" creates that policy ("Baseline firewall") and its link when
 * there is none; --policy picks another policy by id or name.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
#include "cli_input.h"
#include "cli_out.h"
#include "cli_policy.h"

#define NA		"#microsoft.graph.networkaccess."
#define FW_DEFAULT	"Baseline firewall"

/*
 * The policy the command works on: --policy, else the cloud firewall
 * policy the baseline profile links (created with its link when create).
 */
static int
fw_policy(struct cli *c, struct args *a, bool create, char id[CLI_ID_MAX])
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	char		 base[CLI_ID_MAX];
	const json_t	*l;
	json_t		*out = NULL, *o;
	const char	*t;
	size_t		 i;
	int		 ret;

	if (a->val[O_POLICY] != NULL)
		return cli_policy_find(c, CLI_FW_PATH, "cloud firewall policy",
		    a->val[O_POLICY], id);
	if ((ret = cli_policy_find(c, CLI_PROF_PATH, "security profile",
	    "baseline", base)) != CLI_OK)
		return ret;
	cli_policy_url(c, &u, CLI_PROF_PATH, base, "policies", NULL);
	if ((ret = cli_http_call(c, "GET", &u, NULL, false, &out)) != CLI_OK)
		return ret;
	id[0] = '\0';
	json_array_foreach(json_object_get(out, "value"), i, l)
		if ((t = cli_out_jstr(l, "@odata.type")) != NULL &&
		    strstr(t, "cloudFirewallPolicyLink") != NULL &&
		    cli_out_jstr(l, "policy.id") != NULL)
			snprintf(id, CLI_ID_MAX, "%s", cli_out_jstr(l,
			    "policy.id"));
	json_decref(out);
	out = NULL;
	if (id[0] != '\0')
		return CLI_OK;
	if (!create)
		return SRV_ERR(CLI_API, "NotFound", "the baseline profile links "
		    "no cloud firewall policy yet ('firewall rule add' creates "
		    "one)");
	/* The first rule: the policy, then its link to the baseline. */
	if ((o = json_pack("{s:s, s:s}", "@odata.type", NA
	    "cloudFirewallPolicy", "name", FW_DEFAULT)) == NULL)
		sb_oom();
	cli_policy_url(c, &u, CLI_FW_PATH, NULL, NULL, NULL);
	ret = cli_http_call(c, "POST", &u, o, false, &out);
	json_decref(o);
	if (ret != CLI_OK)
		return ret;
	snprintf(id, CLI_ID_MAX, "%s", cli_out_jstr(out, "id") ?
	    cli_out_jstr(out, "id") : "");
	json_decref(out);
	out = NULL;
	if ((o = json_pack("{s:s, s:s, s:{s:s}}", "@odata.type",
	    NA "cloudFirewallPolicyLink", "state", "enabled", "policy", "id",
	    id)) == NULL)
		sb_oom();
	cli_policy_url(c, &u, CLI_PROF_PATH, base, "policies", NULL);
	ret = cli_http_call(c, "POST", &u, o, false, &out);
	json_decref(o);
	json_decref(out);
	if (ret == CLI_OK && !c->json && !c->quiet)
		cli_out_f(stdout, "created cloud firewall policy %s ('%s'), "
		    "linked to the baseline profile\n", id, FW_DEFAULT);
	return ret;
}

/* A list option as a JSON array of strings; -1 if one is not UTF-8. */
static int
fw_strings(const struct args *a, enum opt o, json_t **out)
{
	size_t	 i;
	int	 errs = 0;

	*out = json_array();
	for (i = 0; i < a->nlist[o]; i++)
		errs += json_array_append_new(*out,
		    json_string(a->list[o][i])) == -1;
	return errs ? -1 : 0;
}

static json_t *
fw_addresses(json_t *values, bool dst)
{
	if (json_array_size(values) == 0)
		return values;
	return json_pack("[{s:s, s:o}]", "@odata.type", dst ?
	    NA "cloudFirewallDestinationIpAddress" :
	    NA "cloudFirewallSourceIpAddress", "values", values);
}

static int
fw_rule_add(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	char		 pid[CLI_ID_MAX];
	json_t		*o = NULL, *src, *dst, *sp, *dp;
	const char	*proto = a->val[O_PROTOCOL];
	int		 ret, errs = 0;

	if (a->narg != 2)
		return cli_out_usage("firewall rule add NAME --priority N ...");
	if (a->val[O_PRIORITY] == NULL)
		return cli_out_usage("firewall rule add needs --priority N "
		    "(100 or more, unique; lower is evaluated first)");
	if (proto != NULL && strcmp(proto, "both") == 0)
		proto = "tcp,udp";
	errs += fw_strings(a, O_SRC, &src) + fw_strings(a, O_DST, &dst);
	errs += fw_strings(a, O_SPORT, &sp) + fw_strings(a, O_DPORT, &dp);
	o = json_pack("{s:s, s:s, s:s, s:{s:s}, s:{s:{s:o, s:o}, s:{s:o, "
	    "s:o, s:s}}}", "@odata.type", NA "cloudFirewallRule", "name",
	    a->arg[1], "action", a->val[O_ACTION] ? a->val[O_ACTION] : "block",
	    "settings", "status", a->set[O_ENABLED] ? "enabled" : "disabled",
	    "matchingConditions", "sources", "addresses",
	    fw_addresses(src, false), "ports", sp, "destinations",
	    "addresses", fw_addresses(dst, true), "ports", dp, "protocols",
	    proto != NULL ? proto : "tcp,udp");
	if (o == NULL || errs != 0 || cli_args_set_int(o, "priority",
	    a->val[O_PRIORITY], O_PRIORITY) == -1 || (a->val[O_DESCRIPTION] &&
	    json_object_set_new(o, "description",
	    json_string(a->val[O_DESCRIPTION])) == -1)) {
		ret = cli_out_usage("bad arguments for 'firewall rule add'");
		goto done;
	}
	if ((ret = fw_policy(c, a, true, pid)) != CLI_OK)
		goto done;
	cli_policy_url(c, &u, CLI_FW_PATH, pid, "policyRules", NULL);
	ret = cli_policy_post(c, &u, o, "firewall rule", a->set[O_ENABLED] ?
	    "" : " (disabled: 'branchgate firewall rule enable' it)");
done:
	json_decref(o);
	return ret;
}

static const struct cli_col fw_cols[] = {
	{ "ID", "id", NULL },
	{ "PRIORITY", "priority", NULL },
	{ "NAME", "name", NULL },
	{ "ACTION", "action", NULL },
	{ "STATUS", "settings.status", NULL },
};

static void
fw_table(const json_t *o)
{
	const json_t	*v = json_object_get(o, "value");

	cli_out_table(v, fw_cols, CLI_NELEM(fw_cols), NULL);
	cli_out_f(stdout, "\n");
	cli_policy_rules_table(v);
}

/* The rule a->arg[1] names (id or name) in policy pid. */
static int
fw_rule_find(struct cli *c, const struct args *a, const char *pid,
    char rid[CLI_ID_MAX])
{
	struct sbuf	 path = SB_INIT(CLI_URL_MAX);
	int		 ret;

	sb_addf(&path, "%s/%s/policyRules", CLI_FW_PATH, pid);
	ret = cli_policy_find(c, path.p, "firewall rule", a->arg[1], rid);
	sb_free(&path);
	return ret;
}

static int
fw_rule(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	char		 pid[CLI_ID_MAX], rid[CLI_ID_MAX];
	const char	*verb = a->arg[0];
	json_t		*o, *out = NULL;
	bool		 en;
	int		 ret;

	if (strcmp(verb, "add") == 0)
		return fw_rule_add(c, a);
	if (strcmp(verb, "list") == 0) {
		if (a->narg != 1)
			return cli_out_usage("firewall rule list [--policy P]");
		if ((ret = fw_policy(c, a, false, pid)) != CLI_OK)
			return ret;
		cli_policy_url(c, &u, CLI_FW_PATH, pid, "policyRules", NULL);
		return cli_http_show(c, &u, fw_table);
	}
	if (strcmp(verb, "enable") != 0 && strcmp(verb, "disable") != 0 &&
	    strcmp(verb, "delete") != 0)
		return cli_out_usage("unknown command 'firewall rule %s'", verb);
	if (a->narg != 2)
		return cli_out_usage("firewall rule %s RULE [--policy P]", verb);
	if ((ret = fw_policy(c, a, false, pid)) != CLI_OK ||
	    (ret = fw_rule_find(c, a, pid, rid)) != CLI_OK)
		return ret;
	cli_policy_url(c, &u, CLI_FW_PATH, pid, "policyRules", rid);
	if (strcmp(verb, "delete") == 0)
		return cli_policy_delete(c, a, &u, "firewall rule", a->arg[1]);
	en = strcmp(verb, "enable") == 0;
	if ((o = json_pack("{s:{s:s}}", "settings", "status", en ? "enabled" :
	    "disabled")) == NULL)
		sb_oom();
	ret = cli_http_call(c, "PATCH", &u, o, true, &out);
	if (ret == CLI_OK) {
		if (c->json)
			cli_out_json(out);
		else
			cli_out_f(stdout, "%s firewall rule %s\n", en ?
			    "enabled" : "disabled", a->arg[1]);
	}
	json_decref(o);
	json_decref(out);
	return ret;
}

static const char *
fw_nrules(const json_t *p, const void *ctx, struct sbuf *tmp)
{
	(void)ctx;
	sb_addf(tmp, "%zu", json_array_size(json_object_get(p,
	    "policyRules")));
	return tmp->p;
}

static const struct cli_col fwp_cols[] = {
	{ "ID", "id", NULL },
	{ "NAME", "name", NULL },
	{ "DEFAULT", "settings.defaultAction", NULL },
	{ "RULES", NULL, fw_nrules },
};

static void
fwp_table(const json_t *o)
{
	cli_out_table(json_object_get(o, "value"), fwp_cols,
	    CLI_NELEM(fwp_cols), NULL);
}

static int
fw_list(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);

	(void)a;
	cli_policy_url(c, &u, CLI_FW_PATH, NULL, NULL, NULL);
	sb_adds(&u, "?$expand=policyRules");
	return cli_http_show(c, &u, fwp_table);
}

static const struct cli_cmd fw_cmds[] = {
	{ "list", 0, 0, 0, false, 0, fw_list },
	{ "rule", OM(O_PRIORITY) | OM(O_ACTION) | OM(O_SRC) | OM(O_DST) |
	    OM(O_SPORT) | OM(O_DPORT) | OM(O_PROTOCOL) | OM(O_ENABLED) |
	    OM(O_POLICY) | OM(O_DESCRIPTION) | OM(O_YES), 1, 2, false, 0,
	    fw_rule },
};

const struct cli_group cli_firewall_group = { "firewall",
"usage: branchgate firewall list\n"
"       branchgate firewall rule add NAME --priority N [--action "
"block|allow]\n"
"             [--src A]... [--sport P]... [--dst A]... [--dport P]...\n"
"             [--protocol tcp|udp|both] [--enabled] [--description D]\n"
"       branchgate firewall rule list\n"
"       branchgate firewall rule enable|disable RULE\n"
"       branchgate firewall rule delete RULE [--yes]\n"
"\n"
"Cloud firewall rules for remote network traffic: set fields are ANDed,\n"
"unset ones match anything; the default action is allow. Addresses are\n"
"A.B.C.D, A.B.C.D/LEN or A.B.C.D-E.F.G.H; ports P or P-Q. --priority is\n"
"100 or more and unique; lower is evaluated first. New rules start\n"
"disabled unless --enabled. The rules belong to the cloud firewall policy\n"
"linked to the baseline profile; 'rule add' creates and links it when\n"
"there is none. Every command takes --policy P for another policy.\n",
	fw_cmds, CLI_NELEM(fw_cmds) };
