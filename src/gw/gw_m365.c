/*
 * gw_m365.c - Microsoft's published endpoint list as a set of IPv4 routes:
 * the catalogue's Microsoft 365 routes with every rule forwarded
 * (model_fwd.c reads the list and aggregates), as BGP prefixes.
 */
#include "gw_m365.h"

#include <stdlib.h>

#include "log.h"
#include "model_fwd.h"

int
gw_m365_load(const char *datadir, struct bgp_prefix **out, size_t *n)
{
	struct model_fwdcat *cat = NULL;
	struct model_pfx *p = NULL;
	struct bgp_prefix *b = NULL;
	size_t np = 0, i;

	*out = NULL;
	*n = 0;
	if (model_fwdcat_load(datadir, &cat) == -1)
		return -1;	/* logged */
	if (model_fwdcat_m365_routes(cat, NULL, 0, &p, &np) == -1 ||
	    (np > 0 && (b = calloc(np, sizeof(*b))) == NULL)) {
		log_err("gw: out of memory building the Microsoft 365 routes");
		goto fail;
	}
	for (i = 0; i < np; i++) {
		b[i].addr = p[i].addr;
		b[i].len = p[i].len;
	}
	*out = b;
	*n = np;
	free(p);
	model_fwdcat_free(cat);
	return 0;
fail:
	free(p);
	model_fwdcat_free(cat);
	return -1;
}
