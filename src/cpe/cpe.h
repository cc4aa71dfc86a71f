/*
 * cpe.h - configuration for the branch router (the CPE), generated from the
 * same model the gateway runs: strongSwan swanctl.conf for IKE/IPsec, BIRD 2
 * or FRR for BGP. Text out, no I/O; golden tests pin the output.
 *
 * The CPE's view is the mirror of the gateway's (system-facts §1.4): the
 * link's peerIpAddress is the CPE's local BGP address, localIpAddress (and
 * zoneLocalIpAddress) the CPE's BGP neighbours, reached by a static route
 * over the tunnel.
 */
#ifndef CPE_H
#define CPE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum cpe_format { CPE_SWANCTL, CPE_BIRD, CPE_FRR };

#define CPE_LAN_MAX	16
#define CPE_BYPASS_MAX	512

struct cpe_opts {
	/* Branch prefixes the CPE announces over BGP (may be empty). */
	uint32_t	lan[CPE_LAN_MAX];
	uint8_t		lan_len[CPE_LAN_MAX];
	size_t		n_lan;
	/*
	 * Destinations the branch keeps local (bypassed forwarding rules,
	 * docs/bgp.md): rendered as static routes to the branch's own
	 * internet next hop wan, or commented out with a placeholder when
	 * wan is 0 (the gateway cannot know it). n_bypass_more: how many did
	 * not fit.
	 */
	uint32_t	bypass[CPE_BYPASS_MAX];
	uint8_t		bypass_len[CPE_BYPASS_MAX];
	size_t		n_bypass, n_bypass_more;
	uint32_t	wan;
};

/* "swanctl", "bird", "frr"; -1 otherwise. */
int	cpe_format_parse(const char *s);
/* MIME type to serve the text with. */
const char *cpe_format_mime(enum cpe_format);

/*
 * Returns the configuration as a malloc'd NUL-terminated string, or NULL
 * with err set (e.g. the link needs a gateway zone that has no endpoint).
 * swanctl output contains the pre-shared key(s): the caller must
 * explicit_bzero() and free() it.
 */
char	*cpe_render(enum cpe_format, const struct model_ctx *,
	    const struct model_rn *, const struct model_link *,
	    const struct cpe_opts *, char *err, size_t errlen);

#endif
