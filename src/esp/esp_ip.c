/*
 * esp_ip.c - the IPv4 header in front of raw ESP (esp_ip.h). The kernel
 * already dropped bad checksums (RFC 1122 §3.2.1.2), trimmed link padding
 * and reassembled fragments before a raw socket sees a packet; these
 * checks are what is left to trust nothing that came from the wire: a
 * header that disagrees with the bytes in hand is refused, never repaired.
 */
#include "esp_ip.h"

#include "buf.h"
#include "esp_wire.h"

#define IP4_VERSION		4
#define IP4_FRAG_MF		0x2000	/* RFC 791 §3.1 flags: More Fragments */
#define IP4_FRAG_OFFSET		0x1fff

const char *
esp_ip_verdict_str(int v)
{
	switch (v) {
	case ESP_IP_OK:			return "ok";
	case ESP_IP_SHORT:		return "short";
	case ESP_IP_VERSION:		return "not IPv4";
	case ESP_IP_IHL:		return "bad IHL";
	case ESP_IP_LENGTH:		return "total length mismatch";
	case ESP_IP_PROTO_NOT_ESP:	return "not ESP";
	case ESP_IP_FRAGMENT:		return "fragment";
	case ESP_IP_RUNT:		return "ESP runt";
	}
	return "?";
}

int
esp_ip_parse(const uint8_t *pkt, size_t len, struct esp_ip *out)
{
	struct buf b;
	uint16_t total, id, frag, csum;
	uint8_t vhl, tos, ttl, proto;
	uint32_t src, dst;
	size_t hlen;

	buf_init(&b, pkt, len);
	/* RFC 791 §3.1: the 20 fixed octets, then IHL * 4 - 20 of options. */
	if (buf_get_u8(&b, &vhl) == -1 || buf_get_u8(&b, &tos) == -1 ||
	    buf_get_u16(&b, &total) == -1 || buf_get_u16(&b, &id) == -1 ||
	    buf_get_u16(&b, &frag) == -1 || buf_get_u8(&b, &ttl) == -1 ||
	    buf_get_u8(&b, &proto) == -1 || buf_get_u16(&b, &csum) == -1 ||
	    buf_get_u32(&b, &src) == -1 || buf_get_u32(&b, &dst) == -1)
		return ESP_IP_SHORT;
	if (vhl >> 4 != IP4_VERSION)
		return ESP_IP_VERSION;
	hlen = (size_t)(vhl & 0x0f) * 4;
	if (hlen < ESP_IP_HDR_MIN)
		return ESP_IP_IHL;
	if (buf_skip(&b, hlen - ESP_IP_HDR_MIN) == -1)
		return ESP_IP_SHORT;
	/* Anything but equality means the header lies about the datagram. */
	if ((size_t)total != len)
		return ESP_IP_LENGTH;
	if (proto != ESP_IP_PROTO)
		return ESP_IP_PROTO_NOT_ESP;
	/* Reassembly is the kernel's: a fragment here is not a whole ESP packet. */
	if ((frag & (IP4_FRAG_MF | IP4_FRAG_OFFSET)) != 0)
		return ESP_IP_FRAGMENT;
	/* RFC 4303 §2: SPI and sequence number are mandatory. */
	if (buf_left(&b) < ESP_HDR_LEN)
		return ESP_IP_RUNT;
	out->src = src;
	out->dst = dst;
	out->esp_off = buf_offset(&b);
	out->esp_len = buf_left(&b);
	return ESP_IP_OK;
}
