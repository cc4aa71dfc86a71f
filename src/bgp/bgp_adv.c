/*
 * bgp_adv.c - what we announce (the Adj-RIB-Out, RFC 4271 §3.2): a sorted
 * set of prefixes, all with the same path attributes (ORIGIN IGP, AS_PATH
 * [local AS] as §5.1.2 asks of a route we originate towards an external
 * peer, NEXT_HOP our BGP address, §5.1.3) but for one RFC 1997 community
 * per prefix (which profile it serves). The whole set goes out when the
 * session is Established or the peer asks for a route refresh; a new set
 * from the host goes out as its difference with the old one. The arrays
 * grow with the set, up to the configured maximum: a session announcing
 * two routes does not pay for the 4,000 another tenant's transit needs.
 */
#include "bgp_session.h"

#include <stdlib.h>
#include <string.h>

bool
bgp_adv_valid(const struct bgp_prefix *p)
{
	if (p->len > 32)
		return false;
	return p->len == 0 ? p->addr == 0 :
	    (p->addr & ~(0xffffffffu << (32 - p->len))) == 0;
}

int
bgp_prefix_cmp(const void *a, const void *b)
{
	const struct bgp_prefix *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (int)x->len - (int)y->len;
}

/* Room for n in each array (n <= max_advertised); 0 or -1 (no memory). */
static int
bgp_adv_reserve(struct bgp_session *s, size_t n)
{
	struct bgp_prefix **arr[4] = { &s->adv, &s->adv_new, &s->adv_wd,
	    &s->adv_add };
	struct bgp_prefix *p;
	size_t cap, i;

	if (n <= s->adv_cap && s->adv != NULL)
		return 0;
	cap = s->adv_cap < 16 ? 16 : s->adv_cap;
	while (cap < n)
		cap *= 2;
	if (cap > s->cfg.max_advertised)
		cap = s->cfg.max_advertised;
	for (i = 0; i < 4; i++) {
		if ((p = reallocarray(*arr[i], cap, sizeof(*p))) == NULL)
			return -1;	/* the larger ones stay: harmless */
		*arr[i] = p;
	}
	s->adv_cap = cap;
	return 0;
}

/* p[0..n) validated, sorted and without duplicates into out; the count, or -1. */
static int
bgp_adv_normalise(const struct bgp_session *s, const struct bgp_prefix *p,
    size_t n, struct bgp_prefix *out, size_t *nout)
{
	size_t i, j;

	if (n > s->adv_cap)
		return -1;
	for (i = 0; i < n; i++) {
		if (!bgp_adv_valid(&p[i]))
			return -1;
		out[i].addr = p[i].addr;
		out[i].len = p[i].len;
		out[i].community = p[i].community;
	}
	if (n > 1)
		qsort(out, n, sizeof(*out), bgp_prefix_cmp);
	for (i = j = 0; i < n; i++)
		if (j == 0 || bgp_prefix_cmp(&out[j - 1], &out[i]) != 0)
			out[j++] = out[i];
	*nout = j;
	return 0;
}

int
bgp_adv_init(struct bgp_session *s, const struct bgp_prefix *p, size_t n)
{
	if (n > s->cfg.max_advertised || bgp_adv_reserve(s, n) == -1)
		return -1;
	return bgp_adv_normalise(s, p, n, s->adv, &s->nadv);
}

void
bgp_adv_free(struct bgp_session *s)
{
	free(s->adv);
	free(s->adv_new);
	free(s->adv_wd);
	free(s->adv_add);
	s->adv = s->adv_new = s->adv_wd = s->adv_add = NULL;
	s->nadv = s->adv_cap = 0;
}

/*
 * As many UPDATEs as it takes, each at most 4096 octets; the additions in
 * runs of one community, each run under its own attributes.
 */
static void
bgp_adv_send(struct bgp_session *s, const struct bgp_prefix *wd, size_t nwd,
    const struct bgp_prefix *add, size_t nadd, monotime_t now)
{
	struct bgp_attrs_out a;
	struct wbuf w;
	uint32_t path[1] = { s->cfg.local_as };
	size_t dw, da, run;

	memset(&a, 0, sizeof(a));
	a.origin = BGP_ORIGIN_IGP;
	a.aspath = path;
	a.aspath_len = 1;
	a.nexthop = s->cfg.local_addr;
	while ((nwd > 0 || nadd > 0) && s->state == BGP_ESTABLISHED) {
		for (run = 1; run < nadd &&
		    add[run].community == add[0].community; run++)
			;
		a.community = nadd > 0 ? add[0].community : 0;
		wbuf_init(&w, s->out, sizeof(s->out));
		if (bgp_wire_update_build(&w, wd, nwd, &dw, &a, add,
		    nadd > 0 ? run : 0, &da) == -1 || dw + da == 0)
			return;		/* cannot happen with 4096 octets */
		bgp_session_send(s, s->out, wbuf_len(&w), now);
		wd += dw;
		nwd -= dw;
		add += da;
		nadd -= da;
	}
}

void
bgp_adv_send_all(struct bgp_session *s, monotime_t now)
{
	bgp_adv_send(s, s->adv_wd, 0, s->adv, s->nadv, now);
}

int
bgp_adv_set(struct bgp_session *s, const struct bgp_prefix *p, size_t n,
    monotime_t now)
{
	struct bgp_prefix *tmp;
	size_t nnew, i = 0, j = 0, nwd = 0, nadd = 0;
	int c;

	/* adv_wd holds at most the old set, adv_add the new one. */
	if (n > s->cfg.max_advertised || bgp_adv_reserve(s, n) == -1 ||
	    bgp_adv_normalise(s, p, n, s->adv_new, &nnew) == -1)
		return -1;
	/* Both sorted: one merge pass gives what left and what came. */
	while (i < s->nadv || j < nnew) {
		if (i == s->nadv)
			c = 1;
		else if (j == nnew)
			c = -1;
		else
			c = bgp_prefix_cmp(&s->adv[i], &s->adv_new[j]);
		if (c < 0)
			s->adv_wd[nwd++] = s->adv[i++];
		else if (c > 0)
			s->adv_add[nadd++] = s->adv_new[j++];
		else if (s->adv[i++].community != s->adv_new[j].community)
			s->adv_add[nadd++] = s->adv_new[j++];	/* replaces */
		else
			j++;
	}
	tmp = s->adv;
	s->adv = s->adv_new;
	s->adv_new = tmp;
	s->nadv = nnew;
	bgp_adv_send(s, s->adv_wd, nwd, s->adv_add, nadd, now);
	return 0;
}
