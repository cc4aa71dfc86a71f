/*
 * fuzz_ike_msg.c - libFuzzer target for the unauthenticated layer: a whole
 * datagram into ike_pld_parse(). Whatever parses is rebuilt with the
 * ike_build_*() functions and must parse again to the same payloads.
 * Seeds: strongSwan 5.9.8 messages captured in a netns lab.
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
	uint16_t err;
	size_t len;

	if (ike_pld_parse(data, size, &m1, &err) == -1) {
		if (err == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD &&
		    m1.crit_type == IKEV2_PLD_NONE)
			abort();
		return 0;
	}
	if (err != 0 || m1.hdr.length != size)
		abort();
	/* the SK body runs to the end of the message (§3.14) */
	if ((m1.has_sk || m1.has_skf) &&
	    m1.sk_aad_len + m1.sk_body.len != size)
		abort();
	wbuf_init(&w, rt_out, sizeof(rt_out));
	ike_build_init(&b, &w);
	if (ike_build_header(&b, &m1.hdr) == -1)
		abort();
	rt_build(&b, &m1);
	if (ike_build_finish(&b, &len) == -1 || len > size)
		abort();
	if (ike_pld_parse(rt_out, len, &rt_m2, &err) == -1)
		abort();
	if (rt_m2.hdr.spi_i != m1.hdr.spi_i || rt_m2.hdr.spi_r != m1.hdr.spi_r ||
	    rt_m2.hdr.exchange != m1.hdr.exchange ||
	    rt_m2.hdr.flags != m1.hdr.flags || rt_m2.hdr.msgid != m1.hdr.msgid ||
	    rt_m2.hdr.version != m1.hdr.version)
		abort();
	rt_normalise(&m1);
	rt_payloads_eq(&m1, &rt_m2);
	return 0;
}
