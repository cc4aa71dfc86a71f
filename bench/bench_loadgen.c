/*
 * bench_loadgen.c - N simulated branches against one gateway, in one
 * process, with the project's own IKEv2 initiator (ike.h) and ESP
 * (esp_in/esp_out). bench/loadgen.sh builds the world around it.
 *
 *   per branch      one UDP socket on public_ip:4500 (its own address; all
 *                   on one veth), IKE and ESP-in-UDP from the start (RFC
 *                   7296 §2.23 lets an initiator begin on 4500), the PSK
 *                   of its link
 *   one TUN         carries every branch's inner address (the link's BGP
 *                   peerIpAddress, /32) and a route to the gateways' BGP
 *                   addresses; BIRD in the same namespace runs one BGP
 *                   protocol per branch through it (kernel TCP)
 *   TUN -> ESP      by the packet's source address: inner source -> branch
 *                   -> its current outbound SA
 *   ESP -> TUN      by the socket it arrived on; the SPI picks the SA
 *   trickle         every --ping-s seconds each branch that is up sends one
 *                   ICMP echo from its inner address to its gateway BGP
 *                   address, built here; replies are counted, not written
 *
 * Initiations are paced: at most --window IKE SAs half-open at once, so
 * the setup rate measured is the gateway's, not a retransmission storm.
 * Every second --status FILE is rewritten (atomically) with the totals;
 * the shell side polls it. SIGTERM: DELETE for every IKE SA, then exit.
 *
 * usage: bench_loadgen --gateway IP --branches FILE --tun NAME
 *        --status FILE [--window N] [--ping-s N] [--natt-port N]
 * FILE: one branch a line: "public_ip peer_bgp gw_bgp psk" (mode 0600).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "esp_in.h"
#include "esp_out.h"
#include "esp_sa.h"
#include "esp_wire.h"
#include "ike.h"
#include "ip4.h"
#include "log.h"
#include "monotime.h"
#include "tun.h"
#include "vnet.h"

#define LG_MAX		20000
#define LG_IN_SAS	4		/* inbound SAs kept per branch (rekeys) */
#define LG_PKT		4096
#define LG_TUN_ID	(LG_MAX + 1)	/* epoll tag of the TUN */
#define LG_ECHO_ID	0x4c47		/* "LG": ICMP identifier of ours */
#define LG_BACKOFF_MAX	(30 * MONOTIME_SEC)

struct lg_branch {
	uint32_t	 pub, peer, gwl;
	int		 fd;
	struct ike_peer_cfg cfg;
	struct esp_sa	*in[LG_IN_SAS];
	struct esp_sa	*out;
	struct ike_endpoint remote;	/* where ESP goes */
	bool		 up, pending;	/* tunnel up; IKE_SA_INIT in flight */
	monotime_t	 next_try, backoff;
	uint64_t	 ups, echo_tx, echo_rx, esp_rx, esp_tx, esp_drop;
	uint16_t	 echo_seq;
};

struct lg {
	struct lg_branch *b;
	unsigned	 n, up, pending, window, ping_s;
	uint32_t	 gw;
	uint16_t	 natt;
	struct ike_engine *ike;
	struct tun	*tun;
	int		 tun_fd, ep;
	/* Open addressing: ip -> branch index + 1 (0 = empty). */
	uint32_t	*pub_key, *peer_key;
	unsigned	*pub_val, *peer_val;
	unsigned	 mask;
	monotime_t	 start, all_up_at, first_up_at;
	uint64_t	 tun_rx, tun_drop, setups, downs;
	const char	*status;
};

static volatile sig_atomic_t lg_stop;

static void
lg_on_signal(int sig)
{
	(void)sig;
	lg_stop = 1;
}

/* --- address maps ------------------------------------------------------------ */

static unsigned
lg_hash(uint32_t ip)
{
	return (ip * 2654435761u) >> 7;
}

static void
lg_map_put(struct lg *g, uint32_t *key, unsigned *val, uint32_t ip, unsigned i)
{
	unsigned h = lg_hash(ip) & g->mask;

	while (val[h] != 0 && key[h] != ip)
		h = (h + 1) & g->mask;
	key[h] = ip;
	val[h] = i + 1;
}

static struct lg_branch *
lg_map_get(const struct lg *g, const uint32_t *key, const unsigned *val,
    uint32_t ip)
{
	unsigned h = lg_hash(ip) & g->mask;

	while (val[h] != 0) {
		if (key[h] == ip)
			return &g->b[val[h] - 1];
		h = (h + 1) & g->mask;
	}
	return NULL;
}

static struct lg_branch *
lg_by_link(struct lg *g, const char *link_id)
{
	unsigned long i = strtoul(link_id, NULL, 10);

	return i < g->n ? &g->b[i] : NULL;
}

/* --- engine callbacks ------------------------------------------------------------ */

static void
lg_send(void *arg, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	struct lg *g = arg;
	struct lg_branch *b = lg_map_get(g, g->pub_key, g->pub_val, local->ip);
	uint8_t buf[LG_PKT];
	struct sockaddr_in sin;

	if (b == NULL || len + 4 > sizeof(buf))
		return;
	/* RFC 3948 §2.2: IKE on the NAT-T port behind the non-ESP marker. */
	memset(buf, 0, 4);
	memcpy(buf + 4, pkt, len);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(remote->ip);
	sin.sin_port = htons(remote->port);
	(void)sendto(b->fd, buf, len + 4, 0, (struct sockaddr *)&sin,
	    sizeof(sin));
}

static int
lg_lookup(void *arg, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, unsigned nth, struct ike_peer_cfg *out)
{
	(void)arg; (void)local; (void)remote; (void)nth; (void)out;
	return -1;	/* the gateway never initiates */
}

static void
lg_child_install(void *arg, const struct ike_child_sa *sa)
{
	struct lg *g = arg;
	struct lg_branch *b = lg_by_link(g, sa->link_id);
	struct esp_sa *in, *out;
	monotime_t now = monotime_now();
	unsigned k;

	if (b == NULL)
		return;
	in = esp_sa_new(sa, ESP_DIR_IN, NULL, now);
	out = esp_sa_new(sa, ESP_DIR_OUT, NULL, now);
	if (in == NULL || out == NULL) {
		log_err("loadgen: branch %s: CHILD SA not usable", sa->link_id);
		esp_sa_free(in);
		esp_sa_free(out);
		return;
	}
	/* The oldest inbound SA makes room; a rekey deletes it soon anyway. */
	esp_sa_free(b->in[LG_IN_SAS - 1]);
	for (k = LG_IN_SAS - 1; k > 0; k--)
		b->in[k] = b->in[k - 1];
	b->in[0] = in;
	esp_sa_free(b->out);
	b->out = out;
	b->remote = sa->remote;
}

static void
lg_child_delete(void *arg, const char *link_id, uint32_t spi_in,
    uint32_t spi_out)
{
	struct lg *g = arg;
	struct lg_branch *b = lg_by_link(g, link_id);
	unsigned k;

	if (b == NULL)
		return;
	for (k = 0; k < LG_IN_SAS; k++)
		if (b->in[k] != NULL && esp_sa_spi(b->in[k]) == spi_in) {
			esp_sa_free(b->in[k]);
			b->in[k] = NULL;
		}
	if (b->out != NULL && esp_sa_spi(b->out) == spi_out) {
		esp_sa_free(b->out);
		b->out = NULL;
	}
}

static void
lg_event(void *arg, const struct ike_event *ev)
{
	struct lg *g = arg;
	struct lg_branch *b = ev->link_id != NULL ? lg_by_link(g, ev->link_id) :
	    NULL;
	monotime_t now = monotime_now();

	if (b == NULL)
		return;
	switch (ev->type) {
	case IKE_EV_TUNNEL_UP:
		if (b->pending) {
			b->pending = false;
			g->pending--;
		}
		if (!b->up) {
			b->up = true;
			g->up++;
		}
		b->ups++;
		g->setups++;
		b->backoff = MONOTIME_SEC;
		if (g->first_up_at == 0)
			g->first_up_at = now;
		if (g->up == g->n && g->all_up_at == 0)
			g->all_up_at = now;
		break;
	case IKE_EV_TUNNEL_DOWN:
	case IKE_EV_REJECT:
		if (b->pending) {
			b->pending = false;
			g->pending--;
		}
		if (ev->type == IKE_EV_TUNNEL_DOWN && b->up) {
			b->up = false;
			g->up--;
			g->downs++;
		}
		if (!b->up && !ike_link_up(g->ike, ev->link_id, 1)) {
			b->next_try = now + b->backoff;
			if ((b->backoff *= 2) > LG_BACKOFF_MAX)
				b->backoff = LG_BACKOFF_MAX;
		}
		if (ev->type == IKE_EV_REJECT || ev->reason != IKE_R_LOCAL_DELETE)
			log_warn("loadgen: branch %s %s: %s", ev->link_id,
			    ev->type == IKE_EV_REJECT ? "rejected" : "down",
			    ev->detail != NULL ? ev->detail : "-");
		break;
	case IKE_EV_REKEYED:
		break;
	}
}

/* --- data ------------------------------------------------------------------------ */

static uint16_t
lg_csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
lg_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
lg_put32(uint8_t *p, uint32_t v)
{
	lg_put16(p, (uint16_t)(v >> 16));
	lg_put16(p + 2, (uint16_t)v);
}

static uint32_t
lg_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Seal an inner IPv4 packet with b's outbound SA and send it. */
static void
lg_seal(struct lg *g, struct lg_branch *b, const uint8_t *ip, size_t len,
    monotime_t now)
{
	uint8_t out[LG_PKT];
	size_t olen;
	struct sockaddr_in sin;

	if (b->out == NULL || esp_out(b->out, esp_sa_crypto(b->out, 0), ip,
	    len, ESP_NH_IPV4, out, sizeof(out), &olen, now) != ESP_OK) {
		g->tun_drop++;
		return;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(b->remote.ip);
	sin.sin_port = htons(b->remote.port);
	if (sendto(b->fd, out, olen, 0, (struct sockaddr *)&sin,
	    sizeof(sin)) == (ssize_t)olen)
		b->esp_tx++;
}

/* One ICMP echo request, inner address -> the gateway's BGP address. */
static void
lg_ping(struct lg *g, struct lg_branch *b, monotime_t now)
{
	uint8_t p[20 + 8 + 32];

	memset(p, 0, sizeof(p));
	p[0] = 0x45;
	lg_put16(p + 2, sizeof(p));
	p[8] = 64;
	p[9] = 1;
	lg_put32(p + 12, b->peer);
	lg_put32(p + 16, b->gwl);
	lg_put16(p + 10, lg_csum(p, 20));
	p[20] = 8;
	lg_put16(p + 24, LG_ECHO_ID);
	lg_put16(p + 26, ++b->echo_seq);
	memset(p + 28, 0x61, 32);
	lg_put16(p + 22, lg_csum(p + 20, sizeof(p) - 20));
	b->echo_tx++;
	lg_seal(g, b, p, sizeof(p), now);
}

static void
lg_tun_read(struct lg *g, monotime_t now)
{
	uint8_t f[LG_PKT], *p = f + VNET_HDR_LEN;
	struct lg_branch *b;
	ssize_t n;

	while ((n = read(g->tun_fd, f, sizeof(f))) > 0) {
		g->tun_rx++;
		n -= VNET_HDR_LEN;
		if (n < 20 || (p[0] >> 4) != 4 || (b = lg_map_get(g,
		    g->peer_key, g->peer_val, lg_get32(p + 12))) == NULL ||
		    !b->up) {
			g->tun_drop++;
			continue;
		}
		lg_seal(g, b, p, (size_t)n, now);
	}
}

static void
lg_esp_in(struct lg *g, struct lg_branch *b, uint8_t *p, size_t len,
    monotime_t now)
{
	uint8_t frame[LG_PKT];
	const uint8_t *inner;
	size_t ilen, hl;
	uint8_t nh;
	uint32_t spi = lg_get32(p);
	unsigned k;

	for (k = 0; k < LG_IN_SAS; k++)
		if (b->in[k] != NULL && esp_sa_spi(b->in[k]) == spi)
			break;
	if (k == LG_IN_SAS || esp_in(b->in[k], esp_sa_crypto(b->in[k], 0), p,
	    len, &inner, &ilen, &nh, now) != ESP_OK || nh != ESP_NH_IPV4 ||
	    ilen < 20) {
		b->esp_drop++;
		return;
	}
	b->esp_rx++;
	hl = (size_t)(inner[0] & 0x0f) * 4;
	/* Our echo's reply: counted here, the kernel never asked for it. */
	if (inner[9] == 1 && ilen >= hl + 8 && inner[hl] == 0 &&
	    inner[hl + 4] == (LG_ECHO_ID >> 8) &&
	    inner[hl + 5] == (LG_ECHO_ID & 0xff)) {
		b->echo_rx++;
		return;
	}
	if (ilen > sizeof(frame) - VNET_HDR_LEN) {
		b->esp_drop++;
		return;
	}
	memset(frame, 0, VNET_HDR_LEN);
	memcpy(frame + VNET_HDR_LEN, inner, ilen);
	if (write(g->tun_fd, frame, ilen + VNET_HDR_LEN) !=
	    (ssize_t)(ilen + VNET_HDR_LEN))
		b->esp_drop++;
}

static void
lg_udp_read(struct lg *g, struct lg_branch *b, monotime_t now)
{
	uint8_t p[LG_PKT];
	struct sockaddr_in sin;
	socklen_t sl;
	ssize_t n;
	struct ike_endpoint l = { b->pub, g->natt }, r;

	for (;;) {
		sl = sizeof(sin);
		n = recvfrom(b->fd, p, sizeof(p), 0, (struct sockaddr *)&sin,
		    &sl);
		if (n < 0)
			return;
		r.ip = ntohl(sin.sin_addr.s_addr);
		r.port = ntohs(sin.sin_port);
		switch (esp_udp_classify(p, (size_t)n)) {
		case ESP_UDP_IKE:
			ike_input(g->ike, &l, &r, p + 4, (size_t)n - 4, now);
			break;
		case ESP_UDP_ESP:
			lg_esp_in(g, b, p, (size_t)n, now);
			break;
		default:
			break;
		}
	}
}

/* --- pacing, status ---------------------------------------------------------- */

static void
lg_initiate(struct lg *g, monotime_t now)
{
	struct ike_endpoint r = { g->gw, g->natt };
	struct ike_endpoint l;
	unsigned i;

	for (i = 0; i < g->n && g->pending < g->window && !lg_stop; i++) {
		struct lg_branch *b = &g->b[i];

		if (b->up || b->pending || now < b->next_try ||
		    ike_link_up(g->ike, b->cfg.link_id, 1))
			continue;
		l.ip = b->pub;
		l.port = g->natt;
		b->next_try = now + b->backoff;
		if (ike_initiate(g->ike, &b->cfg, &l, &r, now) == -1)
			continue;
		b->pending = true;
		g->pending++;
	}
}

static double
lg_ms(monotime_t a, monotime_t b)
{
	return a == 0 ? -1.0 : (double)(a - b) / (double)MONOTIME_MSEC;
}

static void
lg_write_status(struct lg *g, monotime_t now)
{
	char tmp[4096];
	FILE *f;
	unsigned i, echo_ok = 0, esp_ok = 0;
	uint64_t etx = 0, erx = 0, drop = 0;

	for (i = 0; i < g->n; i++) {
		etx += g->b[i].echo_tx;
		erx += g->b[i].echo_rx;
		drop += g->b[i].esp_drop;
		echo_ok += g->b[i].echo_rx > 0;
		esp_ok += g->b[i].esp_rx > 0 && g->b[i].esp_tx > 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", g->status);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fprintf(f, "branches=%u\nup=%u\nhalf_open=%u\nsetups=%llu\n"
	    "downs=%llu\nall_up_ms=%.0f\nfirst_up_ms=%.0f\nuptime_ms=%.0f\n"
	    "echo_tx=%llu\necho_rx=%llu\nechoed_branches=%u\n"
	    "esp_both_ways_branches=%u\nesp_drop=%llu\ntun_rx=%llu\n"
	    "tun_drop=%llu\n", g->n, g->up, g->pending,
	    (unsigned long long)g->setups, (unsigned long long)g->downs,
	    lg_ms(g->all_up_at, g->start), lg_ms(g->first_up_at, g->start),
	    lg_ms(now, g->start), (unsigned long long)etx,
	    (unsigned long long)erx, echo_ok, esp_ok,
	    (unsigned long long)drop, (unsigned long long)g->tun_rx,
	    (unsigned long long)g->tun_drop);
	if (fclose(f) == 0)
		(void)rename(tmp, g->status);
}

/* --- set-up ------------------------------------------------------------------ */

static int
lg_load(struct lg *g, const char *path)
{
	char line[512], pub[32], peer[32], gwl[32], psk[MODEL_PSK_MAX + 2];
	FILE *f;
	int rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		log_err("loadgen: %s: %m", path);
		return -1;
	}
	if ((g->b = calloc(LG_MAX, sizeof(*g->b))) == NULL)
		goto out;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct lg_branch *b;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (g->n == LG_MAX || sscanf(line, "%31s %31s %31s %257s", pub,
		    peer, gwl, psk) != 4) {
			log_err("loadgen: %s: bad line or too many branches",
			    path);
			goto out;
		}
		b = &g->b[g->n];
		if (ip4_parse(pub, &b->pub) == -1 ||
		    ip4_parse(peer, &b->peer) == -1 ||
		    ip4_parse(gwl, &b->gwl) == -1 || strlen(psk) < MODEL_PSK_MIN ||
		    strlen(psk) > MODEL_PSK_MAX) {
			log_err("loadgen: %s: bad branch %u", path, g->n);
			goto out;
		}
		snprintf(b->cfg.tenant_id, sizeof(b->cfg.tenant_id), "lg");
		snprintf(b->cfg.rn_id, sizeof(b->cfg.rn_id), "lg");
		snprintf(b->cfg.link_id, sizeof(b->cfg.link_id), "%u", g->n);
		snprintf(b->cfg.name, sizeof(b->cfg.name), "branch %s", pub);
		b->cfg.zone = 1;
		b->cfg.cpe_ip = b->pub;
		b->cfg.gw_ip = g->gw;
		memcpy(b->cfg.tunnel.psk, psk, strlen(psk) + 1);
		b->backoff = MONOTIME_SEC;
		b->fd = -1;
		g->n++;
	}
	rc = g->n > 0 ? 0 : -1;
out:
	explicit_bzero(psk, sizeof(psk));
	explicit_bzero(line, sizeof(line));
	fclose(f);
	return rc;
}

static int
lg_socket(uint32_t ip, uint16_t port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(ip);
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
lg_setup(struct lg *g, const char *tun_name)
{
	struct ike_engine_cfg ic;
	struct ike_callbacks cb;
	struct tun_cfg tc;
	struct epoll_event ev;
	struct rlimit rl;
	unsigned i, sz = 4;
	int nsfd;
	char a[IP4_STRLEN];

	rl.rlim_cur = rl.rlim_max = g->n + 256;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("loadgen: RLIMIT_NOFILE %u: %m", g->n + 256);
	while (sz < 2 * g->n)
		sz <<= 1;
	g->mask = sz - 1;
	g->pub_key = calloc(sz, sizeof(uint32_t));
	g->peer_key = calloc(sz, sizeof(uint32_t));
	g->pub_val = calloc(sz, sizeof(unsigned));
	g->peer_val = calloc(sz, sizeof(unsigned));
	if (g->pub_key == NULL || g->peer_key == NULL || g->pub_val == NULL ||
	    g->peer_val == NULL)
		return -1;
	if ((g->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;

	ike_engine_cfg_defaults(&ic);
	memset(&cb, 0, sizeof(cb));
	cb.arg = g;
	cb.send = lg_send;
	cb.lookup = lg_lookup;
	cb.child_install = lg_child_install;
	cb.child_delete = lg_child_delete;
	cb.event = lg_event;
	if ((g->ike = ike_engine_new(&ic, &cb)) == NULL)
		return -1;

	if ((nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	memset(&tc, 0, sizeof(tc));
	tc.name = tun_name;
	i = (unsigned)tun_open(&g->tun, nsfd, &tc);
	close(nsfd);
	if ((int)i == -1) {
		log_err("loadgen: cannot create TUN %s", tun_name);
		return -1;
	}
	g->tun_fd = tun_fd(g->tun, 0);
	(void)fcntl(g->tun_fd, F_SETFL, fcntl(g->tun_fd, F_GETFL) | O_NONBLOCK);
	/*
	 * The TUN has IFF_VNET_HDR (tun-linux.c): offloads off here, so each
	 * read is one packet with its checksums done behind a zero header.
	 */
	if (ioctl(g->tun_fd, TUNSETOFFLOAD, 0UL) == -1) {
		log_err("loadgen: TUNSETOFFLOAD: %m");
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = LG_TUN_ID;
	if (epoll_ctl(g->ep, EPOLL_CTL_ADD, g->tun_fd, &ev) == -1)
		return -1;

	for (i = 0; i < g->n; i++) {
		struct lg_branch *b = &g->b[i];

		lg_map_put(g, g->pub_key, g->pub_val, b->pub, i);
		lg_map_put(g, g->peer_key, g->peer_val, b->peer, i);
		if ((b->fd = lg_socket(b->pub, g->natt)) == -1) {
			log_err("loadgen: cannot bind %s:%u: %m",
			    ip4_fmt(b->pub, a), g->natt);
			return -1;
		}
		ev.data.u32 = i;
		if (epoll_ctl(g->ep, EPOLL_CTL_ADD, b->fd, &ev) == -1)
			return -1;
		if (tun_addr_add(g->tun, b->peer) == -1 ||
		    tun_route_add(g->tun, b->gwl, 32) == -1) {
			log_err("loadgen: TUN address/route for branch %u: %m",
			    i);
			return -1;
		}
	}
	return 0;
}

static void
lg_usage(void)
{
	fprintf(stderr, "usage: bench_loadgen --gateway IP --branches FILE "
	    "--tun NAME --status FILE [--window N] [--ping-s N] "
	    "[--natt-port N]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct lg g;
	struct epoll_event evs[256];
	struct sigaction sa;
	const char *branches = NULL, *tun_name = NULL;
	monotime_t now, next_sec, dl, stop_at = 0;
	unsigned tick = 0, i;
	int k, n, ms;
	char gwa[IP4_STRLEN];

	memset(&g, 0, sizeof(g));
	g.window = 32;
	g.ping_s = 5;
	g.natt = 4500;
	for (k = 1; k < argc; k++) {
		const char *v = k + 1 < argc ? argv[k + 1] : NULL;

		if (v == NULL)
			lg_usage();
		if (strcmp(argv[k], "--gateway") == 0) {
			if (ip4_parse(v, &g.gw) == -1)
				lg_usage();
		} else if (strcmp(argv[k], "--branches") == 0)
			branches = v;
		else if (strcmp(argv[k], "--tun") == 0)
			tun_name = v;
		else if (strcmp(argv[k], "--status") == 0)
			g.status = v;
		else if (strcmp(argv[k], "--window") == 0)
			g.window = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(argv[k], "--ping-s") == 0)
			g.ping_s = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(argv[k], "--natt-port") == 0)
			g.natt = (uint16_t)strtoul(v, NULL, 10);
		else
			lg_usage();
		k++;
	}
	if (g.gw == 0 || branches == NULL || tun_name == NULL ||
	    g.status == NULL || g.window == 0 || g.ping_s == 0)
		lg_usage();
	log_set_level(LOG_INFO);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lg_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (lg_load(&g, branches) == -1 || lg_setup(&g, tun_name) == -1) {
		log_err("loadgen: set-up failed");
		return 1;
	}
	log_info("loadgen: %u branches, gateway %s, window %u, ping every %u s",
	    g.n, ip4_fmt(g.gw, gwa), g.window, g.ping_s);

	g.start = now = monotime_now();
	next_sec = now;
	for (;;) {
		now = monotime_now();
		if (lg_stop && stop_at == 0) {
			ike_shutdown(g.ike, now);
			stop_at = now + MONOTIME_SEC / 2;
		}
		if (stop_at != 0 && now >= stop_at)
			break;
		ike_tick(g.ike, now);
		if (now >= next_sec) {
			tick++;
			/* The trickle, spread over ping_s seconds. */
			for (i = tick % g.ping_s; i < g.n && stop_at == 0;
			    i += g.ping_s)
				if (g.b[i].up)
					lg_ping(&g, &g.b[i], now);
			lg_write_status(&g, now);
			next_sec = now + MONOTIME_SEC;
		}
		lg_initiate(&g, now);
		dl = ike_next_deadline(g.ike);
		if (dl > next_sec)
			dl = next_sec;
		/* Pending initiations (window freed) are retried within 100 ms. */
		ms = dl <= now ? 0 : (int)((dl - now) / MONOTIME_MSEC) + 1;
		if (ms > 100)
			ms = 100;
		n = epoll_wait(g.ep, evs, 256, ms);
		now = monotime_now();
		for (k = 0; k < n; k++) {
			if (evs[k].data.u32 == LG_TUN_ID)
				lg_tun_read(&g, now);
			else if (evs[k].data.u32 < g.n)
				lg_udp_read(&g, &g.b[evs[k].data.u32], now);
		}
	}
	lg_write_status(&g, monotime_now());
	log_info("loadgen: stopped: %llu setups, %u up", (unsigned long long)g.setups,
	    g.up);
	ike_engine_free(g.ike);
	for (i = 0; i < g.n; i++) {
		for (k = 0; k < LG_IN_SAS; k++)
			esp_sa_free(g.b[i].in[k]);
		esp_sa_free(g.b[i].out);
		if (g.b[i].fd != -1)
			close(g.b[i].fd);
		explicit_bzero(&g.b[i].cfg.tunnel, sizeof(g.b[i].cfg.tunnel));
	}
	tun_close(g.tun);
	free(g.b);
	free(g.pub_key);
	free(g.peer_key);
	free(g.pub_val);
	free(g.peer_val);
	close(g.ep);
	return 0;
}
