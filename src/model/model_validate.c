/*
 * model_validate.c - client JSON (POST bodies, merged PATCH results) into
 * struct model_rn and struct model_link, enforcing the Graph shapes of
 * system-facts §3.2 and the GSA rules of §1: ASNs (§1.3), BGP addresses
 * (§1.4), the custom IKE policy (§1.6) and the enum spellings (§1.7, §1.8).
 * Two rules are the gateway's own: staticSourcePrefixes (not in Graph) and
 * the reserved range of struct model_ctx, which no BGP address or source
 * prefix may touch (issue 13 §1).
 *
 * Every problem is collected rather than stopping at the first, so that one
 * 400 response lists them all (user-asks #14). Messages name the field and
 * the offending value, except for pre-shared keys, whose values never reach
 * a message. model_patch.c re-enters here with the merged object.
 */
#include "model.h"
#include "ip4.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PATH_LEN	96	/* longest: redundancyConfiguration.zone... */
#define TARGET_LEN	128	/* struct model_err target */
#define MSG_LEN		384	/* struct model_err message */
#define ENUM_LIST_MAX	200	/* longer value lists are not listed */

/* One parse: where its errors go and how many it added. */
struct vstate {
	const char		*prefix;
	struct model_errs	*errs;
	size_t			 nerr;
};

enum ip_rule { IP_UNICAST, IP_BGP };

static void	vs_err(struct vstate *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* The default ctx when a caller has no gateway state (tools, tests). */
static const struct model_ctx vs_default_ctx = {
	MODEL_GATEWAY_ASN, { 0, 0 }, { MODEL_RESERVED_NET, MODEL_RESERVED_PLEN }
};

/*
 * jansson's iterators take a non-const json_t although they do not modify
 * it; this is the one place where the const of a client object is dropped.
 */
static json_t *
vs_unconst(const json_t *j)
{
	return (json_t *)(uintptr_t)j;
}

static void
vs_err(struct vstate *vs, const char *path, const char *fmt, ...)
{
	char target[TARGET_LEN], msg[MSG_LEN];
	va_list ap;

	if (vs->prefix[0] != '\0' && path[0] != '\0')
		snprintf(target, sizeof(target), "%s.%s", vs->prefix, path);
	else if (vs->prefix[0] != '\0')
		snprintf(target, sizeof(target), "%s", vs->prefix);
	else
		snprintf(target, sizeof(target), "%s", path);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	model_errs_add(vs->errs, target, "%s", msg);
	vs->nerr++;
}

static const char *
vs_path(char buf[PATH_LEN], const char *obj, const char *key)
{
	if (obj[0] == '\0')
		snprintf(buf, PATH_LEN, "%s", key);
	else
		snprintf(buf, PATH_LEN, "%s.%s", obj, key);
	return buf;
}

static const char *
vs_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "unknown";
}

static bool
vs_in(const char *key, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(key, *list) == 0)
			return true;
	return false;
}

/* Absent and null are the same for optional members (Graph GETs send null). */
static const json_t *
vs_member(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return v == NULL || json_is_null(v) ? NULL : v;
}

/*
 * Members outside allowed are errors (STYLE.md §8: reject unknown
 * parameters). "@odata.type" is allowed on every object but must be a
 * string; objects that give it a meaning check its value themselves.
 */
static void
vs_members(struct vstate *vs, const json_t *obj, const char *path,
    const char *const *allowed)
{
	char f[PATH_LEN];
	const char *key;
	json_t *v;

	json_object_foreach(vs_unconst(obj), key, v) {
		if (strcmp(key, "@odata.type") == 0) {
			if (!json_is_string(v) && !json_is_null(v))
				vs_err(vs, vs_path(f, path, key),
				    "%s must be a string, not %s", f,
				    vs_kind(v));
		} else if (!vs_in(key, allowed))
			vs_err(vs, vs_path(f, path, key),
			    "unknown property '%.64s'", key);
	}
}

static const json_t *
vs_object(struct vstate *vs, const json_t *obj, const char *key)
{
	const json_t *v = vs_member(obj, key);

	if (v == NULL) {
		vs_err(vs, key, "%s is required", key);
		return NULL;
	}
	if (!json_is_object(v)) {
		vs_err(vs, key, "%s must be an object, not %s", key,
		    vs_kind(v));
		return NULL;
	}
	return v;
}

/* A string member, or NULL (reported when required or of the wrong type). */
static const char *
vs_string(struct vstate *vs, const json_t *obj, const char *path,
    const char *key, bool required)
{
	char f[PATH_LEN];
	const json_t *v = vs_member(obj, key);
	const char *s;

	vs_path(f, path, key);
	if (v == NULL) {
		if (required)
			vs_err(vs, f, "%s is required", f);
		return NULL;
	}
	if (!json_is_string(v)) {
		vs_err(vs, f, "%s must be a string, not %s", f, vs_kind(v));
		return NULL;
	}
	s = json_string_value(v);
	/* An embedded NUL would make "eastUS\u0000x" match eastUS. */
	if (strlen(s) != json_string_length(v)) {
		vs_err(vs, f, "%s must not contain NUL characters", f);
		return NULL;
	}
	return s;
}

/* An integer member; reals, strings and booleans are type errors. */
static bool
vs_int(struct vstate *vs, const json_t *obj, const char *path,
    const char *key, json_int_t *out)
{
	char f[PATH_LEN];
	const json_t *v = vs_member(obj, key);

	vs_path(f, path, key);
	if (v == NULL) {
		vs_err(vs, f, "%s is required", f);
		return false;
	}
	if (!json_is_integer(v)) {
		vs_err(vs, f, "%s must be a JSON integer, not %s", f,
		    vs_kind(v));
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

/* The member name of an enum is its type name (model_enum.c). */
static int
vs_enum(struct vstate *vs, const json_t *obj, const char *path,
    const struct model_enum *e, bool required, int def)
{
	char f[PATH_LEN], list[ENUM_LIST_MAX + 64];
	const char *s;
	size_t i, len = 0;
	int v;

	if ((s = vs_string(vs, obj, path, e->type, required)) == NULL)
		return vs_member(obj, e->type) == NULL ? def : -1;
	if ((v = model_enum_parse(e, s)) != -1)
		return v;
	list[0] = '\0';
	for (i = 0; i < e->count && len < ENUM_LIST_MAX; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len,
		    "%s%s", i ? ", " : "", e->names[i]);
	vs_path(f, path, e->type);
	if (len < ENUM_LIST_MAX)
		vs_err(vs, f, "%s '%.64s' is not one of: %s", f, s, list);
	else
		vs_err(vs, f, "%s '%.64s' is not a valid %s (Graph enum "
		    "spelling, case-sensitive)", f, s, e->type);
	return -1;
}

/*
 * Names: 1..MODEL_NAME_MAX bytes of UTF-8 (jansson has checked the
 * encoding), no C0/C1 control characters, not only blanks.
 */
static void
vs_name(struct vstate *vs, const json_t *obj, char out[MODEL_NAME_MAX + 1])
{
	const unsigned char *p;
	const char *s;
	size_t len;
	bool blank = true;

	if ((s = vs_string(vs, obj, "", "name", true)) == NULL)
		return;
	len = strlen(s);
	if (len == 0) {
		vs_err(vs, "name", "name must not be empty");
		return;
	}
	if (len > MODEL_NAME_MAX) {
		vs_err(vs, "name", "name must be 1 to %d bytes of UTF-8 "
		    "(got %zu)", MODEL_NAME_MAX, len);
		return;
	}
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			vs_err(vs, "name", "name must not contain control "
			    "characters (byte %zu)", (size_t)(p -
			    (const unsigned char *)s));
			return;
		}
		if (*p != ' ')
			blank = false;
	}
	if (blank) {
		vs_err(vs, "name", "name must not be only whitespace");
		return;
	}
	memcpy(out, s, len + 1);
}

/*
 * ipAddress is the CPE's public address, so it must be unicast. BGP
 * addresses follow system-facts §1.4: everything but 0.0.0.0/32,
 * 127.0.0.0/8, 224.0.0.0/4 and 255.255.255.255/32; 169.254.0.0/16 is
 * allowed on purpose (user-asks #14: AWS and GCP require APIPA peers).
 */
static bool
vs_ip(struct vstate *vs, const json_t *obj, const char *path,
    const char *key, bool required, enum ip_rule rule, uint32_t *out)
{
	char f[PATH_LEN];
	const char *s, *why = NULL;
	uint32_t a;

	if ((s = vs_string(vs, obj, path, key, required)) == NULL)
		return false;
	vs_path(f, path, key);
	if (ip4_parse(s, &a) == -1) {
		vs_err(vs, f, "%s '%.64s' is not a dotted-quad IPv4 address",
		    f, s);
		return false;
	}
	if (rule == IP_UNICAST) {
		if (ip4_in_prefix(a, 0x00000000, 8))
			why = "0.0.0.0/8 is 'this network'";
		else if (ip4_in_prefix(a, 0x7f000000, 8))
			why = "127.0.0.0/8 is loopback";
		else if (ip4_in_prefix(a, 0xe0000000, 4))
			why = "224.0.0.0/4 is multicast";
		else if (ip4_in_prefix(a, 0xf0000000, 4))
			why = "240.0.0.0/4 is reserved and holds the "
			    "broadcast address";
		if (why != NULL) {
			vs_err(vs, f, "%s '%s' is not a unicast IPv4 address "
			    "(%s)", f, s, why);
			return false;
		}
	} else {
		if (a == 0)
			why = "0.0.0.0 is unspecified";
		else if (ip4_in_prefix(a, 0x7f000000, 8))
			why = "127.0.0.0/8 is loopback";
		else if (ip4_in_prefix(a, 0xe0000000, 4))
			why = "224.0.0.0/4 is multicast";
		else if (a == 0xffffffff)
			why = "255.255.255.255 is broadcast";
		if (why != NULL) {
			vs_err(vs, f, "%s '%s' is not allowed as a BGP address "
			    "(%s)", f, s, why);
			return false;
		}
	}
	*out = a;
	return true;
}

/* ctx->reserved, or the default a context without one stands for. */
static struct model_prefix
vs_reserved(const struct model_ctx *ctx)
{
	struct model_prefix r = { MODEL_RESERVED_NET, MODEL_RESERVED_PLEN };

	if (ctx->reserved.len != 0)
		r = ctx->reserved;
	return r;
}

/*
 * Issue 13 §1: the gateway numbers each tenant namespace's veth /30 from
 * its reserved range, so a BGP address in it would answer on the wrong
 * interface (or shadow the egress next hop) inside the namespace.
 */
static bool
vs_not_reserved(struct vstate *vs, const struct model_ctx *ctx,
    const char *f, uint32_t a)
{
	struct model_prefix r = vs_reserved(ctx), one = { a, 32 };
	char ip[IP4_STRLEN], rs[MODEL_PREFIX_STRLEN];

	if (!model_prefix_overlap(&r, &one))
		return true;
	vs_err(vs, f, "%s %s is not allowed: %s is reserved by the gateway "
	    "for tenant egress transfer networks", f, ip4_fmt(a, ip),
	    model_prefix_fmt(&r, rs));
	return false;
}

/* system-facts §1.3; the gateway's own ASN is refused because BGP is eBGP. */
static void
vs_asn(struct vstate *vs, const struct model_ctx *ctx, json_int_t asn,
    uint32_t *out)
{
	const char *f = "bgpConfiguration.asn", *why = NULL;

	if (asn >= 65535 && asn <= 65551) {
		vs_err(vs, f, "asn %lld is reserved by IANA; a device ASN is "
		    "a 2-byte ASN from 1 to 65534", (long long)asn);
		return;
	}
	if (asn < 1 || asn > 65534) {
		vs_err(vs, f, "asn %lld is out of range: a device ASN is a "
		    "2-byte ASN from 1 to 65534", (long long)asn);
		return;
	}
	if ((uint32_t)asn == ctx->gateway_asn)
		why = "reserved: it is the gateway's ASN (eBGP needs the two "
		    "sides to differ)";
	else if (asn == MODEL_GATEWAY_ASN)
		why = "reserved: it is the Global Secure Access gateway ASN";
	else if (asn == 8075 || asn == 8076 || asn == 12076 ||
	    (asn >= 65517 && asn <= 65520))
		why = "reserved by Azure";
	else if (asn == 23456)
		why = "reserved by IANA (AS_TRANS, RFC 6793)";
	else if (asn >= 64496 && asn <= 64511)
		why = "reserved by IANA (documentation, RFC 5398)";
	if (why != NULL) {
		vs_err(vs, f, "asn %lld is %s", (long long)asn, why);
		return;
	}
	*out = (uint32_t)asn;
}

static void
vs_bgp(struct vstate *vs, const json_t *j, const struct model_ctx *ctx,
    struct model_link *out)
{
	static const char *const allowed[] = {
		"localIpAddress", "peerIpAddress", "asn", NULL
	};
	const char *o = "bgpConfiguration";
	const json_t *b;
	json_int_t asn;
	char a[IP4_STRLEN];

	if ((b = vs_object(vs, j, o)) == NULL)
		return;
	vs_members(vs, b, o, allowed);
	if (vs_ip(vs, b, o, "localIpAddress", true, IP_BGP, &out->bgp_local))
		vs_not_reserved(vs, ctx, "bgpConfiguration.localIpAddress",
		    out->bgp_local);
	if (vs_ip(vs, b, o, "peerIpAddress", true, IP_BGP, &out->bgp_peer))
		vs_not_reserved(vs, ctx, "bgpConfiguration.peerIpAddress",
		    out->bgp_peer);
	if (out->bgp_local != 0 && out->bgp_local == out->bgp_peer)
		vs_err(vs, "bgpConfiguration.peerIpAddress",
		    "bgpConfiguration.peerIpAddress %s must differ from "
		    "localIpAddress: one is the gateway's BGP address, the "
		    "other the device's", ip4_fmt(out->bgp_peer, a));
	if (vs_int(vs, b, o, "asn", &asn))
		vs_asn(vs, ctx, asn, &out->asn);
}

static void
vs_redundancy(struct vstate *vs, const json_t *j, const struct model_ctx *ctx,
    struct model_link *out)
{
	static const char *const allowed[] = {
		"redundancyTier", "zoneLocalIpAddress", NULL
	};
	const char *o = "redundancyConfiguration";
	const char *zf = "redundancyConfiguration.zoneLocalIpAddress";
	const json_t *r;
	uint32_t zl = 0;
	char a[IP4_STRLEN];

	out->redundancy = -1;
	if ((r = vs_object(vs, j, o)) == NULL)
		return;
	vs_members(vs, r, o, allowed);
	out->redundancy = vs_enum(vs, r, o, &model_redundancy_enum, true, -1);
	switch (out->redundancy) {
	case MODEL_RED_ZONE:
		/* §1.8: the second tunnel terminates in a second zone. */
		if (ctx->endpoint[1] == 0)
			vs_err(vs, "redundancyConfiguration.redundancyTier",
			    "zoneRedundancy needs a second gateway zone; this "
			    "gateway has none (start branchgated with "
			    "--endpoint 2=IPV4)");
		if (!vs_ip(vs, r, o, "zoneLocalIpAddress", true, IP_BGP, &zl) ||
		    !vs_not_reserved(vs, ctx, zf, zl))
			break;
		/* §1.4: the zone tunnel needs its own BGP address. */
		if (zl == out->bgp_local)
			vs_err(vs, zf, "%s %s must differ from "
			    "bgpConfiguration.localIpAddress", zf,
			    ip4_fmt(zl, a));
		else if (zl == out->bgp_peer)
			vs_err(vs, zf, "%s %s must differ from "
			    "bgpConfiguration.peerIpAddress", zf,
			    ip4_fmt(zl, a));
		else
			out->zone_local = zl;
		break;
	case MODEL_RED_NONE:
		if (vs_member(r, "zoneLocalIpAddress") != NULL)
			vs_err(vs, zf, "%s must be null with noRedundancy: it "
			    "is the BGP address of the second zone's tunnel",
			    zf);
		break;
	default:
		/* Tier already reported; still check the address's form. */
		vs_ip(vs, r, o, "zoneLocalIpAddress", false, IP_BGP, &zl);
		break;
	}
}

/*
 * staticSourcePrefixes (a branchgate extension, not in Graph): source
 * prefixes the gateway accepts from the link's tunnels besides its BGP
 * peer address and the prefixes its BGP session got accepted. /8 is the
 * widest, so that one branch cannot claim most of the address space, and
 * 0.0.0.0/0 would switch the spoofed-source check off altogether.
 */
static void
vs_src_prefixes(struct vstate *vs, const json_t *j,
    const struct model_ctx *ctx, struct model_link *out)
{
	const char *f = "staticSourcePrefixes", *s;
	struct model_prefix p, r = vs_reserved(ctx);
	char path[PATH_LEN], a[MODEL_PREFIX_STRLEN], rs[MODEL_PREFIX_STRLEN];
	size_t i, k, n, at[MODEL_SRC_PREFIXES_MAX] = { 0 };
	const json_t *arr, *v;
	int rc;

	if ((arr = vs_member(j, f)) == NULL)
		return;
	if (!json_is_array(arr)) {
		vs_err(vs, f, "%s must be an array of IPv4 prefixes such as "
		    "\"192.168.50.0/24\", not %s", f, vs_kind(arr));
		return;
	}
	if ((n = json_array_size(arr)) > MODEL_SRC_PREFIXES_MAX) {
		vs_err(vs, f, "%s has %zu entries: at most %d are allowed", f,
		    n, MODEL_SRC_PREFIXES_MAX);
		return;
	}
	for (i = 0; i < n; i++) {
		v = json_array_get(arr, i);
		snprintf(path, sizeof(path), "%s[%zu]", f, i);
		if (!json_is_string(v)) {
			vs_err(vs, path, "%s must be a string such as "
			    "\"192.168.50.0/24\", not %s", path, vs_kind(v));
			continue;
		}
		s = json_string_value(v);
		rc = strlen(s) != json_string_length(v) ? -1 :
		    model_prefix_parse(s, &p);
		if (rc == -1)
			vs_err(vs, path, "%s: '%.64s' is not an IPv4 prefix in "
			    "CIDR notation (a.b.c.d/len)", path, s);
		else if (p.len == 0)
			vs_err(vs, path, "%s: '%s' is not allowed: it would "
			    "accept any source address", path, s);
		else if (p.len < 8)
			vs_err(vs, path, "%s: '%s' is too wide: the prefix "
			    "length must be 8 to 32", path, s);
		else if (rc == MODEL_PREFIX_HOSTBITS)
			vs_err(vs, path, "%s: '%s' has host bits set (the "
			    "prefix is %s)", path, s, model_prefix_fmt(&p, a));
		else if (model_prefix_overlap(&p, &r))
			vs_err(vs, path, "%s: '%s' overlaps %s, reserved by "
			    "the gateway for tenant egress transfer networks",
			    path, s, model_prefix_fmt(&r, rs));
		else {
			for (k = 0; k < out->nsrc; k++)
				if (out->src[k].addr == p.addr &&
				    out->src[k].len == p.len)
					break;
			if (k < out->nsrc) {
				vs_err(vs, path, "%s: '%s' is already listed "
				    "as %s[%zu]", path, s, f, at[k]);
				continue;
			}
			at[out->nsrc] = i;
			out->src[out->nsrc++] = p;
		}
	}
}

/* Keys: printable ASCII, MODEL_PSK_MIN..MAX; the value is never echoed. */
static void
vs_psk(struct vstate *vs, const json_t *t, const char *key, bool required,
    char out[MODEL_PSK_MAX + 1])
{
	char f[PATH_LEN];
	const char *s;
	size_t i, len;
	bool bad = false;

	if ((s = vs_string(vs, t, "tunnelConfiguration", key, required)) ==
	    NULL)
		return;
	vs_path(f, "tunnelConfiguration", key);
	len = strlen(s);
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			bad = true;
	if (bad)
		vs_err(vs, f, "%s must be %d to %d printable characters (got "
		    "%zu bytes, some outside printable ASCII 0x20-0x7e)", key,
		    MODEL_PSK_MIN, MODEL_PSK_MAX, len);
	else if (len < MODEL_PSK_MIN)
		/*
		 * Stricter than Graph, on purpose (docs/api.md): whoever can
		 * pose as the gateway to the branch gets its AUTH payload
		 * and can try short keys offline (RFC 7296 §2.15).
		 */
		vs_err(vs, f, "%s must be %d to %d printable characters (got "
		    "%zu): a shorter key can be guessed offline by anyone who "
		    "can pose as the gateway to the branch", key, MODEL_PSK_MIN,
		    MODEL_PSK_MAX, len);
	else if (len > MODEL_PSK_MAX)
		vs_err(vs, f, "%s must be %d to %d printable characters "
		    "(got %zu)", key, MODEL_PSK_MIN, MODEL_PSK_MAX, len);
	else
		memcpy(out, s, len + 1);
}

/*
 * system-facts §1.6: phase 2 must be one AEAD pair or none/sha256. Phase 1
 * may mix freely, except that a GCM integrity (PRF) value needs the same
 * GCM cipher: Azure's rule that GCM uses one algorithm and key length.
 */
static void
vs_custom(struct vstate *vs, const json_t *t, struct model_tunnel *tun)
{
	static const struct { int enc, integ; } p2[] = {
		{ MODEL_IPSEC_ENC_GCMAES128, MODEL_IPSEC_INT_GCMAES128 },
		{ MODEL_IPSEC_ENC_GCMAES192, MODEL_IPSEC_INT_GCMAES192 },
		{ MODEL_IPSEC_ENC_GCMAES256, MODEL_IPSEC_INT_GCMAES256 },
		{ MODEL_IPSEC_ENC_NONE, MODEL_IPSEC_INT_SHA256 },
	};
	const char *o = "tunnelConfiguration";
	json_int_t life;
	size_t i;
	int need;

	if (vs_int(vs, t, o, "saLifeTimeSeconds", &life)) {
		/* §7.1: the official examples use 300, so 300 is accepted. */
		if (life < MODEL_SA_LIFETIME_MIN ||
		    life > MODEL_SA_LIFETIME_MAX)
			vs_err(vs, "tunnelConfiguration.saLifeTimeSeconds",
			    "saLifeTimeSeconds %lld is out of range: it must "
			    "be %d to %d seconds", (long long)life,
			    MODEL_SA_LIFETIME_MIN, MODEL_SA_LIFETIME_MAX);
		else
			tun->sa_lifetime = life;
	}
	tun->ipsec_enc = vs_enum(vs, t, o, &model_ipsec_enc_enum, true, -1);
	tun->ipsec_int = vs_enum(vs, t, o, &model_ipsec_int_enum, true, -1);
	tun->ike_enc = vs_enum(vs, t, o, &model_ike_enc_enum, true, -1);
	tun->ike_int = vs_enum(vs, t, o, &model_ike_int_enum, true, -1);
	tun->dh = vs_enum(vs, t, o, &model_dh_enum, true, -1);
	tun->pfs = vs_enum(vs, t, o, &model_pfs_enum, true, -1);

	if (tun->ipsec_enc >= 0 && tun->ipsec_int >= 0) {
		for (i = 0; i < sizeof(p2) / sizeof(p2[0]); i++)
			if (p2[i].enc == tun->ipsec_enc &&
			    p2[i].integ == tun->ipsec_int)
				break;
		if (i == sizeof(p2) / sizeof(p2[0]))
			vs_err(vs, "tunnelConfiguration.ipSecIntegrity",
			    "ipSecEncryption '%s' with ipSecIntegrity '%s' is "
			    "not an allowed phase 2 pair; use gcmAes128/"
			    "gcmAes128, gcmAes192/gcmAes192, gcmAes256/"
			    "gcmAes256 or none/sha256",
			    model_enum_name(&model_ipsec_enc_enum,
			    tun->ipsec_enc),
			    model_enum_name(&model_ipsec_int_enum,
			    tun->ipsec_int));
	}
	if (tun->ike_enc >= 0 && tun->ike_int >= 0) {
		need = -1;
		if (tun->ike_int == MODEL_IKE_INT_GCMAES128)
			need = MODEL_IKE_ENC_GCMAES128;
		else if (tun->ike_int == MODEL_IKE_INT_GCMAES256)
			need = MODEL_IKE_ENC_GCMAES256;
		if (need != -1 && tun->ike_enc != need)
			vs_err(vs, "tunnelConfiguration.ikeIntegrity",
			    "ikeIntegrity '%s' needs ikeEncryption '%s' (got "
			    "'%s'): GCM uses the same algorithm and key length "
			    "for both",
			    model_enum_name(&model_ike_int_enum, tun->ike_int),
			    model_enum_name(&model_ike_enc_enum, need),
			    model_enum_name(&model_ike_enc_enum,
			    tun->ike_enc));
	}
}

static void
vs_tunnel(struct vstate *vs, const json_t *j, struct model_link *out)
{
	static const char *const common[] = {
		"preSharedKey", "zoneRedundancyPreSharedKey", NULL
	};
	static const char *const custom[] = {
		"saLifeTimeSeconds", "ipSecEncryption", "ipSecIntegrity",
		"ikeEncryption", "ikeIntegrity", "dhGroup", "pfsGroup", NULL
	};
	const char *o = "tunnelConfiguration";
	const char *zf = "tunnelConfiguration.zoneRedundancyPreSharedKey";
	char f[PATH_LEN];
	const json_t *t, *v;
	const char *key, *type;
	json_t *m;
	int kind;		/* 0 default, 1 custom, -1 unknown */

	if ((t = vs_object(vs, j, o)) == NULL)
		return;
	kind = 0;
	if ((v = vs_member(t, "@odata.type")) != NULL) {
		if (!json_is_string(v))
			kind = -1;	/* reported by vs_members below */
		else if (strcmp((type = json_string_value(v)),
		    MODEL_ODATA_CUSTOM) == 0)
			kind = 1;
		else if (strcmp(type, MODEL_ODATA_DEFAULT) != 0) {
			kind = -1;
			vs_err(vs, "tunnelConfiguration.@odata.type",
			    "tunnelConfiguration.@odata.type '%.96s' is not "
			    "supported; use '" MODEL_ODATA_DEFAULT "' or '"
			    MODEL_ODATA_CUSTOM "'", type);
		}
	}
	json_object_foreach(vs_unconst(t), key, m) {
		if (strcmp(key, "@odata.type") == 0) {
			if (!json_is_string(m) && !json_is_null(m))
				vs_err(vs, vs_path(f, o, key), "%s must be a "
				    "string, not %s", f, vs_kind(m));
		} else if (vs_in(key, common))
			continue;
		else if (vs_in(key, custom)) {
			if (kind == 0)
				vs_err(vs, vs_path(f, o, key),
				    "unknown property '%s': only '"
				    MODEL_ODATA_CUSTOM "' has it", key);
		} else
			vs_err(vs, vs_path(f, o, key),
			    "unknown property '%.64s'", key);
	}
	out->tunnel.custom = kind == 1;

	vs_psk(vs, t, "preSharedKey", true, out->tunnel.psk);
	v = vs_member(t, "zoneRedundancyPreSharedKey");
	if (out->redundancy == MODEL_RED_ZONE)
		/*
		 * §1.8: the zone tunnel has its own key, if given; Graph's own
		 * example leaves it out, and zone 2 then uses preSharedKey.
		 */
		vs_psk(vs, t, "zoneRedundancyPreSharedKey", false,
		    out->tunnel.zone_psk);
	else if (out->redundancy == MODEL_RED_NONE && v != NULL)
		vs_err(vs, zf, "%s must be null with noRedundancy: there is "
		    "no zone tunnel to use it", zf);
	else if (v != NULL)
		vs_psk(vs, t, "zoneRedundancyPreSharedKey", false,
		    out->tunnel.zone_psk);

	if (kind == 1)
		vs_custom(vs, t, &out->tunnel);
}

int
model_rn_from_json(const json_t *j, const char *prefix, struct model_rn *out,
    struct model_errs *errs)
{
	static const char *const allowed[] = {
		"@odata.context", "id", "version", "lastModifiedDateTime",
		"name", "region", "deviceLinks", "forwardingProfiles", NULL
	};
	struct vstate vs = { prefix ? prefix : "", errs, 0 };
	const json_t *v;

	memset(out, 0, sizeof(*out));
	if (j == NULL || !json_is_object(j)) {
		vs_err(&vs, "", "a remote network must be a JSON object, not "
		    "%s", j ? vs_kind(j) : "nothing");
		return -1;
	}
	vs_members(&vs, j, "", allowed);
	vs_name(&vs, j, out->name);
	out->region = vs_enum(&vs, j, "", &model_region_enum, true, -1);
	/* The API layer parses these; here only their JSON type matters. */
	if ((v = json_object_get(j, "deviceLinks")) != NULL &&
	    !json_is_array(v))
		vs_err(&vs, "deviceLinks", "deviceLinks must be an array, "
		    "not %s", vs_kind(v));
	if ((v = json_object_get(j, "forwardingProfiles")) != NULL &&
	    !json_is_array(v))
		vs_err(&vs, "forwardingProfiles", "forwardingProfiles must be "
		    "an array, not %s", vs_kind(v));
	if (vs.nerr != 0)
		return -1;
	snprintf(out->version, sizeof(out->version), "%s", MODEL_VERSION);
	return 0;
}

int
model_link_from_json(const json_t *j, const struct model_ctx *ctx,
    const char *prefix, struct model_link *out, struct model_errs *errs)
{
	/* Read-only members are ignored: clients round-trip GET objects. */
	static const char *const allowed[] = {
		"@odata.context", "id", "version", "lastModifiedDateTime",
		"name", "ipAddress", "deviceVendor", "bandwidthCapacityInMbps",
		"bgpConfiguration", "redundancyConfiguration",
		"tunnelConfiguration", "staticSourcePrefixes", NULL
	};
	struct vstate vs = { prefix ? prefix : "", errs, 0 };

	if (ctx == NULL)
		ctx = &vs_default_ctx;
	memset(out, 0, sizeof(*out));
	if (j == NULL || !json_is_object(j)) {
		vs_err(&vs, "", "a device link must be a JSON object, not %s",
		    j ? vs_kind(j) : "nothing");
		return -1;
	}
	vs_members(&vs, j, "", allowed);
	vs_name(&vs, j, out->name);
	vs_ip(&vs, j, "", "ipAddress", true, IP_UNICAST, &out->ip);
	out->vendor = vs_enum(&vs, j, "", &model_vendor_enum, true, -1);
	out->bandwidth = vs_enum(&vs, j, "", &model_bandwidth_enum, false,
	    MODEL_BW_250);
	vs_bgp(&vs, j, ctx, out);
	vs_redundancy(&vs, j, ctx, out);
	vs_src_prefixes(&vs, j, ctx, out);
	vs_tunnel(&vs, j, out);
	if (vs.nerr != 0)
		goto fail;
	snprintf(out->version, sizeof(out->version), "%s", MODEL_VERSION);
	return 0;
fail:
	model_link_wipe(out);
	return -1;
}

/* Does a hold one of o's BGP addresses? */
static bool
vs_bgp_uses(const struct model_link *o, uint32_t a)
{
	return a == o->bgp_local || a == o->bgp_peer ||
	    (o->redundancy == MODEL_RED_ZONE && a == o->zone_local);
}

int
model_link_check_unique(const struct model_link *l,
    const struct model_link *others, size_t n, const char *prefix,
    struct model_errs *errs)
{
	struct vstate vs = { prefix ? prefix : "", errs, 0 };
	const struct {
		const char	*field;
		uint32_t	 a;
	} mine[] = {
		{ "bgpConfiguration.localIpAddress", l->bgp_local },
		{ "bgpConfiguration.peerIpAddress", l->bgp_peer },
		{ "redundancyConfiguration.zoneLocalIpAddress",
		    l->redundancy == MODEL_RED_ZONE ? l->zone_local : 0 },
	};
	const struct model_link *o;
	char a[IP4_STRLEN];
	size_t i, k;

	for (k = 0; k < sizeof(mine) / sizeof(mine[0]); k++) {
		if (mine[k].a == 0)
			continue;
		for (i = 0; i < n; i++) {
			o = &others[i];
			/*
			 * A link not yet stored has no id; only a real id
			 * can name its own old version.
			 */
			if (o == l || (l->id[0] != '\0' &&
			    strcmp(o->id, l->id) == 0))
				continue;
			if (!vs_bgp_uses(o, mine[k].a))
				continue;
			if (o->id[0] != '\0')
				vs_err(&vs, mine[k].field, "%s %s is already "
				    "used by device link '%.128s' (id %s)",
				    mine[k].field, ip4_fmt(mine[k].a, a),
				    o->name, o->id);
			else
				vs_err(&vs, mine[k].field, "%s %s is already "
				    "used by device link '%.128s'",
				    mine[k].field, ip4_fmt(mine[k].a, a),
				    o->name);
			break;
		}
	}
	return vs.nerr != 0 ? -1 : 0;
}
