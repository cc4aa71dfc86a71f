/*
 * policy_http.h - the Host of an HTTP/1.x request (RFC 9112 §3, §3.2,
 * §5), from the first octets a client sent on a TCP connection (perhaps
 * gathered over several segments by policy_reasm). The first complete
 * Host line decides: a request with a second one must be refused by the
 * server anyway (RFC 9112 §3.2), so it cannot reach another site. Empty
 * lines before the request line are skipped (§2.2); a line folded onto the
 * Host line (obs-fold, §5.2) makes the head malformed, since a server that
 * unfolds would read another Host than we did.
 */
#ifndef POLICY_HTTP_H
#define POLICY_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "policy_name.h"

enum policy_http_res {
	/* host: lower case, port stripped; an IPv4 or [IPv6] literal is
	 * kept as written (no FQDN or category rule can match it) */
	POLICY_HTTP_OK,
	POLICY_HTTP_NEED_MORE,
	POLICY_HTTP_NOT_HTTP,	/* not an HTTP/1.x request line */
	POLICY_HTTP_MALFORMED,	/* a request, but a broken head or Host */
	POLICY_HTTP_NO_HOST,	/* complete head without a Host (or empty) */
	POLICY_HTTP_TOO_BIG,	/* no Host within the cap */
};

enum policy_http_res policy_http_host(const uint8_t *p, size_t len,
	    char host[POLICY_HOST_MAX + 1]);
const char *policy_http_res_str(enum policy_http_res);

#endif
