/*
 * fuzz_fwd_body.c - libFuzzer target for the forwarding rule bodies of
 * api_fwd.c: a Custom Bypass rule's POST, its PATCH over a stored rule, and
 * the PATCH of a built-in Microsoft 365 rule. Whatever is refused must say
 * why; whatever is accepted must be a row the store takes: a named bypass
 * with 1 to MODEL_FWD_DST_MAX well-formed destinations whose text form
 * reads back the same, or an action that is forward or bypass.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "model_fwd.h"

#define BODY_MAX	(64 * 1024)	/* the API caps bodies first */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *fz_builtin =
    "{\"@odata.type\":\"#microsoft.graph.networkaccess.m365ForwardingRule\","
    "\"id\":\"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\",\"name\":\"Exchange\","
    "\"ruleType\":\"ipSubnet\",\"action\":\"forward\",\"protocol\":\"tcp\","
    "\"ports\":[\"443\"],\"category\":\"optimized\",\"destinations\":[{"
    "\"@odata.type\":\"#microsoft.graph.networkaccess.ipSubnet\","
    "\"value\":\"192.0.2.0/24\"}]}";

static void
fz_check_custom(const struct model_fwd_rule *r)
{
	struct model_fwd_dst back[MODEL_FWD_DST_MAX];
	char text[MODEL_FWD_DST_MAX * 32 + 1];
	size_t i, n = 0;

	if (r->kind != MODEL_FWD_CUSTOM || r->action != MODEL_FWD_BYPASS ||
	    r->name[0] == '\0' || memchr(r->name, '\0', sizeof(r->name)) ==
	    NULL || memchr(r->description, '\0', sizeof(r->description)) ==
	    NULL || r->ndst == 0 || r->ndst > MODEL_FWD_DST_MAX)
		abort();
	for (i = 0; i < r->ndst; i++)
		if (r->dst[i].lo > r->dst[i].hi)
			abort();
	if (model_fwd_dst_text(r->dst, r->ndst, text, sizeof(text)) == -1 ||
	    model_fwd_dst_from_text(text, back, &n) == -1 || n != r->ndst)
		abort();
	for (i = 0; i < n; i++)
		if (back[i].type != r->dst[i].type || back[i].lo != r->dst[i].lo ||
		    back[i].hi != r->dst[i].hi)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *builtin;
	struct model_fwd_rule cur, out;
	struct model_errs errs;
	json_t *j;

	if (size > BODY_MAX)
		return 0;
	if (builtin == NULL &&
	    (builtin = json_loads(fz_builtin, 0, NULL)) == NULL)
		abort();
	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return 0;
	}
	memset(&errs, 0, sizeof(errs));
	if (api_fwd_custom_parse(j, NULL, &out, &errs) == 0)
		fz_check_custom(&out);
	else if (errs.count == 0)
		abort();

	memset(&cur, 0, sizeof(cur));
	memcpy(cur.id, "11111111-2222-4333-8444-555555555555", MODEL_ID_LEN + 1);
	cur.kind = MODEL_FWD_CUSTOM;
	cur.action = MODEL_FWD_BYPASS;
	memcpy(cur.name, "printers", 9);
	cur.dst[0] = (struct model_fwd_dst){ MODEL_FWD_DST_SUBNET, 0xc0000200,
	    0xc00002ff, 24 };
	cur.ndst = 1;
	memset(&errs, 0, sizeof(errs));
	if (api_fwd_custom_parse(j, &cur, &out, &errs) == 0) {
		fz_check_custom(&out);
		if (strcmp(out.id, cur.id) != 0)
			abort();
	} else if (errs.count == 0)
		abort();

	memset(&errs, 0, sizeof(errs));
	if (api_fwd_builtin_parse(j, builtin, &out, &errs) == 0) {
		if (out.kind != MODEL_FWD_RULE || (out.action !=
		    MODEL_FWD_FORWARD && out.action != MODEL_FWD_BYPASS) ||
		    out.ndst != 0 || out.name[0] != '\0')
			abort();
	} else if (errs.count == 0)
		abort();
	json_decref(j);
	return 0;
}
