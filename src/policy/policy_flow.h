/*
 * policy_flow.h - one ESP worker's flow table and classifier, on the
 * packets a branch sends (decrypted, before the tenant TUN). Sans-IO: the
 * worker hands each packet in and gets a verdict, and for a block the
 * packets to send (an RST or the HTTP block page to the branch, an RST to
 * the server); finished flows leave as traffic records on a ring
 * (policy_ring.h) that the control plane drains.
 *
 *   first packet of a flow -> cloud firewall (policy_snap_fw)
 *   TCP 443 -> ClientHello SNI (policy_sni, reassembled: policy_reasm)
 *   TCP 80  -> HTTP Host (policy_http)          -> policy_snap_host
 *   UDP 443 -> QUIC, not inspected: blocked only when the policy says so
 *   a classified flow -> one hash lookup, counters, TCP end tracking
 *
 * Only the branch -> internet direction is seen here: replies come back
 * through the TUN on whichever worker the kernel picks. The bytes a TCP
 * flow received are taken from the branch's cumulative ACKs; for UDP they
 * are not known (docs/policy.md).
 *
 * A flow whose snapshot generation changed is re-evaluated on its next
 * packet, so a rule change applies to running flows as well.
 *
 * Bounded memory: a fixed table (open addressing), a fixed pool of
 * reassembly buffers for flows being classified; no allocation, lock or
 * system call per packet.
 */
#ifndef POLICY_FLOW_H
#define POLICY_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model_traffic.h"
#include "monotime.h"

struct policy_snap;
struct policy_ring;
struct policy_flows;

struct policy_flows_cfg {
	size_t		 max_flows;	/* table slots, rounded to a power of 2 */
	size_t		 max_classifying;	/* reassembly buffers */
	uint16_t	 worker;	/* in connection ids */
	/*
	 * What a flow on 443/80 that cannot be named gets (malformed or
	 * oversized ClientHello, garbage, no SNI): allow (default) or block.
	 */
	bool		 block_unnamed;
	struct policy_ring *ring;	/* where finished flows go */
};

/* What the worker knows about the packet's link, valid for this call. */
struct policy_pkt {
	const struct policy_snap *snap;	/* NULL: the tenant has no policy */
	uint64_t	 snap_gen;
	uint32_t	 tenant;	/* slot; part of the flow key */
	const char	*tenant_id, *rn_id, *link_id, *session_id;
	int		 traffic_type;	/* enum model_traffic_type */
};

enum policy_flow_res {
	POLICY_FLOW_FORWARD,
	POLICY_FLOW_DROP,	/* counted under out->reason */
	POLICY_FLOW_REPLY,	/* dropped; send out->client and out->server */
};

enum policy_flow_reason {
	POLICY_R_NONE,
	POLICY_R_FIREWALL,	/* a cloud firewall block rule */
	POLICY_R_FQDN,		/* an FQDN rule's block (SNI or Host) */
	POLICY_R_WEBCAT,	/* a web-category rule's block */
	POLICY_R_QUIC,		/* UDP 443 under a policy that blocks */
	POLICY_R_UNNAMED,	/* block_unnamed: no name could be read */
	POLICY_R_GAP,		/* a segment past a hole while classifying */
	POLICY_R_TABLE_FULL,	/* no slot or buffer: the flow is failed open */
	POLICY_R_MALFORMED,	/* shorter than its headers; a fragment while
				 * classifying; a TCP fragment at offset 8 */
	POLICY_R_MAX
};

struct policy_flow_out {
	enum policy_flow_reason reason;
	/* IPv4 packets built in the table's buffers, valid until next call */
	const uint8_t	*client;	/* to the branch (seal on the link) */
	size_t		 client_len;	/* 0: none */
	const uint8_t	*server;	/* to the server (write to the TUN) */
	size_t		 server_len;
};

struct policy_flows_stats {
	uint64_t	flows, classified, expired, active;
	uint64_t	reason[POLICY_R_MAX];
	uint64_t	ring_drops;	/* records lost to a full ring */
	uint64_t	evicted;	/* ended early to make room (full table) */
};

struct policy_flows *policy_flows_new(const struct policy_flows_cfg *);
void	policy_flows_free(struct policy_flows *);

/* ip: one IPv4 packet as decrypted (header checked by the caller). */
enum policy_flow_res policy_flows_input(struct policy_flows *,
	    const struct policy_pkt *, const uint8_t *ip, size_t len,
	    monotime_t now, struct policy_flow_out *out);

/*
 * Time: flows idle past their timeout, or ended (FIN both ways seen from
 * the branch's side, or RST) and past a short linger, are written to the
 * ring and freed; long flows get an interim record every 60 s. Visits at
 * most budget slots per call, so the worker can call it each wakeup.
 */
void	policy_flows_tick(struct policy_flows *, monotime_t now, size_t budget);
/* Everything still open, as records (worker stop). */
void	policy_flows_flush(struct policy_flows *);
void	policy_flows_stats(const struct policy_flows *,
	    struct policy_flows_stats *);
const char *policy_flow_reason_name(enum policy_flow_reason);
/* Bytes of memory per flow slot and per reassembly buffer. */
size_t	policy_flows_slot_bytes(void);

#endif
