/*
 * esp_table.c - master state on the control thread, immutable snapshots
 * for the workers (see esp_table.h). Every commit rebuilds the whole
 * snapshot: O(links + CHILD SAs), which is cheap next to an IKE exchange
 * for the hundreds of branches a node carries; incremental copies can come
 * when a node holds tens of thousands.
 */
#include "esp_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <urcu/urcu-memb.h>

#include "esp_sa.h"
#include "hash32.h"
#include "log.h"
#include "lpm.h"
#include "pfxset.h"

struct esp_tchild {
	char		 link_id[ESP_TABLE_LINK_ID_MAX + 1];
	int		 zone;			/* 1, 2; 0: unknown */
	struct esp_sa	*in, *out;
	uint32_t	 local_ip, remote_ip;
	uint16_t	 local_port, remote_port;
	bool		 udp_encap;
	uint64_t	 seq;			/* install order */
	bool		 in_seen;		/* the peer sent on it */
	monotime_t	 linger_until;		/* MONOTIME_NEVER: live */
};

/* A link's BGP-learned prefixes (host bits zero), each held by refs sessions. */
struct esp_tlearned {
	char		 link_id[ESP_TABLE_LINK_ID_MAX + 1];
	struct pfxset	 set;
};

/*
 * Which zone sessions of a link hold which learned prefixes, with each
 * session's attributes (esp_table_learned_zone): set[z - 1] for zone z.
 */
struct esp_tzone {
	char		 link_id[ESP_TABLE_LINK_ID_MAX + 1];
	struct pfxset	 set[ESP_TABLE_ZONES];
};

/* What a link's retired CHILD SAs counted (esp_table_walk_totals). */
struct esp_ttotal {
	char		 link_id[ESP_TABLE_LINK_ID_MAX + 1];
	struct esp_sa_stats in, out;
};

struct esp_tlink_ix {
	const char	*id;
	size_t		 idx;
};

struct esp_table {
	struct esp_snap		*cur;		/* RCU-published */
	struct esp_snap_tenant	*tenants;	/* [ESP_TABLE_TENANTS_MAX] */
	struct esp_table_link	*links;
	size_t			 nlinks;
	/* links by id, for esp_table_link_find; NULL: no memory, scan. */
	struct esp_tlink_ix	*links_ix;
	struct esp_tchild	*child;
	size_t			 nchild, child_cap;
	uint64_t		 seq;
	struct esp_sa		**retired;	/* freed after the next grace period */
	size_t			 nretired, retired_cap;
	struct esp_tlearned	*learned;	/* links holding learned prefixes */
	size_t			 nlearned, learned_cap;
	struct esp_ttotal	*totals;	/* links with retired CHILD SAs */
	size_t			 ntotals, totals_cap;
	struct esp_tzone	*zroutes;	/* links with per-zone records */
	size_t			 nzroutes, zroutes_cap, zlast;
	uint32_t		 seed;		/* ECMP flow hash key */
};

static void esp_table_zroutes_free(struct esp_table *);

/* --- read side ------------------------------------------------------------ */

const struct esp_snap *
esp_table_snap(struct esp_table *t)
{
	return rcu_dereference(t->cur);
}

const struct esp_snap_in *
esp_snap_in_find(const struct esp_snap *s, uint32_t spi)
{
	uint32_t h;

	if (s == NULL || spi == 0)
		return NULL;
	for (h = hash32_mix(spi) & s->in_mask; s->in[h].spi != 0;
	    h = (h + 1) & s->in_mask)
		if (s->in[h].spi == spi)
			return &s->in[h];
	return NULL;
}

const struct esp_snap_tenant *
esp_snap_tenant(const struct esp_snap *s, uint32_t slot, uint32_t gen)
{
	if (s == NULL || slot >= s->ntenants || gen == 0 ||
	    s->tenants[slot].gen != gen)
		return NULL;
	return &s->tenants[slot];
}

bool
esp_snap_src_ok(const struct esp_snap *s, const struct esp_snap_in *e,
    uint32_t src)
{
	uint32_t v;

	if (e->link >= s->nlinks)
		return false;
	if (s->links[e->link].src == NULL)
		return true;		/* no check for this link */
	return lpm_lookup(s->links[e->link].src, src, &v) == 0;
}

bool
esp_snap_zone_ok(const struct esp_snap *s, const struct esp_snap_in *e,
    uint32_t dst)
{
	const struct esp_snap_link *l;

	if (e->link >= s->nlinks || e->zone < 1 || e->zone > ESP_TABLE_ZONES)
		return true;
	l = &s->links[e->link];
	if (l->gw_local[0] == 0 || l->gw_local[1] == 0)
		return true;		/* one session: nothing to confuse */
	return dst != l->gw_local[e->zone == 1 ? 1 : 0];
}

const struct esp_snap_link *
esp_snap_zone_out(const struct esp_snap *s, const struct esp_snap_link *l,
    uint32_t src)
{
	size_t j;

	if (l == NULL || l->gw_local[0] == 0 || l->gw_local[1] == 0 ||
	    (src != l->gw_local[0] && src != l->gw_local[1]))
		return l;
	/* l is a link (zone 0) or a zone entry; both carry its gw_local. */
	j = l->zone == 0 ? (size_t)(l - s->links) :
	    (size_t)(l - s->zones) / ESP_TABLE_ZONES;
	if (j >= s->nlinks)
		return l;
	return &s->zones[j * ESP_TABLE_ZONES + (src == l->gw_local[0] ? 0 : 1)];
}

/* Member m of a group: a link, or one zone of a link. */
static const struct esp_snap_link *
esp_snap_member(const struct esp_snap *s, uint32_t m)
{
	if (m < s->nlinks)
		return &s->links[m];
	m -= (uint32_t)s->nlinks;
	return m < s->nlinks * ESP_TABLE_ZONES ? &s->zones[m] : NULL;
}

/* The flow of an IPv4 packet: addresses, protocol, TCP/UDP ports. */
static uint32_t
esp_flow_hash(uint32_t seed, const uint8_t *ip, size_t len)
{
	uint32_t h = seed;
	size_t ihl, i;

	if (ip == NULL || len < 20)
		return hash32_mix(h);
	for (i = 12; i < 20; i += 4)
		h = hash32_mix(h ^ ((uint32_t)ip[i] << 24 | (uint32_t)ip[i + 1] << 16 |
		    (uint32_t)ip[i + 2] << 8 | ip[i + 3]));
	h = hash32_mix(h ^ ip[9]);
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	/* Ports only in the first fragment's header: later ones have none. */
	if ((ip[9] == 6 || ip[9] == 17) && ihl >= 20 && len >= ihl + 4 &&
	    ((ip[6] & 0x1f) | ip[7]) == 0)
		h = hash32_mix(h ^ ((uint32_t)ip[ihl] << 24 |
		    (uint32_t)ip[ihl + 1] << 16 | (uint32_t)ip[ihl + 2] << 8 |
		    ip[ihl + 3]));
	return h;
}

const struct esp_snap_link *
esp_snap_route_flow(const struct esp_snap *s, const struct esp_snap_tenant *tn,
    uint32_t dst, const uint8_t *ip, size_t len)
{
	const struct esp_snap_group *g;
	const struct esp_snap_link *m, *pick = NULL;
	uint32_t v, h, score, best = 0;
	unsigned i;

	if (lpm_lookup(tn->lpm, dst, &v) == -1)
		return NULL;
	if (v < ESP_SNAP_GROUP)
		return v < s->nlinks ? &s->links[v] : NULL;
	if ((v -= ESP_SNAP_GROUP) >= s->ngroups)
		return NULL;
	g = &s->groups[v];
	if (g->n == 1)
		return esp_snap_member(s, g->member[0]);
	/*
	 * Rendezvous hashing: the member scoring highest for this flow. The
	 * score depends on the flow and the member's key only, so members
	 * coming and going move no flow between the others.
	 */
	h = esp_flow_hash(s->seed, ip, len);
	for (i = 0; i < g->n; i++) {
		if ((m = esp_snap_member(s, g->member[i])) == NULL)
			continue;
		score = hash32_mix(h ^ m->key);
		if (pick == NULL || score > best) {
			best = score;
			pick = m;
		}
	}
	return pick;
}

size_t
esp_table_route_members(struct esp_table *t, uint32_t slot, uint32_t prefix,
    uint8_t plen, struct esp_table_member *out, size_t max)
{
	/* The committing thread: t->cur cannot be freed under us. */
	const struct esp_snap *s = t->cur;
	const struct esp_snap_link *m;
	const struct esp_snap_group *g;
	uint32_t v, one;
	const uint32_t *mem;
	size_t i, n, k = 0;
	uint8_t got;

	if (s == NULL || slot >= s->ntenants || s->tenants[slot].gen == 0 ||
	    plen > 32 || lpm_lookup_len(s->tenants[slot].lpm, plen == 0 ? 0 :
	    prefix & (UINT32_MAX << (32 - plen)), &v, &got) == -1 ||
	    got != plen)
		return 0;
	if (v < ESP_SNAP_GROUP) {
		one = v;
		mem = &one;
		n = 1;
	} else {
		if ((v -= ESP_SNAP_GROUP) >= s->ngroups)
			return 0;
		g = &s->groups[v];
		mem = g->member;
		n = g->n;
	}
	for (i = 0; i < n && k < max; i++) {
		if ((m = esp_snap_member(s, mem[i])) == NULL)
			continue;
		snprintf(out[k].link_id, sizeof(out[k].link_id), "%s", m->id);
		out[k].zone = m->zone;
		out[k].up = m->out != NULL;
		k++;
	}
	return k;
}

const struct esp_snap_link *
esp_snap_route(const struct esp_snap *s, const struct esp_snap_tenant *tn,
    uint32_t dst)
{
	return esp_snap_route_flow(s, tn, dst, NULL, 0);
}

/* --- snapshots -------------------------------------------------------------- */

static void
esp_snap_free(struct esp_snap *s)
{
	unsigned i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ntenants; i++)
		lpm_free(s->tenants[i].lpm);
	for (i = 0; i < s->nlinks && s->links != NULL; i++)
		lpm_free(s->links[i].src);
	free(s->tenants);
	free(s->links);
	free(s->zones);
	free(s->groups);
	free(s->in);
	free(s);
}

static int
esp_tlink_ix_cmp(const void *a, const void *b)
{
	return strcmp(((const struct esp_tlink_ix *)a)->id,
	    ((const struct esp_tlink_ix *)b)->id);
}

/* The sort's order: by id, then position, so a repeated id finds its first. */
static int
esp_tlink_ix_sort(const void *a, const void *b)
{
	const struct esp_tlink_ix *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c != 0 ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/*
 * By binary search in links_ix (sorted in esp_table_links_set): the
 * snapshot build looks up the link of every CHILD SA, learned set and zone
 * record, and a scan of the links each time made a commit O(links x SAs);
 * at 5,000 links that was the gateway's whole CPU (strcmp, 72 %) while
 * tunnels came up (perf, bench/loadgen.sh).
 */
static const struct esp_table_link *
esp_table_link_find(const struct esp_table *t, const char *id, size_t *idx)
{
	struct esp_tlink_ix key = { id, 0 };
	const struct esp_tlink_ix *x;
	size_t i;

	if (t->links_ix != NULL) {
		if (t->nlinks == 0 || (x = bsearch(&key, t->links_ix,
		    t->nlinks, sizeof(*x), esp_tlink_ix_cmp)) == NULL)
			return NULL;
		while (x > t->links_ix && strcmp(x[-1].id, id) == 0)
			x--;
		*idx = x->idx;
		return &t->links[x->idx];
	}
	for (i = 0; i < t->nlinks; i++)
		if (strcmp(t->links[i].id, id) == 0) {
			*idx = i;
			return &t->links[i];
		}
	return NULL;
}

/* The learned prefixes of link, in the tenant's LPM when live matches. */
static void
esp_snap_learned(const struct esp_table *t, const struct esp_snap *s,
    const size_t *lidx, uint32_t tenant, bool live, struct lpm_entry *e,
    size_t *n)
{
	const struct esp_tlearned *le;
	size_t k, j, r;

	for (k = 0; k < t->nlearned; k++) {
		le = &t->learned[k];
		if ((j = lidx[k]) == SIZE_MAX || t->links[j].tenant != tenant ||
		    (s->links[j].out != NULL) != live)
			continue;
		for (r = 0; r < le->set.n; r++) {
			e[*n].prefix = le->set.e[r].addr;
			e[*n].plen = le->set.e[r].len;
			e[*n].value = (uint32_t)j;
			(*n)++;
		}
	}
}

static int
esp_lpm_entry_cmp(const void *a, const void *b)
{
	const struct lpm_entry *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	if (x->plen != y->plen)
		return (int)x->plen - (int)y->plen;
	return x->value < y->value ? -1 : x->value > y->value;
}

/* The attributes link j's session gave prefix e (rl: link -> learned). */
static const struct pfxset_ent *
esp_snap_attr(const struct esp_table *t, const size_t *rl, uint32_t j,
    const struct lpm_entry *e)
{
	const struct pfxset *set;
	size_t pos;
	bool found;

	if (rl[j] == SIZE_MAX)
		return NULL;
	set = &t->learned[rl[j]].set;
	pos = pfxset_pos(set, e->prefix, e->plen, &found);
	return found ? &set->e[pos] : NULL;
}

/*
 * Drops from g the members RFC 4271 §9.1.2.2 ranks below another: a
 * longer AS_PATH (a), then a higher MULTI_EXIT_DISC than a member with the
 * same neighbouring AS (c). What is left shares the prefix. a[i]: member
 * i's attributes.
 */
static void
esp_snap_rank(struct esp_snap_group *g, const struct pfxset_ent **a)
{
	bool keep[ESP_TABLE_ECMP_MAX];
	uint32_t shortest = UINT32_MAX;
	unsigned i, k, out;

	for (i = 0; i < g->n; i++)
		if (a[i]->path_len < shortest)
			shortest = a[i]->path_len;
	for (i = 0; i < g->n; i++) {
		keep[i] = a[i]->path_len == shortest;
		for (k = 0; k < g->n && keep[i]; k++)
			keep[i] = !(a[k]->path_len == shortest &&
			    a[k]->nas == a[i]->nas && a[k]->med < a[i]->med);
	}
	for (i = 0, out = 0; i < g->n; i++)
		if (keep[i])
			g->member[out++] = g->member[i];
	g->n = out;
}

/*
 * The record of prefix e in set, or NULL. A link's entries often come in
 * its set's order, so the one after its last hit (*cur) is tried first
 * (no hashing); else the set's index.
 */
static const struct pfxset_ent *
esp_snap_zone_rec(const struct pfxset *set, size_t *cur,
    const struct lpm_entry *e)
{
	size_t pos;
	bool found;

	if (set->n == 0)
		return NULL;
	if (*cur < set->n && set->e[*cur].addr == e->prefix &&
	    set->e[*cur].len == e->plen)
		pos = *cur;
	else {
		pos = pfxset_pos(set, e->prefix, e->plen, &found);
		if (!found)
			return NULL;
	}
	*cur = pos + 1;
	return &set->e[pos];
}

/*
 * Adds to g (attributes into a) the ECMP members link j brings for prefix
 * e: the link itself when no zone session of it recorded the prefix
 * (zr: link -> zroutes), else each zone whose session holds it and whose
 * own outbound SA is live, keyed (link, zone). -1: it has records but no
 * such zone, so it is no member (a zone with its route but no tunnel).
 * zcur: per link and zone, for esp_snap_zone_rec.
 */
static int
esp_snap_members(const struct esp_table *t, const size_t *rl,
    const size_t *zr, size_t *zcur, const struct esp_snap *s, uint32_t j,
    const struct lpm_entry *e, struct esp_snap_group *g,
    const struct pfxset_ent **a)
{
	static const struct pfxset_ent none;
	const struct pfxset_ent *za[ESP_TABLE_ZONES] = { NULL };
	unsigned z, nrec = 0, n = 0;
	size_t m;

	for (z = 0; zr[j] != SIZE_MAX && z < ESP_TABLE_ZONES; z++) {
		m = (size_t)j * ESP_TABLE_ZONES + z;
		za[z] = esp_snap_zone_rec(&t->zroutes[zr[j]].set[z], &zcur[m],
		    e);
		nrec += za[z] != NULL;
	}
	if (nrec == 0) {
		if (g->n < ESP_TABLE_ECMP_MAX) {
			if ((a[g->n] = esp_snap_attr(t, rl, j, e)) == NULL)
				a[g->n] = &none;
			g->member[g->n++] = j;
		}
		return 0;
	}
	for (z = 0; z < ESP_TABLE_ZONES; z++) {
		m = (size_t)j * ESP_TABLE_ZONES + z;
		if (za[z] == NULL || s->zones[m].out == NULL)
			continue;
		n++;
		if (g->n < ESP_TABLE_ECMP_MAX) {
			a[g->n] = za[z];
			g->member[g->n++] = (uint32_t)(s->nlinks + m);
		}
	}
	return n > 0 ? 0 : -1;
}

/* A new group at the end of s->groups; NULL: no memory. */
static struct esp_snap_group *
esp_snap_group_add(struct esp_snap *s)
{
	struct esp_snap_group *ng;
	size_t cap;

	/* The capacity is the power of two (16 at least) at or above n. */
	if (s->ngroups == 0 || (s->ngroups >= 16 &&
	    (s->ngroups & (s->ngroups - 1)) == 0)) {
		cap = s->ngroups == 0 ? 16 : s->ngroups * 2;
		if ((ng = reallocarray(s->groups, cap, sizeof(*ng))) == NULL)
			return NULL;
		s->groups = ng;
	}
	return &s->groups[s->ngroups++];
}

/*
 * The LPM value for prefix e shared by the members of g (n >= 1): a link
 * alone is its index, so is a lone zone member whose SA is the link's
 * own; anything else names a new group of s. -1: no memory.
 */
static int
esp_snap_value(struct esp_snap *s, const struct esp_snap_group *g,
    struct lpm_entry *e)
{
	struct esp_snap_group *ng;
	uint32_t m = g->member[0], j;

	if (g->n == 1) {
		if (m < s->nlinks) {
			e->value = m;
			return 0;
		}
		j = (m - (uint32_t)s->nlinks) / ESP_TABLE_ZONES;
		if (s->zones[m - s->nlinks].out == s->links[j].out) {
			e->value = j;
			return 0;
		}
	}
	if ((ng = esp_snap_group_add(s)) == NULL)
		return -1;
	*ng = *g;
	e->value = ESP_SNAP_GROUP + (uint32_t)(s->ngroups - 1);
	return 0;
}

/*
 * e[from, *n): learned prefixes of links with a live tunnel. The links
 * holding one prefix bring their members (esp_snap_members); the ones
 * esp_snap_rank keeps share it in one entry (esp_snap_value). The entries
 * of links without a member follow, so a link with a member elsewhere
 * wins and otherwise the first of them; -1 on no memory. Host bits are
 * already clear (esp_table_learned_add).
 */
static int
esp_snap_ecmp(const struct esp_table *t, const size_t *rl, const size_t *zr,
    size_t *zcur, struct esp_snap *s, struct lpm_entry *e, size_t from,
    size_t *n)
{
	const struct pfxset_ent *a[ESP_TABLE_ECMP_MAX];
	struct lpm_entry *yield = NULL;
	struct esp_snap_group g;
	size_t i, j, k, out = from, ny = 0;

	/*
	 * Grouping needs a prefix's entries side by side; one link's are
	 * distinct already (its set), so the usual tenant, one link with
	 * tunnels up, skips the O(n log n) sort of a full table per commit.
	 */
	for (k = from + 1; k < *n && e[k].value == e[from].value; k++)
		;
	if (k < *n)
		qsort(e + from, *n - from, sizeof(*e), esp_lpm_entry_cmp);
	for (i = from; i < *n; i = j) {
		for (j = i + 1; j < *n && e[j].prefix == e[i].prefix &&
		    e[j].plen == e[i].plen; j++)
			;
		g.n = 0;
		/* Sorted by value: duplicates side by side. */
		for (k = i; k < j; k++) {
			if (k > i && e[k].value == e[k - 1].value)
				continue;
			if (esp_snap_members(t, rl, zr, zcur, s, e[k].value,
			    &e[k], &g, a) == 0)
				continue;
			if (yield == NULL && (yield = malloc((*n - from) *
			    sizeof(*yield))) == NULL)
				return -1;
			yield[ny++] = e[k];
		}
		if (g.n == 0)
			continue;
		if (g.n > 1)
			esp_snap_rank(&g, a);
		e[out] = e[i];
		if (esp_snap_value(s, &g, &e[out]) == -1)
			goto fail;
		out++;
	}
	/* Each run gave one entry at most, and yielded the rest: room. */
	for (k = 0; k < ny; k++)
		e[out++] = yield[k];
	free(yield);
	*n = out;
	return 0;
fail:
	free(yield);
	return -1;
}

/* FNV-1a of a link id: the member's identity in rendezvous hashing. */
static uint32_t
esp_id_hash(const char *id)
{
	uint32_t h = 2166136261u;

	while (*id != '\0')
		h = (h ^ (uint8_t)*id++) * 16777619u;
	return h;
}

/* Rendezvous key of zone 2: any fixed value apart from zone 1's. */
#define ESP_ZONE2_SALT	0x7a6f6e32u

/*
 * s->zones from s->links (metadata filled): per link each zone's entry,
 * keyed so that zone 1 stands where the link as a whole did (a link
 * that never had zone records keeps its flows when it gets them).
 */
static int
esp_snap_zones_init(struct esp_snap *s)
{
	struct esp_snap_link *z;
	size_t j, k;

	if (s->nlinks == 0)
		return 0;
	if ((s->zones = calloc(s->nlinks * ESP_TABLE_ZONES,
	    sizeof(*s->zones))) == NULL)
		return -1;
	for (j = 0; j < s->nlinks; j++)
		for (k = 0; k < ESP_TABLE_ZONES; k++) {
			z = &s->zones[j * ESP_TABLE_ZONES + k];
			*z = s->links[j];
			z->src = NULL;		/* the link's, for inbound */
			z->zone = (uint8_t)(k + 1);
			z->key = k == 0 ? z->id_hash :
			    hash32_mix(z->id_hash ^ ESP_ZONE2_SALT);
		}
	return 0;
}

/* The outbound half of CHILD SA c and its endpoints into sl. */
static void
esp_snap_out_set(struct esp_snap_link *sl, const struct esp_tchild *c)
{
	sl->out = c->out;
	sl->local_ip = c->local_ip;
	sl->local_port = c->local_port;
	sl->remote_ip = c->remote_ip;
	sl->remote_port = c->remote_port;
	sl->udp_encap = c->udp_encap;
}

/* zr[j]: the index in t->zroutes of link j's records, or SIZE_MAX. */
static size_t *
esp_snap_zr(const struct esp_table *t)
{
	size_t *zr, i, j;

	if ((zr = malloc((t->nlinks > 0 ? t->nlinks : 1) *
	    sizeof(*zr))) == NULL)
		return NULL;
	for (j = 0; j < t->nlinks; j++)
		zr[j] = SIZE_MAX;
	for (i = 0; i < t->nzroutes; i++)
		if (esp_table_link_find(t, t->zroutes[i].link_id, &j) != NULL)
			zr[j] = i;
	return zr;
}

static struct esp_snap *
esp_snap_build(const struct esp_table *t)
{
	const struct esp_table_link *l;
	const struct esp_tchild *c;
	struct esp_lpm_tmp { struct lpm_entry *e; size_t n; } tmp = { NULL, 0 };
	struct esp_snap *s;
	uint64_t *best = NULL, *zbest = NULL;
	size_t *lidx = NULL, *rl = NULL, *zr = NULL, *zcur = NULL;
	size_t nentries, i, j, size, live;
	uint32_t h, spi;
	unsigned nt = 0;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	for (i = 0; i < ESP_TABLE_TENANTS_MAX; i++)
		if (t->tenants[i].gen != 0)
			nt = (unsigned)i + 1;
	s->ntenants = nt;
	if (nt > 0 && (s->tenants = calloc(nt, sizeof(*s->tenants))) == NULL)
		goto fail;
	s->nlinks = t->nlinks;
	s->seed = t->seed;
	nentries = t->nlinks * (1 + ESP_TABLE_LINK_ROUTES_MAX +
	    ESP_TABLE_LINK_SRC_MAX);
	if (t->nlearned > 0 &&
	    (lidx = calloc(t->nlearned, sizeof(*lidx))) == NULL)
		goto fail;
	if (t->nlinks > 0 && (rl = malloc(t->nlinks * sizeof(*rl))) == NULL)
		goto fail;
	for (j = 0; j < t->nlinks; j++)
		rl[j] = SIZE_MAX;
	for (i = 0; i < t->nlearned; i++) {
		if (esp_table_link_find(t, t->learned[i].link_id, &j) == NULL)
			j = SIZE_MAX;
		lidx[i] = j;
		if (j != SIZE_MAX) {
			rl[j] = i;
			nentries += t->learned[i].set.n;
		}
	}
	if (t->nlinks > 0 &&
	    ((s->links = calloc(t->nlinks, sizeof(*s->links))) == NULL ||
	    (best = calloc(t->nlinks, sizeof(*best))) == NULL ||
	    (zbest = calloc(t->nlinks * ESP_TABLE_ZONES,
	    sizeof(*zbest))) == NULL ||
	    (zcur = calloc(t->nlinks * ESP_TABLE_ZONES,
	    sizeof(*zcur))) == NULL ||
	    (tmp.e = calloc(nentries, sizeof(*tmp.e))) == NULL))
		goto fail;
	if ((zr = esp_snap_zr(t)) == NULL)
		goto fail;

	for (j = 0; j < t->nlinks; j++) {
		s->links[j].id_hash = esp_id_hash(t->links[j].id);
		s->links[j].key = s->links[j].id_hash;
		memcpy(s->links[j].id, t->links[j].id, sizeof(s->links[j].id));
		memcpy(s->links[j].rn_id, t->links[j].rn_id,
		    sizeof(s->links[j].rn_id));
		s->links[j].profiles = t->links[j].profiles;
		s->links[j].gw_local[0] = t->links[j].gw_local[0];
		s->links[j].gw_local[1] = t->links[j].gw_local[1];
	}
	if (esp_snap_zones_init(s) == -1)
		goto fail;
	/*
	 * Outbound: each link's newest live CHILD SA the peer has sent on,
	 * else its newest live one. After a rekey the peer may not have
	 * installed the new SA's inbound half yet (we answered, it has not
	 * read the answer): the old SA carries on until the peer uses the
	 * new one or deletes the old. The same per zone, for zone members.
	 */
	for (i = 0; i < t->nchild; i++) {
		uint64_t rank;
		size_t m;

		c = &t->child[i];
		rank = c->seq | (c->in_seen ? UINT64_C(1) << 63 : 0);
		if (c->linger_until != MONOTIME_NEVER ||
		    esp_table_link_find(t, c->link_id, &j) == NULL)
			continue;
		if (c->zone >= 1 && c->zone <= ESP_TABLE_ZONES) {
			m = j * ESP_TABLE_ZONES + (size_t)c->zone - 1;
			if (rank >= zbest[m]) {
				zbest[m] = rank;
				esp_snap_out_set(&s->zones[m], c);
			}
		}
		if (rank >= best[j]) {
			best[j] = rank;
			esp_snap_out_set(&s->links[j], c);
		}
	}

	/* Per tenant: TUN queues and the LPM of its links' prefixes. */
	for (i = 0; i < nt; i++) {
		if (t->tenants[i].gen == 0)
			continue;
		s->tenants[i] = t->tenants[i];
		s->tenants[i].lpm = NULL;
		tmp.n = 0;
		for (j = 0; j < t->nlinks; j++) {
			unsigned r;

			l = &t->links[j];
			if (l->tenant != i)
				continue;
			if (l->peer_bgp != 0) {
				tmp.e[tmp.n].prefix = l->peer_bgp;
				tmp.e[tmp.n].plen = 32;
				tmp.e[tmp.n].value = (uint32_t)j;
				tmp.n++;
			}
			for (r = 0; r < l->nroutes &&
			    r < ESP_TABLE_LINK_ROUTES_MAX; r++) {
				tmp.e[tmp.n].prefix = l->routes[r].prefix;
				tmp.e[tmp.n].plen = l->routes[r].plen;
				tmp.e[tmp.n].value = (uint32_t)j;
				tmp.n++;
			}
		}
		/* After the static entries: the first of duplicates wins. */
		live = tmp.n;
		esp_snap_learned(t, s, lidx, (uint32_t)i, true, tmp.e, &tmp.n);
		if (esp_snap_ecmp(t, rl, zr, zcur, s, tmp.e, live,
		    &tmp.n) == -1)
			goto fail;
		esp_snap_learned(t, s, lidx, (uint32_t)i, false, tmp.e, &tmp.n);
		if ((s->tenants[i].lpm = lpm_build(tmp.e, tmp.n)) == NULL)
			goto fail;
	}

	/*
	 * Per link with the source check: its own addresses (peer, routes,
	 * static sources) and every learned prefix, live tunnel or not.
	 */
	for (j = 0; j < t->nlinks; j++) {
		unsigned r;
		size_t k;

		l = &t->links[j];
		if (!l->src_check)
			continue;
		tmp.n = 0;
		if (l->peer_bgp != 0) {
			tmp.e[tmp.n].prefix = l->peer_bgp;
			tmp.e[tmp.n++].plen = 32;
		}
		for (r = 0; r < l->nroutes && r < ESP_TABLE_LINK_ROUTES_MAX;
		    r++) {
			tmp.e[tmp.n].prefix = l->routes[r].prefix;
			tmp.e[tmp.n++].plen = l->routes[r].plen;
		}
		for (r = 0; r < l->nsrc && r < ESP_TABLE_LINK_SRC_MAX; r++) {
			tmp.e[tmp.n].prefix = l->src[r].prefix;
			tmp.e[tmp.n++].plen = l->src[r].plen;
		}
		for (k = 0; k < t->nlearned; k++) {
			if (lidx[k] != j)
				continue;
			for (r = 0; r < t->learned[k].set.n; r++) {
				tmp.e[tmp.n].prefix = t->learned[k].set.e[r].addr;
				tmp.e[tmp.n++].plen = t->learned[k].set.e[r].len;
			}
		}
		if ((s->links[j].src = lpm_build(tmp.e, tmp.n)) == NULL)
			goto fail;
	}

	/* Inbound: every CHILD SA, lingering ones too. */
	for (size = 16; size < t->nchild * 2; size <<= 1)
		;
	s->in_mask = (uint32_t)size - 1;
	if ((s->in = calloc(size, sizeof(*s->in))) == NULL)
		goto fail;
	for (i = 0; i < t->nchild; i++) {
		c = &t->child[i];
		spi = esp_sa_spi(c->in);
		for (h = hash32_mix(spi) & s->in_mask; s->in[h].spi != 0 &&
		    s->in[h].spi != spi; h = (h + 1) & s->in_mask)
			;
		s->in[h].spi = spi;
		s->in[h].sa = c->in;
		snprintf(s->in[h].spi_hex, sizeof(s->in[h].spi_hex), "%08x",
		    (unsigned)spi);
		l = esp_table_link_find(t, c->link_id, &j);
		s->in[h].tenant = l != NULL ? l->tenant : UINT32_MAX;
		s->in[h].link = l != NULL ? (uint32_t)j : UINT32_MAX;
		s->in[h].zone = c->zone >= 1 && c->zone <= ESP_TABLE_ZONES ?
		    (uint8_t)c->zone : 0;
	}
	free(best);
	free(zbest);
	free(lidx);
	free(rl);
	free(zr);
	free(zcur);
	free(tmp.e);
	return s;
fail:
	free(best);
	free(zbest);
	free(lidx);
	free(rl);
	free(zr);
	free(zcur);
	free(tmp.e);
	esp_snap_free(s);
	return NULL;
}

int
esp_table_commit(struct esp_table *t)
{
	struct esp_snap *n, *old;
	size_t i;

	if ((n = esp_snap_build(t)) == NULL) {
		log_err("esp_table: out of memory building a snapshot");
		return -1;
	}
	old = t->cur;
	rcu_assign_pointer(t->cur, n);
	/* Grace period: no worker can still hold old or a retired SA. */
	urcu_memb_synchronize_rcu();
	esp_snap_free(old);
	for (i = 0; i < t->nretired; i++)
		esp_sa_free(t->retired[i]);
	t->nretired = 0;
	return 0;
}

/* --- control side --------------------------------------------------------- */

struct esp_table *
esp_table_new(void)
{
	struct esp_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->tenants = calloc(ESP_TABLE_TENANTS_MAX,
	    sizeof(*t->tenants))) == NULL) {
		free(t);
		return NULL;
	}
	/* A keyed flow hash: no outsider can aim many flows at one member. */
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(t->seed))
		t->seed = (uint32_t)(uintptr_t)t ^ (uint32_t)monotime_now();
	if (esp_table_commit(t) == -1) {
		esp_table_free(t);
		return NULL;
	}
	return t;
}

void
esp_table_free(struct esp_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	esp_snap_free(t->cur);
	for (i = 0; i < t->nchild; i++) {
		esp_sa_free(t->child[i].in);
		esp_sa_free(t->child[i].out);
	}
	for (i = 0; i < t->nretired; i++)
		esp_sa_free(t->retired[i]);
	for (i = 0; i < t->nlearned; i++)
		pfxset_free(&t->learned[i].set);
	esp_table_zroutes_free(t);
	free(t->learned);
	free(t->totals);
	free(t->retired);
	free(t->child);
	free(t->links);
	free(t->links_ix);
	free(t->tenants);
	free(t);
}

int
esp_table_tenant_set(struct esp_table *t, uint32_t slot, uint32_t gen,
    const int *tun_fd, unsigned nq)
{
	struct esp_snap_tenant *tn;
	unsigned q;

	if (slot >= ESP_TABLE_TENANTS_MAX || gen == 0 || nq == 0 ||
	    nq > ESP_TABLE_QUEUES_MAX)
		return -1;
	tn = &t->tenants[slot];
	memset(tn, 0, sizeof(*tn));
	tn->gen = gen;
	tn->nq = nq;
	for (q = 0; q < nq; q++)
		tn->tun_fd[q] = tun_fd[q];
	return 0;
}

void
esp_table_tenant_del(struct esp_table *t, uint32_t slot)
{
	if (slot < ESP_TABLE_TENANTS_MAX)
		memset(&t->tenants[slot], 0, sizeof(t->tenants[slot]));
}

static int
esp_table_id_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Totals of links that are gone go too. Runs on every reload: with the
 * links' ids sorted once it is O((links + totals) log links); the scan of
 * every link for every total it replaces cost 580 ms per reload at 10,000
 * links (bench_esp_table). Without memory for the index nothing is
 * pruned this time (stale totals are harmless until the next reload).
 */
static void
esp_table_totals_prune(struct esp_table *t)
{
	const char **ids, *key;
	size_t i = 0, k;

	if (t->ntotals == 0)
		return;
	if ((ids = calloc(t->nlinks + 1, sizeof(*ids))) == NULL)
		return;
	for (k = 0; k < t->nlinks; k++)
		ids[k] = t->links[k].id;
	qsort(ids, t->nlinks, sizeof(*ids), esp_table_id_cmp);
	while (i < t->ntotals) {
		key = t->totals[i].link_id;
		if (t->nlinks > 0 && bsearch(&key, ids, t->nlinks,
		    sizeof(*ids), esp_table_id_cmp) != NULL) {
			i++;
			continue;
		}
		t->totals[i] = t->totals[--t->ntotals];
	}
	free(ids);
}

/* A retiring CHILD SA's final counters into its link's totals. */
static void
esp_table_totals_add(struct esp_table *t, const struct esp_tchild *c)
{
	struct esp_sa_stats si, so;
	struct esp_ttotal *n;
	size_t i, cap;

	for (i = 0; i < t->ntotals; i++)
		if (strcmp(t->totals[i].link_id, c->link_id) == 0)
			break;
	if (i == t->ntotals) {
		if (t->ntotals == t->totals_cap) {
			cap = t->totals_cap ? t->totals_cap * 2 : 16;
			if ((n = reallocarray(t->totals, cap,
			    sizeof(*n))) == NULL) {
				log_warn("esp_table: no memory: the counters of "
				    "a retired SA of link %s are lost",
				    c->link_id);
				return;
			}
			t->totals = n;
			t->totals_cap = cap;
		}
		memset(&t->totals[i], 0, sizeof(t->totals[i]));
		snprintf(t->totals[i].link_id, sizeof(t->totals[i].link_id),
		    "%s", c->link_id);
		t->ntotals++;
	}
	esp_sa_get_stats(c->in, &si);
	esp_sa_get_stats(c->out, &so);
	esp_sa_stats_add(&t->totals[i].in, &si);
	esp_sa_stats_add(&t->totals[i].out, &so);
}

void
esp_table_walk_totals(struct esp_table *t, void (*fn)(void *, const char *,
    const struct esp_sa_stats *, const struct esp_sa_stats *), void *arg)
{
	size_t i;

	for (i = 0; i < t->ntotals; i++)
		fn(arg, t->totals[i].link_id, &t->totals[i].in,
		    &t->totals[i].out);
}

int
esp_table_links_set(struct esp_table *t, const struct esp_table_link *l,
    size_t n)
{
	struct esp_table_link *nl = NULL;

	if (n > 0) {
		if ((nl = calloc(n, sizeof(*nl))) == NULL)
			return -1;
		memcpy(nl, l, n * sizeof(*nl));
	}
	free(t->links);
	t->links = nl;
	t->nlinks = n;
	free(t->links_ix);
	/* Without it lookups scan (slow, but right). */
	if ((t->links_ix = calloc(n + 1, sizeof(*t->links_ix))) != NULL) {
		size_t i;

		for (i = 0; i < n; i++) {
			t->links_ix[i].id = nl[i].id;
			t->links_ix[i].idx = i;
		}
		qsort(t->links_ix, n, sizeof(*t->links_ix), esp_tlink_ix_sort);
	}
	esp_table_totals_prune(t);
	return 0;
}

/* --- learned prefixes ------------------------------------------------------ */

static struct esp_tlearned *
esp_table_learned_find(const struct esp_table *t, const char *link_id)
{
	size_t i;

	for (i = 0; i < t->nlearned; i++)
		if (strcmp(t->learned[i].link_id, link_id) == 0)
			return &t->learned[i];
	return NULL;
}

static uint32_t
esp_table_mask(uint32_t prefix, uint8_t plen)
{
	return plen == 0 ? 0 : prefix & (UINT32_MAX << (32 - plen));
}

int
esp_table_learned_add(struct esp_table *t, const char *link_id,
    uint32_t prefix, uint8_t plen)
{
	struct esp_tlearned *le, *nl;
	size_t pos, cap;
	bool found;

	if (plen > 32 || strlen(link_id) > ESP_TABLE_LINK_ID_MAX)
		return -1;
	prefix = esp_table_mask(prefix, plen);
	if ((le = esp_table_learned_find(t, link_id)) == NULL) {
		if (t->nlearned == t->learned_cap) {
			cap = t->learned_cap ? t->learned_cap * 2 : 16;
			if ((nl = reallocarray(t->learned, cap,
			    sizeof(*nl))) == NULL)
				return -1;
			t->learned = nl;
			t->learned_cap = cap;
		}
		le = &t->learned[t->nlearned++];
		memset(le, 0, sizeof(*le));
		snprintf(le->link_id, sizeof(le->link_id), "%s", link_id);
	}
	pos = pfxset_pos(&le->set, prefix, plen, &found);
	if (found) {
		if (le->set.e[pos].refs == PFXSET_REFS_MAX)
			return -1;
		le->set.e[pos].refs++;
		return 0;
	}
	if (le->set.n == ESP_TABLE_LEARNED_MAX ||
	    pfxset_insert(&le->set, pos, prefix, plen) == -1)
		goto fail;
	return 0;
fail:
	if (le->set.n == 0) {
		pfxset_free(&le->set);
		*le = t->learned[--t->nlearned];
	}
	return -1;
}

int
esp_table_learned_del(struct esp_table *t, const char *link_id,
    uint32_t prefix, uint8_t plen)
{
	struct esp_tlearned *le;
	size_t pos;
	bool found;

	if (plen > 32 || (le = esp_table_learned_find(t, link_id)) == NULL)
		return -1;
	pos = pfxset_pos(&le->set, esp_table_mask(prefix, plen), plen, &found);
	if (!found)
		return -1;
	if (--le->set.e[pos].refs > 0)
		return 0;
	pfxset_remove(&le->set, pos);
	if (le->set.n == 0) {
		pfxset_free(&le->set);
		*le = t->learned[--t->nlearned];
	}
	return 0;
}

int
esp_table_learned_attr(struct esp_table *t, const char *link_id,
    uint32_t prefix, uint8_t plen, uint32_t path_len, uint32_t med,
    uint32_t nas)
{
	struct esp_tlearned *le;
	size_t pos;
	bool found;

	if (plen > 32 || (le = esp_table_learned_find(t, link_id)) == NULL)
		return -1;
	pos = pfxset_pos(&le->set, esp_table_mask(prefix, plen), plen, &found);
	if (!found)
		return -1;
	le->set.e[pos].path_len = path_len;
	le->set.e[pos].med = med;
	le->set.e[pos].nas = nas;
	return 0;
}

size_t
esp_table_learned_count(const struct esp_table *t, const char *link_id)
{
	const struct esp_tlearned *le = esp_table_learned_find(t, link_id);

	return le != NULL ? le->set.n : 0;
}

/* --- per-zone records of learned prefixes ------------------------------------ */

static void
esp_table_zroutes_free(struct esp_table *t)
{
	size_t i, z;

	for (i = 0; i < t->nzroutes; i++)
		for (z = 0; z < ESP_TABLE_ZONES; z++)
			pfxset_free(&t->zroutes[i].set[z]);
	free(t->zroutes);
}

/*
 * The records of link_id; with add, created if missing (NULL: no memory).
 * BGP input comes in runs per session: the last one found is tried first.
 */
static struct esp_tzone *
esp_table_zroutes_find(struct esp_table *t, const char *link_id, bool add)
{
	struct esp_tzone *nz;
	size_t i, cap;

	if (t->zlast < t->nzroutes &&
	    strcmp(t->zroutes[t->zlast].link_id, link_id) == 0)
		return &t->zroutes[t->zlast];
	for (i = 0; i < t->nzroutes; i++)
		if (strcmp(t->zroutes[i].link_id, link_id) == 0) {
			t->zlast = i;
			return &t->zroutes[i];
		}
	if (!add)
		return NULL;
	if (t->nzroutes == t->zroutes_cap) {
		cap = t->zroutes_cap ? t->zroutes_cap * 2 : 16;
		if ((nz = reallocarray(t->zroutes, cap, sizeof(*nz))) == NULL)
			return NULL;
		t->zroutes = nz;
		t->zroutes_cap = cap;
	}
	nz = &t->zroutes[t->nzroutes];
	memset(nz, 0, sizeof(*nz));
	snprintf(nz->link_id, sizeof(nz->link_id), "%s", link_id);
	t->zlast = t->nzroutes++;
	return nz;
}

/* Drops the records of z if it holds none. */
static void
esp_table_zroutes_gc(struct esp_table *t, struct esp_tzone *z)
{
	size_t k;

	for (k = 0; k < ESP_TABLE_ZONES; k++)
		if (z->set[k].n > 0)
			return;
	for (k = 0; k < ESP_TABLE_ZONES; k++)
		pfxset_free(&z->set[k]);
	*z = t->zroutes[--t->nzroutes];
}

int
esp_table_learned_zone(struct esp_table *t, const char *link_id, int zone,
    uint32_t prefix, uint8_t plen, bool held, uint32_t path_len,
    uint32_t med, uint32_t nas)
{
	struct esp_tzone *z;
	struct pfxset *set;
	size_t pos;
	bool found;

	if (zone < 1 || zone > ESP_TABLE_ZONES || plen > 32 ||
	    strlen(link_id) > ESP_TABLE_LINK_ID_MAX)
		return -1;
	prefix = esp_table_mask(prefix, plen);
	if ((z = esp_table_zroutes_find(t, link_id, held)) == NULL)
		return -1;
	set = &z->set[zone - 1];
	pos = pfxset_pos(set, prefix, plen, &found);
	if (!held) {
		if (!found)
			return -1;
		pfxset_remove(set, pos);
		esp_table_zroutes_gc(t, z);
		return 0;
	}
	/* One session holds a prefix once: a repeat only re-ranks it. */
	if (!found && (set->n == ESP_TABLE_LEARNED_MAX ||
	    pfxset_insert(set, pos, prefix, plen) == -1)) {
		esp_table_zroutes_gc(t, z);
		return -1;
	}
	set->e[pos].path_len = path_len;
	set->e[pos].med = med;
	set->e[pos].nas = nas;
	return 0;
}

/* --- CHILD SAs -------------------------------------------------------------- */

static int
esp_table_reserve(struct esp_table *t, size_t need)
{
	struct esp_sa **r;
	size_t cap = t->retired_cap ? t->retired_cap : 16;

	if (need <= t->retired_cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if ((r = reallocarray(t->retired, cap, sizeof(*r))) == NULL)
		return -1;
	t->retired = r;
	t->retired_cap = cap;
	return 0;
}

static int
esp_table_retire(struct esp_table *t, struct esp_sa *sa)
{
	if (esp_table_reserve(t, t->nretired + 1) == -1)
		return -1;
	t->retired[t->nretired++] = sa;
	return 0;
}

int
esp_table_child_add(struct esp_table *t, const struct esp_table_child *c)
{
	struct esp_tchild *nc;
	size_t cap, i;
	uint32_t spi = esp_sa_spi(c->in);

	for (i = 0; i < t->nchild; i++)
		if (esp_sa_spi(t->child[i].in) == spi) {
			log_warn("esp_table: inbound SPI 0x%08x installed "
			    "twice: ignoring the second", spi);
			return -1;
		}
	/* Room for the retire list too, so that deleting never fails. */
	if (t->nchild == t->child_cap) {
		cap = t->child_cap ? t->child_cap * 2 : 16;
		if ((nc = reallocarray(t->child, cap, sizeof(*nc))) == NULL)
			return -1;
		t->child = nc;
		t->child_cap = cap;
	}
	if (esp_table_reserve(t, t->nretired + (t->nchild + 1) * 2) == -1)
		return -1;
	nc = &t->child[t->nchild++];
	memset(nc, 0, sizeof(*nc));
	snprintf(nc->link_id, sizeof(nc->link_id), "%s", c->link_id);
	nc->zone = c->zone;
	nc->in = c->in;
	nc->out = c->out;
	nc->local_ip = c->local_ip;
	nc->local_port = c->local_port;
	nc->remote_ip = c->remote_ip;
	nc->remote_port = c->remote_port;
	nc->udp_encap = c->udp_encap;
	nc->seq = ++t->seq;
	nc->linger_until = MONOTIME_NEVER;
	return 0;
}

static struct esp_tchild *
esp_table_child_find(struct esp_table *t, uint32_t spi_in)
{
	size_t i;

	for (i = 0; i < t->nchild; i++)
		if (esp_sa_spi(t->child[i].in) == spi_in)
			return &t->child[i];
	return NULL;
}

int
esp_table_child_del(struct esp_table *t, uint32_t spi_in, monotime_t now)
{
	struct esp_tchild *c;

	if ((c = esp_table_child_find(t, spi_in)) == NULL)
		return -1;
	if (c->linger_until == MONOTIME_NEVER)
		c->linger_until = now + ESP_TABLE_LINGER;
	return 0;
}

int
esp_table_child_update(struct esp_table *t, uint32_t spi_in,
    uint32_t local_ip, uint16_t local_port, uint32_t remote_ip,
    uint16_t remote_port, bool udp_encap)
{
	struct esp_tchild *c;

	if ((c = esp_table_child_find(t, spi_in)) == NULL)
		return -1;
	c->local_ip = local_ip;
	c->local_port = local_port;
	c->remote_ip = remote_ip;
	c->remote_port = remote_port;
	c->udp_encap = udp_encap;
	return 0;
}

monotime_t
esp_table_tick(struct esp_table *t, monotime_t now)
{
	monotime_t next = MONOTIME_NEVER;
	struct esp_sa_stats st;
	size_t i = 0;
	bool changed = false;

	while (i < t->nchild) {
		if (!t->child[i].in_seen) {
			esp_sa_get_stats(t->child[i].in, &st);
			if (st.packets > 0) {
				t->child[i].in_seen = true;
				changed = true;
			}
		}
		if (t->child[i].linger_until <= now) {
			esp_table_totals_add(t, &t->child[i]);
			/* Capacity was reserved by esp_table_child_add. */
			(void)esp_table_retire(t, t->child[i].in);
			(void)esp_table_retire(t, t->child[i].out);
			t->child[i] = t->child[--t->nchild];
			changed = true;
			continue;
		}
		if (t->child[i].linger_until < next)
			next = t->child[i].linger_until;
		i++;
	}
	if (changed)
		(void)esp_table_commit(t);
	return next;
}

void
esp_table_walk(struct esp_table *t, void (*fn)(void *, const char *,
    struct esp_sa *, struct esp_sa *, bool), void *arg)
{
	size_t i;

	for (i = 0; i < t->nchild; i++)
		fn(arg, t->child[i].link_id, t->child[i].in, t->child[i].out,
		    t->child[i].linger_until != MONOTIME_NEVER);
}
