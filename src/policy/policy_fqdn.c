/*
 * policy_fqdn.c - FQDN pattern set: one open-addressing table of
 * (suffix hash, wildcard bit) -> pattern, sized to twice the patterns, the
 * names kept in one pool. The keys come from the administrator, not from
 * packets, so probe lengths cannot be steered by traffic; the name read
 * from a packet is only looked up.
 */
#include "policy_fqdn.h"

#include <stdlib.h>
#include <string.h>

struct fqdn_slot {
	uint64_t	 h;		/* 0: empty */
	uint32_t	 off;		/* name in pool */
	uint16_t	 len;
	bool		 wild;
	uint32_t	 rank, value;
};

struct policy_fqdn {
	struct fqdn_slot *slot;
	size_t		 mask;
	size_t		 n;
	char		*pool;
	size_t		 bytes;
};

int
policy_fqdn_pattern(const char *s, char out[POLICY_HOST_MAX + 1], bool *wild,
    const char **why)
{
	size_t len;

	if (s == NULL || (len = strlen(s)) == 0) {
		*why = "must not be empty";
		return -1;
	}
	*wild = false;
	if (len >= 2 && s[0] == '*' && s[1] == '.') {
		*wild = true;
		s += 2;
		len -= 2;
	}
	if (memchr(s, '*', len) != NULL) {
		*why = "a wildcard is allowed only as a leading \"*.\"";
		return -1;
	}
	if (policy_name_norm(s, len, out) == -1) {
		*why = "is not a host name (labels of 1-63 letters, digits, "
		    "'-' or '_', 253 characters at most)";
		return -1;
	}
	return 0;
}

static uint64_t
fqdn_key(uint64_t h, bool wild)
{
	/* Never 0 (the empty mark); the wildcard bit changes the slot. */
	h ^= wild ? 0x9e3779b97f4a7c15ull : 0;
	return h == 0 ? 1 : h;
}

static uint64_t
fqdn_hash(const char *name, size_t len)
{
	uint64_t h = POLICY_FQDN_H0;

	while (len > 0)
		h = policy_fqdn_hstep(h, name[--len]);
	return h;
}

struct policy_fqdn *
policy_fqdn_build(const struct policy_fqdn_pat *pats, size_t n)
{
	struct policy_fqdn *f;
	char norm[POLICY_HOST_MAX + 1];
	const char *why;
	size_t cap = 16, i, j, used = 0, len;
	bool wild;
	uint64_t k;
	size_t pool = 1;

	/* A normalized name is never longer than its pattern. */
	for (i = 0; i < n; i++)
		pool += pats[i].pattern == NULL ? 0 : strlen(pats[i].pattern);
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	while (cap < n * 2)
		cap <<= 1;
	f->mask = cap - 1;
	if ((f->slot = calloc(cap, sizeof(*f->slot))) == NULL ||
	    (f->pool = malloc(pool)) == NULL)
		goto fail;
	f->bytes = sizeof(*f) + cap * sizeof(*f->slot) + pool;
	for (i = 0; i < n; i++) {
		if (policy_fqdn_pattern(pats[i].pattern, norm, &wild, &why) == -1)
			goto fail;
		len = strlen(norm);
		k = fqdn_key(fqdn_hash(norm, len), wild);
		for (j = k & f->mask;; j = (j + 1) & f->mask) {
			struct fqdn_slot *s = &f->slot[j];

			if (s->h == 0) {
				s->h = k;
				s->off = (uint32_t)used;
				s->len = (uint16_t)len;
				s->wild = wild;
				s->rank = pats[i].rank;
				s->value = pats[i].value;
				memcpy(f->pool + used, norm, len);
				used += len;
				f->n++;
				break;
			}
			if (s->h == k && s->wild == wild && s->len == len &&
			    memcmp(f->pool + s->off, norm, len) == 0) {
				if (pats[i].rank < s->rank) {
					s->rank = pats[i].rank;
					s->value = pats[i].value;
				}
				break;
			}
		}
	}
	return f;
fail:
	policy_fqdn_free(f);
	return NULL;
}

void
policy_fqdn_free(struct policy_fqdn *f)
{
	if (f == NULL)
		return;
	free(f->slot);
	free(f->pool);
	free(f);
}

size_t
policy_fqdn_bytes(const struct policy_fqdn *f)
{
	return f == NULL ? 0 : f->bytes;
}

size_t
policy_fqdn_count(const struct policy_fqdn *f)
{
	return f == NULL ? 0 : f->n;
}

static const struct fqdn_slot *
fqdn_find(const struct policy_fqdn *f, uint64_t h, bool wild, const char *s,
    size_t len)
{
	uint64_t k = fqdn_key(h, wild);
	size_t j;

	for (j = k & f->mask;; j = (j + 1) & f->mask) {
		const struct fqdn_slot *e = &f->slot[j];

		if (e->h == 0)
			return NULL;
		if (e->h == k && e->wild == wild && e->len == len &&
		    memcmp(f->pool + e->off, s, len) == 0)
			return e;
	}
}

bool
policy_fqdn_match(const struct policy_fqdn *f, const char *host,
    uint32_t *rank, uint32_t *value)
{
	const struct fqdn_slot *e, *best = NULL;
	size_t len, i;
	uint64_t h = POLICY_FQDN_H0;

	if (f == NULL || f->n == 0)
		return false;
	len = strlen(host);
	/* From the right: at each label start, h is the hash of host[i..]. */
	for (i = len; i > 0; i--) {
		h = policy_fqdn_hstep(h, host[i - 1]);
		if (i - 1 == 0 || host[i - 2] != '.')
			continue;
		/* host[i-1..] is a proper suffix: "*.<it>" patterns match. */
		e = fqdn_find(f, h, true, host + i - 1, len - (i - 1));
		if (e != NULL && (best == NULL || e->rank < best->rank))
			best = e;
	}
	e = fqdn_find(f, h, false, host, len);
	if (e != NULL && (best == NULL || e->rank < best->rank))
		best = e;
	if (best == NULL)
		return false;
	*rank = best->rank;
	*value = best->value;
	return true;
}
