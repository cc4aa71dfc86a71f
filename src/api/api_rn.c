/*
 * api_rn.c - /networkAccess/connectivity/remoteNetworks[/{id}]
 * (system-facts §3.3). A create may carry its device links and forwarding
 * profiles inline; the whole create is one transaction: all or nothing.
 */
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guid.h"
#include "wallclock.h"

static const char *const rn_list_query[] = {
	"$expand", "$select", "$count", NULL
};
static const char *const rn_get_query[] = { "$expand", "$select", NULL };
/* remoteNetwork's properties and navigation properties (system-facts §3.2). */
static const char *const rn_fields[] = {
	"id", "name", "region", "version", "lastModifiedDateTime",
	"deviceLinks", "forwardingProfiles", NULL
};
static const char *const rn_expand[] = {
	"deviceLinks", "forwardingProfiles", NULL
};
#define RN_SET		"networkAccess/connectivity/remoteNetworks"
#define RN_TYPE		"microsoft.graph.networkaccess.remoteNetwork"

void
api_set_location(struct api_req *r, const char *rn_id, const char *link_id)
{
	if (link_id != NULL)
		snprintf(r->location, sizeof(r->location),
		    "/networkAccess/connectivity/remoteNetworks/%s/deviceLinks/%s",
		    rn_id, link_id);
	else
		snprintf(r->location, sizeof(r->location),
		    "/networkAccess/connectivity/remoteNetworks/%s", rn_id);
}

int
api_rn_load(struct api_req *r, const char *id, struct model_rn *out)
{
	int rc;

	/* A string that is not a GUID cannot name an object: plain 404. */
	rc = guid_valid(id) ?
	    store_rn_get(r->api->store, r->tenant.id, id, out) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND)
		api_error(r, 404, "NotFound", "id",
		    "remote network '%.64s' not found", id);
	else if (rc == -1)
		api_error_store(r);
	return rc == 0 ? 0 : -1;
}

int
api_rn_links(struct api_req *r, const char *id, struct model_rn *rn,
    struct model_link **links, size_t *n)
{
	if (api_rn_load(r, id, rn) == -1)
		return -1;
	if (store_link_list(r->api->store, r->tenant.id, rn->id, links,
	    n) == -1) {
		api_error_store(r);
		return -1;
	}
	return 0;
}

json_t *
api_links_json(const struct model_link *links, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, model_link_to_json(&links[i], false));
	return a;
}

static json_t *
rn_json(struct api_req *r, const struct model_rn *rn)
{
	struct model_link *links = NULL;
	struct model_profile *profs = NULL;
	json_t *o, *a;
	size_t n = 0, i;

	if ((o = model_rn_to_json(rn)) == NULL)
		return NULL;
	if (api_query_has(r, "$expand", "deviceLinks")) {
		if (store_link_list(r->api->store, r->tenant.id, rn->id,
		    &links, &n) == -1)
			goto fail;
		json_object_set_new(o, "deviceLinks", api_links_json(links, n));
		model_links_free(links, n);
	}
	if (api_query_has(r, "$expand", "forwardingProfiles")) {
		if (store_rn_profiles_get(r->api->store, r->tenant.id, rn->id,
		    &profs, &n) == -1)
			goto fail;
		a = json_array();
		for (i = 0; a != NULL && i < n; i++) {
			json_t *p = api_profile_json(r, &profs[i], false);

			if (p == NULL) {
				json_decref(a);
				a = NULL;
			} else
				json_array_append_new(a, p);
		}
		free(profs);
		if (a == NULL)
			goto fail;
		json_object_set_new(o, "forwardingProfiles", a);
	}
	api_select_apply(r, o);
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* The options of GET on the collection or one remote network. */
static int
rn_check_query(struct api_req *r, const char *const *allowed)
{
	if (api_query_check(r, allowed) == -1 ||
	    api_expand_check(r, rn_expand, NULL, "remote networks expand "
	    "deviceLinks and forwardingProfiles, without nested options") ==
	    -1 ||
	    api_select_check(r, rn_fields, RN_TYPE) == -1)
		return -1;
	return 0;
}

void
api_rn_list(struct api_req *r)
{
	struct model_rn *rns = NULL;
	size_t n = 0, i;
	json_t *a, *o;

	if (rn_check_query(r, rn_list_query) == -1)
		return;
	if (store_rn_list(r->api->store, r->tenant.id, &rns, &n) == -1) {
		api_error_store(r);
		return;
	}
	a = json_array();
	for (i = 0; i < n; i++) {
		if ((o = rn_json(r, &rns[i])) == NULL) {
			json_decref(a);
			free(rns);
			api_error_store(r);
			return;
		}
		json_array_append_new(a, o);
	}
	free(rns);
	api_reply_collection(r, a, NULL, RN_SET);
}

void
api_rn_get(struct api_req *r)
{
	struct model_rn rn;

	json_t *o;

	if (rn_check_query(r, rn_get_query) == -1 ||
	    api_rn_load(r, r->seg[3], &rn) == -1)
		return;
	if ((o = rn_json(r, &rn)) == NULL) {
		api_error_store(r);
		return;
	}
	api_reply_entity(r, 200, o, RN_SET);
}

/* Names identify objects to people (and the CLI): unique per tenant. */
static int
rn_name_taken(struct api_req *r, const struct model_rn *rn, bool *taken)
{
	struct model_rn *rns = NULL;
	size_t n = 0, i;

	*taken = false;
	if (store_rn_list(r->api->store, r->tenant.id, &rns, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(rns[i].id, rn->id) != 0 &&
		    strcmp(rns[i].name, rn->name) == 0)
			*taken = true;
	free(rns);
	return 0;
}

/* forwardingProfiles: [{"id": ...}] of a create body. */
static int
rn_parse_profiles(struct api_req *r, const json_t *a,
    char (**ids)[MODEL_ID_LEN + 1], size_t *n, struct model_errs *errs)
{
	struct model_profile p;
	const json_t *e, *id;
	char target[64];
	size_t i;
	int rc;

	*n = json_array_size(a);
	if (*n == 0)
		return 0;
	if ((*ids = calloc(*n, sizeof(**ids))) == NULL)
		return -1;
	json_array_foreach(a, i, e) {
		snprintf(target, sizeof(target), "forwardingProfiles[%zu].id", i);
		id = json_is_object(e) ? json_object_get(e, "id") : NULL;
		if (id == NULL && json_is_object(e))
			id = json_object_get(e, "ID");
		if (!json_is_string(id)) {
			model_errs_add(errs, target,
			    "%s is required: a forwarding profile id string",
			    target);
			continue;
		}
		rc = api_profile_find(r, json_string_value(id), &p);
		if (rc == -1)
			return -1;
		if (rc == STORE_NOTFOUND) {
			model_errs_add(errs, target, "%s '%.64s' is not a "
			    "forwarding profile of this tenant (see GET "
			    "/networkAccess/forwardingProfiles)", target,
			    json_string_value(id));
			continue;
		}
		if (api_profile_refuse_rn(&p, target, errs))
			continue;
		snprintf((*ids)[i], sizeof((*ids)[i]), "%s", p.id);
	}
	return 0;
}

void
api_rn_create(struct api_req *r)
{
	struct model_errs errs, clash;
	struct model_rn rn;
	struct model_link *all = NULL, *nl;
	char (*pids)[MODEL_ID_LEN + 1] = NULL;
	size_t n_exist = 0, n_new = 0, n_pid = 0, count, i;
	const json_t *j, *jl, *jp, *e;
	json_t *o;
	char prefix[48];
	bool taken;
	int rc, tries;

	memset(&errs, 0, sizeof(errs));
	memset(&clash, 0, sizeof(clash));
	memset(&rn, 0, sizeof(rn));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL)
		return;
	if (model_rn_from_json(j, "", &rn, &errs) == -1 && errs.count == 0)
		model_errs_add(&errs, "", "invalid remote network");
	jl = json_object_get(j, "deviceLinks");
	jp = json_object_get(j, "forwardingProfiles");
	n_new = json_is_array(jl) ? json_array_size(jl) : 0;
	if (n_new > MODEL_LINKS_MAX) {
		api_error(r, 409, "Conflict", "deviceLinks",
		    "a remote network has at most %d device links (got %zu)",
		    MODEL_LINKS_MAX, n_new);
		return;
	}
	if (guid_new(rn.id) == -1)
		goto fail_store;
	rn.modified_ms = wallclock_now_ms();
	/* Inline links are checked against the tenant's links and each other. */
	if (store_link_list(r->api->store, r->tenant.id, NULL, &all,
	    &n_exist) == -1) {
		n_new = 0;
		goto fail_store;
	}
	if (n_new > 0) {
		/* Not realloc(): the old block holds keys and must be wiped. */
		if ((nl = calloc(n_exist + n_new, sizeof(*all))) == NULL) {
			n_new = 0;
			goto fail_store;
		}
		if (n_exist > 0)
			memcpy(nl, all, n_exist * sizeof(*all));
		model_links_free(all, n_exist);
		all = nl;
	}
	json_array_foreach(jl, i, e) {
		struct model_link *l = &all[n_exist + i];

		snprintf(prefix, sizeof(prefix), "deviceLinks[%zu]", i);
		if (model_link_from_json(e, &r->api->ctx, prefix, l, &errs) == -1)
			continue;
		if (guid_new(l->id) == -1)
			goto fail_store;
		snprintf(l->rn_id, sizeof(l->rn_id), "%s", rn.id);
		l->modified_ms = rn.modified_ms;
		model_link_check_unique(l, all, n_exist + i, prefix, &clash);
		if (api_link_check_ip(r, l, prefix, &clash) == -1)
			goto fail_store;
		for (size_t k = 0; k < i; k++)
			if (all[n_exist + k].ip == l->ip &&
			    all[n_exist + k].id[0] != '\0')
				model_errs_add(&clash, prefix, "%s.ipAddress is "
				    "the same as deviceLinks[%zu].ipAddress",
				    prefix, k);
	}
	if (json_is_array(jp) &&
	    rn_parse_profiles(r, jp, &pids, &n_pid, &errs) == -1)
		goto fail_store;
	if (errs.count > 0) {
		api_error_errs(r, 400, "BadRequest", &errs);
		goto out;
	}
	if (clash.count > 0) {
		api_error_errs(r, 409, "Conflict", &clash);
		goto out;
	}
	if (store_rn_count(r->api->store, r->tenant.id, &count) == -1 ||
	    rn_name_taken(r, &rn, &taken) == -1)
		goto fail_store;
	if (count >= MODEL_RN_MAX) {
		api_error(r, 409, "Conflict", NULL, "limit reached: a tenant "
		    "has at most %d remote networks", MODEL_RN_MAX);
		goto out;
	}
	if (taken) {
		api_error(r, 409, "Conflict", "name",
		    "a remote network named '%.200s' already exists", rn.name);
		goto out;
	}
	for (i = 0; i < n_new; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(all[n_exist + i].name, all[n_exist + k].name) == 0) {
				api_error(r, 409, "Conflict", "deviceLinks",
				    "two device links are named '%.200s'",
				    all[n_exist + i].name);
				goto out;
			}

	/*
	 * The store checks the rules again inside the transaction; on
	 * PostgreSQL a serialization race with another API node runs the
	 * whole transaction again.
	 */
	for (tries = 0;; tries++) {
		if (store_begin(r->api->store) == -1)
			goto fail_store;
		rc = store_rn_put(r->api->store, r->tenant.id, &rn);
		for (i = 0; rc == 0 && i < n_new; i++) {
			rc = store_link_put(r->api->store, r->tenant.id,
			    &all[n_exist + i]);
			if (rc == 0 && r->api->placement)
				rc = store_link_place(r->api->store,
				    r->tenant.id, &all[n_exist + i],
				    wallclock_now_ms());
		}
		if (rc == 0 && n_pid > 0)
			rc = store_rn_profiles_set(r->api->store, r->tenant.id,
			    rn.id, (const char (*)[MODEL_ID_LEN + 1])pids,
			    n_pid);
		if (rc == 0)
			rc = store_commit(r->api->store);
		if (rc == 0)
			break;
		store_rollback(r->api->store);
		if (rc == STORE_RETRY && tries < 30)
			continue;
		if (rc == STORE_CONFLICT) {
			api_error_errs(r, 409, "Conflict",
			    store_conflict(r->api->store));
			goto out;
		}
		goto fail_store;
	}

	o = model_rn_to_json(&rn);
	if (jl != NULL)
		json_object_set_new(o, "deviceLinks",
		    api_links_json(all + n_exist, n_new));
	if (jp != NULL) {
		struct model_profile *profs = NULL;
		size_t np = 0;
		json_t *a = json_array();

		if (store_rn_profiles_get(r->api->store, r->tenant.id, rn.id,
		    &profs, &np) == 0) {
			for (i = 0; i < np; i++) {
				json_t *p = api_profile_json(r, &profs[i],
				    false);

				if (p != NULL)
					json_array_append_new(a, p);
			}
			free(profs);
		}
		json_object_set_new(o, "forwardingProfiles", a);
	}
	api_set_location(r, rn.id, NULL);
	api_reply_entity(r, 201, o, RN_SET);
	goto out;

fail_store:
	api_error_store(r);
out:
	model_links_free(all, n_exist + n_new);
	free(pids);
}

void
api_rn_update(struct api_req *r)
{
	struct model_errs errs;
	struct model_rn cur, rn;
	const json_t *j;
	bool taken;
	int rc;

	memset(&errs, 0, sizeof(errs));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL ||
	    api_rn_load(r, r->seg[3], &cur) == -1)
		return;
	if (model_rn_patch(&cur, j, &rn, &errs) == -1) {
		api_error_errs(r, 400, "BadRequest", &errs);
		return;
	}
	if (rn_name_taken(r, &rn, &taken) == -1)
		goto fail;
	if (taken) {
		api_error(r, 409, "Conflict", "name",
		    "a remote network named '%.200s' already exists", rn.name);
		return;
	}
	snprintf(rn.id, sizeof(rn.id), "%s", cur.id);
	rn.modified_ms = wallclock_now_ms();
	if ((rc = store_rn_put(r->api->store, r->tenant.id, &rn)) ==
	    STORE_CONFLICT) {
		api_error_errs(r, 409, "Conflict",
		    store_conflict(r->api->store));
		return;
	}
	if (rc != 0)
		goto fail;
	api_reply_entity(r, 200, model_rn_to_json(&rn), RN_SET);
	return;
fail:
	api_error_store(r);
}

void
api_rn_delete(struct api_req *r)
{
	int rc;

	if (api_query_check(r, NULL) == -1)
		return;
	rc = guid_valid(r->seg[3]) ?
	    store_rn_delete(r->api->store, r->tenant.id, r->seg[3]) :
	    STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND) {
		api_error(r, 404, "NotFound", "id",
		    "remote network '%.64s' not found", r->seg[3]);
		return;
	}
	if (rc == -1) {
		api_error_store(r);
		return;
	}
	r->status = 204;
}
