/*
 * bfd_session.c - one BFD session in asynchronous mode (RFC 5880 §6),
 * passive role: the state machine of §6.2/§6.8.6, the transmit timer with
 * jitter (§6.8.7), the detection time (§6.8.4), the Poll Sequence when our
 * rates change (§6.5, §6.8.3), AdminDown (§6.8.16).
 */
#include "bfd.h"

#include <stdlib.h>
#include <string.h>

#define BFD_SLOW_US	1000000u	/* §6.8.3: at least 1 s while not Up */
#define BFD_DEF_US	300000u

struct bfd_session {
	struct bfd_cfg	 cfg;
	struct bfd_callbacks cb;
	enum bfd_state	 state;
	enum bfd_diag	 diag;
	bool		 active;	/* heard from the peer: we send (§6.1) */
	bool		 polling;	/* P on our packets until an F (§6.5) */
	uint32_t	 desired_tx;	/* bfd.DesiredMinTxInterval in force */
	uint32_t	 remote_disc;
	uint8_t		 remote_state;
	uint8_t		 remote_mult;
	uint32_t	 remote_min_rx, remote_desired_tx;
	monotime_t	 t_tx, t_detect;
	uint64_t	 rx, tx, ups, downs;
};

const char *
bfd_state_name(enum bfd_state s)
{
	switch (s) {
	case BFD_ADMIN_DOWN:	return "adminDown";
	case BFD_DOWN:		return "down";
	case BFD_INIT:		return "init";
	case BFD_UP:		return "up";
	}
	return "?";
}

struct bfd_session *
bfd_session_new(const struct bfd_cfg *cfg, const struct bfd_callbacks *cb)
{
	struct bfd_session *s;

	if (cfg->local_disc == 0 || cb->send == NULL ||
	    (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->cfg = *cfg;
	if (s->cfg.desired_min_tx_us == 0)
		s->cfg.desired_min_tx_us = BFD_DEF_US;
	if (s->cfg.required_min_rx_us == 0)
		s->cfg.required_min_rx_us = BFD_DEF_US;
	if (s->cfg.detect_mult == 0)
		s->cfg.detect_mult = 3;
	s->cb = *cb;
	s->state = BFD_DOWN;
	s->desired_tx = BFD_SLOW_US;
	s->t_tx = s->t_detect = MONOTIME_NEVER;
	/* Active: send from the start (the peer's Required Min RX unknown:
	 * assume it takes ours, §6.8.7 needs some value). */
	if (cfg->active) {
		s->active = true;
		s->remote_min_rx = 1;
		s->t_tx = 0;
	}
	return s;
}

void
bfd_session_free(struct bfd_session *s)
{
	free(s);
}

/* §6.8.7: the larger of ours and what the peer can take, less 0-25 %. */
static uint64_t
bfd_tx_interval(const struct bfd_session *s)
{
	return s->desired_tx > s->remote_min_rx ? s->desired_tx :
	    s->remote_min_rx;
}

static void
bfd_schedule_tx(struct bfd_session *s, monotime_t now)
{
	uint64_t iv = bfd_tx_interval(s), cut;
	uint32_t r = s->cb.random != NULL ? s->cb.random(s->cb.arg) : 0;

	/* A peer asking for no packets (Required Min RX 0, §6.8.7). */
	if (!s->active || s->remote_min_rx == 0 || s->state == BFD_ADMIN_DOWN) {
		s->t_tx = MONOTIME_NEVER;
		return;
	}
	/* Jitter 0-25 % (10-25 % with a multiplier of 1). */
	cut = s->cfg.detect_mult == 1 ? iv / 10 + r % (iv * 15 / 100 + 1) :
	    r % (iv / 4 + 1);
	s->t_tx = now + (monotime_t)(iv - cut) * 1000;
}

static void
bfd_send(struct bfd_session *s, bool final)
{
	struct bfd_pkt p;
	uint8_t out[BFD_PKT_LEN];

	memset(&p, 0, sizeof(p));
	p.diag = (uint8_t)s->diag;
	p.state = (uint8_t)s->state;
	p.poll = s->polling && !final;
	p.final = final;
	p.detect_mult = s->cfg.detect_mult;
	p.my_disc = s->cfg.local_disc;
	p.your_disc = s->remote_disc;
	p.desired_min_tx = s->desired_tx;
	p.required_min_rx = s->cfg.required_min_rx_us;
	bfd_pkt_build(&p, out);
	s->tx++;
	s->cb.send(s->cb.arg, out, sizeof(out));
}

static void
bfd_set_state(struct bfd_session *s, enum bfd_state st, enum bfd_diag diag)
{
	enum bfd_state was = s->state;

	if (st == was)
		return;
	s->state = st;
	s->diag = diag;
	/* §6.8.3: slow while not Up; our new rate is announced by a Poll. */
	s->desired_tx = st == BFD_UP ? s->cfg.desired_min_tx_us : BFD_SLOW_US;
	s->polling = st == BFD_UP || was == BFD_UP;
	if (st == BFD_UP)
		s->ups++;
	if (was == BFD_UP)
		s->downs++;
	if ((st == BFD_UP || was == BFD_UP) && s->cb.change != NULL)
		s->cb.change(s->cb.arg, st, diag);
}

void
bfd_input(struct bfd_session *s, const struct bfd_pkt *p, monotime_t now)
{
	uint64_t agreed;

	s->rx++;
	if (s->state == BFD_ADMIN_DOWN)
		return;			/* §6.8.6: discard */
	s->remote_disc = p->my_disc;
	s->remote_state = p->state;
	s->remote_mult = p->detect_mult;
	s->remote_min_rx = p->required_min_rx;
	s->remote_desired_tx = p->desired_min_tx;
	if (p->final)
		s->polling = false;
	if (p->state == BFD_ADMIN_DOWN) {
		if (s->state != BFD_DOWN)
			bfd_set_state(s, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
	} else if (s->state == BFD_DOWN) {
		if (p->state == BFD_DOWN)
			bfd_set_state(s, BFD_INIT, BFD_DIAG_NONE);
		else if (p->state == BFD_INIT)
			bfd_set_state(s, BFD_UP, BFD_DIAG_NONE);
	} else if (s->state == BFD_INIT) {
		if (p->state == BFD_INIT || p->state == BFD_UP)
			bfd_set_state(s, BFD_UP, BFD_DIAG_NONE);
	} else if (p->state == BFD_DOWN) {	/* Up */
		bfd_set_state(s, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
	}
	/* §6.8.4: the peer's multiplier times the slower of the two rates. */
	agreed = s->cfg.required_min_rx_us > p->desired_min_tx ?
	    s->cfg.required_min_rx_us : p->desired_min_tx;
	s->t_detect = s->state == BFD_DOWN ? MONOTIME_NEVER :
	    now + (monotime_t)(agreed * p->detect_mult) * 1000;
	if (!s->active) {
		s->active = true;
		s->t_tx = now;		/* answer at once */
	}
	/* §6.5: a Poll gets a Final at once, outside the timer. */
	if (p->poll)
		bfd_send(s, true);
	/* Not pushed back by every packet: sooner only, if the rate rose. */
	if (s->t_tx == MONOTIME_NEVER ||
	    (s->t_tx > now && now + (monotime_t)bfd_tx_interval(s) * 1000 <
	    s->t_tx))
		bfd_schedule_tx(s, now);
	bfd_tick(s, now);
}

void
bfd_tick(struct bfd_session *s, monotime_t now)
{
	if (s->t_detect <= now) {
		s->t_detect = MONOTIME_NEVER;
		s->remote_disc = 0;	/* §6.8.1: the peer is gone */
		bfd_set_state(s, BFD_DOWN, BFD_DIAG_DETECT_EXPIRED);
	}
	if (s->t_tx <= now && s->active && s->state != BFD_ADMIN_DOWN) {
		/* First the next time: send() may come back here (a host that
		 * answers at once, as the tests' does). */
		bfd_schedule_tx(s, now);
		bfd_send(s, false);
	}
}

monotime_t
bfd_next_deadline(const struct bfd_session *s)
{
	return s->t_tx < s->t_detect ? s->t_tx : s->t_detect;
}

void
bfd_admin_down(struct bfd_session *s, monotime_t now)
{
	(void)now;
	if (s->state == BFD_ADMIN_DOWN)
		return;
	bfd_set_state(s, BFD_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN);
	if (s->active)
		bfd_send(s, false);	/* §6.8.16: tell the peer once */
	s->t_tx = s->t_detect = MONOTIME_NEVER;
}

void
bfd_status(const struct bfd_session *s, struct bfd_status *st)
{
	uint64_t agreed = s->cfg.required_min_rx_us > s->remote_desired_tx ?
	    s->cfg.required_min_rx_us : s->remote_desired_tx;

	memset(st, 0, sizeof(*st));
	st->state = s->state;
	st->local_diag = s->diag;
	st->remote_state = (enum bfd_state)s->remote_state;
	st->remote_disc = s->remote_disc;
	st->tx_interval_us = s->active ? bfd_tx_interval(s) : 0;
	st->detect_time_us = agreed * s->remote_mult;
	st->rx = s->rx;
	st->tx = s->tx;
	st->ups = s->ups;
	st->downs = s->downs;
}
