/*
 * test_gw_m365.c - the Microsoft 365 profile as routes (gw/gw_m365): the
 * shipped endpoint list loaded, every IPv4 subnet covered, aggregated
 * (test_model_pfx.c tests the aggregation itself).
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
		cmocka_unit_test(test_shipped_list),
	};

	log_set_level(LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
