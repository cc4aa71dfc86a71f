/*
 * fuzz_traffic_query.c - libFuzzer target for the query parsers of GET
 * /networkAccess/logs/traffic ($filter, $orderby, $skiptoken) and of the
 * reports' function segment ("transactionSummaries(startDateTime=...)"),
 * api_traffic.c. Input: up to four NUL-free parts separated by '\n'.
 * Whatever is refused must carry a Graph error; whatever is accepted must
 * be a window that starts before it ends.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"

#define FZ_MAX	8192	/* the API caps the URI first (API_URI_MAX) */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_traffic_query *q;
	struct api_traffic_fn fn;
	struct api_req r;
	char *buf, *part[4] = { NULL, NULL, NULL, NULL }, *p;
	size_t i;

	if (size > FZ_MAX || memchr(data, '\0', size) != NULL)
		return 0;
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (p = buf, i = 0; i < 4 && p != NULL; i++) {
		part[i] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	memset(&r, 0, sizeof(r));
	memcpy(r.tenant.id, "aaaaaaaa-0000-4000-8000-000000000001", 36);
	q = api_traffic_query_parse(&r, part[0], part[1] != NULL &&
	    part[1][0] != '\0' ? part[1] : NULL, part[2] != NULL &&
	    part[2][0] != '\0' ? part[2] : NULL);
	if (q == NULL && (r.resp == NULL || r.status != 400))
		abort();
	if (q != NULL && r.resp != NULL)
		abort();
	free(q);
	json_decref(r.resp);
	r.resp = NULL;
	r.status = 0;
	if (part[3] != NULL && part[3][0] != '\0') {
		if (api_traffic_fn_parse(&r, part[3], part[3][0] == 'g',
		    &fn) == 0) {
			if (!fn.since_set || !fn.until_set ||
			    fn.until_ms < fn.since_ms || r.resp != NULL)
				abort();
		} else if (r.resp == NULL || r.status != 400)
			abort();
		json_decref(r.resp);
	}
	free(buf);
	return 0;
}
