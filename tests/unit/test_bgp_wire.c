/*
 * test_bgp_wire.c - the BGP codec: round trips of every message the engine
 * builds, the stream framer under every way of cutting a stream, and
 * hostile messages: each header error of RFC 4271 §6.1, OPEN errors of
 * §6.2, and UPDATEs classified under RFC 7606 (session reset,
 * treat-as-withdraw, attribute discard).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "bgp_wire.h"

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))

static uint8_t msg[BGP_MSG_MAX * 4];
static struct bgp_update u;
static struct bgp_err err;

/* A message of type with body, header included; its length. */
static size_t
mk(uint8_t *out, size_t cap, uint8_t type, const uint8_t *body, size_t n)
{
	struct wbuf w;
	size_t len_at;

	wbuf_init(&w, out, cap);
	bgp_wire_hdr_add(&w, type, &len_at);
	wbuf_add_bytes(&w, body, n);
	assert_int_equal(bgp_wire_hdr_finish(&w, len_at, 0), 0);
	return wbuf_len(&w);
}

static int
hdr(const uint8_t *m, size_t n, struct bgp_hdr *h)
{
	return bgp_wire_hdr_parse(m, n, h, &err);
}

static void
test_header(void **state)
{
	uint8_t m[BGP_HDR_LEN + 8];
	struct bgp_hdr h;
	size_t n;

	(void)state;
	n = mk(m, sizeof(m), BGP_KEEPALIVE, NULL, 0);
	assert_int_equal(n, 19);
	assert_int_equal(hdr(m, n, &h), 0);
	assert_int_equal(h.type, BGP_KEEPALIVE);
	assert_int_equal(h.len, 19);

	/* §6.1: marker not all ones */
	m[3] = 0xfe;
	assert_int_equal(hdr(m, n, &h), -1);
	assert_int_equal(err.code, BGP_ERR_HEADER);
	assert_int_equal(err.subcode, BGP_EHDR_SYNC);
	m[3] = 0xff;

	/* length below 19, above 4096: Data = the length field */
	m[16] = 0; m[17] = 18;
	assert_int_equal(hdr(m, n, &h), -1);
	assert_int_equal(err.subcode, BGP_EHDR_LENGTH);
	assert_int_equal(err.len, 2);
	assert_int_equal(err.data[1], 18);
	m[16] = 0x10; m[17] = 0x01;
	assert_int_equal(hdr(m, n, &h), -1);
	assert_int_equal(err.subcode, BGP_EHDR_LENGTH);
	assert_int_equal(err.data[0], 0x10);
	assert_int_equal(err.data[1], 0x01);
	m[16] = 0x10; m[17] = 0x00;
	assert_int_equal(hdr(m, n, &h), -1);	/* KEEPALIVE of 4096 */

	/* type minimums and exact sizes */
	m[16] = 0; m[17] = 20;
	assert_int_equal(hdr(m, n, &h), -1);
	assert_int_equal(err.subcode, BGP_EHDR_LENGTH);
	m[18] = BGP_OPEN; m[17] = 28;
	assert_int_equal(hdr(m, n, &h), -1);
	m[17] = 29;
	assert_int_equal(hdr(m, n, &h), 0);
	m[18] = BGP_UPDATE; m[17] = 22;
	assert_int_equal(hdr(m, n, &h), -1);
	m[17] = 23;
	assert_int_equal(hdr(m, n, &h), 0);
	m[18] = BGP_NOTIFICATION; m[17] = 20;
	assert_int_equal(hdr(m, n, &h), -1);
	m[17] = 21;
	assert_int_equal(hdr(m, n, &h), 0);
	m[18] = BGP_ROUTE_REFRESH; m[17] = 24;
	assert_int_equal(hdr(m, n, &h), -1);
	m[17] = 23;
	assert_int_equal(hdr(m, n, &h), 0);
	m[16] = 0x10; m[17] = 0;
	m[18] = BGP_UPDATE;
	assert_int_equal(hdr(m, n, &h), 0);	/* 4096 is fine */

	/* unknown type: Data = the type */
	m[16] = 0; m[17] = 19; m[18] = 9;
	assert_int_equal(hdr(m, n, &h), -1);
	assert_int_equal(err.subcode, BGP_EHDR_TYPE);
	assert_int_equal(err.len, 1);
	assert_int_equal(err.data[0], 9);
	m[18] = 0;
	assert_int_equal(hdr(m, n, &h), -1);
	assert_int_equal(err.subcode, BGP_EHDR_TYPE);

	/* fewer than 19 octets */
	assert_int_equal(hdr(m, 18, &h), -1);
}

/* A stream of three messages: OPEN, UPDATE (1000 octets), KEEPALIVE. */
static size_t
stream3(uint8_t *out, size_t cap, size_t lens[3])
{
	uint8_t body[1000 - BGP_HDR_LEN];
	struct wbuf w;

	wbuf_init(&w, out, cap);
	assert_int_equal(bgp_wire_open_build(&w, 65001, 90, IP(10, 0, 2, 5), 0),
	    0);
	lens[0] = wbuf_len(&w);
	memset(body, 0, sizeof(body));
	body[1] = 0;		/* withdrawn length 0 */
	body[3] = 0;		/* attributes 0 */
	lens[1] = mk(out + lens[0], cap - lens[0], BGP_UPDATE, body,
	    sizeof(body));
	lens[2] = mk(out + lens[0] + lens[1], cap - lens[0] - lens[1],
	    BGP_KEEPALIVE, NULL, 0);
	return lens[0] + lens[1] + lens[2];
}

static void
test_framer(void **state)
{
	static struct bgp_framer f;
	static const uint8_t types[3] = { BGP_OPEN, BGP_UPDATE, BGP_KEEPALIVE };
	size_t lens[3], total, chunk, off, n, got;
	struct bgp_hdr h;
	struct buf in, m;
	int r;

	(void)state;
	total = stream3(msg, sizeof(msg), lens);
	for (chunk = 1; chunk <= total; chunk += chunk < 40 ? 1 : 97) {
		bgp_wire_framer_init(&f);
		got = 0;
		for (off = 0; off < total; off += n) {
			n = total - off < chunk ? total - off : chunk;
			buf_init(&in, msg + off, n);
			while ((r = bgp_wire_framer_next(&f, &in, &h, &m,
			    &err)) == 1) {
				assert_true(got < 3);
				assert_int_equal(h.type, types[got]);
				assert_int_equal(h.len, lens[got]);
				assert_int_equal(buf_left(&m), lens[got]);
				got++;
			}
			assert_int_equal(r, 0);
			assert_int_equal(buf_left(&in), 0);
		}
		assert_int_equal(got, 3);
	}

	/* A bad header in the middle of a stream stops it there. */
	bgp_wire_framer_init(&f);
	msg[lens[0] + 2] = 0;	/* UPDATE's marker */
	buf_init(&in, msg, total);
	assert_int_equal(bgp_wire_framer_next(&f, &in, &h, &m, &err), 1);
	assert_int_equal(bgp_wire_framer_next(&f, &in, &h, &m, &err), -1);
	assert_int_equal(err.subcode, BGP_EHDR_SYNC);

	/* The header is judged before the body arrives. */
	bgp_wire_framer_init(&f);
	n = mk(msg, sizeof(msg), BGP_KEEPALIVE, NULL, 0);
	msg[17] = 200;
	buf_init(&in, msg, 19);
	assert_int_equal(bgp_wire_framer_next(&f, &in, &h, &m, &err), -1);
	assert_int_equal(err.subcode, BGP_EHDR_LENGTH);
}

static void
test_open_roundtrip(void **state)
{
	struct bgp_open o;
	struct bgp_hdr h;
	struct wbuf w;
	struct buf b;

	(void)state;
	wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(bgp_wire_open_build(&w, 65476, 90,
	    IP(192, 168, 1, 2), 0), 0);
	assert_int_equal(hdr(msg, wbuf_len(&w), &h), 0);
	assert_int_equal(h.len, wbuf_len(&w));
	buf_init(&b, msg, h.len);
	buf_skip(&b, BGP_HDR_LEN);
	assert_int_equal(bgp_wire_open_parse(&b, &o, &err), 0);
	assert_int_equal(o.version, 4);
	assert_int_equal(o.my_as, 65476);
	assert_int_equal(o.hold, 90);
	assert_int_equal(o.id, IP(192, 168, 1, 2));
	assert_true(o.cap_mp_any && o.cap_mp_ipv4u && o.cap_rr && o.cap_as4);
	assert_int_equal(o.as4, 65476);

	/* RFC 6793 §4.1: a 4-octet AS goes as AS_TRANS, the real one in the capability */
	wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(bgp_wire_open_build(&w, 4200000001u, 0, 1, 0), 0);
	buf_init(&b, msg, wbuf_len(&w));
	buf_skip(&b, BGP_HDR_LEN);
	assert_int_equal(bgp_wire_open_parse(&b, &o, &err), 0);
	assert_int_equal(o.my_as, BGP_AS_TRANS);
	assert_int_equal(o.as4, 4200000001u);
	assert_int_equal(o.hold, 0);
}

static int
open_body(const uint8_t *body, size_t n, struct bgp_open *o)
{
	struct buf b;

	buf_init(&b, body, n);
	return bgp_wire_open_parse(&b, o, &err);
}

static void
test_open_hostile(void **state)
{
	struct bgp_open o;
	/* version 4, AS 65001, hold 90, id 10.0.2.5, then opt len */
	uint8_t ok[] = { 4, 0xfd, 0xe9, 0, 90, 10, 0, 2, 5, 8,
	    2, 6, 65, 4, 0, 0, 0xfd, 0xe9 };
	uint8_t v[sizeof(ok)];

	(void)state;
	assert_int_equal(open_body(ok, sizeof(ok), &o), 0);
	assert_true(o.cap_as4);
	assert_false(o.cap_mp_any);

	/* §6.2: version 5 -> Data = 2-octet 4 */
	memcpy(v, ok, sizeof(v));
	v[0] = 5;
	assert_int_equal(open_body(v, sizeof(v), &o), -1);
	assert_int_equal(err.code, BGP_ERR_OPEN);
	assert_int_equal(err.subcode, BGP_EOPEN_VERSION);
	assert_int_equal(err.len, 2);
	assert_int_equal(err.data[0], 0);
	assert_int_equal(err.data[1], 4);
	/* ... even when the rest is garbage */
	assert_int_equal(open_body(v, 1, &o), -1);
	assert_int_equal(err.subcode, BGP_EOPEN_VERSION);

	/* optional parameters length past the end */
	memcpy(v, ok, sizeof(v));
	v[9] = 9;
	assert_int_equal(open_body(v, sizeof(v), &o), -1);
	assert_int_equal(err.subcode, BGP_EOPEN_UNSPEC);
	/* ... and short of it (octets left over) */
	v[9] = 7;
	assert_int_equal(open_body(v, sizeof(v), &o), -1);
	assert_int_equal(err.subcode, BGP_EOPEN_UNSPEC);
	/* truncated: parameter length past the optional parameters */
	memcpy(v, ok, sizeof(v));
	v[11] = 7;
	assert_int_equal(open_body(v, sizeof(v), &o), -1);
	assert_int_equal(err.subcode, BGP_EOPEN_UNSPEC);
	/* capability length past its parameter */
	memcpy(v, ok, sizeof(v));
	v[13] = 5;
	assert_int_equal(open_body(v, sizeof(v), &o), -1);
	/* known capability of the wrong size */
	memcpy(v, ok, sizeof(v));
	v[13] = 3;
	v[11] = 5;
	v[9] = 7;
	assert_int_equal(open_body(v, sizeof(v) - 1, &o), -1);
	assert_int_equal(err.subcode, BGP_EOPEN_UNSPEC);
	/* the whole OPEN cut at every length */
	for (size_t n = 1; n < sizeof(ok); n++)
		assert_int_equal(open_body(ok, n, &o), -1);
	/* optional parameter other than capabilities */
	memcpy(v, ok, sizeof(v));
	v[10] = 1;
	assert_int_equal(open_body(v, sizeof(v), &o), -1);
	assert_int_equal(err.subcode, BGP_EOPEN_OPT_PARAM);
	/* unknown capability: ignored */
	memcpy(v, ok, sizeof(v));
	v[12] = 200;
	assert_int_equal(open_body(v, sizeof(v), &o), 0);
	assert_false(o.cap_as4);
	/* MP for IPv6 only: seen, but not IPv4 unicast */
	{
		uint8_t mp[] = { 4, 0xfd, 0xe9, 0, 90, 10, 0, 2, 5, 8,
		    2, 6, 1, 4, 0, 2, 0, 1 };

		assert_int_equal(open_body(mp, sizeof(mp), &o), 0);
		assert_true(o.cap_mp_any);
		assert_false(o.cap_mp_ipv4u);
	}
	/* no optional parameters at all */
	v[9] = 0;
	assert_int_equal(open_body(v, 10, &o), 0);
}

static void
test_notification_keepalive_refresh(void **state)
{
	static struct bgp_err n, back;
	struct bgp_hdr h;
	struct wbuf w;
	struct buf b;
	uint16_t afi;
	uint8_t safi;

	(void)state;
	bgp_wire_err(&n, BGP_ERR_CEASE, BGP_ECEASE_SHUTDOWN, "\x05hello", 6);
	wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(bgp_wire_notification_build(&w, &n), 0);
	assert_int_equal(wbuf_len(&w), 21 + 6);
	assert_int_equal(hdr(msg, wbuf_len(&w), &h), 0);
	buf_init(&b, msg, h.len);
	buf_skip(&b, BGP_HDR_LEN);
	assert_int_equal(bgp_wire_notification_parse(&b, &back), 0);
	assert_int_equal(back.code, BGP_ERR_CEASE);
	assert_int_equal(back.subcode, BGP_ECEASE_SHUTDOWN);
	assert_int_equal(back.len, 6);
	assert_memory_equal(back.data, "\x05hello", 6);

	/* Data is cut to fit one message. */
	n.len = sizeof(n.data);
	memset(n.data, 0xab, n.len);
	wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(bgp_wire_notification_build(&w, &n), 0);
	assert_int_equal(wbuf_len(&w), BGP_MSG_MAX);

	wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(bgp_wire_keepalive_build(&w), 0);
	assert_int_equal(hdr(msg, wbuf_len(&w), &h), 0);
	assert_int_equal(h.type, BGP_KEEPALIVE);

	wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(bgp_wire_rrefresh_build(&w, 1, 1), 0);
	assert_int_equal(hdr(msg, wbuf_len(&w), &h), 0);
	assert_int_equal(h.type, BGP_ROUTE_REFRESH);
	buf_init(&b, msg, h.len);
	buf_skip(&b, BGP_HDR_LEN);
	assert_int_equal(bgp_wire_rrefresh_parse(&b, &afi, &safi), 0);
	assert_int_equal(afi, 1);
	assert_int_equal(safi, 1);

	/* A writer too small latches and fails. */
	wbuf_init(&w, msg, 20);
	assert_int_equal(bgp_wire_rrefresh_build(&w, 1, 1), -1);
}

static void
parse_update(const uint8_t *body, size_t n)
{
	struct buf b;

	buf_init(&b, body, n);
	bgp_wire_update_parse(&b, &u);
}

static size_t
count_prefixes(const struct buf *field)
{
	struct buf b = *field;
	struct bgp_prefix p;
	size_t n = 0;

	while (bgp_wire_prefix_next(&b, &p) == 1)
		n++;
	return n;
}

static void
test_update_roundtrip(void **state)
{
	static const struct bgp_prefix wd[] = {
		{ IP(10, 1, 0, 0), 16, 0 }, { IP(192, 0, 2, 128), 25, 0 },
	};
	static const struct bgp_prefix nlri[] = {
		{ 0, 0, 0 }, { IP(10, 128, 0, 0), 9, 0 }, { IP(198, 51, 100, 7), 32, 0 },
		{ IP(172, 16, 0, 0), 12, 0 },
	};
	static const uint32_t path[] = { 65001, 4200000000u, 65002 };
	struct bgp_attrs_out a = { BGP_ORIGIN_EGP, path, 3, IP(10, 0, 2, 5),
	    true, 77, 0 };
	struct bgp_prefix p;
	struct bgp_hdr h;
	struct wbuf w;
	struct buf b;
	size_t dw, dn, i;

	(void)state;
	wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(bgp_wire_update_build(&w, wd, 2, &dw, &a, nlri, 4,
	    &dn), 0);
	assert_int_equal(dw, 2);
	assert_int_equal(dn, 4);
	assert_int_equal(hdr(msg, wbuf_len(&w), &h), 0);
	assert_int_equal(h.type, BGP_UPDATE);
	buf_init(&b, msg, h.len);
	buf_skip(&b, BGP_HDR_LEN);
	bgp_wire_update_parse(&b, &u);
	assert_int_equal(u.action, BGP_UPD_OK);
	assert_true(u.has_origin && u.has_aspath && u.has_nexthop &&
	    u.has_med);
	assert_int_equal(u.origin, BGP_ORIGIN_EGP);
	assert_int_equal(u.nexthop, IP(10, 0, 2, 5));
	assert_int_equal(u.med, 77);
	assert_int_equal(u.aspath.path_len, 3);
	assert_int_equal(u.aspath.first_as, 65001);
	assert_int_equal(u.aspath.origin_as, 65002);
	assert_true(bgp_wire_aspath_contains(&u.aspath, 4200000000u));
	assert_false(bgp_wire_aspath_contains(&u.aspath, 65003));
	for (i = 0; bgp_wire_prefix_next(&u.withdrawn, &p) == 1; i++) {
		assert_int_equal(p.addr, wd[i].addr);
		assert_int_equal(p.len, wd[i].len);
	}
	assert_int_equal(i, 2);
	for (i = 0; bgp_wire_prefix_next(&u.nlri, &p) == 1; i++) {
		assert_int_equal(p.addr, nlri[i].addr);
		assert_int_equal(p.len, nlri[i].len);
	}
	assert_int_equal(i, 4);

	/* Withdrawals only: no attributes at all. */
	wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(bgp_wire_update_build(&w, wd, 2, &dw, NULL, NULL, 0,
	    &dn), 0);
	buf_init(&b, msg, wbuf_len(&w));
	buf_skip(&b, BGP_HDR_LEN);
	bgp_wire_update_parse(&b, &u);
	assert_int_equal(u.action, BGP_UPD_OK);
	assert_false(u.has_origin);
	assert_int_equal(count_prefixes(&u.withdrawn), 2);
	assert_int_equal(buf_left(&u.nlri), 0);
}

/* 3000 /24s and 1500 withdrawals: several UPDATEs, none over 4096, each prefix once. */
static void
test_update_packing(void **state)
{
	static struct bgp_prefix nlri[3000], wd[1500];
	static const uint32_t path[] = { 65476 };
	struct bgp_attrs_out a = { 0, path, 1, IP(192, 168, 1, 2), false, 0, 0 };
	struct bgp_prefix p;
	struct bgp_hdr h;
	struct wbuf w;
	struct buf b;
	size_t i, dw, dn, nw = 0, nn = 0, msgs = 0;

	(void)state;
	for (i = 0; i < 3000; i++) {
		nlri[i].addr = IP(20, 0, 0, 0) + ((uint32_t)i << 8);
		nlri[i].len = 24;
	}
	for (i = 0; i < 1500; i++) {
		wd[i].addr = IP(30, 0, 0, 0) + ((uint32_t)i << 12);
		wd[i].len = 20;
	}
	while (nw < 1500 || nn < 3000) {
		wbuf_init(&w, msg, BGP_MSG_MAX);
		assert_int_equal(bgp_wire_update_build(&w, wd + nw, 1500 - nw,
		    &dw, &a, nlri + nn, 3000 - nn, &dn), 0);
		assert_true(dw + dn > 0);
		assert_true(wbuf_len(&w) <= BGP_MSG_MAX);
		assert_int_equal(hdr(msg, wbuf_len(&w), &h), 0);
		buf_init(&b, msg, h.len);
		buf_skip(&b, BGP_HDR_LEN);
		bgp_wire_update_parse(&b, &u);
		assert_int_equal(u.action, BGP_UPD_OK);
		for (i = 0; bgp_wire_prefix_next(&u.withdrawn, &p) == 1; i++)
			assert_int_equal(p.addr, wd[nw + i].addr);
		assert_int_equal(i, dw);
		for (i = 0; bgp_wire_prefix_next(&u.nlri, &p) == 1; i++)
			assert_int_equal(p.addr, nlri[nn + i].addr);
		assert_int_equal(i, dn);
		nw += dw;
		nn += dn;
		msgs++;
	}
	assert_true(msgs >= 4 && msgs <= 6);
}

/* RFC 1997: one community, optional transitive, after the other attributes. */
static void
test_update_community(void **state)
{
	static const uint32_t path[] = { 65476 };
	static const struct bgp_prefix nlri[] = { { IP(13, 107, 6, 152), 30, 0 } };
	struct bgp_attrs_out a = { 0, path, 1, IP(10, 255, 0, 1), false, 0,
	    65476u << 16 | 365 };
	static const uint8_t comm[] = { 0xc0, 8, 4, 0xff, 0xc4, 0x01, 0x6d };
	struct bgp_hdr h;
	struct wbuf w;
	struct buf b;
	size_t dw, dn, i;
	bool found = false;

	(void)state;
	wbuf_init(&w, msg, BGP_MSG_MAX);
	assert_int_equal(bgp_wire_update_build(&w, NULL, 0, &dw, &a, nlri, 1,
	    &dn), 0);
	assert_int_equal(dn, 1);
	for (i = 0; i + sizeof(comm) <= wbuf_len(&w); i++)
		if (memcmp(msg + i, comm, sizeof(comm)) == 0)
			found = true;
	assert_true(found);
	/* Our own parser takes it (optional: passed over, RFC 4271 §5). */
	assert_int_equal(hdr(msg, wbuf_len(&w), &h), 0);
	buf_init(&b, msg, h.len);
	buf_skip(&b, BGP_HDR_LEN);
	bgp_wire_update_parse(&b, &u);
	assert_int_equal(u.action, BGP_UPD_OK);
	/* None: no attribute at all. */
	a.community = 0;
	wbuf_init(&w, msg, BGP_MSG_MAX);
	assert_int_equal(bgp_wire_update_build(&w, NULL, 0, &dw, &a, nlri, 1,
	    &dn), 0);
	for (i = 0; i + 2 <= wbuf_len(&w); i++)
		assert_false(msg[i] == 0xc0 && msg[i + 1] == 8);
}

/* Attribute building blocks (4-octet AS_PATH). */
#define A_ORIGIN	0x40, 1, 1, 0
#define A_ASPATH	0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9
#define A_NEXTHOP	0x40, 3, 4, 10, 0, 2, 5
#define NLRI_24		24, 10, 0, 2

#define UPD(name, ...)							\
	static const uint8_t name##_a[] = { __VA_ARGS__ };		\
	uint8_t name[sizeof(name##_a) + 8];				\
	size_t name##_n = upd_body(name, name##_a, sizeof(name##_a))

/* body = no withdrawals, attributes a, NLRI 10.0.2.0/24 */
static size_t
upd_body(uint8_t *out, const uint8_t *a, size_t n)
{
	static const uint8_t nlri[] = { NLRI_24 };

	out[0] = 0;
	out[1] = 0;
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	memcpy(out + 4, a, n);
	memcpy(out + 4 + n, nlri, sizeof(nlri));
	return 4 + n + sizeof(nlri);
}

static void
expect(const uint8_t *body, size_t n, enum bgp_upd_action act)
{
	parse_update(body, n);
	assert_int_equal(u.action, act);
}

static void
test_update_reset(void **state)
{
	(void)state;
	/* §6.3: withdrawn length past the end */
	{
		static const uint8_t b[] = { 0, 5, 24, 10, 0, 2, 0, 0 };

		expect(b, sizeof(b), BGP_UPD_RESET);
		assert_int_equal(u.err.code, BGP_ERR_UPDATE);
		assert_int_equal(u.err.subcode, BGP_EUPD_ATTR_LIST);
		expect(b, 1, BGP_UPD_RESET);
	}
	/* total attribute length past the end */
	{
		static const uint8_t b[] = { 0, 0, 0, 8, A_ORIGIN };

		expect(b, sizeof(b), BGP_UPD_RESET);
		assert_int_equal(u.err.subcode, BGP_EUPD_ATTR_LIST);
	}
	/* RFC 7606 §5.3: NLRI prefix length 33 */
	{
		UPD(b, A_ORIGIN, A_ASPATH, A_NEXTHOP);

		b[b_n - 4] = 33;
		expect(b, b_n, BGP_UPD_RESET);
		assert_int_equal(u.err.subcode, BGP_EUPD_NETWORK);
		/* a /24 with two octets */
		b[b_n - 4] = 24;
		expect(b, b_n - 1, BGP_UPD_RESET);
		assert_int_equal(u.err.subcode, BGP_EUPD_NETWORK);
		/* the well-formed original */
		expect(b, b_n, BGP_UPD_OK);
	}
	/* a withdrawn prefix of length 33 */
	{
		static const uint8_t b[] = { 0, 2, 33, 10, 0, 0 };

		expect(b, sizeof(b), BGP_UPD_RESET);
		assert_int_equal(u.err.subcode, BGP_EUPD_NETWORK);
	}
	/* RFC 7606 §3: MP_REACH_NLRI twice */
	{
		UPD(b, A_ORIGIN, A_ASPATH, A_NEXTHOP, 0x80, 14, 0, 0x80, 14, 0);

		expect(b, b_n, BGP_UPD_RESET);
		assert_int_equal(u.err.subcode, BGP_EUPD_ATTR_LIST);
	}
	/* §6.3: unrecognised well-known attribute, Data = the attribute */
	{
		UPD(b, A_ORIGIN, 0x40, 99, 2, 0xaa, 0xbb, A_ASPATH, A_NEXTHOP);
		static const uint8_t attr[] = { 0x40, 99, 2, 0xaa, 0xbb };

		expect(b, b_n, BGP_UPD_RESET);
		assert_int_equal(u.err.subcode, BGP_EUPD_UNKNOWN_WK);
		assert_int_equal(u.err.len, sizeof(attr));
		assert_memory_equal(u.err.data, attr, sizeof(attr));
	}
	/* RFC 7606 §3: a reset after a treat-as-withdraw error wins */
	{
		UPD(b, 0x40, 1, 1, 7, 0x40, 99, 0, A_ASPATH, A_NEXTHOP);

		expect(b, b_n, BGP_UPD_RESET);
	}
}

static void
test_update_withdraw(void **state)
{
	(void)state;
	/* RFC 7606 §4: attribute length past the attributes */
	{
		UPD(b, A_ORIGIN, A_ASPATH, 0x40, 3, 9, 10, 0, 2, 5);

		expect(b, b_n, BGP_UPD_WITHDRAW);
		/* the NLRI is still found through the total length */
		assert_int_equal(count_prefixes(&u.nlri), 1);
	}
	/* §4: fewer than three octets left for an attribute header */
	{
		UPD(b, A_ORIGIN, A_ASPATH, A_NEXTHOP, 0x80, 30);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	/* extended length with only one octet of length left */
	{
		UPD(b, A_ORIGIN, A_ASPATH, A_NEXTHOP, 0x90, 30, 0);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	/* extended length is fine on a short attribute */
	{
		UPD(b, A_ORIGIN, 0x50, 2, 0, 6, 2, 1, 0, 0, 0xfd, 0xe9,
		    A_NEXTHOP);

		expect(b, b_n, BGP_UPD_OK);
		assert_int_equal(u.aspath.first_as, 65001);
	}
	/* extended length running past the end */
	{
		UPD(b, A_ORIGIN, A_NEXTHOP, 0x50, 2, 1, 6, 2, 1, 0, 0, 0xfd,
		    0xe9);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	/* §7.1: ORIGIN 3, ORIGIN of 2 octets, ORIGIN flagged optional */
	{
		UPD(b, 0x40, 1, 1, 3, A_ASPATH, A_NEXTHOP);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	{
		UPD(b, 0x40, 1, 2, 0, 0, A_ASPATH, A_NEXTHOP);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	{
		UPD(b, 0xc0, 1, 1, 0, A_ASPATH, A_NEXTHOP);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	/* §7.2: zero-length segment, confederation segment, overrun, underrun */
	{
		UPD(b, A_ORIGIN, 0x40, 2, 2, 2, 0, A_NEXTHOP);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	{
		UPD(b, A_ORIGIN, 0x40, 2, 6, 3, 1, 0, 0, 0xfd, 0xe9,
		    A_NEXTHOP);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	{
		UPD(b, A_ORIGIN, 0x40, 2, 6, 2, 2, 0, 0, 0xfd, 0xe9,
		    A_NEXTHOP);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	{
		UPD(b, A_ORIGIN, 0x40, 2, 7, 2, 1, 0, 0, 0xfd, 0xe9, 2,
		    A_NEXTHOP);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	/* §7.3 NEXT_HOP of 5 octets, §7.4 MED of 2 */
	{
		UPD(b, A_ORIGIN, A_ASPATH, 0x40, 3, 5, 10, 0, 2, 5, 0);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	{
		UPD(b, A_ORIGIN, A_ASPATH, A_NEXTHOP, 0x80, 4, 2, 0, 1);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	/* MED flagged transitive */
	{
		UPD(b, A_ORIGIN, A_ASPATH, A_NEXTHOP, 0xc0, 4, 4, 0, 0, 0, 1);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	/* RFC 7606 §3: a missing mandatory attribute, with NLRI */
	{
		UPD(b, A_ORIGIN, A_ASPATH);

		expect(b, b_n, BGP_UPD_WITHDRAW);
		/* without NLRI it does not matter */
		expect(b, b_n - 4, BGP_UPD_OK);
	}
	{
		UPD(b, A_ASPATH, A_NEXTHOP);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
	{
		UPD(b, A_ORIGIN, A_NEXTHOP);

		expect(b, b_n, BGP_UPD_WITHDRAW);
	}
}

static void
test_update_discard(void **state)
{
	(void)state;
	/* RFC 7606 §3: a repeated attribute: the first one counts */
	{
		UPD(b, A_ORIGIN, 0x40, 1, 1, 2, A_ASPATH, A_NEXTHOP);

		expect(b, b_n, BGP_UPD_OK);
		assert_int_equal(u.origin, 0);
		assert_int_equal(u.attrs_discarded, 1);
	}
	/* §7.5 LOCAL_PREF from an external peer; §7.6 ATOMIC_AGGREGATE of 1 octet; §7.7 */
	{
		UPD(b, A_ORIGIN, A_ASPATH, A_NEXTHOP, 0x40, 5, 4, 0, 0, 0, 100,
		    0x40, 6, 1, 0, 0xc0, 7, 6, 0, 1, 10, 0, 0, 1);

		expect(b, b_n, BGP_UPD_OK);
		assert_int_equal(u.attrs_discarded, 3);
	}
	/* unknown optional attributes (communities, large communities): skipped */
	{
		UPD(b, A_ORIGIN, 0xc0, 8, 4, 0xfd, 0xe9, 0, 1, A_ASPATH,
		    0xe0, 32, 0, A_NEXTHOP, 0x80, 14, 0);

		expect(b, b_n, BGP_UPD_OK);
		assert_true(u.mp_seen);
		assert_int_equal(u.attrs_discarded, 0);
	}
	/* AS_PATH with a set: path length counts it once, no origin AS */
	{
		UPD(b, A_ORIGIN, 0x40, 2, 24, 2, 2, 0, 0, 0xfd, 0xe9, 0, 0,
		    0xfd, 0xea, 1, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
		    A_NEXTHOP);

		expect(b, b_n, BGP_UPD_OK);
		assert_int_equal(u.aspath.path_len, 3);
		assert_int_equal(u.aspath.first_as, 65001);
		assert_int_equal(u.aspath.origin_as, 0);
		assert_true(bgp_wire_aspath_contains(&u.aspath, 2));
		assert_true(bgp_wire_aspath_contains(&u.aspath, 65002));
	}
	/* an empty AS_PATH parses (the session refuses it from an external peer) */
	{
		UPD(b, A_ORIGIN, 0x40, 2, 0, A_NEXTHOP);

		expect(b, b_n, BGP_UPD_OK);
		assert_int_equal(u.aspath.first_type, 0);
	}
	/* End-of-RIB (RFC 4724 §2): an empty UPDATE */
	{
		static const uint8_t b[] = { 0, 0, 0, 0 };

		expect(b, sizeof(b), BGP_UPD_OK);
	}
}

/* Trailing bits beyond the prefix length are irrelevant (§4.3) and cleared. */
static void
test_prefix_bits(void **state)
{
	static const uint8_t f[] = { 9, 10, 0xff, 0, 24, 1 };
	struct bgp_prefix p;
	struct buf b;

	(void)state;
	buf_init(&b, f, sizeof(f));
	assert_int_equal(bgp_wire_prefix_next(&b, &p), 1);
	assert_int_equal(p.addr, IP(10, 128, 0, 0));
	assert_int_equal(p.len, 9);
	assert_int_equal(bgp_wire_prefix_next(&b, &p), 1);
	assert_int_equal(p.addr, 0);
	assert_int_equal(p.len, 0);
	assert_int_equal(bgp_wire_prefix_next(&b, &p), -1);	/* a /24 with one octet */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_framer),
		cmocka_unit_test(test_open_roundtrip),
		cmocka_unit_test(test_open_hostile),
		cmocka_unit_test(test_notification_keepalive_refresh),
		cmocka_unit_test(test_update_roundtrip),
		cmocka_unit_test(test_update_packing),
		cmocka_unit_test(test_update_community),
		cmocka_unit_test(test_update_reset),
		cmocka_unit_test(test_update_withdraw),
		cmocka_unit_test(test_update_discard),
		cmocka_unit_test(test_prefix_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
