/*
 * api_fprofile.c - filtering (security) profiles and their policy links
 * (system-facts §3.6; docs/api.md "Security policy"):
 *
 *   /networkAccess/filteringProfiles[/{id}[/policies[/{linkId}]]]
 *       filteringProfile; filteringPolicyLink (a filtering policy, with
 *       priority, state, loggingState, action) or cloudFirewallPolicyLink
 *       (a cloud firewall policy, state only)
 *
 * Every tenant has its baseline profile (priority 65000), created with
 * the tenant; it cannot be deleted and its priority cannot change. Remote
 * network traffic is evaluated by the baseline profile's links, lowest
 * priority first, the first match winning. A profile links at most one
 * cloud firewall policy. A link's "policy" is always expanded, as Graph
 * says it is.
 */
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guid.h"
#include "model_policy_json.h"
#include "wallclock.h"

#define PROF_SET	"networkAccess/filteringProfiles"

static const char *const prof_fields[] = {
	"id", "name", "description", "state", "priority", "version",
	"createdDateTime", "lastModifiedDateTime", "policies", NULL
};
static const char *const prof_expand[] = { "policies", NULL };
static const char *const prof_expand_nested[] = { "expand=policy", NULL };

static int
prof_load(struct api_req *r, struct model_fprofile *out)
{
	const char *id = r->seg[2];
	int rc;

	rc = guid_valid(id) ? store_fprofile_get(r->api->store, r->tenant.id,
	    id, false, out) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND)
		api_error(r, 404, "NotFound", "id", "filtering profile '%.64s' "
		    "not found", id);
	else if (rc != 0)
		api_error_store(r);
	return rc == 0 ? 0 : -1;
}

/* A link with its policy expanded; NULL on a store error. */
static json_t *
link_json(struct api_req *r, const struct model_flink *l)
{
	struct model_fpolicy p;
	json_t *pj, *o;
	int rc;

	rc = store_fpolicy_get(r->api->store, r->tenant.id, l->policy_id,
	    false, &p);
	if (rc == -1)
		return NULL;
	pj = rc == 0 ? model_fpolicy_to_json(&p, r->api->webcat, false) : NULL;
	o = model_flink_to_json(l, rc == 0 ? p.kind : MODEL_FPOL_FILTERING,
	    pj);
	json_decref(pj);
	return o;
}

static json_t *
prof_json(struct api_req *r, const struct model_fprofile *p)
{
	struct model_fprofile full;
	json_t *o, *a, *l;
	size_t i;

	if ((o = model_fprofile_to_json(p)) == NULL)
		return NULL;
	if (api_query_has(r, "$expand", "policies")) {
		if (store_fprofile_get(r->api->store, r->tenant.id, p->id, true,
		    &full) != 0) {
			json_decref(o);
			return NULL;
		}
		a = json_array();
		for (i = 0; a != NULL && i < full.nlinks; i++) {
			if ((l = link_json(r, &full.links[i])) == NULL) {
				json_decref(a);
				a = NULL;
				break;
			}
			json_array_append_new(a, l);
		}
		model_fprofile_clear(&full);
		if (a == NULL) {
			json_decref(o);
			return NULL;
		}
		json_object_set_new(o, "policies", a);
	}
	api_select_apply(r, o);
	return o;
}

static int
prof_query(struct api_req *r, const char *const *allowed)
{
	if (api_query_check(r, allowed) == -1 ||
	    api_expand_check(r, prof_expand, prof_expand_nested, "filtering "
	    "profiles expand policies or policies($expand=policy)") == -1 ||
	    api_select_check(r, prof_fields,
	    "microsoft.graph.networkaccess.filteringProfile") == -1)
		return -1;
	return 0;
}

void
api_fprofile_list(struct api_req *r)
{
	static const char *const q[] = {
		"$expand", "$select", "$count", NULL
	};
	struct model_fprofile *ps = NULL;
	size_t n = 0, i;
	json_t *a, *o;

	if (prof_query(r, q) == -1)
		return;
	if (store_fprofile_list(r->api->store, r->tenant.id, false, &ps,
	    &n) != 0) {
		api_error_store(r);
		return;
	}
	a = json_array();
	for (i = 0; a != NULL && i < n; i++) {
		if ((o = prof_json(r, &ps[i])) == NULL) {
			json_decref(a);
			a = NULL;
			break;
		}
		json_array_append_new(a, o);
	}
	store_fprofiles_free(ps, n);
	if (a == NULL) {
		api_error_store(r);
		return;
	}
	api_reply_collection(r, a, NULL, PROF_SET);
}

void
api_fprofile_get(struct api_req *r)
{
	static const char *const q[] = { "$expand", "$select", NULL };
	struct model_fprofile p;
	json_t *o;

	if (prof_query(r, q) == -1 || prof_load(r, &p) == -1)
		return;
	if ((o = prof_json(r, &p)) == NULL) {
		api_error_store(r);
		return;
	}
	api_reply_entity(r, 200, o, PROF_SET);
}

/* 65000 is the baseline's; user profiles are evaluated before it. */
static bool
prof_priority_ok(struct api_req *r, const struct model_fprofile *p,
    const struct model_fprofile *cur)
{
	if (cur != NULL && cur->baseline) {
		if (p->priority == MODEL_BASELINE_PRIORITY)
			return true;
		api_error(r, 400, "BadRequest", "priority", "priority: the "
		    "baseline profile's priority is %d and cannot change",
		    MODEL_BASELINE_PRIORITY);
		return false;
	}
	if (p->priority < MODEL_BASELINE_PRIORITY)
		return true;
	api_error(r, 400, "BadRequest", "priority", "priority %d is the "
	    "baseline profile's; a profile's priority is 0 to %d (evaluated "
	    "before the baseline)", MODEL_BASELINE_PRIORITY,
	    MODEL_BASELINE_PRIORITY - 1);
	return false;
}

void
api_fprofile_create(struct api_req *r)
{
	struct model_errs errs;
	struct model_fprofile p;
	const json_t *j;
	int rc;

	memset(&errs, 0, sizeof(errs));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL)
		return;
	if (model_fprofile_from_json(j, "", &p, &errs) == -1) {
		api_error_errs(r, 400, "BadRequest", &errs);
		return;
	}
	if (!prof_priority_ok(r, &p, NULL))
		return;
	if (guid_new(p.id) == -1) {
		api_error_store(r);
		return;
	}
	snprintf(p.version, sizeof(p.version), "%s", MODEL_VERSION);
	p.created_ms = p.modified_ms = wallclock_now_ms();
	if ((rc = store_fprofile_put(r->api->store, r->tenant.id, &p)) != 0) {
		api_store_write_error(r, rc, "filtering profile", p.id);
		return;
	}
	snprintf(r->location, sizeof(r->location), "/" PROF_SET "/%s", p.id);
	api_reply_entity(r, 201, model_fprofile_to_json(&p), PROF_SET);
}

void
api_fprofile_update(struct api_req *r)
{
	struct model_errs errs;
	struct model_fprofile cur, p;
	const json_t *j;
	int rc;

	memset(&errs, 0, sizeof(errs));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL ||
	    prof_load(r, &cur) == -1)
		return;
	if (model_fprofile_patch(&cur, j, &p, &errs) == -1) {
		api_error_errs(r, 400, "BadRequest", &errs);
		return;
	}
	if (!prof_priority_ok(r, &p, &cur))
		return;
	p.modified_ms = wallclock_now_ms();
	if ((rc = store_fprofile_put(r->api->store, r->tenant.id, &p)) != 0) {
		api_store_write_error(r, rc, "filtering profile", p.id);
		return;
	}
	if (api_prefer_representation(r))
		api_reply_entity(r, 200, model_fprofile_to_json(&p), PROF_SET);
	else
		r->status = 204;
}

void
api_fprofile_delete(struct api_req *r)
{
	struct model_fprofile p;
	int rc;

	if (api_query_check(r, NULL) == -1 || prof_load(r, &p) == -1)
		return;
	if ((rc = store_fprofile_delete(r->api->store, r->tenant.id,
	    p.id)) != 0) {
		api_store_write_error(r, rc, "filtering profile", p.id);
		return;
	}
	r->status = 204;
}

/* --- links -------------------------------------------------------------- */

static const char *const link_fields[] = {
	"id", "state", "priority", "loggingState", "action", "version",
	"lastModifiedDateTime", "policy", NULL
};
static const char *const link_expand[] = { "policy", NULL };

static int
link_query(struct api_req *r, const char *const *allowed)
{
	if (api_query_check(r, allowed) == -1 ||
	    api_expand_check(r, link_expand, NULL, "policy links expand "
	    "policy (always expanded)") == -1 ||
	    api_select_check(r, link_fields,
	    "microsoft.graph.networkaccess.filteringPolicyLink") == -1)
		return -1;
	return 0;
}

static int
link_load(struct api_req *r, const struct model_fprofile *p,
    struct model_flink *out)
{
	const char *id = r->seg[4];
	int rc;

	rc = guid_valid(id) ? store_flink_get(r->api->store, r->tenant.id,
	    p->id, id, out) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND)
		api_error(r, 404, "NotFound", "id", "policy link '%.64s' not "
		    "found in filtering profile %s", id, p->id);
	else if (rc != 0)
		api_error_store(r);
	return rc == 0 ? 0 : -1;
}

static void
link_reply(struct api_req *r, unsigned status, const struct model_fprofile *p,
    const struct model_flink *l)
{
	json_t *o = link_json(r, l);

	if (o == NULL) {
		api_error_store(r);
		return;
	}
	api_select_apply(r, o);
	api_reply_entity(r, status, o, PROF_SET "('%s')/policies", p->id);
}

void
api_flink_list(struct api_req *r)
{
	static const char *const q[] = {
		"$expand", "$select", "$count", NULL
	};
	struct model_fprofile p;
	json_t *a, *o;
	size_t i;

	if (link_query(r, q) == -1 || prof_load(r, &p) == -1)
		return;
	if (store_fprofile_get(r->api->store, r->tenant.id, p.id, true,
	    &p) != 0) {
		api_error_store(r);
		return;
	}
	a = json_array();
	for (i = 0; a != NULL && i < p.nlinks; i++) {
		if ((o = link_json(r, &p.links[i])) == NULL) {
			json_decref(a);
			a = NULL;
			break;
		}
		api_select_apply(r, o);
		json_array_append_new(a, o);
	}
	model_fprofile_clear(&p);
	if (a == NULL) {
		api_error_store(r);
		return;
	}
	api_reply_collection(r, a, NULL, PROF_SET "('%s')/policies", p.id);
}

void
api_flink_get(struct api_req *r)
{
	static const char *const q[] = { "$expand", "$select", NULL };
	struct model_fprofile p;
	struct model_flink l;

	if (link_query(r, q) == -1 || prof_load(r, &p) == -1 ||
	    link_load(r, &p, &l) == -1)
		return;
	link_reply(r, 200, &p, &l);
}

/* The policy a link body names; 400 (not 404: the path exists) if none. */
static int
link_policy(struct api_req *r, const json_t *j, struct model_fpolicy *out)
{
	const char *id = model_flink_policy_id(j);
	int rc;

	if (id == NULL) {
		api_error(r, 400, "BadRequest", "policy.id", "policy is "
		    "required: {\"policy\": {\"id\": \"<filtering or cloud "
		    "firewall policy id>\"}}");
		return -1;
	}
	rc = guid_valid(id) ? store_fpolicy_get(r->api->store, r->tenant.id,
	    id, false, out) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND)
		api_error(r, 400, "BadRequest", "policy.id", "policy.id '%.64s' "
		    "is not a policy of this tenant (see GET /networkAccess/"
		    "filteringPolicies and /networkAccess/cloudFirewallPolicies)",
		    id);
	else if (rc != 0)
		api_error_store(r);
	return rc == 0 ? 0 : -1;
}

void
api_flink_create(struct api_req *r)
{
	struct model_errs errs;
	struct model_fprofile p;
	struct model_fpolicy pol;
	struct model_flink l;
	const json_t *j;
	int rc;

	memset(&errs, 0, sizeof(errs));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL ||
	    prof_load(r, &p) == -1 || link_policy(r, j, &pol) == -1)
		return;
	if (model_flink_from_json(j, pol.kind, "", &l, &errs) == -1) {
		api_error_errs(r, 400, "BadRequest", &errs);
		return;
	}
	if (guid_new(l.id) == -1) {
		api_error_store(r);
		return;
	}
	snprintf(l.profile_id, sizeof(l.profile_id), "%s", p.id);
	snprintf(l.policy_id, sizeof(l.policy_id), "%s", pol.id);
	snprintf(l.version, sizeof(l.version), "%s", MODEL_VERSION);
	l.modified_ms = wallclock_now_ms();
	if ((rc = store_flink_put(r->api->store, r->tenant.id, &l)) != 0) {
		api_store_write_error(r, rc, "filtering profile", p.id);
		return;
	}
	snprintf(r->location, sizeof(r->location), "/" PROF_SET
	    "/%s/policies/%s", p.id, l.id);
	link_reply(r, 201, &p, &l);
}

void
api_flink_update(struct api_req *r)
{
	struct model_errs errs;
	struct model_fprofile p;
	struct model_fpolicy pol;
	struct model_flink cur, l;
	const json_t *j;
	int rc;

	memset(&errs, 0, sizeof(errs));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL ||
	    prof_load(r, &p) == -1 || link_load(r, &p, &cur) == -1)
		return;
	rc = store_fpolicy_get(r->api->store, r->tenant.id, cur.policy_id,
	    false, &pol);
	if (rc != 0) {
		api_error_store(r);
		return;
	}
	if (model_flink_patch(&cur, pol.kind, j, &l, &errs) == -1) {
		api_error_errs(r, 400, "BadRequest", &errs);
		return;
	}
	l.modified_ms = wallclock_now_ms();
	if ((rc = store_flink_put(r->api->store, r->tenant.id, &l)) != 0) {
		api_store_write_error(r, rc, "policy link", l.id);
		return;
	}
	if (api_prefer_representation(r))
		link_reply(r, 200, &p, &l);
	else
		r->status = 204;
}

void
api_flink_delete(struct api_req *r)
{
	struct model_fprofile p;
	int rc;

	if (api_query_check(r, NULL) == -1 || prof_load(r, &p) == -1)
		return;
	rc = guid_valid(r->seg[4]) ? store_flink_delete(r->api->store,
	    r->tenant.id, p.id, r->seg[4]) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND) {
		api_error(r, 404, "NotFound", "id", "policy link '%.64s' not "
		    "found in filtering profile %s", r->seg[4], p.id);
		return;
	}
	if (rc != 0) {
		api_error_store(r);
		return;
	}
	r->status = 204;
}
