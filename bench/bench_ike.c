/*
 * bench_ike.c - IKE_SA + first CHILD_SA setups per second on one core: an
 * initiator engine and a responder engine (ike.h), both on this thread;
 * each setup is IKE_SA_INIT + IKE_AUTH (both roles' work). Two ways to
 * end a setup's SAs, both printed:
 *  - storm (the headline): the branch forgets its SA (ike_peer_forget, as
 *    a rebooting router does) and connects again at once; its IKE_AUTH
 *    carries INITIAL_CONTACT and the gateway retires the old SA (§2.4).
 *    This is a reconnect storm: setups only, as the issue asks;
 *  - +DEL: an INFORMATIONAL DELETE exchange after every setup (two more
 *    datagrams and their AEAD work), i.e. setup + orderly teardown.
 * Two transports:
 *  - in-process: one setup at a time, datagrams through a memory queue;
 *  - UDP: each engine owns a socket and every datagram crosses loopback,
 *    so the syscalls are paid on the same core as the crypto. Like a
 *    gateway facing many branch routers, K setups are in flight at once
 *    and the sockets are read with recvmmsg and written with sendmmsg in
 *    batches. Each in-flight slot is its own device link with its own
 *    source address (127.1.0.0/16, sent with IP_PKTINFO), so the
 *    responder sees K distinct peers: the per-source half-open limit and
 *    INITIAL_CONTACT (§2.4, which would tear down another slot's SA of
 *    the same link) behave as in the field.
 * Next to them, the DH-only ceiling (bench_dh.h, the same figure bench_dh
 * prints): both sides' key pair + derive straight on OpenSSL, per setup.
 * The three are measured in interleaved rounds (ceiling, in-process, UDP,
 * again ...) so that a noisy machine hits them alike; the figures are the
 * medians over rounds, each ratio the median of the per-round ratios.
 *
 * usage: bench_ike [-k K] [seconds per group, default 10] [group ...]
 *        (groups 19 14 31; K setups in flight over UDP, default 32)
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "bench_dh.h"
#include "ike.h"
#include "ike_crypto.h"
#include "ike_sa.h"
#include "log.h"

#define QMAX		16
#define ROUNDS		5
#define I_IP		0xc6336407u	/* 198.51.100.7 */
#define R_IP		0xc0000202u	/* 192.0.2.2 */
#define UDP_WAIT_MS	1000		/* a datagram not back by then is lost */
#define BATCH		64		/* datagrams per recvmmsg / sendmmsg */
#define DGRAM_MAX	4096		/* above any message of these suites */
#define RCVBUF		(1 << 20)
#define K_DEF		32
#define K_MAX		1024
#define SLOT_NET	0x7f010000u	/* slot s sends from SLOT_NET + 1 + s */
#define SLOT_LINK	"bench-slot-"
#define DRAIN_MAX_S	10		/* give up on a run's last setups */

enum transport { T_MEM, T_UDP };
enum slot_state { S_IDLE, S_OPEN, S_DONE };

struct bpkt {
	int		to;
	struct ike_endpoint local, remote;
	uint8_t		data[2048];
	size_t		len;
};

union pktinfo_cmsg {
	struct cmsghdr	h;
	char		buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
};

/* One engine's socket with its receive and send batches. */
struct usock {
	int		fd;
	struct ike_endpoint ep;		/* initiator: the port only */
	struct mmsghdr	rmsg[BATCH];
	struct iovec	riov[BATCH];
	struct sockaddr_in rfrom[BATCH];
	union pktinfo_cmsg rctl[BATCH];
	uint8_t		rbuf[BATCH][DGRAM_MAX];
	struct mmsghdr	smsg[BATCH];
	struct iovec	siov[BATCH];
	struct sockaddr_in sto[BATCH];
	union pktinfo_cmsg sctl[BATCH];
	uint8_t		sbuf[BATCH][DGRAM_MAX];
	unsigned	ns;		/* queued in smsg */
	unsigned long	inflight;	/* sent to this socket, not yet read */
	unsigned long	nrecv, nsend;	/* recvmmsg / sendmmsg calls */
};

struct bench {
	enum transport	tr;
	struct ike_engine *e[2];	/* 0 initiator, 1 responder */
	int		idx[2];
	struct ike_peer_cfg cfg;
	/* T_MEM */
	struct bpkt	q[QMAX];
	size_t		qh, qt;
	/* T_UDP: K slots, each a device link with one setup at a time */
	struct usock	u[2];
	unsigned	k;
	struct ike_peer_cfg pcfg[K_MAX];
	enum slot_state	slot[K_MAX];
	unsigned	freel[K_MAX], nfree;
	unsigned	done[K_MAX], ndone;
	unsigned	nopen;
	unsigned long	npoll;
	unsigned long	up, installs, dropped, lost, failed, retransmits;
};

static struct bench B;

static void	udp_queue(int, const struct ike_endpoint *,
		    const struct ike_endpoint *, const uint8_t *, size_t);

static void
b_send(void *arg, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	int from = *(int *)arg;
	struct bpkt *p;

	if (B.tr == T_UDP) {
		udp_queue(from, local, remote, pkt, len);
		return;
	}
	if (B.qt - B.qh >= QMAX || len > sizeof(p->data)) {
		B.dropped++;
		return;
	}
	p = &B.q[B.qt++ % QMAX];
	p->to = 1 - from;
	p->local = *remote;
	p->remote = *local;
	memcpy(p->data, pkt, len);
	p->len = len;
}

/* The UDP slot a source address or a link belongs to; -1 if none. */
static int
slot_of_ip(uint32_t ip)
{
	return ip > SLOT_NET && ip - SLOT_NET - 1 < B.k ?
	    (int)(ip - SLOT_NET - 1) : -1;
}

static int
slot_of_link(const char *link_id)
{
	size_t n = sizeof(SLOT_LINK) - 1;
	unsigned long s;
	char *end;

	if (link_id == NULL || strncmp(link_id, SLOT_LINK, n) != 0)
		return -1;
	s = strtoul(link_id + n, &end, 10);
	return *end == '\0' && s < B.k ? (int)s : -1;
}

static int
b_lookup(void *arg, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, unsigned nth, struct ike_peer_cfg *out)
{
	int s = B.tr == T_UDP ? slot_of_ip(remote->ip) : -1;

	(void)arg;
	(void)local;
	if (nth > 0)
		return -1;	/* one link per source address */
	*out = s >= 0 ? B.pcfg[s] : B.cfg;
	return 0;
}

static void
b_install(void *arg, const struct ike_child_sa *c)
{
	(void)arg;
	(void)c;
	B.installs++;
}

static void
b_event(void *arg, const struct ike_event *ev)
{
	int s;

	if (*(int *)arg == 1) {
		if (ev->type == IKE_EV_TUNNEL_UP)
			B.up++;
		return;
	}
	/* Initiator: a slot's setup is over, torn down by the main loop. */
	if (B.tr != T_UDP || (s = slot_of_link(ev->link_id)) < 0 ||
	    B.slot[s] != S_OPEN)
		return;
	if (ev->type == IKE_EV_REJECT || ev->type == IKE_EV_TUNNEL_DOWN)
		B.failed++;
	else if (ev->type != IKE_EV_TUNNEL_UP)
		return;
	B.slot[s] = S_DONE;
	B.done[B.ndone++] = (unsigned)s;
}

static void
pump_mem(monotime_t now)
{
	struct bpkt *p;

	while (B.qh != B.qt) {
		p = &B.q[B.qh++ % QMAX];
		ike_input(B.e[p->to], &p->local, &p->remote, p->data, p->len,
		    now);
	}
}

/* Sends socket i's batch; the peer socket is the only destination. */
static void
udp_flush(int i)
{
	struct usock *u = &B.u[i];
	unsigned sent = 0;
	int n;

	while (sent < u->ns) {
		n = sendmmsg(u->fd, &u->smsg[sent], u->ns - sent, 0);
		u->nsend++;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			B.dropped++;	/* the first of the rest failed */
			sent++;
			continue;
		}
		B.u[1 - i].inflight += (unsigned)n;
		sent += (unsigned)n;
	}
	u->ns = 0;
}

/* The engines' send callback, UDP: into socket from's batch. */
static void
udp_queue(int from, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	struct usock *u = &B.u[from];
	struct in_pktinfo pi;
	struct msghdr *mh;
	struct cmsghdr *c;
	unsigned j;

	if (len > DGRAM_MAX) {
		B.dropped++;
		return;
	}
	if (u->ns == BATCH)
		udp_flush(from);
	j = u->ns++;
	memcpy(u->sbuf[j], pkt, len);
	u->siov[j].iov_base = u->sbuf[j];
	u->siov[j].iov_len = len;
	memset(&u->sto[j], 0, sizeof(u->sto[j]));
	u->sto[j].sin_family = AF_INET;
	u->sto[j].sin_addr.s_addr = htonl(remote->ip);
	u->sto[j].sin_port = htons(remote->port);
	mh = &u->smsg[j].msg_hdr;
	memset(mh, 0, sizeof(*mh));
	mh->msg_name = &u->sto[j];
	mh->msg_namelen = sizeof(u->sto[j]);
	mh->msg_iov = &u->siov[j];
	mh->msg_iovlen = 1;
	if (from != 0)
		return;
	/* The initiator speaks from the slot's own address. */
	memset(&u->sctl[j], 0, sizeof(u->sctl[j]));
	mh->msg_control = u->sctl[j].buf;
	mh->msg_controllen = sizeof(u->sctl[j].buf);
	c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memset(&pi, 0, sizeof(pi));
	pi.ipi_spec_dst.s_addr = htonl(local->ip);
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
}

/* The address a datagram read on the initiator socket was sent to. */
static uint32_t
udp_dst(struct msghdr *mh)
{
	struct in_pktinfo pi;
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_PKTINFO) {
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			return ntohl(pi.ipi_addr.s_addr);
		}
	return INADDR_LOOPBACK;
}

/*
 * Reads socket i until a short batch and hands every datagram to engine i
 * (feed false: throws them away). Returns the datagrams read.
 */
static unsigned
udp_drain(int i, bool feed, monotime_t now)
{
	struct usock *u = &B.u[i];
	struct ike_endpoint local, remote;
	struct msghdr *mh;
	unsigned total = 0;
	int j, n;

	for (;;) {
		for (j = 0; j < BATCH; j++) {
			u->rmsg[j].msg_hdr.msg_namelen = sizeof(u->rfrom[j]);
			u->rmsg[j].msg_hdr.msg_controllen = i == 0 ?
			    sizeof(u->rctl[j].buf) : 0;
			u->rmsg[j].msg_hdr.msg_flags = 0;
		}
		n = recvmmsg(u->fd, u->rmsg, BATCH, MSG_DONTWAIT, NULL);
		u->nrecv++;
		if (n <= 0)
			break;
		u->inflight -= u->inflight < (unsigned)n ?
		    u->inflight : (unsigned)n;
		total += (unsigned)n;
		for (j = 0; feed && j < n; j++) {
			mh = &u->rmsg[j].msg_hdr;
			remote.ip = ntohl(u->rfrom[j].sin_addr.s_addr);
			remote.port = ntohs(u->rfrom[j].sin_port);
			local = u->ep;
			if (i == 0)
				local.ip = udp_dst(mh);
			ike_input(B.e[i], &local, &remote, u->rbuf[j],
			    u->rmsg[j].msg_len, now);
		}
		if (n < BATCH)
			break;
	}
	return total;
}

/*
 * The responder on 127.0.0.1; the initiator on the wildcard address, as
 * it receives on every slot's 127.1.0.0/16 address.
 */
static int
udp_open(void)
{
	struct sockaddr_in sa;
	struct usock *u;
	socklen_t len;
	int i, j, on = 1, rcv = RCVBUF;

	for (i = 0; i < 2; i++) {
		u = &B.u[i];
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(i == 0 ? INADDR_ANY :
		    INADDR_LOOPBACK);
		len = sizeof(sa);
		if ((u->fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
		    setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &rcv,
		    sizeof(rcv)) == -1 ||
		    (i == 0 && setsockopt(u->fd, IPPROTO_IP, IP_PKTINFO, &on,
		    sizeof(on)) == -1) ||
		    bind(u->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
		    getsockname(u->fd, (struct sockaddr *)&sa, &len) == -1) {
			perror("bench_ike: udp socket");
			return -1;
		}
		u->ep.ip = INADDR_LOOPBACK;
		u->ep.port = ntohs(sa.sin_port);
		for (j = 0; j < BATCH; j++) {
			u->riov[j].iov_base = u->rbuf[j];
			u->riov[j].iov_len = sizeof(u->rbuf[j]);
			memset(&u->rmsg[j], 0, sizeof(u->rmsg[j]));
			u->rmsg[j].msg_hdr.msg_name = &u->rfrom[j];
			u->rmsg[j].msg_hdr.msg_iov = &u->riov[j];
			u->rmsg[j].msg_hdr.msg_iovlen = 1;
			u->rmsg[j].msg_hdr.msg_control = i == 0 ?
			    u->rctl[j].buf : NULL;
		}
	}
	return 0;
}

static int
engines_new(int group)
{
	struct ike_callbacks cb;
	struct ike_engine_cfg cfg;
	int i;

	/* What branchgated runs with (gw_new): the zeroed configuration. */
	memset(&cfg, 0, sizeof(cfg));
	for (i = 0; i < 2; i++) {
		memset(&cb, 0, sizeof(cb));
		B.idx[i] = i;
		cb.arg = &B.idx[i];
		cb.send = b_send;
		cb.lookup = b_lookup;
		cb.child_install = b_install;
		cb.event = b_event;
		if ((B.e[i] = ike_engine_new(&cfg, &cb)) == NULL) {
			if (i == 1)
				ike_engine_free(B.e[0]);
			return -1;
		}
		ike_test_ike_group(B.e[i], (uint16_t)group);
	}
	return 0;
}

static void
engines_free(void)
{
	struct ike_stats st;
	int i;

	for (i = 0; i < 2; i++) {
		ike_get_stats(B.e[i], &st);
		B.retransmits += st.retransmits;
		ike_engine_free(B.e[i]);
		B.e[i] = NULL;
	}
}

/* Ends slot link's SAs: a DELETE exchange, or forgotten (see the top). */
static void
end_setup(const char *link_id, bool del, monotime_t now)
{
	if (del)
		ike_peer_remove(B.e[0], link_id, now);
	else
		ike_peer_forget(B.e[0], link_id, now);
}

/* In-process setups per second over about secs seconds; 0 on failure. */
static double
setups_mem(int group, double secs, bool del)
{
	struct ike_endpoint l = { I_IP, 500 }, r = { R_IP, 500 };
	monotime_t mt = MONOTIME_SEC;
	unsigned long start_up, n = 0;
	double t0, t;

	B.tr = T_MEM;
	if (engines_new(group) == -1)
		return 0;
	start_up = B.up;
	t0 = bdh_now();
	do {
		if (ike_initiate(B.e[0], &B.cfg, &l, &r, mt) == -1) {
			engines_free();
			return 0;
		}
		pump_mem(mt);
		end_setup(B.cfg.link_id, del, mt);
		pump_mem(mt);
		mt += MONOTIME_MSEC;
		n++;
	} while ((t = bdh_now() - t0) < secs);
	engines_free();
	if (B.up - start_up != n)
		fprintf(stderr, "bench_ike: %lu of %lu setups failed\n",
		    n - (B.up - start_up), n);
	return (double)(B.up - start_up) / t;
}

/* Sleeps until a socket is readable or a timer is due. */
static void
udp_wait(monotime_t now)
{
	struct pollfd pfd[2];
	monotime_t next = ike_next_deadline(B.e[0]);
	monotime_t d = ike_next_deadline(B.e[1]);
	int i, ms = UDP_WAIT_MS;
	bool timer = false;

	if (d < next)
		next = d;
	if (next != MONOTIME_NEVER && (next - now) / MONOTIME_MSEC + 1 < ms) {
		ms = next <= now ? 0 : (int)((next - now) / MONOTIME_MSEC + 1);
		timer = true;
	}
	for (i = 0; i < 2; i++) {
		pfd[i].fd = B.u[i].fd;
		pfd[i].events = POLLIN;
	}
	B.npoll++;
	if (poll(pfd, 2, ms) == 0 && !timer) {
		B.lost += B.u[0].inflight + B.u[1].inflight;
		B.u[0].inflight = B.u[1].inflight = 0;
	}
}

/*
 * UDP setups per second: K setups in flight for about secs seconds, then
 * the last ones finished; every setup's work lies inside the time. 0 on
 * failure.
 */
static double
setups_udp(int group, double secs, bool del)
{
	struct ike_endpoint l;
	monotime_t now, tstop = 0;
	unsigned long start_up, started = 0;
	unsigned got, queued, s;
	double t0, t;
	bool stop = false;
	int i;

	B.tr = T_UDP;
	for (i = 0; i < 2; i++) {
		(void)udp_drain(i, false, 0);	/* anything of a past run */
		B.u[i].inflight = 0;
	}
	if (engines_new(group) == -1)
		return 0;
	B.nfree = B.ndone = B.nopen = 0;
	for (s = 0; s < B.k; s++) {
		B.slot[s] = S_IDLE;
		B.freel[B.nfree++] = B.k - 1 - s;
	}
	l.port = B.u[0].ep.port;
	start_up = B.up;
	t0 = bdh_now();
	for (;;) {
		now = monotime_now();
		got = udp_drain(1, true, now) + udp_drain(0, true, now);
		while (B.ndone > 0) {
			s = B.done[--B.ndone];
			end_setup(B.pcfg[s].link_id, del, now);
			B.slot[s] = S_IDLE;
			B.freel[B.nfree++] = s;
			B.nopen--;
		}
		while (!stop && B.nfree > 0) {
			s = B.freel[--B.nfree];
			l.ip = SLOT_NET + 1 + s;
			B.slot[s] = S_OPEN;
			B.nopen++;
			if (ike_initiate(B.e[0], &B.pcfg[s], &l, &B.u[1].ep,
			    now) == -1) {
				engines_free();
				return 0;
			}
			started++;
		}
		for (i = 0; i < 2; i++)
			if (ike_next_deadline(B.e[i]) <= now)
				ike_tick(B.e[i], now);
		queued = B.u[0].ns + B.u[1].ns;
		udp_flush(0);
		udp_flush(1);
		if (!stop && bdh_now() - t0 >= secs) {
			stop = true;
			tstop = now;
		}
		if (stop && B.nopen == 0 && B.u[0].inflight == 0 &&
		    B.u[1].inflight == 0)
			break;
		if (stop && now - tstop > DRAIN_MAX_S * MONOTIME_SEC) {
			B.failed += B.nopen;	/* abandoned */
			break;
		}
		if (got == 0 && queued == 0)
			udp_wait(now);
	}
	t = bdh_now() - t0;
	engines_free();
	if (B.up - start_up != started)
		fprintf(stderr, "bench_ike: UDP: %lu of %lu setups failed\n",
		    started - (B.up - start_up), started);
	return (double)(B.up - start_up) / t;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static unsigned long
syscalls(bool resp_only)
{
	unsigned long n = B.u[1].nrecv + B.u[1].nsend;

	return resp_only ? n : n + B.u[0].nrecv + B.u[0].nsend + B.npoll;
}

static unsigned long
losses(void)
{
	return B.dropped + B.lost + B.failed + B.retransmits;
}

/* Interleaved rounds: ceiling, then each transport x teardown. */
enum { M_MEM, M_UDP, M_MEM_DEL, M_UDP_DEL, M_MAX };

static double
measure(int g, int mode, double secs)
{
	switch (mode) {
	case M_MEM:	return setups_mem(g, secs, false);
	case M_UDP:	return setups_udp(g, secs, false);
	case M_MEM_DEL:	return setups_mem(g, secs, true);
	default:	return setups_udp(g, secs, true);
	}
}

static int
bench_group(int g, double secs)
{
	double c[ROUNDS], v[M_MAX][ROUNDS], r[M_MAX][ROUNDS], med[M_MAX],
	    rat[M_MAX];
	double slice = secs / ((1 + M_MAX) * ROUNDS);
	unsigned long rsys, asys, up, lost;
	struct bdh dh;
	char name[32];
	int k, m;

	if (bdh_init(&dh, g) == -1) {
		fprintf(stderr, "bench_ike: group %d not supported\n", g);
		return -1;
	}
	/* Warm-up: lazily built tables, allocator, caches. */
	lost = losses();
	if (bdh_rate(&dh, slice / 4) == 0) {
		bdh_free(&dh);
		return -1;
	}
	for (m = 0; m < M_MAX; m++)
		if (measure(g, m, slice / 4) == 0) {
			bdh_free(&dh);
			return -1;
		}
	rsys = syscalls(true);
	asys = syscalls(false);
	up = B.up;
	for (k = 0; k < ROUNDS; k++) {
		c[k] = bdh_rate(&dh, slice) / 2;	/* two sides a setup */
		for (m = 0; m < M_MAX; m++) {
			if (m != M_UDP)		/* syscalls: storm UDP only */
				up -= B.up;
			v[m][k] = measure(g, m, slice);
			if (m != M_UDP)
				up += B.up;
			r[m][k] = c[k] > 0 ? v[m][k] / c[k] : 0;
		}
	}
	bdh_free(&dh);
	up = up > 0 ? up : 1;
	for (m = 0; m < M_MAX; m++) {
		med[m] = median(v[m], ROUNDS);
		rat[m] = 100 * median(r[m], ROUNDS);
	}
	snprintf(name, sizeof(name), "%s (%d)", bdh_name(g), g);
	printf("%-14s %8.0f %8.0f %4.0f%% %8.0f %4.0f%% %8.0f %4.0f%% %8.0f "
	    "%4.0f%% %8.2f %7.2f %5lu\n", name, median(c, ROUNDS),
	    med[M_MEM], rat[M_MEM], med[M_UDP], rat[M_UDP], med[M_MEM_DEL],
	    rat[M_MEM_DEL], med[M_UDP_DEL], rat[M_UDP_DEL],
	    (double)(syscalls(true) - rsys) / up,
	    (double)(syscalls(false) - asys) / up, losses() - lost);
	fflush(stdout);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_ike [-k K] [seconds per group] "
	    "[group ...]\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	static const int def[] = { 19, 14, 31 };
	double secs = 10.0;
	unsigned s;
	int ch, i, n, rc = 0;

	B.k = K_DEF;
	while ((ch = getopt(argc, argv, "k:")) != -1) {
		switch (ch) {
		case 'k':
			i = atoi(optarg);
			if (i < 1 || i > K_MAX) {
				fprintf(stderr, "bench_ike: K is 1 to %d\n",
				    K_MAX);
				return 1;
			}
			B.k = (unsigned)i;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0 && (secs = atof(argv[0])) <= 0)
		secs = 10.0;
	log_set_level(LOG_ERR);
	memset(&B.cfg, 0, sizeof(B.cfg));
	snprintf(B.cfg.link_id, sizeof(B.cfg.link_id), "bench-link");
	snprintf(B.cfg.name, sizeof(B.cfg.name), "bench");
	B.cfg.zone = 1;
	B.cfg.cpe_ip = I_IP;
	B.cfg.gw_ip = R_IP;
	snprintf(B.cfg.tunnel.psk, sizeof(B.cfg.tunnel.psk), "bench-psk-0123");
	for (s = 0; s < B.k; s++) {
		B.pcfg[s] = B.cfg;
		snprintf(B.pcfg[s].link_id, sizeof(B.pcfg[s].link_id),
		    SLOT_LINK "%u", s);
	}
	if (udp_open() == -1)
		return 1;
	n = argc > 1 ? argc - 1 : 3;
	{
		struct ike_engine_cfg d;

		ike_engine_cfg_defaults(&d);
		printf("Engine configuration: branchgated's default (cookie "
		    "threshold %u half-open SAs,\n%u per source, DPD %u s, "
		    "IKE SA %llu s, CHILD SA %llu s); both engines.\n",
		    d.cookie_threshold, d.half_open_per_source,
		    d.dpd_interval_s, (unsigned long long)d.ike_lifetime_s,
		    (unsigned long long)d.child_lifetime_s);
	}
	printf("IKE_SA + first CHILD_SA setups/s, one core (initiator + "
	    "responder on one thread;\naes256gcm16-prfsha384, ESP "
	    "aes256gcm16). Ceiling: DH alone on OpenSSL, both sides'\n"
	    "key pair + derive per setup. Medians of %d interleaved rounds; "
	    "ratio = median of\nper-round setups/ceiling. storm: the branch "
	    "forgets its SA and reconnects, the\ngateway retires the old one "
	    "on INITIAL_CONTACT (setups only); +DEL: a DELETE\nexchange after "
	    "each setup. mem: in-process, one setup at a time. UDP: K = %u\n"
	    "setups in flight over loopback, recvmmsg / sendmmsg batches of up "
	    "to %d;\nrsys = responder syscalls per setup, sys = all (both "
	    "sockets + poll), storm UDP;\nlost = send failures + datagrams "
	    "lost + failed setups + retransmits.\n", ROUNDS, B.k, BATCH);
	printf("%-14s %8s %8s %5s %8s %5s %8s %5s %8s %5s %8s %7s %5s\n",
	    "", "", "storm", "", "storm", "", "+DEL", "", "+DEL", "", "", "",
	    "");
	printf("%-14s %8s %8s %5s %8s %5s %8s %5s %8s %5s %8s %7s %5s\n",
	    "group", "ceiling", "mem", "ratio", "UDP", "ratio", "mem", "ratio",
	    "UDP", "ratio", "rsys/set", "sys/set", "lost");
	for (i = 0; i < n; i++)
		rc |= bench_group(argc > 1 ? atoi(argv[i + 1]) : def[i], secs);
	if (B.dropped > 0 || B.lost > 0 || B.failed > 0 || B.retransmits > 0)
		printf("(send failures: %lu, datagrams lost: %lu, setups "
		    "failed: %lu, retransmits: %lu)\n", B.dropped, B.lost,
		    B.failed, B.retransmits);
	close(B.u[0].fd);
	close(B.u[1].fd);
	return rc ? 1 : 0;
}
