/*
 * api_profile.c - traffic forwarding profiles (system-facts §3.5).
 *
 * Each tenant has the built-in Microsoft 365 and Internet Access profiles
 * (created with the tenant, ids per tenant as in Graph). Their policies and
 * rules are not per tenant: the Microsoft 365 rules come from Microsoft's
 * published endpoint list shipped in data/m365-endpoints-worldwide.json,
 * read once at start-up; the Internet Access rules are the documented
 * defaults (bypass private ranges, acquire TCP 80/443). The IPv4 prefixes of
 * an assigned profile are what the gateway will advertise over BGP.
 */
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guid.h"
#include "log.h"

#define NS	"#microsoft.graph.networkaccess."

struct api_profiles {
	json_t	*m365;		/* forwardingPolicyLink array */
	json_t	*internet;
};

static json_t *
profile_policy_link(const char *name, const char *traffic, json_t *rules)
{
	char id[GUID_STRLEN + 1], lid[GUID_STRLEN + 1], key[300];
	json_t *policy;

	snprintf(key, sizeof(key), "policy:%s:%s", traffic, name);
	guid_from_name(key, id);
	snprintf(key, sizeof(key), "policylink:%s:%s", traffic, name);
	guid_from_name(key, lid);
	policy = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}",
	    "@odata.type", NS "forwardingPolicy", "id", id, "name", name,
	    "trafficForwardingType", traffic, "version", MODEL_VERSION,
	    "policyRules", rules);
	return json_pack("{s:s, s:s, s:s, s:s, s:o}",
	    "@odata.type", NS "forwardingPolicyLink", "id", lid,
	    "state", "enabled", "version", MODEL_VERSION, "policy", policy);
}

static json_t *
profile_ports(const char *csv)
{
	json_t *a = json_array();
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", csv);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_string(tok));
	return a;
}

static json_t *
profile_m365_rule(json_t *entry, const char *kind, const char *proto,
    const char *ports)
{
	const char *cat = json_string_value(json_object_get(entry, "category"));
	const char *area = json_string_value(json_object_get(entry,
	    "serviceAreaDisplayName"));
	json_int_t eid = json_integer_value(json_object_get(entry, "id"));
	json_t *src, *dst, *v;
	char id[GUID_STRLEN + 1], name[200];
	size_t i;
	bool fqdn = strcmp(kind, "fqdn") == 0;

	src = json_object_get(entry, fqdn ? "urls" : "ips");
	dst = json_array();
	json_array_foreach(src, i, v)
		json_array_append_new(dst, json_pack("{s:s, s:s}",
		    "@odata.type", fqdn ? NS "fqdn" : NS "ipSubnet",
		    "value", json_string_value(v)));
	snprintf(name, sizeof(name), "%s %s %s rule %lld", area ? area : "M365",
	    fqdn ? "Fqdn" : "IP", proto, (long long)eid);
	guid_from_name(name, id);
	/* The published list says Optimize/Allow/Default; Graph's enum is
	 * optimized/allow/default (system-facts §3.4). */
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o}",
	    "@odata.type", NS "m365ForwardingRule", "id", id, "name", name,
	    "ruleType", fqdn ? "fqdn" : "ipSubnet", "action", "forward",
	    "protocol", proto, "ports", profile_ports(ports),
	    "category", cat == NULL ? "default" :
	    strcmp(cat, "Optimize") == 0 ? "optimized" :
	    strcmp(cat, "Allow") == 0 ? "allow" : "default",
	    "destinations", dst);
}

static json_t *
profile_m365_policies(json_t *list)
{
	json_t *groups = json_object(), *links = json_array(), *e, *rules;
	const char *area, *tcp, *udp, *key;
	size_t i;

	json_array_foreach(list, i, e) {
		area = json_string_value(json_object_get(e,
		    "serviceAreaDisplayName"));
		if (area == NULL)
			continue;
		if ((rules = json_object_get(groups, area)) == NULL) {
			rules = json_array();
			json_object_set_new(groups, area, rules);
		}
		tcp = json_string_value(json_object_get(e, "tcpPorts"));
		udp = json_string_value(json_object_get(e, "udpPorts"));
		if (json_array_size(json_object_get(e, "urls")) > 0) {
			if (tcp)
				json_array_append_new(rules,
				    profile_m365_rule(e, "fqdn", "tcp", tcp));
			if (udp)
				json_array_append_new(rules,
				    profile_m365_rule(e, "fqdn", "udp", udp));
		}
		if (json_array_size(json_object_get(e, "ips")) > 0) {
			if (tcp)
				json_array_append_new(rules,
				    profile_m365_rule(e, "ip", "tcp", tcp));
			if (udp)
				json_array_append_new(rules,
				    profile_m365_rule(e, "ip", "udp", udp));
		}
	}
	json_object_foreach(groups, key, rules)
		json_array_append_new(links,
		    profile_policy_link(key, "m365", json_incref(rules)));
	json_decref(groups);
	return links;
}

/* ED how-to-manage-internet-access-profile: the documented defaults. */
static json_t *
profile_internet_policies(void)
{
	static const char *const bypass[] = { "10.0.0.0/8", "172.16.0.0/12",
	    "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
	    "127.0.0.0/8" };
	json_t *links = json_array(), *dst = json_array(), *rules;
	char id[GUID_STRLEN + 1];
	size_t i;

	for (i = 0; i < sizeof(bypass) / sizeof(bypass[0]); i++)
		json_array_append_new(dst, json_pack("{s:s, s:s}",
		    "@odata.type", NS "ipSubnet", "value", bypass[i]));
	guid_from_name("internet:default-bypass", id);
	rules = json_pack("[{s:s, s:s, s:s, s:s, s:s, s:o}]",
	    "@odata.type", NS "internetAccessForwardingRule", "id", id,
	    "name", "Default Bypass: private ranges", "ruleType", "ipSubnet",
	    "action", "bypass", "destinations", dst);
	json_array_append_new(links,
	    profile_policy_link("Custom Bypass", "internet", json_array()));
	json_array_append_new(links,
	    profile_policy_link("Default Bypass", "internet", rules));
	guid_from_name("internet:default-acquire", id);
	rules = json_pack("[{s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s], s:[{s:s, s:s}]}]",
	    "@odata.type", NS "internetAccessForwardingRule", "id", id,
	    "name", "Default Acquire: all internet traffic on TCP 80, 443",
	    "ruleType", "ipSubnet", "action", "forward", "protocol", "tcp",
	    "ports", "80", "443", "destinations", "@odata.type",
	    NS "ipSubnet", "value", "0.0.0.0/0");
	json_array_append_new(links,
	    profile_policy_link("Default Acquire", "internet", rules));
	return links;
}

int
api_profiles_load(struct api *api, const char *datadir)
{
	char path[1024];
	json_error_t jerr;
	json_t *list;

	if ((api->profiles = calloc(1, sizeof(*api->profiles))) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/m365-endpoints-worldwide.json", datadir);
	list = json_load_file(path, 0, &jerr);
	if (!json_is_array(list)) {
		log_err("api: cannot read the Microsoft 365 endpoint list %s: "
		    "%s (line %d)", path, jerr.text, jerr.line);
		json_decref(list);
		return -1;
	}
	api->profiles->m365 = profile_m365_policies(list);
	api->profiles->internet = profile_internet_policies();
	log_info("api: Microsoft 365 profile: %zu endpoint sets from %s",
	    json_array_size(list), path);
	json_decref(list);
	return 0;
}

void
api_profiles_free(struct api *api)
{
	if (api->profiles == NULL)
		return;
	json_decref(api->profiles->m365);
	json_decref(api->profiles->internet);
	free(api->profiles);
	api->profiles = NULL;
}

json_t *
api_profile_json(struct api *api, const struct model_profile *p,
    bool expand_policies)
{
	json_t *o = model_profile_to_json(p), *pol;

	if (o != NULL && expand_policies) {
		pol = p->traffic == MODEL_TRAFFIC_M365 ? api->profiles->m365 :
		    p->traffic == MODEL_TRAFFIC_INTERNET ?
		    api->profiles->internet : NULL;
		json_object_set_new(o, "policies",
		    pol ? json_deep_copy(pol) : json_array());
	}
	return o;
}

static const char *const profile_query[] = { "$expand", "$select", NULL };

void
api_profile_list(struct api_req *r)
{
	struct model_profile *ps = NULL;
	size_t n = 0, i;
	json_t *a;
	bool expand;

	if (api_query_check(r, profile_query) == -1)
		return;
	expand = api_query_has(r, "$expand", "policies");
	if (store_profile_list(r->api->store, r->tenant.id, &ps, &n) == -1) {
		api_error_store(r);
		return;
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, api_profile_json(r->api, &ps[i], expand));
	free(ps);
	r->resp = json_pack("{s:s, s:o}", "@odata.context",
	    "$metadata#networkAccess/forwardingProfiles", "value", a);
	r->status = 200;
}

void
api_profile_get(struct api_req *r)
{
	struct model_profile p;
	int rc;

	if (api_query_check(r, profile_query) == -1)
		return;
	rc = guid_valid(r->seg[2]) ? store_profile_get(r->api->store,
	    r->tenant.id, r->seg[2], &p) : STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND) {
		api_error(r, 404, "NotFound", "id",
		    "forwarding profile '%.64s' not found", r->seg[2]);
		return;
	}
	if (rc == -1) {
		api_error_store(r);
		return;
	}
	r->resp = api_profile_json(r->api, &p,
	    api_query_has(r, "$expand", "policies"));
	r->status = 200;
}

void
api_rn_profiles_get(struct api_req *r)
{
	struct model_profile *ps = NULL;
	struct model_rn rn;
	size_t n = 0, i;
	json_t *a;

	if (api_query_check(r, profile_query) == -1 ||
	    api_rn_load(r, r->seg[3], &rn) == -1)
		return;
	if (store_rn_profiles_get(r->api->store, r->tenant.id, rn.id, &ps,
	    &n) == -1) {
		api_error_store(r);
		return;
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, api_profile_json(r->api, &ps[i],
		    api_query_has(r, "$expand", "policies")));
	free(ps);
	r->resp = json_pack("{s:s, s:o}", "@odata.context",
	    "$metadata#networkAccess/connectivity/remoteNetworks/forwardingProfiles",
	    "value", a);
	r->status = 200;
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
		rc = guid_valid(sid) ? store_profile_get(r->api->store,
		    r->tenant.id, sid, &p) : STORE_NOTFOUND;
		if (rc == -1)
			goto fail;
		if (rc == STORE_NOTFOUND) {
			model_errs_add(&errs, target, "%s '%.64s' is not a "
			    "forwarding profile of this tenant", target, sid);
			continue;
		}
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
