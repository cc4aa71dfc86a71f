/*
 * fuzz_fwd_dst.c - libFuzzer target for a Custom Bypass rule's
 * "destinations" (model_fwd_dst_parse), the JSON an API client sends.
 * Whatever is accepted must survive the Graph form and the store's text
 * form unchanged, and its prefixes (model_fwd_range_pfx) must cover
 * exactly each range: both ends in, one step outside out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model_fwd.h"

#define BODY_MAX	(64 * 1024)	/* the API caps bodies first */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
fz_in(const struct model_pfx *p, size_t n, uint32_t a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].len == 0 ||
		    (a >> (32 - p[i].len)) == (p[i].addr >> (32 - p[i].len)))
			return true;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model_fwd_dst d[MODEL_FWD_DST_MAX], d2[MODEL_FWD_DST_MAX];
	static char text[MODEL_FWD_DST_MAX * 40];
	struct model_pfx p[64];
	struct model_errs errs;
	json_t *j, *back, *again;
	size_t n, n2, i, np;

	if (size > BODY_MAX)
		return 0;
	if ((j = json_loadb((const char *)data, size, 0, NULL)) == NULL)
		return 0;
	memset(&errs, 0, sizeof(errs));
	if (model_fwd_dst_parse(j, d, &n, &errs, "destinations") == 0) {
		if (errs.count != 0 || n == 0 || n > MODEL_FWD_DST_MAX)
			abort();
		back = model_fwd_dst_json(d, n);
		memset(&errs, 0, sizeof(errs));
		if (back == NULL ||
		    model_fwd_dst_parse(back, d2, &n2, &errs, "d") != 0 ||
		    n2 != n || memcmp(d, d2, n * sizeof(d[0])) != 0)
			abort();
		again = model_fwd_dst_json(d2, n2);
		if (again == NULL || !json_equal(back, again))
			abort();
		json_decref(again);
		json_decref(back);
		if (model_fwd_dst_text(d, n, text, sizeof(text)) != 0 ||
		    model_fwd_dst_from_text(text, d2, &n2) != 0 || n2 != n ||
		    memcmp(d, d2, n * sizeof(d[0])) != 0)
			abort();
		for (i = 0; i < n; i++) {
			np = model_fwd_range_pfx(d[i].lo, d[i].hi, p, 64);
			if (np == 0 || !fz_in(p, np, d[i].lo) ||
			    !fz_in(p, np, d[i].hi) ||
			    (d[i].lo > 0 && fz_in(p, np, d[i].lo - 1)) ||
			    (d[i].hi < 0xffffffffu && fz_in(p, np, d[i].hi + 1)))
				abort();
		}
	} else if (errs.count == 0)
		abort();		/* a refusal always says why */
	json_decref(j);
	return 0;
}
