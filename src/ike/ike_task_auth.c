/*
 * ike_task_auth.c - the IKE_AUTH exchange (RFC 7296 §1.2) with pre-shared
 * keys (§2.15) and the first CHILD_SA. The responder checks IDi against the
 * device link's ipAddress (the identity the CPE configuration sets), picks
 * the zone's key, narrows the traffic selectors to any-to-any (§2.9) and
 * installs the inbound SA before its response leaves, so the first ESP
 * packet of the initiator is never dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_msg.h"
#include "ike_pld.h"
#include "ike_sa.h"
#include "ike_task.h"
#include "ikev2_wire.h"
#include "ip4.h"
#include "log.h"

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* IDx' (§2.15) of an ID_IPV4_ADDR identity. */
static int
id_body(uint32_t ip, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t a[4];
	struct wbuf w;

	put32(a, ip);
	wbuf_init(&w, out, cap);
	if (ike_build_id_body(&w, IKEV2_ID_IPV4_ADDR, a, sizeof(a)) == -1 ||
	    w.err)
		return -1;
	*len = wbuf_len(&w);
	return 0;
}

/* The SA's keyed prf(PSK, "Key Pad for IKEv2"), made once (§2.15). */
static struct ike_prf_ctx *
auth_psk(struct ike_sa *sa)
{
	const char *psk;

	if (sa->auth_psk == NULL) {
		psk = ike_psk(sa);
		sa->auth_psk = ike_auth_psk_ctx_new(sa->suite.prf,
		    (const uint8_t *)psk, strlen(psk));
	}
	return sa->auth_psk;
}

static int
auth_value(struct ike_sa *sa, bool ours_is_initiator, const uint8_t *idb,
    size_t idlen, uint8_t *out)
{
	struct ike_prf_ctx *pk;
	const uint8_t *msg, *nonce, *skp;
	size_t msglen, noncelen;

	if ((pk = auth_psk(sa)) == NULL)
		return -1;
	if (ours_is_initiator) {
		msg = sa->init_req; msglen = sa->init_req_len;
		nonce = sa->nr; noncelen = sa->nr_len;
		skp = sa->keys.sk_pi;
	} else {
		msg = sa->init_resp; msglen = sa->init_resp_len;
		nonce = sa->ni; noncelen = sa->ni_len;
		skp = sa->keys.sk_pr;
	}
	return ike_auth_psk_ctx(pk, msg, msglen, nonce, noncelen, skp,
	    sa->keys.prf_len, idb, idlen, out);
}

/* The peer's AUTH: the initiator's (responder checking) or the responder's. */
static int
auth_verify(struct ike_sa *sa, bool peer_is_initiator,
    const struct ike_pld_id *id, const struct ike_pld_auth *auth)
{
	struct ike_prf_ctx *pk;
	const uint8_t *msg, *nonce, *skp;
	size_t msglen, noncelen;

	if (auth->method != IKEV2_AUTHM_SHARED_KEY_MIC ||
	    (pk = auth_psk(sa)) == NULL)
		return -1;
	if (peer_is_initiator) {
		msg = sa->init_req; msglen = sa->init_req_len;
		nonce = sa->nr; noncelen = sa->nr_len;
		skp = sa->keys.sk_pi;
	} else {
		msg = sa->init_resp; msglen = sa->init_resp_len;
		nonce = sa->ni; noncelen = sa->ni_len;
		skp = sa->keys.sk_pr;
	}
	return ike_auth_psk_ctx_verify(pk, msg, msglen, nonce, noncelen, skp,
	    sa->keys.prf_len, id->body.ptr, id->body.len, auth->data.ptr,
	    auth->data.len);
}

static bool
policy_has_ike(const struct ike_policy *pol, const struct ike_suite *s)
{
	size_t i;

	for (i = 0; i < pol->n_ike; i++)
		if (memcmp(&pol->ike[i], s, sizeof(*s)) == 0)
			return true;
	return false;
}

/*
 * Responder, the link's key did not verify: another link with the same
 * public address and zone (another tenant's, ike.h lookup) whose policy
 * allows the suite chosen at IKE_SA_INIT may own this branch. The first
 * whose key verifies becomes the SA's link; 0, or -1 with the SA's link
 * as it was. Each try is one PRF over the SA_INIT request.
 */
static void reject(struct ike_sa *, enum ike_reason, const char *,
	    monotime_t);

static int
auth_other_link(struct ike_sa *sa, const struct ike_msg *m, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	struct ike_peer_cfg orig, c;
	struct ike_policy pol;
	unsigned nth;
	int r = -1;

	if (eng->cb.lookup == NULL)
		return -1;
	orig = sa->cfg;
	for (nth = 0; eng->cb.lookup(eng->cb.arg, &sa->local, &sa->remote,
	    nth, &c) == 0; nth++) {
		if (strcmp(c.link_id, orig.link_id) == 0 ||
		    c.cpe_ip != orig.cpe_ip ||
		    ike_engine_policy(eng, &c.tunnel, &pol) == -1 ||
		    !policy_has_ike(&pol, &sa->suite)) {
			explicit_bzero(&c, sizeof(c));
			continue;
		}
		(void)ike_sa_set_cfg(sa, &c);
		explicit_bzero(&c, sizeof(c));
		if (auth_verify(sa, true, &m->idi, &m->auth) == 0) {
			r = 0;
			break;
		}
		/* Which link the branch meant is unknown: each one hears. */
		reject(sa, IKE_R_AUTH_FAILED, "authentication failed: AUTH "
		    "does not verify (wrong pre-shared key?)", now);
	}
	if (r == -1 && strcmp(sa->cfg.link_id, orig.link_id) != 0)
		(void)ike_sa_set_cfg(sa, &orig);
	explicit_bzero(&orig, sizeof(orig));
	return r;
}

static void
reject(struct ike_sa *sa, enum ike_reason r, const char *detail,
    monotime_t now)
{
	char who[400];

	/* The event always goes out; see init_failed(). */
	if (sa->eng->cb.event == NULL)
		ike_log_remote(sa->eng, sa->remote.ip, now, "%s: IKE_AUTH: %s",
		    ike_sa_who(sa, who, sizeof(who)), detail);
	ike_sa_event(sa, IKE_EV_REJECT, r, detail);
}

/*
 * An INITIAL_CONTACT (§2.4): the peer has no other IKE SA "between the
 * authenticated identities" of this one, so older SAs between the same two
 * identities are gone. Only those: the gateway's identity (IDr, the zone's
 * endpoint) differs per zone, and a zone-redundant branch sends
 * INITIAL_CONTACT on each zone's first SA; the other zone's tunnel stays.
 */
static void
initial_contact(struct ike_sa *sa)
{
	struct ike_sa *o, *next;

	/* The link's SAs only; torn-down ones stay allocated until reaped. */
	for (o = ike_sa_link_first(sa->eng, sa->cfg.link_id); o != NULL;
	    o = next) {
		next = o->link_next;
		if (o == sa || o->initiator || o->state == IKE_SA_DEAD ||
		    o->state == IKE_SA_HALF_OPEN ||
		    strcmp(o->cfg.link_id, sa->cfg.link_id) != 0 ||
		    o->cfg.cpe_ip != sa->cfg.cpe_ip ||
		    o->cfg.gw_ip != sa->cfg.gw_ip)
			continue;
		if (o->up && o->state != IKE_SA_REKEYED)
			ike_sa_event(o, IKE_EV_TUNNEL_DOWN,
			    IKE_R_PEER_DELETE, "replaced by a new IKE "
			    "SA (INITIAL_CONTACT)");
		ike_sa_teardown(o);
	}
}

static void
tunnel_up(struct ike_sa *sa)
{
	char who[400], ike[64], esp[64];
	size_t i;

	sa->up = true;
	ike[0] = esp[0] = '\0';
	(void)ike_suite_name(&sa->suite, ike, sizeof(ike));
	for (i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].state == IKE_CHILD_INSTALLED)
			(void)ike_suite_name(&sa->child[i].esp, esp,
			    sizeof(esp));
	log_info("ike: %s: tunnel up, IKE %s, ESP %s%s",
	    ike_sa_who(sa, who, sizeof(who)), ike, esp,
	    ike_sa_udp_encap(sa) ? ", UDP-encapsulated" : "");
	ike_sa_event(sa, IKE_EV_TUNNEL_UP, IKE_R_NONE, NULL);
}

/* ---- initiator ---- */

int
ike_auth_start(struct ike_sa *sa, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	uint8_t idb[16], auth[IKE_PRF_MAX], a[4];
	struct ike_pld_sa offer;
	struct ike_out o;
	size_t idlen;
	uint32_t spi;
	int errs = 0;

	if ((spi = ike_child_new_spi(eng)) == 0 ||
	    id_body(sa->cfg.cpe_ip, idb, sizeof(idb), &idlen) == -1 ||
	    auth_value(sa, true, idb, idlen, auth) == -1)
		return -1;
	ike_policy_offer_esp(&sa->pol, spi, false, &offer);
	ike_out_init(&o);
	put32(a, sa->cfg.cpe_ip);
	errs += ike_build_id(&o.b, IKEV2_PLD_IDI, IKEV2_ID_IPV4_ADDR, a, 4);
	errs += ike_build_notify(&o.b, 0, 0, 0, IKEV2_N_INITIAL_CONTACT,
	    NULL, 0);
	if (sa->cfg.gw_ip != 0) {
		put32(a, sa->cfg.gw_ip);
		errs += ike_build_id(&o.b, IKEV2_PLD_IDR, IKEV2_ID_IPV4_ADDR,
		    a, 4);
	}
	errs += ike_build_auth(&o.b, IKEV2_AUTHM_SHARED_KEY_MIC, auth,
	    sa->keys.prf_len);
	explicit_bzero(auth, sizeof(auth));
	errs += ike_build_sa(&o.b, &offer);
	if (eng->test_narrow_ts) {
		struct ike_pld_ts t;

		ike_pld_ts_any(&t);
		t.start_addr = 0x0a000000;
		t.end_addr = 0x0a0000ff;
		errs += ike_build_ts(&o.b, IKEV2_PLD_TSI, &t, 1);
		errs += ike_build_ts(&o.b, IKEV2_PLD_TSR, &t, 1);
	} else
		errs += ike_policy_add_ts(&o.b);
	if (errs != 0)
		return -1;
	sa->state = IKE_SA_AUTH_SENT;
	if (ike_msg_send_request(sa, IKEV2_EXCH_IKE_AUTH, &o, now) == -1)
		return -1;
	sa->req.task = IKE_TASK_AUTH;
	sa->req.new_spi = spi;
	return 0;
}

void
ike_auth_response(struct ike_sa *sa, struct ike_msg *m, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	const struct ike_pld_prop *prop;
	struct ike_child_keys k;
	struct ike_child *c;
	struct ike_suite esp;
	bool esn;

	if (ike_pld_notify_find(m, IKEV2_N_AUTHENTICATION_FAILED) != NULL) {
		eng->stats.rx_auth_failed++;
		reject(sa, IKE_R_AUTH_FAILED, "authentication failed: the "
		    "responder refused our pre-shared key or identity "
		    "(AUTHENTICATION_FAILED)", now);
		ike_sa_teardown(sa);
		return;
	}
	if (!m->has_idr || !m->has_auth ||
	    (sa->cfg.gw_ip != 0 && (m->idr.type != IKEV2_ID_IPV4_ADDR ||
	    m->idr.data.len != 4 || get32(m->idr.data.ptr) != sa->cfg.gw_ip)) ||
	    auth_verify(sa, false, &m->idr, &m->auth) == -1) {
		eng->stats.rx_auth_failed++;
		reject(sa, IKE_R_AUTH_FAILED, "authentication failed: the "
		    "responder's AUTH or identity does not match", now);
		ike_sa_teardown(sa);
		return;
	}
	sa->state = IKE_SA_ESTABLISHED;
	sa->established = true;
	ike_timers_established(sa, now);
	eng->stats.sa_established++;

	if (ike_pld_notify_find(m, IKEV2_N_NO_PROPOSAL_CHOSEN) != NULL) {
		eng->stats.rx_no_proposal++;
		reject(sa, IKE_R_NO_PROPOSAL, "no proposal chosen: the "
		    "responder accepted none of our ESP proposals", now);
		sa->queued |= IKE_Q_DELETE_IKE;
		return;
	}
	if (ike_pld_notify_find(m, IKEV2_N_TS_UNACCEPTABLE) != NULL) {
		reject(sa, IKE_R_TS_UNACCEPTABLE, "the responder refused our "
		    "traffic selectors (TS_UNACCEPTABLE)", now);
		sa->queued |= IKE_Q_DELETE_IKE;
		return;
	}
	if (!m->has_sa || !m->has_tsi || !m->has_tsr || m->sa.nprops != 1 ||
	    ike_policy_select_esp(&sa->pol, &m->sa, false, &esp, &esn,
	    &prop) == -1 || !ike_policy_ts_ok(&m->tsi) ||
	    !ike_policy_ts_ok(&m->tsr) || (c = ike_child_alloc(sa)) == NULL) {
		reject(sa, IKE_R_NO_PROPOSAL, "unacceptable CHILD_SA in the "
		    "IKE_AUTH response", now);
		sa->queued |= IKE_Q_DELETE_IKE;
		return;
	}
	c->spi_in = sa->req.new_spi;
	c->spi_out = (uint32_t)prop->spi;
	c->esp = esp;
	c->esn = esn;
	if (ike_kdf_child_keys(sa->suite.prf, sa->keys.sk_d, sa->keys.prf_len,
	    &esp, NULL, 0, sa->ni, sa->ni_len, sa->nr, sa->nr_len, &k) == -1) {
		ike_child_keys_wipe(&k);
		c->state = IKE_CHILD_FREE;
		sa->queued |= IKE_Q_DELETE_IKE;
		return;
	}
	ike_child_install(sa, c, &k, true, now);
	tunnel_up(sa);
}

/* ---- responder ---- */

static void
respond_error(struct ike_sa *sa, uint32_t msgid, uint16_t type,
    monotime_t now)
{
	struct ike_out o;

	ike_out_init(&o);
	if (ike_build_notify(&o.b, 0, 0, 0, type, NULL, 0) == 0)
		(void)ike_msg_send_response(sa, IKEV2_EXCH_IKE_AUTH, msgid, &o,
		    now);
}

void
ike_auth_respond(struct ike_sa *sa, struct ike_msg *m, monotime_t now)
{
	struct ike_engine *eng = sa->eng;
	uint8_t idb[16], auth[IKE_PRF_MAX], a[4];
	char detail[600], offered[200], allowed[200], ia[IP4_STRLEN],
	    ea[IP4_STRLEN];
	const struct ike_pld_prop *prop;
	struct ike_child_keys k;
	struct ike_pld_sa reply;
	struct ike_child *c = NULL;
	struct ike_suite esp;
	struct ike_out o;
	uint32_t msgid = m->hdr.msgid;
	size_t idlen;
	bool esn, child_ok = false;
	uint16_t child_err = 0;
	int errs = 0;

	if (!m->has_idi || !m->has_auth) {
		eng->stats.rx_malformed++;
		respond_error(sa, msgid, IKEV2_N_INVALID_SYNTAX, now);
		ike_sa_teardown(sa);
		return;
	}
	/* The identity is the link's ipAddress, also behind NAT. */
	if (m->idi.type != IKEV2_ID_IPV4_ADDR || m->idi.data.len != 4 ||
	    get32(m->idi.data.ptr) != sa->cfg.cpe_ip) {
		eng->stats.rx_auth_failed++;
		snprintf(detail, sizeof(detail), "authentication failed: IDi "
		    "is %s, the link expects ID_IPV4_ADDR %s",
		    m->idi.type == IKEV2_ID_IPV4_ADDR && m->idi.data.len == 4 ?
		    ip4_fmt(get32(m->idi.data.ptr), ia) : "not an IPv4 address",
		    ip4_fmt(sa->cfg.cpe_ip, ea));
		goto auth_failed;
	}
	if (auth_verify(sa, true, &m->idi, &m->auth) == -1 &&
	    auth_other_link(sa, m, now) == -1) {
		eng->stats.rx_auth_failed++;
		snprintf(detail, sizeof(detail), "authentication failed: "
		    "AUTH does not verify (wrong pre-shared key%s?)",
		    sa->cfg.zone == 2 ? " for zone 2" : "");
		goto auth_failed;
	}
	ike_sa_half_open_done(sa);
	sa->state = IKE_SA_ESTABLISHED;
	sa->established = true;
	ike_timers_established(sa, now);
	eng->stats.sa_established++;
	if (ike_pld_notify_find(m, IKEV2_N_INITIAL_CONTACT) != NULL)
		initial_contact(sa);

	/* The first CHILD_SA (§1.2); refusing it keeps the IKE SA (§2.21.2). */
	if (!m->has_sa || !m->has_tsi || !m->has_tsr)
		child_err = IKEV2_N_NO_PROPOSAL_CHOSEN;
	else if (ike_policy_select_esp(&sa->pol, &m->sa, false, &esp, &esn,
	    &prop) == -1) {
		child_err = IKEV2_N_NO_PROPOSAL_CHOSEN;
		eng->stats.rx_no_proposal++;
		ike_policy_describe_offer(&m->sa, offered, sizeof(offered));
		ike_policy_describe(&sa->pol, true, allowed, sizeof(allowed));
		snprintf(detail, sizeof(detail), "no proposal chosen: peer "
		    "offered ESP %s; link allows %s", offered, allowed);
		reject(sa, IKE_R_NO_PROPOSAL, detail, now);
	} else if (!ike_policy_ts_ok(&m->tsi) || !ike_policy_ts_ok(&m->tsr)) {
		child_err = IKEV2_N_TS_UNACCEPTABLE;
		reject(sa, IKE_R_TS_UNACCEPTABLE, "traffic selectors do not "
		    "include 0.0.0.0/0 <-> 0.0.0.0/0 (route-based tunnel)",
		    now);
	} else if ((c = ike_child_alloc(sa)) == NULL)
		child_err = IKEV2_N_NO_ADDITIONAL_SAS;
	if (child_err == 0) {
		c->spi_out = (uint32_t)prop->spi;
		c->esp = esp;
		c->esn = esn;
		if ((c->spi_in = ike_child_new_spi(eng)) == 0 ||
		    ike_kdf_child_keys(sa->suite.prf, sa->keys.sk_d,
		    sa->keys.prf_len, &esp, NULL, 0, sa->ni, sa->ni_len,
		    sa->nr, sa->nr_len, &k) == -1) {
			ike_child_keys_wipe(&k);
			c->state = IKE_CHILD_FREE;
			child_err = IKEV2_N_NO_ADDITIONAL_SAS;
		} else {
			/* Inbound SA in place before the response leaves. */
			ike_child_install(sa, c, &k, false, now);
			child_ok = true;
		}
	}

	if (id_body(sa->cfg.gw_ip, idb, sizeof(idb), &idlen) == -1 ||
	    auth_value(sa, false, idb, idlen, auth) == -1)
		goto internal;
	ike_out_init(&o);
	put32(a, sa->cfg.gw_ip);
	errs += ike_build_id(&o.b, IKEV2_PLD_IDR, IKEV2_ID_IPV4_ADDR, a, 4);
	errs += ike_build_auth(&o.b, IKEV2_AUTHM_SHARED_KEY_MIC, auth,
	    sa->keys.prf_len);
	explicit_bzero(auth, sizeof(auth));
	if (child_ok) {
		ike_policy_reply(&c->esp, prop->num, IKEV2_PROTO_ESP, c->spi_in,
		    4, c->esn, &reply);
		errs += ike_build_sa(&o.b, &reply);
		errs += ike_policy_add_ts(&o.b);
	} else
		errs += ike_build_notify(&o.b, 0, 0, 0, child_err, NULL, 0);
	if (errs != 0 ||
	    ike_msg_send_response(sa, IKEV2_EXCH_IKE_AUTH, msgid, &o,
	    now) == -1)
		goto internal;
	if (child_ok)
		tunnel_up(sa);
	else
		sa->queued |= IKE_Q_DELETE_IKE;	/* nothing to carry */
	return;

auth_failed:
	/* §2.21.2: an encrypted AUTHENTICATION_FAILED, then the SA is gone. */
	reject(sa, IKE_R_AUTH_FAILED, detail, now);
	respond_error(sa, msgid, IKEV2_N_AUTHENTICATION_FAILED, now);
	ike_sa_teardown(sa);
	return;
internal:
	explicit_bzero(auth, sizeof(auth));
	log_err("ike: %s: cannot build the IKE_AUTH response", __func__);
	ike_sa_teardown(sa);
}
