/*
 * fuzz_esp_ip.c - libFuzzer target for the raw ESP header parser
 * (esp_ip.c): the input is what a raw IPv4 socket for protocol 50 returned.
 * It must never crash or read outside the input; what it accepts must be
 * an IPv4 header whose total length is the input's, followed by at least
 * SPI + sequence number of ESP that ends where the input ends.
 *
 * Seeds (corpus/fuzz_esp_ip/): IPv4 + ESP with and without options, a
 * fragment, another protocol, a lying total length, an ESP runt.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "esp_ip.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint8_t	fz_copy[65536];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct esp_ip ip;
	struct buf b;
	uint16_t total;
	uint8_t vhl, proto;

	if (esp_ip_parse(data, size, &ip) != ESP_IP_OK)
		return 0;
	buf_init(&b, data, size);
	if (buf_get_u8(&b, &vhl) == -1 || buf_skip(&b, 1) == -1 ||
	    buf_get_u16(&b, &total) == -1 || buf_skip(&b, 5) == -1 ||
	    buf_get_u8(&b, &proto) == -1)
		abort();
	if (vhl >> 4 != 4 || (size_t)(vhl & 0x0f) * 4 != ip.esp_off ||
	    total != size || proto != ESP_IP_PROTO || ip.esp_len < 8 ||
	    ip.esp_off + ip.esp_len != size || ip.esp_len > sizeof(fz_copy))
		abort();
	/* Touch all of it: ASan reports a view that leaves the input. */
	buf_init(&b, data, size);
	if (buf_skip(&b, ip.esp_off) == -1 ||
	    buf_get_bytes(&b, fz_copy, ip.esp_len) == -1 || buf_done(&b) == -1)
		abort();
	return 0;
}
