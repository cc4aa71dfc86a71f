/*
 * test_policy_ring.c - policy_ring.c: the empty and full edges and
 * wrap-around on one thread, then a producer and a consumer thread racing
 * through many times the ring's size: every record either arrives, once
 * and in order, or is counted as dropped by the producer, and the ring's
 * drop counter agrees.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "policy_ring.h"

static void
rec_make(struct model_traffic *m, uint64_t i)
{
	memset(m, 0, sizeof(*m));
	m->sent_packets = i;
	m->sent_bytes = i * 7 + 1;
	m->src_port = (uint16_t)i;
}

static void
test_edges(void **state)
{
	struct model_traffic m, out[16];
	struct policy_ring *r;
	uint64_t i, next = 0, popped = 0;
	size_t n, k;

	(void)state;
	assert_null(policy_ring_new(0));
	r = policy_ring_new(5);		/* rounded up to 8 */
	assert_non_null(r);
	assert_int_equal(policy_ring_pop(r, out, 16), 0);	/* empty */
	for (i = 0; i < 8; i++) {
		rec_make(&m, i);
		assert_true(policy_ring_push(r, &m));
	}
	rec_make(&m, 99);
	assert_false(policy_ring_push(r, &m));			/* full */
	assert_false(policy_ring_push(r, &m));
	assert_int_equal(policy_ring_drops(r), 2);
	assert_int_equal(policy_ring_pop(r, out, 0), 0);
	n = policy_ring_pop(r, out, 3);
	assert_int_equal(n, 3);
	for (k = 0; k < n; k++)
		assert_int_equal(out[k].sent_packets, next++);
	/* Room for exactly three again. */
	for (i = 8; i < 11; i++) {
		rec_make(&m, i);
		assert_true(policy_ring_push(r, &m));
	}
	rec_make(&m, 99);
	assert_false(policy_ring_push(r, &m));
	assert_int_equal(policy_ring_drops(r), 3);
	n = policy_ring_pop(r, out, 16);
	assert_int_equal(n, 8);
	for (k = 0; k < n; k++) {
		assert_int_equal(out[k].sent_packets, next);
		assert_int_equal(out[k].sent_bytes, next * 7 + 1);
		next++;
	}
	assert_int_equal(policy_ring_pop(r, out, 16), 0);
	/* Many wrap-arounds, one record at a time and in bursts. */
	for (i = 11; i < 1000; i++) {
		rec_make(&m, i);
		assert_true(policy_ring_push(r, &m));
		if (i % 5 == 0 || i % 3 == 0) {
			n = policy_ring_pop(r, out, 16);
			for (k = 0; k < n; k++)
				assert_int_equal(out[k].sent_packets, next++);
			popped += n;
		}
	}
	while ((n = policy_ring_pop(r, out, 16)) > 0)
		for (k = 0; k < n; k++)
			assert_int_equal(out[k].sent_packets, next++);
	assert_int_equal(next, 1000);
	assert_true(popped > 0);
	assert_int_equal(policy_ring_drops(r), 3);
	policy_ring_free(r);
	policy_ring_free(NULL);
}

#define RACE_N		400000
#define RACE_RING	64

struct race {
	struct policy_ring *r;
	uint8_t		*dropped;	/* producer: 1 if record i was refused */
	uint64_t	 ndropped;
	uint8_t		*seen;		/* consumer */
	uint64_t	 nseen;
	int		 bad;		/* consumer: out of order or duplicate */
	_Atomic int	 done;
};

static void *
race_producer(void *arg)
{
	struct race *x = arg;
	struct model_traffic m;
	uint64_t i;

	for (i = 0; i < RACE_N; i++) {
		rec_make(&m, i);
		if (!policy_ring_push(x->r, &m)) {
			x->dropped[i] = 1;
			x->ndropped++;
		}
	}
	atomic_store(&x->done, 1);
	return NULL;
}

static void *
race_consumer(void *arg)
{
	struct race *x = arg;
	struct model_traffic out[7];
	uint64_t last = 0;
	bool any = false;
	size_t n, k;
	int fin;

	for (;;) {
		fin = atomic_load(&x->done);
		/* A small, odd batch: pops land at every offset of the ring. */
		n = policy_ring_pop(x->r, out, 7);
		for (k = 0; k < n; k++) {
			uint64_t i = out[k].sent_packets;

			if (i >= RACE_N || x->seen[i] || (any && i <= last) ||
			    out[k].sent_bytes != i * 7 + 1 ||
			    out[k].src_port != (uint16_t)i) {
				x->bad++;
				continue;
			}
			x->seen[i] = 1;
			x->nseen++;
			last = i;
			any = true;
		}
		if (n == 0 && fin)
			break;
	}
	return NULL;
}

static void
test_two_threads(void **state)
{
	struct race x;
	pthread_t p, c;
	uint64_t i;

	(void)state;
	memset(&x, 0, sizeof(x));
	x.r = policy_ring_new(RACE_RING);
	x.dropped = calloc(RACE_N, 1);
	x.seen = calloc(RACE_N, 1);
	assert_non_null(x.r);
	assert_non_null(x.dropped);
	assert_non_null(x.seen);
	atomic_init(&x.done, 0);
	assert_int_equal(pthread_create(&c, NULL, race_consumer, &x), 0);
	assert_int_equal(pthread_create(&p, NULL, race_producer, &x), 0);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	assert_int_equal(x.bad, 0);
	/* Each record exactly once: arrived xor dropped. */
	for (i = 0; i < RACE_N; i++)
		if (x.seen[i] + x.dropped[i] != 1)
			fail_msg("record %llu: seen %d dropped %d",
			    (unsigned long long)i, x.seen[i], x.dropped[i]);
	assert_int_equal(x.nseen + x.ndropped, RACE_N);
	assert_int_equal(policy_ring_drops(x.r), x.ndropped);
	policy_ring_free(x.r);
	free(x.dropped);
	free(x.seen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
