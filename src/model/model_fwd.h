/*
 * model_fwd.h - forwarding rules: what a traffic forwarding profile sends
 * to the gateway (system-facts §3.5), as the API shows it and as the
 * gateway turns it into BGP announcements and data-plane drops.
 *
 * The rules themselves are not per tenant: the Microsoft 365 rules come
 * from Microsoft's endpoint list shipped in data/ (one m365ForwardingRule
 * per endpoint set, kind and protocol), the Internet Access ones are the
 * documented defaults. What is per tenant (store_fwd_*):
 *   - an action override of a built-in Microsoft 365 rule (forward or
 *     bypass), and the state of a Microsoft 365 policy link (a disabled
 *     group bypasses all its rules, how-to-manage-microsoft-profile);
 *   - the Internet Access profile's Custom Bypass rules: IP address, range
 *     and subnet destinations the branch keeps local.
 * A bypass wins (system-facts §3.5): a bypassed Microsoft 365 rule's
 * subnets are withdrawn even where a forwarded rule lists them too.
 */
#ifndef MODEL_FWD_H
#define MODEL_FWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "model.h"

struct model_errs;

enum model_fwd_action { MODEL_FWD_FORWARD, MODEL_FWD_BYPASS };
enum model_fwd_dtype {
	MODEL_FWD_DST_ADDRESS,		/* ipAddress {value} */
	MODEL_FWD_DST_RANGE,		/* ipRange {beginAddress, endAddress} */
	MODEL_FWD_DST_SUBNET,		/* ipSubnet {value "a.b.c.d/len"} */
};

#define MODEL_FWD_CUSTOM_MAX	100	/* Custom Bypass rules per tenant */
#define MODEL_FWD_DST_MAX	64	/* destinations per custom rule */

/* One destination, as an inclusive range of addresses (host order). */
struct model_fwd_dst {
	int		type;		/* enum model_fwd_dtype */
	uint32_t	lo, hi;
	uint8_t		plen;		/* ipSubnet only */
};

enum model_fwd_kind {
	MODEL_FWD_RULE,			/* an override of a built-in rule */
	MODEL_FWD_LINK,			/* the state of a built-in policy link */
	MODEL_FWD_CUSTOM,		/* a Custom Bypass rule */
};

/*
 * A tenant's stored forwarding rule row. RULE and LINK rows carry only
 * the id of what they override (a built-in rule's or policy link's id,
 * which are the same in every tenant) and the action (LINK: BYPASS for
 * "state": "disabled"). CUSTOM rows are whole rules of the Custom Bypass
 * policy; their action is always BYPASS.
 */
struct model_fwd_rule {
	char		id[MODEL_ID_LEN + 1];
	int		kind;		/* enum model_fwd_kind */
	int		action;		/* enum model_fwd_action */
	char		name[MODEL_NAME_MAX + 1];	/* CUSTOM */
	char		description[MODEL_NAME_MAX + 1];	/* CUSTOM */
	struct model_fwd_dst dst[MODEL_FWD_DST_MAX];	/* CUSTOM */
	size_t		ndst;
	int64_t		modified_ms;
};

/* An IPv4 prefix (host order, host bits clear). */
struct model_pfx {
	uint32_t	addr;
	uint8_t		len;
};

/* --- destinations ------------------------------------------------------ */

/*
 * A Custom Bypass rule's "destinations" array (Graph's ipAddress, ipRange,
 * ipSubnet objects; fqdn and url are refused, with a message saying why:
 * a route cannot carry a name). 0, or -1 with every problem added to errs
 * under target ("destinations[3].value: ...").
 */
int	model_fwd_dst_parse(const json_t *, struct model_fwd_dst *out,
	    size_t *n, struct model_errs *, const char *target);
/* The Graph array for dst (new reference; NULL on no memory). */
json_t	*model_fwd_dst_json(const struct model_fwd_dst *, size_t n);
/* The store's text form: "192.0.2.1 198.51.100.0/24 203.0.113.5-203.0.113.9". */
int	model_fwd_dst_text(const struct model_fwd_dst *, size_t n, char *out,
	    size_t outlen);
int	model_fwd_dst_from_text(const char *, struct model_fwd_dst *out,
	    size_t *n);
/*
 * The fewest prefixes that cover exactly [lo, hi] (at most 62) into out:
 * their count, or 0 if cap is too small.
 */
size_t	model_fwd_range_pfx(uint32_t lo, uint32_t hi, struct model_pfx *out,
	    size_t cap);

/* --- the built-in catalogue -------------------------------------------- */

struct model_fwdcat;

/*
 * Reads datadir/m365-endpoints-worldwide.json and builds the three
 * profiles' policies and rules. 0, or -1 (logged).
 */
int	model_fwdcat_load(const char *datadir, struct model_fwdcat **out);
void	model_fwdcat_free(struct model_fwdcat *);

/*
 * The forwardingPolicyLink array of a traffic type (enum
 * model_fwd_traffic), each with its forwardingPolicy and policyRules
 * inline, the tenant's rows applied: overridden actions, disabled links,
 * and the Custom Bypass rules. A new reference; NULL on no memory.
 */
json_t	*model_fwdcat_links(const struct model_fwdcat *, int traffic,
	    const struct model_fwd_rule *, size_t n);

/* What an id names in the catalogue (model_fwdcat_find). */
enum model_fwdcat_what {
	MODEL_FWDCAT_NONE,
	MODEL_FWDCAT_POLICY,		/* a forwardingPolicy */
	MODEL_FWDCAT_LINK,		/* a forwardingPolicyLink */
	MODEL_FWDCAT_RULE,		/* a built-in rule */
};
struct model_fwdcat_ref {
	int		what;		/* enum model_fwdcat_what */
	int		traffic;	/* enum model_fwd_traffic */
	/* POLICY, LINK: the policy's id; RULE: its policy's id. */
	const char	*policy_id;
	/* RULE: whether a tenant may change its action (Microsoft 365 rules
	 * may; the Internet Access defaults may not). LINK: its state. */
	bool		editable;
	/* POLICY: whether it takes Custom Bypass rules (POST). */
	bool		custom;
};
int	model_fwdcat_find(const struct model_fwdcat *, const char *id,
	    struct model_fwdcat_ref *out);

/*
 * The routes of the Microsoft 365 profile for a tenant with these rows:
 * every IPv4 subnet of a forwarded IP rule, minus every subnet of a
 * bypassed one (a bypass wins), aggregated. *out is malloc'd. 0, or -1
 * on no memory.
 */
int	model_fwdcat_m365_routes(const struct model_fwdcat *,
	    const struct model_fwd_rule *, size_t n, struct model_pfx **out,
	    size_t *nout);
/*
 * The prefixes the branch must keep local (the data plane drops and
 * counts what arrives for them, docs/bgp.md): traffic MODEL_TRAFFIC_M365,
 * the subnets of the tenant's bypassed Microsoft 365 rules;
 * MODEL_TRAFFIC_INTERNET, the Custom Bypass destinations as prefixes.
 * Sorted, aggregated, malloc'd. 0, or -1 on no memory.
 */
int	model_fwdcat_bypass(const struct model_fwdcat *, int traffic,
	    const struct model_fwd_rule *, size_t n, struct model_pfx **out,
	    size_t *nout);

/* In place: sorted, covered ones dropped, sibling halves joined; the count. */
size_t	model_pfx_aggregate(struct model_pfx *, size_t n);

#endif
