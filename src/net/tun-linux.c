/*
 * tun-linux.c - tun.h on Linux. /dev/net/tun is opened by a thread inside
 * the namespace: the kernel creates the device in the namespace of the
 * opener, not of the thread that calls TUNSETIFF. Configuration goes
 * through an rtnetlink socket also opened there (rtnl.h).
 *
 * Every queue is opened with IFF_VNET_HDR and the TSO/USO offloads on
 * (vnet.h): reads may return 64 KiB TCP or UDP super-packets and writes may
 * carry coalesced ones, each behind a virtio-net header. A kernel without
 * USO (before 6.2) gets TSO only.
 *
 * Adding an address that is there, or deleting one that is not, succeeds:
 * the caller's view is the truth and a retry after a partial failure must
 * converge.
 */
#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ip4.h"
#include "log.h"
#include "netns.h"
#include "rtnl.h"
#include "vnet.h"

struct tun {
	char		 name[IFNAMSIZ];
	int		 ifindex;
	unsigned	 nq;
	int		 fd[TUN_QUEUES_MAX];
	struct rtnl	*rtnl;
};

/* Linux 6.2 uapi; Debian 12's headers predate it. */
#ifndef TUN_F_USO4
#define TUN_F_USO4	0x20
#define TUN_F_USO6	0x40
#endif

/* TSO/USO: what we can take on read (virtio 1.x §5.1.3 feature bits). */
static int
tun_offload(int fd)
{
	unsigned long f = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	int sz = VNET_HDR_LEN;

	if (ioctl(fd, TUNSETVNETHDRSZ, &sz) == -1)
		return -1;
	if (ioctl(fd, TUNSETOFFLOAD, f | TUN_F_USO4 | TUN_F_USO6) == 0)
		return 0;
	return ioctl(fd, TUNSETOFFLOAD, f);
}

static int
tun_open_fn(void *arg)
{
	struct tun *t = arg;
	struct ifreq ifr;
	unsigned q;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
	if (t->nq > 1)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	memcpy(ifr.ifr_name, t->name, sizeof(ifr.ifr_name));
	/* With IFF_MULTI_QUEUE the same name attaches one more queue. */
	for (q = 0; q < t->nq; q++) {
		t->fd[q] = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (t->fd[q] == -1)
			return -1;
		if (ioctl(t->fd[q], TUNSETIFF, &ifr) == -1 ||
		    tun_offload(t->fd[q]) == -1)
			return -1;
	}
	return 0;
}

int
tun_open(struct tun **out, int ns_fd, const struct tun_cfg *cfg)
{
	unsigned mtu = cfg->mtu ? cfg->mtu : TUN_MTU_DEFAULT, q;
	struct tun *t;

	*out = NULL;
	if (strlen(cfg->name) >= IFNAMSIZ || cfg->queues > TUN_QUEUES_MAX) {
		log_err("tun: bad name %s or queue count %u", cfg->name,
		    cfg->queues);
		return -1;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	strcpy(t->name, cfg->name);
	t->nq = cfg->queues ? cfg->queues : 1;
	for (q = 0; q < TUN_QUEUES_MAX; q++)
		t->fd[q] = -1;
	if (netns_run(ns_fd, tun_open_fn, t) == -1) {
		log_err("tun: %s: %s", t->name, strerror(errno));
		goto fail;
	}
	if (rtnl_open(&t->rtnl, ns_fd) == -1) {
		log_err("tun: rtnetlink: %s", strerror(errno));
		goto fail;
	}
	if ((t->ifindex = rtnl_ifindex(t->rtnl, t->name)) == -1 ||
	    rtnl_link_set(t->rtnl, t->ifindex, mtu, true) == -1) {
		log_err("tun: %s: mtu %u, up: %s", t->name, mtu,
		    strerror(errno));
		goto fail;
	}
	*out = t;
	return 0;
fail:
	tun_close(t);
	return -1;
}

void
tun_close(struct tun *t)
{
	unsigned q;

	if (t == NULL)
		return;
	/* The device is not persistent: it goes with its last queue. */
	for (q = 0; q < TUN_QUEUES_MAX; q++)
		if (t->fd[q] != -1)
			close(t->fd[q]);
	rtnl_close(t->rtnl);
	free(t);
}

unsigned
tun_queues(const struct tun *t)
{
	return t->nq;
}

int
tun_fd(const struct tun *t, unsigned queue)
{
	return queue < t->nq ? t->fd[queue] : -1;
}

static int
tun_addr(struct tun *t, bool add, uint32_t addr)
{
	char a[IP4_STRLEN];

	if (rtnl_addr(t->rtnl, add, t->ifindex, addr, 32) == 0)
		return 0;
	if (add && errno == EEXIST)
		return 0;
	if (!add && errno == EADDRNOTAVAIL)
		return 0;
	log_err("tun: %s: %s address %s/32: %s", t->name, add ? "add" : "del",
	    ip4_fmt(addr, a), strerror(errno));
	return -1;
}

int
tun_addr_add(struct tun *t, uint32_t addr)
{
	return tun_addr(t, true, addr);
}

int
tun_addr_del(struct tun *t, uint32_t addr)
{
	return tun_addr(t, false, addr);
}

static int
tun_route(struct tun *t, bool add, uint32_t dst, uint8_t plen)
{
	char a[IP4_STRLEN];

	if (rtnl_route(t->rtnl, add, t->ifindex, dst, plen, 0) == 0)
		return 0;
	if (!add && errno == ESRCH)
		return 0;
	log_err("tun: %s: %s route %s/%u: %s", t->name, add ? "add" : "del",
	    ip4_fmt(dst, a), plen, strerror(errno));
	return -1;
}

int
tun_route_add(struct tun *t, uint32_t dst, uint8_t plen)
{
	return tun_route(t, true, dst, plen);
}

int
tun_route_del(struct tun *t, uint32_t dst, uint8_t plen)
{
	return tun_route(t, false, dst, plen);
}
