/*
 * gw_bfd.c - the host of one BFD session (gw_bfd.h): a receive socket on
 * the gateway BGP address, port 4784 (RFC 5883 §5), and a send socket on
 * the same address with a source port in 49152-65535 (RFC 5881 §4), both
 * made inside the tenant namespace; packets from anyone but the session's
 * peer, or for another discriminator, are dropped (§6.8.6 demultiplexing).
 */
#include "gw_bfd.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "gw_dp.h"
#include "ip4.h"
#include "log.h"
#include "model.h"

#define GW_BFD_RETRY	(5 * MONOTIME_SEC)

struct gw_bfd {
	struct gw_bfd_cfg cfg;
	char		 tenant_id[MODEL_ID_LEN + 1];
	int		 rfd, sfd;
	struct event	*ev_rx, *ev_timer;
	struct bfd_session *s;
	bool		 heard, warned, was_up;
	monotime_t	 retry_at;
	uint64_t	 dropped;
};

static void
gw_bfd_arm(struct gw_bfd *b, monotime_t now)
{
	monotime_t dl = bfd_next_deadline(b->s), t;
	struct timeval tv;

	if (b->rfd == -1 && b->retry_at < dl)
		dl = b->retry_at;
	if (dl == MONOTIME_NEVER) {
		evtimer_del(b->ev_timer);
		return;
	}
	t = dl > now ? dl - now : 0;
	t += MONOTIME_SEC / 1000000 - 1;	/* round up: no early spin */
	tv.tv_sec = (time_t)(t / MONOTIME_SEC);
	tv.tv_usec = (suseconds_t)((t % MONOTIME_SEC) / 1000);
	evtimer_add(b->ev_timer, &tv);
}

static void
gw_bfd_cb_send(void *arg, const uint8_t *pkt, size_t len)
{
	struct gw_bfd *b = arg;
	struct sockaddr_in to = { .sin_family = AF_INET };

	if (b->sfd == -1)
		return;
	to.sin_port = htons(BFD_PORT_MULTIHOP);
	to.sin_addr.s_addr = htonl(b->cfg.peer);
	(void)sendto(b->sfd, pkt, len, MSG_DONTWAIT, (struct sockaddr *)&to,
	    sizeof(to));
}

static void
gw_bfd_cb_change(void *arg, enum bfd_state st, enum bfd_diag diag)
{
	struct gw_bfd *b = arg;
	struct bfd_status bs;
	char p[IP4_STRLEN], why[96];

	ip4_fmt(b->cfg.peer, p);
	if (st == BFD_UP) {
		log_info("bfd: %s: up", p);
		b->was_up = true;
		return;
	}
	/*
	 * The branch turned BFD off (AdminDown): RFC 5882 §3.2, not a path
	 * failure, so its client is not told. The tunnel rule and the hold
	 * timer still end the session if the path is really gone.
	 */
	if (b->s != NULL && diag == BFD_DIAG_NEIGHBOR_DOWN) {
		bfd_status(b->s, &bs);
		if (bs.remote_state == BFD_ADMIN_DOWN) {
			log_info("bfd: %s: down: the branch set it "
			    "administratively down (not a path failure)", p);
			return;
		}
	}
	snprintf(why, sizeof(why), "BFD down (%s)",
	    diag == BFD_DIAG_DETECT_EXPIRED ? "nothing heard for the "
	    "detection time" : diag == BFD_DIAG_NEIGHBOR_DOWN ? "the branch "
	    "signalled down" : "administratively down");
	log_info("bfd: %s: %s", p, why);
	if (b->cfg.down != NULL)
		b->cfg.down(b->cfg.arg, why);
}

static uint32_t
gw_bfd_cb_random(void *arg)
{
	uint32_t r = 0;

	(void)arg;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint32_t)monotime_now();
	return r;
}

/* A socket in the tenant's namespace bound to local:port (FREEBIND). */
static int
gw_bfd_socket(struct gw_bfd *b, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd, one = 1, ttl = 255;

	if ((fd = gw_dp_tenant_socket(b->cfg.dp, b->tenant_id,
	    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return -1;
	(void)setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	(void)setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(b->cfg.local);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
gw_bfd_on_rx(evutil_socket_t fd, short what, void *arg)
{
	struct gw_bfd *b = arg;
	struct sockaddr_in from;
	socklen_t fl;
	struct bfd_pkt p;
	uint8_t buf[128];
	monotime_t now = monotime_now();
	ssize_t n;
	int i;

	(void)what;
	for (i = 0; i < 16; i++) {
		fl = sizeof(from);
		if ((n = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fl)) < 0)
			break;
		if (fl < sizeof(from) ||
		    ntohl(from.sin_addr.s_addr) != b->cfg.peer ||
		    bfd_pkt_parse(buf, (size_t)n, &p) == -1 ||
		    (p.your_disc != 0 && p.your_disc != b->cfg.disc)) {
			b->dropped++;
			continue;
		}
		b->heard = true;
		bfd_input(b->s, &p, now);
	}
	gw_bfd_arm(b, now);
}

/* Both sockets; 0, or -1 with a retry set. */
static int
gw_bfd_sockets(struct gw_bfd *b, monotime_t now)
{
	char a[IP4_STRLEN];
	uint16_t port;
	int k;

	if ((b->rfd = gw_bfd_socket(b, BFD_PORT_MULTIHOP)) == -1)
		goto fail;
	/* RFC 5881 §4: a source port from 49152 up, ours by discriminator. */
	for (k = 0; k < 8 && b->sfd == -1; k++) {
		port = (uint16_t)(49152 + (b->cfg.disc + (uint32_t)k * 997) %
		    16384);
		b->sfd = gw_bfd_socket(b, port);
	}
	if (b->sfd == -1)
		goto fail;
	if ((b->ev_rx = event_new(b->cfg.base, b->rfd, EV_READ | EV_PERSIST,
	    gw_bfd_on_rx, b)) == NULL || event_add(b->ev_rx, NULL) == -1)
		goto fail;
	b->warned = false;
	return 0;
fail:
	if (!b->warned)
		log_warn("bfd: tenant %s: cannot listen on %s:%d (%s); "
		    "retrying", b->tenant_id, ip4_fmt(b->cfg.local, a),
		    BFD_PORT_MULTIHOP, strerror(errno));
	b->warned = true;
	if (b->ev_rx != NULL)
		event_free(b->ev_rx);
	b->ev_rx = NULL;
	if (b->rfd != -1)
		close(b->rfd);
	if (b->sfd != -1)
		close(b->sfd);
	b->rfd = b->sfd = -1;
	b->retry_at = now + GW_BFD_RETRY;
	return -1;
}

static void
gw_bfd_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct gw_bfd *b = arg;
	monotime_t now = monotime_now();

	(void)fd;
	(void)what;
	if (b->rfd == -1 && now >= b->retry_at)
		(void)gw_bfd_sockets(b, now);
	bfd_tick(b->s, now);
	gw_bfd_arm(b, now);
}

struct gw_bfd *
gw_bfd_open(const struct gw_bfd_cfg *cfg)
{
	struct bfd_cfg bc = { .local_disc = cfg->disc };
	struct bfd_callbacks cb = { .send = gw_bfd_cb_send,
	    .change = gw_bfd_cb_change, .random = gw_bfd_cb_random };
	struct gw_bfd *b;
	monotime_t now = monotime_now();

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->cfg = *cfg;
	snprintf(b->tenant_id, sizeof(b->tenant_id), "%s", cfg->tenant_id);
	b->cfg.tenant_id = b->tenant_id;
	b->rfd = b->sfd = -1;
	cb.arg = b;
	if ((b->s = bfd_session_new(&bc, &cb)) == NULL ||
	    (b->ev_timer = evtimer_new(cfg->base, gw_bfd_on_timer, b)) == NULL) {
		gw_bfd_close(b);
		return NULL;
	}
	(void)gw_bfd_sockets(b, now);
	gw_bfd_arm(b, now);
	return b;
}

void
gw_bfd_close(struct gw_bfd *b)
{
	if (b == NULL)
		return;
	if (b->s != NULL) {
		b->cfg.down = NULL;	/* the owner is going: no call back */
		bfd_admin_down(b->s, monotime_now());
		bfd_session_free(b->s);
	}
	if (b->ev_rx != NULL)
		event_free(b->ev_rx);
	if (b->ev_timer != NULL)
		event_free(b->ev_timer);
	if (b->rfd != -1)
		close(b->rfd);
	if (b->sfd != -1)
		close(b->sfd);
	free(b);
}

bool
gw_bfd_status(const struct gw_bfd *b, struct bfd_status *st)
{
	memset(st, 0, sizeof(*st));
	if (b == NULL || !b->heard)
		return false;
	bfd_status(b->s, st);
	return true;
}
