/*
 * test_policy_flow.c - policy_flow.c driven with hand-built IPv4 packets
 * against a snapshot compiled by policy_snap_build() from a model_fset
 * (the real path): a baseline profile linking an allow-exceptions policy
 * (priority 50), a block policy with FQDN and web-category rules (100) and
 * a cloud firewall policy (200).
 *
 * Every packet the table builds is checked against an independent oracle
 * (test_bytes.h): IPv4 and TCP checksums, addresses, ports, flags and the
 * sequence and acknowledgment numbers a client would accept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guid.h"
#include "model_policy.h"
#include "policy_flow.h"
#include "policy_pkt.h"
#include "policy_reasm.h"
#include "policy_ring.h"
#include "policy_snap.h"
#include "policy_webcat.h"
#include "test_bytes.h"

#define A(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define CLIENT		A(192, 0, 2, 10)
#define SERVER		A(203, 0, 113, 5)
#define SERVER2		A(198, 51, 100, 7)
#define SEC		MONOTIME_SEC
#define T0		(1000 * SEC)

#define POL_BLOCK	"11111111-1111-4111-8111-111111111111"
#define POL_ALLOW	"22222222-2222-4222-8222-222222222222"
#define POL_FW		"33333333-3333-4333-8333-333333333333"
#define RULE_FQDN	"aaaaaaaa-0000-4000-8000-000000000001"
#define RULE_WEBCAT	"aaaaaaaa-0000-4000-8000-000000000002"
#define RULE_EXCEPT	"aaaaaaaa-0000-4000-8000-000000000003"
#define RULE_FW		"aaaaaaaa-0000-4000-8000-000000000004"
#define TENANT_ID	"44444444-4444-4444-8444-444444444444"
#define RN_ID		"55555555-5555-4555-8555-555555555555"
#define LINK_ID		"66666666-6666-4666-8666-666666666666"
#define SESSION_ID	"77777777-7777-4777-8777-777777777777"

static const char webcat_text[] =
    "!category\tGambling\tGambling\tLiability\n"
    "casino.example\tGambling\n";

struct fx {
	struct model_fset	 set;
	struct model_fprofile	 prof;
	struct model_flink	 links[3];
	struct model_fpolicy	 pol[3];
	struct model_frule	 rules[4];
	struct model_fdest	 d_block[3], d_cat[1], d_except[1];
	struct policy_webcat	*wc;
	struct policy_snap	*snap;
	struct policy_ring	*ring;
	struct policy_flows	*t;
	struct policy_flows_cfg	 cfg;
	struct policy_pkt	 pk;
	uint8_t			 pkt[2048];
};

static void
fx_snap(struct fx *x)
{
	char err[256] = "";

	policy_snap_free(x->snap);
	x->snap = policy_snap_build(&x->set, x->wc, err, sizeof(err));
	if (x->snap == NULL)
		fail_msg("policy_snap_build: %s", err);
	x->pk.snap = x->snap;
	x->pk.snap_gen++;
}

static void
fx_link(struct model_flink *l, const char *pol, int64_t prio)
{
	snprintf(l->policy_id, sizeof(l->policy_id), "%s", pol);
	snprintf(l->profile_id, sizeof(l->profile_id),
	    "99999999-9999-4999-8999-999999999999");
	l->priority = prio;
	l->enabled = true;
	l->logging = true;
	l->action = -1;
}

static void
fx_policy(struct model_fpolicy *p, const char *id, const char *name,
    int kind, int action, struct model_frule *rules, size_t n)
{
	size_t i;

	snprintf(p->id, sizeof(p->id), "%s", id);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->kind = kind;
	p->action = action;
	p->rules = rules;
	p->nrules = n;
	for (i = 0; i < n; i++)
		snprintf(rules[i].policy_id, sizeof(rules[i].policy_id), "%s",
		    id);
}

static void
fx_rule(struct model_frule *r, const char *id, int type,
    struct model_fdest *d, size_t nd)
{
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->name, sizeof(r->name), "rule %s", id + 32);
	r->type = type;
	r->dest = d;
	r->ndest = nd;
}

static struct fx *
fx_new(size_t max_flows, size_t max_cls, bool block_unnamed, bool policy)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct model_frule *fw;
	char err[256];

	assert_non_null(x);
	x->wc = policy_webcat_parse(webcat_text, strlen(webcat_text), err,
	    sizeof(err));
	assert_non_null(x->wc);
	snprintf(x->d_block[0].value, sizeof(x->d_block[0].value),
	    "*.blocked.example");
	snprintf(x->d_block[1].value, sizeof(x->d_block[1].value),
	    "bad.example");
	snprintf(x->d_block[2].value, sizeof(x->d_block[2].value),
	    "later.example");
	snprintf(x->d_cat[0].value, sizeof(x->d_cat[0].value), "Gambling");
	snprintf(x->d_except[0].value, sizeof(x->d_except[0].value),
	    "ok.blocked.example");
	/* later.example is blocked only once a test turns it on. */
	fx_rule(&x->rules[0], RULE_FQDN, MODEL_FRULE_FQDN, x->d_block, 2);
	fx_rule(&x->rules[1], RULE_WEBCAT, MODEL_FRULE_WEBCAT, x->d_cat, 1);
	fx_rule(&x->rules[2], RULE_EXCEPT, MODEL_FRULE_FQDN, x->d_except, 1);
	fw = &x->rules[3];
	fx_rule(fw, RULE_FW, MODEL_FRULE_FIREWALL, NULL, 0);
	fw->priority = 100;
	fw->action = MODEL_FACT_BLOCK;
	fw->enabled = true;
	fw->protos = MODEL_FW_TCP;
	fw->dport[0] = (struct model_fw_port){ 8080, 8080 };
	fw->ndport = 1;
	fx_policy(&x->pol[0], POL_BLOCK, "Block bad sites", MODEL_FPOL_FILTERING,
	    MODEL_FACT_BLOCK, &x->rules[0], 2);
	fx_policy(&x->pol[1], POL_ALLOW, "Exceptions", MODEL_FPOL_FILTERING,
	    MODEL_FACT_ALLOW, &x->rules[2], 1);
	fx_policy(&x->pol[2], POL_FW, "Firewall", MODEL_FPOL_FIREWALL,
	    MODEL_FACT_ALLOW, &x->rules[3], 1);
	snprintf(x->prof.id, sizeof(x->prof.id),
	    "99999999-9999-4999-8999-999999999999");
	snprintf(x->prof.name, sizeof(x->prof.name), "Baseline");
	x->prof.enabled = true;
	x->prof.baseline = true;
	x->prof.priority = MODEL_BASELINE_PRIORITY;
	fx_link(&x->links[0], POL_ALLOW, 50);
	fx_link(&x->links[1], POL_BLOCK, 100);
	fx_link(&x->links[2], POL_FW, 200);
	x->prof.links = x->links;
	x->prof.nlinks = 3;
	x->set.profiles = &x->prof;
	x->set.nprofiles = 1;
	x->set.policies = x->pol;
	x->set.npolicies = 3;
	x->pk.tenant = 3;
	x->pk.tenant_id = TENANT_ID;
	x->pk.rn_id = RN_ID;
	x->pk.link_id = LINK_ID;
	x->pk.session_id = SESSION_ID;
	x->pk.traffic_type = MODEL_TTYPE_INTERNET;
	if (policy)
		fx_snap(x);
	x->ring = policy_ring_new(256);
	assert_non_null(x->ring);
	x->cfg.max_flows = max_flows;
	x->cfg.max_classifying = max_cls;
	x->cfg.worker = 7;
	x->cfg.block_unnamed = block_unnamed;
	x->cfg.ring = x->ring;
	x->t = policy_flows_new(&x->cfg);
	assert_non_null(x->t);
	return x;
}

static void
fx_free(struct fx *x)
{
	policy_flows_free(x->t);
	policy_ring_free(x->ring);
	policy_snap_free(x->snap);
	policy_webcat_free(x->wc);
	free(x);
}

/* ---- packets ---- */

static size_t
ip_hdr(uint8_t *b, uint32_t src, uint32_t dst, uint8_t proto, size_t l4)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	tb_put16(b + 2, (uint16_t)(20 + l4));
	tb_put16(b + 4, 0x1234);
	tb_put16(b + 6, 0x4000);
	b[8] = 63;
	b[9] = proto;
	tb_put32(b + 12, src);
	tb_put32(b + 16, dst);
	tb_put16(b + 10, (uint16_t)~tb_sum(0, b, 20));
	return 20 + l4;
}

static size_t
mk_tcp(uint8_t *b, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
    uint32_t seq, uint32_t ack, uint8_t flags, const void *data, size_t n)
{
	uint8_t *t = b + 20;

	memset(t, 0, 20);
	tb_put16(t, sp);
	tb_put16(t + 2, dp);
	tb_put32(t + 4, seq);
	tb_put32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	tb_put16(t + 14, 64240);
	if (n > 0)
		memcpy(t + 20, data, n);
	ip_hdr(b, src, dst, 6, 20 + n);
	tb_put16(t + 16, (uint16_t)~tb_sum(tb_pseudo(b, 20 + n), t, 20 + n));
	return 40 + n;
}

static size_t
mk_udp(uint8_t *b, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
    size_t n)
{
	uint8_t *u = b + 20;

	memset(u, 0, 8 + n);
	tb_put16(u, sp);
	tb_put16(u + 2, dp);
	tb_put16(u + 4, (uint16_t)(8 + n));
	return ip_hdr(b, src, dst, 17, 8 + n);
}

/* A TLS 1.3-shaped ClientHello naming host (RFC 8446 §4.1.2). */
static size_t
mk_hello(uint8_t *b, const char *host)
{
	size_t hl = strlen(host), i = 0, hs, ext;

	b[i++] = 22;
	b[i++] = 3;
	b[i++] = 1;
	i += 2;				/* record length */
	hs = i;
	b[i++] = 1;
	i += 3;				/* handshake length */
	b[i++] = 3;
	b[i++] = 3;
	memset(b + i, 0x5a, 32);	/* random */
	i += 32;
	b[i++] = 32;			/* legacy_session_id */
	memset(b + i, 0x11, 32);
	i += 32;
	tb_put16(b + i, 4);		/* cipher_suites */
	tb_put16(b + i + 2, 0x1301);
	tb_put16(b + i + 4, 0x1302);
	i += 6;
	b[i++] = 1;			/* compression: null */
	b[i++] = 0;
	ext = i;
	i += 2;
	tb_put16(b + i, 0);		/* server_name */
	tb_put16(b + i + 2, (uint16_t)(hl + 5));
	tb_put16(b + i + 4, (uint16_t)(hl + 3));
	b[i + 6] = 0;
	tb_put16(b + i + 7, (uint16_t)hl);
	memcpy(b + i + 9, host, hl);
	i += 9 + hl;
	tb_put16(b + i, 43);		/* supported_versions: TLS 1.3 */
	tb_put16(b + i + 2, 3);
	b[i + 4] = 2;
	tb_put16(b + i + 5, 0x0304);
	i += 7;
	/* Padding (RFC 7685) makes it a realistic size. */
	tb_put16(b + i, 21);
	tb_put16(b + i + 2, 200);
	memset(b + i + 4, 0, 200);
	i += 204;
	tb_put16(b + ext, (uint16_t)(i - ext - 2));
	b[hs + 1] = 0;
	tb_put16(b + hs + 2, (uint16_t)(i - hs - 4));
	tb_put16(b + 3, (uint16_t)(i - 5));
	return i;
}

/* One client connection as the branch side sees it. */
struct conn {
	uint32_t	dst;
	uint16_t	sport, dport;
	uint32_t	isn, cs;	/* client's ISN, next seq */
	uint32_t	ss;		/* what the client ACKs */
};

static struct conn
conn_make(uint32_t dst, uint16_t sport, uint16_t dport)
{
	struct conn c = { dst, sport, dport, 0x10000000u + sport, 0, 0x70000000u };

	c.cs = c.isn + 1;
	return c;
}

static enum policy_flow_res
fx_in(struct fx *x, size_t n, monotime_t now, struct policy_flow_out *o)
{
	return policy_flows_input(x->t, &x->pk, x->pkt, n, now, o);
}

static enum policy_flow_res
c_syn(struct fx *x, struct conn *c, monotime_t now, struct policy_flow_out *o)
{
	return fx_in(x, mk_tcp(x->pkt, CLIENT, c->dst, c->sport, c->dport,
	    c->isn, 0, POLICY_TCP_SYN, NULL, 0), now, o);
}

/* The third packet of the handshake: the client ACKs the server's SYN. */
static enum policy_flow_res
c_ack(struct fx *x, struct conn *c, monotime_t now, struct policy_flow_out *o)
{
	return fx_in(x, mk_tcp(x->pkt, CLIENT, c->dst, c->sport, c->dport,
	    c->cs, c->ss, POLICY_TCP_ACK, NULL, 0), now, o);
}

static enum policy_flow_res
c_open(struct fx *x, struct conn *c, monotime_t now)
{
	struct policy_flow_out o;

	assert_int_equal(c_syn(x, c, now, &o), POLICY_FLOW_FORWARD);
	c->ss++;		/* the server's SYN */
	return c_ack(x, c, now, &o);
}

/* Data at seq (the client's sequence space), not advancing c. */
static enum policy_flow_res
c_seg(struct fx *x, const struct conn *c, uint32_t seq, const void *d,
    size_t n, uint8_t flags, monotime_t now, struct policy_flow_out *o)
{
	return fx_in(x, mk_tcp(x->pkt, CLIENT, c->dst, c->sport, c->dport, seq,
	    c->ss, POLICY_TCP_ACK | flags, d, n), now, o);
}

static enum policy_flow_res
c_send(struct fx *x, struct conn *c, const void *d, size_t n, monotime_t now,
    struct policy_flow_out *o)
{
	enum policy_flow_res r = c_seg(x, c, c->cs, d, n, POLICY_TCP_PSH, now, o);

	c->cs += (uint32_t)n;
	return r;
}

/* An IPv4 + TCP packet built by the table: both checksums, the fields. */
static void
check_tcp(const uint8_t *p, size_t n, uint32_t src, uint32_t dst,
    uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags)
{
	assert_non_null(p);
	assert_true(n >= 40);
	assert_int_equal(p[0], 0x45);
	assert_int_equal(tb_get16(p + 2), n);
	assert_int_equal(tb_get16(p + 6), 0x4000);	/* DF, offset 0 */
	assert_int_equal(p[8], 64);
	assert_int_equal(p[9], 6);
	assert_int_equal(tb_sum(0, p, 20), 0xffff);
	assert_int_equal(tb_sum(tb_pseudo(p, n - 20), p + 20, n - 20), 0xffff);
	assert_int_equal(tb_get32(p + 12), src);
	assert_int_equal(tb_get32(p + 16), dst);
	assert_int_equal(tb_get16(p + 20), sp);
	assert_int_equal(tb_get16(p + 22), dp);
	assert_int_equal(tb_get32(p + 24), seq);
	assert_int_equal(tb_get32(p + 28), ack);
	assert_int_equal(p[32] >> 4, 5);
	assert_int_equal(p[33], flags);
}

static size_t
fx_recs(struct fx *x, struct model_traffic *out, size_t max)
{
	return policy_ring_pop(x->ring, out, max);
}

static void
check_ids(const struct model_traffic *m)
{
	assert_string_equal(m->tenant_id, TENANT_ID);
	assert_string_equal(m->rn_id, RN_ID);
	assert_string_equal(m->link_id, LINK_ID);
	assert_string_equal(m->session_id, SESSION_ID);
	assert_true(guid_valid(m->transaction_id));
	assert_true(guid_valid(m->connection_id));
	assert_int_equal(m->traffic_type, MODEL_TTYPE_INTERNET);
	assert_true(m->created_ms > 0 && m->created_ms <= m->updated_ms);
}

static uint64_t
fx_reason(struct fx *x, enum policy_flow_reason r)
{
	struct policy_flows_stats st;

	policy_flows_stats(x->t, &st);
	return st.reason[r];
}

/* ---- tests ---- */

static void
test_tls_block(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct conn c = conn_make(SERVER, 40001, 443);
	uint8_t hello[512];
	size_t hn = mk_hello(hello, "www.blocked.example");
	struct policy_flow_out o;
	struct model_traffic m[4];
	uint32_t seq0;

	(void)state;
	assert_int_equal(c_open(x, &c, T0), POLICY_FLOW_FORWARD);
	seq0 = c.cs;
	assert_int_equal(c_send(x, &c, hello, hn, T0 + 1, &o),
	    POLICY_FLOW_REPLY);
	assert_int_equal(o.reason, POLICY_R_FQDN);
	/* To the client as from the server: seq = its ACK, RFC 5961 §3.2. */
	check_tcp(o.client, o.client_len, SERVER, CLIENT, 443, 40001, c.ss,
	    seq0 + (uint32_t)hn, POLICY_TCP_RST | POLICY_TCP_ACK);
	assert_int_equal(o.client_len, 40);
	/* To the server: the first octet it has not seen (nothing of the
	 * ClientHello went through). */
	check_tcp(o.server, o.server_len, CLIENT, SERVER, 40001, 443, seq0,
	    c.ss, POLICY_TCP_RST | POLICY_TCP_ACK);
	/* The record, at once. */
	assert_int_equal(fx_recs(x, m, 4), 1);
	check_ids(&m[0]);
	assert_int_equal(m[0].action, MODEL_TACT_BLOCK);
	assert_string_equal(m[0].reason, "fqdn");
	assert_string_equal(m[0].fqdn, "www.blocked.example");
	assert_string_equal(m[0].policy_id, POL_BLOCK);
	assert_string_equal(m[0].rule_id, RULE_FQDN);
	assert_int_equal(m[0].src_ip, CLIENT);
	assert_int_equal(m[0].dst_ip, SERVER);
	assert_int_equal(m[0].src_port, 40001);
	assert_int_equal(m[0].dst_port, 443);
	assert_int_equal(m[0].proto, 6);
	assert_int_equal(m[0].sent_packets, 3);
	assert_int_equal(m[0].sent_bytes, 40 + 40 + 40 + hn);
	/* Nothing more gets through, and no second record. */
	assert_int_equal(c_send(x, &c, "x", 1, T0 + 2, &o), POLICY_FLOW_DROP);
	assert_int_equal(o.reason, POLICY_R_FQDN);
	assert_int_equal(o.client_len, 0);
	policy_flows_tick(x->t, T0 + 100 * SEC, 1000);
	assert_int_equal(fx_recs(x, m, 4), 0);
	assert_int_equal(fx_reason(x, POLICY_R_FQDN), 2);
	fx_free(x);
}

static void
test_tls_allow(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct conn c = conn_make(SERVER, 40002, 443);
	struct conn e = conn_make(SERVER, 40003, 443);
	uint8_t hello[512], junk[300];
	size_t hn = mk_hello(hello, "www.allowed.example");
	struct policy_flow_out o;
	struct policy_flows_stats st;
	struct model_traffic m[4];

	(void)state;
	c_open(x, &c, T0);
	/* Another name on the same server IP goes through. */
	assert_int_equal(c_send(x, &c, hello, hn, T0, &o), POLICY_FLOW_FORWARD);
	assert_int_equal(o.reason, POLICY_R_NONE);
	assert_int_equal(o.client_len + o.server_len, 0);
	/* Classified: later data is not parsed again (it is not TLS). */
	memset(junk, 0x17, sizeof(junk));
	assert_int_equal(c_send(x, &c, junk, sizeof(junk), T0, &o),
	    POLICY_FLOW_FORWARD);
	/* The exception policy (priority 50) wins over the block (100). */
	c_open(x, &e, T0);
	hn = mk_hello(hello, "ok.blocked.example");
	assert_int_equal(c_send(x, &e, hello, hn, T0, &o), POLICY_FLOW_FORWARD);
	policy_flows_stats(x->t, &st);
	assert_int_equal(st.classified, 2);
	assert_int_equal(st.flows, 2);
	assert_int_equal(st.active, 2);
	policy_flows_flush(x->t);
	assert_int_equal(fx_recs(x, m, 4), 2);
	assert_int_equal(m[0].action, MODEL_TACT_ALLOW);
	assert_string_equal(m[0].reason, "");
	assert_string_equal(m[0].policy_id, "");
	assert_string_equal(m[1].fqdn, "ok.blocked.example");
	assert_string_equal(m[1].policy_id, POL_ALLOW);
	assert_string_equal(m[1].rule_id, RULE_EXCEPT);
	assert_string_not_equal(m[0].connection_id, m[1].connection_id);
	policy_flows_stats(x->t, &st);
	assert_int_equal(st.active, 0);
	fx_free(x);
}

/* The ClientHello one octet per segment, with retransmissions. */
static void
test_tls_split(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct conn c = conn_make(SERVER, 40004, 443);
	uint8_t hello[512];
	size_t hn = mk_hello(hello, "deep.www.blocked.example"), i;
	struct policy_flow_out o;
	uint32_t seq0;

	(void)state;
	c_open(x, &c, T0);
	seq0 = c.cs;
	for (i = 0; i + 1 < hn; i++) {
		assert_int_equal(c_send(x, &c, hello + i, 1, T0, &o),
		    POLICY_FLOW_FORWARD);
		if (i % 50 == 7)	/* a retransmission of the last octet */
			assert_int_equal(c_seg(x, &c, c.cs - 1, hello + i, 1,
			    0, T0, &o), POLICY_FLOW_FORWARD);
	}
	/* A retransmission overlapping old and new octets still blocks. */
	assert_int_equal(c_seg(x, &c, c.cs - 2, hello + hn - 3, 3, 0, T0, &o),
	    POLICY_FLOW_REPLY);
	assert_int_equal(o.reason, POLICY_R_FQDN);
	check_tcp(o.client, o.client_len, SERVER, CLIENT, 443, 40004, c.ss,
	    seq0 + (uint32_t)hn, POLICY_TCP_RST | POLICY_TCP_ACK);
	/* The server got every octet but the last. */
	check_tcp(o.server, o.server_len, CLIENT, SERVER, 40004, 443,
	    seq0 + (uint32_t)hn - 1, c.ss, POLICY_TCP_RST | POLICY_TCP_ACK);
	fx_free(x);
}

static void
test_tls_gap(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct conn c = conn_make(SERVER, 40005, 443);
	uint8_t hello[512];
	size_t hn = mk_hello(hello, "casino.example"), h1 = 100;
	struct policy_flow_out o;
	struct policy_verdict v;
	struct model_traffic m[2];

	(void)state;
	c_open(x, &c, T0);
	/* The second part first: past a hole, dropped. */
	assert_int_equal(c_seg(x, &c, c.cs + (uint32_t)h1, hello + h1, hn - h1,
	    0, T0, &o), POLICY_FLOW_DROP);
	assert_int_equal(o.reason, POLICY_R_GAP);
	assert_int_equal(c_seg(x, &c, c.cs, hello, h1, 0, T0, &o),
	    POLICY_FLOW_FORWARD);
	/* Its retransmission now fits: a web category block. */
	assert_int_equal(c_seg(x, &c, c.cs + (uint32_t)h1, hello + h1, hn - h1,
	    0, T0, &o), POLICY_FLOW_REPLY);
	/* The reason follows the verdict's kind (policy_snap.c fills it;
	 * without it a host block counts as an FQDN one). */
	memset(&v, 0, sizeof(v));
	policy_snap_host(x->snap, "casino.example", &v);
	assert_int_equal(v.action, POLICY_BLOCK);
	assert_int_equal(o.reason, v.kind == POLICY_KIND_WEBCAT ?
	    POLICY_R_WEBCAT : POLICY_R_FQDN);
	check_tcp(o.server, o.server_len, CLIENT, SERVER, 40005, 443,
	    c.cs + (uint32_t)h1, c.ss, POLICY_TCP_RST | POLICY_TCP_ACK);
	assert_int_equal(fx_recs(x, m, 2), 1);
	assert_string_equal(m[0].reason, v.kind == POLICY_KIND_WEBCAT ?
	    "webCategory" : "fqdn");
	assert_string_equal(m[0].rule_id, RULE_WEBCAT);
	assert_string_equal(m[0].fqdn, "casino.example");
	assert_int_equal(fx_reason(x, POLICY_R_GAP), 1);
	fx_free(x);
}

/* A flow first seen mid-stream is classified from its first payload. */
static void
test_tls_midstream(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct conn c = conn_make(SERVER, 40006, 443);
	uint8_t hello[512];
	size_t hn = mk_hello(hello, "bad.example");
	struct policy_flow_out o;

	(void)state;
	c.ss = 12345;
	assert_int_equal(c_ack(x, &c, T0, &o), POLICY_FLOW_FORWARD);
	assert_int_equal(c_send(x, &c, hello, 60, T0, &o), POLICY_FLOW_FORWARD);
	assert_int_equal(c_send(x, &c, hello + 60, hn - 60, T0, &o),
	    POLICY_FLOW_REPLY);
	assert_int_equal(o.reason, POLICY_R_FQDN);
	fx_free(x);
}

static void
test_http_block(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct conn c = conn_make(SERVER2, 40010, 80);
	static const char req[] = "GET /index.html HTTP/1.1\r\n"
	    "Host: Bad.Example:80\r\nUser-Agent: curl/7.88\r\nAccept: */*\r\n\r\n";
	struct policy_flow_out o;
	struct model_traffic m[2];
	const uint8_t *body;
	char page[1024], *cl;
	size_t n = strlen(req), plen;
	uint32_t seq0;

	(void)state;
	c_open(x, &c, T0);
	seq0 = c.cs;
	/* The request line alone: not enough yet. */
	assert_int_equal(c_send(x, &c, req, 26, T0, &o), POLICY_FLOW_FORWARD);
	assert_int_equal(c_send(x, &c, req + 26, n - 26, T0, &o),
	    POLICY_FLOW_REPLY);
	assert_int_equal(o.reason, POLICY_R_FQDN);
	assert_true(o.client_len > 40);
	check_tcp(o.client, o.client_len, SERVER2, CLIENT, 80, 40010, c.ss,
	    seq0 + (uint32_t)n,
	    POLICY_TCP_PSH | POLICY_TCP_ACK | POLICY_TCP_FIN);
	plen = o.client_len - 40;
	assert_true(plen < sizeof(page));
	body = o.client;
	memcpy(page, body + 40, plen);
	page[plen] = '\0';
	assert_non_null(strstr(page, "HTTP/1.1 403 Forbidden\r\n") == page ?
	    page : NULL);
	assert_non_null(strstr(page, "\r\nContent-Type: text/plain"));
	assert_non_null(strstr(page, "\r\nConnection: close\r\n"));
	assert_non_null(strstr(page, "Block bad sites"));
	assert_non_null(strstr(page, "bad.example"));
	cl = strstr(page, "Content-Length: ");
	assert_non_null(cl);
	assert_int_equal(strtoul(cl + 16, NULL, 10),
	    plen - (size_t)(strstr(page, "\r\n\r\n") + 4 - page));
	/* The server: the second segment never reached it. */
	check_tcp(o.server, o.server_len, CLIENT, SERVER2, 40010, 80,
	    seq0 + 26, c.ss, POLICY_TCP_RST | POLICY_TCP_ACK);
	assert_int_equal(fx_recs(x, m, 2), 1);
	assert_string_equal(m[0].fqdn, "bad.example");
	assert_string_equal(m[0].reason, "fqdn");
	fx_free(x);
}

static void
test_firewall(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct conn c = conn_make(SERVER, 40020, 8080);
	struct conn d = conn_make(SERVER, 40021, 8081);
	struct policy_flow_out o;
	struct model_traffic m[4];

	(void)state;
	assert_int_equal(c_syn(x, &c, T0, &o), POLICY_FLOW_DROP);
	assert_int_equal(o.reason, POLICY_R_FIREWALL);
	assert_int_equal(o.client_len + o.server_len, 0);	/* silent */
	assert_int_equal(c_syn(x, &c, T0 + SEC, &o), POLICY_FLOW_DROP);
	assert_int_equal(fx_recs(x, m, 4), 1);
	assert_int_equal(m[0].action, MODEL_TACT_BLOCK);
	assert_string_equal(m[0].reason, "firewall");
	assert_string_equal(m[0].policy_id, POL_FW);
	assert_string_equal(m[0].rule_id, RULE_FW);
	assert_int_equal(m[0].dst_port, 8080);
	/* Another port passes; UDP to 8080 too (the rule is TCP only). */
	assert_int_equal(c_syn(x, &d, T0, &o), POLICY_FLOW_FORWARD);
	assert_int_equal(fx_in(x, mk_udp(x->pkt, CLIENT, SERVER, 5000, 8080,
	    20), T0, &o), POLICY_FLOW_FORWARD);
	/* Disable the rule: the resent SYN of the same flow passes. */
	x->rules[3].enabled = false;
	fx_snap(x);
	assert_int_equal(c_syn(x, &c, T0 + 2 * SEC, &o), POLICY_FLOW_FORWARD);
	assert_int_equal(o.reason, POLICY_R_NONE);
	assert_int_equal(fx_reason(x, POLICY_R_FIREWALL), 2);
	fx_free(x);
}

/* A new snapshot re-evaluates a running, named flow. */
static void
test_generation(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct conn c = conn_make(SERVER, 40030, 443);
	uint8_t hello[512];
	size_t hn = mk_hello(hello, "later.example");
	struct policy_flow_out o;
	struct model_traffic m[4];

	(void)state;
	c_open(x, &c, T0);
	assert_int_equal(c_send(x, &c, hello, hn, T0, &o), POLICY_FLOW_FORWARD);
	c.ss += 3000;
	assert_int_equal(c_send(x, &c, "abc", 3, T0, &o), POLICY_FLOW_FORWARD);
	/* Same generation: nothing is evaluated again. */
	x->rules[0].ndest = 3;		/* later.example now listed */
	assert_int_equal(c_send(x, &c, "abc", 3, T0, &o), POLICY_FLOW_FORWARD);
	fx_snap(x);
	assert_int_equal(c_send(x, &c, "def", 3, T0, &o), POLICY_FLOW_REPLY);
	assert_int_equal(o.reason, POLICY_R_FQDN);
	check_tcp(o.client, o.client_len, SERVER, CLIENT, 443, 40030, c.ss,
	    c.cs, POLICY_TCP_RST | POLICY_TCP_ACK);
	check_tcp(o.server, o.server_len, CLIENT, SERVER, 40030, 443,
	    c.cs - 3, c.ss, POLICY_TCP_RST | POLICY_TCP_ACK);
	assert_int_equal(fx_recs(x, m, 4), 1);
	assert_int_equal(m[0].action, MODEL_TACT_BLOCK);
	assert_string_equal(m[0].fqdn, "later.example");
	assert_int_equal(m[0].received_bytes, 3000);
	fx_free(x);
}

/* Byte counts, the FIN linger, idle timeouts, interim records. */
static void
test_expiry_records(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct conn c = conn_make(SERVER2, 40040, 443);
	struct conn l = conn_make(SERVER2, 40041, 22);
	uint8_t hello[512];
	size_t hn = mk_hello(hello, "www.allowed.example"), i, k;
	struct policy_flow_out o;
	struct policy_flows_stats st;
	struct model_traffic m[8];
	uint64_t sent = 0, recv = 0, pkts = 0;

	(void)state;
	c_open(x, &c, T0);
	assert_int_equal(c_send(x, &c, hello, hn, T0, &o), POLICY_FLOW_FORWARD);
	c.ss += 5000;			/* the server's answer, ACKed */
	assert_int_equal(c_send(x, &c, "GET", 3, T0 + SEC, &o),
	    POLICY_FLOW_FORWARD);
	c.ss += 1;			/* the server's FIN */
	assert_int_equal(c_seg(x, &c, c.cs, NULL, 0, POLICY_TCP_FIN, T0 + SEC,
	    &o), POLICY_FLOW_FORWARD);
	/* Ended: gone after the 5 s linger, not before. */
	policy_flows_tick(x->t, T0 + 5 * SEC, 64);
	assert_int_equal(fx_recs(x, m, 8), 0);
	policy_flows_tick(x->t, T0 + 7 * SEC, 64);
	assert_int_equal(fx_recs(x, m, 8), 1);
	check_ids(&m[0]);
	assert_int_equal(m[0].sent_packets, 5);
	assert_int_equal(m[0].sent_bytes, 40 * 5 + hn + 3);
	assert_int_equal(m[0].received_bytes, 5001);
	assert_string_equal(m[0].fqdn, "www.allowed.example");
	assert_int_equal(m[0].updated_ms - m[0].created_ms, 7000);

	/* A long flow (port 22): interim records every 60 s, totals so far. */
	c_open(x, &l, T0);
	for (i = 1; i <= 30; i++) {
		l.ss += 100;
		assert_int_equal(c_send(x, &l, "0123456789", 10, T0 + i * 5 * SEC,
		    &o), POLICY_FLOW_FORWARD);
		policy_flows_tick(x->t, T0 + i * 5 * SEC, 64);
	}
	policy_flows_tick(x->t, T0 + 151 * SEC + 300 * SEC, 64);
	k = fx_recs(x, m, 8);
	assert_int_equal(k, 3);		/* 60 s, 120 s, and the end */
	for (i = 0; i < k; i++) {
		assert_string_equal(m[i].connection_id, m[0].connection_id);
		if (i > 0)
			assert_string_not_equal(m[i].transaction_id,
			    m[i - 1].transaction_id);
		/* Totals so far: never less than the record before. */
		assert_true(m[i].sent_bytes >= sent);
		assert_true(m[i].sent_packets >= pkts);
		sent = m[i].sent_bytes;
		recv = m[i].received_bytes;
		pkts = m[i].sent_packets;
	}
	assert_true(m[0].sent_packets < 32);
	assert_int_equal(pkts, 32);
	assert_int_equal(sent, 40 * 2 + 30 * 50);
	assert_int_equal(recv, 3000);
	policy_flows_stats(x->t, &st);
	assert_int_equal(st.expired, 2);
	assert_int_equal(st.active, 0);

	/* UDP idles out after 60 s, other protocols after 30 s. */
	fx_in(x, mk_udp(x->pkt, CLIENT, SERVER, 5353, 53, 30), T0, &o);
	x->pkt[9] = 47;			/* GRE-numbered, no ports */
	tb_put16(x->pkt + 10, 0);
	tb_put16(x->pkt + 10, (uint16_t)~tb_sum(0, x->pkt, 20));
	assert_int_equal(fx_in(x, 58, T0, &o), POLICY_FLOW_FORWARD);
	policy_flows_tick(x->t, T0 + 31 * SEC, 64);
	assert_int_equal(fx_recs(x, m, 8), 1);
	assert_int_equal(m[0].proto, 47);
	policy_flows_tick(x->t, T0 + 61 * SEC, 64);
	assert_int_equal(fx_recs(x, m, 8), 1);
	assert_int_equal(m[0].proto, 17);
	assert_int_equal(m[0].sent_bytes, 58);
	fx_free(x);
}

/* A full table evicts the flow whose timeout comes first. */
static void
test_table_full(void **state)
{
	struct fx *x = fx_new(4, 4, false, true);
	struct policy_flow_out o;
	struct policy_flows_stats st;
	struct model_traffic m[8];
	struct conn c[5];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		c[i] = conn_make(SERVER, (uint16_t)(41000 + i), 22);
		c_open(x, &c[i], T0 + i * SEC);
	}
	/* Flow 2 has ended (FIN): the eviction candidate. */
	c_seg(x, &c[2], c[2].cs, NULL, 0, POLICY_TCP_FIN, T0 + 10 * SEC, &o);
	c[4] = conn_make(SERVER, 41004, 22);
	assert_int_equal(c_syn(x, &c[4], T0 + 11 * SEC, &o),
	    POLICY_FLOW_FORWARD);
	policy_flows_stats(x->t, &st);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.active, 4);
	assert_int_equal(st.flows, 5);
	assert_int_equal(fx_recs(x, m, 8), 1);
	assert_int_equal(m[0].src_port, 41002);
	/* The others are still known: their packets are not new flows. */
	assert_int_equal(c_ack(x, &c[0], T0 + 12 * SEC, &o),
	    POLICY_FLOW_FORWARD);
	policy_flows_stats(x->t, &st);
	assert_int_equal(st.flows, 5);
	fx_free(x);
}

/* Garbage on 443, no SNI, and the block_unnamed setting. */
static void
test_unnamed(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct fx *y = fx_new(64, 4, true, true);
	struct conn c = conn_make(SERVER, 40050, 443);
	static const char junk[] = "SSH-2.0-OpenSSH_9.2\r\n";
	struct policy_flow_out o;
	struct model_traffic m[2];

	(void)state;
	c_open(x, &c, T0);
	assert_int_equal(c_send(x, &c, junk, sizeof(junk) - 1, T0, &o),
	    POLICY_FLOW_FORWARD);
	c = conn_make(SERVER, 40050, 443);
	c_open(y, &c, T0);
	assert_int_equal(c_send(y, &c, junk, sizeof(junk) - 1, T0, &o),
	    POLICY_FLOW_REPLY);
	assert_int_equal(o.reason, POLICY_R_UNNAMED);
	check_tcp(o.client, o.client_len, SERVER, CLIENT, 443, 40050, c.ss,
	    c.cs, POLICY_TCP_RST | POLICY_TCP_ACK);
	check_tcp(o.server, o.server_len, CLIENT, SERVER, 40050, 443,
	    c.cs - (uint32_t)(sizeof(junk) - 1), c.ss,
	    POLICY_TCP_RST | POLICY_TCP_ACK);
	assert_int_equal(fx_recs(y, m, 2), 1);
	assert_string_equal(m[0].reason, "unnamed");
	assert_string_equal(m[0].policy_id, "");
	fx_free(x);
	fx_free(y);
}

/* No reassembly buffer left: failed open (counted), or reset. */
static void
test_no_buffer(void **state)
{
	struct fx *x = fx_new(64, 0, false, true);
	struct conn c = conn_make(SERVER, 40060, 443);
	uint8_t hello[512];
	size_t hn = mk_hello(hello, "bad.example");
	struct policy_flow_out o;

	(void)state;
	c_open(x, &c, T0);
	/* Whole in one segment: parsed in place, no buffer needed. */
	assert_int_equal(c_send(x, &c, hello, hn, T0, &o), POLICY_FLOW_REPLY);
	c = conn_make(SERVER, 40061, 443);
	c_open(x, &c, T0);
	assert_int_equal(c_send(x, &c, hello, 50, T0, &o), POLICY_FLOW_FORWARD);
	assert_int_equal(c_send(x, &c, hello + 50, hn - 50, T0, &o),
	    POLICY_FLOW_FORWARD);
	assert_int_equal(fx_reason(x, POLICY_R_TABLE_FULL), 1);
	fx_free(x);
}

/* A name that never completes gives its buffer back after 10 s idle. */
static void
test_classify_timeout(void **state)
{
	struct fx *x = fx_new(64, 1, false, true);
	struct conn c = conn_make(SERVER, 40070, 443);
	struct conn d = conn_make(SERVER, 40071, 443);
	uint8_t hello[512];
	size_t hn = mk_hello(hello, "bad.example");
	struct policy_flow_out o;

	(void)state;
	c_open(x, &c, T0);
	assert_int_equal(c_send(x, &c, hello, 10, T0, &o), POLICY_FLOW_FORWARD);
	policy_flows_tick(x->t, T0 + 11 * SEC, 64);
	c_open(x, &d, T0 + 11 * SEC);
	assert_int_equal(c_send(x, &d, hello, 10, T0 + 11 * SEC, &o),
	    POLICY_FLOW_FORWARD);
	assert_int_equal(c_send(x, &d, hello + 10, hn - 10, T0 + 11 * SEC, &o),
	    POLICY_FLOW_REPLY);
	assert_int_equal(fx_reason(x, POLICY_R_TABLE_FULL), 0);
	fx_free(x);
}

static void
test_quic_and_no_policy(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct fx *y = fx_new(64, 4, false, false);
	struct conn c = conn_make(SERVER, 40080, 443);
	uint8_t hello[512];
	size_t hn = mk_hello(hello, "bad.example");
	struct policy_flow_out o;
	struct model_traffic m[2];

	(void)state;
	assert_int_equal(fx_in(x, mk_udp(x->pkt, CLIENT, SERVER, 50000, 443,
	    1200), T0, &o), POLICY_FLOW_DROP);
	assert_int_equal(o.reason, POLICY_R_QUIC);
	assert_int_equal(fx_recs(x, m, 2), 1);
	assert_string_equal(m[0].reason, "quic");
	assert_int_equal(m[0].action, MODEL_TACT_BLOCK);
	/* No policy (snap NULL): everything passes, flows are logged. */
	assert_int_equal(fx_in(y, mk_udp(y->pkt, CLIENT, SERVER, 50000, 443,
	    1200), T0, &o), POLICY_FLOW_FORWARD);
	c_open(y, &c, T0);
	assert_int_equal(c_send(y, &c, hello, hn, T0, &o), POLICY_FLOW_FORWARD);
	assert_int_equal(c_syn(y, &(struct conn){ SERVER, 40081, 8080,
	    1, 2, 0 }, T0, &o), POLICY_FLOW_FORWARD);
	policy_flows_flush(y->t);
	assert_int_equal(fx_recs(y, m, 2), 2);
	assert_int_equal(m[0].action, MODEL_TACT_ALLOW);
	fx_free(x);
	fx_free(y);
}

static void
test_malformed(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct conn c = conn_make(SERVER, 40090, 443);
	struct policy_flow_out o;
	size_t n;

	(void)state;
	n = mk_tcp(x->pkt, CLIENT, SERVER, 40090, 443, 1, 0, POLICY_TCP_SYN,
	    NULL, 0);
	x->pkt[32] = 4 << 4;		/* data offset below 5 */
	assert_int_equal(fx_in(x, n, T0, &o), POLICY_FLOW_DROP);
	assert_int_equal(o.reason, POLICY_R_MALFORMED);
	assert_int_equal(fx_in(x, 30, T0, &o), POLICY_FLOW_DROP);
	/* A TCP fragment at offset 8 (RFC 1858) */
	tb_put16(x->pkt + 6, 1);
	assert_int_equal(fx_in(x, n, T0, &o), POLICY_FLOW_DROP);
	/* Later fragments pass untracked. */
	tb_put16(x->pkt + 6, 100);
	assert_int_equal(fx_in(x, n, T0, &o), POLICY_FLOW_FORWARD);
	/* A first fragment of a ClientHello while classifying: dropped. */
	c_open(x, &c, T0);
	n = mk_tcp(x->pkt, CLIENT, SERVER, 40090, 443, c.cs, c.ss,
	    POLICY_TCP_ACK, "\x16\x03\x01", 3);
	tb_put16(x->pkt + 6, 0x2000);
	assert_int_equal(fx_in(x, n, T0, &o), POLICY_FLOW_DROP);
	assert_int_equal(o.reason, POLICY_R_MALFORMED);
	fx_free(x);
}

/* The builder alone: a segment too big for the buffer, the page text. */
static void
test_pkt_build(void **state)
{
	uint8_t b[128], page[1024];
	struct policy_pkt_tcp p = { .src = 1, .dst = 2, .sport = 3, .dport = 4,
	    .seq = 5, .ack = 6, .flags = POLICY_TCP_RST, .data = b, .len = 100 };
	char name[300];
	size_t n;

	(void)state;
	assert_int_equal(policy_pkt_tcp(b, sizeof(b), &p), 0);
	p.len = 0;
	assert_int_equal(policy_pkt_tcp(b, 39, &p), 0);
	assert_int_equal(policy_pkt_tcp(b, 40, &p), 40);
	check_tcp(b, 40, 1, 2, 3, 4, 5, 6, POLICY_TCP_RST);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	name[3] = '\r';
	name[4] = '\n';
	n = policy_pkt_block_page(page, sizeof(page) - 1, name, "a.example");
	assert_true(n > 0);
	page[n] = '\0';
	assert_non_null(strstr((char *)page, "\"xxx??xxxx"));
	assert_int_equal(policy_pkt_block_page(page, 100, "p", "a.example"), 0);
}

/* The tenant slot is part of the key: one tenant's policy and flows never
 * touch another's, even on the same addresses and ports. */
static void
test_tenants(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct conn a = conn_make(SERVER, 40100, 443);
	struct conn b = conn_make(SERVER, 40100, 443);
	uint8_t hello[512];
	size_t hn = mk_hello(hello, "bad.example");
	struct policy_flows_stats st;
	struct policy_flow_out o;
	struct model_traffic m[4];

	(void)state;
	c_open(x, &a, T0);
	/* Tenant 9 has no policy: the same tuple is its own flow. */
	x->pk.tenant = 9;
	x->pk.snap = NULL;
	c_open(x, &b, T0);
	assert_int_equal(c_send(x, &b, hello, hn, T0, &o), POLICY_FLOW_FORWARD);
	x->pk.tenant = 3;
	x->pk.snap = x->snap;
	assert_int_equal(c_send(x, &a, hello, hn, T0, &o), POLICY_FLOW_REPLY);
	policy_flows_stats(x->t, &st);
	assert_int_equal(st.flows, 2);
	assert_int_equal(fx_recs(x, m, 4), 1);
	assert_int_equal(m[0].action, MODEL_TACT_BLOCK);
	assert_string_equal(m[0].tenant_id, TENANT_ID);
	fx_free(x);
}

/* A link with loggingState disabled: blocked all the same, no record. */
static void
test_no_logging(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct conn c = conn_make(SERVER, 40110, 443);
	uint8_t hello[512];
	size_t hn = mk_hello(hello, "bad.example");
	struct policy_flow_out o;
	struct model_traffic m[4];

	(void)state;
	x->links[1].logging = false;
	fx_snap(x);
	c_open(x, &c, T0);
	assert_int_equal(c_send(x, &c, hello, hn, T0, &o), POLICY_FLOW_REPLY);
	policy_flows_tick(x->t, T0 + 100 * SEC, 64);
	policy_flows_flush(x->t);
	assert_int_equal(fx_recs(x, m, 4), 0);
	fx_free(x);
}

/* ICMP echoes are told apart by their identifier. */
static void
test_icmp(void **state)
{
	struct fx *x = fx_new(64, 4, false, true);
	struct policy_flows_stats st;
	struct policy_flow_out o;
	uint16_t id;

	(void)state;
	for (id = 1; id <= 3; id++) {
		memset(x->pkt + 20, 0, 16);
		x->pkt[20] = 8;			/* echo request */
		tb_put16(x->pkt + 24, id);
		ip_hdr(x->pkt, CLIENT, SERVER, 1, 16);
		assert_int_equal(fx_in(x, 36, T0, &o), POLICY_FLOW_FORWARD);
		assert_int_equal(fx_in(x, 36, T0, &o), POLICY_FLOW_FORWARD);
	}
	policy_flows_stats(x->t, &st);
	assert_int_equal(st.flows, 3);
	/* Too short for an echo header. */
	ip_hdr(x->pkt, CLIENT, SERVER, 1, 5);
	assert_int_equal(fx_in(x, 25, T0, &o), POLICY_FLOW_DROP);
	assert_int_equal(o.reason, POLICY_R_MALFORMED);
	fx_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_block),
		cmocka_unit_test(test_tls_allow),
		cmocka_unit_test(test_tls_split),
		cmocka_unit_test(test_tls_gap),
		cmocka_unit_test(test_tls_midstream),
		cmocka_unit_test(test_http_block),
		cmocka_unit_test(test_firewall),
		cmocka_unit_test(test_generation),
		cmocka_unit_test(test_expiry_records),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_unnamed),
		cmocka_unit_test(test_no_buffer),
		cmocka_unit_test(test_classify_timeout),
		cmocka_unit_test(test_quic_and_no_policy),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_pkt_build),
		cmocka_unit_test(test_tenants),
		cmocka_unit_test(test_no_logging),
		cmocka_unit_test(test_icmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
