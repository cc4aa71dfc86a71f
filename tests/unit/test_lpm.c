/*
 * test_lpm.c - lpm.c: a table of prefixes and addresses with the expected
 * longest match, the default route, duplicates, and a randomised check
 * against a linear scan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "lpm.h"

#define A(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static void
test_table(void **state)
{
	static const struct lpm_entry e[] = {
		{ A(10, 0, 0, 0), 8, 1 },
		{ A(10, 1, 0, 0), 16, 2 },
		{ A(10, 1, 2, 0), 24, 3 },
		{ A(10, 1, 2, 3), 32, 4 },
		{ A(10, 1, 2, 99), 24, 5 },	/* duplicate of 10.1.2.0/24 */
		{ A(192, 0, 2, 128), 25, 6 },
	};
	static const struct { uint32_t a; int rc; uint32_t v; uint8_t l; } q[] = {
		{ A(10, 1, 2, 3), 0, 4, 32 },
		{ A(10, 1, 2, 4), 0, 3, 24 },
		{ A(10, 1, 3, 4), 0, 2, 16 },
		{ A(10, 2, 3, 4), 0, 1, 8 },
		{ A(11, 0, 0, 0), -1, 0, 0 },
		{ A(192, 0, 2, 127), -1, 0, 0 },
		{ A(192, 0, 2, 200), 0, 6, 25 },
	};
	struct lpm *t;
	uint32_t v;
	uint8_t l;
	size_t i;

	(void)state;
	t = lpm_build(e, sizeof(e) / sizeof(e[0]));
	assert_non_null(t);
	assert_int_equal(lpm_size(t), 5);
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		v = 0;
		assert_int_equal(lpm_lookup(t, q[i].a, &v), q[i].rc);
		if (q[i].rc == 0)
			assert_int_equal(v, q[i].v);
		/* The length of the prefix that matched (exact lookups). */
		v = 0;
		l = 99;
		assert_int_equal(lpm_lookup_len(t, q[i].a, &v, &l), q[i].rc);
		if (q[i].rc == 0) {
			assert_int_equal(v, q[i].v);
			assert_int_equal(l, q[i].l);
		}
	}
	lpm_free(t);
}

static void
test_default_empty_bad(void **state)
{
	struct lpm_entry d = { A(1, 2, 3, 4), 0, 7 }, bad = { 0, 33, 0 };
	struct lpm *t;
	uint32_t v;

	(void)state;
	t = lpm_build(NULL, 0);
	assert_non_null(t);
	assert_int_equal(lpm_lookup(t, 1, &v), -1);
	lpm_free(t);
	assert_int_equal(lpm_lookup(NULL, 1, &v), -1);
	t = lpm_build(&d, 1);
	assert_int_equal(lpm_lookup(t, A(203, 0, 113, 9), &v), 0);
	assert_int_equal(v, 7);
	lpm_free(t);
	assert_null(lpm_build(&bad, 1));
}

static void
test_random(void **state)
{
	struct lpm_entry e[500];
	struct lpm *t;
	uint32_t a, v, m, best;
	int k, bl, rc;
	size_t i, j;

	(void)state;
	srand(4);
	for (i = 0; i < 500; i++) {
		e[i].plen = (uint8_t)(8 + rand() % 25);
		e[i].prefix = ((uint32_t)rand() << 1) & 0x0fffffffu;
		m = UINT32_MAX << (32 - e[i].plen);
		e[i].prefix &= m;
		/* Unique (prefix, plen): the value is the index. */
		for (j = 0; j < i; j++)
			if (e[j].plen == e[i].plen && e[j].prefix == e[i].prefix)
				e[i].plen = 32, e[i].prefix = (uint32_t)i;
		e[i].value = (uint32_t)i;
	}
	t = lpm_build(e, 500);
	assert_non_null(t);
	for (k = 0; k < 20000; k++) {
		a = k < 500 ? e[k].prefix | 1 : (((uint32_t)rand() << 1) & 0x0fffffffu);
		bl = -1;
		best = 0;
		for (i = 0; i < 500; i++) {
			m = e[i].plen ? UINT32_MAX << (32 - e[i].plen) : 0;
			if ((a & m) == e[i].prefix && e[i].plen > bl) {
				bl = e[i].plen;
				best = e[i].value;
			}
		}
		rc = lpm_lookup(t, a, &v);
		assert_int_equal(rc, bl < 0 ? -1 : 0);
		if (bl >= 0)
			assert_int_equal(v, best);
	}
	lpm_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_default_empty_bad),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
