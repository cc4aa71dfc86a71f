/*
 * fuzz_ike_rt.h - shared by fuzz_ike_msg.c and fuzz_ike_pld.c: rebuild
 * every payload a parse produced with the ike_build_*() functions, parse
 * the result again and insist that nothing changed. Vendor IDs, ignored
 * payloads, unknown attributes and non-IPv4 selectors are dropped by
 * design, so they are not compared.
 */
#ifndef FUZZ_IKE_RT_H
#define FUZZ_IKE_RT_H

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ike_pld.h"
#include "ikev2_wire.h"

static uint8_t	rt_out[2 * IKEV2_MSG_MAX];
static struct ike_msg rt_m2;

static void
rt_span_eq(const struct ike_span *a, const struct ike_span *b)
{
	if (a->len != b->len || (a->len > 0 && memcmp(a->ptr, b->ptr, a->len)))
		abort();
}

/* IDx' keeps the reserved bytes as received (§2.15), the builder zeroes them. */
static void
rt_id_eq(const struct ike_pld_id *a, const struct ike_pld_id *b)
{
	if (a->type != b->type || a->body.len != b->body.len ||
	    a->body.ptr[0] != a->type || b->body.ptr[0] != b->type)
		abort();
	rt_span_eq(&a->data, &b->data);
}

static void
rt_ts_eq(const struct ike_pld_ts_set *a, const struct ike_pld_ts_set *b)
{
	uint8_t i;

	if (a->nts != b->nts)
		abort();
	for (i = 0; i < a->nts; i++)
		if (a->ts[i].ip_proto != b->ts[i].ip_proto ||
		    a->ts[i].start_port != b->ts[i].start_port ||
		    a->ts[i].end_port != b->ts[i].end_port ||
		    a->ts[i].start_addr != b->ts[i].start_addr ||
		    a->ts[i].end_addr != b->ts[i].end_addr)
			abort();
}

static void
rt_payloads_eq(const struct ike_msg *a, const struct ike_msg *b)
{
	uint8_t i, j;

	if (a->has_sa != b->has_sa || a->has_ke != b->has_ke ||
	    a->has_nonce != b->has_nonce || a->has_idi != b->has_idi ||
	    a->has_idr != b->has_idr || a->has_auth != b->has_auth ||
	    a->has_sk != b->has_sk || a->nnotify != b->nnotify ||
	    a->ndelete != b->ndelete)
		abort();
	if (a->has_sa) {
		if (a->sa.nprops != b->sa.nprops)
			abort();
		for (i = 0; i < a->sa.nprops; i++) {
			const struct ike_pld_prop *p = &a->sa.props[i];
			const struct ike_pld_prop *q = &b->sa.props[i];

			if (p->num != q->num || p->proto != q->proto ||
			    p->spi_size != q->spi_size || p->spi != q->spi ||
			    p->nxforms != q->nxforms)
				abort();
			for (j = 0; j < p->nxforms; j++)
				if (p->xf[j].type != q->xf[j].type ||
				    p->xf[j].id != q->xf[j].id ||
				    p->xf[j].key_len != q->xf[j].key_len)
					abort();
		}
	}
	if (a->has_ke && (a->ke.group != b->ke.group))
		abort();
	if (a->has_ke)
		rt_span_eq(&a->ke.data, &b->ke.data);
	if (a->has_nonce)
		rt_span_eq(&a->nonce, &b->nonce);
	if (a->has_idi)
		rt_id_eq(&a->idi, &b->idi);
	if (a->has_idr)
		rt_id_eq(&a->idr, &b->idr);
	if (a->has_auth) {
		if (a->auth.method != b->auth.method)
			abort();
		rt_span_eq(&a->auth.data, &b->auth.data);
	}
	for (i = 0; i < a->nnotify; i++) {
		if (a->notify[i].proto != b->notify[i].proto ||
		    a->notify[i].spi_size != b->notify[i].spi_size ||
		    a->notify[i].spi != b->notify[i].spi ||
		    a->notify[i].type != b->notify[i].type)
			abort();
		rt_span_eq(&a->notify[i].data, &b->notify[i].data);
	}
	for (i = 0; i < a->ndelete; i++) {
		if (a->del[i].proto != b->del[i].proto ||
		    a->del[i].spi_size != b->del[i].spi_size ||
		    a->del[i].nspis != b->del[i].nspis ||
		    memcmp(a->del[i].spis, b->del[i].spis,
		    a->del[i].nspis * sizeof(a->del[i].spis[0])) != 0)
			abort();
	}
	if (a->has_tsi && a->tsi.nts > 0)
		rt_ts_eq(&a->tsi, &b->tsi);
	if (a->has_tsr && a->tsr.nts > 0)
		rt_ts_eq(&a->tsr, &b->tsr);
	if (a->has_sk) {
		if (a->sk_first != b->sk_first)
			abort();
		rt_span_eq(&a->sk_body, &b->sk_body);
	}
}

/* Every parsed payload, through the builders; any failure is a bug. */
static void
rt_build(struct ike_build *b, const struct ike_msg *m)
{
	size_t body_at;
	uint8_t i;
	int errs = 0;

	if (m->has_sa)
		errs += ike_build_sa(b, &m->sa);
	if (m->has_ke)
		errs += ike_build_ke(b, m->ke.group, m->ke.data.ptr, m->ke.data.len);
	if (m->has_nonce)
		errs += ike_build_nonce(b, m->nonce.ptr, m->nonce.len);
	if (m->has_idi)
		errs += ike_build_id(b, IKEV2_PLD_IDI, m->idi.type,
		    m->idi.data.ptr, m->idi.data.len);
	if (m->has_idr)
		errs += ike_build_id(b, IKEV2_PLD_IDR, m->idr.type,
		    m->idr.data.ptr, m->idr.data.len);
	if (m->has_auth)
		errs += ike_build_auth(b, m->auth.method, m->auth.data.ptr,
		    m->auth.data.len);
	for (i = 0; i < m->nnotify; i++)
		errs += ike_build_notify(b, m->notify[i].proto,
		    m->notify[i].spi_size, m->notify[i].spi, m->notify[i].type,
		    m->notify[i].data.ptr, m->notify[i].data.len);
	for (i = 0; i < m->ndelete; i++)
		errs += ike_build_delete(b, m->del[i].proto, m->del[i].spis,
		    m->del[i].nspis);
	if (m->has_tsi && m->tsi.nts > 0)
		errs += ike_build_ts(b, IKEV2_PLD_TSI, m->tsi.ts, m->tsi.nts);
	if (m->has_tsr && m->tsr.nts > 0)
		errs += ike_build_ts(b, IKEV2_PLD_TSR, m->tsr.ts, m->tsr.nts);
	if (m->has_sk) {
		errs += ike_build_sk(b, m->sk_first, &body_at);
		errs += wbuf_add_bytes(b->w, m->sk_body.ptr, m->sk_body.len);
		(void)body_at;	/* differs when skipped payloads preceded SK */
	}
	if (errs != 0)
		abort();
}

/* Drop what the builders cannot express before comparing presence. */
static void
rt_normalise(struct ike_msg *m)
{
	if (m->has_tsi && m->tsi.nts == 0)
		m->has_tsi = false;
	if (m->has_tsr && m->tsr.nts == 0)
		m->has_tsr = false;
}

#endif
