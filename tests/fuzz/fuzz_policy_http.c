/*
 * fuzz_policy_http.c - libFuzzer target for the HTTP/1.x Host scanner
 * (policy_http.c). As for the SNI target, the first octet picks a segment
 * size and the rest is the client's stream, scanned after each segment.
 * It must never crash; once decided, the answer (and the Host) must not
 * change with more octets; a Host it returns is a normalized name, an
 * IPv4 literal or a bracketed IPv6 literal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_http.h"
#include "policy_name.h"
#include "policy_reasm.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct policy_reasm fz_r;

static void
fz_check_host(const char *host)
{
	char again[POLICY_HOST_MAX + 1];
	size_t n = strlen(host);

	if (n == 0 || n > POLICY_HOST_MAX)
		abort();
	if (host[0] == '[') {
		if (host[n - 1] != ']')
			abort();
		return;
	}
	if (policy_name_ipv4(host, n))
		return;
	if (policy_name_norm(host, n, again) != 0 || strcmp(host, again) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char host[POLICY_HOST_MAX + 1], first[POLICY_HOST_MAX + 1];
	enum policy_http_res r, decided = POLICY_HTTP_NEED_MORE;
	size_t seg, off = 1, n;
	uint32_t seq = 1;

	if (size < 1)
		return 0;
	seg = (size_t)data[0] % 64 + 1;
	policy_reasm_init(&fz_r, seq);
	while (off < size) {
		n = size - off < seg ? size - off : seg;
		(void)policy_reasm_feed(&fz_r, seq, data + off, n);
		seq += (uint32_t)n;
		off += n;
		r = policy_http_host(fz_r.data, fz_r.len, host);
		if (decided == POLICY_HTTP_NEED_MORE) {
			decided = r;
			if (r == POLICY_HTTP_OK)
				memcpy(first, host, sizeof(first));
		} else if (r != decided ||
		    (r == POLICY_HTTP_OK && strcmp(host, first) != 0))
			abort();
		if (r == POLICY_HTTP_OK)
			fz_check_host(host);
		if (fz_r.len == POLICY_REASM_CAP &&
		    r == POLICY_HTTP_NEED_MORE)
			abort();
		(void)policy_http_res_str(r);
	}
	(void)policy_http_host(data, size, host);
	return 0;
}
