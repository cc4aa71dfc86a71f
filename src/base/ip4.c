/*
 * ip4.c - IPv4 text forms. inet_pton() would accept the same strings, but we
 * want one strict grammar for every address an API client sends, with the
 * reason a string was refused kept simple: it is not a dotted quad.
 */
#include "ip4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
ip4_parse(const char *s, uint32_t *out)
{
	uint32_t a = 0;
	int octet, digits, i;

	if (s == NULL)
		return -1;
	for (i = 0; i < 4; i++) {
		octet = 0;
		digits = 0;
		while (*s >= '0' && *s <= '9') {
			if (digits > 0 && octet == 0)
				return -1;	/* leading zero: octal ambiguity */
			octet = octet * 10 + (*s - '0');
			if (++digits > 3 || octet > 255)
				return -1;
			s++;
		}
		if (digits == 0)
			return -1;
		a = (a << 8) | (uint32_t)octet;
		if (i < 3 && *s++ != '.')
			return -1;
	}
	if (*s != '\0')
		return -1;
	*out = a;
	return 0;
}

int
ip4_prefix_parse(const char *s, uint32_t *addr, uint8_t *len)
{
	char tmp[IP4_STRLEN];
	const char *slash;
	char *end;
	unsigned long l;
	uint32_t a, mask;

	if (s == NULL || (slash = strchr(s, '/')) == NULL ||
	    (size_t)(slash - s) >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, (size_t)(slash - s));
	tmp[slash - s] = '\0';
	if (ip4_parse(tmp, &a) == -1)
		return -1;
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	l = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || l > 32 || (slash[1] == '0' && slash[2] != '\0'))
		return -1;
	mask = l == 0 ? 0 : 0xffffffffu << (32 - l);
	if ((a & ~mask) != 0)
		return -1;
	*addr = a;
	*len = (uint8_t)l;
	return 0;
}

const char *
ip4_fmt(uint32_t a, char buf[IP4_STRLEN])
{
	snprintf(buf, IP4_STRLEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
	    (a >> 8) & 0xff, a & 0xff);
	return buf;
}

bool
ip4_in_prefix(uint32_t a, uint32_t net, uint8_t len)
{
	uint32_t mask = len == 0 ? 0 : 0xffffffffu << (32 - len);

	return (a & mask) == (net & mask);
}
