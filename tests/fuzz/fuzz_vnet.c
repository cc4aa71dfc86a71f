/*
 * fuzz_vnet.c - libFuzzer target for the TUN offloads (net/vnet.c).
 *
 * The input is used twice. First as one read(2) from a TUN: virtio header
 * and packet, handed to vnet_split(); what comes out must lie in its slots,
 * and the segments of a GSO frame must carry a right IP total length and
 * IP and TCP/UDP checksums. Then as records [ctl][len, 2 octets BE][bytes]
 * for vnet_gro_add() (ctl bit 0: set the IPv4 total length, bit 1: fix
 * the IPv4 header checksum, bit 2: fix the TCP/UDP checksum, so merges are
 * reachable; bits 4-5: the tag). Every frame then read must be a zero
 * header and one of the packets added, or a GSO frame that vnet_split()
 * cuts back into packets that were added, byte for byte; and a valid
 * packet refused for want of room must fit after a reset.
 *
 * Seeds (corpus/fuzz_vnet/): compile this file with -DFUZZ_VNET_GEN against
 * bgcore and run it with the corpus directory as argument.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_bytes.h"
#include "vnet.h"

#define FZ_MTU		1500
#define FZ_PKTMAX	8192		/* stride when re-splitting frames */
#define FZ_FRAMES	16
#define FZ_INMAX	(1 << 20)
#define FZ_PENDMAX	(FZ_FRAMES * VNET_GRO_MAX_SEGS)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct vnet_gro	*fz_g;
static uint8_t		 fz_out[VNET_GRO_MAX_SEGS * FZ_PKTMAX];
static struct vnet_seg	 fz_segs[VNET_GRO_MAX_SEGS];
static uint8_t		 fz_arena[FZ_INMAX];
static const uint8_t	*fz_pend[FZ_PENDMAX];
static size_t		 fz_plen[FZ_PENDMAX];
static bool		 fz_used[FZ_PENDMAX];
static size_t		 fz_npend;

/* A segment vnet_split() cut from a GSO frame. */
static void
fz_check_segment(const uint8_t *p, size_t len)
{
	size_t ihl;

	if (len < 20 || p[0] >> 4 != 4)
		abort();
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len || tb_get16(p + 2) != len ||
	    tb_sum(0, p, ihl) != 0xffff ||
	    tb_sum(tb_pseudo(p, len - ihl), p + ihl, len - ihl) != 0xffff)
		abort();
	if (p[9] == 17 && (len - ihl < 8 || tb_get16(p + ihl + 4) !=
	    len - ihl || tb_get16(p + ihl + 6) == 0))
		abort();
}

static void
fz_split_input(const uint8_t *data, size_t size)
{
	struct vnet_hdr h;
	int n, i;

	n = vnet_split(data, size, FZ_MTU, fz_out, sizeof(fz_out), FZ_PKTMAX,
	    fz_segs, VNET_GRO_MAX_SEGS);
	if (n == -1)
		return;
	if (n < 1 || n > VNET_GRO_MAX_SEGS || size < VNET_HDR_LEN)
		abort();
	vnet_hdr_get(&h, data);
	for (i = 0; i < n; i++) {
		if (fz_segs[i].pkt != fz_out + (size_t)i * FZ_PKTMAX ||
		    fz_segs[i].len == 0 || fz_segs[i].len > FZ_MTU)
			abort();
		if (h.gso_type != VNET_GSO_NONE)
			fz_check_segment(fz_segs[i].pkt, fz_segs[i].len);
	}
	if (h.gso_type == VNET_GSO_NONE && (n != 1 || fz_segs[0].len !=
	    size - VNET_HDR_LEN))
		abort();
}

/* Mark the first unmatched pending packet equal to p; abort if none. */
static void
fz_match(const uint8_t *p, size_t len)
{
	size_t k;

	for (k = 0; k < fz_npend; k++)
		if (!fz_used[k] && fz_plen[k] == len &&
		    memcmp(fz_pend[k], p, len) == 0) {
			fz_used[k] = true;
			return;
		}
	abort();
}

/* Every frame is packets that were added, and all of them. */
static void
fz_drain(void)
{
	static const uint8_t zero[VNET_HDR_LEN];
	const uint8_t *f;
	size_t len, k, total = 0;
	unsigned i, np;
	int tag, n, j;

	for (i = 0; i < vnet_gro_count(fz_g); i++) {
		if ((f = vnet_gro_frame(fz_g, i, &len, &tag, &np)) == NULL ||
		    len <= VNET_HDR_LEN || np < 1 || np > VNET_GRO_MAX_SEGS)
			abort();
		total += np;
		if (np == 1) {
			if (memcmp(f, zero, VNET_HDR_LEN) != 0)
				abort();
			fz_match(f + VNET_HDR_LEN, len - VNET_HDR_LEN);
			continue;
		}
		n = vnet_split(f, len, FZ_PKTMAX, fz_out, sizeof(fz_out),
		    FZ_PKTMAX, fz_segs, VNET_GRO_MAX_SEGS);
		if (n != (int)np)
			abort();
		for (j = 0; j < n; j++)
			fz_match(fz_segs[j].pkt, fz_segs[j].len);
	}
	if (vnet_gro_frame(fz_g, i, &len, &tag, &np) != NULL ||
	    total != fz_npend)
		abort();
	for (k = 0; k < fz_npend; k++)
		if (!fz_used[k])
			abort();
	vnet_gro_reset(fz_g);
	fz_npend = 0;
}

static bool
fz_valid_ip(const uint8_t *p, size_t len)
{
	size_t ihl;

	if (len < 1 || len > VNET_MAX_PKT)
		return false;
	if (p[0] >> 4 == 6)
		return len >= 40 && tb_get16(p + 4) == len - 40;
	if (p[0] >> 4 != 4 || len < 20)
		return false;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	return ihl >= 20 && ihl <= len && tb_get16(p + 2) == len;
}

static void
fz_fixup(uint8_t *p, size_t len, uint8_t ctl)
{
	size_t ihl, off;

	if (len < 20 || p[0] >> 4 != 4)
		return;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ctl & 1)
		tb_put16(p + 2, (uint16_t)len);
	if ((ctl & 4) && ihl >= 20 && ihl <= len && (p[9] == 6 ||
	    p[9] == 17)) {
		off = p[9] == 6 ? 16 : 6;
		if (len - ihl >= off + 2) {
			if (p[9] == 17 && len - ihl >= 8)
				tb_put16(p + ihl + 4, (uint16_t)(len - ihl));
			tb_put16(p + ihl + off, 0);
			tb_put16(p + ihl + off, (uint16_t)~tb_sum(tb_pseudo(p,
			    len - ihl), p + ihl, len - ihl));
			if (p[9] == 17 && tb_get16(p + ihl + off) == 0)
				tb_put16(p + ihl + off, 0xffff);
		}
	}
	if ((ctl & 2) && ihl >= 20 && ihl <= len) {
		tb_put16(p + 10, 0);
		tb_put16(p + 10, (uint16_t)~tb_sum(0, p, ihl));
	}
}

static void
fz_gro_records(const uint8_t *data, size_t size)
{
	size_t off = 0, used = 0, len;
	uint8_t ctl, *p;
	int tag;

	while (size - off >= 3) {
		ctl = data[off];
		len = tb_get16(data + off + 1);
		off += 3;
		if (len > size - off)
			len = size - off;
		if (len > FZ_PKTMAX)	/* so merged frames split at FZ_PKTMAX */
			len = FZ_PKTMAX;
		if (len > sizeof(fz_arena) - used)
			break;
		p = fz_arena + used;
		memcpy(p, data + off, len);
		off += len;
		used += len;
		fz_fixup(p, len, ctl);
		tag = (ctl >> 4) & 3;
		if (vnet_gro_add(fz_g, p, len, tag) == -1) {
			/* no room, or not a packet: after a reset a valid
			 * one must fit */
			fz_drain();
			if (vnet_gro_add(fz_g, p, len, tag) == -1) {
				if (fz_valid_ip(p, len))
					abort();
				continue;
			}
		} else if (!fz_valid_ip(p, len))
			abort();
		if (fz_npend == FZ_PENDMAX)
			abort();
		fz_pend[fz_npend] = p;
		fz_plen[fz_npend] = len;
		fz_used[fz_npend++] = false;
	}
	fz_drain();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fz_g == NULL && vnet_gro_new(&fz_g, 4 * (VNET_HDR_LEN +
	    VNET_MAX_PKT), FZ_FRAMES) == -1)
		abort();
	if (size > FZ_INMAX)
		return 0;
	fz_split_input(data, size);
	fz_gro_records(data, size);
	return 0;
}

#ifdef FUZZ_VNET_GEN
/* A TCP (opt = 12: timestamps) or UDP packet with valid checksums. */
static size_t
gen_pkt(uint8_t *p, uint8_t proto, uint16_t sport, uint32_t seq,
    uint16_t id, size_t opt, size_t plen, uint8_t flags)
{
	size_t thl = proto == 6 ? 20 + opt : 8, tot = 20 + thl + plen, i;
	uint8_t *t = p + 20;

	memset(p, 0, tot);
	p[0] = 0x45;
	tb_put16(p + 2, (uint16_t)tot);
	tb_put16(p + 4, id);
	p[6] = 0x40;
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, "\x0a\x00\x00\x01\xc0\xa8\x01\x02", 8);
	tb_put16(t, sport);
	tb_put16(t + 2, 443);
	if (proto == 6) {
		t[4] = (uint8_t)(seq >> 24);
		t[5] = (uint8_t)(seq >> 16);
		t[6] = (uint8_t)(seq >> 8);
		t[7] = (uint8_t)seq;
		t[11] = 1;
		t[12] = (uint8_t)(thl / 4 << 4);
		t[13] = flags;
		t[14] = 2;
		if (opt == 12)
			memcpy(t + 20, "\x01\x01\x08\x0a\x00\x00\x00\x2a"
			    "\x00\x00\x00\x07", 12);
	}
	for (i = 0; i < plen; i++)
		t[thl + i] = (uint8_t)(seq + i);
	fz_fixup(p, tot, 7);
	return tot;
}

static int
gen_write(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

static size_t
gen_record(uint8_t *rec, uint8_t ctl, const uint8_t *p, size_t n)
{
	rec[0] = ctl;
	tb_put16(rec + 1, (uint16_t)n);
	memcpy(rec + 3, p, n);
	return 3 + n;
}

/* Seeds: frames for the split half (made by vnet_gro, so realistic), and
 * record streams for the coalescing half. */
int
main(int argc, char **argv)
{
	static uint8_t pkt[2048], rec[1 << 16];
	struct vnet_hdr h;
	const uint8_t *f;
	size_t len, n, i;
	unsigned np;
	int tag, err = 0;
	uint8_t proto;

	if (argc != 2 || vnet_gro_new(&fz_g, 1 << 20, 16) == -1)
		return 2;
	for (proto = 6; proto <= 17; proto += 11) {
		vnet_gro_reset(fz_g);
		for (i = 0; i < 4; i++) {
			len = gen_pkt(pkt, proto, 1000, (uint32_t)(100 + 300 *
			    i), (uint16_t)(7 + i), 12, i < 3 ? 300 : 120,
			    i < 3 ? 0x10 : 0x18);
			if (vnet_gro_add(fz_g, pkt, len, 0) == -1)
				return 1;
		}
		if ((f = vnet_gro_frame(fz_g, 0, &len, &tag, &np)) == NULL ||
		    np != 4)
			return 1;
		err |= gen_write(argv[1], proto == 6 ? "split-tcp" :
		    "split-udp", f, len);
	}
	/* a packet as is; one with its checksum to complete */
	memset(&h, 0, sizeof(h));
	vnet_hdr_put(rec, &h);
	len = gen_pkt(rec + VNET_HDR_LEN, 6, 1, 1, 1, 0, 64, 0x18);
	err |= gen_write(argv[1], "split-plain", rec, VNET_HDR_LEN + len);
	h.flags = VNET_F_NEEDS_CSUM;
	h.csum_start = 20;
	h.csum_offset = 6;
	vnet_hdr_put(rec, &h);
	len = gen_pkt(rec + VNET_HDR_LEN, 17, 1, 1, 1, 0, 64, 0);
	err |= gen_write(argv[1], "split-csum", rec, VNET_HDR_LEN + len);

	/* two TCP flows interleaved, then UDP with a short last one */
	for (n = 0, i = 0; i < 8; i++) {
		len = gen_pkt(pkt, 6, (uint16_t)(2000 + i % 2), (uint32_t)(500 *
		    (i / 2)), (uint16_t)(i / 2), 12, 500, 0x10);
		n += gen_record(rec + n, 0, pkt, len);
	}
	err |= gen_write(argv[1], "gro-tcp", rec, n);
	for (n = 0, i = 0; i < 5; i++) {
		len = gen_pkt(pkt, 17, 3000, (uint32_t)i, (uint16_t)(40 + i),
		    0, i < 4 ? 200 : 50, 0);
		n += gen_record(rec + n, 0x10, pkt, len);
	}
	err |= gen_write(argv[1], "gro-udp", rec, n);
	/* records asking for fix-ups, with a PSH, a FIN and an IPv6 one */
	for (n = 0, i = 0; i < 6; i++) {
		len = gen_pkt(pkt, 6, 4000, (uint32_t)(100 * i), (uint16_t)i, 0,
		    100, i == 2 ? 0x18 : i == 5 ? 0x11 : 0x10);
		pkt[10] = pkt[11] = 0;
		n += gen_record(rec + n, 0x07, pkt, len);
	}
	memset(pkt, 0, 48);
	pkt[0] = 0x60;
	pkt[5] = 8;
	pkt[6] = 59;
	n += gen_record(rec + n, 0, pkt, 48);
	err |= gen_write(argv[1], "gro-mixed", rec, n);
	vnet_gro_free(fz_g);
	return err == 0 ? 0 : 1;
}
#endif
