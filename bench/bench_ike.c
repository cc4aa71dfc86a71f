/*
 * bench_ike.c - IKE_SA + first CHILD_SA setups per second on one core: an
 * initiator engine and a responder engine (ike.h), both on this thread;
 * each setup is IKE_SA_INIT + IKE_AUTH (both roles' work), then a DELETE.
 * Two transports:
 *  - in-process: datagrams go through a memory queue;
 *  - UDP: each engine owns a socket on 127.0.0.1 and every datagram goes
 *    through sendto / recvfrom, so the syscalls and the loopback path are
 *    paid on the same core as the crypto.
 * Next to them, the DH-only ceiling (bench_dh.h, the same figure bench_dh
 * prints): both sides' key pair + derive straight on OpenSSL, per setup.
 * The three are measured in interleaved rounds (ceiling, in-process, UDP,
 * again ...) so that a noisy machine hits them alike; the figures are the
 * medians over rounds, each ratio the median of the per-round ratios.
 *
 * usage: bench_ike [seconds per group, default 6] [group ...] (19 14 31)
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

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

enum transport { T_MEM, T_UDP };

struct bpkt {
	int		to;
	struct ike_endpoint local, remote;
	uint8_t		data[2048];
	size_t		len;
};

struct bench {
	enum transport	tr;
	struct ike_engine *e[2];	/* 0 initiator, 1 responder */
	int		idx[2];
	struct ike_peer_cfg cfg;
	/* T_MEM */
	struct bpkt	q[QMAX];
	size_t		qh, qt;
	/* T_UDP */
	int		fd[2];
	struct ike_endpoint ep[2];
	struct sockaddr_in sa[2];
	unsigned long	inflight[2];	/* sent to socket i, not yet read */
	unsigned long	up, installs, dropped, lost;
};

static struct bench B;

static void
b_send(void *arg, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	int from = *(int *)arg;
	struct bpkt *p;

	if (B.tr == T_UDP) {
		/* One peer each: the other engine's socket is the remote. */
		if (sendto(B.fd[from], pkt, len, 0,
		    (const struct sockaddr *)&B.sa[1 - from],
		    sizeof(B.sa[0])) != (ssize_t)len) {
			B.dropped++;
			return;
		}
		B.inflight[1 - from]++;
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

static int
b_lookup(void *arg, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, struct ike_peer_cfg *out)
{
	(void)arg;
	(void)local;
	(void)remote;
	*out = B.cfg;
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
	if (*(int *)arg == 1 && ev->type == IKE_EV_TUNNEL_UP)
		B.up++;
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

/* Until every datagram sent (including those sent while handling one)
 * has been received and handled. */
static void
pump_udp(monotime_t now)
{
	struct pollfd pfd[2];
	struct sockaddr_in from;
	struct ike_endpoint remote;
	uint8_t buf[4096];
	socklen_t flen;
	ssize_t n;
	int i, got;

	while (B.inflight[0] + B.inflight[1] > 0) {
		got = 0;
		for (i = 0; i < 2; i++) {
			if (B.inflight[i] == 0)
				continue;
			flen = sizeof(from);
			n = recvfrom(B.fd[i], buf, sizeof(buf), MSG_DONTWAIT,
			    (struct sockaddr *)&from, &flen);
			if (n < 0)
				continue;
			got = 1;
			B.inflight[i]--;
			remote.ip = ntohl(from.sin_addr.s_addr);
			remote.port = ntohs(from.sin_port);
			ike_input(B.e[i], &B.ep[i], &remote, buf, (size_t)n,
			    now);
		}
		if (got)
			continue;
		for (i = 0; i < 2; i++) {
			pfd[i].fd = B.fd[i];
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, 2, UDP_WAIT_MS) <= 0) {
			B.lost += B.inflight[0] + B.inflight[1];
			B.inflight[0] = B.inflight[1] = 0;
		}
	}
}

static void
pump(monotime_t now)
{
	if (B.tr == T_UDP)
		pump_udp(now);
	else
		pump_mem(now);
}

static int
udp_open(void)
{
	socklen_t len;
	int i;

	for (i = 0; i < 2; i++) {
		memset(&B.sa[i], 0, sizeof(B.sa[i]));
		B.sa[i].sin_family = AF_INET;
		B.sa[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(B.sa[i]);
		if ((B.fd[i] = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
		    bind(B.fd[i], (struct sockaddr *)&B.sa[i],
		    sizeof(B.sa[i])) == -1 ||
		    getsockname(B.fd[i], (struct sockaddr *)&B.sa[i],
		    &len) == -1) {
			perror("bench_ike: udp socket");
			return -1;
		}
		B.ep[i].ip = INADDR_LOOPBACK;
		B.ep[i].port = ntohs(B.sa[i].sin_port);
	}
	return 0;
}

/* Setups per second over about secs seconds; 0 on failure. */
static double
setups(int group, enum transport tr, double secs)
{
	struct ike_endpoint l = { I_IP, 500 }, r = { R_IP, 500 };
	struct ike_callbacks cb;
	struct ike_engine_cfg cfg;
	monotime_t mt = MONOTIME_SEC;
	unsigned long start_up, n = 0;
	double t0, t;
	int i;

	B.tr = tr;
	if (tr == T_UDP) {
		l = B.ep[0];
		r = B.ep[1];
	}
	ike_engine_cfg_defaults(&cfg);
	cfg.cookie_threshold = 1000000;	/* measure the full handshake */
	for (i = 0; i < 2; i++) {
		memset(&cb, 0, sizeof(cb));
		B.idx[i] = i;
		cb.arg = &B.idx[i];
		cb.send = b_send;
		cb.lookup = b_lookup;
		cb.child_install = b_install;
		cb.event = b_event;
		if ((B.e[i] = ike_engine_new(&cfg, &cb)) == NULL)
			return 0;
		ike_test_ike_group(B.e[i], (uint16_t)group);
	}
	start_up = B.up;
	t0 = bdh_now();
	do {
		if (ike_initiate(B.e[0], &B.cfg, &l, &r, mt) == -1)
			return 0;
		pump(mt);
		/* DELETE from the initiator; the responder tears down too. */
		ike_peer_remove(B.e[0], B.cfg.link_id, mt);
		pump(mt);
		mt += MONOTIME_MSEC;
		n++;
	} while ((t = bdh_now() - t0) < secs);
	for (i = 0; i < 2; i++)
		ike_engine_free(B.e[i]);
	if (B.up - start_up != n)
		fprintf(stderr, "bench_ike: %lu of %lu setups failed\n",
		    n - (B.up - start_up), n);
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

static int
bench_group(int g, double secs)
{
	double c[ROUNDS], m[ROUNDS], u[ROUNDS], rm[ROUNDS], ru[ROUNDS];
	double slice = secs / (3 * ROUNDS);
	struct bdh dh;
	char name[32];
	int k;

	if (bdh_init(&dh, g) == -1) {
		fprintf(stderr, "bench_ike: group %d not supported\n", g);
		return -1;
	}
	/* Warm-up: lazily built tables, allocator, caches. */
	if (bdh_rate(&dh, slice / 4) == 0 || setups(g, T_MEM, slice / 4) == 0 ||
	    setups(g, T_UDP, slice / 4) == 0) {
		bdh_free(&dh);
		return -1;
	}
	for (k = 0; k < ROUNDS; k++) {
		c[k] = bdh_rate(&dh, slice) / 2;	/* two sides a setup */
		m[k] = setups(g, T_MEM, slice);
		u[k] = setups(g, T_UDP, slice);
		rm[k] = c[k] > 0 ? m[k] / c[k] : 0;
		ru[k] = c[k] > 0 ? u[k] / c[k] : 0;
	}
	bdh_free(&dh);
	snprintf(name, sizeof(name), "%s (%d)", bdh_name(g), g);
	printf("%-18s %12.0f %12.0f %6.0f%% %12.0f %6.0f%%\n", name,
	    median(c, ROUNDS), median(m, ROUNDS), 100 * median(rm, ROUNDS),
	    median(u, ROUNDS), 100 * median(ru, ROUNDS));
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	static const int def[] = { 19, 14, 31 };
	double secs = argc > 1 ? atof(argv[1]) : 6.0;
	int i, n, rc = 0;

	log_set_level(LOG_ERR);
	memset(&B.cfg, 0, sizeof(B.cfg));
	snprintf(B.cfg.link_id, sizeof(B.cfg.link_id), "bench-link");
	snprintf(B.cfg.name, sizeof(B.cfg.name), "bench");
	B.cfg.zone = 1;
	B.cfg.cpe_ip = I_IP;
	B.cfg.gw_ip = R_IP;
	snprintf(B.cfg.tunnel.psk, sizeof(B.cfg.tunnel.psk), "bench-psk-0123");
	if (secs <= 0)
		secs = 6.0;
	if (udp_open() == -1)
		return 1;
	n = argc > 2 ? argc - 2 : 3;
	printf("IKE_SA + first CHILD_SA setups/s, one core (initiator + "
	    "responder on one thread;\naes256gcm16-prfsha384, ESP "
	    "aes256gcm16). Ceiling: DH alone on OpenSSL, both sides'\n"
	    "key pair + derive per setup. Medians of %d interleaved rounds; "
	    "ratio = median of\nper-round setups/ceiling.\n", ROUNDS);
	printf("%-18s %12s %12s %7s %12s %7s\n", "group", "DH ceiling",
	    "in-process", "ratio", "UDP lo", "ratio");
	for (i = 0; i < n; i++)
		rc |= bench_group(argc > 2 ? atoi(argv[i + 2]) : def[i], secs);
	if (B.dropped > 0 || B.lost > 0)
		printf("(send failures: %lu, datagrams lost: %lu)\n",
		    B.dropped, B.lost);
	close(B.fd[0]);
	close(B.fd[1]);
	return rc ? 1 : 0;
}
