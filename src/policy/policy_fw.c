/*
 * policy_fw.c - cloud firewall rules: one allocation holding the sorted
 * rules and all their lists, so a compiled set is freed at once after an
 * RCU grace period.
 */
#include "policy_fw.h"

#include <stdlib.h>
#include <string.h>

struct policy_fw {
	struct policy_fw_rule	*rule;
	size_t			 n;
	size_t			 bytes;
};

static int
fw_cmp(const void *a, const void *b)
{
	const struct policy_fw_rule *x = a, *y = b;

	/* Priorities are unique within a policy; the caller's index breaks
	 * ties anyway, so that qsort's instability cannot reorder rules. */
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->value < y->value ? -1 : x->value > y->value;
}

struct policy_fw *
policy_fw_build(const struct policy_fw_rule *r, size_t n)
{
	struct policy_fw *fw;
	size_t n32 = 0, n16 = 0, i;
	struct policy_range32 *p32;
	struct policy_range16 *p16;

	for (i = 0; i < n; i++) {
		n32 += (size_t)r[i].nsrc + r[i].ndst;
		n16 += (size_t)r[i].nsport + r[i].ndport;
	}
	if ((fw = calloc(1, sizeof(*fw) + n * sizeof(*fw->rule) +
	    n32 * sizeof(*p32) + n16 * sizeof(*p16))) == NULL)
		return NULL;
	fw->bytes = sizeof(*fw) + n * sizeof(*fw->rule) + n32 * sizeof(*p32) +
	    n16 * sizeof(*p16);
	fw->rule = (struct policy_fw_rule *)(fw + 1);
	p32 = (struct policy_range32 *)(fw->rule + n);
	p16 = (struct policy_range16 *)(p32 + n32);
	for (i = 0; i < n; i++) {
		struct policy_fw_rule *d = &fw->rule[i];

		*d = r[i];
		if (d->protos == 0)
			d->protos = POLICY_FW_TCP | POLICY_FW_UDP;
		if (r[i].nsrc > 0)	/* the list may be NULL when empty */
			memcpy(p32, r[i].src, r[i].nsrc * sizeof(*p32));
		d->src = p32;
		p32 += r[i].nsrc;
		if (r[i].ndst > 0)	/* the list may be NULL when empty */
			memcpy(p32, r[i].dst, r[i].ndst * sizeof(*p32));
		d->dst = p32;
		p32 += r[i].ndst;
		if (r[i].nsport > 0)	/* the list may be NULL when empty */
			memcpy(p16, r[i].sport, r[i].nsport * sizeof(*p16));
		d->sport = p16;
		p16 += r[i].nsport;
		if (r[i].ndport > 0)	/* the list may be NULL when empty */
			memcpy(p16, r[i].dport, r[i].ndport * sizeof(*p16));
		d->dport = p16;
		p16 += r[i].ndport;
	}
	fw->n = n;
	if (n > 1)
		qsort(fw->rule, n, sizeof(*fw->rule), fw_cmp);
	return fw;
}

void
policy_fw_free(struct policy_fw *fw)
{
	free(fw);
}

size_t
policy_fw_bytes(const struct policy_fw *fw)
{
	return fw == NULL ? 0 : fw->bytes;
}

size_t
policy_fw_count(const struct policy_fw *fw)
{
	return fw == NULL ? 0 : fw->n;
}

static bool
fw_in32(const struct policy_range32 *r, size_t n, uint32_t v)
{
	size_t i;

	if (n == 0)
		return true;
	for (i = 0; i < n; i++)
		if (v >= r[i].lo && v <= r[i].hi)
			return true;
	return false;
}

static bool
fw_in16(const struct policy_range16 *r, size_t n, uint16_t v)
{
	size_t i;

	if (n == 0)
		return true;
	for (i = 0; i < n; i++)
		if (v >= r[i].lo && v <= r[i].hi)
			return true;
	return false;
}

const struct policy_fw_rule *
policy_fw_match(const struct policy_fw *fw, uint8_t proto, uint32_t src,
    uint16_t sport, uint32_t dst, uint16_t dport)
{
	uint8_t pm;
	size_t i;

	if (fw == NULL)
		return NULL;
	if (proto == 6)
		pm = POLICY_FW_TCP;
	else if (proto == 17)
		pm = POLICY_FW_UDP;
	else
		return NULL;
	for (i = 0; i < fw->n; i++) {
		const struct policy_fw_rule *r = &fw->rule[i];

		if ((r->protos & pm) && fw_in32(r->src, r->nsrc, src) &&
		    fw_in32(r->dst, r->ndst, dst) &&
		    fw_in16(r->sport, r->nsport, sport) &&
		    fw_in16(r->dport, r->ndport, dport))
			return r;
	}
	return NULL;
}

static int
fw_u16(const char *s, size_t n, uint16_t *out)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int
policy_fw_port_parse(const char *s, struct policy_range16 *r)
{
	const char *dash;
	size_t n;

	if (s == NULL)
		return -1;
	n = strlen(s);
	if ((dash = strchr(s, '-')) == NULL) {
		if (fw_u16(s, n, &r->lo) == -1)
			return -1;
		r->hi = r->lo;
		return 0;
	}
	if (fw_u16(s, (size_t)(dash - s), &r->lo) == -1 ||
	    fw_u16(dash + 1, n - (size_t)(dash - s) - 1, &r->hi) == -1 ||
	    r->lo > r->hi)
		return -1;
	return 0;
}
