/*
 * esp_worker.h - the ESP data plane threads. Each worker owns, per tunnel
 * endpoint, a UDP socket on the NAT-T port in the gateway socket's
 * SO_REUSEPORT group (the kernel steers ESP by SPI, see
 * udp_reuseport_steer()), and queue <worker id> of every tenant's TUN:
 *
 *   UDP 4500 --recvmmsg--> SPI -> SA (esp_table) -> esp_in -> tenant TUN
 *   tenant TUN --read--> dst -> tenant LPM -> link -> esp_out --sendmmsg-->
 *
 * Tables are read under RCU; no lock, allocation or log call per packet.
 * IKE that still reaches a worker (the steering program not yet attached)
 * is handed to the gateway loop over a datagram socket (ike_fd), framed by
 * struct esp_worker_ike.
 *
 * Raw ESP (IP protocol 50, raw_esp): each worker also has a raw socket per
 * endpoint (rawesp.h, filtered by the same SPI -> worker mapping):
 *
 *   protocol 50 --recvmmsg--> IPv4 header (esp_ip) -> SPI -> same as UDP
 *   link without UDP encapsulation --esp_out--> sendmmsg on the raw socket
 *
 * Inbound SAs take ESP from either path (RFC 7296 §2.23: both must be
 * accepted at any time); the outbound path follows the link's udp_encap.
 * If the raw sockets cannot be opened (no CAP_NET_RAW), the workers run
 * UDP only and count the packets of links without encapsulation as no_raw.
 */
#ifndef ESP_WORKER_H
#define ESP_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct esp_table;
struct esp_workers;
struct model_traffic;
struct policy_flows_stats;
struct policy_table;

#define ESP_WORKERS_ENDPOINTS	2

struct esp_workers_cfg {
	unsigned	 n;		/* threads, 1..ESP_TABLE_QUEUES_MAX */
	const uint32_t	*ips;		/* tunnel endpoints (host order) */
	size_t		 nips;
	const uint16_t	*ports;		/* the NAT-T port the gateway bound, per ip */
	struct esp_table *table;
	/*
	 * The security policy (policy_table.h) applied to decrypted packets
	 * (policy_flow.h), each worker with its own flow table; NULL: none
	 * (the CPE role).
	 */
	struct policy_table *policy;
	bool		 policy_block_unnamed;
	int		 ike_fd;	/* write end for IKE hand-off; -1: drop */
	bool		 raw_esp;	/* also IP protocol 50 on every endpoint */
};

/* Header of an IKE hand-off datagram; the NAT-T payload follows. */
struct esp_worker_ike {
	uint32_t	local_ip, remote_ip;
	uint16_t	local_port, remote_port;
};

enum esp_worker_drop {
	ESP_WD_RUNT,		/* too short / truncated / not IPv4 from TUN */
	ESP_WD_UNKNOWN_SPI,
	ESP_WD_NO_TENANT,	/* SA of a link without a tenant network */
	ESP_WD_ESP_IN,		/* esp_in verdict (detail in the SA counters) */
	ESP_WD_NOT_IPV4,	/* inner IPv6: the tenant TUN is IPv4 only */
	ESP_WD_TUN_WRITE,
	ESP_WD_NO_ROUTE,	/* TUN packet: no link for the destination */
	ESP_WD_NO_SA,		/* link without a tunnel up */
	ESP_WD_NO_RAW,		/* no UDP encapsulation, and no raw ESP socket */
	ESP_WD_ESP_OUT,
	ESP_WD_SEND,
	ESP_WD_IKE_HANDOFF,	/* hand-off socket full */
	ESP_WD_RAW_HDR,		/* protocol 50: IPv4 header refused (esp_ip.h) */
	ESP_WD_TUN_FRAME,	/* TUN read refused by vnet_split() */
	ESP_WD_HANDOFF,		/* GRO train: owner worker's socket full */
	ESP_WD_SPOOFED,		/* decrypted, source outside what its link may use */
	ESP_WD_UNASSIGNED,	/* decrypted, no forwarding profile covers dst */
	ESP_WD_POLICY,		/* the security policy blocked it (policy_flow) */
	ESP_WD_BYPASS,		/* decrypted, dst a bypass rule keeps local */
	ESP_WD_MAX
};

struct esp_worker_stats {
	uint64_t	rx_esp, rx_bytes;	/* delivered to a TUN */
	uint64_t	tx_esp, tx_bytes;	/* sent to a peer */
	uint64_t	rx_ike, rx_keepalive;
	uint64_t	rx_raw, tx_raw;		/* of rx_esp / tx_esp: protocol 50 */
	uint64_t	drop[ESP_WD_MAX];
};

const char *esp_worker_drop_name(enum esp_worker_drop);

/*
 * Opens the sockets, attaches the steering program, starts the threads.
 * Raw ESP sockets that cannot be opened are logged, not fatal.
 */
int	esp_workers_start(struct esp_workers **, const struct esp_workers_cfg *);
/* The raw ESP sockets are open (cfg.raw_esp and they could be). */
bool	esp_workers_raw(const struct esp_workers *);
/* Stops and joins the threads, closes the sockets. NULL is fine. */
void	esp_workers_stop(struct esp_workers *);
/* Worker i polls tun_fd[i] (nq == n), tagged with (slot, gen). */
int	esp_workers_tenant_add(struct esp_workers *, uint32_t slot,
	    uint32_t gen, const int *tun_fd, unsigned nq);
void	esp_workers_tenant_del(struct esp_workers *, const int *tun_fd,
	    unsigned nq);
/* Sum over the workers. */
void	esp_workers_stats(const struct esp_workers *, struct esp_worker_stats *);
/*
 * Traffic records the workers' flow tables finished (their rings), up to
 * max; the control thread only. Flow table figures summed (relaxed reads).
 */
size_t	esp_workers_traffic_pop(struct esp_workers *, struct model_traffic *,
	    size_t max);
void	esp_workers_policy_stats(const struct esp_workers *,
	    struct policy_flows_stats *);

#endif
