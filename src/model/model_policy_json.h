/*
 * model_policy_json.h - security policy objects (model_policy.h) to and
 * from Graph beta JSON (microsoft.graph.networkaccess filteringPolicy,
 * cloudFirewallPolicy, fqdnFilteringRule, webCategoryFilteringRule,
 * cloudFirewallRule, filteringProfile, filteringPolicyLink and
 * cloudFirewallPolicyLink), with validation that names every field it
 * refuses (struct model_errs, as model.h). Pure: no I/O.
 *
 * The category database, when given, makes a webCategory destination a
 * known category name and fills displayName and group on output; NULL
 * accepts any well-formed name.
 */
#ifndef MODEL_POLICY_JSON_H
#define MODEL_POLICY_JSON_H

#include <jansson.h>

#include "model_policy.h"

struct policy_webcat;

#define MODEL_NA		"#microsoft.graph.networkaccess."
#define MODEL_ODATA_FPOLICY	MODEL_NA "filteringPolicy"
#define MODEL_ODATA_FWPOLICY	MODEL_NA "cloudFirewallPolicy"
#define MODEL_ODATA_FQDN_RULE	MODEL_NA "fqdnFilteringRule"
#define MODEL_ODATA_WEBCAT_RULE	MODEL_NA "webCategoryFilteringRule"
#define MODEL_ODATA_FW_RULE	MODEL_NA "cloudFirewallRule"
#define MODEL_ODATA_FPROFILE	MODEL_NA "filteringProfile"
#define MODEL_ODATA_FLINK	MODEL_NA "filteringPolicyLink"
#define MODEL_ODATA_FWLINK	MODEL_NA "cloudFirewallPolicyLink"

/*
 * POST bodies. A policy of kind (enum model_fpol_kind) may carry its
 * policyRules inline: out->rules is malloc'd (model_fpolicy_clear()).
 * Read-only members (id, version, createdDateTime, lastModifiedDateTime,
 * @odata.context) are ignored; ids and times are the caller's to set.
 * 0, or -1 with errs filled (out is then cleared).
 */
int	model_fpolicy_from_json(const json_t *j, int kind,
	    const struct policy_webcat *, const char *prefix,
	    struct model_fpolicy *out, struct model_errs *errs);
/* A rule of a policy of kind; out->dest is malloc'd (model_frule_clear). */
int	model_frule_from_json(const json_t *j, int kind,
	    const struct policy_webcat *, const char *prefix,
	    struct model_frule *out, struct model_errs *errs);
int	model_fprofile_from_json(const json_t *j, const char *prefix,
	    struct model_fprofile *out, struct model_errs *errs);
/*
 * A link to a policy of policy_kind: the caller has looked the policy up
 * by model_flink_policy_id() first. Filtering links need a priority;
 * firewall links (cloudFirewallPolicyLink) have none, nor an action.
 */
int	model_flink_from_json(const json_t *j, int policy_kind,
	    const char *prefix, struct model_flink *out,
	    struct model_errs *errs);
/* The "policy": {"id": ...} of a link body, or NULL. */
const char *model_flink_policy_id(const json_t *j);

/*
 * PATCH: cur as JSON, the patch's members merged in (each replaces the
 * member it names), the result validated as a whole, as a POST would be.
 * Rules (and their policy), links and the baseline are checked by the
 * caller against stored state.
 */
int	model_fpolicy_patch(const struct model_fpolicy *cur, const json_t *patch,
	    struct model_fpolicy *out, struct model_errs *errs);
int	model_frule_patch(const struct model_frule *cur, int kind,
	    const struct policy_webcat *, const json_t *patch,
	    struct model_frule *out, struct model_errs *errs);
int	model_fprofile_patch(const struct model_fprofile *cur,
	    const json_t *patch, struct model_fprofile *out,
	    struct model_errs *errs);
int	model_flink_patch(const struct model_flink *cur, int policy_kind,
	    const json_t *patch, struct model_flink *out,
	    struct model_errs *errs);

/*
 * Graph JSON out. A policy's "policyRules" only with_rules; a link's
 * "policy" is pol when given (the link's own policy), else {"id"}.
 */
json_t	*model_fpolicy_to_json(const struct model_fpolicy *,
	    const struct policy_webcat *, bool with_rules);
json_t	*model_frule_to_json(const struct model_frule *,
	    const struct policy_webcat *);
json_t	*model_fprofile_to_json(const struct model_fprofile *);
json_t	*model_flink_to_json(const struct model_flink *, int policy_kind,
	    const json_t *pol);

/*
 * The store's text forms of a rule's lists, canonical and comma-joined:
 * destinations as validated, addresses "A", "A/LEN" or "A-B", ports "P"
 * or "P-Q". _parse refuses what _fmt would not write.
 */
int	model_frule_dest_fmt(const struct model_frule *, char **out);
int	model_frule_dest_parse(const char *s, struct model_frule *);
int	model_fw_addrs_fmt(const struct model_fw_addr *, unsigned n,
	    char *buf, size_t size);
int	model_fw_addrs_parse(const char *s, struct model_fw_addr *,
	    unsigned *n);
int	model_fw_ports_fmt(const struct model_fw_port *, unsigned n,
	    char *buf, size_t size);
int	model_fw_ports_parse(const char *s, struct model_fw_port *,
	    unsigned *n);
/* Room for a full list of either kind: "255.255.255.255-..." x 64. */
#define MODEL_FW_LIST_STRLEN	(MODEL_FW_LIST_MAX * 32)

/* "block" / "allow" (enum model_faction); NULL if out of range. */
const char *model_faction_name(int action);

#endif
