/*
 * policy_flow.c - one ESP worker's flow table and classifier (see
 * policy_flow.h for where it sits; docs/policy.md "Flow table and
 * actions" for the choices).
 *
 * Memory is fixed at creation: a pool of flows (a hot part read on every
 * packet, a cold part with the ids and the name, read when a record is
 * written), an open-addressing index of twice the pool's size (linear
 * probing, backward-shift deletion, so no tombstones build up), and a pool
 * of reassembly buffers taken only by a flow whose first payload segment
 * did not hold the whole ClientHello or request head. The index hash is
 * keyed with a random seed per table, so a branch cannot aim its flows at
 * one chain.
 *
 * Per packet: parse the headers (policy_pkt.c), one hash lookup, counters,
 * TCP flag tracking; the firewall, the name parsers and the host lookup
 * run at most once per flow and snapshot generation. No allocation, lock,
 * log line or system call here: records are built only when a flow is
 * blocked, ends, or is due its 60 s interim record, and leave on the ring.
 */
#include "policy_flow.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "buf.h"
#include "hash32.h"
#include "policy_http.h"
#include "policy_pkt.h"
#include "policy_reasm.h"
#include "policy_ring.h"
#include "policy_snap.h"
#include "policy_sni.h"
#include "wallclock.h"

#define PF_MAX_FLOWS	((size_t)1 << 24)
#define PF_MAX_BUFS	65535
#define PF_NOBUF	0xffff
#define PF_EMPTY	UINT32_MAX
#define PF_EVICT_SAMPLE	8
#define PF_OUT_CAP	1500
#define PF_PAGE_CAP	1024
#define PF_WIN		8192

/* Idle timeouts (docs/policy.md). */
#define PF_TO_TCP_EST	(300 * MONOTIME_SEC)
#define PF_TO_TCP_OPEN	(30 * MONOTIME_SEC)	/* branch never ACKed */
#define PF_TO_TCP_END	(5 * MONOTIME_SEC)	/* after FIN or RST */
#define PF_TO_UDP	(60 * MONOTIME_SEC)
#define PF_TO_OTHER	(30 * MONOTIME_SEC)
#define PF_TO_BLOCKED	(30 * MONOTIME_SEC)
#define PF_TO_CLASSIFY	(10 * MONOTIME_SEC)	/* holding a buffer */
#define PF_INTERIM	(60 * MONOTIME_SEC)

enum pf_st { PF_ST_FREE, PF_ST_OPEN, PF_ST_CLASSIFY, PF_ST_BLOCKED };
enum pf_cls { PF_CLS_NONE, PF_CLS_SNI, PF_CLS_HTTP };
enum pf_name { PF_NAME_OK, PF_NAME_MORE, PF_NAME_NONE };

#define PF_F_SYN	0x01	/* isn holds the branch's SYN */
#define PF_F_ACKV	0x02	/* ack_hi valid: the branch ACKed */
#define PF_F_FIN	0x04
#define PF_F_RST	0x08
#define PF_F_CNEXT	0x10	/* cnext valid */
#define PF_F_LOGGED	0x20	/* its one record is written (a block) */
#define PF_F_NOLOG	0x40	/* the deciding link has logging off */
#define PF_F_NAMED	0x80	/* cold.fqdn holds the SNI or Host */

struct pf_key {
	uint32_t	 tenant, src, dst;
	uint16_t	 sport, dport;
	uint8_t		 proto;
};

struct pf_flow {
	uint32_t	 tenant, src, dst;
	uint16_t	 sport, dport;
	uint8_t		 proto, st, fl, reason;
	uint8_t		 cls, action;
	uint16_t	 buf;		/* reassembly buffer or PF_NOBUF */
	uint32_t	 hash;		/* its index hash */
	uint32_t	 isn, cnext, ack_hi;
	uint64_t	 gen;
	monotime_t	 first, last, last_rec;
	uint64_t	 sent_bytes, sent_pkts, recv_bytes;
	uint64_t	 rec_bytes, rec_pkts, rec_recv;	/* at the last record */
	uint64_t	 conn;
};

struct pf_cold {
	char		 fqdn[MODEL_FQDN_MAX + 1];
	char		 tenant_id[MODEL_ID_LEN + 1], rn_id[MODEL_ID_LEN + 1];
	char		 link_id[MODEL_ID_LEN + 1], session_id[MODEL_ID_LEN + 1];
	char		 policy_id[MODEL_ID_LEN + 1], rule_id[MODEL_ID_LEN + 1];
	int		 traffic_type;
};

struct pf_ent {
	uint32_t	 hash, idx;
};

struct policy_flows {
	struct policy_flows_cfg cfg;
	struct pf_ent	*ht;
	size_t		 hmask;
	struct pf_flow	*fl;
	struct pf_cold	*cold;
	size_t		 nfl;		/* pool size, a power of two */
	uint32_t	*free;
	size_t		 nfree;
	struct policy_reasm *rb;
	uint16_t	*rb_free;
	size_t		 nrb, nrb_free;
	uint32_t	 seed;
	uint64_t	 id_seed[4];
	uint64_t	 ntxn, nconn;
	size_t		 cursor, ev;
	struct policy_flows_stats st;
	uint8_t		 out_c[PF_OUT_CAP], out_s[POLICY_PKT_TCP_HDRS];
	uint8_t		 page[PF_PAGE_CAP];
};

static const char *const pf_reason_names[POLICY_R_MAX] = {
	[POLICY_R_NONE] = "none",
	[POLICY_R_FIREWALL] = "firewall",
	[POLICY_R_FQDN] = "fqdn",
	[POLICY_R_WEBCAT] = "webCategory",
	[POLICY_R_QUIC] = "quic",
	[POLICY_R_UNNAMED] = "unnamed",
	[POLICY_R_GAP] = "gap",
	[POLICY_R_TABLE_FULL] = "tableFull",
	[POLICY_R_MALFORMED] = "malformed",
};

const char *
policy_flow_reason_name(enum policy_flow_reason r)
{
	if ((unsigned)r >= POLICY_R_MAX)
		return "?";
	return pf_reason_names[r];
}

size_t
policy_flows_slot_bytes(void)
{
	/* A flow, its cold part and its two index entries (load <= 1/2). */
	return sizeof(struct pf_flow) + sizeof(struct pf_cold) +
	    2 * sizeof(struct pf_ent) + sizeof(uint32_t);
}

/* ---- creation ---- */

struct policy_flows *
policy_flows_new(const struct policy_flows_cfg *cfg)
{
	struct policy_flows *t;
	size_t n = 1, i;

	if (cfg->max_flows == 0 || cfg->max_flows > PF_MAX_FLOWS ||
	    cfg->max_classifying > PF_MAX_BUFS)
		return NULL;
	while (n < cfg->max_flows)
		n <<= 1;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->cfg = *cfg;
	t->nfl = n;
	t->hmask = 2 * n - 1;
	t->nrb = cfg->max_classifying;
	if ((t->ht = malloc(2 * n * sizeof(*t->ht))) == NULL ||
	    (t->fl = calloc(n, sizeof(*t->fl))) == NULL ||
	    (t->cold = calloc(n, sizeof(*t->cold))) == NULL ||
	    (t->free = malloc(n * sizeof(*t->free))) == NULL ||
	    (t->nrb > 0 && ((t->rb = calloc(t->nrb, sizeof(*t->rb))) == NULL ||
	    (t->rb_free = malloc(t->nrb * sizeof(*t->rb_free))) == NULL)))
		goto fail;
	if (RAND_bytes((unsigned char *)&t->seed, sizeof(t->seed)) != 1 ||
	    RAND_bytes((unsigned char *)t->id_seed, sizeof(t->id_seed)) != 1)
		goto fail;
	for (i = 0; i < 2 * n; i++)
		t->ht[i].idx = PF_EMPTY;
	/* Lowest index on top: a small table fills from its start. */
	for (i = 0; i < n; i++)
		t->free[i] = (uint32_t)(n - 1 - i);
	t->nfree = n;
	for (i = 0; i < t->nrb; i++)
		t->rb_free[i] = (uint16_t)(t->nrb - 1 - i);
	t->nrb_free = t->nrb;
	return t;
fail:
	policy_flows_free(t);
	return NULL;
}

void
policy_flows_free(struct policy_flows *t)
{
	if (t == NULL)
		return;
	free(t->ht);
	free(t->fl);
	free(t->cold);
	free(t->free);
	free(t->rb);
	free(t->rb_free);
	free(t);
}

/* ---- the index ---- */

static uint32_t
pf_hash(const struct policy_flows *t, const struct pf_key *k)
{
	uint32_t h = t->seed;

	h = hash32_mix(h ^ k->src);
	h = hash32_mix(h ^ k->dst);
	h = hash32_mix(h ^ ((uint32_t)k->sport << 16 | k->dport));
	h = hash32_mix(h ^ k->tenant);
	return hash32_mix(h ^ k->proto);
}

static bool
pf_key_eq(const struct pf_flow *f, const struct pf_key *k)
{
	return f->src == k->src && f->dst == k->dst && f->sport == k->sport &&
	    f->dport == k->dport && f->tenant == k->tenant &&
	    f->proto == k->proto;
}

static uint32_t
pf_find(const struct policy_flows *t, const struct pf_key *k, uint32_t h)
{
	size_t i = h & t->hmask;

	for (; t->ht[i].idx != PF_EMPTY; i = (i + 1) & t->hmask)
		if (t->ht[i].hash == h && pf_key_eq(&t->fl[t->ht[i].idx], k))
			return t->ht[i].idx;
	return PF_EMPTY;
}

static void
pf_ht_insert(struct policy_flows *t, uint32_t h, uint32_t idx)
{
	size_t i = h & t->hmask;

	while (t->ht[i].idx != PF_EMPTY)
		i = (i + 1) & t->hmask;
	t->ht[i].hash = h;
	t->ht[i].idx = idx;
}

/* Backward-shift deletion (Knuth 6.4 algorithm R) for linear probing. */
static void
pf_ht_remove(struct policy_flows *t, uint32_t h, uint32_t idx)
{
	size_t i = h & t->hmask, j, home;

	while (t->ht[i].idx != idx) {
		if (t->ht[i].idx == PF_EMPTY)
			return;
		i = (i + 1) & t->hmask;
	}
	for (j = (i + 1) & t->hmask; t->ht[j].idx != PF_EMPTY;
	    j = (j + 1) & t->hmask) {
		home = t->ht[j].hash & t->hmask;
		/* Entry j may fill the hole at i unless its home lies
		 * cyclically in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		t->ht[i] = t->ht[j];
		i = j;
	}
	t->ht[i].idx = PF_EMPTY;
}

/* ---- ids and records ---- */

static uint64_t
pf_mix64(uint64_t x)
{
	/* splitmix64's finalizer: a bijection, so distinct counters give
	 * distinct outputs. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void
pf_guid(char out[MODEL_ID_LEN + 1], uint64_t a, uint64_t b)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;
	uint8_t x[16];

	/* RFC 9562 §4.1-4.2: version 4 and variant 10, 8-4-4-4-12. Written
	 * by hand: a record is built on the packet path when a flow is
	 * blocked, and snprintf showed in the new-flow profile. */
	a = (a & ~0xf000ull) | 0x4000ull;
	b = (b & ~(3ull << 62)) | (2ull << 62);
	for (i = 0; i < 8; i++) {
		x[i] = (uint8_t)(a >> (56 - 8 * i));
		x[8 + i] = (uint8_t)(b >> (56 - 8 * i));
	}
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[x[i] >> 4];
		out[o++] = hex[x[i] & 0x0f];
	}
	out[o] = '\0';
}

static void
pf_strcpy(char *dst, size_t cap, const char *src)
{
	size_t n = src == NULL ? 0 : strnlen(src, cap - 1);

	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static const char *
pf_reason_log(uint8_t r)
{
	switch (r) {
	case POLICY_R_NONE:
		return "";
	case POLICY_R_TABLE_FULL:
		return "";
	default:
		return pf_reason_names[r];
	}
}

/*
 * A record of f: its counters so far (totals, not deltas: the traffic
 * store keeps one row per connectionId and overwrites it, store_traffic.h).
 */
static void
pf_record(struct policy_flows *t, struct pf_flow *f, monotime_t now)
{
	const struct pf_cold *c = &t->cold[f - t->fl];
	struct model_traffic m;
	uint64_t n;

	if ((f->fl & PF_F_NOLOG) || t->cfg.ring == NULL)
		goto done;
	memset(&m, 0, sizeof(m));
	n = ++t->ntxn;
	pf_guid(m.transaction_id, pf_mix64(t->id_seed[0] ^ n),
	    pf_mix64(t->id_seed[1] + n));
	/* Worker id and a counter: unique per table, random between runs. */
	pf_guid(m.connection_id, (t->id_seed[2] & 0xffffffff0000ffffull) |
	    (uint64_t)t->cfg.worker << 16,
	    (t->id_seed[3] & 0xffff000000000000ull) |
	    (f->conn & 0xffffffffffffull));
	m.updated_ms = wallclock_now_ms();
	m.created_ms = m.updated_ms - (now - f->first) / MONOTIME_MSEC;
	pf_strcpy(m.tenant_id, sizeof(m.tenant_id), c->tenant_id);
	pf_strcpy(m.rn_id, sizeof(m.rn_id), c->rn_id);
	pf_strcpy(m.link_id, sizeof(m.link_id), c->link_id);
	pf_strcpy(m.session_id, sizeof(m.session_id), c->session_id);
	m.traffic_type = c->traffic_type;
	m.src_ip = f->src;
	m.dst_ip = f->dst;
	m.src_port = f->sport;
	m.dst_port = f->dport;
	m.proto = f->proto;
	pf_strcpy(m.fqdn, sizeof(m.fqdn), c->fqdn);
	m.action = f->action;
	pf_strcpy(m.policy_id, sizeof(m.policy_id), c->policy_id);
	pf_strcpy(m.rule_id, sizeof(m.rule_id), c->rule_id);
	pf_strcpy(m.reason, sizeof(m.reason), pf_reason_log(f->reason));
	m.sent_bytes = f->sent_bytes;
	m.sent_packets = f->sent_pkts;
	m.received_bytes = f->recv_bytes;
	if (!policy_ring_push(t->cfg.ring, &m))
		t->st.ring_drops++;
done:
	f->rec_bytes = f->sent_bytes;
	f->rec_pkts = f->sent_pkts;
	f->rec_recv = f->recv_bytes;
	f->last_rec = now;
}

/* ---- flows ---- */

static monotime_t
pf_deadline(const struct pf_flow *f)
{
	if (f->st == PF_ST_BLOCKED)
		return f->last + PF_TO_BLOCKED;
	switch (f->proto) {
	case POLICY_PKT_TCP:
		if (f->fl & (PF_F_FIN | PF_F_RST))
			return f->last + PF_TO_TCP_END;
		if (!(f->fl & PF_F_ACKV))
			return f->last + PF_TO_TCP_OPEN;
		return f->last + PF_TO_TCP_EST;
	case POLICY_PKT_UDP:
		return f->last + PF_TO_UDP;
	default:
		return f->last + PF_TO_OTHER;
	}
}

static void
pf_buf_put(struct policy_flows *t, struct pf_flow *f)
{
	if (f->buf == PF_NOBUF)
		return;
	t->rb_free[t->nrb_free++] = f->buf;
	f->buf = PF_NOBUF;
}

static struct policy_reasm *
pf_buf_get(struct policy_flows *t, struct pf_flow *f)
{
	if (t->nrb_free == 0)
		return NULL;
	f->buf = t->rb_free[--t->nrb_free];
	return &t->rb[f->buf];
}

/* The flow is over: its record (unless written), its slot back. */
static void
pf_end(struct policy_flows *t, struct pf_flow *f, monotime_t now)
{
	uint32_t idx = (uint32_t)(f - t->fl);

	pf_buf_put(t, f);
	/* Never recorded, or news since the last interim record. */
	if (!(f->fl & PF_F_LOGGED) &&
	    (f->sent_pkts != f->rec_pkts || f->recv_bytes != f->rec_recv))
		pf_record(t, f, now);
	pf_ht_remove(t, f->hash, idx);
	f->st = PF_ST_FREE;
	t->free[t->nfree++] = idx;
	t->st.active--;
}

/*
 * A full table: of a few flows sampled round the pool, the one whose
 * timeout comes first goes (ended and lingering flows first, then the
 * longest idle), as Redis samples for its approximate LRU: no list to keep
 * up on every packet.
 */
static void
pf_evict(struct policy_flows *t, monotime_t now)
{
	struct pf_flow *best = NULL, *f;
	monotime_t bd = 0, d;
	int i;

	for (i = 0; i < PF_EVICT_SAMPLE; i++) {
		f = &t->fl[t->ev];
		t->ev = (t->ev + 1) & (t->nfl - 1);
		if (f->st == PF_ST_FREE)
			continue;
		d = pf_deadline(f);
		if (best == NULL || d < bd) {
			best = f;
			bd = d;
		}
	}
	if (best != NULL) {
		t->st.evicted++;
		pf_end(t, best, now);
	}
}

static void
pf_start(struct policy_flows *t, struct pf_flow *f,
    const struct policy_pkt *pk, monotime_t now)
{
	struct pf_cold *c = &t->cold[f - t->fl];

	f->st = PF_ST_OPEN;
	f->reason = POLICY_R_NONE;
	f->cls = PF_CLS_NONE;
	f->action = MODEL_TACT_ALLOW;
	f->first = f->last = f->last_rec = now;
	f->sent_bytes = f->sent_pkts = f->recv_bytes = 0;
	f->rec_bytes = f->rec_pkts = f->rec_recv = 0;
	f->conn = ++t->nconn;
	c->fqdn[0] = c->policy_id[0] = c->rule_id[0] = '\0';
	pf_strcpy(c->tenant_id, sizeof(c->tenant_id), pk->tenant_id);
	pf_strcpy(c->rn_id, sizeof(c->rn_id), pk->rn_id);
	pf_strcpy(c->link_id, sizeof(c->link_id), pk->link_id);
	pf_strcpy(c->session_id, sizeof(c->session_id), pk->session_id);
	c->traffic_type = pk->traffic_type;
	t->st.flows++;
}

static struct pf_flow *
pf_alloc(struct policy_flows *t, const struct pf_key *k, uint32_t h,
    const struct policy_pkt *pk, monotime_t now)
{
	struct pf_flow *f;
	uint32_t idx;

	if (t->nfree == 0)
		pf_evict(t, now);
	if (t->nfree == 0)
		return NULL;
	idx = t->free[--t->nfree];
	f = &t->fl[idx];
	memset(f, 0, sizeof(*f));
	f->tenant = k->tenant;
	f->src = k->src;
	f->dst = k->dst;
	f->sport = k->sport;
	f->dport = k->dport;
	f->proto = k->proto;
	f->buf = PF_NOBUF;
	f->hash = h;
	pf_ht_insert(t, h, idx);
	t->st.active++;
	pf_start(t, f, pk, now);
	return f;
}

/* ---- verdicts and actions ---- */

static enum policy_flow_res
pf_count(struct policy_flows *t, struct policy_flow_out *out,
    enum policy_flow_reason r, enum policy_flow_res res)
{
	t->st.reason[r]++;
	out->reason = r;
	return res;
}

/* The ids of the rule that decided, for the record. */
static void
pf_note(struct policy_flows *t, struct pf_flow *f,
    const struct policy_snap *s, const struct policy_verdict *v)
{
	struct pf_cold *c = &t->cold[f - t->fl];

	if (s == NULL || v->policy == POLICY_NONE)
		return;
	pf_strcpy(c->policy_id, sizeof(c->policy_id),
	    policy_snap_policy_id(s, v->policy));
	pf_strcpy(c->rule_id, sizeof(c->rule_id),
	    policy_snap_rule_id(s, v->rule));
	if (v->log)
		f->fl &= (uint8_t)~PF_F_NOLOG;
	else
		f->fl |= PF_F_NOLOG;
}

/* Blocked from now on; the record is written at once. */
static void
pf_block(struct policy_flows *t, struct pf_flow *f,
    const struct policy_snap *s, const struct policy_verdict *v,
    enum policy_flow_reason r, monotime_t now)
{
	if (v != NULL)
		pf_note(t, f, s, v);
	pf_buf_put(t, f);
	f->st = PF_ST_BLOCKED;
	f->reason = (uint8_t)r;
	f->action = MODEL_TACT_BLOCK;
	pf_record(t, f, now);
	f->fl |= PF_F_LOGGED;
}

static uint32_t
pf_seglen(const struct policy_pkt_hdr *h)
{
	return (uint32_t)h->pay_len + (h->tcp_flags & POLICY_TCP_SYN ? 1 : 0) +
	    (h->tcp_flags & POLICY_TCP_FIN ? 1 : 0);
}

/*
 * To the branch, as from the server. RFC 9293 §3.10.7.4 / RFC 5961 §3.2:
 * a RST whose sequence number is exactly the receiver's next expected one
 * is taken at once; the branch's ACK field is that number. A SYN (Fast
 * Open data) is answered as in SYN-SENT (§3.10.7.3): acceptable when it
 * ACKs the SYN.
 */
static void
pf_rst_client(struct policy_flows *t, const struct policy_pkt_hdr *h,
    struct policy_flow_out *out)
{
	struct policy_pkt_tcp p = {
		.src = h->dst, .dst = h->src, .sport = h->dport,
		.dport = h->sport, .flags = POLICY_TCP_RST | POLICY_TCP_ACK,
		.ack = h->seq + pf_seglen(h),
	};

	p.seq = h->tcp_flags & POLICY_TCP_ACK ? h->ack : 0;
	out->client_len = policy_pkt_tcp(t->out_c, sizeof(t->out_c), &p);
	out->client = out->client_len > 0 ? t->out_c : NULL;
}

/*
 * To the server, as from the branch: seq is the first octet the server
 * has not received (everything before the dropped segment's new octets was
 * forwarded). Only once the branch is synchronized: a dropped SYN left the
 * server nothing to reset.
 */
static void
pf_rst_server(struct policy_flows *t, const struct policy_pkt_hdr *h,
    uint32_t seq, struct policy_flow_out *out)
{
	struct policy_pkt_tcp p = {
		.src = h->src, .dst = h->dst, .sport = h->sport,
		.dport = h->dport, .seq = seq, .ack = h->ack,
		.flags = POLICY_TCP_RST | POLICY_TCP_ACK,
	};

	if (!(h->tcp_flags & POLICY_TCP_ACK))
		return;
	out->server_len = policy_pkt_tcp(t->out_s, sizeof(t->out_s), &p);
	out->server = out->server_len > 0 ? t->out_s : NULL;
}

/* HTTP: the 403 page with FIN, in the branch's window, ACKing its data. */
static void
pf_page_client(struct policy_flows *t, const struct policy_snap *s,
    const struct policy_verdict *v, const char *host,
    const struct policy_pkt_hdr *h, struct policy_flow_out *out)
{
	struct policy_pkt_tcp p = {
		.src = h->dst, .dst = h->src, .sport = h->dport,
		.dport = h->sport, .seq = h->ack, .ack = h->seq + pf_seglen(h),
		.flags = POLICY_TCP_PSH | POLICY_TCP_ACK | POLICY_TCP_FIN,
		.win = PF_WIN, .data = t->page,
	};

	p.len = policy_pkt_block_page(t->page, sizeof(t->page),
	    v->policy != POLICY_NONE ? policy_snap_policy_name(s, v->policy) :
	    NULL, host);
	if (p.len == 0 || !(h->tcp_flags & POLICY_TCP_ACK)) {
		pf_rst_client(t, h, out);
		return;
	}
	out->client_len = policy_pkt_tcp(t->out_c, sizeof(t->out_c), &p);
	out->client = out->client_len > 0 ? t->out_c : NULL;
}

static enum policy_flow_reason
pf_kind_reason(const struct policy_verdict *v)
{
	return v->kind == POLICY_KIND_WEBCAT ? POLICY_R_WEBCAT : POLICY_R_FQDN;
}

static void	pf_tcp_track(struct pf_flow *, const struct policy_pkt_hdr *);

/*
 * The first packet of a flow (fresh), or the first after the snapshot
 * changed: the firewall for TCP and UDP, QUIC, whether to classify; for a
 * live named flow the host verdict again. A result, or -1 to go on.
 */
static int
pf_eval(struct policy_flows *t, struct pf_flow *f, const struct policy_pkt *pk,
    const struct policy_pkt_hdr *h, bool fresh, monotime_t now,
    struct policy_flow_out *out)
{
	const struct policy_snap *s = pk->snap;
	struct pf_cold *c = &t->cold[f - t->fl];
	struct policy_verdict v;
	bool filters = s != NULL && policy_snap_filters(s);

	f->gen = pk->snap_gen;
	if (!fresh && f->st == PF_ST_BLOCKED) {
		/* A reset connection stays dead; a dropped one may live
		 * again (a firewall rule disabled: the SYN is resent). */
		if (f->reason != POLICY_R_FIREWALL && f->reason != POLICY_R_QUIC)
			return -1;
		pf_start(t, f, pk, now);
		f->fl &= (uint8_t)~(PF_F_LOGGED | PF_F_NOLOG);
		t->st.flows--;		/* the same flow, counted once */
		f->sent_pkts = 1;
		f->sent_bytes = h->ip_len;
		if (f->proto == POLICY_PKT_TCP)
			pf_tcp_track(f, h);
		fresh = true;
	}
	c->policy_id[0] = c->rule_id[0] = '\0';
	if (s != NULL && (f->proto == POLICY_PKT_TCP ||
	    f->proto == POLICY_PKT_UDP)) {
		memset(&v, 0, sizeof(v));
		policy_snap_fw(s, f->proto, f->src, f->sport, f->dst, f->dport,
		    &v);
		if (v.action == POLICY_BLOCK) {
			/* Dropped and counted, no RST (docs/policy.md). */
			pf_block(t, f, s, &v, POLICY_R_FIREWALL, now);
			return pf_count(t, out, POLICY_R_FIREWALL,
			    POLICY_FLOW_DROP);
		}
		pf_note(t, f, s, &v);
	}
	/* QUIC is not inspected: with any filtering rule it is dropped so
	 * clients fall back to TCP, where the name can be read. */
	if (f->proto == POLICY_PKT_UDP && f->dport == 443 && filters) {
		pf_block(t, f, s, NULL, POLICY_R_QUIC, now);
		return pf_count(t, out, POLICY_R_QUIC, POLICY_FLOW_DROP);
	}
	if (fresh) {
		if (f->proto == POLICY_PKT_TCP && filters &&
		    (f->dport == 443 || f->dport == 80)) {
			f->st = PF_ST_CLASSIFY;
			f->cls = f->dport == 443 ? PF_CLS_SNI : PF_CLS_HTTP;
		}
		return -1;
	}
	if (f->st == PF_ST_CLASSIFY && !filters) {
		pf_buf_put(t, f);
		f->st = PF_ST_OPEN;
	}
	if (!(f->fl & PF_F_NAMED) || s == NULL)
		return -1;
	memset(&v, 0, sizeof(v));
	policy_snap_host(s, c->fqdn, &v);
	if (v.action != POLICY_BLOCK) {
		pf_note(t, f, s, &v);
		return -1;
	}
	/* A running connection: reset both ways at the current segment. */
	pf_block(t, f, s, &v, pf_kind_reason(&v), now);
	if (f->proto != POLICY_PKT_TCP)
		return pf_count(t, out, f->reason, POLICY_FLOW_DROP);
	pf_rst_client(t, h, out);
	pf_rst_server(t, h, h->seq, out);
	return pf_count(t, out, f->reason, POLICY_FLOW_REPLY);
}

static void
pf_tcp_track(struct pf_flow *f, const struct policy_pkt_hdr *h)
{
	int32_t d;

	if ((h->tcp_flags & (POLICY_TCP_SYN | POLICY_TCP_ACK)) ==
	    POLICY_TCP_SYN) {
		f->isn = h->seq;
		f->cnext = h->seq + 1;
		f->fl |= PF_F_SYN | PF_F_CNEXT;
	}
	if (h->tcp_flags & POLICY_TCP_ACK) {
		if (!(f->fl & PF_F_ACKV)) {
			f->ack_hi = h->ack;
			f->fl |= PF_F_ACKV;
		} else if ((d = (int32_t)(h->ack - f->ack_hi)) > 0) {
			/* Cumulative ACKs: what the branch received. */
			f->recv_bytes += (uint32_t)d;
			f->ack_hi = h->ack;
		}
	}
	if (h->tcp_flags & POLICY_TCP_FIN)
		f->fl |= PF_F_FIN;
	if (h->tcp_flags & POLICY_TCP_RST)
		f->fl |= PF_F_RST;
}

static enum pf_name
pf_parse(uint8_t cls, const uint8_t *p, size_t n, char host[POLICY_HOST_MAX + 1])
{
	if (cls == PF_CLS_SNI) {
		switch (policy_sni_parse(p, n, host)) {
		case POLICY_SNI_OK:
			return PF_NAME_OK;
		case POLICY_SNI_NEED_MORE:
			return n >= POLICY_REASM_CAP ? PF_NAME_NONE :
			    PF_NAME_MORE;
		default:
			return PF_NAME_NONE;
		}
	}
	switch (policy_http_host(p, n, host)) {
	case POLICY_HTTP_OK:
		return PF_NAME_OK;
	case POLICY_HTTP_NEED_MORE:
		return n >= POLICY_REASM_CAP ? PF_NAME_NONE : PF_NAME_MORE;
	default:
		return PF_NAME_NONE;
	}
}

/* No name can be read: allowed, or with block_unnamed reset both ways. */
static enum policy_flow_res
pf_unnamed(struct policy_flows *t, struct pf_flow *f,
    const struct policy_pkt_hdr *h, uint32_t server_next, monotime_t now,
    struct policy_flow_out *out)
{
	pf_buf_put(t, f);
	f->st = PF_ST_OPEN;
	if (!t->cfg.block_unnamed)
		return POLICY_FLOW_FORWARD;
	pf_block(t, f, NULL, NULL, POLICY_R_UNNAMED, now);
	pf_rst_client(t, h, out);
	pf_rst_server(t, h, server_next, out);
	return pf_count(t, out, POLICY_R_UNNAMED, POLICY_FLOW_REPLY);
}

/*
 * A TCP segment of a flow on 443 or 80 not named yet. Payload is taken in
 * sequence order from the SYN's ISN + 1 (or, for a flow first seen
 * mid-stream, from its first payload octet): a first segment holding the
 * whole ClientHello or head is parsed in place; otherwise its octets go to
 * a reassembly buffer and the segment is forwarded (a partial ClientHello
 * is of no use to the server). A segment past a hole is dropped, so the
 * server never holds octets we have not read.
 */
static enum policy_flow_res
pf_classify(struct policy_flows *t, struct pf_flow *f,
    const struct policy_pkt *pk, const struct policy_pkt_hdr *h,
    monotime_t now, struct policy_flow_out *out)
{
	struct pf_cold *c = &t->cold[f - t->fl];
	char host[POLICY_HOST_MAX + 1];
	struct policy_verdict v;
	struct policy_reasm *r;
	struct buf b;
	const uint8_t *p;
	uint32_t seq, before;
	enum pf_name res;
	size_t skip, n;
	int32_t d;

	if (h->frag)
		return pf_count(t, out, POLICY_R_MALFORMED, POLICY_FLOW_DROP);
	if (h->pay_len == 0) {
		/* Closed or reset before a name: nothing to classify. */
		if (h->tcp_flags & (POLICY_TCP_FIN | POLICY_TCP_RST)) {
			pf_buf_put(t, f);
			f->st = PF_ST_OPEN;
		}
		return POLICY_FLOW_FORWARD;
	}
	seq = h->seq + (h->tcp_flags & POLICY_TCP_SYN ? 1 : 0);
	if (!(f->fl & PF_F_CNEXT)) {
		f->cnext = seq;
		f->fl |= PF_F_CNEXT;
	}
	if (f->buf == PF_NOBUF) {
		before = f->cnext;
		if ((d = (int32_t)(seq - before)) > 0)
			return pf_count(t, out, POLICY_R_GAP, POLICY_FLOW_DROP);
		skip = (size_t)(-(int64_t)d);
		if (skip >= h->pay_len)
			return POLICY_FLOW_FORWARD;	/* a retransmission */
		n = h->pay_len - skip;
		buf_init(&b, h->pay, h->pay_len);
		if (buf_skip(&b, skip) == -1 || buf_peek_ptr(&b, n, &p) == -1)
			return pf_count(t, out, POLICY_R_MALFORMED,
			    POLICY_FLOW_DROP);
		res = pf_parse(f->cls, p, n, host);
		if (res == PF_NAME_MORE) {
			if ((r = pf_buf_get(t, f)) == NULL) {
				/* No buffer: failed open, as unnamed. */
				t->st.reason[POLICY_R_TABLE_FULL]++;
				return pf_unnamed(t, f, h, before, now, out);
			}
			policy_reasm_init(r, before);
			(void)policy_reasm_feed(r, before, p, n);
			f->cnext = r->next;
			return POLICY_FLOW_FORWARD;
		}
		f->cnext = before + (uint32_t)n;
	} else {
		r = &t->rb[f->buf];
		before = r->next;
		switch (policy_reasm_feed(r, seq, h->pay, h->pay_len)) {
		case POLICY_REASM_GAP:
			return pf_count(t, out, POLICY_R_GAP, POLICY_FLOW_DROP);
		case POLICY_REASM_DUP:
			return POLICY_FLOW_FORWARD;
		default:
			break;
		}
		f->cnext = r->next;
		res = pf_parse(f->cls, r->data, r->len, host);
		if (res == PF_NAME_MORE)
			return POLICY_FLOW_FORWARD;
	}
	if (res != PF_NAME_OK)
		return pf_unnamed(t, f, h, before, now, out);
	pf_buf_put(t, f);
	f->st = PF_ST_OPEN;
	f->fl |= PF_F_NAMED;
	pf_strcpy(c->fqdn, sizeof(c->fqdn), host);
	t->st.classified++;
	if (pk->snap == NULL)
		return POLICY_FLOW_FORWARD;
	memset(&v, 0, sizeof(v));
	policy_snap_host(pk->snap, host, &v);
	if (v.action != POLICY_BLOCK) {
		pf_note(t, f, pk->snap, &v);
		return POLICY_FLOW_FORWARD;
	}
	pf_block(t, f, pk->snap, &v, pf_kind_reason(&v), now);
	if (f->cls == PF_CLS_HTTP)
		pf_page_client(t, pk->snap, &v, host, h, out);
	else
		pf_rst_client(t, h, out);
	pf_rst_server(t, h, before, out);
	return pf_count(t, out, f->reason, POLICY_FLOW_REPLY);
}

/* A SYN on a known tuple: the same connection's resent SYN, or a new one. */
static bool
pf_new_conn(const struct pf_flow *f, const struct policy_pkt_hdr *h)
{
	if ((h->tcp_flags & (POLICY_TCP_SYN | POLICY_TCP_ACK |
	    POLICY_TCP_RST)) != POLICY_TCP_SYN)
		return false;
	return !(f->fl & PF_F_SYN) || h->seq != f->isn;
}

enum policy_flow_res
policy_flows_input(struct policy_flows *t, const struct policy_pkt *pk,
    const uint8_t *ip, size_t len, monotime_t now,
    struct policy_flow_out *out)
{
	struct policy_pkt_hdr h;
	struct pf_key k;
	struct pf_flow *f;
	uint32_t hv, idx;
	bool fresh = false;
	int r;

	memset(out, 0, sizeof(*out));
	if (policy_pkt_parse(ip, len, &h) != POLICY_PKT_OK)
		return pf_count(t, out, POLICY_R_MALFORMED, POLICY_FLOW_DROP);
	/* Later fragments carry no ports: the first one had the verdict. */
	if (h.later_frag)
		return POLICY_FLOW_FORWARD;
	k = (struct pf_key){ pk->tenant, h.src, h.dst, h.sport, h.dport,
	    h.proto };
	hv = pf_hash(t, &k);
	idx = pf_find(t, &k, hv);
	f = idx == PF_EMPTY ? NULL : &t->fl[idx];
	if (f != NULL && h.proto == POLICY_PKT_TCP && pf_new_conn(f, &h)) {
		pf_end(t, f, now);
		f = NULL;
	}
	if (f == NULL) {
		if ((f = pf_alloc(t, &k, hv, pk, now)) == NULL)
			return pf_count(t, out, POLICY_R_TABLE_FULL,
			    POLICY_FLOW_FORWARD);
		fresh = true;
	}
	f->last = now;
	f->sent_pkts++;
	f->sent_bytes += h.ip_len;
	if (h.proto == POLICY_PKT_TCP && f->st != PF_ST_BLOCKED)
		pf_tcp_track(f, &h);
	if ((fresh || f->gen != pk->snap_gen) &&
	    (r = pf_eval(t, f, pk, &h, fresh, now, out)) != -1)
		return (enum policy_flow_res)r;
	switch (f->st) {
	case PF_ST_BLOCKED:
		return pf_count(t, out, f->reason, POLICY_FLOW_DROP);
	case PF_ST_CLASSIFY:
		return pf_classify(t, f, pk, &h, now, out);
	default:
		return POLICY_FLOW_FORWARD;
	}
}

/* ---- time ---- */

void
policy_flows_tick(struct policy_flows *t, monotime_t now, size_t budget)
{
	struct pf_flow *f;
	size_t i;

	if (budget > t->nfl)
		budget = t->nfl;
	for (i = 0; i < budget; i++) {
		f = &t->fl[t->cursor];
		t->cursor = (t->cursor + 1) & (t->nfl - 1);
		if (f->st == PF_ST_FREE)
			continue;
		if (now >= pf_deadline(f)) {
			t->st.expired++;
			pf_end(t, f, now);
			continue;
		}
		/* A name that never completes must not hold a buffer. */
		if (f->st == PF_ST_CLASSIFY && f->buf != PF_NOBUF &&
		    now - f->last >= PF_TO_CLASSIFY) {
			pf_buf_put(t, f);
			f->st = PF_ST_OPEN;
			if (t->cfg.block_unnamed)
				pf_block(t, f, NULL, NULL, POLICY_R_UNNAMED,
				    now);
			continue;
		}
		if (!(f->fl & (PF_F_LOGGED | PF_F_NOLOG)) &&
		    now - f->last_rec >= PF_INTERIM &&
		    f->sent_pkts != f->rec_pkts)
			pf_record(t, f, now);
	}
}

void
policy_flows_flush(struct policy_flows *t)
{
	monotime_t now = monotime_now();
	size_t i;

	for (i = 0; i < t->nfl; i++)
		if (t->fl[i].st != PF_ST_FREE)
			pf_end(t, &t->fl[i], now);
}

void
policy_flows_stats(const struct policy_flows *t, struct policy_flows_stats *s)
{
	*s = t->st;
}
