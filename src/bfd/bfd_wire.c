/*
 * bfd_wire.c - the BFD control packet (RFC 5880 §4.1) over buf.h, and the
 * checks of §6.8.6 that need no session.
 */
#include "bfd.h"

#include <string.h>

#include "buf.h"

int
bfd_pkt_parse(const uint8_t *data, size_t len, struct bfd_pkt *p)
{
	struct buf b;
	uint8_t vd, sf;
	int errs = 0;

	memset(p, 0, sizeof(*p));
	buf_init(&b, data, len);
	errs |= buf_get_u8(&b, &vd);
	errs |= buf_get_u8(&b, &sf);
	errs |= buf_get_u8(&b, &p->detect_mult);
	errs |= buf_get_u8(&b, &p->length);
	errs |= buf_get_u32(&b, &p->my_disc);
	errs |= buf_get_u32(&b, &p->your_disc);
	errs |= buf_get_u32(&b, &p->desired_min_tx);
	errs |= buf_get_u32(&b, &p->required_min_rx);
	errs |= buf_get_u32(&b, &p->required_min_echo_rx);
	if (errs != 0)
		return -1;
	p->version = vd >> 5;
	p->diag = vd & 0x1f;
	p->state = sf >> 6;
	p->poll = (sf & 0x20) != 0;
	p->final = (sf & 0x10) != 0;
	p->cpi = (sf & 0x08) != 0;
	p->auth = (sf & 0x04) != 0;
	p->demand = (sf & 0x02) != 0;
	p->multipoint = (sf & 0x01) != 0;
	/* §6.8.6, in its order; no authentication is configured. */
	if (p->version != 1 || p->length < BFD_PKT_LEN || p->length > len ||
	    p->auth || p->detect_mult == 0 || p->multipoint ||
	    p->my_disc == 0 ||
	    (p->your_disc == 0 && p->state != BFD_DOWN &&
	    p->state != BFD_ADMIN_DOWN))
		return -1;
	return 0;
}

void
bfd_pkt_build(const struct bfd_pkt *p, uint8_t out[BFD_PKT_LEN])
{
	struct wbuf w;

	wbuf_init(&w, out, BFD_PKT_LEN);
	(void)wbuf_add_u8(&w, (uint8_t)(1 << 5 | (p->diag & 0x1f)));
	(void)wbuf_add_u8(&w, (uint8_t)((p->state & 3) << 6 |
	    (p->poll ? 0x20 : 0) | (p->final ? 0x10 : 0) |
	    (p->cpi ? 0x08 : 0)));
	(void)wbuf_add_u8(&w, p->detect_mult);
	(void)wbuf_add_u8(&w, BFD_PKT_LEN);
	(void)wbuf_add_u32(&w, p->my_disc);
	(void)wbuf_add_u32(&w, p->your_disc);
	(void)wbuf_add_u32(&w, p->desired_min_tx);
	(void)wbuf_add_u32(&w, p->required_min_rx);
	(void)wbuf_add_u32(&w, p->required_min_echo_rx);
}
