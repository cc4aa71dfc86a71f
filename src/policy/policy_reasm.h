/*
 * policy_reasm.h - the in-order byte collector that the SNI and Host parsers
 * read from when a ClientHello or a request head spans several TCP
 * segments. One buffer holds at most POLICY_REASM_CAP octets of the
 * client's stream from its first payload octet; what does not fit is
 * refused (the parsers then say "too big").
 *
 * Segments are fed with their TCP sequence number (RFC 9293 §3.4):
 *   - in order: appended;
 *   - wholly before the next expected octet (a retransmission): ignored;
 *   - overlapping it: only the new tail is appended, the octets already
 *     held win. The receiver keeps the first copy it got of an octet too,
 *     and we forward in arrival order, so both see the same stream;
 *   - past a gap: refused (POLICY_REASM_GAP). The caller drops such a
 *     segment while the flow is being classified and the client's TCP
 *     sends it again; buffering it would let the server assemble octets we
 *     never parsed.
 */
#ifndef POLICY_REASM_H
#define POLICY_REASM_H

#include <stddef.h>
#include <stdint.h>

/* 16 KiB: one TLS record of 2^14 octets (RFC 8446 §5.1) minus headers. */
#define POLICY_REASM_CAP	16384

enum policy_reasm_res {
	POLICY_REASM_OK,	/* appended (perhaps partly, after an overlap) */
	POLICY_REASM_DUP,	/* nothing new */
	POLICY_REASM_GAP,	/* starts past the next expected octet */
	POLICY_REASM_FULL,	/* the cap was reached; what fit was kept */
};

struct policy_reasm {
	uint32_t	next;		/* sequence number of the next octet */
	uint32_t	len;
	uint8_t		data[POLICY_REASM_CAP];
};

/* next: the sequence number of the first payload octet (ISN + 1). */
void	policy_reasm_init(struct policy_reasm *, uint32_t next);
enum policy_reasm_res policy_reasm_feed(struct policy_reasm *, uint32_t seq,
	    const uint8_t *p, size_t n);

#endif
