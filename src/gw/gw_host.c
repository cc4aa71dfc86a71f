/*
 * gw_host.c - the event loop both roles run (gw_host.h): UDP and the ESP
 * workers' IKE hand-off into the engine, the engine's timer, the signals,
 * and CHILD SAs into an ESP table. What differs between the roles (stats,
 * reloads, initiating, log lines) stays in gw.c, gw_dp.c and cpe_role/cpe_role.c.
 */
#include "gw_host.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "esp_sa.h"
#include "esp_table.h"
#include "esp_worker.h"
#include "ike.h"
#include "log.h"
#include "udp.h"

#define GW_HOST_UDP_FDS		8
#define GW_HOST_NSIGS		3
#define GW_HOST_GRACE_MS	500
#define GW_HOST_IKE_MAX		(sizeof(struct esp_worker_ike) + 65536)

struct gw_host {
	struct gw_host_ops	 ops;
	struct event_base	*base;
	struct ike_engine	*ike;
	struct udp		*udp;
	struct event		*ev_udp[GW_HOST_UDP_FDS];
	size_t			 nev_udp;
	struct event		*ev_timer, *ev_tick, *ev_dp_ike;
	struct event		*ev_sig[GW_HOST_NSIGS];
	uint8_t			*ike_buf;
	bool			 stopping;
};

/* --- loop -------------------------------------------------------------------- */

void
gw_host_timer_arm(struct gw_host *h)
{
	monotime_t dl = ike_next_deadline(h->ike), d;
	struct timeval tv;

	if (dl == MONOTIME_NEVER) {
		evtimer_del(h->ev_timer);
		return;
	}
	d = dl - monotime_now();
	if (d < 0)
		d = 0;
	tv.tv_sec = (time_t)(d / MONOTIME_SEC);
	tv.tv_usec = (suseconds_t)((d % MONOTIME_SEC) / 1000);
	/* Round up: waking a microsecond early would spin once for nothing. */
	if (d % 1000 != 0 && ++tv.tv_usec == 1000000) {
		tv.tv_sec++;
		tv.tv_usec = 0;
	}
	evtimer_add(h->ev_timer, &tv);
}

static void
gw_host_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct gw_host *h = arg;

	(void)fd;
	(void)what;
	ike_tick(h->ike, monotime_now());
	gw_host_timer_arm(h);
}

static void
gw_host_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct gw_host *h = arg;

	(void)fd;
	(void)what;
	h->ops.tick(h->ops.arg, monotime_now());
	gw_host_timer_arm(h);
}

static void
gw_host_on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct gw_host *h = arg;
	struct timeval grace = { 0, GW_HOST_GRACE_MS * 1000 };

	(void)what;
	if (sig == SIGHUP) {
		h->ops.hup(h->ops.arg);
		return;
	}
	if (h->stopping) {
		event_base_loopbreak(h->base);
		return;
	}
	log_info("signal %d: shutting down; %s", (int)sig, h->ops.stopping);
	h->stopping = true;
	ike_shutdown(h->ike, monotime_now());
	gw_host_timer_arm(h);
	/* The DELETEs left in ike_shutdown; stay to answer their replies. */
	event_base_loopexit(h->base, &grace);
}

/* --- I/O --------------------------------------------------------------------- */

static void
gw_host_udp_ike(void *arg, const struct udp_endpoint *local,
    const struct udp_endpoint *remote, const uint8_t *pkt, size_t len)
{
	struct gw_host *h = arg;
	struct ike_endpoint l = { local->ip, local->port };
	struct ike_endpoint r = { remote->ip, remote->port };

	ike_input(h->ike, &l, &r, pkt, len, monotime_now());
}

static void
gw_host_on_udp(evutil_socket_t fd, short what, void *arg)
{
	struct gw_host *h = arg;

	(void)what;
	udp_read(h->udp, fd);
	gw_host_timer_arm(h);
}

/* IKE that reached an ESP worker's socket (see esp_worker.h). */
static void
gw_host_on_dp_ike(evutil_socket_t fd, short what, void *arg)
{
	struct gw_host *h = arg;
	struct esp_worker_ike hdr;
	struct udp_endpoint l, r;
	ssize_t n;
	int i;

	(void)what;
	for (i = 0; i < 64; i++) {
		n = recv(fd, h->ike_buf, GW_HOST_IKE_MAX, MSG_DONTWAIT);
		if (n < (ssize_t)sizeof(hdr))
			break;
		memcpy(&hdr, h->ike_buf, sizeof(hdr));
		l.ip = hdr.local_ip;
		l.port = hdr.local_port;
		r.ip = hdr.remote_ip;
		r.port = hdr.remote_port;
		udp_demux(h->udp, true, &l, &r, h->ike_buf + sizeof(hdr),
		    (size_t)n - sizeof(hdr));
	}
	gw_host_timer_arm(h);
}

void
gw_host_send(struct gw_host *h, const struct ike_endpoint *local,
    const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	struct udp_endpoint l = { local->ip, local->port };
	struct udp_endpoint r = { remote->ip, remote->port };

	(void)udp_send(h->udp, &l, &r, pkt, len);
}

/* --- life cycle -------------------------------------------------------------- */

int
gw_host_new(struct gw_host **out, const struct gw_host_ops *ops)
{
	struct gw_host *h;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return -1;
	h->ops = *ops;
	if ((h->base = event_base_new()) == NULL)
		goto fail;
	*out = h;
	return 0;
fail:
	free(h);
	return -1;
}

struct event_base *
gw_host_base(const struct gw_host *h)
{
	return h->base;
}

struct udp *
gw_host_udp(const struct gw_host *h)
{
	return h->udp;
}

bool
gw_host_stopping(const struct gw_host *h)
{
	return h->stopping;
}

int
gw_host_open(struct gw_host *h, struct ike_engine *ike,
    const struct udp_config *uc, size_t *bound)
{
	struct udp_handlers uh;

	h->ike = ike;
	memset(&uh, 0, sizeof(uh));
	uh.arg = h;
	uh.ike = gw_host_udp_ike;
	return udp_open(&h->udp, uc, &uh, bound);
}

int
gw_host_listen(struct gw_host *h)
{
	static const int sigs[GW_HOST_NSIGS] = { SIGTERM, SIGINT, SIGHUP };
	struct timeval sec = { 1, 0 };
	int fds[GW_HOST_UDP_FDS];
	size_t nfd, i;

	nfd = udp_fds(h->udp, fds, GW_HOST_UDP_FDS);
	for (i = 0; i < nfd; i++) {
		h->ev_udp[i] = event_new(h->base, fds[i], EV_READ | EV_PERSIST,
		    gw_host_on_udp, h);
		if (h->ev_udp[i] == NULL || event_add(h->ev_udp[i], NULL) == -1)
			goto fail;
		h->nev_udp++;
	}
	if ((h->ev_timer = evtimer_new(h->base, gw_host_on_timer, h)) == NULL)
		goto fail;
	if (h->ops.tick != NULL && ((h->ev_tick = event_new(h->base, -1,
	    EV_PERSIST, gw_host_on_tick, h)) == NULL ||
	    event_add(h->ev_tick, &sec) == -1))
		goto fail;
	for (i = 0; i < GW_HOST_NSIGS; i++) {
		h->ev_sig[i] = evsignal_new(h->base, sigs[i], gw_host_on_signal,
		    h);
		if (h->ev_sig[i] == NULL || event_add(h->ev_sig[i], NULL) == -1)
			goto fail;
	}
	return 0;
fail:
	return -1;
}

int
gw_host_dp_ike(struct gw_host *h, int fd)
{
	if ((h->ike_buf = malloc(GW_HOST_IKE_MAX)) == NULL)
		goto fail;
	h->ev_dp_ike = event_new(h->base, fd, EV_READ | EV_PERSIST,
	    gw_host_on_dp_ike, h);
	if (h->ev_dp_ike == NULL || event_add(h->ev_dp_ike, NULL) == -1)
		goto fail;
	return 0;
fail:
	return -1;
}

int
gw_host_run(struct gw_host *h)
{
	gw_host_timer_arm(h);
	return event_base_dispatch(h->base) == -1 ? -1 : 0;
}

void
gw_host_drop_engine(struct gw_host *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nev_udp; i++)
		event_free(h->ev_udp[i]);
	h->nev_udp = 0;
	for (i = 0; i < GW_HOST_NSIGS; i++) {
		if (h->ev_sig[i] != NULL)
			event_free(h->ev_sig[i]);
		h->ev_sig[i] = NULL;
	}
	if (h->ev_timer != NULL)
		event_free(h->ev_timer);
	if (h->ev_tick != NULL)
		event_free(h->ev_tick);
	if (h->ev_dp_ike != NULL)
		event_free(h->ev_dp_ike);
	h->ev_timer = h->ev_tick = h->ev_dp_ike = NULL;
	if (h->ike != NULL)
		ike_engine_free(h->ike);
	h->ike = NULL;
}

void
gw_host_free(struct gw_host *h)
{
	if (h == NULL)
		return;
	gw_host_drop_engine(h);
	free(h->ike_buf);
	udp_close(h->udp);
	if (h->base != NULL)
		event_base_free(h->base);
	free(h);
}

/* --- ESP tables -------------------------------------------------------------- */

int
gw_host_sa_install(struct esp_table *t, const struct esp_sa_cfg *sc,
    const struct ike_child_sa *sa, monotime_t now)
{
	struct esp_table_child tc;

	memset(&tc, 0, sizeof(tc));
	tc.link_id = sa->link_id;
	tc.zone = sa->zone;
	tc.local_ip = sa->local.ip;
	tc.local_port = sa->local.port;
	tc.remote_ip = sa->remote.ip;
	tc.remote_port = sa->remote.port;
	tc.udp_encap = sa->udp_encap;
	tc.in = esp_sa_new(sa, ESP_DIR_IN, sc, now);
	tc.out = esp_sa_new(sa, ESP_DIR_OUT, sc, now);
	if (tc.in == NULL || tc.out == NULL ||
	    esp_table_child_add(t, &tc) == -1)
		goto fail;
	return esp_table_commit(t) == -1 ? -2 : 0;
fail:
	esp_sa_free(tc.in);
	esp_sa_free(tc.out);
	return -1;
}

void
gw_host_sa_delete(struct esp_table *t, uint32_t spi_in, monotime_t now)
{
	if (esp_table_child_del(t, spi_in, now) == 0)
		(void)esp_table_commit(t);
}

void
gw_host_sa_update(struct esp_table *t, uint32_t spi_in,
    const struct ike_endpoint *local, const struct ike_endpoint *remote,
    bool udp_encap)
{
	if (esp_table_child_update(t, spi_in, local->ip, local->port,
	    remote->ip, remote->port, udp_encap) == 0)
		(void)esp_table_commit(t);
}

struct gw_host_walk {
	monotime_t	 now;
	void		(*rekey)(void *, const char *, uint32_t, bool);
	void		*arg;
};

static void
gw_host_rekey_one(void *arg, const char *link_id, struct esp_sa *in,
    struct esp_sa *out, bool lingering)
{
	struct gw_host_walk *w = arg;
	unsigned f;

	f = esp_sa_rekey_poll(in, w->now) | esp_sa_rekey_poll(out, w->now);
	if (f != 0 && !lingering)
		w->rekey(w->arg, link_id, esp_sa_spi(in),
		    (f & ESP_REKEY_HARD) != 0);
}

void
gw_host_sa_tick(struct esp_table *t, monotime_t now,
    void (*rekey)(void *, const char *, uint32_t, bool), void *arg)
{
	struct gw_host_walk w = { now, rekey, arg };

	(void)esp_table_tick(t, now);
	esp_table_walk(t, gw_host_rekey_one, &w);
}
