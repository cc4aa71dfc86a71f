/*
 * bench_ike.c - IKE_SA + first CHILD_SA setups per second on one core,
 * in-process: an initiator engine and a responder engine (ike.h) wired by
 * a memory queue, both running on this thread; each setup is IKE_SA_INIT +
 * IKE_AUTH (both roles' work), then a DELETE. Next to it, the DH-only
 * ceiling measured in the same run: per setup both sides make a key pair
 * and derive once, so ceiling = 1 / (2 x (keygen + derive)).
 *
 * usage: bench_ike [seconds per group, default 2] [group ...] (19 14 31)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike.h"
#include "ike_crypto.h"
#include "ike_sa.h"
#include "log.h"

#define QMAX	16
#define I_IP	0xc6336407u	/* 198.51.100.7 */
#define R_IP	0xc0000202u	/* 192.0.2.2 */

struct bpkt {
	int		to;
	struct ike_endpoint local, remote;
	uint8_t		data[2048];
	size_t		len;
};

struct bench {
	struct ike_engine *e[2];
	struct bpkt	q[QMAX];
	size_t		qh, qt;
	struct ike_peer_cfg cfg;
	unsigned long	up, installs, dropped;
	int		idx[2];
};

static struct bench B;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
b_send(void *arg, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	int from = *(int *)arg;
	struct bpkt *p;

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
pump(monotime_t now)
{
	struct bpkt *p;

	while (B.qh != B.qt) {
		p = &B.q[B.qh++ % QMAX];
		ike_input(B.e[p->to], &p->local, &p->remote, p->data, p->len,
		    now);
	}
}

static double
dh_ceiling(int group, double secs)
{
	uint8_t pub[IKE_DH_PUB_MAX], sec[IKE_DH_SECRET_MAX];
	size_t publen = sizeof(pub), slen;
	struct ike_dh *peer, *d;
	double t0, t;
	unsigned long n = 0;

	if ((peer = ike_dh_new(group, NULL, NULL)) == NULL ||
	    ike_dh_public(peer, pub, &publen) == -1)
		return 0;
	t0 = now_s();
	do {
		if ((d = ike_dh_new(group, NULL, NULL)) == NULL)
			return 0;
		slen = sizeof(sec);
		if (ike_dh_derive(d, pub, publen, sec, &slen) == -1)
			return 0;
		ike_dh_free(d);
		n++;
	} while ((t = now_s() - t0) < secs);
	ike_dh_free(peer);
	/* two (key pair + derive) per IKE setup: one each side */
	return (double)n / t / 2;
}

static double
setups(int group, double secs)
{
	struct ike_endpoint l = { I_IP, 500 }, r = { R_IP, 500 };
	struct ike_callbacks cb;
	struct ike_engine_cfg cfg;
	monotime_t mt = MONOTIME_SEC;
	unsigned long start_up;
	double t0, t;
	int i;

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
		B.e[i] = ike_engine_new(&cfg, &cb);
		ike_test_ike_group(B.e[i], (uint16_t)group);
	}
	start_up = B.up;
	t0 = now_s();
	do {
		if (ike_initiate(B.e[0], &B.cfg, &l, &r, mt) == -1)
			return 0;
		pump(mt);
		/* DELETE from the initiator; the responder tears down too. */
		ike_peer_remove(B.e[0], B.cfg.link_id, mt);
		pump(mt);
		mt += MONOTIME_MSEC;
	} while ((t = now_s() - t0) < secs);
	for (i = 0; i < 2; i++)
		ike_engine_free(B.e[i]);
	return (double)(B.up - start_up) / t;
}

static const char *
gname(int g)
{
	switch (g) {
	case 19: return "ecp256 (19)";
	case 14: return "modp2048 (14)";
	case 31: return "x25519 (31)";
	case 20: return "ecp384 (20)";
	case 24: return "modp2048s256 (24)";
	}
	return "?";
}

int
main(int argc, char **argv)
{
	static const int def[] = { 19, 14, 31 };
	double secs = argc > 1 ? atof(argv[1]) : 2.0, s, c;
	int i, n, g;

	log_set_level(LOG_ERR);
	memset(&B.cfg, 0, sizeof(B.cfg));
	snprintf(B.cfg.link_id, sizeof(B.cfg.link_id), "bench-link");
	snprintf(B.cfg.name, sizeof(B.cfg.name), "bench");
	B.cfg.zone = 1;
	B.cfg.cpe_ip = I_IP;
	B.cfg.gw_ip = R_IP;
	snprintf(B.cfg.tunnel.psk, sizeof(B.cfg.tunnel.psk), "bench-psk-0123");
	if (secs <= 0)
		secs = 2.0;
	n = argc > 2 ? argc - 2 : 3;
	printf("IKE_SA + first CHILD_SA setups/s, one core, in-process "
	    "(initiator + responder; aes256gcm16-prfsha384, ESP aes256gcm16)\n");
	printf("%-18s %12s %16s %8s\n", "group", "setups/s", "DH ceiling/s",
	    "ratio");
	for (i = 0; i < n; i++) {
		g = argc > 2 ? atoi(argv[i + 2]) : def[i];
		c = dh_ceiling(g, secs / 2);
		s = setups(g, secs);
		printf("%-18s %12.0f %16.0f %7.0f%%\n", gname(g), s, c,
		    c > 0 ? 100 * s / c : 0);
		fflush(stdout);
	}
	if (B.dropped > 0)
		printf("(queue drops: %lu)\n", B.dropped);
	return 0;
}
