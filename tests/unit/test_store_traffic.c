/*
 * test_store_traffic.c - the traffic log store (store_traffic.h) on SQLite
 * and on a throwaway PostgreSQL (tests/include/pg_server.sh): batch add
 * and the one-row-per-flow update, a filter on every field against a
 * brute-force filter of the same records, every order in both directions
 * paged to the end without a duplicate or a gap, retention by age and by
 * count, summaries, tenant isolation and the derived file name.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_pg.h"

#include "store_traffic.h"

#define NREC		60
#define BASE_MS		1800000000000LL
#define TENANT_A	"aaaaaaaa-0000-4000-8000-000000000001"
#define TENANT_B	"bbbbbbbb-0000-4000-8000-000000000002"

static char test_url[1024];
static struct model_traffic recs[NREC];

/* A fresh handle on an empty log (PostgreSQL: one database for all). */
static struct store_traffic *
test_open(void)
{
	struct store_traffic *t = NULL;
	char err[256];

	if (store_traffic_open(test_url, NULL, &t, err, sizeof(err)) != 0)
		fail_msg("store_traffic_open %s: %s", test_url, err);
	assert_int_equal(store_traffic_prune(t, INT64_MAX, 0, NULL), 0);
	return t;
}

static void
test_rec(struct model_traffic *r, int i, const char *tenant)
{
	uint32_t x = (uint32_t)i * 2654435761u;

	memset(r, 0, sizeof(*r));
	snprintf(r->transaction_id, sizeof(r->transaction_id),
	    "%08x-0000-4000-8000-%012x", x, i);
	snprintf(r->tenant_id, sizeof(r->tenant_id), "%s", tenant);
	r->created_ms = BASE_MS + (i % 13) * 1000;	/* ties on purpose */
	r->updated_ms = r->created_ms + i;
	snprintf(r->rn_id, sizeof(r->rn_id), "r%d", i % 3);
	snprintf(r->link_id, sizeof(r->link_id), "l%d", i % 2);
	snprintf(r->connection_id, sizeof(r->connection_id), "c%08x", x ^ 5);
	snprintf(r->session_id, sizeof(r->session_id), "s%02d", i % 4);
	r->traffic_type = i % 3 == 0 ? MODEL_TTYPE_M365 : MODEL_TTYPE_INTERNET;
	r->src_ip = 0x0a010001 + (uint32_t)(i % 7);
	r->dst_ip = 0xcb007101 + (uint32_t)(i % 11);
	r->src_port = (uint16_t)(40000 + i % 17);
	r->dst_port = i % 2 ? 443 : 80;
	r->proto = i % 5 == 0 ? 17 : 6;
	if (i % 4 != 0)
		snprintf(r->fqdn, sizeof(r->fqdn), "h%02d.example.com", i % 9);
	r->action = i % 3 == 1 ? MODEL_TACT_BLOCK : MODEL_TACT_ALLOW;
	if (r->action == MODEL_TACT_BLOCK) {
		snprintf(r->policy_id, sizeof(r->policy_id), "p%d", i % 2);
		snprintf(r->rule_id, sizeof(r->rule_id), "q%d", i % 4);
		snprintf(r->reason, sizeof(r->reason), "fqdn");
	}
	r->sent_bytes = (uint64_t)(i * 100 + i % 3);
	r->received_bytes = (uint64_t)((NREC - i) * 10 + i % 2);
	r->sent_packets = (uint64_t)i;
}

static void
test_fill(struct store_traffic *t)
{
	int i;

	for (i = 0; i < NREC; i++)
		test_rec(&recs[i], i, TENANT_A);
	assert_int_equal(store_traffic_add(t, recs, NREC), 0);
}

/* A record's value of a field: text, or a number (enums by value). */
static const char *
test_val(const struct model_traffic *r, enum store_traffic_field f,
    int64_t *num)
{
	*num = 0;
	switch (f) {
	case STF_TRANSACTION_ID: return r->transaction_id;
	case STF_CONNECTION_ID: return r->connection_id;
	case STF_SESSION_ID: return r->session_id;
	case STF_FQDN: return r->fqdn;
	case STF_POLICY_ID: return r->policy_id;
	case STF_RULE_ID: return r->rule_id;
	case STF_REASON: return r->reason;
	case STF_RN_ID: return r->rn_id;
	case STF_LINK_ID: return r->link_id;
	case STF_CREATED: *num = r->created_ms; break;
	case STF_UPDATED: *num = r->updated_ms; break;
	case STF_TRAFFIC_TYPE: *num = r->traffic_type; break;
	case STF_ACTION: *num = r->action; break;
	case STF_SRC_IP: *num = r->src_ip; break;
	case STF_DST_IP: *num = r->dst_ip; break;
	case STF_SRC_PORT: *num = r->src_port; break;
	case STF_DST_PORT: *num = r->dst_port; break;
	case STF_PROTO: *num = r->proto; break;
	case STF_SENT: *num = (int64_t)r->sent_bytes; break;
	case STF_RECEIVED: *num = (int64_t)r->received_bytes; break;
	default: fail();
	}
	return NULL;
}

static bool
test_match(const struct model_traffic *r, const struct store_traffic_filter *f)
{
	const char *s;
	int64_t n;
	int i;

	for (i = 0; i < STF_NFIELDS; i++) {
		if ((f->set & (1u << i)) == 0)
			continue;
		s = test_val(r, (enum store_traffic_field)i, &n);
		if (s != NULL ? strcmp(s, f->text[i]) != 0 : n != f->num[i])
			return false;
	}
	if (f->since_set && r->created_ms < f->since_ms)
		return false;
	return !(f->until_set && r->created_ms > f->until_ms);
}

static void
test_assert_same(const struct model_traffic *a, const struct model_traffic *b)
{
	assert_string_equal(a->transaction_id, b->transaction_id);
	assert_string_equal(a->tenant_id, b->tenant_id);
	assert_true(a->created_ms == b->created_ms);
	assert_true(a->updated_ms == b->updated_ms);
	assert_string_equal(a->rn_id, b->rn_id);
	assert_string_equal(a->link_id, b->link_id);
	assert_string_equal(a->connection_id, b->connection_id);
	assert_string_equal(a->session_id, b->session_id);
	assert_int_equal(a->traffic_type, b->traffic_type);
	assert_int_equal(a->src_ip, b->src_ip);
	assert_int_equal(a->dst_ip, b->dst_ip);
	assert_int_equal(a->src_port, b->src_port);
	assert_int_equal(a->dst_port, b->dst_port);
	assert_int_equal(a->proto, b->proto);
	assert_string_equal(a->fqdn, b->fqdn);
	assert_int_equal(a->action, b->action);
	assert_string_equal(a->policy_id, b->policy_id);
	assert_string_equal(a->rule_id, b->rule_id);
	assert_string_equal(a->reason, b->reason);
	assert_true(a->sent_bytes == b->sent_bytes);
	assert_true(a->received_bytes == b->received_bytes);
	assert_true(a->sent_packets == b->sent_packets);
}

static const struct model_traffic *
test_find(const char *txid)
{
	int i;

	for (i = 0; i < NREC; i++)
		if (strcmp(recs[i].transaction_id, txid) == 0)
			return &recs[i];
	return NULL;
}

/* --- tests ----------------------------------------------------------------- */

static void
test_add_get_update(void **state)
{
	struct store_traffic *t = test_open();
	struct model_traffic got, upd, bad[2];
	size_t n;
	int i;

	(void)state;
	test_fill(t);
	assert_int_equal(store_traffic_count(t, &n), 0);
	assert_int_equal(n, NREC);
	for (i = 0; i < NREC; i++) {
		assert_int_equal(store_traffic_get(t, TENANT_A,
		    recs[i].transaction_id, &got), 0);
		test_assert_same(&got, &recs[i]);
	}
	assert_int_equal(store_traffic_get(t, TENANT_A, "nope", &got), 1);

	/* A bad record fails its whole batch: nothing of it is written. */
	test_rec(&bad[0], 1000, TENANT_A);
	test_rec(&bad[1], 1001, TENANT_A);
	bad[1].connection_id[0] = '\0';
	assert_int_equal(store_traffic_add(t, bad, 2), -1);
	bad[1] = bad[0];
	bad[1].action = 7;
	assert_int_equal(store_traffic_add(t, bad, 2), -1);
	/* The same transactionId for another flow: refused, rolled back. */
	test_rec(&bad[1], 1001, TENANT_A);
	memcpy(bad[1].transaction_id, recs[3].transaction_id,
	    sizeof(bad[1].transaction_id));
	assert_int_equal(store_traffic_add(t, bad, 2), -1);
	assert_int_equal(store_traffic_count(t, &n), 0);
	assert_int_equal(n, NREC);
	assert_int_equal(store_traffic_get(t, TENANT_A, bad[0].transaction_id,
	    &got), 1);

	/*
	 * A periodic record of flow 5: its own transactionId, the flow's
	 * connectionId. One row, the totals so far, the first id and start.
	 */
	upd = recs[5];
	snprintf(upd.transaction_id, sizeof(upd.transaction_id), "later-5");
	upd.created_ms += 60000;
	upd.updated_ms += 60000;
	upd.sent_bytes = 1u << 30;
	upd.received_bytes = 77;
	upd.action = MODEL_TACT_BLOCK;
	snprintf(upd.policy_id, sizeof(upd.policy_id), "pz");
	snprintf(upd.fqdn, sizeof(upd.fqdn), "late.example.com");
	assert_int_equal(store_traffic_add(t, &upd, 1), 0);
	assert_int_equal(store_traffic_count(t, &n), 0);
	assert_int_equal(n, NREC);
	assert_int_equal(store_traffic_get(t, TENANT_A, "later-5", &got), 1);
	assert_int_equal(store_traffic_get(t, TENANT_A, recs[5].transaction_id,
	    &got), 0);
	assert_true(got.created_ms == recs[5].created_ms);
	assert_true(got.updated_ms == upd.updated_ms);
	assert_true(got.sent_bytes == 1u << 30);
	assert_true(got.received_bytes == 77);
	assert_int_equal(got.action, MODEL_TACT_BLOCK);
	assert_string_equal(got.policy_id, "pz");
	assert_string_equal(got.fqdn, "late.example.com");
	/* An FQDN once seen stays when a later record has none. */
	upd.updated_ms += 1;
	upd.fqdn[0] = '\0';
	assert_int_equal(store_traffic_add(t, &upd, 1), 0);
	assert_int_equal(store_traffic_get(t, TENANT_A, recs[5].transaction_id,
	    &got), 0);
	assert_string_equal(got.fqdn, "late.example.com");
	/* An older record (out of order) changes nothing. */
	upd = recs[5];
	upd.sent_bytes = 1;
	assert_int_equal(store_traffic_add(t, &upd, 1), 0);
	assert_int_equal(store_traffic_get(t, TENANT_A, recs[5].transaction_id,
	    &got), 0);
	assert_true(got.sent_bytes == 1u << 30);
	store_traffic_close(t);
}

static size_t
test_list_all(struct store_traffic *t, const char *tenant,
    struct store_traffic_filter *f, struct model_traffic **all)
{
	struct model_traffic *page, *last;
	size_t n, total = 0, got = 0;
	char after_text[MODEL_FQDN_MAX + 1];
	char after_id[MODEL_ID_LEN + 1];
	const char *s;
	bool more;
	int64_t num;

	*all = calloc(NREC + 1, sizeof(**all));
	assert_non_null(*all);
	f->total = &total;
	f->after_id = NULL;
	do {
		assert_int_equal(store_traffic_list(t, tenant, f, &page, &n,
		    &more), 0);
		assert_true(got + n <= NREC);
		if (n > 0)
			memcpy(*all + got, page, n * sizeof(*page));
		got += n;
		if (more) {
			assert_int_equal(n, f->top);
			last = &page[n - 1];
			s = test_val(last, f->order, &num);
			snprintf(after_id, sizeof(after_id), "%s",
			    last->transaction_id);
			f->after_id = after_id;
			if (s != NULL) {
				snprintf(after_text, sizeof(after_text), "%s", s);
				f->after_text = after_text;
			} else
				f->after_num = num;
		}
		free(page);
	} while (more);
	assert_int_equal(total, got);
	f->total = NULL;
	return got;
}

static void
test_filters(void **state)
{
	struct store_traffic *t = test_open();
	struct store_traffic_filter f;
	struct model_traffic *all;
	size_t n, want, i, j, k;
	const char *s;
	int64_t num;
	int field;

	(void)state;
	test_fill(t);
	for (field = 0; field < STF_NFIELDS; field++) {
		/* A value of a few records, and one of none. */
		for (k = 0; k < 4; k++) {
			memset(&f, 0, sizeof(f));
			f.top = 9;
			f.desc = true;
			f.set = 1u << field;
			s = test_val(&recs[k * 7 + 1], (enum store_traffic_field)
			    field, &num);
			f.text[field] = k == 3 ? (s != NULL ? "none" : NULL) : s;
			f.num[field] = k == 3 ? -5 : num;
			if (k == 3 && field == STF_TRAFFIC_TYPE)
				f.set = 0, f.until_set = true,
				    f.until_ms = BASE_MS - 1;
			if (k == 3 && field == STF_ACTION)
				f.num[field] = MODEL_TACT_BLOCK,
				    f.set |= 1u << STF_FQDN,
				    f.text[STF_FQDN] = "none";
			n = test_list_all(t, TENANT_A, &f, &all);
			for (want = 0, i = 0; i < NREC; i++)
				want += test_match(&recs[i], &f);
			assert_int_equal(n, want);
			if (k < 3)
				assert_true(n > 0);
			else
				assert_int_equal(n, 0);
			for (j = 0; j < n; j++)
				assert_true(test_match(&all[j], &f));
			free(all);
		}
	}
	/* Conditions AND together, with the createdDateTime bounds. */
	memset(&f, 0, sizeof(f));
	f.top = 5;
	f.set = 1u << STF_ACTION | 1u << STF_DST_PORT;
	f.num[STF_ACTION] = MODEL_TACT_BLOCK;
	f.num[STF_DST_PORT] = 443;
	f.since_set = f.until_set = true;
	f.since_ms = BASE_MS + 2000;
	f.until_ms = BASE_MS + 9000;
	n = test_list_all(t, TENANT_A, &f, &all);
	for (want = 0, i = 0; i < NREC; i++)
		want += test_match(&recs[i], &f);
	assert_true(want > 0 && want < NREC / 3);
	assert_int_equal(n, want);
	free(all);
	store_traffic_close(t);
}

/* a before b in the order (then transactionId), as the store sorts. */
static int
test_cmp(const struct model_traffic *a, const struct model_traffic *b,
    enum store_traffic_field f)
{
	const char *sa, *sb;
	int64_t na, nb;
	int c;

	sa = test_val(a, f, &na);
	sb = test_val(b, f, &nb);
	if (sa != NULL)
		c = strcmp(sa, sb);
	else
		c = na < nb ? -1 : na > nb;
	return c != 0 ? c : strcmp(a->transaction_id, b->transaction_id);
}

static void
test_order_paging(void **state)
{
	struct store_traffic *t = test_open();
	struct store_traffic_filter f;
	struct model_traffic *all;
	size_t n, i, j;
	int field, desc;

	(void)state;
	test_fill(t);
	for (field = 0; field < STF_NFIELDS; field++)
		for (desc = 0; desc < 2; desc++) {
			memset(&f, 0, sizeof(f));
			f.order = (enum store_traffic_field)field;
			f.desc = desc;
			f.top = 7;
			n = test_list_all(t, TENANT_A, &f, &all);
			/* Every record once: no gap, no duplicate. */
			assert_int_equal(n, NREC);
			for (i = 0; i < n; i++) {
				assert_non_null(test_find(all[i].transaction_id));
				for (j = 0; j < i; j++)
					assert_string_not_equal(
					    all[i].transaction_id,
					    all[j].transaction_id);
				if (i > 0)
					assert_true(desc ? test_cmp(&all[i - 1],
					    &all[i], f.order) > 0 :
					    test_cmp(&all[i - 1], &all[i],
					    f.order) < 0);
			}
			free(all);
		}
	/* One row per page, to the end. */
	memset(&f, 0, sizeof(f));
	f.order = STF_CREATED;
	f.top = 1;
	assert_int_equal(test_list_all(t, TENANT_A, &f, &all), NREC);
	free(all);
	store_traffic_close(t);
}

static void
test_prune(void **state)
{
	struct store_traffic *t = test_open();
	struct model_traffic got;
	size_t n, del;
	int i;

	(void)state;
	test_fill(t);
	/* By age: last updated before the cut. */
	assert_int_equal(store_traffic_prune(t, BASE_MS + 6000, 0, &del), 0);
	for (n = 0, i = 0; i < NREC; i++)
		n += recs[i].updated_ms < BASE_MS + 6000;
	assert_int_equal(del, n);
	for (i = 0; i < NREC; i++)
		assert_int_equal(store_traffic_get(t, TENANT_A,
		    recs[i].transaction_id, &got),
		    recs[i].updated_ms < BASE_MS + 6000 ? 1 : 0);
	/* By count: the least recently updated go. */
	assert_int_equal(store_traffic_count(t, &n), 0);
	assert_int_equal(store_traffic_prune(t, 0, 10, &del), 0);
	assert_int_equal(del, n - 10);
	assert_int_equal(store_traffic_count(t, &n), 0);
	assert_int_equal(n, 10);
	/* The 10 kept are the 10 most recently updated. */
	for (i = 0; i < NREC; i++) {
		size_t newer = 0;
		int j;

		for (j = 0; j < NREC; j++)
			newer += recs[j].updated_ms > recs[i].updated_ms;
		if (newer >= 10)
			assert_int_equal(store_traffic_get(t, TENANT_A,
			    recs[i].transaction_id, &got), 1);
		else if (newer < 9)
			assert_int_equal(store_traffic_get(t, TENANT_A,
			    recs[i].transaction_id, &got), 0);
	}
	assert_int_equal(store_traffic_prune(t, 0, 10, &del), 0);
	assert_int_equal(del, 0);
	store_traffic_close(t);
}

static void
test_summary(void **state)
{
	struct store_traffic *t = test_open();
	struct store_traffic_sum *s;
	uint64_t cnt, blk, sent, fq;
	size_t n, i, j;
	int k;

	(void)state;
	test_fill(t);
	assert_int_equal(store_traffic_summary(t, TENANT_A, STG_ACTION,
	    BASE_MS, BASE_MS + 100000, 10, &s, &n), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		k = strcmp(s[i].key, "block") == 0 ? MODEL_TACT_BLOCK :
		    MODEL_TACT_ALLOW;
		for (cnt = sent = 0, j = 0; j < NREC; j++)
			if (recs[j].action == k) {
				cnt++;
				sent += recs[j].sent_bytes;
			}
		assert_true(s[i].count == cnt);
		assert_true(s[i].sent_bytes == sent);
		assert_true(s[i].blocked == (k == MODEL_TACT_BLOCK ? cnt : 0));
	}
	assert_true(s[0].count >= s[1].count);
	free(s);
	/* By policy: "" (allows) and p0, p1. */
	assert_int_equal(store_traffic_summary(t, TENANT_A, STG_POLICY,
	    BASE_MS, BASE_MS + 100000, 10, &s, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(s[0].key, "");
	for (i = 0; i < n; i++) {
		for (cnt = blk = 0, j = 0; j < NREC; j++)
			if (strcmp(recs[j].policy_id, s[i].key) == 0) {
				cnt++;
				blk += recs[j].action == MODEL_TACT_BLOCK;
			}
		assert_true(s[i].count == cnt && s[i].blocked == blk);
	}
	free(s);
	/* Destinations, top 3, in a window that leaves some out. */
	assert_int_equal(store_traffic_summary(t, TENANT_A, STG_DESTINATION,
	    BASE_MS + 3000, BASE_MS + 8000, 3, &s, &n), 0);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		for (cnt = 0, j = 0; j < NREC; j++)
			if (recs[j].created_ms >= BASE_MS + 3000 &&
			    recs[j].created_ms <= BASE_MS + 8000 &&
			    strcmp(recs[j].fqdn, s[i].key) == 0 &&
			    (s[i].key[0] != '\0' || recs[j].dst_ip ==
			    s[i].dst_ip))
				cnt++;
		assert_true(s[i].count == cnt);
		if (i > 0)
			assert_true(s[i - 1].count >= s[i].count);
		/* No group left out has more. */
		for (fq = 0, j = 0; j < NREC; j++)
			if (recs[j].created_ms >= BASE_MS + 3000 &&
			    recs[j].created_ms <= BASE_MS + 8000 &&
			    strcmp(recs[j].fqdn, "h01.example.com") == 0)
				fq++;
		assert_true(s[n - 1].count >= (fq > 0 ? 1 : 0));
	}
	free(s);
	assert_int_equal(store_traffic_summary(t, TENANT_A, STG_TRAFFIC_TYPE,
	    BASE_MS, BASE_MS + 100000, 10, &s, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(s[0].key, "internet");
	assert_true(s[0].count == NREC - NREC / 3 && s[1].count == NREC / 3);
	free(s);
	/* Another tenant's summary is empty. */
	assert_int_equal(store_traffic_summary(t, TENANT_B, STG_ACTION,
	    BASE_MS, BASE_MS + 100000, 10, &s, &n), 0);
	assert_int_equal(n, 0);
	free(s);
	store_traffic_close(t);
}

static void
test_isolation(void **state)
{
	struct store_traffic *t = test_open();
	struct store_traffic_filter f;
	struct model_traffic b, got, *all;
	size_t n;

	(void)state;
	test_fill(t);
	/* The same connectionId in another tenant is another flow. */
	b = recs[0];
	snprintf(b.tenant_id, sizeof(b.tenant_id), TENANT_B);
	snprintf(b.transaction_id, sizeof(b.transaction_id), "b-0");
	assert_int_equal(store_traffic_add(t, &b, 1), 0);
	assert_int_equal(store_traffic_get(t, TENANT_B, recs[0].transaction_id,
	    &got), 1);
	assert_int_equal(store_traffic_get(t, TENANT_A, "b-0", &got), 1);
	memset(&f, 0, sizeof(f));
	f.top = 50;
	assert_int_equal(test_list_all(t, TENANT_B, &f, &all), 1);
	assert_string_equal(all[0].transaction_id, "b-0");
	free(all);
	assert_int_equal(test_list_all(t, TENANT_A, &f, &all), NREC);
	free(all);
	assert_int_equal(store_traffic_count(t, &n), 0);
	assert_int_equal(n, NREC + 1);
	store_traffic_close(t);
}

static void
test_urls(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(store_traffic_url("sqlite:/v/bg.db", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "sqlite:/v/bg.db-traffic");
	assert_int_equal(store_traffic_url("/v/bg.db", out, sizeof(out)), 0);
	assert_string_equal(out, "sqlite:/v/bg.db-traffic");
	assert_int_equal(store_traffic_url(":memory:", out, sizeof(out)), 0);
	assert_string_equal(out, "sqlite::memory:");
	assert_int_equal(store_traffic_url("postgresql:///x?host=/tmp", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "postgresql:///x?host=/tmp");
	assert_int_equal(store_traffic_url("", out, sizeof(out)), -1);
	assert_int_equal(store_traffic_url("sqlite:/a/very/long/path/that/"
	    "does/not/fit/in/sixty/four/bytes.db", out, sizeof(out)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_add_get_update),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_order_paging),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_isolation),
	};

	return test_pg_both("store_traffic", tests, sizeof(tests) / sizeof(tests[0]),
	    test_url, sizeof(test_url));
}
