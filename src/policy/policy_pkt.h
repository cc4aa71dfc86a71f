/*
 * policy_pkt.h - the IPv4, TCP, UDP and ICMP header fields the flow table
 * (policy_flow.c) reads from a branch's packet, and the packets it builds
 * when it blocks: a TCP RST, and a TCP segment carrying the HTTP block
 * page with FIN. Sans-IO; every read goes through struct buf, every write
 * through struct wbuf.
 */
#ifndef POLICY_PKT_H
#define POLICY_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POLICY_PKT_TCP		6
#define POLICY_PKT_UDP		17
#define POLICY_PKT_ICMP		1

/* TCP flags (RFC 9293 §3.1) */
#define POLICY_TCP_FIN		0x01
#define POLICY_TCP_SYN		0x02
#define POLICY_TCP_RST		0x04
#define POLICY_TCP_PSH		0x08
#define POLICY_TCP_ACK		0x10

struct policy_pkt_hdr {
	uint32_t	 src, dst;	/* host order */
	uint16_t	 sport, dport;	/* ICMP echo: the identifier in sport */
	uint8_t		 proto;
	bool		 frag;		/* MF set or a fragment offset */
	bool		 later_frag;	/* offset > 0: no transport header */
	uint8_t		 tcp_flags;
	uint32_t	 seq, ack;
	const uint8_t	*pay;		/* the transport payload */
	size_t		 pay_len;
	size_t		 ip_len;	/* IPv4 total length */
};

enum policy_pkt_res {
	POLICY_PKT_OK,
	POLICY_PKT_MALFORMED,	/* shorter than its own headers say */
};

/*
 * ip/len: one IPv4 packet (octets past its total length are ignored). A
 * first fragment must hold the whole transport header, and a TCP fragment
 * at offset 8 is refused (RFC 1858 §3: it could rewrite the flags).
 */
enum policy_pkt_res policy_pkt_parse(const uint8_t *ip, size_t len,
	    struct policy_pkt_hdr *);

struct policy_pkt_tcp {
	uint32_t	 src, dst;	/* host order */
	uint16_t	 sport, dport;
	uint32_t	 seq, ack;
	uint8_t		 flags;
	uint16_t	 win;
	const uint8_t	*data;
	size_t		 len;
};

#define POLICY_PKT_TCP_HDRS	40	/* IPv4 + TCP, no options */

/*
 * An IPv4 (TTL 64, DF, id 0) + TCP segment with both checksums into out;
 * its length, or 0 if it does not fit in cap.
 */
size_t	policy_pkt_tcp(uint8_t *out, size_t cap, const struct policy_pkt_tcp *);

/*
 * The HTTP/1.1 403 response the block page is (RFC 9110 §15.5.4): plain
 * text naming the policy and the host, Connection: close. Control
 * characters in the names are replaced. Its length, or 0 if it does not fit.
 */
size_t	policy_pkt_block_page(uint8_t *out, size_t cap, const char *policy,
	    const char *host);

#endif
