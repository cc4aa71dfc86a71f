/*
 * policy_snap.h - one tenant's security policy compiled for the data plane
 * (policy_snap.c): the cloud firewall of the baseline profile (policy_fw),
 * and the FQDN and web-category rules of its filtering policies in
 * evaluation order (policy_fqdn, policy_webcat). Immutable once built;
 * published to the ESP workers under RCU (gw_policy.c) and freed after a
 * grace period, as the SA tables are.
 *
 * Evaluation order (system-facts §3.6): the baseline profile's enabled
 * links by priority, lowest first; within a policy its rules in order;
 * the first match decides; no match allows.
 */
#ifndef POLICY_SNAP_H
#define POLICY_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model_policy.h"

struct lpm;
struct policy_webcat;
struct policy_snap;

#define POLICY_NONE		0xffff	/* no policy / rule matched */

enum policy_action { POLICY_ALLOW, POLICY_BLOCK };
/* The type of the rule behind a verdict (the traffic log's reason). */
enum policy_kind {
	POLICY_KIND_NONE,		/* no rule matched */
	POLICY_KIND_FQDN,		/* fqdnFilteringRule */
	POLICY_KIND_WEBCAT,		/* webCategoryFilteringRule */
	POLICY_KIND_FIREWALL,		/* cloudFirewallRule */
};

struct policy_verdict {
	uint8_t		action;		/* enum policy_action */
	bool		log;		/* the link's loggingState */
	uint16_t	policy;		/* policy_snap_policy_id() index */
	uint16_t	rule;		/* policy_snap_rule_id() index */
	uint8_t		kind;		/* enum policy_kind */
};

/*
 * NULL and a one-line reason in err on a set the API could not have
 * stored, or no memory. webcat may be NULL (web-category rules then never
 * match). The snapshot keeps a reference to webcat: free it after.
 */
struct policy_snap *policy_snap_build(const struct model_fset *,
	    const struct policy_webcat *webcat, char *err, size_t errlen);
void	policy_snap_free(struct policy_snap *);

/* First packet of a TCP or UDP flow (addresses and ports host order). */
void	policy_snap_fw(const struct policy_snap *, uint8_t proto, uint32_t src,
	    uint16_t sport, uint32_t dst, uint16_t dport,
	    struct policy_verdict *);
/* A normalized host name (SNI or Host), the filtering policies. */
void	policy_snap_host(const struct policy_snap *, const char *host,
	    struct policy_verdict *);
/* Whether any filtering rule exists: with none, flows skip classifying. */
bool	policy_snap_filters(const struct policy_snap *);

/* The ids behind a verdict's indexes, for the traffic logs; "" if none. */
const char *policy_snap_policy_id(const struct policy_snap *, uint16_t);
const char *policy_snap_rule_id(const struct policy_snap *, uint16_t);
const char *policy_snap_policy_name(const struct policy_snap *, uint16_t);

/*
 * The tenant's bypass prefixes (gw_fwd.h, docs/bgp.md): destinations the
 * branch should have kept local, per profile. Ownership of both passes
 * (NULL: none); they go with the snapshot.
 */
void	policy_snap_bypass_set(struct policy_snap *, struct lpm *m365,
	    struct lpm *internet);
/* Whether dst is bypassed for traffic (MODEL_TRAFFIC_M365 or _INTERNET). */
bool	policy_snap_bypass(const struct policy_snap *, int traffic,
	    uint32_t dst);

/* Figures for /metrics and the benchmark. */
size_t	policy_snap_nfw(const struct policy_snap *);
size_t	policy_snap_nfqdn(const struct policy_snap *);
size_t	policy_snap_bytes(const struct policy_snap *);

#endif
