/*
 * bgp_wire.c - BGP message header and stream framing (RFC 4271 §4.1,
 * §6.1), OPEN with capabilities (§4.2, RFC 5492, RFC 4760 §8, RFC 6793,
 * RFC 2918), NOTIFICATION (§4.5), KEEPALIVE (§4.4) and ROUTE-REFRESH
 * (RFC 2918 §3). UPDATE is in bgp_wire_update.c.
 */
#include "bgp_wire.h"

#include <string.h>

static const uint8_t bgp_marker[BGP_MARKER_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

int
bgp_wire_err(struct bgp_err *err, uint8_t code, uint8_t subcode,
    const void *data, size_t len)
{
	if (len > sizeof(err->data))
		len = sizeof(err->data);
	err->code = code;
	err->subcode = subcode;
	err->len = len;
	if (len > 0)
		memcpy(err->data, data, len);
	return -1;
}

static int
bgp_wire_err_len(struct bgp_err *err, uint16_t len)
{
	uint8_t d[2] = { (uint8_t)(len >> 8), (uint8_t)len };

	/* §6.1: the Data field carries the erroneous Length field. */
	return bgp_wire_err(err, BGP_ERR_HEADER, BGP_EHDR_LENGTH, d, sizeof(d));
}

int
bgp_wire_hdr_parse(const uint8_t *hdr, size_t len, struct bgp_hdr *h,
    struct bgp_err *err)
{
	uint8_t marker[BGP_MARKER_LEN];
	struct buf b;
	uint16_t mlen;
	uint8_t type;
	bool ok;

	buf_init(&b, hdr, len);
	if (buf_get_bytes(&b, marker, sizeof(marker)) == -1 ||
	    buf_get_u16(&b, &mlen) == -1 || buf_get_u8(&b, &type) == -1)
		return bgp_wire_err(err, BGP_ERR_HEADER, BGP_EHDR_LENGTH,
		    NULL, 0);
	/* §6.1: the marker is all ones (no authentication in BGP-4). */
	if (memcmp(marker, bgp_marker, sizeof(marker)) != 0)
		return bgp_wire_err(err, BGP_ERR_HEADER, BGP_EHDR_SYNC,
		    NULL, 0);
	if (mlen < BGP_HDR_LEN || mlen > BGP_MSG_MAX)
		return bgp_wire_err_len(err, mlen);
	switch (type) {
	case BGP_OPEN:
		ok = mlen >= BGP_OPEN_MIN;
		break;
	case BGP_UPDATE:
		ok = mlen >= BGP_UPDATE_MIN;
		break;
	case BGP_NOTIFICATION:
		ok = mlen >= BGP_NOTIFY_MIN;
		break;
	case BGP_KEEPALIVE:
		ok = mlen == BGP_KEEPALIVE_LEN;
		break;
	case BGP_ROUTE_REFRESH:
		/* We negotiate neither ORFs (RFC 5291) nor RFC 7313 subtypes. */
		ok = mlen == BGP_RREFRESH_LEN;
		break;
	default:
		/* §6.1: the Data field carries the erroneous Type field. */
		return bgp_wire_err(err, BGP_ERR_HEADER, BGP_EHDR_TYPE,
		    &type, 1);
	}
	if (!ok)
		return bgp_wire_err_len(err, mlen);
	h->len = mlen;
	h->type = type;
	return 0;
}

void
bgp_wire_hdr_add(struct wbuf *w, uint8_t type, size_t *len_at)
{
	wbuf_add_bytes(w, bgp_marker, sizeof(bgp_marker));
	wbuf_reserve(w, 2, len_at);
	wbuf_add_u8(w, type);
}

int
bgp_wire_hdr_finish(struct wbuf *w, size_t len_at, size_t start)
{
	size_t len;

	if (w->err)
		return -1;
	len = wbuf_len(w) - start;
	if (len < BGP_HDR_LEN || len > BGP_MSG_MAX)
		return -1;
	return wbuf_set_u16_at(w, len_at, (uint16_t)len);
}

void
bgp_wire_framer_init(struct bgp_framer *f)
{
	f->have = 0;
	f->want = 0;
}

/* Moves up to want - have bytes of in into the message buffer. */
static void
bgp_wire_framer_fill(struct bgp_framer *f, struct buf *in, size_t want)
{
	struct wbuf w;
	const uint8_t *p;
	size_t n = want - f->have;

	if (n > buf_left(in))
		n = buf_left(in);
	if (n == 0 || buf_peek_ptr(in, n, &p) == -1)
		return;
	wbuf_init(&w, f->msg, sizeof(f->msg));
	w.len = f->have;
	if (wbuf_add_bytes(&w, p, n) == 0)
		f->have = wbuf_len(&w);
}

int
bgp_wire_framer_next(struct bgp_framer *f, struct buf *in,
    struct bgp_hdr *hdr, struct buf *msg, struct bgp_err *err)
{
	if (f->want == 0) {
		bgp_wire_framer_fill(f, in, BGP_HDR_LEN);
		if (f->have < BGP_HDR_LEN)
			return 0;
		/* Checked as soon as it is in: a bad header ends the stream. */
		if (bgp_wire_hdr_parse(f->msg, BGP_HDR_LEN, &f->hdr, err) == -1)
			return -1;
		f->want = f->hdr.len;
	}
	bgp_wire_framer_fill(f, in, f->want);
	if (f->have < f->want)
		return 0;
	*hdr = f->hdr;
	buf_init(msg, f->msg, f->want);
	f->have = 0;
	f->want = 0;
	return 1;
}

/*
 * RFC 4724 §3: Restart Flags (4 bits) and Time (12 bits), then <AFI,
 * SAFI, Flags> tuples of 4 octets; a length that is not 2 + 4n is malformed
 * (an OPEN error, as for every known capability). A repeated capability
 * replaces the earlier one.
 */
static int
bgp_wire_cap_gr_parse(struct buf *cap, struct bgp_open *o)
{
	uint16_t rt, afi;
	uint8_t safi, flags;

	if (buf_left(cap) < 2 || (buf_left(cap) - 2) % 4 != 0 ||
	    buf_get_u16(cap, &rt) == -1)
		return -1;
	o->cap_gr = true;
	o->gr_flags = (uint8_t)(rt >> 12);
	o->gr_time = rt & BGP_GR_TIME_MAX;
	o->gr_ipv4u = o->gr_ipv4u_fwd = false;
	while (buf_left(cap) > 0) {
		if (buf_get_u16(cap, &afi) == -1 ||
		    buf_get_u8(cap, &safi) == -1 ||
		    buf_get_u8(cap, &flags) == -1)
			return -1;
		if (afi == BGP_AFI_IPV4 && safi == BGP_SAFI_UNICAST) {
			o->gr_ipv4u = true;
			o->gr_ipv4u_fwd = (flags & BGP_GR_AF_FWD) != 0;
		}
	}
	return 0;
}

/* RFC 5492 §4: capabilities inside one optional parameter. */
static int
bgp_wire_caps_parse(struct buf *b, struct bgp_open *o, struct bgp_err *err)
{
	struct buf cap;
	uint16_t afi;
	uint8_t code, len, res, safi;

	while (buf_left(b) > 0) {
		if (buf_get_u8(b, &code) == -1 || buf_get_u8(b, &len) == -1 ||
		    buf_get_sub(b, len, &cap) == -1)
			goto bad;
		switch (code) {
		case BGP_CAP_MP:	/* RFC 4760 §8 */
			if (len != 4 || buf_get_u16(&cap, &afi) == -1 ||
			    buf_get_u8(&cap, &res) == -1 ||
			    buf_get_u8(&cap, &safi) == -1)
				goto bad;
			o->cap_mp_any = true;
			if (afi == BGP_AFI_IPV4 && safi == BGP_SAFI_UNICAST)
				o->cap_mp_ipv4u = true;
			break;
		case BGP_CAP_ROUTE_REFRESH:	/* RFC 2918 §2 */
			if (len != 0)
				goto bad;
			o->cap_rr = true;
			break;
		case BGP_CAP_GR:	/* RFC 4724 §3 */
			if (bgp_wire_cap_gr_parse(&cap, o) == -1)
				goto bad;
			break;
		case BGP_CAP_AS4:	/* RFC 6793 §3 */
			if (len != 4 || buf_get_u32(&cap, &o->as4) == -1)
				goto bad;
			o->cap_as4 = true;
			break;
		default:
			/* RFC 5492 §4: unknown capabilities are ignored. */
			break;
		}
	}
	return 0;
bad:
	/* §6.2: a recognised optional parameter that is malformed. */
	return bgp_wire_err(err, BGP_ERR_OPEN, BGP_EOPEN_UNSPEC, NULL, 0);
}

int
bgp_wire_open_parse(struct buf *body, struct bgp_open *o,
    struct bgp_err *err)
{
	static const uint8_t version[2] = { 0, BGP_VERSION };
	struct buf opts, param;
	uint8_t optlen, type, len;

	memset(o, 0, sizeof(*o));
	if (buf_get_u8(body, &o->version) == -1)
		goto bad;
	/*
	 * §6.2: Data = the largest version we support, below the peer's bid.
	 * Checked before anything else: another version may lay out the rest
	 * differently.
	 */
	if (o->version != BGP_VERSION)
		return bgp_wire_err(err, BGP_ERR_OPEN, BGP_EOPEN_VERSION,
		    version, sizeof(version));
	if (buf_get_u16(body, &o->my_as) == -1 ||
	    buf_get_u16(body, &o->hold) == -1 ||
	    buf_get_u32(body, &o->id) == -1 ||
	    buf_get_u8(body, &optlen) == -1 ||
	    buf_get_sub(body, optlen, &opts) == -1 || buf_done(body) == -1)
		goto bad;
	while (buf_left(&opts) > 0) {
		if (buf_get_u8(&opts, &type) == -1 ||
		    buf_get_u8(&opts, &len) == -1 ||
		    buf_get_sub(&opts, len, &param) == -1)
			goto bad;
		/*
		 * Capabilities are the only optional parameter left (RFC 5492;
		 * type 1, authentication, was deprecated by RFC 4271). The
		 * RFC 9072 extended form (type 255) is not supported either.
		 */
		if (type != BGP_OPT_CAPABILITIES)
			return bgp_wire_err(err, BGP_ERR_OPEN,
			    BGP_EOPEN_OPT_PARAM, NULL, 0);
		if (bgp_wire_caps_parse(&param, o, err) == -1)
			return -1;
	}
	return 0;
bad:
	/* Optional Parameters Length does not match the message. */
	return bgp_wire_err(err, BGP_ERR_OPEN, BGP_EOPEN_UNSPEC, NULL, 0);
}

size_t
bgp_wire_cap_as4(uint8_t out[6], uint32_t my_as)
{
	struct wbuf w;

	wbuf_init(&w, out, 6);
	wbuf_add_u8(&w, BGP_CAP_AS4);
	wbuf_add_u8(&w, 4);
	wbuf_add_u32(&w, my_as);
	return wbuf_len(&w);
}

size_t
bgp_wire_cap_mp_ipv4u(uint8_t out[6])
{
	struct wbuf w;

	wbuf_init(&w, out, 6);
	wbuf_add_u8(&w, BGP_CAP_MP);
	wbuf_add_u8(&w, 4);
	wbuf_add_u16(&w, BGP_AFI_IPV4);
	wbuf_add_u8(&w, 0);
	wbuf_add_u8(&w, BGP_SAFI_UNICAST);
	return wbuf_len(&w);
}

int
bgp_wire_open_build(struct wbuf *w, uint32_t my_as, uint16_t hold,
    uint32_t id, uint16_t gr_time)
{
	uint8_t cap[6];
	size_t start = wbuf_len(w), len_at, optlen_at, plen_at, pstart, n;

	bgp_wire_hdr_add(w, BGP_OPEN, &len_at);
	wbuf_add_u8(w, BGP_VERSION);
	/* RFC 6793: AS_TRANS in the 2-octet field, the real AS in the capability. */
	wbuf_add_u16(w, my_as > 0xffff ? BGP_AS_TRANS : (uint16_t)my_as);
	wbuf_add_u16(w, hold);
	wbuf_add_u32(w, id);
	wbuf_reserve(w, 1, &optlen_at);
	wbuf_add_u8(w, BGP_OPT_CAPABILITIES);
	wbuf_reserve(w, 1, &plen_at);
	pstart = wbuf_len(w);
	n = bgp_wire_cap_mp_ipv4u(cap);
	wbuf_add_bytes(w, cap, n);
	wbuf_add_u8(w, BGP_CAP_ROUTE_REFRESH);
	wbuf_add_u8(w, 0);
	n = bgp_wire_cap_as4(cap, my_as);
	wbuf_add_bytes(w, cap, n);
	if (gr_time > 0) {
		/*
		 * RFC 4724 §3: R clear (our restart keeps no state worth the
		 * peer waiting for), N clear (RFC 8538 not supported: a
		 * NOTIFICATION ends the session the RFC 4271 way), IPv4
		 * unicast with F clear: after our own restart the branch
		 * drops what it kept from us as soon as our OPEN arrives.
		 */
		wbuf_add_u8(w, BGP_CAP_GR);
		wbuf_add_u8(w, 6);
		wbuf_add_u16(w, gr_time > BGP_GR_TIME_MAX ? BGP_GR_TIME_MAX :
		    gr_time);
		wbuf_add_u16(w, BGP_AFI_IPV4);
		wbuf_add_u8(w, BGP_SAFI_UNICAST);
		wbuf_add_u8(w, 0);
	}
	if (w->err)
		return -1;
	wbuf_set_u8_at(w, plen_at, (uint8_t)(wbuf_len(w) - pstart));
	wbuf_set_u8_at(w, optlen_at, (uint8_t)(wbuf_len(w) - pstart + 2));
	return bgp_wire_hdr_finish(w, len_at, start);
}

int
bgp_wire_notification_parse(struct buf *body, struct bgp_err *n)
{
	size_t len;

	if (buf_get_u8(body, &n->code) == -1 ||
	    buf_get_u8(body, &n->subcode) == -1)
		return -1;
	len = buf_left(body);
	if (len > sizeof(n->data))
		return -1;
	n->len = len;
	return buf_get_bytes(body, n->data, len);
}

int
bgp_wire_notification_build(struct wbuf *w, const struct bgp_err *n)
{
	size_t start = wbuf_len(w), len_at, len = n->len;

	if (len > BGP_NOTIFY_DATA_MAX)
		len = BGP_NOTIFY_DATA_MAX;
	bgp_wire_hdr_add(w, BGP_NOTIFICATION, &len_at);
	wbuf_add_u8(w, n->code);
	wbuf_add_u8(w, n->subcode);
	wbuf_add_bytes(w, n->data, len);
	return bgp_wire_hdr_finish(w, len_at, start);
}

int
bgp_wire_keepalive_build(struct wbuf *w)
{
	size_t start = wbuf_len(w), len_at;

	bgp_wire_hdr_add(w, BGP_KEEPALIVE, &len_at);
	return bgp_wire_hdr_finish(w, len_at, start);
}

int
bgp_wire_rrefresh_parse(struct buf *body, uint16_t *afi, uint8_t *safi)
{
	uint8_t subtype;

	/* RFC 2918 §3: AFI, Reserved (RFC 7313: subtype), SAFI. */
	if (buf_get_u16(body, afi) == -1 || buf_get_u8(body, &subtype) == -1 ||
	    buf_get_u8(body, safi) == -1 || buf_done(body) == -1)
		return -1;
	return 0;
}

int
bgp_wire_rrefresh_build(struct wbuf *w, uint16_t afi, uint8_t safi)
{
	size_t start = wbuf_len(w), len_at;

	bgp_wire_hdr_add(w, BGP_ROUTE_REFRESH, &len_at);
	wbuf_add_u16(w, afi);
	wbuf_add_u8(w, 0);
	wbuf_add_u8(w, safi);
	return bgp_wire_hdr_finish(w, len_at, start);
}
