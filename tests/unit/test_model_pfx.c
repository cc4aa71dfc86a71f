/*
 * test_model_pfx.c - prefix aggregation (model_pfx_aggregate, model_fwd.c),
 * which gives the Microsoft 365 routes and the bypass prefixes their
 * shape: hand-checked cases, and a model (the addresses covered before and
 * after are the same, and nothing is left to join).
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

#include "model_fwd.h"

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))
#define N(a)		(sizeof(a) / sizeof((a)[0]))

static bool
covered(const struct model_pfx *p, size_t n, uint32_t a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].len == 0 ||
		    (a >> (32 - p[i].len)) == (p[i].addr >> (32 - p[i].len)))
			return true;
	return false;
}

static void
test_cases(void **state)
{
	struct model_pfx p[] = {
		{ IP(10, 0, 0, 128), 25 }, { IP(10, 0, 0, 0), 25 },
		{ IP(10, 0, 1, 0), 24 },		/* then /23 */
		{ IP(10, 0, 2, 0), 24 },		/* not its sibling's */
		{ IP(10, 0, 0, 7), 32 },		/* covered */
		{ IP(10, 0, 2, 0), 24 },		/* duplicate */
		{ IP(192, 0, 2, 77), 24 },		/* host bits */
		{ IP(13, 107, 6, 152), 31 },
		{ IP(13, 107, 6, 154), 31 },		/* joins: .152/30 */
		{ IP(13, 107, 6, 156), 31 },		/* alone */
	};
	size_t n;

	(void)state;
	n = model_pfx_aggregate(p, N(p));
	assert_int_equal(n, 5);
	assert_int_equal(p[0].addr, IP(10, 0, 0, 0));
	assert_int_equal(p[0].len, 23);
	assert_int_equal(p[1].addr, IP(10, 0, 2, 0));
	assert_int_equal(p[1].len, 24);
	assert_int_equal(p[2].addr, IP(13, 107, 6, 152));
	assert_int_equal(p[2].len, 30);
	assert_int_equal(p[3].addr, IP(13, 107, 6, 156));
	assert_int_equal(p[3].len, 31);
	assert_int_equal(p[4].addr, IP(192, 0, 2, 0));
	assert_int_equal(p[4].len, 24);
	/* Four quarters cascade to one; the whole space stays itself. */
	{
		struct model_pfx q[] = {
			{ IP(10, 1, 0, 192), 26 }, { IP(10, 1, 0, 0), 26 },
			{ IP(10, 1, 0, 128), 26 }, { IP(10, 1, 0, 64), 26 },
		};
		struct model_pfx all[] = { { 0, 0 }, { IP(1, 2, 3, 4), 8 } };

		assert_int_equal(model_pfx_aggregate(q, N(q)), 1);
		assert_int_equal(q[0].addr, IP(10, 1, 0, 0));
		assert_int_equal(q[0].len, 24);
		assert_int_equal(model_pfx_aggregate(all, N(all)), 1);
		assert_int_equal(all[0].len, 0);
	}
	assert_int_equal(model_pfx_aggregate(p, 0), 0);
}

/* Random sets in a small space: same coverage, nothing left to join. */
static void
test_model(void **state)
{
	struct model_pfx in[40], out[40];
	unsigned seed = 12345, round, i, a;
	size_t n, m, k;

	(void)state;
	for (round = 0; round < 2000; round++) {
		n = 1 + (seed = seed * 1103515245 + 12345) % N(in);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			/* 10.0.0.0/24, lengths 24..32: many neighbours. */
			in[i].addr = IP(10, 0, 0, 0) | (seed >> 8) % 256;
			in[i].len = (uint8_t)(24 + (seed >> 20) % 9);
		}
		memcpy(out, in, n * sizeof(*in));
		m = model_pfx_aggregate(out, n);
		assert_true(m >= 1 && m <= n);
		for (a = 0; a < 256; a++) {
			struct model_pfx h[40];

			/* in[] with host bits, as the model sees it */
			for (k = 0; k < n; k++) {
				h[k] = in[k];
				h[k].addr &= 0xffffffffu << (32 - h[k].len);
			}
			assert_int_equal(covered(h, n, IP(10, 0, 0, a)),
			    covered(out, m, IP(10, 0, 0, a)));
		}
		for (k = 0; k + 1 < m; k++) {
			/* sorted, disjoint, no siblings side by side */
			assert_true(out[k].addr < out[k + 1].addr);
			assert_false(covered(&out[k], 1, out[k + 1].addr));
			assert_false(out[k].len == out[k + 1].len &&
			    (out[k].addr ^ out[k + 1].addr) ==
			    1u << (32 - out[k].len) &&
			    (out[k].addr & 1u << (32 - out[k].len)) == 0);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
