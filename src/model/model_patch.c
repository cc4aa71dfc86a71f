/*
 * model_patch.c - PATCH on remote networks and device links (system-facts
 * §3.3). The stored object is turned back into its Graph JSON (with its
 * keys), the patch is merged into that, and the result is validated as a
 * whole by model_validate.c, so a patch can never produce an object that a
 * POST would have refused.
 *
 * The intermediate tree holds pre-shared keys: it is scrubbed before it is
 * released, and so is every member the merge replaces.
 */
#include "model.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* jansson's iterators take a non-const json_t; the patch is not modified. */
static json_t *
mp_unconst(const json_t *j)
{
	return (json_t *)(uintptr_t)j;
}

static bool
mp_is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Set obj[key] = v, scrubbing the value it replaces. v is consumed. */
static int
mp_set(json_t *obj, const char *key, json_t *v)
{
	model_json_scrub(json_object_get(obj, key));
	return json_object_set_new(obj, key, v);
}

/*
 * Read-only members are ignored, whatever their value, exactly as
 * model_validate.c ignores them on create: one rule for both (issue 13
 * §2), and OData's for updates (Part 1, §11.4.3: the service ignores
 * values of read-only properties), so a client may send back a GET body
 * with or without them.
 */
static bool
mp_readonly(const char *key)
{
	return mp_is(key, "id") || mp_is(key, "version") ||
	    mp_is(key, "lastModifiedDateTime") || mp_is(key, "@odata.context");
}

int
model_rn_patch(const struct model_rn *cur, const json_t *patch,
    struct model_rn *out, struct model_errs *errs)
{
	struct model_rn tmp;
	const char *key, *region;
	json_t *m = NULL, *v;
	size_t start = errs->count;
	int rc = -1;

	memset(&tmp, 0, sizeof(tmp));
	if (patch == NULL || !json_is_object(patch)) {
		model_errs_add(errs, "", "a remote network patch must be a "
		    "JSON object");
		return -1;
	}
	if ((m = model_rn_to_json(cur)) == NULL) {
		model_errs_add(errs, "", "out of memory");
		return -1;
	}
	region = model_enum_name(&model_region_enum, cur->region);
	json_object_foreach(mp_unconst(patch), key, v) {
		if (mp_readonly(key))
			continue;
		if (mp_is(key, "region")) {
			/* §3.3: only the name is updatable. */
			if (!json_is_string(v) || region == NULL ||
			    !mp_is(json_string_value(v), region))
				model_errs_add(errs, "region", "region cannot "
				    "be changed (it is '%s')",
				    region ? region : "");
			continue;
		}
		if (mp_is(key, "deviceLinks") ||
		    mp_is(key, "forwardingProfiles")) {
			model_errs_add(errs, key, "%s cannot be changed by "
			    "PATCH on a remote network; use its %s "
			    "collection", key, key);
			continue;
		}
		/* Unknown members are refused by model_rn_from_json. */
		if (json_object_set_new(m, key, json_deep_copy(v)) == -1) {
			model_errs_add(errs, "", "out of memory");
			goto fail;
		}
	}
	if (model_rn_from_json(m, "", &tmp, errs) == -1 ||
	    errs->count != start)
		goto fail;
	memcpy(tmp.id, cur->id, sizeof(tmp.id));
	tmp.modified_ms = cur->modified_ms;
	memcpy(out, &tmp, sizeof(*out));
	rc = 0;
fail:
	json_decref(m);
	return rc;
}

/* Member-wise merge of a nested object, scrubbing what it replaces. */
static int
mp_merge(json_t *dst, const json_t *src)
{
	const char *key;
	json_t *v;

	json_object_foreach(mp_unconst(src), key, v)
		if (mp_set(dst, key, json_deep_copy(v)) == -1)
			return -1;
	return 0;
}

/*
 * tunnelConfiguration: a patch naming another policy type replaces the
 * policy (the old type's members would be refused under the new one); the
 * same type merges. Either way a key the patch omits, or sends as null as
 * every GET shows it, keeps the stored key. *zone_psk tells whether the
 * patch supplied a zone key itself.
 */
static int
mp_tunnel(json_t *m, const json_t *pt, bool *zone_psk)
{
	static const char *const keys[] = {
		"preSharedKey", "zoneRedundancyPreSharedKey"
	};
	json_t *ct = json_object_get(m, "tunnelConfiguration"), *nt, *v, *old;
	const json_t *ptype = json_object_get(pt, "@odata.type");
	const char *key;
	size_t i;

	*zone_psk = json_is_string(json_object_get(pt,
	    "zoneRedundancyPreSharedKey"));
	if (ptype != NULL &&
	    !json_equal(ptype, json_object_get(ct, "@odata.type"))) {
		if ((nt = json_deep_copy(pt)) == NULL)
			return -1;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			v = json_object_get(nt, keys[i]);
			old = json_object_get(ct, keys[i]);
			if ((v == NULL || json_is_null(v)) &&
			    json_is_string(old) &&
			    mp_set(nt, keys[i],
			    json_string(json_string_value(old))) == -1) {
				model_json_scrub(nt);
				json_decref(nt);
				return -1;
			}
		}
		return mp_set(m, "tunnelConfiguration", nt);
	}
	json_object_foreach(mp_unconst(pt), key, v) {
		if ((mp_is(key, keys[0]) || mp_is(key, keys[1])) &&
		    json_is_null(v))
			continue;
		if (mp_set(ct, key, json_deep_copy(v)) == -1)
			return -1;
	}
	return 0;
}

/*
 * Going from zoneRedundancy to noRedundancy: the stored zone address and
 * zone key only make sense with a zone tunnel, and the key cannot be
 * cleared by the client (null means "keep"), so both are dropped unless
 * the patch set them itself.
 */
static int
mp_drop_zone(json_t *m, const json_t *patch, bool zone_psk)
{
	json_t *r, *t, *tier;
	const json_t *pr;

	r = json_object_get(m, "redundancyConfiguration");
	t = json_object_get(m, "tunnelConfiguration");
	tier = json_object_get(r, "redundancyTier");
	if (!json_is_string(tier) ||
	    !mp_is(json_string_value(tier), "noRedundancy"))
		return 0;
	pr = json_object_get(patch, "redundancyConfiguration");
	if (json_object_get(pr, "zoneLocalIpAddress") == NULL &&
	    mp_set(r, "zoneLocalIpAddress", json_null()) == -1)
		return -1;
	if (!zone_psk && json_is_object(t) &&
	    json_object_get(t, "zoneRedundancyPreSharedKey") != NULL &&
	    mp_set(t, "zoneRedundancyPreSharedKey", json_null()) == -1)
		return -1;
	return 0;
}

int
model_link_patch(const struct model_link *cur, const json_t *patch,
    const struct model_ctx *ctx, struct model_link *out,
    struct model_errs *errs)
{
	struct model_link tmp;
	const char *key;
	json_t *m = NULL, *v, *dst;
	size_t start = errs->count;
	bool zone_psk = false;
	int rc = -1;

	memset(&tmp, 0, sizeof(tmp));
	if (patch == NULL || !json_is_object(patch)) {
		model_errs_add(errs, "", "a device link patch must be a JSON "
		    "object");
		return -1;
	}
	if ((m = model_link_to_json(cur, true)) == NULL)
		goto oom;
	json_object_foreach(mp_unconst(patch), key, v) {
		if (mp_readonly(key))
			continue;
		dst = json_object_get(m, key);
		if (json_is_object(v) && json_is_object(dst) &&
		    mp_is(key, "tunnelConfiguration")) {
			if (mp_tunnel(m, v, &zone_psk) == -1)
				goto oom;
		} else if (json_is_object(v) && json_is_object(dst) &&
		    (mp_is(key, "bgpConfiguration") ||
		    mp_is(key, "redundancyConfiguration"))) {
			if (mp_merge(dst, v) == -1)
				goto oom;
		} else if (mp_set(m, key, json_deep_copy(v)) == -1)
			goto oom;
	}
	if (cur->redundancy == MODEL_RED_ZONE &&
	    mp_drop_zone(m, patch, zone_psk) == -1)
		goto oom;
	if (model_link_from_json(m, ctx, "", &tmp, errs) == -1 ||
	    errs->count != start)
		goto fail;
	memcpy(tmp.id, cur->id, sizeof(tmp.id));
	memcpy(tmp.rn_id, cur->rn_id, sizeof(tmp.rn_id));
	tmp.modified_ms = cur->modified_ms;
	memcpy(out, &tmp, sizeof(*out));
	rc = 0;
	goto done;
oom:
	model_errs_add(errs, "", "out of memory");
fail:
done:
	model_link_wipe(&tmp);
	model_json_scrub(m);
	json_decref(m);
	return rc;
}
