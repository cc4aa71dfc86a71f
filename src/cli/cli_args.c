/*
 * cli_args.c - one option table and one parser for every command
 * (cli_args.h). The parser only collects; cli.c checks each option against
 * the command's mask, and the server checks the values.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_out.h"
#include "sb.h"

_Static_assert(O_COUNT <= 64, "option mask is 64 bits");

enum optkind { ARG_FLAG, ARG_ONE, ARG_LIST };

static const struct optdef {
	const char	*name;
	enum opt	 id;
	enum optkind	 kind;
} optdefs[] = {
	{ "--url",		O_URL,		ARG_ONE },
	{ "--token",		O_TOKEN,	ARG_ONE },
	{ "--json",		O_JSON,		ARG_FLAG },
	{ "--quiet",		O_QUIET,	ARG_FLAG },
	{ "-q",			O_QUIET,	ARG_FLAG },
	{ "--help",		O_HELP,		ARG_FLAG },
	{ "-h",			O_HELP,		ARG_FLAG },
	{ "--db",		O_DB,		ARG_ONE },
	{ "--expand",		O_EXPAND,	ARG_FLAG },
	{ "--name",		O_NAME,		ARG_ONE },
	{ "--region",		O_REGION,	ARG_ONE },
	{ "--profile",		O_PROFILE,	ARG_LIST },
	{ "--body",		O_BODY,		ARG_ONE },
	{ "--ip",		O_IP,		ARG_ONE },
	{ "--vendor",		O_VENDOR,	ARG_ONE },
	{ "--asn",		O_ASN,		ARG_ONE },
	{ "--local-bgp",	O_LOCAL_BGP,	ARG_ONE },
	{ "--peer-bgp",		O_PEER_BGP,	ARG_ONE },
	{ "--bandwidth",	O_BANDWIDTH,	ARG_ONE },
	{ "--zone-local-bgp",	O_ZONE_LOCAL_BGP, ARG_ONE },
	{ "--psk",		O_PSK,		ARG_ONE },
	{ "--psk-file",		O_PSK_FILE,	ARG_ONE },
	{ "--psk-env",		O_PSK_ENV,	ARG_ONE },
	{ "--zone-psk",		O_ZONE_PSK,	ARG_ONE },
	{ "--zone-psk-file",	O_ZONE_PSK_FILE, ARG_ONE },
	{ "--zone-psk-env",	O_ZONE_PSK_ENV,	ARG_ONE },
	{ "--custom",		O_CUSTOM,	ARG_FLAG },
	{ "--ike-enc",		O_IKE_ENC,	ARG_ONE },
	{ "--ike-int",		O_IKE_INT,	ARG_ONE },
	{ "--dh",		O_DH,		ARG_ONE },
	{ "--ipsec-enc",	O_IPSEC_ENC,	ARG_ONE },
	{ "--ipsec-int",	O_IPSEC_INT,	ARG_ONE },
	{ "--pfs",		O_PFS,		ARG_ONE },
	{ "--sa-lifetime",	O_SA_LIFETIME,	ARG_ONE },
	{ "--format",		O_FORMAT,	ARG_ONE },
	{ "--lan",		O_LAN,		ARG_LIST },
	{ "--wan",		O_WAN,		ARG_ONE },
	{ "--static-source",	O_STATIC_SOURCE, ARG_LIST },
	{ "-o",			O_OUTPUT,	ARG_ONE },
	{ "--output",		O_OUTPUT,	ARG_ONE },
	{ "--yes",		O_YES,		ARG_FLAG },
	{ "-y",			O_YES,		ARG_FLAG },
	{ "--status",		O_STATUS,	ARG_ONE },
	{ "--since",		O_SINCE,	ARG_ONE },
	{ "--until",		O_UNTIL,	ARG_ONE },
	{ "--top",		O_TOP,		ARG_ONE },
	{ "--version",		O_VERSION,	ARG_FLAG },
	{ "--action",		O_ACTION,	ARG_ONE },
	{ "--priority",		O_PRIORITY,	ARG_ONE },
	{ "--fqdn",		O_FQDN,		ARG_LIST },
	{ "--category",		O_CATEGORY,	ARG_LIST },
	{ "--src",		O_SRC,		ARG_LIST },
	{ "--dst",		O_DST,		ARG_LIST },
	{ "--sport",		O_SPORT,	ARG_LIST },
	{ "--dport",		O_DPORT,	ARG_LIST },
	{ "--protocol",		O_PROTOCOL,	ARG_ONE },
	{ "--description",	O_DESCRIPTION,	ARG_ONE },
	{ "--enabled",		O_ENABLED,	ARG_FLAG },
	{ "--policy",		O_POLICY,	ARG_ONE },
};

const char *
cli_args_name(enum opt id)
{
	size_t	 i;

	for (i = 0; i < CLI_NELEM(optdefs); i++)
		if (optdefs[i].id == id)
			return optdefs[i].name;
	return "?";
}

void
cli_args_free(struct args *a)
{
	size_t	 i;

	free(a->pos);
	free(a->ref[0]);
	free(a->ref[1]);
	for (i = 0; i < O_COUNT; i++)
		free(a->list[i]);
}

static const struct optdef *
args_find(const char *s, size_t nlen)
{
	size_t	 k;

	for (k = 0; k < CLI_NELEM(optdefs); k++)
		if (strlen(optdefs[k].name) == nlen &&
		    strncmp(optdefs[k].name, s, nlen) == 0)
			return &optdefs[k];
	return NULL;
}

int
cli_args_parse(int argc, char **argv, struct args *a)
{
	const struct optdef	*d;
	char			*s, *eq, *v;
	size_t			 nlen;
	int			 i;
	bool			 dashdash = false;

	memset(a, 0, sizeof(*a));
	a->pos = sb_calloc((size_t)argc + 1, sizeof(*a->pos));
	for (i = 0; i < argc; i++) {
		s = argv[i];
		if (dashdash || s[0] != '-' || s[1] == '\0') {
			a->pos[a->npos++] = s;
			continue;
		}
		if (strcmp(s, "--") == 0) {
			dashdash = true;
			continue;
		}
		eq = s[1] == '-' ? strchr(s, '=') : NULL;
		nlen = eq != NULL ? (size_t)(eq - s) : strlen(s);
		if ((d = args_find(s, nlen)) == NULL)
			return cli_out_usage("unknown option %.*s", (int)nlen,
			    s);
		if (d->kind == ARG_FLAG) {
			if (eq != NULL)
				return cli_out_usage("%s takes no value",
				    d->name);
			a->set[d->id] = true;
			continue;
		}
		if (eq != NULL)
			v = eq + 1;
		else if (i + 1 < argc)
			v = argv[++i];
		else
			return cli_out_usage("%s needs a value", d->name);
		if (d->kind == ARG_ONE) {
			if (a->set[d->id])
				return cli_out_usage("%s given twice",
				    d->name);
			a->val[d->id] = v;
		} else {
			if (a->list[d->id] == NULL)
				a->list[d->id] = sb_calloc((size_t)argc,
				    sizeof(char *));
			a->list[d->id][a->nlist[d->id]++] = v;
		}
		a->set[d->id] = true;
	}
	return CLI_OK;
}

void
cli_args_hide(char *s)
{
	if (s != NULL)
		memset(s, 'x', strlen(s));
}

int
cli_args_set(const struct args *a, json_t *o, const struct cli_args_key *k,
    size_t n)
{
	size_t	 i;
	int	 errs = 0;

	for (i = 0; i < n; i++)
		if (a->val[k[i].opt] != NULL)
			errs += json_object_set_new(o, k[i].key,
			    json_string(a->val[k[i].opt])) == -1;
	return errs;
}

int
cli_args_set_int(json_t *o, const char *k, const char *v, enum opt opt)
{
	long long	 n;
	char		*end;

	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0)
		return CLI_ERR(-1, "UsageError", "%s wants an integer",
		    cli_args_name(opt));
	return json_object_set_new(o, k, json_integer((json_int_t)n));
}
