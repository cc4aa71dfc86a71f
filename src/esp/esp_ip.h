/*
 * esp_ip.h - raw ESP (IP protocol 50) as a raw IPv4 socket hands it over,
 * sans-IO: the IPv4 header (RFC 791 §3.1) the kernel leaves in front of
 * what recv() returns, checked against the bytes received, and where the
 * ESP packet (RFC 4303 §2, from the SPI on) starts. The ESP workers
 * (esp_worker-linux.c) read protocol 50 through rawesp.h and pass the ESP
 * part to the same receive path as ESP-in-UDP.
 */
#ifndef ESP_IP_H
#define ESP_IP_H

#include <stddef.h>
#include <stdint.h>

#define ESP_IP_PROTO		50	/* IANA protocol number of ESP */
#define ESP_IP_HDR_MIN		20	/* RFC 791: IHL 5 */

enum esp_ip_verdict {
	ESP_IP_OK = 0,
	ESP_IP_SHORT,		/* fewer octets than the header says it has */
	ESP_IP_VERSION,		/* not 4 */
	ESP_IP_IHL,		/* IHL < 5 */
	ESP_IP_LENGTH,		/* total length is not the bytes received */
	ESP_IP_PROTO_NOT_ESP,	/* protocol is not 50 */
	ESP_IP_FRAGMENT,	/* MF set or a fragment offset */
	ESP_IP_RUNT,		/* ESP part shorter than SPI + sequence number */
};

struct esp_ip {
	uint32_t	src, dst;	/* host order */
	size_t		esp_off;	/* the SPI, from the start of the packet */
	size_t		esp_len;	/* through the ICV */
};

/* ESP_IP_OK and *out filled, or the first check that failed. */
int	esp_ip_parse(const uint8_t *pkt, size_t len, struct esp_ip *out);
const char *esp_ip_verdict_str(int);

#endif
