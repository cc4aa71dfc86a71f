/*
 * traffic_fill.c - writes traffic log records through store_traffic, as
 * the gateway's drain does, so that the API tests can populate the logs
 * without a data plane (tests/api/test_traffic_logs.py).
 *
 *   traffic_fill --db URL [--traffic-db URL] [--batch N] < records.json
 *
 * stdin: a JSON array of objects named as networkAccessTraffic's
 * properties (tenantId, transactionId, createdDateTime, ...), plus
 * "protocol" (the IP protocol number), "lastUpdatedDateTime" and
 * "sentPackets". Prints the number of records written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ip4.h"
#include "model.h"
#include "store_traffic.h"
#include "wallclock.h"

static int
fill_text(json_t *o, const char *key, char *buf, size_t size)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || strlen(json_string_value(v)) >= size) {
		fprintf(stderr, "traffic_fill: %s: want a string of at most "
		    "%zu bytes\n", key, size - 1);
		return -1;
	}
	memcpy(buf, json_string_value(v), strlen(json_string_value(v)) + 1);
	return 0;
}

static int
fill_int(json_t *o, const char *key, json_int_t max, json_int_t *out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > max) {
		fprintf(stderr, "traffic_fill: %s: want an integer 0..%lld\n",
		    key, (long long)max);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

static int
fill_time(json_t *o, const char *key, int64_t *ms)
{
	char buf[WALLCLOCK_STRLEN] = "";

	if (fill_text(o, key, buf, sizeof(buf)) == -1)
		return -1;
	if (buf[0] != '\0' && wallclock_parse(buf, ms) == -1) {
		fprintf(stderr, "traffic_fill: %s '%s': not a time\n", key, buf);
		return -1;
	}
	return 0;
}

static int
fill_ip(json_t *o, const char *key, uint32_t *ip)
{
	char buf[IP4_STRLEN + 1] = "";

	if (fill_text(o, key, buf, sizeof(buf)) == -1)
		return -1;
	if (buf[0] != '\0' && ip4_parse(buf, ip) == -1) {
		fprintf(stderr, "traffic_fill: %s '%s': not IPv4\n", key, buf);
		return -1;
	}
	return 0;
}

static int
fill_enum(json_t *o, const char *key, const struct model_enum *e, int *out)
{
	char buf[32] = "";

	if (fill_text(o, key, buf, sizeof(buf)) == -1)
		return -1;
	if (buf[0] != '\0' && (*out = model_enum_parse(e, buf)) == -1) {
		fprintf(stderr, "traffic_fill: %s '%s': not a %s\n", key, buf,
		    e->type);
		return -1;
	}
	return 0;
}

static int
fill_one(json_t *o, struct model_traffic *t)
{
	json_int_t sp = 0, dp = 0, proto = 6, sb = 0, rb = 0, pk = 0;
	int errs = 0;

	memset(t, 0, sizeof(*t));
	t->created_ms = wallclock_now_ms();
	errs += fill_text(o, "transactionId", t->transaction_id,
	    sizeof(t->transaction_id));
	errs += fill_text(o, "tenantId", t->tenant_id, sizeof(t->tenant_id));
	errs += fill_text(o, "remoteNetworkId", t->rn_id, sizeof(t->rn_id));
	errs += fill_text(o, "deviceLinkId", t->link_id, sizeof(t->link_id));
	errs += fill_text(o, "connectionId", t->connection_id,
	    sizeof(t->connection_id));
	errs += fill_text(o, "sessionId", t->session_id, sizeof(t->session_id));
	errs += fill_text(o, "destinationFQDN", t->fqdn, sizeof(t->fqdn));
	errs += fill_text(o, "policyId", t->policy_id, sizeof(t->policy_id));
	errs += fill_text(o, "policyRuleId", t->rule_id, sizeof(t->rule_id));
	errs += fill_text(o, "description", t->reason, sizeof(t->reason));
	errs += fill_time(o, "createdDateTime", &t->created_ms);
	t->updated_ms = t->created_ms;
	errs += fill_time(o, "lastUpdatedDateTime", &t->updated_ms);
	errs += fill_ip(o, "sourceIp", &t->src_ip);
	errs += fill_ip(o, "destinationIp", &t->dst_ip);
	errs += fill_int(o, "sourcePort", 65535, &sp);
	errs += fill_int(o, "destinationPort", 65535, &dp);
	errs += fill_int(o, "protocol", 255, &proto);
	errs += fill_int(o, "sentBytes", INT64_MAX, &sb);
	errs += fill_int(o, "receivedBytes", INT64_MAX, &rb);
	errs += fill_int(o, "sentPackets", INT64_MAX, &pk);
	errs += fill_enum(o, "trafficType", &store_traffic_type_enum,
	    &t->traffic_type);
	errs += fill_enum(o, "action", &store_traffic_action_enum, &t->action);
	t->src_port = (uint16_t)sp;
	t->dst_port = (uint16_t)dp;
	t->proto = (uint8_t)proto;
	t->sent_bytes = (uint64_t)sb;
	t->received_bytes = (uint64_t)rb;
	t->sent_packets = (uint64_t)pk;
	return errs != 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	const char *db = NULL, *tdb = NULL;
	struct store_traffic *st = NULL;
	struct model_traffic *recs = NULL;
	size_t n, i, batch = 500, done = 0;
	json_error_t jerr;
	json_t *a = NULL;
	char err[256];
	int k, rc = 1;

	for (k = 1; k + 1 < argc; k += 2) {
		if (strcmp(argv[k], "--db") == 0)
			db = argv[k + 1];
		else if (strcmp(argv[k], "--traffic-db") == 0)
			tdb = argv[k + 1];
		else if (strcmp(argv[k], "--batch") == 0)
			batch = strtoul(argv[k + 1], NULL, 10);
		else
			break;
	}
	if (k != argc || db == NULL || batch == 0) {
		fprintf(stderr, "usage: traffic_fill --db URL [--traffic-db URL] "
		    "[--batch N] < records.json\n");
		return 64;
	}
	if ((a = json_loadf(stdin, 0, &jerr)) == NULL || !json_is_array(a)) {
		fprintf(stderr, "traffic_fill: stdin: want a JSON array (%s)\n",
		    jerr.text);
		goto out;
	}
	n = json_array_size(a);
	if (n > 0 && (recs = calloc(n, sizeof(*recs))) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if (fill_one(json_array_get(a, i), &recs[i]) == -1) {
			fprintf(stderr, "traffic_fill: record %zu\n", i);
			goto out;
		}
	if (store_traffic_open(db, tdb, &st, err, sizeof(err)) == -1) {
		fprintf(stderr, "traffic_fill: %s\n", err);
		goto out;
	}
	for (; done < n; done += batch)
		if (store_traffic_add(st, recs + done, n - done < batch ?
		    n - done : batch) == -1) {
			fprintf(stderr, "traffic_fill: the batch at %zu failed\n",
			    done);
			goto out;
		}
	printf("%zu\n", n);
	rc = 0;
out:
	store_traffic_close(st);
	free(recs);
	json_decref(a);
	return rc;
}
