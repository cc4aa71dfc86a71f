/*
 * policy_fw.h - the cloud firewall of a tenant (system-facts §3.7): 5-tuple
 * rules on source addresses, source ports, destination addresses,
 * destination ports and protocol (TCP, UDP or both). An empty list is an
 * unset field and matches anything; set fields are ANDed, the entries of
 * one list ORed. Enabled rules only, evaluated by priority (unique, >= 100,
 * lower first); the first match decides, no match allows (the default
 * action is Allow and cannot be changed). Only TCP and UDP are filtered.
 * Evaluated once per flow, at its first packet, so a linear walk of at
 * most the rule limit is fine here.
 */
#ifndef POLICY_FW_H
#define POLICY_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POLICY_FW_TCP		0x1
#define POLICY_FW_UDP		0x2
#define POLICY_FW_PRIO_MIN	100

struct policy_range32 {
	uint32_t	lo, hi;		/* host order, inclusive */
};

struct policy_range16 {
	uint16_t	lo, hi;
};

struct policy_fw_rule {
	int64_t		 prio;
	bool		 block;
	uint8_t		 protos;	/* POLICY_FW_*; both when unset */
	const struct policy_range32 *src, *dst;
	const struct policy_range16 *sport, *dport;
	uint16_t	 nsrc, ndst, nsport, ndport;
	uint32_t	 value;		/* the caller's rule index */
};

struct policy_fw;

/* Copies the rules (and their lists), sorted by priority. NULL: memory. */
struct policy_fw *policy_fw_build(const struct policy_fw_rule *, size_t n);
void	policy_fw_free(struct policy_fw *);
size_t	policy_fw_count(const struct policy_fw *);
size_t	policy_fw_bytes(const struct policy_fw *);	/* memory held */
/* proto: IP protocol number. The first matching rule, or NULL (allow). */
const struct policy_fw_rule *policy_fw_match(const struct policy_fw *,
	    uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst,
	    uint16_t dport);

/* "80" or "1024-2048" (lo <= hi). 0 or -1. */
int	policy_fw_port_parse(const char *, struct policy_range16 *);

#endif
