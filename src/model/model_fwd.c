/*
 * model_fwd.c - forwarding rules (model_fwd.h): Custom Bypass
 * destinations, the built-in catalogue of the Microsoft 365 and Internet
 * Access profiles, and what a tenant's rows make of it as routes.
 *
 * The catalogue is Graph's shape (system-facts §3.5) built once from
 * Microsoft's published endpoint list: per service area one
 * forwardingPolicyLink → forwardingPolicy → m365ForwardingRule per
 * endpoint set, kind (fqdn or ipSubnet) and protocol. Ids are derived
 * from names (guid_from_name), so they are the same in every tenant and
 * after every restart, and a tenant's override can name them.
 */
#include "model_fwd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guid.h"
#include "ip4.h"
#include "log.h"

#define NS	"#microsoft.graph.networkaccess."

/* --- prefixes ----------------------------------------------------------- */

static uint32_t
fwd_mask(uint8_t len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

/* Whether a holds all of b. */
static bool
fwd_covers(const struct model_pfx *a, const struct model_pfx *b)
{
	return a->len <= b->len && (b->addr & fwd_mask(a->len)) == a->addr;
}

static int
fwd_pfx_cmp(const void *a, const void *b)
{
	const struct model_pfx *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (int)x->len - (int)y->len;
}

size_t
model_pfx_aggregate(struct model_pfx *p, size_t n)
{
	size_t i, k;
	bool joined = true;

	if (n == 0)
		return 0;	/* p may be NULL: no qsort(NULL, 0) */
	for (i = 0; i < n; i++)
		p[i].addr &= fwd_mask(p[i].len);
	while (joined) {
		joined = false;
		qsort(p, n, sizeof(*p), fwd_pfx_cmp);
		/* Sorted by (addr, len): a cover comes before what it covers. */
		for (i = 0, k = 0; i < n; i++)
			if (k == 0 || !fwd_covers(&p[k - 1], &p[i]))
				p[k++] = p[i];
		n = k;
		/* Two halves of one prefix, side by side: their parent. */
		for (i = 0, k = 0; i < n; i++) {
			if (i + 1 < n && p[i].len > 0 &&
			    p[i].len == p[i + 1].len &&
			    (p[i].addr & (1u << (32 - p[i].len))) == 0 &&
			    p[i + 1].addr == (p[i].addr |
			    1u << (32 - p[i].len))) {
				p[k] = p[i];
				p[k].len--;
				k++;
				i++;
				joined = true;
				continue;
			}
			p[k++] = p[i];
		}
		n = k;
	}
	return n;
}

size_t
model_fwd_range_pfx(uint32_t lo, uint32_t hi, struct model_pfx *out,
    size_t cap)
{
	size_t n = 0;
	uint64_t a = lo, end = (uint64_t)hi + 1;
	uint8_t len;

	while (a < end) {
		/* The largest aligned block at a that stays inside the range. */
		for (len = 0; len < 32; len++) {
			uint64_t size = 1ull << (32 - len);

			if ((a & (size - 1)) == 0 && a + size <= end)
				break;
		}
		if (n == cap)
			return 0;
		out[n].addr = (uint32_t)a;
		out[n++].len = len;
		a += 1ull << (32 - len);
	}
	return n;
}

/* "a.b.c.d/len" into p; -1 if it is not one (host bits must be clear). */
static int
fwd_subnet_parse(const char *s, struct model_pfx *p, bool strict)
{
	char a[IP4_STRLEN];
	const char *slash = strchr(s, '/');
	char *end;
	unsigned long len;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(a) ||
	    slash[1] < '0' || slash[1] > '9')
		return -1;
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	len = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || len > 32 || ip4_parse(a, &p->addr) == -1)
		return -1;
	p->len = (uint8_t)len;
	if (strict && (p->addr & ~fwd_mask(p->len)) != 0)
		return -1;
	p->addr &= fwd_mask(p->len);
	return 0;
}

/* --- destinations ------------------------------------------------------- */

static const char *
fwd_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* One destination object; 0, or -1 with the reason added. */
static int
fwd_dst_one(const json_t *d, struct model_fwd_dst *out,
    struct model_errs *errs, const char *t)
{
	const char *type, *v, *b, *e, *key;
	struct model_pfx p;
	json_t *m;
	uint32_t lo, hi;

	if (!json_is_object(d)) {
		model_errs_add(errs, t, "%s must be an object with @odata.type "
		    "ipAddress, ipRange or ipSubnet", t);
		return -1;
	}
	type = fwd_str(d, "@odata.type");
	if (type == NULL) {
		model_errs_add(errs, t, "%s.@odata.type is required: "
		    NS "ipAddress, ipRange or ipSubnet", t);
		return -1;
	}
	if (strncmp(type, NS, strlen(NS)) == 0)
		type += strlen(NS);
	else if (type[0] == '#')
		type++;
	if (strcmp(type, "fqdn") == 0 || strcmp(type, "url") == 0) {
		model_errs_add(errs, t, "%s: %s destinations cannot be bypassed "
		    "on a remote network: the bypass reaches the branch as a "
		    "route, and a route cannot carry a name; give ipAddress, "
		    "ipRange or ipSubnet destinations", t, type);
		return -1;
	}
	json_object_foreach((json_t *)(uintptr_t)d, key, m) {
		if (strcmp(key, "@odata.type") == 0 ||
		    (strcmp(type, "ipRange") == 0 &&
		    (strcmp(key, "beginAddress") == 0 ||
		    strcmp(key, "endAddress") == 0)) ||
		    (strcmp(type, "ipRange") != 0 && strcmp(key, "value") == 0))
			continue;
		model_errs_add(errs, t, "%s: unknown property '%.64s' of %s", t,
		    key, type);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (strcmp(type, "ipAddress") == 0) {
		if ((v = fwd_str(d, "value")) == NULL || ip4_parse(v, &lo) == -1) {
			model_errs_add(errs, t, "%s.value must be an IPv4 address "
			    "(a.b.c.d)", t);
			return -1;
		}
		out->type = MODEL_FWD_DST_ADDRESS;
		out->lo = out->hi = lo;
		return 0;
	}
	if (strcmp(type, "ipSubnet") == 0) {
		if ((v = fwd_str(d, "value")) == NULL ||
		    fwd_subnet_parse(v, &p, true) == -1) {
			model_errs_add(errs, t, "%s.value must be an IPv4 subnet "
			    "a.b.c.d/len with len 0-32 and no host bits set", t);
			return -1;
		}
		if (p.len == 0) {
			model_errs_add(errs, t, "%s.value 0.0.0.0/0 would bypass "
			    "all internet traffic: unassign the Internet Access "
			    "profile instead", t);
			return -1;
		}
		out->type = MODEL_FWD_DST_SUBNET;
		out->lo = p.addr;
		out->hi = p.addr | ~fwd_mask(p.len);
		out->plen = p.len;
		return 0;
	}
	if (strcmp(type, "ipRange") == 0) {
		b = fwd_str(d, "beginAddress");
		e = fwd_str(d, "endAddress");
		if (b == NULL || ip4_parse(b, &lo) == -1 || e == NULL ||
		    ip4_parse(e, &hi) == -1) {
			model_errs_add(errs, t, "%s.beginAddress and "
			    "%s.endAddress must be IPv4 addresses", t, t);
			return -1;
		}
		if (lo > hi) {
			model_errs_add(errs, t, "%s.beginAddress %s is after "
			    "endAddress %s", t, b, e);
			return -1;
		}
		out->type = MODEL_FWD_DST_RANGE;
		out->lo = lo;
		out->hi = hi;
		return 0;
	}
	model_errs_add(errs, t, "%s.@odata.type '%.80s' is not one of "
	    "ipAddress, ipRange, ipSubnet", t, type);
	return -1;
}

int
model_fwd_dst_parse(const json_t *a, struct model_fwd_dst *out, size_t *n,
    struct model_errs *errs, const char *target)
{
	char t[80];
	const json_t *d;
	size_t i;
	int rc = 0;

	*n = 0;
	if (!json_is_array(a) || json_array_size(a) == 0) {
		model_errs_add(errs, target, "%s is required: an array of 1 to "
		    "%d ipAddress, ipRange or ipSubnet destinations", target,
		    MODEL_FWD_DST_MAX);
		return -1;
	}
	if (json_array_size(a) > MODEL_FWD_DST_MAX) {
		model_errs_add(errs, target, "%s has %zu destinations; at most "
		    "%d per rule", target, json_array_size(a),
		    MODEL_FWD_DST_MAX);
		return -1;
	}
	json_array_foreach(a, i, d) {
		snprintf(t, sizeof(t), "%s[%zu]", target, i);
		if (fwd_dst_one(d, &out[*n], errs, t) == -1)
			rc = -1;
		else
			(*n)++;
	}
	return rc;
}

json_t *
model_fwd_dst_json(const struct model_fwd_dst *d, size_t n)
{
	char a[IP4_STRLEN], b[IP4_STRLEN], s[IP4_STRLEN + 4];
	json_t *arr = json_array(), *o;
	size_t i;

	for (i = 0; arr != NULL && i < n; i++) {
		switch (d[i].type) {
		case MODEL_FWD_DST_ADDRESS:
			o = json_pack("{s:s, s:s}", "@odata.type",
			    NS "ipAddress", "value", ip4_fmt(d[i].lo, a));
			break;
		case MODEL_FWD_DST_SUBNET:
			snprintf(s, sizeof(s), "%s/%u", ip4_fmt(d[i].lo, a),
			    d[i].plen);
			o = json_pack("{s:s, s:s}", "@odata.type",
			    NS "ipSubnet", "value", s);
			break;
		default:
			o = json_pack("{s:s, s:s, s:s}", "@odata.type",
			    NS "ipRange", "beginAddress", ip4_fmt(d[i].lo, a),
			    "endAddress", ip4_fmt(d[i].hi, b));
			break;
		}
		if (o == NULL || json_array_append_new(arr, o) == -1) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

int
model_fwd_dst_text(const struct model_fwd_dst *d, size_t n, char *out,
    size_t outlen)
{
	char a[IP4_STRLEN], b[IP4_STRLEN];
	size_t i, off = 0;
	int w;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (d[i].type == MODEL_FWD_DST_ADDRESS)
			w = snprintf(out + off, outlen - off, "%s%s",
			    i ? " " : "", ip4_fmt(d[i].lo, a));
		else if (d[i].type == MODEL_FWD_DST_SUBNET)
			w = snprintf(out + off, outlen - off, "%s%s/%u",
			    i ? " " : "", ip4_fmt(d[i].lo, a), d[i].plen);
		else
			w = snprintf(out + off, outlen - off, "%s%s-%s",
			    i ? " " : "", ip4_fmt(d[i].lo, a),
			    ip4_fmt(d[i].hi, b));
		if (w < 0 || (size_t)w >= outlen - off)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

int
model_fwd_dst_from_text(const char *s, struct model_fwd_dst *out, size_t *n)
{
	char tok[2 * IP4_STRLEN + 2], *dash;
	struct model_pfx p;
	size_t len;

	*n = 0;
	while (*s != '\0') {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		len = strcspn(s, " ");
		if (len >= sizeof(tok) || *n == MODEL_FWD_DST_MAX)
			return -1;
		memcpy(tok, s, len);
		tok[len] = '\0';
		s += len;
		memset(&out[*n], 0, sizeof(out[*n]));
		if (strchr(tok, '/') != NULL) {
			if (fwd_subnet_parse(tok, &p, true) == -1)
				return -1;
			out[*n].type = MODEL_FWD_DST_SUBNET;
			out[*n].lo = p.addr;
			out[*n].hi = p.addr | ~fwd_mask(p.len);
			out[*n].plen = p.len;
		} else if ((dash = strchr(tok, '-')) != NULL) {
			*dash = '\0';
			if (ip4_parse(tok, &out[*n].lo) == -1 ||
			    ip4_parse(dash + 1, &out[*n].hi) == -1 ||
			    out[*n].lo > out[*n].hi)
				return -1;
			out[*n].type = MODEL_FWD_DST_RANGE;
		} else {
			if (ip4_parse(tok, &out[*n].lo) == -1)
				return -1;
			out[*n].hi = out[*n].lo;
			out[*n].type = MODEL_FWD_DST_ADDRESS;
		}
		(*n)++;
	}
	return 0;
}

/* --- the catalogue ------------------------------------------------------ */

struct fwdcat_rule {
	char		 id[GUID_STRLEN + 1];
	int		 traffic;
	size_t		 link;		/* index into cat->links */
	bool		 editable;
	struct model_pfx *pfx;		/* IPv4 subnets (ipSubnet rules) */
	size_t		 npfx;
};

struct fwdcat_link {
	char		 id[GUID_STRLEN + 1];
	char		 policy_id[GUID_STRLEN + 1];
	int		 traffic;
	bool		 custom;	/* the Custom Bypass policy */
};

struct model_fwdcat {
	json_t		*m365;		/* forwardingPolicyLink arrays */
	json_t		*internet;
	struct fwdcat_rule *rules;
	size_t		 nrules, caprules;
	struct fwdcat_link *links;
	size_t		 nlinks, caplinks;
};

static json_t *
fwdcat_policy_link(struct model_fwdcat *c, const char *name, int traffic,
    bool custom, json_t *rules)
{
	const char *tname = traffic == MODEL_TRAFFIC_M365 ? "m365" : "internet";
	char key[300];
	struct fwdcat_link *l, *nl;
	json_t *policy;

	if (c->nlinks == c->caplinks) {
		c->caplinks = c->caplinks ? c->caplinks * 2 : 16;
		if ((nl = realloc(c->links, c->caplinks * sizeof(*nl))) == NULL) {
			json_decref(rules);
			return NULL;
		}
		c->links = nl;
	}
	l = &c->links[c->nlinks];
	memset(l, 0, sizeof(*l));
	l->traffic = traffic;
	l->custom = custom;
	snprintf(key, sizeof(key), "policy:%s:%s", tname, name);
	guid_from_name(key, l->policy_id);
	snprintf(key, sizeof(key), "policylink:%s:%s", tname, name);
	guid_from_name(key, l->id);
	policy = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}",
	    "@odata.type", NS "forwardingPolicy", "id", l->policy_id,
	    "name", name, "trafficForwardingType", tname,
	    "version", MODEL_VERSION, "policyRules", rules);
	if (policy == NULL)
		return NULL;
	c->nlinks++;
	return json_pack("{s:s, s:s, s:s, s:s, s:o}",
	    "@odata.type", NS "forwardingPolicyLink", "id", l->id,
	    "state", "enabled", "version", MODEL_VERSION, "policy", policy);
}

/* A rule of link index li (not yet counted); its ipSubnets as prefixes. */
static int
fwdcat_rule_add(struct model_fwdcat *c, const char *id, int traffic,
    size_t li, bool editable, const json_t *dst)
{
	struct fwdcat_rule *r, *nr;
	const json_t *d;
	const char *type, *v;
	size_t i;

	if (c->nrules == c->caprules) {
		c->caprules = c->caprules ? c->caprules * 2 : 128;
		if ((nr = realloc(c->rules, c->caprules * sizeof(*nr))) == NULL)
			return -1;
		c->rules = nr;
	}
	r = &c->rules[c->nrules];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->traffic = traffic;
	r->link = li;
	r->editable = editable;
	if (json_array_size(dst) > 0 &&
	    (r->pfx = calloc(json_array_size(dst), sizeof(*r->pfx))) == NULL)
		return -1;
	json_array_foreach(dst, i, d) {
		type = fwd_str(d, "@odata.type");
		v = fwd_str(d, "value");
		if (type == NULL || strcmp(type, NS "ipSubnet") != 0 ||
		    v == NULL || strchr(v, ':') != NULL)
			continue;	/* FQDNs; IPv6 (the tenant is IPv4) */
		if (fwd_subnet_parse(v, &r->pfx[r->npfx], false) == -1) {
			log_err("model: Microsoft 365 endpoint list: malformed "
			    "IPv4 subnet '%.64s'", v);
			free(r->pfx);
			return -1;
		}
		r->npfx++;
	}
	c->nrules++;
	return 0;
}

static json_t *
fwdcat_ports(const char *csv)
{
	json_t *a = json_array();
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", csv);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_string(tok));
	return a;
}

static json_t *
fwdcat_m365_rule(struct model_fwdcat *c, size_t li, const json_t *entry,
    bool fqdn, const char *proto, const char *ports)
{
	const char *cat = fwd_str(entry, "category");
	const char *area = fwd_str(entry, "serviceAreaDisplayName");
	json_int_t eid = json_integer_value(json_object_get(entry, "id"));
	json_t *src, *dst, *v, *o;
	char id[GUID_STRLEN + 1], name[200];
	size_t i;

	src = json_object_get(entry, fqdn ? "urls" : "ips");
	if ((dst = json_array()) == NULL)
		return NULL;
	json_array_foreach(src, i, v)
		json_array_append_new(dst, json_pack("{s:s, s:s}",
		    "@odata.type", fqdn ? NS "fqdn" : NS "ipSubnet",
		    "value", json_string_value(v)));
	snprintf(name, sizeof(name), "%s %s %s rule %lld", area ? area : "M365",
	    fqdn ? "Fqdn" : "IP", proto, (long long)eid);
	guid_from_name(name, id);
	if (fwdcat_rule_add(c, id, MODEL_TRAFFIC_M365, li, true, dst) == -1) {
		json_decref(dst);
		return NULL;
	}
	/* The published list says Optimize/Allow/Default; Graph's enum is
	 * optimized/allow/default (system-facts §3.4). */
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o}",
	    "@odata.type", NS "m365ForwardingRule", "id", id, "name", name,
	    "ruleType", fqdn ? "fqdn" : "ipSubnet", "action", "forward",
	    "protocol", proto, "ports", fwdcat_ports(ports),
	    "category", cat == NULL ? "default" :
	    strcmp(cat, "Optimize") == 0 ? "optimized" :
	    strcmp(cat, "Allow") == 0 ? "allow" : "default",
	    "destinations", dst);
	return o;
}

/* The rules of one endpoint set into rules, for link index li. */
static int
fwdcat_m365_entry(struct model_fwdcat *c, size_t li, const json_t *e,
    json_t *rules)
{
	const char *tcp = fwd_str(e, "tcpPorts"), *udp = fwd_str(e, "udpPorts");
	static const char *const kinds[] = { "urls", "ips" };
	size_t k;
	json_t *o;

	for (k = 0; k < 2; k++) {
		if (json_array_size(json_object_get(e, kinds[k])) == 0)
			continue;
		if (tcp != NULL) {
			if ((o = fwdcat_m365_rule(c, li, e, k == 0, "tcp",
			    tcp)) == NULL || json_array_append_new(rules, o))
				return -1;
		}
		if (udp != NULL) {
			if ((o = fwdcat_m365_rule(c, li, e, k == 0, "udp",
			    udp)) == NULL || json_array_append_new(rules, o))
				return -1;
		}
	}
	return 0;
}

/* One policy link per service area, in the list's order of areas. */
static int
fwdcat_m365(struct model_fwdcat *c, const json_t *list)
{
	json_t *areas = json_array(), *e, *rules, *link;
	const char *area;
	size_t i, k, li;
	int rc = -1;

	if ((c->m365 = json_array()) == NULL || areas == NULL)
		goto out;
	json_array_foreach(list, i, e) {
		if ((area = fwd_str(e, "serviceAreaDisplayName")) == NULL)
			continue;
		for (k = 0; k < json_array_size(areas); k++)
			if (strcmp(json_string_value(json_array_get(areas, k)),
			    area) == 0)
				break;
		if (k == json_array_size(areas))
			json_array_append_new(areas, json_string(area));
	}
	for (k = 0; k < json_array_size(areas); k++) {
		area = json_string_value(json_array_get(areas, k));
		li = c->nlinks;
		if ((rules = json_array()) == NULL)
			goto out;
		/* The link first, so its rules can name its index. */
		if ((link = fwdcat_policy_link(c, area, MODEL_TRAFFIC_M365,
		    false, rules)) == NULL)
			goto out;
		json_array_append_new(c->m365, link);
		json_array_foreach(list, i, e)
			if ((area = fwd_str(e, "serviceAreaDisplayName")) != NULL &&
			    strcmp(area, json_string_value(json_array_get(areas,
			    k))) == 0 && fwdcat_m365_entry(c, li, e, rules) == -1)
				goto out;
	}
	rc = 0;
out:
	json_decref(areas);
	return rc;
}

/* ED how-to-manage-internet-access-profile: the documented defaults. */
static int
fwdcat_internet(struct model_fwdcat *c)
{
	static const char *const bypass[] = { "10.0.0.0/8", "172.16.0.0/12",
	    "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
	    "127.0.0.0/8" };
	json_t *dst, *rules, *link;
	char id[GUID_STRLEN + 1];
	size_t i;

	if ((c->internet = json_array()) == NULL)
		return -1;
	if ((link = fwdcat_policy_link(c, "Custom Bypass",
	    MODEL_TRAFFIC_INTERNET, true, json_array())) == NULL ||
	    json_array_append_new(c->internet, link) == -1)
		return -1;
	if ((dst = json_array()) == NULL)
		return -1;
	for (i = 0; i < sizeof(bypass) / sizeof(bypass[0]); i++)
		json_array_append_new(dst, json_pack("{s:s, s:s}",
		    "@odata.type", NS "ipSubnet", "value", bypass[i]));
	guid_from_name("internet:default-bypass", id);
	if (fwdcat_rule_add(c, id, MODEL_TRAFFIC_INTERNET, c->nlinks, false,
	    dst) == -1) {
		json_decref(dst);
		return -1;
	}
	rules = json_pack("[{s:s, s:s, s:s, s:s, s:s, s:o}]",
	    "@odata.type", NS "internetAccessForwardingRule", "id", id,
	    "name", "Default Bypass: private ranges", "ruleType", "ipSubnet",
	    "action", "bypass", "destinations", dst);
	if ((link = fwdcat_policy_link(c, "Default Bypass",
	    MODEL_TRAFFIC_INTERNET, false, rules)) == NULL ||
	    json_array_append_new(c->internet, link) == -1)
		return -1;
	guid_from_name("internet:default-acquire", id);
	if ((dst = json_pack("[{s:s, s:s}]", "@odata.type", NS "ipSubnet",
	    "value", "0.0.0.0/0")) == NULL ||
	    fwdcat_rule_add(c, id, MODEL_TRAFFIC_INTERNET, c->nlinks, false,
	    dst) == -1) {
		json_decref(dst);
		return -1;
	}
	rules = json_pack("[{s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s], s:o}]",
	    "@odata.type", NS "internetAccessForwardingRule", "id", id,
	    "name", "Default Acquire: all internet traffic on TCP 80, 443",
	    "ruleType", "ipSubnet", "action", "forward", "protocol", "tcp",
	    "ports", "80", "443", "destinations", dst);
	if ((link = fwdcat_policy_link(c, "Default Acquire",
	    MODEL_TRAFFIC_INTERNET, false, rules)) == NULL ||
	    json_array_append_new(c->internet, link) == -1)
		return -1;
	return 0;
}

int
model_fwdcat_load(const char *datadir, struct model_fwdcat **out)
{
	struct model_fwdcat *c;
	char path[1024];
	json_error_t jerr;
	json_t *list;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/m365-endpoints-worldwide.json", datadir);
	list = json_load_file(path, 0, &jerr);
	if (!json_is_array(list)) {
		log_err("model: cannot read the Microsoft 365 endpoint list %s: "
		    "%s (line %d)", path, jerr.text, jerr.line);
		json_decref(list);
		return -1;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    fwdcat_m365(c, list) == -1 || fwdcat_internet(c) == -1) {
		log_err("model: out of memory building the forwarding profiles");
		json_decref(list);
		model_fwdcat_free(c);
		return -1;
	}
	log_info("model: Microsoft 365 profile: %zu endpoint sets, %zu policy "
	    "links, %zu rules, from %s", json_array_size(list),
	    json_array_size(c->m365), c->nrules, path);
	json_decref(list);
	*out = c;
	return 0;
}

void
model_fwdcat_free(struct model_fwdcat *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nrules; i++)
		free(c->rules[i].pfx);
	free(c->rules);
	free(c->links);
	json_decref(c->m365);
	json_decref(c->internet);
	free(c);
}

/* The tenant's row for id, or NULL (rows are few: a linear walk). */
static const struct model_fwd_rule *
fwd_row(const struct model_fwd_rule *rows, size_t n, const char *id,
    int kind)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].kind == kind && strcmp(rows[i].id, id) == 0)
			return &rows[i];
	return NULL;
}

/* A Custom Bypass row as Graph's internetAccessForwardingRule. */
static json_t *
fwd_custom_json(const struct model_fwd_rule *r)
{
	static const char *const rtype[] = { "ipAddress", "ipRange",
	    "ipSubnet" };
	json_t *dst = model_fwd_dst_json(r->dst, r->ndst);
	int t = r->ndst > 0 && r->dst[0].type >= 0 && r->dst[0].type <= 2 ?
	    r->dst[0].type : MODEL_FWD_DST_SUBNET;

	if (dst == NULL)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
	    "@odata.type", NS "internetAccessForwardingRule", "id", r->id,
	    "name", r->name, "description", r->description,
	    "ruleType", rtype[t], "action", "bypass", "destinations", dst);
}

json_t *
model_fwdcat_links(const struct model_fwdcat *c, int traffic,
    const struct model_fwd_rule *rows, size_t n)
{
	const json_t *src = traffic == MODEL_TRAFFIC_M365 ? c->m365 :
	    traffic == MODEL_TRAFFIC_INTERNET ? c->internet : NULL;
	json_t *links, *l, *rules, *r, *o;
	const struct model_fwd_rule *row;
	struct model_fwdcat_ref ref;
	const char *id;
	size_t i, k;

	if (src == NULL)
		return json_array();
	if ((links = json_deep_copy(src)) == NULL)
		return NULL;
	json_array_foreach(links, i, l) {
		id = fwd_str(l, "id");
		if (id != NULL && (row = fwd_row(rows, n, id,
		    MODEL_FWD_LINK)) != NULL &&
		    json_object_set_new(l, "state", json_string(row->action ==
		    MODEL_FWD_BYPASS ? "disabled" : "enabled")) == -1)
			goto fail;
		rules = json_object_get(json_object_get(l, "policy"),
		    "policyRules");
		json_array_foreach(rules, k, r) {
			id = fwd_str(r, "id");
			if (id != NULL && (row = fwd_row(rows, n, id,
			    MODEL_FWD_RULE)) != NULL &&
			    json_object_set_new(r, "action", json_string(
			    row->action == MODEL_FWD_BYPASS ? "bypass" :
			    "forward")) == -1)
				goto fail;
		}
		id = fwd_str(json_object_get(l, "policy"), "id");
		if (id == NULL || model_fwdcat_find(c, id, &ref) != 0 ||
		    !ref.custom)
			continue;
		for (k = 0; k < n; k++) {
			if (rows[k].kind != MODEL_FWD_CUSTOM)
				continue;
			if ((o = fwd_custom_json(&rows[k])) == NULL ||
			    json_array_append_new(rules, o) == -1)
				goto fail;
		}
	}
	return links;
fail:
	json_decref(links);
	return NULL;
}

int
model_fwdcat_find(const struct model_fwdcat *c, const char *id,
    struct model_fwdcat_ref *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < c->nlinks; i++) {
		if (strcmp(c->links[i].id, id) == 0 ||
		    strcmp(c->links[i].policy_id, id) == 0) {
			out->what = strcmp(c->links[i].id, id) == 0 ?
			    MODEL_FWDCAT_LINK : MODEL_FWDCAT_POLICY;
			out->traffic = c->links[i].traffic;
			out->policy_id = c->links[i].policy_id;
			out->editable = c->links[i].traffic == MODEL_TRAFFIC_M365;
			out->custom = c->links[i].custom;
			return 0;
		}
	}
	for (i = 0; i < c->nrules; i++) {
		if (strcmp(c->rules[i].id, id) == 0) {
			out->what = MODEL_FWDCAT_RULE;
			out->traffic = c->rules[i].traffic;
			out->policy_id = c->links[c->rules[i].link].policy_id;
			out->editable = c->rules[i].editable;
			return 0;
		}
	}
	return -1;
}

/* Whether built-in rule r is bypassed for the tenant (rule or group). */
static bool
fwd_bypassed(const struct model_fwdcat *c, const struct fwdcat_rule *r,
    const struct model_fwd_rule *rows, size_t n)
{
	const struct model_fwd_rule *row;

	if ((row = fwd_row(rows, n, c->links[r->link].id,
	    MODEL_FWD_LINK)) != NULL && row->action == MODEL_FWD_BYPASS)
		return true;
	row = fwd_row(rows, n, r->id, MODEL_FWD_RULE);
	return row != NULL && row->action == MODEL_FWD_BYPASS;
}

/* The Microsoft 365 IP rules' prefixes, bypassed or forwarded ones. */
static int
fwd_m365_collect(const struct model_fwdcat *c, const struct model_fwd_rule
    *rows, size_t n, bool bypassed, struct model_pfx **out, size_t *nout)
{
	struct model_pfx *p = NULL;
	size_t i, cnt = 0, total = 0;

	for (i = 0; i < c->nrules; i++)
		if (c->rules[i].traffic == MODEL_TRAFFIC_M365)
			total += c->rules[i].npfx;
	if (total > 0 && (p = calloc(total, sizeof(*p))) == NULL)
		return -1;
	for (i = 0; i < c->nrules; i++) {
		const struct fwdcat_rule *r = &c->rules[i];

		if (r->traffic != MODEL_TRAFFIC_M365 || r->npfx == 0 ||
		    fwd_bypassed(c, r, rows, n) != bypassed)
			continue;
		memcpy(&p[cnt], r->pfx, r->npfx * sizeof(*p));
		cnt += r->npfx;
	}
	*nout = model_pfx_aggregate(p, cnt);
	*out = p;
	return 0;
}

/*
 * f minus every prefix of b[0..nb) (sorted, aggregated), appended to
 * out: halves of f are tried in turn until a piece holds none of b.
 */
static int
fwd_subtract(struct model_pfx f, const struct model_pfx *b, size_t nb,
    struct model_pfx **out, size_t *n, size_t *cap)
{
	struct model_pfx h;
	struct model_pfx *np;
	size_t i;
	bool inside = false;

	for (i = 0; i < nb; i++) {
		if (fwd_covers(&b[i], &f))
			return 0;		/* all of f is bypassed */
		if (fwd_covers(&f, &b[i]))
			inside = true;
	}
	if (!inside) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			if ((np = realloc(*out, *cap * sizeof(*np))) == NULL)
				return -1;
			*out = np;
		}
		(*out)[(*n)++] = f;
		return 0;
	}
	h.len = (uint8_t)(f.len + 1);
	h.addr = f.addr;
	if (fwd_subtract(h, b, nb, out, n, cap) == -1)
		return -1;
	h.addr = f.addr | 1u << (31 - f.len);
	return fwd_subtract(h, b, nb, out, n, cap);
}

int
model_fwdcat_m365_routes(const struct model_fwdcat *c,
    const struct model_fwd_rule *rows, size_t n, struct model_pfx **out,
    size_t *nout)
{
	struct model_pfx *fw = NULL, *by = NULL, *res = NULL;
	size_t nfw = 0, nby = 0, nres = 0, cap = 0, i;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	if (fwd_m365_collect(c, rows, n, false, &fw, &nfw) == -1 ||
	    fwd_m365_collect(c, rows, n, true, &by, &nby) == -1)
		goto out;
	for (i = 0; i < nfw; i++)
		if (fwd_subtract(fw[i], by, nby, &res, &nres, &cap) == -1)
			goto out;
	*nout = model_pfx_aggregate(res, nres);
	*out = res;
	res = NULL;
	rc = 0;
out:
	free(res);
	free(fw);
	free(by);
	return rc;
}

int
model_fwdcat_bypass(const struct model_fwdcat *c, int traffic,
    const struct model_fwd_rule *rows, size_t n, struct model_pfx **out,
    size_t *nout)
{
	struct model_pfx *p = NULL, *np;
	size_t i, k, cnt = 0, cap = 0, got;

	*out = NULL;
	*nout = 0;
	if (traffic == MODEL_TRAFFIC_M365)
		return fwd_m365_collect(c, rows, n, true, out, nout);
	if (traffic != MODEL_TRAFFIC_INTERNET)
		return 0;
	for (i = 0; i < n; i++) {
		if (rows[i].kind != MODEL_FWD_CUSTOM)
			continue;
		for (k = 0; k < rows[i].ndst; k++) {
			/* A range is at most 62 prefixes. */
			if (cnt + 62 > cap) {
				cap = cap ? cap * 2 : 128;
				if ((np = realloc(p, cap * sizeof(*p))) == NULL) {
					free(p);
					return -1;
				}
				p = np;
			}
			got = model_fwd_range_pfx(rows[i].dst[k].lo,
			    rows[i].dst[k].hi, &p[cnt], cap - cnt);
			cnt += got;
		}
	}
	*nout = model_pfx_aggregate(p, cnt);
	*out = p;
	return 0;
}
