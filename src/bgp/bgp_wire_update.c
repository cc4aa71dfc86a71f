/*
 * bgp_wire_update.c - the UPDATE message (RFC 4271 §4.3): withdrawn routes,
 * path attributes and NLRI, parsed under the error handling of RFC 7606
 * (which revises §6.3) for an external peer with 4-octet AS numbers
 * (RFC 6793). The parser only classifies: it returns the approach RFC 7606
 * asks for (none, treat-as-withdraw, session reset) and the session applies
 * it. Semantic checks that need the session (first AS, loops, NEXT_HOP
 * against our address, prefix limits) are in bgp_recv.c.
 *
 * MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760) are recognised but not
 * decoded: IPv4 unicast travels in the classic fields, which is what every
 * implementation sends on an IPv4 session.
 */
#include "bgp_wire.h"

#include <stddef.h>
#include <string.h>

/* Appends at most 4 octets of prefix after its length (§4.3 NLRI encoding). */
static void
bgp_wire_prefix_add(struct wbuf *w, const struct bgp_prefix *p)
{
	size_t i, n = ((size_t)p->len + 7) / 8;

	wbuf_add_u8(w, p->len);
	for (i = 0; i < n; i++)
		wbuf_add_u8(w, (uint8_t)(p->addr >> (24 - 8 * i)));
}

static size_t
bgp_wire_prefix_size(const struct bgp_prefix *p)
{
	return 1 + ((size_t)p->len + 7) / 8;
}

int
bgp_wire_prefix_next(struct buf *field, struct bgp_prefix *p)
{
	uint8_t len, octet;
	uint32_t addr = 0;
	size_t i;

	if (buf_left(field) == 0)
		return 0;
	if (buf_get_u8(field, &len) == -1 || len > 32)
		return -1;
	/* §4.3: exactly ceil(len / 8) octets follow; trailing bits are irrelevant. */
	for (i = 0; i < ((size_t)len + 7) / 8; i++) {
		if (buf_get_u8(field, &octet) == -1)
			return -1;
		addr |= (uint32_t)octet << (24 - 8 * i);
	}
	p->addr = len == 0 ? 0 : addr & (0xffffffffu << (32 - len));
	p->len = len;
	return 1;
}

/* RFC 7606 §5.3: a prefix longer than 32 or one that overruns its field. */
static int
bgp_wire_prefixes_check(const struct buf *field)
{
	struct buf b = *field;
	struct bgp_prefix p;
	int r;

	while ((r = bgp_wire_prefix_next(&b, &p)) == 1)
		;
	return r;
}

static void
bgp_wire_upd_withdraw(struct bgp_update *u, const char *why)
{
	if (u->action == BGP_UPD_OK) {
		u->action = BGP_UPD_WITHDRAW;
		u->why = why;
	}
}

static void
bgp_wire_upd_reset(struct bgp_update *u, uint8_t subcode, const char *why,
    const void *data, size_t len)
{
	u->action = BGP_UPD_RESET;
	u->why = why;
	bgp_wire_err(&u->err, BGP_ERR_UPDATE, subcode, data, len);
}

/*
 * §4.3 b with 4-octet ASNs. RFC 7606 §7.2: an unknown segment type, a
 * zero-length segment, an overrun or an underrun make it malformed.
 */
static int
bgp_wire_aspath_parse(struct buf *val, struct bgp_aspath *ap)
{
	struct buf b = *val;
	uint8_t type, count;
	uint32_t as = 0;
	unsigned i;

	memset(ap, 0, sizeof(*ap));
	ap->raw = *val;
	while (buf_left(&b) > 0) {
		if (buf_get_u8(&b, &type) == -1 || buf_get_u8(&b, &count) == -1)
			return -1;
		if (count == 0)
			return -1;
		/*
		 * Confederation segments (RFC 5065) can only come from a member of
		 * our confederation; we are in none, so from an external peer they
		 * are a malformed AS_PATH.
		 */
		if (type != BGP_ASPATH_SET && type != BGP_ASPATH_SEQUENCE)
			return -1;
		for (i = 0; i < count; i++) {
			if (buf_get_u32(&b, &as) == -1)
				return -1;
			if (ap->first_type == 0) {
				ap->first_type = type;
				ap->first_as = as;
			}
		}
		/* §9.1.2.2 a: an AS_SET counts as one, whatever its size. */
		ap->path_len += type == BGP_ASPATH_SET ? 1 : count;
		ap->origin_as = type == BGP_ASPATH_SEQUENCE ? as : 0;
	}
	return 0;
}

bool
bgp_wire_aspath_contains(const struct bgp_aspath *ap, uint32_t as)
{
	struct buf b = ap->raw;
	uint8_t type, count;
	uint32_t x;
	unsigned i;

	while (buf_get_u8(&b, &type) == 0 && buf_get_u8(&b, &count) == 0) {
		for (i = 0; i < count; i++) {
			if (buf_get_u32(&b, &x) == -1)
				return false;
			if (x == as)
				return true;
		}
	}
	return false;
}

/*
 * RFC 7606 §3: Optional and Transitive must match the attribute's
 * definition (§5 of RFC 4271); a conflict makes it malformed.
 */
static bool
bgp_wire_flags_ok(uint8_t flags, uint8_t want)
{
	return (flags & (BGP_ATTR_OPTIONAL | BGP_ATTR_TRANSITIVE)) == want;
}

#define WELL_KNOWN	BGP_ATTR_TRANSITIVE
#define OPT_TRANS	(BGP_ATTR_OPTIONAL | BGP_ATTR_TRANSITIVE)
#define OPT_NONTRANS	BGP_ATTR_OPTIONAL

/*
 * One attribute whose header has been read. Returns -1 only for a session
 * reset; everything weaker is recorded in u and parsing goes on (RFC 7606
 * §3: the strongest approach found wins, so a later reset must be seen).
 */
static int
bgp_wire_attr(struct bgp_update *u, uint8_t flags, uint8_t type,
    struct buf *val, const struct buf *whole)
{
	const uint8_t *p = NULL;
	struct buf raw;
	size_t n = buf_left(val);

	switch (type) {
	case BGP_ATTR_ORIGIN:	/* RFC 7606 §7.1 */
		if (!bgp_wire_flags_ok(flags, WELL_KNOWN) || n != 1 ||
		    buf_get_u8(val, &u->origin) == -1 ||
		    u->origin > BGP_ORIGIN_INCOMPLETE) {
			bgp_wire_upd_withdraw(u, "malformed ORIGIN");
			return 0;
		}
		u->has_origin = true;
		return 0;
	case BGP_ATTR_AS_PATH:	/* RFC 7606 §7.2 */
		if (!bgp_wire_flags_ok(flags, WELL_KNOWN) ||
		    bgp_wire_aspath_parse(val, &u->aspath) == -1) {
			bgp_wire_upd_withdraw(u, "malformed AS_PATH");
			return 0;
		}
		u->has_aspath = true;
		return 0;
	case BGP_ATTR_NEXT_HOP:	/* RFC 7606 §7.3 */
		if (!bgp_wire_flags_ok(flags, WELL_KNOWN) || n != 4 ||
		    buf_get_u32(val, &u->nexthop) == -1) {
			bgp_wire_upd_withdraw(u, "malformed NEXT_HOP");
			return 0;
		}
		u->has_nexthop = true;
		return 0;
	case BGP_ATTR_MED:	/* RFC 7606 §7.4 */
		if (!bgp_wire_flags_ok(flags, OPT_NONTRANS) || n != 4 ||
		    buf_get_u32(val, &u->med) == -1) {
			bgp_wire_upd_withdraw(u, "malformed MULTI_EXIT_DISC");
			return 0;
		}
		u->has_med = true;
		return 0;
	case BGP_ATTR_LOCAL_PREF:
		/* RFC 7606 §7.5: discarded from an external peer, valid or not. */
		u->attrs_discarded++;
		return 0;
	case BGP_ATTR_ATOMIC_AGGR:	/* RFC 7606 §7.6: wrong length -> discard */
		if (!bgp_wire_flags_ok(flags, WELL_KNOWN))
			bgp_wire_upd_withdraw(u, "ATOMIC_AGGREGATE flags");
		else if (n != 0)
			u->attrs_discarded++;
		return 0;
	case BGP_ATTR_AGGREGATOR:	/* RFC 7606 §7.7: 8 octets (4-octet AS) */
		if (!bgp_wire_flags_ok(flags, OPT_TRANS))
			bgp_wire_upd_withdraw(u, "AGGREGATOR flags");
		else if (n != 8)
			u->attrs_discarded++;
		return 0;
	case BGP_ATTR_MP_REACH:
	case BGP_ATTR_MP_UNREACH:
		u->mp_seen = true;
		return 0;
	default:
		if (flags & BGP_ATTR_OPTIONAL)
			return 0;	/* §5: ignored, we pass nothing on */
		/*
		 * §6.3: an unrecognised well-known attribute resets the session
		 * (RFC 7606 leaves this alone); Data = the whole attribute.
		 */
		raw = *whole;
		n = buf_left(&raw);
		if (buf_peek_ptr(&raw, n, &p) == -1)
			n = 0;
		bgp_wire_upd_reset(u, BGP_EUPD_UNKNOWN_WK,
		    "unrecognized well-known attribute", p, n);
		return -1;
	}
}

static int
bgp_wire_attrs_parse(struct buf *attrs, struct bgp_update *u)
{
	uint8_t seen[32] = { 0 };
	struct buf start, whole, val;
	uint8_t flags, type, len8;
	uint16_t len;
	int r;

	while (buf_left(attrs) > 0) {
		start = *attrs;
		/*
		 * RFC 7606 §4: a truncated attribute header or an attribute that
		 * overruns the Total Path Attribute Length is treat-as-withdraw;
		 * that length, not the attributes, locates the NLRI.
		 */
		if (buf_get_u8(attrs, &flags) == -1 ||
		    buf_get_u8(attrs, &type) == -1) {
			bgp_wire_upd_withdraw(u, "truncated attribute header");
			return 0;
		}
		if (flags & BGP_ATTR_EXTLEN)
			r = buf_get_u16(attrs, &len);
		else if ((r = buf_get_u8(attrs, &len8)) == 0)
			len = len8;
		if (r == -1) {
			bgp_wire_upd_withdraw(u, "truncated attribute header");
			return 0;
		}
		if (buf_get_sub(attrs, len, &val) == -1) {
			bgp_wire_upd_withdraw(u, "attribute length overrun");
			return 0;
		}
		/* The attribute, header included, for a NOTIFICATION's data. */
		buf_get_sub(&start, buf_offset(attrs) - buf_offset(&start),
		    &whole);
		if (seen[type / 8] & (1u << (type % 8))) {
			/*
			 * RFC 7606 §3: a repeated MP_(UN)REACH_NLRI resets the
			 * session; any other repeat is discarded, the first one wins.
			 */
			if (type == BGP_ATTR_MP_REACH ||
			    type == BGP_ATTR_MP_UNREACH) {
				bgp_wire_upd_reset(u, BGP_EUPD_ATTR_LIST,
				    "repeated MP_(UN)REACH_NLRI", NULL, 0);
				return -1;
			}
			u->attrs_discarded++;
			continue;
		}
		seen[type / 8] |= (uint8_t)(1u << (type % 8));
		if (bgp_wire_attr(u, flags, type, &val, &whole) == -1)
			return -1;
	}
	return 0;
}

void
bgp_wire_update_parse(struct buf *body, struct bgp_update *u)
{
	struct buf attrs;
	uint16_t wlen, alen;

	memset(u, 0, offsetof(struct bgp_update, err));
	u->err.len = 0;
	/*
	 * §6.3: Withdrawn Routes Length or Total Attribute Length running past
	 * the message is a Malformed Attribute List; nothing else can be
	 * located then.
	 */
	if (buf_get_u16(body, &wlen) == -1 ||
	    buf_get_sub(body, wlen, &u->withdrawn) == -1 ||
	    buf_get_u16(body, &alen) == -1 ||
	    buf_get_sub(body, alen, &attrs) == -1) {
		bgp_wire_upd_reset(u, BGP_EUPD_ATTR_LIST,
		    "withdrawn or attribute length overrun", NULL, 0);
		return;
	}
	buf_get_sub(body, buf_left(body), &u->nlri);
	/* RFC 4724 §2: for IPv4 unicast, the UPDATE of the minimum length. */
	if (wlen == 0 && alen == 0 && buf_left(&u->nlri) == 0) {
		u->eor = true;
		return;
	}
	/* RFC 7606 §5.3: syntactically wrong prefixes reset the session. */
	if (bgp_wire_prefixes_check(&u->withdrawn) == -1 ||
	    bgp_wire_prefixes_check(&u->nlri) == -1) {
		bgp_wire_upd_reset(u, BGP_EUPD_NETWORK, "malformed prefix",
		    NULL, 0);
		return;
	}
	if (bgp_wire_attrs_parse(&attrs, u) == -1)
		return;
	/*
	 * RFC 7606 §3: a missing well-known mandatory attribute is
	 * treat-as-withdraw. They are only mandatory with NLRI (RFC 4760 makes
	 * NEXT_HOP optional for MP-only UPDATEs; an UPDATE without any NLRI
	 * carries nothing they could apply to).
	 */
	if (buf_left(&u->nlri) > 0) {
		if (!u->has_origin)
			bgp_wire_upd_withdraw(u, "missing ORIGIN");
		else if (!u->has_aspath)
			bgp_wire_upd_withdraw(u, "missing AS_PATH");
		else if (!u->has_nexthop)
			bgp_wire_upd_withdraw(u, "missing NEXT_HOP");
	}
}

int
bgp_wire_eor_build(struct wbuf *w)
{
	size_t start = wbuf_len(w), len_at;

	bgp_wire_hdr_add(w, BGP_UPDATE, &len_at);
	wbuf_add_u16(w, 0);	/* Withdrawn Routes Length */
	wbuf_add_u16(w, 0);	/* Total Path Attribute Length */
	return bgp_wire_hdr_finish(w, len_at, start);
}

/* ORIGIN, AS_PATH (one AS_SEQUENCE), NEXT_HOP, MED into w. */
static void
bgp_wire_attrs_add(struct wbuf *w, const struct bgp_attrs_out *a)
{
	size_t i, aplen = a->aspath_len > 0 ? 2 + 4 * a->aspath_len : 0;

	wbuf_add_u8(w, WELL_KNOWN);
	wbuf_add_u8(w, BGP_ATTR_ORIGIN);
	wbuf_add_u8(w, 1);
	wbuf_add_u8(w, a->origin);
	if (aplen > 255) {
		wbuf_add_u8(w, WELL_KNOWN | BGP_ATTR_EXTLEN);
		wbuf_add_u8(w, BGP_ATTR_AS_PATH);
		wbuf_add_u16(w, (uint16_t)aplen);
	} else {
		wbuf_add_u8(w, WELL_KNOWN);
		wbuf_add_u8(w, BGP_ATTR_AS_PATH);
		wbuf_add_u8(w, (uint8_t)aplen);
	}
	if (aplen > 0) {
		wbuf_add_u8(w, BGP_ASPATH_SEQUENCE);
		wbuf_add_u8(w, (uint8_t)a->aspath_len);
		for (i = 0; i < a->aspath_len; i++)
			wbuf_add_u32(w, a->aspath[i]);
	}
	wbuf_add_u8(w, WELL_KNOWN);
	wbuf_add_u8(w, BGP_ATTR_NEXT_HOP);
	wbuf_add_u8(w, 4);
	wbuf_add_u32(w, a->nexthop);
	if (a->has_med) {
		wbuf_add_u8(w, OPT_NONTRANS);
		wbuf_add_u8(w, BGP_ATTR_MED);
		wbuf_add_u8(w, 4);
		wbuf_add_u32(w, a->med);
	}
	if (a->community != 0) {		/* RFC 1997: optional transitive */
		wbuf_add_u8(w, OPT_TRANS);
		wbuf_add_u8(w, BGP_ATTR_COMMUNITIES);
		wbuf_add_u8(w, 4);
		wbuf_add_u32(w, a->community);
	}
}

int
bgp_wire_update_build(struct wbuf *w, const struct bgp_prefix *wd,
    size_t nwd, size_t *nwd_done, const struct bgp_attrs_out *attrs,
    const struct bgp_prefix *nlri, size_t nnlri, size_t *nnlri_done)
{
	uint8_t abuf[1100];
	struct wbuf aw;
	size_t start = wbuf_len(w), len_at, wlen_at, alen_at, room, i, j;

	*nwd_done = *nnlri_done = 0;
	if (attrs != NULL && attrs->aspath_len > 255)
		return -1;
	wbuf_init(&aw, abuf, sizeof(abuf));
	if (attrs != NULL)
		bgp_wire_attrs_add(&aw, attrs);
	if (aw.err)
		return -1;
	bgp_wire_hdr_add(w, BGP_UPDATE, &len_at);
	wbuf_reserve(w, 2, &wlen_at);
	room = BGP_MSG_MAX - BGP_UPDATE_MIN;
	for (i = 0; i < nwd && bgp_wire_prefix_size(&wd[i]) <= room; i++) {
		bgp_wire_prefix_add(w, &wd[i]);
		room -= bgp_wire_prefix_size(&wd[i]);
	}
	wbuf_set_u16_at(w, wlen_at, (uint16_t)(wbuf_len(w) - wlen_at - 2));
	wbuf_reserve(w, 2, &alen_at);
	j = 0;
	if (attrs != NULL && nnlri > 0 &&
	    wbuf_len(&aw) + bgp_wire_prefix_size(&nlri[0]) <= room) {
		wbuf_add_bytes(w, abuf, wbuf_len(&aw));
		wbuf_set_u16_at(w, alen_at, (uint16_t)wbuf_len(&aw));
		room -= wbuf_len(&aw);
		for (; j < nnlri && bgp_wire_prefix_size(&nlri[j]) <= room;
		    j++) {
			bgp_wire_prefix_add(w, &nlri[j]);
			room -= bgp_wire_prefix_size(&nlri[j]);
		}
	}
	if (bgp_wire_hdr_finish(w, len_at, start) == -1)
		return -1;
	*nwd_done = i;
	*nnlri_done = j;
	return 0;
}
