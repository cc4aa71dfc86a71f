/*
 * cli_profile.c - "profile ...": the tenant's forwarding profiles, which
 * "rn assign" gives to remote networks, and what a tenant may change in
 * them (docs/api.md "Forwarding policies"): a Microsoft 365 rule's action,
 * a Microsoft 365 group (policy link) disabled, and the Internet Access
 * profile's Custom Bypass rules. The checks are the server's; destinations
 * are sent as the Graph objects their form names.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
#include "cli_out.h"
#include "cli_policy.h"
#include "cli_profile.h"

#define PROFILES_PATH	"/networkAccess/forwardingProfiles"
#define FWDPOL_PATH	"/networkAccess/forwardingPolicies"
#define NS		"#microsoft.graph.networkaccess."
#define CUSTOM_BYPASS	"Custom Bypass"

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

/* --- rules ---------------------------------------------------------------- */

/* The profiles with their policy links, policies and rules (*out). */
static int
profiles_get(struct cli *c, json_t **out)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);

	sb_addf(&u, "%s%s?$expand=policies($expand=policy($expand="
	    "policyRules))", c->url, PROFILES_PATH);
	return cli_http_call(c, "GET", &u, NULL, false, out);
}

static const char *
rule_ports(const json_t *r, const void *ctx, struct sbuf *tmp)
{
	const json_t	*p;
	size_t		 i;

	(void)ctx;
	json_array_foreach(json_object_get(r, "ports"), i, p)
		sb_addf(tmp, "%s%s", i > 0 ? "," : "",
		    json_is_string(p) ? json_string_value(p) : "?");
	return tmp->p != NULL && tmp->p[0] != '\0' ? tmp->p : "-";
}

/* The group: its policy's name, marked when the link is disabled. */
static const char *
rule_group(const json_t *r, const void *ctx, struct sbuf *tmp)
{
	const json_t	*l = json_object_get(r, "_link");
	const char	*st = cli_out_jstr(l, "state");

	(void)ctx;
	sb_addf(tmp, "%s%s", cli_out_jstr(l, "policy.name") ?
	    cli_out_jstr(l, "policy.name") : "-", st != NULL &&
	    strcmp(st, "disabled") == 0 ? " (disabled)" : "");
	return tmp->p;
}

static const struct cli_col rule_cols[] = {
	{ "RULE", "id", NULL },
	{ "GROUP", NULL, rule_group },
	{ "KIND", "ruleType", NULL },
	{ "PROTOCOL", "protocol", NULL },
	{ "PORTS", NULL, rule_ports },
	{ "ACTION", "action", NULL },
};

static bool
profile_is(const json_t *p, const char *ref)
{
	const char	*keys[] = { "id", "name", "trafficForwardingType" };
	const char	*v;
	size_t		 i;

	for (i = 0; i < CLI_NELEM(keys); i++)
		if ((v = cli_out_jstr(p, keys[i])) != NULL &&
		    strcmp(v, ref) == 0)
			return true;
	return false;
}

/* rules PROFILE: PROFILE is an id, the exact name, or m365 / internet. */
static int
profile_rules(struct cli *c, struct args *a)
{
	const json_t	*p, *l, *r, *found = NULL;
	json_t		*out = NULL, *rows, *row;
	size_t		 i, k;
	int		 ret;

	if ((ret = profiles_get(c, &out)) != CLI_OK)
		return ret;
	json_array_foreach(json_object_get(out, "value"), i, p)
		if (profile_is(p, a->arg[0]))
			found = p;
	if (found == NULL) {
		json_decref(out);
		return SRV_ERR(CLI_API, "NotFound", "no forwarding profile '%s' "
		    "(an id, the exact name, m365 or internet)", a->arg[0]);
	}
	if (c->json) {
		cli_out_json(json_object_get(found, "policies"));
		json_decref(out);
		return CLI_OK;
	}
	if ((rows = json_array()) == NULL)
		sb_oom();
	json_array_foreach(json_object_get(found, "policies"), i, l)
		json_array_foreach(cli_out_jget(l, "policy.policyRules"), k, r) {
			if ((row = json_copy((json_t *)(uintptr_t)r)) == NULL ||
			    json_object_set(row, "_link", (json_t *)(uintptr_t)l)
			    == -1 || json_array_append_new(rows, row) == -1)
				sb_oom();
		}
	cli_out_table(rows, rule_cols, CLI_NELEM(rule_cols), NULL);
	json_decref(rows);
	json_decref(out);
	return CLI_OK;
}

/* rule RULE-ID forward|bypass: a built-in Microsoft 365 rule's action. */
static int
profile_rule(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	const json_t	*p, *r;
	const char	*act = a->arg[1], *pid = NULL;
	json_t		*out = NULL, *body, *ans = NULL;
	size_t		 i, k;
	int		 ret;

	if (strcmp(act, "forward") != 0 && strcmp(act, "bypass") != 0)
		return cli_out_usage("profile rule RULE-ID takes 'forward' or "
		    "'bypass', not '%s'", act);
	sb_addf(&u, "%s%s", c->url, FWDPOL_PATH);
	if ((ret = cli_http_call(c, "GET", &u, NULL, false, &out)) != CLI_OK)
		return ret;
	json_array_foreach(json_object_get(out, "value"), i, p)
		json_array_foreach(json_object_get(p, "policyRules"), k, r)
			if (cli_out_jstr(r, "id") != NULL &&
			    strcmp(cli_out_jstr(r, "id"), a->arg[0]) == 0)
				pid = cli_out_jstr(p, "id");
	if (pid == NULL) {
		json_decref(out);
		return SRV_ERR(CLI_API, "NotFound", "no forwarding rule '%s' "
		    "(see 'branchgate profile rules m365')", a->arg[0]);
	}
	cli_policy_url(c, &u, FWDPOL_PATH, pid, "policyRules", a->arg[0]);
	json_decref(out);
	if ((body = json_pack("{s:s}", "action", act)) == NULL)
		sb_oom();
	ret = cli_http_call(c, "PATCH", &u, body, true, &ans);
	json_decref(body);
	if (ret == CLI_OK) {
		if (c->json)
			cli_out_json(ans);
		else
			cli_out_f(stdout, "rule %s: action %s\n", a->arg[0],
			    cli_out_jstr(ans, "action") ?
			    cli_out_jstr(ans, "action") : act);
	}
	json_decref(ans);
	return ret;
}

/* group LINK enable|disable: LINK, the link's id or its policy's name. */
static int
profile_group(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	const json_t	*p, *l;
	const char	*st, *prof = NULL, *lid = NULL;
	json_t		*out = NULL, *body, *ans = NULL;
	size_t		 i, k, n = 0;
	int		 ret;

	if (strcmp(a->arg[1], "enable") == 0)
		st = "enabled";
	else if (strcmp(a->arg[1], "disable") == 0)
		st = "disabled";
	else
		return cli_out_usage("profile group LINK takes 'enable' or "
		    "'disable', not '%s'", a->arg[1]);
	if ((ret = profiles_get(c, &out)) != CLI_OK)
		return ret;
	json_array_foreach(json_object_get(out, "value"), i, p)
		json_array_foreach(json_object_get(p, "policies"), k, l) {
			const char *id = cli_out_jstr(l, "id");
			const char *pn = cli_out_jstr(l, "policy.name");

			if ((id != NULL && strcmp(id, a->arg[0]) == 0) ||
			    (pn != NULL && strcmp(pn, a->arg[0]) == 0)) {
				prof = cli_out_jstr(p, "id");
				lid = id;
				n++;
			}
		}
	if (n != 1 || prof == NULL || lid == NULL) {
		json_decref(out);
		return SRV_ERR(CLI_API, "NotFound", "%s policy link '%s' (an id "
		    "or a group's exact name; see 'branchgate profile rules "
		    "m365')", n > 1 ? "more than one" : "no", a->arg[0]);
	}
	cli_policy_url(c, &u, PROFILES_PATH, prof, "policies", lid);
	json_decref(out);
	if ((body = json_pack("{s:s}", "state", st)) == NULL)
		sb_oom();
	ret = cli_http_call(c, "PATCH", &u, body, true, &ans);
	json_decref(body);
	if (ret == CLI_OK) {
		if (c->json)
			cli_out_json(ans);
		else
			cli_out_f(stdout, "group %s: %s\n",
			    cli_out_jstr(ans, "policy.name") ?
			    cli_out_jstr(ans, "policy.name") : a->arg[0], st);
	}
	json_decref(ans);
	return ret;
}

/* --- Custom Bypass -------------------------------------------------------- */

/* The Internet Access Custom Bypass policy (*pol), in *out. */
static int
bypass_policy(struct cli *c, json_t **out, const json_t **pol)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	const json_t	*p;
	const char	*t, *n;
	size_t		 i;
	int		 ret;

	*pol = NULL;
	sb_addf(&u, "%s%s", c->url, FWDPOL_PATH);
	if ((ret = cli_http_call(c, "GET", &u, NULL, false, out)) != CLI_OK)
		return ret;
	json_array_foreach(json_object_get(*out, "value"), i, p) {
		t = cli_out_jstr(p, "trafficForwardingType");
		n = cli_out_jstr(p, "name");
		if (t != NULL && n != NULL && strcmp(t, "internet") == 0 &&
		    strcmp(n, CUSTOM_BYPASS) == 0)
			*pol = p;
	}
	if (*pol == NULL || cli_out_jstr(*pol, "id") == NULL)
		return SRV_ERR(CLI_API, "NotFound", "the server has no "
		    "Internet Access '" CUSTOM_BYPASS "' policy");
	return CLI_OK;
}

/* DEST as Graph's object: A-B ipRange, A/LEN ipSubnet, A ipAddress. */
static json_t *
bypass_dst(const char *d)
{
	char		 begin[64];
	const char	*dash = strchr(d, '-');
	json_t		*o;

	if (dash != NULL) {
		snprintf(begin, sizeof(begin), "%.*s", (int)(dash - d), d);
		o = json_pack("{s:s, s:s, s:s}", "@odata.type", NS "ipRange",
		    "beginAddress", begin, "endAddress", dash + 1);
	} else
		o = json_pack("{s:s, s:s}", "@odata.type", strchr(d, '/') ?
		    NS "ipSubnet" : NS "ipAddress", "value", d);
	return o;
}

static const char *
bypass_dests(const json_t *r, const void *ctx, struct sbuf *tmp)
{
	const json_t	*d;
	const char	*v;
	size_t		 i;

	(void)ctx;
	json_array_foreach(json_object_get(r, "destinations"), i, d) {
		if (i > 0)
			sb_adds(tmp, " ");
		if ((v = cli_out_jstr(d, "value")) != NULL)
			sb_adds(tmp, v);
		else
			sb_addf(tmp, "%s-%s", cli_out_jstr(d, "beginAddress") ?
			    cli_out_jstr(d, "beginAddress") : "?",
			    cli_out_jstr(d, "endAddress") ?
			    cli_out_jstr(d, "endAddress") : "?");
	}
	return tmp->p != NULL && tmp->p[0] != '\0' ? tmp->p : "-";
}

static const struct cli_col bypass_cols[] = {
	{ "RULE", "id", NULL },
	{ "NAME", "name", NULL },
	{ "DESTINATIONS", NULL, bypass_dests },
};

static int
bypass_add(struct cli *c, struct args *a, const char *pid)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	json_t		*o, *dst, *d;
	size_t		 i;
	int		 ret;

	if (a->narg < 3)
		return cli_out_usage("profile bypass add NAME DEST... needs a "
		    "name and at least one destination");
	if ((dst = json_array()) == NULL)
		sb_oom();
	for (i = 2; i < a->narg; i++)
		if ((d = bypass_dst(a->arg[i])) == NULL ||
		    json_array_append_new(dst, d) == -1) {
			json_decref(dst);
			return cli_out_usage("destination '%s' is not text",
			    a->arg[i]);
		}
	if ((o = json_pack("{s:s, s:s, s:s, s:o}", "@odata.type",
	    NS "internetAccessForwardingRule", "name", a->arg[1], "action",
	    "bypass", "destinations", dst)) == NULL)
		return cli_out_usage("the name '%s' is not UTF-8", a->arg[1]);
	cli_policy_url(c, &u, FWDPOL_PATH, pid, "policyRules", NULL);
	ret = cli_policy_post(c, &u, o, "bypass rule", "");
	json_decref(o);
	return ret;
}

/* bypass add NAME DEST... | bypass list | bypass delete RULE-ID */
static int
profile_bypass(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	const json_t	*pol;
	json_t		*out = NULL;
	const char	*op = a->arg[0];
	int		 ret;

	if (strcmp(op, "add") != 0 && strcmp(op, "list") != 0 &&
	    strcmp(op, "delete") != 0)
		return cli_out_usage("unknown command 'profile bypass %s'", op);
	if ((strcmp(op, "list") == 0 && a->narg != 1) ||
	    (strcmp(op, "delete") == 0 && a->narg != 2))
		return cli_out_usage("wrong arguments for 'profile bypass %s'",
		    op);
	if (strcmp(op, "delete") != 0 && a->set[O_YES])
		return cli_out_usage("'profile bypass %s' does not take --yes",
		    op);
	if ((ret = bypass_policy(c, &out, &pol)) != CLI_OK)
		goto done;
	if (strcmp(op, "list") == 0) {
		if (c->json)
			cli_out_json(json_object_get(pol, "policyRules"));
		else
			cli_out_table(json_object_get(pol, "policyRules"),
			    bypass_cols, CLI_NELEM(bypass_cols), NULL);
	} else if (strcmp(op, "add") == 0)
		ret = bypass_add(c, a, cli_out_jstr(pol, "id"));
	else {
		cli_policy_url(c, &u, FWDPOL_PATH, cli_out_jstr(pol, "id"),
		    "policyRules", a->arg[1]);
		ret = cli_policy_delete(c, a, &u, "bypass rule", a->arg[1]);
	}
done:
	json_decref(out);
	return ret;
}

static const struct cli_cmd profile_cmds[] = {
	{ "list", 0, 0, 0, false, 0, profile_list },
	{ "rules", 0, 1, 1, false, 0, profile_rules },
	{ "rule", 0, 2, 2, false, 0, profile_rule },
	{ "group", 0, 2, 2, false, 0, profile_group },
	{ "bypass", OM(O_YES), 1, 2 + 64, false, 0, profile_bypass },
};

const struct cli_group cli_profile_group = { "profile",
"usage: branchgate profile list\n"
"       branchgate profile rules PROFILE\n"
"       branchgate profile rule RULE-ID forward|bypass\n"
"       branchgate profile group LINK enable|disable\n"
"       branchgate profile bypass add NAME DEST...\n"
"       branchgate profile bypass list\n"
"       branchgate profile bypass delete RULE-ID [--yes]\n"
"\n"
"Lists the tenant's forwarding profiles; assign them with 'branchgate rn\n"
"assign'. 'rules' lists a profile's rules by group (PROFILE: an id, the\n"
"exact name, m365 or internet). A Microsoft 365 rule can be set to\n"
"bypass (its prefixes are withdrawn from the branch) or back to forward;\n"
"a disabled group (LINK: its id or exact name) bypasses all its rules.\n"
"'bypass' manages the Internet Access profile's Custom Bypass rules,\n"
"which the branch keeps local; DEST is A.B.C.D, A.B.C.D/LEN or\n"
"A.B.C.D-E.F.G.H (at most 64 per rule, 100 rules per tenant).\n",
	profile_cmds, CLI_NELEM(profile_cmds) };
