/*
 * esp_txq.h - sealed ESP packets on their way to the kernel, one queue per
 * worker. Consecutive packets for the same peer through the same UDP socket
 * leave as one UDP GSO message (UDP_SEGMENT: one trip down the stack for up
 * to 64 datagrams, cut by the kernel or the NIC); raw ESP (protocol 50) has
 * no GSO and goes one packet per message. Each flush is one sendmmsg per
 * socket, in queue order within a socket.
 */
#ifndef ESP_TXQ_H
#define ESP_TXQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct esp_txq;

struct esp_txq_counts {
	uint64_t	pkts, bytes;	/* handed to the kernel */
	uint64_t	raw;		/* of pkts, raw ESP */
	uint64_t	dropped;	/* the kernel refused them */
};

/* slots packets of at most slot_len octets each. */
int	esp_txq_new(struct esp_txq **, unsigned slots, size_t slot_len);
void	esp_txq_free(struct esp_txq *);

/* Free slots left; flush when a burst may not fit. */
unsigned esp_txq_room(const struct esp_txq *);
/* The next free slot (slot_len octets), or NULL when full. */
uint8_t	*esp_txq_slot(struct esp_txq *);
/*
 * Queues what was written into the slot esp_txq_slot() returned: len
 * octets to ip:port (host order; port ignored for raw) through fd.
 */
void	esp_txq_push(struct esp_txq *, int fd, bool raw, uint32_t ip,
	    uint16_t port, size_t len);
/* Sends the queue and empties it; adds what happened to *c. */
void	esp_txq_flush(struct esp_txq *, struct esp_txq_counts *c);

#endif
