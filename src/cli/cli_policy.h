/*
 * cli_policy.h - what the security policy commands share (cli_policy.c,
 * cli_fprofile.c, cli_firewall.c): the collections' paths, finding an
 * object by id or exact name, and a delete that asks first.
 */
#ifndef CLI_POLICY_H
#define CLI_POLICY_H

#include <jansson.h>
#include <stdbool.h>

#include "sb.h"

struct args;
struct cli;
struct cli_args_key;

#define CLI_FP_PATH	"/networkAccess/filteringPolicies"
#define CLI_FW_PATH	"/networkAccess/cloudFirewallPolicies"
#define CLI_PROF_PATH	"/networkAccess/filteringProfiles"
#define CLI_ID_MAX	64

/*
 * The id of the object of collection path (under the --url) whose id or
 * exact name is ref; "baseline" names the baseline profile in
 * CLI_PROF_PATH. CLI_OK, or the error printed (CLI_API when none or
 * several match).
 */
int	cli_policy_find(struct cli *, const char *path, const char *what,
	    const char *ref, char id[CLI_ID_MAX]);
/* A filtering or cloud firewall policy; *fw tells which. */
int	cli_policy_find_any(struct cli *, const char *ref, char id[CLI_ID_MAX],
	    bool *fw);
/*
 * DELETE u (freed) after the question "Delete LABEL?" on a terminal;
 * without one, --yes is required (a usage error, nothing sent).
 */
int	cli_policy_delete(struct cli *, struct args *, struct sbuf *u,
	    const char *what, const char *label);
/*
 * The body of a create: --body (or a new object) with "name" set to the
 * first argument and the options of keys. CLI_OK, or the usage error
 * printed; *o is the caller's to free either way.
 */
int	cli_policy_body(const struct args *, const struct cli_args_key *keys,
	    size_t nkeys, json_t **o);
/* POST o to u (freed), then "created WHAT ... NOTE" (cli_out_created). */
int	cli_policy_post(struct cli *, struct sbuf *u, const json_t *o,
	    const char *what, const char *note);
/* A table of policy rules of either kind. */
void	cli_policy_rules_table(const json_t *rules);
/* u = --url + path (+ "/" + id (+ "/" + sub (+ "/" + id2))). */
void	cli_policy_url(struct cli *, struct sbuf *u, const char *path,
	    const char *id, const char *sub, const char *id2);

#endif
