/*
 * store.h - the persistent store of tenants, remote networks, device links
 * and forwarding-profile assignments. One interface, two backends: SQLite
 * (store_sqlite.c, the embedded default) and PostgreSQL (store_pg.c), both
 * under the same queries (store_query.c, docs/store.md).
 *
 * Every function returns 0 on success, STORE_NOTFOUND when the object does
 * not exist for that tenant (another tenant's ids are simply not found),
 * STORE_CONFLICT when a limit or uniqueness rule refused a write (nothing
 * changed; store_conflict() says which), STORE_RETRY when a write inside
 * the caller's transaction lost a serialization race (roll back and run
 * the transaction again), and -1 on a store error (logged;
 * store_unavailable() tells whether the database could not be reached).
 * A store handle is used by one thread at a time. Writes made between
 * store_begin() and store_commit() are atomic; store_commit() returns only
 * once the data is durable (survives kill -9).
 */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "model_fwd.h"
#include "model_policy.h"

#define STORE_NOTFOUND	1
#define STORE_CONFLICT	2
#define STORE_RETRY	3
#define STORE_TOKEN_ID_LEN	16	/* TOKEN_ID_LEN (token.h) */
#define STORE_HASH_LEN	32		/* SHA-256 */

struct store;

struct store_tenant {
	char		id[MODEL_ID_LEN + 1];
	char		name[MODEL_NAME_MAX + 1];
	int64_t		created_ms;
};

/*
 * url: "sqlite:PATH" or a plain PATH (created with its schema, migrated to
 * the current schema version if older), or "postgresql://..." /
 * "postgres://..." (a libpq connection URI; the schema is created and
 * migrated the same way). err gets a one-line reason on failure.
 */
int	store_open(const char *url, struct store **out, char *err, size_t errlen);
void	store_close(struct store *);
/* Schema version the database is at after store_open(). */
int	store_schema_version(struct store *);

/*
 * Why the last STORE_CONFLICT: one entry per refused field, as the API's
 * 409 body lists them.
 */
const struct model_errs *store_conflict(struct store *);
/* The last call failed because the database could not be reached. */
bool	store_unavailable(struct store *);

/*
 * Change push. store_watch_fd() is a descriptor to poll for reading, or
 * -1 when the backend has none (SQLite: the daemon's own API tells its
 * gateway) or the connection is down; it can change after a reconnect.
 * store_watch_poll() never blocks on an idle database: *changed is set
 * when another process committed a configuration change, *resync when
 * the connection was lost and is back (notifications may have been
 * missed: re-read everything). Returns 0, or -1 while the database is
 * down (it tries to reconnect, at most once a second).
 */
int	store_watch_fd(struct store *);
int	store_watch_poll(struct store *, bool *changed, bool *resync);

int	store_begin(struct store *);
int	store_commit(struct store *);
void	store_rollback(struct store *);

/*
 * Tenants. The API token is "<token_id>.<secret>"; the store keeps the
 * token_id and SHA-256(secret) only. store_tenant_add also creates the
 * tenant's built-in forwarding profiles (model_profiles_builtin) with fresh
 * ids, in the same transaction.
 */
int	store_tenant_add(struct store *, const struct store_tenant *,
	    const char *token_id, const uint8_t hash[STORE_HASH_LEN]);
int	store_tenant_by_token(struct store *, const char *token_id,
	    struct store_tenant *out, uint8_t hash[STORE_HASH_LEN]);
int	store_tenant_get(struct store *, const char *tenant_id,
	    struct store_tenant *out);

/* Remote networks. put = insert or replace by id. */
int	store_rn_put(struct store *, const char *tenant_id,
	    const struct model_rn *);
int	store_rn_get(struct store *, const char *tenant_id, const char *rn_id,
	    struct model_rn *out);
/* Sorted by name, then id. *out is malloc'd (free()); NULL when n = 0. */
int	store_rn_list(struct store *, const char *tenant_id,
	    struct model_rn **out, size_t *n);
int	store_rn_count(struct store *, const char *tenant_id, size_t *n);
/* Deletes its device links and profile assignments too. */
int	store_rn_delete(struct store *, const char *tenant_id,
	    const char *rn_id);

/* Device links; l->rn_id names the parent, which must exist. */
int	store_link_put(struct store *, const char *tenant_id,
	    const struct model_link *l);
int	store_link_get(struct store *, const char *tenant_id,
	    const char *rn_id, const char *link_id, struct model_link *out);
/*
 * rn_id NULL: every link of the tenant. Sorted by name, then id. Free with
 * model_links_free() (it wipes the keys).
 */
int	store_link_list(struct store *, const char *tenant_id,
	    const char *rn_id, struct model_link **out, size_t *n);
int	store_link_count(struct store *, const char *tenant_id,
	    const char *rn_id, size_t *n);
int	store_link_delete(struct store *, const char *tenant_id,
	    const char *rn_id, const char *link_id);

/* Forwarding profiles of the tenant, sorted by priority. */
int	store_profile_list(struct store *, const char *tenant_id,
	    struct model_profile **out, size_t *n);
int	store_profile_get(struct store *, const char *tenant_id,
	    const char *profile_id, struct model_profile *out);
/* The profiles assigned to a remote network (ids, sorted by priority). */
int	store_rn_profiles_get(struct store *, const char *tenant_id,
	    const char *rn_id, struct model_profile **out, size_t *n);
/* Replace the assignment set; every id must be one of the tenant's profiles. */
int	store_rn_profiles_set(struct store *, const char *tenant_id,
	    const char *rn_id, const char (*ids)[MODEL_ID_LEN + 1], size_t n);

/*
 * Security policy (model_policy.h, store_policy.c): policies of both kinds
 * with their rules, filtering profiles with their links. put = insert or
 * replace by id; the tenant limits and the uniqueness rules are checked
 * inside the write (STORE_CONFLICT, store_conflict() says which). Every
 * tenant has its baseline profile (priority MODEL_BASELINE_PRIORITY),
 * created with it; it cannot be deleted. A policy cannot be deleted while
 * a profile links it; deleting a policy deletes its rules, a profile its
 * links.
 */
#define STORE_BASELINE_NAME	"Baseline Profile"

/* with_rules: the policy's p->rules too, inserted in the same write. */
int	store_fpolicy_put(struct store *, const char *tenant_id,
	    const struct model_fpolicy *p, bool with_rules);
int	store_fpolicy_get(struct store *, const char *tenant_id,
	    const char *id, bool with_rules, struct model_fpolicy *out);
/* kind -1: both. Sorted by name, then id. Free with store_fpolicies_free. */
int	store_fpolicy_list(struct store *, const char *tenant_id, int kind,
	    bool with_rules, struct model_fpolicy **out, size_t *n);
int	store_fpolicy_delete(struct store *, const char *tenant_id,
	    const char *id);
void	store_fpolicies_free(struct model_fpolicy *, size_t n);

/* r->policy_id names the policy (STORE_NOTFOUND if not the tenant's). */
int	store_frule_put(struct store *, const char *tenant_id,
	    const struct model_frule *r);
int	store_frule_get(struct store *, const char *tenant_id,
	    const char *policy_id, const char *rule_id, struct model_frule *out);
/* Firewall rules by priority, filtering rules by name. */
int	store_frule_list(struct store *, const char *tenant_id,
	    const char *policy_id, struct model_frule **out, size_t *n);
int	store_frule_delete(struct store *, const char *tenant_id,
	    const char *policy_id, const char *rule_id);
void	store_frules_free(struct model_frule *, size_t n);

int	store_fprofile_put(struct store *, const char *tenant_id,
	    const struct model_fprofile *p);
int	store_fprofile_get(struct store *, const char *tenant_id,
	    const char *id, bool with_links, struct model_fprofile *out);
/* Sorted by priority, then id; links by priority. */
int	store_fprofile_list(struct store *, const char *tenant_id,
	    bool with_links, struct model_fprofile **out, size_t *n);
int	store_fprofile_delete(struct store *, const char *tenant_id,
	    const char *id);
void	store_fprofiles_free(struct model_fprofile *, size_t n);

/* l->profile_id and l->policy_id must be the tenant's (STORE_NOTFOUND). */
int	store_flink_put(struct store *, const char *tenant_id,
	    const struct model_flink *l);
int	store_flink_get(struct store *, const char *tenant_id,
	    const char *profile_id, const char *link_id,
	    struct model_flink *out);
int	store_flink_delete(struct store *, const char *tenant_id,
	    const char *profile_id, const char *link_id);

/*
 * The policy compiler's input: every profile with its links (by
 * priority), every policy with its rules (in evaluation order). Links and
 * rules are only those whose policy is in the set. model_fset_clear().
 */
int	store_policy_set(struct store *, const char *tenant_id,
	    struct model_fset *out);
/*
 * A tenant's forwarding rule rows (model_fwd.h: built-in rule and policy
 * link overrides, Custom Bypass rules), sorted by id; *out malloc'd.
 * put inserts or replaces by id; a new CUSTOM row past
 * MODEL_FWD_CUSTOM_MAX is STORE_CONFLICT. get/delete: STORE_NOTFOUND.
 * Every write is a configuration change (store_watch_*).
 */
int	store_fwd_list(struct store *, const char *tenant_id,
	    struct model_fwd_rule **out, size_t *n);
int	store_fwd_get(struct store *, const char *tenant_id, const char *id,
	    struct model_fwd_rule *out);
int	store_fwd_put(struct store *, const char *tenant_id,
	    const struct model_fwd_rule *);
int	store_fwd_delete(struct store *, const char *tenant_id,
	    const char *id);
/*
 * A tenant's forwarding options (schema 6): whether its branches reach
 * each other through the gateway (docs/bgp.md "Transit"). get:
 * STORE_NOTFOUND if the tenant never set it (the daemon's default holds).
 */
struct store_fwd_options {
	bool		branch_transit;
	int64_t		modified_ms;
};
int	store_fwd_options_get(struct store *, const char *tenant_id,
	    struct store_fwd_options *out);
int	store_fwd_options_put(struct store *, const char *tenant_id,
	    const struct store_fwd_options *);
/* Every tenant's id, sorted; *out is malloc'd (free()). */
int	store_tenant_ids(struct store *, char (**out)[MODEL_ID_LEN + 1],
	    size_t *n);

/*
 * Every device link of every tenant, for the gateway's config cache, sorted
 * by link id (ids are unique across tenants). Free with
 * store_tenant_links_free() (it wipes the keys).
 */
struct store_tenant_link {
	char		tenant_id[MODEL_ID_LEN + 1];
	struct model_link link;
};
int	store_link_list_all(struct store *, struct store_tenant_link **out,
	    size_t *n);
void	store_tenant_links_free(struct store_tenant_link *, size_t n);

/*
 * The nodes sharing the store (schema 7, store_node.c, docs/nodes.md).
 * A node registers at start (insert or replace by name: a restart keeps
 * its name and its draining state) and heartbeats every heartbeat_s
 * seconds; it reads as down when its heartbeat is older than
 * STORE_NODE_MISSED intervals by the reader's wall clock. Node writes are
 * not configuration changes: they notify nobody.
 */
#define STORE_NODE_NAME_MAX	63	/* [a-z0-9-], starting alphanumeric */
#define STORE_NODE_MISSED	3
enum store_node_role { STORE_NODE_API, STORE_NODE_GATEWAY };
enum store_node_state { STORE_NODE_ACTIVE, STORE_NODE_DRAINING };

struct store_node {
	char		name[STORE_NODE_NAME_MAX + 1];
	int		role;			/* enum store_node_role */
	uint32_t	endpoint[MODEL_ZONES_MAX];	/* zone i+1; 0: none */
	int		state;			/* enum store_node_state */
	unsigned	heartbeat_s;		/* 1..60 */
	int64_t		started_ms, heartbeat_ms;	/* wall clock, UTC */
};

bool	store_node_name_valid(const char *name);
/* Sets started_ms and heartbeat_ms to now_ms; keeps a stored state. */
int	store_node_register(struct store *, const struct store_node *,
	    int64_t now_ms);
/* STORE_NOTFOUND: the row is gone (deleted): register again. */
int	store_node_heartbeat(struct store *, const char *name, int64_t now_ms);
/* Sorted by name; *out is malloc'd (free()). */
int	store_node_list(struct store *, struct store_node **out, size_t *n);
int	store_node_get(struct store *, const char *name, struct store_node *out);
int	store_node_delete(struct store *, const char *name);
/* Down: no heartbeat for STORE_NODE_MISSED intervals at now_ms. */
bool	store_node_down(const struct store_node *, int64_t now_ms);
const char *store_node_role_name(int role);
/* "up", "down" or "draining" (a draining node that is down is down). */
const char *store_node_state_name(const struct store_node *, int64_t now_ms);

/*
 * Placement (schema 8, docs/nodes.md): a node per zone of a link. place
 * gives each zone the link needs (zone 1; zone 2 too when zone-redundant)
 * and has none a node by the rule (an active gateway that is up at now_ms
 * and serves the zone, not the other zone's node while another will do,
 * then the fewest placed zones, then the name), and forgets a zone the
 * link no longer has; zones placed before stay. STORE_CONFLICT when no
 * node serves a zone. Inside the caller's transaction, after the link's
 * put. nodes reads a link's placement: node "" and ep 0 for a zone not
 * placed, ep 0 for a node no longer listed. node_links: the ids of the
 * links with a zone on node, sorted; *out malloc'd (free()).
 */
int	store_link_place(struct store *, const char *tenant_id,
	    const struct model_link *, int64_t now_ms);
int	store_link_nodes(struct store *, const char *tenant_id,
	    const char *link_id,
	    char node[MODEL_ZONES_MAX][STORE_NODE_NAME_MAX + 1],
	    uint32_t ep[MODEL_ZONES_MAX]);
int	store_node_links(struct store *, const char *node,
	    char (**out)[MODEL_ID_LEN + 1], size_t *n);

/*
 * Data from the gateway nodes (schema 9, store_status.c, docs/nodes.md
 * "Status from the nodes"): one row per (link, zone, node), that node's
 * view of the zone's tunnel and BGP session, the link's reason, and the
 * ESP counters of the link's SAs on that node (on the lowest zone it
 * carries; 0 on its other). Written by each gateway node for the zones
 * placed on it, read by the API, which takes a zone's row from the node
 * the zone is placed on. Status writes notify nobody.
 */
struct store_zstatus {
	char		link_id[MODEL_ID_LEN + 1];
	char		tenant_id[MODEL_ID_LEN + 1];
	int		zone;			/* 1 or 2 */
	char		node[STORE_NODE_NAME_MAX + 1];
	int64_t		updated_ms;		/* wall clock of the write */
	bool		dataplane;
	struct model_link_tunnel tunnel;
	struct model_link_bgp	bgp;		/* reject[] not kept */
	uint64_t	in_packets, in_bytes, out_packets, out_bytes;
	uint64_t	replay, auth_failed, malformed, spoofed;
	char		reason[24];
	char		reason_detail[320];
};

/*
 * One atomic write of node's rows: with clear, every row of node goes
 * first (a node's first write after its start); then the rows of drop
 * (keys only) go and those of put are inserted or replaced. Every row's
 * node must be node.
 */
int	store_zstatus_write(struct store *, const char *node, bool clear,
	    const struct store_zstatus *put, size_t nput,
	    const struct store_zstatus *drop, size_t ndrop);
/* Every node's rows of one link of the tenant, by zone then node; *out malloc'd. */
int	store_zstatus_list(struct store *, const char *tenant_id,
	    const char *link_id, struct store_zstatus **out, size_t *n);

/* The zones placed on a node: what it writes the status of. */
struct store_node_zone {
	char		link_id[MODEL_ID_LEN + 1];
	char		tenant_id[MODEL_ID_LEN + 1];
	int		zone;
};
/* Sorted by link id, then zone; *out malloc'd (free()). */
int	store_node_zones(struct store *, const char *node,
	    struct store_node_zone **out, size_t *n);

/*
 * The operator's node actions (docs/nodes.md "Drain"). drain sets the
 * node draining and moves each zone placed on it to another node by the
 * placement rule, in one write that notifies each link moved; with no
 * other node for a zone: STORE_CONFLICT and nothing changes (the state
 * neither). *moves (malloc'd, free()) says what went where. activate
 * sets it active again (nothing moves back). remove deletes the node's
 * row and its status rows; STORE_CONFLICT while zones are placed on it.
 */
struct store_node_move {
	char		link_id[MODEL_ID_LEN + 1];
	char		tenant_id[MODEL_ID_LEN + 1];
	int		zone;
	char		to[STORE_NODE_NAME_MAX + 1];
};
int	store_node_drain(struct store *, const char *name, int64_t now_ms,
	    struct store_node_move **moves, size_t *nmoves);
int	store_node_activate(struct store *, const char *name);
int	store_node_remove(struct store *, const char *name);

/*
 * Remote network health events (system-facts §2.5), written by the gateway,
 * read through GET /networkAccess/logs/remoteNetworks. status values are
 * indexes into store_event_status_enum (Graph remoteNetworkStatus order).
 */
enum store_event_status {
	STORE_EV_TUNNEL_DISCONNECTED, STORE_EV_TUNNEL_CONNECTED,
	STORE_EV_BGP_DISCONNECTED, STORE_EV_BGP_CONNECTED,
	STORE_EV_REMOTE_NETWORK_ALIVE
};
extern const struct model_enum store_event_status_enum;

#define STORE_EVENT_DESC_MAX	512

struct store_event {
	char		id[MODEL_ID_LEN + 1];
	char		rn_id[MODEL_ID_LEN + 1];
	int64_t		created_ms;		/* wall clock, UTC */
	uint32_t	source_ip;		/* CPE public IP */
	uint32_t	destination_ip;		/* gateway endpoint */
	int		status;			/* enum store_event_status */
	char		description[STORE_EVENT_DESC_MAX + 1];	/* "" = none */
	int32_t		bgp_routes_advertised;
	int64_t		sent_bytes, received_bytes;
	/* The gateway node that wrote it (docs/nodes.md); "" = the single node. */
	char		node[STORE_NODE_NAME_MAX + 1];
};

/*
 * A page of events, newest first (created_ms, then id, descending), or
 * oldest first. The cursor (after_ms, after_id) is the last event of the
 * previous page, in that order; an empty after_id starts at the first.
 * *more tells whether rows follow. since/until bound created_ms, both
 * inclusive. With total set, *total gets the number of events the filter
 * matches on all pages (the cursor aside), as OData's $count wants.
 */
struct store_event_filter {
	const char	*rn_id;			/* NULL: any */
	int		 status;		/* -1: any */
	bool		 since_set, until_set;
	int64_t		 since_ms, until_ms;
	bool		 oldest_first;
	int64_t		 after_ms;
	const char	*after_id;		/* NULL or "": first page */
	size_t		 top;			/* page size, >= 1 */
	size_t		*total;			/* NULL: not wanted */
};

int	store_event_add(struct store *, const char *tenant_id,
	    const struct store_event *);
/* *out is malloc'd (free()); NULL when n = 0. */
int	store_event_list(struct store *, const char *tenant_id,
	    const struct store_event_filter *, struct store_event **out,
	    size_t *n, bool *more);
/* Deletes every tenant's events created before before_ms; *n deleted. */
int	store_event_prune(struct store *, int64_t before_ms, size_t *n);

#endif
