/*
 * api_profile.c - traffic forwarding profiles (system-facts §3.5).
 *
 * Each tenant has the built-in Microsoft 365 and Internet Access profiles
 * (created with the tenant, ids per tenant as in Graph) and Graph's Private
 * Access profile, which is not stored (profile_private).
 * Their policies and rules are the built-in catalogue (model_fwd.h: the
 * Microsoft 365 rules from Microsoft's published endpoint list shipped in
 * data/m365-endpoints-worldwide.json, the Internet Access defaults) with
 * the tenant's overrides and Custom Bypass rules applied; Private Access
 * has none (no private applications here), and a remote network cannot
 * use it (system-facts §1.8: it needs the client). The IPv4 prefixes of
 * an assigned profile are what the gateway will advertise over BGP. A
 * profile's "associations" are the remote networks it is assigned to.
 * What a tenant changes in them is served and written by api_fwd.c.
 */
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guid.h"
#include "log.h"
#include "model_fwd.h"

#define NS	"#microsoft.graph.networkaccess."

int
api_profiles_load(struct api *api, const char *datadir)
{
	return model_fwdcat_load(datadir, &api->fwdcat);
}

void
api_profiles_free(struct api *api)
{
	model_fwdcat_free(api->fwdcat);
	api->fwdcat = NULL;
}

/*
 * The policy links of a traffic type as this tenant has them (its rule
 * overrides and Custom Bypass rules applied, model_fwd.h); Private Access:
 * none. A new reference; NULL on a store error or no memory.
 */
json_t *
api_profile_links(struct api_req *r, int traffic)
{
	struct model_fwd_rule *rows = NULL;
	size_t n = 0;
	json_t *a;

	if (traffic != MODEL_TRAFFIC_M365 && traffic != MODEL_TRAFFIC_INTERNET)
		return json_array();
	if (store_fwd_list(r->api->store, r->tenant.id, &rows, &n) != 0)
		return NULL;
	a = model_fwdcat_links(r->api->fwdcat, traffic, rows, n);
	free(rows);
	return a;
}

/*
 * r->assoc: for each profile id, the remote networks it is assigned to,
 * as Graph's associations (system-facts §3.5: associatedBranch with the
 * remote network's id in branchId). Built once per request: at most
 * MODEL_RN_MAX assignment lists.
 */
static int
profile_assoc_load(struct api_req *r)
{
	struct model_rn *rns = NULL;
	struct model_profile *ps = NULL;
	size_t nrn = 0, np = 0, i, k;
	json_t *a, *e;
	int rc = -1;

	if (r->assoc != NULL)
		return 0;
	if ((r->assoc = json_object()) == NULL ||
	    store_rn_list(r->api->store, r->tenant.id, &rns, &nrn) == -1)
		goto out;
	for (i = 0; i < nrn; i++) {
		if (store_rn_profiles_get(r->api->store, r->tenant.id,
		    rns[i].id, &ps, &np) == -1)
			goto out;
		for (k = 0; k < np; k++) {
			if ((a = json_object_get(r->assoc, ps[k].id)) == NULL) {
				a = json_array();
				if (json_object_set_new(r->assoc, ps[k].id,
				    a) == -1)
					goto out;
			}
			e = json_pack("{s:s, s:s}", "@odata.type",
			    NS "associatedBranch", "branchId", rns[i].id);
			if (json_array_append_new(a, e) == -1)
				goto out;
		}
		free(ps);
		ps = NULL;
	}
	rc = 0;
out:
	free(ps);
	free(rns);
	if (rc == -1) {
		json_decref(r->assoc);
		r->assoc = NULL;
	}
	return rc;
}

/*
 * Graph's third built-in profile. The store does not hold it: no remote
 * network may be assigned it, so nothing refers to it, and every tenant,
 * old or new, has it. Its id is per tenant, as Graph's ids are, derived
 * from the tenant's. State disabled: this gateway never acquires Private
 * Access traffic.
 */
#define PROFILE_PRIVATE_PRIORITY	2

static int
profile_private(struct api_req *r, struct model_profile *p)
{
	char key[80];

	memset(p, 0, sizeof(*p));
	snprintf(key, sizeof(key), "private-access-profile:%s", r->tenant.id);
	if (guid_from_name(key, p->id) == -1)
		return -1;
	snprintf(p->name, sizeof(p->name),
	    "Private access traffic forwarding profile");
	p->traffic = MODEL_TRAFFIC_PRIVATE;
	p->priority = PROFILE_PRIVATE_PRIORITY;
	p->enabled = false;
	snprintf(p->version, sizeof(p->version), "%s", MODEL_VERSION);
	p->modified_ms = r->tenant.created_ms;
	return 0;
}

int
api_profile_find(struct api_req *r, const char *id, struct model_profile *out)
{
	int rc;

	if (!guid_valid(id))
		return STORE_NOTFOUND;
	rc = store_profile_get(r->api->store, r->tenant.id, id, out);
	if (rc != STORE_NOTFOUND)
		return rc;
	if (profile_private(r, out) == -1)
		return -1;
	return strcmp(out->id, id) == 0 ? 0 : STORE_NOTFOUND;
}

/* The tenant's stored profiles and the Private Access one, by priority. */
static int
profile_list(struct api_req *r, struct model_profile **out, size_t *n)
{
	struct model_profile *ps = NULL, *np;
	size_t i, k;

	if (store_profile_list(r->api->store, r->tenant.id, &ps, n) == -1)
		return -1;
	for (i = 0; i < *n; i++)
		if (ps[i].traffic == MODEL_TRAFFIC_PRIVATE)
			break;
	if (i == *n) {
		if ((np = realloc(ps, (*n + 1) * sizeof(*ps))) == NULL) {
			free(ps);
			return -1;
		}
		ps = np;
		for (k = 0; k < *n &&
		    ps[k].priority <= PROFILE_PRIVATE_PRIORITY; k++)
			;
		memmove(&ps[k + 1], &ps[k], (*n - k) * sizeof(*ps));
		if (profile_private(r, &ps[k]) == -1) {
			free(ps);
			return -1;
		}
		(*n)++;
	}
	*out = ps;
	return 0;
}

json_t *
api_profile_json(struct api_req *r, const struct model_profile *p,
    bool expand_policies)
{
	json_t *o, *a, *pol;
	int errs = 0;

	if (profile_assoc_load(r) == -1 ||
	    (o = model_profile_to_json(p)) == NULL)
		return NULL;
	a = json_object_get(r->assoc, p->id);
	errs += json_object_set_new(o, "associations",
	    a != NULL ? json_deep_copy(a) : json_array());
	if (expand_policies) {
		if ((pol = api_profile_links(r, p->traffic)) == NULL)
			errs++;
		else
			errs += json_object_set_new(o, "policies", pol);
	}
	if (errs != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

bool
api_profile_refuse_rn(const struct model_profile *p, const char *target,
    struct model_errs *errs)
{
	if (p->traffic != MODEL_TRAFFIC_PRIVATE)
		return false;
	/* system-facts §1.8: Private Access requires the client. */
	model_errs_add(errs, target, "%s: the forwarding profile '%.200s' "
	    "(%s, trafficForwardingType private) is not applicable to remote "
	    "networks: Private Access traffic is acquired by the Global Secure "
	    "Access client only", target, p->name, p->id);
	return true;
}

static const char *const profile_fields[] = {
	"id", "name", "description", "state", "version", "lastModifiedDateTime",
	"trafficForwardingType", "priority", "associations", "policies", NULL
};
static const char *const profile_expand[] = { "policies", NULL };
/* Graph's documented forms; the policy and its rules are always inline. */
static const char *const profile_expand_nested[] = {
	"expand=policy", "expand=policy(expand=policyRules)", NULL
};
#define PROFILE_TYPE	"microsoft.graph.networkaccess.forwardingProfile"
#define PROFILE_EXPAND_WHAT \
	"forwarding profiles expand policies, policies($expand=policy) or " \
	"policies($expand=policy($expand=policyRules))"

static int
profile_query(struct api_req *r, const char *const *allowed)
{
	if (api_query_check(r, allowed) == -1 ||
	    api_expand_check(r, profile_expand, profile_expand_nested,
	    PROFILE_EXPAND_WHAT) == -1 ||
	    api_select_check(r, profile_fields, PROFILE_TYPE) == -1)
		return -1;
	return 0;
}

/* A list of profiles as a collection answer; frees ps. */
static void
profile_reply_list(struct api_req *r, struct model_profile *ps, size_t n,
    const char *path)
{
	json_t *a, *o;
	size_t i;
	bool expand = api_query_has(r, "$expand", "policies");

	a = json_array();
	for (i = 0; a != NULL && i < n; i++) {
		if ((o = api_profile_json(r, &ps[i], expand)) == NULL) {
			json_decref(a);
			a = NULL;
			break;
		}
		api_select_apply(r, o);
		json_array_append_new(a, o);
	}
	free(ps);
	if (a == NULL) {
		api_error_store(r);
		return;
	}
	api_reply_collection(r, a, NULL, "%s", path);
}

void
api_profile_list(struct api_req *r)
{
	static const char *const q[] = { "$expand", "$select", "$count", NULL };
	struct model_profile *ps = NULL;
	size_t n = 0;

	if (profile_query(r, q) == -1)
		return;
	if (profile_list(r, &ps, &n) == -1) {
		api_error_store(r);
		return;
	}
	profile_reply_list(r, ps, n, "networkAccess/forwardingProfiles");
}

/* The path's profile, seg[2]; on failure the 404/500 is set. */
static int
profile_load(struct api_req *r, struct model_profile *p)
{
	int rc;

	rc = api_profile_find(r, r->seg[2], p);
	if (rc == STORE_NOTFOUND)
		api_error(r, 404, "NotFound", "id",
		    "forwarding profile '%.64s' not found", r->seg[2]);
	else if (rc == -1)
		api_error_store(r);
	return rc == 0 ? 0 : -1;
}

void
api_profile_get(struct api_req *r)
{
	static const char *const q[] = { "$expand", "$select", NULL };
	struct model_profile p;
	json_t *o;

	if (profile_query(r, q) == -1 || profile_load(r, &p) == -1)
		return;
	if ((o = api_profile_json(r, &p, api_query_has(r, "$expand",
	    "policies"))) == NULL) {
		api_error_store(r);
		return;
	}
	api_select_apply(r, o);
	api_reply_entity(r, 200, o, "networkAccess/forwardingProfiles");
}

/*
 * GET /networkAccess/forwardingProfiles/{id}/policies: the profile's
 * forwardingPolicyLinks, the same as its expanded "policies" property,
 * each with its policy and rules inline.
 */
void
api_profile_policies(struct api_req *r)
{
	static const char *const q[] = { "$expand", "$select", "$count", NULL };
	static const char *const expand[] = { "policy", NULL };
	static const char *const nested[] = { "expand=policyRules", NULL };
	static const char *const fields[] = {
		"id", "state", "version", "policy", NULL
	};
	struct model_profile p;
	json_t *a, *o;
	size_t i;

	if (api_query_check(r, q) == -1 ||
	    api_expand_check(r, expand, nested, "forwarding policy links "
	    "expand policy or policy($expand=policyRules)") == -1 ||
	    api_select_check(r, fields,
	    "microsoft.graph.networkaccess.forwardingPolicyLink") == -1 ||
	    profile_load(r, &p) == -1)
		return;
	if ((a = api_profile_links(r, p.traffic)) == NULL) {
		api_error_store(r);
		return;
	}
	json_array_foreach(a, i, o)
		api_select_apply(r, o);
	api_reply_collection(r, a, NULL,
	    "networkAccess/forwardingProfiles('%s')/policies", p.id);
}

void
api_rn_profiles_get(struct api_req *r)
{
	static const char *const q[] = { "$expand", "$select", "$count", NULL };
	struct model_profile *ps = NULL;
	struct model_rn rn;
	char path[160];
	size_t n = 0;

	if (profile_query(r, q) == -1 || api_rn_load(r, r->seg[3], &rn) == -1)
		return;
	if (store_rn_profiles_get(r->api->store, r->tenant.id, rn.id, &ps,
	    &n) == -1) {
		api_error_store(r);
		return;
	}
	snprintf(path, sizeof(path), "networkAccess/connectivity/"
	    "remoteNetworks('%s')/forwardingProfiles", rn.id);
	profile_reply_list(r, ps, n, path);
}

/*
 * PATCH with an OData delta payload (the seed's example):
 *   {"@odata.context":"#$delta","value":[{"ID":"<profile id>"}, ...]}
 * Listed profiles are assigned; entries carrying "@removed" are unassigned;
 * others keep their state.
 */
void
api_rn_profiles_update(struct api_req *r)
{
	char (*set)[MODEL_ID_LEN + 1] = NULL;
	struct model_profile *cur = NULL, p;
	struct model_errs errs;
	struct model_rn rn;
	const json_t *j, *val, *e, *id;
	const char *key, *sid;
	json_t *m;
	size_t n_cur = 0, n_set = 0, i, k;
	char target[48];
	int rc;

	memset(&errs, 0, sizeof(errs));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL ||
	    api_rn_load(r, r->seg[3], &rn) == -1)
		return;
	json_object_foreach((json_t *)(uintptr_t)j, key, m) {
		if (strcmp(key, "value") != 0 && strcmp(key, "@odata.context") != 0)
			model_errs_add(&errs, key, "unknown property '%.64s'", key);
	}
	val = json_object_get(j, "value");
	if (!json_is_array(val)) {
		model_errs_add(&errs, "value", "value is required: an array of "
		    "{\"id\": \"<forwarding profile id>\"}");
		goto bad;
	}
	if (store_rn_profiles_get(r->api->store, r->tenant.id, rn.id, &cur,
	    &n_cur) == -1)
		goto fail;
	if ((set = calloc(n_cur + json_array_size(val) + 1, sizeof(*set))) == NULL)
		goto fail;
	for (i = 0; i < n_cur; i++)
		snprintf(set[n_set++], sizeof(set[0]), "%s", cur[i].id);
	json_array_foreach(val, i, e) {
		snprintf(target, sizeof(target), "value[%zu].id", i);
		id = json_is_object(e) ? json_object_get(e, "id") : NULL;
		if (id == NULL && json_is_object(e))
			id = json_object_get(e, "ID");
		if (!json_is_string(id)) {
			model_errs_add(&errs, target, "%s is required: a "
			    "forwarding profile id string", target);
			continue;
		}
		sid = json_string_value(id);
		rc = api_profile_find(r, sid, &p);
		if (rc == -1)
			goto fail;
		if (rc == STORE_NOTFOUND) {
			model_errs_add(&errs, target, "%s '%.64s' is not a "
			    "forwarding profile of this tenant", target, sid);
			continue;
		}
		/* Unassigning it is harmless: it never is assigned. */
		if (json_object_get(e, "@removed") == NULL &&
		    api_profile_refuse_rn(&p, target, &errs))
			continue;
		for (k = 0; k < n_set && strcmp(set[k], p.id) != 0; k++)
			;
		if (json_object_get(e, "@removed") != NULL) {
			if (k < n_set)
				memcpy(set[k], set[--n_set], sizeof(set[0]));
		} else if (k == n_set)
			snprintf(set[n_set++], sizeof(set[0]), "%s", p.id);
	}
	if (errs.count > 0)
		goto bad;
	if (store_rn_profiles_set(r->api->store, r->tenant.id, rn.id,
	    (const char (*)[MODEL_ID_LEN + 1])set, n_set) != 0)
		goto fail;
	r->status = 204;
	goto out;
bad:
	api_error_errs(r, 400, "BadRequest", &errs);
	goto out;
fail:
	api_error_store(r);
out:
	free(cur);
	free(set);
}
