/*
 * bfd.h - Bidirectional Forwarding Detection (RFC 5880), asynchronous
 * mode, sans-IO: one session per BGP session whose branch router runs BFD
 * over its tunnel (multihop, RFC 5883, UDP 4784; the host owns the
 * sockets). The gateway is passive (§6.1): it sends nothing until the
 * branch's first control packet, so a branch without BFD costs nothing.
 * No authentication (the packets ride inside the IPsec tunnel), no echo,
 * no demand mode.
 */
#ifndef BFD_H
#define BFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monotime.h"

#define BFD_PORT_MULTIHOP	4784	/* RFC 5883 §5 */
#define BFD_PKT_LEN		24	/* the mandatory section, §4.1 */

enum bfd_state { BFD_ADMIN_DOWN, BFD_DOWN, BFD_INIT, BFD_UP };

/* §4.1 diagnostic codes (the ones we set). */
enum bfd_diag {
	BFD_DIAG_NONE = 0,
	BFD_DIAG_DETECT_EXPIRED = 1,
	BFD_DIAG_NEIGHBOR_DOWN = 3,
	BFD_DIAG_ADMIN_DOWN = 7,
};

/* A control packet's fields (§4.1), host order; intervals in microseconds. */
struct bfd_pkt {
	uint8_t		version, diag, state;
	bool		poll, final, cpi, auth, demand, multipoint;
	uint8_t		detect_mult;
	uint8_t		length;
	uint32_t	my_disc, your_disc;
	uint32_t	desired_min_tx, required_min_rx, required_min_echo_rx;
};

/*
 * The §6.8.6 checks that need no session: version 1, length 24..len (no
 * authentication section: the A bit is refused), detect multiplier and
 * My Discriminator non-zero, no multipoint, Your Discriminator zero only
 * in Down or AdminDown. 0 with *p filled, -1 to discard.
 */
int	bfd_pkt_parse(const uint8_t *buf, size_t len, struct bfd_pkt *p);
/* Writes BFD_PKT_LEN octets. */
void	bfd_pkt_build(const struct bfd_pkt *p, uint8_t out[BFD_PKT_LEN]);

struct bfd_cfg {
	uint32_t	local_disc;		/* non-zero, unique per host */
	uint32_t	desired_min_tx_us;	/* when Up; 0: 300000 */
	uint32_t	required_min_rx_us;	/* 0: 300000 */
	uint8_t		detect_mult;		/* 0: 3 */
	bool		active;			/* send first (tests); the gateway is passive */
};

struct bfd_callbacks {
	void	*arg;
	void	(*send)(void *arg, const uint8_t *pkt, size_t len);
	/* The session went Up, or left Up (diag says why). */
	void	(*change)(void *arg, enum bfd_state state, enum bfd_diag diag);
	/* Jitter (§6.8.7): a random 32-bit value; NULL = none (tests). */
	uint32_t (*random)(void *arg);
};

struct bfd_session;

struct bfd_session *bfd_session_new(const struct bfd_cfg *,
	    const struct bfd_callbacks *);
void	bfd_session_free(struct bfd_session *);
/* A packet that bfd_pkt_parse() took, addressed to this session. */
void	bfd_input(struct bfd_session *, const struct bfd_pkt *, monotime_t now);
void	bfd_tick(struct bfd_session *, monotime_t now);
monotime_t bfd_next_deadline(const struct bfd_session *);
/* AdminDown (the BGP session is gone): tells the peer, then silence. */
void	bfd_admin_down(struct bfd_session *, monotime_t now);

struct bfd_status {
	enum bfd_state	state;
	enum bfd_diag	local_diag;
	enum bfd_state	remote_state;	/* in the peer's last packet */
	uint32_t	remote_disc;
	uint64_t	tx_interval_us, detect_time_us;
	uint64_t	rx, tx, ups, downs;
};
void	bfd_status(const struct bfd_session *, struct bfd_status *);
const char *bfd_state_name(enum bfd_state);

#endif
