/*
 * test_esp_replay.c - table tests for the anti-replay window (esp_replay.c):
 * packets as they come off the wire (32-bit sequence numbers, rebuilt to
 * 64 bits per RFC 4303 Appendix A2), each row with the expected 64-bit
 * number and verdict; accepted rows update the window and must then read
 * as duplicates. A second table checks the ESN inference alone, a third
 * the window sizes and the ring's reuse of its words.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "esp_replay.h"

#define OK	0
#define NO	(-1)
#define HI(h, l)	((uint64_t)(h) << 32 | (uint32_t)(l))

struct step {
	uint32_t	lo;	/* on the wire */
	uint64_t	seq;	/* expected 64-bit number */
	int		want;
};

struct table {
	const char	*name;
	uint32_t	size;
	bool		esn;
	uint64_t	start;	/* accepted before the steps; 0 = fresh */
	struct step	steps[12];
	size_t		nsteps;
};

#define T(...)	{ __VA_ARGS__ }
#define N(a)	(sizeof(a) / sizeof((a)[0]))

static const struct table tables[] = {
	{ "in order", 1024, false, 0,
	  { {1, 1, OK}, {2, 2, OK}, {3, 3, OK}, {4, 4, OK}, {5, 5, OK} }, 5 },
	{ "seq 0 without ESN", 1024, false, 0,
	  { {0, 0, NO}, {1, 1, OK}, {0, 0, NO} }, 3 },
	{ "seq 0 with ESN (fresh)", 1024, true, 0,
	  { {0, 0, NO}, {1, 1, OK} }, 2 },
	{ "duplicates", 1024, false, 0,
	  { {1, 1, OK}, {1, 1, NO}, {2, 2, OK}, {1, 1, NO}, {2, 2, NO} }, 5 },
	{ "reordering inside the window", 1024, false, 0,
	  { {100, 100, OK}, {50, 50, OK}, {99, 99, OK}, {1, 1, OK},
	    {50, 50, NO}, {101, 101, OK}, {98, 98, OK} }, 7 },
	{ "window edge 1024", 1024, false, 0,
	  { {2000, 2000, OK}, {977, 977, OK}, {976, 976, NO},
	    {978, 978, OK}, {2000, 2000, NO}, {2001, 2001, OK},
	    {977, 977, NO}, {978, 978, NO} }, 8 },
	{ "window edge 64", 64, false, 0,
	  { {100, 100, OK}, {37, 37, OK}, {36, 36, NO}, {101, 101, OK},
	    {37, 37, NO}, {38, 38, OK} }, 6 },
	{ "window edge 4096", 4096, false, 0,
	  { {10000, 10000, OK}, {5905, 5905, OK}, {5904, 5904, NO},
	    {6000, 6000, OK} }, 4 },
	{ "big jump", 1024, false, 0,
	  { {5, 5, OK}, {1000000, 1000000, OK}, {5, 5, NO},
	    {999000, 999000, OK}, {1000001, 1000001, OK},
	    {998977, 998977, NO}, {998978, 998978, OK} }, 7 },
	/* The ring has 128 words: jumps of about that many must not leave stale bits. */
	{ "jump of the whole ring", 64, false, 63,
	  { {8192, 8192, OK}, {8191, 8191, OK}, {8129, 8129, OK},
	    {8128, 8128, NO}, {8256, 8256, OK}, {8255, 8255, OK} }, 6 },
	{ "jump of ring minus one word", 64, false, 63,
	  { {8133, 8133, OK}, {8127, 8127, OK}, {8129, 8129, OK},
	    {8192, 8192, OK}, {8191, 8191, OK}, {8133, 8133, NO} }, 6 },
	{ "2^32 boundary without ESN", 1024, false, 0xfffffffe,
	  { {0xffffffff, 0xffffffff, OK}, {0, 0, NO}, {1, 1, NO},
	    {0xfffffc00, 0xfffffc00, OK}, {0xfffffbff, 0xfffffbff, NO} }, 5 },
	{ "2^32 wrap with ESN", 1024, true, 0xffffff00,
	  { {0xffffff01, HI(0, 0xffffff01), OK},
	    {5, HI(1, 5), OK},
	    {0xffffff02, HI(0, 0xffffff02), OK},
	    {0xffffff01, HI(0, 0xffffff01), NO},
	    {0, HI(1, 0), OK},
	    {0xfffffc06, HI(0, 0xfffffc06), OK},
	    {0xfffffc05, HI(1, 0xfffffc05), OK} }, 7 },
	{ "exactly 2^32 with ESN", 1024, true, 0xffffffff,
	  { {0, HI(1, 0), OK}, {0xffffffff, HI(0, 0xffffffff), NO},
	    {1, HI(1, 1), OK} }, 3 },
};

static void
run_table(const struct table *t)
{
	struct esp_replay w;
	uint64_t seq;
	size_t i;

	assert_int_equal(esp_replay_init(&w, t->size, t->esn), 0);
	if (t->start != 0)
		assert_int_equal(esp_replay_update(&w, t->start), 0);
	for (i = 0; i < t->nsteps; i++) {
		const struct step *s = &t->steps[i];

		seq = esp_replay_infer_seq(&w, s->lo);
		if (seq != s->seq || esp_replay_check(&w, seq) != s->want)
			fail_msg("%s, step %zu (lo %#x): seq %#llx check %d, "
			    "want %#llx %d", t->name, i, s->lo,
			    (unsigned long long)seq, esp_replay_check(&w, seq),
			    (unsigned long long)s->seq, s->want);
		assert_int_equal(esp_replay_update(&w, seq), s->want);
		/* Whatever happened, the number is now taken. */
		assert_int_equal(esp_replay_check(&w, seq), NO);
	}
}

static void
test_tables(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N(tables); i++)
		run_table(&tables[i]);
}

/* RFC 4303 Appendix A2.2, cases A and B and both ends of the number space. */
static void
test_infer(void **state)
{
	static const struct {
		uint32_t size;
		bool esn;
		uint64_t top;
		uint32_t lo;
		uint64_t want;
	} tc[] = {
		{ 1024, false, 5, 7, 7 },
		{ 1024, false, HI(0, 0xffffffff), 3, 3 },
		{ 1024, true, 0, 1, 1 },
		{ 1024, true, 0, 0xffffffff, 0 },	/* below the first subspace */
		{ 1024, true, HI(1, 0x10), 0xfffffff0, HI(0, 0xfffffff0) },
		{ 1024, true, HI(1, 0x10), 0x20, HI(1, 0x20) },
		{ 1024, true, HI(1, 0x10), 0, HI(1, 0) },
		{ 1024, true, HI(2, 0x80000000), 0x7ffffc01, HI(2, 0x7ffffc01) },
		{ 1024, true, HI(2, 0x80000000), 0x7ffffc00, HI(3, 0x7ffffc00) },
		{ 1024, true, HI(0, 1023), 0, 0 },	/* Tl = W - 1: case A, bottom 0 */
		{ 1024, true, HI(0, 1023), 1, 1 },
		{ 1024, true, HI(0, 1024), 0, HI(1, 0) },
		{ 1024, true, HI(1, 1022), 0xffffffff, HI(0, 0xffffffff) },	/* case B */
		{ 1024, true, HI(1, 1022), 0xfffffffe, HI(1, 0xfffffffe) },
		{ 64, true, HI(7, 10), 0xffffffd0, HI(6, 0xffffffd0) },
		{ 64, true, HI(7, 10), 0xffffffca, HI(7, 0xffffffca) },
		{ 1024, true, HI(0xffffffff, 0xfffffff0), 5, 0 },	/* past 2^64 */
		{ 1024, true, HI(0xffffffff, 0xfffffff0), 0xffffffff, UINT64_MAX },
	};
	struct esp_replay w;
	size_t i;

	(void)state;
	for (i = 0; i < N(tc); i++) {
		assert_int_equal(esp_replay_init(&w, tc[i].size, tc[i].esn), 0);
		w.top = tc[i].top;
		if (esp_replay_infer_seq(&w, tc[i].lo) != tc[i].want)
			fail_msg("infer case %zu: got %#llx", i,
			    (unsigned long long)esp_replay_infer_seq(&w,
			    tc[i].lo));
	}
}

static void
test_sizes(void **state)
{
	static const struct {
		uint32_t size;
		int want;
		uint32_t got;
	} tc[] = {
		{ 0, 0, ESP_REPLAY_DEFAULT }, { 64, 0, 64 }, { 1024, 0, 1024 },
		{ 4096, 0, 4096 }, { 32, -1, 0 }, { 100, -1, 0 },
		{ 4160, -1, 0 }, { 1000, -1, 0 },
	};
	struct esp_replay w;
	size_t i;

	(void)state;
	for (i = 0; i < N(tc); i++) {
		assert_int_equal(esp_replay_init(&w, tc[i].size, false),
		    tc[i].want);
		if (tc[i].want == 0)
			assert_int_equal(w.size, tc[i].got);
	}
	/* Without ESN nothing at or past 2^32 is ever valid. */
	assert_int_equal(esp_replay_init(&w, 0, false), 0);
	assert_int_equal(esp_replay_check(&w, HI(1, 0)), NO);
	assert_int_equal(esp_replay_check(&w, UINT64_MAX), NO);
}

/*
 * Every window size against a reference model: a random walk of jumps
 * and reorderings, compared with a plain set of seen numbers.
 */
static void
test_model(void **state)
{
	static uint8_t seen[1 << 20];
	struct esp_replay w;
	uint64_t top, seq, x = 88172645463325252ULL;
	uint32_t size;
	int i, want, n[2];

	(void)state;
	for (size = 64; size <= ESP_REPLAY_MAX; size *= 2) {
		memset(seen, 0, sizeof(seen));
		assert_int_equal(esp_replay_init(&w, size, true), 0);
		top = 0;
		n[0] = n[1] = 0;
		for (i = 0; i < 200000; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			if (x % 16 == 0)	/* jump ahead, sometimes far */
				seq = top + 1 + x % (x % 3 ? 70 : 9000);
			else	/* around the window's lower edge */
				seq = top + 8 > size + (x >> 8) % 64 ?
				    top + 8 - size - (x >> 8) % 64 +
				    (x >> 16) % 128 : 1 + (x >> 8) % 64;
			if (seq == 0 || seq >= sizeof(seen))
				continue;
			want = seen[seq] || (seq <= top && top - seq >= size) ?
			    NO : OK;
			assert_int_equal(esp_replay_check(&w, seq), want);
			assert_int_equal(esp_replay_update(&w, seq), want);
			n[want == OK]++;
			if (want == OK) {
				seen[seq] = 1;
				if (seq > top)
					top = seq;
			}
		}
		/* The walk must exercise both verdicts. */
		if (n[0] < 2000 || n[1] < 2000)
			fail_msg("size %u: %d rejected, %d accepted", size, n[0],
			    n[1]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_infer),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
