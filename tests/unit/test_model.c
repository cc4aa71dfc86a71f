/*
 * test_model.c - the validation rules of system-facts §1 and §3.2 one by
 * one, each with an accepted and a refused case; PATCH merging; the
 * uniqueness check; the Graph JSON shapes of §2.2, §3.2 and §3.5.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egress.h"
#include "model.h"

#define EP1	0x14f56f15	/* 20.245.111.21 */
#define EP2	0x14f56f4d	/* 20.245.111.77 */

/* No .reserved: len 0 stands for the default range (t_reserved_default). */
static const struct model_ctx ctx2 = {
	.gateway_asn = MODEL_GATEWAY_ASN, .endpoint = { EP1, EP2 }
};
static const struct model_ctx ctx1 = {
	.gateway_asn = MODEL_GATEWAY_ASN, .endpoint = { EP1, 0 }
};

/* Default policy, no redundancy. */
static const char *link_default =
    "{\"name\":\"Link 1\",\"ipAddress\":\"114.20.4.14\","
    "\"deviceVendor\":\"ciscoMeraki\",\"bandwidthCapacityInMbps\":\"mbps500\","
    "\"bgpConfiguration\":{\"localIpAddress\":\"10.1.1.11\","
    "\"peerIpAddress\":\"10.6.6.6\",\"asn\":65000},"
    "\"redundancyConfiguration\":{\"redundancyTier\":\"noRedundancy\"},"
    "\"tunnelConfiguration\":{\"@odata.type\":"
    "\"#microsoft.graph.networkaccess.tunnelConfigurationIKEv2Default\","
    "\"preSharedKey\":\"SHAREDKEY\"}}";

/* system-facts §3.3 custom example, plus the zone key it needs. */
static const char *link_custom =
    "{\"name\":\"custom link\",\"ipAddress\":\"114.20.4.14\","
    "\"deviceVendor\":\"ciscoMeraki\","
    "\"tunnelConfiguration\":{\"@odata.type\":"
    "\"#microsoft.graph.networkaccess.tunnelConfigurationIKEv2Custom\","
    "\"saLifeTimeSeconds\":300,\"ipSecEncryption\":\"gcmAes128\","
    "\"ipSecIntegrity\":\"gcmAes128\",\"ikeEncryption\":\"aes128\","
    "\"ikeIntegrity\":\"sha256\",\"dhGroup\":\"ecp384\","
    "\"pfsGroup\":\"ecp384\",\"preSharedKey\":\"SHAREDKEY\","
    "\"zoneRedundancyPreSharedKey\":\"ZONEKEY99\"},"
    "\"bgpConfiguration\":{\"localIpAddress\":\"10.1.1.11\","
    "\"peerIpAddress\":\"10.6.6.6\",\"asn\":65000},"
    "\"redundancyConfiguration\":{\"redundancyTier\":\"zoneRedundancy\","
    "\"zoneLocalIpAddress\":\"10.1.1.12\"},"
    "\"bandwidthCapacityInMbps\":\"mbps250\"}";

static const char *rn_body = "{\"name\":\"Branch 1\",\"region\":\"westUS\"}";

static json_t *
load(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &e);

	if (j == NULL)
		fail_msg("bad test JSON: %s", e.text);
	return j;
}

/* Set (v non-NULL) or delete j[obj][key]; obj NULL for top level. */
static json_t *
set(json_t *j, const char *obj, const char *key, json_t *v)
{
	json_t *o = obj ? json_object_get(j, obj) : j;

	assert_non_null(o);
	if (v != NULL)
		assert_int_equal(json_object_set_new(o, key, v), 0);
	else
		json_object_del(o, key);
	return j;
}

static json_t *
set_s(json_t *j, const char *obj, const char *key, const char *s)
{
	return set(j, obj, key, json_string(s));
}

static bool
has_err(const struct model_errs *e, const char *target, const char *msg)
{
	size_t i;

	for (i = 0; i < e->count && i < MODEL_ERRS_MAX; i++)
		if (strcmp(e->err[i].target, target) == 0 &&
		    (msg == NULL || strstr(e->err[i].message, msg) != NULL))
			return true;
	return false;
}

static void
dump_errs(const struct model_errs *e)
{
	size_t i;

	for (i = 0; i < e->count && i < MODEL_ERRS_MAX; i++)
		print_message("  %s: %s\n", e->err[i].target,
		    e->err[i].message);
}

/* Parse a link body under ctx; consumes j. */
static int
link_parse(json_t *j, const struct model_ctx *c, struct model_link *l,
    struct model_errs *e)
{
	int rc;

	memset(e, 0, sizeof(*e));
	rc = model_link_from_json(j, c, "", l, e);
	json_decref(j);
	return rc;
}

static void
link_ok(json_t *j, const struct model_ctx *c)
{
	struct model_link l;
	struct model_errs e;

	if (link_parse(j, c, &l, &e) != 0) {
		dump_errs(&e);
		fail_msg("link refused");
	}
	assert_int_equal(e.count, 0);
	model_link_wipe(&l);
}

static void
link_bad(json_t *j, const struct model_ctx *c, const char *target,
    const char *msg)
{
	struct model_link l;
	struct model_errs e;

	assert_int_equal(link_parse(j, c, &l, &e), -1);
	if (!has_err(&e, target, msg)) {
		dump_errs(&e);
		fail_msg("no error '%s' at '%s'", msg ? msg : "", target);
	}
	/* A refused link never keeps a key. */
	assert_int_equal(l.tunnel.psk[0], 0);
	assert_int_equal(l.tunnel.zone_psk[0], 0);
}

static void
rn_ok(json_t *j)
{
	struct model_rn rn;
	struct model_errs e;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = model_rn_from_json(j, "", &rn, &e);
	json_decref(j);
	if (rc != 0) {
		dump_errs(&e);
		fail_msg("remote network refused");
	}
}

static void
rn_bad(json_t *j, const char *target, const char *msg)
{
	struct model_rn rn;
	struct model_errs e;

	memset(&e, 0, sizeof(e));
	assert_int_equal(model_rn_from_json(j, "", &rn, &e), -1);
	json_decref(j);
	if (!has_err(&e, target, msg)) {
		dump_errs(&e);
		fail_msg("no error '%s' at '%s'", msg ? msg : "", target);
	}
}

static void
mklink(const char *body, const struct model_ctx *c, const char *id,
    struct model_link *l)
{
	struct model_errs e;

	if (link_parse(load(body), c, l, &e) != 0) {
		dump_errs(&e);
		fail_msg("fixture refused");
	}
	snprintf(l->id, sizeof(l->id), "%s", id);
	snprintf(l->rn_id, sizeof(l->rn_id), "%s",
	    "11111111-2222-4333-8444-555555555555");
	l->modified_ms = 1706748108000LL;
}

/* ---- remote network ----------------------------------------------------- */

static void
t_rn_valid(void **state)
{
	struct model_rn rn;
	struct model_errs e;
	json_t *j = load(rn_body);

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(model_rn_from_json(j, "", &rn, &e), 0);
	json_decref(j);
	assert_string_equal(rn.name, "Branch 1");
	assert_string_equal(model_enum_name(&model_region_enum, rn.region),
	    "westUS");
	assert_string_equal(rn.version, MODEL_VERSION);
	assert_string_equal(rn.id, "");
	assert_int_equal(rn.modified_ms, 0);
}

static void
t_rn_not_object(void **state)
{
	(void)state;
	rn_bad(json_array(), "", "JSON object");
	rn_bad(NULL, "", "JSON object");
}

static void
t_rn_name_required(void **state)
{
	(void)state;
	rn_bad(set(load(rn_body), NULL, "name", NULL), "name", "required");
	rn_bad(set(load(rn_body), NULL, "name", json_null()), "name",
	    "required");
	rn_bad(set(load(rn_body), NULL, "name", json_integer(5)), "name",
	    "must be a string");
}

static void
t_rn_name_length(void **state)
{
	char name[MODEL_NAME_MAX + 2];

	(void)state;
	memset(name, 'a', sizeof(name));
	name[MODEL_NAME_MAX] = '\0';
	rn_ok(set_s(load(rn_body), NULL, "name", name));
	name[MODEL_NAME_MAX] = 'a';
	name[MODEL_NAME_MAX + 1] = '\0';
	rn_bad(set_s(load(rn_body), NULL, "name", name), "name",
	    "1 to 256 bytes");
	rn_bad(set_s(load(rn_body), NULL, "name", ""), "name", "empty");
}

static void
t_rn_name_utf8_bytes(void **state)
{
	char name[MODEL_NAME_MAX + 3];
	size_t i;

	(void)state;
	/* 128 x "é" = 256 bytes: the limit counts bytes, not characters. */
	for (i = 0; i < 128; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	name[256] = '\0';
	rn_ok(set_s(load(rn_body), NULL, "name", name));
	memcpy(name + 256, "\xc3\xa9", 3);
	rn_bad(set_s(load(rn_body), NULL, "name", name), "name", "(got 258)");
}

static void
t_rn_name_control(void **state)
{
	(void)state;
	rn_ok(set_s(load(rn_body), NULL, "name", "Branch\xc2\xa0 1"));
	rn_bad(set_s(load(rn_body), NULL, "name", "Branch\t1"), "name",
	    "control");
	rn_bad(set_s(load(rn_body), NULL, "name", "Branch\x7f"), "name",
	    "control");
	rn_bad(set_s(load(rn_body), NULL, "name", "Br\xc2\x85"), "name",
	    "control");
	rn_bad(set(load(rn_body), NULL, "name", json_stringn("a\0b", 3)),
	    "name", "NUL");
}

static void
t_rn_name_blank(void **state)
{
	(void)state;
	rn_ok(set_s(load(rn_body), NULL, "name", " x "));
	rn_bad(set_s(load(rn_body), NULL, "name", "   "), "name",
	    "whitespace");
}

static void
t_rn_region(void **state)
{
	(void)state;
	rn_ok(set_s(load(rn_body), NULL, "region", "eastUS2"));
	rn_bad(set_s(load(rn_body), NULL, "region", "East US"), "region",
	    "'East US' is not a valid region");
	rn_bad(set_s(load(rn_body), NULL, "region", "unknownFutureValue"),
	    "region", NULL);
	rn_bad(set(load(rn_body), NULL, "region", NULL), "region",
	    "required");
	rn_bad(set(load(rn_body), NULL, "region", json_integer(0)), "region",
	    "must be a string");
}

static void
t_rn_arrays(void **state)
{
	json_t *j;

	(void)state;
	j = set(load(rn_body), NULL, "deviceLinks", load("[{\"bogus\":1}]"));
	rn_ok(set(j, NULL, "forwardingProfiles", load("[{\"id\":\"x\"}]")));
	rn_bad(set(load(rn_body), NULL, "deviceLinks", json_object()),
	    "deviceLinks", "must be an array");
	rn_bad(set(load(rn_body), NULL, "forwardingProfiles",
	    json_string("x")), "forwardingProfiles", "must be an array");
}

static void
t_rn_members(void **state)
{
	json_t *j;

	(void)state;
	j = load(rn_body);
	set_s(j, NULL, "@odata.type", "#microsoft.graph.networkaccess."
	    "remoteNetwork");
	set_s(j, NULL, "@odata.context", "#$delta");
	set_s(j, NULL, "id", "whatever");
	set_s(j, NULL, "version", "9");
	rn_ok(set_s(j, NULL, "lastModifiedDateTime", "2024-02-01T00:41:48Z"));
	rn_bad(set_s(load(rn_body), NULL, "country", "DE"), "country",
	    "unknown property 'country'");
	rn_bad(set(load(rn_body), NULL, "@odata.type", json_true()),
	    "@odata.type", "must be a string");
}

static void
t_rn_collects_all(void **state)
{
	struct model_rn rn;
	struct model_errs e;
	json_t *j = load("{\"region\":\"mars\",\"x\":1,\"y\":2}");

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(model_rn_from_json(j, "body", &rn, &e), -1);
	json_decref(j);
	assert_int_equal(e.count, 4);
	assert_true(has_err(&e, "body.name", "required"));
	assert_true(has_err(&e, "body.region", "mars"));
	assert_true(has_err(&e, "body.x", "unknown"));
	assert_true(has_err(&e, "body.y", "unknown"));
}

/* ---- device link: top level --------------------------------------------- */

static void
t_link_valid_default(void **state)
{
	struct model_link l;
	struct model_errs e;

	(void)state;
	assert_int_equal(link_parse(load(link_default), &ctx1, &l, &e), 0);
	assert_string_equal(l.name, "Link 1");
	assert_int_equal(l.ip, 0x7214040e);
	assert_int_equal(l.bandwidth, MODEL_BW_500);
	assert_int_equal(l.bgp_local, 0x0a01010b);
	assert_int_equal(l.bgp_peer, 0x0a060606);
	assert_int_equal(l.asn, 65000);
	assert_int_equal(l.redundancy, MODEL_RED_NONE);
	assert_int_equal(l.zone_local, 0);
	assert_false(l.tunnel.custom);
	assert_string_equal(l.tunnel.psk, "SHAREDKEY");
	assert_string_equal(l.tunnel.zone_psk, "");
	assert_int_equal(l.tunnel.sa_lifetime, 0);
	assert_string_equal(l.version, MODEL_VERSION);
	assert_string_equal(l.id, "");
	assert_string_equal(l.rn_id, "");
	model_link_wipe(&l);
	assert_int_equal(l.tunnel.psk[0], 0);
}

static void
t_link_valid_custom(void **state)
{
	struct model_link l;
	struct model_errs e;

	(void)state;
	assert_int_equal(link_parse(load(link_custom), &ctx2, &l, &e), 0);
	assert_true(l.tunnel.custom);
	assert_int_equal(l.tunnel.sa_lifetime, 300);
	assert_int_equal(l.tunnel.ipsec_enc, MODEL_IPSEC_ENC_GCMAES128);
	assert_int_equal(l.tunnel.ipsec_int, MODEL_IPSEC_INT_GCMAES128);
	assert_int_equal(l.tunnel.ike_enc, MODEL_IKE_ENC_AES128);
	assert_int_equal(l.tunnel.ike_int, MODEL_IKE_INT_SHA256);
	assert_int_equal(l.tunnel.dh, MODEL_DH_ECP384);
	assert_int_equal(l.tunnel.pfs, MODEL_PFS_ECP384);
	assert_int_equal(l.redundancy, MODEL_RED_ZONE);
	assert_int_equal(l.zone_local, 0x0a01010c);
	assert_string_equal(l.tunnel.zone_psk, "ZONEKEY99");
	model_link_wipe(&l);
}

static void
t_link_not_object(void **state)
{
	(void)state;
	link_bad(json_string("x"), &ctx1, "", "JSON object");
}

static void
t_link_name(void **state)
{
	(void)state;
	link_ok(set_s(load(link_default), NULL, "name", "Primary"), &ctx1);
	link_bad(set(load(link_default), NULL, "name", NULL), &ctx1, "name",
	    "required");
	link_bad(set_s(load(link_default), NULL, "name", " "), &ctx1, "name",
	    "whitespace");
	link_bad(set_s(load(link_default), NULL, "name", "a\nb"), &ctx1,
	    "name", "control");
}

static void
t_link_ip_format(void **state)
{
	(void)state;
	link_ok(set_s(load(link_default), NULL, "ipAddress", "1.2.3.4"),
	    &ctx1);
	link_bad(set_s(load(link_default), NULL, "ipAddress", "1.2.3"), &ctx1,
	    "ipAddress", "'1.2.3' is not a dotted-quad");
	link_bad(set_s(load(link_default), NULL, "ipAddress", "01.2.3.4"),
	    &ctx1, "ipAddress", "dotted-quad");
	link_bad(set(load(link_default), NULL, "ipAddress", json_integer(1)),
	    &ctx1, "ipAddress", "must be a string, not an integer");
	link_bad(set(load(link_default), NULL, "ipAddress", NULL), &ctx1,
	    "ipAddress", "required");
}

static void
t_link_ip_unicast(void **state)
{
	(void)state;
	link_ok(set_s(load(link_default), NULL, "ipAddress",
	    "223.255.255.254"), &ctx1);
	link_ok(set_s(load(link_default), NULL, "ipAddress", "1.0.0.0"),
	    &ctx1);
	link_bad(set_s(load(link_default), NULL, "ipAddress", "224.1.1.1"),
	    &ctx1, "ipAddress",
	    "ipAddress '224.1.1.1' is not a unicast IPv4 address");
	link_bad(set_s(load(link_default), NULL, "ipAddress", "0.1.2.3"),
	    &ctx1, "ipAddress", "not a unicast");
	link_bad(set_s(load(link_default), NULL, "ipAddress", "127.0.0.1"),
	    &ctx1, "ipAddress", "loopback");
	link_bad(set_s(load(link_default), NULL, "ipAddress", "240.0.0.1"),
	    &ctx1, "ipAddress", "not a unicast");
	link_bad(set_s(load(link_default), NULL, "ipAddress",
	    "255.255.255.255"), &ctx1, "ipAddress", "not a unicast");
}

static void
t_link_vendor(void **state)
{
	(void)state;
	link_ok(set_s(load(link_default), NULL, "deviceVendor", "other"),
	    &ctx1);
	link_bad(set_s(load(link_default), NULL, "deviceVendor", "Other"),
	    &ctx1, "deviceVendor", "'Other' is not one of: barracudaNetworks");
	link_bad(set(load(link_default), NULL, "deviceVendor", NULL), &ctx1,
	    "deviceVendor", "required");
}

static void
t_link_bandwidth(void **state)
{
	struct model_link l;
	struct model_errs e;

	(void)state;
	assert_int_equal(link_parse(set(load(link_default), NULL,
	    "bandwidthCapacityInMbps", NULL), &ctx1, &l, &e), 0);
	assert_int_equal(l.bandwidth, MODEL_BW_250);
	model_link_wipe(&l);
	link_ok(set_s(load(link_default), NULL, "bandwidthCapacityInMbps",
	    "mbps1000"), &ctx1);
	link_bad(set_s(load(link_default), NULL, "bandwidthCapacityInMbps",
	    "1000"), &ctx1, "bandwidthCapacityInMbps", "mbps250, mbps500");
	link_bad(set(load(link_default), NULL, "bandwidthCapacityInMbps",
	    json_integer(250)), &ctx1, "bandwidthCapacityInMbps",
	    "must be a string");
}

static void
t_link_unknown_members(void **state)
{
	json_t *j;

	(void)state;
	j = load(link_default);
	set_s(j, NULL, "@odata.type",
	    "#microsoft.graph.networkaccess.deviceLink");
	set_s(j, "bgpConfiguration", "@odata.type", "x");
	set_s(j, "redundancyConfiguration", "@odata.type", "x");
	link_ok(j, &ctx1);
	link_bad(set_s(load(link_default), NULL, "speed", "x"), &ctx1,
	    "speed", "unknown property 'speed'");
	link_bad(set_s(load(link_default), "bgpConfiguration", "ipAddress",
	    "1.1.1.1"), &ctx1, "bgpConfiguration.ipAddress", "unknown");
	link_bad(set_s(load(link_default), "redundancyConfiguration", "zone",
	    "1"), &ctx1, "redundancyConfiguration.zone", "unknown");
	link_bad(set_s(load(link_default), "tunnelConfiguration", "psk", "1"),
	    &ctx1, "tunnelConfiguration.psk", "unknown");
}

static void
t_link_readonly_ignored(void **state)
{
	json_t *j;

	(void)state;
	j = load(link_default);
	set_s(j, NULL, "id", "not-a-guid");
	set_s(j, NULL, "version", "2.0");
	set(j, NULL, "lastModifiedDateTime", json_integer(0));
	link_ok(j, &ctx1);
}

static void
t_link_prefix(void **state)
{
	struct model_link l;
	struct model_errs e;
	json_t *j = set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(0));

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(model_link_from_json(j, &ctx1, "deviceLinks[2]", &l,
	    &e), -1);
	json_decref(j);
	assert_true(has_err(&e, "deviceLinks[2].bgpConfiguration.asn", NULL));
}

static void
t_link_collects_all(void **state)
{
	struct model_link l;
	struct model_errs e;
	json_t *j = load(link_default);

	(void)state;
	set(j, NULL, "name", NULL);
	set_s(j, NULL, "ipAddress", "224.0.0.1");
	set(j, "bgpConfiguration", "asn", json_integer(65476));
	set_s(j, "tunnelConfiguration", "preSharedKey", "short");
	assert_int_equal(link_parse(j, &ctx1, &l, &e), -1);
	assert_int_equal(e.count, 4);
	assert_true(has_err(&e, "name", NULL));
	assert_true(has_err(&e, "ipAddress", NULL));
	assert_true(has_err(&e, "bgpConfiguration.asn", NULL));
	assert_true(has_err(&e, "tunnelConfiguration.preSharedKey", NULL));
}

/* ---- bgpConfiguration --------------------------------------------------- */

static void
t_bgp_object(void **state)
{
	(void)state;
	link_bad(set(load(link_default), NULL, "bgpConfiguration", NULL),
	    &ctx1, "bgpConfiguration", "required");
	link_bad(set(load(link_default), NULL, "bgpConfiguration",
	    json_array()), &ctx1, "bgpConfiguration", "must be an object");
	link_bad(set(load(link_default), "bgpConfiguration", "localIpAddress",
	    NULL), &ctx1, "bgpConfiguration.localIpAddress", "required");
	link_bad(set(load(link_default), "bgpConfiguration", "peerIpAddress",
	    NULL), &ctx1, "bgpConfiguration.peerIpAddress", "required");
	link_bad(set(load(link_default), "bgpConfiguration", "asn", NULL),
	    &ctx1, "bgpConfiguration.asn", "required");
}

static void
t_asn_range(void **state)
{
	(void)state;
	link_ok(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(1)), &ctx1);
	link_ok(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(65534)), &ctx1);
	link_bad(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(0)), &ctx1, "bgpConfiguration.asn", "1 to 65534");
	link_bad(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(65535)), &ctx1, "bgpConfiguration.asn",
	    "reserved by IANA");
	link_bad(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(65552)), &ctx1, "bgpConfiguration.asn",
	    "out of range");
	link_bad(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(4294967295LL)), &ctx1, "bgpConfiguration.asn",
	    "out of range");
	link_bad(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(-1)), &ctx1, "bgpConfiguration.asn", "out of range");
}

static void
t_asn_type(void **state)
{
	(void)state;
	link_ok(load(link_default), &ctx1);
	link_bad(set(load(link_default), "bgpConfiguration", "asn",
	    json_real(65000.0)), &ctx1, "bgpConfiguration.asn",
	    "must be a JSON integer, not a real number");
	link_bad(set_s(load(link_default), "bgpConfiguration", "asn",
	    "65000"), &ctx1, "bgpConfiguration.asn", "not a string");
	link_bad(set(load(link_default), "bgpConfiguration", "asn",
	    json_false()), &ctx1, "bgpConfiguration.asn", "not a boolean");
}

static void
t_asn_gateway(void **state)
{
	struct model_ctx c = { .gateway_asn = 65001, .endpoint = { EP1, 0 } };

	(void)state;
	link_bad(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(65476)), &ctx1, "bgpConfiguration.asn",
	    "asn 65476 is reserved: it is the gateway's ASN");
	/* A reconfigured gateway ASN is refused too; 65476 stays reserved. */
	link_bad(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(65001)), &c, "bgpConfiguration.asn",
	    "asn 65001 is reserved: it is the gateway's ASN");
	link_bad(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(65476)), &c, "bgpConfiguration.asn", "reserved");
	link_ok(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(65001)), &ctx1);
}

static void
t_asn_azure(void **state)
{
	static const json_int_t bad[] = {
		8075, 8076, 12076, 65517, 65518, 65519, 65520
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		link_bad(set(load(link_default), "bgpConfiguration", "asn",
		    json_integer(bad[i])), &ctx1, "bgpConfiguration.asn",
		    "reserved by Azure");
	/* §7.3: 8074 and 65515 are on Azure's list but not on GSA's. */
	link_ok(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(8074)), &ctx1);
	link_ok(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(65515)), &ctx1);
	link_ok(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(65516)), &ctx1);
}

static void
t_asn_iana(void **state)
{
	(void)state;
	link_bad(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(23456)), &ctx1, "bgpConfiguration.asn",
	    "reserved by IANA");
	link_bad(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(64496)), &ctx1, "bgpConfiguration.asn",
	    "reserved by IANA");
	link_bad(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(64511)), &ctx1, "bgpConfiguration.asn",
	    "reserved by IANA");
	link_ok(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(64495)), &ctx1);
	link_ok(set(load(link_default), "bgpConfiguration", "asn",
	    json_integer(64512)), &ctx1);
}

static void
t_bgp_address_rules(void **state)
{
	static const char *const bad[] = {
		"0.0.0.0", "127.0.0.1", "127.255.255.254", "224.0.0.5",
		"239.1.1.1", "255.255.255.255"
	};
	static const char *const good[] = {
		"169.254.21.1", "0.0.0.1", "240.0.0.1", "192.168.1.2"
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		link_bad(set_s(load(link_default), "bgpConfiguration",
		    "localIpAddress", bad[i]), &ctx1,
		    "bgpConfiguration.localIpAddress",
		    "not allowed as a BGP address");
		link_bad(set_s(load(link_default), "bgpConfiguration",
		    "peerIpAddress", bad[i]), &ctx1,
		    "bgpConfiguration.peerIpAddress",
		    "not allowed as a BGP address");
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		link_ok(set_s(load(link_default), "bgpConfiguration",
		    "localIpAddress", good[i]), &ctx1);
		link_ok(set_s(load(link_default), "bgpConfiguration",
		    "peerIpAddress", good[i]), &ctx1);
	}
	link_bad(set_s(load(link_default), "bgpConfiguration",
	    "localIpAddress", "10.1.1"), &ctx1,
	    "bgpConfiguration.localIpAddress", "dotted-quad");
}

static void
t_bgp_local_ne_peer(void **state)
{
	(void)state;
	link_ok(set_s(load(link_default), "bgpConfiguration", "peerIpAddress",
	    "10.1.1.12"), &ctx1);
	link_bad(set_s(load(link_default), "bgpConfiguration",
	    "peerIpAddress", "10.1.1.11"), &ctx1,
	    "bgpConfiguration.peerIpAddress", "must differ from localIp");
}

/* ---- redundancyConfiguration -------------------------------------------- */

static void
t_red_tier(void **state)
{
	(void)state;
	link_ok(load(link_default), &ctx1);
	link_bad(set(load(link_default), "redundancyConfiguration",
	    "redundancyTier", NULL), &ctx1,
	    "redundancyConfiguration.redundancyTier", "required");
	link_bad(set_s(load(link_default), "redundancyConfiguration",
	    "redundancyTier", "zone"), &ctx1,
	    "redundancyConfiguration.redundancyTier",
	    "noRedundancy, zoneRedundancy");
	link_bad(set(load(link_default), NULL, "redundancyConfiguration",
	    NULL), &ctx1, "redundancyConfiguration", "required");
}

static void
t_red_zone_needs_endpoint(void **state)
{
	(void)state;
	link_ok(load(link_custom), &ctx2);
	link_bad(load(link_custom), &ctx1,
	    "redundancyConfiguration.redundancyTier",
	    "zoneRedundancy needs a second gateway zone; this gateway has "
	    "none (start branchgated with --endpoint 2=IPV4)");
}

static void
t_red_zone_local(void **state)
{
	(void)state;
	link_ok(set_s(load(link_custom), "redundancyConfiguration",
	    "zoneLocalIpAddress", "169.254.0.1"), &ctx2);
	link_bad(set(load(link_custom), "redundancyConfiguration",
	    "zoneLocalIpAddress", NULL), &ctx2,
	    "redundancyConfiguration.zoneLocalIpAddress", "required");
	link_bad(set(load(link_custom), "redundancyConfiguration",
	    "zoneLocalIpAddress", json_null()), &ctx2,
	    "redundancyConfiguration.zoneLocalIpAddress", "required");
	link_bad(set_s(load(link_custom), "redundancyConfiguration",
	    "zoneLocalIpAddress", "10.1.1.11"), &ctx2,
	    "redundancyConfiguration.zoneLocalIpAddress",
	    "must differ from bgpConfiguration.localIpAddress");
	link_bad(set_s(load(link_custom), "redundancyConfiguration",
	    "zoneLocalIpAddress", "10.6.6.6"), &ctx2,
	    "redundancyConfiguration.zoneLocalIpAddress",
	    "must differ from bgpConfiguration.peerIpAddress");
	link_bad(set_s(load(link_custom), "redundancyConfiguration",
	    "zoneLocalIpAddress", "127.0.0.2"), &ctx2,
	    "redundancyConfiguration.zoneLocalIpAddress", "BGP address");
}

static void
t_red_none_zone_local(void **state)
{
	(void)state;
	link_ok(set(load(link_default), "redundancyConfiguration",
	    "zoneLocalIpAddress", json_null()), &ctx1);
	link_bad(set_s(load(link_default), "redundancyConfiguration",
	    "zoneLocalIpAddress", "10.1.1.12"), &ctx1,
	    "redundancyConfiguration.zoneLocalIpAddress",
	    "must be null with noRedundancy");
}

/* ---- tunnelConfiguration ------------------------------------------------ */

static void
t_tun_type(void **state)
{
	struct model_link l;
	struct model_errs e;

	(void)state;
	assert_int_equal(link_parse(set(load(link_default),
	    "tunnelConfiguration", "@odata.type", NULL), &ctx1, &l, &e), 0);
	assert_false(l.tunnel.custom);
	model_link_wipe(&l);
	link_bad(set_s(load(link_default), "tunnelConfiguration",
	    "@odata.type", "#microsoft.graph.networkaccess."
	    "tunnelConfigurationIKEv1"), &ctx1,
	    "tunnelConfiguration.@odata.type",
	    "'#microsoft.graph.networkaccess.tunnelConfigurationIKEv1' is "
	    "not supported");
	link_bad(set(load(link_default), "tunnelConfiguration",
	    "@odata.type", json_integer(1)), &ctx1,
	    "tunnelConfiguration.@odata.type", "must be a string");
	link_bad(set(load(link_default), NULL, "tunnelConfiguration", NULL),
	    &ctx1, "tunnelConfiguration", "required");
}

static void
t_psk_length(void **state)
{
	char key[MODEL_PSK_MAX + 2];
	struct model_link l;
	struct model_errs e;

	(void)state;
	link_ok(set_s(load(link_default), "tunnelConfiguration",
	    "preSharedKey", "12345678"), &ctx1);
	memset(key, 'k', sizeof(key));
	key[MODEL_PSK_MAX] = '\0';
	link_ok(set_s(load(link_default), "tunnelConfiguration",
	    "preSharedKey", key), &ctx1);
	key[MODEL_PSK_MAX] = 'k';
	key[MODEL_PSK_MAX + 1] = '\0';
	link_bad(set_s(load(link_default), "tunnelConfiguration",
	    "preSharedKey", key), &ctx1, "tunnelConfiguration.preSharedKey",
	    "(got 257)");
	assert_int_equal(link_parse(set_s(load(link_default),
	    "tunnelConfiguration", "preSharedKey", "s3cr3"), &ctx1, &l, &e),
	    -1);
	assert_string_equal(e.err[0].message,
	    "preSharedKey must be 8 to 256 printable characters (got 5): a "
	    "shorter key can be guessed offline by anyone who can pose as the "
	    "gateway to the branch");
}

static void
t_psk_printable(void **state)
{
	struct model_link l;
	struct model_errs e;

	(void)state;
	link_ok(set_s(load(link_default), "tunnelConfiguration",
	    "preSharedKey", " !~with spaces~! "), &ctx1);
	assert_int_equal(link_parse(set_s(load(link_default),
	    "tunnelConfiguration", "preSharedKey", "topsecret\x01xyz"), &ctx1,
	    &l, &e), -1);
	assert_true(has_err(&e, "tunnelConfiguration.preSharedKey",
	    "printable"));
	assert_null(strstr(e.err[0].message, "topsecret"));
	link_bad(set_s(load(link_default), "tunnelConfiguration",
	    "preSharedKey", "caf\xc3\xa9-key-99"), &ctx1,
	    "tunnelConfiguration.preSharedKey", "printable");
	link_bad(set(load(link_default), "tunnelConfiguration",
	    "preSharedKey", json_stringn("abcd\0efgh", 9)), &ctx1,
	    "tunnelConfiguration.preSharedKey", "NUL");
}

static void
t_psk_required(void **state)
{
	(void)state;
	link_bad(set(load(link_default), "tunnelConfiguration",
	    "preSharedKey", NULL), &ctx1, "tunnelConfiguration.preSharedKey",
	    "required");
	link_bad(set(load(link_default), "tunnelConfiguration",
	    "preSharedKey", json_integer(12345678)), &ctx1,
	    "tunnelConfiguration.preSharedKey", "must be a string");
}

static void
t_zone_psk(void **state)
{
	(void)state;
	link_ok(load(link_custom), &ctx2);
	/* Graph's example leaves it out: zone 2 then uses preSharedKey. */
	link_ok(set(load(link_custom), "tunnelConfiguration",
	    "zoneRedundancyPreSharedKey", NULL), &ctx2);
	link_bad(set_s(load(link_custom), "tunnelConfiguration",
	    "zoneRedundancyPreSharedKey", "short"), &ctx2,
	    "tunnelConfiguration.zoneRedundancyPreSharedKey",
	    "zoneRedundancyPreSharedKey must be 8 to 256 printable "
	    "characters (got 5): a shorter key can be guessed offline by "
	    "anyone who can pose as the gateway to the branch");
	link_ok(set(load(link_default), "tunnelConfiguration",
	    "zoneRedundancyPreSharedKey", json_null()), &ctx1);
	link_bad(set_s(load(link_default), "tunnelConfiguration",
	    "zoneRedundancyPreSharedKey", "ZONEKEY99"), &ctx1,
	    "tunnelConfiguration.zoneRedundancyPreSharedKey",
	    "must be null with noRedundancy");
}

static void
t_secret_never_in_messages(void **state)
{
	struct model_link l;
	struct model_errs e;
	json_t *j = load(link_custom);
	size_t i;

	(void)state;
	set_s(j, "tunnelConfiguration", "preSharedKey", "SEKRET\x7f");
	set_s(j, "tunnelConfiguration", "zoneRedundancyPreSharedKey", "SEKRET");
	set_s(j, "redundancyConfiguration", "redundancyTier", "noRedundancy");
	set(j, "redundancyConfiguration", "zoneLocalIpAddress", json_null());
	assert_int_equal(link_parse(j, &ctx2, &l, &e), -1);
	assert_true(e.count >= 2);
	for (i = 0; i < e.count; i++) {
		assert_null(strstr(e.err[i].message, "SEKRET"));
		assert_null(strstr(e.err[i].target, "SEKRET"));
	}
}

static void
t_default_refuses_custom_fields(void **state)
{
	(void)state;
	link_bad(set_s(load(link_default), "tunnelConfiguration", "dhGroup",
	    "ecp384"), &ctx1, "tunnelConfiguration.dhGroup",
	    "unknown property 'dhGroup'");
	link_bad(set(load(link_default), "tunnelConfiguration",
	    "saLifeTimeSeconds", json_integer(3600)), &ctx1,
	    "tunnelConfiguration.saLifeTimeSeconds", "unknown property");
	link_ok(set_s(load(link_default), "tunnelConfiguration", "@odata.type",
	    MODEL_ODATA_DEFAULT), &ctx1);
}

/* ---- custom policy (§1.6) ----------------------------------------------- */

static void
t_custom_required(void **state)
{
	static const char *const fields[] = {
		"saLifeTimeSeconds", "ipSecEncryption", "ipSecIntegrity",
		"ikeEncryption", "ikeIntegrity", "dhGroup", "pfsGroup"
	};
	char target[96];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(target, sizeof(target), "tunnelConfiguration.%s",
		    fields[i]);
		link_bad(set(load(link_custom), "tunnelConfiguration",
		    fields[i], NULL), &ctx2, target, "required");
	}
	link_ok(load(link_custom), &ctx2);
}

static void
t_custom_lifetime(void **state)
{
	(void)state;
	link_ok(set(load(link_custom), "tunnelConfiguration",
	    "saLifeTimeSeconds", json_integer(300)), &ctx2);
	link_ok(set(load(link_custom), "tunnelConfiguration",
	    "saLifeTimeSeconds", json_integer(172800)), &ctx2);
	link_bad(set(load(link_custom), "tunnelConfiguration",
	    "saLifeTimeSeconds", json_integer(299)), &ctx2,
	    "tunnelConfiguration.saLifeTimeSeconds", "300 to 172800");
	link_bad(set(load(link_custom), "tunnelConfiguration",
	    "saLifeTimeSeconds", json_integer(172801)), &ctx2,
	    "tunnelConfiguration.saLifeTimeSeconds", "out of range");
	link_bad(set(load(link_custom), "tunnelConfiguration",
	    "saLifeTimeSeconds", json_real(3600.5)), &ctx2,
	    "tunnelConfiguration.saLifeTimeSeconds", "JSON integer");
	link_bad(set_s(load(link_custom), "tunnelConfiguration",
	    "saLifeTimeSeconds", "3600"), &ctx2,
	    "tunnelConfiguration.saLifeTimeSeconds", "JSON integer");
}

static void
t_custom_enums(void **state)
{
	(void)state;
	link_ok(set_s(load(link_custom), "tunnelConfiguration", "pfsGroup",
	    "pfsmm"), &ctx2);
	link_ok(set_s(load(link_custom), "tunnelConfiguration", "dhGroup",
	    "dhGroup2048"), &ctx2);
	link_bad(set_s(load(link_custom), "tunnelConfiguration", "dhGroup",
	    "DHGroup24"), &ctx2, "tunnelConfiguration.dhGroup", "'DHGroup24'");
	link_bad(set_s(load(link_custom), "tunnelConfiguration", "pfsGroup",
	    "unknownFutureValue"), &ctx2, "tunnelConfiguration.pfsGroup",
	    NULL);
	link_bad(set_s(load(link_custom), "tunnelConfiguration",
	    "ikeEncryption", "des"), &ctx2, "tunnelConfiguration.ikeEncryption",
	    NULL);
}

static json_t *
p2(const char *enc, const char *integ)
{
	json_t *j = load(link_custom);

	set_s(j, "tunnelConfiguration", "ipSecEncryption", enc);
	return set_s(j, "tunnelConfiguration", "ipSecIntegrity", integ);
}

static void
t_custom_phase2_pairs(void **state)
{
	(void)state;
	link_ok(p2("gcmAes128", "gcmAes128"), &ctx2);
	link_ok(p2("gcmAes192", "gcmAes192"), &ctx2);
	link_ok(p2("gcmAes256", "gcmAes256"), &ctx2);
	link_ok(p2("none", "sha256"), &ctx2);
	link_bad(p2("gcmAes256", "gcmAes128"), &ctx2,
	    "tunnelConfiguration.ipSecIntegrity",
	    "use gcmAes128/gcmAes128, gcmAes192/gcmAes192, gcmAes256/"
	    "gcmAes256 or none/sha256");
	link_bad(p2("gcmAes128", "sha256"), &ctx2,
	    "tunnelConfiguration.ipSecIntegrity", "not an allowed phase 2");
	link_bad(p2("none", "gcmAes128"), &ctx2,
	    "tunnelConfiguration.ipSecIntegrity", "not an allowed phase 2");
}

static json_t *
p1(const char *enc, const char *integ)
{
	json_t *j = load(link_custom);

	set_s(j, "tunnelConfiguration", "ikeEncryption", enc);
	return set_s(j, "tunnelConfiguration", "ikeIntegrity", integ);
}

static void
t_custom_phase1_gcm(void **state)
{
	(void)state;
	link_ok(p1("gcmAes128", "gcmAes128"), &ctx2);
	link_ok(p1("gcmAes256", "gcmAes256"), &ctx2);
	link_ok(p1("aes256", "sha384"), &ctx2);
	link_ok(p1("aes192", "sha256"), &ctx2);
	link_ok(p1("gcmAes256", "sha384"), &ctx2);	/* SHA as PRF */
	link_bad(p1("gcmAes256", "gcmAes128"), &ctx2,
	    "tunnelConfiguration.ikeIntegrity",
	    "ikeIntegrity 'gcmAes128' needs ikeEncryption 'gcmAes128' (got "
	    "'gcmAes256')");
	link_bad(p1("aes256", "gcmAes256"), &ctx2,
	    "tunnelConfiguration.ikeIntegrity", "same algorithm");
}

/* ---- PATCH -------------------------------------------------------------- */

#define LINK_ID	"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
#define RN_ID	"11111111-2222-4333-8444-555555555555"

static int
patch_link(const struct model_link *cur, const char *patch,
    const struct model_ctx *c, struct model_link *out, struct model_errs *e)
{
	json_t *p = load(patch);
	int rc;

	memset(e, 0, sizeof(*e));
	rc = model_link_patch(cur, p, c, out, e);
	json_decref(p);
	return rc;
}

static void
t_patch_name(void **state)
{
	struct model_link cur, out;
	struct model_errs e;

	(void)state;
	mklink(link_default, &ctx1, LINK_ID, &cur);
	assert_int_equal(patch_link(&cur, "{\"name\":\"Backup Link\"}", &ctx1,
	    &out, &e), 0);
	assert_string_equal(out.name, "Backup Link");
	assert_string_equal(out.id, LINK_ID);
	assert_string_equal(out.rn_id, RN_ID);
	assert_string_equal(out.tunnel.psk, "SHAREDKEY");
	assert_int_equal(out.asn, 65000);
	assert_int_equal(out.bandwidth, MODEL_BW_500);
	assert_int_equal(patch_link(&cur, "{\"name\":\"\"}", &ctx1, &out, &e),
	    -1);
	assert_true(has_err(&e, "name", "empty"));
	model_link_wipe(&cur);
	model_link_wipe(&out);
}

static void
t_patch_not_object(void **state)
{
	struct model_link cur, out;
	struct model_errs e;

	(void)state;
	mklink(link_default, &ctx1, LINK_ID, &cur);
	assert_int_equal(patch_link(&cur, "[]", &ctx1, &out, &e), -1);
	assert_int_equal(patch_link(&cur, "{}", &ctx1, &out, &e), 0);
	model_link_wipe(&cur);
	model_link_wipe(&out);
}

/*
 * Issue 13 §2: read-only members are ignored on PATCH whatever their value
 * or type, as on create (t_link_readonly_ignored): one rule for both.
 */
static void
t_patch_readonly(void **state)
{
	static const char *const patches[] = {
		"{\"id\":\"" LINK_ID "\",\"version\":\"1.0.0\"}",
		"{\"id\":\"x\",\"version\":\"2\"}",
		"{\"lastModifiedDateTime\":\"2024-02-01T00:41:49Z\"}",
		"{\"id\":7,\"version\":null,\"lastModifiedDateTime\":[]}",
		"{\"@odata.context\":\"#x\",\"id\":\"y\",\"name\":\"N\"}",
	};
	struct model_link cur, out;
	struct model_errs e;
	size_t i;

	(void)state;
	mklink(link_default, &ctx1, LINK_ID, &cur);
	for (i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
		if (patch_link(&cur, patches[i], &ctx1, &out, &e) != 0) {
			dump_errs(&e);
			fail_msg("refused: %s", patches[i]);
		}
		assert_string_equal(out.id, LINK_ID);
		assert_string_equal(out.version, "1.0.0");
		assert_int_equal(out.modified_ms, cur.modified_ms);
		model_link_wipe(&out);
	}
	assert_string_equal(out.name, "N");
	model_link_wipe(&cur);
}

static void
t_patch_bgp_merge(void **state)
{
	struct model_link cur, out;
	struct model_errs e;

	(void)state;
	mklink(link_default, &ctx1, LINK_ID, &cur);
	assert_int_equal(patch_link(&cur,
	    "{\"bgpConfiguration\":{\"asn\":65010}}", &ctx1, &out, &e), 0);
	assert_int_equal(out.asn, 65010);
	assert_int_equal(out.bgp_local, cur.bgp_local);
	assert_int_equal(out.bgp_peer, cur.bgp_peer);
	assert_int_equal(patch_link(&cur,
	    "{\"bgpConfiguration\":{\"asn\":65476,\"peerIpAddress\":"
	    "\"10.1.1.11\"}}", &ctx1, &out, &e), -1);
	assert_true(has_err(&e, "bgpConfiguration.asn", "gateway"));
	assert_true(has_err(&e, "bgpConfiguration.peerIpAddress", "differ"));
	assert_int_equal(patch_link(&cur, "{\"bgpConfiguration\":null}",
	    &ctx1, &out, &e), -1);
	assert_true(has_err(&e, "bgpConfiguration", "required"));
	model_link_wipe(&cur);
	model_link_wipe(&out);
}

static void
t_patch_psk(void **state)
{
	struct model_link cur, out;
	struct model_errs e;

	(void)state;
	mklink(link_default, &ctx1, LINK_ID, &cur);
	assert_int_equal(patch_link(&cur,
	    "{\"tunnelConfiguration\":{\"preSharedKey\":\"NEWKEY123\"}}",
	    &ctx1, &out, &e), 0);
	assert_string_equal(out.tunnel.psk, "NEWKEY123");
	/* null, as every GET shows the key, keeps it. */
	assert_int_equal(patch_link(&cur,
	    "{\"tunnelConfiguration\":{\"preSharedKey\":null}}", &ctx1, &out,
	    &e), 0);
	assert_string_equal(out.tunnel.psk, "SHAREDKEY");
	assert_int_equal(patch_link(&cur,
	    "{\"tunnelConfiguration\":{\"preSharedKey\":\"short\"}}", &ctx1,
	    &out, &e), -1);
	assert_true(has_err(&e, "tunnelConfiguration.preSharedKey",
	    "(got 5)"));
	model_link_wipe(&cur);
	model_link_wipe(&out);
}

static void
t_patch_round_trip_get(void **state)
{
	struct model_link cur, out;
	struct model_errs e;
	json_t *get;

	(void)state;
	mklink(link_custom, &ctx2, LINK_ID, &cur);
	/* What a client got from GET, sent back: keys are null there. */
	get = model_link_to_json(&cur, false);
	set_s(get, NULL, "@odata.context", "https://graph.microsoft.com/beta/"
	    "$metadata#deviceLinks/$entity");
	memset(&e, 0, sizeof(e));
	assert_int_equal(model_link_patch(&cur, get, &ctx2, &out, &e), 0);
	json_decref(get);
	assert_string_equal(out.tunnel.psk, "SHAREDKEY");
	assert_string_equal(out.tunnel.zone_psk, "ZONEKEY99");
	assert_int_equal(memcmp(&out, &cur, sizeof(out)), 0);
	model_link_wipe(&cur);
	model_link_wipe(&out);
}

static void
t_patch_tunnel_type_change(void **state)
{
	struct model_link cur, out;
	struct model_errs e;

	(void)state;
	mklink(link_default, &ctx1, LINK_ID, &cur);
	/* default -> custom: the new policy is complete, the key is kept. */
	assert_int_equal(patch_link(&cur, "{\"tunnelConfiguration\":{"
	    "\"@odata.type\":\"" MODEL_ODATA_CUSTOM "\","
	    "\"saLifeTimeSeconds\":3600,\"ipSecEncryption\":\"gcmAes256\","
	    "\"ipSecIntegrity\":\"gcmAes256\",\"ikeEncryption\":\"gcmAes256\","
	    "\"ikeIntegrity\":\"sha384\",\"dhGroup\":\"dhGroup24\","
	    "\"pfsGroup\":\"none\"}}", &ctx1, &out, &e), 0);
	assert_true(out.tunnel.custom);
	assert_int_equal(out.tunnel.sa_lifetime, 3600);
	assert_string_equal(out.tunnel.psk, "SHAREDKEY");
	/* default -> custom with missing fields: refused, listing them. */
	assert_int_equal(patch_link(&cur, "{\"tunnelConfiguration\":{"
	    "\"@odata.type\":\"" MODEL_ODATA_CUSTOM "\"}}", &ctx1, &out, &e),
	    -1);
	assert_int_equal(e.count, 7);
	model_link_wipe(&cur);

	/* custom -> default drops the custom fields instead of refusing. */
	mklink(link_custom, &ctx2, LINK_ID, &cur);
	assert_int_equal(patch_link(&cur, "{\"tunnelConfiguration\":{"
	    "\"@odata.type\":\"" MODEL_ODATA_DEFAULT "\"}}", &ctx2, &out, &e),
	    0);
	assert_false(out.tunnel.custom);
	assert_int_equal(out.tunnel.sa_lifetime, 0);
	assert_string_equal(out.tunnel.psk, "SHAREDKEY");
	assert_string_equal(out.tunnel.zone_psk, "ZONEKEY99");
	/* Same type: member-wise merge. */
	assert_int_equal(patch_link(&cur, "{\"tunnelConfiguration\":{"
	    "\"@odata.type\":\"" MODEL_ODATA_CUSTOM "\",\"dhGroup\":"
	    "\"ecp256\"}}", &ctx2, &out, &e), 0);
	assert_true(out.tunnel.custom);
	assert_int_equal(out.tunnel.dh, MODEL_DH_ECP256);
	assert_int_equal(out.tunnel.pfs, MODEL_PFS_ECP384);
	model_link_wipe(&cur);
	model_link_wipe(&out);
}

static void
t_patch_redundancy(void **state)
{
	struct model_link cur, out;
	struct model_errs e;

	(void)state;
	mklink(link_custom, &ctx2, LINK_ID, &cur);
	/* zone -> none: the zone address and key go with the zone tunnel. */
	assert_int_equal(patch_link(&cur, "{\"redundancyConfiguration\":"
	    "{\"redundancyTier\":\"noRedundancy\"}}", &ctx2, &out, &e), 0);
	assert_int_equal(out.redundancy, MODEL_RED_NONE);
	assert_int_equal(out.zone_local, 0);
	assert_string_equal(out.tunnel.zone_psk, "");
	/* ... unless the patch sets them itself. */
	assert_int_equal(patch_link(&cur, "{\"redundancyConfiguration\":"
	    "{\"redundancyTier\":\"noRedundancy\",\"zoneLocalIpAddress\":"
	    "\"10.9.9.9\"}}", &ctx2, &out, &e), -1);
	assert_true(has_err(&e, "redundancyConfiguration.zoneLocalIpAddress",
	    "null"));
	model_link_wipe(&cur);

	/* none -> zone needs the address and the key. */
	mklink(link_default, &ctx2, LINK_ID, &cur);
	assert_int_equal(patch_link(&cur, "{\"redundancyConfiguration\":"
	    "{\"redundancyTier\":\"zoneRedundancy\"}}", &ctx2, &out, &e), -1);
	assert_true(has_err(&e, "redundancyConfiguration.zoneLocalIpAddress",
	    "required"));
	assert_false(has_err(&e,
	    "tunnelConfiguration.zoneRedundancyPreSharedKey", "required"));
	assert_int_equal(patch_link(&cur, "{\"redundancyConfiguration\":"
	    "{\"redundancyTier\":\"zoneRedundancy\",\"zoneLocalIpAddress\":"
	    "\"10.1.1.13\"},\"tunnelConfiguration\":"
	    "{\"zoneRedundancyPreSharedKey\":\"ZONEKEY00\"}}", &ctx2, &out,
	    &e), 0);
	assert_int_equal(out.zone_local, 0x0a01010d);
	assert_string_equal(out.tunnel.zone_psk, "ZONEKEY00");
	model_link_wipe(&cur);
	model_link_wipe(&out);
}

static void
t_patch_unknown(void **state)
{
	struct model_link cur, out;
	struct model_errs e;

	(void)state;
	mklink(link_default, &ctx1, LINK_ID, &cur);
	assert_int_equal(patch_link(&cur, "{\"colour\":\"red\","
	    "\"bgpConfiguration\":{\"hold\":90}}", &ctx1, &out, &e), -1);
	assert_true(has_err(&e, "colour", "unknown"));
	assert_true(has_err(&e, "bgpConfiguration.hold", "unknown"));
	assert_int_equal(patch_link(&cur, "{\"bandwidthCapacityInMbps\":"
	    "\"mbps750\"}", &ctx1, &out, &e), 0);
	assert_int_equal(out.bandwidth, MODEL_BW_750);
	model_link_wipe(&cur);
	model_link_wipe(&out);
}

static void
t_patch_failure_keeps_out(void **state)
{
	struct model_link cur, out;
	struct model_errs e;

	(void)state;
	mklink(link_default, &ctx1, LINK_ID, &cur);
	/* out may alias cur: a refused patch leaves it untouched. */
	assert_int_equal(patch_link(&cur, "{\"ipAddress\":\"0.0.0.0\"}",
	    &ctx1, &cur, &e), -1);
	assert_string_equal(cur.tunnel.psk, "SHAREDKEY");
	assert_int_equal(patch_link(&cur, "{\"name\":\"n2\"}", &ctx1, &cur,
	    &e), 0);
	assert_string_equal(cur.name, "n2");
	assert_string_equal(cur.id, LINK_ID);
	model_link_wipe(&cur);
	(void)out;
}

static int
patch_rn(const struct model_rn *cur, const char *patch, struct model_rn *out,
    struct model_errs *e)
{
	json_t *p = load(patch);
	int rc;

	memset(e, 0, sizeof(*e));
	rc = model_rn_patch(cur, p, out, e);
	json_decref(p);
	return rc;
}

static void
t_rn_patch(void **state)
{
	struct model_rn cur, out;
	struct model_errs e;
	json_t *j = load(rn_body);

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(model_rn_from_json(j, "", &cur, &e), 0);
	json_decref(j);
	snprintf(cur.id, sizeof(cur.id), "%s", RN_ID);
	cur.modified_ms = 1706748108123LL;
	assert_int_equal(patch_rn(&cur, "{\"name\":\"Branch 2\",\"region\":"
	    "\"westUS\",\"@odata.context\":\"#$delta\"}", &out, &e), 0);
	assert_string_equal(out.name, "Branch 2");
	assert_string_equal(out.id, RN_ID);
	assert_int_equal(out.region, cur.region);
	assert_int_equal(out.modified_ms, cur.modified_ms);
	assert_int_equal(patch_rn(&cur, "{\"region\":\"eastUS\"}", &out, &e),
	    -1);
	assert_true(has_err(&e, "region", "region cannot be changed"));
	assert_int_equal(patch_rn(&cur, "{\"id\":\"" RN_ID "\"}", &out, &e),
	    0);
	/* Read-only members are ignored, as on create (issue 13 §2). */
	assert_int_equal(patch_rn(&cur, "{\"id\":\"other\",\"version\":2,"
	    "\"lastModifiedDateTime\":\"2020-01-01T00:00:00Z\"}", &out, &e), 0);
	assert_string_equal(out.id, RN_ID);
	assert_string_equal(out.version, "1.0.0");
	assert_int_equal(out.modified_ms, cur.modified_ms);
	assert_int_equal(patch_rn(&cur, "{\"deviceLinks\":[]}", &out, &e), -1);
	assert_true(has_err(&e, "deviceLinks", "cannot be changed"));
	assert_int_equal(patch_rn(&cur, "{\"colour\":1,\"name\":\" \"}", &out,
	    &e), -1);
	assert_true(has_err(&e, "colour", "unknown"));
	assert_true(has_err(&e, "name", "whitespace"));
	assert_int_equal(patch_rn(&cur, "3", &out, &e), -1);
}

/* ---- staticSourcePrefixes and the reserved range ------------------------ */

/* The model's default is the gateway's real egress transfer range. */
_Static_assert(MODEL_RESERVED_NET == EGRESS_TRANSFER_NET &&
    MODEL_RESERVED_PLEN == EGRESS_TRANSFER_PLEN,
    "model.h's reserved range must match src/net/egress.h");

static void
t_prefix_parse(void **state)
{
	static const char *const bad[] = {
		"10.0.0.0", "10.0.0.0/", "/8", "10.0.0.0/33", "10.0.0.0/08",
		"10.0.0.0/1a", "010.0.0.0/8", " 10.0.0.0/8", "10.0.0.0/8 ",
		"10.0.0.0/100", "10.0.0/8", "10.0.0.0//8", "10.0.0.0/-1",
		"fd00::/8", "",
	};
	struct model_prefix p;
	char buf[MODEL_PREFIX_STRLEN];
	size_t i;

	(void)state;
	assert_int_equal(model_prefix_parse("192.168.50.0/24", &p), 0);
	assert_int_equal(p.addr, 0xc0a83200);
	assert_int_equal(p.len, 24);
	assert_string_equal(model_prefix_fmt(&p, buf), "192.168.50.0/24");
	assert_int_equal(model_prefix_parse("0.0.0.0/0", &p), 0);
	assert_int_equal(p.len, 0);
	assert_int_equal(model_prefix_parse("255.255.255.255/32", &p), 0);
	assert_string_equal(model_prefix_fmt(&p, buf), "255.255.255.255/32");
	/* Host bits: told apart from a typo, with the prefix meant. */
	assert_int_equal(model_prefix_parse("10.0.0.1/24", &p),
	    MODEL_PREFIX_HOSTBITS);
	assert_string_equal(model_prefix_fmt(&p, buf), "10.0.0.0/24");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (model_prefix_parse(bad[i], &p) != -1)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(model_prefix_parse(NULL, &p), -1);
}

static void
t_prefix_overlap(void **state)
{
	struct model_prefix a = { 0x0a000000, 8 }, b = { 0x0ac80000, 16 },
	    c = { 0x0ac90000, 16 }, d = { 0x0ac8ff01, 32 };

	(void)state;
	assert_true(model_prefix_overlap(&a, &b));
	assert_true(model_prefix_overlap(&b, &a));
	assert_false(model_prefix_overlap(&b, &c));
	assert_true(model_prefix_overlap(&b, &d));
	assert_false(model_prefix_overlap(&c, &d));
	assert_true(model_prefix_overlap(&d, &d));
}

static void
t_prefixes_text(void **state)
{
	static const char *const bad[] = {
		",", "10.0.0.0/8,", ",10.0.0.0/8", "10.0.0.0/8,,10.1.0.0/16",
		"10.0.0.1/8", "10.0.0.0/8 ", "x",
	};
	struct model_link l, back;
	char buf[MODEL_PREFIXES_STRLEN], many[512];
	size_t i, len = 0;

	(void)state;
	memset(&l, 0, sizeof(l));
	/* Compared whole below: its padding must not be stack garbage. */
	memset(&back, 0, sizeof(back));
	assert_int_equal(model_prefixes_fmt(&l, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(model_prefixes_parse("", &back), 0);
	assert_int_equal(back.nsrc, 0);

	/* The longest list fits the buffer the store uses. */
	for (i = 0; i < MODEL_SRC_PREFIXES_MAX; i++) {
		l.src[i].addr = 0xffffff00u - (uint32_t)i * 0x100;
		l.src[i].len = 32;
	}
	l.src[0].addr = 0xffffffff;
	l.nsrc = MODEL_SRC_PREFIXES_MAX;
	assert_int_equal(model_prefixes_fmt(&l, buf, sizeof(buf)), 0);
	assert_int_equal(model_prefixes_parse(buf, &back), 0);
	assert_int_equal(back.nsrc, l.nsrc);
	assert_memory_equal(back.src, l.src, sizeof(l.src));
	assert_int_equal(model_prefixes_fmt(&l, buf, 20), -1);

	l.nsrc = 2;
	l.src[0] = (struct model_prefix){ 0xc0a83200, 24 };
	l.src[1] = (struct model_prefix){ 0x0a4d0000, 16 };
	assert_int_equal(model_prefixes_fmt(&l, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "192.168.50.0/24,10.77.0.0/16");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		back.nsrc = 9;
		if (model_prefixes_parse(bad[i], &back) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(back.nsrc, 0);
	}
	for (i = 0; i <= MODEL_SRC_PREFIXES_MAX; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len,
		    "%s10.%zu.0.0/16", i ? "," : "", i);
	assert_int_equal(model_prefixes_parse(many, &back), -1);
}

/* A link body with staticSourcePrefixes set to the JSON text v. */
static json_t *
with_src(const char *v)
{
	json_error_t err;
	json_t *a = json_loads(v, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);

	if (a == NULL)
		fail_msg("bad test JSON: %s", err.text);
	return set(load(link_default), NULL, "staticSourcePrefixes", a);
}

static void
t_src_prefixes(void **state)
{
	struct model_link l;
	struct model_errs e;
	char many[600];
	size_t i, len;

	(void)state;
	assert_int_equal(link_parse(with_src("[\"192.168.50.0/24\","
	    "\"10.77.0.0/16\",\"172.16.0.1/32\"]"), &ctx1, &l, &e), 0);
	assert_int_equal(l.nsrc, 3);
	assert_int_equal(l.src[0].addr, 0xc0a83200);
	assert_int_equal(l.src[0].len, 24);
	assert_int_equal(l.src[2].addr, 0xac100001);
	assert_int_equal(l.src[2].len, 32);
	model_link_wipe(&l);
	/* Absent, null and [] are the same: none. */
	assert_int_equal(link_parse(load(link_default), &ctx1, &l, &e), 0);
	assert_int_equal(l.nsrc, 0);
	assert_int_equal(link_parse(with_src("null"), &ctx1, &l, &e), 0);
	assert_int_equal(l.nsrc, 0);
	assert_int_equal(link_parse(with_src("[]"), &ctx1, &l, &e), 0);
	assert_int_equal(l.nsrc, 0);

	link_bad(with_src("[\"10.1.0.0/16\",\"10.2.0.0/16\",\"10.0.0.1/24\"]"),
	    &ctx1, "staticSourcePrefixes[2]",
	    "staticSourcePrefixes[2]: '10.0.0.1/24' has host bits set (the "
	    "prefix is 10.0.0.0/24)");
	link_bad(with_src("[\"0.0.0.0/0\"]"), &ctx1, "staticSourcePrefixes[0]",
	    "'0.0.0.0/0' is not allowed");
	link_bad(with_src("[\"10.0.0.0/7\"]"), &ctx1, "staticSourcePrefixes[0]",
	    "prefix length must be 8 to 32");
	link_bad(with_src("[\"10.0.0.0/33\"]"), &ctx1,
	    "staticSourcePrefixes[0]", "not an IPv4 prefix in CIDR notation");
	link_bad(with_src("[\"a\\u0000\"]"), &ctx1, "staticSourcePrefixes[0]",
	    "CIDR");
	link_bad(with_src("[24]"), &ctx1, "staticSourcePrefixes[0]",
	    "must be a string");
	link_bad(with_src("\"10.0.0.0/8\""), &ctx1, "staticSourcePrefixes",
	    "must be an array");
	link_bad(with_src("[\"10.5.0.0/16\",\"10.5.0.1/32\",\"10.5.0.0/16\"]"),
	    &ctx1, "staticSourcePrefixes[2]",
	    "'10.5.0.0/16' is already listed as staticSourcePrefixes[0]");
	/* A bad entry before a duplicate does not shift the index named. */
	link_bad(with_src("[\"x\",\"10.5.0.0/16\",\"10.5.0.0/16\"]"),
	    &ctx1, "staticSourcePrefixes[2]", "as staticSourcePrefixes[1]");

	/* MODEL_SRC_PREFIXES_MAX entries, then one more. */
	len = (size_t)snprintf(many, sizeof(many), "[");
	for (i = 0; i < MODEL_SRC_PREFIXES_MAX; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len,
		    "%s\"10.%zu.0.0/16\"", i ? "," : "", i + 1);
	snprintf(many + len, sizeof(many) - len, "]");
	assert_int_equal(link_parse(with_src(many), &ctx1, &l, &e), 0);
	assert_int_equal(l.nsrc, MODEL_SRC_PREFIXES_MAX);
	model_link_wipe(&l);
	snprintf(many + len, sizeof(many) - len, ",\"10.99.0.0/16\"]");
	link_bad(with_src(many), &ctx1, "staticSourcePrefixes",
	    "has 17 entries: at most 16 are allowed");
	/* Under a prefix, as inline deviceLinks get. */
	memset(&e, 0, sizeof(e));
	{
		json_t *j = with_src("[\"1.2.3.4/8\"]");

		assert_int_equal(model_link_from_json(j, &ctx1,
		    "deviceLinks[1]", &l, &e), -1);
		json_decref(j);
	}
	assert_true(has_err(&e, "deviceLinks[1].staticSourcePrefixes[0]",
	    "host bits"));
}

static void
t_src_prefixes_json(void **state)
{
	struct model_link l, back;
	struct model_errs e;
	json_t *j, *a;

	(void)state;
	mklink(link_default, &ctx1, LINK_ID, &l);
	j = model_link_to_json(&l, false);
	a = json_object_get(j, "staticSourcePrefixes");
	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), 0);
	json_decref(j);
	model_link_wipe(&l);

	assert_int_equal(link_parse(with_src("[\"192.168.50.0/24\","
	    "\"10.77.0.0/16\"]"), &ctx1, &l, &e), 0);
	j = model_link_to_json(&l, true);
	a = json_object_get(j, "staticSourcePrefixes");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(json_string_value(json_array_get(a, 0)),
	    "192.168.50.0/24");
	assert_string_equal(json_string_value(json_array_get(a, 1)),
	    "10.77.0.0/16");
	memset(&e, 0, sizeof(e));
	assert_int_equal(model_link_from_json(j, &ctx1, "", &back, &e), 0);
	model_json_scrub(j);
	json_decref(j);
	assert_int_equal(memcmp(&back, &l, sizeof(l)), 0);
	model_link_wipe(&l);
	model_link_wipe(&back);
}

static void
t_patch_src_prefixes(void **state)
{
	struct model_link cur, out;
	struct model_errs e;

	(void)state;
	assert_int_equal(link_parse(with_src("[\"192.168.50.0/24\","
	    "\"10.77.0.0/16\"]"), &ctx1, &cur, &e), 0);
	snprintf(cur.id, sizeof(cur.id), "%s", LINK_ID);
	/* Other members keep the list. */
	assert_int_equal(patch_link(&cur, "{\"name\":\"N\"}", &ctx1, &out,
	    &e), 0);
	assert_int_equal(out.nsrc, 2);
	/* A list replaces it, null and [] clear it. */
	assert_int_equal(patch_link(&cur, "{\"staticSourcePrefixes\":"
	    "[\"10.88.0.0/16\"]}", &ctx1, &out, &e), 0);
	assert_int_equal(out.nsrc, 1);
	assert_int_equal(out.src[0].addr, 0x0a580000);
	assert_int_equal(patch_link(&cur, "{\"staticSourcePrefixes\":null}",
	    &ctx1, &out, &e), 0);
	assert_int_equal(out.nsrc, 0);
	assert_int_equal(patch_link(&cur, "{\"staticSourcePrefixes\":[]}",
	    &ctx1, &out, &e), 0);
	assert_int_equal(out.nsrc, 0);
	/* Refused: out is left as it was. */
	out.nsrc = 7;
	assert_int_equal(patch_link(&cur, "{\"staticSourcePrefixes\":"
	    "[\"10.88.0.1/16\"]}", &ctx1, &out, &e), -1);
	assert_true(has_err(&e, "staticSourcePrefixes[0]", "host bits set"));
	assert_int_equal(out.nsrc, 7);
	model_link_wipe(&cur);
	model_link_wipe(&out);
}

/* Issue 13 §1: nothing of a link may use the gateway's reserved range. */
static void
t_reserved_range(void **state)
{
	const char *why = "is reserved by the gateway for tenant egress "
	    "transfer networks";
	struct model_ctx other = ctx2;
	char msg[160];

	(void)state;
	/* ctx2 has no .reserved: the default 10.255.240.0/20 applies. */
	snprintf(msg, sizeof(msg), "bgpConfiguration.localIpAddress "
	    "10.255.240.1 is not allowed: 10.255.240.0/20 %s", why);
	link_bad(set_s(load(link_default), "bgpConfiguration",
	    "localIpAddress", "10.255.240.1"), &ctx2,
	    "bgpConfiguration.localIpAddress", msg);
	link_bad(set_s(load(link_default), "bgpConfiguration",
	    "peerIpAddress", "10.255.255.255"), &ctx2,
	    "bgpConfiguration.peerIpAddress", "10.255.240.0/20");
	link_bad(set_s(load(link_custom), "redundancyConfiguration",
	    "zoneLocalIpAddress", "10.255.240.9"), &ctx2,
	    "redundancyConfiguration.zoneLocalIpAddress", why);
	link_bad(with_src("[\"10.0.0.0/8\"]"), &ctx2,
	    "staticSourcePrefixes[0]", "'10.0.0.0/8' overlaps 10.255.240.0/20");
	link_bad(with_src("[\"10.255.241.0/24\"]"), &ctx2,
	    "staticSourcePrefixes[0]", "overlaps 10.255.240.0/20, reserved by "
	    "the gateway");
	link_ok(set_s(load(link_default), "bgpConfiguration",
	    "localIpAddress", "10.201.0.1"), &ctx2);
	link_ok(set_s(load(link_default), "bgpConfiguration",
	    "localIpAddress", "10.199.255.255"), &ctx2);
	/* ctx NULL (tools): the default too. */
	link_bad(set_s(load(link_default), "bgpConfiguration",
	    "localIpAddress", "10.255.240.1"), NULL,
	    "bgpConfiguration.localIpAddress", "10.255.240.0/20");

	/* Another range moves the rule with it. */
	other.reserved = (struct model_prefix){ 0xac1f0000, 20 };
	link_ok(set_s(load(link_default), "bgpConfiguration",
	    "localIpAddress", "10.255.240.1"), &other);
	link_ok(with_src("[\"10.255.240.0/20\"]"), &other);
	link_bad(set_s(load(link_default), "bgpConfiguration",
	    "localIpAddress", "172.31.15.254"), &other,
	    "bgpConfiguration.localIpAddress", "172.31.0.0/20");
	link_bad(with_src("[\"172.16.0.0/12\"]"), &other,
	    "staticSourcePrefixes[0]", "overlaps 172.31.0.0/20");
	link_ok(set_s(load(link_default), "bgpConfiguration",
	    "localIpAddress", "172.31.16.1"), &other);
}

/* ---- uniqueness --------------------------------------------------------- */

static void
t_unique(void **state)
{
	struct model_link l[3], n;
	struct model_errs e;

	(void)state;
	mklink(link_default, &ctx2, "aaaaaaaa-0000-4000-8000-000000000001",
	    &l[0]);
	mklink(link_custom, &ctx2, "aaaaaaaa-0000-4000-8000-000000000002",
	    &l[1]);
	snprintf(l[1].name, sizeof(l[1].name), "Link 2");
	l[1].bgp_local = 0x0a020202;
	l[1].bgp_peer = 0x0a030303;
	l[1].zone_local = 0x0a040404;
	mklink(link_default, &ctx2, "", &n);
	n.bgp_local = 0x0a050505;
	n.bgp_peer = 0x0a060607;

	memset(&e, 0, sizeof(e));
	assert_int_equal(model_link_check_unique(&n, l, 2, "", &e), 0);
	/* Its own stored version is skipped. */
	assert_int_equal(model_link_check_unique(&l[0], l, 2, "", &e), 0);
	assert_int_equal(e.count, 0);

	n.bgp_local = 0x0a030303;	/* Link 2's peer */
	assert_int_equal(model_link_check_unique(&n, l, 2, "deviceLinks[1]",
	    &e), -1);
	assert_true(has_err(&e,
	    "deviceLinks[1].bgpConfiguration.localIpAddress",
	    "bgpConfiguration.localIpAddress 10.3.3.3 is already used by "
	    "device link 'Link 2' (id aaaaaaaa-0000-4000-8000-000000000002)"));

	memset(&e, 0, sizeof(e));
	n.bgp_local = 0x0a050505;
	n.bgp_peer = 0x0a040404;	/* Link 2's zone local */
	assert_int_equal(model_link_check_unique(&n, l, 2, "", &e), -1);
	assert_true(has_err(&e, "bgpConfiguration.peerIpAddress", "Link 2"));

	/* A zone address is checked only on a zone-redundant link. */
	memset(&e, 0, sizeof(e));
	n.bgp_peer = 0x0a060607;
	n.zone_local = 0x0a01010b;	/* Link 1's local; n has no zone */
	assert_int_equal(model_link_check_unique(&n, l, 2, "", &e), 0);
	n.redundancy = MODEL_RED_ZONE;
	assert_int_equal(model_link_check_unique(&n, l, 2, "", &e), -1);
	assert_true(has_err(&e, "redundancyConfiguration.zoneLocalIpAddress",
	    "'Link 1'"));
	model_link_wipe(&l[0]);
	model_link_wipe(&l[1]);
	model_link_wipe(&n);
}

static void
t_unique_new_links(void **state)
{
	struct model_link l[2];
	struct model_errs e;

	(void)state;
	/* Two links of one POST body: neither has an id yet. */
	mklink(link_default, &ctx1, "", &l[0]);
	mklink(link_default, &ctx1, "", &l[1]);
	memset(&e, 0, sizeof(e));
	assert_int_equal(model_link_check_unique(&l[1], l, 1, "", &e), -1);
	assert_true(has_err(&e, "bgpConfiguration.localIpAddress",
	    "device link 'Link 1'"));
	model_link_wipe(&l[0]);
	model_link_wipe(&l[1]);
}

/* ---- Graph JSON out ----------------------------------------------------- */

static void
t_rn_to_json(void **state)
{
	struct model_rn rn;
	json_t *j;

	(void)state;
	memset(&rn, 0, sizeof(rn));
	snprintf(rn.id, sizeof(rn.id), RN_ID);
	snprintf(rn.name, sizeof(rn.name), "Branch 1");
	snprintf(rn.version, sizeof(rn.version), MODEL_VERSION);
	rn.region = 2;
	rn.modified_ms = 1706748108000LL;
	j = model_rn_to_json(&rn);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 5);
	assert_string_equal(json_string_value(json_object_get(j, "id")), RN_ID);
	assert_string_equal(json_string_value(json_object_get(j, "region")),
	    "westUS");
	assert_string_equal(json_string_value(json_object_get(j, "version")),
	    "1.0.0");
	assert_string_equal(json_string_value(json_object_get(j,
	    "lastModifiedDateTime")), "2024-02-01T00:41:48.000Z");
	json_decref(j);
}

static void
t_link_to_json(void **state)
{
	struct model_link l;
	json_t *j, *t, *r;

	(void)state;
	mklink(link_default, &ctx1, LINK_ID, &l);
	j = model_link_to_json(&l, false);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "ipAddress")),
	    "114.20.4.14");
	assert_string_equal(json_string_value(json_object_get(j,
	    "bandwidthCapacityInMbps")), "mbps500");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j,
	    "bgpConfiguration"), "asn")), 65000);
	r = json_object_get(j, "redundancyConfiguration");
	assert_true(json_is_null(json_object_get(r, "zoneLocalIpAddress")));
	t = json_object_get(j, "tunnelConfiguration");
	assert_string_equal(json_string_value(json_object_get(t,
	    "@odata.type")), MODEL_ODATA_DEFAULT);
	assert_true(json_is_null(json_object_get(t, "preSharedKey")));
	assert_true(json_is_null(json_object_get(t,
	    "zoneRedundancyPreSharedKey")));
	assert_null(json_object_get(t, "dhGroup"));
	json_decref(j);

	j = model_link_to_json(&l, true);
	t = json_object_get(j, "tunnelConfiguration");
	assert_string_equal(json_string_value(json_object_get(t,
	    "preSharedKey")), "SHAREDKEY");
	assert_true(json_is_null(json_object_get(t,
	    "zoneRedundancyPreSharedKey")));
	model_json_scrub(j);
	assert_int_equal(json_string_value(json_object_get(t,
	    "preSharedKey"))[0], 0);
	json_decref(j);
	model_link_wipe(&l);
}

/* Out and back in gives the same link: the store relies on it. */
static void
t_link_json_round_trip(void **state)
{
	struct model_link l, back;
	struct model_errs e;
	json_t *j, *t;

	(void)state;
	mklink(link_custom, &ctx2, LINK_ID, &l);
	j = model_link_to_json(&l, true);
	t = json_object_get(j, "tunnelConfiguration");
	assert_int_equal(json_integer_value(json_object_get(t,
	    "saLifeTimeSeconds")), 300);
	assert_string_equal(json_string_value(json_object_get(t, "pfsGroup")),
	    "ecp384");
	assert_string_equal(json_string_value(json_object_get(t,
	    "zoneRedundancyPreSharedKey")), "ZONEKEY99");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "redundancyConfiguration"), "zoneLocalIpAddress")), "10.1.1.12");
	memset(&e, 0, sizeof(e));
	assert_int_equal(model_link_from_json(j, &ctx2, "", &back, &e), 0);
	model_json_scrub(j);
	json_decref(j);
	memcpy(back.id, l.id, sizeof(back.id));
	memcpy(back.rn_id, l.rn_id, sizeof(back.rn_id));
	back.modified_ms = l.modified_ms;
	assert_int_equal(memcmp(&back, &l, sizeof(l)), 0);
	model_link_wipe(&l);
	model_link_wipe(&back);
}

static void
t_profile_to_json(void **state)
{
	struct model_profile p[4];
	json_t *j;
	size_t n;

	(void)state;
	n = model_profiles_builtin(p, 4);
	assert_true(n >= 1);
	p[0].enabled = false;
	j = model_profile_to_json(&p[0]);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "state")),
	    "disabled");
	assert_string_equal(json_string_value(json_object_get(j,
	    "trafficForwardingType")), "m365");
	assert_int_equal(json_integer_value(json_object_get(j, "priority")),
	    p[0].priority);
	assert_non_null(json_object_get(j, "lastModifiedDateTime"));
	assert_non_null(json_object_get(j, "version"));
	json_decref(j);
	p[0].traffic = MODEL_TRAFFIC_PRIVATE;
	p[0].enabled = true;
	j = model_profile_to_json(&p[0]);
	assert_string_equal(json_string_value(json_object_get(j,
	    "trafficForwardingType")), "private");
	assert_string_equal(json_string_value(json_object_get(j, "state")),
	    "enabled");
	json_decref(j);
}

/*
 * The stored built-in profiles (Microsoft 365, Internet Access, in
 * evaluation order) and the description each traffic type gets; the
 * Private Access one (listed by the API, never stored) says it is not for
 * remote networks.
 */
static void
t_profile_descriptions(void **state)
{
	struct model_profile p[8];
	const char *d;
	json_t *j;
	size_t n, i;
	int t;

	(void)state;
	n = model_profiles_builtin(p, 8);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].traffic, MODEL_TRAFFIC_M365);
	assert_int_equal(p[1].traffic, MODEL_TRAFFIC_INTERNET);
	/* Private Access goes between them (api_profile.c uses 2). */
	assert_true(p[0].priority < 2 && p[1].priority > 2);
	for (i = 0; i < n; i++) {
		assert_true(p[i].enabled);
		assert_string_equal(p[i].version, MODEL_VERSION);
	}
	for (t = MODEL_TRAFFIC_M365; t <= MODEL_TRAFFIC_PRIVATE; t++) {
		p[0].traffic = t;
		j = model_profile_to_json(&p[0]);
		assert_non_null(j);
		d = json_string_value(json_object_get(j, "description"));
		assert_non_null(d);
		assert_true(strlen(d) > 20);
		if (t == MODEL_TRAFFIC_PRIVATE)
			assert_non_null(strstr(d,
			    "not applicable to remote networks"));
		else
			assert_null(strstr(d, "not applicable"));
		json_decref(j);
	}
	/* An unknown traffic type has neither description nor type. */
	p[0].traffic = 7;
	j = model_profile_to_json(&p[0]);
	assert_true(json_is_null(json_object_get(j, "description")));
	assert_true(json_is_null(json_object_get(j, "trafficForwardingType")));
	json_decref(j);
}

static void
t_connectivity_to_json(void **state)
{
	struct model_rn rn;
	struct model_link l[2];
	json_t *j, *links, *lc, *pc;
	char *s;

	(void)state;
	memset(&rn, 0, sizeof(rn));
	snprintf(rn.id, sizeof(rn.id), RN_ID);
	snprintf(rn.name, sizeof(rn.name), "Branch 1");
	rn.region = 2;
	mklink(link_default, &ctx2, "aaaaaaaa-0000-4000-8000-000000000001",
	    &l[0]);
	mklink(link_custom, &ctx2, "aaaaaaaa-0000-4000-8000-000000000002",
	    &l[1]);
	l[1].bgp_local = 0xc0a80102;	/* 192.168.1.2 */
	l[1].zone_local = 0xc0a80103;
	j = model_connectivity_to_json(&ctx2, &rn, l, 2);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j,
	    "remoteNetworkId")), RN_ID);
	assert_string_equal(json_string_value(json_object_get(j,
	    "remoteNetworkName")), "Branch 1");
	links = json_object_get(j, "links");
	assert_int_equal(json_array_size(links), 2);
	lc = json_object_get(json_array_get(links, 0), "localConfigurations");
	assert_int_equal(json_array_size(lc), 1);
	lc = json_object_get(json_array_get(links, 1), "localConfigurations");
	assert_int_equal(json_array_size(lc), 2);
	s = json_dumps(json_array_get(lc, 1), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"asn\":65476,\"bgpAddress\":\"192.168.1.3\","
	    "\"endpoint\":\"20.245.111.77\",\"region\":\"westUS\"}");
	free(s);
	pc = json_object_get(json_array_get(links, 1), "peerConfiguration");
	s = json_dumps(pc, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"asn\":65000,\"bgpAddress\":\"10.6.6.6\","
	    "\"endpoint\":\"114.20.4.14\"}");
	free(s);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    links, 1), "displayName")), "custom link");
	s = json_dumps(j, 0);
	assert_null(strstr(s, "SHAREDKEY"));
	free(s);
	json_decref(j);

	/* A zone without an endpoint is left out. */
	j = model_connectivity_to_json(&ctx1, &rn, l, 2);
	lc = json_object_get(json_array_get(json_object_get(j, "links"), 1),
	    "localConfigurations");
	assert_int_equal(json_array_size(lc), 1);
	json_decref(j);
	model_link_wipe(&l[0]);
	model_link_wipe(&l[1]);
}

/* Which zones' tunnels a link change ends (gw_reload): a zone's key only
 * its zone, so the other zone's node keeps its tunnel (docs/nodes.md). */
static void
t_link_zones_changed(void **state)
{
	struct model_link a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.ip = 0xc6336401;
	a.redundancy = 1;
	snprintf(a.tunnel.psk, sizeof(a.tunnel.psk), "zone-one-key");
	snprintf(a.tunnel.zone_psk, sizeof(a.tunnel.zone_psk), "zone-two-key");
	b = a;
	assert_int_equal(model_link_zones_changed(&a, &b), 0);
	b.bandwidth = 2;	/* nothing IKE uses */
	b.bgp_local = 0x0aff0009;
	assert_int_equal(model_link_zones_changed(&a, &b), 0);
	b = a;
	snprintf(b.tunnel.zone_psk, sizeof(b.tunnel.zone_psk), "zone-two-NEW");
	assert_int_equal(model_link_zones_changed(&a, &b), MODEL_ZONE2);
	b = a;
	snprintf(b.tunnel.psk, sizeof(b.tunnel.psk), "zone-one-NEW");
	assert_int_equal(model_link_zones_changed(&a, &b), MODEL_ZONE1);
	snprintf(b.tunnel.zone_psk, sizeof(b.tunnel.zone_psk), "zone-two-NEW");
	assert_int_equal(model_link_zones_changed(&a, &b),
	    MODEL_ZONE1 | MODEL_ZONE2);
	b = a;
	b.redundancy = 0;	/* the tier went down: zone 2 ends */
	b.tunnel.zone_psk[0] = 0;
	assert_int_equal(model_link_zones_changed(&a, &b), MODEL_ZONE2);
	/* Shared by both zones: the address (IKE identity) and the policy. */
	b = a;
	b.ip++;
	assert_int_equal(model_link_zones_changed(&a, &b),
	    MODEL_ZONE1 | MODEL_ZONE2);
	b = a;
	b.tunnel.custom = true;
	b.tunnel.dh = 3;
	assert_int_equal(model_link_zones_changed(&a, &b),
	    MODEL_ZONE1 | MODEL_ZONE2);
	b = a;
	b.tunnel.sa_lifetime = 3600;
	assert_int_equal(model_link_zones_changed(&a, &b),
	    MODEL_ZONE1 | MODEL_ZONE2);
	model_link_wipe(&a);
	model_link_wipe(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_rn_valid),
		cmocka_unit_test(t_rn_not_object),
		cmocka_unit_test(t_rn_name_required),
		cmocka_unit_test(t_rn_name_length),
		cmocka_unit_test(t_rn_name_utf8_bytes),
		cmocka_unit_test(t_rn_name_control),
		cmocka_unit_test(t_rn_name_blank),
		cmocka_unit_test(t_rn_region),
		cmocka_unit_test(t_rn_arrays),
		cmocka_unit_test(t_rn_members),
		cmocka_unit_test(t_rn_collects_all),
		cmocka_unit_test(t_link_valid_default),
		cmocka_unit_test(t_link_valid_custom),
		cmocka_unit_test(t_link_not_object),
		cmocka_unit_test(t_link_name),
		cmocka_unit_test(t_link_ip_format),
		cmocka_unit_test(t_link_ip_unicast),
		cmocka_unit_test(t_link_vendor),
		cmocka_unit_test(t_link_bandwidth),
		cmocka_unit_test(t_link_unknown_members),
		cmocka_unit_test(t_link_readonly_ignored),
		cmocka_unit_test(t_link_prefix),
		cmocka_unit_test(t_link_collects_all),
		cmocka_unit_test(t_bgp_object),
		cmocka_unit_test(t_asn_range),
		cmocka_unit_test(t_asn_type),
		cmocka_unit_test(t_asn_gateway),
		cmocka_unit_test(t_asn_azure),
		cmocka_unit_test(t_asn_iana),
		cmocka_unit_test(t_bgp_address_rules),
		cmocka_unit_test(t_bgp_local_ne_peer),
		cmocka_unit_test(t_red_tier),
		cmocka_unit_test(t_red_zone_needs_endpoint),
		cmocka_unit_test(t_red_zone_local),
		cmocka_unit_test(t_red_none_zone_local),
		cmocka_unit_test(t_tun_type),
		cmocka_unit_test(t_psk_length),
		cmocka_unit_test(t_psk_printable),
		cmocka_unit_test(t_psk_required),
		cmocka_unit_test(t_zone_psk),
		cmocka_unit_test(t_secret_never_in_messages),
		cmocka_unit_test(t_default_refuses_custom_fields),
		cmocka_unit_test(t_custom_required),
		cmocka_unit_test(t_custom_lifetime),
		cmocka_unit_test(t_custom_enums),
		cmocka_unit_test(t_custom_phase2_pairs),
		cmocka_unit_test(t_custom_phase1_gcm),
		cmocka_unit_test(t_prefix_parse),
		cmocka_unit_test(t_prefix_overlap),
		cmocka_unit_test(t_prefixes_text),
		cmocka_unit_test(t_src_prefixes),
		cmocka_unit_test(t_src_prefixes_json),
		cmocka_unit_test(t_patch_src_prefixes),
		cmocka_unit_test(t_reserved_range),
		cmocka_unit_test(t_patch_name),
		cmocka_unit_test(t_patch_not_object),
		cmocka_unit_test(t_patch_readonly),
		cmocka_unit_test(t_patch_bgp_merge),
		cmocka_unit_test(t_patch_psk),
		cmocka_unit_test(t_patch_round_trip_get),
		cmocka_unit_test(t_patch_tunnel_type_change),
		cmocka_unit_test(t_patch_redundancy),
		cmocka_unit_test(t_patch_unknown),
		cmocka_unit_test(t_patch_failure_keeps_out),
		cmocka_unit_test(t_rn_patch),
		cmocka_unit_test(t_unique),
		cmocka_unit_test(t_unique_new_links),
		cmocka_unit_test(t_rn_to_json),
		cmocka_unit_test(t_link_to_json),
		cmocka_unit_test(t_link_json_round_trip),
		cmocka_unit_test(t_profile_to_json),
		cmocka_unit_test(t_profile_descriptions),
		cmocka_unit_test(t_connectivity_to_json),
		cmocka_unit_test(t_link_zones_changed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
