/*
 * vnet.h - TUN offloads, sans-IO. With IFF_VNET_HDR every read from and
 * write to a TUN carries a virtio-net header (struct virtio_net_hdr, 10
 * octets, native byte order for a legacy TUN) in front of the IP packet.
 * That lets the kernel hand us one TCP or UDP "super-packet" of up to 64 KiB
 * instead of ~45 MTU-sized ones (TSO/USO on read), and take one from us
 * (GRO-like coalescing on write): one system call instead of dozens, which
 * is where a userspace data plane spends its time (docs/dataplane.md).
 *
 *   read(TUN)  -> vnet_split()   -> MTU-sized IPv4 packets, checksums done
 *                                   -> ESP seal each
 *   ESP open   -> vnet_gro_add() -> vnet_gro_frame(i) -> write(TUN) each
 *
 * Only IPv4 (the tenant TUNs are IPv4); anything else passes through
 * vnet_gro as a frame of its own and is refused by vnet_split when it asks
 * for segmentation. Nothing here trusts a length: the header and the IP and
 * TCP/UDP headers are checked against the bytes there are.
 */
#ifndef VNET_H
#define VNET_H

#include <stddef.h>
#include <stdint.h>

#define VNET_HDR_LEN	10		/* sizeof(struct virtio_net_hdr) */
#define VNET_MAX_PKT	65535		/* IPv4 total length limit */

/* virtio 1.x §5.1.6 (linux/virtio_net.h values). */
#define VNET_F_NEEDS_CSUM	1
#define VNET_F_DATA_VALID	2
#define VNET_GSO_NONE		0
#define VNET_GSO_TCPV4		1
#define VNET_GSO_UDP_L4		5
#define VNET_GSO_ECN		0x80	/* TCP with CWR set in the first segment */

/* Segments per coalesced frame at most: the kernel refuses a GSO_UDP_L4
 * write of more than UDP_MAX_SEGMENTS (64); TCP uses the same bound. */
#define VNET_GRO_MAX_SEGS	64

struct vnet_hdr {
	uint8_t		flags;
	uint8_t		gso_type;
	uint16_t	hdr_len;
	uint16_t	gso_size;
	uint16_t	csum_start;
	uint16_t	csum_offset;
};

/* Native byte order, as a legacy (non-virtio-1.0) TUN reads and writes it. */
void	vnet_hdr_get(struct vnet_hdr *, const uint8_t p[VNET_HDR_LEN]);
void	vnet_hdr_put(uint8_t p[VNET_HDR_LEN], const struct vnet_hdr *);

/*
 * RFC 1071 Internet checksum helpers (folded, not complemented).
 * vnet_csum_add returns sum plus the 16-bit big-endian words of p, folded
 * to 16 bits; an odd last octet counts as its word's high half, so every
 * chunk but the last one of a running sum must have an even length.
 */
uint32_t vnet_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t vnet_csum_fold(uint32_t sum);

/* One packet of vnet_split()'s output: a complete IPv4 packet in out[]. */
struct vnet_seg {
	uint8_t		*pkt;
	uint16_t	 len;
};

/*
 * frame/frame_len: what one read(2) from the TUN returned (header + packet).
 * Writes each resulting IPv4 packet, at most mtu octets long, into out
 * (consecutively, each starting at a multiple of `stride` octets from out,
 * stride >= mtu) and describes them in segs[]. GSO_TCPV4 / GSO_UDP_L4
 * super-packets are cut at gso_size with per-segment IP total length, IP ID
 * (+1 each), IP checksum, TCP sequence number, flags (FIN/PSH only on the
 * last, CWR only on the first) and full TCP/UDP checksums; a NEEDS_CSUM
 * packet without GSO gets its checksum completed; others are copied as they
 * are. Returns the number of packets (>= 1), or -1: malformed header or
 * packet, unsupported gso_type, or more than max_segs / out_cap.
 * For GSO the header must say NEEDS_CSUM with csum_start = IP header length
 * and csum_offset = 16 (TCP) / 6 (UDP); hdr_len is ignored (a hint only),
 * the transport checksums are computed from scratch. A segment (headers +
 * gso_size), or a plain packet, longer than mtu is refused, not re-cut.
 */
int	vnet_split(const uint8_t *frame, size_t frame_len, unsigned mtu,
	    uint8_t *out, size_t out_cap, size_t stride,
	    struct vnet_seg *segs, size_t max_segs);

/*
 * Coalescing for writes. Packets are added in arrival order, each with an
 * opaque tag (the TUN fd it goes to); a packet joins the newest pending frame
 * of its flow and tag when it is the exact continuation (TCP: same 4-tuple,
 * TOS, TTL, DF, ACK number, window, urgent pointer and options, sequence =
 * previous end, IP ID +1, only ACK/PSH flags, equal segment sizes with a
 * shorter or PSH segment closing the frame; UDP: same 4-tuple, TOS, TTL,
 * DF, IP ID +1, equal sizes, a shorter one closing it), the frame stays
 * <= VNET_MAX_PKT and VNET_GRO_MAX_SEGS segments. Otherwise it starts a new
 * frame. In short: merged packets are exactly what vnet_split() (and the
 * kernel's segmentation) gives back from the frame, byte for byte. So IP
 * IDs must go up by one even with DF (a virtio header cannot say "fixed
 * IDs"), and only packets whose IP and TCP/UDP checksums verify are merged
 * (the kernel recomputes a merged frame's checksum, which would hide a
 * corrupt one; a zero UDP checksum would come back computed): others go
 * out as they are, for the receiver to judge. Merged frames are emitted as
 * GSO with NEEDS_CSUM and the pseudo-header sum in the checksum field,
 * single packets with a zero header, as the kernel expects from a TUN
 * writer. IP options, fragments, and non-TCP/UDP protocols are never
 * merged; IPv6 packets are frames of their own.
 */
struct vnet_gro;

/* cap: octets of frame storage (>= VNET_HDR_LEN + VNET_MAX_PKT);
 * max_frames: frames pending at most. */
int	vnet_gro_new(struct vnet_gro **, size_t cap, unsigned max_frames);
void	vnet_gro_free(struct vnet_gro *);
/* 0 on success; -1 if there is no room (flush and add again) or the packet
 * is neither IPv4 with total length == len nor IPv6 with payload length
 * == len - 40 (dropped: count it). Nothing is allocated here. */
int	vnet_gro_add(struct vnet_gro *, const uint8_t *pkt, size_t len, int tag);
unsigned vnet_gro_count(const struct vnet_gro *);
/* Frame i (0 .. count-1, in creation order): header + packet, ready for
 * write(2), its length and its packet count; NULL if i >= count. Finalizes
 * the IP and transport headers of merged frames on first call, after
 * which the frame takes no more packets. The pointer is valid until the
 * next vnet_gro_frame() or vnet_gro_reset() call (a frame whose packets
 * were interleaved with other flows' is gathered into one scratch area). */
const uint8_t *vnet_gro_frame(struct vnet_gro *, unsigned i, size_t *len,
	    int *tag, unsigned *npkts);
/* Forget every pending frame (after they were written). */
void	vnet_gro_reset(struct vnet_gro *);

#endif
