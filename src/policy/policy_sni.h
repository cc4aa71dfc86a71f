/*
 * policy_sni.h - the server name of a TLS ClientHello (RFC 8446 §4.1.2,
 * RFC 6066 §3), from the first octets a client sent on a TCP connection.
 * The input is the TCP stream from its start: one or more TLS records
 * (RFC 8446 §5.1) carrying the handshake message, the last one perhaps
 * cut short. The caller feeds more octets (policy_reasm) while the answer
 * is POLICY_SNI_NEED_MORE.
 */
#ifndef POLICY_SNI_H
#define POLICY_SNI_H

#include <stddef.h>
#include <stdint.h>

#include "policy_name.h"

enum policy_sni_res {
	POLICY_SNI_OK,		/* host holds the normalized server name */
	POLICY_SNI_NEED_MORE,	/* a prefix of a ClientHello so far */
	POLICY_SNI_NOT_TLS,	/* not a TLS handshake record */
	POLICY_SNI_MALFORMED,	/* TLS, but the ClientHello breaks a rule */
	POLICY_SNI_NO_SNI,	/* a valid ClientHello without host_name */
	POLICY_SNI_TOO_BIG,	/* cannot fit in POLICY_REASM_CAP octets */
};

enum policy_sni_res policy_sni_parse(const uint8_t *p, size_t len,
	    char host[POLICY_HOST_MAX + 1]);
const char *policy_sni_res_str(enum policy_sni_res);

#endif
