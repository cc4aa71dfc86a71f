/*
 * api_logs.c - GET /networkAccess/logs/remoteNetworks: the remote network
 * health events the gateway writes (system-facts §2.5), newest first.
 *
 * Paging is keyset, not offset: $skiptoken is the (createdDateTime, id) of
 * the last event of the previous page, so events written while a client
 * pages do not shift or repeat rows. $filter understands exactly
 * "remoteNetworkId eq '<id>'" and "status eq '<status>'", joined by "and";
 * anything else is a 400 rather than a silently wider answer.
 */
#include "api_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "guid.h"
#include "ip4.h"
#include "wallclock.h"

#define LOGS_TOP_DEFAULT	100
#define LOGS_TOP_MAX		1000
#define LOGS_PATH		"/networkAccess/logs/remoteNetworks"

static const char *const logs_query[] = {
	"$top", "$skiptoken", "$filter", "$select", NULL
};

static const char *const logs_fields[] = {
	"id", "remoteNetworkId", "createdDateTime", "sourceIp", "destinationIp",
	"status", "description", "bgpRoutesAdvertisedCount", "sentBytes",
	"receivedBytes", NULL
};

struct logs_query {
	struct store_event_filter f;
	char		rn_id[MODEL_ID_LEN + 1];
	char		after_id[MODEL_ID_LEN + 1];
};

static int
logs_parse_top(struct api_req *r, size_t *top)
{
	const char *v = api_query_get(r, "$top");
	unsigned long n;
	char *end;

	*top = LOGS_TOP_DEFAULT;
	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || n < 1 ||
	    n > LOGS_TOP_MAX) {
		api_error(r, 400, "BadRequest", "$top",
		    "$top '%.32s' is not an integer from 1 to %d", v,
		    LOGS_TOP_MAX);
		return -1;
	}
	*top = n;
	return 0;
}

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
		api_error(r, 400, "BadRequest", "$skiptoken",
		    "$skiptoken is not one this server issued; follow "
		    "@odata.nextLink as given");
		return -1;
	}
	q->f.after_ms = ms;
	snprintf(q->after_id, sizeof(q->after_id), "%s", us + 1);
	q->f.after_id = q->after_id;
	return 0;
}

/* One "name eq 'value'" term at *p; advances *p past it. */
static int
logs_parse_term(const char **p, char *name, size_t nsize, char *val,
    size_t vsize)
{
	const char *s = *p, *b;
	size_t len;

	while (*s == ' ')
		s++;
	for (b = s; isalnum((unsigned char)*s); s++)
		;
	if ((len = (size_t)(s - b)) == 0 || len >= nsize)
		return -1;
	memcpy(name, b, len);
	name[len] = '\0';
	while (*s == ' ')
		s++;
	if (strncasecmp(s, "eq", 2) != 0 || s[2] != ' ')
		return -1;
	s += 3;
	while (*s == ' ')
		s++;
	if (*s++ != '\'')
		return -1;
	for (b = s; *s != '\0' && *s != '\''; s++)
		;
	if (*s != '\'' || (len = (size_t)(s - b)) >= vsize)
		return -1;
	memcpy(val, b, len);
	val[len] = '\0';
	*p = s + 1;
	return 0;
}

static int
logs_parse_filter(struct api_req *r, struct logs_query *q)
{
	const char *v = api_query_get(r, "$filter"), *p;
	char name[32], val[64];
	int status;

	if (v == NULL)
		return 0;
	for (p = v;;) {
		if (logs_parse_term(&p, name, sizeof(name), val,
		    sizeof(val)) == -1)
			goto bad;
		if (strcmp(name, "remoteNetworkId") == 0 && q->f.rn_id == NULL) {
			if (!guid_valid(val)) {
				api_error(r, 400, "BadRequest", "$filter",
				    "remoteNetworkId '%.64s' is not a GUID",
				    val);
				return -1;
			}
			memcpy(q->rn_id, val, MODEL_ID_LEN);
			q->rn_id[MODEL_ID_LEN] = '\0';
			q->f.rn_id = q->rn_id;
		} else if (strcmp(name, "status") == 0 && q->f.status == -1) {
			status = model_enum_parse(&store_event_status_enum, val);
			if (status == -1) {
				api_error(r, 400, "BadRequest", "$filter",
				    "status '%.64s' is not a remoteNetworkStatus "
				    "(tunnelConnected, tunnelDisconnected, "
				    "bgpConnected, bgpDisconnected, "
				    "remoteNetworkAlive)", val);
				return -1;
			}
			q->f.status = status;
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
	api_error(r, 400, "BadRequest", "$filter",
	    "$filter '%.200s' is not supported: use remoteNetworkId eq '<id>' "
	    "and/or status eq '<status>', joined by 'and'", v);
	return -1;
}

static int
logs_check_select(struct api_req *r)
{
	const char *v = api_query_get(r, "$select"), *p, *e;
	size_t i, len;
	bool ok;

	if (v == NULL)
		return 0;
	for (p = v; *p != '\0'; p = *e ? e + 1 : e) {
		while (*p == ' ')
			p++;
		e = p + strcspn(p, ",");
		len = (size_t)(e - p);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		ok = false;
		for (i = 0; logs_fields[i] != NULL; i++)
			if (strlen(logs_fields[i]) == len &&
			    strncmp(logs_fields[i], p, len) == 0)
				ok = true;
		if (!ok) {
			api_error(r, 400, "BadRequest", "$select",
			    "$select: '%.*s' is not a property of "
			    "remoteNetworkHealthEvent", (int)(len > 64 ? 64 :
			    len), p);
			return -1;
		}
	}
	return 0;
}

static json_t *
logs_event_json(struct api_req *r, const struct store_event *ev)
{
	char ts[WALLCLOCK_STRLEN], src[IP4_STRLEN], dst[IP4_STRLEN];
	const char *key;
	json_t *o, *v;
	void *tmp;

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
	if (o == NULL || api_query_get(r, "$select") == NULL)
		return o;
	json_object_foreach_safe(o, tmp, key, v) {
		(void)v;
		if (strcmp(key, "id") != 0 && !api_query_has(r, "$select", key))
			json_object_del(o, key);
	}
	return o;
}

/* Percent-encodes everything but RFC 3986 unreserved characters. */
static void
logs_urlenc(char *out, size_t size, size_t *pos, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *s != '\0' && *pos + 4 < size; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			out[(*pos)++] = (char)c;
		} else {
			out[(*pos)++] = '%';
			out[(*pos)++] = hex[c >> 4];
			out[(*pos)++] = hex[c & 15];
		}
	}
	out[*pos] = '\0';
}

/* Absolute when the Host header is plain, as Graph's nextLinks are. */
static json_t *
logs_next_link(struct api_req *r, const struct store_event *last,
    size_t top)
{
	static const char *const keep[] = { "$filter", "$select", NULL };
	const char *host, *v;
	char url[2048];
	size_t pos = 0, i;
	bool plain = false;

	host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_HOST);
	if (host != NULL && host[0] != '\0' && strlen(host) < 256) {
		plain = true;
		for (v = host; *v != '\0'; v++)
			if (!isalnum((unsigned char)*v) && strchr(".-:[]",
			    *v) == NULL)
				plain = false;
	}
	pos = (size_t)snprintf(url, sizeof(url), "%s%s%s?$top=%zu",
	    plain ? "http://" : "", plain ? host : "", LOGS_PATH, top);
	for (i = 0; keep[i] != NULL; i++) {
		if ((v = api_query_get(r, keep[i])) == NULL)
			continue;
		pos += (size_t)snprintf(url + pos, sizeof(url) - pos, "&%s=",
		    keep[i]);
		logs_urlenc(url, sizeof(url), &pos, v);
	}
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
	    logs_parse_top(r, &q.f.top) == -1 ||
	    logs_parse_skiptoken(r, &q) == -1 ||
	    logs_parse_filter(r, &q) == -1 ||
	    logs_check_select(r) == -1)
		return;
	if (store_event_list(r->api->store, r->tenant.id, &q.f, &evs, &n,
	    &more) == -1) {
		api_error_store(r);
		return;
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, logs_event_json(r, &evs[i]));
	r->resp = json_pack("{s:s, s:o}", "@odata.context",
	    "$metadata#networkAccess/logs/remoteNetworks", "value", a);
	if (more && n > 0 && r->resp != NULL &&
	    (next = logs_next_link(r, &evs[n - 1], q.f.top)) != NULL)
		json_object_set_new(r->resp, "@odata.nextLink", next);
	free(evs);
	r->status = r->resp != NULL ? 200 : 500;
}
