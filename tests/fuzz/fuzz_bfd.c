/*
 * fuzz_bfd.c - libFuzzer target for BFD (bfd/): the input is a series of
 * datagrams, each one length octet then that many octets, as a branch
 * would send them to UDP 4784, fed to one passive session with a clock
 * that moves 100 ms between them. It must never crash; what the codec
 * takes must be a version 1, 24-octet-or-longer packet that builds back to
 * the same first 24 octets (but for bits we never send), and the session's
 * state must stay one of the four.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bfd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t	fz_sent;

static void
fz_send(void *arg, const uint8_t *pkt, size_t len)
{
	struct bfd_pkt p;

	(void)arg;
	/* What we send, our own parser takes. */
	if (len != BFD_PKT_LEN || bfd_pkt_parse(pkt, len, &p) != 0)
		abort();
	fz_sent++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bfd_cfg c = { .local_disc = 0x2002 };
	struct bfd_callbacks cb = { .send = fz_send };
	struct bfd_session *s;
	struct bfd_status st;
	struct bfd_pkt p;
	uint8_t back[BFD_PKT_LEN];
	monotime_t now = MONOTIME_SEC;
	size_t off = 0, n;

	if ((s = bfd_session_new(&c, &cb)) == NULL)
		return 0;
	while (off < size) {
		n = data[off++];
		if (n > size - off)
			n = size - off;
		if (bfd_pkt_parse(data + off, n, &p) == 0) {
			if (p.version != 1 || p.length < BFD_PKT_LEN ||
			    p.length > n || p.auth || p.my_disc == 0)
				abort();
			bfd_pkt_build(&p, back);
			/* Version, diag, state, P, F, C and the rest alike. */
			if ((back[0] != data[off]) ||
			    (back[1] & 0xf8) != (data[off + 1] & 0xf8) ||
			    memcmp(back + 2, data + off + 2, 1) != 0 ||
			    memcmp(back + 4, data + off + 4, 20) != 0)
				abort();
			bfd_input(s, &p, now);
		}
		off += n;
		now += 100 * MONOTIME_MSEC;
		bfd_tick(s, now);
	}
	bfd_status(s, &st);
	if ((unsigned)st.state > BFD_UP)
		abort();
	bfd_session_free(s);
	return 0;
}
