/*
 * bench_node_status.c - what a gateway node's status writes cost the
 * store (docs/nodes.md "Status from the nodes"): N zone rows written in
 * one store_zstatus_write, as a node's first write after its start (clear
 * + N inserts) and as a beat in which every row changed (N upserts: every
 * link passing traffic), then one API read of a link's rows. On SQLite in
 * a temporary file, and on PostgreSQL when BG_BENCH_PG names a database
 * (a throwaway one: the bench leaves its rows for node "bench" deleted).
 *
 * usage: bench_node_status [rows, default 10000]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guid.h"
#include "monotime.h"
#include "store.h"

static double
bns_ms(monotime_t t0)
{
	return (double)(monotime_now() - t0) / (double)MONOTIME_MSEC;
}

static int
bns_run(const char *url, size_t n)
{
	struct store_zstatus *z, *rows = NULL;
	struct store *s = NULL;
	char err[256];
	monotime_t t0;
	double first, beat, read;
	size_t i, nrows = 0;
	int rc = -1;

	if ((z = calloc(n, sizeof(*z))) == NULL)
		return -1;
	if (store_open(url, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_node_status: %s: %s\n", url, err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (guid_new(z[i].link_id) == -1)
			goto out;
		snprintf(z[i].tenant_id, sizeof(z[i].tenant_id),
		    "00000000-0000-4000-8000-000000000001");
		z[i].zone = 1;
		snprintf(z[i].node, sizeof(z[i].node), "bench");
		z[i].tunnel.connected = true;
		snprintf(z[i].tunnel.ike_suite, sizeof(z[i].tunnel.ike_suite),
		    "AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256");
		snprintf(z[i].bgp.state, sizeof(z[i].bgp.state), "established");
		snprintf(z[i].reason, sizeof(z[i].reason), "ok");
		snprintf(z[i].reason_detail, sizeof(z[i].reason_detail),
		    "tunnel, BGP and routes up");
	}
	t0 = monotime_now();
	if (store_zstatus_write(s, "bench", true, z, n, NULL, 0) != 0)
		goto out;
	first = bns_ms(t0);
	for (i = 0; i < n; i++) {
		z[i].in_bytes += 1000;
		z[i].out_bytes += 2000;
	}
	t0 = monotime_now();
	if (store_zstatus_write(s, "bench", false, z, n, NULL, 0) != 0)
		goto out;
	beat = bns_ms(t0);
	t0 = monotime_now();
	if (store_zstatus_list(s, z[n / 2].tenant_id, z[n / 2].link_id, &rows,
	    &nrows) != 0 || nrows != 1)
		goto out;
	read = bns_ms(t0);
	printf("%-10s rows %zu: first write %.0f ms (%.0f rows/s), a beat with "
	    "every row changed %.0f ms (%.0f rows/s), one link's read %.2f ms\n",
	    strncmp(url, "postgres", 8) == 0 ? "postgresql" : "sqlite", n, first,
	    (double)n * 1000 / first, beat, (double)n * 1000 / beat, read);
	rc = store_zstatus_write(s, "bench", true, NULL, 0, NULL, 0);
out:
	free(rows);
	free(z);
	store_close(s);
	return rc;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/bench_node_status.XXXXXX", url[64];
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	const char *pg = getenv("BG_BENCH_PG");
	int rc = 0;

	if (n == 0 || mkdtemp(dir) == NULL)
		return 64;
	snprintf(url, sizeof(url), "sqlite:%s/b.db", dir);
	rc |= bns_run(url, n);
	snprintf(url, sizeof(url), "%s/b.db", dir);
	unlink(url);
	snprintf(url, sizeof(url), "%s/b.db-wal", dir);
	unlink(url);
	snprintf(url, sizeof(url), "%s/b.db-shm", dir);
	unlink(url);
	rmdir(dir);
	if (pg != NULL && *pg != '\0')
		rc |= bns_run(pg, n);
	return rc == 0 ? 0 : 1;
}
