/*
 * esp_out.h - ESP send, sans-IO: an inner IPv4/IPv6 packet in, one ESP
 * packet (from the SPI on) out; the worker adds UDP/IP.
 */
#ifndef ESP_OUT_H
#define ESP_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "monotime.h"

struct esp_sa;
struct esp_crypto;

/*
 * Seal inner (next_header ESP_NH_IPV4, ESP_NH_IPV6 or ESP_NH_NONE for a
 * dummy) into out, which must not overlap it and must hold
 * inner_len + esp_sa_overhead(). Returns an enum esp_verdict (esp_in.h):
 * ESP_OK with *out_len set, ESP_ERR_SPACE, ESP_DROP_NEXT_HEADER,
 * ESP_DROP_MALFORMED (inner too long), ESP_DROP_EXPIRED (lifetime or
 * sequence numbers used up: rekey) or ESP_ERR_CRYPTO.
 */
int	esp_out(struct esp_sa *, struct esp_crypto *, const uint8_t *inner,
	    size_t inner_len, uint8_t next_header, uint8_t *out,
	    size_t out_cap, size_t *out_len, monotime_t now);

#endif
