/*
 * test_ike_engine.c - two IKE engines in one process (strongSwan's
 * exchange_test_helper idea): an initiator (the CPE role) and a responder
 * (the gateway), wired through fake send callbacks into a queue pumped by
 * hand, with a fake clock, deterministic randomness, an optional NAT in
 * between and a fake data plane that records child_install/child_delete.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike.h"
#include "ike_sa.h"
#include "ikev2_wire.h"
#include "log.h"

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))
#define I_IP		IP(198, 51, 100, 7)	/* the CPE */
#define R_IP		IP(192, 0, 2, 2)	/* the gateway */
#define R_IP2		IP(192, 0, 2, 3)	/* the gateway's zone 2 */
#define NAT_IP		IP(203, 0, 113, 9)
#define LINK		"11111111-2222-3333-4444-555555555555"
#define MAXREC		32
#define QMAX		64

struct rec_del {
	uint32_t	spi_in, spi_out;
};

struct rec_ev {
	enum ike_event_type type;
	enum ike_reason	reason;
	bool		has_link;
	char		detail[512];
};

struct side {
	struct world	*w;
	int		idx;
	struct ike_engine *e;
	struct ike_peer_cfg cfg;	/* responder: lookup answer */
	struct ike_peer_cfg alt[2];	/* other tenants' links, same address: */
	unsigned	nalt;		/* candidates before cfg */
	bool		known;
	uint64_t	rng;
	struct ike_child_sa inst[MAXREC];
	size_t		ninst;
	struct rec_del	del[MAXREC];
	size_t		ndel;
	struct rec_ev	ev[MAXREC];
	size_t		nev;
	size_t		sent;
	bool		dead;		/* drop everything it sends */
	int		drop_exch;	/* drop the next message of ... */
	bool		drop_resp;
	int		drop_count;
};

struct pkt {
	int		to;
	struct ike_endpoint local, remote;	/* as the receiver sees them */
	uint8_t		data[IKEV2_MSG_MAX];
	size_t		len;
};

struct world {
	struct side	s[2];		/* 0 initiator, 1 responder */
	struct pkt	*q;
	size_t		qh, qt;
	monotime_t	now;
	bool		nat;
};

static int
fake_random(void *arg, uint8_t *buf, size_t len)
{
	struct side *s = arg;
	size_t i;

	for (i = 0; i < len; i++) {
		s->rng ^= s->rng << 13;
		s->rng ^= s->rng >> 7;
		s->rng ^= s->rng << 17;
		buf[i] = (uint8_t)(s->rng >> 24);
	}
	return 0;
}

static void
fake_send(void *arg, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	struct side *s = arg;
	struct world *w = s->w;
	struct pkt *p;
	int exch = len > 18 ? pkt[18] : -1;
	bool resp = len > 19 && (pkt[19] & IKEV2_FLAG_R);

	s->sent++;
	if (s->dead)
		return;
	if (s->drop_count > 0 && exch == s->drop_exch && resp == s->drop_resp) {
		s->drop_count--;
		return;
	}
	assert_true(w->qt - w->qh < QMAX);
	p = &w->q[w->qt++ % QMAX];
	p->to = 1 - s->idx;
	memcpy(p->data, pkt, len);
	p->len = len;
	if (s->idx == 0) {
		/* initiator -> responder, through the NAT if any */
		p->local = *remote;
		p->remote = *local;
		if (w->nat) {
			p->remote.ip = NAT_IP;
			p->remote.port = local->port == 500 ? 40000 : 40500;
		}
	} else {
		p->remote = *local;
		p->local = *remote;
		if (w->nat) {
			assert_int_equal(remote->ip, NAT_IP);
			p->local.ip = I_IP;
			p->local.port = remote->port == 40000 ? 500 : 4500;
		}
	}
}

static int
fake_lookup(void *arg, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, unsigned nth, struct ike_peer_cfg *out)
{
	struct side *s = arg;

	(void)remote;
	if (!s->known || nth > s->nalt)
		return -1;
	*out = nth < s->nalt ? s->alt[nth] : s->cfg;
	/* A zone-redundant link: zone 2 is the other endpoint (identity). */
	if (local->ip == R_IP2) {
		out->zone = 2;
		out->gw_ip = R_IP2;
	}
	return 0;
}

static void
fake_install(void *arg, const struct ike_child_sa *c)
{
	struct side *s = arg;

	assert_true(s->ninst < MAXREC);
	assert_string_equal(c->link_id, LINK);
	s->inst[s->ninst++] = *c;
}

static void
fake_delete(void *arg, const char *link_id, uint32_t spi_in, uint32_t spi_out)
{
	struct side *s = arg;

	assert_string_equal(link_id, LINK);
	assert_true(s->ndel < MAXREC);
	s->del[s->ndel].spi_in = spi_in;
	s->del[s->ndel].spi_out = spi_out;
	s->ndel++;
}

static void
fake_event(void *arg, const struct ike_event *ev)
{
	struct side *s = arg;
	struct rec_ev *r;

	assert_true(s->nev < MAXREC);
	r = &s->ev[s->nev++];
	r->type = ev->type;
	r->reason = ev->reason;
	r->has_link = ev->link_id != NULL;
	snprintf(r->detail, sizeof(r->detail), "%s",
	    ev->detail ? ev->detail : "");
}

static void
cfg_default(struct ike_peer_cfg *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->tenant_id, sizeof(c->tenant_id), "tenant");
	snprintf(c->rn_id, sizeof(c->rn_id), "rn");
	snprintf(c->link_id, sizeof(c->link_id), "%s", LINK);
	snprintf(c->name, sizeof(c->name), "branch-1");
	c->zone = 1;
	c->cpe_ip = I_IP;
	c->gw_ip = R_IP;
	snprintf(c->tunnel.psk, sizeof(c->tunnel.psk), "correct horse battery");
}

static void
cfg_custom(struct ike_peer_cfg *c, int enc, int integ, int dh, int ipenc,
    int ipint, int pfs)
{
	cfg_default(c);
	c->tunnel.custom = true;
	c->tunnel.ike_enc = enc;
	c->tunnel.ike_int = integ;
	c->tunnel.dh = dh;
	c->tunnel.ipsec_enc = ipenc;
	c->tunnel.ipsec_int = ipint;
	c->tunnel.pfs = pfs;
	c->tunnel.sa_lifetime = 3600;
}

static struct world *
world_new(const struct ike_engine_cfg *rcfg)
{
	struct world *w = calloc(1, sizeof(*w));
	struct ike_callbacks cb;
	struct ike_engine_cfg icfg;
	int i;

	assert_non_null(w);
	w->q = calloc(QMAX, sizeof(*w->q));
	assert_non_null(w->q);
	w->now = 1000 * MONOTIME_SEC;
	ike_engine_cfg_defaults(&icfg);
	for (i = 0; i < 2; i++) {
		struct side *s = &w->s[i];

		s->w = w;
		s->idx = i;
		s->rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
		s->drop_exch = -1;
		memset(&cb, 0, sizeof(cb));
		cb.arg = s;
		cb.send = fake_send;
		cb.lookup = fake_lookup;
		cb.child_install = fake_install;
		cb.child_delete = fake_delete;
		cb.event = fake_event;
		cb.random = fake_random;
		s->e = ike_engine_new(i == 1 ? rcfg : &icfg, &cb);
		assert_non_null(s->e);
	}
	cfg_default(&w->s[1].cfg);
	w->s[1].known = true;
	return w;
}

static void
world_free(struct world *w)
{
	ike_engine_free(w->s[0].e);
	ike_engine_free(w->s[1].e);
	free(w->q);
	free(w);
}

static size_t
pump(struct world *w)
{
	struct pkt *p;
	size_t n = 0;

	while (w->qh != w->qt) {
		p = &w->q[w->qh++ % QMAX];
		ike_input(w->s[p->to].e, &p->local, &p->remote, p->data, p->len,
		    w->now);
		assert_true(++n < 1000);
	}
	return n;
}

/* Advance the clock by step, running timers, until t has passed. */
static void
run_for(struct world *w, monotime_t t, monotime_t step)
{
	monotime_t end = w->now + t;

	while (w->now < end) {
		w->now += step;
		ike_tick(w->s[0].e, w->now);
		ike_tick(w->s[1].e, w->now);
		pump(w);
	}
}

static void
start(struct world *w, const struct ike_peer_cfg *icfg)
{
	struct ike_endpoint l = { I_IP, 500 }, r = { R_IP, 500 };

	assert_int_equal(ike_initiate(w->s[0].e, icfg, &l, &r, w->now), 0);
}

static size_t
count_ev(const struct side *s, enum ike_event_type t, enum ike_reason r)
{
	size_t i, n = 0;

	for (i = 0; i < s->nev; i++)
		if (s->ev[i].type == t && s->ev[i].reason == r)
			n++;
	return n;
}

static const struct rec_ev *
find_ev(const struct side *s, enum ike_event_type t)
{
	size_t i;

	for (i = 0; i < s->nev; i++)
		if (s->ev[i].type == t)
			return &s->ev[i];
	return NULL;
}

/* A's install ia and B's install ib are the two halves of one CHILD SA. */
static void
assert_pair(const struct ike_child_sa *a, const struct ike_child_sa *b)
{
	assert_int_equal(a->spi_out, b->spi_in);
	assert_int_equal(a->spi_in, b->spi_out);
	assert_int_equal(a->esp_encr, b->esp_encr);
	assert_int_equal(a->esp_integ, b->esp_integ);
	assert_int_equal(a->key_bits, b->key_bits);
	assert_int_equal(a->esn, b->esn);
	assert_int_equal(a->encr_len, b->encr_len);
	assert_int_equal(a->integ_len, b->integ_len);
	assert_memory_equal(a->encr_out, b->encr_in, a->encr_len);
	assert_memory_equal(a->encr_in, b->encr_out, a->encr_len);
	assert_memory_equal(a->integ_out, b->integ_in, a->integ_len);
	assert_memory_equal(a->integ_in, b->integ_out, a->integ_len);
	if (a->encr_len > 0)
		assert_memory_not_equal(a->encr_in, a->encr_out, a->encr_len);
	else
		assert_memory_not_equal(a->integ_in, a->integ_out,
		    a->integ_len);
}

static bool
deleted(const struct side *s, uint32_t spi_in)
{
	size_t i;

	for (i = 0; i < s->ndel; i++)
		if (s->del[i].spi_in == spi_in)
			return true;
	return false;
}

/* The one installed and not deleted CHILD SA of a side. */
static const struct ike_child_sa *
live_child(const struct side *s)
{
	const struct ike_child_sa *live = NULL;
	size_t i;

	for (i = 0; i < s->ninst; i++) {
		if (deleted(s, s->inst[i].spi_in))
			continue;
		assert_null(live);
		live = &s->inst[i];
	}
	return live;
}

static void
assert_up(struct world *w)
{
	struct ike_sa_status st[4];

	assert_int_equal(count_ev(&w->s[0], IKE_EV_TUNNEL_UP, IKE_R_NONE), 1);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_TUNNEL_UP, IKE_R_NONE), 1);
	assert_int_equal(w->s[0].ninst, 1);
	assert_int_equal(w->s[1].ninst, 1);
	assert_int_equal(w->s[0].ndel, 0);
	assert_int_equal(w->s[1].ndel, 0);
	assert_pair(&w->s[0].inst[0], &w->s[1].inst[0]);
	assert_int_equal(ike_status(w->s[1].e, st, 4), 1);
	assert_true(st[0].established);
	assert_false(st[0].initiator);
	assert_int_equal(st[0].child_sas, 1);
}

static struct world *
up_default(const struct ike_engine_cfg *rcfg)
{
	struct world *w = world_new(rcfg);
	struct ike_peer_cfg c;

	cfg_default(&c);
	start(w, &c);
	pump(w);
	assert_up(w);
	return w;
}

/* ---- tests ---- */

static void
test_default_policy(void **state)
{
	struct world *w = up_default(NULL);
	struct ike_sa_status st[2];
	struct ike_stats stats;

	(void)state;
	assert_int_equal(ike_status(w->s[1].e, st, 2), 1);
	/* The CPE's first proposal wins: system-facts §1.5 combo 1. */
	assert_string_equal(st[0].ike_suite, "aes256gcm16-prfsha384-modp2048s256");
	assert_string_equal(st[0].esp_suite, "aes256gcm16");
	assert_int_equal(w->s[1].inst[0].esp_encr, 20);
	assert_int_equal(w->s[1].inst[0].esp_integ, 0);
	assert_int_equal(w->s[1].inst[0].key_bits, 256);
	assert_int_equal(w->s[1].inst[0].encr_len, 36);
	assert_false(w->s[1].inst[0].esn);
	assert_false(w->s[1].inst[0].udp_encap);
	assert_int_equal(w->s[1].inst[0].lifetime_s, 3600);
	assert_int_equal(w->s[1].inst[0].remote.ip, I_IP);
	ike_get_stats(w->s[1].e, &stats);
	assert_int_equal(stats.sa_established, 1);
	assert_int_equal(stats.rx_malformed, 0);
	assert_true(ike_next_deadline(w->s[1].e) != MONOTIME_NEVER);
	world_free(w);
}

static void
test_default_combos(void **state)
{
	static const struct {
		int enc, integ, ipenc, ipint;
		const char *ike, *esp;
	} t[] = {
		{ MODEL_IKE_ENC_GCMAES256, MODEL_IKE_INT_GCMAES256,
		  MODEL_IPSEC_ENC_GCMAES256, MODEL_IPSEC_INT_GCMAES256,
		  "aes256gcm16-prfsha384-modp2048s256", "aes256gcm16" },
		{ MODEL_IKE_ENC_GCMAES128, MODEL_IKE_INT_GCMAES128,
		  MODEL_IPSEC_ENC_GCMAES192, MODEL_IPSEC_INT_GCMAES192,
		  "aes128gcm16-prfsha256-modp2048s256", "aes192gcm16" },
		{ MODEL_IKE_ENC_AES256, MODEL_IKE_INT_SHA384,
		  MODEL_IPSEC_ENC_GCMAES128, MODEL_IPSEC_INT_GCMAES128,
		  "aes256-sha384-prfsha384-modp2048s256", "aes128gcm16" },
		{ MODEL_IKE_ENC_AES128, MODEL_IKE_INT_SHA256,
		  MODEL_IPSEC_ENC_GCMAES256, MODEL_IPSEC_INT_GCMAES256,
		  "aes128-sha256-prfsha256-modp2048s256", "aes256gcm16" },
	};
	struct ike_sa_status st[2];
	struct ike_peer_cfg c;
	struct world *w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		w = world_new(NULL);
		cfg_custom(&c, t[i].enc, t[i].integ, MODEL_DH_GROUP24,
		    t[i].ipenc, t[i].ipint, MODEL_PFS_NONE);
		start(w, &c);
		pump(w);
		assert_up(w);
		assert_int_equal(ike_status(w->s[1].e, st, 2), 1);
		assert_string_equal(st[0].ike_suite, t[i].ike);
		assert_string_equal(st[0].esp_suite, t[i].esp);
		world_free(w);
	}
}

static void
test_custom_policies(void **state)
{
	static const struct {
		int enc, integ, dh, ipenc, ipint, pfs;
		const char *ike, *esp;
		uint16_t encr, integ_id;
	} t[] = {
		{ MODEL_IKE_ENC_AES128, MODEL_IKE_INT_SHA256, MODEL_DH_ECP256,
		  MODEL_IPSEC_ENC_GCMAES128, MODEL_IPSEC_INT_GCMAES128,
		  MODEL_PFS_NONE, "aes128-sha256-prfsha256-ecp256",
		  "aes128gcm16", 20, 0 },
		{ MODEL_IKE_ENC_AES256, MODEL_IKE_INT_SHA384, MODEL_DH_GROUP14,
		  MODEL_IPSEC_ENC_GCMAES256, MODEL_IPSEC_INT_GCMAES256,
		  MODEL_PFS_2048, "aes256-sha384-prfsha384-modp2048",
		  "aes256gcm16-modp2048", 20, 0 },
		{ MODEL_IKE_ENC_AES192, MODEL_IKE_INT_SHA256, MODEL_DH_GROUP2048,
		  MODEL_IPSEC_ENC_NONE, MODEL_IPSEC_INT_SHA256,
		  MODEL_PFS_NONE, "aes192-sha256-prfsha256-modp2048",
		  "null-sha256", 11, 12 },
		{ MODEL_IKE_ENC_GCMAES128, MODEL_IKE_INT_SHA256, MODEL_DH_ECP384,
		  MODEL_IPSEC_ENC_GCMAES192, MODEL_IPSEC_INT_GCMAES192,
		  MODEL_PFS_ECP384, "aes128gcm16-prfsha256-ecp384",
		  "aes192gcm16-ecp384", 20, 0 },
		{ MODEL_IKE_ENC_GCMAES256, MODEL_IKE_INT_GCMAES256,
		  MODEL_DH_GROUP24, MODEL_IPSEC_ENC_GCMAES256,
		  MODEL_IPSEC_INT_GCMAES256, MODEL_PFS_24,
		  "aes256gcm16-prfsha384-modp2048s256",
		  "aes256gcm16-modp2048s256", 20, 0 },
		{ MODEL_IKE_ENC_GCMAES256, MODEL_IKE_INT_SHA384, MODEL_DH_ECP256,
		  MODEL_IPSEC_ENC_GCMAES128, MODEL_IPSEC_INT_GCMAES128,
		  MODEL_PFS_2, "aes256gcm16-prfsha384-ecp256",
		  "aes128gcm16-modp1024", 20, 0 },
		{ MODEL_IKE_ENC_AES128, MODEL_IKE_INT_SHA384, MODEL_DH_ECP384,
		  MODEL_IPSEC_ENC_NONE, MODEL_IPSEC_INT_SHA256, MODEL_PFS_1,
		  "aes128-sha384-prfsha384-ecp384", "null-sha256-modp768",
		  11, 12 },
		{ MODEL_IKE_ENC_GCMAES128, MODEL_IKE_INT_GCMAES128,
		  MODEL_DH_GROUP14, MODEL_IPSEC_ENC_GCMAES128,
		  MODEL_IPSEC_INT_GCMAES128, MODEL_PFS_ECP256,
		  "aes128gcm16-prfsha256-modp2048", "aes128gcm16-ecp256", 20, 0 },
	};
	struct ike_sa_status st[2];
	struct ike_peer_cfg c;
	struct world *w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		w = world_new(NULL);
		cfg_custom(&c, t[i].enc, t[i].integ, t[i].dh, t[i].ipenc,
		    t[i].ipint, t[i].pfs);
		w->s[1].cfg = c;
		start(w, &c);
		pump(w);
		assert_up(w);
		assert_int_equal(w->s[1].inst[0].esp_encr, t[i].encr);
		assert_int_equal(w->s[1].inst[0].esp_integ, t[i].integ_id);
		assert_int_equal(ike_status(w->s[1].e, st, 2), 1);
		assert_string_equal(st[0].ike_suite, t[i].ike);
		/* The first CHILD SA has no PFS (§1.2): rekey to use it. */
		assert_int_equal(ike_rekey_child(w->s[0].e, LINK, w->now), 0);
		pump(w);
		assert_int_equal(w->s[0].ninst, 2);
		assert_int_equal(w->s[1].ninst, 2);
		assert_pair(&w->s[0].inst[1], &w->s[1].inst[1]);
		assert_int_equal(ike_status(w->s[1].e, st, 2), 1);
		assert_string_equal(st[0].esp_suite, t[i].esp);
		assert_int_equal(st[0].child_sas, 1);
		assert_pair(live_child(&w->s[0]), live_child(&w->s[1]));
		world_free(w);
	}
}

static void
test_wrong_psk(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_peer_cfg c;
	struct ike_stats st;
	const struct rec_ev *e;

	(void)state;
	cfg_default(&c);
	snprintf(c.tunnel.psk, sizeof(c.tunnel.psk), "wrong horse battery");
	start(w, &c);
	pump(w);
	assert_int_equal(w->s[0].ninst + w->s[1].ninst, 0);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_REJECT, IKE_R_AUTH_FAILED), 1);
	assert_int_equal(count_ev(&w->s[0], IKE_EV_REJECT, IKE_R_AUTH_FAILED), 1);
	e = find_ev(&w->s[1], IKE_EV_REJECT);
	assert_true(e->has_link);
	assert_non_null(strstr(e->detail, "pre-shared key"));
	ike_get_stats(w->s[1].e, &st);
	assert_int_equal(st.rx_auth_failed, 1);
	assert_int_equal(ike_status(w->s[0].e, NULL, 0), 0);
	assert_int_equal(ike_status(w->s[1].e, (struct ike_sa_status[1]){ 0 },
	    1), 0);
	world_free(w);
}

static void
test_wrong_identity(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_peer_cfg c;

	(void)state;
	cfg_default(&c);
	c.cpe_ip = IP(10, 9, 9, 9);	/* IDi the link does not expect */
	start(w, &c);
	pump(w);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_REJECT, IKE_R_AUTH_FAILED), 1);
	assert_non_null(strstr(find_ev(&w->s[1], IKE_EV_REJECT)->detail,
	    "IDi is 10.9.9.9"));
	assert_int_equal(w->s[0].ninst + w->s[1].ninst, 0);
	world_free(w);
}

static void
test_zone_psk(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_peer_cfg c;

	(void)state;
	cfg_default(&w->s[1].cfg);
	w->s[1].cfg.zone = 2;
	snprintf(w->s[1].cfg.tunnel.zone_psk, sizeof(w->s[1].cfg.tunnel.zone_psk),
	    "zone two key");
	cfg_default(&c);
	c.zone = 2;
	snprintf(c.tunnel.zone_psk, sizeof(c.tunnel.zone_psk), "zone two key");
	start(w, &c);
	pump(w);
	assert_up(w);
	world_free(w);
}

static void
test_no_proposal(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_peer_cfg c;
	struct ike_stats st;
	const struct rec_ev *e;

	(void)state;
	cfg_custom(&c, MODEL_IKE_ENC_AES128, MODEL_IKE_INT_SHA256,
	    MODEL_DH_ECP256, MODEL_IPSEC_ENC_GCMAES128,
	    MODEL_IPSEC_INT_GCMAES128, MODEL_PFS_NONE);
	start(w, &c);
	pump(w);
	e = find_ev(&w->s[1], IKE_EV_REJECT);
	assert_non_null(e);
	assert_int_equal(e->reason, IKE_R_NO_PROPOSAL);
	assert_true(e->has_link);
	assert_non_null(strstr(e->detail, "peer offered "
	    "AES_CBC_128/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/ECP_256; link "
	    "allows aes256gcm16-prfsha384-modp2048s256,"));
	assert_int_equal(count_ev(&w->s[0], IKE_EV_REJECT, IKE_R_NO_PROPOSAL), 1);
	ike_get_stats(w->s[1].e, &st);
	assert_int_equal(st.rx_no_proposal, 1);
	assert_int_equal(w->s[0].ninst + w->s[1].ninst, 0);
	world_free(w);
}

static void
test_esp_no_proposal(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_peer_cfg c;

	(void)state;
	/* IKE acceptable to the default policy, ESP (NULL) not. */
	cfg_custom(&c, MODEL_IKE_ENC_AES256, MODEL_IKE_INT_SHA384,
	    MODEL_DH_GROUP24, MODEL_IPSEC_ENC_NONE, MODEL_IPSEC_INT_SHA256,
	    MODEL_PFS_NONE);
	start(w, &c);
	pump(w);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_REJECT, IKE_R_NO_PROPOSAL), 1);
	assert_non_null(strstr(find_ev(&w->s[1], IKE_EV_REJECT)->detail,
	    "peer offered ESP NULL/HMAC_SHA2_256_128"));
	assert_int_equal(count_ev(&w->s[0], IKE_EV_REJECT, IKE_R_NO_PROPOSAL), 1);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_TUNNEL_UP, IKE_R_NONE), 0);
	assert_int_equal(w->s[0].ninst + w->s[1].ninst, 0);
	/* The childless IKE SA is deleted. */
	assert_int_equal(ike_status(w->s[0].e, (struct ike_sa_status[2]){ 0 },
	    2), 0);
	assert_int_equal(ike_status(w->s[1].e, (struct ike_sa_status[2]){ 0 },
	    2), 0);
	world_free(w);
}

static void
test_invalid_ke(void **state)
{
	struct world *w = world_new(NULL);
	static const uint16_t g[] = { 19, 24 };
	struct ike_peer_cfg c;
	struct ike_stats st;

	(void)state;
	ike_test_initiator_groups(w->s[0].e, g, 2);
	cfg_default(&c);
	start(w, &c);
	pump(w);
	assert_up(w);
	/* INIT, INVALID_KE, INIT again, INIT response, AUTH x2 */
	assert_int_equal(w->s[0].sent, 3);
	assert_int_equal(w->s[1].sent, 3);
	ike_get_stats(w->s[1].e, &st);
	assert_int_equal(st.rx_no_proposal, 0);
	world_free(w);
}

static void
test_cookie(void **state)
{
	struct ike_engine_cfg rc;
	struct world *w;
	struct ike_peer_cfg c;
	struct ike_stats st;

	(void)state;
	/* Zeroed, as branchgated passes it: the defaults, so no cookie. */
	memset(&rc, 0, sizeof(rc));
	w = world_new(&rc);
	cfg_default(&c);
	start(w, &c);
	pump(w);
	assert_up(w);
	ike_get_stats(w->s[1].e, &st);
	assert_int_equal(st.cookies_sent, 0);
	world_free(w);

	ike_engine_cfg_defaults(&rc);
	rc.cookie_threshold = IKE_COOKIE_ALWAYS;
	w = world_new(&rc);
	cfg_default(&c);
	start(w, &c);
	pump(w);
	assert_up(w);
	ike_get_stats(w->s[1].e, &st);
	assert_int_equal(st.cookies_sent, 1);
	world_free(w);

	/* Threshold 1: the second concurrent half-open SA needs a cookie. */
	rc.cookie_threshold = 1;
	w = world_new(&rc);
	start(w, &c);
	start(w, &c);
	pump(w);
	ike_get_stats(w->s[1].e, &st);
	assert_int_equal(st.cookies_sent, 1);
	assert_int_equal(st.sa_established, 2);
	world_free(w);
}

static void
test_half_open_limit(void **state)
{
	struct ike_engine_cfg rc;
	struct world *w;
	struct ike_peer_cfg c;
	struct ike_stats st;
	int i;

	(void)state;
	ike_engine_cfg_defaults(&rc);
	rc.half_open_per_source = 2;
	w = world_new(&rc);
	cfg_default(&c);
	w->s[0].drop_exch = IKEV2_EXCH_IKE_AUTH;
	w->s[0].drop_count = 100;
	for (i = 0; i < 4; i++)
		start(w, &c);
	pump(w);
	ike_get_stats(w->s[1].e, &st);
	assert_int_equal(st.half_open_dropped, 2);
	world_free(w);
}

static void
test_lost_request(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_peer_cfg c;
	struct ike_stats st;

	(void)state;
	cfg_default(&c);
	w->s[0].drop_exch = IKEV2_EXCH_IKE_AUTH;
	w->s[0].drop_resp = false;
	w->s[0].drop_count = 1;
	start(w, &c);
	pump(w);
	assert_int_equal(w->s[1].ninst, 0);
	assert_true(ike_next_deadline(w->s[0].e) <= w->now + 500 * MONOTIME_MSEC);
	run_for(w, 600 * MONOTIME_MSEC, 100 * MONOTIME_MSEC);
	assert_up(w);
	ike_get_stats(w->s[0].e, &st);
	assert_int_equal(st.retransmits, 1);
	world_free(w);
}

static void
test_lost_response(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_peer_cfg c;
	struct ike_stats st;

	(void)state;
	cfg_default(&c);
	w->s[1].drop_exch = IKEV2_EXCH_IKE_AUTH;
	w->s[1].drop_resp = true;
	w->s[1].drop_count = 1;
	start(w, &c);
	pump(w);
	assert_int_equal(w->s[1].ninst, 1);	/* installed before sending */
	assert_int_equal(w->s[0].ninst, 0);
	run_for(w, 600 * MONOTIME_MSEC, 100 * MONOTIME_MSEC);
	/* Answered from the cache: processed (and installed) once. */
	assert_up(w);
	ike_get_stats(w->s[0].e, &st);
	assert_int_equal(st.retransmits, 1);
	world_free(w);
}

static void
test_retransmit_give_up(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_peer_cfg c;
	struct ike_stats st;

	(void)state;
	cfg_default(&c);
	w->s[1].dead = true;
	start(w, &c);
	pump(w);
	/* 0.5 + 1 + 2 + 4 + 8 + 16 + 32 s */
	run_for(w, 64 * MONOTIME_SEC, 250 * MONOTIME_MSEC);
	assert_int_equal(count_ev(&w->s[0], IKE_EV_TUNNEL_DOWN, IKE_R_TIMEOUT), 1);
	ike_get_stats(w->s[0].e, &st);
	assert_int_equal(st.retransmits, 6);
	assert_int_equal(ike_next_deadline(w->s[0].e), MONOTIME_NEVER);
	world_free(w);
}

static void
test_child_rekey(void **state)
{
	struct world *w = up_default(NULL);
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		/* i = 0: the CPE rekeys; i = 1: the gateway. */
		assert_int_equal(ike_rekey_child(w->s[i].e, LINK, w->now), 0);
		pump(w);
		assert_int_equal(w->s[0].ninst, (size_t)i + 2);
		assert_int_equal(w->s[1].ninst, (size_t)i + 2);
		assert_int_equal(w->s[0].ndel, (size_t)i + 1);
		assert_int_equal(w->s[1].ndel, (size_t)i + 1);
		assert_pair(&w->s[0].inst[i + 1], &w->s[1].inst[i + 1]);
		assert_pair(live_child(&w->s[0]), live_child(&w->s[1]));
		assert_true(deleted(&w->s[0], w->s[0].inst[i].spi_in));
		assert_true(deleted(&w->s[1], w->s[1].inst[i].spi_in));
	}
	assert_int_equal(count_ev(&w->s[0], IKE_EV_REKEYED, IKE_R_NONE), 2);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_REKEYED, IKE_R_NONE), 2);
	world_free(w);
}

static void
test_child_rekey_timer(void **state)
{
	struct world *w = up_default(NULL);

	(void)state;
	/* Default lifetime 3600 s: rekeyed between 80 % and 90 %. */
	run_for(w, 2880 * MONOTIME_SEC - MONOTIME_SEC, 10 * MONOTIME_SEC);
	assert_int_equal(w->s[0].ninst, 1);
	run_for(w, 360 * MONOTIME_SEC, 10 * MONOTIME_SEC);
	assert_true(w->s[0].ninst >= 2);
	assert_pair(live_child(&w->s[0]), live_child(&w->s[1]));
	assert_int_equal(count_ev(&w->s[0], IKE_EV_TUNNEL_DOWN, IKE_R_DEAD_PEER), 0);
	world_free(w);
}

static void
test_ike_rekey(void **state)
{
	struct world *w = up_default(NULL);
	struct ike_sa_status st[4];
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(ike_rekey_ike(w->s[i].e, LINK, w->now), 0);
		pump(w);
		assert_int_equal(ike_status(w->s[0].e, st, 4), 1);
		assert_true(st[0].established);
		assert_int_equal(st[0].child_sas, 1);
		assert_int_equal(ike_status(w->s[1].e, st, 4), 1);
		assert_true(st[0].established);
		/* Children moved, nothing reinstalled. */
		assert_int_equal(w->s[0].ninst, 1);
		assert_int_equal(w->s[1].ndel, 0);
	}
	assert_int_equal(count_ev(&w->s[0], IKE_EV_REKEYED, IKE_R_NONE), 2);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_TUNNEL_DOWN, IKE_R_NONE) +
	    count_ev(&w->s[1], IKE_EV_TUNNEL_DOWN, IKE_R_PEER_DELETE), 0);
	/* The new SA's keys agree: a CHILD rekey over it works. */
	assert_int_equal(ike_rekey_child(w->s[1].e, LINK, w->now), 0);
	pump(w);
	assert_int_equal(w->s[0].ninst, 2);
	assert_pair(&w->s[0].inst[1], &w->s[1].inst[1]);
	assert_pair(live_child(&w->s[0]), live_child(&w->s[1]));
	world_free(w);
}

static void
test_child_rekey_collision(void **state)
{
	struct world *w = up_default(NULL);

	(void)state;
	assert_int_equal(ike_rekey_child(w->s[0].e, LINK, w->now), 0);
	assert_int_equal(ike_rekey_child(w->s[1].e, LINK, w->now), 0);
	pump(w);
	/* Two new SAs were made; the redundant one and the old are gone. */
	assert_int_equal(w->s[0].ninst, 3);
	assert_int_equal(w->s[1].ninst, 3);
	assert_int_equal(w->s[0].ndel, 2);
	assert_int_equal(w->s[1].ndel, 2);
	assert_pair(live_child(&w->s[0]), live_child(&w->s[1]));
	assert_true(deleted(&w->s[0], w->s[0].inst[0].spi_in));
	assert_true(deleted(&w->s[1], w->s[1].inst[0].spi_in));
	/* And the survivor still rekeys. */
	assert_int_equal(ike_rekey_child(w->s[0].e, LINK, w->now), 0);
	pump(w);
	assert_int_equal(w->s[0].ninst, 4);
	assert_pair(live_child(&w->s[0]), live_child(&w->s[1]));
	world_free(w);
}

static void
test_ike_rekey_collision(void **state)
{
	struct world *w = up_default(NULL);
	struct ike_sa_status st[4];

	(void)state;
	assert_int_equal(ike_rekey_ike(w->s[0].e, LINK, w->now), 0);
	assert_int_equal(ike_rekey_ike(w->s[1].e, LINK, w->now), 0);
	pump(w);
	/* Both answered TEMPORARY_FAILURE; the retries are jittered. */
	run_for(w, 30 * MONOTIME_SEC, MONOTIME_SEC);
	assert_int_equal(ike_status(w->s[0].e, st, 4), 1);
	assert_int_equal(ike_status(w->s[1].e, st, 4), 1);
	assert_true(count_ev(&w->s[0], IKE_EV_REKEYED, IKE_R_NONE) >= 1);
	assert_int_equal(w->s[0].ndel, 0);
	assert_pair(live_child(&w->s[0]), live_child(&w->s[1]));
	world_free(w);
}

static void
test_delete(void **state)
{
	struct world *w;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		/* i = 0: the CPE deletes; i = 1: the gateway (link removed). */
		w = up_default(NULL);
		ike_peer_remove(w->s[i].e, LINK, w->now);
		pump(w);
		assert_int_equal(count_ev(&w->s[i], IKE_EV_TUNNEL_DOWN,
		    IKE_R_LOCAL_DELETE), 1);
		assert_int_equal(count_ev(&w->s[1 - i], IKE_EV_TUNNEL_DOWN,
		    IKE_R_PEER_DELETE), 1);
		assert_int_equal(w->s[0].ndel, 1);
		assert_int_equal(w->s[1].ndel, 1);
		assert_int_equal(w->s[0].del[0].spi_in, w->s[1].del[0].spi_out);
		assert_int_equal(ike_status(w->s[0].e, NULL, 0), 0);
		assert_int_equal(ike_next_deadline(w->s[0].e), MONOTIME_NEVER);
		assert_int_equal(ike_next_deadline(w->s[1].e), MONOTIME_NEVER);
		world_free(w);
	}
}

static void
test_shutdown(void **state)
{
	struct world *w = up_default(NULL);

	(void)state;
	ike_shutdown(w->s[1].e, w->now);
	pump(w);
	assert_int_equal(count_ev(&w->s[0], IKE_EV_TUNNEL_DOWN,
	    IKE_R_PEER_DELETE), 1);
	assert_int_equal(w->s[0].ndel + w->s[1].ndel, 2);
	world_free(w);
}

static void
test_dpd(void **state)
{
	struct world *w = up_default(NULL);
	struct ike_stats st;

	(void)state;
	/* Alive: liveness checks are answered, nothing goes down. */
	run_for(w, 100 * MONOTIME_SEC, MONOTIME_SEC);
	assert_int_equal(w->s[0].nev + w->s[1].nev, 2);
	assert_true(w->s[0].sent > 2);
	/* The CPE dies: the gateway declares it dead. */
	w->s[0].dead = true;
	run_for(w, 30 * MONOTIME_SEC + 64 * MONOTIME_SEC, MONOTIME_SEC);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_TUNNEL_DOWN,
	    IKE_R_DEAD_PEER), 1);
	assert_int_equal(w->s[1].ndel, 1);
	assert_int_equal(w->s[1].del[0].spi_in, w->s[1].inst[0].spi_in);
	ike_get_stats(w->s[1].e, &st);
	assert_true(st.retransmits >= 6);
	world_free(w);
}

static void
test_half_open_expiry(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_peer_cfg c;
	struct ike_sa_status st[2];

	(void)state;
	cfg_default(&c);
	start(w, &c);
	w->s[0].drop_exch = IKEV2_EXCH_IKE_AUTH;
	w->s[0].drop_count = 100;
	pump(w);
	assert_int_equal(ike_status(w->s[1].e, st, 2), 1);
	assert_false(st[0].established);
	run_for(w, 31 * MONOTIME_SEC, MONOTIME_SEC);
	assert_int_equal(ike_status(w->s[1].e, st, 2), 0);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_REJECT, IKE_R_TIMEOUT), 1);
	assert_int_equal(w->s[1].ninst, 0);
	world_free(w);
}

static void
test_unknown_peer(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_peer_cfg c;
	struct ike_stats st;
	const struct rec_ev *e;

	(void)state;
	w->s[1].known = false;
	cfg_default(&c);
	start(w, &c);
	pump(w);
	assert_int_equal(w->s[1].sent, 0);
	e = find_ev(&w->s[1], IKE_EV_REJECT);
	assert_non_null(e);
	assert_int_equal(e->reason, IKE_R_UNKNOWN_PEER);
	assert_false(e->has_link);
	assert_non_null(strstr(e->detail, "198.51.100.7"));
	ike_get_stats(w->s[1].e, &st);
	assert_int_equal(st.rx_unknown_peer, 1);
	world_free(w);
}

static void
test_malformed(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_endpoint l = { R_IP, 500 }, r = { I_IP, 500 };
	uint8_t junk[64];
	struct ike_peer_cfg c;
	struct ike_stats st;
	struct pkt *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37);
	ike_input(w->s[1].e, &l, &r, junk, sizeof(junk), w->now);
	ike_input(w->s[1].e, &l, &r, junk, 3, w->now);
	ike_get_stats(w->s[1].e, &st);
	assert_int_equal(st.rx_malformed, 2);
	assert_int_equal(w->s[1].sent, 0);

	/* A tampered IKE_AUTH: dropped and counted, the retransmit works. */
	cfg_default(&c);
	start(w, &c);
	pump(w);	/* INIT both ways, IKE_AUTH request queued? no: sent */
	world_free(w);

	w = world_new(NULL);
	start(w, &c);
	p = &w->q[w->qh % QMAX];
	ike_input(w->s[1].e, &p->local, &p->remote, p->data, p->len, w->now);
	w->qh++;
	p = &w->q[w->qh % QMAX];	/* INIT response */
	ike_input(w->s[0].e, &p->local, &p->remote, p->data, p->len, w->now);
	w->qh++;
	p = &w->q[w->qh % QMAX];	/* IKE_AUTH request */
	p->data[p->len - 5] ^= 0x40;
	ike_input(w->s[1].e, &p->local, &p->remote, p->data, p->len, w->now);
	w->qh++;
	/* truncated copy of the INIT response: length mismatch */
	ike_get_stats(w->s[1].e, &st);
	assert_int_equal(st.rx_malformed, 1);
	assert_int_equal(w->s[1].ninst, 0);
	run_for(w, 600 * MONOTIME_MSEC, 100 * MONOTIME_MSEC);
	assert_up(w);
	world_free(w);
}

static void
test_ts_unacceptable(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_peer_cfg c;

	(void)state;
	ike_test_initiator_narrow_ts(w->s[0].e, true);
	cfg_default(&c);
	start(w, &c);
	pump(w);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_REJECT,
	    IKE_R_TS_UNACCEPTABLE), 1);
	assert_int_equal(count_ev(&w->s[0], IKE_EV_REJECT,
	    IKE_R_TS_UNACCEPTABLE), 1);
	assert_int_equal(w->s[0].ninst + w->s[1].ninst, 0);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_TUNNEL_UP, IKE_R_NONE), 0);
	assert_int_equal(ike_status(w->s[1].e, (struct ike_sa_status[2]){ 0 },
	    2), 0);
	world_free(w);
}

static void
test_nat(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_peer_cfg c;
	struct ike_sa_status st[2];

	(void)state;
	w->nat = true;
	cfg_default(&c);
	start(w, &c);
	pump(w);
	assert_up(w);
	/* §2.23: both float to 4500; the gateway learned the new port. */
	assert_true(w->s[1].inst[0].udp_encap);
	assert_true(w->s[0].inst[0].udp_encap);
	assert_int_equal(w->s[1].inst[0].local.port, 4500);
	assert_int_equal(w->s[1].inst[0].remote.ip, NAT_IP);
	assert_int_equal(w->s[1].inst[0].remote.port, 40500);
	assert_int_equal(w->s[0].inst[0].local.port, 4500);
	assert_int_equal(w->s[0].inst[0].remote.port, 4500);
	assert_int_equal(ike_status(w->s[1].e, st, 2), 1);
	assert_true(st[0].nat_detected);
	/* Rekeys and deletes keep working through the NAT. */
	assert_int_equal(ike_rekey_child(w->s[1].e, LINK, w->now), 0);
	pump(w);
	assert_pair(live_child(&w->s[0]), live_child(&w->s[1]));
	ike_peer_remove(w->s[0].e, LINK, w->now);
	pump(w);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_TUNNEL_DOWN,
	    IKE_R_PEER_DELETE), 1);
	world_free(w);
}

static void
test_initial_contact(void **state)
{
	struct world *w = up_default(NULL);
	struct ike_peer_cfg c;
	struct ike_sa_status st[4];

	(void)state;
	/* The CPE reboots and forgets its SA: INITIAL_CONTACT replaces it. */
	ike_engine_free(w->s[0].e);
	{
		struct ike_callbacks cb;

		memset(&cb, 0, sizeof(cb));
		cb.arg = &w->s[0];
		cb.send = fake_send;
		cb.child_install = fake_install;
		cb.child_delete = fake_delete;
		cb.event = fake_event;
		cb.random = fake_random;
		w->s[0].e = ike_engine_new(NULL, &cb);
	}
	cfg_default(&c);
	start(w, &c);
	pump(w);
	assert_int_equal(ike_status(w->s[1].e, st, 4), 1);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_TUNNEL_DOWN,
	    IKE_R_PEER_DELETE), 1);
	assert_int_equal(w->s[1].ndel, 1);
	assert_int_equal(w->s[1].ninst, 2);
	assert_pair(&w->s[0].inst[1], &w->s[1].inst[1]);
	world_free(w);
}

/*
 * Zone redundancy: one link, one tunnel per zone, each gateway endpoint its
 * own identity (IDr). Each zone's first IKE_AUTH carries INITIAL_CONTACT;
 * §2.4 limits it to SAs between the same two identities, so both tunnels
 * stay up. A branch that reboots and comes back on zone 2 replaces only
 * its zone-2 SA.
 */
static void
test_initial_contact_zones(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_endpoint l = { I_IP, 500 }, r1 = { R_IP, 500 },
	    r2 = { R_IP2, 500 };
	struct ike_peer_cfg c1, c2;
	struct ike_sa_status st[4];
	size_t i, n;
	int zones;

	(void)state;
	cfg_default(&c1);
	c2 = c1;
	c2.zone = 2;
	c2.gw_ip = R_IP2;
	assert_int_equal(ike_initiate(w->s[0].e, &c1, &l, &r1, w->now), 0);
	pump(w);
	assert_int_equal(ike_initiate(w->s[0].e, &c2, &l, &r2, w->now), 0);
	pump(w);
	n = ike_status(w->s[1].e, st, 4);
	assert_int_equal(n, 2);
	for (i = 0, zones = 0; i < n; i++) {
		assert_true(st[i].established);
		zones |= st[i].local.ip == R_IP ? 1 : st[i].local.ip == R_IP2 ?
		    2 : 4;
	}
	assert_int_equal(zones, 3);
	/* Each CHILD SA carries its IKE SA's zone (ESP ECMP per zone). */
	assert_int_equal(w->s[1].ninst, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(w->s[0].inst[i].zone, i + 1);
		assert_int_equal(w->s[1].inst[i].zone,
		    w->s[1].inst[i].local.ip == R_IP2 ? 2 : 1);
	}
	assert_int_equal(count_ev(&w->s[1], IKE_EV_TUNNEL_DOWN,
	    IKE_R_PEER_DELETE), 0);
	assert_int_equal(w->s[1].ndel, 0);

	/* The branch reboots and reconnects zone 2 only. */
	ike_peer_forget(w->s[0].e, c1.link_id, w->now);
	assert_int_equal(ike_initiate(w->s[0].e, &c2, &l, &r2, w->now), 0);
	pump(w);
	n = ike_status(w->s[1].e, st, 4);
	assert_int_equal(n, 2);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_TUNNEL_DOWN,
	    IKE_R_PEER_DELETE), 1);
	assert_int_equal(w->s[1].ndel, 1);
	for (i = 0, zones = 0; i < n; i++)
		zones |= st[i].local.ip == R_IP ? 1 : 2;
	assert_int_equal(zones, 3);

	/* Zone 2's key changed on the gateway: only zone 2's SA goes, with a
	 * DELETE (the branch, which holds only its new zone-2 SA since it
	 * forgot the rest, learns it); zone 1's is untouched (the zones may be
	 * on two nodes). */
	ike_peer_remove_zone(w->s[1].e, c1.link_id, 2, w->now);
	pump(w);
	n = ike_status(w->s[1].e, st, 4);
	assert_int_equal(n, 1);
	assert_int_equal(st[0].zone, 1);
	assert_int_equal(st[0].local.ip, R_IP);
	assert_true(st[0].established);
	assert_int_equal(ike_status(w->s[0].e, st, 4), 0);
	assert_int_equal(count_ev(&w->s[0], IKE_EV_TUNNEL_DOWN,
	    IKE_R_PEER_DELETE), 1);
	/* Again: no zone-2 SA left, nothing else goes. */
	ike_peer_remove_zone(w->s[1].e, c1.link_id, 2, w->now);
	assert_int_equal(ike_status(w->s[1].e, st, 4), 1);
	world_free(w);
}

/*
 * Two other tenants' links with the branch's public address come first: one
 * whose policy refuses the offer (skipped at IKE_SA_INIT), one that takes it
 * but has another key (skipped at IKE_AUTH). The branch's own link wins; the
 * others never see a tunnel. With no candidate's key right: refused.
 */
static void
test_shared_address(void **state)
{
	struct world *w = world_new(NULL);
	struct ike_peer_cfg c;
	struct ike_sa_status st[4];
	struct ike_stats ist;

	(void)state;
	cfg_default(&c);
	w->s[1].alt[0] = w->s[1].cfg;
	snprintf(w->s[1].alt[0].link_id, sizeof(w->s[1].alt[0].link_id),
	    "other-tenant-custom");
	{
		struct ike_peer_cfg cu;	/* no IKE suite in common */

		cfg_custom(&cu, MODEL_IKE_ENC_AES128, MODEL_IKE_INT_SHA256,
		    MODEL_DH_ECP256, MODEL_IPSEC_ENC_GCMAES128,
		    MODEL_IPSEC_INT_GCMAES128, MODEL_PFS_NONE);
		w->s[1].alt[0].tunnel = cu.tunnel;
	}
	w->s[1].alt[1] = w->s[1].cfg;
	snprintf(w->s[1].alt[1].link_id, sizeof(w->s[1].alt[1].link_id),
	    "other-tenant-default");
	snprintf(w->s[1].alt[1].tunnel.psk, sizeof(w->s[1].alt[1].tunnel.psk),
	    "squatters key 12345");
	w->s[1].nalt = 2;
	start(w, &c);
	pump(w);
	assert_up(w);
	assert_int_equal(ike_status(w->s[1].e, st, 4), 1);
	assert_string_equal(st[0].link_id, LINK);
	assert_int_equal(w->s[1].ninst, 1);

	/* The branch's key matches none: refused, nobody gets a tunnel. */
	snprintf(w->s[1].cfg.tunnel.psk, sizeof(w->s[1].cfg.tunnel.psk),
	    "changed on the gateway");
	ike_peer_forget(w->s[0].e, c.link_id, w->now);
	ike_peer_forget(w->s[1].e, LINK, w->now);
	start(w, &c);
	pump(w);
	assert_int_equal(ike_status(w->s[1].e, st, 4), 0);
	ike_get_stats(w->s[1].e, &ist);
	assert_int_equal(ist.rx_auth_failed, 1);
	/* Both links that took the suite hear of the refusal. */
	assert_int_equal(count_ev(&w->s[1], IKE_EV_REJECT, IKE_R_AUTH_FAILED),
	    2);
	world_free(w);
}

/* ike_peer_forget(): nothing on the wire, the peer learns from INITIAL_CONTACT. */
static void
test_forget(void **state)
{
	struct world *w = up_default(NULL);
	struct ike_peer_cfg c;
	struct ike_sa_status st[4];
	size_t sent;

	(void)state;
	cfg_default(&c);
	sent = w->s[0].sent;
	ike_peer_forget(w->s[0].e, "other-link", w->now);	/* not ours */
	assert_int_equal(ike_status(w->s[0].e, st, 4), 1);
	ike_peer_forget(w->s[0].e, c.link_id, w->now);
	assert_int_equal(w->s[0].sent, sent);
	assert_int_equal(w->qh, w->qt);
	assert_int_equal(ike_status(w->s[0].e, st, 4), 0);
	assert_int_equal(w->s[0].ndel, 1);
	assert_int_equal(count_ev(&w->s[0], IKE_EV_TUNNEL_DOWN,
	    IKE_R_LOCAL_DELETE), 1);
	assert_int_equal(ike_status(w->s[1].e, st, 4), 1);
	/* The branch comes back: its INITIAL_CONTACT retires the old SA. */
	start(w, &c);
	pump(w);
	assert_int_equal(ike_status(w->s[0].e, st, 4), 1);
	assert_int_equal(ike_status(w->s[1].e, st, 4), 1);
	assert_true(st[0].established);
	assert_int_equal(count_ev(&w->s[1], IKE_EV_TUNNEL_DOWN,
	    IKE_R_PEER_DELETE), 1);
	assert_int_equal(w->s[1].ndel, 1);
	world_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_policy),
		cmocka_unit_test(test_default_combos),
		cmocka_unit_test(test_custom_policies),
		cmocka_unit_test(test_wrong_psk),
		cmocka_unit_test(test_wrong_identity),
		cmocka_unit_test(test_zone_psk),
		cmocka_unit_test(test_no_proposal),
		cmocka_unit_test(test_esp_no_proposal),
		cmocka_unit_test(test_invalid_ke),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_half_open_limit),
		cmocka_unit_test(test_lost_request),
		cmocka_unit_test(test_lost_response),
		cmocka_unit_test(test_retransmit_give_up),
		cmocka_unit_test(test_child_rekey),
		cmocka_unit_test(test_child_rekey_timer),
		cmocka_unit_test(test_ike_rekey),
		cmocka_unit_test(test_child_rekey_collision),
		cmocka_unit_test(test_ike_rekey_collision),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_shutdown),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_dpd),
		cmocka_unit_test(test_half_open_expiry),
		cmocka_unit_test(test_unknown_peer),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_ts_unacceptable),
		cmocka_unit_test(test_nat),
		cmocka_unit_test(test_initial_contact),
		cmocka_unit_test(test_initial_contact_zones),
		cmocka_unit_test(test_shared_address),
	};

	log_set_level(LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
