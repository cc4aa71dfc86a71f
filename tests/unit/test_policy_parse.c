/*
 * test_policy_parse.c - the policy parsers and matchers on their own: TLS
 * ClientHello SNI (hand-built per RFC 8446 §4.1.2 / RFC 6066 §3, and one
 * captured from openssl s_client), HTTP Host, the in-order reassembly,
 * host name normalization, FQDN patterns, the web-category file, cloud
 * firewall rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "policy_fqdn.h"
#include "policy_fw.h"
#include "policy_http.h"
#include "policy_name.h"
#include "policy_reasm.h"
#include "policy_sni.h"
#include "policy_webcat.h"

/*
 * `openssl s_client -connect 127.0.0.1:N -servername WWW.Example.COM`
 * (OpenSSL 3.0.19), the first flight as captured on the listening socket:
 * one record, TLS 1.3 ClientHello with a key share, supported_versions,
 * and the name in the case it was given.
 */
static const uint8_t openssl_ch[] = {
	0x16, 0x03, 0x01, 0x01, 0x3c, 0x01, 0x00, 0x01, 0x38, 0x03, 0x03, 0x07,
	0x30, 0x23, 0xac, 0x16, 0xbe, 0xcd, 0x5a, 0xd1, 0xae, 0xe2, 0xf3, 0x94,
	0xb9, 0xc9, 0xbc, 0x01, 0x1e, 0xd6, 0x5f, 0x92, 0x53, 0xa4, 0x20, 0x69,
	0xe0, 0xba, 0xee, 0x8f, 0xac, 0xc4, 0xf8, 0x20, 0x7b, 0xea, 0xf6, 0x63,
	0x4d, 0x0e, 0x40, 0xf4, 0x68, 0xfc, 0xfe, 0xb6, 0x13, 0x16, 0xc4, 0xc9,
	0xd4, 0x8e, 0x30, 0x2f, 0xba, 0x80, 0xb8, 0xc0, 0x45, 0x7e, 0x24, 0xdc,
	0x49, 0xa7, 0xed, 0xea, 0x00, 0x3e, 0x13, 0x02, 0x13, 0x03, 0x13, 0x01,
	0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa,
	0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b,
	0xc0, 0x23, 0xc0, 0x27, 0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39,
	0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d,
	0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0xb1,
	0x00, 0x00, 0x00, 0x14, 0x00, 0x12, 0x00, 0x00, 0x0f, 0x57, 0x57, 0x57,
	0x2e, 0x45, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x43, 0x4f, 0x4d,
	0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x16,
	0x00, 0x14, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18,
	0x01, 0x00, 0x01, 0x01, 0x01, 0x02, 0x01, 0x03, 0x01, 0x04, 0x00, 0x23,
	0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d,
	0x00, 0x2a, 0x00, 0x28, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07,
	0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05,
	0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01,
	0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02, 0x00, 0x2b, 0x00, 0x09,
	0x08, 0x03, 0x04, 0x03, 0x03, 0x03, 0x02, 0x03, 0x01, 0x00, 0x2d, 0x00,
	0x02, 0x01, 0x01, 0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00,
	0x20, 0x45, 0x67, 0x00, 0x74, 0x12, 0x14, 0xa7, 0xe9, 0x9c, 0xe8, 0xc5,
	0xc9, 0x92, 0x05, 0xe3, 0x76, 0x9c, 0xca, 0x3c, 0x3b, 0x5d, 0x74, 0x76,
	0xc7, 0x79, 0x15, 0x22, 0x68, 0x88, 0x1e, 0x08, 0x62,
};

/* ---- a ClientHello builder (RFC 8446 §4.1.2) ---- */

struct ch_opt {
	const char	*sni;		/* NULL: no server_name extension */
	const char	*sni2;		/* a second host_name in the list */
	int		 sni_type;	/* NameType of the first name */
	int		 sid_len;	/* legacy_session_id length, 32 */
	int		 cs_len;	/* cipher_suites octets, 4 */
	int		 cm_len;	/* compression methods, 1 */
	bool		 no_ext;	/* no extensions block at all */
	bool		 dup_ext;	/* supported_versions twice */
	int		 ext_delta;	/* added to extensions length */
	int		 list_delta;	/* added to server_name_list length */
	int		 name_delta;	/* added to HostName length */
	int		 hs_delta;	/* added to the handshake length */
	uint8_t		 hs_type;	/* 1 */
	size_t		 pad;		/* a padding extension (RFC 7685) */
	size_t		 frag;		/* record fragment size, 0: 16384 */
	uint16_t	 rec_ver;	/* record legacy_version, 0x0301 */
};

static void
ch_defaults(struct ch_opt *o, const char *sni)
{
	memset(o, 0, sizeof(*o));
	o->sni = sni;
	o->sid_len = 32;
	o->cs_len = 4;
	o->cm_len = 1;
	o->hs_type = 1;
	o->rec_ver = 0x0301;
}

/* The handshake message alone. */
static size_t
ch_msg(uint8_t *out, size_t cap, const struct ch_opt *o)
{
	struct wbuf w;
	size_t at_len, at_ext, at_e, at_list, i, n, ln;
	int k;

	wbuf_init(&w, out, cap);
	wbuf_add_u8(&w, o->hs_type);
	wbuf_reserve(&w, 3, &at_len);
	wbuf_add_u16(&w, 0x0303);		/* legacy_version */
	for (i = 0; i < 32; i++)
		wbuf_add_u8(&w, (uint8_t)(0xa0 + i));	/* random */
	wbuf_add_u8(&w, (uint8_t)o->sid_len);
	for (k = 0; k < o->sid_len && k < 32; k++)
		wbuf_add_u8(&w, 0x55);
	wbuf_add_u16(&w, (uint16_t)o->cs_len);
	for (k = 0; k < o->cs_len; k++)
		wbuf_add_u8(&w, (uint8_t)(k % 2 ? 0x01 + k / 2 : 0x13));
	wbuf_add_u8(&w, (uint8_t)o->cm_len);
	for (k = 0; k < o->cm_len; k++)
		wbuf_add_u8(&w, 0);
	if (!o->no_ext) {
		wbuf_reserve(&w, 2, &at_ext);
		/* supported_versions (43): TLS 1.3 */
		wbuf_add_u16(&w, 43);
		wbuf_add_u16(&w, 3);
		wbuf_add_u8(&w, 2);
		wbuf_add_u16(&w, 0x0304);
		if (o->dup_ext) {
			wbuf_add_u16(&w, 43);
			wbuf_add_u16(&w, 3);
			wbuf_add_u8(&w, 2);
			wbuf_add_u16(&w, 0x0304);
		}
		if (o->sni != NULL) {
			wbuf_add_u16(&w, 0);		/* server_name */
			wbuf_reserve(&w, 2, &at_e);
			wbuf_reserve(&w, 2, &at_list);
			ln = strlen(o->sni);
			wbuf_add_u8(&w, (uint8_t)o->sni_type);
			wbuf_add_u16(&w, (uint16_t)((int)ln + o->name_delta));
			wbuf_add_bytes(&w, o->sni, ln);
			if (o->sni2 != NULL) {
				wbuf_add_u8(&w, 0);
				wbuf_add_u16(&w, (uint16_t)strlen(o->sni2));
				wbuf_add_bytes(&w, o->sni2, strlen(o->sni2));
			}
			n = wbuf_len(&w);
			wbuf_set_u16_at(&w, at_list,
			    (uint16_t)((int)(n - at_list - 2) + o->list_delta));
			wbuf_set_u16_at(&w, at_e, (uint16_t)(n - at_e - 2));
		}
		if (o->pad > 0) {
			wbuf_add_u16(&w, 21);		/* padding */
			wbuf_add_u16(&w, (uint16_t)o->pad);
			wbuf_add_zero(&w, o->pad);
		}
		n = wbuf_len(&w);
		wbuf_set_u16_at(&w, at_ext,
		    (uint16_t)((int)(n - at_ext - 2) + o->ext_delta));
	}
	n = wbuf_len(&w);
	assert_false(w.err);
	n = (size_t)((int)(n - 4) + o->hs_delta);
	wbuf_set_u8_at(&w, at_len, (uint8_t)(n >> 16));
	wbuf_set_u16_at(&w, at_len + 1, (uint16_t)n);
	return wbuf_len(&w);
}

/* The message in records of at most o->frag octets (RFC 8446 §5.1). */
static size_t
ch_build(uint8_t *out, size_t cap, const struct ch_opt *o)
{
	static uint8_t msg[70000];
	size_t mlen = ch_msg(msg, sizeof(msg), o), off = 0, n = 0, take;
	size_t frag = o->frag ? o->frag : 16384;

	while (off < mlen) {
		take = mlen - off < frag ? mlen - off : frag;
		assert_true(n + 5 + take <= cap);
		out[n++] = 22;
		out[n++] = (uint8_t)(o->rec_ver >> 8);
		out[n++] = (uint8_t)o->rec_ver;
		out[n++] = (uint8_t)(take >> 8);
		out[n++] = (uint8_t)take;
		memcpy(out + n, msg + off, take);
		n += take;
		off += take;
	}
	return n;
}

static enum policy_sni_res
sni(const uint8_t *p, size_t n, char *host)
{
	return policy_sni_parse(p, n, host);
}

static enum policy_sni_res
sni_opt(const struct ch_opt *o, char *host)
{
	static uint8_t b[100000];
	size_t n = ch_build(b, sizeof(b), o);

	return sni(b, n, host);
}

static void
test_sni_openssl(void **state)
{
	char host[POLICY_HOST_MAX + 1];
	size_t i;

	(void)state;
	assert_int_equal(sni(openssl_ch, sizeof(openssl_ch), host),
	    POLICY_SNI_OK);
	assert_string_equal(host, "www.example.com");
	/* Every proper prefix waits for more; none is judged wrongly. */
	for (i = 0; i < sizeof(openssl_ch); i++)
		assert_int_equal(sni(openssl_ch, i, host),
		    POLICY_SNI_NEED_MORE);
}

static void
test_sni_built(void **state)
{
	char host[POLICY_HOST_MAX + 1];
	uint8_t b[4096];
	struct ch_opt o;
	size_t n, i;

	(void)state;
	ch_defaults(&o, "intranet.contoso.com");
	n = ch_build(b, sizeof(b), &o);
	assert_int_equal(sni(b, n, host), POLICY_SNI_OK);
	assert_string_equal(host, "intranet.contoso.com");
	for (i = 0; i < n; i++)
		assert_int_equal(sni(b, i, host), POLICY_SNI_NEED_MORE);
	/* Octets after the complete ClientHello (0-RTT data) change nothing:
	 * a change_cipher_spec record, then application_data. */
	memcpy(b + n, "\x14\x03\x03\x00\x01\x01\x17\x03\x03\x00\x02xy", 13);
	assert_int_equal(sni(b, n + 13, host), POLICY_SNI_OK);
	assert_string_equal(host, "intranet.contoso.com");
	for (i = n; i < n + 13; i++)
		assert_int_equal(sni(b, i, host), POLICY_SNI_OK);
}

static void
test_sni_records(void **state)
{
	static uint8_t b[40000];
	char host[POLICY_HOST_MAX + 1];
	struct ch_opt o;
	size_t frags[] = { 1, 2, 3, 4, 5, 7, 40, 100 }, f, n, i;

	(void)state;
	for (f = 0; f < sizeof(frags) / sizeof(frags[0]); f++) {
		ch_defaults(&o, "split.example.org");
		o.frag = frags[f];
		n = ch_build(b, sizeof(b), &o);
		assert_int_equal(sni(b, n, host), POLICY_SNI_OK);
		assert_string_equal(host, "split.example.org");
		for (i = 0; i < n; i++)
			assert_int_equal(sni(b, i, host),
			    POLICY_SNI_NEED_MORE);
	}
	/* A record of another type between fragments: §5.1 forbids it. */
	ch_defaults(&o, "split.example.org");
	o.frag = 40;
	n = ch_build(b, sizeof(b), &o);
	memmove(b + 45 + 6, b + 45, n - 45);
	memcpy(b + 45, "\x15\x03\x03\x00\x01\x00", 6);
	assert_int_equal(sni(b, n + 6, host), POLICY_SNI_MALFORMED);
	/* Through the reassembly, fed one octet per segment. */
	{
		static struct policy_reasm r;
		enum policy_sni_res res = POLICY_SNI_NEED_MORE;
		uint32_t seq = 0xfffffff0u;	/* wraps on the way */

		ch_defaults(&o, "Reasm.Example.NET.");
		o.frag = 7;
		n = ch_build(b, sizeof(b), &o);
		policy_reasm_init(&r, seq);
		for (i = 0; i < n; i++) {
			assert_int_equal(res, POLICY_SNI_NEED_MORE);
			/* each segment is sent twice: a retransmission */
			assert_int_equal(policy_reasm_feed(&r, seq + (uint32_t)i,
			    b + i, 1), POLICY_REASM_OK);
			assert_int_equal(policy_reasm_feed(&r, seq + (uint32_t)i,
			    b + i, 1), POLICY_REASM_DUP);
			res = sni(r.data, r.len, host);
		}
		assert_int_equal(res, POLICY_SNI_OK);
		assert_string_equal(host, "reasm.example.net");
	}
}

static void
test_sni_no_sni(void **state)
{
	char host[POLICY_HOST_MAX + 1];
	struct ch_opt o;

	(void)state;
	ch_defaults(&o, NULL);
	assert_int_equal(sni_opt(&o, host), POLICY_SNI_NO_SNI);
	ch_defaults(&o, NULL);
	o.no_ext = true;		/* TLS 1.2 without extensions */
	assert_int_equal(sni_opt(&o, host), POLICY_SNI_NO_SNI);
	ch_defaults(&o, "opaque");
	o.sni_type = 7;			/* an unknown NameType only */
	assert_int_equal(sni_opt(&o, host), POLICY_SNI_NO_SNI);
}

static void
test_sni_malformed(void **state)
{
	char host[POLICY_HOST_MAX + 1];
	struct ch_opt o;

	(void)state;
#define BAD(field, v, want) do {					\
		ch_defaults(&o, "ok.example.com");			\
		o.field = v;						\
		assert_int_equal(sni_opt(&o, host), want);		\
	} while (0)
	BAD(sid_len, 33, POLICY_SNI_MALFORMED);	/* <0..32> */
	BAD(cs_len, 3, POLICY_SNI_MALFORMED);	/* odd */
	BAD(cs_len, 0, POLICY_SNI_MALFORMED);	/* <2..2^16-2> */
	BAD(cm_len, 0, POLICY_SNI_MALFORMED);	/* <1..2^8-1> */
	BAD(ext_delta, 1, POLICY_SNI_MALFORMED);
	BAD(ext_delta, -1, POLICY_SNI_MALFORMED);
	BAD(list_delta, 1, POLICY_SNI_MALFORMED);
	BAD(list_delta, -1, POLICY_SNI_MALFORMED);
	BAD(name_delta, 1, POLICY_SNI_MALFORMED);
	BAD(name_delta, -1, POLICY_SNI_MALFORMED);
	BAD(name_delta, -14, POLICY_SNI_MALFORMED);	/* empty HostName */
	BAD(hs_delta, -1, POLICY_SNI_MALFORMED);	/* body cut short */
	BAD(hs_delta, 1, POLICY_SNI_NEED_MORE);		/* waits for more */
	BAD(dup_ext, true, POLICY_SNI_MALFORMED);	/* §4.2 */
	BAD(sni2, "two.example.com", POLICY_SNI_MALFORMED);	/* RFC 6066 */
	BAD(hs_type, 2, POLICY_SNI_MALFORMED);	/* a ServerHello */
#undef BAD
	/* Record level: empty fragment, over 2^14, wrong version major. */
	{
		uint8_t b[4096];
		size_t n;

		ch_defaults(&o, "ok.example.com");
		n = ch_build(b, sizeof(b), &o);
		b[3] = 0;
		b[4] = 0;
		assert_int_equal(sni(b, n, host), POLICY_SNI_MALFORMED);
		b[3] = 0x40;
		b[4] = 0x01;
		assert_int_equal(sni(b, n, host), POLICY_SNI_MALFORMED);
		ch_defaults(&o, "ok.example.com");
		o.frag = 50;
		n = ch_build(b, sizeof(b), &o);
		b[55 + 1] = 2;		/* second record: version 2.x */
		assert_int_equal(sni(b, n, host), POLICY_SNI_MALFORMED);
	}
}

static void
test_sni_not_tls(void **state)
{
	char host[POLICY_HOST_MAX + 1];
	const char *get = "GET / HTTP/1.1\r\n";

	(void)state;
	assert_int_equal(sni((const uint8_t *)get, strlen(get), host),
	    POLICY_SNI_NOT_TLS);
	assert_int_equal(sni((const uint8_t *)"G", 1, host),
	    POLICY_SNI_NOT_TLS);
	assert_int_equal(sni((const uint8_t *)"\x16\x02", 2, host),
	    POLICY_SNI_NOT_TLS);
	/* An SSL 2 style hello, an alert record. */
	assert_int_equal(sni((const uint8_t *)"\x80\x2e\x01\x03\x01", 5, host),
	    POLICY_SNI_NOT_TLS);
	assert_int_equal(sni((const uint8_t *)"\x15\x03\x03\x00\x02\x02\x28",
	    7, host), POLICY_SNI_NOT_TLS);
	assert_int_equal(sni((const uint8_t *)"", 0, host),
	    POLICY_SNI_NEED_MORE);
	assert_int_equal(sni((const uint8_t *)"\x16", 1, host),
	    POLICY_SNI_NEED_MORE);
	assert_string_equal(policy_sni_res_str(POLICY_SNI_NOT_TLS), "not-tls");
	assert_string_equal(policy_sni_res_str((enum policy_sni_res)99), "?");
}

static void
test_sni_too_big(void **state)
{
	static uint8_t b[80000];
	char host[POLICY_HOST_MAX + 1];
	struct ch_opt o;
	size_t n, i;

	(void)state;
	/* A message that cannot fit the cap, said from its header. */
	ch_defaults(&o, "big.example.com");
	o.pad = 16370;
	o.frag = 16384;
	n = ch_build(b, sizeof(b), &o);
	assert_int_equal(sni(b, 9, host), POLICY_SNI_TOO_BIG);
	assert_int_equal(sni(b, n, host), POLICY_SNI_TOO_BIG);
	/* A short message declaring a huge length: too big from its header
	 * on, at a record boundary as well (found by fuzz_policy_sni). */
	ch_defaults(&o, "liar.example.com");
	o.hs_delta = 20000;
	n = ch_build(b, sizeof(b), &o);
	for (i = 0; i < 9; i++)
		assert_int_equal(sni(b, i, host), POLICY_SNI_NEED_MORE);
	for (; i <= n; i++)
		assert_int_equal(sni(b, i, host), POLICY_SNI_TOO_BIG);
	/* Just fits: 5 + 4 + body <= the cap. */
	ch_defaults(&o, "fits.example.com");
	o.pad = 16000;
	n = ch_build(b, sizeof(b), &o);
	assert_true(n <= POLICY_REASM_CAP);
	assert_int_equal(sni(b, n, host), POLICY_SNI_OK);
	assert_string_equal(host, "fits.example.com");
	/* The message fits but its record headers do not: tiny records. */
	ch_defaults(&o, "tiny.example.com");
	o.pad = 12000;
	o.frag = 10;
	n = ch_build(b, sizeof(b), &o);
	assert_true(n > POLICY_REASM_CAP);
	assert_int_equal(sni(b, POLICY_REASM_CAP, host), POLICY_SNI_TOO_BIG);
	assert_int_equal(sni(b, POLICY_REASM_CAP - 1, host),
	    POLICY_SNI_NEED_MORE);
}

static void
test_sni_names(void **state)
{
	char host[POLICY_HOST_MAX + 1], long_ok[300], long_bad[300];
	struct ch_opt o;
	size_t i;
	static const char *const bad[] = {
		"192.0.2.1", "192.0.2.1.", "exa mple.com", "a..b.com",
		".a.com", "a.com..", "ex\x01.com", "caf\xc3\xa9.fr", "a*b.com",
		"[2001:db8::1]", "0",
	};

	(void)state;
	ch_defaults(&o, "MiXeD.Example.ORG.");
	assert_int_equal(sni_opt(&o, host), POLICY_SNI_OK);
	assert_string_equal(host, "mixed.example.org");
	ch_defaults(&o, "_dmarc.x-y.example");
	assert_int_equal(sni_opt(&o, host), POLICY_SNI_OK);
	assert_string_equal(host, "_dmarc.x-y.example");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ch_defaults(&o, bad[i]);
		assert_int_equal(sni_opt(&o, host), POLICY_SNI_MALFORMED);
	}
	/* A NUL inside the HostName: "evil.com" -> "evil.co\0". */
	{
		uint8_t b[4096];
		size_t n;

		ch_defaults(&o, "evil.com");
		n = ch_build(b, sizeof(b), &o);
		assert_int_equal(sni(b, n, host), POLICY_SNI_OK);
		for (i = 0; i + 8 <= n; i++)
			if (memcmp(b + i, "evil.com", 8) == 0)
				b[i + 7] = 0;
		assert_int_equal(sni(b, n, host), POLICY_SNI_MALFORMED);
	}
	/* 253 octets is the most (4 labels of 63, one of 1). */
	memset(long_ok, 'a', sizeof(long_ok));
	for (i = 63; i < 253; i += 64)
		long_ok[i] = '.';
	long_ok[253] = '\0';
	ch_defaults(&o, long_ok);
	assert_int_equal(sni_opt(&o, host), POLICY_SNI_OK);
	assert_int_equal(strlen(host), 253);
	memcpy(long_bad, long_ok, 254);
	strcat(long_bad, "b");
	ch_defaults(&o, long_bad);
	assert_int_equal(sni_opt(&o, host), POLICY_SNI_MALFORMED);
	/* A label of 64. */
	memset(long_bad, 'c', 64);
	strcpy(long_bad + 64, ".com");
	ch_defaults(&o, long_bad);
	assert_int_equal(sni_opt(&o, host), POLICY_SNI_MALFORMED);
}

/* ---- HTTP Host ---- */

static enum policy_http_res
http(const char *s, char *host)
{
	return policy_http_host((const uint8_t *)s, strlen(s), host);
}

static void
test_http_host(void **state)
{
	char host[POLICY_HOST_MAX + 1];

	(void)state;
	assert_int_equal(http("GET / HTTP/1.1\r\nHost: www.Example.com\r\n"
	    "Accept: */*\r\n\r\n", host), POLICY_HTTP_OK);
	assert_string_equal(host, "www.example.com");
	assert_int_equal(http("GET /x?y HTTP/1.0\r\nUser-Agent: t\r\n"
	    "hOsT: example.net:8080\r\n\r\n", host), POLICY_HTTP_OK);
	assert_string_equal(host, "example.net");
	assert_int_equal(http("POST / HTTP/1.1\nHOST:\ta.example \t\n\n",
	    host), POLICY_HTTP_OK);		/* bare LF, OWS trimmed */
	assert_string_equal(host, "a.example");
	assert_int_equal(http("GET / HTTP/1.1\r\nHost: first.example\r\n"
	    "Host: second.example\r\n\r\n", host), POLICY_HTTP_OK);
	assert_string_equal(host, "first.example");
	assert_int_equal(http("\r\n\r\nGET / HTTP/1.1\r\nHost: late.example"
	    "\r\n\r\n", host), POLICY_HTTP_OK);	/* §2.2 empty lines */
	assert_string_equal(host, "late.example");
	assert_int_equal(http("GET / HTTP/1.1\r\nHost: 192.0.2.7:80\r\n\r\n",
	    host), POLICY_HTTP_OK);
	assert_string_equal(host, "192.0.2.7");
	assert_int_equal(http("GET / HTTP/1.1\r\nHost: [2001:DB8::1]:443\r\n"
	    "\r\n", host), POLICY_HTTP_OK);
	assert_string_equal(host, "[2001:db8::1]");
	assert_int_equal(http("CONNECT a.example:443 HTTP/1.1\r\nHost: "
	    "a.example:443\r\n\r\n", host), POLICY_HTTP_OK);
	assert_string_equal(host, "a.example");
	assert_int_equal(http("GET / HTTP/1.1\r\nHost: trailing.dot.\r\n\r\n",
	    host), POLICY_HTTP_OK);
	assert_string_equal(host, "trailing.dot");
}

static void
test_http_partial(void **state)
{
	char host[POLICY_HOST_MAX + 1];
	const char *req = "GET /index.html HTTP/1.1\r\nUser-Agent: curl\r\n"
	    "Host: part.example\r\nAccept: */*\r\n\r\n";
	size_t i, n = strlen(req), hostend = strstr(req, "Accept") -
	    req;

	(void)state;
	/* Up to one octet past the Host line (the obs-fold check), wait. */
	for (i = 0; i < hostend + 1; i++)
		assert_int_equal(policy_http_host((const uint8_t *)req, i,
		    host), POLICY_HTTP_NEED_MORE);
	for (; i <= n; i++) {
		assert_int_equal(policy_http_host((const uint8_t *)req, i,
		    host), POLICY_HTTP_OK);
		assert_string_equal(host, "part.example");
	}
	assert_int_equal(http("\r\n", host), POLICY_HTTP_NEED_MORE);
	assert_int_equal(http("\r", host), POLICY_HTTP_NEED_MORE);
	assert_int_equal(http("GET / HTTP/1.1\r\nHost: a.example", host),
	    POLICY_HTTP_NEED_MORE);
}

static void
test_http_refused(void **state)
{
	char host[POLICY_HOST_MAX + 1];
	static const struct {
		const char *req;
		enum policy_http_res want;
	} t[] = {
		{ "\x16\x03\x01\x02\x00\x01", POLICY_HTTP_NOT_HTTP },
		{ "SSH-2.0-OpenSSH_9.2\r\n", POLICY_HTTP_NOT_HTTP },
		{ "GET /\r\n", POLICY_HTTP_NOT_HTTP },	/* HTTP/0.9 */
		{ "GET / HTTP/2.0\r\n", POLICY_HTTP_NOT_HTTP },
		{ "GET / HTTP/1.1 x\r\n", POLICY_HTTP_NOT_HTTP },
		{ " GET / HTTP/1.1\r\n", POLICY_HTTP_NOT_HTTP },
		{ "\rGET / HTTP/1.1\r\n", POLICY_HTTP_NOT_HTTP },
		{ "GET / HTTP/1.1\r\nHost : a.example\r\n\r\n",
		    POLICY_HTTP_MALFORMED },		/* §5.1 */
		{ "GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\nHost: a.example\r\n"
		    "\r\n", POLICY_HTTP_MALFORMED },	/* §5.2 obs-fold */
		{ "GET / HTTP/1.1\r\nHost: a.example\r\n b.example\r\n\r\n",
		    POLICY_HTTP_MALFORMED },
		{ "GET / HTTP/1.1\r\nHost:\r\n\tevil.example\r\n\r\n",
		    POLICY_HTTP_MALFORMED },
		{ "GET / HTTP/1.1\r\nHost: a.example:8x\r\n\r\n",
		    POLICY_HTTP_MALFORMED },
		{ "GET / HTTP/1.1\r\nHost: a.example:123456\r\n\r\n",
		    POLICY_HTTP_MALFORMED },
		{ "GET / HTTP/1.1\r\nHost: a.example:65536\r\n\r\n",
		    POLICY_HTTP_MALFORMED },
		{ "GET / HTTP/1.1\r\nHost: a b.example\r\n\r\n",
		    POLICY_HTTP_MALFORMED },
		{ "GET / HTTP/1.1\r\nHost: []\r\n\r\n", POLICY_HTTP_MALFORMED },
		{ "GET / HTTP/1.1\r\nHost: [2001:db8::1\r\n\r\n",
		    POLICY_HTTP_MALFORMED },
		{ "GET / HTTP/1.1\r\nHost: 1.2.3.999\r\n\r\n",
		    POLICY_HTTP_MALFORMED },
		{ "GET / HTTP/1.1\r\n: empty\r\n\r\n", POLICY_HTTP_MALFORMED },
		{ "GET / HTTP/1.1\r\nNoColon\r\n\r\n", POLICY_HTTP_MALFORMED },
		{ "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", POLICY_HTTP_NO_HOST },
		{ "GET / HTTP/1.1\r\nHost: \r\n\r\n", POLICY_HTTP_NO_HOST },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum policy_http_res r = http(t[i].req, host);

		if (r != t[i].want)
			fail_msg("%zu: %s, want %s", i, policy_http_res_str(r),
			    policy_http_res_str(t[i].want));
	}
	/* A NUL in a field line. */
	assert_int_equal(policy_http_host((const uint8_t *)"GET / HTTP/1.1\r\n"
	    "Host: a\0b\r\n\r\n", 29, host), POLICY_HTTP_MALFORMED);
	assert_string_equal(policy_http_res_str(POLICY_HTTP_TOO_BIG),
	    "too-big");
}

static void
test_http_too_big(void **state)
{
	static char req[POLICY_REASM_CAP + 64];
	char host[POLICY_HOST_MAX + 1];
	size_t n;

	(void)state;
	n = (size_t)snprintf(req, sizeof(req), "GET / HTTP/1.1\r\n");
	while (n + 16 < POLICY_REASM_CAP)
		n += (size_t)snprintf(req + n, sizeof(req) - n,
		    "X-Pad: 0123456\r\n");
	memset(req + n, 'x', POLICY_REASM_CAP - n);
	assert_int_equal(policy_http_host((const uint8_t *)req,
	    POLICY_REASM_CAP - 1, host), POLICY_HTTP_NEED_MORE);
	assert_int_equal(policy_http_host((const uint8_t *)req,
	    POLICY_REASM_CAP, host), POLICY_HTTP_TOO_BIG);
	/* A request line that never ends. */
	memcpy(req, "GET /", 5);
	memset(req + 5, 'a', POLICY_REASM_CAP - 5);
	assert_int_equal(policy_http_host((const uint8_t *)req,
	    POLICY_REASM_CAP, host), POLICY_HTTP_TOO_BIG);
}

/* ---- reassembly ---- */

static void
test_reasm(void **state)
{
	static struct policy_reasm r;
	static uint8_t big[POLICY_REASM_CAP + 10];
	uint32_t base;
	size_t i;

	(void)state;
	policy_reasm_init(&r, 1000);
	assert_int_equal(policy_reasm_feed(&r, 1000, (const uint8_t *)"abc",
	    3), POLICY_REASM_OK);
	assert_int_equal(policy_reasm_feed(&r, 1003, (const uint8_t *)"def",
	    3), POLICY_REASM_OK);
	/* Retransmission: wholly old. */
	assert_int_equal(policy_reasm_feed(&r, 1000, (const uint8_t *)"abc",
	    3), POLICY_REASM_DUP);
	assert_int_equal(policy_reasm_feed(&r, 1002, (const uint8_t *)"c",
	    1), POLICY_REASM_DUP);
	assert_int_equal(policy_reasm_feed(&r, 1006, (const uint8_t *)"", 0),
	    POLICY_REASM_DUP);
	/* Overlap: the octets held win, the tail is added. */
	assert_int_equal(policy_reasm_feed(&r, 1004, (const uint8_t *)"XYgh",
	    4), POLICY_REASM_OK);
	assert_int_equal(r.len, 8);
	assert_memory_equal(r.data, "abcdefgh", 8);
	/* Gap: refused, nothing kept. */
	assert_int_equal(policy_reasm_feed(&r, 1009, (const uint8_t *)"j",
	    1), POLICY_REASM_GAP);
	assert_int_equal(r.len, 8);
	assert_int_equal(r.next, 1008);
	/* Full: what fits is kept. */
	memset(big, 'z', sizeof(big));
	assert_int_equal(policy_reasm_feed(&r, 1008, big, sizeof(big)),
	    POLICY_REASM_FULL);
	assert_int_equal(r.len, POLICY_REASM_CAP);
	assert_int_equal(policy_reasm_feed(&r, r.next, big, 1),
	    POLICY_REASM_FULL);
	assert_int_equal(r.len, POLICY_REASM_CAP);
	/* Exactly to the cap is full as well. */
	policy_reasm_init(&r, 5);
	assert_int_equal(policy_reasm_feed(&r, 5, big, POLICY_REASM_CAP),
	    POLICY_REASM_FULL);
	/* Sequence numbers wrap at 2^32 (RFC 9293 §3.4). */
	base = 0xfffffffcu;
	policy_reasm_init(&r, base);
	assert_int_equal(policy_reasm_feed(&r, base, (const uint8_t *)"12",
	    2), POLICY_REASM_OK);
	assert_int_equal(policy_reasm_feed(&r, base + 2,
	    (const uint8_t *)"3456", 4), POLICY_REASM_OK);
	assert_int_equal(r.next, 2);
	assert_int_equal(policy_reasm_feed(&r, 0xfffffffdu,
	    (const uint8_t *)"2345", 4), POLICY_REASM_DUP);
	assert_int_equal(policy_reasm_feed(&r, 0xfffffffeu,
	    (const uint8_t *)"34567", 5), POLICY_REASM_OK);
	assert_int_equal(policy_reasm_feed(&r, 4, (const uint8_t *)"9", 1),
	    POLICY_REASM_GAP);
	assert_int_equal(r.len, 7);
	assert_memory_equal(r.data, "1234567", 7);
	/* A segment from far behind (2^31 back) is old, not new. */
	assert_int_equal(policy_reasm_feed(&r, r.next - 0x80000000u,
	    (const uint8_t *)"x", 1), POLICY_REASM_DUP);
	for (i = 0; i < 7; i++)
		assert_int_equal(r.data[i], (uint8_t)"1234567"[i]);
}

/* ---- names and FQDN patterns ---- */

static void
test_name(void **state)
{
	char out[POLICY_HOST_MAX + 1];

	(void)state;
	assert_int_equal(policy_name_norm("A.B-C.d_e.", 10, out), 0);
	assert_string_equal(out, "a.b-c.d_e");
	assert_int_equal(policy_name_norm("a.b", 1, out), 0);	/* len cuts */
	assert_string_equal(out, "a");
	assert_int_equal(policy_name_norm("", 0, out), -1);
	assert_int_equal(policy_name_norm(".", 1, out), -1);
	assert_int_equal(policy_name_norm("a..", 3, out), -1);
	assert_int_equal(policy_name_norm("10.0.0.1", 8, out), -1);
	assert_int_equal(policy_name_norm("host.123", 8, out), -1);
	assert_int_equal(policy_name_norm("123.host", 8, out), 0);
	assert_int_equal(policy_name_norm("3com.com", 8, out), 0);
	assert_true(policy_name_ipv4("192.0.2.1", 9));
	assert_true(policy_name_ipv4("0.0.0.0", 7));
	assert_false(policy_name_ipv4("192.0.2", 7));
	assert_false(policy_name_ipv4("192.0.2.1.5", 11));
	assert_false(policy_name_ipv4("192.0.2.256", 11));
	assert_false(policy_name_ipv4("192.0.02.1", 10));
	assert_false(policy_name_ipv4("192..2.1", 8));
	assert_false(policy_name_ipv4("1922.0.2.1", 10));
	assert_false(policy_name_ipv4("", 0));
}

static void
test_fqdn_pattern(void **state)
{
	char out[POLICY_HOST_MAX + 1];
	const char *why = NULL;
	bool wild;
	static const char *const bad[] = {
		"", "*", "*.", "**.a.com", "*a.com", "a.*.com",
		"autodiscover.*.onmicrosoft.com", "a.com.*", "*.*.a.com",
		"192.0.2.1", "*.192.0.2.1", "a b.com", "https://a.com",
	};
	size_t i;

	(void)state;
	assert_int_equal(policy_fqdn_pattern("*.Contoso.COM", out, &wild,
	    &why), 0);
	assert_true(wild);
	assert_string_equal(out, "contoso.com");
	assert_int_equal(policy_fqdn_pattern("contoso.com.", out, &wild, &why),
	    0);
	assert_false(wild);
	assert_string_equal(out, "contoso.com");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (policy_fqdn_pattern(bad[i], out, &wild, &why) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(why);
	}
	assert_int_equal(policy_fqdn_pattern(NULL, out, &wild, &why), -1);
}

static void
test_fqdn_match(void **state)
{
	struct policy_fqdn_pat p[] = {
		{ "*.contoso.com", 5, 50 },
		{ "contoso.com", 7, 70 },
		{ "www.contoso.com", 9, 90 },
		{ "*.deep.contoso.com", 2, 20 },
		{ "fabrikam.example", 4, 40 },
		{ "FABRIKAM.example.", 3, 30 },	/* duplicate: lower rank kept */
		{ "fabrikam.example", 6, 60 },
		{ "*.com", 8, 80 },
	};
	struct policy_fqdn *f;
	uint32_t rank, val;

	(void)state;
	assert_non_null(f = policy_fqdn_build(p, sizeof(p) / sizeof(p[0])));
	assert_int_equal(policy_fqdn_count(f), 6);
	assert_true(policy_fqdn_bytes(f) > 0);
#define M(h, r, v) do {							\
		assert_true(policy_fqdn_match(f, h, &rank, &val));	\
		assert_int_equal(rank, r);				\
		assert_int_equal(val, v);				\
	} while (0)
	M("contoso.com", 7, 70);		/* exact only, not "*." */
	M("a.contoso.com", 5, 50);
	M("www.contoso.com", 5, 50);		/* the wildcard ranks first */
	M("x.y.z.contoso.com", 5, 50);		/* any depth */
	M("a.deep.contoso.com", 2, 20);		/* a deeper, better rank */
	M("deep.contoso.com", 5, 50);
	M("fabrikam.example", 3, 30);
	M("other.com", 8, 80);
#undef M
	assert_false(policy_fqdn_match(f, "xcontoso.org", &rank, &val));
	assert_false(policy_fqdn_match(f, "sub.fabrikam.example", &rank,
	    &val));
	assert_false(policy_fqdn_match(f, "com", &rank, &val));
	assert_false(policy_fqdn_match(f, "fabrikam.example.org", &rank,
	    &val));
	policy_fqdn_free(f);
	/* A bad pattern fails the build; an empty set matches nothing. */
	p[1].pattern = "a.*.com";
	assert_null(policy_fqdn_build(p, 2));
	assert_non_null(f = policy_fqdn_build(NULL, 0));
	assert_false(policy_fqdn_match(f, "a.com", &rank, &val));
	policy_fqdn_free(f);
}

static void
test_fqdn_many(void **state)
{
	enum { N = 8000 };
	static struct policy_fqdn_pat p[N];
	static char names[N][40];
	struct policy_fqdn *f;
	uint32_t rank, val;
	char h[64];
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "%shost%zu.example%zu.com",
		    i % 2 ? "*." : "", i, i % 97);
		p[i] = (struct policy_fqdn_pat){ names[i], (uint32_t)i,
		    (uint32_t)(i * 3) };
	}
	assert_non_null(f = policy_fqdn_build(p, N));
	assert_int_equal(policy_fqdn_count(f), N);
	for (i = 0; i < N; i++) {
		snprintf(h, sizeof(h), "%shost%zu.example%zu.com",
		    i % 2 ? "a.b." : "", i, i % 97);
		assert_true(policy_fqdn_match(f, h, &rank, &val));
		assert_int_equal(rank, i);
		assert_int_equal(val, i * 3);
		/* the other form does not match */
		snprintf(h, sizeof(h), "%shost%zu.example%zu.com",
		    i % 2 ? "" : "a.", i, i % 97);
		assert_false(policy_fqdn_match(f, h, &rank, &val));
	}
	policy_fqdn_free(f);
}

/* ---- web categories ---- */

static const char wc_text[] =
    "# test categories\n"
    "!category\tSocialNetworking\tSocial networking\tSocial\n"
    "!category\tNews\tNews and media\tGeneral\r\n"
    "\n"
    "example.com\tSocialNetworking\n"
    "news.example.com\tnews\n"		/* case-insensitive name */
    "a.b.c.d.example.org\tNews\n"
    "EXAMPLE.com.\tSocialNetworking\n";	/* the same again: fine */

static void
test_webcat_lookup(void **state)
{
	struct policy_webcat *w;
	char err[256];
	int sn, nw;

	(void)state;
	assert_non_null(w = policy_webcat_parse(wc_text, strlen(wc_text), err,
	    sizeof(err)));
	assert_int_equal(policy_webcat_ncat(w), 2);
	assert_int_equal(policy_webcat_nsuffix(w), 3);
	sn = policy_webcat_find(w, "socialnetworking");
	nw = policy_webcat_find(w, "NEWS");
	assert_int_equal(sn, 0);
	assert_int_equal(nw, 1);
	assert_int_equal(policy_webcat_find(w, "Gambling"), -1);
	assert_string_equal(policy_webcat_cat(w, 1)->display, "News and media");
	assert_string_equal(policy_webcat_cat(w, 1)->group, "General");
	assert_null(policy_webcat_cat(w, 2));
	assert_int_equal(policy_webcat_lookup(w, "example.com"), sn);
	assert_int_equal(policy_webcat_lookup(w, "www.example.com"), sn);
	assert_int_equal(policy_webcat_lookup(w, "news.example.com"), nw);
	assert_int_equal(policy_webcat_lookup(w, "x.y.news.example.com"), nw);
	assert_int_equal(policy_webcat_lookup(w, "oldnews.example.com"), sn);
	assert_int_equal(policy_webcat_lookup(w, "xexample.com"),
	    POLICY_WEBCAT_NONE);
	assert_int_equal(policy_webcat_lookup(w, "com"), POLICY_WEBCAT_NONE);
	assert_int_equal(policy_webcat_lookup(w, "b.c.d.example.org"),
	    POLICY_WEBCAT_NONE);
	assert_int_equal(policy_webcat_lookup(w, "z.a.b.c.d.example.org"), nw);
	policy_webcat_free(w);
}

static void
test_webcat_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} t[] = {
		{ "", "no !category line" },
		{ "# only\n", "no !category line" },
		{ "!category\tA\tA\tG\nx.com\tB\n", "line 2: category B is not "
		    "declared" },
		{ "!category\tA\tA\tG\n!category\ta\tA\tG\n", "line 2: "
		    "category a declared twice" },
		{ "!category\tA B\tA\tG\n", "line 1: expected !category" },
		{ "!category\tA\tA\n", "line 1: expected !category" },
		{ "!category\tA\t\tG\n", "line 1: expected !category" },
		{ "!cat\tA\tA\tG\n", "line 1: expected !category" },
		{ "!category\tA\tA\tG\n#\nbad name\tA\n", "line 3: expected a "
		    "host name" },
		{ "!category\tA\tA\tG\nx.com\n", "line 2: expected a host" },
		{ "!category\tA\tA\tG\nx.com\tA\tB\n", "line 2: expected a "
		    "host" },
		{ "!category\tA\tA\tG\n10.0.0.1\tA\n", "line 2: expected a "
		    "host" },
		{ "!category\tA\tA\tG\n!category\tB\tB\tG\nx.com\tA\n"
		    "X.com\tB\n", "line 4: x.com already has another category" },
	};
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = '\0';
		assert_null(policy_webcat_parse(t[i].text, strlen(t[i].text),
		    err, sizeof(err)));
		if (strstr(err, t[i].msg) == NULL)
			fail_msg("%zu: \"%s\" lacks \"%s\"", i, err, t[i].msg);
	}
	/* A NUL octet, a line too long. */
	assert_null(policy_webcat_parse("!category\tA\tA\tG\nx\0.com\tA\n", 26,
	    err, sizeof(err)));
	assert_non_null(strstr(err, "line 2: NUL"));
	{
		static char longl[2000];

		memset(longl, 'a', sizeof(longl) - 1);
		assert_null(policy_webcat_parse(longl, strlen(longl), err,
		    sizeof(err)));
		assert_non_null(strstr(err, "line 1: longer"));
	}
	assert_null(policy_webcat_load("/nonexistent/webcat.tsv", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/webcat.tsv: cannot open"));
}

/* The shipped file parses and says what it claims. */
static void
test_webcat_shipped(void **state)
{
	const char *src = getenv("BG_SRCDIR");
	char path[1024], err[512];
	struct policy_webcat *w;
	int c;

	(void)state;
	if (src != NULL)
		snprintf(path, sizeof(path), "%s/data/%s", src,
		    POLICY_WEBCAT_FILE);
	else
		snprintf(path, sizeof(path), "%s/%s", BG_DATADIR,
		    POLICY_WEBCAT_FILE);
	w = policy_webcat_load(path, err, sizeof(err));
	if (w == NULL)
		fail_msg("%s", err);
	assert_true(policy_webcat_ncat(w) >= 20);
	assert_true(policy_webcat_nsuffix(w) >= 300);
	assert_true((c = policy_webcat_find(w, "SocialNetworking")) >= 0);
	assert_int_equal(policy_webcat_lookup(w, "www.facebook.com"), c);
	assert_true((c = policy_webcat_find(w, "Gambling")) >= 0);
	assert_int_equal(policy_webcat_lookup(w, "www.bet365.com"), c);
	assert_true((c = policy_webcat_find(w, "ArtificialIntelligence")) >= 0);
	assert_int_equal(policy_webcat_lookup(w, "chat.openai.com"), c);
	assert_int_equal(policy_webcat_lookup(w, "unlisted.example"),
	    POLICY_WEBCAT_NONE);
	policy_webcat_free(w);
}

/* ---- cloud firewall ---- */

static void
test_fw_match(void **state)
{
	static const struct policy_range32 net10 = { 0x0a000000, 0x0affffff };
	static const struct policy_range32 hosts[] = {
		{ 0xc0000201, 0xc0000201 }, { 0xc6336401, 0xc6336410 } };
	static const struct policy_range16 web[] = { { 80, 80 },
		{ 443, 443 } };
	static const struct policy_range16 high = { 1024, 65535 };
	struct policy_fw_rule r[] = {
		/* given out of order: priority decides */
		{ .prio = 300, .block = true, .value = 3 },	/* everything */
		{ .prio = 100, .block = true, .protos = POLICY_FW_TCP,
		    .dst = hosts, .ndst = 2, .dport = web, .ndport = 2,
		    .value = 1 },
		{ .prio = 200, .block = false, .protos = POLICY_FW_UDP,
		    .src = &net10, .nsrc = 1, .sport = &high, .nsport = 1,
		    .value = 2 },
		{ .prio = 150, .block = false, .protos = POLICY_FW_TCP |
		    POLICY_FW_UDP, .dport = &high, .ndport = 1, .value = 4 },
	};
	const struct policy_fw_rule *m;
	struct policy_fw *fw;

	(void)state;
	assert_non_null(fw = policy_fw_build(r, 4));
	assert_int_equal(policy_fw_count(fw), 4);
	assert_true(policy_fw_bytes(fw) > 0);
	/* TCP to a listed host on 443: rule 100 (both fields ANDed, list
	 * entries ORed, a range hit). */
	m = policy_fw_match(fw, 6, 0x0a000001, 5000, 0xc6336405, 443);
	assert_non_null(m);
	assert_int_equal(m->value, 1);
	assert_true(m->block);
	m = policy_fw_match(fw, 6, 0x0a000001, 5000, 0xc0000201, 80);
	assert_int_equal(m->value, 1);
	/* UDP to the same: 100 is TCP only; 150 matches dport 1024+? no
	 * (443), 200 matches (10/8, sport high), allow. */
	m = policy_fw_match(fw, 17, 0x0a000001, 5000, 0xc6336405, 443);
	assert_int_equal(m->value, 2);
	assert_false(m->block);
	/* Host not listed, port 443: falls to 300. */
	m = policy_fw_match(fw, 6, 0x0a000001, 5000, 0xc6336411, 443);
	assert_int_equal(m->value, 3);
	/* dport in the high range: 150 first (both protocols). */
	m = policy_fw_match(fw, 17, 0x0b000001, 53, 0xc6336411, 8080);
	assert_int_equal(m->value, 4);
	m = policy_fw_match(fw, 6, 0x0b000001, 53, 0xc6336411, 8080);
	assert_int_equal(m->value, 4);
	/* UDP from outside 10/8 to a low port: 300. */
	m = policy_fw_match(fw, 17, 0x0b000001, 5000, 0xc6336411, 53);
	assert_int_equal(m->value, 3);
	/* Only TCP and UDP are filtered. */
	assert_null(policy_fw_match(fw, 1, 0x0a000001, 0, 0xc6336405, 0));
	policy_fw_free(fw);
	/* Without the catch-all, no match allows (NULL). */
	assert_non_null(fw = policy_fw_build(r + 1, 1));
	assert_null(policy_fw_match(fw, 6, 0x0a000001, 5000, 0xc6336405, 22));
	assert_null(policy_fw_match(fw, 17, 0x0a000001, 5000, 0xc6336405,
	    443));
	policy_fw_free(fw);
	assert_non_null(fw = policy_fw_build(NULL, 0));
	assert_null(policy_fw_match(fw, 6, 1, 2, 3, 4));
	policy_fw_free(fw);
	assert_null(policy_fw_match(NULL, 6, 1, 2, 3, 4));
}

static void
test_fw_port_parse(void **state)
{
	struct policy_range16 r;
	static const char *const bad[] = {
		"", "-", "80-", "-80", "65536", "080", "1-2-3", "443-80",
		"8 0", "0x50", "123456", "+80", "80 ",
	};
	size_t i;

	(void)state;
	assert_int_equal(policy_fw_port_parse("80", &r), 0);
	assert_int_equal(r.lo, 80);
	assert_int_equal(r.hi, 80);
	assert_int_equal(policy_fw_port_parse("1024-65535", &r), 0);
	assert_int_equal(r.lo, 1024);
	assert_int_equal(r.hi, 65535);
	assert_int_equal(policy_fw_port_parse("0", &r), 0);
	assert_int_equal(policy_fw_port_parse("7-7", &r), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (policy_fw_port_parse(bad[i], &r) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(policy_fw_port_parse(NULL, &r), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sni_openssl),
		cmocka_unit_test(test_sni_built),
		cmocka_unit_test(test_sni_records),
		cmocka_unit_test(test_sni_no_sni),
		cmocka_unit_test(test_sni_malformed),
		cmocka_unit_test(test_sni_not_tls),
		cmocka_unit_test(test_sni_too_big),
		cmocka_unit_test(test_sni_names),
		cmocka_unit_test(test_http_host),
		cmocka_unit_test(test_http_partial),
		cmocka_unit_test(test_http_refused),
		cmocka_unit_test(test_http_too_big),
		cmocka_unit_test(test_reasm),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_fqdn_pattern),
		cmocka_unit_test(test_fqdn_match),
		cmocka_unit_test(test_fqdn_many),
		cmocka_unit_test(test_webcat_lookup),
		cmocka_unit_test(test_webcat_errors),
		cmocka_unit_test(test_webcat_shipped),
		cmocka_unit_test(test_fw_match),
		cmocka_unit_test(test_fw_port_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
