/*
 * ike_task_sa_init.c - the IKE_SA_INIT exchange (RFC 7296 §1.2) in both
 * roles: proposal selection (ike_policy.c), INVALID_KE_PAYLOAD (§1.2,
 * §2.7), NO_PROPOSAL_CHOSEN, stateless cookies (§2.6), NAT detection
 * (§2.23) and the first key derivation (§2.14). The responder does the
 * cheap checks first (cookie, per-source limit, link lookup, proposal,
 * group) and only then the Diffie-Hellman work and the SA allocation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ike_msg.h"
#include "ike_pld.h"
#include "ike_sa.h"
#include "ike_task.h"
#include "ikev2_wire.h"
#include "ip4.h"
#include "log.h"

#define COOKIE_HASH_LEN	16
#define SA_INIT_RESTARTS 4	/* COOKIE / INVALID_KE round trips we follow */

/* §2.23: SHA-1(SPIi | SPIr | IP | port). */
static void
nat_hash(const struct ike_engine *eng, uint64_t spi_i, uint64_t spi_r,
    const struct ike_endpoint *ep, uint8_t out[20])
{
	uint8_t in[22];
	unsigned int olen = 20;

	ike_put_spi(in, spi_i);
	ike_put_spi(in + 8, spi_r);
	in[16] = (uint8_t)(ep->ip >> 24);
	in[17] = (uint8_t)(ep->ip >> 16);
	in[18] = (uint8_t)(ep->ip >> 8);
	in[19] = (uint8_t)ep->ip;
	in[20] = (uint8_t)(ep->port >> 8);
	in[21] = (uint8_t)ep->port;
	/* The engine's scratch context: no allocation per hash (4 a side). */
	if (EVP_DigestInit_ex2(eng->md_ctx, eng->md_sha1, NULL) != 1 ||
	    EVP_DigestUpdate(eng->md_ctx, in, sizeof(in)) != 1 ||
	    EVP_DigestFinal_ex(eng->md_ctx, out, &olen) != 1)
		memset(out, 0, 20);
}

/*
 * *nat_local: the peer saw our packet come from elsewhere than we sent it
 * (we are behind NAT); *nat_remote: the peer's source is not what it
 * thinks (it is behind NAT, or fakes it as strongSwan with libipsec does).
 */
static void
nat_detect(const struct ike_engine *eng, const struct ike_msg *m,
    uint64_t spi_i, uint64_t spi_r,
    const struct ike_endpoint *local, const struct ike_endpoint *remote,
    bool *nat_local, bool *nat_remote)
{
	uint8_t hl[20], hr[20];
	bool src_seen = false, src_match = false;
	bool dst_seen = false, dst_match = false;
	uint8_t i;

	nat_hash(eng, spi_i, spi_r, local, hl);
	nat_hash(eng, spi_i, spi_r, remote, hr);
	for (i = 0; i < m->nnotify; i++) {
		const struct ike_pld_notify *n = &m->notify[i];

		if (n->type == IKEV2_N_NAT_DETECTION_SOURCE_IP) {
			src_seen = true;
			if (ike_crypto_equal(n->data.ptr, n->data.len, hr, 20))
				src_match = true;
		} else if (n->type == IKEV2_N_NAT_DETECTION_DESTINATION_IP) {
			dst_seen = true;
			if (ike_crypto_equal(n->data.ptr, n->data.len, hl, 20))
				dst_match = true;
		}
	}
	*nat_local = dst_seen && !dst_match;
	*nat_remote = src_seen && !src_match;
}

static int
add_nat_d(const struct ike_engine *eng, struct ike_build *b, uint64_t spi_i, uint64_t spi_r,
    const struct ike_endpoint *local, const struct ike_endpoint *remote)
{
	uint8_t h[20];
	int errs = 0;

	nat_hash(eng, spi_i, spi_r, local, h);
	errs += ike_build_notify(b, 0, 0, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP,
	    h, sizeof(h));
	nat_hash(eng, spi_i, spi_r, remote, h);
	errs += ike_build_notify(b, 0, 0, 0,
	    IKEV2_N_NAT_DETECTION_DESTINATION_IP, h, sizeof(h));
	return errs;
}

static uint8_t *
dup_bytes(const uint8_t *p, size_t len)
{
	uint8_t *d = malloc(len);

	if (d != NULL)
		memcpy(d, p, len);
	return d;
}

/* ---- initiator ---- */

int
ike_sa_init_start(struct ike_sa *sa, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	uint8_t out[IKE_OUT_MAX], pub[IKE_DH_PUB_MAX];
	struct ike_pld_sa offer;
	struct ike_build b;
	struct ike_hdr h;
	struct wbuf w;
	size_t publen = sizeof(pub), len;
	uint16_t group;
	int errs = 0;

	if (sa->ke_group != 0)
		group = sa->ke_group;
	else
		group = sa->n_init_groups > 0 ? sa->init_groups[0] :
		    sa->pol.ike[0].dh;
	if (sa->dh != NULL && ike_dh_group(sa->dh) != group) {
		ike_dh_free(sa->dh);
		sa->dh = NULL;
	}
	if (sa->dh == NULL &&
	    (sa->dh = ike_dh_new(group, eng->cb.random, eng->cb.arg)) == NULL)
		return -1;
	if (ike_dh_public(sa->dh, pub, &publen) == -1)
		return -1;
	if (sa->ni_len == 0) {
		if (ike_rand(eng, sa->ni, IKE_NONCE_LEN) == -1)
			return -1;
		sa->ni_len = IKE_NONCE_LEN;
	}
	ike_policy_offer_ike(&sa->pol, 0, 0, sa->init_groups,
	    sa->n_init_groups, &offer);

	memset(&h, 0, sizeof(h));
	h.spi_i = sa->spi_i;
	h.version = IKEV2_VERSION;
	h.exchange = IKEV2_EXCH_IKE_SA_INIT;
	h.flags = IKEV2_FLAG_I;
	wbuf_init(&w, out, sizeof(out));
	ike_build_init(&b, &w);
	errs += ike_build_header(&b, &h);
	/* §2.6: the cookie goes first. */
	if (sa->cookie_len > 0)
		errs += ike_build_notify(&b, 0, 0, 0, IKEV2_N_COOKIE,
		    sa->cookie, sa->cookie_len);
	errs += ike_build_sa(&b, &offer);
	errs += ike_build_ke(&b, group, pub, publen);
	errs += ike_build_nonce(&b, sa->ni, sa->ni_len);
	errs += add_nat_d(eng, &b, sa->spi_i, 0, &sa->local, &sa->remote);
	if (errs != 0 || ike_build_finish(&b, &len) == -1)
		return -1;

	free(sa->init_req);
	if ((sa->init_req = dup_bytes(out, len)) == NULL)
		return -1;
	sa->init_req_len = len;
	ike_sa_req_clear(sa);
	if ((sa->req.pkt = dup_bytes(out, len)) == NULL)
		return -1;
	sa->req.len = len;
	sa->req.active = true;
	sa->req.task = IKE_TASK_SA_INIT;
	sa->req.exchange = IKEV2_EXCH_IKE_SA_INIT;
	sa->req.msgid = 0;
	sa->req_next = 1;
	sa->state = IKE_SA_INIT_SENT;
	ike_timers_msg_sent(sa, now);
	ike_msg_resend(sa, out, len);
	return 0;
}

static bool
offered_group(const struct ike_sa *sa, uint16_t g)
{
	size_t i;

	for (i = 0; i < sa->n_init_groups; i++)
		if (sa->init_groups[i] == g)
			return true;
	for (i = 0; i < sa->pol.n_ike; i++)
		if (sa->pol.ike[i].dh == g)
			return true;
	return false;
}

static void
init_failed(struct ike_sa *sa, enum ike_reason r, const char *detail,
    monotime_t now)
{
	char who[400];

	/* The event always goes out (the daemon counts and logs it); we log
	 * ourselves, rate-limited, only when nobody listens. */
	if (sa->eng->cb.event == NULL)
		ike_log_remote(sa->eng, sa->remote.ip, now, "%s: IKE_SA_INIT "
		    "refused: %s", ike_sa_who(sa, who, sizeof(who)), detail);
	ike_sa_event(sa, IKE_EV_REJECT, r, detail);
	ike_sa_teardown(sa);
}

void
ike_sa_init_response(struct ike_sa *sa, struct ike_msg *m,
    const uint8_t *pkt, size_t len, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	const struct ike_pld_notify *n;
	uint8_t gir[IKE_DH_SECRET_MAX], spi_i[8], spi_r[8];
	size_t girlen = sizeof(gir);
	struct ike_suite s;
	char detail[256];
	uint16_t g;

	if ((n = ike_pld_notify_find(m, IKEV2_N_COOKIE)) != NULL) {
		/* §2.6: retry with the cookie, same SPIi, nonce and KE. */
		if (n->data.len < 1 || n->data.len > IKEV2_COOKIE_MAX ||
		    sa->init_restarts++ >= SA_INIT_RESTARTS)
			return;
		memcpy(sa->cookie, n->data.ptr, n->data.len);
		sa->cookie_len = n->data.len;
		if (ike_sa_init_start(sa, now) == -1)
			ike_sa_teardown(sa);
		return;
	}
	if ((n = ike_pld_notify_find(m, IKEV2_N_INVALID_KE_PAYLOAD)) != NULL) {
		/* §1.2: the responder names the group it wants. */
		if (n->data.len != 2)
			return;
		g = (uint16_t)(n->data.ptr[0] << 8 | n->data.ptr[1]);
		if (!offered_group(sa, g) || sa->dh == NULL ||
		    ike_dh_group(sa->dh) == g ||
		    sa->init_restarts++ >= SA_INIT_RESTARTS) {
			snprintf(detail, sizeof(detail), "responder wants DH "
			    "group %u, which we did not offer", g);
			init_failed(sa, IKE_R_NO_PROPOSAL, detail, now);
			return;
		}
		sa->ke_group = g;
		if (ike_sa_init_start(sa, now) == -1)
			ike_sa_teardown(sa);
		return;
	}
	if (ike_pld_notify_find(m, IKEV2_N_NO_PROPOSAL_CHOSEN) != NULL) {
		eng->stats.rx_no_proposal++;
		init_failed(sa, IKE_R_NO_PROPOSAL,
		    "responder chose none of our IKE proposals "
		    "(NO_PROPOSAL_CHOSEN)", now);
		return;
	}
	if (!m->has_sa || !m->has_ke || !m->has_nonce ||
	    m->hdr.spi_r == 0 || m->sa.nprops != 1 ||
	    ike_policy_select_ike(&sa->pol, &m->sa, 0, &s, NULL) == -1 ||
	    sa->dh == NULL || m->ke.group != s.dh ||
	    ike_dh_group(sa->dh) != s.dh || m->nonce.len < IKEV2_NONCE_MIN ||
	    m->nonce.len > IKEV2_NONCE_MAX) {
		eng->stats.rx_malformed++;
		init_failed(sa, IKE_R_NO_PROPOSAL, "malformed or unacceptable "
		    "IKE_SA_INIT response", now);
		return;
	}
	sa->spi_r = m->hdr.spi_r;
	sa->suite = s;
	memcpy(sa->nr, m->nonce.ptr, m->nonce.len);
	sa->nr_len = m->nonce.len;
	if (ike_dh_derive(sa->dh, m->ke.data.ptr, m->ke.data.len, gir,
	    &girlen) == -1)
		goto bad;
	ike_put_spi(spi_i, sa->spi_i);
	ike_put_spi(spi_r, sa->spi_r);
	if (ike_kdf_ike_sa_init(&s, gir, girlen, sa->ni, sa->ni_len, sa->nr,
	    sa->nr_len, spi_i, spi_r, &sa->keys) == -1 ||
	    (sa->sk = ike_sk_new(&sa->keys, true, ike_rand_cb,
	    eng)) == NULL)
		goto bad;
	explicit_bzero(gir, sizeof(gir));
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	nat_detect(eng, m, sa->spi_i, sa->spi_r, &sa->local, &sa->remote,
	    &sa->nat_local, &sa->nat_remote);
	if (sa->nat_local || sa->nat_remote) {
		/* §2.23: float to 4500 (the caller adds the non-ESP marker). */
		sa->local.port = 4500;
		sa->remote.port = 4500;
	}
	free(sa->init_resp);
	if ((sa->init_resp = dup_bytes(pkt, len)) == NULL)
		goto bad;
	sa->init_resp_len = len;
	ike_sa_req_clear(sa);
	if (ike_auth_start(sa, now) == -1)
		goto bad;
	return;
bad:
	explicit_bzero(gir, sizeof(gir));
	eng->stats.rx_malformed++;
	init_failed(sa, IKE_R_NO_PROPOSAL, "key exchange failed", now);
}

/* ---- responder ---- */

static void
cookie_rotate(struct ike_engine *eng, monotime_t now)
{
	if (eng->cookie_ready && now - eng->cookie_rotated < IKE_COOKIE_ROTATE)
		return;
	eng->cookie[1] = eng->cookie[0];
	if (ike_rand(eng, eng->cookie[0].key, sizeof(eng->cookie[0].key)) == -1)
		return;
	eng->cookie[0].version = (uint8_t)(eng->cookie[1].version + 1);
	if (!eng->cookie_ready)
		eng->cookie[1] = eng->cookie[0];
	eng->cookie_ready = true;
	eng->cookie_rotated = now;
}

/* §2.6: Cookie = <VersionIDofSecret> | Hash(Ni | IPi | SPIi | <secret>). */
static int
cookie_make(const struct ike_engine *eng, const struct ike_cookie_secret *s,
    const struct ike_msg *m,
    uint32_t ip, uint8_t out[1 + COOKIE_HASH_LEN])
{
	uint8_t md[EVP_MAX_MD_SIZE], b[12];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = eng->md_ctx;
	int ok;

	ike_put_spi(b, m->hdr.spi_i);
	b[8] = (uint8_t)(ip >> 24);
	b[9] = (uint8_t)(ip >> 16);
	b[10] = (uint8_t)(ip >> 8);
	b[11] = (uint8_t)ip;
	ok = EVP_DigestInit_ex2(c, eng->md_sha256, NULL) == 1 &&
	    EVP_DigestUpdate(c, m->nonce.ptr, m->nonce.len) == 1 &&
	    EVP_DigestUpdate(c, b, sizeof(b)) == 1 &&
	    EVP_DigestUpdate(c, s->key, sizeof(s->key)) == 1 &&
	    EVP_DigestFinal_ex(c, md, &mdlen) == 1;
	if (!ok || mdlen < COOKIE_HASH_LEN)
		return -1;
	out[0] = s->version;
	memcpy(out + 1, md, COOKIE_HASH_LEN);
	return 0;
}

static bool
cookie_ok(struct ike_engine *eng, const struct ike_msg *m, uint32_t ip)
{
	const struct ike_pld_notify *n = ike_pld_notify_find(m, IKEV2_N_COOKIE);
	uint8_t c[1 + COOKIE_HASH_LEN];
	int i;

	if (n == NULL || n->data.len != sizeof(c))
		return false;
	for (i = 0; i < 2; i++)
		if (eng->cookie[i].version == n->data.ptr[0] &&
		    cookie_make(eng, &eng->cookie[i], m, ip, c) == 0 &&
		    ike_crypto_equal(c, sizeof(c), n->data.ptr, n->data.len))
			return true;
	return false;
}

/* An unprotected IKE_SA_INIT response carrying a single notify. */
static void
reply_notify(struct ike_engine *eng, const struct ike_msg *m,
    const struct ike_endpoint *local, const struct ike_endpoint *remote,
    uint16_t type, const uint8_t *data, size_t dlen)
{
	uint8_t out[256];
	struct ike_build b;
	struct ike_hdr h;
	struct wbuf w;
	size_t len;
	int errs = 0;

	memset(&h, 0, sizeof(h));
	h.spi_i = m->hdr.spi_i;
	h.version = IKEV2_VERSION;
	h.exchange = IKEV2_EXCH_IKE_SA_INIT;
	h.flags = IKEV2_FLAG_R;
	wbuf_init(&w, out, sizeof(out));
	ike_build_init(&b, &w);
	errs += ike_build_header(&b, &h);
	errs += ike_build_notify(&b, 0, 0, 0, type, data, dlen);
	if (errs != 0 || ike_build_finish(&b, &len) == -1)
		return;
	ike_msg_send_raw(eng, local, remote, out, len);
}

/* A candidate link refused the offer: its log line and its event. */
static void
init_refused(struct ike_engine *eng, const struct ike_peer_cfg *cfg,
    const struct ike_endpoint *local, const struct ike_endpoint *remote,
    const char *detail, monotime_t now)
{
	struct ike_event ev;
	char a[IP4_STRLEN];

	if (eng->cb.event == NULL) {
		ike_log_remote(eng, remote->ip, now, "link %s (%s) at %s:%u: "
		    "IKE_SA_INIT refused: %s", cfg->name, cfg->link_id,
		    ip4_fmt(remote->ip, a), remote->port, detail);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = IKE_EV_REJECT;
	ev.reason = IKE_R_NO_PROPOSAL;
	ev.link_id = cfg->link_id;
	ev.rn_id = cfg->rn_id;
	ev.tenant_id = cfg->tenant_id;
	ev.zone = cfg->zone;
	ev.local = *local;
	ev.remote = *remote;
	ev.detail = detail;
	eng->cb.event(eng->cb.arg, &ev);
}

void
ike_sa_init_respond(struct ike_engine *eng, struct ike_msg *m,
    const struct ike_endpoint *local, const struct ike_endpoint *remote,
    const uint8_t *pkt, size_t len, monotime_t now)
{
	uint8_t out[IKE_OUT_MAX], pub[IKE_DH_PUB_MAX], gir[IKE_DH_SECRET_MAX];
	uint8_t cookie[1 + COOKIE_HASH_LEN], spi_i[8], spi_r[8], g[2];
	size_t publen = sizeof(pub), girlen = sizeof(gir), olen;
	const struct ike_pld_prop *prop;
	struct ike_peer_cfg cfg;
	struct ike_policy pol;
	struct ike_pld_sa reply;
	struct ike_sa *sa = NULL;
	unsigned nth;
	struct ike_dh *dh = NULL;
	struct ike_suite s;
	struct ike_build b;
	struct ike_hdr h;
	struct wbuf w;
	char a[IP4_STRLEN], l[IP4_STRLEN], offered[256], allowed[256];
	char detail[600], who[400];
	int errs = 0;

	if (!m->has_sa || !m->has_ke || !m->has_nonce ||
	    m->nonce.len < IKEV2_NONCE_MIN || m->nonce.len > IKEV2_NONCE_MAX) {
		eng->stats.rx_malformed++;
		return;
	}
	/* §2.1: a retransmitted request gets the same answer. */
	if ((sa = ike_sa_lookup_init(eng, m->hdr.spi_i, remote->ip)) != NULL) {
		if (sa->state == IKE_SA_HALF_OPEN && sa->init_resp != NULL)
			ike_msg_send_raw(eng, &sa->local, remote,
			    sa->init_resp, sa->init_resp_len);
		return;
	}
	/* §2.6: past the threshold, no state and no DH without a cookie. */
	cookie_rotate(eng, now);
	if (eng->half_open >= eng->cfg.cookie_threshold &&
	    !cookie_ok(eng, m, remote->ip)) {
		if (cookie_make(eng, &eng->cookie[0], m, remote->ip,
		    cookie) == 0) {
			eng->stats.cookies_sent++;
			reply_notify(eng, m, local, remote, IKEV2_N_COOKIE,
			    cookie, sizeof(cookie));
		}
		return;
	}
	if (ike_sa_half_open_from(eng, remote->ip) >=
	    eng->cfg.half_open_per_source) {
		eng->stats.half_open_dropped++;
		ike_log_remote(eng, remote->ip, now, "%s: %s: too many "
		    "half-open IKE SAs from this source (limit %u)", __func__,
		    ip4_fmt(remote->ip, a), eng->cfg.half_open_per_source);
		return;
	}
	/* The first candidate link whose policy takes the offer (ike.h). */
	memset(&cfg, 0, sizeof(cfg));
	for (nth = 0; eng->cb.lookup != NULL &&
	    eng->cb.lookup(eng->cb.arg, local, remote, nth, &cfg) == 0;
	    nth++) {
		if (ike_engine_policy(eng, &cfg.tunnel, &pol) == -1)
			pol.n_ike = pol.n_esp = 0;
		if (ike_policy_select_ike(&pol, &m->sa, 0, &s, &prop) == 0)
			break;
		explicit_bzero(&cfg, sizeof(cfg));
	}
	if (nth == 0 && cfg.link_id[0] == '\0') {
		eng->stats.rx_unknown_peer++;
		snprintf(detail, sizeof(detail), "unknown peer %s: no device "
		    "link has this public address (ipAddress) in a zone "
		    "served by %s", ip4_fmt(remote->ip, a),
		    ip4_fmt(local->ip, l));
		if (eng->cb.event == NULL)
			ike_log_remote(eng, remote->ip, now, "IKE_SA_INIT "
			    "refused: %s", detail);
		ike_event_anon(eng, IKE_EV_REJECT, IKE_R_UNKNOWN_PEER,
		    local, remote, detail);
		return;
	}
	/* The chosen one again (cheap), or every candidate refused it. */
	if (ike_policy_select_ike(&pol, &m->sa, 0, &s, &prop) == -1) {
		eng->stats.rx_no_proposal++;
		reply_notify(eng, m, local, remote, IKEV2_N_NO_PROPOSAL_CHOSEN,
		    NULL, 0);
		ike_policy_describe_offer(&m->sa, offered, sizeof(offered));
		/* Which link the branch meant is unknown: each one hears. */
		for (nth = 0; eng->cb.lookup(eng->cb.arg, local, remote, nth,
		    &cfg) == 0; nth++) {
			if (ike_engine_policy(eng, &cfg.tunnel, &pol) == -1)
				pol.n_ike = pol.n_esp = 0;
			ike_policy_describe(&pol, false, allowed,
			    sizeof(allowed));
			snprintf(detail, sizeof(detail), "no proposal chosen: "
			    "peer offered %s; link allows %s", offered,
			    pol.n_ike > 0 ? allowed :
			    "nothing (unusable policy)");
			init_refused(eng, &cfg, local, remote, detail, now);
			explicit_bzero(&cfg, sizeof(cfg));
		}
		return;
	}
	if (m->ke.group != s.dh) {
		/* §1.2: tell the initiator which group to use. */
		g[0] = (uint8_t)(s.dh >> 8);
		g[1] = (uint8_t)s.dh;
		reply_notify(eng, m, local, remote, IKEV2_N_INVALID_KE_PAYLOAD,
		    g, sizeof(g));
		explicit_bzero(&cfg, sizeof(cfg));
		return;
	}
	if (m->ke.data.len != ike_dh_pub_len(s.dh)) {
		eng->stats.rx_malformed++;
		explicit_bzero(&cfg, sizeof(cfg));
		return;
	}

	if ((sa = ike_sa_new(eng, false, 0, now)) == NULL)
		goto fail;
	sa->spi_i = m->hdr.spi_i;
	sa->local = *local;
	sa->remote = *remote;
	(void)ike_sa_set_cfg(sa, &cfg);
	explicit_bzero(&cfg, sizeof(cfg));
	sa->suite = s;
	memcpy(sa->ni, m->nonce.ptr, m->nonce.len);
	sa->ni_len = m->nonce.len;
	if (ike_rand(eng, sa->nr, IKE_NONCE_LEN) == -1)
		goto fail;
	sa->nr_len = IKE_NONCE_LEN;
	if ((dh = ike_dh_new(s.dh, eng->cb.random, eng->cb.arg)) == NULL ||
	    ike_dh_public(dh, pub, &publen) == -1)
		goto fail;
	if (ike_dh_derive(dh, m->ke.data.ptr, m->ke.data.len, gir,
	    &girlen) == -1) {
		eng->stats.rx_malformed++;
		goto fail;
	}
	ike_dh_free(dh);
	dh = NULL;
	ike_put_spi(spi_i, sa->spi_i);
	ike_put_spi(spi_r, sa->spi_r);
	if (ike_kdf_ike_sa_init(&s, gir, girlen, sa->ni, sa->ni_len, sa->nr,
	    sa->nr_len, spi_i, spi_r, &sa->keys) == -1 ||
	    (sa->sk = ike_sk_new(&sa->keys, false, ike_rand_cb,
	    eng)) == NULL)
		goto fail;
	explicit_bzero(gir, sizeof(gir));
	/* The request's NAT-D hashes use SPIr = 0 (§2.23). */
	nat_detect(eng, m, sa->spi_i, 0, local, remote, &sa->nat_local,
	    &sa->nat_remote);

	ike_policy_reply(&s, prop->num, IKEV2_PROTO_IKE, 0, 0, false, &reply);
	memset(&h, 0, sizeof(h));
	h.spi_i = sa->spi_i;
	h.spi_r = sa->spi_r;
	h.version = IKEV2_VERSION;
	h.exchange = IKEV2_EXCH_IKE_SA_INIT;
	h.flags = IKEV2_FLAG_R;
	wbuf_init(&w, out, sizeof(out));
	ike_build_init(&b, &w);
	errs += ike_build_header(&b, &h);
	errs += ike_build_sa(&b, &reply);
	errs += ike_build_ke(&b, s.dh, pub, publen);
	errs += ike_build_nonce(&b, sa->nr, sa->nr_len);
	errs += add_nat_d(eng, &b, sa->spi_i, sa->spi_r, local, remote);
	if (errs != 0 || ike_build_finish(&b, &olen) == -1)
		goto fail;
	if ((sa->init_req = dup_bytes(pkt, len)) == NULL ||
	    (sa->init_resp = dup_bytes(out, olen)) == NULL)
		goto fail;
	sa->init_req_len = len;
	sa->init_resp_len = olen;
	sa->state = IKE_SA_HALF_OPEN;
	sa->peer_next = 1;
	sa->req_next = 0;
	sa->expire_at = now +
	    (monotime_t)eng->cfg.half_open_timeout_s * MONOTIME_SEC;
	ike_sa_index_init(sa);
	ike_sa_sched(sa);
	log_debug("ike: %s: IKE_SA_INIT answered, %s%s",
	    ike_sa_who(sa, who, sizeof(who)), sa->nat_remote ? "peer behind "
	    "NAT, " : "", sa->nat_local ? "we are behind NAT" : "no local NAT");
	ike_msg_send_raw(eng, local, remote, out, olen);
	return;
fail:
	explicit_bzero(gir, sizeof(gir));
	explicit_bzero(&cfg, sizeof(cfg));
	ike_dh_free(dh);
	if (sa != NULL)
		ike_sa_destroy(sa);
}
