/*
 * cli_rn.c - "rn ...": remote networks (system-facts §3.3) and the
 * forwarding profiles assigned to them.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
#include "cli_input.h"
#include "cli_out.h"
#include "cli_profile.h"

#define EXPAND_ALL	"?$expand=deviceLinks,forwardingProfiles"

static const char *
rn_links(const json_t *rn, const void *ctx, struct sbuf *tmp)
{
	(void)ctx;
	sb_addf(tmp, "%zu", json_array_size(json_object_get(rn,
	    "deviceLinks")));
	return tmp->p;
}

/* "a,b": the profiles' names (ids when unnamed). */
static const char *
rn_profile_names(const json_t *rn, const void *ctx, struct sbuf *tmp)
{
	const json_t	*p;
	const char	*nm;
	size_t		 k;

	(void)ctx;
	json_array_foreach(json_object_get(rn, "forwardingProfiles"), k, p) {
		nm = cli_out_jstr(p, "name") ? cli_out_jstr(p, "name") :
		    cli_out_jstr(p, "id");
		sb_addf(tmp, "%s%s", k > 0 ? "," : "", nm != NULL ? nm : "?");
	}
	return tmp->p;
}

static const struct cli_col rn_cols[] = {
	{ "ID", "id", NULL },
	{ "NAME", "name", NULL },
	{ "REGION", "region", NULL },
	{ "MODIFIED", "lastModifiedDateTime", NULL },
};

static const struct cli_col rn_cols_expanded[] = {
	{ "ID", "id", NULL },
	{ "NAME", "name", NULL },
	{ "REGION", "region", NULL },
	{ "LINKS", NULL, rn_links },
	{ "PROFILES", NULL, rn_profile_names },
	{ "MODIFIED", "lastModifiedDateTime", NULL },
};

static void
rn_table(const json_t *o)
{
	cli_out_table(json_object_get(o, "value"), rn_cols,
	    CLI_NELEM(rn_cols), NULL);
}

static void
rn_table_expanded(const json_t *o)
{
	cli_out_table(json_object_get(o, "value"), rn_cols_expanded,
	    CLI_NELEM(rn_cols_expanded), NULL);
}

static int
rn_list(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);

	cli_http_url_rn(c, &u, NULL, NULL, NULL, NULL);
	if (!a->set[O_EXPAND])
		return cli_http_show(c, &u, rn_table);
	sb_adds(&u, EXPAND_ALL);
	return cli_http_show(c, &u, rn_table_expanded);
}

static const struct cli_field rn_fields[] = {
	{ "id", "id" },
	{ "name", "name" },
	{ "region", "region" },
};

static void
rn_show(const json_t *o)
{
	cli_out_fields(o, rn_fields, CLI_NELEM(rn_fields));
	cli_out_meta(o);
	cli_out_kv_list("device links", json_object_get(o, "deviceLinks"));
	cli_out_kv_list("profiles", json_object_get(o, "forwardingProfiles"));
}

static int
rn_get(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);

	cli_http_url_rn(c, &u, a->arg[0], NULL, NULL, NULL);
	if (a->set[O_EXPAND])
		sb_adds(&u, EXPAND_ALL);
	return cli_http_show(c, &u, rn_show);
}

static const struct cli_args_key rn_keys[] = {
	{ O_NAME, "name" },
	{ O_REGION, "region" },
};

/* {"id": id} */
static json_t *
rn_ref(const char *id)
{
	json_t	*o;

	if ((o = json_object()) == NULL)
		sb_oom();
	if (json_object_set_new(o, "id", json_string(id)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* rn create and rn update: the body, with --name (and --region) over it. */
static int
rn_write(struct cli *c, struct args *a, bool create)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	json_t		*o = NULL, *out = NULL, *fp;
	bool		 stdin_used = false;
	size_t		 i;
	int		 ret, errs;

	if (create && a->val[O_BODY] == NULL &&
	    (a->val[O_NAME] == NULL || a->val[O_REGION] == NULL))
		return cli_out_usage("rn create needs --name and --region "
		    "(or --body FILE)");
	if (!create && a->val[O_BODY] == NULL && a->val[O_NAME] == NULL)
		return cli_out_usage("rn update needs --name (or --body "
		    "FILE)");
	if ((ret = cli_input_body(a, &stdin_used, &o)) != CLI_OK)
		return ret;
	errs = cli_args_set(a, o, rn_keys, CLI_NELEM(rn_keys));
	if (a->nlist[O_PROFILE] > 0) {
		fp = json_object_get(o, "forwardingProfiles");
		if (!json_is_array(fp)) {
			fp = json_array();
			errs += json_object_set_new(o, "forwardingProfiles",
			    fp) == -1;
		}
		for (i = 0; i < a->nlist[O_PROFILE]; i++)
			errs += json_array_append_new(fp,
			    rn_ref(a->list[O_PROFILE][i])) == -1;
	}
	if (errs != 0) {
		ret = cli_out_usage(create ? "arguments must be valid UTF-8" :
		    "--name must be valid UTF-8");
		goto done;
	}
	if (!create && (ret = cli_http_resolve(c, CLI_REF_RN, a)) != CLI_OK)
		goto done;
	cli_http_url_rn(c, &u, create ? NULL : a->arg[0], NULL, NULL, NULL);
	ret = cli_http_call(c, create ? "POST" : "PATCH", &u, o, false, &out);
	if (ret != CLI_OK)
		goto done;
	if (create)
		cli_out_created(c, out, "remote network", "");
	else if (c->json)
		cli_out_json(out);
	else
		cli_out_f(stdout, "updated remote network %s\n", a->arg[0]);
done:
	json_decref(o);
	json_decref(out);
	sb_free(&u);
	return ret;
}

static int
rn_create(struct cli *c, struct args *a)
{
	return rn_write(c, a, true);
}

static int
rn_update(struct cli *c, struct args *a)
{
	return rn_write(c, a, false);
}

static void
rn_ask(struct sbuf *q, const json_t *rn, const struct args *a)
{
	size_t	 n = json_array_size(json_object_get(rn, "deviceLinks"));

	sb_addf(q, "remote network '%s' (%s) and its %zu device link%s",
	    cli_out_jstr(rn, "name") ? cli_out_jstr(rn, "name") : "?",
	    a->arg[0], n, n == 1 ? "" : "s");
}

static const struct cli_http_del rn_del = {
	"remote network", CLI_REF_RN, "?$expand=deviceLinks", rn_ask
};

static int
rn_delete(struct cli *c, struct args *a)
{
	return cli_http_delete(c, a, &rn_del);
}

static int
rn_profiles(struct cli *c, struct args *a)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);

	cli_http_url_rn(c, &u, a->arg[0], "forwardingProfiles", NULL, NULL);
	return cli_http_show(c, &u, cli_profile_show);
}

/* rn assign / unassign: one OData delta PATCH of the profile set. */
static int
rn_profiles_delta(struct cli *c, struct args *a, bool remove)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	json_t		*o, *arr, *e, *out = NULL;
	size_t		 i;
	int		 ret, errs = 0;

	if ((o = json_pack("{s:s, s:[]}", "@odata.context", "#$delta",
	    "value")) == NULL)
		sb_oom();
	arr = json_object_get(o, "value");
	for (i = 1; i < a->narg; i++) {
		if ((e = rn_ref(a->arg[i])) != NULL && remove)
			errs += json_object_set_new(e, "@removed",
			    json_pack("{s:s}", "reason", "deleted")) == -1;
		errs += json_array_append_new(arr, e) == -1;
	}
	if (errs != 0) {
		ret = cli_out_usage("profile ids must be valid UTF-8");
		goto done;
	}
	cli_http_url_rn(c, &u, a->arg[0], "forwardingProfiles", NULL, NULL);
	if ((ret = cli_http_call(c, "PATCH", &u, o, false, &out)) != CLI_OK)
		goto done;
	if (c->json)
		cli_out_json(out);
	else
		for (i = 1; i < a->narg; i++)
			cli_out_f(stdout, "%s profile %s %s remote network "
			    "%s\n", remove ? "unassigned" : "assigned",
			    a->arg[i], remove ? "from" : "to", a->arg[0]);
done:
	json_decref(o);
	json_decref(out);
	return ret;
}

static int
rn_assign(struct cli *c, struct args *a)
{
	return rn_profiles_delta(c, a, false);
}

static int
rn_unassign(struct cli *c, struct args *a)
{
	return rn_profiles_delta(c, a, true);
}

static const struct cli_cmd rn_cmds[] = {
	{ "list", OM(O_EXPAND), 0, 0, false, 0, rn_list },
	{ "get", OM(O_EXPAND), 1, 1, false, CLI_REF_RN, rn_get },
	{ "create", OM(O_NAME) | OM(O_REGION) | OM(O_PROFILE) | OM(O_BODY),
	    0, 0, false, 0, rn_create },
	{ "update", OM(O_NAME) | OM(O_BODY), 1, 1, false, 0, rn_update },
	{ "delete", OM(O_YES), 1, 1, false, 0, rn_delete },
	{ "profiles", 0, 1, 1, false, CLI_REF_RN, rn_profiles },
	{ "assign", 0, 2, SIZE_MAX, false, CLI_REF_RN, rn_assign },
	{ "unassign", 0, 2, SIZE_MAX, false, CLI_REF_RN, rn_unassign },
};

const struct cli_group cli_rn_group = { "rn",
"usage: branchgate rn list [--expand]\n"
"       branchgate rn get ID [--expand]\n"
"       branchgate rn create --name N --region R [--profile PROFILE_ID]...\n"
"       branchgate rn create --body FILE|-\n"
"       branchgate rn update ID --name N | --body FILE|-\n"
"       branchgate rn delete ID [--yes]\n"
"       branchgate rn profiles RN\n"
"       branchgate rn assign RN PROFILE_ID...\n"
"       branchgate rn unassign RN PROFILE_ID...\n"
"\n"
"  --expand    include device links and forwarding profiles\n"
"  --region R  a Graph region name, e.g. westEurope, eastUS\n"
"  --profile   assign a forwarding profile at creation (repeatable)\n"
"  --body F    JSON request body from file F ('-' = stdin); --name etc.\n"
"              override its fields\n"
"  --yes, -y   delete without asking (a terminal asks; BRANCHGATE_YES=1 "
"too;\n"
"              without a terminal a delete needs it)\n"
"\n"
"ID and RN: the remote network's id or its exact name.\n",
	rn_cmds, CLI_NELEM(rn_cmds) };
