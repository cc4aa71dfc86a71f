/*
 * model_traffic.h - one traffic log record (networkAccessTraffic,
 * system-facts §3.8): a flow of a remote network's traffic, written by the
 * data plane when the flow ends (or periodically for a long one), stored
 * in its own table (store_traffic.h), served by GET
 * /networkAccess/logs/traffic.
 */
#ifndef MODEL_TRAFFIC_H
#define MODEL_TRAFFIC_H

#include <stdint.h>

#include "model.h"

#define MODEL_FQDN_MAX		253

enum model_traffic_action { MODEL_TACT_ALLOW, MODEL_TACT_BLOCK };
/* trafficType (system-facts §3.4): only these two reach a remote network */
enum model_traffic_type { MODEL_TTYPE_INTERNET, MODEL_TTYPE_M365 };

struct model_traffic {
	char		transaction_id[MODEL_ID_LEN + 1];	/* key */
	int64_t		created_ms;		/* wall clock: flow start */
	int64_t		updated_ms;		/* wall clock: this record */
	char		tenant_id[MODEL_ID_LEN + 1];
	char		rn_id[MODEL_ID_LEN + 1];
	char		link_id[MODEL_ID_LEN + 1];
	/* connectionId: the flow; one per record set of a long flow */
	char		connection_id[MODEL_ID_LEN + 1];
	char		session_id[MODEL_ID_LEN + 1];	/* = the IKE SA's */
	int		traffic_type;		/* enum model_traffic_type */
	uint32_t	src_ip, dst_ip;		/* host order */
	uint16_t	src_port, dst_port;
	uint8_t		proto;			/* IP protocol number */
	char		fqdn[MODEL_FQDN_MAX + 1];	/* "" if none seen */
	int		action;			/* enum model_traffic_action */
	char		policy_id[MODEL_ID_LEN + 1];	/* "" = none */
	char		rule_id[MODEL_ID_LEN + 1];
	/* Why, for blocks and drops: "fqdn", "webCategory", "firewall",
	 * "unassignedProfile", "malformedTls", ...; "" for plain allows. */
	char		reason[24];
	uint64_t	sent_bytes, received_bytes;	/* from the branch / to it */
	uint64_t	sent_packets;
};

#endif
