/*
 * test_gw_call.c - cross-thread calls into an event loop (gw/gw_call):
 * calls from another thread run on the loop's thread, in any number and
 * from several threads at once; with no loop running, a call times out,
 * never runs, and its request is gone from the queue (a later loop does
 * not run it either).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include <cmocka.h>
#include <event2/event.h>

#include "gw_call.h"

#define CALLERS	4
#define CALLS	200

static pthread_t loop_thread;

struct counter {
	unsigned	 n;
	bool		 wrong_thread;
};

static void
bump(void *arg)
{
	struct counter *c = arg;

	if (!pthread_equal(pthread_self(), loop_thread))
		c->wrong_thread = true;
	c->n++;
}

struct caller {
	struct gw_call	*call;
	struct counter	 c;
	int		 failed;
};

static void *
caller_main(void *arg)
{
	struct caller *k = arg;
	unsigned i;

	for (i = 0; i < CALLS; i++)
		if (gw_call_run(k->call, bump, &k->c, 5000) != 0)
			k->failed++;
	return NULL;
}

static void
test_calls_run_on_the_loop(void **state)
{
	struct event_base *base = event_base_new();
	struct caller k[CALLERS] = { 0 };
	pthread_t th[CALLERS];
	struct timeval limit = { 20, 0 };
	struct gw_call *call;
	unsigned i, total;
	int r;

	(void)state;
	assert_non_null(base);
	assert_int_equal(gw_call_new(&call, base), 0);
	loop_thread = pthread_self();
	for (i = 0; i < CALLERS; i++) {
		k[i].call = call;
		assert_int_equal(pthread_create(&th[i], NULL, caller_main,
		    &k[i]), 0);
	}
	/* Run the loop until every call is answered (or 20 s pass). */
	event_base_loopexit(base, &limit);
	for (;;) {
		r = event_base_loop(base, EVLOOP_ONCE);
		assert_true(r >= 0);
		for (i = 0, total = 0; i < CALLERS; i++)
			total += k[i].c.n;
		if (total == CALLERS * CALLS ||
		    event_base_got_exit(base))
			break;
	}
	for (i = 0; i < CALLERS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(k[i].failed, 0);
		assert_int_equal(k[i].c.n, CALLS);
		assert_false(k[i].c.wrong_thread);
	}
	gw_call_free(call);
	event_base_free(base);
}

static void
test_timeout_never_runs(void **state)
{
	struct event_base *base = event_base_new();
	struct counter c = { 0, false };
	struct gw_call *call;

	(void)state;
	assert_non_null(base);
	assert_int_equal(gw_call_new(&call, base), 0);
	loop_thread = pthread_self();
	/* Nobody runs the loop: the call gives up after its timeout. */
	assert_int_equal(gw_call_run(call, bump, &c, 50), -1);
	assert_int_equal(c.n, 0);
	/* The loop runs now: the abandoned request is not in its queue. */
	assert_int_equal(event_base_loop(base, EVLOOP_NONBLOCK), 0);
	assert_int_equal(c.n, 0);
	gw_call_free(call);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calls_run_on_the_loop),
		cmocka_unit_test(test_timeout_never_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
