/*
 * pfxset.c - sorted IPv4 prefix sets (pfxset.h).
 */
#include "pfxset.h"

#include <stdlib.h>
#include <string.h>

static int
pfxset_cmp(uint32_t addr, uint8_t len, const struct pfxset_ent *p)
{
	if (addr != p->addr)
		return addr < p->addr ? -1 : 1;
	return len < p->len ? -1 : len > p->len;
}

size_t
pfxset_pos(const struct pfxset *s, uint32_t addr, uint8_t len, bool *found)
{
	size_t lo = 0, hi = s->n, mid;
	int c;

	*found = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = pfxset_cmp(addr, len, &s->e[mid])) == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int
pfxset_insert(struct pfxset *s, size_t pos, uint32_t addr, uint8_t len)
{
	struct pfxset_ent *n;
	size_t cap;

	if (pos > s->n)
		return -1;
	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 8;
		if ((n = reallocarray(s->e, cap, sizeof(*n))) == NULL)
			return -1;
		s->e = n;
		s->cap = cap;
	}
	memmove(&s->e[pos + 1], &s->e[pos], (s->n - pos) * sizeof(*s->e));
	s->e[pos].addr = addr;
	s->e[pos].len = len;
	s->e[pos].refs = 1;
	s->e[pos].path_len = s->e[pos].med = s->e[pos].nas = 0;
	s->n++;
	return 0;
}

void
pfxset_remove(struct pfxset *s, size_t pos)
{
	if (pos >= s->n)
		return;
	memmove(&s->e[pos], &s->e[pos + 1], (s->n - pos - 1) * sizeof(*s->e));
	s->n--;
}

void
pfxset_free(struct pfxset *s)
{
	free(s->e);
	memset(s, 0, sizeof(*s));
}
