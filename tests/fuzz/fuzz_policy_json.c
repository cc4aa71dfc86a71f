/*
 * fuzz_policy_json.c - libFuzzer target for the security policy bodies the
 * API hands to the model (model_policy_json.h): the first byte picks the
 * object (filtering or cloud firewall policy with inline rules, either
 * rule kind, profile, either link kind, or a PATCH of a fixed stored
 * rule), the rest is the JSON body. Whatever is accepted must survive a
 * to_json/from_json round trip unchanged, and its rule lists the store's
 * text forms (fmt, then parse) unchanged. An accepted policy, linked to a
 * baseline profile, must compile (policy_snap_build), and every FQDN it
 * names must then match it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_policy_json.h"
#include "policy_name.h"
#include "policy_snap.h"
#include "policy_webcat.h"

#define BODY_MAX	(64 * 1024)	/* the API caps bodies first */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct policy_webcat *fz_cats;

static void
fz_init(void)
{
	static const char cats[] =
	    "!category\tSocialNetworking\tSocial Networking\tSocial\n"
	    "!category\tGambling\tGambling\tLiability\n"
	    "social.example\tSocialNetworking\n";
	char err[128];

	if (fz_cats == NULL &&
	    (fz_cats = policy_webcat_parse(cats, sizeof(cats) - 1, err,
	    sizeof(err))) == NULL)
		abort();
}

static void
fz_same(json_t *a, json_t *b)
{
	if (a == NULL || b == NULL || !json_equal(a, b))
		abort();
}

/* The store's text forms of an accepted rule read back the same. */
static void
fz_forms(const struct model_frule *r)
{
	char buf[MODEL_FW_LIST_STRLEN], *dest = NULL;
	struct model_fw_addr a[MODEL_FW_LIST_MAX];
	struct model_fw_port p[MODEL_FW_LIST_MAX];
	struct model_frule back;
	unsigned n;
	size_t i;

	if (model_fw_addrs_fmt(r->src, r->nsrc, buf, sizeof(buf)) == -1 ||
	    model_fw_addrs_parse(buf, a, &n) == -1 || n != r->nsrc ||
	    memcmp(a, r->src, n * sizeof(a[0])) != 0)
		abort();
	if (model_fw_ports_fmt(r->dport, r->ndport, buf, sizeof(buf)) == -1 ||
	    model_fw_ports_parse(buf, p, &n) == -1 || n != r->ndport ||
	    memcmp(p, r->dport, n * sizeof(p[0])) != 0)
		abort();
	memset(&back, 0, sizeof(back));
	if (model_frule_dest_fmt(r, &dest) == -1 ||
	    model_frule_dest_parse(dest, &back) == -1 ||
	    back.ndest != r->ndest)
		abort();
	for (i = 0; i < r->ndest; i++)
		if (strcmp(back.dest[i].value, r->dest[i].value) != 0)
			abort();
	model_frule_clear(&back);
	free(dest);
}

static void
fz_rule(const json_t *j, int kind)
{
	struct model_errs errs;
	struct model_frule r, r2;
	json_t *o, *o2;

	memset(&errs, 0, sizeof(errs));
	if (model_frule_from_json(j, kind, fz_cats, "", &r, &errs) == -1)
		return;
	fz_forms(&r);
	o = model_frule_to_json(&r, fz_cats);
	if (model_frule_from_json(o, kind, fz_cats, "", &r2, &errs) == -1)
		abort();
	memcpy(r2.id, r.id, sizeof(r.id));
	o2 = model_frule_to_json(&r2, fz_cats);
	fz_same(o, o2);
	json_decref(o);
	json_decref(o2);
	model_frule_clear(&r);
	model_frule_clear(&r2);
}

/* The policy compiler on what the API accepted. */
static void
fz_compile(struct model_fpolicy *p)
{
	struct model_fprofile prof;
	struct model_flink link;
	struct model_fset set;
	struct policy_snap *snap;
	struct policy_verdict v;
	char err[256], host[MODEL_FDEST_MAX + 3];
	const char *d;
	size_t i, k;

	memset(&prof, 0, sizeof(prof));
	memset(&link, 0, sizeof(link));
	snprintf(p->id, sizeof(p->id), "00000000-0000-4000-8000-00000000000p");
	snprintf(prof.id, sizeof(prof.id), "00000000-0000-4000-8000-00000000000b");
	snprintf(link.id, sizeof(link.id), "00000000-0000-4000-8000-00000000000l");
	memcpy(link.profile_id, prof.id, sizeof(prof.id));
	memcpy(link.policy_id, p->id, sizeof(p->id));
	link.priority = 100;
	link.enabled = link.logging = true;
	link.action = -1;
	prof.baseline = prof.enabled = true;
	prof.priority = MODEL_BASELINE_PRIORITY;
	prof.links = &link;
	prof.nlinks = 1;
	for (i = 0; i < p->nrules; i++) {
		memcpy(p->rules[i].policy_id, p->id, sizeof(p->id));
		snprintf(p->rules[i].id, sizeof(p->rules[i].id),
		    "00000000-0000-4000-8000-%012zu", i);
	}
	set.profiles = &prof;
	set.nprofiles = 1;
	set.policies = p;
	set.npolicies = 1;
	if ((snap = policy_snap_build(&set, fz_cats, err, sizeof(err))) == NULL)
		abort();
	for (i = 0; p->kind == MODEL_FPOL_FILTERING && i < p->nrules; i++) {
		if (p->rules[i].type != MODEL_FRULE_FQDN)
			continue;
		for (k = 0; k < p->rules[i].ndest; k++) {
			d = p->rules[i].dest[k].value;
			if (strncmp(d, "*.", 2) == 0)
				snprintf(host, sizeof(host), "a.%s", d + 2);
			else
				snprintf(host, sizeof(host), "%s", d);
			if (strlen(host) > POLICY_HOST_MAX)
				continue;
			policy_snap_host(snap, host, &v);
			if (v.policy == POLICY_NONE || v.action !=
			    (p->action == MODEL_FACT_BLOCK ? POLICY_BLOCK :
			    POLICY_ALLOW))
				abort();
		}
	}
	policy_snap_fw(snap, 6, 0xc0000201, 1024, 0xcb007102, 443, &v);
	policy_snap_free(snap);
}

static void
fz_policy(const json_t *j, int kind)
{
	struct model_errs errs;
	struct model_fpolicy p, p2;
	json_t *o, *o2;
	size_t i;

	memset(&errs, 0, sizeof(errs));
	if (model_fpolicy_from_json(j, kind, fz_cats, "", &p, &errs) == -1)
		return;
	for (i = 0; i < p.nrules; i++)
		fz_forms(&p.rules[i]);
	o = model_fpolicy_to_json(&p, fz_cats, true);
	if (model_fpolicy_from_json(o, kind, fz_cats, "", &p2, &errs) == -1)
		abort();
	o2 = model_fpolicy_to_json(&p2, fz_cats, true);
	fz_same(o, o2);
	json_decref(o);
	json_decref(o2);
	fz_compile(&p);		/* last: it sets ids the round trip leaves out */
	model_fpolicy_clear(&p);
	model_fpolicy_clear(&p2);
}

static void
fz_profile_link(const json_t *j, int which)
{
	struct model_errs errs;
	struct model_fprofile pr, pr2;
	struct model_flink l, l2;
	int kind = which == 5 ? MODEL_FPOL_FILTERING : MODEL_FPOL_FIREWALL;
	json_t *o, *o2;

	memset(&errs, 0, sizeof(errs));
	if (which == 4) {
		if (model_fprofile_from_json(j, "", &pr, &errs) == -1)
			return;
		o = model_fprofile_to_json(&pr);
		if (model_fprofile_from_json(o, "", &pr2, &errs) == -1)
			abort();
		o2 = model_fprofile_to_json(&pr2);
	} else {
		(void)model_flink_policy_id(j);
		if (model_flink_from_json(j, kind, "", &l, &errs) == -1)
			return;
		o = model_flink_to_json(&l, kind, NULL);
		if (model_flink_from_json(o, kind, "", &l2, &errs) == -1)
			abort();
		o2 = model_flink_to_json(&l2, kind, NULL);
	}
	fz_same(o, o2);
	json_decref(o);
	json_decref(o2);
}

/* PATCH of a stored firewall rule and a stored FQDN rule. */
static void
fz_patch(const json_t *j)
{
	static const char fw[] = "{\"name\":\"r\",\"priority\":100,"
	    "\"action\":\"block\",\"settings\":{\"status\":\"enabled\"},"
	    "\"matchingConditions\":{\"destinations\":{\"ports\":[\"443\"],"
	    "\"protocols\":\"tcp\"}}}";
	static const char fq[] = "{\"name\":\"f\",\"ruleType\":\"fqdn\","
	    "\"destinations\":[{\"value\":\"*.a.example\"}]}";
	struct model_errs errs;
	struct model_frule cur, out;
	json_t *b;
	int k;

	for (k = 0; k < 2; k++) {
		memset(&errs, 0, sizeof(errs));
		b = json_loads(k ? fq : fw, 0, NULL);
		if (b == NULL || model_frule_from_json(b, k ?
		    MODEL_FPOL_FILTERING : MODEL_FPOL_FIREWALL, fz_cats, "",
		    &cur, &errs) == -1)
			abort();
		json_decref(b);
		if (model_frule_patch(&cur, k ? MODEL_FPOL_FILTERING :
		    MODEL_FPOL_FIREWALL, fz_cats, j, &out, &errs) == 0) {
			fz_forms(&out);
			model_frule_clear(&out);
		}
		model_frule_clear(&cur);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j;
	int which;

	fz_init();
	if (size < 1 || size > BODY_MAX)
		return 0;
	which = data[0] % 8;
	j = json_loadb((const char *)data + 1, size - 1,
	    JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return 0;
	switch (which) {
	case 0:
	case 1:
		fz_policy(j, which);
		break;
	case 2:
	case 3:
		fz_rule(j, which - 2);
		break;
	case 7:
		fz_patch(j);
		break;
	default:
		fz_profile_link(j, which);
	}
	json_decref(j);
	return 0;
}
