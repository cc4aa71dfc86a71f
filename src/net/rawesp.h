/*
 * rawesp.h - raw ESP sockets (IP protocol 50, RFC 4303 directly over IPv4)
 * for the ESP workers, used when IKE found no NAT (RFC 7296 §2.23). The
 * kernel here has no ESP of its own, so it hands every protocol 50 packet
 * to the raw sockets of that protocol, IPv4 header included (esp_ip.h
 * parses it), and builds the IPv4 header of what we send.
 *
 * Every raw socket of a protocol gets its own copy of a matching packet, so
 * each worker's socket carries a classic BPF filter that keeps only SPIs
 * with SPI mod nworkers == worker: the same mapping as the UDP steering
 * (udp_reuseport_steer: group member 1 + SPI mod nworkers is worker
 * SPI mod nworkers), so an inbound SA has one writer whichever path its
 * packets take. Packets too short to hold an SPI go to worker 0, which
 * counts them.
 *
 * Needs CAP_NET_RAW.
 */
#ifndef RAWESP_H
#define RAWESP_H

#include <stdint.h>

/*
 * A non-blocking raw ESP socket bound to ip (host order; only packets to
 * that address arrive), filtered for worker of nworkers. -1 with errno set
 * on error (not logged: the caller decides how bad that is).
 */
int	rawesp_open(uint32_t ip, unsigned worker, unsigned nworkers);

#endif
