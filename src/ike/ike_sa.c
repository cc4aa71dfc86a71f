/*
 * ike_sa.c - IKE SA and CHILD SA state: the SPI tables, the timer heap
 * (one entry per SA, keyed by its earliest deadline), retransmission with
 * exponential back-off (RFC 7296 §2.1, §2.4), rekey/liveness/expiry timers,
 * the queue of tasks waiting for the window of one (§2.3), children, events
 * and rate-limited remote-error logs. Exchanges live in ike_task_*.c.
 */
#include "ike_sa.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "ike_msg.h"
#include "ike_task.h"
#include "ip4.h"
#include "log.h"

/*
 * Without cb->random, small draws come from a per-engine pool refilled
 * from RAND_bytes IKE_RND_POOL bytes at a time: every RAND_bytes call pays
 * OpenSSL's fork check (a getpid() syscall) and DRBG locking, and a setup
 * makes ~10 small draws. Bytes are wiped as they are handed out, the rest
 * when the engine is freed. Not fork-safe: a child forked after
 * ike_engine_new() would hand out the parent's pending bytes again; the
 * daemon never forks once the engine exists. The engine is
 * single-threaded, so the pool needs no lock.
 */
int
ike_rand(struct ike_engine *eng, void *buf, size_t len)
{
	uint8_t *p;

	if (eng->cb.random != NULL)
		return eng->cb.random(eng->cb.arg, buf, len);
	if (len > sizeof(eng->rnd))
		return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
	if (len > eng->rnd_left) {
		if (RAND_bytes(eng->rnd, (int)sizeof(eng->rnd)) != 1) {
			explicit_bzero(eng->rnd, sizeof(eng->rnd));
			eng->rnd_left = 0;
			return -1;
		}
		eng->rnd_left = sizeof(eng->rnd);
	}
	p = eng->rnd + sizeof(eng->rnd) - eng->rnd_left;
	memcpy(buf, p, len);
	explicit_bzero(p, len);
	eng->rnd_left -= len;
	return 0;
}

int
ike_rand_cb(void *eng, uint8_t *buf, size_t len)
{
	return ike_rand(eng, buf, len);
}

uint64_t
ike_rand_u64(struct ike_engine *eng)
{
	uint64_t v = 0;

	if (ike_rand(eng, &v, sizeof(v)) == -1)
		return 0;
	return v;
}

static size_t
h64(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (size_t)(v & (IKE_HASH_SIZE - 1));
}

/* FNV-1a over the link id, folded like the SPIs. */
static size_t
h_link(const char *id)
{
	uint64_t v = 0xcbf29ce484222325ULL;

	for (; *id != '\0'; id++)
		v = (v ^ (uint8_t)*id) * 0x100000001b3ULL;
	return h64(v);
}

static uint64_t
our_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

struct ike_sa *
ike_sa_lookup(struct ike_engine *eng, uint64_t spi)
{
	struct ike_sa *sa;

	for (sa = eng->by_lspi[h64(spi)]; sa != NULL; sa = sa->lspi_next)
		if (our_spi(sa) == spi)
			return sa;
	return NULL;
}

struct ike_sa *
ike_sa_lookup_init(struct ike_engine *eng, uint64_t spi_i, uint32_t ip)
{
	struct ike_sa *sa;

	for (sa = eng->by_init[h64(spi_i ^ ip)]; sa != NULL; sa = sa->init_next)
		if (sa->spi_i == spi_i && sa->remote.ip == ip)
			return sa;
	return NULL;
}

struct ike_sa *
ike_sa_new(struct ike_engine *eng, bool initiator, uint64_t spi,
    monotime_t now)
{
	struct ike_sa *sa;
	size_t h, i;
	int tries = 0;

	if (spi != 0 && ike_sa_lookup(eng, spi) != NULL)
		return NULL;
	while (spi == 0 || ike_sa_lookup(eng, spi) != NULL) {
		spi = ike_rand_u64(eng);
		if (++tries > 16)
			return NULL;
	}
	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		return NULL;
	sa->eng = eng;
	sa->initiator = initiator;
	if (initiator)
		sa->spi_i = spi;
	else
		sa->spi_r = spi;
	sa->heap_idx = SIZE_MAX;
	sa->deadline = MONOTIME_NEVER;
	sa->created = sa->last_rx = now;
	sa->rekey_at = sa->expire_at = sa->retry_rekey_at = MONOTIME_NEVER;
	sa->req.child = -1;
	for (i = 0; i < IKE_CHILD_MAX; i++)
		sa->child[i].state = IKE_CHILD_FREE;
	h = h64(spi);
	sa->lspi_next = eng->by_lspi[h];
	eng->by_lspi[h] = sa;
	eng->nsa++;
	return sa;
}

void
ike_sa_index_init(struct ike_sa *sa)
{
	struct ike_engine *eng = sa->eng;
	size_t h;

	if (sa->in_init_tab)
		return;
	h = h64(sa->spi_i ^ sa->remote.ip);
	sa->init_next = eng->by_init[h];
	eng->by_init[h] = sa;
	sa->in_init_tab = true;
	h = h64(sa->remote.ip);
	sa->src_next = eng->by_src[h];
	eng->by_src[h] = sa;
	sa->in_src_tab = true;
	eng->half_open++;
}

static void
unlink_from(struct ike_sa **head, struct ike_sa *sa, size_t off)
{
	struct ike_sa **pp, *cur;

	for (pp = head; (cur = *pp) != NULL;
	    pp = (struct ike_sa **)((char *)cur + off)) {
		if (cur == sa) {
			*pp = *(struct ike_sa **)((char *)cur + off);
			return;
		}
	}
}

void
ike_sa_index_link(struct ike_sa *sa)
{
	struct ike_engine *eng = sa->eng;
	size_t h;

	if (sa->in_link_tab)
		unlink_from(&eng->by_link[sa->link_h], sa,
		    offsetof(struct ike_sa, link_next));
	sa->in_link_tab = false;
	if (!sa->have_cfg)
		return;
	h = h_link(sa->cfg.link_id);
	sa->link_h = h;
	sa->link_next = eng->by_link[h];
	eng->by_link[h] = sa;
	sa->in_link_tab = true;
}

struct ike_sa *
ike_sa_link_first(struct ike_engine *eng, const char *link_id)
{
	return eng->by_link[h_link(link_id)];
}

void
ike_sa_half_open_done(struct ike_sa *sa)
{
	struct ike_engine *eng = sa->eng;

	if (!sa->in_src_tab)
		return;
	unlink_from(&eng->by_src[h64(sa->remote.ip)], sa,
	    offsetof(struct ike_sa, src_next));
	sa->in_src_tab = false;
	eng->half_open--;
}

unsigned
ike_sa_half_open_from(struct ike_engine *eng, uint32_t ip)
{
	struct ike_sa *sa;
	unsigned n = 0;

	for (sa = eng->by_src[h64(ip)]; sa != NULL; sa = sa->src_next)
		if (sa->remote.ip == ip)
			n++;
	return n;
}

/* Timer heap (STYLE §5): min-heap of SAs by deadline. */
static void
heap_swap(struct ike_engine *eng, size_t a, size_t b)
{
	struct ike_sa *t = eng->heap[a];

	eng->heap[a] = eng->heap[b];
	eng->heap[b] = t;
	eng->heap[a]->heap_idx = a;
	eng->heap[b]->heap_idx = b;
}

static void
heap_fix(struct ike_engine *eng, size_t i)
{
	size_t p, l, r, m;

	while (i > 0) {
		p = (i - 1) / 2;
		if (eng->heap[p]->deadline <= eng->heap[i]->deadline)
			break;
		heap_swap(eng, p, i);
		i = p;
	}
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < eng->heap_len &&
		    eng->heap[l]->deadline < eng->heap[m]->deadline)
			m = l;
		if (r < eng->heap_len &&
		    eng->heap[r]->deadline < eng->heap[m]->deadline)
			m = r;
		if (m == i)
			break;
		heap_swap(eng, i, m);
		i = m;
	}
}

static void
heap_remove(struct ike_engine *eng, struct ike_sa *sa)
{
	size_t i = sa->heap_idx;

	if (i == SIZE_MAX)
		return;
	sa->heap_idx = SIZE_MAX;
	eng->heap_len--;
	if (i == eng->heap_len)
		return;
	eng->heap[i] = eng->heap[eng->heap_len];
	eng->heap[i]->heap_idx = i;
	heap_fix(eng, i);
}

static int
heap_insert(struct ike_engine *eng, struct ike_sa *sa)
{
	struct ike_sa **n;
	size_t cap;

	if (eng->heap_len == eng->heap_cap) {
		cap = eng->heap_cap ? eng->heap_cap * 2 : 64;
		if ((n = realloc(eng->heap, cap * sizeof(*n))) == NULL)
			return -1;
		eng->heap = n;
		eng->heap_cap = cap;
	}
	sa->heap_idx = eng->heap_len;
	eng->heap[eng->heap_len++] = sa;
	heap_fix(eng, sa->heap_idx);
	return 0;
}

static monotime_t
tmin(monotime_t a, monotime_t b)
{
	return a < b ? a : b;
}

static monotime_t
sa_deadline(const struct ike_sa *sa)
{
	const struct ike_engine *eng = sa->eng;
	const struct ike_child *c;
	monotime_t d = MONOTIME_NEVER;
	size_t i;

	if (sa->state == IKE_SA_DEAD)
		return d;
	if (sa->req.active)
		d = tmin(d, sa->req.retrans_at);
	d = tmin(d, sa->expire_at);
	if (sa->state == IKE_SA_ESTABLISHED) {
		d = tmin(d, sa->rekey_at);
		d = tmin(d, sa->retry_rekey_at);
		if (eng->cfg.dpd_interval_s > 0 && !sa->req.active)
			d = tmin(d, sa->last_rx +
			    (monotime_t)eng->cfg.dpd_interval_s * MONOTIME_SEC);
		for (i = 0; i < IKE_CHILD_MAX; i++) {
			c = &sa->child[i];
			if (c->state == IKE_CHILD_FREE)
				continue;
			if (c->state == IKE_CHILD_INSTALLED)
				d = tmin(d, c->rekey_at);
			d = tmin(d, c->expire_at);
		}
	}
	return d;
}

void
ike_sa_sched(struct ike_sa *sa)
{
	struct ike_engine *eng = sa->eng;

	sa->deadline = sa_deadline(sa);
	if (sa->deadline == MONOTIME_NEVER) {
		heap_remove(eng, sa);
		return;
	}
	if (sa->heap_idx == SIZE_MAX)
		(void)heap_insert(eng, sa);
	else
		heap_fix(eng, sa->heap_idx);
}

void
ike_sa_req_clear(struct ike_sa *sa)
{
	free(sa->req.pkt);
	ike_dh_free(sa->req.dh);
	explicit_bzero(&sa->req, sizeof(sa->req));
	sa->req.child = -1;
}

void
ike_sa_destroy(struct ike_sa *sa)
{
	struct ike_engine *eng = sa->eng;

	if (sa->state == IKE_SA_DEAD)
		return;
	unlink_from(&eng->by_lspi[h64(our_spi(sa))], sa,
	    offsetof(struct ike_sa, lspi_next));
	if (sa->in_init_tab)
		unlink_from(&eng->by_init[h64(sa->spi_i ^ sa->remote.ip)], sa,
		    offsetof(struct ike_sa, init_next));
	sa->in_init_tab = false;
	if (sa->in_link_tab)
		unlink_from(&eng->by_link[sa->link_h], sa,
		    offsetof(struct ike_sa, link_next));
	sa->in_link_tab = false;
	ike_sa_half_open_done(sa);
	heap_remove(eng, sa);
	ike_sa_req_clear(sa);
	ike_sk_free(sa->sk);
	sa->sk = NULL;
	ike_prf_ctx_free(sa->auth_psk);
	sa->auth_psk = NULL;
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	ike_sa_keys_wipe(&sa->keys);
	free(sa->init_req);
	free(sa->init_resp);
	free(sa->resp);
	sa->init_req = sa->init_resp = sa->resp = NULL;
	explicit_bzero(&sa->cfg.tunnel, sizeof(sa->cfg.tunnel));
	explicit_bzero(sa->ni, sizeof(sa->ni));
	explicit_bzero(sa->nr, sizeof(sa->nr));
	sa->state = IKE_SA_DEAD;
	sa->dead_next = eng->dead;
	eng->dead = sa;
	eng->nsa--;
}

void
ike_sa_reap(struct ike_engine *eng)
{
	struct ike_sa *sa;

	while ((sa = eng->dead) != NULL) {
		eng->dead = sa->dead_next;
		explicit_bzero(sa, sizeof(*sa));
		free(sa);
	}
}

void
ike_child_remove(struct ike_sa *sa, struct ike_child *c)
{
	struct ike_engine *eng = sa->eng;

	if (c->state == IKE_CHILD_FREE)
		return;
	if (eng->cb.child_delete != NULL)
		eng->cb.child_delete(eng->cb.arg, sa->cfg.link_id, c->spi_in,
		    c->spi_out);
	memset(c, 0, sizeof(*c));
	c->state = IKE_CHILD_FREE;
}

void
ike_sa_teardown(struct ike_sa *sa)
{
	size_t i;

	for (i = 0; i < IKE_CHILD_MAX; i++)
		ike_child_remove(sa, &sa->child[i]);
	ike_sa_destroy(sa);
}

int
ike_sa_set_cfg(struct ike_sa *sa, const struct ike_peer_cfg *cfg)
{
	sa->cfg = *cfg;
	/* The PSK may have changed: key the AUTH PRF afresh. */
	ike_prf_ctx_free(sa->auth_psk);
	sa->auth_psk = NULL;
	sa->cfg.name[sizeof(sa->cfg.name) - 1] = '\0';
	sa->cfg.link_id[sizeof(sa->cfg.link_id) - 1] = '\0';
	sa->have_cfg = true;
	ike_sa_index_link(sa);
	return ike_engine_policy(sa->eng, &cfg->tunnel, &sa->pol);
}

int
ike_engine_policy(const struct ike_engine *eng, const struct model_tunnel *t,
    struct ike_policy *pol)
{
	size_t i;

	if (ike_policy_from_tunnel(t, eng->cfg.child_lifetime_s, pol) == -1)
		return -1;
	if (eng->test_ike_dh != 0)
		for (i = 0; i < pol->n_ike; i++)
			pol->ike[i].dh = eng->test_ike_dh;
	return 0;
}

void
ike_test_ike_group(struct ike_engine *eng, uint16_t g)
{
	eng->test_ike_dh = g;
}

const char *
ike_psk(const struct ike_sa *sa)
{
	/* Zone 2 authenticates with the zone PSK (system-facts §2.2). */
	if (sa->cfg.zone == 2 && sa->cfg.tunnel.zone_psk[0] != '\0')
		return sa->cfg.tunnel.zone_psk;
	return sa->cfg.tunnel.psk;
}

const char *
ike_sa_who(const struct ike_sa *sa, char *buf, size_t len)
{
	char a[IP4_STRLEN];

	if (sa->have_cfg)
		snprintf(buf, len, "link %s (%s) at %s:%u", sa->cfg.name,
		    sa->cfg.link_id, ip4_fmt(sa->remote.ip, a), sa->remote.port);
	else
		snprintf(buf, len, "unknown peer %s:%u",
		    ip4_fmt(sa->remote.ip, a), sa->remote.port);
	return buf;
}

void
ike_event_anon(struct ike_engine *eng, enum ike_event_type type,
    enum ike_reason reason, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, const char *detail)
{
	struct ike_event ev;

	if (eng->cb.event == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.reason = reason;
	ev.local = *local;
	ev.remote = *remote;
	ev.detail = detail;
	eng->cb.event(eng->cb.arg, &ev);
}

void
ike_sa_event(struct ike_sa *sa, enum ike_event_type type,
    enum ike_reason reason, const char *detail)
{
	struct ike_engine *eng = sa->eng;
	struct ike_event ev;

	if (eng->cb.event == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.reason = reason;
	if (sa->have_cfg) {
		ev.link_id = sa->cfg.link_id;
		ev.rn_id = sa->cfg.rn_id;
		ev.tenant_id = sa->cfg.tenant_id;
		ev.zone = sa->cfg.zone;
	}
	/* ike_link_up() from the callback must not count this tunnel. */
	if (type == IKE_EV_TUNNEL_DOWN)
		sa->up = false;
	ev.local = sa->local;
	ev.remote = sa->remote;
	ev.detail = detail;
	eng->cb.event(eng->cb.arg, &ev);
}

/* One line per source address per IKE_RL_INTERVAL (STYLE §6). */
bool
ike_log_remote(struct ike_engine *eng, uint32_t ip, monotime_t now,
    const char *fmt, ...)
{
	struct ike_rl_slot *s = &eng->rl[h64(ip) & (IKE_RL_SLOTS - 1)];
	char line[768];
	va_list ap;

	if (s->ip == ip && s->at != 0 && now - s->at < IKE_RL_INTERVAL) {
		s->suppressed++;
		return false;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (s->ip == ip && s->suppressed > 0)
		log_warn("ike: remote: %s (%u similar suppressed)", line,
		    s->suppressed);
	else
		log_warn("ike: remote: %s", line);
	s->ip = ip;
	s->at = now != 0 ? now : 1;
	s->suppressed = 0;
	return true;
}

void
ike_put_spi(uint8_t out[8], uint64_t spi)
{
	int i;

	for (i = 7; i >= 0; i--) {
		out[i] = (uint8_t)spi;
		spi >>= 8;
	}
}

struct ike_child *
ike_child_alloc(struct ike_sa *sa)
{
	size_t i;

	for (i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].state == IKE_CHILD_FREE) {
			memset(&sa->child[i], 0, sizeof(sa->child[i]));
			sa->child[i].rekey_at = MONOTIME_NEVER;
			sa->child[i].expire_at = MONOTIME_NEVER;
			return &sa->child[i];
		}
	return NULL;
}

struct ike_child *
ike_child_by_out(struct ike_sa *sa, uint32_t spi)
{
	size_t i;

	for (i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].state != IKE_CHILD_FREE &&
		    sa->child[i].spi_out == spi)
			return &sa->child[i];
	return NULL;
}

struct ike_child *
ike_child_by_in(struct ike_sa *sa, uint32_t spi)
{
	size_t i;

	for (i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].state != IKE_CHILD_FREE &&
		    sa->child[i].spi_in == spi)
			return &sa->child[i];
	return NULL;
}

uint32_t
ike_child_new_spi(struct ike_engine *eng)
{
	uint32_t spi = 0;

	/* SPIs 1-255 are reserved by IANA (RFC 4303 §2.1). */
	while (spi < 256)
		if (ike_rand(eng, &spi, sizeof(spi)) == -1)
			return 0;
	return spi;
}

bool
ike_sa_udp_encap(const struct ike_sa *sa)
{
	/* RFC 3948: NAT on either side, or the peer already floated. */
	return sa->nat_local || sa->nat_remote || sa->local.port == 4500 ||
	    sa->remote.port == 4500;
}

monotime_t
ike_timers_rekey_point(struct ike_engine *eng, uint64_t life_s,
    monotime_t now)
{
	monotime_t life = (monotime_t)life_s * MONOTIME_SEC, jitter;
	uint32_t r = 0;

	(void)ike_rand(eng, &r, sizeof(r));
	/* Rekey at 90 % of the lifetime minus up to 10 % random jitter, so
	 * that both ends rarely start at once (§2.8.1). */
	jitter = (monotime_t)((double)life / 10 * ((double)r / 4294967296.0));
	return now + life - life / 10 - jitter;
}

void
ike_child_install(struct ike_sa *sa, struct ike_child *c,
    struct ike_child_keys *k, bool we_initiated, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	struct ike_child_sa csa;
	uint64_t life = sa->pol.child_lifetime_s;

	memset(&csa, 0, sizeof(csa));
	snprintf(csa.link_id, sizeof(csa.link_id), "%s", sa->cfg.link_id);
	csa.zone = sa->cfg.zone;
	csa.spi_in = c->spi_in;
	csa.spi_out = c->spi_out;
	csa.esp_encr = c->esp.encr;
	csa.esp_integ = c->esp.integ;
	csa.key_bits = c->esp.encr_bits;
	csa.esn = c->esn;
	csa.udp_encap = ike_sa_udp_encap(sa);
	csa.encr_len = k->encr_len;
	csa.integ_len = k->integ_len;
	/* §2.17: the "i" keys protect initiator -> responder. */
	memcpy(we_initiated ? csa.encr_out : csa.encr_in, k->encr_i, k->encr_len);
	memcpy(we_initiated ? csa.encr_in : csa.encr_out, k->encr_r, k->encr_len);
	memcpy(we_initiated ? csa.integ_out : csa.integ_in, k->integ_i,
	    k->integ_len);
	memcpy(we_initiated ? csa.integ_in : csa.integ_out, k->integ_r,
	    k->integ_len);
	csa.local = sa->local;
	csa.remote = sa->remote;
	csa.lifetime_s = life;
	if (eng->cb.child_install != NULL)
		eng->cb.child_install(eng->cb.arg, &csa);
	explicit_bzero(&csa, sizeof(csa));
	ike_child_keys_wipe(k);
	c->state = IKE_CHILD_INSTALLED;
	c->rekey_at = ike_timers_rekey_point(eng, life, now);
	c->expire_at = now + (monotime_t)life * MONOTIME_SEC;
}

void
ike_timers_msg_sent(struct ike_sa *sa, monotime_t now)
{
	monotime_t t = (monotime_t)sa->eng->cfg.retransmit_base_ms *
	    MONOTIME_MSEC;
	unsigned i;

	/* §2.1: exponential back-off, doubled per retransmission. */
	for (i = 0; i < sa->req.tries && i < 20; i++)
		t *= 2;
	sa->req.retrans_at = now + t;
	ike_sa_sched(sa);
}

void
ike_timers_rx_authentic(struct ike_sa *sa, monotime_t now)
{
	sa->last_rx = now;
}

void
ike_timers_established(struct ike_sa *sa, monotime_t now)
{
	struct ike_engine *eng = sa->eng;

	sa->established_at = now;
	sa->last_rx = now;
	sa->rekey_at = ike_timers_rekey_point(eng, eng->cfg.ike_lifetime_s, now);
	sa->expire_at = now + (monotime_t)eng->cfg.ike_lifetime_s * MONOTIME_SEC;
	sa->retry_rekey_at = MONOTIME_NEVER;
}

/* Start the most urgent queued task if the window is free. */
void
ike_sa_kick(struct ike_sa *sa, monotime_t now)
{
	size_t i;

	if (sa->req.active || sa->state == IKE_SA_DEAD)
		return;
	if (sa->state != IKE_SA_ESTABLISHED) {
		if (sa->state != IKE_SA_DELETING)
			sa->queued = 0;
		return;
	}
	if (sa->queued & IKE_Q_DELETE_IKE) {
		sa->queued = 0;
		(void)ike_info_delete_ike_start(sa, now);
		return;
	}
	if (sa->queued & IKE_Q_DELETE_CHILD) {
		sa->queued &= ~IKE_Q_DELETE_CHILD;
		if (ike_info_delete_child_start(sa, now) == 0)
			return;
	}
	if (sa->queued & IKE_Q_REKEY_IKE) {
		sa->queued &= ~IKE_Q_REKEY_IKE;
		if (ike_ike_rekey_start(sa, now) == 0)
			return;
	}
	if (sa->queued & IKE_Q_REKEY_CHILD) {
		for (i = 0; i < IKE_CHILD_MAX; i++) {
			if (!sa->child[i].rekey_due)
				continue;
			sa->child[i].rekey_due = false;
			if (sa->child[i].state == IKE_CHILD_INSTALLED &&
			    ike_child_rekey_start(sa, (int)i, now) == 0)
				return;
		}
		sa->queued &= ~IKE_Q_REKEY_CHILD;
	}
	if (sa->queued & IKE_Q_DPD) {
		sa->queued &= ~IKE_Q_DPD;
		(void)ike_info_dpd_start(sa, now);
	}
}

static void
give_up(struct ike_sa *sa, monotime_t now)
{
	char who[400], detail[128];
	enum ike_reason r;

	(void)now;
	if (sa->req.task == IKE_TASK_DELETE_IKE || sa->state == IKE_SA_REKEYED) {
		ike_sa_teardown(sa);
		return;
	}
	r = sa->up ? IKE_R_DEAD_PEER : IKE_R_TIMEOUT;
	snprintf(detail, sizeof(detail), "no answer to %s after %u "
	    "retransmissions", sa->req.task == IKE_TASK_DPD ?
	    "liveness check" : "request", sa->req.tries);
	ike_log_remote(sa->eng, sa->remote.ip, now, "%s: %s",
	    ike_sa_who(sa, who, sizeof(who)), detail);
	ike_sa_event(sa, IKE_EV_TUNNEL_DOWN, r, detail);
	ike_sa_teardown(sa);
}

static void
sa_timers(struct ike_sa *sa, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	struct ike_child *c;
	char who[400];
	size_t i;

	if (sa->req.active && now >= sa->req.retrans_at) {
		if (sa->req.tries >= eng->cfg.retransmit_tries) {
			give_up(sa, now);
			return;
		}
		sa->req.tries++;
		eng->stats.retransmits++;
		ike_msg_resend_req(sa);
		ike_timers_msg_sent(sa, now);
	}
	if (now >= sa->expire_at) {
		switch (sa->state) {
		case IKE_SA_HALF_OPEN:
			ike_log_remote(eng, sa->remote.ip, now,
			    "%s: half-open IKE SA expired (no IKE_AUTH within "
			    "%u s)", ike_sa_who(sa, who, sizeof(who)),
			    eng->cfg.half_open_timeout_s);
			ike_sa_event(sa, IKE_EV_REJECT, IKE_R_TIMEOUT,
			    "half-open IKE SA expired: no IKE_AUTH");
			ike_sa_teardown(sa);
			return;
		case IKE_SA_ESTABLISHED:
			/* Hard lifetime: rekeying never succeeded. */
			if (sa->up)
				ike_sa_event(sa, IKE_EV_TUNNEL_DOWN,
				    IKE_R_TIMEOUT, "IKE SA lifetime expired");
			ike_info_delete_ike_oneshot(sa);
			ike_sa_teardown(sa);
			return;
		default:
			ike_sa_teardown(sa);
			return;
		}
	}
	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	for (i = 0; i < IKE_CHILD_MAX; i++) {
		c = &sa->child[i];
		if (c->state == IKE_CHILD_FREE)
			continue;
		if (now >= c->expire_at) {
			/* Hard lifetime or the grace of a replaced child. */
			c->expire_at = MONOTIME_NEVER;
			c->rekey_at = MONOTIME_NEVER;
			if (c->state != IKE_CHILD_DELETING) {
				c->state = IKE_CHILD_DELETING;
				c->del_sent = false;
				sa->queued |= IKE_Q_DELETE_CHILD;
			}
			continue;
		}
		if (c->state == IKE_CHILD_INSTALLED && now >= c->rekey_at) {
			c->rekey_at = MONOTIME_NEVER;
			c->rekey_due = true;
			sa->queued |= IKE_Q_REKEY_CHILD;
		}
	}
	if (now >= sa->rekey_at || now >= sa->retry_rekey_at) {
		sa->rekey_at = sa->retry_rekey_at = MONOTIME_NEVER;
		sa->queued |= IKE_Q_REKEY_IKE;
	}
	if (eng->cfg.dpd_interval_s > 0 && !sa->req.active &&
	    now >= sa->last_rx +
	    (monotime_t)eng->cfg.dpd_interval_s * MONOTIME_SEC) {
		sa->queued |= IKE_Q_DPD;
		/* Re-armed by the answer; meanwhile retransmits time it. */
		sa->last_rx = now;
	}
	ike_sa_kick(sa, now);
}

void
ike_heap_run(struct ike_engine *eng, monotime_t now)
{
	struct ike_sa *sa;
	size_t guard = 4 * eng->heap_len + 16;

	while (eng->heap_len > 0 && eng->heap[0]->deadline <= now &&
	    guard-- > 0) {
		sa = eng->heap[0];
		heap_remove(eng, sa);
		sa_timers(sa, now);
		if (sa->state != IKE_SA_DEAD)
			ike_sa_sched(sa);
	}
}

void
ike_test_initiator_groups(struct ike_engine *eng, const uint16_t *g, size_t n)
{
	size_t i;

	if (n > sizeof(eng->test_groups) / sizeof(eng->test_groups[0]))
		n = sizeof(eng->test_groups) / sizeof(eng->test_groups[0]);
	for (i = 0; i < n; i++)
		eng->test_groups[i] = g[i];
	eng->n_test_groups = n;
}

void
ike_test_initiator_narrow_ts(struct ike_engine *eng, bool on)
{
	eng->test_narrow_ts = on;
}
