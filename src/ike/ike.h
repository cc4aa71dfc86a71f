/*
 * ike.h - the IKEv2 engine (RFC 7296), sans-IO: datagrams and time go in,
 * datagrams, SA installs and events come out through callbacks. No socket,
 * no clock, no store access in here: the daemon (gw/, net/) owns those, and
 * tests drive two engines against each other in one process.
 *
 * One engine holds every IKE SA of a process, in both roles: the gateway is a
 * responder only (it never initiates to a branch); the initiator role serves
 * tests, benchmarks and the CPE role.
 *
 * Addresses are IPv4, host byte order; ports host order. Datagrams handed to
 * ike_input() and to cb->send() are bare IKE messages: on UDP 4500 the
 * caller strips / adds the 4-byte non-ESP marker (RFC 3948 §2.2).
 */
#ifndef IKE_H
#define IKE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "monotime.h"

struct ike_engine;

struct ike_endpoint {
	uint32_t	ip;
	uint16_t	port;
};

/*
 * What the engine needs to know of a device link (the peer). The tunnel
 * policy is the link's tunnelConfiguration; zone (1 or 2) picks the key:
 * tunnel.psk for zone 1, tunnel.zone_psk for zone 2. The engine copies the
 * struct and wipes its copy when the SA goes away.
 */
struct ike_peer_cfg {
	char		tenant_id[MODEL_ID_LEN + 1];
	char		rn_id[MODEL_ID_LEN + 1];
	char		link_id[MODEL_ID_LEN + 1];
	char		name[MODEL_NAME_MAX + 1];	/* for log lines */
	int		zone;
	uint32_t	cpe_ip;		/* link ipAddress: the expected IDi (ID_IPV4_ADDR) */
	uint32_t	gw_ip;		/* gateway endpoint of the zone: our IDr */
	struct model_tunnel tunnel;
};

/* Keys and parameters of one CHILD_SA, handed to the ESP data plane. */
#define IKE_KEY_MAX	64

struct ike_child_sa {
	char		link_id[MODEL_ID_LEN + 1];
	int		zone;		/* the IKE SA's zone (1, 2) */
	uint32_t	spi_in;		/* we receive with this SPI */
	uint32_t	spi_out;	/* we send with this SPI */
	uint16_t	esp_encr;	/* IANA ENCR_* (20 = AES-GCM-16, 12 = AES-CBC, 11 = NULL) */
	uint16_t	esp_integ;	/* IANA AUTH_* (0 with AEAD, 12 = HMAC-SHA2-256-128) */
	uint16_t	key_bits;	/* encryption key size without salt */
	bool		esn;
	bool		udp_encap;	/* ESP-in-UDP 4500 (NAT detected or peer floated) */
	uint8_t		encr_in[IKE_KEY_MAX], encr_out[IKE_KEY_MAX];	/* key || salt */
	size_t		encr_len;
	uint8_t		integ_in[IKE_KEY_MAX], integ_out[IKE_KEY_MAX];
	size_t		integ_len;
	struct ike_endpoint local, remote;
	uint64_t	lifetime_s;	/* hard lifetime; the engine rekeys before */
};

enum ike_event_type {
	IKE_EV_TUNNEL_UP,	/* IKE SA and first CHILD SA established */
	IKE_EV_TUNNEL_DOWN,	/* IKE SA gone (DELETE, DPD timeout, link removed) */
	IKE_EV_REJECT,		/* a negotiation refused: see reason */
	IKE_EV_REKEYED,		/* IKE or CHILD SA replaced */
};

enum ike_reason {
	IKE_R_NONE,
	IKE_R_UNKNOWN_PEER,	/* no device link for (local endpoint, source) */
	IKE_R_NO_PROPOSAL,	/* detail: offered vs allowed */
	IKE_R_AUTH_FAILED,	/* wrong PSK or identity */
	IKE_R_TS_UNACCEPTABLE,
	IKE_R_PEER_DELETE,	/* the peer sent DELETE */
	IKE_R_LOCAL_DELETE,	/* we deleted (link removed, shutdown) */
	IKE_R_DEAD_PEER,	/* liveness check timed out */
	IKE_R_TIMEOUT,		/* half-open SA expired, retransmits exhausted */
};

struct ike_event {
	enum ike_event_type type;
	enum ike_reason	reason;
	const char	*link_id;	/* NULL for an unknown peer */
	const char	*rn_id;
	const char	*tenant_id;
	int		zone;		/* the link's zone (1, 2); 0 if unknown */
	struct ike_endpoint local, remote;
	const char	*detail;	/* one human line, never a key */
};

struct ike_callbacks {
	void	*arg;
	void	(*send)(void *arg, const struct ike_endpoint *local,
		    const struct ike_endpoint *remote, const uint8_t *pkt,
		    size_t len);
	/*
	 * Responder: the nth (0, 1, ...) device link that an IKE_SA_INIT
	 * arriving at local from remote may be for (by the link's ipAddress
	 * and the zone of the local endpoint). 0 with *out filled, -1 when
	 * there are no more (none at all: an unknown peer). Several links of
	 * different tenants may share a public address: the engine takes the
	 * first whose policy fits the offer at IKE_SA_INIT, and at IKE_AUTH
	 * the one whose pre-shared key verifies the AUTH payload, so no
	 * tenant can take another's branch by naming its address.
	 */
	int	(*lookup)(void *arg, const struct ike_endpoint *local,
		    const struct ike_endpoint *remote, unsigned nth,
		    struct ike_peer_cfg *out);
	/* Inbound SA is installed before the IKE_AUTH response leaves. */
	void	(*child_install)(void *arg, const struct ike_child_sa *);
	void	(*child_delete)(void *arg, const char *link_id,
		    uint32_t spi_in, uint32_t spi_out);
	void	(*event)(void *arg, const struct ike_event *);
	/* Random bytes (SPIs, nonces, IVs, DH secrets); NULL = OpenSSL RAND_bytes. */
	int	(*random)(void *arg, uint8_t *buf, size_t len);
	/*
	 * Optional (NULL = ignored): an installed CHILD SA's endpoints moved,
	 * because an authenticated IKE message came from a new address/port
	 * (the peer's NAT mapping changed, §2.23). Keys are unchanged.
	 */
	void	(*child_update)(void *arg, const char *link_id, uint32_t spi_in,
		    uint32_t spi_out, const struct ike_endpoint *local,
		    const struct ike_endpoint *remote, bool udp_encap);
};

/*
 * Engine knobs. Zero means "the default" for every field, so a zeroed
 * struct is the documented configuration and no field can fall into a
 * meaning by accident. The two non-default extremes are spelled out:
 * IKE_COOKIE_ALWAYS asks every IKE_SA_INIT for a cookie (tests), IKE_NEVER
 * turns retransmission or the liveness check off.
 */
#define IKE_COOKIE_ALWAYS	UINT_MAX
#define IKE_NEVER		UINT_MAX

struct ike_engine_cfg {
	unsigned	cookie_threshold;	/* half-open SAs before COOKIE (§2.6); default 64 */
	unsigned	half_open_per_source;	/* default 8 */
	unsigned	half_open_timeout_s;	/* default 30 */
	unsigned	retransmit_base_ms;	/* initiator: first timeout, doubled each try; default 500 */
	unsigned	retransmit_tries;	/* default 6; IKE_NEVER: no retransmission */
	unsigned	dpd_interval_s;		/* liveness check when idle; default 30; IKE_NEVER: none */
	uint64_t	ike_lifetime_s;		/* default 28800 (system-facts §1.6) */
	uint64_t	child_lifetime_s;	/* default policy; custom: saLifeTimeSeconds; default 3600 */
};

/* Fills the defaults named above (what a zeroed struct also means). */
void	ike_engine_cfg_defaults(struct ike_engine_cfg *);
/*
 * cfg NULL or zeroed = the defaults; a zero field gets its default. The
 * engine keeps the resolved values: cookie_threshold IKE_COOKIE_ALWAYS
 * becomes 0 there, IKE_NEVER becomes 0 tries / no liveness check.
 */
struct ike_engine *ike_engine_new(const struct ike_engine_cfg *,
	    const struct ike_callbacks *);
/* Deletes nothing on the wire; call ike_shutdown() first for that. */
void	ike_engine_free(struct ike_engine *);

/* A datagram received on local from remote. Never fails: bad input is counted, logged (rate-limited) and dropped. */
void	ike_input(struct ike_engine *, const struct ike_endpoint *local,
	    const struct ike_endpoint *remote, const uint8_t *pkt, size_t len,
	    monotime_t now);
/* Run due timers (retransmits, rekeys, liveness, expiry). */
void	ike_tick(struct ike_engine *, monotime_t now);
/* When ike_tick() must next run; MONOTIME_NEVER if nothing is due. */
monotime_t ike_next_deadline(const struct ike_engine *);

/* Initiator role: open an IKE SA + first CHILD SA to remote. */
int	ike_initiate(struct ike_engine *, const struct ike_peer_cfg *,
	    const struct ike_endpoint *local, const struct ike_endpoint *remote,
	    monotime_t now);
/* Tear down (with DELETE) every SA of a device link: the link was deleted or its key changed. */
void	ike_peer_remove(struct ike_engine *, const char *link_id, monotime_t now);
/* The same for the SAs of one zone (1, 2) of the link: that zone's key changed. */
void	ike_peer_remove_zone(struct ike_engine *, const char *link_id, int zone,
	    monotime_t now);
/* The same without a DELETE: the link's SAs vanish here only (CHILD SA
 * removal callbacks and the tunnel-down event still run), as when a branch
 * router reboots; its peer learns from the next IKE SA's INITIAL_CONTACT
 * (§2.4) or its liveness check. Used by bench_ike's reconnect storm. */
void	ike_peer_forget(struct ike_engine *, const char *link_id, monotime_t now);
/* DELETE every IKE SA (daemon shutdown). */
void	ike_shutdown(struct ike_engine *, monotime_t now);
/* Start a rekey now (tests, and the ESP data plane's lifetime signal). */
int	ike_rekey_child(struct ike_engine *, const char *link_id, monotime_t now);
int	ike_rekey_ike(struct ike_engine *, const char *link_id, monotime_t now);

/* Status for the API and metrics. */
struct ike_sa_status {
	char		link_id[MODEL_ID_LEN + 1];
	int		zone;		/* of the link's configuration (1, 2) */
	bool		established;
	bool		initiator;
	bool		nat_detected;
	bool		udp_encap;	/* what its CHILD SAs use (ike_child_sa) */
	struct ike_endpoint local, remote;
	char		ike_suite[64];	/* "aes256gcm16-prfsha384-modp2048s256" */
	char		esp_suite[64];
	monotime_t	established_at;
	unsigned	child_sas;
};
size_t	ike_status(const struct ike_engine *, struct ike_sa_status *out,
	    size_t max);
/*
 * Whether the link has a tunnel up in zone (an IKE SA whose tunnel-up was
 * reported and whose tunnel-down was not). Callable from the event
 * callback: during a tunnel-down event, that SA no longer counts.
 */
bool	ike_link_up(const struct ike_engine *, const char *link_id, int zone);

/* Counters: received, dropped by reason, cookies sent, ... */
struct ike_stats {
	uint64_t	rx, tx, rx_malformed, rx_unknown_spi, rx_auth_failed,
			rx_no_proposal, rx_unknown_peer, cookies_sent,
			half_open_dropped, retransmits, sa_established;
};
void	ike_get_stats(const struct ike_engine *, struct ike_stats *);

#endif
