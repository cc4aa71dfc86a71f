/*
 * bgp_wire.h - the BGP-4 message codec (RFC 4271 §4) with the parts of
 * RFC 5492 (capabilities), RFC 4760 (multiprotocol), RFC 6793 (4-octet AS),
 * RFC 2918 (route refresh) and RFC 7606 (UPDATE error handling) that an IPv4
 * unicast eBGP speaker needs. No state: the session (bgp_session.c) decides
 * what a parsed message means; the codec says whether it is well formed and,
 * if not, which NOTIFICATION (or which RFC 7606 approach) applies.
 *
 * bgp_wire.c: header, stream framer, OPEN, NOTIFICATION, KEEPALIVE,
 * ROUTE-REFRESH. bgp_wire_update.c: UPDATE, path attributes, NLRI.
 * Variable parts of parsed messages are struct buf views into the message
 * bytes, valid as long as those bytes are.
 */
#ifndef BGP_WIRE_H
#define BGP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"
#include "buf.h"

/* §4.1 message header; §4: no message is longer than 4096 octets (no RFC 8654) */
#define BGP_HDR_LEN		19
#define BGP_MARKER_LEN		16
#define BGP_MSG_MAX		4096
#define BGP_OPEN_MIN		29
#define BGP_UPDATE_MIN		23
#define BGP_NOTIFY_MIN		21
#define BGP_KEEPALIVE_LEN	19
#define BGP_RREFRESH_LEN	23	/* RFC 2918 §3, no ORF entries (RFC 5291) */
#define BGP_NOTIFY_DATA_MAX	(BGP_MSG_MAX - BGP_NOTIFY_MIN)

/* §4.1 types */
#define BGP_OPEN		1
#define BGP_UPDATE		2
#define BGP_NOTIFICATION	3
#define BGP_KEEPALIVE		4
#define BGP_ROUTE_REFRESH	5	/* RFC 2918 §3 */

/* §4.2 */
#define BGP_VERSION		4
#define BGP_AS_TRANS		23456	/* RFC 6793 */
#define BGP_OPT_CAPABILITIES	2	/* RFC 5492 §4 */

/* RFC 5492 capability codes (IANA) */
#define BGP_CAP_MP		1	/* RFC 4760 §8 */
#define BGP_CAP_ROUTE_REFRESH	2	/* RFC 2918 §2 */
#define BGP_CAP_GR		64	/* RFC 4724 §3 */
#define BGP_CAP_AS4		65	/* RFC 6793 §3 */

/* RFC 4724 §3 Graceful Restart capability: Restart Flags, Restart Time (12 bits) */
#define BGP_GR_FLAG_R		0x8	/* Restart State: the sender has restarted */
#define BGP_GR_FLAG_N		0x4	/* RFC 8538 §2: Notification support */
#define BGP_GR_TIME_MAX		4095
#define BGP_GR_AF_FWD		0x80	/* per <AFI, SAFI>: forwarding state preserved */

#define BGP_AFI_IPV4		1
#define BGP_SAFI_UNICAST	1

/* §4.5 / §6 error codes, with RFC 6608 (FSM), RFC 4486 (Cease), RFC 7313 */
#define BGP_ERR_HEADER		1
#define BGP_ERR_OPEN		2
#define BGP_ERR_UPDATE		3
#define BGP_ERR_HOLD		4
#define BGP_ERR_FSM		5
#define BGP_ERR_CEASE		6

/* §6.1 Message Header Error subcodes */
#define BGP_EHDR_SYNC		1	/* Connection Not Synchronized */
#define BGP_EHDR_LENGTH		2	/* Bad Message Length */
#define BGP_EHDR_TYPE		3	/* Bad Message Type */

/* §6.2 OPEN Message Error subcodes (+ RFC 5492 §5) */
#define BGP_EOPEN_UNSPEC	0
#define BGP_EOPEN_VERSION	1
#define BGP_EOPEN_PEER_AS	2
#define BGP_EOPEN_BGP_ID	3
#define BGP_EOPEN_OPT_PARAM	4
#define BGP_EOPEN_HOLD		6
#define BGP_EOPEN_CAPABILITY	7

/* §6.3 UPDATE Message Error subcodes */
#define BGP_EUPD_ATTR_LIST	1	/* Malformed Attribute List */
#define BGP_EUPD_UNKNOWN_WK	2	/* Unrecognized Well-known Attribute */
#define BGP_EUPD_MISSING_WK	3
#define BGP_EUPD_FLAGS		4
#define BGP_EUPD_LENGTH		5
#define BGP_EUPD_ORIGIN		6
#define BGP_EUPD_NEXT_HOP	8
#define BGP_EUPD_OPTIONAL	9
#define BGP_EUPD_NETWORK	10	/* Invalid Network Field */
#define BGP_EUPD_AS_PATH	11

/* RFC 6608 FSM Error subcodes */
#define BGP_EFSM_OPENSENT	1
#define BGP_EFSM_OPENCONFIRM	2
#define BGP_EFSM_ESTABLISHED	3

/* RFC 4486 Cease subcodes */
#define BGP_ECEASE_MAX_PREFIX	1
#define BGP_ECEASE_SHUTDOWN	2
#define BGP_ECEASE_DECONFIG	3
#define BGP_ECEASE_RESET	4
#define BGP_ECEASE_REJECTED	5
#define BGP_ECEASE_CONFIG	6
#define BGP_ECEASE_COLLISION	7	/* Connection Collision Resolution */
#define BGP_ECEASE_RESOURCES	8

/* §4.3 path attribute flags and type codes */
#define BGP_ATTR_OPTIONAL	0x80
#define BGP_ATTR_TRANSITIVE	0x40
#define BGP_ATTR_PARTIAL	0x20
#define BGP_ATTR_EXTLEN		0x10

#define BGP_ATTR_ORIGIN		1
#define BGP_ATTR_AS_PATH	2
#define BGP_ATTR_NEXT_HOP	3
#define BGP_ATTR_MED		4
#define BGP_ATTR_LOCAL_PREF	5
#define BGP_ATTR_ATOMIC_AGGR	6
#define BGP_ATTR_AGGREGATOR	7
#define BGP_ATTR_COMMUNITIES	8	/* RFC 1997 */
#define BGP_ATTR_MP_REACH	14	/* RFC 4760 §3 */
#define BGP_ATTR_MP_UNREACH	15	/* RFC 4760 §4 */

#define BGP_ORIGIN_IGP		0
#define BGP_ORIGIN_EGP		1
#define BGP_ORIGIN_INCOMPLETE	2

#define BGP_ASPATH_SET		1
#define BGP_ASPATH_SEQUENCE	2
#define BGP_ASPATH_CONFED_SEQ	3	/* RFC 5065 */
#define BGP_ASPATH_CONFED_SET	4

/* A NOTIFICATION to send (or one received): §4.5. */
struct bgp_err {
	uint8_t		code;
	uint8_t		subcode;
	size_t		len;
	uint8_t		data[BGP_NOTIFY_DATA_MAX];
};

struct bgp_hdr {
	uint16_t	len;	/* whole message, header included */
	uint8_t		type;
};

/*
 * Checks a 19-octet header (§6.1): marker, length within 19..4096 and at
 * least (or exactly) the minimum of its type, a known type. -1 with *err
 * filled otherwise.
 */
int	bgp_wire_hdr_parse(const uint8_t *hdr, size_t len, struct bgp_hdr *,
	    struct bgp_err *err);
void	bgp_wire_hdr_add(struct wbuf *, uint8_t type, size_t *len_at);
/* Back-patches the length; -1 if the message overflowed w or BGP_MSG_MAX. */
int	bgp_wire_hdr_finish(struct wbuf *, size_t len_at, size_t start);

/*
 * Reassembles messages from a TCP byte stream: partial messages across
 * reads, several messages per read. One message of at most BGP_MSG_MAX is
 * held, so memory does not depend on what the peer sends.
 */
struct bgp_framer {
	size_t		have;
	size_t		want;	/* 0 until the header is in */
	struct bgp_hdr	hdr;
	uint8_t		msg[BGP_MSG_MAX];
};

void	bgp_wire_framer_init(struct bgp_framer *);
/*
 * Consumes bytes from in until one message is complete: 1 with *msg (header
 * included, valid until the next call) and *hdr, 0 when in is used up, -1
 * on a header error (*err filled; the stream cannot be resynchronised).
 */
int	bgp_wire_framer_next(struct bgp_framer *, struct buf *in,
	    struct bgp_hdr *hdr, struct buf *msg, struct bgp_err *err);

/* §4.2 with the capabilities of RFC 5492 §4 */
struct bgp_open {
	uint8_t		version;
	uint16_t	my_as;		/* AS_TRANS if the real AS needs 4 octets */
	uint16_t	hold;
	uint32_t	id;
	bool		cap_mp_any;	/* some MP capability was sent */
	bool		cap_mp_ipv4u;
	bool		cap_rr;
	bool		cap_as4;
	uint32_t	as4;
	/* RFC 4724 §3; the last Graceful Restart capability counts. */
	bool		cap_gr;
	uint8_t		gr_flags;	/* BGP_GR_FLAG_* */
	uint16_t	gr_time;	/* seconds, 0..4095 */
	bool		gr_ipv4u;	/* IPv4 unicast is among its families */
	bool		gr_ipv4u_fwd;	/* ... with the F bit set */
};

/*
 * body: the message after the header. Checks syntax only (version first,
 * so that a BGP-5 OPEN is answered properly; then every optional parameter
 * and the capabilities we know); AS, identifier and hold time are the
 * session's business.
 */
int	bgp_wire_open_parse(struct buf *body, struct bgp_open *,
	    struct bgp_err *err);
/*
 * OPEN with my AS (AS_TRANS above 65535) and the capabilities MP IPv4
 * unicast, route refresh and 4-octet AS; with gr_time > 0 also Graceful
 * Restart (RFC 4724 §3): that restart time, no flags, IPv4 unicast with
 * the F bit clear (we keep no forwarding state across our own restart).
 */
int	bgp_wire_open_build(struct wbuf *, uint32_t my_as, uint16_t hold,
	    uint32_t id, uint16_t gr_time);
/* The one capability TLV we insist on, as the data of Unsupported Capability. */
size_t	bgp_wire_cap_as4(uint8_t out[6], uint32_t my_as);
size_t	bgp_wire_cap_mp_ipv4u(uint8_t out[6]);

int	bgp_wire_notification_parse(struct buf *body, struct bgp_err *);
/* Data longer than fits in one message is cut. */
int	bgp_wire_notification_build(struct wbuf *, const struct bgp_err *);
int	bgp_wire_keepalive_build(struct wbuf *);
int	bgp_wire_rrefresh_parse(struct buf *body, uint16_t *afi, uint8_t *safi);
int	bgp_wire_rrefresh_build(struct wbuf *, uint16_t afi, uint8_t safi);

/* Fills err and returns -1: for one-line error returns. */
int	bgp_wire_err(struct bgp_err *, uint8_t code, uint8_t subcode,
	    const void *data, size_t len);

/* ---- UPDATE (bgp_wire_update.c) ---- */

/* RFC 7606 §2 approaches, weakest first: the strongest found wins (§3). */
enum bgp_upd_action {
	BGP_UPD_OK,
	BGP_UPD_WITHDRAW,	/* treat-as-withdraw: this UPDATE's NLRI are withdrawn */
	BGP_UPD_RESET,		/* session reset with err */
};

/* AS_PATH (§4.3 b, 4-octet ASNs: RFC 6793 §3) in brief. */
struct bgp_aspath {
	struct buf	raw;		/* the segments, validated */
	uint32_t	path_len;	/* §9.1.2.2 a: an AS_SET counts 1 */
	uint8_t		first_type;	/* 0 if empty */
	uint32_t	first_as;	/* leftmost AS of the first segment */
	uint32_t	origin_as;	/* rightmost AS; 0 if the path ends in a set */
};

struct bgp_update {
	struct buf	withdrawn;	/* validated prefixes, bgp_wire_prefix_next() */
	struct buf	nlri;
	bool		has_origin, has_aspath, has_nexthop, has_med;
	uint8_t		origin;
	struct bgp_aspath aspath;
	uint32_t	nexthop;
	uint32_t	med;
	bool		mp_seen;	/* MP_(UN)REACH_NLRI present, not decoded */
	bool		eor;		/* End-of-RIB marker, RFC 4724 §2 */
	unsigned	attrs_discarded;	/* RFC 7606 attribute discard */
	enum bgp_upd_action action;
	const char	*why;		/* for the log, when action != OK */
	struct bgp_err	err;		/* when action == BGP_UPD_RESET */
};

/*
 * Parses an UPDATE body (after the header) under RFC 4271 §6.3 as revised
 * by RFC 7606, for a session with 4-octet AS numbers and an external peer.
 * Always returns with u->action set; the prefix fields are usable unless it
 * is BGP_UPD_RESET.
 */
void	bgp_wire_update_parse(struct buf *body, struct bgp_update *u);
/* Next prefix of a field that bgp_wire_update_parse() validated: 1, or 0 at the end. */
int	bgp_wire_prefix_next(struct buf *field, struct bgp_prefix *);
/* Walks the validated AS_PATH: true if as is in it (loop, RFC 4271 §9.1.2). */
bool	bgp_wire_aspath_contains(const struct bgp_aspath *, uint32_t as);

/* The IPv4 unicast End-of-RIB marker (RFC 4724 §2): an empty UPDATE. */
int	bgp_wire_eor_build(struct wbuf *);

/* What we attach to the prefixes we announce. */
struct bgp_attrs_out {
	uint8_t		origin;
	const uint32_t	*aspath;	/* one AS_SEQUENCE, leftmost first */
	size_t		aspath_len;	/* at most 255 */
	uint32_t	nexthop;
	bool		has_med;
	uint32_t	med;
	uint32_t	community;	/* RFC 1997; 0 = no COMMUNITIES attribute */
};

/*
 * One UPDATE message into w: as many of wd (withdrawals) as fit, then, if
 * attrs is not NULL, as many of nlri as fit, all under 4096 octets.
 * *nwd_done / *nnlri_done say how many went in; call again for the rest.
 * -1 if not even the header and attributes fit in w.
 */
int	bgp_wire_update_build(struct wbuf *, const struct bgp_prefix *wd,
	    size_t nwd, size_t *nwd_done, const struct bgp_attrs_out *attrs,
	    const struct bgp_prefix *nlri, size_t nnlri, size_t *nnlri_done);

#endif
