/*
 * cli_logs.c - "logs": the remote networks' health events, newest first,
 * through @odata.nextLink up to --top. The API filters on the remote
 * network and the status; --since and --until are applied here (the API
 * has no time filter), and paging stops at the first event older than
 * --since.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_http.h"
#include "cli_out.h"
#include "wallclock.h"

#define LOGS_PATH	"/networkAccess/logs/remoteNetworks"
#define LOGS_TOP_DEFAULT 100
#define LOGS_TOP_MAX	1000000
#define LOGS_PAGE_MAX	1000	/* the server's $top limit (api_logs.c) */

struct logs_query {
	int64_t		 since, until;
	long long	 top;
};

/*
 * --since/--until: ISO 8601, "2026-11-22", "2026-11-22T18:24",
 * "2026-11-22T18:24:46.137Z", "...+01:00". Without a zone it is UTC, as
 * every time the API shows.
 */
static int
logs_time(const struct args *a, enum opt o, int64_t *ms)
{
	if (a->val[o] == NULL || wallclock_parse_iso(a->val[o],
	    WALLCLOCK_DATE_ONLY_OK | WALLCLOCK_SECONDS_OPTIONAL |
	    WALLCLOCK_NO_ZONE_OK | WALLCLOCK_LENIENT, ms, NULL) == 0)
		return CLI_OK;
	return cli_out_usage("%s '%s' is not an ISO 8601 date or time "
	    "(2026-11-22, 2026-11-22T18:24:46Z)", cli_args_name(o), a->val[o]);
}

static int
logs_query(const struct args *a, struct logs_query *q)
{
	const char	*top = a->val[O_TOP];
	char		*end;
	int		 ret;

	q->since = INT64_MIN;
	q->until = INT64_MAX;
	q->top = LOGS_TOP_DEFAULT;
	if (top != NULL) {
		errno = 0;
		q->top = strtoll(top, &end, 10);
		if (!isdigit((unsigned char)top[0]) || *end != '\0' ||
		    errno != 0 || q->top < 1 || q->top > LOGS_TOP_MAX)
			return cli_out_usage("--top wants an integer from 1 "
			    "to %d", LOGS_TOP_MAX);
	}
	if ((ret = logs_time(a, O_SINCE, &q->since)) != CLI_OK ||
	    (ret = logs_time(a, O_UNTIL, &q->until)) != CLI_OK)
		return ret;
	if (q->since > q->until)
		return cli_out_usage("--since is later than --until");
	return CLI_OK;
}

/* The first page's URL: the server-side filters and the page size. */
static void
logs_url(struct cli *c, const struct args *a, const struct logs_query *q,
    struct sbuf *u)
{
	struct sbuf	 f = SB_INIT(CLI_URL_MAX);
	size_t		 psize;

	if (a->narg == 1)
		sb_addf(&f, "remoteNetworkId eq '%s'", a->arg[0]);
	if (a->val[O_STATUS] != NULL)
		sb_addf(&f, "%sstatus eq '%s'", f.len > 0 ? " and " : "",
		    a->val[O_STATUS]);
	/* Events newer than --until are skipped, not counted: full pages. */
	psize = q->until != INT64_MAX || q->top > LOGS_PAGE_MAX ?
	    LOGS_PAGE_MAX : (size_t)q->top;
	sb_addf(u, "%s%s?$top=%zu", c->url, LOGS_PATH, psize);
	if (f.p != NULL) {
		sb_adds(u, "&$filter=");
		cli_http_esc(c, u, f.p);
	}
	sb_free(&f);
}

/* Take the page's events that match into evs; false when no more can. */
static bool
logs_take(const json_t *page, const struct logs_query *q, json_t *evs)
{
	json_t		*e;
	const char	*ts;
	int64_t		 t;
	size_t		 i;

	json_array_foreach(json_object_get(page, "value"), i, e) {
		if ((long long)json_array_size(evs) >= q->top)
			return false;
		ts = cli_out_jstr(e, "createdDateTime");
		if (ts != NULL && wallclock_parse(ts, &t) == 0) {
			if (t >= q->until)
				continue;
			if (t < q->since)
				return false;
		}
		json_array_append(evs, e);
	}
	return (long long)json_array_size(evs) < q->top;
}

/* id -> name of the tenant's remote networks, for the table. */
static int
logs_names(struct cli *c, json_t **names)
{
	struct sbuf	 u = SB_INIT(CLI_URL_MAX);
	json_t		*out = NULL;
	const json_t	*e;
	size_t		 i;
	int		 ret;

	if ((*names = json_object()) == NULL)
		sb_oom();
	cli_http_url_rn(c, &u, NULL, NULL, NULL, NULL);
	sb_adds(&u, "?$select=id,name");
	if ((ret = cli_http_call(c, "GET", &u, NULL, false, &out)) == CLI_OK)
		json_array_foreach(json_object_get(out, "value"), i, e)
			if (cli_out_jstr(e, "id") != NULL && json_is_string(
			    json_object_get(e, "name")))
				json_object_set(*names, cli_out_jstr(e, "id"),
				    json_object_get(e, "name"));
	json_decref(out);
	return ret;
}

/* The remote network's name; its id once it is gone. */
static const char *
logs_rn_cell(const json_t *e, const void *names, struct sbuf *tmp)
{
	const char	*id = cli_out_jstr(e, "remoteNetworkId");
	const char	*nm = id != NULL ? json_string_value(json_object_get(
			    names, id)) : NULL;

	(void)tmp;
	return nm != NULL ? nm : id != NULL ? id : "-";
}

static const struct cli_col logs_cols[] = {
	{ "TIME", "createdDateTime", NULL },
	{ "REMOTE NETWORK", NULL, logs_rn_cell },
	{ "STATUS", "status", NULL },
	{ "SOURCE", "sourceIp", NULL },
	{ "DESTINATION", "destinationIp", NULL },
	{ "DESCRIPTION", "description", NULL },
};

static int
logs(struct cli *c, struct args *a)
{
	struct sbuf		 u = SB_INIT(CLI_URL_MAX);
	struct logs_query	 q;
	json_t			*page = NULL, *evs, *names = NULL, *o;
	const char		*next;
	bool			 more = true;
	int			 ret;

	if ((ret = logs_query(a, &q)) != CLI_OK ||
	    (ret = cli_http_resolve(c, CLI_REF_RN, a)) != CLI_OK)
		return ret;
	logs_url(c, a, &q, &u);
	if ((evs = json_array()) == NULL)
		sb_oom();
	while (more) {
		if ((ret = cli_http_call(c, "GET", &u, NULL, false, &page)) !=
		    CLI_OK)
			goto out;
		more = logs_take(page, &q, evs);
		if ((next = cli_out_jstr(page, "@odata.nextLink")) == NULL)
			more = false;
		else if (more && cli_http_next(c, next, &u) == -1) {
			ret = SRV_ERR(CLI_API, "InvalidResponse", "branchgated "
			    "sent a nextLink this CLI cannot follow: %s", next);
			goto out;
		}
		json_decref(page);
		page = NULL;
	}
	if (c->json) {
		if ((o = json_pack("{s:s, s:O}", "@odata.context",
		    "$metadata#networkAccess/logs/remoteNetworks", "value",
		    evs)) == NULL)
			sb_oom();
		cli_out_json(o);
		json_decref(o);
	} else if ((ret = logs_names(c, &names)) == CLI_OK)
		cli_out_table(evs, logs_cols, CLI_NELEM(logs_cols), names);
out:
	json_decref(page);
	json_decref(evs);
	json_decref(names);
	sb_free(&u);
	return ret;
}

#define OM_LOGS		(OM(O_STATUS) | OM(O_SINCE) | OM(O_UNTIL) | OM(O_TOP))

static const struct cli_cmd logs_cmds[] = {
	{ NULL, OM_LOGS, 0, 1, false, 0, logs },
};

const struct cli_group cli_logs_group = { "logs",
"usage: branchgate logs [RN] [--status S] [--since T] [--until T] "
"[--top N]\n"
"\n"
"The remote networks' health events, newest first: TIME, REMOTE NETWORK,\n"
"STATUS, SOURCE, DESTINATION, DESCRIPTION (--json: the events as JSON).\n"
"  RN          only this remote network's events (id or name)\n"
"  --status S  tunnelConnected, tunnelDisconnected, bgpConnected,\n"
"              bgpDisconnected or remoteNetworkAlive\n"
"  --since T   events at or after T; --until T: events before T. ISO 8601,\n"
"              e.g. 2026-11-22 or 2026-11-22T18:24:46Z; no zone means UTC\n"
"  --top N     at most N events (default 100), over as many pages as it "
"takes\n",
	logs_cmds, CLI_NELEM(logs_cmds) };
