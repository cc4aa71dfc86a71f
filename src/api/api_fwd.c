/*
 * api_fwd.c - forwarding policies and their rules, as each tenant sees
 * them (system-facts §3.5; docs/api.md "Forwarding policies"):
 *
 *   /networkAccess/forwardingPolicies[/{id}[/policyRules[/{ruleId}]]]
 *   /networkAccess/forwardingProfiles/{id}/policies/{linkId}
 *
 * The policies are the built-in ones of the Microsoft 365 and Internet
 * Access profiles (model_fwdcat, the same ids in every tenant); what a
 * tenant changes is stored as rows (store_fwd_*, model_fwd.h) and applied
 * by model_fwdcat_links(), so every answer here and the profile endpoints
 * (api_profile.c, api_profile_links) render one view:
 *   - a Microsoft 365 rule's action: PATCH {"action": "bypass"|"forward"};
 *   - a Microsoft 365 policy link's state: PATCH {"state": ...} on the
 *     profile's policies/{linkId} (a disabled group bypasses its rules);
 *   - the Internet Access Custom Bypass policy's rules: POST, PATCH,
 *     DELETE (IP address, range and subnet destinations only: a route
 *     cannot carry a name).
 * The Internet Access default rules are not editable, as in Graph's
 * portal. PATCH answers 204 (200 with the object on Prefer:
 * return=representation), POST 201 with the rule, DELETE 204.
 */
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "guid.h"
#include "model_fwd.h"
#include "wallclock.h"

#define NS		"#microsoft.graph.networkaccess."
#define FWD_SET		"networkAccess/forwardingPolicies"
#define FWD_POL_TYPE	"microsoft.graph.networkaccess.forwardingPolicy"
#define FWD_RULE_TYPE	"microsoft.graph.networkaccess.forwardingRule"
#define FWD_LINK_TYPE	"microsoft.graph.networkaccess.forwardingPolicyLink"
#define FWD_CUSTOM_TYPE	NS "internetAccessForwardingRule"

/* The traffic types whose policies a tenant sees here, in profile order. */
static const int fwd_traffic[] = { MODEL_TRAFFIC_M365, MODEL_TRAFFIC_INTERNET };
#define FWD_NTRAFFIC	(sizeof(fwd_traffic) / sizeof(fwd_traffic[0]))

static const char *const fwd_pol_fields[] = {
	"id", "name", "description", "trafficForwardingType", "version",
	"policyRules", NULL
};
static const char *const fwd_pol_expand[] = { "policyRules", NULL };
static const char *const fwd_rule_fields[] = {
	"id", "name", "description", "ruleType", "action", "destinations",
	"protocol", "ports", "category", NULL
};
static const char *const fwd_link_fields[] = {
	"id", "state", "version", "policy", NULL
};

/*
 * What a tenant sees: its rows and, per traffic type, the policy links
 * with the rows applied. Built once per request.
 */
struct fwd_view {
	struct model_fwd_rule	*rows;
	size_t			 nrows;
	json_t			*links[FWD_NTRAFFIC];
};

static void
fwd_view_free(struct fwd_view *v)
{
	size_t i;

	for (i = 0; i < FWD_NTRAFFIC; i++)
		json_decref(v->links[i]);
	free(v->rows);
	memset(v, 0, sizeof(*v));
}

/* 0, or -1 with the 5xx set. */
static int
fwd_view_load(struct api_req *r, struct fwd_view *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	if (store_fwd_list(r->api->store, r->tenant.id, &v->rows,
	    &v->nrows) != 0)
		goto fail;
	for (i = 0; i < FWD_NTRAFFIC; i++)
		if ((v->links[i] = model_fwdcat_links(r->api->fwdcat,
		    fwd_traffic[i], v->rows, v->nrows)) == NULL)
			goto fail;
	return 0;
fail:
	fwd_view_free(v);
	api_error_store(r);
	return -1;
}

/* o[key] as a string, "" when it is not one. */
static const char *
fwd_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static json_t *
fwd_by_id(json_t *a, const char *id)
{
	json_t *o;
	size_t i;

	json_array_foreach(a, i, o)
		if (strcmp(fwd_str(o, "id"), id) == 0)
			return o;
	return NULL;
}

/* The policy (borrowed from v) named id; NULL if none. */
static json_t *
fwd_policy(const struct fwd_view *v, const char *id)
{
	json_t *l, *p;
	size_t i, k;

	for (i = 0; i < FWD_NTRAFFIC; i++)
		json_array_foreach(v->links[i], k, l) {
			p = json_object_get(l, "policy");
			if (strcmp(fwd_str(p, "id"), id) == 0)
				return p;
		}
	return NULL;
}

/* The path's policy, seg[2], and what the catalogue says of it; 404 set. */
static json_t *
fwd_policy_load(struct api_req *r, const struct fwd_view *v,
    struct model_fwdcat_ref *ref)
{
	json_t *p = NULL;

	if (guid_valid(r->seg[2]) && model_fwdcat_find(r->api->fwdcat,
	    r->seg[2], ref) == 0 && ref->what == MODEL_FWDCAT_POLICY)
		p = fwd_policy(v, r->seg[2]);
	if (p == NULL)
		api_error(r, 404, "NotFound", "id", "forwarding policy '%.64s' "
		    "not found", r->seg[2]);
	return p;
}

static json_t *
fwd_rule_load(struct api_req *r, json_t *pol)
{
	json_t *o = NULL;

	if (guid_valid(r->seg[4]))
		o = fwd_by_id(json_object_get(pol, "policyRules"), r->seg[4]);
	if (o == NULL)
		api_error(r, 404, "NotFound", "id", "rule '%.64s' not found in "
		    "forwarding policy %s", r->seg[4], r->seg[2]);
	return o;
}

/* The tenant's stored row id, or NULL. */
static const struct model_fwd_rule *
fwd_row(const struct fwd_view *v, const char *id)
{
	size_t i;

	for (i = 0; i < v->nrows; i++)
		if (strcmp(v->rows[i].id, id) == 0)
			return &v->rows[i];
	return NULL;
}

static int
fwd_pol_query(struct api_req *r, const char *const *allowed)
{
	if (api_query_check(r, allowed) == -1 ||
	    api_expand_check(r, fwd_pol_expand, NULL, "forwarding policies "
	    "expand policyRules, without nested options") == -1 ||
	    api_select_check(r, fwd_pol_fields, FWD_POL_TYPE) == -1)
		return -1;
	return 0;
}

static int
fwd_rule_query(struct api_req *r, const char *const *allowed)
{
	if (api_query_check(r, allowed) == -1 ||
	    api_select_check(r, fwd_rule_fields, FWD_RULE_TYPE) == -1)
		return -1;
	return 0;
}

/* A copy of o with $select applied; NULL on no memory. */
static json_t *
fwd_copy(struct api_req *r, const json_t *o)
{
	json_t *c = json_deep_copy(o);

	if (c != NULL)
		api_select_apply(r, c);
	return c;
}

void
api_fwd_policy_list(struct api_req *r)
{
	static const char *const q[] = { "$expand", "$select", "$count", NULL };
	struct fwd_view v;
	json_t *a, *l, *o;
	size_t i, k;

	if (fwd_pol_query(r, q) == -1 || fwd_view_load(r, &v) == -1)
		return;
	a = json_array();
	for (i = 0; a != NULL && i < FWD_NTRAFFIC; i++)
		json_array_foreach(v.links[i], k, l) {
			if ((o = fwd_copy(r, json_object_get(l, "policy"))) ==
			    NULL || json_array_append_new(a, o) == -1) {
				json_decref(a);
				a = NULL;
				break;
			}
		}
	fwd_view_free(&v);
	if (a == NULL) {
		api_error_store(r);
		return;
	}
	api_reply_collection(r, a, NULL, "%s", FWD_SET);
}

void
api_fwd_policy_get(struct api_req *r)
{
	static const char *const q[] = { "$expand", "$select", NULL };
	struct model_fwdcat_ref ref;
	struct fwd_view v;
	json_t *p, *o = NULL;

	if (fwd_pol_query(r, q) == -1 || fwd_view_load(r, &v) == -1)
		return;
	if ((p = fwd_policy_load(r, &v, &ref)) != NULL) {
		if ((o = fwd_copy(r, p)) == NULL)
			api_error_store(r);
		else
			api_reply_entity(r, 200, o, "%s", FWD_SET);
	}
	fwd_view_free(&v);
}

void
api_fwd_rule_list(struct api_req *r)
{
	static const char *const q[] = { "$select", "$count", NULL };
	struct model_fwdcat_ref ref;
	struct fwd_view v;
	json_t *p, *a, *o;
	size_t i;

	if (fwd_rule_query(r, q) == -1 || fwd_view_load(r, &v) == -1)
		return;
	if ((p = fwd_policy_load(r, &v, &ref)) == NULL)
		goto out;
	if ((a = json_deep_copy(json_object_get(p, "policyRules"))) == NULL)
		a = json_array();
	if (a == NULL) {
		api_error_store(r);
		goto out;
	}
	json_array_foreach(a, i, o)
		api_select_apply(r, o);
	api_reply_collection(r, a, NULL, "%s('%s')/policyRules", FWD_SET,
	    r->seg[2]);
out:
	fwd_view_free(&v);
}

void
api_fwd_rule_get(struct api_req *r)
{
	static const char *const q[] = { "$select", NULL };
	struct model_fwdcat_ref ref;
	struct fwd_view v;
	json_t *p, *o;

	if (fwd_rule_query(r, q) == -1 || fwd_view_load(r, &v) == -1)
		return;
	if ((p = fwd_policy_load(r, &v, &ref)) != NULL &&
	    (o = fwd_rule_load(r, p)) != NULL) {
		if ((o = fwd_copy(r, o)) == NULL)
			api_error_store(r);
		else
			api_reply_entity(r, 200, o, "%s('%s')/policyRules",
			    FWD_SET, r->seg[2]);
	}
	fwd_view_free(&v);
}

/* --- writes -------------------------------------------------------------- */

/*
 * Read-only members every write ignores, whatever their value, as
 * model_validate.c and model_patch.c do (OData Part 1 §11.4.3), so a
 * client may send back what it read.
 */
static bool
fwd_ignored(const char *key)
{
	return strcmp(key, "id") == 0 || strcmp(key, "version") == 0 ||
	    strcmp(key, "lastModifiedDateTime") == 0 ||
	    strcmp(key, "@odata.context") == 0;
}

/* "@odata.type", if given, must be want (the object's type cannot change). */
static void
fwd_check_type(const json_t *v, const char *want, struct model_errs *errs)
{
	if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0)
		model_errs_add(errs, "@odata.type", "@odata.type must be '%s'",
		    want);
}

/* A string member of at most MODEL_NAME_MAX bytes, at least one if need. */
static void
fwd_text(const json_t *v, const char *key, bool need, char *out,
    size_t size, struct model_errs *errs)
{
	size_t len;

	if (!json_is_string(v)) {
		model_errs_add(errs, key, "%s must be a string", key);
		return;
	}
	len = json_string_length(v);
	if (len >= size || memchr(json_string_value(v), '\0', len) != NULL) {
		model_errs_add(errs, key, "%s must be at most %zu characters, "
		    "without NUL", key, size - 1);
		return;
	}
	if (need && len == 0) {
		model_errs_add(errs, key, "%s must not be empty", key);
		return;
	}
	memcpy(out, json_string_value(v), len + 1);
}

/* A write's outcome as the answer: 204, or 200 with the object. */
static void
fwd_reply_written(struct api_req *r, unsigned status, const char *policy_id,
    const char *rule_id)
{
	struct fwd_view v;
	json_t *p, *o;

	if (status == 204 && !api_prefer_representation(r)) {
		r->status = 204;
		return;
	}
	if (fwd_view_load(r, &v) == -1)
		return;
	if ((p = fwd_policy(&v, policy_id)) == NULL ||
	    (o = fwd_by_id(json_object_get(p, "policyRules"),
	    rule_id)) == NULL || (o = json_deep_copy(o)) == NULL)
		api_error_store(r);
	else
		api_reply_entity(r, status == 204 ? 200 : status, o,
		    "%s('%s')/policyRules", FWD_SET, policy_id);
	fwd_view_free(&v);
}

int
api_fwd_custom_parse(const json_t *j, const struct model_fwd_rule *cur,
    struct model_fwd_rule *out, struct model_errs *errs)
{
	const char *key;
	json_t *v;
	size_t start = errs->count;

	if (cur != NULL)
		*out = *cur;
	else
		memset(out, 0, sizeof(*out));
	out->kind = MODEL_FWD_CUSTOM;
	out->action = MODEL_FWD_BYPASS;
	json_object_foreach((json_t *)(uintptr_t)j, key, v) {
		if (strcmp(key, "@odata.type") == 0)
			fwd_check_type(v, FWD_CUSTOM_TYPE, errs);
		else if (fwd_ignored(key) || strcmp(key, "ruleType") == 0)
			continue;	/* ruleType follows the destinations */
		else if (strcmp(key, "name") == 0)
			fwd_text(v, "name", true, out->name, sizeof(out->name),
			    errs);
		else if (strcmp(key, "description") == 0)
			fwd_text(v, "description", false, out->description,
			    sizeof(out->description), errs);
		else if (strcmp(key, "action") == 0) {
			if (!json_is_string(v) ||
			    strcmp(json_string_value(v), "bypass") != 0)
				model_errs_add(errs, "action", "action must be "
				    "'bypass': the Custom Bypass policy's rules "
				    "keep traffic local to the branch");
		} else if (strcmp(key, "destinations") == 0) {
			if (model_fwd_dst_parse(v, out->dst, &out->ndst, errs,
			    "destinations") == 0 && out->ndst == 0)
				model_errs_add(errs, "destinations",
				    "destinations must list at least one "
				    "ipAddress, ipRange or ipSubnet");
		} else
			model_errs_add(errs, key, "unknown property '%.64s'",
			    key);
	}
	if (cur == NULL && json_object_get(j, "name") == NULL)
		model_errs_add(errs, "name", "name is required");
	if (cur == NULL && json_object_get(j, "destinations") == NULL)
		model_errs_add(errs, "destinations", "destinations is required: "
		    "an array of ipAddress, ipRange or ipSubnet objects");
	return errs->count > start ? -1 : 0;
}

void
api_fwd_rule_create(struct api_req *r)
{
	struct model_fwdcat_ref ref;
	struct model_errs errs;
	struct model_fwd_rule rule;
	struct fwd_view v;
	const json_t *j;
	bool found;
	int rc;

	memset(&errs, 0, sizeof(errs));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL ||
	    fwd_view_load(r, &v) == -1)
		return;
	found = fwd_policy_load(r, &v, &ref) != NULL;
	fwd_view_free(&v);
	if (!found)
		return;
	if (!ref.custom) {
		snprintf(r->allow, sizeof(r->allow), "GET");
		api_error(r, 405, "MethodNotAllowed", "id", "forwarding policy "
		    "%s takes no new rules: only the Internet Access profile's "
		    "Custom Bypass policy does (a built-in Microsoft 365 rule "
		    "changes by PATCH of its action)", r->seg[2]);
		return;
	}
	if (api_fwd_custom_parse(j, NULL, &rule, &errs) == -1) {
		api_error_errs(r, 400, "BadRequest", &errs);
		return;
	}
	if (guid_new(rule.id) == -1) {
		api_error_store(r);
		return;
	}
	rule.modified_ms = wallclock_now_ms();
	if ((rc = store_fwd_put(r->api->store, r->tenant.id, &rule)) != 0) {
		api_store_write_error(r, rc, "forwarding policy", r->seg[2]);
		return;
	}
	snprintf(r->location, sizeof(r->location), "/%s/%s/policyRules/%s",
	    FWD_SET, r->seg[2], rule.id);
	fwd_reply_written(r, 201, r->seg[2], rule.id);
}

int
api_fwd_builtin_parse(const json_t *j, const json_t *cur,
    struct model_fwd_rule *out, struct model_errs *errs)
{
	const char *key, *a;
	json_t *v;
	size_t start = errs->count;

	memset(out, 0, sizeof(*out));
	out->kind = MODEL_FWD_RULE;
	out->action = -1;
	json_object_foreach((json_t *)(uintptr_t)j, key, v) {
		if (fwd_ignored(key))
			continue;
		if (strcmp(key, "@odata.type") == 0)
			fwd_check_type(v, fwd_str(cur, "@odata.type"), errs);
		else if (strcmp(key, "action") == 0) {
			a = json_string_value(v);
			if (a != NULL && strcmp(a, "forward") == 0)
				out->action = MODEL_FWD_FORWARD;
			else if (a != NULL && strcmp(a, "bypass") == 0)
				out->action = MODEL_FWD_BYPASS;
			else
				model_errs_add(errs, "action", "action must be "
				    "'forward' or 'bypass'");
		} else if (json_object_get(cur, key) != NULL ||
		    strcmp(key, "description") == 0)
			model_errs_add(errs, key, "%s is read-only: a built-in "
			    "Microsoft 365 rule comes from Microsoft's endpoint "
			    "list, and only its action can change", key);
		else
			model_errs_add(errs, key, "unknown property '%.64s'",
			    key);
	}
	if (errs->count == start && out->action == -1)
		model_errs_add(errs, "action", "action is required: 'forward' "
		    "or 'bypass'");
	return errs->count > start ? -1 : 0;
}

void
api_fwd_rule_update(struct api_req *r)
{
	const struct model_fwd_rule *row;
	struct model_fwdcat_ref ref, rref;
	struct model_errs errs;
	struct model_fwd_rule rule;
	struct fwd_view v;
	const json_t *j;
	json_t *p, *cur;
	int rc = -1;

	memset(&errs, 0, sizeof(errs));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL ||
	    fwd_view_load(r, &v) == -1)
		return;
	if ((p = fwd_policy_load(r, &v, &ref)) == NULL ||
	    (cur = fwd_rule_load(r, p)) == NULL)
		goto out;
	if (model_fwdcat_find(r->api->fwdcat, r->seg[4], &rref) == 0 &&
	    rref.what == MODEL_FWDCAT_RULE) {
		if (!rref.editable) {
			api_error(r, 400, "BadRequest", "id", "rule %s is one of "
			    "the Internet Access profile's default rules, which "
			    "are not editable; add a rule to the Custom Bypass "
			    "policy instead", r->seg[4]);
			goto out;
		}
		if (api_fwd_builtin_parse(j, cur, &rule, &errs) == -1)
			goto bad;
		snprintf(rule.id, sizeof(rule.id), "%s", r->seg[4]);
	} else if ((row = fwd_row(&v, r->seg[4])) != NULL &&
	    row->kind == MODEL_FWD_CUSTOM) {
		if (api_fwd_custom_parse(j, row, &rule, &errs) == -1)
			goto bad;
	} else {
		api_error_store(r);	/* rendered, yet neither: a bug */
		goto out;
	}
	rule.modified_ms = wallclock_now_ms();
	if ((rc = store_fwd_put(r->api->store, r->tenant.id, &rule)) != 0)
		api_store_write_error(r, rc, "rule", rule.id);
	else
		fwd_reply_written(r, 204, r->seg[2], rule.id);
	goto out;
bad:
	api_error_errs(r, 400, "BadRequest", &errs);
out:
	fwd_view_free(&v);
}

void
api_fwd_rule_delete(struct api_req *r)
{
	const struct model_fwd_rule *row;
	struct model_fwdcat_ref ref, rref;
	struct fwd_view v;
	json_t *p;
	int rc;

	if (api_query_check(r, NULL) == -1 || fwd_view_load(r, &v) == -1)
		return;
	if ((p = fwd_policy_load(r, &v, &ref)) == NULL ||
	    fwd_rule_load(r, p) == NULL)
		goto out;
	if (model_fwdcat_find(r->api->fwdcat, r->seg[4], &rref) == 0 &&
	    rref.what == MODEL_FWDCAT_RULE) {
		if (rref.editable)
			api_error(r, 400, "BadRequest", "id", "rule %s is a "
			    "built-in Microsoft 365 rule and cannot be "
			    "deleted: PATCH its action to 'bypass' instead",
			    r->seg[4]);
		else
			api_error(r, 400, "BadRequest", "id", "rule %s is one "
			    "of the Internet Access profile's default rules, "
			    "which are not editable", r->seg[4]);
		goto out;
	}
	if ((row = fwd_row(&v, r->seg[4])) == NULL ||
	    row->kind != MODEL_FWD_CUSTOM) {
		api_error_store(r);
		goto out;
	}
	if ((rc = store_fwd_delete(r->api->store, r->tenant.id,
	    row->id)) != 0)
		api_store_write_error(r, rc, "rule", row->id);
	else
		r->status = 204;
out:
	fwd_view_free(&v);
}

/* --- policy links --------------------------------------------------------- */

/*
 * The path's profile (seg[2]) and its link (seg[4]), borrowed from v;
 * 404/5xx set on failure.
 */
static json_t *
fwd_link_load(struct api_req *r, struct fwd_view *v, struct model_profile *p)
{
	size_t i;
	json_t *l = NULL;
	int rc;

	if ((rc = api_profile_find(r, r->seg[2], p)) != 0) {
		if (rc == STORE_NOTFOUND)
			api_error(r, 404, "NotFound", "id", "forwarding profile "
			    "'%.64s' not found", r->seg[2]);
		else
			api_error_store(r);
		return NULL;
	}
	if (fwd_view_load(r, v) == -1)
		return NULL;
	for (i = 0; i < FWD_NTRAFFIC; i++)
		if (fwd_traffic[i] == p->traffic && guid_valid(r->seg[4]))
			l = fwd_by_id(v->links[i], r->seg[4]);
	if (l == NULL)
		api_error(r, 404, "NotFound", "id", "policy link '%.64s' not "
		    "found in forwarding profile %s", r->seg[4], p->id);
	return l;
}

void
api_fwd_link_get(struct api_req *r)
{
	static const char *const q[] = { "$expand", "$select", NULL };
	static const char *const expand[] = { "policy", NULL };
	static const char *const nested[] = { "expand=policyRules", NULL };
	struct model_profile p;
	struct fwd_view v;
	json_t *l, *o;

	memset(&v, 0, sizeof(v));
	if (api_query_check(r, q) == -1 ||
	    api_expand_check(r, expand, nested, "forwarding policy links "
	    "expand policy or policy($expand=policyRules)") == -1 ||
	    api_select_check(r, fwd_link_fields, FWD_LINK_TYPE) == -1)
		return;
	if ((l = fwd_link_load(r, &v, &p)) != NULL) {
		if ((o = fwd_copy(r, l)) == NULL)
			api_error_store(r);
		else
			api_reply_entity(r, 200, o, "networkAccess/"
			    "forwardingProfiles('%s')/policies", p.id);
	}
	fwd_view_free(&v);
}

void
api_fwd_link_update(struct api_req *r)
{
	struct model_profile p;
	struct model_errs errs;
	struct model_fwd_rule row;
	struct fwd_view v;
	const json_t *j, *st = NULL;
	const char *key, *s;
	json_t *l, *m, *o;
	int rc;

	memset(&errs, 0, sizeof(errs));
	memset(&v, 0, sizeof(v));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL ||
	    (l = fwd_link_load(r, &v, &p)) == NULL)
		goto out;
	if (p.traffic != MODEL_TRAFFIC_M365) {
		api_error(r, 400, "BadRequest", "id", "policy link %s of the "
		    "'%.200s' profile cannot change: only the Microsoft 365 "
		    "profile's policy links (groups) can be disabled", r->seg[4],
		    p.name);
		goto out;
	}
	json_object_foreach((json_t *)(uintptr_t)j, key, m) {
		if (fwd_ignored(key))
			continue;
		if (strcmp(key, "@odata.type") == 0)
			fwd_check_type(m, NS "forwardingPolicyLink", &errs);
		else if (strcmp(key, "state") == 0)
			st = m;
		else if (strcmp(key, "policy") == 0)
			model_errs_add(&errs, key, "policy is read-only: a "
			    "built-in policy link's policy cannot change");
		else
			model_errs_add(&errs, key, "unknown property '%.64s'",
			    key);
	}
	s = json_string_value(st);
	if (st == NULL)
		model_errs_add(&errs, "state", "state is required: 'enabled' "
		    "or 'disabled'");
	else if (s == NULL || (strcmp(s, "enabled") != 0 &&
	    strcmp(s, "disabled") != 0))
		model_errs_add(&errs, "state", "state must be 'enabled' or "
		    "'disabled'");
	if (errs.count > 0) {
		api_error_errs(r, 400, "BadRequest", &errs);
		goto out;
	}
	memset(&row, 0, sizeof(row));
	snprintf(row.id, sizeof(row.id), "%s", r->seg[4]);
	row.kind = MODEL_FWD_LINK;
	/* A disabled group bypasses all its rules (how-to-manage-microsoft-profile). */
	row.action = strcmp(s, "disabled") == 0 ? MODEL_FWD_BYPASS :
	    MODEL_FWD_FORWARD;
	row.modified_ms = wallclock_now_ms();
	if ((rc = store_fwd_put(r->api->store, r->tenant.id, &row)) != 0) {
		api_store_write_error(r, rc, "policy link", row.id);
		goto out;
	}
	if (!api_prefer_representation(r)) {
		r->status = 204;
		goto out;
	}
	fwd_view_free(&v);
	if ((l = fwd_link_load(r, &v, &p)) == NULL)
		goto out;
	if ((o = json_deep_copy(l)) == NULL)
		api_error_store(r);
	else
		api_reply_entity(r, 200, o, "networkAccess/"
		    "forwardingProfiles('%s')/policies", p.id);
out:
	fwd_view_free(&v);
}
