/*
 * test_pfxset.c - the prefix set against a plain model, with random
 * operations: lookups, inserts, removals (the last entry moves into the
 * hole), growth, and a set emptied and refilled. One fixed seed, and one
 * from the clock (printed) so that runs differ.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "pfxset.h"

#define KEYS	3000

static uint32_t
rnd_next(uint32_t *r)
{
	*r = *r * 1103515245u + 12345u;
	return *r >> 8;
}

/* Key k: addresses shared in pairs, lengths 24 and 25. */
static uint32_t
key_addr(uint32_t k)
{
	return 0x0a000000u + (k / 2) * 256u;
}

static uint8_t
key_len(uint32_t k)
{
	return (uint8_t)(24 + k % 2);
}

static void
check_model(const struct pfxset *s, const bool *present, uint32_t nkeys)
{
	static bool seen[KEYS];
	size_t i, n = 0, pos;
	uint32_t k;
	bool found;

	memset(seen, 0, sizeof(seen));
	for (k = 0; k < nkeys; k++) {
		n += present[k];
		pos = pfxset_pos(s, key_addr(k), key_len(k), &found);
		assert_int_equal(found, present[k]);
		if (found) {
			assert_true(pos < s->n);
			assert_int_equal(s->e[pos].addr, key_addr(k));
			assert_int_equal(s->e[pos].len, key_len(k));
		} else
			assert_int_equal(pos, s->n);
	}
	assert_int_equal(s->n, n);
	/* Every entry a present key, each once. */
	for (i = 0; i < s->n; i++) {
		k = (s->e[i].addr - 0x0a000000u) / 256u * 2 +
		    (uint32_t)(s->e[i].len - 24);
		assert_true(k < nkeys);
		assert_true(present[k]);
		assert_false(seen[k]);
		seen[k] = true;
	}
}

static void
run_model(uint32_t seed, uint32_t nkeys, int ops)
{
	static bool present[KEYS];
	struct pfxset s;
	uint32_t rnd = seed, k;
	size_t pos;
	bool found;
	int op;

	memset(&s, 0, sizeof(s));
	memset(present, 0, sizeof(present));
	for (op = 0; op < ops; op++) {
		k = rnd_next(&rnd) % nkeys;
		pos = pfxset_pos(&s, key_addr(k), key_len(k), &found);
		assert_int_equal(found, present[k]);
		/* Phases: mostly inserts, then mostly removals, and so on. */
		if (rnd_next(&rnd) % 8 < ((op / (ops / 6)) % 2 ? 2u : 6u)) {
			if (!found) {
				assert_int_equal(pfxset_insert(&s, pos,
				    key_addr(k), key_len(k)), 0);
				present[k] = true;
				assert_int_equal(s.e[pos].refs, 1);
				assert_int_equal(s.e[pos].med, 0);
			} else
				assert_int_equal(pfxset_insert(&s, pos,
				    key_addr(k), key_len(k)), -1);
		} else if (found) {
			pfxset_remove(&s, pos);
			present[k] = false;
		}
		if (op % 97 == 0 || nkeys <= 64)
			check_model(&s, present, nkeys);
	}
	check_model(&s, present, nkeys);
	pfxset_remove(&s, s.n);					/* no-op */
	assert_int_equal(pfxset_insert(&s, s.n + 1, 1, 32), -1);	/* bad pos */
	while (s.n > 0)
		pfxset_remove(&s, (size_t)rnd_next(&rnd) % s.n);
	memset(present, 0, sizeof(present));
	check_model(&s, present, nkeys);
	pfxset_free(&s);
	assert_null(s.e);
	assert_null(s.slot);
	assert_int_equal(s.n, 0);
}

static void
test_pfxset_fixed(void **state)
{
	(void)state;
	run_model(12345, 64, 20000);	/* small: long probe runs, wrap-around */
	run_model(12345, KEYS, 200000);	/* growth through several rehashes */
}

static void
test_pfxset_clock(void **state)
{
	uint32_t seed = (uint32_t)time(NULL);

	(void)state;
	printf("test_pfxset: seed %u\n", (unsigned)seed);
	run_model(seed, 64, 20000);
	run_model(seed, KEYS, 200000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pfxset_fixed),
		cmocka_unit_test(test_pfxset_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
