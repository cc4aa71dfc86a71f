/*
 * model_policy_json.c - security policies, rules, filtering profiles and
 * their links to and from Graph beta JSON (model_policy_json.h).
 *
 * Shapes follow the microsoft.graph.networkaccess resource pages:
 * filteringPolicy (action block/allow) with fqdnFilteringRule and
 * webCategoryFilteringRule (ruleType, destinations of fqdn {value} and
 * webCategory {name, displayName, group}); cloudFirewallPolicy (settings
 * {defaultAction}, only allow) with cloudFirewallRule (priority, action,
 * settings {status}, matchingConditions {sources {addresses, ports},
 * destinations {addresses, ports, protocols}}, addresses as
 * cloudFirewall{Source,Destination}IpAddress {values}); filteringProfile;
 * filteringPolicyLink and cloudFirewallPolicyLink. system-facts §3.6-3.7
 * for the rules: wildcards only as a leading "*.", firewall priority >= 100,
 * new firewall rules disabled, the default action allow.
 *
 * As in model_validate.c every problem is collected, each message naming
 * its field by full path, and unknown members are refused.
 */
#include "model_policy_json.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ip4.h"
#include "policy_fqdn.h"
#include "policy_webcat.h"
#include "wallclock.h"

#define PATH_LEN	128

struct pv {
	const char		*prefix;
	struct model_errs	*errs;
	size_t			 n;
};

static void	pv_err(struct pv *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static json_t *
pv_unconst(const json_t *j)
{
	return (json_t *)(uintptr_t)j;
}

static void
pv_err(struct pv *v, const char *path, const char *fmt, ...)
{
	char target[PATH_LEN], msg[384];
	va_list ap;

	if (v->prefix[0] != '\0' && path[0] != '\0')
		snprintf(target, sizeof(target), "%s.%s", v->prefix, path);
	else
		snprintf(target, sizeof(target), "%s", v->prefix[0] != '\0' ?
		    v->prefix : path);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	model_errs_add(v->errs, target, "%s", msg);
	v->n++;
}

/* path.key, or key at the top. */
static const char *
pv_path(char buf[PATH_LEN], const char *path, const char *key)
{
	if (path[0] == '\0')
		snprintf(buf, PATH_LEN, "%s", key);
	else
		snprintf(buf, PATH_LEN, "%s.%s", path, key);
	return buf;
}

static const char *
pv_kind(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:	return "an object";
	case JSON_ARRAY:	return "an array";
	case JSON_STRING:	return "a string";
	case JSON_INTEGER:	return "an integer";
	case JSON_REAL:		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:	return "a boolean";
	default:		return "null";
	}
}

static bool
pv_in(const char *key, const char *const *list)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(key, *list) == 0)
			return true;
	return false;
}

/* Server-set members a client may send back (a GET body): ignored. */
static const char *const pv_readonly[] = {
	"id", "version", "createdDateTime", "lastModifiedDateTime",
	"@odata.context", NULL
};

static const json_t *
pv_member(const json_t *obj, const char *key)
{
	const json_t *m = json_object_get(obj, key);

	return m == NULL || json_is_null(m) ? NULL : m;
}

/* Unknown members are errors; "@odata.type" is checked by pv_type. */
static void
pv_members(struct pv *v, const json_t *obj, const char *path,
    const char *const *allowed)
{
	char f[PATH_LEN];
	const char *key;
	json_t *m;

	json_object_foreach(pv_unconst(obj), key, m) {
		(void)m;
		if (strcmp(key, "@odata.type") == 0 || pv_in(key, pv_readonly) ||
		    pv_in(key, allowed))
			continue;
		pv_err(v, pv_path(f, path, key), "unknown property '%.64s'",
		    key);
	}
}

/*
 * "@odata.type": absent (-2), one of types (its index; with or without
 * the leading '#', as Graph's own examples write both), or -1 (reported).
 */
static int
pv_type(struct pv *v, const json_t *obj, const char *path,
    const char *const *types)
{
	char f[PATH_LEN];
	const json_t *t = pv_member(obj, "@odata.type");
	char list[256];
	const char *s;
	size_t len = 0;
	int i;

	if (t == NULL)
		return -2;
	pv_path(f, path, "@odata.type");
	if (!json_is_string(t)) {
		pv_err(v, f, "%s must be a string, not %s", f, pv_kind(t));
		return -1;
	}
	s = json_string_value(t);
	for (i = 0; types[i] != NULL; i++)
		if (strcmp(s, types[i]) == 0 || strcmp(s, types[i] + 1) == 0)
			return i;
	list[0] = '\0';
	for (i = 0; types[i] != NULL && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    i ? ", " : "", types[i]);
	pv_err(v, f, "%s '%.100s' is not %s%s", f, s, types[1] ? "one of: " :
	    "", list);
	return -1;
}

static const char *
pv_str(struct pv *v, const json_t *obj, const char *path, const char *key,
    bool required)
{
	char f[PATH_LEN];
	const json_t *m = pv_member(obj, key);
	const char *s;

	pv_path(f, path, key);
	if (m == NULL) {
		if (required)
			pv_err(v, f, "%s is required", f);
		return NULL;
	}
	if (!json_is_string(m)) {
		pv_err(v, f, "%s must be a string, not %s", f, pv_kind(m));
		return NULL;
	}
	s = json_string_value(m);
	if (strlen(s) != json_string_length(m)) {
		pv_err(v, f, "%s must not contain NUL characters", f);
		return NULL;
	}
	return s;
}

/*
 * A name or description: at most max bytes of UTF-8, no control
 * characters (a description may hold line breaks and tabs), a name not
 * empty nor only blanks.
 */
static void
pv_text(struct pv *v, const json_t *obj, const char *path, const char *key,
    bool required, char *out, size_t max)
{
	char f[PATH_LEN];
	const unsigned char *p;
	const char *s;
	size_t len;
	bool blank = true, name = strcmp(key, "name") == 0;

	if ((s = pv_str(v, obj, path, key, required)) == NULL)
		return;
	pv_path(f, path, key);
	len = strlen(s);
	if (len > max) {
		pv_err(v, f, "%s must be at most %zu bytes of UTF-8 (got %zu)",
		    f, max, len);
		return;
	}
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p < 0x20 && (name || (*p != '\n' && *p != '\t' &&
		    *p != '\r'))) || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			pv_err(v, f, "%s must not contain control characters "
			    "(byte %zu)", f, (size_t)(p -
			    (const unsigned char *)s));
			return;
		}
		if (*p != ' ')
			blank = false;
	}
	if (name && blank) {
		pv_err(v, f, "%s must not be %s", f, len == 0 ? "empty" :
		    "only whitespace");
		return;
	}
	memcpy(out, s, len + 1);
}

/* One of names (exact spelling); def when absent; -1 when refused. */
static int
pv_enum(struct pv *v, const json_t *obj, const char *path, const char *key,
    const char *const *names, const char *const *unsupported, int def,
    bool required)
{
	char f[PATH_LEN], list[128];
	const char *s;
	size_t len = 0;
	int i;

	if ((s = pv_str(v, obj, path, key, required)) == NULL)
		return pv_member(obj, key) == NULL && !required ? def : -1;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	pv_path(f, path, key);
	list[0] = '\0';
	for (i = 0; names[i] != NULL; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    i ? ", " : "", names[i]);
	if (pv_in(s, unsupported))
		pv_err(v, f, "%s '%s' is a Graph value this gateway does not "
		    "support (supported: %s)", f, s, list);
	else
		pv_err(v, f, "%s '%.64s' is not one of: %s", f, s, list);
	return -1;
}

static const json_t *
pv_object(struct pv *v, const json_t *obj, const char *path, const char *key,
    bool required)
{
	char f[PATH_LEN];
	const json_t *m = pv_member(obj, key);

	pv_path(f, path, key);
	if (m == NULL) {
		if (required)
			pv_err(v, f, "%s is required", f);
		return NULL;
	}
	if (!json_is_object(m)) {
		pv_err(v, f, "%s must be an object, not %s", f, pv_kind(m));
		return NULL;
	}
	return m;
}

static const json_t *
pv_array(struct pv *v, const json_t *obj, const char *path, const char *key,
    bool required)
{
	char f[PATH_LEN];
	const json_t *m = pv_member(obj, key);

	pv_path(f, path, key);
	if (m == NULL) {
		if (required)
			pv_err(v, f, "%s is required", f);
		return NULL;
	}
	if (!json_is_array(m)) {
		pv_err(v, f, "%s must be an array, not %s", f, pv_kind(m));
		return NULL;
	}
	return m;
}

/* An integer in [min, max]; false when absent (reported if required). */
static bool
pv_int(struct pv *v, const json_t *obj, const char *path, const char *key,
    bool required, int64_t min, int64_t max, int64_t *out)
{
	char f[PATH_LEN];
	const json_t *m = pv_member(obj, key);
	json_int_t x;

	pv_path(f, path, key);
	if (m == NULL) {
		if (required)
			pv_err(v, f, "%s is required", f);
		return false;
	}
	if (!json_is_integer(m)) {
		pv_err(v, f, "%s must be a JSON integer, not %s", f,
		    pv_kind(m));
		return false;
	}
	x = json_integer_value(m);
	if (x < min || x > max) {
		pv_err(v, f, "%s %lld is out of range (%lld to %lld)", f,
		    (long long)x, (long long)min, (long long)max);
		return false;
	}
	*out = x;
	return true;
}

/* --- enums ------------------------------------------------------------- */

static const char *const pv_action[] = { "block", "allow", NULL };
static const char *const pv_action_graph[] = { "bypass", "alert", NULL };
static const char *const pv_status[] = { "enabled", "disabled", NULL };
static const char *const pv_status_graph[] = { "reportOnly", NULL };

const char *
model_faction_name(int action)
{
	return action == MODEL_FACT_BLOCK ? "block" :
	    action == MODEL_FACT_ALLOW ? "allow" : NULL;
}

/* --- FQDN and web-category destinations --------------------------------- */

static bool
pv_is_ip_literal(const char *name)
{
	uint32_t a;
	const char *p;

	if (ip4_parse(name, &a) == 0)
		return true;
	/* All-numeric labels ("10.1", "192.0.2.300"): an address, not a name. */
	for (p = name; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return false;
	return true;
}

static int
pv_dest_alloc(struct pv *v, const char *f, size_t n, size_t max,
    struct model_frule *out)
{
	if (n == 0) {
		pv_err(v, f, "%s must have at least one entry", f);
		return -1;
	}
	if (n > max) {
		pv_err(v, f, "%s has %zu entries; at most %zu are allowed", f,
		    n, max);
		return -1;
	}
	if ((out->dest = calloc(n, sizeof(*out->dest))) == NULL) {
		pv_err(v, f, "out of memory");
		return -1;
	}
	return 0;
}

static void
pv_dest_add(struct pv *v, const char *f, struct model_frule *out,
    const char *value)
{
	size_t k;

	for (k = 0; k < out->ndest; k++)
		if (strcmp(out->dest[k].value, value) == 0) {
			pv_err(v, f, "%s '%s' is listed twice (also entry %zu)",
			    f, value, k);
			return;
		}
	snprintf(out->dest[out->ndest++].value, sizeof(out->dest[0].value),
	    "%s", value);
}

static void
pv_fqdn_dests(struct pv *v, const json_t *a, struct model_frule *out)
{
	static const char *const types[] = { MODEL_NA "fqdn", NULL };
	static const char *const allowed[] = { "value", NULL };
	char f[PATH_LEN], norm[POLICY_HOST_MAX + 1], val[POLICY_HOST_MAX + 3];
	const json_t *e;
	const char *s, *why;
	size_t i;
	bool wild;

	if (pv_dest_alloc(v, "destinations", json_array_size(a),
	    MODEL_FFQDN_MAX, out) == -1)
		return;
	json_array_foreach(pv_unconst(a), i, e) {
		snprintf(f, sizeof(f), "destinations[%zu]", i);
		if (!json_is_object(e)) {
			pv_err(v, f, "%s must be an object {\"@odata.type\": "
			    "\"%sfqdn\", \"value\": \"...\"}, not %s", f,
			    MODEL_NA, pv_kind(e));
			continue;
		}
		pv_members(v, e, f, allowed);
		if (pv_type(v, e, f, types) == -1 ||
		    (s = pv_str(v, e, f, "value", true)) == NULL)
			continue;
		snprintf(f, sizeof(f), "destinations[%zu].value", i);
		/* The address first: the name grammar refuses it less clearly. */
		if ((s[0] != '\0' && pv_is_ip_literal(s)) ||
		    (policy_fqdn_pattern(s, norm, &wild, &why) == 0 &&
		    pv_is_ip_literal(norm))) {
			pv_err(v, f, "%s '%.100s' is an IP address: an FQDN rule "
			    "matches host names (use a cloud firewall rule for "
			    "addresses)", f, s);
			continue;
		}
		if (policy_fqdn_pattern(s, norm, &wild, &why) == -1) {
			pv_err(v, f, "%s '%.100s' %s", f, s, why);
			continue;
		}
		snprintf(val, sizeof(val), "%s%s", wild ? "*." : "", norm);
		if (strlen(val) > MODEL_FDEST_MAX) {
			pv_err(v, f, "%s is longer than %d characters", f,
			    MODEL_FDEST_MAX);
			continue;
		}
		pv_dest_add(v, f, out, val);
	}
}

static bool
pv_catname_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > POLICY_WEBCAT_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static void
pv_webcat_dests(struct pv *v, const json_t *a, const struct policy_webcat *cats,
    struct model_frule *out)
{
	static const char *const types[] = { MODEL_NA "webCategory", NULL };
	static const char *const allowed[] = {
		"name", "displayName", "group", NULL
	};
	char f[PATH_LEN];
	const json_t *e;
	const char *s;
	size_t i;
	int c;

	if (pv_dest_alloc(v, "destinations", json_array_size(a),
	    POLICY_WEBCAT_MAX, out) == -1)
		return;
	json_array_foreach(pv_unconst(a), i, e) {
		snprintf(f, sizeof(f), "destinations[%zu]", i);
		if (!json_is_object(e)) {
			pv_err(v, f, "%s must be an object {\"@odata.type\": "
			    "\"%swebCategory\", \"name\": \"...\"}, not %s", f,
			    MODEL_NA, pv_kind(e));
			continue;
		}
		pv_members(v, e, f, allowed);
		/* displayName and group come from the category list. */
		if (pv_type(v, e, f, types) == -1 ||
		    (s = pv_str(v, e, f, "name", true)) == NULL)
			continue;
		snprintf(f, sizeof(f), "destinations[%zu].name", i);
		if (!pv_catname_ok(s)) {
			pv_err(v, f, "%s '%.100s' is not a web category name "
			    "(1 to %d letters, digits, '_' or '-')", f, s,
			    POLICY_WEBCAT_NAME_MAX);
			continue;
		}
		if (cats != NULL) {
			if ((c = policy_webcat_find(cats, s)) == -1) {
				pv_err(v, f, "%s '%.100s' is not a known web "
				    "category (see GET /networkAccess/"
				    "connectivity/webCategories)", f, s);
				continue;
			}
			s = policy_webcat_cat(cats, (size_t)c)->name;
		}
		pv_dest_add(v, f, out, s);
	}
}

/* --- cloud firewall matching conditions --------------------------------- */

/* "A", "A/LEN" (no host bits) or "A-B" with A <= B. */
static int
pv_fw_addr(const char *s, struct model_fw_addr *out, const char **why)
{
	struct model_prefix p;
	char a[IP4_STRLEN + 1];
	const char *dash;
	uint32_t lo, hi;
	int rc;

	*why = "is not an IPv4 address, CIDR prefix (A.B.C.D/LEN) or range "
	    "(A.B.C.D-E.F.G.H)";
	if ((dash = strchr(s, '-')) != NULL) {
		if ((size_t)(dash - s) >= sizeof(a))
			return -1;
		memcpy(a, s, (size_t)(dash - s));
		a[dash - s] = '\0';
		if (ip4_parse(a, &lo) == -1 || ip4_parse(dash + 1, &hi) == -1)
			return -1;
		if (lo > hi) {
			*why = "is a range whose first address is above its last";
			return -1;
		}
	} else if (strchr(s, '/') != NULL) {
		if ((rc = model_prefix_parse(s, &p)) == MODEL_PREFIX_HOSTBITS) {
			*why = "has host bits set after its prefix length";
			return -1;
		}
		if (rc != 0)
			return -1;
		lo = p.addr;
		hi = p.len == 0 ? 0xffffffffu :
		    p.addr | (uint32_t)((1ull << (32 - p.len)) - 1);
	} else {
		if (ip4_parse(s, &lo) == -1)
			return -1;
		hi = lo;
	}
	out->lo = lo;
	out->hi = hi;
	return 0;
}

/* "P" or "P-Q", 1..65535, decimal without leading zeros. */
static int
pv_port_num(const char *s, size_t len, uint16_t *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5 || (s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int
pv_fw_port(const char *s, struct model_fw_port *out)
{
	const char *dash = strchr(s, '-');

	if (dash == NULL) {
		if (pv_port_num(s, strlen(s), &out->lo) == -1)
			return -1;
		out->hi = out->lo;
		return 0;
	}
	if (pv_port_num(s, (size_t)(dash - s), &out->lo) == -1 ||
	    pv_port_num(dash + 1, strlen(dash + 1), &out->hi) == -1 ||
	    out->lo > out->hi)
		return -1;
	return 0;
}

static void
pv_fw_ports(struct pv *v, const json_t *side, const char *path,
    struct model_fw_port *ports, unsigned *n)
{
	char f[PATH_LEN], e[PATH_LEN + 32];
	const json_t *a, *x;
	size_t i;

	if ((a = pv_array(v, side, path, "ports", false)) == NULL)
		return;
	pv_path(f, path, "ports");
	if (json_array_size(a) > MODEL_FW_LIST_MAX) {
		pv_err(v, f, "%s has %zu entries; at most %d are allowed", f,
		    json_array_size(a), MODEL_FW_LIST_MAX);
		return;
	}
	json_array_foreach(pv_unconst(a), i, x) {
		snprintf(e, sizeof(e), "%s[%zu]", f, i);
		if (!json_is_string(x)) {
			pv_err(v, e, "%s must be a string (\"80\" or "
			    "\"1024-2048\"), not %s", e, pv_kind(x));
			continue;
		}
		if (pv_fw_port(json_string_value(x), &ports[*n]) == -1) {
			pv_err(v, e, "%s '%.32s' is not a port (1-65535) or a "
			    "port range (\"1024-2048\", low to high)", e,
			    json_string_value(x));
			continue;
		}
		(*n)++;
	}
}

static void
pv_fw_addrs(struct pv *v, const json_t *side, const char *path, bool dst,
    struct model_fw_addr *addrs, unsigned *n)
{
	static const char *const src_types[] = {
		MODEL_NA "cloudFirewallSourceIpAddress", NULL
	};
	static const char *const dst_types[] = {
		MODEL_NA "cloudFirewallDestinationIpAddress",
		MODEL_NA "cloudFirewallDestinationFqdnAddress", NULL
	};
	static const char *const allowed[] = { "values", NULL };
	char f[PATH_LEN], e[PATH_LEN + 32], x[PATH_LEN + 64];
	const json_t *a, *o, *vals, *s;
	const char *why;
	size_t i, k;
	int t;

	if ((a = pv_array(v, side, path, "addresses", false)) == NULL)
		return;
	pv_path(f, path, "addresses");
	json_array_foreach(pv_unconst(a), i, o) {
		snprintf(e, sizeof(e), "%s[%zu]", f, i);
		if (!json_is_object(o)) {
			pv_err(v, e, "%s must be an object {\"@odata.type\": "
			    "\"%s\", \"values\": [...]}, not %s", e,
			    dst ? dst_types[0] : src_types[0], pv_kind(o));
			continue;
		}
		pv_members(v, o, e, allowed);
		t = pv_type(v, o, e, dst ? dst_types : src_types);
		if (t == -1)
			continue;
		if (t == 1) {
			/* system-facts §3.7: no FQDN destinations. */
			pv_err(v, e, "%s: FQDN destinations are not supported "
			    "by the cloud firewall; use a filtering policy's "
			    "fqdnFilteringRule", e);
			continue;
		}
		if ((vals = pv_array(v, o, e, "values", true)) == NULL)
			continue;
		json_array_foreach(pv_unconst(vals), k, s) {
			snprintf(x, sizeof(x), "%s.values[%zu]", e, k);
			if (*n >= MODEL_FW_LIST_MAX) {
				pv_err(v, x, "%s: at most %d addresses are "
				    "allowed on one side of a rule", x,
				    MODEL_FW_LIST_MAX);
				return;
			}
			if (!json_is_string(s)) {
				pv_err(v, x, "%s must be a string, not %s", x,
				    pv_kind(s));
				continue;
			}
			if (pv_fw_addr(json_string_value(s), &addrs[*n],
			    &why) == -1) {
				pv_err(v, x, "%s '%.64s' %s", x,
				    json_string_value(s), why);
				continue;
			}
			(*n)++;
		}
	}
}

static void
pv_fw_protocols(struct pv *v, const json_t *d, const char *path,
    uint8_t *protos)
{
	char f[PATH_LEN], buf[64], *tok, *save = NULL;
	const char *s;
	uint8_t p = 0;

	if ((s = pv_str(v, d, path, "protocols", false)) == NULL)
		return;
	pv_path(f, path, "protocols");
	/* A flagged enum: "tcp", "udp", "tcp,udp"; "" (none) is both. */
	if (strlen(s) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (strcmp(tok, "tcp") == 0)
			p |= MODEL_FW_TCP;
		else if (strcmp(tok, "udp") == 0)
			p |= MODEL_FW_UDP;
		else
			goto bad;
	}
	*protos = p == (MODEL_FW_TCP | MODEL_FW_UDP) ? 0 : p;
	return;
bad:
	pv_err(v, f, "%s '%.32s' is not tcp, udp or \"tcp,udp\"", f, s);
}

static void
pv_fw_match(struct pv *v, const json_t *j, struct model_frule *out)
{
	static const char *const mc_allowed[] = {
		"sources", "destinations", NULL
	};
	static const char *const src_allowed[] = { "addresses", "ports", NULL };
	static const char *const dst_allowed[] = {
		"addresses", "ports", "protocols", NULL
	};
	static const char *const mc_types[] = {
		MODEL_NA "cloudFirewallMatchingConditions", NULL
	};
	static const char *const src_types[] = {
		MODEL_NA "cloudFirewallSourceMatching", NULL
	};
	static const char *const dst_types[] = {
		MODEL_NA "cloudFirewallDestinationMatching", NULL
	};
	const json_t *mc, *s, *d;
	const char *P = "matchingConditions";

	if ((mc = pv_object(v, j, "", P, true)) == NULL)
		return;
	pv_members(v, mc, P, mc_allowed);
	pv_type(v, mc, P, mc_types);
	s = pv_object(v, mc, P, "sources", false);
	d = pv_object(v, mc, P, "destinations", false);
	if (pv_member(mc, "sources") == NULL &&
	    pv_member(mc, "destinations") == NULL) {
		pv_err(v, P, "%s needs sources or destinations (or both)", P);
		return;
	}
	if (s != NULL) {
		pv_members(v, s, "matchingConditions.sources", src_allowed);
		pv_type(v, s, "matchingConditions.sources", src_types);
		pv_fw_addrs(v, s, "matchingConditions.sources", false, out->src,
		    &out->nsrc);
		pv_fw_ports(v, s, "matchingConditions.sources", out->sport,
		    &out->nsport);
	}
	if (d != NULL) {
		pv_members(v, d, "matchingConditions.destinations",
		    dst_allowed);
		pv_type(v, d, "matchingConditions.destinations", dst_types);
		pv_fw_addrs(v, d, "matchingConditions.destinations", true,
		    out->dst, &out->ndst);
		pv_fw_ports(v, d, "matchingConditions.destinations",
		    out->dport, &out->ndport);
		pv_fw_protocols(v, d, "matchingConditions.destinations",
		    &out->protos);
	}
}

/* --- rules -------------------------------------------------------------- */

static void
pv_filtering_rule(struct pv *v, const json_t *j,
    const struct policy_webcat *cats, struct model_frule *out)
{
	static const char *const types[] = {
		MODEL_ODATA_FQDN_RULE, MODEL_ODATA_WEBCAT_RULE, NULL
	};
	static const char *const rule_types[] = { "fqdn", "webCategory", NULL };
	static const char *const rule_types_graph[] = { "url", NULL };
	static const char *const allowed[] = {
		"name", "ruleType", "destinations", NULL
	};
	const json_t *a;
	int t, rt;

	pv_members(v, j, "", allowed);
	t = pv_type(v, j, "", types);
	rt = pv_enum(v, j, "", "ruleType", rule_types, rule_types_graph, -2,
	    false);
	if (t == -1 || rt == -1)
		return;
	if (t == -2 && rt == -2) {
		pv_err(v, "ruleType", "ruleType is required (fqdn or "
		    "webCategory), or @odata.type %s or %s", types[0],
		    types[1]);
		return;
	}
	if (t >= 0 && rt >= 0 && t != rt) {
		pv_err(v, "ruleType", "ruleType '%s' does not match @odata.type "
		    "%s", rule_types[rt], types[t]);
		return;
	}
	out->type = t >= 0 ? (t == 0 ? MODEL_FRULE_FQDN : MODEL_FRULE_WEBCAT) :
	    (rt == 0 ? MODEL_FRULE_FQDN : MODEL_FRULE_WEBCAT);
	pv_text(v, j, "", "name", true, out->name, MODEL_NAME_MAX);
	if ((a = pv_array(v, j, "", "destinations", true)) == NULL)
		return;
	if (out->type == MODEL_FRULE_FQDN)
		pv_fqdn_dests(v, a, out);
	else
		pv_webcat_dests(v, a, cats, out);
}

static void
pv_firewall_rule(struct pv *v, const json_t *j, struct model_frule *out)
{
	static const char *const types[] = { MODEL_ODATA_FW_RULE, NULL };
	static const char *const allowed[] = {
		"name", "description", "priority", "action", "settings",
		"matchingConditions", NULL
	};
	static const char *const settings_allowed[] = { "status", NULL };
	const json_t *set;
	int st;

	pv_members(v, j, "", allowed);
	pv_type(v, j, "", types);
	out->type = MODEL_FRULE_FIREWALL;
	pv_text(v, j, "", "name", true, out->name, MODEL_NAME_MAX);
	pv_text(v, j, "", "description", false, out->description,
	    MODEL_DESC_MAX);
	/* system-facts §3.7: 100 and up; lower is evaluated first. */
	pv_int(v, j, "", "priority", true, MODEL_FW_PRIO_MIN, INT64_MAX,
	    &out->priority);
	out->action = pv_enum(v, j, "", "action", pv_action, NULL, -1, true);
	/* New rules start disabled (system-facts §3.7). */
	out->enabled = false;
	if ((set = pv_object(v, j, "", "settings", false)) != NULL) {
		pv_members(v, set, "settings", settings_allowed);
		st = pv_enum(v, set, "settings", "status", pv_status,
		    pv_status_graph, 1, false);
		out->enabled = st == 0;
	}
	pv_fw_match(v, j, out);
}

int
model_frule_from_json(const json_t *j, int kind,
    const struct policy_webcat *cats, const char *prefix,
    struct model_frule *out, struct model_errs *errs)
{
	struct pv v = { prefix, errs, 0 };

	memset(out, 0, sizeof(*out));
	out->action = MODEL_FACT_BLOCK;
	if (j == NULL || !json_is_object(j)) {
		pv_err(&v, "", "a policy rule must be a JSON object");
		return -1;
	}
	if (kind == MODEL_FPOL_FIREWALL)
		pv_firewall_rule(&v, j, out);
	else
		pv_filtering_rule(&v, j, cats, out);
	if (v.n > 0) {
		model_frule_clear(out);
		return -1;
	}
	return 0;
}

/* --- policies ----------------------------------------------------------- */

int
model_fpolicy_from_json(const json_t *j, int kind,
    const struct policy_webcat *cats, const char *prefix,
    struct model_fpolicy *out, struct model_errs *errs)
{
	static const char *const ftypes[] = { MODEL_ODATA_FPOLICY, NULL };
	static const char *const wtypes[] = { MODEL_ODATA_FWPOLICY, NULL };
	static const char *const fallowed[] = {
		"name", "description", "action", "policyRules", NULL
	};
	static const char *const wallowed[] = {
		"name", "description", "settings", "policyRules", NULL
	};
	static const char *const settings_allowed[] = {
		"defaultAction", NULL
	};
	static const char *const defaults[] = { "allow", NULL };
	static const char *const defaults_graph[] = { "block", NULL };
	struct pv v = { prefix, errs, 0 };
	const json_t *rules, *set, *e;
	char rp[PATH_LEN];
	size_t i, n;

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	if (j == NULL || !json_is_object(j)) {
		pv_err(&v, "", "a policy must be a JSON object");
		return -1;
	}
	pv_members(&v, j, "", kind == MODEL_FPOL_FIREWALL ? wallowed :
	    fallowed);
	pv_type(&v, j, "", kind == MODEL_FPOL_FIREWALL ? wtypes : ftypes);
	pv_text(&v, j, "", "name", true, out->name, MODEL_NAME_MAX);
	pv_text(&v, j, "", "description", false, out->description,
	    MODEL_DESC_MAX);
	if (kind == MODEL_FPOL_FIREWALL) {
		/* The default action is allow and cannot change (§3.7). */
		out->action = MODEL_FACT_ALLOW;
		if ((set = pv_object(&v, j, "", "settings", false)) != NULL) {
			pv_members(&v, set, "settings", settings_allowed);
			pv_enum(&v, set, "settings", "defaultAction", defaults,
			    defaults_graph, 0, false);
		}
	} else
		/* Absent: block, what a filtering policy is for. */
		out->action = pv_enum(&v, j, "", "action", pv_action,
		    pv_action_graph, MODEL_FACT_BLOCK, false);
	if ((rules = pv_array(&v, j, "", "policyRules", false)) != NULL &&
	    (n = json_array_size(rules)) > 0) {
		if (n > MODEL_FRULE_MAX) {
			pv_err(&v, "policyRules", "policyRules has %zu rules; a "
			    "tenant has at most %d", n, MODEL_FRULE_MAX);
			goto out;
		}
		if ((out->rules = calloc(n, sizeof(*out->rules))) == NULL) {
			pv_err(&v, "", "out of memory");
			goto out;
		}
		json_array_foreach(pv_unconst(rules), i, e) {
			if (prefix[0] != '\0')
				snprintf(rp, sizeof(rp), "%s.policyRules[%zu]",
				    prefix, i);
			else
				snprintf(rp, sizeof(rp), "policyRules[%zu]", i);
			if (model_frule_from_json(e, kind, cats, rp,
			    &out->rules[out->nrules], errs) == -1) {
				v.n++;
				continue;
			}
			out->nrules++;
		}
	}
out:
	if (v.n > 0) {
		model_fpolicy_clear(out);
		return -1;
	}
	return 0;
}

/* --- profiles and links -------------------------------------------------- */

int
model_fprofile_from_json(const json_t *j, const char *prefix,
    struct model_fprofile *out, struct model_errs *errs)
{
	static const char *const types[] = { MODEL_ODATA_FPROFILE, NULL };
	static const char *const allowed[] = {
		"name", "description", "state", "priority", NULL
	};
	struct pv v = { prefix, errs, 0 };

	memset(out, 0, sizeof(*out));
	if (j == NULL || !json_is_object(j)) {
		pv_err(&v, "", "a filtering profile must be a JSON object");
		return -1;
	}
	if (json_object_get(j, "policies") != NULL)
		pv_err(&v, "policies", "policies cannot be given here: link "
		    "policies with POST /networkAccess/filteringProfiles/{id}/"
		    "policies");
	pv_members(&v, j, "", allowed);
	pv_type(&v, j, "", types);
	pv_text(&v, j, "", "name", true, out->name, MODEL_NAME_MAX);
	pv_text(&v, j, "", "description", false, out->description,
	    MODEL_DESC_MAX);
	out->enabled = pv_enum(&v, j, "", "state", pv_status, NULL, 0,
	    false) == 0;
	/* Below the baseline's: user profiles are evaluated first (§3.6). */
	pv_int(&v, j, "", "priority", true, 0, MODEL_BASELINE_PRIORITY,
	    &out->priority);
	return v.n > 0 ? -1 : 0;
}

const char *
model_flink_policy_id(const json_t *j)
{
	const json_t *p = json_is_object(j) ? json_object_get(j, "policy") :
	    NULL;
	const json_t *id = json_is_object(p) ? json_object_get(p, "id") : NULL;

	return json_is_string(id) ? json_string_value(id) : NULL;
}

int
model_flink_from_json(const json_t *j, int policy_kind, const char *prefix,
    struct model_flink *out, struct model_errs *errs)
{
	static const char *const ftypes[] = { MODEL_ODATA_FLINK, NULL };
	static const char *const wtypes[] = { MODEL_ODATA_FWLINK, NULL };
	static const char *const fallowed[] = {
		"priority", "state", "loggingState", "action", "policy", NULL
	};
	static const char *const wallowed[] = { "state", "policy", NULL };
	struct pv v = { prefix, errs, 0 };
	const json_t *pol;
	const char *id;
	bool fw = policy_kind == MODEL_FPOL_FIREWALL;

	memset(out, 0, sizeof(*out));
	out->action = -1;
	if (j == NULL || !json_is_object(j)) {
		pv_err(&v, "", "a policy link must be a JSON object");
		return -1;
	}
	pv_members(&v, j, "", fw ? wallowed : fallowed);
	pv_type(&v, j, "", fw ? wtypes : ftypes);
	/* The policy is read by id; the rest of an expanded one is ignored. */
	if ((pol = pv_object(&v, j, "", "policy", true)) != NULL &&
	    (id = pv_str(&v, pol, "policy", "id", true)) != NULL)
		snprintf(out->policy_id, sizeof(out->policy_id), "%.*s",
		    MODEL_ID_LEN, id);
	out->enabled = pv_enum(&v, j, "", "state", pv_status, NULL, 0,
	    false) == 0;
	if (fw) {
		out->logging = true;
		return v.n > 0 ? -1 : 0;
	}
	out->logging = pv_enum(&v, j, "", "loggingState", pv_status, NULL, 0,
	    false) == 0;
	pv_int(&v, j, "", "priority", true, 0, INT64_MAX, &out->priority);
	if (pv_member(j, "action") != NULL)
		out->action = pv_enum(&v, j, "", "action", pv_action,
		    pv_action_graph, -1, false);
	return v.n > 0 ? -1 : 0;
}

/* --- JSON out ------------------------------------------------------------ */

static json_t *
pj_time(int64_t ms)
{
	char buf[WALLCLOCK_STRLEN];

	return json_string(wallclock_fmt(ms, buf));
}

static json_t *
pj_done(json_t *j, int errs)
{
	if (errs == 0)
		return j;
	json_decref(j);
	return NULL;
}

/* The canonical text of one address range: "A", "A/LEN" or "A-B". */
static void
pj_addr(const struct model_fw_addr *a, char *buf, size_t size)
{
	char lo[IP4_STRLEN], hi[IP4_STRLEN];
	uint64_t span = (uint64_t)a->hi - a->lo + 1;
	int len;

	ip4_fmt(a->lo, lo);
	if (a->lo == a->hi) {
		snprintf(buf, size, "%s", lo);
		return;
	}
	for (len = 32; len >= 0 && (1ull << (32 - len)) < span; len--)
		;
	if (len >= 0 && (1ull << (32 - len)) == span &&
	    ((uint64_t)a->lo & (span - 1)) == 0) {
		snprintf(buf, size, "%s/%d", lo, len);
		return;
	}
	snprintf(buf, size, "%s-%s", lo, ip4_fmt(a->hi, hi));
}

static void
pj_port(const struct model_fw_port *p, char *buf, size_t size)
{
	if (p->lo == p->hi)
		snprintf(buf, size, "%u", p->lo);
	else
		snprintf(buf, size, "%u-%u", p->lo, p->hi);
}

static json_t *
pj_addrs(const struct model_fw_addr *a, unsigned n, bool dst)
{
	json_t *arr = json_array(), *vals;
	char buf[40];
	unsigned i;

	if (arr == NULL || n == 0)
		return arr;
	vals = json_array();
	for (i = 0; i < n && i < MODEL_FW_LIST_MAX; i++) {
		pj_addr(&a[i], buf, sizeof(buf));
		json_array_append_new(vals, json_string(buf));
	}
	json_array_append_new(arr, json_pack("{s:s, s:o}", "@odata.type", dst ?
	    MODEL_NA "cloudFirewallDestinationIpAddress" :
	    MODEL_NA "cloudFirewallSourceIpAddress", "values", vals));
	return arr;
}

static json_t *
pj_ports(const struct model_fw_port *p, unsigned n)
{
	json_t *arr = json_array();
	char buf[16];
	unsigned i;

	for (i = 0; arr != NULL && i < n && i < MODEL_FW_LIST_MAX; i++) {
		pj_port(&p[i], buf, sizeof(buf));
		json_array_append_new(arr, json_string(buf));
	}
	return arr;
}

static json_t *
pj_match(const struct model_frule *r)
{
	json_t *mc, *src, *dst;
	const char *proto = r->protos == MODEL_FW_TCP ? "tcp" :
	    r->protos == MODEL_FW_UDP ? "udp" : "tcp,udp";

	src = r->nsrc == 0 && r->nsport == 0 ? json_null() :
	    json_pack("{s:o, s:o}", "addresses", pj_addrs(r->src, r->nsrc,
	    false), "ports", pj_ports(r->sport, r->nsport));
	dst = json_pack("{s:o, s:o, s:s}", "addresses", pj_addrs(r->dst,
	    r->ndst, true), "ports", pj_ports(r->dport, r->ndport),
	    "protocols", proto);
	mc = json_pack("{s:o, s:o}", "sources", src, "destinations", dst);
	return mc;
}

json_t *
model_frule_to_json(const struct model_frule *r,
    const struct policy_webcat *cats)
{
	json_t *j, *a, *d;
	const struct policy_webcat_cat *cat;
	size_t i;
	int errs = 0, c;

	if ((j = json_object()) == NULL)
		return NULL;
	if (r->type == MODEL_FRULE_FIREWALL) {
		errs += json_object_set_new(j, "@odata.type",
		    json_string(MODEL_ODATA_FW_RULE));
		errs += json_object_set_new(j, "id", json_string(r->id));
		errs += json_object_set_new(j, "name", json_string(r->name));
		errs += json_object_set_new(j, "description",
		    r->description[0] ? json_string(r->description) :
		    json_null());
		errs += json_object_set_new(j, "priority",
		    json_integer(r->priority));
		errs += json_object_set_new(j, "action",
		    json_string(model_faction_name(r->action) ?
		    model_faction_name(r->action) : "block"));
		errs += json_object_set_new(j, "settings", json_pack("{s:s}",
		    "status", r->enabled ? "enabled" : "disabled"));
		errs += json_object_set_new(j, "matchingConditions",
		    pj_match(r));
		return pj_done(j, errs);
	}
	errs += json_object_set_new(j, "@odata.type",
	    json_string(r->type == MODEL_FRULE_FQDN ? MODEL_ODATA_FQDN_RULE :
	    MODEL_ODATA_WEBCAT_RULE));
	errs += json_object_set_new(j, "id", json_string(r->id));
	errs += json_object_set_new(j, "name", json_string(r->name));
	errs += json_object_set_new(j, "ruleType", json_string(
	    r->type == MODEL_FRULE_FQDN ? "fqdn" : "webCategory"));
	a = json_array();
	for (i = 0; a != NULL && i < r->ndest; i++) {
		if (r->type == MODEL_FRULE_FQDN) {
			d = json_pack("{s:s, s:s}", "@odata.type",
			    MODEL_NA "fqdn", "value", r->dest[i].value);
		} else {
			c = cats != NULL ? policy_webcat_find(cats,
			    r->dest[i].value) : -1;
			cat = c >= 0 ? policy_webcat_cat(cats, (size_t)c) : NULL;
			d = json_pack("{s:s, s:s, s:o, s:o}", "@odata.type",
			    MODEL_NA "webCategory", "name", r->dest[i].value,
			    "displayName", cat ? json_string(cat->display) :
			    json_null(), "group", cat && cat->group[0] ?
			    json_string(cat->group) : json_null());
		}
		errs += json_array_append_new(a, d);
	}
	errs += json_object_set_new(j, "destinations", a);
	return pj_done(j, errs);
}

json_t *
model_fpolicy_to_json(const struct model_fpolicy *p,
    const struct policy_webcat *cats, bool with_rules)
{
	json_t *j, *a;
	size_t i;
	int errs = 0;
	bool fw = p->kind == MODEL_FPOL_FIREWALL;

	if ((j = json_object()) == NULL)
		return NULL;
	errs += json_object_set_new(j, "@odata.type", json_string(fw ?
	    MODEL_ODATA_FWPOLICY : MODEL_ODATA_FPOLICY));
	errs += json_object_set_new(j, "id", json_string(p->id));
	errs += json_object_set_new(j, "name", json_string(p->name));
	errs += json_object_set_new(j, "description", p->description[0] ?
	    json_string(p->description) : json_null());
	if (fw)
		errs += json_object_set_new(j, "settings", json_pack("{s:s}",
		    "defaultAction", "allow"));
	else {
		errs += json_object_set_new(j, "action",
		    json_string(model_faction_name(p->action) ?
		    model_faction_name(p->action) : "block"));
		errs += json_object_set_new(j, "createdDateTime",
		    pj_time(p->created_ms));
	}
	errs += json_object_set_new(j, "version", json_string(p->version));
	errs += json_object_set_new(j, "lastModifiedDateTime",
	    pj_time(p->modified_ms));
	if (with_rules) {
		a = json_array();
		for (i = 0; a != NULL && i < p->nrules; i++)
			errs += json_array_append_new(a,
			    model_frule_to_json(&p->rules[i], cats));
		errs += json_object_set_new(j, "policyRules", a);
	}
	return pj_done(j, errs);
}

json_t *
model_fprofile_to_json(const struct model_fprofile *p)
{
	json_t *j;
	int errs = 0;

	if ((j = json_object()) == NULL)
		return NULL;
	errs += json_object_set_new(j, "@odata.type",
	    json_string(MODEL_ODATA_FPROFILE));
	errs += json_object_set_new(j, "id", json_string(p->id));
	errs += json_object_set_new(j, "name", json_string(p->name));
	errs += json_object_set_new(j, "description", p->description[0] ?
	    json_string(p->description) : json_null());
	errs += json_object_set_new(j, "state",
	    json_string(p->enabled ? "enabled" : "disabled"));
	errs += json_object_set_new(j, "priority", json_integer(p->priority));
	errs += json_object_set_new(j, "version", json_string(p->version));
	errs += json_object_set_new(j, "createdDateTime",
	    pj_time(p->created_ms));
	errs += json_object_set_new(j, "lastModifiedDateTime",
	    pj_time(p->modified_ms));
	return pj_done(j, errs);
}

json_t *
model_flink_to_json(const struct model_flink *l, int policy_kind,
    const json_t *pol)
{
	json_t *j;
	int errs = 0;
	bool fw = policy_kind == MODEL_FPOL_FIREWALL;

	if ((j = json_object()) == NULL)
		return NULL;
	errs += json_object_set_new(j, "@odata.type", json_string(fw ?
	    MODEL_ODATA_FWLINK : MODEL_ODATA_FLINK));
	errs += json_object_set_new(j, "id", json_string(l->id));
	errs += json_object_set_new(j, "state",
	    json_string(l->enabled ? "enabled" : "disabled"));
	if (!fw) {
		errs += json_object_set_new(j, "priority",
		    json_integer(l->priority));
		errs += json_object_set_new(j, "loggingState",
		    json_string(l->logging ? "enabled" : "disabled"));
		errs += json_object_set_new(j, "action",
		    model_faction_name(l->action) ?
		    json_string(model_faction_name(l->action)) : json_null());
	}
	errs += json_object_set_new(j, "version", json_string(l->version));
	errs += json_object_set_new(j, "lastModifiedDateTime",
	    pj_time(l->modified_ms));
	errs += json_object_set_new(j, "policy", pol != NULL ?
	    json_deep_copy(pol) : json_pack("{s:s}", "id", l->policy_id));
	return pj_done(j, errs);
}

/* --- PATCH --------------------------------------------------------------- */

/*
 * cur (as JSON) with the patch's members merged in. A member naming a
 * relationship (refused) or the type of the object (which cannot change)
 * is an error; read-only members are ignored. NULL on an error (in errs).
 */
static json_t *
pp_merge(json_t *cur, const json_t *patch, const char *const *refused,
    const char *why, struct model_errs *errs)
{
	const json_t *ot;
	const char *key;
	json_t *m;
	size_t start = errs->count;

	if (cur == NULL) {
		model_errs_add(errs, "", "out of memory");
		return NULL;
	}
	if (patch == NULL || !json_is_object(patch)) {
		model_errs_add(errs, "", "a patch must be a JSON object");
		json_decref(cur);
		return NULL;
	}
	json_object_foreach(pv_unconst(patch), key, m) {
		if (pv_in(key, pv_readonly))
			continue;
		if (pv_in(key, refused)) {
			model_errs_add(errs, key, "%s cannot be changed by "
			    "PATCH here; %s", key, why);
			continue;
		}
		if (strcmp(key, "@odata.type") == 0) {
			ot = json_object_get(cur, "@odata.type");
			if (json_is_string(m) && json_is_string(ot) &&
			    (strcmp(json_string_value(m),
			    json_string_value(ot)) == 0 ||
			    strcmp(json_string_value(m),
			    json_string_value(ot) + 1) == 0))
				continue;
			model_errs_add(errs, key, "@odata.type cannot be "
			    "changed (it is %s)", json_string_value(ot));
			continue;
		}
		json_object_set_new(cur, key, json_deep_copy(m));
	}
	if (errs->count != start) {
		json_decref(cur);
		return NULL;
	}
	return cur;
}

int
model_fpolicy_patch(const struct model_fpolicy *cur, const json_t *patch,
    struct model_fpolicy *out, struct model_errs *errs)
{
	static const char *const refused[] = { "policyRules", NULL };
	json_t *m;
	int rc;

	m = pp_merge(model_fpolicy_to_json(cur, NULL, false), patch, refused,
	    "use the policy's policyRules collection", errs);
	if (m == NULL)
		return -1;
	json_object_del(m, "createdDateTime");
	rc = model_fpolicy_from_json(m, cur->kind, NULL, "", out, errs);
	json_decref(m);
	if (rc == -1)
		return -1;
	memcpy(out->id, cur->id, sizeof(out->id));
	memcpy(out->version, cur->version, sizeof(out->version));
	out->created_ms = cur->created_ms;
	out->modified_ms = cur->modified_ms;
	return 0;
}

int
model_frule_patch(const struct model_frule *cur, int kind,
    const struct policy_webcat *cats, const json_t *patch,
    struct model_frule *out, struct model_errs *errs)
{
	static const char *const refused[] = { NULL };
	json_t *m;
	int rc;

	m = pp_merge(model_frule_to_json(cur, cats), patch, refused, "", errs);
	if (m == NULL)
		return -1;
	if (cur->type == MODEL_FRULE_WEBCAT) {
		/* Output only: the category list's, never the client's. */
		json_t *d;
		size_t i;

		json_array_foreach(json_object_get(m, "destinations"), i, d)
			if (json_is_object(d)) {
				json_object_del(d, "displayName");
				json_object_del(d, "group");
			}
	}
	rc = model_frule_from_json(m, kind, cats, "", out, errs);
	json_decref(m);
	if (rc == -1)
		return -1;
	memcpy(out->id, cur->id, sizeof(out->id));
	memcpy(out->policy_id, cur->policy_id, sizeof(out->policy_id));
	memcpy(out->version, cur->version, sizeof(out->version));
	/* A patch that leaves settings out keeps the rule's state. */
	if (cur->type == MODEL_FRULE_FIREWALL &&
	    json_object_get(patch, "settings") == NULL)
		out->enabled = cur->enabled;
	out->modified_ms = cur->modified_ms;
	return 0;
}

int
model_fprofile_patch(const struct model_fprofile *cur, const json_t *patch,
    struct model_fprofile *out, struct model_errs *errs)
{
	static const char *const refused[] = { "policies", NULL };
	json_t *m;
	int rc;

	m = pp_merge(model_fprofile_to_json(cur), patch, refused,
	    "use the profile's policies collection", errs);
	if (m == NULL)
		return -1;
	json_object_del(m, "createdDateTime");
	rc = model_fprofile_from_json(m, "", out, errs);
	json_decref(m);
	if (rc == -1)
		return -1;
	memcpy(out->id, cur->id, sizeof(out->id));
	memcpy(out->version, cur->version, sizeof(out->version));
	out->baseline = cur->baseline;
	out->created_ms = cur->created_ms;
	out->modified_ms = cur->modified_ms;
	return 0;
}

int
model_flink_patch(const struct model_flink *cur, int policy_kind,
    const json_t *patch, struct model_flink *out, struct model_errs *errs)
{
	static const char *const refused[] = { NULL };
	const char *pid = model_flink_policy_id(patch);
	json_t *m;
	int rc;

	if (json_object_get(patch, "policy") != NULL &&
	    (pid == NULL || strcasecmp(pid, cur->policy_id) != 0)) {
		model_errs_add(errs, "policy", "policy cannot be changed: "
		    "delete the link and create another");
		return -1;
	}
	m = pp_merge(model_flink_to_json(cur, policy_kind, NULL), patch,
	    refused, "", errs);
	if (m == NULL)
		return -1;
	json_object_set_new(m, "policy", json_pack("{s:s}", "id",
	    cur->policy_id));
	rc = model_flink_from_json(m, policy_kind, "", out, errs);
	json_decref(m);
	if (rc == -1)
		return -1;
	memcpy(out->id, cur->id, sizeof(out->id));
	memcpy(out->profile_id, cur->profile_id, sizeof(out->profile_id));
	memcpy(out->policy_id, cur->policy_id, sizeof(out->policy_id));
	memcpy(out->version, cur->version, sizeof(out->version));
	out->modified_ms = cur->modified_ms;
	if (policy_kind == MODEL_FPOL_FIREWALL)
		out->priority = cur->priority;
	return 0;
}

/* --- store text forms ---------------------------------------------------- */

/*
 * The next item of a comma-separated list copied into one: 1 when more
 * follow, 0 when it was the last, -1 when it is empty or does not fit.
 */
static int
pj_list_take(const char **s, char *one, size_t size)
{
	size_t len = strcspn(*s, ",");

	if (len == 0 || len >= size)
		return -1;
	memcpy(one, *s, len);
	one[len] = '\0';
	*s += len;
	if (**s == '\0')
		return 0;
	(*s)++;
	return 1;
}

int
model_frule_dest_fmt(const struct model_frule *r, char **out)
{
	size_t i, len = 1, pos = 0;
	char *s;

	for (i = 0; i < r->ndest; i++)
		len += strnlen(r->dest[i].value, MODEL_FDEST_MAX) + 1;
	if ((s = malloc(len)) == NULL)
		return -1;
	s[0] = '\0';
	for (i = 0; i < r->ndest; i++)
		pos += (size_t)snprintf(s + pos, len - pos, "%s%.*s",
		    i ? "," : "", MODEL_FDEST_MAX, r->dest[i].value);
	*out = s;
	return 0;
}

int
model_frule_dest_parse(const char *s, struct model_frule *r)
{
	const char *p;
	size_t n = 1;
	int more;

	r->dest = NULL;
	r->ndest = 0;
	if (*s == '\0')
		return 0;
	for (p = s; *p != '\0'; p++)
		n += *p == ',';
	if (n > MODEL_FFQDN_MAX || (r->dest = calloc(n, sizeof(*r->dest))) ==
	    NULL)
		return -1;
	/* n counted the items, so ndest stays below it. */
	do {
		if ((more = pj_list_take(&s, r->dest[r->ndest].value,
		    sizeof(r->dest[r->ndest].value))) == -1) {
			model_frule_clear(r);
			return -1;
		}
		r->ndest++;
	} while (more);
	return 0;
}

/* Item i of a comma-separated list onto buf; -1 when it does not fit. */
static int
pj_list_put(char *buf, size_t size, size_t *pos, unsigned i, const char *one)
{
	*pos += (size_t)snprintf(buf + *pos, size - *pos, "%s%s",
	    i ? "," : "", one);
	return *pos >= size ? -1 : 0;
}

int
model_fw_addrs_fmt(const struct model_fw_addr *a, unsigned n, char *buf,
    size_t size)
{
	char one[40];
	size_t pos = 0;
	unsigned i;

	if (n > MODEL_FW_LIST_MAX || size == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		pj_addr(&a[i], one, sizeof(one));
		if (pj_list_put(buf, size, &pos, i, one) == -1)
			return -1;
	}
	return 0;
}

int
model_fw_addrs_parse(const char *s, struct model_fw_addr *a, unsigned *n)
{
	char one[40];
	const char *why;
	int more;

	*n = 0;
	if (*s == '\0')
		return 0;
	do {
		if (*n >= MODEL_FW_LIST_MAX ||
		    (more = pj_list_take(&s, one, sizeof(one))) == -1 ||
		    pv_fw_addr(one, &a[*n], &why) == -1)
			return -1;
		(*n)++;
	} while (more);
	return 0;
}

int
model_fw_ports_fmt(const struct model_fw_port *p, unsigned n, char *buf,
    size_t size)
{
	char one[16];
	size_t pos = 0;
	unsigned i;

	if (n > MODEL_FW_LIST_MAX || size == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		pj_port(&p[i], one, sizeof(one));
		if (pj_list_put(buf, size, &pos, i, one) == -1)
			return -1;
	}
	return 0;
}

int
model_fw_ports_parse(const char *s, struct model_fw_port *p, unsigned *n)
{
	char one[16];
	int more;

	*n = 0;
	if (*s == '\0')
		return 0;
	do {
		if (*n >= MODEL_FW_LIST_MAX ||
		    (more = pj_list_take(&s, one, sizeof(one))) == -1 ||
		    pv_fw_port(one, &p[*n]) == -1)
			return -1;
		(*n)++;
	} while (more);
	return 0;
}
