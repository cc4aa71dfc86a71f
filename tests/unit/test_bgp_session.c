/*
 * test_bgp_session.c - two BGP sessions back to back in one process: a
 * branch router (active, AS 65001) and the gateway (passive, AS 65476),
 * wired through their send callbacks into a fake TCP connection pumped by
 * hand in chunks of any size, with a fake clock. A third kind of peer is
 * raw bytes written by the test, for what a well-behaved session never
 * sends. Also: the Adj-RIB-In table on its own, and the import policy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgp.h"
#include "bgp_policy.h"
#include "bgp_rib.h"
#include "bgp_wire.h"
#include "log.h"

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))
#define BR_AS		65001
#define GW_AS		65476
#define BR_IP		IP(10, 0, 2, 5)
#define GW_IP		IP(192, 168, 1, 2)
#define SEC		MONOTIME_SEC
#define MAXR		64
#define OUTMAX		(1 << 20)

struct rt {
	bool		live;
	struct bgp_route r;
};

struct side {
	struct world	*w;
	int		idx;
	struct bgp_session *s;
	struct bgp_config cfg;
	struct rt	rt[MAXR];	/* what the host has installed */
	unsigned	adds, replaces, withdraws, ups, downs, connects;
	struct bgp_down	down;
	char		down_detail[200];
	uint8_t		*out;		/* sent, not yet delivered */
	size_t		outlen;
	uint8_t		*hist;		/* everything sent since histlen = 0 */
	size_t		histlen;
	bool		conn;		/* its end of the TCP connection is open */
	bool		closing;	/* down: close once out is delivered */
	bool		mute;		/* its bytes are lost on the way */
};

struct world {
	struct side	s[2];		/* 0 branch (active), 1 gateway (passive) */
	monotime_t	now;
	size_t		chunk;		/* delivery granularity; 0 = all at once */
	uint64_t	rng;
};

static struct world W;

static struct rt *
find(struct side *s, uint32_t addr, uint8_t len)
{
	size_t i;

	for (i = 0; i < MAXR; i++)
		if (s->rt[i].live && s->rt[i].r.addr == addr &&
		    s->rt[i].r.len == len)
			return &s->rt[i];
	return NULL;
}

static size_t
nroutes(struct side *s)
{
	size_t i, n = 0;

	for (i = 0; i < MAXR; i++)
		n += s->rt[i].live;
	return n;
}

static void
cb_send(void *arg, const uint8_t *data, size_t len)
{
	struct side *s = arg;

	assert_true(s->outlen + len <= OUTMAX);
	memcpy(s->out + s->outlen, data, len);
	s->outlen += len;
	if (s->histlen + len <= OUTMAX) {
		memcpy(s->hist + s->histlen, data, len);
		s->histlen += len;
	}
}

static void
cb_connect(void *arg)
{
	((struct side *)arg)->connects++;
}

static void
cb_up(void *arg)
{
	((struct side *)arg)->ups++;
}

static void
cb_down(void *arg, const struct bgp_down *d)
{
	struct side *s = arg;

	/* every learned route is gone before down is told */
	assert_int_equal(nroutes(s), 0);
	s->downs++;
	s->down = *d;
	snprintf(s->down_detail, sizeof(s->down_detail), "%s", d->detail);
	s->down.detail = s->down_detail;
	s->closing = true;
}

static void
cb_add(void *arg, const struct bgp_route *r, bool replaces)
{
	struct side *s = arg;
	struct rt *t = find(s, r->addr, r->len);
	size_t i;

	if (replaces) {
		assert_non_null(t);
		s->replaces++;
	} else {
		assert_null(t);
		for (i = 0; i < MAXR && s->rt[i].live; i++)
			;
		assert_true(i < MAXR);
		t = &s->rt[i];
		s->adds++;
	}
	t->live = true;
	t->r = *r;
}

static void
cb_withdraw(void *arg, uint32_t addr, uint8_t len)
{
	struct side *s = arg;
	struct rt *t = find(s, addr, len);

	assert_non_null(t);	/* only what was added is withdrawn */
	t->live = false;
	s->withdraws++;
}

static uint32_t
cb_random(void *arg)
{
	struct side *s = arg;

	s->w->rng ^= s->w->rng << 13;
	s->w->rng ^= s->w->rng >> 7;
	s->w->rng ^= s->w->rng << 17;
	return (uint32_t)(s->w->rng >> 16);
}

static const struct bgp_prefix br_adv[] = { { IP(10, 0, 2, 0), 24, 0 } };
static const struct bgp_prefix gw_adv[] = {
	{ IP(20, 0, 0, 0), 8, 0 }, { IP(40, 96, 0, 0), 13, 0 },
};

static void
side_cfg(struct side *s)
{
	struct bgp_config *c = &s->cfg;

	bgp_config_defaults(c);
	if (s->idx == 0) {
		snprintf(c->name, sizeof(c->name), "branch");
		c->local_as = BR_AS;
		c->peer_as = GW_AS;
		c->local_addr = BR_IP;
		c->peer_addr = GW_IP;
		c->passive = false;
		c->adv = br_adv;
		c->nadv = 1;
	} else {
		snprintf(c->name, sizeof(c->name), "gateway");
		c->local_as = GW_AS;
		c->peer_as = BR_AS;
		c->local_addr = GW_IP;
		c->peer_addr = BR_IP;
		c->adv = gw_adv;
		c->nadv = 2;
	}
}

static void
side_new(struct side *s)
{
	struct bgp_callbacks cb = { s, cb_send, cb_connect, cb_up, cb_down,
	    cb_add, cb_withdraw, cb_random };

	s->s = bgp_session_new(&s->cfg, &cb);
	assert_non_null(s->s);
}

static int
setup(void **state)
{
	int i;

	(void)state;
	memset(&W, 0, sizeof(W));
	W.now = 1000 * SEC;
	W.rng = 0x1234567887654321ULL;
	for (i = 0; i < 2; i++) {
		W.s[i].w = &W;
		W.s[i].idx = i;
		W.s[i].out = malloc(OUTMAX);
		W.s[i].hist = malloc(OUTMAX);
		assert_non_null(W.s[i].out);
		assert_non_null(W.s[i].hist);
		side_cfg(&W.s[i]);
	}
	return 0;
}

static int
teardown(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		bgp_session_free(W.s[i].s);
		free(W.s[i].out);
		free(W.s[i].hist);
	}
	return 0;
}

static void
deliver(struct side *to, const uint8_t *p, size_t n)
{
	size_t off, k;

	if (!to->conn || to->closing)
		return;
	for (off = 0; off < n; off += k) {
		k = W.chunk == 0 || n - off < W.chunk ? n - off : W.chunk;
		if (bgp_input(to->s, p + off, k, W.now) == -1)
			return;
	}
}

/* Move bytes both ways until nothing moves; closing ends close after their bytes. */
static void
pump(void)
{
	static uint8_t tmp[OUTMAX];
	bool moved = true;
	size_t n;
	int i;

	while (moved) {
		moved = false;
		for (i = 0; i < 2; i++) {
			struct side *a = &W.s[i], *b = &W.s[1 - i];

			if (a->outlen > 0) {
				n = a->outlen;
				memcpy(tmp, a->out, n);
				a->outlen = 0;
				if (!a->mute)
					deliver(b, tmp, n);
				moved = true;
			}
			if (a->closing && a->outlen == 0) {
				a->closing = false;
				if (a->conn) {
					a->conn = false;
					if (b->conn && !b->closing)
						bgp_closed(b->s, W.now);
				}
				moved = true;
			}
		}
	}
}

/* The branch's connect reached the gateway: both ends report it. */
static void
connect_both(void)
{
	assert_int_equal(bgp_connected(W.s[1].s, W.now), 0);
	W.s[1].conn = true;
	assert_int_equal(bgp_connected(W.s[0].s, W.now), 0);
	W.s[0].conn = true;
	pump();
}

static void
advance(monotime_t until)
{
	monotime_t t;
	int i;

	for (;;) {
		t = until;
		for (i = 0; i < 2; i++)
			if (W.s[i].s != NULL && bgp_next_deadline(W.s[i].s) < t)
				t = bgp_next_deadline(W.s[i].s);
		if (t > until)
			t = until;
		if (t > W.now)
			W.now = t;
		for (i = 0; i < 2; i++)
			if (W.s[i].s != NULL)
				bgp_tick(W.s[i].s, W.now);
		pump();
		if (W.now >= until)
			break;
	}
}

static struct bgp_status
status(int i)
{
	struct bgp_status st;

	bgp_status(W.s[i].s, &st);
	return st;
}

static void
establish(void)
{
	side_new(&W.s[0]);
	side_new(&W.s[1]);
	bgp_start(W.s[1].s, W.now);
	bgp_start(W.s[0].s, W.now);
	assert_int_equal(W.s[0].connects, 1);
	assert_int_equal(W.s[1].connects, 0);
	assert_int_equal(status(0).state, BGP_CONNECT);
	assert_int_equal(status(1).state, BGP_ACTIVE);
	connect_both();
	assert_int_equal(status(0).state, BGP_ESTABLISHED);
	assert_int_equal(status(1).state, BGP_ESTABLISHED);
}

static void
test_establish_exchange(void **state)
{
	struct rt *t;

	(void)state;
	W.chunk = 7;
	establish();
	assert_int_equal(W.s[0].ups, 1);
	assert_int_equal(W.s[1].ups, 1);
	assert_int_equal(status(1).hold, 90);
	assert_int_equal(status(1).keepalive, 30);
	assert_int_equal(status(1).peer_id, BR_IP);
	/* the branch learned the gateway's prefixes, next hop its BGP address */
	assert_int_equal(nroutes(&W.s[0]), 2);
	t = find(&W.s[0], IP(40, 96, 0, 0), 13);
	assert_non_null(t);
	assert_int_equal(t->r.nexthop, GW_IP);
	assert_int_equal(t->r.path_len, 1);
	assert_int_equal(t->r.neighbor_as, GW_AS);
	assert_int_equal(t->r.origin_as, GW_AS);
	assert_int_equal(t->r.origin, 0);
	/* and the gateway the branch's */
	assert_int_equal(nroutes(&W.s[1]), 1);
	t = find(&W.s[1], IP(10, 0, 2, 0), 24);
	assert_non_null(t);
	assert_int_equal(t->r.nexthop, BR_IP);
	assert_int_equal(status(1).prefixes_in, 1);
	assert_int_equal(status(1).prefixes_out, 2);
	/* a second connection while one is open is refused */
	assert_int_equal(bgp_connected(W.s[1].s, W.now), -1);

	/* a new advertised set goes out as its difference */
	{
		static const struct bgp_prefix next[] = {
			{ IP(40, 96, 0, 0), 13, 0 }, { IP(52, 0, 0, 0), 8, 0 },
			{ IP(40, 96, 0, 0), 13, 0 },	/* duplicate */
		};
		uint64_t upd = status(1).updates_out;

		assert_int_equal(bgp_set_advertised(W.s[1].s, next, 3, W.now),
		    0);
		pump();
		assert_int_equal(status(1).updates_out, upd + 1);
		assert_null(find(&W.s[0], IP(20, 0, 0, 0), 8));
		assert_non_null(find(&W.s[0], IP(52, 0, 0, 0), 8));
		assert_int_equal(nroutes(&W.s[0]), 2);
		assert_int_equal(W.s[0].adds, 3);
		assert_int_equal(W.s[0].withdraws, 1);
		/* the same set again: nothing on the wire */
		assert_int_equal(bgp_set_advertised(W.s[1].s, next, 3, W.now),
		    0);
		assert_int_equal(status(1).updates_out, upd + 1);
	}
	/* host bits or too many: refused, nothing changes */
	{
		struct bgp_prefix bad = { IP(10, 0, 0, 1), 24, 0 };

		assert_int_equal(bgp_set_advertised(W.s[1].s, &bad, 1, W.now),
		    -1);
		assert_int_equal(bgp_set_advertised(W.s[1].s, gw_adv,
		    BGP_MAX_ADV_DEFAULT + 1, W.now), -1);
		assert_int_equal(status(1).prefixes_out, 2);
	}
	/* the branch withdraws its prefix */
	assert_int_equal(bgp_set_advertised(W.s[0].s, NULL, 0, W.now), 0);
	pump();
	assert_int_equal(nroutes(&W.s[1]), 0);
	assert_int_equal(W.s[1].withdraws, 1);
	assert_int_equal(status(1).prefixes_in, 0);
	/* and announces it again */
	assert_int_equal(bgp_set_advertised(W.s[0].s, br_adv, 1, W.now), 0);
	pump();
	assert_int_equal(nroutes(&W.s[1]), 1);
	assert_int_equal(W.s[1].adds, 2);
}

static void
test_keepalive(void **state)
{
	struct bgp_status a, b;

	(void)state;
	W.chunk = 1;
	establish();
	a = status(1);
	advance(W.now + 600 * SEC);
	b = status(1);
	assert_int_equal(b.state, BGP_ESTABLISHED);
	assert_int_equal(status(0).state, BGP_ESTABLISHED);
	/* every 22.5..30 s (jitter), both ways */
	assert_true(b.msgs_out - a.msgs_out >= 20);
	assert_true(b.msgs_out - a.msgs_out <= 27);
	assert_true(b.msgs_in - a.msgs_in >= 20);
	assert_int_equal(W.s[0].downs + W.s[1].downs, 0);

	/* the smaller hold time wins */
	teardown(NULL);
	setup(NULL);
	W.s[0].cfg.hold_time = 9;
	establish();
	assert_int_equal(status(1).hold, 9);
	assert_int_equal(status(1).keepalive, 3);
	advance(W.now + 60 * SEC);
	assert_int_equal(status(1).state, BGP_ESTABLISHED);

	/* hold time 0 on one side: no keepalives, no hold timer */
	teardown(NULL);
	setup(NULL);
	W.s[0].cfg.hold_time = 0;
	establish();
	a = status(1);
	assert_int_equal(a.hold, 0);
	assert_int_equal(bgp_next_deadline(W.s[1].s), MONOTIME_NEVER);
	advance(W.now + 3600 * SEC);
	assert_int_equal(status(1).msgs_out, a.msgs_out);
	assert_int_equal(status(1).state, BGP_ESTABLISHED);
}

static void
test_hold_expiry(void **state)
{
	(void)state;
	establish();
	assert_int_equal(nroutes(&W.s[1]), 1);
	/* the branch falls silent (its bytes are lost) */
	W.s[0].mute = true;
	advance(W.now + 89 * SEC);
	assert_int_equal(status(1).state, BGP_ESTABLISHED);
	advance(W.now + 2 * SEC);
	assert_int_equal(W.s[1].downs, 1);
	assert_int_equal(W.s[1].down.reason, BGP_DOWN_HOLD_EXPIRED);
	assert_int_equal(W.s[1].down.code, BGP_ERR_HOLD);
	assert_true(W.s[1].down.was_established);
	assert_int_equal(nroutes(&W.s[1]), 0);
	assert_int_equal(W.s[1].withdraws, 1);
	/* the branch got the NOTIFICATION */
	assert_int_equal(W.s[0].downs, 1);
	assert_int_equal(W.s[0].down.reason, BGP_DOWN_NOTIFY_RCVD);
	assert_int_equal(W.s[0].down.code, BGP_ERR_HOLD);
	assert_int_equal(nroutes(&W.s[0]), 0);
	/* the gateway waits for the next connection at once */
	assert_int_equal(status(1).state, BGP_ACTIVE);
	/* the branch waits its idle hold, then connects again */
	assert_int_equal(status(0).state, BGP_IDLE);
	W.s[0].mute = false;
	advance(W.now + 3 * SEC);
	assert_int_equal(W.s[0].connects, 1);
	advance(W.now + 2 * SEC);
	assert_int_equal(W.s[0].connects, 2);
	assert_int_equal(status(0).state, BGP_CONNECT);
	connect_both();
	assert_int_equal(status(1).state, BGP_ESTABLISHED);
	assert_int_equal(nroutes(&W.s[1]), 1);
	assert_int_equal(status(1).established, 2);
	/* a connect that never completes is retried after connect retry */
	bgp_closed(W.s[0].s, W.now);
	pump();
	assert_int_equal(status(0).state, BGP_IDLE);
	advance(W.now + 6 * SEC);
	assert_int_equal(W.s[0].connects, 3);
	advance(W.now + 121 * SEC);
	assert_int_equal(W.s[0].connects, 4);
	assert_int_equal(status(0).state, BGP_CONNECT);
	bgp_closed(W.s[0].s, W.now);	/* and one that fails, too */
	assert_int_equal(status(0).state, BGP_CONNECT);
	advance(W.now + 121 * SEC);
	assert_int_equal(W.s[0].connects, 5);
}

/* A hand-made UPDATE from the branch, straight into the gateway. */
static void
inject(int to, const uint8_t *attrs, size_t alen, const uint8_t *nlri,
    size_t nlen)
{
	uint8_t m[BGP_MSG_MAX];
	struct wbuf w;
	size_t len_at;

	wbuf_init(&w, m, sizeof(m));
	bgp_wire_hdr_add(&w, BGP_UPDATE, &len_at);
	wbuf_add_u16(&w, 0);
	wbuf_add_u16(&w, (uint16_t)alen);
	wbuf_add_bytes(&w, attrs, alen);
	wbuf_add_bytes(&w, nlri, nlen);
	assert_int_equal(bgp_wire_hdr_finish(&w, len_at, 0), 0);
	bgp_input(W.s[to].s, m, wbuf_len(&w), W.now);
	pump();
}

#define A_ORIGIN	0x40, 1, 1, 0
#define A_PATH_BR	0x40, 2, 10, 2, 2, 0, 0, 0xfd, 0xe9, 0, 0, 0xfd, 0xea
#define A_NH(a, b, c, d) 0x40, 3, 4, a, b, c, d

static const uint8_t nlri_lan[] = { 24, 10, 0, 2, 16, 10, 9 };

static void
test_reannounce_and_withdraw(void **state)
{
	static const uint8_t nh1[] = { A_ORIGIN, A_PATH_BR, A_NH(10, 0, 2, 5) };
	static const uint8_t nh2[] = { A_ORIGIN, A_PATH_BR, A_NH(10, 0, 2, 6) };
	struct rt *t;

	(void)state;
	establish();
	inject(1, nh1, sizeof(nh1), nlri_lan, sizeof(nlri_lan));
	assert_int_equal(nroutes(&W.s[1]), 2);	/* 10.0.2.0/24 again + 10.9/16 */
	assert_int_equal(W.s[1].adds, 2);
	assert_int_equal(W.s[1].replaces, 1);	/* path changed for 10.0.2.0/24 */
	t = find(&W.s[1], IP(10, 9, 0, 0), 16);
	assert_non_null(t);
	assert_int_equal(t->r.path_len, 2);
	assert_int_equal(t->r.origin_as, 65002);
	/* the same again: silent */
	inject(1, nh1, sizeof(nh1), nlri_lan, sizeof(nlri_lan));
	assert_int_equal(W.s[1].adds + W.s[1].replaces, 3);
	/* another next hop: an update of the same routes, not new ones */
	inject(1, nh2, sizeof(nh2), nlri_lan, sizeof(nlri_lan));
	assert_int_equal(W.s[1].adds, 2);
	assert_int_equal(W.s[1].replaces, 3);
	assert_int_equal(find(&W.s[1], IP(10, 9, 0, 0), 16)->r.nexthop,
	    IP(10, 0, 2, 6));
	assert_int_equal(status(1).prefixes_in, 2);
	/* withdrawal of an unknown prefix: ignored */
	{
		static const uint8_t m[] = {
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0, 30, BGP_UPDATE, 0, 7, 24, 192, 0, 2, 16, 10, 9, 0, 0,
		};

		bgp_input(W.s[1].s, m, sizeof(m), W.now);
		assert_int_equal(W.s[1].withdraws, 1);	/* 10.9/16 only */
		assert_int_equal(nroutes(&W.s[1]), 1);
		assert_int_equal(status(1).state, BGP_ESTABLISHED);
	}
	/* route refresh: the gateway sends everything again, nothing changes */
	{
		uint64_t in = status(0).updates_in;
		unsigned adds = W.s[0].adds;

		assert_int_equal(bgp_request_refresh(W.s[0].s, W.now), 0);
		pump();
		assert_int_equal(status(1).refresh_in, 1);
		assert_int_equal(status(0).updates_in, in + 1);
		assert_int_equal(W.s[0].adds, adds);
		assert_int_equal(W.s[0].replaces, 0);
	}
}

static void
test_treat_as_withdraw(void **state)
{
	static const uint8_t good[] = { A_ORIGIN, A_PATH_BR, A_NH(10, 0, 2, 5) };
	/* ORIGIN 5 (RFC 7606 §7.1) */
	static const uint8_t bad_origin[] = { 0x40, 1, 1, 5, A_PATH_BR,
	    A_NH(10, 0, 2, 5) };
	/* first AS not the peer's (RFC 4271 §6.3) */
	static const uint8_t bad_first[] = { A_ORIGIN, 0x40, 2, 6, 2, 1, 0, 0,
	    0xfd, 0xea, A_NH(10, 0, 2, 5) };
	/* no NEXT_HOP (RFC 7606 §3) */
	static const uint8_t no_nh[] = { A_ORIGIN, A_PATH_BR };
	/* our own AS in the path: a loop, dropped without fuss */
	static const uint8_t loop[] = { A_ORIGIN, 0x40, 2, 10, 2, 2, 0, 0,
	    0xfd, 0xe9, 0, 0, 0xff, 0xc4, A_NH(10, 0, 2, 5) };
	/* NEXT_HOP = the gateway's own address */
	static const uint8_t own_nh[] = { A_ORIGIN, A_PATH_BR,
	    A_NH(192, 168, 1, 2) };
	static const struct {
		const uint8_t	*a;
		size_t		n;
	} cases[] = {
		{ bad_origin, sizeof(bad_origin) }, { bad_first, sizeof(bad_first) },
		{ no_nh, sizeof(no_nh) }, { loop, sizeof(loop) },
		{ own_nh, sizeof(own_nh) },
	};
	size_t i;

	(void)state;
	establish();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		inject(1, good, sizeof(good), nlri_lan, sizeof(nlri_lan));
		assert_non_null(find(&W.s[1], IP(10, 9, 0, 0), 16));
		assert_int_equal(nroutes(&W.s[1]), 2);
		inject(1, cases[i].a, cases[i].n, nlri_lan, sizeof(nlri_lan));
		/* both routes of that UPDATE are gone, the session stays */
		assert_int_equal(nroutes(&W.s[1]), 0);
		assert_int_equal(status(1).state, BGP_ESTABLISHED);
		assert_int_equal(W.s[1].downs, 0);
		assert_int_equal(status(1).prefixes_in, 0);
	}
	assert_int_equal(status(1).treat_as_withdraw, 3);
	assert_int_equal(status(1).loops, 1);
	assert_int_equal(status(1).bad_nexthop, 1);
	/* the branch is unaffected */
	assert_int_equal(nroutes(&W.s[0]), 2);
}

/* What the gateway sends back, as NOTIFICATION fields: the last message of its output. */
static struct bgp_err last_notification;

static void
capture_notification(struct side *s)
{
	struct bgp_framer *f = malloc(sizeof(*f));
	struct bgp_hdr h;
	struct bgp_err e;
	struct buf in, m;
	bool found = false;

	assert_non_null(f);
	bgp_wire_framer_init(f);
	buf_init(&in, s->hist, s->histlen);
	while (bgp_wire_framer_next(f, &in, &h, &m, &e) == 1)
		if (h.type == BGP_NOTIFICATION) {
			buf_skip(&m, BGP_HDR_LEN);
			assert_int_equal(bgp_wire_notification_parse(&m,
			    &last_notification), 0);
			found = true;
		}
	free(f);
	assert_true(found);
}

static void
test_max_prefix(void **state)
{
	static const struct bgp_prefix four[] = {
		{ IP(10, 0, 1, 0), 24, 0 }, { IP(10, 0, 2, 0), 24, 0 },
		{ IP(10, 0, 3, 0), 24, 0 }, { IP(10, 0, 4, 0), 24, 0 },
	};
	static const uint8_t limit[] = { 0, 1, 1, 0, 0, 0, 3 };

	(void)state;
	W.s[1].cfg.max_prefixes = 3;
	W.s[0].cfg.adv = four;
	W.s[0].cfg.nadv = 3;
	establish();
	assert_int_equal(nroutes(&W.s[1]), 3);
	/* the fourth is one too many: Cease / Maximum Number of Prefixes Reached */
	assert_int_equal(bgp_set_advertised(W.s[0].s, four, 4, W.now), 0);
	assert_true(W.s[0].outlen > 0);
	pump();
	assert_int_equal(W.s[1].downs, 1);
	assert_int_equal(W.s[1].down.reason, BGP_DOWN_NOTIFY_SENT);
	assert_int_equal(W.s[1].down.code, BGP_ERR_CEASE);
	assert_int_equal(W.s[1].down.subcode, BGP_ECEASE_MAX_PREFIX);
	assert_int_equal(W.s[1].withdraws, 3);
	assert_int_equal(nroutes(&W.s[1]), 0);
	assert_int_equal(W.s[0].downs, 1);
	assert_int_equal(W.s[0].down.reason, BGP_DOWN_NOTIFY_RCVD);
	assert_int_equal(W.s[0].down.subcode, BGP_ECEASE_MAX_PREFIX);
	/* RFC 4486: Data = AFI 1, SAFI 1, the bound */
	capture_notification(&W.s[1]);
	assert_int_equal(last_notification.len, sizeof(limit));
	assert_memory_equal(last_notification.data, limit, sizeof(limit));
	assert_int_equal(status(1).has_last_down, true);
	assert_int_equal(status(1).last_down.subcode, BGP_ECEASE_MAX_PREFIX);
}

/* A raw branch: the gateway is connected to bytes the test writes. */
static void
raw_gateway(void)
{
	side_new(&W.s[1]);
	bgp_start(W.s[1].s, W.now);
	assert_int_equal(bgp_connected(W.s[1].s, W.now), 0);
	W.s[1].conn = true;
	assert_true(W.s[1].outlen > 0);	/* its OPEN */
}

static size_t
raw_open(uint8_t *m, size_t cap, uint8_t version, uint16_t as, uint16_t hold,
    uint32_t id, const uint8_t *caps, size_t ncaps)
{
	struct wbuf w;
	size_t len_at;

	wbuf_init(&w, m, cap);
	bgp_wire_hdr_add(&w, BGP_OPEN, &len_at);
	wbuf_add_u8(&w, version);
	wbuf_add_u16(&w, as);
	wbuf_add_u16(&w, hold);
	wbuf_add_u32(&w, id);
	wbuf_add_u8(&w, (uint8_t)(ncaps + 2));
	wbuf_add_u8(&w, 2);
	wbuf_add_u8(&w, (uint8_t)ncaps);
	wbuf_add_bytes(&w, caps, ncaps);
	assert_int_equal(bgp_wire_hdr_finish(&w, len_at, 0), 0);
	return wbuf_len(&w);
}

static const uint8_t cap_as4_br[] = { 65, 4, 0, 0, 0xfd, 0xe9 };

static void
open_case(uint8_t version, uint16_t as, uint16_t hold, uint32_t id,
    const uint8_t *caps, size_t ncaps, uint8_t code, uint8_t subcode)
{
	uint8_t m[128];
	size_t n;

	teardown(NULL);
	setup(NULL);
	raw_gateway();
	n = raw_open(m, sizeof(m), version, as, hold, id, caps, ncaps);
	assert_int_equal(bgp_input(W.s[1].s, m, n, W.now), code == 0 ? 0 : -1);
	if (code == 0) {
		assert_int_equal(status(1).state, BGP_OPENCONFIRM);
		return;
	}
	capture_notification(&W.s[1]);
	assert_int_equal(last_notification.code, code);
	assert_int_equal(last_notification.subcode, subcode);
	assert_int_equal(W.s[1].downs, 1);
	assert_int_equal(W.s[1].down.reason, BGP_DOWN_NOTIFY_SENT);
	assert_false(W.s[1].down.was_established);
	assert_int_equal(W.s[1].ups, 0);
	assert_int_equal(status(1).state, BGP_ACTIVE);
}

static void
test_open_errors(void **state)
{
	static const uint8_t mp6[] = { 65, 4, 0, 0, 0xfd, 0xe9, 1, 4, 0, 2, 0, 1 };
	static const uint8_t big_as[] = { 65, 4, 0xfa, 0x56, 0xea, 0x01 };

	(void)state;
	/* well-formed */
	open_case(4, BR_AS, 90, BR_IP, cap_as4_br, sizeof(cap_as4_br), 0, 0);
	/* §6.2: peer AS mismatch, in the 4-octet capability or the OPEN */
	open_case(4, BR_AS, 90, BR_IP, big_as, sizeof(big_as), BGP_ERR_OPEN,
	    BGP_EOPEN_PEER_AS);
	open_case(4, 65002, 90, BR_IP, NULL, 0, BGP_ERR_OPEN,
	    BGP_EOPEN_PEER_AS);
	/* unsupported version: Data = 4 */
	open_case(5, BR_AS, 90, BR_IP, cap_as4_br, sizeof(cap_as4_br),
	    BGP_ERR_OPEN, BGP_EOPEN_VERSION);
	assert_int_equal(last_notification.len, 2);
	assert_int_equal(last_notification.data[1], 4);
	/* hold time 1 and 2 */
	open_case(4, BR_AS, 1, BR_IP, cap_as4_br, sizeof(cap_as4_br),
	    BGP_ERR_OPEN, BGP_EOPEN_HOLD);
	open_case(4, BR_AS, 2, BR_IP, cap_as4_br, sizeof(cap_as4_br),
	    BGP_ERR_OPEN, BGP_EOPEN_HOLD);
	/* BGP identifier 0, or ours */
	open_case(4, BR_AS, 90, 0, cap_as4_br, sizeof(cap_as4_br),
	    BGP_ERR_OPEN, BGP_EOPEN_BGP_ID);
	open_case(4, BR_AS, 90, GW_IP, cap_as4_br, sizeof(cap_as4_br),
	    BGP_ERR_OPEN, BGP_EOPEN_BGP_ID);
	/* RFC 5492 §5: no 4-octet AS; Data = the capability we need */
	open_case(4, BR_AS, 90, BR_IP, NULL, 0, BGP_ERR_OPEN,
	    BGP_EOPEN_CAPABILITY);
	assert_int_equal(last_notification.len, 6);
	assert_int_equal(last_notification.data[0], 65);
	/* address families named, IPv4 unicast not among them */
	open_case(4, BR_AS, 90, BR_IP, mp6, sizeof(mp6), BGP_ERR_OPEN,
	    BGP_EOPEN_CAPABILITY);
	assert_int_equal(last_notification.data[0], 1);

	/* the back-to-back case: the gateway expects another AS */
	teardown(NULL);
	setup(NULL);
	W.s[1].cfg.peer_as = 65002;
	side_new(&W.s[0]);
	side_new(&W.s[1]);
	bgp_start(W.s[1].s, W.now);
	bgp_start(W.s[0].s, W.now);
	connect_both();
	assert_int_equal(W.s[1].down.code, BGP_ERR_OPEN);
	assert_int_equal(W.s[1].down.subcode, BGP_EOPEN_PEER_AS);
	assert_int_equal(W.s[0].down.reason, BGP_DOWN_NOTIFY_RCVD);
	assert_int_equal(W.s[0].down.subcode, BGP_EOPEN_PEER_AS);
	assert_int_equal(W.s[0].ups + W.s[1].ups, 0);
}

static void
test_fsm_and_header_errors(void **state)
{
	static const uint8_t upd[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0, 23, BGP_UPDATE, 0, 0, 0, 0,
	};
	uint8_t m[64];

	(void)state;
	/* RFC 6608: an UPDATE in OpenSent; Data = its type */
	raw_gateway();
	assert_int_equal(bgp_input(W.s[1].s, upd, sizeof(upd), W.now), -1);
	capture_notification(&W.s[1]);
	assert_int_equal(last_notification.code, BGP_ERR_FSM);
	assert_int_equal(last_notification.subcode, BGP_EFSM_OPENSENT);
	assert_int_equal(last_notification.data[0], BGP_UPDATE);

	/* a bad marker */
	teardown(NULL);
	setup(NULL);
	raw_gateway();
	memcpy(m, upd, sizeof(upd));
	m[0] = 0;
	assert_int_equal(bgp_input(W.s[1].s, m, sizeof(upd), W.now), -1);
	capture_notification(&W.s[1]);
	assert_int_equal(last_notification.code, BGP_ERR_HEADER);
	assert_int_equal(last_notification.subcode, BGP_EHDR_SYNC);
	/* input after the session went down is refused */
	assert_int_equal(bgp_input(W.s[1].s, upd, sizeof(upd), W.now), -1);

	/* Established: an OPEN is an FSM error, malformed NLRI a reset */
	teardown(NULL);
	setup(NULL);
	establish();
	{
		uint8_t o[128];
		size_t n = raw_open(o, sizeof(o), 4, BR_AS, 90, BR_IP,
		    cap_as4_br, sizeof(cap_as4_br));

		W.s[1].histlen = 0;
		bgp_input(W.s[1].s, o, n, W.now);
		capture_notification(&W.s[1]);
		assert_int_equal(last_notification.code, BGP_ERR_FSM);
		assert_int_equal(last_notification.subcode,
		    BGP_EFSM_ESTABLISHED);
		assert_int_equal(nroutes(&W.s[1]), 0);
	}
	teardown(NULL);
	setup(NULL);
	establish();
	{
		static const uint8_t a[] = { A_ORIGIN, A_PATH_BR,
		    A_NH(10, 0, 2, 5) };
		static const uint8_t bad[] = { 24, 10, 0, 2, 33, 1, 2, 3, 4, 5 };

		inject(1, a, sizeof(a), bad, sizeof(bad));
		assert_int_equal(W.s[1].down.code, BGP_ERR_UPDATE);
		assert_int_equal(W.s[1].down.subcode, BGP_EUPD_NETWORK);
		assert_int_equal(nroutes(&W.s[1]), 0);
	}
}

static void
test_stop_and_close(void **state)
{
	uint8_t m[64];
	struct wbuf w;
	struct bgp_err n;

	(void)state;
	/* the branch shuts down: every route goes, on both sides */
	establish();
	bgp_stop(W.s[0].s, W.now);
	pump();
	assert_int_equal(W.s[0].down.reason, BGP_DOWN_STOPPED);
	assert_int_equal(W.s[0].down.subcode, BGP_ECEASE_SHUTDOWN);
	assert_int_equal(nroutes(&W.s[0]), 0);
	assert_int_equal(W.s[0].withdraws, 2);
	assert_int_equal(W.s[1].down.reason, BGP_DOWN_NOTIFY_RCVD);
	assert_int_equal(W.s[1].down.code, BGP_ERR_CEASE);
	assert_int_equal(nroutes(&W.s[1]), 0);
	/* stopped stays stopped */
	advance(W.now + 600 * SEC);
	assert_int_equal(status(0).state, BGP_IDLE);
	assert_int_equal(W.s[0].connects, 1);
	assert_int_equal(bgp_next_deadline(W.s[0].s), MONOTIME_NEVER);
	bgp_start(W.s[0].s, W.now);
	assert_int_equal(W.s[0].connects, 2);
	connect_both();
	assert_int_equal(status(1).established, 2);

	/* the TCP connection drops */
	bgp_closed(W.s[0].s, W.now);
	bgp_closed(W.s[1].s, W.now);
	pump();
	assert_int_equal(W.s[1].down.reason, BGP_DOWN_TCP_CLOSED);
	assert_int_equal(W.s[0].down.reason, BGP_DOWN_TCP_CLOSED);
	assert_int_equal(nroutes(&W.s[0]) + nroutes(&W.s[1]), 0);

	/* a NOTIFICATION with a shutdown communication (RFC 9003) */
	advance(W.now + 6 * SEC);
	connect_both();
	assert_int_equal(status(1).state, BGP_ESTABLISHED);
	bgp_wire_err(&n, BGP_ERR_CEASE, BGP_ECEASE_SHUTDOWN,
	    "\x0emaint\x01nance 42", 15);
	wbuf_init(&w, m, sizeof(m));
	assert_int_equal(bgp_wire_notification_build(&w, &n), 0);
	bgp_input(W.s[1].s, m, wbuf_len(&w), W.now);
	assert_int_equal(W.s[1].down.reason, BGP_DOWN_NOTIFY_RCVD);
	assert_non_null(strstr(W.s[1].down.detail, "\"maint?nance 42\""));
	assert_int_equal(nroutes(&W.s[1]), 0);
	assert_int_equal(status(1).notify_in, 2);
}

/*
 * The tunnel under the session goes: routes withdrawn and down at once,
 * nothing sent (there is no path), the passive gateway waits for the next
 * connection; the next session over a new tunnel comes up as usual.
 */
static void
test_path_down(void **state)
{
	char text[BGP_DOWN_TEXT_MAX];
	size_t out;

	(void)state;
	establish();
	assert_int_equal(nroutes(&W.s[1]), 1);
	out = W.s[1].outlen;
	bgp_path_down(W.s[1].s, "IPsec tunnel down (peer deleted)", W.now);
	assert_int_equal(W.s[1].outlen, out);		/* no NOTIFICATION */
	assert_int_equal(W.s[1].downs, 1);
	assert_int_equal(W.s[1].down.reason, BGP_DOWN_PATH);
	assert_true(W.s[1].down.was_established);
	assert_int_equal(nroutes(&W.s[1]), 0);
	assert_int_equal(W.s[1].withdraws, 1);
	assert_int_equal(status(1).state, BGP_ACTIVE);
	assert_string_equal(bgp_down_text(&W.s[1].down, text, sizeof(text)),
	    "path to the peer down: IPsec tunnel down (peer deleted)");
	/* Not connected: nothing to end. */
	bgp_path_down(W.s[1].s, "again", W.now);
	assert_int_equal(W.s[1].downs, 1);
	/* The branch's own session ends by its hold timer or TCP; here TCP. */
	W.s[1].conn = false;
	bgp_closed(W.s[0].s, W.now);
	pump();
	advance(W.now + 6 * SEC);
	connect_both();
	assert_int_equal(status(1).state, BGP_ESTABLISHED);
	assert_int_equal(nroutes(&W.s[1]), 1);
}

/* Each part of a session's end is said once (issue: repeated texts). */
static void
test_down_text(void **state)
{
	struct bgp_down d;
	char t[BGP_DOWN_TEXT_MAX];
	static const uint8_t a[] = { A_ORIGIN, A_PATH_BR, A_NH(10, 0, 2, 5),
	    0x40, 30, 1, 0 };	/* type 30: well-known (not optional), unknown */

	(void)state;
	memset(&d, 0, sizeof(d));
	d.reason = BGP_DOWN_HOLD_EXPIRED;
	d.code = BGP_ERR_HOLD;
	assert_string_equal(bgp_down_text(&d, t, sizeof(t)),
	    "hold timer expired (sent NOTIFICATION 4/0)");
	d.reason = BGP_DOWN_NOTIFY_RCVD;
	d.code = BGP_ERR_CEASE;
	d.subcode = BGP_ECEASE_SHUTDOWN;
	d.detail = "\"maintenance\"";
	assert_string_equal(bgp_down_text(&d, t, sizeof(t)),
	    "received NOTIFICATION 6/2 cease: administrative shutdown: "
	    "\"maintenance\"");
	d.code = 9;
	d.subcode = 1;
	d.detail = NULL;
	assert_string_equal(bgp_down_text(&d, t, sizeof(t)),
	    "received NOTIFICATION 9/1 unknown error code");

	/* From the engine: an unrecognised well-known attribute (§6.3). */
	establish();
	inject(1, a, sizeof(a), nlri_lan, sizeof(nlri_lan));
	assert_int_equal(W.s[1].down.reason, BGP_DOWN_NOTIFY_SENT);
	assert_string_equal(bgp_down_text(&W.s[1].down, t, sizeof(t)),
	    "sent NOTIFICATION 3/2 UPDATE message error: unrecognized "
	    "well-known attribute");
}

static void
test_config(void **state)
{
	struct bgp_config c;
	char why[128];
	struct bgp_prefix bad = { IP(10, 0, 0, 1), 8, 0 };

	(void)state;
	c = W.s[1].cfg;
	assert_int_equal(bgp_config_check(&c, why, sizeof(why)), 0);
	c.peer_as = GW_AS;
	assert_int_equal(bgp_config_check(&c, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "eBGP"));
	assert_null(bgp_session_new(&c, NULL));
	c = W.s[1].cfg;
	c.hold_time = 2;
	assert_int_equal(bgp_config_check(&c, why, sizeof(why)), -1);
	c.hold_time = 3;
	assert_int_equal(bgp_config_check(&c, why, sizeof(why)), 0);
	c.peer_as = BGP_AS_TRANS;
	assert_int_equal(bgp_config_check(&c, why, sizeof(why)), -1);
	c = W.s[1].cfg;
	c.max_prefixes = 0;
	assert_int_equal(bgp_config_check(&c, why, sizeof(why)), -1);
	c = W.s[1].cfg;
	c.adv = &bad;
	c.nadv = 1;
	assert_int_equal(bgp_config_check(&c, why, sizeof(why)), -1);
	c = W.s[1].cfg;
	c.peer_addr = c.local_addr;
	assert_int_equal(bgp_config_check(&c, why, sizeof(why)), -1);
}

/*
 * The table against a plain array, through inserts and deletes that wrap
 * probes, growth up to the limit, stale marking and sweeping (RFC 4724),
 * and walks: every route exactly once.
 */
static size_t rib_swept;

static void
rib_swept_fn(void *arg, uint32_t addr, uint8_t len)
{
	bool *in = arg;

	assert_int_equal(len, 24);
	assert_true(in[addr >> 8]);
	in[addr >> 8] = false;
	rib_swept++;
}

static void
rib_check(const struct bgp_rib *rib, const bool *in, size_t n)
{
	static bool seen[4096];
	const struct bgp_route *r;
	size_t i, slots = bgp_rib_slots(rib);

	memset(seen, 0, sizeof(seen));
	assert_int_equal(rib->count, n);
	assert_int_equal(slots, n);	/* dense: route i for i < count */
	for (i = 0; i < slots; i++) {
		assert_non_null(r = bgp_rib_at(rib, i));
		assert_true(in[r->addr >> 8]);
		assert_false(seen[r->addr >> 8]);
		seen[r->addr >> 8] = true;
	}
	assert_null(bgp_rib_at(rib, slots));
	for (i = 0; i < 4096; i++)
		assert_true((bgp_rib_get(rib, (uint32_t)i << 8, 24) != NULL) ==
		    in[i]);
}

static void
rib_model(uint64_t x)
{
	static bool in[4096], stale[4096];
	struct bgp_rib rib;
	struct bgp_route r;
	size_t i, k, n = 0, ns = 0;

	memset(in, 0, sizeof(in));
	memset(stale, 0, sizeof(stale));
	assert_int_equal(bgp_rib_init(&rib, 1000, x), 0);
	memset(&r, 0, sizeof(r));
	for (i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		k = (size_t)(x % 4096);
		r.addr = (uint32_t)k << 8;
		r.len = 24;
		r.nexthop = (uint32_t)i;
		if (x % 5003 == 0) {
			/* A restart: all stale, then some back, the rest swept. */
			bgp_rib_mark_stale(&rib);
			memcpy(stale, in, sizeof(stale));
			ns = n;
			assert_int_equal(rib.stale, ns);
			continue;
		}
		if (x % 4001 == 0) {
			rib_swept = 0;
			assert_int_equal(bgp_rib_sweep_stale(&rib, rib_swept_fn,
			    in), ns);
			assert_int_equal(rib_swept, ns);
			n -= ns;
			ns = 0;
			memset(stale, 0, sizeof(stale));
			assert_int_equal(rib.stale, 0);
			rib_check(&rib, in, n);
			continue;
		}
		if (x & (1u << 20)) {
			enum bgp_rib_put p = bgp_rib_put(&rib, &r);

			if (in[k]) {
				assert_int_equal(p, BGP_RIB_CHANGED);
				if (stale[k])
					ns--;
				stale[k] = false;
			} else if (n == 1000) {
				assert_int_equal(p, BGP_RIB_FULL);
			} else {
				assert_int_equal(p, BGP_RIB_NEW);
				in[k] = true;
				n++;
			}
		} else {
			assert_int_equal(bgp_rib_del(&rib, r.addr, 24),
			    in[k] ? 0 : -1);
			if (in[k])
				n--;
			if (stale[k])
				ns--;
			in[k] = stale[k] = false;
		}
		assert_int_equal(rib.count, n);
		assert_int_equal(rib.stale, ns);
		if (i % 1009 == 0)
			rib_check(&rib, in, n);
	}
	rib_check(&rib, in, n);
	assert_true(rib.cap <= 1000);	/* never past the limit */
	/* same attributes: SAME */
	for (k = 0; k < 4096 && !in[k]; k++)
		;
	r = *bgp_rib_get(&rib, (uint32_t)k << 8, 24);
	assert_int_equal(bgp_rib_put(&rib, &r), BGP_RIB_SAME);
	bgp_rib_clear(&rib);
	assert_int_equal(rib.count, 0);
	assert_int_equal(bgp_rib_slots(&rib), 0);
	bgp_rib_free(&rib);
}

static void
test_rib(void **state)
{
	(void)state;
	rib_model(99);
}

/* The same from a seed off the clock (printed): runs differ. */
static void
test_rib_clock(void **state)
{
	uint64_t seed = (uint64_t)time(NULL) | 1;

	(void)state;
	printf("test_rib_clock: seed %llu\n", (unsigned long long)seed);
	rib_model(seed);
}

static void
test_policy(void **state)
{
	static const struct {
		uint32_t	addr;
		uint8_t		len;
		enum bgp_policy_verdict v;
	} cases[] = {
		{ 0, 0, BGP_POLICY_DEFAULT_ROUTE },
		{ IP(10, 0, 0, 0), 7, BGP_POLICY_TOO_SHORT },
		{ IP(10, 0, 0, 0), 8, BGP_POLICY_ACCEPT },
		{ IP(10, 0, 2, 0), 24, BGP_POLICY_ACCEPT },
		{ IP(172, 16, 0, 0), 12, BGP_POLICY_ACCEPT },
		{ IP(100, 64, 0, 0), 10, BGP_POLICY_ACCEPT },
		{ IP(8, 8, 8, 8), 32, BGP_POLICY_ACCEPT },
		{ IP(0, 1, 0, 0), 16, BGP_POLICY_MARTIAN },
		{ IP(127, 0, 0, 1), 32, BGP_POLICY_MARTIAN },
		{ IP(169, 254, 1, 0), 24, BGP_POLICY_MARTIAN },
		{ IP(169, 0, 0, 0), 8, BGP_POLICY_MARTIAN },	/* covers link-local */
		{ IP(169, 253, 0, 0), 16, BGP_POLICY_ACCEPT },
		{ IP(224, 0, 0, 0), 8, BGP_POLICY_MARTIAN },
		{ IP(239, 1, 1, 0), 24, BGP_POLICY_MARTIAN },
		{ IP(240, 0, 0, 0), 8, BGP_POLICY_MARTIAN },
		{ IP(255, 255, 255, 255), 32, BGP_POLICY_MARTIAN },
		{ IP(223, 255, 255, 0), 24, BGP_POLICY_ACCEPT },
		{ IP(192, 168, 1, 2), 32, BGP_POLICY_DENIED },
		{ IP(192, 168, 0, 0), 16, BGP_POLICY_DENIED },	/* covers it */
		{ IP(192, 168, 2, 0), 24, BGP_POLICY_ACCEPT },
		{ IP(198, 18, 0, 2), 32, BGP_POLICY_OTHER_LINK },
		{ IP(198, 18, 0, 0), 24, BGP_POLICY_OTHER_LINK },	/* covers it */
		{ IP(198, 18, 0, 3), 32, BGP_POLICY_ACCEPT },
		{ IP(13, 107, 6, 153), 32, BGP_POLICY_ADVERTISED },
		{ IP(13, 107, 6, 156), 30, BGP_POLICY_ACCEPT },
		{ IP(10, 0, 0, 1), 8, BGP_POLICY_INVALID },
		{ IP(10, 0, 0, 0), 33, BGP_POLICY_INVALID },
	};
	struct bgp_policy pol;
	size_t i;

	(void)state;
	bgp_policy_init(&pol);
	assert_int_equal(bgp_policy_deny(&pol, GW_IP, 32, BGP_POLICY_DENIED), 0);
	assert_int_equal(bgp_policy_deny(&pol, IP(198, 18, 0, 2), 32,
	    BGP_POLICY_OTHER_LINK), 0);
	assert_int_equal(bgp_policy_deny(&pol, IP(13, 107, 6, 152), 30,
	    BGP_POLICY_ADVERTISED), 0);
	assert_int_equal(bgp_policy_deny(&pol, IP(10, 0, 0, 1), 8,
	    BGP_POLICY_DENIED), -1);
	assert_int_equal(bgp_policy_deny(&pol, IP(10, 0, 0, 0), 8,
	    BGP_POLICY_MARTIAN), -1);		/* not a deny reason */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum bgp_policy_verdict v = bgp_policy_import(&pol,
		    cases[i].addr, cases[i].len);

		if (v != cases[i].v)
			fail_msg("case %zu: %08x/%u: %s, want %s", i,
			    cases[i].addr, cases[i].len,
			    bgp_policy_verdict_name(v),
			    bgp_policy_verdict_name(cases[i].v));
	}
	pol.max_len = 24;
	assert_int_equal(bgp_policy_import(&pol, IP(10, 0, 2, 5), 32),
	    BGP_POLICY_TOO_LONG);
	for (i = 3; i < BGP_POLICY_DENY_MAX; i++)
		assert_int_equal(bgp_policy_deny(&pol, IP(11, 0, 0, 0), 8,
		    BGP_POLICY_DENIED), 0);
	assert_int_equal(bgp_policy_deny(&pol, IP(11, 0, 0, 0), 8,
	    BGP_POLICY_DENIED), -1);
	/* Every verdict has a name and a key. */
	for (i = 0; i < BGP_POLICY_VERDICTS; i++) {
		assert_string_not_equal(bgp_policy_verdict_name(
		    (enum bgp_policy_verdict)i), "?");
		assert_string_not_equal(bgp_policy_verdict_key(
		    (enum bgp_policy_verdict)i), "?");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_establish_exchange, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold_expiry, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reannounce_and_withdraw,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_treat_as_withdraw, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_max_prefix, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fsm_and_header_errors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_and_close, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_path_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_down_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
		cmocka_unit_test(test_rib),
		cmocka_unit_test(test_rib_clock),
		cmocka_unit_test(test_policy),
	};

	log_set_level(LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
