/*
 * test_pfxset.c - the sorted prefix set against a plain array, with random
 * operations: order, lookups, references, removal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pfxset.h"

#define KEYS	64

static void
test_pfxset_model(void **state)
{
	struct pfxset s;
	bool present[KEYS], found;
	uint32_t rnd = 12345, k, i;
	size_t pos, n;
	int op;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(present, 0, sizeof(present));
	for (op = 0; op < 20000; op++) {
		rnd = rnd * 1103515245u + 12345u;
		k = (rnd >> 8) % KEYS;
		/* Keys share addresses in pairs to exercise the length order. */
		pos = pfxset_pos(&s, 0x0a000000u + (k / 2) * 256u,
		    (uint8_t)(24 + k % 2), &found);
		assert_int_equal(found, present[k]);
		if ((rnd >> 20) & 1) {
			if (!found) {
				assert_int_equal(pfxset_insert(&s, pos,
				    0x0a000000u + (k / 2) * 256u,
				    (uint8_t)(24 + k % 2)), 0);
				present[k] = true;
				assert_int_equal(s.e[pos].refs, 1);
			}
		} else if (found) {
			pfxset_remove(&s, pos);
			present[k] = false;
		}
		/* Sorted, and exactly the keys present. */
		for (i = 1; i < s.n; i++)
			assert_true(s.e[i - 1].addr < s.e[i].addr ||
			    (s.e[i - 1].addr == s.e[i].addr &&
			    s.e[i - 1].len < s.e[i].len));
		for (i = 0, n = 0; i < KEYS; i++)
			n += present[i];
		assert_int_equal(s.n, n);
	}
	assert_int_equal(pfxset_insert(&s, s.n + 1, 1, 32), -1);	/* bad pos */
	pfxset_remove(&s, s.n);					/* no-op */
	pfxset_free(&s);
	assert_null(s.e);
	assert_int_equal(s.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pfxset_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
