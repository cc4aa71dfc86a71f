/*
 * ike_pld.c - parsing of IKEv2 messages (RFC 7296 §3): the header, the
 * generic payload chain with the critical-bit rule of §2.5, and each payload
 * body into struct ike_msg. The SA payload is in ike_pld_sa.c, builders in
 * ike_pld_build.c. The engine (ike_msg.c and the exchange tasks) calls
 * ike_pld_parse() on a datagram, decrypts the SK body and calls
 * ike_pld_parse_chain() on the plaintext.
 *
 * Every body parser gets a sub-cursor of exactly the payload length and must
 * consume it fully; any violation is INVALID_SYNTAX.
 */
#include "ike_pld.h"

#include <string.h>

#include "buf.h"
#include "ike_pld_int.h"
#include "ikev2_wire.h"

static int
ike_pld_spi(struct buf *b, uint8_t size, uint64_t *spi)
{
	uint32_t v32;

	switch (size) {
	case 0:
		*spi = 0;
		return 0;
	case 4:
		if (buf_get_u32(b, &v32) == -1)
			return -1;
		*spi = v32;
		return 0;
	case 8:
		return buf_get_u64(b, spi);
	default:
		return -1;	/* §3.3.1: 8 for IKE, 4 for ESP and AH */
	}
}

/* §3.4 */
static int
ike_pld_ke_parse(struct buf *b, struct ike_pld_ke *ke)
{
	size_t n;

	if (buf_get_u16(b, &ke->group) == -1 || buf_skip(b, 2) == -1)
		return -1;
	n = buf_left(b);
	if (n < 1 || n > IKEV2_KE_MAX)
		return -1;
	ke->data.len = n;
	return buf_peek_ptr(b, n, &ke->data.ptr);
}

/* §3.9: "at least 128 bits ... and at most 2048 bits" */
static int
ike_pld_nonce_parse(struct buf *b, struct ike_span *nonce)
{
	size_t n = buf_left(b);

	if (n < IKEV2_NONCE_MIN || n > IKEV2_NONCE_MAX)
		return -1;
	nonce->len = n;
	return buf_peek_ptr(b, n, &nonce->ptr);
}

/* §3.5; body keeps IDx' for the AUTH computation of §2.15. */
static int
ike_pld_id_parse(struct buf *b, struct ike_pld_id *id)
{
	struct buf whole = *b;
	size_t n;

	if (buf_get_u8(b, &id->type) == -1 || buf_skip(b, 3) == -1)
		return -1;
	n = buf_left(b);
	if (n < 1 || n > IKEV2_ID_MAX)
		return -1;
	if (id->type == IKEV2_ID_IPV4_ADDR && n != 4)
		return -1;
	if (buf_peek_ptr(b, n, &id->data.ptr) == -1)
		return -1;
	id->data.len = n;
	id->body.len = buf_left(&whole);
	return buf_peek_ptr(&whole, id->body.len, &id->body.ptr);
}

/* §3.8 */
static int
ike_pld_auth_parse(struct buf *b, struct ike_pld_auth *a)
{
	size_t n;

	if (buf_get_u8(b, &a->method) == -1 || buf_skip(b, 3) == -1)
		return -1;
	n = buf_left(b);
	if (n < 1 || n > IKEV2_AUTH_MAX)
		return -1;
	a->data.len = n;
	return buf_peek_ptr(b, n, &a->data.ptr);
}

/* §3.10 */
static int
ike_pld_notify_parse(struct buf *b, struct ike_pld_notify *n)
{
	if (buf_get_u8(b, &n->proto) == -1 ||
	    buf_get_u8(b, &n->spi_size) == -1 ||
	    buf_get_u16(b, &n->type) == -1 ||
	    ike_pld_spi(b, n->spi_size, &n->spi) == -1)
		return -1;
	n->data.len = buf_left(b);
	return buf_peek_ptr(b, n->data.len, &n->data.ptr);
}

/* §3.11 */
static int
ike_pld_delete_parse(struct buf *b, struct ike_pld_delete *d)
{
	uint16_t i;

	if (buf_get_u8(b, &d->proto) == -1 ||
	    buf_get_u8(b, &d->spi_size) == -1 ||
	    buf_get_u16(b, &d->nspis) == -1)
		return -1;
	if (d->proto == IKEV2_PROTO_IKE) {
		/* "the SPI Size field MUST be zero" ... the SPI is in the header */
		if (d->spi_size != 0 || d->nspis != 0)
			return -1;
	} else if (d->proto == IKEV2_PROTO_ESP || d->proto == IKEV2_PROTO_AH) {
		if (d->spi_size != 4 || d->nspis > IKE_MAX_DEL_SPIS)
			return -1;
	} else
		return -1;
	for (i = 0; i < d->nspis; i++)
		if (buf_get_u32(b, &d->spis[i]) == -1)
			return -1;
	return 0;
}

/* §3.13, §3.13.1; only TS_IPV4_ADDR_RANGE is kept, others are counted. */
static int
ike_pld_ts_parse(struct buf *b, struct ike_pld_ts_set *s)
{
	struct buf sel;
	struct ike_pld_ts *t;
	uint8_t n, i, type, proto;
	uint16_t sel_len;

	/* once per message (ike_pld_once): count from zero here */
	s->nts = s->nother = 0;
	if (buf_get_u8(b, &n) == -1 || buf_skip(b, 3) == -1 || n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (buf_get_u8(b, &type) == -1 || buf_get_u8(b, &proto) == -1 ||
		    buf_get_u16(b, &sel_len) == -1 ||
		    sel_len < IKEV2_TS_HDR_LEN ||
		    buf_get_sub(b, sel_len - IKEV2_TS_HDR_LEN, &sel) == -1)
			return -1;
		if (type != IKEV2_TS_IPV4_ADDR_RANGE) {
			if (s->nother == UINT8_MAX)
				return -1;
			s->nother++;
			continue;
		}
		if (sel_len != IKEV2_TS_IPV4_LEN || s->nts >= IKE_MAX_TS)
			return -1;
		t = &s->ts[s->nts];
		t->ip_proto = proto;
		if (buf_get_u16(&sel, &t->start_port) == -1 ||
		    buf_get_u16(&sel, &t->end_port) == -1 ||
		    buf_get_u32(&sel, &t->start_addr) == -1 ||
		    buf_get_u32(&sel, &t->end_addr) == -1 ||
		    buf_done(&sel) == -1)
			return -1;
		s->nts++;
	}
	return 0;
}

/* RFC 7383 §2.5: Fragment Number, Total Fragments, then IV || ct || ICV. */
static int
ike_pld_skf_parse(struct buf *b, struct ike_msg *m)
{
	if (buf_get_u16(b, &m->skf_num) == -1 ||
	    buf_get_u16(b, &m->skf_total) == -1 ||
	    m->skf_num == 0 || m->skf_num > m->skf_total)
		return -1;
	return 0;
}

/* Payloads we recognise but do not process: skipped whatever the C bit. */
static int
ike_pld_ignored(uint8_t type)
{
	switch (type) {
	case IKEV2_PLD_CERT:
	case IKEV2_PLD_CERTREQ:
	case IKEV2_PLD_CP:
	case IKEV2_PLD_EAP:
	case IKEV2_PLD_GSPM:
		return 1;
	default:
		return 0;
	}
}

/* A singleton payload seen twice is a syntax error. */
static int
ike_pld_once(bool *has)
{
	if (*has)
		return -1;
	*has = true;
	return 0;
}

/* One payload body; -1 = INVALID_SYNTAX, -2 = unsupported critical. */
static int
ike_pld_body(struct buf *body, uint8_t type, bool critical,
    struct ike_msg *m)
{
	switch (type) {
	case IKEV2_PLD_SA:
		if (ike_pld_once(&m->has_sa) == -1)
			return -1;
		return ike_pld_sa_parse(body, &m->sa);
	case IKEV2_PLD_KE:
		if (ike_pld_once(&m->has_ke) == -1)
			return -1;
		return ike_pld_ke_parse(body, &m->ke);
	case IKEV2_PLD_IDI:
		if (ike_pld_once(&m->has_idi) == -1)
			return -1;
		return ike_pld_id_parse(body, &m->idi);
	case IKEV2_PLD_IDR:
		if (ike_pld_once(&m->has_idr) == -1)
			return -1;
		return ike_pld_id_parse(body, &m->idr);
	case IKEV2_PLD_AUTH:
		if (ike_pld_once(&m->has_auth) == -1)
			return -1;
		return ike_pld_auth_parse(body, &m->auth);
	case IKEV2_PLD_NONCE:
		if (ike_pld_once(&m->has_nonce) == -1)
			return -1;
		return ike_pld_nonce_parse(body, &m->nonce);
	case IKEV2_PLD_NOTIFY:
		if (m->nnotify >= IKE_MAX_NOTIFY)
			return -1;
		return ike_pld_notify_parse(body, &m->notify[m->nnotify++]);
	case IKEV2_PLD_DELETE:
		if (m->ndelete >= IKE_MAX_DELETE)
			return -1;
		return ike_pld_delete_parse(body, &m->del[m->ndelete++]);
	case IKEV2_PLD_TSI:
		if (ike_pld_once(&m->has_tsi) == -1)
			return -1;
		return ike_pld_ts_parse(body, &m->tsi);
	case IKEV2_PLD_TSR:
		if (ike_pld_once(&m->has_tsr) == -1)
			return -1;
		return ike_pld_ts_parse(body, &m->tsr);
	case IKEV2_PLD_VENDOR:
		if (m->nvendor < UINT8_MAX)
			m->nvendor++;
		return buf_skip(body, buf_left(body));
	default:
		/* §2.5: unknown and critical rejects the message */
		if (critical && !ike_pld_ignored(type))
			return -2;
		if (m->nignored < UINT8_MAX)
			m->nignored++;
		return buf_skip(body, buf_left(body));
	}
}

/*
 * §3.2 chain walk. The SK or SKF payload, if any, ends the chain: its next
 * payload field names the first inner payload, and it must be last (§3.14).
 */
static int
ike_pld_walk(struct buf *b, uint8_t next, bool inner, struct ike_msg *m,
    uint16_t *err_notify)
{
	struct buf body;
	size_t start;
	uint8_t type, flags;
	uint16_t plen;
	int rc;

	*err_notify = IKEV2_N_INVALID_SYNTAX;
	while (next != IKEV2_PLD_NONE) {
		type = next;
		start = buf_offset(b);
		if (buf_get_u8(b, &next) == -1 || buf_get_u8(b, &flags) == -1 ||
		    buf_get_u16(b, &plen) == -1 || plen < IKEV2_PLD_HDR_LEN ||
		    buf_get_sub(b, plen - IKEV2_PLD_HDR_LEN, &body) == -1)
			return -1;
		if (type == IKEV2_PLD_SK || type == IKEV2_PLD_SKF) {
			/* §3.14: last payload, never inside another */
			if (inner || m->has_sk || m->has_skf ||
			    buf_done(b) == -1)
				return -1;
			if (type == IKEV2_PLD_SKF) {
				if (ike_pld_skf_parse(&body, m) == -1)
					return -1;
				m->has_skf = true;
			} else
				m->has_sk = true;
			m->sk_first = next;
			/* b started at the IKE header: start counts it */
			m->sk_aad_len = start + IKEV2_PLD_HDR_LEN +
			    buf_offset(&body);
			m->sk_body.len = buf_left(&body);
			if (buf_peek_ptr(&body, m->sk_body.len,
			    &m->sk_body.ptr) == -1)
				return -1;
			next = IKEV2_PLD_NONE;
			break;
		}
		rc = ike_pld_body(&body, type,
		    (flags & IKEV2_PLD_CRITICAL) != 0, m);
		if (rc == -2) {
			m->crit_type = type;
			*err_notify = IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD;
			return -1;
		}
		if (rc == -1 || buf_done(&body) == -1)
			return -1;
	}
	/* "fully consumed or error": nothing after the last payload */
	if (buf_done(b) == -1)
		return -1;
	*err_notify = 0;
	return 0;
}

int
ike_pld_parse_hdr(const uint8_t *pkt, size_t len, struct ike_hdr *h)
{
	struct buf b;

	buf_init(&b, pkt, len);
	if (buf_get_u64(&b, &h->spi_i) == -1 ||
	    buf_get_u64(&b, &h->spi_r) == -1 ||
	    buf_get_u8(&b, &h->next) == -1 ||
	    buf_get_u8(&b, &h->version) == -1 ||
	    buf_get_u8(&b, &h->exchange) == -1 ||
	    buf_get_u8(&b, &h->flags) == -1 ||
	    buf_get_u32(&b, &h->msgid) == -1 ||
	    buf_get_u32(&b, &h->length) == -1)
		return -1;
	/* §3.1 Length: "Length of the total message (header + payloads)" */
	if (h->length != len || len > IKEV2_MSG_MAX)
		return -1;
	return 0;
}

/*
 * Reset m for a new message: every field except the payload arrays
 * (sa.props, tsi.ts, tsr.ts, notify, del: ~11 KB, 12 parses a setup).
 * Their elements are only ever read below the counts reset here, and the
 * body parsers write each element in full before counting it. A new
 * scalar field in struct ike_msg must be reset here.
 */
static void
ike_pld_msg_reset(struct ike_msg *m)
{
	memset(&m->hdr, 0, sizeof(m->hdr));
	m->has_sa = m->has_ke = m->has_nonce = m->has_idi = m->has_idr =
	    m->has_auth = m->has_tsi = m->has_tsr = false;
	m->sa.nprops = 0;
	memset(&m->ke, 0, sizeof(m->ke));
	memset(&m->nonce, 0, sizeof(m->nonce));
	memset(&m->idi, 0, sizeof(m->idi));
	memset(&m->idr, 0, sizeof(m->idr));
	memset(&m->auth, 0, sizeof(m->auth));
	m->tsi.nts = m->tsi.nother = 0;
	m->tsr.nts = m->tsr.nother = 0;
	m->nnotify = 0;
	m->ndelete = 0;
	m->nvendor = 0;
	m->nignored = 0;
	m->has_sk = false;
	m->sk_first = 0;
	memset(&m->sk_body, 0, sizeof(m->sk_body));
	m->sk_aad_len = 0;
	m->has_skf = false;
	m->skf_num = m->skf_total = 0;
	m->crit_type = 0;
}

int
ike_pld_parse(const uint8_t *pkt, size_t len, struct ike_msg *m,
    uint16_t *err_notify)
{
	struct buf b;

	ike_pld_msg_reset(m);
	*err_notify = 0;
	if (ike_pld_parse_hdr(pkt, len, &m->hdr) == -1)
		return -1;
	/* §2.5: a major version we do not speak; minor version is ignored */
	if (IKEV2_VERSION_MAJOR(m->hdr.version) != 2) {
		*err_notify = IKEV2_N_INVALID_MAJOR_VERSION;
		return -1;
	}
	buf_init(&b, pkt, len);
	if (buf_skip(&b, IKEV2_HDR_LEN) == -1)
		return -1;
	return ike_pld_walk(&b, m->hdr.next, false, m, err_notify);
}

int
ike_pld_parse_chain(struct buf *b, uint8_t first, struct ike_msg *m,
    uint16_t *err_notify)
{
	return ike_pld_walk(b, first, true, m, err_notify);
}

const struct ike_pld_notify *
ike_pld_notify_find(const struct ike_msg *m, uint16_t type)
{
	uint8_t i;

	for (i = 0; i < m->nnotify; i++)
		if (m->notify[i].type == type)
			return &m->notify[i];
	return NULL;
}
