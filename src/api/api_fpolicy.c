/*
 * api_fpolicy.c - security policies and their rules (system-facts §3.6,
 * §3.7; docs/api.md "Security policy"):
 *
 *   /networkAccess/filteringPolicies[/{id}[/policyRules[/{ruleId}]]]
 *       filteringPolicy, fqdnFilteringRule, webCategoryFilteringRule
 *   /networkAccess/cloudFirewallPolicies[/{id}[/policyRules[/{ruleId}]]]
 *       cloudFirewallPolicy, cloudFirewallRule
 *
 * Both kinds share one table and the tenant's limits; each collection
 * serves its own kind only (the other kind's ids are not found there).
 * POST answers 201 with the object, PATCH 204 (200 with the object on
 * Prefer: return=representation), DELETE 204. The store checks the limits
 * and uniqueness rules inside the write (store_policy.c).
 */
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "guid.h"
#include "model_policy_json.h"
#include "wallclock.h"

static const char *const pol_fields[] = {
	"id", "name", "description", "action", "settings", "version",
	"createdDateTime", "lastModifiedDateTime", "policyRules", NULL
};
static const char *const pol_expand[] = { "policyRules", NULL };

/* The kind a path's collection serves: seg[1]. */
static int
pol_kind(const struct api_req *r)
{
	return strcasecmp(r->seg[1], "cloudFirewallPolicies") == 0 ?
	    MODEL_FPOL_FIREWALL : MODEL_FPOL_FILTERING;
}

static const char *
pol_set(const struct api_req *r)
{
	return pol_kind(r) == MODEL_FPOL_FIREWALL ?
	    "networkAccess/cloudFirewallPolicies" :
	    "networkAccess/filteringPolicies";
}

static const char *
pol_what(const struct api_req *r)
{
	return pol_kind(r) == MODEL_FPOL_FIREWALL ? "cloud firewall policy" :
	    "filtering policy";
}

void
api_store_write_error(struct api_req *r, int rc, const char *what,
    const char *id)
{
	if (rc == STORE_CONFLICT)
		api_error_errs(r, 409, "Conflict", store_conflict(r->api->store));
	else if (rc == STORE_NOTFOUND)
		api_error(r, 404, "NotFound", "id", "%s '%.64s' not found", what,
		    id);
	else
		api_error_store(r);
}

/* The path's policy (seg[2]) of the path's kind; 404/5xx set on failure. */
static int
pol_load(struct api_req *r, bool with_rules, struct model_fpolicy *out)
{
	const char *id = r->seg[2];
	int rc;

	rc = guid_valid(id) ? store_fpolicy_get(r->api->store, r->tenant.id,
	    id, with_rules, out) : STORE_NOTFOUND;
	if (rc == 0 && out->kind != pol_kind(r)) {
		model_fpolicy_clear(out);
		rc = STORE_NOTFOUND;
	}
	if (rc == STORE_NOTFOUND)
		api_error(r, 404, "NotFound", "id", "%s '%.64s' not found",
		    pol_what(r), id);
	else if (rc != 0)
		api_error_store(r);
	return rc == 0 ? 0 : -1;
}

static int
pol_query(struct api_req *r, const char *const *allowed)
{
	const char *type = pol_kind(r) == MODEL_FPOL_FIREWALL ?
	    "microsoft.graph.networkaccess.cloudFirewallPolicy" :
	    "microsoft.graph.networkaccess.filteringPolicy";

	if (api_query_check(r, allowed) == -1 ||
	    api_expand_check(r, pol_expand, NULL, "policies expand "
	    "policyRules, without nested options") == -1 ||
	    api_select_check(r, pol_fields, type) == -1)
		return -1;
	return 0;
}

static json_t *
pol_json(struct api_req *r, const struct model_fpolicy *p)
{
	json_t *o = model_fpolicy_to_json(p, r->api->webcat,
	    api_query_has(r, "$expand", "policyRules"));

	api_select_apply(r, o);
	return o;
}

void
api_fpolicy_list(struct api_req *r)
{
	static const char *const q[] = {
		"$expand", "$select", "$count", NULL
	};
	struct model_fpolicy *ps = NULL;
	size_t n = 0, i;
	json_t *a, *o;
	bool rules;

	if (pol_query(r, q) == -1)
		return;
	rules = api_query_has(r, "$expand", "policyRules");
	if (store_fpolicy_list(r->api->store, r->tenant.id, pol_kind(r), rules,
	    &ps, &n) != 0) {
		api_error_store(r);
		return;
	}
	a = json_array();
	for (i = 0; a != NULL && i < n; i++) {
		if ((o = pol_json(r, &ps[i])) == NULL) {
			json_decref(a);
			a = NULL;
			break;
		}
		json_array_append_new(a, o);
	}
	store_fpolicies_free(ps, n);
	if (a == NULL) {
		api_error_store(r);
		return;
	}
	api_reply_collection(r, a, NULL, "%s", pol_set(r));
}

void
api_fpolicy_get(struct api_req *r)
{
	static const char *const q[] = { "$expand", "$select", NULL };
	struct model_fpolicy p;
	json_t *o;

	if (pol_query(r, q) == -1 ||
	    pol_load(r, api_query_has(r, "$expand", "policyRules"), &p) == -1)
		return;
	o = pol_json(r, &p);
	model_fpolicy_clear(&p);
	api_reply_entity(r, 200, o, "%s", pol_set(r));
}

/* Fresh ids and times for a new rule of policy_id. */
static int
rule_init(struct model_frule *rule, const char *policy_id, int64_t now)
{
	if (guid_new(rule->id) == -1)
		return -1;
	snprintf(rule->policy_id, sizeof(rule->policy_id), "%s", policy_id);
	snprintf(rule->version, sizeof(rule->version), "%s", MODEL_VERSION);
	rule->modified_ms = now;
	return 0;
}

void
api_fpolicy_create(struct api_req *r)
{
	struct model_errs errs;
	struct model_fpolicy p;
	const json_t *j;
	json_t *o;
	int64_t now = wallclock_now_ms();
	size_t i;
	int rc;

	memset(&errs, 0, sizeof(errs));
	memset(&p, 0, sizeof(p));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL)
		return;
	if (model_fpolicy_from_json(j, pol_kind(r), r->api->webcat, "", &p,
	    &errs) == -1) {
		api_error_errs(r, 400, "BadRequest", &errs);
		return;
	}
	if (guid_new(p.id) == -1)
		goto fail;
	snprintf(p.version, sizeof(p.version), "%s", MODEL_VERSION);
	p.created_ms = p.modified_ms = now;
	for (i = 0; i < p.nrules; i++)
		if (rule_init(&p.rules[i], p.id, now) == -1)
			goto fail;
	if ((rc = store_fpolicy_put(r->api->store, r->tenant.id, &p,
	    true)) != 0) {
		api_store_write_error(r, rc, pol_what(r), p.id);
		goto out;
	}
	o = model_fpolicy_to_json(&p, r->api->webcat,
	    json_object_get(j, "policyRules") != NULL);
	snprintf(r->location, sizeof(r->location), "/%s/%s", pol_set(r), p.id);
	api_reply_entity(r, 201, o, "%s", pol_set(r));
	goto out;
fail:
	api_error_store(r);
out:
	model_fpolicy_clear(&p);
}

void
api_fpolicy_update(struct api_req *r)
{
	struct model_errs errs;
	struct model_fpolicy cur, p;
	const json_t *j;
	int rc;

	memset(&errs, 0, sizeof(errs));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL ||
	    pol_load(r, false, &cur) == -1)
		return;
	if (model_fpolicy_patch(&cur, j, &p, &errs) == -1) {
		api_error_errs(r, 400, "BadRequest", &errs);
		return;
	}
	p.modified_ms = wallclock_now_ms();
	if ((rc = store_fpolicy_put(r->api->store, r->tenant.id, &p,
	    false)) != 0) {
		api_store_write_error(r, rc, pol_what(r), p.id);
		model_fpolicy_clear(&p);
		return;
	}
	if (api_prefer_representation(r))
		api_reply_entity(r, 200, model_fpolicy_to_json(&p,
		    r->api->webcat, false), "%s", pol_set(r));
	else
		r->status = 204;
	model_fpolicy_clear(&p);
}

void
api_fpolicy_delete(struct api_req *r)
{
	struct model_fpolicy p;
	int rc;

	if (api_query_check(r, NULL) == -1 || pol_load(r, false, &p) == -1)
		return;
	if ((rc = store_fpolicy_delete(r->api->store, r->tenant.id,
	    p.id)) != 0) {
		api_store_write_error(r, rc, pol_what(r), p.id);
		return;
	}
	r->status = 204;
}

/* --- rules -------------------------------------------------------------- */

static const char *const rule_filter_fields[] = {
	"id", "name", "ruleType", "destinations", NULL
};
static const char *const rule_fw_fields[] = {
	"id", "name", "description", "priority", "action", "settings",
	"matchingConditions", NULL
};

static int
rule_query(struct api_req *r, const char *const *allowed)
{
	bool fw = pol_kind(r) == MODEL_FPOL_FIREWALL;

	if (api_query_check(r, allowed) == -1 ||
	    api_select_check(r, fw ? rule_fw_fields : rule_filter_fields, fw ?
	    "microsoft.graph.networkaccess.cloudFirewallRule" :
	    "microsoft.graph.networkaccess.filteringRule") == -1)
		return -1;
	return 0;
}

static int
rule_load(struct api_req *r, const struct model_fpolicy *p,
    struct model_frule *out)
{
	const char *id = r->seg[4];
	int rc;

	rc = guid_valid(id) ? store_frule_get(r->api->store, r->tenant.id,
	    p->id, id, out) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND)
		api_error(r, 404, "NotFound", "id", "rule '%.64s' not found in "
		    "%s %s", id, pol_what(r), p->id);
	else if (rc != 0)
		api_error_store(r);
	return rc == 0 ? 0 : -1;
}

static void
rule_reply(struct api_req *r, unsigned status, const struct model_fpolicy *p,
    const struct model_frule *rule)
{
	json_t *o = model_frule_to_json(rule, r->api->webcat);

	api_select_apply(r, o);
	api_reply_entity(r, status, o, "%s('%s')/policyRules", pol_set(r),
	    p->id);
}

void
api_frule_list(struct api_req *r)
{
	static const char *const q[] = { "$select", "$count", NULL };
	struct model_fpolicy p;
	json_t *a, *o;
	size_t i;

	if (rule_query(r, q) == -1 || pol_load(r, true, &p) == -1)
		return;
	a = json_array();
	for (i = 0; a != NULL && i < p.nrules; i++) {
		o = model_frule_to_json(&p.rules[i], r->api->webcat);
		api_select_apply(r, o);
		json_array_append_new(a, o);
	}
	api_reply_collection(r, a, NULL, "%s('%s')/policyRules", pol_set(r),
	    p.id);
	model_fpolicy_clear(&p);
}

void
api_frule_get(struct api_req *r)
{
	static const char *const q[] = { "$select", NULL };
	struct model_fpolicy p;
	struct model_frule rule;

	if (rule_query(r, q) == -1 || pol_load(r, false, &p) == -1 ||
	    rule_load(r, &p, &rule) == -1)
		return;
	rule_reply(r, 200, &p, &rule);
	model_frule_clear(&rule);
}

void
api_frule_create(struct api_req *r)
{
	struct model_errs errs;
	struct model_fpolicy p;
	struct model_frule rule;
	const json_t *j;
	int rc;

	memset(&errs, 0, sizeof(errs));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL ||
	    pol_load(r, false, &p) == -1)
		return;
	if (model_frule_from_json(j, p.kind, r->api->webcat, "", &rule,
	    &errs) == -1) {
		api_error_errs(r, 400, "BadRequest", &errs);
		return;
	}
	if (rule_init(&rule, p.id, wallclock_now_ms()) == -1) {
		api_error_store(r);
		goto out;
	}
	if ((rc = store_frule_put(r->api->store, r->tenant.id, &rule)) != 0) {
		api_store_write_error(r, rc, pol_what(r), p.id);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/%s/%s/policyRules/%s",
	    pol_set(r), p.id, rule.id);
	rule_reply(r, 201, &p, &rule);
out:
	model_frule_clear(&rule);
}

void
api_frule_update(struct api_req *r)
{
	struct model_errs errs;
	struct model_fpolicy p;
	struct model_frule cur, rule;
	const json_t *j;
	int rc;

	memset(&errs, 0, sizeof(errs));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL ||
	    pol_load(r, false, &p) == -1 || rule_load(r, &p, &cur) == -1)
		return;
	rc = model_frule_patch(&cur, p.kind, r->api->webcat, j, &rule, &errs);
	model_frule_clear(&cur);
	if (rc == -1) {
		api_error_errs(r, 400, "BadRequest", &errs);
		return;
	}
	rule.modified_ms = wallclock_now_ms();
	if ((rc = store_frule_put(r->api->store, r->tenant.id, &rule)) != 0)
		api_store_write_error(r, rc, "rule", rule.id);
	else if (api_prefer_representation(r))
		rule_reply(r, 200, &p, &rule);
	else
		r->status = 204;
	model_frule_clear(&rule);
}

void
api_frule_delete(struct api_req *r)
{
	struct model_fpolicy p;
	int rc;

	if (api_query_check(r, NULL) == -1 || pol_load(r, false, &p) == -1)
		return;
	rc = guid_valid(r->seg[4]) ? store_frule_delete(r->api->store,
	    r->tenant.id, p.id, r->seg[4]) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND) {
		api_error(r, 404, "NotFound", "id", "rule '%.64s' not found in "
		    "%s %s", r->seg[4], pol_what(r), p.id);
		return;
	}
	if (rc != 0) {
		api_error_store(r);
		return;
	}
	r->status = 204;
}
