/*
 * bgp.h - one BGP-4 session (RFC 4271) with one peer, sans-IO: the host
 * feeds in TCP bytes, TCP connection events and the time; the session hands
 * back bytes to send, route changes and up/down events through callbacks.
 * No socket, no clock, no routing table in here: the gateway (gw/) owns the
 * TCP listener inside the tenant namespace and the forwarding tables, and
 * tests run two sessions against each other in one process.
 *
 * Scope: eBGP, IPv4 unicast, 4-octet AS numbers (RFC 6793; a peer without
 * the capability is refused), route refresh (RFC 2918), UPDATE error
 * handling of RFC 7606, graceful restart helper mode (RFC 4724) and
 * connection collisions (RFC 4271 §6.8) for a passive speaker. Addresses and prefixes are IPv4 in host byte order.
 * See docs/bgp.md.
 */
#ifndef BGP_H
#define BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monotime.h"

struct bgp_session;

/* An IPv4 prefix, host byte order, host bits zero. */
struct bgp_prefix {
	uint32_t	addr;
	uint8_t		len;
	/* What we announce: one RFC 1997 community (ASN:value); 0 = none. */
	uint32_t	community;
};

/* qsort order of struct bgp_prefix: by address, then length. */
int	bgp_prefix_cmp(const void *, const void *);

/* §8.2.2, reduced to what a host with one TCP connection per peer needs. */
enum bgp_state {
	BGP_IDLE,
	BGP_CONNECT,	/* active: waiting for our TCP connect to complete */
	BGP_ACTIVE,	/* passive: waiting for the peer to connect */
	BGP_OPENSENT,
	BGP_OPENCONFIRM,
	BGP_ESTABLISHED,
};

#define BGP_HOLD_DEFAULT	90	/* §10 */
#define BGP_CONNECT_RETRY_DEFAULT 120	/* §10 */
#define BGP_IDLE_HOLD_DEFAULT	5
#define BGP_MAX_PREFIXES_DEFAULT 1000
#define BGP_MAX_PREFIXES_LIMIT	262144
#define BGP_MAX_ADV_DEFAULT	1024
#define BGP_MAX_ADV_LIMIT	65536
#define BGP_GR_TIME_DEFAULT	120	/* the Restart Time we advertise */
#define BGP_GR_MAX_DEFAULT	120	/* cap on how long stale routes stay */

struct bgp_config {
	char		name[64];	/* for log lines (the device link) */
	uint32_t	local_as;
	uint32_t	peer_as;	/* must differ from local_as: eBGP only */
	uint32_t	local_id;	/* BGP Identifier; 0 = local_addr */
	uint32_t	local_addr;	/* our BGP address: NEXT_HOP of what we announce */
	uint32_t	peer_addr;	/* the branch router's BGP address */
	uint16_t	hold_time;	/* 0 or >= 3 (§4.2); keepalives every third */
	bool		passive;	/* wait for the peer to connect (the gateway) */
	uint32_t	max_prefixes;	/* from the peer; one more is Cease, RFC 4486 */
	uint32_t	max_advertised;	/* size of the advertised set */
	uint16_t	connect_retry_s;	/* active: between connect attempts */
	uint16_t	idle_hold_s;	/* active: wait after a session failed */
	/*
	 * RFC 4724 graceful restart, helper side. gr_time: the Restart Time
	 * in our capability (1..4095 s); 0 = no capability, no helper.
	 * gr_max_s: how long the routes of a restarting peer are kept at
	 * most, whatever Restart Time it asks for, and how long the new
	 * session may take to send its End-of-RIB.
	 */
	uint16_t	gr_time;
	uint16_t	gr_max_s;
	const struct bgp_prefix *adv;	/* announced once Established; copied */
	size_t		nadv;
};

/* A route learned from the peer, as the session hands it to the host. */
/* The octets last (28 in all): one per route in the Adj-RIB-In. */
struct bgp_route {
	uint32_t	addr;
	uint32_t	nexthop;
	uint32_t	med;
	uint32_t	path_len;	/* §9.1.2.2 a */
	uint32_t	neighbor_as;	/* leftmost AS: the peer's, checked */
	uint32_t	origin_as;	/* rightmost AS; 0 if the path ends in an AS_SET */
	uint8_t		len;
	uint8_t		origin;		/* 0 IGP, 1 EGP, 2 INCOMPLETE */
	bool		has_med;
};

enum bgp_down_reason {
	BGP_DOWN_NOTIFY_SENT,	/* we found an error: code/subcode say which */
	BGP_DOWN_NOTIFY_RCVD,	/* the peer sent a NOTIFICATION */
	BGP_DOWN_HOLD_EXPIRED,	/* nothing heard for the hold time (NOTIFICATION sent) */
	BGP_DOWN_TCP_CLOSED,	/* the host reported the connection closed */
	BGP_DOWN_STOPPED,	/* bgp_stop() (Cease / Administrative Shutdown sent) */
	BGP_DOWN_PATH,		/* bgp_path_down(): the tunnel carrying it went */
};

struct bgp_down {
	enum bgp_down_reason reason;
	uint8_t		code, subcode;	/* of the NOTIFICATION, if any */
	bool		was_established;
	/*
	 * One printable line, may be empty: what code and subcode do not say
	 * already (the peer's RFC 9003 shutdown communication, the offending
	 * value, why the path went down).
	 */
	const char	*detail;
	/*
	 * Routes kept, marked stale, because the peer is restarting (RFC
	 * 4724 §4.2): the host leaves them installed until route_withdraw()
	 * (End-of-RIB of the next session, or the timer). 0 otherwise.
	 */
	size_t		stale;
	uint16_t	stale_for_s;	/* how long at most */
};

/* RFC 4271 §4.5 names; the subcode's is NULL when it has none. */
const char *bgp_err_code_name(uint8_t code);
const char *bgp_err_subcode_name(uint8_t code, uint8_t subcode);
/*
 * The one-line account of a session's end, each part once: "sent
 * NOTIFICATION 3/2 UPDATE message error: unrecognized well-known
 * attribute", "hold timer expired (sent NOTIFICATION 4/0)", ... Returns out.
 */
#define BGP_DOWN_TEXT_MAX	256
const char *bgp_down_text(const struct bgp_down *, char *out, size_t len);

/*
 * Callbacks run synchronously from the bgp_*() call that caused them and
 * must not call back into the same session.
 */
struct bgp_callbacks {
	void	*arg;
	/* Whole messages, in order; the host queues them on the TCP connection. */
	void	(*send)(void *arg, const uint8_t *data, size_t len);
	/* Active only: connect to the peer (again: drop any attempt under way). */
	void	(*connect)(void *arg);
	void	(*up)(void *arg);
	/*
	 * The connection is finished with: the host closes it once the bytes
	 * already handed to send() are out. Every learned route has been
	 * withdrawn through route_withdraw() before this is called, but for
	 * those a graceful restart keeps (bgp_down.stale).
	 */
	void	(*down)(void *arg, const struct bgp_down *);
	/* replaces: the prefix was known and now has other attributes. */
	void	(*route_add)(void *arg, const struct bgp_route *, bool replaces);
	void	(*route_withdraw)(void *arg, uint32_t addr, uint8_t len);
	/* Optional: randomness for timer jitter (§10) and the RIB hash; NULL = none. */
	uint32_t (*random)(void *arg);
};

/* Fills the defaults above; addresses and AS numbers are left 0. */
void	bgp_config_defaults(struct bgp_config *);
/* 0 if the configuration is usable; else -1 and why. */
int	bgp_config_check(const struct bgp_config *, char *why, size_t whylen);

/*
 * NULL if the configuration is refused (logged), a callback it needs is
 * missing (send; connect when active) or memory runs out.
 */
struct bgp_session *bgp_session_new(const struct bgp_config *,
	    const struct bgp_callbacks *);
/* Sends nothing and calls nothing: bgp_stop() first for a clean end. */
void	bgp_session_free(struct bgp_session *);

/* Leave Idle: passive -> Active (wait), active -> Connect (connect()). */
void	bgp_start(struct bgp_session *, monotime_t now);
/* Cease / Administrative Shutdown if connected, then Idle until bgp_start(). */
void	bgp_stop(struct bgp_session *, monotime_t now);

/*
 * A TCP connection with the peer is up (ours completed, or the peer's was
 * accepted). -1: the session takes no connection now (Idle, or it already
 * has one): the host closes this one. Sends our OPEN.
 */
int	bgp_connected(struct bgp_session *, monotime_t now);
/* Bytes received on the connection. -1 once the session has gone down. */
int	bgp_input(struct bgp_session *, const uint8_t *data, size_t len,
	    monotime_t now);
/* The connection closed or failed (or our connect attempt failed). */
void	bgp_closed(struct bgp_session *, monotime_t now);
/*
 * A second TCP connection from the peer while the session has one
 * (RFC 4271 §6.8; a passive session never opens one itself). data: what
 * the new connection has sent so far, from its first byte; nothing has
 * been sent on it. Returns
 *  - BGP_COLL_MORE: no whole message yet; call again with more;
 *  - BGP_COLL_REFUSE: send reply (a NOTIFICATION: Cease / Connection
 *    Collision Resolution, RFC 4486, or what is wrong with the message),
 *    then close the new connection; the session keeps its own;
 *  - BGP_COLL_REPLACE: the session's connection is finished with (down()
 *    has been called on it); the host makes the new one the session's:
 *    bgp_connected(), then bgp_input() of all of data.
 * The rule (docs/bgp.md): an Established session keeps its connection,
 * unless the peer negotiated graceful restart (RFC 4724 §4.2: a new OPEN
 * means the peer restarted; its routes are kept stale); in OpenSent or
 * OpenConfirm, the BGP Identifiers decide as §6.8 says.
 */
enum bgp_collision {
	BGP_COLL_MORE,
	BGP_COLL_REFUSE,
	BGP_COLL_REPLACE,
};
#define BGP_COLL_REPLY_MAX	4096
enum bgp_collision bgp_collision(struct bgp_session *, const uint8_t *data,
	    size_t len, uint8_t *reply, size_t *replylen, monotime_t now);

/*
 * The path to the peer is gone (the IPsec tunnel that carries the session
 * was deleted): the session ends at once, its routes withdrawn, with no
 * NOTIFICATION (it could not arrive), instead of waiting out the hold time.
 * Routes kept stale for a restarting peer go too: without a tunnel there
 * is nothing to forward them to.
 * Fast external fallover, as a router does when the interface to an eBGP
 * neighbour goes down. why goes into the down event's detail. A passive
 * session then waits for the peer again.
 */
void	bgp_path_down(struct bgp_session *, const char *why, monotime_t now);

/* Run due timers: hold, keepalive, connect retry, idle hold. */
void	bgp_tick(struct bgp_session *, monotime_t now);
monotime_t bgp_next_deadline(const struct bgp_session *);

/*
 * Replace the advertised set; when Established, withdraw what left and
 * announce what came (ORIGIN IGP, AS_PATH [local AS], NEXT_HOP local_addr).
 * -1 (nothing changed) if a prefix has host bits set or n > max_advertised.
 */
int	bgp_set_advertised(struct bgp_session *, const struct bgp_prefix *,
	    size_t n, monotime_t now);
/* Ask the peer to send its routes again (RFC 2918); -1 if it cannot. */
int	bgp_request_refresh(struct bgp_session *, monotime_t now);

struct bgp_status {
	enum bgp_state	state;
	uint32_t	peer_id;
	uint16_t	hold, keepalive;	/* negotiated, seconds */
	monotime_t	established_at;
	size_t		prefixes_in, prefixes_out;
	uint64_t	msgs_in, msgs_out, updates_in, updates_out,
			notify_in, notify_out, established, treat_as_withdraw,
			attrs_discarded, loops, bad_nexthop, refresh_in;
	/* RFC 4724 */
	bool		peer_gr;	/* this (or the last) session negotiated it */
	size_t		stale;		/* routes kept from a restarting peer now */
	uint64_t	gr_restarts, stale_swept, eor_in,
			collisions_refused, collisions_replaced;
	bool		has_last_down;
	struct bgp_down	last_down;	/* detail NULL */
};
void	bgp_status(const struct bgp_session *, struct bgp_status *);
const char *bgp_state_name(enum bgp_state);
/*
 * For status pages: fn for every route of the Adj-RIB-In (stale: kept
 * over the peer's restart, RFC 4724 §4.2), then for every prefix we
 * announce (Established only: nothing is announced otherwise).
 */
void	bgp_walk_routes(const struct bgp_session *,
	    void (*fn)(void *, const struct bgp_route *, bool stale), void *arg);
void	bgp_walk_advertised(const struct bgp_session *,
	    void (*fn)(void *, const struct bgp_prefix *), void *arg);

#endif
