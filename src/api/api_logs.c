/*
 * api_logs.c - GET /networkAccess/logs/remoteNetworks: the remote network
 * health events the gateway writes (system-facts §2.5), newest first.
 *
 * Paging is keyset, not offset: $skiptoken is the (createdDateTime, id) of
 * the last event of the previous page, so events written while a client
 * pages do not shift or repeat rows. $orderby is createdDateTime desc (the
 * default) or asc. $filter understands exactly "remoteNetworkId eq '<id>'",
 * "status eq '<status>'" and bounds on createdDateTime (ge, gt, le, lt and
 * an OData date and time: 2026-01-01T00:00:00Z), joined by "and"; anything
 * else is a 400 rather than a silently wider answer.
 */
#include "api_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "guid.h"
#include "ip4.h"
#include "wallclock.h"

#define LOGS_TOP_DEFAULT	100
#define LOGS_TOP_MAX		1000
#define LOGS_PATH		"/networkAccess/logs/remoteNetworks"
#define LOGS_TYPE	\
	"microsoft.graph.networkaccess.remoteNetworkHealthEvent"

static const char *const logs_query[] = {
	"$top", "$skiptoken", "$filter", "$select", "$orderby", "$count", NULL
};

static const char *const logs_fields[] = {
	"id", "remoteNetworkId", "createdDateTime", "sourceIp", "destinationIp",
	"status", "description", "bgpRoutesAdvertisedCount", "sentBytes",
	"receivedBytes", "gatewayNode", NULL
};

struct logs_query {
	struct store_event_filter f;
	char		rn_id[MODEL_ID_LEN + 1];
	char		after_id[MODEL_ID_LEN + 1];
	bool		desc_given;
	size_t		total;
};

/* "<created ms>_<event id>", as logs_next_link writes it. */
static int
logs_parse_skiptoken(struct api_req *r, struct logs_query *q)
{
	const char *v = api_query_get(r, "$skiptoken"), *us;
	long long ms;
	char *end;

	if (v == NULL)
		return 0;
	us = strchr(v, '_');
	errno = 0;
	ms = strtoll(v, &end, 10);
	if (us == NULL || end != us || v[0] < '0' || v[0] > '9' ||
	    errno != 0 || !guid_valid(us + 1)) {
		api_query_error(r, 400, "BadRequest", "$skiptoken",
		    "$skiptoken is not one this server issued; follow "
		    "@odata.nextLink as given");
		return -1;
	}
	q->f.after_ms = ms;
	snprintf(q->after_id, sizeof(q->after_id), "%s", us + 1);
	q->f.after_id = q->after_id;
	return 0;
}

/* One "name op value" term of $filter; value quoted ('...') or bare. */
struct logs_term {
	char		name[32];
	char		op[3];
	char		val[64];
	bool		quoted;
};

/* Parses the term at *p; advances *p past it. */
static int
logs_parse_term(const char **p, struct logs_term *t)
{
	const char *s = *p, *b;
	size_t len;

	while (*s == ' ')
		s++;
	for (b = s; isalnum((unsigned char)*s); s++)
		;
	if ((len = (size_t)(s - b)) == 0 || len >= sizeof(t->name))
		return -1;
	memcpy(t->name, b, len);
	t->name[len] = '\0';
	while (*s == ' ')
		s++;
	if (!isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1]) ||
	    s[2] != ' ')
		return -1;
	t->op[0] = (char)tolower((unsigned char)s[0]);
	t->op[1] = (char)tolower((unsigned char)s[1]);
	t->op[2] = '\0';
	s += 3;
	while (*s == ' ')
		s++;
	if ((t->quoted = *s == '\'')) {
		for (b = ++s; *s != '\0' && *s != '\''; s++)
			;
		if (*s != '\'')
			return -1;
	} else
		for (b = s; *s != '\0' && *s != ' '; s++)
			;
	if ((len = (size_t)(s - b)) >= sizeof(t->val) || (!t->quoted &&
	    len == 0))
		return -1;
	memcpy(t->val, b, len);
	t->val[len] = '\0';
	*p = s + (t->quoted ? 1 : 0);
	return 0;
}

/*
 * An OData DateTimeOffset literal (OData 4.0 ABNF dateTimeOffsetValue):
 * YYYY-MM-DDThh:mm[:ss[.fraction]] then Z or +hh:mm / -hh:mm. *ms is the
 * instant in whole milliseconds, rounded down; *finer tells whether the
 * fraction went beyond them.
 */
static int
logs_parse_time(const char *s, int64_t *ms, bool *finer)
{
	return wallclock_parse_iso(s, WALLCLOCK_SECONDS_OPTIONAL, ms, finer);
}

/* createdDateTime <op> <time>: one lower and one upper bound at most. */
static int
logs_filter_time(struct api_req *r, struct logs_query *q,
    const struct logs_term *t)
{
	int64_t ms;
	bool finer, lower = t->op[0] == 'g';

	if (t->quoted || logs_parse_time(t->val, &ms, &finer) == -1) {
		api_query_error(r, 400, "BadRequest", "$filter",
		    "createdDateTime %s %s%.64s%s: not a date and time; write "
		    "it as 2026-01-01T00:00:00Z (UTC) or "
		    "2026-01-01T00:00:00%%2B01:00, without quotes", t->op,
		    t->quoted ? "'" : "", t->val, t->quoted ? "'" : "");
		return -1;
	}
	/* Events carry whole milliseconds: bounds become inclusive ones. */
	if (strcmp(t->op, "ge") == 0)
		ms += finer ? 1 : 0;
	else if (strcmp(t->op, "gt") == 0)
		ms += 1;
	else if (strcmp(t->op, "lt") == 0)
		ms -= finer ? 0 : 1;
	if (lower) {
		q->f.since_set = true;
		q->f.since_ms = ms;
	} else {
		q->f.until_set = true;
		q->f.until_ms = ms;
	}
	return 0;
}

static int
logs_parse_filter(struct api_req *r, struct logs_query *q)
{
	const char *v = api_query_get(r, "$filter"), *p;
	struct logs_term t;
	int status;

	if (v == NULL)
		return 0;
	for (p = v;;) {
		if (logs_parse_term(&p, &t) == -1)
			goto bad;
		if (strcmp(t.name, "remoteNetworkId") == 0 &&
		    strcmp(t.op, "eq") == 0 && t.quoted && q->f.rn_id == NULL) {
			if (!guid_valid(t.val)) {
				api_query_error(r, 400, "BadRequest", "$filter",
				    "remoteNetworkId '%.64s' is not a GUID",
				    t.val);
				return -1;
			}
			memcpy(q->rn_id, t.val, MODEL_ID_LEN);
			q->rn_id[MODEL_ID_LEN] = '\0';
			q->f.rn_id = q->rn_id;
		} else if (strcmp(t.name, "status") == 0 &&
		    strcmp(t.op, "eq") == 0 && t.quoted && q->f.status == -1) {
			status = model_enum_parse(&store_event_status_enum,
			    t.val);
			if (status == -1) {
				api_query_error(r, 400, "BadRequest", "$filter",
				    "status '%.64s' is not a remoteNetworkStatus "
				    "(tunnelConnected, tunnelDisconnected, "
				    "bgpConnected, bgpDisconnected, "
				    "remoteNetworkAlive)", t.val);
				return -1;
			}
			q->f.status = status;
		} else if (strcmp(t.name, "createdDateTime") == 0 &&
		    (((strcmp(t.op, "ge") == 0 || strcmp(t.op, "gt") == 0) &&
		    !q->f.since_set) || ((strcmp(t.op, "le") == 0 ||
		    strcmp(t.op, "lt") == 0) && !q->f.until_set))) {
			if (logs_filter_time(r, q, &t) == -1)
				return -1;
		} else
			goto bad;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return 0;
		if (strncasecmp(p, "and ", 4) != 0)
			goto bad;
		p += 4;
	}
bad:
	api_query_error(r, 400, "BadRequest", "$filter",
	    "$filter '%.200s' is not supported: use remoteNetworkId eq '<id>', "
	    "status eq '<status>', createdDateTime ge, gt, le or lt "
	    "<date and time, such as 2026-01-01T00:00:00Z> (once each, one "
	    "lower and one upper bound), joined by 'and'", v);
	return -1;
}

/* createdDateTime desc (the default, newest first) or asc. */
static int
logs_parse_orderby(struct api_req *r, struct logs_query *q)
{
	const char *v = api_query_get(r, "$orderby"), *s;
	size_t n = strlen("createdDateTime");

	if (v == NULL)
		return 0;
	for (s = v; *s == ' '; s++)
		;
	if (strncmp(s, "createdDateTime", n) != 0)
		goto bad;
	s += n;
	if (*s == ' ') {
		while (*s == ' ')
			s++;
		/* OData 4.0 part 2 §11.2.5.2: no suffix means ascending. */
		if (strncasecmp(s, "asc", 3) == 0)
			s += 3;
		else if (strncasecmp(s, "desc", 4) == 0) {
			s += 4;
			q->desc_given = true;
		} else
			goto bad;
		while (*s == ' ')
			s++;
	}
	if (*s != '\0')
		goto bad;
	q->f.oldest_first = !q->desc_given;
	return 0;
bad:
	api_query_error(r, 400, "BadRequest", "$orderby",
	    "$orderby '%.100s' is not supported: use createdDateTime desc "
	    "(newest first, the default) or createdDateTime asc", v);
	return -1;
}

static json_t *
logs_event_json(struct api_req *r, const struct store_event *ev)
{
	char ts[WALLCLOCK_STRLEN], src[IP4_STRLEN], dst[IP4_STRLEN];
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:I, s:I}",
	    "id", ev->id,
	    "remoteNetworkId", ev->rn_id,
	    "createdDateTime", wallclock_fmt(ev->created_ms, ts),
	    "sourceIp", ip4_fmt(ev->source_ip, src),
	    "destinationIp", ip4_fmt(ev->destination_ip, dst),
	    "status", model_enum_name(&store_event_status_enum, ev->status),
	    "description", ev->description[0] != '\0' ?
	    json_string(ev->description) : json_null(),
	    "bgpRoutesAdvertisedCount", (int)ev->bgp_routes_advertised,
	    "sentBytes", (json_int_t)ev->sent_bytes,
	    "receivedBytes", (json_int_t)ev->received_bytes);
	/* Not Graph's: the gateway node that wrote it (docs/nodes.md). */
	if (o != NULL && ev->node[0] != '\0')
		json_object_set_new(o, "gatewayNode", json_string(ev->node));
	api_select_apply(r, o);
	return o;
}

/* api_next_link_start and the cursor of the last event. */
static json_t *
logs_next_link(struct api_req *r, const struct store_event *last,
    size_t top)
{
	char url[2048];
	size_t pos;

	pos = api_next_link_start(r, url, sizeof(url), LOGS_PATH, top);
	if (pos + 80 >= sizeof(url))
		return NULL;
	snprintf(url + pos, sizeof(url) - pos, "&$skiptoken=%" PRId64 "_%s",
	    last->created_ms, last->id);
	return json_string(url);
}

void
api_logs_rn_list(struct api_req *r)
{
	struct logs_query q;
	struct store_event *evs = NULL;
	json_t *a, *next;
	size_t n = 0, i;
	bool more = false;

	memset(&q, 0, sizeof(q));
	q.f.status = -1;
	if (api_query_check(r, logs_query) == -1 ||
	    api_query_top(r, LOGS_TOP_DEFAULT, LOGS_TOP_MAX, &q.f.top) == -1 ||
	    logs_parse_skiptoken(r, &q) == -1 ||
	    logs_parse_filter(r, &q) == -1 ||
	    logs_parse_orderby(r, &q) == -1 ||
	    api_select_check(r, logs_fields, LOGS_TYPE) == -1)
		return;
	if (r->count)
		q.f.total = &q.total;
	if (store_event_list(r->api->store, r->tenant.id, &q.f, &evs, &n,
	    &more) == -1) {
		api_error_store(r);
		return;
	}
	a = json_array();
	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, logs_event_json(r, &evs[i]));
	api_reply_collection(r, a, &q.total,
	    "networkAccess/logs/remoteNetworks");
	if (more && n > 0 && r->status == 200 &&
	    (next = logs_next_link(r, &evs[n - 1], q.f.top)) != NULL)
		json_object_set_new(r->resp, "@odata.nextLink", next);
	free(evs);
}
