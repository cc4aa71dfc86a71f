/*
 * model_prefix.c - IPv4 prefixes in CIDR text: a device link's
 * staticSourcePrefixes (validated by model_validate.c, stored by
 * store_sqlite.c as the list form below) and the gateway's reserved range.
 *
 * ip4_prefix_parse() only says yes or no; validation must tell a typo from
 * a prefix with host bits set, so the grammar is spelt out here.
 */
#include "model.h"
#include "ip4.h"

#include <stdio.h>
#include <string.h>

static uint32_t
mp_mask(uint8_t len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

int
model_prefix_parse(const char *s, struct model_prefix *out)
{
	char addr[IP4_STRLEN];
	const char *slash, *p;
	uint32_t a;
	unsigned len = 0;

	if (s == NULL || (slash = strchr(s, '/')) == NULL ||
	    (size_t)(slash - s) >= sizeof(addr))
		return -1;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (ip4_parse(addr, &a) == -1)
		return -1;
	p = slash + 1;
	/* One or two digits, no leading zero: "/08" is not canonical. */
	if (p[0] < '0' || p[0] > '9' || (p[0] == '0' && p[1] != '\0'))
		return -1;
	for (; *p >= '0' && *p <= '9' && p - slash <= 2; p++)
		len = len * 10 + (unsigned)(*p - '0');
	if (*p != '\0' || len > 32)
		return -1;
	out->addr = a & mp_mask((uint8_t)len);
	out->len = (uint8_t)len;
	return out->addr == a ? 0 : MODEL_PREFIX_HOSTBITS;
}

const char *
model_prefix_fmt(const struct model_prefix *p, char buf[MODEL_PREFIX_STRLEN])
{
	char a[IP4_STRLEN];

	snprintf(buf, MODEL_PREFIX_STRLEN, "%s/%u", ip4_fmt(p->addr, a),
	    (unsigned)p->len);
	return buf;
}

/* Two prefixes overlap exactly when the shorter one holds the other. */
bool
model_prefix_overlap(const struct model_prefix *a,
    const struct model_prefix *b)
{
	uint8_t len = a->len < b->len ? a->len : b->len;

	return ((a->addr ^ b->addr) & mp_mask(len)) == 0;
}

int
model_prefixes_fmt(const struct model_link *l, char *buf, size_t size)
{
	char one[MODEL_PREFIX_STRLEN];
	size_t len = 0;
	unsigned i;
	int n;

	if (size == 0 || l->nsrc > MODEL_SRC_PREFIXES_MAX)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < l->nsrc; i++) {
		n = snprintf(buf + len, size - len, "%s%s", i ? "," : "",
		    model_prefix_fmt(&l->src[i], one));
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	return 0;
}

int
model_prefixes_parse(const char *s, struct model_link *l)
{
	char one[MODEL_PREFIX_STRLEN];
	const char *end;
	size_t len;

	l->nsrc = 0;
	if (s == NULL)
		return -1;
	while (*s != '\0') {
		end = strchr(s, ',');
		len = end != NULL ? (size_t)(end - s) : strlen(s);
		if (len == 0 || len >= sizeof(one) ||
		    l->nsrc == MODEL_SRC_PREFIXES_MAX)
			goto fail;
		memcpy(one, s, len);
		one[len] = '\0';
		if (model_prefix_parse(one, &l->src[l->nsrc]) != 0)
			goto fail;
		l->nsrc++;
		if (end == NULL)
			break;
		s = end + 1;
		if (*s == '\0')
			goto fail;	/* a trailing ',' */
	}
	return 0;
fail:
	memset(l->src, 0, sizeof(l->src));
	l->nsrc = 0;
	return -1;
}
