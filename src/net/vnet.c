/*
 * vnet.c - TUN offloads (IFF_VNET_HDR), sans-IO: the ESP worker reads a
 * TCP/UDP super-packet from a tenant TUN and vnet_split() cuts it into
 * MTU-sized packets to seal; on the way back vnet_gro_add() coalesces the
 * opened packets of a batch into super-packets the kernel segments again
 * (or hands to TCP as is). The two are inverses: a merged frame splits back
 * into the very packets that were merged, which is what the unit test and
 * the fuzz target check.
 *
 * Wire facts used here: virtio 1.x §5.1.6 (struct virtio_net_hdr, legacy =
 * native byte order), RFC 791 §3.1 (IPv4), RFC 793 §3.1 (TCP), RFC 768
 * (UDP), RFC 1071 (the checksum). Headers are read through struct buf and
 * written through struct wbuf; the checksum loop is the only code that
 * walks packet bytes itself.
 */
#include "vnet.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define VNET_IP_TCP		6
#define VNET_IP_UDP		17
#define VNET_IP4_HLEN		20	/* RFC 791 §3.1: IHL >= 5 */
#define VNET_IP6_HLEN		40
#define VNET_IP_MF		0x2000
#define VNET_IP_OFFMASK		0x1fff
#define VNET_IP_OFF_LEN		2	/* octet offsets in the IPv4 header */
#define VNET_IP_OFF_ID		4
#define VNET_IP_OFF_CSUM	10
#define VNET_TCP_HLEN		20
#define VNET_TCP_OPT_MAX	40
#define VNET_TCP_OFF_SEQ	4
#define VNET_TCP_OFF_FLAGS	13
#define VNET_TCP_OFF_CSUM	16
#define VNET_UDP_HLEN		8
#define VNET_UDP_OFF_LEN	4
#define VNET_UDP_OFF_CSUM	6
#define VNET_TH_FIN		0x01
#define VNET_TH_PSH		0x08
#define VNET_TH_ACK		0x10
#define VNET_TH_CWR		0x80
#define VNET_FRAME_MAX		(VNET_HDR_LEN + VNET_MAX_PKT)
#define VNET_GRO_FRAMES_MAX	4096

struct vnet_ip4 {
	uint8_t		vihl, tos, ttl, proto;
	uint16_t	tot_len, id, frag, csum;
	uint32_t	src, dst;
	size_t		hlen;
};

/* A TCP or UDP header; the TCP-only fields stay zero for UDP. */
struct vnet_l4 {
	uint16_t	sport, dport;
	uint32_t	seq, ack;
	uint8_t		off, flags;	/* TCP octets 12 and 13 */
	uint16_t	win, csum, urg;
	uint16_t	ulen;
	size_t		hlen;
	size_t		plen;		/* payload octets */
};

/* ---- header and checksums ---- */

void
vnet_hdr_get(struct vnet_hdr *h, const uint8_t p[VNET_HDR_LEN])
{
	h->flags = p[0];
	h->gso_type = p[1];
	memcpy(&h->hdr_len, &p[2], sizeof(h->hdr_len));
	memcpy(&h->gso_size, &p[4], sizeof(h->gso_size));
	memcpy(&h->csum_start, &p[6], sizeof(h->csum_start));
	memcpy(&h->csum_offset, &p[8], sizeof(h->csum_offset));
}

void
vnet_hdr_put(uint8_t p[VNET_HDR_LEN], const struct vnet_hdr *h)
{
	p[0] = h->flags;
	p[1] = h->gso_type;
	memcpy(&p[2], &h->hdr_len, sizeof(h->hdr_len));
	memcpy(&p[4], &h->gso_size, sizeof(h->gso_size));
	memcpy(&p[6], &h->csum_start, sizeof(h->csum_start));
	memcpy(&p[8], &h->csum_offset, sizeof(h->csum_offset));
}

uint16_t
vnet_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint32_t
vnet_fold64(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

static bool
vnet_little_endian(void)
{
	const uint16_t one = 1;
	uint8_t first;

	memcpy(&first, &one, 1);
	return first == 1;
}

/*
 * RFC 1071 §2 (B), (C): the one's complement sum does not depend on byte
 * order and may be taken over wider words, folding the carries at the end.
 * So: native 64-bit loads summed as two 32-bit halves into a 64-bit
 * accumulator (no carry is lost below 16 GiB), folded to 16 bits and
 * swapped once if the machine is little-endian.
 */
uint32_t
vnet_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t acc = 0, w0, w1, w2, w3;
	uint32_t w32;
	uint16_t w16;
	size_t i = 0, even = len & ~(size_t)1;

	for (; even - i >= 32; i += 32) {
		memcpy(&w0, p + i, 8);
		memcpy(&w1, p + i + 8, 8);
		memcpy(&w2, p + i + 16, 8);
		memcpy(&w3, p + i + 24, 8);
		acc += (w0 & 0xffffffff) + (w0 >> 32) + (w1 & 0xffffffff) +
		    (w1 >> 32) + (w2 & 0xffffffff) + (w2 >> 32) +
		    (w3 & 0xffffffff) + (w3 >> 32);
	}
	for (; even - i >= 8; i += 8) {
		memcpy(&w0, p + i, 8);
		acc += (w0 & 0xffffffff) + (w0 >> 32);
	}
	if (even - i >= 4) {
		memcpy(&w32, p + i, 4);
		acc += w32;
		i += 4;
	}
	if (even - i >= 2) {
		memcpy(&w16, p + i, 2);
		acc += w16;
	}
	acc = vnet_fold64(acc);
	if (vnet_little_endian())
		acc = ((acc & 0xff) << 8) | (acc >> 8);
	if (len & 1)
		acc += (uint64_t)p[len - 1] << 8;
	return vnet_fold64(acc + sum);
}

/* RFC 793 §3.1, RFC 768: source, destination, zero + protocol, length. */
static uint32_t
vnet_pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t l4len)
{
	return vnet_fold64((uint64_t)(src >> 16) + (src & 0xffff) +
	    (dst >> 16) + (dst & 0xffff) + proto + l4len);
}

/* ---- parsing ---- */

/* b covers exactly the len octets of the packet; leaves it after the
 * IPv4 header. */
static int
vnet_ip4_parse(struct buf *b, size_t len, struct vnet_ip4 *ip)
{
	if (buf_get_u8(b, &ip->vihl) == -1 || buf_get_u8(b, &ip->tos) == -1 ||
	    buf_get_u16(b, &ip->tot_len) == -1 ||
	    buf_get_u16(b, &ip->id) == -1 || buf_get_u16(b, &ip->frag) == -1 ||
	    buf_get_u8(b, &ip->ttl) == -1 || buf_get_u8(b, &ip->proto) == -1 ||
	    buf_get_u16(b, &ip->csum) == -1 || buf_get_u32(b, &ip->src) == -1 ||
	    buf_get_u32(b, &ip->dst) == -1)
		return -1;
	ip->hlen = (size_t)(ip->vihl & 0x0f) * 4;
	/* RFC 791 §3.1: IHL counts 32-bit words, at least 5; Total Length
	 * covers header and data, which must be all we were given. */
	if (ip->vihl >> 4 != 4 || ip->hlen < VNET_IP4_HLEN ||
	    ip->tot_len != len || buf_skip(b, ip->hlen - VNET_IP4_HLEN) == -1)
		return -1;
	return 0;
}

/* RFC 793 §3.1; b is left at the payload, opt at the options. */
static int
vnet_tcp_parse(struct buf *b, struct vnet_l4 *t, const uint8_t **opt)
{
	memset(t, 0, sizeof(*t));
	if (buf_get_u16(b, &t->sport) == -1 ||
	    buf_get_u16(b, &t->dport) == -1 || buf_get_u32(b, &t->seq) == -1 ||
	    buf_get_u32(b, &t->ack) == -1 || buf_get_u8(b, &t->off) == -1 ||
	    buf_get_u8(b, &t->flags) == -1 || buf_get_u16(b, &t->win) == -1 ||
	    buf_get_u16(b, &t->csum) == -1 || buf_get_u16(b, &t->urg) == -1)
		return -1;
	/* Data Offset: header length in 32-bit words, at least 5. */
	t->hlen = (size_t)(t->off >> 4) * 4;
	if (t->hlen < VNET_TCP_HLEN ||
	    buf_peek_ptr(b, t->hlen - VNET_TCP_HLEN, opt) == -1)
		return -1;
	t->plen = buf_left(b);
	return 0;
}

/* RFC 768. The Length field is not trusted here; callers check it. */
static int
vnet_udp_parse(struct buf *b, struct vnet_l4 *u)
{
	memset(u, 0, sizeof(*u));
	if (buf_get_u16(b, &u->sport) == -1 ||
	    buf_get_u16(b, &u->dport) == -1 || buf_get_u16(b, &u->ulen) == -1 ||
	    buf_get_u16(b, &u->csum) == -1)
		return -1;
	u->hlen = VNET_UDP_HLEN;
	u->plen = buf_left(b);
	return 0;
}

/* ---- split (read side) ---- */

/*
 * One segment: the super-packet's IP header with its own total length,
 * ID and checksum, then its TCP/UDP header with the segment's sequence
 * number, flags or length, then the payload, and the full transport
 * checksum over the pseudo-header (RFC 793 §3.1, RFC 768).
 */
static int
vnet_seg_build(uint8_t *seg, size_t seglen, const struct vnet_ip4 *ip,
    const uint8_t *iph, const struct vnet_l4 *l4, const uint8_t *l4h,
    const uint8_t *pay, size_t n, uint16_t id, uint32_t seq, uint8_t flags)
{
	struct wbuf w;
	const uint8_t *h, *t;
	size_t l4len = l4->hlen + n;
	uint16_t c;
	int errs = 0;

	wbuf_init(&w, seg, seglen);
	errs += wbuf_add_bytes(&w, iph, ip->hlen);
	errs += wbuf_add_bytes(&w, l4h, l4->hlen);
	errs += wbuf_add_bytes(&w, pay, n);
	errs += wbuf_set_u16_at(&w, VNET_IP_OFF_LEN, (uint16_t)seglen);
	errs += wbuf_set_u16_at(&w, VNET_IP_OFF_ID, id);
	errs += wbuf_set_u16_at(&w, VNET_IP_OFF_CSUM, 0);
	if (ip->proto == VNET_IP_TCP) {
		errs += wbuf_set_u32_at(&w, ip->hlen + VNET_TCP_OFF_SEQ, seq);
		errs += wbuf_set_u8_at(&w, ip->hlen + VNET_TCP_OFF_FLAGS,
		    flags);
		errs += wbuf_set_u16_at(&w, ip->hlen + VNET_TCP_OFF_CSUM, 0);
	} else {
		errs += wbuf_set_u16_at(&w, ip->hlen + VNET_UDP_OFF_LEN,
		    (uint16_t)l4len);
		errs += wbuf_set_u16_at(&w, ip->hlen + VNET_UDP_OFF_CSUM, 0);
	}
	if (errs != 0 || (h = wbuf_ptr_at(&w, 0, ip->hlen)) == NULL ||
	    (t = wbuf_ptr_at(&w, ip->hlen, l4len)) == NULL)
		return -1;
	c = (uint16_t)~vnet_csum_fold(vnet_csum_add(0, h, ip->hlen));
	errs += wbuf_set_u16_at(&w, VNET_IP_OFF_CSUM, c);
	c = (uint16_t)~vnet_csum_fold(vnet_csum_add(vnet_pseudo(ip->src,
	    ip->dst, ip->proto, l4len), t, l4len));
	if (ip->proto == VNET_IP_TCP)
		errs += wbuf_set_u16_at(&w, ip->hlen + VNET_TCP_OFF_CSUM, c);
	else	/* RFC 768: a computed zero is sent as all ones */
		errs += wbuf_set_u16_at(&w, ip->hlen + VNET_UDP_OFF_CSUM,
		    c == 0 ? 0xffff : c);
	return errs == 0 ? 0 : -1;
}

/* n packets of at most `last` octets for the last one fit in out. */
static int
vnet_out_fits(size_t n, size_t last, size_t out_cap, size_t stride,
    size_t max_segs)
{
	if (n > max_segs || n - 1 > out_cap / stride ||
	    last > out_cap - (n - 1) * stride)
		return -1;
	return 0;
}

static int
vnet_split_gso(const struct vnet_hdr *h, const uint8_t *pkt, size_t len,
    unsigned mtu, uint8_t *out, size_t out_cap, size_t stride,
    struct vnet_seg *segs, size_t max_segs)
{
	struct buf b;
	struct wbuf view;
	struct vnet_ip4 ip;
	struct vnet_l4 l4;
	const uint8_t *iph, *l4h, *opt, *pay;
	uint8_t proto, flags;
	uint16_t csum_off;
	size_t gso = h->gso_size, hl, nseg, i, n;

	if ((h->gso_type & ~VNET_GSO_ECN) == VNET_GSO_TCPV4) {
		proto = VNET_IP_TCP;
		csum_off = VNET_TCP_OFF_CSUM;
	} else if (h->gso_type == VNET_GSO_UDP_L4) {
		proto = VNET_IP_UDP;
		csum_off = VNET_UDP_OFF_CSUM;
	} else
		return -1;

	buf_init(&b, pkt, len);
	if (vnet_ip4_parse(&b, len, &ip) == -1 || ip.proto != proto ||
	    (ip.frag & (VNET_IP_MF | VNET_IP_OFFMASK)) != 0)
		return -1;
	if (proto == VNET_IP_TCP ? vnet_tcp_parse(&b, &l4, &opt) == -1 :
	    vnet_udp_parse(&b, &l4) == -1)
		return -1;
	/* virtio §5.1.6.2 (Packet Transmission): a GSO packet comes with
	 * NEEDS_CSUM pointing at the transport checksum; anything else is
	 * not what the kernel sends, so we do not guess. */
	if ((h->flags & VNET_F_NEEDS_CSUM) == 0 || h->csum_start != ip.hlen ||
	    h->csum_offset != csum_off || gso == 0)
		return -1;
	hl = ip.hlen + l4.hlen;
	nseg = l4.plen == 0 ? 1 : (l4.plen + gso - 1) / gso;
	n = l4.plen < gso ? l4.plen : gso;
	if (hl + n > mtu || vnet_out_fits(nseg, hl + l4.plen - (nseg - 1) *
	    gso, out_cap, stride, max_segs) == -1)
		return -1;

	buf_init(&b, pkt, len);
	if (buf_peek_ptr(&b, ip.hlen, &iph) == -1 ||
	    buf_peek_ptr(&b, l4.hlen, &l4h) == -1)
		return -1;
	wbuf_init(&view, out, out_cap);
	view.len = out_cap;
	for (i = 0; i < nseg; i++) {
		n = i + 1 < nseg ? gso : l4.plen - i * gso;
		if (buf_peek_ptr(&b, n, &pay) == -1)
			return -1;
		/* RFC 793 §3.1 and the kernel's TSO: FIN and PSH belong to
		 * the last segment, CWR (RFC 3168 §6.1.2) to the first. */
		flags = l4.flags;
		if (i > 0)
			flags &= (uint8_t)~VNET_TH_CWR;
		if (i + 1 < nseg)
			flags &= (uint8_t)~(VNET_TH_FIN | VNET_TH_PSH);
		segs[i].len = (uint16_t)(hl + n);
		if ((segs[i].pkt = wbuf_ptr_at(&view, i * stride, hl + n)) ==
		    NULL || vnet_seg_build(segs[i].pkt, hl + n, &ip, iph, &l4,
		    l4h, pay, n, (uint16_t)(ip.id + i),
		    (uint32_t)(l4.seq + i * gso), flags) == -1)
			return -1;
	}
	return (int)nseg;
}

/* A packet as it is; with NEEDS_CSUM its checksum is completed the way
 * the kernel's skb_checksum_help() does (virtio §5.1.6.2: sum from
 * csum_start to the end, stored at csum_start + csum_offset). */
static int
vnet_split_one(const struct vnet_hdr *h, const uint8_t *pkt, size_t len,
    unsigned mtu, uint8_t *out, size_t out_cap, struct vnet_seg *segs)
{
	struct wbuf w;
	const uint8_t *p;
	size_t start = h->csum_start, off = h->csum_offset;
	uint16_t c;

	if (len > mtu || len > out_cap)
		return -1;
	wbuf_init(&w, out, out_cap);
	if (wbuf_add_bytes(&w, pkt, len) == -1)
		return -1;
	if (h->flags & VNET_F_NEEDS_CSUM) {
		if (start > len || off > len - start || len - start - off < 2 ||
		    (p = wbuf_ptr_at(&w, start, len - start)) == NULL)
			return -1;
		c = (uint16_t)~vnet_csum_fold(vnet_csum_add(0, p, len - start));
		if (wbuf_set_u16_at(&w, start + off, c == 0 ? 0xffff : c) == -1)
			return -1;
	}
	segs[0].pkt = out;
	segs[0].len = (uint16_t)len;
	return 1;
}

int
vnet_split(const uint8_t *frame, size_t frame_len, unsigned mtu,
    uint8_t *out, size_t out_cap, size_t stride, struct vnet_seg *segs,
    size_t max_segs)
{
	struct buf b;
	struct vnet_hdr h;
	uint8_t raw[VNET_HDR_LEN];
	const uint8_t *pkt;
	size_t len;

	if (out == NULL || segs == NULL || max_segs == 0 || stride < mtu ||
	    stride == 0 || frame_len > VNET_FRAME_MAX)
		return -1;
	buf_init(&b, frame, frame_len);
	if (buf_get_bytes(&b, raw, sizeof(raw)) == -1)
		return -1;
	vnet_hdr_get(&h, raw);
	len = buf_left(&b);
	if (len == 0 || buf_peek_ptr(&b, len, &pkt) == -1 ||
	    (h.flags & ~(VNET_F_NEEDS_CSUM | VNET_F_DATA_VALID)) != 0)
		return -1;
	if (h.gso_type == VNET_GSO_NONE)
		return vnet_split_one(&h, pkt, len, mtu, out, out_cap, segs);
	return vnet_split_gso(&h, pkt, len, mtu, out, out_cap, stride, segs,
	    max_segs);
}

/* ---- coalescing (write side) ---- */

/*
 * Storage: one arena. A new frame is a zero virtio header and the packet,
 * appended; a merged packet adds only its payload, in place when its frame
 * is the newest thing in the arena (one bulk flow: the frame stays one
 * piece), else as a further chunk that vnet_gro_frame() gathers.
 */
struct vnet_chunk {
	uint32_t	off, len;
	int32_t		next;
};

struct vnet_frame {
	int		tag;
	uint32_t	len;		/* header + packet(s) so far */
	int32_t		first, last;	/* chunks */
	uint16_t	npkts;
	uint16_t	gso;		/* the first packet's payload */
	uint16_t	last_id;
	uint32_t	next_seq;
	bool		keyed, open, psh, final;
	struct vnet_ip4	ip;		/* the first packet's headers */
	struct vnet_l4	l4;
	uint8_t		opt[VNET_TCP_OPT_MAX];
};

struct vnet_gro {
	uint8_t			*store, *scratch;
	size_t			 cap, used;
	struct vnet_frame	*f;
	unsigned		 nf, max_frames;
	struct vnet_chunk	*c;
	size_t			 nc, max_chunks;
	int32_t			*bucket;	/* flow hash -> newest frame */
	size_t			 mask;
};

/* One packet offered to vnet_gro_add(), parsed. */
struct vnet_pkt {
	const uint8_t	*pkt, *opt, *pay;
	size_t		 len;
	struct vnet_ip4	 ip;
	struct vnet_l4	 l4;
	bool		 keyed, mergeable;
};

int
vnet_gro_new(struct vnet_gro **gp, size_t cap, unsigned max_frames)
{
	struct vnet_gro *g;
	size_t nb = 16;

	*gp = NULL;
	if (cap < VNET_FRAME_MAX || cap > UINT32_MAX || max_frames == 0 ||
	    max_frames > VNET_GRO_FRAMES_MAX)
		return -1;
	while (nb < 4 * (size_t)max_frames)
		nb *= 2;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -1;
	g->cap = cap;
	g->max_frames = max_frames;
	/* Every chunk is a frame or one merged packet: this is enough. */
	g->max_chunks = (size_t)max_frames * VNET_GRO_MAX_SEGS;
	g->mask = nb - 1;
	if ((g->store = malloc(cap)) == NULL ||
	    (g->scratch = malloc(VNET_FRAME_MAX)) == NULL ||
	    (g->f = calloc(max_frames, sizeof(*g->f))) == NULL ||
	    (g->c = calloc(g->max_chunks, sizeof(*g->c))) == NULL ||
	    (g->bucket = calloc(nb, sizeof(*g->bucket))) == NULL)
		goto fail;
	vnet_gro_reset(g);
	*gp = g;
	return 0;
fail:
	vnet_gro_free(g);
	return -1;
}

void
vnet_gro_free(struct vnet_gro *g)
{
	if (g == NULL)
		return;
	free(g->store);
	free(g->scratch);
	free(g->f);
	free(g->c);
	free(g->bucket);
	free(g);
}

void
vnet_gro_reset(struct vnet_gro *g)
{
	g->nf = 0;
	g->used = 0;
	g->nc = 0;
	memset(g->bucket, 0xff, (g->mask + 1) * sizeof(*g->bucket));
}

unsigned
vnet_gro_count(const struct vnet_gro *g)
{
	return g->nf;
}

/* Arena octets [off, off + n) for writing; NULL if out of range. */
static uint8_t *
vnet_gro_at(struct vnet_gro *g, size_t off, size_t n)
{
	struct wbuf view;

	wbuf_init(&view, g->store, g->cap);
	view.len = g->cap;
	return wbuf_ptr_at(&view, off, n);
}

/*
 * May this packet be merged at all? It must come back unchanged from
 * segmentation: no IP options or fragments, payload, only ACK (+ PSH) for
 * TCP, a UDP length that matches, and checksums that verify in the form
 * the segmentation computes (TCP and IP never 0xffff, since a sum that
 * includes the version octet or protocol 6 cannot fold to zero; UDP never
 * zero).
 */
static bool
vnet_gro_candidate(const struct vnet_pkt *p)
{
	struct buf b;
	const uint8_t *iph, *l4;
	size_t l4len = p->len - p->ip.hlen;

	if (p->ip.hlen != VNET_IP4_HLEN ||
	    (p->ip.frag & (VNET_IP_MF | VNET_IP_OFFMASK)) != 0 ||
	    p->l4.plen == 0 || p->ip.csum == 0xffff)
		return false;
	if (p->ip.proto == VNET_IP_TCP) {
		if ((p->l4.flags & (uint8_t)~VNET_TH_PSH) != VNET_TH_ACK ||
		    p->l4.csum == 0xffff)
			return false;
	} else if (p->l4.ulen != l4len || p->l4.csum == 0)
		return false;
	buf_init(&b, p->pkt, p->len);
	if (buf_peek_ptr(&b, p->ip.hlen, &iph) == -1 ||
	    buf_peek_ptr(&b, l4len, &l4) == -1)
		return false;
	return vnet_csum_fold(vnet_csum_add(0, iph, p->ip.hlen)) == 0xffff &&
	    vnet_csum_fold(vnet_csum_add(vnet_pseudo(p->ip.src, p->ip.dst,
	    p->ip.proto, l4len), l4, l4len)) == 0xffff;
}

static int
vnet_gro_parse(const uint8_t *pkt, size_t len, struct vnet_pkt *p)
{
	struct buf b;
	uint8_t v;
	uint16_t plen;
	int r;

	memset(p, 0, sizeof(*p));
	p->pkt = pkt;
	p->len = len;
	buf_init(&b, pkt, len);
	if (buf_get_u8(&b, &v) == -1 || len > VNET_MAX_PKT)
		return -1;
	if (v >> 4 == 6) {
		/* RFC 8200 §3: Payload Length excludes the fixed header. */
		if (buf_skip(&b, 3) == -1 || buf_get_u16(&b, &plen) == -1 ||
		    len < VNET_IP6_HLEN || plen != len - VNET_IP6_HLEN)
			return -1;
		return 0;
	}
	buf_init(&b, pkt, len);
	if (vnet_ip4_parse(&b, len, &p->ip) == -1)
		return -1;
	/* Later fragments carry no ports: no flow to keep in order. */
	if ((p->ip.frag & VNET_IP_OFFMASK) != 0)
		return 0;
	if (p->ip.proto == VNET_IP_TCP)
		r = vnet_tcp_parse(&b, &p->l4, &p->opt);
	else if (p->ip.proto == VNET_IP_UDP)
		r = vnet_udp_parse(&b, &p->l4);
	else
		return 0;
	if (r == -1 || buf_peek_ptr(&b, p->l4.plen, &p->pay) == -1)
		return 0;
	p->keyed = true;
	p->mergeable = vnet_gro_candidate(p);
	return 0;
}

static size_t
vnet_gro_hash(const struct vnet_gro *g, const struct vnet_ip4 *ip,
    const struct vnet_l4 *l4, int tag)
{
	uint64_t h;

	h = ((uint64_t)ip->src << 32 | ip->dst) * 0x9e3779b97f4a7c15ULL;
	h ^= ((uint64_t)l4->sport << 24 | (uint64_t)l4->dport << 8 |
	    ip->proto) + (uint32_t)tag * 0xff51afd7ULL;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return (size_t)(h >> 32) & g->mask;
}

static bool
vnet_gro_same_flow(const struct vnet_frame *f, const struct vnet_pkt *p,
    int tag)
{
	return f->keyed && f->tag == tag && f->ip.proto == p->ip.proto &&
	    f->ip.src == p->ip.src && f->ip.dst == p->ip.dst &&
	    f->l4.sport == p->l4.sport && f->l4.dport == p->l4.dport;
}

/*
 * Is p exactly the next segment vnet_split() would cut from f once p is
 * added? Every header field it copies from the first packet must be
 * equal; the ID, sequence number and length are the ones it computes.
 */
static bool
vnet_gro_follows(const struct vnet_frame *f, const struct vnet_pkt *p)
{
	const struct vnet_ip4 *a = &f->ip, *b = &p->ip;
	const struct vnet_l4 *s = &f->l4, *t = &p->l4;

	if (a->vihl != b->vihl || a->tos != b->tos || a->frag != b->frag ||
	    a->ttl != b->ttl || b->id != (uint16_t)(f->last_id + 1))
		return false;
	if (t->plen > f->gso || f->npkts >= VNET_GRO_MAX_SEGS ||
	    f->len + t->plen > VNET_FRAME_MAX)
		return false;
	if (b->proto == VNET_IP_UDP)
		return true;
	return t->seq == f->next_seq && t->ack == s->ack && t->off == s->off &&
	    t->win == s->win && t->urg == s->urg &&
	    memcmp(f->opt, p->opt, t->hlen - VNET_TCP_HLEN) == 0;
}

static int
vnet_gro_append(struct vnet_gro *g, struct vnet_frame *f,
    const struct vnet_pkt *p)
{
	struct vnet_chunk *c = &g->c[f->last];
	size_t n = p->l4.plen;
	uint8_t *dst;

	if (n > g->cap - g->used || (dst = vnet_gro_at(g, g->used, n)) == NULL)
		return -1;
	if (c->off + c->len != g->used) {
		if (g->nc == g->max_chunks)
			return -1;
		c->next = (int32_t)g->nc;
		f->last = (int32_t)g->nc;
		c = &g->c[g->nc++];
		c->off = (uint32_t)g->used;
		c->len = 0;
		c->next = -1;
	}
	memcpy(dst, p->pay, n);
	c->len += (uint32_t)n;
	g->used += n;
	f->len += (uint32_t)n;
	f->npkts++;
	f->last_id = p->ip.id;
	f->next_seq = p->l4.seq + (uint32_t)n;
	/* Only the last segment may be short or carry PSH. */
	if (n < f->gso)
		f->open = false;
	if (p->ip.proto == VNET_IP_TCP && (p->l4.flags & VNET_TH_PSH)) {
		f->psh = true;
		f->open = false;
	}
	return 0;
}

static int
vnet_gro_start(struct vnet_gro *g, const struct vnet_pkt *p, int tag,
    int32_t *slot)
{
	struct vnet_frame *f;
	struct vnet_chunk *c;
	struct wbuf w;
	size_t need = VNET_HDR_LEN + p->len;
	uint8_t *dst;

	if (g->nf == g->max_frames || g->nc == g->max_chunks ||
	    need > g->cap - g->used ||
	    (dst = vnet_gro_at(g, g->used, need)) == NULL)
		return -1;
	wbuf_init(&w, dst, need);
	if (wbuf_add_zero(&w, VNET_HDR_LEN) == -1 ||
	    wbuf_add_bytes(&w, p->pkt, p->len) == -1)
		return -1;
	c = &g->c[g->nc];
	c->off = (uint32_t)g->used;
	c->len = (uint32_t)need;
	c->next = -1;
	f = &g->f[g->nf];
	memset(f, 0, sizeof(*f));
	f->tag = tag;
	f->len = (uint32_t)need;
	f->first = f->last = (int32_t)g->nc;
	f->npkts = 1;
	f->keyed = p->keyed;
	f->ip = p->ip;
	f->l4 = p->l4;
	if (p->mergeable) {
		f->open = !(p->ip.proto == VNET_IP_TCP &&
		    (p->l4.flags & VNET_TH_PSH));
		f->gso = (uint16_t)p->l4.plen;
		f->last_id = p->ip.id;
		f->next_seq = p->l4.seq + (uint32_t)p->l4.plen;
		if (p->l4.hlen > VNET_TCP_HLEN)
			memcpy(f->opt, p->opt, p->l4.hlen - VNET_TCP_HLEN);
	}
	if (slot != NULL)
		*slot = (int32_t)g->nf;
	g->nc++;
	g->nf++;
	g->used += need;
	return 0;
}

int
vnet_gro_add(struct vnet_gro *g, const uint8_t *pkt, size_t len, int tag)
{
	struct vnet_pkt p;
	struct vnet_frame *f = NULL;
	int32_t *slot = NULL;

	if (vnet_gro_parse(pkt, len, &p) == -1)
		return -1;
	if (p.keyed) {
		slot = &g->bucket[vnet_gro_hash(g, &p.ip, &p.l4, tag)];
		if (*slot >= 0)
			f = &g->f[*slot];
		/* Only the newest frame of the flow may grow: anything
		 * else would reorder the flow. */
		if (f != NULL && f->open && p.mergeable &&
		    vnet_gro_same_flow(f, &p, tag) && vnet_gro_follows(f, &p))
			return vnet_gro_append(g, f, &p);
	}
	return vnet_gro_start(g, &p, tag, slot);
}

/*
 * What the kernel takes from a TUN writer (tun_get_user ->
 * virtio_net_hdr_to_skb): NEEDS_CSUM at the transport checksum, which
 * holds the folded pseudo-header sum over the whole frame's length; the
 * IPv4 header complete, since ip_rcv() checks its checksum.
 */
static int
vnet_gro_finalize(struct vnet_gro *g, struct vnet_frame *f)
{
	struct vnet_chunk *c = &g->c[f->first];
	struct vnet_hdr h;
	struct wbuf w;
	uint8_t raw[VNET_HDR_LEN], *p, *iph;
	size_t iplen = f->len - VNET_HDR_LEN, ip0 = VNET_HDR_LEN,
	    l40 = VNET_HDR_LEN + VNET_IP4_HLEN;
	bool tcp = f->ip.proto == VNET_IP_TCP;
	int errs = 0;

	memset(&h, 0, sizeof(h));
	h.flags = VNET_F_NEEDS_CSUM;
	h.gso_type = tcp ? VNET_GSO_TCPV4 : VNET_GSO_UDP_L4;
	h.hdr_len = (uint16_t)(VNET_IP4_HLEN + f->l4.hlen);
	h.gso_size = f->gso;
	h.csum_start = VNET_IP4_HLEN;
	h.csum_offset = tcp ? VNET_TCP_OFF_CSUM : VNET_UDP_OFF_CSUM;
	vnet_hdr_put(raw, &h);
	if ((p = vnet_gro_at(g, c->off, c->len)) == NULL)
		return -1;
	wbuf_init(&w, p, c->len);
	errs += wbuf_add_bytes(&w, raw, sizeof(raw));
	w.len = c->len;
	errs += wbuf_set_u16_at(&w, ip0 + VNET_IP_OFF_LEN, (uint16_t)iplen);
	errs += wbuf_set_u16_at(&w, ip0 + VNET_IP_OFF_CSUM, 0);
	if (errs != 0 || (iph = wbuf_ptr_at(&w, ip0, VNET_IP4_HLEN)) == NULL)
		return -1;
	errs += wbuf_set_u16_at(&w, ip0 + VNET_IP_OFF_CSUM, (uint16_t)
	    ~vnet_csum_fold(vnet_csum_add(0, iph, VNET_IP4_HLEN)));
	if (tcp)
		errs += wbuf_set_u8_at(&w, l40 + VNET_TCP_OFF_FLAGS,
		    (uint8_t)(f->l4.flags | (f->psh ? VNET_TH_PSH : 0)));
	else
		errs += wbuf_set_u16_at(&w, l40 + VNET_UDP_OFF_LEN,
		    (uint16_t)(iplen - VNET_IP4_HLEN));
	errs += wbuf_set_u16_at(&w, l40 + h.csum_offset, vnet_csum_fold(
	    vnet_pseudo(f->ip.src, f->ip.dst, f->ip.proto,
	    iplen - VNET_IP4_HLEN)));
	return errs == 0 ? 0 : -1;
}

const uint8_t *
vnet_gro_frame(struct vnet_gro *g, unsigned i, size_t *len, int *tag,
    unsigned *npkts)
{
	struct vnet_frame *f;
	struct vnet_chunk *c;
	struct wbuf w;
	const uint8_t *p;
	int32_t k;

	if (i >= g->nf)
		return NULL;
	f = &g->f[i];
	f->open = false;
	if (f->npkts > 1 && !f->final) {
		if (vnet_gro_finalize(g, f) == -1)
			return NULL;
		f->final = true;
	}
	*len = f->len;
	*tag = f->tag;
	*npkts = f->npkts;
	c = &g->c[f->first];
	if (f->first == f->last)
		return vnet_gro_at(g, c->off, c->len);
	wbuf_init(&w, g->scratch, VNET_FRAME_MAX);
	for (k = f->first; k >= 0; k = g->c[k].next) {
		c = &g->c[k];
		if ((p = vnet_gro_at(g, c->off, c->len)) == NULL ||
		    wbuf_add_bytes(&w, p, c->len) == -1)
			return NULL;
	}
	return wbuf_len(&w) == f->len ? g->scratch : NULL;
}
