/*
 * model_json.c - model objects out to Graph JSON (system-facts §2.2, §3.2,
 * §3.5): the API's responses, the store's records and the CPE generators'
 * input. Parsing the other way is model_validate.c.
 *
 * Secrets appear only with with_secrets; such trees must go through
 * model_json_scrub() before json_decref, because jansson frees its string
 * buffers without clearing them.
 */
#include "model.h"
#include "ip4.h"
#include "wallclock.h"

#include <stdint.h>
#include <string.h>

static json_t *
mj_enum(const struct model_enum *e, int v)
{
	const char *s = model_enum_name(e, v);

	return s != NULL ? json_string(s) : json_null();
}

static json_t *
mj_ip(uint32_t a)
{
	char buf[IP4_STRLEN];

	return json_string(ip4_fmt(a, buf));
}

static json_t *
mj_prefixes(const struct model_link *l)
{
	char buf[MODEL_PREFIX_STRLEN];
	json_t *a;
	unsigned i;
	int errs = 0;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < l->nsrc && i < MODEL_SRC_PREFIXES_MAX; i++)
		errs += json_array_append_new(a,
		    json_string(model_prefix_fmt(&l->src[i], buf)));
	if (errs != 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
mj_time(int64_t ms)
{
	char buf[WALLCLOCK_STRLEN];

	return json_string(wallclock_fmt(ms, buf));
}

/* A failed set drops the object, scrubbed first: it may hold keys. */
static json_t *
mj_done(json_t *j, int errs)
{
	if (errs == 0)
		return j;
	model_json_scrub(j);
	json_decref(j);
	return NULL;
}

void
model_json_scrub(json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	if (j == NULL)
		return;
	switch (json_typeof(j)) {
	case JSON_STRING:
		/* jansson owns the buffer; we are about to release it. */
		explicit_bzero((char *)(uintptr_t)json_string_value(j),
		    json_string_length(j));
		break;
	case JSON_OBJECT:
		json_object_foreach(j, key, v)
			model_json_scrub(v);
		break;
	case JSON_ARRAY:
		json_array_foreach(j, i, v)
			model_json_scrub(v);
		break;
	default:
		break;
	}
}

json_t *
model_rn_to_json(const struct model_rn *rn)
{
	json_t *j;
	int errs = 0;

	if ((j = json_object()) == NULL)
		return NULL;
	errs += json_object_set_new(j, "id", json_string(rn->id));
	errs += json_object_set_new(j, "name", json_string(rn->name));
	errs += json_object_set_new(j, "region",
	    mj_enum(&model_region_enum, rn->region));
	errs += json_object_set_new(j, "version", json_string(rn->version));
	errs += json_object_set_new(j, "lastModifiedDateTime",
	    mj_time(rn->modified_ms));
	return mj_done(j, errs);
}

static json_t *
mj_tunnel(const struct model_link *l, bool with_secrets)
{
	const struct model_tunnel *t = &l->tunnel;
	json_t *j;
	int errs = 0;

	if ((j = json_object()) == NULL)
		return NULL;
	errs += json_object_set_new(j, "@odata.type",
	    json_string(t->custom ? MODEL_ODATA_CUSTOM : MODEL_ODATA_DEFAULT));
	errs += json_object_set_new(j, "preSharedKey",
	    with_secrets ? json_string(t->psk) : json_null());
	errs += json_object_set_new(j, "zoneRedundancyPreSharedKey",
	    with_secrets && t->zone_psk[0] != '\0' ?
	    json_string(t->zone_psk) : json_null());
	if (t->custom) {
		errs += json_object_set_new(j, "saLifeTimeSeconds",
		    json_integer(t->sa_lifetime));
		errs += json_object_set_new(j, "ipSecEncryption",
		    mj_enum(&model_ipsec_enc_enum, t->ipsec_enc));
		errs += json_object_set_new(j, "ipSecIntegrity",
		    mj_enum(&model_ipsec_int_enum, t->ipsec_int));
		errs += json_object_set_new(j, "ikeEncryption",
		    mj_enum(&model_ike_enc_enum, t->ike_enc));
		errs += json_object_set_new(j, "ikeIntegrity",
		    mj_enum(&model_ike_int_enum, t->ike_int));
		errs += json_object_set_new(j, "dhGroup",
		    mj_enum(&model_dh_enum, t->dh));
		errs += json_object_set_new(j, "pfsGroup",
		    mj_enum(&model_pfs_enum, t->pfs));
	}
	return mj_done(j, errs);
}

json_t *
model_link_to_json(const struct model_link *l, bool with_secrets)
{
	json_t *j, *b, *r;
	int errs = 0;

	if ((j = json_object()) == NULL)
		return NULL;
	errs += json_object_set_new(j, "id", json_string(l->id));
	errs += json_object_set_new(j, "name", json_string(l->name));
	errs += json_object_set_new(j, "ipAddress", mj_ip(l->ip));
	errs += json_object_set_new(j, "deviceVendor",
	    mj_enum(&model_vendor_enum, l->vendor));
	errs += json_object_set_new(j, "bandwidthCapacityInMbps",
	    mj_enum(&model_bandwidth_enum, l->bandwidth));

	if ((b = json_object()) != NULL) {
		errs += json_object_set_new(b, "localIpAddress",
		    mj_ip(l->bgp_local));
		errs += json_object_set_new(b, "peerIpAddress",
		    mj_ip(l->bgp_peer));
		errs += json_object_set_new(b, "asn", json_integer(l->asn));
	}
	errs += json_object_set_new(j, "bgpConfiguration", b);
	/* Always present, [] when empty: clients need not test for absence. */
	errs += json_object_set_new(j, "staticSourcePrefixes", mj_prefixes(l));

	if ((r = json_object()) != NULL) {
		errs += json_object_set_new(r, "redundancyTier",
		    mj_enum(&model_redundancy_enum, l->redundancy));
		errs += json_object_set_new(r, "zoneLocalIpAddress",
		    l->redundancy == MODEL_RED_ZONE && l->zone_local != 0 ?
		    mj_ip(l->zone_local) : json_null());
	}
	errs += json_object_set_new(j, "redundancyConfiguration", r);

	errs += json_object_set_new(j, "tunnelConfiguration",
	    mj_tunnel(l, with_secrets));
	errs += json_object_set_new(j, "version", json_string(l->version));
	errs += json_object_set_new(j, "lastModifiedDateTime",
	    mj_time(l->modified_ms));
	return mj_done(j, errs);
}

/*
 * A built-in profile's description follows from its traffic type (the
 * store keeps none). The Private Access one says why a remote network
 * cannot use it.
 */
static const char *const mj_profile_desc[] = {
	[MODEL_TRAFFIC_M365] = "Built-in profile for Microsoft 365 traffic "
	    "(Exchange Online, SharePoint Online and OneDrive, Microsoft Teams, "
	    "Microsoft 365 Common and Office Online). Assigned to a remote "
	    "network, its IP subnets are advertised to the branch over BGP.",
	[MODEL_TRAFFIC_INTERNET] = "Built-in profile for Internet traffic: "
	    "everything on TCP 80 and 443 except private ranges and the "
	    "Microsoft 365 profile's endpoints. Assigned to a remote network, "
	    "the default route is advertised to the branch over BGP.",
	[MODEL_TRAFFIC_PRIVATE] = "Built-in profile for Private Access traffic "
	    "to private applications. It is not applicable to remote "
	    "networks: Private Access traffic is acquired by the Global Secure "
	    "Access client only, so this profile cannot be assigned to a "
	    "remote network, and this gateway does not forward it.",
};

json_t *
model_profile_to_json(const struct model_profile *p)
{
	static const char *const traffic[] = { "m365", "internet", "private" };
	json_t *j;
	int errs = 0;
	bool known = p->traffic >= 0 && p->traffic <= MODEL_TRAFFIC_PRIVATE;

	if ((j = json_object()) == NULL)
		return NULL;
	errs += json_object_set_new(j, "id", json_string(p->id));
	errs += json_object_set_new(j, "name", json_string(p->name));
	errs += json_object_set_new(j, "description", known ?
	    json_string(mj_profile_desc[p->traffic]) : json_null());
	errs += json_object_set_new(j, "state",
	    json_string(p->enabled ? "enabled" : "disabled"));
	errs += json_object_set_new(j, "version", json_string(p->version));
	errs += json_object_set_new(j, "lastModifiedDateTime",
	    mj_time(p->modified_ms));
	errs += json_object_set_new(j, "trafficForwardingType", known ?
	    json_string(traffic[p->traffic]) : json_null());
	errs += json_object_set_new(j, "priority", json_integer(p->priority));
	return mj_done(j, errs);
}

static json_t *
mj_local(uint32_t endpoint, uint32_t asn, uint32_t bgp, int region)
{
	json_t *j;
	int errs = 0;

	if ((j = json_object()) == NULL)
		return NULL;
	errs += json_object_set_new(j, "endpoint", mj_ip(endpoint));
	errs += json_object_set_new(j, "asn", json_integer(asn));
	errs += json_object_set_new(j, "bgpAddress", mj_ip(bgp));
	errs += json_object_set_new(j, "region",
	    mj_enum(&model_region_enum, region));
	return mj_done(j, errs);
}

static json_t *
mj_conn_link(const struct model_ctx *ctx, const struct model_rn *rn,
    const struct model_link *l, const uint32_t *ep)
{
	json_t *j, *locals, *peer;
	int errs = 0;

	if ((j = json_object()) == NULL)
		return NULL;
	errs += json_object_set_new(j, "id", json_string(l->id));
	errs += json_object_set_new(j, "displayName", json_string(l->name));
	/* A zone without a configured endpoint has nothing to show. */
	if ((locals = json_array()) != NULL) {
		if (ep[0] != 0)
			errs += json_array_append_new(locals,
			    mj_local(ep[0], ctx->gateway_asn,
			    l->bgp_local, rn->region));
		if (l->redundancy == MODEL_RED_ZONE && ep[1] != 0)
			errs += json_array_append_new(locals,
			    mj_local(ep[1], ctx->gateway_asn,
			    l->zone_local, rn->region));
	}
	errs += json_object_set_new(j, "localConfigurations", locals);
	if ((peer = json_object()) != NULL) {
		errs += json_object_set_new(peer, "endpoint", mj_ip(l->ip));
		errs += json_object_set_new(peer, "asn", json_integer(l->asn));
		errs += json_object_set_new(peer, "bgpAddress",
		    mj_ip(l->bgp_peer));
	}
	errs += json_object_set_new(j, "peerConfiguration", peer);
	return mj_done(j, errs);
}

json_t *
model_connectivity_to_json(const struct model_ctx *ctx,
    const struct model_rn *rn, const struct model_link *links, size_t n)
{
	return model_connectivity_to_json_ep(ctx, rn, links, n, NULL);
}

json_t *
model_connectivity_to_json_ep(const struct model_ctx *ctx,
    const struct model_rn *rn, const struct model_link *links, size_t n,
    const uint32_t (*ep)[MODEL_ZONES_MAX])
{
	json_t *j, *arr;
	size_t i;
	int errs = 0;

	if ((j = json_object()) == NULL)
		return NULL;
	errs += json_object_set_new(j, "remoteNetworkId", json_string(rn->id));
	errs += json_object_set_new(j, "remoteNetworkName",
	    json_string(rn->name));
	if ((arr = json_array()) != NULL)
		for (i = 0; i < n; i++)
			errs += json_array_append_new(arr,
			    mj_conn_link(ctx, rn, &links[i], ep != NULL ?
			    ep[i] : ctx->endpoint));
	errs += json_object_set_new(j, "links", arr);
	return mj_done(j, errs);
}
