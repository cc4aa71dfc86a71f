/*
 * test_model_fwd.c - forwarding rules (model/model_fwd): ranges as
 * prefixes against a model, Custom Bypass destinations (good, bad, text
 * form round trip), and the shipped catalogue with a tenant's rows: a
 * bypassed rule's subnets leave the routes, a disabled group takes all
 * its rules with it, and the JSON shows the tenant's state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "log.h"
#include "model_fwd.h"

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))

static bool
in_pfx(const struct model_pfx *p, size_t n, uint32_t a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].len == 0 ||
		    (a >> (32 - p[i].len)) == (p[i].addr >> (32 - p[i].len)))
			return true;
	return false;
}

static void
test_range_pfx(void **state)
{
	struct model_pfx p[64];
	uint32_t lo[] = { IP(192, 0, 2, 0), IP(198, 51, 100, 3), 0,
	    IP(203, 0, 113, 255), IP(10, 0, 0, 1) };
	uint32_t hi[] = { IP(192, 0, 2, 255), IP(198, 51, 100, 77), 0xffffffffu,
	    IP(203, 0, 113, 255), IP(10, 0, 3, 0) };
	size_t i, n, k;
	uint64_t a;

	(void)state;
	for (i = 0; i < sizeof(lo) / sizeof(lo[0]); i++) {
		n = model_fwd_range_pfx(lo[i], hi[i], p, 64);
		assert_true(n > 0);
		/* Exactly the range: the edges and one step outside. */
		assert_true(in_pfx(p, n, lo[i]));
		assert_true(in_pfx(p, n, hi[i]));
		if (lo[i] > 0)
			assert_false(in_pfx(p, n, lo[i] - 1));
		if (hi[i] < 0xffffffffu)
			assert_false(in_pfx(p, n, hi[i] + 1));
		/* Every address of a small range, and no overlap. */
		if (hi[i] - lo[i] < 4096)
			for (a = lo[i]; a <= hi[i]; a++) {
				size_t hits = 0;

				for (k = 0; k < n; k++)
					hits += in_pfx(&p[k], 1, (uint32_t)a);
				assert_int_equal(hits, 1);
			}
	}
	assert_int_equal(model_fwd_range_pfx(0, 0xffffffffu, p, 64), 1);
	assert_int_equal(p[0].len, 0);
	/* .3-.77: /32 .3, /30 .4, /27 .32... more than 2 fails to fit 2. */
	assert_int_equal(model_fwd_range_pfx(IP(198, 51, 100, 3),
	    IP(198, 51, 100, 77), p, 2), 0);
}

static void
test_dst(void **state)
{
	struct model_fwd_dst d[MODEL_FWD_DST_MAX], d2[MODEL_FWD_DST_MAX];
	struct model_errs errs;
	char text[2048];
	json_t *j, *back;
	size_t n, n2;

	(void)state;
	memset(&errs, 0, sizeof(errs));
	j = json_loads("[{\"@odata.type\":\"#microsoft.graph.networkaccess."
	    "ipSubnet\",\"value\":\"203.0.113.0/24\"},"
	    "{\"@odata.type\":\"#microsoft.graph.networkaccess.ipRange\","
	    "\"beginAddress\":\"198.51.100.10\",\"endAddress\":\"198.51.100.20\"},"
	    "{\"@odata.type\":\"#microsoft.graph.networkaccess.ipAddress\","
	    "\"value\":\"192.0.2.9\"}]", 0, NULL);
	assert_non_null(j);
	assert_int_equal(model_fwd_dst_parse(j, d, &n, &errs, "destinations"), 0);
	assert_int_equal(errs.count, 0);
	assert_int_equal(n, 3);
	assert_int_equal(d[0].type, MODEL_FWD_DST_SUBNET);
	assert_int_equal(d[0].hi, IP(203, 0, 113, 255));
	assert_int_equal(d[1].lo, IP(198, 51, 100, 10));
	assert_int_equal(d[2].hi, IP(192, 0, 2, 9));
	assert_int_equal(model_fwd_dst_text(d, n, text, sizeof(text)), 0);
	assert_string_equal(text, "203.0.113.0/24 198.51.100.10-198.51.100.20 "
	    "192.0.2.9");
	assert_int_equal(model_fwd_dst_from_text(text, d2, &n2), 0);
	assert_int_equal(n2, 3);
	assert_memory_equal(d, d2, 3 * sizeof(d[0]));
	back = model_fwd_dst_json(d, n);
	assert_true(json_equal(back, j));
	json_decref(back);
	json_decref(j);
	/* A short buffer fails rather than truncating. */
	assert_int_equal(model_fwd_dst_text(d, n, text, 20), -1);

	/* Each bad destination is named. */
	j = json_loads("[{\"@odata.type\":\"#microsoft.graph.networkaccess.fqdn\","
	    "\"value\":\"example.com\"},"
	    "{\"@odata.type\":\"#microsoft.graph.networkaccess.ipSubnet\","
	    "\"value\":\"203.0.113.1/24\"},"
	    "{\"@odata.type\":\"#microsoft.graph.networkaccess.ipRange\","
	    "\"beginAddress\":\"198.51.100.20\",\"endAddress\":\"198.51.100.1\"},"
	    "{\"@odata.type\":\"#microsoft.graph.networkaccess.ipAddress\","
	    "\"value\":\"300.1.1.1\"},"
	    "{\"@odata.type\":\"#microsoft.graph.networkaccess.ipAddress\","
	    "\"value\":\"192.0.2.1\",\"extra\":1},"
	    "{\"@odata.type\":\"#microsoft.graph.networkaccess.ipSubnet\","
	    "\"value\":\"0.0.0.0/0\"}, 7]", 0, NULL);
	assert_non_null(j);
	assert_int_equal(model_fwd_dst_parse(j, d, &n, &errs, "destinations"),
	    -1);
	assert_int_equal(errs.count, 7);
	assert_string_equal(errs.err[0].target, "destinations[0]");
	assert_non_null(strstr(errs.err[0].message, "route cannot carry a name"));
	assert_string_equal(errs.err[1].target, "destinations[1]");
	assert_non_null(strstr(errs.err[2].message, "after"));
	assert_non_null(strstr(errs.err[4].message, "extra"));
	json_decref(j);
	memset(&errs, 0, sizeof(errs));
	j = json_array();
	assert_int_equal(model_fwd_dst_parse(j, d, &n, &errs, "destinations"),
	    -1);
	json_decref(j);
	assert_int_equal(errs.count, 1);
	/* Bad text from a damaged store row. */
	assert_int_equal(model_fwd_dst_from_text("192.0.2.1 nonsense", d, &n), -1);
	assert_int_equal(model_fwd_dst_from_text("192.0.2.9-192.0.2.1", d, &n), -1);
	assert_int_equal(model_fwd_dst_from_text("", d, &n), 0);
	assert_int_equal(n, 0);
}

static struct model_fwdcat *
cat_load(void)
{
	const char *src = getenv("BG_SRCDIR");
	char dir[1024];
	struct model_fwdcat *c = NULL;

	snprintf(dir, sizeof(dir), "%s/data", src != NULL ? src : ".");
	assert_int_equal(model_fwdcat_load(dir, &c), 0);
	return c;
}

/* The first ipSubnet rule of the Microsoft 365 links with an IPv4 subnet. */
static const json_t *
first_ip_rule(json_t *links, const json_t **link_out, uint32_t *addr)
{
	const json_t *l, *r, *d;
	size_t i, k, m;
	unsigned a, b, cc, dd, len;

	json_array_foreach(links, i, l) {
		json_array_foreach(json_object_get(json_object_get(l, "policy"),
		    "policyRules"), k, r) {
			if (strcmp(json_string_value(json_object_get(r,
			    "ruleType")), "ipSubnet") != 0)
				continue;
			json_array_foreach(json_object_get(r, "destinations"),
			    m, d) {
				if (sscanf(json_string_value(json_object_get(d,
				    "value")), "%u.%u.%u.%u/%u", &a, &b, &cc, &dd,
				    &len) == 5) {
					*addr = IP(a, b, cc, dd);
					*link_out = l;
					return r;
				}
			}
		}
	}
	return NULL;
}

static void
test_catalogue(void **state)
{
	struct model_fwdcat *c = cat_load();
	struct model_fwd_rule rows[3];
	struct model_fwdcat_ref ref;
	struct model_pfx *all, *p, *by;
	size_t nall, n, nby, i;
	const json_t *rule, *link;
	json_t *links, *l2;
	uint32_t addr = 0;
	char rule_id[64], link_id[64];

	(void)state;
	links = model_fwdcat_links(c, MODEL_TRAFFIC_M365, NULL, 0);
	assert_true(json_array_size(links) >= 3);
	assert_non_null(rule = first_ip_rule(links, &link, &addr));
	snprintf(rule_id, sizeof(rule_id), "%s",
	    json_string_value(json_object_get(rule, "id")));
	snprintf(link_id, sizeof(link_id), "%s",
	    json_string_value(json_object_get(link, "id")));
	assert_int_equal(model_fwdcat_find(c, rule_id, &ref), 0);
	assert_int_equal(ref.what, MODEL_FWDCAT_RULE);
	assert_int_equal(ref.traffic, MODEL_TRAFFIC_M365);
	assert_true(ref.editable);
	assert_string_equal(ref.policy_id, json_string_value(json_object_get(
	    json_object_get(link, "policy"), "id")));
	assert_int_equal(model_fwdcat_find(c, json_string_value(
	    json_object_get(link, "id")), &ref), 0);
	assert_int_equal(ref.what, MODEL_FWDCAT_LINK);
	assert_int_equal(model_fwdcat_find(c, "00000000-0000-0000-0000-000000000000",
	    &ref), -1);

	/* No rows: every subnet forwarded, nothing bypassed. */
	assert_int_equal(model_fwdcat_m365_routes(c, NULL, 0, &all, &nall), 0);
	assert_true(nall > 10);
	assert_true(in_pfx(all, nall, addr));
	assert_int_equal(model_fwdcat_bypass(c, MODEL_TRAFFIC_M365, NULL, 0,
	    &by, &nby), 0);
	assert_int_equal(nby, 0);
	free(by);

	/* The rule bypassed: its subnet leaves the routes, the rest stays. */
	memset(rows, 0, sizeof(rows));
	snprintf(rows[0].id, sizeof(rows[0].id), "%.36s", rule_id);
	rows[0].kind = MODEL_FWD_RULE;
	rows[0].action = MODEL_FWD_BYPASS;
	assert_int_equal(model_fwdcat_m365_routes(c, rows, 1, &p, &n), 0);
	assert_false(in_pfx(p, n, addr));
	assert_true(n > 0);
	assert_int_equal(model_fwdcat_bypass(c, MODEL_TRAFFIC_M365, rows, 1,
	    &by, &nby), 0);
	assert_true(nby > 0);
	assert_true(in_pfx(by, nby, addr));
	/* What is routed is what was routed minus what is bypassed. */
	for (i = 0; i < nall; i++) {
		assert_int_equal(in_pfx(p, n, all[i].addr),
		    !in_pfx(by, nby, all[i].addr));
	}
	free(p);
	free(by);
	l2 = model_fwdcat_links(c, MODEL_TRAFFIC_M365, rows, 1);
	assert_non_null(rule = first_ip_rule(l2, &link, &addr));
	assert_string_equal(json_string_value(json_object_get(rule, "action")),
	    "bypass");
	json_decref(l2);

	/* Forward again: the full set. */
	rows[0].action = MODEL_FWD_FORWARD;
	assert_int_equal(model_fwdcat_m365_routes(c, rows, 1, &p, &n), 0);
	assert_int_equal(n, nall);
	assert_memory_equal(p, all, n * sizeof(*p));
	free(p);

	/* The rule's group disabled: state shows it, its subnets go. */
	snprintf(rows[0].id, sizeof(rows[0].id), "%.36s", link_id);
	rows[0].kind = MODEL_FWD_LINK;
	rows[0].action = MODEL_FWD_BYPASS;
	assert_int_equal(model_fwdcat_m365_routes(c, rows, 1, &p, &n), 0);
	assert_false(in_pfx(p, n, addr));
	assert_true(n < nall);
	free(p);
	l2 = model_fwdcat_links(c, MODEL_TRAFFIC_M365, rows, 1);
	assert_non_null(first_ip_rule(l2, &link, &addr));
	assert_string_equal(json_string_value(json_object_get(link, "state")),
	    "disabled");
	json_decref(l2);

	/* Every group disabled: nothing left to announce. */
	{
		struct model_fwd_rule *all_links;
		size_t nl = json_array_size(links);

		all_links = calloc(nl, sizeof(*all_links));
		assert_non_null(all_links);
		for (i = 0; i < nl; i++) {
			snprintf(all_links[i].id, sizeof(all_links[i].id), "%s",
			    json_string_value(json_object_get(
			    json_array_get(links, i), "id")));
			all_links[i].kind = MODEL_FWD_LINK;
			all_links[i].action = MODEL_FWD_BYPASS;
		}
		assert_int_equal(model_fwdcat_m365_routes(c, all_links, nl,
		    &p, &n), 0);
		assert_int_equal(n, 0);
		free(p);
		free(all_links);
	}
	free(all);
	json_decref(links);
	model_fwdcat_free(c);
}

static void
test_custom(void **state)
{
	struct model_fwdcat *c = cat_load();
	struct model_fwd_rule rows[2];
	struct model_pfx *by;
	size_t nby;
	json_t *links, *l, *rules;
	const char *pid;
	struct model_fwdcat_ref ref;
	size_t i;
	bool seen = false;

	(void)state;
	memset(rows, 0, sizeof(rows));
	snprintf(rows[0].id, sizeof(rows[0].id),
	    "11111111-2222-4333-8444-555555555555");
	rows[0].kind = MODEL_FWD_CUSTOM;
	rows[0].action = MODEL_FWD_BYPASS;
	snprintf(rows[0].name, sizeof(rows[0].name), "branch printers");
	rows[0].dst[0].type = MODEL_FWD_DST_RANGE;
	rows[0].dst[0].lo = IP(198, 51, 100, 10);
	rows[0].dst[0].hi = IP(198, 51, 100, 20);
	rows[0].dst[1].type = MODEL_FWD_DST_SUBNET;
	rows[0].dst[1].lo = IP(203, 0, 113, 0);
	rows[0].dst[1].hi = IP(203, 0, 113, 255);
	rows[0].dst[1].plen = 24;
	rows[0].ndst = 2;
	assert_int_equal(model_fwdcat_bypass(c, MODEL_TRAFFIC_INTERNET, rows, 1,
	    &by, &nby), 0);
	assert_true(in_pfx(by, nby, IP(198, 51, 100, 10)));
	assert_true(in_pfx(by, nby, IP(198, 51, 100, 20)));
	assert_false(in_pfx(by, nby, IP(198, 51, 100, 21)));
	assert_false(in_pfx(by, nby, IP(198, 51, 100, 9)));
	assert_true(in_pfx(by, nby, IP(203, 0, 113, 77)));
	free(by);
	/* The Custom Bypass policy lists the row; the others do not. */
	links = model_fwdcat_links(c, MODEL_TRAFFIC_INTERNET, rows, 1);
	json_array_foreach(links, i, l) {
		pid = json_string_value(json_object_get(json_object_get(l,
		    "policy"), "id"));
		assert_int_equal(model_fwdcat_find(c, pid, &ref), 0);
		assert_int_equal(ref.what, MODEL_FWDCAT_POLICY);
		rules = json_object_get(json_object_get(l, "policy"),
		    "policyRules");
		if (ref.custom) {
			assert_int_equal(json_array_size(rules), 1);
			assert_string_equal(json_string_value(json_object_get(
			    json_array_get(rules, 0), "name")),
			    "branch printers");
			seen = true;
		} else
			assert_false(ref.editable);
	}
	assert_true(seen);
	json_decref(links);
	/* Custom rows do not touch the Microsoft 365 routes. */
	assert_int_equal(model_fwdcat_bypass(c, MODEL_TRAFFIC_M365, rows, 1,
	    &by, &nby), 0);
	assert_int_equal(nby, 0);
	free(by);
	model_fwdcat_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_pfx),
		cmocka_unit_test(test_dst),
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_custom),
	};

	log_set_level(LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
