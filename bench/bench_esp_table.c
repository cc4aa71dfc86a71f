/*
 * bench_esp_table.c - the cost of one configuration reload in the ESP
 * tables at N links (issue 12 §3, "fix what does not scale"): every link
 * has had a CHILD SA retired (a rekey or a tunnel that went down), so each
 * has running totals (esp_table_walk_totals), which is the steady state
 * after the first hour of rekeys. Then esp_table_links_set() with the same
 * links (what gw.c does on each store change) and esp_table_commit() are
 * timed apart, the median of R rounds for each N.
 *
 * usage: bench_esp_table [N ...]   (default 1000 5000 10000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_sa.h"
#include "esp_table.h"
#include "ike.h"
#include "monotime.h"

#define ROUNDS	7

static int
cmp_mt(const void *a, const void *b)
{
	monotime_t x = *(const monotime_t *)a, y = *(const monotime_t *)b;

	return x < y ? -1 : x > y;
}

static double
median_ms(monotime_t *v)
{
	qsort(v, ROUNDS, sizeof(*v), cmp_mt);
	return (double)v[ROUNDS / 2] / (double)MONOTIME_MSEC;
}

static int
run(size_t n)
{
	struct esp_table *t = esp_table_new();
	struct esp_table_link *l = calloc(n, sizeof(*l));
	struct ike_child_sa cs;
	monotime_t now = monotime_now(), set[ROUNDS], com[ROUNDS], t0;
	int fd = -1;
	size_t i;
	unsigned r;

	if (t == NULL || l == NULL || esp_table_tenant_set(t, 0, 1, &fd, 1) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(l[i].id, sizeof(l[i].id), "link-%08zu-0000-0000-0000", i);
		l[i].peer_bgp = 0x0ac90000u + (uint32_t)i;
		l[i].src_check = true;
	}
	if (esp_table_links_set(t, l, n) == -1)
		return -1;
	memset(&cs, 0, sizeof(cs));
	cs.esp_encr = 20;
	cs.key_bits = 128;
	cs.encr_len = 20;
	cs.zone = 1;
	for (i = 0; i < n; i++) {
		struct esp_table_child c;

		snprintf(cs.link_id, sizeof(cs.link_id), "%.36s", l[i].id);
		cs.spi_in = 0x10000000u + (uint32_t)i;
		cs.spi_out = 0x20000000u + (uint32_t)i;
		memset(&c, 0, sizeof(c));
		c.link_id = l[i].id;
		c.zone = 1;
		c.in = esp_sa_new(&cs, ESP_DIR_IN, NULL, now);
		c.out = esp_sa_new(&cs, ESP_DIR_OUT, NULL, now);
		if (c.in == NULL || c.out == NULL || esp_table_child_add(t, &c) == -1)
			return -1;
	}
	if (esp_table_commit(t) == -1)
		return -1;
	for (i = 0; i < n; i++)
		(void)esp_table_child_del(t, 0x10000000u + (uint32_t)i, now);
	(void)esp_table_tick(t, now + ESP_TABLE_LINGER + MONOTIME_SEC);
	for (r = 0; r < ROUNDS; r++) {
		t0 = monotime_now();
		if (esp_table_links_set(t, l, n) == -1)
			return -1;
		set[r] = monotime_now() - t0;
		t0 = monotime_now();
		if (esp_table_commit(t) == -1)
			return -1;
		com[r] = monotime_now() - t0;
	}
	printf("%6zu links, all with totals: links_set %8.2f ms, commit %8.2f ms per reload\n",
	    n, median_ms(set), median_ms(com));
	esp_table_free(t);
	free(l);
	return 0;
}

int
main(int argc, char **argv)
{
	static const size_t def[] = { 1000, 5000, 10000 };
	int i;

	if (argc == 1) {
		for (i = 0; i < 3; i++)
			if (run(def[i]) == -1)
				return 1;
		return 0;
	}
	for (i = 1; i < argc; i++)
		if (run(strtoul(argv[i], NULL, 10)) == -1)
			return 1;
	return 0;
}
