/*
 * test_model_policy.c - the security policy JSON mapping and validation
 * (model_policy_json.h), table-driven: what each rule type becomes in the
 * model the policy compiler reads (normalized names, address ranges,
 * ports, protocol bits, the disabled default), the canonical answers, the
 * refusals with the field each names, and PATCH.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model_policy_json.h"
#include "policy_webcat.h"

#define NA	"#microsoft.graph.networkaccess."

static struct policy_webcat *cats;

static json_t *
js(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", e.text, text);
	return j;
}

static void
test_fqdn_rule(void **state)
{
	struct model_errs errs = { 0 };
	struct model_frule r;
	json_t *j, *o;

	(void)state;
	j = js("{\"@odata.type\":\"" NA "fqdnFilteringRule\",\"name\":\"n\","
	    "\"ruleType\":\"fqdn\",\"destinations\":[{\"@odata.type\":\"" NA
	    "fqdn\",\"value\":\"*.Contoso.COM\"},{\"value\":\"a_b.example.\"}]}");
	assert_int_equal(model_frule_from_json(j, MODEL_FPOL_FILTERING, NULL,
	    "", &r, &errs), 0);
	assert_int_equal(r.type, MODEL_FRULE_FQDN);
	assert_int_equal(r.ndest, 2);
	assert_string_equal(r.dest[0].value, "*.contoso.com");
	assert_string_equal(r.dest[1].value, "a_b.example");
	o = model_frule_to_json(&r, NULL);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(o, "destinations"), 0), "value")), "*.contoso.com");
	assert_string_equal(json_string_value(json_object_get(o, "ruleType")),
	    "fqdn");
	json_decref(o);
	json_decref(j);
	model_frule_clear(&r);
}

struct bad {
	int		 kind;
	const char	*json;
	const char	*target;	/* of the first error */
	const char	*words;		/* in its message */
};

static const struct bad bads[] = {
	{ MODEL_FPOL_FILTERING, "{\"name\":\"n\",\"ruleType\":\"fqdn\","
	    "\"destinations\":[{\"value\":\"10.0.0.1\"}]}",
	    "destinations[0].value", "IP address" },
	{ MODEL_FPOL_FILTERING, "{\"name\":\"n\",\"ruleType\":\"fqdn\","
	    "\"destinations\":[{\"value\":\"a.*.b\"}]}",
	    "destinations[0].value", "wildcard" },
	{ MODEL_FPOL_FILTERING, "{\"name\":\"n\",\"ruleType\":\"fqdn\","
	    "\"destinations\":[]}", "destinations", "at least one" },
	{ MODEL_FPOL_FILTERING, "{\"name\":\"n\",\"ruleType\":\"url\","
	    "\"destinations\":[]}", "ruleType", "does not support" },
	{ MODEL_FPOL_FILTERING, "{\"name\":\"n\",\"ruleType\":\"webCategory\","
	    "\"destinations\":[{\"name\":\"Cooking\"}]}",
	    "destinations[0].name", "not a known web category" },
	{ MODEL_FPOL_FIREWALL, "{\"name\":\"n\",\"priority\":100,\"action\":"
	    "\"block\",\"matchingConditions\":{\"sources\":{\"ports\":"
	    "[\"65536\"]}}}", "matchingConditions.sources.ports[0]", "65536" },
	{ MODEL_FPOL_FIREWALL, "{\"name\":\"n\",\"priority\":100,\"action\":"
	    "\"block\",\"matchingConditions\":{\"destinations\":{\"addresses\":"
	    "[{\"values\":[\"10.0.0.0/33\"]}]}}}",
	    "matchingConditions.destinations.addresses[0].values[0]",
	    "not an IPv4 address" },
	{ MODEL_FPOL_FIREWALL, "{\"name\":\"n\",\"priority\":100,\"action\":"
	    "\"block\",\"matchingConditions\":{\"destinations\":{\"protocols\":"
	    "\"tcp,icmp\"}}}", "matchingConditions.destinations.protocols",
	    "not tcp, udp" },
	{ MODEL_FPOL_FIREWALL, "{\"name\":\"n\",\"priority\":100,\"action\":"
	    "\"block\",\"matchingConditions\":{\"sources\":null}}",
	    "matchingConditions", "needs sources or destinations" },
	{ MODEL_FPOL_FIREWALL, "{\"name\":\"n\",\"priority\":100,\"action\":"
	    "\"block\",\"settings\":{\"status\":\"on\"},\"matchingConditions\":"
	    "{\"sources\":{}}}", "settings.status", "not one of" },
};

static void
test_refusals(void **state)
{
	struct model_errs errs;
	struct model_frule r;
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		memset(&errs, 0, sizeof(errs));
		j = js(bads[i].json);
		assert_int_equal(model_frule_from_json(j, bads[i].kind, cats,
		    "", &r, &errs), -1);
		assert_true(errs.count >= 1);
		if (strcmp(errs.err[0].target, bads[i].target) != 0 ||
		    strstr(errs.err[0].message, bads[i].words) == NULL)
			fail_msg("case %zu: got %s: %s", i, errs.err[0].target,
			    errs.err[0].message);
		assert_null(r.dest);
		json_decref(j);
	}
}

static void
test_firewall_rule(void **state)
{
	struct model_errs errs = { 0 };
	struct model_frule r, p;
	json_t *j, *o, *patch, *src;

	(void)state;
	j = js("{\"name\":\"fw\",\"priority\":150,\"action\":\"allow\","
	    "\"matchingConditions\":{\"sources\":{\"addresses\":[{\"@odata.type\":"
	    "\"" NA "cloudFirewallSourceIpAddress\",\"values\":[\"192.0.2.7\","
	    "\"172.16.0.0-172.16.255.255\",\"10.0.0.1-10.0.0.5\"]}],\"ports\":"
	    "[\"1024-2048\"]},\"destinations\":{\"ports\":[\"443\"],"
	    "\"protocols\":\"udp,tcp\"}}}");
	assert_int_equal(model_frule_from_json(j, MODEL_FPOL_FIREWALL, NULL,
	    "", &r, &errs), 0);
	json_decref(j);
	assert_int_equal(r.type, MODEL_FRULE_FIREWALL);
	assert_int_equal(r.priority, 150);
	assert_int_equal(r.action, MODEL_FACT_ALLOW);
	assert_false(r.enabled);		/* new rules start disabled */
	assert_int_equal(r.protos, 0);		/* both */
	assert_int_equal(r.nsrc, 3);
	assert_int_equal(r.src[0].lo, 0xc0000207);
	assert_int_equal(r.src[0].hi, 0xc0000207);
	assert_int_equal(r.src[1].lo, 0xac100000);
	assert_int_equal(r.src[1].hi, 0xac10ffff);
	assert_int_equal(r.nsport, 1);
	assert_int_equal(r.sport[0].lo, 1024);
	assert_int_equal(r.sport[0].hi, 2048);
	assert_int_equal(r.ndst, 0);
	assert_int_equal(r.ndport, 1);
	assert_int_equal(r.dport[0].lo, 443);

	o = model_frule_to_json(&r, NULL);
	src = json_object_get(json_object_get(o, "matchingConditions"),
	    "sources");
	j = json_object_get(json_array_get(json_object_get(src, "addresses"), 0),
	    "values");
	assert_string_equal(json_string_value(json_array_get(j, 1)),
	    "172.16.0.0/16");
	assert_string_equal(json_string_value(json_array_get(j, 2)),
	    "10.0.0.1-10.0.0.5");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_object_get(o, "matchingConditions"), "destinations"),
	    "protocols")), "tcp,udp");
	json_decref(o);

	/* Enable it, then a PATCH that says nothing of settings keeps it. */
	patch = js("{\"settings\":{\"status\":\"enabled\"}}");
	assert_int_equal(model_frule_patch(&r, MODEL_FPOL_FIREWALL, NULL, patch,
	    &p, &errs), 0);
	json_decref(patch);
	assert_true(p.enabled);
	patch = js("{\"priority\":300,\"id\":\"ignored\"}");
	assert_int_equal(model_frule_patch(&p, MODEL_FPOL_FIREWALL, NULL, patch,
	    &r, &errs), 0);
	json_decref(patch);
	assert_true(r.enabled);
	assert_int_equal(r.priority, 300);
	patch = js("{\"@odata.type\":\"" NA "fqdnFilteringRule\"}");
	assert_int_equal(model_frule_patch(&r, MODEL_FPOL_FIREWALL, NULL, patch,
	    &p, &errs), -1);
	json_decref(patch);
	assert_string_equal(errs.err[errs.count - 1].target, "@odata.type");
}

static void
test_webcat_and_links(void **state)
{
	struct model_errs errs = { 0 };
	struct model_frule r;
	struct model_flink l;
	json_t *j, *o;

	(void)state;
	j = js("{\"name\":\"c\",\"ruleType\":\"webCategory\",\"destinations\":"
	    "[{\"name\":\"gambling\"}]}");
	assert_int_equal(model_frule_from_json(j, MODEL_FPOL_FILTERING, cats,
	    "", &r, &errs), 0);
	json_decref(j);
	assert_string_equal(r.dest[0].value, "Gambling");
	o = model_frule_to_json(&r, cats);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(o, "destinations"), 0), "group")), "Liability");
	json_decref(o);
	model_frule_clear(&r);

	j = js("{\"priority\":7,\"action\":\"allow\",\"loggingState\":"
	    "\"disabled\",\"policy\":{\"id\":\"abc\",\"name\":\"expanded\"}}");
	assert_string_equal(model_flink_policy_id(j), "abc");
	assert_int_equal(model_flink_from_json(j, MODEL_FPOL_FILTERING, "", &l,
	    &errs), 0);
	assert_int_equal(l.priority, 7);
	assert_int_equal(l.action, MODEL_FACT_ALLOW);
	assert_true(l.enabled);
	assert_false(l.logging);
	/* A cloud firewall policy's link has no priority or action. */
	assert_int_equal(model_flink_from_json(j, MODEL_FPOL_FIREWALL, "", &l,
	    &errs), -1);
	json_decref(j);
	j = js("{\"policy\":{\"id\":\"abc\"}}");
	assert_int_equal(model_flink_from_json(j, MODEL_FPOL_FIREWALL, "", &l,
	    &errs), 0);
	assert_int_equal(l.action, -1);
	assert_int_equal(model_flink_from_json(j, MODEL_FPOL_FILTERING, "", &l,
	    &errs), -1);
	assert_string_equal(errs.err[errs.count - 1].target, "priority");
	json_decref(j);
}

static void
test_policy_inline(void **state)
{
	struct model_errs errs = { 0 };
	struct model_fpolicy p;
	json_t *j;

	(void)state;
	j = js("{\"name\":\"p\",\"policyRules\":[{\"name\":\"a\",\"ruleType\":"
	    "\"fqdn\",\"destinations\":[{\"value\":\"a.example\"}]},{\"name\":"
	    "\"b\",\"ruleType\":\"fqdn\",\"destinations\":[{\"value\":"
	    "\"1.2.3.4\"}]}]}");
	assert_int_equal(model_fpolicy_from_json(j, MODEL_FPOL_FILTERING, NULL,
	    "", &p, &errs), -1);
	assert_string_equal(errs.err[0].target,
	    "policyRules[1].destinations[0].value");
	assert_null(p.rules);
	json_decref(j);
	memset(&errs, 0, sizeof(errs));
	j = js("{\"name\":\"p\",\"settings\":{\"defaultAction\":\"allow\"}}");
	assert_int_equal(model_fpolicy_from_json(j, MODEL_FPOL_FIREWALL, NULL,
	    "", &p, &errs), 0);
	assert_int_equal(p.action, MODEL_FACT_ALLOW);
	assert_int_equal(model_fpolicy_from_json(j, MODEL_FPOL_FILTERING, NULL,
	    "", &p, &errs), -1);
	assert_string_equal(errs.err[0].target, "settings");
	json_decref(j);
}

int
main(void)
{
	static const char db[] =
	    "!category\tGambling\tGambling\tLiability\n"
	    "bet.example\tGambling\n";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fqdn_rule),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_firewall_rule),
		cmocka_unit_test(test_webcat_and_links),
		cmocka_unit_test(test_policy_inline),
	};
	char err[128];
	int rc;

	if ((cats = policy_webcat_parse(db, sizeof(db) - 1, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "webcat: %s\n", err);
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	policy_webcat_free(cats);
	return rc;
}
