/*
 * udp-linux.c - udp.h on Linux: non-blocking IPv4 UDP sockets bound to each
 * endpoint address (so the local address of a datagram is the socket's, no
 * IP_PKTINFO needed), read in batches with recvmmsg(2).
 */
#include "udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ip4.h"
#include "log.h"
#include "monotime.h"

#define UDP_BATCH	16
#define UDP_BUF		16384		/* larger IKE messages use fragments */
#define UDP_RCVBUF	(1 << 20)
#define UDP_READS_MAX	8		/* batches per udp_read: stay fair */
#define UDP_SOCK_MAX	8		/* 2 per endpoint */

struct udp_sock {
	int		fd;
	uint32_t	ip;
	uint16_t	port;		/* bound port */
	bool		natt;
};

struct udp {
	struct udp_sock		sock[UDP_SOCK_MAX];
	size_t			nsock;
	struct udp_handlers	h;
	struct udp_stats	st;
	monotime_t		last_err_log;
	uint64_t		err_suppressed;
	uint8_t			*rxbuf;		/* UDP_BATCH * UDP_BUF */
};

/* RFC 3948 §2.2: the non-ESP marker is where ESP has its SPI; SPI 0 is reserved. */
static const uint8_t udp_marker[4] = { 0, 0, 0, 0 };

/* At most one error line a second; the rest are counted. */
static void
udp_err_log(struct udp *u, const char *what, uint32_t ip, uint16_t port,
    int err)
{
	monotime_t now = monotime_now();
	char a[IP4_STRLEN];

	if (u->last_err_log != 0 && now - u->last_err_log < MONOTIME_SEC) {
		u->err_suppressed++;
		return;
	}
	log_warn("udp: %s %s:%u: %s (%llu similar suppressed)", what,
	    ip4_fmt(ip, a), port, strerror(err),
	    (unsigned long long)u->err_suppressed);
	u->last_err_log = now;
	u->err_suppressed = 0;
}

static int
udp_sock_open(struct udp_sock *s, uint32_t ip, uint16_t port, bool natt,
    bool reuseport)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	char a[IP4_STRLEN];
	int fd, rcv = UDP_RCVBUF, one = 1;

	s->fd = -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_err("udp: socket: %s", strerror(errno));
		return -1;
	}
	/* Best effort: a bigger queue rides out IKE_SA_INIT bursts. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	/*
	 * An endpoint may be a floating address (keepalived/VRRP) that is
	 * not on this host yet: bind anyway, it works once it arrives.
	 */
	(void)setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
	    sizeof(one)) == -1) {
		log_err("udp: SO_REUSEPORT: %s", strerror(errno));
		close(fd);
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(ip);
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		log_err("udp: cannot bind %s:%u (%s): %s%s", ip4_fmt(ip, a),
		    port, natt ? "NAT-T" : "IKE", strerror(errno),
		    errno == EACCES ? " (ports below 1024 need root or "
		    "CAP_NET_BIND_SERVICE; see --ike-port, --natt-port)" : "");
		close(fd);
		return 1;
	}
	if (getsockname(fd, (struct sockaddr *)&sin, &slen) == -1) {
		log_err("udp: getsockname: %s", strerror(errno));
		close(fd);
		return -1;
	}
	s->fd = fd;
	s->ip = ip;
	s->port = ntohs(sin.sin_port);
	s->natt = natt;
	log_info("udp: listening on %s:%u (%s)", ip4_fmt(ip, a), s->port,
	    natt ? "NAT-T" : "IKE");
	return 0;
}

int
udp_open(struct udp **out, const struct udp_config *cfg,
    const struct udp_handlers *h, size_t *bound)
{
	struct udp *u;
	size_t i;
	int k, rc;

	*out = NULL;
	*bound = 0;
	if (cfg->nips * 2 > UDP_SOCK_MAX) {
		log_err("udp: %zu endpoints, at most %d", cfg->nips,
		    UDP_SOCK_MAX / 2);
		return -1;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL ||
	    (u->rxbuf = malloc((size_t)UDP_BATCH * UDP_BUF)) == NULL) {
		log_err("udp: out of memory");
		goto fail;
	}
	u->h = *h;
	for (i = 0; i < cfg->nips; i++) {
		for (k = 0; k < 2; k++) {
			rc = udp_sock_open(&u->sock[u->nsock], cfg->ips[i],
			    k ? cfg->natt_port : cfg->ike_port, k == 1,
			    k == 1 && cfg->natt_reuseport);
			if (rc == -1)
				goto fail;
			if (rc == 0)
				u->nsock++;
		}
	}
	*bound = u->nsock;
	*out = u;
	return 0;
fail:
	udp_close(u);
	return -1;
}

void
udp_close(struct udp *u)
{
	size_t i;

	if (u == NULL)
		return;
	for (i = 0; i < u->nsock; i++)
		close(u->sock[i].fd);
	free(u->rxbuf);
	free(u);
}

size_t
udp_fds(const struct udp *u, int *fds, size_t max)
{
	size_t i;

	for (i = 0; i < u->nsock && i < max; i++)
		fds[i] = u->sock[i].fd;
	return i;
}

uint16_t
udp_bound_port(const struct udp *u, uint32_t ip, bool natt)
{
	size_t i;

	for (i = 0; i < u->nsock; i++)
		if (u->sock[i].ip == ip && u->sock[i].natt == natt)
			return u->sock[i].port;
	return 0;
}

void
udp_demux(struct udp *u, bool natt, const struct udp_endpoint *local,
    const struct udp_endpoint *remote, const uint8_t *pkt, size_t len)
{
	if (!natt) {
		if (len == 0) {
			u->st.rx_runt++;
			return;
		}
		u->st.rx_ike++;
		if (u->h.ike != NULL)
			u->h.ike(u->h.arg, local, remote, pkt, len);
		return;
	}
	/* RFC 3948 §2.3: the NAT-keepalive is the single octet 0xFF. */
	if (len == 1 && pkt[0] == 0xff) {
		u->st.rx_keepalive++;
		return;
	}
	if (len >= sizeof(udp_marker) &&
	    memcmp(pkt, udp_marker, sizeof(udp_marker)) == 0) {
		if (len == sizeof(udp_marker)) {
			u->st.rx_runt++;
			return;
		}
		u->st.rx_natt_ike++;
		if (u->h.ike != NULL)
			u->h.ike(u->h.arg, local, remote,
			    pkt + sizeof(udp_marker), len - sizeof(udp_marker));
		return;
	}
	/* ESP (RFC 4303 §2): SPI and sequence number at least. */
	if (len < 8) {
		u->st.rx_runt++;
		return;
	}
	u->st.rx_esp++;
	if (u->h.esp != NULL)
		u->h.esp(u->h.arg, local, remote, pkt, len);
	else
		u->st.rx_esp_dropped++;
}

static struct udp_sock *
udp_sock_by_fd(struct udp *u, int fd)
{
	size_t i;

	for (i = 0; i < u->nsock; i++)
		if (u->sock[i].fd == fd)
			return &u->sock[i];
	return NULL;
}

void
udp_read(struct udp *u, int fd)
{
	struct mmsghdr msg[UDP_BATCH];
	struct iovec iov[UDP_BATCH];
	struct sockaddr_in from[UDP_BATCH];
	struct udp_endpoint local, remote;
	struct udp_sock *s;
	int i, n, round;

	if ((s = udp_sock_by_fd(u, fd)) == NULL)
		return;
	local.ip = s->ip;
	local.port = s->port;
	for (round = 0; round < UDP_READS_MAX; round++) {
		memset(msg, 0, sizeof(msg));
		for (i = 0; i < UDP_BATCH; i++) {
			iov[i].iov_base = u->rxbuf + (size_t)i * UDP_BUF;
			iov[i].iov_len = UDP_BUF;
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
			msg[i].msg_hdr.msg_name = &from[i];
			msg[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(fd, msg, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR) {
				u->st.rx_errors++;
				udp_err_log(u, "receive on", s->ip, s->port,
				    errno);
			}
			return;
		}
		for (i = 0; i < n; i++) {
			if (msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
				u->st.rx_truncated++;
				continue;
			}
			if (msg[i].msg_hdr.msg_namelen < sizeof(from[i]) ||
			    from[i].sin_family != AF_INET) {
				u->st.rx_errors++;
				continue;
			}
			remote.ip = ntohl(from[i].sin_addr.s_addr);
			remote.port = ntohs(from[i].sin_port);
			udp_demux(u, s->natt, &local, &remote,
			    iov[i].iov_base, msg[i].msg_len);
		}
		if (n < UDP_BATCH)
			return;
	}
}

int
udp_send(struct udp *u, const struct udp_endpoint *local,
    const struct udp_endpoint *remote, const uint8_t *pkt, size_t len)
{
	struct sockaddr_in to;
	struct msghdr mh;
	struct iovec iov[2];
	struct udp_sock *s = NULL;
	size_t i;
	int niov = 0;

	for (i = 0; i < u->nsock; i++)
		if (u->sock[i].ip == local->ip &&
		    u->sock[i].port == local->port)
			s = &u->sock[i];
	if (s == NULL) {
		u->st.tx_errors++;
		udp_err_log(u, "no socket bound to", local->ip, local->port,
		    EADDRNOTAVAIL);
		return -1;
	}
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(remote->ip);
	to.sin_port = htons(remote->port);
	if (s->natt) {
		/* RFC 3948 §2.2: IKE on 4500 follows the non-ESP marker. */
		iov[niov].iov_base = (void *)(uintptr_t)udp_marker;
		iov[niov++].iov_len = sizeof(udp_marker);
	}
	iov[niov].iov_base = (void *)(uintptr_t)pkt;
	iov[niov++].iov_len = len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &to;
	mh.msg_namelen = sizeof(to);
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)niov;
	if (sendmsg(s->fd, &mh, MSG_DONTWAIT) == -1) {
		u->st.tx_errors++;
		udp_err_log(u, "send to", remote->ip, remote->port, errno);
		return -1;
	}
	u->st.tx++;
	return 0;
}

void
udp_get_stats(const struct udp *u, struct udp_stats *out)
{
	*out = u->st;
}

int
udp_reuseport_open(uint32_t ip, uint16_t port)
{
	struct udp_sock s;

	if (udp_sock_open(&s, ip, port, true, true) != 0)
		return -1;
	return s.fd;
}

int
udp_reuseport_steer(int fd, unsigned nworkers)
{
	struct sock_filter code[] = {
		/* A = first 4 octets of the UDP payload (a short one: return 0) */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		/* RFC 3948 §2.2: SPI 0 is the non-ESP marker: IKE */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, nworkers),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };

	if (nworkers == 0 || setsockopt(fd, SOL_SOCKET,
	    SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog)) == -1) {
		log_err("udp: SO_ATTACH_REUSEPORT_CBPF: %s", strerror(errno));
		return -1;
	}
	return 0;
}
