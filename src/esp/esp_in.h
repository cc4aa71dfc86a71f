/*
 * esp_in.h - ESP receive, sans-IO: one packet (from the SPI on; the worker
 * stripped IP/UDP and found the SA by SPI) is authenticated, checked and
 * decrypted in place, and the inner packet handed back.
 */
#ifndef ESP_IN_H
#define ESP_IN_H

#include <stddef.h>
#include <stdint.h>

#include "monotime.h"

struct esp_sa;
struct esp_crypto;

/* Verdicts of esp_in() / esp_out(): 0 = deliver, the rest each counted in the SA. */
enum esp_verdict {
	ESP_OK = 0,
	ESP_DROP_MALFORMED,	/* too short, or too long for ESP */
	ESP_DROP_REPLAY,	/* sequence number seen, too old, or 0 */
	ESP_DROP_AUTH,		/* ICV / AEAD tag did not verify */
	ESP_DROP_PADDING,	/* RFC 4303 §2.4: not 1, 2, 3, ... */
	ESP_DROP_NEXT_HEADER,	/* not IPv4 / IPv6 (tunnel mode only) */
	ESP_DROP_EXPIRED,	/* hard lifetime or sequence space used up */
	ESP_DROP_DUMMY,		/* RFC 4303 §2.6 dummy (next header 59): valid, discard */
	ESP_ERR_SPACE,		/* esp_out(): out_cap too small */
	ESP_ERR_CRYPTO,		/* an OpenSSL call failed (local, not the peer) */
};

const char *esp_verdict_str(int);

/*
 * Order (strongSwan libipsec, STYLE §7): parse → replay check → ICV →
 * replay update → padding / next header. On ESP_OK *inner points into pkt
 * (after the IV) and *next_header is ESP_NH_IPV4 or ESP_NH_IPV6. pkt is
 * scribbled on whatever the verdict.
 */
int	esp_in(struct esp_sa *, struct esp_crypto *, uint8_t *pkt, size_t len,
	    const uint8_t **inner, size_t *inner_len, uint8_t *next_header,
	    monotime_t now);

/* What a UDP 4500 datagram holds (RFC 3948 §2.2, §2.3). */
enum esp_udp_kind {
	ESP_UDP_ESP,		/* ESP from the SPI on */
	ESP_UDP_IKE,		/* IKE after the 4-octet Non-ESP Marker */
	ESP_UDP_KEEPALIVE,	/* NAT-keepalive, 0xFF */
	ESP_UDP_INVALID,	/* too short for any of them */
};
enum esp_udp_kind esp_udp_classify(const uint8_t *payload, size_t len);

#endif
