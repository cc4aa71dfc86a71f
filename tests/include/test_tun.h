/*
 * test_tun.h - multi-queue TUN helpers for the tests that must not depend
 * on which queue the kernel picks: detach a queue (TUNSETQUEUE) so that
 * the kernel has no choice but the ones left.
 */
#ifndef TEST_TUN_H
#define TEST_TUN_H

#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/if.h>
#include <linux/if_tun.h>

/* Attaches or detaches one queue of a multi-queue TUN; ioctl's result. */
static inline int
tun_queue_attach(int fd, bool on)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = on ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	return ioctl(fd, TUNSETQUEUE, &ifr);
}

#endif
