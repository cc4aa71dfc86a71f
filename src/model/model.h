/*
 * model.h - remote networks, device links and forwarding profiles: the typed
 * objects of the management plane, their Graph enum strings, JSON mapping and
 * validation (../shared/reference/system-facts.md §1-3). Pure functions, no
 * I/O: the API, the store and the CPE generators all build on these types.
 *
 * Addresses are IPv4 in host byte order. Secrets (pre-shared keys) live only
 * in struct model_tunnel; call model_link_wipe() before freeing a link.
 */
#ifndef MODEL_H
#define MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define MODEL_ID_LEN		36	/* GUID text form */
#define MODEL_NAME_MAX		256	/* bytes of UTF-8 */
#define MODEL_PSK_MIN		8
#define MODEL_PSK_MAX		256
#define MODEL_RN_MAX		10	/* remote networks per tenant */
#define MODEL_LINKS_MAX		4	/* device links per remote network */
#define MODEL_ZONES_MAX		2	/* gateway availability zones */
#define MODEL_SA_LIFETIME_MIN	300	/* seconds; system-facts §7.1 */
#define MODEL_SA_LIFETIME_MAX	172800
#define MODEL_SRC_PREFIXES_MAX	16	/* staticSourcePrefixes per link */
#define MODEL_GATEWAY_ASN	65476	/* GSA-side ASN, system-facts §1.3 */
#define MODEL_VERSION		"1.0.0"
#define MODEL_ODATA_DEFAULT	"#microsoft.graph.networkaccess.tunnelConfigurationIKEv2Default"
#define MODEL_ODATA_CUSTOM	"#microsoft.graph.networkaccess.tunnelConfigurationIKEv2Custom"

/*
 * A Graph string enum: names[i] is the wire spelling of value i, in Graph's
 * order (system-facts §1.2, §1.7, §3.4). "unknownFutureValue" is never a
 * valid input and is not in these tables.
 */
struct model_enum {
	const char	*type;		/* for messages: "region" */
	const char *const *names;
	size_t		 count;
};

extern const struct model_enum model_region_enum;
extern const struct model_enum model_vendor_enum;
extern const struct model_enum model_bandwidth_enum;
extern const struct model_enum model_redundancy_enum;
extern const struct model_enum model_ike_enc_enum;
extern const struct model_enum model_ike_int_enum;
extern const struct model_enum model_dh_enum;
extern const struct model_enum model_ipsec_enc_enum;
extern const struct model_enum model_ipsec_int_enum;
extern const struct model_enum model_pfs_enum;

/* Exact, case-sensitive match; -1 if s is not a value of e. */
int		 model_enum_parse(const struct model_enum *e, const char *s);
/* NULL if v is out of range. */
const char	*model_enum_name(const struct model_enum *e, int v);

/* The values code depends on; they index the tables above. */
enum model_bandwidth { MODEL_BW_250, MODEL_BW_500, MODEL_BW_750, MODEL_BW_1000 };
enum model_redundancy { MODEL_RED_NONE, MODEL_RED_ZONE };
enum model_ike_enc {
	MODEL_IKE_ENC_AES128, MODEL_IKE_ENC_AES192, MODEL_IKE_ENC_AES256,
	MODEL_IKE_ENC_GCMAES128, MODEL_IKE_ENC_GCMAES256
};
enum model_ike_int {
	MODEL_IKE_INT_SHA256, MODEL_IKE_INT_SHA384,
	MODEL_IKE_INT_GCMAES128, MODEL_IKE_INT_GCMAES256
};
enum model_dh {
	MODEL_DH_GROUP14, MODEL_DH_GROUP24, MODEL_DH_GROUP2048,
	MODEL_DH_ECP256, MODEL_DH_ECP384
};
enum model_ipsec_enc {
	MODEL_IPSEC_ENC_NONE, MODEL_IPSEC_ENC_GCMAES128,
	MODEL_IPSEC_ENC_GCMAES192, MODEL_IPSEC_ENC_GCMAES256
};
enum model_ipsec_int {
	MODEL_IPSEC_INT_GCMAES128, MODEL_IPSEC_INT_GCMAES192,
	MODEL_IPSEC_INT_GCMAES256, MODEL_IPSEC_INT_SHA256
};
enum model_pfs {
	MODEL_PFS_NONE, MODEL_PFS_1, MODEL_PFS_2, MODEL_PFS_14, MODEL_PFS_24,
	MODEL_PFS_2048, MODEL_PFS_MM, MODEL_PFS_ECP256, MODEL_PFS_ECP384
};

/* An IPv4 prefix, host order, host bits zero. */
struct model_prefix {
	uint32_t	addr;
	uint8_t		len;
};

/*
 * The gateway's reserved range by default: the egress transfer range of
 * src/net/egress.h (EGRESS_TRANSFER_NET/PLEN, which test_model.c checks),
 * from which each tenant namespace gets a /30 to the daemon. A BGP address
 * or source prefix inside it would collide with those veth addresses.
 */
#define MODEL_RESERVED_NET	0x0afff000u	/* 10.255.240.0 */
#define MODEL_RESERVED_PLEN	20

/* The gateway side that validation and "view configuration" depend on. */
struct model_ctx {
	uint32_t	gateway_asn;			/* default 65476 */
	uint32_t	endpoint[MODEL_ZONES_MAX];	/* zone i+1; 0 = absent */
	/*
	 * --reserved-range: no BGP address and no staticSourcePrefixes entry
	 * may fall in it. len 0 means MODEL_RESERVED_NET/PLEN, so a context
	 * that leaves it out still gets the gateway's real default.
	 */
	struct model_prefix reserved;
};

struct model_tunnel {
	bool		custom;		/* IKEv2Custom vs IKEv2Default */
	char		psk[MODEL_PSK_MAX + 1];
	char		zone_psk[MODEL_PSK_MAX + 1];	/* "" if none */
	/* Custom policy only (zero for the default policy): */
	int64_t		sa_lifetime;		/* seconds */
	int		ike_enc;		/* enum model_ike_enc */
	int		ike_int;		/* enum model_ike_int */
	int		dh;			/* enum model_dh */
	int		ipsec_enc;		/* enum model_ipsec_enc */
	int		ipsec_int;		/* enum model_ipsec_int */
	int		pfs;			/* enum model_pfs */
};

struct model_link {
	char		id[MODEL_ID_LEN + 1];
	char		rn_id[MODEL_ID_LEN + 1];
	char		name[MODEL_NAME_MAX + 1];
	uint32_t	ip;			/* CPE public IPv4 (ipAddress) */
	int		vendor;			/* model_vendor_enum */
	int		bandwidth;		/* enum model_bandwidth */
	uint32_t	bgp_local;		/* gateway BGP address */
	uint32_t	bgp_peer;		/* CPE BGP address */
	uint32_t	asn;			/* CPE ASN */
	int		redundancy;		/* enum model_redundancy */
	uint32_t	zone_local;		/* 0 unless zoneRedundancy */
	/*
	 * staticSourcePrefixes (a branchgate extension, not in Graph): source
	 * prefixes the branch may send from besides its BGP peer address and
	 * the prefixes its BGP session got accepted (source check on
	 * decrypted packets, docs/dataplane.md).
	 */
	struct model_prefix src[MODEL_SRC_PREFIXES_MAX];
	unsigned	nsrc;
	struct model_tunnel tunnel;
	char		version[16];
	int64_t		modified_ms;		/* lastModifiedDateTime */
};

struct model_rn {
	char		id[MODEL_ID_LEN + 1];
	char		name[MODEL_NAME_MAX + 1];
	int		region;			/* model_region_enum */
	char		version[16];
	int64_t		modified_ms;
};

/* Built-in forwarding profiles (system-facts §3.5); ids are per tenant. */
enum model_fwd_traffic { MODEL_TRAFFIC_M365, MODEL_TRAFFIC_INTERNET, MODEL_TRAFFIC_PRIVATE };

struct model_profile {
	char		id[MODEL_ID_LEN + 1];
	char		name[MODEL_NAME_MAX + 1];
	int		traffic;		/* enum model_fwd_traffic */
	int		priority;
	bool		enabled;
	char		version[16];
	int64_t		modified_ms;
};

/*
 * Validation problems, collected so that one response can list them all
 * (user-asks #14). target is the JSON path ("deviceLinks[0].bgpConfiguration.asn");
 * message names the field and the offending value, never a secret's value.
 */
#define MODEL_ERRS_MAX	16

struct model_err {
	char		target[128];
	char		message[384];
};

struct model_errs {
	size_t		count;		/* may exceed MODEL_ERRS_MAX: extras dropped */
	struct model_err err[MODEL_ERRS_MAX];
};

void	model_errs_add(struct model_errs *, const char *target,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Parsing + validation of client JSON (POST bodies). Unknown members and
 * members of the wrong JSON type are errors; "@odata.type" is allowed where
 * Graph has it. prefix is prepended to every error target ("" at top level).
 * Read-only members (id, version, lastModifiedDateTime, @odata.context) are
 * ignored. Return 0 when valid, -1 with errs filled otherwise. id, version
 * and modified_ms are left for the caller to set.
 */
int	model_rn_from_json(const json_t *j, const char *prefix,
	    struct model_rn *out, struct model_errs *errs);
int	model_link_from_json(const json_t *j, const struct model_ctx *ctx,
	    const char *prefix, struct model_link *out, struct model_errs *errs);

/*
 * PATCH: apply a partial JSON object to cur, re-validate the result as a
 * whole into out. Read-only members (id, version, lastModifiedDateTime,
 * @odata.context) are ignored, whatever their value, as on create. A
 * remote network's region cannot change.
 * A tunnelConfiguration patch that omits preSharedKey keeps the stored key.
 */
int	model_rn_patch(const struct model_rn *cur, const json_t *patch,
	    struct model_rn *out, struct model_errs *errs);
int	model_link_patch(const struct model_link *cur, const json_t *patch,
	    const struct model_ctx *ctx, struct model_link *out,
	    struct model_errs *errs);

/*
 * Rules that need the tenant's other links: BGP addresses (local, peer,
 * zone local) unique across all of the tenant's links. Links with l->id
 * are skipped, so an updated link does not collide with its old self.
 */
int	model_link_check_unique(const struct model_link *l,
	    const struct model_link *others, size_t n, const char *prefix,
	    struct model_errs *errs);

/*
 * IPv4 prefixes in CIDR text (model_prefix.c). Parsing is strict: a dotted
 * quad as ip4_parse() takes it, '/', a decimal length 0..32 without leading
 * zeros. MODEL_PREFIX_HOSTBITS: well formed but with host bits set; out
 * then holds the prefix with them cleared, for the message.
 */
#define MODEL_PREFIX_STRLEN	19	/* "255.255.255.255/32" + NUL */
#define MODEL_PREFIX_HOSTBITS	(-2)

int	model_prefix_parse(const char *s, struct model_prefix *out);
const char *model_prefix_fmt(const struct model_prefix *,
	    char buf[MODEL_PREFIX_STRLEN]);
bool	model_prefix_overlap(const struct model_prefix *,
	    const struct model_prefix *);

/*
 * A link's staticSourcePrefixes as the store keeps them: canonical CIDR
 * texts joined by ',' in the client's order, "" for none. _parse refuses
 * anything _fmt would not have written (and more than the maximum).
 */
#define MODEL_PREFIXES_STRLEN	(MODEL_SRC_PREFIXES_MAX * MODEL_PREFIX_STRLEN)

/*
 * Which zones' tunnels a change from a to b of one link invalidates:
 * MODEL_ZONE1 and/or MODEL_ZONE2 (0: none). Address or policy: both; a
 * zone's key, or the redundancy tier (zone 2): that zone.
 */
#define MODEL_ZONE1	1u
#define MODEL_ZONE2	2u
unsigned model_link_zones_changed(const struct model_link *a,
	    const struct model_link *b);

int	model_prefixes_fmt(const struct model_link *, char *buf, size_t size);
int	model_prefixes_parse(const char *s, struct model_link *);

/*
 * Graph JSON. Secrets are written only when with_secrets is true (the
 * store, CPE generators); API responses always pass false and get null.
 */
json_t	*model_rn_to_json(const struct model_rn *);
json_t	*model_link_to_json(const struct model_link *, bool with_secrets);
json_t	*model_profile_to_json(const struct model_profile *);
/* system-facts §2.2: one localConfiguration per zone a link uses. */
json_t	*model_connectivity_to_json(const struct model_ctx *,
	    const struct model_rn *, const struct model_link *links, size_t n);
/* ep[i]: link i's zone endpoints (the nodes it is placed on); NULL: ctx's. */
json_t	*model_connectivity_to_json_ep(const struct model_ctx *,
	    const struct model_rn *, const struct model_link *, size_t n,
	    const uint32_t (*ep)[MODEL_ZONES_MAX]);
/*
 * explicit_bzero every string in a tree, for with_secrets trees right
 * before json_decref (jansson frees string buffers without clearing them).
 */
void	model_json_scrub(json_t *);

/* The built-in profiles a new tenant gets (ids left empty). */
size_t	model_profiles_builtin(struct model_profile *out, size_t max);

/* IANA DH group number of a dh / pfs value; 0 for none. */
int	model_dh_iana(int dh);
int	model_pfs_iana(int pfs);

/* One BGP session of a device link (one per zone it uses), for the status. */
struct model_link_bgp {
	bool		present;	/* the gateway runs a session for it */
	char		state[16];	/* idle, connect, active, openSent, ... */
	uint32_t	local_ip, peer_ip, peer_asn;
	int64_t		established_ms;	/* wall clock; 0 unless established */
	uint64_t	received;	/* prefixes in the Adj-RIB-In */
	uint64_t	learned;	/* of those, installed (import policy) */
	uint64_t	advertised;
	uint64_t	rejected;	/* refused by the import policy, all reasons */
	/* UPDATEs the RFC 7606 error handling treated as withdrawn (§2) */
	uint64_t	treat_as_withdraw;
	struct {
		char	 key[24];	/* bgp_policy_verdict_key(): "martian" ... */
		uint64_t n;
	}		reject[12];	/* the reasons with a count, in enum order */
	unsigned	nreject;
	char		bfd_state[12];	/* "" = the branch runs no BFD */
	uint64_t	bfd_detect_ms, bfd_tx_ms;
	char		last_error[192];	/* "" = none; no secrets */
};

/* One tunnel (the newest established IKE SA) of a device link in one zone. */
struct model_link_tunnel {
	bool		connected;
	uint32_t	local_ip;	/* the zone's gateway endpoint */
	uint32_t	remote_ip;
	uint16_t	remote_port;
	bool		udp_encap;	/* ESP in UDP (RFC 3948), else over IP */
	char		ike_suite[64], esp_suite[64];
	int64_t		established_ms;	/* wall clock, fixed when it came up */
	unsigned	child_sas;
};

/*
 * A device link's live state on this gateway, for GET .../deviceLinks/{id}/
 * status: filled by the gateway (gw_link_status), shaped by the API.
 */
struct model_link_status {
	bool		connected;	/* an IKE SA is established (any zone) */
	bool		dataplane;	/* the ESP data plane runs */
	/* [zone - 1]: zone-redundant links have one tunnel per zone. */
	struct model_link_tunnel tunnel[MODEL_ZONES_MAX];
	uint64_t	in_packets, in_bytes, out_packets, out_bytes;
	uint64_t	replay, auth_failed, malformed;
	uint64_t	spoofed;	/* authentic, source not the link's (uRPF) */
	struct model_link_bgp bgp[MODEL_ZONES_MAX];	/* [zone - 1] */
	/*
	 * Why the link is not passing traffic, first cause first (gw.c):
	 * "ok", "noTunnel", "proposalMismatch", "authenticationFailed",
	 * "noChildSa", "bgpDown", "noRoutesAccepted", "noProfile"; and one
	 * sentence saying what to look at.
	 */
	char		reason[24];
	char		reason_detail[320];
};

/*
 * One route of a device link's BGP sessions, for GET .../deviceLinks/{id}/
 * routes: received from the branch (with what became of it) or advertised
 * by us.
 */
struct model_link_route {
	uint8_t		zone;		/* 1 or 2 */
	bool		advertised;	/* ours; else received from the branch */
	uint32_t	addr;
	uint8_t		len;
	/* received only: */
	uint32_t	nexthop, path_len, origin_as, med;
	bool		has_med;
	/* "installed", "stale" (kept over a restart), "refused" */
	char		state[12];
	char		reason[24];	/* refused: bgp_policy_verdict_key() */
	/*
	 * installed: who carries the tenant's traffic to the prefix now, this
	 * link among them unless another ranks better (ECMP, docs/bgp.md).
	 */
	struct {
		char	link_id[MODEL_ID_LEN + 1];
		uint8_t	zone;		/* 0: the link as a whole */
		bool	up;		/* its tunnel (that zone's) is up */
	}		member[8];	/* ESP_TABLE_ECMP_MAX */
	unsigned	nmember;
};

/* explicit_bzero of the pre-shared keys. */
void	model_link_wipe(struct model_link *);
void	model_links_free(struct model_link *links, size_t n);

#endif
