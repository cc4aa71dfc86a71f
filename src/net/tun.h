/*
 * tun.h - a layer-3 TUN device (no packet-info header; each read or write
 * is one IP packet or TSO/USO super-packet behind a virtio-net header, see
 * vnet.h) created inside a network namespace, with its
 * addresses and routes there. The queue fds are non-blocking and belong to
 * the tun; the ESP workers read and write them from the daemon's own
 * namespace. Addresses are host byte order.
 */
#ifndef TUN_H
#define TUN_H

#include <stdint.h>

#define TUN_MTU_DEFAULT	1400	/* 1500 less ESP-in-UDP overhead, rounded */
#define TUN_QUEUES_MAX	16

struct tun;

struct tun_cfg {
	const char	*name;		/* in the namespace, e.g. "tun0" */
	unsigned	 queues;	/* 0 or 1: one queue; more: multiqueue */
	unsigned	 mtu;		/* 0: TUN_MTU_DEFAULT */
};

/* Creates the device in ns_fd, sets its MTU and brings it up. */
int	tun_open(struct tun **out, int ns_fd, const struct tun_cfg *);
void	tun_close(struct tun *);

unsigned tun_queues(const struct tun *);
int	tun_fd(const struct tun *, unsigned queue);

/* addr/32 on the device, so the namespace's kernel answers on it. */
int	tun_addr_add(struct tun *, uint32_t addr);
int	tun_addr_del(struct tun *, uint32_t addr);
/* dst/plen routed into the device (to the ESP workers). */
int	tun_route_add(struct tun *, uint32_t dst, uint8_t plen);
int	tun_route_del(struct tun *, uint32_t dst, uint8_t plen);

#endif
