/*
 * udp.h - the gateway's UDP front end: for each tunnel endpoint address a
 * socket on the IKE port (500) and one on the NAT-T port (4500), and the
 * RFC 3948 demultiplexing of what arrives on the NAT-T port:
 *
 *   1 byte 0xFF           NAT-keepalive (RFC 3948 §2.3): counted, dropped
 *   4 zero bytes + IKE    non-ESP marker (§2.2): stripped, IKE handler
 *   anything else         ESP-in-UDP, first 4 bytes the SPI: ESP handler
 *
 * On the IKE port a datagram is IKE as is. Sending from the NAT-T port adds
 * the marker. Addresses and ports are host byte order. The caller's event
 * loop polls udp_fds() and calls udp_read() when one is readable.
 */
#ifndef UDP_H
#define UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct udp;

struct udp_endpoint {
	uint32_t	ip;
	uint16_t	port;
};

struct udp_handlers {
	void	*arg;
	/* A bare IKE message (marker already stripped). */
	void	(*ike)(void *arg, const struct udp_endpoint *local,
		    const struct udp_endpoint *remote, const uint8_t *pkt,
		    size_t len);
	/* ESP-in-UDP, starting at the SPI. NULL: counted and dropped. */
	void	(*esp)(void *arg, const struct udp_endpoint *local,
		    const struct udp_endpoint *remote, const uint8_t *pkt,
		    size_t len);
};

struct udp_stats {
	uint64_t	rx_ike;		/* IKE on the IKE port */
	uint64_t	rx_natt_ike;	/* IKE behind the non-ESP marker */
	uint64_t	rx_keepalive;
	uint64_t	rx_esp;
	uint64_t	rx_esp_dropped;	/* no ESP handler yet */
	uint64_t	rx_runt;	/* too short for any of the above */
	uint64_t	rx_truncated;	/* larger than the receive buffer */
	uint64_t	rx_errors;
	uint64_t	tx, tx_errors;
};

/* port 0 lets the kernel pick (tests); udp_bound_port() tells which. */
struct udp_config {
	const uint32_t	*ips;
	size_t		 nips;
	uint16_t	 ike_port;
	uint16_t	 natt_port;
	bool		 natt_reuseport;	/* ESP workers join the NAT-T sockets */
};

/*
 * Opens and binds every socket it can; a socket that cannot bind is logged
 * and left out, *bound says how many did. -1 only on a local failure.
 */
int	udp_open(struct udp **out, const struct udp_config *,
	    const struct udp_handlers *, size_t *bound);
void	udp_close(struct udp *);

/* The sockets to poll for reading; returns how many were written. */
size_t	udp_fds(const struct udp *, int *fds, size_t max);
/* Drains a readable socket (batched), calling the handlers. */
void	udp_read(struct udp *, int fd);
/* The port socket (ip, natt) is bound to; 0 if there is none. */
uint16_t udp_bound_port(const struct udp *, uint32_t ip, bool natt);

/* Sends from the socket bound to local; adds the marker on the NAT-T port. */
int	udp_send(struct udp *, const struct udp_endpoint *local,
	    const struct udp_endpoint *remote, const uint8_t *pkt, size_t len);

/* The demultiplexing of one datagram, as udp_read() applies it. */
void	udp_demux(struct udp *, bool natt, const struct udp_endpoint *local,
	    const struct udp_endpoint *remote, const uint8_t *pkt, size_t len);

void	udp_get_stats(const struct udp *, struct udp_stats *);

/*
 * ESP workers: one more non-blocking socket on ip:port joining the
 * SO_REUSEPORT group of the gateway's NAT-T socket (natt_reuseport), which
 * must be the group's first member. -1 on error (logged).
 */
int	udp_reuseport_open(uint32_t ip, uint16_t port);
/*
 * Attaches a classic BPF program to fd's group that steers each datagram
 * by its first 4 octets: ESP by SPI to member 1 + SPI mod nworkers (one
 * worker per inbound SA: its replay window has one writer), IKE (non-ESP
 * marker) and anything shorter (keepalives) to member 0, the gateway's.
 */
int	udp_reuseport_steer(int fd, unsigned nworkers);

#endif
