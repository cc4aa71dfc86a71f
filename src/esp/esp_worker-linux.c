/*
 * esp_worker-linux.c - esp_worker.h with epoll, recvmmsg/sendmmsg and
 * pthreads. Each worker has its buffers allocated once at start; the
 * per-packet path only parses, looks up (RCU), seals/opens, and makes
 * batched syscalls. Counters are per worker, single writer, read racily
 * (relaxed atomics) by the control thread.
 *
 * Offloads, so that a system call moves tens of packets: the NAT-T sockets
 * have UDP_GRO (a read returns a train of datagrams of one flow), the TUN
 * queues speak vnet.h (reads may be 64 KiB TSO/USO super-packets, cut by
 * vnet_split(); decrypted packets are coalesced by vnet_gro and written as
 * one GSO frame per flow and batch), and sealed packets leave through
 * esp_txq as UDP GSO messages. Raw ESP (protocol 50) has its
 * own section; it shares the receive path from the SPI on (w_esp_in) and
 * the send queue (esp_txq.h) with ESP-in-UDP.
 */
#include "esp_worker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <urcu/urcu-memb.h>

#include "buf.h"
#include "esp_in.h"
#include "esp_ip.h"
#include "esp_out.h"
#include "esp_sa.h"
#include "esp_table.h"
#include "esp_txq.h"
#include "esp_wire.h"
#include "log.h"
#include "lpm.h"
#include "model_traffic.h"
#include "monotime.h"
#include "policy_flow.h"
#include "policy_ring.h"
#include "policy_snap.h"
#include "policy_table.h"
#include "rawesp.h"
#include "udp.h"
#include "vnet.h"

#define W_RMSG		32		/* messages per recvmmsg */
#define W_RBUF		65536		/* a datagram, or a GRO train of them */
#define W_BUF		2048		/* one ESP packet or one inner segment */
#define W_INNER_MAX	(W_BUF - 128)	/* leaves room for the ESP overhead */
#define W_TUNBUF	(VNET_HDR_LEN + VNET_MAX_PKT)
#define W_SEGS		VNET_GRO_MAX_SEGS	/* packets of one TUN read */
#define W_TUN_READS	16		/* TUN reads per round */
#define W_TX_SLOTS	256		/* sealed packets per flush */
#define W_GRO_CAP	(8 * W_TUNBUF)	/* coalesced frames pending */
#define W_GRO_FRAMES	128
#define W_ROUNDS	8		/* batches per readiness event: stay fair */
#define W_EVENTS	64
/* struct policy_flows_stats is all uint64_t: published word by word. */
#define W_PST_N		(sizeof(struct policy_flows_stats) / sizeof(uint64_t))
#define W_TAG_SOCK	UINT64_C(0xffffffff00000000)
#define W_TAG_RAW	UINT64_C(0x100)		/* with W_TAG_SOCK: raw socket k */
#define W_TAG_HAND	UINT64_C(0x200)		/* with W_TAG_SOCK: hand-offs */
#define W_TAG_STOP	UINT64_C(0xffffffffffffffff)
#define IP4_HDR_MIN	20

struct w_ctr {
	_Atomic uint64_t rx_esp, rx_bytes, tx_esp, tx_bytes, rx_ike,
			rx_keepalive, rx_raw, tx_raw, drop[ESP_WD_MAX];
};

union w_cmsg {
	char		 buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr	 align;
};

struct esp_worker {
	struct esp_workers	*ws;
	unsigned		 id;
	pthread_t		 th;
	bool			 started;
	int			 ep;
	int			 sock[ESP_WORKERS_ENDPOINTS];
	int			 raw[ESP_WORKERS_ENDPOINTS];	/* -1: none */
	int			 hand[2];	/* [0] read: ESP of our SPIs */
	uint32_t		 sock_ip[ESP_WORKERS_ENDPOINTS];
	struct w_ctr		 ctr;

	/* Receive: W_RMSG buffers of W_RBUF, sources, GRO segment sizes. */
	uint8_t			*rx;
	struct mmsghdr		 rmsg[W_RMSG];
	struct iovec		 riov[W_RMSG];
	struct sockaddr_in	 rfrom[W_RMSG];
	union w_cmsg		 rcm[W_RMSG];
	struct vnet_gro		*gro;		/* decrypted, for the TUNs */

	/* Send: one TUN read, its segments, the sealed packets. */
	uint8_t			*tunbuf;
	uint8_t			*seg;		/* W_SEGS * W_BUF */
	struct vnet_seg		 segs[W_SEGS];
	struct esp_txq		*txq;

	/* Security policy on decrypted packets; NULL without a policy table. */
	struct policy_flows	*flows;
	struct policy_ring	*ring;		/* finished flows, to the gw */
	monotime_t		 next_tick;
	/* The flow table's counters, published each tick for other threads. */
	_Atomic uint64_t	 pst[W_PST_N];
};

struct esp_workers {
	struct esp_workers_cfg	 cfg;
	uint32_t		 ips[ESP_WORKERS_ENDPOINTS];
	uint16_t		 ports[ESP_WORKERS_ENDPOINTS];
	size_t			 nips;
	int			 stop_fd;
	unsigned		 n;
	bool			 raw;		/* raw ESP sockets open */
	struct esp_worker	*w;
};

static const char *const w_drop_names[ESP_WD_MAX] = {
	[ESP_WD_RUNT] = "runt",
	[ESP_WD_UNKNOWN_SPI] = "unknown-spi",
	[ESP_WD_NO_TENANT] = "no-tenant",
	[ESP_WD_ESP_IN] = "esp-in",
	[ESP_WD_NOT_IPV4] = "not-ipv4",
	[ESP_WD_TUN_WRITE] = "tun-write",
	[ESP_WD_NO_ROUTE] = "no-route",
	[ESP_WD_NO_SA] = "no-sa",
	[ESP_WD_NO_RAW] = "no-raw",
	[ESP_WD_ESP_OUT] = "esp-out",
	[ESP_WD_SEND] = "send",
	[ESP_WD_IKE_HANDOFF] = "ike-handoff",
	[ESP_WD_RAW_HDR] = "raw-hdr",
	[ESP_WD_TUN_FRAME] = "tun-frame",
	[ESP_WD_HANDOFF] = "handoff",
	[ESP_WD_SPOOFED] = "spoofed-source",
	[ESP_WD_UNASSIGNED] = "unassigned-profile",
	[ESP_WD_POLICY] = "policy",
	[ESP_WD_BYPASS] = "bypass",
};

const char *
esp_worker_drop_name(enum esp_worker_drop d)
{
	return (unsigned)d < ESP_WD_MAX ? w_drop_names[d] : "?";
}

/* Single writer: a plain load + store, no locked instruction. */
static inline void
w_add(_Atomic uint64_t *c, uint64_t v)
{
	atomic_store_explicit(c, atomic_load_explicit(c,
	    memory_order_relaxed) + v, memory_order_relaxed);
}

/* The SPI of an ESP packet (esp_udp_classify() saw at least 8 octets). */
static uint32_t
w_spi(const uint8_t *pkt, size_t len)
{
	struct buf b;
	uint32_t spi = 0;

	buf_init(&b, pkt, len);
	(void)buf_get_u32(&b, &spi);
	return spi;
}

/* RFC 791 §3.1: version 4 and the destination address; -1 otherwise. */
static int
w_ip4_dst(const uint8_t *pkt, size_t len, uint32_t *dst)
{
	struct buf b;
	uint8_t vhl;

	buf_init(&b, pkt, len);
	if (len < IP4_HDR_MIN || buf_get_u8(&b, &vhl) == -1 ||
	    (vhl >> 4) != 4 || buf_skip(&b, 15) == -1 ||
	    buf_get_u32(&b, dst) == -1)
		return -1;
	return 0;
}

/* --- UDP side: ESP in -------------------------------------------------------- */

static void
w_ike_handoff(struct esp_worker *w, unsigned si, const struct sockaddr_in *from,
    const uint8_t *pkt, size_t len)
{
	struct esp_worker_ike h;
	struct iovec iov[2];
	struct msghdr mh;

	w_add(&w->ctr.rx_ike, 1);
	if (w->ws->cfg.ike_fd == -1) {
		w_add(&w->ctr.drop[ESP_WD_IKE_HANDOFF], 1);
		return;
	}
	memset(&h, 0, sizeof(h));
	h.local_ip = w->sock_ip[si];
	h.local_port = w->ws->ports[si];
	h.remote_ip = ntohl(from->sin_addr.s_addr);
	h.remote_port = ntohs(from->sin_port);
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)(uintptr_t)pkt;
	iov[1].iov_len = len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	if (sendmsg(w->ws->cfg.ike_fd, &mh, MSG_DONTWAIT) == -1)
		w_add(&w->ctr.drop[ESP_WD_IKE_HANDOFF], 1);
}

/*
 * Everything the coalescer holds goes to its TUN queue, one write per frame.
 * Called before leaving the RCU read side: the fds are the snapshot's.
 */
static void
w_tun_flush(struct esp_worker *w)
{
	const uint8_t *f;
	unsigned i, n = vnet_gro_count(w->gro), np;
	size_t len;
	int fd;

	for (i = 0; i < n; i++) {
		if ((f = vnet_gro_frame(w->gro, i, &len, &fd, &np)) == NULL)
			continue;
		if (write(fd, f, len) == (ssize_t)len)
			w_add(&w->ctr.rx_esp, np);
		else
			w_add(&w->ctr.drop[ESP_WD_TUN_WRITE], np);
	}
	vnet_gro_reset(w->gro);
}

static void w_tx_flush(struct esp_worker *);
static void w_seal_on(struct esp_worker *, const struct esp_snap_link *,
    const uint8_t *, size_t, monotime_t);

/*
 * The forwarding profiles and the security policy on one decrypted
 * packet (docs/policy.md): 0 to deliver it, -1 when it is dropped
 * (counted). A block answers the branch through the link's SA (RST or
 * the HTTP block page) and the server through the tenant TUN (RST).
 */
static int
w_policy(struct esp_worker *w, const struct esp_snap *s,
    const struct esp_snap_in *e, const struct esp_snap_tenant *tn,
    const uint8_t *ip, size_t len, monotime_t now)
{
	const struct policy_root *pr;
	const struct policy_snap *snap;
	const struct esp_snap_link *l;
	struct policy_flow_out out;
	struct policy_pkt pp;
	uint32_t dst, v;
	int tt;

	if (e->link >= s->nlinks)
		return 0;
	l = &s->links[e->link];
	if (!(l->profiles & ESP_PROF_ENFORCE))
		return 0;
	dst = (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 |
	    (uint32_t)ip[18] << 8 | ip[19];
	/*
	 * Not internet traffic: the gateway itself (BGP, BFD, ping) and,
	 * with --branch-transit, the tenant's other branches.
	 */
	if (dst == l->gw_local[0] || (l->gw_local[1] != 0 &&
	    dst == l->gw_local[1]) || esp_snap_route(s, tn, dst) != NULL)
		return 0;
	pr = policy_table_root(w->ws->cfg.policy);
	snap = e->tenant < POLICY_TABLE_SLOTS ? pr->snap[e->tenant] : NULL;
	/*
	 * Evaluation order Microsoft 365, then Internet Access (system-facts
	 * §3.5). A bypassed destination should have stayed at the branch
	 * (its route was withdrawn or rendered local, docs/bgp.md): drop and
	 * count it, and a Microsoft 365 bypass is not picked up by Internet
	 * Access.
	 */
	if ((l->profiles & ESP_PROF_M365) && snap != NULL &&
	    policy_snap_bypass(snap, MODEL_TRAFFIC_M365, dst))
		goto bypass;
	if ((l->profiles & ESP_PROF_M365) && pr->m365 != NULL &&
	    lpm_lookup(pr->m365, dst, &v) == 0)
		tt = MODEL_TTYPE_M365;
	else if (l->profiles & ESP_PROF_INTERNET) {
		if (snap != NULL &&
		    policy_snap_bypass(snap, MODEL_TRAFFIC_INTERNET, dst))
			goto bypass;
		tt = MODEL_TTYPE_INTERNET;
	} else {
		/* Concept-traffic-forwarding: unmatched traffic is not sent on. */
		w_add(&w->ctr.drop[ESP_WD_UNASSIGNED], 1);
		return -1;
	}
	memset(&pp, 0, sizeof(pp));
	pp.snap = snap;
	pp.snap_gen = pr->gen;
	pp.tenant = e->tenant;
	pp.tenant_id = "";		/* the gw fills it from the link id */
	pp.rn_id = l->rn_id;
	pp.link_id = l->id;
	pp.session_id = e->spi_hex;
	pp.traffic_type = tt;
	switch (policy_flows_input(w->flows, &pp, ip, len, now, &out)) {
	case POLICY_FLOW_FORWARD:
		return 0;
	case POLICY_FLOW_REPLY:
		if (out.client_len > 0) {
			w_seal_on(w, l, out.client, out.client_len, now);
			w_tx_flush(w);
		}
		if (out.server_len > 0 && vnet_gro_add(w->gro, out.server,
		    out.server_len, tn->tun_fd[w->id % tn->nq]) == -1)
			w_add(&w->ctr.drop[ESP_WD_TUN_WRITE], 1);
		break;
	case POLICY_FLOW_DROP:
		break;
	}
	w_add(&w->ctr.drop[ESP_WD_POLICY], 1);
	return -1;
bypass:
	w_add(&w->ctr.drop[ESP_WD_BYPASS], 1);
	return -1;
}

/* ESP from the SPI on, from any path; 0 if queued for the TUN. */
static int
w_esp_in(struct esp_worker *w, const struct esp_snap *s, uint8_t *pkt,
    size_t len, monotime_t now)
{
	const struct esp_snap_in *e;
	const struct esp_snap_tenant *tn;
	struct esp_crypto *cr;
	const uint8_t *inner;
	size_t inner_len;
	uint8_t nh;
	int fd;

	if ((e = esp_snap_in_find(s, w_spi(pkt, len))) == NULL) {
		w_add(&w->ctr.drop[ESP_WD_UNKNOWN_SPI], 1);
		return -1;
	}
	if (e->tenant >= s->ntenants || s->tenants[e->tenant].gen == 0) {
		w_add(&w->ctr.drop[ESP_WD_NO_TENANT], 1);
		return -1;
	}
	tn = &s->tenants[e->tenant];
	if ((cr = esp_sa_crypto(e->sa, w->id)) == NULL ||
	    esp_in(e->sa, cr, pkt, len, &inner, &inner_len, &nh, now) != ESP_OK) {
		w_add(&w->ctr.drop[ESP_WD_ESP_IN], 1);
		return -1;
	}
	if (nh != ESP_NH_IPV4 || inner_len < 20) {
		w_add(&w->ctr.drop[ESP_WD_NOT_IPV4], 1);
		return -1;
	}
	/* uRPF per link: a branch may not speak for another link's hosts. */
	if (!esp_snap_src_ok(s, e, (uint32_t)inner[12] << 24 |
	    (uint32_t)inner[13] << 16 | (uint32_t)inner[14] << 8 | inner[15])) {
		esp_sa_count(&e->sa->ctr.spoofed);
		w_add(&w->ctr.drop[ESP_WD_SPOOFED], 1);
		return -1;
	}
	/* Zone 2's session only through zone 2's tunnel, and so on. */
	if (!esp_snap_zone_ok(s, e, (uint32_t)inner[16] << 24 |
	    (uint32_t)inner[17] << 16 | (uint32_t)inner[18] << 8 | inner[19])) {
		esp_sa_count(&e->sa->ctr.spoofed);
		w_add(&w->ctr.drop[ESP_WD_SPOOFED], 1);
		return -1;
	}
	if (w->flows != NULL && w_policy(w, s, e, tn, inner, inner_len,
	    now) == -1)
		return -1;
	fd = tn->tun_fd[w->id % tn->nq];
	/* -1: no room (write what is pending, try again) or not a packet. */
	if (vnet_gro_add(w->gro, inner, inner_len, fd) == -1) {
		w_tun_flush(w);
		if (vnet_gro_add(w->gro, inner, inner_len, fd) == -1) {
			w_add(&w->ctr.drop[ESP_WD_NOT_IPV4], 1);
			return -1;
		}
	}
	w_add(&w->ctr.rx_bytes, inner_len);
	return 0;
}

/* The receive batch: W_RMSG buffers of W_RBUF, sources, control space. */
static void
w_rx_prep(struct esp_worker *w)
{
	int i;

	for (i = 0; i < W_RMSG; i++) {
		w->riov[i].iov_base = w->rx + (size_t)i * W_RBUF;
		w->riov[i].iov_len = W_RBUF;
		memset(&w->rmsg[i].msg_hdr, 0, sizeof(w->rmsg[i].msg_hdr));
		w->rmsg[i].msg_hdr.msg_iov = &w->riov[i];
		w->rmsg[i].msg_hdr.msg_iovlen = 1;
		w->rmsg[i].msg_hdr.msg_name = &w->rfrom[i];
		w->rmsg[i].msg_hdr.msg_namelen = sizeof(w->rfrom[i]);
		w->rmsg[i].msg_hdr.msg_control = w->rcm[i].buf;
		w->rmsg[i].msg_hdr.msg_controllen = sizeof(w->rcm[i].buf);
	}
}

/* UDP_GRO: the size of each datagram of a coalesced train; 0: just one. */
static size_t
w_gro_size(struct msghdr *mh)
{
	struct cmsghdr *c;
	int v;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v > 0 ? (size_t)v : 0;
		}
	return 0;
}

/*
 * One datagram of a NAT-T socket. A GRO train is cut by flow only (the NIC
 * and the stack look at the 4-tuple, not the SPI): a datagram whose SPI
 * the steering program gives to another worker is handed to it, so each
 * inbound SA keeps a single writer of its replay window (esp_sa.h).
 */
static void
w_udp_one(struct esp_worker *w, const struct esp_snap *s, unsigned si,
    bool train, uint8_t *p, size_t len, monotime_t now, unsigned i)
{
	unsigned owner;

	switch (esp_udp_classify(p, len)) {
	case ESP_UDP_ESP:
		owner = w_spi(p, len) % w->ws->n;
		if (train && owner != w->id) {
			if (send(w->ws->w[owner].hand[1], p, len,
			    MSG_DONTWAIT) == -1)
				w_add(&w->ctr.drop[ESP_WD_HANDOFF], 1);
			break;
		}
		(void)w_esp_in(w, s, p, len, now);
		break;
	case ESP_UDP_IKE:
		w_ike_handoff(w, si, &w->rfrom[i], p, len);
		break;
	case ESP_UDP_KEEPALIVE:
		w_add(&w->ctr.rx_keepalive, 1);
		break;
	default:
		w_add(&w->ctr.drop[ESP_WD_RUNT], 1);
		break;
	}
}

static void
w_udp_read(struct esp_worker *w, unsigned si)
{
	const struct esp_snap *s;
	monotime_t now;
	uint8_t *p;
	size_t len, gso, off, n1;
	int i, n, round;

	for (round = 0; round < W_ROUNDS; round++) {
		w_rx_prep(w);
		n = recvmmsg(w->sock[si], w->rmsg, W_RMSG, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		now = monotime_now();
		urcu_memb_read_lock();
		s = esp_table_snap(w->ws->cfg.table);
		for (i = 0; i < n; i++) {
			p = w->riov[i].iov_base;
			len = w->rmsg[i].msg_len;
			if (w->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
				w_add(&w->ctr.drop[ESP_WD_RUNT], 1);
				continue;
			}
			if ((gso = w_gro_size(&w->rmsg[i].msg_hdr)) == 0 ||
			    gso >= len) {
				w_udp_one(w, s, si, false, p, len, now,
				    (unsigned)i);
				continue;
			}
			for (off = 0; off < len; off += n1) {
				n1 = len - off < gso ? len - off : gso;
				w_udp_one(w, s, si, true, p + off, n1, now,
				    (unsigned)i);
			}
		}
		w_tun_flush(w);
		urcu_memb_read_unlock();
		if (n < W_RMSG)
			return;
	}
}

/* ESP datagrams of our SPIs that arrived in another worker's GRO train. */
static void
w_hand_read(struct esp_worker *w)
{
	const struct esp_snap *s;
	monotime_t now;
	int i, n, round;

	for (round = 0; round < W_ROUNDS; round++) {
		w_rx_prep(w);
		n = recvmmsg(w->hand[0], w->rmsg, W_RMSG, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		now = monotime_now();
		urcu_memb_read_lock();
		s = esp_table_snap(w->ws->cfg.table);
		for (i = 0; i < n; i++)
			(void)w_esp_in(w, s, w->riov[i].iov_base,
			    w->rmsg[i].msg_len, now);
		w_tun_flush(w);
		urcu_memb_read_unlock();
		if (n < W_RMSG)
			return;
	}
}

/* --- raw ESP (IP protocol 50) ---------------------------------------------------- */

/* What raw socket k holds: IPv4 header + ESP, only this worker's SPIs. */
static void
w_raw_read(struct esp_worker *w, unsigned k)
{
	const struct esp_snap *s;
	struct esp_ip ip;
	monotime_t now;
	uint8_t *p;
	int i, n, round, v;

	for (round = 0; round < W_ROUNDS; round++) {
		w_rx_prep(w);
		n = recvmmsg(w->raw[k], w->rmsg, W_RMSG, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		now = monotime_now();
		urcu_memb_read_lock();
		s = esp_table_snap(w->ws->cfg.table);
		for (i = 0; i < n; i++) {
			p = w->riov[i].iov_base;
			if (w->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
				w_add(&w->ctr.drop[ESP_WD_RUNT], 1);
				continue;
			}
			v = esp_ip_parse(p, w->rmsg[i].msg_len, &ip);
			if (v == ESP_IP_RUNT)
				w_add(&w->ctr.drop[ESP_WD_RUNT], 1);
			else if (v != ESP_IP_OK)
				w_add(&w->ctr.drop[ESP_WD_RAW_HDR], 1);
			else if (w_esp_in(w, s, p + ip.esp_off, ip.esp_len,
			    now) == 0)
				w_add(&w->ctr.rx_raw, 1);
		}
		w_tun_flush(w);
		urcu_memb_read_unlock();
		if (n < W_RMSG)
			return;
	}
}

/*
 * The fd a link's ESP leaves by: the UDP socket on its endpoint, or without
 * encapsulation (RFC 7296 §2.23: no NAT) the raw ESP socket there.
 * -1: no socket on that endpoint; -2: raw ESP unavailable.
 */
static int
w_out_fd(const struct esp_worker *w, const struct esp_snap_link *l)
{
	unsigned k;

	for (k = 0; k < w->ws->nips; k++)
		if (w->sock_ip[k] == l->local_ip)
			break;
	if (k == w->ws->nips)
		return -1;
	if (l->udp_encap)
		return w->sock[k];
	return w->raw[k] != -1 ? w->raw[k] : -2;
}

/* --- TUN side: ESP out --------------------------------------------------------- */

static void
w_tx_flush(struct esp_worker *w)
{
	struct esp_txq_counts c;

	memset(&c, 0, sizeof(c));
	esp_txq_flush(w->txq, &c);
	w_add(&w->ctr.tx_esp, c.pkts);
	w_add(&w->ctr.tx_bytes, c.bytes);
	w_add(&w->ctr.tx_raw, c.raw);
	w_add(&w->ctr.drop[ESP_WD_SEND], c.dropped);
}

/* One IPv4 packet sealed with link l's outbound SA, queued. */
static void
w_seal_on(struct esp_worker *w, const struct esp_snap_link *l,
    const uint8_t *in, size_t len, monotime_t now)
{
	struct esp_crypto *cr;
	size_t out_len;
	uint8_t *out;
	int fd;

	if (l->out == NULL) {
		w_add(&w->ctr.drop[ESP_WD_NO_SA], 1);
		return;
	}
	if ((fd = w_out_fd(w, l)) == -2) {
		w_add(&w->ctr.drop[ESP_WD_NO_RAW], 1);
		return;
	}
	if (esp_txq_room(w->txq) == 0)
		w_tx_flush(w);
	out = esp_txq_slot(w->txq);
	if (fd == -1 || out == NULL ||
	    (cr = esp_sa_crypto(l->out, w->id)) == NULL ||
	    esp_out(l->out, cr, in, len, ESP_NH_IPV4, out, W_BUF, &out_len,
	    now) != ESP_OK) {
		w_add(&w->ctr.drop[ESP_WD_ESP_OUT], 1);
		return;
	}
	esp_txq_push(w->txq, fd, !l->udp_encap, l->remote_ip, l->remote_port,
	    out_len);
}

/* One IPv4 packet from a TUN: route, seal with its link's SA, queue. */
static void
w_seal(struct esp_worker *w, const struct esp_snap *s,
    const struct esp_snap_tenant *tn, const uint8_t *in, size_t len,
    monotime_t now)
{
	const struct esp_snap_link *l;
	uint32_t dst;

	if (w_ip4_dst(in, len, &dst) == -1) {
		w_add(&w->ctr.drop[ESP_WD_RUNT], 1);
		return;
	}
	if ((l = esp_snap_route_flow(s, tn, dst, in, len)) == NULL) {
		w_add(&w->ctr.drop[ESP_WD_NO_ROUTE], 1);
		return;
	}
	/* w_ip4_dst checked the header: the source is there. */
	l = esp_snap_zone_out(s, l, (uint32_t)in[12] << 24 |
	    (uint32_t)in[13] << 16 | (uint32_t)in[14] << 8 | in[15]);
	w_seal_on(w, l, in, len, now);
}

/*
 * A TUN read is one packet or a TSO/USO super-packet (vnet.h): cut into
 * MTU-sized packets with their checksums, each sealed; consecutive ones
 * to the same peer leave as one UDP GSO message (esp_txq.h).
 */
static void
w_tun_read(struct esp_worker *w, uint32_t slot, uint32_t gen)
{
	const struct esp_snap_tenant *tn;
	const struct esp_snap *s;
	ssize_t r;
	monotime_t now;
	unsigned i, round;
	int fd, k, nseg;

	for (round = 0; round < W_ROUNDS; round++) {
		urcu_memb_read_lock();
		s = esp_table_snap(w->ws->cfg.table);
		if ((tn = esp_snap_tenant(s, slot, gen)) == NULL) {
			urcu_memb_read_unlock();
			return;
		}
		fd = tn->tun_fd[w->id % tn->nq];
		now = monotime_now();
		for (i = 0; i < W_TUN_READS; i++) {
			if ((r = read(fd, w->tunbuf, W_TUNBUF)) <= 0)
				break;
			nseg = vnet_split(w->tunbuf, (size_t)r, W_INNER_MAX,
			    w->seg, (size_t)W_SEGS * W_BUF, W_BUF, w->segs,
			    W_SEGS);
			if (nseg < 1) {
				w_add(&w->ctr.drop[ESP_WD_TUN_FRAME], 1);
				continue;
			}
			if (esp_txq_room(w->txq) < (unsigned)nseg)
				w_tx_flush(w);
			for (k = 0; k < nseg; k++)
				w_seal(w, s, tn, w->segs[k].pkt,
				    w->segs[k].len, now);
		}
		urcu_memb_read_unlock();
		w_tx_flush(w);
		if (i < W_TUN_READS)
			return;
	}
}

/* --- threads ---------------------------------------------------------------------- */

/*
 * Expiry of idle and ended flows, a bounded slice every W_TICK: 8,192
 * slots of W_FLOWS, so each slot is visited at least every 0.8 s.
 */
#define W_TICK		(100 * MONOTIME_MSEC)
#define W_TICK_SLOTS	8192

static void
w_pst_publish(struct esp_worker *w)
{
	struct policy_flows_stats st;
	uint64_t v[W_PST_N];
	size_t k;

	policy_flows_stats(w->flows, &st);
	memcpy(v, &st, sizeof(v));
	for (k = 0; k < W_PST_N; k++)
		atomic_store_explicit(&w->pst[k], v[k], memory_order_relaxed);
}

static void
w_flows_tick(struct esp_worker *w)
{
	monotime_t now;

	if (w->flows == NULL)
		return;
	now = monotime_now();
	if (now < w->next_tick)
		return;
	w->next_tick = now + W_TICK;
	policy_flows_tick(w->flows, now, W_TICK_SLOTS);
	w_pst_publish(w);
}

static void *
w_main(void *arg)
{
	struct esp_worker *w = arg;
	struct epoll_event ev[W_EVENTS];
	uint64_t d;
	int i, n;

	urcu_memb_register_thread();
	for (;;) {
		/* Flow expiry needs a wakeup now and then, traffic or not. */
		n = epoll_wait(w->ep, ev, W_EVENTS, w->flows != NULL ? 100 : -1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		for (i = 0; i < n; i++) {
			d = ev[i].data.u64;
			if (d == W_TAG_STOP)
				goto out;
			if ((d & W_TAG_SOCK) == W_TAG_SOCK && (d & W_TAG_HAND))
				w_hand_read(w);
			else if ((d & W_TAG_SOCK) == W_TAG_SOCK && (d & W_TAG_RAW))
				w_raw_read(w, (unsigned)(d & 0xffu));
			else if ((d & W_TAG_SOCK) == W_TAG_SOCK)
				w_udp_read(w, (unsigned)(d & 0xffffffffu));
			else
				w_tun_read(w, (uint32_t)d, (uint32_t)(d >> 32));
		}
		w_flows_tick(w);
	}
out:
	if (w->flows != NULL)
		policy_flows_flush(w->flows);
	urcu_memb_unregister_thread();
	return NULL;
}

static int
w_ep_add(int ep, int fd, uint64_t data)
{
	struct epoll_event e;

	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.u64 = data;
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

/* Every worker's raw socket per endpoint, polled; all or none. */
static int
w_raw_open(struct esp_workers *ws)
{
	struct esp_worker *w;
	unsigned i;
	size_t k;

	for (i = 0; i < ws->n; i++) {
		w = &ws->w[i];
		for (k = 0; k < ws->nips; k++)
			if ((w->raw[k] = rawesp_open(ws->ips[k], i,
			    ws->n)) == -1 || w_ep_add(w->ep, w->raw[k],
			    W_TAG_SOCK | W_TAG_RAW | k) == -1)
				goto fail;
	}
	ws->raw = true;
	return 0;
fail:
	log_err("esp: no raw ESP (IP protocol 50) socket: %s%s; links without "
	    "UDP encapsulation (no NAT) get no traffic (counted no-raw)",
	    strerror(errno), errno == EPERM || errno == EACCES ?
	    " (CAP_NET_RAW needed)" : "");
	for (i = 0; i < ws->n; i++)
		for (k = 0; k < ESP_WORKERS_ENDPOINTS; k++)
			if (ws->w[i].raw[k] != -1) {
				close(ws->w[i].raw[k]);
				ws->w[i].raw[k] = -1;
			}
	return -1;
}

/*
 * A worker's flow table and record ring. Sizes: 65,536 flows a worker
 * (docs/policy.md gives the memory), 1,024 flows classified at once,
 * 8,192 records between two drains of the gw (every 200 ms).
 */
#define W_FLOWS		65536
#define W_CLASSIFYING	1024
#define W_RING		8192

static int
w_flows_new(struct esp_worker *w, const struct esp_workers_cfg *cfg)
{
	struct policy_flows_cfg fc;

	if ((w->ring = policy_ring_new(W_RING)) == NULL)
		return -1;
	memset(&fc, 0, sizeof(fc));
	fc.max_flows = W_FLOWS;
	fc.max_classifying = W_CLASSIFYING;
	fc.worker = (uint16_t)w->id;
	fc.block_unnamed = cfg->policy_block_unnamed;
	fc.ring = w->ring;
	if ((w->flows = policy_flows_new(&fc)) == NULL)
		return -1;
	return 0;
}

int
esp_workers_start(struct esp_workers **out, const struct esp_workers_cfg *cfg)
{
	struct esp_workers *ws;
	struct esp_worker *w;
	unsigned i;
	size_t k;
	int one = 1;

	*out = NULL;
	if (cfg->n == 0 || cfg->n > ESP_TABLE_QUEUES_MAX || cfg->nips == 0 ||
	    cfg->nips > ESP_WORKERS_ENDPOINTS) {
		log_err("esp: bad worker configuration (%u workers, %zu "
		    "endpoints)", cfg->n, cfg->nips);
		return -1;
	}
	if ((ws = calloc(1, sizeof(*ws))) == NULL ||
	    (ws->w = calloc(cfg->n, sizeof(*ws->w))) == NULL) {
		free(ws);
		return -1;
	}
	ws->cfg = *cfg;
	ws->n = cfg->n;
	ws->nips = cfg->nips;
	for (k = 0; k < cfg->nips; k++) {
		ws->ips[k] = cfg->ips[k];
		ws->ports[k] = cfg->ports[k];
	}
	ws->cfg.ips = ws->ips;
	ws->cfg.ports = ws->ports;
	ws->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	for (i = 0; i < ws->n; i++) {
		w = &ws->w[i];
		w->ws = ws;
		w->id = i;
		w->ep = -1;
		w->hand[0] = w->hand[1] = -1;
		for (k = 0; k < ESP_WORKERS_ENDPOINTS; k++)
			w->sock[k] = w->raw[k] = -1;
	}
	if (ws->stop_fd == -1)
		goto fail;
	/* Sockets in worker order: group member i + 1 is worker i. */
	for (i = 0; i < ws->n; i++) {
		w = &ws->w[i];
		if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
		    (w->rx = malloc((size_t)W_RMSG * W_RBUF)) == NULL ||
		    (w->tunbuf = malloc(W_TUNBUF)) == NULL ||
		    (w->seg = malloc((size_t)W_SEGS * W_BUF)) == NULL ||
		    vnet_gro_new(&w->gro, W_GRO_CAP, W_GRO_FRAMES) == -1 ||
		    esp_txq_new(&w->txq, W_TX_SLOTS, W_BUF) == -1 ||
		    (cfg->policy != NULL && w_flows_new(w, cfg) == -1) ||
		    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0, w->hand) == -1 ||
		    w_ep_add(w->ep, w->hand[0], W_TAG_SOCK | W_TAG_HAND) == -1 ||
		    w_ep_add(w->ep, ws->stop_fd, W_TAG_STOP) == -1)
			goto fail;
		for (k = 0; k < ws->nips; k++) {
			w->sock_ip[k] = ws->ips[k];
			if ((w->sock[k] = udp_reuseport_open(ws->ips[k],
			    ws->ports[k])) == -1 ||
			    w_ep_add(w->ep, w->sock[k], W_TAG_SOCK | k) == -1)
				goto fail;
			/* Trains of datagrams in one read (Linux 5.0). */
			if (setsockopt(w->sock[k], SOL_UDP, UDP_GRO, &one,
			    sizeof(one)) == -1 && i == 0 && k == 0)
				log_warn("esp: no UDP GRO: %s", strerror(errno));
		}
	}
	for (k = 0; k < ws->nips; k++)
		if (udp_reuseport_steer(ws->w[0].sock[k], ws->n) == -1)
			goto fail;
	/* Without raw ESP the UDP path still serves NATed peers: go on. */
	if (cfg->raw_esp)
		(void)w_raw_open(ws);
	for (i = 0; i < ws->n; i++) {
		if (pthread_create(&ws->w[i].th, NULL, w_main, &ws->w[i]) != 0)
			goto fail;
		ws->w[i].started = true;
	}
	log_info("esp: %u worker(s) on %zu endpoint(s), NAT-T port %u%s",
	    ws->n, ws->nips, ws->ports[0], ws->raw ? ", raw ESP" : "");
	*out = ws;
	return 0;
fail:
	log_err("esp: cannot start the workers: %s", strerror(errno));
	esp_workers_stop(ws);
	return -1;
}

void
esp_workers_stop(struct esp_workers *ws)
{
	uint64_t one = 1;
	unsigned i;
	size_t k;

	if (ws == NULL)
		return;
	if (ws->stop_fd != -1 && write(ws->stop_fd, &one, sizeof(one)) == -1)
		log_warn("esp: stop signal: %s", strerror(errno));
	for (i = 0; i < ws->n; i++) {
		struct esp_worker *w = &ws->w[i];

		if (w->started)
			pthread_join(w->th, NULL);
		for (k = 0; k < ESP_WORKERS_ENDPOINTS; k++) {
			if (w->sock[k] != -1)
				close(w->sock[k]);
			if (w->raw[k] != -1)
				close(w->raw[k]);
		}
		if (w->ep != -1)
			close(w->ep);
		if (w->hand[0] != -1)
			close(w->hand[0]);
		if (w->hand[1] != -1)
			close(w->hand[1]);
		free(w->rx);
		free(w->tunbuf);
		free(w->seg);
		vnet_gro_free(w->gro);
		esp_txq_free(w->txq);
		policy_flows_free(w->flows);
		policy_ring_free(w->ring);
	}
	if (ws->stop_fd != -1)
		close(ws->stop_fd);
	free(ws->w);
	free(ws);
}

int
esp_workers_tenant_add(struct esp_workers *ws, uint32_t slot, uint32_t gen,
    const int *tun_fd, unsigned nq)
{
	uint64_t d = (uint64_t)gen << 32 | slot;
	unsigned i;

	if (nq != ws->n || gen == 0 || gen == UINT32_MAX)
		return -1;
	for (i = 0; i < ws->n; i++)
		if (w_ep_add(ws->w[i].ep, tun_fd[i], d) == -1) {
			log_err("esp: epoll add TUN queue %u: %s", i,
			    strerror(errno));
			esp_workers_tenant_del(ws, tun_fd, i);
			return -1;
		}
	return 0;
}

void
esp_workers_tenant_del(struct esp_workers *ws, const int *tun_fd, unsigned nq)
{
	unsigned i;

	for (i = 0; i < nq && i < ws->n; i++)
		(void)epoll_ctl(ws->w[i].ep, EPOLL_CTL_DEL, tun_fd[i], NULL);
}

bool
esp_workers_raw(const struct esp_workers *ws)
{
	return ws != NULL && ws->raw;
}

void
esp_workers_stats(const struct esp_workers *ws, struct esp_worker_stats *st)
{
	const struct w_ctr *c;
	unsigned i, d;

	memset(st, 0, sizeof(*st));
	if (ws == NULL)
		return;
	for (i = 0; i < ws->n; i++) {
		c = &ws->w[i].ctr;
		st->rx_esp += atomic_load_explicit(&c->rx_esp, memory_order_relaxed);
		st->rx_bytes += atomic_load_explicit(&c->rx_bytes, memory_order_relaxed);
		st->tx_esp += atomic_load_explicit(&c->tx_esp, memory_order_relaxed);
		st->tx_bytes += atomic_load_explicit(&c->tx_bytes, memory_order_relaxed);
		st->rx_ike += atomic_load_explicit(&c->rx_ike, memory_order_relaxed);
		st->rx_keepalive += atomic_load_explicit(&c->rx_keepalive,
		    memory_order_relaxed);
		st->rx_raw += atomic_load_explicit(&c->rx_raw, memory_order_relaxed);
		st->tx_raw += atomic_load_explicit(&c->tx_raw, memory_order_relaxed);
		for (d = 0; d < ESP_WD_MAX; d++)
			st->drop[d] += atomic_load_explicit(&c->drop[d],
			    memory_order_relaxed);
	}
}

size_t
esp_workers_traffic_pop(struct esp_workers *ws, struct model_traffic *out,
    size_t max)
{
	size_t n = 0;
	unsigned i;

	if (ws == NULL)
		return 0;
	for (i = 0; i < ws->n && n < max; i++)
		if (ws->w[i].ring != NULL)
			n += policy_ring_pop(ws->w[i].ring, out + n, max - n);
	return n;
}

void
esp_workers_policy_stats(const struct esp_workers *ws,
    struct policy_flows_stats *st)
{
	uint64_t sum[W_PST_N];
	unsigned i;
	size_t k;

	memset(sum, 0, sizeof(sum));
	for (i = 0; ws != NULL && i < ws->n; i++)
		for (k = 0; ws->w[i].flows != NULL && k < W_PST_N; k++)
			sum[k] += atomic_load_explicit(&ws->w[i].pst[k],
			    memory_order_relaxed);
	memcpy(st, sum, sizeof(*st));
}
