/*
 * test_policy_snap.c - the policy compiler against hand-made tenant sets:
 * the baseline profile only, links by priority (an allow at a lower number
 * beats a later block), disabled links, link action overrides, web
 * categories, the one cloud firewall policy and its enabled rules, ids for
 * the traffic logs, and the limits (1,000 rules, 8,000 FQDNs).
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

#include "model_policy.h"
#include "policy_snap.h"
#include "policy_webcat.h"

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define TCP	6
#define UDP	17

static struct model_fprofile *
add_profile(struct model_fset *s, const char *id, bool baseline, bool enabled)
{
	struct model_fprofile *p;

	s->profiles = realloc(s->profiles, (s->nprofiles + 1) *
	    sizeof(*s->profiles));
	assert_non_null(s->profiles);
	p = &s->profiles[s->nprofiles++];
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", id);
	snprintf(p->name, sizeof(p->name), "profile %s", id);
	p->baseline = baseline;
	p->enabled = enabled;
	p->priority = baseline ? MODEL_BASELINE_PRIORITY : 100;
	return p;
}

/* Profiles move when the array grows: look them up again by index. */
static void
add_link(struct model_fset *s, size_t prof, const char *id, const char *pol,
    int64_t prio, bool enabled, bool logging, int action)
{
	struct model_fprofile *p = &s->profiles[prof];
	struct model_flink *l;

	p->links = realloc(p->links, (p->nlinks + 1) * sizeof(*p->links));
	assert_non_null(p->links);
	l = &p->links[p->nlinks++];
	memset(l, 0, sizeof(*l));
	snprintf(l->id, sizeof(l->id), "%s", id);
	snprintf(l->profile_id, sizeof(l->profile_id), "%s", p->id);
	snprintf(l->policy_id, sizeof(l->policy_id), "%s", pol);
	l->priority = prio;
	l->enabled = enabled;
	l->logging = logging;
	l->action = action;
}

static size_t
add_policy(struct model_fset *s, const char *id, int kind, int action)
{
	struct model_fpolicy *p;

	s->policies = realloc(s->policies, (s->npolicies + 1) *
	    sizeof(*s->policies));
	assert_non_null(s->policies);
	p = &s->policies[s->npolicies];
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", id);
	snprintf(p->name, sizeof(p->name), "policy %s", id);
	p->kind = kind;
	p->action = action;
	return s->npolicies++;
}

static struct model_frule *
add_rule(struct model_fset *s, size_t pol, const char *id, int type)
{
	struct model_fpolicy *p = &s->policies[pol];
	struct model_frule *r;

	p->rules = realloc(p->rules, (p->nrules + 1) * sizeof(*p->rules));
	assert_non_null(p->rules);
	r = &p->rules[p->nrules++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->policy_id, sizeof(r->policy_id), "%s", p->id);
	r->type = type;
	return r;
}

/* A FQDN or web-category rule with NULL-terminated destinations. */
static void
add_dest_rule(struct model_fset *s, size_t pol, const char *id, int type, ...)
{
	struct model_frule *r = add_rule(s, pol, id, type);
	const char *d;
	va_list ap;

	va_start(ap, type);
	while ((d = va_arg(ap, const char *)) != NULL) {
		r->dest = realloc(r->dest, (r->ndest + 1) * sizeof(*r->dest));
		assert_non_null(r->dest);
		snprintf(r->dest[r->ndest++].value, sizeof(r->dest[0].value),
		    "%s", d);
	}
	va_end(ap);
}

static struct model_frule *
add_fw_rule(struct model_fset *s, size_t pol, const char *id, int64_t prio,
    int action, bool enabled, uint8_t protos)
{
	struct model_frule *r = add_rule(s, pol, id, MODEL_FRULE_FIREWALL);

	r->priority = prio;
	r->action = action;
	r->enabled = enabled;
	r->protos = protos;
	return r;
}

static struct policy_snap *
build(const struct model_fset *s, const struct policy_webcat *w)
{
	char err[256] = "";
	struct policy_snap *p = policy_snap_build(s, w, err, sizeof(err));

	if (p == NULL)
		fail_msg("build: %s", err);
	return p;
}

static void
host_is(const struct policy_snap *p, const char *host, int action,
    const char *pol, const char *rule)
{
	struct policy_verdict v;

	policy_snap_host(p, host, &v);
	if (v.action != action || strcmp(policy_snap_policy_id(p, v.policy),
	    pol) != 0 || strcmp(policy_snap_rule_id(p, v.rule), rule) != 0)
		fail_msg("%s: %s %s/%s, want %s %s/%s", host,
		    v.action == POLICY_BLOCK ? "block" : "allow",
		    policy_snap_policy_id(p, v.policy),
		    policy_snap_rule_id(p, v.rule),
		    action == POLICY_BLOCK ? "block" : "allow", pol, rule);
	if (pol[0] == '\0') {
		assert_int_equal(v.policy, POLICY_NONE);
		assert_int_equal(v.rule, POLICY_NONE);
	}
}

static void
fw_is(const struct policy_snap *p, uint8_t proto, uint32_t dst,
    uint16_t dport, int action, const char *rule)
{
	struct policy_verdict v;

	policy_snap_fw(p, proto, IP(10, 1, 0, 5), 40000, dst, dport, &v);
	if (v.action != action || strcmp(policy_snap_rule_id(p, v.rule),
	    rule) != 0)
		fail_msg("fw %u %u: %s %s, want %s %s", proto, dport,
		    v.action == POLICY_BLOCK ? "block" : "allow",
		    policy_snap_rule_id(p, v.rule),
		    action == POLICY_BLOCK ? "block" : "allow", rule);
}

static void
test_snap_empty(void **state)
{
	struct model_fset s = { 0 };
	struct policy_snap *p;
	size_t a;

	(void)state;
	/* Nothing at all. */
	p = build(&s, NULL);
	host_is(p, "www.contoso.com", POLICY_ALLOW, "", "");
	fw_is(p, TCP, IP(203, 0, 113, 1), 443, POLICY_ALLOW, "");
	assert_false(policy_snap_filters(p));
	assert_int_equal(policy_snap_nfw(p), 0);
	assert_int_equal(policy_snap_nfqdn(p), 0);
	assert_true(policy_snap_bytes(p) > 0);
	policy_snap_free(p);
	/* A block policy linked to a non-baseline profile: no effect. */
	a = add_policy(&s, "pa", MODEL_FPOL_FILTERING, MODEL_FACT_BLOCK);
	add_dest_rule(&s, a, "ra", MODEL_FRULE_FQDN, "*.contoso.com", NULL);
	add_profile(&s, "user", false, true);
	add_link(&s, 0, "l1", "pa", 100, true, true, -1);
	p = build(&s, NULL);
	host_is(p, "www.contoso.com", POLICY_ALLOW, "", "");
	assert_false(policy_snap_filters(p));
	policy_snap_free(p);
	/* Linked to the baseline: it blocks. */
	add_profile(&s, "base", true, true);
	add_link(&s, 1, "l2", "pa", 100, true, true, -1);
	p = build(&s, NULL);
	host_is(p, "www.contoso.com", POLICY_BLOCK, "pa", "ra");
	assert_true(policy_snap_filters(p));
	policy_snap_free(p);
	/* A disabled baseline, or two baselines: none, allow all. */
	s.profiles[1].enabled = false;
	p = build(&s, NULL);
	host_is(p, "www.contoso.com", POLICY_ALLOW, "", "");
	policy_snap_free(p);
	s.profiles[1].enabled = true;
	s.profiles[0].baseline = true;
	p = build(&s, NULL);
	host_is(p, "www.contoso.com", POLICY_ALLOW, "", "");
	policy_snap_free(p);
	/* err is optional. */
	assert_non_null(p = policy_snap_build(&s, NULL, NULL, 0));
	policy_snap_free(p);
	policy_snap_free(NULL);
	model_fset_clear(&s);
}

static void
test_snap_priority(void **state)
{
	struct model_fset s = { 0 };
	struct policy_snap *p;
	size_t blk, alw, late;
	struct policy_verdict v;

	(void)state;
	blk = add_policy(&s, "p-block", MODEL_FPOL_FILTERING, MODEL_FACT_BLOCK);
	add_dest_rule(&s, blk, "r-block", MODEL_FRULE_FQDN, "*.contoso.com",
	    "fabrikam.example", NULL);
	alw = add_policy(&s, "p-allow", MODEL_FPOL_FILTERING, MODEL_FACT_ALLOW);
	add_dest_rule(&s, alw, "r-allow", MODEL_FRULE_FQDN,
	    "allowed.contoso.com", NULL);
	late = add_policy(&s, "p-late", MODEL_FPOL_FILTERING, MODEL_FACT_BLOCK);
	add_dest_rule(&s, late, "r-late1", MODEL_FRULE_FQDN, "other.example",
	    NULL);
	add_dest_rule(&s, late, "r-late2", MODEL_FRULE_FQDN, "other.example",
	    "*.other.example", NULL);
	add_profile(&s, "base", true, true);
	/* Stored out of order: the priority decides, not the array. */
	add_link(&s, 0, "l-block", "p-block", 200, true, true, -1);
	add_link(&s, 0, "l-late", "p-late", 300, true, false, -1);
	add_link(&s, 0, "l-allow", "p-allow", 100, true, true, -1);
	p = build(&s, NULL);
	host_is(p, "allowed.contoso.com", POLICY_ALLOW, "p-allow", "r-allow");
	host_is(p, "www.contoso.com", POLICY_BLOCK, "p-block", "r-block");
	host_is(p, "fabrikam.example", POLICY_BLOCK, "p-block", "r-block");
	host_is(p, "contoso.com", POLICY_ALLOW, "", "");
	/* Within a policy, the first rule wins. */
	host_is(p, "other.example", POLICY_BLOCK, "p-late", "r-late1");
	host_is(p, "a.other.example", POLICY_BLOCK, "p-late", "r-late2");
	policy_snap_host(p, "a.other.example", &v);
	assert_false(v.log);		/* l-late has logging off */
	assert_string_equal(policy_snap_policy_name(p, v.policy),
	    "policy p-late");
	policy_snap_host(p, "www.contoso.com", &v);
	assert_true(v.log);
	assert_int_equal(policy_snap_nfqdn(p), 5);	/* a duplicate */
	policy_snap_free(p);
	/* Swap the numbers: the block now comes first and wins. */
	s.profiles[0].links[2].priority = 250;
	p = build(&s, NULL);
	host_is(p, "allowed.contoso.com", POLICY_BLOCK, "p-block", "r-block");
	policy_snap_free(p);
	/* Equal priorities: the link id breaks the tie ("l-allow" first). */
	s.profiles[0].links[2].priority = 200;
	p = build(&s, NULL);
	host_is(p, "allowed.contoso.com", POLICY_ALLOW, "p-allow", "r-allow");
	policy_snap_free(p);
	model_fset_clear(&s);
}

static void
test_snap_links(void **state)
{
	struct model_fset s = { 0 };
	struct policy_snap *p;
	size_t a, b;

	(void)state;
	a = add_policy(&s, "pa", MODEL_FPOL_FILTERING, MODEL_FACT_ALLOW);
	add_dest_rule(&s, a, "ra", MODEL_FRULE_FQDN, "x.contoso.com", NULL);
	b = add_policy(&s, "pb", MODEL_FPOL_FILTERING, MODEL_FACT_BLOCK);
	add_dest_rule(&s, b, "rb", MODEL_FRULE_FQDN, "*.contoso.com", NULL);
	add_profile(&s, "base", true, true);
	add_link(&s, 0, "la", "pa", 100, false, true, -1);	/* disabled */
	add_link(&s, 0, "lb", "pb", 200, true, true, -1);
	add_link(&s, 0, "lx", "gone", 50, true, true, -1);	/* dangling */
	p = build(&s, NULL);
	host_is(p, "x.contoso.com", POLICY_BLOCK, "pb", "rb");
	policy_snap_free(p);
	/* Enabled again; then the link overrides the policies' actions. */
	s.profiles[0].links[0].enabled = true;
	p = build(&s, NULL);
	host_is(p, "x.contoso.com", POLICY_ALLOW, "pa", "ra");
	policy_snap_free(p);
	s.profiles[0].links[0].action = MODEL_FACT_BLOCK;
	s.profiles[0].links[1].action = MODEL_FACT_ALLOW;
	p = build(&s, NULL);
	host_is(p, "x.contoso.com", POLICY_BLOCK, "pa", "ra");
	host_is(p, "y.contoso.com", POLICY_ALLOW, "pb", "rb");
	policy_snap_free(p);
	/* The same policy linked twice evaluates at its first link. */
	s.profiles[0].links[0].action = -1;
	s.profiles[0].links[1].action = -1;
	add_link(&s, 0, "lb2", "pb", 10, true, false, MODEL_FACT_ALLOW);
	p = build(&s, NULL);
	host_is(p, "x.contoso.com", POLICY_ALLOW, "pb", "rb");
	policy_snap_free(p);
	model_fset_clear(&s);
}

static const char wc[] =
    "!category\tGambling\tGambling\tLiability\n"
    "!category\tNews\tNews\tBusinessUse\n"
    "bet.example\tGambling\n"
    "casino.test\tGambling\n"
    "news.example\tNews\n";

static void
test_snap_webcat(void **state)
{
	struct model_fset s = { 0 };
	struct policy_webcat *w;
	struct policy_snap *p;
	size_t g, a;
	char err[128];

	(void)state;
	assert_non_null(w = policy_webcat_parse(wc, strlen(wc), err,
	    sizeof(err)));
	g = add_policy(&s, "pg", MODEL_FPOL_FILTERING, MODEL_FACT_BLOCK);
	add_dest_rule(&s, g, "rg", MODEL_FRULE_WEBCAT, "NoSuchCategory",
	    "gambling", NULL);
	a = add_policy(&s, "pa", MODEL_FPOL_FILTERING, MODEL_FACT_ALLOW);
	add_dest_rule(&s, a, "ra", MODEL_FRULE_FQDN, "www.bet.example", NULL);
	add_dest_rule(&s, a, "rn", MODEL_FRULE_WEBCAT, "News", NULL);
	add_profile(&s, "base", true, true);
	add_link(&s, 0, "lg", "pg", 200, true, true, -1);
	add_link(&s, 0, "la", "pa", 100, true, true, -1);
	p = build(&s, w);
	assert_true(policy_snap_filters(p));
	host_is(p, "poker.bet.example", POLICY_BLOCK, "pg", "rg");
	host_is(p, "casino.test", POLICY_BLOCK, "pg", "rg");
	/* An FQDN allow at a lower number beats the category block. */
	host_is(p, "www.bet.example", POLICY_ALLOW, "pa", "ra");
	host_is(p, "daily.news.example", POLICY_ALLOW, "pa", "rn");
	host_is(p, "unlisted.example", POLICY_ALLOW, "", "");
	policy_snap_free(p);
	/* The other way round: the category block comes first. */
	s.profiles[0].links[0].priority = 50;
	p = build(&s, w);
	host_is(p, "www.bet.example", POLICY_BLOCK, "pg", "rg");
	policy_snap_free(p);
	/* Without a database category rules never match. */
	p = build(&s, NULL);
	host_is(p, "poker.bet.example", POLICY_ALLOW, "", "");
	host_is(p, "www.bet.example", POLICY_ALLOW, "pa", "ra");
	policy_snap_free(p);
	/* Only category rules, none of whose names is known: no filtering. */
	s.policies[a].nrules = 0;	/* (freed with the set below) */
	{
		struct model_frule *keep = s.policies[a].rules;

		s.policies[g].rules[0].ndest = 1;	/* NoSuchCategory */
		p = build(&s, w);
		assert_false(policy_snap_filters(p));
		policy_snap_free(p);
		s.policies[g].rules[0].ndest = 2;
		s.policies[a].nrules = 2;
		s.policies[a].rules = keep;
	}
	policy_webcat_free(w);
	model_fset_clear(&s);
}

static void
test_snap_fw(void **state)
{
	struct model_fset s = { 0 };
	struct policy_snap *p;
	struct policy_verdict v;
	struct model_frule *r;
	size_t f, f2;
	uint32_t srv = IP(203, 0, 113, 10);

	(void)state;
	f = add_policy(&s, "fw", MODEL_FPOL_FIREWALL, MODEL_FACT_ALLOW);
	r = add_fw_rule(&s, f, "fw-8080", 200, MODEL_FACT_BLOCK, true,
	    MODEL_FW_TCP);
	r->dport[0] = (struct model_fw_port){ 8080, 8080 };
	r->ndport = 1;
	r = add_fw_rule(&s, f, "fw-9090-off", 100, MODEL_FACT_BLOCK, false,
	    0);
	r->dport[0] = (struct model_fw_port){ 9090, 9090 };
	r->ndport = 1;
	r = add_fw_rule(&s, f, "fw-range", 300, MODEL_FACT_BLOCK, true, 0);
	r->dst[0] = (struct model_fw_addr){ IP(198, 51, 100, 0),
	    IP(198, 51, 100, 255) };
	r->ndst = 1;
	r->dport[0] = (struct model_fw_port){ 1, 1023 };
	r->ndport = 1;
	r = add_fw_rule(&s, f, "fw-allow-dns", 150, MODEL_FACT_ALLOW, true,
	    MODEL_FW_UDP);
	r->dport[0] = (struct model_fw_port){ 53, 53 };
	r->ndport = 1;
	r->dst[0] = (struct model_fw_addr){ IP(198, 51, 100, 53),
	    IP(198, 51, 100, 53) };
	r->ndst = 1;
	/* A second firewall policy at a later link is ignored. */
	f2 = add_policy(&s, "fw2", MODEL_FPOL_FIREWALL, MODEL_FACT_ALLOW);
	add_fw_rule(&s, f2, "fw2-all", 100, MODEL_FACT_BLOCK, true, 0);
	add_profile(&s, "base", true, true);
	add_link(&s, 0, "lfw2", "fw2", 500, true, true, -1);
	add_link(&s, 0, "lfw", "fw", 400, true, false, -1);
	p = build(&s, NULL);
	assert_int_equal(policy_snap_nfw(p), 3);	/* enabled ones */
	assert_false(policy_snap_filters(p));
	fw_is(p, TCP, srv, 8080, POLICY_BLOCK, "fw-8080");
	fw_is(p, UDP, srv, 8080, POLICY_ALLOW, "");	/* TCP only */
	fw_is(p, TCP, srv, 9090, POLICY_ALLOW, "");	/* disabled */
	fw_is(p, TCP, IP(198, 51, 100, 7), 22, POLICY_BLOCK, "fw-range");
	fw_is(p, UDP, IP(198, 51, 100, 7), 22, POLICY_BLOCK, "fw-range");
	fw_is(p, TCP, IP(198, 51, 100, 7), 2222, POLICY_ALLOW, "");
	fw_is(p, UDP, IP(198, 51, 100, 53), 53, POLICY_ALLOW, "fw-allow-dns");
	fw_is(p, TCP, IP(198, 51, 100, 53), 53, POLICY_BLOCK, "fw-range");
	policy_snap_fw(p, TCP, IP(10, 1, 0, 5), 40000, srv, 8080, &v);
	assert_string_equal(policy_snap_policy_id(p, v.policy), "fw");
	assert_false(v.log);
	/* ICMP is not filtered. */
	policy_snap_fw(p, 1, IP(10, 1, 0, 5), 0, IP(198, 51, 100, 7), 0, &v);
	assert_int_equal(v.action, POLICY_ALLOW);
	policy_snap_free(p);
	/* Enabling the disabled rule makes it first (priority 100). */
	s.policies[f].rules[1].enabled = true;
	p = build(&s, NULL);
	fw_is(p, TCP, srv, 9090, POLICY_BLOCK, "fw-9090-off");
	policy_snap_free(p);
	/* Disabling a rule re-allows; the fw link disabled: fw2 applies. */
	s.policies[f].rules[0].enabled = false;
	p = build(&s, NULL);
	fw_is(p, TCP, srv, 8080, POLICY_ALLOW, "");
	policy_snap_free(p);
	s.profiles[0].links[1].enabled = false;
	p = build(&s, NULL);
	fw_is(p, TCP, srv, 8080, POLICY_BLOCK, "fw2-all");
	policy_snap_free(p);
	model_fset_clear(&s);
}

static void
test_snap_scale(void **state)
{
	enum { NPOL = MODEL_FPOL_MAX, NRULE = MODEL_FRULE_MAX,
	    PER = NRULE / NPOL, NDEST = MODEL_FFQDN_MAX / NRULE };
	struct model_fset s = { 0 };
	struct policy_snap *p;
	char id[64], rid[64], name[96];
	size_t i, j, k, pol;
	struct model_frule *r;
	struct policy_verdict v;

	(void)state;
	add_profile(&s, "base", true, true);
	for (i = 0; i < NPOL; i++) {
		snprintf(id, sizeof(id), "pol-%03zu", i);
		pol = add_policy(&s, id, MODEL_FPOL_FILTERING, i % 2 ?
		    MODEL_FACT_ALLOW : MODEL_FACT_BLOCK);
		for (j = 0; j < PER; j++) {
			snprintf(rid, sizeof(rid), "rule-%03zu-%02zu", i, j);
			r = add_rule(&s, pol, rid, MODEL_FRULE_FQDN);
			r->dest = calloc(NDEST, sizeof(*r->dest));
			assert_non_null(r->dest);
			r->ndest = NDEST;
			for (k = 0; k < NDEST; k++)
				snprintf(r->dest[k].value,
				    sizeof(r->dest[k].value),
				    "%sh%zu.r%zu.p%zu.example", k % 2 ? "*." :
				    "", k, j, i);
		}
		/* Priorities in reverse of the array order. */
		snprintf(rid, sizeof(rid), "link-%03zu", i);
		add_link(&s, 0, rid, id, 100 + (int64_t)(NPOL - i), true, true,
		    -1);
	}
	/* The first policy (last in evaluation: priority 200) holds a
	 * catch-all, which must lose to every rule evaluated before it. */
	r = &s.policies[0].rules[PER - 1];	/* its last rule */
	snprintf(r->dest[0].value, sizeof(r->dest[0].value), "*.example");
	p = build(&s, NULL);
	assert_int_equal(policy_snap_nfqdn(p), MODEL_FFQDN_MAX);
	assert_true(policy_snap_bytes(p) > MODEL_FFQDN_MAX * 8);
	for (i = 0; i < NPOL; i++)
		for (j = 0; j < PER; j++)
			for (k = i == 0 && j == PER - 1; k < NDEST; k++) {
				snprintf(name, sizeof(name), "%sh%zu.r%zu.p%zu."
				    "example", k % 2 ? "x.y." : "", k, j, i);
				snprintf(id, sizeof(id), "pol-%03zu", i);
				snprintf(rid, sizeof(rid), "rule-%03zu-%02zu",
				    i, j);
				host_is(p, name, i % 2 ? POLICY_ALLOW :
				    POLICY_BLOCK, id, rid);
			}
	/* Unlisted names fall to the catch-all. */
	policy_snap_host(p, "nowhere.example", &v);
	assert_string_equal(policy_snap_rule_id(p, v.rule), "rule-000-09");
	assert_int_equal(v.action, POLICY_BLOCK);
	policy_snap_host(p, "nowhere.test", &v);
	assert_int_equal(v.rule, POLICY_NONE);
	policy_snap_free(p);
	model_fset_clear(&s);
}

static void
test_snap_refused(void **state)
{
	struct model_fset s = { 0 };
	char err[256] = "";
	size_t a;

	(void)state;
	a = add_policy(&s, "pa", MODEL_FPOL_FILTERING, MODEL_FACT_BLOCK);
	add_dest_rule(&s, a, "ra", MODEL_FRULE_FQDN,
	    "autodiscover.*.onmicrosoft.com", NULL);
	add_profile(&s, "base", true, true);
	add_link(&s, 0, "la", "pa", 100, true, true, -1);
	assert_null(policy_snap_build(&s, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "rule ra"));
	assert_non_null(strstr(err, "autodiscover.*.onmicrosoft.com"));
	/* Not linked: not compiled, so not refused. */
	s.profiles[0].nlinks = 0;
	{
		struct policy_snap *p = build(&s, NULL);

		policy_snap_free(p);
	}
	s.profiles[0].nlinks = 1;
	model_fset_clear(&s);
}

static void
test_snap_ids(void **state)
{
	struct model_fset s = { 0 };
	struct policy_snap *p;
	size_t a;

	(void)state;
	a = add_policy(&s, "7f9c1d2e-0000-4000-8000-000000000001",
	    MODEL_FPOL_FILTERING, MODEL_FACT_BLOCK);
	add_dest_rule(&s, a, "7f9c1d2e-0000-4000-8000-0000000000a1",
	    MODEL_FRULE_FQDN, "blocked.example", NULL);
	add_profile(&s, "base", true, true);
	add_link(&s, 0, "la", "7f9c1d2e-0000-4000-8000-000000000001", 100,
	    true, true, -1);
	p = build(&s, NULL);
	host_is(p, "blocked.example", POLICY_BLOCK,
	    "7f9c1d2e-0000-4000-8000-000000000001",
	    "7f9c1d2e-0000-4000-8000-0000000000a1");
	assert_string_equal(policy_snap_policy_name(p, 0),
	    "policy 7f9c1d2e-0000-4000-8000-000000000001");
	assert_string_equal(policy_snap_policy_id(p, POLICY_NONE), "");
	assert_string_equal(policy_snap_rule_id(p, POLICY_NONE), "");
	assert_string_equal(policy_snap_policy_name(p, 1), "");
	assert_string_equal(policy_snap_rule_id(p, 1), "");
	assert_string_equal(policy_snap_policy_id(NULL, 0), "");
	assert_int_equal(policy_snap_nfqdn(NULL), 0);
	policy_snap_free(p);
	model_fset_clear(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snap_empty),
		cmocka_unit_test(test_snap_priority),
		cmocka_unit_test(test_snap_links),
		cmocka_unit_test(test_snap_webcat),
		cmocka_unit_test(test_snap_fw),
		cmocka_unit_test(test_snap_scale),
		cmocka_unit_test(test_snap_refused),
		cmocka_unit_test(test_snap_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
