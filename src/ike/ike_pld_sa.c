/*
 * ike_pld_sa.c - the SA payload (RFC 7296 §3.3): proposals, transforms and
 * their attributes, parsed into fixed arrays and built back. Choosing a
 * proposal is the engine's business; this file only checks structure.
 */
#include "ike_pld.h"

#include "buf.h"
#include "ike_pld_int.h"
#include "ikev2_wire.h"

/* §3.3.5 attributes: KEY_LENGTH is kept, anything else flags the transform. */
static int
ike_pld_attrs_parse(struct buf *b, struct ike_pld_xform *x)
{
	uint16_t type, val;

	while (buf_left(b) > 0) {
		if (buf_get_u16(b, &type) == -1 || buf_get_u16(b, &val) == -1)
			return -1;
		if (!(type & IKEV2_ATTR_AF)) {
			/* TLV: val is the length of the value */
			if (buf_skip(b, val) == -1)
				return -1;
			x->unknown_attr = true;
			continue;
		}
		if ((type & ~IKEV2_ATTR_AF) != IKEV2_ATTR_KEY_LENGTH) {
			x->unknown_attr = true;
			continue;
		}
		if (x->key_len != 0 || val == 0)
			return -1;	/* twice, or a zero length we cannot store */
		x->key_len = val;
	}
	return 0;
}

/* §3.3.2 */
static int
ike_pld_xform_parse(struct buf *b, uint8_t *last, struct ike_pld_xform *x)
{
	struct buf body;
	uint16_t len;

	x->key_len = 0;
	x->unknown_attr = false;
	if (buf_get_u8(b, last) == -1 || buf_skip(b, 1) == -1 ||
	    buf_get_u16(b, &len) == -1 || len < IKEV2_XFORM_HDR_LEN ||
	    buf_get_sub(b, len - IKEV2_PLD_HDR_LEN, &body) == -1 ||
	    buf_get_u8(&body, &x->type) == -1 || buf_skip(&body, 1) == -1 ||
	    buf_get_u16(&body, &x->id) == -1 ||
	    ike_pld_attrs_parse(&body, x) == -1)
		return -1;
	return 0;
}

/* §3.3.1 */
static int
ike_pld_prop_parse(struct buf *b, uint8_t *last, struct ike_pld_prop *p)
{
	struct buf body;
	uint16_t len;
	uint8_t nx, i, xlast = IKEV2_MORE_XFORM;

	if (buf_get_u8(b, last) == -1 || buf_skip(b, 1) == -1 ||
	    buf_get_u16(b, &len) == -1 || len < IKEV2_PROP_HDR_LEN ||
	    buf_get_sub(b, len - IKEV2_PLD_HDR_LEN, &body) == -1 ||
	    buf_get_u8(&body, &p->num) == -1 ||
	    buf_get_u8(&body, &p->proto) == -1 ||
	    buf_get_u8(&body, &p->spi_size) == -1 ||
	    buf_get_u8(&body, &nx) == -1)
		return -1;
	if (p->spi_size == 0)
		p->spi = 0;
	else if (p->spi_size == 4) {
		uint32_t v;

		if (buf_get_u32(&body, &v) == -1)
			return -1;
		p->spi = v;
	} else if (p->spi_size != 8 || buf_get_u64(&body, &p->spi) == -1)
		return -1;
	/* no proposal is usable without transforms; too many: refuse */
	if (nx == 0 || nx > IKE_MAX_XFORMS)
		return -1;
	for (i = 0; i < nx; i++) {
		if (xlast != IKEV2_MORE_XFORM ||
		    ike_pld_xform_parse(&body, &xlast, &p->xf[i]) == -1)
			return -1;
	}
	p->nxforms = nx;
	/* "Last Substruc" and the declared count must agree */
	if (xlast != IKEV2_LAST || buf_done(&body) == -1)
		return -1;
	return 0;
}

int
ike_pld_sa_parse(struct buf *b, struct ike_pld_sa *sa)
{
	uint8_t last = IKEV2_MORE_PROP;

	sa->nprops = 0;
	while (last == IKEV2_MORE_PROP) {
		if (sa->nprops >= IKE_MAX_PROPS ||
		    ike_pld_prop_parse(b, &last, &sa->props[sa->nprops]) == -1)
			return -1;
		sa->nprops++;
	}
	if (last != IKEV2_LAST || buf_done(b) == -1)
		return -1;
	return 0;
}

static int
ike_build_xform(struct wbuf *w, const struct ike_pld_xform *x, bool last)
{
	size_t at;
	int errs = 0;

	errs += wbuf_add_u8(w, last ? IKEV2_LAST : IKEV2_MORE_XFORM);
	errs += wbuf_add_u8(w, 0);
	errs += wbuf_reserve(w, 2, &at);
	errs += wbuf_add_u8(w, x->type);
	errs += wbuf_add_u8(w, 0);
	errs += wbuf_add_u16(w, x->id);
	if (x->key_len != 0) {
		errs += wbuf_add_u16(w, IKEV2_ATTR_AF | IKEV2_ATTR_KEY_LENGTH);
		errs += wbuf_add_u16(w, x->key_len);
	}
	if (errs != 0)
		return -1;
	return wbuf_set_u16_at(w, at, (uint16_t)(wbuf_len(w) - at + 2));
}

static int
ike_build_prop(struct wbuf *w, const struct ike_pld_prop *p, bool last)
{
	size_t at;
	uint8_t i;
	int errs = 0;

	if (p->nxforms == 0 || p->nxforms > IKE_MAX_XFORMS) {
		w->err = true;
		return -1;
	}
	errs += wbuf_add_u8(w, last ? IKEV2_LAST : IKEV2_MORE_PROP);
	errs += wbuf_add_u8(w, 0);
	errs += wbuf_reserve(w, 2, &at);
	errs += wbuf_add_u8(w, p->num);
	errs += wbuf_add_u8(w, p->proto);
	errs += wbuf_add_u8(w, p->spi_size);
	errs += wbuf_add_u8(w, p->nxforms);
	switch (p->spi_size) {
	case 0:
		break;
	case 4:
		errs += wbuf_add_u32(w, (uint32_t)p->spi);
		break;
	case 8:
		errs += wbuf_add_u64(w, p->spi);
		break;
	default:
		w->err = true;
		return -1;
	}
	for (i = 0; i < p->nxforms; i++)
		errs += ike_build_xform(w, &p->xf[i], i + 1 == p->nxforms);
	if (errs != 0 || wbuf_len(w) - at + 2 > UINT16_MAX) {
		w->err = true;
		return -1;
	}
	return wbuf_set_u16_at(w, at, (uint16_t)(wbuf_len(w) - at + 2));
}

int
ike_build_sa(struct ike_build *b, const struct ike_pld_sa *sa)
{
	size_t start;
	uint8_t i;
	int errs = 0;

	if (sa->nprops == 0 || sa->nprops > IKE_MAX_PROPS) {
		b->w->err = true;
		return -1;
	}
	if (ike_build_pld_begin(b, IKEV2_PLD_SA, &start) == -1)
		return -1;
	for (i = 0; i < sa->nprops; i++)
		errs += ike_build_prop(b->w, &sa->props[i], i + 1 == sa->nprops);
	if (errs != 0)
		return -1;
	return ike_build_pld_end(b, start);
}
