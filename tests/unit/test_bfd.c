/*
 * test_bfd.c - the BFD engine (bfd/): the codec's §6.8.6 checks, and two
 * sessions on a simulated clock, the branch active and the gateway passive:
 * three-way handshake to Up, the Poll Sequence to the fast rate, detection
 * when packets stop (within the detection time), AdminDown from the peer,
 * and coming back Up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bfd.h"

#define MS	MONOTIME_MSEC

struct end {
	struct bfd_session *s;
	struct end	*peer;
	bool		 mute;		/* its packets are lost */
	unsigned	 ups, downs, polls, finals;
	enum bfd_diag	 last_diag;
	monotime_t	*now;
};

static void
cb_send(void *arg, const uint8_t *pkt, size_t len)
{
	struct end *e = arg;
	struct bfd_pkt p;

	assert_int_equal(len, BFD_PKT_LEN);
	assert_int_equal(bfd_pkt_parse(pkt, len, &p), 0);
	e->polls += p.poll;
	e->finals += p.final;
	if (!e->mute)
		bfd_input(e->peer->s, &p, *e->now);
}

static void
cb_change(void *arg, enum bfd_state st, enum bfd_diag diag)
{
	struct end *e = arg;

	if (st == BFD_UP)
		e->ups++;
	else
		e->downs++;
	e->last_diag = diag;
}

static uint32_t
cb_random(void *arg)
{
	static uint32_t x = 2463534242u;

	(void)arg;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static monotime_t now;
static struct end br, gw;

static void
run_until(monotime_t end)
{
	monotime_t d;

	while (now < end) {
		d = bfd_next_deadline(br.s);
		if (bfd_next_deadline(gw.s) < d)
			d = bfd_next_deadline(gw.s);
		now = d < end ? (d > now ? d : now + 1) : end;
		bfd_tick(br.s, now);
		bfd_tick(gw.s, now);
	}
}

static int
setup(void **state)
{
	struct bfd_cfg c = { .local_disc = 0x1001, .active = true };
	struct bfd_callbacks cb = { .send = cb_send, .change = cb_change,
	    .random = cb_random };

	(void)state;
	now = 1000 * MONOTIME_SEC;
	memset(&br, 0, sizeof(br));
	memset(&gw, 0, sizeof(gw));
	br.peer = &gw;
	gw.peer = &br;
	br.now = gw.now = &now;
	cb.arg = &br;
	br.s = bfd_session_new(&c, &cb);
	c.local_disc = 0x2002;
	c.active = false;		/* the gateway */
	cb.arg = &gw;
	gw.s = bfd_session_new(&c, &cb);
	assert_non_null(br.s);
	assert_non_null(gw.s);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	bfd_session_free(br.s);
	bfd_session_free(gw.s);
	return 0;
}

static void
test_codec(void **state)
{
	struct bfd_pkt p, q;
	uint8_t b[BFD_PKT_LEN];

	(void)state;
	memset(&p, 0, sizeof(p));
	p.state = BFD_UP;
	p.poll = true;
	p.detect_mult = 3;
	p.my_disc = 7;
	p.your_disc = 9;
	p.desired_min_tx = 300000;
	p.required_min_rx = 250000;
	bfd_pkt_build(&p, b);
	assert_int_equal(b[0], 0x20);		/* version 1 */
	assert_int_equal(b[3], 24);
	assert_int_equal(bfd_pkt_parse(b, sizeof(b), &q), 0);
	assert_int_equal(q.state, BFD_UP);
	assert_true(q.poll);
	assert_int_equal(q.your_disc, 9);
	assert_int_equal(q.required_min_rx, 250000);
	/* §6.8.6 refusals. */
	assert_int_equal(bfd_pkt_parse(b, 23, &q), -1);		/* short */
	b[0] = 0x40;						/* version 2 */
	assert_int_equal(bfd_pkt_parse(b, sizeof(b), &q), -1);
	b[0] = 0x20;
	b[3] = 30;						/* > datagram */
	assert_int_equal(bfd_pkt_parse(b, sizeof(b), &q), -1);
	b[3] = 24;
	b[1] |= 0x04;						/* auth */
	assert_int_equal(bfd_pkt_parse(b, sizeof(b), &q), -1);
	b[1] &= (uint8_t)~0x04;
	b[2] = 0;						/* mult 0 */
	assert_int_equal(bfd_pkt_parse(b, sizeof(b), &q), -1);
	b[2] = 3;
	memset(b + 4, 0, 4);					/* my disc 0 */
	assert_int_equal(bfd_pkt_parse(b, sizeof(b), &q), -1);
	b[7] = 7;
	memset(b + 8, 0, 4);			/* your disc 0 while Up */
	assert_int_equal(bfd_pkt_parse(b, sizeof(b), &q), -1);
	b[1] = (uint8_t)(BFD_DOWN << 6);	/* ... fine when Down */
	assert_int_equal(bfd_pkt_parse(b, sizeof(b), &q), 0);
	b[1] |= 0x01;						/* multipoint */
	assert_int_equal(bfd_pkt_parse(b, sizeof(b), &q), -1);
}

static void
test_up_detect_down(void **state)
{
	struct bfd_status st;
	monotime_t cut;

	(void)state;
	/* The gateway says nothing before the branch does (§6.1). */
	bfd_status(gw.s, &st);
	assert_int_equal(st.tx, 0);
	run_until(now + 5 * MONOTIME_SEC);
	bfd_status(gw.s, &st);
	assert_int_equal(st.state, BFD_UP);
	assert_int_equal(gw.ups, 1);
	assert_int_equal(br.ups, 1);
	assert_true(gw.polls > 0 && br.finals > 0);	/* fast rate agreed */
	assert_int_equal(st.tx_interval_us, 300000);
	assert_int_equal(st.detect_time_us, 900000);
	/* About 3.3 packets a second each way when Up, never > 1/300 ms. */
	{
		uint64_t tx0 = st.tx;

		run_until(now + 10 * MONOTIME_SEC);
		bfd_status(gw.s, &st);
		assert_true(st.tx - tx0 >= 33 && st.tx - tx0 <= 45);
	}
	/* The branch's packets stop: Down within the detection time. */
	br.mute = true;
	cut = now;
	while (gw.downs == 0 && now < cut + 5 * MONOTIME_SEC)
		run_until(now + 10 * MS);
	assert_int_equal(gw.downs, 1);
	assert_int_equal(gw.last_diag, BFD_DIAG_DETECT_EXPIRED);
	assert_true(now - cut <= 900 * MS + 10 * MS);
	assert_true(now - cut >= 600 * MS);
	/* Back: Up again. */
	br.mute = false;
	run_until(now + 5 * MONOTIME_SEC);
	bfd_status(gw.s, &st);
	assert_int_equal(st.state, BFD_UP);
	assert_int_equal(gw.ups, 2);
	/* The branch goes AdminDown: the gateway leaves Up, diag 3. */
	bfd_admin_down(br.s, now);
	assert_int_equal(gw.downs, 2);
	assert_int_equal(gw.last_diag, BFD_DIAG_NEIGHBOR_DOWN);
	bfd_status(gw.s, &st);
	assert_int_equal(st.state, BFD_DOWN);
	/* Which the host tells from a failure (RFC 5882 §3.2). */
	assert_int_equal(st.remote_state, BFD_ADMIN_DOWN);
}

static void
test_gateway_admin_down(void **state)
{
	struct bfd_status st;

	(void)state;
	run_until(now + 5 * MONOTIME_SEC);
	bfd_admin_down(gw.s, now);
	bfd_status(br.s, &st);
	assert_int_equal(st.state, BFD_DOWN);
	assert_int_equal(br.last_diag, BFD_DIAG_NEIGHBOR_DOWN);
	/* And then the gateway is silent. */
	bfd_status(gw.s, &st);
	run_until(now + 3 * MONOTIME_SEC);
	{
		struct bfd_status st2;

		bfd_status(gw.s, &st2);
		assert_int_equal(st2.tx, st.tx);
		assert_int_equal(st2.state, BFD_ADMIN_DOWN);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec),
		cmocka_unit_test_setup_teardown(test_up_detect_down, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_gateway_admin_down, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
