/* ip4.h - IPv4 addresses and prefixes, host byte order. */
#ifndef IP4_H
#define IP4_H

#include <stdbool.h>
#include <stdint.h>

#define IP4_STRLEN	16	/* "255.255.255.255" + NUL */

/* Strict dotted quad: four decimal octets, no leading zeros, no spaces. */
int	ip4_parse(const char *s, uint32_t *out);
/* "a.b.c.d/len" with host bits zero. */
int	ip4_prefix_parse(const char *s, uint32_t *addr, uint8_t *len);
const char *ip4_fmt(uint32_t a, char buf[IP4_STRLEN]);
bool	ip4_in_prefix(uint32_t a, uint32_t net, uint8_t len);

#endif
