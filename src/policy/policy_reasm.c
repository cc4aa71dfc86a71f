/*
 * policy_reasm.c - in-order collection of a client's first octets (see
 * policy_reasm.h for the out-of-order and overlap rules).
 */
#include "policy_reasm.h"

#include <string.h>

void
policy_reasm_init(struct policy_reasm *r, uint32_t next)
{
	r->next = next;
	r->len = 0;
}

enum policy_reasm_res
policy_reasm_feed(struct policy_reasm *r, uint32_t seq, const uint8_t *p,
    size_t n)
{
	/* Serial number arithmetic: sequence numbers wrap (RFC 9293 §3.4). */
	int32_t d = (int32_t)(seq - r->next);
	size_t skip, room;

	if (n == 0)
		return POLICY_REASM_DUP;
	if (d > 0)
		return POLICY_REASM_GAP;
	skip = (size_t)-(int64_t)d;
	if (skip >= n)
		return POLICY_REASM_DUP;
	p += skip;
	n -= skip;
	room = POLICY_REASM_CAP - r->len;
	if (n > room) {
		memcpy(r->data + r->len, p, room);
		r->len += (uint32_t)room;
		r->next += (uint32_t)room;
		return POLICY_REASM_FULL;
	}
	memcpy(r->data + r->len, p, n);
	r->len += (uint32_t)n;
	r->next += (uint32_t)n;
	return r->len == POLICY_REASM_CAP ? POLICY_REASM_FULL : POLICY_REASM_OK;
}
