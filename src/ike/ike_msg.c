/*
 * ike_msg.c - protection of IKE messages (RFC 7296 §3.14, RFC 5282) and
 * their life after sending: a request stays with its SA until answered or
 * given up (retransmitted by ike_sa.c's timers, §2.1), a response is cached
 * so that a retransmitted request is answered without being processed again
 * (§2.1). The crypto itself is ike_crypto.c's; the codec ike_pld.c's.
 */
#include "ike_msg.h"

#include <stdlib.h>
#include <string.h>

#include "ike_crypto.h"
#include "ike_sa.h"
#include "ikev2_wire.h"
#include "log.h"

void
ike_out_init(struct ike_out *o)
{
	wbuf_init(&o->w, o->buf, sizeof(o->buf));
	ike_build_init(&o->b, &o->w);
}

void
ike_msg_send_raw(struct ike_engine *eng, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	eng->stats.tx++;
	eng->cb.send(eng->cb.arg, local, remote, pkt, len);
}

void
ike_msg_resend(struct ike_sa *sa, const uint8_t *pkt, size_t len)
{
	ike_msg_send_raw(sa->eng, &sa->local, &sa->remote, pkt, len);
}

void
ike_msg_resend_req(struct ike_sa *sa)
{
	if (sa->req.active && sa->req.pkt != NULL)
		ike_msg_resend(sa, sa->req.pkt, sa->req.len);
}

/* The plaintext payloads (AUTH, keys' inputs): only what was written. */
static void
out_wipe(struct ike_out *o)
{
	explicit_bzero(o->buf, wbuf_len(&o->w));
}

/* Header, SK around o's payloads, seal: into out, *len bytes. */
static int
seal(struct ike_sa *sa, uint8_t exchange, bool response, uint32_t msgid,
    struct ike_out *o, uint8_t *out, size_t cap, size_t *len)
{
	struct ike_build b;
	struct ike_hdr h;
	struct wbuf w;
	size_t plen, body_at, at, mlen;
	uint8_t *dst;

	if (sa->sk == NULL || ike_build_finish(&o->b, &plen) == -1)
		return -1;
	memset(&h, 0, sizeof(h));
	h.spi_i = sa->spi_i;
	h.spi_r = sa->spi_r;
	h.version = IKEV2_VERSION;
	h.exchange = exchange;
	h.flags = (uint8_t)((sa->initiator ? IKEV2_FLAG_I : 0) |
	    (response ? IKEV2_FLAG_R : 0));
	h.msgid = msgid;
	wbuf_init(&w, out, cap);
	ike_build_init(&b, &w);
	if (ike_build_header(&b, &h) == -1 ||
	    ike_build_sk(&b, plen > 0 ? o->b.first : IKEV2_PLD_NONE,
	    &body_at) == -1 ||
	    wbuf_reserve(&w, ike_sk_len(sa->sk, plen), &at) == -1 ||
	    ike_build_finish(&b, &mlen) == -1)
		return -1;
	if (plen > 0) {
		dst = wbuf_ptr_at(&w, body_at + ike_sk_iv_len(sa->sk), plen);
		if (dst == NULL)
			return -1;
		memcpy(dst, o->buf, plen);
	}
	if (mlen != body_at + ike_sk_len(sa->sk, plen) ||
	    ike_sk_seal(sa->sk, out, mlen, body_at, plen) == -1)
		return -1;
	*len = mlen;
	return 0;
}

int
ike_msg_send_request(struct ike_sa *sa, uint8_t exchange, struct ike_out *o,
    monotime_t now)
{
	uint8_t out[IKE_OUT_MAX];
	size_t len;
	uint8_t *copy;

	if (seal(sa, exchange, false, sa->req_next, o, out, sizeof(out),
	    &len) == -1 || (copy = malloc(len)) == NULL) {
		out_wipe(o);
		return -1;
	}
	out_wipe(o);
	memcpy(copy, out, len);
	free(sa->req.pkt);
	sa->req.pkt = copy;
	sa->req.len = len;
	sa->req.exchange = exchange;
	sa->req.msgid = sa->req_next++;
	sa->req.active = true;
	sa->req.tries = 0;
	ike_timers_msg_sent(sa, now);
	ike_msg_resend(sa, copy, len);
	return 0;
}

int
ike_msg_send_response(struct ike_sa *sa, uint8_t exchange, uint32_t msgid,
    struct ike_out *o, monotime_t now)
{
	uint8_t out[IKE_OUT_MAX];
	size_t len;
	uint8_t *copy;

	(void)now;
	if (seal(sa, exchange, true, msgid, o, out, sizeof(out), &len) == -1 ||
	    (copy = malloc(len)) == NULL) {
		out_wipe(o);
		return -1;
	}
	out_wipe(o);
	memcpy(copy, out, len);
	free(sa->resp);
	sa->resp = copy;
	sa->resp_len = len;
	sa->resp_msgid = msgid;
	ike_msg_resend(sa, copy, len);
	return 0;
}

int
ike_msg_send_oneshot(struct ike_sa *sa, uint8_t exchange, struct ike_out *o)
{
	uint8_t out[IKE_OUT_MAX];
	size_t len;
	uint32_t id;

	/* The window may be full; the next id is the best we can do. */
	id = sa->req.active ? sa->req.msgid + 1 : sa->req_next;
	if (seal(sa, exchange, false, id, o, out, sizeof(out), &len) == -1) {
		out_wipe(o);
		return -1;
	}
	out_wipe(o);
	ike_msg_resend(sa, out, len);
	return 0;
}

int
ike_msg_open(struct ike_sa *sa, uint8_t *pkt, size_t len, struct ike_msg *m,
    uint16_t *err_notify)
{
	uint8_t *plain;
	size_t plen;
	struct buf b;

	*err_notify = 0;
	if (sa->sk == NULL || !m->has_sk || m->has_skf)
		return -1;
	/* §2.21.1: integrity first; a failure is dropped without answer. */
	if (ike_sk_open(sa->sk, pkt, len, m->sk_aad_len, &plain, &plen) == -1)
		return -1;
	buf_init(&b, plain, plen);
	if (ike_pld_parse_chain(&b, m->sk_first, m, err_notify) == -1)
		return -1;
	return 0;
}
