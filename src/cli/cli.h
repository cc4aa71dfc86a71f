/*
 * cli.h - what every part of the branchgate CLI shares: the exit codes, the
 * run's context, and the command table each resource file contributes to
 * (cli_tenant.c, cli_rn.c, cli_link.c, ...; dispatched by cli.c).
 */
#ifndef CLI_H
#define CLI_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit status: the same number for the same outcome, in every command. */
#define CLI_OK		0
#define CLI_API		1	/* the server or the store said no */
#define CLI_CONN	2	/* branchgated unreachable */
#define CLI_UNCONFIRMED	2	/* a delete refused at the question */
#define CLI_USAGE	64	/* EX_USAGE */

#define CLI_DEFAULT_URL	"http://127.0.0.1:8080"
#define CLI_DEFAULT_DB	"sqlite:./var/branchgate.db"
#define CLI_URL_MAX	((size_t)64 << 10)

struct args;

struct cli {
	char		*url;		/* no trailing slash */
	char		*token;
	bool		 json;
	bool		 quiet;		/* creates print only the new id */
	CURL		*curl;
};

/* Arguments given as ids or names, resolved before fn (cli_http.c). */
#define CLI_REF_RN	0x1	/* arg[0], when given, is a remote network */
#define CLI_REF_LINK	0x2	/* arg[1], when given, is one of its links */
#define CLI_REF_BOTH	(CLI_REF_RN | CLI_REF_LINK)

struct cli_cmd {
	const char	*sub;		/* NULL: the group is the command */
	uint64_t	 opts;		/* OM(O_...) allowed beyond the global */
	size_t		 minarg, maxarg;
	bool		 offline;	/* no server: no URL, token or curl */
	unsigned	 refs;		/* CLI_REF_*; 0: fn resolves them */
	int		(*fn)(struct cli *, struct args *);
};

struct cli_group {
	const char		*name;	/* the first command word */
	const char		*help;	/* 'branchgate help NAME' */
	const struct cli_cmd	*cmds;
	size_t			 ncmds;
};

#define CLI_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

extern const struct cli_group cli_tenant_group;
extern const struct cli_group cli_rn_group;
extern const struct cli_group cli_link_group;
extern const struct cli_group cli_logs_group;
extern const struct cli_group cli_config_group;
extern const struct cli_group cli_config_cpe_group;
extern const struct cli_group cli_profile_group;
extern const struct cli_group cli_policy_group;
extern const struct cli_group cli_fprofile_group;
extern const struct cli_group cli_firewall_group;
extern const struct cli_group cli_transit_group;
extern const struct cli_group cli_node_group;

#endif
