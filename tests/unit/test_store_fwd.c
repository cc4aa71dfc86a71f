/*
 * test_store_fwd.c - a tenant's forwarding rule rows (store.h store_fwd_*,
 * store_fwd.c) on SQLite in a mkdtemp directory and on a throwaway
 * PostgreSQL (tests/include/pg_server.sh): round trips of the three kinds
 * with every destination type, replace by id, the order of the list, the
 * Custom Bypass limit counted in the write, rows the table would refuse,
 * not-found answers, tenant isolation and rows surviving a reopen.
 */
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

#include "test_pg.h"

#include "guid.h"
#include "store.h"

static char test_url[PATH_MAX + 64];

static struct store *
test_open(void)
{
	struct store *s = NULL;
	char err[256];

	if (store_open(test_url, &s, err, sizeof(err)) != 0)
		fail_msg("store_open %s: %s", test_url, err);
	return s;
}

static void
test_tenant(struct store *s, struct store_tenant *t)
{
	uint8_t hash[STORE_HASH_LEN];
	char token[STORE_TOKEN_ID_LEN + 1];

	memset(t, 0, sizeof(*t));
	assert_int_equal(guid_new(t->id), 0);
	/* Token ids are unique across the database: take the GUID's start. */
	snprintf(token, sizeof(token), "%.8s%.8s", t->id, t->id + 9);
	snprintf(t->name, sizeof(t->name), "tenant %s", token);
	t->created_ms = 1700000000000;
	memset(hash, 7, sizeof(hash));
	assert_int_equal(store_tenant_add(s, t, token, hash), 0);
}

static void
test_override(struct model_fwd_rule *r, int kind, const char *id, int action)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->kind = kind;
	r->action = action;
	r->modified_ms = 1700000000100;
}

/* A Custom Bypass rule with one destination of each type. */
static void
test_custom(struct model_fwd_rule *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(guid_new(r->id), 0);
	r->kind = MODEL_FWD_CUSTOM;
	r->action = MODEL_FWD_BYPASS;
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->description, sizeof(r->description), "keep %s local", name);
	r->dst[0] = (struct model_fwd_dst){ MODEL_FWD_DST_ADDRESS, 0xc0000201,
	    0xc0000201, 32 };
	r->dst[1] = (struct model_fwd_dst){ MODEL_FWD_DST_SUBNET, 0xc6336400,
	    0xc63364ff, 24 };
	r->dst[2] = (struct model_fwd_dst){ MODEL_FWD_DST_RANGE, 0xcb007105,
	    0xcb007109, 0 };
	r->ndst = 3;
	r->modified_ms = 1700000000200;
}

static void
test_same(const struct model_fwd_rule *a, const struct model_fwd_rule *b)
{
	size_t i;

	assert_string_equal(a->id, b->id);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->action, b->action);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->description, b->description);
	assert_int_equal(a->ndst, b->ndst);
	for (i = 0; i < a->ndst; i++) {
		assert_int_equal(a->dst[i].type, b->dst[i].type);
		assert_int_equal(a->dst[i].lo, b->dst[i].lo);
		assert_int_equal(a->dst[i].hi, b->dst[i].hi);
		if (a->dst[i].type == MODEL_FWD_DST_SUBNET)
			assert_int_equal(a->dst[i].plen, b->dst[i].plen);
	}
	assert_int_equal(a->modified_ms, b->modified_ms);
}

/* Catalogue-style ids: the same in every tenant. */
#define RULE_ID	"0a4b2a7e-1b4d-5c9e-8f00-000000000001"
#define LINK_ID	"0a4b2a7e-1b4d-5c9e-8f00-000000000002"

static void
test_round_trip(void **state)
{
	struct store *s = test_open();
	struct store_tenant t;
	struct model_fwd_rule rule, link, cust, got, *all = NULL;
	size_t n = 0, i;

	(void)state;
	test_tenant(s, &t);
	assert_int_equal(store_fwd_list(s, t.id, &all, &n), 0);
	assert_int_equal(n, 0);
	assert_null(all);
	assert_int_equal(store_fwd_get(s, t.id, RULE_ID, &got),
	    STORE_NOTFOUND);

	test_override(&rule, MODEL_FWD_RULE, RULE_ID, MODEL_FWD_BYPASS);
	test_override(&link, MODEL_FWD_LINK, LINK_ID, MODEL_FWD_BYPASS);
	test_custom(&cust, "printers");
	assert_int_equal(store_fwd_put(s, t.id, &rule), 0);
	assert_int_equal(store_fwd_put(s, t.id, &link), 0);
	assert_int_equal(store_fwd_put(s, t.id, &cust), 0);

	assert_int_equal(store_fwd_get(s, t.id, RULE_ID, &got), 0);
	test_same(&rule, &got);
	assert_int_equal(store_fwd_get(s, t.id, LINK_ID, &got), 0);
	test_same(&link, &got);
	assert_int_equal(store_fwd_get(s, t.id, cust.id, &got), 0);
	test_same(&cust, &got);

	/* Replace by id: the action back to forward, the rule renamed. */
	rule.action = MODEL_FWD_FORWARD;
	rule.modified_ms++;
	assert_int_equal(store_fwd_put(s, t.id, &rule), 0);
	snprintf(cust.name, sizeof(cust.name), "printers and scanners");
	cust.ndst = 1;
	cust.dst[0] = (struct model_fwd_dst){ MODEL_FWD_DST_RANGE, 0xc0000200,
	    0xc00002ff, 0 };
	assert_int_equal(store_fwd_put(s, t.id, &cust), 0);

	/* Sorted by id, each row as last put. */
	assert_int_equal(store_fwd_list(s, t.id, &all, &n), 0);
	assert_int_equal(n, 3);
	for (i = 1; i < n; i++)
		assert_true(strcmp(all[i - 1].id, all[i].id) < 0);
	for (i = 0; i < n; i++) {
		if (strcmp(all[i].id, RULE_ID) == 0)
			test_same(&rule, &all[i]);
		else if (strcmp(all[i].id, LINK_ID) == 0)
			test_same(&link, &all[i]);
		else
			test_same(&cust, &all[i]);
	}
	free(all);

	assert_int_equal(store_fwd_delete(s, t.id, RULE_ID), 0);
	assert_int_equal(store_fwd_delete(s, t.id, RULE_ID), STORE_NOTFOUND);
	assert_int_equal(store_fwd_get(s, t.id, RULE_ID, &got),
	    STORE_NOTFOUND);
	store_close(s);

	/* What is left survives a reopen. */
	s = test_open();
	assert_int_equal(store_fwd_list(s, t.id, &all, &n), 0);
	assert_int_equal(n, 2);
	free(all);
	assert_int_equal(store_fwd_get(s, t.id, cust.id, &got), 0);
	test_same(&cust, &got);
	store_close(s);
}

/* Rows the table would refuse are refused before the write. */
static void
test_invalid(void **state)
{
	struct store *s = test_open();
	struct store_tenant t;
	struct model_fwd_rule r, *all = NULL;
	size_t n = 0;

	(void)state;
	test_tenant(s, &t);
	test_custom(&r, "x");
	r.action = MODEL_FWD_FORWARD;		/* Custom Bypass only bypasses */
	assert_int_equal(store_fwd_put(s, t.id, &r), -1);
	test_custom(&r, "x");
	r.ndst = 0;
	assert_int_equal(store_fwd_put(s, t.id, &r), -1);
	test_custom(&r, "");
	assert_int_equal(store_fwd_put(s, t.id, &r), -1);
	test_custom(&r, "x");
	r.ndst = MODEL_FWD_DST_MAX + 1;
	assert_int_equal(store_fwd_put(s, t.id, &r), -1);
	test_override(&r, MODEL_FWD_RULE, RULE_ID, MODEL_FWD_BYPASS);
	snprintf(r.name, sizeof(r.name), "overrides have no name");
	assert_int_equal(store_fwd_put(s, t.id, &r), -1);
	test_override(&r, 7, RULE_ID, MODEL_FWD_BYPASS);
	assert_int_equal(store_fwd_put(s, t.id, &r), -1);
	test_override(&r, MODEL_FWD_LINK, RULE_ID, 2);
	assert_int_equal(store_fwd_put(s, t.id, &r), -1);
	/* One id, one kind: an override cannot become a custom rule. */
	test_override(&r, MODEL_FWD_RULE, RULE_ID, MODEL_FWD_BYPASS);
	assert_int_equal(store_fwd_put(s, t.id, &r), 0);
	test_override(&r, MODEL_FWD_LINK, RULE_ID, MODEL_FWD_BYPASS);
	assert_int_equal(store_fwd_put(s, t.id, &r), -1);
	assert_int_equal(store_fwd_list(s, t.id, &all, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(all[0].kind, MODEL_FWD_RULE);
	free(all);
	store_close(s);
}

/* MODEL_FWD_CUSTOM_MAX custom rules; overrides do not count. */
static void
test_limit(void **state)
{
	struct store *s = test_open();
	struct store_tenant t, u;
	struct model_fwd_rule r, first, *all = NULL;
	char name[32], id[MODEL_ID_LEN + 1];
	size_t n = 0;
	int i;

	(void)state;
	test_tenant(s, &t);
	test_tenant(s, &u);
	test_override(&r, MODEL_FWD_RULE, RULE_ID, MODEL_FWD_BYPASS);
	assert_int_equal(store_fwd_put(s, t.id, &r), 0);
	assert_int_equal(store_begin(s), 0);
	for (i = 0; i < MODEL_FWD_CUSTOM_MAX; i++) {
		snprintf(name, sizeof(name), "bypass %d", i);
		test_custom(&r, name);
		if (i == 0)
			first = r;
		assert_int_equal(store_fwd_put(s, t.id, &r), 0);
	}
	assert_int_equal(store_commit(s), 0);
	test_custom(&r, "one too many");
	assert_int_equal(store_fwd_put(s, t.id, &r), STORE_CONFLICT);
	assert_int_equal(store_conflict(s)->count, 1);
	assert_non_null(strstr(store_conflict(s)->err[0].message, "at most 100"));
	assert_int_equal(store_fwd_get(s, t.id, r.id, &r), STORE_NOTFOUND);
	/* Replacing one of the hundred is no new rule. */
	snprintf(first.name, sizeof(first.name), "renamed");
	assert_int_equal(store_fwd_put(s, t.id, &first), 0);
	/* Overrides still go in; another tenant has its own hundred. */
	test_override(&r, MODEL_FWD_LINK, LINK_ID, MODEL_FWD_BYPASS);
	assert_int_equal(store_fwd_put(s, t.id, &r), 0);
	test_custom(&r, "other tenant");
	assert_int_equal(store_fwd_put(s, u.id, &r), 0);
	/* Room again after a delete. */
	memcpy(id, first.id, sizeof(id));
	assert_int_equal(store_fwd_delete(s, t.id, id), 0);
	test_custom(&r, "fits again");
	assert_int_equal(store_fwd_put(s, t.id, &r), 0);
	assert_int_equal(store_fwd_list(s, t.id, &all, &n), 0);
	assert_int_equal(n, MODEL_FWD_CUSTOM_MAX + 2);
	free(all);
	store_close(s);
}

/* Another tenant's rows are not found, and the same override id is its own. */
static void
test_isolation(void **state)
{
	struct store *s = test_open();
	struct store_tenant a, b;
	struct model_fwd_rule r, cust, got, *all = NULL;
	size_t n = 0;

	(void)state;
	test_tenant(s, &a);
	test_tenant(s, &b);
	test_override(&r, MODEL_FWD_RULE, RULE_ID, MODEL_FWD_BYPASS);
	assert_int_equal(store_fwd_put(s, a.id, &r), 0);
	test_custom(&cust, "a's");
	assert_int_equal(store_fwd_put(s, a.id, &cust), 0);

	assert_int_equal(store_fwd_list(s, b.id, &all, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_fwd_get(s, b.id, RULE_ID, &got),
	    STORE_NOTFOUND);
	assert_int_equal(store_fwd_get(s, b.id, cust.id, &got),
	    STORE_NOTFOUND);
	assert_int_equal(store_fwd_delete(s, b.id, cust.id), STORE_NOTFOUND);

	/* b overrides the same built-in rule the other way. */
	r.action = MODEL_FWD_FORWARD;
	assert_int_equal(store_fwd_put(s, b.id, &r), 0);
	assert_int_equal(store_fwd_get(s, a.id, RULE_ID, &got), 0);
	assert_int_equal(got.action, MODEL_FWD_BYPASS);
	assert_int_equal(store_fwd_get(s, b.id, RULE_ID, &got), 0);
	assert_int_equal(got.action, MODEL_FWD_FORWARD);
	assert_int_equal(store_fwd_delete(s, b.id, RULE_ID), 0);
	assert_int_equal(store_fwd_get(s, a.id, RULE_ID, &got), 0);
	assert_int_equal(store_fwd_get(s, a.id, cust.id, &got), 0);
	store_close(s);
}

/* Forwarding options: none until set, per tenant, gone with the tenant. */
static void
test_options(void **state)
{
	struct store *s = test_open();
	struct store_tenant a, b;
	struct store_fwd_options o, got;

	(void)state;
	test_tenant(s, &a);
	test_tenant(s, &b);
	assert_int_equal(store_fwd_options_get(s, a.id, &got), STORE_NOTFOUND);
	memset(&o, 0, sizeof(o));
	o.branch_transit = true;
	o.modified_ms = 1234;
	assert_int_equal(store_fwd_options_put(s, a.id, &o), 0);
	assert_int_equal(store_fwd_options_get(s, a.id, &got), 0);
	assert_true(got.branch_transit);
	assert_int_equal(got.modified_ms, 1234);
	assert_int_equal(store_fwd_options_get(s, b.id, &got), STORE_NOTFOUND);
	o.branch_transit = false;
	o.modified_ms = 5678;
	assert_int_equal(store_fwd_options_put(s, a.id, &o), 0);
	assert_int_equal(store_fwd_options_get(s, a.id, &got), 0);
	assert_false(got.branch_transit);
	assert_int_equal(got.modified_ms, 5678);
	/* A tenant that does not exist cannot have options (foreign key). */
	assert_int_not_equal(store_fwd_options_put(s,
	    "00000000-0000-4000-8000-00000000dead", &o), 0);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_isolation),
		cmocka_unit_test(test_options),
	};

	return test_pg_both("store_fwd", tests, sizeof(tests) / sizeof(tests[0]),
	    test_url, sizeof(test_url));
}
