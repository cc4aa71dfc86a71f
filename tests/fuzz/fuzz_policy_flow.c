/*
 * fuzz_policy_flow.c - libFuzzer target for the flow table and classifier
 * (policy_flow.c, policy_pkt.c and the SNI/Host parsers and reassembly
 * behind it). The input is a sequence of records
 *
 *   u8 ctl, u16 len (big-endian), len octets of one IPv4 packet
 *
 * fed to one small table (16 flows, 2 reassembly buffers, an 8-record
 * ring) so that eviction, buffer exhaustion and ring overflow all happen.
 * ctl: bits 0-5 advance the clock by that many seconds, bit 6 runs a tick,
 * bit 7 switches between two fixed snapshots (a generation change).
 * Whatever the input: no crash or out-of-bounds access; every packet the
 * table builds is a well-formed IPv4/TCP packet with good checksums, a
 * REPLY always carries one for the branch, FORWARD and DROP carry none;
 * the active count stays within the table and is 0 after a flush.
 *
 * Seeds (corpus/fuzz_policy_flow/): handshakes with ClientHellos whole and
 * split, HTTP requests, QUIC, firewall-blocked ports, fragments.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "model_policy.h"
#include "policy_flow.h"
#include "policy_ring.h"
#include "policy_snap.h"
#include "test_bytes.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct policy_snap *fz_snap[2];
static struct model_traffic fz_rec[8];

static void
fz_check_tcp(const uint8_t *p, size_t n)
{
	if (p == NULL || n < 40 || p[0] != 0x45 || tb_get16(p + 2) != n ||
	    p[9] != 6 || tb_sum(0, p, 20) != 0xffff ||
	    tb_sum(tb_pseudo(p, n - 20), p + 20, n - 20) != 0xffff)
		abort();
}

static struct policy_snap *
fz_build(bool block_fw)
{
	static struct model_fdest d[3], cat[1];
	struct model_frule *r = calloc(3, sizeof(*r));
	struct model_fpolicy *pol = calloc(2, sizeof(*pol));
	struct model_flink *l = calloc(2, sizeof(*l));
	struct model_fprofile *prof = calloc(1, sizeof(*prof));
	struct model_fset *set = calloc(1, sizeof(*set));
	struct policy_snap *s;
	char err[256];

	if (r == NULL || pol == NULL || l == NULL || prof == NULL ||
	    set == NULL)
		abort();
	snprintf(d[0].value, sizeof(d[0].value), "*.blocked.example");
	snprintf(d[1].value, sizeof(d[1].value), "bad.example");
	snprintf(d[2].value, sizeof(d[2].value), "a");
	snprintf(cat[0].value, sizeof(cat[0].value), "Gambling");
	snprintf(pol[0].id, sizeof(pol[0].id),
	    "11111111-1111-4111-8111-111111111111");
	snprintf(pol[0].name, sizeof(pol[0].name), "Block");
	pol[0].kind = MODEL_FPOL_FILTERING;
	pol[0].action = MODEL_FACT_BLOCK;
	pol[0].rules = &r[0];
	pol[0].nrules = 1;
	snprintf(r[0].id, sizeof(r[0].id),
	    "aaaaaaaa-0000-4000-8000-000000000001");
	snprintf(r[0].policy_id, sizeof(r[0].policy_id), "%s", pol[0].id);
	r[0].type = MODEL_FRULE_FQDN;
	r[0].dest = d;
	r[0].ndest = 3;
	snprintf(pol[1].id, sizeof(pol[1].id),
	    "33333333-3333-4333-8333-333333333333");
	snprintf(pol[1].name, sizeof(pol[1].name), "Firewall");
	pol[1].kind = MODEL_FPOL_FIREWALL;
	pol[1].action = MODEL_FACT_ALLOW;
	pol[1].rules = &r[1];
	pol[1].nrules = 1;
	snprintf(r[1].id, sizeof(r[1].id),
	    "aaaaaaaa-0000-4000-8000-000000000004");
	snprintf(r[1].policy_id, sizeof(r[1].policy_id), "%s", pol[1].id);
	r[1].type = MODEL_FRULE_FIREWALL;
	r[1].priority = 100;
	r[1].action = MODEL_FACT_BLOCK;
	r[1].enabled = block_fw;
	r[1].dport[0].lo = r[1].dport[0].hi = 8080;
	r[1].ndport = 1;
	snprintf(prof->id, sizeof(prof->id),
	    "99999999-9999-4999-8999-999999999999");
	prof->baseline = prof->enabled = true;
	prof->priority = MODEL_BASELINE_PRIORITY;
	snprintf(l[0].policy_id, sizeof(l[0].policy_id), "%s", pol[0].id);
	snprintf(l[1].policy_id, sizeof(l[1].policy_id), "%s", pol[1].id);
	l[0].priority = 100;
	l[1].priority = 200;
	l[0].enabled = l[1].enabled = l[0].logging = l[1].logging = true;
	l[0].action = l[1].action = -1;
	prof->links = l;
	prof->nlinks = 2;
	set->profiles = prof;
	set->nprofiles = 1;
	set->policies = pol;
	set->npolicies = 2;
	if ((s = policy_snap_build(set, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "policy_snap_build: %s\n", err);
		abort();
	}
	/* The snapshot holds copies (policy_snap.h): the set can go. */
	free(r);
	free(pol);
	free(l);
	free(prof);
	free(set);
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_flows_cfg cfg = { .max_flows = 16, .max_classifying = 2,
	    .worker = 1 };
	struct policy_pkt pk = { .tenant = 1, .tenant_id = "t", .rn_id = "r",
	    .link_id = "l", .session_id = "s" };
	struct policy_flows_stats st;
	struct policy_flow_out out;
	struct policy_flows *t;
	struct policy_ring *ring;
	enum policy_flow_res res;
	monotime_t now = 1000 * MONOTIME_SEC;
	const uint8_t *p;
	struct buf b;
	uint16_t len;
	uint8_t ctl;
	int which = 0;

	if (fz_snap[0] == NULL) {
		fz_snap[0] = fz_build(true);
		fz_snap[1] = fz_build(false);
	}
	if ((ring = policy_ring_new(8)) == NULL)
		abort();
	cfg.ring = ring;
	cfg.block_unnamed = size > 0 && (data[0] & 1);
	if ((t = policy_flows_new(&cfg)) == NULL)
		abort();
	pk.snap = fz_snap[0];
	pk.snap_gen = 1;
	buf_init(&b, data, size);
	while (buf_get_u8(&b, &ctl) == 0 && buf_get_u16(&b, &len) == 0) {
		if (len > buf_left(&b))
			len = (uint16_t)buf_left(&b);
		(void)buf_peek_ptr(&b, len, &p);
		now += (ctl & 0x3f) * MONOTIME_SEC;
		if (ctl & 0x80) {
			which ^= 1;
			pk.snap = fz_snap[which];
			pk.snap_gen++;
		}
		res = policy_flows_input(t, &pk, p, len, now, &out);
		switch (res) {
		case POLICY_FLOW_REPLY:
			fz_check_tcp(out.client, out.client_len);
			if (out.server_len > 0)
				fz_check_tcp(out.server, out.server_len);
			if (out.reason == POLICY_R_NONE)
				abort();
			break;
		case POLICY_FLOW_DROP:
			if (out.reason == POLICY_R_NONE)
				abort();
			/* FALLTHROUGH */
		case POLICY_FLOW_FORWARD:
			if (out.client_len != 0 || out.server_len != 0)
				abort();
			break;
		default:
			abort();
		}
		if (ctl & 0x40)
			policy_flows_tick(t, now, 16);
		if ((ctl & 0x07) == 0x07)
			(void)policy_ring_pop(ring, fz_rec, 8);
		policy_flows_stats(t, &st);
		if (st.active > 16)
			abort();
	}
	policy_flows_flush(t);
	policy_flows_stats(t, &st);
	if (st.active != 0)
		abort();
	policy_flows_free(t);
	policy_ring_free(ring);
	return 0;
}
