/*
 * bgp_session.c - the session FSM of RFC 4271 §8 for a host that owns one
 * TCP connection per peer: Idle -> Connect (active) or Active (passive);
 * the host reports the connection up -> OpenSent -> OpenConfirm ->
 * Established. No DelayOpen. A second connection from the peer is the
 * host's to hold until its OPEN is in; bgp_collision() then says which of
 * the two lives (§6.8, RFC 4724 §4.2).
 *
 * Graceful restart, helper side (RFC 4724 §4.2): when the TCP connection
 * of an Established session with a peer that sent the capability for IPv4
 * unicast fails (no NOTIFICATION either way: RFC 8538's N bit is neither
 * sent nor honoured), the routes stay, marked stale, for the peer's
 * Restart Time (at most gr_max_s); the next session's End-of-RIB removes
 * those not announced again, the timer all of them.
 *
 * Timers are deadlines in monotonic time that bgp_tick() runs: hold and
 * keepalive (§4.4, §10, with the 0.75-1.0 jitter of §10), connect retry,
 * and an idle hold after a failure of an active session. Messages come in
 * through the framer and go to the handler of their type; UPDATEs to
 * bgp_recv.c, the advertised set is bgp_adv.c's.
 */
#include "bgp_session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip4.h"
#include "log.h"

#define BGP_OPENSENT_HOLD	240	/* §8.2.2: "a large value", 4 minutes */
#define BGP_LOG_INTERVAL	(10 * MONOTIME_SEC)

const char *
bgp_state_name(enum bgp_state st)
{
	switch (st) {
	case BGP_IDLE:
		return "Idle";
	case BGP_CONNECT:
		return "Connect";
	case BGP_ACTIVE:
		return "Active";
	case BGP_OPENSENT:
		return "OpenSent";
	case BGP_OPENCONFIRM:
		return "OpenConfirm";
	case BGP_ESTABLISHED:
		return "Established";
	}
	return "?";
}

void
bgp_config_defaults(struct bgp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->hold_time = BGP_HOLD_DEFAULT;
	c->passive = true;
	c->max_prefixes = BGP_MAX_PREFIXES_DEFAULT;
	c->max_advertised = BGP_MAX_ADV_DEFAULT;
	c->connect_retry_s = BGP_CONNECT_RETRY_DEFAULT;
	c->idle_hold_s = BGP_IDLE_HOLD_DEFAULT;
	c->gr_time = 0;
	c->gr_max_s = BGP_GR_MAX_DEFAULT;
}

/* AS numbers no session may use: RFC 7607 (0), RFC 6793 (AS_TRANS), RFC 7300. */
static bool
bgp_as_usable(uint32_t as)
{
	return as != 0 && as != BGP_AS_TRANS && as != 65535 &&
	    as != 0xffffffffu;
}

int
bgp_config_check(const struct bgp_config *c, char *why, size_t whylen)
{
	const char *e = NULL;
	size_t i;

	if (!bgp_as_usable(c->local_as) || !bgp_as_usable(c->peer_as))
		e = "local or peer AS is 0, 23456, 65535 or 4294967295";
	else if (c->local_as == c->peer_as)
		e = "local and peer AS are equal: only eBGP is supported";
	else if (c->local_addr == 0 || c->peer_addr == 0 ||
	    c->local_addr == c->peer_addr)
		e = "local and peer addresses must be set and differ";
	else if (c->hold_time == 1 || c->hold_time == 2)
		e = "hold time must be 0 or at least 3 s";	/* §4.2 */
	else if (c->max_prefixes == 0 ||
	    c->max_prefixes > BGP_MAX_PREFIXES_LIMIT)
		e = "max prefixes out of 1..262144";
	else if (c->max_advertised == 0 ||
	    c->max_advertised > BGP_MAX_ADV_LIMIT ||
	    c->nadv > c->max_advertised)
		e = "advertised prefixes over max_advertised (1..65536)";
	else if (!c->passive && c->connect_retry_s == 0)
		e = "connect retry must be at least 1 s";
	else if (c->nadv > 0 && c->adv == NULL)
		e = "advertised prefixes missing";
	else if (c->gr_time > BGP_GR_TIME_MAX ||
	    (c->gr_time > 0 && c->gr_max_s == 0))
		e = "graceful restart time out of 0..4095 s, or no maximum";
	for (i = 0; e == NULL && i < c->nadv; i++)
		if (!bgp_adv_valid(&c->adv[i]))
			e = "advertised prefix with host bits set or length > 32";
	if (e == NULL)
		return 0;
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", e);
	return -1;
}

void
bgp_session_log_remote(struct bgp_session *s, monotime_t now,
    const char *fmt, ...)
{
	char line[512], peer[IP4_STRLEN];
	va_list ap;

	if (s->log_at != 0 && now - s->log_at < BGP_LOG_INTERVAL) {
		s->log_suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_warn("bgp: remote: %s (%s): %s (%u similar suppressed)",
	    s->cfg.name, ip4_fmt(s->cfg.peer_addr, peer), line,
	    s->log_suppressed);
	s->log_at = now != 0 ? now : 1;
	s->log_suppressed = 0;
}

/* §10: timers reduced by a random 0-25 %. */
static monotime_t
bgp_session_jitter(struct bgp_session *s, monotime_t base)
{
	uint32_t r;

	if (s->cb.random == NULL)
		return base;
	r = s->cb.random(s->cb.arg) % 1024;
	return base - (base / 4) * r / 1024;
}

static void
bgp_session_keepalive_restart(struct bgp_session *s, monotime_t now)
{
	s->t_keepalive = s->keepalive == 0 ? MONOTIME_NEVER :
	    now + bgp_session_jitter(s, s->keepalive * MONOTIME_SEC);
}

void
bgp_session_send(struct bgp_session *s, const uint8_t *msg, size_t len,
    monotime_t now)
{
	struct bgp_hdr h;
	struct bgp_err err;

	if (bgp_wire_hdr_parse(msg, len, &h, &err) == -1)
		return;		/* a bug of ours: never put on the wire */
	s->st.msgs_out++;
	if (h.type == BGP_UPDATE)
		s->st.updates_out++;
	else if (h.type == BGP_NOTIFICATION)
		s->st.notify_out++;
	/* §8.2.2: sending a KEEPALIVE or UPDATE restarts the KeepaliveTimer. */
	if ((h.type == BGP_UPDATE || h.type == BGP_KEEPALIVE) &&
	    s->state >= BGP_OPENCONFIRM)
		bgp_session_keepalive_restart(s, now);
	s->cb.send(s->cb.arg, msg, len);
}

static void
bgp_session_send_keepalive(struct bgp_session *s, monotime_t now)
{
	struct wbuf w;

	wbuf_init(&w, s->out, sizeof(s->out));
	if (bgp_wire_keepalive_build(&w) == 0)
		bgp_session_send(s, s->out, wbuf_len(&w), now);
}

/* Where the session goes once a connection is finished with. */
static void
bgp_session_idle(struct bgp_session *s, monotime_t now)
{
	s->t_hold = s->t_keepalive = s->t_connect = MONOTIME_NEVER;
	s->t_idle = MONOTIME_NEVER;
	s->hold = s->keepalive = 0;
	s->peer_id = 0;
	s->peer_gr = false;
	s->peer_gr_time = 0;
	bgp_wire_framer_init(&s->fr);
	if (!s->started) {
		s->state = BGP_IDLE;
	} else if (s->cfg.passive) {
		/* The peer paces its own reconnects; refusing them gains nothing. */
		s->state = BGP_ACTIVE;
	} else {
		/* §8.1.1 DampPeerOscillations in its simplest form. */
		s->state = BGP_IDLE;
		s->t_idle = now + s->cfg.idle_hold_s * MONOTIME_SEC;
	}
}

/* Printable ASCII of at most n octets (a peer's shutdown message). */
static void
bgp_session_sanitize(char *out, size_t outlen, const uint8_t *in, size_t n)
{
	size_t i;

	if (outlen == 0)
		return;
	if (n > outlen - 1)
		n = outlen - 1;
	for (i = 0; i < n; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? (char)in[i] : '?';
	out[n] = '\0';
}

/*
 * The end of a connection: NOTIFICATION err if not NULL, every learned
 * route withdrawn, then the down event (the host closes the connection).
 */
static void
bgp_session_close(struct bgp_session *s, enum bgp_down_reason reason,
    const struct bgp_err *err, const char *detail, monotime_t now)
{
	struct bgp_down d;
	struct wbuf w;
	char peer[IP4_STRLEN], text[BGP_DOWN_TEXT_MAX];
	uint16_t keep_s = 0;

	/*
	 * RFC 4724 §4.2: only the loss of the TCP connection of an
	 * Established session keeps the routes; a NOTIFICATION (sent, received,
	 * hold timer), a stop or the tunnel going (bgp_path_down) does not.
	 * A Restart Time of 0 asks for nothing to be kept.
	 */
	if (reason == BGP_DOWN_TCP_CLOSED && s->state == BGP_ESTABLISHED &&
	    s->cfg.gr_time > 0 && s->peer_gr && s->peer_gr_time > 0)
		keep_s = s->peer_gr_time < s->cfg.gr_max_s ?
		    s->peer_gr_time : s->cfg.gr_max_s;
	if (err != NULL && reason != BGP_DOWN_NOTIFY_RCVD) {
		wbuf_init(&w, s->out, sizeof(s->out));
		if (bgp_wire_notification_build(&w, err) == 0)
			bgp_session_send(s, s->out, wbuf_len(&w), now);
	}
	memset(&d, 0, sizeof(d));
	d.reason = reason;
	d.was_established = s->state == BGP_ESTABLISHED;
	d.detail = detail != NULL ? detail : "";
	if (err != NULL) {
		d.code = err->code;
		d.subcode = err->subcode;
	}
	bgp_down_text(&d, text, sizeof(text));
	if (d.was_established)
		log_info("bgp: %s (%s): session down: %s", s->cfg.name,
		    ip4_fmt(s->cfg.peer_addr, peer), text);
	else	/* a peer that keeps failing must not flood the log */
		bgp_session_log_remote(s, now, "session failed in %s: %s",
		    bgp_state_name(s->state), text);
	if (keep_s > 0) {
		/*
		 * Consecutive restarts: what is still stale from the last one
		 * goes now (§4.2); the rest becomes stale.
		 */
		bgp_recv_sweep_stale(s, "the peer restarted again");
		bgp_rib_mark_stale(&s->rib);
		s->t_stale = now + keep_s * MONOTIME_SEC;
		s->st.gr_restarts++;
		d.stale = s->rib.stale;
		d.stale_for_s = keep_s;
		log_info("bgp: %s (%s): graceful restart: %zu routes kept as "
		    "stale for at most %u s", s->cfg.name,
		    ip4_fmt(s->cfg.peer_addr, peer), d.stale, keep_s);
	} else if (reason != BGP_DOWN_TCP_CLOSED || s->state ==
	    BGP_ESTABLISHED || s->rib.stale != s->rib.count) {
		bgp_recv_flush(s);
	} else {
		/*
		 * A restarting peer's new connection failed before it sent
		 * any route: what is kept stays until the restart timer.
		 */
		d.stale = s->rib.stale;
		if (d.stale > 0 && s->t_stale > now)
			d.stale_for_s = (uint16_t)((s->t_stale - now +
			    MONOTIME_SEC - 1) / MONOTIME_SEC);
	}
	bgp_session_idle(s, now);
	s->st.has_last_down = true;
	s->st.last_down = d;
	s->st.last_down.detail = NULL;
	if (s->cb.down != NULL)
		s->cb.down(s->cb.arg, &d);
}

void
bgp_session_notify(struct bgp_session *s, const struct bgp_err *err,
    const char *why, monotime_t now)
{
	const char *sub = bgp_err_subcode_name(err->code, err->subcode);

	/* The detail adds to code and subcode; their names are not repeated. */
	if (why != NULL && sub != NULL && strcmp(why, sub) == 0)
		why = NULL;
	bgp_session_close(s, err->code == BGP_ERR_HOLD ?
	    BGP_DOWN_HOLD_EXPIRED : BGP_DOWN_NOTIFY_SENT, err, why, now);
}

static void
bgp_session_notify_code(struct bgp_session *s, uint8_t code,
    uint8_t subcode, const void *data, size_t len, const char *why,
    monotime_t now)
{
	struct bgp_err err;

	bgp_wire_err(&err, code, subcode, data, len);
	bgp_session_notify(s, &err, why, now);
}

struct bgp_session *
bgp_session_new(const struct bgp_config *cfg, const struct bgp_callbacks *cb)
{
	struct bgp_session *s;
	char why[128];
	uint64_t seed = 0x6a09e667f3bcc909ULL;

	if (bgp_config_check(cfg, why, sizeof(why)) == -1) {
		log_warn("bgp: %s: configuration refused: %s", cfg->name, why);
		return NULL;
	}
	if (cb == NULL || cb->send == NULL ||
	    (!cfg->passive && cb->connect == NULL))
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->cfg = *cfg;
	s->cfg.name[sizeof(s->cfg.name) - 1] = '\0';
	s->cfg.adv = NULL;
	s->cfg.nadv = 0;
	s->t_stale = MONOTIME_NEVER;
	if (s->cfg.local_id == 0)
		s->cfg.local_id = s->cfg.local_addr;
	s->cb = *cb;
	if (cb->random != NULL)
		seed = (uint64_t)cb->random(cb->arg) << 32 | cb->random(cb->arg);
	if (bgp_rib_init(&s->rib, cfg->max_prefixes, seed) == -1 ||
	    bgp_adv_init(s, cfg->adv, cfg->nadv) == -1) {
		bgp_session_free(s);
		return NULL;
	}
	bgp_session_idle(s, 0);
	return s;
}

void
bgp_session_free(struct bgp_session *s)
{
	if (s == NULL)
		return;
	bgp_rib_free(&s->rib);
	bgp_adv_free(s);
	free(s);
}

static void
bgp_session_connect(struct bgp_session *s, monotime_t now)
{
	s->state = BGP_CONNECT;
	s->t_idle = MONOTIME_NEVER;
	s->t_connect = now + bgp_session_jitter(s,
	    s->cfg.connect_retry_s * MONOTIME_SEC);
	s->cb.connect(s->cb.arg);
}

void
bgp_start(struct bgp_session *s, monotime_t now)
{
	if (s->started)
		return;
	s->started = true;
	if (s->state != BGP_IDLE)
		return;
	if (s->cfg.passive)
		s->state = BGP_ACTIVE;
	else
		bgp_session_connect(s, now);
}

void
bgp_stop(struct bgp_session *s, monotime_t now)
{
	struct bgp_err err;

	s->started = false;
	if (s->state >= BGP_OPENSENT) {
		/* Cease / Administrative Shutdown, RFC 4486 */
		bgp_wire_err(&err, BGP_ERR_CEASE, BGP_ECEASE_SHUTDOWN, NULL, 0);
		bgp_session_close(s, BGP_DOWN_STOPPED, &err, NULL, now);
	} else {
		bgp_recv_flush(s);	/* stale routes of a restarting peer */
		bgp_session_idle(s, now);
	}
}

int
bgp_connected(struct bgp_session *s, monotime_t now)
{
	struct wbuf w;

	if (s->state != BGP_CONNECT && s->state != BGP_ACTIVE)
		return -1;
	bgp_wire_framer_init(&s->fr);
	s->state = BGP_OPENSENT;
	s->t_connect = s->t_idle = MONOTIME_NEVER;
	s->t_keepalive = MONOTIME_NEVER;
	s->t_hold = now + BGP_OPENSENT_HOLD * MONOTIME_SEC;
	wbuf_init(&w, s->out, sizeof(s->out));
	if (bgp_wire_open_build(&w, s->cfg.local_as, s->cfg.hold_time,
	    s->cfg.local_id, s->cfg.gr_time) == 0)
		bgp_session_send(s, s->out, wbuf_len(&w), now);
	return 0;
}

void
bgp_closed(struct bgp_session *s, monotime_t now)
{
	if (s->state >= BGP_OPENSENT)
		bgp_session_close(s, BGP_DOWN_TCP_CLOSED, NULL, NULL, now);
	/* Connect: the attempt failed; the connect retry timer tries again. */
}

void
bgp_path_down(struct bgp_session *s, const char *why, monotime_t now)
{
	if (s->state >= BGP_OPENSENT)
		bgp_session_close(s, BGP_DOWN_PATH, NULL, why, now);
	else if (s->rib.count > 0)	/* stale, kept for a restart */
		bgp_recv_flush(s);
}

enum bgp_collision
bgp_collision(struct bgp_session *s, const uint8_t *data, size_t len,
    uint8_t *reply, size_t *replylen, monotime_t now)
{
	struct bgp_framer *fr;
	struct bgp_hdr h;
	struct bgp_err err;
	struct bgp_open o;
	struct buf in, msg, body;
	struct wbuf w;
	enum bgp_collision r = BGP_COLL_REFUSE;
	const char *why = NULL;
	uint8_t type;
	int k;

	*replylen = 0;
	if (s->state < BGP_OPENSENT)
		return s->started ? BGP_COLL_REPLACE : BGP_COLL_REFUSE;
	if ((fr = malloc(sizeof(*fr))) == NULL)
		return BGP_COLL_REFUSE;
	bgp_wire_framer_init(fr);
	buf_init(&in, data, len);
	k = bgp_wire_framer_next(fr, &in, &h, &msg, &err);
	if (k == 0) {
		free(fr);
		return BGP_COLL_MORE;
	}
	if (k == 1 && h.type != BGP_OPEN) {
		/* RFC 6608: the new connection is in OpenSent for us. */
		type = h.type;
		bgp_wire_err(&err, BGP_ERR_FSM, BGP_EFSM_OPENSENT, &type, 1);
	} else if (k == 1) {
		(void)buf_skip(&msg, BGP_HDR_LEN);
		(void)buf_get_sub(&msg, buf_left(&msg), &body);
		if (bgp_wire_open_parse(&body, &o, &err) == 0) {
			/* Not the peer, or not an OPEN we could accept. */
			if ((o.cap_as4 ? o.as4 : o.my_as) != s->cfg.peer_as)
				bgp_wire_err(&err, BGP_ERR_OPEN,
				    BGP_EOPEN_PEER_AS, NULL, 0);
			else if (o.id == 0 || o.id == s->cfg.local_id)
				bgp_wire_err(&err, BGP_ERR_OPEN,
				    BGP_EOPEN_BGP_ID, NULL, 0);
			else if (s->state == BGP_ESTABLISHED) {
				/*
				 * §6.8: an Established connection stays and
				 * the newcomer goes, unless the peer said it
				 * restarts gracefully: RFC 4724 §4.2 takes a
				 * new OPEN for the end of the old connection.
				 */
				r = s->peer_gr ? BGP_COLL_REPLACE :
				    BGP_COLL_REFUSE;
				why = "the established connection stays";
			} else {
				/*
				 * §6.8, OpenSent or OpenConfirm: if our BGP
				 * Identifier is the smaller, the existing
				 * connection goes; else the new one.
				 */
				r = s->cfg.local_id < o.id ?
				    BGP_COLL_REPLACE : BGP_COLL_REFUSE;
				why = "our BGP Identifier is the larger";
			}
			if (why != NULL)
				bgp_wire_err(&err, BGP_ERR_CEASE,
				    BGP_ECEASE_COLLISION, NULL, 0);
		}
	}
	free(fr);
	if (r == BGP_COLL_REPLACE) {
		s->st.collisions_replaced++;
		if (s->state == BGP_ESTABLISHED)
			bgp_session_close(s, BGP_DOWN_TCP_CLOSED, NULL,
			    "a new connection from the restarting peer "
			    "replaces it", now);
		else
			bgp_session_notify(s, &err, "a new connection from "
			    "the peer replaces it: its BGP Identifier is the "
			    "larger", now);
		return BGP_COLL_REPLACE;
	}
	s->st.collisions_refused++;
	if (why != NULL)
		bgp_session_log_remote(s, now, "second connection refused "
		    "(connection collision, RFC 4271 §6.8): %s", why);
	wbuf_init(&w, reply, BGP_COLL_REPLY_MAX);
	if (bgp_wire_notification_build(&w, &err) == 0)
		*replylen = wbuf_len(&w);
	return BGP_COLL_REFUSE;
}

/* §4.2, §6.2 and the capabilities we insist on. */
static void
bgp_session_recv_open(struct bgp_session *s, struct buf *body,
    monotime_t now)
{
	struct bgp_open o;
	struct bgp_err err;
	char why[96];
	uint8_t cap[6];
	uint32_t peer_as;
	uint16_t hold;

	if (bgp_wire_open_parse(body, &o, &err) == -1) {
		bgp_session_notify(s, &err, o.version != BGP_VERSION ?
		    "unsupported version" : "malformed OPEN", now);
		return;
	}
	peer_as = o.cap_as4 ? o.as4 : o.my_as;
	if (peer_as != s->cfg.peer_as) {
		snprintf(why, sizeof(why), "peer AS %u, expected %u", peer_as,
		    s->cfg.peer_as);
		bgp_session_notify_code(s, BGP_ERR_OPEN, BGP_EOPEN_PEER_AS,
		    NULL, 0, why, now);
		return;
	}
	/*
	 * RFC 5492 §5: we need 4-octet AS numbers (every AS_PATH we parse
	 * has them) and, if the peer names its address families, IPv4
	 * unicast; the NOTIFICATION carries the capability we miss.
	 */
	if (!o.cap_as4) {
		bgp_session_notify_code(s, BGP_ERR_OPEN, BGP_EOPEN_CAPABILITY,
		    cap, bgp_wire_cap_as4(cap, s->cfg.local_as),
		    "no 4-octet AS capability", now);
		return;
	}
	if (o.cap_mp_any && !o.cap_mp_ipv4u) {
		bgp_session_notify_code(s, BGP_ERR_OPEN, BGP_EOPEN_CAPABILITY,
		    cap, bgp_wire_cap_mp_ipv4u(cap), "no IPv4 unicast", now);
		return;
	}
	/* §6.2, RFC 6286: non-zero, and not ours. */
	if (o.id == 0 || o.id == s->cfg.local_id) {
		bgp_session_notify_code(s, BGP_ERR_OPEN, BGP_EOPEN_BGP_ID,
		    NULL, 0, o.id == 0 ? "BGP identifier 0" :
		    "BGP identifier equals ours", now);
		return;
	}
	/* §6.2: a hold time of one or two seconds is refused. */
	if (o.hold == 1 || o.hold == 2) {
		bgp_session_notify_code(s, BGP_ERR_OPEN, BGP_EOPEN_HOLD,
		    NULL, 0, "hold time 1 or 2 s", now);
		return;
	}
	/* §4.2: the smaller of the two; keepalives every third of it (§10). */
	hold = o.hold < s->cfg.hold_time ? o.hold : s->cfg.hold_time;
	s->hold = hold;
	s->keepalive = hold / 3;
	s->peer_id = o.id;
	s->peer_rr = o.cap_rr;
	/* RFC 4724 §4.2: helper for the families the peer lists, ours only. */
	s->peer_gr = s->cfg.gr_time > 0 && o.cap_gr && o.gr_ipv4u;
	s->peer_gr_time = s->peer_gr ? o.gr_time : 0;
	s->st.peer_gr = s->peer_gr;
	/*
	 * §4.2: routes kept from before the restart survive the new OPEN only
	 * if the peer says it kept forwarding IPv4 unicast (F bit).
	 */
	if (s->rib.stale > 0 && !(s->peer_gr && o.gr_ipv4u_fwd))
		bgp_recv_sweep_stale(s, o.cap_gr ? "the peer did not keep "
		    "its forwarding state" : "the peer no longer sends the "
		    "graceful restart capability");
	s->state = BGP_OPENCONFIRM;
	s->t_hold = hold == 0 ? MONOTIME_NEVER : now + hold * MONOTIME_SEC;
	bgp_session_send_keepalive(s, now);
}

static void
bgp_session_established(struct bgp_session *s, monotime_t now)
{
	char peer[IP4_STRLEN];

	s->state = BGP_ESTABLISHED;
	s->established_at = now;
	s->st.established++;
	log_info("bgp: %s (%s): session established, AS %u, hold %u s",
	    s->cfg.name, ip4_fmt(s->cfg.peer_addr, peer), s->cfg.peer_as,
	    s->hold);
	if (s->cb.up != NULL)
		s->cb.up(s->cb.arg);
	if (s->state != BGP_ESTABLISHED)
		return;
	bgp_adv_send_all(s, now);
	if (s->cfg.gr_time > 0) {
		struct wbuf w;

		/* RFC 4724 §2: the initial update is complete. */
		wbuf_init(&w, s->out, sizeof(s->out));
		if (bgp_wire_eor_build(&w) == 0)
			bgp_session_send(s, s->out, wbuf_len(&w), now);
	}
	/*
	 * §4.2: the restart timer ends here; the peer now has at most
	 * gr_max_s to send its End-of-RIB.
	 */
	if (s->rib.stale > 0)
		s->t_stale = now + s->cfg.gr_max_s * MONOTIME_SEC;
}

static void
bgp_session_recv_notification(struct bgp_session *s, struct buf *body,
    monotime_t now)
{
	struct bgp_err n;
	char detail[192], text[129];
	const uint8_t *p;
	uint8_t mlen;
	struct buf b;

	s->st.notify_in++;
	if (bgp_wire_notification_parse(body, &n) == -1)
		n.code = n.subcode = 0, n.len = 0;
	detail[0] = '\0';
	/* RFC 9003 §2: a shutdown communication, length-prefixed UTF-8. */
	buf_init(&b, n.data, n.len);
	if (n.code == BGP_ERR_CEASE && (n.subcode == BGP_ECEASE_SHUTDOWN ||
	    n.subcode == BGP_ECEASE_RESET) && buf_get_u8(&b, &mlen) == 0 &&
	    mlen > 0 && buf_peek_ptr(&b, mlen, &p) == 0) {
		bgp_session_sanitize(text, sizeof(text), p, mlen);
		snprintf(detail, sizeof(detail), "\"%s\"", text);
	}
	bgp_session_close(s, BGP_DOWN_NOTIFY_RCVD, &n, detail, now);
}

static void
bgp_session_recv_rrefresh(struct bgp_session *s, struct buf *body,
    monotime_t now)
{
	uint16_t afi;
	uint8_t safi;

	if (bgp_wire_rrefresh_parse(body, &afi, &safi) == -1)
		return;		/* not reached: the header fixed its length */
	/* RFC 2918 §4: a family we did not advertise is ignored. */
	if (afi != BGP_AFI_IPV4 || safi != BGP_SAFI_UNICAST)
		return;
	s->st.refresh_in++;
	bgp_adv_send_all(s, now);
}

/* RFC 6608: an unexpected message for the state; Data = its type. */
static void
bgp_session_fsm_error(struct bgp_session *s, uint8_t type, monotime_t now)
{
	uint8_t sub = s->state == BGP_OPENSENT ? BGP_EFSM_OPENSENT :
	    s->state == BGP_OPENCONFIRM ? BGP_EFSM_OPENCONFIRM :
	    BGP_EFSM_ESTABLISHED;
	char why[48];

	snprintf(why, sizeof(why), "unexpected message type %u", type);
	bgp_session_notify_code(s, BGP_ERR_FSM, sub, &type, 1, why, now);
}

static void
bgp_session_dispatch(struct bgp_session *s, const struct bgp_hdr *h,
    struct buf *msg, monotime_t now)
{
	struct buf body;

	s->st.msgs_in++;
	if (buf_skip(msg, BGP_HDR_LEN) == -1 ||
	    buf_get_sub(msg, buf_left(msg), &body) == -1)
		return;
	if (h->type == BGP_NOTIFICATION) {
		bgp_session_recv_notification(s, &body, now);
		return;
	}
	/* Anything heard restarts the hold timer once it is negotiated. */
	if (s->state >= BGP_OPENCONFIRM && s->hold != 0)
		s->t_hold = now + s->hold * MONOTIME_SEC;
	switch (h->type) {
	case BGP_OPEN:
		if (s->state != BGP_OPENSENT)
			break;
		bgp_session_recv_open(s, &body, now);
		return;
	case BGP_KEEPALIVE:
		if (s->state == BGP_OPENSENT)
			break;
		if (s->state == BGP_OPENCONFIRM)
			bgp_session_established(s, now);
		return;
	case BGP_UPDATE:
		if (s->state != BGP_ESTABLISHED)
			break;
		s->st.updates_in++;
		bgp_recv_update(s, &body, now);
		return;
	case BGP_ROUTE_REFRESH:
		if (s->state != BGP_ESTABLISHED)
			break;
		bgp_session_recv_rrefresh(s, &body, now);
		return;
	}
	bgp_session_fsm_error(s, h->type, now);
}

int
bgp_input(struct bgp_session *s, const uint8_t *data, size_t len,
    monotime_t now)
{
	struct bgp_hdr h;
	struct bgp_err err;
	struct buf in, msg;
	int r;

	if (s->state < BGP_OPENSENT)
		return -1;
	buf_init(&in, data, len);
	while (s->state >= BGP_OPENSENT) {
		r = bgp_wire_framer_next(&s->fr, &in, &h, &msg, &err);
		if (r == 0)
			return 0;
		if (r == -1) {
			bgp_session_notify(s, &err, "bad message header", now);
			break;
		}
		bgp_session_dispatch(s, &h, &msg, now);
	}
	return -1;
}

void
bgp_tick(struct bgp_session *s, monotime_t now)
{
	if (now >= s->t_stale)
		bgp_recv_sweep_stale(s, s->state == BGP_ESTABLISHED ?
		    "no End-of-RIB in time" : "the peer did not come back in "
		    "time");
	if (s->state == BGP_IDLE && s->started && now >= s->t_idle) {
		bgp_session_connect(s, now);
		return;
	}
	if (s->state == BGP_CONNECT && now >= s->t_connect) {
		bgp_session_connect(s, now);
		return;
	}
	if (s->state < BGP_OPENSENT)
		return;
	if (now >= s->t_hold) {
		bgp_session_notify_code(s, BGP_ERR_HOLD, 0, NULL, 0, NULL, now);
		return;
	}
	if (now >= s->t_keepalive)
		bgp_session_send_keepalive(s, now);
}

monotime_t
bgp_next_deadline(const struct bgp_session *s)
{
	monotime_t t = MONOTIME_NEVER;

	switch (s->state) {
	case BGP_IDLE:
		if (s->started)
			t = s->t_idle;
		break;
	case BGP_CONNECT:
		t = s->t_connect;
		break;
	case BGP_ACTIVE:
		break;
	default:
		t = s->t_hold < s->t_keepalive ? s->t_hold : s->t_keepalive;
		break;
	}
	return s->t_stale < t ? s->t_stale : t;
}

int
bgp_set_advertised(struct bgp_session *s, const struct bgp_prefix *p,
    size_t n, monotime_t now)
{
	return bgp_adv_set(s, p, n, now);
}

int
bgp_request_refresh(struct bgp_session *s, monotime_t now)
{
	struct wbuf w;

	if (s->state != BGP_ESTABLISHED || !s->peer_rr)
		return -1;
	wbuf_init(&w, s->out, sizeof(s->out));
	if (bgp_wire_rrefresh_build(&w, BGP_AFI_IPV4, BGP_SAFI_UNICAST) == -1)
		return -1;
	bgp_session_send(s, s->out, wbuf_len(&w), now);
	return 0;
}

void
bgp_status(const struct bgp_session *s, struct bgp_status *out)
{
	*out = s->st;
	out->state = s->state;
	out->peer_id = s->peer_id;
	out->hold = s->hold;
	out->keepalive = s->keepalive;
	out->established_at = s->state == BGP_ESTABLISHED ?
	    s->established_at : 0;
	out->prefixes_in = s->rib.count;
	out->stale = s->rib.stale;
	out->prefixes_out = s->state == BGP_ESTABLISHED ? s->nadv : 0;
}

void
bgp_walk_routes(const struct bgp_session *s,
    void (*fn)(void *, const struct bgp_route *, bool), void *arg)
{
	size_t i, n = bgp_rib_slots(&s->rib);

	for (i = 0; i < n; i++)
		if (s->rib.slot[i].used)
			fn(arg, &s->rib.slot[i].route, s->rib.slot[i].stale);
}

void
bgp_walk_advertised(const struct bgp_session *s,
    void (*fn)(void *, const struct bgp_prefix *), void *arg)
{
	size_t i;

	if (s->state != BGP_ESTABLISHED)
		return;
	for (i = 0; i < s->nadv; i++)
		fn(arg, &s->adv[i]);
}
