/*
 * cli.c - branchgate, the command-line client of branchgated's REST API
 * (docs/cli.md): the command table of every resource file, one dispatch,
 * and the run's context. Each command is one or two Graph-shaped requests
 * (system-facts §3.3) over libcurl (cli_http.c); answers are aligned tables
 * or, with --json, the server's JSON (cli_out.c). The server is the
 * authority on what is valid: the CLI checks only that the arguments it
 * needs are present. "tenant create" is the one offline command.
 *
 * Exit status: 0 ok, 1 the server (or the local store) refused, 2
 * branchgated could not be reached or a delete was answered no, 64 usage
 * error (a delete with neither a terminal nor --yes included).
 *
 * Secrets: tokens and PSKs are never printed, except the cpe-config text the
 * user asked for and the token "tenant create" mints. Every buffer that may
 * hold one is wiped before it is freed, jansson's included (sb.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
#include "cli_out.h"
#include "log.h"
#include "sb.h"
#include "version.h"

static const struct cli_group *const cli_groups[] = {
	&cli_tenant_group, &cli_rn_group, &cli_link_group,
	&cli_config_group, &cli_config_cpe_group, &cli_profile_group,
	&cli_logs_group, &cli_policy_group, &cli_fprofile_group,
	&cli_firewall_group, &cli_transit_group, &cli_node_group,
};

static const char cli_help[] =
"usage: branchgate [--url URL] [--token TOKEN] [--json] COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  tenant create NAME [--db URL]       create a tenant and its API token "
"(offline)\n"
"  node list|get|drain|activate|delete [NAME] [--db URL]\n"
"                                      the nodes sharing the store (offline,\n"
"                                      or the operator API with --token)\n"
"  rn list [--expand]                  list remote networks\n"
"  rn get ID [--expand]                show a remote network\n"
"  rn create --name N --region R [--profile PROFILE_ID]...\n"
"  rn create --body FILE|-             create a remote network\n"
"  rn update ID --name N               rename a remote network\n"
"  rn delete ID [--yes]                delete it with its device links\n"
"  rn profiles RN                      forwarding profiles assigned to RN\n"
"  rn assign RN PROFILE_ID...          assign forwarding profiles\n"
"  rn unassign RN PROFILE_ID...        remove forwarding profiles\n"
"  link list RN | link get RN LINK | link delete RN LINK [--yes]\n"
"  link status RN LINK                 why a link passes traffic or not\n"
"  link routes RN LINK                 its BGP routes: received (installed or\n"
"                                      refused, and why) and advertised\n"
"  link create RN --name N --ip A --vendor V --asn N --local-bgp A "
"--peer-bgp A ...\n"
"  link update RN LINK [--name N] [--psk-file F] ...\n"
"  config RN                           what to configure on the branch "
"router\n"
"  cpe-config RN LINK [--format swanctl|bird|frr] [--lan CIDR]... [--wan IP] "
"[-o FILE]\n"
"  profile list                        the tenant's forwarding profiles\n"
"  policy list|show|create|delete ...  filtering policies (web content "
"filtering)\n"
"  policy rule add|list|delete P ...   their FQDN and web category rules\n"
"  security-profile list|show|create|delete|link|unlink ...\n"
"                                      filtering profiles (the baseline "
"one too)\n"
"  firewall rule add|list|enable|disable|delete ...\n"
"                                      cloud firewall rules of the baseline\n"
"  transit [enable|disable]            branch-to-branch transit of the "
"tenant\n"
"  logs [RN] [--status S] [--since T] [--until T] [--top N]\n"
"                                      health events, newest first\n"
"  version, --version                  the CLI's version\n"
"  help [COMMAND]                      this text, or a command's\n"
"\n"
"RN and LINK are ids or exact names. Deletes ask on a terminal; --yes "
"(or\n"
"BRANCHGATE_YES=1) answers for you, and without a terminal is required.\n"
"\n"
"Global options (before or after the command):\n"
"  --url URL      branchgated's API; env BRANCHGATE_URL, default "
CLI_DEFAULT_URL "\n"
"  --token TOKEN  API token; env BRANCHGATE_TOKEN (preferred: a command "
"line is\n"
"                 visible to other users)\n"
"  --json         print the server's JSON instead of tables (errors too)\n"
"  -q, --quiet    'create' commands print only the new object's id\n"
"\n"
"Exit status: 0 ok, 1 the server refused (its message is on stderr), "
"2 branchgated\n"
"unreachable or a delete answered no, 64 usage error. See docs/cli.md.\n";

static const struct cli_group *
cli_group(const char *name)
{
	size_t	 i;

	for (i = 0; name != NULL && i < CLI_NELEM(cli_groups); i++)
		if (strcmp(cli_groups[i]->name, name) == 0)
			return cli_groups[i];
	return NULL;
}

static const struct cli_cmd *
cli_cmd(const struct cli_group *g, const struct args *a)
{
	size_t	 i;

	for (i = 0; i < g->ncmds; i++)
		if (g->cmds[i].sub == NULL || (a->npos > 1 &&
		    strcmp(g->cmds[i].sub, a->pos[1]) == 0))
			return &g->cmds[i];
	return NULL;
}

/* Flags win over the environment. A missing token is reported on use. */
static void
cli_context(struct cli *c, struct args *a)
{
	const char	*url, *tok;
	size_t		 n;

	url = a->val[O_URL] ? a->val[O_URL] : getenv("BRANCHGATE_URL");
	if (url == NULL || *url == '\0')
		url = CLI_DEFAULT_URL;
	if ((c->url = strdup(url)) == NULL)
		sb_oom();
	n = strlen(c->url);
	while (n > 0 && c->url[n - 1] == '/')
		c->url[--n] = '\0';
	tok = a->val[O_TOKEN] ? a->val[O_TOKEN] : getenv("BRANCHGATE_TOKEN");
	if (tok != NULL && *tok != '\0' && (c->token = strdup(tok)) == NULL)
		sb_oom();
	cli_args_hide(a->val[O_TOKEN]);
}

/* version and help, which need no command table entry; -1: neither. */
static int
cli_builtin(const struct cli *c, const struct args *a)
{
	const struct cli_group	*g = NULL;

	if (a->set[O_VERSION] || (a->npos > 0 &&
	    strcmp(a->pos[0], "version") == 0)) {
		if (!a->set[O_VERSION] && a->npos > 1)
			return cli_out_usage("--version and 'version' take no "
			    "arguments");
		if (c->json)
			puts("{\n  \"version\": \"" BRANCHGATE_VERSION "\"\n}");
		else
			puts("branchgate " BRANCHGATE_VERSION);
		return CLI_OK;
	}
	if (a->npos > 0 && strcmp(a->pos[0], "help") != 0)
		return -1;
	if (a->npos == 0 && !a->set[O_HELP]) {
		fputs(cli_help, stderr);
		cli_out_err_code("UsageError", "no command given");
		return CLI_USAGE;
	}
	if (a->npos > 1 && (g = cli_group(a->pos[1])) == NULL)
		return cli_out_usage("no help for '%s'", a->pos[1]);
	fputs(a->npos > 1 ? g->help : cli_help, stdout);
	return CLI_OK;
}

/* The command's options and positionals against its table entry. */
static int
cli_check(const struct cli_group *g, const struct cli_cmd *cmd,
    struct args *a)
{
	const char	*sp = cmd->sub ? " " : "", *sub = cmd->sub ? cmd->sub : "";
	size_t		 i;

	for (i = 0; i < O_COUNT; i++)
		if (a->set[i] && !(OM(i) & (cmd->opts | OM_GLOBAL)))
			return cli_out_usage("'%s%s%s' does not take %s",
			    g->name, sp, sub, cli_args_name(i));
	a->arg = a->pos + (cmd->sub != NULL ? 2 : 1);
	a->narg = a->npos - (cmd->sub != NULL ? 2 : 1);
	for (i = 0; i < a->narg && i < cmd->minarg; i++)
		if (a->arg[i][0] == '\0')
			break;
	if (a->narg < cmd->minarg || a->narg > cmd->maxarg ||
	    i < cmd->minarg) {
		CLI_ERR(CLI_USAGE, "UsageError", "wrong arguments for "
		    "'%s%s%s'", g->name, sp, sub);
		fputc('\n', stderr);
		fputs(g->help, stderr);
		return CLI_USAGE;
	}
	return CLI_OK;
}

static int
cli_run(struct cli *c, struct args *a)
{
	const struct cli_group	*g;
	const struct cli_cmd	*cmd;
	int			 ret;

	if ((ret = cli_builtin(c, a)) != -1)
		return ret;
	if ((g = cli_group(a->pos[0])) == NULL)
		return cli_out_usage("unknown command '%s'", a->pos[0]);
	cmd = cli_cmd(g, a);
	if (a->set[O_HELP]) {
		fputs(g->help, stdout);
		return CLI_OK;
	}
	if (cmd == NULL && a->npos > 1)
		return cli_out_usage("unknown command '%s %s'", a->pos[0],
		    a->pos[1]);
	if (cmd == NULL) {
		fputs(g->help, stderr);
		cli_out_err_code("UsageError", "the command is incomplete");
		return CLI_USAGE;
	}
	if ((ret = cli_check(g, cmd, a)) != CLI_OK)
		return ret;
	if (!cmd->offline) {
		cli_context(c, a);
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
		    (c->curl = curl_easy_init()) == NULL)
			return CLI_ERR(CLI_CONN, "InternalError", "cannot "
			    "initialise libcurl");
		if ((ret = cli_http_resolve(c, cmd->refs, a)) != CLI_OK)
			return ret;
	}
	return cmd->fn(c, a);
}

int
main(int argc, char **argv)
{
	struct cli	 c = { 0 };
	struct args	 a;
	int		 i, ret;

	json_set_alloc_funcs(sb_wipe_malloc, sb_wipe_free);
	log_set_level(LOG_WARN);	/* the store's chatter, for tenant create */
	/* Known before parsing, so that a parse error is JSON too. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			cli_out_json_errors(true);
	if ((ret = cli_args_parse(argc - 1, argv + 1, &a)) == CLI_OK) {
		c.json = a.set[O_JSON];
		c.quiet = a.set[O_QUIET];
		ret = cli_run(&c, &a);
	}
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "branchgate: stdout: %s\n", strerror(errno));
		if (ret == CLI_OK)
			ret = CLI_API;
	}
	if (c.curl != NULL) {
		curl_easy_cleanup(c.curl);
		curl_global_cleanup();
	}
	if (c.token != NULL) {
		explicit_bzero(c.token, strlen(c.token));
		free(c.token);
	}
	free(c.url);
	cli_args_free(&a);
	return ret;
}
