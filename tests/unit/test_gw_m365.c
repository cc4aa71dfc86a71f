/*
 * test_gw_m365.c - the Microsoft 365 profile as routes (gw/gw_m365):
 * aggregation by hand-checked cases and against a model (the addresses
 * covered before and after are the same, and nothing is left to join),
 * and the shipped endpoint list loaded and covered.
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

#include "gw_m365.h"
#include "ip4.h"
#include "log.h"

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))
#define N(a)		(sizeof(a) / sizeof((a)[0]))

static bool
covered(const struct bgp_prefix *p, size_t n, uint32_t a)
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
	struct bgp_prefix p[] = {
		{ IP(10, 0, 0, 128), 25, 0 }, { IP(10, 0, 0, 0), 25, 0 },
		{ IP(10, 0, 1, 0), 24, 0 },		/* then /23 */
		{ IP(10, 0, 2, 0), 24, 0 },		/* not its sibling's */
		{ IP(10, 0, 0, 7), 32, 0 },		/* covered */
		{ IP(10, 0, 2, 0), 24, 0 },		/* duplicate */
		{ IP(192, 0, 2, 77), 24, 0 },		/* host bits */
		{ IP(13, 107, 6, 152), 31, 0 },
		{ IP(13, 107, 6, 154), 31, 0 },		/* joins: .152/30 */
		{ IP(13, 107, 6, 156), 31, 0 },		/* alone */
	};
	size_t n;

	(void)state;
	n = gw_m365_aggregate(p, N(p));
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
		struct bgp_prefix q[] = {
			{ IP(10, 1, 0, 192), 26, 0 }, { IP(10, 1, 0, 0), 26, 0 },
			{ IP(10, 1, 0, 128), 26, 0 }, { IP(10, 1, 0, 64), 26, 0 },
		};
		struct bgp_prefix all[] = { { 0, 0, 0 }, { IP(1, 2, 3, 4), 8, 0 } };

		assert_int_equal(gw_m365_aggregate(q, N(q)), 1);
		assert_int_equal(q[0].addr, IP(10, 1, 0, 0));
		assert_int_equal(q[0].len, 24);
		assert_int_equal(gw_m365_aggregate(all, N(all)), 1);
		assert_int_equal(all[0].len, 0);
	}
	assert_int_equal(gw_m365_aggregate(p, 0), 0);
}

/* Random sets in a small space: same coverage, nothing left to join. */
static void
test_model(void **state)
{
	struct bgp_prefix in[40], out[40];
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
			in[i].community = 0;
		}
		memcpy(out, in, n * sizeof(*in));
		m = gw_m365_aggregate(out, n);
		assert_true(m >= 1 && m <= n);
		for (a = 0; a < 256; a++) {
			struct bgp_prefix h[40];

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

static void
test_shipped_list(void **state)
{
	const char *src = getenv("BG_SRCDIR");
	char dir[1024], path[1100];
	struct bgp_prefix *p = NULL;
	json_t *list, *e, *v;
	size_t n, i, j, total = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/data", src != NULL ? src : "..");
	assert_int_equal(gw_m365_load(dir, &p, &n), 0);
	assert_true(n > 10);
	snprintf(path, sizeof(path), "%s/m365-endpoints-worldwide.json", dir);
	list = json_load_file(path, 0, NULL);
	assert_non_null(list);
	json_array_foreach(list, i, e) {
		json_array_foreach(json_object_get(e, "ips"), j, v) {
			const char *s = json_string_value(v);
			char a[IP4_STRLEN];
			uint32_t addr;
			size_t l = strcspn(s, "/");

			if (strchr(s, ':') != NULL || l >= sizeof(a))
				continue;
			memcpy(a, s, l);
			a[l] = '\0';
			assert_int_equal(ip4_parse(a, &addr), 0);
			assert_true(covered(p, n, addr));
			total++;
		}
	}
	assert_true(n <= total);
	json_decref(list);
	free(p);
	assert_int_equal(gw_m365_load("/nonexistent", &p, &n), -1);
	assert_null(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_shipped_list),
	};

	log_set_level(LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
