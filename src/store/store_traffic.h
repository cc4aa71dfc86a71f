/*
 * store_traffic.h - the traffic log store (networkAccessTraffic records,
 * model_traffic.h): its own connection and its own schema, so that log
 * writes never wait for, or hold up, configuration writes (store.h).
 * SQLite: a database file of its own (by default the main path + "-traffic");
 * PostgreSQL: the table traffic_logs in the same database, on a connection
 * of its own. Same drivers as the main store (store_db.h). docs/store.md,
 * "Traffic logs".
 *
 * One flow is one row: a record whose (tenant, connectionId) is already
 * stored updates that row (counters, action, policy, FQDN, updated_ms)
 * and keeps its transactionId and createdDateTime. A record's counters
 * are the flow's totals so far, not a delta since the last record; one
 * with an older updated_ms than the row changes nothing. A handle is used
 * by one thread at a time; every call returns 0 or -1 (logged).
 */
#ifndef STORE_TRAFFIC_H
#define STORE_TRAFFIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model_traffic.h"

struct store_traffic;

/* Fields a list can filter on (eq) and order by. */
enum store_traffic_field {
	STF_TRANSACTION_ID, STF_CREATED, STF_UPDATED, STF_CONNECTION_ID,
	STF_SESSION_ID, STF_TRAFFIC_TYPE, STF_SRC_IP, STF_SRC_PORT, STF_DST_IP,
	STF_DST_PORT, STF_PROTO, STF_FQDN, STF_ACTION, STF_POLICY_ID,
	STF_RULE_ID, STF_REASON, STF_SENT, STF_RECEIVED, STF_RN_ID, STF_LINK_ID,
	STF_NFIELDS
};
/* Text fields take text[]; the others num[] (IPs in host order, enums). */
bool	store_traffic_field_is_text(enum store_traffic_field);

/*
 * url: as store_open()'s; traffic_url NULL derives the log store from it
 * ("sqlite:P" or "P" -> "P-traffic", ":memory:" stays, a PostgreSQL URL
 * is the same database). The schema is created or migrated here.
 */
int	store_traffic_open(const char *url, const char *traffic_url,
	    struct store_traffic **out, char *err, size_t errlen);
void	store_traffic_close(struct store_traffic *);
/* What traffic_url NULL opens for url; -1 if it does not fit. */
int	store_traffic_url(const char *url, char *out, size_t size);

/*
 * One transaction for the batch. Records are checked first (ids set,
 * enums in range); a bad one fails the whole batch, nothing written.
 */
int	store_traffic_add(struct store_traffic *,
	    const struct model_traffic *recs, size_t n);

/*
 * A page of one tenant's records. Every set field is an eq condition,
 * all ANDed; since/until bound createdDateTime (inclusive). The order is
 * by one field, then transactionId in the same direction, so it is total
 * and a page follows the previous one's last row (the cursor: its value
 * of the order field and its transactionId). *more tells whether rows
 * follow; total (if set) gets the count of the whole filter.
 */
struct store_traffic_filter {
	uint32_t	 set;		/* 1u << field for each eq condition */
	const char	*text[STF_NFIELDS];
	int64_t		 num[STF_NFIELDS];
	bool		 since_set, until_set;
	int64_t		 since_ms, until_ms;
	enum store_traffic_field order;
	bool		 desc;
	const char	*after_id;	/* NULL or "": first page */
	const char	*after_text;	/* the cursor's order value */
	int64_t		 after_num;
	size_t		 top;		/* 1..STORE_TRAFFIC_TOP_MAX */
	size_t		*total;		/* NULL: not wanted */
};
#define STORE_TRAFFIC_TOP_MAX	10000

int	store_traffic_list(struct store_traffic *, const char *tenant_id,
	    const struct store_traffic_filter *, struct model_traffic **out,
	    size_t *n, bool *more);
/* One record by transactionId: 0, 1 when the tenant has none such, -1. */
int	store_traffic_get(struct store_traffic *, const char *tenant_id,
	    const char *transaction_id, struct model_traffic *out);

/*
 * Retention: deletes every tenant's records last updated before
 * before_ms, then the least recently updated ones beyond max_rows in all
 * (0: no cap), in chunks so that no transaction holds the writer long.
 * *deleted (may be NULL) gets the count.
 */
int	store_traffic_prune(struct store_traffic *, int64_t before_ms,
	    size_t max_rows, size_t *deleted);
/* Rows stored, all tenants. */
int	store_traffic_count(struct store_traffic *, size_t *n);

/*
 * Summaries over records created in [since_ms, until_ms] of one tenant,
 * grouped by one key, most records first, then key; at most top groups.
 */
enum store_traffic_group {
	STG_ACTION, STG_POLICY, STG_DESTINATION, STG_TRAFFIC_TYPE
};
struct store_traffic_sum {
	/*
	 * The group: action / trafficType name, policy id ("" = none), or
	 * the destination FQDN, "" when the flow had none (then dst_ip).
	 */
	char		key[MODEL_FQDN_MAX + 1];
	uint32_t	dst_ip;
	uint64_t	count, blocked;
	uint64_t	sent_bytes, received_bytes;
};
int	store_traffic_summary(struct store_traffic *, const char *tenant_id,
	    enum store_traffic_group, int64_t since_ms, int64_t until_ms,
	    size_t top, struct store_traffic_sum **out, size_t *n);

/*
 * The retention timer: a thread with its own connection that prunes once
 * a minute (and once at start) by retention_days and max_rows. Stop joins
 * it. Either call returns -1 on failure (logged, nothing running).
 */
struct store_traffic_pruner;
int	store_traffic_pruner_start(const char *url, const char *traffic_url,
	    unsigned retention_days, size_t max_rows,
	    struct store_traffic_pruner **out);
void	store_traffic_pruner_stop(struct store_traffic_pruner *);

/*
 * How action and trafficType are stored and served: their Graph names
 * (filteringPolicyAction, trafficType), in enum model_traffic_* order.
 */
extern const struct model_enum store_traffic_action_enum;
extern const struct model_enum store_traffic_type_enum;

#endif
