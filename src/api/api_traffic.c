/*
 * api_traffic.c - the traffic logs (system-facts §3.8) and their
 * summaries, read from the traffic log store (store_traffic.h):
 *
 *   GET /networkAccess/logs/traffic            networkAccessTraffic records
 *   GET /networkAccess/logs/traffic/{id}       one, by transactionId
 *   GET /networkAccess/reports/transactionSummaries(startDateTime=,endDateTime=)
 *   GET /networkAccess/reports/getDestinationSummaries(startDateTime=,
 *       endDateTime=,aggregatedBy='transactions')
 *   GET /networkAccess/reports/trafficSummary(startDateTime=,endDateTime=)
 *       (branchgate: counts and bytes per action, policy and destination)
 *
 * $filter is "<property> eq <literal>" on any property, joined by "and",
 * plus ge/gt/le/lt on createdDateTime; $orderby one property, asc or desc
 * (default createdDateTime desc). Paging is keyset: $skiptoken carries the
 * order, the last row's value of the order property and its transactionId,
 * so rows written while a client pages neither repeat nor shift others.
 * A tenant reads only its own records (every query is by its id).
 * docs/api.md, "Traffic logs".
 */
#include "api_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ip4.h"
#include "store_traffic.h"
#include "wallclock.h"

#define TR_TOP_DEFAULT		100
#define TR_TOP_MAX		1000
#define TR_SUM_TOP_DEFAULT	10
#define TR_PATH			"/networkAccess/logs/traffic"
#define TR_TYPE			"microsoft.graph.networkaccess.networkAccessTraffic"
#define TR_VAL_MAX		(MODEL_FQDN_MAX + 1)

/* How a property's literal is written and checked. */
enum tr_kind {
	TK_ID,		/* quoted text, an id (<= 36) */
	TK_TEXT,	/* quoted text (FQDN, description) */
	TK_TIME,	/* DateTimeOffset, unquoted */
	TK_INT,		/* unquoted integer in [0, max] */
	TK_IP,		/* quoted dotted IPv4 */
	TK_ENUM,	/* quoted enum name */
	TK_PROTO,	/* quoted networkingProtocol name */
	TK_TENANT,	/* the caller's own id: nothing else matches */
	TK_CONST	/* one value on every record (deviceCategory, ...) */
};

struct tr_prop {
	const char		*name;
	enum tr_kind		 kind;
	int			 field;		/* enum store_traffic_field */
	int64_t			 max;
	const struct model_enum	*e;
	const char		*value;		/* TK_CONST */
};

/*
 * Graph's deviceCategory and networkingProtocol; a record's are always
 * remoteNetwork and ipv4. Every enum also has unknownFutureValue.
 */
static const char *const tr_category_names[] = {
	"client", "branch", "unknownFutureValue", "remoteNetwork"
};
static const struct model_enum tr_category_enum = {
	"deviceCategory", tr_category_names, 4
};
static const char *const tr_ttype_all_names[] = {
	"internet", "private", "microsoft365", "all", "unknownFutureValue",
	"microsoft"
};
static const struct model_enum tr_ttype_all_enum = {
	"trafficType", tr_ttype_all_names, 6
};

/* networkingProtocol names with their IP protocol numbers (-1: not IP). */
static const struct {
	const char	*name;
	int		 proto;
} tr_protos[] = {
	{ "ip", 0 }, { "icmp", 1 }, { "igmp", 2 }, { "ggp", 3 }, { "ipv4", 4 },
	{ "tcp", 6 }, { "pup", 12 }, { "udp", 17 }, { "idp", 22 },
	{ "ipv6", 41 }, { "ipv6RoutingHeader", 43 },
	{ "ipv6FragmentHeader", 44 },
	{ "ipSecEncapsulatingSecurityPayload", 50 },
	{ "ipSecAuthenticationHeader", 51 }, { "icmpV6", 58 },
	{ "ipv6NoNextHeader", 59 }, { "ipv6DestinationOptions", 60 },
	{ "nd", 77 }, { "raw", 255 }, { "ipx", -1 }, { "spx", -1 },
	{ "spxII", -1 },
};
#define TR_NPROTOS	(sizeof(tr_protos) / sizeof(tr_protos[0]))

static const struct tr_prop tr_props[] = {
	{ "transactionId", TK_ID, STF_TRANSACTION_ID, 0, NULL, NULL },
	{ "createdDateTime", TK_TIME, STF_CREATED, 0, NULL, NULL },
	{ "tenantId", TK_TENANT, -1, 0, NULL, NULL },
	{ "connectionId", TK_ID, STF_CONNECTION_ID, 0, NULL, NULL },
	{ "sessionId", TK_ID, STF_SESSION_ID, 0, NULL, NULL },
	{ "trafficType", TK_ENUM, STF_TRAFFIC_TYPE, 0,
	    &store_traffic_type_enum, NULL },
	{ "deviceCategory", TK_CONST, -1, 0, &tr_category_enum,
	    "remoteNetwork" },
	{ "sourceIp", TK_IP, STF_SRC_IP, 0, NULL, NULL },
	{ "sourcePort", TK_INT, STF_SRC_PORT, 65535, NULL, NULL },
	{ "destinationIp", TK_IP, STF_DST_IP, 0, NULL, NULL },
	{ "destinationPort", TK_INT, STF_DST_PORT, 65535, NULL, NULL },
	{ "destinationFQDN", TK_TEXT, STF_FQDN, 0, NULL, NULL },
	{ "transportProtocol", TK_PROTO, STF_PROTO, 0, NULL, NULL },
	{ "networkProtocol", TK_CONST, -1, 0, NULL, "ipv4" },
	{ "action", TK_ENUM, STF_ACTION, 0, &store_traffic_action_enum, NULL },
	{ "policyId", TK_ID, STF_POLICY_ID, 0, NULL, NULL },
	{ "policyRuleId", TK_ID, STF_RULE_ID, 0, NULL, NULL },
	{ "description", TK_TEXT, STF_REASON, 0, NULL, NULL },
	{ "sentBytes", TK_INT, STF_SENT, INT64_MAX, NULL, NULL },
	{ "receivedBytes", TK_INT, STF_RECEIVED, INT64_MAX, NULL, NULL },
	{ "remoteNetworkId", TK_ID, STF_RN_ID, 0, NULL, NULL },
	{ "deviceLinkId", TK_ID, STF_LINK_ID, 0, NULL, NULL },
};
#define TR_NPROPS	(sizeof(tr_props) / sizeof(tr_props[0]))

static const char *const tr_fields[TR_NPROPS + 1] = {
	"transactionId", "createdDateTime", "tenantId", "connectionId",
	"sessionId", "trafficType", "deviceCategory", "sourceIp", "sourcePort",
	"destinationIp", "destinationPort", "destinationFQDN",
	"transportProtocol", "networkProtocol", "action", "policyId",
	"policyRuleId", "description", "sentBytes", "receivedBytes",
	"remoteNetworkId", "deviceLinkId", NULL
};

static const char *const tr_query[] = {
	"$top", "$skiptoken", "$filter", "$select", "$orderby", "$count", NULL
};

struct api_traffic_query {
	struct store_traffic_filter f;
	char		 text[STF_NFIELDS][TR_VAL_MAX + 1];
	bool		 none;		/* a condition no record can meet */
	int		 order_prop;	/* tr_props index */
	char		 after_id[MODEL_ID_LEN + 1];
	char		 after_text[TR_VAL_MAX + 1];
	size_t		 total;
};

static const char *
tr_proto_name(unsigned proto)
{
	size_t i;

	for (i = 0; i < TR_NPROTOS; i++)
		if (tr_protos[i].proto == (int)proto)
			return tr_protos[i].name;
	return "unknownFutureValue";
}

static bool
tr_proto_parse_ok(const char *name)
{
	size_t i;

	for (i = 0; i < TR_NPROTOS; i++)
		if (strcmp(tr_protos[i].name, name) == 0)
			return true;
	return false;
}

static const struct tr_prop *
tr_prop_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < TR_NPROPS; i++)
		if (strlen(tr_props[i].name) == len &&
		    strncmp(tr_props[i].name, name, len) == 0)
			return &tr_props[i];
	return NULL;
}

static bool
tr_store(struct api_req *r)
{
	if (r->api->traffic != NULL)
		return true;
	api_query_error(r, 503, "ServiceUnavailable", NULL,
	    "the traffic log store is not open on this server");
	return false;
}

/* --- $top, $orderby, $skiptoken ------------------------------------------- */

/* "<property> [asc|desc]"; properties with one value order by id. */
static int
tr_parse_orderby(struct api_req *r, struct api_traffic_query *q, const char *v)
{
	const char *s, *b;
	const struct tr_prop *p;
	size_t len;

	q->order_prop = 1;	/* createdDateTime */
	q->f.order = STF_CREATED;
	q->f.desc = true;
	if (v == NULL)
		return 0;
	for (s = v; *s == ' '; s++)
		;
	for (b = s; isalnum((unsigned char)*s); s++)
		;
	len = (size_t)(s - b);
	if ((p = tr_prop_find(b, len)) == NULL) {
		api_query_error(r, 400, "BadRequest", "$orderby",
		    "$orderby: '%.*s' is not a property of %s", (int)(len > 64 ?
		    64 : len), b, TR_TYPE);
		return -1;
	}
	q->order_prop = (int)(p - tr_props);
	q->f.desc = false;	/* OData 4.0 part 2 §11.2.5.2: asc by default */
	while (*s == ' ')
		s++;
	if (strncasecmp(s, "desc", 4) == 0) {
		q->f.desc = true;
		s += 4;
	} else if (strncasecmp(s, "asc", 3) == 0)
		s += 3;
	while (*s == ' ')
		s++;
	if (*s != '\0') {
		api_query_error(r, 400, "BadRequest", "$orderby",
		    "$orderby '%.100s' is not supported: one property, then "
		    "asc or desc", v);
		return -1;
	}
	q->f.order = p->field >= 0 ? (enum store_traffic_field)p->field :
	    STF_TRANSACTION_ID;
	return 0;
}

static void
tr_hex(char *out, size_t size, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t pos = 0;

	for (; *s != '\0' && pos + 2 < size; s++) {
		out[pos++] = hex[(unsigned char)*s >> 4];
		out[pos++] = hex[(unsigned char)*s & 15];
	}
	out[pos] = '\0';
}

/* Hex to text; -1 unless it is whole bytes of printable text that fit. */
static int
tr_unhex(const char *s, size_t len, char *out, size_t size)
{
	size_t i;
	int hi, lo;

	if (len % 2 != 0 || len / 2 >= size)
		return -1;
	for (i = 0; i < len / 2; i++) {
		hi = isxdigit((unsigned char)s[2 * i]) ? (isdigit((unsigned
		    char)s[2 * i]) ? s[2 * i] - '0' : (tolower((unsigned
		    char)s[2 * i]) - 'a' + 10)) : -1;
		lo = isxdigit((unsigned char)s[2 * i + 1]) ? (isdigit((unsigned
		    char)s[2 * i + 1]) ? s[2 * i + 1] - '0' : (tolower((unsigned
		    char)s[2 * i + 1]) - 'a' + 10)) : -1;
		if (hi < 0 || lo < 0 || hi * 16 + lo < 0x20)
			return -1;
		out[i] = (char)(hi * 16 + lo);
	}
	out[len / 2] = '\0';
	return 0;
}

/*
 * "<order field>.<a|d>.<hex transactionId>.<value>": value a decimal
 * number or the hex of a text, as the order field is.
 */
static int
tr_parse_skiptoken(struct api_req *r, struct api_traffic_query *q, const char *v)
{
	const char *p, *d1, *d2;
	char *end;
	long f;
	long long num;

	if (v == NULL)
		return 0;
	errno = 0;
	f = strtol(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || errno != 0 || *end != '.' ||
	    f != (long)q->f.order || (end[1] != 'a' && end[1] != 'd') ||
	    (end[1] == 'd') != q->f.desc || end[2] != '.')
		goto bad;
	p = end + 3;
	if ((d1 = strchr(p, '.')) == NULL || d1 == p ||
	    tr_unhex(p, (size_t)(d1 - p), q->after_id,
	    sizeof(q->after_id)) == -1)
		goto bad;
	d2 = d1 + 1;
	if (store_traffic_field_is_text(q->f.order) ||
	    q->f.order == STF_TRAFFIC_TYPE || q->f.order == STF_ACTION) {
		if (tr_unhex(d2, strlen(d2), q->after_text,
		    sizeof(q->after_text)) == -1)
			goto bad;
		q->f.after_text = q->after_text;
		/* The enums order by their stored names. */
		if (q->f.order == STF_TRAFFIC_TYPE || q->f.order == STF_ACTION) {
			int e = model_enum_parse(q->f.order == STF_ACTION ?
			    &store_traffic_action_enum :
			    &store_traffic_type_enum, q->after_text);
			if (e == -1)
				goto bad;
			q->f.after_num = e;
		}
	} else {
		errno = 0;
		num = strtoll(d2, &end, 10);
		if (d2[0] == '\0' || *end != '\0' || errno != 0)
			goto bad;
		q->f.after_num = num;
	}
	q->f.after_id = q->after_id;
	return 0;
bad:
	api_query_error(r, 400, "BadRequest", "$skiptoken",
	    "$skiptoken is not one this server issued for this $orderby; "
	    "follow @odata.nextLink as given");
	return -1;
}

/* --- $filter ---------------------------------------------------------------- */

struct tr_term {
	char		name[40];
	char		op[3];
	char		val[TR_VAL_MAX + 1];
	bool		quoted, null;
};

/* 0, -1 on syntax (the caller words it), -2 a value too long. */
static int
tr_parse_term(const char **pp, struct tr_term *t)
{
	const char *s = *pp, *b;
	size_t len = 0;

	memset(t, 0, sizeof(*t));
	while (*s == ' ')
		s++;
	for (b = s; isalnum((unsigned char)*s); s++)
		;
	if ((len = (size_t)(s - b)) == 0 || len >= sizeof(t->name))
		return -1;
	memcpy(t->name, b, len);
	if (*s != ' ')
		return -1;
	while (*s == ' ')
		s++;
	if (!isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1]) ||
	    s[2] != ' ')
		return -1;
	t->op[0] = (char)tolower((unsigned char)s[0]);
	t->op[1] = (char)tolower((unsigned char)s[1]);
	for (s += 3; *s == ' '; s++)
		;
	len = 0;
	if (*s == '\'') {
		/* OData: a quote inside a string literal is doubled. */
		t->quoted = true;
		for (s++;; s++) {
			if (*s == '\0')
				return -1;
			if (*s == '\'' && s[1] != '\'')
				break;
			if (*s == '\'')
				s++;
			if (len + 1 >= sizeof(t->val))
				return -2;
			t->val[len++] = *s;
		}
		s++;
	} else {
		for (b = s; *s != '\0' && *s != ' ' && *s != ')'; s++)
			;
		if ((len = (size_t)(s - b)) == 0)
			return -1;
		if (len >= sizeof(t->val))
			return -2;
		memcpy(t->val, b, len);
		t->null = strcmp(t->val, "null") == 0;
	}
	t->val[len] = '\0';
	*pp = s;
	return 0;
}

/* An eq condition on a store field; twice is a 400. */
static int
tr_set(struct api_req *r, struct api_traffic_query *q, const struct tr_prop *p,
    const char *text, int64_t num)
{
	int f = p->field;

	if ((q->f.set & (1u << f)) != 0) {
		api_query_error(r, 400, "BadRequest", "$filter",
		    "$filter: %s is compared more than once", p->name);
		return -1;
	}
	q->f.set |= 1u << f;
	if (text != NULL) {
		snprintf(q->text[f], sizeof(q->text[f]), "%s", text);
		q->f.text[f] = q->text[f];
	}
	q->f.num[f] = num;
	return 0;
}

static int
tr_bad_value(struct api_req *r, const struct tr_prop *p,
    const struct tr_term *t, const char *want)
{
	api_query_error(r, 400, "BadRequest", "$filter",
	    "$filter: %s %s %s%.64s%s: %s", p->name, t->op,
	    t->quoted ? "'" : "", t->val, t->quoted ? "'" : "", want);
	return -1;
}

static int
tr_filter_time(struct api_req *r, struct api_traffic_query *q, const struct tr_prop *p,
    const struct tr_term *t)
{
	int64_t ms;
	bool finer, eq = strcmp(t->op, "eq") == 0;

	if (t->quoted || wallclock_parse_iso(t->val, WALLCLOCK_SECONDS_OPTIONAL,
	    &ms, &finer) == -1)
		return tr_bad_value(r, p, t, "not a date and time; write it as "
		    "2026-01-01T00:00:00Z, without quotes");
	/* Records carry whole milliseconds: make the bounds inclusive ones. */
	if (eq) {
		if (finer)
			q->none = true;
	} else if (strcmp(t->op, "ge") == 0)
		ms += finer ? 1 : 0;
	else if (strcmp(t->op, "gt") == 0)
		ms += 1;
	else if (strcmp(t->op, "lt") == 0)
		ms -= finer ? 0 : 1;
	if ((eq || t->op[0] == 'g') && q->f.since_set) {
		if (ms > q->f.since_ms)
			q->f.since_ms = ms;
	} else if (eq || t->op[0] == 'g') {
		q->f.since_set = true;
		q->f.since_ms = ms;
	}
	if ((eq || t->op[0] == 'l') && q->f.until_set) {
		if (ms < q->f.until_ms)
			q->f.until_ms = ms;
	} else if (eq || t->op[0] == 'l') {
		q->f.until_set = true;
		q->f.until_ms = ms;
	}
	return 0;
}

static int
tr_filter_term(struct api_req *r, struct api_traffic_query *q, const struct tr_prop *p,
    const struct tr_term *t)
{
	unsigned long long n;
	uint32_t ip;
	char *end;
	size_t i;
	int e;

	if (p->kind == TK_TIME) {
		if (strcmp(t->op, "eq") != 0 && strcmp(t->op, "ge") != 0 &&
		    strcmp(t->op, "gt") != 0 && strcmp(t->op, "le") != 0 &&
		    strcmp(t->op, "lt") != 0)
			return tr_bad_value(r, p, t, "the operators are eq, "
			    "ge, gt, le and lt");
		return tr_filter_time(r, q, p, t);
	}
	if (strcmp(t->op, "eq") != 0)
		return tr_bad_value(r, p, t, "the only operator on this "
		    "property is eq");
	switch (p->kind) {
	case TK_ID:
	case TK_TEXT:
		if (t->null)
			return tr_set(r, q, p, "", 0);
		if (!t->quoted)
			return tr_bad_value(r, p, t, "a string needs single "
			    "quotes (or null)");
		if (p->kind == TK_ID && strlen(t->val) > MODEL_ID_LEN)
			q->none = true;		/* longer than any id */
		return tr_set(r, q, p, t->val, 0);
	case TK_INT:
		errno = 0;
		n = strtoull(t->val, &end, 10);
		if (t->quoted || t->val[0] < '0' || t->val[0] > '9' ||
		    *end != '\0' || errno != 0 || n > (unsigned long long)p->max)
			return tr_bad_value(r, p, t, p->max == 65535 ?
			    "want an integer from 0 to 65535, without quotes" :
			    "want a non-negative integer, without quotes");
		return tr_set(r, q, p, NULL, (int64_t)n);
	case TK_IP:
		if (!t->quoted || ip4_parse(t->val, &ip) == -1)
			return tr_bad_value(r, p, t, "want an IPv4 address "
			    "in single quotes");
		return tr_set(r, q, p, NULL, ip);
	case TK_ENUM:
		if (!t->quoted)
			return tr_bad_value(r, p, t, "an enum value needs "
			    "single quotes");
		if ((e = model_enum_parse(p->e, t->val)) != -1)
			return tr_set(r, q, p, NULL, e);
		/* Graph's other values are valid, and match no record here. */
		if (p->e == &store_traffic_type_enum &&
		    model_enum_parse(&tr_ttype_all_enum, t->val) != -1 &&
		    strcmp(t->val, "all") != 0) {
			q->none = true;
			return 0;
		}
		if (p->e == &store_traffic_type_enum)
			return tr_bad_value(r, p, t, "not a trafficType of "
			    "a record (internet, private, microsoft365)");
		return tr_bad_value(r, p, t, "not a filteringPolicyAction "
		    "of a record (allow, block)");
	case TK_PROTO:
		for (i = 0; t->quoted && i < TR_NPROTOS; i++)
			if (strcmp(tr_protos[i].name, t->val) == 0)
				break;
		if (!t->quoted || i == TR_NPROTOS)
			return tr_bad_value(r, p, t, "not a networkingProtocol "
			    "(tcp, udp, icmp, ...), in single quotes");
		if (tr_protos[i].proto < 0) {
			q->none = true;
			return 0;
		}
		return tr_set(r, q, p, NULL, tr_protos[i].proto);
	case TK_TENANT:
		if (!t->quoted)
			return tr_bad_value(r, p, t, "a string needs single "
			    "quotes");
		if (strcmp(t->val, r->tenant.id) != 0)
			q->none = true;
		return 0;
	case TK_CONST:
		if (!t->quoted || (p->e != NULL ? model_enum_parse(p->e,
		    t->val) == -1 : !tr_proto_parse_ok(t->val)))
			return tr_bad_value(r, p, t, p->e != NULL ?
			    "not a deviceCategory (client, branch, "
			    "remoteNetwork), in single quotes" :
			    "not a networkingProtocol, in single quotes");
		if (strcmp(t->val, p->value) != 0)
			q->none = true;
		return 0;
	default:
		return tr_bad_value(r, p, t, "cannot be filtered on");
	}
}

/* Names every property of the type, for a 400 on an unknown one. */
static void
tr_names(char *out, size_t size)
{
	size_t i, pos = 0;

	out[0] = '\0';
	for (i = 0; i < TR_NPROPS && pos < size; i++)
		pos += (size_t)snprintf(out + pos, size - pos, "%s%s",
		    i > 0 ? ", " : "", tr_props[i].name);
}

static int
tr_parse_filter(struct api_req *r, struct api_traffic_query *q, const char *v)
{
	const char *p;
	const struct tr_prop *prop;
	struct tr_term t;
	char names[600];
	int rc;

	if (v == NULL)
		return 0;
	for (p = v;;) {
		if ((rc = tr_parse_term(&p, &t)) == -2) {
			api_query_error(r, 400, "BadRequest", "$filter",
			    "$filter: a value is longer than %d characters",
			    TR_VAL_MAX);
			return -1;
		}
		if (rc == -1)
			goto bad;
		if ((prop = tr_prop_find(t.name, strlen(t.name))) == NULL) {
			tr_names(names, sizeof(names));
			api_query_error(r, 400, "BadRequest", "$filter",
			    "$filter: could not find a property named '%s' on "
			    "type '%s' (its properties: %s)", t.name, TR_TYPE,
			    names);
			return -1;
		}
		if (tr_filter_term(r, q, prop, &t) == -1)
			return -1;
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
	    "$filter '%.200s' is not supported: use <property> eq <value> "
	    "(strings, ids, IP addresses and enums in single quotes, numbers "
	    "and createdDateTime without; createdDateTime also ge, gt, le, "
	    "lt), joined by 'and'", v);
	return -1;
}

/* --- answers ---------------------------------------------------------------- */

static json_t *
tr_str_or_null(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *
tr_json(struct api_req *r, const struct model_traffic *t)
{
	char ts[WALLCLOCK_STRLEN], src[IP4_STRLEN], dst[IP4_STRLEN];
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:i, s:s, "
	    "s:i, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:o, s:o}",
	    "transactionId", t->transaction_id,
	    "createdDateTime", wallclock_fmt(t->created_ms, ts),
	    "tenantId", t->tenant_id,
	    "connectionId", t->connection_id,
	    "sessionId", tr_str_or_null(t->session_id),
	    "trafficType", model_enum_name(&store_traffic_type_enum,
	    t->traffic_type),
	    "deviceCategory", "remoteNetwork",
	    "sourceIp", ip4_fmt(t->src_ip, src),
	    "sourcePort", (int)t->src_port,
	    "destinationIp", ip4_fmt(t->dst_ip, dst),
	    "destinationPort", (int)t->dst_port,
	    "destinationFQDN", tr_str_or_null(t->fqdn),
	    "transportProtocol", tr_proto_name(t->proto),
	    "networkProtocol", "ipv4",
	    "action", model_enum_name(&store_traffic_action_enum, t->action),
	    "policyId", tr_str_or_null(t->policy_id),
	    "policyRuleId", tr_str_or_null(t->rule_id),
	    "description", tr_str_or_null(t->reason),
	    "sentBytes", (json_int_t)(t->sent_bytes > INT64_MAX ? INT64_MAX :
	    t->sent_bytes),
	    "receivedBytes", (json_int_t)(t->received_bytes > INT64_MAX ?
	    INT64_MAX : t->received_bytes),
	    "remoteNetworkId", tr_str_or_null(t->rn_id),
	    "deviceLinkId", tr_str_or_null(t->link_id));
	api_select_apply(r, o);
	return o;
}

/* The last row's value of the order field, as the token carries it. */
static void
tr_cursor_value(const struct api_traffic_query *q, const struct model_traffic *t,
    char *out, size_t size)
{
	const char *s = NULL;
	int64_t n = 0;

	switch (q->f.order) {
	case STF_TRANSACTION_ID: s = t->transaction_id; break;
	case STF_CONNECTION_ID: s = t->connection_id; break;
	case STF_SESSION_ID: s = t->session_id; break;
	case STF_FQDN: s = t->fqdn; break;
	case STF_POLICY_ID: s = t->policy_id; break;
	case STF_RULE_ID: s = t->rule_id; break;
	case STF_REASON: s = t->reason; break;
	case STF_RN_ID: s = t->rn_id; break;
	case STF_LINK_ID: s = t->link_id; break;
	case STF_TRAFFIC_TYPE:
		s = model_enum_name(&store_traffic_type_enum, t->traffic_type);
		break;
	case STF_ACTION:
		s = model_enum_name(&store_traffic_action_enum, t->action);
		break;
	case STF_CREATED: n = t->created_ms; break;
	case STF_UPDATED: n = t->updated_ms; break;
	case STF_SRC_IP: n = t->src_ip; break;
	case STF_DST_IP: n = t->dst_ip; break;
	case STF_SRC_PORT: n = t->src_port; break;
	case STF_DST_PORT: n = t->dst_port; break;
	case STF_PROTO: n = t->proto; break;
	case STF_SENT: n = (int64_t)t->sent_bytes; break;
	case STF_RECEIVED: n = (int64_t)t->received_bytes; break;
	default: break;
	}
	if (s != NULL)
		tr_hex(out, size, s);
	else
		snprintf(out, size, "%" PRId64, n);
}

/* api_next_link_start and the cursor of the last row. */
static json_t *
tr_next_link(struct api_req *r, const struct api_traffic_query *q,
    const struct model_traffic *last)
{
	char url[4096], id[2 * MODEL_ID_LEN + 1], val[2 * TR_VAL_MAX + 1];
	size_t pos;

	pos = api_next_link_start(r, url, sizeof(url), TR_PATH, q->f.top);
	tr_hex(id, sizeof(id), last->transaction_id);
	tr_cursor_value(q, last, val, sizeof(val));
	if (pos + strlen(id) + strlen(val) + 32 >= sizeof(url))
		return NULL;
	snprintf(url + pos, sizeof(url) - pos, "&$skiptoken=%d.%c.%s.%s",
	    (int)q->f.order, q->f.desc ? 'd' : 'a', id, val);
	return json_string(url);
}

struct api_traffic_query *
api_traffic_query_parse(struct api_req *r, const char *filter,
    const char *orderby, const char *skiptoken)
{
	struct api_traffic_query *q;

	if ((q = calloc(1, sizeof(*q))) == NULL) {
		api_error(r, 500, "InternalServerError", NULL, "out of memory");
		return NULL;
	}
	q->f.top = TR_TOP_DEFAULT;
	if (tr_parse_orderby(r, q, orderby) == -1 ||
	    tr_parse_skiptoken(r, q, skiptoken) == -1 ||
	    tr_parse_filter(r, q, filter) == -1) {
		free(q);
		return NULL;
	}
	if (q->f.since_set && q->f.until_set && q->f.since_ms > q->f.until_ms)
		q->none = true;
	return q;
}

void
api_traffic_list(struct api_req *r)
{
	struct api_traffic_query *q = NULL;
	struct model_traffic *recs = NULL;
	json_t *a, *next;
	size_t n = 0, i, top;
	bool more = false;

	if (api_query_check(r, tr_query) == -1 ||
	    api_query_top(r, TR_TOP_DEFAULT, TR_TOP_MAX, &top) == -1 ||
	    (q = api_traffic_query_parse(r, api_query_get(r, "$filter"),
	    api_query_get(r, "$orderby"), api_query_get(r, "$skiptoken"))) ==
	    NULL || api_select_check(r, tr_fields, TR_TYPE) == -1 ||
	    !tr_store(r))
		goto out;
	q->f.top = top;
	if (r->count)
		q->f.total = &q->total;
	if (!q->none && store_traffic_list(r->api->traffic, r->tenant.id, &q->f,
	    &recs, &n, &more) == -1) {
		api_error(r, 500, "InternalServerError", NULL,
		    "the traffic log store failed; see the server log");
		goto out;
	}
	a = json_array();
	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, tr_json(r, &recs[i]));
	api_reply_collection(r, a, &q->total, "networkAccess/logs/traffic");
	if (more && n > 0 && r->status == 200 &&
	    (next = tr_next_link(r, q, &recs[n - 1])) != NULL)
		json_object_set_new(r->resp, "@odata.nextLink", next);
out:
	free(recs);
	free(q);
}

void
api_traffic_get(struct api_req *r)
{
	static const char *const allowed[] = { "$select", NULL };
	struct model_traffic t;
	const char *id = r->seg[r->nseg - 1];
	int rc;

	if (api_query_check(r, allowed) == -1 ||
	    api_select_check(r, tr_fields, TR_TYPE) == -1 || !tr_store(r))
		return;
	rc = strlen(id) > MODEL_ID_LEN ? 1 : store_traffic_get(r->api->traffic,
	    r->tenant.id, id, &t);
	if (rc == 1) {
		api_query_error(r, 404, "NotFound", NULL,
		    "no traffic log record with transactionId '%.64s'", id);
		return;
	}
	if (rc != 0) {
		api_error(r, 500, "InternalServerError", NULL,
		    "the traffic log store failed; see the server log");
		return;
	}
	api_reply_entity(r, 200, tr_json(r, &t), "networkAccess/logs/traffic");
}

/* --- reports ---------------------------------------------------------------- */

/*
 * NAME(k=v,k=v) (OData 4.0 part 2 §11.5.1, function parameters): the
 * times unquoted (or quoted), aggregatedBy quoted. Unknown parameters,
 * repeats and a window that ends before it starts are 400s.
 */
int
api_traffic_fn_parse(struct api_req *r, const char *seg, bool want_agg,
    struct api_traffic_fn *fn)
{
	const char *open = strchr(seg, '('), *p, *eq, *end;
	char key[32], val[80];
	size_t kl, vl;
	bool finer;
	int64_t *ms;
	bool *set;

	memset(fn, 0, sizeof(*fn));
	if (open == NULL || (size_t)(open - seg) >= sizeof(fn->name) ||
	    seg[strlen(seg) - 1] != ')')
		goto bad;
	memcpy(fn->name, seg, (size_t)(open - seg));
	for (p = open + 1; *p != ')';) {
		while (*p == ' ')
			p++;
		if ((eq = strchr(p, '=')) == NULL)
			goto bad;
		end = p + strcspn(p, ",)");
		if (end < eq)
			goto bad;
		kl = (size_t)(eq - p);
		vl = (size_t)(end - eq - 1);
		while (kl > 0 && p[kl - 1] == ' ')
			kl--;
		if (kl == 0 || kl >= sizeof(key) || vl >= sizeof(val))
			goto bad;
		memcpy(key, p, kl);
		key[kl] = '\0';
		memcpy(val, eq + 1, vl);
		val[vl] = '\0';
		while (vl > 0 && val[vl - 1] == ' ')
			val[--vl] = '\0';
		if (vl >= 2 && val[0] == '\'' && val[vl - 1] == '\'') {
			memmove(val, val + 1, vl - 2);
			vl -= 2;
			val[vl] = '\0';
		}
		if (strcmp(key, "startDateTime") == 0 ||
		    strcmp(key, "endDateTime") == 0) {
			ms = key[0] == 's' ? &fn->since_ms : &fn->until_ms;
			set = key[0] == 's' ? &fn->since_set : &fn->until_set;
			if (*set || wallclock_parse_iso(val,
			    WALLCLOCK_SECONDS_OPTIONAL, ms, &finer) == -1) {
				api_query_error(r, 400, "BadRequest", key,
				    "%s '%.64s' is not a date and time (or is "
				    "given twice); write it as "
				    "2026-01-01T00:00:00Z", key, val);
				return -1;
			}
			*set = true;
		} else if (want_agg && strcmp(key, "aggregatedBy") == 0 &&
		    fn->aggregated_by[0] == '\0' && vl > 0 &&
		    vl < sizeof(fn->aggregated_by)) {
			memcpy(fn->aggregated_by, val, vl + 1);
		} else {
			api_query_error(r, 400, "BadRequest", key,
			    "%s: parameter '%s' is not one of its parameters "
			    "(startDateTime, endDateTime%s) or is given twice",
			    fn->name, key, want_agg ? ", aggregatedBy" : "");
			return -1;
		}
		p = *end == ',' ? end + 1 : end;
	}
	if (!fn->since_set || !fn->until_set) {
		api_query_error(r, 400, "BadRequest",
		    fn->since_set ? "endDateTime" : "startDateTime",
		    "%s needs startDateTime and endDateTime", fn->name);
		return -1;
	}
	if (fn->until_ms < fn->since_ms) {
		api_query_error(r, 400, "BadRequest", "endDateTime",
		    "endDateTime is before startDateTime");
		return -1;
	}
	return 0;
bad:
	api_query_error(r, 400, "BadRequest", NULL,
	    "'%.100s' is not a function call: write NAME(startDateTime="
	    "2026-01-01T00:00:00Z,endDateTime=2026-01-02T00:00:00Z)", seg);
	return -1;
}

static int
tr_sum(struct api_req *r, const struct api_traffic_fn *fn, enum store_traffic_group g,
    size_t top, struct store_traffic_sum **out, size_t *n)
{
	if (store_traffic_summary(r->api->traffic, r->tenant.id, g,
	    fn->since_ms, fn->until_ms, top, out, n) == 0)
		return 0;
	api_error(r, 500, "InternalServerError", NULL,
	    "the traffic log store failed; see the server log");
	return -1;
}

/* Graph's transactionSummary per trafficType; private is always 0 here. */
static void
tr_transaction_summaries(struct api_req *r, const struct api_traffic_fn *fn)
{
	static const char *const types[] = {
		"internet", "private", "microsoft365"
	};
	struct store_traffic_sum *s = NULL;
	json_int_t total, blocked;
	size_t n = 0, i, j;
	json_t *a;

	if (tr_sum(r, fn, STG_TRAFFIC_TYPE, 16, &s, &n) == -1)
		return;
	a = json_array();
	for (i = 0; a != NULL && i < 3; i++) {
		total = blocked = 0;
		for (j = 0; j < n; j++)
			if (strcmp(s[j].key, types[i]) == 0) {
				total = (json_int_t)s[j].count;
				blocked = (json_int_t)s[j].blocked;
			}
		json_array_append_new(a, json_pack("{s:s, s:I, s:I}",
		    "trafficType", types[i], "totalCount", total,
		    "blockedCount", blocked));
	}
	free(s);
	api_reply_collection(r, a, NULL,
	    "Collection(microsoft.graph.networkaccess.transactionSummary)");
}

static json_t *
tr_destination(const struct store_traffic_sum *s)
{
	char ip[IP4_STRLEN];

	return json_string(s->key[0] != '\0' ? s->key : ip4_fmt(s->dst_ip,
	    ip));
}

static void
tr_destination_summaries(struct api_req *r, const struct api_traffic_fn *fn,
    size_t top)
{
	struct store_traffic_sum *s = NULL;
	size_t n = 0, i;
	json_t *a;

	if (strcmp(fn->aggregated_by, "transactions") != 0) {
		api_query_error(r, 400, "BadRequest", "aggregatedBy",
		    "aggregatedBy '%.32s' is not supported: remote network "
		    "traffic is counted by 'transactions' (it has no users or "
		    "devices)", fn->aggregated_by);
		return;
	}
	if (tr_sum(r, fn, STG_DESTINATION, top, &s, &n) == -1)
		return;
	a = json_array();
	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_pack("{s:o, s:I}", "destination",
		    tr_destination(&s[i]), "count", (json_int_t)s[i].count));
	free(s);
	api_reply_collection(r, a, NULL,
	    "Collection(microsoft.graph.networkaccess.destinationSummary)");
}

static json_t *
tr_sum_json(const struct store_traffic_sum *s, enum store_traffic_group g)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I}",
	    "count", (json_int_t)s->count,
	    "blockedCount", (json_int_t)s->blocked,
	    "sentBytes", (json_int_t)s->sent_bytes,
	    "receivedBytes", (json_int_t)s->received_bytes);

	if (o == NULL)
		return NULL;
	if (g == STG_ACTION)
		json_object_set_new(o, "action", json_string(s->key));
	else if (g == STG_POLICY)
		json_object_set_new(o, "policyId", tr_str_or_null(s->key));
	else
		json_object_set_new(o, "destination", tr_destination(s));
	return o;
}

/* branchgate: the console's three lists in one answer. */
static void
tr_traffic_summary(struct api_req *r, const struct api_traffic_fn *fn, size_t top)
{
	static const struct {
		const char		*name;
		enum store_traffic_group g;
	} groups[] = {
		{ "actions", STG_ACTION }, { "policies", STG_POLICY },
		{ "destinations", STG_DESTINATION },
	};
	struct store_traffic_sum *s = NULL;
	char from[WALLCLOCK_STRLEN], to[WALLCLOCK_STRLEN];
	size_t n, i, j;
	json_t *o, *a;

	o = json_pack("{s:s, s:s}", "startDateTime",
	    wallclock_fmt(fn->since_ms, from), "endDateTime",
	    wallclock_fmt(fn->until_ms, to));
	for (i = 0; o != NULL && i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (tr_sum(r, fn, groups[i].g, top, &s, &n) == -1) {
			json_decref(o);
			return;
		}
		a = json_array();
		for (j = 0; a != NULL && j < n; j++)
			json_array_append_new(a, tr_sum_json(&s[j],
			    groups[i].g));
		free(s);
		s = NULL;
		json_object_set_new(o, groups[i].name, a);
	}
	api_reply_entity(r, 200, o, "networkAccess/reports/trafficSummary");
}

/* seg is the function name, with its parameters or without. */
static bool
tr_fn_is(const char *seg, const char *name)
{
	size_t n = strlen(name);

	return strncasecmp(seg, name, n) == 0 && (seg[n] == '(' ||
	    seg[n] == '\0');
}

void
api_traffic_report(struct api_req *r)
{
	static const char *const allowed[] = { "$top", NULL };
	const char *seg = r->seg[r->nseg - 1];
	struct api_traffic_fn fn;
	size_t top;

	if (api_query_check(r, allowed) == -1 ||
	    api_query_top(r, TR_SUM_TOP_DEFAULT, TR_TOP_MAX,
	    &top) == -1)
		return;
	if (tr_fn_is(seg, "transactionSummaries")) {
		if (api_traffic_fn_parse(r, seg, false, &fn) == 0 && tr_store(r))
			tr_transaction_summaries(r, &fn);
	} else if (tr_fn_is(seg, "getDestinationSummaries")) {
		if (api_traffic_fn_parse(r, seg, true, &fn) == 0 && tr_store(r))
			tr_destination_summaries(r, &fn, top);
	} else if (tr_fn_is(seg, "trafficSummary")) {
		if (api_traffic_fn_parse(r, seg, false, &fn) == 0 && tr_store(r))
			tr_traffic_summary(r, &fn, top);
	} else
		api_query_error(r, 404, "NotFound", NULL,
		    "no report '%.100s' (transactionSummaries, "
		    "getDestinationSummaries, trafficSummary)", seg);
}
