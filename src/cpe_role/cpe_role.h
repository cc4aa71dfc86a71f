/*
 * cpe_role.h - branchgated --role cpe: the branch side of one tunnel. The
 * same IKE engine (as initiator), UDP front end, ESP tables and workers as
 * the gateway role, with one TUN device in the daemon's own network
 * namespace instead of per-tenant namespaces:
 *
 *   TUN (routes) --worker--> LPM -> link "cpe" -> ESP out --ESP--> gw
 *   gw --ESP--> worker (SPI steering) -> ESP in -> TUN
 *   (ESP: IP protocol 50, or UDP 4500 behind a NAT / with encap always)
 *
 * encap auto (default): IKE starts on the IKE port and moves to the NAT-T
 * port only if a NAT is detected (RFC 7296 §2.23); ESP then goes in UDP
 * (RFC 3948), else straight over IP (protocol 50). encap always: IKE
 * starts on the NAT-T port (§2.23 allows it from the beginning), so ESP is
 * always UDP-encapsulated, as strongSwan's encap = yes. Without raw ESP
 * sockets (no CAP_NET_RAW) auto behaves as always. It initiates again,
 * with back-off, whenever it has no IKE SA: the gateway never initiates.
 */
#ifndef CPE_ROLE_H
#define CPE_ROLE_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct cpe_role;

#define CPE_ROLE_ROUTES_MAX	8
#define CPE_ROLE_TUN_DEFAULT	"bgcpe0"

struct cpe_role_config {
	uint32_t	gateway;	/* gateway endpoint (its IDr) */
	uint32_t	local;		/* our public address (IDi), bound */
	uint16_t	ike_port;	/* the gateway's; we bind the same */
	uint16_t	natt_port;
	uint32_t	tunnel_addr;	/* inner (BGP) address on the TUN */
	struct model_tunnel tunnel;	/* PSK and policy */
	struct {
		uint32_t	prefix;
		uint8_t		plen;
	}		routes[CPE_ROLE_ROUTES_MAX];
	unsigned	nroutes;
	char		tun_name[16];
	unsigned	esp_workers;	/* 0: one per core */
	uint32_t	replay_window;	/* 0: ESP_REPLAY_DEFAULT */
	uint64_t	rekey_bytes;	/* CHILD SA; 0: time only */
	bool		encap_always;	/* encap always: IKE and ESP on NAT-T */
	/*
	 * Our own UDP ports; 0: the gateway's (ike_port, natt_port). Two CPE
	 * instances on one public address (one per zone of a zone-redundant
	 * link) need distinct ones.
	 */
	uint16_t	local_ike_port;
	uint16_t	local_natt_port;
	/* kernel-routes no: routes only select what is sealed; a routing
	 * daemon (BIRD, FRR) puts routes into the TUN. */
	bool		no_kernel_routes;
	/* Parse state: which keys were given. */
	bool		psk_set, custom_set[7];
};

/* Defaults (ports 500/4500, tun bgcpe0, default policy). */
void	cpe_role_config_init(struct cpe_role_config *);
/*
 * One 'key value' of the CPE role (config file or flag without the "--").
 * 0 taken, -1 bad value (said on stderr), 1 not a CPE key.
 */
int	cpe_role_config_set(struct cpe_role_config *, const char *key,
	    const char *val);
/* Missing or inconsistent keys, said on stderr; -1 if unusable. */
int	cpe_role_config_check(const struct cpe_role_config *);

/* Opens sockets, TUN and workers (root), then initiates in cpe_role_run. */
int	cpe_role_new(struct cpe_role **, const struct cpe_role_config *);
/* Runs until SIGTERM/SIGINT, then DELETEs the IKE SA. SIGHUP logs counters. */
int	cpe_role_run(struct cpe_role *);
void	cpe_role_free(struct cpe_role *);

#endif
