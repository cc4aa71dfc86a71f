/*
 * gw_bgp.c - the gateway's BGP speaker (gw_bgp.h): the host glue around the
 * sans-IO sessions of bgp/ (docs/bgp.md, "Host glue").
 *
 *   listener readable   -> accept4 -> session by (tenant, our address, peer
 *                          address) -> bgp_connected, else close (logged)
 *   connection readable -> bgp_input; writable -> flush its output queue
 *   session send()      -> the connection's output queue (bounded)
 *   route_add/withdraw  -> bgp_policy_import -> gw_dp_learned_add/del
 *   up/down             -> health events; down detaches the connection,
 *                          which is flushed, half-closed and closed
 *   one evtimer         -> bgp_tick of due sessions, listener retries,
 *                          connections closing past their deadline
 *
 * Every event handler ends with gw_bgp_settle(): connections that failed
 * are reported to their session (bgp_closed) outside any session callback
 * (bgp.h forbids re-entry), output is flushed, dead connections freed, the
 * learned-prefix changes published in one ESP table commit, the timer
 * re-armed at the earliest deadline.
 *
 * Each session has a connection at most, from the moment bgp_connected()
 * took it until its down(). A second connection from the same peer is
 * held, reading only, until its OPEN is in (GW_BGP_COLL_WAIT at most);
 * bgp_collision() then says whether it is refused (Cease / Connection
 * Collision Resolution) or replaces the session's (RFC 4271 §6.8; RFC 4724
 * §4.2 for a branch that restarts gracefully). One such connection per
 * session at a time.
 *
 * Graceful restart (helper): the sessions advertise the capability; routes
 * a restarting branch leaves behind stay in the data plane, stale, until
 * its next session's End-of-RIB or the restart timer. The tunnel rule is
 * above it: gw_bgp_path_down() (IKE SA gone) and BFD down withdraw them at
 * once, stale or not.
 */
#include "gw_bgp.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgp.h"
#include "bgp_policy.h"
#include "egress.h"
#include "gw_bfd.h"
#include "esp_table.h"
#include "gw_dp.h"
#include "gw_fwd.h"
#include "hash32.h"
#include "ip4.h"
#include "log.h"
#include "pfxset.h"
#include "store.h"

#define GW_BGP_PORT		179		/* RFC 4271 §8.2.1 */
#define GW_BGP_BACKLOG		16
#define GW_BGP_RBUF		16384
/* Announcement room beyond twice the shipped Microsoft 365 set. */
#define GW_BGP_ADV_SLACK	64
#define GW_BGP_READS		8		/* reads per readable event */
#define GW_BGP_ACCEPTS		16		/* accepts per readable event */
#define GW_BGP_OUT_HIGH		(64 * 1024)	/* stop reading above */
#define GW_BGP_OUT_MAX		(1024 * 1024)	/* drop the connection above */
#define GW_BGP_LINGER		(5 * MONOTIME_SEC)	/* flush + close after down */
#define GW_BGP_RETRY		(5 * MONOTIME_SEC)	/* listener bind */
#define GW_BGP_PAUSE		MONOTIME_SEC		/* accept after EMFILE */
#define GW_BGP_LOG_WINDOW	(10 * MONOTIME_SEC)
#define GW_BGP_LOG_BURST	10
#define GW_BGP_COLL_WAIT	(10 * MONOTIME_SEC)	/* a second connection's OPEN */
#define GW_BGP_COLL_BUF		(2 * 4096)
#define GW_BGP_GR_MAX		120	/* s: stale routes kept at most */

struct gw_bgp_sess;

struct gw_bgp_conn {
	struct gw_bgp		*b;
	struct gw_bgp_sess	*sess;		/* NULL once detached */
	int			 fd;
	struct event		*ev_rd, *ev_wr;
	bool			 rd_on, wr_on;
	uint8_t			*out;
	size_t			 out_off, out_len, out_cap;
	bool			 overflow;	/* queue past GW_BGP_OUT_MAX */
	bool			 failed;	/* I/O error or EOF */
	bool			 closing;	/* detached: flush, then close */
	bool			 wr_shut;
	bool			 dead;		/* freed by the next settle */
	monotime_t		 close_by;
	/* A second connection of coll's peer, waiting for its OPEN (§6.8). */
	struct gw_bgp_sess	*coll;
	uint8_t			*cbuf;
	size_t			 clen;
	struct gw_bgp_conn	*next;
};

/* Routes the tenant's sessions installed, against cfg.tenant_routes_max. */
struct gw_bgp_tenant {
	char			 id[MODEL_ID_LEN + 1];
	size_t			 routes;
	unsigned		 refs;
	/* A route of a transit tenant changed: re-announce (ev_transit). */
	bool			 transit_dirty;
};

struct gw_bgp_sess {
	struct gw_bgp		*b;
	char			 link_id[MODEL_ID_LEN + 1];
	char			 tenant_id[MODEL_ID_LEN + 1];
	char			 rn_id[MODEL_ID_LEN + 1];
	int			 zone;
	uint32_t		 cpe_ip;
	uint32_t		 local, peer, peer_as;
	unsigned		 profiles;	/* GW_BGP_PROF_* announced */
	uint64_t		 fwd_gen;	/* gw_fwd_set generation announced */
	bool			 seen;
	/*
	 * gw_bgp_sess_end() has begun: the session array may hold the other
	 * zone's session already freed, so it is not looked up any more.
	 */
	bool			 ending;
	struct bgp_session	*s;
	struct bgp_policy	 pol;
	struct gw_bgp_conn	*conn;
	struct gw_bgp_conn	*pending;	/* a second one, see coll */
	struct pfxset		 acc;		/* installed */
	struct gw_bgp_tenant	*tenant;	/* shared by its sessions */
	struct gw_bfd		*bfd;		/* if the branch runs BFD */
	uint64_t		 refused[BGP_POLICY_VERDICTS], install_failed;
	monotime_t		 log_at;
	unsigned		 log_suppressed;
	char			 last_error[192];
};

struct gw_bgp_lsn {
	char			 tenant_id[MODEL_ID_LEN + 1];
	uint32_t		 addr;
	int			 fd;		/* -1: retry at retry_at */
	struct event		*ev;
	bool			 paused;	/* EMFILE: accept again at retry_at */
	bool			 seen;
	bool			 warned;
	monotime_t		 retry_at;
	struct gw_bgp		*b;
};

struct gw_bgp {
	struct gw_bgp_cfg	 cfg;
	struct event		*ev_timer;
	struct event		*ev_transit;	/* batches transit updates */
	struct gw_bgp_sess	**sess;		/* sorted by (link id, zone) */
	size_t			 nsess;
	struct gw_bgp_lsn	**lsn;
	size_t			 nlsn;
	struct gw_bgp_conn	*conns;
	monotime_t		 rl_start;	/* unknown-peer log limit */
	unsigned		 rl_count;
	uint64_t		 rl_suppressed, unknown_peers;
	struct gw_bgp_tenant	**tenants;	/* sorted by id */
	uint32_t		 next_disc;	/* BFD discriminators */
	size_t			 ntenants;
	struct bgp_prefix	*m365;		/* cfg.m365, copied */
	struct bgp_prefix	*adv;		/* scratch: adv_max entries */
	size_t			 adv_max;	/* each session's max_advertised */
	uint8_t			 rbuf[GW_BGP_RBUF];
};

/* --- names for the status and the log --------------------------------------- */

static const char *
gw_bgp_state_api(enum bgp_state st)
{
	switch (st) {
	case BGP_IDLE:
		return "idle";
	case BGP_CONNECT:
		return "connect";
	case BGP_ACTIVE:
		return "active";
	case BGP_OPENSENT:
		return "openSent";
	case BGP_OPENCONFIRM:
		return "openConfirm";
	case BGP_ESTABLISHED:
		return "established";
	}
	return "idle";
}

/* One line per window for a session's import refusals. */
static void
gw_bgp_log_sess(struct gw_bgp_sess *ss, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
gw_bgp_log_sess(struct gw_bgp_sess *ss, const char *fmt, ...)
{
	monotime_t now = monotime_now();
	char line[256], peer[IP4_STRLEN];
	va_list ap;

	if (ss->log_at != 0 && now - ss->log_at < GW_BGP_LOG_WINDOW) {
		ss->log_suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_warn("bgp: link %s zone %d (%s): %s (%u similar suppressed)",
	    ss->link_id, ss->zone, ip4_fmt(ss->peer, peer), line,
	    ss->log_suppressed);
	ss->log_at = now != 0 ? now : 1;
	ss->log_suppressed = 0;
}

/* --- connections ---------------------------------------------------------------- */

static void
gw_bgp_conn_watch(struct gw_bgp_conn *c, bool rd, bool wr)
{
	if (rd != c->rd_on) {
		if (rd ? event_add(c->ev_rd, NULL) : event_del(c->ev_rd))
			log_warn("bgp: cannot %s a connection's read event",
			    rd ? "add" : "remove");
		c->rd_on = rd;
	}
	if (wr != c->wr_on) {
		if (wr ? event_add(c->ev_wr, NULL) : event_del(c->ev_wr))
			log_warn("bgp: cannot %s a connection's write event",
			    wr ? "add" : "remove");
		c->wr_on = wr;
	}
}

/* The session is finished with c: flush what it queued, then close. */
static void
gw_bgp_conn_detach(struct gw_bgp_conn *c, monotime_t now)
{
	if (c->sess != NULL && c->sess->conn == c)
		c->sess->conn = NULL;
	c->sess = NULL;
	if (c->coll != NULL && c->coll->pending == c)
		c->coll->pending = NULL;
	c->coll = NULL;
	if (!c->closing) {
		c->closing = true;
		c->close_by = now + GW_BGP_LINGER;
	}
}

/*
 * c can no longer be used (EOF, error, queue overflow): its session hears
 * of it (bgp_closed: routes withdrawn, down) and c is freed by the settle.
 * Never called from inside a session callback.
 */
static void
gw_bgp_conn_fail(struct gw_bgp_conn *c, monotime_t now)
{
	struct gw_bgp_sess *ss = c->sess;

	if (ss != NULL)
		bgp_closed(ss->s, now);
	gw_bgp_conn_detach(c, now);
	c->dead = true;
}

static void
gw_bgp_conn_queue(struct gw_bgp_conn *c, const uint8_t *data, size_t len)
{
	size_t pending = c->out_len - c->out_off, cap;
	uint8_t *n;

	if (c->dead || c->failed || c->overflow)
		return;
	/* A peer that does not read must not grow us without bound. */
	if (pending + len > GW_BGP_OUT_MAX) {
		c->overflow = true;
		return;
	}
	if (c->out_off > 0 && c->out_len + len > c->out_cap) {
		memmove(c->out, c->out + c->out_off, pending);
		c->out_off = 0;
		c->out_len = pending;
	}
	if (c->out_len + len > c->out_cap) {
		for (cap = c->out_cap ? c->out_cap : 4096;
		    cap < c->out_len + len; cap *= 2)
			;
		if ((n = realloc(c->out, cap)) == NULL) {
			c->overflow = true;
			return;
		}
		c->out = n;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

/* Writes what it can; sets the events c needs next. */
static void
gw_bgp_conn_pump(struct gw_bgp_conn *c)
{
	ssize_t n;
	size_t pending;

	while (!c->failed && c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->out_off += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		c->failed = true;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	pending = c->out_len - c->out_off;
	if (c->closing && pending == 0 && !c->wr_shut && !c->failed) {
		/* Our FIN after the NOTIFICATION; read on until theirs. */
		(void)shutdown(c->fd, SHUT_WR);
		c->wr_shut = true;
	}
	if (c->failed || c->dead) {
		gw_bgp_conn_watch(c, false, false);
		return;
	}
	/* Pause reading while the peer does not read what we send. */
	gw_bgp_conn_watch(c, pending <= GW_BGP_OUT_HIGH, pending > 0);
}

static void
gw_bgp_conn_free(struct gw_bgp_conn *c)
{
	if (c->ev_rd != NULL)
		event_free(c->ev_rd);
	if (c->ev_wr != NULL)
		event_free(c->ev_wr);
	if (c->fd != -1)
		close(c->fd);
	free(c->out);
	free(c->cbuf);
	free(c);
}

static void gw_bgp_settle(struct gw_bgp *, monotime_t now);
static void gw_bgp_log_unknown(struct gw_bgp *, const char *tenant_id,
	    uint32_t addr, uint32_t peer, monotime_t now, const char *why);

/*
 * Bytes on a second connection of a session's peer: once its OPEN is in,
 * the engine resolves the collision (bgp.h). Refused: the NOTIFICATION,
 * then closed. Taken: it becomes the session's connection, the session's
 * old one having been finished with in bgp_collision()'s down().
 */
static void
gw_bgp_coll_input(struct gw_bgp_conn *c, const uint8_t *data, size_t len,
    monotime_t now)
{
	struct gw_bgp_sess *ss = c->coll;
	uint8_t reply[BGP_COLL_REPLY_MAX];
	enum bgp_collision r;
	size_t rl, take;

	take = GW_BGP_COLL_BUF - c->clen;
	if (len < take)
		take = len;
	memcpy(c->cbuf + c->clen, data, take);
	c->clen += take;
	r = bgp_collision(ss->s, c->cbuf, c->clen, reply, &rl, now);
	/* A message is 4096 octets at most: the buffer never fills first. */
	if (r == BGP_COLL_MORE && c->clen < GW_BGP_COLL_BUF)
		return;
	if (r != BGP_COLL_REPLACE) {
		gw_bgp_log_unknown(c->b, ss->tenant_id, ss->local, ss->peer,
		    now, "a second connection of the peer (collision "
		    "refused, RFC 4271 §6.8)");
		gw_bgp_conn_detach(c, now);
		if (r == BGP_COLL_REFUSE)
			gw_bgp_conn_queue(c, reply, rl);
		return;
	}
	c->coll = NULL;
	ss->pending = NULL;
	if (ss->conn != NULL)	/* not reached: the engine's down() detached it */
		gw_bgp_conn_detach(ss->conn, now);
	c->sess = ss;
	ss->conn = c;
	if (bgp_connected(ss->s, now) == -1) {
		gw_bgp_conn_detach(c, now);
		c->dead = true;
		return;
	}
	log_info("bgp: link %s zone %d: a new connection of the branch "
	    "replaces the session's", ss->link_id, ss->zone);
	(void)bgp_input(ss->s, c->cbuf, c->clen, now);
	free(c->cbuf);
	c->cbuf = NULL;
	c->clen = 0;
}

static void
gw_bgp_on_conn(evutil_socket_t fd, short what, void *arg)
{
	struct gw_bgp_conn *c = arg;
	struct gw_bgp *b = c->b;
	monotime_t now = monotime_now();
	ssize_t n;
	int i;

	if (what & EV_WRITE)
		gw_bgp_conn_pump(c);
	for (i = 0; (what & EV_READ) && i < GW_BGP_READS && !c->dead &&
	    !c->failed; i++) {
		n = recv(fd, b->rbuf, sizeof(b->rbuf), MSG_DONTWAIT);
		if (n > 0) {
			/* -1: the session went down; its down() detached c. */
			if (c->sess != NULL)
				(void)bgp_input(c->sess->s, b->rbuf, (size_t)n,
				    now);
			else if (c->coll != NULL)
				gw_bgp_coll_input(c, b->rbuf, (size_t)n, now);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		c->failed = true;	/* EOF or error */
	}
	gw_bgp_settle(b, now);
}

static struct gw_bgp_conn *
gw_bgp_conn_new(struct gw_bgp *b, int fd)
{
	struct gw_bgp_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->b = b;
	c->fd = fd;
	c->ev_rd = event_new(b->cfg.base, fd, EV_READ | EV_PERSIST,
	    gw_bgp_on_conn, c);
	c->ev_wr = event_new(b->cfg.base, fd, EV_WRITE | EV_PERSIST,
	    gw_bgp_on_conn, c);
	if (c->ev_rd == NULL || c->ev_wr == NULL) {
		c->fd = -1;	/* the caller closes it */
		gw_bgp_conn_free(c);
		return NULL;
	}
	gw_bgp_conn_watch(c, true, false);
	c->next = b->conns;
	b->conns = c;
	return c;
}

/* --- session callbacks ------------------------------------------------------------ */

static void
gw_bgp_cb_send(void *arg, const uint8_t *data, size_t len)
{
	struct gw_bgp_sess *ss = arg;

	if (ss->conn != NULL)
		gw_bgp_conn_queue(ss->conn, data, len);
}

static void
gw_bgp_emit(struct gw_bgp_sess *ss, bool up, const char *description)
{
	struct gw_bgp_event ev;

	if (ss->b->cfg.event == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.tenant_id = ss->tenant_id;
	ev.rn_id = ss->rn_id;
	ev.link_id = ss->link_id;
	ev.zone = ss->zone;
	ev.cpe_ip = ss->cpe_ip;
	ev.up = up;
	ev.description = description;
	ss->b->cfg.event(ss->b->cfg.arg, &ev);
}

static void
gw_bgp_cb_up(void *arg)
{
	struct gw_bgp_sess *ss = arg;
	struct bgp_status st;
	char d[96];

	bgp_status(ss->s, &st);
	snprintf(d, sizeof(d), "BGP session established (AS %u, hold time "
	    "%u s)", ss->peer_as, st.hold);
	gw_bgp_emit(ss, true, d);
}

static void
gw_bgp_cb_down(void *arg, const struct bgp_down *d)
{
	struct gw_bgp_sess *ss = arg;

	bgp_down_text(d, ss->last_error, sizeof(ss->last_error));
	if (d->stale > 0) {
		size_t n = strlen(ss->last_error);

		/* RFC 4724: the routes stay in the data plane meanwhile. */
		snprintf(ss->last_error + n, sizeof(ss->last_error) - n,
		    "; graceful restart: %zu routes kept for at most %u s",
		    d->stale, d->stale_for_s);
	}
	if (ss->conn != NULL)
		gw_bgp_conn_detach(ss->conn, monotime_now());
	if (d->was_established)
		gw_bgp_emit(ss, false, ss->last_error);
}

static struct gw_bgp_sess *gw_bgp_find(const struct gw_bgp *,
	    const char *, int);

/* a ranks above b as RFC 4271 §9.1.2.2 (a) then (c) order them. */
static bool
gw_bgp_attr_better(const struct pfxset_ent *a, const struct pfxset_ent *b)
{
	if (a->path_len != b->path_len)
		return a->path_len < b->path_len;
	return a->nas == b->nas && a->med < b->med;
}

/*
 * Hands the data plane the attributes of the link's prefix, which rank it
 * among ECMP members. The per-link entry gets the better of the two zone
 * sessions' (a link without zone records is ranked by it); each session
 * also records its own (gw_bgp_push_zone), which rank the link's zones.
 */
static void
gw_bgp_push_attr(struct gw_bgp_sess *ss, uint32_t addr, uint8_t len)
{
	const struct pfxset_ent *best = NULL, *e;
	struct gw_bgp_sess *z;
	size_t pos;
	bool found;
	int zone;

	if (ss->ending)
		return;
	for (zone = 1; zone <= 2; zone++) {
		if ((z = gw_bgp_find(ss->b, ss->link_id, zone)) == NULL)
			continue;
		pos = pfxset_pos(&z->acc, addr, len, &found);
		if (!found)
			continue;
		e = &z->acc.e[pos];
		if (best == NULL || gw_bgp_attr_better(e, best))
			best = e;
	}
	if (best != NULL)
		gw_dp_learned_attr(ss->b->cfg.dp, ss->link_id, addr, len,
		    best->path_len, best->med, best->nas);
}

/*
 * The session's own record of the prefix at pos of its accepted set: its
 * zone, with its attributes, is an ECMP member while the zone's tunnel is
 * up (docs/dataplane.md). held false: the session gives it up.
 */
static void
gw_bgp_push_zone(struct gw_bgp_sess *ss, size_t pos, bool held)
{
	const struct pfxset_ent *e = &ss->acc.e[pos];

	gw_dp_learned_zone(ss->b->cfg.dp, ss->link_id, ss->zone, e->addr,
	    e->len, held, e->path_len, e->med, e->nas);
}

/*
 * A route of ss changed: with transit, the tenant's other links announce
 * it (or stop). Batched: one re-announcement per tenant per 100 ms, so a
 * branch's full table costs one difference, not one per route.
 */
static void
gw_bgp_transit_dirty(struct gw_bgp_sess *ss)
{
	struct timeval tv = { 0, 100000 };

	if (!(ss->profiles & GW_BGP_PROF_TRANSIT) || ss->tenant == NULL)
		return;
	ss->tenant->transit_dirty = true;
	if (!evtimer_pending(ss->b->ev_transit, NULL))
		evtimer_add(ss->b->ev_transit, &tv);
}

static void
gw_bgp_attr_set(struct pfxset_ent *e, const struct bgp_route *r)
{
	e->path_len = r->path_len;
	e->med = r->has_med ? r->med : 0;	/* §9.1.2.2 c: absent is 0 */
	e->nas = r->neighbor_as;
}

static void
gw_bgp_cb_route_add(void *arg, const struct bgp_route *r, bool replaces)
{
	struct gw_bgp_sess *ss = arg;
	enum bgp_policy_verdict v;
	char a[IP4_STRLEN];
	size_t pos;
	bool found;

	(void)replaces;	/* the next hop is the link: only the rank changes */
	pos = pfxset_pos(&ss->acc, r->addr, r->len, &found);
	if (found) {
		gw_bgp_attr_set(&ss->acc.e[pos], r);
		gw_bgp_push_zone(ss, pos, true);
		gw_bgp_push_attr(ss, r->addr, r->len);
		return;
	}
	v = bgp_policy_import(&ss->pol, r->addr, r->len);
	/* The session's max_prefixes bounds one link; this, the tenant. */
	if (v == BGP_POLICY_ACCEPT &&
	    ss->tenant->routes >= ss->b->cfg.tenant_routes_max)
		v = BGP_POLICY_TENANT_LIMIT;
	if (v != BGP_POLICY_ACCEPT) {
		ss->refused[v]++;
		gw_bgp_log_sess(ss, "route %s/%u refused by the import "
		    "policy: %s", ip4_fmt(r->addr, a), r->len,
		    bgp_policy_verdict_name(v));
		return;
	}
	if (pfxset_insert(&ss->acc, pos, r->addr, r->len) == -1)
		goto fail;
	if (gw_dp_learned_add(ss->b->cfg.dp, ss->tenant_id, ss->link_id,
	    r->addr, r->len) == -1) {
		pfxset_remove(&ss->acc, pos);
		goto fail;
	}
	gw_bgp_attr_set(&ss->acc.e[pos], r);
	gw_bgp_push_zone(ss, pos, true);
	gw_bgp_push_attr(ss, r->addr, r->len);
	ss->tenant->routes++;
	gw_bgp_transit_dirty(ss);
	log_debug("bgp: link %s zone %d: learned %s/%u", ss->link_id,
	    ss->zone, ip4_fmt(r->addr, a), r->len);
	return;
fail:
	ss->install_failed++;
	log_err("bgp: link %s zone %d: route %s/%u not installed (no memory "
	    "or no tenant network)", ss->link_id, ss->zone,
	    ip4_fmt(r->addr, a), r->len);
}

static void
gw_bgp_acc_del(struct gw_bgp_sess *ss, size_t pos)
{
	uint32_t addr = ss->acc.e[pos].addr;
	uint8_t len = ss->acc.e[pos].len;

	/* Even while ending: the other zone may stay a member. */
	gw_bgp_push_zone(ss, pos, false);
	gw_dp_learned_del(ss->b->cfg.dp, ss->tenant_id, ss->link_id, addr,
	    len);
	pfxset_remove(&ss->acc, pos);
	ss->tenant->routes--;
	gw_bgp_transit_dirty(ss);
	/* The other zone may still hold it: its attributes rank it now. */
	gw_bgp_push_attr(ss, addr, len);
}

static void
gw_bgp_cb_route_withdraw(void *arg, uint32_t addr, uint8_t len)
{
	struct gw_bgp_sess *ss = arg;
	char a[IP4_STRLEN];
	size_t pos;
	bool found;

	pos = pfxset_pos(&ss->acc, addr, len, &found);
	if (!found)
		return;		/* refused on the way in */
	gw_bgp_acc_del(ss, pos);
	log_debug("bgp: link %s zone %d: withdrawn %s/%u", ss->link_id,
	    ss->zone, ip4_fmt(addr, a), len);
}

static uint32_t
gw_bgp_cb_random(void *arg)
{
	uint32_t r;

	(void)arg;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint32_t)monotime_now() * 2654435761u;
	return r;
}

/* --- sessions ---------------------------------------------------------------------- */

/* What a link wants for one zone. */
struct gw_bgp_want {
	const struct store_tenant_link *tl;
	int		 zone;
	uint32_t	 local;
	unsigned	 profiles;
};

static int
gw_bgp_key_cmp(const char *link_a, int zone_a, const char *link_b,
    int zone_b)
{
	int c = strcmp(link_a, link_b);

	if (c != 0)
		return c;
	return zone_a < zone_b ? -1 : zone_a > zone_b;
}

static struct gw_bgp_sess *
gw_bgp_find(const struct gw_bgp *b, const char *link_id, int zone)
{
	size_t lo = 0, hi = b->nsess, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = gw_bgp_key_cmp(link_id, zone, b->sess[mid]->link_id,
		    b->sess[mid]->zone);
		if (c == 0)
			return b->sess[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool
gw_bgp_same(const struct gw_bgp_sess *ss, const struct gw_bgp_want *w)
{
	const struct model_link *l = &w->tl->link;

	return strcmp(ss->tenant_id, w->tl->tenant_id) == 0 &&
	    strcmp(ss->rn_id, l->rn_id) == 0 && ss->local == w->local &&
	    ss->peer == l->bgp_peer && ss->peer_as == l->asn &&
	    ss->cpe_ip == l->ip;
}

/* RFC 1997: ASN:value, a 4-octet ASN standing in as AS_TRANS (RFC 6793). */
static uint32_t
gw_bgp_community(const struct gw_bgp *b, uint32_t value)
{
	uint32_t as = b->cfg.local_as <= 0xffff ? b->cfg.local_as : 23456;

	return as << 16 | value;
}

/* Whether (link, either zone) holds addr/len. */
static bool
gw_bgp_link_holds(const struct gw_bgp *b, const char *link_id, uint32_t addr,
    uint8_t len)
{
	const struct gw_bgp_sess *z;
	bool found;
	int zone;

	for (zone = 1; zone <= 2; zone++)
		if ((z = gw_bgp_find(b, link_id, zone)) != NULL && !z->ending &&
		    (pfxset_pos(&z->acc, addr, len, &found), found))
			return true;
	return false;
}

/*
 * Transit (docs/bgp.md): after b->adv[0..n), the prefixes the tenant's
 * other links have announced and had accepted, marked ASN:2, but not
 * those this link announces itself (its own LAN stays its own). They go
 * out as originated by the gateway (AS_PATH [gateway AS]), so branches
 * that share one ASN accept each other's prefixes. The new count.
 */
static size_t
gw_bgp_adv_transit(struct gw_bgp *b, const char *tenant_id,
    const char *link_id, size_t n)
{
	const struct gw_bgp_sess *z;
	size_t i, k;
	bool full = false;

	for (i = 0; i < b->nsess && !full; i++) {
		z = b->sess[i];
		if (z->ending || strcmp(z->tenant_id, tenant_id) != 0 ||
		    strcmp(z->link_id, link_id) == 0)
			continue;
		for (k = 0; k < z->acc.n; k++) {
			if (gw_bgp_link_holds(b, link_id, z->acc.e[k].addr,
			    z->acc.e[k].len))
				continue;
			if (n == b->adv_max) {
				full = true;
				break;
			}
			b->adv[n].addr = z->acc.e[k].addr;
			b->adv[n].len = z->acc.e[k].len;
			b->adv[n++].community = gw_bgp_community(b,
			    GW_BGP_COMM_TRANSIT);
		}
	}
	if (full)
		log_err("bgp: tenant %s: more transit routes than the %zu a "
		    "session may announce: the rest are not", tenant_id,
		    b->adv_max);
	return n;	/* duplicates (two links, one prefix) go in bgp_adv */
}

/*
 * docs/bgp.md: what the profiles forward for the tenant, in b->adv. Both
 * profiles: the default route and the more specific Microsoft 365 routes
 * side by side, as the branch's longest match wants. The Microsoft 365
 * routes are the tenant's (its bypassed rules out, gw_fwd.h) when the
 * gateway has them, else the shipped list; *gen is what to compare with
 * the next time.
 */
static size_t
gw_bgp_adv(struct gw_bgp *b, unsigned profiles, const char *tenant_id,
    const char *link_id, uint64_t *gen)
{
	const struct gw_fwd_set *fs = NULL;
	const struct bgp_prefix *m = b->m365;
	size_t n = 0, i, nm = b->cfg.nm365;

	if (b->cfg.fwd != NULL) {
		fs = gw_fwd_tenant(b->cfg.fwd, tenant_id);
		m = fs->m365;
		nm = fs->nm365;
	}
	*gen = fs != NULL ? fs->gen : 0;
	if (profiles & GW_BGP_PROF_INTERNET) {
		b->adv[n].addr = 0;
		b->adv[n].len = 0;
		b->adv[n++].community = gw_bgp_community(b,
		    GW_BGP_COMM_INTERNET);
	}
	if (profiles & GW_BGP_PROF_M365) {
		if (nm > b->adv_max - n) {
			/* Bypasses cut routes into more pieces than room. */
			log_err("bgp: tenant %s: %zu Microsoft 365 routes, room "
			    "for %zu: the last ones are not announced",
			    tenant_id, nm, b->adv_max - n);
			nm = b->adv_max - n;
		}
		for (i = 0; i < nm; i++) {
			b->adv[n] = m[i];
			b->adv[n++].community = gw_bgp_community(b,
			    GW_BGP_COMM_M365);
		}
	}
	if (profiles & GW_BGP_PROF_TRANSIT)
		n = gw_bgp_adv_transit(b, tenant_id, link_id, n);
	return n;
}

/*
 * Import policy: besides the defaults, a branch may not announce anything
 * overlapping the tenant's gateway BGP addresses (this link's first).
 */
static void
gw_bgp_policy(struct gw_bgp_sess *ss, const struct gw_bgp_want *w,
    const struct store_tenant_link *links, size_t n)
{
	const struct model_link *l = &w->tl->link;
	size_t i;

	bgp_policy_init(&ss->pol);
	(void)bgp_policy_deny(&ss->pol, l->bgp_local, 32, BGP_POLICY_DENIED);
	if (l->zone_local != 0)
		(void)bgp_policy_deny(&ss->pol, l->zone_local, 32,
		    BGP_POLICY_DENIED);
	/* The tenant namespace's own transfer network lives in this range. */
	(void)bgp_policy_deny(&ss->pol, ss->b->cfg.transfer_net,
	    ss->b->cfg.transfer_plen, BGP_POLICY_DENIED);
	/* Neither Microsoft's addresses nor the default route (the policy's). */
	for (i = 0; i < ss->b->cfg.nm365; i++)
		(void)bgp_policy_deny(&ss->pol, ss->b->m365[i].addr,
		    ss->b->m365[i].len, BGP_POLICY_ADVERTISED);
	for (i = 0; i < n; i++) {
		const struct model_link *o = &links[i].link;

		if (strcmp(links[i].tenant_id, w->tl->tenant_id) != 0 ||
		    &links[i] == w->tl)
			continue;
		if ((o->bgp_local != 0 && bgp_policy_deny(&ss->pol,
		    o->bgp_local, 32, BGP_POLICY_DENIED) == -1) ||
		    (o->zone_local != 0 && bgp_policy_deny(&ss->pol,
		    o->zone_local, 32, BGP_POLICY_DENIED) == -1) ||
		    (o->bgp_peer != 0 && bgp_policy_deny(&ss->pol, o->bgp_peer,
		    32, BGP_POLICY_OTHER_LINK) == -1)) {
			/* 40 links x 3 + the Microsoft 365 set fit: never. */
			log_err("bgp: link %s: import policy full", l->id);
			break;
		}
	}
}

/* The tenant's route account, shared by its sessions (made on first use). */
static struct gw_bgp_tenant *
gw_bgp_tenant_get(struct gw_bgp *b, const char *id)
{
	struct gw_bgp_tenant *t, **nt;
	size_t lo = 0, hi = b->ntenants, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(id, b->tenants[mid]->id)) == 0) {
			b->tenants[mid]->refs++;
			return b->tenants[mid];
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (nt = realloc(b->tenants, (b->ntenants + 1) *
	    sizeof(*nt))) == NULL) {
		free(t);
		return NULL;
	}
	b->tenants = nt;
	memmove(&nt[lo + 1], &nt[lo], (b->ntenants - lo) * sizeof(*nt));
	snprintf(t->id, sizeof(t->id), "%s", id);
	t->refs = 1;
	nt[lo] = t;
	b->ntenants++;
	return t;
}

static void
gw_bgp_tenant_put(struct gw_bgp *b, struct gw_bgp_tenant *t)
{
	size_t i;

	if (t == NULL || --t->refs > 0)
		return;
	for (i = 0; i < b->ntenants && b->tenants[i] != t; i++)
		;
	if (i < b->ntenants) {
		memmove(&b->tenants[i], &b->tenants[i + 1],
		    (b->ntenants - i - 1) * sizeof(*b->tenants));
		b->ntenants--;
	}
	free(t);
}

/* BFD saw the path go (gw_bfd.h): the session ends now, as on tunnel down. */
static void
gw_bgp_bfd_down(void *arg, const char *why)
{
	struct gw_bgp_sess *ss = arg;
	struct bgp_status st;
	monotime_t now = monotime_now();

	/*
	 * A branch restarting gracefully restarts its BFD too (BIRD's and
	 * FRR's have the C bit clear: not independent of the control plane),
	 * so BFD Down while its routes are kept stale is that restart, not
	 * the path (RFC 5882 §4.3.2). The IKE SA going and the restart timer
	 * still end them.
	 */
	bgp_status(ss->s, &st);
	if (st.stale > 0) {
		log_info("bgp: link %s zone %d: %s during a graceful "
		    "restart: %zu stale routes kept", ss->link_id, ss->zone,
		    why, st.stale);
		return;
	}
	bgp_path_down(ss->s, why, now);
	gw_bgp_settle(ss->b, now);
}

static struct gw_bgp_sess *
gw_bgp_sess_new(struct gw_bgp *b, const struct gw_bgp_want *w,
    const struct store_tenant_link *links, size_t n, monotime_t now)
{
	const struct model_link *l = &w->tl->link;
	struct bgp_callbacks cb;
	struct bgp_config bc;
	struct gw_bgp_sess *ss;

	if ((ss = calloc(1, sizeof(*ss))) == NULL)
		return NULL;
	ss->b = b;
	snprintf(ss->link_id, sizeof(ss->link_id), "%s", l->id);
	snprintf(ss->tenant_id, sizeof(ss->tenant_id), "%s", w->tl->tenant_id);
	snprintf(ss->rn_id, sizeof(ss->rn_id), "%s", l->rn_id);
	ss->zone = w->zone;
	ss->cpe_ip = l->ip;
	ss->local = w->local;
	ss->peer = l->bgp_peer;
	ss->peer_as = l->asn;
	ss->profiles = w->profiles;
	if ((ss->tenant = gw_bgp_tenant_get(b, w->tl->tenant_id)) == NULL) {
		free(ss);
		return NULL;
	}
	gw_bgp_policy(ss, w, links, n);

	bgp_config_defaults(&bc);
	snprintf(bc.name, sizeof(bc.name), "link %s zone %d", l->id, w->zone);
	bc.local_as = b->cfg.local_as;
	bc.peer_as = l->asn;
	bc.local_addr = w->local;
	bc.peer_addr = l->bgp_peer;
	bc.passive = true;	/* system-facts §2.3: the CPE connects */
	bc.max_prefixes = GW_BGP_MAX_PREFIXES;
	bc.gr_time = BGP_GR_TIME_DEFAULT;	/* helper: docs/bgp.md */
	bc.gr_max_s = GW_BGP_GR_MAX;
	bc.max_advertised = (uint32_t)b->adv_max;
	bc.nadv = gw_bgp_adv(b, w->profiles, w->tl->tenant_id, l->id,
	    &ss->fwd_gen);
	bc.adv = b->adv;
	memset(&cb, 0, sizeof(cb));
	cb.arg = ss;
	cb.send = gw_bgp_cb_send;
	cb.up = gw_bgp_cb_up;
	cb.down = gw_bgp_cb_down;
	cb.route_add = gw_bgp_cb_route_add;
	cb.route_withdraw = gw_bgp_cb_route_withdraw;
	cb.random = gw_bgp_cb_random;
	if ((ss->s = bgp_session_new(&bc, &cb)) == NULL) {
		/* Logged by the engine (e.g. the link's ASN equals ours). */
		gw_bgp_tenant_put(b, ss->tenant);
		free(ss);
		return NULL;
	}
	bgp_start(ss->s, now);
	{
		struct gw_bfd_cfg fc;

		memset(&fc, 0, sizeof(fc));
		fc.base = b->cfg.base;
		fc.dp = b->cfg.dp;
		fc.tenant_id = ss->tenant_id;
		fc.local = ss->local;
		fc.peer = ss->peer;
		if (++b->next_disc == 0)
			b->next_disc = 1;
		fc.disc = b->next_disc;
		fc.arg = ss;
		fc.down = gw_bgp_bfd_down;
		/* Without it BGP runs as before (hold timer, tunnel state). */
		if ((ss->bfd = gw_bfd_open(&fc)) == NULL)
			log_err("bgp: link %s zone %d: no memory for BFD",
			    l->id, w->zone);
	}
	return ss;
}

/* Stop (Cease if connected), withdraw everything, free. */
static void
gw_bgp_sess_end(struct gw_bgp_sess *ss, monotime_t now)
{
	ss->ending = true;
	if (ss->pending != NULL) {
		ss->pending->dead = true;
		gw_bgp_conn_detach(ss->pending, now);
	}
	gw_bfd_close(ss->bfd);
	bgp_stop(ss->s, now);
	if (ss->conn != NULL)
		gw_bgp_conn_detach(ss->conn, now);
	/* The engine withdrew every route before down; be sure. */
	while (ss->acc.n > 0)
		gw_bgp_acc_del(ss, ss->acc.n - 1);
	bgp_session_free(ss->s);
	pfxset_free(&ss->acc);
	gw_bgp_tenant_put(ss->b, ss->tenant);
	free(ss);
}

/* --- listeners ------------------------------------------------------------------ */

static void
gw_bgp_log_unknown(struct gw_bgp *b, const char *tenant_id, uint32_t addr,
    uint32_t peer, monotime_t now, const char *why)
{
	char p[IP4_STRLEN], a[IP4_STRLEN], sup[48] = "";

	b->unknown_peers++;
	if (now - b->rl_start >= GW_BGP_LOG_WINDOW) {
		if (b->rl_suppressed > 0)
			snprintf(sup, sizeof(sup), " (%llu similar suppressed)",
			    (unsigned long long)b->rl_suppressed);
		b->rl_start = now;
		b->rl_count = 0;
		b->rl_suppressed = 0;
	}
	if (b->rl_count >= GW_BGP_LOG_BURST) {
		b->rl_suppressed++;
		return;
	}
	b->rl_count++;
	log_warn("bgp: remote: connection from %s to %s:%d (tenant %s) "
	    "closed: %s%s", ip4_fmt(peer, p), ip4_fmt(addr, a),
	    GW_BGP_PORT, tenant_id, why, sup);
}

static void
gw_bgp_accept_one(struct gw_bgp *b, struct gw_bgp_lsn *l, int fd,
    uint32_t peer, monotime_t now)
{
	struct gw_bgp_sess *ss = NULL;
	struct gw_bgp_conn *c;
	size_t i;
	int one = 1;

	for (i = 0; i < b->nsess; i++)
		if (b->sess[i]->local == l->addr && b->sess[i]->peer == peer &&
		    strcmp(b->sess[i]->tenant_id, l->tenant_id) == 0) {
			ss = b->sess[i];
			break;
		}
	if (ss == NULL) {
		gw_bgp_log_unknown(b, l->tenant_id, l->addr, peer, now,
		    "no device link has this peer and gateway BGP address");
		close(fd);
		return;
	}
	if (ss->conn != NULL && ss->pending != NULL) {
		gw_bgp_log_unknown(b, l->tenant_id, l->addr, peer, now,
		    "the session has a connection and a second one already");
		close(fd);
		return;
	}
	/* Small messages that should leave at once (KEEPALIVE, UPDATE). */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((c = gw_bgp_conn_new(b, fd)) == NULL) {
		log_err("bgp: out of memory accepting a connection");
		close(fd);
		return;
	}
	if (ss->conn != NULL) {
		/* A collision (§6.8): decided once its OPEN is in. */
		if ((c->cbuf = malloc(GW_BGP_COLL_BUF)) == NULL) {
			log_err("bgp: out of memory accepting a connection");
			c->dead = true;
			return;
		}
		c->coll = ss;
		c->close_by = now + GW_BGP_COLL_WAIT;
		ss->pending = c;
		return;
	}
	c->sess = ss;
	ss->conn = c;
	if (bgp_connected(ss->s, now) == -1) {
		gw_bgp_log_unknown(b, l->tenant_id, l->addr, peer, now,
		    "the session takes no connection now");
		gw_bgp_conn_detach(c, now);
		c->dead = true;
	}
}

static void
gw_bgp_on_accept(evutil_socket_t fd, short what, void *arg)
{
	struct gw_bgp_lsn *l = arg;
	struct gw_bgp *b = l->b;
	monotime_t now = monotime_now();
	struct sockaddr_in sa;
	socklen_t len;
	int i, cfd;

	(void)what;
	for (i = 0; i < GW_BGP_ACCEPTS; i++) {
		len = sizeof(sa);
		cfd = accept4(fd, (struct sockaddr *)&sa, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* STYLE §5: pause accept() rather than spin. */
				log_warn("bgp: accept: %s: pausing the "
				    "listener", strerror(errno));
				(void)event_del(l->ev);
				l->paused = true;
				l->retry_at = now + GW_BGP_PAUSE;
			}
			break;
		}
		if (len < sizeof(sa) || sa.sin_family != AF_INET) {
			close(cfd);
			continue;
		}
		gw_bgp_accept_one(b, l, cfd, ntohl(sa.sin_addr.s_addr), now);
	}
	gw_bgp_settle(b, now);
}

static void
gw_bgp_lsn_close(struct gw_bgp_lsn *l)
{
	if (l->ev != NULL)
		event_free(l->ev);
	l->ev = NULL;
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
}

/* Socket inside the tenant's namespace, bound to addr:179, polled. */
static int
gw_bgp_lsn_open(struct gw_bgp *b, struct gw_bgp_lsn *l, monotime_t now)
{
	struct sockaddr_in sa;
	char a[IP4_STRLEN];
	const char *step;
	int one = 1;

	step = "socket";
	if ((l->fd = gw_dp_tenant_socket(b->cfg.dp, l->tenant_id,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		goto fail;
	/*
	 * FREEBIND: the address is put on the TUN by gw_dp, and a failed
	 * address change is retried there; the listener need not wait.
	 */
	(void)setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	(void)setsockopt(l->fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(GW_BGP_PORT);
	sa.sin_addr.s_addr = htonl(l->addr);
	step = "bind";
	if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		goto fail;
	step = "listen";
	if (listen(l->fd, GW_BGP_BACKLOG) == -1)
		goto fail;
	step = "event";
	if ((l->ev = event_new(b->cfg.base, l->fd, EV_READ | EV_PERSIST,
	    gw_bgp_on_accept, l)) == NULL || event_add(l->ev, NULL) == -1)
		goto fail;
	log_info("bgp: tenant %s: listening on %s:%d", l->tenant_id,
	    ip4_fmt(l->addr, a), GW_BGP_PORT);
	l->warned = false;
	return 0;
fail:
	if (!l->warned)
		log_err("bgp: tenant %s: cannot listen on %s:%d (%s: %s); "
		    "retrying every %d s", l->tenant_id, ip4_fmt(l->addr, a),
		    GW_BGP_PORT, step, strerror(errno),
		    (int)(GW_BGP_RETRY / MONOTIME_SEC));
	l->warned = true;
	gw_bgp_lsn_close(l);
	l->retry_at = now + GW_BGP_RETRY;
	return -1;
}

static struct gw_bgp_lsn *
gw_bgp_lsn_find(struct gw_bgp *b, const char *tenant_id, uint32_t addr)
{
	size_t i;

	for (i = 0; i < b->nlsn; i++)
		if (b->lsn[i]->addr == addr &&
		    strcmp(b->lsn[i]->tenant_id, tenant_id) == 0)
			return b->lsn[i];
	return NULL;
}

/*
 * gw_bgp_sync's index of the listeners by (tenant, address), open
 * addressing, rebuilt per sync: the scan of every listener for every
 * session was O(links^2) per reload, the gateway's top cost (with its
 * strcmp) while links were created at 1,000-5,000 links (perf, loadgen.sh).
 */
struct gw_bgp_lsn_idx {
	struct gw_bgp_lsn	**slot;
	size_t			  mask;
};

static size_t
gw_bgp_lsn_hash(const char *tenant_id, uint32_t addr)
{
	uint32_t h = hash32_mix(addr);

	while (*tenant_id != '\0')
		h = h * 31 + (unsigned char)*tenant_id++;
	return hash32_mix(h);
}

static int
gw_bgp_lsn_idx_init(struct gw_bgp_lsn_idx *x, size_t n)
{
	size_t sz = 16;

	while (sz < 2 * n)
		sz <<= 1;
	x->mask = sz - 1;
	return (x->slot = calloc(sz, sizeof(*x->slot))) == NULL ? -1 : 0;
}

static void
gw_bgp_lsn_idx_put(struct gw_bgp_lsn_idx *x, struct gw_bgp_lsn *l)
{
	size_t h = gw_bgp_lsn_hash(l->tenant_id, l->addr) & x->mask;

	while (x->slot[h] != NULL)
		h = (h + 1) & x->mask;
	x->slot[h] = l;
}

static struct gw_bgp_lsn *
gw_bgp_lsn_idx_get(const struct gw_bgp_lsn_idx *x, const char *tenant_id,
    uint32_t addr)
{
	size_t h = gw_bgp_lsn_hash(tenant_id, addr) & x->mask;
	struct gw_bgp_lsn *l;

	while ((l = x->slot[h]) != NULL) {
		if (l->addr == addr && strcmp(l->tenant_id, tenant_id) == 0)
			return l;
		h = (h + 1) & x->mask;
	}
	return NULL;
}

/* --- settle and timer ---------------------------------------------------------------- */

static void
gw_bgp_arm(struct gw_bgp *b, monotime_t now)
{
	monotime_t dl = MONOTIME_NEVER, t;
	struct gw_bgp_conn *c;
	struct timeval tv;
	size_t i;

	for (i = 0; i < b->nsess; i++)
		if ((t = bgp_next_deadline(b->sess[i]->s)) < dl)
			dl = t;
	for (i = 0; i < b->nlsn; i++)
		if ((b->lsn[i]->fd == -1 || b->lsn[i]->paused) &&
		    b->lsn[i]->retry_at < dl)
			dl = b->lsn[i]->retry_at;
	for (c = b->conns; c != NULL; c = c->next)
		if ((c->closing || c->coll != NULL) && c->close_by < dl)
			dl = c->close_by;
	if (dl == MONOTIME_NEVER) {
		evtimer_del(b->ev_timer);
		return;
	}
	t = dl > now ? dl - now : 0;
	/* Round up to the microsecond: waking early would spin once. */
	t += MONOTIME_SEC / 1000000 - 1;
	tv.tv_sec = (time_t)(t / MONOTIME_SEC);
	tv.tv_usec = (suseconds_t)((t % MONOTIME_SEC) / 1000);
	evtimer_add(b->ev_timer, &tv);
}

static void
gw_bgp_settle(struct gw_bgp *b, monotime_t now)
{
	struct gw_bgp_conn **pp, *c;

	for (c = b->conns; c != NULL; c = c->next) {
		if (c->dead)
			continue;
		if (!c->failed && !c->overflow)
			gw_bgp_conn_pump(c);
		if (c->failed || c->overflow ||
		    ((c->closing || c->coll != NULL) && now >= c->close_by))
			gw_bgp_conn_fail(c, now);
	}
	for (pp = &b->conns; (c = *pp) != NULL;) {
		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		if (c->sess != NULL)	/* not reached: fail/detach cleared it */
			c->sess->conn = NULL;
		gw_bgp_conn_free(c);
	}
	gw_dp_learned_commit(b->cfg.dp);
	gw_bgp_arm(b, now);
}

static void
gw_bgp_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct gw_bgp *b = arg;
	monotime_t now = monotime_now();
	struct gw_bgp_lsn *l;
	size_t i;

	(void)fd;
	(void)what;
	for (i = 0; i < b->nsess; i++)
		if (bgp_next_deadline(b->sess[i]->s) <= now)
			bgp_tick(b->sess[i]->s, now);
	for (i = 0; i < b->nlsn; i++) {
		l = b->lsn[i];
		if (l->retry_at > now)
			continue;
		if (l->fd == -1)
			(void)gw_bgp_lsn_open(b, l, now);
		else if (l->paused && event_add(l->ev, NULL) == 0)
			l->paused = false;
	}
	gw_bgp_settle(b, now);
}

/* Every session of a tenant whose transit routes changed: the difference. */
static void
gw_bgp_on_transit(evutil_socket_t fd, short what, void *arg)
{
	struct gw_bgp *b = arg;
	monotime_t now = monotime_now();
	struct gw_bgp_sess *ss;
	uint64_t gen;
	size_t i, na;

	(void)fd;
	(void)what;
	for (i = 0; i < b->nsess; i++) {
		ss = b->sess[i];
		if (ss->ending || !(ss->profiles & GW_BGP_PROF_TRANSIT) ||
		    !ss->tenant->transit_dirty)
			continue;
		na = gw_bgp_adv(b, ss->profiles, ss->tenant_id, ss->link_id,
		    &gen);
		if (bgp_set_advertised(ss->s, b->adv, na, now) == 0)
			ss->fwd_gen = gen;
	}
	for (i = 0; i < b->ntenants; i++)
		b->tenants[i]->transit_dirty = false;
	gw_bgp_settle(b, now);		/* sends what the sessions queued */
}

/* --- configuration ---------------------------------------------------------------- */

static size_t
gw_bgp_wants(const struct store_tenant_link *links, const unsigned *profiles,
    size_t n, struct gw_bgp_want *w)
{
	const struct model_link *l;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		l = &links[i].link;
		if (l->bgp_local == 0 || l->bgp_peer == 0 || l->asn == 0)
			continue;
		w[k].tl = &links[i];
		w[k].zone = 1;
		w[k].local = l->bgp_local;
		w[k].profiles = profiles != NULL ? profiles[i] : 0;
		k++;
		/* The zone 2 tunnel peers with zoneLocalIpAddress (§2.1). */
		if (l->redundancy == MODEL_RED_ZONE && l->zone_local != 0) {
			w[k] = w[k - 1];
			w[k].zone = 2;
			w[k].local = l->zone_local;
			k++;
		}
	}
	return k;
}

/* Whether ss announces other than what its profiles and tenant want now. */
static bool
gw_bgp_adv_changed(const struct gw_bgp *b, const struct gw_bgp_sess *ss,
    unsigned profiles)
{
	if (ss->profiles != profiles)
		return true;
	return (profiles & GW_BGP_PROF_M365) && b->cfg.fwd != NULL &&
	    gw_fwd_tenant(b->cfg.fwd, ss->tenant_id)->gen != ss->fwd_gen;
}

void
gw_bgp_sync(struct gw_bgp *b, const struct store_tenant_link *links,
    const unsigned *profiles, size_t n, bool start)
{
	struct gw_bgp_want *w = NULL;
	struct gw_bgp_sess **ns = NULL, *ss;
	struct gw_bgp_lsn *l, **nl;
	struct gw_bgp_lsn_idx lx;
	monotime_t now = monotime_now();
	size_t nw, i, j, k;
	int c;

	if ((w = calloc(2 * n + 1, sizeof(*w))) == NULL ||
	    (ns = calloc(2 * n + b->nsess + 1, sizeof(*ns))) == NULL) {
		log_err("bgp: out of memory applying device links");
		goto out;
	}
	nw = gw_bgp_wants(links, profiles, n, w);

	/* Merge: both sorted by (link id, zone). */
	for (i = 0, j = 0, k = 0; i < b->nsess || j < nw;) {
		if (i == b->nsess)
			c = 1;
		else if (j == nw)
			c = -1;
		else
			c = gw_bgp_key_cmp(b->sess[i]->link_id,
			    b->sess[i]->zone, w[j].tl->link.id, w[j].zone);
		if (c == 0 && !gw_bgp_same(b->sess[i], &w[j])) {
			log_info("bgp: link %s zone %d: BGP configuration "
			    "changed: restarting its session",
			    b->sess[i]->link_id, b->sess[i]->zone);
			c = -1;		/* end it; the new one follows */
		}
		if (c < 0) {
			gw_bgp_sess_end(b->sess[i++], now);
			continue;
		}
		if (c > 0) {
			if (start && (ss = gw_bgp_sess_new(b, &w[j], links, n,
			    now)) != NULL)
				ns[k++] = ss;
			j++;
			continue;
		}
		ss = b->sess[i++];
		/* A difference on the live session; no reset (§9.2). */
		if (start && gw_bgp_adv_changed(b, ss, w[j].profiles)) {
			uint64_t gen;
			size_t na = gw_bgp_adv(b, w[j].profiles, ss->tenant_id,
			    ss->link_id, &gen);

			if (bgp_set_advertised(ss->s, b->adv, na, now) == 0) {
				ss->profiles = w[j].profiles;
				ss->fwd_gen = gen;
			}
		}
		ns[k++] = ss;
		j++;
	}
	free(b->sess);
	b->sess = ns;
	b->nsess = k;
	ns = NULL;

	/* Listeners: one per (tenant, gateway BGP address) in use. */
	if (gw_bgp_lsn_idx_init(&lx, b->nlsn + b->nsess) == -1)
		lx.slot = NULL;		/* no memory: the scan, slower */
	for (i = 0; i < b->nlsn; i++) {
		b->lsn[i]->seen = false;
		if (lx.slot != NULL)
			gw_bgp_lsn_idx_put(&lx, b->lsn[i]);
	}
	for (i = 0; i < b->nsess; i++) {
		ss = b->sess[i];
		l = lx.slot != NULL ? gw_bgp_lsn_idx_get(&lx, ss->tenant_id,
		    ss->local) : gw_bgp_lsn_find(b, ss->tenant_id, ss->local);
		if (l != NULL) {
			l->seen = true;
			continue;
		}
		if (!start)
			continue;
		if ((nl = reallocarray(b->lsn, b->nlsn + 1,
		    sizeof(*nl))) == NULL ||
		    (l = calloc(1, sizeof(*l))) == NULL) {
			if (nl != NULL)
				b->lsn = nl;
			log_err("bgp: out of memory adding a listener");
			continue;
		}
		b->lsn = nl;
		l->b = b;
		l->fd = -1;
		l->seen = true;
		l->addr = ss->local;
		snprintf(l->tenant_id, sizeof(l->tenant_id), "%s",
		    ss->tenant_id);
		b->lsn[b->nlsn++] = l;
		if (lx.slot != NULL)
			gw_bgp_lsn_idx_put(&lx, l);
		(void)gw_bgp_lsn_open(b, l, now);
	}
	free(lx.slot);
	for (i = 0; i < b->nlsn;) {
		if (b->lsn[i]->seen) {
			i++;
			continue;
		}
		gw_bgp_lsn_close(b->lsn[i]);
		free(b->lsn[i]);
		b->lsn[i] = b->lsn[--b->nlsn];
	}
	gw_bgp_settle(b, now);
out:
	free(w);
	free(ns);
}

void
gw_bgp_path_down(struct gw_bgp *b, const char *link_id, int zone,
    const char *why)
{
	struct gw_bgp_sess *ss;

	if (b == NULL || (ss = gw_bgp_find(b, link_id, zone)) == NULL)
		return;
	/* Routes withdrawn and the connection detached in the callbacks. */
	bgp_path_down(ss->s, why, monotime_now());
	gw_bgp_arm(b, monotime_now());
}

static uint64_t
gw_bgp_refused(const struct gw_bgp_sess *ss)
{
	uint64_t n = 0;
	unsigned v;

	for (v = 0; v < BGP_POLICY_VERDICTS; v++)
		n += ss->refused[v];
	return n;
}

/* --- status ---------------------------------------------------------------------- */

void
gw_bgp_status(const struct gw_bgp *b, const char *link_id, int zone,
    int64_t wall_off_ms, struct model_link_bgp *out)
{
	const struct gw_bgp_sess *ss;
	struct bgp_status st;
	unsigned v;

	memset(out, 0, sizeof(*out));
	if (b == NULL || (ss = gw_bgp_find(b, link_id, zone)) == NULL)
		return;
	bgp_status(ss->s, &st);
	out->present = true;
	snprintf(out->state, sizeof(out->state), "%s",
	    gw_bgp_state_api(st.state));
	out->local_ip = ss->local;
	out->peer_ip = ss->peer;
	out->peer_asn = ss->peer_as;
	if (st.state == BGP_ESTABLISHED)
		out->established_ms = wall_off_ms +
		    (int64_t)(st.established_at / MONOTIME_MSEC);
	out->received = st.prefixes_in;
	out->learned = ss->acc.n;
	out->advertised = st.prefixes_out;
	out->rejected = gw_bgp_refused(ss);
	out->treat_as_withdraw = st.treat_as_withdraw;
	{
		struct bfd_status fs;

		if (gw_bfd_status(ss->bfd, &fs)) {
			snprintf(out->bfd_state, sizeof(out->bfd_state), "%s",
			    bfd_state_name(fs.state));
			out->bfd_detect_ms = fs.detect_time_us / 1000;
			out->bfd_tx_ms = fs.tx_interval_us / 1000;
		}
	}
	for (v = 0; v < BGP_POLICY_VERDICTS &&
	    out->nreject < sizeof(out->reject) / sizeof(out->reject[0]); v++) {
		if (ss->refused[v] == 0)
			continue;
		snprintf(out->reject[out->nreject].key,
		    sizeof(out->reject[0].key), "%s",
		    bgp_policy_verdict_key((enum bgp_policy_verdict)v));
		out->reject[out->nreject++].n = ss->refused[v];
	}
	snprintf(out->last_error, sizeof(out->last_error), "%s",
	    ss->last_error);
}

/* --- route lists (GET .../routes) ----------------------------------------- */

struct gw_bgp_rw {
	const struct gw_bgp_sess *ss;
	struct model_link_route **out;
	size_t		*n, *cap;
	int		 err;
};

static struct model_link_route *
gw_bgp_rw_add(struct gw_bgp_rw *w)
{
	struct model_link_route *r;
	size_t cap;

	if (w->err)
		return NULL;
	if (*w->n == *w->cap) {
		cap = *w->cap ? *w->cap * 2 : 64;
		if ((r = reallocarray(*w->out, cap, sizeof(*r))) == NULL) {
			w->err = -1;
			return NULL;
		}
		*w->out = r;
		*w->cap = cap;
	}
	r = &(*w->out)[(*w->n)++];
	memset(r, 0, sizeof(*r));
	r->zone = (uint8_t)w->ss->zone;
	return r;
}

static void
gw_bgp_rw_recv(void *arg, const struct bgp_route *br, bool stale)
{
	struct gw_bgp_rw *w = arg;
	const struct gw_bgp_sess *ss = w->ss;
	struct model_link_route *r;
	enum bgp_policy_verdict v;
	bool found;

	if ((r = gw_bgp_rw_add(w)) == NULL)
		return;
	r->addr = br->addr;
	r->len = br->len;
	r->nexthop = br->nexthop;
	r->path_len = br->path_len;
	r->origin_as = br->origin_as;
	r->has_med = br->has_med;
	r->med = br->med;
	(void)pfxset_pos(&ss->acc, br->addr, br->len, &found);
	if (found) {
		struct esp_table_member m[ESP_TABLE_ECMP_MAX];
		size_t k, nm;

		snprintf(r->state, sizeof(r->state), "%s",
		    stale ? "stale" : "installed");
		nm = gw_dp_route_members(ss->b->cfg.dp, ss->tenant_id,
		    br->addr, br->len, m, ESP_TABLE_ECMP_MAX);
		for (k = 0; k < nm && r->nmember < sizeof(r->member) /
		    sizeof(r->member[0]); k++) {
			size_t l = strlen(m[k].link_id);

			if (l > MODEL_ID_LEN)
				continue;	/* not one of ours */
			memcpy(r->member[r->nmember].link_id, m[k].link_id,
			    l + 1);
			r->member[r->nmember].zone = m[k].zone;
			r->member[r->nmember++].up = m[k].up;
		}
		return;
	}
	/* Not installed: say why as route_add() decided it. */
	snprintf(r->state, sizeof(r->state), "refused");
	v = bgp_policy_import(&ss->pol, br->addr, br->len);
	if (v == BGP_POLICY_ACCEPT)
		v = ss->tenant->routes >= ss->b->cfg.tenant_routes_max ?
		    BGP_POLICY_TENANT_LIMIT : BGP_POLICY_ACCEPT;
	snprintf(r->reason, sizeof(r->reason), "%s", v == BGP_POLICY_ACCEPT ?
	    "notInstalled" : bgp_policy_verdict_key(v));
}

static void
gw_bgp_rw_adv(void *arg, const struct bgp_prefix *p)
{
	struct model_link_route *r;

	if ((r = gw_bgp_rw_add(arg)) == NULL)
		return;
	r->advertised = true;
	r->addr = p->addr;
	r->len = p->len;
}

int
gw_bgp_routes(const struct gw_bgp *b, const char *link_id, int zone,
    struct model_link_route **out, size_t *n, size_t *cap)
{
	struct gw_bgp_rw w = { NULL, out, n, cap, 0 };

	if (b == NULL || (w.ss = gw_bgp_find(b, link_id, zone)) == NULL)
		return 0;
	bgp_walk_routes(w.ss->s, gw_bgp_rw_recv, &w);
	bgp_walk_advertised(w.ss->s, gw_bgp_rw_adv, &w);
	return w.err;
}

void
gw_bgp_log_stats(const struct gw_bgp *b)
{
	const struct gw_bgp_sess *ss;
	struct bgp_status st;
	char p[IP4_STRLEN];
	size_t i;

	for (i = 0; i < b->nsess; i++) {
		ss = b->sess[i];
		bgp_status(ss->s, &st);
		log_info("bgp: link %s zone %d (%s AS %u): %s, prefixes "
		    "received %zu (stale %zu) installed %zu refused %llu "
		    "advertised %zu, messages in %llu out %llu, updates in "
		    "%llu out %llu, established %llu times, graceful restarts "
		    "%llu, collisions refused %llu replaced %llu%s%s",
		    ss->link_id, ss->zone, ip4_fmt(ss->peer, p), ss->peer_as,
		    bgp_state_name(st.state), st.prefixes_in, st.stale,
		    ss->acc.n,
		    (unsigned long long)gw_bgp_refused(ss), st.prefixes_out,
		    (unsigned long long)st.msgs_in,
		    (unsigned long long)st.msgs_out,
		    (unsigned long long)st.updates_in,
		    (unsigned long long)st.updates_out,
		    (unsigned long long)st.established,
		    (unsigned long long)st.gr_restarts,
		    (unsigned long long)st.collisions_refused,
		    (unsigned long long)st.collisions_replaced,
		    ss->last_error[0] != '\0' ? "; last down: " : "",
		    ss->last_error);
	}
	if (b->unknown_peers > 0)
		log_info("bgp: %llu connections from unknown peers closed",
		    (unsigned long long)b->unknown_peers);
}

/* --- life cycle ------------------------------------------------------------------ */

int
gw_bgp_new(struct gw_bgp **out, const struct gw_bgp_cfg *cfg)
{
	struct gw_bgp *b;

	*out = NULL;
	if (cfg->base == NULL || cfg->dp == NULL || cfg->local_as == 0)
		return -1;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	b->cfg = *cfg;
	if (b->cfg.tenant_routes_max == 0)
		b->cfg.tenant_routes_max = GW_BGP_TENANT_ROUTES_DEFAULT;
	b->next_disc = gw_bgp_cb_random(NULL);
	if (b->cfg.transfer_plen == 0) {
		b->cfg.transfer_net = EGRESS_TRANSFER_NET;
		b->cfg.transfer_plen = EGRESS_TRANSFER_PLEN;
	}
	/*
	 * Room for the default route and the Microsoft 365 routes twice
	 * over: a tenant's bypass can cut a shipped subnet into pieces
	 * (gw_fwd.h). Each session holds four arrays of it (bgp_adv.c).
	 */
	b->adv_max = 1 + 2 * cfg->nm365 + GW_BGP_ADV_SLACK +
	    b->cfg.tenant_routes_max;
	if ((b->adv = calloc(b->adv_max, sizeof(*b->adv))) == NULL ||
	    (cfg->nm365 > 0 && (b->m365 = calloc(cfg->nm365,
	    sizeof(*b->m365))) == NULL) ||
	    (b->ev_timer = evtimer_new(cfg->base, gw_bgp_on_timer, b)) == NULL ||
	    (b->ev_transit = evtimer_new(cfg->base, gw_bgp_on_transit,
	    b)) == NULL)
		goto fail;
	if (cfg->nm365 > 0)
		memcpy(b->m365, cfg->m365, cfg->nm365 * sizeof(*b->m365));
	b->cfg.m365 = NULL;		/* only b->m365 from here on */
	*out = b;
	return 0;
fail:
	free(b->adv);
	free(b->m365);
	free(b);
	return -1;
}

void
gw_bgp_free(struct gw_bgp *b)
{
	struct gw_bgp_conn *c, *next;
	monotime_t now = monotime_now();
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nsess; i++)
		gw_bgp_sess_end(b->sess[i], now);
	free(b->sess);
	/* One try to hand each Cease to the kernel, then close. */
	for (c = b->conns; c != NULL; c = next) {
		next = c->next;
		if (!c->dead && !c->failed)
			gw_bgp_conn_pump(c);
		gw_bgp_conn_free(c);
	}
	for (i = 0; i < b->nlsn; i++) {
		gw_bgp_lsn_close(b->lsn[i]);
		free(b->lsn[i]);
	}
	free(b->lsn);
	gw_dp_learned_commit(b->cfg.dp);
	if (b->ev_timer != NULL)
		event_free(b->ev_timer);
	if (b->ev_transit != NULL)
		event_free(b->ev_transit);
	free(b->adv);
	free(b->m365);
	free(b->tenants);
	free(b);
}
