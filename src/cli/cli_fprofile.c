/*
 * cli_fprofile.c - "security-profile ...": filtering profiles (system-facts
 * §3.6; Graph's filteringProfile, "security profiles" in the portal) and
 * the policies they link by priority. "baseline" names the tenant's
 * baseline profile, the one remote network traffic is evaluated by. The
 * group is not "profile": that one lists forwarding profiles (cli_profile.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
#include "cli_input.h"
#include "cli_out.h"
#include "cli_policy.h"

static const char *
prof_nlinks(const json_t *p, const void *ctx, struct sbuf *tmp)
{
	(void)ctx;
	sb_addf(tmp, "%zu", json_array_size(json_object_get(p, "policies")));
	return tmp->p;
}

static const struct cli_col prof_cols[] = {
	{ "ID", "id", NULL },
	{ "NAME", "name", NULL },
	{ "PRIORITY", "priority", NULL },
	{ "STATE", "state", NULL },
	{ "POLICIES", NULL, prof_nlinks },
};

static void
prof_table(const json_t *o)
{
	cli_out_table(json_object_get(o, "value"), prof_cols,
	    CLI_NELEM(prof_cols), NULL);
}

static int
prof_list(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);

	(void)a;
	cli_policy_url(c, &u, CLI_PROF_PATH, NULL, NULL, NULL);
	sb_adds(&u, "?$expand=policies($expand=policy)");
	return cli_http_show(c, &u, prof_table);
}

static const char *
link_kind(const json_t *l, const void *ctx, struct sbuf *tmp)
{
	const char	*t = cli_out_jstr(l, "@odata.type");

	(void)ctx;
	sb_adds(tmp, t != NULL && strstr(t, "cloudFirewall") ? "firewall" :
	    "filtering");
	return tmp->p;
}

static const struct cli_col link_cols[] = {
	{ "LINK", "id", NULL },
	{ "PRIORITY", "priority", NULL },
	{ "POLICY", "policy.name", NULL },
	{ "KIND", NULL, link_kind },
	{ "STATE", "state", NULL },
	{ "ACTION", "action", NULL },
	{ "POLICY ID", "policy.id", NULL },
};

static const struct cli_field prof_fields[] = {
	{ "id", "id" },
	{ "name", "name" },
	{ "description", "description" },
	{ "priority", "priority" },
	{ "state", "state" },
};

static void
prof_show_one(const json_t *o)
{
	cli_out_fields(o, prof_fields, CLI_NELEM(prof_fields));
	cli_out_meta(o);
	cli_out_f(stdout, "\n");
	cli_out_table(json_object_get(o, "policies"), link_cols,
	    CLI_NELEM(link_cols), NULL);
}

/* u = the URL of the profile whose id or name is ref ("baseline" too). */
static int
prof_url(struct cli *c, const char *ref, struct sbuf *u)
{
	char	 id[CLI_ID_MAX];
	int	 ret;

	if ((ret = cli_policy_find(c, CLI_PROF_PATH, "security profile", ref,
	    id)) != CLI_OK)
		return ret;
	cli_policy_url(c, u, CLI_PROF_PATH, id, NULL, NULL);
	return CLI_OK;
}

static int
prof_show(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	int		 ret;

	if ((ret = prof_url(c, a->arg[0], &u)) != CLI_OK)
		return ret;
	sb_adds(&u, "?$expand=policies($expand=policy)");
	return cli_http_show(c, &u, prof_show_one);
}

static int
prof_create(struct cli *c, struct args *a)
{
	static const struct cli_args_key keys[] = {
		{ O_DESCRIPTION, "description" },
	};
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	json_t		*o = NULL;
	int		 ret;

	if (a->val[O_PRIORITY] == NULL && a->val[O_BODY] == NULL)
		return cli_out_usage("security-profile create needs --priority "
		    "N (0 to 64999: before the baseline's 65000)");
	if ((ret = cli_policy_body(a, keys, CLI_NELEM(keys), &o)) != CLI_OK)
		goto done;
	if (a->val[O_PRIORITY] != NULL && cli_args_set_int(o, "priority",
	    a->val[O_PRIORITY], O_PRIORITY) == -1) {
		ret = CLI_USAGE;
		goto done;
	}
	cli_policy_url(c, &u, CLI_PROF_PATH, NULL, NULL, NULL);
	ret = cli_policy_post(c, &u, o, "security profile", "");
done:
	json_decref(o);
	return ret;
}

static int
prof_delete(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	int		 ret;

	if ((ret = prof_url(c, a->arg[0], &u)) != CLI_OK)
		return ret;
	return cli_policy_delete(c, a, &u, "security profile", a->arg[0]);
}

/* link PROFILE POLICY [--priority N] [--action A] */
static int
prof_link(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	char		 prof[CLI_ID_MAX], pol[CLI_ID_MAX];
	json_t		*o = NULL;
	bool		 fw;
	int		 ret;

	if ((ret = cli_policy_find(c, CLI_PROF_PATH, "security profile",
	    a->arg[0], prof)) != CLI_OK ||
	    (ret = cli_policy_find_any(c, a->arg[1], pol, &fw)) != CLI_OK)
		return ret;
	if (fw && (a->val[O_PRIORITY] != NULL || a->val[O_ACTION] != NULL))
		return cli_out_usage("a cloud firewall policy link has no "
		    "--priority or --action");
	if (!fw && a->val[O_PRIORITY] == NULL)
		return cli_out_usage("security-profile link needs --priority N "
		    "(lower is evaluated first)");
	if ((o = json_pack("{s:s, s:s, s:{s:s}}", "@odata.type", fw ?
	    "#microsoft.graph.networkaccess.cloudFirewallPolicyLink" :
	    "#microsoft.graph.networkaccess.filteringPolicyLink", "state",
	    "enabled", "policy", "id", pol)) == NULL)
		sb_oom();
	if (!fw && (cli_args_set_int(o, "priority", a->val[O_PRIORITY],
	    O_PRIORITY) == -1 || (a->val[O_ACTION] != NULL &&
	    json_object_set_new(o, "action", json_string(a->val[O_ACTION])) ==
	    -1))) {
		ret = CLI_USAGE;
		goto done;
	}
	cli_policy_url(c, &u, CLI_PROF_PATH, prof, "policies", NULL);
	ret = cli_policy_post(c, &u, o, "policy link", "");
done:
	json_decref(o);
	return ret;
}

/* unlink PROFILE LINK: LINK is the link's id, or its policy's id or name. */
static int
prof_unlink(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	char		 prof[CLI_ID_MAX], lid[CLI_ID_MAX] = "";
	const json_t	*l;
	json_t		*out = NULL;
	size_t		 i;
	int		 ret;

	if ((ret = cli_policy_find(c, CLI_PROF_PATH, "security profile",
	    a->arg[0], prof)) != CLI_OK)
		return ret;
	cli_policy_url(c, &u, CLI_PROF_PATH, prof, "policies", NULL);
	if ((ret = cli_http_call(c, "GET", &u, NULL, false, &out)) != CLI_OK)
		return ret;
	json_array_foreach(json_object_get(out, "value"), i, l) {
		const char *id = cli_out_jstr(l, "id");
		const char *pid = cli_out_jstr(l, "policy.id");
		const char *pn = cli_out_jstr(l, "policy.name");

		if (id != NULL && (strcmp(id, a->arg[1]) == 0 ||
		    (pid != NULL && strcmp(pid, a->arg[1]) == 0) ||
		    (pn != NULL && strcmp(pn, a->arg[1]) == 0)))
			snprintf(lid, sizeof(lid), "%s", id);
	}
	json_decref(out);
	if (lid[0] == '\0')
		return SRV_ERR(CLI_API, "NotFound", "security profile %s links "
		    "no policy '%s'", a->arg[0], a->arg[1]);
	cli_policy_url(c, &u, CLI_PROF_PATH, prof, "policies", lid);
	return cli_policy_delete(c, a, &u, "policy link", lid);
}

static const struct cli_cmd prof_cmds[] = {
	{ "list", 0, 0, 0, false, 0, prof_list },
	{ "show", 0, 1, 1, false, 0, prof_show },
	{ "create", OM(O_PRIORITY) | OM(O_DESCRIPTION) | OM(O_BODY), 1, 1,
	    false, 0, prof_create },
	{ "delete", OM(O_YES), 1, 1, false, 0, prof_delete },
	{ "link", OM(O_PRIORITY) | OM(O_ACTION), 2, 2, false, 0, prof_link },
	{ "unlink", OM(O_YES), 2, 2, false, 0, prof_unlink },
};

const struct cli_group cli_fprofile_group = { "security-profile",
"usage: branchgate security-profile list\n"
"       branchgate security-profile show PROFILE\n"
"       branchgate security-profile create NAME --priority N "
"[--description D]\n"
"       branchgate security-profile delete PROFILE [--yes]\n"
"       branchgate security-profile link PROFILE POLICY [--priority N] "
"[--action A]\n"
"       branchgate security-profile unlink PROFILE POLICY|LINK [--yes]\n"
"\n"
"Filtering (security) profiles link policies by priority, lowest first;\n"
"the first matching rule decides. Remote network traffic is evaluated by\n"
"the baseline profile (priority 65000, name it 'baseline'), which cannot\n"
"be deleted. A profile links at most one cloud firewall policy (no\n"
"--priority for it). PROFILE and POLICY: an id or the exact name.\n",
	prof_cmds, CLI_NELEM(prof_cmds) };
