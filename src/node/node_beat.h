/*
 * node_beat.h - a node's registration in the store's node list and its
 * heartbeat (docs/nodes.md), on a thread and a store connection of its
 * own, so that a slow database never holds up the gateway loop or the API.
 */
#ifndef NODE_BEAT_H
#define NODE_BEAT_H

struct model_link_status;
struct node_beat;
struct store_node;

/*
 * A gateway node's live view of one link (gw_link_status): called from
 * the heartbeat thread, so it must be thread-safe and quick.
 */
typedef int (*node_status_fn)(void *arg, const char *link_id,
    struct model_link_status *out);

/*
 * Registers n (name, role, endpoints, heartbeat_s) in the store at url,
 * then heartbeats every n->heartbeat_s seconds until node_beat_stop().
 * With status set (a gateway node), each beat also writes the status of
 * the zones placed on the node that changed since the last write
 * (store_zstatus_write, docs/nodes.md "Status from the nodes").
 * Fails only if the first registration does.
 */
int	node_beat_start(const char *url, const struct store_node *n,
	    node_status_fn status, void *status_arg, struct node_beat **out);
void	node_beat_stop(struct node_beat *);

#endif
