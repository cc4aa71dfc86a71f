/*
 * api_webcat.c - GET /networkAccess/connectivity/webCategories: the web
 * categories a webCategoryFilteringRule may name, as Graph's webCategory
 * {name, displayName, group}, from the category database the daemon
 * loaded (--webcat-file, policy_webcat.h; docs/policy.md). Without one the
 * list is empty.
 */
#include "api_internal.h"

#include "model_policy_json.h"
#include "policy_webcat.h"

void
api_webcat_list(struct api_req *r)
{
	static const char *const q[] = { "$select", "$count", NULL };
	static const char *const fields[] = {
		"name", "displayName", "group", NULL
	};
	const struct policy_webcat_cat *c;
	size_t i, n;
	json_t *a, *o;

	if (api_query_check(r, q) == -1 || api_select_check(r, fields,
	    "microsoft.graph.networkaccess.webCategory") == -1)
		return;
	n = r->api->webcat != NULL ? policy_webcat_ncat(r->api->webcat) : 0;
	a = json_array();
	for (i = 0; a != NULL && i < n; i++) {
		c = policy_webcat_cat(r->api->webcat, i);
		o = json_pack("{s:s, s:s, s:s, s:o}", "@odata.type",
		    MODEL_NA "webCategory", "name", c->name, "displayName",
		    c->display, "group", c->group[0] ? json_string(c->group) :
		    json_null());
		api_select_apply(r, o);
		json_array_append_new(a, o);
	}
	api_reply_collection(r, a, NULL,
	    "networkAccess/connectivity/webCategories");
}
