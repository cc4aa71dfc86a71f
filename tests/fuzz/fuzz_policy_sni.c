/*
 * fuzz_policy_sni.c - libFuzzer target for the TLS ClientHello SNI parser
 * (policy_sni.c) behind the reassembly (policy_reasm.c). The first octet
 * picks a segment size; the rest is the client's stream, fed in segments
 * of that size and parsed after each, as the flow classifier does. It must
 * never crash, and once the parser has decided (anything but need-more)
 * the answer must stay the same as more octets come: the classifier acts
 * on the first answer. A server name it returns is normalized.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_name.h"
#include "policy_reasm.h"
#include "policy_sni.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct policy_reasm fz_r;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char host[POLICY_HOST_MAX + 1], first[POLICY_HOST_MAX + 1], again[
	    POLICY_HOST_MAX + 1];
	enum policy_sni_res r, decided = POLICY_SNI_NEED_MORE;
	size_t seg, off = 1, n;
	uint32_t seq = 0xffffff00u;	/* wraps for longer inputs */

	if (size < 1)
		return 0;
	seg = (size_t)data[0] % 64 + 1;
	policy_reasm_init(&fz_r, seq);
	while (off < size) {
		n = size - off < seg ? size - off : seg;
		if (policy_reasm_feed(&fz_r, seq, data + off, n) ==
		    POLICY_REASM_GAP)
			abort();
		seq += (uint32_t)n;
		off += n;
		r = policy_sni_parse(fz_r.data, fz_r.len, host);
		if (decided == POLICY_SNI_NEED_MORE) {
			decided = r;
			if (r == POLICY_SNI_OK)
				memcpy(first, host, sizeof(first));
		} else if (r != decided ||
		    (r == POLICY_SNI_OK && strcmp(host, first) != 0))
			abort();
		if (r == POLICY_SNI_OK) {
			if (policy_name_norm(host, strlen(host), again) != 0 ||
			    strcmp(host, again) != 0)
				abort();
		}
		if (fz_r.len == POLICY_REASM_CAP &&
		    r == POLICY_SNI_NEED_MORE)
			abort();	/* a full buffer must be judged */
		(void)policy_sni_res_str(r);
	}
	/* The whole input at once, whatever its length. */
	(void)policy_sni_parse(data, size, host);
	return 0;
}
