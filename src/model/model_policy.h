/*
 * model_policy.h - security policy objects of a tenant (system-facts
 * §3.6-3.7): filtering policies (FQDN and web-category rules), cloud
 * firewall policies (5-tuple rules), and filtering profiles that link
 * policies by priority. Pure types, JSON mapping and validation
 * (model_policy.c); the store keeps them (store.h), the policy compiler
 * turns a tenant's set into the data plane's snapshot (policy_snap.h).
 *
 * Remote-network traffic is evaluated by the tenant's baseline profile
 * only (priority 65000, created with the tenant): other profiles are
 * attached to users through Conditional Access in Global Secure Access,
 * which branch traffic does not carry. They are kept and served, and have
 * no effect on the data plane (docs/policy.md).
 */
#ifndef MODEL_POLICY_H
#define MODEL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* system-facts §3.6 (per tenant) */
#define MODEL_FPOL_MAX		100	/* filtering + firewall policies */
#define MODEL_FRULE_MAX		1000	/* rules of all policies */
#define MODEL_FFQDN_MAX		8000	/* FQDN destinations of all rules */
#define MODEL_FPROF_MAX		256	/* filtering profiles */
#define MODEL_BASELINE_PRIORITY	65000
#define MODEL_FW_PRIO_MIN	100	/* cloud firewall rule priority */
#define MODEL_FW_LIST_MAX	64	/* addresses or ports per rule side */
#define MODEL_DESC_MAX		1024	/* description, bytes of UTF-8 */
#define MODEL_FDEST_MAX		253	/* an FQDN pattern or category name */

enum model_fpol_kind { MODEL_FPOL_FILTERING, MODEL_FPOL_FIREWALL };
/* filteringPolicyAction / cloudFirewallAction values we accept */
enum model_faction { MODEL_FACT_BLOCK, MODEL_FACT_ALLOW };
enum model_frule_type {
	MODEL_FRULE_FQDN,		/* fqdnFilteringRule */
	MODEL_FRULE_WEBCAT,		/* webCategoryFilteringRule */
	MODEL_FRULE_FIREWALL		/* cloudFirewallRule */
};

#define MODEL_FW_TCP	0x1
#define MODEL_FW_UDP	0x2

struct model_fdest {
	char		value[MODEL_FDEST_MAX + 1];	/* fqdn or category name */
};

struct model_fw_addr {
	uint32_t	lo, hi;		/* host order, inclusive */
};

struct model_fw_port {
	uint16_t	lo, hi;
};

struct model_frule {
	char		id[MODEL_ID_LEN + 1];
	char		policy_id[MODEL_ID_LEN + 1];
	char		name[MODEL_NAME_MAX + 1];
	char		description[MODEL_DESC_MAX + 1];
	int		type;			/* enum model_frule_type */
	/* FQDN and web-category rules: malloc'd, model_frule_clear() */
	struct model_fdest *dest;
	size_t		ndest;
	/* Cloud firewall rules */
	int64_t		priority;		/* >= 100, unique in the policy */
	int		action;			/* enum model_faction */
	bool		enabled;		/* new rules start disabled */
	uint8_t		protos;			/* MODEL_FW_*; 0 = both */
	struct model_fw_addr src[MODEL_FW_LIST_MAX], dst[MODEL_FW_LIST_MAX];
	struct model_fw_port sport[MODEL_FW_LIST_MAX], dport[MODEL_FW_LIST_MAX];
	unsigned	nsrc, ndst, nsport, ndport;	/* 0 = field unset */
	char		version[16];
	int64_t		modified_ms;
};

struct model_fpolicy {
	char		id[MODEL_ID_LEN + 1];
	char		name[MODEL_NAME_MAX + 1];
	char		description[MODEL_DESC_MAX + 1];
	int		kind;			/* enum model_fpol_kind */
	int		action;			/* filtering: enum model_faction */
	char		version[16];
	int64_t		created_ms, modified_ms;
	/* Loaded with the policy where the caller asks: malloc'd */
	struct model_frule *rules;
	size_t		nrules;
};

/* filteringPolicyLink: a policy in a profile. */
struct model_flink {
	char		id[MODEL_ID_LEN + 1];
	char		profile_id[MODEL_ID_LEN + 1];
	char		policy_id[MODEL_ID_LEN + 1];
	int64_t		priority;		/* lower is evaluated first */
	bool		enabled;		/* state */
	bool		logging;		/* loggingState */
	/* The link's action; -1: the policy's own (enum model_faction) */
	int		action;
	char		version[16];
	int64_t		modified_ms;
};

struct model_fprofile {
	char		id[MODEL_ID_LEN + 1];
	char		name[MODEL_NAME_MAX + 1];
	char		description[MODEL_DESC_MAX + 1];
	bool		enabled;		/* state */
	bool		baseline;		/* the tenant's, cannot be deleted */
	int64_t		priority;
	char		version[16];
	int64_t		created_ms, modified_ms;
	struct model_flink *links;		/* malloc'd */
	size_t		nlinks;
};

/*
 * Everything the compiler needs of one tenant: every profile with its
 * links, every policy with its rules. store_policy_set() fills it.
 */
struct model_fset {
	struct model_fprofile *profiles;
	size_t		nprofiles;
	struct model_fpolicy *policies;
	size_t		npolicies;
};

void	model_frule_clear(struct model_frule *);
void	model_fpolicy_clear(struct model_fpolicy *);
void	model_fprofile_clear(struct model_fprofile *);
void	model_fset_clear(struct model_fset *);

#endif
