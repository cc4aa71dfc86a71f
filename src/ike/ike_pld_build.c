/*
 * ike_pld_build.c - building IKEv2 messages (RFC 7296 §3) into a wbuf.
 * struct ike_build remembers where the previous next-payload byte is, so
 * each builder chains itself; lengths are back-patched, never computed
 * ahead. The SA payload builder is in ike_pld_sa.c. Encryption is the
 * engine's: it builds the inner chain into its own wbuf, then opens the SK
 * payload here and appends IV, ciphertext and ICV.
 */
#include "ike_pld.h"

#include <string.h>

#include "buf.h"
#include "ike_pld_int.h"
#include "ikev2_wire.h"

#define IKE_HDR_NEXT_OFF	16	/* §3.1: SPIs, then Next Payload */
#define IKE_HDR_LEN_OFF		24

void
ike_build_init(struct ike_build *b, struct wbuf *w)
{
	memset(b, 0, sizeof(*b));
	b->w = w;
}

int
ike_build_header(struct ike_build *b, const struct ike_hdr *h)
{
	int errs = 0;

	if (b->has_hdr || b->first != IKEV2_PLD_NONE) {
		b->w->err = true;
		return -1;
	}
	b->hdr_at = wbuf_len(b->w);
	errs += wbuf_add_u64(b->w, h->spi_i);
	errs += wbuf_add_u64(b->w, h->spi_r);
	errs += wbuf_add_u8(b->w, IKEV2_PLD_NONE);
	errs += wbuf_add_u8(b->w, h->version);
	errs += wbuf_add_u8(b->w, h->exchange);
	errs += wbuf_add_u8(b->w, h->flags);
	errs += wbuf_add_u32(b->w, h->msgid);
	errs += wbuf_add_u32(b->w, 0);		/* patched by ike_build_finish() */
	if (errs != 0)
		return -1;
	b->has_hdr = true;
	b->np_at = b->hdr_at + IKE_HDR_NEXT_OFF;
	b->has_np = true;
	return 0;
}

int
ike_build_pld_begin(struct ike_build *b, uint8_t type, size_t *start)
{
	int errs = 0;

	/* §3.14: nothing may follow the Encrypted payload */
	if (b->has_sk || type == IKEV2_PLD_NONE) {
		b->w->err = true;
		return -1;
	}
	if (b->has_np)
		errs += wbuf_set_u8_at(b->w, b->np_at, type);
	if (b->first == IKEV2_PLD_NONE)
		b->first = type;
	*start = wbuf_len(b->w);
	errs += wbuf_add_u8(b->w, IKEV2_PLD_NONE);
	errs += wbuf_add_u8(b->w, 0);		/* C bit clear: §2.5 */
	errs += wbuf_add_u16(b->w, 0);
	if (errs != 0)
		return -1;
	b->np_at = *start;
	b->has_np = true;
	return 0;
}

int
ike_build_pld_end(struct ike_build *b, size_t start)
{
	size_t len = wbuf_len(b->w) - start;

	if (b->w->err || len > UINT16_MAX) {
		b->w->err = true;
		return -1;
	}
	return wbuf_set_u16_at(b->w, start + 2, (uint16_t)len);
}

/* The common shape: a fixed prefix then variable data. */
static int
ike_build_simple(struct ike_build *b, uint8_t type, const uint8_t *pfx,
    size_t pfx_len, const uint8_t *data, size_t len)
{
	size_t start;
	int errs = 0;

	if (ike_build_pld_begin(b, type, &start) == -1)
		return -1;
	errs += wbuf_add_bytes(b->w, pfx, pfx_len);
	errs += wbuf_add_bytes(b->w, data, len);
	if (errs != 0)
		return -1;
	return ike_build_pld_end(b, start);
}

int
ike_build_ke(struct ike_build *b, uint16_t group, const uint8_t *data,
    size_t len)
{
	uint8_t pfx[4] = { (uint8_t)(group >> 8), (uint8_t)group, 0, 0 };

	return ike_build_simple(b, IKEV2_PLD_KE, pfx, sizeof(pfx), data, len);
}

int
ike_build_nonce(struct ike_build *b, const uint8_t *data, size_t len)
{
	return ike_build_simple(b, IKEV2_PLD_NONCE, NULL, 0, data, len);
}

int
ike_build_id_body(struct wbuf *w, uint8_t id_type, const uint8_t *data,
    size_t len)
{
	int errs = 0;

	errs += wbuf_add_u8(w, id_type);
	errs += wbuf_add_zero(w, 3);
	errs += wbuf_add_bytes(w, data, len);
	return errs != 0 ? -1 : 0;
}

int
ike_build_id(struct ike_build *b, uint8_t pld_type, uint8_t id_type,
    const uint8_t *data, size_t len)
{
	size_t start;

	if (pld_type != IKEV2_PLD_IDI && pld_type != IKEV2_PLD_IDR) {
		b->w->err = true;
		return -1;
	}
	if (ike_build_pld_begin(b, pld_type, &start) == -1 ||
	    ike_build_id_body(b->w, id_type, data, len) == -1)
		return -1;
	return ike_build_pld_end(b, start);
}

int
ike_build_auth(struct ike_build *b, uint8_t method, const uint8_t *data,
    size_t len)
{
	uint8_t pfx[4] = { method, 0, 0, 0 };

	return ike_build_simple(b, IKEV2_PLD_AUTH, pfx, sizeof(pfx), data, len);
}

int
ike_build_notify(struct ike_build *b, uint8_t proto, uint8_t spi_size,
    uint64_t spi, uint16_t type, const uint8_t *data, size_t len)
{
	size_t start;
	int errs = 0;

	if (ike_build_pld_begin(b, IKEV2_PLD_NOTIFY, &start) == -1)
		return -1;
	errs += wbuf_add_u8(b->w, proto);
	errs += wbuf_add_u8(b->w, spi_size);
	errs += wbuf_add_u16(b->w, type);
	if (spi_size == 4)
		errs += wbuf_add_u32(b->w, (uint32_t)spi);
	else if (spi_size == 8)
		errs += wbuf_add_u64(b->w, spi);
	else if (spi_size != 0) {
		b->w->err = true;
		return -1;
	}
	errs += wbuf_add_bytes(b->w, data, len);
	if (errs != 0)
		return -1;
	return ike_build_pld_end(b, start);
}

int
ike_build_delete(struct ike_build *b, uint8_t proto, const uint32_t *spis,
    size_t nspis)
{
	size_t start, i;
	int errs = 0;

	if (nspis > IKE_MAX_DEL_SPIS || (proto == IKEV2_PROTO_IKE && nspis)) {
		b->w->err = true;
		return -1;
	}
	if (ike_build_pld_begin(b, IKEV2_PLD_DELETE, &start) == -1)
		return -1;
	errs += wbuf_add_u8(b->w, proto);
	errs += wbuf_add_u8(b->w, proto == IKEV2_PROTO_IKE ? 0 : 4);
	errs += wbuf_add_u16(b->w, (uint16_t)nspis);
	for (i = 0; i < nspis; i++)
		errs += wbuf_add_u32(b->w, spis[i]);
	if (errs != 0)
		return -1;
	return ike_build_pld_end(b, start);
}

void
ike_pld_ts_any(struct ike_pld_ts *t)
{
	t->ip_proto = 0;
	t->start_port = 0;
	t->end_port = 65535;
	t->start_addr = 0;
	t->end_addr = 0xffffffff;
}

int
ike_build_ts(struct ike_build *b, uint8_t pld_type, const struct ike_pld_ts *ts,
    size_t n)
{
	size_t start, i;
	int errs = 0;

	if ((pld_type != IKEV2_PLD_TSI && pld_type != IKEV2_PLD_TSR) ||
	    n == 0 || n > IKE_MAX_TS) {
		b->w->err = true;
		return -1;
	}
	if (ike_build_pld_begin(b, pld_type, &start) == -1)
		return -1;
	errs += wbuf_add_u8(b->w, (uint8_t)n);
	errs += wbuf_add_zero(b->w, 3);
	for (i = 0; i < n; i++) {
		errs += wbuf_add_u8(b->w, IKEV2_TS_IPV4_ADDR_RANGE);
		errs += wbuf_add_u8(b->w, ts[i].ip_proto);
		errs += wbuf_add_u16(b->w, IKEV2_TS_IPV4_LEN);
		errs += wbuf_add_u16(b->w, ts[i].start_port);
		errs += wbuf_add_u16(b->w, ts[i].end_port);
		errs += wbuf_add_u32(b->w, ts[i].start_addr);
		errs += wbuf_add_u32(b->w, ts[i].end_addr);
	}
	if (errs != 0)
		return -1;
	return ike_build_pld_end(b, start);
}

int
ike_build_vendor(struct ike_build *b, const uint8_t *data, size_t len)
{
	return ike_build_simple(b, IKEV2_PLD_VENDOR, NULL, 0, data, len);
}

int
ike_build_sk(struct ike_build *b, uint8_t first_inner, size_t *body_at)
{
	size_t start;

	if (ike_build_pld_begin(b, IKEV2_PLD_SK, &start) == -1 ||
	    wbuf_set_u8_at(b->w, start, first_inner) == -1)
		return -1;
	b->has_sk = true;
	b->has_np = false;
	b->sk_at = start;
	*body_at = wbuf_len(b->w);
	return 0;
}

int
ike_build_finish(struct ike_build *b, size_t *len)
{
	size_t total;

	if (b->w->err)
		return -1;
	if (b->has_sk && ike_build_pld_end(b, b->sk_at) == -1)
		return -1;
	total = wbuf_len(b->w) - b->hdr_at;
	if (b->has_hdr) {
		if (total > IKEV2_MSG_MAX ||
		    wbuf_set_u32_at(b->w, b->hdr_at + IKE_HDR_LEN_OFF,
		    (uint32_t)total) == -1) {
			b->w->err = true;
			return -1;
		}
	}
	if (len != NULL)
		*len = total;
	return b->w->err ? -1 : 0;
}
