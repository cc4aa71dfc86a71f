/*
 * api_settings.c - /networkAccess/settings/forwardingOptions: a tenant's
 * forwarding options (docs/api.md "Forwarding options"). Graph has a
 * forwardingOptions resource under settings but documents no branch
 * setting: Global Secure Access has no branch-to-branch transit. The one
 * option here, branchTransitState, is branchgate's, shaped as Graph's
 * status-typed switches are ("enabled"/"disabled"); it is Virtual WAN's
 * branch-to-branch setting, per tenant (docs/bgp.md "Transit").
 */
#include "api_internal.h"

#include <string.h>

#include "wallclock.h"

#define OPT_SET		"networkAccess/settings/forwardingOptions"

/* The tenant's options: its row, else the daemon's default. */
static int
opt_load(struct api_req *r, struct store_fwd_options *o, bool *stored)
{
	int rc = store_fwd_options_get(r->api->store, r->tenant.id, o);

	*stored = rc == 0;
	if (rc == STORE_NOTFOUND) {
		memset(o, 0, sizeof(*o));
		o->branch_transit = r->api->branch_transit_default;
		return 0;
	}
	return rc;
}

static json_t *
opt_json(const struct store_fwd_options *o, bool stored)
{
	json_t *j = json_pack("{s:s, s:s}", "@odata.type",
	    "#microsoft.graph.networkaccess.forwardingOptions",
	    "branchTransitState", o->branch_transit ? "enabled" : "disabled");
	char when[WALLCLOCK_STRLEN];

	if (j != NULL && stored && json_object_set_new(j,
	    "lastModifiedDateTime", json_string(wallclock_fmt(o->modified_ms,
	    when))) == -1) {
		json_decref(j);
		return NULL;
	}
	return j;
}

void
api_settings_fwd_get(struct api_req *r)
{
	struct store_fwd_options o;
	bool stored;

	if (api_query_check(r, NULL) == -1)
		return;
	if (opt_load(r, &o, &stored) != 0) {
		api_error_store(r);
		return;
	}
	api_reply_entity(r, 200, opt_json(&o, stored), OPT_SET);
}

void
api_settings_fwd_update(struct api_req *r)
{
	struct model_errs errs;
	struct store_fwd_options o;
	const json_t *j, *v;
	const char *key, *s;
	json_t *m;
	bool stored;

	memset(&errs, 0, sizeof(errs));
	if (api_query_check(r, NULL) == -1 || (j = api_body_object(r)) == NULL)
		return;
	if (opt_load(r, &o, &stored) != 0) {
		api_error_store(r);
		return;
	}
	json_object_foreach((json_t *)(uintptr_t)j, key, m) {
		if (strcmp(key, "branchTransitState") == 0 ||
		    strcmp(key, "@odata.type") == 0)
			continue;
		if (strcmp(key, "lastModifiedDateTime") == 0)
			model_errs_add(&errs, key, "%s is read-only", key);
		else
			model_errs_add(&errs, key, "unknown property '%.64s' "
			    "of forwardingOptions", key);
	}
	if ((v = json_object_get(j, "branchTransitState")) != NULL) {
		s = json_string_value(v);
		if (s != NULL && strcmp(s, "enabled") == 0)
			o.branch_transit = true;
		else if (s != NULL && strcmp(s, "disabled") == 0)
			o.branch_transit = false;
		else
			model_errs_add(&errs, "branchTransitState",
			    "branchTransitState must be \"enabled\" or "
			    "\"disabled\"");
	}
	if (errs.count > 0) {
		api_error_errs(r, 400, "BadRequest", &errs);
		return;
	}
	o.modified_ms = wallclock_now_ms();
	if (store_fwd_options_put(r->api->store, r->tenant.id, &o) != 0) {
		api_error_store(r);
		return;
	}
	api_reply_entity(r, 200, opt_json(&o, true), OPT_SET);
}
