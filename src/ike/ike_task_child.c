/*
 * ike_task_child.c - the CREATE_CHILD_SA exchange (RFC 7296 §1.3): CHILD_SA
 * rekeying with REKEY_SA (§1.3.3) and an optional PFS key exchange,
 * IKE SA rekeying (§1.3.2: new SPIs, SKEYSEED from the old SK_d, §2.18;
 * the children move to the new SA), and simultaneous CHILD_SA rekeys
 * (§2.8.1: the exchange holding the lowest of the four nonces made the
 * redundant SA, which its initiator deletes; the winner deletes the old).
 * A simultaneous IKE SA rekey is answered TEMPORARY_FAILURE (§2.25) and
 * retried after a random delay.
 */
#include <stdio.h>
#include <string.h>

#include "ike_msg.h"
#include "ike_pld.h"
#include "ike_sa.h"
#include "ike_task.h"
#include "ikev2_wire.h"
#include "log.h"

/* Nonces as unsigned big numbers of bytes; a shorter prefix is lower. */
static int
nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static void
min_nonce(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
    const uint8_t **out, size_t *olen)
{
	if (nonce_cmp(a, alen, b, blen) <= 0) {
		*out = a;
		*olen = alen;
	} else {
		*out = b;
		*olen = blen;
	}
}

static monotime_t
retry_later(struct ike_engine *eng, monotime_t now)
{
	uint8_t r = 0;

	(void)ike_rand(eng, &r, 1);
	return now + (2 + r % 10) * MONOTIME_SEC;
}

static void
remote_log(struct ike_sa *sa, monotime_t now, const char *what)
{
	char who[400];

	ike_log_remote(sa->eng, sa->remote.ip, now, "%s: CREATE_CHILD_SA: %s",
	    ike_sa_who(sa, who, sizeof(who)), what);
}

/* ---- initiator ---- */

int
ike_child_rekey_start(struct ike_sa *sa, int idx, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	struct ike_child *c = &sa->child[idx];
	uint8_t pub[IKE_DH_PUB_MAX];
	size_t publen = sizeof(pub);
	struct ike_pld_sa offer;
	struct ike_out o;
	uint16_t pfs = sa->pol.esp[0].dh;
	uint32_t spi;
	int errs = 0;

	ike_sa_req_clear(sa);
	if ((spi = ike_child_new_spi(eng)) == 0 ||
	    ike_rand(eng, sa->req.nonce, IKE_NONCE_LEN) == -1)
		goto fail;
	if (pfs != 0 && ((sa->req.dh = ike_dh_new(pfs, eng->cb.random,
	    eng->cb.arg)) == NULL ||
	    ike_dh_public(sa->req.dh, pub, &publen) == -1))
		goto fail;
	ike_policy_offer_esp(&sa->pol, spi, true, &offer);
	ike_out_init(&o);
	errs += ike_build_notify(&o.b, IKEV2_PROTO_ESP, 4, c->spi_in,
	    IKEV2_N_REKEY_SA, NULL, 0);
	errs += ike_build_sa(&o.b, &offer);
	errs += ike_build_nonce(&o.b, sa->req.nonce, IKE_NONCE_LEN);
	if (pfs != 0)
		errs += ike_build_ke(&o.b, pfs, pub, publen);
	errs += ike_policy_add_ts(&o.b);
	if (errs != 0 ||
	    ike_msg_send_request(sa, IKEV2_EXCH_CREATE_CHILD_SA, &o, now) == -1)
		goto fail;
	sa->req.task = IKE_TASK_CHILD_REKEY;
	sa->req.child = idx;
	sa->req.new_spi = spi;
	c->state = IKE_CHILD_REKEYING;
	c->peer_rekeyed = false;
	return 0;
fail:
	ike_sa_req_clear(sa);
	c->rekey_at = retry_later(eng, now);
	return -1;
}

int
ike_ike_rekey_start(struct ike_sa *sa, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	uint8_t pub[IKE_DH_PUB_MAX];
	size_t publen = sizeof(pub);
	struct ike_pld_sa offer;
	struct ike_out o;
	uint64_t spi;
	int errs = 0;

	ike_sa_req_clear(sa);
	do
		spi = ike_rand_u64(eng);
	while (spi == 0 || ike_sa_lookup(eng, spi) != NULL);
	if (ike_rand(eng, sa->req.nonce, IKE_NONCE_LEN) == -1 ||
	    (sa->req.dh = ike_dh_new(sa->suite.dh, eng->cb.random,
	    eng->cb.arg)) == NULL ||
	    ike_dh_public(sa->req.dh, pub, &publen) == -1)
		goto fail;
	ike_policy_offer_ike(&sa->pol, spi, 8, NULL, 0, &offer);
	ike_out_init(&o);
	errs += ike_build_sa(&o.b, &offer);
	errs += ike_build_nonce(&o.b, sa->req.nonce, IKE_NONCE_LEN);
	errs += ike_build_ke(&o.b, sa->suite.dh, pub, publen);
	if (errs != 0 ||
	    ike_msg_send_request(sa, IKEV2_EXCH_CREATE_CHILD_SA, &o, now) == -1)
		goto fail;
	sa->req.task = IKE_TASK_IKE_REKEY;
	sa->req.new_ike_spi = spi;
	return 0;
fail:
	ike_sa_req_clear(sa);
	sa->retry_rekey_at = retry_later(eng, now);
	return -1;
}

/* The new SA of an IKE rekey (§2.18); the children move to it. */
static struct ike_sa *
rekeyed_sa(struct ike_sa *old, bool initiator, uint64_t our_spi,
    uint64_t peer_spi, const struct ike_suite *s, const uint8_t *gir,
    size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
    size_t nrlen, monotime_t now)
{
	struct ike_engine *eng = old->eng;
	uint8_t skeyseed[IKE_PRF_MAX], spi_i[8], spi_r[8];
	struct ike_sa *sa;
	size_t i;

	if ((sa = ike_sa_new(eng, initiator, our_spi, now)) == NULL)
		return NULL;
	if (initiator)
		sa->spi_r = peer_spi;
	else
		sa->spi_i = peer_spi;
	sa->cfg = old->cfg;
	sa->have_cfg = old->have_cfg;
	ike_sa_index_link(sa);
	sa->pol = old->pol;
	sa->local = old->local;
	sa->remote = old->remote;
	sa->nat_local = old->nat_local;
	sa->nat_remote = old->nat_remote;
	sa->suite = *s;
	ike_put_spi(spi_i, sa->spi_i);
	ike_put_spi(spi_r, sa->spi_r);
	if (ike_kdf_skeyseed_rekey(old->suite.prf, old->keys.sk_d,
	    old->keys.prf_len, gir, girlen, ni, nilen, nr, nrlen,
	    skeyseed) == -1 ||
	    ike_kdf_sa_keys(s, skeyseed, ike_prf_len(old->suite.prf), ni,
	    nilen, nr, nrlen, spi_i, spi_r, &sa->keys) == -1 ||
	    (sa->sk = ike_sk_new(&sa->keys, initiator, ike_rand_cb,
	    eng)) == NULL) {
		explicit_bzero(skeyseed, sizeof(skeyseed));
		ike_sa_destroy(sa);
		return NULL;
	}
	explicit_bzero(skeyseed, sizeof(skeyseed));
	memcpy(sa->ni, ni, nilen);
	sa->ni_len = nilen;
	memcpy(sa->nr, nr, nrlen);
	sa->nr_len = nrlen;
	sa->state = IKE_SA_ESTABLISHED;
	sa->established = true;
	sa->up = old->up;
	ike_timers_established(sa, now);
	for (i = 0; i < IKE_CHILD_MAX; i++) {
		sa->child[i] = old->child[i];
		memset(&old->child[i], 0, sizeof(old->child[i]));
		old->child[i].state = IKE_CHILD_FREE;
		if (sa->child[i].state == IKE_CHILD_REKEYING) {
			/* Its exchange dies with the old SA: redo it. */
			sa->child[i].state = IKE_CHILD_INSTALLED;
			sa->child[i].rekey_at = retry_later(eng, now);
		}
		if (sa->child[i].state == IKE_CHILD_DELETING)
			sa->child[i].del_sent = false;
	}
	sa->queued = old->queued & (IKE_Q_DELETE_CHILD | IKE_Q_REKEY_CHILD);
	if (sa->queued & IKE_Q_DELETE_CHILD)
		for (i = 0; i < IKE_CHILD_MAX; i++)
			if (sa->child[i].state == IKE_CHILD_DELETING)
				sa->child[i].del_sent = false;
	old->queued = 0;
	old->up = false;
	old->state = IKE_SA_REKEYED;
	old->expire_at = now + IKE_REKEYED_GRACE;
	old->rekey_at = MONOTIME_NEVER;
	ike_sa_sched(sa);
	return sa;
}

static void
ike_rekey_response(struct ike_sa *sa, struct ike_msg *m, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	uint8_t gir[IKE_DH_SECRET_MAX];
	size_t girlen = sizeof(gir);
	const struct ike_pld_prop *prop;
	struct ike_sa *nsa;
	struct ike_suite s;
	uint8_t nonce[IKE_NONCE_LEN];

	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	if (!m->has_sa || !m->has_nonce || !m->has_ke || m->sa.nprops != 1 ||
	    ike_policy_select_ike(&sa->pol, &m->sa, 8, &s, &prop) == -1 ||
	    prop->spi == 0 || sa->req.dh == NULL ||
	    m->ke.group != s.dh || ike_dh_group(sa->req.dh) != s.dh ||
	    ike_dh_derive(sa->req.dh, m->ke.data.ptr, m->ke.data.len, gir,
	    &girlen) == -1) {
		if (ike_pld_notify_find(m, IKEV2_N_NO_PROPOSAL_CHOSEN) != NULL)
			remote_log(sa, now, "IKE SA rekey refused "
			    "(NO_PROPOSAL_CHOSEN)");
		/* TEMPORARY_FAILURE (§2.25) and the rest: later. */
		sa->retry_rekey_at = retry_later(eng, now);
		return;
	}
	memcpy(nonce, sa->req.nonce, sizeof(nonce));
	nsa = rekeyed_sa(sa, true, sa->req.new_ike_spi, prop->spi, &s, gir,
	    girlen, nonce, sizeof(nonce), m->nonce.ptr, m->nonce.len, now);
	explicit_bzero(gir, sizeof(gir));
	if (nsa == NULL) {
		sa->retry_rekey_at = retry_later(eng, now);
		return;
	}
	ike_sa_event(nsa, IKE_EV_REKEYED, IKE_R_NONE, "IKE SA rekeyed");
	/* The rekey's initiator deletes the old SA (§1.3.2). */
	ike_sa_req_clear(sa);
	if (ike_info_delete_ike_start(sa, now) == -1)
		ike_sa_teardown(sa);
}

static void
child_rekey_response(struct ike_sa *sa, struct ike_msg *m, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	struct ike_child *old = NULL, *c;
	uint8_t gir[IKE_DH_SECRET_MAX];
	size_t girlen = 0, mlen;
	const struct ike_pld_prop *prop;
	const uint8_t *mine;
	struct ike_child_keys k;
	struct ike_suite esp;
	bool esn;

	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	if (sa->req.child >= 0 && sa->req.child < IKE_CHILD_MAX &&
	    sa->child[sa->req.child].state == IKE_CHILD_REKEYING)
		old = &sa->child[sa->req.child];
	if (ike_pld_notify_find(m, IKEV2_N_CHILD_SA_NOT_FOUND) != NULL) {
		if (old != NULL)
			ike_child_remove(sa, old);
		return;
	}
	if (!m->has_sa || !m->has_nonce || m->sa.nprops != 1 ||
	    ike_policy_select_esp(&sa->pol, &m->sa, true, &esp, &esn,
	    &prop) == -1 || !m->has_tsi || !m->has_tsr ||
	    !ike_policy_ts_ok(&m->tsi) || !ike_policy_ts_ok(&m->tsr))
		goto refused;
	if (esp.dh != 0) {
		girlen = sizeof(gir);
		if (!m->has_ke || sa->req.dh == NULL || m->ke.group != esp.dh ||
		    ike_dh_derive(sa->req.dh, m->ke.data.ptr, m->ke.data.len,
		    gir, &girlen) == -1)
			goto refused;
	}
	if ((c = ike_child_alloc(sa)) == NULL)
		goto refused;
	c->spi_in = sa->req.new_spi;
	c->spi_out = (uint32_t)prop->spi;
	c->esp = esp;
	c->esn = esn;
	if (ike_kdf_child_keys(sa->suite.prf, sa->keys.sk_d, sa->keys.prf_len,
	    &esp, girlen ? gir : NULL, girlen, sa->req.nonce, IKE_NONCE_LEN,
	    m->nonce.ptr, m->nonce.len, &k) == -1) {
		ike_child_keys_wipe(&k);
		explicit_bzero(gir, sizeof(gir));
		c->state = IKE_CHILD_FREE;
		goto refused;
	}
	explicit_bzero(gir, sizeof(gir));
	ike_child_install(sa, c, &k, true, now);
	ike_sa_event(sa, IKE_EV_REKEYED, IKE_R_NONE, "CHILD SA rekeyed");
	if (old == NULL)
		return;
	min_nonce(sa->req.nonce, IKE_NONCE_LEN, m->nonce.ptr, m->nonce.len,
	    &mine, &mlen);
	if (old->peer_rekeyed && nonce_cmp(mine, mlen, old->peer_min_nonce,
	    old->peer_min_nonce_len) < 0) {
		/* §2.8.1: ours holds the lowest nonce, ours is redundant. */
		c->state = IKE_CHILD_DELETING;
		c->del_sent = false;
		old->state = IKE_CHILD_REKEYED;
		old->expire_at = now + IKE_REKEYED_GRACE;
	} else {
		old->state = IKE_CHILD_DELETING;
		old->del_sent = false;
	}
	sa->queued |= IKE_Q_DELETE_CHILD;
	return;
refused:
	explicit_bzero(gir, sizeof(gir));
	if (ike_pld_notify_find(m, IKEV2_N_NO_PROPOSAL_CHOSEN) != NULL ||
	    ike_pld_notify_find(m, IKEV2_N_INVALID_KE_PAYLOAD) != NULL) {
		eng->stats.rx_no_proposal++;
		remote_log(sa, now, "CHILD SA rekey refused: no proposal chosen");
	}
	if (old != NULL) {
		old->state = IKE_CHILD_INSTALLED;
		old->rekey_at = retry_later(eng, now);
	}
}

void
ike_child_response(struct ike_sa *sa, struct ike_msg *m, monotime_t now)
{
	if (sa->req.task == IKE_TASK_IKE_REKEY)
		ike_rekey_response(sa, m, now);
	else
		child_rekey_response(sa, m, now);
}

/* ---- responder ---- */

static void
respond_notify(struct ike_sa *sa, uint32_t msgid, uint8_t proto,
    uint32_t spi, uint16_t type, const uint8_t *data, size_t dlen,
    monotime_t now)
{
	struct ike_out o;

	ike_out_init(&o);
	if (ike_build_notify(&o.b, proto, proto ? 4 : 0, spi, type, data,
	    dlen) == 0)
		(void)ike_msg_send_response(sa, IKEV2_EXCH_CREATE_CHILD_SA,
		    msgid, &o, now);
}

static void
ike_rekey_respond(struct ike_sa *sa, struct ike_msg *m, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	uint8_t pub[IKE_DH_PUB_MAX], gir[IKE_DH_SECRET_MAX], g[2];
	uint8_t nr[IKE_NONCE_LEN];
	size_t publen = sizeof(pub), girlen = sizeof(gir);
	const struct ike_pld_prop *prop;
	struct ike_pld_sa reply;
	struct ike_dh *dh = NULL;
	struct ike_sa *nsa;
	struct ike_suite s;
	struct ike_out o;
	uint32_t msgid = m->hdr.msgid;
	uint64_t spi;
	int errs = 0;

	if (sa->req.active && sa->req.task == IKE_TASK_IKE_REKEY) {
		/* Simultaneous IKE rekey: one of us retries later. */
		respond_notify(sa, msgid, 0, 0, IKEV2_N_TEMPORARY_FAILURE, NULL,
		    0, now);
		return;
	}
	if (ike_policy_select_ike(&sa->pol, &m->sa, 8, &s, &prop) == -1 ||
	    prop->spi == 0) {
		eng->stats.rx_no_proposal++;
		remote_log(sa, now, "IKE SA rekey: no proposal chosen");
		respond_notify(sa, msgid, 0, 0, IKEV2_N_NO_PROPOSAL_CHOSEN,
		    NULL, 0, now);
		return;
	}
	if (!m->has_ke || m->ke.group != s.dh) {
		g[0] = (uint8_t)(s.dh >> 8);
		g[1] = (uint8_t)s.dh;
		respond_notify(sa, msgid, 0, 0, IKEV2_N_INVALID_KE_PAYLOAD, g,
		    2, now);
		return;
	}
	do
		spi = ike_rand_u64(eng);
	while (spi == 0 || ike_sa_lookup(eng, spi) != NULL);
	if (ike_rand(eng, nr, sizeof(nr)) == -1 ||
	    (dh = ike_dh_new(s.dh, eng->cb.random, eng->cb.arg)) == NULL ||
	    ike_dh_public(dh, pub, &publen) == -1 ||
	    ike_dh_derive(dh, m->ke.data.ptr, m->ke.data.len, gir,
	    &girlen) == -1) {
		ike_dh_free(dh);
		respond_notify(sa, msgid, 0, 0, IKEV2_N_INVALID_SYNTAX, NULL, 0,
		    now);
		return;
	}
	ike_dh_free(dh);
	ike_policy_reply(&s, prop->num, IKEV2_PROTO_IKE, spi, 8, false, &reply);
	ike_out_init(&o);
	errs += ike_build_sa(&o.b, &reply);
	errs += ike_build_nonce(&o.b, nr, sizeof(nr));
	errs += ike_build_ke(&o.b, s.dh, pub, publen);
	nsa = rekeyed_sa(sa, false, spi, prop->spi, &s, gir, girlen,
	    m->nonce.ptr, m->nonce.len, nr, sizeof(nr), now);
	explicit_bzero(gir, sizeof(gir));
	if (nsa == NULL || errs != 0) {
		respond_notify(sa, msgid, 0, 0, IKEV2_N_TEMPORARY_FAILURE, NULL,
		    0, now);
		return;
	}
	/* Sent on the old SA, which now waits for the peer's DELETE. */
	(void)ike_msg_send_response(sa, IKEV2_EXCH_CREATE_CHILD_SA, msgid, &o,
	    now);
	ike_sa_event(nsa, IKE_EV_REKEYED, IKE_R_NONE, "IKE SA rekeyed");
}

void
ike_child_respond(struct ike_sa *sa, struct ike_msg *m, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	uint8_t pub[IKE_DH_PUB_MAX], gir[IKE_DH_SECRET_MAX], g[2];
	uint8_t nr[IKE_NONCE_LEN];
	size_t publen = sizeof(pub), girlen = 0, mlen;
	const struct ike_pld_notify *rn;
	const struct ike_pld_prop *prop;
	const uint8_t *mn;
	struct ike_child_keys k;
	struct ike_pld_sa reply;
	struct ike_child *old = NULL, *c;
	struct ike_dh *dh = NULL;
	struct ike_suite esp;
	struct ike_out o;
	uint32_t msgid = m->hdr.msgid;
	uint8_t i;
	bool esn;
	int errs = 0;

	if (sa->state != IKE_SA_ESTABLISHED) {
		respond_notify(sa, msgid, 0, 0, IKEV2_N_TEMPORARY_FAILURE, NULL,
		    0, now);
		return;
	}
	if (!m->has_sa || !m->has_nonce || m->nonce.len < IKEV2_NONCE_MIN) {
		eng->stats.rx_malformed++;
		respond_notify(sa, msgid, 0, 0, IKEV2_N_INVALID_SYNTAX, NULL, 0,
		    now);
		return;
	}
	for (i = 0; i < m->sa.nprops; i++)
		if (m->sa.props[i].proto == IKEV2_PROTO_IKE) {
			ike_rekey_respond(sa, m, now);
			return;
		}
	if ((rn = ike_pld_notify_find(m, IKEV2_N_REKEY_SA)) != NULL) {
		/* The SPI the peer receives with: our outbound one. */
		old = ike_child_by_out(sa, (uint32_t)rn->spi);
		if (old == NULL) {
			respond_notify(sa, msgid, IKEV2_PROTO_ESP,
			    (uint32_t)rn->spi, IKEV2_N_CHILD_SA_NOT_FOUND, NULL,
			    0, now);
			return;
		}
		if (old->state == IKE_CHILD_REKEYED ||
		    old->state == IKE_CHILD_DELETING) {
			respond_notify(sa, msgid, 0, 0,
			    IKEV2_N_TEMPORARY_FAILURE, NULL, 0, now);
			return;
		}
	}
	if (ike_policy_select_esp(&sa->pol, &m->sa, true, &esp, &esn,
	    &prop) == -1) {
		char offered[200], allowed[200], detail[450];

		eng->stats.rx_no_proposal++;
		ike_policy_describe_offer(&m->sa, offered, sizeof(offered));
		ike_policy_describe(&sa->pol, true, allowed, sizeof(allowed));
		snprintf(detail, sizeof(detail), "no proposal chosen: peer "
		    "offered ESP %s; link allows %s", offered, allowed);
		if (eng->cb.event == NULL)
			remote_log(sa, now, detail);
		ike_sa_event(sa, IKE_EV_REJECT, IKE_R_NO_PROPOSAL, detail);
		respond_notify(sa, msgid, 0, 0, IKEV2_N_NO_PROPOSAL_CHOSEN,
		    NULL, 0, now);
		return;
	}
	if (esp.dh != 0 && (!m->has_ke || m->ke.group != esp.dh)) {
		g[0] = (uint8_t)(esp.dh >> 8);
		g[1] = (uint8_t)esp.dh;
		respond_notify(sa, msgid, 0, 0, IKEV2_N_INVALID_KE_PAYLOAD, g,
		    2, now);
		return;
	}
	if (!m->has_tsi || !m->has_tsr || !ike_policy_ts_ok(&m->tsi) ||
	    !ike_policy_ts_ok(&m->tsr)) {
		remote_log(sa, now, "traffic selectors do not include "
		    "0.0.0.0/0 <-> 0.0.0.0/0");
		respond_notify(sa, msgid, 0, 0, IKEV2_N_TS_UNACCEPTABLE, NULL,
		    0, now);
		return;
	}
	if ((c = ike_child_alloc(sa)) == NULL) {
		respond_notify(sa, msgid, 0, 0, IKEV2_N_NO_ADDITIONAL_SAS,
		    NULL, 0, now);
		return;
	}
	if (ike_rand(eng, nr, sizeof(nr)) == -1 ||
	    (c->spi_in = ike_child_new_spi(eng)) == 0)
		goto fail;
	if (esp.dh != 0) {
		girlen = sizeof(gir);
		if ((dh = ike_dh_new(esp.dh, eng->cb.random,
		    eng->cb.arg)) == NULL ||
		    ike_dh_public(dh, pub, &publen) == -1 ||
		    ike_dh_derive(dh, m->ke.data.ptr, m->ke.data.len, gir,
		    &girlen) == -1)
			goto fail;
		ike_dh_free(dh);
		dh = NULL;
	}
	c->spi_out = (uint32_t)prop->spi;
	c->esp = esp;
	c->esn = esn;
	if (ike_kdf_child_keys(sa->suite.prf, sa->keys.sk_d, sa->keys.prf_len,
	    &esp, girlen ? gir : NULL, girlen, m->nonce.ptr, m->nonce.len, nr,
	    sizeof(nr), &k) == -1) {
		ike_child_keys_wipe(&k);
		goto fail;
	}
	explicit_bzero(gir, sizeof(gir));
	ike_child_install(sa, c, &k, false, now);

	ike_policy_reply(&esp, prop->num, IKEV2_PROTO_ESP, c->spi_in, 4, esn,
	    &reply);
	ike_out_init(&o);
	errs += ike_build_sa(&o.b, &reply);
	errs += ike_build_nonce(&o.b, nr, sizeof(nr));
	if (esp.dh != 0)
		errs += ike_build_ke(&o.b, esp.dh, pub, publen);
	errs += ike_policy_add_ts(&o.b);
	if (errs == 0)
		(void)ike_msg_send_response(sa, IKEV2_EXCH_CREATE_CHILD_SA,
		    msgid, &o, now);
	if (old != NULL) {
		if (old->state == IKE_CHILD_REKEYING) {
			/* §2.8.1: remember this exchange's lowest nonce. */
			min_nonce(m->nonce.ptr, m->nonce.len, nr, sizeof(nr),
			    &mn, &mlen);
			old->peer_rekeyed = true;
			old->peer_new_spi_in = c->spi_in;
			memcpy(old->peer_min_nonce, mn, mlen);
			old->peer_min_nonce_len = mlen;
		} else {
			/* The rekey's initiator deletes the old child. */
			old->state = IKE_CHILD_REKEYED;
			old->rekey_at = MONOTIME_NEVER;
			old->expire_at = now + IKE_REKEYED_GRACE;
		}
		ike_sa_event(sa, IKE_EV_REKEYED, IKE_R_NONE, "CHILD SA rekeyed");
	}
	return;
fail:
	explicit_bzero(gir, sizeof(gir));
	ike_dh_free(dh);
	memset(c, 0, sizeof(*c));
	c->state = IKE_CHILD_FREE;
	respond_notify(sa, msgid, 0, 0, IKEV2_N_NO_ADDITIONAL_SAS, NULL, 0, now);
}
