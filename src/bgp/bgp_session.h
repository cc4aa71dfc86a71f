/*
 * bgp_session.h - the session struct and what the engine's files call of
 * each other: bgp_session.c (FSM, OPEN, timers, NOTIFICATION), bgp_recv.c
 * (UPDATE -> Adj-RIB-In), bgp_adv.c (advertised set -> UPDATEs). The host
 * sees only bgp.h.
 */
#ifndef BGP_SESSION_H
#define BGP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"
#include "bgp_rib.h"
#include "bgp_wire.h"
#include "monotime.h"

struct bgp_session {
	struct bgp_config cfg;		/* adv/nadv not kept: see adv below */
	struct bgp_callbacks cb;
	enum bgp_state	state;
	bool		started;	/* between bgp_start() and bgp_stop() */
	struct bgp_framer fr;
	struct bgp_rib	rib;		/* Adj-RIB-In */

	/* Adj-RIB-Out: sorted, unique; scratch arrays of the same size for diffs. */
	struct bgp_prefix *adv, *adv_new, *adv_wd, *adv_add;
	size_t		nadv, adv_cap;	/* each array holds adv_cap */

	uint32_t	peer_id;
	uint16_t	hold, keepalive;	/* negotiated */
	bool		peer_rr;
	/* RFC 4724: the peer's capability in this session (IPv4 unicast listed) */
	bool		peer_gr;
	uint16_t	peer_gr_time;
	monotime_t	t_stale;	/* stale routes go then, if still there */
	monotime_t	t_hold, t_keepalive, t_connect, t_idle;
	monotime_t	established_at;
	struct bgp_status st;		/* counters and last_down */

	monotime_t	log_at;		/* rate limit of remote-error lines */
	unsigned	log_suppressed;
	uint8_t		out[BGP_MSG_MAX];	/* message under construction */
};

/* Hands one built message to the host and counts it. */
void	bgp_session_send(struct bgp_session *, const uint8_t *msg, size_t len,
	    monotime_t now);
/* NOTIFICATION err, then down with BGP_DOWN_NOTIFY_SENT; why is for the log. */
void	bgp_session_notify(struct bgp_session *, const struct bgp_err *,
	    const char *why, monotime_t now);
/* A peer error, at most one line per 10 s per session (STYLE §6). */
void	bgp_session_log_remote(struct bgp_session *, monotime_t now,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* bgp_recv.c */
/* -1 if the UPDATE ended the session. */
int	bgp_recv_update(struct bgp_session *, struct buf *body, monotime_t now);
/* route_withdraw() for every learned route, then empty the Adj-RIB-In. */
void	bgp_recv_flush(struct bgp_session *);
/* route_withdraw() for every stale route, which leaves; the timer stops. */
void	bgp_recv_sweep_stale(struct bgp_session *, const char *why);

/* bgp_adv.c */
bool	bgp_adv_valid(const struct bgp_prefix *);
int	bgp_adv_init(struct bgp_session *, const struct bgp_prefix *, size_t n);
void	bgp_adv_free(struct bgp_session *);
/* Announce the whole set (Established, route refresh). */
void	bgp_adv_send_all(struct bgp_session *, monotime_t now);
int	bgp_adv_set(struct bgp_session *, const struct bgp_prefix *, size_t n,
	    monotime_t now);

#endif
