/*
 * bench_policy.c - one ESP worker's policy cost, no I/O: packets through
 * policy_flows_input() with a baseline profile at the limits (1,000 rules:
 * 200 cloud firewall rules and 800 FQDN rules holding 8,000 FQDNs, in 9
 * policies), next to the same table with no policy (snap NULL) in the same
 * run, rounds alternating, best round of each kept.
 *
 *   mixed:   a trace of many TCP flows interleaved 256 at a time, each a
 *            handshake, a ClientHello (or an HTTP request for one in ten),
 *            25 ACKs of a download and 5 data segments, then FIN; a fifth
 *            of the names are blocked (RSTs built, the rest dropped).
 *   steady:  only packets of flows already classified (the one-lookup path).
 *   new:     handshake + ClientHello only: new flows classified per second.
 *
 * Memory per flow: a table slot (flow, cold part with ids and name, index
 * entries) and, for a flow whose ClientHello spans segments, one
 * reassembly buffer while it is classified. Run it pinned (taskset -c 0).
 *
 * usage: bench_policy [rounds, default 5]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "model_policy.h"
#include "monotime.h"
#include "policy_flow.h"
#include "policy_reasm.h"
#include "policy_ring.h"
#include "policy_snap.h"

#define NFLOWS		4096	/* flows in the mixed trace */
#define WINDOW		256	/* flows interleaved at a time */
#define PER_FLOW	34	/* SYN, ACK, hello, 25 ACK, 5 data, FIN */
#define NNEW		32768	/* flows in the new-flow trace */
#define NPOL		8	/* filtering policies */
#define RULES_PER	100	/* FQDN rules per filtering policy */
#define FQDN_PER	10	/* FQDNs per rule */
#define NFW		200	/* firewall rules */
#define PKT_MAX		1500
#define CLIENT_NET	0xc0000200u	/* 192.0.2.0/24 */
#define SERVER_NET	0xcb007100u	/* 203.0.113.0/24 */

struct trace {
	uint8_t		*buf;		/* packets back to back */
	size_t		*off;
	uint16_t	*len;
	size_t		 n, used;
};

static struct model_fdest *bp_dest;
/* Set: each packet is first run through AES-256-GCM as esp_in opens it. */
static EVP_CIPHER_CTX *bp_cx;
static uint8_t bp_scratch[PKT_MAX + 64];

/* ---- the policy ---- */

static void
bp_id(char *out, unsigned kind, unsigned i)
{
	snprintf(out, MODEL_ID_LEN + 1, "%08x-0000-4000-8000-%012x", kind, i);
}

static struct model_fset *
bp_set(void)
{
	struct model_fset *s = calloc(1, sizeof(*s));
	struct model_fpolicy *pol = calloc(NPOL + 1, sizeof(*pol));
	struct model_frule *r = calloc(NPOL * RULES_PER + NFW, sizeof(*r));
	struct model_fprofile *prof = calloc(1, sizeof(*prof));
	struct model_flink *l = calloc(NPOL + 1, sizeof(*l));
	unsigned p, k, j, d = 0;

	bp_dest = calloc(NPOL * RULES_PER * FQDN_PER, sizeof(*bp_dest));
	if (s == NULL || pol == NULL || r == NULL || prof == NULL ||
	    l == NULL || bp_dest == NULL)
		return NULL;
	for (p = 0; p < NPOL; p++) {
		bp_id(pol[p].id, 1, p);
		snprintf(pol[p].name, sizeof(pol[p].name), "Block list %u", p);
		pol[p].kind = MODEL_FPOL_FILTERING;
		pol[p].action = MODEL_FACT_BLOCK;
		pol[p].rules = &r[p * RULES_PER];
		pol[p].nrules = RULES_PER;
		for (k = 0; k < RULES_PER; k++) {
			struct model_frule *x = &r[p * RULES_PER + k];

			bp_id(x->id, 2, p * RULES_PER + k);
			snprintf(x->policy_id, sizeof(x->policy_id), "%s",
			    pol[p].id);
			x->type = MODEL_FRULE_FQDN;
			x->dest = &bp_dest[d];
			x->ndest = FQDN_PER;
			for (j = 0; j < FQDN_PER; j++, d++)
				snprintf(bp_dest[d].value,
				    sizeof(bp_dest[d].value), j % 2 ?
				    "*.blocked%u.example" : "www.site%u.example",
				    d);
		}
		bp_id(l[p].policy_id, 1, p);
		l[p].priority = 100 + p;
		l[p].enabled = l[p].logging = true;
		l[p].action = -1;
	}
	bp_id(pol[NPOL].id, 3, 0);
	snprintf(pol[NPOL].name, sizeof(pol[NPOL].name), "Firewall");
	pol[NPOL].kind = MODEL_FPOL_FIREWALL;
	pol[NPOL].rules = &r[NPOL * RULES_PER];
	pol[NPOL].nrules = NFW;
	for (k = 0; k < NFW; k++) {
		struct model_frule *x = &r[NPOL * RULES_PER + k];

		bp_id(x->id, 4, k);
		snprintf(x->policy_id, sizeof(x->policy_id), "%s",
		    pol[NPOL].id);
		x->type = MODEL_FRULE_FIREWALL;
		x->priority = 100 + k;
		x->action = MODEL_FACT_BLOCK;
		x->enabled = true;
		x->protos = MODEL_FW_TCP;
		/* Ports the trace never uses: every rule is walked. */
		x->dport[0].lo = x->dport[0].hi = (uint16_t)(20000 + k);
		x->ndport = 1;
		x->dst[0].lo = SERVER_NET;
		x->dst[0].hi = SERVER_NET + 255;
		x->ndst = 1;
	}
	bp_id(l[NPOL].policy_id, 3, 0);
	l[NPOL].priority = 1000;
	l[NPOL].enabled = l[NPOL].logging = true;
	l[NPOL].action = -1;
	bp_id(prof->id, 5, 0);
	prof->baseline = prof->enabled = true;
	prof->priority = MODEL_BASELINE_PRIORITY;
	prof->links = l;
	prof->nlinks = NPOL + 1;
	s->profiles = prof;
	s->nprofiles = 1;
	s->policies = pol;
	s->npolicies = NPOL + 1;
	return s;
}

/* ---- packets ---- */

static uint32_t
bp_sum(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static void
bp_put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
bp_put32(uint8_t *p, uint32_t v)
{
	bp_put16(p, v >> 16);
	bp_put16(p + 2, v);
}

static uint16_t
bp_tcp(uint8_t *b, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
    uint32_t seq, uint32_t ack, uint8_t fl, const uint8_t *d, size_t n)
{
	uint32_t ph;

	memset(b, 0, 40);
	b[0] = 0x45;
	bp_put16(b + 2, (uint32_t)(40 + n));
	bp_put16(b + 6, 0x4000);
	b[8] = 64;
	b[9] = 6;
	bp_put32(b + 12, src);
	bp_put32(b + 16, dst);
	bp_put16(b + 10, (uint16_t)~bp_sum(0, b, 20));
	bp_put16(b + 20, sp);
	bp_put16(b + 22, dp);
	bp_put32(b + 24, seq);
	bp_put32(b + 28, ack);
	b[32] = 5 << 4;
	b[33] = fl;
	bp_put16(b + 34, 64240);
	if (n > 0)
		memcpy(b + 40, d, n);
	ph = bp_sum(0, b + 12, 8) + 6 + (uint32_t)(20 + n);
	bp_put16(b + 36, (uint16_t)~bp_sum(ph, b + 20, 20 + n));
	return (uint16_t)(40 + n);
}

/* A ClientHello of a browser's size (~520 octets with padding). */
static size_t
bp_hello(uint8_t *b, const char *host)
{
	size_t hl = strlen(host), i = 0, hs, ext;

	b[i++] = 22;
	b[i++] = 3;
	b[i++] = 1;
	i += 2;
	hs = i;
	b[i++] = 1;
	i += 3;
	b[i++] = 3;
	b[i++] = 3;
	memset(b + i, 0x5a, 32);
	i += 32;
	b[i++] = 32;
	memset(b + i, 0x11, 32);
	i += 32;
	bp_put16(b + i, 32);
	memset(b + i + 2, 0x13, 32);
	i += 34;
	b[i++] = 1;
	b[i++] = 0;
	ext = i;
	i += 2;
	bp_put16(b + i, 0);
	bp_put16(b + i + 2, (uint32_t)(hl + 5));
	bp_put16(b + i + 4, (uint32_t)(hl + 3));
	b[i + 6] = 0;
	bp_put16(b + i + 7, (uint32_t)hl);
	memcpy(b + i + 9, host, hl);
	i += 9 + hl;
	bp_put16(b + i, 21);
	bp_put16(b + i + 2, 512 - 4 - (uint32_t)i);
	memset(b + i + 4, 0, 512 - 4 - i);
	i = 512;
	bp_put16(b + ext, (uint32_t)(i - ext - 2));
	b[hs + 1] = 0;
	bp_put16(b + hs + 2, (uint32_t)(i - hs - 4));
	bp_put16(b + 3, (uint32_t)(i - 5));
	return i;
}

/* Flow f's k-th packet (k < PER_FLOW, or 3 for the new-flow trace). */
static uint16_t
bp_flow_pkt(uint8_t *b, unsigned f, unsigned k)
{
	uint8_t pl[1400], hello[600];
	uint32_t src = CLIENT_NET + 10 + f % 200, dst = SERVER_NET + 1 + f % 50;
	uint16_t sp = (uint16_t)(1024 + f / 200);
	uint16_t dp = f % 10 == 9 ? 80 : 443;
	uint32_t isn = 0x01000000u * (f % 251) + f, cs = isn + 1, ack = 7777;
	char host[64];
	size_t hn;

	if (f % 5 == 4)
		snprintf(host, sizeof(host), "x%u.blocked%u.example", f,
		    (f * 2 + 1) % (NPOL * RULES_PER * FQDN_PER) | 1);
	else
		snprintf(host, sizeof(host), "www.allowed%u.example", f);
	if (dp == 80)
		hn = (size_t)snprintf((char *)hello, sizeof(hello),
		    "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: bench\r\n"
		    "Accept: */*\r\n\r\n", host);
	else
		hn = bp_hello(hello, host);
	if (k == 0)
		return bp_tcp(b, src, dst, sp, dp, isn, 0, 0x02, NULL, 0);
	if (k == 1)
		return bp_tcp(b, src, dst, sp, dp, cs, ack, 0x10, NULL, 0);
	if (k == 2)
		return bp_tcp(b, src, dst, sp, dp, cs, ack, 0x18, hello, hn);
	cs += (uint32_t)hn;
	memset(pl, 0xab, sizeof(pl));
	if (k == PER_FLOW - 1)
		return bp_tcp(b, src, dst, sp, dp, cs + 5 * 1400,
		    ack + 25 * 2896 + 1, 0x11, NULL, 0);
	/* k in 3..32: ACKs of the download, a data segment every sixth. */
	if ((k - 3) % 6 == 5)
		return bp_tcp(b, src, dst, sp, dp, cs + (k - 3) / 6 * 1400,
		    ack + (k - 3) * 2896, 0x18, pl, 1400);
	return bp_tcp(b, src, dst, sp, dp, cs + (k - 3) / 6 * 1400,
	    ack + (k - 2) * 2896, 0x10, NULL, 0);
}

static int
bp_trace_alloc(struct trace *t, size_t n)
{
	/* Most packets are ACKs: a third of the worst case is plenty. */
	t->buf = malloc(n * PKT_MAX / 3 + PKT_MAX);
	t->off = malloc(n * sizeof(*t->off));
	t->len = malloc(n * sizeof(*t->len));
	t->n = t->used = 0;
	return t->buf == NULL || t->off == NULL || t->len == NULL ? -1 : 0;
}

static void
bp_add(struct trace *t, unsigned f, unsigned k)
{
	t->off[t->n] = t->used;
	t->len[t->n] = bp_flow_pkt(t->buf + t->used, f, k);
	t->used += t->len[t->n];
	t->n++;
}

/* ---- runs ---- */

struct run {
	double		 secs;
	size_t		 pkts, drop, reply;
};

static struct run
bp_run(const struct trace *tr, size_t from, const struct policy_snap *snap,
    struct policy_flows *t, struct policy_ring *ring)
{
	static struct model_traffic recs[1024];
	struct policy_pkt pk = { .snap = snap, .snap_gen = 1, .tenant = 1,
	    .tenant_id = "44444444-4444-4444-8444-444444444444",
	    .rn_id = "55555555-5555-4555-8555-555555555555",
	    .link_id = "66666666-6666-4666-8666-666666666666",
	    .session_id = "77777777-7777-4777-8777-777777777777" };
	struct policy_flow_out out;
	struct run r = { 0 };
	monotime_t t0, now = 1000 * MONOTIME_SEC;
	size_t i;

	t0 = monotime_now();
	for (i = from; i < tr->n; i++) {
		if (bp_cx != NULL) {
			uint8_t nonce[12] = { 9 }, aad[8] = { 7 };
			int outl;

			memcpy(nonce + 4, &i, sizeof(i) < 8 ? sizeof(i) : 8);
			if (EVP_CipherInit_ex2(bp_cx, NULL, NULL, nonce, -1,
			    NULL) != 1 ||
			    EVP_CipherUpdate(bp_cx, NULL, &outl, aad, 8) != 1 ||
			    EVP_CipherUpdate(bp_cx, bp_scratch, &outl,
			    tr->buf + tr->off[i], tr->len[i] + 4) != 1)
				exit(1);
		}
		switch (policy_flows_input(t, &pk, tr->buf + tr->off[i],
		    tr->len[i], now, &out)) {
		case POLICY_FLOW_DROP:
			r.drop++;
			break;
		case POLICY_FLOW_REPLY:
			r.reply++;
			break;
		default:
			break;
		}
		/* The worker drains per batch; so do we, in the timing. */
		if ((i & 1023) == 0)
			while (policy_ring_pop(ring, recs, 1024) > 0)
				;
	}
	r.secs = (double)(monotime_now() - t0) / 1e9;
	r.pkts = tr->n - from;
	while (policy_ring_pop(ring, recs, 1024) > 0)
		;
	return r;
}

static struct policy_flows *
bp_table(struct policy_ring *ring)
{
	struct policy_flows_cfg cfg = { .max_flows = 65536,
	    .max_classifying = 1024, .worker = 0, .ring = ring };

	return policy_flows_new(&cfg);
}

/*
 * Best of rounds for snap and for NULL, alternating. A round is reps
 * passes over the trace: each on a new table (fresh flows) if warm is 0,
 * else on one table warmed by the trace's first warm packets (classified
 * flows). Table creation and warm-up are outside the timing.
 */
static void
bp_compare(const char *what, const struct trace *tr, size_t warm, int reps,
    const struct policy_snap *snap, int rounds, double *pol, double *none,
    struct run *last)
{
	static struct model_traffic recs[1024];
	struct policy_ring *ring = policy_ring_new(4096);
	struct policy_flows *t = NULL;
	struct trace w = *tr;
	struct run r, sum;
	double pps;
	int k, j, side;

	*pol = *none = 0;
	w.n = warm;
	for (k = 0; k < 2 * rounds; k++) {
		side = k & 1;
		memset(&sum, 0, sizeof(sum));
		for (j = 0; j < reps; j++) {
			if (j > 0 && warm == 0) {
				/* Fresh flows on warm pages: flush, drain. */
				policy_flows_flush(t);
				while (policy_ring_pop(ring, recs, 1024) > 0)
					;
			}
			if (j == 0) {
				policy_flows_free(t);
				if (ring == NULL || (t = bp_table(ring)) == NULL) {
					fprintf(stderr, "no memory\n");
					exit(1);
				}
				if (warm > 0)
					(void)bp_run(&w, 0, side ? NULL : snap,
					    t, ring);
			}
			r = bp_run(tr, warm, side ? NULL : snap, t, ring);
			sum.secs += r.secs;
			sum.pkts += r.pkts;
			sum.drop += r.drop;
			sum.reply += r.reply;
		}
		pps = (double)sum.pkts / sum.secs;
		if (side == 0) {
			if (pps > *pol)
				*pol = pps;
			*last = r;
		} else if (pps > *none)
			*none = pps;
	}
	policy_flows_free(t);
	policy_ring_free(ring);
	printf("  %-8s policy %7.3f M/s   no policy %7.3f M/s   %5.1f %%\n",
	    what, *pol / 1e6, *none / 1e6, 100 * *pol / *none);
}

int
main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 5;
	struct trace mixed, steady, fresh;
	struct model_fset *set;
	struct policy_snap *snap;
	struct run last;
	double pol, none, new_pol, new_none;
	monotime_t t0;
	char err[256];
	unsigned f, k, base;

	if (rounds < 1)
		rounds = 1;
	if ((set = bp_set()) == NULL) {
		fprintf(stderr, "no memory\n");
		return 1;
	}
	t0 = monotime_now();
	if ((snap = policy_snap_build(set, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "policy_snap_build: %s\n", err);
		return 1;
	}
	printf("policy flow table, one core; baseline profile: %zu firewall "
	    "rules, %zu FQDNs in %d FQDN rules (%zu KiB, built in %.1f ms)\n",
	    policy_snap_nfw(snap), policy_snap_nfqdn(snap), NPOL * RULES_PER,
	    policy_snap_bytes(snap) / 1024,
	    (double)(monotime_now() - t0) / 1e6);

	/* Mixed: flows in windows of WINDOW, their packets interleaved. */
	if (bp_trace_alloc(&mixed, (size_t)NFLOWS * PER_FLOW) == -1 ||
	    bp_trace_alloc(&steady, (size_t)WINDOW * (3 + 100)) == -1 ||
	    bp_trace_alloc(&fresh, (size_t)NNEW * 3) == -1) {
		fprintf(stderr, "no memory\n");
		return 1;
	}
	for (base = 0; base < NFLOWS; base += WINDOW)
		for (k = 0; k < PER_FLOW; k++)
			for (f = base; f < base + WINDOW; f++)
				bp_add(&mixed, f, k);
	/* Steady: WINDOW allowed flows classified in the warm-up, then 100
	 * rounds of their ACKs and data (flows f % 5 != 4 are allowed). */
	for (k = 0; k < 3; k++)
		for (f = 0; f < WINDOW; f++)
			bp_add(&steady, f * 5, k);
	for (k = 0; k < 100; k++)
		for (f = 0; f < WINDOW; f++)
			bp_add(&steady, f * 5, 3 + k % 30);
	for (f = 0; f < NNEW; f++)
		for (k = 0; k < 3; k++)
			bp_add(&fresh, 100000 + f, k);

	printf("packets per second (best of %d rounds each, alternating):\n",
	    rounds);
	bp_compare("mixed", &mixed, 0, 20, snap, rounds, &pol, &none, &last);
	printf("           (%zu packets of %d flows: %zu dropped, %zu answered "
	    "with RST or block page)\n", last.pkts, NFLOWS, last.drop,
	    last.reply);
	bp_compare("steady", &steady, (size_t)WINDOW * 3, 100, snap, rounds, &pol,
	    &none, &last);
	bp_compare("new", &fresh, 0, 5, snap, rounds, &pol, &none, &last);
	new_pol = pol;
	new_none = none;
	/* The worker's own per-packet work next to it: AES-GCM opening the
	 * ESP packet (tag check aside), as esp_in.c drives EVP. */
	{
		uint8_t key[32] = { 1, 2, 3 };

		if ((bp_cx = EVP_CIPHER_CTX_new()) == NULL ||
		    EVP_CipherInit_ex2(bp_cx, EVP_aes_256_gcm(), key, NULL, 0,
		    NULL) != 1) {
			fprintf(stderr, "EVP\n");
			return 1;
		}
		printf("with each packet opened by AES-256-GCM first (the "
		    "worker's crypto, no I/O):\n");
		bp_compare("mixed", &mixed, 0, 20, snap, rounds, &pol, &none,
		    &last);
		EVP_CIPHER_CTX_free(bp_cx);
		bp_cx = NULL;
	}
	printf("new flows classified per second (SYN, ACK, ClientHello or "
	    "request): policy %.0f k/s, no policy %.0f k/s\n",
	    new_pol / 3 / 1e3, new_none / 3 / 1e3);
	printf("memory per flow: %zu bytes a table slot; %zu bytes a "
	    "reassembly buffer, held only while a ClientHello spans "
	    "segments\n", policy_flows_slot_bytes(), sizeof(struct policy_reasm));
	policy_snap_free(snap);
	return 0;
}
