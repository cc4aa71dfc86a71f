/*
 * test_store_policy.c - the security policy part of the store (store.h,
 * store_policy.c) on SQLite files in a mkdtemp directory: the baseline
 * profile a tenant gets, round trips of every rule type through
 * store_policy_set() (the policy compiler's input), evaluation order,
 * the in-write rules (unique priorities, one firewall policy per profile,
 * linked policies and the baseline not deletable), tenant isolation.
 */
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "guid.h"
#include "model_policy_json.h"
#include "store.h"

static char test_dir[PATH_MAX];

static struct store *
test_open(void)
{
	static int seq;
	struct store *s = NULL;
	char path[PATH_MAX + 32], err[256];

	snprintf(path, sizeof(path), "%s/p%d.db", test_dir, ++seq);
	assert_int_equal(store_open(path, &s, err, sizeof(err)), 0);
	return s;
}

static void
test_tenant(struct store *s, struct store_tenant *t, const char *token_id)
{
	uint8_t hash[STORE_HASH_LEN];

	memset(t, 0, sizeof(*t));
	assert_int_equal(guid_new(t->id), 0);
	snprintf(t->name, sizeof(t->name), "tenant %s", token_id);
	t->created_ms = 1700000000000;
	memset(hash, 7, sizeof(hash));
	assert_int_equal(store_tenant_add(s, t, token_id, hash), 0);
}

static void
test_policy(struct model_fpolicy *p, int kind, const char *name, int action)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(guid_new(p->id), 0);
	p->kind = kind;
	p->action = action;
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->version, sizeof(p->version), "1.0.0");
	p->created_ms = p->modified_ms = 1700000000001;
}

static void
test_rule_base(struct model_frule *r, const struct model_fpolicy *p,
    const char *name, int type)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(guid_new(r->id), 0);
	memcpy(r->policy_id, p->id, sizeof(r->policy_id));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->version, sizeof(r->version), "1.0.0");
	r->type = type;
	r->action = MODEL_FACT_BLOCK;
	r->modified_ms = 1700000000002;
}

static void
test_dests(struct model_frule *r, size_t n, const char *fmt)
{
	size_t i;

	r->dest = calloc(n, sizeof(*r->dest));
	assert_non_null(r->dest);
	for (i = 0; i < n; i++)
		snprintf(r->dest[i].value, sizeof(r->dest[i].value), fmt,
		    (int)i);
	r->ndest = n;
}

static void
test_fw_rule(struct model_frule *r, const struct model_fpolicy *p,
    const char *name, int64_t prio)
{
	test_rule_base(r, p, name, MODEL_FRULE_FIREWALL);
	r->priority = prio;
	r->action = prio % 2 ? MODEL_FACT_ALLOW : MODEL_FACT_BLOCK;
	r->enabled = prio != 300;
	r->protos = MODEL_FW_TCP;
	r->src[0] = (struct model_fw_addr){ 0xc0000200, 0xc00002ff };
	r->src[1] = (struct model_fw_addr){ 0xc6336401, 0xc6336401 };
	r->src[2] = (struct model_fw_addr){ 0xc6336405, 0xc6336409 };
	r->nsrc = 3;
	r->dst[0] = (struct model_fw_addr){ 0xcb007100, 0xcb00717f };
	r->ndst = 1;
	r->sport[0] = (struct model_fw_port){ 1024, 2048 };
	r->nsport = 1;
	r->dport[0] = (struct model_fw_port){ 443, 443 };
	r->dport[1] = (struct model_fw_port){ (uint16_t)prio, (uint16_t)prio };
	r->ndport = 2;
}

static void
test_link(struct model_flink *l, const struct model_fprofile *prof,
    const struct model_fpolicy *p, int64_t prio)
{
	memset(l, 0, sizeof(*l));
	assert_int_equal(guid_new(l->id), 0);
	memcpy(l->profile_id, prof->id, sizeof(l->profile_id));
	memcpy(l->policy_id, p->id, sizeof(l->policy_id));
	l->priority = prio;
	l->enabled = true;
	l->logging = prio != 200;
	l->action = prio == 300 ? MODEL_FACT_ALLOW : -1;
	snprintf(l->version, sizeof(l->version), "1.0.0");
	l->modified_ms = 1700000000003;
}

static const struct model_fpolicy *
set_policy(const struct model_fset *set, const char *id)
{
	size_t i;

	for (i = 0; i < set->npolicies; i++)
		if (strcmp(set->policies[i].id, id) == 0)
			return &set->policies[i];
	return NULL;
}

static void
assert_rule_equal(const struct model_frule *a, const struct model_frule *b)
{
	size_t i;

	assert_string_equal(a->id, b->id);
	assert_string_equal(a->policy_id, b->policy_id);
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->ndest, b->ndest);
	for (i = 0; i < a->ndest; i++)
		assert_string_equal(a->dest[i].value, b->dest[i].value);
	if (a->type != MODEL_FRULE_FIREWALL)
		return;
	assert_int_equal(a->priority, b->priority);
	assert_int_equal(a->action, b->action);
	assert_int_equal(a->enabled, b->enabled);
	assert_int_equal(a->protos, b->protos);
	assert_int_equal(a->nsrc, b->nsrc);
	assert_int_equal(a->ndst, b->ndst);
	assert_int_equal(a->nsport, b->nsport);
	assert_int_equal(a->ndport, b->ndport);
	assert_memory_equal(a->src, b->src, a->nsrc * sizeof(a->src[0]));
	assert_memory_equal(a->dst, b->dst, a->ndst * sizeof(a->dst[0]));
	assert_memory_equal(a->sport, b->sport, a->nsport * sizeof(a->sport[0]));
	assert_memory_equal(a->dport, b->dport, a->ndport * sizeof(a->dport[0]));
}

static void
test_baseline(void **state)
{
	struct store *s = test_open();
	struct store_tenant t;
	struct model_fset set;

	(void)state;
	test_tenant(s, &t, "00000000000000b1");
	assert_int_equal(store_policy_set(s, t.id, &set), 0);
	assert_int_equal(set.nprofiles, 1);
	assert_int_equal(set.npolicies, 0);
	assert_true(set.profiles[0].baseline);
	assert_true(set.profiles[0].enabled);
	assert_int_equal(set.profiles[0].priority, MODEL_BASELINE_PRIORITY);
	assert_string_equal(set.profiles[0].name, STORE_BASELINE_NAME);
	assert_int_equal(set.profiles[0].nlinks, 0);
	assert_int_equal(store_fprofile_delete(s, t.id, set.profiles[0].id),
	    STORE_CONFLICT);
	assert_non_null(strstr(store_conflict(s)->err[0].message, "baseline"));
	model_fset_clear(&set);
	assert_null(set.profiles);
	store_close(s);
}

static void
test_set_round_trip(void **state)
{
	struct store *s = test_open();
	struct store_tenant t, u;
	struct model_fset set;
	struct model_fpolicy fq, wc, fw, fw2;
	struct model_frule rq, rw, f1, f2, f3;
	struct model_flink l1, l2, l3, lf, lbad;
	const struct model_fprofile *base;
	const struct model_fpolicy *got;
	struct model_fprofile *profs = NULL;
	size_t np = 0;

	(void)state;
	test_tenant(s, &t, "00000000000000b2");
	test_tenant(s, &u, "00000000000000b3");
	assert_int_equal(store_fprofile_list(s, t.id, false, &profs, &np), 0);
	assert_int_equal(np, 1);

	test_policy(&fq, MODEL_FPOL_FILTERING, "fqdn", MODEL_FACT_BLOCK);
	test_policy(&wc, MODEL_FPOL_FILTERING, "cats", MODEL_FACT_ALLOW);
	test_policy(&fw, MODEL_FPOL_FIREWALL, "fw", MODEL_FACT_ALLOW);
	test_policy(&fw2, MODEL_FPOL_FIREWALL, "fw2", MODEL_FACT_ALLOW);
	/* Inline rules go in with their policy. */
	test_rule_base(&rq, &fq, "names", MODEL_FRULE_FQDN);
	test_dests(&rq, 500, "*.h%d.example");
	fq.rules = &rq;
	fq.nrules = 1;
	assert_int_equal(store_fpolicy_put(s, t.id, &fq, true), 0);
	fq.rules = NULL;
	fq.nrules = 0;
	assert_int_equal(store_fpolicy_put(s, t.id, &wc, false), 0);
	assert_int_equal(store_fpolicy_put(s, t.id, &fw, false), 0);
	assert_int_equal(store_fpolicy_put(s, t.id, &fw2, false), 0);
	test_rule_base(&rw, &wc, "gambling", MODEL_FRULE_WEBCAT);
	test_dests(&rw, 2, "Cat%d");
	assert_int_equal(store_frule_put(s, t.id, &rw), 0);
	/* Firewall rules come back by priority, whatever the insert order. */
	test_fw_rule(&f3, &fw, "c", 300);
	test_fw_rule(&f1, &fw, "z", 100);
	test_fw_rule(&f2, &fw, "a", 201);
	assert_int_equal(store_frule_put(s, t.id, &f3), 0);
	assert_int_equal(store_frule_put(s, t.id, &f1), 0);
	assert_int_equal(store_frule_put(s, t.id, &f2), 0);
	f2.priority = 100;
	assert_int_equal(store_frule_put(s, t.id, &f2), STORE_CONFLICT);
	f2.priority = 201;
	/* A rule of another tenant's policy is not found. */
	assert_int_equal(store_frule_put(s, u.id, &f2), STORE_NOTFOUND);

	test_link(&l1, &profs[0], &fq, 300);
	test_link(&l2, &profs[0], &wc, 100);
	test_link(&lf, &profs[0], &fw, 0);
	assert_int_equal(store_flink_put(s, t.id, &l1), 0);
	assert_int_equal(store_flink_put(s, t.id, &l2), 0);
	assert_int_equal(store_flink_put(s, t.id, &lf), 0);
	test_link(&l3, &profs[0], &fq, 200);
	assert_int_equal(store_flink_put(s, t.id, &l3), STORE_CONFLICT);
	test_link(&lbad, &profs[0], &fw2, 0);
	assert_int_equal(store_flink_put(s, t.id, &lbad), STORE_CONFLICT);
	assert_non_null(strstr(store_conflict(s)->err[0].message,
	    "at most one cloud firewall policy"));
	assert_int_equal(store_flink_put(s, u.id, &l3), STORE_NOTFOUND);
	assert_int_equal(store_fpolicy_delete(s, t.id, fq.id), STORE_CONFLICT);

	assert_int_equal(store_policy_set(s, t.id, &set), 0);
	assert_int_equal(set.nprofiles, 1);
	base = &set.profiles[0];
	assert_true(base->baseline);
	/* Links by priority: the firewall's (0), then 100, then 300. */
	assert_int_equal(base->nlinks, 3);
	assert_string_equal(base->links[0].id, lf.id);
	assert_string_equal(base->links[1].id, l2.id);
	assert_string_equal(base->links[2].id, l1.id);
	assert_int_equal(base->links[2].action, MODEL_FACT_ALLOW);
	assert_int_equal(base->links[1].action, -1);
	assert_false(base->links[2].logging == false);
	assert_int_equal(set.npolicies, 4);
	assert_non_null(got = set_policy(&set, fq.id));
	assert_int_equal(got->kind, MODEL_FPOL_FILTERING);
	assert_int_equal(got->action, MODEL_FACT_BLOCK);
	assert_int_equal(got->nrules, 1);
	assert_rule_equal(&got->rules[0], &rq);
	assert_non_null(got = set_policy(&set, wc.id));
	assert_int_equal(got->action, MODEL_FACT_ALLOW);
	assert_rule_equal(&got->rules[0], &rw);
	assert_non_null(got = set_policy(&set, fw.id));
	assert_int_equal(got->kind, MODEL_FPOL_FIREWALL);
	assert_int_equal(got->nrules, 3);
	assert_rule_equal(&got->rules[0], &f1);
	assert_rule_equal(&got->rules[1], &f2);
	assert_rule_equal(&got->rules[2], &f3);
	assert_false(got->rules[2].enabled);
	assert_non_null(got = set_policy(&set, fw2.id));
	assert_int_equal(got->nrules, 0);
	model_fset_clear(&set);

	{
		char (*ids)[MODEL_ID_LEN + 1] = NULL;
		size_t nt = 0;

		assert_int_equal(store_tenant_ids(s, &ids, &nt), 0);
		assert_int_equal(nt, 2);
		assert_true(strcmp(ids[0], ids[1]) < 0);
		assert_true(strcmp(ids[0], t.id) == 0 ||
		    strcmp(ids[1], t.id) == 0);
		free(ids);
	}
	/* The other tenant sees none of it. */
	assert_int_equal(store_policy_set(s, u.id, &set), 0);
	assert_int_equal(set.npolicies, 0);
	assert_int_equal(set.nprofiles, 1);
	assert_int_equal(set.profiles[0].nlinks, 0);
	model_fset_clear(&set);

	/* Unlinked, a policy goes, and its rules with it. */
	assert_int_equal(store_flink_delete(s, t.id, profs[0].id, l1.id), 0);
	assert_int_equal(store_fpolicy_delete(s, t.id, fq.id), 0);
	assert_int_equal(store_policy_set(s, t.id, &set), 0);
	assert_int_equal(set.npolicies, 3);
	assert_null(set_policy(&set, fq.id));
	assert_int_equal(set.profiles[0].nlinks, 2);
	model_fset_clear(&set);

	model_frule_clear(&rq);
	model_frule_clear(&rw);
	free(profs);
	store_close(s);
}

/* The text forms the store keeps: _parse(_fmt(x)) == x. */
static void
test_list_forms(void **state)
{
	struct model_fw_addr a[3] = {
		{ 0, 0xffffffff }, { 0x0a000000, 0x0a0000ff },
		{ 0x0a000001, 0x0a000003 }
	}, b[MODEL_FW_LIST_MAX];
	struct model_fw_port p[2] = { { 1, 65535 }, { 80, 80 } },
	    q[MODEL_FW_LIST_MAX];
	char buf[MODEL_FW_LIST_STRLEN];
	unsigned n;

	(void)state;
	assert_int_equal(model_fw_addrs_fmt(a, 3, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0.0.0.0/0,10.0.0.0/24,10.0.0.1-10.0.0.3");
	assert_int_equal(model_fw_addrs_parse(buf, b, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(model_fw_ports_fmt(p, 2, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1-65535,80");
	assert_int_equal(model_fw_ports_parse(buf, q, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(p, q, sizeof(p));
	assert_int_equal(model_fw_ports_parse("80,", q, &n), -1);
	assert_int_equal(model_fw_ports_parse("0", q, &n), -1);
	assert_int_equal(model_fw_addrs_parse("10.0.0.1/8", b, &n), -1);
}

static int
test_rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_set_round_trip),
		cmocka_unit_test(test_list_forms),
	};
	int rc;

	snprintf(test_dir, sizeof(test_dir), "/tmp/test_store_policy.XXXXXX");
	if (mkdtemp(test_dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	nftw(test_dir, test_rm, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
