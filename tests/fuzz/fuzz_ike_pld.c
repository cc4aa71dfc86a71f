/*
 * fuzz_ike_pld.c - libFuzzer target for the decrypted payload parser: the
 * first byte is the first payload type (the SK payload's next payload), the
 * rest the plaintext handed to ike_pld_parse_chain(). Whatever parses is
 * rebuilt and must parse again to the same payloads. Seeds: plaintexts
 * charon logged (enc = 4) during a captured exchange.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_ike_rt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct ike_msg m1;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wbuf w;
	struct ike_build b;
	struct buf in, again;
	uint16_t err;
	uint8_t first;
	size_t len;

	buf_init(&in, data, size);
	if (buf_get_u8(&in, &first) == -1 || size > IKEV2_MSG_MAX)
		return 0;
	memset(&m1, 0, sizeof(m1));
	if (ike_pld_parse_chain(&in, first, &m1, &err) == -1)
		return 0;
	if (m1.has_sk || m1.has_skf)
		abort();	/* never inside the encrypted payload */
	wbuf_init(&w, rt_out, sizeof(rt_out));
	ike_build_init(&b, &w);
	rt_build(&b, &m1);
	if (ike_build_finish(&b, &len) == -1)
		abort();
	memset(&rt_m2, 0, sizeof(rt_m2));
	buf_init(&again, rt_out, len);
	if (len == 0)
		b.first = IKEV2_PLD_NONE;
	if (ike_pld_parse_chain(&again, b.first, &rt_m2, &err) == -1)
		abort();
	rt_normalise(&m1);
	rt_payloads_eq(&m1, &rt_m2);
	return 0;
}
