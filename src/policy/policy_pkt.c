/*
 * policy_pkt.c - header fields in, block packets out (policy_pkt.h).
 * Wire facts: RFC 791 §3.1 (IPv4), RFC 9293 §3.1 (TCP), RFC 768 (UDP),
 * RFC 792 (ICMP echo), RFC 1071 (the checksum, vnet_csum_add).
 */
#include "policy_pkt.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "vnet.h"

#define IP4_DF		0x4000
#define IP4_MF		0x2000
#define IP4_OFF		0x1fff
#define IP4_TTL		64
#define ICMP_ECHO_REPLY	0
#define ICMP_ECHO	8

static enum policy_pkt_res
pkt_tcp(struct buf *l4, struct policy_pkt_hdr *h)
{
	uint8_t doff, flags;
	size_t hlen;

	if (buf_get_u16(l4, &h->sport) == -1 ||
	    buf_get_u16(l4, &h->dport) == -1 ||
	    buf_get_u32(l4, &h->seq) == -1 || buf_get_u32(l4, &h->ack) == -1 ||
	    buf_get_u8(l4, &doff) == -1 || buf_get_u8(l4, &flags) == -1)
		return POLICY_PKT_MALFORMED;
	/* §3.1: Data Offset counts 32-bit words, at least five. */
	hlen = (size_t)(doff >> 4) * 4;
	if (hlen < 20 || buf_skip(l4, hlen - 14) == -1)
		return POLICY_PKT_MALFORMED;
	h->tcp_flags = flags & 0x3f;
	return POLICY_PKT_OK;
}

enum policy_pkt_res
policy_pkt_parse(const uint8_t *ip, size_t len, struct policy_pkt_hdr *h)
{
	struct buf b, l4;
	uint8_t vhl, proto, type;
	uint16_t total, frag;
	size_t hlen;

	memset(h, 0, sizeof(*h));
	buf_init(&b, ip, len);
	if (buf_get_u8(&b, &vhl) == -1 || buf_skip(&b, 1) == -1 ||
	    buf_get_u16(&b, &total) == -1 || buf_skip(&b, 2) == -1 ||
	    buf_get_u16(&b, &frag) == -1 || buf_skip(&b, 1) == -1 ||
	    buf_get_u8(&b, &proto) == -1 || buf_skip(&b, 2) == -1 ||
	    buf_get_u32(&b, &h->src) == -1 || buf_get_u32(&b, &h->dst) == -1)
		return POLICY_PKT_MALFORMED;
	hlen = (size_t)(vhl & 0x0f) * 4;
	if (vhl >> 4 != 4 || hlen < 20 || total < hlen || total > len)
		return POLICY_PKT_MALFORMED;
	buf_init(&b, ip, total);
	if (buf_skip(&b, hlen) == -1 ||
	    buf_get_sub(&b, total - hlen, &l4) == -1)
		return POLICY_PKT_MALFORMED;
	h->proto = proto;
	h->ip_len = total;
	h->frag = (frag & (IP4_MF | IP4_OFF)) != 0;
	if ((frag & IP4_OFF) != 0) {
		/* RFC 1858 §3: offset 1 (8 octets) overlaps the TCP flags. */
		if (proto == POLICY_PKT_TCP && (frag & IP4_OFF) == 1)
			return POLICY_PKT_MALFORMED;
		h->later_frag = true;
		return POLICY_PKT_OK;
	}
	switch (proto) {
	case POLICY_PKT_TCP:
		if (pkt_tcp(&l4, h) != POLICY_PKT_OK)
			return POLICY_PKT_MALFORMED;
		break;
	case POLICY_PKT_UDP:
		if (buf_get_u16(&l4, &h->sport) == -1 ||
		    buf_get_u16(&l4, &h->dport) == -1 || buf_skip(&l4, 4) == -1)
			return POLICY_PKT_MALFORMED;
		break;
	case POLICY_PKT_ICMP:
		if (buf_get_u8(&l4, &type) == -1 || buf_skip(&l4, 3) == -1)
			return POLICY_PKT_MALFORMED;
		/* An echo's identifier tells its exchanges apart (RFC 792). */
		if ((type == ICMP_ECHO || type == ICMP_ECHO_REPLY) &&
		    buf_get_u16(&l4, &h->sport) == -1)
			return POLICY_PKT_MALFORMED;
		buf_init(&l4, NULL, 0);
		break;
	default:
		buf_init(&l4, NULL, 0);
		break;
	}
	h->pay_len = buf_left(&l4);
	if (h->pay_len > 0 && buf_peek_ptr(&l4, h->pay_len, &h->pay) == -1)
		return POLICY_PKT_MALFORMED;
	return POLICY_PKT_OK;
}

size_t
policy_pkt_tcp(uint8_t *out, size_t cap, const struct policy_pkt_tcp *t)
{
	struct wbuf w;
	size_t total = POLICY_PKT_TCP_HDRS + t->len;
	uint32_t sum;
	uint8_t *p;

	if (total > 0xffff || total > cap)
		return 0;
	wbuf_init(&w, out, cap);
	/* RFC 791 §3.1; id 0 is fine with DF set (RFC 6864 §4.1). */
	wbuf_add_u8(&w, 0x45);
	wbuf_add_u8(&w, 0);
	wbuf_add_u16(&w, (uint16_t)total);
	wbuf_add_u16(&w, 0);
	wbuf_add_u16(&w, IP4_DF);
	wbuf_add_u8(&w, IP4_TTL);
	wbuf_add_u8(&w, POLICY_PKT_TCP);
	wbuf_add_u16(&w, 0);			/* checksum, below */
	wbuf_add_u32(&w, t->src);
	wbuf_add_u32(&w, t->dst);
	/* RFC 9293 §3.1 */
	wbuf_add_u16(&w, t->sport);
	wbuf_add_u16(&w, t->dport);
	wbuf_add_u32(&w, t->seq);
	wbuf_add_u32(&w, t->ack);
	wbuf_add_u8(&w, 5 << 4);
	wbuf_add_u8(&w, t->flags);
	wbuf_add_u16(&w, t->win);
	wbuf_add_u16(&w, 0);			/* checksum, below */
	wbuf_add_u16(&w, 0);			/* urgent pointer */
	if (t->len > 0)
		wbuf_add_bytes(&w, t->data, t->len);
	if (w.err || wbuf_len(&w) != total)
		return 0;
	wbuf_set_u16_at(&w, 10,
	    (uint16_t)~vnet_csum_fold(vnet_csum_add(0, out, 20)));
	/* The pseudo-header: addresses, zero, protocol, TCP length (§3.1). */
	sum = (t->src >> 16) + (t->src & 0xffff) + (t->dst >> 16) +
	    (t->dst & 0xffff) + POLICY_PKT_TCP + (uint32_t)(total - 20);
	if ((p = wbuf_ptr_at(&w, 20, total - 20)) == NULL)
		return 0;
	wbuf_set_u16_at(&w, 36,
	    (uint16_t)~vnet_csum_fold(vnet_csum_add(vnet_csum_fold(sum), p,
	    total - 20)));
	return w.err ? 0 : total;
}

/* Printable text only: a name must not end the head or fake a header. */
static void
pkt_clean(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < cap && src != NULL && src[i] != '\0'; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ?
		    '?' : src[i];
	dst[i] = '\0';
}

size_t
policy_pkt_block_page(uint8_t *out, size_t cap, const char *policy,
    const char *host)
{
	char body[640], pol[257], hst[254];
	struct wbuf w;
	char head[160];
	int bn, hn;

	pkt_clean(pol, sizeof(pol), policy != NULL && policy[0] != '\0' ?
	    policy : "security policy");
	pkt_clean(hst, sizeof(hst), host);
	bn = snprintf(body, sizeof(body),
	    "Blocked\r\n\r\nAccess to %s is blocked by the policy \"%s\" "
	    "of your organization.\r\n", hst, pol);
	if (bn < 0 || (size_t)bn >= sizeof(body))
		return 0;
	hn = snprintf(head, sizeof(head),
	    "HTTP/1.1 403 Forbidden\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: %d\r\n"
	    "Cache-Control: no-store\r\n"
	    "Connection: close\r\n\r\n", bn);
	if (hn < 0 || (size_t)hn >= sizeof(head))
		return 0;
	wbuf_init(&w, out, cap);
	wbuf_add_bytes(&w, head, (size_t)hn);
	wbuf_add_bytes(&w, body, (size_t)bn);
	return w.err ? 0 : wbuf_len(&w);
}
