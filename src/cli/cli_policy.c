/*
 * cli_policy.c - "policy ...": filtering policies (web content filtering,
 * system-facts §3.6) and their FQDN and web category rules; and the
 * helpers the security profile and firewall commands share (cli_policy.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
#include "cli_input.h"
#include "cli_out.h"
#include "cli_policy.h"

#define NA	"#microsoft.graph.networkaccess."

void
cli_policy_url(struct cli *c, struct sbuf *u, const char *path,
    const char *id, const char *sub, const char *id2)
{
	sb_addf(u, "%s%s", c->url, path);
	if (id != NULL) {
		sb_adds(u, "/");
		cli_http_esc(c, u, id);
	}
	if (sub != NULL)
		sb_addf(u, "/%s", sub);
	if (id2 != NULL) {
		sb_adds(u, "/");
		cli_http_esc(c, u, id2);
	}
}

/* The match in list (an answer's "value") of ref, or the error said. */
static int
find_in(const json_t *list, const char *what, const char *ref, bool baseline,
    char id[CLI_ID_MAX], bool quiet)
{
	const json_t *e;
	const char *eid, *name;
	size_t i, n = 0;

	json_array_foreach(json_object_get(list, "value"), i, e) {
		eid = cli_out_jstr(e, "id");
		name = cli_out_jstr(e, "name");
		if (eid == NULL)
			continue;
		if (strcmp(eid, ref) == 0 || (name != NULL &&
		    strcmp(name, ref) == 0) || (baseline &&
		    json_integer_value(json_object_get(e, "priority")) ==
		    65000)) {
			if (n++ == 0)
				snprintf(id, CLI_ID_MAX, "%s", eid);
		}
	}
	if (n == 1)
		return CLI_OK;
	if (quiet && n == 0)
		return -1;
	if (n == 0)
		return SRV_ERR(CLI_API, "NotFound", "no %s has the id or name "
		    "'%s'", what, ref);
	return SRV_ERR(CLI_API, "AmbiguousName", "%zu %ss are named '%s'; "
	    "give the id", n, what, ref);
}

static int
find_path(struct cli *c, const char *path, const char *what, const char *ref,
    char id[CLI_ID_MAX], bool quiet)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	json_t		*out = NULL;
	bool		 baseline = strcmp(path, CLI_PROF_PATH) == 0 &&
			    strcmp(ref, "baseline") == 0;
	int		 ret;

	cli_policy_url(c, &u, path, NULL, NULL, NULL);
	sb_adds(&u, strcmp(path, CLI_PROF_PATH) == 0 ?
	    "?$select=id,name,priority" : "?$select=id,name");
	if ((ret = cli_http_call(c, "GET", &u, NULL, false, &out)) == CLI_OK)
		ret = find_in(out, what, ref, baseline, id, quiet);
	json_decref(out);
	return ret;
}

int
cli_policy_find(struct cli *c, const char *path, const char *what,
    const char *ref, char id[CLI_ID_MAX])
{
	return find_path(c, path, what, ref, id, false);
}

int
cli_policy_find_any(struct cli *c, const char *ref, char id[CLI_ID_MAX],
    bool *fw)
{
	int	 ret;

	*fw = false;
	if ((ret = find_path(c, CLI_FP_PATH, "policy", ref, id, true)) != -1)
		return ret;
	*fw = true;
	return find_path(c, CLI_FW_PATH, "policy", ref, id, false);
}

int
cli_policy_delete(struct cli *c, struct args *a, struct sbuf *u,
    const char *what, const char *label)
{
	struct sbuf		 q = SB_INIT(CLI_URL_MAX);
	enum cli_input_confirm	 mode = cli_input_confirm_mode(a);
	json_t			*o = NULL;
	int			 ret;

	if (mode == CLI_INPUT_REFUSE) {
		sb_free(u);
		return CLI_ERR(CLI_USAGE, "NotConfirmed", "not deleting %s "
		    "%s: there is no terminal to confirm on; pass --yes (or "
		    "set BRANCHGATE_YES=1)", what, label);
	}
	if (mode == CLI_INPUT_ASK) {
		sb_addf(&q, "%s %s", what, label);
		if ((ret = cli_input_confirm_ask(q.p)) != CLI_OK) {
			sb_free(&q);
			sb_free(u);
			return ret;
		}
		sb_free(&q);
	}
	if ((ret = cli_http_call(c, "DELETE", u, NULL, false, &o)) == CLI_OK &&
	    !c->json)
		cli_out_f(stdout, "deleted %s %s\n", what, label);
	json_decref(o);
	return ret;
}

int
cli_policy_body(const struct args *a, const struct cli_args_key *keys,
    size_t nkeys, json_t **o)
{
	bool	 stdin_used = false;
	int	 ret, errs;

	if ((ret = cli_input_body(a, &stdin_used, o)) != CLI_OK)
		return ret;
	errs = json_object_set_new(*o, "name", json_string(a->arg[0])) == -1;
	errs += cli_args_set(a, *o, keys, nkeys);
	if (errs != 0)
		return cli_out_usage("arguments must be valid UTF-8");
	return CLI_OK;
}

int
cli_policy_post(struct cli *c, struct sbuf *u, const json_t *o,
    const char *what, const char *note)
{
	json_t	*out = NULL;
	int	 ret;

	if ((ret = cli_http_call(c, "POST", u, o, false, &out)) == CLI_OK)
		cli_out_created(c, out, what, note);
	json_decref(out);
	return ret;
}

/* --- policy list / show ----------------------------------------------- */

static const char *
pol_kind(const json_t *p, const void *ctx, struct sbuf *tmp)
{
	const char	*t = cli_out_jstr(p, "@odata.type");

	(void)ctx;
	sb_adds(tmp, t != NULL && strstr(t, "cloudFirewall") ? "firewall" :
	    "filtering");
	return tmp->p;
}

static const char *
pol_nrules(const json_t *p, const void *ctx, struct sbuf *tmp)
{
	(void)ctx;
	sb_addf(tmp, "%zu", json_array_size(json_object_get(p,
	    "policyRules")));
	return tmp->p;
}

static const struct cli_col pol_cols[] = {
	{ "ID", "id", NULL },
	{ "NAME", "name", NULL },
	{ "KIND", NULL, pol_kind },
	{ "ACTION", "action", NULL },
	{ "RULES", NULL, pol_nrules },
};

static void
pol_table(const json_t *o)
{
	cli_out_table(json_object_get(o, "value"), pol_cols,
	    CLI_NELEM(pol_cols), NULL);
}

/* Both collections, the filtering policies first. */
static int
policy_list(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	json_t		*fp = NULL, *fw = NULL;
	int		 ret;

	(void)a;
	cli_policy_url(c, &u, CLI_FP_PATH, NULL, NULL, NULL);
	sb_adds(&u, "?$expand=policyRules");
	if ((ret = cli_http_call(c, "GET", &u, NULL, false, &fp)) != CLI_OK)
		goto done;
	cli_policy_url(c, &u, CLI_FW_PATH, NULL, NULL, NULL);
	sb_adds(&u, "?$expand=policyRules");
	if ((ret = cli_http_call(c, "GET", &u, NULL, false, &fw)) != CLI_OK)
		goto done;
	json_array_extend(json_object_get(fp, "value"),
	    json_object_get(fw, "value"));
	json_object_del(fp, "@odata.context");
	cli_out_show(c, fp, pol_table);
done:
	json_decref(fp);
	json_decref(fw);
	return ret;
}

/* A rule's destinations (or firewall conditions) as one cell. */
static const char *
rule_what(const json_t *r, const void *ctx, struct sbuf *tmp)
{
	const json_t	*d, *mc, *side, *ad, *v;
	size_t		 i, k, m;
	const char	*sides[2] = { "sources", "destinations" };

	(void)ctx;
	json_array_foreach(json_object_get(r, "destinations"), i, d) {
		const char *s = cli_out_jstr(d, "value") ?
		    cli_out_jstr(d, "value") : cli_out_jstr(d, "name");

		sb_addf(tmp, "%s%s", i > 0 ? "," : "", s != NULL ? s : "?");
	}
	if ((mc = json_object_get(r, "matchingConditions")) == NULL)
		return tmp->p != NULL ? tmp->p : "-";
	for (k = 0; k < 2; k++) {
		if (!json_is_object(side = json_object_get(mc, sides[k])))
			continue;
		sb_addf(tmp, "%s%s", tmp->p != NULL ? " " : "",
		    k == 0 ? "from " : "to ");
		m = 0;
		json_array_foreach(json_object_get(side, "addresses"), i, ad)
			json_array_foreach(json_object_get(ad, "values"), m, v)
				sb_addf(tmp, "%s%s", m > 0 ? "," : "",
				    json_string_value(v));
		if (json_array_size(json_object_get(side, "addresses")) == 0)
			sb_adds(tmp, "any");
		json_array_foreach(json_object_get(side, "ports"), i, v)
			sb_addf(tmp, "%s%s", i > 0 ? "," : " port ",
			    json_string_value(v));
		if (k == 1 && cli_out_jstr(side, "protocols") != NULL)
			sb_addf(tmp, " %s", cli_out_jstr(side, "protocols"));
	}
	return tmp->p != NULL ? tmp->p : "-";
}

static const struct cli_col rule_cols[] = {
	{ "ID", "id", NULL },
	{ "NAME", "name", NULL },
	{ "TYPE", "ruleType", NULL },
	{ "DESTINATIONS", NULL, rule_what },
};

void
cli_policy_rules_table(const json_t *rules)
{
	cli_out_table(rules, rule_cols, CLI_NELEM(rule_cols), NULL);
}

static const struct cli_field pol_fields[] = {
	{ "id", "id" },
	{ "name", "name" },
	{ "description", "description" },
	{ "action", "action" },
};

static void
pol_show(const json_t *o)
{
	cli_out_fields(o, pol_fields, CLI_NELEM(pol_fields));
	cli_out_meta(o);
	cli_out_f(stdout, "\n");
	cli_policy_rules_table(json_object_get(o, "policyRules"));
}

/* u = the URL of the policy of either kind whose id or name is ref. */
static int
policy_url(struct cli *c, const char *ref, struct sbuf *u)
{
	char	 id[CLI_ID_MAX];
	bool	 fw;
	int	 ret;

	if ((ret = cli_policy_find_any(c, ref, id, &fw)) != CLI_OK)
		return ret;
	cli_policy_url(c, u, fw ? CLI_FW_PATH : CLI_FP_PATH, id, NULL, NULL);
	return CLI_OK;
}

static int
policy_show(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	int		 ret;

	if ((ret = policy_url(c, a->arg[0], &u)) != CLI_OK)
		return ret;
	sb_adds(&u, "?$expand=policyRules");
	return cli_http_show(c, &u, pol_show);
}

static int
policy_create(struct cli *c, struct args *a)
{
	static const struct cli_args_key keys[] = {
		{ O_ACTION, "action" },
		{ O_DESCRIPTION, "description" },
	};
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	json_t		*o = NULL;
	int		 ret;

	if ((ret = cli_policy_body(a, keys, CLI_NELEM(keys), &o)) == CLI_OK) {
		cli_policy_url(c, &u, CLI_FP_PATH, NULL, NULL, NULL);
		ret = cli_policy_post(c, &u, o, "filtering policy", "");
	}
	json_decref(o);
	return ret;
}

static int
policy_delete(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	int		 ret;

	if ((ret = policy_url(c, a->arg[0], &u)) != CLI_OK)
		return ret;
	return cli_policy_delete(c, a, &u, "policy", a->arg[0]);
}

/* --- policy rule add | list | delete ------------------------------------ */

static int
rule_add(struct cli *c, struct args *a, const char *pid)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	json_t		*o, *d;
	bool		 cat = a->nlist[O_CATEGORY] > 0;
	size_t		 i, n;
	int		 ret, errs = 0;

	if (a->narg != 3)
		return cli_out_usage("policy rule add POLICY NAME (--fqdn F... "
		    "| --category C...)");
	if (cat == (a->nlist[O_FQDN] > 0))
		return cli_out_usage("policy rule add needs --fqdn or "
		    "--category (not both)");
	if ((o = json_pack("{s:s, s:s, s:s}", "@odata.type", cat ?
	    NA "webCategoryFilteringRule" : NA "fqdnFilteringRule",
	    "ruleType", cat ? "webCategory" : "fqdn", "name",
	    a->arg[2])) == NULL)
		return cli_out_usage("NAME must be valid UTF-8");
	d = json_array();
	n = a->nlist[cat ? O_CATEGORY : O_FQDN];
	for (i = 0; i < n; i++)
		errs += json_array_append_new(d, json_pack("{s:s, s:s}",
		    "@odata.type", cat ? NA "webCategory" : NA "fqdn",
		    cat ? "name" : "value",
		    a->list[cat ? O_CATEGORY : O_FQDN][i])) == -1;
	errs += json_object_set_new(o, "destinations", d) == -1;
	if (errs != 0) {
		ret = cli_out_usage("arguments must be valid UTF-8");
		goto done;
	}
	cli_policy_url(c, &u, CLI_FP_PATH, pid, "policyRules", NULL);
	ret = cli_policy_post(c, &u, o, "rule", "");
done:
	json_decref(o);
	return ret;
}

static void
rules_show(const json_t *o)
{
	cli_policy_rules_table(json_object_get(o, "value"));
}

static int
policy_rule(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	char		 pid[CLI_ID_MAX], rid[CLI_ID_MAX];
	const char	*verb = a->arg[0];
	bool		 fw;
	int		 ret;

	if (a->narg < 2)
		return cli_out_usage("policy rule add|list|delete POLICY ...");
	if (strcmp(verb, "add") != 0 && strcmp(verb, "list") != 0 &&
	    strcmp(verb, "delete") != 0)
		return cli_out_usage("unknown command 'policy rule %s'", verb);
	if ((strcmp(verb, "add") != 0 && (a->nlist[O_FQDN] > 0 ||
	    a->nlist[O_CATEGORY] > 0)) || (strcmp(verb, "delete") != 0 &&
	    a->set[O_YES]))
		return cli_out_usage("'policy rule %s' does not take that "
		    "option", verb);
	if ((ret = cli_policy_find_any(c, a->arg[1], pid, &fw)) != CLI_OK)
		return ret;
	if (fw)
		return SRV_ERR(CLI_API, "BadRequest", "'%s' is a cloud firewall "
		    "policy: use 'branchgate firewall rule ...'", a->arg[1]);
	if (strcmp(verb, "add") == 0)
		return rule_add(c, a, pid);
	if (strcmp(verb, "list") == 0) {
		if (a->narg != 2)
			return cli_out_usage("policy rule list POLICY");
		cli_policy_url(c, &u, CLI_FP_PATH, pid, "policyRules", NULL);
		return cli_http_show(c, &u, rules_show);
	}
	if (a->narg != 3)
		return cli_out_usage("policy rule delete POLICY RULE [--yes]");
	cli_policy_url(c, &u, CLI_FP_PATH, pid, NULL, NULL);
	sb_adds(&u, "/policyRules");
	if ((ret = cli_policy_find(c, u.p + strlen(c->url), "rule", a->arg[2],
	    rid)) != CLI_OK) {
		sb_free(&u);
		return ret;
	}
	sb_free(&u);
	cli_policy_url(c, &u, CLI_FP_PATH, pid, "policyRules", rid);
	return cli_policy_delete(c, a, &u, "rule", a->arg[2]);
}

static const struct cli_cmd policy_cmds[] = {
	{ "list", 0, 0, 0, false, 0, policy_list },
	{ "show", 0, 1, 1, false, 0, policy_show },
	{ "create", OM(O_ACTION) | OM(O_DESCRIPTION) | OM(O_BODY), 1, 1,
	    false, 0, policy_create },
	{ "delete", OM(O_YES), 1, 1, false, 0, policy_delete },
	{ "rule", OM(O_FQDN) | OM(O_CATEGORY) | OM(O_YES), 2, 3, false, 0,
	    policy_rule },
};

const struct cli_group cli_policy_group = { "policy",
"usage: branchgate policy list\n"
"       branchgate policy show POLICY\n"
"       branchgate policy create NAME [--action block|allow] "
"[--description D]\n"
"       branchgate policy delete POLICY [--yes]\n"
"       branchgate policy rule add POLICY NAME --fqdn F [--fqdn F]...\n"
"       branchgate policy rule add POLICY NAME --category C [--category C]...\n"
"       branchgate policy rule list POLICY\n"
"       branchgate policy rule delete POLICY RULE [--yes]\n"
"\n"
"Filtering policies (web content filtering): FQDN rules (\"*.contoso.com\"\n"
"covers every name below contoso.com) and web category rules (see GET\n"
"/networkAccess/connectivity/webCategories). A policy acts once linked to a\n"
"security profile: 'branchgate security-profile link baseline POLICY\n"
"--priority N'. 'policy list' also shows cloud firewall policies.\n"
"\n"
"POLICY and RULE: an id or the exact name.\n",
	policy_cmds, CLI_NELEM(policy_cmds) };
