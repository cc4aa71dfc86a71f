/*
 * fuzz_bgp.c - libFuzzer target for the BGP engine: a passive session (the
 * gateway) is brought to Established with a valid OPEN and KEEPALIVE from
 * its peer (AS 65001, 10.0.2.5), then the input is fed to it as the rest
 * of the TCP stream. The first input byte picks the size of the reads
 * (1..255, 0 = all at once); the clock moves one second per read, so the
 * timers run too. The same bytes also go through the framer and the parser
 * of each message's type on their own, since in Established an OPEN only
 * meets the FSM check.
 *
 * With the first byte's top bit set, both sides send the graceful restart
 * capability (RFC 4724); after the stream the same bytes are offered as a
 * second connection's (bgp_collision), taken over if the engine says so,
 * and the clock runs past every restart timer.
 *
 * Checked beyond "no crash": everything the session sends is a well-formed
 * message; route_add/route_withdraw keep the host's count equal to the
 * session's Adj-RIB-In; a session that goes down has withdrawn everything
 * but what it reports kept stale; the tunnel going leaves nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "bgp_wire.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define PEER_AS		65001
#define PEER_IP		0x0a000205	/* 10.0.2.5 */
#define LOCAL_AS	65476
#define LOCAL_IP	0xc0a80102	/* 192.168.1.2 */

static long	live;		/* routes the fake host holds */
static unsigned	downs;

static void
fz_send(void *arg, const uint8_t *data, size_t len)
{
	struct bgp_hdr h;
	struct bgp_err err;

	(void)arg;
	if (bgp_wire_hdr_parse(data, len, &h, &err) == -1 || h.len != len)
		abort();
}

static void
fz_down(void *arg, const struct bgp_down *d)
{
	(void)arg;
	if (live != (long)d->stale)
		abort();
	downs++;
}

static void
fz_add(void *arg, const struct bgp_route *r, bool replaces)
{
	(void)arg;
	if (r->len > 32 || r->neighbor_as != PEER_AS)
		abort();
	if (!replaces)
		live++;
}

static void
fz_withdraw(void *arg, uint32_t addr, uint8_t len)
{
	(void)arg;
	(void)addr;
	if (len > 32 || --live < 0)
		abort();
}

/* Each message of the stream through the parser of its type. */
static void
fz_parsers(const uint8_t *data, size_t size)
{
	static struct bgp_framer f;
	static struct bgp_update u;
	static struct bgp_err e;
	struct bgp_open o;
	struct bgp_prefix p;
	struct bgp_hdr h;
	struct buf in, m;
	uint16_t afi;
	uint8_t safi;

	bgp_wire_framer_init(&f);
	buf_init(&in, data, size);
	while (bgp_wire_framer_next(&f, &in, &h, &m, &e) == 1) {
		if (buf_skip(&m, BGP_HDR_LEN) == -1)
			abort();
		switch (h.type) {
		case BGP_OPEN:
			bgp_wire_open_parse(&m, &o, &e);
			break;
		case BGP_UPDATE:
			bgp_wire_update_parse(&m, &u);
			if (u.action == BGP_UPD_RESET)
				break;
			/* validated fields must walk to their end */
			while (bgp_wire_prefix_next(&u.withdrawn, &p) == 1)
				;
			while (bgp_wire_prefix_next(&u.nlri, &p) == 1)
				;
			if (buf_left(&u.withdrawn) != 0 ||
			    buf_left(&u.nlri) != 0)
				abort();
			if (u.has_aspath)
				bgp_wire_aspath_contains(&u.aspath, LOCAL_AS);
			break;
		case BGP_NOTIFICATION:
			if (bgp_wire_notification_parse(&m, &e) == -1)
				abort();
			break;
		case BGP_ROUTE_REFRESH:
			if (bgp_wire_rrefresh_parse(&m, &afi, &safi) == -1)
				abort();
			break;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bgp_prefix adv[] = {
		{ 0x14000000, 8, 0 }, { 0x28600000, 13, 0 },
	};
	static int quiet;
	struct bgp_callbacks cb = { NULL, fz_send, NULL, NULL, fz_down,
	    fz_add, fz_withdraw, NULL };
	struct bgp_config cfg;
	struct bgp_session *s;
	struct bgp_status st;
	uint8_t hello[BGP_MSG_MAX];
	struct wbuf w;
	monotime_t now = 1000 * MONOTIME_SEC;
	size_t chunk, off, n, rl;
	uint8_t reply[BGP_COLL_REPLY_MAX];
	bool gr;

	if (!quiet) {
		log_set_level(LOG_ERR);	/* bgp logs warn and info only */
		quiet = 1;
	}
	if (size < 1)
		return 0;
	fz_parsers(data + 1, size - 1);

	bgp_config_defaults(&cfg);
	cfg.local_as = LOCAL_AS;
	cfg.peer_as = PEER_AS;
	cfg.local_addr = LOCAL_IP;
	cfg.peer_addr = PEER_IP;
	cfg.max_prefixes = 64;
	cfg.max_advertised = 16;
	cfg.adv = adv;
	cfg.nadv = 2;
	gr = (data[0] & 0x80) != 0;
	cfg.gr_time = gr ? 120 : 0;
	live = 0;
	downs = 0;
	if ((s = bgp_session_new(&cfg, &cb)) == NULL)
		abort();
	bgp_start(s, now);
	if (bgp_connected(s, now) == -1)
		abort();
	wbuf_init(&w, hello, sizeof(hello));
	if (bgp_wire_open_build(&w, PEER_AS, 90, PEER_IP, gr ? 60 : 0) == -1 ||
	    bgp_wire_keepalive_build(&w) == -1 ||
	    bgp_input(s, hello, wbuf_len(&w), now) == -1)
		abort();
	bgp_status(s, &st);
	if (st.state != BGP_ESTABLISHED)
		abort();

	chunk = data[0] == 0 ? size : data[0];
	for (off = 1; off < size; off += n) {
		n = size - off < chunk ? size - off : chunk;
		if (bgp_input(s, data + off, n, now) == -1)
			break;
		bgp_status(s, &st);
		if ((long)st.prefixes_in != live)
			abort();
		now += MONOTIME_SEC;
		bgp_tick(s, now);
	}
	bgp_status(s, &st);
	if ((long)st.prefixes_in != live || (st.state < BGP_OPENSENT &&
	    downs != 1))
		abort();

	/* The same bytes as a second connection's. */
	switch (bgp_collision(s, data + 1, size - 1, reply, &rl, now)) {
	case BGP_COLL_REFUSE:
		if (rl > 0)
			fz_send(NULL, reply, rl);
		else if (st.state >= BGP_OPENSENT)
			abort();
		break;
	case BGP_COLL_REPLACE:
		if (bgp_connected(s, now) == 0)
			(void)bgp_input(s, data + 1, size - 1, now);
		break;
	case BGP_COLL_MORE:
		break;
	}
	bgp_status(s, &st);
	if ((long)st.prefixes_in != live)
		abort();
	now += 1000 * MONOTIME_SEC;
	bgp_tick(s, now);
	bgp_status(s, &st);
	if ((long)st.prefixes_in != live || st.stale != 0)
		abort();
	bgp_path_down(s, "fuzz", now);
	if (live != 0)
		abort();
	bgp_session_free(s);
	return 0;
}
