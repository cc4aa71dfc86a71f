/*
 * policy_name.h - one grammar for host names, whichever way they come in:
 * a TLS server_name, an HTTP Host, an FQDN destination of a rule, a line of
 * the web-category file. Lower case (DNS names compare case-insensitively,
 * RFC 4343), labels of 1..63 octets of letters, digits, '-' and '_'
 * (underscores occur in real names, RFC 2181 §11), 253 octets at most, one
 * trailing dot dropped. A last label of digits only is refused: no top
 * level domain is all-numeric (RFC 3696 §2), so such a name is an IPv4
 * literal, which a server_name must not carry (RFC 6066 §3) and no FQDN
 * rule can name.
 */
#ifndef POLICY_NAME_H
#define POLICY_NAME_H

#include <stdbool.h>
#include <stddef.h>

#define POLICY_HOST_MAX		253

/* 0 and the normalized name in out (NUL-terminated), or -1. */
int	policy_name_norm(const char *in, size_t len,
	    char out[POLICY_HOST_MAX + 1]);
/* Whether in is a dotted-quad IPv4 address (RFC 3986 §3.2.2 IPv4address). */
bool	policy_name_ipv4(const char *in, size_t len);

#endif
