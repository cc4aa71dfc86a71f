/*
 * cli_args.h - the command line, parsed once for every command: options
 * anywhere (global ones included), "--opt=value" or "--opt value", "--"
 * ends options. Which options a command takes is its cli_cmd's mask.
 */
#ifndef CLI_ARGS_H
#define CLI_ARGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum opt {
	O_URL, O_TOKEN, O_JSON, O_QUIET, O_HELP,
	O_DB, O_EXPAND, O_NAME, O_REGION, O_PROFILE, O_BODY,
	O_IP, O_VENDOR, O_ASN, O_LOCAL_BGP, O_PEER_BGP, O_BANDWIDTH,
	O_ZONE_LOCAL_BGP, O_PSK, O_PSK_FILE, O_PSK_ENV, O_ZONE_PSK,
	O_ZONE_PSK_FILE, O_ZONE_PSK_ENV, O_CUSTOM, O_IKE_ENC, O_IKE_INT,
	O_DH, O_IPSEC_ENC, O_IPSEC_INT, O_PFS, O_SA_LIFETIME,
	O_FORMAT, O_LAN, O_OUTPUT, O_STATIC_SOURCE, O_YES, O_STATUS,
	O_SINCE, O_UNTIL, O_TOP, O_VERSION,
	/* security policy (cli_policy.c, cli_fprofile.c, cli_firewall.c) */
	O_ACTION, O_PRIORITY, O_FQDN, O_CATEGORY, O_SRC, O_DST, O_SPORT,
	O_DPORT, O_PROTOCOL, O_DESCRIPTION, O_ENABLED, O_POLICY,
	O_WAN,
	O_COUNT
};

#define OM(o)		(UINT64_C(1) << (o))
#define OM_GLOBAL	(OM(O_URL) | OM(O_TOKEN) | OM(O_JSON) | OM(O_QUIET) | \
	OM(O_HELP) | OM(O_VERSION))

struct args {
	char		**pos;		/* every positional, command words first */
	size_t		  npos;
	char		**arg;		/* the command's own positionals */
	size_t		  narg;
	char		 *ref[2];	/* the ids the names in arg[0..1] */
					/* stood for (cli_http_resolve) */
	char		 *val[O_COUNT];
	char		**list[O_COUNT];
	size_t		  nlist[O_COUNT];
	bool		  set[O_COUNT];
};

/* CLI_OK, or CLI_USAGE with the message printed. */
int		 cli_args_parse(int argc, char **argv, struct args *);
void		 cli_args_free(struct args *);
const char	*cli_args_name(enum opt);
/* Overwrite a secret given on the command line so ps shows it no longer. */
void		 cli_args_hide(char *);

/* An option that goes into the request as a JSON string member. */
struct cli_args_key {
	enum opt	 opt;
	const char	*key;
};

/* o[key] = value of each given option; the count that were not UTF-8. */
int	cli_args_set(const struct args *, json_t *,
	    const struct cli_args_key *, size_t);
/* o[k] = v as an integer when v is given; -1 (said) if it is not one. */
int	cli_args_set_int(json_t *o, const char *k, const char *v,
	    enum opt);

#endif
