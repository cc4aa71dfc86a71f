/*
 * fuzz_api_body.c - libFuzzer target for the JSON bodies the API hands to
 * the model: remote network POST (with inline deviceLinks), device link
 * POST, and PATCH of a fixed stored link and remote network. Whatever is
 * accepted must also survive a to_json/from_json round trip unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define BODY_MAX	(64 * 1024)	/* the API caps bodies first */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct model_ctx fz_ctx = { .gateway_asn = MODEL_GATEWAY_ASN,
	.endpoint = { 0x14f56f15, 0x14f56f4d } };

static const char *fz_stored_link =
    "{\"name\":\"Stored\",\"ipAddress\":\"114.20.4.14\","
    "\"deviceVendor\":\"fortinet\",\"bgpConfiguration\":{\"localIpAddress\":"
    "\"10.1.1.11\",\"peerIpAddress\":\"10.6.6.6\",\"asn\":65000},"
    "\"redundancyConfiguration\":{\"redundancyTier\":\"zoneRedundancy\","
    "\"zoneLocalIpAddress\":\"10.1.1.12\"},\"tunnelConfiguration\":{"
    "\"@odata.type\":\"" MODEL_ODATA_CUSTOM "\",\"saLifeTimeSeconds\":3600,"
    "\"ipSecEncryption\":\"gcmAes256\",\"ipSecIntegrity\":\"gcmAes256\","
    "\"ikeEncryption\":\"gcmAes256\",\"ikeIntegrity\":\"sha384\","
    "\"dhGroup\":\"dhGroup24\",\"pfsGroup\":\"none\",\"preSharedKey\":"
    "\"STOREDKEY1\",\"zoneRedundancyPreSharedKey\":\"STOREDKEY2\"}}";

static struct model_link fz_link;
static struct model_rn fz_rn;

static void
fz_init(void)
{
	static int done;
	struct model_errs errs;
	json_t *j;

	if (done)
		return;
	memset(&errs, 0, sizeof(errs));
	j = json_loads(fz_stored_link, 0, NULL);
	if (j == NULL || model_link_from_json(j, &fz_ctx, "", &fz_link,
	    &errs) == -1)
		abort();
	json_decref(j);
	memcpy(fz_link.id, "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
	    MODEL_ID_LEN + 1);
	fz_link.modified_ms = 1706748108000LL;
	memcpy(fz_rn.id, "11111111-2222-4333-8444-555555555555",
	    MODEL_ID_LEN + 1);
	memcpy(fz_rn.name, "Branch", 7);
	memcpy(fz_rn.version, MODEL_VERSION, sizeof(MODEL_VERSION));
	fz_rn.region = 2;
	done = 1;
}

/* An accepted link must come back identical through its stored form. */
static void
fz_round_trip(const struct model_link *l)
{
	struct model_errs errs;
	struct model_link back;
	json_t *j;

	if ((j = model_link_to_json(l, true)) == NULL)
		return;
	memset(&errs, 0, sizeof(errs));
	if (model_link_from_json(j, &fz_ctx, "", &back, &errs) == -1)
		abort();
	memcpy(back.id, l->id, sizeof(back.id));
	memcpy(back.rn_id, l->rn_id, sizeof(back.rn_id));
	back.modified_ms = l->modified_ms;
	if (memcmp(&back, l, sizeof(back)) != 0)
		abort();
	model_link_wipe(&back);
	model_json_scrub(j);
	json_decref(j);
}

static void
fz_link_out(const struct model_link *l)
{
	json_t *j;

	fz_round_trip(l);
	if ((j = model_link_to_json(l, false)) != NULL)
		json_decref(j);
	if ((j = model_connectivity_to_json(&fz_ctx, &fz_rn, l, 1)) != NULL)
		json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model_errs errs;
	struct model_link l, links[MODEL_LINKS_MAX];
	struct model_rn rn;
	json_t *j, *dl, *v;
	char prefix[32];
	size_t i, n = 0;

	if (size > BODY_MAX)
		return 0;
	fz_init();
	/* The API's flags: objects only, duplicate members refused. */
	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return 0;

	memset(&errs, 0, sizeof(errs));
	if (model_rn_from_json(j, "", &rn, &errs) == 0)
		json_decref(model_rn_to_json(&rn));
	dl = json_object_get(j, "deviceLinks");
	json_array_foreach(dl, i, v) {
		if (i >= MODEL_LINKS_MAX)
			break;
		memset(&errs, 0, sizeof(errs));
		snprintf(prefix, sizeof(prefix), "deviceLinks[%zu]", i);
		if (model_link_from_json(v, &fz_ctx, prefix, &links[n],
		    &errs) == 0) {
			model_link_check_unique(&links[n], links, n, prefix,
			    &errs);
			fz_link_out(&links[n]);
			n++;
		}
	}

	memset(&errs, 0, sizeof(errs));
	if (model_link_from_json(j, &fz_ctx, "", &l, &errs) == 0) {
		model_link_check_unique(&l, &fz_link, 1, "", &errs);
		fz_link_out(&l);
		model_link_wipe(&l);
	}

	memset(&errs, 0, sizeof(errs));
	if (model_link_patch(&fz_link, j, &fz_ctx, &l, &errs) == 0) {
		fz_link_out(&l);
		model_link_wipe(&l);
	}
	memset(&errs, 0, sizeof(errs));
	model_rn_patch(&fz_rn, j, &rn, &errs);

	for (i = 0; i < n; i++)
		model_link_wipe(&links[i]);
	json_decref(j);
	return 0;
}
